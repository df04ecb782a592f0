"""Run untrusted Python (a student's controller with the engine) in ONE bubblewrap-confined process.

Layers:

* environment: bwrap itself is started from an empty environment holding only what the child
  needs (`child_environment`), so no secret of the worker (SECRET_KEY, DATABASE_URL, the broker
  URL...) is in the environment of any process inside, nor readable through /proc/*/environ;
* namespaces: new user, pid, net, ipc, uts and cgroup namespaces (`--unshare-all`), uid 65534
  inside, no nested user namespaces, all capabilities dropped, a new session;
* filesystem: read-only /usr, the interpreter's prefixes and the sims package; the root and /dev are
  read-only; the only writable places are private size-capped tmpfs mounts that vanish with the
  run: /scratch (`Limits.scratch_bytes`), /tmp (`Limits.tmpfs_bytes`) and /dev/shm
  (`Limits.shm_bytes`). The caller's host scratch folder is bound read-only at /input; its files are
  copied into /scratch before the code runs, and the files the caller asks for are sent back over a
  pipe when it ends (each up to `Limits.file_bytes`) and written into the host folder. Nothing the
  run writes reaches the host disk except that bounded copy and the capped stdout/stderr logs;
* rlimits set before exec and inherited through bwrap: CPU, address space, file size, processes,
  open files, no core dumps;
* cgroups, where the host lets us create them (we are root, as in CI): a pids cgroup with
  `pids.max` (RLIMIT_NPROC does not bind root: the kernel exempts uid 0 even when mapped to 65534
  inside) and a memory cgroup capping everything the run holds, tmpfs pages included, at
  `memory_bytes` plus the tmpfs sizes (cgroup v2 `memory.max` with `memory.swap.max` 0, or cgroup v1
  `memory.limit_in_bytes`). Where no memory cgroup can be made (not root, or a host without the
  controller), only RLIMIT_AS applies: it bounds each process's address space but neither the sum
  over processes nor tmpfs, which the tmpfs size caps then bound on their own;
* a wall-clock deadline enforced from outside: the process group is SIGKILLed, and the pid
  namespace takes every process inside with it;
* temporary folders and cgroups carry the creating process's pid and start time in their names, so
  those of a worker that was killed before it could clean up are removed by the next run.

Where bwrap is missing, untrusted code is refused unless the caller passes allow_rlimits_only=True,
in which case only the rlimits, cgroups and the wall clock apply (no filesystem, network or /proc
isolation). Output files are read back by sims._io.read_regular_file, which never follows links.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import sims

#: Where the sims package appears inside the sandbox.
PACKAGE_ROOT_INSIDE = "/opt/remixbank"
SCRATCH_INSIDE = "/scratch"
#: The caller's host scratch folder, read-only, whose files are copied into /scratch first.
INPUT_INSIDE = "/input"
SANDBOX_UID = 65534
CGROUP_ROOT = Path("/sys/fs/cgroup")
#: Writable mounts a sandboxed run may have: private tmpfs mounts with a size cap each.
PRIVATE_WRITABLE = ("/scratch", "/tmp", "/dev/shm")  # noqa: S108 - inside the sandbox


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing and the caller did not accept an rlimits-only run."""


@dataclass(frozen=True)
class Limits:
    """Resource limits for one sandboxed run (the wall clock is the run's timeout)."""

    cpu_s: int = 60
    memory_bytes: int = 2 << 30
    file_bytes: int = 64 << 20
    nproc: int = 64
    nofile: int = 64
    tmpfs_bytes: int = 16 << 20  # /tmp
    scratch_bytes: int = 128 << 20  # /scratch
    shm_bytes: int = 16 << 20  # /dev/shm

    @property
    def cgroup_memory_bytes(self) -> int:
        """The memory cgroup's cap: the address-space limit plus every tmpfs the run may fill.

        RLIMIT_AS stays the first limit a single process meets (its MemoryError names the limit);
        the cgroup bounds what several processes and the tmpfs mounts hold together.
        """
        return self.memory_bytes + self.tmpfs_bytes + self.scratch_bytes + self.shm_bytes


