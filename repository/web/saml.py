"""SAML 2.0 sign-in as a service provider (pysaml2): SP metadata, the request, the assertion consumer.

Each institution names its IdP and the signed metadata (a federation feed or a file) that
describes it; the metadata's signature is checked against the certificate its admin set before
anything in it is trusted.
"""

import hashlib
import logging
import shutil
import tempfile
import time
from collections.abc import Sequence
from typing import Any

import requests
from defusedxml import ElementTree
from django.conf import settings
from django.contrib.auth import login
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string
from saml2.response import StatusError, UnsolicitedResponse, VerificationError
from saml2.saml import NAMEID_FORMAT_PERSISTENT
from saml2.sigver import SignatureError, SigverError, security_context
from saml2.validate import ResponseLifetimeExceed, ToEarly

from repository.actions import signin
from repository.errors import SignInRefused
from repository.lti.addresses import PrivateAddress
from repository.models import ExternalIdentity, Institution, SamlProvider

logger = logging.getLogger(__name__)
PROTOCOL = ExternalIdentity.Protocol.SAML
RELAY_SALT = "remixbank.saml-relay"
RELAY_MAX_AGE = 15 * 60
# The request this browser started, in a cookie of its own: the IdP's POST back is cross-site,
# so on HTTPS it must be SameSite=None, which the session cookie is not.
REQUEST_COOKIE = "remixbank_saml_request"
METADATA_TTL = 3600
DS = "{http://www.w3.org/2000/09/xmldsig#}"
DSIG = f"{DS}Signature"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
PAIRWISE_ID = "pairwise-id"
TARGETED_ID = "eduPersonTargetedID"

_metadata_cache: dict[tuple[str, str], tuple[float, str]] = {}


def xmlsec_binary() -> str:
    found = shutil.which("xmlsec1")
    if not found:
        raise SignInRefused(
            "SAML sign-in is not available on this installation: xmlsec1 is not installed "
            "(apt-get install xmlsec1). Sign in with a password, or ask the site's operators."
        )
    return found


def sp_urls(request: HttpRequest) -> tuple[str, str]:
    """This SP's entity id (its metadata address) and assertion consumer address."""
    base = getattr(settings, "SAML_SP_BASE_URL", "") or f"{request.scheme}://{request.get_host()}"
    return base + reverse("saml_metadata"), base + reverse("saml_acs")


def sp_config(request: HttpRequest, *, idp_metadata: Sequence[str] = ()) -> SPConfig:
    entity_id, acs = sp_urls(request)
    conf: dict[str, Any] = {
        "entityid": entity_id,
        "xmlsec_binary": xmlsec_binary(),
        "allow_unknown_attributes": True,
        "accepted_time_diff": 60,
        "service": {
            "sp": {
                "name": "Remixbank",
                "endpoints": {"assertion_consumer_service": [(acs, BINDING_HTTP_POST)]},
                "allow_unsolicited": False,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "required_attributes": ["eduPersonScopedAffiliation"],
                "optional_attributes": [
                    "pairwise-id",
                    "eduPersonTargetedID",
                    "mail",
                    "displayName",
                ],
            }
        },
        "metadata": {"inline": list(idp_metadata)},
    }
    if settings.SAML_SP_KEY_FILE and settings.SAML_SP_CERT_FILE:
        conf["key_file"] = settings.SAML_SP_KEY_FILE
        conf["cert_file"] = settings.SAML_SP_CERT_FILE
    config = SPConfig()
    config.load(conf)
    return config


def fetch_metadata(provider: SamlProvider) -> str:
    name = provider.institution.name
    if not provider.metadata_url:
        return provider.metadata_xml
    try:
        response = signin.provider_session().get(
            provider.metadata_url, timeout=settings.SAML_METADATA_TIMEOUT
        )
        response.raise_for_status()
    except PrivateAddress as exc:
        raise signin.private_address_refusal(name, provider.metadata_url) from exc
    except requests.RequestException as exc:
        raise SignInRefused(
            f"{name}'s identity provider metadata ({provider.metadata_url}) could not be fetched, "
            "so sign-in through it is not possible right now. Try again in a few minutes; if it "
            f"goes on, tell {name}'s IT service. Your account here is unchanged."
        ) from exc
    return response.text


