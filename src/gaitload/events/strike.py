"""Foot strike angle and strike pattern from a foot-mounted gyroscope.

The strike angle is the foot's pitch at initial contact (IC) relative to its own foot-flat
attitude in the same stance: ``+`` = toes up (heel first), ``-`` = toes down (forefoot first).
It is the IMU analogue of the video foot-strike angle of Altman & Davis (2012), which subtracts
the standing foot angle; here the "standing" reference is the zero-velocity (mid-stance) attitude.

Pitch comes from integrating the sagittal angular rate between two consecutive zero-velocity
instants with the integration drift removed linearly so that the pitch is zero at both
(the strapdown/ZUPT idea of Foxlin 2005 and Skog et al. 2010 reduced to the sagittal plane;
Falbriard et al. 2020 use the same pitch-at-IC definition). Everything is vectorised with a
cumulative sum and per-stride offsets.

Classification uses foot-strike-angle cut-offs validated against the strike index:
Mo et al. (Res Sports Med, 2021/2023) FFS < -0.8 deg, RFS > 7.4 deg (default), or the classic
Altman & Davis (Gait Posture 2012) FFS < -1.6 deg, RFS > 8.0 deg.
"""

from __future__ import annotations

import numpy as np

from ..errors import OptionError

__all__ = ["erf", "STRIKE_THRESHOLDS", "strike_cutoffs", "pitch_between_zero_velocity", "strike_angle_deg", "classify_strike"]

#: (forefoot_below_deg, rearfoot_above_deg) per named cut-off set.
STRIKE_THRESHOLDS: dict[str, tuple[float, float]] = {
    "mo": (-0.8, 7.4),        # Mo, Huang, Ng, Cheung, Res Sports Med (ROC/Youden vs strike index)
    "altman": (-1.6, 8.0),    # Altman & Davis, Gait Posture 2012
}


#: Arguments from here on take the continued fraction of erfc, below it the Taylor series of
#: erf (each is accurate to a few units in the last place on its side; judgement, measured
#: against scipy.special.erf in tests/events/test_peaks.py).
_ERF_SWITCH = 1.5
#: Depth of that continued fraction: 80 levels reach double precision from 1.5 up.
_ERFC_DEPTH = 80


def erf(x) -> np.ndarray:
    """The error function, elementwise, as ``scipy.special.erf`` (within ~1e-15).

    Below ``|x|`` = 1.5 the Taylor series (Abramowitz & Stegun 1964, 7.1.5)
    ``2 / sqrt(pi) sum_k (-1)^k x^(2k+1) / (k! (2k+1))``, summed until a term changes no sum
    (<= 30 terms); from 1.5 up ``1 - erfc`` with erfc from its continued fraction (A&S 7.1.14)
    ``erfc(x) = exp(-x^2) / sqrt(pi) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...))))``
    evaluated from a fixed depth of 80 levels up. One vectorised pass per term or level over
    all arguments. Numpy has no erf, and ``scipy.special`` costs ~0.1 s to import.

    Parameters
    ----------
    x : array_like
        Arguments (NaN gives NaN, +-inf gives +-1).

    Returns
    -------
    ndarray of float64, the shape of ``x``
    """
    x = np.asarray(x, dtype=np.float64)
    a = np.abs(x)
    out = np.full(a.shape, np.nan)
    small = a < _ERF_SWITCH
    if small.any():
        v = a[small]
        v2 = v * v
        power, total, k = v.copy(), v.copy(), 0
        while True:  # one pass per series term
            k += 1
            power *= -v2 / k
            grown = total + power / (2 * k + 1)
            if not np.any(grown != total):
                break
            total = grown
        out[small] = 2.0 / np.sqrt(np.pi) * total
    large = a >= _ERF_SWITCH  # NaN is in neither
    if large.any():
        v = np.minimum(a[large], 30.0)  # erfc underflows to 0 long before 30; keeps inf finite
        frac = v.copy()
        for j in range(_ERFC_DEPTH, 0, -1):  # the fraction's levels, innermost first
            frac = v + (0.5 * j) / frac
        # exp(-v^2) with v^2 split into an exact part (v rounded to 20 fractional bits: its
        # square is exact) and a small rest, so the rounding of v^2 (v^2 x 1e-16) does not
        # reach the result
        hi = np.round(v * 2.0**20) / 2.0**20
        lo = v - hi
        gauss = np.exp(-hi * hi) * np.exp(-(2.0 * hi + lo) * lo)
        out[large] = 1.0 - gauss / np.sqrt(np.pi) / frac
    return np.copysign(out, x)


def strike_cutoffs(strike_thresholds) -> tuple[float, float]:
    """The strike-angle cut-offs ``(forefoot_below_deg, rearfoot_above_deg)``, checked.

    Parameters
    ----------
    strike_thresholds : {"mo", "altman"} or (float, float)
        A name of :data:`STRIKE_THRESHOLDS` (any case) or a pair of finite angles in degrees,
        the forefoot cut-off below the rearfoot one.

    Returns
    -------
    tuple of float
        ``(forefoot_below_deg, rearfoot_above_deg)``, degrees.

    Raises
    ------
    OptionError
        An unknown name, not two numbers, or cut-offs out of order.
    """
    if isinstance(strike_thresholds, str):
        key = strike_thresholds.lower()
        if key not in STRIKE_THRESHOLDS:
            raise OptionError(
                f"unknown strike_thresholds {strike_thresholds!r}; use one of {', '.join(STRIKE_THRESHOLDS)} "
                "or a (forefoot_below_deg, rearfoot_above_deg) pair"
            )
        return STRIKE_THRESHOLDS[key]
    try:
        ff, rf = (float(v) for v in strike_thresholds)
    except (TypeError, ValueError):
        raise OptionError(f"strike_thresholds must be a name or two numbers, got {strike_thresholds!r}") from None
    if not (np.isfinite(ff) and np.isfinite(rf) and ff < rf):
        raise OptionError(f"strike_thresholds need forefoot_below_deg < rearfoot_above_deg, got {strike_thresholds!r}")
    return ff, rf


