"""Scenario files: the published JSON Schema, loading with defaults, and errors that say how to fix.

A scenario is data only (never code): the engine and its parameters, the time span and step, the
controller (built-in, or written by the student), per-student parameter ranges and the checks that
define success. `scenario.schema.json` beside this module is SCENARIO_SCHEMA saved as JSON
(tests/sims/test_scenario.py keeps the two equal).
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sims.engines import TimeGrid, engine_names, get_engine

SCHEMA_PATH = Path(__file__).with_name("scenario.schema.json")

#: Refuse runs longer than this many steps (a year at 1-minute steps is 525,600).
MAX_STEPS = 2_000_000
MAX_SCENARIO_BYTES = 1 << 20

OPERATORS = (">=", ">", "<=", "<", "==")

_CHECK = {
    "type": "object",
    "additionalProperties": False,
    "required": ["metric", "op", "threshold"],
    "properties": {
        "name": {"type": "string", "maxLength": 100},
        "metric": {"type": "string", "maxLength": 100},
        "op": {"enum": list(OPERATORS)},
        "threshold": {"type": "number"},
        "description": {"type": "string", "maxLength": 500},
    },
}

_RANGE = {
    "oneOf": [
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["min", "max"],
            "properties": {
                "min": {"type": "number"},
                "max": {"type": "number"},
                "step": {"type": "number", "exclusiveMinimum": 0},
            },
        },
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["choices"],
            "properties": {"choices": {"type": "array", "minItems": 1, "maxItems": 1000}},
        },
    ]
}

_INSTANT = {
    "oneOf": [
        {
            "type": "string",
            "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|\+00:00)$",
        },
        {"type": "number"},
    ]
}


def _build_schema() -> dict[str, Any]:
    names = engine_names()
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://remixbank.org/schemas/scenario-1.json",
        "title": "Remixbank simulation scenario",
        "type": "object",
        "additionalProperties": False,
        "required": ["schema_version", "engine", "time", "controller"],
        "properties": {
            "schema_version": {"const": 1},
            "title": {"type": "string", "maxLength": 200},
            "description": {"type": "string", "maxLength": 5000},
            "engine": {"enum": names},
            "parameters": {"type": "object"},
            "time": {
                "type": "object",
                "additionalProperties": False,
                "required": ["end", "step"],
                "properties": {
                    "start": _INSTANT,
                    "end": _INSTANT,
                    "step": {
                        "type": "number",
                        "exclusiveMinimum": 0,
                        "description": "seconds for calendar engines, model units otherwise",
                    },
                },
            },
            "controller": {
                "type": "object",
                "additionalProperties": False,
                "required": ["kind"],
                "properties": {
                    "kind": {"enum": ["builtin", "student"]},
                    "name": {"type": "string"},
                    "options": {"type": "object"},
                    "entry": {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"},
                    "starter": {"type": "string", "pattern": r"^[A-Za-z0-9_./-]+\.py$"},
                },
                "if": {"properties": {"kind": {"const": "builtin"}}},
                "then": {"required": ["kind", "name"]},
            },
            "variants": {"type": "object", "additionalProperties": _RANGE},
            "checks": {"type": "array", "items": _CHECK, "maxItems": 50},
        },
        "allOf": [
            {
                "if": {"properties": {"engine": {"const": name}}, "required": ["engine"]},
                "then": {"properties": {"parameters": get_engine(name).parameters_schema}},
            }
            for name in names
        ],
    }
    return schema


SCENARIO_SCHEMA: dict[str, Any] = _build_schema()


class ScenarioError(ValueError):
    """A scenario is invalid; the message names the field and says how to fix it."""


@dataclass(frozen=True)
class CheckSpec:
    name: str
    metric: str
    op: str
    threshold: float
    description: str = ""


@dataclass(frozen=True)
class ControllerSpec:
    kind: str  # "builtin" or "student"
    name: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    entry: str = "control"
    starter: str | None = None


@dataclass(frozen=True)
class Scenario:
    """A validated scenario with engine defaults filled in. `data` is the file as given."""

    data: Mapping[str, Any]
    engine: str
    title: str
    parameters: Mapping[str, Any]
    time: Mapping[str, Any]
    controller: ControllerSpec
    variants: Mapping[str, Mapping[str, Any]]
    checks: tuple[CheckSpec, ...]
    base_dir: Path | None = None

    def time_grid(self) -> TimeGrid:
        return make_grid(self.time, calendar=get_engine(self.engine).calendar_time)

    def starter_source(self) -> str | None:
        """The starter controller shipped beside the scenario file, if any."""
        if self.controller.starter is None or self.base_dir is None:
            return None
        path = (self.base_dir / self.controller.starter).resolve()
        if self.base_dir.resolve() not in path.parents:
            raise ScenarioError("controller.starter must stay inside the scenario's folder")
        return path.read_text(encoding="utf-8")

    def with_parameters(self, overrides: Mapping[str, Any]) -> Scenario:
        """A copy with dotted-path parameter overrides (as variants produce) applied."""
        parameters = copy.deepcopy(dict(self.parameters))
        for dotted, value in overrides.items():
            _set_path(parameters, dotted, value)
        _validate_parameters(self.engine, parameters)
        return Scenario(
            data=self.data,
            engine=self.engine,
            title=self.title,
            parameters=parameters,
            time=self.time,
            controller=self.controller,
            variants=self.variants,
            checks=self.checks,
            base_dir=self.base_dir,
        )


def _parse_instant(value: Any, where: str) -> np.datetime64:
    if not isinstance(value, str):
        raise ScenarioError(
            f"{where}: this engine runs on calendar time; give a UTC date-time string such as "
            '"2024-06-21T00:00:00Z"'
        )
    text = value.removesuffix("Z").removesuffix("+00:00")
    try:
        return np.datetime64(text, "ns")
    except ValueError:
        raise ScenarioError(f"{where}: {value!r} is not a valid date-time") from None


def make_grid(time: Mapping[str, Any], *, calendar: bool) -> TimeGrid:
    """Turn the scenario's time block into the run's instants (end excluded)."""
    step = float(time["step"])
    if calendar:
        start = _parse_instant(time.get("start"), "time.start")
        end = _parse_instant(time["end"], "time.end")
        span = float((end - start) / np.timedelta64(1, "ns")) / 1e9
    else:
        start_value, end_value = time.get("start", 0.0), time["end"]
        if isinstance(start_value, str) or isinstance(end_value, str):
            raise ScenarioError("time.start/time.end: this engine uses model time; give numbers")
        start = None
        span = float(end_value) - float(start_value)
    n = math.floor(span / step + 1e-9)
    if n < 1:
        raise ScenarioError("time: end must come at least one step after start")
    if n > MAX_STEPS:
        raise ScenarioError(
            f"time: {n:,} steps is more than the limit of {MAX_STEPS:,}; make the step larger "
            "or the span shorter"
        )
    t = np.arange(n, dtype=np.float64) * step
    if not calendar:
        t = t + float(time.get("start", 0.0))
    return TimeGrid(t=t, step=step, start=start)


def _path_of(error: Any) -> str:
    parts = [str(p) for p in error.absolute_path]
    return ".".join(parts) if parts else "(top level)"


def _explain(error: Any) -> str:
    """One line: where the error is, what is wrong and how to fix it."""
    where = _path_of(error)
    kind = error.validator
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return f"{where}: missing required field '{missing}'; add it"
    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        return f"{where}: {error.message}; allowed fields are {allowed}"
    if kind == "enum":
        return f"{where}: {error.instance!r} is not allowed; use one of {error.validator_value}"
    if kind == "const":
        return f"{where}: must be {error.validator_value!r}"
    if kind == "type":
        return f"{where}: expected {error.validator_value}, got {error.instance!r}"
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bounds = {k: error.schema[k] for k in error.schema if "imum" in k}
        return f"{where}: {error.instance!r} is out of range; allowed {bounds}"
    if kind == "pattern" and where.startswith("time"):
        return f'{where}: {error.instance!r} is not a UTC date-time; write it like "2024-06-21T00:00:00Z"'
    if kind == "pattern":
        return (
            f"{where}: {error.instance!r} has the wrong format (expected {error.validator_value})"
        )
    if kind == "oneOf" and where.startswith("time"):
        return f'{where}: give a UTC date-time like "2024-06-21T00:00:00Z" or a number'
    return f"{where}: {error.message}"


def _validate(data: Any, schema: Mapping[str, Any]) -> None:
    import jsonschema  # imported here: the sandboxed child never validates and skips its import

    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), e.path))
    if errors:
        best = jsonschema.exceptions.best_match(errors)
        raise ScenarioError(_explain(best if best is not None else errors[0]))


def _validate_parameters(engine: str, parameters: Mapping[str, Any]) -> None:
    try:
        _validate(parameters, get_engine(engine).parameters_schema)
    except ScenarioError as exc:
        raise ScenarioError(f"parameters.{exc}") from None


def _defaults(schema: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, sub in schema.get("properties", {}).items():
        if "default" in sub:
            out[key] = sub["default"]
        elif sub.get("type") == "object":
            out[key] = _defaults(sub)
    return out


def _merge(base: dict[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in given.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def _get_path(tree: Mapping[str, Any], dotted: str) -> Any:
    node: Any = tree
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise KeyError(dotted)
        node = node[part]
    return node


def _set_path(tree: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node = tree
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value


def load_scenario(data_or_path: Mapping[str, Any] | str | Path) -> Scenario:
    """Validate a scenario (a dict, or a path to a JSON file) and fill in engine defaults.

    Raises ScenarioError naming the wrong field and how to fix it.
    """
    base_dir: Path | None = None
    if isinstance(data_or_path, (str, Path)):
        path = Path(data_or_path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ScenarioError(f"cannot read scenario file {path}: {exc.strerror}") from None
        if len(raw) > MAX_SCENARIO_BYTES:
            raise ScenarioError(f"{path}: scenario files are limited to {MAX_SCENARIO_BYTES} bytes")
        try:
            data: Any = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ScenarioError(
                f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            ) from None
        base_dir = path.parent
    else:
        data = copy.deepcopy(dict(data_or_path))
    if not isinstance(data, dict):
        raise ScenarioError("(top level): a scenario is a JSON object")
    _validate(data, SCENARIO_SCHEMA)
    engine = get_engine(data["engine"])
    parameters = _merge(_defaults(engine.parameters_schema), data.get("parameters", {}))
    _validate_parameters(data["engine"], parameters)

    c = data["controller"]
    controller = ControllerSpec(
        kind=c["kind"],
        name=c.get("name"),
        options=c.get("options", {}),
        entry=c.get("entry", "control"),
        starter=c.get("starter"),
    )
    if controller.kind == "builtin" and controller.name not in engine.builtin_controllers:
        raise ScenarioError(
            f"controller.name: {controller.name!r} is not a built-in controller of "
            f"{engine.name}; use one of {sorted(engine.builtin_controllers)}"
        )
    checks = []
    for i, check in enumerate(data.get("checks", [])):
        if check["metric"] not in engine.metrics:
            raise ScenarioError(
                f"checks.{i}.metric: {check['metric']!r} is not a metric of {engine.name}; "
                f"use one of {sorted(engine.metrics)}"
            )
        name = check.get("name") or f"{check['metric']} {check['op']} {check['threshold']}"
        checks.append(
            CheckSpec(
                name,
                check["metric"],
                check["op"],
                float(check["threshold"]),
                check.get("description", ""),
            )
        )
    variants = data.get("variants", {})
    for dotted, spec in variants.items():
        try:
            current = _get_path(parameters, dotted)
        except KeyError:
            raise ScenarioError(
                f"variants.{dotted}: no such parameter; name a parameter path such as "
                f"'{_example_path(parameters)}'"
            ) from None
        if "min" in spec and (not isinstance(current, (int, float)) or spec["min"] > spec["max"]):
            raise ScenarioError(
                f"variants.{dotted}: min/max need a numeric parameter and min <= max"
            )
    scenario = Scenario(
        data=data,
        engine=engine.name,
        title=data.get("title", engine.title),
        parameters=parameters,
        time=data["time"],
        controller=controller,
        variants=variants,
        checks=tuple(checks),
        base_dir=base_dir,
    )
    scenario.time_grid()  # checks the span, step and calendar kind now, not mid-run
    return scenario


def _example_path(parameters: Mapping[str, Any]) -> str:
    for key, value in parameters.items():
        if isinstance(value, Mapping) and value:
            return f"{key}.{next(iter(value))}"
        return str(key)
    return "name"


def schema_json() -> str:
    """SCENARIO_SCHEMA as the text of scenario.schema.json."""
    return json.dumps(SCENARIO_SCHEMA, indent=2, sort_keys=True) + "\n"
