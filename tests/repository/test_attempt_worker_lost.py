"""An attempt whose worker is killed mid-run ends as "could not finish" soon after its own limit."""

import os
import signal

import pytest

from repository.actions.attempts import submit_attempt
from repository.models import Attempt
from tests.factories import published_scenario
from tests.repository.test_worker_crash import running_a_sandbox
from tests.worker import beat, purge, trusted_worker, untrusted_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

LOOP = "def control(sensors, state):\n    while True:\n        pass\n"


def test_an_attempt_whose_worker_is_killed_ends_unfinished_after_its_limit_and_grace(
    tmp_path, northfield, staff, student, blob_folder, settings
):
    settings.ATTEMPT_GRACE_SECONDS = 5
    settings.VALIDATION_REAP_EVERY_SECONDS = 2
    assert settings.ATTEMPT_DEADLINE_SECONDS >= 1800  # only the per-attempt deadline can act
    purge("attempts", "checks", "results")
    scenario = published_scenario(tmp_path, northfield, staff)
    with trusted_worker(blob_dir=blob_folder), beat(blob_dir=blob_folder):
        with untrusted_worker(log_dir=blob_folder.parent, queues="attempts", name="doomed") as w:
            attempt = submit_attempt(scenario, code=LOOP, by=student)

            def running() -> bool:
                attempt.refresh_from_db()
                return attempt.state == Attempt.State.RUNNING and running_a_sandbox(w.pid)

            assert wait_for(running, every=0.1), f"never ran: {attempt.state}"
            os.kill(w.pid, signal.SIGKILL)  # solo pool: the run dies with it, no result, no ack
            w.wait()

        def ended() -> bool:
            attempt.refresh_from_db()
            return attempt.finished

        assert wait_for(ended, timeout=120), "still running"
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.UNFINISHED
    assert "could not be finished" in attempt.error and "run it again" in attempt.error
    assert attempt.score is None and attempt.killed_by == ""
    assert attempt.finished_at is not None and attempt.started_at is not None
    took = (attempt.finished_at - attempt.started_at).total_seconds()
    # its limit (10 s) + grace (5 s) + one reaper period (2 s), plus the worker's scheduling
    assert attempt.time_limit_s + 5 <= took < attempt.time_limit_s + 5 + 15, took
    # Not counted against the learner: their waiting allowance is free again.
    assert not Attempt.objects.filter(learner=student, state__in=Attempt.OPEN_STATES).exists()
