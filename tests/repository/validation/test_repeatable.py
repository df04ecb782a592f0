"""Repeatable verdicts through the whole pipeline: the same bytes, deposited again and again,
are tried with the same actions and judged the same; the report shows each device profile on
the version page and in the API."""

import pytest
from rest_framework.test import APIClient

from repository.actions.deposits import deposit_package
from repository.actions.validation import validate_version
from repository.validation.browser import profile_seed
from repository.validation.orders import content_seed
from tests.factories import build_zip, explorable_files, explorable_manifest


@pytest.fixture
def content_runs(settings) -> None:
    settings.VALIDATION_RUN_CONTENT = True
    settings.VALIDATION_FUZZ_SECONDS = 1.0


def test_same_bytes_deposited_three_times_get_the_same_verdict_and_actions(
    content_runs, tmp_path, northfield, staff
):
    package = build_zip(
        tmp_path / "moon.zip", explorable_files(), manifest_data=explorable_manifest()
    )
    runs = []
    for _ in range(3):  # three resources, as three teachers depositing the same download
        version = deposit_package(package=package, institution=northfield, by=staff)
        run = validate_version(version.pk)
        assert run is not None
        runs.append((version, run.steps.get(name="run")))

    seed = content_seed(runs[0][0])
    assert all(content_seed(version) == seed for version, _ in runs)
    for _, step in runs:
        assert step.status == "passed", step.messages
        profiles = step.artefacts["profiles"]
        assert set(profiles) == {"desktop", "phone"}
        for name, figures in profiles.items():
            assert figures["seed"] == profile_seed(seed, name)
            assert figures["fuzz_actions"] == 20 and len(figures["actions"]) == 20
    first = runs[0][1]
    for _, step in runs[1:]:
        assert step.status == first.status
        assert step.artefacts["warnings"] == first.artefacts["warnings"]
        for name in ("desktop", "phone"):
            mine, theirs = step.artefacts["profiles"][name], first.artefacts["profiles"][name]
            assert mine["problems"] == []
            assert mine["actions"] == theirs["actions"]
            assert mine["actions_sha256"] == theirs["actions_sha256"]


def test_version_page_and_api_show_each_profile(content_runs, tmp_path, northfield, staff, client):
    package = build_zip(
        tmp_path / "moon.zip",
        explorable_files(images=2, sounds=0),
        manifest_data=explorable_manifest(),
    )
    version = deposit_package(package=package, institution=northfield, by=staff)
    run = validate_version(version.pk)
    assert run is not None
    step = run.steps.get(name="run")
    assert step.status == "passed", step.messages
    shots = {f["name"]: f["sha256"] for f in step.artefacts["files"]}
    assert set(shots) == {"screenshot-desktop.png", "screenshot-phone.png"}
    throttled = step.artefacts["throttled"]
    assert throttled["loaded"] and throttled["bytes"] > 0 and throttled["interactive_ms"] >= 800

    page = client.get(version.get_absolute_url()).content.decode()
    assert "On each device" in page
    assert "Desktop (1280×800)" in page and "Phone (390×844, touch)" in page  # noqa: RUF001
    for name, sha in shots.items():
        url = f"/i/northfield/{version.resource.slug}/v1/artefacts/{sha}/{name}"
        assert url in page
        assert b"".join(client.get(url).streaming_content).startswith(b"\x89PNG")
    assert "On a phone over slow 3G (400 kbit/s, 400 ms round trip)" in page

    body = APIClient().get(f"/api/v1/versions/{version.pk}/validation/").json()
    run_step = next(s for s in body["run"]["steps"] if s["name"] == "run")
    phone = run_step["artefacts"]["profiles"]["phone"]
    assert phone["loaded"] is True and phone["screenshot"] == "screenshot-phone.png"
    assert phone["bytes"] > 0 and phone["load_ms"] > 0 and phone["problems"] == []
    assert isinstance(phone["accessibility"], list)
    assert run_step["artefacts"]["throttled"]["network"].startswith("slow 3G")
