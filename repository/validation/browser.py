"""Run a deposited web tool in headless Chromium, cut off from the network, and report what broke.

Two processes share this file. The caller (a Celery task, a test) uses `check_tool()`, which hands
the check to a long-lived *browser host*: this same file run as a script, holding one Chromium and
answering one request per line on its stdin with one JSON line on its stdout. The host runs each
profile of a check in a fresh browser context of its own, the profiles side by side, and opens
the next check's contexts while it waits for it (a renderer takes a while to start). The caller
enforces a wall-clock deadline per check and kills the host's whole process group when it is
missed, because some Playwright calls never return on a page that spins (playwright-python#1150, and `page.mouse.click` on `while (true) {}`). The host is
recycled after `MAX_CHECKS_PER_HOST` checks, on a crash, or when a context will not close.

Chromium runs inside bubblewrap with its own network, pid, ipc and uts namespaces and a filesystem
made of /usr, fonts and a scratch folder only, so neither HTTP nor WebRTC nor anything else reaches
the machine's network, and a compromised renderer sees no project files. As root Chromium's own
sandbox cannot run (`--no-sandbox`); as any other user it stays on, nested inside bwrap's.

Files are served by Playwright's router, straight from the version's folder, at the origin
learners get the version from (`v<id>-<token>.<content host>`, named by the trusted side in the
work order) and with the same headers, CSP sandbox and charsets, built by the same code
(`repository.validation.serving`): a tool that breaks for learners breaks here. Nothing reaches
a server: every other request and every WebSocket is refused and recorded.

No Django here: this module must import and run in the host process, which has no settings.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import contextlib
import functools
import hashlib
import json
import os
import random
import re
import select
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, unquote, urlsplit

from repository.validation import serving

CHROMIUM = "/usr/lib/chromium/chromium"  # the real binary; /usr/bin/chromium is Debian's wrapper
BWRAP = "/usr/bin/bwrap"
# The origin of a check whose caller names none (tests, the self-test's probe page): shaped like
# a version's (`.invalid` never resolves, so nothing but the router could answer it).
ORIGIN = "http://v0-check.tool.invalid"
MAX_CHECKS_PER_HOST = 50
STEP_TIMEOUT_S = 5.0  # any single Playwright call (screenshot, evaluate, close)
ACTION_TIMEOUT_S = 2.0  # one fuzz action; a page that needs longer is stuck
LAUNCH_ALLOWANCE_S = 30.0  # added to the deadline of a host's first check (interpreter + launch)
CLEANUP_ALLOWANCE_S = 35.0  # settles, screenshots, axe-core and closes, each bounded by the host
SETTLE_MS = 250  # page time after load (and after the fuzz) for the timers it set to fire
# The fuzz makes a fixed number of actions (so a seed always means the same actions), paced
# to take about `fuzz_seconds`; a page too slow to take them all within a few times that
# gets the rest skipped, with a note.
ACTIONS_PER_SECOND = 20
FUZZ_SLACK = 4.0
# A failing run is run again with the same seed; the failure counts only if it comes back.
RUNS_TO_CONFIRM = 2

# The devices every tool is tried on, each in a fresh context of the same browser. The phone is
# a mid-range Android phone's screen and browser (CSS pixels; touch, `isMobile`).
PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
PROFILES: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}, "has_touch": False},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "user_agent": PHONE_UA,
    },
}
PROFILE_NAMES = tuple(PROFILES)
# The throttled load: the phone on a slow 3G link (Chrome DevTools' "Slow 3G" shape), which is
# what a learner on a small data plan gets. Chromium does not throttle responses that the router
# fulfils, so the router holds each one for the link's latency and bandwidth itself; the same
# figures go to Network.emulateNetworkConditions for anything that would reach the network.
SLOW_3G = {"latency_ms": 400, "kbit_per_s": 400}
SLOW_3G_LABEL = "slow 3G (400 kbit/s, 400 ms round trip)"
# How long the throttled load may take to become interactive (the VALIDATION_SLOW_3G_SECONDS
# setting on the trusted side); a page that is not is a warning with the bytes that had
# arrived by then, never a failure.
SLOW_3G_SECONDS = 10.0
THROTTLED = "throttled"  # the kind of tab the throttled load runs in
# axe-core, vendored (npm package axe-core, MPL-2.0, its LICENSE beside it), run inside the tool.
AXE_JS = Path(__file__).with_name("vendor") / "axe-core-4.14.1" / "axe.min.js"
AXE_IMPACTS = ("serious", "critical")

ARGS = [
    "--headless",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
    "--metrics-recording-only",
    "--disable-features=Translate,MediaRouter,OptimizationHints,DialMediaRouteProvider",
]

# Keys a learner might press; none of them leaves the page (no F5, no Alt+Left).
FUZZ_KEYS = ["Tab", "Enter", " ", "Escape", "Backspace", "ArrowLeft", "ArrowRight", "ArrowUp"]
FUZZ_KEYS += ["ArrowDown", "Home", "End", "PageDown", "a", "z", "0", "7", "+", "-", "."]

# Errors the router already reports (blocked or missing), which Chromium repeats on the console.
_ECHOED_CONSOLE = re.compile(r"^Failed to load resource: ")
_STACK_PLACE = r"/([^\s():]*):(\d+):\d+"


class BrowserUnavailable(RuntimeError):
    """Chromium could not be started or stopped answering on our side: retry later, not the tool's fault."""


