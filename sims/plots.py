"""Plots of a run with matplotlib's Agg backend, as SVG and PNG, byte-for-byte reproducible."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # headless, also inside Celery workers

import matplotlib.pyplot as plt
import numpy as np

from sims.engines import FloatArray, PlotSpec

#: Longer series are thinned (min and max per bucket, so peaks survive) to keep SVGs small.
MAX_POINTS = 4000


def _thin(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    n = x.size
    if n <= MAX_POINTS:
        return x, y
    buckets = MAX_POINTS // 2
    edges = np.linspace(0, n, buckets + 1).astype(np.intp)
    xs, ys = [], []
    for lo, hi in itertools.pairwise(edges.tolist()):
        chunk = y[lo:hi]
        if np.all(np.isnan(chunk)):
            xs += [x[lo]]
            ys += [np.nan]
            continue
        i, j = sorted((int(np.nanargmin(chunk)), int(np.nanargmax(chunk))))
        xs += [x[lo + i], x[lo + j]]
        ys += [chunk[i], chunk[j]]
    return np.array(xs), np.array(ys)


def render(
    specs: list[PlotSpec],
    out_dir: Path,
    formats: tuple[str, ...] = ("svg", "png"),
    *,
    quick: bool = False,
) -> list[Path]:
    """Draw each spec to out_dir/<name>.svg and .png (or only `formats`); return the paths written.

    `quick` uses fixed margins and a fixed legend corner instead of matplotlib's tight layout
    and "best" legend placement, which measure every text and point and cost most of the time
    (learners' attempts are drawn on every run).
    """
    written: list[Path] = []
    rc: Any = {"svg.hashsalt": "remixbank", "svg.fonttype": "path", "figure.dpi": 100}
    with matplotlib.rc_context(rc):
        for spec in specs:
            fig, ax = plt.subplots(figsize=(8, 4))
            try:
                for label, x, y in spec.series:
                    tx, ty = _thin(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
                    if spec.style == "step":
                        ax.step(tx, ty, where="post", label=label, linewidth=1)
                    else:
                        ax.plot(tx, ty, label=label, linewidth=1)
                ax.set_title(spec.title)
                ax.set_xlabel(spec.xlabel)
                ax.set_ylabel(spec.ylabel)
                ax.grid(True, alpha=0.3)
                if len(spec.series) > 1:
                    ax.legend(loc="upper right" if quick else "best", fontsize="small")
                if quick:
                    fig.subplots_adjust(left=0.09, right=0.98, top=0.91, bottom=0.13)
                else:
                    fig.tight_layout()
                if "svg" in formats:
                    svg = out_dir / f"{spec.name}.svg"
                    fig.savefig(svg, format="svg", metadata={"Date": None})
                    written.append(svg)
                if "png" in formats:
                    png = out_dir / f"{spec.name}.png"
                    fig.savefig(png, format="png", metadata={"Software": None})
                    written.append(png)
            finally:
                plt.close(fig)
    return written
