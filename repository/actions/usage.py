"""Usage statistics: record a use cheaply, aggregate each finished day, read the counts back."""

import logging
import secrets
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet, Sum
from django.http import HttpRequest
from django.utils import timezone

from repository.models import Institution, Resource, UsageDay, UsageEvent, UsageSalt, Version
from repository.usage import rules

log = logging.getLogger(__name__)

Use = UsageEvent.Kind
COUNT_FIELDS = [
    *rules.KIND_FIELDS.values(),
    "total_investigations",
    "total_requests",
    "unique_investigations",
    "unique_requests",
]
# The salt of the day, per process, so recording reads it from the database once a day.
_salts: dict[date, str] = {}


def record_use(
    request: HttpRequest, version: Version, kind: str, *, identity: str | None = None
) -> None:
    """Count one use of a published version: one INSERT, nothing personal kept.

    Robots are not recorded. `identity` names the session when the request does not (an LTI
    launch: the platform and its user's opaque id); it is hashed with the day's salt like the
    rest. Recording never fails the page: a database error is logged and the use is lost.
    """
    if not settings.USAGE_STATISTICS or version.state != Version.State.PUBLISHED:
        return
    if rules.is_robot(request.headers.get("User-Agent", "")):
        return
    now = timezone.now()
    try:
        session = rules.session_hash(salt_of(now.date()), identity or identity_of(request), now)
        event = UsageEvent(occurred_at=now, kind=kind, version_id=version.pk, session=session)
        if connection.vendor == "postgresql" and connection.get_autocommit():
            # A count lost in a crash is not worth a disk flush on the page's path: the commit
            # returns before the WAL reaches the disk (the database itself stays consistent).
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")
                event.save(force_insert=True)
        else:
            event.save(force_insert=True)
    except DatabaseError:
        log.warning("a %s of version %s was not counted (database error)", kind, version.pk)


def identity_of(request: HttpRequest) -> str:
    """The session of a signed-in person, else the address and the browser.

    Only a session the site gave counts: an unread session cookie's key is whatever the client
    sent, and a new one made up with each click would defeat the double-click filter and add a
    unique each time (the content origin never reads, nor gets, the site's own cookie).
    """
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    if user is not None and user.is_authenticated and session is not None:
        key = session.session_key  # read after the user: the session is loaded, so it is ours
        if key:
            return f"s:{key}"
    return f"a:{client_address(request)}|{request.headers.get('User-Agent', '')}"


def client_address(request: HttpRequest) -> str:
    """The visitor's address: behind NUM_PROXIES proxies, the one the outermost of them saw."""
    proxies = int(str(settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0))
    forwarded = request.headers.get("X-Forwarded-For", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        return hops[-min(proxies, len(hops))]
    return str(request.META.get("REMOTE_ADDR", ""))


def salt_of(day: date) -> str:
    salt = _salts.get(day)
    if salt is None:
        row, _ = UsageSalt.objects.get_or_create(day=day, defaults={"salt": secrets.token_hex(32)})
        _salts.clear()  # yesterday's is no longer needed in this process
        salt = _salts[day] = row.salt
    return salt


def aggregate_usage(*, before: date | None = None, batch: int = 20_000) -> int:
    """Count every day before `before` (today, UTC) into UsageDay; delete its events and salt.

    A day already counted (events that came late) is added to. Returns the events counted.
    """
    before = before or timezone.now().date()
    counted = 0
    end = datetime(before.year, before.month, before.day, tzinfo=UTC)
    days = UsageEvent.objects.filter(occurred_at__lt=end).datetimes(
        "occurred_at", "day", tzinfo=UTC
    )
    for day in list(days):
        counted += aggregate_day(day.date(), batch=batch)
    UsageSalt.objects.filter(day__lt=before).delete()
    _salts.pop(before - timedelta(days=1), None)
    return counted


@transaction.atomic
def aggregate_day(day: date, *, batch: int = 20_000) -> int:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    events = UsageEvent.objects.select_for_update().filter(
        occurred_at__gte=start, occurred_at__lt=start + timedelta(days=1)
    )
    rows = events.order_by("version_id").values_list("version_id", "session", "kind", "occurred_at")
    counted = 0
    per_version: dict[int, dict[str, int]] = {}
    for _version_id, group in groupby(rows.iterator(chunk_size=batch), key=lambda row: row[0]):
        uses = [rules.Event(*row) for row in group]
        counted += len(uses)
        per_version.update(rules.day_counts(uses))
    owners = dict(
        (pk, (resource_id, institution_id))
        for pk, resource_id, institution_id in Version.objects.filter(
            pk__in=per_version
        ).values_list("pk", "resource_id", "resource__institution_id")
    )
    existing = {
        row.version_id: row for row in UsageDay.objects.filter(day=day, version_id__in=per_version)
    }
    new, changed = [], []
    for version_id, counts in per_version.items():
        if version_id not in owners:
            continue  # a version that no longer exists
        row = existing.get(version_id)
        if row is None:
            resource_id, institution_id = owners[version_id]
            new.append(
                UsageDay(
                    day=day,
                    version_id=version_id,
                    resource_id=resource_id,
                    institution_id=institution_id,
                    **counts,
                )
            )
        else:
            for field, value in counts.items():
                setattr(row, field, getattr(row, field) + value)
            changed.append(row)
    UsageDay.objects.bulk_create(new, batch_size=1000)
    UsageDay.objects.bulk_update(changed, COUNT_FIELDS, batch_size=1000)
    events.delete()
    return counted


def usage_rows(
    *,
    version: Version | None = None,
    resource: Resource | None = None,
    institution: Institution | None = None,
) -> QuerySet[UsageDay]:
    rows = UsageDay.objects.all()
    if version is not None:
        rows = rows.filter(version=version)
    if resource is not None:
        rows = rows.filter(resource=resource)
    if institution is not None:
        rows = rows.filter(institution=institution)
    return rows


def daily_series(rows: QuerySet[UsageDay], *, first: date, last: date) -> list[dict[str, Any]]:
    """Every day from first to last (days without use as zeros), each with every count."""
    summed: dict[date, dict[str, Any]] = {
        row["day"]: dict(row)
        for row in rows.filter(day__gte=first, day__lte=last)
        .values("day")
        .annotate(**{field: Sum(field) for field in COUNT_FIELDS})
    }
    return [
        {"date": day, **{field: (summed.get(day) or {}).get(field) or 0 for field in COUNT_FIELDS}}
        for day in days_between(first, last)
    ]


def days_between(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def recent_series(rows: QuerySet[UsageDay], *, days: int = 30) -> list[dict[str, Any]]:
    """The last `days` counted days (up to yesterday, UTC)."""
    last = timezone.now().date() - timedelta(days=1)
    return daily_series(rows, first=last - timedelta(days=days - 1), last=last)


def recent_use(rows: QuerySet[UsageDay], *, days: int = 30) -> dict[str, Any]:
    """What a page shows: each day's uses (investigations) and the period's totals."""
    series = recent_series(rows, days=days)
    return {
        "days": days,
        "daily": [day["total_investigations"] for day in series],
        "investigations": sum(day["total_investigations"] for day in series),
        "requests": sum(day["total_requests"] for day in series),
        "first": series[0]["date"],
        "last": series[-1]["date"],
    }
