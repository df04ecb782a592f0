"""Licence endpoints: the catalogue, one licence, and the licences a derived work may take."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

import licensing
from repository.api.serializers.licences import (
    AdaptationsIn,
    AdaptationsOut,
    LicenceOut,
    PartAdaptationsIn,
    PartAdaptationsOut,
)
from repository.api.views.common import ApiMixin, picked_versions
from repository.credit.choices import LicenceChoices, licence_choices, part_choices


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


def choices_data(sources: list[str], choices: LicenceChoices) -> dict[str, object]:
    """Every allowed licence best first (each with its note), and the refused ones by reason."""
    return {
        "recommended": choices.recommended.license.id if choices.recommended else None,
        "options": licensing.adaptation_options(sources),
        "refused": [
            {"licences": [lic.id for lic in group], "reason": reason}
            for reason, group in choices.refused
        ],
    }


@extend_schema(
    tags=["licences"],
    parameters=[
        OpenApiParameter(
            "version",
            {"type": "integer", "minimum": 1},
            many=True,
            required=True,
            description="Id of each source version (one for a fork, several for a remix).",
        )
    ],
    responses=PartAdaptationsOut,
)
class PartAdaptations(ApiMixin, APIView):
    """The licences an adaptation of these versions may carry, as a whole and by part.

    Code is weighed with code and content with content; third-party components keep their own
    terms. Each licence not offered is explained, grouped by reason. Fork with `part_licences`
    to license your changes to each part (POST /versions/{id}/forks/).
    """

    def get(self, request: Request) -> Response:
        query = PartAdaptationsIn(data={"version": request.query_params.getlist("version")})
        query.is_valid(raise_exception=True)
        ids = list(dict.fromkeys(query.validated_data["version"]))
        found = picked_versions(request, ids, "version")
        versions = [found[pk] for pk in ids]
        by_part = part_choices([v.licence_parts for v in versions])
        wholes = [v.licence for v in versions]
        data = {
            "versions": ids,
            "whole": choices_data(wholes, licence_choices(wholes)),
            "is_mixed": by_part.is_mixed,
            "parts": [
                {"part": p.part, "sources": p.sources, **choices_data(p.sources, p.choices)}
                for p in by_part.parts
            ],
            "components": [{"name": n, "licence": lic} for n, lic in by_part.components],
        }
        return Response(PartAdaptationsOut(data).data)
