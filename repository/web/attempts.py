""" "Program it": a learner writes their controller, runs it, and sees how it did; teachers' tables."""

import csv
import posixpath
from pathlib import Path
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache

from repository.access import attempts_visible_to, may_see_attempt_tables, only_own_attempts
from repository.actions.attempts import learner_rows, programmable_scenario, submit_attempt
from repository.actions.usage import Use, record_use
from repository.actions.variants import student_key
from repository.errors import DomainError, RateLimited
from repository.models import Attempt, Version
from repository.storage import blobs
from repository.web.lookups import (
    recorded_artefact,
    signed_in_user,
    visible_version,
)

#: The plots shown first, in this order (the engine draws them; see sims/engines).
PLOT_ORDER = ("angles", "sensors", "power", "error")


def starter_code(version: Version, scenario: Any) -> str:
    """The scenario's starter controller, read from the version's own files ("" when none)."""
    name = scenario.controller.starter
    if not name:
        return ""
    path = posixpath.normpath(posixpath.join(posixpath.dirname(version.entry_point), name))
    sha = version.files.filter(path=path).values_list("blob_id", flat=True).first()
    if sha is None:
        return ""
    try:
        return blobs.read_blob(sha).decode("utf-8")
    except UnicodeDecodeError:
        return ""


def plots_of(attempt: Attempt) -> list[dict[str, str]]:
    """The attempt's PNG plots (SVGs are offered as links), in the order learners read them."""
    pngs = [f for f in attempt.files if f["name"].endswith(".png")]

    def rank(f: dict[str, str]) -> int:
        stem = Path(f["name"]).stem
        return PLOT_ORDER.index(stem) if stem in PLOT_ORDER else len(PLOT_ORDER)

    return sorted(pngs, key=rank)


