"""The results queue carries untrusted workers' results only: any other task sent there is refused."""

import os
import subprocess
import sys

import pytest

from deploy.celery import app
from deploy.quickstart import untrusted_environment
from repository.models import Version
from tests.factories import VersionFactory
from tests.worker import ROOT, broker_environment, trusted_worker, wait_for, worker_log

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PROGRESS = "repository.tasks.record_content_progress"


def progress_succeeded(log: str) -> bool:
    """The worker logged that a PROGRESS task succeeded (each log line is one JSON object)."""
    return any(f"{PROGRESS}[" in line and "succeeded" in line for line in log.splitlines())


def test_a_validate_version_sent_through_results_is_refused_and_changes_nothing(blob_folder):
    version = VersionFactory.create(state=Version.State.UPLOADED)
    assert version.state == Version.State.UPLOADED
    with trusted_worker(blob_dir=blob_folder):
        # What an untrusted worker (broker credentials only) could send to the results queue.
        app.send_task("repository.tasks.validate_version", (version.pk,), queue="results")
        # A real result task behind it: once it ran, the forged message was dealt with.
        app.send_task(PROGRESS, ("no-such-nonce", "probe"), queue="results")
        assert wait_for(
            lambda: progress_succeeded(worker_log(blob_folder)),
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
        assert wait_for(lambda: progress_succeeded(worker_log(blob_folder)), timeout=120), (
            worker_log(blob_folder)[-3000:]
        )
    assert "Refused" not in worker_log(blob_folder)


def test_trusted_workers_ignore_remote_control_by_default(settings):
    from deploy import celery

    assert settings.CELERY_WORKER_ENABLE_REMOTE_CONTROL is False
    assert celery.app.conf.worker_enable_remote_control is False


def send_as_untrusted(name: str, args: tuple[object, ...]) -> None:
    """Send from a process of its own with the untrusted app alone, as an untrusted worker does."""
    source = {**os.environ, **broker_environment()}
    code = f"from deploy import untrusted; untrusted.send({name!r}, {args!r})"
    subprocess.run(
        [sys.executable, "-c", code], env=untrusted_environment(source), cwd=ROOT, check=True
    )


def test_untrusted_workers_send_through_the_results_exchange_and_are_still_refused(blob_folder):
    # Asked of a process of its own: importing deploy.untrusted here would make its Celery app
    # this process's current app, and later tests' messages would follow its routes.
    exchange = subprocess.run(
        [
            sys.executable,
            "-c",
            "from deploy.untrusted import RESULTS; print(RESULTS.exchange.name)",
        ],
        env=untrusted_environment({**os.environ, **broker_environment()}),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    assert exchange == "remixbank.results"
    version = VersionFactory.create(state=Version.State.UPLOADED)
    with trusted_worker(blob_dir=blob_folder):
        send_as_untrusted("repository.tasks.validate_version", (version.pk,))
        send_as_untrusted(PROGRESS, ("no-such-nonce", "probe"))
        assert wait_for(lambda: progress_succeeded(worker_log(blob_folder)), timeout=120), (
            worker_log(blob_folder)[-3000:]
        )
    version.refresh_from_db()
    assert version.state == Version.State.UPLOADED
    assert "Refused repository.tasks.validate_version from the results queue" in worker_log(
        blob_folder
    )
