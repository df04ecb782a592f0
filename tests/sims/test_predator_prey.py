"""The second engine, predators and prey: physics, controllers and the shared runner."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from sims.engines import get_engine
from sims.runner import run_scenario
from sims.scenario import load_scenario

from .conftest import needs_bwrap


def metrics(data: dict[str, Any], name: str, **options: Any) -> dict[str, float]:
    data["controller"] = {"kind": "builtin", "name": name, "options": options}
    scenario = load_scenario(data)
    engine = get_engine("predator_prey")
    prepared = engine.prepare(scenario.parameters, scenario.time_grid())
    control = engine.builtin_controller(name, options, prepared)
    return engine.finish(prepared, engine.simulate(prepared, control)).metrics


def test_without_harvest_the_lotka_volterra_invariant_is_conserved(
    prey_data: dict[str, Any],
) -> None:
    scenario = load_scenario(prey_data)
    engine = get_engine("predator_prey")
    prepared = engine.prepare(scenario.parameters, scenario.time_grid())
    result = engine.finish(prepared, engine.simulate(prepared, lambda s, st: 0.0))
    p = scenario.parameters

    def invariant(x: float, y: float) -> float:
        return p["delta"] * x - p["gamma"] * math.log(x) + p["beta"] * y - p["alpha"] * math.log(y)

    ts = result.timeseries
    start = invariant(ts["prey"][0], ts["predators"][0])
    end = invariant(result.metrics["prey_final"], result.metrics["predators_final"])
    assert end == pytest.approx(start, rel=1e-7)
    assert result.metrics["harvest_total"] == 0.0


def test_greedy_harvest_starves_the_predators_and_a_threshold_rule_keeps_them(
    prey_data: dict[str, Any],
) -> None:
    prey_data["time"]["end"] = 60
    greedy = metrics(prey_data, "constant", effort=1.0)
    threshold = metrics(prey_data, "threshold", gain=0.05, threshold=30)
    assert greedy["predators_min"] < 1.0 < threshold["predators_min"]
    assert threshold["harvest_total"] > 100


@needs_bwrap
def test_student_controller_runs_sandboxed_with_plots(
    prey_data: dict[str, Any], tmp_path: Path
) -> None:
    source = "def control(sensors, state):\n    prey, predators = sensors\n    return 0.3 if prey > 35 else 0.0\n"
    result = run_scenario(prey_data, controller_source=source, out_dir=tmp_path, timeout_s=30)
    assert result.error is None, result.error
    assert {"populations.svg", "phase.png", "metrics.json"} <= {p.name for p in result.artefacts}
    assert result.metrics["harvest_total"] > 0


def test_effort_is_clipped_and_bad_commands_are_reported(
    prey_data: dict[str, Any], tmp_path: Path
) -> None:
    result = run_scenario(
        prey_data,
        controller_source="def control(s, st):\n    return 'lots'\n",
        out_dir=tmp_path,
        sandbox=False,
    )
    assert result.error is not None and "return a number" in result.error
    result = run_scenario(
        prey_data,
        controller_source="def control(s, st):\n    return 99\n",
        out_dir=tmp_path,
        sandbox=False,
        plots=False,
    )
    assert result.error is None and result.metrics["mean_effort"] == 1.0
