"""While the database is down, pages and the content origin answer a short 503, not a 500."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase

from repository.guards import outages

MESSAGE = (
    "Remixbank is briefly unavailable: its database cannot be reached. "
    "Nothing you sent was saved; please try again in {seconds} seconds.\n"
)


def unavailable() -> HttpResponse:
    """Plain text built without templates, sessions or the database, so it cannot fail too."""
    response = HttpResponse(
        MESSAGE.format(seconds=outages.retry_after()),
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = outages.retry_after()
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """Turn a lost database into 503 + Retry-After, and log the outage once, not per request.

    The API answers its own 503 in its JSON shape (repository/api/errors.py); both mark the
    response as logged. Django opens a fresh connection per request (and health-checks kept
    ones, deploy/settings.py), so the site recovers on its own once the database is back.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if outages.DATABASE.down and outages.database_reached():
            outages.DATABASE.recovered()
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not outages.database_unavailable(exception):
            return None
        return outages.already_logged(unavailable())
