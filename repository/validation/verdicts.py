"""The verdict a person is told about a version's validation, from its newest run and steps.

One place decides it, so the command line, the API and the pages cannot disagree: `passed` only
when every step ran and passed; `not run` when a step could not run here (no browser or sandbox
on this installation); `failed` when the deposit is at fault; `could not finish` when we are.
"""

from enum import StrEnum
from typing import Any

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
    if run.state == ValidationRun.State.NOT_RUN or ValidationStep.Status.SKIPPED in statuses:
        return Verdict.NOT_RUN
    return Verdict.PASSED


#: The state a new version takes from its first verdict; only `passed` may be published.
VERSION_STATES = {
    Verdict.PASSED: Version.State.PASSED,
    Verdict.FAILED: Version.State.FAILED,
    Verdict.NOT_RUN: Version.State.NOT_RUN,
    Verdict.COULD_NOT_FINISH: Version.State.UNFINISHED,
}


def run_state_of(steps: dict[str, str]) -> str:
    """How a run whose every step is recorded ends: not run when a step was skipped here."""
    if ValidationStep.Status.SKIPPED in steps.values():
        return ValidationRun.State.NOT_RUN
    return ValidationRun.State.PASSED


def why_not_finished(run: ValidationRun | None) -> list[str]:
    """What the steps that could not run (or finish) here said: the "why" shown to people."""
    if run is None:
        return []
    waiting = {ValidationStep.Status.SKIPPED, ValidationStep.Status.ERROR}
    return [m for step in run.steps.all() if step.status in waiting for m in step.messages]


def needs_network(version: Version, run: ValidationRun | None = None) -> list[dict[str, Any]]:
    """The outside URLs the tool declares it needs ({url, kind, found_in}): from the content
    step's report of the newest run that has one, else straight from the manifest."""
    run = run if run is not None else latest_run(version)
    for step in run.steps.all() if run is not None else []:
        report = step.artefacts if isinstance(step.artefacts, dict) else {}
        if step.name == "content" and isinstance(report.get("needs_network"), list):
            return list(report["needs_network"])
    declared = version.manifest.get("external_resources", [])
    return [{"url": str(url), "kind": "declared", "found_in": []} for url in declared]
