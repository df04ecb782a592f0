"""How fast the licensing rules answer: calls per second for adaptations of 1, 5 and 20 sources.

Sources mix software and content licences (MIT, Apache-2.0, GPL-3.0-or-later, CC BY, CC0, ...)
and SPDX expressions. A trivial call (building a frozenset of the same sources) runs beside
them in the same process as a baseline, so the figures can be compared across machines.
"""

import random
import time
from collections.abc import Callable
from functools import partial

import licensing
from licensing import expressions, rules

# Sources that can be remixed together, so every call runs the full pairwise check.
REMIXABLE = [
    "MIT",
    "BSD-3-Clause",
    "ISC",
    "0BSD",
    "Apache-2.0",
    "CC-BY-4.0",
    "CC0-1.0",
    "CC-BY-SA-4.0",
    "MIT OR Apache-2.0",
    "Unlicense",
]


def _rate(call: Callable[[], object], seconds: float = 0.5) -> float:
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        call()
        count += 1
    return count / elapsed


def _clear_caches() -> None:
    for cached in (
        rules._verdict,
        rules._allowed_for,
        rules._pair_conflict,
        rules._allowed_set,
        rules._allowed_ids,
        rules._combos,
        rules._applicable,
        expressions.choices,
        expressions.parse,
        expressions.needs_parsing,
    ):
        cached.cache_clear()


def main() -> None:
    everything = [lic.id for lic in licensing.all_licenses() if not lic.no_derivatives]
    started = time.perf_counter()
    licensing.allowed_adaptation_licenses(["CC-BY-SA-4.0"])
    print(f"first call (builds the caches): {1000 * (time.perf_counter() - started):.1f} ms")
    rng = random.Random(3)  # a fixed seed for repeatable figures
    for size in (1, 5, 20):
        sources = [rng.choice(REMIXABLE) for _ in range(size)]
        assert licensing.allowed_adaptation_licenses(sources), sources
        baseline = _rate(partial(frozenset, sources))
        allowed = _rate(partial(licensing.allowed_adaptation_licenses, sources))
        options = _rate(partial(licensing.adaptation_options, sources))
        print(
            f"{size:>2} mixed sources: allowed_adaptation_licenses {allowed:,.0f}/s, "
            f"adaptation_options {options:,.0f}/s (baseline frozenset() {baseline:,.0f}/s)"
        )
    # Distinct source lists each time: the per-list cache misses, the per-licence caches hit.
    fresh = [[rng.choice(everything) for _ in range(20)] for _ in range(2000)]
    started = time.perf_counter()
    for sources in fresh:
        licensing.allowed_adaptation_licenses(sources)
    rate = len(fresh) / (time.perf_counter() - started)
    print(f"20 sources, a different random list each call: {rate:,.0f}/s")
    _clear_caches()
    started = time.perf_counter()
    licensing.allowed_adaptation_licenses([rng.choice(REMIXABLE) for _ in range(20)])
    print(f"20 sources, cold caches: {1000 * (time.perf_counter() - started):.1f} ms")
