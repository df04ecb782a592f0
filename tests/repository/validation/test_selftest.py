"""At start-up an untrusted worker tries the sandbox escapes and never consumes a queue where one works."""

import os
import shutil
import sys
from pathlib import Path

import pytest
from celery import current_app

from repository.actions.deposits import deposit_package
from repository.queue import RUN_ORDER_TASK
from repository.validation import orders
from tests.worker import purge, queued, take_all, untrusted_worker, wait_for, worker_log

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def path_without_bubblewrap(tmp_path: Path) -> str:
    """A PATH on which bwrap cannot be found: untrusted code would run unconfined."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("python3", "ps"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    return f"{bin_dir}{os.pathsep}{Path(sys.executable).parent}"


def test_untrusted_worker_takes_sandbox_and_browser_work_when_the_escapes_fail(blob_folder):
    with untrusted_worker(log_dir=blob_folder.parent, queues="sandbox,browser,attempts"):
        assert wait_for(
            lambda: (
                "Self-test passed" in worker_log(blob_folder)
                and "ready." in worker_log(blob_folder)
            ),
            timeout=180,
        ), worker_log(blob_folder)[-3000:]
    log = worker_log(blob_folder)
    for queue in ("sandbox", "browser", "attempts"):
        assert f"no escape from the sandbox; taking {queue} work" in log
    assert "Refusing" not in log


def test_a_refused_queue_keeps_its_messages_while_the_safe_one_is_served(
    blob_folder, tmp_path, package, northfield, staff
):
    purge("sandbox", "browser", "results")
    tool = deposit_package(package=package, institution=northfield, by=staff)
    order = orders.build_order(tool, nonce="selftest-browser", purpose="validation", fetch={})
    waiting = {**order, "nonce": "selftest-sandbox"}
    current_app.send_task(RUN_ORDER_TASK, (waiting,), queue="sandbox")
    current_app.send_task(RUN_ORDER_TASK, (order,), queue="browser")
    # At least ours: an earlier test's unacknowledged message may come back to a queue (Redis
    # restores them), so the refused queue is judged by our own message, taken at the end.
    assert queued("sandbox") >= 1 and queued("browser") >= 1
    path = path_without_bubblewrap(tmp_path)
    with untrusted_worker(log_dir=blob_folder.parent, queues="sandbox,browser", path=path):
        assert wait_for(
            lambda: (
                "run_order" in worker_log(blob_folder) and "succeeded" in worker_log(blob_folder)
            ),
            timeout=180,
        ), worker_log(blob_folder)[-3000:]
        assert queued("browser") == 0
    # Never taken, not merely logged: our sandbox order is still in the broker.
    assert "selftest-sandbox" in [args[0]["nonce"] for args in take_all("sandbox")]
    log = worker_log(blob_folder)
    assert "Refusing sandbox work" in log
    assert "bubblewrap (bwrap) is not installed" in log
    assert "Refusing browser work" not in log
    purge("results")
