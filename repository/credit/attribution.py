"""Attribution of versions: builds licensing Works from versions and their lineage."""

from __future__ import annotations

from django.conf import settings

import licensing
from repository.models import Version

MAX_CHAIN_DEPTH = 8


def work_of(version: Version, *, depth: int = 0) -> licensing.Work:
    parents = []
    if depth < MAX_CHAIN_DEPTH:
        parents = [
            work_of(edge.parent, depth=depth + 1)
            for edge in version.parent_edges.select_related("parent__resource__institution")
        ]
    return licensing.Work(
        title=version.resource.title
        if depth
        else version.manifest.get("title", version.resource.title),
        authors=[*version.authors, *(c for c in version.contributors if c not in version.authors)]
        or [version.resource.institution.name],
        license_id=version.licence,
        url=settings.SITE_URL + version.get_absolute_url(),
        modified=version.changelog if parents else None,
        sources=parents,
    )


def attribution_text(version: Version) -> str:
    return licensing.attribution_text(work_of(version))


def attribution_html(version: Version) -> str:
    return licensing.attribution_html(work_of(version))


def attribution_file(version: Version) -> str:
    return licensing.attribution_file(work_of(version))
