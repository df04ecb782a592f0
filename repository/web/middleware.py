"""Origin separation: requests to the content origin see only the content URLs; CSP everywhere."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def main_site_csp() -> str:
    """The main site's CSP; read per request so a changed CONTENT_ORIGIN (tests) takes effect."""
    return (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"frame-src {settings.CONTENT_ORIGIN}; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    )


MAIN_SITE_CSP = main_site_csp()
# Deposited tools run in an opaque origin: scripts yes, cookies and storage of ours never.
CONTENT_CSP = "sandbox allow-scripts allow-forms allow-pointer-lock allow-downloads"


class ContentOriginMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.get_host() == settings.CONTENT_HOST:
            request.urlconf = "repository.web.content_urls"
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        on_content_origin = getattr(request, "urlconf", None) == "repository.web.content_urls"
        if on_content_origin:
            # The try-it frame on the main site embeds these files; XFrameOptionsMiddleware
            # (outside this one in settings.MIDDLEWARE) would otherwise send DENY.
            response.xframe_options_exempt = True  # type: ignore[attr-defined]
        response.setdefault(
            "Content-Security-Policy", CONTENT_CSP if on_content_origin else main_site_csp()
        )
        return response
