"""API views. Reads: viewsets over `visible_to(...)`. Writes: one small view per operation,
input serializer → action → output serializer. Roles are checked by the querysets and actions;
scopes and sign-in by ScopeAndSignIn."""

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.datastructures import MultiValueDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import ReadOnlyModelViewSet

import licensing
from repository.access import require_admin
from repository.actions import contributions, people, upstream
from repository.actions.api_clients import register_api_client, revoke_api_client
from repository.actions.deposits import deposit_package
from repository.actions.forks import fork_version
from repository.actions.publishing import publish_version, withdraw_version
from repository.actions.remixes import Pick, collect_versions, remix_versions
from repository.api import serializers as s
from repository.api.authentication import ApiOAuth2Authentication
from repository.api.filters import ContributionQuery, Ordering, QueryFilter, search, subject_q
from repository.api.pagination import ApiCursorPagination
from repository.api.permissions import ScopeAndSignIn, require_scopes
from repository.api.schema import ApiSchema
from repository.api.throttling import ClientRateThrottle
from repository.credit.attribution import attribution_html, attribution_text, work_of
from repository.errors import PermissionRefused
from repository.models import (
    ApiClient,
    Contribution,
    ContributionFile,
    Derivation,
    Institution,
    Membership,
    Resource,
    Review,
    ValidationRun,
    Version,
    VersionFile,
)
from repository.storage import blobs
from repository.storage.downloads import stream_version_zip
from repository.trees.lineage import lineage_edges, relatives_by_distance


class BytesRenderer(BaseRenderer):
    """Lets clients ask for bytes; errors still leave as JSON."""

    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context=None):  # type: ignore[no-untyped-def]
        return json.dumps(data).encode() if data is not None else b""


class OctetStreamRenderer(BytesRenderer):
    media_type = "application/octet-stream"
    format = "bin"


class ZipRenderer(BytesRenderer):
    media_type = "application/zip"
    format = "zip"


class ApiMixin:
    """What every API view shares: who may call, at what rate, and how it is documented."""

    authentication_classes = [ApiOAuth2Authentication, SessionAuthentication]
    permission_classes = [ScopeAndSignIn]
    throttle_classes = [ClientRateThrottle]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]
    schema = ApiSchema()
    required_scopes = ["read"]
    write_scopes = ["admin"]

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        finally:
            close_uploads(request)


def close_uploads(request: Request) -> None:
    """Close uploaded temporary files now, whatever happened to the request.

    django-oauth-toolkit reads the body while authenticating, so a refused request may have
    parsed uploads too; not every WSGI server closes the response that would close them.
    """
    files = getattr(request, "_files", None)  # only what was parsed; never parse here
    if isinstance(files, MultiValueDict):
        for name in files:
            for upload in files.getlist(name):
                upload.close()


def visible_versions(request: Request) -> QuerySet[Version]:
    return Version.objects.visible_to(request.user).select_related("resource__institution")


def visible_version(request: Request, pk: int) -> Version:
    return get_object_or_404(visible_versions(request), pk=pk)


def member_institution(user: Any, slug: str | None, roles: list[str], field: str) -> Institution:
    """The institution named by `slug`, or the caller's only one with one of `roles`."""
    if slug:
        institution = Institution.objects.filter(slug=slug).first()
        if institution is None:
            raise exceptions.ValidationError({field: [f"No institution has the slug {slug!r}."]})
        return institution
    mine = list(Institution.objects.filter(memberships__user=user, memberships__role__in=roles)[:2])
    if len(mine) != 1:
        raise exceptions.ValidationError(
            {field: ["Name the institution: you belong to several, or to none that may do this."]}
        )
    return mine[0]


# Reads -----------------------------------------------------------------------------------


@extend_schema(tags=["institutions"])
class InstitutionViewSet(ApiMixin, ReadOnlyModelViewSet):
    """Institutions, public to all."""

    queryset = Institution.objects.all()
    serializer_class = s.InstitutionOut
    lookup_field = "slug"
    pagination_class = type("InstitutionPages", (ApiCursorPagination,), {"ordering": "slug"})


