"""OIDC login initiation and id_token validation with pylti1p3, and the platform's cached keys."""

import json
import logging
from dataclasses import dataclass
from typing import Any, cast

import requests
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from pylti1p3.contrib.django import DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.contrib.django.request import DjangoRequest
from pylti1p3.exception import LtiException, OIDCException

from repository.lti.addresses import PlatformSession, PrivateAddress
from repository.lti.messages import CLAIM, LtiRefused, explain
from repository.lti.storage import DatabaseLaunchStorage, SingleUseNonces
from repository.lti.tool_config import PlatformToolConf, find_platform
from repository.models import LtiPlatform

log = logging.getLogger(__name__)

# A platform's key set is fetched again after this long; until then (and whenever the
# platform cannot be reached) the copy kept here is used.
JWKS_FRESH_SECONDS = 3600
JWKS_KEEP_SECONDS = 30 * 86400
JWKS_TIMEOUT_SECONDS = 5


def storage() -> DatabaseLaunchStorage:
    return DatabaseLaunchStorage()


def unverified_claims(request: HttpRequest) -> dict[str, Any]:
    """The id_token's claims read without checking anything: only to word a refusal."""
    token = request.POST.get("id_token", "")
    try:
        body = token.split(".")[1]
        return dict(json.loads(DjangoMessageLaunch.urlsafe_b64decode(body)))
    except (IndexError, ValueError, TypeError):
        return {}


def refusal(error: Exception, claims: dict[str, Any]) -> LtiRefused:
    issuer = str(claims.get("iss", ""))
    aud = claims.get("aud", "")
    client_id = str(aud[0] if isinstance(aud, list) and aud else aud or "")
    platform = find_platform(issuer, client_id) if issuer else None
    message = explain(
        str(error),
        issuer=issuer,
        client_id=client_id,
        deployment_id=str(claims.get(CLAIM + "deployment_id", "")),
        jwks_url=platform.jwks_url if platform else "",
    )
    return LtiRefused(message, issuer=issuer, platform_id=platform.pk if platform else None)


def initiate_login(request: HttpRequest, *, launch_url: str) -> HttpResponse:
    """Answer a third-party login initiation: redirect to the platform's auth endpoint.

    Raises LtiRefused for an unknown issuer or a request without issuer or login hint.
    """
    issuer = request.GET.get("iss") or request.POST.get("iss", "")
    client_id = request.GET.get("client_id") or request.POST.get("client_id", "")
    login = DjangoOIDCLogin(request, PlatformToolConf(), launch_data_storage=storage())
    try:
        response: HttpResponse = login.redirect(launch_url)
    except (OIDCException, LtiException) as exc:
        platform = find_platform(issuer, client_id) if issuer else None
        raise LtiRefused(
            explain(str(exc), issuer=issuer, client_id=client_id, deployment_id="", jwks_url=""),
            issuer=issuer,
            platform_id=platform.pk if platform else None,
        ) from exc
    return response


class Launch(DjangoMessageLaunch):
    """pylti1p3's launch with single-use nonces and a platform key set kept between fetches."""

    def save_launch_data(self) -> "Launch":
        # Only the picker (Deep Linking) reads a launch back later; a resource launch is
        # answered in the same request, and its replay is refused by the spent nonce.
        if self.is_deep_link_launch():
            super().save_launch_data()
        return self

    def fetch_public_key(self, key_set_url: str) -> Any:
        kid = self._jwt.get("header", {}).get("kid")
        key = f"jwks-{key_set_url}"
        store = self._public_key_cache_data_storage
        kept = store.get_value(key) if store is not None else None
        now = timezone.now().timestamp()
        if kept and kid in kept["kids"] and now - kept["fetched_at"] < JWKS_FRESH_SECONDS:
            return kept["jwks"]
        try:
            response = PlatformSession().get(key_set_url, timeout=JWKS_TIMEOUT_SECONDS)
            response.raise_for_status()
            jwks = response.json()
            kids = [k.get("kid") for k in jwks["keys"]]
        except PrivateAddress as exc:
            raise LtiException(str(exc)) from exc  # never the copy kept: the address is wrong
        except (requests.RequestException, ValueError, KeyError, TypeError, AttributeError) as exc:
            if kept and kid in kept["kids"]:
                log.warning(
                    "LTI key set %s unreachable (%s); using the copy kept", key_set_url, exc
                )
                return kept["jwks"]
            raise LtiException(
                f"JWKS unreachable: the platform's key set at {key_set_url} could not be read "
                f"({exc}) and no copy of it holding key {kid} is kept"
            ) from exc
        if store is not None:
            store.set_value(key, {"jwks": jwks, "kids": kids, "fetched_at": now}, JWKS_KEEP_SECONDS)
        return jwks


@dataclass
class ValidLaunch:
    launch: Launch
    claims: dict[str, Any]
    platform: LtiPlatform

    @property
    def launch_id(self) -> str:
        return str(self.launch.get_launch_id())


def validate_launch(request: HttpRequest) -> ValidLaunch:
    """Check the posted id_token: state, nonce (once), issuer and client, signature, expiry,
    deployment and message. Raises LtiRefused saying which check failed and what to do."""
    data = storage()
    conf = PlatformToolConf()
    launch = Launch(
        request,
        conf,
        session_service=SingleUseNonces(DjangoRequest(request, post_only=True)),
        launch_data_storage=data,
    )
    launch.set_public_key_caching(data, cache_lifetime=JWKS_KEEP_SECONDS)
    claims = unverified_claims(request)
    try:
        body = launch.validate().get_launch_data()
    except (LtiException, OIDCException) as exc:
        raise refusal(exc, claims) from exc
    platform = conf.platform
    assert platform is not None, "pylti1p3 validated a launch without a registration"
    return ValidLaunch(launch=launch, claims=dict(body), platform=platform)


def restore_launch(request: HttpRequest, launch_id: str) -> ValidLaunch:
    """A launch validated earlier, by its id (the picker's pages carry it instead of a cookie)."""
    conf = PlatformToolConf()
    try:
        launch = Launch.from_cache(
            launch_id,
            request,
            conf,
            session_service=SingleUseNonces(DjangoRequest(request, post_only=True)),
            launch_data_storage=storage(),
        )
    except LtiException as exc:
        raise LtiRefused(
            "This page belongs to a launch that has expired or was already used. "
            "Open the activity again from your course in the VLE."
        ) from exc
    platform = conf.platform
    assert platform is not None
    return ValidLaunch(
        launch=cast(Launch, launch), claims=dict(launch.get_launch_data()), platform=platform
    )


def forget_launch(launch_id: str) -> None:
    storage().forget(launch_id)
