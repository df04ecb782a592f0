"""`manage.py import_folder PATH --institution SLUG --user EMAIL`: deposit a folder of packages."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from repository.actions.imports import DEPOSITED, DUPLICATE, REFUSED, ImportOutcome, import_folder
from repository.management.depositor import depositor


class Command(BaseCommand):
    help = (
        "Deposit every package under a folder (tool zips, .h5p files, SCORM zips, .imscc cartridges) as new "
        "resources, printing each one's outcome and a final report. Packages already deposited "
        "with the same files are reported as duplicates, so a re-run changes nothing. Exits 1 "
        "when any package was refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument("--institution", required=True, help="slug of the institution")
        parser.add_argument("--user", required=True, help="e-mail of a staff member")

    def handle(self, *args: object, **options: object) -> None:
        folder = options["folder"]
        assert isinstance(folder, Path)
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder; give the folder holding the packages.")
        institution, user = depositor(options)
        report = import_folder(folder, institution=institution, by=user, on_outcome=self.progress)
        self.stdout.write("")
        for status, heading in (
            (DEPOSITED, "Deposited"),
            (DUPLICATE, "Duplicates of existing content"),
            (REFUSED, "Refused"),
        ):
            outcomes = report.of(status)
            if outcomes:
                self.stdout.write(f"{heading} ({len(outcomes)}):")
                for outcome in outcomes:
                    self.stdout.write(f"  {outcome.name}: {outcome.message}")
        self.stdout.write(report.summary)
        if report.of(REFUSED):
            raise CommandError(f"{len(report.of(REFUSED))} packages were refused; see above.")

    def progress(self, index: int, total: int, outcome: ImportOutcome) -> None:
        self.stdout.write(f"[{index}/{total}] {outcome.name}: {outcome.status}")
