"""LTI: registering platforms, rotating our keys, recording launches, refusals and scores."""

import hashlib
import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from repository import queue
from repository.access import require_admin
from repository.actions import attempts
from repository.errors import DomainError
from repository.lti import ags, keys, storage
from repository.lti.storage import DatabaseLaunchStorage
from repository.models import (
    Attempt,
    CollectionItem,
    Institution,
    LtiEvent,
    LtiLearner,
    LtiPlatform,
    LtiResourceLink,
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
    return LtiPlatform.objects.create(
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
    platform.deployment_ids = clean_deployment_ids(deployment_ids)
    platform.auth_login_url = auth_login_url
    platform.auth_token_url = auth_token_url
    platform.jwks_url = jwks_url
    platform.nrps_enabled = nrps_enabled
    platform.save()
    return platform


@transaction.atomic
def remove_platform(platform: LtiPlatform, *, by: User) -> None:
    """Delete a registration with its learners, links and scores: its launches stop working."""
    require_admin(by, platform.institution, "remove LTI platforms")
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
) -> tuple[LtiLearner, LtiResourceLink]:
    """Remember who launched (the platform's subject only) and which version the link shows."""
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
        },
    )
    if not created:
        # The link stays pinned to what the platform's custom parameter names at each launch.
        link.version = version
        link.lineitem_url = lineitem_url[:1000] or link.lineitem_url
        link.ags_scopes = [str(s) for s in ags_scopes] or link.ags_scopes
        link.save(update_fields=["version", "lineitem_url", "ags_scopes", "last_launch_at"])
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


@transaction.atomic
def queue_scores(attempt_id: int) -> list[LtiScorePost]:
    """After a scored attempt, queue the learner's best score for each course link showing
    that scenario version with a line item. Nothing for learners who did not come through LTI."""
    attempt = Attempt.objects.select_related("learner", "version").filter(pk=attempt_id).first()
    learner = (
        LtiLearner.objects.filter(user=attempt.learner).first() if attempt is not None else None
    )
    if attempt is None or learner is None:
        return []
    best = attempts.best_score(attempt.learner, attempt.version)
    if best is None:
        return []
    links = LtiResourceLink.objects.filter(
        platform=learner.platform, version=attempt.version
    ).exclude(lineitem_url="")
    posts = []
    for link in links:
        post = LtiScorePost.objects.create(
            link=link,
            learner=learner,
            score_given=round(best * 100, 2),
            score_maximum=100,
        )
        queue.enqueue("post_lti_score", (post.pk,))
        posts.append(post)
    return posts


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
