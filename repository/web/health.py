"""Liveness (/healthz) and readiness (/readyz) for load balancers and orchestrators.

Both answer JSON, never a page: no template, session, login or redirect is involved, and
/readyz catches every failure of what it checks so it can name it instead of raising.
"""

import os
import time
from collections.abc import Callable
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.urls import resolve
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from repository.actions import workers
from repository.guards import outages
from repository.web import metrics

# Answered before host checks, the content-origin routing and any HTTPS redirect: orchestrators
# probe a pod by its IP address, which is in no ALLOWED_HOSTS, over plain HTTP. None of these
# views builds an absolute URL from the Host header, so an unchecked host cannot mislead them.
OPS_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})

# A probe that waits longer than the orchestrator's own timeout tells it nothing.
BROKER_TIMEOUT_SECONDS = 2.0


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and answering; nothing else is touched."""
    return JsonResponse({"status": "ok"})


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "reached"


def check_broker() -> str:
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    outages.BROKER.recovered()
    return f"reached ({conn.transport_cls})"


def check_storage() -> str:
    blobs = storages["blobs"]
    if isinstance(blobs, FileSystemStorage):
        folder = Path(blobs.location)
        # Made on first save anyway; failing to make it is what a deposit would hit.
        folder.mkdir(parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK | os.X_OK):
            raise PermissionError(f"the blob folder {folder} is not writable by this process")
        return "writable"
    # Object storage: one HEAD of a name never written; an answer, even "absent", means reached.
    blobs.exists(".readyz")
    return "reached"


def check_workers() -> str:
    within = settings.READYZ_WORKERS_SEEN_SECONDS
    if current_app.conf.task_always_eager:
        return "not needed: tasks run in the web process (CELERY_TASK_ALWAYS_EAGER)"
    if within == 0:
        return "not checked (READYZ_WORKERS_SEEN_SECONDS=0)"
    seen = workers.workers_seen(within_seconds=within)
    if not seen.get("trusted"):
        raise LookupError(
            f"no trusted worker ran its periodic task in the last {within} s: start "
            "`celery -A deploy.celery worker` and `celery -A deploy.celery beat`"
        )
    return ", ".join(f"{len(names)} {kind}" for kind, names in sorted(seen.items())) + " seen"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "broker": check_broker,
    "storage": check_storage,
    "workers": check_workers,
}


def reason(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return f"{type(error).__name__}: {text}"[:500]


@require_safe
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when database, broker, blob storage and workers all answer; else 503 naming each
    one down, and why to a caller that may scrape /metrics. The workers check needs the database, so it is skipped when it is down."""
    checks: dict[str, dict[str, object]] = {}
    for name, check in CHECKS.items():
        if name == "workers" and checks["database"]["ok"] is False:
            checks[name] = {"ok": False, "detail": "unknown: the database is down"}
            continue
        started = time.perf_counter()
        try:
            detail, ok = check(), True
        except Exception as exc:  # every failure is an answer here, not an error page
            if name == "database":
                outages.database_unavailable(exc)
            elif name == "broker":
                outages.BROKER.failed(exc)
            detail, ok = reason(exc), False
        checks[name] = {
            "ok": ok,
            "detail": detail,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        }
    down = [name for name, result in checks.items() if not result["ok"]]
    body: dict[str, object] = {"status": "unavailable" if down else "ready", "down": down}
    # The details name internal hosts, folders and worker names: only for the operators who
    # may scrape /metrics; a public probe learns which parts are down, not where they live.
    if metrics.allowed(request):
        body["checks"] = checks
    response = JsonResponse(body, status=503 if down else 200)
    # A probe asks every few seconds: each outage is logged once (guards/outages.py), not per probe.
    return outages.already_logged(response) if down else response


class OpsEndpointsMiddleware:
    """Serve /healthz, /readyz and /metrics whatever the Host header, with no redirect."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info not in OPS_PATHS:
            return self.get_response(request)
        match = resolve(request.path_info, urlconf=settings.ROOT_URLCONF)
        request.resolver_match = match
        response: HttpResponseBase = match.func(request, *match.args, **match.kwargs)
        return response
