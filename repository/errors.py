"""Domain errors raised by actions; the web and API layers turn them into messages for people."""

from typing import Any


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    """The API's one error shape (repository/api/errors.py), also sent by site-wide middleware."""
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


class DomainError(Exception):
    """A request the domain refuses, with a message that says what is wrong and how to fix it."""

    code = "refused"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PackageRefused(DomainError):
    code = "package_refused"


class InvalidTransition(DomainError):
    code = "invalid_transition"


class PermissionRefused(DomainError):
    code = "permission_denied"


class LicenceRefused(DomainError):
    code = "licence_conflict"


class BlobCorrupted(DomainError):
    code = "blob_corrupted"


class RateLimited(DomainError):
    """Too many requests of one kind for now; `retry_after` says in how many seconds to try again."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SignInRefused(DomainError):
    """An institutional sign-in that cannot go on: the message says what happened and what to do."""

    code = "sign_in_refused"


class TakenDown(DomainError):
    """A version the site's admins took down, asked for by someone outside its institution.

    Pages answer 410 with the notice (repository/web/moderation.py), the API a 410 error.
    """

    code = "taken_down"

    def __init__(self, message: str, *, title: str, reason: str) -> None:
        super().__init__(message)
        self.title = title
        self.reason = reason