@dataclass
class BrowserReport:
    """What a check found, over every profile; `profiles` holds each one's own figures.

    `problems` fail the tool (each names its profile unless every profile had it); `warnings`
    do not (a failure that did not come back when its seed was run again, accessibility
    violations, what needs the network, a slow load on slow 3G).
    """

    passed: bool
    problems: list[str]
    external_requests: list[str] = field(default_factory=list)
    load_ms: float = 0.0
    bytes_transferred: int = 0
    fuzz_actions: int = 0
    screenshot: bytes | None = None  # PNG of the first profile after loading, before the fuzz
    console_errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Declared external URLs the page asked for, which validation cannot reach.
    needs_network: list[str] = field(default_factory=list)
    # name -> {"loaded", "problems", "warnings", "accessibility", "bytes", "load_ms", "seed",
    #          "fuzz_actions", "actions", "runs", "failed_runs", "screenshot" (PNG bytes)}
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The throttled load: {"profile", "network", "budget_s", "loaded" (interactive within the
    # budget), "interactive_ms", "timed_out", "bytes" (delivered over the link by the time it
    # was interactive, or by the end of the budget)}
    throttled: dict[str, Any] = field(default_factory=dict)


def check_tool(
    root: Path,
    entry_point: str,
    *,
    seed: int = 0,
    fuzz_seconds: float = 3.0,
    load_timeout_s: float = 10.0,
    allowed_external: Sequence[str] = (),
    origin: str = ORIGIN,
    profiles: Sequence[str] = PROFILE_NAMES,
    throttled: bool = True,
    throttled_timeout_s: float = SLOW_3G_SECONDS,
    host: BrowserHost | None = None,
    player: bool = False,
) -> BrowserReport:
    """Load `entry_point` from the files in `root` in each profile, screenshot it, check its
    accessibility, fuzz it, and report what broke; then load it once more over slow 3G.

    The fuzz of each profile is seeded from `seed` and the profile's name, so the same seed
    gives the same actions. `allowed_external` lists URL prefixes the manifest declares: such
    requests are still blocked (validation has no network) and reported as needed, not as
    problems. `origin` is where the files are served from, as learners get them
    (`http://v<id>-<token>.<content host>`). `throttled_timeout_s` is how long the slow-3G load
    may take to become interactive. Raises BrowserUnavailable when Chromium itself cannot run;
    everything the tool does wrong is in the report instead. `player`: the entry
    point is an H5P or SCORM player's page (repository/validation/players.py), whose own verdict
    is asked for after the fuzz.
    """
    return (host or shared_host()).check(
        root,
        entry_point,
        seed=seed,
        fuzz_seconds=fuzz_seconds,
        load_timeout_s=load_timeout_s,
        allowed_external=allowed_external,
        origin=origin,
        profiles=profiles,
        throttled=throttled,
        throttled_timeout_s=throttled_timeout_s,
        player=player,
    )


def profile_seed(seed: int, profile: str) -> int:
    """The fuzz seed of one profile: the version's seed and the profile's name, hashed."""
    digest = hashlib.sha256(f"{seed}/{profile}".encode()).hexdigest()
    return int(digest[:12], 16)


@functools.cache
def browser_release() -> str:
    """Name the Chromium that runs the checks, e.g. "chromium-156.0.8078.73", for the validator release."""
    out = subprocess.run(
        [CHROMIUM, "--version"], capture_output=True, text=True, timeout=30, check=True
    ).stdout
    match = re.search(r"(\d+(?:\.\d+)+)", out)
    if not match:
        raise BrowserUnavailable(f"cannot read Chromium's version from {out!r}")
    return f"chromium-{match.group(1)}"


def self_test(host: BrowserHost | None = None) -> list[str]:
    """Try to reach this machine's network from inside the checking browser; list what got through.

    The probe page bypasses the router for 127.0.0.1, so what is tested is the namespace itself:
    a page load of a TCP listener we open, a page load of PostgreSQL's port, and a WebRTC STUN
    exchange with a UDP socket we open. An empty list means the browser is safe to use.
    """
    host = host or shared_host()
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp,
    ):
        tcp.bind(("127.0.0.1", 0))
        tcp.listen(8)
        tcp.setblocking(False)
        udp.bind(("127.0.0.1", 0))
        udp.setblocking(False)
        tcp_port, udp_port = tcp.getsockname()[1], udp.getsockname()[1]
        answer = host.probe(tcp_port=tcp_port, udp_port=udp_port)
        escapes = [f"A page load reached 127.0.0.1:{p}" for p in answer.get("reached", [])]
        try:
            tcp.accept()[0].close()
            escapes.append(f"A TCP connection reached a listener on 127.0.0.1:{tcp_port}")
        except BlockingIOError:
            pass
        try:
            udp.recv(2048)
            escapes.append(f"A WebRTC STUN packet reached a UDP socket on 127.0.0.1:{udp_port}")
        except BlockingIOError:
            pass
    return sorted(set(escapes))


# -- the caller's side: one host process per worker process --------------------------------------


class BrowserHost:
    """A child process holding one Chromium, started on first use and replaced when it misbehaves.

    Not shared across processes: after a fork, `shared_host()` gives the child its own.
    `netns=False` runs Chromium without bubblewrap; it exists only so tests can show the probes of
    `self_test` do detect an escape.
    """

    def __init__(self, *, max_checks: int = MAX_CHECKS_PER_HOST, netns: bool = True) -> None:
        self.max_checks = max_checks
        self.netns = netns
        self.checks_done = 0  # by the current process, reset on every restart
        self.restarts = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._scratch = ""
        self._crashed = False  # whether the last request ended with the host dead, not late
        self._lock = threading.Lock()

    def check(
        self,
        root: Path,
        entry_point: str,
        *,
        seed: int = 0,
        fuzz_seconds: float = 3.0,
        load_timeout_s: float = 10.0,
        allowed_external: Sequence[str] = (),
        origin: str = ORIGIN,
        profiles: Sequence[str] = PROFILE_NAMES,
        throttled: bool = True,
        throttled_timeout_s: float = SLOW_3G_SECONDS,
        player: bool = False,
    ) -> BrowserReport:
        """Run one check, each profile in fresh contexts; see `check_tool`."""
        unknown = sorted(set(profiles) - set(PROFILES))
        if unknown or not profiles:
            raise ValueError(f"unknown profiles {unknown}; choose among {list(PROFILES)}")
        if not throttled_timeout_s > 0:
            raise ValueError(
                f"throttled_timeout_s={throttled_timeout_s!r}: give the slow-3G load a number "
                "of seconds above 0"
            )
        request = {
            "op": "check",
            "root": str(Path(root).resolve()),
            "entry_point": entry_point,
            "seed": seed,
            "fuzz_seconds": fuzz_seconds,
            "load_timeout_s": load_timeout_s,
            "allowed_external": list(allowed_external),
            "origin": origin.rstrip("/"),
            "profiles": list(profiles),
            "throttled": throttled,
            "throttled_timeout_s": throttled_timeout_s,
            "player": player,
        }
        # Profiles run side by side (on a machine too busy to overlap them, as long as one after
        # the other); a profile that failed beside others is run alone, and a failing run again.
        one_run = load_timeout_s + SETTLE_MS / 1000 + fuzz_seconds * FUZZ_SLACK
        if player:
            one_run += PLAYER_ALLOWANCE_S
        side_by_side = 1 if len(profiles) > 1 or throttled else 0
        runs = side_by_side + len(profiles) * RUNS_TO_CONFIRM
        budget = runs * one_run + CLEANUP_ALLOWANCE_S
        if throttled:  # the side-by-side runs last as long as the slow-3G load at least
            budget += max(0.0, throttled_timeout_s + ACTION_TIMEOUT_S + 2 - one_run)
        with self._lock:
            answer = self._call(request, budget)
            self.checks_done += 1
            if answer is None:
                return self._stopped_report(budget)
            if answer.get("recycle") or self.checks_done >= self.max_checks:
                self._stop()
        shot = answer.pop("screenshot")
        answer.pop("recycle", None)
        for profile in answer.get("profiles", {}).values():
            if profile.get("screenshot"):
                profile["screenshot"] = base64.b64decode(profile["screenshot"])
        return BrowserReport(screenshot=base64.b64decode(shot) if shot else None, **answer)

    def probe(self, *, tcp_port: int, udp_port: int) -> dict[str, Any]:
        """Run the network probes of `self_test` in this host's browser."""
        with self._lock:
            answer = self._call({"op": "probe", "tcp_port": tcp_port, "udp_port": udp_port}, 30)
            if answer is None:
                self._stop(graceful=False)
                raise BrowserUnavailable("the browser host stopped during the network self-test")
        return answer

    def close(self) -> None:
        """Stop the host and its browser; the next check starts a new one."""
        with self._lock:
            self._stop()
            if self._log is not None:
                self._log.close()
                self._log = None

    def _stopped_report(self, budget: float) -> BrowserReport:
        # The host missed its deadline or died. If a fresh host answers, the tool was to blame.
        crashed = self._crashed
        self._stop(graceful=False)
        if self._call({"op": "ping"}, LAUNCH_ALLOWANCE_S) is None:
            self._stop(graceful=False)
            raise BrowserUnavailable(f"the browser does not start again: {self._log_tail()}")
        problem = (
            "The browser crashed while running the tool"
            if crashed
            else f"The check did not finish within {budget:.0f} s and was stopped: the page hangs the browser"
        )
        return BrowserReport(passed=False, problems=[problem])

    def _call(self, request: dict[str, Any], budget: float) -> dict[str, Any] | None:
        """Send one request and wait for its answer; None if the host missed the deadline or died."""
        if self._proc is None:
            self._start()
            budget += LAUNCH_ALLOWANCE_S
        assert self._proc is not None and self._proc.stdin and self._proc.stdout
        self._crashed = False
        try:
            self._proc.stdin.write(json.dumps(request).encode() + b"\n")
            self._proc.stdin.flush()
        except BrokenPipeError:
            self._crashed = True
            return None
        try:
            line = _read_line(self._proc.stdout.fileno(), time.monotonic() + budget)
        except BaseException:
            # Interrupted (Celery's soft time limit, Ctrl-C): the host is mid-request, and its
            # late answer would be taken for the next one's, so it goes.
            self._stop(graceful=False)
            raise
        if line is None:
            self._crashed = self._proc.poll() is not None
            return None
        answer: dict[str, Any] = json.loads(line)
        if "unavailable" in answer:
            self._stop()
            raise BrowserUnavailable(answer["unavailable"])
        return answer

    def _start(self) -> None:
        scratch = tempfile.mkdtemp(prefix="remixbank-browser-")
        if self._log is not None:
            self._log.close()
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 -- open as long as the host lives
        argv = [sys.executable, "-I", str(Path(__file__).resolve()), "--host", scratch]
        if not self.netns:
            argv.append("--no-netns")
        self._proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            start_new_session=True,  # its own process group, so a kill takes Node and bwrap along
            close_fds=True,
            env=host_environment(scratch),
        )
        self._scratch = scratch
        self.checks_done = 0
        self.restarts += 1

    def _stop(self, *, graceful: bool = True) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        # Closing stdin asks an idle host to shut Chromium down; the kill covers one that will not,
        # and a host that missed a deadline is killed at once, as it reads no more requests.
        assert proc.stdin and proc.stdout
        with contextlib.suppress(OSError):
            proc.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5 if graceful else 0)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        shutil.rmtree(self._scratch, ignore_errors=True)

    def _log_tail(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0, os.SEEK_END)
        self._log.seek(max(0, self._log.tell() - 2000))
        return self._log.read().decode(errors="replace").strip()[-1000:]


