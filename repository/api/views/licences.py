"""Licence endpoints: the catalogue, one licence, and the licences a derived work may take."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

import licensing
from repository.api.serializers.licences import AdaptationsIn, AdaptationsOut, LicenceOut
from repository.api.views.common import ApiMixin


@extend_schema(tags=["licences"], responses=LicenceOut(many=True))
class LicenceList(ApiMixin, APIView):
    """The licence catalogue (Creative Commons and compatible licences)."""

    def get(self, request: Request) -> Response:
        return Response(LicenceOut(licensing.all_licenses(), many=True).data)


@extend_schema(tags=["licences"], responses=LicenceOut)
class LicenceDetail(ApiMixin, APIView):
    def get(self, request: Request, licence_id: str) -> Response:
        if not licensing.is_known(licence_id):
            raise exceptions.NotFound()
        return Response(LicenceOut(licensing.get_license(licence_id)).data)


@extend_schema(
    tags=["licences"],
    parameters=[
        OpenApiParameter(
            "source",
            {"type": "string", "minLength": 1, "maxLength": 80},
            many=True,
            required=True,
            description="SPDX id of each source.",
        )
    ],
    responses=AdaptationsOut,
)
class Adaptations(ApiMixin, APIView):
    """The licences a work adapted from all the `source` licences may carry, best first."""

    def get(self, request: Request) -> Response:
        query = AdaptationsIn(data={"source": request.query_params.getlist("source")})
        query.is_valid(raise_exception=True)
        sources = query.validated_data["source"]
        options = licensing.adaptation_options(sources)
        data = {
            "sources": sources,
            "recommended": options[0].license.id if options else None,
            "options": options,
            "explanation": "" if options else licensing.explain_refusal(sources),
        }
        return Response(AdaptationsOut(data).data)
