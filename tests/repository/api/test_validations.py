"""POST /versions/{id}/validations/: staff re-run validation; the status URL keeps every run."""

from repository.actions.validation import validate_version
from repository.models import Version
from tests.factories import tool_files
from tests.repository.api.conftest import bearer, deposit


def test_staff_rerun_answers_202_with_the_status_url_and_the_history_grows(
    api, make_token, northfield, staff, tmp_path
):
    version = deposit(northfield, staff, tmp_path, publish=True)
    assert version.state == Version.State.PUBLISHED
    api.credentials(**bearer(make_token(staff, "read deposit")))
    response = api.post(f"/api/v1/versions/{version.pk}/validations/")
    assert response.status_code == 202, response.json()
    assert response.json()["status_url"].endswith(f"/versions/{version.pk}/validation/")
    again = api.post(f"/api/v1/versions/{version.pk}/validations/")
    assert again.status_code == 409
    assert "is being validated now" in again.json()["error"]["message"]
    validate_version(version.pk, revalidate=True)
    body = api.get(f"/api/v1/versions/{version.pk}/validation/").json()
    assert [r["rerun"] for r in body["runs"]] == [True, False]
    assert body["state"] == "published"


def test_a_student_may_not_rerun(api, make_token, northfield, staff, student, tmp_path):
    version = deposit(northfield, staff, tmp_path, publish=True)
    api.credentials(**bearer(make_token(student, "read deposit")))
    response = api.post(f"/api/v1/versions/{version.pk}/validations/")
    assert response.status_code in {403, 404}
    assert version.validation_runs.count() == 1


def test_a_declared_dependency_is_given_structured_in_the_api(
    api, make_token, northfield, staff, tmp_path
):
    page = b'<!doctype html><script src="https://cdn.example.org/lib.js"></script>'
    version = deposit(
        northfield,
        staff,
        tmp_path,
        publish=True,
        external_resources=["https://cdn.example.org/"],
        files={**tool_files(), "index.html": page},
    )
    body = api.get(f"/api/v1/versions/{version.pk}/").json()
    assert body["needs_network"] == [
        {"url": "https://cdn.example.org/lib.js", "kind": "script", "found_in": ["index.html:1"]}
    ]


def test_an_api_deposit_identical_to_the_latest_version_is_refused_as_nothing_changed(
    api, make_token, northfield, staff, tmp_path
):
    """A re-upload is no way to re-run validation: the API refuses it and points at v1."""
    from tests.factories import build_zip, manifest

    version = deposit(northfield, staff, tmp_path, publish=True, title="Sun path explorer")
    path = build_zip(tmp_path / "same.zip", manifest_data=manifest(title="Sun path explorer"))
    with path.open("rb") as handle:
        response = api.post(
            "/api/v1/deposits/",
            {"package": handle, "resource": version.resource_id},
            **bearer(make_token(staff, "deposit")),
        )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["message"].startswith("Nothing changed since v1")
    assert version.resource.versions.count() == 1
