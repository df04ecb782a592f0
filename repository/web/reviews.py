"""The review queue: open contributions to the resources of institutions where one is staff."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from repository.access import drafts_of, drafts_to_publish
from repository.models import Contribution, Institution
from repository.web.contributions import proposal_diff
from repository.web.lookups import signed_in_user


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    staff_of = Institution.objects.where(signed_in_user(request))
    open_items = (
        Contribution.objects.visible_to(request.user)
        .open()
        .filter(resource__institution__in=staff_of)
        .select_related("resource__institution", "base", "author")
        .order_by("created_at")[:50]
    )
    items = []
    for c in open_items:
        changes = proposal_diff(c)
        items.append(
            {
                "contribution": c,
                "changes": changes,
                "added": sum(
                    1
                    for ch in changes
                    for line in ch["diff"]
                    if line[:1] == "+" and line[:3] != "+++"
                ),
                "removed": sum(
                    1
                    for ch in changes
                    for line in ch["diff"]
                    if line[:1] == "-" and line[:3] != "---"
                ),
            }
        )
    mine = (
        Contribution.objects.filter(author=signed_in_user(request))
        .select_related("resource__institution", "base")
        .order_by("-updated_at")[:20]
    )
    return render(
        request,
        "repository/review_queue.html",
        {
            "items": items,
            "mine": mine,
            "is_staff": staff_of.exists(),
            "to_publish": drafts_to_publish(request.user)
            .select_related("resource__institution", "created_by")
            .order_by("created_at")[:50],
            "my_drafts": drafts_of(request.user).select_related("institution"),
        },
    )
