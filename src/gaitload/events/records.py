"""Steps from about-1 Hz watch / footpod records: integrate the device's cadence.

A watch reports cadence (steps/min, after the reader has doubled FIT's strides/min) about once
a second, not foot strikes. The number of steps between two records is the integral of cadence
over that interval, so the k-th step of the run is placed where the running integral
``N(t) = integral cadence dt / 60`` crosses ``k``. Every step placed this way is *inferred*
(``measured=False``); its timing is only as good as the device's cadence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ResourceLimitError
from ..notice import Notice

__all__ = ["steps_from_cadence", "cadence_integral", "cadence_from_speed", "device_step_columns",
           "device_step_provenance", "strike_from_footstrike_type"]

#: Preferred running cadence at the model's reference speed: the metabolic optimum of
#: Lieberman et al. 2015 (84.8 strides/min ~ 170 steps/min at 3.0 m/s; literature.md 1d).
REFERENCE_CADENCE_SPM = 170.0
REFERENCE_SPEED_MPS = 3.0
#: Step frequency grows about 10 % from 3.5 to 5.2 m/s (Dorn et al. 2012, literature.md 1b):
#: log(1.10) / log(5.2 / 3.5) = 0.24.
CADENCE_SPEED_EXPONENT = 0.24
#: Below this speed a person is walking, not running (walk-run transition ~2 m/s) [J].
RUN_SPEED_MPS = 2.0
#: Walking cadence used below RUN_SPEED_MPS: ~100-120 steps/min is ordinary walking
#: (CADENCE-Adults, Mora-Gonzalez 2022, literature.md 4.2) [J: one value for all walking].
WALK_CADENCE_SPM = 110.0
#: Below this speed the person is standing: no steps.
STANDSTILL_SPEED_MPS = 0.5
#: Cadences above this are not a human's (elite sprinters peak near 300 steps/min): a garbled
#: record, read as missing so it cannot inflate the step count.
MAX_CADENCE_SPM = 400.0
#: More steps than this in one recording (~100 h of running) is refused as a resource risk.
MAX_STEPS = 10_000_000


def cadence_integral(time_s: np.ndarray, cadence_spm: np.ndarray, gaps_s: np.ndarray | None = None) -> np.ndarray:
    """Running number of steps, the trapezoid integral of cadence over time.

    Intervals that span a recording gap (auto-pause), and intervals with a missing cadence at
    either end, add no steps.

    Parameters
    ----------
    time_s : ndarray, shape (n,)
        Record times, s, increasing.
    cadence_spm : ndarray, shape (n,)
        Cadence in steps per minute (NaN where missing, negatives treated as missing).
    gaps_s : ndarray, shape (k, 2), optional
        Gaps ``[start, end]`` in s (``Recording.gaps_s``).

    Returns
    -------
    ndarray, shape (n,)
        Steps taken from the first record up to each record.
    """
    t = np.asarray(time_s, dtype=np.float64)
    c = np.asarray(cadence_spm, dtype=np.float64)
    c = np.where(np.isfinite(c) & (c >= 0) & (c <= MAX_CADENCE_SPM), c, np.nan)
    dt = np.diff(t)
    inc = 0.5 * (c[:-1] + c[1:]) * dt / 60.0
    inc = np.where(np.isfinite(inc), inc, 0.0)
    if gaps_s is not None and len(gaps_s):
        # an interval whose start is a gap's start spans the pause
        starts = np.searchsorted(t, np.asarray(gaps_s)[:, 0])
        starts = starts[starts < inc.size]
        inc[starts] = 0.0
    return np.concatenate([[0.0], np.cumsum(inc)])


def pause_gaps(time_s: np.ndarray, distance_m: np.ndarray | None, gaps_s: np.ndarray) -> np.ndarray:
    """The recording gaps that are pauses: those the device's own distance did not cross at
    moving speed.

    A watch that records sparsely ("smart recording") leaves gaps of 10-20 s while the runner
    keeps going; its distance advances across them at the runner's pace, and steps were taken
    there. A watch writes no distance while its timer is stopped, so a gap its distance crossed
    at :data:`STANDSTILL_SPEED_MPS` or more was walked or run.

    Parameters
    ----------
    time_s : ndarray, shape (n,)
        Record times, s, increasing.
    distance_m : ndarray, shape (n,) or None
        The device's cumulative distance, m (NaN where missing); None: every gap is a pause.
    gaps_s : ndarray, shape (k, 2)
        Gaps ``[start, end]`` in s (``Recording.gaps_s``).

    Returns
    -------
    ndarray, shape (m, 2)
        The gaps that are pauses, a subset of ``gaps_s``.
    """
    gaps = np.asarray(gaps_s, dtype=np.float64).reshape(-1, 2)
    if distance_m is None or not len(gaps):
        return gaps
    t = np.asarray(time_s, dtype=np.float64)
    d = np.asarray(distance_m, dtype=np.float64)
    ok = np.isfinite(d)
    if ok.sum() < 2:
        return gaps
    # the distance at each end of the gap (interpolated over missing records)
    d_start = np.interp(gaps[:, 0], t[ok], d[ok])
    d_end = np.interp(gaps[:, 1], t[ok], d[ok])
    crossed = (d_end - d_start) >= STANDSTILL_SPEED_MPS * (gaps[:, 1] - gaps[:, 0])
    return gaps[~crossed]


def cadence_from_speed(speed_mps: np.ndarray) -> np.ndarray:
    """A stand-in cadence for records that carry speed but no cadence (GPS-only GPX, TCX).

    ``cadence = 170 x (v / 3.0) ** 0.24`` steps/min when running (v >= 2 m/s), 110 steps/min
    when walking (0.5 <= v < 2 m/s), 0 when standing: the preferred cadence of Lieberman et al.
    2015 scaled with speed as in Dorn et al. 2012. It is a population value, not this runner's:
    steps placed from it are estimates for counting load, never measurements.

    Parameters
    ----------
    speed_mps : ndarray
        Speed, m/s (NaN allowed: gives NaN).

    Returns
    -------
    ndarray
        Cadence, steps/min.
    """
    v = np.asarray(speed_mps, dtype=np.float64)
    run = REFERENCE_CADENCE_SPM * (np.clip(v, RUN_SPEED_MPS, 9.0) / REFERENCE_SPEED_MPS) ** CADENCE_SPEED_EXPONENT
    out = np.where(v >= RUN_SPEED_MPS, run, np.where(v >= STANDSTILL_SPEED_MPS, WALK_CADENCE_SPM, 0.0))
    return np.where(np.isfinite(v), out, np.nan)


def steps_from_cadence(time_s: np.ndarray, cadence_spm: np.ndarray, *, gaps_s: np.ndarray | None = None,
                       contact_time_s: np.ndarray | None = None,
                       speed_mps: np.ndarray | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Place one step at each integer crossing of the cadence integral.

    Vectorised: the crossing times of 1, 2, ... N are found with ``np.interp`` on the
    (monotone) integral, so the cost is linear in the number of records plus steps.

    Parameters
    ----------
    time_s : ndarray, shape (n,)
        Record times, s.
    cadence_spm : ndarray, shape (n,)
        Cadence, steps/min.
    gaps_s : ndarray, shape (k, 2), optional
        Pauses; no step is placed inside one.
    contact_time_s : ndarray, shape (n,), optional
        The device's ground-contact time, s; carried to each step (record in force at the step).
    speed_mps : ndarray, shape (n,), optional
        The device's speed, m/s, interpolated at each step.

    Returns
    -------
    steps : DataFrame
        ``time_s, toe_off_s, foot, contact_time_ms, measured, ic_approximate`` and
        ``speed_mps`` when given; sorted by time.
    warnings : list of str
    """
    warnings: list[str] = []
    t = np.asarray(time_s, dtype=np.float64)
    c = np.asarray(cadence_spm, dtype=np.float64)
    moving = c[np.isfinite(c) & (c > 20)]
    if moving.size and 50 <= np.median(moving) < 110:
        median = float(np.median(moving))
        warnings.append(Notice(
            f"median cadence {median:.0f}/min is a walking or strides/min value; if the device "
            "records strides/min (one foot), read it with cadence_unit='strides/min' (CLI: --cadence-unit strides/min)",
            "cadence-walking", value=median))
    cum = cadence_integral(t, c, gaps_s)
    total = float(cum[-1]) if cum.size else 0.0
    if not np.isfinite(total) or total > MAX_STEPS:
        raise ResourceLimitError(f"the cadence integrates to {total:.3g} steps, over the {MAX_STEPS:,} "
                                 "steps gaitload places in one recording")
    n_steps = int(np.floor(total + 1e-9))
    if n_steps == 0:
        warnings.append(Notice("cadence integrates to less than one step; no steps placed", "no-steps"))
        return _frame(np.empty(0), np.empty(0), None), warnings
    targets = np.arange(1, n_steps + 1, dtype=np.float64)
    # first record index where the integral reaches each target (flat parts = pauses are skipped)
    hi = np.clip(np.searchsorted(cum, targets, side="left"), 1, t.size - 1)
    lo = hi - 1
    span = cum[hi] - cum[lo]
    frac = np.where(span > 0, (targets - cum[lo]) / np.where(span > 0, span, 1.0), 0.0)
    step_t = t[lo] + frac * (t[hi] - t[lo])
    ct_ms = np.full(n_steps, np.nan)
    if contact_time_s is not None:
        ct = np.asarray(contact_time_s, dtype=np.float64)
        # the record in force at the step (sample-and-hold, as the device reports it)
        rec_idx = np.clip(np.searchsorted(t, step_t, side="right") - 1, 0, t.size - 1)
        val = ct[rec_idx]
        ct_ms = np.where(np.isfinite(val) & (val > 0) & (val < 2.0), val * 1000.0, np.nan)
    speed = None
    if speed_mps is not None:
        sp = np.asarray(speed_mps, dtype=np.float64)
        ok = np.isfinite(sp)
        speed = np.interp(step_t, t[ok], sp[ok]) if ok.sum() >= 2 else np.full(n_steps, np.nan)
    return _frame(step_t, ct_ms, speed), warnings


