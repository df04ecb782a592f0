"""Contributions: propose a new tree against a version, review it, merge it into a new version.

Validation of a proposal (the choice made here): when proposed or revised, the proposed tree
runs the pipeline's own "checks" steps (repository/validation/steps.py: package, licence, content)
in the request, through a stand-in with a version's shape, and the verdict is kept on the
contribution. The steps that run the content (sandboxed scenario, headless browser) are not
run on proposals; they run on the version that merging creates, which goes through the full
pipeline like every version (and is published when it passes). Merging is refused unless the
proposal's checks passed.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from repository.access import (
    AnyUser,
    can_view,
    contribution_refusal,
    is_staff_of,
    may_contribute,
    require_in_circulation,
    require_staff,
)
from repository.actions import notifications
from repository.actions.notifications import name_of
from repository.actions.upstream import head_of
from repository.actions.versions import TreeEntry, create_version, tree_of
from repository.errors import DomainError, InvalidTransition, PackageRefused, PermissionRefused
from repository.guards import safejson
from repository.models import (
    Blob,
    Contribution,
    ContributionFile,
    Derivation,
    Resource,
    Review,
    Version,
)
from repository.storage import blobs
from repository.storage.packages import (
    MANIFEST_NAME,
    PackageLimits,
    check_unique_paths,
    unpack_package,
)
from repository.trees.merges import (
    MergeResult,
    Resolution,
    apply_resolutions,
    checked_path,
    merge_manifests,
    merge_trees,
)
from repository.validation.steps import FAILED, steps_for

State = Contribution.State


def can_contribute(user: AnyUser, resource: Resource) -> bool:
    """Whether `resource.contribution_policy` lets `user` propose changes (see access)."""
    return may_contribute(user, resource)


def require_contributor(user: AnyUser, resource: Resource) -> None:
    if not may_contribute(user, resource):
        raise PermissionRefused(contribution_refusal(user, resource))


@dataclass
class ProposedTree:
    """The proposal in a version's shape, so the pipeline's check steps can read it."""

    contribution: Contribution

    def __getattr__(self, name: str) -> Any:
        return getattr(self.contribution, name)

    @property
    def files(self):
        return self.contribution.files

    @property
    def number(self) -> int:
        """The proposal is checked as the version it would follow (its sources are the base's)."""
        return self.contribution.base.number

    @property
    def items(self):
        """A proposal to a collection is checked as the collection it would change."""
        return self.contribution.base.items

    @property
    def file_count(self) -> int:
        return self.contribution.files.count()

    @property
    def total_size(self) -> int:
        return sum(self.contribution.files.values_list("blob__size", flat=True))


def check_contribution(contribution: Contribution) -> Contribution:
    """Run the deposit checks on the proposed tree and record the verdict on the contribution."""
    messages: list[str] = []
    failed = False
    if contribution.licence != contribution.base.licence:
        failed = True
        messages.append(
            f"licence: A contribution keeps the work's licence ({contribution.base.licence}), "
            f"but the proposal says {contribution.licence}; change remixbank.json back."
        )
    proxy = ProposedTree(contribution)
    for step in steps_for(contribution.base):
        if step.runs_content or step.check is None:
            continue
        outcome = step.check(proxy)  # type: ignore[arg-type]
        failed = failed or outcome.status == FAILED
        messages.extend(f"{step.name}: {m}" for m in outcome.messages)
    state = Contribution.CheckState.FAILED if failed else Contribution.CheckState.PASSED
    Contribution.objects.filter(pk=contribution.pk).update(
        check_state=state, check_messages=messages
    )
    contribution.check_state, contribution.check_messages = state, messages
    return contribution


def tree_from_package(package: Path, resource: Resource) -> tuple[dict[str, Any], list[TreeEntry]]:
    """Unpack a proposal's zip with the deposit limits and store its blobs."""
    with tempfile.TemporaryDirectory(prefix="contrib-", dir=settings.FILE_UPLOAD_TEMP_DIR) as tmp:
        unpacked = unpack_package(package, Path(tmp), PackageLimits.from_settings())
        if unpacked.manifest["kind"] != resource.kind:
            raise PackageRefused(
                f"The manifest says kind={unpacked.manifest['kind']!r} but “{resource.title}” "
                f"is a {resource.get_kind_display().lower()}; a resource keeps its kind."
            )
        for file in unpacked.files:
            blobs.put_file(file.local_path, file.sha256)
        return unpacked.manifest, [TreeEntry(f.path, f.sha256, f.size) for f in unpacked.files]


def tree_from_edits(
    entries: list[TreeEntry], manifest: dict[str, Any], edits: Mapping[str, bytes | None]
) -> tuple[dict[str, Any], list[TreeEntry]]:
    """Apply browser edits to a tree: path → new bytes, or None to remove the file.

    Editing remixbank.json replaces the manifest (it must be a JSON object).
    """
    tree = {e.path: e for e in entries}
    manifest = dict(manifest)
    # Before any bytes are stored: no edit may add a twin of a path that stays (STRASSE/straße).
    removed = {checked_path(p) for p, content in edits.items() if content is None}
    added = {checked_path(p) for p, content in edits.items() if content is not None}
    check_unique_paths(sorted((set(tree) - removed) | added))
    for raw, content in edits.items():
        path = checked_path(raw)
        if path == MANIFEST_NAME:
            try:
                manifest = safejson.loads((content or b"").decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise PackageRefused(f"{MANIFEST_NAME} is not valid JSON: {exc}.") from None
            if not isinstance(manifest, dict):
                raise PackageRefused(f"{MANIFEST_NAME} must be a JSON object.")
            continue
        if content is None:
            if path not in tree:
                raise PackageRefused(f"{path} is not in the tree, so it cannot be removed.")
            del tree[path]
            continue
        sha, _ = blobs.put_bytes(content)
        tree[path] = TreeEntry(path, sha, len(content))
    return manifest, list(tree.values())


def proposed_tree(
    resource: Resource,
    current: tuple[dict[str, Any], list[TreeEntry]],
    package: Path | None,
    edits: Mapping[str, bytes | None] | None,
) -> tuple[dict[str, Any], list[TreeEntry]]:
    """The tree a proposal (or revision) makes: from a package, or edits over `current`."""
    if (package is None) == (not edits):
        raise PackageRefused(
            "Propose a change either by uploading a package or by editing files, not both "
            "and not neither."
        )
    if package is not None:
        return tree_from_package(package, resource)
    return tree_from_edits(current[1], current[0], edits or {})


def store_tree(contribution: Contribution, tree: list[TreeEntry]) -> None:
    Blob.objects.bulk_create(
        [Blob(sha256=e.sha256, size=e.size) for e in tree], ignore_conflicts=True
    )
    ContributionFile.objects.bulk_create(
        [ContributionFile(contribution=contribution, path=e.path, blob_id=e.sha256) for e in tree]
    )


def refuse_no_change(base_manifest: dict, base_tree: list[TreeEntry], manifest, tree) -> None:
    same_tree = {(e.path, e.sha256) for e in base_tree} == {(e.path, e.sha256) for e in tree}
    if same_tree and manifest == base_manifest:
        raise PackageRefused("The proposal changes nothing; edit or upload something different.")


@transaction.atomic
def propose_contribution(
    *,
    base: Version,
    by: User,
    description: str,
    package: Path | None = None,
    edits: Mapping[str, bytes | None] | None = None,
) -> Contribution:
    """Propose a new tree for `base`'s resource: a package zip, or edits of `base`'s files.

    Checks the tree at once (see the module docstring) and tells the resource's staff.
    Raises PermissionRefused when the resource's contribution policy excludes `by` or `by`
    cannot see `base`; PackageRefused for a bad package, bad edits or no change at all.
    """
    resource = base.resource
    if not can_view(by, base):
        raise PermissionRefused("You cannot see this version, so you cannot propose changes to it.")
    require_in_circulation(base)
    require_contributor(by, resource)
    if not description.strip():
        raise PackageRefused("Describe the change, so reviewers know what it is for.")
    base_tree = tree_of(base)
    manifest, tree = proposed_tree(resource, (base.manifest, base_tree), package, edits)
    refuse_no_change(base.manifest, base_tree, manifest, tree)
    contribution = Contribution.objects.create(
        resource=resource, base=base, author=by, description=description.strip(), manifest=manifest
    )
    store_tree(contribution, tree)
    check_contribution(contribution)
    notifications.notify_contribution_opened(contribution)
    return contribution


@transaction.atomic
def revise_contribution(
    contribution: Contribution,
    *,
    by: User,
    package: Path | None = None,
    edits: Mapping[str, bytes | None] | None = None,
    note: str = "",
) -> Contribution:
    """Replace the proposed tree (the author, while open or after changes were requested).

    The contribution becomes open again and is checked again; an approval no longer holds.
    """
    if contribution.author_id != by.pk:
        raise PermissionRefused("Only the author of a contribution may revise it.")
    current = (
        contribution.manifest,
        [
            TreeEntry(p, sha, size)
            for p, sha, size in contribution.files.values_list("path", "blob_id", "blob__size")
        ],
    )
    manifest, tree = proposed_tree(contribution.resource, current, package, edits)
    contribution.move(
        from_states=[State.OPEN, State.CHANGES_REQUESTED, State.APPROVED],
        to=State.OPEN,
        manifest=manifest,
        check_state=Contribution.CheckState.PENDING,
    )
    contribution.files.all().delete()
    store_tree(contribution, tree)
    check_contribution(contribution)
    review = Review.objects.create(
        contribution=contribution, author=by, kind=Review.Kind.REVISED, body=note
    )
    notifications.notify_contribution_reviewed(contribution, review)
    return contribution


def can_review(user: AnyUser, contribution: Contribution) -> bool:
    return is_staff_of(user, contribution.resource.institution)


@transaction.atomic
def comment_on_contribution(contribution: Contribution, *, by: User, body: str) -> Review:
    """Add a comment (the author or the resource's staff). Raises PermissionRefused, DomainError."""
    if not Contribution.objects.visible_to(by).filter(pk=contribution.pk).exists():
        raise PermissionRefused("Only the author and the resource's staff may comment here.")
    if not body.strip():
        raise DomainError("Write something to comment.")
    review = Review.objects.create(
        contribution=contribution, author=by, kind=Review.Kind.COMMENT, body=body.strip()
    )
    notifications.notify_contribution_reviewed(contribution, review)
    return review


def review_step(
    contribution: Contribution,
    by: User,
    kind: str,
    body: str,
    from_states,
    to: str,
) -> Review:
    require_staff(by, contribution.resource.institution, "review contributions")
    contribution.move(from_states=from_states, to=to)
    review = Review.objects.create(contribution=contribution, author=by, kind=kind, body=body)
    notifications.notify_contribution_reviewed(contribution, review)
    return review


@transaction.atomic
def request_changes(contribution: Contribution, *, by: User, body: str) -> Review:
    """Ask the author for changes (staff). Raises PermissionRefused, InvalidTransition."""
    if not body.strip():
        raise DomainError("Say which changes you need, so the author can make them.")
    return review_step(
        contribution,
        by,
        Review.Kind.CHANGES_REQUESTED,
        body.strip(),
        [State.OPEN, State.APPROVED],
        State.CHANGES_REQUESTED,
    )


@transaction.atomic
def reject_contribution(contribution: Contribution, *, by: User, body: str = "") -> Review:
    """Close the contribution without merging (staff). Raises PermissionRefused, InvalidTransition."""
    return review_step(
        contribution,
        by,
        Review.Kind.REJECTED,
        body.strip(),
        list(Contribution.OPEN_STATES),
        State.REJECTED,
    )


def require_checks_passed(contribution: Contribution) -> None:
    if contribution.check_state == Contribution.CheckState.PASSED:
        return
    if contribution.check_state == Contribution.CheckState.PENDING:
        raise InvalidTransition(
            f"Contribution #{contribution.pk} is still being checked; wait for the checks to finish."
        )
    raise InvalidTransition(
        f"Contribution #{contribution.pk} failed its checks "
        f"({'; '.join(contribution.check_messages) or 'see the contribution page'}); "
        "the author must revise it before it can be approved or merged."
    )


@transaction.atomic
def approve_contribution(contribution: Contribution, *, by: User, body: str = "") -> Review:
    """Approve the proposal (staff), once its checks passed; merging is the next step."""
    require_staff(by, contribution.resource.institution, "review contributions")
    require_checks_passed(contribution)
    return review_step(
        contribution,
        by,
        Review.Kind.APPROVED,
        body.strip(),
        [State.OPEN, State.CHANGES_REQUESTED],
        State.APPROVED,
    )


def contribution_tree(contribution: Contribution) -> dict[str, str]:
    return dict(contribution.files.values_list("path", "blob_id"))


def plan_merge(contribution: Contribution) -> tuple[Version, MergeResult]:
    """The merge of the proposal into the resource's head, without writing anything.

    When the head is still the base, the proposal is taken as it is; otherwise a three-way
    merge with the base as common ancestor (the resource moved on since the proposal).
    """
    head = head_of(contribution.resource)
    if head is None:
        raise DomainError(f"{contribution.resource.title} has no version to merge into.")
    theirs = contribution_tree(contribution)
    if head.pk == contribution.base_id:
        return head, MergeResult(theirs, [], dict(contribution.manifest))
    base = contribution.base
    result = merge_trees(
        dict(base.files.values_list("path", "blob_id")),
        dict(head.files.values_list("path", "blob_id")),
        theirs,
    )
    result.manifest, result.manifest_kept_ours = merge_manifests(
        base.manifest, head.manifest, contribution.manifest
    )
    return head, result


@transaction.atomic
def merge_contribution(
    contribution: Contribution,
    *,
    by: User,
    resolutions: Mapping[str, Resolution] | None = None,
) -> Version:
    """Merge an approved contribution into a new version that lists its author as contributor.

    The new version gets Derivation(merge) to the contribution's base and is validated and
    published by the pipeline. Raises PermissionRefused (not staff), InvalidTransition (not
    approved), DomainError (checks failed or still running), MergeConflict (the resource moved
    on and paths changed on both sides are not settled by `resolutions`).
    """
    require_staff(by, contribution.resource.institution, "merge contributions")
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if contribution.state != State.APPROVED:
        raise InvalidTransition(
            f"Contribution #{contribution.pk} is {contribution.get_state_display().lower()}; "
            "only an approved contribution can be merged. Approve it first."
        )
    require_checks_passed(contribution)
    head, result = plan_merge(contribution)
    tree = apply_resolutions(result, resolutions or {})
    sizes = dict(Blob.objects.filter(sha256__in=set(tree.values())).values_list("sha256", "size"))
    contributor = name_of(contribution.author)
    first_line = contribution.description.splitlines()[0][:200]
    kept = (
        f" Kept v{head.number}'s {', '.join(result.manifest_kept_ours)}."
        if result.manifest_kept_ours
        else ""
    )
    version = create_version(
        resource=contribution.resource,
        manifest=result.manifest,
        tree=[TreeEntry(p, sha, sizes[sha]) for p, sha in sorted(tree.items())],
        by=by,
        changelog=f"Merged contribution #{contribution.pk} by {contributor}: {first_line}{kept}",
        contributors=list(dict.fromkeys([*head.contributors, contributor])),
        publish_on_pass=True,
    )
    Derivation.objects.create(child=version, parent=contribution.base, kind=Derivation.Kind.MERGE)
    contribution.move(from_states=[State.APPROVED], to=State.MERGED, merged_version=version)
    Review.objects.create(
        contribution=contribution, author=by, kind=Review.Kind.MERGED, body=f"v{version.number}"
    )
    notifications.notify_contribution_merged(contribution, version)
    return version
