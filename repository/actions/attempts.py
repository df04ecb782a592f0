"""Learners' attempts: submit their controller code, dispatch it fairly, record and score it.

The flow: `submit_attempt` checks and stores the attempt (queued, in the database) and asks
the trusted workers, through the outbox, to `dispatch_attempts`; that sends work orders to
the `attempts` queue, at most ATTEMPTS_IN_FLIGHT_PER_INSTITUTION per institution at a time,
oldest first with institutions taking turns, so one class's flood waits in the database while
other classes' attempts still go straight to the workers. The untrusted worker runs the code
in the sims sandbox (`sims.attempts.run_attempt`) and sends the result back through the results
exchange; `record_attempt_result` keeps it if the nonce is the attempt's, frees the slot
(dispatching the next), and announces the score.

For the gradebook (LTI's assignment and grade services): `best_score(learner, version)` is the
score to post, and `notify_score_changed` is the one place a finished attempt says so: it
enqueues `repository.tasks.attempt_scored(attempt_id)` through the outbox, after commit.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from repository import queue
from repository.access import attempts_visible_to, can_view, require_in_circulation
from repository.actions.rates import plural, seconds_until_below
from repository.actions.variants import lock_allowances, stored_scenario, student_key
from repository.errors import DomainError, PermissionRefused, RateLimited
from repository.models import Attempt, Institution, Version
from repository.validation import orders
from sims.runner import KILLS

log = logging.getLogger(__name__)

ATTEMPTS_QUEUE = "attempts"
WINDOW = timedelta(minutes=1)
WAITING_RETRY_SECONDS = 15
#: Plots and the learner's metrics kept from a result; the time series stay on the worker.
KEPT_SUFFIXES = (".svg", ".png")


def programmable_scenario(version: Version) -> Any:
    """The version's scenario if learners may program it, else DomainError saying why not."""
    if version.resource.kind != "scenario":
        raise DomainError(
            f"{version.resource.title} is a learning tool, not a simulation scenario: "
            "only scenarios can be programmed."
        )
    scenario, problem = stored_scenario(version)
    if scenario is None:
        raise DomainError(f"{version.resource.title} v{version.number} cannot be run: {problem}.")
    return scenario


def require_published(version: Version) -> None:
    """Attempts run on published versions only: refused, in words, for any other state."""
    require_in_circulation(version)  # withdrawn: says why, and which version to use instead
    if version.state != Version.State.PUBLISHED:
        raise PermissionRefused(
            f"{version.resource.title} v{version.number} is not published yet "
            f"({version.get_state_display().lower()}), so learners cannot run code on it; "
            "attempts open once its institution publishes it."
        )


def check_code(code: str) -> str:
    """The code as it will run; DomainError for empty or oversized code, before anything is kept."""
    size = len(code.encode("utf-8", "surrogatepass"))
    limit = settings.ATTEMPT_CODE_MAX_BYTES
    if size > limit:
        raise DomainError(
            f"Your code is {size // 1024:,} KB; the most accepted is {limit // 1024} KB. "
            "A controller is a few lines: paste only your own functions, not data or output."
        )
    if not code.strip():
        raise DomainError("Write your controller first: the box is empty.")
    if "\x00" in code:
        raise DomainError("Your code holds a NUL character; paste it again as plain text.")
    return code.replace("\r\n", "\n")


def pool_of(learner: User, version: Version) -> Institution | None:
    """The institution an attempt counts against: the scenario's if the learner is in it.

    A learner launched from a VLE belongs to no institution here; they count against the
    institution that registered their platform, so one VLE's class shares its own pool
    instead of every LTI learner sharing the "no institution" one.
    """
    registered_by = (
        Institution.objects.filter(lti_platforms__learners__user=learner).order_by("pk").first()
    )
    if registered_by is not None:
        return registered_by
    institutions = list(
        Institution.objects.filter(memberships__user=learner).order_by("pk").distinct()
    )
    for institution in institutions:
        if institution.pk == version.resource.institution_id:
            return institution
    return institutions[0] if institutions else None


