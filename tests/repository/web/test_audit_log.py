"""The audit log on the site: a role change made on the manage page, seen with its request id."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from repository.actions.lti import register_platform
from repository.models import AdminAction, Membership
from tests.repository.actions.test_audit import MOODLE

REQUEST_ID = "lb-4b1e0c2a-9d7f"


@pytest.fixture
def site_admin(db):
    return get_user_model().objects.create_user(
        "moderator@remixbank.example", email="moderator@remixbank.example", is_staff=True
    )


def test_a_role_change_on_the_manage_page_is_logged_with_the_request_id(
    client, admin, staff, northfield
):
    membership = Membership.objects.get(user=staff, institution=northfield)
    client.force_login(admin)
    response = client.post(
        reverse("institution_member", args=["northfield", membership.pk]),
        {"action": "role", "role": "admin"},
        HTTP_X_REQUEST_ID=REQUEST_ID,
    )
    assert response.status_code == 302
    [line] = AdminAction.objects.all()
    assert (line.kind, line.actor, line.request_id) == (
        AdminAction.Kind.CHANGE_ROLE,
        admin,
        REQUEST_ID,
    )
    page = client.get(reverse("institution_log", args=["northfield"])).content.decode()
    assert "Changed the role of" in page and "bob@northfield.ac.uk" in page
    assert "role: staff → admin" in page and REQUEST_ID in page


def test_an_institution_log_shows_only_its_own_lines_to_its_admins(
    client, admin, staff, outsider, northfield, southbank, site_admin
):
    register_platform(institution=northfield, by=admin, **MOODLE)
    southbank_admin = get_user_model().objects.create_user(
        "amara@southbank.ac.uk", email="amara@southbank.ac.uk", first_name="Amara"
    )
    Membership.objects.create(user=southbank_admin, institution=southbank, role="admin")
    register_platform(
        institution=southbank,
        by=southbank_admin,
        **(MOODLE | {"name": "Blackboard", "issuer": "https://vle.southbank.ac.uk"}),
    )
    client.force_login(admin)
    own = client.get(reverse("institution_log", args=["northfield"])).content.decode()
    assert "Registered an LTI platform" in own and "moodle.northfield.ac.uk" in own
    assert "Blackboard" not in own
    assert client.get(reverse("institution_log", args=["southbank"])).status_code == 404
    for person in (staff, outsider):
        client.force_login(person)
        assert client.get(reverse("institution_log", args=["northfield"])).status_code == 404
    client.force_login(site_admin)
    everything = client.get(reverse("moderation_log")).content.decode()
    assert "Moodle" in everything and "Blackboard" in everything
    assert "Southbank College" in everything and "Northfield University" in everything
