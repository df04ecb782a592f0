"""Learners' attempts: submitted, refused, throttled, dispatched fairly and run in the real sandbox."""

import pytest
from django.utils import timezone

from repository.actions.attempts import (
    best_score,
    dispatch_attempts,
    execute_attempt,
    record_attempt_result,
    submit_attempt,
)
from repository.actions.publishing import publish_version, withdraw_version
from repository.errors import DomainError, PermissionRefused, RateLimited
from repository.management.commands.load_demo import SCENARIO_DIR
from repository.models import Attempt, Membership, OutboxMessage, Version
from tests.conftest import member
from tests.factories import published_scenario
from tests.worker import purge, take_all

DIFFERENCE = (SCENARIO_DIR / "difference_controller.py").read_text()


@pytest.fixture
def scenario(tmp_path, northfield, staff):
    version = published_scenario(tmp_path, northfield, staff)
    assert version.state == Version.State.PUBLISHED
    return version


def test_a_sensor_difference_controller_beats_the_fixed_panel_and_is_scored(scenario, student):
    attempt = submit_attempt(scenario, code=DIFFERENCE, by=student)
    assert attempt.state == Attempt.State.QUEUED
    assert attempt.time_limit_s == 10  # the scenario's own limit, not the site's default
    done = execute_attempt(attempt.pk)  # what an attempts worker does, in the real sandbox
    assert done is not None
    assert done.state == Attempt.State.PASSED, done.error
    baseline, fixed = done.comparisons
    assert (baseline["label"], fixed["label"]) == ("built-in sensor controller", "fixed panel")
    assert done.metrics["energy_kwh"] > 1.2 * fixed["energy_kwh"]
    assert done.score is not None and 0.9 < done.score <= 1
    assert done.grade == "excellent"
    assert {f["name"] for f in done.files} >= {"angles.png", "sensors.png", "power.png"}
    assert best_score(student, scenario) == done.score
    # The gradebook hook: a finished, scored attempt announces itself through the outbox.
    assert OutboxMessage.objects.filter(task="attempt_scored", args=[done.pk]).exists()


def test_the_same_code_on_the_same_variant_scores_the_same(scenario, student, settings):
    first = execute_attempt(submit_attempt(scenario, code=DIFFERENCE, by=student).pk)
    second = execute_attempt(submit_attempt(scenario, code=DIFFERENCE, by=student).pk)
    assert first is not None and second is not None
    assert first.student_id == second.student_id
    assert (first.score, first.metrics) == (second.score, second.metrics)


def test_a_syntax_error_points_at_the_learners_line(scenario, student):
    code = "def control(sensors, state):\n    west, east = sensors\n    return (west - east\n"
    done = execute_attempt(submit_attempt(scenario, code=code, by=student).pk)
    assert done is not None and done.state == Attempt.State.ERROR
    assert done.error_line == 3
    assert "SyntaxError" in done.error and "controller.py" in done.error
    assert done.score is None and done.files == []


def test_nan_and_a_wrong_return_type_are_named(scenario, student, settings):
    settings.ATTEMPTS_WAITING_PER_USER = 5
    nan = "def control(sensors, state):\n    return float('nan')\n"
    text = "def control(sensors, state):\n    return 'west'\n"
    for code, shown in ((nan, "nan"), (text, "'west'")):
        done = execute_attempt(submit_attempt(scenario, code=code, by=student).pk)
        assert done is not None and done.state == Attempt.State.ERROR
        assert f"returned {shown}" in done.error and "finite number" in done.error
        assert done.error_line == 1  # where `control` is defined


def test_an_exception_shows_only_the_learners_frames(scenario, student):
    code = (
        "def helper(x):\n    return 1 / x\n\ndef control(sensors, state):\n    return helper(0)\n"
    )
    done = execute_attempt(submit_attempt(scenario, code=code, by=student).pk)
    assert done is not None and done.error_line == 2
    assert "ZeroDivisionError" in done.error and "sims/" not in done.error


def test_a_one_megabyte_paste_is_refused_and_nothing_is_kept(scenario, student):
    with pytest.raises(DomainError, match="1,024 KB; the most accepted is 64 KB"):
        submit_attempt(scenario, code="# " + "x" * (1 << 20), by=student)
    with pytest.raises(DomainError, match="empty"):
        submit_attempt(scenario, code="   \n", by=student)
    assert not Attempt.objects.exists()


