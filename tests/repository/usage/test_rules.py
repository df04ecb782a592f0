"""The COUNTER Release 5 rules on their own: robots, sessions, double clicks, totals, uniques."""

from datetime import UTC, datetime, timedelta

from repository.usage.rules import Event, day_counts, is_robot, session_hash, without_double_clicks

T0 = datetime(2026, 11, 3, 9, 15, tzinfo=UTC)


def use(kind: str, seconds: float, *, session: str = "s1", version: int = 7) -> Event:
    return Event(version_id=version, session=session, kind=kind, at=T0 + timedelta(seconds=seconds))


def test_a_click_repeated_within_30_seconds_counts_once_and_the_last_is_kept():
    kept = without_double_clicks([use("download", 0), use("download", 29.9)])
    assert kept == [use("download", 29.9)]


def test_a_chain_of_quick_clicks_counts_once():
    kept = without_double_clicks([use("view", 0), use("view", 20), use("view", 40)])
    assert kept == [use("view", 40)]


def test_clicks_more_than_30_seconds_apart_count_separately():
    kept = without_double_clicks([use("view", 0), use("view", 30.5)])
    assert len(kept) == 2


def test_the_filter_keeps_other_sessions_versions_and_kinds_apart():
    events = [
        use("view", 0),
        use("view", 1, session="s2"),
        use("view", 2, version=8),
        use("download", 3),
    ]
    assert sorted(without_double_clicks(events), key=lambda e: e.at) == events


def test_views_are_investigations_and_uses_of_the_content_are_requests_too():
    events = [
        use("view", 0),
        use("try", 60),
        use("download", 120),
        use("lti", 0, session="s2"),
        use("fork", 0, session="s3"),
        use("attempt", 0, session="s4"),
        use("view", 0, session="s5"),
    ]
    counts = day_counts(events)[7]
    assert counts["views"] == 2
    assert counts["tries"] == counts["downloads"] == counts["lti_launches"] == 1
    assert counts["forks"] == counts["attempts"] == 1
    assert counts["total_investigations"] == 7
    assert counts["total_requests"] == 5
    assert counts["unique_investigations"] == 5  # s1..s5
    assert counts["unique_requests"] == 4  # s1..s4; s5 only looked


def test_unique_counts_are_per_session_and_per_version():
    events = [
        use("download", 0),
        use("download", 100),
        use("download", 200),
        use("download", 0, session="s2"),
        use("download", 0, version=8),
    ]
    counts = day_counts(events)
    assert counts[7]["total_requests"] == 4
    assert counts[7]["unique_requests"] == 2
    assert counts[8] == {**counts[8], "total_requests": 1, "unique_requests": 1}


def test_double_clicks_are_left_out_before_counting():
    counts = day_counts([use("download", 0), use("download", 10)])[7]
    assert counts["downloads"] == counts["total_requests"] == 1


def test_robots_and_machines_are_recognised_by_the_counter_list():
    assert is_robot("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
    assert is_robot("python-requests/2.32.3")
    assert is_robot("curl/8.5.0")
    assert is_robot("")
    assert not is_robot(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36"
    )
    assert not is_robot(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
    )


def test_a_session_hash_depends_on_the_salt_and_hides_the_visitor():
    one = session_hash("salt-a", "a:192.0.2.7|Firefox", T0)
    assert one == session_hash("salt-a", "a:192.0.2.7|Firefox", T0 + timedelta(minutes=30))
    assert one != session_hash("salt-b", "a:192.0.2.7|Firefox", T0)
    assert "192.0.2.7" not in one and len(one) == 32


def test_without_a_session_cookie_a_session_lasts_the_hour_with_one_the_day():
    address = "a:192.0.2.7|Firefox"
    assert session_hash("k", address, T0) != session_hash("k", address, T0 + timedelta(hours=1))
    cookie = "s:9f2c0d"
    assert session_hash("k", cookie, T0) == session_hash("k", cookie, T0 + timedelta(hours=5))
