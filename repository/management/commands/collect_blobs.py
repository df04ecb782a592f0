"""`manage.py collect_blobs`: delete stored files that no version uses any more."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import ProtectedError
from django.utils import timezone

from repository import blobstore
from repository.models import Blob


class Command(BaseCommand):
    help = "Delete blobs no version references (older than --grace-hours, default 24)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--grace-hours", type=float, default=24.0)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        grace = timedelta(hours=float(options["grace_hours"]))  # type: ignore[arg-type]
        cutoff = timezone.now() - grace
        # The grace period protects blobs a deposit stored moments ago but has not yet
        # referenced (repository/actions/deposits.py stores bytes before rows).
        unused = Blob.objects.filter(
            uses__isnull=True, contribution_uses__isnull=True, created_at__lt=cutoff
        )
        removed = 0
        for sha in unused.values_list("sha256", flat=True).iterator():
            if options["dry_run"]:
                self.stdout.write(f"would delete {sha}")
                continue
            try:
                # VersionFile.blob is PROTECT: a tree that gained this blob meanwhile wins.
                deleted, _ = Blob.objects.filter(
                    sha256=sha, uses__isnull=True, contribution_uses__isnull=True
                ).delete()
            except ProtectedError:
                continue
            if deleted:
                blobstore.delete_blob(sha)
                removed += 1
        removed += self.delete_unrecorded_files(cutoff, bool(options["dry_run"]))
        self.stdout.write(
            f"{removed} unused blob(s) {'found' if options['dry_run'] else 'deleted'}."
        )

    def delete_unrecorded_files(self, cutoff: object, dry_run: bool) -> int:
        """Files in storage without a Blob row: left by a deposit whose transaction failed."""
        storage = blobstore.blob_storage()
        known = set(Blob.objects.values_list("sha256", flat=True))
        removed = 0
        for first in storage.listdir("")[0]:
            for second in storage.listdir(first)[0]:
                for name in storage.listdir(f"{first}/{second}")[1]:
                    path = f"{first}/{second}/{name}"
                    if name in known or storage.get_modified_time(path) >= cutoff:
                        continue
                    if dry_run:
                        self.stdout.write(f"would delete unrecorded {name}")
                    else:
                        storage.delete(path)
                    removed += 1
        return removed
