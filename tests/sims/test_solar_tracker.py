"""The solar tracker engine: controllers rank as physics says, limits hold, errors are clear."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sims.engines import ControllerError, TrajectoryError, get_engine
from sims.scenario import load_scenario


def run(data: dict[str, Any], controller: str, **options: Any) -> dict[str, float]:
    scenario = load_scenario(data)
    engine = get_engine("solar_tracker")
    prepared = engine.prepare(scenario.parameters, scenario.time_grid())
    control = engine.builtin_controller(controller, options, prepared)
    return engine.finish(prepared, engine.simulate(prepared, control)).metrics


def test_sensor_difference_tracker_beats_a_fixed_panel_and_the_ideal_bounds_both(
    tracker_data: dict[str, Any],
) -> None:
    fixed = run(tracker_data, "fixed")
    tracker = run(tracker_data, "proportional")
    assert tracker["energy_kwh"] > 1.2 * fixed["energy_kwh"]
    assert tracker["ideal_energy_kwh"] >= tracker["energy_kwh"]
    assert tracker["ideal_energy_kwh"] >= fixed["energy_kwh"]
    assert fixed["energy_kwh"] == pytest.approx(fixed["fixed_energy_kwh"])
    assert tracker["energy_ratio"] > 0.95
    assert tracker["tracking_error_median_deg"] < 2.0  # P control lags the sun by ~1.5 deg/step


def test_pid_and_astronomical_track_close_to_the_ideal(tracker_data: dict[str, Any]) -> None:
    pid = run(tracker_data, "pid")
    assert pid["energy_ratio"] > 0.95
    assert pid["tracking_error_median_deg"] < 1.0  # the integral removes the lag
    assert run(tracker_data, "astronomical")["energy_ratio"] > 0.98


def test_dual_axis_collects_more_than_single_axis(tracker_data: dict[str, Any]) -> None:
    single = run(tracker_data, "pid")
    tracker_data["parameters"]["panel"]["axes"] = "dual"
    dual = run(tracker_data, "pid")
    assert dual["ideal_energy_kwh"] > single["ideal_energy_kwh"]
    assert dual["energy_kwh"] > single["energy_kwh"]
    assert dual["energy_ratio"] > 0.9


def test_no_sun_behind_the_hill(tracker_data: dict[str, Any]) -> None:
    # A steep north-facing hill in winter: the sun never rises in front of its plane.
    tracker_data["parameters"]["hill"] = {"slope_deg": 70.0, "aspect_deg": 0.0}
    tracker_data["time"]["start"], tracker_data["time"]["end"] = (
        "2024-12-21T00:00Z",
        "2024-12-22T00:00Z",
    )
    metrics = run(tracker_data, "proportional")
    assert metrics["sun_hours"] == 0.0
    assert metrics["energy_kwh"] == 0.0


def test_finish_refuses_a_trajectory_faster_than_the_motor(tracker_data: dict[str, Any]) -> None:
    scenario = load_scenario(tracker_data)
    engine = get_engine("solar_tracker")
    prepared = engine.prepare(scenario.parameters, scenario.time_grid())
    angle = np.zeros(prepared.grid.n)
    angle[5:] = 60.0  # one step of 60 degrees, the motor allows 15 at 300 s steps
    with pytest.raises(TrajectoryError, match="slew"):
        engine.finish(prepared, {"angle": angle})
    with pytest.raises(TrajectoryError, match="limits"):
        engine.finish(prepared, {"angle": np.full(prepared.grid.n, 80.0)})


def test_a_controller_returning_none_is_named_with_its_step(tracker_data: dict[str, Any]) -> None:
    scenario = load_scenario(tracker_data)
    engine = get_engine("solar_tracker")
    prepared = engine.prepare(scenario.parameters, scenario.time_grid())
    with pytest.raises(ControllerError, match=r"at step 0 .* returned None"):
        engine.simulate(prepared, lambda sensors, state: None)
    with pytest.raises(ControllerError, match="nan"):
        engine.simulate(prepared, lambda sensors, state: float("nan"))


def test_sensors_are_dark_at_night_and_the_controller_sees_its_angle(
    tracker_data: dict[str, Any],
) -> None:
    scenario = load_scenario(tracker_data)
    engine = get_engine("solar_tracker")
    prepared = engine.prepare(scenario.parameters, scenario.time_grid())
    seen: list[tuple[tuple[float, ...], float]] = []

    def control(sensors: tuple[float, ...], state: dict[str, Any]) -> float:
        seen.append((sensors, state["angle"]))
        return 0.01

    engine.simulate(prepared, control)
    assert seen[0][0] == (0.0, 0.0)  # midnight
    assert max(max(s) for s, _ in seen) > 0.5  # noon: bright
    assert seen[1][1] == pytest.approx(0.01 * 300)
