"""The two quick-start commands (standard library only, so they run on a bare Python 3.11+).

    python3 deploy/quickstart.py run    set up, then serve the site, the content origin and a worker
    python3 deploy/quickstart.py test   set up, then run the checks and the whole test suite

Both are idempotent: the virtualenv is (re)installed only when pyproject.toml changes.
"""

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
SITE = "http://127.0.0.1:8000"
CONTENT = "http://127.0.0.1:8001"


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
# The suite needs what validation runs (axe-core, for the accessibility test, is vendored).
TEST_TOOLS = RUNNERS


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


def serve() -> None:
    ensure_venv("")
    ensure_runners()
    say("Preparing the database and the demo content")
    manage("migrate", "--noinput", "-v", "0")
    manage("load_demo")
    say("Starting the web server, the content origin and a Celery worker")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    data = Path(os.environ.get("REMIXBANK_DATA_DIR", ROOT / "var"))
    data.mkdir(parents=True, exist_ok=True)
    processes = [
        subprocess.Popen(
            [
                str(PYTHON),
                "-m",
                "celery",
                "-A",
                "deploy",
                "worker",
                "-B",
                "-l",
                "info",
                "--pool",
                "solo",
                "-Q",
                "checks,sandbox,browser",
                "--without-gossip",
                "--without-mingle",
                "--schedule",
                str(data / "celerybeat-schedule"),
            ],
            cwd=ROOT,
            env=env,
        ),
        subprocess.Popen(
            [str(PYTHON), "manage.py", "runserver", "127.0.0.1:8001", "--noreload"],
            cwd=ROOT,
            env=env,
        ),
        subprocess.Popen(
            [str(PYTHON), "manage.py", "runserver", "127.0.0.1:8000"], cwd=ROOT, env=env
        ),
    ]
    time.sleep(3)
    print(
        f"""
Remixbank is running.
  Site:            {SITE}/
  Content origin:  {CONTENT}/  (deposited tools are served only from here)
  Admin:           {SITE}/admin/
Demo accounts (password: remixbank-demo):
  alice@northfield.ac.uk  admin of Northfield University (and site superuser)
  bob@northfield.ac.uk    staff at Northfield University
  charlie@northfield.ac.uk student at Northfield University
  dana@southbank.ac.uk    staff at Southbank College
  erin@lakeside.gov.uk    staff at Lakeside Schools
Deposit from the command line:
  .venv/bin/python manage.py deposit PACKAGE.zip --institution northfield --user bob@northfield.ac.uk
Press Ctrl-C to stop.""",
        flush=True,
    )
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    failed = [p.args for p in processes if p.returncode not in (0, -signal.SIGINT, None)]
    if failed:
        sys.exit(f"A process stopped unexpectedly: {failed[0]!r}")


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
