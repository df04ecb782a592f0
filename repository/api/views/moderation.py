"""POST a report of a public version, signed in or not (the API's "Report this")."""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from repository.actions.moderation import report_version, source_key
from repository.api.serializers.common import ErrorOut
from repository.api.serializers.moderation import ReportIn, ReportOut
from repository.api.views.common import ApiMixin, visible_version


@extend_schema(
    tags=["versions"],
    request=ReportIn,
    responses={201: ReportOut, 400: ErrorOut, 410: ErrorOut, 429: ErrorOut},
)
class Reports(ApiMixin, APIView):
    """Report a public version to the site's admins: `category` and `details`; no account needed.

    Nothing about the caller is kept (a day-salted hash of the address only throttles).
    """

    write_scopes = ["read"]
    anonymous_writes = True

    def post(self, request: Request, pk: int) -> Response:
        data = ReportIn(data=request.data)
        data.is_valid(raise_exception=True)
        report = report_version(
            visible_version(request, pk),
            category=data.validated_data.get("category", ""),
            details=data.validated_data.get("details", ""),
            # DRF's view of the caller's address (honouring NUM_PROXIES), as its throttles use.
            source=source_key(str(BaseThrottle().get_ident(request))),
        )
        return Response(ReportOut(report).data, status=201)
