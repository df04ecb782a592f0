"""Deposit: turn an uploaded zip package into a new, immutable version."""

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from repository.access import may_publish_deposits, require_deposit
from repository.actions.versions import TreeEntry, create_resource, create_version
from repository.credit.basis import adaptation_basis, refusal
from repository.errors import PackageRefused
from repository.models import Institution, Resource, Version
from repository.storage import blobs
from repository.storage.packages import MANIFEST_NAME, PackageLimits, UnpackedFile, unpack_package
from repository.storage.parts import analyse_files


def deposit_package(
    *,
    package: Path,
    institution: Institution,
    by: User,
    resource: Resource | None = None,
    changelog: str = "",
    publish_on_pass: bool = True,
    limits: PackageLimits | None = None,
) -> Version:
    """Check and store a zip package as a new version (of `resource`, or of a new resource).

    Every check runs before a byte is stored, so a refused deposit leaves nothing behind.
    Staff deposit anything in their institution; anyone else only new versions of a draft
    they own (access.drafts_of), which never publish themselves: staff publish drafts.
    Raises PackageRefused naming what is wrong, PermissionRefused for anyone else.
    """
    if resource is not None and resource.institution_id != institution.pk:
        raise PackageRefused(f"“{resource.title}” belongs to another institution.")
    require_deposit(by, institution, resource)
    publish_on_pass = publish_on_pass and may_publish_deposits(by, institution)
    limits = limits or PackageLimits.from_settings()
    with tempfile.TemporaryDirectory(prefix="deposit-", dir=settings.FILE_UPLOAD_TEMP_DIR) as tmp:
        unpacked = unpack_package(package, Path(tmp), limits)
        manifest = unpacked.manifest
        if resource is not None and manifest["kind"] != resource.kind:
            raise PackageRefused(
                f"The manifest says kind={manifest['kind']!r} but “{resource.title}” is a "
                f"{resource.get_kind_display().lower()}; a resource keeps its kind."
            )
        if resource is not None:
            refuse_unchanged(resource, manifest, unpacked.files)
            basis = adaptation_basis(resource)
            problem = refusal(
                [licence for licence, _ in basis],
                manifest["license"],
                names=[name for _, name in basis],
            )
            if problem:
                raise PackageRefused(
                    f"“{resource.title}” adapts other works: {problem} The licence is the "
                    f'"license" field of {MANIFEST_NAME}; nothing was stored.'
                )
        analysis = analyse_files(manifest, {f.path: f.local_path for f in unpacked.files})
        if analysis.problems:
            raise PackageRefused(licensing_refusal(analysis.problems))
        # Rows are touched (and committed) before bytes are stored, so the garbage collector
        # leaves them alone; should the version's transaction fail, the unreferenced blobs
        # are removed by `manage.py collect_blobs` once their grace period is over.
        blobs.touch((f.sha256, f.size) for f in unpacked.files)
        for file in unpacked.files:
            blobs.put_file(file.local_path, file.sha256)
        tree = [TreeEntry(f.path, f.sha256, f.size) for f in unpacked.files]
        with transaction.atomic():
            if resource is None:
                resource = create_resource(institution=institution, manifest=manifest, by=by)
            return create_version(
                resource=resource,
                manifest=manifest,
                tree=tree,
                by=by,
                changelog=changelog,
                publish_on_pass=publish_on_pass,
                parts=analysis.parts.to_json(),
            )


def licensing_refusal(problems: Sequence[str]) -> str:
    """One refusal for every licensing problem, numbered when there are several."""
    if len(problems) == 1:
        return f"Licensing: {problems[0]}"
    listed = " ".join(f"({n}) {p}" for n, p in enumerate(problems, 1))
    return f"Licensing: {len(problems)} problems. {listed}"


def refuse_unchanged(
    resource: Resource, manifest: dict[str, Any], files: Sequence[UnpackedFile]
) -> None:
    """Refuse a package identical to the resource's newest version: it would add nothing."""
    latest = resource.versions.order_by("-number").first()
    if latest is None or latest.manifest != manifest:
        return
    stored = set(latest.files.values_list("path", "blob_id"))
    if stored == {(f.path, f.sha256) for f in files}:
        raise PackageRefused(
            f"Nothing changed since v{latest.number}: this package has exactly the files and "
            f"manifest of v{latest.number}. Change a file or the manifest (a changelog entry "
            "counts) before depositing it as a new version."
        )
