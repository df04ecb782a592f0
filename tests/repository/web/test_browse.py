"""Home and browse: published resources for anonymous visitors, facets, combine-with, query count."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.repository.web.pages import publish, titles


def test_home_lists_published_resources_to_anonymous_visitors(client, published):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b"Counter" in response.content
    assert response["Content-Security-Policy"].startswith("default-src 'self'")


def test_facets_filter_and_count_with_the_other_facets_applied(client, catalogue):
    response = client.get(reverse("home"), {"institution": "northfield"})
    assert titles(response) == ["Fractions", "Optics bench"]
    institution = next(f for f in response.context["facets"] if f.name == "institution")
    assert {v.value: v.count for v in institution.values} == {"northfield": 2, "southbank": 1}
    assert titles(client.get(reverse("home"), {"subject": "physics"})) == ["Optics bench"]
    assert titles(client.get(reverse("home"), {"level": "primary"})) == ["Levers"]
    assert titles(client.get(reverse("home"), {"licence": "CC-BY-NC-4.0"})) == ["Fractions"]
    assert titles(client.get(reverse("home"), {"state": "published", "q": "lev"})) == ["Levers"]


def test_combine_with_keeps_only_works_whose_licences_can_be_remixed_together(client, catalogue):
    # CC BY-SA and CC BY-NC have no licence in common for an adaptation.
    assert titles(client.get(reverse("home"), {"combine": "CC-BY-SA-4.0"})) == [
        "Levers",
        "Optics bench",
    ]
    assert "Fractions" in titles(client.get(reverse("home"), {"combine": "CC-BY-4.0"}))
    assert len(titles(client.get(reverse("home"), {"combine": "no-such-licence"}))) == 3


def test_combine_with_offers_software_licences_and_applies_their_rules(client, catalogue):
    assert 'value="Apache-2.0"' in client.get(reverse("home")).content.decode()
    # CC BY-SA 4.0 -> GPLv3 is one-way compatible; GPL-2.0-only meets neither BY-SA nor BY-NC.
    assert titles(client.get(reverse("home"), {"combine": "GPL-3.0-only"})) == [
        "Levers",
        "Optics bench",
    ]
    assert titles(client.get(reverse("home"), {"combine": "GPL-2.0-only"})) == []
    assert len(titles(client.get(reverse("home"), {"combine": "Apache-2.0"}))) == 3


def test_home_query_count_does_not_grow_with_results(
    client, catalogue, tmp_path, northfield, staff
):
    def home() -> tuple[int, int]:
        """Queries made and resources listed by one anonymous request for the home page."""
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("home"))
        assert response.status_code == 200
        return len(captured), len(titles(response))

    few, listed_few = home()
    for n in range(4):
        publish(tmp_path, northfield, staff, f"more-{n}", title=f"Pendulum {n}")
    many, listed_many = home()
    assert (listed_few, listed_many) == (3, 7)
    assert many == few
