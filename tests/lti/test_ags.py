"""Grades back: a learner launched into a scenario gets an account of their own; their best
attempt's score reaches the test LMS's AGS endpoint (token first), retried when it refuses."""

import re
from collections.abc import Iterator

import pytest
import requests
from celery import current_app

from repository import tasks
from repository.models import Attempt, LtiEvent, LtiLearner, LtiScorePost, OutboxMessage
from tests.factories import stored_version
from tests.lti.conftest import launch
from tests.lti.platform import INSTRUCTOR, Placement

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def eager() -> Iterator[None]:
    """Celery runs queued tasks (and their retries) here and now, as a worker would in turn."""
    before = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = before


@pytest.fixture
def scenario(northfield):
    return stored_version(
        {"scenario.json": b'{"title": "Solar Hill"}'},
        resource__institution=northfield,
        resource__title="Solar Hill",
        resource__kind="scenario",
    )


def launched_learner(lms, scenario) -> tuple[LtiLearner, requests.Session, str]:
    lms.place(
        Placement(
            name="solar",
            url=f"{lms.tool}/lti/versions/{scenario.pk}/",
            custom={"remixbank_version": str(scenario.pk)},
            lineitem="solar-item",
        )
    )
    session = requests.Session()
    page = launch(session, lms, "solar")
    assert page.status_code == 200, page.text
    link = re.search(r'id="program-it" href="([^"]+)"', page.text)
    assert link, page.text
    return LtiLearner.objects.get(), session, link.group(1)


def scored(learner: LtiLearner, scenario, score: float) -> Attempt:
    assert learner.user is not None
    return Attempt.objects.create(
        learner=learner.user,
        version=scenario,
        student_id="opaque",
        code="def control(state): return 0",
        state=Attempt.State.PASSED,
        score=score,
        time_limit_s=5,
    )


def test_scenario_launch_signs_the_learner_in_once_with_no_personal_data(lms, registered, scenario):
    learner, session, program_link = launched_learner(lms, scenario)
    entered = session.get(lms.tool + program_link, allow_redirects=False, timeout=30)
    assert entered.status_code == 302
    assert entered.headers["Location"].endswith(f"/{scenario.resource.slug}/v1/program/")
    learner.refresh_from_db()
    account = learner.user
    assert account is not None and not account.email and not account.has_usable_password()
    assert not account.memberships.exists()
    again = requests.get(lms.tool + program_link, allow_redirects=False, timeout=30)
    assert again.status_code == 400 and "already used" in again.text


def test_best_score_reaches_the_platform_gradebook(lms, registered, scenario, eager):
    learner, session, program_link = launched_learner(lms, scenario)
    session.get(lms.tool + program_link, allow_redirects=False, timeout=30)
    learner.refresh_from_db()
    scored(learner, scenario, 0.55)
    best = scored(learner, scenario, 0.8)
    tasks.attempt_scored(best.pk)
    assert OutboxMessage.objects.filter(task="post_lti_score").exists()
    [sent] = lms.scores["solar-item"]
    assert sent["userId"] == "learner-7f3a"
    assert (sent["scoreGiven"], sent["scoreMaximum"]) == (80.0, 100)
    assert (sent["activityProgress"], sent["gradingProgress"]) == ("Completed", "FullyGraded")
    assert lms.token_requests == 1
    post = LtiScorePost.objects.get()
    assert post.state == LtiScorePost.State.SENT and post.tries == 1


def test_a_refused_score_is_retried_logged_and_shown_to_the_teacher(
    lms, registered, scenario, eager
):
    learner, session, program_link = launched_learner(lms, scenario)
    session.get(lms.tool + program_link, allow_redirects=False, timeout=30)
    learner.refresh_from_db()
    lms.scores_fail = 1
    tasks.attempt_scored(scored(learner, scenario, 0.5).pk)
    post = LtiScorePost.objects.get()
    assert post.state == LtiScorePost.State.SENT and post.tries == 2
    assert [s["scoreGiven"] for s in lms.scores["solar-item"]] == [50.0]
    event = LtiEvent.objects.get(kind=LtiEvent.Kind.SCORE_FAILED)
    assert "503" in event.message and event.platform == registered
    # The teacher opens the same course link: its scores are listed with their state.
    lms.placements["solar"].roles = [INSTRUCTOR]
    lms.placements["solar"].user = "teacher-1"
    page = launch(requests.Session(), lms, "solar")
    assert 'id="score-posts"' in page.text and "learner-7f3a" in page.text
    assert "Accepted by the platform" in page.text


def test_learners_who_did_not_come_through_lti_send_nothing(
    lms, registered, scenario, student, eager
):
    attempt = Attempt.objects.create(
        learner=student,
        version=scenario,
        student_id="x",
        code="",
        state="passed",
        score=1,
        time_limit_s=5,
    )
    tasks.attempt_scored(attempt.pk)
    assert not LtiScorePost.objects.exists() and not lms.scores


def test_a_score_is_never_sent_into_our_own_network(lms, registered, scenario, eager, settings):
    # The line item URL is the platform's word and the token URL its admin's: neither may make
    # a worker call (and report back) a service inside Remixbank's network.
    learner, session, program_link = launched_learner(lms, scenario)
    session.get(lms.tool + program_link, allow_redirects=False, timeout=30)
    learner.refresh_from_db()
    settings.LTI_PRIVATE_ADDRESSES = False
    tasks.attempt_scored(scored(learner, scenario, 0.5).pk)
    post = LtiScorePost.objects.get()
    assert post.state != LtiScorePost.State.SENT
    assert "inside Remixbank's own network" in post.last_error
    assert lms.token_requests == 0 and not lms.scores.get("solar-item")
