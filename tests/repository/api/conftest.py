"""API fixtures: tokens made straight in the database, published and draft versions, a client."""

import secrets
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from oauth2_provider.models import AccessToken, get_application_model
from rest_framework.test import APIClient

from repository.actions.api_clients import register_api_client
from repository.actions.deposits import deposit_package
from repository.models import ApiClient, Version
from tests.factories import build_zip, manifest, validated

Application = get_application_model()
ALL_SCOPES = "read deposit contribute review admin"


@pytest.fixture(autouse=True)
def fast_passwords(settings) -> None:
    """Personas' passwords are hashed at creation; the slow default hasher would dominate."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Throttle counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def person_app(db, admin):
    """A third-party app people authorise with authorization code + PKCE."""
    return Application.objects.create(
        name="Course planner",
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://planner.example.org/callback",
        user=admin,
    )


@pytest.fixture
def make_token(person_app) -> Callable[..., str]:
    """Make a bearer token for a person (or an ApiClient), with scopes and a lifetime."""

    def make(
        user=None,
        scope: str = ALL_SCOPES,
        *,
        client: ApiClient | None = None,
        expires_in: int = 600,
    ) -> str:
        value = secrets.token_urlsafe(24)
        AccessToken.objects.create(
            user=user,
            application=client.application if client else person_app,
            token=value,
            scope=scope,
            expires=timezone.now() + timedelta(seconds=expires_in),
        )
        return value

    return make


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def northfield_client(northfield, admin) -> tuple[ApiClient, str]:
    return register_api_client(institution=northfield, name="Northfield VLE", by=admin)


@pytest.fixture
def southbank_client(southbank, outsider) -> tuple[ApiClient, str]:
    from repository.models import Membership

    Membership.objects.filter(user=outsider, institution=southbank).update(role="admin")
    return register_api_client(institution=southbank, name="Southbank CMS", by=outsider)


def deposit(
    institution, by, tmp_path, *, publish: bool, validate: bool = True, files=None, **overrides
):
    path = build_zip(
        tmp_path / f"pkg-{secrets.token_hex(4)}.zip", files, manifest_data=manifest(**overrides)
    )
    version = deposit_package(package=path, institution=institution, by=by, publish_on_pass=publish)
    if validate:
        validated(version.pk)
    version.refresh_from_db()
    return version


@pytest.fixture
def published(northfield, staff, tmp_path) -> Version:
    version = deposit(northfield, staff, tmp_path, publish=True, title="Sun path explorer")
    assert version.state == Version.State.PUBLISHED
    return version


@pytest.fixture
def draft(northfield, staff, tmp_path) -> Version:
    """Northfield's version that passed validation and is not published."""
    version = deposit(northfield, staff, tmp_path, publish=False, title="Unreleased tracker")
    assert version.state == Version.State.PASSED
    return version