def verified_metadata(request: HttpRequest, provider: SamlProvider) -> str:
    """The IdP's metadata once its signature checks out against the configured certificate.

    Raises SignInRefused when it cannot be fetched, is unsigned or signed by another key, or
    does not describe the configured IdP.
    """
    key = (
        provider.metadata_url or hashlib.sha256(provider.metadata_xml.encode()).hexdigest(),
        hashlib.sha256(provider.metadata_certificate.encode()).hexdigest(),
    )
    cached = _metadata_cache.get(key)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    name = provider.institution.name
    xml = fetch_metadata(provider)
    try:
        root = ElementTree.fromstring(xml.encode())
    except ElementTree.ParseError as exc:
        raise SignInRefused(
            f"{name}'s identity provider metadata is not XML. An admin of {name} must set the "
            "federation's metadata address (or upload its file) again."
        ) from exc
    signature = root.find(DSIG)
    references = [] if signature is None else signature.findall(f"{DS}SignedInfo/{DS}Reference")
    # The one signature must cover the whole document, so a signed fragment cannot vouch for
    # entities wrapped around it.
    if len(references) != 1 or references[0].get("URI") != f"#{root.get('ID')}":
        raise SignInRefused(
            f"{name}'s identity provider metadata is not signed, so nothing in it can be "
            f"trusted. An admin of {name} must use the federation's signed metadata feed."
        )
    with tempfile.NamedTemporaryFile("w", suffix=".pem") as cert:
        cert.write(provider.metadata_certificate)
        cert.flush()
        security = security_context(sp_config(request))
        node = f"{MD}:{root.tag.rsplit('}', 1)[-1]}"
        try:
            valid = security.verify_signature(xml, cert_file=cert.name, node_name=node)
        except (SignatureError, SigverError) as exc:
            logger.info("metadata signature check failed: %s", exc)
            valid = False
    if not valid:
        raise SignInRefused(
            f"{name}'s identity provider metadata is not signed by the certificate configured "
            f"for it, so it was not used. An admin of {name} must check the federation's "
            "signing certificate (it may have been renewed)."
        )
    entity_ids = {e.get("entityID") for e in root.iter(f"{{{MD}}}EntityDescriptor")}
    if root.tag == f"{{{MD}}}EntityDescriptor":
        entity_ids.add(root.get("entityID"))
    if provider.entity_id not in entity_ids:
        raise SignInRefused(
            f"{name}'s metadata does not describe the identity provider {provider.entity_id}. "
            f"An admin of {name} must set the IdP's entity id exactly as the metadata states it."
        )
    _metadata_cache[key] = (time.monotonic() + METADATA_TTL, xml)
    return xml


def refused(
    request: HttpRequest, institution: Institution | None, exc: SignInRefused, detail: str = ""
) -> HttpResponse:
    if institution is not None:
        signin.record_sign_in_problem(
            institution, protocol=PROTOCOL, message=exc.message, detail=detail
        )
    else:
        logger.warning("SAML sign-in refused: %s %s", exc.message, detail)
    response = render(
        request,
        "registration/signin_refused.html",
        {"institution": institution, "message": exc.message, "protocol": "SAML"},
        status=400,
    )
    response.delete_cookie(REQUEST_COOKIE)
    return response


