"""Resources through the API: visibility, filters, search, ordering, cursor pages, query count."""

import pytest

from tests.repository.api.conftest import bearer, deposit


@pytest.fixture
def catalogue(northfield, southbank, staff, outsider, tmp_path):
    return {
        "sun": deposit(
            northfield,
            staff,
            tmp_path,
            publish=True,
            title="Sun path explorer",
            description="Follow the sun across the sky.",
            level="secondary",
        ),
        "tracker": deposit(
            northfield,
            staff,
            tmp_path,
            publish=True,
            title="Solar tracker lab",
            description="Tune a controller.",
            level="university",
            subjects=["physics"],
            license="CC-BY-4.0",
        ),
        "fractions": deposit(
            southbank,
            outsider,
            tmp_path,
            publish=True,
            title="Fraction wall",
            description="Compare fractions.",
        ),
        "draft": deposit(northfield, staff, tmp_path, publish=False, title="Unreleased sundial"),
    }


def titles(api, query="", **headers):
    response = api.get(f"/api/v1/resources/{query}", **headers)
    assert response.status_code == 200, response.content
    return [r["title"] for r in response.json()["results"]]


def test_anonymous_sees_published_resources_only(api, catalogue):
    assert sorted(titles(api)) == ["Fraction wall", "Solar tracker lab", "Sun path explorer"]


def test_staff_sees_their_institutions_drafts(api, catalogue, staff, make_token):
    assert "Unreleased sundial" in titles(api, **bearer(make_token(staff, "read")))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?kind=tool&institution=northfield", ["Solar tracker lab", "Sun path explorer"]),
        ("?licence=CC-BY-4.0", ["Solar tracker lab"]),
        ("?subject=physics", ["Solar tracker lab"]),
        ("?level=university", ["Solar tracker lab"]),
        ("?q=sun", ["Sun path explorer"]),
        ("?q=fractions", ["Fraction wall"]),
        ("?ordering=title", ["Fraction wall", "Solar tracker lab", "Sun path explorer"]),
        ("?ordering=-title", ["Sun path explorer", "Solar tracker lab", "Fraction wall"]),
    ],
)
def test_filters_search_and_ordering(api, catalogue, query, expected):
    got = titles(api, query)
    assert got == expected if "ordering" in query else sorted(got) == expected


def test_cursor_pages_walk_everything_once(api, catalogue):
    seen, url = [], "/api/v1/resources/?page_size=2"
    while url:
        body = api.get(url).json()
        assert "count" not in body  # cursor pagination: no COUNT(*)
        seen += [r["id"] for r in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 3


def test_list_query_count_does_not_grow_with_the_page(
    api, catalogue, staff, make_token, django_assert_num_queries
):
    headers = bearer(make_token(staff, "read"))
    # The token (with its application), then one page with institutions and latest versions.
    with django_assert_num_queries(2):
        api.get("/api/v1/resources/?page_size=1", **headers)
    with django_assert_num_queries(2):
        body = api.get("/api/v1/resources/?page_size=100", **headers).json()
    assert len(body["results"]) == 4


def test_resource_detail_hides_other_institutions_drafts(api, catalogue, outsider, make_token):
    draft = catalogue["draft"].resource
    response = api.get(f"/api/v1/resources/{draft.pk}/", **bearer(make_token(outsider, "read")))
    assert response.status_code == 404
    published = catalogue["sun"]
    body = api.get(f"/api/v1/resources/{published.resource_id}/").json()
    assert body["latest_published"]["id"] == published.pk
    assert api.get(body["versions_url"]).json()["results"][0]["id"] == published.pk
