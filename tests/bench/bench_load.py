"""The site under a realistic load: locust against gunicorn, PostgreSQL, RabbitMQ and real workers.

    python -m tests.bench load        (needs `pip install -e '.[bench]'`, PostgreSQL and RabbitMQ
                                       on 127.0.0.1, rabbitmqctl, Chromium and bubblewrap)

A database and a RabbitMQ vhost of its own; the demo content (validated, so downloads and the
programming page are real) plus BENCH_LOAD_RESOURCES generated published resources to browse
and search; gunicorn with deploy/gunicorn.conf.py (GUNICORN_WORKERS processes), a trusted
worker, beat, and untrusted workers for validation and attempts. Locust's visitors
(tests/bench/locust_mix.py) browse, search, open resource and version pages, download, deposit
and run attempts for BENCH_LOAD_SECONDS; each endpoint's throughput and p95 are printed beside
the trivial view's (/healthz) from the same run. Everything listens on loopback only.
"""

# ruff: noqa: S608 -- the SQL is assembled from this file's own constants, never from input

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from deploy.quickstart import untrusted_environment, untrusted_worker_command

ROOT = Path(__file__).resolve().parents[2]
DB = os.environ.get("BENCH_LOAD_DB", "remixbank_load_bench")
RESOURCES = int(os.environ.get("BENCH_LOAD_RESOURCES", "20000"))
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "60"))
USERS = int(os.environ.get("BENCH_LOAD_USERS", "20"))
WEB_PROCESSES = os.environ.get("BENCH_LOAD_WEB_PROCESSES", "3")
DRAIN_SECONDS = int(os.environ.get("BENCH_LOAD_DRAIN_SECONDS", "180"))
PG = ["-h", "127.0.0.1", "-U", "postgres"]
# The versions the visitors deposited, and the p50 and p95 of a column, in SQL.
OURS = (
    "JOIN repository_resource r ON r.id = v.resource_id "
    "WHERE r.title LIKE 'Fraction wall — charge test%'"
)
PERCENTILES = (
    "round(percentile_cont(0.5) WITHIN GROUP (ORDER BY {0})::numeric, 2), "
    "round(percentile_cont(0.95) WITHIN GROUP (ORDER BY {0})::numeric, 2)"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=120)


@contextmanager
def vhost() -> Iterator[str]:
    name = f"rb-load-{uuid.uuid4().hex[:8]}"
    rabbitmqctl("add_vhost", name)
    rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    try:
        yield f"amqp://guest:guest@127.0.0.1:5672/{name}"
    finally:
        rabbitmqctl("delete_vhost", name)


@contextmanager
def started(
    command: list[str], env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 15)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait()