@transaction.atomic
def submit_attempt(version: Version, *, code: str, by: User, from_blocks: bool = False) -> Attempt:
    """Queue a run of `by`'s controller `code` on their own variant of the published `version`.

    Raises PermissionRefused when `by` cannot see the version or it is not published (or
    withdrawn), DomainError for a version that is not a runnable scenario and for empty or
    oversized code, RateLimited (saying when to try again) past the per-learner or
    per-institution allowances. Nothing is stored when it raises.
    """
    from sims.attempts import time_limit
    from sims.variants import variant

    if not by.is_authenticated or not can_view(by, version):
        raise PermissionRefused("Sign in, and choose a scenario you can see, to run your code.")
    require_published(version)
    scenario = programmable_scenario(version)
    code = check_code(code)
    lock_allowances(by)
    pool = pool_of(by, version)
    if pool is not None:  # serialise a class's submissions, so they count one another
        list(Institution.objects.select_for_update().filter(pk=pool.pk).values_list("pk"))
    now = timezone.now()
    refuse_if_over_allowance(by, pool, now=now)
    key = student_key(by)
    attempt = Attempt.objects.create(
        learner=by,
        version=version,
        institution=pool,
        student_id=key,
        parameters=variant(scenario, key) if scenario.variants else {},
        code=code,
        from_blocks=from_blocks,
        time_limit_s=time_limit(scenario, float(settings.ATTEMPT_TIME_LIMIT_SECONDS)),
        created_at=now,
    )
    queue.enqueue("dispatch_attempts", ())
    return attempt


def refuse_if_over_allowance(by: User, pool: Institution | None, *, now: datetime) -> None:
    """Raise RateLimited, saying when to try again, if `by` may not submit one more attempt now.

    The one home of the attempt limits (settings ATTEMPTS_*), counted in the database so every
    web process and API worker sees the same counts.
    """
    mine = Attempt.objects.filter(learner=by)
    waiting = mine.filter(state__in=Attempt.OPEN_STATES).count()
    if waiting >= settings.ATTEMPTS_WAITING_PER_USER:
        raise RateLimited(
            f"You already have {plural(waiting, 'attempt')} waiting or running, the most "
            "allowed at once; wait for one to finish (its page shows its progress), then run again.",
            retry_after=WAITING_RETRY_SECONDS,
        )
    wait = seconds_until_below(
        mine, settings.ATTEMPTS_PER_MINUTE_USER, since=now - WINDOW, field="created_at"
    )
    if wait:
        raise RateLimited(
            f"You have run {plural(settings.ATTEMPTS_PER_MINUTE_USER, 'attempt')} in the last "
            f"minute, the most allowed per person; try again in {plural(wait, 'second')}.",
            retry_after=wait,
        )
    if pool is None:
        theirs = Attempt.objects.filter(institution__isnull=True)
        who = "People with no institution"
    else:
        theirs = Attempt.objects.filter(institution=pool)
        who = f"Learners of {pool.name}"
    open_count = theirs.filter(state__in=Attempt.OPEN_STATES).count()
    if open_count >= settings.ATTEMPTS_WAITING_PER_INSTITUTION:
        raise RateLimited(
            f"{who} have {plural(open_count, 'attempt')} waiting, the most one institution may "
            f"queue at once; try again in {WAITING_RETRY_SECONDS} seconds.",
            retry_after=WAITING_RETRY_SECONDS,
        )
    limit = settings.ATTEMPTS_PER_MINUTE_INSTITUTION
    wait = seconds_until_below(theirs, limit, since=now - WINDOW, field="created_at")
    if wait:
        raise RateLimited(
            f"{who} have run {plural(limit, 'attempt')} in the last minute, the most allowed "
            f"per institution; try again in {plural(wait, 'second')}.",
            retry_after=wait,
        )


