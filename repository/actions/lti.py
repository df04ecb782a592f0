"""LTI: registering platforms, rotating our keys, recording launches, refusals and scores."""

import hashlib
import secrets
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from repository import queue
from repository.access import course_attempts, require_admin
from repository.actions import attempts, audit
from repository.errors import DomainError
from repository.lti import ags, keys, nrps, storage
from repository.lti.storage import DatabaseLaunchStorage
from repository.models import (
    AdminAction,
    Attempt,
    CollectionItem,
    Institution,
    LtiEvent,
    LtiLearner,
    LtiPlatform,
    LtiResourceLink,
    LtiRosterMember,
    LtiScorePost,
    LtiToolKey,
    Version,
)

EVENTS_KEPT = 200
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


def clean_deployment_ids(values: Iterable[str]) -> list[str]:
    ids = []
    for value in values:
        value = value.strip()
        if value and value not in ids:
            ids.append(value)
    if not ids:
        raise DomainError(
            "Give at least one deployment id: the platform shows it when you add Remixbank "
            "as a tool (Moodle: “Deployment ID”; Canvas: the developer key's deployment)."
        )
    if any(len(v) > 255 for v in ids):
        raise DomainError("A deployment id is at most 255 characters long.")
    return ids


def check_urls(**urls: str) -> None:
    for label, url in urls.items():
        parts = urlsplit(url)
        if parts.scheme not in {"https", "http"} or not parts.netloc:
            raise DomainError(
                f"The {label.replace('_', ' ')} must be an http(s) address, not “{url}”."
            )


#: What the log records of a registration when it is made or changed.
PLATFORM_FIELDS = (
    "name",
    "issuer",
    "client_id",
    "deployment_ids",
    "auth_login_url",
    "auth_token_url",
    "jwks_url",
    "nrps_enabled",
)


@transaction.atomic
def register_platform(
    *,
    institution: Institution,
    by: User,
    name: str,
    issuer: str,
    client_id: str,
    deployment_ids: Iterable[str],
    auth_login_url: str,
    auth_token_url: str,
    jwks_url: str,
) -> LtiPlatform:
    """Register a VLE (issuer + client id) for `institution`.

    Raises PermissionRefused unless `by` is an admin of it, DomainError for a pair already
    registered (here or by another institution) or a malformed address.
    """
    require_admin(by, institution, "register LTI platforms")
    issuer, client_id = issuer.strip(), client_id.strip()
    check_urls(
        issuer=issuer,
        auth_login_url=auth_login_url,
        auth_token_url=auth_token_url,
        jwks_url=jwks_url,
    )
    if LtiPlatform.objects.filter(issuer=issuer, client_id=client_id).exists():
        raise DomainError(
            f"The platform {issuer} with client id {client_id} is already registered. Each "
            "registration needs its own client id: add Remixbank to the VLE again to get one."
        )
    platform = LtiPlatform.objects.create(
        institution=institution,
        name=name.strip() or issuer,
        issuer=issuer,
        client_id=client_id,
        deployment_ids=clean_deployment_ids(deployment_ids),
        auth_login_url=auth_login_url,
        auth_token_url=auth_token_url,
        jwks_url=jwks_url,
        created_by=by,
    )
    audit.record(
        AdminAction.Kind.REGISTER_PLATFORM,
        by=by,
        target=platform,
        changes=audit.changes_between({}, audit.snapshot(platform, PLATFORM_FIELDS)),
    )
    return platform


