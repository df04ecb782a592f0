"""Per-student variants: stable, distinct, in range, derived from the scenario and the id only."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sims.scenario import load_scenario
from sims.variants import apply_variant, variant


def test_same_student_gets_the_same_variant(tracker_data: dict[str, Any]) -> None:
    first = variant(load_scenario(tracker_data), "alice")
    again = variant(load_scenario(json.loads(json.dumps(tracker_data))), "alice")
    assert first == again
    assert set(first) == {"hill.slope_deg", "hill.aspect_deg", "site.latitude"}


def test_students_get_distinct_in_range_values_on_the_step_grid(
    tracker_data: dict[str, Any],
) -> None:
    scenario = load_scenario(tracker_data)
    drawn = [variant(scenario, f"student-{i}") for i in range(200)]
    assert len({tuple(sorted(v.items())) for v in drawn}) == 200
    for v in drawn:
        assert 5 <= v["hill.slope_deg"] <= 25 and (v["hill.slope_deg"] * 2).is_integer()
        assert 120 <= v["hill.aspect_deg"] <= 240 and float(v["hill.aspect_deg"]).is_integer()
        assert 35 <= v["site.latitude"] <= 60
    slopes = {v["hill.slope_deg"] for v in drawn}
    assert len(slopes) > 30  # spread over the range, not clumped


def test_a_changed_scenario_reshuffles_the_variants(tracker_data: dict[str, Any]) -> None:
    before = variant(load_scenario(tracker_data), "bob")
    tracker_data["title"] = "Another hill"
    assert variant(load_scenario(tracker_data), "bob") != before


def test_choices_and_continuous_ranges(prey_data: dict[str, Any]) -> None:
    prey_data["variants"]["max_effort"] = {"choices": [0.5, 1.0, 2.0]}
    scenario = load_scenario(prey_data)
    values = [variant(scenario, str(i)) for i in range(60)]
    assert {v["max_effort"] for v in values} == {0.5, 1.0, 2.0}
    assert all(0.9 <= v["alpha"] <= 1.3 for v in values)


def test_apply_variant_changes_the_parameters_only(tracker_data: dict[str, Any]) -> None:
    scenario = load_scenario(tracker_data)
    mine = apply_variant(scenario, "charlie")
    chosen = variant(scenario, "charlie")
    assert mine.parameters["hill"]["slope_deg"] == chosen["hill.slope_deg"]
    assert mine.parameters["panel"] == scenario.parameters["panel"]
    assert scenario.parameters["hill"]["slope_deg"] == 12.0  # the original is untouched


def test_empty_id_is_refused(tracker_data: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="student_id"):
        variant(load_scenario(tracker_data), " ")
