"""The licence and content validation steps, on real deposited versions."""

import pytest

from repository.actions.deposits import deposit_package
from repository.actions.forks import fork_version
from repository.actions.validation import validate_version
from repository.errors import PackageRefused
from repository.models import Derivation, Version
from repository.validation.steps import check_content, check_licence
from tests.factories import build_zip, manifest, stored_version, tool_files, validated

CC_BY_NC_DEED = b"This work is licensed under https://creativecommons.org/licenses/by-nc/4.0/\n"


def deposit(tmp_path, northfield, staff, files=None, **manifest_overrides):
    package = build_zip(tmp_path / "p.zip", files, manifest_data=manifest(**manifest_overrides))
    return deposit_package(package=package, institution=northfield, by=staff)


def test_licence_file_that_disagrees_with_the_manifest_is_refused_saying_which_wins(
    tmp_path, northfield, staff, blob_folder
):
    with pytest.raises(PackageRefused) as refused:
        deposit(tmp_path, northfield, staff, tool_files(LICENSE=CC_BY_NC_DEED))
    message = refused.value.message
    assert (
        "LICENSE names CC-BY-NC-4.0, but remixbank.json says the package as a whole is CC-BY-SA-4.0"
        in message
    )
    assert "remixbank.json wins" in message
    assert "replace LICENSE with the text of CC BY-SA 4.0" in message
    assert not Version.objects.exists()
    assert not [p for p in blob_folder.rglob("*") if p.is_file()]


def test_a_stored_version_whose_licence_file_disagrees_fails_the_licence_step(db):
    version = stored_version(
        {**tool_files(), "LICENSE": CC_BY_NC_DEED}, licence="CC-BY-SA-4.0", state="uploaded"
    )
    outcome = check_licence(version)
    assert outcome.status == "failed"
    assert "LICENSE names CC-BY-NC-4.0, but remixbank.json says" in outcome.messages[0]


def test_licence_file_that_agrees_passes(tmp_path, northfield, staff):
    version = deposit(
        tmp_path, northfield, staff, tool_files(LICENSE=CC_BY_NC_DEED), license="CC-BY-NC-4.0"
    )
    assert check_licence(version).status == "passed"


def test_derived_work_must_carry_a_licence_its_sources_allow(
    tmp_path, northfield, staff, southbank, outsider
):
    source = deposit(tmp_path, northfield, staff)
    validated(source.pk)
    source.refresh_from_db()
    fork = fork_version(source, into=southbank, by=outsider)
    assert check_licence(fork).status == "passed"
    # A version recorded as derived from a BY-NC-SA work while carrying BY-SA breaks the rules.
    nc_source = deposit(tmp_path, northfield, staff, license="CC-BY-NC-SA-4.0")
    Derivation.objects.create(child=fork, parent=nc_source, kind=Derivation.Kind.REMIX)
    outcome = check_licence(fork)
    assert outcome.status == "failed"
    assert "BY-NC-SA" in outcome.messages[0]


def test_undeclared_external_script_fails_the_content_step(tmp_path, northfield, staff):
    page = b'<!doctype html><script src="https://cdn.example.com/lib.js"></script><p>x</p>'
    version = deposit(tmp_path, northfield, staff, {"index.html": page})
    outcome = check_content(version)
    assert outcome.status == "failed"
    assert outcome.messages[0].startswith(
        "index.html:1: loads https://cdn.example.com/lib.js (script) from outside the package"
    )
    assert "external_resources" in outcome.messages[0]


def test_declared_external_resource_is_reported_not_failed(tmp_path, northfield, staff):
    page = b'<!doctype html><link rel="stylesheet" href="//fonts.example.org/a.css"><p>x</p>'
    version = deposit(
        tmp_path,
        northfield,
        staff,
        {"index.html": page},
        external_resources=["//fonts.example.org/a.css"],
    )
    outcome = check_content(version)
    assert outcome.status == "passed"
    assert "Needs the network: //fonts.example.org/a.css (index.html:1)." in outcome.messages
    assert outcome.artefacts["needs_network"] == [
        {"url": "//fonts.example.org/a.css", "kind": "stylesheet", "found_in": ["index.html:1"]}
    ]


def test_html_in_metadata_is_reported_as_shown_as_text(tmp_path, northfield, staff):
    version = deposit(tmp_path, northfield, staff, title="<b>Bold</b> title")
    outcome = check_content(version)
    assert outcome.status == "passed"
    assert "title contains HTML; it is shown as plain text" in outcome.messages[0]


def test_failed_content_step_fails_the_version(tmp_path, northfield, staff):
    page = b'<!doctype html><script src="http://evil.example/x.js"></script>'
    version = deposit(tmp_path, northfield, staff, {"index.html": page})
    run = validate_version(version.pk)
    assert run is not None
    version.refresh_from_db()
    assert version.state == Version.State.FAILED
    assert [s.name for s in run.steps.all()] == ["package", "licence", "content"]


