"""People: sign-up, joining by verified e-mail domain and by invitation."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from repository.actions import people
from repository.errors import DomainError, PermissionRefused
from repository.models import Membership


def test_signup_then_verified_domain_joins_as_student(
    client, northfield, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail goes after commit
        response = client.post(
            reverse("signup"),
            {
                "email": "Eve@Northfield.ac.uk",
                "name": "Eve",
                "password1": "a long pass phrase 42",
                "password2": "a long pass phrase 42",
            },
        )
    assert response.status_code == 302
    assert not Membership.objects.exists()  # not before the address is confirmed
    found = re.search(r"http://\S+", str(mail.outbox[0].body))
    assert found is not None, mail.outbox[0].body
    link = found.group(0)
    client.get(link.removeprefix("http://127.0.0.1:8000"))
    membership = Membership.objects.get()
    assert (membership.user.email, membership.institution, membership.role) == (
        "eve@northfield.ac.uk",
        northfield,
        Membership.Role.STUDENT,
    )


def test_sign_up_refuses_an_address_that_has_an_account_and_changes_nothing(staff):
    from django.contrib.auth.models import User

    with pytest.raises(DomainError, match="account with this address exists"):
        people.sign_up(
            email=staff.email.upper(), name="Bob again", password="x" * 20, site_url="http://x"
        )
    assert User.objects.filter(email__iexact=staff.email).count() == 1


def test_damaged_verification_link_is_refused(db):
    with pytest.raises(DomainError, match="damaged"):
        people.verify_email("not-a-token")


def test_invitation_by_admin_joins_with_the_role(
    admin, northfield, django_capture_on_commit_callbacks
):
    from tests.factories import UserFactory

    with django_capture_on_commit_callbacks(execute=True):
        invitation = people.invite(
            institution=northfield,
            email="frank@elsewhere.org",
            role="staff",
            by=admin,
            site_url="http://x",
        )
    assert "frank@elsewhere.org" in mail.outbox[0].to
    frank = UserFactory.create(email="frank@elsewhere.org", username="frank@elsewhere.org")
    membership = people.accept_invitation(invitation.token, user=frank)
    assert membership.role == Membership.Role.STAFF
    with pytest.raises(DomainError, match="already used"):
        people.accept_invitation(invitation.token, user=frank)


def test_staff_may_invite_students_but_not_staff(staff, northfield):
    people.invite(
        institution=northfield, email="s@x.org", role="student", by=staff, site_url="http://x"
    )
    with pytest.raises(PermissionRefused, match="Only admins"):
        people.invite(
            institution=northfield, email="t@x.org", role="staff", by=staff, site_url="http://x"
        )


def test_invitation_is_for_its_address_only(admin, northfield, outsider):
    invitation = people.invite(
        institution=northfield, email="g@x.org", role="student", by=admin, site_url="http://x"
    )
    with pytest.raises(PermissionRefused, match=r"is for g@x\.org"):
        people.accept_invitation(invitation.token, user=outsider)


def test_institution_page_lists_people_and_resources(client, northfield, staff):
    client.force_login(staff)
    html = client.get(northfield.get_absolute_url()).content.decode()
    assert "Bob" in html
    assert "Staff" in html


def test_an_invitation_never_lowers_a_role(staff, admin, northfield):
    # Staff may invite students; inviting the admin as a student must not demote them.
    invitation = people.invite(
        institution=northfield, email=admin.email, role="student", by=staff, site_url="http://x"
    )
    membership = people.accept_invitation(invitation.token, user=admin)
    assert membership.role == Membership.Role.ADMIN


def test_people_of_an_institution_are_listed_to_its_members_only(
    client, northfield, staff, outsider
):
    assert "Bob" not in client.get(northfield.get_absolute_url()).content.decode()
    client.force_login(outsider)
    assert "Bob" not in client.get(northfield.get_absolute_url()).content.decode()
    client.force_login(staff)
    assert "Bob" in client.get(northfield.get_absolute_url()).content.decode()
