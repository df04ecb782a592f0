"""Upstream endpoints: what a source changed since a derived work took it, and pulling it."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from repository.actions import upstream
from repository.api.serializers.common import ErrorOut, api_url
from repository.api.serializers.contributions import resolutions_of
from repository.api.serializers.upstream import PullIn, UpstreamOut
from repository.api.serializers.versions import AcceptedOut
from repository.api.views.common import (
    ApiMixin,
    accepted,
    picked_versions,
    signed_in,
    visible_resource,
)
from repository.models import Version


@extend_schema(tags=["resources"], responses=UpstreamOut)
class Upstream(ApiMixin, APIView):
    """Sources of a fork or remix that published a newer version since it was derived.

    Pull one with POST to `pulls_url`.
    """

    def get(self, request: Request, pk: int) -> Response:
        resource = visible_resource(request, pk)
        updates = upstream.upstream_updates(resource)
        seen = set(
            Version.objects.visible_to(request.user)
            .filter(pk__in=[u.base.pk for u in updates])
            .values_list("pk", flat=True)
        )
        data = {
            "resource": resource,
            "can_pull": upstream.can_pull(request.user, resource),
            "updates": [
                {"edge": u.edge, "base": u.base if u.base.pk in seen else None, "source": u.source}
                for u in updates
            ],
            "pulls_url": api_url({"request": request}, "resource-upstream-pulls", resource.pk),
        }
        return Response(UpstreamOut(data, context={"request": request}).data)


@extend_schema(
    tags=["resources"],
    request=PullIn,
    responses={201: AcceptedOut, 409: ErrorOut},
)
class UpstreamPulls(ApiMixin, APIView):
    """Pull a newer source version into a fork or remix: a new version, validated as usual.

    Staff of the resource's institution or the person who made it only. 409 merge_conflict
    lists the paths both sides changed; send `resolutions` for them and pull again.
    """

    write_scopes = ["deposit"]
    parser_classes = [JSONParser]

    def post(self, request: Request, pk: int) -> Response:
        form = PullIn(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        resource = visible_resource(request, pk)
        source = picked_versions(request, [data["source"]], "source")[data["source"]]
        version = upstream.pull_upstream(
            resource=resource,
            source=source,
            by=signed_in(request),
            resolutions=resolutions_of(data["resolutions"]),
        )
        return accepted(request, version, status.HTTP_201_CREATED)
