"""Forks through the API: POST /versions/{id}/forks/, licences checked, drafts protected."""

from repository.models import Derivation
from tests.repository.api.conftest import bearer


def test_fork_into_your_institution(api, outsider, make_token, published):
    response = api.post(
        f"/api/v1/versions/{published.pk}/forks/",
        {"title": "Sun path, remixed"},
        format="json",
        **bearer(make_token(outsider, "deposit")),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["version"]["resource"]["institution"] == "southbank"
    assert body["version"]["resource"]["title"] == "Sun path, remixed"
    assert Derivation.objects.get().parent == published


def test_fork_refuses_a_licence_the_source_forbids(api, outsider, make_token, published):
    response = api.post(
        f"/api/v1/versions/{published.pk}/forks/",
        {"licence": "CC-BY-4.0"},
        format="json",
        **bearer(make_token(outsider, "deposit")),
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "licence_conflict"


def test_fork_with_an_unknown_licence_is_a_field_error(api, outsider, make_token, published):
    response = api.post(
        f"/api/v1/versions/{published.pk}/forks/",
        {"licence": "CC-BY-9.9"},
        format="json",
        **bearer(make_token(outsider, "deposit")),
    )
    assert response.status_code == 400
    assert "licence" in response.json()["error"]["fields"]


def test_nobody_forks_a_draft_they_cannot_see(api, outsider, make_token, draft):
    response = api.post(
        f"/api/v1/versions/{draft.pk}/forks/", {}, format="json", **bearer(make_token(outsider))
    )
    assert response.status_code == 404


def test_fork_into_an_institution_you_do_not_belong_to_is_refused(
    api, outsider, make_token, published, northfield
):
    response = api.post(
        f"/api/v1/versions/{published.pk}/forks/",
        {"institution": "northfield"},
        format="json",
        **bearer(make_token(outsider, "deposit")),
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
