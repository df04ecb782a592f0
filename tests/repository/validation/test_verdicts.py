"""The verdict told to people: passed only when every step ran and passed."""

import pytest

from repository.models import ValidationRun, ValidationStep
from repository.validation.verdicts import Verdict, verdict_of
from tests.factories import VersionFactory

Run, Step = ValidationRun.State, ValidationStep.Status


@pytest.mark.parametrize(
    ("run_state", "steps", "verdict"),
    [
        (Run.RUNNING, [Step.PASSED], Verdict.PENDING),
        (Run.PASSED, [Step.PASSED, Step.PASSED], Verdict.PASSED),
        (Run.PASSED, [Step.PASSED, Step.SKIPPED], Verdict.NOT_RUN),
        (Run.FAILED, [Step.PASSED, Step.FAILED], Verdict.FAILED),
        (Run.FAILED, [Step.PASSED, Step.ERROR], Verdict.COULD_NOT_FINISH),
        (Run.ERROR, [Step.PASSED], Verdict.COULD_NOT_FINISH),
    ],
)
def test_verdict_of_a_run(db, run_state, steps, verdict):
    version = VersionFactory.create()
    run = ValidationRun.objects.create(version=version, validator_release="t", state=run_state)
    for position, status in enumerate(steps):
        ValidationStep.objects.create(
            run=run, name=f"s{position}", position=position, status=status
        )
    assert verdict_of(version) == verdict


def test_a_version_never_validated_is_pending(db):
    assert verdict_of(VersionFactory.create()) == Verdict.PENDING
