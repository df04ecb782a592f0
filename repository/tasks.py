"""Celery tasks: thin wrappers that take ids and call one action each."""

from typing import Any

from celery import Task, shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import OperationalError

from repository import queue as outbox
from repository.actions import validation, variants
from repository.validation.browser import BrowserUnavailable
from repository.validation.selftest import queues_to_refuse


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
    """Run the version's pending steps of `queue` (where this message was sent); hand on the rest.

    When our browser cannot start, the attempt is given back and the task retried later: a
    fault on our side never counts against the deposit.
    """
    try:
        run = validation.validate_version(version_id, queues={queue}, revalidate=revalidate)
    except BrowserUnavailable as exc:
        run_id = validation.open_run_id(version_id)
        if run_id is not None:
            validation.give_back_attempt(run_id)
        raise self.retry(
            exc=exc, countdown=min(600, 30 * 2**self.request.retries), max_retries=6
        ) from exc
    return run.state if run else None


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_variant(run_id: int) -> str | None:
    """Run one student's variant of a scenario in the sandbox."""
    run = variants.execute_variant_run(run_id)
    return run.state if run else None


@shared_task
def flush_outbox() -> int:
    """Send the messages the broker could not take when they were committed."""
    return outbox.flush_outbox()


@shared_task
def reap_stuck_validations() -> int:
    """Queue again the versions whose validation stalled (lost message or killed worker)."""
    outbox.flush_outbox()
    stuck = validation.stuck_versions()
    for version_id in stuck:
        outbox.enqueue_validation(version_id)
    revalidations = validation.stuck_revalidations()
    for version_id in revalidations:
        validate_version.delay(version_id, revalidate=True)
    return len(stuck) + len(revalidations)


@shared_task
def revalidate_published() -> int:
    """Re-run published versions on a new validator release, a few at a time (low priority)."""
    chosen = validation.versions_to_revalidate(settings.REVALIDATION_BATCH)
    for version_id in chosen:
        validate_version.delay(version_id, revalidate=True)
    return len(chosen)


@worker_ready.connect
def refuse_unsafe_queues(sender: Any, **_: object) -> None:
    """At start-up, stop consuming sandbox/browser queues if this machine's sandbox leaks."""
    if not settings.VALIDATION_RUN_CONTENT:
        return
    consumer = sender  # Celery sends worker_ready from the worker's consumer
    consumed = {q.name for q in consumer.task_consumer.queues}
    for queue in queues_to_refuse(consumed):
        consumer.cancel_task_queue(queue)
