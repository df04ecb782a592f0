"""LTI claim names, and pylti1p3's terse errors turned into messages that say what to do."""

from repository.errors import DomainError

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/"
# Context (course) roles only: an institution role such as institution/person#Instructor,
# which Canvas sends to anyone who teaches any course, says nothing about this course, where
# that person may be a learner (repository.access.teaches_course).
INSTRUCTOR_ROLES = (
    "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
    "http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper",
)
VERSION_PARAM = "remixbank_version"


class LtiRefused(DomainError):
    """A login or launch refused; `issuer` and `platform_id` say whose admin should hear of it."""

    code = "lti_refused"

    def __init__(self, message: str, *, issuer: str = "", platform_id: int | None = None) -> None:
        super().__init__(message)
        self.issuer = issuer
        self.platform_id = platform_id


START_AGAIN = "Open the activity again from your course in the VLE."


def explain(error: str, *, issuer: str, client_id: str, deployment_id: str, jwks_url: str) -> str:
    """Our words for one of pylti1p3's errors (which it raises as bare LtiException strings)."""
    text = str(error)
    if "LTI_PRIVATE_ADDRESSES" in text:  # repository.lti.addresses words its own refusal
        return text
    if "State not found" in text or "Missing state" in text:
        return (
            "This launch does not belong to a sign-in started in this browser in the last five "
            f"minutes (its state is unknown). {START_AGAIN}"
        )
    if "Invalid Nonce" in text or '"nonce" is empty' in text:
        return (
            "This launch was already used (a launch can be used once: a reloaded or replayed "
            f"launch is refused) or its nonce is unknown. {START_AGAIN}"
        )
    if "Registration not found" in text or "Client id not registered" in text:
        return (
            f"No platform with issuer {issuer or '(none given)'} and client id "
            f"{client_id or '(none given)'} is registered with Remixbank. An admin of your "
            "institution can register it under Manage → LTI platforms."
        )
    if "Unable to find deployment" in text:
        return (
            f"Deployment id {deployment_id or '(none given)'} is not one of the deployment ids "
            f"registered for {issuer}. An admin of your institution can add it to the "
            "platform's registration under Manage → LTI platforms."
        )
    if "Signature has expired" in text:
        return f"The launch token from {issuer} has expired (it is valid for a few minutes). {START_AGAIN}"
    if "Signature verification failed" in text:
        return (
            f"The launch token's signature does not match the key the platform {issuer} "
            f"publishes at {jwks_url}: the token was not signed by that platform, or the "
            "registration names the wrong JWKS URL."
        )
    if "Unable to find public key" in text:
        return (
            f"The launch token was signed with a key that the platform's key set at {jwks_url} "
            "does not contain. Check the JWKS URL in the registration."
        )
    if (
        "JWT must contain 3 parts" in text
        or "can't be decoded" in text
        or "Missing id_token" in text
    ):
        return f"The launch carries no readable id_token. {START_AGAIN}"
    if "Could not find issuer" in text or "Could not find login hint" in text:
        return (
            "This sign-in request lacks its issuer or login hint: start it from the VLE, "
            "not by opening this address directly."
        )
    if "Could not find registration details" in text:
        return (
            f"No platform with issuer {issuer or '(none given)'}"
            + (f" and client id {client_id}" if client_id else "")
            + " is registered with Remixbank. An admin of your institution can register it "
            "under Manage → LTI platforms."
        )
    return f"The launch was refused: {text}."
