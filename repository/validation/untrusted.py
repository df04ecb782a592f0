"""The untrusted side of validation: run one work order (deposited files + parameters) and reply.

This module runs on workers that hold no secrets: no Django, no database, no storage keys, only
the broker. A work order carries everything a run needs (see `repository.validation.orders`):

    {"nonce": "...", "kind": "scenario" | "tool" | "notebook", "purpose": "validation" | "variant",
     "entry_point": "...", "files": {"zip": "<base64>", "sha256": "..."}
                                    or {"url": "https://...", "sha256": "..."},
     "params": {"seed", "fuzz_seconds", "slow_3g_seconds", "allowed_external", "origin",
                "timeout_s", "variant"},
     "limits": {"artefact_bytes", "artefacts", "fetch_bytes"}, "heartbeat_every": 20}

`run_order` unpacks the files into a temporary folder, runs the scenario in the sims sandbox or
the tool in the checking browser, and returns a JSON-able result with the artefacts' bytes
(base64, size-capped). `serve_order` does the same and sends the result, and heartbeats while it
runs, to the trusted side through `send` (the broker): the trusted side stores the artefacts and
records the step only when the nonce is the one it gave the open run.

No Django here: import-linter keeps this module (and the browser module it uses) free of Django,
the models, the actions and the tasks.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import shutil
import socket
import stat
import tempfile
import threading
import time
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from repository.validation import players

ORDER_TASK = "repository.validation.untrusted.run_order"
RESULT_TASK = "repository.tasks.record_content_result"
PROGRESS_TASK = "repository.tasks.record_content_progress"
# Suffixes of the run outputs sent back (plots, metrics, time series).
SCENARIO_OUTPUTS = {".svg", ".png", ".json", ".csv"}
MESSAGE_LIMIT = 100
DEFAULT_LIMITS = {"artefact_bytes": 4 << 20, "artefacts": 40, "fetch_bytes": 512 << 20}

Send = Callable[[str, tuple[Any, ...]], None]


class OrderError(ValueError):
    """The order itself is unusable (damaged files, wrong checksum): reported, never run."""


class FetchRefused(OSError):
    """The order's files could not be fetched (address expired or refused, site unreachable):
    our side's fault, so the trusted side sends the order again (a bounded number of times)."""


def serve_order(order: dict[str, Any], send: Send, *, hostname: str | None = None) -> str:
    """Run `order`, heartbeating to the trusted side while it runs, then send its result.

    Returns the result's status. The heartbeat says which worker holds the run, so a worker
    that dies is noticed within the trusted side's heartbeat deadline.
    """
    host = hostname or socket.gethostname()
    nonce = str(order["nonce"])
    stop = threading.Event()
    every = max(1.0, float(order.get("heartbeat_every", 20)))

    def beat() -> None:
        while True:
            with contextlib.suppress(Exception):  # a missed beat is not worth the run
                send(PROGRESS_TASK, (nonce, host))
            if stop.wait(every):
                return

    beating = threading.Thread(target=beat, name=f"heartbeat-{nonce[:8]}", daemon=True)
    beating.start()
    try:
        result = run_order(order)
    finally:
        stop.set()
        beating.join(timeout=5)
    result["host"] = host
    send(RESULT_TASK, (nonce, result))
    return str(result.get("status", "unavailable"))


def run_order(order: dict[str, Any]) -> dict[str, Any]:
    """Run one work order here and return its result (never raises for the deposit's faults).

    A result is {"status": "passed" | "failed" | "error", "messages", "artefacts" (JSON),
    "files": [{"name", "data"}], "screenshot": base64 | None, "metrics", "release"}, or
    {"unavailable": reason} when our side (the browser) cannot run it: the trusted side then
    retries later without counting it against the deposit.
    """
    limits = {**DEFAULT_LIMITS, **order.get("limits", {})}
    started = time.perf_counter()
    player = order.get("params", {}).get("player")
    extra = players.player_files(player) if isinstance(player, dict) else {}
    try:
        with unpacked(order["files"], limits["fetch_bytes"], extra=extra) as root:
            if order.get("purpose") == "attempt":
                run = _run_attempt
            else:
                run = {"tool": _run_tool, "notebook": _run_notebook}.get(
                    order["kind"], _run_scenario
                )
            result = run(root, order, limits)
    except OrderError as exc:
        result = {"status": "error", "messages": [f"The work order could not be used: {exc}"]}
    except FetchRefused as exc:
        result = {"unavailable": f"the order's files could not be fetched ({exc})"}
    result["ms"] = int((time.perf_counter() - started) * 1000)
    return result


