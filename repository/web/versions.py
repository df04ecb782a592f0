"""A version's pages: the page, its live validation status, files, diffs, artefacts, download, fork."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

import licensing
from repository.access import (
    can_publish,
    can_rerun_validation,
    drafts_of,
    is_staff_of,
    may_deposit_to,
    refuse_if_taken_down,
    served_files,
)
from repository.actions.forks import fork_version
from repository.actions.publishing import publish_version, withdraw_version
from repository.actions.usage import Use, record_use, usage_rows
from repository.actions.validation import RECHECKED, regression, rerun_validation
from repository.actions.variants import scenario_problem
from repository.credit.attribution import attribution_html, attribution_text
from repository.credit.choices import licence_choices, part_choices
from repository.errors import DomainError
from repository.exchange.jsonld import learning_resource, script_tag
from repository.exchange.records import record_for, site_url
from repository.models import (
    CollectionItem,
    Derivation,
    Resource,
    ValidationRun,
    Version,
    VersionFile,
)
from repository.storage import blobs
from repository.storage.downloads import stream_version_zip
from repository.trees.diffs import diff_versions
from repository.trees.lineage import lineage_graph, lineage_svg
from repository.validation import origins, serving
from repository.validation.verdicts import Verdict, needs_network, verdict_of, why_not_finished
from repository.web.context import capabilities
from repository.web.forms import ForkForm, model_choice
from repository.web.licence_table import licence_table, part_licence_rows
from repository.web.lookups import (
    recorded_artefact,
    signed_in_user,
    visible_version,
)
from repository.web.usage import use_panel
from repository.web.variants import variant_context

# States with nothing left to validate: the page stops polling and lists no pending steps.
VALIDATION_OVER = {
    Version.State.PASSED,
    Version.State.FAILED,
    Version.State.NOT_RUN,
    Version.State.UNFINISHED,
    Version.State.PUBLISHED,
    Version.State.WITHDRAWN,
}
# The steps a run goes through, so the page can list the ones not started yet.
EXPECTED_STEPS = {"tool": ["package", "licence", "content", "run"]}


BADGES = {
    Verdict.PASSED: {"css": "passed", "text": "Validation passed"},
    Verdict.FAILED: {"css": "failed", "text": "Validation failed"},
    Verdict.NOT_RUN: {
        "css": "none",
        "text": "Not yet validated: the validator could not run it ({why})",
    },
    Verdict.COULD_NOT_FINISH: {
        "css": "unfinished",
        "text": "Validation could not finish: our fault, not the deposit's ({why})",
    },
    Verdict.PENDING: {"css": "running", "text": "Validation running"},
}


def badge(version: Version, run: ValidationRun | None) -> dict[str, str]:
    """A short validation verdict for the page's badge (css class and words): never "passed"
    for a version whose run step did not run."""
    if version.state in {Version.State.UPLOADED, Version.State.VALIDATING}:
        return BADGES[Verdict.PENDING]
    if run is None:
        return {"css": "none", "text": "Not validated"}
    verdict = verdict_of(version, run)
    if verdict == Verdict.NOT_RUN and version.state in RECHECKED:
        # Passed before (only a passed version gets here); a later re-check could not run it.
        return {
            "css": "passed",
            "text": f"Validation passed; its newest re-check could not run it ({why_short(run)})",
        }
    shown = BADGES[verdict]
    return {**shown, "text": shown["text"].format(why=why_short(run))}


def why_short(run: ValidationRun) -> str:
    """The first reason a step could not run or finish, short enough for a badge."""
    for step in run.steps.all():
        reason = step.artefacts.get("not_run") if isinstance(step.artefacts, dict) else None
        if reason:
            return str(reason)
    reasons = why_not_finished(run)
    return reasons[0][:160].rstrip(".") if reasons else "see Validation"


def status_data(version: Version) -> dict[str, Any]:
    run = version.validation_runs.prefetch_related("steps").first()
    steps = [
        {
            "name": s.name,
            "status": s.status,
            "label": s.get_status_display(),
            "duration_ms": s.duration_ms,
            "messages": [str(m) for m in s.messages][:10],
        }
        for s in (run.steps.all() if run else [])
    ]
    done = {s["name"] for s in steps}
    pending = [n for n in EXPECTED_STEPS.get(version.resource.kind, []) if n not in done]
    if version.state in VALIDATION_OVER:
        pending = []
    return {
        "state": version.state,
        "state_label": version.get_state_display(),
        "settled": version.state in VALIDATION_OVER,
        "badge": badge(version, run),
        "run": run.state if run else None,
        "steps": steps,
        "pending": pending,
    }


@never_cache
def version_status(
    request: HttpRequest, institution: str, resource: str, number: int
) -> JsonResponse:
    """What the validation of a version has done so far; the version page polls it."""
    version = visible_version(request, institution, resource, number)
    return JsonResponse(status_data(version))


TEXT_PREVIEW_LIMIT = 512 * 1024


def resource_page(request: HttpRequest, institution: str, resource: str) -> HttpResponse:
    obj = get_object_or_404(
        Resource.objects.with_a_page_for(request.user).select_related("institution"),
        institution__slug=institution,
        slug=resource,
    )
    version = (
        obj.latest_published
        or Version.objects.visible_to(request.user).filter(resource=obj).order_by("-number").first()
    )
    if version is None:
        refuse_if_taken_down(obj.versions.order_by("-number"))
        raise Http404
    return version_context_page(request, version, is_resource_page=True)


def version_page(
    request: HttpRequest, institution: str, resource: str, number: int
) -> HttpResponse:
    return version_context_page(request, visible_version(request, institution, resource, number))


def version_context_page(
    request: HttpRequest, version: Version, *, is_resource_page: bool = False
) -> HttpResponse:
    record_use(request, version, Use.VIEW)
    resource = version.resource
    run = version.validation_runs.prefetch_related("steps").first()
    try:
        licence = licensing.get_license(version.licence)
    except licensing.UnknownLicence:
        licence = None
    context: dict[str, Any] = {
        "resource": resource,
        "version": version,
        "licence": licence,
        "licence_table": licence_table(version),
        "part_licences": part_licence_rows(version),
        "attribution_text": attribution_text(version),
        "attribution_html": attribution_html(version),
        "versions": Version.objects.visible_to(request.user).filter(resource=resource),
        "files": version.files.select_related("blob"),
        "run": run,
        "earlier_runs": list(version.validation_runs.all()[1:21]),
        "parents": version.parent_edges.filter(
            parent__in=Version.objects.visible_to(request.user)
        ).select_related("parent__resource__institution"),
        # A collection's works, each shown with its own title, authors and licence.
        "collected": CollectionItem.objects.filter(collection=version).select_related(
            "item__resource__institution"
        ),
        "children": version.child_edges.filter(
            child__in=Version.objects.visible_to(request.user)
        ).select_related("child__resource__institution"),
        "can_publish": can_publish(request.user, resource),
        "can_rerun": can_rerun_validation(request.user, version)
        and version.state not in {Version.State.UPLOADED, Version.State.VALIDATING},
        "can_deposit_here": may_deposit_to(request.user, resource.institution, resource),
        "is_my_draft": drafts_of(request.user).filter(pk=resource.pk).exists(),
        "is_latest_published": resource.latest_published_id == version.pk,
        "content_url": origins.url_of(version),
        "notebook_url": f"{origins.origin_of(version)}/{serving.NOTEBOOK_HTML_PATH}"
        if version.resource.kind == "notebook"
        else "",
        "try_sandbox": " ".join(serving.SANDBOX_FLAGS),
        "artefacts": artefact_files(version),
        "regression": regression(version),
        "try_here": request.GET.get("try") == "1",
    }
    context["is_resource_page"] = is_resource_page
    context["use"] = use_panel(usage_rows(resource=resource))
    context.update(
        embedded_metadata(
            version,
            is_resource_page,
            credit=context["attribution_text"],
            credit_html=context["attribution_html"],
        )
    )
    if version.state == Version.State.WITHDRAWN:
        context.update(withdrawal_context(request, version))
    context["badge"] = badge(version, run)
    context["needs_network"] = needs_network(version, run)
    context["pending_steps"] = status_data(version)["pending"]
    context["variant"] = variant_context(request, version)
    context["scenario_problem"] = scenario_problem(version)
    context["screenshot"] = next(
        (a for a in context["artefacts"] if a["name"] == "screenshot.png"), None
    )
    context["device_report"] = device_report(run)
    context["scorm_calls"] = scorm_calls(run)
    context["plots"] = plots_of(context["artefacts"])
    context["data_files"] = [
        a for a in context["artefacts"] if not a["name"].endswith((".png", ".svg"))
    ]
    graph = lineage_graph(version, user=request.user, limit=40)
    # lineage_svg escapes every piece of text it draws.
    context["lineage_svg"] = mark_safe(lineage_svg(graph)) if graph["edges"] else ""  # noqa: S308
    return render(request, "repository/version.html", context)


def embedded_metadata(
    version: Version, is_resource_page: bool, *, credit: str, credit_html: str
) -> dict[str, Any]:
    """The page's schema.org JSON-LD block and its attribution as live ccREL RDFa markup."""
    page = version.resource if is_resource_page else version
    node = learning_resource(
        record_for(version), page_url=site_url(page.get_absolute_url()), credit=credit
    )
    # Both are built from escaped text: script_tag escapes <, > and &; attribution_html
    # escapes every piece of user text (licensing/attribution.py).
    return {
        "jsonld": mark_safe(script_tag(node)),  # noqa: S308
        "credit_rdfa": mark_safe(credit_html),  # noqa: S308
    }


