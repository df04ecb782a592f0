"""E-mail notifications, sent after the transaction commits so a rollback sends nothing."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from repository.models import (
    Contribution,
    Derivation,
    Membership,
    Resource,
    Review,
    ValidationRun,
    Version,
)
from repository.models.institutions import STAFF_ROLES
from repository.validation.verdicts import Verdict, verdict_of, why_not_finished

log = logging.getLogger(__name__)


def send_later(subject: str, body: str, recipients: Iterable[str]) -> None:
    """Queue one e-mail per recipient for after commit; a mail failure never undoes the action."""
    addresses = sorted({a for a in recipients if a})
    if not addresses:
        return

    def send() -> None:
        for address in addresses:
            try:
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
            except Exception:  # a mail server outage must not break the request
                log.exception("could not send %r to %s", subject, address)

    transaction.on_commit(send)


def link(path: str) -> str:
    return settings.SITE_URL + path


def name_of(user: object) -> str:
    return getattr(user, "first_name", "") or getattr(user, "email", "") or "Someone"


def staff_addresses(resource: Resource) -> list[str]:
    return list(
        Membership.objects.filter(
            institution=resource.institution_id,
            role__in=STAFF_ROLES,
        ).values_list("user__email", flat=True)
    )


def participants(contribution: Contribution) -> set[str]:
    """The author and everyone who wrote in the conversation."""
    emails = {contribution.author.email}
    emails |= set(contribution.reviews.exclude(author=None).values_list("author__email", flat=True))
    return emails


def notify_contribution_opened(contribution: Contribution) -> None:
    resource = contribution.resource
    send_later(
        f"[Remixbank] New contribution to {resource.title}",
        f"{name_of(contribution.author)} proposed a change to {resource.title} "
        f"v{contribution.base.number}:\n\n{contribution.description}\n\n"
        f"Checks: {contribution.get_check_state_display()}.\n"
        f"Review it: {link(contribution.get_absolute_url())}\n",
        [a for a in staff_addresses(resource) if a != contribution.author.email],
    )


def notify_contribution_reviewed(contribution: Contribution, review: Review) -> None:
    """Tell the author and the other participants of a comment or a verdict."""
    verbs: dict[str, str] = {
        Review.Kind.COMMENT: "commented on",
        Review.Kind.CHANGES_REQUESTED: "asked for changes to",
        Review.Kind.APPROVED: "approved",
        Review.Kind.REJECTED: "rejected",
        Review.Kind.REVISED: "revised",
    }
    verb = verbs.get(review.kind, "updated")
    actor = review.author
    send_later(
        f"[Remixbank] {name_of(actor)} {verb} contribution #{contribution.pk} "
        f"to {contribution.resource.title}",
        f"{review.body}\n\n{link(contribution.get_absolute_url())}\n",
        participants(contribution) - {getattr(actor, "email", None)},
    )


def notify_contribution_merged(contribution: Contribution, version: Version) -> None:
    send_later(
        f"[Remixbank] Your contribution to {contribution.resource.title} was merged",
        f"Your contribution #{contribution.pk} is now part of {contribution.resource.title} "
        f"v{version.number}, which lists you as a contributor. It is being validated.\n\n"
        f"{link(version.get_absolute_url())}\n",
        participants(contribution),
    )


def notify_source_updated(version: Version) -> None:
    """Tell the owners of works derived from `version`'s resource that it published `version`.

    Call it when a version is published (repository/actions/publishing.py publish_version).
    Owners are each derived resource's creator, or its institution's staff when none is known.
    """
    source = version.resource
    derived = (
        Resource.objects.filter(
            versions__parent_edges__parent__resource=source,
            versions__parent_edges__kind__in=[Derivation.Kind.FORK, Derivation.Kind.REMIX],
        )
        .exclude(pk=source.pk)
        .select_related("created_by")
        .distinct()
    )
    for resource in derived:
        owners = [resource.created_by.email] if resource.created_by else staff_addresses(resource)
        send_later(
            f"[Remixbank] {source.title} published v{version.number}",
            f"{source.title}, which {resource.title} is based on, published v{version.number}.\n"
            f"See what changed and pull it into a new version of {resource.title}:\n"
            f"{link(upstream_path(resource))}\n",
            owners,
        )


def upstream_path(resource: Resource) -> str:
    from django.urls import reverse

    return reverse("upstream", args=[resource.institution.slug, resource.slug])


def notify_validation_finished(run: ValidationRun) -> None:
    """Tell whoever made the version how its validation ended (call when a run finishes).

    Worded from the verdict, so a run whose step could not run here never reads as passed.
    """
    version = run.version
    creator = version.created_by
    if creator is None:
        return
    verdict = verdict_of(version, run)
    subjects = {
        Verdict.PASSED: "passed",
        Verdict.FAILED: "failed",
        Verdict.NOT_RUN: "not run: not yet validated",
        Verdict.COULD_NOT_FINISH: "could not finish (our fault)",
    }
    outcomes = {
        Verdict.PASSED: "passed: every step ran and passed",
        Verdict.FAILED: "failed",
        Verdict.NOT_RUN: (
            "is not finished: the validator could not run it here, so it is not yet validated "
            "and not published. It is validated (and published, if you asked) when a "
            "validator that can run it is available"
        ),
        Verdict.COULD_NOT_FINISH: (
            "could not finish because of a fault on our side, not the deposit's; it is not "
            "published, and the platform's maintainers have been told"
        ),
    }
    if verdict == Verdict.FAILED:
        details = [
            f"- {step.name}: {'; '.join(step.messages)}"
            for step in run.steps.all()
            if step.status == "failed"
        ]
    else:
        details = [f"- {reason}" for reason in why_not_finished(run)]
    send_later(
        f"[Remixbank] Validation of {version.resource.title} v{version.number} "
        f"{subjects.get(verdict, str(verdict))}",
        f"Validation of {version.resource.title} v{version.number} "
        f"{outcomes.get(verdict, str(verdict))}.\n"
        + ("\n".join(details) + "\n" if details else "")
        + f"\n{link(version.get_absolute_url())}\n",
        [creator.email],
    )
