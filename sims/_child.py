"""The program that runs inside the sandbox: engine loop plus the student's controller.

It reads job.json and (optionally) controller.py from the scratch folder, runs the engine's
`simulate` phase and writes trajectory.npz and result.json back. The trusted parent recomputes
everything else from the trajectory (sims/runner.py).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

BOOTSTRAP = (
    "import sys; sys.path.insert(0, sys.argv[2]); "
    "from sims._child import main; sys.exit(main(sys.argv[1]))"
)


def main(scratch_arg: str) -> int:
    scratch = Path(scratch_arg)
    from sims._io import npz_bytes
    from sims.runner import RunFailure, simulate_job

    job: dict[str, Any] = json.loads((scratch / "job.json").read_text(encoding="utf-8"))
    source_path = scratch / "controller.py"
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
