"""How fast the licensing rules answer: calls per second for adaptations of 1, 5 and 20 sources.

Sources mix software and content licences (MIT, Apache-2.0, GPL-3.0-or-later, CC BY, CC0, ...)
and SPDX expressions. A trivial call (building a frozenset of the same sources) runs beside
them in the same process as a baseline, so the figures can be compared across machines: each
is printed with its cost in baseline calls. The goal for `allowed_adaptation_licenses` is to
stay above 10,000 calls/s at 20 sources, both for a list asked again (the page and the form
of one remix) and for a different list each call (every remix builder search result).
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


GOAL = 10_000  # calls/s at 20 sources (issue #13)


def _clear_caches() -> None:
    for cached in (
        rules._verdict,
        rules._allowed_for,
        rules._pair_conflict,
        rules._conflicting,
        rules._allowed_set,
        rules._allowed_ids,
        rules._combos,
        rules._applicable,
        rules._bit,
        rules._mask,
        rules._allowed_mask,
        rules._conflict_mask,
        rules._ids_of,
        rules._plain_id,
        rules._options_for,
        expressions.choices,
        expressions.parse,
        expressions.needs_parsing,
    ):
        cached.cache_clear()


def _versus(rate: float, baseline: float) -> str:
    return f"{rate:,.0f}/s (= {baseline / rate:,.1f} baseline calls each)"


def _fresh_rate(lists: list[list[str]]) -> float:
    started = time.perf_counter()
    for sources in lists:
        licensing.allowed_adaptation_licenses(sources)
    return len(lists) / (time.perf_counter() - started)


def main() -> None:
    everything = [lic.id for lic in licensing.all_licenses() if not lic.no_derivatives]
    started = time.perf_counter()
    licensing.allowed_adaptation_licenses(["CC-BY-SA-4.0"])
    print(f"first call (builds the caches): {1000 * (time.perf_counter() - started):.1f} ms")
    rng = random.Random(3)  # a fixed seed for repeatable figures
    # Warm the per-licence caches once, as a running site has them.
    for lic in everything:
        licensing.allowed_adaptation_licenses([lic, "MIT"])
    print(
        "size | baseline frozenset() | allowed_adaptation_licenses, same list | "
        "a different list each call | adaptation_options | goal at 20"
    )
    for size in (1, 5, 20):
        sources = [rng.choice(REMIXABLE) for _ in range(size)]
        assert licensing.allowed_adaptation_licenses(sources), sources
        baseline = _rate(partial(frozenset, sources))
        allowed = _rate(partial(licensing.allowed_adaptation_licenses, sources))
        options = _rate(partial(licensing.adaptation_options, sources))
        fresh = _fresh_rate([[rng.choice(everything) for _ in range(size)] for _ in range(3000)])
        goal = ""
        if size == 20:
            goal = "met" if min(allowed, fresh) > GOAL else f"MISSED (below {GOAL:,}/s)"
        print(
            f"{size:>4} | {baseline:,.0f}/s | {_versus(allowed, baseline)} | "
            f"{_versus(fresh, baseline)} | {_versus(options, baseline)} | {goal}"
        )
    _clear_caches()
    started = time.perf_counter()
    licensing.allowed_adaptation_licenses([rng.choice(REMIXABLE) for _ in range(20)])
    print(f"20 sources, cold caches: {1000 * (time.perf_counter() - started):.1f} ms")
