"""The enqueue seam: actions queue Celery tasks by name here, so they never import repository.tasks."""

from typing import Any

from celery import current_app
from django.db import transaction

TASKS = "repository.tasks"


def send(
    name: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any] | None = None,
    *,
    queue: str | None = None,
) -> None:
    """Send the task `repository.tasks.<name>` now; with no `queue`, CELERY_TASK_ROUTES chooses.

    With CELERY_TASK_ALWAYS_EAGER on, the task runs here and now, as `.delay()` would run it.
    """
    app = current_app
    if app.conf.task_always_eager:
        app.tasks[f"{TASKS}.{name}"].apply(args, kwargs)
        return
    app.send_task(f"{TASKS}.{name}", args, kwargs, queue=queue)


def enqueue_validation(version_id: int) -> None:
    """Validate a new version once the transaction that created it has committed."""
    transaction.on_commit(lambda: send("validate_version", (version_id,)))


def hand_over_validation(version_id: int, *, revalidate: bool, queue: str) -> None:
    """Send the rest of a version's run, now, to the workers of the queue its next step needs."""
    send("validate_version", (version_id,), {"revalidate": revalidate, "queue": queue}, queue=queue)


def enqueue_variant_run(run_id: int) -> None:
    """Run a queued variant in the sandbox once the transaction that queued it has committed."""
    transaction.on_commit(lambda: send("run_variant", (run_id,)))