class MemberPagination(ApiCursorPagination):
    ordering = "id"


@extend_schema(tags=["institutions"], responses=s.MemberOut(many=True))
class MemberList(ApiMixin, APIView):
    """The members of an institution and their roles: for its members only."""

    sign_in = True

    def get(self, request: Request, slug: str) -> Response:
        institution = get_object_or_404(Institution, slug=slug)
        if not Membership.objects.filter(user=request.user, institution=institution).exists():
            raise PermissionRefused(f"Only members of {institution.name} may list its members.")
        members = institution.memberships.select_related("user")
        paginator = MemberPagination()
        page = paginator.paginate_queryset(members, request, view=self)
        data = s.MemberOut(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


@extend_schema(tags=["resources"])
class ResourceViewSet(ApiMixin, ReadOnlyModelViewSet):
    """Resources you may see: published ones, and your institution's or your own drafts.

    `q` searches title and summary (PostgreSQL full-text search; substring match on SQLite).
    """

    serializer_class = s.ResourceOut
    pagination_class = ApiCursorPagination
    filter_backends = [QueryFilter, Ordering]
    filters = ["q", "kind", "licence", "institution", "subject", "level"]
    # `id` is creation order, through the primary key's index; created_at has no index.
    ordering_fields = ["id", "title"]

    def get_queryset(self) -> QuerySet[Resource]:
        return Resource.objects.visible_to(self.request.user).select_related(
            "institution", "latest_published"
        )

    def filter_queryset_by(self, qs: QuerySet[Resource], query: dict[str, Any]) -> QuerySet:
        if "q" in query:
            qs = search(qs, query["q"])
        if "kind" in query:
            qs = qs.filter(kind=query["kind"])
        if "licence" in query:
            qs = qs.filter(latest_published__licence=query["licence"])
        if "institution" in query:
            qs = qs.filter(institution__slug=query["institution"])
        if "subject" in query:
            qs = qs.filter(subject_q("", query["subject"]))
        if "level" in query:
            qs = qs.filter(level=query["level"])
        return qs


@extend_schema(tags=["versions"])
class VersionViewSet(ApiMixin, ReadOnlyModelViewSet):
    """Versions you may see: public ones (published or withdrawn), and your institution's or your own."""

    pagination_class = ApiCursorPagination
    filter_backends = [QueryFilter, Ordering]
    filters = ["kind", "licence", "institution", "subject", "level", "state", "resource"]
    ordering_fields = ["id", "number"]

    def get_serializer_class(self) -> type:
        return s.VersionDetailOut if self.action == "retrieve" else s.VersionOut

    def get_queryset(self) -> QuerySet[Version]:
        return visible_versions(self.request)

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


@extend_schema(tags=["versions"], responses=s.FileOut(many=True))
class FileList(ApiMixin, APIView):
    """The version's file tree (the manifest is served apart, in the version itself)."""

    def get(self, request: Request, pk: int) -> Response:
        version = visible_version(request, pk)
        files = version.files.select_related("blob").order_by("path")
        return Response(s.FileOut(files, many=True, context={"request": request}).data)


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

    def get(self, request: Request, pk: int, path: str) -> HttpResponse:
        version = visible_version(request, pk)
        entry = get_object_or_404(
            VersionFile.objects.select_related("blob"), version=version, path=path
        )
        etag = f'"{entry.blob_id}"'
        if etag_matches(request, etag):
            response: HttpResponse = HttpResponseNotModified()
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
        response = StreamingHttpResponse(
            stream_version_zip(version), content_type="application/zip"
        )
        name = f"{version.resource.slug}-v{version.number}.zip"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = cache_control(version)
        return response


@extend_schema(tags=["versions"], responses=s.ValidationOut)
class ValidationStatus(ApiMixin, APIView):
    """Where validation stands, and the report of its latest run: the status URL to poll."""

    def get(self, request: Request, pk: int) -> Response:
        runs = ValidationRun.objects.prefetch_related("steps")
        version = get_object_or_404(
            visible_versions(request).prefetch_related(Prefetch("validation_runs", runs)), pk=pk
        )
        return Response(s.ValidationOut(version, context={"request": request}).data)


@extend_schema(tags=["versions"], responses=s.AttributionOut)
class Attribution(ApiMixin, APIView):
    """How to credit the version and its sources: text, HTML (with RDFa) and JSON-LD."""

    def get(self, request: Request, pk: int) -> Response:
        version = visible_version(request, pk)
        data = {
            "licence": licensing.get_license(version.licence),
            "text": attribution_text(version),
            "html": attribution_html(version),
            "jsonld": licensing.attribution_jsonld(work_of(version)),
        }
        return Response(s.AttributionOut(data).data)


@extend_schema(tags=["versions"], parameters=[s.LineageIn], responses=s.LineageOut)
class Lineage(ApiMixin, APIView):
    """Parents and children, and all ancestors and descendants up to `depth` steps away.

    Only versions you may see are listed; hidden ones are walked through, never shown.
    """

    def get(self, request: Request, pk: int) -> Response:
        query = s.LineageIn(data=request.query_params)
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
            "truncated": found.truncated,
        }
        return Response(s.LineageOut(data, context={"request": request}).data)


