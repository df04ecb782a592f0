"""Publishing and withdrawing through the API: review scope AND a staff role."""

import pytest

from repository.models import Version
from tests.repository.api.conftest import bearer


@pytest.mark.parametrize(
    ("role", "scope", "status", "code"),
    [
        ("staff", "review", 200, None),
        ("admin", "review", 200, None),
        ("staff", "read deposit", 403, "insufficient_scope"),
        ("student", "read deposit contribute review admin", 404, "not_found"),
        ("outsider", "review", 404, "not_found"),
    ],
)
def test_publish_needs_the_review_scope_and_a_staff_role(
    api, request, make_token, draft, role, scope, status, code
):
    token = make_token(request.getfixturevalue(role), scope)
    response = api.post(f"/api/v1/versions/{draft.pk}/publication/", **bearer(token))
    assert response.status_code == status
    if code:
        assert response.json()["error"]["code"] == code
    draft.refresh_from_db()
    assert (draft.state == Version.State.PUBLISHED) == (status == 200)


def test_a_student_token_cannot_publish_even_a_version_it_can_see(
    api, make_token, student, published
):
    # The student sees the published version; withdrawing it is for staff.
    response = api.delete(
        f"/api/v1/versions/{published.pk}/publication/", **bearer(make_token(student, "review"))
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_withdraw_with_a_reason_then_publish_again(api, staff, make_token, published):
    token = make_token(staff, "review")
    url = f"/api/v1/versions/{published.pk}/publication/"
    response = api.delete(
        url, {"reason": "Wrong units on the axis."}, format="json", **bearer(token)
    )
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "withdrawn"
    assert body["withdrawal"]["reason"] == "Wrong units on the axis."
    assert body["withdrawal"]["by"] == "Bob"
    response = api.post(url, **bearer(token))
    assert response.status_code == 200
    assert response.json()["state"] == "published"
    assert response.json()["withdrawal"] is None
    response = api.post(url, **bearer(token))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"


def test_withdrawing_without_a_reason_is_refused_and_changes_nothing(
    api, staff, make_token, published
):
    response = api.delete(
        f"/api/v1/versions/{published.pk}/publication/", **bearer(make_token(staff, "review"))
    )
    assert response.status_code == 400
    assert "Say why you withdraw" in response.json()["error"]["message"]
    published.refresh_from_db()
    assert published.state == Version.State.PUBLISHED
