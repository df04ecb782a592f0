"""Learners' variant runs have their own queue: a deposit's verdict never waits behind them."""

import pytest

from repository.actions.deposits import deposit_package
from repository.actions.variants import request_variant_run
from repository.management.commands.load_demo import SCENARIO_DIR, scenario_manifest, zip_folder
from repository.models import VariantRun, Version
from tests.factories import validated
from tests.worker import purge, queued, trusted_worker, untrusted_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

RUNS = 8


def test_a_deposit_is_validated_while_many_variant_runs_wait_on_their_own_queue(
    tmp_path, settings, northfield, staff, student, blob_folder
):
    settings.VARIANT_RUNS_WAITING_PER_USER = settings.VARIANT_RUNS_PER_MINUTE_USER = 100
    purge("attempts", "sandbox", "checks", "results")
    package = zip_folder(SCENARIO_DIR, tmp_path / "scenario.zip", scenario_manifest())
    published = deposit_package(package=package, institution=northfield, by=staff)
    validated(published.pk)  # test data: published without running it here
    published.refresh_from_db()
    assert published.state == Version.State.PUBLISHED
    settings.VALIDATION_RUN_CONTENT = True
    with (
        trusted_worker(blob_dir=blob_folder),
        untrusted_worker(log_dir=blob_folder.parent, queues="sandbox,browser"),
    ):
        for n in range(RUNS):
            request_variant_run(published, student_id=f"s{n}", by=student)
        assert wait_for(lambda: queued("attempts") == RUNS), queued("attempts")
        # Then a deposit, whose run step needs the sandbox.
        again = zip_folder(SCENARIO_DIR, tmp_path / "again.zip", scenario_manifest())
        version = deposit_package(package=again, institution=northfield, by=staff)

        def settled() -> bool:
            version.refresh_from_db()
            return version.state not in {Version.State.UPLOADED, Version.State.VALIDATING}

        assert wait_for(settled, timeout=180), f"still {version.state}"
        # The verdict came with every learner's run still waiting, none taken ahead of it.
        assert queued("attempts") == RUNS
        assert set(VariantRun.objects.values_list("state", flat=True)) == {"queued"}
        assert version.state == Version.State.PUBLISHED
        assert version.validation_runs.get().steps.get(name="run").status == "passed"
        with untrusted_worker(log_dir=blob_folder.parent, queues="attempts", name="attempts"):

            def all_run() -> bool:
                return not VariantRun.objects.filter(state__in=["queued", "running"]).exists()

            assert wait_for(all_run, timeout=300), list(
                VariantRun.objects.values_list("state", flat=True)
            )
    assert set(VariantRun.objects.values_list("state", flat=True)) <= {"passed", "failed"}
    assert all(run.files for run in VariantRun.objects.all())