@dataclass
class Outcome:
    """How a sandboxed process ended."""

    returncode: int | None
    timed_out: bool
    wall_s: float
    stdout: str
    stderr: str
    isolated: bool  # True under bwrap, False for rlimits only
    cpu_limited: bool = False  # killed by RLIMIT_CPU (SIGXCPU/SIGKILL after the soft limit)
    memory_limited: bool = False  # killed by the memory cgroup's OOM killer


def bwrap_path() -> str | None:
    """The bwrap executable, or None where bubblewrap is not installed."""
    return shutil.which("bwrap")


def child_environment() -> dict[str, str]:
    """Everything the sandboxed child's environment holds: nothing of the worker's but BLAS tuning."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": SCRATCH_INSIDE,
        "LANG": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # set by some VMs for OpenBLAS
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def sandboxing_environment() -> dict[str, str]:
    """The environment bwrap itself starts with (PID 1 inside, readable as /proc/1/environ).

    Only the child's own variables: `--clearenv` would clear the child's environment but not
    bwrap's, which is why this is passed to Popen rather than inherited from the worker.
    """
    return child_environment()


def _prefixes() -> list[str]:
    """Interpreter directories the child needs, read-only, at their host paths."""
    paths = {
        os.path.realpath(p)
        for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)
    }
    paths.add(os.path.dirname(os.path.dirname(os.path.realpath(sys.executable))))
    # A path below /usr is already bound; binding a parent after a child would hide the child.
    return sorted(p for p in paths if not (p == "/usr" or p.startswith("/usr/")))


def package_dir() -> Path:
    return Path(sims.__file__).resolve().parent


def bwrap_argv(bwrap: str, scratch: Path, limits: Limits) -> list[str]:
    """The bwrap command line up to (not including) the program to run."""
    argv = [
        bwrap,
        "--unshare-all",
        "--unshare-user",
        "--uid",
        str(SANDBOX_UID),
        "--gid",
        str(SANDBOX_UID),
        "--disable-userns",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        "--hostname",
        "sandbox",
        "--ro-bind",
        "/usr",
        "/usr",
    ]
    for name in ("lib", "lib64", "bin", "sbin"):
        if os.path.islink(f"/{name}"):
            argv += ["--symlink", os.readlink(f"/{name}").lstrip("/"), f"/{name}"]
    for path in ("/etc/alternatives", "/etc/ld.so.cache"):
        if os.path.exists(path):
            argv += ["--ro-bind", path, path]
    # Order matters: a tmpfs mounted after a bind below /tmp would hide it.
    argv += ["--size", str(limits.tmpfs_bytes), "--tmpfs", "/tmp"]  # noqa: S108 - private tmpfs
    for prefix in _prefixes():
        argv += ["--ro-bind", prefix, prefix]
    argv += ["--ro-bind", str(package_dir()), f"{PACKAGE_ROOT_INSIDE}/sims", "--proc", "/proc"]
    # bwrap's /dev is an uncapped tmpfs: give /dev/shm its own small one, then make /dev read-only.
    argv += ["--dev", "/dev", "--size", str(limits.shm_bytes), "--tmpfs", "/dev/shm"]  # noqa: S108
    argv += ["--remount-ro", "/dev"]
    argv += ["--size", str(limits.scratch_bytes), "--tmpfs", SCRATCH_INSIDE]
    argv += ["--ro-bind", str(scratch), INPUT_INSIDE]
    argv += ["--remount-ro", "/", "--chdir", SCRATCH_INSIDE, "--clearenv"]
    for key, value in child_environment().items():
        argv += ["--setenv", key, value]
    return [*argv, "--"]


# -- leftovers of killed workers -------------------------------------------------------------

_FOLDER_OWNER = re.compile(r"^sims-(?:scratch|logs|selftest)-(\d+)\.(\d+)-")
_CGROUP_OWNER = re.compile(r"^remixbank-sims-(\d+)\.(\d+)-")


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (with the pid, it names a process)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _owner_tag() -> str:
    """pid.starttime of this process, put into the names of what it creates."""
    return f"{os.getpid()}.{_start_time(os.getpid()) or 0}"


def _owner_alive(pid: str, start: str) -> bool:
    if not os.path.exists("/proc/self/stat"):
        return True  # no way to tell: never remove another process's folder
    return _start_time(int(pid)) == start


def remove_stale(tmp_dir: str | Path | None = None) -> list[Path]:
    """Remove the temporary folders and cgroups of sims processes that died without cleaning up.

    A worker killed mid-run (a hard time limit, the OOM killer, SIGKILL) never reaches its
    `finally`; what it left carries its pid and start time, so it is removed once that process is
    gone. This assumes the temporary folder is not shared with processes in another pid namespace
    (give each container its own TMPDIR). Returns what was removed.
    """
    removed: list[Path] = []
    base = Path(tmp_dir or tempfile.gettempdir())
    with contextlib.suppress(OSError), os.scandir(base) as entries:
        for entry in entries:
            match = _FOLDER_OWNER.match(entry.name)
            if match and entry.is_dir(follow_symlinks=False) and not _owner_alive(*match.groups()):
                shutil.rmtree(entry.path, ignore_errors=True)
                removed.append(Path(entry.path))
    for parent in (CGROUP_ROOT, CGROUP_ROOT / "pids", CGROUP_ROOT / "memory"):
        with contextlib.suppress(OSError), os.scandir(parent) as entries:
            for entry in entries:
                match = _CGROUP_OWNER.match(entry.name)
                if match and not _owner_alive(*match.groups()):
                    _kill_cgroup(Path(entry.path))
                    removed.append(Path(entry.path))
    return removed


def _kill_cgroup(path: Path) -> None:
    """SIGKILL what is left in a dead worker's cgroup, then remove it.

    bwrap's --die-with-parent cannot help when the worker dies before bwrap has asked for it, so a
    sandbox started at that moment would outlive its worker until its own code ends.
    """
    for _ in range(100):
        try:
            pids = [int(p) for p in (path / "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
            return
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        try:
            path.rmdir()
            return
        except OSError:
            time.sleep(0.02)  # the killed processes take a moment to leave the cgroup


# -- cgroups ---------------------------------------------------------------------------------


class _Cgroups:
    """The pids and memory cgroups of one run, where the host lets us create them (as root)."""

    def __init__(self, limits: Limits) -> None:
        self.paths: list[Path] = []
        self.memory: Path | None = None
        self.unified = (CGROUP_ROOT / "cgroup.controllers").exists()
        if os.geteuid() != 0:
            return
        name = f"remixbank-sims-{_owner_tag()}-{uuid.uuid4().hex[:8]}"
        memory = str(limits.cgroup_memory_bytes)
        if self.unified:
            path = self._make(CGROUP_ROOT / name, {"pids.max": str(limits.nproc)})
            if path is None:
                path = self._make(CGROUP_ROOT / name, {})
            if path is not None and self._write(path, {"memory.max": memory}):
                self._write(path, {"memory.swap.max": "0"})
                self.memory = path
        else:
            self._make(CGROUP_ROOT / "pids" / name, {"pids.max": str(limits.nproc)})
            path = self._make(CGROUP_ROOT / "memory" / name, {"memory.limit_in_bytes": memory})
            if path is not None:
                # memsw (memory + swap) may only be set once the memory limit is in place.
                self._write(path, {"memory.memsw.limit_in_bytes": memory})
                self.memory = path

    @staticmethod
    def _write(path: Path, settings: dict[str, str]) -> bool:
        try:
            for key, value in settings.items():
                (path / key).write_text(value)
        except OSError:
            return False
        return True

    def _make(self, path: Path, settings: dict[str, str]) -> Path | None:
        try:
            if not (path.parent / "cgroup.procs").exists():
                return None
            path.mkdir()
        except OSError:
            return None
        if not self._write(path, settings):
            with contextlib.suppress(OSError):
                path.rmdir()
            return None
        self.paths.append(path)
        return path

    @property
    def procs_files(self) -> list[str]:
        return [str(p / "cgroup.procs") for p in self.paths]

    def oom_killed(self) -> bool:
        """True when the memory cgroup's OOM killer killed a process of this run."""
        if self.memory is None:
            return False
        name = "memory.events" if self.unified else "memory.oom_control"
        try:
            text = (self.memory / name).read_text()
        except OSError:
            return False
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value or 0) > 0
        with contextlib.suppress(
            OSError, ValueError
        ):  # kernels before 4.13 lack the oom_kill count
            return int((self.memory / "memory.failcnt").read_text()) > 0
        return False

    def close(self) -> None:
        for path in self.paths:
            for _ in range(100):  # the killed processes take a moment to leave the cgroup
                try:
                    path.rmdir()
                    break
                except OSError:
                    time.sleep(0.02)


