"""Celery tasks of the trusted workers: thin wrappers that take ids and call one action each.

Deposited code never runs here: its steps go as work orders to the untrusted workers
(deploy/untrusted.py), whose results come back on the results queue.
"""

import logging
from typing import Any

from celery import Task, shared_task
from celery.signals import celeryd_after_setup
from django.conf import settings
from django.db import OperationalError

from repository import queue as outbox
from repository.actions import attempts, lti, usage, validation, variants, workers

log = logging.getLogger(__name__)

# Served by the untrusted app only; a trusted worker told to consume them would take orders
# it has no task for, and Celery would drop them.
UNTRUSTED_QUEUES = {"sandbox", "browser", "attempts"}


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def validate_version(
    self: Task, version_id: int, revalidate: bool = False, queue: str = "checks"
) -> str | None:
    """Run the version's checks steps; a step that runs its content goes out as a work order.

    `queue` is accepted from messages sent by earlier releases, which handed whole runs on.
    """
    run = validation.validate_version(
        version_id, queues={"checks"}, revalidate=revalidate, hostname=self.request.hostname or ""
    )
    return run.state if run else None


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), max_retries=5)
def record_content_result(self: Task, nonce: str, result: dict[str, Any]) -> str | None:
    """An untrusted worker's result: recorded for the run (or variant) that ordered it, if any."""
    if not isinstance(nonce, str):
        log.error("a content result without a usable nonce was ignored")
        return None
    if nonce.startswith("variant:"):
        done = variants.record_variant_result(nonce, result)
        return done.state if done else None
    if nonce.startswith("attempt:"):
        attempt = attempts.record_attempt_result(nonce, result)
        return attempt.state if attempt else None
    run = validation.record_content_result(nonce, result, hostname=self.request.hostname or "")
    return run.state if run else None


@shared_task(ignore_result=True, autoretry_for=(OperationalError,), max_retries=2)
def record_content_progress(nonce: str, worker: str) -> bool:
    """An untrusted worker's heartbeat for the order it runs."""
    if not isinstance(nonce, str) or not isinstance(worker, str):
        log.error("a heartbeat without a usable nonce or worker name was ignored")
        return False
    if nonce.startswith("variant:"):
        return variants.record_variant_progress(nonce)
    if nonce.startswith("attempt:"):
        held = attempts.record_attempt_progress(nonce)
    else:
        held = validation.record_content_progress(nonce, worker)
    if held:  # only a worker holding a real order is noted, never any name sent here
        workers.record_worker_seen(hostname=worker, kind="untrusted")
    return held


@shared_task(acks_late=True)
def run_variant(run_id: int) -> None:
    """Send a queued variant run to the learners' queue (messages of earlier releases)."""
    variants.dispatch_variant_run(run_id)


@shared_task(acks_late=True)
def dispatch_attempts() -> int:
    """Send waiting attempts to the attempts queue, each institution within its fair share."""
    return attempts.dispatch_attempts()


@shared_task(ignore_result=True)
def attempt_scored(attempt_id: int) -> float | None:
    """A finished attempt has a score: the hook for the gradebook (LTI AGS posts from here)."""
    from repository.models import Attempt

    attempt = Attempt.objects.select_related("learner", "version").filter(pk=attempt_id).first()
    if attempt is None:
        return None
    lti.queue_scores(attempt_id)
    return attempts.best_score(attempt.learner, attempt.version)


@shared_task
def clear_lti_state() -> int:
    """Delete expired LTI states, nonces, launches and kept key sets."""
    return lti.clear_expired_state()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def aggregate_usage() -> int:
    """Count the finished days' usage events into daily counts, then delete them and their salt."""
    return usage.aggregate_usage()


@shared_task(bind=True, acks_late=True, max_retries=lti.SCORE_TRIES)
def post_lti_score(self: Task, post_id: int) -> str | None:
    """Send one score to a platform's gradebook (AGS); retried with backoff while it refuses."""
    post = lti.post_score(post_id)
    if post is not None and post.state == post.State.FAILED:
        raise self.retry(countdown=min(30 * 2**post.tries, 3600))
    return post.state if post is not None else None


@shared_task(bind=True)
def flush_outbox(self: Task) -> int:
    """Send the messages the broker could not take when they were committed.

    Beat sends it every 30 s, so the worker that runs it is noted as alive (for /readyz).
    """
    workers.record_worker_seen(hostname=self.request.hostname or "")
    return outbox.flush_outbox()


@shared_task
def reap_stuck_validations() -> int:
    """Queue again the versions whose validation stalled (lost message or killed worker)."""
    outbox.flush_outbox()
    overdue = validation.end_overdue_runs()
    lost = validation.release_lost_runs()
    for version_id, revalidate in lost:
        outbox.enqueue("validate_version", (version_id,), {"revalidate": revalidate})
    stuck = validation.stuck_versions()
    for version_id in stuck:
        outbox.enqueue_validation(version_id)
    revalidations = validation.stuck_revalidations()
    for version_id in revalidations:
        validate_version.delay(version_id, revalidate=True)
    ended = variants.reap_variant_runs() + attempts.reap_attempts()
    attempts.dispatch_attempts()  # a dispatch lost with its message is made up for here
    return overdue + len(lost) + len(stuck) + len(revalidations) + ended


@shared_task
def revalidate_published() -> int:
    """Re-run published versions on a new validator release, a few at a time (low priority)."""
    chosen = validation.versions_to_revalidate(settings.REVALIDATION_BATCH)
    for version_id in chosen:
        validate_version.delay(version_id, revalidate=True)
    return len(chosen)


@celeryd_after_setup.connect
def refuse_untrusted_queues(sender: str, instance: Any, **_: object) -> None:
    """Before consuming, drop the queues of deposited code: they belong to the untrusted app."""
    queues = instance.app.amqp.queues
    for name in sorted(UNTRUSTED_QUEUES & set(queues.consume_from or {})):
        log.error(
            "Not consuming %s on this trusted worker: work orders that run deposited code are "
            "served by `celery -A deploy.untrusted worker -Q %s`, which holds no secrets.",
            name,
            name,
        )
        queues.deselect(name)
