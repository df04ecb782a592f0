"""Pages for upstream updates: what a source changed since a fork or remix, and pulling it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from repository.actions import upstream
from repository.errors import DomainError
from repository.models import Version
from repository.trees.diffs import diff_versions
from repository.trees.merges import MergeConflict, parse_resolutions, three_way_view
from repository.web.lookups import signed_in_user, visible_resource


@login_required
def upstream_page(request: HttpRequest, institution: str, resource: str) -> HttpResponse:
    obj = visible_resource(request, institution, resource)
    updates = [
        {"update": u, "changes": visible_diff(request, u)} for u in upstream.upstream_updates(obj)
    ]
    return render(
        request,
        "repository/upstream.html",
        {"resource": obj, "updates": updates, "can_pull": upstream.can_pull(request.user, obj)},
    )


@login_required
def upstream_pull(
    request: HttpRequest, institution: str, resource: str, source: int
) -> HttpResponse:
    obj = visible_resource(request, institution, resource)
    if not upstream.can_pull(request.user, obj):
        raise Http404("only the resource's owners pull updates into it")
    version = get_object_or_404(Version.objects.visible_to(request.user), pk=source)
    try:
        update, ours, plan = upstream.plan_pull(obj, version)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("upstream", institution, resource)
    if request.method == "POST":
        resolutions = parse_resolutions(request.POST, plan.conflicted_paths)
        try:
            new = upstream.pull_upstream(
                resource=obj, source=version, by=signed_in_user(request), resolutions=resolutions
            )
        except MergeConflict as exc:
            messages.warning(request, exc.message)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Pulled into v{new.number}; it is being validated.")
            return redirect(new)
    return render(
        request,
        "repository/upstream_pull.html",
        {
            "resource": obj,
            "update": update,
            "ours": ours,
            "changes": visible_diff(request, update),
            "conflicts": [three_way_view(c) for c in plan.conflicts],
            "kept": plan.manifest_kept_ours,
        },
    )


def visible_diff(request: HttpRequest, update: upstream.Update) -> list[dict[str, object]]:
    """The source's changes, unless the version they start from is hidden from this viewer."""
    if not Version.objects.visible_to(request.user).filter(pk=update.base.pk).exists():
        return []
    return diff_versions(update.base, update.source)
