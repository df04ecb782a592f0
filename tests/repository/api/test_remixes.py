"""Remixes and collections through the API: POST /remixes/ and /collections/."""

import pytest

from repository.models import CollectionItem, Derivation, Version
from repository.storage import blobs
from tests.factories import tool_files
from tests.repository.api.conftest import bearer, deposit


@pytest.fixture
def pendulum(southbank, outsider, tmp_path) -> Version:
    return deposit(
        southbank, outsider, tmp_path, publish=True, title="Pendulum", license="CC-BY-4.0"
    )


@pytest.fixture
def orbits(southbank, outsider, tmp_path) -> Version:
    return deposit(
        southbank, outsider, tmp_path, publish=True, title="Orbits", license="CC-BY-NC-4.0"
    )


def post(api, url, data, token):
    return api.post(url, data, format="json", **bearer(token))


def test_remix_of_two_institutions_works_into_your_own(api, staff, make_token, published, pendulum):
    response = post(
        api,
        "/api/v1/remixes/",
        {
            "title": "Sun and pendulum",
            "entry_point": "index.html",
            "picks": [
                {"source": published.pk, "path": "index.html"},
                {"source": pendulum.pk, "path": "app.js", "to": "lib/"},
            ],
            "files": {"notes.txt": "Teacher notes\n"},
        },
        make_token(staff, "deposit"),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    remix = Version.objects.get(pk=body["version"]["id"])
    assert body["version"]["resource"]["institution"] == "northfield"
    assert body["version"]["licence"] == "CC-BY-SA-4.0"  # the ShareAlike source decides
    assert response["Location"] == body["status_url"]
    paths = dict(remix.files.values_list("path", "blob_id"))
    assert set(paths) == {"index.html", "lib/app.js", "notes.txt", "ATTRIBUTION.txt"}
    assert blobs.read_blob(paths["notes.txt"]) == b"Teacher notes\n"
    assert {e.parent_id for e in Derivation.objects.filter(child=remix)} == {
        published.pk,
        pendulum.pk,
    }


def test_remix_of_licences_that_cannot_be_combined_names_the_sources(
    api, staff, make_token, published, orbits
):
    before = Version.objects.count()
    response = post(
        api,
        "/api/v1/remixes/",
        {
            "title": "Bad mix",
            "entry_point": "index.html",
            "picks": [
                {"source": orbits.pk, "path": "index.html"},
                {"source": published.pk, "path": "app.js"},
            ],
        },
        make_token(staff, "deposit"),
    )
    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "licence_conflict"
    assert "Orbits" in error["message"] and "Sun path explorer" in error["message"]
    assert Version.objects.count() == before


def test_remix_path_collision_is_refused_in_the_error_shape(
    api, staff, make_token, published, pendulum
):
    response = post(
        api,
        "/api/v1/remixes/",
        {
            "title": "Clash",
            "entry_point": "index.html",
            "picks": [
                {"source": published.pk, "path": "index.html"},
                {"source": pendulum.pk, "path": "index.html"},
            ],
        },
        make_token(staff, "deposit"),
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "remix_refused"
    assert "index.html" in error["message"]


def test_remix_of_a_draft_you_cannot_see_is_a_field_error(
    api, outsider, make_token, draft, pendulum
):
    response = post(
        api,
        "/api/v1/remixes/",
        {
            "title": "Peek",
            "entry_point": "index.html",
            "picks": [{"source": draft.pk}, {"source": pendulum.pk, "path": "app.js", "to": "x/"}],
        },
        make_token(outsider, "deposit"),
    )
    assert response.status_code == 400
    assert str(draft.pk) in response.json()["error"]["fields"]["picks"][0]


@pytest.mark.parametrize("url", ["/api/v1/remixes/", "/api/v1/collections/"])
def test_a_read_scope_token_cannot_remix_or_collect(api, staff, make_token, published, url):
    response = post(api, url, {}, make_token(staff, "read"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"


def test_anonymous_cannot_remix(api, published):
    response = api.post("/api/v1/remixes/", {}, format="json")
    assert response.status_code == 401


def test_collection_keeps_each_work_and_its_licence(api, staff, make_token, published, pendulum):
    response = post(
        api,
        "/api/v1/collections/",
        {"title": "Sky kit", "sources": [published.pk, pendulum.pk]},
        make_token(staff, "deposit"),
    )
    assert response.status_code == 201, response.content
    collection = Version.objects.get(pk=response.json()["version"]["id"])
    assert collection.licence == "CC-BY-4.0"
    assert CollectionItem.objects.filter(collection=collection).count() == 2
    assert collection.files.filter(path="index.html").exists()
    assert not Derivation.objects.filter(child=collection).exists()


def test_collection_refuses_a_commercial_licence_over_a_non_commercial_work(
    api, staff, make_token, published, orbits
):
    response = post(
        api,
        "/api/v1/collections/",
        {"title": "Kit", "sources": [published.pk, orbits.pk], "licence": "CC-BY-4.0"},
        make_token(staff, "deposit"),
    )
    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "licence_conflict"
    assert "Orbits" in error["message"] and "Sun path explorer" in error["message"]


def test_collection_of_one_work_is_refused(api, staff, make_token, published):
    response = post(
        api,
        "/api/v1/collections/",
        {"title": "Alone", "sources": [published.pk]},
        make_token(staff, "deposit"),
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "remix_refused"


def test_student_may_remix_into_their_institution(api, student, make_token, published):
    response = post(
        api,
        "/api/v1/remixes/",
        {
            "title": "My version",
            "entry_point": "index.html",
            "picks": [{"source": published.pk}],
            "files": {"app.js": "// mine"},
        },
        make_token(student, "deposit"),
    )
    assert response.status_code == 201, response.content
    assert tool_files().keys() <= set(
        Version.objects.get(pk=response.json()["version"]["id"]).files.values_list(
            "path", flat=True
        )
    )
