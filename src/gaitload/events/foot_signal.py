"""Foot / shank detector, first stage: checked IMU arrays and the sign-resolved sagittal rate.

See :mod:`gaitload.events.foot` for the method. Everything here is vectorised over the
recording.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..errors import SignalError
from . import filters as sig

__all__ = ["as_n3", "check_columns", "axes", "imu_checked", "range_and_saturation", "SagittalRate", "sagittal_rate", "resolve_sign"]


def as_n3(name: str, x, n: int | None) -> np.ndarray:
    """``x`` as a float64 ``(n, 3)`` array.

    Parameters
    ----------
    name : str
        The argument's name, for messages.
    x : array_like
        Three-axis samples.
    n : int, optional
        Required number of rows (the number of time stamps).

    Raises
    ------
    SignalError
        Not numeric, not three columns, or not ``n`` rows.
    """
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise SignalError(f"{name} is not numeric") from None
    if arr.ndim != 2 or arr.shape[1] != 3:
        raise SignalError(f"{name} must have shape (n, 3), got {arr.shape}")
    if n is not None and arr.shape[0] != n:
        raise SignalError(f"{name} has {arr.shape[0]} samples but time_s has {n}")
    return arr


def check_columns(name: str, columns, n: int) -> None:
    """Check that three 1-D arrays (an IMU's axes) hold ``n`` samples each.

    Raises
    ------
    SignalError
        Not three axes, or not ``n`` samples.
    """
    if len(columns) != 3:
        raise SignalError(f"{name} must have 3 axes, got {len(columns)}")
    for c in columns:
        if c.shape != (n,):
            raise SignalError(f"{name} has {c.shape[0] if c.ndim else 0} samples but time_s has {n}")


def axes(x: np.ndarray | None, columns, n_filled: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The three axes of an IMU signal as 1-D arrays: ``columns`` unless values were filled
    (``n_filled`` > 0: the filled ``(n, 3)`` array ``x`` holds them), else ``x``'s columns."""
    if columns is not None and not n_filled:
        return tuple(columns)
    return x[:, 0], x[:, 1], x[:, 2]


def imu_checked(x: np.ndarray | None, columns=None) -> tuple[np.ndarray | None, int, float, float]:
    """An ``(n, 3)`` IMU array checked once: filled, missing count, largest column range, clipping.

    Returns ``x`` with non-finite values filled by :func:`.filters.fill_nan` (``x`` itself, not
    a copy, when every value is finite: the detector never writes into its inputs), how many
    were filled, and :func:`range_and_saturation`. One contiguous transposed copy serves all
    (or ``columns``, the same values as three contiguous 1-D arrays, when the caller has them):
    finite column extremes prove every value finite (min and max propagate NaN and reach an
    infinity), so no separate finiteness pass is needed. ``x`` may be None when ``columns`` is
    given: the ``(n, 3)`` array is then built only to be filled.
    """
    if columns is None:
        cols = np.ascontiguousarray(x.T)
        lo, hi = cols.min(axis=1), cols.max(axis=1)
    else:
        cols = columns
        lo, hi = np.array([c.min() for c in cols]), np.array([c.max() for c in cols])
    if np.isfinite(lo).all() and np.isfinite(hi).all():
        return (x, 0) + range_and_saturation_of(cols, lo, hi)
    filled, n_bad = sig.fill_nan(np.column_stack(columns) if x is None else x)
    return (filled, n_bad) + range_and_saturation(filled)


def range_and_saturation(x: np.ndarray) -> tuple[float, float]:
    """Largest column range and :func:`.filters.saturated_fraction` of an ``(n, 3)`` array.

    Column by column on one contiguous transposed copy (a reduction down the columns of an
    ``(n, 3)`` array in one call is ~50x slower, and the strided column views ~2x); the range
    and the clipping count share the same extremes.
    """
    cols = np.ascontiguousarray(x.T)
    return range_and_saturation_of(cols, cols.min(axis=1), cols.max(axis=1))


def range_and_saturation_of(cols: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[float, float]:
    """:func:`range_and_saturation` from the ``(3, n)`` columns (or three 1-D arrays) and their extremes."""
    best_range, best_at = 0.0, 0
    for col, a, b in zip(cols, lo, hi):  # three axes
        best_range = max(best_range, float(b - a))
        if b > a:  # a constant column is "constant", not "saturated"; a != b: disjoint counts
            best_at = max(best_at, int(np.count_nonzero(col == a)) + int(np.count_nonzero(col == b)))
    return best_range, float(best_at / len(cols[0]))



class SagittalRate(NamedTuple):
    """The sign-resolved sagittal angular rate (+ = toes up / forward swing), rad/s."""

    #: unfiltered rate (toe-off reads it)
    raw: np.ndarray
    #: low-passed at ``event_lowpass_hz`` (IC features)
    pitch: np.ndarray
    #: low-passed again at ``swing_lowpass_hz`` (swing peaks)
    swing: np.ndarray
    #: the sagittal axis in the sensor frame (unit vector, sign resolved)
    axis: np.ndarray
    #: the sign vote's weighted margin (near 0: the cues disagree; see :func:`resolve_sign`)
    sign_margin: float
    #: fraction of the rotation about that axis
    explained: float


def sagittal_rate(gyr: np.ndarray, norm: np.ndarray, fs: float, placement: str, event_lowpass_hz: float,
                  swing_lowpass_hz: float, columns: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
                  ) -> SagittalRate:
    """The sagittal angular rate of a foot or shank, its axis found and its sign resolved.

    The foot and the shank rotate mostly about the mediolateral axis, so the first principal
    component of the angular rate while moving (norm above its median and 0.5 rad/s) is that
    axis. The axis comes from the raw rate (sensor noise is tiny next to gait rotation); only
    the 1-D projection is filtered.

    Parameters
    ----------
    gyr : ndarray, shape (n, 3), or None
        Angular rate, rad/s, finite (None when ``columns`` is given).
    norm : ndarray, shape (n,)
        Its row norms, rad/s.
    fs : float
        Sampling rate, Hz.
    placement : {"foot", "shank"}
    event_lowpass_hz, swing_lowpass_hz : float
        Low-pass cut-offs, Hz, of :attr:`SagittalRate.pitch` and :attr:`SagittalRate.swing`.
    columns : tuple of three ndarray, shape (n,), optional
        The columns of ``gyr`` (the same values) as contiguous 1-D arrays, when the caller has them.

    Returns
    -------
    SagittalRate
    """
    cols = (gyr[:, 0], gyr[:, 1], gyr[:, 2]) if columns is None else columns
    moving = norm > max(0.5, float(sig.median(norm)))
    axis, explained = sig.principal_axis(gyr, moving, columns=cols)
    # the projection column by column: a matrix-vector product of an (n, 3) array goes through
    # BLAS, whose kernel for three columns is ~4x slower (and whose threads spin on a busy machine)
    raw_pitch = cols[0] * axis[0]
    term = cols[1] * axis[1]
    raw_pitch += term
    np.multiply(cols[2], axis[2], out=term)
    raw_pitch += term
    pitch = sig.lowpass(raw_pitch, event_lowpass_hz, fs)
    swing = sig.lowpass(pitch, swing_lowpass_hz, fs)
    sgn, sign_margin = resolve_sign(pitch, norm, swing, fs, placement)
    axis = sgn * axis
    if sgn < 0:
        # the filters are linear and negation is exact in floating point: no second filter pass
        # (in place: the three arrays are this function's own)
        for x in (raw_pitch, pitch, swing):
            np.negative(x, out=x)
    return SagittalRate(raw_pitch, pitch, swing, axis, sign_margin, explained)


def resolve_sign(pitch: np.ndarray, norm: np.ndarray, swing: np.ndarray, fs: float, placement: str,
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

