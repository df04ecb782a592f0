"""`manage.py collect_blobs`: delete stored files that no version uses any more."""

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.core.files.storage import Storage
from django.core.management.base import BaseCommand, CommandParser
from django.db.models import ProtectedError
from django.utils import timezone

from repository.models import Blob, ValidationStep, VariantRun
from repository.storage import blobs


class Command(BaseCommand):
    help = "Delete blobs no version references (older than --grace-hours, default 24)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--grace-hours", type=float, default=24.0)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        grace = timedelta(hours=float(options["grace_hours"]))  # type: ignore[arg-type]
        cutoff = timezone.now() - grace
        # The grace period protects blobs a deposit touched moments ago but has not yet
        # referenced (repository/actions/deposits.py touches rows, stores bytes, then refers).
        artefacts = artefact_hashes()
        unused = Blob.objects.filter(
            uses__isnull=True, contribution_uses__isnull=True, last_seen__lt=cutoff
        ).exclude(sha256__in=artefacts)
        removed = 0
        for sha in unused.values_list("sha256", flat=True).iterator():
            if options["dry_run"]:
                self.stdout.write(f"would delete {sha}")
                continue
            try:
                # VersionFile.blob is PROTECT: a tree that gained this blob meanwhile wins.
                deleted, _ = Blob.objects.filter(
                    sha256=sha,
                    uses__isnull=True,
                    contribution_uses__isnull=True,
                    last_seen__lt=cutoff,
                ).delete()
            except ProtectedError:
                continue
            if deleted:
                blobs.delete_blob(sha)
                removed += 1
        removed += self.delete_unrecorded_files(cutoff, artefacts, bool(options["dry_run"]))
        self.stdout.write(
            f"{removed} unused blob(s) {'found' if options['dry_run'] else 'deleted'}."
        )

    def delete_unrecorded_files(self, cutoff: datetime, artefacts: set[str], dry_run: bool) -> int:
        """Files in storage without a Blob row (left before rows were touched first)."""
        storage = blobs.blob_storage()
        known = set(Blob.objects.values_list("sha256", flat=True)) | artefacts
        removed = 0
        for path, name in stored_files(storage):
            if name in known or storage.get_modified_time(path) >= cutoff:
                continue
            if dry_run:
                self.stdout.write(f"would delete unrecorded {name}")
                continue
            # Looked up again just before deleting: a deposit may have touched it meanwhile.
            if not Blob.objects.filter(sha256=name).exists():
                storage.delete(path)
                removed += 1
        return removed


def stored_files(storage: Storage) -> Iterator[tuple[str, str]]:
    """(path, name) of every file in the blob storage's two-level fan-out."""
    try:
        firsts = storage.listdir("")[0]
    except FileNotFoundError:  # a fresh install has no blob folder yet
        return
    for first in firsts:
        for second in storage.listdir(first)[0]:
            for name in storage.listdir(f"{first}/{second}")[1]:
                yield f"{first}/{second}/{name}", name


def artefact_hashes() -> set[str]:
    """Blobs that validation and variant runs refer to (screenshots, plots, metrics)."""
    found = set()
    for artefacts in ValidationStep.objects.exclude(artefacts={}).values_list(
        "artefacts", flat=True
    ):
        if "screenshot" in artefacts:
            found.add(artefacts["screenshot"])
        found.update(f["sha256"] for f in artefacts.get("files", []))
    for files in VariantRun.objects.exclude(files=[]).values_list("files", flat=True):
        found.update(f["sha256"] for f in files)
    return found
