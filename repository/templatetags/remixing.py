"""Template tags that add remix, lineage, contribution and credit panels to existing pages."""

from typing import Any

from django import template
from django.contrib.auth.models import User

from repository.access import contribution_refusal, may_contribute
from repository.actions.upstream import can_pull, upstream_updates
from repository.models import CollectionItem, Contribution, Version
from repository.trees.lineage import lineage_graph
from repository.web.context import capabilities

register = template.Library()


@register.inclusion_tag("repository/_remix_panel.html", takes_context=True)
def remix_panel(context: dict[str, Any], version: Version) -> dict[str, Any]:
    """Lineage counts, remix/contribute buttons, the review queue and upstream notices."""
    user = context["request"].user
    resource = version.resource
    graph = lineage_graph(version, user=user, limit=200)
    owner = can_pull(user, resource)
    return {
        "version": version,
        "resource": resource,
        "counts": graph["counts"],
        "can_contribute": may_contribute(user, resource),
        # Said on the page, before any form, to a signed-in person who may not contribute.
        "contribution_refusal": ""
        if not user.is_authenticated or may_contribute(user, resource)
        else contribution_refusal(user, resource),
        "can_remix": capabilities(context["request"]).remix,
        "open_contributions": Contribution.objects.visible_to(user)
        .filter(resource=resource)
        .open()
        .count(),
        "updates": upstream_updates(resource) if owner else [],
        "items": CollectionItem.objects.filter(collection=version).select_related(
            "item__resource__institution"
        ),
        "user": user,
    }


@register.simple_tag(takes_context=True)
def contributions_of(context: dict[str, Any], person: User) -> list[Contribution]:
    """Merged contributions by `person` whose merged version the viewer may see."""
    user = context["request"].user
    return list(
        Contribution.objects.filter(author=person, state=Contribution.State.MERGED)
        .filter(merged_version__in=Version.objects.visible_to(user))
        .select_related("merged_version__resource__institution")
    )
