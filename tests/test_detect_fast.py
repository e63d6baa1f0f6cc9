"""Fast paths of the step detectors give the numbers of the plain numpy / pandas expressions, bit for bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gaitload.events import _signal as sig
from gaitload.events.placement import _clipped_fraction, cadence_track


@pytest.mark.parametrize("layout", ["C", "F", "strided"])
def test_row_norms_is_einsum_norm(layout):
    v = np.random.default_rng(1).normal(size=(10_001, 3)) * 1e3
    v = {"C": v, "F": np.asfortranarray(v), "strided": np.column_stack([v, v])[:, ::2]}[layout]
    assert np.array_equal(sig.row_norms(v), np.sqrt(np.einsum("ij,ij->i", v, v)))
    columns = tuple(np.ascontiguousarray(c) for c in v.T)  # the same values, contiguous
    assert np.array_equal(sig.row_norms(v, columns), np.sqrt(np.einsum("ij,ij->i", v, v)))


def test_box_sums_2d_matches_cumulative_sum_down_columns():
    x = np.random.default_rng(2).normal(size=(5000, 3))
    for width in (1, 4, 399, 5000):
        sums, counts = sig.box_sums(x, width)
        c = np.zeros((5001, 3))
        np.cumsum(x, axis=0, out=c[1:])
        h = width // 2
        i = np.arange(5000)
        lo, hi = np.clip(i - h, 0, 5000), np.clip(i - h + width, 0, 5000)
        assert np.array_equal(sums, c[hi] - c[lo]) and np.array_equal(counts, hi - lo)


def test_clipped_fraction_is_row_any():
    acc = np.round(np.random.default_rng(3).normal(size=(3000, 3)) * 20, 0)
    peak = np.max(np.abs(acc))
    assert _clipped_fraction(acc) == float(np.mean(np.any(np.abs(acc) >= 0.995 * peak, axis=1)))
    assert _clipped_fraction(np.zeros((10, 3))) == 0.0


def test_cadence_track_lags_from_full_autocorrelation():
    fs = 100.0
    t = np.arange(0, 60, 1 / fs)
    x = np.sin(2 * np.pi * t / 0.7) + 0.5 * np.sin(2 * np.pi * t / 0.35) + np.random.default_rng(4).normal(0, 0.3, t.size)
    tr = cadence_track(x, fs)
    # the full normalised autocorrelation, as before the lag band was cut out
    win, hop = 800, 200
    frames = np.lib.stride_tricks.sliding_window_view(x, win)[::hop]
    frames = frames - frames.mean(axis=1, keepdims=True)
    spec = np.fft.rfft(frames, 2048, axis=1)
    ac = np.fft.irfft(spec * np.conj(spec), 2048, axis=1)[:, :win] / (win - np.arange(win))[None, :]
    r = ac / ac[:, :1]
    rows = np.arange(r.shape[0])
    assert np.array_equal(tr.r_step, r[rows, np.argmax(r[:, 25:72], axis=1) + 25])
    assert np.array_equal(tr.r_stride, r[rows, np.argmax(r[:, 50:142], axis=1) + 50])


def test_foot_events_strike_pattern_is_object():
    """The detector's strike patterns are object, as EVENT_COLUMNS declares (no string-dtype round trip)."""
    from gaitload.events.foot import EVENT_COLUMNS, detect_foot_events
    from test_events_foot import _walk_like

    ev, _ = detect_foot_events(*_walk_like(200.0, 20.0), 200.0)
    assert len(ev) and ev["strike_pattern"].dtype == EVENT_COLUMNS["strike_pattern"]


