"""Validation: run the ordered checks on a version and move it to passed or failed."""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from repository import blobstore
from repository.errors import DomainError, InvalidTransition
from repository.models import ValidationRun, ValidationStep, Version
from repository.packages import PackageLimits, check_manifest

log = logging.getLogger(__name__)

# Bumped whenever a check changes, so every version can be re-validated by the new release.
CHECKS_RELEASE = "checks-1"


@dataclass
class StepOutcome:
    status: str
    messages: list[str] = field(default_factory=list)
    artefacts: dict[str, Any] = field(default_factory=dict)


def check_package(version: Version) -> StepOutcome:
    """The deposit checks again, on the stored tree: manifest, limits, entry point, hashes."""
    paths = set(version.files.values_list("path", flat=True))
    try:
        check_manifest(version.manifest, paths)
    except DomainError as exc:
        return StepOutcome(ValidationStep.Status.FAILED, [exc.message])
    limits = PackageLimits.from_settings()
    problems = []
    if version.file_count > limits.max_files:
        problems.append(f"{version.file_count} files; the limit is {limits.max_files}.")
    if version.total_size > limits.max_bytes:
        problems.append(f"{version.total_size} bytes; the limit is {limits.max_bytes}.")
    for path, sha in version.files.values_list("path", "blob_id"):
        try:
            for _ in blobstore.iter_blob(sha):
                pass
        except (DomainError, OSError) as exc:
            problems.append(f"{path}: {exc}")
    if problems:
        return StepOutcome(ValidationStep.Status.FAILED, problems)
    return StepOutcome(
        ValidationStep.Status.PASSED,
        [
            f"Manifest valid; {version.file_count} files, {version.total_size} bytes, hashes verified."
        ],
    )


Step = tuple[str, Callable[[Version], StepOutcome]]
STEPS: list[Step] = [("package", check_package)]


def claim_run(version_id: int) -> ValidationRun | None:
    """Take the version's run for this release under a row lock; None when nothing is left to do."""
    with transaction.atomic():
        version = Version.objects.select_for_update().get(pk=version_id)
        if version.state not in {Version.State.UPLOADED, Version.State.VALIDATING}:
            return None
        run, _ = ValidationRun.objects.select_for_update().get_or_create(
            version=version, validator_release=CHECKS_RELEASE
        )
        if run.state != ValidationRun.State.RUNNING:
            return None
        run.attempts += 1
        run.save(update_fields=["attempts"])
        if version.state == Version.State.UPLOADED:
            version.move(from_states=[Version.State.UPLOADED], to=Version.State.VALIDATING)
        return run


def validate_version(version_id: int) -> ValidationRun | None:
    """Run every step not yet recorded, then record the verdict. Safe to call again.

    A tool's own failure is a result (failed), never an exception; after
    VALIDATION_MAX_ATTEMPTS starts without finishing, the run ends in error.
    """
    run = claim_run(version_id)
    if run is None:
        return None
    version = run.version
    if run.attempts > settings.VALIDATION_MAX_ATTEMPTS:
        record_step(
            run,
            "validator",
            99,
            StepOutcome(
                ValidationStep.Status.ERROR,
                [
                    f"Validation stopped after {run.attempts - 1} attempts that did not finish "
                    "(the checks crashed or were killed). Our side will look into it."
                ],
            ),
            0,
        )
        return finish_run(run, ValidationRun.State.ERROR)
    done = {s.name: s.status for s in run.steps.all()}
    for position, (name, check) in enumerate(STEPS):
        if name not in done:
            started = time.perf_counter()
            outcome = check(version)
            record_step(run, name, position, outcome, int((time.perf_counter() - started) * 1000))
            done[name] = outcome.status
        if (
            done[name] != ValidationStep.Status.PASSED
            and done[name] != ValidationStep.Status.SKIPPED
        ):
            return finish_run(run, ValidationRun.State.FAILED)
    return finish_run(run, ValidationRun.State.PASSED)


def record_step(
    run: ValidationRun, name: str, position: int, outcome: StepOutcome, ms: int
) -> None:
    ValidationStep.objects.update_or_create(
        run=run,
        name=name,
        defaults={
            "position": position,
            "status": outcome.status,
            "duration_ms": ms,
            "messages": outcome.messages,
            "artefacts": outcome.artefacts,
        },
    )


@transaction.atomic
def finish_run(run: ValidationRun, state: str) -> ValidationRun:
    from repository.actions.publishing import publish_version

    run.state = state
    run.finished_at = timezone.now()
    run.save(update_fields=["state", "finished_at"])
    version = run.version
    verdict = Version.State.PASSED if state == ValidationRun.State.PASSED else Version.State.FAILED
    try:
        version.move(from_states=[Version.State.VALIDATING], to=verdict)
    except InvalidTransition:
        log.warning(
            "version %s moved on during validation; verdict %s kept on the run", version.pk, state
        )
        return run
    if verdict == Version.State.PASSED and version.publish_on_pass:
        publish_version(version, by=None)
    return run


def stuck_versions() -> list[int]:
    """Versions whose validation message was lost or whose worker died: to be queued again."""
    cutoff = timezone.now() - timedelta(seconds=settings.VALIDATION_STUCK_AFTER_SECONDS)
    return list(
        Version.objects.filter(
            state__in=[Version.State.UPLOADED, Version.State.VALIDATING], created_at__lt=cutoff
        )
        .exclude(validation_runs__started_at__gte=cutoff)
        .values_list("pk", flat=True)
    )
