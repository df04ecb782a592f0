"""The engine registry: every simulation kind a scenario may name, and the interface they share.

An engine runs in three phases so that untrusted code touches as little as possible:

* `prepare(parameters, grid)` computes everything that does not depend on the controller,
  vectorised (for the solar tracker: the sun, the hill, the ideal tracker).
* `simulate(prepared, controller)` is the sequential loop that calls the controller once per step
  and returns only the actuator trajectory (e.g. panel angles). This phase runs in the sandbox.
* `finish(prepared, trajectory)` checks that trajectory against the engine's physical limits and
  derives the time series and metrics from it. The runner calls it in the trusted parent, so a
  controller cannot forge its own score by writing result files (see sims/runner.py).
"""

from __future__ import annotations

from sims.engines.base import (
    _REGISTRY,
    ENGINE_RELEASE,
    Controller,
    ControllerError,
    Engine,
    EngineResult,
    FloatArray,
    PlotSpec,
    TimeGrid,
    TrajectoryError,
    register,
)

__all__ = [
    "ENGINE_RELEASE",
    "Controller",
    "ControllerError",
    "Engine",
    "EngineResult",
    "FloatArray",
    "PlotSpec",
    "TimeGrid",
    "TrajectoryError",
    "engine_names",
    "get_engine",
    "register",
]


def get_engine(name: str) -> Engine:
    """Return the engine called `name`; KeyError lists the known names."""
    _load_builtin_engines()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown engine {name!r}; known engines: {sorted(_REGISTRY)}") from None


def engine_names() -> list[str]:
    _load_builtin_engines()
    return sorted(_REGISTRY)


def _load_builtin_engines() -> None:
    # Imported on first use, so importing the common types does not load every engine.
    from sims.engines import predator_prey, solar_tracker  # noqa: F401
