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
import re
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
#: Bounds checked before anything recurses into or copies a scenario (json, deepcopy, jsonschema):
#: nesting levels of objects and arrays, and values (objects, arrays, keys' values, items) in all.
MAX_DEPTH = 32
MAX_VALUES = 50_000
#: Integers beyond this are refused: no parameter needs them and float() of a huge one overflows.
MAX_INTEGER = 2**63
MAX_CONTROLLER_BYTES = 1 << 20

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

_COMPARISON = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "maxLength": 100},
        "options": {"type": "object"},
        "label": {"type": "string", "maxLength": 100},
    },
}

#: How learners' own controllers are run and scored ("Program it"); every key is optional.
_ATTEMPTS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "time_limit_s": {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": 300,
            "description": "wall-clock seconds a learner's run may take (default: the site's)",
        },
        "compare": {
            "type": "array",
            "items": _COMPARISON,
            "maxItems": 5,
            "description": "built-in controllers run beside each attempt; the first is the baseline",
        },
        "score": {
            "type": "object",
            "additionalProperties": False,
            "required": ["metric"],
            "properties": {
                "metric": {"type": "string", "maxLength": 100},
                "zero_at": {"type": "number", "description": "metric value scoring 0"},
                "full_marks_at": {"type": "number", "description": "metric value scoring 1"},
                "thresholds": {
                    "type": "array",
                    "maxItems": 10,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["at", "label"],
                        "properties": {
                            "at": {"type": "number"},
                            "label": {"type": "string", "maxLength": 60},
                        },
                    },
                },
            },
        },
    },
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
            "attempts": _ATTEMPTS,
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
    attempts: Mapping[str, Any] = field(default_factory=dict)

    def time_grid(self) -> TimeGrid:
        return make_grid(self.time, calendar=get_engine(self.engine).calendar_time)

    def starter_source(self) -> str | None:
        """The starter controller shipped beside the scenario file, if any.

        Raises ScenarioError when it is outside the scenario's folder, missing, a folder, or not
        UTF-8 text.
        """
        if self.controller.starter is None or self.base_dir is None:
            return None
        return read_starter(self.base_dir, self.controller.starter)

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
            attempts=self.attempts,
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


def load_scenario(data_or_path: Mapping[str, Any] | str | Path | bytes) -> Scenario:
    """Validate a scenario (a dict, a path to a JSON file, or its bytes) and fill in engine defaults.

    Size, nesting and non-finite numbers are checked before anything recurses into the data; a
    file's starter controller is checked too. Raises ScenarioError naming the wrong field and how
    to fix it.
    """
    base_dir: Path | None = None
    if isinstance(data_or_path, bytes):
        data: Any = parse_scenario_bytes(data_or_path)
    elif isinstance(data_or_path, (str, Path)):
        path = Path(data_or_path)
        data = parse_scenario_bytes(_read_bounded(path, MAX_SCENARIO_BYTES), str(path))
        base_dir = path.parent
    else:
        check_bounds(data_or_path)
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
    attempts = data.get("attempts", {})
    _check_attempts(engine, attempts)
    scenario = Scenario(
        attempts=attempts,
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
    scenario.starter_source()  # a missing or unreadable starter fails here, not mid-run
    return scenario


def _check_attempts(engine: Any, attempts: Mapping[str, Any]) -> None:
    """The attempts block names built-in controllers and metrics the engine has."""
    for i, compare in enumerate(attempts.get("compare", [])):
        if compare["name"] not in engine.builtin_controllers:
            raise ScenarioError(
                f"attempts.compare.{i}.name: {compare['name']!r} is not a built-in controller of "
                f"{engine.name}; use one of {sorted(engine.builtin_controllers)}"
            )
    score = attempts.get("score")
    if score is not None:
        if score["metric"] not in engine.metrics:
            raise ScenarioError(
                f"attempts.score.metric: {score['metric']!r} is not a metric of {engine.name}; "
                f"use one of {sorted(engine.metrics)}"
            )
        if float(score.get("zero_at", 0.0)) == float(score.get("full_marks_at", 1.0)):
            raise ScenarioError(
                "attempts.score: zero_at and full_marks_at must differ (a score needs a range)"
            )


def _example_path(parameters: Mapping[str, Any]) -> str:
    for key, value in parameters.items():
        if isinstance(value, Mapping) and value:
            return f"{key}.{next(iter(value))}"
        return str(key)
    return "name"


def schema_json() -> str:
    """SCENARIO_SCHEMA as the text of scenario.schema.json."""
    return json.dumps(SCENARIO_SCHEMA, indent=2, sort_keys=True) + "\n"


# -- bounds and raw bytes --------------------------------------------------------------------


def _utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"{what}: not UTF-8 text (byte {exc.start} is 0x{data[exc.start]:02x}); "
            "save the file as UTF-8"
        ) from None


