"""A validator that cannot run a step (its sandbox refused by the self-test) ends the run as
"could not finish": our fault, shown as such, never failed, never published, never validating
for ever."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from repository.actions.deposits import deposit_package
from repository.actions.validation import end_overdue_runs
from repository.management.commands.load_demo import SCENARIO_DIR, scenario_manifest, zip_folder
from repository.models import ValidationRun, Version
from tests.repository.validation.test_selftest import path_without_bubblewrap
from tests.worker import purge, trusted_worker, untrusted_worker, wait_for, worker_log

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_scenario_no_worker_here_can_sandbox_could_not_finish_on_every_surface(
    tmp_path, blob_folder, northfield, staff, settings, client
):
    purge("sandbox", "results", "checks")
    package = zip_folder(SCENARIO_DIR, tmp_path / "scenario.zip", scenario_manifest())
    path = path_without_bubblewrap(tmp_path)  # bwrap missing: the self-test refuses sandbox work
    with (
        trusted_worker(blob_dir=blob_folder),
        untrusted_worker(log_dir=blob_folder.parent, queues="sandbox", path=path),
    ):
        assert wait_for(lambda: "Refusing sandbox work" in worker_log(blob_folder), timeout=180)
        version = deposit_package(package=package, institution=northfield, by=staff)

        def order_out() -> bool:
            run = ValidationRun.objects.filter(version=version).first()
            return bool(run and run.order.get("step") == "run" and run.order_nonce)

        assert wait_for(order_out, timeout=120), worker_log(blob_folder)[-3000:]
        version.refresh_from_db()
        assert version.state == Version.State.VALIDATING  # waiting for a sandbox, honestly
        # The reaper's deadline passes with nobody able to take the order.
        settings.VALIDATION_RUN_DEADLINE_SECONDS = -1
        assert end_overdue_runs() == 1
    purge("sandbox")
    version.refresh_from_db()
    assert (version.state, version.published_at) == (Version.State.UNFINISHED, None)
    run = version.validation_runs.get()
    assert run.state == ValidationRun.State.ERROR
    assert "our fault, not the deposit's" in run.steps.get(name="run").messages[0]
    client.force_login(staff)
    status = client.get(
        reverse("version_status", args=["northfield", version.resource.slug, version.number])
    ).json()
    assert status["settled"] is True and status["state"] == "unfinished"
    assert status["badge"]["text"].startswith(
        "Validation could not finish: our fault, not the deposit's"
    )
    api = APIClient()
    api.force_authenticate(staff)
    body = api.get(f"/api/v1/versions/{version.pk}/validation/").json()
    assert (body["verdict"], body["finished"]) == ("could not finish", True)
