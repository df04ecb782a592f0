"""The web-tool check: a good tool passes; each hostile tool fails with a clear reason.

The tools are written by the tests. One browser host serves the whole module, as one serves a
worker process, so most tests also show that a bad tool leaves the next check unaffected.
"""

import os
import re
import socket
import time
from pathlib import Path

import pytest

from repository.validation import browser
from repository.validation.browser import BrowserHost, check_tool

PNG = b"\x89PNG\r\n\x1a\n"

GOOD_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>Pendulum</title><link rel="stylesheet" href="style.css">
</head><body><h1>Pendulum</h1><canvas id="plot" width="400" height="200"></canvas>
<button id="swing">Swing</button><input id="length" type="range" min="1" max="10">
<script src="js/app.js"></script></body></html>"""

GOOD_JS = """const ctx = document.getElementById('plot').getContext('2d');
let angle = 0.5;
function draw() {
  ctx.clearRect(0, 0, 400, 200);
  ctx.beginPath(); ctx.moveTo(200, 0);
  ctx.lineTo(200 + 150 * Math.sin(angle), 150 * Math.cos(angle)); ctx.stroke();
}
document.getElementById('swing').addEventListener('click', () => { angle = -angle; draw(); });
document.getElementById('length').addEventListener('input', draw);
document.addEventListener('keydown', draw);
draw();
"""

GOOD_TOOL = {"index.html": GOOD_HTML, "style.css": "h1 { color: navy }", "js/app.js": GOOD_JS}


def make_tool(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


def page(body: str, head: str = "") -> str:
    return (
        f'<!doctype html><html><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'
    )


def big_button(script: str) -> dict[str, str]:
    """A button filling the viewport, so the seeded fuzz cannot miss it."""
    button = '<button id="go" style="position:fixed;inset:0;width:100%;height:100%">Go</button>'
    return {"index.html": page(button + '<script src="app.js"></script>'), "app.js": script}


@pytest.fixture(scope="module")
def host():
    host = BrowserHost()
    yield host
    host.close()


def check(host: BrowserHost, root: Path, **options) -> browser.BrowserReport:
    """One check on the desktop profile alone (tests/repository/validation/test_profiles.py
    covers the phone and the throttled load)."""
    options.setdefault("fuzz_seconds", 0)
    options.setdefault("load_timeout_s", 5)
    options.setdefault("profiles", ["desktop"])
    options.setdefault("throttled", False)
    return check_tool(root, "index.html", host=host, **options)


def test_good_tool_passes_with_a_screenshot(host, tmp_path):
    root = make_tool(tmp_path, GOOD_TOOL)

    report = check(host, root, fuzz_seconds=1.0)

    assert report.problems == []
    assert report.passed
    assert report.screenshot and report.screenshot.startswith(PNG) and len(report.screenshot) > 1000
    assert report.fuzz_actions > 5
    assert report.bytes_transferred == sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    assert 0 < report.load_ms < 5000
    assert report.external_requests == [] and report.console_errors == []


def test_script_throwing_at_load_fails_with_the_place(host, tmp_path):
    root = make_tool(
        tmp_path,
        {
            "index.html": page('<p>Hi</p><script src="app.js"></script>'),
            "app.js": "const settings = undefined;\nsettings.speed = 3;\n",
        },
    )

    report = check(host, root)

    assert not report.passed
    assert report.problems == [
        "Uncaught TypeError: Cannot set properties of undefined (setting 'speed') (app.js line 2)"
    ]


def test_error_thrown_only_on_click_is_caught_by_the_fuzz(host, tmp_path):
    root = make_tool(
        tmp_path,
        big_button("document.getElementById('go').onclick = () => {\n  null.boom;\n};\n"),
    )

    assert check(host, root, fuzz_seconds=0).passed
    report = check(host, root, fuzz_seconds=1.0, seed=7)

    assert not report.passed
    assert report.problems == [
        "Uncaught TypeError: Cannot read properties of null (reading 'boom') (app.js line 2)"
    ]
    assert report.fuzz_actions > 0


def test_unhandled_promise_rejection_fails(host, tmp_path):
    root = make_tool(
        tmp_path,
        {
            "index.html": page(
                "<p>Hi</p><script>fetchData();\nasync function fetchData() {"
                " throw new Error('no data'); }</script>"
            )
        },
    )

    report = check(host, root)

    assert report.problems == ["Uncaught Error: no data (index.html line 2)"]


def test_console_error_fails(host, tmp_path):
    root = make_tool(
        tmp_path, {"index.html": page("<p>Hi</p><script>console.error('bad state', 42)</script>")}
    )

    report = check(host, root)

    assert report.console_errors == ["bad state 42 (index.html line 1)"]
    assert report.problems == ["Console error: bad state 42 (index.html line 1)"]


def test_script_from_a_cdn_is_blocked_and_reported(host, tmp_path):
    cdn = "https://cdn.example.com/lib.js"
    root = make_tool(tmp_path, {"index.html": page("<p>Hi</p>", f'<script src="{cdn}"></script>')})

    undeclared = check(host, root)
    declared = check(host, root, allowed_external=["https://cdn.example.com/"])

    assert undeclared.problems == [f"Blocked request to an external address: {cdn}"]
    assert undeclared.external_requests == [cdn]
    assert declared.passed and declared.external_requests == [cdn]
    assert declared.needs_network == [cdn]
    assert declared.warnings[0] == f"This tool needs {cdn}, which validation cannot reach"


def test_web_socket_is_refused_and_reported(host, tmp_path):
    root = make_tool(
        tmp_path,
        {"index.html": page("<p>Hi</p><script>new WebSocket('ws://203.0.113.5:8080/')</script>")},
    )

    report = check(host, root)

    assert "ws://203.0.113.5:8080/" in report.external_requests
    assert "Blocked request to an external address: ws://203.0.113.5:8080/" in report.problems


def test_page_that_never_finishes_loading_fails_and_the_next_check_works(host, tmp_path):
    hang = make_tool(
        tmp_path / "hang", {"index.html": page("<p>Hi</p><script>while (true) {}</script>")}
    )
    good = make_tool(tmp_path / "good", GOOD_TOOL)

    report = check(host, hang, load_timeout_s=2)

    assert not report.passed
    assert report.problems[0] == "The page did not finish loading within 2 s"
    assert "The page stopped responding: a script seems to be stuck in a loop" in report.problems
    assert check(host, good).passed


def test_page_that_hangs_on_click_fails_during_the_fuzz(host, tmp_path):
    root = make_tool(
        tmp_path, big_button("document.getElementById('go').onmousedown = () => { for (;;) {} };")
    )

    report = check(host, root, fuzz_seconds=1.0, seed=3)

    assert len(report.problems) == 1
    assert report.problems[0].startswith(
        f"The page stopped responding during the fuzz (seed {browser.profile_seed(3, 'desktop')}, action "
    )


def test_check_missing_its_deadline_is_killed_and_the_host_restarts(host, tmp_path, monkeypatch):
    # Shrink the deadline below the host's own bounds, so the outer kill is what stops the check.
    hang = make_tool(tmp_path / "hang", {"index.html": page("<script>while (true) {}</script>")})
    good = make_tool(tmp_path / "good", GOOD_TOOL)
    check(host, good)  # the host is running, so no launch allowance is added
    old_scratch, restarts = host._scratch, host.restarts
    # Two runs of 4 s load and 0.25 s settle each (a failure is run again), less 7.5 s: 1 s.
    monkeypatch.setattr(browser, "CLEANUP_ALLOWANCE_S", -7.5)

    report = check(host, hang, load_timeout_s=4)

    assert report.problems == [
        "The check did not finish within 1 s and was stopped: the page hangs the browser"
    ]
    assert host.restarts == restarts + 1
    assert _gone(old_scratch), "browser processes were left behind"
    monkeypatch.undo()
    assert check(host, good).passed


def test_pop_up_windows_are_recorded_never_followed_nor_failed(host, tmp_path):
    root = make_tool(
        tmp_path,
        {
            "index.html": page(
                "<p>Hi</p><script>window.open('https://phish.example/login')</script>"
            )
        },
    )

    report = check(host, root)

    assert report.problems == []
    assert "https://phish.example/login" in report.external_requests


def test_leaving_the_page_fails(host, tmp_path):
    root = make_tool(
        tmp_path,
        {
            "index.html": page(
                "<p>Hi</p><script>setTimeout(() => location.href = 'https://phish.example/', 0)</script>"
            )
        },
    )

    report = check(host, root)

    assert report.problems[0] == (
        "The tool tried to leave its page for an external address: https://phish.example/"
    )


def test_webrtc_sends_nothing_out_of_the_browser(host, tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as listener:
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        script = f"""const pc = new RTCPeerConnection({{iceServers: [{{urls: 'stun:127.0.0.1:{port}'}}]}});
pc.createDataChannel('leak');
pc.createOffer().then(offer => pc.setLocalDescription(offer));"""
        root = make_tool(tmp_path, {"index.html": page(f"<p>Hi</p><script>{script}</script>")})

        report = check(host, root, fuzz_seconds=1.0)

        listener.settimeout(0.5)
        with pytest.raises(TimeoutError):
            listener.recv(2048)
    assert report.passed


def test_self_test_finds_no_way_out(host):
    assert browser.self_test(host) == []


def test_self_test_sees_the_escapes_of_a_browser_outside_the_namespace():
    # The probes must be able to fail, or an empty self-test would prove nothing.
    outside = BrowserHost(netns=False)
    try:
        escapes = browser.self_test(outside)
    finally:
        outside.close()

    assert any(e.startswith("A WebRTC STUN packet reached") for e in escapes)
    assert any(e.startswith("A TCP connection reached") for e in escapes)


def test_missing_package_file_fails(host, tmp_path):
    root = make_tool(tmp_path, {"index.html": page('<p>Hi</p><img src="img/missing.png">')})

    report = check(host, root)

    assert report.problems == ["Request for a file not in the package: img/missing.png"]
    assert report.console_errors == []  # Chromium's own "Failed to load resource" is not repeated


def test_blank_page_fails(host, tmp_path):
    root = make_tool(tmp_path, {"index.html": page("<div></div>")})

    report = check(host, root)

    assert report.problems == ["The page is blank"]
    assert report.screenshot and report.screenshot.startswith(PNG)


def test_links_out_of_the_package_are_not_followed(host, tmp_path):
    script = """for (const path of ['passwd', 'etc/passwd']) {
  fetch(path).then(r => r.text()).then(t => { if (t.includes('root:')) console.error('LEAKED'); });
}"""
    root = make_tool(tmp_path, {"index.html": page(f"<p>Hi</p><script>{script}</script>")})
    (root / "passwd").symlink_to("/etc/passwd")
    (root / "etc").symlink_to("/etc")

    report = check(host, root)

    assert sorted(report.problems) == [
        "Refused to serve etc/passwd: it points outside the package",
        "Refused to serve passwd: it points outside the package",
    ]
    assert report.bytes_transferred == len((root / "index.html").read_bytes())


def test_host_is_recycled_after_its_quota_of_checks(tmp_path):
    root = make_tool(tmp_path, {"index.html": page("<p>Hi</p>")})
    small = BrowserHost(max_checks=1)
    try:
        assert check(small, root).passed
        assert check(small, root).passed
        assert small.restarts == 2
    finally:
        small.close()


def test_browser_release_names_debian_chromium():
    assert re.fullmatch(r"chromium-\d+\.\d+\.\d+\.\d+", browser.browser_release())


def _gone(text: str) -> bool:
    """Whether every process whose command line mentions `text` has ended (within 3 s)."""
    deadline = time.monotonic() + 3
    while _processes_mentioning(text):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if text.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _descendants(pid: int) -> list[int]:
    import subprocess

    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    ).stdout
    found = [int(p) for p in out.split()]
    return found + [d for child in found for d in _descendants(child)]


def test_chromium_and_its_sandbox_start_from_an_empty_environment(monkeypatch):
    canary = "canary-secret-3a9c"
    monkeypatch.setenv("SECRET_KEY", canary)
    monkeypatch.setenv("DATABASE_URL", f"postgres://u:{canary}@db/remixbank")
    host = BrowserHost()
    try:
        assert host._call({"op": "ping"}, 60) is not None  # starts the host and its Chromium
        assert host._proc is not None
        family = [host._proc.pid, *_descendants(host._proc.pid)]
        names = set()
        for pid in family:
            try:
                raw = Path(f"/proc/{pid}/environ").read_bytes()
                names.add(Path(f"/proc/{pid}/comm").read_text().strip())
            except (FileNotFoundError, ProcessLookupError):
                continue
            assert canary.encode() not in raw, f"process {pid} holds the secret"
            assert b"SECRET_KEY=" not in raw and b"DATABASE_URL=" not in raw
        assert {"bwrap", "chromium"} & names, names  # the probe reached the browser itself
    finally:
        host.close()
