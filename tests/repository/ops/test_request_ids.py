"""The request id: from the web request's X-Request-ID into the broker's messages and the workers' JSON log lines."""

import io
import json

import pytest
from celery import current_app
from django.urls import reverse

from repository import queue, tracing
from repository.models import OutboxMessage, Version
from tests.worker import celery_worker, purge, wait_for, worker_log

pytestmark = pytest.mark.django_db(transaction=True)

DEPOSIT_ID = "deposit-2f7c9e41-northfield"


def json_lines(text: str) -> list[dict]:
    """The lines of a log that are JSON objects (a worker's start-up banner is not logging)."""
    lines = []
    for line in text.splitlines():
        try:
            parsed = json.loads(line)
        except ValueError:
            continue
        if isinstance(parsed, dict):
            lines.append(parsed)
    return lines


def waiting_headers(queue_name: str) -> list[dict]:
    """The headers of every message waiting in `queue_name`, taking them."""
    found = []
    with current_app.connection_for_write() as connection:
        channel = connection.default_channel
        channel.queue_declare(queue=queue_name)
        while (message := channel.basic_get(queue_name, no_ack=True)) is not None:
            found.append(dict(message.headers))
    return found


def test_a_web_deposit_keeps_its_request_id_through_every_worker_task(
    client, staff, northfield, package, blob_folder
):
    """The trusted worker's validation, the untrusted worker's run of the content and the
    trusted worker's recording of its result all log JSON lines with the upload's id."""
    client.force_login(staff)
    with celery_worker(blob_dir=blob_folder):
        with package.open("rb") as upload:
            response = client.post(
                reverse("deposit"),
                {"institution": northfield.pk, "package": upload, "publish_on_pass": "on"},
                HTTP_X_REQUEST_ID=DEPOSIT_ID,
            )
        assert response.status_code == 302
        assert response["X-Request-ID"] == DEPOSIT_ID
        version = Version.objects.get()
        assert OutboxMessage.objects.get(task="validate_version").request_id == DEPOSIT_ID

        def settled() -> bool:
            version.refresh_from_db()
            return version.state not in {Version.State.UPLOADED, Version.State.VALIDATING}

        assert wait_for(settled, timeout=120), worker_log(blob_folder)[-3000:]
        # The result is recorded (and logged) a moment before the version settles.
        assert wait_for(
            lambda: any(
                line.get("task") == "repository.tasks.record_content_result"
                and "succeeded" in line["message"]
                for line in json_lines(worker_log(blob_folder))
            ),
            timeout=30,
        )
    assert version.state == Version.State.PUBLISHED

    lines = json_lines(worker_log(blob_folder))
    ours = [line for line in lines if line.get("request_id") == DEPOSIT_ID]
    tasks = {line.get("task") for line in ours}
    assert {
        "repository.tasks.validate_version",
        "repository.validation.untrusted.run_order",
        "repository.tasks.record_content_result",
    } <= tasks, sorted(filter(None, tasks))
    succeeded = [line["message"] for line in ours if "succeeded" in line["message"]]
    assert any("validate_version" in message for message in succeeded), succeeded
    assert all(line["level"] in {"DEBUG", "INFO", "WARNING", "ERROR"} for line in ours)
    # Tasks that came from beat or the worker itself carry ids of their own, never this one.
    others = [line for line in lines if line.get("task") and line.get("request_id") != DEPOSIT_ID]
    assert all(line.get("request_id") for line in others), others[:3]


def test_a_malformed_request_id_is_replaced_by_a_new_one(client):
    forged = 'abc\n{"level": "ERROR", "message": "forged"}'
    response = client.get("/healthz", HTTP_X_REQUEST_ID=forged)
    given = response["X-Request-ID"]
    assert given != forged
    assert tracing.well_formed(given) == given and len(given) == 32

    too_long = "a" * 129
    assert client.get("/healthz", HTTP_X_REQUEST_ID=too_long)["X-Request-ID"] != too_long
    kept = "a" * 128
    assert client.get("/healthz", HTTP_X_REQUEST_ID=kept)["X-Request-ID"] == kept


def test_each_request_without_an_id_gets_a_different_one(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert first != second
    assert tracing.current() is None  # nothing is left current after a request


def test_a_message_flushed_later_carries_the_id_of_the_request_that_queued_it():
    """The outbox row keeps the id; the flush (under no id, or another task's) sends it with it."""
    purge("checks")
    with tracing.bound("upload-41") as request_id:
        queue.enqueue("validate_version", (99,))
    message = OutboxMessage.objects.get()
    assert message.request_id == request_id
    OutboxMessage.objects.update(sent_at=None, leased_until=None)
    with tracing.bound("beat-flush-7"):
        assert queue.flush_outbox() == 1
    headers = waiting_headers("checks")
    assert [h.get("task") for h in headers] == ["repository.tasks.validate_version"] * 2
    assert [h.get("request_id") for h in headers] == ["upload-41", "upload-41"]


def test_log_lines_are_json_objects_with_the_request_id():
    import logging.config

    out = io.StringIO()
    config = tracing.logging_config("INFO")
    config["handlers"]["console"]["stream"] = out
    root = logging.getLogger()
    kept_handlers, kept_level = root.handlers[:], root.level
    try:
        logging.config.dictConfig(config)
        with tracing.bound("upload-8d1e"):
            logging.getLogger("repository.test").warning("Dépôt reçu: %s", "Überblick")
        logging.getLogger("repository.test").info("outside any request")
    finally:
        root.handlers[:] = kept_handlers
        root.setLevel(kept_level)
    first, second = json_lines(out.getvalue())
    assert first["request_id"] == "upload-8d1e"
    assert first["message"] == "Dépôt reçu: Überblick"
    assert first["level"] == "WARNING" and first["logger"] == "repository.test"
    assert "time" in first
    assert second["request_id"] is None
