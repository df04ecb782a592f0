"""Request ids, origin separation and CSP everywhere; JSON bodies nested too deep refused before any view."""

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, JsonResponse
from django.http.request import split_domain_port

from repository import tracing
from repository.errors import error_body
from repository.guards import safejson
from repository.validation import origins, serving

REQUEST_ID_HEADER = "X-Request-ID"


class RequestIdMiddleware:
    """Give each request an id (its client's X-Request-ID when well formed, else a new one),
    current while it is answered, so its log lines and the tasks it queues carry it
    (repository/tracing.py); the response says which id it was given."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = tracing.well_formed(request.headers.get(REQUEST_ID_HEADER)) or tracing.new_id()
        with tracing.bound(request_id):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


def content_frame_source() -> str:
    """Every version origin on the content domain, as a CSP source (`http://*.localhost:8001`)."""
    parts = urlsplit(settings.CONTENT_ORIGIN)
    return f"{parts.scheme}://*.{parts.netloc}"


def main_site_csp() -> str:
    """The main site's CSP; read per request so a changed CONTENT_ORIGIN (tests) takes effect."""
    return (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"frame-src {content_frame_source()}; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    )


MAIN_SITE_CSP = main_site_csp()
CONTENT_URLCONFS = {"repository.web.content_urls", "repository.web.content_home_urls"}


def normal_host(host: str, scheme: str) -> tuple[str, str]:
    """(`host` as CONTENT_HOST spells it, its domain): lower case, no trailing dot, no default
    port. Browsers send `content.example.` or `content.example:443` for addresses written so,
    and ALLOWED_HOSTS accepts them."""
    domain, port = split_domain_port(host)
    if not domain:
        return host.lower(), host.lower()
    default = "443" if scheme == "https" else "80"
    return (domain if port in {"", default} else f"{domain}:{port}"), domain


def on_content_domain(host: str) -> tuple[bool, str, str]:
    """Whether `host` names the content domain or a name under it (at any port), with `host`
    and CONTENT_HOST normalized. Only the main site's own address is the main site there (in development both
    may be `localhost`, on different ports); every other spelling stays on the content side,
    so the main site is never served under the content domain."""
    scheme = urlsplit(settings.CONTENT_ORIGIN).scheme
    content, content_domain = normal_host(settings.CONTENT_HOST, scheme)
    normal, domain = normal_host(host, scheme)
    site, _ = normal_host(urlsplit(settings.SITE_URL).netloc, urlsplit(settings.SITE_URL).scheme)
    under = domain == content_domain or domain.endswith("." + content_domain)
    return under and normal != site, normal, content


class ContentOriginMiddleware:
    """Route the content domain's hosts to its own URLs: a version origin to that version's
    files, the bare content host to the redirects from the old addresses."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        content_side, host, content_host = on_content_domain(request.get_host())
        if not content_side:
            return self.get_response(request)
        if host == content_host:
            request.urlconf = "repository.web.content_home_urls"
        else:
            found = origins.version_of_host(host)
            if found is None:
                return HttpResponseNotFound(
                    "No version is served at this address.",
                    headers=serving.missing_headers(),
                )
            request.content_version = found  # type: ignore[attr-defined]
            request.urlconf = "repository.web.content_urls"
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        on_content_origin = getattr(request, "urlconf", None) in CONTENT_URLCONFS
        if on_content_origin:
            # The try-it frame on the main site embeds these files; XFrameOptionsMiddleware
            # (outside this one in settings.MIDDLEWARE) would otherwise send DENY.
            response.xframe_options_exempt = True
        response.setdefault(
            "Content-Security-Policy", serving.CONTENT_CSP if on_content_origin else main_site_csp()
        )
        return response


def parsed_as_json(content_type: str) -> bool:
    """Whether a parser could take this body as JSON.

    DRF's JSONParser also accepts wildcard types (`*/*`, `application/*`), and `+json`
    suffixes are JSON by definition, so all of them are checked.
    """
    main, _, sub = content_type.strip().lower().partition("/")
    return main in {"application", "*"} and (sub in {"json", "*"} or sub.endswith("+json"))


class JsonDepthMiddleware:
    """Answer 400 to a JSON body nested deeper than settings.JSON_MAX_DEPTH, on every URL.

    It runs before authentication: django-oauth-toolkit reads the body while authenticating,
    so a view or parser would be too late (a 100,000-deep body was a 500 for anyone). API
    callers get the API's error shape, the OAuth2 endpoints RFC 6749's.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if parsed_as_json(request.content_type or ""):
            charset = (request.content_params or {}).get("charset", "utf-8")
            if charset.strip().lower() not in {"utf-8", "utf8"}:
                # Parsers decode with the declared charset, which the byte scan cannot follow
                # (cp500 has no "[" byte, UTF-16 hides escapes); JSON is UTF-8 (RFC 8259 §8.1).
                return json_refused(
                    request,
                    415,
                    "unsupported_charset",
                    f"JSON must be sent as UTF-8 (RFC 8259), not {charset}; "
                    "send it as UTF-8, with charset=utf-8 or no charset.",
                )
            try:
                body = request.body
            except RequestDataTooBig:
                body = b""  # the view answers this itself (the API with a 413)
            try:
                safejson.check_depth(body)
            except safejson.JSONTooDeep as exc:
                return too_deep_response(request, exc)
        return self.get_response(request)


def too_deep_response(request: HttpRequest, exc: safejson.JSONTooDeep) -> JsonResponse:
    return json_refused(request, 400, "json_too_deep", f"The JSON body is refused: {exc.msg}.")


def json_refused(request: HttpRequest, status: int, code: str, message: str) -> JsonResponse:
    """A refused JSON body, in the API's error shape (RFC 6749's on the OAuth2 endpoints)."""
    if request.path.startswith("/o/"):
        return JsonResponse(
            {"error": "invalid_request", "error_description": message}, status=status
        )
    return JsonResponse(error_body(code, message), status=status)
