"""Jupyter notebooks deposited and validated by running them in the sims sandbox (no network)."""

import base64
import json
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from repository.actions.deposits import deposit_package
from repository.actions.validation import validate_version
from repository.errors import PackageRefused
from repository.models import Resource, Version
from repository.validation import origins

MANIFEST = {
    "kind": "notebook",
    "title": "Températures de Besançon",
    "license": "CC-BY-4.0",
    "authors": [{"name": "Zoë Brontë"}],
    "entry_point": "analysis.ipynb",
}
READINGS = "month,celsius\n1,2.5\n2,3.75\n3,7.0\n4,10.25\n"


def analysis_notebook(*extra: str) -> str:
    """A lesson's notebook: French markdown, numpy on a data file of the package, a plot."""
    notebook = new_notebook(
        cells=[
            new_markdown_cell(
                "# Températures à Besançon\n\nMoyennes mensuelles — été comme hiver."
            ),
            new_code_cell(
                "import numpy as np\n"
                "readings = np.loadtxt('data/readings.csv', delimiter=',', skiprows=1)\n"
                "print(f'mean {readings[:, 1].mean():.3f} °C')"
            ),
            new_code_cell(
                "import matplotlib.pyplot as plt\n"
                "plt.plot(readings[:, 0], readings[:, 1], marker='o')\n"
                "plt.title('Besançon')\nplt.show()"
            ),
            *(new_code_cell(code) for code in extra),
        ]
    )
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nbformat.writes(notebook)


def notebook_zip(target: Path, notebook: str, manifest: dict | None = None) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("remixbank.json", json.dumps(manifest or MANIFEST))
        archive.writestr("analysis.ipynb", notebook)
        archive.writestr("data/readings.csv", READINGS)
    return target


@pytest.fixture
def content_runs(settings) -> None:
    settings.VALIDATION_RUN_CONTENT = True
    settings.VALIDATION_NOTEBOOK_CELL_SECONDS = 8
    settings.VALIDATION_NOTEBOOK_SECONDS = 90


def run_step(version: Version):
    run = validate_version(version.pk)
    assert run is not None
    version.refresh_from_db()
    return run.steps.get(name="run")


def test_notebook_runs_offline_and_keeps_its_executed_copy(
    content_runs, tmp_path, northfield, staff
):
    package = notebook_zip(tmp_path / "notebook.zip", analysis_notebook())
    version = deposit_package(package=package, institution=northfield, by=staff)
    assert version.resource.kind == Resource.Kind.NOTEBOOK
    step = run_step(version)
    assert step.status == "passed", step.messages
    assert "all 3 cells ran" in step.messages[0]
    assert version.state == Version.State.PUBLISHED
    names = {a["name"]: a["sha256"] for a in step.artefacts["files"]}
    assert {"executed.ipynb", "notebook.html"} <= set(names)
    from repository.storage import blobs

    executed = nbformat.reads(blobs.read_blob(names["executed.ipynb"]).decode(), as_version=4)
    printed = "".join(o.get("text", "") for o in executed.cells[1].outputs)
    assert "mean 5.875 °C" in printed
    images = [o for o in executed.cells[2].outputs if "image/png" in o.get("data", {})]
    assert images, executed.cells[2].outputs
    assert base64.b64decode(images[0]["data"]["image/png"]).startswith(b"\x89PNG")
    html = blobs.read_blob(names["notebook.html"]).decode()
    assert "Températures à Besançon" in html
    assert "data:image/png;base64," in html


def test_notebook_that_tries_the_network_fails_naming_the_cell(
    content_runs, tmp_path, northfield, staff
):
    fetch = "import urllib.request\nurllib.request.urlopen('https://data.example.org/t.csv')"
    package = notebook_zip(tmp_path / "notebook.zip", analysis_notebook(fetch))
    version = deposit_package(package=package, institution=northfield, by=staff)
    step = run_step(version)
    assert step.status == "failed"
    assert version.state == Version.State.FAILED
    assert "tried to reach the network (data.example.org:443) in cell 4" in step.messages[0]