def host_environment(scratch: str) -> dict[str, str]:
    """The browser host's whole environment, built from nothing: no variable of the worker's.

    Chromium, Playwright's driver and bwrap inherit it, so nothing secret can be read from
    their /proc/<pid>/environ: only the search path, a home and temporary folder (the scratch
    folder, where Playwright puts the profile), the locale and the font configuration.
    """
    env = {"PATH": "/usr/bin:/bin", "HOME": scratch, "TMPDIR": scratch, "LANG": "C.UTF-8"}
    for name in ("FONTCONFIG_PATH", "FONTCONFIG_FILE"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def _read_line(fd: int, deadline: float) -> bytes | None:
    """Read up to a newline from `fd` before `deadline`; None on timeout or end of file."""
    chunks: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            return None
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return None
        chunks.append(chunk)
        if chunk.endswith(b"\n"):
            return b"".join(chunks)


_shared: tuple[int, BrowserHost] | None = None


def shared_host() -> BrowserHost:
    """The host of this process, created on first use (so a forked Celery child makes its own)."""
    global _shared
    if _shared is None or _shared[0] != os.getpid():
        _shared = (os.getpid(), BrowserHost())
    return _shared[1]


@atexit.register
def shutdown() -> None:
    """Stop this process's host, if it started one."""
    global _shared
    if _shared is not None and _shared[0] == os.getpid():
        _shared[1].close()
    _shared = None


# -- the host's side: this file run as a script ---------------------------------------------------


def _wrapper(scratch: str) -> str:
    """Write the script Playwright starts as "Chromium": Chromium inside bwrap's namespaces.

    Inside, Chromium runs as an unprivileged user (uid 65534, no capabilities), whoever the
    worker runs as.
    """
    fonts = "--ro-bind-try /var/cache/fontconfig /var/cache/fontconfig"
    folder = shlex.quote(scratch)
    script = f"""#!/bin/sh
exec {BWRAP} --unshare-user --uid 65534 --gid 65534 --cap-drop ALL \\
  --unshare-net --unshare-pid --unshare-ipc --unshare-uts --die-with-parent \\
  --new-session --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib \\
  --symlink usr/lib64 /lib64 --symlink usr/sbin /sbin --ro-bind /etc/fonts /etc/fonts \\
  --ro-bind /etc/ld.so.cache /etc/ld.so.cache --ro-bind-try /etc/alternatives /etc/alternatives \\
  --ro-bind-try /etc/localtime /etc/localtime {fonts} --dev /dev --proc /proc --tmpfs /tmp \\
  --bind {folder} {folder} --clearenv --setenv HOME {folder} --setenv TMPDIR {folder} \\
  --setenv PATH /usr/bin -- {CHROMIUM} "$@"
"""
    path = Path(scratch) / "chromium-in-bwrap"
    path.write_text(script)
    path.chmod(0o700)
    return str(path)


async def _launch(playwright: Any, scratch: str, netns: bool) -> Any:
    return await playwright.chromium.launch(
        executable_path=_wrapper(scratch) if netns else CHROMIUM,
        headless=True,
        args=ARGS,
        chromium_sandbox=os.geteuid() != 0,  # as root it refuses to start with its sandbox on
        timeout=30_000,
    )


async def _bounded(awaitable: Any, seconds: float = STEP_TIMEOUT_S) -> Any:
    return await asyncio.wait_for(awaitable, seconds)


class _Run:
    """What one check has seen so far."""

    def __init__(self, root: Path, allowed: Sequence[str], origin: str, entry_point: str) -> None:
        self.root = root
        self.allowed = tuple(allowed)
        self.origin = origin
        self.entry_point = entry_point
        self.stack_place = re.compile(re.escape(origin) + _STACK_PLACE)
        # Ordered sets, so an error repeated in a loop is reported once.
        self.problems: dict[str, None] = {}
        self.external: dict[str, None] = {}
        self.console_errors: list[str] = []
        # Declared external URLs the page asked for, and the problems that are script errors
        # (which may follow from those URLs being out of reach).
        self.needed: dict[str, None] = {}
        self.script_errors: set[str] = set()
        self.link: _Link | None = None  # the throttled load's slow network, if any
        self.bytes = 0
        self.crashed = False
        self.stuck = False  # a fuzz action did not finish: asking the page again would only wait
        # The tool's page, once open; navigations of other frames (pop-ups, iframes) are normal.
        self.main_frame: Any = None

    def problem(self, text: str, *, script: bool = False) -> None:
        if len(self.problems) < 50:
            self.problems[text[:500]] = None
            if script:
                self.script_errors.add(text[:500])

    def answer(self, url: str) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for a request to the version's origin, as learners get them."""
        path = serving.file_path(unquote(urlsplit(url).path), self.entry_point)
        folder = self.root / path  # a folder with an index.html: as the content origin does
        with contextlib.suppress(OSError, RuntimeError, ValueError):
            index = folder / "index.html"
            if index.is_file() and index.resolve().is_relative_to(self.root):
                return 301, serving.folder_redirect_headers(path), b""
        status, body = self.read(path)
        if status != 200:
            return status, serving.missing_headers(), b"Not a file of this version."
        kind = serving.content_type(path)
        headers = serving.response_headers(
            path,
            body if serving.is_text(kind) and len(body) <= serving.CHARSET_SCAN_LIMIT else None,
            size=len(body),
            etag=hashlib.sha256(body).hexdigest(),  # the blob's name on the content origin
            immutable=True,
        )
        return status, headers, body

    def read(self, path: str) -> tuple[int, bytes]:
        """The bytes at `path` inside root, never through a link leading out of it."""
        try:
            target = (self.root / path).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            if path != "favicon.ico":  # Chromium asks for it by itself
                self.problem(f"Request for a file not in the package: {path}")
            return 404, b""
        if not target.is_relative_to(self.root):
            self.problem(f"Refused to serve {path}: it points outside the package")
            return 403, b""
        if target.is_dir():
            return self.read(f"{path.rstrip('/')}/index.html".lstrip("/"))
        try:
            fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            self.problem(f"Request for a file not in the package: {path}")
            return 404, b""
        with os.fdopen(fd, "rb") as file:
            body = file.read()
        self.bytes += len(body)
        return 200, body

    def blocked(self, url: str, *, navigation: str | None) -> None:
        """Record a request that left the version's origin (`navigation`: "page", "pop-up")."""
        url = url[:300]
        self.external[url] = None
        if navigation == "page":
            self.problem(f"The tool tried to leave its page for an external address: {url}")
        elif navigation == "pop-up":
            pass  # a link opened in a new tab (a credit, "share"): recorded, never followed
        elif url.startswith(self.allowed):
            self.needed[url] = None
        else:
            self.problem(f"Blocked request to an external address: {url}")


def _where(url: str | None, line: int | None, origin: str) -> str:
    if url and url.startswith(origin + "/") and line:
        return f" ({unquote(url[len(origin) + 1 :]) or 'index'} line {line})"
    return ""


async def _check(tabs: _Tabs, request: dict[str, Any]) -> dict[str, Any]:
    """Every profile in a fresh context of the one browser, side by side, with the throttled
    load beside them; a profile that failed there is judged again alone (`_profile`).

    Most of a run's time is waiting (on the driver, on page timers, on the slow link), so the
    runs overlap well. Beside each other they compete for the cores, so a page that spins in
    one profile can make another's load late: a pass there counts, a failure does not, and the
    verdict is the one runs of the tool's own give, whatever else the machine is doing.
    """
    names = [name for name in request.get("profiles", PROFILE_NAMES) if name in PROFILES]
    kinds = _kinds_of(request)
    seeds = {name: profile_seed(int(request["seed"]), name) for name in names}
    # Every tab is open before any page loads, so no load shares the machine with a renderer
    # that is still starting.
    opened = await tabs.take_all(kinds)
    runs = [_run_once(opened[n], request, n, seeds[n], audit=True) for n in names]
    if request.get("throttled"):
        runs.append(_throttled_load(opened[THROTTLED], request))
    # Each run closes its own context, so all are let finish before any failure is raised.
    done: list[dict[str, Any]] = []
    for result in await asyncio.gather(*runs, return_exceptions=True):
        if isinstance(result, BaseException):
            raise result
        done.append(result)
    throttled = done[len(names)] if request.get("throttled") else {}
    profiles = {
        name: await _profile(tabs, request, name, seeds[name], shared, alone=len(kinds) == 1)
        for name, shared in zip(names, done, strict=False)
    }
    first = profiles[names[0]]
    warnings = _merged(profiles, "warnings")
    if throttled.get("timed_out"):
        warnings.append(slow_3g_warning(throttled))
    recycle = any(p.pop("recycle") for p in profiles.values()) or throttled.pop("recycle", False)
    problems = _merged(profiles, "problems")
    return {
        "passed": not problems,
        "problems": problems,
        "warnings": warnings,
        "needs_network": _union(p.get("needed", []) for p in [*profiles.values(), throttled]),
        "external_requests": _union(p.get("external", []) for p in [*profiles.values(), throttled]),
        "console_errors": _union(p["console_errors"] for p in profiles.values()),
        "load_ms": first["load_ms"],
        "bytes_transferred": first["bytes"],
        "fuzz_actions": sum(p["fuzz_actions"] for p in profiles.values()),
        "screenshot": first["screenshot"],
        "profiles": {name: _public(p) for name, p in profiles.items()},
        "throttled": _public(throttled),
        "recycle": recycle,
    }


async def _check_or_give_up(tabs: _Tabs, request: dict[str, Any]) -> dict[str, Any]:
    """The check's answer, or, when our side broke (a context that would not open in time on a
    starved machine, a driver call that failed), "unavailable": retried later, never the tool's
    fault, and this host is replaced."""
    try:
        return await _check(tabs, request)
    except Exception as error:
        reason = f"the browser failed during the check ({type(error).__name__}: {error})"
        return {"unavailable": reason[:300], "recycle": True}


def _kinds_of(request: dict[str, Any]) -> list[str]:
    """The kinds of tab a check runs in: its profiles, and the throttled load's."""
    kinds = [name for name in request.get("profiles", PROFILE_NAMES) if name in PROFILES]
    return kinds + ([THROTTLED] if request.get("throttled") else [])


def _public(outcome: dict[str, Any]) -> dict[str, Any]:
    hidden = {"external", "needed", "console_errors", "recycle"}
    return {key: value for key, value in outcome.items() if key not in hidden}


def _union(lists: Any) -> list[str]:
    return list(dict.fromkeys(item for items in lists for item in items))


def _merged(profiles: dict[str, dict[str, Any]], key: str) -> list[str]:
    """Each profile's texts once, named by the profile unless every profile had it."""
    merged: dict[str, None] = {}
    for name, outcome in profiles.items():
        for text in outcome[key]:
            everywhere = len(profiles) > 1 and all(text in p[key] for p in profiles.values())
            merged[text if everywhere or len(profiles) == 1 else f"{_label(name)}: {text}"] = None
    return list(merged)


def _label(profile: str) -> str:
    size = PROFILES[profile]["viewport"]
    return f"{profile.capitalize()} ({size['width']}×{size['height']})"  # noqa: RUF001 -- a screen size's sign


async def _profile(
    tabs: _Tabs,
    request: dict[str, Any],
    name: str,
    seed: int,
    first: dict[str, Any],
    *,
    alone: bool,
) -> dict[str, Any]:
    """One profile's outcome from its `first` run, and, when that failed, the same seed again:
    only a failure that comes back counts; one that does not is reported as flaky, a warning
    on the profile ("flaky: failed 1 of 2 runs ..."), never a clean pass.

    A first run that failed beside other runs (not `alone`) is set aside and the profile run
    again alone, from the start (its accessibility check too), since the others may have
    slowed it; the runs alone decide the verdict, and every run, the one set aside too, is
    counted in the flaky figure.
    """
    runs, set_aside = [first], []
    if first["problems"] and not alone and not first["recycle"]:
        set_aside = runs
        runs = [await _run_once(await tabs.take(name), request, name, seed, audit=True)]
        runs[0]["run_alone"] = True
    while runs[-1]["problems"] and len(runs) < RUNS_TO_CONFIRM and not runs[-1]["recycle"]:
        runs.append(await _run_once(await tabs.take(name), request, name, seed, audit=False))
    every = set_aside + runs
    first = runs[0]
    failing = [r for r in every if r["problems"]]
    outcome = {**first, "seed": seed, "runs": len(every), "failed_runs": len(failing)}
    outcome["ms"] = round(sum(r["ms"] for r in every), 1)  # the profile's whole time
    outcome["recycle"] = any(r["recycle"] for r in every)
    if failing and not all(r["problems"] for r in runs):
        beside = " (that run shared the machine with the other profiles)" if set_aside else ""
        outcome["warnings"] = [
            f"flaky: failed {len(failing)} of {len(every)} runs with the same seed ({seed}), so "
            f"it is not counted: {failing[0]['problems'][0]}{beside}",
            *first["warnings"],
        ]
        outcome["flaky"], outcome["problems"] = failing[0]["problems"], []
    return outcome


async def _run_once(
    tab: _Tab, request: dict[str, Any], profile: str, seed: int, *, audit: bool
) -> dict[str, Any]:
    """Load, screenshot, (when `audit`) check accessibility, and fuzz, in the fresh context of
    `tab`, closed afterwards."""
    run = _new_run(request)
    outcome: dict[str, Any] = {
        "loaded": False,
        "load_ms": 0.0,
        "fuzz_actions": 0,
        "actions": [],
        "screenshot": None,
        "accessibility": [],
        "notes": [],
    }
    started = time.perf_counter()
    context, page = tab.context, tab.start(run)
    recycle = False
    try:
        if await _load(page, run, request, outcome):
            if request.get("player"):
                await _player_ready(page, run)
            await _look_and_fuzz(page, run, request, outcome, seed=seed, audit=audit)
            if request.get("player"):
                await _finish_player(page, run, outcome)
    finally:
        try:
            await _bounded(context.close())
        except Exception:  # a context that will not close means a browser we no longer trust
            recycle = True
    problems, warnings = _explain(run)
    outcome.update(
        problems=problems,
        warnings=warnings + outcome.pop("notes"),
        external=list(run.external),
        needed=list(run.needed),
        console_errors=run.console_errors,
        bytes=run.bytes,
        recycle=recycle,
        ms=round(1000 * (time.perf_counter() - started), 1),
    )
    return outcome


# What a player may add to one run: waiting for its content (_player_ready) and its verdict
# (_finish_player), each bounded.
PLAYER_ALLOWANCE_S = 10.0 + STEP_TIMEOUT_S + ACTION_TIMEOUT_S
_PLAYER_READY_JS = "() => window.remixbankPlayer ? window.remixbankPlayer.ready : null"
_FINISH_PLAYER_JS = "() => window.remixbankPlayer ? window.remixbankPlayer.finish() : null"


async def _player_ready(page: Any, run: _Run) -> None:
    """Wait for the H5P or SCORM player to have its content up (it loads it after the page),
    then let the content's own timers run, as for any tool after its load."""
    with contextlib.suppress(Exception):  # a player that never gets ready fails in its finish
        await _bounded(page.evaluate(_PLAYER_READY_JS), 10.0)
    await _settle(page, run)


async def _finish_player(page: Any, run: _Run, outcome: dict[str, Any]) -> None:
    """The H5P or SCORM player's own verdict (repository/validation/players.py): for SCORM, the
    SCO unloaded, every API call it made, and what was wrong with them."""
    if run.crashed or run.stuck:
        return
    try:
        report = await _bounded(page.evaluate(_FINISH_PLAYER_JS), STEP_TIMEOUT_S)
    except Exception:
        run.problem("The player did not answer after the run: the page stopped responding")
        return
    if not isinstance(report, dict):
        run.problem("The player never started: its page did not set itself up")
        return
    for text in list(report.get("problems") or [])[:20]:
        run.problem(str(text))
    outcome["player"] = {
        k: report[k] for k in ("format", "api", "calls", "instances") if k in report
    }


def _explain(run: _Run) -> tuple[list[str], list[str]]:
    """Problems and warnings: script errors after a declared external request are that
    request's consequence (validation cannot reach it), so they are explained, not counted."""
    if not run.needed:
        return list(run.problems), []
    warnings = [f"This tool needs {url}, which validation cannot reach" for url in run.needed]
    followed = [p for p in run.problems if p in run.script_errors]
    if followed:
        warnings.append(
            "What depends on it could not be checked; the script errors that followed are not "
            f"counted against the tool: {'; '.join(followed)[:600]}"
        )
    return [p for p in run.problems if p not in run.script_errors], warnings


async def _throttled_load(tab: _Tab, request: dict[str, Any]) -> dict[str, Any]:
    """Load the tool on the phone over slow 3G: the bytes it needs and when it answers input,
    within the request's `throttled_timeout_s`; past that, the bytes that had arrived."""
    run = _new_run(request)
    link = run.link = _Link(SLOW_3G["latency_ms"], SLOW_3G["kbit_per_s"])
    budget = float(request.get("throttled_timeout_s") or SLOW_3G_SECONDS)
    outcome: dict[str, Any] = {
        "profile": "phone",
        "network": SLOW_3G_LABEL,
        "budget_s": budget,
        "loaded": False,
        "interactive_ms": None,
        "timed_out": False,
    }
    context, page = tab.context, tab.start(run)
    recycle = False
    started = time.monotonic()
    deadline = started + budget
    try:
        await _bounded(page.goto(_entry_url(run, request), timeout=budget * 1000), budget + 2)
        # Interactive: loaded, and its main thread free to draw two frames, within the budget.
        await _bounded(page.evaluate(_FRAMES_JS), max(0.1, deadline - time.monotonic()))
        outcome["interactive_ms"] = round(1000 * (time.monotonic() - started), 1)
        outcome["loaded"] = True
    except Exception as error:  # late, or broken: then the other profiles say why
        late = isinstance(error, asyncio.TimeoutError) or "Timeout" in type(error).__name__
        outcome["timed_out"] = late and not run.crashed
    finally:
        measured = min(time.monotonic(), deadline) if not outcome["loaded"] else time.monotonic()
        try:
            await _bounded(context.close())
        except Exception:
            recycle = True
    outcome.update(bytes=link.delivered(measured), external=list(run.external))
    outcome.update(needed=list(run.needed), recycle=recycle)
    return outcome


def slow_3g_warning(throttled: dict[str, Any]) -> str:
    """What a slow-3G load that was not interactive within its budget tells the depositor."""
    return (
        f"Not interactive within {throttled['budget_s']:g} s on {SLOW_3G_LABEL}, on the phone: "
        f"{throttled['bytes'] / 1024:.0f} KB had arrived by then. Learners on a poor connection "
        "wait longer than that; it is not counted against the tool"
    )


async def _new_context(browser: Any, profile: str) -> Any:
    # Allowed longer than a page call: on a starved machine a renderer takes a while to start.
    return await _bounded(
        browser.new_context(**PROFILES[profile], service_workers="block", accept_downloads=False),
        3 * STEP_TIMEOUT_S,
    )


async def _emulate_slow_3g(context: Any, page: Any) -> None:
    """Slow 3G through the DevTools protocol, for any request the router would not hold."""
    cdp = await _bounded(context.new_cdp_session(page))
    await _bounded(cdp.send("Network.enable"))
    bits = SLOW_3G["kbit_per_s"] * 1000 / 8
    shape = {"latency": SLOW_3G["latency_ms"], "downloadThroughput": bits}
    await _bounded(
        cdp.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "uploadThroughput": bits, **shape},
        )
    )


