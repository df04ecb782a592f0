"""How fast the licensing rules answer: calls per second for remixes of 1, 5 and 20 sources."""

import random
import time
from collections.abc import Callable
from functools import partial

import licensing
from licensing import rules


def _rate(call: Callable[[], object], seconds: float = 0.5) -> float:
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        call()
        count += 1
    return count / elapsed


def main() -> None:
    ids = [lic.id for lic in licensing.all_licenses() if not lic.no_derivatives]
    compatible = [i for i in ids if "-SA-" not in i and "GPL" not in i and i != "LAL-1.3"]
    started = time.perf_counter()
    licensing.allowed_adaptation_licenses(["CC-BY-SA-4.0"])
    print(f"first call (builds the caches): {1000 * (time.perf_counter() - started):.1f} ms")
    rng = random.Random(3)  # a fixed seed for repeatable figures
    for size in (1, 5, 20):
        # Remixable sources (BY, BY-NC, CC0, ...) exercise the full pairwise check.
        sources = [rng.choice(compatible) for _ in range(size)]
        allowed = _rate(partial(licensing.allowed_adaptation_licenses, sources))
        options = _rate(partial(licensing.adaptation_options, sources))
        print(
            f"{size:>2} sources: allowed_adaptation_licenses {allowed:,.0f}/s, "
            f"adaptation_options {options:,.0f}/s"
        )
    rules._verdict.cache_clear()
    rules._allowed_for.cache_clear()
    rules._pair_conflict.cache_clear()
    started = time.perf_counter()
    licensing.allowed_adaptation_licenses([rng.choice(compatible) for _ in range(20)])
    print(f"20 sources, cold caches: {1000 * (time.perf_counter() - started):.1f} ms")
