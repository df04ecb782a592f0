"""Jupyter notebooks run by validation: nbclient and an ipykernel inside the sims sandbox.

The untrusted worker calls `run_notebook` with the version's files. Everything that touches the
notebook happens inside one bubblewrap sandbox (no network, time, memory and process limits):
the files are unpacked into its private /scratch, the notebook is executed cell by cell with
nbclient (its kernel a child process in the same sandbox, talking to it over the sandbox's own
loopback), and the executed notebook is rendered to HTML with nbconvert there too. What comes
back is the executed notebook, its HTML and a report; the HTML is served only from the version's
content origin, under a policy that runs no script (repository/validation/serving.py).

No Django here: the untrusted worker imports this module.
"""

from __future__ import annotations

import io
import json
import textwrap
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXECUTED_NAME = "executed.ipynb"
HTML_NAME = "notebook.html"
REPORT_NAME = "report.json"
PACKAGE_NAME = "package.zip"

# Runs inside the sandbox. Progress lines on stdout ("CELL n") tell the outside which cell was
# running when the sandbox's own wall clock stopped everything.
_RUNNER = textwrap.dedent(
    """
    import json, os, sys, zipfile
    SCRATCH = sys.argv[1]
    work = os.path.join(SCRATCH, "work")
    with zipfile.ZipFile(os.path.join(SCRATCH, PACKAGE)) as archive:
        archive.extractall(work)
    # The kernel starts IPython with this profile folder: its startup file stops, and records,
    # any attempt to reach another machine before the notebook's first cell runs.
    ipython = os.path.join(SCRATCH, ".ipython")
    os.makedirs(os.path.join(ipython, "profile_default", "startup"))
    with open(os.path.join(ipython, "profile_default", "startup", "00-offline.py"), "w") as f:
        f.write(OFFLINE)
    os.environ.update({"IPYTHONDIR": ipython,
                       "JUPYTER_PLATFORM_DIRS": "1", "MALLOC_ARENA_MAX": "2",
                       "REMIXBANK_NETWORK_LOG": os.path.join(SCRATCH, "network.log")})
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    path = os.path.join(work, ENTRY)
    notebook = nbformat.read(path, as_version=4)
    report = {"cells": len(notebook.cells), "error": None}

    class Client(NotebookClient):
        async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
            print("CELL", cell_index + 1, flush=True)
            report["cell"] = cell_index + 1
            return await super().async_execute_cell(cell, cell_index, *args, **kwargs)

    client = Client(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                    resources={"metadata": {"path": os.path.dirname(path)}},
                    allow_errors=False, record_timing=False)
    try:
        client.execute()
    except CellTimeoutError:
        report["error"] = {"kind": "timeout", "cell": report.get("cell")}
    except CellExecutionError as exc:
        report["error"] = {"kind": "cell", "cell": report.get("cell"),
                           "ename": exc.ename, "evalue": exc.evalue}
    except DeadKernelError as exc:
        report["error"] = {"kind": "dead", "cell": report.get("cell"), "evalue": str(exc)}
    try:
        with open(os.path.join(SCRATCH, "network.log")) as f:
            report["network"] = [line.strip() for line in f if line.strip()][:20]
    except OSError:
        report["network"] = []
    nbformat.write(notebook, os.path.join(SCRATCH, EXECUTED))
    from nbconvert import HTMLExporter
    html, _ = HTMLExporter(template_name="lab").from_notebook_node(notebook)
    with open(os.path.join(SCRATCH, HTML), "w", encoding="utf-8") as f:
        f.write(html)
    with open(os.path.join(SCRATCH, REPORT), "w") as f:
        json.dump(report, f)
    """
)

# The kernel's startup file: an audit hook (which no later code can remove) refusing every
# address but the sandbox's own loopback, and noting each refusal for the report.
_OFFLINE = textwrap.dedent(
    """
    import os as _os, sys as _sys

    def _remixbank_offline(event, args, _log=_os.environ.get("REMIXBANK_NETWORK_LOG")):
        if event == "socket.getaddrinfo":
            host, port = args[0], args[1]
        elif event in ("socket.connect", "socket.sendto"):
            address = args[1]
            if not isinstance(address, tuple):
                return  # a unix socket inside the sandbox
            host, port = address[0], address[1]
        elif event in ("socket.gethostbyname", "socket.gethostbyaddr"):
            host, port = args[0], None
        else:
            return
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        if host in (None, "", "localhost", "127.0.0.1", "::1", "0.0.0.0"):
            return
        where = f"{host}:{port}" if port is not None else str(host)
        if _log:
            with open(_log, "a") as f:
                f.write(where + "\\n")
        raise PermissionError(
            f"Remixbank runs notebooks without network access: {where} cannot be reached. "
            "Put the data the notebook needs in the package and read it by a relative path."
        )

    _sys.addaudithook(_remixbank_offline)
    del _os, _sys
    """
)


@dataclass
class NotebookRun:
    """What a notebook's run came to: passed, or the problem in words, plus its outputs."""

    passed: bool
    problems: list[str] = field(default_factory=list)
    cells: int = 0
    executed: bytes | None = None
    html: bytes | None = None
    killed: str = ""  # "timeout", "memory" or "cpu" when a sandbox limit stopped it


