"""Notebooks through the real pipeline: trusted and untrusted Celery workers, the real sandbox."""

import pytest

from repository.actions.deposits import deposit_package
from repository.models import Version
from tests.repository.notebooks.test_notebook_deposits import analysis_notebook, notebook_zip
from tests.worker import celery_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_real_workers_pass_an_offline_notebook_and_fail_one_that_fetches(
    tmp_path, northfield, staff, blob_folder
):
    good = notebook_zip(tmp_path / "good.zip", analysis_notebook())
    fetch = "import urllib.request\nurllib.request.urlopen('http://data.example.org/t.csv')"
    bad = notebook_zip(tmp_path / "bad.zip", analysis_notebook(fetch))
    with celery_worker(blob_dir=blob_folder, queues="checks,sandbox"):
        passing = deposit_package(package=good, institution=northfield, by=staff)
        failing = deposit_package(package=bad, institution=northfield, by=staff)

        def settled() -> bool:
            states = {Version.State.UPLOADED, Version.State.VALIDATING}
            passing.refresh_from_db()
            failing.refresh_from_db()
            return passing.state not in states and failing.state not in states

        assert wait_for(settled, timeout=180), f"still {passing.state}, {failing.state}"
    assert passing.state == Version.State.PUBLISHED
    run = passing.validation_runs.get().steps.get(name="run")
    assert run.status == "passed", run.messages
    assert {"executed.ipynb", "notebook.html"} <= {f["name"] for f in run.artefacts["files"]}
    assert failing.state == Version.State.FAILED
    message = failing.validation_runs.get().steps.get(name="run").messages[0]
    assert "tried to reach the network (data.example.org:80) in cell 4" in message