# -- dispatch: fair share per institution ---------------------------------------------------


def attempt_order(attempt: Attempt) -> dict[str, Any]:
    """The work order of an attempt: the version's files, the variant and the learner's code."""
    nonce = orders.attempt_nonce(attempt.pk)
    Attempt.objects.filter(pk=attempt.pk).update(order_nonce=nonce)
    attempt.order_nonce = nonce
    return orders.build_order(
        attempt.version,
        nonce=nonce,
        purpose="attempt",
        fetch={"attempt": attempt.pk, "nonce": nonce},
        variant=attempt.student_id if attempt.parameters else None,
        controller_source=attempt.code,
        timeout_s=attempt.time_limit_s,
        memory_mib=settings.ATTEMPT_MEMORY_MIB,
    )


@transaction.atomic
def dispatch_attempts() -> int:
    """Send waiting attempts to the attempts queue, within each institution's in-flight share.

    Oldest first, one per institution per turn, so a class with 500 waiting and a class with
    5 both have attempts on the queue at once. Safe to run concurrently: an attempt is claimed
    by a compare-and-swap on `dispatched_at`. Returns how many were sent.
    """
    share = settings.ATTEMPTS_IN_FLIGHT_PER_INSTITUTION
    open_attempts = Attempt.objects.filter(state__in=Attempt.OPEN_STATES)
    in_flight = dict(
        open_attempts.filter(dispatched_at__isnull=False)
        .values_list("institution")
        .annotate(n=Count("pk"))
        .values_list("institution", "n")
    )
    waiting = (
        open_attempts.filter(dispatched_at__isnull=True)
        .values_list("institution", flat=True)
        .distinct()
    )
    turns: list[list[int]] = []
    for pool in waiting:
        room = share - in_flight.get(pool, 0)
        if room <= 0:
            continue
        ids = list(
            open_attempts.filter(dispatched_at__isnull=True, institution=pool)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)[:room]
        )
        turns.append(ids)
    chosen = [
        ids[i] for i in range(max(map(len, turns), default=0)) for ids in turns if i < len(ids)
    ]
    sent = 0
    now = timezone.now()
    for attempt_id in chosen:
        claimed = Attempt.objects.filter(
            pk=attempt_id, dispatched_at__isnull=True, state=Attempt.State.QUEUED
        ).update(dispatched_at=now)
        if not claimed:
            continue
        attempt = Attempt.objects.select_related("version__resource").get(pk=attempt_id)
        queue.send_order(attempt_order(attempt), queue=ATTEMPTS_QUEUE)
        sent += 1
    return sent


def execute_attempt(attempt_id: int) -> Attempt | None:
    """Run a queued attempt here, as an untrusted worker would, and record its result."""
    from repository.validation.untrusted import run_order

    attempt = (
        Attempt.objects.select_related("version__resource")
        .filter(pk=attempt_id, state=Attempt.State.QUEUED)
        .first()
    )
    if attempt is None:
        return None
    Attempt.objects.filter(pk=attempt.pk).update(dispatched_at=timezone.now())
    order = attempt_order(attempt)
    return record_attempt_result(order["nonce"], run_order(order))


# -- results ---------------------------------------------------------------------------------

#: What an attempt's result must hold, checked before any of it is read (the worker ran
#: the learner's code, so its bytes are theirs to shape).
_NUMBERS = {
    "type": "object",
    "maxProperties": 100,
    "additionalProperties": {"type": ["number", "null"]},
}
ATTEMPT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["status"],
    "properties": {
        "status": {"enum": ["passed", "failed", "error"]},
        "metrics": _NUMBERS,
        "comparisons": {
            "type": "array",
            "maxItems": 5,
            "items": {"type": "object", "maxProperties": 100},
        },
        "checks": {
            "type": "array",
            "maxItems": 50,
            "items": {
                "type": "object",
                "required": ["name", "passed", "message"],
                "properties": {
                    "name": {"type": "string", "maxLength": 200},
                    "passed": {"type": "boolean"},
                    "message": {"type": "string", "maxLength": 1000},
                },
            },
        },
        "score": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
        "grade": {"type": "string", "maxLength": 60},
        "error": {"type": "string", "maxLength": 20_000},
        "error_line": {"type": ["integer", "null"], "minimum": 1, "maximum": 1_000_000},
    },
}


