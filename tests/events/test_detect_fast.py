"""Fast paths of the step detectors give the numbers of their plain numpy definitions: bit for bit
where they do the same arithmetic, to rounding where they use running sums or FFTs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gaitload.events import filters as sig
from gaitload.events.placement import _clipped_fraction, cadence_track


@pytest.mark.parametrize("layout", ["C", "F", "strided"])
def test_row_norms_is_einsum_norm(layout):
    v = np.random.default_rng(1).normal(size=(10_001, 3)) * 1e3
    v = {"C": v, "F": np.asfortranarray(v), "strided": np.column_stack([v, v])[:, ::2]}[layout]
    assert np.array_equal(sig.row_norms(v), np.sqrt(np.einsum("ij,ij->i", v, v)))
    columns = tuple(np.ascontiguousarray(c) for c in v.T)  # the same values, contiguous
    assert np.array_equal(sig.row_norms(v, columns), np.sqrt(np.einsum("ij,ij->i", v, v)))


def test_box_sums_are_the_same_convolution():
    """box_sums is defined as np.convolve(x, ones(width), "same") down each column (and its counts)."""
    x = np.random.default_rng(2).normal(size=(5000, 3))
    for width in (1, 4, 399, 5000):
        sums, counts = sig.box_sums(x, width)
        box = np.ones(width)
        want = np.column_stack([np.convolve(c, box, "same") for c in x.T])
        np.testing.assert_allclose(sums, want, rtol=0, atol=1e-9)
        assert np.array_equal(counts, np.convolve(np.ones(5000), box, "same"))


def test_clipped_fraction_is_row_any():
    acc = np.round(np.random.default_rng(3).normal(size=(3000, 3)) * 20, 0)
    peak = np.max(np.abs(acc))
    assert _clipped_fraction(acc) == float(np.mean(np.any(np.abs(acc) >= 0.995 * peak, axis=1)))
    assert _clipped_fraction(np.zeros((10, 3))) == 0.0


def test_cadence_track_is_the_autocorrelation_of_each_frame():
    fs = 100.0
    t = np.arange(0, 60, 1 / fs)
    x = np.sin(2 * np.pi * t / 0.7) + 0.5 * np.sin(2 * np.pi * t / 0.35) + np.random.default_rng(4).normal(0, 0.3, t.size)
    tr = cadence_track(x, fs)
    # the unbiased autocorrelation of each mean-removed 8 s frame (hop 2 s), by its definition
    win, hop = 800, 200
    frames = np.lib.stride_tricks.sliding_window_view(x, win)[::hop]
    frames = frames - frames.mean(axis=1, keepdims=True)
    ac = np.array([np.correlate(f, f, "full")[win - 1:] for f in frames]) / (win - np.arange(win))[None, :]
    r = ac / ac[:, :1]
    rows = np.arange(r.shape[0])
    # step lags 0.25-0.71 s, stride lags 0.5-1.41 s at 100 Hz
    np.testing.assert_allclose(tr.r_step, r[rows, np.argmax(r[:, 25:72], axis=1) + 25], rtol=0, atol=1e-9)
    np.testing.assert_allclose(tr.r_stride, r[rows, np.argmax(r[:, 50:142], axis=1) + 50], rtol=0, atol=1e-9)


def test_foot_events_strike_pattern_is_object():
    """The detector's strike patterns are object, as EVENT_COLUMNS declares (no string-dtype round trip)."""
    from gaitload.events.foot import EVENT_COLUMNS, detect_foot_events
    from test_events_foot import _walk_like

    ev, _ = detect_foot_events(*_walk_like(200.0, 20.0), 200.0)
    assert len(ev) and ev["strike_pattern"].dtype == EVENT_COLUMNS["strike_pattern"]


