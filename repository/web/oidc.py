"""OpenID Connect sign-in through each institution's provider (mozilla-django-oidc, per institution)."""

import logging
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import requests
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from repository.actions import signin
from repository.errors import SignInRefused
from repository.models import ExternalIdentity, Institution, OidcProvider

logger = logging.getLogger(__name__)
PROTOCOL = ExternalIdentity.Protocol.OIDC
# Which institution each sign-in in flight (by its state) was started for: several tabs may each
# start one, at different institutions.
SESSION_KEY = "signin_oidc_institutions"
IN_FLIGHT = 10
# Keys from the provider's JWKS only: an HS* token would be checked against the client secret,
# which the admin typed and so is weaker than the provider's own key pair.
ASYMMETRIC = re.compile(r"^(RS|ES)(256|384|512)$")
CLOCK_LEEWAY = 60


def refused(
    request: HttpRequest, institution: Institution, exc: Exception, detail: str = ""
) -> HttpResponse:
    message = exc.message if isinstance(exc, SignInRefused) else str(exc)
    signin.record_sign_in_problem(institution, protocol=PROTOCOL, message=message, detail=detail)
    return render(
        request,
        "registration/signin_refused.html",
        {"institution": institution, "message": message, "protocol": "OpenID Connect"},
        status=400,
    )


class OidcStart(OIDCAuthenticationRequestView):
    """Send the browser to the institution's provider, with state, nonce and PKCE."""

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # the endpoints are per institution, read in get()

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        provider = get_object_or_404(
            OidcProvider.objects.select_related("institution"), institution__slug=slug, enabled=True
        )
        try:
            document = signin.discover_oidc(provider)
        except SignInRefused as exc:
            return refused(request, provider.institution, exc, detail=repr(exc.__cause__ or ""))
        self.OIDC_OP_AUTH_ENDPOINT = document["authorization_endpoint"]
        self.OIDC_RP_CLIENT_ID = provider.client_id
        response: HttpResponse = super().get(request)
        state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
        started = dict(list(request.session.get(SESSION_KEY, {}).items())[-(IN_FLIGHT - 1) :])
        request.session[SESSION_KEY] = {**started, state: slug}
        return response


class OidcCallback(OIDCAuthenticationCallbackView):
    """Finish the sign-in: every refusal is a page that says what happened, and is logged."""

    def get(self, request: HttpRequest) -> HttpResponse:
        slug = request.session.get(SESSION_KEY, {}).get(request.GET.get("state", ""))
        provider = (
            OidcProvider.objects.select_related("institution")
            .filter(institution__slug=slug, enabled=True)
            .first()
            if slug
            else None
        )
        if provider is None:
            # Never the query itself: it carries the authorisation code.
            logger.warning("OIDC callback for no sign-in in flight (or its provider turned off)")
            return render(
                request,
                "registration/signin_refused.html",
                {
                    "message": "This sign-in was not started from this browser, it took too "
                    "long, or the institution has since turned this way of signing in off. "
                    "Start again from the sign-in page.",
                    "protocol": "OpenID Connect",
                },
                status=400,
            )
        self.institution = provider.institution
        if request.GET.get("error"):
            said = request.GET.get("error_description") or request.GET["error"]
            return refused(
                request,
                provider.institution,
                SignInRefused(
                    f"{provider.institution.name}'s sign-in service did not sign you in: {said}. "
                    "Start again from the sign-in page; if it goes on, tell its IT service."
                ),
            )
        try:
            document = signin.discover_oidc(provider)
            request.signin_oidc = (provider, document)  # type: ignore[attr-defined]
            response: HttpResponse = super().get(request)
        except SignInRefused as exc:
            return refused(request, provider.institution, exc, detail=repr(exc.__cause__ or ""))
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else 0
            if not 400 <= status < 500:
                raise
            return refused(
                request,
                provider.institution,
                SignInRefused(
                    f"{provider.institution.name}'s sign-in service did not accept this site's "
                    f"client id and secret (HTTP {status}). An admin of "
                    f"{provider.institution.name} must enter the client secret the provider "
                    "issued for this site."
                ),
                detail=str(exc),
            )
        except requests.RequestException as exc:
            return refused(
                request,
                provider.institution,
                SignInRefused(
                    f"{provider.institution.name}'s sign-in service stopped answering while "
                    "signing you in. Try again in a few minutes; your account here is unchanged."
                ),
                detail=repr(exc),
            )
        except SuspiciousOperation as exc:
            return refused(
                request,
                provider.institution,
                SignInRefused(
                    "This sign-in answer does not belong to the sign-in this browser started "
                    "(its state or nonce differs), so it was not used. Start again from the "
                    "sign-in page."
                ),
                detail=repr(exc),
            )
        return response

    def login_failure(self) -> HttpResponse:
        return refused(
            self.request,
            self.institution,
            SignInRefused(
                "The sign-in did not finish: this browser has no sign-in waiting for that "
                "answer (it was used already, or the session ended). Start again from the "
                "sign-in page."
            ),
        )


class InstitutionOidcBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's code flow, configured from the institution's OidcProvider row.

    Adds what the library leaves to its users: the id_token's issuer, audience and expiry are
    checked, and the person is found by (issuer, sub), never by e-mail.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.UserModel = get_user_model()

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        found = getattr(request, "signin_oidc", None)
        if found is None:
            return None  # a password sign-in: ModelBackend's turn
        self.provider, document = found
        self.OIDC_OP_TOKEN_ENDPOINT = document["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = document.get("userinfo_endpoint")
        self.OIDC_OP_JWKS_ENDPOINT = document["jwks_uri"]
        self.OIDC_RP_CLIENT_ID = self.provider.client_id
        self.OIDC_RP_CLIENT_SECRET = self.provider.client_secret
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token: str, **kwargs: Any) -> Any:
        name = self.provider.institution.name
        try:
            alg = jwt.get_unverified_header(token).get("alg", "")
        except jwt.DecodeError as exc:
            raise SignInRefused(
                f"{name}'s sign-in service sent an id_token that is not a signed JWT. Tell its IT "
                "service."
            ) from exc
        if not ASYMMETRIC.match(str(alg)):
            raise SignInRefused(
                f"{name}'s sign-in service signed its id_token with {alg or 'nothing'}; this site "
                "accepts RS256/384/512 or ES256/384/512 with the provider's published keys only. "
                f"Tell {name}'s IT service."
            )
        self.OIDC_RP_SIGN_ALGO = alg
        return super().verify_token(token, **kwargs)

    def _verify_jws(self, payload: Any, key: Any) -> Any:
        return verify_id_token(
            payload,
            key,
            algorithm=self.OIDC_RP_SIGN_ALGO,
            issuer=self.provider.issuer,
            client_id=self.provider.client_id,
            institution=self.provider.institution.name,
        )

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            extra = super().get_userinfo(access_token, id_token, payload)
            # OIDC Core §5.3.2: userinfo for another subject must not be used.
            if isinstance(extra, dict) and extra.get("sub") == payload.get("sub"):
                claims.update(extra)
        return claims

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        claims = self.get_userinfo(access_token, id_token, payload)
        role = signin.oidc_role(self.provider, claims)
        return signin.sign_in_federated(
            institution=self.provider.institution,
            protocol=PROTOCOL,
            issuer=self.provider.issuer,
            subject=str(claims.get("sub") or ""),
            email=str(claims.get("email") or ""),
            name=str(claims.get("name") or claims.get("given_name") or ""),
            role=role,
        )


def verify_id_token(
    token: str | bytes, key: Any, *, algorithm: str, issuer: str, client_id: str, institution: str
) -> dict[str, Any]:
    """The id_token's claims once its signature, issuer, audience and lifetime check out.

    Raises SignInRefused saying which check failed and who can fix it.
    """
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=client_id,
            issuer=issuer,
            leeway=CLOCK_LEEWAY,
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise SignInRefused(
            f"{institution}'s sign-in service sent an answer that had already expired. Sign in "
            "again; if it goes on, the provider's clock (or this site's) is wrong: tell its IT "
            "service."
        ) from exc
    except jwt.InvalidAudienceError as exc:
        raise SignInRefused(
            f"{institution}'s sign-in service issued its answer to another application, not to "
            f"this site's client id {client_id!r}. An admin of {institution} must set the client "
            "id this site was registered with at the provider."
        ) from exc
    except jwt.InvalidIssuerError as exc:
        raise SignInRefused(
            f"The sign-in answer was issued by someone other than {issuer}, the provider "
            f"{institution} configured, so it was not used. Tell {institution}'s admins."
        ) from exc
    except jwt.MissingRequiredClaimError as exc:
        raise SignInRefused(
            f"{institution}'s sign-in service sent an id_token without its {exc.claim!r} claim; "
            f"OpenID Connect requires it. Tell {institution}'s IT service."
        ) from exc
    except jwt.ImmatureSignatureError as exc:
        raise SignInRefused(
            f"{institution}'s sign-in service sent an answer dated in the future; a clock is "
            "wrong. Try again in a minute, and tell its IT service if it goes on."
        ) from exc
    except jwt.InvalidTokenError as exc:
        raise SignInRefused(
            f"{institution}'s sign-in answer is not signed by the provider's published keys, so "
            "it was not used. Start again; if it goes on, tell its IT service."
        ) from exc
    return claims
