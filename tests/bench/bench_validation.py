"""Validation: deposit-to-verdict latency for the demo tool and a 189-file, 8 MB tool on a warm
worker, split by step and by device profile, beside a bare page checked by the same browser in
the same run; validation and re-validation throughput per worker process.

Latency goes through real Celery workers (a trusted one, an untrusted one for the browser) on
Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/14). Throughput runs the pipeline in
this process, as one worker process would. Figures are medians (p50) and p95 over the runs after
a warm-up; times are wall-clock on this machine, so read them against the bare page's.
"""

import os
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

DEMO_RUNS = 10
LARGE_RUNS = 5
TOOLS = 6
SCENARIOS = 6
BROKER = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def p50_p95(values: list[float], unit: str = "s", scale: float = 1.0) -> str:
    return (
        f"p50 {percentile(values, 0.5) * scale:.2f} {unit}, "
        f"p95 {percentile(values, 0.95) * scale:.2f} {unit}"
    )


def bare_page_baseline(runs: int = 10) -> tuple[list[float], list[float]]:
    """A one-line page checked by a warm browser host (both profiles, fuzz and slow 3G
    included): the floor under any tool's run step, and its bare load times."""
    from repository.validation import browser

    walls, loads = [], []
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "index.html").write_text(
            '<!doctype html><html lang="en"><meta charset="utf-8"><title>Bare</title><p>Bare</p>'
        )
        host = browser.BrowserHost()
        try:
            browser.check_tool(root, "index.html", host=host, fuzz_seconds=1.5)
            for _ in range(runs):
                started = time.perf_counter()
                report = browser.check_tool(root, "index.html", host=host, fuzz_seconds=1.5)
                walls.append(time.perf_counter() - started)
                loads.append(report.profiles["desktop"]["load_ms"] / 1000)
        finally:
            host.close()
    return walls, loads


def main() -> None:
    os.environ["CELERY_BROKER_URL"] = BROKER
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    from tests.bench.django_env import setup_django

    data = setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from repository.actions.deposits import deposit_package
    from repository.actions.validation import validate_version, versions_to_revalidate
    from repository.management.commands.load_demo import (
        DEMO_DIR,
        SCENARIO_DIR,
        scenario_manifest,
        zip_folder,
    )
    from repository.models import Institution, Membership, ValidationStep, Version
    from repository.validation import release
    from tests.factories import LARGE_EXPLORABLE, build_zip, explorable_files, explorable_manifest
    from tests.worker import celery_worker, wait_for

    settings.VALIDATION_RUN_CONTENT = True
    institution = Institution.objects.create(slug="bench", name="Bench")
    user = get_user_model().objects.create_user("bench@example.org", "bench@example.org")
    Membership.objects.create(user=user, institution=institution, role="staff")
    tmp = Path(tempfile.mkdtemp())
    demo_zip = zip_folder(DEMO_DIR / "sun-path-explorer", tmp / "demo.zip")
    large_files = explorable_files(**LARGE_EXPLORABLE)
    large_zip = build_zip(tmp / "large.zip", large_files, manifest_data=explorable_manifest())
    print(
        f"demo tool: {demo_zip.stat().st_size} bytes zipped; large tool: {len(large_files)} "
        f"files, {sum(map(len, large_files.values())) / 1e6:.1f} MB; "
        f"fuzz {settings.VALIDATION_FUZZ_SECONDS:.1f} s per profile"
    )

    walls, loads = bare_page_baseline()
    bare = percentile(walls, 0.5)
    print(
        f"baseline, a bare page through the same browser check (warm host, both profiles and "
        f"slow 3G): {p50_p95(walls)}; its bare page load {p50_p95(loads, 'ms', 1000)}"
    )

    def deposit(package: Path) -> Version:
        return deposit_package(package=package, institution=institution, by=user)

    # Throughput in this process: new versions, then the same versions under a new release.
    scenario_zip = zip_folder(SCENARIO_DIR, tmp / "scenario.zip", scenario_manifest())
    for label, count, package in [
        ("demo tools", TOOLS, demo_zip),
        ("small scenarios", SCENARIOS, scenario_zip),
    ]:
        versions = [deposit(package) for _ in range(count + 1)]
        validate_version(versions[0].pk)  # warm-up: browser host start, imports
        started = time.perf_counter()
        for version in versions[1:]:
            validate_version(version.pk)
        elapsed = time.perf_counter() - started
        passed = Version.objects.filter(
            pk__in=[v.pk for v in versions[1:]], state="published"
        ).count()
        print(
            f"validation, {label}: {count / elapsed * 60:.1f} versions/min per worker process "
            f"({passed}/{count} passed; {elapsed / count / bare:.1f} times the bare page's check)"
        )
    original = release.CHECKS_RELEASE
    release.CHECKS_RELEASE = f"{original}-bench-next"  # what a new release of our checks does
    try:
        chosen = versions_to_revalidate(TOOLS + SCENARIOS + 2)
        started = time.perf_counter()
        for pk in chosen:
            validate_version(pk, revalidate=True)
        elapsed = time.perf_counter() - started
        print(
            f"re-validation under a new release: {len(chosen)} published versions (tools and "
            f"scenarios) at {len(chosen) / elapsed * 60:.1f} versions/min per worker process"
        )
    finally:
        release.CHECKS_RELEASE = original

    # Latency through real workers: they need the same database and blob folder.
    from django.db import connection

    os.environ["DATABASE_URL"] = f"sqlite:///{connection.settings_dict['NAME']}"
    with celery_worker(blob_dir=data / "blobs", broker=BROKER):
        for label, package, runs, goal in [
            ("demo tool", demo_zip, DEMO_RUNS, 4),
            (f"{len(large_files)}-file 8 MB tool", large_zip, LARGE_RUNS, 15),
        ]:
            report_latency(label, package, runs, goal, deposit, bare, wait_for, ValidationStep)


