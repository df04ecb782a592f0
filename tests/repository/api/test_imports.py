"""Bulk import through the API: several packages in one POST, answered with each one's outcome."""

from repository.models import Version
from tests.factories import build_zip, features_manifest, features_tool_files
from tests.packages import h5p_package
from tests.repository.api.conftest import bearer


def post_packages(api, paths, token, **fields):
    handles = [p.open("rb") for p in paths]
    try:
        return api.post("/api/v1/imports/", {"packages": handles, **fields}, **bearer(token))
    finally:
        for handle in handles:
            handle.close()


def test_several_packages_are_deposited_refused_or_duplicates_in_one_post(
    api, staff, make_token, tmp_path
):
    tool = build_zip(
        tmp_path / "atelier.zip", features_tool_files(), manifest_data=features_manifest()
    )
    quiz = h5p_package(tmp_path / "planetes.h5p")
    broken = tmp_path / "broken.zip"
    broken.write_bytes(tool.read_bytes()[:300])
    token = make_token(staff, "read deposit")
    response = post_packages(api, [tool, quiz, broken], token)
    assert response.status_code == 200, response.content
    body = response.json()
    statuses = {p["name"]: p["status"] for p in body["packages"]}
    assert statuses == {
        "atelier.zip": "deposited",
        "planetes.h5p": "deposited",
        "broken.zip": "refused",
    }
    assert (
        body["summary"] == "3 packages: 2 deposited, 0 duplicates of existing content, 1 refused."
    )
    assert Version.objects.count() == 2
    again = post_packages(api, [tool, quiz], token).json()
    assert [p["status"] for p in again["packages"]] == ["duplicate", "duplicate"]
    assert {p["version"] for p in again["packages"]} == set(
        Version.objects.values_list("pk", flat=True)
    )
    assert Version.objects.count() == 2


def test_a_student_is_refused_at_once_and_nothing_is_stored(
    api, student, make_token, tmp_path, northfield
):
    quiz = h5p_package(tmp_path / "planetes.h5p")
    response = post_packages(api, [quiz], make_token(student, "deposit"), institution="northfield")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not Version.objects.exists()


def test_a_token_without_the_deposit_scope_is_refused(api, staff, make_token, tmp_path):
    quiz = h5p_package(tmp_path / "planetes.h5p")
    response = post_packages(api, [quiz], make_token(staff, "read"))
    assert response.status_code == 403
    assert not Version.objects.exists()


def test_no_packages_is_a_field_error(api, staff, make_token):
    response = api.post("/api/v1/imports/", {}, **bearer(make_token(staff, "deposit")))
    assert response.status_code == 400
    assert "packages" in response.json()["error"]["fields"]