@never_cache
def program_page(
    request: HttpRequest, institution: str, resource: str, number: int
) -> HttpResponse:
    """The page: contract, editor (code or blocks), Run, and one's previous attempts."""
    version = visible_version(request, institution, resource, number)
    try:
        scenario = programmable_scenario(version)
    except DomainError as exc:
        raise Http404(exc.message) from None
    code = starter_code(version, scenario)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        code = request.POST.get("code", "")
        try:
            attempt = submit_attempt(
                version,
                code=code,
                by=signed_in_user(request),
                from_blocks=request.POST.get("from_blocks") == "1",
            )
        except RateLimited as exc:
            messages.error(request, exc.message)
            response = render_program(request, version, scenario, code[:200_000], status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        except DomainError as exc:
            messages.error(request, exc.message)
            status = 413 if "KB" in exc.message else 400
            # A 1 MB paste is not echoed back into the page: a learner on a phone pays for it.
            kept = code if len(code) <= 200_000 else starter_code(version, scenario)
            return render_program(request, version, scenario, kept, status=status)
        record_use(request, version, Use.ATTEMPT)
        return redirect(attempt)
    mine = only_own_attempts(request.user).filter(version=version)
    back_to = request.GET.get("from")
    if back_to:
        earlier = mine.filter(public_id=_uuid_or_404(back_to)).first()
        if earlier is None:
            raise Http404("no such attempt of yours")
        code = earlier.code
    return render_program(request, version, scenario, code)


def _uuid_or_404(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise Http404("not an attempt id") from None


def render_program(
    request: HttpRequest, version: Version, scenario: Any, code: str, *, status: int = 200
) -> HttpResponse:
    from sims.attempts import comparisons_of, contract, score_spec, time_limit
    from sims.variants import variant

    key = student_key(signed_in_user(request)) if request.user.is_authenticated else ""
    parameters = sorted(variant(scenario, key).items()) if key and scenario.variants else []
    mine = only_own_attempts(request.user).filter(version=version)[:50]
    return render(
        request,
        "repository/program.html",
        {
            "version": version,
            "resource": version.resource,
            "scenario": scenario,
            "contract": contract(scenario),
            "code": code,
            "parameters": parameters,
            "student_key": key,
            "attempts": mine,
            "comparisons": comparisons_of(scenario),
            "score": score_spec(scenario),
            "time_limit": time_limit(scenario, float(settings.ATTEMPT_TIME_LIMIT_SECONDS)),
            "code_max_kb": settings.ATTEMPT_CODE_MAX_BYTES // 1024,
            "blocks": scenario.engine == "solar_tracker"
            and scenario.parameters.get("panel", {}).get("axes", "single") == "single",
            "may_see_table": may_see_attempt_tables(request.user),
        },
        status=status,
    )


def visible_attempt(request: HttpRequest, version: Version, attempt_id: UUID) -> Attempt:
    return get_object_or_404(
        attempts_visible_to(request.user).select_related(
            "version__resource__institution", "learner"
        ),
        public_id=attempt_id,
        version=version,
    )


@never_cache
def attempt_page(
    request: HttpRequest, institution: str, resource: str, number: int, attempt_id: UUID
) -> HttpResponse:
    version = visible_version(request, institution, resource, number)
    attempt = visible_attempt(request, version, attempt_id)
    others = (
        only_own_attempts(request.user).filter(version=version).exclude(pk=attempt.pk)[:20]
        if attempt.learner_id == request.user.pk
        else Attempt.objects.none()
    )
    return render(
        request,
        "repository/attempt.html",
        {
            "version": version,
            "resource": version.resource,
            "attempt": attempt,
            "plots": plots_of(attempt),
            "svgs": [f for f in attempt.files if f["name"].endswith(".svg")],
            "code_lines": list(enumerate(attempt.code.splitlines(), start=1)),
            "others": others,
            "own": attempt.learner_id == request.user.pk,
        },
    )


@never_cache
def attempt_status(
    request: HttpRequest, institution: str, resource: str, number: int, attempt_id: UUID
) -> JsonResponse:
    """What the attempt page polls while the run is open (small: no code, no plots)."""
    version = visible_version(request, institution, resource, number)
    attempt = visible_attempt(request, version, attempt_id)
    return JsonResponse(
        {
            "state": attempt.state,
            "label": attempt.get_state_display(),
            "finished": attempt.finished,
            "waiting_ahead": waiting_ahead(attempt),
        }
    )


def waiting_ahead(attempt: Attempt) -> int:
    """Attempts of the same pool that were submitted earlier and are still waiting."""
    if attempt.state != Attempt.State.QUEUED:
        return 0
    return Attempt.objects.filter(
        institution=attempt.institution_id,
        state=Attempt.State.QUEUED,
        created_at__lt=attempt.created_at,
    ).count()


def attempt_file(
    request: HttpRequest,
    institution: str,
    resource: str,
    number: int,
    attempt_id: UUID,
    sha256: str,
    name: str,
) -> HttpResponseBase:
    """A plot of an attempt, only if that attempt recorded it."""
    version = visible_version(request, institution, resource, number)
    attempt = visible_attempt(request, version, attempt_id)
    return recorded_artefact(attempt.files, sha256, name)


@login_required
@never_cache
def attempts_table(
    request: HttpRequest, institution: str, resource: str, number: int
) -> HttpResponse:
    """Teachers: one row per learner (best score, attempts, last error), each attempt openable."""
    version = visible_version(request, institution, resource, number)
    if not may_see_attempt_tables(request.user):
        raise Http404("only staff see tables of attempts")
    rows = learner_rows(signed_in_user(request), version)
    if request.GET.get("format") == "csv":
        return attempts_csv(version, rows)
    return render(
        request,
        "repository/attempts_table.html",
        {"version": version, "resource": version.resource, "rows": rows},
    )


def attempts_csv(version: Version, rows: list[dict[str, Any]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"{version.resource.slug}-v{version.number}-attempts.csv"
    response["Content-Disposition"] = content_disposition_header(True, name)
    writer = csv.writer(response)
    writer.writerow(
        [
            "learner",
            "email",
            "student_id",
            "best_score",
            "attempts",
            "last_state",
            "last_at",
            "last_error_line",
            "last_error",
        ]
    )
    for row in rows:
        learner, last, error = row["learner"], row["last"], row["last_error"]
        writer.writerow(
            [
                _cell(learner.get_full_name() or learner.username),
                _cell(learner.email),
                row["student_id"],
                "" if row["best"] is None else f"{row['best']:.4f}",
                row["count"],
                last.state,
                last.created_at.isoformat(),
                error.error_line if error and error.error_line else "",
                _cell(error.error_summary if error else ""),
            ]
        )
    return response


def _cell(value: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
