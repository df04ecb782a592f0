"""Outages of the services we depend on (database, broker): telling them from bugs, logged once each."""

import logging
import threading
import time
from typing import TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpResponseBase

log = logging.getLogger(__name__)
Response = TypeVar("Response", bound=HttpResponseBase)


class Outage:
    """One service's up/down state in this process: the first failure and the recovery are
    logged, the requests or sends in between are not (a dead database would otherwise write
    one traceback per request)."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.since: float | None = None
        self.lock = threading.Lock()

    @property
    def down(self) -> bool:
        return self.since is not None

    def failed(self, error: BaseException) -> None:
        with self.lock:
            if self.since is not None:
                return
            self.since = time.monotonic()
        # One line, whatever the driver's message looks like (psycopg's span several).
        reason = " ".join(str(error).split()) or type(error).__name__
        log.error("%s unavailable: %s", self.service, reason)

    def recovered(self) -> None:
        with self.lock:
            if self.since is None:
                return
            seconds, self.since = time.monotonic() - self.since, None
        log.warning("%s available again after %.0f s", self.service, seconds)


DATABASE = Outage("database")
BROKER = Outage("broker")


def connection_lost(connection: BaseDatabaseWrapper) -> bool:
    raw = connection.connection
    if raw is None:
        return True  # the connect itself failed
    # psycopg marks a connection closed once the server has gone; SQLite's has no such flag
    # and is checked by Django's own probe.
    closed = getattr(raw, "closed", None)
    return bool(closed) if closed is not None else not connection.is_usable()


def database_unavailable(error: BaseException) -> bool:
    """True when `error` comes from a database we cannot reach, not from a bad query.

    A failed query on a live connection (a lock timeout, a cancelled statement) stays a bug
    to look into; a refused connect or a connection the server dropped is an outage.
    """
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    lost = any(connection_lost(c) for c in connections.all(initialized_only=True))
    if lost:
        DATABASE.failed(error)
    return lost


def database_reached() -> bool:
    """True when this request talked to the database without losing it (so it is back)."""
    opened = [c for c in connections.all(initialized_only=True) if c.connection is not None]
    return bool(opened) and not any(c.errors_occurred for c in opened)


def retry_after() -> str:
    return str(settings.OUTAGE_RETRY_AFTER_SECONDS)


def already_logged(response: Response) -> Response:
    """Keep Django from logging this 503 once per request: the outage was logged once above."""
    # Read by django.utils.log.log_response; private, so not in Django's type stubs.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response
