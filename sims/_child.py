"""The program that runs inside the sandbox: engine loop plus the student's controller.

It owns everything it runs: `simulate_job` (prepare the engine, build the controller, run the
loop) and `RunFailure`, so it imports nothing from the runner that starts it. It reads job.json
and (optionally) controller.py from the scratch folder, runs the engine's `simulate` phase and
writes trajectory.npz and result.json back. The trusted parent (sims.runner) recomputes everything
else from the trajectory. The runner also calls `simulate_job` in-process for trusted runs.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sims.controllers import (
    STUDENT_FILENAME,
    StudentCodeError,
    format_student_traceback,
    load_student_controller,
    raised_in_student_code,
)
from sims.engines import Controller, ControllerError, FloatArray, get_engine
from sims.scenario import make_grid

BOOTSTRAP = (
    "import sys; sys.path.insert(0, sys.argv[2]); "
    "from sims._child import main; sys.exit(main(sys.argv[1]))"
)


class RunFailure(Exception):
    """The run failed; kind is student | controller | memory | timeout | cpu | engine | sandbox."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def build_controller(job: Mapping[str, Any], prepared: Any, source: str | None) -> Controller:
    """The student's controller when source is given, else the scenario's built-in one."""
    engine = get_engine(job["engine"])
    spec = job["controller"]
    if source is not None:
        return load_student_controller(source, entry=spec.get("entry") or "control")
    if spec["kind"] != "builtin":
        raise RunFailure("student", "this scenario needs a controller: write one and submit it")
    return engine.builtin_controller(spec["name"], spec.get("options", {}), prepared)


def simulate_job(job: Mapping[str, Any], source: str | None) -> tuple[dict[str, FloatArray], float]:
    """Prepare the engine and run its loop; return (trajectory, loop seconds).

    Raises RunFailure with a readable message: the student's own traceback when their code fails.
    """
    engine = get_engine(job["engine"])
    try:
        grid = make_grid(job["time"], calendar=engine.calendar_time)
        prepared = engine.prepare(job["parameters"], grid)
        controller = build_controller(job, prepared, source)
        started = time.perf_counter()
        trajectory = engine.simulate(prepared, controller)
        return trajectory, time.perf_counter() - started
    except StudentCodeError as exc:
        raise RunFailure("student", exc.message) from None
    except ControllerError as exc:
        where = STUDENT_FILENAME if source else "controller"
        raise RunFailure("controller", f"{where}: {exc}") from None
    except MemoryError:
        limit = job.get("memory_mib") or 0
        raise RunFailure(
            "memory",
            f"killed: the run used more than its memory limit ({limit} MiB)"
            if limit
            else "killed: out of memory",
        ) from None
    except RecursionError as exc:
        if source is not None and raised_in_student_code(exc):
            raise RunFailure("student", format_student_traceback(exc)) from None
        raise
    except Exception as exc:
        if source is not None and raised_in_student_code(exc):
            raise RunFailure("student", format_student_traceback(exc)) from None
        raise RunFailure("engine", "the engine failed:\n" + traceback.format_exc()) from None


def main(scratch_arg: str) -> int:
    scratch = Path(scratch_arg)
    from sims._io import npz_bytes

    job: dict[str, Any] = json.loads((scratch / "job.json").read_text(encoding="utf-8"))
    source_path = scratch / STUDENT_FILENAME
    source = source_path.read_text(encoding="utf-8") if job.get("has_controller") else None
    result: dict[str, Any]
    try:
        trajectory, seconds = simulate_job(job, source)
        (scratch / "trajectory.npz").write_bytes(npz_bytes(trajectory))
        result = {"ok": True, "simulate_s": seconds}
    except RunFailure as exc:
        result = {"ok": False, "kind": exc.kind, "error": exc.message}
    (scratch / "result.json").write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
