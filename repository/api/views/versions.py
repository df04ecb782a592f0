"""Version endpoints: versions, their files, zip, validation, attribution, lineage and publication."""

import json
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponseNotModified, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import ReadOnlyModelViewSet

import licensing
from repository.access import served_files
from repository.actions.publishing import publish_version, withdraw_version
from repository.actions.usage import Use, record_use
from repository.actions.validation import rerun_validation
from repository.api.filters import Ordering, QueryFilter, subject_q
from repository.api.pagination import ApiCursorPagination
from repository.api.serializers.common import ErrorOut
from repository.api.serializers.versions import (
    AcceptedOut,
    AttributionOut,
    FileOut,
    LineageIn,
    LineageOut,
    ValidationOut,
    VersionDetailOut,
    VersionOut,
    WithdrawalIn,
)
from repository.api.views.common import (
    ApiMixin,
    accepted,
    signed_in,
    visible_version,
    visible_versions,
)
from repository.credit.attribution import work_of
from repository.models import CollectionItem, Derivation, ValidationRun, Version
from repository.storage import blobs
from repository.storage.downloads import stream_version_zip
from repository.trees.lineage import lineage_edges, relatives_by_distance


class BytesRenderer(BaseRenderer):
    """Lets clients ask for bytes; errors still leave as JSON."""

    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context=None):
        return json.dumps(data).encode() if data is not None else b""


class OctetStreamRenderer(BytesRenderer):
    media_type = "application/octet-stream"
    format = "bin"


class ZipRenderer(BytesRenderer):
    media_type = "application/zip"
    format = "zip"


@extend_schema(tags=["versions"])
class VersionViewSet(ApiMixin, ReadOnlyModelViewSet):
    """Versions you may see: public ones (published or withdrawn), and your institution's or your own."""

    pagination_class = ApiCursorPagination
    filter_backends = [QueryFilter, Ordering]
    filters = ["kind", "licence", "institution", "subject", "level", "state", "resource"]
    ordering_fields = ["id", "number"]
    # Ids are numbers: anything else (`null,null`) is no version, 404, not a failed int().
    lookup_value_regex = r"\d+"

    def get_serializer_class(self) -> type:
        return VersionDetailOut if self.action == "retrieve" else VersionOut

    def get_queryset(self) -> QuerySet[Version]:
        return visible_versions(self.request)

    def get_object(self) -> Version:
        # A taken-down version answers 410 with the reason rather than a bare 404.
        return visible_version(self.request, int(self.kwargs["pk"]))

    def filter_queryset_by(self, qs: QuerySet[Version], query: dict[str, Any]) -> QuerySet:
        lookups = {
            "kind": "resource__kind",
            "licence": "licence",
            "institution": "resource__institution__slug",
            "level": "resource__level",
            "state": "state",
            "resource": "resource_id",
        }
        qs = qs.filter(**{lookups[name]: value for name, value in query.items() if name in lookups})
        if "subject" in query:
            qs = qs.filter(subject_q("resource__", query["subject"]))
        return qs


@extend_schema(tags=["versions"], responses=FileOut(many=True))
class FileList(ApiMixin, APIView):
    """The version's file tree (the manifest is served apart, in the version itself)."""

    def get(self, request: Request, pk: int) -> Response:
        version = visible_version(request, pk)
        files = served_files(request.user, version).select_related("blob").order_by("path")
        return Response(FileOut(files, many=True, context={"request": request}).data)


@extend_schema(
    tags=["versions"],
    responses={
        (200, "application/octet-stream"): OpenApiTypes.BINARY,
        304: OpenApiResponse(description="Unchanged since the ETag you sent."),
    },
)
class FileBytes(ApiMixin, APIView):
    """One file's bytes. Versions are immutable, so the ETag (the SHA-256) never goes stale."""

    renderer_classes = [JSONRenderer, OctetStreamRenderer]

    def get(self, request: Request, pk: int, path: str) -> HttpResponseBase:
        version = visible_version(request, pk)
        entry = get_object_or_404(
            served_files(request.user, version).select_related("blob"), path=path
        )
        etag = f'"{entry.blob_id}"'
        if etag_matches(request, etag):
            response: HttpResponseBase = HttpResponseNotModified()
        else:
            # An attachment and never rendered here, so deposited markup cannot run on this origin.
            response = StreamingHttpResponse(
                blobs.iter_blob(entry.blob_id), content_type="application/octet-stream"
            )
            response["Content-Length"] = str(entry.blob.size)
            response["Content-Disposition"] = f'attachment; filename="{download_name(path)}"'
        response["ETag"] = etag
        response["Cache-Control"] = cache_control(version)
        return response


def etag_matches(request: Request, etag: str) -> bool:
    sent = request.headers.get("If-None-Match", "")
    candidates = {tag.strip().removeprefix("W/") for tag in sent.split(",")}
    return etag in candidates or "*" in candidates


def cache_control(version: Version) -> str:
    # Public bytes may sit in shared caches for good; drafts only in the caller's own.
    return "public, max-age=31536000, immutable" if version.is_public else "private, max-age=0"


def download_name(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name) or "file"


@extend_schema(tags=["versions"], responses={(200, "application/zip"): OpenApiTypes.BINARY})
class Download(ApiMixin, APIView):
    """The version as a zip: its files, its manifest and an ATTRIBUTION file, streamed."""

    renderer_classes = [JSONRenderer, ZipRenderer]

    def get(self, request: Request, pk: int) -> StreamingHttpResponse:
        version = visible_version(request, pk)
        record_use(request._request, version, Use.DOWNLOAD)
        response = StreamingHttpResponse(
            stream_version_zip(version, files_of=served_files(request.user, version)),
            content_type="application/zip",
        )
        name = f"{version.resource.slug}-v{version.number}.zip"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = cache_control(version)
        return response