LINEAGE_ROWS = 500


def relatives(visible: QuerySet[Version], found: list[tuple[int, int]]) -> list[dict[str, Any]]:
    distance = dict(found)
    rows = visible.filter(pk__in=distance).in_bulk()
    return [{"distance": distance[pk], "version": rows[pk]} for pk in distance if pk in rows]


@extend_schema(tags=["licences"], responses=s.LicenceOut(many=True))
class LicenceList(ApiMixin, APIView):
    """The licence catalogue (Creative Commons and compatible licences)."""

    def get(self, request: Request) -> Response:
        return Response(s.LicenceOut(licensing.all_licenses(), many=True).data)


@extend_schema(tags=["licences"], responses=s.LicenceOut)
class LicenceDetail(ApiMixin, APIView):
    def get(self, request: Request, licence_id: str) -> Response:
        if not licensing.is_known(licence_id):
            raise exceptions.NotFound()
        return Response(s.LicenceOut(licensing.get_license(licence_id)).data)


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
    responses=s.AdaptationsOut,
)
class Adaptations(ApiMixin, APIView):
    """The licences a work adapted from all the `source` licences may carry, best first."""

    def get(self, request: Request) -> Response:
        query = s.AdaptationsIn(data={"source": request.query_params.getlist("source")})
        query.is_valid(raise_exception=True)
        sources = query.validated_data["source"]
        options = licensing.adaptation_options(sources)
        data = {
            "sources": sources,
            "recommended": options[0].license.id if options else None,
            "options": options,
            "explanation": "" if options else licensing.explain_refusal(sources),
        }
        return Response(s.AdaptationsOut(data).data)


def visible_contributions(request: Request) -> QuerySet[Contribution]:
    return Contribution.objects.visible_to(request.user).select_related(
        "resource__institution", "base", "author", "merged_version"
    )


def visible_contribution(request: Request, pk: int) -> Contribution:
    return get_object_or_404(visible_contributions(request), pk=pk)


def visible_resource(request: Request, pk: int) -> Resource:
    return get_object_or_404(
        Resource.objects.visible_to(request.user).select_related("institution"), pk=pk
    )


def contribution_detail(request: Request, pk: int) -> dict[str, Any]:
    contribution = get_object_or_404(
        visible_contributions(request).prefetch_related(
            Prefetch("files", ContributionFile.objects.select_related("blob")),
            Prefetch("reviews", Review.objects.select_related("author")),
        ),
        pk=pk,
    )
    return s.ContributionDetailOut(contribution, context={"request": request}).data