@transaction.atomic
def update_platform(
    platform: LtiPlatform,
    *,
    by: User,
    deployment_ids: Iterable[str],
    auth_login_url: str,
    auth_token_url: str,
    jwks_url: str,
    nrps_enabled: bool,
) -> LtiPlatform:
    """Change a registration's deployment ids, endpoints and Names and Roles switch.

    The issuer and client id identify the registration and cannot change: register anew.
    """
    require_admin(by, platform.institution, "change LTI platforms")
    check_urls(auth_login_url=auth_login_url, auth_token_url=auth_token_url, jwks_url=jwks_url)
    before = audit.snapshot(platform, PLATFORM_FIELDS)
    platform.deployment_ids = clean_deployment_ids(deployment_ids)
    platform.auth_login_url = auth_login_url
    platform.auth_token_url = auth_token_url
    platform.jwks_url = jwks_url
    platform.nrps_enabled = nrps_enabled
    platform.save()
    changes = audit.changes_between(before, audit.snapshot(platform, PLATFORM_FIELDS))
    if changes:
        audit.record(AdminAction.Kind.UPDATE_PLATFORM, by=by, target=platform, changes=changes)
    if not nrps_enabled:  # the data page promises names are kept only while it is on
        LtiRosterMember.objects.filter(link__platform=platform).delete()
        platform.links.update(roster_fetched_at=None, roster_error="")
    return platform


@transaction.atomic
def remove_platform(platform: LtiPlatform, *, by: User) -> None:
    """Delete a registration with its learners, links and scores: its launches stop working."""
    require_admin(by, platform.institution, "remove LTI platforms")
    audit.record(
        AdminAction.Kind.REMOVE_PLATFORM,
        by=by,
        target=platform,
        changes={"issuer": {"from": platform.issuer, "to": None}},
    )
    platform.delete()


def clear_expired_state() -> int:
    """Delete the LTI states, nonces, launches and kept key sets past their expiry."""
    return storage.clear_expired()


@transaction.atomic
def rotate_tool_key() -> LtiToolKey:
    """Make a new signing key; the one it replaces stays in the JWKS until the next rotation."""
    return keys.rotate()


@transaction.atomic
def record_launch(
    *,
    platform: LtiPlatform,
    subject: str,
    deployment_id: str,
    resource_link_id: str,
    version: Version,
    lineitem_url: str = "",
    ags_scopes: Iterable[str] = (),
    memberships_url: str = "",
    as_learner: bool = True,
) -> tuple[LtiLearner, LtiResourceLink]:
    """Remember who launched (the platform's subject only) and which version the link shows.

    A learner is noted as launched from the link (its teacher's table lists them); an
    instructor is not."""
    learner, created = LtiLearner.objects.get_or_create(platform=platform, subject=subject[:255])
    if not created:
        learner.save(update_fields=["last_launch_at"])
    link, created = LtiResourceLink.objects.get_or_create(
        platform=platform,
        deployment_id=deployment_id[:255],
        resource_link_id=resource_link_id[:255],
        defaults={
            "version": version,
            "lineitem_url": lineitem_url[:1000],
            "ags_scopes": [str(s) for s in ags_scopes],
            "memberships_url": memberships_url[:1000],
        },
    )
    if not created:
        # The link stays pinned to what the platform's custom parameter names at each launch.
        link.version = version
        link.lineitem_url = lineitem_url[:1000] or link.lineitem_url
        link.ags_scopes = [str(s) for s in ags_scopes] or link.ags_scopes
        link.memberships_url = memberships_url[:1000] or link.memberships_url
        link.save(
            update_fields=[
                "version",
                "lineitem_url",
                "ags_scopes",
                "memberships_url",
                "last_launch_at",
            ]
        )
    if as_learner:
        link.learners.add(learner)
    return learner, link


@transaction.atomic
def record_event(
    *, kind: str, message: str, platform_id: int | None = None, issuer: str = ""
) -> LtiEvent:
    """Keep a refusal for the admins of the platform's institution (the newest EVENTS_KEPT)."""
    event = LtiEvent.objects.create(
        kind=kind, message=message[:4000], platform_id=platform_id, issuer=issuer[:500]
    )
    if platform_id is not None:
        stale = LtiEvent.objects.filter(platform_id=platform_id).values_list("pk", flat=True)[
            EVENTS_KEPT:
        ]
        LtiEvent.objects.filter(pk__in=list(stale)).delete()
    return event


