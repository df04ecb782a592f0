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


def came_through_results(delivery_info: dict[str, Any] | None) -> bool:
    """Whether a message was delivered by the results queue's routing (key or exchange)."""
    info = delivery_info or {}
    return info.get("routing_key") == RESULTS_QUEUE or info.get("exchange") == RESULTS_EXCHANGE


class TrustedTask(Task):
    """Every trusted task: on the results queue only the result tasks may run.

    Anything else that came through `results` (an untrusted worker asking for, say,
    validate_version of any version) is logged and acknowledged, and does nothing.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.name not in RESULT_TASKS and came_through_results(self.request.delivery_info):
            log.error(
                "Refused %s from the results queue: untrusted workers may only send results "
                "there; the message was dropped.",
                self.name,
            )
            return None
        return super().__call__(*args, **kwargs)


app = Celery("remixbank", task_cls=TrustedTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["repository"])
