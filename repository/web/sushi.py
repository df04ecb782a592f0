"""COUNTER_SUSHI Release 5 at /sushi/r5/: status, members, reports and each report as JSON."""

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from repository.exchange import sushi


def answer(data: Any, status: int = 200) -> JsonResponse:
    response = JsonResponse(
        data, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
    )
    response["Access-Control-Allow-Origin"] = "*"  # public counts, read by harvesting dashboards
    return response


@require_GET
def status(request: HttpRequest) -> JsonResponse:
    return answer(sushi.status())


@require_GET
def members(request: HttpRequest) -> JsonResponse:
    return answer(sushi.members())


@require_GET
def reports(request: HttpRequest) -> JsonResponse:
    return answer(sushi.reports_list())


@require_GET
def report(request: HttpRequest, report_id: str) -> JsonResponse:
    try:
        return answer(sushi.report(report_id, request.GET.dict()))
    except sushi.SushiError as error:
        return answer(error.exception, status=error.status)