def _frame(step_t: np.ndarray, ct_ms: np.ndarray, speed: np.ndarray | None) -> pd.DataFrame:
    out = pd.DataFrame({
        "time_s": step_t,
        "toe_off_s": step_t + ct_ms / 1000.0,
        "foot": np.full(step_t.size, "unknown", dtype=object),
        "contact_time_ms": ct_ms,
        "measured": np.zeros(step_t.size, dtype=bool),
        "ic_approximate": np.ones(step_t.size, dtype=bool),
    })
    if speed is not None:
        out["speed_mps"] = speed
    return out


#: RunScribe's documented footstrike-type scale, 1-16 (heel to toe): 1-5 rearfoot, 6-10 midfoot,
#: 11-16 forefoot (RunScribe metrics guide, "Footstrike Type").
FOOTSTRIKE_TYPE_BOUNDS = ((1.0, 5.5, "rearfoot"), (5.5, 10.5, "midfoot"), (10.5, 16.0, "forefoot"))

#: Per-record device channels carried to each step (the record in force at the step), with the
#: step column and the factor from the channel's SI unit to the column's.
DEVICE_STEP_COLUMNS = {
    "contact_time": ("contact_time_ms", 1000.0),
    "footstrike_type": ("footstrike_type", 1.0),
    "impact_g": ("impact_g", 1.0),
    "braking_g": ("braking_g", 1.0),
    "pronation": ("pronation_deg", 1.0),
    "vertical_oscillation": ("vertical_oscillation_mm", 1000.0),
    "vertical_ratio": ("vertical_ratio_pct", 1.0),
    "step_length": ("step_length_m", 1.0),
    "stride_length": ("stride_length_m", 1.0),
    "power": ("power_w", 1.0),
    "leg_spring_stiffness": ("leg_spring_stiffness_kn_m", 1.0),
}