class _Link:
    """A slow network link under one page: each response waits the round trip, then its bytes
    share the link's bandwidth with the responses before it."""

    def __init__(self, latency_ms: float, kbit_per_s: float) -> None:
        self.latency_s = latency_ms / 1000
        self.bytes_per_s = kbit_per_s * 1000 / 8
        self.free_at = 0.0
        # (when its first byte arrives, when its last does, its size) for each response
        self.transfers: list[tuple[float, float, int]] = []

    async def carry(self, size: int) -> None:
        now = time.monotonic()
        start = max(now + self.latency_s, self.free_at)
        self.free_at = start + size / self.bytes_per_s
        self.transfers.append((start, self.free_at, size))
        await asyncio.sleep(self.free_at - now)

    def delivered(self, at: float) -> int:
        """Bytes that had come over the link by `at` (time.monotonic()), a response on its
        way counted for its part that had arrived."""
        total = 0
        for start, end, size in self.transfers:
            if at >= end:
                total += size
            elif at > start:
                total += int(size * (at - start) / (end - start))
        return total


class _Tab:
    """A fresh context with its one page, opened before its run is known; `start` hands it
    the run, whose files it then serves and whose problems it records."""

    def __init__(self, context: Any, page: Any) -> None:
        self.context = context
        self.page = page
        self.run: _Run | None = None

    def start(self, run: _Run) -> Any:
        self.run = run
        run.main_frame = self.page.main_frame
        return self.page


