"""Killing the worker's process mid-run loses nothing: the run is redone and finishes."""

import os
import shutil
import signal
import subprocess

import pytest

from repository.actions.deposits import deposit_package
from repository.management.commands.load_demo import SCENARIO_DIR, scenario_manifest, zip_folder
from repository.models import ValidationRun, ValidationStep, Version
from tests.worker import celery_worker, wait_for

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


def children(pid: int) -> list[tuple[int, str]]:
    out = subprocess.run(
        ["ps", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    ).stdout
    return [
        (int(line.split(None, 1)[0]), line.split(None, 1)[1])
        for line in out.splitlines()
        if line.strip()
    ]


def pool_process_running_a_sandbox(worker_pid: int) -> int | None:
    # Pool processes are forks of the worker (same command line); the worker's own start-up
    # self-tests (a browser host, a sandbox probe) are other children and must not be killed.
    for pid, args in children(worker_pid):
        if "celery" in args and any("bwrap" in a for _, a in children(pid)):
            return pid
    return None


def test_killed_worker_process_leads_to_the_run_being_redone(
    tmp_path, northfield, staff, blob_folder
):
    folder = tmp_path / "slow"
    shutil.copytree(SCENARIO_DIR, folder)
    (folder / "student_controller.py").write_text(SLOW_CONTROLLER)
    package = zip_folder(folder, tmp_path / "slow.zip", scenario_manifest())
    with celery_worker(blob_dir=blob_folder, pool="prefork") as worker:
        version = deposit_package(package=package, institution=northfield, by=staff)

        found: list[int] = []

        def sandbox_running() -> bool:
            pid = pool_process_running_a_sandbox(worker.pid)
            if pid is not None:
                found.append(pid)
            return bool(found)

        assert wait_for(sandbox_running, every=0.1), "the run step never started in the sandbox"
        os.kill(found[0], signal.SIGKILL)

        def settled() -> bool:
            version.refresh_from_db()
            return version.state not in {Version.State.UPLOADED, Version.State.VALIDATING}

        assert wait_for(settled, timeout=180), f"still {version.state}"
    run = ValidationRun.objects.get(version=version)
    assert run.attempts == 2
    step = run.steps.get(name="run")
    assert step.status == ValidationStep.Status.PASSED, step.messages
    assert version.state == Version.State.PUBLISHED
