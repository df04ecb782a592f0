"""Fork, remix and collection endpoints: new works made from visible versions."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from repository.actions.forks import fork_version
from repository.actions.remixes import Pick, collect_versions, remix_versions
from repository.actions.usage import Use, record_use
from repository.api.serializers.common import ErrorOut
from repository.api.serializers.remixes import CollectionIn, ForkIn, RemixIn
from repository.api.serializers.versions import AcceptedOut
from repository.api.views.common import (
    ApiMixin,
    accepted,
    member_institution,
    picked_versions,
    signed_in,
    visible_version,
)
from repository.models import Membership


@extend_schema(
    tags=["versions"],
    request=ForkIn,
    responses={201: AcceptedOut, 409: ErrorOut},
)
class Forks(ApiMixin, APIView):
    """Fork a version into one of your institutions: a new resource, no bytes copied.

    The licence must be one the source allows (see /licences/adaptations/); 409 otherwise.
    """

    write_scopes = ["deposit"]
    parser_classes = [JSONParser, FormParser]

    def post(self, request: Request, pk: int) -> Response:
        form = ForkIn(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        source = visible_version(request, pk)
        into = member_institution(
            request.user, data.get("institution"), list(Membership.Role), "institution"
        )
        fork = fork_version(
            source,
            into=into,
            by=signed_in(request),
            licence=data.get("licence"),
            title=data.get("title"),
            part_licences=data.get("part_licences"),
        )
        record_use(request._request, source, Use.FORK)
        return accepted(request, fork, status.HTTP_201_CREATED)


@extend_schema(
    tags=["remixes"],
    request=RemixIn,
    responses={201: AcceptedOut, 409: ErrorOut},
)
class Remixes(ApiMixin, APIView):
    """Remix files of several versions into a new resource in one of your institutions.

    No bytes are copied; an ATTRIBUTION.txt credits every source. The licence must be one all
    the sources allow (see /licences/adaptations/); 409 licence_conflict names the sources.
    """

    write_scopes = ["deposit"]
    parser_classes = [JSONParser]

    def post(self, request: Request) -> Response:
        form = RemixIn(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        sources = picked_versions(request, [p["source"] for p in data["picks"]], "picks")
        into = member_institution(
            request.user, data.get("institution"), list(Membership.Role), "institution"
        )
        remix = remix_versions(
            picks=[Pick(sources[p["source"]], p["path"], p["to"]) for p in data["picks"]],
            into=into,
            by=signed_in(request),
            title=data["title"],
            entry_point=data["entry_point"],
            files={path: text.encode() for path, text in data["files"].items()},
            licence=data.get("licence"),
            kind=data.get("kind"),
            description=data.get("description", ""),
        )
        return accepted(request, remix, status.HTTP_201_CREATED)


@extend_schema(
    tags=["remixes"],
    request=CollectionIn,
    responses={201: AcceptedOut, 409: ErrorOut},
)
class Collections(ApiMixin, APIView):
    """Put versions side by side, unmodified, each keeping its own licence, in a new resource.

    409 licence_conflict when the collection's licence cannot carry the works.
    """

    write_scopes = ["deposit"]
    parser_classes = [JSONParser]

    def post(self, request: Request) -> Response:
        form = CollectionIn(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        sources = picked_versions(request, data["sources"], "sources")
        into = member_institution(
            request.user, data.get("institution"), list(Membership.Role), "institution"
        )
        collection = collect_versions(
            sources=[sources[pk] for pk in data["sources"]],
            into=into,
            by=signed_in(request),
            title=data["title"],
            licence=data.get("licence"),
            description=data.get("description", ""),
        )
        return accepted(request, collection, status.HTTP_201_CREATED)
