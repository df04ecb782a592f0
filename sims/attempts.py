"""A learner's attempt: their controller run in the sandbox, compared with built-ins, and scored.

The learner's code runs exactly as `sims.runner` runs any untrusted controller (engine loop and
controller in ONE sandboxed process, only the trajectory comes back). Everything else happens
here, in the trusted process, from one `prepare` of the engine: the learner's metrics are
re-derived from their trajectory, the scenario's comparison controllers (built-in, our own code,
so run in-process) are simulated on the same prepared sky, the checks and the score are worked
out, and the plots drawn. Nothing random is involved: the same code and variant always give
the same result, score included.

A scenario says how attempts are run and scored in its optional `attempts` block:

    "attempts": {
      "time_limit_s": 10,
      "compare": [{"name": "pid", "label": "built-in sensor controller"},
                  {"name": "fixed", "label": "fixed panel"}],
      "score": {"metric": "energy_ratio", "zero_at": 0.5, "full_marks_at": 1.0,
                "thresholds": [{"at": 0.9, "label": "pass"}, {"at": 0.97, "label": "excellent"}]}
    }
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sims import sandbox as sandbox_module
from sims._child import RunFailure
from sims.controllers import STUDENT_FILENAME
from sims.engines import TrajectoryError, get_engine
from sims.runner import CheckResult, _job, _run_sandboxed, evaluate_checks
from sims.scenario import MAX_CONTROLLER_BYTES, Scenario, load_scenario

#: Comparison controllers used when a scenario declares none (those its engine has).
DEFAULT_COMPARE = (
    {"name": "pid", "label": "built-in sensor controller"},
    {"name": "fixed", "label": "fixed panel"},
)
#: The score used when a scenario declares none, when the engine has this metric.
DEFAULT_SCORE = {"metric": "energy_ratio", "zero_at": 0.0, "full_marks_at": 1.0}
DEFAULT_TIME_LIMIT_S = 10.0
DEFAULT_MEMORY_BYTES = 512 << 20
#: What the learner's run may write: its trajectory (a year of minutes is 4 MiB) and its prints.
DEFAULT_OUTPUT_BYTES = 16 << 20

#: The plots drawn for an attempt when the engine has them: angle against the sun, the sensors
#: and their difference (the error signal), and power.
ATTEMPT_PLOTS = ("angles", "sensors", "power")

_LINE = re.compile(r'File "' + re.escape(STUDENT_FILENAME) + r'", line (\d+)')


@dataclass
class AttemptResult:
    """What a learner sees of one attempt. `error` is set when their run could not finish."""

    status: str  # passed | failed | error
    metrics: dict[str, float] = field(default_factory=dict)
    comparisons: list[dict[str, Any]] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    score: float | None = None
    grade: str = ""
    error: str = ""
    error_kind: str = ""
    error_line: int | None = None
    artefacts: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "metrics": self.metrics,
            "comparisons": self.comparisons,
            "checks": [
                {
                    "name": c.name,
                    "passed": c.passed,
                    "value": _finite(c.value),
                    "message": c.message,
                }
                for c in self.checks
            ],
            "score": self.score,
            "grade": self.grade,
            "error": self.error,
            "error_kind": self.error_kind,
            "error_line": self.error_line,
            "timings": self.timings,
        }


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def time_limit(scenario: Scenario, default: float = DEFAULT_TIME_LIMIT_S) -> float:
    """The scenario's own attempt time limit, else the site's `default`."""
    return float(scenario.attempts.get("time_limit_s", default))


def comparisons_of(scenario: Scenario) -> list[dict[str, Any]]:
    """The built-in controllers an attempt is compared with (the first is the baseline)."""
    declared = scenario.attempts.get("compare")
    if declared:
        return [dict(c) for c in declared]
    engine = get_engine(scenario.engine)
    found = [dict(c) for c in DEFAULT_COMPARE if c["name"] in engine.builtin_controllers]
    return found or [{"name": name} for name in sorted(engine.builtin_controllers)[:1]]


def score_spec(scenario: Scenario) -> dict[str, Any] | None:
    declared = scenario.attempts.get("score")
    if declared:
        return dict(declared)
    if DEFAULT_SCORE["metric"] in get_engine(scenario.engine).metrics:
        return dict(DEFAULT_SCORE)
    return None


def score_of(
    spec: Mapping[str, Any] | None, metrics: Mapping[str, float]
) -> tuple[float | None, str]:
    """(score in [0, 1] rounded to 4 places, the highest threshold label reached), or (None, "")."""
    if spec is None or spec["metric"] not in metrics:
        return None, ""
    value = float(metrics[spec["metric"]])
    if not math.isfinite(value):
        return 0.0, ""
    zero, full = float(spec.get("zero_at", 0.0)), float(spec.get("full_marks_at", 1.0))
    score = round(min(1.0, max(0.0, (value - zero) / (full - zero))), 4)
    grade = ""
    ascending = full > zero
    for threshold in sorted(spec.get("thresholds", []), key=lambda t: float(t["at"])):
        reached = value >= float(threshold["at"]) if ascending else value <= float(threshold["at"])
        if reached:
            grade = str(threshold["label"])
    return score, grade


def error_line(message: str) -> int | None:
    """The last line of the learner's file named in an error message (the innermost frame)."""
    found = _LINE.findall(message)
    return int(found[-1]) if found else None


