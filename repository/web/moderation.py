"""Abuse handling pages: "Report this" for anyone, the moderation queue and log for site admins."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from repository.access import audit_log_for, is_site_admin, may_report
from repository.actions.moderation import (
    DETAILS_MAX_CHARS,
    REASON_MAX_CHARS,
    dismiss_report,
    report_version,
    restore_version,
    source_key,
    take_down_version,
)
from repository.actions.usage import client_address
from repository.errors import DomainError, RateLimited, TakenDown
from repository.models import Report, Version
from repository.web.lookups import signed_in_user, visible_version

LOG_LINES_SHOWN = 500


def reporter_source(request: HttpRequest) -> str:
    """The day-salted hash of the reporter's address (the address itself is never stored)."""
    # Behind the proxy every request comes from its address: the visitor's is the one it saw.
    return source_key(client_address(request))


def version_report(
    request: HttpRequest, institution: str, resource: str, number: int
) -> HttpResponse:
    """A form anyone can send (signed in or not) saying what is wrong with a public version."""
    try:
        version = visible_version(request, institution, resource, number)
    except Http404:
        return render(
            request,
            "repository/report_missing.html",
            {"address": f"/i/{institution}/{resource}/v{number}/"},
            status=404,
        )
    context: dict[str, Any] = {
        "version": version,
        "resource": version.resource,
        "categories": Report.Category.choices,
        "category": request.POST.get("category", ""),
        "details": request.POST.get("details", ""),
        "details_max": DETAILS_MAX_CHARS,
        "reportable": may_report(version),
    }
    if request.method != "POST":
        return render(request, "repository/report.html", context)
    try:
        report_version(
            version,
            category=context["category"],
            details=context["details"],
            source=reporter_source(request),
        )
    except DomainError as exc:
        context["error"] = exc.message
        response = render(request, "repository/report.html", context, status=400)
        if isinstance(exc, RateLimited):
            response.status_code = 429
            response["Retry-After"] = str(exc.retry_after)
        return response
    messages.success(
        request,
        "Thank you: your report was sent to the site's admins, who read every one. Nothing "
        "about you was kept with it.",
    )
    return redirect(version)


def refused(request: HttpRequest) -> HttpResponse:
    return render(request, "repository/moderation_refused.html", status=403)


def site_admins_only(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Anyone else gets a page saying these pages are the site admins' (403), and nothing else."""

    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_site_admin(request.user):
            return refused(request)
        return view(request, *args, **kwargs)

    checked.__doc__ = view.__doc__
    checked.__name__ = view.__name__
    return checked


@site_admins_only
def moderation_queue(request: HttpRequest) -> HttpResponse:
    """Open reports grouped by version, oldest first, and the versions taken down."""
    open_reports = Report.objects.filter(state=Report.State.OPEN)
    reported = (
        Version.objects.filter(pk__in=open_reports.values("version"))
        .annotate(open_count=Count("reports", filter=Q(reports__state=Report.State.OPEN)))
        .select_related("resource__institution", "created_by")
        .prefetch_related(Prefetch("reports", queryset=open_reports, to_attr="open_reports"))
    )
    # The version reported longest ago comes first.
    groups = sorted(reported, key=lambda v: (v.open_reports[0].created_at, v.pk))
    taken_down = (
        Version.objects.filter(state=Version.State.TAKEN_DOWN)
        .select_related("resource__institution")
        .order_by("-taken_down_at")
    )
    return render(
        request,
        "repository/moderation.html",
        {"groups": groups, "taken_down": taken_down, "reason_max": REASON_MAX_CHARS},
    )


@site_admins_only
def moderation_log(request: HttpRequest) -> HttpResponse:
    """The whole audit log: every admin action on the site, who, what, when, why."""
    actions = audit_log_for(request.user).select_related("institution")
    return render(request, "repository/moderation_log.html", {"actions": actions[:LOG_LINES_SHOWN]})


@require_POST
@site_admins_only
def moderation_take_down(request: HttpRequest, version_id: int) -> HttpResponse:
    version = get_object_or_404(Version, pk=version_id)
    try:
        take_down_version(
            version, by=signed_in_user(request), reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{version} was taken down; its page now says why.")
    return redirect("moderation")


@require_POST
@site_admins_only
def moderation_restore(request: HttpRequest, version_id: int) -> HttpResponse:
    version = get_object_or_404(Version, pk=version_id)
    try:
        restore_version(version, by=signed_in_user(request), reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{version} was restored ({version.get_state_display()}).")
    return redirect("moderation")


@require_POST
@site_admins_only
def moderation_dismiss(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_object_or_404(Report, pk=report_id)
    try:
        dismiss_report(report, by=signed_in_user(request), reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Report {report.pk} was dismissed.")
    return redirect("moderation")


class TakenDownMiddleware:
    """A taken-down version's pages answer 410 with its notice, for everyone outside its institution."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, TakenDown):
            return None
        return render(
            request,
            "repository/taken_down.html",
            {"title": exc.title, "reason": exc.reason, "message": exc.message},
            status=410,
        )
