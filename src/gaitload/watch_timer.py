"""When a watch's timer ran: the seconds of each record interval that count as timer time.

A watch's timer runs from its start to its stop button (or auto-pause) and writes records only
while it runs; an export keeps traces of it at three levels of precision: the laps' own timer
times (FIT ``lap.total_timer_time``, TCX ``Lap/TotalTimeSeconds``, to the millisecond), the FIT
timer start/stop events (whole seconds), and the recording gaps. :mod:`gaitload.totals` sums
what these functions give into the timer time and the lap and split tables.
"""

from __future__ import annotations

import numpy as np

from .recording import Recording

__all__ = ["timed_seconds", "timer_paused", "take_from_longest", "lap_stated_timed"]


def timer_paused(rec: Recording, start: np.ndarray, dt: np.ndarray) -> np.ndarray | None:
    """Which record intervals (start and length in s) fall in a timer pause (FIT stop..start
    events, ``metadata["pauses"]`` in s from the first record); None without timer events."""
    if not rec.metadata.get("timer_events"):
        return None
    paused = np.zeros(dt.size, dtype=bool)
    pauses = np.asarray(rec.metadata.get("pauses") or [], dtype=np.float64).reshape(-1, 2)
    if pauses.size:
        mid = start + 0.5 * dt
        # pauses are sorted and disjoint: the last one starting before each midpoint decides
        k = np.searchsorted(pauses[:, 0], mid, side="right") - 1
        paused = (k >= 0) & (mid < pauses[np.maximum(k, 0), 1])
    return paused


def timed_seconds(rec: Recording, dt: np.ndarray, gap: np.ndarray, paused: np.ndarray | None,
                  moving: np.ndarray) -> np.ndarray:
    """Seconds of each record interval the watch's timer ran (its sum is the timer time).

    * timer events in the file: every interval outside a stop..start pause;
    * a watch export without them (``placement == "records"``): every interval, a recording gap
      counting one median sample interval. A watch writes records while its timer runs and none
      while it is stopped (auto-pause or the stop button), so a gap is the pause and records at
      walking or standing speed are timed: on the data folder's files without timer events
      elapsed-minus-gaps is within 0.9 % of the device's timer time where moving time is 7 % and
      32 % short on two of them (``benchmarks/validate_totals.py``). The median interval is the
      watch's own resolution: the timer stopped somewhere inside the gap's first interval. A gap
      the device's own distance crossed at moving speed is timed whole (the watch counts no
      distance while its timer is stopped);
    * any other log (a raw IMU stream): moving time.

    Parameters
    ----------
    rec : Recording
    dt : numpy.ndarray
        Length of each record interval, s.
    gap, paused, moving : numpy.ndarray
        Per interval: a recording gap, inside a timer pause (None without timer events),
        moving (:mod:`gaitload.totals`).

    Returns
    -------
    numpy.ndarray
        Seconds per interval.
    """
    if paused is not None:
        return np.where(paused, 0.0, dt)
    if rec.placement == "records":
        if not gap.any():
            return dt.copy()
        step = float(np.median(dt[~gap])) if (~gap).any() else 0.0
        # a gap the device's distance crossed at moving speed was timed (``moving`` says which)
        return np.where(gap & ~moving, np.minimum(dt, step), dt)
    return np.where(moving, dt, 0.0)


def take_from_longest(values: np.ndarray, excess: float, floor: float) -> np.ndarray | None:
    """``values`` less ``excess`` in all, taken from the largest value down to ``floor``, then from
    the next largest; None when they hold less than ``excess`` above ``floor``.

    Examples
    --------
    >>> take_from_longest(np.array([2.0, 40.0, 20.0]), 30.0, 2.0).tolist()
    [2.0, 10.0, 20.0]
    """
    order = np.argsort(-values, kind="stable")
    room = np.maximum(values[order] - floor, 0.0)
    before = np.cumsum(room) - room  # what the larger values already gave
    if before[-1] + room[-1] < excess:
        return None
    out = values.copy()
    out[order] = values[order] - np.clip(excess - before, 0.0, room)
    return out