async def _open_tab(browser: Any, kind: str) -> _Tab:
    """A context of the profile (the phone on slow 3G for THROTTLED) and its page, routed."""
    context = await _new_context(browser, "phone" if kind == THROTTLED else kind)
    try:
        tab = await _route_tab(context)
        if kind == THROTTLED:
            await _emulate_slow_3g(context, tab.page)
    except BaseException:
        with contextlib.suppress(Exception):
            await _bounded(context.close())
        raise
    return tab


async def _route_tab(context: Any) -> _Tab:
    tab = _Tab(context, None)

    async def route(route: Any) -> None:
        request, run = route.request, tab.run
        if run is not None and request.url.startswith(run.origin + "/"):
            status, headers, body = run.answer(request.url)
            if run.link is not None:
                await run.link.carry(len(body))
            answer = route.fulfill(status=status, body=body, headers=headers)
        else:
            if run is not None:
                run.blocked(request.url, navigation=_navigation_of(request, run.main_frame))
            answer = route.abort("blockedbyclient")
        with contextlib.suppress(Exception):  # the context may be closing under us
            await answer

    async def web_socket(ws: Any) -> None:
        if tab.run is not None:
            tab.run.blocked(ws.url, navigation=None)
        await _bounded(ws.close(code=1008, reason="no network in validation"))

    await _bounded(context.route("**/*", route))
    await _bounded(context.route_web_socket(re.compile(".*"), web_socket))
    # Allowed longer than a page call: on a starved machine a renderer takes a while to start.
    page = tab.page = await _bounded(context.new_page(), 3 * STEP_TIMEOUT_S)

    def on_console(message: Any) -> None:
        run = tab.run
        if run is None or message.type != "error" or _ECHOED_CONSOLE.match(message.text):
            return
        where = message.location or {}
        line = (where.get("lineNumber") or 0) + 1
        text = message.text[:300] + _where(where.get("url"), line, run.origin)
        run.console_errors.append(text)
        run.problem(f"Console error: {text}", script=True)

    def on_page_error(error: Any) -> None:
        run = tab.run
        if run is None:
            return
        place = run.stack_place.search(error.stack or "")
        where = f" ({unquote(place.group(1)) or 'index'} line {place.group(2)})" if place else ""
        what = f"{error.name}: {error.message}" if error.name else error.message
        run.problem(f"Uncaught {what[:300]}{where}", script=True)

    def on_crash(_: Any) -> None:
        if tab.run is not None:
            tab.run.crashed = True
            tab.run.problem("The page crashed (its renderer ran out of memory or failed)")

    async def on_popup(popup: Any) -> None:
        # Its address is recorded by the router; learners' browsers open it in a new tab.
        await _close_quietly(popup)

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.on("crash", on_crash)
    context.on("page", on_popup)  # registered after our own page, so every later page is a pop-up
    return tab


