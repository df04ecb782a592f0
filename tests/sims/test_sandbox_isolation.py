"""What the sandbox hides and caps: the worker's environment, disk, /dev/shm, memory, leftovers."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sims import sandbox
from sims.runner import run_scenario
from sims.sandbox import Limits

from .conftest import needs_bwrap

ENVIRON_PROBE = """
import glob, json
seen = {}
for path in ["/proc/1/environ", "/proc/self/environ", *glob.glob("/proc/[0-9]*/environ")]:
    try:
        with open(path, "rb") as f:
            seen[path] = f.read().decode("latin-1")
    except OSError as exc:
        seen[path] = "unreadable: " + exc.strerror
print(json.dumps(seen))
"""


def run_code(code: str, limits: Limits | None = None, **kw: Any) -> sandbox.Outcome:
    with sandbox.scratch_dir() as scratch:
        return sandbox.run_python(code, scratch, timeout_s=30, limits=limits, **kw)


@pytest.fixture
def worker_secrets(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The variables a trusted worker holds, each with a value that appears nowhere else."""
    secrets = {
        name: f"{name.lower()}-{uuid.uuid4().hex}"
        for name in ("SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL")
    }
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    return secrets


@needs_bwrap
def test_no_process_inside_sees_the_workers_secrets_in_any_proc_environ(
    worker_secrets: dict[str, str],
) -> None:
    outcome = run_code(ENVIRON_PROBE)
    seen = json.loads(outcome.stdout)
    # PID 1 is bwrap itself: the process --clearenv never cleared.
    assert not seen["/proc/1/environ"].startswith("unreadable"), seen
    assert len([p for p in seen if p[6:-8].isdigit()]) >= 2, seen  # bwrap and the child
    for path, text in seen.items():
        for name, value in worker_secrets.items():
            assert value not in text, f"{name} readable in {path}"
            assert f"{name}=" not in text, f"{name} readable in {path}"


@needs_bwrap
def test_a_controller_reading_proc_1_environ_gets_no_secret(
    worker_secrets: dict[str, str], tracker_data: dict[str, Any], tmp_path: Path
) -> None:
    source = (
        "def control(sensors, state):\n"
        "    raise SystemExit(open('/proc/1/environ', 'rb').read().decode())\n"
    )
    result = run_scenario(
        tracker_data, controller_source=source, out_dir=tmp_path, plots=False, timeout_s=20
    )
    assert result.error is not None and "PATH=/usr/bin:/bin" in result.error
    for value in worker_secrets.values():
        assert value not in result.error