@pytest.mark.parametrize("n", [40_000, 40_001, 360_000])
def test_median_of_tied_clock_steps_is_numpy(n):
    """Tied data whose bracket ends are one value (a clock's ~20 distinct steps) take the
    counting path of gaitload._select; the median and percentiles stay numpy's, bit for bit,
    also where the middle ranks straddle two values or sit at zero (-0.0 and 0.0 tie)."""
    from gaitload import _select

    rng = np.random.default_rng(n)
    steps = 0.01 + np.round(rng.normal(0, 1e-6, 20), 9)
    clock = rng.choice(steps, size=n, p=np.r_[0.5, np.full(19, 0.5 / 19)])
    straddle = np.where(np.arange(n) < n // 2, steps[0], steps[1])  # middle ranks on two values
    zeros = np.where(rng.random(n) < 0.5, -0.0, 0.0) + np.where(rng.random(n) < 0.05, 1.0, 0.0)
    for x in (clock, straddle, zeros, rng.permutation(straddle)):
        assert _select.median(x) == np.median(x)
        assert np.signbit(_select.median(x)) == np.signbit(np.median(x))
        assert np.array_equal(_select.percentile(x, [30.0, 50.0, 70.0]), np.percentile(x, [30.0, 50.0, 70.0]))


def _first_crossing_below_matrix(x, starts, stops, level, max_width=None):
    """first_crossing_below by the index matrix (the way every level was handled before)."""
    idx, valid, _ = sig._window_matrix(starts, stops, x.size, max_width)
    below = (np.take(x, idx) < np.asarray(level, dtype=np.float64)) & valid
    return np.where(below.any(axis=1), idx[np.arange(idx.shape[0]), np.argmax(below, axis=1)], -1)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_first_crossing_below_one_level_is_index_matrix(seed):
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
            assert np.array_equal(got, _first_crossing_below_matrix(x, starts, stops, level, max_width))


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


def _vertical_specific_force_reference(acc, fs, gravity_window_s=4.0):
    """The plain expression: gathered cumulative sums of the (n, 3) array and np.linalg.norm."""
    n = acc.shape[0]
    win = int(max(3, min(n, round(gravity_window_s * fs))))
    c = np.vstack([np.zeros((1, 3)), np.cumsum(acc, axis=0)])
    i = np.arange(n)
    lo = np.clip(i - win // 2, 0, n)
    hi = np.clip(i - win // 2 + win, 0, n)
    grav = (c[hi] - c[lo]) / (hi - lo)[:, None]
    norm = np.linalg.norm(grav, axis=1)
    norm[norm == 0] = 1.0
    return np.einsum("ij,ij->i", acc, grav) / norm


@pytest.mark.parametrize("n", [1, 2, 3, 10, 399, 400, 401, 5000, 50_001])
def test_lumbar_vertical_specific_force_is_reference(n):
    from gaitload.events.lumbar import _vertical_specific_force

    rng = np.random.default_rng(n)
    acc = rng.normal(size=(n, 3)) * 3 + np.array([0.5, -1.0, 9.6])
    for fs in (100.0, 400.0):
        assert np.array_equal(_vertical_specific_force(acc, fs), _vertical_specific_force_reference(acc, fs))
    assert np.array_equal(_vertical_specific_force(np.zeros((n, 3)), 100.0),
                          _vertical_specific_force_reference(np.zeros((n, 3)), 100.0))


def test_row_norm_left_to_right_is_linalg_norm():
    # the lumbar detector's gravity norm adds the three squares left to right, as the length-3
    # reduction of np.linalg.norm(axis=1) does
    g = np.random.default_rng(3).normal(size=(200_001, 3)) * np.geomspace(1e-3, 1e3, 200_001)[:, None]
    g0, g1, g2 = g[:, 0], g[:, 1], g[:, 2]
    assert np.array_equal(np.sqrt(g0 * g0 + g1 * g1 + g2 * g2), np.linalg.norm(g, axis=1))


def _moving_std_reference(x, width):
    n = x.size
    width = int(max(1, min(width, n)))
    xc = x - np.mean(x)
    c1 = np.concatenate([[0.0], np.cumsum(xc)])
    c2 = np.concatenate([[0.0], np.cumsum(xc * xc)])
    lo = np.clip(np.arange(n) - width // 2, 0, n - width)
    hi = lo + width
    m = (c1[hi] - c1[lo]) / width
    return np.sqrt(np.maximum((c2[hi] - c2[lo]) / width - m * m, 0.0))


@pytest.mark.parametrize("n,width", [(1, 1), (5, 2), (10, 10), (10, 1), (11, 4), (1000, 100), (1000, 5000), (20_001, 101)])
def test_lumbar_moving_std_is_gathered_cumsums(n, width):
    from gaitload.events.lumbar import _moving_std

    x = np.random.default_rng(n + width).normal(size=n) * 0.3 + 1.0
    assert np.array_equal(_moving_std(x, width), _moving_std_reference(x, width))


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
    from gaitload.events.lumbar import _gather

    rng = np.random.default_rng(n)
    x = rng.normal(size=n)
    for width in (1, 3, 17, 100, 200):
        for start in (rng.integers(-50, n + 50, 40), rng.integers(0, max(1, n - width), 40),
                      np.zeros(0, int), np.array([-3]), np.array([n])):
            ref = x[np.clip(start[:, None] + np.arange(width)[None, :], 0, n - 1)]
            got = _gather(x, start, width)
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
