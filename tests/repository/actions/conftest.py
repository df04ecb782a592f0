"""Fixtures shared by the action tests of moderation and the audit log."""

import pytest
from django.contrib.auth import get_user_model

from repository.actions.deposits import deposit_package
from tests.factories import validated


@pytest.fixture
def site_admin(db):
    return get_user_model().objects.create_user(
        "moderator@remixbank.example",
        email="moderator@remixbank.example",
        first_name="Morgan",
        is_staff=True,
    )


@pytest.fixture
def published(package, northfield, staff):
    version = deposit_package(package=package, institution=northfield, by=staff)
    validated(version.pk)
    version.refresh_from_db()
    return version
