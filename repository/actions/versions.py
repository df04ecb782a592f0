"""Creating versions from file trees: shared by deposit, fork, remix, collection, merge and pull."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Max
from django.utils.text import slugify

from repository import queue
from repository.models import Blob, Institution, Resource, Version, VersionFile
from repository.storage.parts import analyse_blobs


@dataclass(frozen=True)
class TreeEntry:
    path: str
    sha256: str
    size: int


def author_names(manifest: dict[str, Any]) -> list[str]:
    return [a if isinstance(a, str) else a["name"] for a in manifest.get("authors", [])]


def unique_slug(institution: Institution, title: str) -> str:
    base = slugify(title)[:70] or "resource"
    slug, n = base, 2
    while Resource.objects.filter(institution=institution, slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_resource(*, institution: Institution, manifest: dict[str, Any], by: User) -> Resource:
    return Resource.objects.create(
        institution=institution,
        slug=unique_slug(institution, manifest["title"]),
        kind=manifest["kind"],
        title=manifest["title"],
        summary=manifest.get("description", ""),
        subjects=manifest.get("subjects", []),
        level=manifest.get("level", ""),
        language=manifest.get("language", ""),
        created_by=by,
    )


def create_version(
    *,
    resource: Resource,
    manifest: dict[str, Any],
    tree: Sequence[TreeEntry],
    by: User,
    changelog: str = "",
    contributors: Sequence[str] = (),
    publish_on_pass: bool = False,
    parts: dict[str, Any] | None = None,
) -> Version:
    """Add the next version of `resource` with the given tree, and queue its validation.

    The blobs named in `tree` must already be in blob storage; their rows are created here.
    `parts` is the per-file licensing (licensing.parts.PackageParts.to_json) when the caller
    has it; otherwise it is read from the stored files. Problems in it are not refused here:
    the licence step reports them.
    """
    if parts is None:
        tree_map = {e.path: e.sha256 for e in tree}
        parts = analyse_blobs(manifest, tree_map).parts.to_json()
    # Lock the resource so two versions created at once get different numbers.
    Resource.objects.select_for_update().filter(pk=resource.pk).first()
    latest = resource.versions.aggregate(n=Max("number"))["n"] or 0
    version = Version.objects.create(
        resource=resource,
        number=latest + 1,
        licence=manifest["license"],
        authors=author_names(manifest),
        contributors=list(contributors),
        changelog=changelog or manifest.get("changelog", ""),
        manifest=manifest,
        parts=parts,
        publish_on_pass=publish_on_pass,
        file_count=len(tree),
        total_size=sum(e.size for e in tree),
        created_by=by,
    )
    Blob.objects.bulk_create(
        [Blob(sha256=e.sha256, size=e.size) for e in tree], ignore_conflicts=True
    )
    VersionFile.objects.bulk_create(
        [VersionFile(version=version, path=e.path, blob_id=e.sha256) for e in tree]
    )
    queue.enqueue_validation(version.pk)
    return version


def tree_of(version: Version) -> list[TreeEntry]:
    """The version's files as TreeEntry rows (path, hash, size), as create_version takes them."""
    return [
        TreeEntry(path, sha, size)
        for path, sha, size in version.files.values_list("path", "blob_id", "blob__size")
    ]
