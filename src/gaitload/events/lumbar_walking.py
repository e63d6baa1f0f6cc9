"""Walking contacts from a lower-back accelerometer (the no-flight path of
:func:`gaitload.events.lumbar.detect_lumbar_events`).

IC is the onset of the heel-strike braking, the sharpest drop of the trunk's forward
acceleration (Zijlstra & Hof 2003), on an anterior-posterior axis found from the signal; final
contact is the push-off peak of vertical jerk in the next double support (McCamley et al. 2012).
"""

from __future__ import annotations

import numpy as np
from scipy import signal as sps
from scipy.ndimage import gaussian_filter1d

from .filters import gather_rows

__all__ = ["walking_braking", "walking_final_contact"]


def walking_braking(acc: np.ndarray, vertical: np.ndarray, up: np.ndarray, fs: float, lag_s: float,
                     active: np.ndarray, *,
                     sigma_s: float = 0.03, min_prominence: float = 0.8, max_tilt_deg: float = 45.0,
                     onset_level: float = 0.5, onset_back_s: float = 0.15) -> np.ndarray:
    """Walking IC: the sharpest drop of the trunk's forward acceleration (heel-strike braking).

    At heel strike the ground pushes back on the leading leg and the trunk's forward
    acceleration falls steeply (Zijlstra & Hof 2003, *Gait Posture* 18:1: IC at the forward
    acceleration's turn; the braking impulse of the anterior-posterior force). IC is each peak
    of minus the Gaussian derivative (``sigma_s`` = 30 ms) of the forward acceleration, at least
    0.6 step apart and of prominence ``min_prominence`` times its standard deviation in gait,
    moved back to the drop's onset: the last sample within ``onset_back_s`` before it where the
    forward acceleration fell at less than ``onset_level`` (half) of the peak rate.

    The forward axis of a sensor of unknown mounting: the horizontal acceleration (``up``, the
    unit gravity vector of the same 4 s moving mean the vertical was taken along, removed) is summed with itself one step
    later, which cancels the mediolateral sway (one period per stride, opposite after a step)
    and keeps the anterior-posterior pattern (one per step); the principal axis of that sum is
    anterior-posterior. Its sign: the heel-strike braking is the sharpest change of the forward
    acceleration, so forward is the sign whose derivative's 0.5th percentile is larger in size
    than its 99.5th (every one of the 52 Xsens trials came out forward; the 1st / 99th
    percentiles got one wrong). The pelvis is tilted, and the braking is sharpest along the
    pelvis' own anterior-posterior axis, not the horizontal: the axis is turned in the sagittal
    plane (towards vertical, by up to ``max_tilt_deg`` either way, in 5 degree steps) to where
    that drop is largest relative to the derivative's spread (on the Xsens trials 0-35
    degrees; the sensor's own back-normal axis and the tilted axis score the same, the
    horizontal one 0.08 lower).

    Chosen against vertical-acceleration peaks, vertical jerk and the forward acceleration's
    own extrema on Xsens subjects 1, 2, 4, 5 and 6, subjects 7-10 held out (heel strikes
    within 60 ms, after the gait gate, ``min_prominence`` 0.2; recall tuning / held-out): steepest point 0.86 / 0.86,
    half-rate onset 0.90 / 0.89, the forward acceleration's maximum before the drop 0.78 / 0.76
    (0.8 of the rate scored 0.91 / 0.90; half is the conventional half-maximum, a judgement);
    ``sigma_s`` 20 / 30 / 50 ms: 0.91 / 0.90 / 0.85 on the tuning subjects. ``min_prominence``
    trades recall for precision (tuning subjects, 0.2 / 0.5 / 0.8 / 1.3 x the standard deviation:
    recall 0.90 / 0.90 / 0.89 / 0.89, precision 0.91 / 0.93 / 0.94 / 0.96); 0.8 leaves the
    widest margin over both targets there (0.85 and 0.90), and gives 0.88 / 0.93 held out.
    """
    n = acc.shape[0]
    lag = max(1, int(round(lag_s * fs))) if np.isfinite(lag_s) else 0
    if lag == 0 or n < 2 * lag + 3 or active.sum() < 2 * lag:
        return np.empty(0)
    horiz = acc - vertical[:, None] * up
    both = active[:-lag] & active[lag:]
    if both.sum() < lag:
        return np.empty(0)
    summed = horiz[:-lag][both] + horiz[lag:][both]
    _, vec = np.linalg.eigh(np.cov(summed.T))
    sigma = max(0.5, sigma_s * fs)
    dh = gaussian_filter1d(horiz @ vec[:, -1], sigma, order=1)
    dv = gaussian_filter1d(vertical, sigma, order=1)
    # the axis is scored on the gait samples (every k-th beyond 100,000: a percentile of a
    # regular subsample, so an hour's walk costs what 17 minutes do)
    idx = np.flatnonzero(active)
    idx = idx[:: max(1, idx.size // 100_000)]
    dh_a, dv_a = dh[idx], dv[idx]
    sign = 1.0 if -np.percentile(dh_a, 0.5) >= np.percentile(dh_a, 99.5) else -1.0
    best, best_tilt = -np.inf, 0.0
    for tilt in np.deg2rad(np.arange(-max_tilt_deg, max_tilt_deg + 1e-9, 5.0)):  # 19 axes, not samples
        act = np.cos(tilt) * sign * dh_a + np.sin(tilt) * dv_a
        score = -np.percentile(act, 0.5) / max(float(np.std(act)), 1e-12)
        if score > best:
            best, best_tilt = score, tilt
    d = np.cos(best_tilt) * sign * dh + np.sin(best_tilt) * dv
    pk, _ = sps.find_peaks(-d, distance=max(1, int(0.6 * lag)), prominence=min_prominence * float(np.std(d[active])))
    if pk.size:
        # the drop's onset: the last sample, up to onset_back_s before its steepest point, where
        # it fell at less than onset_level of its peak rate (half-maximum onset)
        back = max(1, int(round(onset_back_s * fs)))
        seg = gather_rows(d, pk - back, back + 1)
        slow = seg >= onset_level * d[pk][:, None]
        has = slow.any(axis=1)
        last = back - np.argmax(slow[:, ::-1], axis=1)
        pk = np.where(has, pk - back + last, pk)
    return pk.astype(float)


def walking_final_contact(v_g: np.ndarray, fs: float, step_lag: np.ndarray, ic: np.ndarray, *,
                           sigma_s: float = 0.015, fc_window_steps: float = 0.45):
    """Walking final contact (FC) of each initial contact ``ic`` from the trunk's vertical jerk.

    McCamley et al. 2012 (*Gait Posture* 36:316) take IC and FC from extrema of the Gaussian-
    differentiated vertical acceleration; with the sign of a derivative (not MATLAB's ``gaus1``,
    whose sign is reversed) both are *peaks of vertical jerk*: every double support begins with
    the leading foot's loading and ends with the trailing foot's push-off and toe-off (Zijlstra
    & Hof 2003, *Gait Posture* 18:1). FC of a foot is the stronger jerk peak within
    ``fc_window_steps`` after the *next* IC, skipping that IC's own loading jerk. A narrow
    Gaussian derivative (``sigma_s`` = 15 ms, McCamley's scale ~ 2 at 100 Hz) keeps the two
    peaks of a double support apart. Returns ``(ic, fc)`` as float sample indices.
    """
    n = v_g.size
    lag = float(np.nanmedian(step_lag)) if np.size(step_lag) else float("nan")
    ic = np.asarray(ic, dtype=np.int64)
    if not np.isfinite(lag) or n < 3 or ic.size < 2:
        return ic.astype(float), np.full(ic.size, np.nan)
    j = gaussian_filter1d(v_g - np.mean(v_g), max(0.5, sigma_s * fs), order=1) * fs  # g/s
    # skip 100 ms: the IC's own loading jerk follows the braking onset by up to ~100 ms (Xsens
    # subjects 1, 2, 4-6: final contacts within 60 ms F1 0.54 with a 40 ms skip, 0.88 with 80 ms,
    # 0.89 with 100 ms)
    skip = max(1, int(round(0.1 * fs)))
    width = max(2, int(round(fc_window_steps * lag * fs)))
    start = ic[1:] + skip
    seg = gather_rows(j, start, width)
    fc = np.full(ic.size, np.nan)
    fc[:-1] = start + np.argmax(seg, axis=1)
    # a long pause between ICs (stop, U-turn): the contact's end is not in this window
    fc[:-1][np.diff(ic) > 1.6 * lag * fs] = np.nan
    return ic.astype(float), fc
