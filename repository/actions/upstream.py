"""Upstream updates: see when a fork's or remix's source published a newer version, and pull it.

Pulling is a three-way merge (repository/trees/merges.py): base = the source version the work was
derived from, theirs = the newer published source version (mapped through the remix's picks
into the work's own layout), ours = the work's head. It always makes a NEW version of the
work, validated like any other; nobody's published version changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction

import licensing
from repository.access import AnyUser, is_staff_of
from repository.actions.notifications import name_of
from repository.actions.remixes import ATTRIBUTION_PATH, place, remix_attribution, version_url
from repository.actions.versions import TreeEntry, create_version, tree_of
from repository.errors import DomainError, LicenceRefused, PermissionRefused
from repository.models import Blob, Derivation, RemixPick, Resource, Version
from repository.storage import blobs
from repository.trees.merges import (
    MergeResult,
    Resolution,
    apply_resolutions,
    merge_manifests,
    merge_trees,
)

LIVE_STATES = [
    Version.State.UPLOADED,
    Version.State.VALIDATING,
    Version.State.PASSED,
    Version.State.PUBLISHED,
]


@dataclass(frozen=True)
class Update:
    """`source` (a newer published version) of the resource that `base` belongs to."""

    edge: Derivation
    base: Version
    source: Version


def head_of(resource: Resource) -> Version | None:
    """The resource's newest version that is not failed or withdrawn: what changes build on."""
    return resource.versions.filter(state__in=LIVE_STATES).order_by("-number").first()


def lineage_holder(resource: Resource) -> Version | None:
    """The newest live version of `resource` with fork or remix edges: its parents are the sources.

    Failed and withdrawn versions do not count, so a pull that failed validation leaves the
    update on offer (and the next pull merges from the version the live work really has).
    """
    return (
        resource.versions.filter(
            state__in=LIVE_STATES,
            parent_edges__kind__in=[Derivation.Kind.FORK, Derivation.Kind.REMIX],
        )
        .order_by("-number")
        .first()
    )


def upstream_updates(resource: Resource) -> list[Update]:
    """Sources of `resource` that published a version newer than the one it was derived from."""
    holder = lineage_holder(resource)
    if holder is None:
        return []
    updates = []
    for edge in holder.parent_edges.exclude(kind=Derivation.Kind.MERGE).select_related(
        "parent__resource__latest_published__resource__institution"
    ):
        latest = edge.parent.resource.latest_published
        if latest is not None and latest.number > edge.parent.number:
            updates.append(Update(edge, edge.parent, latest))
    return updates


def can_pull(user: AnyUser, resource: Resource) -> bool:
    return is_staff_of(user, resource.institution) or (
        user.is_authenticated and resource.created_by_id == user.pk
    )


def find_update(resource: Resource, source: Version) -> Update:
    for update in upstream_updates(resource):
        if update.source.pk == source.pk:
            return update
    raise DomainError(
        f"{source.resource.title} v{source.number} is not a newer published version of a source "
        f"of {resource.title}; there is nothing to pull from it."
    )


def mapped(version: Version, picks: list[RemixPick]) -> dict[str, str]:
    """`version`'s tree in the derived work's layout: through the picks, or as is for a fork."""
    tree = {e.path: e.sha256 for e in tree_of(version)}
    if not picks:
        return tree
    out: dict[str, str] = {}
    for pick in picks:
        for old, new in place(pick.path, pick.target, tree).items():
            out[new] = tree[old]
    return out


def plan_pull(resource: Resource, source: Version) -> tuple[Update, Version, MergeResult]:
    """Work out the merge of `source` into `resource`'s head without writing anything."""
    update = find_update(resource, source)
    ours = head_of(resource)
    if ours is None:
        raise DomainError(f"{resource.title} has no version to build on.")
    picks = list(RemixPick.objects.filter(version__resource=resource, source=update.base))
    result = merge_trees(
        mapped(update.base, picks),
        {e.path: e.sha256 for e in tree_of(ours)},
        mapped(update.source, picks),
    )
    if picks:
        result.manifest = dict(ours.manifest)
    else:
        result.manifest, result.manifest_kept_ours = merge_manifests(
            update.base.manifest, ours.manifest, update.source.manifest
        )
        # A fork keeps its own licence and title whatever the source does with theirs.
        result.manifest["license"] = ours.manifest["license"]
    return update, ours, result