def memory_cgroup_available() -> bool:
    """Whether runs here get a memory cgroup (else only RLIMIT_AS and the tmpfs caps apply)."""
    cgroups = _Cgroups(Limits())
    try:
        return cgroups.memory is not None
    finally:
        cgroups.close()


def _preexec(limits: Limits, procs_files: list[str]) -> None:
    """Runs in the forked child before exec: join the cgroups, then lower the limits."""
    for procs_file in procs_files:
        with open(procs_file, "w") as f:
            f.write(str(os.getpid()))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_NPROC, (limits.nproc, limits.nproc))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.nofile, limits.nofile))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _tail(path: Path, max_bytes: int = 64 << 10) -> str:
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(max(0, size - max_bytes))
        return f.read().decode("utf-8", "replace")


# -- the output channel ----------------------------------------------------------------------

#: Runs first inside the sandbox: copy the inputs into the private /scratch, run the caller's code,
#: then send the requested outputs back over a pipe (name length, name, size, bytes per file).
_HARNESS = textwrap.dedent(
    """
    import os
    for _entry in os.scandir(INPUT):
        if _entry.is_file(follow_symlinks=False):
            with open(_entry.path, "rb") as _src, open(SCRATCH + "/" + _entry.name, "wb") as _dst:
                while _chunk := _src.read(1 << 20):
                    _dst.write(_chunk)
    def _send_back():
        with os.fdopen(OUT_FD, "wb") as out:
            for name in OUTPUTS:
                try:
                    fd = os.open(SCRATCH + "/" + name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
                except OSError:
                    continue
                with os.fdopen(fd, "rb") as f:
                    data = f.read(MAX_BYTES + 1)
                encoded = name.encode()
                out.write(len(encoded).to_bytes(4, "big") + encoded)
                out.write(len(data).to_bytes(8, "big") + data)
    try:
        exec(compile(CODE, "<sandboxed>", "exec"), {"__name__": "__main__"})
    finally:
        if OUTPUTS:
            _send_back()
    """
)