def lap_stated_timed(rec: Recording, start: np.ndarray, dt: np.ndarray, running: np.ndarray,
                     per_lap: bool = True) -> np.ndarray | None:
    """Seconds of each record interval the timer ran, where the file's laps state their timer time.

    A lap's timer time (FIT ``lap.total_timer_time``, TCX ``Lap/TotalTimeSeconds``) is the
    watch's own timer, to the millisecond, where records and timer events are whole seconds:
    on the data folder, a TCX written with smart recording (a record every 1-20 s) has 190.4 s
    of lap timer time in 222 s of records, and a FIT's start/stop events 46 s where its lap
    says 45.379 s (``benchmarks/validate_totals.py``). Within the laps that lie inside the
    recording, the seconds ``running`` counts beyond their stated time are taken from the
    longest record interval, down to the median record interval (the watch's resolution, as
    for a recording gap without laps), then from the next longest (a watch writes no records
    while its timer is stopped, so a pause sits in the longest interval, whole where it fits).
    Without timer events (a TCX) each lap is taken on its own, the laps being the only
    statement of where the pauses were; with them (``per_lap=False``) the events placed the
    pauses and the laps together only take off the sub-second rest: lap boundaries are whole
    seconds too, and trimming the laps a second over while leaving those a second under would
    bias the total low. Laps whose longest intervals do not hold the excess state less time
    than their records show running (another timer, or records lost), and ours stands; laps
    stating more than their records span keep the records' time.

    Parameters
    ----------
    rec : Recording
        ``metadata["device_laps"]`` (``start_epoch_s``, ``timer_time_s``, ``elapsed_time_s``).
    start, dt : numpy.ndarray
        Start (s from the first record) and length (s) of each record interval.
    running : numpy.ndarray
        Seconds of each interval the timer ran by the timer events (``dt`` without them).
    per_lap : bool
        Each lap on its own (no timer events), else all the laps together.

    Returns
    -------
    numpy.ndarray or None
        Timed seconds per interval, NaN outside the laps used; None when no lap's statement
        was used.
    """
    laps = [lap for lap in rec.metadata.get("device_laps") or ()
            if lap.get("start_epoch_s") is not None and lap.get("timer_time_s") is not None]
    if not laps or rec.start_time is None or dt.size == 0:
        return None
    t0 = rec.start_time.timestamp()
    t_end = float(start[-1] + dt[-1])
    step = float(np.median(dt))
    starts = np.array([lap["start_epoch_s"] - t0 for lap in laps], dtype=np.float64)
    elapsed = np.array([np.nan if lap.get("elapsed_time_s") is None else lap["elapsed_time_s"] for lap in laps])
    order = np.argsort(starts, kind="stable")
    starts, elapsed = starts[order], elapsed[order]
    stated = np.array([laps[i]["timer_time_s"] for i in order], dtype=np.float64)
    ends = np.where(np.isfinite(elapsed), starts + elapsed, np.append(starts[1:], t_end))
    # a lap counts only when it lies inside the recording (one record interval's slack)
    inside = (starts >= -step) & (ends <= t_end + step) & (stated > 0)
    if not inside.any():
        return None
    mid = start + 0.5 * dt
    k = np.searchsorted(starts, mid, side="right") - 1
    in_lap = (k >= 0) & (mid < ends[np.maximum(k, 0)]) & inside[np.maximum(k, 0)]
    if not in_lap.any():
        return None
    group = np.where(in_lap, k if per_lap else 0, -1)
    target = np.bincount(np.flatnonzero(inside) if per_lap else np.zeros(int(inside.sum()), dtype=np.int64),
                         weights=stated[inside], minlength=starts.size)
    out = np.full(dt.size, np.nan)
    by_group = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[by_group], np.arange(starts.size + 1), side="left")
    for j in np.flatnonzero(target > 0):  # one pass per lap (a run has tens), not per record
        idx = by_group[bounds[j]:bounds[j + 1]]
        values = running[idx]
        if idx.size == 0:
            continue
        if values.sum() <= target[j]:
            out[idx] = values  # the lap states no pause the records do not show
            continue
        trimmed = take_from_longest(values, float(values.sum() - target[j]), step)
        if trimmed is not None:
            out[idx] = trimmed
    return out if np.isfinite(out).any() else None
