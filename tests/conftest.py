"""Shared fixtures: personas (one per role plus an outsider), storage in a temporary folder."""

from pathlib import Path

import pytest
from django.core.files.storage import storages

from repository.models import Institution, Membership
from tests.factories import InstitutionFactory, MembershipFactory, UserFactory, build_zip


@pytest.fixture(autouse=True)
def blob_folder(settings, tmp_path: Path) -> Path:
    """Each test stores blobs in its own folder, so tests cannot see each other's files."""
    if settings.STORAGE_BACKEND != "local":
        return tmp_path
    folder = tmp_path / "blobs"
    settings.STORAGES = {
        **settings.STORAGES,
        "blobs": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    storages._storages.pop("blobs", None)
    yield folder
    storages._storages.pop("blobs", None)


@pytest.fixture(autouse=True)
def no_content_runs(settings) -> None:
    """Most tests need a validated version, not a browser; tests of the run steps switch it on."""
    settings.VALIDATION_RUN_CONTENT = False


@pytest.fixture
def northfield(db) -> Institution:
    return InstitutionFactory(
        slug="northfield", name="Northfield University", email_domains=["northfield.ac.uk"]
    )


@pytest.fixture
def southbank(db) -> Institution:
    return InstitutionFactory(
        slug="southbank", name="Southbank College", email_domains=["southbank.ac.uk"]
    )


def member(institution: Institution, email: str, name: str, role: str):
    user = UserFactory(email=email, username=email, first_name=name)
    MembershipFactory(user=user, institution=institution, role=role)
    return user


@pytest.fixture
def admin(northfield):
    return member(northfield, "alice@northfield.ac.uk", "Alice", Membership.Role.ADMIN)


@pytest.fixture
def staff(northfield):
    return member(northfield, "bob@northfield.ac.uk", "Bob", Membership.Role.STAFF)


@pytest.fixture
def student(northfield):
    return member(northfield, "charlie@northfield.ac.uk", "Charlie", Membership.Role.STUDENT)


@pytest.fixture
def outsider(southbank):
    return member(southbank, "dana@southbank.ac.uk", "Dana", Membership.Role.STAFF)


@pytest.fixture
def package(tmp_path: Path) -> Path:
    return build_zip(tmp_path / "package.zip")
