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


def test_version_page_and_api_name_frame_violations_and_a_late_slow_3g_load(
    content_runs, settings, tmp_path, northfield, staff, client
):
    from tests.repository.validation.test_profiles import quiz_tool

    settings.VALIDATION_SLOW_3G_SECONDS = 1
    package = build_zip(tmp_path / "quiz.zip", quiz_tool(), manifest_data=explorable_manifest())
    version = deposit_package(package=package, institution=northfield, by=staff)
    run = validate_version(version.pk)
    assert run is not None
    step = run.steps.get(name="run")
    assert step.status == "passed", step.messages
    slow = step.artefacts["throttled"]
    assert slow["timed_out"] and slow["budget_s"] == 1 and slow["bytes"] > 0

    page = client.get(version.get_absolute_url()).content.decode()
    assert "in <code>/quiz/question.html</code>" in page
    assert f"not interactive within 1 s; {round(slow['bytes'] / 1024, 1)} KB had arrived" in page

    body = APIClient().get(f"/api/v1/versions/{version.pk}/validation/").json()
    run_step = next(s for s in body["run"]["steps"] if s["name"] == "run")
    found = run_step["artefacts"]["profiles"]["phone"]["accessibility"]
    assert {"id": "label", "frame": "/quiz/question.html"}.items() <= next(
        v for v in found if v["id"] == "label"
    ).items()
    assert run_step["artefacts"]["throttled"]["timed_out"] is True
    assert any(
        w.startswith("Not interactive within 1 s") for w in run_step["artefacts"]["warnings"]
    )


def test_version_page_and_api_show_a_flaky_profile_as_a_warning(
    content_runs, tmp_path, northfield, staff, client
):
    # The untrusted worker's part done here on a folder whose desktop settings are half there
    # on the first read only (tests/repository/validation/test_profiles.py says why a tool
    # cannot do that itself); its result is recorded as any worker's is.
    from repository.actions.validation import record_content_result
    from repository.models import ValidationRun
    from repository.validation import orders, untrusted
    from tests.repository.validation.test_profiles import (
        SETTINGS,
        first_read_differs,
        release_pipe,
        settings_tool,
        write_files,
    )

    files = settings_tool()
    package = build_zip(tmp_path / "moon.zip", files, manifest_data=explorable_manifest())
    version = deposit_package(package=package, institution=northfield, by=staff)
    validate_version(version.pk, queues={"checks"})  # checks done here, an order out for "run"
    run = ValidationRun.objects.get(version=version)
    order = orders.build_order(version, nonce=run.order_nonce, purpose="validation", fetch={})
    order["params"]["seed"] = 1  # seed 0's fuzz follows the footer link (test_profiles.check)
    root = write_files(tmp_path / "worker", files)
    settings_file = root / "data" / "settings-desktop.json"
    thread = first_read_differs(settings_file, SETTINGS["desktop"][:9], SETTINGS["desktop"])
    try:
        result = untrusted._run_tool(root, order, untrusted.DEFAULT_LIMITS)
    finally:
        release_pipe(settings_file, thread)
    record_content_result(run.order_nonce, result)

    step = ValidationRun.objects.get(pk=run.pk).steps.get(name="run")
    assert step.status == "passed", step.messages
    desktop = step.artefacts["profiles"]["desktop"]
    assert (desktop["runs"], desktop["failed_runs"]) == (2, 1)
    assert desktop["warnings"][0].startswith("flaky: failed 1 of 2 runs with the same seed")
    assert any("Desktop: loaded in" in m and "flaky: failed 1 of 2" in m for m in step.messages)

    page = client.get(version.get_absolute_url()).content.decode()
    assert '<dd class="warning flaky">flaky: failed 1 of 2 runs with the same seed' in page

    body = APIClient().get(f"/api/v1/versions/{version.pk}/validation/").json()
    run_step = next(s for s in body["run"]["steps"] if s["name"] == "run")
    api_desktop = run_step["artefacts"]["profiles"]["desktop"]
    assert api_desktop["warnings"][0] == desktop["warnings"][0]
    assert api_desktop["flaky"] and api_desktop["problems"] == []
    assert "flaky" not in run_step["artefacts"]["profiles"]["phone"]