@contextlib.contextmanager
def unpacked(
    files: dict[str, Any], max_bytes: int, *, extra: dict[str, bytes] | None = None
) -> Iterator[Path]:
    """The order's files in a fresh read-only folder, removed afterwards, with `extra` (an H5P
    or SCORM player's files, by path) beside them, where the content origin serves them too."""
    data = _order_bytes(files, max_bytes)
    if hashlib.sha256(data).hexdigest() != files.get("sha256"):
        raise OrderError("the files' checksum does not match the order")
    tmp = Path(tempfile.mkdtemp(prefix="remixbank-order-"))
    root = tmp / "files"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
            if total > max_bytes:
                raise OrderError(f"the files unpack to {total} bytes, over {max_bytes}")
            archive.extractall(root)  # names are normalised by zipfile: nothing lands outside
        root.mkdir(exist_ok=True)
        for path, data in (extra or {}).items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        _make_read_only(root)
        yield root
    except zipfile.BadZipFile as exc:
        raise OrderError(f"the files are not a readable zip ({exc})") from exc
    finally:
        _make_writable(tmp)
        shutil.rmtree(tmp, ignore_errors=True)


def _order_bytes(files: dict[str, Any], max_bytes: int) -> bytes:
    if "zip" in files:
        try:
            return base64.b64decode(files["zip"], validate=True)
        except ValueError as exc:
            raise OrderError(f"the inline files are not base64 ({exc})") from exc
    url = str(files.get("url", ""))
    if not url.startswith(("http://", "https://")):
        raise OrderError("the order has neither inline files nor an http(s) address for them")
    try:
        with urllib.request.urlopen(url, timeout=60) as answer:  # noqa: S310 -- http(s) checked above
            data = answer.read(max_bytes + 1)
    except OSError as exc:  # an expired address (403) as much as an unreachable site
        raise FetchRefused(str(exc)) from exc
    if len(data) > max_bytes:
        raise OrderError(f"the files are over {max_bytes} bytes")
    return bytes(data)


def _make_read_only(root: Path) -> None:
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_file() and not path.is_symlink():
            path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    for path in [root, *root.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o555)


def _make_writable(root: Path) -> None:
    for path in [root, *root.rglob("*")] if root.exists() else []:
        if path.is_dir() and not path.is_symlink():
            with contextlib.suppress(OSError):
                path.chmod(0o755)


def _artefact(name: str, data: bytes, limits: dict[str, int], notes: list[str]) -> dict[str, str]:
    if len(data) > limits["artefact_bytes"]:
        notes.append(f"{name} was not kept: {len(data)} bytes, over {limits['artefact_bytes']}.")
        return {}
    return {"name": name, "data": base64.b64encode(data).decode()}


def _run_scenario(root: Path, order: dict[str, Any], limits: dict[str, int]) -> dict[str, Any]:
    from sims.engines import ENGINE_RELEASE
    from sims.runner import KILLS, run_scenario
    from sims.scenario import ScenarioError

    params = order.get("params", {})
    entry_point = str(order["entry_point"])
    release = f"sims-{ENGINE_RELEASE}"
    with tempfile.TemporaryDirectory(prefix="remixbank-out-") as out:
        try:
            result = run_scenario(
                root / entry_point,
                variant=params.get("variant"),
                out_dir=Path(out),
                sandbox=True,
                timeout_s=float(params.get("timeout_s", 120.0)),
            )
        except ScenarioError as exc:
            prefix = f"{entry_point}: " if order.get("purpose") == "validation" else ""
            return {"status": "error", "messages": [f"{prefix}{exc}"], "release": release}
        notes: list[str] = []
        files = [
            _artefact(p.name, p.read_bytes(), limits, notes)
            for p in result.artefacts[: limits["artefacts"]]
            if p.suffix in SCENARIO_OUTPUTS and p.is_file() and not p.is_symlink()
        ]
    if result.error:
        status, messages = "error", [result.error]
    else:
        status = "passed" if result.passed else "failed"
        messages = [f"{'✓' if c.passed else '✗'} {c.name}: {c.message}" for c in result.checks]
        if not messages and order.get("purpose") == "validation":
            messages = ["The scenario declares no checks."]
    return {
        "status": status,
        "messages": (messages + notes)[:MESSAGE_LIMIT],
        "metrics": result.metrics,
        "artefacts": {
            "metrics": result.metrics,
            "timings": result.timings,
            # Counted by /metrics: which of the sandbox's limits killed the run, if one did.
            **({"killed": result.error_kind} if result.error_kind in KILLS else {}),
        },
        "files": [f for f in files if f],
        "release": release,
    }