@transaction.atomic
def pull_upstream(
    *,
    resource: Resource,
    source: Version,
    by: User,
    resolutions: Mapping[str, Resolution] | None = None,
) -> Version:
    """Make a new version of `resource` with the changes `source` made since `resource` derived.

    The new version's derivation edges are the holder's, with the old source version replaced
    by `source`, so the lineage and attribution follow. Raises PermissionRefused unless `by` is
    staff of the owner or made the resource; DomainError when there is nothing to pull;
    MergeConflict listing the paths both sides changed that `resolutions` does not settle;
    LicenceRefused when the work's licence may no longer carry the updated sources.
    """
    if not can_pull(by, resource):
        raise PermissionRefused(
            f"Only staff of {resource.institution.name} or the person who made {resource.title} "
            "may pull updates into it."
        )
    update, ours, result = plan_pull(resource, source)
    tree = apply_resolutions(result, resolutions or {})
    holder = lineage_holder(resource)
    assert holder is not None  # find_update found an edge on it
    parents = [
        (source if e.parent_id == update.base.pk else e.parent, e.kind)
        for e in holder.parent_edges.select_related("parent__resource__institution")
    ]
    sources = [p for p, _ in parents]
    names = [f"{p.resource.title} v{p.number}" for p in sources]
    try:
        licensing.require_adaptation_license(
            [p.licence for p in sources], ours.licence, names=names
        )
    except licensing.LicenceConflict as exc:
        raise LicenceRefused(
            f"{exc} Your work's licence is {ours.licence}; it cannot take this update."
        ) from None
    picks = list(RemixPick.objects.filter(version=holder))
    if picks:
        tree = with_attribution(tree, resource, ours, sources, picks, update, source)
    sizes = dict(Blob.objects.filter(sha256__in=set(tree.values())).values_list("sha256", "size"))
    kept = (
        f" Kept our {', '.join(result.manifest_kept_ours)} where both changed it."
        if result.manifest_kept_ours
        else ""
    )
    version = create_version(
        resource=resource,
        manifest=result.manifest,
        tree=[TreeEntry(p, sha, sizes[sha]) for p, sha in sorted(tree.items())],
        by=by,
        changelog=f"Pulled {source.resource.title} v{source.number} "
        f"(was v{update.base.number}) into v{ours.number} by {name_of(by)}.{kept}",
        contributors=ours.contributors,
    )
    Derivation.objects.bulk_create(
        [Derivation(child=version, parent=p, kind=k) for p, k in parents]
    )
    RemixPick.objects.bulk_create(
        [
            RemixPick(
                version=version,
                source=source if p.source_id == update.base.pk else p.source,
                path=p.path,
                target=p.target,
            )
            for p in picks
        ]
    )
    return version


def with_attribution(tree, resource, ours, sources, picks, update, source) -> dict[str, str]:
    """Regenerate a remix's ATTRIBUTION.txt for its updated sources."""
    placed = [
        (source if p.source_id == update.base.pk else p.source, p.path, p.target) for p in picks
    ]
    number = (
        resource.versions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    text = remix_attribution(
        title=ours.manifest["title"],
        authors=list(ours.authors),
        licence=ours.licence,
        url=version_url(resource.institution, resource, number),
        sources=sources,
        picks=placed,
        institution=resource.institution.name,
    ).encode()
    sha, _ = blobs.put_bytes(text)
    Blob.objects.get_or_create(sha256=sha, defaults={"size": len(text)})
    return {**tree, ATTRIBUTION_PATH: sha}