def test_notebook_that_hides_its_network_try_still_fails(content_runs, tmp_path, northfield, staff):
    quiet = "try:\n    import socket\n    socket.create_connection(('192.0.2.1', 80), 1)\nexcept OSError:\n    pass"
    package = notebook_zip(tmp_path / "notebook.zip", analysis_notebook(quiet))
    version = deposit_package(package=package, institution=northfield, by=staff)
    step = run_step(version)
    assert step.status == "failed"
    assert "tried to reach the network (192.0.2.1:80)" in step.messages[0]


def test_notebook_that_loops_forever_fails_naming_the_cell(
    content_runs, tmp_path, northfield, staff
):
    package = notebook_zip(tmp_path / "notebook.zip", analysis_notebook("while True:\n    pass"))
    version = deposit_package(package=package, institution=northfield, by=staff)
    step = run_step(version)
    assert step.status == "failed"
    assert version.state == Version.State.FAILED
    assert "cell 4 was still running after 8 s" in step.messages[0]
    assert "loop" in step.messages[0]


def test_cell_error_fails_with_its_number_name_and_message(
    content_runs, tmp_path, northfield, staff
):
    package = notebook_zip(tmp_path / "notebook.zip", analysis_notebook("readings[99, 0]"))
    version = deposit_package(package=package, institution=northfield, by=staff)
    step = run_step(version)
    assert step.status == "failed"
    assert "cell 4 raised IndexError: index 99 is out of bounds" in step.messages[0]


def test_invalid_notebook_is_refused_and_nothing_stored(tmp_path, northfield, staff):
    broken = json.loads(analysis_notebook())
    del broken["cells"][1]["source"]
    package = notebook_zip(tmp_path / "notebook.zip", json.dumps(broken))
    with pytest.raises(PackageRefused) as refused:
        deposit_package(package=package, institution=northfield, by=staff)
    assert "analysis.ipynb is not a valid Jupyter notebook" in refused.value.message
    assert "Nothing was stored" in refused.value.message
    assert not Resource.objects.exists()