@pytest.mark.parametrize("n", [40_000, 40_001, 360_000])
def test_median_of_tied_clock_steps_is_numpy(n):
    """Tied data whose bracket ends are one value (a clock's ~20 distinct steps) take the
    counting path of gaitload.quantiles; the median and percentiles stay numpy's, bit for bit,
    also where the middle ranks straddle two values or sit at zero (-0.0 and 0.0 tie)."""
    from gaitload import quantiles

    rng = np.random.default_rng(n)
    steps = 0.01 + np.round(rng.normal(0, 1e-6, 20), 9)
    clock = rng.choice(steps, size=n, p=np.r_[0.5, np.full(19, 0.5 / 19)])
    straddle = np.where(np.arange(n) < n // 2, steps[0], steps[1])  # middle ranks on two values
    zeros = np.where(rng.random(n) < 0.5, -0.0, 0.0) + np.where(rng.random(n) < 0.05, 1.0, 0.0)
    for x in (clock, straddle, zeros, rng.permutation(straddle)):
        assert quantiles.median(x) == np.median(x)
        assert np.signbit(quantiles.median(x)) == np.signbit(np.median(x))
        assert np.array_equal(quantiles.percentile(x, [30.0, 50.0, 70.0]), np.percentile(x, [30.0, 50.0, 70.0]))


def _first_crossing_below_plain(x, starts, stops, level, max_width=None):
    """The definition, window by window: the first index of [start, stop) (clipped to x and to
    max_width samples) where x < level, else -1."""
    out = []
    for a, b in zip(starts, stops):
        a, b = min(max(int(a), 0), x.size), min(max(int(b), 0), x.size)
        if max_width is not None:
            b = min(b, a + max_width)
        hit = np.flatnonzero(x[a:b] < level)
        out.append(a + hit[0] if hit.size else -1)
    return np.array(out)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_first_crossing_below_one_level_is_its_definition(seed):
    rng = np.random.default_rng(seed)
    n = 5000
    x = np.cumsum(rng.normal(size=n))
    x[rng.random(n) < 0.01] = np.nan  # never below
    x[:3] = -100.0
    x[-3:] = -100.0  # runs at both ends of the signal
    starts = rng.integers(-20, n + 20, 800)
    stops = starts + rng.integers(-5, 120, 800)
    starts[:4], stops[:4] = [0, n - 1, n, 10], [3, n + 5, n + 9, 10]
    for level in (0.0, float(np.median(x[np.isfinite(x)])), -1e9, 1e9, np.float32(2.5)):
        for max_width in (None, 7):
            got = sig.first_crossing_below(x, starts, stops, level=level, max_width=max_width)
            assert np.array_equal(got, _first_crossing_below_plain(x, starts, stops, level, max_width))


@pytest.mark.parametrize("gap", [False, True])
def test_foot_events_from_imu_columns_equal_n3_arrays(gap):
    """The dispatcher's IMUColumns path (checks on the columns, one stack) gives the (n, 3) path's events."""
    from gaitload.events.foot import detect_foot_events
    from gaitload.events.placement import IMUColumns
    from test_events_foot import _walk_like

    t, acc, gyr = _walk_like(200.0, 20.0)[:3]
    acc, gyr = acc.copy(), gyr.copy()
    if gap:  # missing values: both paths fill the same stacked array
        acc[100:104, 1] = np.nan
        gyr[2000, 2] = np.inf
    ref, w_ref = detect_foot_events(t, acc, gyr, 200.0)
    got, w_got = detect_foot_events(t, IMUColumns(*acc.T), IMUColumns(*gyr.T), 200.0)
    assert len(ref) and w_got == w_ref
    pd.testing.assert_frame_equal(got, ref, check_exact=True)


# --- lumbar / wrist detectors -------------------------------------------------------------


def _vertical_specific_force_plain(acc, fs, gravity_window_s=4.0):
    """Gravity = the mean of the acceleration over the window [i - win // 2, i - win // 2 + win)
    of 4 s (at least 3 samples), clipped to the signal; the specific force along it."""
    n = acc.shape[0]
    win = int(max(3, min(n, round(gravity_window_s * fs))))
    box = np.ones(win)
    at = slice(win - 1 - win // 2, win - 1 - win // 2 + n)  # sample i's window in the full convolution
    counts = np.convolve(np.ones(n), box)[at]
    grav = np.column_stack([np.convolve(c, box)[at] / counts for c in acc.T])
    norm = np.linalg.norm(grav, axis=1)
    norm[norm == 0] = 1.0
    return np.sum(acc * grav, axis=1) / norm


@pytest.mark.parametrize("n", [1, 2, 3, 10, 399, 400, 401, 5000, 50_001])
def test_lumbar_vertical_specific_force_is_its_definition(n):
    from gaitload.events.lumbar import _vertical_specific_force

    rng = np.random.default_rng(n)
    acc = rng.normal(size=(n, 3)) * 3 + np.array([0.5, -1.0, 9.6])
    for fs in (100.0, 400.0):
        np.testing.assert_allclose(_vertical_specific_force(acc, fs), _vertical_specific_force_plain(acc, fs),
                                   rtol=1e-9, atol=1e-9)
    assert np.array_equal(_vertical_specific_force(np.zeros((n, 3)), 100.0), np.zeros(n))
    # standing still, tilted: the specific force along gravity is g itself
    still = np.tile([0.0, 9.81 * np.sin(0.4), 9.81 * np.cos(0.4)], (n, 1))
    np.testing.assert_allclose(_vertical_specific_force(still, 100.0), 9.81, rtol=1e-12)


def _moving_std_plain(x, width):
    """np.std of each whole window of ``width`` samples centred on the sample, the windows
    shifted inwards at the two ends (so every one has ``width`` samples)."""
    n = x.size
    width = int(max(1, min(width, n)))
    lo = np.clip(np.arange(n) - width // 2, 0, n - width)
    return np.std(np.lib.stride_tricks.sliding_window_view(x, width), axis=1)[lo]


@pytest.mark.parametrize("n,width", [(1, 1), (5, 2), (10, 10), (10, 1), (11, 4), (1000, 100), (1000, 5000), (20_001, 101)])
def test_lumbar_moving_std_is_numpy_std_of_each_window(n, width):
    from gaitload.events.lumbar import _moving_std

    x = np.random.default_rng(n + width).normal(size=n) * 0.3 + 1.0
    # running sums lose the variance to rounding of ~1e-16 x the summed squares: near zero spread
    # (width 1) the square root turns that into a few 1e-9
    np.testing.assert_allclose(_moving_std(x, width), _moving_std_plain(x, width), rtol=0, atol=1e-7)


@pytest.mark.parametrize("k", [1, 2, 7, 300])
def test_track_at_samples_is_searchsorted(k):
    from gaitload.events.lumbar import track_at, track_at_samples

    rng = np.random.default_rng(k)
    for fs in (100.0, 100.00000000009095, 400.0, 33.3):
        center = (np.arange(k) * round(2 * fs) + round(8 * fs) / 2) / fs
        values = rng.normal(size=k)
        for n in (1, 57, 1000, 60_001):
            ref = values[np.searchsorted(0.5 * (center[1:] + center[:-1]), np.arange(n) / fs)]
            assert np.array_equal(track_at_samples(center, values, n, fs), ref)
            idx = rng.integers(0, n, 100)
            assert np.array_equal(track_at(center, values, idx, fs), ref[idx])


@pytest.mark.parametrize("n", [1, 5, 100, 5000])
def test_gather_rows_are_clipped_index_gather(n):
    from gaitload.events.filters import gather_rows

    rng = np.random.default_rng(n)
    x = rng.normal(size=n)
    for width in (1, 3, 17, 100, 200):
        for start in (rng.integers(-50, n + 50, 40), rng.integers(0, max(1, n - width), 40),
                      np.zeros(0, int), np.array([-3]), np.array([n])):
            ref = x[np.clip(start[:, None] + np.arange(width)[None, :], 0, n - 1)]
            got = gather_rows(x, start, width)
            assert got.shape == ref.shape and got.flags.c_contiguous and np.array_equal(got, ref)


def test_wrist_magnitude_is_linalg_norm():
    from gaitload.events.placement import G
    from gaitload.events.wrist import _check

    acc = np.random.default_rng(4).normal(size=(100_001, 3)) * 40
    acc[::7] *= 1e-3
    assert np.array_equal(_check(acc, 100.0, "wrist"), np.linalg.norm(acc, axis=1) / G)


def test_wrist_unwrap_is_numpy_unwrap():
    from gaitload.events.wrist import _unwrap

    rng = np.random.default_rng(5)
    t = np.arange(200_001) / 100.0
    p = np.angle(np.exp(1j * (2 * np.pi * 2.8 * t + 0.3 * np.sin(t))))
    p[::997] += rng.normal(size=p[::997].size)  # phase noise: jumps back as well as forward
    p = np.angle(np.exp(1j * p))
    edge = np.array([0.0, np.pi, 0.0, -np.pi, np.pi, np.pi + 1e-9, -np.pi, 0.5, np.nan, 0.2, 3.0, -3.0, np.inf, 1.0])
    for x in (p, edge, p[:1], p[:0], rng.uniform(-10, 10, 1000)):
        with np.errstate(invalid="ignore"):  # inf - inf, as numpy's own
            assert np.array_equal(_unwrap(x), np.unwrap(x), equal_nan=True)
