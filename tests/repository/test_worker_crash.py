"""A killed worker loses nothing: its run stops beating, the reaper queues it again, it finishes."""

import os
import shutil
import signal
import subprocess

import pytest

from repository.actions.deposits import deposit_package
from repository.management.commands.load_demo import SCENARIO_DIR, scenario_manifest, zip_folder
from repository.models import ValidationRun, ValidationStep, Version
from tests.worker import beat, trusted_worker, untrusted_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SLOW_CONTROLLER = """
import time


def control(sensors, state):
    time.sleep(0.004)  # slow enough that the run is still going when the test kills it
    west, east = sensors
    if west + east < 0.001:
        return -state["angle"] / state["dt"]
    return 2.0 * (west - east)
"""


@pytest.fixture
def slow_scenario(tmp_path):
    folder = tmp_path / "slow"
    shutil.copytree(SCENARIO_DIR, folder)
    (folder / "student_controller.py").write_text(SLOW_CONTROLLER)
    return zip_folder(folder, tmp_path / "slow.zip", scenario_manifest())


@pytest.fixture
def short_heartbeat(settings):
    # The long reaper (VALIDATION_STUCK_AFTER_SECONDS, 15 min) stays as it is: only the
    # heartbeat deadline can bring the run back within the test's wait.
    settings.VALIDATION_HEARTBEAT_SECONDS = 6
    settings.VALIDATION_REAP_EVERY_SECONDS = 2
    assert settings.VALIDATION_STUCK_AFTER_SECONDS >= 900


def children(pid: int) -> list[tuple[int, str]]:
    out = subprocess.run(
        ["ps", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    ).stdout
    return [
        (int(line.split(None, 1)[0]), line.split(None, 1)[1])
        for line in out.splitlines()
        if line.strip()
    ]


def running_a_sandbox(pid: int) -> bool:
    return any("bwrap" in args for _, args in children(pid))


def pool_process_running_a_sandbox(worker_pid: int) -> int | None:
    # Pool processes are forks of the worker (same command line); the worker's own start-up
    # self-tests (a browser host, a sandbox probe) are other children and must not be killed.
    for pid, args in children(worker_pid):
        if "celery" in args and running_a_sandbox(pid):
            return pid
    return None


def settled(version: Version) -> bool:
    version.refresh_from_db()
    return version.state not in {Version.State.UPLOADED, Version.State.VALIDATING}


def assert_redone_and_published(version: Version) -> None:
    run = ValidationRun.objects.get(version=version)
    assert run.attempts == 2
    step = run.steps.get(name="run")
    assert step.status == ValidationStep.Status.PASSED, step.messages
    assert version.state == Version.State.PUBLISHED


def test_killed_pool_process_leads_to_the_run_being_redone(
    slow_scenario, northfield, staff, blob_folder, short_heartbeat
):
    with (
        trusted_worker(blob_dir=blob_folder),
        beat(blob_dir=blob_folder),
        untrusted_worker(log_dir=blob_folder.parent, queues="sandbox", pool="prefork") as worker,
    ):
        version = deposit_package(package=slow_scenario, institution=northfield, by=staff)
        found: list[int] = []

        def sandbox_running() -> bool:
            pid = pool_process_running_a_sandbox(worker.pid)
            if pid is not None:
                found.append(pid)
            return bool(found)

        assert wait_for(sandbox_running, every=0.1), "the run step never started in the sandbox"
        os.kill(found[0], signal.SIGKILL)
        assert wait_for(lambda: settled(version), timeout=240), f"still {version.state}"
    assert_redone_and_published(version)


def test_killed_worker_main_process_is_noticed_by_its_missing_heartbeat(
    slow_scenario, northfield, staff, blob_folder, short_heartbeat
):
    """SIGKILL on the worker itself (solo pool: the run is in it): no ack, no goodbye."""
    with trusted_worker(blob_dir=blob_folder), beat(blob_dir=blob_folder):
        with untrusted_worker(log_dir=blob_folder.parent, queues="sandbox", name="first") as first:
            version = deposit_package(package=slow_scenario, institution=northfield, by=staff)

            def held_by_first() -> bool:
                run = ValidationRun.objects.filter(version=version).first()
                return bool(run and run.held_by.startswith("first@"))

            assert wait_for(held_by_first, every=0.1), "the order was never taken"
            assert wait_for(lambda: running_a_sandbox(first.pid), every=0.1), "no sandbox"
            os.kill(first.pid, signal.SIGKILL)
            first.wait()
        assert not settled(version)
        with untrusted_worker(log_dir=blob_folder.parent, queues="sandbox", name="second"):
            assert wait_for(lambda: settled(version), timeout=240), f"still {version.state}"
    assert_redone_and_published(version)