def withdrawal_context(request: HttpRequest, version: Version) -> dict[str, Any]:
    """Where a visitor of a withdrawn version can go instead: other versions and forks."""
    public = Version.objects.public().filter(resource=version.resource)
    return {
        "newer_public": public.filter(
            number__gt=version.number, state=Version.State.PUBLISHED
        ).first(),
        "earlier_public": list(public.filter(number__lt=version.number).order_by("-number")),
        "resource_forks": Derivation.objects.filter(
            parent__resource=version.resource, child__in=Version.objects.visible_to(request.user)
        )
        .exclude(child__resource=version.resource)
        .select_related("child__resource__institution")
        .order_by("child__resource__title", "child__number")[:20],
    }


def version_file(
    request: HttpRequest, institution: str, resource: str, number: int, path: str
) -> HttpResponseBase:
    version = visible_version(request, institution, resource, number)
    entry = get_object_or_404(
        VersionFile.objects.select_related("blob"), version=version, path=path
    )
    text = None
    if entry.blob.size <= TEXT_PREVIEW_LIMIT:
        try:
            text = blobs.read_blob(entry.blob_id).decode("utf-8")
        except UnicodeDecodeError:
            text = None
    if request.GET.get("raw") == "1":
        # Served as an attachment and never as HTML, so deposited markup cannot run here.
        response = StreamingHttpResponse(
            blobs.iter_blob(entry.blob_id), content_type="application/octet-stream"
        )
        response["Content-Disposition"] = content_disposition_header(True, path.rsplit("/", 1)[-1])
        return response
    return render(
        request,
        "repository/file.html",
        {"version": version, "resource": version.resource, "entry": entry, "text": text},
    )