def test_notebook_for_another_language_is_refused(tmp_path, northfield, staff):
    other = json.loads(analysis_notebook())
    other["metadata"]["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}
    package = notebook_zip(tmp_path / "notebook.zip", json.dumps(other))
    with pytest.raises(PackageRefused) as refused:
        deposit_package(package=package, institution=northfield, by=staff)
    assert "written for a R kernel" in refused.value.message
    assert not Resource.objects.exists()


def test_entry_point_must_be_a_notebook(tmp_path, northfield, staff):
    package = notebook_zip(
        tmp_path / "notebook.zip",
        analysis_notebook(),
        {**MANIFEST, "entry_point": "data/readings.csv"},
    )
    with pytest.raises(PackageRefused) as refused:
        deposit_package(package=package, institution=northfield, by=staff)
    assert "must be a Jupyter notebook (.ipynb file)" in refused.value.message
    assert not Resource.objects.exists()


def test_version_page_shows_the_executed_notebook_from_its_origin_without_scripts(
    content_runs, tmp_path, northfield, staff, client
):
    script = (
        "from IPython.display import HTML, display\ndisplay(HTML('<script>parent.x=1</script>'))"
    )
    package = notebook_zip(tmp_path / "notebook.zip", analysis_notebook(script))
    version = deposit_package(package=package, institution=northfield, by=staff)
    assert run_step(version).status == "passed"
    page = client.get(version.get_absolute_url()).content.decode()
    url = f"{origins.origin_of(version)}/.remixbank/notebook.html"
    assert f'sandbox="" src="{url}"' in page
    parts = urlsplit(url)
    response = client.get(parts.path, HTTP_HOST=parts.netloc)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert policy.startswith("sandbox;") and "allow-scripts" not in policy
    assert "script-src" not in policy and "default-src 'none'" in policy
    html = response.content.decode()
    assert "Températures à Besançon" in html and "data:image/png;base64," in html


def notebook_with_metadata(**metadata: object) -> str:
    node = json.loads(analysis_notebook())
    node["metadata"].update(metadata)
    return json.dumps(node)


def test_notebook_alone_deposits_from_its_own_metadata(tmp_path, northfield, staff):
    upload = tmp_path / "lesson.ipynb"
    upload.write_text(
        notebook_with_metadata(license="CC-BY-SA-4.0", authors=[{"name": "Zoë Brontë"}])
    )
    version = deposit_package(package=upload, institution=northfield, by=staff)
    assert version.resource.kind == Resource.Kind.NOTEBOOK
    assert version.resource.title == "Températures à Besançon"
    assert version.licence == "CC-BY-SA-4.0"
    assert version.entry_point == "notebook.ipynb"
    assert list(version.files.values_list("path", flat=True)) == ["notebook.ipynb"]


def test_zipped_notebook_without_manifest_keeps_its_data_files(tmp_path, northfield, staff):
    target = tmp_path / "lesson.zip"
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr(
            "analysis.ipynb",
            notebook_with_metadata(license="CC0-1.0", authors=[{"name": "Zoë"}], title="Relevés"),
        )
        archive.writestr("data/readings.csv", READINGS)
    version = deposit_package(package=target, institution=northfield, by=staff)
    assert version.resource.title == "Relevés"
    assert set(version.files.values_list("path", flat=True)) == {
        "analysis.ipynb",
        "data/readings.csv",
    }


def test_notebook_alone_without_a_licence_is_refused(tmp_path, northfield, staff):
    upload = tmp_path / "lesson.ipynb"
    upload.write_text(notebook_with_metadata(authors=[{"name": "Zoë"}]))
    with pytest.raises(PackageRefused) as refused:
        deposit_package(package=upload, institution=northfield, by=staff)
    assert "does not say under which licence" in refused.value.message
    assert not Resource.objects.exists()


def test_notebook_printing_the_runners_own_progress_lines_still_gets_a_verdict(
    content_runs, tmp_path, northfield, staff
):
    # The kernel writes to the runner's stdout, where progress lines are read back.
    forged = "import os, sys\nos.write(sys.stdout.fileno(), b'CELL oops\\nCELL\\n')"
    package = notebook_zip(tmp_path / "notebook.zip", analysis_notebook(forged))
    version = deposit_package(package=package, institution=northfield, by=staff)
    step = run_step(version)
    assert step.status == "passed", step.messages
    assert "all 4 cells ran" in step.messages[0]


@pytest.mark.parametrize(
    "upload", ["[" * 100_000, "[]"], ids=["nested past the JSON depth limit", "a JSON array"]
)
def test_json_that_is_not_a_notebook_is_refused_as_an_upload(upload, tmp_path, northfield, staff):
    package = tmp_path / "notebook.ipynb"
    package.write_text(upload)
    with pytest.raises(PackageRefused) as refused:
        deposit_package(package=package, institution=northfield, by=staff)
    assert "not a zip file" in refused.value.message
    assert not Resource.objects.exists()


@pytest.mark.parametrize(
    ("notebook", "says"),
    [
        ("[]", "is json but not a notebook"),
        ("{" * 100_000, "nested more than"),
    ],
    ids=["a JSON array", "nested past the JSON depth limit"],
)
def test_zipped_json_that_is_not_a_notebook_is_refused(notebook, says, tmp_path, northfield, staff):
    package = notebook_zip(tmp_path / "notebook.zip", notebook)
    with pytest.raises(PackageRefused) as refused:
        deposit_package(package=package, institution=northfield, by=staff)
    assert says in refused.value.message.lower()
    assert "nothing was stored" in refused.value.message.lower()
    assert not Resource.objects.exists()


@pytest.mark.parametrize(
    ("soft", "wanted", "allowed"),
    [(300, 300.0, 255.0), (300, 120.0, 120.0), (None, 3600.0, 1800.0), (30, 60.0, 1.0)],
)
def test_a_notebooks_limit_ends_it_before_celerys_soft_limit_for_the_order(soft, wanted, allowed):
    from celery import current_app

    from repository.validation.untrusted import notebook_time_limit

    before = current_app.conf.task_soft_time_limit
    current_app.conf.task_soft_time_limit = soft
    try:
        assert notebook_time_limit(wanted) == allowed
    finally:
        current_app.conf.task_soft_time_limit = before
