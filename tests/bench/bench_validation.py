"""Validation throughput per worker process (time split by step), and deposit-to-verdict latency.

Throughput runs the pipeline in this process, as one worker process would. Latency goes through
a real Celery worker on Redis (127.0.0.1:6379, database 14) with a warm browser, beside the bare
page load measured by the browser in the same run.
"""

import os
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

TOOLS = 8
SCENARIOS = 8
LATENCY_RUNS = 10
BROKER = "redis://127.0.0.1:6379/14"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    os.environ["CELERY_BROKER_URL"] = BROKER
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    from tests.bench.django_env import setup_django

    data = setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from repository.actions.deposits import deposit_package
    from repository.actions.validation import validate_version
    from repository.management.commands.load_demo import SCENARIO_DIR, scenario_manifest, zip_folder
    from repository.models import Institution, Membership, ValidationStep, Version
    from tests.factories import build_zip, manifest, tool_files
    from tests.worker import celery_worker, wait_for

    settings.VALIDATION_RUN_CONTENT = True
    institution = Institution.objects.create(slug="bench", name="Bench")
    user = get_user_model().objects.create_user("bench@example.org", "bench@example.org")
    Membership.objects.create(user=user, institution=institution, role="staff")
    tmp = Path(tempfile.mkdtemp())

    def deposit_tool(n: int):
        package = build_zip(
            tmp / f"tool{n}.zip",
            tool_files(**{"note.txt": str(n).encode()}),
            manifest_data=manifest(title=f"Tool {n}"),
        )
        return deposit_package(package=package, institution=institution, by=user)

    scenario_zip = zip_folder(SCENARIO_DIR, tmp / "scenario.zip", scenario_manifest())
    for label, count, make in [
        ("small tools", TOOLS, deposit_tool),
        (
            "small scenarios",
            SCENARIOS,
            lambda n: deposit_package(package=scenario_zip, institution=institution, by=user),
        ),
    ]:
        versions = [make(n) for n in range(count + 1)]
        validate_version(versions[0].pk)  # warm-up: browser host start, imports
        started = time.perf_counter()
        for version in versions[1:]:
            validate_version(version.pk)
        elapsed = time.perf_counter() - started
        steps: dict[str, list[int]] = defaultdict(list)
        for name, ms in ValidationStep.objects.filter(run__version__in=versions[1:]).values_list(
            "name", "duration_ms"
        ):
            steps[name].append(ms)
        passed = Version.objects.filter(
            pk__in=[v.pk for v in versions[1:]], state="published"
        ).count()
        split = ", ".join(f"{name} {statistics.mean(ms):.0f} ms" for name, ms in steps.items())
        print(
            f"{label}: {count / elapsed * 60:.1f} runs/min per worker process ({passed}/{count} passed); mean per step: {split}"
        )

    # Latency through the real worker: the worker needs the same database and blob folder.
    from django.db import connection

    env_db = f"sqlite:///{connection.settings_dict['NAME']}"
    os.environ["DATABASE_URL"] = env_db
    latencies, loads = [], []
    with celery_worker(blob_dir=data / "blobs", broker=BROKER):
        for n in range(LATENCY_RUNS + 1):
            started = time.perf_counter()
            version = deposit_tool(1000 + n)

            def settled() -> bool:
                version.refresh_from_db()  # noqa: B023 - polled before the next deposit
                return version.state not in {"uploaded", "validating"}  # noqa: B023

            assert wait_for(settled, timeout=120, every=0.02)
            latency = time.perf_counter() - started
            if n:  # the first one starts the worker's browser
                latencies.append(latency)
                run_step = ValidationStep.objects.get(run__version=version, name="run")
                loads.append(run_step.artefacts["load_ms"])
    print(
        f"deposit-to-verdict, small tool, warm browser, {settings.VALIDATION_FUZZ_SECONDS:.1f} s fuzz, "
        f"{LATENCY_RUNS} runs: p50 {percentile(latencies, 0.5):.2f} s, p95 {percentile(latencies, 0.95):.2f} s "
        f"(goal p50 < 3 s); bare page load in the browser p50 {percentile(loads, 0.5):.0f} ms"
    )


if __name__ == "__main__":
    main()
