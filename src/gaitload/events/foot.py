"""Gait events from one foot- or shank-mounted IMU: initial contact, toe-off, strike, stride.

Method
------
1. **Sagittal axis, any mounting.** The foot and the shank rotate mostly about the
   mediolateral axis, so the first principal component of the (low-passed) angular rate while
   moving is that axis. Its sign is resolved from the gait itself so that ``+`` = toes up
   (dorsiflexion / forward swing of the shank): for a foot three cues vote (the pitch angle's
   excursion from foot-flat is deepest toes down, after push-off; the push-off rate peak is the
   sharpest; the forward-swing lobe lasts longest), see :func:`_resolve_sign`; for a shank, the
   forward swing is the largest lobe. A near-tie of the foot's vote is reported as a warning.
2. **Strides from swing peaks.** The dominant stride period comes from the autocorrelation of
   the sagittal rate; swing peaks (mid-swing maxima) are picked with
   :func:`scipy.signal.find_peaks` with a minimum distance of 0.6 stride periods and a height
   relative to the recording's typical swing peak (adaptive), as in Aminian et al. 2002 (shank)
   and Rampp et al. 2015 / Falbriard et al. 2018 (foot).
3. **Toe-off** = the pitch-rate minimum before each swing (the end of push-off; Falbriard
   et al. 2018, Front Physiol 9:610). **Initial contact** = the end of the swing lobe: the first
   sample after the swing peak where the pitch rate falls below zero, searched up to the minimum
   of the pitch rate after swing (Falbriard 2018's IC feature, available as ``ic_method``, as is
   the acceleration impact / jerk). A running **shank** keeps inclining knee-forward through toe-off
   into early swing, so its rate minimum before swing missed toe-off by 50-60 ms on simulated
   runs: its toe-off is the dip of the axial tibial
   acceleration at the end of push-off (Sinclair et al. 2013, :func:`_shank_toe_off`), and its
   impact burst is found on second differences of the acceleration (the terminal-swing
   deceleration is as large as a soft landing's first differences), from no earlier than the end
   of the rate's terminal-swing lobe (``_SHANK_LOBE_END``). A running **foot**'s impact onset is
   searched from no earlier than where its forward-swing rate has fallen to a tenth of the swing
   peak (``_FOOT_LOBE_END``; the terminal-swing deceleration turns before that).
4. **Zero-velocity (mid-stance)** = the quietest instant (moving average of the angular-rate
   norm) between IC and the next toe-off. A stride is accepted only when its stance is quiet
   compared with its swing, so no steps are invented while standing or from noise.
5. **Strike angle** = pitch at IC relative to foot-flat (:mod:`.strike`), classified with the
   Mo et al. cut-offs (or Altman & Davis 2012).
6. **Stride length / rise / speed** by strapdown integration with zero-velocity updates
   (:mod:`.strapdown`).

Every step is vectorised over the whole recording (filters, peak picking, index-matrix
arg-min/arg-max, cumulative sums).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import ndimage, signal

from ..notice import Notice
from ..errors import OptionError, SignalError
from . import _signal as sig
from .placement import IMUColumns
from .strapdown import stride_displacement
from .strike import classify_strike, strike_angle_deg, _thresholds

__all__ = ["detect_foot_events", "EVENT_COLUMNS", "empty_events"]

#: Columns of the events table, in order.
EVENT_COLUMNS: dict[str, str] = {
    "time_s": "float64",
    "toe_off_s": "float64",
    "contact_time_ms": "float64",
    "strike_angle_deg": "float64",
    "strike_pattern": "object",
    "strike_confidence": "float64",
    "stride_length_m": "float64",
    "stride_rise_m": "float64",
    "stride_speed_mps": "float64",
}


def empty_events() -> pd.DataFrame:
    """An events table with every column and no rows."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in EVENT_COLUMNS.items()})


_DEFAULTS = {
    "foot": {"min_sampling_rate_hz": 50.0, "stance_quiet_ratio": 0.35, "impact_onset_back_s": 0.02},
    "shank": {"min_sampling_rate_hz": 40.0, "stance_quiet_ratio": 0.8, "impact_onset_back_s": 0.01},
}


def _as_n3(name: str, x, n: int | None) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise SignalError(f"{name} is not numeric") from None
    if arr.ndim != 2 or arr.shape[1] != 3:
        raise SignalError(f"{name} must have shape (n, 3), got {arr.shape}")
    if n is not None and arr.shape[0] != n:
        raise SignalError(f"{name} has {arr.shape[0]} samples but time_s has {n}")
    return arr


def _imu_checked(x: np.ndarray, columns=None) -> tuple[np.ndarray, int, float, float]:
    """An ``(n, 3)`` IMU array checked once: filled, missing count, largest column range, clipping.

    Returns ``x`` with non-finite values filled by :func:`._signal.fill_nan` (``x`` itself, not
    a copy, when every value is finite: the detector never writes into its inputs), how many
    were filled, and :func:`_range_and_saturation`. One contiguous transposed copy serves all
    (or ``columns``, the same values as three contiguous 1-D arrays, when the caller has them):
    finite column extremes prove every value finite (min and max propagate NaN and reach an
    infinity), so no separate finiteness pass is needed.
    """
    if columns is None:
        cols = np.ascontiguousarray(x.T)
        lo, hi = cols.min(axis=1), cols.max(axis=1)
    else:
        cols = columns
        lo, hi = np.array([c.min() for c in cols]), np.array([c.max() for c in cols])
    if np.isfinite(lo).all() and np.isfinite(hi).all():
        return (x, 0) + _range_and_saturation_of(cols, lo, hi)
    filled, n_bad = sig.fill_nan(x)
    return (filled, n_bad) + _range_and_saturation(filled)


def _range_and_saturation(x: np.ndarray) -> tuple[float, float]:
    """Largest column range and :func:`._signal.saturated_fraction` of an ``(n, 3)`` array.

    Column by column on one contiguous transposed copy (a reduction down the columns of an
    ``(n, 3)`` array in one call is ~50x slower, and the strided column views ~2x); the range
    and the clipping count share the same extremes.
    """
    cols = np.ascontiguousarray(x.T)
    return _range_and_saturation_of(cols, cols.min(axis=1), cols.max(axis=1))