def _run_notebook(root: Path, order: dict[str, Any], limits: dict[str, int]) -> dict[str, Any]:
    """A Jupyter notebook executed in the sandbox; the executed copy and its HTML come back."""
    from repository.validation.notebooks import EXECUTED_NAME, HTML_NAME, run_notebook

    params = order.get("params", {})
    entry_point = str(order["entry_point"])
    run = run_notebook(
        root,
        entry_point,
        cell_timeout_s=min(600.0, max(1.0, float(params.get("cell_timeout_s", 60.0)))),
        timeout_s=notebook_time_limit(float(params.get("timeout_s", 120.0))),
    )
    notes: list[str] = []
    files = [
        _artefact(name, data, limits, notes)
        for name, data in ((EXECUTED_NAME, run.executed), (HTML_NAME, run.html))
        if data
    ]
    messages = run.problems or [
        f"{entry_point}: all {run.cells} cells ran without an error, offline, in the sandbox."
    ]
    return {
        "status": "passed" if run.passed else "failed",
        "messages": (messages + notes)[:MESSAGE_LIMIT],
        "artefacts": {"cells": run.cells, **({"killed": run.killed} if run.killed else {})},
        "files": [f for f in files if f],
        "release": f"nbclient-{nbclient_version()}",
    }


#: What an order needs besides the run itself (fetching and unpacking the files, starting the
#: sandbox, storing and sending the result), within Celery's soft time limit for the task.
ORDER_OVERHEAD_S = 45.0


def notebook_time_limit(wanted: float) -> float:
    """The whole notebook's limit, within 1 s..30 min, and ended early enough that the task's
    soft time limit (CELERY_TASK_SOFT_TIME_LIMIT) never cuts the order off before its verdict
    is sent: a run stopped by the notebook's own limit says which cell was running."""
    from celery import current_app

    limit = min(1800.0, max(1.0, wanted))
    soft = current_app.conf.task_soft_time_limit
    return min(limit, max(1.0, float(soft) - ORDER_OVERHEAD_S)) if soft else limit


def nbclient_version() -> str:
    from importlib.metadata import version

    return version("nbclient")


def _run_attempt(root: Path, order: dict[str, Any], limits: dict[str, int]) -> dict[str, Any]:
    """A learner's controller on their variant: result, comparisons, score, plots (no CSVs)."""
    from sims.attempts import DEFAULT_OUTPUT_BYTES, run_attempt
    from sims.engines import ENGINE_RELEASE
    from sims.sandbox import Limits
    from sims.scenario import ScenarioError

    params = order.get("params", {})
    timeout = min(300.0, max(1.0, float(params.get("timeout_s", 10.0))))
    memory = min(4096, max(64, int(params.get("memory_mib", 512)))) << 20
    sandbox_limits = Limits(
        cpu_s=max(1, int(timeout + 0.999)),
        memory_bytes=memory,
        file_bytes=DEFAULT_OUTPUT_BYTES,
        nproc=16,
    )
    release = f"sims-{ENGINE_RELEASE}"
    with tempfile.TemporaryDirectory(prefix="remixbank-attempt-") as out:
        try:
            result = run_attempt(
                root / str(order["entry_point"]),
                source=str(params.get("controller_source", "")),
                variant=params.get("variant"),
                out_dir=Path(out),
                time_limit_s=timeout,
                limits=sandbox_limits,
            )
        except ScenarioError as exc:
            return {"status": "error", "messages": [str(exc)], "release": release}
        notes: list[str] = []
        files = [
            _artefact(p.name, p.read_bytes(), limits, notes)
            for p in result.artefacts[: limits["artefacts"]]
            if p.suffix in {".svg", ".png"} and p.is_file() and not p.is_symlink()
        ]
    outcome = result.as_json()
    return {
        "status": result.status,
        "messages": ([result.error] if result.error else [c.message for c in result.checks])[
            :MESSAGE_LIMIT
        ]
        + notes,
        "metrics": result.metrics,
        "artefacts": {"attempt": outcome},
        "files": [f for f in files if f],
        "release": release,
    }


