"""Invitations through the API: POST /institutions/{slug}/invitations/, scope admin."""

import pytest
from django.core import mail

from repository.models import Invitation
from tests.repository.api.conftest import bearer

URL = "/api/v1/institutions/northfield/invitations/"


def invite(api, token, email="new@northfield.ac.uk", role="staff", url=URL):
    return api.post(url, {"email": email, "role": role}, format="json", **bearer(token))


def test_admin_invites_staff_and_the_mail_goes_after_commit(
    api, admin, make_token, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(api, make_token(admin, "admin"), email="New@Northfield.ac.uk")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {
        "id": Invitation.objects.get().pk,
        "institution": "northfield",
        "email": "new@northfield.ac.uk",
        "role": "staff",
        "invited_by": "Alice",
        "created_at": body["created_at"],
    }
    [message] = mail.outbox
    assert message.to == ["new@northfield.ac.uk"]
    assert Invitation.objects.get().token in message.body  # in the mail only, never the API


def test_staff_may_invite_students_but_not_staff(api, staff, make_token):
    token = make_token(staff, "admin")
    assert invite(api, token, role="student").status_code == 201
    response = invite(api, token, role="staff")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize("role", ["student", "outsider"])
def test_students_and_outsiders_cannot_invite(api, request, make_token, northfield, role):
    response = invite(api, make_token(request.getfixturevalue(role), "admin"), role="student")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not Invitation.objects.exists()


def test_a_token_without_the_admin_scope_cannot_invite(api, admin, make_token):
    response = invite(api, make_token(admin, "read deposit contribute review"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"


def test_bad_input_is_a_field_error_and_unknown_institutions_404(api, admin, make_token):
    token = make_token(admin, "admin")
    response = invite(api, token, email="not an address", role="king")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"email", "role"}
    response = invite(api, token, url="/api/v1/institutions/nowhere/invitations/")
    assert response.status_code == 404