def _entry_line(source: str, entry: str) -> int | None:
    """The line of `def <entry>(`: where a bad return value is to be looked for."""
    for number, line in enumerate(source.splitlines(), start=1):
        if re.match(rf"\s*def\s+{re.escape(entry)}\s*\(", line):
            return number
    return None


#: A traceback longer than this keeps its start and its end (a deep recursion repeats one frame).
MAX_ERROR_CHARS = 6000


def shortened(message: str) -> str:
    if len(message) <= MAX_ERROR_CHARS:
        return message
    head, tail = message[:1500], message[-3500:]
    cut = message[1500:-3500].count("\n")
    return f"{head}\n... ({cut} lines of repeated frames left out) ...\n{tail}"


def failure(kind: str, message: str, source: str, entry: str) -> AttemptResult:
    message = shortened(message)
    line = error_line(message)
    if line is None and kind == "controller":
        line = _entry_line(source, entry)
        if line is not None:
            message += f"\n(look at what `{entry}`, defined on line {line}, returns)"
    if kind in {"timeout", "cpu"}:
        message += (
            "\nIs there a loop that never ends (a `while` whose condition stays true)? "
            "The controller is called once per step: it should return at once."
        )
    if kind == "memory":
        message += "\nDoes your code keep a list that grows every step? Keep only what you need."
    return AttemptResult(status="error", error=message, error_kind=kind, error_line=line)


def run_attempt(
    scenario: Scenario | Mapping[str, Any] | str | Path,
    *,
    source: str,
    variant: str | None,
    out_dir: Path,
    time_limit_s: float | None = None,
    limits: sandbox_module.Limits | None = None,
    plots: bool = True,
) -> AttemptResult:
    """Run the learner's `source` as the scenario's controller, compare it and score it.

    Raises ScenarioError for an invalid scenario; everything the learner's code does wrong
    (syntax, exceptions, wrong return value, NaN, loops, memory) is in the result's `error`.
    """
    from sims.variants import apply_variant

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if variant is not None:
        scenario = apply_variant(scenario, variant)
    entry = scenario.controller.entry or "control"
    if len(source.encode("utf-8")) > MAX_CONTROLLER_BYTES:
        return failure(
            "student", f"{STUDENT_FILENAME}: over {MAX_CONTROLLER_BYTES} bytes", source, entry
        )
    timeout = float(time_limit_s if time_limit_s is not None else time_limit(scenario))
    limits = limits or sandbox_module.Limits(
        cpu_s=max(1, math.ceil(timeout)),
        memory_bytes=DEFAULT_MEMORY_BYTES,
        file_bytes=DEFAULT_OUTPUT_BYTES,
        nproc=16,
    )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    job = _job(scenario, source, limits.memory_bytes)
    job["controller"]["entry"] = entry
    try:
        trajectory, timings = _run_sandboxed(
            job, source, timeout_s=timeout, limits=limits, allow_rlimits_only=False
        )
    except RunFailure as exc:
        return failure(exc.kind, exc.message, source, entry)
    engine = get_engine(scenario.engine)
    prepared = engine.prepare(scenario.parameters, scenario.time_grid())
    try:
        result = engine.finish(prepared, trajectory)
    except TrajectoryError as exc:
        return failure("controller", f"{STUDENT_FILENAME}: {exc}", source, entry)
    comparisons = []
    for spec in comparisons_of(scenario):
        controller = engine.builtin_controller(spec["name"], spec.get("options", {}), prepared)
        theirs = engine.finish(prepared, engine.simulate(prepared, controller))
        comparisons.append(
            {"name": spec["name"], "label": spec.get("label", spec["name"]), **theirs.metrics}
        )
    artefacts: list[Path] = []
    if plots:
        from sims.plots import render

        # Drawing is most of an attempt's cost: the plots a learner reads first, as PNG only.
        specs = engine.plots(prepared, result)
        chosen = [spec for spec in specs if spec.name in ATTEMPT_PLOTS] or specs
        artefacts = render(chosen, out_dir, formats=("png",), quick=True)
    checks = evaluate_checks(scenario, result.metrics)
    score, grade = score_of(score_spec(scenario), result.metrics)
    return AttemptResult(
        status="passed" if all(c.passed for c in checks) else "failed",
        metrics=dict(result.metrics),
        comparisons=comparisons,
        checks=checks,
        score=score,
        grade=grade,
        artefacts=artefacts,
        timings=timings,
    )


