"""events.peaks against the scipy calls it replaces, on real foot-IMU signals and edge cases.

scipy is a test dependency, so every comparison is with scipy itself: the signals the foot
detector really hands these functions on real recordings (gaitmap shoe IMU, Xsens foot IMU),
raw sensor channels, and hand-made edge cases (plateaus, NaN, infinities, short arrays).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from scipy import fft as sfft
from scipy import ndimage, signal, special
from xsens import read_xsens

from gaitload.events import foot_stages, peaks, strike
from gaitload.events.foot import detect_foot_events

FS_GAITMAP = 204.8


def _gaitmap_sensor(shared_data, side):
    df = pd.read_csv(shared_data / "gaitmap-example-data" / "example_data" / "imu_sample.csv", header=[0, 1],
                     index_col=0)
    acc = df[side][["acc_x", "acc_y", "acc_z"]].to_numpy()
    gyr = np.deg2rad(df[side][["gyr_x", "gyr_y", "gyr_z"]].to_numpy())
    return np.arange(len(acc)) / FS_GAITMAP, acc, gyr, FS_GAITMAP


def _xsens_sensor(shared_data, trial, sensor):
    t, acc, gyr, _ = read_xsens(shared_data, trial, sensor)
    return t, acc, gyr, 100.0


@pytest.fixture(scope="module")
def real_recordings(shared_data):
    """(name, time_s, acc, gyr, fs) of two shoe sensors (gaitmap) and four Xsens foot sensors."""
    out = [(f"gaitmap {s}", *_gaitmap_sensor(shared_data, s)) for s in ("left_sensor", "right_sensor")]
    out += [(f"xsens {k} {s}", *_xsens_sensor(shared_data, k, s)) for k, s in (("1-1", "lf"), ("1-2", "rf"),
                                                                               ("2-1", "lf"), ("2-3", "rf"))]
    return out


@pytest.fixture(scope="module")
def detector_calls(real_recordings):
    """Every call the foot detector makes to events.peaks / strike.erf on the real recordings,
    with its arguments (the detector runs with spies in place of the functions)."""
    calls = []
    names = [(peaks, "find_peaks"), (peaks, "running_max"), (peaks, "running_min"), (peaks, "running_median"),
             (strike, "erf")]
    saved = [(mod, name, getattr(mod, name)) for mod, name in names]

    def spy(name, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            calls.append((name, [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args],
                          dict(kwargs)))
            return func(*args, **kwargs)
        return wrapper

    try:
        for mod, name, func in saved:
            setattr(mod, name, spy(name, func))
        for _, t, acc, gyr, fs in real_recordings:
            detect_foot_events(t, acc, gyr, fs, "foot")
    finally:
        for mod, name, func in saved:
            setattr(mod, name, func)
    return calls


def test_find_peaks_matches_scipy_on_the_detectors_real_signals(detector_calls):
    seen = 0
    for name, args, kwargs in detector_calls:
        if name != "find_peaks":
            continue
        x = args[0]
        expected = signal.find_peaks(x, **kwargs)[0]
        assert np.array_equal(peaks.find_peaks(x, **kwargs), expected), kwargs
        seen += "distance" in kwargs
    # the swing peaks (height and distance) of each of the six sensors, besides the
    # autocorrelation peaks of the period search
    assert seen == 6


def _close_tie(x, height, distance):
    """Whether two candidate peaks closer than ``distance`` have the same height (scipy's
    choice between them depends on its sort, which is not stable)."""
    cand = signal.find_peaks(x, height=height)[0]
    order = np.lexsort((cand, x[cand]))
    same = np.flatnonzero(x[cand[order]][1:] == x[cand[order]][:-1])
    return bool(np.any(np.abs(cand[order][same + 1] - cand[order][same]) < np.ceil(distance)))


@pytest.mark.parametrize("distance", [None, 1, 2.5, 7, 40, 150])
@pytest.mark.parametrize("height", [None, 0.0, 1.0])
def test_find_peaks_matches_scipy_on_raw_channels(real_recordings, height, distance):
    """Every axis of every sensor, unfiltered (noisy: many close peaks for the distance rule).

    Where two close candidates tie, scipy's pick is arbitrary: the answer must then be the
    greedy rule's with the earlier peak first (and such ties must be rare)."""
    ties = 0
    for name, _, acc, gyr, _ in real_recordings:
        for x in (*acc.T, *gyr.T):
            got = peaks.find_peaks(x, height=height, distance=distance)
            if distance is not None and _close_tie(x, height, distance):
                ties += 1
                assert np.array_equal(got, _greedy_reference(x, height, distance)), name
            else:
                assert np.array_equal(got, signal.find_peaks(x, height=height, distance=distance)[0]), name
    assert ties <= 18  # at least half of the 36 channels are compared with scipy itself


