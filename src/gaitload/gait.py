"""Gait mode of every step: ``walk`` or ``run`` (the ``gait`` column of the steps table).

Runs after terrain (it needs each step's speed) and before load, which sends walking steps to
the rule set's walking block instead of the running rules.

Two kinds of evidence, per step:

- **Flight phase** (foot or shank IMU that measured the contact): by definition running has a
  flight phase and walking a double-support phase, so a step is walking when one foot's
  contact lasts longer than the step (duty factor above 0.5: ``contact_time > step_time``) and
  running when shorter.
- **Cadence and speed**: walking cadence is ~100-130 steps/min (CADENCE-Adults, literature.md
  4.2), running rarely below ~150; people switch to running near 2 m/s (Schache 2015's walk-run
  transition). A running cadence (or speed) makes a step running even when its contacts are
  long: a steep climb stretches a runner's contact towards the step time. Without flight-phase
  evidence a walking cadence makes it walking; without cadence, a walking speed. Thresholds
  are judgement [J].

Each kind decides with hysteresis (a step between the walk and run thresholds keeps the mode
of the step before it) on a 5-step running median of its inputs, so single steps do not
flicker.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from .schema import float_column, measured_column

__all__ = ["GaitOptions", "GAIT_MODES", "classify_gait", "gait_mode", "gait_basis"]

GAIT_MODES = ("walk", "run", "unknown")
#: placements whose contact times measure one foot's stance (a flight phase is visible)
_CONTACT_PLACEMENTS = ("foot", "shank")


@dataclasses.dataclass(frozen=True)
class GaitOptions:
    """Thresholds of :func:`gait_mode` (judgement [J] unless noted).

    Attributes
    ----------
    duty_walk, duty_run : float
        ``contact_time / step_time`` above ``duty_walk`` is walking (double support), below
        ``duty_run`` running (flight); 1 is the physical boundary (duty factor 0.5).
    cadence_walk_spm, cadence_run_spm : float
        Cadence below ``cadence_walk_spm`` is walking, above ``cadence_run_spm`` running,
        steps/min.
    speed_walk_mps, speed_run_mps : float
        Without cadence or contacts: speed below ``speed_walk_mps`` is walking, m/s. A speed
        above ``speed_run_mps`` is running whatever else (nobody walks that fast for long).
    smooth_steps : int
        Width of the running median over the inputs, steps.
    """

    duty_walk: float = 1.05
    duty_run: float = 0.95
    cadence_walk_spm: float = 135.0
    cadence_run_spm: float = 145.0
    speed_walk_mps: float = 1.7
    speed_run_mps: float = 2.3
    smooth_steps: int = 5


def _median(values: np.ndarray, width: int) -> np.ndarray:
    """Centred running median over ``width`` steps (ends padded with the end values), NaN
    ignored (NaN where the whole window is NaN)."""
    finite = np.isfinite(values)
    if width <= 1 or values.size == 0 or not finite.any():
        return values
    half = width // 2
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(values, (half, width - 1 - half), mode="edge"), width)
    if finite.all():  # the usual case: a plain median over a (n, width) view, ~5x faster than pandas
        return np.median(windows, axis=1)
    # with NaN (the contact time of an inferred step): np.nanmedian's numbers (the middle one of
    # the k values present, or the mean of the two middle ones) from one sort of the windows,
    # NaN last; ~3x faster than np.nanmedian, which masks every window
    ordered = np.sort(windows, axis=1)
    k = width - np.count_nonzero(np.isnan(ordered), axis=1)
    rows = np.arange(ordered.shape[0])
    low = ordered[rows, np.maximum(k - 1, 0) // 2]
    high = ordered[rows, np.minimum(k // 2, width - 1)]
    with np.errstate(invalid="ignore"):
        out = np.where(k % 2 == 1, high, (low + high) / 2)
    out[k == 0] = np.nan  # all-NaN windows stay NaN
    return out


def _hysteresis(walk: np.ndarray, run: np.ndarray) -> np.ndarray:
    """1 (walk) / 0 (run) per step: a step with neither verdict keeps the one before it (the
    first ones take the first verdict); NaN where no step has a verdict."""
    state = np.where(walk, 1.0, np.where(run, 0.0, np.nan))
    return pd.Series(state).ffill().bfill().to_numpy()


def gait_mode(contact_time_ms, step_time_s, cadence_spm, speed_mps, *, contacts_measured=False,
              options: GaitOptions | None = None) -> np.ndarray:
    """``walk`` / ``run`` / ``unknown`` per step.

    Parameters
    ----------
    contact_time_ms, step_time_s, cadence_spm, speed_mps : array_like, shape (n,) or scalar
        Per-step contact time (ms), time from the previous contact (s), cadence (steps/min),
        speed (m/s); NaN when unknown (a scalar applies to every step).
    contacts_measured : bool or array_like of bool, shape (n,)
        Whether the contact time measures one foot's stance (a foot or shank IMU): only then
        does the flight-phase test apply.
    options : GaitOptions, optional

    Returns
    -------
    numpy.ndarray of str, shape (n,)
        ``unknown`` only where no step of the run has any evidence.
    """
    opt = options or GaitOptions()
    # scalars broadcast to the steps (e.g. no contact times at all: NaN)
    contact, step, cadence, speed = (np.array(a, dtype=float) for a in np.broadcast_arrays(
        np.atleast_1d(np.asarray(contact_time_ms, dtype=float)), np.asarray(step_time_s, dtype=float),
        np.asarray(cadence_spm, dtype=float), np.asarray(speed_mps, dtype=float)))
    contact = contact / 1000.0
    n = contact.shape[0]
    # a step time from the cadence where the steps table has none
    measured = np.broadcast_to(np.asarray(contacts_measured, dtype=bool), (n,))
    with np.errstate(invalid="ignore", divide="ignore"):
        step = np.where(np.isfinite(step) & (step > 0), step, np.where(cadence > 0, 60.0 / cadence, np.nan))
        duty = np.where(measured & (contact > 0), contact / step, np.nan)
    duty = _median(duty, opt.smooth_steps)
    cadence = _median(np.where(cadence > 0, cadence, np.nan), opt.smooth_steps)
    speed = _median(np.where(speed >= 0, speed, np.nan), opt.smooth_steps)

    has_duty, has_cadence, has_speed = np.isfinite(duty), np.isfinite(cadence), np.isfinite(speed)
    with np.errstate(invalid="ignore"):
        # running: a flight phase, a running cadence, or a speed nobody walks at; a running
        # cadence wins over long contacts (steep climbs stretch contacts towards the step time)
        run = (duty < opt.duty_run) | (cadence > opt.cadence_run_spm) | (has_speed & (speed > opt.speed_run_mps))
        walk = ~run & ((duty > opt.duty_walk) | (cadence < opt.cadence_walk_spm)
                       | (~has_duty & ~has_cadence & (speed < opt.speed_walk_mps)))
    state = _hysteresis(walk, run)
    out = np.full(n, "unknown", dtype=object)
    out[state == 1.0] = "walk"
    out[state == 0.0] = "run"
    return out


def classify_gait(steps: pd.DataFrame, placement: str | None = None, options: GaitOptions | None = None) -> pd.DataFrame:
    """The steps table with a ``gait`` column (``walk`` / ``run`` / ``unknown``).

    Parameters
    ----------
    steps : pandas.DataFrame
        Steps after terrain: ``contact_time_ms``, ``step_time_s``, ``cadence_spm``,
        ``speed_mps`` (each optional), ``measured`` (optional: contacts found in the signal).
    placement : str, optional
        Where the sensor was worn; contact times measure a foot's stance only for ``foot``
        and ``shank`` (elsewhere they are estimates and the flight-phase test is skipped).
    options : GaitOptions, optional

    Returns
    -------
    pandas.DataFrame
        A copy of ``steps`` with ``gait``.
    """
    measured = measured_column(steps) if placement in _CONTACT_PLACEMENTS else False
    gait = gait_mode(float_column(steps, "contact_time_ms"), float_column(steps, "step_time_s"),
                     float_column(steps, "cadence_spm"), float_column(steps, "speed_mps"),
                     contacts_measured=measured, options=options)
    return steps.assign(gait=pd.Series(gait, index=steps.index, dtype=object))


def gait_basis(steps: pd.DataFrame, placement: str | None = None) -> str:
    """What decided the steps' gait, for the summary's provenance (one line).

    Parameters
    ----------
    steps : pandas.DataFrame
        Steps with ``gait`` (:func:`classify_gait`).
    placement : str, optional
        Where the sensor was worn.

    Returns
    -------
    str
    """
    contacts = placement in _CONTACT_PLACEMENTS and np.isfinite(float_column(steps, "contact_time_ms")).any()
    cadence = np.isfinite(float_column(steps, "cadence_spm")).any()
    parts = (["flight phase of the measured contacts"] if contacts else []) + \
        (["cadence and speed"] if cadence else ["speed"] if np.isfinite(float_column(steps, "speed_mps")).any() else [])
    if not parts:
        return "unknown: no contacts, cadence or speed (the running rules are used)"
    return "derived: " + ", then ".join(parts) + " (judgement thresholds, hysteresis)"
