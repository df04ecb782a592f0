"""Template context shared by every page: settings pages need, and what the visitor may do."""

from django.conf import settings
from django.http import HttpRequest

from repository.access import Capabilities


def capabilities(request: HttpRequest) -> Capabilities:
    """What the visitor may do, asked of access once per request (menu and page share it)."""
    found = getattr(request, "_capabilities", None)
    if not isinstance(found, Capabilities):
        found = Capabilities(request.user)
        request._capabilities = found  # type: ignore[attr-defined]  # a per-request cache
    return found


def site(request: HttpRequest) -> dict[str, object]:
    return {"CONTENT_ORIGIN": settings.CONTENT_ORIGIN, "can": capabilities(request)}
