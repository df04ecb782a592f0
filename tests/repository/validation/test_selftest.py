"""At start-up a worker tries the sandbox escapes and refuses sandbox work where they succeed."""

import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.worker import celery_worker, wait_for, worker_log

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_worker_takes_sandbox_and_browser_work_when_the_escapes_fail(blob_folder):
    with celery_worker(blob_dir=blob_folder, queues="sandbox,browser"):
        assert wait_for(
            lambda: "browser sandbox self-test passed" in worker_log(blob_folder), timeout=120
        ), worker_log(blob_folder)[-3000:]
    log = worker_log(blob_folder)
    assert "sandbox sandbox self-test passed; taking sandbox work" in log
    assert "Refusing" not in log


def test_worker_without_bubblewrap_refuses_sandbox_work_and_says_why(blob_folder, tmp_path):
    # A PATH on which bwrap cannot be found: untrusted code would run unconfined.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("python3", "ps"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    path = f"{bin_dir}{os.pathsep}{Path(sys.executable).parent}"
    with celery_worker(blob_dir=blob_folder, queues="sandbox", path=path):
        assert wait_for(lambda: "Refusing sandbox work" in worker_log(blob_folder), timeout=120), (
            worker_log(blob_folder)[-3000:]
        )
    assert "bubblewrap (bwrap) is not installed" in worker_log(blob_folder)
