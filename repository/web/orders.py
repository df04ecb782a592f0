"""The fetch address of a work order whose files are too large to travel in the message."""

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.http import require_GET

from repository.actions.validation import order_files
from repository.errors import PermissionRefused


@require_GET
def order_files_view(request: HttpRequest, token: str) -> HttpResponse:
    """The zip of the tree an open order was signed for; 403 once the order is void or expired.

    No session or account: the signed token is the whole credential, and it names one order.
    """
    try:
        data = order_files(token)
    except PermissionRefused as exc:
        return HttpResponseForbidden(exc.message, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type="application/zip")
    response["Cache-Control"] = "no-store"
    return response
