"""Prometheus metrics at /metrics: requests, queue depth, durations, sandbox kills, re-validation backlog.

Requests are counted in the web process that answers them; under gunicorn
(PROMETHEUS_MULTIPROC_DIR, set by deploy/gunicorn.conf.py) each worker process writes its
counts to a file of its own there and a scrape of any one of them sums them all. Queue depth,
durations, kills and backlog are read when scraped, from the broker and from the rows the
workers wrote, so they need nothing from the worker processes and are the same whichever web
process answers.
"""

import hmac
import ipaddress
import os
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.db.models import Count, Max, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from repository.actions.validation import revalidation_backlog
from repository.models import Attempt, ValidationRun, ValidationStep
from repository.web.middleware import on_content_domain

# Durations are reported over the runs and attempts that finished in this window.
RECENT = timedelta(hours=1)

REGISTRY = CollectorRegistry()
REQUESTS = Counter(
    "remixbank_http_requests",
    "Requests answered, by view name, method and status.",
    ["view", "method", "status"],
    registry=REGISTRY,
)
REQUEST_SECONDS = Histogram(
    "remixbank_http_request_duration_seconds",
    "Time to answer a request, by view name.",
    ["view"],
    registry=REGISTRY,
)


def view_name(request: HttpRequest) -> str:
    """The URL pattern's name (never the path, which would make a label per version)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unmatched>"
    return match.view_name or match.url_name or "<unnamed>"


#: Methods counted by name; any other (a client may send any token as its method) is "other",
#: so a caller cannot add a labelled series, kept in memory for good, with each request.
COUNTED_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_label(request: HttpRequest) -> str:
    method = request.method or ""
    return method if method in COUNTED_METHODS else "other"


class RequestMetricsMiddleware:
    """Count every response and time it, labelled by the view that answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = self.get_response(request)
        view = view_name(request)
        REQUESTS.labels(view, method_label(request), str(response.status_code)).inc()
        REQUEST_SECONDS.labels(view).observe(time.perf_counter() - started)
        return response


def queue_depths() -> dict[str, int]:
    """Messages waiting in each of the site's queues, as the broker counts them.

    A passive declare on RabbitMQ (never redeclares a queue with other arguments); kombu's
    virtual transports (Redis: LLEN of the queue's lists, filesystem: its message files) answer
    the same call by counting, and a declare there creates nothing a worker would not.
    """
    depths = {}
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        passive = conn.transport.driver_type == "amqp"
        channel = conn.default_channel
        for queue in settings.VALIDATION_QUEUES:
            try:
                declared = channel.queue_declare(queue=queue, passive=passive)
            except conn.channel_errors:  # RabbitMQ: not declared yet, so nothing waits in it
                channel = conn.channel()
                depths[queue] = 0
                continue
            depths[queue] = int(declared.message_count)
    return depths


class QueueCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily(
            "remixbank_queue_messages", "Messages waiting in each queue.", labels=["queue"]
        )
        up = GaugeMetricFamily("remixbank_broker_up", "1 if the broker answered this scrape.")
        try:
            depths = queue_depths()
        except Exception:  # a broker that is down is reported as such, not as a failed scrape
            up.add_metric([], 0)
        else:
            up.add_metric([], 1)
            for queue, count in depths.items():
                depth.add_metric([queue], count)
        yield up
        yield depth


class DurationCollector(Collector):
    """Validation steps, runs and attempts finished in the last hour: how many, seconds in all,
    the longest (one grouped query each; finished rows are never rewritten)."""

    def collect(self) -> Iterator[Metric]:
        since = timezone.now() - RECENT
        steps = (
            ValidationStep.objects.filter(run__finished_at__gte=since)
            .values("name", "status")
            .annotate(count=Count("id"), total=Sum("duration_ms"), longest=Max("duration_ms"))
        )
        yield from families(
            "remixbank_validation_step",
            "validation steps finished in the last hour",
            ["step", "status"],
            [((s["name"], s["status"]), s["count"], s["total"], s["longest"]) for s in steps],
        )
        runs = self.timed(ValidationRun.objects.filter(finished_at__gte=since), "state")
        yield from families(
            "remixbank_validation_run",
            "validation runs finished in the last hour, by verdict",
            ["state"],
            runs,
        )
        attempts = self.timed(
            Attempt.objects.filter(finished_at__gte=since, started_at__isnull=False), "state"
        )
        yield from families(
            "remixbank_attempt", "learners' attempts finished in the last hour", ["state"], attempts
        )

    @staticmethod
    def timed(rows: QuerySet[Any], label: str) -> list[tuple[tuple[str, ...], int, float, float]]:
        """(labels, count, total ms, longest ms) of rows with started_at/finished_at, in Python
        over one hour's rows: SQLite cannot subtract datetimes in the query."""
        found: dict[str, list[float]] = {}
        for value, started, finished in rows.values_list(label, "started_at", "finished_at"):
            found.setdefault(value, []).append((finished - started).total_seconds() * 1000)
        return [((k,), len(v), sum(v), max(v)) for k, v in sorted(found.items())]


