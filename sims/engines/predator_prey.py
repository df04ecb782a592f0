"""Predators and prey with a harvest: Lotka-Volterra, where the controller sets the fishing effort.

    dx/dt = alpha x - beta x y - h x        (prey, harvested at effort h)
    dy/dt = delta x y - gamma y             (predators)

Each step the controller reads the (prey, predator) counts and returns the effort h, clipped to
[0, max_effort]; the state advances by one classical Runge-Kutta step with h held constant.
Students learn that greedy harvesting crashes the predators and that a threshold rule can keep
both populations alive while still catching fish. Time is in model units (say, years).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sims.engines.base import (
    Controller,
    ControllerError,
    EngineResult,
    FloatArray,
    PlotSpec,
    TimeGrid,
    TrajectoryError,
    register,
)

PARAMETERS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "alpha": {"type": "number", "exclusiveMinimum": 0, "maximum": 10, "default": 1.1},
        "beta": {"type": "number", "exclusiveMinimum": 0, "maximum": 10, "default": 0.04},
        "delta": {"type": "number", "exclusiveMinimum": 0, "maximum": 10, "default": 0.01},
        "gamma": {"type": "number", "exclusiveMinimum": 0, "maximum": 10, "default": 0.4},
        "prey0": {"type": "number", "minimum": 0, "maximum": 1e6, "default": 40.0},
        "predators0": {"type": "number", "minimum": 0, "maximum": 1e6, "default": 9.0},
        "max_effort": {"type": "number", "minimum": 0, "maximum": 10, "default": 1.0},
    },
}


@dataclass
class Prepared:
    parameters: Mapping[str, Any]
    grid: TimeGrid


def _rk4_step(x: float, y: float, h: float, dt: float, c: tuple[float, ...]) -> tuple[float, ...]:
    """One RK4 step; returns (prey, predators, harvest during the step)."""
    alpha, beta, delta, gamma = c

    def f(x: float, y: float) -> tuple[float, float, float]:
        return (alpha * x - beta * x * y - h * x, delta * x * y - gamma * y, h * x)

    k1 = f(x, y)
    k2 = f(x + dt / 2 * k1[0], y + dt / 2 * k1[1])
    k3 = f(x + dt / 2 * k2[0], y + dt / 2 * k2[1])
    k4 = f(x + dt * k3[0], y + dt * k3[1])
    return tuple(
        v + dt / 6 * (a + 2 * b + 2 * cc + d)
        for v, a, b, cc, d in zip((x, y, 0.0), k1, k2, k3, k4, strict=True)
    )


class PredatorPreyEngine:
    """Lotka-Volterra with a harvesting controller; see the module docstring."""

    name = "predator_prey"
    title = "Predators and prey with a harvest"
    calendar_time = False
    parameters_schema = PARAMETERS_SCHEMA
    trajectory_fields = ("effort",)
    metrics = {
        "harvest_total": "prey caught over the run",
        "prey_min": "smallest prey population",
        "predators_min": "smallest predator population",
        "prey_final": "prey at the end",
        "predators_final": "predators at the end",
        "mean_effort": "average fishing effort",
    }
    builtin_controllers = {
        "none": "never harvest",
        "constant": "harvest at a constant `effort`",
        "threshold": "effort = `gain` x (prey - `threshold`), never negative",
    }

    def prepare(self, parameters: Mapping[str, Any], grid: TimeGrid) -> Prepared:
        return Prepared(parameters=parameters, grid=grid)

    def builtin_controller(
        self, name: str, options: Mapping[str, Any], prepared: Prepared
    ) -> Controller:
        if name == "none":
            return lambda sensors, state: 0.0
        if name == "constant":
            effort = float(options.get("effort", 0.2))
            return lambda sensors, state: effort
        if name == "threshold":
            gain = float(options.get("gain", 0.05))
            threshold = float(options.get("threshold", 30.0))
            return lambda sensors, state: max(0.0, gain * (sensors[0] - threshold))
        raise KeyError(
            f"unknown controller {name!r}; choose from {sorted(self.builtin_controllers)}"
        )

    def simulate(self, prepared: Prepared, controller: Controller) -> dict[str, FloatArray]:
        p = prepared.parameters
        dt, n = prepared.grid.step, prepared.grid.n
        top = float(p["max_effort"])
        x, y = float(p["prey0"]), float(p["predators0"])
        c = (p["alpha"], p["beta"], p["delta"], p["gamma"])
        state: dict[str, Any] = {"dt": dt, "max_effort": top}
        efforts = []
        for k in range(n):
            command = controller((x, y), state)
            try:
                h = min(max(float(command), 0.0), top)
            except (TypeError, ValueError):
                raise ControllerError(
                    f"at step {k} the controller returned {command!r}; return a number "
                    "(the fishing effort)"
                ) from None
            if math.isnan(h):
                raise ControllerError(f"at step {k} the controller returned NaN")
            efforts.append(h)
            x, y, _ = _rk4_step(x, y, h, dt, c)
        return {"effort": np.array(efforts, dtype=np.float64)}

    def finish(self, prepared: Prepared, trajectory: Mapping[str, FloatArray]) -> EngineResult:
        p = prepared.parameters
        dt, n = prepared.grid.step, prepared.grid.n
        effort = np.asarray(trajectory.get("effort"), dtype=np.float64)
        if effort.shape != (n,) or not np.all(np.isfinite(effort)):
            raise TrajectoryError(f"effort: expected {n} finite values")
        if effort.size and (effort.min() < 0 or effort.max() > p["max_effort"]):
            raise TrajectoryError("effort: outside [0, max_effort]")
        c = (p["alpha"], p["beta"], p["delta"], p["gamma"])
        x, y = float(p["prey0"]), float(p["predators0"])
        prey, predators, caught = [], [], []
        for h in effort.tolist():
            prey.append(x)
            predators.append(y)
            x, y, catch = _rk4_step(x, y, h, dt, c)
            caught.append(catch)
        prey_a, pred_a, caught_a = (
            np.array(v, dtype=np.float64) for v in (prey, predators, caught)
        )
        metrics = {
            "harvest_total": float(caught_a.sum()),
            "prey_min": float(min(prey_a.min(initial=x), x)),
            "predators_min": float(min(pred_a.min(initial=y), y)),
            "prey_final": x,
            "predators_final": y,
            "mean_effort": float(effort.mean()) if effort.size else 0.0,
        }
        timeseries = {
            "t": prepared.grid.t,
            "prey": prey_a,
            "predators": pred_a,
            "effort": effort,
            "harvest": caught_a,
        }
        return EngineResult(timeseries=timeseries, metrics=metrics)

    def plots(self, prepared: Prepared, result: EngineResult) -> list[PlotSpec]:
        ts = result.timeseries
        return [
            PlotSpec(
                "populations",
                "Populations",
                "time",
                "individuals",
                [("prey", ts["t"], ts["prey"]), ("predators", ts["t"], ts["predators"])],
            ),
            PlotSpec(
                "phase",
                "Phase portrait",
                "prey",
                "predators",
                [("trajectory", ts["prey"], ts["predators"])],
            ),
            PlotSpec(
                "effort", "Fishing effort", "time", "effort", [("effort", ts["t"], ts["effort"])]
            ),
        ]


register(PredatorPreyEngine())
