"""Run every benchmark in tests/bench (or those named) and print their figures.

Usage: python -m tests.bench [NAME ...]   e.g. python -m tests.bench solar deposit
Each module tests/bench/bench_<name>.py exposes main(); figures are printed as they come.
"""

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> None:
    here = Path(__file__).parent
    names = sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules([str(here)])
        if m.name.startswith("bench_")
    )
    chosen = argv or names
    unknown = sorted(set(chosen) - set(names))
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {unknown}; choose from {names}")
    for name in chosen:
        print(f"== {name} ==", flush=True)
        started = time.perf_counter()
        importlib.import_module(f"tests.bench.bench_{name}").main()
        print(f"({name} took {time.perf_counter() - started:.1f} s)\n", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