def report_latency(
    label: str,
    package: Path,
    runs: int,
    goal: float,
    deposit: Any,
    bare: float,
    wait_for: Any,
    step_model: Any,
) -> None:
    latencies: list[float] = []
    steps: dict[str, list[float]] = defaultdict(list)
    profiles: dict[str, list[float]] = defaultdict(list)
    verdicts: dict[str, int] = defaultdict(int)
    for n in range(runs + 1):
        started = time.perf_counter()
        version = deposit(package)

        def settled() -> bool:
            version.refresh_from_db()  # noqa: B023 - polled before the next deposit
            return version.state not in {"uploaded", "validating"}  # noqa: B023

        assert wait_for(settled, timeout=300, every=0.02), f"{label}: no verdict in 300 s"
        latency = time.perf_counter() - started
        if not n:
            continue  # the first one starts the worker's browser
        latencies.append(latency)
        verdicts[version.state] += 1
        for step in step_model.objects.filter(run__version=version):
            steps[step.name].append(step.duration_ms / 1000)
            if step.name != "run":
                continue
            for name, figures in step.artefacts.get("profiles", {}).items():
                profiles[f"{name} (whole profile)"].append(figures.get("ms", 0) / 1000)
                profiles[f"{name} load"].append(figures["load_ms"] / 1000)
            throttled = step.artefacts.get("throttled") or {}
            if throttled.get("interactive_ms") is not None:
                profiles["phone over slow 3G, until interactive"].append(
                    throttled["interactive_ms"] / 1000
                )
    p50 = percentile(latencies, 0.5)
    print(
        f"deposit-to-verdict, {label}, warm worker, {runs} runs: {p50_p95(latencies)} "
        f"(goal p50 < {goal} s; {p50 / bare:.1f} times the bare page's check); verdicts {dict(verdicts)}"
    )
    for name, values in steps.items():
        print(f"  step {name}: {p50_p95(values)}")
    for name, values in profiles.items():
        print(f"  {name}: {p50_p95(values)} (of {len(values)})")
    if not profiles:
        print("  (no per-profile figures: the run step did not run)")


if __name__ == "__main__":
    main()
