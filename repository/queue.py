"""The enqueue seam: actions queue Celery tasks by name here, so they never import repository.tasks.

Every message goes through the outbox (models.OutboxMessage): recorded in the caller's
transaction, sent once it commits. When the broker is down the commit still stands, the
failure is logged once per outage, and `flush_outbox` (every 30 s from beat, and the stall
reaper) sends what was left once the broker is back. Delivery is at least once: every task is
idempotent, and a message is leased to one sender at a time so a retry rarely doubles it.
"""

import logging
from datetime import timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from repository import tracing
from repository.guards import outages
from repository.models import OutboxMessage

log = logging.getLogger(__name__)

TASKS = "repository.tasks"
# Long enough for any send (Celery retries a publish for about a second) to finish.
LEASE = timedelta(seconds=60)
# kombu reports a broker it cannot reach as its OperationalError; the filesystem transport
# (the embedded default) as OSError.
BROKER_ERRORS = (BrokerUnavailable, OSError)


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


def enqueue(
    name: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any] | None = None,
    *,
    queue: str | None = None,
) -> None:
    """Record the task in the outbox now, in the caller's transaction; send it after commit.

    Outside a transaction the row is committed at once and sent straight away.
    """
    message = OutboxMessage.objects.create(
        task=name,
        args=list(args),
        kwargs=kwargs or {},
        queue=queue or "",
        leased_until=timezone.now() + LEASE,
        request_id=tracing.current() or "",
    )
    transaction.on_commit(lambda: deliver(message))


def deliver(message: OutboxMessage) -> bool:
    """Send a message this process holds the lease of; False (and logged once) if the broker is down.

    On failure the lease is given up, so the next flush sends the message.
    """
    try:
        # Sent later by a flush, it still carries the id of the request that queued it.
        with tracing.bound(message.request_id or tracing.current()):
            send(message.task, tuple(message.args), message.kwargs, queue=message.queue or None)
    except BROKER_ERRORS as exc:
        outages.BROKER.failed(exc)
        OutboxMessage.objects.filter(pk=message.pk).update(
            leased_until=None, attempts=F("attempts") + 1
        )
        return False
    outages.BROKER.recovered()
    OutboxMessage.objects.filter(pk=message.pk).update(
        sent_at=timezone.now(), leased_until=None, attempts=F("attempts") + 1
    )
    return True


def take_lease(message: OutboxMessage) -> bool:
    """Compare-and-swap: hold `message` only if no other sender took it since it was read."""
    until = timezone.now() + LEASE
    taken: int = OutboxMessage.objects.filter(
        pk=message.pk, sent_at=None, leased_until=message.leased_until
    ).update(leased_until=until)
    message.leased_until = until
    return taken == 1


def kept_for() -> timedelta:
    """How long sent messages are kept: as long as the reaper waits before re-queueing."""
    return timedelta(seconds=settings.VALIDATION_STUCK_AFTER_SECONDS)


def flush_outbox(limit: int = 500) -> int:
    """Send the messages left unsent (broker down at commit, sender killed); return how many.

    Stops at the first broker failure, so a dead broker costs one attempt per flush. Also
    forgets messages sent longer ago than the reaper looks back.
    """
    now = timezone.now()
    OutboxMessage.objects.filter(sent_at__lt=now - kept_for()).delete()
    waiting = list(
        OutboxMessage.objects.filter(sent_at=None)
        .filter(Q(leased_until=None) | Q(leased_until__lt=now))
        .order_by("pk")[:limit]
    )
    sent = 0
    for message in waiting:
        if not take_lease(message):
            continue
        if not deliver(message):
            break
        sent += 1
    if sent:
        log.info("sent %s message(s) left in the outbox", sent)
    return sent


def in_flight(name: str) -> set[int]:
    """First arguments (ids) of `name` messages not yet sent, or sent too recently to be lost."""
    rows = OutboxMessage.objects.filter(task=name).filter(
        Q(sent_at=None) | Q(sent_at__gte=timezone.now() - kept_for())
    )
    return {args[0] for args in rows.values_list("args", flat=True) if args}


def enqueue_validation(version_id: int) -> None:
    """Validate a new version once the transaction that created it has committed."""
    enqueue("validate_version", (version_id,))


def enqueue_variant_run(run_id: int) -> None:
    """After commit, the trusted workers send the variant run's work order to the attempts queue."""
    enqueue("run_variant", (run_id,))


RUN_ORDER_TASK = "repository.validation.untrusted.run_order"


def send_order(order: dict[str, Any], *, queue: str, countdown: float | None = None) -> None:
    """Send a work order to the untrusted workers of `queue` once the transaction commits.

    They serve the task by this name from their own Celery app (deploy/untrusted.py), which
    holds no secrets; the trusted app has no such task. With CELERY_TASK_ALWAYS_EAGER on, the
    order runs here and its result is recorded at once, as a worker would do it.
    """
    app = current_app

    def go() -> None:
        if app.conf.task_always_eager:
            from repository.validation.untrusted import run_order

            send("record_content_result", (order["nonce"], run_order(order)))
            return
        app.send_task(RUN_ORDER_TASK, (order,), queue=queue, countdown=countdown)

    transaction.on_commit(go)
