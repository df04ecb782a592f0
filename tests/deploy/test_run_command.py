"""The run command: the untrusted worker starts with no secret, and every child stops together."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from deploy import quickstart
from tests.worker import untrusted_worker, wait_for, worker_log

SECRETS = {
    "SECRET_KEY": "canary-secret-key-5f1e",
    "DATABASE_URL": "postgres://canary:canary-db-password@db.internal/remixbank",
    "S3_SECRET_ACCESS_KEY": "canary-s3-secret",
    "S3_ACCESS_KEY_ID": "canary-s3-key",
}


def environ_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(item.split("=", 1) for item in raw.decode().split("\0") if "=" in item)


def descendants(pid: int) -> list[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    ).stdout
    found = [int(p) for p in out.split()]
    return found + [d for child in found for d in descendants(child)]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    return state != "Z"


def test_the_untrusted_environment_keeps_the_broker_and_drops_every_secret():
    source = {**os.environ, **SECRETS, "CELERY_BROKER_URL": "amqp://untrusted:pw@mq:5672//"}
    env = quickstart.untrusted_environment(source)
    assert not set(SECRETS) & set(env)
    assert env["CELERY_BROKER_URL"] == "amqp://untrusted:pw@mq:5672//"
    assert "DJANGO_SETTINGS_MODULE" not in env


def test_the_untrusted_environment_keeps_the_embedded_brokers_folder():
    source = {**SECRETS, "CELERY_BROKER_FOLDER": "/var/lib/remixbank/broker"}
    env = quickstart.untrusted_environment(source)
    assert env["CELERY_BROKER_FOLDER"] == "/var/lib/remixbank/broker"
    assert not set(SECRETS) & set(env)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_untrusted_worker_started_as_run_does_holds_no_secret_in_proc(blob_folder, monkeypatch):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    with untrusted_worker(log_dir=blob_folder.parent, queues="sandbox,browser") as worker:
        assert wait_for(lambda: "ready." in worker_log(blob_folder), timeout=180), worker_log(
            blob_folder
        )[-3000:]
        processes = [worker.pid, *descendants(worker.pid)]
        for pid in processes:
            try:
                env = environ_of(pid)
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                continue
            leaked = {k for k, v in env.items() if k in SECRETS or v in SECRETS.values()}
            assert not leaked, f"process {pid} holds {leaked}"
        main = environ_of(worker.pid)
        assert main["CELERY_BROKER_URL"]
        assert "DJANGO_SETTINGS_MODULE" not in main
        # The app configured no Django: the worker has never imported it.
        assert "django" not in Path(f"/proc/{worker.pid}/maps").read_text()


def sleeper(name: str) -> tuple[str, list[str], dict[str, str]]:
    # A child with a child of its own (as runserver's reloader and a worker's pool have).
    code = "import subprocess, time; subprocess.Popen(['sleep', '300']); time.sleep(300)"
    return (name, [sys.executable, "-c", code], dict(os.environ))


def start_run(tmp_path: Path, children: list[tuple[str, list[str], dict[str, str]]]):
    """`supervise` in a process of its own, as `quickstart.py run` runs it."""
    script = tmp_path / "run.py"
    script.write_text(
        f"import sys\nsys.path.insert(0, {str(quickstart.ROOT)!r})\nfrom deploy import quickstart\n"
        f"sys.exit(quickstart.supervise({children!r}, ready='ready', poll=0.1))\n"
    )
    run = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, start_new_session=True
    )
    assert run.stdout is not None
    with run.stdout:
        assert run.stdout.readline().strip() == b"ready"
    assert wait_for(lambda: len(descendants(run.pid)) >= 2 * len(children), timeout=30)
    return run, descendants(run.pid)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_to_run_stops_every_child_and_theirs(tmp_path, signum):
    run, family = start_run(tmp_path, [sleeper("site"), sleeper("worker"), sleeper("beat")])
    assert all(alive(pid) for pid in family)
    os.kill(run.pid, signum)  # to `run` alone, not to its process group
    assert run.wait(timeout=30) == 0
    assert wait_for(lambda: not any(alive(pid) for pid in family), timeout=30), [
        pid for pid in family if alive(pid)
    ]


def test_a_worker_that_dies_takes_beat_and_the_rest_down_with_it(tmp_path):
    run, _ = start_run(tmp_path, [sleeper("worker (checks)"), sleeper("beat")])
    worker, beat = [
        pid
        for pid in descendants(run.pid)
        if Path(f"/proc/{pid}/cmdline").read_bytes().count(b"-c")
    ][:2]
    family = descendants(run.pid)
    os.kill(worker, signal.SIGKILL)
    assert run.wait(timeout=30) == 1
    assert wait_for(lambda: not any(alive(pid) for pid in family), timeout=30)
    assert not alive(beat)


def test_run_prints_the_accounts_the_readme_lists():
    readme = (quickstart.ROOT / "README.md").read_text()
    for email, _ in quickstart.DEMO_ACCOUNTS:
        assert f"`{email}`" in readme, email


def test_run_serves_the_content_domain_where_browsers_send_its_localhost_names(tmp_path):
    # v<id>-<token>.localhost:8001 is 127.0.0.1 to a browser, whatever getaddrinfo prefers.
    assert quickstart.port_of("http://localhost:8001") == "127.0.0.1:8001"
    assert quickstart.port_of("http://content.localhost:9001") == "127.0.0.1:9001"
    children = dict(
        (name, command) for name, command, _ in quickstart.processes_of_run({}, tmp_path)
    )
    assert children["content origin"][-2:] == ["127.0.0.1:8001", "--noreload"]
