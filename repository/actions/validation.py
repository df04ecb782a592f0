"""Validation: run a version's ordered checks, each on its own queue, and record the verdict."""

import logging
import time
from collections.abc import Collection
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from repository import queue
from repository.errors import InvalidTransition
from repository.models import ValidationRun, ValidationStep, Version
from repository.validation.release import validator_release
from repository.validation.steps import Step, StepOutcome, steps_for

log = logging.getLogger(__name__)

DONE = {ValidationStep.Status.PASSED, ValidationStep.Status.SKIPPED}
NEW = {Version.State.UPLOADED, Version.State.VALIDATING}
# Versions that already have a verdict and may be checked again by a newer validator release.
SETTLED = {Version.State.PUBLISHED, Version.State.PASSED}


def claim_run(version_id: int, *, revalidate: bool = False) -> ValidationRun | None:
    """Take the version's run for this release under a row lock; None when nothing is left to do.

    A new version is moved to validating; with `revalidate`, a published or passed version is
    checked by the current release without changing its state.
    """
    with transaction.atomic():
        version = (
            Version.objects.select_for_update()
            .select_related("resource")
            .filter(pk=version_id)
            .first()
        )
        if version is None:
            return None
        if version.state not in NEW and not (revalidate and version.state in SETTLED):
            return None
        # An open run is continued whatever release this machine would name, so workers
        # with different browsers or settings never start competing runs for one version.
        run = (
            ValidationRun.objects.select_for_update()
            .filter(version=version, state=ValidationRun.State.RUNNING)
            .first()
        )
        if run is None:
            run, _ = ValidationRun.objects.select_for_update().get_or_create(
                version=version, validator_release=validator_release(version.resource.kind)
            )
        if run.state != ValidationRun.State.RUNNING:
            return None
        run.attempts += 1
        run.claimed_at = timezone.now()
        run.save(update_fields=["attempts", "claimed_at"])
        if version.state == Version.State.UPLOADED:
            version.move(from_states=[Version.State.UPLOADED], to=Version.State.VALIDATING)
        return run


def validate_version(
    version_id: int, *, queues: Collection[str] | None = None, revalidate: bool = False
) -> ValidationRun | None:
    """Run every step not yet recorded, in order, then record the verdict. Safe to repeat.

    With `queues`, only steps of those queues run here; at the first step of another queue the
    version is handed to that queue's workers. A tool's own failure is a result (failed), never
    an exception; after VALIDATION_MAX_ATTEMPTS starts that did not finish, the run ends in error.
    """
    run = claim_run(version_id, revalidate=revalidate)
    if run is None:
        return None
    version = run.version
    if run.attempts > settings.VALIDATION_MAX_ATTEMPTS:
        message = (
            f"Validation stopped after {run.attempts - 1} attempts that did not finish "
            "(the checks crashed or were killed); the platform's maintainers have been told."
        )
        log.error("version %s: %s", version.pk, message)
        record_step(run, "validator", 99, StepOutcome(ValidationStep.Status.ERROR, [message]), 0)
        return finish_run(run, ValidationRun.State.ERROR)
    done = {s.name: s.status for s in run.steps.all()}
    for position, step in enumerate(steps_for(version)):
        if step.name not in done:
            if queues is not None and step.queue not in queues:
                hand_over(run, step, revalidate=revalidate)
                return run
            started = time.perf_counter()
            outcome = run_step(step, version)
            if step.runs_content:
                name_release_here(run)
            record_step(
                run, step.name, position, outcome, int((time.perf_counter() - started) * 1000)
            )
            done[step.name] = outcome.status
        if done[step.name] not in DONE:
            return finish_run(run, ValidationRun.State.FAILED)
    return finish_run(run, ValidationRun.State.PASSED)


