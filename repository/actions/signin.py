"""Institutional sign-in: map what an identity provider says to a role, and join the person up."""

import hashlib
import logging
from collections.abc import Iterable, Mapping
from typing import Any

import requests
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from repository.access import require_sign_in_admin
from repository.actions import audit
from repository.actions.people import RANK
from repository.errors import SignInRefused
from repository.lti.addresses import PlatformSession, PrivateAddress, checked_address
from repository.models import (
    AdminAction,
    ExternalIdentity,
    Institution,
    Membership,
    OidcProvider,
    SamlProvider,
    SignInProblem,
)

logger = logging.getLogger(__name__)

# eduPersonAffiliation values (eduPerson 202208, §2.2.1) and the role each gives here. `member`
# is anyone the home organisation counts as one of its own, so it gets the least role.
AFFILIATION_ROLES: dict[str, str] = {
    "faculty": Membership.Role.STAFF,
    "staff": Membership.Role.STAFF,
    "employee": Membership.Role.STAFF,
    "student": Membership.Role.STUDENT,
    "member": Membership.Role.STUDENT,
}


def clean_domains(values: Iterable[str]) -> list[str]:
    return sorted({v.strip().lower().lstrip("@") for v in values if v.strip()})


def email_domain(claims: Mapping[str, Any]) -> str | None:
    """The domain of an address the provider vouches for; None unless it says it checked it.

    Without `email_verified` true (some providers send the string "true") the address may be
    whatever the person typed into their profile, so its domain grants no role.
    """
    email = str(claims.get("email") or "")
    if "@" not in email or claims.get("email_verified") not in (True, "true"):
        return None
    return email.rsplit("@", 1)[1].lower()


def claim_values(claims: Mapping[str, Any], name: str) -> set[str]:
    value = claims.get(name) if name else None
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {str(v) for v in value}
    return set()


def oidc_role(provider: OidcProvider, claims: Mapping[str, Any]) -> str:
    """The role `claims` give at `provider`'s institution: the highest that any rule grants.

    Raises SignInRefused, naming what was looked at, when no rule lets the person in.
    """
    granted = []
    values = claim_values(claims, provider.role_claim)
    if values & set(provider.staff_values):
        granted.append(Membership.Role.STAFF)
    if values & set(provider.student_values):
        granted.append(Membership.Role.STUDENT)
    domain = email_domain(claims)
    if domain in provider.staff_domains:
        granted.append(Membership.Role.STAFF)
    if domain in provider.student_domains:
        granted.append(Membership.Role.STUDENT)
    if granted:
        return max(granted, key=RANK.__getitem__)
    seen = f"address {claims.get('email') or '(none)'}"
    if provider.role_claim:
        seen += f", {provider.role_claim} {sorted(values) or '(none)'}"
    raise SignInRefused(
        f"{provider.institution.name} lets in staff and students it recognises, and your "
        f"account was not one of them ({seen}). Ask an admin of {provider.institution.name} to "
        "add your domain or group to its sign-in settings, or ask them for an invitation."
    )


def saml_role(institution: Institution, scoped_affiliations: Iterable[str]) -> str:
    """The role eduPersonScopedAffiliation values give at `institution`.

    Every value's scope must be one of the institution's domains (or below one): an IdP may only
    vouch for its own people. Raises SignInRefused naming the value that is not.
    """
    granted = []
    for value in scoped_affiliations:
        affiliation = require_own_scope(institution, value)
        if affiliation in AFFILIATION_ROLES:
            granted.append(AFFILIATION_ROLES[affiliation])
    if not granted:
        raise SignInRefused(
            f"Your identity provider did not say you are staff, faculty, a student or a member "
            f"of {institution.name} (eduPersonScopedAffiliation), so you cannot join it this way. "
            "Ask your institution's IT service to release that attribute to this site, or ask "
            f"an admin of {institution.name} for an invitation."
        )
    return max(granted, key=RANK.__getitem__)


def require_own_scope(institution: Institution, scoped: str) -> str:
    """The part before `@` of a scoped value whose scope is one of `institution`'s domains.

    Raises SignInRefused naming the value when its scope is not (nor a subdomain of one).
    """
    domains = clean_domains(institution.email_domains)
    local, _, scope = str(scoped).strip().lower().rpartition("@")
    if not any(scope == d or scope.endswith("." + d) for d in domains):
        raise SignInRefused(
            f"Your identity provider said you are {scoped!r}, but {institution.name} signs in "
            f"people of {', '.join(domains) or 'no domain yet'} only. If you belong to "
            f"another institution, sign in through it; if {scope or 'that scope'} is "
            f"{institution.name}'s, ask its admins to add the domain."
        )
    return local


