"""Benchmark: learners' attempts per sandbox worker process, and queue waits under a class's flood.

Run from the repository root: `python -m tests.bench attempts`.

1. Throughput: one attempt as an attempts worker process runs it (`sims.attempts.run_attempt`:
   the learner's controller in the bubblewrap sandbox, then the trusted re-derivation, the two
   comparison controllers, the checks, the score and the plots) for a one-day and a one-year
   horizon at 1-minute steps, beside, in the same run, a bare loop calling the same controller
   once per step and the engine's own loop with it (no sandbox, no sun, no plots).
2. Fairness: one class submits 500 attempts and another 5 at the same moment, W worker
   processes serve them (service time measured in part 1), and the real dispatcher
   (`repository.actions.attempts.dispatch_attempts`, on a scratch database and the embedded
   broker) decides what goes on the queue; the clock is simulated, so the figures are the
   queueing the dispatcher causes, not this machine's load. Waits are printed for plain FIFO
   (every attempt sent at once, as one queue would hold them) and for the fair share.
3. Capacity: from the measured service time, the worker processes that keep p95
   time-to-result under 30 s for 100,000 attempts in an hour (M/M/c, Erlang C), the
   arithmetic written out in deploy/attempts-capacity.md.
"""

from __future__ import annotations

import copy
import json
import math
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "sims" / "examples"
CLASS_A, CLASS_B = 500, 5
WORKERS = 4
TARGET_S = 30.0
PEAK_PER_HOUR = 100_000


def scenario_for(days: int) -> dict[str, Any]:
    data = json.loads((EXAMPLES / "hill_tracker.json").read_text())
    data = copy.deepcopy(data)
    data["time"] = {
        "start": "2024-01-01T00:00:00Z",
        "end": "2025-01-01T00:00:00Z" if days == 365 else "2024-06-22T00:00:00Z",
        "step": 60,
    }
    if days != 365:
        data["time"]["start"] = "2024-06-21T00:00:00Z"
    data.pop("controller", None)
    data["controller"] = {"kind": "student", "entry": "control"}
    return data


def median(fn: Any, repeats: int) -> tuple[float, Any]:
    times, value = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), value


