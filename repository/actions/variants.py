"""Per-student variants of a scenario: queue a run with one student's parameters, and run it."""

import json
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from repository import queue
from repository.access import can_view
from repository.errors import DomainError, PermissionRefused
from repository.models import VariantRun, Version
from repository.storage import blobs
from repository.validation.steps import materialized, store_artefact

MAX_STUDENT_ID = 120


def version_scenario(version: Version) -> Any:
    """The version's scenario parsed by sims, or None when it is not a valid scenario."""
    from sims.scenario import ScenarioError, load_scenario

    if version.resource.kind != "scenario":
        return None
    sha = version.files.filter(path=version.entry_point).values_list("blob_id", flat=True).first()
    if sha is None:
        return None
    try:
        return load_scenario(json.loads(blobs.read_blob(sha)))
    except (ScenarioError, ValueError):
        return None


@transaction.atomic
def request_variant_run(version: Version, *, student_id: str, by: AbstractBaseUser) -> VariantRun:
    """Queue a sandboxed run of `version` with `student_id`'s parameters.

    The same variant always gives the same results, so an earlier run is reused (one that
    could not run is queued again). Raises DomainError when the version is not a scenario with
    variants or the id is empty or too long, PermissionRefused when `by` cannot see it.
    """
    from sims.variants import variant

    student_id = student_id.strip()
    if not student_id or len(student_id) > MAX_STUDENT_ID:
        raise DomainError(f"Give a student id of 1 to {MAX_STUDENT_ID} characters.")
    if not by.is_authenticated or not can_view(by, version):
        raise PermissionRefused("Sign in, and choose a version you can see, to run a variant.")
    scenario = version_scenario(version)
    if scenario is None or not scenario.variants:
        raise DomainError(f"{version.resource.title} v{version.number} declares no variants.")
    run, created = VariantRun.objects.select_for_update().get_or_create(
        version=version,
        student_id=student_id,
        defaults={"requested_by": by, "parameters": variant(scenario, student_id)},
    )
    if not created and run.state == VariantRun.State.ERROR:
        VariantRun.objects.filter(pk=run.pk).update(state=VariantRun.State.QUEUED)
        run.state = VariantRun.State.QUEUED
    if run.state == VariantRun.State.QUEUED:
        queue.enqueue_variant_run(run.pk)
    return run


def execute_variant_run(run_id: int) -> VariantRun | None:
    """Run a queued variant in the sims sandbox and keep its metrics, checks and plots."""
    from sims.runner import run_scenario
    from sims.scenario import ScenarioError

    claimed = VariantRun.objects.filter(pk=run_id, state=VariantRun.State.QUEUED).update(
        state=VariantRun.State.RUNNING
    )
    if not claimed:
        return None
    run = VariantRun.objects.select_related("version__resource").get(pk=run_id)
    version = run.version
    with materialized(version) as (root, out):
        try:
            result = run_scenario(
                root / version.entry_point,
                variant=run.student_id,
                out_dir=out,
                sandbox=True,
                timeout_s=120.0,
            )
        except ScenarioError as exc:
            return finish(run, VariantRun.State.ERROR, messages=[str(exc)])
        files = [
            store_artefact(p) for p in result.artefacts if p.suffix in {".svg", ".png", ".json"}
        ]
    if result.error:
        return finish(run, VariantRun.State.ERROR, messages=[result.error], files=files)
    return finish(
        run,
        VariantRun.State.PASSED if result.passed else VariantRun.State.FAILED,
        messages=[f"{'✓' if c.passed else '✗'} {c.name}: {c.message}" for c in result.checks],
        metrics=result.metrics,
        files=files,
    )


def finish(run: VariantRun, state: str, **fields: Any) -> VariantRun:
    fields = {"messages": [], "metrics": {}, "files": [], **fields}
    VariantRun.objects.filter(pk=run.pk).update(state=state, finished_at=timezone.now(), **fields)
    run.refresh_from_db()
    return run
