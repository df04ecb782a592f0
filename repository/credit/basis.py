"""The licence basis of a version: the licences of the works its resource adapts."""

import licensing
from repository.models import Derivation, Resource, Version

ADAPTING = [Derivation.Kind.FORK, Derivation.Kind.REMIX]


def adaptation_holder(resource: Resource, *, before: int | None = None) -> Version | None:
    """The resource's newest version (up to number `before`) with fork or remix edges.

    Every later version of a fork or remix (deposited, merged or pulled) is still an adaptation
    of that version's sources. Merge edges stay inside the resource's own line and add no source.
    """
    versions = resource.versions.filter(parent_edges__kind__in=ADAPTING)
    if before is not None:
        versions = versions.filter(number__lte=before)
    return versions.order_by("-number").first()


def adaptation_sources(resource: Resource, *, before: int | None = None) -> list[str]:
    """Licences of the sources of the resource's newest forked or remixed version.

    Its licence must be one they allow (see `adaptation_holder`).
    """
    return [licence for licence, _ in adaptation_basis(resource, before=before)]


def adaptation_basis(resource: Resource, *, before: int | None = None) -> list[tuple[str, str]]:
    """(licence, title) of each source the resource adapts, so refusals can name the works."""
    holder = adaptation_holder(resource, before=before)
    if holder is None:
        return []
    return list(
        holder.parent_edges.filter(kind__in=ADAPTING).values_list(
            "parent__licence", "parent__resource__title"
        )
    )


def refusal(sources: list[str], licence: str, *, names: list[str] | None = None) -> str | None:
    """Why `licence` may not carry an adaptation of works under `sources`, or None if it may.

    The derived-work rule, asked by the deposit (before anything is stored), the licence step
    and publication alike. `names` (one title per source) lets the message name the works.
    """
    if sources and licence not in licensing.allowed_adaptation_licenses(sources):
        return licensing.explain(sources, licence, names=names)
    return None


def licence_problem(version: Version) -> str | None:
    """Why the version's licence breaks its sources' rules, or None when it is allowed."""
    basis = adaptation_basis(version.resource, before=version.number)
    return refusal(
        [licence for licence, _ in basis], version.licence, names=[name for _, name in basis]
    )