def attempt_problem(result: dict[str, Any]) -> str | None:
    import jsonschema

    problem = orders.result_problem(result)
    if problem is not None:
        return problem
    if "unavailable" in result:
        return None
    outcome = (result.get("artefacts") or {}).get("attempt")
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(ATTEMPT_SCHEMA).iter_errors(outcome)
    )
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "the attempt"
    return f"artefacts/attempt/{where}: {error.message[:300]}"


def record_attempt_progress(nonce: str) -> bool:
    """The untrusted worker took the order: the attempt shows as running."""
    attempt_id = orders.attempt_of_nonce(nonce)
    return bool(
        attempt_id
        and Attempt.objects.filter(
            pk=attempt_id, order_nonce=nonce, state=Attempt.State.QUEUED
        ).update(state=Attempt.State.RUNNING, started_at=timezone.now())
    )


@transaction.atomic
def record_attempt_result(nonce: str, result: dict[str, Any]) -> Attempt | None:
    """Keep an attempt's metrics, comparisons, checks, score and plots, if `nonce` is its order's.

    A result for an attempt that is finished, or carrying another nonce, changes nothing.
    Then the next waiting attempts are dispatched, and a new score is announced.
    """
    attempt_id = orders.attempt_of_nonce(nonce)
    attempt = (
        Attempt.objects.select_for_update()
        .filter(pk=attempt_id, order_nonce=nonce, state__in=Attempt.OPEN_STATES)
        .first()
        if attempt_id
        else None
    )
    if attempt is None:
        return None
    problem = attempt_problem(result)
    if problem is not None:
        log.error("attempt %s: malformed result: %s", attempt.pk, problem)
        done = finish(attempt, Attempt.State.UNFINISHED, error=orders.malformed_message(problem))
    elif "unavailable" in result:
        done = finish(
            attempt,
            Attempt.State.UNFINISHED,
            error=f"This attempt could not be run: {str(result['unavailable'])[:2000]}. "
            "This is our fault, not your code's: run it again.",
        )
    else:
        outcome = result["artefacts"]["attempt"]
        state = {
            "passed": Attempt.State.PASSED,
            "failed": Attempt.State.FAILED,
            "error": Attempt.State.ERROR,
        }[outcome["status"]]
        done = finish(
            attempt,
            state,
            metrics=orders.plain(outcome.get("metrics") or {}),
            comparisons=orders.plain(outcome.get("comparisons") or []),
            checks=[
                {"name": c["name"], "passed": c["passed"], "message": c["message"]}
                for c in outcome.get("checks") or []
            ],
            score=outcome.get("score"),
            grade=str(outcome.get("grade") or ""),
            error=str(outcome.get("error") or ""),
            error_line=outcome.get("error_line"),
            killed_by=killed_by(outcome),
            files=[f for f in orders.store_files(result) if f["name"].endswith(KEPT_SUFFIXES)],
        )
    queue.enqueue("dispatch_attempts", ())
    if done is not None and done.score is not None:
        notify_score_changed(done)
    return done


def killed_by(outcome: dict[str, Any]) -> str:
    """The sandbox limit that killed the run, as the worker reported it; "" if none did."""
    kind = outcome.get("error_kind")
    return kind if isinstance(kind, str) and kind in KILLS else ""


