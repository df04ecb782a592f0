"""Upstream updates through the API: see a newer source of a fork, and pull it."""

import pytest

from repository.actions.deposits import deposit_package
from repository.actions.forks import fork_version
from repository.actions.publishing import publish_version
from repository.models import Version
from tests.factories import build_zip, manifest, tool_files, validated
from tests.repository.api.conftest import bearer


@pytest.fixture
def fork(published, southbank, outsider) -> Version:
    return fork_version(published, into=southbank, by=outsider)


@pytest.fixture
def newer(published, northfield, staff, tmp_path) -> Version:
    """Northfield publishes v2 of the forked work."""
    version = deposit_package(
        package=build_zip(
            tmp_path / "v2.zip",
            tool_files(**{"data.txt": b"new data\n"}),
            manifest_data=manifest(title="Sun path explorer"),
        ),
        institution=northfield,
        by=staff,
        resource=published.resource,
    )
    validated(version.pk)
    version.refresh_from_db()
    assert version.state == Version.State.PUBLISHED
    return version


def pull(api, fork, source, token, **extra):
    return api.post(
        f"/api/v1/resources/{fork.resource_id}/upstream/pulls/",
        {"source": source.pk, **extra},
        format="json",
        **bearer(token),
    )


def test_fork_owner_sees_the_newer_source_and_pulls_it(
    api, fork, newer, published, outsider, make_token
):
    token = make_token(outsider, "read deposit")
    response = api.get(f"/api/v1/resources/{fork.resource_id}/upstream/", **bearer(token))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["can_pull"] is True
    [update] = body["updates"]
    assert update["kind"] == "fork"
    assert (update["base"]["id"], update["source"]["id"]) == (published.pk, newer.pk)
    assert body["pulls_url"].endswith(f"/resources/{fork.resource_id}/upstream/pulls/")

    response = pull(api, fork, newer, token)
    assert response.status_code == 201, response.content
    pulled = Version.objects.get(pk=response.json()["version"]["id"])
    assert pulled.number == 2 and pulled.resource_id == fork.resource_id
    assert pulled.files.filter(path="data.txt").exists()
    assert pulled.licence == fork.licence


def test_no_updates_before_the_source_moves_on(api, fork, outsider, make_token):
    response = api.get(
        f"/api/v1/resources/{fork.resource_id}/upstream/", **bearer(make_token(outsider))
    )
    assert response.json()["updates"] == []


def test_staff_of_the_source_may_not_pull_into_someone_elses_fork(
    api, fork, newer, staff, outsider, make_token
):
    validated(fork.pk)
    publish_version(Version.objects.get(pk=fork.pk), by=outsider)  # so Northfield sees it
    token = make_token(staff, "read deposit")
    upstream = api.get(f"/api/v1/resources/{fork.resource_id}/upstream/", **bearer(token))
    assert upstream.json()["can_pull"] is False
    response = pull(api, fork, newer, token)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_a_read_scope_token_cannot_pull(api, fork, newer, outsider, make_token):
    response = pull(api, fork, newer, make_token(outsider, "read"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"


def test_pulling_what_is_not_newer_is_refused(api, fork, published, outsider, make_token):
    response = pull(api, fork, published, make_token(outsider, "deposit"))
    assert response.status_code == 400
    assert "nothing to pull" in response.json()["error"]["message"]


def test_pull_conflict_lists_the_paths_and_a_resolution_settles_it(
    api, fork, southbank, outsider, make_token, tmp_path, published, northfield, staff
):
    deposit_package(  # the fork changes data.txt, and so does the source's v2
        package=build_zip(
            tmp_path / "ours.zip",
            tool_files(**{"data.txt": b"ours\n"}),
            manifest_data=manifest(title="Sun path explorer", license=fork.licence),
        ),
        institution=southbank,
        by=outsider,
        resource=fork.resource,
    )
    theirs = deposit_package(
        package=build_zip(
            tmp_path / "theirs.zip",
            tool_files(**{"data.txt": b"theirs\n"}),
            manifest_data=manifest(title="Sun path explorer"),
        ),
        institution=northfield,
        by=staff,
        resource=published.resource,
    )
    validated(theirs.pk)
    token = make_token(outsider, "deposit")
    response = pull(api, fork, theirs, token)
    assert response.status_code == 409, response.content
    assert response.json()["error"]["code"] == "merge_conflict"
    assert response.json()["error"]["conflicts"] == ["data.txt"]
    response = pull(api, fork, theirs, token, resolutions={"data.txt": {"choice": "theirs"}})
    assert response.status_code == 201, response.content
    assert response.json()["version"]["number"] == 3


def test_outsider_cannot_see_the_upstream_of_a_hidden_draft(api, draft, outsider, make_token):
    response = api.get(
        f"/api/v1/resources/{draft.resource_id}/upstream/", **bearer(make_token(outsider))
    )
    assert response.status_code == 404
