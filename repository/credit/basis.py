"""The licence basis of a version: the licences of the works its resource adapts."""

import licensing
from repository.models import Derivation, Resource, Version

ADAPTING = [Derivation.Kind.FORK, Derivation.Kind.REMIX]


def adaptation_sources(resource: Resource, *, before: int | None = None) -> list[str]:
    """Licences of the sources of the resource's newest forked or remixed version.

    Every later version of a fork or remix (deposited, merged or pulled) is still an adaptation
    of those sources, so its licence must be one they allow. Merge edges stay inside the
    resource's own line and add no source.
    """
    versions = resource.versions.filter(parent_edges__kind__in=ADAPTING)
    if before is not None:
        versions = versions.filter(number__lte=before)
    holder = versions.order_by("-number").first()
    if holder is None:
        return []
    return list(
        holder.parent_edges.filter(kind__in=ADAPTING).values_list("parent__licence", flat=True)
    )


def refusal(sources: list[str], licence: str) -> str | None:
    """Why `licence` may not carry an adaptation of works under `sources`, or None if it may.

    The derived-work rule, asked by the deposit (before anything is stored), the licence step
    and publication alike.
    """
    if sources and licence not in licensing.allowed_adaptation_licenses(sources):
        return licensing.explain(sources, licence)
    return None


def licence_problem(version: Version) -> str | None:
    """Why the version's licence breaks its sources' rules, or None when it is allowed."""
    return refusal(adaptation_sources(version.resource, before=version.number), version.licence)
