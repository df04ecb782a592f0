"""The API over HTTP: 100,000 resources in PostgreSQL, 16 concurrent clients (wrk) on loopback.

Beside two baselines served by the same gunicorn in the same run: a naive ModelViewSet +
ModelSerializer list of the same rows, and a trivial view (the ceiling). Needs wrk
(`apt-get install wrk`) and the local PostgreSQL.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DB = "remixbank_api_bench"
RESOURCES = int(os.environ.get("BENCH_API_RESOURCES", "100000"))
SECONDS = int(os.environ.get("BENCH_API_SECONDS", "10"))
ROOT = Path(__file__).resolve().parents[2]
REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.1f %.2f %.2f %d\\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, summary.errors.status))
end
"""
CASES = {
    "trivial view (ceiling)": "/bench/hello",
    "naive ModelViewSet list, page 20": "/bench/naive/",
    "API resources list, page 20": "/api/v1/resources/",
    "API resources list, page 100": "/api/v1/resources/?page_size=100",
    "API search q=orbit, page 20": "/api/v1/resources/?q=orbit",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install wrk")
        return
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
        "DJANGO_SETTINGS_MODULE": "tests.bench.api_http_settings",
        "API_THROTTLE_READ": "100000000/minute",
        "REMIXBANK_DATA_DIR": tempfile.mkdtemp(prefix="bench-api-http-"),
        "DEBUG": "true",
    }
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB], check=True)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    started = time.perf_counter()
    subprocess.run(
        [*manage, "generate_resources", "--count", str(RESOURCES)], cwd=ROOT, env=env, check=True
    )
    print(f"generated in {time.perf_counter() - started:.0f} s")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-k", "gthread", "--workers", "2", "--threads", "8",
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "deploy.wsgi"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    script = Path(env["REMIXBANK_DATA_DIR"]) / "report.lua"
    script.write_text(REPORT)
    try:
        time.sleep(4)
        figures = {}
        print(
            f"{'endpoint (16 clients, ' + str(SECONDS) + ' s)':<36} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}"
        )
        for name, url in CASES.items():
            out = subprocess.run(
                ["wrk", "-t", "2", "-c", "16", "-d", f"{SECONDS}s", "-s", str(script), f"http://127.0.0.1:{port}{url}"],
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            rps, p50, p95, errors = re.search(r"RESULT (\S+) (\S+) (\S+) (\d+)", out).groups()  # type: ignore[union-attr]
            figures[name] = float(rps)
            note = f"  ({errors} non-2xx)" if int(errors) else ""
            print(f"{name:<36} {float(rps):>8.0f} {float(p50):>8.1f} {float(p95):>8.1f}{note}")
        ratio = figures["API resources list, page 20"] / figures["naive ModelViewSet list, page 20"]
        print(f"API list / naive list throughput: {ratio:.2f}x (goal >= 1.5x)")
    finally:
        server.terminate()
        server.wait(timeout=20)
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=False
        )
