"""COUNTER_SUSHI Release 5: the status, members and reports lists, and the TR, TR_J1 and IR reports.

Remixbank is the platform; each institution is a customer (its slug is the Customer_ID) and
the report counts the use of its own resources (titles) and their versions (items). Errors
come as COUNTER exceptions with the Release 5 codes; a problem that still lets the report be
made (an unknown parameter, no usage in the period) is listed in its header instead.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from repository.models import Institution, Resource, UsageDay, Version

RELEASE = "5"
PLATFORM = "Remixbank"
HELP = "See the README's 'Usage statistics' section for the parameters each report takes."
METRICS = {
    "Total_Item_Investigations": "total_investigations",
    "Total_Item_Requests": "total_requests",
    "Unique_Item_Investigations": "unique_investigations",
    "Unique_Item_Requests": "unique_requests",
}


@dataclass(frozen=True)
class ReportKind:
    report_id: str
    name: str
    description: str
    metrics: tuple[str, ...]
    per_version: bool


REPORTS = {
    "tr": ReportKind(
        "TR",
        "Title Master Report",
        "Each resource's investigations and requests per month, over all its versions.",
        tuple(METRICS),
        per_version=False,
    ),
    "tr_j1": ReportKind(
        "TR_J1",
        "Journal Requests (Excluding OA_Gold)",
        "The standard view of TR that SUSHI clients read: each resource's Total_Item_Requests "
        "and Unique_Item_Requests per month.",
        ("Total_Item_Requests", "Unique_Item_Requests"),
        per_version=False,
    ),
    "ir": ReportKind(
        "IR",
        "Item Master Report",
        "Each version's investigations and requests per month.",
        tuple(METRICS),
        per_version=True,
    ),
}
REPORT_PARAMETERS = {"customer_id", "requestor_id", "api_key", "platform", "begin_date", "end_date"}
REPORT_PARAMETERS |= {"metric_type", "attributes_to_show", "data_type", "access_type"}


class SushiError(Exception):
    """A COUNTER exception that stops the report; `status` is the HTTP status it goes with."""

    def __init__(self, code: int, message: str, data: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status
        self.exception = exception(code, message, data, severity="Error")


def exception(code: int, message: str, data: str, *, severity: str) -> dict[str, Any]:
    return {"Code": code, "Severity": severity, "Message": message, "Data": data, "Help_URL": HELP}


def status() -> list[dict[str, Any]]:
    return [
        {
            "Description": "Remixbank usage statistics (COUNTER Release 5), counted each night.",
            "Service_Active": True,
            "Registry_URL": "",
            "Note": "Customer_ID is an institution's slug, as in its address /i/<slug>/.",
            "Alerts": [],
        }
    ]


def reports_list() -> list[dict[str, str]]:
    return [
        {
            "Report_Name": kind.name,
            "Report_ID": kind.report_id,
            "Release": RELEASE,
            "Report_Description": kind.description,
            "Path": f"/sushi/r5/reports/{key}",
        }
        for key, kind in REPORTS.items()
    ]


def members() -> list[dict[str, Any]]:
    return [
        {
            "Customer_ID": i.slug,
            "Requestor_ID": "",
            "Name": i.name,
            "Notes": "",
            "Institution_ID": institution_ids(i),
        }
        for i in Institution.objects.order_by("slug")
    ]


def institution_ids(institution: Institution) -> list[dict[str, str]]:
    return [{"Type": "Proprietary", "Value": f"{PLATFORM}:{institution.slug}"}]


def report(report_name: str, params: dict[str, str]) -> dict[str, Any]:
    """The report asked for, or SushiError with the COUNTER code of what is wrong."""
    kind = REPORTS.get(report_name.lower())
    if kind is None:
        raise SushiError(
            3000,
            "Report Not Supported",
            f"There is no report {report_name!r}; this server offers "
            f"{', '.join(k.report_id for k in REPORTS.values())} (see /sushi/r5/reports).",
            status=404,
        )
    for required in ("customer_id", "requestor_id"):
        if not params.get(required, "").strip():
            raise SushiError(
                1030,
                "Insufficient Information to Process Request",
                f"{required} is required: give {required}=… (customer_id is the institution's "
                "slug, as in /i/<slug>/; requestor_id names who is asking).",
            )
    institution = Institution.objects.filter(slug=params["customer_id"].strip()).first()
    if institution is None:
        raise SushiError(
            2010,
            "Requestor is Not Authorized to Access Usage for Institution",
            f"No institution has customer_id {params['customer_id']!r}; /sushi/r5/members "
            "lists them.",
            status=403,
        )
    first, last = period(params)
    warnings = [
        exception(
            3050,
            "Parameter Not Recognized in this Context",
            f"{name} was ignored.",
            severity="Warning",
        )
        for name in sorted(set(params) - REPORT_PARAMETERS)
    ]
    items = report_items(kind, institution, first, last)
    if not items:
        warnings.append(
            exception(
                3030,
                "No Usage Available for Requested Dates",
                f"{institution.name} has no usage counted from {first} to {last}.",
                severity="Error",
            )
        )
    header: dict[str, Any] = {
        "Created": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Created_By": PLATFORM,
        "Customer_ID": institution.slug,
        "Report_ID": kind.report_id,
        "Release": RELEASE,
        "Report_Name": kind.name,
        "Institution_Name": institution.name,
        "Institution_ID": institution_ids(institution),
        "Report_Filters": [
            {"Name": "Begin_Date", "Value": first.isoformat()},
            {"Name": "End_Date", "Value": last.isoformat()},
            {"Name": "Metric_Type", "Value": "|".join(kind.metrics)},
        ],
        "Report_Attributes": [],
    }
    if warnings:
        header["Exceptions"] = warnings
    return {"Report_Header": header, "Report_Items": items}


def period(params: dict[str, str]) -> tuple[date, date]:
    """begin_date and end_date (yyyy-mm-dd or yyyy-mm) as whole months."""
    missing = [name for name in ("begin_date", "end_date") if not params.get(name, "").strip()]
    if missing:
        raise SushiError(
            3070,
            "Required ReportFilter Missing",
            f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} required: give "
            "begin_date=yyyy-mm-dd&end_date=yyyy-mm-dd (or yyyy-mm).",
        )
    begin = month_of(params["begin_date"], "begin_date")
    end = month_of(params["end_date"], "end_date")
    if begin > end:
        raise SushiError(
            3020,
            "Invalid Date Arguments",
            f"begin_date {params['begin_date']} is after end_date {params['end_date']}: swap them.",
        )
    today = timezone.now().date()
    if begin > today:
        raise SushiError(
            3031,
            "Usage Not Ready for Requested Dates",
            f"begin_date {params['begin_date']} is in the future; usage is counted each night "
            f"up to yesterday ({today.replace(day=1)} onwards is this month).",
        )
    last = end.replace(day=calendar.monthrange(end.year, end.month)[1])
    return begin, last


def month_of(value: str, name: str) -> date:
    text = value.strip()
    for shape in ("%Y-%m-%d", "%Y-%m"):
        try:
            return datetime.strptime(text, shape).date().replace(day=1)
        except ValueError:
            continue
    raise SushiError(
        3020,
        "Invalid Date Arguments",
        f"{name} {value!r} is not a date: give it as yyyy-mm-dd or yyyy-mm (e.g. 2026-01-01).",
    )


def report_items(
    kind: ReportKind, institution: Institution, first: date, last: date
) -> list[dict[str, Any]]:
    group = "version" if kind.per_version else "resource"
    fields = [METRICS[m] for m in kind.metrics]
    rows = (
        # Anyone may ask: a version taken down since (which may be named for what it is) is
        # left out with its use, as it is left out of every public list.
        UsageDay.objects.filter(
            institution=institution,
            day__gte=first,
            day__lte=last,
            version__state__in=Version.PUBLIC_STATES,
        )
        .annotate(month=TruncMonth("day"))
        .values(group, "month")
        .annotate(**{f: Sum(f) for f in fields})
        .order_by(group, "month")
    )
    per_item: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        month: date = row["month"]
        instances = [
            {"Metric_Type": metric, "Count": row[METRICS[metric]]}
            for metric in kind.metrics
            if row[METRICS[metric]]
        ]
        if instances:
            end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
            per_item.setdefault(row[group], []).append(
                {
                    "Period": {"Begin_Date": month.isoformat(), "End_Date": end.isoformat()},
                    "Instance": instances,
                }
            )
    if kind.per_version:
        things: dict[int, Any] = Version.objects.select_related("resource").in_bulk(per_item)
    else:
        things = Resource.objects.in_bulk(per_item)
    return [
        item_of(kind, institution, things[pk], performance) for pk, performance in per_item.items()
    ]


def item_of(
    kind: ReportKind, institution: Institution, thing: Any, performance: list[dict[str, Any]]
) -> dict[str, Any]:
    """One title (a resource) or item (a version) with its months."""
    if kind.per_version:
        version = thing
        resource = version.resource
        name = {"Item": f"{resource.title} v{version.number}"}
        ident = f"{institution.slug}/{resource.slug}/v{version.number}"
        url = version.get_absolute_url()
    else:
        resource = thing
        name = {"Title": resource.title}
        ident = f"{institution.slug}/{resource.slug}"
        url = resource.get_absolute_url()
    return {
        **name,
        "Item_ID": [
            {"Type": "Proprietary", "Value": f"{PLATFORM}:{ident}"},
            {"Type": "URI", "Value": settings.SITE_URL.rstrip("/") + url},
        ],
        "Platform": PLATFORM,
        "Publisher": institution.name,
        "Publisher_ID": institution_ids(institution),
        "Data_Type": "Repository_Item" if kind.per_version else "Other",
        "Access_Type": "Open",
        "Access_Method": "Regular",
        "Performance": performance,
    }
