"""/healthz and /readyz against the real database, broker, blob folder and a real worker."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from celery import Celery, current_app

from repository import tasks
from repository.guards import outages
from repository.models import WorkerBeat
from tests.services import free_port
from tests.worker import celery_worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def broker_at(url: str) -> Iterator[None]:
    """This process talks to the broker at `url` (a closed port: a broker that is down)."""
    app = Celery("remixbank-readyz-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.broker_url = app.conf.broker_write_url = url
    app.conf.broker_transport_options = {}
    previous = current_app._get_current_object()
    app.set_current()
    try:
        yield
    finally:
        previous.set_current()
        app.close()
        outages.BROKER.recovered()


def readiness(client) -> tuple[int, dict]:
    response = client.get("/readyz")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return response.status_code, json.loads(response.content)


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_names_missing_workers_until_a_real_worker_runs_its_periodic_task(
    client, blob_folder
):
    status, body = readiness(client)
    assert status == 503
    assert body["down"] == ["workers"]
    assert body["checks"]["database"]["ok"] and body["checks"]["broker"]["ok"]
    assert "no trusted worker" in body["checks"]["workers"]["detail"]

    with celery_worker(blob_dir=blob_folder, queues="checks", run_content=False):
        tasks.flush_outbox.delay()  # what beat sends every 30 s
        assert wait_for(lambda: WorkerBeat.objects.exists(), timeout=60)
        status, body = readiness(client)
    assert status == 200, body
    assert body == {"status": "ready", "down": [], "checks": body["checks"]}
    assert body["checks"]["workers"]["detail"] == "1 trusted seen"
    assert "@" in WorkerBeat.objects.get().hostname  # Celery names a worker name@host


def test_readyz_reports_a_broker_that_cannot_be_reached(client, settings):
    settings.READYZ_WORKERS_SEEN_SECONDS = 0
    with broker_at(f"redis://127.0.0.1:{free_port()}/9"):
        status, body = readiness(client)
    assert status == 503
    assert body["down"] == ["broker"]
    assert "refused" in body["checks"]["broker"]["detail"].lower()
    assert body["checks"]["database"]["ok"] is True


def test_readyz_reports_a_blob_folder_that_cannot_be_made(client, settings, tmp_path: Path):
    settings.READYZ_WORKERS_SEEN_SECONDS = 0
    (tmp_path / "volume").write_text("a file where the mount should be")
    settings.STORAGES = {
        **settings.STORAGES,
        "blobs": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "volume" / "blobs")},
        },
    }
    from tests.conftest import forget_blob_storage

    forget_blob_storage()
    status, body = readiness(client)
    assert status == 503
    assert body["down"] == ["storage"]
    assert body["checks"]["storage"]["detail"].startswith(("FileExistsError", "NotADirectoryError"))


def test_readyz_skips_the_workers_when_tasks_run_eagerly(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    current_app.conf.task_always_eager = True
    try:
        status, body = readiness(client)
    finally:
        current_app.conf.task_always_eager = False
    assert status == 200, body
    assert "not needed" in body["checks"]["workers"]["detail"]


def test_probes_by_pod_address_are_answered_without_host_check_or_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz", HTTP_HOST="10.42.0.17:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    # Any other path keeps Django's host check.
    assert client.get("/", HTTP_HOST="10.42.0.17:8000").status_code == 400


def test_readyz_names_what_is_down_but_not_where_to_a_caller_outside_the_ops_network(
    client, settings
):
    settings.METRICS_TOKEN = "ops-secret"
    with broker_at("amqp://guest:guest@127.0.0.1:1//"):
        public = client.get("/readyz", REMOTE_ADDR="198.51.100.7").json()
        scraper = client.get(
            "/readyz", REMOTE_ADDR="198.51.100.7", HTTP_AUTHORIZATION="Bearer ops-secret"
        ).json()
    assert public["status"] == "unavailable"
    assert "broker" in public["down"]
    assert "checks" not in public
    assert "127.0.0.1:1" not in json.dumps(public)
    assert scraper["checks"]["broker"]["ok"] is False
