"""A real Celery worker process for tests, pointed at the test database and the configured broker."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def worker_database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


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
    """Start `celery worker` as its own process group; stop it (SIGKILL if need be) afterwards."""
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "BLOB_STORAGE_DIR": str(blob_dir),
        "VALIDATION_RUN_CONTENT": "true" if run_content else "false",
    }
    if broker:
        env["CELERY_BROKER_URL"] = broker
    if path is not None:
        env["PATH"] = path
    log = blob_dir.parent / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "deploy",
                "worker",
                "-Q",
                queues,
                "--pool",
                pool,
                "--concurrency",
                "1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "info",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield worker
        finally:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(worker.pid, signal.SIGKILL)
                    worker.wait()
    print(log.read_text(errors="replace")[-4000:])


def worker_log(blob_dir: Path) -> str:
    """What the worker started by `celery_worker(blob_dir=...)` has logged so far."""
    log = blob_dir.parent / "worker.log"
    return log.read_text(errors="replace") if log.exists() else ""


def wait_for(predicate, *, timeout: float = 90.0, every: float = 0.3) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False