class _Drain(threading.Thread):
    """Reads the output pipe while the run goes on, keeping at most `cap` bytes."""

    def __init__(self, fd: int, cap: int) -> None:
        super().__init__(daemon=True)
        self.fd = fd
        self.cap = cap
        self.data = b""

    def run(self) -> None:
        chunks: list[bytes] = []
        kept = 0
        with open(self.fd, "rb", buffering=0) as pipe:
            while chunk := pipe.read(1 << 20):
                if kept < self.cap:
                    chunks.append(chunk[: self.cap - kept])
                    kept += len(chunks[-1])
        self.data = b"".join(chunks)


def _unpack(data: bytes, wanted: Collection[str], max_bytes: int) -> dict[str, bytes]:
    """The files in the output stream that were asked for, complete and within the size limit."""
    files: dict[str, bytes] = {}
    at = 0
    while at + 4 <= len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        name = data[at + 4 : at + 4 + length].decode("utf-8", "replace")
        at += 4 + length
        size = int.from_bytes(data[at : at + 8], "big")
        body = data[at + 8 : at + 8 + size]
        at += 8 + size
        if at > len(data):
            break  # truncated at the cap: drop the partial file
        if name in wanted and size <= max_bytes and name not in files:
            files[name] = body
    return files


def _write_outputs(scratch: Path, files: dict[str, bytes]) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    dir_fd = os.open(scratch, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        for name, body in files.items():
            fd = os.open(name, flags, 0o600, dir_fd=dir_fd)
            with open(fd, "wb") as f:
                f.write(body)
    finally:
        os.close(dir_fd)


def run_python(
    code: str,
    scratch: Path,
    *,
    timeout_s: float,
    limits: Limits | None = None,
    allow_rlimits_only: bool = False,
    outputs: Collection[str] = (),
) -> Outcome:
    """Run `python -I -B -c code SCRATCH PACKAGE_ROOT` confined.

    SCRATCH is the run's writable folder as seen inside. Under bwrap it is a private tmpfs of
    `limits.scratch_bytes` holding a copy of the files in the host folder `scratch`; afterwards the
    files named in `outputs` (plain names, each up to `limits.file_bytes`) are written back into
    `scratch`. Without bwrap (rlimits only) SCRATCH is the host folder itself. The sims package is
    importable from PACKAGE_ROOT. Raises SandboxUnavailable when bwrap is missing and
    allow_rlimits_only is False, and ValueError for an output name that is not a plain file name.
    """
    for name in outputs:
        if not name or "/" in name or name in (".", ".."):
            raise ValueError(f"outputs: {name!r} is not a plain file name")
    limits = limits or Limits(cpu_s=max(1, int(timeout_s + 0.999)))
    bwrap = bwrap_path()
    if bwrap is None and not allow_rlimits_only:
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is not installed, so untrusted code cannot be confined; install "
            "it (apt-get install bubblewrap) or pass allow_rlimits_only=True to run with only "
            "resource limits and no filesystem or network isolation"
        )
    remove_stale()
    python = sys.executable
    read_fd, write_fd = os.pipe() if bwrap is not None else (-1, -1)
    if bwrap is not None:
        harness = (
            f"CODE={code!r}\nINPUT={INPUT_INSIDE!r}\nSCRATCH={SCRATCH_INSIDE!r}\n"
            f"OUTPUTS={sorted(outputs)!r}\nOUT_FD={write_fd}\nMAX_BYTES={limits.file_bytes}\n"
            + _HARNESS
        )
        argv = [*bwrap_argv(bwrap, scratch, limits), python, "-I", "-B", "-c", harness]
        argv += [SCRATCH_INSIDE, PACKAGE_ROOT_INSIDE]
    else:
        argv = [python, "-I", "-B", "-c", code, str(scratch), str(package_dir().parent)]
    cgroups = _Cgroups(limits)
    logs = Path(tempfile.mkdtemp(prefix=f"sims-logs-{_owner_tag()}-"))
    started = time.monotonic()
    timed_out = False
    drain: _Drain | None = None
    try:
        with open(logs / "stdout", "wb") as out, open(logs / "stderr", "wb") as err:
            try:
                proc = subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=err,
                    close_fds=True,
                    pass_fds=(write_fd,) if bwrap is not None else (),
                    start_new_session=True,
                    cwd=str(scratch),
                    env=sandboxing_environment(),
                    preexec_fn=lambda: _preexec(limits, cgroups.procs_files),
                )
            finally:
                if bwrap is not None:
                    os.close(write_fd)
            if bwrap is not None:
                cap = len(outputs) * (limits.file_bytes + 1 + 12 + 1024)
                drain = _Drain(read_fd, cap)
                drain.start()
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                timed_out = True
            finally:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)  # stragglers too, not just on timeout
                proc.wait()
        wall = time.monotonic() - started
        if drain is not None:
            drain.join(timeout=30)
            if not timed_out and not drain.is_alive():
                _write_outputs(scratch, _unpack(drain.data, outputs, limits.file_bytes))
        rc = proc.returncode
        killed = {signal.SIGXCPU, signal.SIGKILL}
        by_signal = (rc is not None and rc < 0 and -rc in killed) or (
            bwrap is not None and rc is not None and rc - 128 in killed
        )
        memory_limited = not timed_out and by_signal and cgroups.oom_killed()
        return Outcome(
            returncode=rc,
            timed_out=timed_out,
            wall_s=wall,
            stdout=_tail(logs / "stdout"),
            stderr=_tail(logs / "stderr"),
            isolated=bwrap is not None,
            cpu_limited=not timed_out and by_signal and not memory_limited,
            memory_limited=memory_limited,
        )
    finally:
        if drain is None and bwrap is not None:
            os.close(read_fd)
        cgroups.close()
        shutil.rmtree(logs, ignore_errors=True)


