"""Prometheus metrics at /metrics: requests, queue depth, validation and attempt durations.

Requests are counted in this process as they are answered (so each web process reports its
own; Prometheus sums them). Queue depth and durations are read when scraped, from the broker
and from the rows the workers wrote, so they need nothing from the worker processes.
"""

import hmac
import ipaddress
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
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

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


REGISTRY.register(QueueCollector())
REGISTRY.register(DurationCollector())


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
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
