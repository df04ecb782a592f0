"""Benchmark: sun position for one year at 1-minute steps, beside pvlib's nrel_numpy in the same run.

Run from the repository root: `python -m tests.bench solar`. Goals (issue 4): time <= 0.2x pvlib's,
maximum error <= 0.001 degrees against it.
"""

from __future__ import annotations

import functools
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

SITES = [(47.0, 8.0, 500.0), (69.6, 18.9, 100.0), (-33.9, 151.2, 40.0), (0.0, 0.0, 0.0)]


def median_time(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    result = fn()  # warm-up, and the value we compare
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    import pandas as pd
    import pvlib

    from sims.solar import sun_position

    times = np.arange(
        np.datetime64("2023-01-01T00:00", "ns"),
        np.datetime64("2024-01-01T00:00", "ns"),
        np.timedelta64(1, "m"),
    )
    index = pd.DatetimeIndex(times, tz="UTC")
    print(f"instants: {times.size:,} (2023 at 1-minute steps)")
    for i, (lat, lon, elev) in enumerate(SITES):
        repeats = 3 if i == 0 else 1
        pressure = 100.0 * pvlib.atmosphere.alt2pres(elev) / 100.0  # the same air for both
        ours_s, ours = median_time(
            functools.partial(sun_position, times, lat, lon, elev, pressure, 12.0), repeats
        )
        ref_s, ref = median_time(
            functools.partial(
                pvlib.solarposition.get_solarposition,
                index,
                lat,
                lon,
                elev,
                pressure=pressure,
                method="nrel_numpy",
                temperature=12.0,
            ),
            repeats,
        )
        dz = np.abs(ours.zenith - ref["zenith"].to_numpy()).max()
        da = np.abs(ours.apparent_zenith - ref["apparent_zenith"].to_numpy()).max()
        daz = np.abs((ours.azimuth - ref["azimuth"].to_numpy() + 180) % 360 - 180).max()
        print(
            f"site {lat:+6.1f} {lon:+6.1f}: sims {ours_s:.3f} s, pvlib nrel_numpy {ref_s:.3f} s, "
            f"ratio {ours_s / ref_s:.3f} (goal <= 0.2); max error zenith {dz:.2e} deg, "
            f"apparent zenith {da:.2e} deg, azimuth {daz:.2e} deg (goal <= 1e-3)"
        )
