"""Attribution of versions: builds licensing Works from versions, their lineage and collections.

Who is credited, and why: a version's authors (for a fork or remix, the people who adapted it)
at its institution; everyone whose contribution was merged into it (`Version.contributors`);
the works it adapts, recursively, each with its own people; the works a collection holds; and
the third-party components it ships. Later versions of a fork or remix adapt the same sources
as the version that holds the fork or remix edges (`repository.credit.basis`), so they credit
them too, while merge edges stay in the resource's own line and add no source.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

import licensing
from repository.credit.basis import ADAPTING, adaptation_holder
from repository.models import CollectionItem, Version

MAX_CHAIN_DEPTH = 8


def changes_url(version: Version) -> str:
    """The page that shows what this version changed against the works it adapts."""
    resource = version.resource
    return settings.SITE_URL + reverse(
        "version_changes", args=[resource.institution.slug, resource.slug, version.number]
    )


def adapted_sources(version: Version) -> list[Version]:
    """The versions `version` adapts: its holder's fork and remix parents (none if original)."""
    holder = adaptation_holder(version.resource, before=version.number)
    if holder is None:
        return []
    edges = holder.parent_edges.filter(kind__in=ADAPTING).select_related(
        "parent__resource__institution"
    )
    return [edge.parent for edge in edges]


def components_of(version: Version) -> list[licensing.Component]:
    """The third-party components the version ships, each under its own terms (its parts)."""
    found = []
    for component in version.licence_parts.components:
        try:
            found.append(
                licensing.Component(
                    name=component.name,
                    license=component.license,
                    version=component.version or None,
                    url=component.url or None,
                    copyright="; ".join(component.copyright) or None,
                    path=", ".join(component.paths) or None,
                )
            )
        except licensing.UnknownLicence:
            continue  # the licence step reports it; credit the rest
    return found


def work_of(version: Version, *, depth: int = 0) -> licensing.Work:
    """The licensing Work that credits `version`: its people, sources, parts and components."""
    sources: list[licensing.Work] = []
    collected: list[licensing.Work] = []
    if depth < MAX_CHAIN_DEPTH:
        sources = [work_of(parent, depth=depth + 1) for parent in adapted_sources(version)]
        items = CollectionItem.objects.filter(collection=version).select_related(
            "item__resource__institution"
        )
        collected = [work_of(i.item, depth=depth + 1) for i in items]
    title = (
        version.resource.title if depth else version.manifest.get("title", version.resource.title)
    )
    return licensing.Work(
        title=title,
        authors=list(version.authors) or [version.resource.institution.name],
        institution=version.resource.institution.name if version.authors else None,
        contributors=[c for c in version.contributors if c not in version.authors],
        license_id=version.licence,
        url=settings.SITE_URL + version.get_absolute_url(),
        modified=version.changelog if sources else None,
        changes_url=changes_url(version) if sources else None,
        sources=sources,
        components=components_of(version),
        collected=collected,
    )


def attribution_text(version: Version) -> str:
    return licensing.attribution_text(work_of(version))


def attribution_html(version: Version) -> str:
    return licensing.attribution_html(work_of(version))


def attribution_jsonld(version: Version) -> dict[str, Any]:
    return licensing.attribution_jsonld(work_of(version))


def attribution_file(version: Version) -> str:
    return licensing.attribution_file(work_of(version))
