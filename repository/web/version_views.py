"""Version page helpers: live validation status as JSON, per-student scenario variants, badges."""

import json
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from repository.actions.variants import request_variant_run, version_scenario
from repository.errors import DomainError
from repository.models import ValidationRun, VariantRun, Version
from repository.web.views import ARTEFACT_TYPES, artefact_response, visible_version

SETTLED = {
    Version.State.PASSED,
    Version.State.FAILED,
    Version.State.PUBLISHED,
    Version.State.WITHDRAWN,
}
# The steps a run goes through, so the page can list the ones not started yet.
EXPECTED_STEPS = {"tool": ["package", "licence", "content", "run"]}


def badge(version: Version, run: ValidationRun | None) -> dict[str, str]:
    """A short validation verdict for the page's badge: css class and words."""
    if version.state in {Version.State.UPLOADED, Version.State.VALIDATING}:
        return {"css": "running", "text": "Validation running"}
    if run is None:
        return {"css": "none", "text": "Not validated"}
    if run.state == ValidationRun.State.PASSED:
        return {"css": "passed", "text": "Validation passed"}
    if run.state == ValidationRun.State.FAILED:
        return {"css": "failed", "text": "Validation failed"}
    if run.state == ValidationRun.State.ERROR:
        return {"css": "failed", "text": "Validation could not finish"}
    return {"css": "running", "text": "Validation running"}


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
    if version.state in SETTLED:
        pending = []
    return {
        "state": version.state,
        "state_label": version.get_state_display(),
        "settled": version.state in SETTLED,
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


def variant_context(request: HttpRequest, version: Version) -> dict[str, Any] | None:
    """The variant form's state: the student id asked for and that student's parameters."""
    from sims.variants import variant

    scenario = version_scenario(version)
    if scenario is None or not scenario.variants:
        return None
    student = request.GET.get("student", "").strip()[:120]
    if not student and request.user.is_authenticated:
        default = request.user.get_username()
    else:
        default = student
    params = None
    if student:
        params = sorted(variant(scenario, student).items())
    ranges = [
        (path, spec.get("choices") or f"{spec.get('min')} to {spec.get('max')}")
        for path, spec in sorted(scenario.variants.items())
    ]
    return {"student": student, "default": default, "parameters": params, "ranges": ranges}


def variant_download(
    request: HttpRequest, institution: str, resource: str, number: int
) -> HttpResponse:
    """The scenario file with one student's variant parameters applied, as a download."""
    from sims.variants import apply_variant

    version = visible_version(request, institution, resource, number)
    scenario = version_scenario(version)
    student = request.GET.get("student", "").strip()[:120]
    if scenario is None or not student:
        raise Http404("not a scenario with variants, or no student id given")
    applied = apply_variant(scenario, student)
    data = {k: v for k, v in scenario.data.items() if k != "variants"}
    data["parameters"] = applied.parameters
    response = HttpResponse(json.dumps(data, indent=2), content_type="application/json")
    name = f"{version.resource.slug}-v{version.number}-{student}.json"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
@require_POST
def variant_run_request(
    request: HttpRequest, institution: str, resource: str, number: int
) -> HttpResponse:
    version = visible_version(request, institution, resource, number)
    try:
        run = request_variant_run(
            version, student_id=request.POST.get("student", ""), by=request.user
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(version)
    return redirect("version_variant_run", institution, resource, number, run.pk)


def variant_run_page(
    request: HttpRequest, institution: str, resource: str, number: int, pk: int
) -> HttpResponse:
    version = visible_version(request, institution, resource, number)
    run = get_object_or_404(VariantRun, pk=pk, version=version)
    return render(
        request,
        "repository/variant_run.html",
        {"version": version, "resource": version.resource, "run": run},
    )


def variant_run_file(
    request: HttpRequest,
    institution: str,
    resource: str,
    number: int,
    pk: int,
    sha256: str,
    name: str,
) -> HttpResponse:
    """A plot or the metrics of a variant run, only if that run recorded it."""
    version = visible_version(request, institution, resource, number)
    run = get_object_or_404(VariantRun, pk=pk, version=version)
    content_type = ARTEFACT_TYPES.get(Path(name).suffix.lower())
    if {"name": name, "sha256": sha256} not in run.files or content_type is None:
        raise Http404("no such file in this run")
    return artefact_response(sha256, content_type)
