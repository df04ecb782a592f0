"""Deposit endpoint: a package upload becomes a new version, validated asynchronously."""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from repository.actions.deposits import deposit_package
from repository.api.serializers.deposits import DepositIn
from repository.api.serializers.versions import AcceptedOut
from repository.api.views.common import (
    ApiMixin,
    accepted,
    member_institution,
    signed_in,
    uploaded_path,
)
from repository.models import Resource
from repository.models.institutions import STAFF_ROLES


@extend_schema(tags=["deposits"], request=DepositIn, responses={202: AcceptedOut})
class Deposit(ApiMixin, APIView):
    """Deposit a zip package: checked and stored at once, validated in the background.

    Answers 202 with the new version and its status URL (also in Location) to poll. Staff
    deposit in their institution; anyone else only new versions of a draft they own (a fork
    they made, not yet published), which staff publish: publish_on_pass is ignored for them.
    """

    write_scopes = ["deposit"]
    parser_classes = [MultiPartParser]

    def post(self, request: Request) -> Response:
        form = DepositIn(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        resource = None
        if "resource" in data:
            resource = Resource.objects.visible_to(request.user).filter(pk=data["resource"]).first()
            if resource is None:
                raise exceptions.ValidationError({"resource": ["No such resource visible to you."]})
        if resource is not None and not data.get("institution"):
            # A new version goes to its resource's institution (a student's draft included).
            institution = resource.institution
        else:
            institution = member_institution(
                request.user, data.get("institution"), STAFF_ROLES, "institution"
            )
        with uploaded_path(data["package"]) as package:
            version = deposit_package(
                package=package,
                institution=institution,
                by=signed_in(request),
                resource=resource,
                changelog=data.get("changelog", ""),
                publish_on_pass=data["publish_on_pass"],
            )
        return accepted(request, version, status.HTTP_202_ACCEPTED)
