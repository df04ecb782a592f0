"""The verdict a person is told about a version's validation, from its newest run and steps.

One place decides it, so the command line, the API and the pages cannot disagree: `passed` only
when every step ran and passed; `not run` when a step could not run here (no browser or sandbox
on this installation); `failed` when the deposit is at fault; `could not finish` when we are.
"""

from enum import StrEnum

from repository.models import ValidationRun, ValidationStep, Version


class Verdict(StrEnum):
    PENDING = "pending"
    PASSED = "passed"
    FAILED = "failed"
    NOT_RUN = "not run"
    COULD_NOT_FINISH = "could not finish"


#: What `manage.py deposit --wait` and the API example client exit with, per verdict.
EXIT_CODES = {
    Verdict.PASSED: 0,
    Verdict.FAILED: 1,
    Verdict.NOT_RUN: 2,
    Verdict.COULD_NOT_FINISH: 3,
    Verdict.PENDING: 4,
}


def latest_run(version: Version) -> ValidationRun | None:
    return version.validation_runs.order_by("-started_at", "-pk").first()


def verdict_of(version: Version, run: ValidationRun | None = None) -> Verdict:
    """The verdict of `run` (by default the version's newest run)."""
    run = run if run is not None else latest_run(version)
    if run is None or run.state == ValidationRun.State.RUNNING:
        return Verdict.PENDING
    statuses = {step.status for step in run.steps.all()}
    # A step that erred is our fault (browser or sandbox unavailable), never the depositor's.
    if run.state == ValidationRun.State.ERROR or ValidationStep.Status.ERROR in statuses:
        return Verdict.COULD_NOT_FINISH
    if run.state == ValidationRun.State.FAILED:
        return Verdict.FAILED
    if ValidationStep.Status.SKIPPED in statuses:
        return Verdict.NOT_RUN
    return Verdict.PASSED
