"""COUNTER_SUSHI Release 5 fetched from the live server by pycounter, and its exceptions."""

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pycounter.sushi
import pycounter.sushi5
import pytest
import requests
from django.core.management import call_command

from repository.models import UsageEvent, UsageSalt
from tests.repository.usage.conftest import FIREFOX, SAFARI
from tests.repository.usage.test_recording import fetch, page, resource_page

pytestmark = pytest.mark.django_db(transaction=True)


def month_start(months_ago: int) -> date:
    first = datetime.now(UTC).date().replace(day=1)
    for _ in range(months_ago):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def used_on(day: date) -> None:
    """Test data: the events recorded so far moved to `day`, then that day counted."""
    at = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
    for n, event in enumerate(UsageEvent.objects.all()):
        event.occurred_at = at + timedelta(minutes=n)
        event.save()
    UsageSalt.objects.all().delete()
    call_command("aggregate_usage", stdout=StringIO())


@pytest.fixture
def counted(client, tool):
    """Two months of use of the tool: downloads, try-it starts, views, by three visitors."""
    two_months_ago, last_month = month_start(2), month_start(1)
    fetch(client, page(tool, "version_download"), FIREFOX, REMOTE_ADDR="192.0.2.1")
    fetch(client, page(tool, "version_download"), SAFARI, REMOTE_ADDR="192.0.2.2")
    fetch(client, resource_page(tool), SAFARI, REMOTE_ADDR="192.0.2.3")
    used_on(two_months_ago + timedelta(days=3))
    for address in ("192.0.2.1", "192.0.2.4", "192.0.2.5"):
        fetch(client, page(tool, "version_download"), FIREFOX, REMOTE_ADDR=address)
    used_on(last_month + timedelta(days=9))
    return two_months_ago, last_month


@pytest.fixture
def sushi(live_server, settings) -> str:
    settings.SITE_URL = live_server.url
    return f"{live_server.url}/sushi/r5"


def test_pycounter_reads_the_tr_j1_report_month_by_month(sushi, counted, tool):
    two_months_ago, last_month = counted
    report = pycounter.sushi.get_report(
        url=sushi,
        release=5,
        report="TR_J1",
        requestor_id="northfield-library",
        customer_reference="northfield",
        start_date=two_months_ago,
        end_date=last_month + timedelta(days=20),
    )
    assert report.report_type == "TR_J1" and report.report_version == 5
    assert report.customer == "Northfield University"
    assert report.period[0] == two_months_ago
    (title,) = report.pubs
    assert title.title == "Atelier des mots"
    assert title.platform == "Remixbank"
    assert [(month, metric, count) for month, metric, count in title] == [
        (two_months_ago, "Total_Item_Requests", 2),
        (last_month, "Total_Item_Requests", 3),
    ]


def test_the_title_and_item_reports_carry_investigations_requests_and_uniques(sushi, counted, tool):
    two_months_ago, last_month = counted
    common = {
        "requestor_id": "northfield-library",
        "customer_reference": "northfield",
        "start_date": f"{two_months_ago:%Y-%m}",
        "end_date": f"{last_month:%Y-%m}",
    }
    tr = pycounter.sushi5.get_sushi_stats_raw(url=sushi, report="tr", **common)
    assert tr["Report_Header"]["Report_ID"] == "TR"
    assert "Exceptions" not in tr["Report_Header"]
    (item,) = tr["Report_Items"]
    first = {i["Metric_Type"]: i["Count"] for i in item["Performance"][0]["Instance"]}
    assert item["Performance"][0]["Period"]["Begin_Date"] == two_months_ago.isoformat()
    assert first == {
        "Total_Item_Investigations": 3,
        "Total_Item_Requests": 2,
        "Unique_Item_Investigations": 3,
        "Unique_Item_Requests": 2,
    }
    ir = pycounter.sushi5.get_sushi_stats_raw(url=sushi, report="IR", **common)
    (version,) = ir["Report_Items"]
    assert version["Item"] == "Atelier des mots v1"
    assert version["Data_Type"] == "Repository_Item"
    assert version["Item_ID"][0] == {
        "Type": "Proprietary",
        "Value": f"Remixbank:northfield/{tool.resource.slug}/v1",
    }
    last = {i["Metric_Type"]: i["Count"] for i in version["Performance"][1]["Instance"]}
    assert last["Total_Item_Requests"] == last["Unique_Item_Requests"] == 3


