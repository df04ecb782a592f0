"""The Celery application: configuration comes from Django settings (CELERY_* names)."""

import logging
import os
from typing import Any

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deploy.settings")

log = logging.getLogger(__name__)

# Untrusted workers (broker credentials only) publish to the results queue, through its own
# exchange; what arrives there is a claim by deposited code's worker, never an instruction.
RESULTS_QUEUE = "results"
RESULTS_EXCHANGE = "remixbank.results"
RESULT_TASKS = frozenset(
    {"repository.tasks.record_content_result", "repository.tasks.record_content_progress"}
)


# The exchanges the trusted side sends its own tasks through (Celery routes by queue name via
# the default exchange). The untrusted user may write to neither, so a message from any other
# exchange may be an untrusted worker's: it can bind the results queue to an exchange it may
# write to (its own queues' names, `*.celery.pidbox`) with any routing key it likes.
TRUSTED_EXCHANGES = frozenset({"", "checks"})


def came_through_results(delivery_info: dict[str, Any] | None) -> bool:
    """Whether a message may have come from an untrusted worker: delivered by the results
    queue's routing (key or exchange), or through any exchange the trusted side does not use.
    A task run in-process (called directly, or eagerly: a worker rebuilds delivery_info from
    the broker's frame alone, so a message cannot claim `is_eager`) is trusted."""
    info = delivery_info or {}
    if not info or info.get("is_eager"):
        return False
    return (
        info.get("routing_key") == RESULTS_QUEUE
        or info.get("exchange") == RESULTS_EXCHANGE
        or info.get("exchange") not in TRUSTED_EXCHANGES
    )


class TrustedTask(Task):
    """Every trusted task: what may come from an untrusted worker runs only if it is a result.

    Anything else that came through `results`, or through an exchange other than the trusted
    side's own (an untrusted worker asking for, say, validate_version of any version), is
    logged and acknowledged, and does nothing.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.name not in RESULT_TASKS and came_through_results(self.request.delivery_info):
            log.error(
                "Refused %s from the results queue or an untrusted exchange (%s): untrusted "
                "workers may only send results; the message was dropped.",
                self.name,
                (self.request.delivery_info or {}).get("exchange"),
            )
            return None
        return super().__call__(*args, **kwargs)


app = Celery("remixbank", task_cls=TrustedTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["repository"])