def versions_to_link(chosen: Iterable[str], *, multiple: bool) -> list[Version]:
    """The published versions a teacher picked, a collection standing for its works.

    Raises DomainError when nothing (or nothing published) was picked, or several were picked
    for a VLE that takes one link at a time.
    """
    ids = [int(v) for v in chosen if str(v).isdigit()]
    picked = Version.objects.filter(pk__in=ids, state=Version.State.PUBLISHED).select_related(
        "resource__institution"
    )
    found: list[Version] = []
    for version in sorted(picked, key=lambda v: ids.index(v.pk)):
        items = list(
            Version.objects.filter(collected_in__collection=version, state=Version.State.PUBLISHED)
            .select_related("resource__institution")
            .order_by("collected_in__folder")
        )
        is_collection = CollectionItem.objects.filter(collection=version).exists()
        for each in items if is_collection else [version]:
            if each not in found:
                found.append(each)
    if not found:
        raise DomainError(
            "Choose at least one published tool or scenario (tick its box), then “Add to course”."
        )
    if len(found) > 1 and not multiple:
        raise DomainError(
            f"Your VLE takes one activity at a time and you chose {len(found)} (a collection "
            "counts as its works): choose one, then add the next from the VLE again."
        )
    return found


SCORE_TRIES = 5
SIGN_IN_SECONDS = 600


