"""Shared fixtures: personas (one per role plus an outsider), storage in a temporary folder.

Each test session also gets a broker of its own (see pytest_configure), and in CI skipped tests
fail (tests/skip_gate.py).
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from django.conf import settings as django_settings
from django.core.files.storage import storages

from deploy.celery import app as celery_app
from deploy.settings import filesystem_broker_options
from repository.models import Institution, Membership
from tests.factories import InstitutionFactory, MembershipFactory, UserFactory, build_zip

pytest_plugins = ["tests.skip_gate", "pytester"]


def pytest_configure(config: pytest.Config) -> None:
    """Give the session a broker of its own, so tests never publish to the developer's.

    Without this, messages from the tests stay in var/broker (or the Redis db) and the `run`
    command's worker later executes them against the development database. Django's settings
    are already loaded (pytest-django reads them first) but the Celery app reads them only when
    first used, so changing them here is early enough; worker processes started by the tests
    inherit CELERY_BROKER_FOLDER.
    """
    if celery_app.configured:
        raise pytest.UsageError("The Celery app was configured before the test broker was set.")
    url = django_settings.CELERY_BROKER_URL
    scheme = urlsplit(url).scheme
    if scheme == "filesystem":
        folder = Path(tempfile.mkdtemp(prefix="remixbank-test-broker-"))
        os.environ["CELERY_BROKER_FOLDER"] = str(folder)
        django_settings.CELERY_BROKER_FOLDER = folder
        django_settings.CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(folder)
    elif scheme in {"redis", "rediss"}:
        if redis_db(url) == 0:
            raise pytest.UsageError(
                f"CELERY_BROKER_URL={url} is Redis db 0, the default a `run` would use; the "
                "test suite empties its broker's db at start and end, so give it a db of its "
                "own, e.g. redis://127.0.0.1:6379/15."
            )
        redis.Redis.from_url(url).flushdb()
    else:
        raise pytest.UsageError(
            f"CELERY_BROKER_URL={url}: the test suite runs on the filesystem:// broker (the "
            "default) or on a Redis db of its own, which it can empty; unset it or point it at "
            "Redis, e.g. redis://127.0.0.1:6379/15."
        )


def pytest_unconfigure(config: pytest.Config) -> None:
    url = django_settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        shutil.rmtree(django_settings.CELERY_BROKER_FOLDER, ignore_errors=True)
    elif url.startswith(("redis://", "rediss://")) and redis_db(url) != 0:
        redis.Redis.from_url(url).flushdb()


def redis_db(url: str) -> int:
    path = urlsplit(url).path.strip("/")
    return int(path) if path.isdigit() else 0


@pytest.fixture(autouse=True)
def blob_folder(settings, tmp_path: Path) -> Iterator[Path]:
    """Each test stores blobs in its own folder, so tests cannot see each other's files."""
    if settings.STORAGE_BACKEND != "local":
        yield tmp_path
        return
    folder = tmp_path / "blobs"
    settings.STORAGES = {
        **settings.STORAGES,
        "blobs": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    forget_blob_storage()
    yield folder
    forget_blob_storage()


def forget_blob_storage() -> None:
    """Drop the cached "blobs" storage, so the next use reads the overridden settings."""
    # StorageHandler's cache is private, hence not in Django's type stubs.
    storages._storages.pop("blobs", None)  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def trusted_celery_app() -> Iterator[None]:
    """Keep the site's Celery app the current one: any other app made in this process (the
    untrusted worker's, on import) would become current and send later tests' messages by its
    own routes, to the wrong queues."""
    from deploy.celery import app

    yield
    app.set_current()
    app.set_default()


@pytest.fixture(autouse=True)
def no_content_runs(settings) -> None:
    """Most tests need a validated version, not a browser; tests of the run steps switch it on."""
    settings.VALIDATION_RUN_CONTENT = False


@pytest.fixture
def northfield(db) -> Institution:
    return InstitutionFactory.create(
        slug="northfield", name="Northfield University", email_domains=["northfield.ac.uk"]
    )


@pytest.fixture
def southbank(db) -> Institution:
    return InstitutionFactory.create(
        slug="southbank", name="Southbank College", email_domains=["southbank.ac.uk"]
    )


def member(institution: Institution, email: str, name: str, role: str):
    user = UserFactory.create(email=email, username=email, first_name=name)
    MembershipFactory.create(user=user, institution=institution, role=role)
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
