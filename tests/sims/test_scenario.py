"""Scenario files: the schema is published and valid; errors name the field and the fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from sims.scenario import (
    SCENARIO_SCHEMA,
    SCHEMA_PATH,
    ScenarioError,
    check_scenario_bytes,
    check_scenario_file,
    load_scenario,
    schema_json,
)

from .conftest import EXAMPLES


def test_saved_schema_file_is_the_schema_and_is_valid_json_schema() -> None:
    assert SCHEMA_PATH.read_text() == schema_json()
    assert json.loads(SCHEMA_PATH.read_text()) == SCENARIO_SCHEMA
    jsonschema.Draft202012Validator.check_schema(SCENARIO_SCHEMA)


@pytest.mark.parametrize("name", ["hill_tracker.json", "predator_prey.json"])
def test_examples_load_and_validate_against_the_published_schema(name: str) -> None:
    data = json.loads((EXAMPLES / name).read_text())
    jsonschema.validate(data, SCENARIO_SCHEMA)
    scenario = load_scenario(EXAMPLES / name)
    assert scenario.time_grid().n > 0


def test_engine_defaults_are_filled_in(tracker_data: dict[str, Any]) -> None:
    del tracker_data["parameters"]["sensors"]
    scenario = load_scenario(tracker_data)
    assert scenario.parameters["sensors"]["angle_deg"] == 15.0
    assert scenario.parameters["sky"]["diffuse_fraction"] == 0.0


def test_starter_controller_is_found_beside_the_scenario() -> None:
    scenario = load_scenario(EXAMPLES / "hill_tracker.json")
    assert "def control" in (scenario.starter_source() or "")


def bad(data: dict[str, Any], *path_and_value: Any) -> str:
    *path, value = path_and_value
    node = data
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    with pytest.raises(ScenarioError) as info:
        load_scenario(data)
    return str(info.value)


def test_out_of_range_parameter_names_its_path_and_the_range(tracker_data: dict[str, Any]) -> None:
    message = bad(tracker_data, "parameters", "hill", "slope_deg", 95)
    assert "parameters.hill.slope_deg" in message
    assert "out of range" in message and "80" in message


def test_errors_name_the_field_and_how_to_fix_it(tracker_data: dict[str, Any]) -> None:
    assert "use one of ['predator_prey', 'solar_tracker']" in bad(
        dict(tracker_data), "engine", "wind"
    )
    assert "missing required field 'time'" in bad(dict(tracker_data), "time", KeyError)


def test_unknown_parameter_lists_the_allowed_ones(tracker_data: dict[str, Any]) -> None:
    message = bad(tracker_data, "parameters", "hill", "slop_deg", 10)
    assert "parameters.hill" in message and "slope_deg" in message


def test_unknown_builtin_controller_metric_and_variant(tracker_data: dict[str, Any]) -> None:
    assert "'pid'" in bad(json.loads(json.dumps(tracker_data)), "controller", "name", "bang")
    data = json.loads(json.dumps(tracker_data))
    data["checks"][0]["metric"] = "joules"
    with pytest.raises(ScenarioError, match=r"checks\.0\.metric: 'joules'.*energy_ratio"):
        load_scenario(data)
    data = json.loads(json.dumps(tracker_data))
    data["variants"] = {"hill.height": {"min": 1, "max": 2}}
    with pytest.raises(ScenarioError, match=r"variants\.hill\.height: no such parameter"):
        load_scenario(data)


def test_time_errors(tracker_data: dict[str, Any]) -> None:
    assert "2024-06-21T00:00:00Z" in bad(
        json.loads(json.dumps(tracker_data)), "time", "start", "June"
    )
    message = bad(json.loads(json.dumps(tracker_data)), "time", "step", 0.001)
    assert "steps is more than the limit" in message
    message = bad(json.loads(json.dumps(tracker_data)), "time", "end", "2024-06-20T00:00:00Z")
    assert "at least one step after start" in message


def test_bad_json_file_reports_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"schema_version": 1,\n "engine": }')
    with pytest.raises(ScenarioError, match="line 2, column"):
        load_scenario(path)


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"a": value}
    return value


def test_a_deeply_nested_scenario_is_refused_before_anything_recurses(
    tracker_data: dict[str, Any], tmp_path: Path
) -> None:
    tracker_data["controller"]["options"] = nested(480)
    with pytest.raises(ScenarioError, match=r"nest more than 32 levels deep; .* flatten it"):
        load_scenario(tracker_data)
    deep = b'{"schema_version": 1, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    (problem,) = check_scenario_bytes(deep)
    assert problem.startswith("scenario: objects and arrays nest more than 32 levels deep")
    with pytest.raises(ScenarioError, match="nest more than 32"):
        load_scenario(deep)  # stored bytes, as the repository's pages read them
    (tmp_path / "deep.json").write_bytes(deep)
    with pytest.raises(ScenarioError, match="nest more than 32"):
        load_scenario(tmp_path / "deep.json")


def test_nesting_inside_strings_does_not_count(tracker_data: dict[str, Any]) -> None:
    tracker_data["description"] = "[[[[" * 100 + '\\"{{{' * 100
    assert check_scenario_bytes(json.dumps(tracker_data).encode()) == []


def test_a_scenario_with_too_many_values_is_refused(tracker_data: dict[str, Any]) -> None:
    tracker_data["controller"]["options"] = {"big": list(range(60_000))}
    (problem,) = check_scenario_bytes(json.dumps(tracker_data).encode())
    assert "more than 50000 values" in problem


@pytest.mark.parametrize(
    ("literal", "shown"),
    [("Infinity", "Infinity"), ("-Infinity", "-Infinity"), ("NaN", "NaN"), ("1e999", "Infinity")],
)
def test_non_finite_numbers_are_refused_with_their_place(
    prey_data: dict[str, Any], literal: str, shown: str
) -> None:
    text = json.dumps(prey_data).replace('"end": 20', f'"end": {literal}')
    assert literal in text
    (problem,) = check_scenario_bytes(text.encode())
    assert problem == f"time.end: {shown} is not a number a scenario can use; give a finite number"
    prey_data["time"]["end"] = float("inf")
    with pytest.raises(ScenarioError, match=r"time\.end: Infinity"):
        load_scenario(prey_data)


def test_a_huge_integer_is_refused(prey_data: dict[str, Any]) -> None:
    text = json.dumps(prey_data).replace('"end": 20', '"end": ' + "9" * 5000)
    (problem,) = check_scenario_bytes(text.encode())
    assert problem.startswith("scenario: ") and "fewer digits" in problem
    prey_data["time"]["end"] = 10**400
    with pytest.raises(ScenarioError, match=r"time\.end: the integer 1000"):
        load_scenario(prey_data)


def test_scenario_bytes_that_are_not_utf8_are_refused(tracker_data: dict[str, Any]) -> None:
    data = json.dumps(tracker_data).encode().replace(b"A solar", b"A \xff solar")
    (problem,) = check_scenario_bytes(data)
    assert problem.startswith("scenario: not UTF-8 text (byte ")
    assert problem.endswith("is 0xff); save the file as UTF-8")


def write_scenario(folder: Path, starter: str) -> Path:
    data = json.loads((EXAMPLES / "hill_tracker.json").read_text())
    data["controller"]["starter"] = starter
    path = folder / "scenario.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "controller.starter: starter.py: no such file; check the name"),
        (lambda p: p.mkdir(), "controller.starter: starter.py: is a folder, not a file"),
        (
            lambda p: p.write_bytes(b"def control(s, st):\n    return 0  # \xe9\n"),
            "controller.starter: starter.py: not UTF-8 text (byte 36 is 0xe9); save the file as UTF-8",
        ),
    ],
)
def test_a_starter_that_is_missing_a_folder_or_not_utf8_is_refused_with_the_fix(
    tmp_path: Path, make: Any, message: str
) -> None:
    make(tmp_path / "starter.py")
    path = write_scenario(tmp_path, "starter.py")
    problems = check_scenario_file(path)
    assert len(problems) == 1 and problems[0].startswith(message), problems
    assert check_scenario_bytes(path.read_bytes(), base_dir=tmp_path) == problems
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    assert str(raised.value).startswith(message)


def test_the_examples_have_no_problems() -> None:
    for name in ("hill_tracker.json", "predator_prey.json"):
        assert check_scenario_file(EXAMPLES / name) == []
    assert check_scenario_bytes((EXAMPLES / "hill_tracker.json").read_bytes()) == []
