"""The request id: one per web request or task, in every JSON log line, carried into every task it causes.

A web request takes the id its client or proxy sent in X-Request-ID when it is well formed,
else a new one (repository/web/middleware.py sets it and returns it as a response header).
Every Celery message published while an id is current carries it as the `request_id` header
(the outbox keeps it with the row, so a message sent later by `flush_outbox` still carries the
id of the request that asked for it), and a task runs under the id its message brought, so
the worker's lines for a deposit's validation, its work orders to the untrusted workers and
their results all carry the id of the upload that caused them. A task that came with none
(from beat) gets an id of its own, and passes it on likewise.

Plain Python and Celery only: the untrusted workers, which hold no Django, import it too.
"""

import contextvars
import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from celery import signals

HEADER = "request_id"
#: What is accepted from outside (a client, a proxy, a message): letters, digits and `._:-`,
#: 1 to 128 of them. Anything else (a line break that would forge a log line, a kilobyte of
#: junk) is replaced by a new id rather than logged.
WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

CURRENT: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
TASK: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("task", default=None)


def new_id() -> str:
    return uuid.uuid4().hex


def well_formed(candidate: object) -> str | None:
    """`candidate` if it may be used as an id as it is, else None."""
    if isinstance(candidate, str) and WELL_FORMED.fullmatch(candidate):
        return candidate
    return None


def current() -> str | None:
    return CURRENT.get()


@contextmanager
def bound(request_id: str | None) -> Iterator[str | None]:
    """Make `request_id` current for the block (None: no id), then restore the one before."""
    token = CURRENT.set(request_id)
    try:
        yield request_id
    finally:
        CURRENT.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (and, in a worker, `task` and `task_id`) to every record it passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = CURRENT.get()
        task = TASK.get()
        if task is not None:
            record.task, record.task_id = task
        return True


def logging_config(level: str | int = "INFO") -> dict[str, Any]:
    """The `logging.config.dictConfig` of every process: one JSON object per line on stderr."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "repository.tracing.RequestIdFilter"}},
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
                # Messages stay readable (and greppable) in the language they were written in.
                "json_ensure_ascii": False,
            }
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
    }


@signals.setup_logging.connect
def configure_worker_logging(loglevel: int | str | None = None, **_: Any) -> None:
    """Celery workers and beat log as the web does.

    With a receiver on this signal Celery leaves logging alone: it neither hijacks the root
    logger (`worker_hijack_root_logger`) nor adds its own plain-text handlers, which would
    drop the JSON and the id. Pool children inherit the handlers when they fork.
    """
    import logging.config

    logging.config.dictConfig(logging_config(loglevel or "INFO"))


@signals.before_task_publish.connect
def add_request_id(headers: dict[str, Any] | None = None, **_: Any) -> None:
    request_id = CURRENT.get()
    if request_id is not None and headers is not None:
        headers.setdefault(HEADER, request_id)


# Tokens to restore when each task ends, by task id (a worker thread runs one task at a time,
# but eager tasks run nested inside the caller's).
_restore: dict[str, tuple[contextvars.Token[str | None], contextvars.Token[Any]]] = {}


@signals.task_prerun.connect
def enter_task(task_id: str = "", task: Any = None, **_: Any) -> None:
    request = getattr(task, "request", None)
    sent = well_formed(request.get(HEADER)) if request is not None else None
    eager = bool(getattr(request, "is_eager", False))
    # An eager task runs inside its caller: it keeps the caller's id when its message has none.
    request_id = sent or (CURRENT.get() if eager else None) or new_id()
    _restore[task_id] = (CURRENT.set(request_id), TASK.set((getattr(task, "name", ""), task_id)))


@signals.task_postrun.connect
def leave_task(task_id: str = "", **_: Any) -> None:
    tokens = _restore.pop(task_id, None)
    if tokens is not None:
        CURRENT.reset(tokens[0])
        TASK.reset(tokens[1])
