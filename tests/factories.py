"""Factories and package builders shared by the test suites."""

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.utils import timezone

from repository.models import Institution, Membership, Resource, Version, VersionFile
from repository.storage import blobs

INDEX_HTML = b"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Counter</title>
<script src="app.js" defer></script></head><body><button id="b">Count</button><output id="o">0</output></body></html>"""
APP_JS = b"""document.getElementById('b').addEventListener('click', () => {
  const o = document.getElementById('o'); o.textContent = String(Number(o.textContent) + 1);
});"""


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    username = factory.LazyAttribute(lambda u: u.email)
    first_name = factory.Faker("first_name")
    password = factory.django.Password("correct horse battery staple")


class InstitutionFactory(factory.django.DjangoModelFactory[Institution]):
    class Meta:
        model = Institution
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"institution-{n}")
    name = factory.LazyAttribute(lambda i: i.slug.replace("-", " ").title())
    email_domains = factory.LazyAttribute(lambda i: [f"{i.slug}.ac.uk"])


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    institution = factory.SubFactory(InstitutionFactory)
    role = Membership.Role.STAFF


class ResourceFactory(factory.django.DjangoModelFactory[Resource]):
    class Meta:
        model = Resource

    institution = factory.SubFactory(InstitutionFactory)
    slug = factory.Sequence(lambda n: f"resource-{n}")
    kind = Resource.Kind.TOOL
    title = factory.LazyAttribute(lambda r: r.slug.replace("-", " ").title())


class VersionFactory(factory.django.DjangoModelFactory[Version]):
    """A version row as stored, with no checks run: for data that older code let through."""

    class Meta:
        model = Version

    resource = factory.SubFactory(ResourceFactory)
    number = factory.LazyAttribute(lambda v: v.resource.versions.count() + 1)
    licence = "CC-BY-4.0"
    authors = factory.LazyFunction(lambda: ["Ada Lovelace"])
    manifest = factory.LazyAttribute(
        lambda v: manifest(kind=v.resource.kind, title=v.resource.title, license=v.licence)
    )
    state = Version.State.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


def stored_version(files: dict[str, bytes], **fields: Any) -> Version:
    """A version made straight in the database with `files` in its tree (the latest published)."""
    version = VersionFactory.create(**fields)
    for path, content in files.items():
        sha, _ = blobs.put_bytes(content)
        VersionFile.objects.create(version=version, path=path, blob_id=sha)
    if version.is_public:
        Resource.objects.filter(pk=version.resource_id).update(latest_published=version)
        version.resource.refresh_from_db()
    return version


def manifest(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "tool",
        "title": "Counter",
        "description": "Counts clicks.",
        "license": "CC-BY-SA-4.0",
        "authors": ["Ada Lovelace"],
        "entry_point": "index.html",
        "subjects": ["mathematics"],
        "level": "secondary",
        "language": "en",
    }
    data.update(overrides)
    return data


def tool_files(**extra: bytes) -> dict[str, bytes]:
    return {"index.html": INDEX_HTML, "app.js": APP_JS, **extra}


def build_zip(
    path: Path,
    files: dict[str, bytes] | None = None,
    *,
    manifest_data: dict[str, Any] | str | None = None,
) -> Path:
    """Write a package zip: `files` plus remixbank.json (omitted when manifest_data == "omit")."""
    files = tool_files() if files is None else files
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        if manifest_data != "omit":
            archive.writestr("remixbank.json", json.dumps(manifest_data or manifest()))
        for name, content in files.items():
            archive.writestr(name, content)
    return path


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def published_scenario(folder: Path, institution: Institution, by: User, *, publish: bool = True):
    """The example solar-tracker scenario (with its starter controller), deposited and validated,
    published unless `publish` is False (then it stays passed)."""
    from repository.actions.deposits import deposit_package
    from repository.actions.validation import validate_version
    from repository.management.commands.load_demo import SCENARIO_DIR, scenario_manifest, zip_folder

    package = zip_folder(SCENARIO_DIR, folder / "scenario.zip", scenario_manifest())
    version = deposit_package(
        package=package, institution=institution, by=by, publish_on_pass=publish
    )
    validate_version(version.pk)
    version.refresh_from_db()
    return version
