"""Institutions, their members (for members) and their API clients (for admins, admin scope)."""

import pytest

from repository.models import ApiClient
from tests.repository.api.conftest import bearer


def test_institutions_are_public(api, northfield, southbank):
    body = api.get("/api/v1/institutions/").json()
    assert [i["slug"] for i in body["results"]] == ["northfield", "southbank"]
    assert api.get("/api/v1/institutions/northfield/").json()["name"] == "Northfield University"


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("staff", 200), ("student", 200), ("outsider", 403), ("anonymous", 401)],
)
def test_members_are_listed_for_members_only(
    api, request, make_token, admin, staff, student, role, status
):
    headers = (
        {} if role == "anonymous" else bearer(make_token(request.getfixturevalue(role), "read"))
    )
    response = api.get("/api/v1/institutions/northfield/members/", **headers)
    assert response.status_code == status
    if status == 200:
        assert {(m["name"], m["role"]) for m in response.json()["results"]} == {
            ("Alice", "admin"),
            ("Bob", "staff"),
            ("Charlie", "student"),
        }


@pytest.mark.parametrize(
    ("role", "scope", "status"),
    [
        ("admin", "admin", 201),
        ("admin", "read deposit review", 403),
        ("staff", "admin", 403),
        ("outsider", "admin", 403),
    ],
)
def test_only_admins_with_the_admin_scope_register_api_clients(
    api, request, make_token, northfield, role, scope, status
):
    token = make_token(request.getfixturevalue(role), scope)
    response = api.post(
        "/api/v1/institutions/northfield/clients/", {"name": "VLE"}, format="json", **bearer(token)
    )
    assert response.status_code == status
    if status == 201:
        body = response.json()
        assert body["client_secret"]
        client = ApiClient.objects.get()
        assert client.institution == northfield
        assert not client.service_user.has_usable_password()
        listed = api.get("/api/v1/institutions/northfield/clients/", **bearer(token)).json()
        assert [c["client_id"] for c in listed] == [body["client_id"]]
        assert "client_secret" not in listed[0]
    else:
        assert not ApiClient.objects.exists()


def test_a_client_token_cannot_manage_clients(api, make_token, northfield_client):
    token = make_token(None, "admin", client=northfield_client[0])
    response = api.get("/api/v1/institutions/northfield/clients/", **bearer(token))
    assert response.status_code == 403