def finish(attempt: Attempt, state: str, **fields: Any) -> Attempt | None:
    # Compare-and-swap on the nonce: of two copies of one result, only the first is kept.
    kept = Attempt.objects.filter(pk=attempt.pk, order_nonce=attempt.order_nonce).update(
        state=state, finished_at=timezone.now(), order_nonce="", **fields
    )
    attempt.refresh_from_db()
    return attempt if kept else None


def notify_score_changed(attempt: Attempt) -> None:
    """Say, after commit, that `attempt.learner`'s scores on this scenario version changed.

    The gradebook integration (LTI AGS) hangs off the `attempt_scored` task this enqueues; it
    should post `best_score(attempt.learner, attempt.version)`.
    """
    queue.enqueue("attempt_scored", (attempt.pk,))


def best_score(learner: User, version: Version) -> float | None:
    """The learner's best score on `version` (0 to 1), or None before any scored attempt."""
    best: float | None = Attempt.objects.filter(
        learner=learner, version=version, score__isnull=False
    ).aggregate(best=Max("score"))["best"]
    return best


def latest_score(learner: User, version: Version) -> float | None:
    """The score of the learner's newest scored attempt on `version`, or None before any."""
    latest: float | None = (
        Attempt.objects.filter(learner=learner, version=version, score__isnull=False)
        .order_by("-created_at", "-pk")
        .values_list("score", flat=True)
        .first()
    )
    return latest


LOST_MESSAGE = (
    "This attempt could not be finished (its worker stopped or its order was lost); "
    "this is our fault, not your code's: run it again."
)


def reap_attempts() -> int:
    """End the open attempts whose worker or order was lost: "could not finish", our fault.

    A running attempt is lost once it has run past its own time limit plus
    ATTEMPT_GRACE_SECONDS: the sandbox stops the learner's code at the limit, so only a worker
    that died (or a result that was lost) leaves it open longer. Anything else still open past
    ATTEMPT_DEADLINE_SECONDS (an order never taken) is ended too. A late result is ignored.
    """
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.ATTEMPT_DEADLINE_SECONDS)
    # Few attempts run at once (the in-flight shares bound them), so their deadlines are
    # worked out here rather than in SQL date arithmetic, which each engine spells differently.
    grace = timedelta(seconds=settings.ATTEMPT_GRACE_SECONDS)
    overdue = [
        pk
        for pk, started, limit in Attempt.objects.filter(
            state=Attempt.State.RUNNING, started_at__isnull=False
        ).values_list("pk", "started_at", "time_limit_s")
        if started is not None and started + timedelta(seconds=limit) + grace < now
    ]
    lost = Attempt.objects.filter(state__in=Attempt.OPEN_STATES).filter(
        Q(created_at__lt=cutoff) | Q(pk__in=overdue)
    )
    ended = lost.update(
        state=Attempt.State.UNFINISHED, finished_at=now, order_nonce="", error=LOST_MESSAGE
    )
    if ended:
        queue.enqueue("dispatch_attempts", ())
    return ended


# -- reading ---------------------------------------------------------------------------------


def learner_rows(user: User, version: Version) -> list[dict[str, Any]]:
    """One row per learner whose attempts on `version` `user` may see: best, count, last."""
    visible = attempts_visible_to(user).filter(version=version)
    summary = (
        visible.values("learner")
        .annotate(best=Max("score"), count=Count("pk"), last_at=Max("created_at"))
        .order_by("-last_at")
    )
    rows = []
    for row in summary[:1000]:
        theirs = visible.filter(learner=row["learner"]).select_related("learner")
        last = theirs.order_by("-created_at", "-pk").first()
        last_error = (
            theirs.filter(Q(state=Attempt.State.ERROR) | Q(state=Attempt.State.UNFINISHED))
            .order_by("-created_at", "-pk")
            .first()
        )
        if last is None:
            continue
        rows.append(
            {
                "learner": last.learner,
                "student_id": last.student_id,
                "best": row["best"],
                "count": row["count"],
                "last": last,
                "last_error": last_error,
            }
        )
    return rows
