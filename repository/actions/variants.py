"""Per-student variants of a scenario: queue a run with one student's parameters, and run it."""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from repository import queue
from repository.access import can_view, require_in_circulation
from repository.actions.rates import plural, seconds_until_below
from repository.errors import DomainError, PermissionRefused, RateLimited
from repository.guards import safejson
from repository.models import Institution, StudentKey, VariantRun, Version
from repository.storage import blobs
from repository.validation import orders

log = logging.getLogger(__name__)

MAX_STUDENT_ID = 120
ALLOWANCE_WINDOW = timedelta(minutes=1)
# No time can be promised while one's own runs are waiting: a hint for Retry-After only.
WAITING_RETRY_SECONDS = 30


def version_scenario(version: Version) -> Any:
    """The version's scenario parsed by sims, or None when it is not a valid scenario."""
    return stored_scenario(version)[0]


def scenario_problem(version: Version) -> str:
    """Why the stored scenario of a scenario version cannot be shown or run ("" if it can)."""
    return stored_scenario(version)[1]


def stored_scenario(version: Version) -> tuple[Any, str]:
    """(scenario, "") or (None, why not): never raises on stored bytes, whatever they hold.

    Pages render this for everyone, so stored data that passed older, looser checks (a
    scenario nested 480 deep made copy.deepcopy overflow: a 500 on every page of it) is
    bounded before sims sees it. Memoised on the instance: one page asks several times.
    """
    cached: tuple[Any, str] | None = getattr(version, "_stored_scenario", None)
    if cached is None:
        cached = parse_stored_scenario(version)
        version._stored_scenario = cached  # type: ignore[attr-defined]
    return cached


def parse_stored_scenario(version: Version) -> tuple[Any, str]:
    from sims.scenario import MAX_SCENARIO_BYTES, ScenarioError, load_scenario

    if version.resource.kind != "scenario":
        return None, ""
    entry = version.files.filter(path=version.entry_point).values_list("blob_id", "blob__size")
    if not entry:
        return None, f"its scenario file {version.entry_point} is not in the version"
    sha, size = entry[0]
    if size > MAX_SCENARIO_BYTES:
        return None, f"its scenario file is {size} bytes, over the {MAX_SCENARIO_BYTES} allowed"
    try:
        return load_scenario(safejson.loads(blobs.read_blob(sha))), ""
    except safejson.JSONTooDeep as exc:
        return None, f"it is nested too deep ({exc.msg})"
    except ScenarioError as exc:
        return None, f"it is not a valid scenario ({exc})"
    except ValueError as exc:  # not UTF-8 or not JSON
        return None, f"its scenario file is not valid JSON ({exc})"


@transaction.atomic
def request_variant_run(version: Version, *, student_id: str, by: User) -> VariantRun:
    """Queue a sandboxed run of `version` with `student_id`'s parameters, as `by`'s own run.

    The same variant always gives the same results, so `by`'s earlier run of it is reused (one
    that could not run is queued again). Raises DomainError when the version is not a scenario
    with variants or the id is empty or too long, PermissionRefused when `by` cannot see it,
    RateLimited when queueing it would exceed `by`'s or their institution's allowance.
    """
    from sims.variants import variant

    student_id = student_id.strip()
    if not student_id or len(student_id) > MAX_STUDENT_ID:
        raise DomainError(f"Give a student id of 1 to {MAX_STUDENT_ID} characters.")
    if not by.is_authenticated or not can_view(by, version):
        raise PermissionRefused("Sign in, and choose a version you can see, to run a variant.")
    require_in_circulation(version)
    scenario = version_scenario(version)
    if scenario is None or not scenario.variants:
        raise DomainError(f"{version.resource.title} v{version.number} declares no variants.")
    pools = lock_allowances(by)
    run = VariantRun.objects.filter(version=version, requested_by=by, student_id=student_id).first()
    if run is not None and run.state != VariantRun.State.ERROR:
        return run
    now = timezone.now()
    refuse_if_over_allowance(by, pools, now=now)
    if run is None:
        run = VariantRun.objects.create(
            version=version,
            student_id=student_id,
            requested_by=by,
            parameters=variant(scenario, student_id),
            queued_at=now,
        )
    else:
        VariantRun.objects.filter(pk=run.pk).update(state=VariantRun.State.QUEUED, queued_at=now)
        run.state, run.queued_at = VariantRun.State.QUEUED, now
    queue.enqueue_variant_run(run.pk)
    return run


