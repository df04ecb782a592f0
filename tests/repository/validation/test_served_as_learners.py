"""The browser check serves a tool as the content origin serves it to learners, and such a tool works.

Both sides build their headers with `repository.validation.serving`; these tests show the
browser check really answers with them (a realistic tool using same-origin features passes in
the real checking browser) and that the two sides answer a file with the same headers.
"""

from pathlib import Path

import pytest

from repository.validation import browser, origins, serving
from repository.validation.browser import BrowserHost, check_tool
from tests.factories import CREDIT_LINKS, features_tool_files, stored_version


def write_tree(folder: Path, files: dict[str, bytes]) -> Path:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return folder


@pytest.fixture(scope="module")
def host():
    host = BrowserHost()
    yield host
    host.close()


ORIGIN = serving.version_origin("v", 42, content_origin="http://localhost:8001", key=b"test")


def test_tool_using_its_own_origin_passes_the_check_at_a_version_origin(host, tmp_path):
    root = write_tree(tmp_path, features_tool_files())

    report = check_tool(
        root, "index.html", host=host, origin=ORIGIN, fuzz_seconds=0.5, load_timeout_s=10
    )

    assert report.problems == [], report.problems
    assert report.passed
    assert report.screenshot is not None
    # The fuzz may click a credit's link: recorded, never followed, never a problem.
    assert set(report.external_requests) <= set(CREDIT_LINKS)


def test_check_reports_a_tool_that_reaches_for_an_opaque_origin_only_feature(host, tmp_path):
    # Served at its own origin the page's origin is that origin, not "null": a tool that
    # insists on being sandboxed away from storage is told so (and shows the origin it saw).
    files = {
        "index.html": b'<!doctype html><meta charset="utf-8"><title>o</title><p>o</p><script>'
        b"if (self.origin !== 'null') throw new Error('served at ' + self.origin);</script>"
    }
    report = check_tool(write_tree(tmp_path, files), "index.html", host=host, origin=ORIGIN)
    assert not report.passed
    assert any(f"served at {ORIGIN}" in p for p in report.problems), report.problems


def test_check_and_content_origin_answer_a_file_with_the_same_headers(client, tmp_path, db):
    files = features_tool_files()
    version = stored_version(files)
    origin = origins.origin_of(version)
    run = browser._Run(write_tree(tmp_path, files), (), origin, "index.html")
    for path in ("index.html", "frames/inner.html", "js/main.mjs", "fonts/DejaVuSansMono.ttf"):
        status, checked, _ = run.answer(f"{origin}/{path}")
        served = client.get(f"/{path}", HTTP_HOST=origin.split("//", 1)[1])
        assert status == served.status_code == 200
        learners = {name: served[name] for name in checked}
        if served.streaming:
            served.close()
        assert learners == checked, path
    assert run.answer(f"{origin}/missing.js")[1] == serving.missing_headers()
    # A folder: without an index.html, not found on both sides; with one, moved to its slash.
    assert run.answer(f"{origin}/frames")[0] == 404
    (tmp_path / "frames" / "index.html").write_bytes(b"<p>frames</p>")
    folder = run.answer(f"{origin}/frames")
    assert folder[0] == 301 and folder[1]["Location"] == "/frames/"