def test_status_members_and_reports_list(sushi, northfield):
    status = requests.get(f"{sushi}/status", timeout=30).json()
    assert status[0]["Service_Active"] is True
    reports = requests.get(f"{sushi}/reports", timeout=30).json()
    assert {r["Report_ID"] for r in reports} == {"TR", "TR_J1", "IR"}
    assert all(r["Release"] == "5" for r in reports)
    members = requests.get(f"{sushi}/members", timeout=30).json()
    assert {"Customer_ID": "northfield", "Name": "Northfield University"}.items() <= members[
        0
    ].items()


GOOD = {"customer_id": "northfield", "requestor_id": "lib", "begin_date": "2026-01-01"}


@pytest.mark.parametrize(
    ("report", "params", "status", "code", "says"),
    [
        (
            "tr",
            {**GOOD, "end_date": "2026-13-01"},
            400,
            3020,
            "end_date '2026-13-01' is not a date",
        ),
        ("tr", {**GOOD, "end_date": "2025-12-31"}, 400, 3020, "is after end_date"),
        ("tr", {**GOOD, "end_date": "2999-12"} | {"begin_date": "2999-01"}, 400, 3031, "future"),
        (
            "tr",
            {k: v for k, v in GOOD.items() if k != "begin_date"},
            400,
            3070,
            "begin_date and end_date are required",
        ),
        ("jr1", {**GOOD, "end_date": "2026-02"}, 404, 3000, "There is no report 'jr1'"),
        (
            "tr",
            {**GOOD, "end_date": "2026-02", "customer_id": ""},
            400,
            1030,
            "customer_id is required",
        ),
        (
            "tr",
            {**GOOD, "end_date": "2026-02", "requestor_id": ""},
            400,
            1030,
            "requestor_id is required",
        ),
        (
            "tr",
            {**GOOD, "end_date": "2026-02", "customer_id": "atlantis"},
            403,
            2010,
            "No institution",
        ),
    ],
)
def test_bad_requests_get_a_counter_exception(
    sushi, northfield, report, params, status, code, says
):
    response = requests.get(f"{sushi}/reports/{report}", params=params, timeout=30)
    assert response.status_code == status
    body = response.json()
    assert body["Code"] == code and body["Severity"] == "Error"
    assert says in body["Data"]


def test_no_usage_and_unknown_parameters_are_said_in_the_report_header(sushi, northfield):
    params = {**GOOD, "end_date": "2026-02-28", "colour": "blue"}
    response = requests.get(f"{sushi}/reports/tr", params=params, timeout=30)
    assert response.status_code == 200
    header = response.json()["Report_Header"]
    assert [e["Code"] for e in header["Exceptions"]] == [3050, 3030]
    assert "colour was ignored" in header["Exceptions"][0]["Data"]
    with pytest.raises(pycounter.exceptions.Sushi5Error) as raised:
        pycounter.sushi5.get_sushi_stats_raw(
            url=sushi,
            report="TR",
            requestor_id="lib",
            customer_reference="northfield",
            start_date="2026-01",
            end_date="2026-02",
        )
    assert raised.value.code == 3030


def test_a_version_taken_down_is_not_named_in_the_public_reports(sushi, counted, tool):
    from django.contrib.auth import get_user_model

    from repository.actions.moderation import take_down_version

    two_months_ago, last_month = counted
    moderator = get_user_model().objects.create_user(
        "moderator@remixbank.example", email="moderator@remixbank.example", is_staff=True
    )
    take_down_version(tool, by=moderator, reason="Copies Zoë Ortega's worksheets wholesale.")
    params = {
        "customer_id": "northfield",
        "requestor_id": "anyone-at-all",
        "begin_date": f"{two_months_ago:%Y-%m}",
        "end_date": f"{last_month:%Y-%m}",
    }
    for report in ("tr", "tr_j1", "ir"):
        body = requests.get(f"{sushi}/reports/{report}", params=params, timeout=30).json()
        assert body["Report_Items"] == [], report
        assert "Atelier des mots" not in str(body)
        codes = [e["Code"] for e in body["Report_Header"]["Exceptions"]]
        assert codes == [3030]
