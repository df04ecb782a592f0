"""Command line: `python -m sims run SCENARIO.json [--controller FILE.py] [--variant ID] [--out DIR]`.

Exit status: 0 when every check passes, 1 when a check fails, 2 on any error (invalid scenario,
student code error, time or memory limit, sandbox unavailable).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from sims.runner import run_scenario
from sims.scenario import ScenarioError, load_scenario, read_controller


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sims", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a scenario headless and check it")
    run.add_argument("scenario", type=Path)
    run.add_argument("--controller", type=Path, help="the student's controller (Python file)")
    run.add_argument("--variant", help="student id: run that student's variant")
    run.add_argument("--out", type=Path, help="folder for metrics, time series and plots")
    run.add_argument("--timeout", type=float, default=60.0, help="wall-clock limit in seconds")
    run.add_argument("--no-sandbox", action="store_true", help="run in-process (trusted code only)")
    run.add_argument(
        "--allow-rlimits-only",
        action="store_true",
        help="where bubblewrap is missing, run untrusted code with resource limits only",
    )
    probe = sub.add_parser("self-test", help="try to escape the sandbox and list what got out")
    probe.add_argument(
        "--host-path", action="append", default=[], help="a host file or folder to try to read"
    )
    probe.add_argument(
        "--port", action="append", type=int, default=[], help="a 127.0.0.1 port to try to reach"
    )
    probe.add_argument(
        "--socket", action="append", default=[], help="a unix socket path to try to reach"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "self-test":
        from sims.sandbox import self_test

        escapes = self_test(host_paths=args.host_path, ports=args.port, unix_sockets=args.socket)
        for escape in escapes:
            print(f"ESCAPE: {escape}")
        print("sandbox holds" if not escapes else f"{len(escapes)} escape(s)")
        return 0 if not escapes else 2
    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as exc:
        print(f"error: invalid scenario: {exc}", file=sys.stderr)
        return 2
    try:
        source = read_controller(args.controller) if args.controller else None
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = args.out or Path(tempfile.mkdtemp(prefix="sims-run-"))
    result = run_scenario(
        scenario,
        controller_source=source,
        variant=args.variant,
        out_dir=out,
        sandbox=not args.no_sandbox,
        timeout_s=args.timeout,
        allow_rlimits_only=args.allow_rlimits_only,
    )
    print(f"scenario: {scenario.title} ({scenario.engine})")
    if args.variant:
        print(f"variant for {args.variant}:")
        from sims.variants import variant

        for key, value in variant(scenario, args.variant).items():
            print(f"  {key} = {value}")
    if result.error is not None:
        print(f"error:\n{result.error}", file=sys.stderr)
        return 2
    for name, value in sorted(result.metrics.items()):
        print(f"  {name:28s} {value:.6g}")
    for check in result.checks:
        print(f"[{'PASS' if check.passed else 'FAIL'}] {check.name}: {check.message}")
    print(f"artefacts in {out}")
    return 0 if result.passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
