"""LTI: registering platforms, rotating our keys, recording launches, refusals and scores."""

from collections.abc import Iterable
from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.db import transaction

from repository.access import require_admin
from repository.errors import DomainError
from repository.lti import keys
from repository.models import (
    CollectionItem,
    Institution,
    LtiEvent,
    LtiLearner,
    LtiPlatform,
    LtiResourceLink,
    LtiToolKey,
    Version,
)

EVENTS_KEPT = 200


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
) -> tuple[LtiLearner, LtiResourceLink]:
    """Remember who launched (the platform's subject only) and which version the link shows."""
    learner, created = LtiLearner.objects.get_or_create(platform=platform, subject=subject[:255])
    if not created:
        learner.save(update_fields=["last_launch_at"])
    link, created = LtiResourceLink.objects.get_or_create(
        platform=platform,
        deployment_id=deployment_id[:255],
        resource_link_id=resource_link_id[:255],
        defaults={"version": version, "lineitem_url": lineitem_url[:1000]},
    )
    if not created:
        # The link stays pinned to what the platform's custom parameter names at each launch.
        link.version = version
        link.lineitem_url = lineitem_url[:1000] or link.lineitem_url
        link.save(update_fields=["version", "lineitem_url", "last_launch_at"])
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
