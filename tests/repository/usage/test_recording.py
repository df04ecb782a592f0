"""Uses recorded where they happen (pages, download, the tool's origin, fork) and counted daily."""

from datetime import timedelta
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from repository.models import UsageDay, UsageEvent, UsageSalt, Version
from repository.validation import origins
from tests.factories import stored_version, tool_files
from tests.repository.usage.conftest import FIREFOX, GOOGLEBOT, SAFARI


def page(version: Version, name: str = "version") -> str:
    r = version.resource
    return reverse(name, args=[r.institution.slug, r.slug, version.number])


def resource_page(version: Version) -> str:
    return reverse("resource", args=[version.resource.institution.slug, version.resource.slug])


def fetch(client, url: str, agent: str, **extra):
    parts = urlsplit(url)
    host = {"HTTP_HOST": parts.netloc} if parts.netloc else {}
    response = client.get(parts.path or "/", HTTP_USER_AGENT=agent, **host, **extra)
    if response.streaming:
        b"".join(response.streaming_content)  # the test client closes it once read
    return response


def kinds() -> list[str]:
    return sorted(UsageEvent.objects.values_list("kind", flat=True))


def test_pages_download_and_the_tools_origin_record_one_use_each(client, tool):
    assert fetch(client, resource_page(tool), FIREFOX).status_code == 200
    assert fetch(client, page(tool), FIREFOX).status_code == 200
    assert fetch(client, page(tool, "version_download"), FIREFOX).status_code == 200
    # The tool started in the page's frame (or a tab): its entry point on its own origin.
    assert fetch(client, origins.url_of(tool), FIREFOX).status_code == 200
    # Its other files are the same start, not more of them.
    assert fetch(client, origins.origin_of(tool) + "/css/style.css", FIREFOX).status_code == 200
    assert kinds() == ["download", "try", "view", "view"]
    assert set(UsageEvent.objects.values_list("version_id", flat=True)) == {tool.pk}


def test_robots_and_unpublished_versions_are_not_counted(client, tool, northfield, staff):
    fetch(client, resource_page(tool), GOOGLEBOT)
    fetch(client, page(tool, "version_download"), "python-requests/2.32.3")
    fetch(client, origins.url_of(tool), "")
    draft = stored_version(tool_files(), resource__institution=northfield, state="passed")
    client.force_login(staff)
    fetch(client, page(draft), FIREFOX)
    fetch(client, origins.origin_of(draft, preview=True) + "/index.html", FIREFOX)
    assert kinds() == []


def test_nothing_personal_is_stored(client, tool, student):
    client.force_login(student)
    fetch(client, page(tool), SAFARI, REMOTE_ADDR="198.51.100.23")
    event = UsageEvent.objects.get()
    session_key = client.session.session_key
    assert len(event.session) == 32
    for personal in ("198.51.100.23", session_key, student.email):
        assert personal not in event.session
    stored = {f.name for f in UsageEvent._meta.get_fields()}
    assert stored == {"id", "occurred_at", "kind", "version", "session"}


def test_a_fork_counts_as_a_request_of_its_source(client, tool, outsider, southbank):
    client.force_login(outsider)
    response = client.post(
        page(tool, "version_fork"),
        {"institution": southbank.pk, "licence": "CC-BY-SA-4.0"},
        HTTP_USER_AGENT=FIREFOX,
    )
    assert response.status_code == 302
    assert list(UsageEvent.objects.values_list("kind", "version_id")) == [("fork", tool.pk)]


def yesterday_events() -> None:
    """Test data: today's events moved to yesterday, as if the night had come."""
    for event in UsageEvent.objects.all():
        event.occurred_at -= timedelta(days=1)
        event.save()
    for salt in UsageSalt.objects.all():
        UsageSalt.objects.create(day=salt.day - timedelta(days=1), salt=salt.salt)
        salt.delete()


