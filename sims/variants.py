"""Per-student variants: each student's own parameters, derived from the scenario and their id alone.

The draw is a hash, not a random generator: SHA-256 of the scenario's canonical JSON, the parameter
path and the student id gives 64 uniform bits per parameter. No database is needed, the same
(scenario, id) always gives the same hill, and changing the scenario reshuffles every student.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

from sims.scenario import Scenario, _get_path


def _unit(digest_input: str) -> float:
    """A number in [0, 1) from a string."""
    digest = hashlib.sha256(digest_input.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def scenario_fingerprint(scenario: Scenario) -> str:
    """SHA-256 of the scenario as given (canonical JSON), so equal scenarios share variants."""
    canonical = json.dumps(scenario.data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def variant(scenario: Scenario, student_id: str) -> dict[str, Any]:
    """Return {parameter path: value} for this student, within the scenario's declared ranges.

    Values on a `step` grid are multiples of the step from `min`; without a step they keep six
    decimals. Raises ValueError for an empty id.
    """
    if not str(student_id).strip():
        raise ValueError("student_id must not be empty")
    fingerprint = scenario_fingerprint(scenario)
    out: dict[str, Any] = {}
    for path in sorted(scenario.variants):
        spec = scenario.variants[path]
        u = _unit(f"{fingerprint}\0{path}\0{student_id}")
        if "choices" in spec:
            choices = spec["choices"]
            out[path] = choices[min(int(u * len(choices)), len(choices) - 1)]
            continue
        lo, hi = float(spec["min"]), float(spec["max"])
        step = spec.get("step")
        if step:
            count = math.floor((hi - lo) / step + 1e-9) + 1
            value = lo + min(int(u * count), count - 1) * step
            value = round(value, 10)
        else:
            value = round(lo + u * (hi - lo), 6)
        value = min(max(value, lo), hi)
        current = _get_path(scenario.parameters, path)
        out[path] = int(value) if isinstance(current, int) and float(value).is_integer() else value
    return out


def apply_variant(scenario: Scenario, student_id: str) -> Scenario:
    """The scenario with this student's variant parameters."""
    return scenario.with_parameters(variant(scenario, student_id))