@transaction.atomic
def learner_account(learner: LtiLearner) -> User:
    """The learner's own account for attempts: no name, e-mail, password or institution."""
    locked = (
        # Lock the learner row only: PostgreSQL refuses FOR UPDATE over the nullable user join.
        LtiLearner.objects.select_for_update(of=("self",))
        .select_related("user", "platform")
        .get(pk=learner.pk)
    )
    if locked.user is not None:
        return locked.user
    digest = hashlib.sha256(f"{locked.platform_id}:{locked.subject}".encode()).hexdigest()[:24]
    user = get_user_model().objects.create(
        username=f"lti-{locked.platform_id}-{digest}",
        first_name=f"Learner from {locked.platform.name}"[:150],
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    locked.user = user
    locked.save(update_fields=["user"])
    learner.user = user
    return user


def sign_in_token(learner: LtiLearner, *, next_url: str) -> str:
    """A one-time key that signs the learner's account in on a page opened outside the frame."""
    user = learner_account(learner)
    key = "sign-in-" + secrets.token_urlsafe(32)
    DatabaseLaunchStorage().set_value(key, {"user": user.pk, "next": next_url}, SIGN_IN_SECONDS)
    return key


def use_sign_in_token(key: str) -> tuple[User, str] | None:
    """The account and page a sign-in key was made for, once; None when used or expired."""
    store = DatabaseLaunchStorage()
    value = store.get_value(key) if key.startswith("sign-in-") else None
    if value is None or not store.consume(key):
        return None
    user = get_user_model().objects.filter(pk=value["user"], is_active=True).first()
    return (user, str(value["next"])) if user else None


def score_for(link: LtiResourceLink, learner: User) -> float | None:
    """The score (0 to 1) the link's gradebook gets for `learner`: best or latest, as chosen."""
    if link.score_choice == LtiResourceLink.ScoreChoice.LATEST:
        return attempts.latest_score(learner, link.version)
    return attempts.best_score(learner, link.version)


COURSE_KEY_SECONDS = 7200


def course_key(link: LtiResourceLink) -> str:
    """A key to the link's table of attempts for the instructor who launched it (two hours).

    The VLE's frame gets no cookie of ours, so the key in the address is the capability, as
    the picker's launch id is."""
    key = "course-" + secrets.token_urlsafe(32)
    DatabaseLaunchStorage().set_value(key, {"link": link.pk}, COURSE_KEY_SECONDS)
    return key


def link_of_course_key(key: str) -> LtiResourceLink | None:
    """The link a course key opens, or None when it is unknown or expired."""
    value = DatabaseLaunchStorage().get_value(key) if key.startswith("course-") else None
    if value is None:
        return None
    return (
        LtiResourceLink.objects.select_related("platform", "version__resource__institution")
        .filter(pk=value["link"])
        .first()
    )


@transaction.atomic
def queue_scores(attempt_id: int) -> list[LtiScorePost]:
    """After a scored attempt, queue the learner's score (best or latest, as each link's
    teacher chose) for each course link they launched that shows the scenario version with a
    line item. Nothing for learners who did not come through LTI."""
    attempt = Attempt.objects.select_related("learner", "version").filter(pk=attempt_id).first()
    learner = (
        LtiLearner.objects.filter(user=attempt.learner).first() if attempt is not None else None
    )
    if attempt is None or learner is None:
        return []
    links = (
        learner.links.filter(version=attempt.version)
        .exclude(lineitem_url="")
        .select_related("version")
    )
    posts = []
    for link in links:
        score = score_for(link, attempt.learner)
        if score is None:
            continue
        post = LtiScorePost.objects.create(
            link=link,
            learner=learner,
            score_given=round(score * 100, 2),
            score_maximum=100,
        )
        queue.enqueue("post_lti_score", (post.pk,))
        posts.append(post)
    return posts


@transaction.atomic
def choose_score(link: LtiResourceLink, *, choice: str) -> list[LtiScorePost]:
    """Set which score the link's gradebook gets, and send each learner's under the new rule.

    Raises DomainError for a choice that is neither best nor latest.
    """
    if choice not in LtiResourceLink.ScoreChoice.values:
        raise DomainError(
            f"“{choice}” is not a choice of score: choose the best or the latest attempt's."
        )
    if link.score_choice == choice:
        return []
    link.score_choice = choice
    link.save(update_fields=["score_choice"])
    if not link.lineitem_url:
        return []
    posts = []
    for learner in link.learners.exclude(user=None).select_related("user"):
        assert learner.user is not None
        score = score_for(link, learner.user)
        if score is None:
            continue
        post = LtiScorePost.objects.create(
            link=link, learner=learner, score_given=round(score * 100, 2), score_maximum=100
        )
        queue.enqueue("post_lti_score", (post.pk,))
        posts.append(post)
    return posts


@transaction.atomic
def send_score_again(link: LtiResourceLink, *, post_id: int) -> LtiScorePost:
    """Queue a score that the platform refused after every retry for one more round of tries.

    Raises DomainError when the post is not this link's or is not one that was given up on.
    """
    post = LtiScorePost.objects.filter(pk=post_id, link=link).first()
    if post is None or post.state != LtiScorePost.State.GAVE_UP:
        raise DomainError(
            "Only a score the VLE refused after every retry can be sent again; this one is "
            "already sent or still being retried."
        )
    post.state = LtiScorePost.State.PENDING
    post.tries = 0
    post.save(update_fields=["state", "tries"])
    queue.enqueue("post_lti_score", (post.pk,))
    return post


def refresh_roster(link: LtiResourceLink, *, resource_link_id: str) -> LtiResourceLink:
    """Read the link's course members from the platform (Names and Roles), if its admin turned
    it on and the platform offers it. A refusal is kept on the link and in the admins' log,
    and the members read before stay listed."""
    platform = link.platform
    if not platform.nrps_enabled or not link.memberships_url:
        return link
    try:
        members = nrps.learners_of(
            platform, memberships_url=link.memberships_url, resource_link_id=resource_link_id
        )
    except nrps.RosterNotRead as exc:
        link.roster_error = exc.message[:2000]
        link.save(update_fields=["roster_error"])
        record_event(
            kind=LtiEvent.Kind.ROSTER_FAILED,
            message=exc.message,
            platform_id=platform.pk,
            issuer=platform.issuer,
        )
        return link
    now = timezone.now()
    with transaction.atomic():
        link.roster.exclude(subject__in=[m.subject for m in members]).delete()
        for member in members:
            LtiRosterMember.objects.update_or_create(
                link=link,
                subject=member.subject,
                defaults={"name": member.name, "fetched_at": now},
            )
        link.roster_fetched_at = now
        link.roster_error = ""
        link.save(update_fields=["roster_fetched_at", "roster_error"])
    return link


def course_rows(link: LtiResourceLink) -> list[dict[str, Any]]:
    """One row per learner of the link's course: those the platform's roster lists (with no
    attempt yet too) and those launched from the link; their best and latest scores, number
    of attempts, last error and what the gradebook was sent."""
    names = dict(link.roster.values_list("subject", "name"))
    launched = {learner.subject: learner for learner in link.learners.select_related("user")}
    seen = course_attempts(link).select_related("learner__lti_learner")
    by_subject: dict[str, list[Attempt]] = {}
    for attempt in seen.order_by("-created_at", "-pk"):
        by_subject.setdefault(attempt.learner.lti_learner.subject, []).append(attempt)
    posts: dict[str, LtiScorePost] = {}
    for post in link.scores.select_related("learner").order_by("created_at", "pk"):
        posts[post.learner.subject] = post  # the newest wins
    rows = []
    for subject in sorted(set(names) | set(launched), key=lambda s: (names.get(s) or s).lower()):
        theirs = by_subject.get(subject, [])
        scored = [a.score for a in theirs if a.score is not None]
        errors = [a for a in theirs if a.state in {Attempt.State.ERROR, Attempt.State.UNFINISHED}]
        rows.append(
            {
                "subject": subject,
                "name": names.get(subject, ""),
                "on_roster": subject in names,
                "launched": subject in launched,
                "count": len(theirs),
                "best": max(scored) if scored else None,
                "latest": scored[0] if scored else None,
                "last_at": theirs[0].created_at if theirs else None,
                "last_error": errors[0].error if errors else "",
                "post": posts.get(subject),
            }
        )
    return rows


def post_score(post_id: int) -> LtiScorePost | None:
    """Send one queued score. On refusal the post says why, the admins' log too; the caller
    (the task) retries while `post.state` is FAILED, up to SCORE_TRIES."""
    post = (
        LtiScorePost.objects.select_related("link__platform", "learner")
        .filter(pk=post_id)
        .exclude(state=LtiScorePost.State.SENT)
        .first()
    )
    if post is None:
        return None
    platform = post.link.platform
    try:
        ags.send_score(
            platform,
            lineitem_url=post.link.lineitem_url,
            scopes=post.link.ags_scopes or [SCORE_SCOPE],
            score=ags.Score(
                subject=post.learner.subject,
                given=post.score_given,
                maximum=post.score_maximum,
                activity_progress=post.activity_progress,
                grading_progress=post.grading_progress,
                timestamp=post.created_at.isoformat(),
            ),
        )
    except ags.ScoreNotAccepted as exc:
        post.tries += 1
        post.last_error = exc.message[:2000]
        post.state = (
            LtiScorePost.State.GAVE_UP if post.tries >= SCORE_TRIES else LtiScorePost.State.FAILED
        )
        post.save(update_fields=["tries", "last_error", "state"])
        record_event(
            kind=LtiEvent.Kind.SCORE_FAILED,
            message=f"Try {post.tries} of {SCORE_TRIES}: {exc.message}",
            platform_id=platform.pk,
            issuer=platform.issuer,
        )
        return post
    post.tries += 1
    post.state = LtiScorePost.State.SENT
    post.sent_at = timezone.now()
    post.last_error = ""
    post.save(update_fields=["tries", "state", "sent_at", "last_error"])
    return post