class _Tabs:
    """The host's source of fresh tabs: one of each kind opened ahead, while the host waits for
    its next check, so a check does not wait for three renderers to start.

    A spare tab has loaded nothing and holds nothing (a new context, its page at about:blank),
    so a run on it starts as fresh as on a tab opened for it; a spare that died while it waited
    is closed and replaced by a new one.
    """

    KINDS = (*PROFILE_NAMES, THROTTLED)

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.spares: dict[str, asyncio.Future[_Tab]] = {}

    def fill(self, kinds: Sequence[str] = KINDS) -> None:
        """Start opening a spare of each of `kinds` that has none (the last check's kinds: the
        next one most likely wants the same, and a spare nobody takes only costs the machine)."""
        for kind in kinds:
            if kind not in self.spares:
                self.spares[kind] = asyncio.ensure_future(_open_tab(self.browser, kind))

    async def take_all(self, kinds: Sequence[str]) -> dict[str, _Tab]:
        """A tab of each kind, all open; if one cannot be opened, none is kept."""
        opened = await asyncio.gather(*(self.take(k) for k in kinds), return_exceptions=True)
        tabs = {k: t for k, t in zip(kinds, opened, strict=True) if isinstance(t, _Tab)}
        for failure in opened:
            if isinstance(failure, BaseException):
                for tab in tabs.values():
                    with contextlib.suppress(Exception):
                        await _bounded(tab.context.close())
                raise failure
        return tabs

    async def take(self, kind: str) -> _Tab:
        spare, tab = self.spares.pop(kind, None), None
        if spare is not None:
            with contextlib.suppress(Exception):  # it failed to open; a new one may not
                tab = await spare
        if tab is not None and tab.page.is_closed():
            with contextlib.suppress(Exception):
                await _bounded(tab.context.close())
            tab = None
        return tab or await _open_tab(self.browser, kind)

    async def close(self) -> None:
        spares, self.spares = list(self.spares.values()), {}
        for spare in spares:
            spare.cancel()
            with contextlib.suppress(BaseException):
                tab = await spare
                await _bounded(tab.context.close())


def _navigation_of(request: Any, main_frame: Any) -> str | None:
    """ "page" when the tool's page navigates, "pop-up" for a new window's, else None (a load)."""
    if not request.is_navigation_request():
        return None
    try:
        frame = request.frame
    except Exception:  # a pop-up's first navigation comes before its frame exists
        return "pop-up"
    if frame == main_frame:
        return "page"
    return "pop-up" if frame.parent_frame is None else None


async def _close_quietly(page: Any) -> None:
    try:
        await _bounded(page.close())
    except Exception:  # the context may be closing already
        return


_FRAMES_JS = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
# Page time, not ours: timers the page set at load for up to SETTLE_MS fire before this one,
# however busy the machine is, and web fonts have arrived (or failed) before the screenshot.
_SETTLE_JS = "ms => document.fonts.ready.then(() => new Promise(r => setTimeout(r, ms)))"


async def _alive(page: Any, run: _Run) -> bool:
    """Whether the page still runs its event loop: two animation frames come round in time."""
    if run.crashed:
        return False
    try:
        await _bounded(page.evaluate(_FRAMES_JS), ACTION_TIMEOUT_S)
    except Exception:
        if not run.crashed:
            run.problem("The page stopped responding: a script seems to be stuck in a loop")
        return False
    return True


async def _settle(page: Any, run: _Run) -> bool:
    """Let the page's own timers run for SETTLE_MS of its time; False when it does not answer."""
    if run.crashed:
        return False
    try:
        await _bounded(page.evaluate(_SETTLE_JS, SETTLE_MS), ACTION_TIMEOUT_S + SETTLE_MS / 1000)
    except Exception:
        if not run.crashed:
            run.problem("The page stopped responding: a script seems to be stuck in a loop")
        return False
    return await _alive(page, run)


def _new_run(request: dict[str, Any]) -> _Run:
    """What one run (one profile's, or the throttled load's) sees, from the check's request."""
    origin = str(request.get("origin") or ORIGIN)
    root = Path(request["root"]).resolve()
    return _Run(root, request["allowed_external"], origin, request["entry_point"])


def _entry_url(run: _Run, request: dict[str, Any]) -> str:
    return f"{run.origin}/{quote(request['entry_point'])}"