def test_fifty_submissions_in_a_second_are_throttled_with_a_clear_message(
    scenario, student, settings
):
    settings.ATTEMPTS_WAITING_PER_USER = 100
    refused = []
    for _ in range(50):
        try:
            submit_attempt(scenario, code=DIFFERENCE, by=student)
        except RateLimited as exc:
            refused.append(exc)
    assert Attempt.objects.count() == settings.ATTEMPTS_PER_MINUTE_USER
    assert len(refused) == 50 - settings.ATTEMPTS_PER_MINUTE_USER
    assert "in the last minute, the most allowed per person; try again in" in refused[0].message
    assert 1 <= refused[0].retry_after <= 60


def test_a_learner_with_attempts_waiting_is_told_to_wait(scenario, student):
    for _ in range(3):
        submit_attempt(scenario, code=DIFFERENCE, by=student)
    with pytest.raises(RateLimited, match="3 attempts waiting or running"):
        submit_attempt(scenario, code=DIFFERENCE, by=student)


def test_an_institution_has_a_bounded_queue(scenario, northfield, settings):
    settings.ATTEMPTS_WAITING_PER_INSTITUTION = 4
    learners = [
        member(northfield, f"s{n}@northfield.ac.uk", f"S{n}", Membership.Role.STUDENT)
        for n in range(5)
    ]
    for learner in learners[:4]:
        submit_attempt(scenario, code=DIFFERENCE, by=learner)
    with pytest.raises(RateLimited, match="Learners of Northfield University have 4 attempts"):
        submit_attempt(scenario, code=DIFFERENCE, by=learners[4])


def test_unpublished_and_withdrawn_scenarios_are_refused_in_words(
    tmp_path, northfield, staff, student
):
    draft = published_scenario(tmp_path, northfield, staff, publish=False)
    assert draft.state == Version.State.PASSED
    with pytest.raises(PermissionRefused, match="not published yet"):
        submit_attempt(draft, code=DIFFERENCE, by=staff)
    publish_version(draft, by=staff)
    draft.refresh_from_db()
    withdraw_version(draft, by=staff, reason="the sun model was wrong")
    draft.refresh_from_db()
    with pytest.raises(PermissionRefused, match=r"was withdrawn .*the sun model was wrong"):
        submit_attempt(draft, code=DIFFERENCE, by=student)
    assert not Attempt.objects.exists()


def test_a_class_flood_does_not_stand_in_front_of_another_class(
    scenario, northfield, southbank, settings, django_capture_on_commit_callbacks
):
    """500 attempts of one class and 5 of another: the 5 go to the queue in the first dispatch."""
    settings.ATTEMPTS_IN_FLIGHT_PER_INSTITUTION = 3
    purge("attempts")
    flood = member(northfield, "flood@northfield.ac.uk", "Flood", Membership.Role.STUDENT)
    few = member(southbank, "few@southbank.ac.uk", "Few", Membership.Role.STUDENT)
    now = timezone.now()
    Attempt.objects.bulk_create(
        [
            Attempt(
                learner=flood,
                version=scenario,
                institution=northfield,
                student_id="a",
                code=DIFFERENCE,
                time_limit_s=5,
                created_at=now,
            )
            for _ in range(500)
        ]
        + [
            Attempt(
                learner=few,
                version=scenario,
                institution=southbank,
                student_id="b",
                code=DIFFERENCE,
                time_limit_s=5,
                created_at=now,
            )
            for _ in range(5)
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch_attempts() == 6  # three of each institution's: its share
    orders = take_all("attempts")
    assert len(orders) == 6
    sent = Attempt.objects.filter(dispatched_at__isnull=False)
    assert (
        sorted(sent.values_list("institution__slug", flat=True))
        == ["northfield"] * 3 + ["southbank"] * 3
    )
    assert dispatch_attempts() == 0  # nothing more until one of them finishes


def test_a_result_is_kept_once_and_only_for_its_order(scenario, student):
    from repository.actions.attempts import attempt_order
    from repository.validation.untrusted import run_order

    attempt = submit_attempt(scenario, code=DIFFERENCE, by=student)
    order = attempt_order(attempt)
    result = run_order(order)
    forged = {**result, "artefacts": {"attempt": {"status": "passed", "score": 7}}}
    done = record_attempt_result(order["nonce"], forged)
    assert done is not None and done.state == Attempt.State.UNFINISHED  # malformed: our fault
    assert done.score is None
    again = record_attempt_result(order["nonce"], result)  # a replay of the nonce changes nothing
    assert again is None