@pytest.mark.parametrize("x, expected", [
    ([], []), ([1.0], []), ([0.0, 1.0], []), ([0.0, 1.0, 0.0], [1]),
    ([1.0, 1.0, 1.0], []),                                 # flat: no maximum
    ([0.0, 2.0, 2.0, 0.0], [1]),                           # even plateau: middle rounded down
    ([0.0, 2.0, 2.0, 2.0, 0.0], [2]),                      # odd plateau: its middle
    ([0.0, 2.0, 2.0, 3.0, 3.0, 1.0], [3]),                 # a step up is no maximum
    ([0.0, 2.0, 2.0], []), ([2.0, 2.0, 0.0], []),          # plateaus at the ends
    ([0.0, np.nan, 1.0, 0.0], []), ([0.0, 1.0, np.nan, 0.0], []), ([0.0, 1.0, 1.0, np.nan, 0.0], []),
    ([0.0, np.inf, np.inf, 0.0], [1]),                     # a plateau of infinities
    ([-np.inf, -np.inf, 0.0, -np.inf], [2]),
    ([0.0, 1.0, 0.0, 1.0, 0.0, 5.0, 5.0, 5.0, 5.0, 5.0, 0.0], [1, 3, 7]),
])
def test_local_maxima_edge_cases(x, expected):
    x = np.asarray(x, dtype=float)
    assert signal.find_peaks(x)[0].tolist() == expected  # the cases mean what scipy says
    assert peaks.find_peaks(x).tolist() == expected


def test_find_peaks_height_keeps_peaks_at_the_height():
    x = np.array([0.0, 1.0, 0.0, 2.0, 0.0, 3.0, 0.0])
    assert peaks.find_peaks(x, height=2.0).tolist() == signal.find_peaks(x, height=2.0)[0].tolist() == [3, 5]


def test_find_peaks_distance_is_rounded_up_and_strict():
    x = np.array([0.0, 3.0, 0.0, 2.0, 0.0, 1.0, 0.0])  # peaks 2 samples apart
    for d in (1, 2, 2.1, 3, 4, 4.5):
        assert peaks.find_peaks(x, distance=d).tolist() == signal.find_peaks(x, distance=d)[0].tolist(), d


def _greedy_reference(x, height, distance):
    """scipy's rule written out peak by peak, with equal heights ordered earlier-first."""
    cand = signal.find_peaks(x, height=height)[0]
    reach = int(np.ceil(distance))
    keep = np.ones(cand.size, dtype=bool)
    for k in sorted(range(cand.size), key=lambda k: (-x[cand[k]], cand[k])):
        if keep[k]:
            near = np.abs(cand - cand[k]) < reach
            near[k] = False
            keep[near] = False
    return cand[keep]


def test_find_peaks_distance_rule_with_ties_and_rising_runs():
    """Integer signals (many equal heights) and ramps (peaks rising one above the other, the most
    rounds): the greedy rule, ties going to the earlier peak."""
    rng = np.random.default_rng(7)
    for trial in range(400):
        n = int(rng.integers(3, 300))
        if trial % 2:
            x = rng.integers(0, 4, size=n).astype(float)
        else:
            x = np.cumsum(rng.normal(size=n)) + rng.uniform(0.0, 1.0) * np.arange(n)
        distance = float(rng.uniform(1.0, 40.0))
        height = None if trial % 3 else 1.0
        assert np.array_equal(peaks.find_peaks(x, height=height, distance=distance),
                              _greedy_reference(x, height, distance)), trial


def test_find_peaks_rejects_a_distance_below_one_sample():
    with pytest.raises(ValueError, match="distance"):
        peaks.find_peaks(np.array([0.0, 1.0, 0.0, 1.0, 0.0]), distance=0.5)


def test_running_extrema_match_ndimage_in_the_detector(detector_calls):
    """The forward maximum of the foot detector's rate norm (mode "nearest")."""
    seen = 0
    for name, args, kwargs in detector_calls:
        if name in ("running_max", "running_min"):
            nd = ndimage.maximum_filter1d if name == "running_max" else ndimage.minimum_filter1d
            x, size = args[0], args[1]
            got = getattr(peaks, name)(x, size, **kwargs)
            assert np.array_equal(got, nd(x, size, mode="nearest", **kwargs))
            seen += 1
    assert seen == 6