def test_run_steps_are_recorded_as_skipped_and_the_run_not_run_when_content_runs_are_off(
    tmp_path, northfield, staff
):
    from repository.actions.deposits import deposit_package
    from repository.management.commands.load_demo import (
        SCENARIO_DIR,
        scenario_manifest,
        zip_folder,
    )

    package = zip_folder(SCENARIO_DIR, tmp_path / "scenario.zip", scenario_manifest())
    version = deposit_package(package=package, institution=northfield, by=staff)
    run = validate_version(version.pk)
    assert run is not None
    assert run.steps.get(name="run").status == "skipped"
    assert run.state == "not_run"


def test_the_package_step_checks_a_scenario_file_without_running_it(tmp_path, northfield, staff):
    """A starter that is not there fails the package step at once, saying what to fix."""
    import shutil

    from repository.actions.deposits import deposit_package
    from repository.actions.validation import validate_version
    from repository.management.commands.load_demo import (
        SCENARIO_DIR,
        scenario_manifest,
        zip_folder,
    )

    folder = tmp_path / "scenario"
    shutil.copytree(SCENARIO_DIR, folder)
    (folder / "student_controller.py").unlink()
    package = zip_folder(folder, tmp_path / "scenario.zip", scenario_manifest())
    version = deposit_package(package=package, institution=northfield, by=staff)
    run = validate_version(version.pk)
    assert run is not None
    step = run.steps.get(name="package")
    assert step.status == "failed"
    assert any(
        m.startswith("hill_tracker.json: ") and "student_controller.py" in m for m in step.messages
    ), step.messages
    assert not run.steps.filter(name="run").exists()


def test_a_scenario_file_that_is_an_empty_object_fails_the_package_step_readably(
    tmp_path, northfield, staff
):
    from repository.management.commands.load_demo import (
        SCENARIO_DIR,
        scenario_manifest,
        zip_folder,
    )

    manifest_data = scenario_manifest()
    assert manifest_data is not None
    folder = tmp_path / "scenario"
    folder.mkdir()
    for path in SCENARIO_DIR.iterdir():
        if path.is_file():
            (folder / path.name).write_bytes(path.read_bytes())
    (folder / manifest_data["entry_point"]).write_bytes(b"{}")
    package = zip_folder(folder, tmp_path / "empty.zip", manifest_data)
    version = deposit_package(package=package, institution=northfield, by=staff)
    run = validate_version(version.pk)
    assert run is not None
    version.refresh_from_db()
    assert version.state == Version.State.FAILED
    step = run.steps.get(name="package")
    assert step.status == "failed"
    message = step.messages[0]
    assert message.startswith(f"{manifest_data['entry_point']}: ")
    assert "schema_version" in message, message  # names the first required field it lacks
    assert not run.steps.filter(name="run").exists()  # checked without running anything


def test_a_real_tools_credits_share_buttons_and_declared_font_pass_the_content_step(
    tmp_path, northfield, staff
):
    files = realistic_tool()
    version = deposit(tmp_path, northfield, staff, files, **REALISTIC_MANIFEST)
    outcome = check_content(version)
    assert outcome.status == "passed", outcome.messages
    report = outcome.artefacts
    needs = {item["url"]: item["found_in"] for item in report["needs_network"]}
    assert needs == {
        "https://fonts.example.com/css2?family=Atkinson": ["css/site.css:1"],
        "https://fonts.example.com/atkinson.woff2": ["css/site.css:4"],
    }
    links = {item["url"] for item in report["links"]}
    assert "https://en.wikipedia.org/wiki/Orbit" in links
    assert "https://twitter.com/intent/tweet?text=Orbits" in links  # a share button: never loaded
    assert report["link_count"] == len(links) >= 40
    assert report["undeclared"] == []
    assert report["not_scanned"] == []
    # Not one of the 190 files' comments, hyperlinks or script mentions failed the step.
    assert not any("comment.example" in item["url"] for item in report["links"])


def test_undeclared_loads_fail_naming_file_line_url_and_the_fix(tmp_path, northfield, staff):
    files = realistic_tool()
    files["js/data.js"] += b'\nfetch("https://api.example.org/v1/planets.json")\n'
    files["index.html"] = files["index.html"].replace(
        b"</body>", b'<img srcset="https://img.example.net/a.jpg 1x, local.jpg 2x">\n</body>'
    )
    version = deposit(tmp_path, northfield, staff, files, **REALISTIC_MANIFEST)
    outcome = check_content(version)
    assert outcome.status == "failed"
    failing = {item["url"]: item for item in outcome.artefacts["undeclared"]}
    assert set(failing) == {
        "https://api.example.org/v1/planets.json",
        "https://img.example.net/a.jpg",
    }
    assert failing["https://api.example.org/v1/planets.json"]["kind"] == "fetch"
    lines = files["js/data.js"].count(b"\n")
    assert f"js/data.js:{lines}: loads https://api.example.org/v1/planets.json (fetch)" in (
        outcome.messages[0] + outcome.messages[1]
    )
    assert all("external_resources" in m and "relative path" in m for m in outcome.messages)