def metadata(request: HttpRequest) -> HttpResponse:
    """This SP's metadata, for federations and IdPs to register."""
    try:
        xml = create_metadata_string(None, config=sp_config(request), valid=24 * 365)
    except SignInRefused as exc:
        return HttpResponse(exc.message, status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse(xml, content_type="application/samlmetadata+xml")


def start(request: HttpRequest, slug: str) -> HttpResponse:
    """Send the browser to the institution's IdP with an AuthnRequest (HTTP-Redirect)."""
    provider = get_object_or_404(
        SamlProvider.objects.select_related("institution"), institution__slug=slug, enabled=True
    )
    try:
        client = Saml2Client(
            sp_config(request, idp_metadata=[verified_metadata(request, provider)])
        )
    except SignInRefused as exc:
        return refused(request, provider.institution, exc, detail=repr(exc.__cause__ or ""))
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    request_id, info = client.prepare_for_authenticate(
        entityid=provider.entity_id,
        relay_state=signing.dumps({"institution": slug, "next": next_url}, salt=RELAY_SALT),
        binding=BINDING_HTTP_REDIRECT,
    )
    location = dict(info["headers"])["Location"]
    response = HttpResponseRedirect(location)
    secure = request.is_secure()
    response.set_cookie(
        REQUEST_COOKIE,
        signing.dumps(request_id, salt=RELAY_SALT),
        max_age=RELAY_MAX_AGE,
        httponly=True,
        secure=secure,
        samesite="None" if secure else "Lax",
    )
    return response


def stable_key(identity: dict[str, list[Any]], name_id: Any) -> str:
    """The pairwise-id, else eduPersonTargetedID, else a persistent NameID; never an address."""
    for attribute in (PAIRWISE_ID, TARGETED_ID):
        for value in identity.get(attribute) or []:
            text = getattr(value, "text", value)
            if text:
                return str(text).strip()
    if name_id is not None and name_id.format == NAMEID_FORMAT_PERSISTENT and name_id.text:
        return str(name_id.text).strip()
    return ""


def assertion_issuers(response: Any) -> list[str]:
    """Who issued each assertion the response carries ("" for one that names nobody)."""
    assertions = getattr(response, "assertions", None) or [response.assertion]
    return [
        (a.issuer.text or "").strip() if a is not None and a.issuer is not None else ""
        for a in assertions
    ]


def explain(exc: Exception, name: str) -> SignInRefused:
    """What a pysaml2 refusal means for the person signing in, and who can fix it."""
    text = str(exc)
    # pysaml2 folds a failed NotBefore/NotOnOrAfter check into VerificationError("Condition not
    # OK"); the audience check raises on its own (below), so what is left is the time window.
    timing = isinstance(exc, VerificationError) and "Condition not OK" in text
    if timing or isinstance(exc, (ResponseLifetimeExceed, ToEarly)) or "lifetime" in text.lower():
        return SignInRefused(
            f"{name}'s identity provider sent an assertion that has expired (or is not valid "
            "yet). Sign in again; if it goes on, a clock is wrong: tell its IT service."
        )
    if "AudienceRestriction" in text:
        return SignInRefused(
            f"{name}'s identity provider made this assertion for another service, not for this "
            f"site. Tell {name}'s IT service to register this site's SP metadata."
        )
    if isinstance(exc, (SignatureError, SigverError)) or "signature" in text.lower():
        return SignInRefused(
            f"The assertion from {name}'s identity provider is not signed, or not signed by the "
            "key its metadata publishes, so it was not used. Start again; if it goes on, tell "
            f"{name}'s IT service."
        )
    if isinstance(exc, UnsolicitedResponse):
        return SignInRefused(
            "This assertion answers no sign-in this browser started (it was used already, or "
            "took too long). Start again from the sign-in page."
        )
    if isinstance(exc, StatusError):
        return SignInRefused(
            f"{name}'s identity provider did not sign you in ({text or type(exc).__name__}). "
            "Start again from the sign-in page."
        )
    return SignInRefused(
        f"The answer from {name}'s identity provider could not be read, so it was not used. "
        f"Start again; if it goes on, tell {name}'s IT service."
    )


@csrf_exempt  # the IdP posts here; the signed RelayState and request cookie bind it instead
@require_POST
def acs(request: HttpRequest) -> HttpResponse:
    """Read the IdP's signed assertion, map its affiliation to a role, sign the person in."""
    try:
        relay = signing.loads(
            request.POST.get("RelayState", ""), salt=RELAY_SALT, max_age=RELAY_MAX_AGE
        )
        request_id = signing.loads(
            request.COOKIES.get(REQUEST_COOKIE, ""), salt=RELAY_SALT, max_age=RELAY_MAX_AGE
        )
    except signing.BadSignature:
        return refused(
            request,
            None,
            SignInRefused(
                "This sign-in was not started from this browser, or it took longer than 15 "
                "minutes. Start again from the sign-in page."
            ),
        )
    provider = (
        SamlProvider.objects.select_related("institution")
        .filter(institution__slug=relay["institution"], enabled=True)
        .first()
    )
    if provider is None:
        return refused(
            request,
            Institution.objects.filter(slug=relay["institution"]).first(),
            SignInRefused(
                "The institution has turned signing in through its identity provider off "
                "since this sign-in started. Start again from the sign-in page."
            ),
        )
    institution = provider.institution
    try:
        client = Saml2Client(
            sp_config(request, idp_metadata=[verified_metadata(request, provider)])
        )
    except SignInRefused as exc:
        return refused(request, institution, exc, detail=repr(exc.__cause__ or ""))
    try:
        response = client.parse_authn_request_response(
            request.POST.get("SAMLResponse", ""),
            BINDING_HTTP_POST,
            outstanding={request_id: relay.get("next") or "/"},
        )
        if response is None:
            raise UnsolicitedResponse("no response")
    except Exception as exc:  # pysaml2 raises bare Exception for some checks (audience)
        return refused(request, institution, explain(exc, institution.name), detail=repr(exc))
    identity = response.get_identity()
    try:
        signin.require_assertion_issuer(
            institution, provider.entity_id, [response.issuer(), *assertion_issuers(response)]
        )
        role = signin.saml_role(institution, identity.get("eduPersonScopedAffiliation") or [])
        subject = stable_key(identity, response.name_id)
        if identity.get(PAIRWISE_ID):
            signin.require_own_scope(institution, subject)  # pairwise-id is scoped too
        user = signin.sign_in_federated(
            institution=institution,
            protocol=PROTOCOL,
            issuer=provider.entity_id,
            subject=subject,
            email=str((identity.get("mail") or [""])[0]),
            name=str((identity.get("displayName") or identity.get("givenName") or [""])[0]),
            role=role,
        )
    except SignInRefused as exc:
        return refused(request, institution, exc, detail=repr(identity))
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    redirect = HttpResponseRedirect(relay.get("next") or reverse("home"))
    redirect.delete_cookie(REQUEST_COOKIE)
    return redirect