def _read_bounded(path: Path, max_bytes: int, what: str | None = None) -> bytes:
    """A regular file's bytes, refusing folders, missing files and files over max_bytes."""
    what = what or str(path)
    if path.is_dir():
        raise ScenarioError(f"{what}: is a folder, not a file; name the file itself")
    try:
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)
    except FileNotFoundError:
        raise ScenarioError(
            f"{what}: no such file; check the name and that the file is there"
        ) from None
    except OSError as exc:
        raise ScenarioError(f"{what}: cannot be read ({exc.strerror})") from None
    if len(data) > max_bytes:
        raise ScenarioError(f"{what}: files are limited to {max_bytes} bytes; make it smaller")
    return data


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def _nesting_depth(text: str, limit: int) -> int:
    """How deeply objects and arrays nest in JSON text (strings skipped), stopping past `limit`."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub('""', text)):
        depth += 1 if match.group() in "[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
    return deepest


def parse_scenario_bytes(data: bytes, what: str = "scenario") -> Any:
    """Decode and parse scenario JSON within the size, nesting and value bounds.

    Never recurses deeper than MAX_DEPTH: the nesting is measured on the text before json parses
    it. Raises ScenarioError saying what is wrong and how to fix it.
    """
    if len(data) > MAX_SCENARIO_BYTES:
        raise ScenarioError(
            f"{what}: {len(data)} bytes; scenario files are limited to {MAX_SCENARIO_BYTES} bytes"
        )
    text = _utf8(data, what)
    if _nesting_depth(text, MAX_DEPTH) > MAX_DEPTH:
        raise ScenarioError(
            f"{what}: objects and arrays nest more than {MAX_DEPTH} levels deep; "
            "a scenario needs only a few levels, so flatten it"
        )
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScenarioError(
            f"{what}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise ScenarioError(f"{what}: {exc}; write the number with fewer digits") from None
    check_bounds(value)
    return value


def _number_problem(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        shown = "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        return f"{shown} is not a number a scenario can use; give a finite number"
    if isinstance(value, int) and abs(value) > MAX_INTEGER:
        return f"the integer {str(value)[:20]}... is too large; give a number under 2**63"
    return None


def check_bounds(value: Any) -> None:
    """Refuse data nested deeper than MAX_DEPTH, with more than MAX_VALUES values, or holding
    NaN, an infinity or a huge integer. Iterative, so it is safe on any depth.

    Raises ScenarioError naming the place (dotted path) and the fix.
    """
    stack: list[tuple[Any, tuple[str, ...]]] = [(value, ())]
    count = 0
    while stack:
        node, path = stack.pop()
        count += 1
        if count > MAX_VALUES:
            raise ScenarioError(
                f"(top level): more than {MAX_VALUES} values in all; a scenario needs far fewer"
            )
        if len(path) > MAX_DEPTH:
            where = ".".join(path[:5])
            raise ScenarioError(
                f"{where}...: objects and arrays nest more than {MAX_DEPTH} levels deep; "
                "a scenario needs only a few levels, so flatten it"
            )
        if isinstance(node, Mapping):
            stack.extend((v, (*path, str(k))) for k, v in node.items())
        elif isinstance(node, (list, tuple)):
            stack.extend((v, (*path, str(i))) for i, v in enumerate(node))
        elif (problem := _number_problem(node)) is not None:
            raise ScenarioError(f"{'.'.join(path) or '(top level)'}: {problem}")


def read_starter(base_dir: Path, name: str) -> str:
    """The text of the starter controller `name`, relative to the scenario's folder.

    Raises ScenarioError when it is outside that folder, missing, a folder, too large or not UTF-8.
    """
    path = (base_dir / name).resolve()
    if base_dir.resolve() not in path.parents:
        raise ScenarioError("controller.starter must stay inside the scenario's folder")
    what = f"controller.starter: {name}"
    return _utf8(_read_bounded(path, MAX_CONTROLLER_BYTES, what), what)


def read_controller(path: Path) -> str:
    """A controller file's text (for `--controller`); ScenarioError says what to fix."""
    what = f"controller {path}"
    return _utf8(_read_bounded(path, MAX_CONTROLLER_BYTES, what), what)


def check_scenario_bytes(data: bytes, *, base_dir: Path | None = None) -> list[str]:
    """Every problem found in a scenario file's bytes, without running anything (empty: valid).

    Checks, in order and stopping at the first failure: size, UTF-8, nesting depth and value
    count (before any parsing recursion), JSON syntax, NaN/Infinity/huge numbers, the schema and
    engine parameters, the time span, and (given `base_dir`, the folder the scenario file sits in)
    that its starter controller is a UTF-8 file inside that folder. Each problem says what to fix.
    """
    try:
        value = parse_scenario_bytes(data)
        if not isinstance(value, dict):
            raise ScenarioError("(top level): a scenario is a JSON object")
        scenario = load_scenario(value)
        if base_dir is not None and scenario.controller.starter is not None:
            read_starter(base_dir, scenario.controller.starter)
    except ScenarioError as exc:
        return [str(exc)]
    return []


def check_scenario_file(path: Path) -> list[str]:
    """check_scenario_bytes for a file on disk, its starter looked up beside it."""
    try:
        data = _read_bounded(Path(path), MAX_SCENARIO_BYTES)
    except ScenarioError as exc:
        return [str(exc)]
    return check_scenario_bytes(data, base_dir=Path(path).parent)
