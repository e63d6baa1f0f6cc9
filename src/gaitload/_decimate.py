"""Thinning of plotted data to what a raster image can show (for drawing only, never for numbers).

A one-hour run has 10,000 steps and a profile point every few metres, but a figure panel is
about a thousand pixels wide: drawing every point costs time (a path vertex, a marker, a tick
each) and changes no pixel that a thinner set would not also set. Both helpers keep, per
bucket of the x axis narrower than a pixel, the points that decide what is drawn there:

- :func:`minmax_indices` the first, lowest, highest and last point of each bucket (the
  envelope a line or a cloud of dots covers in that pixel column; the classic min-max
  decimation of time-series plotting), plus the break points of gaps (NaN);
- :func:`distinct_positions` one position per bucket (ticks closer than a pixel overlap).
"""

from __future__ import annotations

import numpy as np

__all__ = ["minmax_indices", "distinct_positions"]


def _bucket_of(x: np.ndarray, n_buckets: int) -> np.ndarray:
    lo, hi = float(np.min(x)), float(np.max(x))
    if not hi > lo:
        return np.zeros(x.size, dtype=np.int64)
    return np.minimum(((x - lo) * (n_buckets / (hi - lo))).astype(np.int64), n_buckets - 1)


def minmax_indices(x: np.ndarray, y: np.ndarray, n_buckets: int) -> np.ndarray:
    """Indices of the points that keep the drawn shape of ``y`` against ``x`` in ``n_buckets`` columns.

    Parameters
    ----------
    x : ndarray, shape (n,)
        Positions, ascending (a run's distance or time); non-finite positions are dropped.
    y : ndarray, shape (n,)
        Values; NaN marks a gap: the first NaN of every gap is kept, so a line still breaks there.
    n_buckets : int
        Number of equal-width columns over the x range (at least the pixel width of the panel).

    Returns
    -------
    ndarray of int64
        Ascending indices into ``x``/``y``: all of them when ``n <= 4 n_buckets``, else per
        column the first, minimum, maximum and last finite point.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    ok_x = np.isfinite(x)
    idx = np.flatnonzero(ok_x)
    if idx.size <= 4 * n_buckets:
        return idx
    finite = np.isfinite(y[idx])
    gaps = idx[~finite]
    if gaps.size:  # keep the first NaN of each run of NaN
        prev_finite = np.concatenate([[True], finite[:-1]])
        gaps = idx[~finite & prev_finite]
    pts = idx[finite]
    if pts.size == 0:
        return gaps
    bucket = _bucket_of(x[pts], n_buckets)
    order = np.lexsort((y[pts], bucket))  # by bucket, then by value
    sb = bucket[order]
    first_of = np.flatnonzero(np.concatenate([[True], sb[1:] != sb[:-1]]))
    last_of = np.concatenate([first_of[1:] - 1, [sb.size - 1]])
    lows, highs = pts[order[first_of]], pts[order[last_of]]
    # first and last point (in x) of each bucket: buckets are contiguous runs of pts
    change = np.flatnonzero(np.concatenate([[True], bucket[1:] != bucket[:-1]]))
    firsts = pts[change]
    lasts = pts[np.concatenate([change[1:] - 1, [pts.size - 1]])]
    return np.unique(np.concatenate([firsts, lows, highs, lasts, gaps]))


def distinct_positions(x: np.ndarray, n_buckets: int) -> np.ndarray:
    """One position per occupied column: the first of the sorted finite ``x`` in each.

    Parameters
    ----------
    x : ndarray, shape (n,)
        Positions (any order); non-finite ones are dropped.
    n_buckets : int
        Columns over the range of ``x``.

    Returns
    -------
    ndarray
        Sorted positions, at most ``n_buckets`` of them; ``x`` itself (sorted) when it has no
        more than ``n_buckets`` points.
    """
    x = np.sort(np.asarray(x, dtype=np.float64)[np.isfinite(x)])
    if x.size <= n_buckets:
        return x
    bucket = _bucket_of(x, n_buckets)
    return x[np.concatenate([[True], bucket[1:] != bucket[:-1]])]
