"""The API's one error shape, and the one place that maps every error onto it.

    {"error": {"code": "package_refused", "message": "…", "fields": {"package": ["…"]}}}

`code` is stable and machine-readable (DRF's codes, DomainError.code); `message` is for
people; `fields` names the fields at fault and is empty otherwise. A merge_conflict also lists
the paths to resolve in `conflicts`.
"""

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

import licensing
from repository.errors import (
    BlobCorrupted,
    DomainError,
    InvalidTransition,
    LicenceRefused,
    PackageRefused,
    PermissionRefused,
    RateLimited,
    TakenDown,
    error_body,
)
from repository.guards import outages
from repository.trees.merges import MergeConflict

log = logging.getLogger(__name__)

# Most specific first: the first class the error is an instance of decides the status.
DOMAIN_STATUS: list[tuple[type[DomainError], int]] = [
    (RateLimited, status.HTTP_429_TOO_MANY_REQUESTS),
    (TakenDown, status.HTTP_410_GONE),
    (PermissionRefused, status.HTTP_403_FORBIDDEN),
    (InvalidTransition, status.HTTP_409_CONFLICT),
    (LicenceRefused, status.HTTP_409_CONFLICT),
    (MergeConflict, status.HTTP_409_CONFLICT),
    (PackageRefused, status.HTTP_400_BAD_REQUEST),
    # Stored bytes that no longer match their hash are our fault, never the caller's.
    (BlobCorrupted, status.HTTP_500_INTERNAL_SERVER_ERROR),
    (DomainError, status.HTTP_400_BAD_REQUEST),
]

MESSAGES = {
    "invalid": "Some of the data sent is not valid; see fields.",
    "not_found": "Not found, or not visible to you.",
}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: DRF errors, domain errors and unknown licences."""
    if isinstance(exc, DomainError):
        return domain_response(exc)
    if outages.database_unavailable(exc):
        return database_unavailable()
    if isinstance(exc, licensing.UnknownLicence):
        return Response(error_body("unknown_licence", str(exc)), status=400)
    if isinstance(exc, RequestDataTooBig):
        return Response(
            error_body(
                "request_too_large",
                f"The request body is over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes; "
                "send packages as multipart uploads (they are streamed to disk).",
            ),
            status=413,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(MESSAGES["not_found"])
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: Django's 500 handling logs it
    response = Response(drf_body(exc), status=exc.status_code)
    headers = {}
    # Set by NotAuthenticated (through DRF's handler protocol) and Throttled respectively.
    auth_header = getattr(exc, "auth_header", None)
    wait = getattr(exc, "wait", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    if wait:
        headers["Retry-After"] = str(int(wait))
    for name, value in headers.items():
        response[name] = value
    set_rollback()
    return response


def drf_body(exc: exceptions.APIException) -> dict[str, Any]:
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            fields = {name: flatten(errors) for name, errors in detail.items()}
        else:
            fields = {"non_field_errors": flatten(detail)}
        return error_body("invalid", MESSAGES["invalid"], fields)
    if isinstance(exc, exceptions.NotFound):
        return error_body("not_found", MESSAGES["not_found"])
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else exc.default_code
    return error_body(str(code), str(exc.detail))


def flatten(errors: Any) -> Any:
    """Field errors as lists of strings (nested serializers keep their nesting)."""
    if isinstance(errors, dict):
        return {key: flatten(value) for key, value in errors.items()}
    if isinstance(errors, list):
        if all(isinstance(e, str) for e in errors):
            return [str(e) for e in errors]
        return [flatten(e) for e in errors]
    return [str(errors)]


def database_unavailable() -> Response:
    """503 while the database is down: logged once per outage (repository/guards/outages.py)."""
    seconds = outages.retry_after()
    body = error_body(
        "database_unavailable",
        f"The database cannot be reached; nothing was changed. Try again in {seconds} seconds.",
    )
    response = Response(body, status=503, headers={"Retry-After": seconds})
    return outages.already_logged(response)


def domain_response(exc: DomainError) -> Response:
    code = next(code for cls, code in DOMAIN_STATUS if isinstance(exc, cls))
    if code >= 500:
        log.error("domain error answered with %s: %s", code, exc.message)
    set_rollback()
    body = error_body(exc.code, exc.message)
    if isinstance(exc, MergeConflict):
        body["error"]["conflicts"] = list(exc.conflicts)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    return Response(body, status=code, headers=headers)
