"""Steps from a wrist (watch / phone) accelerometer, and strides from an accelerometer-only ankle.

Both signals repeat once per stride (one arm-swing cycle; one foot's impacts), with the step
rate as a strong second harmonic at the wrist. Steps are counted in three stages:

1. **period**: windowed autocorrelation of the acceleration magnitude finds the stride lag
   (searched in the stride range so it cannot lock onto a step); running plausibility
   (130-220 steps/min) then fixes the arm-swing harmonic ambiguity: a wrist step is half a
   stride (Moe-Nilssen & Helbostad 2004 autocorrelation; the harmonic choice follows the
   step-counting practice reviewed by Mora-Gonzalez et al. 2022, CADENCE-Adults);
2. **phase**: the magnitude is band-passed around the median step (or stride) frequency and its
   Hilbert phase is unwrapped; one event is placed at each whole cycle of phase, so each period
   gets exactly one event, never two (no double counting of the arm-swing and impact peaks);
3. **gate**: only windows whose autocorrelation shows gait (regular, large enough) keep events,
   so noise, standing and a constant signal give no steps.

A clipped accelerometer (ActiGraph at +-8 g) only flattens the impact peaks: the period and
the phase come from the whole waveform, so clipping does not change the count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from scipy import fft as sfft
from scipy import signal as sps

from ..notice import Notice
from ..errors import SignalError
from .filters import butterworth, gather_rows, norm3
from .lumbar import track_at
from .options import DetectorOptions, require_positive, require_range
from .placement import G, cadence_track, fill_nan

__all__ = ["detect_wrist_steps", "detect_ankle_strides", "periodic_events", "WristOptions", "AnkleOptions"]

RUNNING_STEP_LAG_S = (60.0 / 220.0, 60.0 / 130.0)


@dataclass(frozen=True)
class WristOptions(DetectorOptions):
    """Options of :func:`detect_wrist_steps` (checked when built; unknown names refused).

    Attributes
    ----------
    min_cadence_spm, max_cadence_spm : float
        Plausible running cadence, steps/min: resolves the arm-swing harmonic (130-220, the
        running cadences of the step-counting practice reviewed by Mora-Gonzalez et al. 2022).
    window_s : float
        Autocorrelation (cadence) window, s (8 s holds several strides; judgement).
    min_regularity : float
        Minimum stride autocorrelation of a gait window (Moe-Nilssen & Helbostad 2004: healthy
        gait 0.5-0.9, noise and standing well below; 0.3 is a judgement).
    min_amplitude_g : float
        Minimum standard deviation of the acceleration magnitude in a gait window, g (judgement).
    """

    detector: ClassVar[str] = "wrist"

    min_cadence_spm: float = 130.0
    max_cadence_spm: float = 220.0
    window_s: float = 8.0
    min_regularity: float = 0.3
    min_amplitude_g: float = 0.05

    def check(self) -> None:
        require_range(self, "min_cadence_spm", 30.0, 400.0)
        require_range(self, "max_cadence_spm", self.min_cadence_spm * 1.05, 400.0)
        require_range(self, "window_s", 2.0, 120.0)
        require_range(self, "min_regularity", 0.0, 1.0)
        require_positive(self, "min_amplitude_g")

    @property
    def step_lag_range_s(self) -> tuple[float, float]:
        """The plausible step interval, s (from the cadence range)."""
        return 60.0 / self.max_cadence_spm, 60.0 / self.min_cadence_spm


@dataclass(frozen=True)
class AnkleOptions(WristOptions):
    """Options of :func:`detect_ankle_strides`: those of :class:`WristOptions` (cadence of both
    feet) and the impact search.

    Attributes
    ----------
    impact_window_strides : float
        The impact is the largest acceleration within this fraction of a stride either side of
        the stride's phase point (+-30 %: a stride's contact and its impact lie within it;
        judgement).
    """

    detector: ClassVar[str] = "ankle (no gyroscope)"

    impact_window_strides: float = 0.3

    def check(self) -> None:
        super().check()
        require_range(self, "impact_window_strides", 0.05, 0.5)


def periodic_events(x: np.ndarray, sampling_rate_hz: float, *, per: str = "step",
                    step_lag_range_s: tuple[float, float] = RUNNING_STEP_LAG_S,
                    min_regularity: float = 0.3, min_amplitude: float = 0.05,
                    window_s: float = 8.0) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """One event per step (or stride) of a stride-periodic gait signal.

    Parameters
    ----------
    x : ndarray, shape (n,)
        Acceleration magnitude in g (one contiguous segment).
    sampling_rate_hz : float
        Sampling rate, Hz.
    per : {"step", "stride"}
        Place one event per step (wrist) or per stride (ankle: one foot).
    step_lag_range_s : (float, float)
        Plausible step interval, s (running 130-220 steps/min by default).
    min_regularity : float
        Minimum stride autocorrelation of a gait window.
    min_amplitude : float
        Minimum standard deviation of ``x`` in a gait window (same unit as ``x``).
    window_s : float
        Autocorrelation window, s.

    Returns
    -------
    event_idx : ndarray of float
        Fractional sample index of each event (peak phase of the band-passed signal).
    period_s : ndarray
        Local event period at each event, s.
    warnings : list of str
    """
    warnings: list[str] = []
    fs = float(sampling_rate_hz)
    n = x.size
    win_s = min(window_s, n / fs)
    # strides are searched in twice the plausible step range: exactly one stride multiple of a
    # step-periodic (impact) or stride-periodic (arm swing) signal falls in it
    track = cadence_track(x, fs, window_s=win_s, step_lag_range_s=step_lag_range_s)
    if track.center_s.size == 0:
        warnings.append(Notice(f"signal of {n / fs:.1f} s is too short for a cadence estimate", "no-steps"))
        return np.empty(0), np.empty(0), warnings
    win = int(round(win_s * fs))
    hop = max(1, int(round(2.0 * fs)))
    frames = gather_rows(x, np.arange(track.center_s.size) * hop, win)
    amp = frames.std(axis=1)
    step_lag = track.stride_lag_s / 2.0
    # a lag at the edge of the search range is a clipped search, not a plausible cadence
    plausible = (step_lag >= step_lag_range_s[0] * 1.01) & (step_lag <= step_lag_range_s[1] * 0.99)
    gait_w = (track.r_stride >= min_regularity) & (amp >= min_amplitude) & plausible
    if not gait_w.any():
        warnings.append(Notice("no periodic running gait found (constant, noise, standing or cadence outside "
                        f"{60 / step_lag_range_s[1]:.0f}-{60 / step_lag_range_s[0]:.0f} steps/min)", "no-steps"))
        return np.empty(0), np.empty(0), warnings
    period_w = step_lag if per == "step" else track.stride_lag_s
    f0 = 1.0 / float(np.median(period_w[gait_w]))
    f_lo = 1.0 / float(np.max(period_w[gait_w]))
    f_hi = 1.0 / float(np.min(period_w[gait_w]))
    band = (max(0.3, 0.75 * f_lo), min(1.35 * f_hi, 0.45 * fs))
    if band[1] <= band[0] * 1.2:
        band = (0.7 * f0, min(1.4 * f0, 0.45 * fs))
    y = butterworth(x - np.mean(x), fs, band, btype="bandpass", order=2)
    phase = _unwrap(np.angle(_analytic(y)))
    # phase runs forward at the gait frequency; integer cycles are the events (peaks of y)
    cycles = phase / (2 * np.pi)
    # make it monotone so np.interp can invert it (noise can step it back briefly)
    cycles = np.maximum.accumulate(cycles)
    k = np.arange(np.ceil(cycles[0]), np.floor(cycles[-1]) + 1)
    # first index where cycles reaches k, then linear interpolation within that sample interval
    j = np.clip(np.searchsorted(cycles, k, side="left"), 1, n - 1)
    span = cycles[j] - cycles[j - 1]
    ev = (j - 1) + np.where(span > 0, (k - cycles[j - 1]) / np.where(span > 0, span, 1.0), 0.0)
    # the gate and the period held at every sample, read at the events only
    ii = np.clip(np.round(ev).astype(int), 0, n - 1)
    keep = track_at(track.center_s, gait_w.astype(float), ii, fs) > 0.5
    ev, per_ev = ev[keep], track_at(track.center_s, period_w, ii[keep], fs)
    # a cycle much shorter than expected is phase noise, not a step
    if ev.size > 1:
        ok = np.concatenate([[True], np.diff(ev) / fs > 0.5 * per_ev[1:]])
        ev, per_ev = ev[ok], per_ev[ok]
    return ev, per_ev, warnings


def _analytic(y: np.ndarray) -> np.ndarray:
    """Analytic signal of ``y`` (:func:`scipy.signal.hilbert`) from an FFT of a fast length.

    A transform of ``len(y)`` points costs several times more when that length has a large
    prime factor (one hour at 100 Hz plus one sample, 360,001 points: 180 ms against 27 ms at
    ``scipy.fft.next_fast_len``), so the signal is padded with zeros to the next fast length
    and the analytic signal cut back to ``len(y)``. The band-passed signal oscillates about
    zero, so the padding only changes the phase within about a gait cycle of the ends, as the
    circular wrap of an unpadded transform does.
    """
    return sps.hilbert(y, N=sfft.next_fast_len(y.size))[: y.size]


def _unwrap(p: np.ndarray) -> np.ndarray:
    """``np.unwrap(p)`` of a 1-D float array (period 2 pi), bit for bit, its arithmetic done only at the jumps.

    numpy computes the wrapped difference ``mod(dd + pi, 2 pi) - pi`` and its correction at
    every sample, then zeroes the correction wherever ``|dd| < pi``; a phase from
    :func:`numpy.angle` jumps about once per cycle, so the same elementwise expressions are
    evaluated at those few samples only (the corrections, and so their cumulative sum, are the
    same numbers).
    """
    dd = np.diff(p)
    correction = np.zeros(dd.size)
    jump = np.flatnonzero(~(np.abs(dd) < np.pi))  # numpy keeps the correction there (and at NaN)
    d = dd[jump]
    period = 2 * np.pi
    interval_low = -(period / 2)
    ddmod = np.mod(d - interval_low, period) + interval_low
    ddmod[(ddmod == interval_low) & (d > 0)] = period / 2  # a jump of exactly +pi stays +pi
    correction[jump] = ddmod - d
    up = np.array(p, dtype=np.float64, copy=True)
    up[1:] = p[1:] + correction.cumsum()
    return up


def _check(acc: np.ndarray, fs: float, what: str) -> np.ndarray:
    if fs < 15:
        raise SignalError(f"{fs:.3g} Hz is too slow to count steps from a {what} accelerometer (need >= 15 Hz)")
    acc = fill_nan(np.asarray(acc, dtype=np.float64))
    if acc.ndim != 2 or acc.shape[1] != 3:
        return np.linalg.norm(acc, axis=1) / G
    return norm3(acc) / G  # np.linalg.norm(acc, axis=1), bit for bit, without its temporaries


def detect_wrist_steps(time_s: np.ndarray, acc_mps2: np.ndarray, sampling_rate_hz: float,
                       options: WristOptions | None = None, **option_values) -> tuple[pd.DataFrame, list[str]]:
    """Running steps from a wrist-worn accelerometer (one contiguous segment).

    Parameters
    ----------
    time_s : ndarray, shape (n,)
        Sample times, s.
    acc_mps2 : ndarray, shape (n, 3)
        Accelerometer, m/s^2 (clipped values are fine).
    sampling_rate_hz : float
        Sampling rate, Hz.
    options : WristOptions, optional
        Cadence range and gait gate (defaults when omitted).
    **option_values
        Options by name (``min_cadence_spm=120``...), applied over ``options`` and checked
        (an unknown name is an ``OptionError``).

    Returns
    -------
    events : DataFrame
        ``time_s`` (approximate contact: the impact phase of each step), ``foot`` = unknown.
    warnings : list of str
    """
    opt = WristOptions.coerce(options, **option_values)
    fs = float(sampling_rate_hz)
    mag = _check(acc_mps2, fs, "wrist")
    ev, _, warnings = periodic_events(mag, fs, per="step", window_s=opt.window_s, step_lag_range_s=opt.step_lag_range_s,
                                      min_regularity=opt.min_regularity, min_amplitude=opt.min_amplitude_g)
    t = np.interp(ev, np.arange(mag.size), np.asarray(time_s, dtype=float))
    out = pd.DataFrame({"time_s": t, "toe_off_s": np.nan, "foot": "unknown", "contact_time_ms": np.nan})
    return out, warnings


def detect_ankle_strides(time_s: np.ndarray, acc_mps2: np.ndarray, sampling_rate_hz: float,
                         options: AnkleOptions | None = None, **option_values) -> tuple[pd.DataFrame, list[str]]:
    """Contacts of one foot from an accelerometer-only ankle / shank sensor (no gyroscope).

    One event per stride from the stride phase (see :func:`periodic_events`), then moved to the
    impact: the largest acceleration magnitude within ``impact_window_strides`` (+-30 %) of a
    stride of the phase point
    (the ankle's impact transient marks initial contact; Mitschke et al. 2017 discuss the delay
    of acceleration-peak methods, hence ``ic_approximate``).

    Parameters
    ----------
    time_s, acc_mps2, sampling_rate_hz
        As :func:`detect_wrist_steps`.
    options : AnkleOptions, optional
        Cadence range (both feet), gait gate and impact search (defaults when omitted).
    **option_values
        Options by name, applied over ``options`` and checked.

    Returns
    -------
    events : DataFrame
        ``time_s`` per contact of the instrumented foot, ``foot`` filled by the caller.
    warnings : list of str
    """
    opt = AnkleOptions.coerce(options, **option_values)
    fs = float(sampling_rate_hz)
    mag = _check(acc_mps2, fs, "ankle")
    ev, per_ev, warnings = periodic_events(mag, fs, per="stride", window_s=opt.window_s,
                                           step_lag_range_s=opt.step_lag_range_s,
                                           min_regularity=opt.min_regularity, min_amplitude=opt.min_amplitude_g)
    if ev.size:
        half = np.maximum(1, np.round(opt.impact_window_strides * per_ev * fs)).astype(int)
        w = int(2 * half.max() + 1)
        start = np.round(ev).astype(int) - half
        seg = gather_rows(mag, start, w)
        valid = np.arange(w)[None, :] <= (2 * half)[:, None]
        j = np.argmax(np.where(valid, seg, -np.inf), axis=1)
        ev = np.clip(start + j, 0, mag.size - 1).astype(float)
        ok = np.concatenate([[True], np.diff(ev) > 0.5 * per_ev[1:] * fs])
        ev = ev[ok]
    t = np.interp(ev, np.arange(mag.size), np.asarray(time_s, dtype=float))
    out = pd.DataFrame({"time_s": t, "toe_off_s": np.nan, "foot": "unknown", "contact_time_ms": np.nan})
    return out, warnings