#: The controller contract in plain words, per engine (and panel kind), for the "Program it" page.
CONTRACTS: dict[str, dict[str, Any]] = {
    "solar_tracker/single": {
        "signature": "def control(sensors, state):",
        "inputs": [
            "sensors: a pair (west, east) of light readings in suns (1 sun = 1000 W/m²), "
            "from two sensors tilted either side of the panel; 0 when the sun is down or "
            "behind the hill",
        ],
        "state": [
            "state['angle']: the panel's angle now, in degrees (0 flat on the hill, "
            "positive towards the west)",
            "state['dt']: seconds between two calls",
            "state['limits']: the lowest and highest angle, in degrees",
            "state['max_step']: the most the motor turns in one step, in degrees",
            "you may keep your own values in state between calls (state['last'] = ...)",
        ],
        "output": "the motor speed in degrees per second (a number: positive turns west, "
        "negative east); the motor's own limit caps it",
        "hint": "Turn towards the brighter sensor: the difference west - east is the error signal.",
    },
    "solar_tracker/dual": {
        "signature": "def control(sensors, state):",
        "inputs": [
            "sensors: four light readings in suns: (west, east, equator side, pole side)",
        ],
        "state": [
            "state['angle'] and state['tilt']: the panel's rotation and tilt now, in degrees",
            "state['dt']: seconds between two calls",
            "state['limits'], state['tilt_limits']: the lowest and highest of each, in degrees",
        ],
        "output": "a pair (rotation speed, tilt speed) in degrees per second",
        "hint": "Each axis has its own pair of sensors: steer each by their difference.",
    },
    "predator_prey": {
        "signature": "def control(sensors, state):",
        "inputs": ["sensors: the pair (prey, predators), the populations now"],
        "state": [
            "state['dt']: model time between two calls",
            "state['max_effort']: the highest effort allowed",
        ],
        "output": "the fishing effort, a number from 0 to state['max_effort']",
        "hint": "Fish only while the prey are plentiful.",
    },
}


def contract(scenario: Scenario) -> dict[str, Any]:
    """What the learner's controller receives and must return, in plain words."""
    key = scenario.engine
    if scenario.engine == "solar_tracker":
        axes = scenario.parameters.get("panel", {}).get("axes", "single")
        key = f"solar_tracker/{axes}"
    entry = scenario.controller.entry or "control"
    found = dict(
        CONTRACTS.get(
            key,
            {
                "signature": "def control(sensors, state):",
                "inputs": ["sensors: the engine's readings this step"],
                "state": ["state: a dict the engine fills in; keep your own values in it too"],
                "output": "the command for this step",
                "hint": "",
            },
        )
    )
    found["signature"] = found["signature"].replace("control", entry, 1)
    return found