def pitch_between_zero_velocity(
    pitch_rate_rads: np.ndarray,
    sampling_rate_hz: float,
    zv_start: np.ndarray,
    zv_end: np.ndarray,
    at: np.ndarray,
) -> np.ndarray:
    """Pitch angle (rad) at sample ``at[i]``, integrated from ``zv_start[i]`` to ``zv_end[i]``.

    The angle is zero at both zero-velocity samples; the integration drift (gyro bias, error of
    the axis) is removed as a linear ramp in time between them.

    Parameters
    ----------
    pitch_rate_rads : ndarray, shape (n,)
        Sagittal angular rate in rad/s, + = toes up.
    sampling_rate_hz : float
        Sampling rate in Hz.
    zv_start, zv_end, at : ndarray of int, shape (m,)
        Sample indices with ``zv_start <= at <= zv_end``.

    Returns
    -------
    ndarray, shape (m,)
        Pitch in rad; NaN where the indices are invalid.
    """
    w = np.asarray(pitch_rate_rads, dtype=np.float64)
    # trapezoidal cumulative integral theta[i] = csum[i - 1] / fs, theta[0] = 0
    # (one full-length buffer summed in place; divided by fs only where it is read)
    csum = np.add(w[1:], w[:-1])
    csum *= 0.5
    np.cumsum(csum, out=csum)

    def theta(i):
        return np.where(i > 0, csum[np.maximum(i - 1, 0)], 0.0) / sampling_rate_hz

    zv_start = np.asarray(zv_start, dtype=np.int64)
    zv_end = np.asarray(zv_end, dtype=np.int64)
    at = np.asarray(at, dtype=np.int64)
    ok = (zv_start >= 0) & (zv_end > zv_start) & (at >= zv_start) & (at <= zv_end) & (zv_end < w.size)
    s = np.where(ok, zv_start, 0)
    e = np.where(ok, zv_end, 1)
    a = np.where(ok, at, 0)
    frac = (a - s) / np.maximum(e - s, 1)
    th_s = theta(s)
    out = theta(a) - th_s - frac * (theta(e) - th_s)
    return np.where(ok, out, np.nan)


def strike_angle_deg(
    pitch_rate_rads: np.ndarray,
    sampling_rate_hz: float,
    ic_idx: np.ndarray,
    zv_before_idx: np.ndarray,
    zv_after_idx: np.ndarray,
) -> np.ndarray:
    """Foot strike angle (deg) at each initial contact.

    Parameters
    ----------
    pitch_rate_rads : ndarray, shape (n,)
        Sagittal angular rate, rad/s, + = toes up.
    sampling_rate_hz : float
    ic_idx : ndarray of int
        Initial-contact samples.
    zv_before_idx, zv_after_idx : ndarray of int
        Zero-velocity (foot-flat) samples of the previous stance and of this stance.

    Returns
    -------
    ndarray
        Pitch at IC relative to foot-flat, degrees, + = toes up (heel first); NaN when a
        zero-velocity instant is missing.
    """
    return np.rad2deg(pitch_between_zero_velocity(pitch_rate_rads, sampling_rate_hz, zv_before_idx, zv_after_idx, ic_idx))


def classify_strike(
    angle_deg: np.ndarray,
    strike_thresholds="mo",
    uncertainty_deg: float | np.ndarray = 2.5,
) -> tuple[np.ndarray, np.ndarray]:
    """Strike pattern and confidence from the strike angle.

    Parameters
    ----------
    angle_deg : ndarray
        Strike angle in degrees (+ = toes up).
    strike_thresholds : {"mo", "altman"} or (float, float)
        Cut-offs ``(forefoot_below_deg, rearfoot_above_deg)``: Mo et al. (-0.8, 7.4) by default,
        Altman & Davis 2012 (-1.6, 8.0) with ``"altman"``.
    uncertainty_deg : float or ndarray
        One standard deviation of the angle estimate, degrees (scalar or per step).

    Returns
    -------
    pattern : ndarray of object
        ``rearfoot`` / ``midfoot`` / ``forefoot``; ``unknown`` where the angle is NaN.
    confidence : ndarray of float
        ``erf(d / (sigma sqrt 2))`` where ``d`` is the distance to the nearest cut-off: the
        probability that a Gaussian error of ``sigma`` would not carry the angle across the
        nearest cut-off (0 on a cut-off, 0.68 one sigma away, 0.95 two sigmas away); NaN when unknown.
    """
    ff, rf = strike_cutoffs(strike_thresholds)
    a = np.asarray(angle_deg, dtype=np.float64)
    pattern = np.full(a.shape, "unknown", dtype=object)
    known = np.isfinite(a)
    pattern[known & (a > rf)] = "rearfoot"
    pattern[known & (a < ff)] = "forefoot"
    pattern[known & (a >= ff) & (a <= rf)] = "midfoot"
    d = np.minimum(np.abs(a - ff), np.abs(a - rf))
    sigma = np.maximum(np.asarray(uncertainty_deg, dtype=np.float64), 1e-6)
    conf = erf(d / (sigma * np.sqrt(2.0)))
    conf = np.where(known, conf, np.nan)
    return pattern, conf