async def _load(page: Any, run: _Run, request: dict[str, Any], outcome: dict[str, Any]) -> bool:
    """Open the tool and let it settle; whether it answers afterwards."""
    timeout = float(request["load_timeout_s"])
    started = time.perf_counter()
    try:
        await _bounded(page.goto(_entry_url(run, request), timeout=timeout * 1000), timeout + 2)
        outcome["loaded"] = True
    except Exception as error:
        if "Timeout" in type(error).__name__ or "Timeout" in str(error):
            run.problem(f"The page did not finish loading within {timeout:g} s")
        else:
            run.problem(f"The page could not be opened: {str(error).splitlines()[0][:200]}")
    outcome["load_ms"] = round(1000 * (time.perf_counter() - started), 1)
    if not await _settle(page, run):
        outcome["loaded"] = False
        return False
    outcome["loaded"] = outcome["loaded"] and not run.crashed
    return True


async def _look_and_fuzz(
    page: Any,
    run: _Run,
    request: dict[str, Any],
    outcome: dict[str, Any],
    *,
    seed: int,
    audit: bool,
) -> None:
    try:
        # CSS animations and the caret stopped, so the same page gives the same picture.
        shot = await _bounded(
            page.screenshot(
                type="png", animations="disabled", scale="css", timeout=STEP_TIMEOUT_S * 1000
            )
        )
    except Exception:
        run.problem("The page could not be captured: it stopped drawing")
        return
    outcome["screenshot"] = base64.b64encode(shot).decode()
    if _is_blank(shot):
        run.problem("The page is blank")
    if audit:
        await _audit(page, run, outcome)
    count = round(float(request["fuzz_seconds"]) * ACTIONS_PER_SECOND)
    if count <= 0:
        return
    outcome["fuzz_actions"] = await _fuzz(page, run, request, outcome, seed=seed, count=count)
    if outcome["fuzz_actions"] and not run.stuck:
        await _settle(page, run)  # errors thrown from timers the fuzz started


def _is_blank(png: bytes) -> bool:
    """Whether every pixel of the screenshot has the same colour."""
    import io

    from PIL import Image  # Pillow comes with matplotlib, a dependency of the project

    with Image.open(io.BytesIO(png)) as image:
        bands: tuple[tuple[int, int], ...] = image.convert("RGB").getextrema()  # type: ignore[assignment]
        return all(low == high for low, high in bands)


# axe-core's own way of auditing frames without its postMessage between them (which the
# tool's message handlers would see): `runPartial` in each frame, its results handed over by
# us, `finishRun` once in the top frame, as @axe-core/playwright does. Each finding is then
# put back to the document it was found in, by the frame selectors that start its target.
_AXE_OPTIONS = {"resultTypes": ["violations"]}
_AXE_FRAMES_JS = "context => axe.utils.getFrameContexts(context)"
_AXE_SELECT_JS = "selector => axe.utils.shadowSelect(selector)"
_AXE_PARTIAL_JS = "([context, options]) => axe.runPartial(context, options)"
_AXE_FINISH_JS = """([partials, options, impacts]) => axe.finishRun(partials, options).then(r => {
  const selector = s => Array.isArray(s) ? s.join(' >>> ') : String(s);
  const documentOf = target => {
    let win = window;
    for (const frame of target.slice(0, -1)) {
      const element = win && win.axe && win.axe.utils.shadowSelect(frame);
      win = element && element.contentWindow;
    }
    try { return win ? win.location.href : ''; } catch (e) { return ''; }
  };
  const rank = {minor: 1, moderate: 2, serious: 3, critical: 4};
  const found = [];
  for (const v of r.violations) {
    const byFrame = new Map();
    for (const n of v.nodes) {
      const url = documentOf(n.target);
      if (!byFrame.has(url)) byFrame.set(url, []);
      byFrame.get(url).push(n);
    }
    for (const [url, nodes] of byFrame) {
      const impact = nodes.map(n => n.impact || v.impact)
        .reduce((a, b) => (rank[b] || 0) > (rank[a] || 0) ? b : a, v.impact);
      if (!impacts.includes(impact)) continue;
      found.push({id: v.id, impact, help: v.help, nodes: nodes.length, url,
                  where: nodes.slice(0, 3).map(n => selector(n.target[n.target.length - 1]).slice(0, 120))});
    }
  }
  return found;
})"""
# A tool with more frames than this has the rest left out of the audit, with a note.
AXE_MAX_FRAMES = 20


@functools.cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


async def _audit(page: Any, run: _Run, outcome: dict[str, Any]) -> None:
    """Run axe-core inside the page and inside each of its same-origin frames, nested ones too;
    serious and critical violations become warnings, each naming the document (its URL path)
    it was found in."""
    frames: list[Any] = []
    try:
        partials = await _axe_partials(page.main_frame, {"exclude": []}, run, frames)
        found = await _bounded(
            page.evaluate(_AXE_FINISH_JS, [partials, _AXE_OPTIONS, list(AXE_IMPACTS)]),
            2 * STEP_TIMEOUT_S,
        )
    except Exception as error:
        outcome["notes"].append(
            f"The accessibility check could not run in this page ({str(error).splitlines()[0][:120]})"
        )
        return
    top = _document_path(page.main_frame.url, run)
    for v in found:
        v["frame"] = _document_path(v.pop("url"), run) or "a frame that has gone"
    outcome["accessibility"] = found
    skipped = len(frames) - AXE_MAX_FRAMES
    if skipped > 0:
        outcome["notes"].append(
            f"The accessibility check left out {skipped} frame{'s' if skipped != 1 else ''} "
            f"(and any inside them): it looks inside the first {AXE_MAX_FRAMES} only"
        )
    for v in found:
        elements = f"{v['nodes']} element{'s' if v['nodes'] != 1 else ''}"
        inside = f" in {v['frame']}" if v["frame"] != top else ""
        outcome["notes"].append(
            f"Accessibility ({v['impact']}){inside}: {v['help']} [{v['id']}], {elements}"
            + (f": {', '.join(v['where'])}" if v["where"] else "")
        )


async def _axe_partials(
    frame: Any, context: Any, run: _Run, seen: list[Any]
) -> list[dict[str, Any] | None]:
    """axe-core's partial results for `frame` and, depth first, each frame inside it (None for
    one that could not be audited: another origin, gone, or past AXE_MAX_FRAMES), in the order
    `finishRun` wants them."""
    seen.append(frame)
    await _bounded(frame.evaluate(_axe_source()))
    contexts = await _bounded(frame.evaluate(_AXE_FRAMES_JS, context))
    partials: list[dict[str, Any] | None] = [
        await _bounded(frame.evaluate(_AXE_PARTIAL_JS, [context, _AXE_OPTIONS]), STEP_TIMEOUT_S)
    ]
    for inner in contexts:
        child = None
        try:
            handle = await _bounded(frame.evaluate_handle(_AXE_SELECT_JS, inner["frameSelector"]))
            element = handle.as_element()
            child = await _bounded(element.content_frame()) if element else None
        except Exception:  # the frame went away meanwhile
            child = None
        if child is None or not _same_origin(child.url, run) or len(seen) >= AXE_MAX_FRAMES:
            if child is not None and len(seen) >= AXE_MAX_FRAMES:
                seen.append(child)  # counted, to say how many were left out
            partials.append(None)
            continue
        try:
            partials.extend(await _axe_partials(child, inner["frameContext"], run, seen))
        except Exception:
            partials.append(None)
    return partials


def _same_origin(url: str, run: _Run) -> bool:
    """Whether a frame's document is the tool's own: from its origin, or an about:blank or
    srcdoc document, which takes its parent's."""
    return url.startswith((run.origin + "/", "about:blank", "about:srcdoc"))


def _document_path(url: str, run: _Run) -> str:
    """A frame's document as its URL path on the tool's origin ("/frames/quiz.html")."""
    if url.startswith(run.origin + "/"):
        return unquote(urlsplit(url).path)
    return url


