"""`manage.py deposit PACKAGE.zip --institution SLUG --user EMAIL [--wait]`: deposit from the command line."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from repository.actions.deposits import deposit_package
from repository.errors import DomainError
from repository.management.depositor import depositor
from repository.models import Resource, ValidationStep, Version
from repository.validation.verdicts import EXIT_CODES, Verdict, latest_run, verdict_of


class Command(BaseCommand):
    help = (
        "Deposit a zip package as a new version and print its address. With --wait, follow "
        "validation step by step and exit 0 when it passed, 1 failed, 2 not run, "
        "3 could not finish, 4 still running at --timeout."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("package", type=Path)
        parser.add_argument("--institution", required=True, help="slug of the institution")
        parser.add_argument("--user", required=True, help="e-mail of a staff member")
        parser.add_argument("--resource", help="slug of an existing resource to add a version to")
        parser.add_argument("--changelog", default="")
        parser.add_argument("--no-publish", action="store_true", help="do not publish on pass")
        parser.add_argument(
            "--wait", action="store_true", help="follow validation until its verdict"
        )
        parser.add_argument(
            "--timeout", type=float, default=900, help="seconds --wait waits (default 900)"
        )

    def handle(self, *args: object, **options: object) -> None:
        package = options["package"]
        assert isinstance(package, Path)
        if not package.is_file():
            raise CommandError(f"{package} is not a file.")
        institution, user = depositor(options)
        resource = None
        if options["resource"]:
            resource = Resource.objects.filter(
                institution=institution, slug=options["resource"]
            ).first()
            if resource is None:
                raise CommandError(f"{institution.name} has no resource {options['resource']!r}.")
        try:
            version = deposit_package(
                package=package,
                institution=institution,
                by=user,
                resource=resource,
                changelog=str(options["changelog"]),
                publish_on_pass=not options["no_publish"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        # Queued even when the broker is down: the outbox sends it later (repository/queue.py).
        self.stdout.write(
            f"Deposited {version.resource.title} v{version.number}; validation queued: "
            f"{settings.SITE_URL}{version.get_absolute_url()}"
        )
        if options["wait"]:
            timeout = options["timeout"]
            assert isinstance(timeout, float)
            verdict = self.follow(version, timeout=timeout)
            if verdict != Verdict.PASSED:
                raise CommandError(f"Validation: {verdict}.", returncode=EXIT_CODES[verdict])

    def follow(self, version: Version, *, timeout: float) -> Verdict:
        """Print each validation step as it is recorded; return the verdict (or pending)."""
        deadline = time.monotonic() + timeout
        shown: set[int] = set()
        while True:
            version.refresh_from_db()
            run = latest_run(version)
            steps = list(run.steps.order_by("position")) if run else []
            for step in steps:
                if step.pk not in shown:
                    shown.add(step.pk)
                    self.stdout.write(self.step_line(step))
            verdict = verdict_of(version, run)
            if verdict != Verdict.PENDING:
                self.stdout.write(f"Verdict: {verdict} ({version.get_state_display().lower()})")
                return verdict
            if time.monotonic() > deadline:
                self.stdout.write(
                    f"Still validating after {timeout:g} s; follow it at "
                    f"{settings.SITE_URL}{version.get_absolute_url()}"
                )
                return Verdict.PENDING
            time.sleep(1)

    @staticmethod
    def step_line(step: ValidationStep) -> str:
        first = step.messages[0] if step.messages else ""
        line = f"  {step.name}: {step.get_status_display().lower()} ({step.duration_ms} ms)"
        return f"{line} {first}" if first else line
