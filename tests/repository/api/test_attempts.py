"""Attempts through the API: create, poll, list one's own; teachers list a scenario's; scopes."""

import pytest

from repository.actions.attempts import execute_attempt
from repository.management.commands.load_demo import SCENARIO_DIR
from repository.models import Attempt, Membership
from tests.conftest import member
from tests.factories import published_scenario
from tests.repository.api.conftest import bearer

CODE = (SCENARIO_DIR / "difference_controller.py").read_text()


@pytest.fixture
def scenario(tmp_path, northfield, staff):
    return published_scenario(tmp_path, northfield, staff)


def create(api, scenario, token, code=CODE):
    return api.post(
        f"/api/v1/versions/{scenario.pk}/attempts/", {"code": code}, format="json", **bearer(token)
    )


def test_a_learner_creates_an_attempt_polls_it_and_lists_theirs(api, scenario, student, make_token):
    token = make_token(student, "read contribute")
    response = create(api, scenario, token)
    assert response.status_code == 202, response.content
    body = response.json()
    assert response["Location"] == body["url"]
    assert (body["state"], body["finished"], body["score"]) == ("queued", False, None)
    execute_attempt(Attempt.objects.get().pk)  # the attempts worker's part
    polled = api.get(body["url"], **bearer(make_token(student, "read"))).json()
    assert polled["finished"] is True and polled["state"] == "passed"
    assert 0.9 < polled["score"] <= 1
    assert [c["label"] for c in polled["comparisons"]] == [
        "built-in sensor controller",
        "fixed panel",
    ]
    assert any(p["name"] == "power.png" for p in polled["plots"])
    mine = api.get("/api/v1/attempts/", **bearer(make_token(student, "read"))).json()
    assert [a["id"] for a in mine["results"]] == [body["id"]]


def test_a_learners_token_sees_only_their_own(api, scenario, student, northfield, make_token):
    other = member(northfield, "erin@northfield.ac.uk", "Erin", Membership.Role.STUDENT)
    theirs = create(api, scenario, make_token(other, "read contribute")).json()
    token = make_token(student, "read contribute review")
    assert api.get(theirs["url"], **bearer(token)).status_code == 404
    assert api.get("/api/v1/attempts/", **bearer(token)).json()["results"] == []
    listing = api.get(f"/api/v1/versions/{scenario.pk}/attempts/", **bearer(token))
    assert listing.status_code == 403
    assert "your own are at /api/v1/attempts/" in listing.json()["error"]["message"]


def test_teachers_list_a_scenarios_attempts_with_the_review_scope(
    api, scenario, student, staff, make_token
):
    create(api, scenario, make_token(student, "read contribute"))
    url = f"/api/v1/versions/{scenario.pk}/attempts/"
    assert api.get(url, **bearer(make_token(staff, "read"))).status_code == 403  # scope
    listing = api.get(url, **bearer(make_token(staff, "read review")))
    assert listing.status_code == 200
    assert [a["student_id"] for a in listing.json()["results"]] == [
        Attempt.objects.get().student_id
    ]
    # One learner's attempt, too, is read with the teachers' scope, not `read` alone.
    one = listing.json()["results"][0]["url"]
    refused = api.get(one, **bearer(make_token(staff, "read")))
    assert refused.status_code == 403 and "review" in refused.json()["error"]["message"]
    assert api.get(one, **bearer(make_token(staff, "read review"))).status_code == 200


def test_creating_needs_the_contribute_scope_and_refuses_bad_code(
    api, scenario, student, make_token
):
    assert create(api, scenario, make_token(student, "read")).status_code == 403
    token = make_token(student, "contribute")
    big = create(api, scenario, token, code="x" * (1 << 20))
    assert big.status_code == 400
    assert "the most accepted is 64 KB" in big.json()["error"]["message"]
    assert not Attempt.objects.exists()


def test_a_flood_is_answered_429_with_retry_after(api, scenario, student, make_token, settings):
    settings.ATTEMPTS_WAITING_PER_USER = 100
    token = make_token(student, "contribute")
    codes = [create(api, scenario, token).status_code for _ in range(12)]
    assert codes.count(202) == settings.ATTEMPTS_PER_MINUTE_USER
    refused = create(api, scenario, token)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert "try again in" in refused.json()["error"]["message"]
