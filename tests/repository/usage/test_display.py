"""Counts shown back: the sparkline on resource and institution pages, and the API."""

from io import StringIO

from django.core.management import call_command
from lxml import html

from repository.usage.sparkline import sparkline_svg
from tests.repository.usage.conftest import FIREFOX, SAFARI
from tests.repository.usage.test_recording import fetch, page, resource_page, yesterday_events


def test_the_sparkline_is_an_svg_line_scaled_to_its_peak_with_its_label_escaped():
    svg = sparkline_svg([0, 2, 4], label='Uses <script>"x"')
    tree = html.fromstring(svg)
    assert tree.tag == "svg" and tree.get("role") == "img"
    assert tree.get("aria-label") == 'Uses <script>"x"'
    assert "<script>" not in svg
    points = [tuple(map(float, p.split(","))) for p in tree.find("polyline").get("points").split()]
    assert [y for _, y in points] == [22.0, 12.0, 2.0]  # zero at the bottom, the peak at the top
    assert points[0][0] == 2.0 and points[-1][0] == 118.0


def used_yesterday(client, tool) -> None:
    fetch(client, resource_page(tool), FIREFOX, REMOTE_ADDR="192.0.2.1")
    fetch(client, page(tool, "version_download"), FIREFOX, REMOTE_ADDR="192.0.2.1")
    fetch(client, page(tool, "version_download"), SAFARI, REMOTE_ADDR="192.0.2.9")
    yesterday_events()
    call_command("aggregate_usage", stdout=StringIO())


def test_resource_and_institution_pages_draw_the_last_30_days(client, tool):
    before = html.fromstring(fetch(client, resource_page(tool), FIREFOX).content)
    assert "No use counted in the last 30 days" in before.get_element_by_id("use").text_content()
    used_yesterday(client, tool)
    for url in (resource_page(tool), f"/i/{tool.resource.institution.slug}/"):
        section = html.fromstring(fetch(client, url, FIREFOX).content).get_element_by_id("use")
        assert "Used 4 times in the last 30 days, 2 of them opened" in section.text_content()
        svg = section.find(".//svg")
        assert "4 in all, 2 of them" in svg.get("aria-label")  # the first look counted too
        points = svg.find("polyline").get("points").split()
        assert len(points) == 30 and points[-1].endswith(",2.0")  # yesterday is the peak


def test_the_api_gives_each_day_and_the_totals(client, tool):
    used_yesterday(client, tool)
    for url in (
        f"/api/v1/resources/{tool.resource_id}/usage/",
        f"/api/v1/versions/{tool.pk}/usage/",
        f"/api/v1/institutions/{tool.resource.institution.slug}/usage/",
    ):
        data = client.get(url).json()
        assert len(data["days"]) == 30
        assert data["totals"]["downloads"] == 2 and data["totals"]["views"] == 1
        assert data["totals"]["unique_requests"] == 2
        assert data["days"][-1]["total_investigations"] == 3
        assert data["days"][-1]["date"] == data["to"]


def test_the_api_refuses_bad_dates_saying_how(client, tool):
    url = f"/api/v1/resources/{tool.resource_id}/usage/"
    bad = client.get(url, {"from": "2026-02-30"})
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"]["from"] == [
        "'2026-02-30' is not a date: give it as YYYY-MM-DD."
    ]
    swapped = client.get(url, {"from": "2026-03-01", "to": "2026-02-01"}).json()
    assert "swap them" in swapped["error"]["fields"]["from"][0]
    long = client.get(url, {"from": "2024-01-01", "to": "2026-01-01"}).json()
    assert "At most 366 days" in long["error"]["fields"]["from"][0]
