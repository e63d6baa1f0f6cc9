"""Thinning for drawing keeps, per pixel column, exactly what a line or dots would cover there."""

import numpy as np

from gaitload._decimate import distinct_positions, minmax_indices


def _columns(x, n):
    return np.minimum(((x - x.min()) * (n / (x.max() - x.min()))).astype(int), n - 1)


def test_minmax_keeps_every_columns_extremes_and_ends():
    rng = np.random.default_rng(3)
    x = np.cumsum(rng.uniform(0.5, 1.5, 50_000))
    y = np.cumsum(rng.normal(size=x.size))
    y[1000:1200] = np.nan  # a gap must still break the line
    n = 700
    keep = minmax_indices(x, y, n)
    assert keep.size <= 4 * n + 2 and np.all(np.diff(keep) > 0)
    col = _columns(x, n)
    ok = np.isfinite(y)
    for c in rng.choice(n, 50, replace=False):
        sel = np.flatnonzero((col == c) & ok)
        if sel.size == 0:
            continue
        kept = np.intersect1d(keep, sel)
        assert y[kept].min() == y[sel].min() and y[kept].max() == y[sel].max()
        assert kept[0] == sel[0] and kept[-1] == sel[-1]
    assert np.isnan(y[keep]).sum() == 1 and np.isnan(y[1000]) and 1000 in keep


def test_minmax_leaves_short_series_alone():
    x = np.arange(100.0)
    np.testing.assert_array_equal(minmax_indices(x, np.sin(x), 50), np.arange(100))


def test_distinct_positions_one_per_column():
    rng = np.random.default_rng(4)
    x = rng.uniform(0, 10, 20_000)
    got = distinct_positions(x, 1000)
    assert got.size == np.unique(_columns(np.sort(x), 1000)).size
    assert np.isin(got, x).all()
    # every position lies in a column that has a drawn one
    width = (x.max() - x.min()) / 1000
    nearest = np.abs(got[np.clip(np.searchsorted(got, x) - 1, 0, None)] - x)
    assert np.all(np.minimum(nearest, np.abs(got[np.clip(np.searchsorted(got, x), 0, got.size - 1)] - x)) <= width)
    np.testing.assert_array_equal(distinct_positions(x[:10], 1000), np.sort(x[:10]))
