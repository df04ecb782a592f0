"""Scenario files: the schema is published and valid; errors name the field and the fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from sims.scenario import SCENARIO_SCHEMA, SCHEMA_PATH, ScenarioError, load_scenario, schema_json

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
