"""OAuth2 on the API: scopes with roles, expired and revoked tokens, client credentials."""

import base64

import pytest
from oauth2_provider.models import AccessToken

from repository.models import Version
from tests.factories import build_zip, manifest
from tests.repository.api.conftest import bearer


def test_expired_token_is_refused_even_where_anonymous_may_read(api, staff, make_token, published):
    token = make_token(staff, "read", expires_in=-1)
    response = api.get(f"/api/v1/versions/{published.pk}/", **bearer(token))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_is_refused(api, staff, make_token):
    token = make_token(staff, "read")
    AccessToken.objects.get(token=token).revoke()
    assert api.get("/api/v1/resources/", **bearer(token)).status_code == 401


def test_unknown_token_is_refused(api, db):
    assert api.get("/api/v1/resources/", **bearer("not-a-token")).status_code == 401


def test_read_scope_token_cannot_deposit(api, staff, make_token, package):
    token = make_token(staff, "read")
    with package.open("rb") as handle:
        response = api.post("/api/v1/deposits/", {"package": handle}, **bearer(token))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"
    assert not Version.objects.exists()


def test_deposit_scope_token_cannot_read(api, staff, make_token):
    response = api.get("/api/v1/resources/", **bearer(make_token(staff, "deposit")))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"


def test_anonymous_writes_are_refused_with_a_bearer_challenge(api, draft):
    response = api.post(f"/api/v1/versions/{draft.pk}/publication/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_session_works_for_the_browsable_api(api, staff, draft):
    api.force_login(staff)
    response = api.get(f"/api/v1/versions/{draft.pk}/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"Unreleased tracker" in response.content


def test_session_writes_need_the_csrf_token(staff, draft):
    from rest_framework.test import APIClient

    api = APIClient(enforce_csrf_checks=True)
    api.force_login(staff)
    response = api.post(f"/api/v1/versions/{draft.pk}/publication/")
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.state == Version.State.PASSED


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {raw}"}


def test_client_credentials_token_from_the_token_endpoint_acts_for_its_institution(
    client, api, northfield_client, northfield, tmp_path
):
    api_client, secret = northfield_client
    response = client.post(
        "/o/token/",
        {"grant_type": "client_credentials", "scope": "read deposit"},
        **basic(api_client.application.client_id, secret),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["expires_in"] <= 3600
    assert set(body["scope"].split()) == {"read", "deposit"}
    token = body["access_token"]

    package = build_zip(tmp_path / "p.zip", manifest_data=manifest(title="From the VLE"))
    with package.open("rb") as handle:
        response = api.post("/api/v1/deposits/", {"package": handle}, **bearer(token))
    assert response.status_code == 202, response.content
    version = Version.objects.get()
    assert version.resource.institution == northfield
    assert version.created_by == api_client.service_user


def test_wrong_client_secret_gets_no_token(client, northfield_client):
    api_client, _ = northfield_client
    response = client.post(
        "/o/token/",
        {"grant_type": "client_credentials"},
        **basic(api_client.application.client_id, "guess"),
    )
    assert response.status_code == 401


def test_client_of_one_institution_cannot_act_for_another(
    api, make_token, southbank_client, draft, package
):
    token = make_token(None, "read deposit review", client=southbank_client[0])
    # It cannot see Northfield's draft, so it cannot publish it either.
    assert api.get(f"/api/v1/versions/{draft.pk}/", **bearer(token)).status_code == 404
    response = api.post(f"/api/v1/versions/{draft.pk}/publication/", **bearer(token))
    assert response.status_code == 404
    with package.open("rb") as handle:
        response = api.post(
            "/api/v1/deposits/",
            {"package": handle, "institution": "northfield"},
            **bearer(token),
        )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_client_token_of_an_unregistered_application_is_refused(api, make_token, db):
    # person_app has no ApiClient row: a token without a person cannot act for anyone.
    response = api.get("/api/v1/resources/", **bearer(make_token(None, "read")))
    assert response.status_code == 401


def test_revoking_the_client_stops_its_tokens(api, admin, make_token, northfield_client):
    api_client, _ = northfield_client
    token = make_token(None, "read", client=api_client)
    assert api.get("/api/v1/resources/", **bearer(token)).status_code == 200
    response = api.delete(
        f"/api/v1/institutions/northfield/clients/{api_client.application.client_id}/",
        **bearer(make_token(admin, "admin")),
    )
    assert response.status_code == 204
    assert api.get("/api/v1/resources/", **bearer(token)).status_code == 401


@pytest.mark.parametrize("grant", ["refresh", "revoke"])
def test_refresh_rotates_and_revoke_ends_a_person_token(client, api, staff, person_app, grant):
    from datetime import timedelta

    from django.utils import timezone
    from oauth2_provider.models import RefreshToken

    access = AccessToken.objects.create(
        user=staff,
        application=person_app,
        token="access-1",
        scope="read",
        expires=timezone.now() + timedelta(minutes=5),
    )
    RefreshToken.objects.create(
        user=staff, application=person_app, token="refresh-1", access_token=access
    )
    if grant == "refresh":
        response = client.post(
            "/o/token/",
            {
                "grant_type": "refresh_token",
                "refresh_token": "refresh-1",
                "client_id": person_app.client_id,
            },
        )
        assert response.status_code == 200, response.content
        new = response.json()["access_token"]
        assert api.get("/api/v1/resources/", **bearer(new)).status_code == 200
    else:
        response = client.post(
            "/o/revoke_token/", {"token": "access-1", "client_id": person_app.client_id}
        )
        assert response.status_code == 200
    assert api.get("/api/v1/resources/", **bearer("access-1")).status_code == 401
