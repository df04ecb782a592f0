"""Validation: run a version's ordered checks, each on its own queue, and record the verdict."""

import logging
import socket
import time
from collections.abc import Collection
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from repository import queue
from repository.access import require_rerun_validation
from repository.actions import audit
from repository.errors import InvalidTransition, PermissionRefused
from repository.models import AdminAction, ValidationRun, ValidationStep, Version
from repository.validation import orders
from repository.validation.browser import BrowserUnavailable
from repository.validation.release import CHECKS_RELEASE, validator_release
from repository.validation.steps import FAILED, Step, StepOutcome, steps_for
from repository.validation.verdicts import VERSION_STATES, Verdict, run_state_of, verdict_of
from sims.runner import KILLS

log = logging.getLogger(__name__)

DONE = {ValidationStep.Status.PASSED, ValidationStep.Status.SKIPPED}
NEW = {Version.State.UPLOADED, Version.State.VALIDATING}
# Versions that already have a verdict and may be checked again by a newer validator release.
SETTLED = {Version.State.PUBLISHED, Version.State.PASSED}
# Versions still waiting for a verdict because our side could not give one: validated again
# (from the start, as a new version is) when a validator release that can run them comes.
WAITING = {Version.State.NOT_RUN, Version.State.UNFINISHED}
# Versions checked again (re-run by staff, new release) without their state changing: a re-run
# never undoes a withdrawal or a takedown.
RECHECKED = SETTLED | {Version.State.WITHDRAWN, Version.State.TAKEN_DOWN}


