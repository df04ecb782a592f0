"""`manage.py verify_store`: check every blob's bytes and every version's tree; exit 1 if any is wrong."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from repository.storage.verify import Totals, check_store


class Command(BaseCommand):
    help = (
        "Check every stored blob against its SHA-256 and every version's tree against the blob "
        "store; list what is missing or damaged (version, path, blob) and exit 1 if anything is. "
        "Run it after a restore."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--quick",
            action="store_true",
            help="Check that each blob is present with its recorded size; do not read bytes.",
        )

    def handle(self, *args: object, **options: object) -> None:
        quick = bool(options["quick"])
        totals = Totals()
        for problem in check_store(quick=quick, totals=totals):
            self.stdout.write(str(problem))
        what = "present" if quick else "checked against their SHA-256"
        summary = (
            f"{totals.blobs} blob(s) ({totals.bytes} bytes) {what}; "
            f"{totals.files} version file(s) in the trees."
        )
        if totals.problems:
            # CommandError prints to stderr and makes manage.py exit 1.
            raise CommandError(
                f"{totals.problems} problem(s) found. {summary} Restore the blobs named above "
                "from the blob store's backup (deploy/backup.md), then run verify_store again."
            )
        self.stdout.write(f"Store OK: {summary}")