#: Channels whose 0 means "not measured" (a stride has some length, stiffness, oscillation).
_ZERO_IS_MISSING = ("footstrike_type", "vertical_oscillation", "step_length", "stride_length", "leg_spring_stiffness")


def strike_from_footstrike_type(values: np.ndarray) -> np.ndarray:
    """Strike pattern from RunScribe's footstrike type (1-16; see :data:`FOOTSTRIKE_TYPE_BOUNDS`).

    Parameters
    ----------
    values : ndarray
        Footstrike type (NaN or outside 1-16: unknown).

    Returns
    -------
    ndarray of object
        ``rearfoot`` / ``midfoot`` / ``forefoot`` / ``unknown``.
    """
    v = np.asarray(values, dtype=np.float64)
    out = np.full(v.shape, "unknown", dtype=object)
    for lo, hi, name in FOOTSTRIKE_TYPE_BOUNDS:
        out[(v >= lo) & (v < hi) if hi < 16 else (v >= lo) & (v <= hi)] = name
    return out


def device_step_columns(time_s: np.ndarray, channels: dict, step_t: np.ndarray) -> dict[str, np.ndarray]:
    """The device's own per-step measurements at each placed step.

    Each step takes the record in force at its time (sample and hold, as the device reports
    it); 0 in a channel of :data:`_ZERO_IS_MISSING` is "not measured". A channel measured per
    foot (``footstrike_type_left`` / ``_right``...) goes to that foot's steps: the feet then
    alternate from the first step, ``left`` first (which foot struck first is not in the
    records), and the other foot's steps keep NaN / ``unknown`` when only one side was
    measured. Contact times outside 0-2 s are left out as not measured.

    Parameters
    ----------
    time_s : ndarray, shape (n,)
        Record times, s.
    channels : dict of str to ndarray
        The recording's channels (SI units).
    step_t : ndarray, shape (m,)
        Step times, s.

    Returns
    -------
    dict of str to ndarray
        Step columns (:data:`DEVICE_STEP_COLUMNS`), ``foot`` when a channel is per foot, and
        ``strike_pattern`` plus ``strike_measured`` when the device gives a footstrike type.
        Empty when the device measured none of them.
    """
    t = np.asarray(time_s, dtype=np.float64)
    step_t = np.asarray(step_t, dtype=np.float64)
    if step_t.size == 0 or t.size == 0:
        return {}
    idx = np.clip(np.searchsorted(t, step_t, side="right") - 1, 0, t.size - 1)
    sided = any(f"{ch}_{side}" in channels for ch in DEVICE_STEP_COLUMNS for side in ("left", "right"))
    out: dict[str, np.ndarray] = {}
    left = np.arange(step_t.size) % 2 == 0
    if sided:
        out["foot"] = np.where(left, "left", "right").astype(object)
    for channel, (column, factor) in DEVICE_STEP_COLUMNS.items():
        values = None
        if channel in channels:
            values = np.asarray(channels[channel], dtype=np.float64)[idx] * factor
        elif sided and (f"{channel}_left" in channels or f"{channel}_right" in channels):
            nan = np.full(t.size, np.nan)
            lv = np.asarray(channels.get(f"{channel}_left", nan), dtype=np.float64)[idx]
            rv = np.asarray(channels.get(f"{channel}_right", nan), dtype=np.float64)[idx]
            values = np.where(left, lv, rv) * factor
        if values is None or not np.isfinite(values).any():
            continue
        if channel == "contact_time":
            values = np.where((values > 0) & (values < 2000.0), values, np.nan)
        elif channel in _ZERO_IS_MISSING:
            # a pod writes 0 while it sees no stride (Stryd's first records): not a value
            values = np.where(values > 0, values, np.nan)
        out[column] = values
    if "footstrike_type" in out:
        strike = strike_from_footstrike_type(out["footstrike_type"])
        out["strike_pattern"] = strike
        out["strike_measured"] = strike != "unknown"
    return out


def device_step_provenance(provenance: dict, columns) -> dict[str, str]:
    """Where each device step column came from: ``"measured: <the channel's provenance>"``.

    Parameters
    ----------
    provenance : dict
        ``Recording.provenance``.
    columns : iterable of str
        The steps table's columns.

    Returns
    -------
    dict of str to str
    """
    out = {}
    present = set(columns)
    for channel, (column, _) in DEVICE_STEP_COLUMNS.items():
        if column not in present:
            continue
        sources = [provenance.get(name) for name in (channel, f"{channel}_left", f"{channel}_right")
                   if provenance.get(name)]
        if not sources:  # the column exists (as NaN) but no device channel fed it
            continue
        out[column] = "; ".join(sources) + " (the device's value at each step)"
    if "strike_measured" in present and "footstrike_type" in out:
        out["strike_pattern"] = ("measured: the device's footstrike type, 1-5 rearfoot, 6-10 midfoot, "
                                 "11-16 forefoot (RunScribe's scale)")
    return out
