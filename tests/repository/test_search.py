"""Search over resources: every word, prefixes, stemming and ranking, the same on both databases.

These run against whichever database the suite uses (DATABASE_URL): PostgreSQL's full-text
search there, SQLite's FTS5 table by default.
"""

import pytest
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django.urls import reverse

from repository.models import Resource
from repository.models.search import ensure_sqlite_index, search_resources
from tests.repository.web.pages import publish


def resource(institution, slug: str, title: str, summary: str = "") -> Resource:
    return Resource.objects.create(
        institution=institution, slug=slug, kind="scenario", title=title, summary=summary
    )


def found(text: str) -> list[str]:
    return [r.title for r in search_resources(Resource.objects.all(), text)]


@pytest.fixture
def shelf(northfield):
    return [
        resource(northfield, "a", "Solar tracker on a hill", "Steer a panel with a controller."),
        resource(northfield, "b", "Tracker basics", "Sensors and their noise."),
        resource(northfield, "c", "Pendulum", "Damped swings, tracked by a camera."),
        resource(northfield, "d", "Controllers for beginners", "From on-off to PID."),
    ]


def test_the_site_search_finds_resources_with_every_word_anywhere(
    client, tmp_path, northfield, staff
):
    publish(
        tmp_path,
        northfield,
        staff,
        title="Solar tracker",
        description="A panel that follows the sun with a two-sensor controller.",
    )
    for words in ["tracker controller", "solar tracker", "controller solar", "sens contr"]:
        cards = client.get(reverse("home"), {"q": words}).context["cards"]
        assert [c["resource"].title for c in cards] == ["Solar tracker"], words
    assert client.get(reverse("home"), {"q": "tracker pendulum"}).context["cards"] == []


def test_every_word_must_match_as_a_word_or_its_start(shelf):
    assert found("tracker controller") == ["Solar tracker on a hill"]
    assert found("solar tracker") == ["Solar tracker on a hill"]
    assert found("tracker pendulum") == []
    assert found("pend") == ["Pendulum"]
    assert found("olar") == []  # a word's start, never its middle


def test_words_are_stemmed_and_common_words_left_out(shelf):
    assert found("controllers") == ["Controllers for beginners", "Solar tracker on a hill"]
    assert found("the pendulum of a camera") == ["Pendulum"]


def test_titles_with_every_word_come_first_then_the_best_matches(shelf, northfield):
    resource(northfield, "e", "Camera rig", "A tracker for the tracker lab, and a tracker stand.")
    resource(northfield, "f", "Hill tracker", "")
    ordered = list(search_resources(Resource.objects.all(), "tracker"))
    assert {r.title for r in ordered[:3]} == {
        "Hill tracker",
        "Tracker basics",
        "Solar tracker on a hill",
    }
    assert [r.title for r in ordered[3:]] == ["Camera rig"]
    assert [r.title_match for r in ordered] == [True, True, True, False]
    ranks = [r.search_rank for r in ordered[:3]]
    assert ranks == sorted(ranks, reverse=True)
    assert found("controller") == ["Controllers for beginners", "Solar tracker on a hill"]
    assert found("hill tracker") == ["Hill tracker", "Solar tracker on a hill"]


def test_search_syntax_in_a_query_is_only_text(shelf):
    for text in [
        '"tracker',
        "tracker OR pendulum",
        "title:solar",
        "NEAR(tracker",
        "tracker*)",
        "-x",
    ]:
        found(text)  # no error
    assert found('solar) AND "tracker*') == ["Solar tracker on a hill"]
    assert found("+++ ...") == []
    assert found("") == []


def test_the_index_follows_every_change_of_a_resource(shelf):
    solar = shelf[0]
    solar.title = "Heliostat"
    solar.save()
    assert found("heliostat") == ["Heliostat"]
    assert found("solar") == []
    Resource.objects.filter(pk=shelf[1].pk).update(summary="Now with a heliostat.")
    assert found("heliostat") == ["Heliostat", "Tracker basics"]
    Resource.objects.filter(pk=solar.pk).delete()
    assert found("heliostat") == ["Tracker basics"]


def test_the_sqlite_index_is_restored_with_what_was_written_while_it_was_missing(
    tmp_path, django_db_blocker
):
    # A SQLite database of its own, so this runs whichever database the suite uses.
    db = SQLiteWrapper({**SQLITE_SETTINGS, "NAME": str(tmp_path / "search.sqlite3")})
    with django_db_blocker.unblock(), db.cursor() as cursor:
        cursor.execute("CREATE TABLE repository_resource (id integer primary key, title, summary)")
        assert ensure_sqlite_index(db)
        assert not ensure_sqlite_index(db)
        cursor.execute("INSERT INTO repository_resource VALUES (1, 'Solar tracker', '')")
        # What a table rebuild by a later migration does to the triggers:
        cursor.execute("DROP TRIGGER repository_resource_fts_insert")
        cursor.execute("INSERT INTO repository_resource VALUES (2, 'Tracker basics', '')")
        assert ensure_sqlite_index(db)
        cursor.execute("INSERT INTO repository_resource VALUES (3, 'Tracker lab', '')")
        cursor.execute(
            "SELECT rowid FROM repository_resource_fts WHERE repository_resource_fts MATCH ? "
            "ORDER BY rowid",
            ['"tracker"*'],
        )
        assert [row[0] for row in cursor.fetchall()] == [1, 2, 3]
    db.close()


SQLITE_SETTINGS: dict[str, object] = {
    "ENGINE": "django.db.backends.sqlite3",
    "OPTIONS": {},
    "TIME_ZONE": None,
    "CONN_MAX_AGE": 0,
    "CONN_HEALTH_CHECKS": False,
    "AUTOCOMMIT": True,
    "ATOMIC_REQUESTS": False,
    "USER": "",
    "PASSWORD": "",
    "HOST": "",
    "PORT": "",
    "TEST": {},
}
