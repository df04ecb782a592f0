"""The two quick-start commands (standard library only, so they run on a bare Python 3.11+).

    python3 deploy/quickstart.py run    set up, then serve the site, the content origin, the workers
    python3 deploy/quickstart.py test   set up, then run the checks and the whole test suite

Both are idempotent: the virtualenv is (re)installed only when pyproject.toml changes.
"""

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
SITE = "http://127.0.0.1:8000"
CONTENT = "http://localhost:8001"  # versions at v<id>-<token>.localhost:8001: loopback, no DNS


def say(message: str) -> None:
    print(f"\033[1m==> {message}\033[0m", flush=True)


def ensure_venv(extras: str) -> None:
    """Create .venv and install the project, skipping the install when nothing changed."""
    if not PYTHON.exists():
        say("Creating the virtualenv in .venv")
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed-{extras or 'base'}"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted:
        return
    say("Installing Remixbank and its dependencies")
    target = f".[{extras}]" if extras else "."
    run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", target])
    stamp.write_text(wanted)


def run(command: list[str], **kwargs: object) -> None:
    subprocess.run(command, cwd=ROOT, check=True, **kwargs)  # type: ignore[call-overload]


def manage(*args: str) -> None:
    run([str(PYTHON), "manage.py", *args])


RUNNERS = {"bwrap": "bubblewrap", "chromium": "chromium"}
# The suite needs what validation runs (axe-core, for the accessibility test, is vendored), and
# xmlsec1, with which pysaml2 signs and checks SAML assertions and metadata.
TEST_TOOLS = {**RUNNERS, "xmlsec1": "xmlsec1"}


def install_missing(tools: dict[str, str]) -> list[str]:
    """Install the Debian packages of missing tools when we may (root with apt-get).

    Returns the packages still missing.
    """
    missing = [pkg for tool, pkg in tools.items() if not shutil.which(tool)]
    if missing and os.geteuid() == 0 and shutil.which("apt-get"):
        say(f"Installing {' '.join(missing)} (Debian packages)")
        apt = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run(["apt-get", "update", "-q"], env=apt)
        run(["apt-get", "install", "-y", "-q", *missing], env=apt)
        missing = [pkg for tool, pkg in tools.items() if not shutil.which(tool)]
    return missing


def ensure_runners() -> None:
    """Validation runs tools in Debian's Chromium and scenarios under bubblewrap.

    Where they are missing and cannot be installed, run without them: the run steps are then
    recorded as skipped, never as passed.
    """
    missing = install_missing(RUNNERS)
    if not missing:
        return
    os.environ["VALIDATION_RUN_CONTENT"] = "false"
    say(
        f"Not found: {', '.join(missing)}. Tools and scenarios will not be run during validation "
        f"(their run step is recorded as skipped). Install them with: apt-get install {' '.join(missing)}"
    )


# What an untrusted worker's environment may hold: its broker, where the default filesystem
# broker lives, limits and the machine's own settings for OpenBLAS. Nothing else of ours.
UNTRUSTED_ENV = (
    "PATH",
    "LANG",
    "CELERY_BROKER_URL",
    "CELERY_BROKER_TRANSPORT_OPTIONS",
    # The embedded broker's folder: the untrusted worker must read the folder the trusted side writes.
    "CELERY_BROKER_FOLDER",
    "REMIXBANK_DATA_DIR",
    "CELERY_TASK_SOFT_TIME_LIMIT",
    "CELERY_TASK_TIME_LIMIT",
    "SANDBOX_PROBE_PATHS",
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "LOG_LEVEL",
)
DEMO_ACCOUNTS = [
    ("alice@northfield.ac.uk", "admin of Northfield University (and site superuser)"),
    ("bob@northfield.ac.uk", "staff at Northfield University"),
    ("charlie@northfield.ac.uk", "student at Northfield University"),
    ("dana@southbank.ac.uk", "staff at Southbank College"),
    ("erin@lakeside.gov.uk", "staff at Lakeside Schools"),
]