def student_key(user: User) -> str:
    """The opaque student id offered to `user` for variants: theirs for good, and no address."""
    return StudentKey.objects.get_or_create(user=user)[0].value


def lock_allowances(by: User) -> list[Institution | None]:
    """Lock `by` and their institutions, so concurrent requests count one another's runs.

    Returns the pools whose per-institution allowance applies: each of `by`'s institutions,
    or [None] (everyone with no institution, together) when they belong to none. On SQLite
    the immediate transactions (deploy/settings.py) already serialize every request.
    """
    list(get_user_model().objects.select_for_update().filter(pk=by.pk).values_list("pk"))
    pools: list[Institution | None] = [
        *Institution.objects.select_for_update(of=("self",))
        .filter(memberships__user=by)
        .order_by("pk")
    ]
    return pools or [None]


def refuse_if_over_allowance(by: User, pools: list[Institution | None], *, now: datetime) -> None:
    """Raise RateLimited, saying when to try again, if `by` may not queue one more run now.

    The one home of the variant-run limits: runs waiting or running per person, and runs queued
    in the last minute per person and per institution (settings VARIANT_RUNS_*). Counted in the
    database, so every web process and API worker sees the same counts.
    """
    mine = VariantRun.objects.filter(requested_by=by)
    waiting = mine.filter(state__in=[VariantRun.State.QUEUED, VariantRun.State.RUNNING]).count()
    if waiting >= settings.VARIANT_RUNS_WAITING_PER_USER:
        raise RateLimited(
            f"You have {plural(waiting, 'variant run')} waiting or running, the most allowed at once; "
            "try again when one of them has finished (its page shows when).",
            retry_after=WAITING_RETRY_SECONDS,
        )
    since = now - ALLOWANCE_WINDOW
    wait = seconds_until_below(
        mine, settings.VARIANT_RUNS_PER_MINUTE_USER, since=since, field="queued_at"
    )
    if wait:
        raise RateLimited(
            f"You have asked for {plural(settings.VARIANT_RUNS_PER_MINUTE_USER, 'variant run')} in the "
            f"last minute, the most allowed per person; try again in {plural(wait, 'second')}.",
            retry_after=wait,
        )
    for pool in pools:
        if pool is None:
            runs = VariantRun.objects.filter(
                requested_by__isnull=False, requested_by__memberships__isnull=True
            )
            who = "People with no institution have"
        else:
            runs = VariantRun.objects.filter(requested_by__memberships__institution=pool)
            who = f"Members of {pool.name} have"
        limit = settings.VARIANT_RUNS_PER_MINUTE_INSTITUTION
        wait = seconds_until_below(runs, limit, since=since, field="queued_at")
        if wait:
            raise RateLimited(
                f"{who} asked for {plural(limit, 'variant run')} in the last minute, the most allowed "
                f"per institution; try again in {plural(wait, 'second')}.",
                retry_after=wait,
            )


ATTEMPTS_QUEUE = "attempts"


def variant_order(run: VariantRun) -> dict[str, Any]:
    """The work order of a variant run: the version's files and the student's id, nothing else."""
    nonce = orders.variant_nonce(run.pk)
    # Stored, not only signed: a result is recorded for this order alone, and only once.
    VariantRun.objects.filter(pk=run.pk).update(order_nonce=nonce)
    run.order_nonce = nonce
    return orders.build_order(
        run.version,
        nonce=nonce,
        purpose="variant",
        fetch={"variant": run.pk, "nonce": nonce},
        variant=run.student_id,
    )


