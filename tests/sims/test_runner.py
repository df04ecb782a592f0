"""The headless runner and CLI: outputs, checks, determinism, student errors on their own lines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sims.__main__ import main
from sims.runner import run_scenario

from .conftest import EXAMPLES, needs_bwrap


def test_runs_a_student_controller_and_writes_metrics_timeseries_and_plots(
    tracker_data: dict[str, Any], starter_source: str, tmp_path: Path
) -> None:
    result = run_scenario(
        tracker_data, controller_source=starter_source, out_dir=tmp_path, sandbox=False
    )
    assert result.error is None
    assert result.passed is False or result.passed is True
    names = {p.name for p in result.artefacts}
    assert {"metrics.json", "timeseries.npz", "timeseries.csv"} <= names
    assert {"angles.svg", "angles.png", "power.svg", "sensors.png"} <= names
    assert json.loads((tmp_path / "metrics.json").read_text()) == result.metrics
    assert (tmp_path / "angles.png").read_bytes().startswith(b"\x89PNG")
    assert b"<svg" in (tmp_path / "angles.svg").read_bytes()[:500]
    assert [c.name for c in result.checks] == ["energy", "accuracy"]


def test_a_failed_check_fails_the_run_with_its_value(
    tracker_data: dict[str, Any], tmp_path: Path
) -> None:
    tracker_data["checks"] = [
        {"name": "perfect", "metric": "energy_ratio", "op": ">=", "threshold": 1.5}
    ]
    result = run_scenario(tracker_data, out_dir=tmp_path, sandbox=False, plots=False)
    assert result.error is None and not result.passed
    (check,) = result.checks
    assert not check.passed and check.threshold == 1.5 and 0.9 < check.value < 1.0
    assert "FAILED" in check.message


def test_student_syntax_error_points_at_their_line(
    tracker_data: dict[str, Any], tmp_path: Path
) -> None:
    source = "def control(sensors, state):\n    a, b = sensors\n    return (a - b\n"
    result = run_scenario(tracker_data, controller_source=source, out_dir=tmp_path, sandbox=False)
    assert not result.passed and result.error is not None
    assert 'File "controller.py", line 3' in result.error
    assert "SyntaxError" in result.error
    assert "sims/" not in result.error


def test_student_runtime_error_shows_only_their_frames(
    tracker_data: dict[str, Any], tmp_path: Path
) -> None:
    source = (
        "def helper(x):\n"
        "    return 1 / x\n"
        "\n"
        "def control(sensors, state):\n"
        "    return helper(sensors[0] - sensors[0])\n"
    )
    result = run_scenario(tracker_data, controller_source=source, out_dir=tmp_path, sandbox=False)
    assert result.error is not None
    assert 'File "controller.py", line 5, in control' in result.error
    assert 'File "controller.py", line 2, in helper' in result.error
    assert "return 1 / x" in result.error
    assert result.error.rstrip().endswith("ZeroDivisionError: float division by zero")
    assert "sims/" not in result.error and "runner" not in result.error


def test_missing_entry_function_says_what_to_define(
    tracker_data: dict[str, Any], tmp_path: Path
) -> None:
    result = run_scenario(
        tracker_data, controller_source="x = 1\n", out_dir=tmp_path, sandbox=False
    )
    assert result.error is not None and "def control(sensors, state):" in result.error


def test_same_inputs_give_bit_identical_outputs(
    tracker_data: dict[str, Any], starter_source: str, tmp_path: Path
) -> None:
    runs = []
    for name in ("a", "b"):
        run_scenario(
            tracker_data, controller_source=starter_source, out_dir=tmp_path / name, sandbox=False
        )
        runs.append({p.name: p.read_bytes() for p in sorted((tmp_path / name).iterdir())})
    assert runs[0].keys() == runs[1].keys()
    for name in runs[0]:
        assert runs[0][name] == runs[1][name], name


@needs_bwrap
def test_sandboxed_run_matches_the_in_process_run_bit_for_bit(
    tracker_data: dict[str, Any], starter_source: str, tmp_path: Path
) -> None:
    inside = run_scenario(
        tracker_data, controller_source=starter_source, out_dir=tmp_path / "in", timeout_s=30
    )
    assert inside.error is None, inside.error
    run_scenario(
        tracker_data, controller_source=starter_source, out_dir=tmp_path / "out", sandbox=False
    )
    for name in ("metrics.json", "timeseries.npz", "power.svg"):
        assert (tmp_path / "in" / name).read_bytes() == (tmp_path / "out" / name).read_bytes()


@needs_bwrap
def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = json.loads((EXAMPLES / "hill_tracker.json").read_text())
    scenario["time"]["step"] = 600
    scenario["controller"]["starter"] = str(EXAMPLES / "student_controller.py")
    del scenario["controller"]["starter"]
    passing = tmp_path / "pass.json"
    passing.write_text(json.dumps({**scenario, "checks": scenario["checks"][:1]}))
    controller = EXAMPLES / "student_controller.py"
    assert (
        main(["run", str(passing), "--controller", str(controller), "--out", str(tmp_path / "o1")])
        == 0
    )
    assert "[PASS] energy" in capsys.readouterr().out

    failing = tmp_path / "fail.json"
    checks = [{"metric": "energy_ratio", "op": ">", "threshold": 2}]
    failing.write_text(json.dumps({**scenario, "checks": checks}))
    args = ["run", str(failing), "--controller", str(controller), "--variant", "s123"]
    assert main([*args, "--out", str(tmp_path / "o2")]) == 1
    out = capsys.readouterr().out
    assert "[FAIL]" in out and "hill.slope_deg" in out

    broken = tmp_path / "broken.py"
    broken.write_text("def control(sensors, state):\n    return undefined_name\n")
    assert (
        main(["run", str(passing), "--controller", str(broken), "--out", str(tmp_path / "o3")]) == 2
    )
    assert 'controller.py", line 2' in capsys.readouterr().err

    assert main(["run", str(tmp_path / "missing.json")]) == 2
    assert "missing.json: no such file" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b"def control(s, st):\n    return 0  # \xe9\n"), "not UTF-8 text"),
        (lambda p: p.mkdir(), "is a folder, not a file; name the file itself"),
        (lambda p: None, "no such file; check the name"),
    ],
)
def test_cli_refuses_a_controller_file_that_is_not_utf8_a_folder_or_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Any, message: str
) -> None:
    controller = tmp_path / "mine.py"
    make(controller)
    args = ["run", str(EXAMPLES / "predator_prey.json"), "--controller", str(controller)]
    assert main([*args, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: controller {controller}: ") and message in err