@contextlib.contextmanager
def scratch_dir() -> Iterator[Path]:
    """A fresh scratch folder, removed afterwards (or by a later run if this process is killed).

    shutil.rmtree works on file descriptors with O_NOFOLLOW on Linux (`rmtree.avoids_symlink_attacks`),
    so links planted by the sandboxed code cannot redirect the deletion.
    """
    remove_stale()
    path = Path(tempfile.mkdtemp(prefix=f"sims-scratch-{_owner_tag()}-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


# -- self test -------------------------------------------------------------------------------

_PROBE = textwrap.dedent(
    """
    import glob, json, os, socket, sys
    scratch = sys.argv[1]
    report = {"findings": [], "environ": {}, "read": [], "shm_marker_seen": False}
    def note(what):
        report["findings"].append(what)
    for host, port in PORTS:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(1.0)
        try:
            s.connect((host, port))
            note(f"network: connected to {host}:{port}")
        except OSError:
            pass
        finally:
            s.close()
    for path in UNIX_SOCKETS:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(1.0)
        try:
            s.connect(path)
            note(f"network: connected to the socket {path}")
        except OSError:
            pass
        finally:
            s.close()
    try:
        socket.getaddrinfo("pypi.org", 443)
        note("network: DNS lookup of pypi.org succeeded")
    except OSError:
        pass
    # Every environment this process can see: its own, PID 1's (bwrap) and any other in /proc.
    paths = ["/proc/self/environ", "/proc/1/environ", *glob.glob("/proc/[0-9]*/environ")]
    for path in dict.fromkeys(paths):
        try:
            with open(path, "rb") as f:
                data = f.read(1 << 20)
        except OSError:
            continue
        names = sorted({v.split(b"=", 1)[0].decode("latin-1") for v in data.split(b"\\0") if v})
        extra = [n for n in names if n not in ALLOWED_ENV]
        if TOKEN.encode() in data or extra:
            if len(report["environ"]) < 50:
                report["environ"][path] = {"token": TOKEN.encode() in data, "names": extra[:20]}
    # Mount points this process can see, from its own mountinfo: write into each, and look for
    # host paths named there as mount sources.
    mounts = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            unescape = lambda s: s.encode().decode("unicode_escape")
            mounts.append((unescape(fields[3]), unescape(fields[4])))
    for source, point in mounts:
        if point not in WRITABLE and not point.startswith(("/proc", "/sys")):
            try:
                fd = os.open(os.path.join(point, ".sims-selftest-" + TOKEN), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                os.close(fd)
                os.unlink(os.path.join(point, ".sims-selftest-" + TOKEN))
                note(f"mounts: created a file in {point}, which should be read-only")
            except OSError:
                pass
        if source != point and source != "/" and os.path.exists(source) and source in HOST_MARKERS:
            note(f"mounts: reached the host path {source} named in mountinfo")
    for path in READ_TARGETS:
        try:
            if os.path.isdir(path):
                names = os.listdir(path)
                report["read"].append(path)
                for name in names[:5]:
                    with open(os.path.join(path, name), "rb") as f:
                        f.read(16)
            else:
                with open(path, "rb") as f:
                    f.read(4096)
                report["read"].append(path)
        except OSError:
            pass
    for target in WRITE_TARGETS:
        try:
            with open(target, "w") as f:
                f.write("escaped")
        except OSError:
            pass
    def fill(folder, cap):
        written = 0
        chunk = b"x" * (1 << 20)
        for i in range(2 * cap // len(chunk) + 1):
            try:
                with open(os.path.join(folder, f"fill-{TOKEN}-{i}"), "wb") as f:
                    f.write(chunk)
                written += len(chunk)
            except OSError:
                break
        for i in range(2 * cap // len(chunk) + 1):
            try:
                os.unlink(os.path.join(folder, f"fill-{TOKEN}-{i}"))
            except OSError:
                pass
        return written
    report["shm_marker_seen"] = os.path.exists(SHM_MARKER)
    if os.path.isdir("/dev/shm"):
        written = fill("/dev/shm", SHM_CAP)
        if written > SHM_CAP:
            note(f"disk: wrote {written >> 20} MiB to /dev/shm, over its {SHM_CAP >> 20} MiB cap")
    written = fill(scratch, SCRATCH_CAP)
    if written > SCRATCH_CAP:
        note(f"disk: wrote {written >> 20} MiB to scratch, over its {SCRATCH_CAP >> 20} MiB cap")
    with open(os.path.join(scratch, "probe.json"), "w") as f:
        json.dump(report, f)
    """
)

_FORK_PROBE = textwrap.dedent(
    """
    import os, time
    children = 0
    for _ in range(ATTEMPTS):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            time.sleep(30)
            os._exit(0)
        children += 1
    print("FORKED", children, flush=True)
    """
)

#: The environment variable the self-test plants in the worker while it runs: if the sandboxed
#: probe finds its value in any /proc/*/environ, the worker's environment reaches the sandbox.
TOKEN_VARIABLE = "REMIXBANK_SANDBOX_SELFTEST_TOKEN"  # noqa: S105 - a name, not a secret


@contextlib.contextmanager
def _planted_variable(name: str, value: str) -> Iterator[None]:
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


def _address(port: int | tuple[str, int]) -> tuple[str, int]:
    return ("127.0.0.1", port) if isinstance(port, int) else (str(port[0]), int(port[1]))


def self_test(
    host_file: str | Path | None = None,
    *,
    host_paths: Iterable[str | Path] = (),
    ports: Iterable[int | tuple[str, int]] = (),
    unix_sockets: Iterable[str | Path] = (),
    allow_rlimits_only: bool = False,
) -> list[str]:
    """Try to escape the sandbox; return the escapes that SUCCEEDED (empty: the sandbox holds).

    Meant for worker start-up. The probe, run in the real sandbox, tries:

    * the worker's environment: a token planted in this process's environment for the run, and any
      variable outside `child_environment()`, in /proc/1/environ and every /proc/*/environ visible;
    * the network: TCP to 127.0.0.1:5432, to a live listener of ours and to `ports` (port numbers
      on 127.0.0.1, or (host, port)), the unix sockets in `unix_sockets`, a DNS lookup;
    * the filesystem: creating a file in every mount point /proc/self/mountinfo lists (only the
      private tmpfs mounts may take one), reaching the host paths named there as mount sources,
      reading `host_file`, `host_paths` (files, or folders listed and read) and a secret file we
      plant, writing into a host folder and into the sims package;
    * /dev/shm and /scratch: seeing a marker we put in the host's /dev/shm, writing past their caps;
    * processes: forking far past the process limit.

    Pass the worker's database file, blob folder and broker socket or port, so the probe tries them.
    """
    if bwrap_path() is None and not allow_rlimits_only:
        return ["bubblewrap (bwrap) is not installed: untrusted code would run unconfined"]
    escapes: list[str] = []
    token = uuid.uuid4().hex
    with contextlib.ExitStack() as stack:
        remove_stale()
        host_dir = Path(tempfile.mkdtemp(prefix=f"sims-selftest-{_owner_tag()}-"))
        stack.callback(shutil.rmtree, host_dir, True)
        host_dir.chmod(0o777)
        secret = host_dir / "secret.txt"
        secret.write_text(token)
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        stack.callback(listener.close)
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        addresses = [("127.0.0.1", 5432), ("127.0.0.1", listener.getsockname()[1])]
        addresses += [_address(p) for p in ports]
        shm_marker = Path("/dev/shm") / f"sims-selftest-{token}-marker"  # noqa: S108 - the host's
        shm_escape = Path("/dev/shm") / f"fill-{token}-0"  # noqa: S108 - the host's
        if shm_marker.parent.is_dir():
            with contextlib.suppress(OSError):
                shm_marker.write_text(token)
                stack.callback(shm_marker.unlink, True)
        write_targets = [str(host_dir / "escape.txt"), str(package_dir() / "escape.txt")]
        read_targets = sorted({str(secret), *(str(p) for p in host_paths)})
        if host_file is not None:
            read_targets = sorted({*read_targets, str(host_file)})
        limits = Limits(cpu_s=10, scratch_bytes=8 << 20, shm_bytes=4 << 20)
        scratch = stack.enter_context(scratch_dir())
        settings = {
            "TOKEN": token,
            "PORTS": addresses,
            "UNIX_SOCKETS": [str(p) for p in unix_sockets],
            "ALLOWED_ENV": sorted({*child_environment(), "PWD"}),  # bwrap's --chdir sets PWD
            "WRITABLE": [*PRIVATE_WRITABLE, SCRATCH_INSIDE, str(scratch)],
            "HOST_MARKERS": [str(host_dir), str(scratch), str(package_dir()), *read_targets],
            "READ_TARGETS": read_targets,
            "WRITE_TARGETS": write_targets,
            "SHM_MARKER": str(shm_marker),
            "SHM_CAP": limits.shm_bytes,
            "SCRATCH_CAP": limits.scratch_bytes,
        }
        code = "".join(f"{k}={v!r}\n" for k, v in settings.items()) + _PROBE
        with _planted_variable(TOKEN_VARIABLE, token):
            outcome = run_python(
                code,
                scratch,
                timeout_s=30,
                allow_rlimits_only=allow_rlimits_only,
                limits=limits,
                outputs=("probe.json",),
            )
        escapes += _judge(scratch, outcome, token)
        for target in [*write_targets, str(shm_escape)]:
            if os.path.lexists(target):
                escapes.append(f"wrote outside the sandbox: {target}")
                with contextlib.suppress(OSError):
                    os.unlink(target)
        fork_limits = Limits(cpu_s=10, nproc=32)
        attempts = 10 * fork_limits.nproc
        scratch = stack.enter_context(scratch_dir())
        fork = run_python(
            f"ATTEMPTS={attempts}\n" + _FORK_PROBE,
            scratch,
            timeout_s=20,
            limits=fork_limits,
            allow_rlimits_only=allow_rlimits_only,
        )
        forked = [int(s.split()[1]) for s in fork.stdout.splitlines() if s.startswith("FORKED ")]
        if not forked or forked[0] >= attempts:
            escapes.append(f"fork bomb: {forked[0] if forked else '?'} processes, no limit hit")
    return escapes


def _judge(scratch: Path, outcome: Outcome, token: str) -> list[str]:
    """The escapes in the probe's report."""
    from sims._io import read_regular_file

    try:
        report = json.loads(read_regular_file(scratch, "probe.json", 1 << 20))
    except (OSError, ValueError):
        return [f"probe did not run (exit {outcome.returncode}): {outcome.stderr[-500:]}"]
    escapes = [str(f) for f in report.get("findings", [])]
    environ = report.get("environ", {})
    for path in sorted(p for p, seen in environ.items() if seen.get("token"))[:5]:
        escapes.append(f"environment: the worker's planted {TOKEN_VARIABLE} is in {path}")
    foreign = sorted(p for p, seen in environ.items() if seen.get("names"))
    if foreign:
        names = ", ".join(environ[foreign[0]]["names"][:8])
        escapes.append(
            f"environment: {len(foreign)} readable environ file(s) hold variables the sandbox "
            f"never sets, such as {foreign[0]} ({names})"
        )
    for path in report.get("read", []):
        escapes.append(f"read host path {path}")
    if report.get("shm_marker_seen"):
        escapes.append("shm: the host's /dev/shm is visible (a marker planted there was seen)")
    return escapes