def untrusted_environment(source: dict[str, str]) -> dict[str, str]:
    """The environment of a worker that runs deposited code, built from nothing.

    Only the names in UNTRUSTED_ENV are copied from `source`: no SECRET_KEY, no DATABASE_URL,
    no storage keys, whatever the caller's environment holds.
    """
    env = {name: source[name] for name in UNTRUSTED_ENV if name in source}
    env.setdefault("PATH", "/usr/bin:/bin")
    env.setdefault("LANG", "C.UTF-8")
    env["HOME"] = tempfile.gettempdir()
    env["PYTHONUNBUFFERED"] = "1"
    return env


def untrusted_worker_command(
    queues: str, *, concurrency: int = 1, name: str = "", python: str = str(PYTHON)
) -> list[str]:
    """`celery worker` of the untrusted app (deploy/untrusted.py) on `queues`."""
    command = [python, "-m", "celery", "-A", "deploy.untrusted", "worker", "-Q", queues]
    command += ["-l", "info", "--concurrency", str(concurrency), "--without-gossip"]
    command += ["--without-mingle", "--hostname", f"{name or queues.split(',')[0]}@%h"]
    return [*command, "--pool", "solo" if concurrency == 1 else "prefork"]


def port_of(url: str) -> str:
    """The address:port runserver listens on for `url` (*.localhost names are 127.0.0.1)."""
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    if host == "localhost" or host.endswith(".localhost"):
        host = "127.0.0.1"  # where browsers send *.localhost, whatever getaddrinfo prefers
    return f"{host}:{parts.port or 80}"


def processes_of_run(
    env: dict[str, str], data: Path
) -> list[tuple[str, list[str], dict[str, str]]]:
    """The children of `run`: (name, command, environment) each."""
    site = env.get("SITE_URL", SITE)
    content = env.get("CONTENT_ORIGIN", CONTENT)
    untrusted = untrusted_environment(env)
    attempts = env.get("ATTEMPT_WORKER_CONCURRENCY", "1")
    if not attempts.isdigit() or int(attempts) < 1:
        sys.exit(f"ATTEMPT_WORKER_CONCURRENCY={attempts!r}: give a whole number of 1 or more.")
    celery = [str(PYTHON), "-m", "celery", "-A", "deploy"]
    trusted = [*celery, "worker", "-l", "info", "--pool", "solo", "-Q", "checks,results"]
    trusted += ["--without-gossip", "--without-mingle", "--hostname", "checks@%h"]
    children = [
        ("worker (checks)", trusted, env),
        (
            "beat",
            [*celery, "beat", "-l", "info", "--schedule", str(data / "celerybeat-schedule")],
            env,
        ),
        ("worker (sandbox, browser)", untrusted_worker_command("sandbox,browser"), untrusted),
        (
            "worker (attempts)",
            untrusted_worker_command("attempts", concurrency=int(attempts)),
            untrusted,
        ),
        (
            "content origin",
            [str(PYTHON), "manage.py", "runserver", port_of(content), "--noreload"],
            env,
        ),
        ("site", [str(PYTHON), "manage.py", "runserver", port_of(site)], env),
    ]
    if env.get("VALIDATION_RUN_CONTENT", "").lower() in {"0", "false", "no", "off"}:
        children = [c for c in children if "deploy.untrusted" not in c[1]]
    return children


class Stop(Exception):
    """SIGTERM or SIGHUP reached `run`: stop every child, as Ctrl-C does."""


def supervise(
    children: list[tuple[str, list[str], dict[str, str]]], *, ready: str = "", poll: float = 0.5
) -> int:
    """Start the children, each in its own process group, and stop them all together.

    Returns 0 when stopped by Ctrl-C, SIGTERM or SIGHUP; 1 when a child stopped by itself (the
    others are then stopped too, so no beat or worker is left behind without the rest).
    """

    def stop(signum: int, _: object) -> None:
        raise Stop(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    processes: list[tuple[str, subprocess.Popen[bytes]]] = []
    code = 0
    try:
        for name, command, env in children:
            processes.append(
                (name, subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True))
            )
        if ready:
            print(ready, flush=True)
        while True:
            gone = [(n, p) for n, p in processes if p.poll() is not None]
            if gone:
                name, process = gone[0]
                print(f"{name} stopped (exit {process.returncode}); stopping the rest.", flush=True)
                code = 1
                break
            time.sleep(poll)
    except (KeyboardInterrupt, Stop):
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        # Each child leads its own group: its own children (runserver's reloader, a worker's
        # pool, a browser) get the signal too.
        # A child that died may have left its own children in its group: signalled too.
        for _, process in processes:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for _, process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for _, process in processes:  # stragglers of each group, after their leader is gone
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
    return code


