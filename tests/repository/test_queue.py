"""The outbox against a real broker: a Redis of the test's own, stopped during deposits.

A deposit made while the broker is down still succeeds (CLI, API, web), its validation waits
in the outbox, and once the broker is back the flush sends it exactly once.
"""

import json
import os
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import redis as redis_client
from celery import Celery, current_app
from django.utils import timezone
from oauth2_provider.models import AccessToken, get_application_model
from rest_framework.test import APIClient

from repository import queue
from repository.actions.validation import stuck_versions
from repository.guards import outages
from repository.models import OutboxMessage, ValidationRun, Version
from tests.factories import build_zip, manifest
from tests.services import PrivateRedis, private_redis
from tests.worker import ROOT, celery_worker, deposit_command, wait_for, worker_database_url

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def celery_on(broker_url: str) -> Iterator[Celery]:
    """This process sends its tasks to `broker_url` (the site's Celery settings otherwise)."""
    app = Celery("remixbank-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    # Sends use the write URL; CELERY_BROKER_URL in the environment would override broker_url.
    app.conf.broker_write_url = broker_url
    app.conf.broker_transport_options = {"visibility_timeout": 3600}
    previous = current_app._get_current_object()
    app.set_current()
    try:
        yield app
    finally:
        previous.set_current()
        app.close()


@pytest.fixture(autouse=True)
def broker_thought_up() -> None:
    """The outage state is per process; each test starts with the broker believed up."""
    outages.BROKER.recovered()


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[PrivateRedis]:
    folder = tmp_path / "redis"
    folder.mkdir()
    with private_redis(folder) as server:
        yield server


def waiting_messages(server: PrivateRedis, queue_name: str = "checks") -> list[tuple[str, str]]:
    """(task name, args) of each message the broker holds on `queue_name`."""
    raw = redis_client.Redis(port=server.port).lrange(queue_name, 0, -1)
    return sorted(
        (m["headers"]["task"], m["headers"]["argsrepr"]) for m in (json.loads(r) for r in raw)
    )


def test_cli_deposit_with_the_broker_down_succeeds_and_is_validated_once_it_is_back(
    broker, package, northfield, staff, blob_folder
):
    broker.stop()
    deposit = subprocess.run(
        deposit_command(package, staff.email),
        cwd=ROOT,
        env={
            **os.environ,
            "CELERY_BROKER_URL": broker.url(),
            "DATABASE_URL": worker_database_url(),
            "BLOB_STORAGE_DIR": str(blob_folder),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert deposit.returncode == 0, deposit.stderr
    assert "validation queued" in deposit.stdout
    assert "Traceback" not in deposit.stderr
    assert deposit.stderr.count("broker unavailable:") == 1, deposit.stderr
    version = Version.objects.get()
    assert version.state == Version.State.UPLOADED
    waiting = OutboxMessage.objects.get()
    assert (waiting.task, waiting.args, waiting.sent_at) == ("validate_version", [version.pk], None)

    broker.start()
    with celery_on(broker.url()):
        assert queue.flush_outbox() == 1
        assert queue.flush_outbox() == 0
    assert waiting_messages(broker) == [("repository.tasks.validate_version", f"({version.pk},)")]
    waiting.refresh_from_db()
    assert waiting.sent_at is not None

    with celery_worker(blob_dir=blob_folder, run_content=False, broker=broker.url()):

        def judged() -> bool:
            version.refresh_from_db()
            # This worker runs no content: the honest verdict is not run, never published.
            return version.state == Version.State.NOT_RUN

        assert wait_for(judged), f"still {version.state}"
    assert Version.objects.count() == 1
    assert ValidationRun.objects.get(version=version).attempts == 1


def bearer_token(user) -> str:
    app = get_application_model().objects.create(
        name="Deposit script",
        client_type="confidential",
        authorization_grant_type="client-credentials",
        user=user,
    )
    value = secrets.token_urlsafe(24)
    AccessToken.objects.create(
        user=user,
        application=app,
        token=value,
        scope="read deposit",
        expires=timezone.now() + timedelta(minutes=10),
    )
    return value


def test_api_deposit_with_the_broker_down_answers_202_and_keeps_the_message(
    broker, package, northfield, staff, caplog
):
    broker.stop()
    api = APIClient()
    with celery_on(broker.url()), package.open("rb") as handle:
        response = api.post(
            "/api/v1/deposits/",
            {"package": handle},
            HTTP_AUTHORIZATION=f"Bearer {bearer_token(staff)}",
        )
        assert response.status_code == 202, response.content
        version = Version.objects.get()
        assert response["Location"] == response.json()["status_url"]
        assert response.json()["status_url"].endswith(f"/api/v1/versions/{version.pk}/validation/")
        # Still down: the flush tries once, keeps the message and says nothing new.
        assert queue.flush_outbox() == 0
    waiting = OutboxMessage.objects.get()
    assert (waiting.args, waiting.sent_at, waiting.attempts) == ([version.pk], None, 2)
    assert [r.getMessage()[:19] for r in caplog.records if "broker" in r.getMessage()] == [
        "broker unavailable:"
    ]


def test_web_deposit_with_the_broker_down_says_validation_queued(
    broker, client, package, northfield, staff
):
    broker.stop()
    client.force_login(staff)
    with celery_on(broker.url()), package.open("rb") as handle:
        response = client.post(
            "/deposit/",
            {"institution": northfield.pk, "package": handle, "publish_on_pass": "on"},
            follow=True,
        )
    version = Version.objects.get()
    assert response.redirect_chain[-1][0] == version.get_absolute_url()
    assert "Deposited. Validation queued" in response.content.decode()
    assert OutboxMessage.objects.get().args == [version.pk]


def test_each_waiting_message_is_sent_once_even_by_two_flushes(broker, tmp_path, northfield, staff):
    from repository.actions.deposits import deposit_package

    broker.stop()
    with celery_on(broker.url()):
        versions = [
            deposit_package(
                package=build_zip(tmp_path / f"{n}.zip", manifest_data=manifest(title=f"T{n}")),
                institution=northfield,
                by=staff,
            )
            for n in range(3)
        ]
        broker.start()
        # A second sender that read the same rows loses every lease to the first.
        stale = list(OutboxMessage.objects.order_by("pk"))
        assert queue.flush_outbox() == 3
        assert [queue.take_lease(m) for m in stale] == [False, False, False]
    assert waiting_messages(broker) == sorted(
        ("repository.tasks.validate_version", f"({v.pk},)") for v in versions
    )


def test_the_reaper_leaves_a_version_whose_message_waits_or_was_just_sent(
    northfield, staff, package
):
    from repository.actions.deposits import deposit_package

    old = timezone.now() - timedelta(hours=2)
    version = deposit_package(package=package, institution=northfield, by=staff)
    Version.objects.filter(pk=version.pk).update(created_at=old)
    message = OutboxMessage.objects.get()
    assert message.sent_at is not None  # the filesystem broker of the test settings took it
    assert stuck_versions() == []

    OutboxMessage.objects.filter(pk=message.pk).update(sent_at=None)
    assert stuck_versions() == []

    OutboxMessage.objects.filter(pk=message.pk).update(sent_at=old)
    assert stuck_versions() == [version.pk]


def test_the_reaper_and_the_periodic_flush_send_what_the_broker_missed(
    broker, northfield, staff, tmp_path, settings
):
    from repository import tasks
    from repository.actions.deposits import deposit_package

    assert settings.CELERY_BEAT_SCHEDULE["flush-outbox"] == {
        "task": tasks.flush_outbox.name,
        "schedule": 30.0,
    }
    broker.stop()
    with celery_on(broker.url()):
        first, second = (
            deposit_package(
                package=build_zip(tmp_path / f"{n}.zip", manifest_data=manifest(title=f"T{n}")),
                institution=northfield,
                by=staff,
            )
            for n in range(2)
        )
        broker.start()
        assert tasks.reap_stuck_validations() == 0  # nothing stuck: both are in the outbox
        assert waiting_messages(broker) == sorted(
            ("repository.tasks.validate_version", f"({v.pk},)") for v in (first, second)
        )
        assert tasks.flush_outbox() == 0
    assert not OutboxMessage.objects.filter(sent_at=None).exists()