@needs_bwrap
def test_self_test_catches_a_sandbox_started_with_the_workers_environment(
    worker_secrets: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The weakened configuration: bwrap inherits the worker's environment, as it once did.
    monkeypatch.setattr(sandbox, "sandboxing_environment", lambda: dict(os.environ))
    escapes = sandbox.self_test()
    assert (
        f"environment: the worker's planted {sandbox.TOKEN_VARIABLE} is in /proc/1/environ"
        in escapes
    )
    (foreign,) = [e for e in escapes if "never sets" in e]
    assert "SECRET_KEY" in foreign or "CELERY_BROKER_URL" in foreign or "DATABASE_URL" in foreign


@pytest.fixture
def worker_resources(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A database file, a blob folder, a broker's unix socket and TCP port, as a worker has."""
    database = tmp_path / "db.sqlite3"
    database.write_text("SQLite format 3")
    blobs = tmp_path / "blobs"
    blobs.mkdir()
    (blobs / "ab12").write_text("blob")
    short = Path(tempfile.mkdtemp(prefix="broker-"))  # unix socket paths must stay short
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind(str(short / "broker.sock"))
    unix.listen(4)
    unix.setblocking(False)
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(4)
    tcp.setblocking(False)
    yield {
        "database": database,
        "blobs": blobs,
        "unix": unix,
        "socket_path": short / "broker.sock",
        "tcp": tcp,
        "port": tcp.getsockname()[1],
    }
    unix.close()
    tcp.close()
    (short / "broker.sock").unlink()
    short.rmdir()


def probe(resources: dict[str, Any], **kw: Any) -> list[str]:
    return sandbox.self_test(
        host_paths=[resources["database"], resources["blobs"]],
        ports=[resources["port"]],
        unix_sockets=[resources["socket_path"]],
        **kw,
    )


@needs_bwrap
def test_self_test_of_the_real_sandbox_reaches_no_given_path_socket_or_port(
    worker_secrets: dict[str, str], worker_resources: dict[str, Any]
) -> None:
    assert probe(worker_resources) == []
    for listener in ("unix", "tcp"):
        with pytest.raises(BlockingIOError):
            worker_resources[listener].accept()


def test_self_test_catches_every_escape_of_an_rlimits_only_run(
    worker_secrets: dict[str, str],
    worker_resources: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sandbox, "bwrap_path", lambda: None)
    escapes = probe(worker_resources, allow_rlimits_only=True)
    expected = [
        f"read host path {worker_resources['database']}",
        f"read host path {worker_resources['blobs']}",
        f"network: connected to 127.0.0.1:{worker_resources['port']}",
        f"network: connected to the socket {worker_resources['socket_path']}",
        "shm: the host's /dev/shm is visible (a marker planted there was seen)",
        "disk: wrote 9 MiB to /dev/shm, over its 4 MiB cap",
        "disk: wrote 17 MiB to scratch, over its 8 MiB cap",
    ]
    for escape in expected:
        assert escape in escapes
    assert any(e.startswith("environment: ") and "never sets" in e for e in escapes), escapes
    assert any(e.startswith("mounts: created a file in /") for e in escapes), escapes
    assert any(e.startswith("wrote outside the sandbox: ") for e in escapes), escapes


FILL = """
import errno, os, sys
folder, cap = FOLDER, CAP
written, error = 0, None
for i in range(3 * cap // (1 << 20)):
    try:
        with open(os.path.join(folder, f"fill-{i}"), "wb") as f:
            f.write(b"x" * (1 << 20))
        written += 1 << 20
    except OSError as exc:
        error = exc.errno
        break
print(written, error, os.path.exists(MARKER))
"""


def fill(folder: str, cap: int, marker: str = "/nonexistent", **limits: int) -> tuple[int, int]:
    code = f"FOLDER={folder!r}\nCAP={cap}\nMARKER={marker!r}\n" + FILL
    outcome = run_code(code, Limits(cpu_s=20, **limits))
    written, error, marker_seen = outcome.stdout.split()
    assert marker_seen == "False", "a file from the host is visible"
    assert error != "None", f"wrote {written} bytes, three times the {cap} cap, without an error"
    return int(written), int(error)


@needs_bwrap
def test_scratch_is_a_capped_private_tmpfs_that_never_fills_the_host_disk() -> None:
    cap = 16 << 20
    written, error = fill("/scratch", cap, scratch_bytes=cap)
    assert written <= cap and error == errno.ENOSPC


@needs_bwrap
def test_dev_shm_is_private_and_capped(tmp_path: Path) -> None:
    cap = 8 << 20
    marker = Path("/dev/shm") / f"sims-test-{uuid.uuid4().hex}"
    marker.write_text("host")
    try:
        written, error = fill("/dev/shm", cap, marker=str(marker), shm_bytes=cap)
    finally:
        marker.unlink()
    assert written <= cap and error == errno.ENOSPC
    outcome = run_code("open('/dev/escape', 'w')")
    assert "Read-only file system" in outcome.stderr


@needs_bwrap
def test_outputs_come_back_and_nothing_else_reaches_the_host_folder() -> None:
    code = "open('/scratch/out.txt', 'w').write(open('/scratch/in.txt').read() * 2)\n"
    code += "open('/scratch/junk.bin', 'wb').write(b'x' * 1000)\n"
    with sandbox.scratch_dir() as scratch:
        (scratch / "in.txt").write_text("ab")
        outcome = sandbox.run_python(code, scratch, timeout_s=20, outputs=["out.txt"])
        assert outcome.returncode == 0, outcome.stderr
        assert sorted(p.name for p in scratch.iterdir()) == ["in.txt", "out.txt"]
        assert (scratch / "out.txt").read_text() == "abab"


MEMORY_HOGS = """
import os, time
children = []
for _ in range(6):
    pid = os.fork()
    if pid == 0:
        block = bytearray(300 << 20)
        block[:: 4096] = b"x" * len(range(0, 300 << 20, 4096))
        time.sleep(2)
        os._exit(0)
    children.append(pid)
killed = 0
for pid in children:
    _, status = os.waitpid(pid, 0)
    killed += os.WIFSIGNALED(status) and os.WTERMSIG(status) == 9
print("KILLED", killed)
"""


@needs_bwrap
@pytest.mark.skipif(os.geteuid() != 0, reason="memory cgroups need root (CI runs as root)")
def test_memory_cgroup_caps_what_the_processes_of_a_run_hold_together() -> None:
    assert sandbox.memory_cgroup_available()
    limits = Limits(cpu_s=30, memory_bytes=512 << 20)  # each 300 MiB child fits in RLIMIT_AS alone
    outcome = run_code(MEMORY_HOGS, limits)
    (line,) = [s for s in outcome.stdout.splitlines() if s.startswith("KILLED ")]
    # 6 x 300 MiB against a 672 MiB cap: at most two children can hold their block at once.
    assert int(line.split()[1]) >= 4, outcome.stdout + outcome.stderr


@needs_bwrap
@pytest.mark.skipif(os.geteuid() != 0, reason="memory cgroups need root (CI runs as root)")
def test_a_run_killed_by_the_memory_cgroup_says_so(
    tracker_data: dict[str, Any], tmp_path: Path
) -> None:
    source = (
        "def control(sensors, state):\n"
        "    blocks = []\n"
        "    for _ in range(20):\n"
        "        with open(f'/scratch/fill-{len(blocks)}', 'wb') as f:\n"
        "            f.write(b'x' * (8 << 20))\n"
        "        block = bytearray(40 << 20)\n"
        "        block[::4096] = b'x' * len(range(0, 40 << 20, 4096))\n"
        "        blocks.append(block)\n"
        "    return 0.0\n"
    )
    # RLIMIT_AS (1 GiB) is never reached: memory blocks and scratch files together hit the cgroup.
    result = run_scenario(
        tracker_data,
        controller_source=source,
        out_dir=tmp_path,
        plots=False,
        timeout_s=20,
        limits=CappedLimits(cpu_s=20, memory_bytes=1 << 30, scratch_bytes=512 << 20),
    )
    assert result.error is not None
    assert "together used more than its memory limit" in result.error, result.error


class CappedLimits(Limits):
    """Limits whose memory cgroup is tighter than RLIMIT_AS, to reach the cgroup first."""

    @property
    def cgroup_memory_bytes(self) -> int:
        return 400 << 20


def _processes_running(marker: str) -> list[int]:
    """Pids of the processes whose command line holds `marker`."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) != os.getpid():
            with contextlib.suppress(OSError), open(f"/proc/{name}/cmdline", "rb") as f:
                if marker.encode() in f.read():
                    found.append(int(name))
    return found


def kill_a_worker_mid_run(tmp_path: Path, marker: str) -> None:
    """Start a worker that runs sandboxed code (with TMPDIR=tmp_path) and SIGKILL it mid-run."""
    worker = (
        "from sims import sandbox\n"
        "with sandbox.scratch_dir() as scratch:\n"
        f"    sandbox.run_python('import time; time.sleep(600)  # {marker}', scratch, timeout_s=600)\n"
    )
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-c", worker], env=env)
    try:
        for _ in range(600):  # until the sandboxed code is running
            if [p for p in _processes_running(marker) if p != proc.pid]:
                break
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)  # as a hard time limit or the OOM killer would
        proc.wait()


@needs_bwrap
def test_the_folders_of_a_killed_worker_are_removed_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kill_a_worker_mid_run(tmp_path, uuid.uuid4().hex)
    left = sorted(p.name for p in tmp_path.glob("sims-*"))
    assert any(n.startswith("sims-scratch-") for n in left), left
    assert any(n.startswith("sims-logs-") for n in left), left
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    outcome = run_code("print('next run')")
    assert outcome.stdout == "next run\n"
    assert sorted(p.name for p in tmp_path.glob("sims-*")) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="runs get a cgroup only as root (CI runs as root)")
def test_processes_left_in_a_dead_workers_cgroup_are_killed_and_the_cgroup_removed() -> None:
    # A worker killed before bwrap asked for --die-with-parent leaves its sandbox running.
    dead = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )
    with open(f"/proc/{dead.pid}/stat") as f:
        started = f.read().rsplit(")", 1)[1].split()[19]
    dead.communicate(b"")
    root = (
        sandbox.CGROUP_ROOT
        if (sandbox.CGROUP_ROOT / "cgroup.controllers").exists()
        else sandbox.CGROUP_ROOT / "pids"
    )
    cgroup = root / f"remixbank-sims-{dead.pid}.{started}-{uuid.uuid4().hex[:8]}"
    cgroup.mkdir()
    orphan = subprocess.Popen(["sleep", "600"])
    try:
        (cgroup / "cgroup.procs").write_text(str(orphan.pid))
        assert cgroup in sandbox.remove_stale()
        assert orphan.wait(timeout=30) == -signal.SIGKILL
        assert not cgroup.exists()
    finally:
        orphan.kill()
        orphan.wait()
        if cgroup.exists():
            cgroup.rmdir()


@needs_bwrap
def test_the_self_test_command_probes_the_given_paths_ports_and_sockets(
    worker_resources: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    from sims.__main__ import main

    args = ["self-test", "--host-path", str(worker_resources["database"])]
    args += [
        "--port",
        str(worker_resources["port"]),
        "--socket",
        str(worker_resources["socket_path"]),
    ]
    assert main(args) == 0
    assert capsys.readouterr().out == "sandbox holds\n"
    with pytest.raises(BlockingIOError):
        worker_resources["tcp"].accept()