def version_diff(request: HttpRequest, institution: str, resource: str) -> HttpResponse:
    versions = Version.objects.visible_to(request.user).filter(
        resource__institution__slug=institution, resource__slug=resource
    )
    try:
        old_n, new_n = int(request.GET["from"]), int(request.GET["to"])
    except (KeyError, ValueError):
        raise Http404 from None
    old = get_object_or_404(versions, number=old_n)
    new = get_object_or_404(versions, number=new_n)
    return render(
        request,
        "repository/diff.html",
        {"resource": new.resource, "old": old, "new": new, "changes": diff_versions(old, new)},
    )


def version_artefact(
    request: HttpRequest, institution: str, resource: str, number: int, sha256: str, name: str
) -> HttpResponseBase:
    """A file a validation run produced (screenshot, plot, metrics), if that run recorded it."""
    version = visible_version(request, institution, resource, number)
    return recorded_artefact(artefact_files(version), sha256, name, public=version.is_public)


def artefact_files(version: Version) -> list[dict[str, str]]:
    """The artefacts of the newest run that kept any (older runs' are history, not shown)."""
    for run in version.validation_runs.prefetch_related("steps"):
        files = []
        for step in run.steps.all():
            files.extend(step.artefacts.get("files", []))
            if "screenshot" in step.artefacts:
                files.append({"name": "screenshot.png", "sha256": step.artefacts["screenshot"]})
        if files:
            return files
    return []


PROFILE_LABELS = {"desktop": "Desktop (1280×800)", "phone": "Phone (390×844, touch)"}  # noqa: RUF001


def scorm_calls(run: ValidationRun | None) -> list[dict[str, Any]]:
    """The SCORM API calls the SCO made in the run step (on the first device), in order."""
    step = next((s for s in run.steps.all() if s.name == "run"), None) if run else None
    player = step.artefacts.get("player") if step else None
    calls = player.get("calls") if isinstance(player, dict) else None
    if not isinstance(calls, list):
        return []
    return [
        {
            "call": str(c.get("call", "")),
            "args": ", ".join(f'"{a}"' for a in c.get("args") or [] if isinstance(a, str)),
            "result": str(c.get("result", "")),
            "error": str(c.get("error", "")),
        }
        for c in calls
        if isinstance(c, dict)
    ]


