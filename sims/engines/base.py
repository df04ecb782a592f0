"""What every engine shares: the time grid, result and plot types, the Engine protocol, the registry."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

#: Bumped whenever an engine's results change, so published scenarios are re-validated.
ENGINE_RELEASE = "1"

#: What a controller is: called once per step with the sensor readings and its own state dict,
#: it returns the motor command (a number, or a tuple of numbers for engines with several motors).
Controller = Callable[[tuple[float, ...], dict[str, Any]], Any]


class ControllerError(Exception):
    """A controller returned something the engine cannot use (wrong type, NaN...)."""


class TrajectoryError(ValueError):
    """A trajectory breaks the engine's physical limits, so it cannot come from a fair run."""


@dataclass(frozen=True)
class TimeGrid:
    """The instants of a run: `t` in model units (seconds from start for calendar engines)."""

    t: FloatArray
    step: float
    start: np.datetime64 | None = None  # set for calendar (UTC) time

    @property
    def n(self) -> int:
        return int(self.t.size)

    def datetimes(self) -> npt.NDArray[np.datetime64]:
        if self.start is None:
            raise ValueError("this time grid has no calendar start")
        offsets = np.round(self.t * 1e9).astype(np.int64).astype("timedelta64[ns]")
        start: Any = self.start
        return np.asarray(start.astype("datetime64[ns]") + offsets)


@dataclass(frozen=True)
class PlotSpec:
    """A line plot to draw: each series is (label, x, y). Drawn by sims.plots."""

    name: str
    title: str
    xlabel: str
    ylabel: str
    series: list[tuple[str, FloatArray, FloatArray]]
    style: str = "line"  # "line" or "step"


@dataclass
class EngineResult:
    """A finished run: equal-length time series and scalar metrics."""

    timeseries: dict[str, FloatArray]
    metrics: dict[str, float]
    units: dict[str, str] = field(default_factory=dict)


class Engine(Protocol):
    """What every engine provides; see the module docstring for the three phases."""

    # Read-only properties here, so plain class attributes (dicts, strings) satisfy the protocol.
    @property
    def name(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def calendar_time(self) -> bool: ...
    @property
    def parameters_schema(self) -> Mapping[str, Any]: ...
    @property
    def metrics(self) -> Mapping[str, str]: ...  # metric name -> description
    @property
    def builtin_controllers(self) -> Mapping[str, str]: ...  # name -> description
    @property
    def trajectory_fields(self) -> tuple[str, ...]: ...

    def prepare(self, parameters: Mapping[str, Any], grid: TimeGrid) -> Any: ...

    def builtin_controller(
        self, name: str, options: Mapping[str, Any], prepared: Any
    ) -> Controller: ...

    def simulate(self, prepared: Any, controller: Controller) -> dict[str, FloatArray]: ...

    def finish(self, prepared: Any, trajectory: Mapping[str, FloatArray]) -> EngineResult: ...

    def plots(self, prepared: Any, result: EngineResult) -> list[PlotSpec]: ...


_REGISTRY: dict[str, Engine] = {}


def register(engine: Engine) -> Engine:
    """Add an engine under its name; names are unique."""
    if engine.name in _REGISTRY:
        raise ValueError(f"engine {engine.name!r} is already registered")
    _REGISTRY[engine.name] = engine
    return engine