@extend_schema(tags=["contributions"])
class ContributionViewSet(ApiMixin, ReadOnlyModelViewSet):
    """Contributions you may see: your own, and those to your institutions' resources if you
    are staff there (the review queue). Filter by `resource` and `state`."""

    sign_in = True
    lookup_value_regex = "[0-9]+"
    pagination_class = ApiCursorPagination
    filter_backends = [QueryFilter]
    filters = ["resource", "state"]
    query_class = ContributionQuery

    def get_serializer_class(self) -> type:
        return s.ContributionDetailOut if self.action == "retrieve" else s.ContributionOut

    def get_queryset(self) -> QuerySet[Contribution]:
        return visible_contributions(self.request)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(contribution_detail(request, kwargs["pk"]))

    def filter_queryset_by(self, qs: QuerySet[Contribution], query: dict[str, Any]) -> QuerySet:
        lookups = {"resource": "resource_id", "state": "state"}
        return qs.filter(
            **{lookups[name]: value for name, value in query.items() if name in lookups}
        )


@extend_schema(tags=["contributions"], responses=s.ContributionOut(many=True))
class ResourceContributions(ApiMixin, APIView):
    """The resource's contributions you may see: yours, or all of them if you are its staff."""

    sign_in = True

    def get(self, request: Request, pk: int) -> Response:
        resource = visible_resource(request, pk)
        found = visible_contributions(request).filter(resource=resource)
        paginator = ApiCursorPagination()
        page = paginator.paginate_queryset(found, request, view=self)
        data = s.ContributionOut(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


@extend_schema(tags=["resources"], responses=s.UpstreamOut)
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
            "pulls_url": s.api_url({"request": request}, "resource-upstream-pulls", resource.pk),
        }
        return Response(s.UpstreamOut(data, context={"request": request}).data)


# Writes ----------------------------------------------------------------------------------


def accepted(request: Request, version: Version, code: int) -> Response:
    data = s.AcceptedOut(
        {
            "version": version,
            "status_url": s.api_url({"request": request}, "version-validation", version.pk),
        },
        context={"request": request},
    ).data
    return Response(data, status=code, headers={"Location": data["status_url"]})


