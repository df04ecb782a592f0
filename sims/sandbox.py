"""Run untrusted Python (a student's controller with the engine) in ONE bubblewrap-confined process.

Layers, from /work/shared/notes/validation-sandbox.md (parts 2b and 3.3):

* namespaces: new user, pid, net, ipc, uts and cgroup namespaces (`--unshare-all`), uid 65534
  inside, no nested user namespaces, all capabilities dropped, a new session;
* filesystem: read-only /usr, the interpreter's prefixes and the sims package; a private 16 MiB /tmp;
  the scratch folder (bound at /scratch) is the only writable host path; the root is remounted
  read-only and the environment cleared;
* rlimits set before exec and inherited through bwrap: CPU, address space, file size, processes,
  open files, no core dumps;
* processes: RLIMIT_NPROC does not bind root (the kernel exempts uid 0 even when mapped to 65534
  inside), and CI runs as root, so when we are root we also put the sandbox in its own pids cgroup
  with `pids.max`;
* a wall-clock deadline enforced from outside: the process group is SIGKILLed, and the pid
  namespace takes every process inside with it.

Where bwrap is missing, untrusted code is refused unless the caller passes allow_rlimits_only=True,
in which case only the rlimits and the wall clock apply (no filesystem or network isolation).
Output files are read back by sims._io.read_regular_file, which never follows links.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sims

#: Where the sims package appears inside the sandbox.
PACKAGE_ROOT_INSIDE = "/opt/remixbank"
SCRATCH_INSIDE = "/scratch"
SANDBOX_UID = 65534


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
    tmpfs_bytes: int = 16 << 20


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


def bwrap_path() -> str | None:
    """The bwrap executable, or None where bubblewrap is not installed."""
    return shutil.which("bwrap")


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
    argv += [
        "--ro-bind",
        str(package_dir()),
        f"{PACKAGE_ROOT_INSIDE}/sims",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--bind",
        str(scratch),
        SCRATCH_INSIDE,
        "--remount-ro",
        "/",
        "--chdir",
        SCRATCH_INSIDE,
        "--clearenv",
    ]
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": SCRATCH_INSIDE,
        "LANG": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # set by this VM for OpenBLAS
        if name in os.environ:
            env[name] = os.environ[name]
    for key, value in env.items():
        argv += ["--setenv", key, value]
    return [*argv, "--"]


class _PidsCgroup:
    """A cgroup capping the sandbox's process count, for when RLIMIT_NPROC cannot (we are root)."""

    def __init__(self, max_pids: int) -> None:
        self.path: Path | None = None
        if os.geteuid() != 0:
            return
        name = f"remixbank-sims-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        candidates = [Path("/sys/fs/cgroup/pids")]
        if Path("/sys/fs/cgroup/cgroup.controllers").exists():
            candidates.append(Path("/sys/fs/cgroup"))  # cgroup v2
        for base in candidates:
            try:
                if not (base / "cgroup.procs").exists():
                    continue
                path = base / name
                path.mkdir()
                try:
                    (path / "pids.max").write_text(str(max_pids))
                except OSError:
                    path.rmdir()
                    continue
                self.path = path
                return
            except OSError:
                continue

    @property
    def procs_file(self) -> str | None:
        return str(self.path / "cgroup.procs") if self.path else None

    def close(self) -> None:
        if self.path is None:
            return
        for _ in range(100):  # the killed processes take a moment to leave the cgroup
            try:
                self.path.rmdir()
                return
            except OSError:
                time.sleep(0.02)


def _preexec(limits: Limits, procs_file: str | None) -> None:
    """Runs in the forked child before exec: join the cgroup, then lower the limits."""
    if procs_file is not None:
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


def run_python(
    code: str,
    scratch: Path,
    *,
    timeout_s: float,
    limits: Limits | None = None,
    allow_rlimits_only: bool = False,
) -> Outcome:
    """Run `python -I -B -c code SCRATCH` confined; SCRATCH is the scratch folder as seen inside.

    The sims package is importable inside. Raises SandboxUnavailable when bwrap is missing and
    allow_rlimits_only is False.
    """
    limits = limits or Limits(cpu_s=max(1, int(timeout_s + 0.999)))
    bwrap = bwrap_path()
    if bwrap is None and not allow_rlimits_only:
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is not installed, so untrusted code cannot be confined; install "
            "it (apt-get install bubblewrap) or pass allow_rlimits_only=True to run with only "
            "resource limits and no filesystem or network isolation"
        )
    python = sys.executable
    if bwrap is not None:
        argv = [*bwrap_argv(bwrap, scratch, limits), python, "-I", "-B", "-c", code]
        argv += [SCRATCH_INSIDE, PACKAGE_ROOT_INSIDE]
    else:
        argv = [python, "-I", "-B", "-c", code, str(scratch), str(package_dir().parent)]
    cgroup = _PidsCgroup(limits.nproc)
    logs = Path(tempfile.mkdtemp(prefix="sims-logs-"))
    started = time.monotonic()
    timed_out = False
    try:
        with open(logs / "stdout", "wb") as out, open(logs / "stderr", "wb") as err:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                close_fds=True,
                start_new_session=True,
                cwd=str(scratch),
                env=None if bwrap else _minimal_env(),
                preexec_fn=lambda: _preexec(limits, cgroup.procs_file),
            )
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                timed_out = True
            finally:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)  # stragglers too, not just on timeout
                proc.wait()
        wall = time.monotonic() - started
        rc = proc.returncode
        cpu_signals = {signal.SIGXCPU, signal.SIGKILL}
        cpu_limited = not timed_out and (
            (rc is not None and rc < 0 and -rc in cpu_signals)
            or (bwrap is not None and rc is not None and rc - 128 in cpu_signals)
        )
        return Outcome(
            returncode=rc,
            timed_out=timed_out,
            wall_s=wall,
            stdout=_tail(logs / "stdout"),
            stderr=_tail(logs / "stderr"),
            isolated=bwrap is not None,
            cpu_limited=cpu_limited,
        )
    finally:
        cgroup.close()
        shutil.rmtree(logs, ignore_errors=True)


