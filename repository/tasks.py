"""Celery tasks: thin wrappers that take ids and call one action each."""

from typing import Any

from celery import Task, shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import OperationalError

from repository.actions import validation
from repository.checks.browser import BrowserUnavailable
from repository.worker_checks import queues_to_refuse


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, BrowserUnavailable),
    retry_backoff=True,
    max_retries=3,
)
def validate_version(self: Task, version_id: int, revalidate: bool = False) -> str | None:
    """Run the version's pending steps of the queue this message came from; hand on the rest."""
    queue = (self.request.delivery_info or {}).get("routing_key") or "checks"
    run = validation.validate_version(version_id, queues={queue}, revalidate=revalidate)
    return run.state if run else None


@shared_task
def reap_stuck_validations() -> int:
    """Queue again the versions whose validation stalled (lost message or killed worker)."""
    stuck = validation.stuck_versions()
    for version_id in stuck:
        validate_version.delay(version_id)
    return len(stuck)


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
