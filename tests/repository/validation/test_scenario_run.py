"""The scenario run step: the deposited scenario runs in the sims sandbox; plots and metrics are kept."""

import shutil

import pytest
from django.urls import reverse

from repository.actions.deposits import deposit_package
from repository.actions.validation import validate_version
from repository.management.commands.load_demo import SCENARIO_DIR, scenario_manifest, zip_folder
from repository.models import Version


@pytest.fixture
def content_runs(settings) -> None:
    settings.VALIDATION_RUN_CONTENT = True


def deposit_scenario(folder, tmp_path, northfield, staff):
    package = zip_folder(folder, tmp_path / "scenario.zip", scenario_manifest())
    return deposit_package(package=package, institution=northfield, by=staff)


def test_scenario_runs_sandboxed_and_keeps_plots(content_runs, tmp_path, northfield, staff, client):
    version = deposit_scenario(SCENARIO_DIR, tmp_path, northfield, staff)
    run = validate_version(version.pk)
    assert run is not None
    version.refresh_from_db()
    step = run.steps.get(name="run")
    assert step.status == "passed", step.messages
    assert version.state == Version.State.PUBLISHED
    assert step.artefacts["metrics"]["energy_ratio"] >= 0.9
    names = {a["name"] for a in step.artefacts["files"]}
    assert {"power.svg", "power.png", "metrics.json"} <= names
    page = client.get(version.get_absolute_url()).content.decode()
    plot = next(a for a in step.artefacts["files"] if a["name"] == "power.png")
    url = reverse(
        "version_artefact",
        args=["northfield", version.resource.slug, version.number, plot["sha256"], "power.png"],
    )
    assert url in page
    response = client.get(url)
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_student_error_fails_the_version_with_their_line(content_runs, tmp_path, northfield, staff):
    folder = tmp_path / "broken"
    shutil.copytree(SCENARIO_DIR, folder)
    (folder / "student_controller.py").write_text(
        "def control(sensors, state):\n    west, east = sensors\n    return west / 0\n"
    )
    version = deposit_scenario(folder, tmp_path, northfield, staff)
    run = validate_version(version.pk)
    assert run is not None
    version.refresh_from_db()
    message = run.steps.get(name="run").messages[0]
    assert version.state == Version.State.FAILED
    assert "ZeroDivisionError" in message
    assert "line 3" in message
