"""What every API view shares: the mixin, the visible-object lookups, upload handling, the 404."""

import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.datastructures import MultiValueDict
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.schemas.inspectors import ViewInspector
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from repository.access import refuse_if_taken_down
from repository.api.authentication import ApiOAuth2Authentication
from repository.api.permissions import ScopeAndSignIn
from repository.api.schema import ApiSchema
from repository.api.serializers.common import api_url
from repository.api.serializers.versions import AcceptedOut
from repository.api.throttling import ClientRateThrottle
from repository.models import Institution, Resource, Version

if TYPE_CHECKING:
    from rest_framework.permissions import _PermissionClass  # what APIView's stub names it


class ApiMixin:
    """What every API view shares: who may call, at what rate, and how it is documented."""

    # Typed as APIView declares them, so the mixin's values fit every view class it mixes into.
    authentication_classes: Sequence[type[BaseAuthentication]] = [
        ApiOAuth2Authentication,
        SessionAuthentication,
    ]
    permission_classes: Sequence["_PermissionClass"] = [ScopeAndSignIn]
    throttle_classes: Sequence[type[BaseThrottle]] = [ClientRateThrottle]
    renderer_classes: Sequence[type[BaseRenderer]] = [JSONRenderer, BrowsableAPIRenderer]
    schema: ViewInspector | None = ApiSchema()
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


def signed_in(request: Request) -> User:
    """The caller of a write, whom ScopeAndSignIn has already required to be signed in."""
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user


def visible_versions(request: Request) -> QuerySet[Version]:
    return Version.objects.visible_to(request.user).select_related("resource__institution")


def visible_version(request: Request, pk: int) -> Version:
    """The version `pk` if the caller may see it; TakenDown (410) or 404 if not."""
    found = visible_versions(request).filter(pk=pk).first()
    if found is None:
        refuse_if_taken_down(Version.objects.filter(pk=pk))
        raise Http404
    return found


def member_institution(
    user: Any, slug: str | None, roles: Iterable[str], field: str
) -> Institution:
    """The institution named by `slug`, or the caller's only one with one of `roles`."""
    if slug:
        institution = Institution.objects.filter(slug=slug).first()
        if institution is None:
            raise exceptions.ValidationError({field: [f"No institution has the slug {slug!r}."]})
        return institution
    mine = list(Institution.objects.where(user, roles=roles)[:2])
    if len(mine) != 1:
        raise exceptions.ValidationError(
            {field: ["Name the institution: you belong to several, or to none that may do this."]}
        )
    return mine[0]


def visible_resource(request: Request, pk: int) -> Resource:
    return get_object_or_404(
        Resource.objects.visible_to(request.user).select_related("institution"), pk=pk
    )


def accepted(request: Request, version: Version, code: int) -> Response:
    data = AcceptedOut(
        {
            "version": version,
            "status_url": api_url({"request": request}, "version-validation", version.pk),
        },
        context={"request": request},
    ).data
    return Response(data, status=code, headers={"Location": data["status_url"]})


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


def picked_versions(request: Request, ids: list[int], field: str) -> dict[int, Version]:
    """The versions named by `ids`, all of which the caller must be able to see."""
    found = visible_versions(request).in_bulk(set(ids))
    missing = sorted(set(ids) - set(found))
    if missing:
        raise exceptions.ValidationError(
            {field: [f"No version visible to you has the id {', '.join(map(str, missing))}."]}
        )
    return found


@extend_schema(exclude=True)
class NotFound(ApiMixin, APIView):
    """Any other URL under /api/v1/: a 404 in the API's error shape, not an HTML page."""

    permission_classes: list[type] = []

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        raise exceptions.NotFound()
