"""H5P and SCORM packages played on their version's origin: served by the site as validated."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from repository.actions.deposits import deposit_package
from repository.actions.forks import fork_version
from repository.models import Version, VersionFile
from repository.validation import browser, origins, players
from repository.validation.steps import check_package
from tests.factories import build_zip
from tests.packages import SCO_NEVER_STARTS_JS, h5p_package, scorm_package
from tests.worker import celery_worker, wait_for


def get(client, url: str):
    parts = urlsplit(url)
    response = client.get(parts.path or "/", HTTP_HOST=parts.netloc)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def written(root: Path, files: dict[str, bytes]) -> Path:
    for path, data in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    return root


def test_content_origin_serves_the_h5p_player_as_the_check_does(
    client, tmp_path, northfield, staff
):
    version = deposit_package(
        package=h5p_package(tmp_path / "quiz.h5p"), institution=northfield, by=staff
    )
    page_url = origins.url_of(version)
    assert page_url.endswith("/.remixbank/h5p/index.html")
    page, body = get(client, page_url)
    assert page.status_code == 200
    assert b"../h5p-standalone/main.bundle.js" in body
    assert "<title>Planètes : le quiz</title>".encode() in body
    root, root_body = get(client, origins.origin_of(version, preview=True) + "/")
    assert root.status_code == 200 and root_body == body
    # The browser check serves the same player files, from the order's folder, with the same headers.
    config = players.config_of(version.manifest)
    assert config is not None
    tree = written(tmp_path / "tree", players.player_files(config))
    origin = origins.origin_of(version, preview=True)
    run = browser._Run(tree, (), origin, players.launch_path(config, version.entry_point))
    for path in (
        ".remixbank/h5p/index.html",
        ".remixbank/h5p/player.js",
        ".remixbank/h5p-standalone/main.bundle.js",
        ".remixbank/h5p-standalone/styles/h5p.css",
        ".remixbank/h5p-standalone/fonts/open-sans/OFL.txt",
    ):
        status, checked, checked_body = run.answer(f"{origin}/{path}")
        served, served_body = get(client, f"{origin}/{path}")
        assert status == served.status_code == 200, path
        assert checked_body == served_body, path
        # A preview is never cached (the check's answers are those of the published origin).
        same = {name: served[name] for name in checked if name != "Cache-Control"}
        assert same == {k: v for k, v in checked.items() if k != "Cache-Control"}, path
    vendored = players.H5P_STANDALONE / "main.bundle.js"
    assert (
        get(client, f"{origin}/.remixbank/h5p-standalone/main.bundle.js")[1]
        == vendored.read_bytes()
    )
    # Only the player's own files: not SCORM's run-time, not the vendored folder's README.
    for path in ("scorm-again/scorm12.min.js", "h5p-standalone/README.md", "h5p/other.html"):
        assert get(client, f"{origin}/.remixbank/{path}")[0].status_code == 404, path


def test_content_origin_launches_the_first_sco_inside_the_runtime_page(
    client, tmp_path, northfield, staff
):
    version = deposit_package(
        package=scorm_package(tmp_path / "scorm.zip", "2004"), institution=northfield, by=staff
    )
    page, body = get(client, origins.url_of(version))
    assert page.status_code == 200
    assert b'"launch": "/sco/index.html"' in body
    assert b"../scorm-again/scorm2004.min.js" in body
    origin = origins.origin_of(version, preview=True)
    runtime, runtime_body = get(client, f"{origin}/.remixbank/scorm-again/scorm2004.min.js")
    assert runtime.status_code == 200
    assert runtime["Content-Type"] == "text/javascript; charset=utf-8"
    assert runtime["Content-Security-Policy"].startswith("sandbox allow-scripts allow-same-origin")
    assert runtime_body == (players.SCORM_AGAIN / "scorm2004.min.js").read_bytes()
    sco, _ = get(client, f"{origin}/sco/index.html")
    assert sco.status_code == 200


def test_a_plain_tool_has_no_player_folder(client, tmp_path, northfield, staff):
    version = deposit_package(
        package=build_zip(tmp_path / "tool.zip"), institution=northfield, by=staff
    )
    origin = origins.origin_of(version, preview=True)
    assert get(client, f"{origin}/.remixbank/h5p/index.html")[0].status_code == 404
    assert origins.url_of(version).endswith("/index.html")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_validates_h5p_and_scorm_by_running_them(
    tmp_path, northfield, staff, blob_folder, settings
):
    """One worker, four packages: the H5P quiz, SCORM 1.2 and 2004 SCOs that use their API
    properly, and a SCORM 1.2 SCO that never calls LMSInitialize."""
    settings.VALIDATION_RUN_CONTENT = True
    packages = {
        "h5p": h5p_package(tmp_path / "quiz.h5p"),
        "scorm-1.2": scorm_package(tmp_path / "s12.zip", "1.2"),
        "scorm-2004": scorm_package(tmp_path / "s2004.zip", "2004"),
        "never starts": scorm_package(tmp_path / "lazy.zip", "1.2", sco_js=SCO_NEVER_STARTS_JS),
    }
    with celery_worker(blob_dir=blob_folder, run_content=True):
        versions = {
            name: deposit_package(package=package, institution=northfield, by=staff)
            for name, package in packages.items()
        }

        def settled() -> bool:
            for version in versions.values():
                version.refresh_from_db()
            return all(
                v.state not in {Version.State.UPLOADED, Version.State.VALIDATING}
                for v in versions.values()
            )

        assert wait_for(settled, timeout=600), {n: v.state for n, v in versions.items()}
    steps = {name: v.validation_runs.get().steps.get(name="run") for name, v in versions.items()}
    for name in ("h5p", "scorm-1.2", "scorm-2004"):
        assert versions[name].state == Version.State.PUBLISHED, (name, steps[name].messages)
        assert steps[name].status == "passed"
        assert steps[name].artefacts["fuzz_actions"] > 0
        assert set(steps[name].artefacts["profiles"]) == {"desktop", "phone"}
    assert steps["h5p"].artefacts["player"] == {"format": "h5p", "instances": 1}
    calls_12 = [c["call"] for c in steps["scorm-1.2"].artefacts["player"]["calls"]]
    assert calls_12[0] == "LMSInitialize" and calls_12[-1] == "LMSFinish"
    assert {"LMSSetValue", "LMSCommit"} <= set(calls_12)
    assert any("found window.API and made" in m for m in steps["scorm-1.2"].messages)
    report_2004 = steps["scorm-2004"].artefacts["player"]
    assert report_2004["format"] == "scorm-2004" and report_2004["api"] is True
    assert [c["call"] for c in report_2004["calls"]][-1] == "Terminate"
    assert {
        "call": "SetValue",
        "args": ["cmi.completion_status", "incomplete"],
        "result": "true",
        "error": "0",
    } in report_2004["calls"]
    lazy = versions["never starts"]
    assert lazy.state == Version.State.FAILED
    assert steps["never starts"].status == "failed"
    assert any('never called LMSInitialize("")' in m for m in steps["never starts"].messages)
    assert steps["never starts"].artefacts["player"]["calls"] == []


def test_a_fork_of_an_h5p_version_plays_with_the_same_player(
    tmp_path, northfield, southbank, staff, outsider
):

    source = deposit_package(
        package=h5p_package(tmp_path / "quiz.h5p"), institution=northfield, by=staff
    )
    Version.objects.filter(pk=source.pk).update(state=Version.State.PUBLISHED)
    source.refresh_from_db()
    fork = fork_version(source, into=southbank, by=outsider)
    assert fork.manifest["package"] == source.manifest["package"]
    assert origins.url_of(fork).endswith("/.remixbank/h5p/index.html")
    assert check_package(fork).status == "passed", check_package(fork).messages


def test_package_step_fails_a_stored_h5p_tree_that_lost_a_library(tmp_path, northfield, staff):
    """A contribution or an older copy may drop a library: the stored tree is checked again."""
    version = deposit_package(
        package=h5p_package(tmp_path / "quiz.h5p"), institution=northfield, by=staff
    )
    assert check_package(version).status == "passed"
    VersionFile.objects.filter(
        version=version, path__startswith="H5P.RemixbankStyles-1.0/"
    ).delete()
    outcome = check_package(version)
    assert outcome.status == "failed"
    assert (
        "lacks 1 of the libraries its content needs: H5P.RemixbankStyles-1.0" in outcome.messages[0]
    )
    assert "nothing was stored" not in outcome.messages[0]


def test_package_step_fails_a_stored_scorm_tree_missing_a_file_its_manifest_names(
    tmp_path, northfield, staff
):

    version = deposit_package(
        package=scorm_package(tmp_path / "s.zip", "1.2"), institution=northfield, by=staff
    )
    VersionFile.objects.filter(version=version, path="common/leaf.svg").delete()
    outcome = check_package(version)
    assert outcome.status == "failed"
    assert "common/leaf.svg (resource res-shared)" in outcome.messages[0]


@pytest.mark.parametrize("path", [".remixbank/h5p/index.html", ".remixbank/h5p-standalone"])
def test_package_step_fails_a_stored_tree_with_files_in_the_player_folder(
    tmp_path, northfield, staff, path
):
    """A tree that reached storage some other way than a deposit's zip (a merge, an edit) with
    a file where the player is served: the content origin would hide it behind the player and
    the browser check would write the player over it (or fail to, where it is a file)."""
    version = deposit_package(
        package=h5p_package(tmp_path / "quiz.h5p"), institution=northfield, by=staff
    )
    some_blob = version.files.get(path="content/content.json").blob
    VersionFile.objects.create(version=version, path=path, blob=some_blob)
    outcome = check_package(version)
    assert outcome.status == "failed"
    assert f"{path!r} is in the folder .remixbank/" in outcome.messages[0]
