"""Shared fixtures for the sims tests: example scenarios, short spans, the sandbox switch."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from sims.sandbox import bwrap_path

EXAMPLES = Path(__file__).resolve().parents[2] / "sims" / "examples"

needs_bwrap = pytest.mark.skipif(bwrap_path() is None, reason="bubblewrap (bwrap) is not installed")


@pytest.fixture
def tracker_data() -> dict[str, Any]:
    """The example hill scenario cut to one clear day at 5-minute steps (fast enough for CI)."""
    data = json.loads((EXAMPLES / "hill_tracker.json").read_text())
    data["time"] = {"start": "2024-06-21T00:00:00Z", "end": "2024-06-22T00:00:00Z", "step": 300}
    data["controller"] = {"kind": "builtin", "name": "proportional"}
    return data


@pytest.fixture
def prey_data() -> dict[str, Any]:
    data = json.loads((EXAMPLES / "predator_prey.json").read_text())
    data["time"] = {"start": 0, "end": 20, "step": 0.02}
    return copy.deepcopy(data)


@pytest.fixture
def starter_source() -> str:
    return (EXAMPLES / "student_controller.py").read_text()
