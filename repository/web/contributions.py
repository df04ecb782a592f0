"""Pages for contributions: propose (upload or edit in the browser), review, merge."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from repository.access import contribution_refusal, is_staff_of, may_contribute
from repository.actions import contributions as actions
from repository.errors import DomainError
from repository.models import Contribution
from repository.storage.packages import MANIFEST_NAME
from repository.trees.diffs import diff_trees, lines_of, refs_by_path
from repository.trees.merges import MergeConflict, parse_resolutions, three_way_view
from repository.web.lookups import signed_in_user, visible_resource, visible_version

EDIT_LIMIT = 256 * 1024


class ProposalForm(forms.Form):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    package = forms.FileField(required=False, help_text="A whole new package (.zip), or…")
    path = forms.CharField(required=False, help_text="…the path of a text file to edit or add")
    content = forms.CharField(
        required=False, strip=False, widget=forms.Textarea(attrs={"rows": 18, "cols": 90})
    )


@login_required
def contribute(request: HttpRequest, institution: str, resource: str, number: int) -> HttpResponse:
    base = visible_version(request, institution, resource, number)
    if not may_contribute(request.user, base.resource):
        # Said before any form: who may contribute, and what this person can do instead.
        context = {
            "base": base,
            "resource": base.resource,
            "refusal": contribution_refusal(request.user, base.resource),
        }
        return render(request, "repository/contribute_refused.html", context, status=403)
    path = request.GET.get("path", "")
    initial = {"path": path, "content": editable_text(base, path) if path else ""}
    form = ProposalForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            contribution = propose(form, base, request)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Proposed. The resource's staff have been told.")
            return redirect(contribution)
    text_files = [
        p for p, size in base.files.values_list("path", "blob__size") if size <= EDIT_LIMIT
    ]
    return render(
        request,
        "repository/contribute.html",
        {"base": base, "resource": base.resource, "form": form, "text_files": text_files},
    )


def editable_text(base, path: str) -> str:
    if path == MANIFEST_NAME:
        import json

        return json.dumps(base.manifest, indent=2)
    sha = base.files.filter(path=path).values_list("blob_id", flat=True).first()
    return "\n".join(lines_of(sha)) + "\n" if sha else ""


def propose(form: ProposalForm, base, request: HttpRequest) -> Contribution:
    data = form.cleaned_data
    upload = data.get("package")
    edits = {}
    if data.get("path"):
        edits[data["path"]] = data["content"].replace("\r\n", "\n").encode("utf-8")
    return actions.propose_contribution(
        base=base,
        by=signed_in_user(request),
        description=data["description"],
        package=upload.temporary_file_path() if upload else None,
        edits=edits or None,
    )


@login_required
def revise(request: HttpRequest, institution: str, resource: str, pk: int) -> HttpResponse:
    """The author replaces their proposal (a new package, or an edited file) and says why."""
    contribution = get_object_or_404(
        Contribution.objects.visible_to(request.user).select_related(
            "resource__institution", "base"
        ),
        pk=pk,
        resource__institution__slug=institution,
        resource__slug=resource,
    )
    path = request.GET.get("path", "")
    current = dict(contribution.files.values_list("path", "blob_id"))
    initial = {
        "path": path,
        "content": "\n".join(lines_of(current.get(path))) + "\n" if path in current else "",
    }
    form = ProposalForm(request.POST or None, request.FILES or None, initial=initial)
    form.fields["description"].label = "What you changed"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("package")
        edits = {}
        if data.get("path"):
            edits[data["path"]] = data["content"].replace("\r\n", "\n").encode("utf-8")
        try:
            actions.revise_contribution(
                contribution,
                by=signed_in_user(request),
                package=upload.temporary_file_path() if upload else None,
                edits=edits or None,
                note=data["description"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Revised. The proposal is checked again and reviewers told.")
            return redirect(contribution)
    return render(
        request,
        "repository/revise.html",
        {
            "contribution": contribution,
            "resource": contribution.resource,
            "form": form,
            "text_files": sorted(current),
        },
    )


@login_required
def contribution_list(request: HttpRequest, institution: str, resource: str) -> HttpResponse:
    obj = visible_resource(request, institution, resource)
    items = (
        Contribution.objects.visible_to(request.user)
        .filter(resource=obj)
        .select_related("author", "base")
    )
    return render(
        request,
        "repository/contributions.html",
        {
            "resource": obj,
            "open": items.open(),
            "closed": items.exclude(state__in=Contribution.OPEN_STATES),
        },
    )


def proposal_diff(contribution: Contribution) -> list[dict[str, Any]]:
    return diff_trees(
        refs_by_path(contribution.base),
        dict(contribution.files.values_list("path", "blob_id")),
        old_label=f"v{contribution.base.number}",
        new_label="proposal",
    )


ACTIONS = {
    "comment": lambda c, u, body: actions.comment_on_contribution(c, by=u, body=body),
    "request_changes": lambda c, u, body: actions.request_changes(c, by=u, body=body),
    "reject": lambda c, u, body: actions.reject_contribution(c, by=u, body=body),
}


@login_required
def contribution_page(
    request: HttpRequest, institution: str, resource: str, pk: int
) -> HttpResponse:
    contribution = get_object_or_404(
        Contribution.objects.visible_to(request.user).select_related(
            "resource__institution", "base", "author", "merged_version"
        ),
        pk=pk,
        resource__institution__slug=institution,
        resource__slug=resource,
    )
    conflicts: list[dict[str, Any]] = []
    if request.method == "POST":
        done = act(request, contribution)
        if done is not None:
            return done
    can_review = is_staff_of(request.user, contribution.resource.institution)
    if can_review and contribution.state == Contribution.State.APPROVED:
        try:
            _, plan = actions.plan_merge(contribution)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            conflicts = [three_way_view(c) for c in plan.conflicts]
    return render(
        request,
        "repository/contribution.html",
        {
            "contribution": contribution,
            "resource": contribution.resource,
            "reviews": contribution.reviews.select_related("author"),
            "changes": proposal_diff(contribution),
            "can_review": can_review,
            "conflicts": conflicts,
        },
    )


def act(request: HttpRequest, contribution: Contribution) -> HttpResponse | None:
    """Do what the posted form asks; None to show the page again (with the error)."""
    what = request.POST.get("action", "")
    body = request.POST.get("body", "")
    try:
        if what in ACTIONS:
            ACTIONS[what](contribution, request.user, body)
        elif what == "approve":
            actions.approve_contribution(contribution, by=signed_in_user(request), body=body)
            contribution.refresh_from_db()
            return merge(request, contribution, {})
        elif what == "merge":
            _, plan = actions.plan_merge(contribution)
            resolutions = parse_resolutions(request.POST, plan.conflicted_paths)
            return merge(request, contribution, resolutions)
        else:
            raise Http404("unknown action")
    except DomainError as exc:
        messages.error(request, exc.message)
        return None
    return redirect(contribution)


def merge(request: HttpRequest, contribution: Contribution, resolutions) -> HttpResponse | None:
    try:
        version = actions.merge_contribution(
            contribution, by=signed_in_user(request), resolutions=resolutions
        )
    except MergeConflict as exc:
        messages.warning(request, exc.message)
        return redirect(contribution)
    messages.success(request, f"Merged as v{version.number}; it is being validated.")
    return redirect(version)
