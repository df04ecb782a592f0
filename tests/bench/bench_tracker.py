"""Benchmark: a whole simulated year of the solar tracker at 1-minute steps.

Run from the repository root: `python -m tests.bench tracker`. Figures, all in the same run:
* pvlib's nrel_numpy for the same year (the yardstick);
* the engine with a built-in controller, in-process (goal: < 0.3x the yardstick);
* the loop with a trivial student controller, per step, beside the bare controller call
  (goal: engine overhead <= 300 ns per step);
* the same student controller through the sandboxed runner (bubblewrap), end to end.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

TRIVIAL = "def control(sensors, state):\n    return 0.0\n"


def year_scenario(controller: dict[str, Any]) -> dict[str, Any]:
    here = Path(__file__).resolve().parents[2] / "sims" / "examples" / "hill_tracker.json"
    data: dict[str, Any] = json.loads(here.read_text())
    data["time"] = {"start": "2023-01-01T00:00:00Z", "end": "2024-01-01T00:00:00Z", "step": 60}
    data["controller"] = controller
    return data


def timed(fn: Any, repeats: int = 3) -> float:
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return statistics.median(out)


def main() -> None:
    import pandas as pd
    import pvlib

    from sims.controllers import load_student_controller
    from sims.engines import get_engine
    from sims.runner import run_scenario
    from sims.sandbox import bwrap_path
    from sims.scenario import load_scenario

    scenario = load_scenario(year_scenario({"kind": "builtin", "name": "proportional"}))
    grid = scenario.time_grid()
    n = grid.n
    site = scenario.parameters["site"]
    index = pd.DatetimeIndex(grid.datetimes(), tz="UTC")
    pvlib.solarposition.get_solarposition(index, site["latitude"], site["longitude"])
    spa_s = timed(
        lambda: pvlib.solarposition.get_solarposition(
            index, site["latitude"], site["longitude"], site["elevation_m"], method="nrel_numpy"
        )
    )
    print(f"steps: {n:,}; pvlib nrel_numpy for the year: {spa_s:.3f} s")

    engine = get_engine("solar_tracker")

    def whole_run(controller_name: str) -> None:
        prepared = engine.prepare(scenario.parameters, grid)
        control = engine.builtin_controller(controller_name, {}, prepared)
        engine.finish(prepared, engine.simulate(prepared, control))

    for name in ("proportional", "pid"):
        whole_run(name)
        run_s = timed(lambda: whole_run(name))  # noqa: B023
        print(
            f"year, built-in {name:12s} in-process (prepare + loop + metrics): {run_s:.3f} s = "
            f"{run_s / spa_s:.3f}x nrel_numpy (goal < 0.3)"
        )

    prepared = engine.prepare(scenario.parameters, grid)
    prepare_s = timed(lambda: engine.prepare(scenario.parameters, grid))
    control = load_student_controller(TRIVIAL)
    loop_s = timed(lambda: engine.simulate(prepared, control))
    state: dict[str, Any] = {"angle": 0.0}
    readings = (0.1, 0.2)

    def bare() -> None:
        for _ in range(n):
            control(readings, state)

    bare_s = timed(bare)
    per_step, per_call = loop_s / n * 1e9, bare_s / n * 1e9
    print(f"prepare (sun, geometry, ideal tracker): {prepare_s:.3f} s")
    print(
        f"loop with a trivial student controller: {per_step:.0f} ns/step; bare controller call "
        f"in a loop: {per_call:.0f} ns/call; engine overhead {per_step - per_call:.0f} ns/step "
        "(goal <= 300)"
    )

    if bwrap_path() is None:
        print("bubblewrap missing: sandboxed figure skipped")
        return
    student = load_scenario(year_scenario({"kind": "student"}))
    walls = []
    for _ in range(2):
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            result = run_scenario(
                student, controller_source=TRIVIAL, out_dir=Path(out), timeout_s=120, plots=False
            )
            walls.append((time.perf_counter() - started, result))
    wall, result = min(walls, key=lambda w: w[0])
    if result.error:
        print(f"sandboxed run failed: {result.error}")
        return
    t = result.timings
    print(
        f"sandboxed year with a trivial student controller: {wall:.3f} s end to end "
        f"({wall / spa_s:.3f}x nrel_numpy); child process {t['sandbox_wall_s']:.3f} s, of which "
        f"loop {t['simulate_s']:.3f} s = {t['simulate_s'] / n * 1e9:.0f} ns/step; the rest is the "
        "trusted parent re-deriving metrics and writing the time series"
    )
