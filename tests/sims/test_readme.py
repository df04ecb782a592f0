"""The scenario author's guide (sims/README.md) is true: its example is the file that runs, as shown."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from sims.__main__ import main

from .conftest import EXAMPLES, needs_bwrap

ROOT = EXAMPLES.parents[1]
README = (ROOT / "sims" / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def test_the_guides_controller_is_the_example_file() -> None:
    shown = [b for b in blocks("python") if b.startswith('"""A sensor-difference controller')]
    assert shown == [(EXAMPLES / "difference_controller.py").read_text(encoding="utf-8")]


@needs_bwrap
def test_the_guides_commands_run_and_print_what_it_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    commands = [
        line
        for block in blocks("sh")
        for line in block.splitlines()
        if line.startswith("python -m sims run ")
    ]
    assert len(commands) == 2 and "--controller" in commands[0] and "--variant" in commands[1]
    shown = blocks("text")[0].splitlines()
    for i, command in enumerate(commands):
        argv = shlex.split(command)[3:]
        assert main([*argv, "--out", str(tmp_path / str(i))]) == 0
        out = capsys.readouterr().out
        assert "[PASS] energy" in out and "[PASS] accuracy" in out
        if i == 0:
            for line in shown:
                assert line in out.splitlines()
        else:
            assert "variant for alice:" in out and "hill.slope_deg = " in out


STATE_KEYS = {
    ("solar_tracker", "single"): {"dt", "angle", "limits", "max_step"},
    ("solar_tracker", "dual"): {"dt", "angle", "limits", "max_step", "tilt", "tilt_limits"},
    ("predator_prey", None): {"dt", "max_effort"},
}


@pytest.mark.parametrize(("engine", "axes"), list(STATE_KEYS))
def test_the_guide_names_every_state_key_the_engine_passes(
    engine: str,
    axes: str | None,
    tracker_data: dict[str, Any],
    prey_data: dict[str, Any],
    tmp_path: Path,
) -> None:
    from sims.runner import run_scenario

    data = tracker_data if engine == "solar_tracker" else prey_data
    if axes is not None:
        data["parameters"]["panel"]["axes"] = axes
    pair = "(0.0, 0.0)" if axes == "dual" else "0.0"
    source = (
        "import json\nseen = set()\n"
        "def control(sensors, state):\n"
        "    if not seen:\n"
        "        seen.update(state)\n"
        "        raise RuntimeError(json.dumps(sorted(seen)))\n"
        f"    return {pair}\n"
    )
    result = run_scenario(
        data, controller_source=source, out_dir=tmp_path, sandbox=False, plots=False
    )
    assert result.error is not None
    keys = set(json.loads(result.error.splitlines()[-1].split(": ", 1)[1]))
    assert keys == STATE_KEYS[(engine, axes)]
    section = README.split(f"### `{engine}`")[1].split("###")[0]
    for key in keys:
        assert f"`{key}`" in section