@extend_schema(tags=["deposits"], request=s.DepositIn, responses={202: s.AcceptedOut})
class Deposit(ApiMixin, APIView):
    """Deposit a zip package: checked and stored at once, validated in the background.

    Answers 202 with the new version and its status URL (also in Location) to poll.
    """

    write_scopes = ["deposit"]
    parser_classes = [MultiPartParser]

    def post(self, request: Request) -> Response:
        form = s.DepositIn(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        institution = member_institution(
            request.user,
            data.get("institution"),
            [Membership.Role.ADMIN, Membership.Role.STAFF],
            "institution",
        )
        resource = None
        if "resource" in data:
            resource = Resource.objects.visible_to(request.user).filter(pk=data["resource"]).first()
            if resource is None:
                raise exceptions.ValidationError({"resource": ["No such resource visible to you."]})
        with uploaded_path(data["package"]) as package:
            version = deposit_package(
                package=package,
                institution=institution,
                by=request.user,
                resource=resource,
                changelog=data.get("changelog", ""),
                publish_on_pass=data["publish_on_pass"],
            )
        return accepted(request, version, status.HTTP_202_ACCEPTED)


@contextmanager
def uploaded_path(upload: Any) -> Iterator[Path]:
    """The upload's path on disk (TemporaryFileUploadHandler), or a copy when it was in memory."""
    if hasattr(upload, "temporary_file_path"):
        yield Path(upload.temporary_file_path())
        return
    with tempfile.NamedTemporaryFile(suffix=".zip") as copy:
        shutil.copyfileobj(upload, copy)
        copy.flush()
        yield Path(copy.name)


@extend_schema(
    tags=["versions"],
    request=s.ForkIn,
    responses={201: s.AcceptedOut, 409: s.ErrorOut},
)
class Forks(ApiMixin, APIView):
    """Fork a version into one of your institutions: a new resource, no bytes copied.

    The licence must be one the source allows (see /licences/adaptations/); 409 otherwise.
    """

    write_scopes = ["deposit"]
    parser_classes = [JSONParser, FormParser]

    def post(self, request: Request, pk: int) -> Response:
        form = s.ForkIn(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        source = visible_version(request, pk)
        into = member_institution(
            request.user, data.get("institution"), list(Membership.Role), "institution"
        )
        fork = fork_version(
            source, into=into, by=request.user, licence=data.get("licence"), title=data.get("title")
        )
        return accepted(request, fork, status.HTTP_201_CREATED)


@extend_schema(
    tags=["versions"], request=None, responses={200: s.VersionDetailOut, 409: s.ErrorOut}
)
class Publication(ApiMixin, APIView):
    """POST publishes a version that passed validation; DELETE withdraws a published one.

    Staff and admins of the version's institution only.
    """

    write_scopes = ["review"]

    def post(self, request: Request, pk: int) -> Response:
        version = publish_version(visible_version(request, pk), by=request.user)
        return Response(s.VersionDetailOut(version, context={"request": request}).data)

    def delete(self, request: Request, pk: int) -> Response:
        version = withdraw_version(visible_version(request, pk), by=request.user)
        return Response(s.VersionDetailOut(version, context={"request": request}).data)


def picked_versions(request: Request, ids: list[int], field: str) -> dict[int, Version]:
    """The versions named by `ids`, all of which the caller must be able to see."""
    found = visible_versions(request).in_bulk(set(ids))
    missing = sorted(set(ids) - set(found))
    if missing:
        raise exceptions.ValidationError(
            {field: [f"No version visible to you has the id {', '.join(map(str, missing))}."]}
        )
    return found


@extend_schema(
    tags=["remixes"],
    request=s.RemixIn,
    responses={201: s.AcceptedOut, 409: s.ErrorOut},
)
class Remixes(ApiMixin, APIView):
    """Remix files of several versions into a new resource in one of your institutions.

    No bytes are copied; an ATTRIBUTION.txt credits every source. The licence must be one all
    the sources allow (see /licences/adaptations/); 409 licence_conflict names the sources.
    """

    write_scopes = ["deposit"]
    parser_classes = [JSONParser]

    def post(self, request: Request) -> Response:
        form = s.RemixIn(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        sources = picked_versions(request, [p["source"] for p in data["picks"]], "picks")
        into = member_institution(
            request.user, data.get("institution"), list(Membership.Role), "institution"
        )
        remix = remix_versions(
            picks=[Pick(sources[p["source"]], p["path"], p["to"]) for p in data["picks"]],
            into=into,
            by=request.user,
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
    request=s.CollectionIn,
    responses={201: s.AcceptedOut, 409: s.ErrorOut},
)
class Collections(ApiMixin, APIView):
    """Put versions side by side, unmodified, each keeping its own licence, in a new resource.

    409 licence_conflict when the collection's licence cannot carry the works.
    """

    write_scopes = ["deposit"]
    parser_classes = [JSONParser]

    def post(self, request: Request) -> Response:
        form = s.CollectionIn(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        sources = picked_versions(request, data["sources"], "sources")
        into = member_institution(
            request.user, data.get("institution"), list(Membership.Role), "institution"
        )
        collection = collect_versions(
            sources=[sources[pk] for pk in data["sources"]],
            into=into,
            by=request.user,
            title=data["title"],
            licence=data.get("licence"),
            description=data.get("description", ""),
        )
        return accepted(request, collection, status.HTTP_201_CREATED)


@contextmanager
def proposal_from(request: Request) -> Iterator[dict[str, Any]]:
    """A proposal's description and tree from the request: a package (multipart) or edits (JSON)."""
    if request.content_type.startswith("multipart/"):
        form: Any = s.ContributionPackageIn(data=request.data)
        form.is_valid(raise_exception=True)
        with uploaded_path(form.validated_data["package"]) as package:
            yield {"description": form.validated_data["description"], "package": package}
        return
    form = s.ContributionEditsIn(data=request.data)
    form.is_valid(raise_exception=True)
    edits = form.validated_data["edits"]
    yield {
        "description": form.validated_data["description"],
        "edits": {p: None if t is None else t.encode() for p, t in edits.items()},
    }


def contribution_created(request: Request, contribution: Contribution) -> Response:
    data = contribution_detail(request, contribution.pk)
    return Response(data, status=status.HTTP_201_CREATED, headers={"Location": data["url"]})


@extend_schema(
    tags=["contributions"],
    request={
        "multipart/form-data": s.ContributionPackageIn,
        "application/json": s.ContributionEditsIn,
    },
    responses={201: s.ContributionDetailOut},
)
class ProposeContribution(ApiMixin, APIView):
    """Propose a change to the version's resource: a whole package (multipart), or edits of
    the version's files (JSON). Checked at once; the verdict is in `check_state`.

    403 when the resource's contribution policy leaves you out: fork it instead.
    """

    write_scopes = ["contribute"]
    parser_classes = [MultiPartParser, JSONParser]

    def post(self, request: Request, pk: int) -> Response:
        base = visible_version(request, pk)
        with proposal_from(request) as proposal:
            contribution = contributions.propose_contribution(
                base=base, by=request.user, **proposal
            )
        return contribution_created(request, contribution)


@extend_schema(
    tags=["contributions"],
    request={
        "multipart/form-data": s.ContributionPackageIn,
        "application/json": s.ContributionEditsIn,
    },
    responses={201: s.ContributionDetailOut},
)
class ReviseContribution(ApiMixin, APIView):
    """Replace your proposal's tree (a whole package, or edits of the proposed files), e.g.
    after changes were requested; `description` becomes the revision's note. The proposal is
    open and checked again, and an earlier approval no longer holds. Its author only.
    """

    write_scopes = ["contribute"]
    parser_classes = [MultiPartParser, JSONParser]

    def post(self, request: Request, pk: int) -> Response:
        contribution = visible_contribution(request, pk)
        with proposal_from(request) as proposal:
            note = proposal.pop("description")
            contributions.revise_contribution(contribution, by=request.user, note=note, **proposal)
        return contribution_created(request, contribution)


REVIEW_ACTIONS = {
    Review.Kind.COMMENT: contributions.comment_on_contribution,
    Review.Kind.CHANGES_REQUESTED: contributions.request_changes,
    Review.Kind.APPROVED: contributions.approve_contribution,
    Review.Kind.REJECTED: contributions.reject_contribution,
}


@extend_schema(tags=["contributions"], request=s.ReviewIn, responses={201: s.NewReviewOut})
class ContributionReviews(ApiMixin, APIView):
    """Comment on a contribution (its author or the resource's staff), or give a reviewer's
    verdict: changes_requested, approved (once its checks passed) or rejected (staff only).

    Comments need the `contribute` or `review` scope; verdicts need `review`.
    """

    write_scopes = ["review"]
    other_write_scopes = [["contribute"]]
    parser_classes = [JSONParser, FormParser]

    def post(self, request: Request, pk: int) -> Response:
        form = s.ReviewIn(data=request.data)
        form.is_valid(raise_exception=True)
        kind = form.validated_data["kind"]
        if kind != Review.Kind.COMMENT:
            require_scopes(request, ["review"])
        contribution = visible_contribution(request, pk)
        review = REVIEW_ACTIONS[kind](
            contribution, by=request.user, body=form.validated_data["body"]
        )
        contribution.refresh_from_db(fields=["state", "updated_at"])
        review.contribution = contribution
        out = s.NewReviewOut(review, context={"request": request}).data
        return Response(out, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["contributions"],
    request=s.MergeIn,
    responses={201: s.AcceptedOut, 409: s.ErrorOut},
)
class MergeContribution(ApiMixin, APIView):
    """Merge an approved contribution into a new version of its resource (staff only).

    When the resource moved on and both sides changed a path, 409 merge_conflict lists the
    paths in `conflicts`; send a resolution for each and merge again.
    """

    write_scopes = ["review"]
    parser_classes = [JSONParser]

    def post(self, request: Request, pk: int) -> Response:
        form = s.MergeIn(data=request.data)
        form.is_valid(raise_exception=True)
        version = contributions.merge_contribution(
            visible_contribution(request, pk),
            by=request.user,
            resolutions=s.resolutions_of(form.validated_data["resolutions"]),
        )
        return accepted(request, version, status.HTTP_201_CREATED)


@extend_schema(
    tags=["resources"],
    request=s.PullIn,
    responses={201: s.AcceptedOut, 409: s.ErrorOut},
)
class UpstreamPulls(ApiMixin, APIView):
    """Pull a newer source version into a fork or remix: a new version, validated as usual.

    Staff of the resource's institution or the person who made it only. 409 merge_conflict
    lists the paths both sides changed; send `resolutions` for them and pull again.
    """

    write_scopes = ["deposit"]
    parser_classes = [JSONParser]

    def post(self, request: Request, pk: int) -> Response:
        form = s.PullIn(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        resource = visible_resource(request, pk)
        source = picked_versions(request, [data["source"]], "source")[data["source"]]
        version = upstream.pull_upstream(
            resource=resource,
            source=source,
            by=request.user,
            resolutions=s.resolutions_of(data["resolutions"]),
        )
        return accepted(request, version, status.HTTP_201_CREATED)


@extend_schema(tags=["institutions"], request=s.InvitationIn, responses={201: s.InvitationOut})
class Invitations(ApiMixin, APIView):
    """Invite someone by e-mail to join the institution with a role.

    Staff may invite students; only admins may invite staff or admins.
    """

    write_scopes = ["admin"]
    sign_in = True
    parser_classes = [JSONParser, FormParser]

    def post(self, request: Request, slug: str) -> Response:
        form = s.InvitationIn(data=request.data)
        form.is_valid(raise_exception=True)
        invitation = people.invite(
            institution=get_object_or_404(Institution, slug=slug),
            email=form.validated_data["email"],
            role=form.validated_data["role"],
            by=request.user,
            site_url=settings.SITE_URL,
        )
        out = s.InvitationOut(invitation, context={"request": request}).data
        return Response(out, status=status.HTTP_201_CREATED)


@extend_schema(tags=["institutions"])
class ApiClients(ApiMixin, APIView):
    """The institution's API clients (client-credentials applications): admins only."""

    required_scopes = ["admin"]
    write_scopes = ["admin"]
    sign_in = True
    parser_classes = [JSONParser, FormParser]

    @extend_schema(responses=s.ApiClientOut(many=True))
    def get(self, request: Request, slug: str) -> Response:
        institution = get_object_or_404(Institution, slug=slug)
        require_admin(request.user, institution, "list API clients")
        clients = institution.api_clients.select_related("application", "institution")
        return Response(s.ApiClientOut(clients, many=True).data)

    @extend_schema(request=s.ApiClientIn, responses={201: s.NewApiClientOut})
    def post(self, request: Request, slug: str) -> Response:
        form = s.ApiClientIn(data=request.data)
        form.is_valid(raise_exception=True)
        institution = get_object_or_404(Institution, slug=slug)
        client, secret = register_api_client(
            institution=institution, name=form.validated_data["name"], by=request.user
        )
        out = s.NewApiClientOut(client, context={"client_secret": secret})
        return Response(out.data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["institutions"], request=None, responses={204: None})
class ApiClientDetail(ApiMixin, APIView):
    """Revoke an API client: its application and every token it holds stop working at once."""

    required_scopes = ["admin"]
    write_scopes = ["admin"]
    sign_in = True

    def delete(self, request: Request, slug: str, client_id: str) -> Response:
        client = get_object_or_404(
            ApiClient.objects.select_related("institution", "application", "service_user"),
            institution__slug=slug,
            application__client_id=client_id,
        )
        revoke_api_client(client, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(exclude=True)
class NotFound(ApiMixin, APIView):
    """Any other URL under /api/v1/: a 404 in the API's error shape, not an HTML page."""

    permission_classes: list[type] = []

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        raise exceptions.NotFound()
