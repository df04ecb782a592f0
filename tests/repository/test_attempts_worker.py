"""Attempts on real workers: a trusted worker dispatches, an untrusted one (two processes) runs them."""

import pytest

from repository.actions.attempts import submit_attempt
from repository.management.commands.load_demo import SCENARIO_DIR
from repository.models import Attempt, Membership
from tests.conftest import member
from tests.factories import published_scenario
from tests.worker import purge, trusted_worker, untrusted_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

LOOP = "def control(sensors, state):\n    while True:\n        pass\n"
GOOD = (SCENARIO_DIR / "difference_controller.py").read_text()


def test_a_looping_attempt_ends_at_its_limit_and_does_not_hold_up_another_learner(
    tmp_path, northfield, staff, student, blob_folder
):
    purge("attempts", "checks", "results")
    scenario = published_scenario(tmp_path, northfield, staff)
    other = member(northfield, "dev@northfield.ac.uk", "Dev", Membership.Role.STUDENT)
    with (
        trusted_worker(blob_dir=blob_folder),
        untrusted_worker(log_dir=blob_folder.parent, queues="attempts", pool="prefork"),
    ):
        looping = submit_attempt(scenario, code=LOOP, by=student)
        good = submit_attempt(scenario, code=GOOD, by=other)

        def both_finished() -> bool:
            return not Attempt.objects.filter(state__in=Attempt.OPEN_STATES).exists()

        assert wait_for(both_finished, timeout=300), list(
            Attempt.objects.values_list("state", flat=True)
        )
    looping.refresh_from_db()
    good.refresh_from_db()
    assert looping.state == Attempt.State.ERROR
    assert "longer than its time limit of 10 s" in looping.error
    assert "loop that never ends" in looping.error
    assert looping.killed_by == "timeout"  # counted by /metrics as a sandbox kill
    assert looping.started_at is not None and looping.finished_at is not None
    assert (looping.finished_at - looping.started_at).total_seconds() < looping.time_limit_s + 15
    # The other learner's attempt ran beside it, on the second worker process, and was done first.
    assert good.state == Attempt.State.PASSED, good.error
    assert good.killed_by == ""
    assert good.score is not None and good.score > 0.9
    assert good.finished_at is not None and good.finished_at < looping.finished_at
    assert any(f["name"] == "power.png" for f in good.files)
