"""Per-student scenario variants on a version: the form, the download, and queued sandbox runs."""

import json
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from repository.access import variant_runs_visible_to
from repository.actions.variants import request_variant_run, student_key, version_scenario
from repository.errors import DomainError
from repository.models import VariantRun, Version
from repository.web.lookups import (
    recorded_artefact,
    signed_in_user,
    visible_version,
)


def variant_context(request: HttpRequest, version: Version) -> dict[str, Any] | None:
    """The variant form's state: the student id asked for, its parameters, and one's runs."""
    from sims.variants import variant

    scenario = version_scenario(version)
    if scenario is None or not scenario.variants:
        return None
    student = request.GET.get("student", "").strip()[:120]
    signed_in = request.user.is_authenticated
    # Never the username: that is an e-mail address, and the id shows on the run's page.
    default = student or (student_key(signed_in_user(request)) if signed_in else "")
    params = None
    if student:
        params = sorted(variant(scenario, student).items())
    ranges = [
        (path, spec.get("choices") or f"{spec.get('min')} to {spec.get('max')}")
        for path, spec in sorted(scenario.variants.items())
    ]
    runs = (
        variant_runs_visible_to(request.user)
        .filter(version=version)
        .select_related("version__resource__institution")[:20]
    )
    return {
        "student": student,
        "default": default,
        "parameters": params,
        "ranges": ranges,
        "runs": runs,
    }


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
            version, student_id=request.POST.get("student", ""), by=signed_in_user(request)
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(version)
    return redirect(run)


def visible_run(request: HttpRequest, version: Version, run_id: UUID) -> VariantRun:
    return get_object_or_404(
        variant_runs_visible_to(request.user).select_related("version__resource__institution"),
        public_id=run_id,
        version=version,
    )


@never_cache
def variant_run_page(
    request: HttpRequest, institution: str, resource: str, number: int, run_id: UUID
) -> HttpResponse:
    version = visible_version(request, institution, resource, number)
    run = visible_run(request, version, run_id)
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
    run_id: UUID,
    sha256: str,
    name: str,
) -> HttpResponseBase:
    """A plot or the metrics of a variant run, only if that run recorded it."""
    version = visible_version(request, institution, resource, number)
    run = visible_run(request, version, run_id)
    return recorded_artefact(run.files, sha256, name)