def run_step(step: Step, version: Version) -> StepOutcome:
    if step.runs_content and not settings.VALIDATION_RUN_CONTENT:
        return StepOutcome(
            ValidationStep.Status.SKIPPED,
            [
                "Not run: this installation does not run deposited code "
                "(VALIDATION_RUN_CONTENT is off, e.g. Chromium or bubblewrap is not installed)."
            ],
        )
    return step.check(version)


def name_release_here(run: ValidationRun) -> None:
    """Record the release of the machine that ran the content (its Chromium, its engines)."""
    release = validator_release(run.version.resource.kind)
    clash = ValidationRun.objects.filter(version=run.version_id, validator_release=release)
    if release != run.validator_release and not clash.exists():
        ValidationRun.objects.filter(pk=run.pk).update(validator_release=release)
        run.validator_release = release


def open_run_id(version_id: int) -> int | None:
    return (
        ValidationRun.objects.filter(version_id=version_id, state=ValidationRun.State.RUNNING)
        .values_list("pk", flat=True)
        .first()
    )


def give_back_attempt(run_id: int) -> None:
    """Our side failed (e.g. the browser would not start): this start does not count."""
    ValidationRun.objects.filter(pk=run_id, attempts__gt=0).update(attempts=F("attempts") - 1)


def hand_over(run: ValidationRun, step: Step, *, revalidate: bool) -> None:
    # The attempt counter counts starts of the whole run, not hand-overs between queues.
    give_back_attempt(run.pk)
    queue.hand_over_validation(run.version_id, revalidate=revalidate, queue=step.queue)


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
    if version.state in SETTLED:
        if state != ValidationRun.State.PASSED:
            log.warning("version %s newly fails on %s", version.pk, run.validator_release)
        notify_finished(run)
        return run
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
    notify_finished(run)
    return run


def notify_finished(run: ValidationRun) -> None:
    from repository.actions.notifications import notify_validation_finished

    notify_validation_finished(run)


def regression(version: Version) -> ValidationRun | None:
    """The newest run, when a published version fails on a newer validator release."""
    latest = version.validation_runs.order_by("-started_at", "-pk").first()
    if (
        latest
        and version.state in SETTLED
        and latest.state != ValidationRun.State.PASSED
        and latest.finished_at
    ):
        return latest
    return None


def versions_to_revalidate(limit: int) -> list[int]:
    """Published versions without a run of the current release, oldest first, at most `limit`."""
    chosen: list[int] = []
    for kind in ("tool", "scenario"):
        release = validator_release(kind)
        chosen += list(
            Version.objects.filter(state__in=SETTLED, resource__kind=kind)
            .exclude(validation_runs__validator_release=release)
            .order_by("published_at", "pk")
            .values_list("pk", flat=True)[: limit - len(chosen)]
        )
    return chosen


def stuck_revalidations() -> list[int]:
    """Published or passed versions whose re-validation run stopped being claimed."""
    cutoff = timezone.now() - timedelta(seconds=settings.VALIDATION_STUCK_AFTER_SECONDS)
    return list(
        ValidationRun.objects.filter(
            state=ValidationRun.State.RUNNING,
            version__state__in=SETTLED,
            claimed_at__lt=cutoff,
        ).values_list("version_id", flat=True)
    )


def stuck_versions() -> list[int]:
    """Versions whose validation message was lost or whose worker died: to be queued again.

    A run counts as alive while its last claim (by any worker, on any queue) is recent, or
    while its message waits in the outbox or was sent recently (the broker was down a while).
    """
    cutoff = timezone.now() - timedelta(seconds=settings.VALIDATION_STUCK_AFTER_SECONDS)
    in_flight = queue.in_flight("validate_version")
    return [
        pk
        for pk in Version.objects.filter(
            state__in=[Version.State.UPLOADED, Version.State.VALIDATING], created_at__lt=cutoff
        )
        .exclude(validation_runs__claimed_at__gte=cutoff)
        .values_list("pk", flat=True)
        if pk not in in_flight
    ]