def package_zip(root: Path) -> bytes:
    """The files under `root` as one zip: the sandbox copies only plain top-level files in."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                archive.write(path, path.relative_to(root).as_posix())
    return buffer.getvalue()


def run_notebook(
    root: Path,
    entry_point: str,
    *,
    cell_timeout_s: float,
    timeout_s: float,
    memory_bytes: int = 2 << 30,
) -> NotebookRun:
    """Execute `root/entry_point` in the sandbox and render it; never raises for its faults."""
    from sims import sandbox

    limits = sandbox.Limits(
        cpu_s=max(1, int(timeout_s + 0.999)),
        memory_bytes=memory_bytes,
        nproc=128,  # the kernel's and the client's threads count too
        nofile=512,  # each ZeroMQ channel holds several descriptors
        scratch_bytes=256 << 20,
    )
    settings = {
        "PACKAGE": PACKAGE_NAME,
        "ENTRY": entry_point,
        "CELL_TIMEOUT": max(1, int(cell_timeout_s)),
        "EXECUTED": EXECUTED_NAME,
        "HTML": HTML_NAME,
        "REPORT": REPORT_NAME,
        "OFFLINE": _OFFLINE,
    }
    code = "".join(f"{k}={v!r}\n" for k, v in settings.items()) + _RUNNER
    with sandbox.scratch_dir() as scratch:
        (scratch / PACKAGE_NAME).write_bytes(package_zip(root))
        outcome = sandbox.run_python(
            code,
            scratch,
            timeout_s=timeout_s,
            limits=limits,
            outputs=(EXECUTED_NAME, HTML_NAME, REPORT_NAME),
        )
        outputs = {name: _read(scratch, name, limits.file_bytes) for name in settings_outputs()}
    # The kernel shares the runner's stdout, so the notebook may print lines of its own here.
    started = [
        int(words[1])
        for line in outcome.stdout.splitlines()
        if len(words := line.split()) == 2 and words[0] == "CELL" and words[1].isdigit()
    ]
    if outcome.timed_out:
        cell = f"cell {started[-1]}" if started else "the kernel's start"
        return NotebookRun(
            False,
            [
                f"{entry_point}: the run was stopped after {timeout_s:g} s, the time limit for "
                f"the whole notebook, while {cell} was running. Make it finish sooner (less "
                "data, fewer iterations) or end the loop."
            ],
            killed="timeout",
        )
    if outcome.memory_limited or outcome.cpu_limited:
        what = "memory" if outcome.memory_limited else "CPU time"
        cell = f" in cell {started[-1]}" if started else ""
        return NotebookRun(
            False,
            [f"{entry_point}: the run was killed{cell} for using more {what} than allowed."],
            killed="memory" if outcome.memory_limited else "cpu",
        )
    try:
        report = json.loads(outputs[REPORT_NAME] or b"")
        run = NotebookRun(
            True,
            cells=int(report.get("cells", 0)),
            executed=outputs[EXECUTED_NAME],
            html=outputs[HTML_NAME],
        )
        run.problems = problems_of(entry_point, report, cell_timeout_s)
        if report.get("error", {}) and report["error"].get("kind") == "timeout":
            run.killed = "timeout"
    # The report is written in the sandbox, where the notebook's own code may overwrite it:
    # whatever shape it has, the answer is a verdict, never an exception that sends none.
    except (ValueError, TypeError, AttributeError, KeyError):
        return NotebookRun(
            False,
            [
                f"{entry_point}: the notebook could not be run (exit {outcome.returncode}), "
                "or its run report was overwritten from inside it: " + _last_line(outcome.stderr)
            ],
        )
    run.passed = not run.problems
    return run


def settings_outputs() -> tuple[str, ...]:
    return (EXECUTED_NAME, HTML_NAME, REPORT_NAME)


def problems_of(entry_point: str, report: dict[str, Any], cell_timeout_s: float) -> list[str]:
    """The report's failures in words, each naming the cell (counted from 1, as on screen)."""
    problems = []
    error = report.get("error") or {}
    cell = error.get("cell")
    network = [str(n) for n in report.get("network") or []]
    if network:
        problems.append(
            f"{entry_point}: the notebook tried to reach the network ({', '.join(network[:3])})"
            + (f" in cell {cell}" if error and cell else "")
            + ". Notebooks are run without network access, as in a classroom offline: put the "
            "data it needs in the package and read it by a relative path."
        )
    if error.get("kind") == "timeout":
        problems.append(
            f"{entry_point}: cell {cell} was still running after {cell_timeout_s:g} s, the time "
            "limit for one cell; it may loop forever. Make it finish sooner or end the loop."
        )
    elif error.get("kind") == "cell" and not network:
        problems.append(
            f"{entry_point}: cell {cell} raised {error.get('ename')}: {error.get('evalue')}"
        )
    elif error.get("kind") == "dead":
        problems.append(f"{entry_point}: the kernel died in cell {cell}: {error.get('evalue')}")
    return problems


def _read(scratch: Path, name: str, limit: int) -> bytes | None:
    from sims._io import read_regular_file

    try:
        return read_regular_file(scratch, name, limit)
    except (OSError, ValueError):
        return None


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:500] if lines else "no message"
