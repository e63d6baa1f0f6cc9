"""Foot / shank detector, the gait stages: swing peaks, toe-off, initial contact, mid-stance, strike.

Each stage is a pure function of arrays (indices are samples of the recording); see
:mod:`gaitload.events.foot` for the method and :func:`~gaitload.events.foot.detect_foot_events`
for how they are chained. Everything is vectorised over the strides.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from . import filters as sig
from . import peaks as pk
from .foot_options import FootOptions
from .foot_shank import shank_toe_off
from .strapdown import stride_displacement
from .strike import classify_strike, strike_angle_deg

__all__ = ["Strides", "swing_peaks", "toe_off", "swing_end", "is_running", "initial_contact", "walking_contact",
           "impact_contact", "contact_toe_off", "mid_stance", "strike_and_stride", "first_difference",
           "WALK_LATE_IMPACT_S", "SHANK_LOBE_END", "FOOT_LOBE_END"]

def first_difference(x: np.ndarray) -> np.ndarray:
    """``x[j] - x[j - 1]`` along axis 0 (0 for the first row), same shape as ``x``.

    Parameters
    ----------
    x : ndarray
        Samples along axis 0.

    Returns
    -------
    ndarray
        Same shape and dtype as ``x``.
    """
    d = np.empty_like(x)
    d[0] = 0.0
    np.subtract(x[1:], x[:-1], out=d[1:])
    return d

class Strides(NamedTuple):
    """Swing peaks (one per stride of the sensor's foot) and their bouts."""

    #: dominant stride period, s
    period_s: float
    #: dominant stride period, samples
    T: float
    #: sample of each swing peak (mid-swing)
    peaks: np.ndarray
    #: whether peak k and peak k + 1 belong to the same bout (no stop, no pause between them)
    linked: np.ndarray
    #: samples from each peak to the next (the local period where not linked)
    T_next: np.ndarray
    #: samples from the previous peak to each (likewise)
    T_prev: np.ndarray
    #: samples after which the time stamps jump (pauses in recording)
    t_gaps: np.ndarray


def swing_peaks(swing: np.ndarray, t: np.ndarray, fs: float, *, min_stride_s: float, max_stride_s: float,
                min_periodicity: float, min_swing_peak_rads: float, relative_swing_peak: float,
                bout_gap_factor: float) -> tuple[Strides | None, str | None]:
    """Mid-swing peaks of the sagittal rate, the stride period and the bouts.

    The dominant stride period comes from the autocorrelation of ``swing``; its peaks are picked
    with :func:`~gaitload.events.peaks.find_peaks` at least 0.6 periods apart and at least
    ``relative_swing_peak`` of the 90th-percentile peak (adaptive; Aminian et al. 2002, Rampp et
    al. 2015). Two peaks further apart than ``bout_gap_factor`` local periods (median of five
    neighbouring intervals), or with a pause in the time stamps between them, are in different
    bouts.

    Parameters
    ----------
    swing : ndarray, shape (n,)
        Sagittal rate low-passed for swing, rad/s, + = forward swing.
    t : ndarray, shape (n,)
        Sample times, s.
    fs : float
        Sampling rate, Hz.
    min_stride_s, max_stride_s : float
        Plausible stride periods, s.
    min_periodicity : float
        Least normalised autocorrelation at the period.
    min_swing_peak_rads : float
        Absolute floor of a peak, rad/s.
    relative_swing_peak : float
        Floor of a peak relative to the typical one.
    bout_gap_factor : float
        Local periods between two peaks of one bout, at most.

    Returns
    -------
    strides : Strides or None
        None when there is no gait (the second value says why).
    warning : str or None
    """
    period_s, strength = sig.dominant_period(swing, fs, min_stride_s, max_stride_s)
    if not np.isfinite(period_s) or strength < min_periodicity:
        return None, (f"pure noise or no gait: no periodic stride pattern found (periodicity {strength:.2f} < "
                      f"{min_periodicity:g})")
    T = period_s * fs  # samples per stride
    peaks = pk.find_peaks(swing, height=min_swing_peak_rads, distance=max(int(0.6 * T), 1))
    if peaks.size:
        heights = swing[peaks]
        peaks = peaks[heights >= relative_swing_peak * np.percentile(heights, 90)]
    if peaks.size < 2:
        return None, "fewer than 2 strides found: no steps detected"
    # local stride period (median of neighbouring peak intervals) to separate bouts
    gaps = np.diff(peaks).astype(np.float64)
    local = pk.running_median(gaps, 5) if gaps.size >= 3 else np.full_like(gaps, np.median(gaps))
    local = np.clip(local, min_stride_s * fs, max_stride_s * fs)
    # a gap in the time stamps (a pause in recording) also ends a bout
    # (pause number of sample p = how many time-stamp gaps lie before it)
    t_gaps = np.flatnonzero(np.diff(t) > 5.0 / fs)
    pause = np.searchsorted(t_gaps, peaks, side="left")
    linked = (gaps <= bout_gap_factor * local) & (pause[1:] == pause[:-1])
    T_next = np.concatenate([np.where(linked, gaps, local), [local[-1] if local.size else T]])
    T_prev = np.concatenate([[T_next[0]], np.where(linked, gaps, local)])
    return Strides(period_s, T, peaks, linked, T_next, T_prev, t_gaps), None


def toe_off(raw_pitch: np.ndarray, strides: Strides, fs: float, to_lowpass_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """Toe-off before each swing: the pitch-rate minimum before the swing peak.

    The end of push-off (Falbriard et al. 2018, Front Physiol 9:610), searched from 0.45
    stride periods before the peak. Toe-off is a sharp corner: the rate is low-passed at
    ``to_lowpass_hz`` only (not at all at or above 0.9 x Nyquist, where it would be copied).

    Parameters
    ----------
    raw_pitch : ndarray, shape (n,)
        Unfiltered sagittal rate, rad/s, + = toes up.
    strides : Strides
    fs : float
        Sampling rate, Hz.
    to_lowpass_hz : float
        Low-pass cut-off, Hz.

    Returns
    -------
    to_idx : ndarray of int
        Toe-off sample before each swing peak.
    pitch_to : ndarray, shape (n,)
        The rate the minima were read on (the last contact's push-off is read on it too).
    """
    to_start = strides.peaks - np.round(0.45 * strides.T_prev).astype(np.int64)
    # (read only: at or above 0.9 x Nyquist the low-pass would only copy the rate)
    pitch_to = raw_pitch if to_lowpass_hz >= 0.45 * fs else sig.lowpass(raw_pitch, to_lowpass_hz, fs)
    return sig.window_argmin(pitch_to, to_start, strides.peaks), pitch_to


def swing_end(pitch: np.ndarray, strides: Strides) -> tuple[np.ndarray, np.ndarray]:
    """The end of each forward-swing lobe and the pitch-rate minimum after it.

    Parameters
    ----------
    pitch : ndarray, shape (n,)
        Sagittal rate (IC low-pass), rad/s, + = toes up.
    strides : Strides

    Returns
    -------
    zc : ndarray of int
        First sample after each swing peak where the rate falls below zero (the minimum when
        it never does).
    gmin : ndarray of int
        The rate's minimum within 0.4 strides after the peak (Falbriard 2018's IC feature).
    """
    ic_lim = strides.peaks + np.round(0.4 * strides.T_next).astype(np.int64)
    gmin = sig.window_argmin(pitch, strides.peaks, ic_lim)
    zc = sig.first_crossing_below(pitch, strides.peaks, gmin + 1, level=0.0)
    return np.where(zc < 0, gmin, zc), gmin


def is_running(norm: np.ndarray, swing: np.ndarray, zc: np.ndarray, to_idx: np.ndarray, strides: Strides,
               fs: float, placement: str, *, flat_level_ratio: float, running_flat_fraction: float,
               running_stride_s: float) -> tuple[bool, np.ndarray]:
    """Running or walking, and where the foot becomes flat after each contact.

    Foot-flat onset: the first sample after the end of the swing lobe where the largest rate
    norm over the next 30 ms (sustained quiet: the norm also dips briefly where the swing lobe
    changes sign) falls below ``flat_level_ratio`` of the typical swing peak. A foot runs when
    foot-flat to the next push-off spans less than ``running_flat_fraction`` of the stride
    (duty factor, Novacheck 1998: stance > 50 % of the stride in walking, < 40 % in running) or
    its strides are shorter than ``running_stride_s`` (slow uphill running has a long contact);
    a shank by stride length alone.

    Parameters
    ----------
    norm : ndarray, shape (n,)
        Angular-rate norm, rad/s.
    swing : ndarray, shape (n,)
        Sagittal rate for swing, rad/s.
    zc : ndarray of int
        End of each swing lobe (:func:`swing_end`).
    to_idx : ndarray of int
        Toe-off before each swing (:func:`toe_off`).
    strides : Strides
    fs : float
        Sampling rate, Hz.
    placement : {"foot", "shank"}
    flat_level_ratio, running_flat_fraction, running_stride_s : float
        See :class:`~gaitload.events.foot_options.FootOptions`.

    Returns
    -------
    running : bool
    flat_on : ndarray of int
        Foot-flat onset after each swing, -1 where none within 0.45 strides.
    """
    peak_ref = float(np.median(swing[strides.peaks]))
    short = sig.forward_max(norm, max(int(round(0.03 * fs)), 1))
    flat_lim = zc + np.round(0.45 * strides.T_next).astype(np.int64)
    flat_on = sig.first_crossing_below(short, zc, flat_lim, level=flat_level_ratio * peak_ref)
    running = False
    if placement == "foot":
        # foot-flat to the next push-off spans about half the stride in walking, a fifth in running
        nxt_to = np.concatenate([to_idx[1:], [-1]])
        okd = np.concatenate([strides.linked, [False]]) & (flat_on >= 0) & (nxt_to > flat_on)
        if okd.sum() >= 2:
            duty = np.median((nxt_to[okd] - flat_on[okd]) / strides.T_next[okd])
            running = bool(duty < running_flat_fraction)
        running = running or strides.period_s < running_stride_s
    else:
        running = strides.period_s < running_stride_s
    return running, flat_on


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
SHANK_LOBE_END = 0.5
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
FOOT_LOBE_END = 0.1


#: walking: an impact this long after the end of the swing lobe means the foot was still in the
#: air there, s (see :func:`walking_contact`)
WALK_LATE_IMPACT_S = (0.03, 0.15)


def walking_contact(acc, zc, gmin, fs, span_s, onset_fraction, energy_s, onset_order, onset_back_s):
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

    Parameters
    ----------
    acc : ndarray, shape (n, 3)
        Acceleration, m/s^2.
    zc, gmin : ndarray of int
        End of each swing lobe and the rate minimum after it (:func:`swing_end`).
    fs : float
        Sampling rate, Hz.
    span_s, onset_fraction, energy_s, onset_order, onset_back_s
        The impact burst's parameters (``impact_*`` of
        :class:`~gaitload.events.foot_options.FootOptions`), s where timed.

    Returns
    -------
    ic_idx : ndarray of int
        The contact sample after each swing.
    impact_used : ndarray of bool
        Whether it is the impact (else the end of the swing lobe).
    """
    early, late = WALK_LATE_IMPACT_S
    lo = zc
    hi = np.minimum(zc + max(int(round(late * fs)), 2), np.maximum(gmin, zc + 1)) + 1
    jk = sig.window_max_jerk(acc, lo, np.maximum(hi, lo + 1), max(int(round(span_s * fs)), 1),
                             onset_fraction=onset_fraction, energy_width=sig.whole_ceil(energy_s * fs),
                             onset_order=onset_order, onset_back=int(round(onset_back_s * fs)))
    later = (jk >= 0) & (jk - zc > early * fs)
    return np.where(later, jk, zc), later



def impact_contact(acc: np.ndarray, pitch: np.ndarray, zc: np.ndarray, gmin: np.ndarray, flat_on: np.ndarray,
                   strides: Strides, fs: float, placement: str, running: bool, options: FootOptions,
                   onset_back_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Initial contact at the landing impact: the onset of the burst of largest acceleration change.

    Running: the pitch rate alone is ambiguous at contact (it depends on the strike pattern);
    the impact transient is present for rearfoot, midfoot and forefoot strikes alike (cf.
    Mitschke et al. 2017, Appl Sci 7:1306). It is searched from the end of the swing lobe (a
    foot: ``impact_search_s`` before it, but not while the forward swing is above
    :data:`FOOT_LOBE_END` of its peak; a shank: 15 ms after it and once its terminal-swing lobe
    is :data:`SHANK_LOBE_END` over) to foot-flat (a foot) or ``impact_window_frac`` of a
    stride. Walking: +-``impact_search_s`` around the end of the swing lobe.

    Parameters
    ----------
    acc : ndarray, shape (n, 3)
        Acceleration, m/s^2.
    pitch : ndarray, shape (n,)
        Sagittal rate (IC low-pass), rad/s, + = toes up.
    zc, gmin : ndarray of int
        :func:`swing_end`.
    flat_on : ndarray of int
        Foot-flat onsets (:func:`is_running`).
    strides : Strides
    fs : float
        Sampling rate, Hz.
    placement : {"foot", "shank"}
    running : bool
    options : FootOptions
        ``impact_*`` values.
    onset_back_s : float
        ``impact_onset_back_s`` resolved for the placement, s.

    Returns
    -------
    ic_idx : ndarray of int
        Impact onset after each swing (the end of the swing lobe where none is found).
    impact_used : ndarray of bool
    """
    peaks, T_next = strides.peaks, strides.T_next
    if running:
        default_hi = zc + np.round(options.impact_window_frac * T_next).astype(np.int64)
        if placement == "foot":
            margin = max(int(round(0.005 * fs)), 1)
            hi = np.where(flat_on > zc, flat_on - margin, default_hi)
            # a heel-first foot may keep rotating toes-up until the impact itself
            lo = zc - max(int(round(options.impact_search_s * fs)), 1)
            # but not while the forward-swing lobe is still strong (FOOT_LOBE_END)
            lobe_end = sig.first_crossing_below(pitch, peaks, zc + 1, level=FOOT_LOBE_END * pitch[peaks])
            lo = np.where((pitch[peaks] > 0.0) & (lobe_end > lo), lobe_end, lo)
        else:
            hi = default_hi
            # the shank's forward swing ends clearly before contact (it reaches back to the
            # ground); skip the turning point itself
            lo = zc + max(int(round(0.015 * fs)), 2)
            # nor before the rate's terminal-swing lobe is half over (second cue: the
            # deceleration swell before contact would pass for a soft landing; SHANK_LOBE_END)
            pmin = pitch[gmin]
            lobe_end = sig.first_crossing_below(-pitch, gmin + 1, hi, level=-SHANK_LOBE_END * pmin)
            lo = np.where((pmin < 0.0) & (lobe_end > lo), lobe_end, lo)
    else:
        half = max(int(round(options.impact_search_s * fs)), 1)
        lo, hi = zc - half, np.minimum(zc + half, gmin) + 1
    jerk_src, onset_order = acc, options.impact_onset_order
    if placement == "shank" and running:
        # the shank's terminal-swing deceleration (leg retraction) swings its acceleration by
        # 30-50 m/s^2 in the 20-40 ms before contact, more than a soft midfoot / forefoot
        # landing at 2 m/s changes it (first differences of 10-20 m/s^2 per 10 ms sample, as
        # large as the landing's): the burst is found on the energy of the second differences
        # instead, where that smooth swell is small and the impact ring stands out
        jerk_src, onset_order = first_difference(acc), max(options.impact_onset_order - 1, 1)
    jk = sig.window_max_jerk(jerk_src, lo, np.maximum(hi, lo + 1), max(int(round(options.impact_span_s * fs)), 1),
                             onset_fraction=options.impact_onset_fraction,
                             energy_width=sig.whole_ceil(options.impact_energy_s * fs), onset_order=onset_order,
                             onset_back=int(round(onset_back_s * fs)))
    return np.where(jk >= 0, jk, zc), jk >= 0


def initial_contact(acc: np.ndarray, pitch: np.ndarray, zc: np.ndarray, gmin: np.ndarray, flat_on: np.ndarray | None,
                    strides: Strides, fs: float, placement: str, running: bool, options: FootOptions,
                    onset_back_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Initial contact after each swing, by ``options.ic_method``.

    ``"zero_crossing"``: the end of the swing lobe; ``"gyro_min"``: the rate minimum after it;
    ``"impact"``: :func:`impact_contact`; ``"auto"``: :func:`walking_contact` when walking,
    :func:`impact_contact` when running.

    Parameters
    ----------
    acc, pitch, zc, gmin, flat_on, strides, fs, placement, running, options, onset_back_s
        As :func:`impact_contact` (``flat_on`` may be None for ``"zero_crossing"`` and
        ``"gyro_min"``, which need no running decision).

    Returns
    -------
    ic_idx : ndarray of int
        Contact sample after each swing peak (at most the last sample).
    impact_used : ndarray of bool
        Whether it is an impact onset (its time is then half a sample earlier).
    """
    method = options.ic_method
    if method == "zero_crossing":
        ic_idx, impact_used = zc, np.zeros(zc.size, dtype=bool)
    elif method == "gyro_min":
        ic_idx, impact_used = gmin, np.zeros(zc.size, dtype=bool)
    elif method == "auto" and not running:
        ic_idx, impact_used = walking_contact(acc, zc, gmin, fs, options.impact_span_s, options.impact_onset_fraction,
                                              options.impact_energy_s, options.impact_onset_order, onset_back_s)
    else:
        ic_idx, impact_used = impact_contact(acc, pitch, zc, gmin, flat_on, strides, fs, placement, running,
                                             options, onset_back_s)
    return np.minimum(ic_idx, acc.shape[0] - 1), impact_used


def contact_toe_off(pitch_to: np.ndarray, to_idx: np.ndarray, ic_idx: np.ndarray, strides: Strides, fs: float,
                    placement: str, running: bool, acc: np.ndarray, pitch: np.ndarray, axis: np.ndarray,
                    to_lowpass_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """The toe-off that ends each contact: the one before the next swing of the same bout.

    The last contact of the recording has no swing peak after it, but its push-off may still be
    recorded: the pitch-rate minimum after it is accepted when it is a real minimum (the rate
    rises again for 30 ms before the recording ends, no pause in the time stamps) at least half
    as deep as a typical push-off (a runner who stops keeps the foot flat: no such minimum). A
    running shank keeps inclining knee-forward through toe-off into early swing, so its rate
    minimum misses toe-off (by 50-60 ms on simulated runs): the dip of its axial acceleration
    marks it (:func:`~gaitload.events.foot_shank.shank_toe_off`).

    Parameters
    ----------
    pitch_to : ndarray, shape (n,)
        The rate toe-offs are read on (:func:`toe_off`), rad/s.
    to_idx : ndarray of int
        Toe-off before each swing peak.
    ic_idx : ndarray of int
        Contact after each swing peak.
    strides : Strides
    fs : float
        Sampling rate, Hz.
    placement : {"foot", "shank"}
    running : bool
    acc : ndarray, shape (n, 3)
        Acceleration, m/s^2 (a running shank's toe-off).
    pitch : ndarray, shape (n,)
        Sagittal rate (IC low-pass), rad/s.
    axis : ndarray, shape (3,)
        Its axis in the sensor frame.
    to_lowpass_hz : float
        Low-pass of the shank's axial acceleration, Hz.

    Returns
    -------
    to_next : ndarray of int
        Toe-off sample ending each contact (meaningful where ``has_to``).
    has_to : ndarray of bool
    """
    n = pitch_to.size
    T_next, t_gaps = strides.T_next, strides.t_gaps
    to_next = np.concatenate([to_idx[1:], [-1]])
    has_to = np.concatenate([strides.linked, [False]]) & (to_next > ic_idx)
    last_lo = int(ic_idx[-1] + round(0.1 * T_next[-1]))
    last_hi = int(min(ic_idx[-1] + round(0.6 * T_next[-1]), n))
    if last_hi - last_lo > 2 and not np.any((t_gaps >= ic_idx[-1]) & (t_gaps < last_hi)):
        cand = last_lo + int(np.argmin(pitch_to[last_lo:last_hi]))
        rises = cand < last_hi - max(int(round(0.03 * fs)), 1)
        if rises and pitch_to[cand] < 0.5 * float(np.median(pitch_to[to_idx])):
            to_next[-1], has_to[-1] = cand, True
    if placement == "shank" and running:
        to_ax = shank_toe_off(acc, pitch, axis, ic_idx, strides.peaks, strides.T, fs, to_lowpass_hz)
        # contacts with a next swing in the same bout, and the last one when its push-off was found
        allowed = np.concatenate([strides.linked, [bool(has_to[-1])]])
        use = allowed & (to_ax > ic_idx)
        to_next = np.where(use, to_ax, to_next)
        has_to = has_to | use
    return to_next, has_to


def mid_stance(norm: np.ndarray, ic_idx: np.ndarray, stance_end: np.ndarray, fs: float,
               quiet_window_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Zero-velocity (mid-stance) instant of each contact: the quietest moment of its stance.

    The foot is flat, and the shank slowest, in mid-stance: the minimum of the angular-rate
    norm's moving average over ``quiet_window_s`` between the contact and ``stance_end``
    (:func:`~gaitload.events.filters.moving_average`, then :func:`~gaitload.events.filters.window_argmin`).

    Parameters
    ----------
    norm : ndarray, shape (n,)
        Angular-rate norm, rad/s.
    ic_idx, stance_end : ndarray of int
        Each stance's first and last sample.
    fs : float
        Sampling rate, Hz.
    quiet_window_s : float
        Moving-average window, s.

    Returns
    -------
    zv : ndarray of int
        Mid-stance sample, -1 where the window is empty.
    quiet : ndarray
        The moving average there, rad/s (at sample 0 where ``zv`` is -1).
    """
    quiet = sig.moving_average(norm, int(round(quiet_window_s * fs)))
    zv = sig.window_argmin(quiet, ic_idx, stance_end + 1)
    return zv, quiet[np.maximum(zv, 0)]


def strike_and_stride(pitch: np.ndarray, acc: np.ndarray, gyr: np.ndarray, fs: float, zc: np.ndarray,
                      ic_k: np.ndarray, zvp_k: np.ndarray, zv_k: np.ndarray, *, strike_thresholds,
                      strike_uncertainty_deg: float, strapdown: bool,
                      max_stride_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Strike angle, pattern and confidence at each foot contact, and the stride's geometry.

    The angle is the pitch relative to foot-flat (:func:`~gaitload.events.strike.strike_angle_deg`)
    read where the swing lobe ends (the toes-up / toes-down extreme of the landing, ~10 ms
    before contact) unless that lies more than 20 ms before the detected contact: right after
    a heel strike the foot slap turns the foot at up to 1 deg/ms, so a contact found one sample
    late would read 5-10 deg too little. Its uncertainty adds the IC timing uncertainty (one
    sample or 5 ms) times the pitch rate there to ``strike_uncertainty_deg`` in quadrature.

    Parameters
    ----------
    pitch : ndarray, shape (n,)
        Sagittal rate, rad/s, + = toes up.
    acc, gyr : tuple of three ndarray, shape (n,)
        Acceleration (m/s^2) and angular rate (rad/s) axis by axis, for the strapdown stride.
    fs : float
        Sampling rate, Hz.
    zc : ndarray of int
        End of the swing lobe before each kept contact.
    ic_k, zvp_k, zv_k : ndarray of int
        Contact, previous mid-stance (-1: first of a bout) and own mid-stance samples.
    strike_thresholds, strike_uncertainty_deg, strapdown, max_stride_s
        See :class:`~gaitload.events.foot_options.FootOptions`.

    Returns
    -------
    angle : ndarray
        Strike angle, deg (NaN for the first contact of a bout).
    pattern : ndarray of object
    confidence : ndarray
    geometry : dict of ndarray
        ``length_m``, ``rise_m``, ``speed_mps``, ``heading_rad`` of the stride ending at each
        contact (NaN where unknown or without ``strapdown``; see
        :func:`~gaitload.events.strapdown.stride_displacement`).
    """
    m = ic_k.size
    angle = np.full(m, np.nan)
    geo = {k: np.full(m, np.nan) for k in ("length_m", "rise_m", "speed_mps", "heading_rad")}
    ok = zvp_k >= 0
    at_k = np.clip(zc, ic_k - max(int(round(0.02 * fs)), 1), ic_k)
    angle[ok] = strike_angle_deg(pitch, fs, at_k[ok], zvp_k[ok], zv_k[ok])
    dt_ic = max(1.0 / fs, 0.005)
    sigma = np.hypot(strike_uncertainty_deg, np.rad2deg(np.abs(pitch[ic_k])) * dt_ic)
    pattern, conf = classify_strike(angle, strike_thresholds, sigma)
    if strapdown and ok.any():
        g = stride_displacement(acc, gyr, fs, zvp_k[ok], zv_k[ok], max_stride_s=max_stride_s, planar=True)
        for k in geo:
            geo[k][ok] = g[k]
    return angle, pattern, conf, geo
