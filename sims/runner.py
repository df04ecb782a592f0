"""The headless runner: run a scenario (optionally with a student's controller), check it, save it.

With sandbox=True the engine's loop and the controller run together in ONE sandboxed child process
(a process boundary per step would cost ~16 us, seconds per simulated year). The child sends back
only the actuator trajectory; this trusted process re-derives the physics, metrics, checks and
plots from it after checking it against the engine's limits, so a controller cannot write its own
score. It could still choose a trajectory, which is exactly what it is being graded on.
"""

from __future__ import annotations

import json
import math
import operator
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sims import sandbox as sandbox_module
from sims._child import BOOTSTRAP, RunFailure, build_controller, simulate_job
from sims._io import load_npz, npz_bytes, read_regular_file
from sims.controllers import STUDENT_FILENAME
from sims.engines import EngineResult, FloatArray, TrajectoryError, get_engine
from sims.scenario import Scenario, ScenarioError, load_scenario

#: Time series up to this length are also written as CSV, for spreadsheets.
CSV_MAX_ROWS = 100_000
RESULT_MAX_BYTES = 1 << 20
TRAJECTORY_MAX_BYTES = 256 << 20

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": lambda a, b: math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12),
}


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    value: float
    threshold: float
    message: str


#: The kinds of RunFailure that mean the sandbox killed the run at one of its limits.
KILLS = frozenset({"timeout", "memory", "cpu"})


@dataclass
class RunResult:
    """The outcome of one run; `error` is None unless the run itself failed."""

    passed: bool
    checks: list[CheckResult]
    metrics: dict[str, float]
    artefacts: list[Path]
    error: str | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    error_kind: str = ""  # a RunFailure's kind: "timeout", "memory", "cpu" are KILLS


def _job(scenario: Scenario, source: str | None, memory_bytes: int | None) -> dict[str, Any]:
    c = scenario.controller
    return {
        "engine": scenario.engine,
        "parameters": scenario.parameters,
        "time": scenario.time,
        "controller": {
            "kind": c.kind,
            "name": c.name,
            "options": dict(c.options),
            "entry": c.entry,
        },
        "has_controller": source is not None,
        "memory_mib": (memory_bytes or 0) >> 20,
    }


def _run_sandboxed(
    job: dict[str, Any],
    source: str | None,
    *,
    timeout_s: float,
    limits: sandbox_module.Limits,
    allow_rlimits_only: bool,
) -> tuple[dict[str, FloatArray], dict[str, float]]:
    with sandbox_module.scratch_dir() as scratch:
        (scratch / "job.json").write_text(json.dumps(job), encoding="utf-8")
        if source is not None:
            (scratch / STUDENT_FILENAME).write_text(source, encoding="utf-8")
        try:
            outcome = sandbox_module.run_python(
                BOOTSTRAP,
                scratch,
                timeout_s=timeout_s,
                limits=limits,
                allow_rlimits_only=allow_rlimits_only,
                outputs=("result.json", "trajectory.npz"),
            )
        except sandbox_module.SandboxUnavailable as exc:
            raise RunFailure("sandbox", str(exc)) from None
        if outcome.timed_out:
            raise RunFailure(
                "timeout", f"killed: the run took longer than its time limit of {timeout_s:g} s"
            )
        if outcome.memory_limited:
            raise RunFailure(
                "memory",
                "killed: the run's processes together used more than its memory limit "
                f"({limits.cgroup_memory_bytes >> 20} MiB, temporary files included)",
            )
        if outcome.cpu_limited:
            raise RunFailure(
                "cpu", f"killed: the run used more than its CPU time limit of {limits.cpu_s} s"
            )
        try:
            result = json.loads(read_regular_file(scratch, "result.json", RESULT_MAX_BYTES))
        except (ValueError, OSError):
            detail = outcome.stderr.strip()[-2000:] or "(no output)"
            raise RunFailure(
                "sandbox",
                f"the sandboxed run ended without a result (exit {outcome.returncode}):\n{detail}",
            ) from None
        if not isinstance(result, dict):
            raise RunFailure("sandbox", "the sandboxed run wrote a malformed result")
        if not result.get("ok"):
            raise RunFailure(str(result.get("kind", "engine")), str(result.get("error", "")))
        try:
            trajectory = load_npz(
                read_regular_file(scratch, "trajectory.npz", TRAJECTORY_MAX_BYTES)
            )
        except (ValueError, OSError) as exc:
            raise RunFailure("sandbox", f"unreadable trajectory from the sandbox: {exc}") from None
        timings = {"sandbox_wall_s": outcome.wall_s}
        if isinstance(result.get("simulate_s"), (int, float)):
            timings["simulate_s"] = float(result["simulate_s"])
        return trajectory, timings


