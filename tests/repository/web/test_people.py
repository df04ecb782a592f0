"""People's pages: public for people with public work, for fellow members, never for services."""

import pytest
from django.test import Client
from django.urls import reverse

from repository.actions import contributions
from repository.actions.api_clients import register_api_client
from repository.models import Version
from tests.factories import ResourceFactory, VersionFactory
from tests.repository.remixing import published, validated


def page(client: Client, user_id: int):
    return client.get(reverse("person", args=[user_id]))


def made_version(person, institution, state: str) -> Version:
    return VersionFactory.create(
        resource=ResourceFactory(institution=institution), created_by=person, state=state
    )


@pytest.fixture
def service_user(northfield, admin):
    client, _secret = register_api_client(institution=northfield, name="Northfield VLE", by=admin)
    return client.service_user


def test_a_person_without_public_work_is_a_404_exactly_like_a_missing_id(client, student):
    missing = page(client, 999_999)
    hidden = page(client, student.pk)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_a_published_or_withdrawn_version_makes_its_maker_public(client, staff, northfield):
    made_version(staff, northfield, Version.State.PASSED)
    assert page(client, staff.pk).status_code == 404
    made_version(staff, northfield, Version.State.WITHDRAWN)
    response = page(client, staff.pk)
    assert response.status_code == 200
    assert "Bob" in response.content.decode()


def test_a_merged_contribution_in_a_published_version_makes_its_author_public(
    client, tmp_path, northfield, staff, student
):
    base = published(tmp_path, northfield, staff)
    proposal = contributions.propose_contribution(
        base=base, by=student, description="Typo", edits={"app.js": b"// fixed\n"}
    )
    assert page(client, student.pk).status_code == 404
    contributions.approve_contribution(proposal, by=staff)
    merged = validated(contributions.merge_contribution(proposal, by=staff))
    assert merged.state == Version.State.PUBLISHED
    assert page(client, student.pk).status_code == 200


def test_api_client_service_users_are_never_shown(client, northfield, admin, service_user):
    made_version(service_user, northfield, Version.State.PUBLISHED)
    assert page(client, service_user.pk).status_code == 404
    client.force_login(admin)  # an admin of the client's own institution
    assert page(client, service_user.pk).status_code == 404
    members = client.get(reverse("institution", args=["northfield"])).content.decode()
    assert reverse("person", args=[service_user.pk]) not in members


def test_members_see_each_other_and_outsiders_do_not(client, student, staff, outsider):
    client.force_login(outsider)
    assert page(client, student.pk).status_code == 404
    client.force_login(staff)
    assert page(client, student.pk).status_code == 200
    client.force_login(student)
    assert page(client, student.pk).status_code == 200
    assert page(client, staff.pk).status_code == 200
