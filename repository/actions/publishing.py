"""Publishing and withdrawing versions."""

from django.contrib.auth.models import User
from django.db import transaction

from repository.access import require_staff
from repository.actions import audit, notifications
from repository.credit.basis import licence_problem
from repository.errors import DomainError, InvalidTransition, LicenceRefused
from repository.models import AdminAction, Resource, ValidationRun, Version


@transaction.atomic
def publish_version(version: Version, *, by: User | None) -> Version:
    """Publish a passed version (or one withdrawn earlier) and point its resource at it.

    `by` None means the system publishing on the depositor's behalf (publish_on_pass).
    Raises InvalidTransition unless the version passed, PermissionRefused for non-staff.
    """
    if by is not None:
        require_staff(by, version.resource.institution, "publish")
    check_licence_still_allowed(version)
    require_a_pass(version)
    withdrawn = version.state == Version.State.WITHDRAWN
    version.publish()
    if withdrawn and by is not None:
        audit.record(AdminAction.Kind.REPUBLISH, by=by, target=version)
    point_resource_at_latest(version.resource)
    notifications.notify_source_updated(version)
    return version


@transaction.atomic
def withdraw_version(version: Version, *, by: User, reason: str) -> Version:
    """Withdraw a published version; its page (and its resource's) stays, saying who, when, why.

    Raises PermissionRefused for non-staff, DomainError without a reason, InvalidTransition
    unless the version is published. Staff may publish it again later (publish_version).
    """
    require_staff(by, version.resource.institution, "withdraw versions")
    reason = reason.strip()
    if not reason:
        raise DomainError(
            "Say why you withdraw this version: the reason is shown to everyone who follows a "
            "link to it, so learners and teachers know what to use instead."
        )
    version.withdraw(by=by, reason=reason[:2000])
    audit.record(AdminAction.Kind.WITHDRAW, by=by, target=version, reason=reason[:2000])
    point_resource_at_latest(version.resource)
    return version


def require_a_pass(version: Version) -> None:
    """Only a version that once passed validation is published again after its withdrawal.

    A version published before verdicts were honest, on a run whose step never ran, was
    withdrawn then; it has no passed run, so publishing it again would show unvalidated code.
    """
    if (
        version.state == Version.State.WITHDRAWN
        and not version.validation_runs.filter(state=ValidationRun.State.PASSED).exists()
    ):
        raise InvalidTransition(
            f"Version {version.number} of “{version.resource.title}” never passed validation, "
            "so it cannot be published again; re-run its validation, and publish it once it "
            "passes."
        )


def check_licence_still_allowed(version: Version) -> None:
    """Re-check, at publication, that the sources of a derived version allow its licence."""
    problem = licence_problem(version)
    if problem:
        raise LicenceRefused(problem)


def point_resource_at_latest(resource: Resource) -> None:
    # Locked so two publications at once cannot leave the resource on the older version.
    Resource.objects.select_for_update().filter(pk=resource.pk).first()
    latest = resource.versions.filter(state=Version.State.PUBLISHED).order_by("-number").first()
    Resource.objects.filter(pk=resource.pk).update(latest_published=latest)
    resource.latest_published = latest
