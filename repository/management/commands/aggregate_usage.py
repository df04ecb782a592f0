"""Count the finished days' usage events into daily counts (what Celery beat runs hourly)."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from repository.actions.usage import aggregate_usage


class Command(BaseCommand):
    help = (
        "Count every usage event of a finished day (UTC) into daily counts per version, then "
        "delete those events and the day's salt. Safe to run at any time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--before",
            help="count the days before this one (YYYY-MM-DD, at most today; default today)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        before = None
        if options["before"]:
            try:
                before = date.fromisoformat(options["before"])
            except ValueError:
                raise CommandError(
                    f"--before {options['before']!r} is not a date: give it as YYYY-MM-DD."
                ) from None
            if before > timezone.now().date():
                raise CommandError(
                    f"--before {before} is in the future: today's events are still coming in."
                )
        counted = aggregate_usage(before=before)
        self.stdout.write(f"Counted {counted} usage event(s).")
