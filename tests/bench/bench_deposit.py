"""Deposit of a 200 MB package: throughput beside a plain copy of the same bytes, and peak memory."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZE = 200 * 1024 * 1024


def status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def child(package: Path) -> None:
    """Runs in a fresh process so the peak resident size belongs to the deposit alone."""
    from tests.bench.django_env import setup_django

    setup_django()
    from django.contrib.auth import get_user_model

    from repository.actions.deposits import deposit_package
    from repository.models import Institution, Membership

    institution = Institution.objects.create(slug="bench", name="Bench")
    user = get_user_model().objects.create_user("bench@example.org", "bench@example.org")
    Membership.objects.create(user=user, institution=institution, role="staff")
    idle_kb = status_kb("VmRSS")
    # Reset the high-water mark so set-up and migrations do not count (Linux clear_refs "5").
    Path("/proc/self/clear_refs").write_text("5")
    started = time.perf_counter()
    deposit_package(package=package, institution=institution, by=user)
    seconds = time.perf_counter() - started
    peak_kb = status_kb("VmHWM")
    print(json.dumps({"seconds": seconds, "idle_kb": idle_kb, "peak_kb": peak_kb}))


def main() -> None:
    from tests.bench.django_env import write_package

    with tempfile.TemporaryDirectory() as tmp:
        package = write_package(Path(tmp) / "package.zip", SIZE)
        started = time.perf_counter()
        shutil.copyfile(package, Path(tmp) / "copy.zip")
        copy_seconds = time.perf_counter() - started
        (Path(tmp) / "copy.zip").unlink()
        # A fresh data folder for the child, whatever other benchmarks set up in this process.
        env = {k: v for k, v in os.environ.items() if k != "REMIXBANK_DATA_DIR"}
        output = subprocess.run(
            [sys.executable, "-m", "tests.bench.bench_deposit", str(package)],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        ).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    mb = SIZE / 1024 / 1024
    print(f"plain copy of the package: {mb / copy_seconds:8.1f} MB/s ({copy_seconds:.2f} s)")
    print(
        f"deposit (check, unpack, hash, store, rows): {mb / figures['seconds']:8.1f} MB/s ({figures['seconds']:.2f} s)"
    )
    print(f"deposit time / copy time: {figures['seconds'] / copy_seconds:.1f}x")
    print(
        f"peak resident memory above idle: {(figures['peak_kb'] - figures['idle_kb']) / 1024:.1f} MB (goal < 100 MB)"
    )


if __name__ == "__main__":
    child(Path(sys.argv[1]))
