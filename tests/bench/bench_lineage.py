"""Lineage on PostgreSQL: ancestors and descendants in a 100,000-version graph, beside a row lookup."""

import os
import random
import statistics
import subprocess
import sys
import time

BENCH_DB = "remixbank_lineage_bench"
SAMPLES = 200


def main() -> None:
    # A scratch PostgreSQL database of its own, so the benchmark never touches real data.
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", BENCH_DB], check=True
    )
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", BENCH_DB], check=True)
    env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}"}
    subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_lineage", "--child"], check=True, env=env
    )
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", BENCH_DB], check=True
    )


def median_ms(fn, args) -> float:
    timings = []
    for arg in args:
        started = time.perf_counter()
        fn(arg)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def child() -> None:
    from tests.bench.django_env import setup_django

    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from repository.models import Derivation, Version
    from repository.trees import lineage

    started = time.perf_counter()
    call_command("generate_lineage")
    print(f"generated in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    ids = list(Version.objects.order_by("pk").values_list("pk", flat=True))
    rng = random.Random(7)
    sample = rng.sample(ids, SAMPLES)
    deepest = list(
        Derivation.objects.order_by("-child_id").values_list("child_id", flat=True)[:SAMPLES]
    )
    lookup = median_ms(lambda pk: Version.objects.get(pk=pk), sample)
    rows = [
        ("indexed single-row lookup", lookup),
        ("ancestors, random node", median_ms(lineage.ancestors, sample)),
        ("descendants, random node", median_ms(lineage.descendants, sample)),
        ("ancestors, newest (deepest) nodes", median_ms(lineage.ancestors, deepest)),
        (
            "descendants, oldest nodes (page limit 500)",
            median_ms(lineage.descendants, ids[:SAMPLES]),
        ),
        ("whole lineage for a page, random node", median_ms(lineage.lineage_edges, sample)),
        (
            "ancestors, deepest nodes, no limit",
            median_ms(lambda pk: lineage.ancestors(pk, limit=10**6), deepest),
        ),
        (
            "ancestors, random node, no limit",
            median_ms(lambda pk: lineage.ancestors(pk, limit=10**6), sample),
        ),
        (
            "descendants, random node, no limit",
            median_ms(lambda pk: lineage.descendants(pk, limit=10**6), sample),
        ),
        (
            "descendants, oldest nodes, no limit",
            median_ms(lambda pk: lineage.descendants(pk, limit=10**6), ids[:20]),
        ),
    ]
    depth = len(lineage.ancestors(deepest[0], limit=10**6))
    print(f"deepest sampled node has {depth} ancestors")
    print(f"{'query (median of ' + str(SAMPLES) + ')':<45} {'ms':>8} {'vs lookup':>10}")
    for name, ms in rows:
        print(f"{name:<45} {ms:>8.2f} {ms / lookup:>9.1f}x")


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
    else:
        main()
