"""Bulk import: deposit every package of a folder and report each one's outcome."""

import logging
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User

from repository.actions.deposits import deposit_package
from repository.errors import DomainError
from repository.models import Institution, Version
from repository.storage.packages import PackageLimits, UnpackedPackage, unpack_package

log = logging.getLogger(__name__)

# Tool zips, H5P files, SCORM packages and Common Cartridges (.imscc): what a deposit reads
# (repository/storage/packages.py).
PACKAGE_SUFFIXES = (".zip", ".h5p", ".imscc")

DEPOSITED = "deposited"
DUPLICATE = "duplicate"
REFUSED = "refused"


@dataclass(frozen=True)
class ImportOutcome:
    """What became of one package: `status` is deposited, duplicate or refused."""

    name: str
    status: str
    message: str
    version: Version | None = None


@dataclass
class ImportReport:
    outcomes: list[ImportOutcome] = field(default_factory=list)

    def of(self, status: str) -> list[ImportOutcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def summary(self) -> str:
        counts = {s: len(self.of(s)) for s in (DEPOSITED, DUPLICATE, REFUSED)}
        return (
            f"{len(self.outcomes)} packages: {counts[DEPOSITED]} deposited, "
            f"{counts[DUPLICATE]} duplicates of existing content, {counts[REFUSED]} refused."
        )


def packages_in(folder: Path) -> list[Path]:
    """Every file under `folder` (sorted, hidden ones left out) that an import looks at, and
    every symbolic link (which import_one refuses: it may point anywhere on the machine)."""
    return sorted(
        path
        for path in folder.rglob("*")
        if (path.is_symlink() or path.is_file())
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def import_folder(
    folder: Path,
    *,
    institution: Institution,
    by: User,
    on_outcome: Callable[[int, int, ImportOutcome], None] | None = None,
) -> ImportReport:
    """Deposit each package under `folder` as a new resource of `institution`, one at a time.

    Each goes through deposit_package (same unpacking, hostile-zip checks and validation), so a
    refused package stores nothing and never stops the next one. A package whose files and
    manifest are those of a version the institution already has is reported as a duplicate
    of it and not deposited again, which makes a re-run of the same folder change nothing.
    """
    paths = packages_in(folder)
    return import_packages(
        ((str(p.relative_to(folder)), p) for p in paths),
        total=len(paths),
        institution=institution,
        by=by,
        on_outcome=on_outcome,
    )


def import_packages(
    packages: Iterable[tuple[str, Path]],
    *,
    total: int,
    institution: Institution,
    by: User,
    on_outcome: Callable[[int, int, ImportOutcome], None] | None = None,
) -> ImportReport:
    """import_folder's work for named package files, wherever they come from."""
    report = ImportReport()
    for index, (name, path) in enumerate(packages, 1):
        outcome = import_one(name, path, institution=institution, by=by)
        report.outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(index, total, outcome)
    return report


def import_one(name: str, path: Path, *, institution: Institution, by: User) -> ImportOutcome:
    if path.is_symlink():
        return ImportOutcome(
            name,
            REFUSED,
            f"Is a symbolic link (to {path.readlink()}), which an import does not follow: copy "
            "the package itself into the folder.",
        )
    if not name.lower().endswith(PACKAGE_SUFFIXES):
        return ImportOutcome(
            name,
            REFUSED,
            f"Not a package: only {', '.join(PACKAGE_SUFFIXES)} files are imported; "
            "zip a tool's folder or export the activity as H5P or SCORM.",
        )
    try:
        existing = existing_copy(path, institution)
        if existing is not None:
            return ImportOutcome(
                name,
                DUPLICATE,
                f"Same files and manifest as {existing.resource.title} v{existing.number} "
                f"({settings.SITE_URL}{existing.get_absolute_url()}); not deposited again.",
                existing,
            )
        version = deposit_package(package=path, institution=institution, by=by)
    except DomainError as exc:
        return ImportOutcome(name, REFUSED, exc.message)
    except Exception:
        # One package's unforeseen failure must not stop the others; the log keeps the trace.
        log.exception("Bulk import of %s failed", name)
        return ImportOutcome(
            name, REFUSED, "Could not be imported because of an internal error (logged)."
        )
    return ImportOutcome(
        name,
        DEPOSITED,
        f"{version.resource.title} v{version.number}: "
        f"{settings.SITE_URL}{version.get_absolute_url()}",
        version,
    )


def existing_copy(path: Path, institution: Institution) -> Version | None:
    """The institution's version whose tree (paths and blob hashes) and manifest are the package's.

    Raises PackageRefused, as a deposit would, when the package cannot be unpacked.
    """
    with tempfile.TemporaryDirectory(prefix="import-", dir=settings.FILE_UPLOAD_TEMP_DIR) as tmp:
        unpacked = unpack_package(path, Path(tmp), PackageLimits.from_settings())
    return version_with_tree(unpacked, institution)


def version_with_tree(unpacked: UnpackedPackage, institution: Institution) -> Version | None:
    tree = {(f.path, f.sha256) for f in unpacked.files}
    if not tree:
        return None
    # Narrow by one file's path and blob and by the counts before comparing whole trees.
    path, sha256 = min(tree)
    candidates = (
        Version.objects.filter(
            resource__institution=institution,
            file_count=len(tree),
            total_size=unpacked.total_size,
            files__path=path,
            files__blob_id=sha256,
        )
        .select_related("resource")
        .order_by("pk")
    )
    for version in candidates:
        if version.manifest == unpacked.manifest and tree == set(
            version.files.values_list("path", "blob_id")
        ):
            return version
    return None