def sql(query: str) -> list[list[str]]:
    out = subprocess.run(
        ["psql", *PG, "-d", DB, "-At", "-F", "\t", "-c", query],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return [line.split("\t") for line in out.splitlines() if line]


def targets() -> dict[str, Any]:
    """Addresses for the visitors, read from the prepared database."""
    generated = sql(
        "SELECT i.slug, r.slug FROM repository_resource r JOIN repository_institution i "
        "ON i.id = r.institution_id ORDER BY random() LIMIT 2000"
    )
    demo = sql(
        "SELECT i.slug, r.slug, v.number, r.kind FROM repository_version v "
        "JOIN repository_resource r ON r.id = v.resource_id "
        "JOIN repository_institution i ON i.id = r.institution_id "
        "WHERE v.state = 'published' AND i.slug IN ('northfield', 'southbank', 'lakeside')"
    )
    if not demo or not any(kind == "scenario" for *_, kind in demo):
        raise SystemExit(f"the demo left no published scenario to program: {demo}")
    scenario = next(row for row in demo if row[3] == "scenario")
    (northfield,) = sql("SELECT id FROM repository_institution WHERE slug = 'northfield'")[0]
    return {
        "resources": [f"/i/{i}/{r}/" for i, r in generated] + [f"/i/{i}/{r}/" for i, r, *_ in demo],
        "versions": [f"/i/{i}/{r}/v{n}/" for i, r, n, _ in demo],
        "downloads": [f"/i/{i}/{r}/v{n}/download/" for i, r, n, _ in demo],
        "program": f"/i/{scenario[0]}/{scenario[1]}/v{scenario[2]}/program/",
        "institution_id": northfield,
        "staff": "bob@northfield.ac.uk",
        "student": "frank@southbank.ac.uk"
        if scenario[0] == "southbank"
        else "charlie@northfield.ac.uk",
    }


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 -- our own http URL
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {seconds} s")


def read_stats(prefix: Path) -> list[dict[str, str]]:
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def report(rows: list[dict[str, str]], seconds: int) -> None:
    trivial = next(r for r in rows if r["Name"].startswith("trivial"))
    base_p95 = float(trivial["95%"]) or 1.0
    print(
        f"{'endpoint (' + str(USERS) + ' users, ' + str(seconds) + ' s)':<34} {'requests':>8} "
        f"{'fails':>5} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p95 / trivial':>13}"
    )
    for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        p95 = float(row["95%"] or 0)
        print(
            f"{row['Name'][:34]:<34} {int(row['Request Count']):>8} {int(row['Failure Count']):>5} "
            f"{float(row['Requests/s']):>7.1f} {float(row['50%'] or 0):>7.0f} {p95:>7.0f} "
            f"{p95 / base_p95:>12.1f}x"
        )
    total = next(r for r in rows if r["Name"] == "Aggregated")
    print(
        f"all endpoints: {float(total['Requests/s']):.1f} req/s, none failed: {total['Failure Count'] == '0'}"
    )


def main() -> None:
    for tool in ("rabbitmqctl", "psql", "createdb", "bwrap", "chromium"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is not installed: the load test needs it")
    try:
        import locust  # noqa: F401
    except ImportError:
        raise SystemExit("locust is not installed: pip install -e '.[bench]'") from None
    work = Path(tempfile.mkdtemp(prefix="remixbank-load-"))
    port = free_port()
    with ExitStack() as stack:
        broker = stack.enter_context(vhost())
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
            "DATABASE_CONN_MAX_AGE": "60",
            "CELERY_BROKER_URL": broker,
            "REMIXBANK_DATA_DIR": str(work / "data"),
            "DEBUG": "false",
            "SECRET_KEY": "load-test-" + uuid.uuid4().hex,
            "ALLOWED_HOSTS": "127.0.0.1,localhost,.localhost",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "CONTENT_ORIGIN": f"http://localhost:{port}",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "ATTEMPTS_PER_MINUTE_USER": "100000",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": WEB_PROCESSES,
            "PROMETHEUS_MULTIPROC_DIR": str(work / "metrics"),
            "LOG_LEVEL": "WARNING",
        }
        subprocess.run(["dropdb", *PG, "--if-exists", DB], check=True)
        subprocess.run(["createdb", *PG, DB], check=True)
        stack.callback(subprocess.run, ["dropdb", *PG, "--if-exists", DB], check=False)
        manage = [sys.executable, "manage.py"]
        started_at = time.perf_counter()
        for command in (
            ["migrate", "-v", "0"],
            ["load_demo"],
            ["generate_resources", "--count", str(RESOURCES)],
        ):
            done = subprocess.run([*manage, *command], cwd=ROOT, env=env, capture_output=True)
            if done.returncode:
                raise SystemExit(f"manage.py {command[0]} failed:\n{done.stderr.decode()[-3000:]}")
        print(f"demo + {RESOURCES} resources ready in {time.perf_counter() - started_at:.0f} s")
        (work / "targets.json").write_text(json.dumps(targets()))

        celery = [sys.executable, "-m", "celery", "-A", "deploy"]
        stack.enter_context(
            started(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    "deploy/gunicorn.conf.py",
                    "--no-control-socket",
                    "deploy.wsgi",
                ],
                env,
                work / "web.log",
            )
        )
        trusted = [*celery, "worker", "-Q", "checks,results", "-c", "2", "-l", "warning"]
        stack.enter_context(started(trusted, env, work / "trusted.log"))
        beat = [*celery, "beat", "-l", "warning", "--schedule", str(work / "beat-schedule")]
        stack.enter_context(started(beat, env, work / "beat.log"))
        untrusted = untrusted_environment(env)
        for queues in ("sandbox,browser", "attempts"):
            command = untrusted_worker_command(queues, python=sys.executable)
            stack.enter_context(started(command, untrusted, work / f"untrusted-{queues}.log"))
        wait_until_up(f"http://127.0.0.1:{port}/healthz")

        prefix = work / "locust"
        locust_env = {**os.environ, "LOAD_TARGETS": str(work / "targets.json")}
        subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(ROOT / "tests/bench/locust_mix.py"),
             "--headless", "-u", str(USERS), "-r", str(max(1, USERS // 5)), "-t", f"{SECONDS}s",
             "--stop-timeout", "10", "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix),
             "--only-summary", "--loglevel", "WARNING"],
            cwd=ROOT, env=locust_env, check=False, timeout=SECONDS + 120,
            stdout=subprocess.DEVNULL, stderr=(work / "locust.log").open("wb"),
        )  # fmt: skip
        report(read_stats(prefix), SECONDS)
        drain_until = time.monotonic() + DRAIN_SECONDS
        while time.monotonic() < drain_until and sql(
            f"SELECT 1 FROM repository_version v {OURS} AND v.state IN ('uploaded', 'validating') "
            "UNION ALL SELECT 1 FROM repository_attempt WHERE state IN ('queued', 'running') LIMIT 1"
        ):
            time.sleep(2)
        print(f"\nafter the run (the queues drained for at most {DRAIN_SECONDS} s):")
        states = sql(f"SELECT v.state, count(*) FROM repository_version v {OURS} GROUP BY 1")
        print(f"deposits made, by state: { {s: int(n) for s, n in states} }")
        print(
            "deposit to verdict (validation run finished), n / p50 / p95 s:",
            sql(
                f"SELECT count(*), {PERCENTILES.format('extract(epoch FROM rn.finished_at - v.created_at)')} "
                f"FROM repository_version v JOIN repository_validationrun rn ON rn.version_id = v.id "
                f"{OURS} AND rn.finished_at IS NOT NULL"
            ),
        )
        for name, n, p50, p95 in sql(
            f"SELECT s.name, count(*), {PERCENTILES.format('s.duration_ms / 1000.0')} "
            "FROM repository_validationstep s JOIN repository_validationrun rn ON rn.id = s.run_id "
            f"JOIN repository_version v ON v.id = rn.version_id {OURS} GROUP BY 1 ORDER BY 1"
        ):
            print(f"  step {name:<10} n={n:<4} p50 {float(p50):.2f} s  p95 {float(p95):.2f} s")
        for state, n, p50, p95 in sql(
            f"SELECT state, count(*), {PERCENTILES.format('extract(epoch FROM finished_at - created_at)')} "
            "FROM repository_attempt GROUP BY 1 ORDER BY 1"
        ):
            print(
                f"attempts {state:<10} n={n:<4} submitted to result p50 {p50 or '-'} s, p95 {p95 or '-'} s"
            )
        print(f"logs and locust's CSVs: {work}")
