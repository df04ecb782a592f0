"""The browser check on more than one device: desktop and phone profiles, the slow-3G load,
axe-core inside the tool, repeatable fuzzing, flaky failures, and what needs the network.

The tools are written by the tests; one browser host serves the module, as one serves a worker.
"""

import io
from pathlib import Path

import pytest
from PIL import Image

from repository.validation import browser
from repository.validation.browser import BrowserHost, check_tool
from tests.repository.validation.test_browser import GOOD_TOOL, make_tool, page


@pytest.fixture(scope="module")
def host():
    host = BrowserHost()
    yield host
    host.close()


def check(host: BrowserHost, root: Path, **options) -> browser.BrowserReport:
    options.setdefault("fuzz_seconds", 0.5)
    options.setdefault("load_timeout_s", 5)
    return check_tool(root, "index.html", host=host, **options)


def size_of(png: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(png)) as image:
        return image.size


def test_good_tool_is_reported_per_profile_and_over_slow_3g(host, tmp_path):
    root = make_tool(tmp_path, GOOD_TOOL)
    total = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())

    report = check(host, root)

    assert report.passed, report.problems
    assert list(report.profiles) == ["desktop", "phone"]
    desktop, phone = report.profiles["desktop"], report.profiles["phone"]
    assert size_of(desktop["screenshot"]) == (1280, 800)
    assert size_of(phone["screenshot"]) == (390, 844)  # in CSS pixels, whatever the pixel ratio
    for profile in (desktop, phone):
        assert profile["loaded"] and profile["problems"] == []
        assert profile["bytes"] == total and 0 < profile["load_ms"] < 5000
        assert profile["fuzz_actions"] == 10 == len(profile["actions"])
        assert profile["runs"] == 1 and profile["failed_runs"] == 0
    assert any(a.startswith("tap at") for a in phone["actions"])
    assert not any(a.startswith("tap at") for a in desktop["actions"])
    slow = report.throttled
    assert slow["loaded"] and slow["bytes"] == total and slow["profile"] == "phone"
    # Three files, each behind a 400 ms round trip: HTML first, then its style and script.
    assert slow["interactive_ms"] >= 800
    assert slow["network"] == "slow 3G (400 kbit/s, 400 ms round trip)"


def test_same_seed_gives_the_same_actions_and_another_seed_others(host, tmp_path):
    root = make_tool(tmp_path, GOOD_TOOL)

    first = check(host, root, seed=11, throttled=False)
    again = check(host, root, seed=11, throttled=False)
    other = check(host, root, seed=12, throttled=False)

    for name in ("desktop", "phone"):
        assert first.profiles[name]["actions"] == again.profiles[name]["actions"]
        assert first.profiles[name]["seed"] == browser.profile_seed(11, name)
        assert first.profiles[name]["actions"] != other.profiles[name]["actions"]
    assert first.profiles["desktop"]["seed"] != first.profiles["phone"]["seed"]
    assert first.problems == again.problems == [] and first.warnings == again.warnings


def test_tool_that_loops_only_on_the_phone_fails_there_by_name(host, tmp_path):
    hang = make_tool(
        tmp_path / "hang",
        {
            "index.html": page(
                "<h1>Fractions</h1><script>"
                "if (matchMedia('(pointer: coarse)').matches) { while (true) {} }</script>"
            )
        },
    )

    report = check(host, hang, load_timeout_s=2, throttled=False)

    assert not report.passed
    assert report.profiles["desktop"]["problems"] == []
    assert report.profiles["desktop"]["loaded"]
    assert not report.profiles["phone"]["loaded"]
    assert report.problems[0] == "Phone (390×844): The page did not finish loading within 2 s"  # noqa: RUF001
    assert all(p.startswith("Phone (390×844): ") for p in report.problems)  # noqa: RUF001
    assert report.profiles["phone"]["failed_runs"] == report.profiles["phone"]["runs"] == 2
    # The host answered in time, so the next check runs on it as before.
    assert check(host, make_tool(tmp_path / "good", GOOD_TOOL), throttled=False).passed


def test_failure_that_does_not_come_back_with_its_seed_is_flaky_not_failed(host, tmp_path):
    # Its randomness is the browser's own (crypto), which no seed of ours reaches: half the
    # loads throw. A check fails it only when the re-run with the same seed fails too.
    root = make_tool(
        tmp_path,
        {
            "index.html": page(
                "<h1>Dice</h1><script>\n"
                "if (crypto.getRandomValues(new Uint8Array(1))[0] < 128) {\n"
                "  throw new Error('unlucky roll');\n}</script>"
            )
        },
    )
    seen_flaky = False
    for _ in range(30):
        report = check(host, root, fuzz_seconds=0, profiles=["desktop"], throttled=False)
        desktop = report.profiles["desktop"]
        if desktop["runs"] == 1:
            assert report.passed and desktop["failed_runs"] == 0
        elif desktop["failed_runs"] == 2:
            assert report.problems == ["Uncaught Error: unlucky roll (index.html line 3)"]
        else:
            assert report.passed and report.problems == []
            assert report.warnings[0] == (
                f"flaky: failed 1 of 2 runs with the same seed ({desktop['seed']}), so it is "
                "not counted: Uncaught Error: unlucky roll (index.html line 3)"
            )
            assert desktop["flaky"] == ["Uncaught Error: unlucky roll (index.html line 3)"]
            seen_flaky = True
            break
    assert seen_flaky, "in 30 checks no first run failed while its re-run passed"


def test_serious_accessibility_problems_are_warnings_on_each_profile(host, tmp_path):
    root = make_tool(
        tmp_path,
        {
            "index.html": '<!doctype html><html><head><meta charset="utf-8"></head><body>'
            '<h1>Moon phases</h1><button id="next"></button><img src="moon.svg"></body></html>',
            "moon.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">'
            '<circle cx="20" cy="20" r="18"/></svg>',
        },
    )

    report = check(host, root, throttled=False)

    assert report.passed
    for name in ("desktop", "phone"):
        found = {v["id"]: v for v in report.profiles[name]["accessibility"]}
        assert {"button-name", "image-alt", "html-has-lang", "document-title"} <= set(found)
        assert found["button-name"]["impact"] == "critical" and found["button-name"]["nodes"] == 1
        assert found["button-name"]["where"] == ["#next"]
    assert (
        "Accessibility (critical): Buttons must have discernible text [button-name], 1 element: #next"
        in report.warnings
    )


def test_declared_external_script_is_named_instead_of_the_error_it_causes(host, tmp_path):
    cdn = "https://cdn.example.org/chart.umd.js"
    root = make_tool(
        tmp_path,
        {
            "index.html": page(
                "<h1>Rainfall</h1><canvas id='c'></canvas>"
                "<script>\nnew Chart(document.getElementById('c'), {});\n</script>",
                f'<script src="{cdn}"></script>',
            )
        },
    )

    declared = check(host, root, allowed_external=["https://cdn.example.org/"], throttled=False)
    undeclared = check(host, root, profiles=["desktop"], throttled=False)

    assert declared.passed and declared.problems == []
    assert declared.needs_network == [cdn]
    assert declared.warnings[0] == f"This tool needs {cdn}, which validation cannot reach"
    assert "ReferenceError: Chart is not defined" in declared.warnings[1]
    assert "not counted against the tool" in declared.warnings[1]
    assert undeclared.problems == [
        f"Blocked request to an external address: {cdn}",
        "Uncaught ReferenceError: Chart is not defined (index.html line 2)",
    ]