def throughput() -> dict[str, float]:
    from sims.attempts import run_attempt
    from sims.engines import get_engine
    from sims.scenario import load_scenario

    source = (EXAMPLES / "difference_controller.py").read_text()
    namespace: dict[str, Any] = {}
    exec(compile(source, "controller.py", "exec"), namespace)  # noqa: S102 - our own example
    control = namespace["control"]
    service: dict[str, float] = {}
    for label, days, repeats in (("one day", 1, 3), ("one year", 365, 1)):
        scenario = load_scenario(scenario_for(days))
        steps = scenario.time_grid().n
        with tempfile.TemporaryDirectory() as out:
            attempt_s, result = median(
                lambda s=scenario, o=out: run_attempt(
                    s, source=source, variant=None, out_dir=Path(o), time_limit_s=600
                ),
                repeats,
            )
        assert result.error == "", result.error
        state = {"dt": 60.0, "angle": 0.0}

        def bare(n: int = steps, st: dict[str, float] = state) -> None:
            for _ in range(n):
                control((0.5, 0.4), st)

        bare_s, _ = median(bare, 3)
        engine = get_engine(scenario.engine)
        prepared = engine.prepare(scenario.parameters, scenario.time_grid())
        loop_s, _ = median(lambda p=prepared, e=engine: e.simulate(p, control), 3)
        service[label] = attempt_s
        print(
            f"{label:>8}: {steps:,} steps | attempt {attempt_s:.3f} s "
            f"({1 / attempt_s:.2f} attempts/s per worker process) | engine loop {loop_s:.4f} s | "
            f"bare controller calls {bare_s:.4f} s | attempt / bare = {attempt_s / bare_s:.0f}x, "
            f"engine loop / bare = {loop_s / bare_s:.1f}x | score {result.score}"
        )
    return service


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def queue_waits(service_s: float, *, share: int, fifo: bool = False) -> dict[str, list[float]]:
    """Simulated clock, real dispatcher: waits (start - submit) and results per class."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from repository.actions.attempts import dispatch_attempts
    from repository.models import Attempt, Institution, Resource, Version
    from repository.validation.orders import attempt_of_nonce
    from tests.factories import ResourceFactory, VersionFactory
    from tests.worker import purge, take_all

    settings.ATTEMPTS_IN_FLIGHT_PER_INSTITUTION = share
    Attempt.objects.all().delete()
    purge("attempts")
    a = Institution.objects.get_or_create(slug="class-a", defaults={"name": "Class A"})[0]
    b = Institution.objects.get_or_create(slug="class-b", defaults={"name": "Class B"})[0]
    user = get_user_model().objects.get_or_create(username="bench-learner")[0]
    version = Version.objects.filter(resource__slug="bench-scenario").first()
    if version is None:
        resource = ResourceFactory.create(
            institution=a, slug="bench-scenario", kind=Resource.Kind.SCENARIO
        )
        version = VersionFactory.create(resource=resource)
    start = timezone.now()
    rows = [
        Attempt(
            learner=user,
            version=version,
            institution=pool,
            student_id="x",
            code="x",
            time_limit_s=10,
            created_at=start,
        )
        for pool, n in ((a, CLASS_A), (b, CLASS_B))
        for _ in range(n)
    ]
    Attempt.objects.bulk_create(rows)
    pool_of = dict(Attempt.objects.values_list("pk", "institution__slug"))
    queue: list[int] = []

    def dispatch() -> None:
        dispatch_attempts()
        queue.extend(attempt_of_nonce(order[0]["nonce"]) or 0 for order in take_all("attempts"))
        if fifo:  # one queue in submission order: the whole flood stands in front of class B
            queue.sort()

    dispatch()
    free_at = [0.0] * WORKERS
    running: list[tuple[float, int]] = []
    waits: dict[str, list[float]] = {"class-a": [], "class-b": []}
    results: dict[str, list[float]] = {"class-a": [], "class-b": []}
    now = 0.0
    while queue or running:
        for w in range(WORKERS):
            if queue and free_at[w] <= now:
                attempt_id = queue.pop(0)
                Attempt.objects.filter(pk=attempt_id).update(state="running")
                waits[pool_of[attempt_id]].append(now)
                results[pool_of[attempt_id]].append(now + service_s)
                free_at[w] = now + service_s
                running.append((free_at[w], attempt_id))
        running.sort()
        done_at, attempt_id = running.pop(0)
        now = done_at
        Attempt.objects.filter(pk=attempt_id).update(state="passed")
        dispatch()
    return {"waits_" + k: v for k, v in waits.items()} | {
        "results_" + k: v for k, v in results.items()
    }


def capacity(service_s: float) -> tuple[int, float]:
    """Fewest processes c with p95 time-to-result under TARGET_S (M/M/c), and that p95."""
    if service_s >= TARGET_S:
        return 0, service_s
    arrival = PEAK_PER_HOUR / 3600.0
    mu = 1.0 / service_s
    offered = arrival / mu
    c = max(1, math.ceil(offered))
    while True:
        if c > offered:
            rho = offered / c
            # Erlang B by its recurrence (no factorials: c runs into the hundreds), then C.
            erlang_b = 1.0
            for k in range(1, c + 1):
                erlang_b = offered * erlang_b / (k + offered * erlang_b)
            erlang_c = erlang_b / (1 - rho * (1 - erlang_b))
            # P(wait > t) = C * exp(-(c*mu - lambda) t); the p95 wait solves that = 0.05.
            wait95 = 0.0 if erlang_c <= 0.05 else math.log(erlang_c / 0.05) / (c * mu - arrival)
            if wait95 + service_s < TARGET_S:
                return c, wait95 + service_s
        c += 1


def main() -> None:
    import os

    service = throughput()
    # kombu's in-memory transport: a real broker client and queue, without the filesystem
    # transport's per-message files, which would dominate the simulated 505 dispatches.
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    from tests.bench.django_env import setup_django

    setup_django()
    day = service["one day"]
    print(
        f"\nQueue wait, {WORKERS} worker processes, {day:.2f} s per attempt (one-day horizon), "
        f"class A submits {CLASS_A} and class B {CLASS_B} at once:"
    )
    for label, share in (
        ("FIFO (one queue)", 10**6),
        (f"fair share ({WORKERS}/institution)", WORKERS),
    ):
        figures = queue_waits(day, share=share)
        a95 = percentile(figures["waits_class-a"], 0.95)
        b95 = percentile(figures["waits_class-b"], 0.95)
        print(
            f"  {label:>28}: class B wait p95 {b95:7.1f} s, class A wait p95 {a95:7.1f} s; "
            f"B / A = {b95 / a95:.3f}; B's p95 in attempt times: {b95 / day:.1f}"
        )
    for label in ("one day", "one year"):
        c, p95 = capacity(service[label])
        print(
            f"capacity ({label} horizon, {service[label]:.2f} s each): {c} worker processes keep "
            f"p95 time-to-result at {p95:.1f} s for {PEAK_PER_HOUR:,} attempts an hour "
            f"(utilisation {PEAK_PER_HOUR / 3600 * service[label] / c:.0%})"
            if p95 < TARGET_S
            else f"capacity ({label}): one attempt alone takes {service[label]:.1f} s"
        )