def device_report(run: ValidationRun | None) -> dict[str, Any] | None:
    """The run step's figures per device profile, with each profile's screenshot, for the page."""
    step = next((s for s in run.steps.all() if s.name == "run"), None) if run else None
    profiles = step.artefacts.get("profiles") if step else None
    if not step or not isinstance(profiles, dict):
        return None
    files = {a.get("name"): a for a in step.artefacts.get("files", []) if isinstance(a, dict)}
    rows = []
    for name, figures in profiles.items():
        if not isinstance(figures, dict):
            continue
        rows.append(
            {
                **figures,
                "name": name,
                "label": PROFILE_LABELS.get(name, name),
                "screenshot": files.get(figures.get("screenshot")),
                "kb": round((figures.get("bytes") or 0) / 1024, 1),
                # A pass that did not come every time: its warning shows on the profile.
                "flaky_warning": next(
                    (w for w in figures.get("warnings") or [] if str(w).startswith("flaky:")),
                    None,
                ),
            }
        )
    throttled = step.artefacts.get("throttled") or None
    if isinstance(throttled, dict) and throttled:
        throttled = {**throttled, "kb": round((throttled.get("bytes") or 0) / 1024, 1)}
        # Runs before the slow-3G budget was recorded said only "not ready".
        measured = "timed_out" in throttled
        throttled["failed"] = measured and not throttled["loaded"] and not throttled["timed_out"]
    return {
        "profiles": rows,
        "throttled": throttled,
        "needs_network": step.artefacts.get("needs_network", []),
    }


def plots_of(artefacts: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Each plot once: its SVG to show (PNG where there is no SVG), and its PNG to download."""
    by_stem: dict[str, dict[str, Any]] = {}
    for a in artefacts:
        stem, _, ext = a["name"].rpartition(".")
        if a["name"].startswith("screenshot") or ext not in {"svg", "png"}:
            continue
        by_stem.setdefault(stem, {"title": stem.replace("_", " ")})[ext] = a
    plots = []
    for plot in by_stem.values():
        plot["shown"] = plot.get("svg") or plot["png"]
        plots.append(plot)
    return plots


def version_download(
    request: HttpRequest, institution: str, resource: str, number: int
) -> HttpResponseBase:
    version = visible_version(request, institution, resource, number)
    record_use(request, version, Use.DOWNLOAD)
    response = StreamingHttpResponse(
        stream_version_zip(version, files_of=served_files(request.user, version)),
        content_type="application/zip",
    )
    name = f"{version.resource.slug}-v{version.number}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def version_fork(
    request: HttpRequest, institution: str, resource: str, number: int
) -> HttpResponse:
    source = visible_version(request, institution, resource, number)
    choices = licence_choices([source.licence])
    by_part = part_choices([source.licence_parts])
    form = ForkForm(
        request.POST or None,
        user=request.user,
        licence_choices=choices.form_choices(),
        part_choices=by_part,
    )
    institutions = model_choice(form.fields["institution"]).queryset
    # Said before the form: who may fork where, and that a student's fork is their draft.
    draft_at = [i for i in institutions or [] if not is_staff_of(request.user, i)]
    context = {
        "source": source,
        "resource": source.resource,
        "form": form,
        "choices": choices,
        "by_part": by_part,
        "draft_at": draft_at,
    }
    if not capabilities(request).fork:
        return render(request, "repository/fork.html", context, status=403)
    if choices.recommended is None:
        messages.error(
            request, licensing.explain_refusal([source.licence], names=[source.resource.title])
        )
    elif request.method == "POST" and form.is_valid():
        try:
            fork = fork_version(
                source,
                into=form.cleaned_data["institution"],
                by=signed_in_user(request),
                licence=form.cleaned_data["licence"],
                title=form.cleaned_data["title"] or None,
                part_licences=form.part_licences(),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            record_use(request, source, Use.FORK)
            messages.success(request, "Forked. Your version is being validated.")
            return redirect(fork)
    return render(request, "repository/fork.html", context)


@login_required
@require_POST
def version_publish(
    request: HttpRequest, institution: str, resource: str, number: int
) -> HttpResponse:
    """Publish a version that passed validation, or publish again one that was withdrawn."""
    version = visible_version(request, institution, resource, number)
    try:
        publish_version(version, by=signed_in_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(version)


@login_required
def version_rerun(
    request: HttpRequest, institution: str, resource: str, number: int
) -> HttpResponse:
    """Ask for confirmation, then validate the version again as a new run (staff only)."""
    version = visible_version(request, institution, resource, number)
    if not can_rerun_validation(request.user, version):
        raise Http404
    if request.method == "POST":
        try:
            rerun_validation(version, by=signed_in_user(request))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"v{version.number} is being validated again.")
        return redirect(version)
    context = {
        "version": version,
        "resource": version.resource,
        "recheck": version.state in RECHECKED,
    }
    return render(request, "repository/rerun.html", context)


@login_required
def version_withdraw(
    request: HttpRequest, institution: str, resource: str, number: int
) -> HttpResponse:
    """Ask for confirmation and a reason, then withdraw the version."""
    version = visible_version(request, institution, resource, number)
    if not can_publish(request.user, version.resource):
        raise Http404
    reason = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            withdraw_version(version, by=signed_in_user(request), reason=reason)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"v{version.number} was withdrawn; its page says why.")
            return redirect(version)
    context = {
        "version": version,
        "resource": version.resource,
        "reason": reason,
        "forks": version.child_edges.count(),
    }
    return render(request, "repository/withdraw.html", context)
