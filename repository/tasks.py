"""Celery tasks: thin wrappers that take ids and call one action each."""

from celery import shared_task
from django.db import OperationalError

from repository.actions import validation


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def validate_version(version_id: int) -> str | None:
    """Validate one version; a repeat delivery resumes or does nothing."""
    run = validation.validate_version(version_id)
    return run.state if run else None


@shared_task
def reap_stuck_validations() -> int:
    """Queue again the versions whose validation stalled (lost message or killed worker)."""
    stuck = validation.stuck_versions()
    for version_id in stuck:
        validate_version.delay(version_id)
    return len(stuck)
