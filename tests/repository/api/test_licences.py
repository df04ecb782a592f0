"""Licences through the API: the catalogue and the adaptation rules."""

from tests.repository.api.conftest import bearer


def test_catalogue_lists_and_details(api, db):
    ids = [lic["id"] for lic in api.get("/api/v1/licences/").json()]
    assert "CC-BY-SA-4.0" in ids
    body = api.get("/api/v1/licences/CC-BY-NC-4.0/").json()
    assert body["non_commercial"] is True
    assert api.get("/api/v1/licences/MIT-9/").status_code == 404


def test_allowed_adaptation_licences_for_several_sources(api, db):
    body = api.get("/api/v1/licences/adaptations/?source=CC-BY-4.0&source=CC-BY-SA-4.0").json()
    assert body["recommended"] == "CC-BY-SA-4.0"
    assert "CC-BY-4.0" not in {o["licence"]["id"] for o in body["options"]}
    assert body["explanation"] == ""


def test_no_allowed_licence_is_explained(api, db):
    body = api.get("/api/v1/licences/adaptations/?source=CC-BY-ND-4.0").json()
    assert body["options"] == []
    assert body["recommended"] is None
    assert "NoDerivatives" in body["explanation"]


def test_unknown_or_missing_sources_are_400(api, db):
    response = api.get("/api/v1/licences/adaptations/?source=CC-BY-9.9")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_licence"
    response = api.get("/api/v1/licences/adaptations/")
    assert response.json()["error"]["fields"]["source"]


def test_a_token_needs_the_read_scope_even_for_public_data(api, staff, make_token):
    response = api.get("/api/v1/licences/", **bearer(make_token(staff, "review")))
    assert response.status_code == 403


def test_software_licences_carry_their_strength_and_mixes_are_explained(api, db):
    body = api.get("/api/v1/licences/Apache-2.0/").json()
    assert body["is_software"] is True and body["copyleft"] == "permissive"
    assert api.get("/api/v1/licences/CC-BY-4.0/").json()["copyleft"] == ""
    mix = api.get("/api/v1/licences/adaptations/?source=Apache-2.0&source=GPL-2.0-only").json()
    assert mix["options"] == [] and "What you can do:" in mix["explanation"]
    gpl = api.get("/api/v1/licences/adaptations/?source=Apache-2.0&source=GPL-3.0-only").json()
    assert gpl["recommended"] == "GPL-3.0-only"
