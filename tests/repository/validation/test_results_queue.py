"""The results queue carries untrusted workers' results only: any other task sent there is refused."""

import pytest

from deploy.celery import app
from repository.models import Version
from tests.factories import VersionFactory
from tests.worker import trusted_worker, wait_for, worker_log

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PROGRESS = "repository.tasks.record_content_progress"


def test_a_validate_version_sent_through_results_is_refused_and_changes_nothing(blob_folder):
    version = VersionFactory.create(state=Version.State.UPLOADED)
    assert version.state == Version.State.UPLOADED
    with trusted_worker(blob_dir=blob_folder):
        # What an untrusted worker (broker credentials only) could send to the results queue.
        app.send_task("repository.tasks.validate_version", (version.pk,), queue="results")
        # A real result task behind it: once it ran, the forged message was dealt with.
        app.send_task(PROGRESS, ("no-such-nonce", "probe"), queue="results")
        assert wait_for(
            lambda: (
                f"{PROGRESS}[" in worker_log(blob_folder)
                and "succeeded" in worker_log(blob_folder).split(PROGRESS)[-1]
            ),
            timeout=120,
        ), worker_log(blob_folder)[-3000:]
    version.refresh_from_db()
    assert version.state == Version.State.UPLOADED
    assert not version.validation_runs.exists()
    assert "Refused repository.tasks.validate_version from the results queue" in worker_log(
        blob_folder
    )


def test_the_result_tasks_still_run_from_the_results_queue(blob_folder):
    with trusted_worker(blob_dir=blob_folder):
        app.send_task(PROGRESS, ("no-such-nonce", "probe"), queue="results")
        assert wait_for(
            lambda: "succeeded" in worker_log(blob_folder).split(PROGRESS)[-1], timeout=120
        ), worker_log(blob_folder)[-3000:]
    assert "Refused" not in worker_log(blob_folder)


def test_trusted_workers_ignore_remote_control_by_default(settings):
    from deploy import celery

    assert settings.CELERY_WORKER_ENABLE_REMOTE_CONTROL is False
    assert celery.app.conf.worker_enable_remote_control is False


def test_untrusted_workers_send_results_through_the_results_exchange():
    from celery import current_app

    from deploy import untrusted
    from tests.worker import purge

    purge("results")
    untrusted.send(PROGRESS, ("no-such-nonce", "probe"))
    with current_app.connection_for_write() as connection:
        message = connection.default_channel.basic_get("results", no_ack=True)
    assert message is not None
    assert message.delivery_info["exchange"] == "remixbank.results"
    assert message.delivery_info["routing_key"] == "results"
