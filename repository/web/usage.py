"""Recent use as pages show it: the last 30 days' totals and their sparkline."""

from typing import Any

from django.db.models import QuerySet
from django.utils.safestring import mark_safe

from repository.actions.usage import recent_use
from repository.models import UsageDay
from repository.usage.sparkline import sparkline_svg


def use_panel(rows: QuerySet[UsageDay]) -> dict[str, Any]:
    use = recent_use(rows)
    label = (
        f"Daily uses from {use['first']:%d %b} to {use['last']:%d %b %Y}: "
        f"{use['investigations']} in all, {use['requests']} of them opening or taking the work"
    )
    # sparkline_svg escapes its label and draws nothing else from outside.
    return {**use, "svg": mark_safe(sparkline_svg(use["daily"], label=label))}  # noqa: S308
