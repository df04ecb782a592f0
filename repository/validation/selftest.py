"""Worker start-up: try the sandbox and browser escapes; stop consuming their queues if any works.

Runs on the untrusted worker, before it consumes anything, so Django-free: what the probes try
to reach comes from this host's layout (the data folder's database file, blob folder and broker
folder, the project's settings and /etc/remixbank) and the broker's address.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PORTS = {"amqp": 5672, "amqps": 5671, "redis": 6379, "rediss": 6379}


def data_dir() -> Path:
    return Path(os.environ.get("REMIXBANK_DATA_DIR") or ROOT / "var")


def host_paths() -> list[Path]:
    """Files and folders of this host the sandbox must never read, those that exist here.

    SANDBOX_PROBE_PATHS (separated by os.pathsep) adds others, e.g. a database file elsewhere.
    """
    data = data_dir()
    candidates = [
        data / "remixbank.sqlite3",
        data / "blobs",
        data / "broker",
        ROOT / "deploy" / "remixbank.env",
        Path("/etc/remixbank"),
    ]
    extra = os.environ.get("SANDBOX_PROBE_PATHS", "")
    candidates += [Path(p) for p in extra.split(os.pathsep) if p]
    return [p for p in candidates if p.exists()]


def broker_endpoints(url: str) -> tuple[list[tuple[str, int]], list[str]]:
    """The broker's TCP (host, port) pairs and unix sockets named by a broker URL."""
    ports: list[tuple[str, int]] = []
    sockets: list[str] = []
    for part in url.split(";"):
        parts = urlsplit(part.strip())
        scheme = parts.scheme.split("+")[0]
        if "socket" in parts.scheme or scheme == "unix":
            sockets.append(parts.path)
        elif scheme in DEFAULT_PORTS and parts.hostname:
            ports.append((parts.hostname, parts.port or DEFAULT_PORTS[scheme]))
    return ports, sockets


def sandbox_escapes() -> list[str]:
    from sims.sandbox import self_test

    ports, sockets = broker_endpoints(os.environ.get("CELERY_BROKER_URL", ""))
    return self_test(
        host_file=ROOT / "deploy" / "settings.py",
        host_paths=host_paths(),
        ports=ports,
        unix_sockets=sockets,
    )


def browser_escapes() -> list[str]:
    from repository.validation.browser import self_test

    return self_test()


PROBES: dict[str, Callable[[], list[str]]] = {
    "sandbox": sandbox_escapes,
    "attempts": sandbox_escapes,  # learners' runs: the same sandbox as validation's
    "browser": browser_escapes,
}


def queues_to_refuse(consumed: set[str]) -> dict[str, list[str]]:
    """For each consumed queue that runs deposited code, the escapes that succeeded (if any)."""
    refused = {}
    results: dict[Callable[[], list[str]], list[str]] = {}
    for queue, probe in PROBES.items():
        if queue not in consumed:
            continue
        if probe not in results:
            results[probe] = _run(probe)
        escapes = results[probe]
        if escapes:
            refused[queue] = escapes
            log.error(
                "Refusing %s work on this worker: the sandbox let these through: %s",
                queue,
                "; ".join(escapes),
            )
        else:
            log.info("Self-test passed: no escape from the sandbox; taking %s work", queue)
    return refused


def _run(probe: Callable[[], list[str]]) -> list[str]:
    try:
        return probe()
    except Exception as exc:
        return [f"the self-test itself failed: {exc!r}"]
