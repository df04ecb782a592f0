"""Lookups shared by pages: the version or resource a URL names, if visible; stored artefacts."""

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404

from repository.access import refuse_if_taken_down
from repository.models import Resource, Version
from repository.storage import blobs


def signed_in_user(request: HttpRequest) -> User:
    """The person behind a @login_required page (so never anonymous here)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def visible_version(request: HttpRequest, institution: str, resource: str, number: int) -> Version:
    """The version the URL names if `request.user` may see it; TakenDown (410) or 404 if not."""
    named = Version.objects.filter(
        resource__institution__slug=institution, resource__slug=resource, number=number
    )
    found = named.visible_to(request.user).select_related("resource__institution").first()
    if found is None:
        refuse_if_taken_down(named)
        raise Http404("No such version, or it is not public.")
    return found


def visible_resource(request: HttpRequest, institution: str, resource: str) -> Resource:
    return get_object_or_404(
        Resource.objects.visible_to(request.user).select_related("institution"),
        institution__slug=institution,
        slug=resource,
    )


ARTEFACT_TYPES = {
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".csv": "text/csv",
}


def artefact_response(
    sha256: str, content_type: str, *, public: bool = False
) -> StreamingHttpResponse:
    """An artefact's bytes; a shared cache may keep them only when `public` (a public version's)."""
    response = StreamingHttpResponse(blobs.iter_blob(sha256), content_type=content_type)
    # Our own plots, but SVG is active content: never let it script this origin.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    visibility = "public" if public else "private"
    response["Cache-Control"] = f"{visibility}, max-age=31536000, immutable"
    return response


def recorded_artefact(
    recorded: Iterable[dict[str, Any]], sha256: str, name: str, *, public: bool = False
) -> StreamingHttpResponse:
    """An artefact a run recorded under exactly this name and hash, of a type we serve; else 404."""
    content_type = ARTEFACT_TYPES.get(Path(name).suffix.lower())
    if content_type is None or not any(
        a["sha256"] == sha256 and a["name"] == name for a in recorded
    ):
        raise Http404("no such file in this run")
    return artefact_response(sha256, content_type, public=public)