def _range_and_saturation_of(cols: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[float, float]:
    """:func:`_range_and_saturation` from the ``(3, n)`` columns (or three 1-D arrays) and their extremes."""
    best_range, best_at = 0.0, 0
    for col, a, b in zip(cols, lo, hi):  # three axes
        best_range = max(best_range, float(b - a))
        if b > a:  # a constant column is "constant", not "saturated"; a != b: disjoint counts
            best_at = max(best_at, int(np.count_nonzero(col == a)) + int(np.count_nonzero(col == b)))
    return best_range, float(best_at / len(cols[0]))


def _first_difference(x: np.ndarray) -> np.ndarray:
    """``x[j] - x[j - 1]`` along axis 0 (0 for the first row), same shape as ``x``."""
    d = np.empty_like(x)
    d[0] = 0.0
    np.subtract(x[1:], x[:-1], out=d[1:])
    return d


#: Shank toe-off search: from this fraction of the way from IC to the start of the forward-swing
#: lobe (judgement: 0.3-0.45 give the same contacts on the simulated runs; 0.6 cuts off the
#: toe-off at 5 m/s, where it lies at ~58 % of that interval; the stance's own axial minima lie
#: in the first ~30 %, after the impact).
_SHANK_TO_FROM = 0.4
#: A toe-off dip must be the lowest value within +-40 ms and rise by at least 3 m/s^2 (0.3 g) on
#: both sides within those 40 ms (judgement: the simulated dips rise by 30-80 m/s^2; the axial
#: dip after push-off in the adeptdata outdoor-run ankle recording, 100 Hz, rises by a median
#: 13 m/s^2 on either side and by more than 3 m/s^2 in 87 % of 1000 strides, axis taken as the
#: mean acceleration direction; no reference events there, so this checks the dip, not its timing).
_SHANK_TO_DIP_S = 0.04
_SHANK_TO_DIP_MPS2 = 3.0
#: Running shank contact: the impact onset is searched only from the end of the terminal-swing
#: lobe of the sagittal rate, the first sample after its minimum (``gmin``, Falbriard 2018's IC
#: feature, the shank swinging back fastest) where the rate is back above this fraction of that
#: minimum (0.5: half-way back to zero). That lobe is the shank's angular deceleration before
#: contact, and the forward-acceleration swell of the terminal-swing deceleration (30-90 m/s^2,
#: 20-40 ms before contact) rises and turns while the rate is still in it: at 100 Hz the swell's
#: turn has second differences as large as a soft landing's, so the onset was put on it, 2-3
#: samples early, for up to 22 % of the contacts (simulated slow uphill and hilly runs, seeds 1-3;
#: IC F1 0.78-0.99 -> 0.991-0.997). On those runs the half-way point lies 0-2 samples before the
#: contact sample at 100 Hz. Judgement, measured over seeds 1, 2, 3 and 11 of the simulated
#: matrix: 0.45 and 0.5 lose no contact anywhere; 0.4 (later) cut off a few forefoot contacts at
#: 400 Hz (F1 -0.006); 0.55 (earlier) fixed only 2 of the 10 failing 100 Hz runs.
_SHANK_LOBE_END = 0.5
#: Running foot contact: the impact onset is searched from no earlier than the first sample after
#: the swing peak where the sagittal rate has fallen below this fraction of the peak (and, as
#: before, no earlier than ``impact_search_s`` before the end of the swing lobe). The foot lands
#: as its forward-swing (toes-up) rotation ends: on the simulated runs the contact lies 0.7 ms
#: before to 24 ms after the end of the lobe (the rate's zero crossing), at every strike, rate
#: and grade. The foot's deceleration in terminal swing (a swell of 50-70 m/s^2 some 50-70 ms
#: before contact in the runs looked at) turns while the rate is still 20-50 % of its peak: on
#: slow uphill forefoot / midfoot landings at 100 Hz the turn's second differences passed for
#: the impact onset, which was then put 2-5 samples early (simulator seed 2, hilly course: IC
#: F1 0.902-0.975 -> 0.997). Judgement, measured over seeds 1, 2, 3 and 11 of the simulated
#: matrix: 0.05-0.15 give the same contacts (only those three runs change); 0.2 left two of
#: them below 0.99; 0 (the zero crossing itself) moves rearfoot contacts on 12 other 100 Hz runs.
_FOOT_LOBE_END = 0.1
#: Contacts used to estimate the shank's long axis (one axis per recording).
_SHANK_AXIS_CONTACTS = 256
#: Contacts per block of the index matrices (bounds memory on long recordings).
_SHANK_BLOCK = 2048


def _shank_toe_off(acc: np.ndarray, pitch: np.ndarray, axis: np.ndarray, ic_idx: np.ndarray,
                   peaks: np.ndarray, T: float, fs: float, lowpass_hz: float) -> np.ndarray:
    """Toe-off after each shank contact: the dip of the axial (along-the-tibia) acceleration.

    During push-off the foot rolls about the metatarsal heads ever faster (its pitch rate is
    fastest at toe-off, Falbriard et al. 2018), so the ankle, the shank's lower end, has a
    centripetal acceleration towards the forefoot, down the shank, that is largest at toe-off;
    once the toe leaves the ground the knee flexion lifts the shank. The specific force along
    the tibia therefore dips at toe-off, after the propulsive peak. Axial tibial acceleration
    locates toe-off within a few ms of force-plate toe-off in running (Sinclair et al. 2013,
    J Appl Biomech 29:118-122: -3.6 ms mean, 5.0 ms absolute error).

    Search window: from ``_SHANK_TO_FROM`` of the way from IC to the start of the next
    forward-swing lobe (the last sample with sagittal rate <= 0 before the next swing peak; the
    shank is most inclined in early swing, after toe-off) to that start. Toe-off is the first
    dip in it (lowest within +-``_SHANK_TO_DIP_S``, rising by ``_SHANK_TO_DIP_MPS2`` on both
    sides), else the window's minimum: in a real shank the axial specific force also falls
    later in early swing, as the shank tilts towards horizontal (gravity leaves its axis).

    The long axis is the mean specific force from IC to the start of forward swing over up to
    ``_SHANK_AXIS_CONTACTS`` contacts (gravity and the ground's push dominate; the tibia is
    within ~20 deg of vertical on average) with its sagittal component removed; up to 30 deg
    of error in it moved the simulated toe-offs by 1-2 ms. ``pitch`` is the sign-resolved
    sagittal rate (+ = forward swing), ``axis`` its axis in the sensor frame, ``T`` the stride
    period (samples). Vectorised over blocks of contacts. Returns -1 where nothing is found.
    """
    n = acc.shape[0]
    m = ic_idx.size
    out = np.full(m, -1, dtype=np.int64)
    nxt_pk = np.concatenate([peaks[1:], [n]])
    width = max(int(round(T)), 2)
    swing_on = np.full(m, -1, dtype=np.int64)
    for a in range(0, m, _SHANK_BLOCK):  # blocks of contacts, not one contact at a time
        b = slice(a, a + _SHANK_BLOCK)
        idx, valid, _ = sig._window_matrix(ic_idx[b], nxt_pk[b], n, width)
        nonpos = valid & (pitch[idx] <= 0.0)
        last = idx.shape[1] - 1 - np.argmax(nonpos[:, ::-1], axis=1)
        swing_on[b] = np.where(nonpos.any(axis=1), idx[np.arange(idx.shape[0]), last], -1)
    ok = swing_on > ic_idx
    if not ok.any():
        return out
    cand = np.flatnonzero(ok)
    pick = cand[np.unique(np.linspace(0, cand.size - 1, min(cand.size, _SHANK_AXIS_CONTACTS)).astype(np.int64))]
    w_idx, w_valid, _ = sig._window_matrix(ic_idx[pick], swing_on[pick], n, width)
    up = np.einsum("ij,ijk->k", w_valid.astype(np.float64), np.take(acc, w_idx, axis=0))
    up -= (up @ axis) * axis
    norm_up = float(np.linalg.norm(up))
    if not np.isfinite(norm_up) or norm_up <= 0.0:
        return out
    axial = sig.lowpass(acc @ (up / norm_up), lowpass_hz, fs)
    lo = ic_idx + np.round(_SHANK_TO_FROM * (swing_on - ic_idx)).astype(np.int64)
    r = max(int(round(_SHANK_TO_DIP_S * fs)), 1)
    for a in range(0, m, _SHANK_BLOCK):
        b = slice(a, a + _SHANK_BLOCK)
        rows = np.flatnonzero(ok[b])
        if rows.size == 0:
            continue
        lo_b, hi_b = lo[b][rows], swing_on[b][rows] + 1
        # the window padded by r samples on each side (for the dip's two flanks)
        idx, valid, _ = sig._window_matrix(lo_b - r, hi_b + r, n, width + 2 * r)
        x = axial[idx]
        x_hi = np.where(valid, x, -np.inf)
        x_lo = np.where(valid, x, np.inf)
        # largest value over [j, j + r), then the flanks [j - r, j) and (j, j + r]
        fwd = ndimage.maximum_filter1d(x_hi, r, axis=1, mode="constant", cval=-np.inf, origin=-(r // 2))
        left = np.full_like(fwd, -np.inf)
        left[:, r:] = fwd[:, :-r]
        right = np.full_like(fwd, -np.inf)
        right[:, :-1] = fwd[:, 1:]
        lowest = ndimage.minimum_filter1d(x_lo, 2 * r + 1, axis=1, mode="constant", cval=np.inf)
        core = valid & (idx >= lo_b[:, None]) & (idx < hi_b[:, None])
        dip = core & (x <= lowest) & (left - x >= _SHANK_TO_DIP_MPS2) & (right - x >= _SHANK_TO_DIP_MPS2)
        k = np.where(dip.any(axis=1), np.argmax(dip, axis=1), np.argmin(np.where(core, x, np.inf), axis=1))
        to = idx[np.arange(idx.shape[0]), k]
        good = core.any(axis=1) & (to > ic_idx[b][rows])
        out[a + rows[good]] = to[good]
    return out


def _resolve_sign(pitch: np.ndarray, norm: np.ndarray, swing: np.ndarray, fs: float, placement: str,
                  max_rate_hz: float = 50.0) -> tuple[float, float]:
    """+1 or -1 so that ``sign * pitch`` is + toes up / forward swing, and the vote's margin.

    ``pitch`` is the sagittal rate (rad/s, 25 Hz low-pass), ``norm`` the angular-rate norm
    (rad/s) and ``swing`` the pitch rate low-passed for the swing peaks (5 Hz), all at ``fs`` Hz.

    Every cue uses slow components only, so they are computed on copies decimated to about
    ``max_rate_hz`` by block means (each sample is read once, nothing aliases into the angle).

    Foot (three cues vote; each is a normalised asymmetry in [-1, 1], + = the sign is right):

    - **excursion from foot-flat** (weight 1): the pitch angle (integral, drift removed by a
      0.3 Hz high-pass) measured from its level while the foot is quiet (the 10 % quietest
      samples: foot-flat in stance, or standing). Push-off and early swing take the foot
      40-70 deg toes down; at contact it is at most ~25 deg toes up (heel strike) or toes down
      (forefoot strike), so the deep excursion is toes down in walking and running, for every
      strike pattern and grade. (The mean of the angle is no reference: a forefoot downhill
      runner spends most of the stride toes down.)
    - **peak rate** (weight 0.5): the push-off / early-swing rate minimum (toes down, 700-900 deg/s
      in running) is larger than the forward-swing maximum; true in the simulated runs and the
      gaitmap and Voisard walking recordings (judgement from those data, not a published rule).
    - **lobe duration** (weight 0.5): the forward-swing lobe (toes up) lasts most of the swing,
      the push-off lobe a fifth of the stride; about neutral in walking, clear in running.

    A 2.5 Hz low-passed lobe-size cue (the old rule: "the swing lobe is the largest") votes the
    wrong way for the foot in running and is used for the shank only, where the forward swing
    is the largest lobe.

    Returns
    -------
    sign : float
        +1 or -1.
    margin : float
        The weighted vote (same sign as ``sign``); near 0 the cues disagree.
    """
    step = sig.decimation_step(fs, max_rate_hz)
    if pitch.size < 64 * step:  # too short to decimate usefully
        step = 1
    fs_d = fs / step
    m = pitch.size // step
    # block means (a sum of ``step`` strided views touches each sample once)
    w = pitch[0 : m * step : step].copy()
    for j in range(1, step):  # step = fs / 50 Hz: a handful
        w += pitch[j : m * step : step]
    w /= step
    if placement == "shank":
        slow_lobes = sig.lowpass(w, 2.5, fs_d)
        lo, hi = sig.percentile(slow_lobes, [0.5, 99.5])
        lobe = (hi + lo) / max(hi - lo, 1e-9)  # > 0 when the widest lobes are positive
        return (1.0 if lobe >= 0 else -1.0), float(lobe)
    q = norm[0 : m * step : step].copy()
    for j in range(1, step):
        q += norm[j : m * step : step]
    q /= step
    # 1. excursion from the quiet (foot-flat) level
    np.cumsum(w, out=w)  # w is this function's own decimated copy: integrate in place
    w /= fs_d
    angle = sig.highpass(w, 0.3, fs_d)
    quiet_level = sig.moving_average(q, max(int(round(0.1 * fs_d)), 1))
    flat = float(sig.median(angle[quiet_level <= sig.percentile(quiet_level, 10.0)]))
    a_lo, a_hi = sig.percentile(angle, [1.0, 99.0])
    excursion = -((a_hi - flat) + (a_lo - flat)) / max(a_hi - a_lo, 1e-9)
    # 2. peak rates (the 25 Hz event signal: push-off is a sharp peak)
    r_lo, r_hi = sig.percentile(pitch, [0.5, 99.5])
    peak = -(r_hi + r_lo) / max(r_hi - r_lo, 1e-9)
    # 3. lobe durations: time above +25 % vs below -25 % of the 95th percentile |rate|
    slow = swing[::step]
    level = 0.25 * sig.percentile(np.abs(slow), 95.0)
    n_pos = np.count_nonzero(slow > level)
    n_neg = np.count_nonzero(slow < -level)
    duration = (n_pos - n_neg) / max(n_pos + n_neg, 1)
    vote = excursion + 0.5 * peak + 0.5 * duration
    return (1.0 if vote >= 0 else -1.0), float(vote)


#: walking: an impact this long after the end of the swing lobe means the foot was still in the
#: air there, s (see :func:`_walking_contact`)
_WALK_LATE_IMPACT_S = (0.03, 0.15)


def _walking_contact(acc, zc, gmin, fs, span_s, onset_fraction, energy_s, onset_order, onset_back_s):
    """Walking IC: the end of the forward-swing lobe, or the landing impact when that comes clearly later.

    The pitch rate's zero crossing at the end of swing matches motion capture within 5-10 ms
    on the gaitmap shoe recordings, because the heel lands as the foot stops rotating forward.
    A slow walker's foot can stop rotating (and even rotate back, leg retraction) 60-100 ms
    before it lands: on the Xsens walking recordings (Voisard et al.) 7 % of heel strikes were
    found that early, with the acceleration still at 1 g and the gyroscope smooth until the
    landing's ringing. So the landing impact (the onset of the burst of largest acceleration
    change, as for running) is searched from the zero crossing up to the pitch-rate minimum
    after it (foot flat) or 150 ms, and taken when it starts more than 30 ms after the zero
    crossing (closer than that, the two are the same event seen twice; judgement; chosen on
    Xsens subjects 1, 2, 4, 5 and 6, subjects 7-10 held out).
    """
    early, late = _WALK_LATE_IMPACT_S
    lo = zc
    hi = np.minimum(zc + max(int(round(late * fs)), 2), np.maximum(gmin, zc + 1)) + 1
    jk = sig.window_max_jerk(acc, lo, np.maximum(hi, lo + 1), max(int(round(span_s * fs)), 1),
                             onset_fraction=onset_fraction, energy_width=sig.whole_ceil(energy_s * fs),
                             onset_order=onset_order, onset_back=int(round(onset_back_s * fs)))
    later = (jk >= 0) & (jk - zc > early * fs)
    return np.where(later, jk, zc), later


def detect_foot_events(
    time_s,
    acc_mps2,
    gyr_rads,
    sampling_rate_hz: float,
    placement: str = "foot",
    *,
    min_sampling_rate_hz: float | None = None,
    event_lowpass_hz: float = 25.0,
    swing_lowpass_hz: float = 5.0,
    min_stride_s: float = 0.4,
    max_stride_s: float = 3.0,
    min_duration_s: float = 2.0,
    min_swing_peak_rads: float = 1.0,
    relative_swing_peak: float = 0.2,
    min_periodicity: float = 0.25,
    bout_gap_factor: float = 1.8,
    stance_quiet_ratio: float | None = None,
    impact_search_s: float = 0.04,
    quiet_window_s: float = 0.05,
    strike_thresholds="mo",
    strike_uncertainty_deg: float = 2.5,
    strapdown: bool = True,
    ic_method: str = "auto",
    to_lowpass_hz: float = 50.0,
    flat_level_ratio: float = 0.1,
    running_flat_fraction: float = 0.35,
    running_stride_s: float = 0.85,
    impact_window_frac: float = 0.3,
    impact_span_s: float = 0.005,
    impact_onset_fraction: float = 0.25,
    impact_energy_s: float = 0.03,
    impact_onset_order: int = 2,
    impact_onset_back_s: float | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Initial contacts, toe-offs, strike angle/pattern and stride geometry of one foot.

    Parameters
    ----------
    time_s : array_like, shape (n,)
        Sample times in seconds.
    acc_mps2 : array_like, shape (n, 3)
        Sensor-frame acceleration in m/s^2 (any mounting orientation). (Internally also an
        :class:`~gaitload.events.placement.IMUColumns`, as for ``gyr_rads``.)
    gyr_rads : array_like, shape (n, 3)
        Sensor-frame angular rate in rad/s.
    sampling_rate_hz : float
        Sampling rate in Hz.
    placement : {"foot", "shank"}
        Where the sensor sits. A shank gives timing only (strike and stride columns NaN).
    min_sampling_rate_hz : float, optional
        Below this rate events are not reliable and none are returned (default 50 Hz foot,
        40 Hz shank).
    event_lowpass_hz : float
        Low-pass (Hz) applied before picking IC / TO features.
    swing_lowpass_hz : float
        Low-pass (Hz) of the signal whose peaks mark mid-swing.
    min_stride_s, max_stride_s : float
        Range of plausible stride periods (one foot), seconds.
    min_duration_s : float
        Shorter signals cannot hold two strides of slow gait; no steps are returned.
    min_swing_peak_rads : float
        Absolute floor of a swing peak, rad/s (1.0: the first and last steps of a walk and the
        steps of a U-turn swing at 1.0-1.5 rad/s in the Voisard Xsens recordings; judgement).
    relative_swing_peak : float
        A swing peak must reach this fraction (0.2) of the recording's typical (90th
        percentile) one; a quiet stance must still follow it (judgement, same data: 0.25
        missed 7 % of the reference contacts there, 0.2 misses 5 % with one more extra).
    min_periodicity : float
        Minimum normalised autocorrelation at the stride period; below it the signal is not gait.
    bout_gap_factor : float
        Two swing peaks further apart than this many local stride periods belong to different
        bouts (a stop lies between them): no toe-off or stride is made across the gap.
    stance_quiet_ratio : float, optional
        A stance is accepted when its quietest angular-rate norm is below this fraction of the
        swing peak (default 0.35 foot, 0.8 shank: the shank keeps rotating during stance).
    impact_search_s : float
        Half-width (s) of the window around the end of swing searched for the impact jerk.
    quiet_window_s : float
        Moving-average window (s) used to find the zero-velocity instant.
    strike_thresholds : {"mo", "altman"} or (float, float)
        Strike-angle cut-offs (see :func:`gaitload.events.strike.classify_strike`).
    strike_uncertainty_deg : float
        Base one-sigma uncertainty of a strike angle, degrees; the IC timing uncertainty times
        the pitch rate at IC is added in quadrature per step.
    strapdown : bool
        Compute stride length / rise / speed by strapdown integration (foot only).
    ic_method : {"auto", "zero_crossing", "gyro_min", "impact"}
        Initial-contact feature: the end of the swing lobe (first pitch-rate sample below zero
        after the swing peak; default, 5-10 ms median error vs motion capture on gaitmap), the
        pitch-rate minimum after swing (Falbriard 2018; ~45 ms late in walking), or the largest
        acceleration jerk near the end of swing (~29 ms late in walking).
    to_lowpass_hz : float
        Low-pass (Hz) of the pitch rate whose minimum before swing is the toe-off (of the axial
        acceleration whose dip is the toe-off of a running shank).
    impact_onset_fraction, impact_onset_order, impact_onset_back_s : float, int, float
        Running contacts (the acceleration impact): inside the 30 ms burst of largest
        acceleration change, the contact is the first sample whose second difference
        (``impact_onset_order`` 2) reaches ``impact_onset_fraction`` (0.25) of the burst's
        largest, searched from ``impact_onset_back_s`` before the burst (default 20 ms foot,
        10 ms shank). Tuned on simulated runs (gaitload.simulate; 100 and 400 Hz, every strike
        pattern and grade): a judgement, as is the 0.25 (0.5 placed ringing heel strikes
        10 ms late; 0.35 was late by one sample at 100 Hz). A running shank's burst is the one
        of largest second-difference energy (the shank's terminal-swing deceleration changes
        its acceleration by 10-20 m/s^2 per 10 ms sample before contact, as much as a soft
        landing); its onset is then read on the same second differences, searched from no
        earlier than where the pitch rate, after its terminal-swing minimum, is back half-way to
        zero (the swell's turn before it has second differences as large as a soft landing's).
        A running foot's onset is searched from no earlier than where its forward-swing rate has
        fallen below a tenth of the swing peak (the foot's terminal-swing deceleration turns while
        the rate is still 20-50 % of it).

    Returns
    -------
    events : pandas.DataFrame
        One row per initial contact of this foot, sorted by ``time_s``; columns
        :data:`EVENT_COLUMNS` (times in s, contact time in ms, strike angle in deg + = toes up,
        stride length / rise in m, speed in m/s). A contact that ends a bout (a stop follows) has
        NaN toe-off; the first contact of a bout has NaN strike angle and stride columns.
    warnings : list of str
        Plain-language problems (e.g. ``"pure noise: no periodic gait found"``).

    Raises
    ------
    SignalError
        Arrays of the wrong shape or length, or a non-positive sampling rate.
    OptionError
        Unknown placement or strike thresholds.

    References
    ----------
    Falbriard M, Meyer F, Mariani B, Millet GP, Aminian K. Accurate estimation of running
    temporal parameters using foot-worn inertial sensors. Front Physiol 2018;9:610.
    Aminian K et al. Spatio-temporal parameters of gait measured by an ambulatory system using
    miniature gyroscopes. J Biomech 2002;35:689-699.
    Rampp A et al. Inertial sensor-based stride parameter calculation from gait sequences in
    geriatric patients. IEEE TBME 2015;62:1089-1097.
    Sinclair J, Hobbs SJ, Protheroe L, Edmundson CJ, Greenhalgh A. Determination of gait events
    using an externally mounted shank accelerometer. J Appl Biomech 2013;29:118-122.
    """
    if placement not in _DEFAULTS:
        raise OptionError(f"placement must be 'foot' or 'shank' for this detector, got {placement!r}")
    _thresholds(strike_thresholds)  # validate early
    try:
        fs = float(sampling_rate_hz)
    except (TypeError, ValueError):
        raise SignalError(f"sampling_rate_hz must be a number, got {sampling_rate_hz!r}") from None
    if not np.isfinite(fs) or fs <= 0:
        raise SignalError(f"sampling_rate_hz must be positive, got {sampling_rate_hz!r}")
    fs = sig.snap_rate(fs)  # window lengths must not flip with the rate's last bits
    t = np.asarray(time_s, dtype=np.float64).ravel()
    n = t.size
    # IMUColumns (from the dispatcher): stacked here, the checks read the columns themselves
    acc_cols = acc_mps2.columns if isinstance(acc_mps2, IMUColumns) else None
    gyr_cols = gyr_rads.columns if isinstance(gyr_rads, IMUColumns) else None
    acc = _as_n3("acc_mps2", acc_mps2 if acc_cols is None else acc_mps2.stacked(), n)
    gyr = _as_n3("gyr_rads", gyr_rads if gyr_cols is None else gyr_rads.stacked(), n)
    d = _DEFAULTS[placement]
    min_fs = d["min_sampling_rate_hz"] if min_sampling_rate_hz is None else float(min_sampling_rate_hz)
    quiet_ratio = d["stance_quiet_ratio"] if stance_quiet_ratio is None else float(stance_quiet_ratio)
    onset_back_s = d["impact_onset_back_s"] if impact_onset_back_s is None else float(impact_onset_back_s)
    warnings: list[str] = []

    if fs < min_fs:
        warnings.append(
            Notice(f"sampling rate {fs:g} Hz is too low for {placement} events (needs at least {min_fs:g} Hz): no steps detected",
                   "no-steps")
        )
        return empty_events(), warnings
    if n == 0 or n < int(min_duration_s * fs):
        warnings.append(Notice(f"signal too short ({n / fs:.2f} s): fewer than 2 strides, no steps detected",
                               "no-steps"))
        return empty_events(), warnings
    if not (sig.all_finite(t) or np.isfinite(t).all()):  # one sum proves the usual case
        warnings.append(Notice("time_s has missing values: no steps detected", "no-steps"))
        return empty_events(), warnings
    gyr, n_bad_g, gyr_range, gyr_sat = _imu_checked(gyr, gyr_cols)
    acc, n_bad_a, _, acc_sat = _imu_checked(acc, acc_cols)
    if n_bad_g + n_bad_a > 0.2 * 6 * n:
        warnings.append(Notice("more than 20 % of the IMU values are missing: no steps detected", "no-steps"))
        return empty_events(), warnings
    if n_bad_g + n_bad_a:
        warnings.append(Notice(f"{n_bad_g + n_bad_a} missing IMU value(s) filled by linear interpolation",
                               "imu-filled"))
    if gyr_range < 0.1:
        warnings.append(Notice("angular rate is constant (sensor still, stuck or all zeros): no gait found",
                               "no-steps"))
        return empty_events(), warnings
    sat = max(gyr_sat, acc_sat)
    if sat > 0.3:
        warnings.append(Notice(f"signal saturated ({100 * sat:.0f} % of samples at the sensor's limit): no steps detected",
                               "no-steps"))
        return empty_events(), warnings

    # -- 1. sagittal axis and its sign -----------------------------------------------------
    # the axis comes from the raw rate (sensor noise is tiny next to gait rotation); only the
    # 1-D projection is filtered, which keeps the detector fast on long recordings
    # (the recording's own columns hold gyr's values unless some were missing and filled)
    norm = sig.row_norms(gyr, gyr_cols if gyr_cols is not None and not n_bad_g else None)
    moving = norm > max(0.5, float(sig.median(norm)))
    axis, explained = sig.principal_axis(gyr, moving)
    raw_pitch = gyr @ axis
    pitch = sig.lowpass(raw_pitch, event_lowpass_hz, fs)
    swing = sig.lowpass(pitch, swing_lowpass_hz, fs)
    sgn, sign_margin = _resolve_sign(pitch, norm, swing, fs, placement)
    axis = sgn * axis
    if sgn < 0:
        # the filters are linear and negation is exact in floating point: no second filter pass
        # (in place: the three arrays are this function's own)
        for x in (raw_pitch, pitch, swing):
            np.negative(x, out=x)

    # -- 2. stride period and swing peaks ----------------------------------------------------
    period_s, strength = sig.dominant_period(swing, fs, min_stride_s, max_stride_s)
    if not np.isfinite(period_s) or strength < min_periodicity:
        warnings.append(
            Notice(f"pure noise or no gait: no periodic stride pattern found (periodicity {strength:.2f} < {min_periodicity:g})",
                   "no-steps")
        )
        return empty_events(), warnings
    T = period_s * fs  # samples per stride
    peaks, props = signal.find_peaks(swing, height=min_swing_peak_rads, distance=max(int(0.6 * T), 1))
    if peaks.size:
        ref = np.percentile(props["peak_heights"], 90)
        peaks = peaks[props["peak_heights"] >= relative_swing_peak * ref]
    if peaks.size < 2:
        warnings.append(Notice("fewer than 2 strides found: no steps detected", "no-steps"))
        return empty_events(), warnings

    # local stride period (median of neighbouring peak intervals) to separate bouts
    gaps = np.diff(peaks).astype(np.float64)
    local = ndimage.median_filter(gaps, size=5, mode="nearest") if gaps.size >= 3 else np.full_like(gaps, np.median(gaps))
    local = np.clip(local, min_stride_s * fs, max_stride_s * fs)
    # a gap in the time stamps (a pause in recording) also ends a bout
    # (pause number of sample p = how many time-stamp gaps lie before it)
    t_gaps = np.flatnonzero(np.diff(t) > 5.0 / fs)
    pause = np.searchsorted(t_gaps, peaks, side="left")
    linked = (gaps <= bout_gap_factor * local) & (pause[1:] == pause[:-1])
    T_next = np.concatenate([np.where(linked, gaps, local), [local[-1] if local.size else T]])
    T_prev = np.concatenate([[T_next[0]], np.where(linked, gaps, local)])

    # -- 3. toe-off before each swing, initial contact after it --------------------------------
    to_start = peaks - np.round(0.45 * T_prev).astype(np.int64)
    # toe-off is a sharp corner (end of push-off): a wider band keeps it in place
    # (read only: at or above 0.9 x Nyquist the low-pass would only copy the rate)
    pitch_to = raw_pitch if to_lowpass_hz >= 0.45 * fs else sig.lowpass(raw_pitch, to_lowpass_hz, fs)
    to_idx = sig.window_argmin(pitch_to, to_start, peaks)
    ic_lim = peaks + np.round(0.4 * T_next).astype(np.int64)
    gmin = sig.window_argmin(pitch, peaks, ic_lim)  # Falbriard 2018 IC feature (bounds the search)
    zc = sig.first_crossing_below(pitch, peaks, gmin + 1, level=0.0)
    zc = np.where(zc < 0, gmin, zc)
    # smoothed angular-rate norm: the foot is flat (quiet) in mid-stance; evaluated only inside
    # the stance windows below (one cumulative sum, then per-window look-ups)
    quiet_w = int(round(quiet_window_s * fs))
    norm_csum = np.zeros(n + 1)
    np.cumsum(norm, out=norm_csum[1:])  # the same sums, no concatenated copy

    def quiet_at(i):
        return sig.moving_average_at(norm, i, quiet_w, norm_csum)

    running = False
    impact_used = np.zeros(peaks.size, dtype=bool)
    if ic_method in ("auto", "impact"):
        # foot-flat onset: first sample after the end of the swing lobe where the (short-window)
        # rate norm falls below a tenth of the typical swing peak; the contact lies before it
        peak_ref = float(np.median(swing[peaks]))
        # sustained quiet: the largest rate over the next 30 ms (the norm also dips briefly where
        # the swing lobe changes sign, which is not foot-flat)
        short = sig.forward_max(norm, max(int(round(0.03 * fs)), 1))
        flat_lim = zc + np.round(0.45 * T_next).astype(np.int64)
        flat_on = sig.first_crossing_below(short, zc, flat_lim, level=flat_level_ratio * peak_ref)
        if placement == "foot":
            # running vs walking from the duty factor (Novacheck 1998: stance > 50 % of the stride
            # in walking, < 40 % in running): foot-flat to the next push-off spans about half the
            # stride in walking and a fifth of it in running
            nxt_to = np.concatenate([to_idx[1:], [-1]])
            okd = np.concatenate([linked, [False]]) & (flat_on >= 0) & (nxt_to > flat_on)
            if okd.sum() >= 2:
                duty = np.median((nxt_to[okd] - flat_on[okd]) / T_next[okd])
                running = bool(duty < running_flat_fraction)
            # running strides are short whatever the duty factor (slow uphill running has a
            # long contact); walking strides last about a second or more
            running = running or period_s < running_stride_s
        else:
            running = period_s < running_stride_s
    if ic_method == "zero_crossing":
        ic_idx = zc
    elif ic_method == "auto" and not running:
        ic_idx, impact_used = _walking_contact(acc, zc, gmin, fs, impact_span_s, impact_onset_fraction,
                                               impact_energy_s, impact_onset_order, onset_back_s)
    elif ic_method == "gyro_min":
        ic_idx = gmin
    elif ic_method in ("impact", "auto"):
        # the impact: largest acceleration jerk between the end of the swing lobe and foot-flat
        # (running: the pitch rate alone is ambiguous there, it depends on the strike pattern;
        # the impact transient is present for rearfoot, midfoot and forefoot strikes alike,
        # cf. Mitschke et al. 2017, Appl Sci 7:1306). Walking without ``auto``: the old
        # +-impact_search_s window around the end of the swing lobe.
        if running:
            default_hi = zc + np.round(impact_window_frac * T_next).astype(np.int64)
            if placement == "foot":
                margin = max(int(round(0.005 * fs)), 1)
                hi = np.where(flat_on > zc, flat_on - margin, default_hi)
            else:
                hi = default_hi
            if placement == "foot":
                # a heel-first foot may keep rotating toes-up until the impact itself
                lo = zc - max(int(round(impact_search_s * fs)), 1)
                # but not while the forward-swing lobe is still strong (_FOOT_LOBE_END)
                lobe_end = sig.first_crossing_below(pitch, peaks, zc + 1, level=_FOOT_LOBE_END * pitch[peaks])
                lo = np.where((pitch[peaks] > 0.0) & (lobe_end > lo), lobe_end, lo)
            else:
                # the shank's forward swing ends clearly before contact (it reaches back to the
                # ground); skip the turning point itself
                lo = zc + max(int(round(0.015 * fs)), 2)
                # nor before the rate's terminal-swing lobe is half over (second cue: the
                # deceleration swell before contact would pass for a soft landing; _SHANK_LOBE_END)
                pmin = pitch[gmin]
                lobe_end = sig.first_crossing_below(-pitch, gmin + 1, hi, level=-_SHANK_LOBE_END * pmin)
                lo = np.where((pmin < 0.0) & (lobe_end > lo), lobe_end, lo)
        else:
            half = max(int(round(impact_search_s * fs)), 1)
            lo, hi = zc - half, np.minimum(zc + half, gmin) + 1
        jerk_src, onset_order = acc, impact_onset_order
        if placement == "shank" and running:
            # the shank's terminal-swing deceleration (leg retraction) swings its acceleration by
            # 30-50 m/s^2 in the 20-40 ms before contact, more than a soft midfoot / forefoot
            # landing at 2 m/s changes it (first differences of 10-20 m/s^2 per 10 ms sample, as
            # large as the landing's): the burst is found on the energy of the second differences
            # instead, where that smooth swell is small and the impact ring stands out
            jerk_src, onset_order = _first_difference(acc), max(impact_onset_order - 1, 1)
        jk = sig.window_max_jerk(jerk_src, lo, np.maximum(hi, lo + 1), max(int(round(impact_span_s * fs)), 1), onset_fraction=impact_onset_fraction,
            energy_width=sig.whole_ceil(impact_energy_s * fs), onset_order=onset_order,
            onset_back=int(round(onset_back_s * fs)))
        ic_idx = np.where(jk >= 0, jk, zc)
        impact_used = jk >= 0
    else:
        raise OptionError(f"ic_method must be 'auto', 'zero_crossing', 'gyro_min' or 'impact', got {ic_method!r}")
    ic_idx = np.minimum(ic_idx, n - 1)

    # -- 4. contacts: IC after swing k, TO before swing k+1 (same bout) ------------------------
    to_next = np.concatenate([to_idx[1:], [-1]])
    has_to = np.concatenate([linked, [False]]) & (to_next > ic_idx)
    # the last contact of the recording has no swing peak after it, but its push-off may still
    # be recorded: accept the pitch-rate minimum after it when it is a real minimum (the rate
    # rises again for 30 ms before the recording ends, no gap in the time stamps) at least half
    # as deep as a typical push-off. A runner who stops keeps the foot flat: no such minimum.
    last_lo = int(ic_idx[-1] + round(0.1 * T_next[-1]))
    last_hi = int(min(ic_idx[-1] + round(0.6 * T_next[-1]), n))
    if last_hi - last_lo > 2 and not np.any((t_gaps >= ic_idx[-1]) & (t_gaps < last_hi)):
        cand = last_lo + int(np.argmin(pitch_to[last_lo:last_hi]))
        rises = cand < last_hi - max(int(round(0.03 * fs)), 1)
        if rises and pitch_to[cand] < 0.5 * float(np.median(pitch_to[to_idx])):
            to_next[-1], has_to[-1] = cand, True
    if placement == "shank" and running:
        # the shank keeps inclining knee-forward through toe-off into early swing, so its rate
        # minimum misses toe-off (by 50-60 ms on simulated runs); the dip of its axial
        # acceleration at the end of push-off marks it (see _shank_toe_off)
        to_ax = _shank_toe_off(acc, pitch, axis, ic_idx, peaks, T, fs, to_lowpass_hz)
        # contacts with a next swing in the same bout, and the last one when its push-off was found
        allowed = np.concatenate([linked, [bool(has_to[-1])]])
        use = allowed & (to_ax > ic_idx)
        to_next = np.where(use, to_ax, to_next)
        has_to = has_to | use
    stance_end = np.where(has_to, to_next, np.minimum(ic_idx + np.round(0.5 * T_next).astype(np.int64), n - 1))
    zv = sig.window_argmin_of(quiet_at, ic_idx, stance_end + 1, n)
    valid = (zv >= 0) & (quiet_at(np.maximum(zv, 0)) < quiet_ratio * swing[peaks]) & (ic_idx < n - 1)
    n_rejected = int((~valid).sum())
    if n_rejected:
        warnings.append(Notice(f"{n_rejected} swing(s) without a quiet stance after them were not counted as steps",
                               "steps-rejected"))
    # the previous contact of the same bout (for strike angle and stride geometry)
    prev_ok = np.concatenate([[False], linked]) & np.concatenate([[False], valid[:-1]])
    zv_prev = np.concatenate([[-1], zv[:-1]])

    keep = np.flatnonzero(valid)
    if keep.size < 2:
        warnings.append(Notice("fewer than 2 strides with a quiet stance: no steps detected", "no-steps"))
        return empty_events(), warnings
    ic_k, to_k, zv_k = ic_idx[keep], np.where(has_to, to_next, -1)[keep], zv[keep]
    zvp_k = np.where(prev_ok, zv_prev, -1)[keep]

    # an impact step lies between the sample before the detected one and that sample: its
    # centre is the unbiased estimate (half a sample, 5 ms at 100 Hz)
    ic_time = t[ic_k] - np.where(impact_used[keep], 0.5 / fs, 0.0)
    to_time = np.where(to_k >= 0, t[np.maximum(to_k, 0)], np.nan)
    contact_ms = (to_time - ic_time) * 1000.0

    angle = np.full(keep.size, np.nan)
    pattern = np.full(keep.size, "unknown", dtype=object)
    conf = np.full(keep.size, np.nan)
    geo = {k: np.full(keep.size, np.nan) for k in ("length_m", "rise_m", "speed_mps")}
    if placement == "foot":
        ok = zvp_k >= 0
        # the angle is read where the swing lobe ends (the toes-up / toes-down extreme of the
        # landing, ~10 ms before contact) unless that lies more than 20 ms before the detected
        # contact: right after a heel strike the foot slap turns the foot at up to 1 deg/ms, so a
        # contact found one sample late (10 ms at 100 Hz) would read 5-10 deg too little
        at_k = np.clip(zc[keep], ic_k - max(int(round(0.02 * fs)), 1), ic_k)
        angle[ok] = strike_angle_deg(pitch, fs, at_k[ok], zvp_k[ok], zv_k[ok])
        # IC timing uncertainty (one sample or 5 ms) times the pitch rate there adds to the base
        dt_ic = max(1.0 / fs, 0.005)
        sigma = np.hypot(strike_uncertainty_deg, np.rad2deg(np.abs(pitch[ic_k])) * dt_ic)
        pattern, conf = classify_strike(angle, strike_thresholds, sigma)
        if strapdown and ok.any():
            g = stride_displacement(acc, gyr, fs, zvp_k[ok], zv_k[ok], max_stride_s=max_stride_s)
            for k in geo:
                geo[k][ok] = g[k]

    events = pd.DataFrame(
        {
            "time_s": ic_time,
            "toe_off_s": to_time,
            "contact_time_ms": contact_ms,
            "strike_angle_deg": angle,
            # object, as EVENT_COLUMNS declares (pandas would infer its string dtype, which the
            # dispatcher converts back: two conversions of every value)
            "strike_pattern": pd.Series(pattern, dtype=object, copy=False),
            "strike_confidence": conf,
            "stride_length_m": geo["length_m"],
            "stride_rise_m": geo["rise_m"],
            "stride_speed_mps": geo["speed_mps"],
        }
    )
    if placement == "foot" and abs(sign_margin) < 0.1:
        # the vote is 0.2-0.5 in the gaitmap and Voisard walking, 0.7-1.4 in simulated running
        warnings.append(
            Notice("the foot's toes-up direction is uncertain (its gait cues disagree): strike angles and "
            "patterns may be mirrored", "events-uncertain")
        )
    if explained < 0.5:
        warnings.append(
            Notice(f"the {placement} rotates about no dominant axis ({100 * explained:.0f} % of rotation on the best axis): "
            "events may be unreliable", "events-uncertain")
        )
    if not np.all(ic_time[1:] >= ic_time[:-1]):  # contacts follow their swing peaks: nearly always sorted
        events = events.sort_values("time_s", kind="stable").reset_index(drop=True)
    return events, warnings
