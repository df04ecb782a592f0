"""Common Cartridge 1.3 downloads of a published version, a resource's latest or a collection."""

from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404

from repository.exchange.cartridge import write_cartridge
from repository.models import Resource, Version
from repository.web.lookups import visible_version


def cartridge_response(version: Version) -> HttpResponseBase:
    if version.state != Version.State.PUBLISHED:
        # Withdrawn versions stay readable on their page, but nothing new should start from them.
        latest = version.resource.latest_published
        instead = (
            f" Version {latest.number} is published: {latest.get_absolute_url()}cartridge.imscc"
            if latest
            else ""
        )
        return HttpResponse(
            f"Only published versions are exported as Common Cartridges; version "
            f"{version.number} is {version.get_state_display().lower()}.{instead}",
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    name = f"{version.resource.slug}-v{version.number}.imscc"
    return FileResponse(
        write_cartridge(version),
        as_attachment=True,
        filename=name,
        content_type="application/zip",
    )


def version_cartridge(
    request: HttpRequest, institution: str, resource: str, number: int
) -> HttpResponseBase:
    return cartridge_response(visible_version(request, institution, resource, number))


def resource_cartridge(request: HttpRequest, institution: str, resource: str) -> HttpResponseBase:
    """The cartridge of the resource's latest published version (a stable link for courses)."""
    obj = get_object_or_404(
        Resource.objects.visible_to(request.user).select_related("institution", "latest_published"),
        institution__slug=institution,
        slug=resource,
        latest_published__isnull=False,
    )
    assert obj.latest_published is not None  # filtered above
    return cartridge_response(obj.latest_published)
