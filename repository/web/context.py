"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {"CONTENT_ORIGIN": settings.CONTENT_ORIGIN}
