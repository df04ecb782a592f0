"""What a fork or remix changed against the works it adapts: the page its attribution links to.

CC 4.0 §3(a)(1)(B) asks whoever shares adapted material to "indicate if You modified the
Licensed Material"; the attribution says so in words and links here for the detail.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from repository.credit.attribution import adapted_sources
from repository.models import Version
from repository.trees.diffs import diff_versions
from repository.web.lookups import visible_version


def version_changes(
    request: HttpRequest, institution: str, resource: str, number: int
) -> HttpResponse:
    """Each source the version adapts, diffed against the version (sources one cannot see: named only)."""
    version = visible_version(request, institution, resource, number)
    visible = set(Version.objects.visible_to(request.user).values_list("pk", flat=True))
    sources = [
        {
            "source": source,
            "visible": source.pk in visible,
            "changes": diff_versions(source, version) if source.pk in visible else [],
        }
        for source in adapted_sources(version)
    ]
    return render(
        request,
        "repository/changes.html",
        {"resource": version.resource, "version": version, "sources": sources},
    )
