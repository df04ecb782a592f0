"""Versions through the API: who sees what, files with ETags, zips, validation, attribution, lineage."""

import io
import zipfile

import pytest

from repository.actions.forks import fork_version
from repository.models import Version
from tests.repository.api.conftest import bearer, deposit

ROLES = ["admin", "staff", "student", "outsider", "anonymous"]


def as_role(api, request, role, make_token, scope="read"):
    if role != "anonymous":
        api.credentials(**bearer(make_token(request.getfixturevalue(role), scope)))
    return api


@pytest.mark.parametrize(
    ("role", "sees_draft"),
    [
        ("admin", True),
        ("staff", True),
        ("student", False),
        ("outsider", False),
        ("anonymous", False),
    ],
)
def test_unpublished_versions_only_for_their_institutions_staff(
    api, request, make_token, published, draft, role, sees_draft
):
    as_role(api, request, role, make_token)
    listed = {v["id"] for v in api.get("/api/v1/versions/").json()["results"]}
    assert listed == ({published.pk, draft.pk} if sees_draft else {published.pk})
    for suffix in [
        "",
        "files/",
        "files/index.html",
        "download/",
        "validation/",
        "lineage/",
        "attribution/",
    ]:
        response = api.get(f"/api/v1/versions/{draft.pk}/{suffix}")
        assert response.status_code == (200 if sees_draft else 404), suffix
        assert api.get(f"/api/v1/versions/{published.pk}/{suffix}").status_code == 200, suffix


def test_a_student_sees_the_version_they_deposited_themselves(
    api, make_token, northfield, student, staff, tmp_path
):
    # Students cannot deposit, but a fork by a student is theirs while unpublished.
    source = deposit(northfield, staff, tmp_path, publish=True)
    fork = fork_version(source, into=northfield, by=student)
    api.credentials(**bearer(make_token(student, "read")))
    assert api.get(f"/api/v1/versions/{fork.pk}/").status_code == 200


def test_version_detail_links_everything(api, published):
    body = api.get(f"/api/v1/versions/{published.pk}/").json()
    assert body["state"] == "published"
    assert body["resource"]["institution"] == "northfield"
    assert body["manifest"]["title"] == "Sun path explorer"
    for link in ["files_url", "download_url", "lineage_url", "attribution_url", "status_url"]:
        assert api.get(body[link]).status_code == 200, link


def test_file_bytes_carry_an_etag_and_answer_304_when_unchanged(api, published):
    listing = api.get(f"/api/v1/versions/{published.pk}/files/").json()
    entry = next(f for f in listing if f["path"] == "index.html")
    response = api.get(entry["url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["ETag"] == f'"{entry["sha256"]}"'
    assert "immutable" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert len(body) == entry["size"]
    again = api.get(entry["url"], HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def test_draft_files_are_not_cached_by_shared_caches(api, make_token, staff, draft):
    api.credentials(**bearer(make_token(staff, "read")))
    response = api.get(f"/api/v1/versions/{draft.pk}/files/app.js")
    assert response["Cache-Control"].startswith("private")


def test_unknown_file_is_404_in_the_error_shape(api, published):
    response = api.get(f"/api/v1/versions/{published.pk}/files/../../etc/passwd")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_download_streams_a_zip_with_manifest_and_attribution(api, published):
    response = api.get(f"/api/v1/versions/{published.pk}/download/", HTTP_ACCEPT="application/zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert {"remixbank.json", "ATTRIBUTION.txt", "index.html", "app.js"} <= set(archive.namelist())


def test_validation_report_is_the_status_url(api, published):
    body = api.get(f"/api/v1/versions/{published.pk}/validation/").json()
    assert body["finished"] is True
    assert body["state"] == "published"
    assert body["run"]["state"] == "passed"
    steps = body["run"]["steps"]
    assert steps[0]["name"] == "package"
    assert {s["status"] for s in steps} <= {"passed", "skipped"}


def test_attribution_gives_text_html_and_jsonld(api, published):
    body = api.get(f"/api/v1/versions/{published.pk}/attribution/").json()
    assert body["licence"]["id"] == "CC-BY-SA-4.0"
    assert "Sun path explorer" in body["text"]
    assert "<a" in body["html"]
    assert body["jsonld"]


@pytest.fixture
def chain(published, northfield, southbank, staff, outsider):
    """published ← fork_a (Northfield draft) ← fork_b (Southbank draft of a fork of a draft)."""
    fork_a = fork_version(published, into=northfield, by=staff)
    Version.objects.filter(pk=fork_a.pk).update(state=Version.State.PUBLISHED)
    fork_b = fork_version(fork_a, into=southbank, by=outsider)
    return published, fork_a, fork_b


def test_lineage_walks_ancestors_and_descendants_with_one_cte(
    api, make_token, chain, outsider, django_assert_num_queries
):
    root, middle, leaf = chain
    api.credentials(**bearer(make_token(outsider, "read")))
    # The token, the version, the one recursive walk, parents, children, the relatives' rows
    # (one side is empty at either end of the chain), the works it collects and the collections
    # that hold it: the same however long the chain.
    with django_assert_num_queries(LINEAGE_QUERIES) as captured:
        body = api.get(f"/api/v1/versions/{leaf.pk}/lineage/").json()
    walks = [q["sql"] for q in captured.captured_queries if "WITH RECURSIVE" in q["sql"].upper()]
    assert len(walks) == 1
    assert [(a["distance"], a["version"]["id"]) for a in body["ancestors"]] == [
        (1, middle.pk),
        (2, root.pk),
    ]
    assert body["parents"][0]["kind"] == "fork"
    body = api.get(f"/api/v1/versions/{root.pk}/lineage/?depth=1").json()
    assert [d["version"]["id"] for d in body["descendants"]] == [middle.pk]
    with django_assert_num_queries(LINEAGE_QUERIES):
        body = api.get(f"/api/v1/versions/{root.pk}/lineage/").json()
    assert [d["version"]["id"] for d in body["descendants"]] == [middle.pk, leaf.pk]


LINEAGE_QUERIES = 8


def test_lineage_hides_descendants_the_caller_may_not_see(api, chain):
    root, middle, _ = chain
    body = api.get(f"/api/v1/versions/{root.pk}/lineage/").json()
    assert [d["version"]["id"] for d in body["descendants"]] == [middle.pk]
    assert api.get(f"/api/v1/versions/{root.pk}/lineage/?depth=0").status_code == 400


def test_version_filters(api, published, northfield, staff, tmp_path):
    scenario_less = deposit(
        northfield, staff, tmp_path, publish=True, level="university", license="CC-BY-4.0"
    )

    def ids(query):
        return {v["id"] for v in api.get(f"/api/v1/versions/?{query}").json()["results"]}

    assert ids("level=university") == {scenario_less.pk}
    assert ids("licence=CC-BY-4.0") == {scenario_less.pk}
    assert ids(f"resource={published.resource_id}") == {published.pk}
    assert ids("state=published&institution=northfield") == {published.pk, scenario_less.pk}
    assert ids("institution=southbank") == set()
    assert ids("subject=mathematics") == {published.pk, scenario_less.pk}
    assert ids("subject=math") == set()
    response = api.get("/api/v1/versions/?state=lost")
    assert response.status_code == 400
    assert "state" in response.json()["error"]["fields"]


def test_a_version_id_that_is_not_a_number_is_404_in_the_error_shape(api, published):
    response = api.get("/api/v1/versions/null,null/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