def test_a_file_too_big_to_scan_is_reported_not_scanned(tmp_path, northfield, staff, monkeypatch):
    from repository.validation import steps

    monkeypatch.setattr(steps, "TEXT_SCAN_LIMIT", 4096)
    files = {**tool_files(), "js/big.js": b"var x = 1;\n" * 1000}
    version = deposit(tmp_path, northfield, staff, files)
    outcome = check_content(version)
    assert outcome.status == "passed"
    assert outcome.artefacts["not_scanned"] == [{"path": "js/big.js", "size": 11000, "limit": 4096}]
    assert "js/big.js: not scanned (size 11000 bytes > limit 4096 bytes)" in " ".join(
        outcome.messages
    )


MIT_TEXT = b"""MIT License

Copyright (c) 2021 Mathlib authors

Permission is hereby granted, free of charge, to any person obtaining a copy of this software
and associated documentation files (the "Software"), to deal in the Software without
restriction, including without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED.
"""
# The vendored library keeps its own licence beside the CC-licensed rest.
REALISTIC_MANIFEST = {
    "external_resources": ["https://fonts.example.com/"],
    "third_party": [
        {
            "name": "mathlib",
            "version": "1.0.0",
            "license": "MIT",
            "copyright": "2021 Mathlib authors",
            "paths": ["js/vendor/**"],
            "license_file": "js/vendor/LICENSE",
        }
    ],
}


def realistic_tool() -> dict[str, bytes]:
    """An explorable of 190 files: credits full of links, share buttons, srcset, fonts, CSS with
    quoted and escaped url()s, inline styles, scripts that fetch their own JSON, comments
    holding URLs, and a vendored library."""
    credits = "\n".join(
        f'<li><a href="https://en.wikipedia.org/wiki/Topic_{i}">Topic {i}</a> by '
        f'<a href="https://people.example.edu/~author{i}/">Author {i}</a></li>'
        for i in range(20)
    )
    index = f"""<!doctype html>
<html lang="es"><head><meta charset="utf-8"><title>Órbitas</title>
<link rel="stylesheet" href="css/site.css">
<link rel="license" href="https://creativecommons.org/licenses/by/4.0/">
<link rel="preconnect" href="https://fonts.example.com">
<!-- the old CDN copy: <script src="https://comment.example/jquery.js"></script> -->
<script type="module" src="js/main.js"></script>
</head><body>
<h1 style="background: url('img/banner.png') no-repeat">Órbitas y gravedad</h1>
<picture><source srcset="img/orbit.webp 1x, img/orbit@2x.webp 2x" type="image/webp">
<img src="img/orbit.png" srcset="img/orbit.png 1x, img/orbit@2x.png 2x" alt="Órbita"></picture>
<a href="https://en.wikipedia.org/wiki/Orbit">Orbit</a>
<button onclick="window.open('https://twitter.com/intent/tweet?text=Orbits')">Share</button>
<a href="https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fexample.org">Share</a>
<form action="https://example.org/feedback"><button>Feedback</button></form>
<ul class="credits">{credits}</ul>
</body></html>""".encode()
    css = rb"""@import url("https://fonts.example.com/css2?family=Atkinson");
@font-face {
  font-family: "Atkinson";
  src: url('https://fonts.example.com/atkinson.woff2') format("woff2"), url(../fonts/local.woff2);
}
/* background: url(https://comment.example/old.png); */
.star { background-image: url("../img/st\61r.png"); }
h1::after { content: "https://not-a-url-just-text.example"; }
"""
    main = rb"""// Loads our own data; see https://comment.example/docs for the format.
import { draw } from "./draw.js";
const DATA = "data/planets.json";
fetch(DATA).then((r) => r.json()).then(draw);
/* fetch("https://comment.example/api") was the old way */
const credit = "https://creativecommons.org/licenses/by/4.0/";
document.querySelector("#share").addEventListener("click", () => {
  window.open("https://twitter.com/intent/tweet?text=" + encodeURIComponent(document.title));
});
var ratio = 3 / 4, re = /https?:\/\/comment\.example\//g;
"""
    files = {
        "index.html": index,
        "css/site.css": css,
        "js/main.js": main,
        "js/draw.js": b"export function draw(d) { console.log(d.length); }\n",
        "js/data.js": b"export const planets = ['Mercurio', 'Venus'];",
        "data/planets.json": '[{"name": "Júpiter"}]'.encode(),
        "js/vendor/mathlib.min.js": b"/*! mathlib MIT https://comment.example/mathlib */"
        b"!function(){var a=1/2,b=/x\\/y/g;return a}();",
        "js/vendor/LICENSE": MIT_TEXT,
    }
    for i in range(182):
        files[f"img/frame-{i:03}.svg"] = (
            f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            f'<a xlink:href="https://en.wikipedia.org/wiki/Frame_{i % 7}"><circle r="{i}"/></a>'
            f"</svg>"
        ).encode()
    assert len(files) == 190
    return files
