"""Bulk import endpoint: several packages in one multipart POST, answered with the report."""

from contextlib import ExitStack

from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from repository.access import require_deposit
from repository.actions.imports import ImportReport, import_packages
from repository.api.views.common import ApiMixin, member_institution, signed_in, uploaded_path
from repository.models.institutions import STAFF_ROLES

ImportIn = inline_serializer(
    "ImportIn",
    {
        "packages": serializers.ListField(
            child=serializers.FileField(),
            help_text="The packages (tool zips, .h5p files, SCORM zips, .imscc cartridges), one file each.",
        ),
        "institution": serializers.SlugField(required=False),
    },
)


@extend_schema(tags=["deposits"], request=ImportIn, responses={200: dict})
class Import(ApiMixin, APIView):
    """Deposit several packages as new resources; answer with each one's outcome.

    Each is deposited as POST /deposits/ would (staff of the institution only); one refused
    package stores nothing and never stops the others; a package whose files and manifest are
    those of a version the institution already has is a duplicate, not deposited again.
    """

    write_scopes = ["deposit"]
    parser_classes = [MultiPartParser]

    def post(self, request: Request) -> Response:
        uploads = request.FILES.getlist("packages")
        if not uploads:
            raise exceptions.ValidationError(
                {"packages": ["Attach the packages as files in the field 'packages'."]}
            )
        institution = member_institution(
            request.user, request.POST.get("institution"), STAFF_ROLES, "institution"
        )
        # Refused once with 403 rather than once per package.
        require_deposit(signed_in(request), institution, None)
        with ExitStack() as stack:
            named = [(u.name, stack.enter_context(uploaded_path(u))) for u in uploads]
            report = import_packages(
                named, total=len(named), institution=institution, by=signed_in(request)
            )
        return Response(report_json(report), status=status.HTTP_200_OK)


def report_json(report: ImportReport) -> dict[str, object]:
    return {
        "summary": report.summary,
        "packages": [
            {
                "name": o.name,
                "status": o.status,
                "message": o.message,
                "version": o.version.pk if o.version else None,
                "version_url": (
                    f"{settings.SITE_URL}/api/v1/versions/{o.version.pk}/" if o.version else None
                ),
            }
            for o in report.outcomes
        ],
    }