def dispatch_variant_run(run_id: int) -> None:
    """Send a queued variant run to the learners' queue, whose untrusted workers run it.

    Learners' runs never share a queue with validation, so a flood of them cannot delay a
    deposit's verdict.
    """
    run = (
        VariantRun.objects.select_related("version__resource")
        .filter(pk=run_id, state=VariantRun.State.QUEUED)
        .first()
    )
    if run is not None:
        queue.send_order(variant_order(run), queue=ATTEMPTS_QUEUE)


def execute_variant_run(run_id: int) -> VariantRun | None:
    """Run a queued variant here, as an untrusted worker would, and record its result."""
    from repository.validation.untrusted import run_order

    run = (
        VariantRun.objects.select_related("version__resource")
        .filter(pk=run_id, state=VariantRun.State.QUEUED)
        .first()
    )
    if run is None:
        return None
    order = variant_order(run)
    return record_variant_result(order["nonce"], run_order(order))


def record_variant_progress(nonce: str) -> bool:
    """The untrusted worker took the order: the run shows as running."""
    run_id = orders.variant_of_nonce(nonce)
    return bool(
        run_id
        and VariantRun.objects.filter(
            pk=run_id, order_nonce=nonce, state=VariantRun.State.QUEUED
        ).update(state=VariantRun.State.RUNNING)
    )


def record_variant_result(nonce: str, result: dict[str, Any]) -> VariantRun | None:
    """Keep a variant run's metrics, checks and plots, if `nonce` is one we gave it."""
    run_id = orders.variant_of_nonce(nonce)
    open_states = [VariantRun.State.QUEUED, VariantRun.State.RUNNING]
    run = (
        VariantRun.objects.filter(pk=run_id, order_nonce=nonce, state__in=open_states).first()
        if run_id
        else None
    )
    if run is None:
        return None
    problem = orders.result_problem(result)
    if problem is not None:
        log.error("variant run %s: malformed result: %s", run.pk, problem)
        return finish(run, VariantRun.State.ERROR, messages=[orders.malformed_message(problem)])
    if "unavailable" in result:
        return finish(run, VariantRun.State.ERROR, messages=[str(result["unavailable"])[:2000]])
    states = {"passed": VariantRun.State.PASSED, "failed": VariantRun.State.FAILED}
    state = states.get(str(result.get("status")), VariantRun.State.ERROR)
    fields: dict[str, Any] = {"messages": orders.messages_of(result)}
    if state != VariantRun.State.ERROR:
        fields["metrics"] = orders.plain(result.get("metrics") or {})
    fields["files"] = [
        f for f in orders.store_files(result) if f["name"].endswith((".svg", ".png", ".json"))
    ]
    return finish(run, state, **fields)


def finish(run: VariantRun, state: str, **fields: Any) -> VariantRun | None:
    fields = {"messages": [], "metrics": {}, "files": [], **fields}
    # Compare-and-swap on the nonce: of two copies of one result, only the first is kept.
    kept = VariantRun.objects.filter(pk=run.pk, order_nonce=run.order_nonce).update(
        state=state, finished_at=timezone.now(), order_nonce="", **fields
    )
    run.refresh_from_db()
    return run if kept else None


def reap_variant_runs() -> int:
    """End the variant runs still queued or running past VARIANT_RUN_DEADLINE_SECONDS.

    Their worker died or their order was lost; left open they would count against the
    learner's waiting allowance forever. A late result for them is ignored (nonce cleared).
    """
    cutoff = timezone.now() - timedelta(seconds=settings.VARIANT_RUN_DEADLINE_SECONDS)
    return VariantRun.objects.filter(
        state__in=[VariantRun.State.QUEUED, VariantRun.State.RUNNING], queued_at__lt=cutoff
    ).update(
        state=VariantRun.State.ERROR,
        finished_at=timezone.now(),
        order_nonce="",
        messages=[
            "This run could not be finished (its worker stopped or its order was lost); "
            "this is our fault: ask for the run again."
        ],
    )