def claim_run(
    version_id: int, *, revalidate: bool = False, hostname: str = "", count: bool = True
) -> ValidationRun | None:
    """Take the version's run for this release under a row lock; None when nothing is left to do.

    A new version is moved to validating; with `revalidate`, a published or passed version is
    checked by the current release without changing its state. The run is marked as held by
    `hostname` from now, so the reaper notices within VALIDATION_HEARTBEAT_SECONDS if it dies.
    Each claim counts as an attempt except (`count=False`) the one that carries a run on when
    a work order's result comes back: attempts are starts of the run, not hand-overs.
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
        again = revalidate and version.state in RECHECKED | WAITING
        if version.state not in NEW and not again:
            return None
        # An open run is continued whatever release this machine would name, so workers
        # with different browsers or settings never start competing runs for one version.
        run = (
            ValidationRun.objects.select_for_update()
            .filter(version=version, state=ValidationRun.State.RUNNING)
            .first()
        )
        if run is None:
            release = validator_release(version.resource.kind)
            run = (
                ValidationRun.objects.select_for_update()
                .filter(version=version, validator_release=release)
                .order_by("-round")
                .first()
            ) or ValidationRun.objects.create(version=version, validator_release=release)
        if run.state != ValidationRun.State.RUNNING:
            return None
        now = timezone.now()
        beat_after = now - timedelta(seconds=settings.VALIDATION_HEARTBEAT_SECONDS)
        if count and run.order_nonce and run.heartbeat_at and run.heartbeat_at >= beat_after:
            # A duplicate message (delivery is at least once) while the run's order is out
            # and alive: that order carries the run on; this message must not void it.
            log.info(
                "version %s: its work order is out; a repeated message was ignored", version.pk
            )
            return None
        run.attempts += 1 if count else 0
        run.claimed_at = run.heartbeat_at = now
        run.held_by = (hostname or socket.gethostname())[:200]
        # Whatever order was out is superseded: its late result must not be recorded.
        run.order_nonce = ""
        run.save(update_fields=["attempts", "claimed_at", "heartbeat_at", "held_by", "order_nonce"])
        if version.state in {Version.State.UPLOADED, *WAITING}:
            # A waiting version is judged afresh, as a new one: its verdict decides its state.
            version.move(from_states=[version.state], to=Version.State.VALIDATING)
        return run


@transaction.atomic
def rerun_validation(version: Version, *, by: User) -> ValidationRun:
    """Validate the version again, as a new run; earlier runs stay in its history.

    A version with a verdict of its own fault or ours (failed, not run, could not finish) is
    judged afresh and takes the new verdict (publishing if its depositor asked for that); a
    passed, published or withdrawn one keeps its state and the run is recorded beside it.
    Raises PermissionRefused for non-staff, InvalidTransition while a run is still open.
    """
    require_rerun_validation(by, version)
    version = Version.objects.select_for_update().select_related("resource").get(pk=version.pk)
    if version.state in NEW or open_run_id(version.pk) is not None:
        raise InvalidTransition(
            f"Version {version.number} of “{version.resource.title}” is being validated now; "
            "re-run it once this run has ended."
        )
    release = validator_release(version.resource.kind)
    last = (
        ValidationRun.objects.filter(version=version, validator_release=release)
        .order_by("-round")
        .values_list("round", flat=True)
        .first()
    )
    run = ValidationRun.objects.create(
        version=version,
        validator_release=release,
        round=0 if last is None else last + 1,
        requested_by=by,
    )
    recheck = version.state in RECHECKED
    if not recheck:
        version.move(from_states=[version.state], to=Version.State.VALIDATING)
    log.info("version %s: validation re-run by %s (run %s)", version.pk, by.pk, run.pk)
    audit.record(AdminAction.Kind.RERUN_VALIDATION, by=by, target=version)
    queue.enqueue("validate_version", (version.pk,), {"revalidate": recheck})
    return run


def validate_version(
    version_id: int,
    *,
    queues: Collection[str] | None = None,
    revalidate: bool = False,
    hostname: str = "",
    count: bool = True,
) -> ValidationRun | None:
    """Run every step not yet recorded, in order, then record the verdict. Safe to repeat.

    Steps that run deposited code go to an untrusted worker as a work order: with `queues`
    (the trusted worker's), the order is sent to the step's queue and the run continues when
    its result comes back (`record_content_result`); without, the order is run in this process
    (tests, a one-machine check). A tool's own failure is a result (failed), never an exception;
    after VALIDATION_MAX_ATTEMPTS starts that did not finish, the run ends in error.
    """
    run = claim_run(version_id, revalidate=revalidate, hostname=hostname, count=count)
    if run is None:
        return None
    version = run.version
    if run.attempts > settings.VALIDATION_MAX_ATTEMPTS:
        message = (
            f"Validation stopped after {run.attempts - 1} attempts that did not finish "
            "(no validator took it, or the checks crashed or were killed); this is our fault, not the "
            "deposit's: the platform's maintainers have been told."
        )
        log.error("version %s: %s", version.pk, message)
        record_step(run, "validator", 99, StepOutcome(ValidationStep.Status.ERROR, [message]), 0)
        return finish_run(run, ValidationRun.State.ERROR)
    done = {s.name: s.status for s in run.steps.all()}
    for position, step in enumerate(steps_for(version)):
        if step.name not in done:
            if step.runs_content and settings.VALIDATION_RUN_CONTENT:
                if queues is not None:
                    send_order(run, step, position, revalidate=revalidate)
                    return run
                outcome, ms = run_order_here(run, step)
            else:
                started = time.perf_counter()
                outcome = run_step(step, version)
                ms = int((time.perf_counter() - started) * 1000)
            record_step(run, step.name, position, outcome, ms)
            done[step.name] = outcome.status
        if done[step.name] not in DONE:
            return finish_run(run, ValidationRun.State.FAILED)
    return finish_run(run, run_state_of(done))


def run_step(step: Step, version: Version) -> StepOutcome:
    if step.runs_content:
        return StepOutcome(
            ValidationStep.Status.SKIPPED,
            [
                "Not run: this installation has no browser or sandbox to run deposited code in "
                "(VALIDATION_RUN_CONTENT is off). The version is not published; it is validated "
                "when a validator that can run it is available."
            ],
            {"not_run": "no browser or sandbox on this installation"},
        )
    assert step.check is not None  # only content steps have none, and they are orders
    return step.check(version)


def make_order(run: ValidationRun, step: Step, position: int, **extra: Any) -> dict[str, Any]:
    """A work order for the step, with a fresh nonce recorded on the run (any older one void)."""
    nonce = orders.new_nonce()
    order = orders.build_order(
        run.version, nonce=nonce, purpose="validation", fetch={"run": run.pk, "nonce": nonce}
    )
    run.order_nonce = nonce
    run.order = {"step": step.name, "position": position, "queue": step.queue, **extra}
    run.save(update_fields=["order_nonce", "order"])
    return order


def run_order_here(run: ValidationRun, step: Step) -> tuple[StepOutcome, int]:
    """Run the step's work order in this process, as an untrusted worker would."""
    from repository.validation.untrusted import run_order

    started = time.perf_counter()
    result = run_order(make_order(run, step, 0))
    if "unavailable" in result:
        raise BrowserUnavailable(str(result["unavailable"]))
    name_release(run, result)
    return outcome_of(run, result), int((time.perf_counter() - started) * 1000)


def send_order(
    run: ValidationRun, step: Step, position: int, *, revalidate: bool, retries: int = 0
) -> None:
    """Hand the step to the untrusted workers of its queue; the run waits for their answer.

    A retry (`retries` > 0: our browser could not start) is sent after a growing delay.
    """
    order = make_order(run, step, position, revalidate=revalidate, retries=retries)
    # Queued, not held: the heartbeat deadline applies once a worker says it took the order.
    ValidationRun.objects.filter(pk=run.pk).update(held_by="", claimed_at=timezone.now())
    countdown = min(600, 30 * 2**retries) if retries else None
    queue.send_order(order, queue=step.queue, countdown=countdown)


def outcome_of(run: ValidationRun, result: dict[str, Any]) -> StepOutcome:
    """The step's outcome from an untrusted worker's result; its bytes kept in blob storage."""
    status = ValidationStep.Status.PASSED if result.get("status") == "passed" else FAILED
    artefacts = orders.plain(result.get("artefacts") or {})
    # /metrics makes a label of it: only one of the sandbox's limits, whatever the worker (which
    # ran the deposit's code) wrote there, or each new string would be a new time series.
    killed = artefacts.get("killed")
    if not (isinstance(killed, str) and killed in KILLS):
        artefacts.pop("killed", None)
    # A scenario's plots and data; a tool's screenshot of each profile.
    artefacts["files"] = orders.store_files(result)
    if run.version.resource.kind == "tool":
        shot = orders.store_screenshot(result)
        if shot:
            artefacts["screenshot"] = shot
    return StepOutcome(status, orders.messages_of(result) or ["No result was given."], artefacts)


def name_release(run: ValidationRun, result: dict[str, Any]) -> None:
    """Record the release of the machine that ran the content (its Chromium, its engines)."""
    reported = str(result.get("release") or "")[:80]
    if not reported:
        return
    release = f"{CHECKS_RELEASE}+{reported}"
    clash = ValidationRun.objects.filter(version=run.version_id, validator_release=release)
    if release != run.validator_release and not clash.exists():
        ValidationRun.objects.filter(pk=run.pk).update(validator_release=release)
        run.validator_release = release


def record_content_result(
    nonce: str, result: dict[str, Any], *, hostname: str = ""
) -> ValidationRun | None:
    """Record an untrusted worker's result for the open run it was ordered for, then go on.

    Ignored (None) unless `nonce` is the one the run's current order carries: a result from a
    worker the reaper gave up on, or a forged one, changes nothing. When our side could not run
    it (the browser would not start), the order is sent again later, not counted.
    """
    with transaction.atomic():
        run = (
            ValidationRun.objects.select_for_update()
            .select_related("version__resource")
            .filter(order_nonce=nonce, state=ValidationRun.State.RUNNING)
            .first()
            if nonce
            else None
        )
        if run is None:
            log.info("a content result for an order no run is waiting for was ignored")
            return None
        order = dict(run.order)
        step = next(s for s in steps_for(run.version) if s.name == order["step"])
        problem = orders.result_problem(result)
        if problem is not None:
            log.error("version %s: malformed content result: %s", run.version_id, problem)
            return end_order(run, step.name, order, orders.malformed_message(problem))
        if "unavailable" in result:
            retries = int(order.get("retries", 0)) + 1
            deadline = run.started_at + timedelta(seconds=settings.VALIDATION_RUN_DEADLINE_SECONDS)
            if retries > settings.VALIDATION_ORDER_MAX_RETRIES or timezone.now() > deadline:
                message = (
                    f"The validator could not run this step ({result['unavailable']}) after "
                    f"{retries} tries over {int((timezone.now() - run.started_at).total_seconds())} s; "
                    "this is our fault, not the deposit's: the platform's maintainers have been told."
                )
                log.error("version %s: %s", run.version_id, message)
                return end_order(run, step.name, order, message)
            log.warning("version %s: %s; sent again later", run.version_id, result["unavailable"])
            send_order(
                run,
                step,
                order["position"],
                revalidate=bool(order.get("revalidate")),
                retries=retries,
            )
            return run
        name_release(run, result)
        outcome = outcome_of(run, result)
        record_step(run, step.name, order["position"], outcome, int(result.get("ms", 0) or 0))
        run.order_nonce = ""
        run.held_by = (hostname or socket.gethostname())[:200]
        run.heartbeat_at = timezone.now()
        run.save(update_fields=["order_nonce", "held_by", "heartbeat_at"])
    return validate_version(
        run.version_id,
        queues={"checks"},
        revalidate=bool(order.get("revalidate")),
        hostname=hostname,
        count=False,
    )


def end_order(run: ValidationRun, step: str, order: dict[str, Any], message: str) -> ValidationRun:
    """The open order could not finish through our fault: one error outcome, the run ends."""
    outcome = StepOutcome(ValidationStep.Status.ERROR, [message])
    record_step(run, step, int(order.get("position", 99)), outcome, 0)
    run.order_nonce = ""
    run.save(update_fields=["order_nonce"])
    return finish_run(run, ValidationRun.State.ERROR)


def record_content_progress(nonce: str, worker: str) -> bool:
    """An untrusted worker says it holds the order: the run's heartbeat, renewed while it runs."""
    now = timezone.now()
    return bool(
        nonce
        and ValidationRun.objects.filter(
            order_nonce=nonce, state=ValidationRun.State.RUNNING
        ).update(held_by=str(worker)[:200], heartbeat_at=now, claimed_at=now)
    )


def open_run_id(version_id: int) -> int | None:
    return (
        ValidationRun.objects.filter(version_id=version_id, state=ValidationRun.State.RUNNING)
        .values_list("pk", flat=True)
        .first()
    )


def give_back_attempt(run_id: int) -> None:
    """Our side failed (e.g. the browser would not start): this start does not count."""
    ValidationRun.objects.filter(pk=run_id, attempts__gt=0).update(attempts=F("attempts") - 1)


def order_files(token: str) -> bytes:
    """The zip a fetch address was signed for, while its run still waits for that order.

    Raises PermissionRefused for a bad, expired or superseded address.
    """
    from django.core import signing

    from repository.models import Attempt, VariantRun

    try:
        payload = orders.read_fetch_token(token)
    except signing.BadSignature:
        raise PermissionRefused("This work-order address is not valid or has expired.") from None
    if "run" in payload:
        run = (
            ValidationRun.objects.select_related("version__resource")
            .filter(pk=payload["run"], order_nonce=payload["nonce"], state="running")
            .first()
        )
        version = run.version if run and payload["nonce"] else None
    elif "attempt" in payload:
        attempt = Attempt.objects.filter(
            pk=int(payload.get("attempt") or 0),
            order_nonce=str(payload.get("nonce") or "-"),
            state__in=["queued", "running"],
        ).first()
        version = attempt.version if attempt else None
    else:
        variant = VariantRun.objects.filter(
            pk=int(payload.get("variant") or 0),
            order_nonce=str(payload.get("nonce") or "-"),
            state__in=["queued", "running"],
        ).first()
        version = variant.version if variant else None
    if version is None:
        raise PermissionRefused("This work order is no longer open.")
    return orders.tree_zip(version)


def record_step(
    run: ValidationRun, name: str, position: int, outcome: StepOutcome, ms: int
) -> None:
    ValidationRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
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
    """End the run; a version without a verdict yet takes the run's (only `passed` publishes)."""
    from repository.actions.publishing import publish_version

    run.state = state
    run.finished_at = timezone.now()
    run.save(update_fields=["state", "finished_at"])
    version = run.version
    verdict = verdict_of(version, run)
    if version.state in RECHECKED:
        if verdict != Verdict.PASSED:
            log.warning("version %s: %s on %s", version.pk, verdict, run.validator_release)
        notify_finished(run)
        return run
    try:
        version.move(from_states=[Version.State.VALIDATING], to=VERSION_STATES[verdict])
    except InvalidTransition:
        log.warning(
            "version %s moved on during validation; verdict %s kept on the run", version.pk, state
        )
        return run
    if verdict == Verdict.PASSED and version.publish_on_pass:
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
    """Versions without a run of the current release, at most `limit`: first those still
    waiting for a verdict (not run, could not finish), oldest first, then published ones.
    """
    chosen: list[int] = []
    for states in (WAITING, SETTLED):
        for kind in ("tool", "scenario"):
            release = validator_release(kind)
            chosen += list(
                Version.objects.filter(state__in=states, resource__kind=kind)
                .exclude(validation_runs__validator_release=release)
                .order_by("published_at", "created_at", "pk")
                .values_list("pk", flat=True)[: limit - len(chosen)]
            )
    return chosen


def revalidation_backlog() -> dict[tuple[str, str], int]:
    """How many versions `versions_to_revalidate` has yet to choose, by (kind, "waiting" for a
    verdict | "settled" published or passed): those with no run of the current release."""
    backlog = {}
    for which, states in (("waiting", WAITING), ("settled", SETTLED)):
        for kind in ("tool", "scenario"):
            backlog[(kind, which)] = (
                Version.objects.filter(state__in=states, resource__kind=kind)
                .exclude(validation_runs__validator_release=validator_release(kind))
                .count()
            )
    return backlog


def stuck_revalidations() -> list[int]:
    """Published or passed versions whose re-validation run stopped being claimed."""
    cutoff = timezone.now() - timedelta(seconds=settings.VALIDATION_STUCK_AFTER_SECONDS)
    return list(
        ValidationRun.objects.filter(
            state=ValidationRun.State.RUNNING,
            version__state__in=RECHECKED,
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


def end_overdue_runs() -> int:
    """End the runs still open past VALIDATION_RUN_DEADLINE_SECONDS: could not finish (our fault).

    Heartbeats keep a run held however long it loops through retries and re-orders; the
    deadline bounds it all. A late result is ignored (the nonce is cleared).
    """
    cutoff = timezone.now() - timedelta(seconds=settings.VALIDATION_RUN_DEADLINE_SECONDS)
    ended = 0
    for run_id in ValidationRun.objects.filter(
        state=ValidationRun.State.RUNNING, started_at__lt=cutoff
    ).values_list("pk", flat=True):
        with transaction.atomic():
            run = (
                ValidationRun.objects.select_for_update()
                .select_related("version__resource")
                .filter(pk=run_id, state=ValidationRun.State.RUNNING)
                .first()
            )
            if run is None:
                continue
            message = (
                f"Validation could not finish within {settings.VALIDATION_RUN_DEADLINE_SECONDS} s "
                "(our validators were unavailable or kept losing the run); this is our fault, "
                "not the deposit's: the platform's maintainers have been told."
            )
            log.error("version %s: %s", run.version_id, message)
            order = dict(run.order or {})
            end_order(run, str(order.get("step") or "validator"), order, message)
            ended += 1
    return ended


def release_lost_runs() -> list[tuple[int, bool]]:
    """Runs whose worker stopped beating (killed, machine gone): freed to be queued again.

    Returns (version id, revalidate) for each. A run is held from its claim, or from the first
    heartbeat of the untrusted worker that took its order, until it is handed on; once its last
    beat is older than VALIDATION_HEARTBEAT_SECONDS its order is voided, so a late result from
    that worker is ignored, and the caller queues the run again.
    """
    cutoff = timezone.now() - timedelta(seconds=settings.VALIDATION_HEARTBEAT_SECONDS)
    lost = []
    with transaction.atomic():
        runs = (
            ValidationRun.objects.select_for_update()
            .filter(state=ValidationRun.State.RUNNING, heartbeat_at__lt=cutoff)
            .exclude(held_by="")
        )
        for run in runs.select_related("version"):
            log.warning(
                "version %s: worker %s stopped beating; its run is queued again",
                run.version_id,
                run.held_by,
            )
            lost.append((run.version_id, run.version.state in RECHECKED))
            run.held_by, run.order_nonce, run.claimed_at = "", "", timezone.now()
            run.save(update_fields=["held_by", "order_nonce", "claimed_at"])
    return lost
