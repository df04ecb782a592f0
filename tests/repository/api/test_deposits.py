"""Deposits through the API: 202 with a status URL at once; refusals in the error shape."""

import json

import pytest

from repository.models import Version
from tests.factories import build_zip, manifest
from tests.repository.api.conftest import bearer


def post_package(api, path, token, **fields):
    with path.open("rb") as handle:
        return api.post("/api/v1/deposits/", {"package": handle, **fields}, **bearer(token))


def test_deposit_answers_202_with_the_version_and_its_status_url(
    api, staff, make_token, package, django_capture_on_commit_callbacks
):
    token = make_token(staff, "read deposit")
    with django_capture_on_commit_callbacks() as callbacks:
        response = post_package(api, package, token)
    assert response.status_code == 202, response.content
    body = response.json()
    version = Version.objects.get()
    assert body["version"]["id"] == version.pk
    assert body["version"]["state"] == "uploaded"
    assert response["Location"] == body["status_url"]
    assert body["status_url"].endswith(f"/api/v1/versions/{version.pk}/validation/")
    assert len(callbacks) == 1  # validation queued after commit
    status = api.get(body["status_url"], **bearer(token)).json()
    assert status["finished"] is False


def test_refused_package_gives_package_refused(api, staff, make_token, tmp_path):
    bad = build_zip(tmp_path / "bad.zip", manifest_data="omit")
    response = post_package(api, bad, make_token(staff, "deposit"))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "package_refused"
    assert "remixbank.json" in error["message"]
    assert not Version.objects.exists()


def test_missing_package_is_a_field_error(api, staff, make_token):
    response = api.post("/api/v1/deposits/", {}, **bearer(make_token(staff, "deposit")))
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["package"]


@pytest.mark.parametrize("role", ["student", "outsider"])
def test_only_staff_of_the_institution_may_deposit_into_it(
    api, request, make_token, package, northfield, role
):
    token = make_token(request.getfixturevalue(role), "deposit")
    response = post_package(api, package, token, institution="northfield")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_admin_deposits_a_new_version_of_an_existing_resource(
    api, admin, make_token, published, tmp_path
):
    path = build_zip(
        tmp_path / "v2.zip", manifest_data=manifest(title="Sun path explorer", changelog="Fixes")
    )
    response = post_package(
        api, path, make_token(admin, "deposit"), resource=published.resource_id, changelog="Fixes"
    )
    assert response.status_code == 202, response.content
    assert response.json()["version"]["number"] == 2


def test_unknown_institution_is_a_field_error(api, staff, make_token, package):
    response = post_package(api, package, make_token(staff, "deposit"), institution="nowhere")
    assert response.status_code == 400
    assert "institution" in response.json()["error"]["fields"]


def test_a_manifest_hidden_behind_a_nul_byte_is_refused(api, staff, make_token, tmp_path):
    from repository.models import Blob
    from tests.repository.actions.test_deposits import zip_named

    hidden = {"remixbank.json#.txt": json.dumps(manifest(title="Hidden")).encode()}
    package = zip_named(tmp_path / "nul.zip", hidden, with_manifest=False)
    response = post_package(api, package, make_token(staff, "deposit"))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "package_refused"
    assert error["message"].startswith(
        "Entry 'remixbank.json\\x00.txt' has a control character (U+0000) in its name"
    )
    assert not Version.objects.exists() and not Blob.objects.exists()
