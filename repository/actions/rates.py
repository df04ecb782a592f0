"""Sliding-window rate limits shared by the actions that queue work for a learner."""

import math
from datetime import datetime

from django.db.models import QuerySet


def seconds_until_below(rows: QuerySet, limit: int, *, since: datetime, field: str) -> int:
    """0 if fewer than `limit` of `rows` have `field` at or after `since`, else whole seconds until so."""
    recent = rows.filter(**{f"{field}__gte": since}).order_by(f"-{field}")
    # Once the limit-th newest leaves the window, fewer than `limit` remain in it.
    edge = recent.values_list(field, flat=True)[limit - 1 : limit].first()
    if edge is None:
        return 0
    return max(1, math.ceil((edge - since).total_seconds()))


def plural(n: int, word: str) -> str:
    return f"1 {word}" if n == 1 else f"{n} {word}s"
