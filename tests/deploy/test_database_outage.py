"""The database goes away under a running server: 503 + Retry-After everywhere, then recovery.

A PostgreSQL cluster of the test's own and one gunicorn process; the cluster is stopped and
started again under the same server process.
"""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest

from repository.validation import serving
from tests.services import free_port, live_server, private_postgres
from tests.worker import ROOT


def get(url: str, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})  # noqa: S310 - loopback http
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback http
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def site(tmp_path: Path):
    """A migrated database with the demo content on a private cluster, and gunicorn serving it."""
    with private_postgres() as cluster:
        cluster.create_database("remixbank")
        port = free_port()
        env = {
            "DEBUG": "false",
            "SECRET_KEY": "database-outage-test-key",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "CONTENT_ORIGIN": f"http://localhost:{port}",
            "DATABASE_URL": cluster.url("remixbank"),
            # Kept connections are the harder case: each must be dropped once it has died.
            "DATABASE_CONN_MAX_AGE": "60",
            "REMIXBANK_DATA_DIR": str(tmp_path / "data"),
            "CELERY_BROKER_URL": "filesystem://",
            "VALIDATION_RUN_CONTENT": "false",
            "OUTAGE_RETRY_AFTER_SECONDS": "17",
        }
        for command in (["migrate", "--no-input"], ["load_demo"]):
            subprocess.run(
                [sys.executable, "manage.py", *command],
                cwd=ROOT,
                env={**os.environ, **env},
                check=True,
                capture_output=True,
                timeout=300,
            )
        with psycopg.connect(cluster.url("remixbank")) as conn:
            row = conn.execute("SELECT id FROM repository_version ORDER BY id LIMIT 1").fetchone()
        assert row is not None, "the demo left no version"
        log = tmp_path / "gunicorn.log"
        with live_server(env, log, port) as server:
            yield {
                "cluster": cluster,
                "server": server,
                "log": log,
                "page": f"http://127.0.0.1:{port}/",
                "api": f"http://127.0.0.1:{port}/api/v1/resources/",
                "content": (f"http://127.0.0.1:{port}/index.html", version_host(row[0], port)),
            }


def version_host(version_id: int, port: int) -> str:
    """The Host a browser sends for the version's own origin (the key is the test's SECRET_KEY)."""
    origin = serving.version_origin(
        # Its preview origin: without a browser here the demo is not yet validated, so unpublished.
        "p",
        version_id,
        content_origin=f"http://localhost:{port}",
        key=b"database-outage-test-key",
    )
    return origin.split("//", 1)[1]


def answers(site) -> dict[str, tuple[int, dict[str, str], bytes]]:
    url, host = site["content"]
    return {
        "page": get(site["page"]),
        "api": get(site["api"]),
        "content": get(url, host),
    }


def test_database_outage_answers_503_with_retry_after_and_recovers_in_the_same_process(site):
    assert {name: a[0] for name, a in answers(site).items()} == {
        "page": 200,
        "api": 200,
        "content": 200,
    }

    site["cluster"].stop()
    for _ in range(3):
        down = answers(site)
        assert {name: a[0] for name, a in down.items()} == {
            "page": 503,
            "api": 503,
            "content": 503,
        }
        assert {name: a[1].get("Retry-After") for name, a in down.items()} == {
            "page": "17",
            "api": "17",
            "content": "17",
        }
    _, headers, body = down["api"]
    assert headers["Content-Type"] == "application/json"
    error = json.loads(body)["error"]
    assert (error["code"], error["fields"]) == ("database_unavailable", {})
    assert "Try again in 17 seconds" in error["message"]
    for name in ("page", "content"):
        assert down[name][1]["Content-Type"] == "text/plain; charset=utf-8"
        assert b"database cannot be reached" in down[name][2]

    site["cluster"].start()
    for _ in range(3):
        assert {name: a[0] for name, a in answers(site).items()} == {
            "page": 200,
            "api": 200,
            "content": 200,
        }
    assert site["server"].poll() is None, "the server process should have kept running"

    log = site["log"].read_text(errors="replace")
    # Nine requests during the outage, one line for it; one when it is over; no tracebacks.
    assert log.count("database unavailable:") == 1, log
    assert log.count("database available again") == 1, log
    assert "Traceback" not in log, log
