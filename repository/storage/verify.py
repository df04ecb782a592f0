"""Checking the blob store against the database: every blob's bytes and every version's tree."""

from collections.abc import Iterator
from dataclasses import dataclass

from repository.errors import BlobCorrupted
from repository.models import Blob, ContributionFile, VersionFile
from repository.models.blobs import storage_name
from repository.storage import blobs

MISSING = "missing"
DAMAGED = "damaged"
NO_ROW = "no blob row"


@dataclass(frozen=True)
class Problem:
    """One blob that is not as recorded, and one place (version + path) that needs it."""

    kind: str  # MISSING, DAMAGED or NO_ROW
    sha256: str
    where: str = ""  # "northfield/counter v2" or "contribution 7"; "" when nothing uses it
    path: str = ""

    def __str__(self) -> str:
        used = f"{self.where} {self.path}" if self.where else "(used by no version)"
        return f"{self.kind.upper()}: {used} blob {self.sha256}"


@dataclass
class Totals:
    blobs: int = 0
    bytes: int = 0
    files: int = 0
    problems: int = 0


def check_store(*, quick: bool = False, totals: Totals | None = None) -> Iterator[Problem]:
    """Yield every problem in the store, one blob at a time (bounded memory at any size).

    Full check: each blob is streamed through its SHA-256 (blobs.iter_blob). `quick`: each
    blob's presence and size only. Then every version's tree is checked for paths whose blob
    has no row (a partial restore). `totals`, when given, is filled in as the check goes.
    """
    totals = totals if totals is not None else Totals()
    for sha, size in Blob.objects.order_by("sha256").values_list("sha256", "size").iterator():
        totals.blobs += 1
        totals.bytes += size
        kind = blob_problem(sha, size, quick=quick)
        if kind is not None:
            for problem in places_needing(sha, kind):
                totals.problems += 1
                yield problem
    # VersionFile.blob is a foreign key, but a data-only or partial restore can bypass it.
    orphans = VersionFile.objects.exclude(blob_id__in=Blob.objects.values("sha256"))
    for row in orphans.select_related("version__resource__institution").iterator():
        totals.problems += 1
        yield Problem(NO_ROW, row.blob_id, version_address(row), row.path)
    totals.files = VersionFile.objects.count()


def blob_problem(sha256: str, size: int, *, quick: bool) -> str | None:
    storage = blobs.blob_storage()
    name = storage_name(sha256)
    if not storage.exists(name):
        return MISSING
    if quick:
        return None if storage.size(name) == size else DAMAGED
    try:
        for _chunk in blobs.iter_blob(sha256):
            pass
    except BlobCorrupted:
        return DAMAGED
    except FileNotFoundError:  # deleted between exists() and open()
        return MISSING
    return None


def places_needing(sha256: str, kind: str) -> Iterator[Problem]:
    """Every version path and contribution path that uses this blob, or the blob alone."""
    found = False
    rows = (
        VersionFile.objects.filter(blob_id=sha256)
        .select_related("version__resource__institution")
        .order_by("version_id", "path")
    )
    for row in rows.iterator():
        found = True
        yield Problem(kind, sha256, version_address(row), row.path)
    proposed = ContributionFile.objects.filter(blob_id=sha256).order_by("contribution_id", "path")
    for contribution_id, path in proposed.values_list("contribution_id", "path").iterator():
        found = True
        yield Problem(kind, sha256, f"contribution {contribution_id}", path)
    if not found:  # a validation artefact, or bytes collect_blobs has not yet removed
        yield Problem(kind, sha256)


def version_address(row: VersionFile) -> str:
    version = row.version
    return f"{version.resource.institution.slug}/{version.resource.slug} v{version.number}"