def families(
    prefix: str, what: str, labels: list[str], rows: list[tuple[tuple[str, ...], int, float, float]]
) -> Iterator[Metric]:
    count = GaugeMetricFamily(f"{prefix}s_recent", f"Number of {what}.", labels=labels)
    total = GaugeMetricFamily(
        f"{prefix}_seconds_recent_sum", f"Seconds taken by the {what}, added up.", labels=labels
    )
    longest = GaugeMetricFamily(
        f"{prefix}_seconds_recent_max", f"Longest of the {what}, in seconds.", labels=labels
    )
    for values, n, total_ms, longest_ms in rows:
        count.add_metric(list(values), n)
        total.add_metric(list(values), (total_ms or 0) / 1000)
        longest.add_metric(list(values), (longest_ms or 0) / 1000)
    yield count
    yield total
    yield longest


class SandboxKillCollector(Collector):
    """Runs of deposited or learners' code that the sandbox killed at one of its limits
    (time, memory, CPU) in the last hour: scenario validation steps and attempts."""

    def collect(self) -> Iterator[Metric]:
        since = timezone.now() - RECENT
        kills = GaugeMetricFamily(
            "remixbank_sandbox_kills_recent",
            "Sandboxed runs killed at a limit in the last hour, by what ran and which limit.",
            labels=["run", "limit"],
        )
        found: dict[tuple[str, str], int] = {}
        steps = (
            ValidationStep.objects.filter(run__finished_at__gte=since, artefacts__has_key="killed")
            .values_list("artefacts__killed", flat=True)
            .iterator()
        )
        for limit in steps:
            found[("validation", str(limit))] = found.get(("validation", str(limit)), 0) + 1
        attempts = (
            Attempt.objects.filter(finished_at__gte=since)
            .exclude(killed_by="")
            .values("killed_by")
            .annotate(n=Count("id"))
        )
        for row in attempts:
            found[("attempt", row["killed_by"])] = row["n"]
        for labels, n in sorted(found.items()):
            kills.add_metric(list(labels), n)
        yield kills


class RevalidationBacklogCollector(Collector):
    """Versions the periodic re-validation has yet to run under the current validator release."""

    def collect(self) -> Iterator[Metric]:
        backlog = GaugeMetricFamily(
            "remixbank_revalidation_backlog",
            "Versions with no run of the current validator release, by kind and by whether "
            "they wait for a verdict (not run, could not finish) or are settled (published, "
            "passed).",
            labels=["kind", "state"],
        )
        for (kind, which), n in sorted(revalidation_backlog().items()):
            backlog.add_metric([kind, which], n)
        yield backlog


#: Read from the broker and the database at each scrape, whichever process answers it.
SCRAPED: tuple[Collector, ...] = (
    QueueCollector(),
    DurationCollector(),
    SandboxKillCollector(),
    RevalidationBacklogCollector(),
)
for collector in SCRAPED:
    REGISTRY.register(collector)


def scrape_registry() -> CollectorRegistry:
    """This process's registry, or under gunicorn one summing every web process's counters
    from their files, beside the collectors read at the scrape."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    for scraped in SCRAPED:
        registry.register(scraped)
    return registry


def allowed(request: HttpRequest) -> bool:
    """A scraper with the bearer token, or one at an allowed address that came direct to a
    name other than the content domain's.

    A request relayed by a proxy (X-Forwarded-For set) comes from the proxy's address, often
    loopback, so only the token lets it through.
    """
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(header.encode(), f"Bearer {token}".encode()):
        return True
    if "X-Forwarded-For" in request.headers:
        return False
    # The content domain is public by nature: a proxy in front of it need not add
    # X-Forwarded-For (the shipped nginx block for it did not), so its requests arrive from
    # loopback. A scraper names a pod or the site, never a version's origin.
    if on_content_domain(request.META.get("HTTP_HOST", ""))[0]:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_IPS
    )


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        return JsonResponse(
            {
                "error": "metrics are not public",
                "detail": "Scrape from an address in METRICS_ALLOWED_IPS, or send "
                "'Authorization: Bearer <METRICS_TOKEN>'.",
            },
            status=403,
        )
    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)
