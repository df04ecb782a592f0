"""The tool run step: the deposited tool loads in sandboxed headless Chromium; its screenshot is kept."""

import pytest
from django.urls import reverse

from repository.actions.deposits import deposit_package
from repository.actions.validation import validate_version
from repository.models import Version
from repository.validation.release import CHECKS_RELEASE
from tests.factories import build_zip, tool_files

THROWS_AT_LOAD = b"const settings = null;\nconsole.log(settings.volume);\n"


@pytest.fixture
def content_runs(settings) -> None:
    settings.VALIDATION_RUN_CONTENT = True
    settings.VALIDATION_FUZZ_SECONDS = 1.0


def test_tool_loads_fuzzes_and_keeps_a_screenshot(content_runs, package, northfield, staff, client):
    version = deposit_package(package=package, institution=northfield, by=staff)
    run = validate_version(version.pk)
    assert run is not None
    version.refresh_from_db()
    step = run.steps.get(name="run")
    assert step.status == "passed", step.messages
    assert version.state == Version.State.PUBLISHED
    assert run.validator_release.startswith(f"{CHECKS_RELEASE}+chromium-")
    assert step.artefacts["fuzz_actions"] > 0
    url = reverse(
        "version_artefact",
        args=[
            "northfield",
            version.resource.slug,
            1,
            step.artefacts["screenshot"],
            "screenshot.png",
        ],
    )
    assert url in client.get(version.get_absolute_url()).content.decode()
    assert b"".join(client.get(url).streaming_content).startswith(b"\x89PNG")


def test_tool_that_throws_at_load_fails_with_file_and_line(
    content_runs, tmp_path, northfield, staff
):
    package = build_zip(tmp_path / "broken.zip", tool_files(**{"app.js": THROWS_AT_LOAD}))
    version = deposit_package(package=package, institution=northfield, by=staff)
    run = validate_version(version.pk)
    assert run is not None
    version.refresh_from_db()
    assert version.state == Version.State.FAILED
    message = " ".join(run.steps.get(name="run").messages)
    assert "TypeError" in message
    assert "app.js line 2" in message