def local_username(issuer: str, subject: str) -> str:
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:24]
    return f"signin-{digest}"


@transaction.atomic
def sign_in_federated(
    *,
    institution: Institution,
    protocol: str,
    issuer: str,
    subject: str,
    email: str,
    name: str,
    role: str,
) -> User:
    """Find or create the account `subject` at `issuer` stands for and make it a member.

    The stable key is (issuer, subject), never the e-mail, which people change and providers
    reuse. A first sign-in creates the account and joins `institution` with `role`; later ones
    raise a role the provider now grants but never lower one an admin gave.
    """
    if not subject:
        raise SignInRefused(
            "Your identity provider sent no stable identifier for you (the OIDC `sub`, or a "
            "SAML pairwise-id / eduPersonTargetedID), so this site cannot recognise you next "
            "time. Ask your institution's IT service to release it."
        )
    identity = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user", "institution")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    if identity is None:
        user = User(
            username=local_username(issuer, subject),
            email=email.strip().lower(),
            first_name=name.strip()[:150],
        )
        user.set_unusable_password()
        user.save()
        identity = ExternalIdentity.objects.create(
            user=user, institution=institution, protocol=protocol, issuer=issuer, subject=subject
        )
    elif identity.institution_id != institution.pk:
        # The subject was vouched for by the provider `identity.institution` trusts; another
        # institution's settings naming the same issuer (its own metadata and key, or a
        # neighbour in the same federation feed) must not sign anyone in to that account.
        raise SignInRefused(
            f"This identity ({subject} at {issuer}) already belongs to an account of "
            f"{identity.institution.name}, so it cannot sign in through {institution.name}'s "
            f"settings. Sign in through {identity.institution.name}; if you should also be a "
            f"member of {institution.name}, ask one of its admins for an invitation."
        )
    else:
        user = identity.user
        identity.last_signed_in_at = timezone.now()
        identity.save(update_fields=["last_signed_in_at"])
    membership, created = Membership.objects.select_for_update().get_or_create(
        user=user, institution=institution, defaults={"role": role}
    )
    if not created and RANK[role] > RANK[membership.role]:
        membership.role = role
        membership.save(update_fields=["role"])
    return user


def require_assertion_issuer(
    institution: Institution, expected: str, issuers: Iterable[str]
) -> None:
    """Refuse unless every issuer a SAML response names is `institution`'s configured IdP.

    pysaml2 checks each assertion's signature against the key metadata publishes for the
    assertion's own issuer, and a federation feed publishes every member's: the unsigned
    response's issuer alone says nothing about who signed what is inside.
    """
    strangers = sorted({i for i in issuers if i != expected})
    if strangers:
        raise SignInRefused(
            f"This assertion comes from {', '.join(strangers)}, not from {institution.name}'s "
            f"identity provider ({expected}), so it cannot sign you in to it. Sign in through "
            "your own institution."
        )


def record_sign_in_problem(
    institution: Institution, *, protocol: str, message: str, detail: str = ""
) -> SignInProblem:
    """Keep a refused sign-in for the institution's admins (and the server log)."""
    logger.warning(
        "institutional sign-in refused: institution=%s protocol=%s message=%s detail=%s",
        institution.slug,
        protocol,
        message,
        detail,
    )
    return SignInProblem.objects.create(
        institution=institution, protocol=protocol, message=message, detail=detail[:2000]
    )


@transaction.atomic
def configure_oidc(*, institution: Institution, by: User, **fields: Any) -> OidcProvider:
    """Set `institution`'s OpenID Connect provider. Raises PermissionRefused unless an admin."""
    require_sign_in_admin(by, institution)
    for key in ("staff_domains", "student_domains"):
        fields[key] = clean_domains(fields.get(key, []))
    for key in ("staff_values", "student_values"):
        fields[key] = sorted({v.strip() for v in fields.get(key, []) if v.strip()})
    fields["issuer"] = fields["issuer"].strip()
    if not fields.get("client_secret"):
        # Left empty on the form: keep the secret already stored.
        fields.pop("client_secret", None)
    existing = OidcProvider.objects.select_for_update().filter(institution=institution).first()
    before = audit.snapshot(existing, fields)
    provider, _ = OidcProvider.objects.update_or_create(institution=institution, defaults=fields)
    log_settings(
        AdminAction.Kind.CONFIGURE_OIDC, by=by, provider=provider, before=before, fields=fields
    )
    return provider