def test_aggregation_counts_by_the_counter_rules_and_forgets_the_day(client, tool):
    fetch(client, resource_page(tool), FIREFOX, REMOTE_ADDR="192.0.2.1")
    fetch(client, page(tool), FIREFOX, REMOTE_ADDR="192.0.2.1")  # a double click of the first
    fetch(client, page(tool, "version_download"), FIREFOX, REMOTE_ADDR="192.0.2.1")
    fetch(client, page(tool, "version_download"), SAFARI, REMOTE_ADDR="192.0.2.2")
    fetch(client, origins.url_of(tool), SAFARI, REMOTE_ADDR="192.0.2.2")
    assert UsageSalt.objects.count() == 1
    yesterday_events()
    out = StringIO()
    call_command("aggregate_usage", stdout=out)
    assert "Counted 5 usage event(s)." in out.getvalue()
    day = UsageDay.objects.get()
    assert (day.version, day.resource, day.institution) == (
        tool,
        tool.resource,
        tool.resource.institution,
    )
    assert (day.views, day.downloads, day.tries) == (1, 2, 1)
    assert day.total_investigations == 4
    assert day.total_requests == 3
    assert (day.unique_investigations, day.unique_requests) == (2, 2)
    # Nothing of the day is left that could tell its sessions apart.
    assert not UsageEvent.objects.exists()
    assert not UsageSalt.objects.exists()
    call_command("aggregate_usage", stdout=StringIO())
    assert UsageDay.objects.get().total_requests == 3


def test_todays_events_wait_for_the_day_to_end(client, tool):
    fetch(client, page(tool), FIREFOX)
    call_command("aggregate_usage", stdout=StringIO())
    assert UsageEvent.objects.count() == 1 and not UsageDay.objects.exists()


@pytest.mark.parametrize(
    ("before", "message"),
    [("03/11/2026", "is not a date: give it as YYYY-MM-DD"), ("2999-01-01", "is in the future")],
)
def test_aggregate_command_refuses_a_bad_date(db, before, message):
    with pytest.raises(CommandError, match=message):
        call_command("aggregate_usage", "--before", before)


def test_made_up_session_cookies_neither_defeat_the_double_click_filter_nor_add_uniques(
    client, tool
):
    # A script sending a new session id it invented with each click is still one visitor
    # (its address and browser): only a session the site gave a signed-in person counts as one.
    for url in (page(tool, "version_download"), origins.url_of(tool)):
        for n in range(4):
            client.cookies["sessionid"] = f"madeup{n:02d}x7kq2ztm9w4e8r1y6u3i5o0p"
            fetch(client, url, FIREFOX, REMOTE_ADDR="192.0.2.9")
    assert len(set(UsageEvent.objects.values_list("session", flat=True))) == 1
    yesterday_events()
    call_command("aggregate_usage", stdout=StringIO())
    day = UsageDay.objects.get()
    assert (day.downloads, day.tries, day.total_requests, day.unique_requests) == (1, 1, 2, 1)


def test_a_signed_in_person_is_one_session_whatever_their_address(client, tool, student):
    client.force_login(student)
    fetch(client, page(tool, "version_download"), FIREFOX, REMOTE_ADDR="192.0.2.10")
    fetch(client, page(tool, "version_download"), SAFARI, REMOTE_ADDR="203.0.113.7")
    assert len(set(UsageEvent.objects.values_list("session", flat=True))) == 1


def test_starting_an_h5p_version_in_its_player_records_a_try(client, tmp_path, northfield, staff):
    """An H5P or SCORM version starts at its player's page, not at a file of the package."""
    from repository.actions.deposits import deposit_package
    from tests.packages import h5p_package

    version = deposit_package(
        package=h5p_package(tmp_path / "quiz.h5p"), institution=northfield, by=staff
    )
    Version.objects.filter(pk=version.pk).update(state=Version.State.PUBLISHED)
    version.refresh_from_db()
    assert fetch(client, origins.url_of(version), FIREFOX).status_code == 200
    player = origins.origin_of(version) + "/.remixbank/h5p/player.js"
    assert fetch(client, player, FIREFOX).status_code == 200
    assert kinds() == ["try"]
