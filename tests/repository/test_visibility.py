"""Visibility: unpublished versions for their institution's staff and authors; published for all."""

import pytest
from django.contrib.auth.models import AnonymousUser

from repository.actions.deposits import deposit_package
from repository.actions.publishing import publish_version, withdraw_version
from repository.models import Resource, Version
from tests.factories import validated

EXPECTED_UNPUBLISHED = {
    "admin": True,
    "staff": True,
    "student": False,
    "outsider": False,
    "anonymous": False,
}


@pytest.fixture
def draft(package, northfield, admin, staff):
    version = deposit_package(
        package=package, institution=northfield, by=staff, publish_on_pass=False
    )
    validated(version.pk)
    version.refresh_from_db()
    return version


def persona(request, name):
    return AnonymousUser() if name == "anonymous" else request.getfixturevalue(name)


@pytest.mark.parametrize("name", sorted(EXPECTED_UNPUBLISHED))
def test_unpublished_version_visibility(name, request, draft, student, outsider):
    user = persona(request, name)
    assert (
        Version.objects.visible_to(user).filter(pk=draft.pk).exists() is EXPECTED_UNPUBLISHED[name]
    )
    assert (
        Resource.objects.visible_to(user).filter(pk=draft.resource_id).exists()
        is EXPECTED_UNPUBLISHED[name]
    )


@pytest.mark.parametrize("name", sorted(EXPECTED_UNPUBLISHED))
def test_published_version_is_seen_by_everyone(name, request, draft, staff, student, outsider):
    publish_version(draft, by=staff)
    user = persona(request, name)
    assert Version.objects.visible_to(user).filter(pk=draft.pk).exists()
    assert Resource.objects.visible_to(user).filter(pk=draft.resource_id).exists()


@pytest.mark.parametrize("name", ["student", "outsider"])
def test_only_staff_publish(name, request, draft):
    from repository.errors import PermissionRefused

    with pytest.raises(PermissionRefused):
        publish_version(draft, by=request.getfixturevalue(name))
    draft.refresh_from_db()
    assert draft.state == Version.State.PASSED


def test_withdrawn_version_keeps_its_page_and_leaves_the_resource(draft, staff):
    publish_version(draft, by=staff)
    withdraw_version(draft, by=staff, reason="Superseded by the new syllabus.")
    draft.refresh_from_db()
    draft.resource.refresh_from_db()
    assert draft.state == Version.State.WITHDRAWN
    assert draft.resource.latest_published is None
    assert Version.objects.visible_to(AnonymousUser()).filter(pk=draft.pk).exists()