@extend_schema(tags=["versions"], responses=ValidationOut)
class ValidationStatus(ApiMixin, APIView):
    """Where validation stands, and the report of its latest run: the status URL to poll."""

    def get(self, request: Request, pk: int) -> Response:
        runs = ValidationRun.objects.prefetch_related("steps")
        version = get_object_or_404(
            visible_versions(request).prefetch_related(Prefetch("validation_runs", runs)), pk=pk
        )
        return Response(ValidationOut(version, context={"request": request}).data)


@extend_schema(tags=["versions"], request=None, responses={202: AcceptedOut, 409: ErrorOut})
class Validations(ApiMixin, APIView):
    """POST validates the version again as a new run (staff of its institution); earlier runs
    stay in its history (`runs` of the status URL). 409 while a run is still open."""

    write_scopes = ["deposit"]

    def post(self, request: Request, pk: int) -> Response:
        version = visible_version(request, pk)
        rerun_validation(version, by=signed_in(request))
        version.refresh_from_db()
        return accepted(request, version, status.HTTP_202_ACCEPTED)


def licence_fields(value: str) -> dict[str, Any]:
    """A licence as the API gives it: the one licence (None for an expression), the expression
    in current SPDX spelling, and each licence it names."""
    return {
        "licence": licensing.get_license(value) if licensing.is_known(value) else None,
        "expression": licensing.normalise(value),
        "licences": licensing.named_licenses(value),
    }


@extend_schema(tags=["versions"], responses=AttributionOut)
class Attribution(ApiMixin, APIView):
    """How to credit the version and its sources: text, HTML (with RDFa) and JSON-LD."""

    def get(self, request: Request, pk: int) -> Response:
        version = visible_version(request, pk)
        items = CollectionItem.objects.filter(collection=version).select_related(
            "item__resource__institution"
        )
        work = work_of(version)
        data = {
            **licence_fields(version.licence),
            "text": licensing.attribution_text(work),
            "html": licensing.attribution_html(work),
            "jsonld": licensing.attribution_jsonld(work),
            "is_collection": bool(items),
            "works": [
                {
                    "version": i.item,
                    "title": i.item.resource.title,
                    "authors": i.item.authors,
                    "institution": i.item.resource.institution.name,
                    **licence_fields(i.item.licence),
                    "folder": i.folder,
                }
                for i in items
            ],
        }
        return Response(AttributionOut(data, context={"request": request}).data)


@extend_schema(tags=["versions"], parameters=[LineageIn], responses=LineageOut)
class Lineage(ApiMixin, APIView):
    """Parents and children, and all ancestors and descendants up to `depth` steps away.

    Only versions you may see are listed; hidden ones are walked through, never shown.
    """

    def get(self, request: Request, pk: int) -> Response:
        query = LineageIn(data=request.query_params)
        query.is_valid(raise_exception=True)
        depth = query.validated_data["depth"]
        version = visible_version(request, pk)
        visible = Version.objects.visible_to(request.user)
        edges = Derivation.objects.select_related("parent", "child")
        found = lineage_edges(version, limit=LINEAGE_ROWS)
        up, down = relatives_by_distance(found, max_distance=depth)
        data = {
            "version": version,
            "parents": [
                {"kind": e.kind, "version": e.parent}
                for e in edges.filter(child=version, parent__in=visible)
            ],
            "children": [
                {"kind": e.kind, "version": e.child}
                for e in edges.filter(parent=version, child__in=visible)
            ],
            "ancestors": relatives(visible, up),
            "descendants": relatives(visible, down),
            "collects": [
                i.item for i in CollectionItem.objects.filter(collection=version, item__in=visible)
            ],
            "collected_in": [
                i.collection
                for i in CollectionItem.objects.filter(item=version, collection__in=visible)
            ],
            "truncated": found.truncated,
        }
        return Response(LineageOut(data, context={"request": request}).data)


LINEAGE_ROWS = 500


def relatives(visible: QuerySet[Version], found: list[tuple[int, int]]) -> list[dict[str, Any]]:
    distance = dict(found)
    rows = visible.filter(pk__in=distance).in_bulk()
    return [{"distance": distance[pk], "version": rows[pk]} for pk in distance if pk in rows]


@extend_schema(tags=["versions"], request=None, responses={200: VersionDetailOut, 409: ErrorOut})
class Publication(ApiMixin, APIView):
    """POST publishes a version that passed validation (or publishes a withdrawn one again);
    DELETE withdraws a published one, with a `reason` shown on its page.

    Staff and admins of the version's institution only.
    """

    write_scopes = ["review"]

    def post(self, request: Request, pk: int) -> Response:
        version = publish_version(visible_version(request, pk), by=signed_in(request))
        return Response(VersionDetailOut(version, context={"request": request}).data)

    @extend_schema(request=WithdrawalIn)
    def delete(self, request: Request, pk: int) -> Response:
        # The action checks the role before the reason, so a student hears "staff only".
        reason = request.data.get("reason", "") if hasattr(request.data, "get") else ""
        version = withdraw_version(
            visible_version(request, pk), by=signed_in(request), reason=str(reason)
        )
        return Response(VersionDetailOut(version, context={"request": request}).data)
