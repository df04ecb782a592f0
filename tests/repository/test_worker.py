"""End to end with a real Celery worker and broker: a deposit is validated and published."""

import pytest

from repository.actions.deposits import deposit_package
from repository.models import Version
from tests.worker import celery_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_real_worker_validates_and_publishes_a_deposit(package, northfield, staff, blob_folder):
    """The whole pipeline on its three queues, headless browser included."""
    with celery_worker(blob_dir=blob_folder):
        version = deposit_package(package=package, institution=northfield, by=staff)

        def settled() -> bool:
            version.refresh_from_db()
            return version.state not in {Version.State.UPLOADED, Version.State.VALIDATING}

        assert wait_for(settled), f"still {version.state} after 90 s"
    assert version.state == Version.State.PUBLISHED
    run = version.validation_runs.get()
    assert [(s.name, s.status) for s in run.steps.all()] == [
        ("package", "passed"),
        ("licence", "passed"),
        ("content", "passed"),
        ("run", "passed"),
    ]
    assert "screenshot" in run.steps.get(name="run").artefacts
    assert run.attempts == 1
