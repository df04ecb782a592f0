"""Abuse handling: reports by anyone, and site admins' takedowns, restorations and dismissals."""

import hashlib
import hmac
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from repository.access import may_report, require_site_admin
from repository.actions import audit
from repository.actions.publishing import point_resource_at_latest
from repository.errors import DomainError, InvalidTransition, RateLimited
from repository.models import AdminAction, Report, Version

DETAILS_MAX_CHARS = 5000
REASON_MAX_CHARS = 2000
REPORT_WINDOW = timedelta(hours=1)


def source_key(address: str, *, now: datetime | None = None) -> str:
    """A hash of the reporter's address salted with the day: it throttles, it cannot be traced.

    The salt changes every day (from SECRET_KEY and the date), so yesterday's keys cannot be
    matched with today's, nor turned back into an address without the secret.
    """
    day = (now or timezone.now()).date().isoformat()
    salt = hmac.new(settings.SECRET_KEY.encode(), f"report:{day}".encode(), hashlib.sha256)
    return hmac.new(salt.digest(), address.encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def report_version(version: Version, *, category: str, details: str, source: str) -> Report:
    """Record a report of a public version, from anyone; `source` is `source_key`'s hash.

    Raises DomainError for a missing category or details, details over DETAILS_MAX_CHARS, and a
    version that is not public (taken down already, or never published); RateLimited past
    REPORTS_PER_HOUR from one source.
    """
    details = details.strip()
    if category not in Report.Category.values:
        raise DomainError(
            "Choose what is wrong with this version (one of the listed reasons), then send it."
        )
    if not details:
        raise DomainError(
            "Say what is wrong, in a sentence or two (for example which file, or whose work it "
            "copies): the site's admins read every report and need that to act on it."
        )
    if len(details) > DETAILS_MAX_CHARS:
        raise DomainError(
            f"Your report is {len(details)} characters long; the most is {DETAILS_MAX_CHARS}. "
            "Shorten it, or link to a longer explanation."
        )
    if not may_report(version):
        raise DomainError(refusal_to_report(version))
    refuse_if_over_allowance(source)
    return Report.objects.create(
        version=version, category=category, details=details, source_key=source
    )


def refusal_to_report(version: Version) -> str:
    if version.state == Version.State.TAKEN_DOWN:
        return (
            f"{version} was already taken down by the site's admins; nothing more is needed, "
            "thank you."
        )
    return f"{version} is not public, so there is nothing to report; only public versions are."


def refuse_if_over_allowance(source: str) -> None:
    """Raise RateLimited once one source sent REPORTS_PER_HOUR reports in the last hour."""
    limit = settings.REPORTS_PER_HOUR
    since = timezone.now() - REPORT_WINDOW
    recent = Report.objects.filter(source_key=source, created_at__gte=since).order_by("created_at")
    if recent.count() < limit:
        return
    oldest = recent.values_list("created_at", flat=True)[0]
    wait = max(1, int((oldest + REPORT_WINDOW - timezone.now()).total_seconds()) + 1)
    raise RateLimited(
        f"You have sent {limit} reports in the last hour, the most allowed; try again in "
        f"{wait // 60 + 1} minutes. If something urgent is wrong, write to the site's admins.",
        retry_after=wait,
    )


def required_reason(reason: str, *, doing: str, shown_to: str) -> str:
    reason = reason.strip()
    if not reason:
        raise DomainError(f"Say why you {doing}: the reason is {shown_to}.")
    if len(reason) > REASON_MAX_CHARS:
        raise DomainError(
            f"The reason is {len(reason)} characters long; the most is {REASON_MAX_CHARS}. "
            "Shorten it."
        )
    return reason


@transaction.atomic
def take_down_version(version: Version, *, by: User, reason: str) -> Version:
    """Hide a public version everywhere but from its institution, saying why; delete nothing.

    Its open reports are upheld. Raises PermissionRefused for anyone but a site admin,
    DomainError without a reason, InvalidTransition unless the version is public.
    """
    require_site_admin(by, "take versions down")
    reason = required_reason(
        reason, doing="take it down", shown_to="shown on its page to everyone who follows a link"
    )
    lock_fresh(version)
    if not version.is_public:
        raise InvalidTransition(
            f"{version} is {version.get_state_display().lower()}, not public, so it cannot be "
            "taken down."
        )
    version.take_down(reason=reason)
    point_resource_at_latest(version.resource)
    version.reports.filter(state=Report.State.OPEN).update(
        state=Report.State.UPHELD, resolved_at=timezone.now()
    )
    audit.record(AdminAction.Kind.TAKE_DOWN, by=by, target=version, reason=reason)
    return version


@transaction.atomic
def restore_version(version: Version, *, by: User, reason: str) -> Version:
    """Put a taken-down version back as it was (published or withdrawn).

    Raises PermissionRefused for anyone but a site admin, DomainError without a reason,
    InvalidTransition unless the version is taken down.
    """
    require_site_admin(by, "restore versions")
    reason = required_reason(reason, doing="restore it", shown_to="kept in the moderation log")
    lock_fresh(version)
    if version.state != Version.State.TAKEN_DOWN:
        raise InvalidTransition(f"{version} is not taken down, so there is nothing to restore.")
    version.restore()
    point_resource_at_latest(version.resource)
    audit.record(AdminAction.Kind.RESTORE, by=by, target=version, reason=reason)
    return version


@transaction.atomic
def dismiss_report(report: Report, *, by: User, reason: str) -> Report:
    """Close a report without acting on the version; the reason goes in the moderation log.

    Raises PermissionRefused for anyone but a site admin, DomainError without a reason,
    InvalidTransition for a report already closed.
    """
    require_site_admin(by, "dismiss reports")
    reason = required_reason(reason, doing="dismiss it", shown_to="kept in the moderation log")
    closed = Report.objects.filter(pk=report.pk, state=Report.State.OPEN).update(
        state=Report.State.DISMISSED, resolved_at=timezone.now()
    )
    if not closed:
        raise InvalidTransition(f"Report {report.pk} was already closed; see the moderation log.")
    report.refresh_from_db()
    audit.record(
        AdminAction.Kind.DISMISS, by=by, target=report.version, report=report, reason=reason
    )
    return report


def lock_fresh(version: Version) -> None:
    """Lock the version's row and reload it, so its state is decided once, under the lock."""
    Version.objects.select_for_update().filter(pk=version.pk).first()
    version.refresh_from_db()