def serve() -> None:
    ensure_venv("")
    ensure_runners()
    say("Preparing the database and the demo content")
    manage("migrate", "--noinput", "-v", "0")
    manage("load_demo")
    say("Starting the site, the content origin, the workers and beat")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    data = Path(os.environ.get("REMIXBANK_DATA_DIR", ROOT / "var"))
    data.mkdir(parents=True, exist_ok=True)
    site = env.get("SITE_URL", SITE)
    accounts = "\n".join(f"  {email:<25}{role}" for email, role in DEMO_ACCOUNTS)
    ready = f"""
Remixbank is running.
  Site:            {site}/
  Content origin:  {env.get("CONTENT_ORIGIN", CONTENT)}/  (deposited tools are served only from here,
                   each version at an origin of its own: v<id>-<token>.<that host>)
  Admin:           {site}/admin/
Demo accounts (password: remixbank-demo):
{accounts}
Deposit from the command line:
  .venv/bin/python manage.py deposit PACKAGE.zip --institution northfield --user bob@northfield.ac.uk
Stop with Ctrl-C, or kill -TERM {os.getpid()} (SIGHUP too): every process above stops with it."""
    sys.exit(supervise(processes_of_run(env, data), ready=ready))


def env_flag(name: str) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if value in {"", "0", "false", "no", "off"}:
        return False
    if value in {"1", "true", "yes", "on"}:
        return True
    sys.exit(f"{name}={value!r} is not a boolean; use true or false.")


def static_checks() -> None:
    bin_dir = VENV / "bin"
    say("ruff")
    run([str(bin_dir / "ruff"), "check", "."])
    run([str(bin_dir / "ruff"), "format", "--check", "."])
    say("Migrations match the models")
    manage("makemigrations", "--check", "--dry-run")
    say("Import contracts")
    run([str(bin_dir / "lint-imports")])
    say("mypy (the packages listed in pyproject.toml, [tool.mypy] files)")
    run([str(bin_dir / "mypy")])


def test(pytest_args: list[str]) -> None:
    """Run the static checks, then pytest with any arguments given.

    With no arguments this is the whole suite, measured for branch coverage and held to the
    floor in pyproject.toml ([tool.coverage.report] fail_under); a partial run (-k, a path) is
    not. REMIXBANK_SKIP_STATIC_CHECKS=true skips the static checks, for a second run of the
    suite on other services in the same CI job.
    """
    ensure_venv("test")
    missing = install_missing(TEST_TOOLS)
    if missing:
        sys.exit(
            f"The test suite runs deposited code in the sandbox and the browser and needs: "
            f"{', '.join(missing)}. Install them (apt-get install {' '.join(missing)}) or run "
            "this command as root to have it install them."
        )
    if env_flag("REMIXBANK_SKIP_STATIC_CHECKS"):
        say("Static checks skipped (REMIXBANK_SKIP_STATIC_CHECKS)")
    else:
        static_checks()
    coverage = [] if pytest_args else ["--cov", "--cov-report=term:skip-covered"]
    say("Test suite" + (" (whole, with the branch-coverage floor)" if coverage else ""))
    run([str(PYTHON), "-m", "pytest", *coverage, *pytest_args])


def main() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script runs before the venv exists
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    command, *rest = sys.argv[1:] or ["help"]
    try:
        if command == "run":
            serve()
        elif command == "test":
            test(rest)
        else:
            sys.exit(__doc__)
    except subprocess.CalledProcessError as exc:
        sys.exit(f"Failed: {' '.join(map(str, exc.cmd))} (exit {exc.returncode})")


if __name__ == "__main__":
    main()