def _run_tool(root: Path, order: dict[str, Any], limits: dict[str, int]) -> dict[str, Any]:
    from repository.validation.browser import (
        ORIGIN,
        SLOW_3G_SECONDS,
        BrowserUnavailable,
        browser_release,
        check_tool,
    )

    params = order.get("params", {})
    try:
        report = check_tool(
            root,
            str(order["entry_point"]),
            seed=int(params.get("seed", 0)),
            fuzz_seconds=float(params.get("fuzz_seconds", 1.5)),
            throttled_timeout_s=min(
                120.0, max(1.0, float(params.get("slow_3g_seconds", SLOW_3G_SECONDS)))
            ),
            allowed_external=list(params.get("allowed_external", [])),
            origin=str(params.get("origin") or ORIGIN),
            player=isinstance(params.get("player"), dict),
        )
        release = browser_release()
    except BrowserUnavailable as exc:
        return {"unavailable": str(exc)}
    notes: list[str] = []
    shot = (
        _artefact("screenshot.png", report.screenshot, limits, notes) if report.screenshot else {}
    )
    files, profiles = [], {}
    played: dict[str, Any] = {}
    for name, profile in report.profiles.items():
        played = played or profile.pop("player", None) or {}
        profile.pop("player", None)
        png = profile.pop("screenshot", None)
        kept = _artefact(f"screenshot-{name}.png", png, limits, notes) if png else {}
        if kept:
            files.append(kept)
        profiles[name] = {**profile, "screenshot": kept.get("name")}
        profiles[name]["actions"] = profile["actions"][:MESSAGE_LIMIT]
        profiles[name]["actions_sha256"] = hashlib.sha256(
            "\n".join(profile["actions"]).encode()
        ).hexdigest()
    summary = [_profile_summary(name, p) for name, p in profiles.items()]
    if played.get("calls") is not None:
        summary.append(_scorm_summary(played))
    if report.throttled:
        summary.append(_throttled_summary(report.throttled))
    messages = report.problems or summary
    return {
        "status": "passed" if report.passed else "failed",
        "messages": (messages + [f"Warning: {w}" for w in report.warnings] + notes)[:MESSAGE_LIMIT],
        "artefacts": {
            "load_ms": round(report.load_ms, 1),
            "bytes_transferred": report.bytes_transferred,
            "fuzz_actions": report.fuzz_actions,
            "external_requests": report.external_requests[:MESSAGE_LIMIT],
            "needs_network": report.needs_network[:MESSAGE_LIMIT],
            "warnings": report.warnings[:MESSAGE_LIMIT],
            "profiles": profiles,
            "throttled": report.throttled,
            # The first profile's H5P or SCORM player report: the SCO's API calls, in order.
            **({"player": played} if played else {}),
        },
        "screenshot": shot.get("data"),
        "files": files,
        "release": release,
    }


def _profile_summary(name: str, profile: dict[str, Any]) -> str:
    loaded = (
        f"{name.capitalize()}: loaded in {profile['load_ms']:.0f} ms ({profile['bytes']} bytes); "
    )
    if profile.get("flaky"):
        # It passed, but not every time: said here too, so the summary never reads clean.
        return (
            loaded + f"flaky: failed {profile['failed_runs']} of {profile['runs']} runs with the "
            "same seed, so not counted (see its warning)."
        )
    runs = f" ({profile['runs']} runs)" if profile.get("runs", 1) > 1 else ""
    return loaded + f"{profile['fuzz_actions']} random interactions raised nothing{runs}."


def _scorm_summary(played: dict[str, Any]) -> str:
    calls = [c for c in played["calls"] if isinstance(c, dict)]
    names = list(dict.fromkeys(str(c.get("call")) for c in calls))
    api = "window.API_1484_11" if played.get("format") == "scorm-2004" else "window.API"
    return (
        f"SCORM: the SCO found {api} and made {len(calls)} call(s) ({', '.join(names)}), "
        "none of which failed."
    )


def _throttled_summary(throttled: dict[str, Any]) -> str:
    over = f"On the phone over {throttled['network']}"
    if throttled.get("interactive_ms") is not None:
        ready = f"ready for input after {throttled['interactive_ms'] / 1000:.1f} s"
        return f"{over}: {throttled['bytes']} bytes, {ready}."
    if throttled.get("timed_out"):
        return (
            f"{over}: not interactive within {throttled['budget_s']:g} s; "
            f"{throttled['bytes'] / 1024:.0f} KB had arrived by then (see the warning)."
        )
    return f"{over}: the page failed to load."
