"""Sensor placement from the signal, and the signal features shared by the step detectors.

When neither the user (``--placement``) nor the file says where the sensor was worn, the
placement is decided from a few features of the signal, each with a physical reason:

* **sampling rate**: about 1 Hz (or no accelerometer at all) means watch / footpod records;
* **angular rate**: the foot pitches at 800-2000 deg/s in running swing, the shank at
  300-700 deg/s, the wrist at 200-500 deg/s, the trunk below about 150 deg/s;
* **peak acceleration**: foot and ankle impacts exceed 5 g (an ActiGraph clips at 8 g); the
  trunk sees 2-4 g;
* **step vs stride periodicity**: a lower-back / hip sensor sees every step alike, so its
  autocorrelation at one step lag is as high as at one stride lag; a foot, ankle or wrist sensor
  repeats once per stride (one foot, one arm-swing cycle), so its step-lag autocorrelation is
  much lower (Moe-Nilssen & Helbostad 2004 use the same step / stride autocorrelation ratio for
  trunk gait symmetry).

The module also holds the shared features: a gravity-aligned trunk frame, a windowed
autocorrelation cadence track, gap segmentation and NaN filling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..errors import OptionError, SignalError
from ..recording import Recording
from . import filters as sig

__all__ = [
    "detect_placement",
    "PlacementFeatures",
    "placement_features",
    "gravity_frame",
    "CadenceTrack",
    "cadence_track",
    "contiguous_segments",
    "fill_nan",
    "acc_array",
    "gyr_array",
    "G",
]

G = 9.80665  # m/s^2 per g

#: Plausible running step interval range (s): 130-220 steps/min. Walking goes down to ~90 spm,
#: so the autocorrelation search allows 0.25-0.70 s for one step.
STEP_LAG_RANGE_S = (60.0 / 240.0, 60.0 / 85.0)


def acc_array(rec: Recording, stop: int | None = None) -> np.ndarray | None:
    """The (n, 3) accelerometer array in m/s^2 (samples ``[:stop]``), or ``None`` when the recording has none."""
    if not rec.has("acc_x", "acc_y", "acc_z"):
        return None
    return np.column_stack([rec.channels[c][:stop] for c in ("acc_x", "acc_y", "acc_z")])


def gyr_array(rec: Recording, stop: int | None = None) -> np.ndarray | None:
    """The (n, 3) gyroscope array in rad/s (samples ``[:stop]``), or ``None``."""
    if not rec.has("gyr_x", "gyr_y", "gyr_z"):
        return None
    return np.column_stack([rec.channels[c][:stop] for c in ("gyr_x", "gyr_y", "gyr_z")])


class IMUColumns:
    """The three axes of an IMU signal as separate 1-D arrays: what the dispatcher hands
    :func:`~gaitload.events.foot.detect_foot_events` in place of an ``(n, 3)`` array (internal).

    The recording keeps each channel as its own contiguous array; the detector's checks (column
    extremes, clipping counts) read those directly, and the ``(n, 3)`` array it needs for the
    rest is stacked once, without the transposed copy the checks would otherwise take of it.
    """

    def __init__(self, x, y, z):
        self.columns = tuple(np.asarray(c, dtype=np.float64) for c in (x, y, z))

    def stacked(self) -> np.ndarray:
        return np.column_stack(self.columns)


def fill_nan(x: np.ndarray) -> np.ndarray:
    """Linear interpolation over NaN samples along axis 0 (edges held); all-NaN columns -> 0."""
    x = np.array(x, dtype=np.float64, copy=True)
    if np.isfinite(x).all():  # nothing to fill
        return x
    cols = x.reshape(x.shape[0], -1)
    idx = np.arange(cols.shape[0])
    for j in range(cols.shape[1]):  # a handful of axes
        bad = ~np.isfinite(cols[:, j])
        if bad.all():
            cols[:, j] = 0.0
        elif bad.any():
            cols[bad, j] = np.interp(idx[bad], idx[~bad], cols[~bad, j])
    return cols.reshape(x.shape)


def contiguous_segments(time_s: np.ndarray, gaps_s: np.ndarray) -> list[tuple[int, int]]:
    """Sample index ranges ``[start, stop)`` between the recording's gaps (pauses).

    Filters must not run across a pause (the signal jumps there), so every detector works on
    each contiguous piece separately.
    """
    if gaps_s is None or len(gaps_s) == 0:
        return [(0, time_s.size)]
    # the first sample after each gap starts a new segment
    cuts = np.searchsorted(time_s, np.asarray(gaps_s)[:, 1], side="left")
    bounds = np.unique(np.concatenate([[0], cuts, [time_s.size]]))
    return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


def _vertical(acc: np.ndarray, sampling_rate_hz: float, gravity_window_s: float = 4.0):
    """The vertical specific force and the up direction of :func:`gravity_frame` (no NaN in ``acc``).

    Placement detection needs only the vertical component, not the horizontal principal axes.
    """
    n = acc.shape[0]
    win = int(max(3, min(n, round(gravity_window_s * sampling_rate_hz))))
    # moving mean over the samples present (at the edges the window is cut, not zero-padded)
    grav, count = sig.box_sums(acc, win)
    grav /= count[:, None]
    norm = sig.norm3(grav)
    norm[norm == 0] = 1.0
    up = grav / norm[:, None]
    return np.einsum("ij,ij->i", acc, up), up


def gravity_frame(acc_mps2: np.ndarray, sampling_rate_hz: float, gravity_window_s: float = 4.0):
    """Vertical, anterior-posterior and mediolateral acceleration of a trunk-worn sensor.

    Vertical is the direction of gravity estimated as the moving average of the accelerometer
    over ``gravity_window_s`` (the mean acceleration of a runner at steady pace is gravity, so the
    mean specific force points up; Moe-Nilssen 1998 tilt correction). AP and ML are the first and
    second principal axes of the remaining horizontal acceleration (the trunk accelerates and
    brakes fore-aft more than it sways side to side in running and walking).

    Parameters
    ----------
    acc_mps2 : ndarray, shape (n, 3)
        Accelerometer in m/s^2, sensor frame.
    sampling_rate_hz : float
        Sampling rate in Hz.
    gravity_window_s : float
        Averaging window for the gravity direction, s.

    Returns
    -------
    vertical_mps2, ap_mps2, ml_mps2 : ndarray, shape (n,)
        Specific force along up (gravity included, so standing still reads +9.81), and
        gravity-free acceleration along the two horizontal principal axes (signs arbitrary).
    """
    acc = fill_nan(acc_mps2)
    n = acc.shape[0]
    vertical, up = _vertical(acc, sampling_rate_hz, gravity_window_s)
    horiz = acc - vertical[:, None] * up
    horiz_c = horiz - horiz.mean(axis=0)
    # PCA of the horizontal acceleration (3x3 covariance; its null direction is ~up)
    cov = horiz_c.T @ horiz_c / max(n - 1, 1)
    w, v = np.linalg.eigh(cov)
    ap = horiz_c @ v[:, -1]
    ml = horiz_c @ v[:, -2]
    return vertical, ap, ml


@dataclass
class CadenceTrack:
    """Windowed autocorrelation estimate of step and stride period.

    Attributes
    ----------
    center_s : ndarray
        Window centres, s.
    step_lag_s, stride_lag_s : ndarray
        Best step lag (in the step range) and best stride lag (in the stride range), s.
    r_step, r_stride : ndarray
        Normalised autocorrelation at those lags (1 = perfectly periodic, ~0 = noise).
    r_half_stride : ndarray
        Autocorrelation at half the best stride lag: high for trunk (every step alike), low
        for foot / ankle / wrist (one cycle per stride).
    r_half_step : ndarray or None
        Autocorrelation at half the best step lag: negative for a true step of a trunk signal
        (pulse against flight), high when the "step" found is really a stride (running: step
        and stride repeat almost equally at the trunk).
    """

    center_s: np.ndarray
    step_lag_s: np.ndarray
    stride_lag_s: np.ndarray
    r_step: np.ndarray
    r_stride: np.ndarray
    r_half_stride: np.ndarray
    r_half_step: np.ndarray | None = None


def cadence_track(x: np.ndarray, sampling_rate_hz: float, *, window_s: float = 8.0, hop_s: float = 2.0,
                  step_lag_range_s: tuple[float, float] = STEP_LAG_RANGE_S) -> CadenceTrack:
    """Step and stride period of a gait signal by windowed, unbiased autocorrelation.

    Every window's autocorrelation is computed at once with a batched FFT (cost linear in the
    recording length). The step lag is searched in ``step_lag_range_s`` and the stride lag in
    twice that range, so neither search can lock onto a multiple of the other (Moe-Nilssen &
    Helbostad 2004, *J Biomech* 37:121: trunk step / stride regularity).

    Parameters
    ----------
    x : ndarray, shape (n,)
        A signal without gaps (one contiguous segment), any unit.
    sampling_rate_hz : float
        Sampling rate in Hz.
    window_s, hop_s : float
        Window length and hop, s.
    step_lag_range_s : (float, float)
        Shortest and longest step interval considered, s.

    Returns
    -------
    CadenceTrack
        Empty arrays when the signal is shorter than one window, or the window shorter than
        the stride lags it must hold.
    """
    fs = float(sampling_rate_hz)
    win = int(round(window_s * fs))
    hop = max(1, int(round(hop_s * fs)))
    x = np.asarray(x, dtype=np.float64)
    if x.size < win or win < 8:
        e = np.empty(0)
        return CadenceTrack(e, e, e, e, e, e)
    lo, hi = sig.whole_floor(step_lag_range_s[0] * fs), sig.whole_ceil(step_lag_range_s[1] * fs)
    hi2 = min(2 * hi, win - 1)
    lo = max(lo, 1)
    # only lags [lag0, lag1) are read (the two searches, half the stride lag, the parabola's
    # neighbours): normalise those, r[:, j - lag0] is lag j
    lag0, lag1 = max(lo // 2 - 1, 0), min(max(hi, hi2) + 2, win)
    if lo > min(hi, lag1 - 1) or 2 * lo > min(hi2, lag1 - 1):
        # the window cannot hold the step and stride lags (a very short or slow recording)
        e = np.empty(0)
        return CadenceTrack(e, e, e, e, e, e)
    frames = sliding_window_view(x, win)[::hop]
    frames = frames - frames.mean(axis=1, keepdims=True)
    # zero-padding to win + lag1 samples keeps the lags read (< lag1) free of circular
    # wrap-around; padding to 2 win (every lag) made the transforms 2-7x dearer (1024 against
    # 2048 points for the 8 s windows of placement detection at 100 Hz)
    nfft = int(2 ** np.ceil(np.log2(win + lag1)))
    spec = np.fft.rfft(frames, nfft, axis=1)
    ac = np.fft.irfft(spec * np.conj(spec), nfft, axis=1)
    # unbiased normalisation: each lag has win - lag products
    ac0 = ac[:, :1] / win
    ac0[ac0 <= 0] = np.inf
    r = ac[:, lag0:lag1] / (win - np.arange(lag0, lag1))[None, :]
    r /= ac0
    step_idx = lo + np.argmax(r[:, lo - lag0:hi + 1 - lag0], axis=1)
    stride_idx = 2 * lo + np.argmax(r[:, 2 * lo - lag0:hi2 + 1 - lag0], axis=1)
    rows = np.arange(r.shape[0])
    half = np.clip(np.round(stride_idx / 2).astype(int), 0, win - 1)
    half_step = np.clip(np.round(step_idx / 2).astype(int), lag0, win - 1)
    center = (np.arange(frames.shape[0]) * hop + win / 2) / fs
    return CadenceTrack(
        center_s=center,
        step_lag_s=_parabolic_lag(r, step_idx, lag0, win) / fs,
        stride_lag_s=_parabolic_lag(r, stride_idx, lag0, win) / fs,
        r_step=r[rows, step_idx - lag0],
        r_stride=r[rows, stride_idx - lag0],
        r_half_stride=r[rows, half - lag0],
        r_half_step=r[rows, half_step - lag0],
    )


def _parabolic_lag(r: np.ndarray, idx: np.ndarray, lag0: int = 0, n_lags: int | None = None) -> np.ndarray:
    """Sub-sample peak position by a parabola through the peak and its two neighbours.

    ``r[:, j - lag0]`` holds lag ``j`` of ``n_lags`` (default: ``r`` holds them all).
    """
    rows = np.arange(r.shape[0])
    n_lags = r.shape[1] if n_lags is None else n_lags
    i = np.clip(idx, 1, n_lags - 2)
    a, b, c = r[rows, i - 1 - lag0], r[rows, i - lag0], r[rows, i + 1 - lag0]
    den = a - 2 * b + c
    shift = np.where(np.abs(den) > 1e-12, 0.5 * (a - c) / np.where(den == 0, 1, den), 0.0)
    return i + np.clip(shift, -0.5, 0.5)


@dataclass
class PlacementFeatures:
    """Signal features placement is decided from (NaN when not measurable)."""

    sampling_rate_hz: float
    has_acc: bool
    has_gyro: bool
    has_cadence: bool
    gyro_p99_dps: float
    acc_p99_g: float
    acc_clipped_fraction: float
    step_regularity: float
    stride_regularity: float
    half_stride_regularity: float
    step_frequency_hz: float
    fundamental_s: float
    still_fraction: float

    def describe(self) -> str:
        parts = [f"rate {self.sampling_rate_hz:.3g} Hz"]
        if self.has_gyro:
            parts.append(f"gyro p99 {self.gyro_p99_dps:.0f} deg/s, still {100 * self.still_fraction:.0f} %")
        elif self.has_acc:
            parts.append("no gyro")
        if self.has_acc:
            parts.append(f"acc p99 {self.acc_p99_g:.1f} g")
            parts.append(f"autocorr step/stride {self.half_stride_regularity:.2f}/{self.stride_regularity:.2f}")
            parts.append(f"fundamental period {self.fundamental_s:.2f} s")
        return ", ".join(parts)


def placement_features(rec: Recording, max_duration_s: float = 600.0) -> PlacementFeatures:
    """Compute :class:`PlacementFeatures` of a single-sensor recording.

    Parameters
    ----------
    rec : Recording
        A single-sensor recording.
    max_duration_s : float
        Only the first ``max_duration_s`` seconds are used (placement does not change mid-run,
        and it keeps detection cheap on long files).
    """
    fs = float(rec.sampling_rate_hz)
    # only the first max_duration_s are used (placement does not change mid-run)
    n = int(min(rec.time_s.size, max_duration_s * fs)) if np.isfinite(fs) and fs > 0 else rec.time_s.size
    acc = acc_array(rec, n)
    gyr = gyr_array(rec, n)
    nan = float("nan")
    feats = dict(sampling_rate_hz=fs, has_acc=acc is not None, has_gyro=gyr is not None,
                 has_cadence=rec.has("cadence"), gyro_p99_dps=nan, acc_p99_g=nan,
                 acc_clipped_fraction=nan, step_regularity=nan, stride_regularity=nan,
                 half_stride_regularity=nan, step_frequency_hz=nan,
                 fundamental_s=nan, still_fraction=nan)
    if acc is None or not np.isfinite(fs) or fs < 10:
        return PlacementFeatures(**feats)
    # acc_array / gyr_array gave new arrays: filled only when something is missing, never copied
    acc = acc if np.isfinite(acc).all() else fill_nan(acc)
    mag = sig.norm3(acc)
    feats["acc_p99_g"] = float(sig.percentile(mag, 99) / G)
    feats["acc_clipped_fraction"] = _clipped_fraction(acc)
    if gyr is not None:
        g = gyr if np.isfinite(gyr).all() else fill_nan(gyr)
        gnorm = sig.norm3(g)
        feats["gyro_p99_dps"] = float(sig.percentile(gnorm, 99) * 180 / np.pi)
        # a foot rests flat on the ground in every stance (zero-velocity phase, Skog et al. 2010):
        # angular rate < 40 deg/s and |acc| within 0.15 g of gravity, smoothed over 40 ms
        k = min(gnorm.size, max(1, int(round(0.04 * fs))))
        box = np.ones(k) / k
        still = (np.convolve(gnorm, box, "same") < np.deg2rad(40)) & (np.abs(np.convolve(mag, box, "same") - G) < 0.15 * G)
        # only while moving: windows of 2 s whose angular rate is lively (not standing)
        w2 = min(gnorm.size, max(1, int(round(2 * fs))))  # 'same' returns the longer length
        moving = sig.box_sums(gnorm, w2)[0] / w2 > np.deg2rad(60)  # zero-padded 2 s mean
        feats["still_fraction"] = float(still[moving].mean()) if moving.any() else 0.0
    # the longest contiguous piece carries the periodicity features
    segs = contiguous_segments(rec.time_s[:n], rec.gaps_s)
    a, b = max(segs, key=lambda s: s[1] - s[0])
    vertical, _ = _vertical(acc[a:b], fs)  # gravity_frame's vertical (acc has no NaN left)
    # a 5 s lab trial is one whole window (as the lumbar gait gate): an 8 s window would leave
    # it without any periodicity feature
    track = cadence_track(vertical, fs, window_s=min(8.0, (b - a) / fs))
    if track.center_s.size:
        # use the most periodic windows (running, not the stop at a traffic light)
        good = track.r_stride >= np.percentile(track.r_stride, 50)
        feats["stride_regularity"] = float(np.median(track.r_stride[good]))
        feats["step_regularity"] = float(np.median(track.r_step[good]))
        feats["half_stride_regularity"] = float(np.median(track.r_half_stride[good]))
        feats["step_frequency_hz"] = float(np.median(2.0 / track.stride_lag_s[good]))
        # fundamental period: half the stride lag when half a stride is itself periodic
        # (trunk: every step alike), else the stride lag
        halved = track.r_half_stride >= 0.45 * track.r_stride
        fund = np.where(halved, track.stride_lag_s / 2, track.stride_lag_s)
        # both searches can land a period too long in running (step ~ stride ~ 2 strides at the
        # trunk): half the step lag, when nearly as periodic (>= 0.8), is the step (a true step's half is
        # anti-phase; the lumbar detector decides step vs stride the same way)
        quarter = (track.r_half_step >= 0.8 * track.r_step) & (track.r_half_step >= 0.3) & \
            (track.step_lag_s / 2 >= 0.2)
        fund = np.where(quarter, np.minimum(fund, track.step_lag_s / 2), fund)
        # and a step lag about half the period found, repeating nearly as well as the stride
        # (trunk), is the period (the stride search's "stride" was two)
        step_is_period = (track.r_step >= 0.8 * track.r_stride) & (track.step_lag_s < 0.75 * fund)
        fund = np.where(step_is_period, track.step_lag_s, fund)
        feats["fundamental_s"] = float(np.median(fund[good]))
    return PlacementFeatures(**feats)


def _clipped_fraction(acc: np.ndarray) -> float:
    """Fraction of samples with any axis within 0.5 % of the largest absolute acceleration.

    The axes are compared one column at a time and or-ed (``np.any`` over the three values of
    each row runs element by element); the count over ``n`` is ``np.mean`` of the row flags
    exactly (a sum of ones is exact).
    """
    mag = np.abs(acc)
    peak = float(mag.max())
    if not peak > 0:
        return 0.0
    hit = mag >= 0.995 * peak
    rows = hit[:, 0] | hit[:, 1]
    rows |= hit[:, 2]
    return float(np.count_nonzero(rows) / rows.size)


def detect_placement(rec: Recording, hint: str | None = None) -> tuple[str, str]:
    """Decide where a sensor was worn.

    Parameters
    ----------
    rec : Recording
        A single-sensor recording (use :meth:`Recording.sensor` for multi-sensor files).
    hint : str, optional
        A user's ``--placement``: always wins.

    Returns
    -------
    placement : str
        ``foot``, ``shank``, ``lumbar``, ``wrist`` or ``records``.
    evidence : str
        One line saying how it was decided.

    Raises
    ------
    OptionError
        ``hint`` is not a known placement.
    SignalError
        The recording has neither motion nor cadence channels to decide from.
    """
    valid = ("foot", "shank", "lumbar", "wrist", "records")
    if hint is not None:
        if hint not in valid:
            raise OptionError(f"unknown placement {hint!r}; use one of {', '.join(valid)}")
        return hint, "given"
    if rec.placement in valid:
        return rec.placement, f"from the file ({rec.source_format})"
    f = placement_features(rec)
    if not f.has_acc:
        if f.has_cadence or rec.has("speed") or rec.has("distance"):
            return "records", f"no accelerometer; {f.describe()}; cadence/speed records"
        raise SignalError("no accelerometer and no cadence channel: the placement cannot be decided")
    if not np.isfinite(f.sampling_rate_hz) or f.sampling_rate_hz < 10:
        return "records", f"{f.describe()}: too slow for raw IMU, treated as records"
    why = f.describe()
    periodic = np.isfinite(f.fundamental_s) and f.stride_regularity > 0.2
    t0 = f.fundamental_s if periodic else float("nan")
    if f.has_gyro:
        # angular rate separates the segments best: the foot pitches fastest and rests flat in
        # stance, the shank swings fast with hard impacts, the arm swings at 200-650 deg/s, the
        # trunk turns slowest
        if f.still_fraction >= 0.05 and f.gyro_p99_dps >= 300:
            return "foot", f"{why}: fast rotation with a still stance phase -> foot"
        if f.gyro_p99_dps >= 400 and f.acc_p99_g >= 4.0:
            return "shank", f"{why}: > 400 deg/s and impacts > 4 g, no still phase -> shank"
        if f.gyro_p99_dps >= 650:
            return "foot", f"{why}: fast rotation -> foot"
        if f.gyro_p99_dps >= 200:
            return "wrist", f"{why}: 200-650 deg/s without a still phase or hard impacts -> wrist"
        return "lumbar", f"{why}: slow rotation (< 200 deg/s) -> lumbar"
    low_rate_turn = True
    # a trunk sensor repeats every step: a fundamental period < 0.5 s cannot be a stride
    # (that would be > 240 steps/min); 0.5-0.8 s is a walking step or a running stride, told
    # apart by the trunk's soft accelerations
    if periodic and (t0 < 0.5 or (t0 < 0.8 and f.acc_p99_g < 3.0 and low_rate_turn)):
        return "lumbar", f"{why}: repeats every step -> lumbar / hip"
    if not periodic and f.acc_p99_g < 3.0:
        return "lumbar", f"{why}: no clear gait period; soft accelerations -> lumbar"
    # accelerometer only (ActiGraph-like)
    if f.acc_p99_g >= 4.0 or f.acc_clipped_fraction > 0.001:
        return "shank", f"{why}: stride-periodic impacts > 4 g without gyro -> ankle (shank)"
    return "wrist", f"{why}: stride-periodic, soft impacts -> wrist"
