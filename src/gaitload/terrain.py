"""Terrain under every foot strike: distance, robust grade, uphill/flat/downhill segments.

Pipeline (one direction, vectorised over whole arrays, cost linear in recording length):

1. **Distance** from the best source present (:func:`cumulative_distance`): the device's distance
   channel (monotonic repair), the integral of the speed channel (trapezoid), GPS great-circle
   distance (haversine, position jumps faster than ``max_speed_mps`` rejected), or the cumulative
   foot-IMU stride length of the steps table.
2. **Altitude on a distance grid** (every ``grid_step_m``): only samples taken while moving
   (distance grows, speed above ``standstill_speed_mps``) enter, so pauses and standstill never
   create grade. Sentinels (-500 m, 0-dropouts, constant channels) are refused, GPS spikes are
   rejected against a running median (|residual| > ``spike_k_sigma`` robust sigmas) and
   barometric steps (an altitude jump with no matching distance change, e.g. weather drift during
   an auto-pause) are removed.
3. **Grade**. Barometric altitude (sigma_h ~0.1-0.5 m): the least-squares slope of altitude
   over a window of ``window_m`` metres centred on each grid point (the first-derivative
   Savitzky-Golay filter of Savitzky & Golay 1964, as a weighted local linear regression so gaps
   carry no weight); literature.md 4.3 (sigma_grade ~ sqrt(2) sigma_h / window) gives 0.7 % at
   100 m. GPS altitude (sigma_h ~3-5 m, correlated over 30-60 s, i.e. over 100-200 m of
   running): a window long enough to bring that below 2 % (>= 400 m) flattens every hill shorter
   than itself and smears the grade across the foot and the top of each climb, which alone cost
   1-2 points of RMSE and 3-6 % of class agreement on road-like courses without any noise. GPS
   altitude therefore goes through an **L1 trend filter** (Kim, Koh, Boyd & Gorinevsky 2009):
   the piecewise-linear altitude with few kinks, i.e. piecewise-constant grade, which is how
   roads and paths are laid out (constant-grade tangents joined by short vertical curves). Its
   kink penalty is scaled down when the residual noise is low; a light Whittaker-Eilers pass
   (Eilers 2003, 300 m cutoff) then rounds the kinks into vertical curves. Grade is clipped to
   +-``max_abs_grade_pct`` (literature.md 3.3, beyond that: hiking/scrambling) with a warning;
   the clip applies to the grade only, never to the altitude profile.
4. **Classes** uphill / flat / downhill with a flat band (Runalyze 2 %, Elevate +-1.6 %;
   research/peers.md 15.5), a hysteresis dead band and a minimum segment length; segments table.
5. **Elevation gain / loss** by hysteresis (persistence) counting of the turning points of the
   altitude profile: lightly smoothed barometric altitude (30 m, 2 m hysteresis), or the trend
   filter's own profile for GPS (it keeps hill tops and valley floors at full height; 4 m
   hysteresis). Swings smaller than the hysteresis are removed, so the noise cannot accumulate
   gain (GoldenCheetah#1536-class bugs) while full hill amplitudes count. Steep climbs are kept:
   an altitude jump is only removed as a barometric step when it happens across a pause, and
   the climb across a data gap counts (a straight bridge), as in device and gpxpy totals.

Known incline (treadmill; a constant, a schedule, or the recording's ``incline`` channel)
overrides altitude. Without altitude, a foot IMU's strapdown stride rise and length give grade.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import ndimage
from scipy.linalg import solveh_banded

from .errors import OptionError, ResourceLimitError
from .geodesy import haversine_m  # re-exported: terrain.haversine_m is public
from .recording import Recording, nan_runs
from .schema import SEGMENT_COLUMNS, empty_segments, float_column, measured_column

__all__ = [
    "TerrainOptions",
    "TerrainResult",
    "compute_terrain",
    "cumulative_distance",
    "haversine_m",
    "local_linear_fit",
    "whittaker_smooth",
    "l1_trend_filter",
    "classify_grade",
    "elevation_gain_loss",
    "clean_altitude",
]


@dataclass
class TerrainOptions:
    """Tuning of :func:`compute_terrain`. Every default says where it comes from.

    Attributes
    ----------
    grid_step_m : float
        Spacing of the distance grid, m (5 m: finer than any window, ~2 strides).
    window_m_barometric : float
        Grade window for barometric altitude, m. literature.md 4.3: barometer sigma_h ~ 0.5 m
        gives sigma_grade ~ 0.7 % at 100 m.
    window_m_gps : float
        Grade window for GPS altitude with ``gps_smoother="local_linear"``, m. literature.md
        4.3: sigma_h ~ 5 m needs 200-400 m
        (1.8 % at 400 m). 400 m: on simulated GPS altitude (sigma 5 m, correlated over 60 s)
        the grade RMSE was 2.5 points at 300 m and 2.2 at 400 m, with hills >= 300 m long.
    gps_smoother : str
        How GPS-like altitude becomes grade: ``"trend_filter"`` (default: L1 trend filter +
        light Whittaker pass, :func:`l1_trend_filter`) or ``"local_linear"`` (the windowed
        regression used for barometric altitude, with ``window_m_gps``). On synthetic courses
        built like roads (constant-grade stretches of 250-1800 m, grades to 12 %, 40 m
        transitions) with GPS altitude noise of 3-5 m correlated over 30-60 s, the trend filter
        gave grade RMSE 1.5-1.8 points and class agreement 0.92-0.93 (mean of 4 loops) against
        1.8-2.6 and 0.77-0.88 for the 400 m local linear fit (tests/test_terrain.py). The local
        linear fit is better on courses that are sums of sinusoids with no straight grade
        (simulate_run's "hilly": RMSE 2.5 against 3.0 points).
    trend_filter_lambda_m : float
        Kink penalty of the L1 trend filter on a 5 m grid, m. Tuned on the synthetic road
        loops above at sigma_h 4 m over 60 s: 1000 -> RMSE 1.89 / agreement 0.87, 3000 ->
        1.70 / 0.92, 10000 -> 1.98 / 0.91 (kinks missed); 3000 is the minimum of the RMSE.
    trend_filter_noise_ref_m : float or None
        Residual altitude noise (robust std of altitude minus the first trend-filter pass, m)
        at which ``trend_filter_lambda_m`` applies; below it the penalty of a second pass is
        scaled by (noise / this)^2, down to x0.25 (the tuning courses with sigma_h 4 m over 60 s
        leave 2.5-2.9 m of residual; with sigma_h 1.5 m the grade RMSE falls from 1.31 to 1.10
        points). Never raised: the residual also holds terrain curvature that the straight
        pieces miss. ``None``: one pass with the fixed penalty.
    gps_polish_cutoff_m : float
        Half-power wavelength of the Whittaker pass after the trend filter, m (turns its kinks
        into the ~100-300 m vertical curves of real roads; 300 m gave the lowest RMSE of
        200-500 m).
    window_m_unknown : float or None
        Window for altitude of unknown source. ``None`` (default): estimate the high-frequency
        noise of the altitude on the grid (robust std of the residual of a 50 m local linear fit)
        and use the barometric window when it is below ``barometric_noise_max_m``, else the GPS
        window (unknown is treated as GPS unless the data look barometric).
    barometric_noise_max_m : float
        High-frequency residual std (m) below which unknown altitude is treated as barometric
        (barometers: ~0.1-0.5 m; GPS: several metres). Judgement between the two.
    kernel : str
        Weights of the local linear regression over the window: ``"epanechnikov"`` (default;
        on simulated GPS altitude it gave 2.3-2.4 points RMSE at 400 m against 2.2-2.6 for
        plain least squares, and the same with a barometer) or ``"boxcar"`` (Savitzky-Golay).
    window_m_imu : float
        Window for foot-IMU strapdown grade, m (brief: 20-50 m; IMU rise has no GPS noise but
        drifts per stride, so a short window suffices).
    flat_band_pct : float
        |grade| below this is flat, % (Runalyze 2 %; Elevate uses 1.6 %; peers.md 15.5).
    hysteresis_pct : float
        Width of the dead band centred on +-``flat_band_pct``, %: a class changes only when the
        grade crosses the far edge (judgement: ~ the grade noise with a barometer).
    min_segment_m : float
        Terrain runs shorter than this are merged into their neighbours, m. Judgement: half the
        barometric window (a shorter run is below what the grade resolves); on simulated hilly
        courses 100 m cost 5-8 points of class agreement with the truth, 50 m 1-2.
    max_abs_grade_pct : float
        Grade clip, % (literature.md 3.3: +-25 %; steeper is hiking/scrambling).
    standstill_speed_mps : float
        Below this speed a sample is standing, not moving, m/s (slow walking ~1 m/s).
    max_speed_mps : float
        GPS position jumps implying a faster speed are rejected, m/s (brief: 12 m/s, faster than
        any runner's sustained speed).
    spike_window_m : float
        Length of the running median that GPS altitude spikes are measured against, m.
    spike_k_sigma : float
        A sample whose |altitude - running median| exceeds this many robust sigmas (MAD x 1.4826)
        and ``spike_min_m`` is a spike and is dropped.
    spike_min_m : float
        Smallest residual, m, that can be a spike (a barometer's sigma is ~0.1 m, so k sigmas
        alone would flag real terrain texture).
    pause_min_s : float
        A gap between consecutive moving samples longer than this (and than 3 median sample
        intervals) is a pause, across which an altitude step is pressure drift, s (auto-pause
        and smart recording leave gaps of tens of seconds; 1 Hz and smart-recording intervals
        are 1-7 s).
    step_min_m : float
        Smallest altitude jump between consecutive moving samples, m, that can be a step (a jump
        steeper than ``max_abs_grade_pct`` over the distance covered by more than this).
    max_gap_m : float
        Altitude gaps (in distance) up to this long are interpolated; longer ones stay unknown, m.
    gain_window_m_barometric, gain_window_m_gps : float
        Light smoothing before gain/loss counting, m (short: a window attenuates hill amplitude,
        hysteresis does the rest).
    gain_hysteresis_m_barometric, gain_hysteresis_m_gps : float
        Minimum vertical swing counted as climb or descent, m. Barometric 2 m: several times
        the barometer's noise after smoothing. GPS 4 m: on the trend-filtered profile the noise
        left is in a few long, low swings; on the road-like test loops (sigma_h 3-5 m) 2, 4 and
        8 m gave worst-case gain errors of 5.2, 5.8 and 7.3 % (4 m: no bias at sigma_h 4 m).
        Used with ``gps_smoother="local_linear"`` a GPS hysteresis near 2 sigma_h (10 m) is
        needed, as the smoothed profile keeps more of the noise.
    """

    grid_step_m: float = 5.0
    window_m_barometric: float = 100.0
    window_m_gps: float = 400.0
    window_m_unknown: float | None = None
    gps_smoother: str = "trend_filter"
    trend_filter_lambda_m: float = 3000.0
    trend_filter_noise_ref_m: float | None = 2.7
    gps_polish_cutoff_m: float = 300.0
    barometric_noise_max_m: float = 1.0
    window_m_imu: float = 30.0
    kernel: str = "epanechnikov"
    flat_band_pct: float = 2.0
    hysteresis_pct: float = 0.5
    min_segment_m: float = 50.0
    max_abs_grade_pct: float = 25.0
    standstill_speed_mps: float = 0.5
    max_speed_mps: float = 12.0
    spike_window_m: float = 40.0
    spike_k_sigma: float = 5.0
    spike_min_m: float = 3.0
    pause_min_s: float = 10.0
    step_min_m: float = 1.0
    max_gap_m: float = 200.0
    gain_window_m_barometric: float = 30.0
    gain_window_m_gps: float = 150.0
    gain_hysteresis_m_barometric: float = 2.0
    gain_hysteresis_m_gps: float = 4.0

    def validate(self) -> None:
        """Raise :class:`OptionError` for a value no computation can use."""
        positive = ["grid_step_m", "window_m_barometric", "window_m_gps", "window_m_imu",
                    "max_abs_grade_pct", "max_speed_mps", "spike_window_m", "spike_k_sigma",
                    "gain_window_m_barometric", "gain_window_m_gps", "trend_filter_lambda_m",
                    "gps_polish_cutoff_m"]
        for name in positive:
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and np.isfinite(value) and value > 0):
                raise OptionError(f"terrain option {name} must be a positive number, got {value!r}")
        nonneg = ["flat_band_pct", "hysteresis_pct", "min_segment_m", "standstill_speed_mps",
                  "spike_min_m", "step_min_m", "pause_min_s", "max_gap_m", "barometric_noise_max_m",
                  "gain_hysteresis_m_barometric", "gain_hysteresis_m_gps"]
        for name in nonneg:
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and np.isfinite(value) and value >= 0):
                raise OptionError(f"terrain option {name} must be a number >= 0, got {value!r}")
        if self.trend_filter_noise_ref_m is not None and not (
                np.isfinite(self.trend_filter_noise_ref_m) and self.trend_filter_noise_ref_m > 0):
            raise OptionError("terrain option trend_filter_noise_ref_m must be positive or None, "
                              f"got {self.trend_filter_noise_ref_m!r}")
        if self.window_m_unknown is not None and not (np.isfinite(self.window_m_unknown) and self.window_m_unknown > 0):
            raise OptionError(f"terrain option window_m_unknown must be positive or None, got {self.window_m_unknown!r}")
        if self.gps_smoother not in ("trend_filter", "local_linear"):
            raise OptionError(f"terrain option gps_smoother must be 'trend_filter' or 'local_linear', "
                              f"got {self.gps_smoother!r}")
        if self.kernel not in ("epanechnikov", "boxcar"):
            raise OptionError(f"terrain option kernel must be 'epanechnikov' or 'boxcar', got {self.kernel!r}")
        if self.hysteresis_pct >= 2 * self.flat_band_pct and self.flat_band_pct > 0:
            raise OptionError("terrain option hysteresis_pct must be smaller than twice flat_band_pct")


@dataclass
class TerrainResult:
    """What :func:`compute_terrain` returns.

    Attributes
    ----------
    steps : DataFrame
        Copy of the steps with ``distance_m``, ``altitude_m``, ``grade_pct``, ``terrain`` and
        ``speed_mps`` filled.
    segments : DataFrame
        Columns of :data:`gaitload.schema.SEGMENT_COLUMNS`.
    profile : DataFrame
        The distance grid: ``distance_m``, ``time_s``, ``altitude_m`` (smoothed), ``grade_pct``,
        ``terrain``.
    distance_m, elevation_gain_m, elevation_loss_m : float
        Totals (NaN when unknown).
    provenance : dict
        ``distance``, ``altitude``, ``grade`` sources and ``window_m`` used (for the GPS trend
        filter: the cutoff of its rounding pass).
    warnings : list of str
    """

    steps: pd.DataFrame
    segments: pd.DataFrame
    profile: pd.DataFrame
    distance_m: float
    elevation_gain_m: float
    elevation_loss_m: float
    provenance: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)


# ------------------------------------------------------------------------------------------------
# distance
# ------------------------------------------------------------------------------------------------
#: Longest distance put on one terrain grid (m): a multi-week ultra is ~5,000 km; beyond this the
#: distance is garbled, and the grid (one cell per few metres) would exhaust memory.
_MAX_GRID_DISTANCE_M = 20_000_000.0

def _fill_nan_linear(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ok = np.isfinite(y)
    if ok.all() or not ok.any():
        return y
    return np.interp(x, x[ok], y[ok])


def _repair_device_distance(time_s: np.ndarray, dist: np.ndarray, opts: TerrainOptions,
                            warnings: list) -> np.ndarray:
    """Make a device distance counter monotonic: counter resets continue from the last value,
    small backward jitter is held (cumulative maximum), impossible jumps are capped."""
    d = _fill_nan_linear(time_s, dist.astype(float))
    if not np.isfinite(d).any():
        return d
    d = d - d[0] if np.isfinite(d[0]) else d
    inc = np.diff(d)
    # a reset: the counter falls by more than half its value (and > 50 m): the activity
    # continues, so the increment across it is the new value, not a negative leap
    prev = d[:-1]
    reset = inc < -np.maximum(50.0, 0.5 * np.abs(prev))
    if reset.any():
        # after a reset the counter restarts near 0: the increment across it is unknown but
        # small (one sample), so it counts as 0
        warnings.append(f"distance counter reset {int(reset.sum())} time(s); continued from the last value")
        inc = np.where(reset, 0.0, inc)
    # jitter: negative increments are a counter correcting itself; the cumulative maximum holds
    cum = np.concatenate([[0.0], np.cumsum(inc)])
    mono = np.maximum.accumulate(cum)
    n_back = int(np.count_nonzero(np.diff(cum) < -0.5))
    if n_back:
        warnings.append(f"distance went backwards {n_back} time(s); held at its maximum")
    inc = np.diff(mono)
    dt = np.diff(time_s)
    too_fast = inc > opts.max_speed_mps * np.maximum(dt, 1e-9) + 5.0
    if too_fast.any():
        warnings.append(f"{int(too_fast.sum())} distance jump(s) faster than {opts.max_speed_mps:g} m/s capped")
        inc = np.where(too_fast, opts.max_speed_mps * dt, inc)
    return np.concatenate([[0.0], np.cumsum(inc)])


def _speed_integral(time_s: np.ndarray, speed: np.ndarray, gaps_s: np.ndarray) -> np.ndarray:
    v = _fill_nan_linear(time_s, speed.astype(float))
    v = np.clip(np.nan_to_num(v, nan=0.0), 0.0, None)
    inc = 0.5 * (v[1:] + v[:-1]) * np.diff(time_s)  # trapezoid
    if len(gaps_s):
        # no movement is assumed across a pause: the speed on both sides says nothing about it
        in_gap = np.isin(time_s[:-1], gaps_s[:, 0])
        inc[in_gap] = 0.0
    return np.concatenate([[0.0], np.cumsum(inc)])


def _gps_distance(time_s: np.ndarray, lat: np.ndarray, lon: np.ndarray, opts: TerrainOptions,
                  warnings: list) -> np.ndarray:
    ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    # (0, 0) is a "no fix" placeholder of some devices
    ok &= ~((lat == 0) & (lon == 0))
    idx = np.flatnonzero(ok)
    if idx.size < 2:
        return np.full(time_s.shape, np.nan)
    t, la, lo = time_s[idx], lat[idx], lon[idx]
    # a single wild fix makes two impossible jumps (out and back): drop fixes whose jumps in
    # and out are both faster than max_speed_mps, then measure again
    seg = haversine_m(la[:-1], lo[:-1], la[1:], lo[1:])
    vel = seg / np.maximum(np.diff(t), 1e-9)
    fast = vel > opts.max_speed_mps
    spike = np.zeros(idx.size, bool)
    spike[1:-1] = fast[:-1] & fast[1:]
    if spike.any():
        warnings.append(f"{int(spike.sum())} GPS position spike(s) faster than {opts.max_speed_mps:g} m/s rejected")
        keep = ~spike
        t, la, lo, idx = t[keep], la[keep], lo[keep], idx[keep]
        seg = haversine_m(la[:-1], lo[:-1], la[1:], lo[1:])
        vel = seg / np.maximum(np.diff(t), 1e-9)
    jump = vel > opts.max_speed_mps
    if jump.any():
        warnings.append(f"{int(jump.sum())} GPS position jump(s) faster than {opts.max_speed_mps:g} m/s not counted")
        seg = np.where(jump, 0.0, seg)
    d_fix = np.concatenate([[0.0], np.cumsum(seg)])
    # samples between fixes: distance holds until the next fix arrives (no movement invented)
    pos = np.searchsorted(t, time_s, side="right") - 1
    return np.where(pos >= 0, d_fix[np.clip(pos, 0, None)], 0.0)


def _local_speed(time_s: np.ndarray, dist: np.ndarray, half_window_s: float = 2.5) -> np.ndarray:
    """Speed from distance over a centred window, m/s (robust to 1 Hz quantisation).

    The distance at the window ends is ``np.interp(end, time_s, dist)``, the ends clipped to
    the recording. For a query equal to a sample time, np.interp returns that sample's distance
    itself (``time_s`` strictly increasing, as a recording's clock is), and on a regular clock
    the ends of sample i's window are the samples i - k and i + k (k: samples in a half
    window): those windows are two slices subtracted, bit for bit what np.interp gives. Such
    an end lies inside the recording, so the clip leaves it as it is and is only applied to
    the other windows (the ends clipped to the recording, clock jitter, gaps), which go
    through np.interp.
    """
    n = time_s.size
    if n < 2:
        return np.zeros_like(time_s)
    k = int(np.searchsorted(time_s, time_s[0] + half_window_s))
    m = n - 2 * k
    num = np.empty(n)
    on_samples = np.zeros(n, dtype=bool)
    if m > 0:
        inner = slice(k, n - k)
        hi_in = time_s[inner] + half_window_s
        lo_in = time_s[inner] - half_window_s
        np.equal(hi_in, time_s[2 * k:], out=on_samples[inner])
        on_samples[inner] &= lo_in == time_s[:m]
        np.subtract(dist[2 * k:], dist[:m], out=num[inner])
        # span of an on-sample window: hi - lo > 0, so the 1e-9 floor below never applies
        np.subtract(hi_in, lo_in, out=hi_in)
        num[inner] /= hi_in
    off = np.flatnonzero(~on_samples)
    t_off = time_s[off]
    lo = np.clip(t_off - half_window_s, time_s[0], time_s[-1])
    hi = np.clip(t_off + half_window_s, time_s[0], time_s[-1])
    num[off] = (np.interp(hi, time_s, dist) - np.interp(lo, time_s, dist)) / np.maximum(hi - lo, 1e-9)
    return num


def _zero_standstill_increments(time_s: np.ndarray, dist: np.ndarray, opts: TerrainOptions) -> np.ndarray:
    """GPS jitter and speed-sensor noise while standing must not add distance."""
    v = _local_speed(time_s, dist)
    inc = np.diff(dist)
    moving = (v[1:] >= opts.standstill_speed_mps) | (v[:-1] >= opts.standstill_speed_mps)
    return np.concatenate([[0.0], np.cumsum(np.where(moving, inc, 0.0))])


def _foot_labels(steps: pd.DataFrame) -> np.ndarray:
    """Foot labels as strings: ``"unknown"`` without the column and for a missing label (None,
    NaN, ``pd.NA``), as the detectors label a contact of unknown side.

    A column that already holds only strings (the detectors' output) is taken as it is: the
    conversion would return the same strings after building an Arrow string array.
    """
    if "foot" not in steps:
        return np.array(["unknown"] * len(steps))
    col = steps["foot"]
    if col.dtype == object and pd.api.types.infer_dtype(col, skipna=False) == "string":
        return col.to_numpy()
    missing = col.isna().to_numpy()
    labels = col.to_numpy(dtype=object, copy=True)
    if missing.any():  # pd.NA cannot be compared or sorted; NaN sorted with text fails too
        labels[missing] = "unknown"
    return labels.astype(str)


def _all_equal_first(values: np.ndarray) -> bool:
    """Whether every element of an object array equals its first one (a string).

    A missing label (None, NaN) compares unequal to a string, and ``pd.NA`` makes the compare
    raise TypeError: either way the answer is False, without the separate missing-value scan
    (``hasnans``, ~0.25 ms on 10,000 labels).
    """
    try:
        return bool((values == values[0]).all())
    except TypeError:  # pd.NA: "boolean value of NA is ambiguous"
        return False


def _feet_of(steps: pd.DataFrame, use: np.ndarray) -> list[np.ndarray]:
    """Steps of each foot label among the ``use`` steps: ``use & (labels == label)`` per label.

    Labels of :func:`_foot_labels`, in sorted order (np.unique's), from one hash pass over the
    column (pd.factorize) and integer compares, not a string compare of every step per label.
    """
    if "foot" not in steps:
        return [use] if use.any() else []  # "unknown" throughout
    col = steps["foot"]
    values = col.to_numpy()
    if col.dtype == object and values.size and isinstance(values[0], str) and _all_equal_first(values):
        return [use] if use.any() else []  # one label throughout (one sensor): no hashing
    feet = _foot_labels(steps)
    codes, labels = pd.factorize(feet, sort=True)  # no missing label left (see _foot_labels)
    present = np.flatnonzero(np.bincount(codes[use], minlength=len(labels)))
    return [use & (codes == c) for c in present]  # at most three feet labels


def _stride_distance(time_s: np.ndarray, steps: pd.DataFrame) -> np.ndarray | None:
    """Distance from the strapdown stride lengths of measured strides, m at ``time_s``.

    Each measured stride of one foot covers two steps' worth of distance (that foot's contact to
    its next contact), so one foot's cumulative stride length is already the whole distance. With
    both feet measured the two cumulative curves are averaged (not summed). A stride is placed
    from its own contact to the next contact of the same foot (gaitmap stride convention).
    """
    if steps is None or len(steps) == 0 or "stride_length_m" not in steps:
        return None
    sl = float_column(steps, "stride_length_m")
    t = float_column(steps, "time_s")
    use = measured_column(steps) & np.isfinite(t)
    curves = []
    for sel in _feet_of(steps, use):  # a loop over at most three feet labels
        sl_f, t_f = sl[sel], t[sel]
        if np.isfinite(sl_f).sum() < 2:
            continue
        order = np.argsort(t_f)
        sl_f, t_f = sl_f[order], t_f[order]
        # a missing stride length inside a run of good ones: the median of its foot's strides
        sl_f = np.where(np.isfinite(sl_f) & (sl_f >= 0), sl_f, np.nanmedian(sl_f))
        # the last stride ends one stride time after its contact
        t_end = t_f[-1] + (np.median(np.diff(t_f)) if t_f.size > 1 else 0.0)
        knots_t = np.concatenate([t_f, [t_end]])
        knots_d = np.concatenate([[0.0], np.cumsum(sl_f)])
        curves.append(np.interp(time_s, knots_t, knots_d))
    if not curves:
        return None
    # one foot: its curve (the mean of one row is the row: x / 1 == x), without the stacked copy
    return curves[0] if len(curves) == 1 else np.mean(curves, axis=0)


def _any_positive(x: np.ndarray) -> bool:
    """``np.nanmax(x) > 0`` (False for an empty array), looking at the last value first: a
    distance curve grows, so its end decides it without a pass over every sample."""
    return x.size > 0 and (bool(x[-1] > 0) or bool(np.any(x > 0)))


def _channel(recording: Recording, name: str) -> tuple[np.ndarray | None, str | None]:
    """A channel by plain name, or the first sensor-prefixed one ("left.altitude")."""
    if name in recording.channels:
        return recording.channels[name], name
    for key, values in recording.channels.items():
        if key.split(".")[-1] == name:
            return values, key
    return None, None


def cumulative_distance(recording: Recording, steps: pd.DataFrame | None = None,
                        options: TerrainOptions | None = None) -> tuple[np.ndarray, str, list]:
    """Distance covered at every sample of ``recording``, from the best source present.

    Sources, best first: the device's ``distance`` channel (made monotonic: counter resets
    continue, backward jitter held, jumps > ``max_speed_mps`` capped); the trapezoid integral of
    ``speed`` (nothing across pauses); GPS great-circle distance from ``latitude``/``longitude``
    (haversine; spikes and jumps > ``max_speed_mps`` rejected; standstill jitter not counted);
    cumulative strapdown ``stride_length_m`` of measured foot-IMU strides in ``steps``.

    Parameters
    ----------
    recording : Recording
    steps : DataFrame, optional
        Steps table (for the foot-IMU stride length source).
    options : TerrainOptions, optional

    Returns
    -------
    distance_m : ndarray
        Non-decreasing distance from 0, m, one per sample (all NaN when there is no source).
    source : str
        ``"device distance"``, ``"speed integral"``, ``"GPS great-circle"``,
        ``"foot IMU stride length"`` or ``"none"``.
    warnings : list of str
    """
    opts = options or TerrainOptions()
    t = recording.time_s
    warnings: list[str] = []
    dist, _ = _channel(recording, "distance")
    if dist is not None and np.isfinite(dist).sum() >= 2 and np.nanmax(dist) - np.nanmin(dist) > 0:
        return _repair_device_distance(t, dist, opts, warnings), "device distance", warnings
    speed, _ = _channel(recording, "speed")
    if speed is not None and np.isfinite(speed).sum() >= 2 and np.nanmax(speed) > 0:
        d = _zero_standstill_increments(t, _speed_integral(t, speed, recording.gaps_s), opts)
        return d, "speed integral", warnings
    lat, _ = _channel(recording, "latitude")
    lon, _ = _channel(recording, "longitude")
    if lat is not None and lon is not None:
        d = _gps_distance(t, lat, lon, opts, warnings)
        if np.isfinite(d).any() and np.nanmax(d) > 0:
            return _zero_standstill_increments(t, d, opts), "GPS great-circle", warnings
    d = _stride_distance(t, steps)
    if d is not None and _any_positive(d):
        return d, "foot IMU stride length", warnings
    return np.full(t.shape, np.nan), "none", warnings


# ------------------------------------------------------------------------------------------------
# altitude cleaning and grid
# ------------------------------------------------------------------------------------------------
def _odd(n: float, lo: int = 3, hi: int = 1001) -> int:
    n = int(np.clip(round(n), lo, hi))
    return n if n % 2 else n + 1


def _robust_sigma(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    if x.size == 0:
        return float("nan")
    return float(1.4826 * np.median(np.abs(x - np.median(x))))


def clean_altitude(distance_m: np.ndarray, altitude_m: np.ndarray, options: TerrainOptions | None = None,
                   time_s: np.ndarray | None = None) -> tuple[np.ndarray, list]:
    """Reject GPS altitude spikes and remove barometric steps along moving samples.

    Parameters
    ----------
    distance_m : ndarray
        Strictly increasing distance of the moving samples, m.
    altitude_m : ndarray
        Their altitude, m (finite).
    options : TerrainOptions, optional
    time_s : ndarray, optional
        Time of the moving samples, s. When given, a step is only looked for across a pause
        (two consecutive moving samples more than ``pause_min_s`` and 3 median sample
        intervals apart, with less distance between them than ``standstill_speed_mps`` would
        cover); while moving, a steep altitude change that persists is a real
        climb or a GPS altitude catching up with one, and is kept for the gain.

    Returns
    -------
    altitude_m : ndarray
        Spikes set to NaN; each step's excess jump removed from everything after it.
    warnings : list of str

    Notes
    -----
    Spikes: |altitude - running median over ``spike_window_m``| > max(``spike_k_sigma`` robust
    sigmas, ``spike_min_m``) (a Hampel filter, Hampel 1974). Steps: an increment between two
    consecutive moving samples steeper than twice ``max_abs_grade_pct`` over the distance covered, by
    more than max(``step_min_m``, 6 robust sigmas of the increments): a pressure change during a
    pause or a GPS re-acquisition. The jump is replaced by the local median slope times the
    distance covered.
    """
    opts = options or TerrainOptions()
    warnings: list[str] = []
    a = altitude_m.astype(float).copy()
    n = a.size
    if n < 5:
        return a, warnings
    dd = np.diff(distance_m)
    per_sample_m = float(np.median(dd)) if dd.size else 1.0
    size = _odd(opts.spike_window_m / max(per_sample_m, 1e-3), lo=5, hi=301)
    med = ndimage.median_filter(a, size=size, mode="nearest")
    res = a - med
    sigma = _robust_sigma(res)
    limit = max(opts.spike_k_sigma * (sigma if np.isfinite(sigma) else 0.0), opts.spike_min_m)
    spike = np.abs(res) > limit
    if spike.any():
        warnings.append(f"{int(spike.sum())} altitude spike(s) rejected (|residual| > {limit:.1f} m)")
        a[spike] = np.nan
        ok = np.isfinite(a)
        a = np.interp(distance_m, distance_m[ok], a[ok])
    da = np.diff(a)
    slope = da / np.maximum(dd, 1e-9)
    local_slope = ndimage.median_filter(slope, size=_odd(11), mode="nearest")
    sig_da = _robust_sigma(da - local_slope * dd)
    tol = max(opts.step_min_m, 6.0 * (sig_da if np.isfinite(sig_da) else 0.0))
    # a step is steeper than any path on foot (twice the grade clip: scrambles exceed 25 %)
    allowed = 2.0 * opts.max_abs_grade_pct / 100.0 * dd + tol
    step = np.abs(da) > allowed
    if time_s is not None and step.any():
        dt = np.diff(np.asarray(time_s, float))
        # a pause: a long gap over which the distance hardly grew (slower than standstill)
        pause = ((dt > max(opts.pause_min_s, 3.0 * float(np.median(dt)) if dt.size else 0.0))
                 & (dd < opts.standstill_speed_mps * dt))
        step &= pause
    if step.any():
        total = float(np.sum(np.abs(da[step])))
        warnings.append(f"{int(step.sum())} altitude step(s) with no matching distance removed ({total:.1f} m in all)")
        clip = np.clip(local_slope, -opts.max_abs_grade_pct / 100, opts.max_abs_grade_pct / 100)
        da = np.where(step, clip * dd, da)
        a = a[0] + np.concatenate([[0.0], np.cumsum(da)])
    return a, warnings


def _altitude_usable(alt: np.ndarray | None, warnings: list) -> np.ndarray | None:
    """Refuse placeholder altitude; NaN for sentinels and zero dropouts."""
    if alt is None:
        return None
    a = alt.astype(float).copy()
    # FIT stores altitude as (raw / 5) - 500, so raw 0 -> -500 m and raw 0xFFFF -> 12607 m:
    # both are "invalid"; nothing on land is below the Dead Sea shore (-430 m)
    bad = (a <= -430.0) | (a >= 9000.0)
    if bad.any():
        warnings.append(f"{int(bad.sum())} altitude value(s) out of the possible range (sentinels) ignored")
        a[bad] = np.nan
    finite = a[np.isfinite(a)]
    if finite.size and np.median(np.abs(finite)) > 20.0:
        zero = a == 0.0
        if zero.any():
            warnings.append(f"{int(zero.sum())} altitude value(s) of exactly 0 m among real altitudes ignored (dropouts)")
            a[zero] = np.nan
    finite = a[np.isfinite(a)]
    if finite.size < 3:
        warnings.append("altitude missing: grade unknown")
        return None
    if np.ptp(finite) < 1e-6:
        warnings.append(f"altitude is constant ({finite[0]:g} m), a placeholder: grade unknown")
        return None
    return a


def _bin_to_grid(dist: np.ndarray, values: np.ndarray, n_cells: int, step_m: float) -> np.ndarray:
    """Mean of ``values`` per grid cell (cell j covers [j - 1/2, j + 1/2) x step_m); NaN if empty."""
    ok = np.isfinite(values) & np.isfinite(dist)
    idx = np.clip(np.rint(dist[ok] / step_m).astype(np.int64), 0, n_cells - 1)
    s = np.bincount(idx, weights=values[ok], minlength=n_cells)
    c = np.bincount(idx, minlength=n_cells)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(c > 0, s / np.maximum(c, 1), np.nan)


def _fill_short_gaps(y: np.ndarray, max_cells: int) -> tuple[np.ndarray, np.ndarray]:
    """Interpolate NaN runs up to ``max_cells`` long; return (filled, mask of long gaps)."""
    runs = nan_runs(y)
    long_gap = np.zeros(y.size, bool)
    if not len(runs) or np.isfinite(y).sum() < 2:
        return y, np.isnan(y)
    x = np.arange(y.size, dtype=float)
    ok = np.isfinite(y)
    filled = np.interp(x, x[ok], y[ok])
    lengths = runs[:, 1] - runs[:, 0]
    # leading and trailing runs cannot be interpolated, only extrapolated: keep them unknown
    edge = (runs[:, 0] == 0) | (runs[:, 1] == y.size)
    bad = (lengths > max_cells) | edge
    if bad.any():
        marks = np.zeros(y.size + 1, np.int64)
        np.add.at(marks, runs[bad, 0], 1)
        np.add.at(marks, runs[bad, 1], -1)
        long_gap = np.cumsum(marks[:-1]) > 0
    filled = np.where(long_gap, np.nan, filled)
    return filled, long_gap


def local_linear_fit(y: np.ndarray, half_window: int, min_coverage: float = 0.3,
                     kernel: str = "boxcar") -> tuple[np.ndarray, np.ndarray]:
    """Least-squares line through the ``2 * half_window + 1`` samples centred on each sample.

    The first-derivative Savitzky-Golay filter (Savitzky & Golay 1964, polynomial order 1) with
    NaN samples carrying zero weight, computed with five correlations (weighted moments), so the
    cost is O(n x window) with no loop over samples. Near the ends and gaps the window is simply
    truncated (a one-sided fit).

    Parameters
    ----------
    y : ndarray
        Values on a uniform grid (NaN = missing).
    half_window : int
        Half-width of the window in samples.
    min_coverage : float
        Fraction of the full window that must hold finite samples, else NaN.
    kernel : str
        ``"boxcar"`` (ordinary least squares, Savitzky-Golay) or ``"epanechnikov"`` (weights
        1 - (k / (h + 1))^2, a locally weighted regression in the sense of Cleveland 1979, with
        smaller side lobes).

    Returns
    -------
    level : ndarray
        Fitted value at each sample.
    slope : ndarray
        Fitted slope per sample step.
    """
    w = np.isfinite(y).astype(float)
    yv = np.where(w > 0, y, 0.0)
    k = np.arange(-half_window, half_window + 1, dtype=float)
    if kernel == "epanechnikov":
        ones = 1.0 - (k / (half_window + 1.0)) ** 2
    else:
        ones = np.ones_like(k)

    def corr(x, kern):
        return ndimage.correlate1d(x, kern, mode="constant", cval=0.0)

    s0, s1, s2 = corr(w, ones), corr(w, ones * k), corr(w, ones * k * k)
    t0, t1 = corr(yv, ones), corr(yv, ones * k)
    den = s0 * s2 - s1 * s1
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = (s0 * t1 - s1 * t0) / den
        level = (s2 * t0 - s1 * t1) / den
    bad = (s0 < max(2.0, min_coverage * ones.sum())) | (den <= 1e-9 * np.maximum(s0, 1) ** 3)
    return np.where(bad, np.nan, level), np.where(bad, np.nan, slope)


def _difference_normal_banded(n: int, order: int, weights: np.ndarray) -> np.ndarray:
    """``D' diag(weights) D`` (D: ``order``-th difference, (n - order) x n) in the upper banded
    storage of :func:`scipy.linalg.solveh_banded`, O(n): the k-th diagonal is the weights
    convolved with the products of the difference coefficients k apart."""
    c = np.array([1.0])
    for _ in range(order):
        c = np.convolve(c, [1.0, -1.0])
    w = np.asarray(weights, float)
    ab = np.zeros((order + 1, n))
    for k in range(order + 1):  # order + 1 <= 4 diagonals
        ab[order - k, k:] = np.convolve(w, c[: order + 1 - k] * c[k:])
    return ab


def whittaker_smooth(y: np.ndarray, cutoff_cells: float, order: int = 3) -> np.ndarray:
    """Whittaker-Eilers smoother of a uniformly sampled series with gaps (Eilers 2003).

    Minimises ``sum w (y - z)^2 + lam sum (Delta^order z)^2`` with ``w = 0`` at NaN samples, a
    banded linear system solved in O(n). Its transfer function is
    ``1 / (1 + lam (2 sin(pi f))^(2 order))`` (f in cycles per sample): a Butterworth-like
    low-pass of order ``2 order``, so hills longer than the cutoff keep their amplitude (unlike
    a moving average) while shorter wiggles are removed.

    Parameters
    ----------
    y : ndarray
        Values on a uniform grid (NaN = missing; interpolated by the smoother).
    cutoff_cells : float
        Half-power wavelength in samples; ``lam = (cutoff_cells / (2 pi))^(2 order)``.
    order : int
        Difference order of the penalty (2: cubic-spline-like, 3: smoother slope).

    Returns
    -------
    ndarray
        The smoothed series (defined everywhere when any sample is finite).
    """
    y = np.asarray(y, float)
    n = y.size
    w = np.isfinite(y).astype(float)
    if n <= order + 1 or w.sum() < order + 1:
        return np.where(w > 0, y, np.nan)
    lam = (float(cutoff_cells) / (2 * np.pi)) ** (2 * order)
    ab = _difference_normal_banded(n, order, np.full(n - order, lam))
    ab[order] += w
    return solveh_banded(ab, np.where(w > 0, y, 0.0), check_finite=False)


def l1_trend_filter(y: np.ndarray, lam: float, n_iter: int = 40, start: np.ndarray | None = None
                    ) -> np.ndarray:
    """L1 trend filter: the piecewise-linear fit of a series with gaps (Kim, Koh, Boyd &
    Gorinevsky 2009, SIAM Review 51:339).

    Minimises ``1/2 sum w (y - z)^2 + lam sum |Delta^2 z|``: the fit is linear between a few
    kinks, i.e. for an altitude profile the grade is piecewise constant with sharp changes. That
    is how roads and most paths are built (constant-grade tangents joined by short vertical
    curves), so a long smoothing scale can be used against GPS noise without blurring the grade
    across the foot or top of a hill. Solved by majorisation-minimisation (iteratively
    reweighted banded least squares, each iteration O(n)); ``n_iter`` = 40 reaches the plateau
    of the objective on 5 m altitude grids.

    Parameters
    ----------
    y : ndarray
        Values on a uniform grid (NaN = missing).
    lam : float
        Kink penalty, in the units of ``y`` (m for altitude): a kink is kept only when it
        lowers the squared misfit by more than ``lam`` times its change of slope.
    n_iter : int
        Reweighting iterations.
    start : ndarray, optional
        Initial fit (default: a Whittaker fit with a 24-sample cutoff).

    Returns
    -------
    ndarray
        The fitted series.
    """
    y = np.asarray(y, float)
    n = y.size
    w = np.isfinite(y).astype(float)
    if n <= 3 or w.sum() < 3:
        return np.where(w > 0, y, np.nan)
    rhs = np.where(w > 0, y, 0.0)
    z = whittaker_smooth(y, 24.0, 2) if start is None else np.asarray(start, float)
    # |x| <= x^2 / (2 |x_k|) + |x_k| / 2: each iteration is a weighted ridge problem; the floor
    # keeps the weights finite where the fit is exactly straight (1e-6 m per cell^2)
    for _ in range(int(n_iter)):
        kink = np.abs(np.diff(z, 2))
        ab = _difference_normal_banded(n, 2, lam / np.maximum(kink, 1e-6))
        ab[2] += w
        z = solveh_banded(ab, rhs, check_finite=False)
    return z


# ------------------------------------------------------------------------------------------------
# classes, segments, gain
# ------------------------------------------------------------------------------------------------
def _runs(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start (inclusive) and stop (exclusive) of each run of equal labels."""
    if labels.size == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    change = np.flatnonzero(labels[1:] != labels[:-1]) + 1
    starts = np.concatenate([[0], change])
    stops = np.concatenate([change, [labels.size]])
    return starts, stops


def _ffill(x: np.ndarray) -> np.ndarray:
    """``pd.Series(x).ffill().to_numpy()``: each NaN takes the last non-NaN value before it
    (NaN before the first), from a running maximum of indices."""
    valid = ~np.isnan(x)
    last = np.where(valid, np.arange(x.size), -1)
    np.maximum.accumulate(last, out=last)
    return np.where(last >= 0, x[np.maximum(last, 0)], np.nan)


def _bfill(x: np.ndarray) -> np.ndarray:
    """``pd.Series(x).bfill().to_numpy()`` (:func:`_ffill` of the reversed series)."""
    return _ffill(x[::-1])[::-1]


_CLASS_NAMES = np.array(["downhill", "flat", "uphill", "unknown"], dtype=object)
_DOWN, _FLAT, _UP, _UNKNOWN = 0, 1, 2, 3


def classify_grade(grade_pct: np.ndarray, distance_m: np.ndarray | None = None, *,
                   flat_band_pct: float = 2.0, hysteresis_pct: float = 0.5,
                   min_segment_m: float = 50.0) -> np.ndarray:
    """Uphill / flat / downhill / unknown for a grade series, with hysteresis and minimum length.

    Raw decisions are taken only outside a dead band of width ``hysteresis_pct`` centred on
    +-``flat_band_pct``; points inside it keep the last decision (a Schmitt trigger, done as a
    forward fill of decisive points). Runs shorter than ``min_segment_m`` are then split at their
    middle between the neighbouring long runs (NaN grade stays ``unknown`` and is never absorbed).

    Parameters
    ----------
    grade_pct : ndarray
        Grade, % (NaN = unknown).
    distance_m : ndarray, optional
        Distance of each point, m (non-decreasing); without it, no minimum length is applied.
    flat_band_pct, hysteresis_pct, min_segment_m : float
        See :class:`TerrainOptions`.

    Returns
    -------
    ndarray of object
        ``"uphill"``, ``"flat"``, ``"downhill"`` or ``"unknown"`` per point.
    """
    return _CLASS_NAMES[_classify_codes(grade_pct, distance_m, flat_band_pct=flat_band_pct,
                                        hysteresis_pct=hysteresis_pct, min_segment_m=min_segment_m)]


def _class_labels(code: np.ndarray):
    """``_CLASS_NAMES[code]`` as pandas stores it in a column, for a steps or profile table.

    pandas infers a column type from every object of an object array (strings become its
    string type, ~40 ms per million rows); the four class names are inferred once and taken by
    code instead. An empty array stays object, as inference leaves it.
    """
    if code.size == 0:
        return _CLASS_NAMES[code]
    return pd.Series(_CLASS_NAMES).array.take(code)


def _classify_codes(grade_pct: np.ndarray, distance_m: np.ndarray | None = None, *,
                    flat_band_pct: float, hysteresis_pct: float, min_segment_m: float) -> np.ndarray:
    """:func:`classify_grade` as codes into ``_CLASS_NAMES`` (int64)."""
    g = np.asarray(grade_pct, float)
    n = g.size
    if n == 0:
        return np.array([], dtype=np.int64)
    hi, lo = flat_band_pct + hysteresis_pct / 2, max(flat_band_pct - hysteresis_pct / 2, 0.0)
    code = np.full(n, np.nan)
    code[g > hi] = _UP
    code[g < -hi] = _DOWN
    code[np.abs(g) < lo] = _FLAT
    if flat_band_pct == 0:
        code[g == 0] = _FLAT
    unknown = ~np.isfinite(g)
    code[unknown] = _UNKNOWN
    state = _bfill(_ffill(code))
    state[np.isnan(state)] = _FLAT  # no decisive point at all
    state[unknown] = _UNKNOWN
    state = state.astype(np.int64)
    if distance_m is not None and min_segment_m > 0 and n > 1:
        state = _merge_short_runs(state, np.asarray(distance_m, float), min_segment_m)
    return state


def _merge_short_runs(state: np.ndarray, dist: np.ndarray, min_len_m: float) -> np.ndarray:
    starts, stops = _runs(state)
    if starts.size < 2:
        return state
    step = np.median(np.diff(dist)) if dist.size > 1 else 0.0
    length = dist[stops - 1] - dist[starts] + step
    label = state[starts]
    keep = (length >= min_len_m) | (label == _UNKNOWN)
    if keep.all() or not (keep & (label != _UNKNOWN)).any():
        return state
    run_label = np.where(keep, label, -1).astype(float)
    run_label[run_label < 0] = np.nan
    # neighbours' classes: the nearest long run before and after (unknown not used as a filler)
    known = np.where(run_label != _UNKNOWN, run_label, np.nan)
    prev_lab = _ffill(known)
    next_lab = _bfill(known)
    prev_lab = np.where(np.isnan(prev_lab), next_lab, prev_lab)
    next_lab = np.where(np.isnan(next_lab), prev_lab, next_lab)
    # group consecutive short runs: split the whole group at its middle
    grp = np.cumsum(keep)
    run_idx = np.repeat(np.arange(starts.size), stops - starts)
    g_of_cell = grp[run_idx]
    short_cell = ~keep[run_idx]
    d = dist
    # the group numbers never decrease along the cells, so each group is one contiguous block:
    # its smallest and largest distance by reduceat (fmin/fmax skip NaN, as a group-by does)
    g_short, d_short = g_of_cell[short_cell], d[short_cell]
    first = np.flatnonzero(np.r_[True, g_short[1:] != g_short[:-1]])
    size = np.diff(np.r_[first, g_short.size])
    g_start = np.repeat(np.fmin.reduceat(d_short, first), size)
    g_stop = np.repeat(np.fmax.reduceat(d_short, first), size)
    first_half = d[short_cell] <= 0.5 * (g_start + g_stop)
    fill = np.where(first_half, prev_lab[run_idx][short_cell], next_lab[run_idx][short_cell])
    out = state.copy()
    out[short_cell] = np.where(np.isnan(fill), state[short_cell], fill).astype(np.int64)
    return out


def elevation_gain_loss(altitude_m: np.ndarray, hysteresis_m: float) -> tuple[float, float, np.ndarray]:
    """Total climb and descent with a vertical hysteresis (persistence simplification).

    Turning points of the profile whose swing is smaller than ``hysteresis_m`` are removed in
    rounds (each round removes every pair of adjacent turning points whose swing is a local
    minimum below the threshold, vectorised), until every remaining swing is at least
    ``hysteresis_m``. Gain is the sum of the remaining up-swings: a hill counts in full
    (trough to peak), noise smaller than the threshold counts nothing. This is the
    threshold-counting approach of barometric altimeters, made order-independent.

    Parameters
    ----------
    altitude_m : ndarray
        Profile on a uniform grid; NaN splits it into independent parts.
    hysteresis_m : float
        Smallest swing counted, m.

    Returns
    -------
    gain_m, loss_m : float
        Positive numbers (NaN when the profile has fewer than 2 finite points).
    clean_m : ndarray
        The simplified profile (linear between the retained turning points), NaN where the
        input is NaN; its positive increments sum to ``gain_m``.
    """
    y = np.asarray(altitude_m, float)
    clean = np.full(y.shape, np.nan)
    finite = np.isfinite(y)
    if finite.sum() < 2:
        return float("nan"), float("nan"), clean
    starts, stops = _runs(finite.astype(np.int8))
    # each finite part is simplified on its own; part boundaries are always kept (they are ends)
    ends = np.zeros(y.size, bool)
    fin_runs = finite[starts]
    ends[starts[fin_runs]] = True
    ends[stops[fin_runs] - 1] = True
    idx = np.flatnonzero(finite)
    part_of = np.cumsum(np.r_[0, np.diff(finite.astype(np.int8)) == 1])  # part id per sample
    part = part_of[idx]
    idx = _turning_points_parts(y, idx, part, ends)
    for _ in range(200):  # rounds; each removes at least the smallest swing below threshold
        v = y[idx]
        same_part = part_of[idx][1:] == part_of[idx][:-1]
        swing = np.abs(np.diff(v))
        swing = np.where(same_part, swing, np.inf)
        small = swing < hysteresis_m
        if not small.any():
            break
        is_end = ends[idx]
        left = np.r_[np.inf, swing[:-1]]
        right = np.r_[swing[1:], np.inf]
        cand = small & (swing < left) & (swing <= right)
        drop = np.zeros(idx.size, bool)
        # interior pair: drop both turning points; pair touching an end: drop the interior one
        a_end, b_end = is_end[:-1], is_end[1:]
        both_interior = cand & ~a_end & ~b_end
        drop[:-1] |= both_interior
        drop[1:] |= both_interior
        drop[1:] |= cand & a_end & ~b_end
        drop[:-1] |= cand & ~a_end & b_end
        if not drop.any():
            # only end-to-end swings remain below threshold: nothing more to simplify
            break
        idx = _turning_points_parts(y, idx[~drop], part_of[idx[~drop]], ends)
    v = y[idx]
    same_part = part_of[idx][1:] == part_of[idx][:-1]
    dv = np.where(same_part, np.diff(v), 0.0)
    # after simplification every swing is >= hysteresis_m, except a part made of its two ends
    # only; such a part climbs less than the threshold and counts nothing
    dv = np.where(np.abs(dv) >= hysteresis_m, dv, 0.0)
    gain = float(dv[dv > 0].sum())
    loss = float(-dv[dv < 0].sum())
    x = np.arange(y.size, dtype=float)
    clean_all = np.interp(x, idx.astype(float), v)
    clean = np.where(finite, clean_all, np.nan)
    return gain, loss, clean


def _turning_points_parts(y: np.ndarray, idx: np.ndarray, part: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Turning points of ``y[idx]`` within each finite part (``part`` ids), keeping part ends.

    Exact repeats are dropped first, so that inside a part every increment has a sign and the
    points kept (reversals and ends) alternate between peaks and troughs.
    """
    if idx.size <= 2:
        return idx
    d = np.diff(y[idx])
    same = part[1:] == part[:-1]
    repeat = np.r_[False, same & (d == 0)] & ~ends[idx]
    if repeat.any():
        idx, part = idx[~repeat], part[~repeat]
        if idx.size <= 2:
            return idx
        d = np.diff(y[idx])
        same = part[1:] == part[:-1]
    sgn = np.where(same, np.sign(d), 0.0)
    keep = ends[idx].copy()
    keep[0] = keep[-1] = True
    keep[1:-1] |= (sgn[:-1] * sgn[1:]) < 0
    return idx[keep]


def _segments(dist: np.ndarray, time: np.ndarray, terrain: np.ndarray, grade: np.ndarray,
              clean_alt: np.ndarray) -> pd.DataFrame:
    """Segments table from per-point classes (points on the distance grid)."""
    if terrain.size == 0:
        return empty_segments()
    starts, stops = _runs(terrain)
    # a segment runs from its first point to the first point of the next one (the last to the end)
    end_idx = np.minimum(stops, terrain.size - 1)
    start_m = dist[starts]
    end_m = dist[end_idx]
    dalt = np.diff(clean_alt, append=np.nan)
    dalt = np.where(np.isfinite(dalt), dalt, 0.0)
    gain = np.add.reduceat(np.clip(dalt, 0, None), starts)
    loss = np.add.reduceat(np.clip(-dalt, 0, None), starts)
    g = np.where(np.isfinite(grade), grade, 0.0)
    cnt = np.add.reduceat(np.isfinite(grade).astype(float), starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_grade = np.where(cnt > 0, np.add.reduceat(g, starts) / cnt, np.nan)
    return _segment_frame({
        "start_s": time[starts],
        "end_s": np.where(stops < terrain.size, time[end_idx], time[-1]),
        "start_m": start_m,
        "end_m": end_m,
        "length_m": end_m - start_m,
        "terrain": terrain[starts],
        "mean_grade_pct": mean_grade,
        "gain_m": np.where(terrain[starts] == "unknown", np.nan, gain + 0.0),
        "loss_m": np.where(terrain[starts] == "unknown", np.nan, loss + 0.0),
    })


def _segment_frame(columns: dict) -> pd.DataFrame:
    """The segments table from its columns (``SEGMENT_COLUMNS`` order), built in its dtypes.

    Float columns as they are, ``terrain`` as an object column: building the frame and then
    casting it with ``astype(SEGMENT_COLUMNS)`` cost ten times as much (a string column
    inferred, then converted back).
    """
    return pd.DataFrame({c: pd.Series(columns[c], dtype=t, copy=False) if t == "object"
                         else np.asarray(columns[c], dtype=t) for c, t in SEGMENT_COLUMNS.items()})


# ------------------------------------------------------------------------------------------------
# incline
# ------------------------------------------------------------------------------------------------
def _incline_at(incline_pct, step_t: np.ndarray, step_d: np.ndarray, grid_d: np.ndarray,
                grid_t: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """Given incline at the steps and on the grid (piecewise constant schedule)."""
    if isinstance(incline_pct, (int, float, np.floating, np.integer)) and not isinstance(incline_pct, bool):
        value = float(incline_pct)
        if not np.isfinite(value):
            raise OptionError(f"incline_pct must be a finite number, got {incline_pct!r}")
        return np.full(step_t.shape, value), np.full(grid_d.shape, value), f"given incline {value:g} %"
    if isinstance(incline_pct, pd.DataFrame):
        df = incline_pct
        if "incline_pct" not in df:
            raise OptionError("incline schedule needs an 'incline_pct' column")
        key = "time_s" if "time_s" in df else "distance_m" if "distance_m" in df else None
        if key is None:
            raise OptionError("incline schedule needs a 'time_s' or 'distance_m' column")
        k = pd.to_numeric(df[key], errors="coerce").to_numpy(float)
        v = pd.to_numeric(df["incline_pct"], errors="coerce").to_numpy(float)
        ok = np.isfinite(k) & np.isfinite(v)
        if not ok.any():
            raise OptionError("incline schedule has no row with numeric values")
        order = np.argsort(k[ok], kind="stable")
        k, v = k[ok][order], v[ok][order]

        def hold(x):
            pos = np.searchsorted(k, x, side="right") - 1
            out = v[np.clip(pos, 0, None)].astype(float)
            return np.where((pos >= 0) & np.isfinite(x), out, np.nan)

        if key == "time_s":
            return hold(step_t), hold(grid_t), "given incline schedule (by time)"
        return hold(step_d), hold(grid_d), "given incline schedule (by distance)"
    raise OptionError(f"incline_pct must be a number or a DataFrame schedule, got {type(incline_pct).__name__}")


# ------------------------------------------------------------------------------------------------
# main entry point
# ------------------------------------------------------------------------------------------------
def _altitude_source(recording: Recording) -> str:
    src = str(recording.metadata.get("altitude_source", "unknown")).lower()
    if src.startswith("baro"):
        return "barometric"
    if src.startswith("gps"):
        return "gps"
    return "unknown"


def _step_speed(steps: pd.DataFrame, step_t: np.ndarray, rec: Recording, dist: np.ndarray,
                have_dist: bool, local_speed: np.ndarray | None = None) -> np.ndarray:
    """Speed per step: measured step speed, else the speed channel, else from distance.

    ``local_speed``, when given, is ``_local_speed(rec.time_s, dist)`` already computed.
    """
    n = len(steps)
    out = np.full(n, np.nan)
    if "speed_mps" in steps:
        existing = float_column(steps, "speed_mps")
        out = existing.copy()
    missing = ~np.isfinite(out)
    if missing.any():
        speed, _ = _channel(rec, "speed")
        if speed is not None and np.isfinite(speed).sum() >= 2:
            ok = np.isfinite(speed)
            out[missing] = np.interp(step_t[missing], rec.time_s[ok], speed[ok])
        elif have_dist:
            # the distance derivative over a centred 5 s window, at the step time
            v = _local_speed(rec.time_s, dist) if local_speed is None else local_speed
            out[missing] = np.interp(step_t[missing], rec.time_s, v)  # only where needed
    return np.where(np.isfinite(step_t), out, np.nan)


def compute_terrain(recording: Recording, steps: pd.DataFrame | None, *, incline_pct=None,
                    options: TerrainOptions | None = None) -> TerrainResult:
    """Distance, smoothed altitude, grade and terrain class under every step; segments; gain.

    Parameters
    ----------
    recording : Recording
        Any placement; uses channels ``distance``, ``speed``, ``latitude``/``longitude``,
        ``altitude``, ``incline``, ``grade`` when present, and ``metadata["altitude_source"]``
        (``"barometric"``, ``"gps"`` or ``"unknown"``).
    steps : DataFrame or None
        Steps table with ``time_s`` (s); for foot IMUs also ``stride_length_m``,
        ``stride_rise_m``, ``measured``, ``foot``.
    incline_pct : None, float or DataFrame
        Known incline (treadmill), %: a constant, or a schedule with ``time_s`` or ``distance_m``
        and ``incline_pct`` columns (piecewise constant from each row on; NaN before the first
        row). Overrides altitude.
    options : TerrainOptions, optional

    Returns
    -------
    TerrainResult

    Raises
    ------
    OptionError
        An unusable option or incline schedule.
    """
    opts = options or TerrainOptions()
    opts.validate()
    rec = recording
    t = rec.time_s
    warnings: list[str] = []
    prov: dict = {}

    if steps is None:
        steps = pd.DataFrame({"time_s": pd.Series(dtype=float)})
    if "time_s" not in steps:
        raise OptionError("steps table has no 'time_s' column")
    step_t = float_column(steps, "time_s")

    # -- 1. distance ------------------------------------------------------------------------
    dist, dist_src, w = cumulative_distance(rec, steps, opts)
    warnings += w
    have_dist = dist_src != "none"
    prov["distance"] = dist_src
    total_dist = float(dist[-1]) if have_dist else float("nan")
    if not have_dist:
        warnings.append("no distance source (distance, speed, GPS or foot-IMU stride length): distance unknown")

    # moving samples: distance grows and speed is above standstill
    v = None
    if have_dist:
        v = _local_speed(t, dist)
        moving = v >= opts.standstill_speed_mps
        moving[1:] &= dist[1:] > dist[:-1]  # distance grows
        moving[0] = True
        # strictly increasing distance among moving samples (see docstring of the module); a
        # boolean mask, not indices: selecting with it is one streaming pass
        dist_mv = dist[moving]
        rising = dist_mv[1:] > dist_mv[:-1]
        if not rising.all():
            moving[np.flatnonzero(moving)[1:][~rising]] = False
            dist_mv = dist[moving]
        n_moving = dist_mv.size
        # a garbled speed or distance (1e300 m) would ask for an astronomically long grid
        if total_dist > _MAX_GRID_DISTANCE_M:  # (inf included; NaN keeps its old one-cell grid)
            raise ResourceLimitError(f"the recording's distance comes to {total_dist:.3g} m, more than the "
                                     f"{_MAX_GRID_DISTANCE_M / 1000:,.0f} km gaitload puts on one terrain grid")
        n_cells = int(np.floor(total_dist / opts.grid_step_m)) + 1 if total_dist > 0 else 1
        grid_d = np.arange(n_cells) * opts.grid_step_m
        grid_t = np.interp(grid_d, dist_mv, t[moving]) if n_moving >= 2 else np.zeros(n_cells)
    else:
        moving, n_moving = np.zeros(t.shape, bool), 0
        grid_d = np.empty(0)
        grid_t = np.empty(0)
    step_d = np.interp(step_t, t, dist) if have_dist else np.full(step_t.shape, np.nan)
    step_d = np.where(np.isfinite(step_t), step_d, np.nan)

    grid_alt = np.full(grid_d.shape, np.nan)
    grid_grade = np.full(grid_d.shape, np.nan)
    clean_alt = np.full(grid_d.shape, np.nan)
    gain = loss = float("nan")
    step_grade = np.full(step_t.shape, np.nan)
    step_alt = None
    window_m = None
    grade_from_incline = False

    # -- 4. given incline overrides everything -------------------------------------------------
    incline_ch, incline_name = _channel(rec, "incline")
    if incline_pct is not None:
        step_grade, grid_grade, how = _incline_at(incline_pct, step_t, step_d, grid_d, grid_t)
        prov["altitude"] = "not used (given incline)"
        prov["grade"] = "given incline"
        prov["incline"] = how
        grade_from_incline = True
    elif incline_ch is not None and np.isfinite(incline_ch).any():
        ok = np.isfinite(incline_ch)
        ti, vi = t[ok], incline_ch[ok]

        def hold(x):
            pos = np.searchsorted(ti, x, side="right") - 1
            return np.where(np.isfinite(x), vi[np.clip(pos, 0, None)], np.nan)

        step_grade, grid_grade = hold(step_t), hold(grid_t)
        prov["altitude"] = "not used (given incline)"
        prov["grade"] = f"given incline (recording channel '{incline_name}')"
        grade_from_incline = True

    if grade_from_incline:
        big = np.abs(grid_grade) > opts.max_abs_grade_pct
        if np.any(np.abs(step_grade[np.isfinite(step_grade)]) > opts.max_abs_grade_pct) or big.any():
            warnings.append(f"incline beyond +-{opts.max_abs_grade_pct:g} %: clipped (hiking/scrambling)")
        step_grade = np.clip(step_grade, -opts.max_abs_grade_pct, opts.max_abs_grade_pct)
        grid_grade = np.clip(grid_grade, -opts.max_abs_grade_pct, opts.max_abs_grade_pct)
        if grid_d.size:
            # virtual altitude of the treadmill: the climb the belt represents
            dz = np.r_[0.0, np.diff(grid_d)] * np.nan_to_num(np.r_[grid_grade[:1], grid_grade[:-1]]) / 100
            grid_alt = np.cumsum(dz)
            clean_alt = grid_alt.copy()
            dz_pos = np.diff(grid_alt)
            gain, loss = float(dz_pos[dz_pos > 0].sum()), float(-dz_pos[dz_pos < 0].sum())
        window_m = None
    else:
        alt_raw, alt_name = _channel(rec, "altitude")
        alt = _altitude_usable(alt_raw, warnings) if alt_raw is not None else None
        src = _altitude_source(rec)
        rise_ok = ("stride_rise_m" in steps and "stride_length_m" in steps
                   and np.isfinite(float_column(steps, "stride_rise_m")).sum() >= 4)
        grade_ch, _ = _channel(rec, "grade")
        if alt is not None and have_dist and n_moving >= 3:
            grid_alt, grid_grade, clean_alt, gain, loss, window_m, alt_desc, smoother, w = _grade_from_altitude(
                dist, alt, moving, grid_d, src, opts, time_s=t)
            warnings += w
            prov["altitude"] = alt_desc
            prov["grade"] = f"smoothed altitude: {smoother}"
        elif rise_ok and have_dist:
            grid_alt, grid_grade, clean_alt, gain, loss, w = _grade_from_imu(steps, step_t, step_d, grid_d, opts)
            warnings += w
            window_m = opts.window_m_imu
            prov["altitude"] = "foot IMU strapdown (relative)"
            prov["grade"] = "foot IMU strapdown"
        elif grade_ch is not None and have_dist and np.isfinite(grade_ch).sum() >= 3 and n_moving >= 3:
            # device grade: integrate it into a relative altitude and smooth like a barometer
            g = _fill_nan_linear(t, grade_ch.astype(float))
            pseudo = np.r_[0.0, np.cumsum(np.diff(dist) * 0.5 * (g[1:] + g[:-1]) / 100)]
            grid_alt, grid_grade, clean_alt, gain, loss, window_m, _, _, w = _grade_from_altitude(
                dist, pseudo, moving, grid_d, "barometric", opts)
            warnings += w
            prov["altitude"] = "device grade channel integrated (relative)"
            prov["grade"] = f"device grade smoothed over {window_m:g} m"
        else:
            prov["altitude"] = "none"
            prov["grade"] = "none"
            if alt is not None and not have_dist:
                warnings.append("altitude present but no distance: grade unknown")
            elif alt is None:
                warnings.append("no usable altitude, incline or foot-IMU rise: grade and terrain unknown")
        # -- 2. per-step values: interpolate on the grid at the step's distance ---------------
        if grid_d.size:
            step_grade, step_alt = _interp_nan(step_d, grid_d, grid_grade, grid_alt)
    prov["window_m"] = window_m

    # -- 3. classes --------------------------------------------------------------------------
    # (as codes into _CLASS_NAMES: the labels are taken once per table, see _class_labels)
    if grid_d.size:
        grid_code = _classify_codes(grid_grade, grid_d, flat_band_pct=opts.flat_band_pct,
                                    hysteresis_pct=opts.hysteresis_pct, min_segment_m=opts.min_segment_m)
        grid_terrain = _CLASS_NAMES[grid_code]
        cell = np.clip(np.rint(np.nan_to_num(step_d, nan=-1) / opts.grid_step_m).astype(np.int64), 0, grid_d.size - 1)
        step_code = np.where(np.isfinite(step_d), grid_code[cell], _UNKNOWN)
        if grade_from_incline:
            # a given incline is exact: no hysteresis needed per step
            step_code = _classify_codes(step_grade, None, flat_band_pct=opts.flat_band_pct,
                                        hysteresis_pct=0.0, min_segment_m=0.0)
        segments = _segments(grid_d, grid_t, grid_terrain, grid_grade, clean_alt)
        if step_alt is None:  # (given incline: not interpolated with the grade above)
            step_alt = _interp_nan(step_d, grid_d, grid_alt)
    else:
        grid_code = np.array([], dtype=np.int64)
        step_code = _classify_codes(step_grade, None, flat_band_pct=opts.flat_band_pct,
                                    hysteresis_pct=0.0 if grade_from_incline else opts.hysteresis_pct,
                                    min_segment_m=0.0)
        segments = _segments_by_time(step_t, _CLASS_NAMES[step_code], step_grade)
        step_alt = np.full(step_t.shape, np.nan)

    out = _with_columns(steps, {
        "distance_m": step_d, "altitude_m": step_alt, "grade_pct": step_grade, "terrain": _class_labels(step_code),
        "speed_mps": _step_speed(steps, step_t, rec, dist, have_dist, local_speed=v)})
    profile = pd.DataFrame({"distance_m": grid_d, "time_s": grid_t, "altitude_m": grid_alt,
                            "grade_pct": grid_grade, "terrain": _class_labels(grid_code)})
    return TerrainResult(steps=out, segments=segments, profile=profile, distance_m=total_dist,
                         elevation_gain_m=gain, elevation_loss_m=loss, provenance=prov,
                         warnings=list(dict.fromkeys(warnings)))


def _with_columns(frame: pd.DataFrame, columns: dict) -> pd.DataFrame:
    """``frame`` with ``columns`` set as ``out[name] = values`` one by one on a copy would set them.

    Columns already present are replaced in place; the new ones are built as one frame and
    appended in one concat (each ``__setitem__`` of a new column costs ~0.3 ms of index work).
    """
    out = frame.copy(deep=False)  # copy-on-write: replacing a column never reaches ``frame``
    for name in [c for c in columns if c in frame.columns]:
        out[name] = columns[name]
    new = {c: v for c, v in columns.items() if c not in frame.columns}
    if not new:
        return out
    return pd.concat([out, pd.DataFrame(new, index=frame.index)], axis=1)


def _interp_nan(x: np.ndarray, xp: np.ndarray, *fps: np.ndarray) -> np.ndarray | tuple:
    """Linear interpolation that returns NaN next to NaN samples and outside ``xp``.

    Several ``fps`` on the same knots share the search: a tuple, one array per ``fp``.
    """
    if xp.size == 0:
        out = tuple(np.full(np.shape(x), np.nan) for _ in fps)
        return out if len(fps) > 1 else out[0]
    xq = np.nan_to_num(x, nan=-1.0)
    lo = np.clip(np.searchsorted(xp, xq, side="right") - 1, 0, xp.size - 1)
    hi = np.clip(lo + 1, 0, xp.size - 1)
    span = np.where(xp[hi] > xp[lo], xp[hi] - xp[lo], 1.0)
    frac = np.clip((xq - xp[lo]) / span, 0.0, 1.0)
    ok = np.isfinite(x) & (x >= xp[0] - 1e-9) & (x <= xp[-1] + 0.5 * (xp[1] - xp[0] if xp.size > 1 else 0.0))
    out = []
    for fp in fps:  # one or two series
        val = fp[lo] + frac * (fp[hi] - fp[lo])
        # next to a NaN neighbour use the finite one when the query is closer to it
        val = np.where(np.isnan(val), np.where(frac < 0.5, fp[lo], fp[hi]), val)
        out.append(np.where(ok, val, np.nan))
    return tuple(out) if len(fps) > 1 else out[0]


def _segments_by_time(step_t: np.ndarray, terrain: np.ndarray, grade: np.ndarray) -> pd.DataFrame:
    if step_t.size == 0:
        return empty_segments()
    starts, stops = _runs(terrain)
    g = np.where(np.isfinite(grade), grade, 0.0)
    cnt = np.add.reduceat(np.isfinite(grade).astype(float), starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_grade = np.where(cnt > 0, np.add.reduceat(g, starts) / cnt, np.nan)
    nan = np.full(starts.size, np.nan)
    return _segment_frame({
        "start_s": step_t[starts], "end_s": np.r_[step_t[starts[1:]], step_t[-1]],
        "start_m": nan, "end_m": nan, "length_m": nan, "terrain": terrain[starts],
        "mean_grade_pct": mean_grade, "gain_m": nan, "loss_m": nan,
    })


def _grade_from_altitude(dist: np.ndarray, alt: np.ndarray, moving: np.ndarray, grid_d: np.ndarray,
                         src: str, opts: TerrainOptions, time_s: np.ndarray | None = None):
    """Steps 2 and 5 of the module docstring for one altitude series (``moving``: mask of the
    moving samples)."""
    warnings: list[str] = []
    d_m, a_m = dist[moving], alt[moving]
    t_m = time_s[moving] if time_s is not None else None
    ok = np.isfinite(a_m)
    cleaned = np.full(a_m.shape, np.nan)
    if ok.sum() >= 5:
        cleaned[ok], w = clean_altitude(d_m[ok], a_m[ok], opts, time_s=None if t_m is None else t_m[ok])
        warnings += w
    else:
        cleaned = a_m
    step = opts.grid_step_m
    grid_raw = _bin_to_grid(d_m, cleaned, grid_d.size, step)
    grid_filled, long_gap = _fill_short_gaps(grid_raw, int(round(opts.max_gap_m / step)))
    if long_gap.any():
        warnings.append(f"altitude missing over {long_gap.sum() * step:.0f} m: grade unknown there")
    # window by altitude source; unknown: look at the data
    if src == "barometric":
        window_m, desc, gps_like = opts.window_m_barometric, "barometric", False
    elif src == "gps":
        window_m, desc, gps_like = opts.window_m_gps, "GPS", True
    elif opts.window_m_unknown is not None:
        window_m, desc, gps_like = opts.window_m_unknown, "unknown source", opts.window_m_unknown > opts.window_m_barometric
    else:
        half = max(int(round(25.0 / step)), 2)
        lvl, _ = local_linear_fit(grid_filled, half)
        noise = _robust_sigma(grid_filled - lvl)
        gps_like = not (np.isfinite(noise) and noise < opts.barometric_noise_max_m)
        window_m = opts.window_m_gps if gps_like else opts.window_m_barometric
        desc = (f"unknown source, looks {'GPS' if gps_like else 'barometric'} "
                f"(high-frequency noise {noise:.2f} m)")
    tf = gps_like and opts.gps_smoother == "trend_filter" and np.isfinite(grid_filled).sum() >= 10
    if tf:
        level, kinked, window_m, lam = _gps_trend_profile(grid_filled, step, opts)
        grade = 100.0 * np.gradient(level) / step if level.size > 1 else np.full(level.shape, np.nan)
        smoother = (f"L1 trend filter (lambda {lam:.0f} m) + Whittaker {window_m:g} m")
    else:
        half = max(int(round(window_m / step / 2)), 1)
        level, slope = local_linear_fit(grid_filled, half, kernel=opts.kernel)
        grade = 100.0 * slope / step
        smoother = f"local linear regression over {window_m:g} m"
    grade[long_gap] = np.nan
    level[long_gap] = np.nan
    over = np.abs(grade) > opts.max_abs_grade_pct
    if over.any():
        warnings.append(f"grade beyond +-{opts.max_abs_grade_pct:g} % over {over.sum() * step:.0f} m: clipped "
                        "(hiking/scrambling)")
        grade = np.clip(grade, -opts.max_abs_grade_pct, opts.max_abs_grade_pct)
    gh = opts.gain_hysteresis_m_gps if gps_like else opts.gain_hysteresis_m_barometric
    if tf:
        # the trend filter's own profile (before the rounding pass) keeps hill tops and valley
        # floors at full height (no averaging across a kink), so gain is counted on it
        gl = kinked.copy()
    else:
        gw = opts.gain_window_m_gps if gps_like else opts.gain_window_m_barometric
        gl, _ = local_linear_fit(grid_filled, max(int(round(gw / step / 2)), 1))
    gl[long_gap] = np.nan
    # the climb across a data gap (GPS dropout, a jump between track segments) still happened:
    # bridge interior gaps with a straight line for the totals (as gpxpy and device totals do);
    # the profile, grade and segments stay unknown there
    fin = np.flatnonzero(np.isfinite(gl))
    bridged = gl.copy()
    if fin.size >= 2:
        inner = np.arange(fin[0], fin[-1] + 1)
        bridged[inner] = np.interp(inner, fin, gl[fin])
    gain, loss, clean = elevation_gain_loss(bridged, gh)
    clean[~np.isfinite(gl)] = np.nan
    return level, grade, clean, gain, loss, float(window_m), desc, smoother, warnings


def _gps_trend_profile(grid_alt: np.ndarray, step_m: float, opts: TerrainOptions
                       ) -> tuple[np.ndarray, float, float]:
    """Altitude profile from GPS-grade altitude: L1 trend filter, then a light Whittaker pass.

    The kink penalty is ``trend_filter_lambda_m`` for a 5 m grid, scaled by
    ``(5 / grid_step_m)^2`` (a kink's second difference grows with the grid step while the
    number of cells in the misfit sum shrinks with it), and the Whittaker pass
    (order 3, cutoff ``gps_polish_cutoff_m``) rounds the kinks into vertical curves.
    Returns (rounded profile, trend-filter profile, cutoff m, lambda used).
    """
    lam = opts.trend_filter_lambda_m * (5.0 / step_m) ** 2
    kinked = l1_trend_filter(grid_alt, lam)
    if opts.trend_filter_noise_ref_m is not None:
        # second pass with the penalty scaled to the noise actually present: the misfit a kink
        # must beat grows with the noise variance (robust std of the first-pass residual).
        # Only ever lowered: the residual also holds the terrain's curvature the straight
        # pieces miss (on smooth rolling hills), which must not be taken for more noise
        noise = _robust_sigma(grid_alt - kinked)
        if np.isfinite(noise) and noise > 0:
            scale = float(np.clip((noise / opts.trend_filter_noise_ref_m) ** 2, 0.25, 1.0))
            if abs(scale - 1.0) > 0.1:
                lam *= scale
                kinked = l1_trend_filter(grid_alt, lam, start=kinked)
    z = whittaker_smooth(kinked, opts.gps_polish_cutoff_m / step_m, order=3)
    return z, kinked, float(opts.gps_polish_cutoff_m), float(lam)


def _grade_from_imu(steps: pd.DataFrame, step_t: np.ndarray, step_d: np.ndarray, grid_d: np.ndarray,
                    opts: TerrainOptions):
    """Grade from strapdown stride rise / length (ZUPT-aided foot IMU), smoothed over distance.

    Each measured stride's grade (rise / horizontal length) covers the distance from its contact
    to the next contact of the same foot; the grid grade averages the feet present, is turned
    into a relative altitude and smoothed with the same local linear fit over ``window_m_imu``.
    """
    warnings: list[str] = []
    rise = float_column(steps, "stride_rise_m")
    length = float_column(steps, "stride_length_m")
    measured = measured_column(steps)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = 100.0 * rise / length
    use = measured & np.isfinite(g) & (length > 0.2) & np.isfinite(step_d)
    lim = opts.max_abs_grade_pct * 2  # per-stride values are noisy; clip outliers before smoothing
    g = np.clip(g, -lim, lim)
    step = opts.grid_step_m
    acc = np.zeros(grid_d.size)
    cnt = np.zeros(grid_d.size)
    for foot in _feet_of(steps, use):  # at most three labels
        sel = np.flatnonzero(foot)
        sel = sel[np.argsort(step_d[sel])]
        if sel.size < 2:
            continue
        # stride k covers [d_k, d_{k+1}); grid cells take the stride they fall in
        pos = np.searchsorted(step_d[sel], grid_d, side="right") - 1
        inside = (pos >= 0) & (pos < sel.size - 1) | ((pos == sel.size - 1) & (grid_d <= step_d[sel][-1] + 3.0))
        vals = g[sel][np.clip(pos, 0, sel.size - 1)]
        acc += np.where(inside, vals, 0.0)
        cnt += inside
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = np.where(cnt > 0, acc / np.maximum(cnt, 1), np.nan)
    raw_filled, long_gap = _fill_short_gaps(raw, int(round(opts.max_gap_m / step)))
    rel_alt = np.cumsum(np.nan_to_num(raw_filled) * step / 100.0)
    rel_alt = np.where(long_gap, np.nan, rel_alt)
    half = max(int(round(opts.window_m_imu / step / 2)), 1)
    level, slope = local_linear_fit(rel_alt, half, kernel=opts.kernel)
    grade = 100.0 * slope / step
    over = np.abs(grade) > opts.max_abs_grade_pct
    if over.any():
        warnings.append(f"grade beyond +-{opts.max_abs_grade_pct:g} % over {over.sum() * step:.0f} m: clipped "
                        "(hiking/scrambling)")
        grade = np.clip(grade, -opts.max_abs_grade_pct, opts.max_abs_grade_pct)
    gain, loss, clean = elevation_gain_loss(level, opts.gain_hysteresis_m_barometric)
    return level, grade, clean, gain, loss, warnings
