"""/metrics under gunicorn with several worker processes: every scrape sums all of them."""

import os
import signal
import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.services import free_port, listening
from tests.worker import ROOT, wait_for, worker_database_url

pytestmark = pytest.mark.django_db(transaction=True)

HEALTHZ = {"method": "GET", "status": "200", "view": "healthz"}


def get(url: str) -> tuple[str, str]:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 -- loopback http
        return response.read().decode(), response.headers["X-Request-ID"]


def healthz_count(text: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "remixbank_http_requests_total" and sample.labels == HEALTHZ:
                return sample.value
    return 0.0


@pytest.mark.parametrize("own_folder", [True, False], ids=["operator's folder", "private default"])
def test_every_scrape_counts_the_requests_of_every_gunicorn_worker_process(
    tmp_path: Path, own_folder: bool
):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"},
        "DATABASE_URL": worker_database_url(),
        "REMIXBANK_DATA_DIR": str(tmp_path / "data"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "3",
        "GUNICORN_THREADS": "1",
    }
    if own_folder:
        env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path / "metrics")
    else:
        (tmp_path / "tmp").mkdir()
        env["TMPDIR"] = str(tmp_path / "tmp")  # where the server makes its private folder
    log = tmp_path / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"]
    command += ["--no-control-socket", "deploy.wsgi"]
    with log.open("wb") as out:
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        assert wait_for(lambda: listening(port) or server.poll() is not None, timeout=60)
        assert server.poll() is None, log.read_text(errors="replace")
        base = f"http://127.0.0.1:{port}"
        # Many at once, so more than one worker process takes some.
        with ThreadPoolExecutor(max_workers=10) as pool:
            list(pool.map(lambda _: get(f"{base}/healthz"), range(30)))
        scrapes = [healthz_count(get(f"{base}/metrics")[0]) for _ in range(6)]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert scrapes == [30.0] * 6, (scrapes, log.read_text(errors="replace")[-2000:])
    if own_folder:
        folder = tmp_path / "metrics"
    else:
        [folder] = (tmp_path / "tmp").glob("remixbank-metrics-*")
        assert folder.stat().st_mode & 0o077 == 0  # nobody else may read or plant files there
    files = list(folder.glob("counter_*.db"))
    assert len(files) >= 2, files  # more than one process counted: the sum is not one process's
