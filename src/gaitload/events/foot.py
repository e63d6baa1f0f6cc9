"""Gait events from one foot- or shank-mounted IMU: initial contact, toe-off, strike, stride.

Method
------
1. **Sagittal axis, any mounting.** The foot and the shank rotate mostly about the
   mediolateral axis, so the first principal component of the (low-passed) angular rate while
   moving is that axis. Its sign is resolved from the gait itself so that ``+`` = toes up
   (dorsiflexion / forward swing of the shank): for a foot three cues vote (the pitch angle's
   excursion from foot-flat is deepest toes down, after push-off; the push-off rate peak is the
   sharpest; the forward-swing lobe lasts longest), see :func:`.foot_signal.resolve_sign`; for a shank, the
   forward swing is the largest lobe. A near-tie of the foot's vote is reported as a warning.
2. **Strides from swing peaks.** The dominant stride period comes from the autocorrelation of
   the sagittal rate; swing peaks (mid-swing maxima) are picked with :func:`.peaks.find_peaks`
   (scipy.signal.find_peaks' rule) with a minimum distance of 0.6 stride periods and a height
   relative to the recording's typical swing peak (adaptive), as in Aminian et al. 2002 (shank)
   and Rampp et al. 2015 / Falbriard et al. 2018 (foot).
3. **Toe-off** = the pitch-rate minimum before each swing (the end of push-off; Falbriard
   et al. 2018, Front Physiol 9:610). **Initial contact** = the end of the swing lobe: the first
   sample after the swing peak where the pitch rate falls below zero, searched up to the minimum
   of the pitch rate after swing (Falbriard 2018's IC feature, available as ``ic_method``, as is
   the acceleration impact / jerk). A running **shank** keeps inclining knee-forward through toe-off
   into early swing, so its rate minimum before swing missed toe-off by 50-60 ms on simulated
   runs: its toe-off is the dip of the axial tibial
   acceleration at the end of push-off (Sinclair et al. 2013, :func:`.foot_shank.shank_toe_off`), and its
   impact burst is found on second differences of the acceleration (the terminal-swing
   deceleration is as large as a soft landing's first differences), from no earlier than the end
   of the rate's terminal-swing lobe (:data:`.foot_stages.SHANK_LOBE_END`). A running **foot**'s impact onset is
   searched from no earlier than where its forward-swing rate has fallen to a tenth of the swing
   peak (:data:`.foot_stages.FOOT_LOBE_END`; the terminal-swing deceleration turns before that).
4. **Zero-velocity (mid-stance)** = the quietest instant (moving average of the angular-rate
   norm) between IC and the next toe-off. A stride is accepted only when its stance is quiet
   compared with its swing, so no steps are invented while standing or from noise.
5. **Strike angle** = pitch at IC relative to foot-flat (:mod:`.strike`), classified with the
   Mo et al. cut-offs (or Altman & Davis 2012).
6. **Stride length / rise / speed** by strapdown integration with zero-velocity updates
   (:mod:`.strapdown`).

Every step is vectorised over the whole recording (filters, peak picking, index-matrix
arg-min/arg-max, cumulative sums).

Code: the parameters are :class:`~gaitload.events.foot_options.FootOptions`; the stages are
the pure functions of :mod:`.foot_stages` (swing peaks, toe-off, initial contact, mid-stance,
strike) after :mod:`.foot_signal` (checked inputs, sagittal rate) and :mod:`.foot_shank`
(a running shank's toe-off); :func:`foot_event_columns` chains them and
:func:`detect_foot_events` makes its columns a table (the step dispatcher takes the columns and
builds the steps table once).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..notice import Notice
from ..errors import SignalError
from . import filters as sig
from .foot_options import FootOptions
from .foot_signal import as_n3, axes, check_columns, imu_checked, sagittal_rate
from .foot_stages import (contact_toe_off, initial_contact, is_running, mid_stance, strike_and_stride, swing_end,
                          swing_peaks, toe_off)
from .placement import IMUColumns

__all__ = ["detect_foot_events", "foot_event_columns", "FootOptions", "EVENT_COLUMNS", "empty_events"]

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
    "stride_heading_deg": "float64",
}


def empty_events() -> pd.DataFrame:
    """An events table with every column and no rows."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in EVENT_COLUMNS.items()})


def detect_foot_events(
    time_s,
    acc_mps2,
    gyr_rads,
    sampling_rate_hz: float,
    placement: str = "foot",
    *,
    options: FootOptions | Mapping[str, Any] | None = None,
    **kwargs: Any,
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
    options : FootOptions or mapping, optional
        The detector's parameters (every field documented with its unit and source on
        :class:`~gaitload.events.foot_options.FootOptions`); the defaults when omitted.
    **kwargs
        Fields of :class:`FootOptions` by name (``ic_method="gyro_min"``...), applied over
        ``options``; an unknown name is an :class:`OptionError` listing the valid ones.

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
    columns, warnings = foot_event_columns(time_s, acc_mps2, gyr_rads, sampling_rate_hz, placement, options=options,
                                           **kwargs)
    if columns is None:
        return empty_events(), warnings
    # object, as EVENT_COLUMNS declares (pandas would infer its string dtype, which the
    # dispatcher converts back: two conversions of every value)
    columns["strike_pattern"] = pd.Series(columns["strike_pattern"], dtype=object, copy=False)
    return pd.DataFrame(columns), warnings


