"""Real Celery worker processes for tests: trusted ones on the test database, untrusted ones on the broker only."""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import connection

from deploy.quickstart import untrusted_environment, untrusted_worker_command

ROOT = Path(__file__).resolve().parent.parent
TRUSTED_QUEUES = {"checks", "results"}


def worker_database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


def broker_environment(broker: str | None = None) -> dict[str, str]:
    """The broker the test process sends to, as an untrusted worker reads it."""
    url = broker or settings.CELERY_BROKER_URL
    env = {"CELERY_BROKER_URL": url}
    if not broker:
        env["CELERY_BROKER_TRANSPORT_OPTIONS"] = json.dumps(
            settings.CELERY_BROKER_TRANSPORT_OPTIONS
        )
    return env


@contextmanager
def process(
    command: list[str], env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Start `command` as its own process group; stop it (SIGKILL if need be) afterwards."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield proc
        finally:
            stop(proc)
    print(f"--- {log.name}\n" + log.read_text(errors="replace")[-3000:])


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except ProcessLookupError:
        proc.wait()
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def trusted_environment(blob_dir: Path, run_content: bool, broker: str | None) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "BLOB_STORAGE_DIR": str(blob_dir),
        "VALIDATION_RUN_CONTENT": "true" if run_content else "false",
        **broker_environment(broker),
    }
    for name in (
        "VALIDATION_HEARTBEAT_SECONDS",
        "VALIDATION_REAP_EVERY_SECONDS",
        "ATTEMPT_GRACE_SECONDS",
    ):
        env[name] = str(getattr(settings, name))
    return env


@contextmanager
def trusted_worker(
    *, blob_dir: Path, run_content: bool = True, broker: str | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """A trusted worker (database, storage) on checks and results."""
    command = [sys.executable, "-m", "celery", "-A", "deploy", "worker", "-Q", "checks,results"]
    command += ["--pool", "solo", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    command += ["--hostname", "checks@%h", "-l", "info"]
    env = trusted_environment(blob_dir, run_content, broker)
    with process(command, env, blob_dir.parent / "worker.log") as proc:
        yield proc


@contextmanager
def beat(*, blob_dir: Path, broker: str | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """Celery beat as its own process, as `run` starts it (the reaper runs on its schedule)."""
    schedule = blob_dir.parent / "celerybeat-schedule"
    command = [sys.executable, "-m", "celery", "-A", "deploy", "beat", "-l", "info"]
    command += ["--schedule", str(schedule)]
    env = trusted_environment(blob_dir, True, broker)
    with process(command, env, blob_dir.parent / "beat.log") as proc:
        yield proc


@contextmanager
def untrusted_worker(
    *,
    log_dir: Path,
    queues: str = "sandbox,browser",
    pool: str = "solo",
    broker: str | None = None,
    path: str | None = None,
    name: str = "",
) -> Iterator[subprocess.Popen[bytes]]:
    """An untrusted worker started as `run` starts it: an environment built from scratch."""
    source = {**os.environ, **broker_environment(broker)}
    # The self-test tries to read the test database and the blob folders from the sandbox.
    db = connection.settings_dict["NAME"]
    probes = [str(p) for p in (Path(str(db)), log_dir / "blobs") if p.exists()]
    source["SANDBOX_PROBE_PATHS"] = os.pathsep.join(probes)
    if path is not None:
        source["PATH"] = path
    env = untrusted_environment(source)
    concurrency = 2 if pool == "prefork" else 1
    command = untrusted_worker_command(
        queues, concurrency=concurrency, name=name, python=sys.executable
    )
    command += ["--without-heartbeat"]
    log = log_dir / f"untrusted-{name or queues.replace(',', '-')}.log"
    with process(command, env, log) as proc:
        yield proc


@contextmanager
def celery_worker(
    *,
    blob_dir: Path,
    queues: str = "checks,sandbox,browser",
    run_content: bool = True,
    pool: str = "solo",
    broker: str | None = None,
    path: str | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """The workers serving `queues`: a trusted one for checks (and results), an untrusted one
    for the queues that run deposited code. Yields the untrusted worker when there is one."""
    wanted = {q for q in queues.split(",") if q}
    untrusted = sorted(wanted - TRUSTED_QUEUES)
    with ExitStack() as stack:
        yielded = None
        if wanted & TRUSTED_QUEUES:
            yielded = stack.enter_context(
                trusted_worker(blob_dir=blob_dir, run_content=run_content, broker=broker)
            )
        if untrusted and run_content:
            yielded = stack.enter_context(
                untrusted_worker(
                    log_dir=blob_dir.parent,
                    queues=",".join(untrusted),
                    pool=pool,
                    broker=broker,
                    path=path,
                )
            )
        assert yielded is not None, f"no worker for {queues}"
        yield yielded


def worker_log(blob_dir: Path) -> str:
    """What the workers started for `blob_dir` have logged so far."""
    return "".join(log.read_text(errors="replace") for log in sorted(blob_dir.parent.glob("*.log")))


def wait_for(predicate, *, timeout: float = 90.0, every: float = 0.3) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False


def queued(queue: str) -> int:
    """Messages waiting in `queue` of the test broker, read without taking any."""
    with current_app.connection_for_write() as connection:
        # Not passive: on Redis a queue with no message has no key, and a passive declare of
        # it raises "no queue"; declaring is idempotent and counts without taking any.
        return int(connection.default_channel.queue_declare(queue=queue).message_count)


def take_all(queue: str) -> list[Any]:
    """Take every message waiting in `queue` of the test broker; return their task arguments."""
    taken = []
    with current_app.connection_for_write() as connection:
        channel = connection.default_channel
        channel.queue_declare(queue=queue)
        while (message := channel.basic_get(queue, no_ack=True)) is not None:
            taken.append(message.decode()[0])  # Celery's message body: [args, kwargs, embed]
    return taken


def purge(*queues: str) -> None:
    """Empty `queues` of the test broker."""
    with current_app.connection_for_write() as connection:
        for queue in queues:
            connection.default_channel.queue_declare(queue=queue)
            connection.default_channel.queue_purge(queue)


def deposit_command(package: Path, user_email: str, institution: str = "northfield") -> list[str]:
    """`manage.py deposit` as a separate process would run it."""
    return [
        sys.executable,
        "manage.py",
        "deposit",
        str(package),
        "--institution",
        institution,
        "--user",
        user_email,
    ]
