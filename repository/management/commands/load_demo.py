"""`manage.py load_demo`: demo institutions, people and content for every feature to show.

A tool and a scenario, a published fork across institutions, a published remix of both, and a
student's contribution merged into a published second version of the tool. Idempotent: each
stage finds what an earlier (or interrupted) run made, and nothing happens once all is there.
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

from repository.actions.contributions import (
    approve_contribution,
    merge_contribution,
    propose_contribution,
)
from repository.actions.deposits import deposit_package
from repository.actions.forks import fork_version
from repository.actions.publishing import publish_version
from repository.actions.remixes import Pick, remix_versions
from repository.actions.validation import WAITING, validate_version
from repository.models import Contribution, Derivation, Institution, Membership, Version
from repository.storage import blobs

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
    """Zip `folder`; `manifest`, when given, replaces any remixbank.json the folder has."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(folder).as_posix()
            if manifest is not None and name == "remixbank.json":
                continue
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, name)
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
        if Contribution.objects.filter(state=Contribution.State.MERGED).exists():
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
            scenario = None
            if manifest is not None:
                scenario = self.original(
                    "southbank",
                    people["dana@southbank.ac.uk"],
                    lambda: zip_folder(SCENARIO_DIR, Path(tmp) / "scenario.zip", manifest),
                )
        if tool.state in WAITING:
            # Nothing is published that did not run; the rest of the demo starts from the tool.
            self.stderr.write(
                f"Demo content loaded in part: the demo tool is {tool.get_state_display()[0].lower()}"
                f"{tool.get_state_display()[1:]} (this installation cannot run tools: Chromium "
                "or bubblewrap is missing), so nothing is published. Install them and run "
                "load_demo again."
            )
            return
        if tool.state != Version.State.PUBLISHED:
            raise CommandError(
                f"The demo tool did not pass validation ({tool.get_state_display()}); see its page."
            )
        erin = people["erin@lakeside.gov.uk"]
        fork = self.derived(tool, Derivation.Kind.FORK) or fork_version(
            tool,
            into=Institution.objects.get(slug="lakeside"),
            by=erin,
            title="Sun path explorer (Lakeside edition)",
        )
        self.validated_and_published(fork, by=erin)
        if scenario is not None:
            self.remix(tool, scenario, by=people["dana@southbank.ac.uk"])
        self.student_contribution(
            tool, student=people["charlie@northfield.ac.uk"], staff=people["bob@northfield.ac.uk"]
        )
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))

    @staticmethod
    def derived(source: Version, kind: str) -> Version | None:
        edge = Derivation.objects.filter(parent=source, kind=kind).select_related("child").first()
        return edge.child if edge else None

    def validated_and_published(self, version: Version, *, by: Any) -> Version:
        """Validate here (the demo must be visible at once) and publish what passed."""
        validate_version(version.pk)
        version.refresh_from_db()
        if version.state == Version.State.PASSED:
            publish_version(version, by=by)
            version.refresh_from_db()
        if version.state != Version.State.PUBLISHED:
            raise CommandError(
                f"The demo's {version.resource.title} v{version.number} did not pass validation "
                f"({version.get_state_display()}); see its page."
            )
        return version

    def remix(self, tool: Version, scenario: Version, *, by: Any) -> Version:
        """Southbank puts the explorer beside its tracker scenario, as one remixed tool."""
        remix = self.derived(tool, Derivation.Kind.REMIX) or remix_versions(
            picks=[Pick(tool), Pick(scenario, scenario.manifest["entry_point"], "scenario/")],
            into=Institution.objects.get(slug="southbank"),
            by=by,
            title="Sun path explorer with a tracker scenario",
            entry_point="index.html",
            description="The sun path explorer with the solar tracker scenario beside it, for a "
            "lesson that goes from where the sun is to how a panel follows it.",
        )
        return self.validated_and_published(remix, by=by)

    def student_contribution(self, tool: Version, *, student: Any, staff: Any) -> Version:
        """A student proposes a clearer sentence; staff approve and merge it into v2."""
        contribution = Contribution.objects.filter(base=tool, author=student).first()
        if contribution is None:
            index = blobs.read_blob(tool.files.get(path="index.html").blob_id)
            contribution = propose_contribution(
                base=tool,
                by=student,
                description="Say what the chart shows before the sliders.",
                edits={
                    "index.html": index.replace(
                        b"Move the sliders.",
                        b"Move the sliders to change where you are and the day of the year.",
                    )
                },
            )
        if contribution.state == Contribution.State.OPEN:
            approve_contribution(contribution, by=staff, body="Thank you, Charlie.")
            contribution.refresh_from_db()
        merged = contribution.merged_version or merge_contribution(contribution, by=staff)
        return self.validated_and_published(merged, by=staff)

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
        # One that could not be run before (no browser or sandbox then) is tried again.
        validate_version(version.pk, revalidate=version.state in WAITING)
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
