"""The lineage of a version: a picture (server-rendered SVG) and the same graph as JSON."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from repository.trees.lineage import lineage_graph, lineage_svg
from repository.web.lookups import visible_version


def lineage_page(
    request: HttpRequest, institution: str, resource: str, number: int
) -> HttpResponse:
    version = visible_version(request, institution, resource, number)
    graph = lineage_graph(version, user=request.user)
    nodes = {n["id"]: n for n in graph["nodes"]}
    return render(
        request,
        "repository/lineage.html",
        {
            "version": version,
            "resource": version.resource,
            "graph": graph,
            # lineage_svg escapes every piece of text it draws.
            "svg": mark_safe(lineage_svg(graph)),  # noqa: S308
            "edges": [
                {"child": nodes[e["child"]], "parent": nodes[e["parent"]], "kind": e["kind"]}
                for e in graph["edges"]
            ],
        },
    )


def lineage_json(
    request: HttpRequest, institution: str, resource: str, number: int
) -> JsonResponse:
    version = visible_version(request, institution, resource, number)
    return JsonResponse(lineage_graph(version, user=request.user))
