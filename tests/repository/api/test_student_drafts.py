"""A student's drafts through the API: fork into a draft, deposit versions to it, staff publish."""

from repository.models import Version
from tests.factories import build_zip, manifest, validated
from tests.repository.api.conftest import bearer


def fork_as(api, person, version, make_token) -> Version:
    response = api.post(
        f"/api/v1/versions/{version.pk}/forks/",
        {"title": "Sun path, Charlie's edition"},
        format="json",
        **bearer(make_token(person, "deposit")),
    )
    assert response.status_code == 201, response.content
    return Version.objects.get(pk=response.json()["version"]["id"])


def post_package(api, path, token, **fields):
    with path.open("rb") as handle:
        return api.post("/api/v1/deposits/", {"package": handle, **fields}, **bearer(token))


def test_a_students_api_fork_is_their_draft_credited_to_them(api, student, make_token, published):
    fork = fork_as(api, student, published, make_token)
    assert fork.created_by == student
    assert fork.authors == ["Charlie"]
    assert fork.resource.institution.slug == "northfield"
    assert fork.publish_on_pass is False


def test_a_student_deposits_a_v2_to_their_draft_which_waits_for_staff(
    api, student, staff, make_token, published, tmp_path
):
    fork = fork_as(api, student, published, make_token)
    package = build_zip(tmp_path / "v2.zip", manifest_data=manifest(changelog="My change"))
    response = post_package(api, package, make_token(student, "deposit"), resource=fork.resource.pk)
    assert response.status_code == 202, response.content
    v2 = fork.resource.versions.get(number=2)
    # publish_on_pass defaults to true in the API, but only staff publish.
    assert (v2.created_by, v2.publish_on_pass) == (student, False)
    validated(v2.pk)
    v2.refresh_from_db()
    assert v2.state == Version.State.PASSED
    refused = api.post(
        f"/api/v1/versions/{v2.pk}/publication/",
        {},
        format="json",
        **bearer(make_token(student, "deposit review admin")),
    )
    assert refused.status_code == 403, refused.content
    assert "Only staff of Northfield University may publish" in refused.json()["error"]["message"]
    v2.refresh_from_db()
    assert v2.state == Version.State.PASSED


def test_a_student_cannot_deposit_a_new_resource_or_to_staffs(
    api, student, make_token, published, tmp_path
):
    package = build_zip(tmp_path / "new.zip", manifest_data=manifest(changelog="Mine"))
    token = make_token(student, "deposit")
    new = post_package(api, package, token, institution="northfield")
    assert new.status_code == 403, new.content
    assert (
        "Only staff of Northfield University may deposit new resources"
        in (new.json()["error"]["message"])
    )
    theirs = post_package(api, package, token, resource=published.resource.pk)
    assert theirs.status_code == 403, theirs.content
    assert "propose a contribution to it instead" in theirs.json()["error"]["message"]
    assert Version.objects.count() == 1