@pytest.mark.parametrize("size", [1, 2, 3, 5, 6, 13, 32, 33, 100, 1000])
def test_running_extrema_match_ndimage_on_real_signals(real_recordings, size):
    for _, _, acc, gyr, _ in real_recordings[:3]:
        x = np.linalg.norm(gyr, axis=1)
        for origin in sorted({-(size // 2), 0, (size - 1) // 2}):
            assert np.array_equal(peaks.running_max(x, size, origin=origin),
                                  ndimage.maximum_filter1d(x, size, mode="nearest", origin=origin))
            assert np.array_equal(peaks.running_min(x, size, origin=origin),
                                  ndimage.minimum_filter1d(x, size, mode="nearest", origin=origin))


@pytest.mark.parametrize("size", [1, 2, 6, 13, 25])
def test_running_extrema_along_rows_with_infinite_padding(real_recordings, size):
    """The shank detector's use: rows of windows padded with -inf / +inf, along axis 1, as
    ndimage's constant mode with that value."""
    _, _, acc, _, _ = real_recordings[0]
    rows = acc[: 40 * 150, 2].reshape(40, 150).copy()
    rows[::3, :17] = -np.inf
    rows[1::3, -9:] = np.inf
    for origin in sorted({-(size // 2), 0}):
        assert np.array_equal(
            peaks.running_max(rows, size, axis=1, origin=origin),
            ndimage.maximum_filter1d(rows, size, axis=1, mode="constant", cval=-np.inf, origin=origin))
        assert np.array_equal(
            peaks.running_min(rows, size, axis=1, origin=origin),
            ndimage.minimum_filter1d(rows, size, axis=1, mode="constant", cval=np.inf, origin=origin))
    assert np.array_equal(peaks.running_max(rows, size, axis=0), ndimage.maximum_filter1d(rows, size, axis=0,
                                                                                          mode="nearest"))


@pytest.mark.parametrize("n", [1, 2, 3, 7])
def test_running_extrema_windows_longer_than_the_signal(n):
    x = np.arange(n, dtype=float)[::-1] ** 2
    for size in (n, n + 1, 3 * n + 2):
        for origin in (-(size // 2), 0, (size - 1) // 2):
            assert np.array_equal(peaks.running_max(x, size, origin=origin),
                                  ndimage.maximum_filter1d(x, size, mode="nearest", origin=origin))


def test_running_extrema_reject_a_window_off_its_sample():
    with pytest.raises(ValueError, match="origin"):
        peaks.running_max(np.zeros(5), 4, origin=-3)


def test_running_median_matches_ndimage(detector_calls, real_recordings):
    medians = [args for name, args, _ in detector_calls if name == "running_median"]
    assert len(medians) == 6  # the local stride period of each sensor
    for x, size in medians:
        assert np.array_equal(peaks.running_median(x, size), ndimage.median_filter(x, size=size, mode="nearest"))
    x = real_recordings[0][3][:, 1]
    for n in range(0, 12):
        for size in (1, 3, 5, 7):
            assert np.array_equal(peaks.running_median(x[:n], size),
                                  ndimage.median_filter(x[:n], size=size, mode="nearest"))


def test_next_fast_len_matches_scipy():
    for n in list(range(1, 3000)) + [2**20 - 1, 2**20 + 1, 737_280 + 311, 10**7 + 19]:
        assert peaks.next_fast_len(n) == sfft.next_fast_len(n, real=True), n


def test_erf_matches_scipy():
    x = np.concatenate([np.linspace(-7.0, 7.0, 140_001), [0.0, 1e-300, 1e-8, 1.5, np.nextafter(1.5, 0.0), 30.0,
                                                           1e300]])
    ref = special.erf(x)
    assert np.max(np.abs(strike.erf(x) - ref)) < 2e-15
    assert np.max(np.abs(strike.erf(x) - ref) / np.maximum(np.abs(ref), 1e-300)) < 2e-15
    assert strike.erf(np.array([np.inf, -np.inf])).tolist() == [1.0, -1.0]
    assert np.isnan(strike.erf(np.array([np.nan]))).all()
    assert strike.erf(0.5).shape == () and strike.erf(np.zeros((2, 3))).shape == (2, 3)


def test_strike_confidence_on_real_strides_matches_scipy(detector_calls):
    args = [a[0] for name, a, _ in detector_calls if name == "erf"]
    assert len(args) == 6 and sum(a.size for a in args) > 100  # one per contact
    for a in args:
        assert np.allclose(strike.erf(a), special.erf(a), rtol=0.0, atol=2e-15, equal_nan=True)


def test_detector_modules_do_not_import_scipy_themselves():
    """The foot stages, the shank toe-off and the strike classification name no scipy module at
    import (the Butterworth filters of events.filters are the only scipy on the foot path)."""
    from gaitload.events import foot_shank

    for mod in (foot_stages, foot_shank, strike, peaks):
        assert not any(getattr(v, "__name__", "").startswith("scipy") for v in vars(mod).values()), mod.__name__