def evaluate_checks(scenario: Scenario, metrics: Mapping[str, float]) -> list[CheckResult]:
    out = []
    for check in scenario.checks:
        value = float(metrics.get(check.metric, math.nan))
        passed = not math.isnan(value) and _OPS[check.op](value, check.threshold)
        verdict = "ok" if passed else "FAILED"
        message = f"{check.metric} = {value:.6g} (needs {check.op} {check.threshold:g}): {verdict}"
        out.append(CheckResult(check.name, passed, value, check.threshold, message))
    return out


def _write_outputs(result: EngineResult, out_dir: Path) -> list[Path]:
    metrics_path = out_dir / "metrics.json"
    metrics_path.write_text(json.dumps(result.metrics, indent=2, sort_keys=True) + "\n")
    npz_path = out_dir / "timeseries.npz"
    npz_path.write_bytes(npz_bytes(result.timeseries))
    written = [metrics_path, npz_path]
    columns = list(result.timeseries)
    n = len(next(iter(result.timeseries.values()))) if columns else 0
    if n <= CSV_MAX_ROWS:
        csv_path = out_dir / "timeseries.csv"
        table = np.column_stack([result.timeseries[c] for c in columns]) if columns else None
        with open(csv_path, "w", encoding="utf-8", newline="\n") as f:
            f.write(",".join(columns) + "\n")
            if table is not None:
                np.savetxt(f, table, delimiter=",", fmt="%.10g")
        written.append(csv_path)
    return written


def run_scenario(
    scenario: Scenario | Mapping[str, Any] | str | Path,
    *,
    controller_source: str | None = None,
    variant: str | None = None,
    out_dir: Path,
    sandbox: bool = True,
    timeout_s: float = 60.0,
    allow_rlimits_only: bool = False,
    limits: sandbox_module.Limits | None = None,
    plots: bool = True,
) -> RunResult:
    """Run a scenario headless and write metrics.json, the time series and plots into out_dir.

    `controller_source` replaces the scenario's controller with the student's code; `variant`
    applies that student id's parameters. With sandbox=False everything runs in this process:
    only for trusted code. Raises ScenarioError for an invalid scenario; any failure of the run
    itself (student error, time or memory limit) is returned in RunResult.error.
    """
    from sims.variants import apply_variant

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if variant is not None:
        scenario = apply_variant(scenario, variant)
    source = controller_source
    if source is None and scenario.controller.kind == "student":
        source = scenario.starter_source()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    limits = limits or sandbox_module.Limits(cpu_s=max(1, math.ceil(timeout_s)))
    job = _job(scenario, source, limits.memory_bytes if sandbox else None)
    engine = get_engine(scenario.engine)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    def failed(message: str, kind: str = "") -> RunResult:
        return RunResult(
            passed=False,
            checks=[],
            metrics={},
            artefacts=[],
            error=message,
            parameters=scenario.parameters,
            timings=timings,
            error_kind=kind,
        )

    try:
        if sandbox:
            trajectory, timings = _run_sandboxed(
                job,
                source,
                timeout_s=timeout_s,
                limits=limits,
                # Built-in controllers are our own code: only untrusted code needs bubblewrap.
                allow_rlimits_only=allow_rlimits_only or source is None,
            )
        else:
            trajectory, timings["simulate_s"] = simulate_job(job, source)
    except RunFailure as exc:
        return failed(exc.message, exc.kind)
    try:
        prepared = engine.prepare(scenario.parameters, scenario.time_grid())
        result = engine.finish(prepared, trajectory)
    except TrajectoryError as exc:
        return failed(f"the controller's trajectory breaks the engine's limits: {exc}")
    artefacts = _write_outputs(result, out_dir)
    if plots:
        from sims.plots import render

        artefacts += render(engine.plots(prepared, result), out_dir)
    checks = evaluate_checks(scenario, result.metrics)
    timings["total_s"] = time.perf_counter() - started
    return RunResult(
        passed=all(c.passed for c in checks),
        checks=checks,
        metrics=result.metrics,
        artefacts=artefacts,
        error=None,
        parameters=scenario.parameters,
        timings=timings,
    )


__all__ = [
    "CheckResult",
    "RunFailure",
    "RunResult",
    "ScenarioError",
    "build_controller",
    "evaluate_checks",
    "run_scenario",
    "simulate_job",
]