def _minimal_env() -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "OPENBLAS_NUM_THREADS": "1"}


@contextlib.contextmanager
def scratch_dir() -> Iterator[Path]:
    """A fresh scratch folder, removed afterwards.

    shutil.rmtree works on file descriptors with O_NOFOLLOW on Linux (`rmtree.avoids_symlink_attacks`),
    so links planted by the sandboxed code cannot redirect the deletion.
    """
    path = Path(tempfile.mkdtemp(prefix="sims-scratch-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


# -- self test -------------------------------------------------------------------------------

_PROBE = textwrap.dedent(
    """
    import os, socket, sys
    findings = []
    def note(what):
        findings.append(what)
    for port in PORTS:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(1.0)
        try:
            s.connect(("127.0.0.1", port))
            note(f"network: connected to 127.0.0.1:{port}")
        except OSError:
            pass
        finally:
            s.close()
    try:
        socket.getaddrinfo("pypi.org", 443)
        note("network: DNS lookup of pypi.org succeeded")
    except OSError:
        pass
    for target in WRITE_TARGETS:
        try:
            with open(target, "w") as f:
                f.write("escaped")
        except OSError:
            pass
    for path in READ_TARGETS:
        try:
            with open(path, "rb") as f:
                data = f.read(4096)
            print("READ", path, data.decode("latin-1"))
        except OSError:
            pass
    print("FINDINGS", repr(findings))
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


def self_test(
    host_file: str | Path | None = None, *, allow_rlimits_only: bool = False
) -> list[str]:
    """Try to escape the sandbox; return the escapes that SUCCEEDED (empty: the sandbox holds).

    Probes: TCP to 127.0.0.1:5432 and to a live listener of ours, a DNS lookup, writing into a host
    folder and into the sims package, forking far past the process limit, and reading `host_file`
    (by default a secret file we plant outside the sandbox). Meant for worker start-up.
    """
    if bwrap_path() is None and not allow_rlimits_only:
        return ["bubblewrap (bwrap) is not installed: untrusted code would run unconfined"]
    escapes: list[str] = []
    token = uuid.uuid4().hex
    with contextlib.ExitStack() as stack:
        host_dir = Path(tempfile.mkdtemp(prefix="sims-selftest-"))
        stack.callback(shutil.rmtree, host_dir, True)
        host_dir.chmod(0o777)
        secret = host_dir / "secret.txt"
        secret.write_text(token)
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        stack.callback(listener.close)
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        ports = [5432, listener.getsockname()[1]]
        write_targets = [str(host_dir / "escape.txt"), str(package_dir() / "escape.txt")]
        read_targets = sorted({str(host_file or secret), str(secret)})
        code = (
            f"PORTS={ports!r}\nWRITE_TARGETS={write_targets!r}\nREAD_TARGETS={read_targets!r}\n"
            + _PROBE
        )
        scratch = stack.enter_context(scratch_dir())
        outcome = run_python(
            code,
            scratch,
            timeout_s=20,
            allow_rlimits_only=allow_rlimits_only,
            limits=Limits(cpu_s=10),
        )
        for line in outcome.stdout.splitlines():
            if line.startswith("FINDINGS "):
                escapes += eval_list(line.removeprefix("FINDINGS "))
            if line.startswith("READ ") and (token in line or host_file):
                path = line.split(" ", 2)[1]
                escapes.append(f"read host file {path}")
        if "FINDINGS" not in outcome.stdout:
            escapes.append(
                f"probe did not run (exit {outcome.returncode}): {outcome.stderr[-500:]}"
            )
        for target in write_targets:
            if os.path.exists(target):
                escapes.append(f"wrote outside scratch: {target}")
                with contextlib.suppress(OSError):
                    os.unlink(target)
        limits = Limits(cpu_s=10, nproc=32)
        attempts = 10 * limits.nproc
        scratch = stack.enter_context(scratch_dir())
        fork = run_python(
            f"ATTEMPTS={attempts}\n" + _FORK_PROBE,
            scratch,
            timeout_s=20,
            limits=limits,
            allow_rlimits_only=allow_rlimits_only,
        )
        forked = [int(s.split()[1]) for s in fork.stdout.splitlines() if s.startswith("FORKED ")]
        if not forked or forked[0] >= attempts:
            escapes.append(f"fork bomb: {forked[0] if forked else '?'} processes, no limit hit")
    return escapes


def eval_list(text: str) -> list[str]:
    """Parse the probe's repr(list of str) without eval."""
    import ast

    value = ast.literal_eval(text)
    return [str(v) for v in value] if isinstance(value, list) else []