@transaction.atomic
def configure_saml(*, institution: Institution, by: User, **fields: Any) -> SamlProvider:
    """Set `institution`'s SAML identity provider. Raises PermissionRefused unless an admin."""
    require_sign_in_admin(by, institution)
    fields["entity_id"] = fields["entity_id"].strip()
    existing = SamlProvider.objects.select_for_update().filter(institution=institution).first()
    before = audit.snapshot(existing, fields)
    provider, _ = SamlProvider.objects.update_or_create(institution=institution, defaults=fields)
    log_settings(
        AdminAction.Kind.CONFIGURE_SAML, by=by, provider=provider, before=before, fields=fields
    )
    return provider


def log_settings(
    kind: str,
    *,
    by: User,
    provider: OidcProvider | SamlProvider,
    before: dict[str, Any],
    fields: Iterable[str],
) -> None:
    """Log what changed in an institution's sign-in settings (nothing changed: no line)."""
    changes = audit.changes_between(before, audit.snapshot(provider, fields))
    if changes:
        audit.record(kind, by=by, target=provider, changes=changes)


def provider_session() -> PlatformSession:
    """Calls to an identity provider: its addresses are typed by an institution's admin, so
    they are refused when they lead into this site's own network (repository/lti/addresses.py).
    """
    return PlatformSession(allow_private=settings.SIGNIN_PRIVATE_ADDRESSES)


def private_address_refusal(name: str, url: str) -> SignInRefused:
    return SignInRefused(
        f"{name}'s sign-in settings lead to {url}, an address inside this site's own network, "
        f"which it does not call for an identity provider. An admin of {name} must give the "
        "provider's public address; if the provider really is on this network, the site's "
        "operators can set SIGNIN_PRIVATE_ADDRESSES=true."
    )


def require_public_addresses(name: str, urls: Iterable[str]) -> None:
    """Refuse a provider whose server-side endpoints resolve to loopback, private or link-local
    addresses. Raises SignInRefused naming the first such address."""
    if settings.SIGNIN_PRIVATE_ADDRESSES:
        return
    for url in urls:
        try:
            checked_address(url, allow_private=False)
        except PrivateAddress as exc:
            raise private_address_refusal(name, url) from exc
        except requests.RequestException:
            pass  # unresolvable now: the call itself will say the provider is not answering


def discover_oidc(provider: OidcProvider, *, timeout: float = 10) -> dict[str, Any]:
    """The provider's discovery document, checked to be the issuer the admin configured.

    Raises SignInRefused when the provider cannot be reached, answers as someone else, or
    leads into this site's own network.
    """
    url = provider.issuer.rstrip("/") + "/.well-known/openid-configuration"
    name = provider.institution.name
    try:
        response = provider_session().get(url, timeout=timeout)
        response.raise_for_status()
        document = response.json()
    except PrivateAddress as exc:
        raise private_address_refusal(name, url) from exc
    except (requests.RequestException, ValueError) as exc:
        raise SignInRefused(
            f"{name}'s sign-in service ({provider.issuer}) is not answering, so you cannot sign "
            "in through it right now. Try again in a few minutes; if it goes on, tell "
            f"{name}'s IT service. Your account here is unchanged."
        ) from exc
    if not isinstance(document, dict) or document.get("issuer") != provider.issuer:
        stated = document.get("issuer") if isinstance(document, dict) else None
        raise SignInRefused(
            f"{name}'s sign-in service at {provider.issuer} says it is {stated!r}, so its tokens "
            f"would not be trusted here. An admin of {name} must set the issuer exactly as the "
            "provider states it."
        )
    missing = [
        k for k in ("authorization_endpoint", "token_endpoint", "jwks_uri") if k not in document
    ]
    if missing:
        raise SignInRefused(
            f"{name}'s sign-in service publishes no {', '.join(missing)}; it cannot be used for "
            f"OpenID Connect sign-in. Tell {name}'s IT service."
        )
    # The token, key and userinfo calls are made from this server by mozilla-django-oidc.
    require_public_addresses(
        name,
        [
            str(document[k])
            for k in ("token_endpoint", "jwks_uri", "userinfo_endpoint")
            if document.get(k)
        ],
    )
    return document