_TARGETS_JS = """() => Array.from(document.querySelectorAll(
  'button, input, select, textarea, a, canvas, svg, label, summary, [onclick], [role=button], [tabindex]'
)).map(e => e.getBoundingClientRect()).filter(r => r.width > 0 && r.height > 0
  && r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight
).slice(0, 200).map(r => [r.left + r.width / 2, r.top + r.height / 2])"""

# How often each kind of action comes, per profile: no touch on the desktop, mostly on the phone.
_ACTION_WEIGHTS = {
    "desktop": {"click": 40, "drag": 15, "key": 30, "wheel": 15},
    "phone": {"tap": 40, "click": 10, "drag": 20, "key": 15, "wheel": 15},
}


async def _fuzz(
    page: Any,
    run: _Run,
    request: dict[str, Any],
    outcome: dict[str, Any],
    *,
    seed: int,
    count: int,
) -> int:
    """`count` random inputs, as a learner might give them, drawn from `seed` alone.

    Half the clicks aim at interactive elements (buttons, inputs, canvases), the rest anywhere,
    as PhET's InputFuzzer does with its random mouse and touch events. Each action is logged,
    so two runs of the same seed can be compared.
    """
    rng = random.Random(seed)  # noqa: S311 -- replayable on purpose, not a secret
    try:
        targets = [tuple(t) for t in await _bounded(page.evaluate(_TARGETS_JS), ACTION_TIMEOUT_S)]
    except Exception:
        targets = []
    size = page.viewport_size or {"width": 800, "height": 600}
    width, height = size["width"], size["height"]
    profile = "phone" if width < 600 else "desktop"
    kinds, weights = zip(*_ACTION_WEIGHTS[profile].items(), strict=True)

    def spot() -> tuple[float, float]:
        if targets and rng.random() < 0.5:
            x, y = rng.choice(targets)
            return min(max(x, 0), width - 1), min(max(y, 0), height - 1)
        return rng.uniform(0, width - 1), rng.uniform(0, height - 1)

    log: list[str] = outcome["actions"]
    deadline = time.monotonic() + float(request["fuzz_seconds"]) * FUZZ_SLACK + 1
    for done in range(count):
        if run.crashed or page.is_closed():
            return done
        if time.monotonic() > deadline:
            outcome["notes"].append(
                f"The fuzz stopped after {done} of {count} actions: the page answered slowly"
            )
            return done
        kind = rng.choices(kinds, weights)[0]
        x, y = spot()
        if kind == "click":
            action, label = page.mouse.click(x, y), f"click at ({x:.0f}, {y:.0f})"
        elif kind == "tap":
            action, label = page.touchscreen.tap(x, y), f"tap at ({x:.0f}, {y:.0f})"
        elif kind == "drag":
            to = spot()
            action = _drag(page, (x, y), to)
            label = f"drag from ({x:.0f}, {y:.0f}) to ({to[0]:.0f}, {to[1]:.0f})"
        elif kind == "key":
            key = rng.choice(FUZZ_KEYS)
            action, label = page.keyboard.press(key), f"key {key!r}"
        else:
            dy = rng.choice([-300, -100, 100, 300])
            action, label = page.mouse.wheel(0, dy), f"wheel {dy}"
        log.append(label)
        try:
            await _bounded(action, ACTION_TIMEOUT_S)
        except Exception:
            run.stuck = True
            if not run.crashed and not page.is_closed():
                run.problem(
                    f"The page stopped responding during the fuzz (seed {seed}, "
                    f"action {done + 1}: {label})"
                )
            return done + 1
    return count


async def _drag(page: Any, start: tuple[float, float], end: tuple[float, float]) -> None:
    await page.mouse.move(*start)
    await page.mouse.down()
    await page.mouse.move(*end, steps=5)
    await page.mouse.up()


_PROBE_JS = """async (port) => {
  const pc = new RTCPeerConnection({iceServers: [{urls: `stun:127.0.0.1:${port}`}]});
  pc.createDataChannel('probe');
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise(r => setTimeout(r, 1500));
  pc.close();
}"""

# What a page load says when no network is there to reach.
_NO_NETWORK = (
    "ERR_CONNECTION_REFUSED",
    "ERR_ADDRESS_UNREACHABLE",
    "ERR_NETWORK_ACCESS_DENIED",
    "ERR_INTERNET_DISCONNECTED",
    "ERR_NAME_NOT_RESOLVED",
    "ERR_CONNECTION_FAILED",
)


async def _probe(browser: Any, request: dict[str, Any]) -> dict[str, Any]:
    """Try the network from a page whose router lets loopback requests through."""
    context = await _bounded(browser.new_context())
    reached: list[int] = []
    try:

        async def route(route: Any) -> None:
            if urlsplit(route.request.url).hostname == "127.0.0.1":
                await route.continue_()
            else:
                await route.fulfill(body="<p>probe</p>", content_type="text/html")

        await _bounded(context.route("**/*", route))
        for port in (request["tcp_port"], 5432):
            page = await _bounded(context.new_page())
            try:
                await _bounded(page.goto(f"http://127.0.0.1:{port}/", timeout=2000))
                reached.append(port)
            except Exception as error:
                if not any(code in str(error) for code in _NO_NETWORK):
                    reached.append(port)  # something accepted the connection and did not answer
        page = await _bounded(context.new_page())
        await _bounded(page.goto(f"{ORIGIN}/probe"))
        await _bounded(page.evaluate(_PROBE_JS, request["udp_port"]))
    finally:
        await _bounded(context.close())
    return {"reached": reached}


async def _serve(scratch: str, netns: bool, requests: IO[bytes], answers: IO[bytes]) -> None:
    from playwright.async_api import async_playwright

    loop = asyncio.get_running_loop()
    async with async_playwright() as playwright:
        browser, tabs = None, None
        while line := await loop.run_in_executor(None, requests.readline):
            request = json.loads(line)
            try:
                if browser is None or tabs is None or not browser.is_connected():
                    if tabs is not None:
                        await tabs.close()
                    browser = await _launch(playwright, scratch, netns)
                    tabs = _Tabs(browser)
            except Exception as error:
                answer: dict[str, Any] = {"unavailable": f"Chromium did not start: {error}"}
            else:
                if request["op"] == "check":
                    answer = await _check_or_give_up(tabs, request)
                elif request["op"] == "probe":
                    answer = await _probe(browser, request)
                else:
                    answer = {"ok": True}
            answers.write(json.dumps(answer).encode() + b"\n")
            answers.flush()
            if answer.get("recycle"):
                break
            if tabs is not None and browser is not None and browser.is_connected():
                # While the caller reads the answer and prepares the next check.
                tabs.fill(_kinds_of(request) if request["op"] == "check" else _Tabs.KINDS)
        if tabs is not None:
            await tabs.close()
        if browser is not None:
            await _bounded(browser.close(), 10)


def _host_main(argv: list[str]) -> None:
    scratch, netns = argv[1], "--no-netns" not in argv
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print (ours or a library's) must not corrupt the answers
    _adopt_orphans()
    asyncio.run(_serve(scratch, netns, sys.stdin.buffer, answers))
    _reap_orphans()
    shutil.rmtree(scratch, ignore_errors=True)  # also when the caller exits without closing us


def _adopt_orphans() -> None:
    # Playwright's driver can exit before bwrap does; as a subreaper the host inherits bwrap and
    # reaps it, instead of leaving a zombie to an init (or a container's worker) that may not.
    import ctypes

    pr_set_child_subreaper = 36
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_child_subreaper, 1, 0, 0, 0)


def _reap_orphans(seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.05)


if __name__ == "__main__" and sys.argv[1:2] == ["--host"]:
    _host_main(sys.argv[1:])
