"""The untrusted Celery app: it runs deposited code and holds no secret at all.

    celery -A deploy.untrusted worker -Q sandbox,browser     validation's content runs
    celery -A deploy.untrusted worker -Q attempts            learners' variant runs

Django is never configured here. The worker reads CELERY_BROKER_URL and, optionally,
CELERY_BROKER_TRANSPORT_OPTIONS (JSON) from its environment, plus REMIXBANK_DATA_DIR for the
default filesystem broker; it needs no SECRET_KEY, no database and no storage keys. A work
order brings the files and parameters; the result goes back to the trusted workers on the
results queue. Before it consumes anything the worker tries the sandbox and browser escapes,
and drops every queue whose sandbox lets one through.
"""

import logging
import os
from typing import Any

from celery import Celery, Task, signals
from kombu import Exchange, Queue

from deploy.broker import broker_url, transport_options
from repository import tracing  # noqa: F401 -- JSON logs, and the request id from order to result
from repository.validation import untrusted
from repository.validation.selftest import queues_to_refuse

log = logging.getLogger(__name__)

RESULTS_QUEUE = "results"
# Results go through an exchange of their own, so on RabbitMQ the untrusted user may be allowed
# to write to it alone (not to the default exchange, which reaches every queue).
RESULTS_EXCHANGE = Exchange("remixbank.results", type="direct")
RESULTS = Queue(RESULTS_QUEUE, RESULTS_EXCHANGE, routing_key=RESULTS_QUEUE)
UNTRUSTED_QUEUES = ("sandbox", "browser", "attempts")


class UntrustedCelery(Celery):
    # No Django fix-up, even were DJANGO_SETTINGS_MODULE set: it would set Django up at start.
    builtin_fixups: frozenset[str] = frozenset()


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        return int(raw) if raw else default
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not a whole number.") from None


app = UntrustedCelery("remixbank-untrusted")
app.conf.update(
    broker_url=broker_url(),
    broker_transport_options=transport_options(broker_url()),
    broker_connection_retry_on_startup=True,
    task_default_queue="sandbox",
    task_acks_late=True,
    # A run whose worker died is not handed to another here: the trusted side notices the
    # missing heartbeat and orders it again, counting the attempt, so a run that kills its
    # worker every time ends in error instead of looping.
    task_reject_on_worker_lost=False,
    task_ignore_result=True,
    worker_prefetch_multiplier=1,
    worker_cancel_long_running_tasks_on_connection_loss=True,
    task_soft_time_limit=env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300),
    task_time_limit=env_int("CELERY_TASK_TIME_LIMIT", 360),
    worker_hijack_root_logger=True,
    # Remote control off unless asked for: every untrusted worker holds the same broker user,
    # which may bind another worker's `<name>.celery.pidbox` queue to an exchange of its own and
    # send it shutdown or revoke, so one escaped run could stop every other learner's.
    worker_enable_remote_control=os.environ.get("CELERY_WORKER_ENABLE_REMOTE_CONTROL", "").lower()
    in {"1", "true", "yes", "on"},
)


def send(name: str, args: tuple[Any, ...]) -> None:
    app.send_task(
        name, args, queue=RESULTS, exchange=RESULTS_EXCHANGE.name, routing_key=RESULTS_QUEUE
    )


@app.task(bind=True, name=untrusted.ORDER_TASK)
def run_order(self: Task, order: dict[str, Any]) -> str:
    """Run one work order and send its result (and heartbeats) to the trusted side."""
    return untrusted.serve_order(order, send, hostname=self.request.hostname)


@signals.celeryd_after_setup.connect
def refuse_unsafe_queues(sender: str, instance: Any, **_: object) -> None:
    """Before consuming, try the escapes; a queue whose sandbox leaks is never consumed."""
    if instance.app is not app:
        return
    queues = app.amqp.queues
    consumed = set(queues.consume_from or queues)
    for name in queues_to_refuse(consumed):
        queues.deselect(name)
    if not (queues.consume_from or {}):
        log.error(
            "This worker consumes no queue: every sandbox it would use let an escape through."
        )
