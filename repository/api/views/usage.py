"""Usage counts per day for a version, a resource or an institution (`?from=&to=`, ISO dates)."""

from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from repository.actions.usage import COUNT_FIELDS, daily_series, usage_rows
from repository.api.views.common import ApiMixin, visible_resource, visible_version
from repository.models import Institution, UsageDay

MAX_DAYS = 366
PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="first day (default: 30 days ago)"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="last day (default: yesterday, UTC)"),
]


def day_param(request: Request, name: str, default: date) -> date:
    value = request.query_params.get(name)
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise exceptions.ValidationError(
            {name: [f"{value!r} is not a date: give it as YYYY-MM-DD."]}
        ) from None


def usage_answer(request: Request, rows: QuerySet[UsageDay]) -> Response:
    last = day_param(request, "to", timezone.now().date() - timedelta(days=1))
    first = day_param(request, "from", last - timedelta(days=29))
    if first > last:
        raise exceptions.ValidationError({"from": [f"from {first} is after to {last}: swap them."]})
    if (last - first).days >= MAX_DAYS:
        raise exceptions.ValidationError(
            {
                "from": [
                    f"At most {MAX_DAYS} days at a time; for longer, ask month by month "
                    "(or use the SUSHI reports at /sushi/r5/)."
                ]
            }
        )
    days = daily_series(rows, first=first, last=last)
    totals: dict[str, Any] = {field: sum(day[field] for day in days) for field in COUNT_FIELDS}
    return Response(
        {
            "from": first,
            "to": last,
            "totals": totals,
            "days": days,
            "note": "Counted each night (UTC) by the COUNTER Release 5 rules; unique counts are "
            "sessions per day, so summing them over days counts a returning visitor again.",
        }
    )


@extend_schema(tags=["usage"], parameters=PARAMETERS, responses=OpenApiTypes.OBJECT)
class VersionUsage(ApiMixin, APIView):
    """A version's uses per day: views, downloads, try-it starts, LTI launches, forks, attempts."""

    def get(self, request: Request, pk: int) -> Response:
        return usage_answer(request, usage_rows(version=visible_version(request, pk)))


@extend_schema(tags=["usage"], parameters=PARAMETERS, responses=OpenApiTypes.OBJECT)
class ResourceUsage(ApiMixin, APIView):
    """A resource's uses per day, over all its versions."""

    def get(self, request: Request, pk: int) -> Response:
        return usage_answer(request, usage_rows(resource=visible_resource(request, pk)))


@extend_schema(tags=["usage"], parameters=PARAMETERS, responses=OpenApiTypes.OBJECT)
class InstitutionUsage(ApiMixin, APIView):
    """The uses per day of an institution's resources."""

    def get(self, request: Request, slug: str) -> Response:
        institution = get_object_or_404(Institution, slug=slug)
        return usage_answer(request, usage_rows(institution=institution))
