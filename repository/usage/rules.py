"""The COUNTER Release 5 rules: robots, sessions, the double-click filter, totals and uniques."""

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import counter_robots

DOUBLE_CLICK = timedelta(seconds=30)
# Every use investigates the item; these also request (use) its content.
REQUEST_KINDS = frozenset({"download", "try", "lti", "fork", "attempt"})
KIND_FIELDS = {
    "view": "views",
    "download": "downloads",
    "try": "tries",
    "lti": "lti_launches",
    "fork": "forks",
    "attempt": "attempts",
}


@lru_cache(maxsize=4096)
def is_robot(user_agent: str) -> bool:
    """Robots, crawlers and scripts (the COUNTER-Robots list); no user agent is a machine too."""
    return not user_agent.strip() or counter_robots.is_robot_or_machine(user_agent)


def session_hash(salt: str, identity: str, when: datetime) -> str:
    """A day's session id that cannot be traced back without the day's salt.

    COUNTER's session: a session cookie with the date, or else the address and user agent with
    the date and the hour; `identity` is the first or the second, and the hour is added for it.
    """
    slot = when.strftime("%Y-%m-%d") if identity.startswith("s:") else when.strftime("%Y-%m-%dT%H")
    digest = hashlib.blake2b(f"{identity}\n{slot}".encode(), key=salt.encode()[:64], digest_size=16)
    return digest.hexdigest()


@dataclass(frozen=True)
class Event:
    version_id: int
    session: str
    kind: str
    at: datetime


def without_double_clicks(events: Iterable[Event]) -> list[Event]:
    """Drop a use followed by the same use (session, version, kind) within 30 seconds.

    COUNTER counts the last of such clicks: three at 0, 20 and 40 s count once.
    """
    ordered = sorted(events, key=lambda e: (e.session, e.version_id, e.kind, e.at))
    kept = []
    for event, following in zip(ordered, [*ordered[1:], None], strict=True):
        same = (
            following is not None
            and (following.session, following.version_id, following.kind)
            == (event.session, event.version_id, event.kind)
            and following.at - event.at <= DOUBLE_CLICK
        )
        if not same:
            kept.append(event)
    return kept


def day_counts(events: Iterable[Event]) -> dict[int, dict[str, int]]:
    """Per version: each kind's count and the COUNTER totals and uniques, after the filter."""
    counted: dict[int, Counter[str]] = {}
    investigating: dict[int, set[str]] = {}
    requesting: dict[int, set[str]] = {}
    for event in without_double_clicks(events):
        counts = counted.setdefault(event.version_id, Counter())
        counts[KIND_FIELDS[event.kind]] += 1
        counts["total_investigations"] += 1
        investigating.setdefault(event.version_id, set()).add(event.session)
        if event.kind in REQUEST_KINDS:
            counts["total_requests"] += 1
            requesting.setdefault(event.version_id, set()).add(event.session)
    return {
        version_id: {
            **{field: counts[field] for field in KIND_FIELDS.values()},
            "total_investigations": counts["total_investigations"],
            "total_requests": counts["total_requests"],
            "unique_investigations": len(investigating.get(version_id, ())),
            "unique_requests": len(requesting.get(version_id, ())),
        }
        for version_id, counts in counted.items()
    }