def foot_event_columns(
    time_s,
    acc_mps2,
    gyr_rads,
    sampling_rate_hz: float,
    placement: str = "foot",
    *,
    options: FootOptions | Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> tuple[dict[str, np.ndarray] | None, list[str]]:
    """:func:`detect_foot_events` as column arrays, for callers that build their own table.

    Parameters and errors as :func:`detect_foot_events`.

    Returns
    -------
    columns : dict of ndarray or None
        The events table's columns (:data:`EVENT_COLUMNS`, in order; ``strike_pattern`` an object
        array), sorted by ``time_s``; None when no steps are detected (the warnings say why).
    warnings : list of str
    """
    opts = FootOptions.coerce(options, **kwargs)
    o = opts.for_placement(placement)  # None values resolved (refuses another placement)
    try:
        fs = float(sampling_rate_hz)
    except (TypeError, ValueError):
        raise SignalError(f"sampling_rate_hz must be a number, got {sampling_rate_hz!r}") from None
    if not np.isfinite(fs) or fs <= 0:
        raise SignalError(f"sampling_rate_hz must be positive, got {sampling_rate_hz!r}")
    fs = sig.snap_rate(fs)  # window lengths must not flip with the rate's last bits
    t = np.asarray(time_s, dtype=np.float64).ravel()
    n = t.size
    # IMUColumns (from the dispatcher): the acceleration is stacked here (the contact search reads
    # it as (n, 3)); the checks, the rate and the strap-down read the columns themselves
    acc_cols = acc_mps2.columns if isinstance(acc_mps2, IMUColumns) else None
    gyr_cols = gyr_rads.columns if isinstance(gyr_rads, IMUColumns) else None
    acc = as_n3("acc_mps2", acc_mps2 if acc_cols is None else acc_mps2.stacked(), n)
    if gyr_cols is None:
        gyr = as_n3("gyr_rads", gyr_rads, n)
    else:  # the rate's columns serve every stage (no (n, 3) copy) unless some values must be filled
        check_columns("gyr_rads", gyr_cols, n)
        gyr = None
    min_fs = o["min_sampling_rate_hz"]
    warnings: list[str] = []

    if fs < min_fs:
        warnings.append(Notice(
            f"sampling rate {fs:g} Hz is too low for {placement} events (needs at least {min_fs:g} Hz): no steps detected",
            "no-steps"))
        return None, warnings
    if n == 0 or n < int(opts.min_duration_s * fs):
        warnings.append(Notice(f"signal too short ({n / fs:.2f} s): fewer than 2 strides, no steps detected",
                               "no-steps"))
        return None, warnings
    if not np.isfinite(t).all():
        warnings.append(Notice("time_s has missing values: no steps detected", "no-steps"))
        return None, warnings
    gyr, n_bad_g, gyr_range, gyr_sat = imu_checked(gyr, gyr_cols)
    acc, n_bad_a, _, acc_sat = imu_checked(acc, acc_cols)
    if n_bad_g + n_bad_a > 0.2 * 6 * n:
        warnings.append(Notice("more than 20 % of the IMU values are missing: no steps detected", "no-steps"))
        return None, warnings
    if n_bad_g + n_bad_a:
        warnings.append(Notice(f"{n_bad_g + n_bad_a} missing IMU value(s) filled by linear interpolation",
                               "imu-filled"))
    if gyr_range < 0.1:
        warnings.append(Notice("angular rate is constant (sensor still, stuck or all zeros): no gait found",
                               "no-steps"))
        return None, warnings
    sat = max(gyr_sat, acc_sat)
    if sat > 0.3:
        warnings.append(Notice(f"signal saturated ({100 * sat:.0f} % of samples at the sensor's limit): no steps detected",
                               "no-steps"))
        return None, warnings

    # -- 1. sagittal axis and its sign (the recording's own columns hold gyr's values unless
    # some were missing and filled)
    norm = sig.row_norms(gyr, gyr_cols if gyr_cols is not None and not n_bad_g else None)
    rate = sagittal_rate(gyr, norm, fs, placement, opts.event_lowpass_hz, opts.swing_lowpass_hz,
                         columns=gyr_cols if gyr_cols is not None and not n_bad_g else None)
    pitch, swing = rate.pitch, rate.swing

    # -- 2. stride period and swing peaks
    strides, why = swing_peaks(swing, t, fs, min_stride_s=opts.min_stride_s, max_stride_s=opts.max_stride_s,
                               min_periodicity=opts.min_periodicity, min_swing_peak_rads=opts.min_swing_peak_rads,
                               relative_swing_peak=opts.relative_swing_peak, bout_gap_factor=opts.bout_gap_factor)
    if strides is None:
        warnings.append(Notice(why, "no-steps"))
        return None, warnings
    peaks = strides.peaks

    # -- 3. toe-off before each swing, initial contact after it
    to_idx, pitch_to = toe_off(rate.raw, strides, fs, opts.to_lowpass_hz)
    zc, gmin = swing_end(pitch, strides)
    running, flat_on = False, None
    if opts.ic_method in ("auto", "impact"):
        running, flat_on = is_running(norm, swing, zc, to_idx, strides, fs, placement,
                                      flat_level_ratio=opts.flat_level_ratio,
                                      running_flat_fraction=opts.running_flat_fraction,
                                      running_stride_s=opts.running_stride_s)
    ic_idx, impact_used = initial_contact(acc, pitch, zc, gmin, flat_on, strides, fs, placement, running, opts,
                                          o["impact_onset_back_s"])

    # -- 4. contacts: IC after swing k, TO before swing k+1 (same bout); mid-stance between
    to_next, has_to = contact_toe_off(pitch_to, to_idx, ic_idx, strides, fs, placement, running, acc, pitch,
                                      rate.axis, opts.to_lowpass_hz)
    stance_end = np.where(has_to, to_next,
                          np.minimum(ic_idx + np.round(0.5 * strides.T_next).astype(np.int64), n - 1))
    zv, quiet = mid_stance(norm, ic_idx, stance_end, fs, opts.quiet_window_s)
    # a stride counts only when its stance is quiet compared with its swing: no steps are
    # invented while standing or from noise
    valid = (zv >= 0) & (quiet < o["stance_quiet_ratio"] * swing[peaks]) & (ic_idx < n - 1)
    n_rejected = int((~valid).sum())
    if n_rejected:
        warnings.append(Notice(f"{n_rejected} swing(s) without a quiet stance after them were not counted as steps",
                               "steps-rejected"))
    # the previous contact of the same bout (for strike angle and stride geometry)
    prev_ok = np.concatenate([[False], strides.linked]) & np.concatenate([[False], valid[:-1]])
    zv_prev = np.concatenate([[-1], zv[:-1]])

    keep = np.flatnonzero(valid)
    if keep.size < 2:
        warnings.append(Notice("fewer than 2 strides with a quiet stance: no steps detected", "no-steps"))
        return None, warnings
    ic_k, to_k, zv_k = ic_idx[keep], np.where(has_to, to_next, -1)[keep], zv[keep]
    zvp_k = np.where(prev_ok, zv_prev, -1)[keep]

    # an impact step lies between the sample before the detected one and that sample: its
    # centre is the unbiased estimate (half a sample, 5 ms at 100 Hz)
    ic_time = t[ic_k] - np.where(impact_used[keep], 0.5 / fs, 0.0)
    to_time = np.where(to_k >= 0, t[np.maximum(to_k, 0)], np.nan)
    contact_ms = (to_time - ic_time) * 1000.0

    # -- 5. strike and stride (foot only)
    if placement == "foot":
        angle, pattern, conf, geo = strike_and_stride(
            pitch, axes(acc, acc_cols, n_bad_a), axes(gyr, gyr_cols, n_bad_g), fs, zc[keep], ic_k, zvp_k, zv_k,
            strike_thresholds=opts.strike_thresholds, strike_uncertainty_deg=opts.strike_uncertainty_deg,
            strapdown=opts.strapdown, max_stride_s=opts.max_stride_s)
    else:
        angle, conf = np.full(keep.size, np.nan), np.full(keep.size, np.nan)
        pattern = np.full(keep.size, "unknown", dtype=object)
        geo = {k: np.full(keep.size, np.nan) for k in ("length_m", "rise_m", "speed_mps", "heading_rad")}

    columns = {
        "time_s": ic_time,
        "toe_off_s": to_time,
        "contact_time_ms": contact_ms,
        "strike_angle_deg": angle,
        "strike_pattern": pattern,
        "strike_confidence": conf,
        "stride_length_m": geo["length_m"],
        "stride_rise_m": geo["rise_m"],
        "stride_speed_mps": geo["speed_mps"],
        "stride_heading_deg": np.rad2deg(geo["heading_rad"]),
    }
    if placement == "foot" and abs(rate.sign_margin) < 0.1:
        # the vote is 0.2-0.5 in the gaitmap and Voisard walking, 0.7-1.4 in simulated running
        warnings.append(Notice(
            "the foot's toes-up direction is uncertain (its gait cues disagree): strike angles and "
            "patterns may be mirrored", "events-uncertain"))
    if rate.explained < 0.5:
        warnings.append(Notice(
            f"the {placement} rotates about no dominant axis ({100 * rate.explained:.0f} % of rotation on the best axis): "
            "events may be unreliable", "events-uncertain"))
    if not np.all(ic_time[1:] >= ic_time[:-1]):  # contacts follow their swing peaks: nearly always sorted
        order = np.argsort(ic_time, kind="stable")
        columns = {k: v[order] for k, v in columns.items()}
    return columns, warnings
