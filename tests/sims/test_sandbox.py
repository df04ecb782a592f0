"""Each escape from the sandbox is stopped, and what the child leaves behind is read safely."""

from __future__ import annotations

import os
import socket
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from sims import sandbox
from sims._io import read_regular_file
from sims.runner import run_scenario
from sims.sandbox import Limits

from .conftest import needs_bwrap


def controller(body: str) -> str:
    """A controller whose first call runs `body` (indented under `def control`)."""
    lines = "\n".join("    " + line for line in body.strip().splitlines())
    return (
        f"import os, socket, sys, time\n\ndef control(sensors, state):\n{lines}\n    return 0.0\n"
    )


def run(data: dict[str, Any], source: str, tmp_path: Path, **kw: Any) -> str:
    kw.setdefault("timeout_s", 20)
    result = run_scenario(
        data, controller_source=source, out_dir=tmp_path / "out", plots=False, **kw
    )
    assert result.error is not None, "the run should have failed"
    return result.error


@needs_bwrap
def test_self_test_finds_no_escape() -> None:
    assert sandbox.self_test() == []


@needs_bwrap
def test_infinite_loop_is_killed_at_the_time_limit(
    tracker_data: dict[str, Any], tmp_path: Path
) -> None:
    started = time.monotonic()
    error = run(tracker_data, controller("while True:\n    pass"), tmp_path, timeout_s=2)
    assert "killed" in error and ("time limit" in error or "CPU time" in error)
    assert time.monotonic() - started < 10


@needs_bwrap
def test_sleeping_forever_is_killed_by_the_wall_clock(
    tracker_data: dict[str, Any], tmp_path: Path
) -> None:
    error = run(tracker_data, controller("time.sleep(3600)"), tmp_path, timeout_s=2)
    assert "killed: the run took longer than its time limit of 2 s" in error


def _processes_named(comm: str) -> list[int]:
    """Host pids of the processes that named themselves `comm` (other runs on the host do not)."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/comm") as f:
                if f.read().strip() == comm:
                    found.append(int(name))
        except OSError:
            continue
    return found


@needs_bwrap
def test_fork_bomb_is_contained_and_leaves_no_process(
    tracker_data: dict[str, Any], tmp_path: Path
) -> None:
    comm = f"bomb{uuid.uuid4().hex[:10]}"
    source = controller(
        "count = 0\n"
        "try:\n"
        "    while True:\n"
        "        if os.fork() == 0:\n"
        f"            open('/proc/self/comm', 'w').write({comm!r})\n"
        "            time.sleep(60)\n"
        "            os._exit(0)\n"
        "        count += 1\n"
        "except OSError:\n"
        "    time.sleep(0.5)  # let the children name themselves\n"
        "    raise RuntimeError(f'fork stopped after {count} children')"
    )
    error = run(tracker_data, source, tmp_path, timeout_s=10, limits=Limits(cpu_s=10, nproc=32))
    assert "fork stopped after" in error
    forked = int(error.splitlines()[-1].split("fork stopped after ")[1].split()[0])
    assert forked < 32
    assert _processes_named(comm) == []


@needs_bwrap
def test_memory_hog_hits_the_memory_limit(tracker_data: dict[str, Any], tmp_path: Path) -> None:
    source = controller("hog = []\nwhile True:\n    hog.append(bytearray(50 << 20))")
    error = run(tracker_data, source, tmp_path, limits=Limits(cpu_s=20, memory_bytes=1 << 30))
    assert "memory limit (1024 MiB)" in error


@needs_bwrap
def test_network_is_unreachable_even_on_loopback(
    tracker_data: dict[str, Any], tmp_path: Path
) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.setblocking(False)
        port = listener.getsockname()[1]
        error = run(
            tracker_data,
            controller(f"socket.create_connection(('127.0.0.1', {port}), 2)"),
            tmp_path,
        )
        assert "ConnectionRefusedError" in error or "OSError" in error
        with pytest.raises(BlockingIOError):
            listener.accept()
    error = run(tracker_data, controller("socket.getaddrinfo('pypi.org', 443)"), tmp_path)
    assert "gaierror" in error


@needs_bwrap
def test_writing_outside_scratch_fails_and_leaves_the_host_unchanged(
    tracker_data: dict[str, Any], tmp_path: Path
) -> None:
    target = tmp_path / "escape.txt"
    tmp_path.chmod(0o777)
    error = run(tracker_data, controller(f"open({str(target)!r}, 'w').write('x')"), tmp_path)
    assert "Error" in error and 'controller.py", line 4' in error
    assert not target.exists()
    inside = f"{sandbox.PACKAGE_ROOT_INSIDE}/sims/escape.txt"  # where the package is mounted
    for path in (inside, "/usr/escape.txt", "/escape.txt"):
        error = run(tracker_data, controller(f"open({path!r}, 'w').write('x')"), tmp_path)
        assert "Read-only file system" in error, path
    assert not (sandbox.package_dir() / "escape.txt").exists()


@needs_bwrap
def test_host_files_cannot_be_read(tracker_data: dict[str, Any], tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cret")
    for path in (str(secret), "/etc/shadow", "/etc/passwd", str(Path(__file__).resolve())):
        error = run(tracker_data, controller(f"raise SystemExit(open({path!r}).read())"), tmp_path)
        assert "FileNotFoundError" in error, path
        assert "s3cret" not in error


def test_untrusted_code_is_refused_without_bwrap_unless_rlimits_only_is_allowed(
    tracker_data: dict[str, Any],
    starter_source: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sandbox, "bwrap_path", lambda: None)
    error = run(tracker_data, starter_source, tmp_path)
    assert "bubblewrap (bwrap) is not installed" in error and "allow_rlimits_only=True" in error
    result = run_scenario(
        tracker_data,
        controller_source=starter_source,
        out_dir=tmp_path / "r",
        allow_rlimits_only=True,
        plots=False,
    )
    assert result.error is None
    assert sandbox.self_test() == [
        "bubblewrap (bwrap) is not installed: untrusted code would run unconfined"
    ]


def test_results_are_never_read_through_symlinks(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("host secret")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    (scratch / "result.json").symlink_to(secret)
    with pytest.raises(ValueError, match="cannot open"):
        read_regular_file(scratch, "result.json", 1000)
    (tmp_path / "linked").symlink_to(scratch)
    with pytest.raises(OSError):
        read_regular_file(tmp_path / "linked", "anything", 1000)
    (scratch / "big").write_bytes(b"x" * 2000)
    with pytest.raises(ValueError, match="limit"):
        read_regular_file(scratch, "big", 1000)
