"""`manage.py load_demo`: demo institutions, people, a tool, a scenario and a cross-institution fork.

Idempotent: does nothing when the demo is already loaded.
"""

import json
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from repository.actions.deposits import deposit_package
from repository.actions.forks import fork_version
from repository.actions.validation import validate_version
from repository.models import Institution, Membership, Resource, Version

DEMO_PASSWORD = "remixbank-demo"  # noqa: S105 - published in the README for the demo only
DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
SCENARIO_DIR = Path(settings.BASE_DIR) / "sims" / "examples"

INSTITUTIONS = [
    ("northfield", "Northfield University", ["northfield.ac.uk"]),
    ("southbank", "Southbank College", ["southbank.ac.uk"]),
    ("lakeside", "Lakeside Schools", ["lakeside.gov.uk"]),
]
PEOPLE = [
    ("alice@northfield.ac.uk", "Alice Hart", "northfield", Membership.Role.ADMIN),
    ("bob@northfield.ac.uk", "Bob Marsh", "northfield", Membership.Role.STAFF),
    ("charlie@northfield.ac.uk", "Charlie Reed", "northfield", Membership.Role.STUDENT),
    ("dana@southbank.ac.uk", "Dana Okafor", "southbank", Membership.Role.STAFF),
    ("frank@southbank.ac.uk", "Frank Li", "southbank", Membership.Role.STUDENT),
    ("erin@lakeside.gov.uk", "Erin Walsh", "lakeside", Membership.Role.STAFF),
]
SCENARIO_MANIFEST: dict[str, Any] = {
    "kind": "scenario",
    "title": "Solar tracker on a hill",
    "description": "Steer a solar panel on a hillside with two light sensors: the difference between "
    "their signals is the orientation error. Compare your controller with a fixed panel and an "
    "ideal tracker over a clear day.",
    "license": "CC-BY-4.0",
    "authors": ["Dana Okafor"],
    "language": "en",
    "subjects": ["physics", "engineering", "programming"],
    "level": "undergraduate",
}


def zip_folder(folder: Path, target: Path, manifest: dict[str, Any] | None = None) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(folder).as_posix())
        if manifest is not None:
            archive.writestr("remixbank.json", json.dumps(manifest, indent=2))
    return target


def scenario_manifest() -> dict[str, Any] | None:
    scenarios = sorted(SCENARIO_DIR.glob("*.json")) if SCENARIO_DIR.is_dir() else []
    solar = [p for p in scenarios if "solar" in p.name] or scenarios
    if not solar:
        return None
    return {**SCENARIO_MANIFEST, "entry_point": solar[0].name}


class Command(BaseCommand):
    help = "Load demo institutions, people and content (each part skipped when already there)."

    def handle(self, *args: object, **options: object) -> None:
        if Resource.objects.filter(institution__slug="lakeside").exists():
            self.stdout.write("Demo content already loaded.")
            return
        # Every stage finds what an interrupted earlier run made, so running again completes it.
        with transaction.atomic():
            people = self.create_people()
        with tempfile.TemporaryDirectory() as tmp:
            tool = self.original(
                "northfield",
                people["bob@northfield.ac.uk"],
                lambda: zip_folder(DEMO_DIR / "sun-path-explorer", Path(tmp) / "tool.zip"),
            )
            manifest = scenario_manifest()
            if manifest is not None:
                self.original(
                    "southbank",
                    people["dana@southbank.ac.uk"],
                    lambda: zip_folder(SCENARIO_DIR, Path(tmp) / "scenario.zip", manifest),
                )
        if tool.state != Version.State.PUBLISHED:
            raise CommandError(
                f"The demo tool did not pass validation ({tool.get_state_display()}); see its page."
            )
        fork_version(
            tool,
            into=Institution.objects.get(slug="lakeside"),
            by=people["erin@lakeside.gov.uk"],
            title="Sun path explorer (Lakeside edition)",
        )
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))

    def original(self, slug: str, by: Any, package: Callable[[], Path]) -> Version:
        """The institution's demo original, deposited and validated here if not there yet.

        Validated in this process so the fork can start from a published version; the fork
        itself is validated by the worker, as every new version is.
        """
        version = Version.objects.filter(resource__institution__slug=slug).order_by("pk").first()
        if version is None:
            version = deposit_package(
                package=package(), institution=Institution.objects.get(slug=slug), by=by
            )
        validate_version(version.pk)
        version.refresh_from_db()
        return version

    def create_people(self) -> dict[str, Any]:
        institutions = {
            slug: Institution.objects.get_or_create(
                slug=slug, defaults={"name": name, "email_domains": domains}
            )[0]
            for slug, name, domains in INSTITUTIONS
        }
        people = {}
        for email, name, slug, role in PEOPLE:
            user = get_user_model().objects.filter(username=email).first()
            if user is None:
                user = get_user_model().objects.create_user(
                    username=email, email=email, password=DEMO_PASSWORD, first_name=name
                )
            if role == Membership.Role.ADMIN:
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            Membership.objects.get_or_create(
                user=user, institution=institutions[slug], defaults={"role": role}
            )
            people[email] = user
        return people
