"""What a web-tool check costs: a cold host against a warm one, with and without the fuzz."""

import statistics
import tempfile
import time
from pathlib import Path

from repository.validation import browser

TOOL = {
    "index.html": """<!doctype html><html><head><meta charset="utf-8"><title>Pendulum</title>
<link rel="stylesheet" href="style.css"></head><body><h1>Pendulum</h1>
<canvas id="plot" width="400" height="200"></canvas><button id="swing">Swing</button>
<input id="length" type="range" min="1" max="10"><script src="app.js"></script></body></html>""",
    "style.css": "h1 { color: navy } canvas { border: 1px solid #ccc }",
    "app.js": """const ctx = document.getElementById('plot').getContext('2d');
let angle = 0.5;
function draw() {
  ctx.clearRect(0, 0, 400, 200); ctx.beginPath(); ctx.moveTo(200, 0);
  ctx.lineTo(200 + 150 * Math.sin(angle), 150 * Math.cos(angle)); ctx.stroke();
}
document.getElementById('swing').addEventListener('click', () => { angle = -angle; draw(); });
document.getElementById('length').addEventListener('input', draw);
draw();""",
}


def _timed(host: browser.BrowserHost, root: Path, fuzz_seconds: float) -> tuple[float, float]:
    started = time.perf_counter()
    report = browser.check_tool(root, "index.html", fuzz_seconds=fuzz_seconds, host=host)
    assert report.passed, report.problems
    return time.perf_counter() - started, report.load_ms


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    print(f"browser: {browser.browser_release()}")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, text in TOOL.items():
            (root / name).write_text(text)

        cold = []
        for _ in range(3):
            host = browser.BrowserHost()
            cold.append(_timed(host, root, 0)[0])
            host.close()
        print(
            f"cold check, no fuzz (host process + Chromium launch + check), 3 runs: "
            f"median {statistics.median(cold):.2f} s, max {max(cold):.2f} s"
        )

        host = browser.BrowserHost()
        _timed(host, root, 0)
        warm = [_timed(host, root, 0) for _ in range(10)]
        walls, loads = [w for w, _ in warm], [lm for _, lm in warm]
        print(
            f"warm check, no fuzz, 10 runs: p50 {_p(walls, 0.5):.2f} s, p95 {_p(walls, 0.95):.2f} s; "
            f"bare page load p50 {_p(loads, 0.5):.0f} ms"
        )

        fuzzed = [_timed(host, root, 3.0) for _ in range(5)]
        walls = [w for w, _ in fuzzed]
        print(
            f"warm check with the default 3 s fuzz, 5 runs: p50 {_p(walls, 0.5):.2f} s, "
            f"p95 {_p(walls, 0.95):.2f} s -> {60 / statistics.mean(walls):.0f} checks/min "
            f"per worker process"
        )

        started = time.perf_counter()
        escapes = browser.self_test(host)
        print(
            f"self_test: {escapes or 'no escapes'} in {time.perf_counter() - started:.2f} s "
            f"(warm host)"
        )
        host.close()
