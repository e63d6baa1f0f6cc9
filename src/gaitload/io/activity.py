"""Which activity of a watch file to read, and the clock and distance repairs inside one.

A file may hold several activities (FIT sessions, TCX ``Activity`` elements, GPX tracks hours
apart): each reader lists them as :func:`activity_row` dicts, :func:`gaitload.activities` shows
them, and :func:`choose_activity` picks the one to read. Inside one activity,
:func:`rebase_leading_clock` re-times a block of first samples whose clock was set late (when
the GPS fix came), :func:`backward_times` finds points dated before one already seen (dropped
so the track keeps its order), and :func:`zero_distance_across_breaks` counts no straight-line
distance across a break (:data:`~gaitload.io.watch.BREAK_GAP_S`).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from ..notice import Notice
from .watch import BREAK_GAP_S, MAX_ACTIVITY_SPAN_S
from .sport import sport_verdict, step_length_verdict

__all__ = ["ACTIVITY_GAP_S", "activity_row", "describe_start", "utc_offset_text", "choose_activity",
           "rebase_leading_clock", "zero_distance_across_breaks", "backward_times"]

#: GPX tracks further apart than this are separate activities, s (judgement: a runner's stop
#: for a drink or a traffic light lasts minutes, a second run of the day starts hours later).
ACTIVITY_GAP_S = 1800.0


def activity_row(sport: str | None, sub_sport: str | None = None, *, start_epoch_s: float | None = None,
                 elapsed_time_s: float | None = None, timer_time_s: float | None = None,
                 distance_m: float | None = None, median_speed_mps: float | None = None,
                 utc_offset_s: float | None = None, records: tuple | None = None) -> dict:
    """One activity of a file, as :func:`gaitload.activities` lists it (``activity`` is set later).

    Parameters
    ----------
    sport, sub_sport : str, optional
        As the file names them (FIT enums, TCX ``Activity@Sport``, GPX ``trk/type``).
    start_epoch_s : float, optional
        Start, POSIX s (UTC): the first record's time where the reader has it.
    elapsed_time_s, timer_time_s : float, optional
        The file's own elapsed and timer (moving) time, s.
    distance_m : float, optional
        The file's own distance, m.
    median_speed_mps : float, optional
        Decides ``on_foot`` when no sport is named (faster than any run: not on foot).
    utc_offset_s : float, optional
        The wearer's UTC offset where the file gives it, s (east positive): the activity list
        shows local times with it, else labels its times UTC.
    records : tuple of ndarray, optional
        ``(time_s, cadence_spm, distance_m)`` of the activity's records: an unnamed sport
        covering more than :data:`~gaitload.io.sport.MAX_STEP_M` per counted step is not on foot
        (:func:`~gaitload.io.sport.step_length_verdict`, the rule ``analyze`` applies).

    Returns
    -------
    dict
        ``sport`` (the name :func:`describe_sport` gives, else the raw value, else
        ``"unknown"``), ``on_foot`` (:func:`sport_verdict` is not False), ``named_on_foot``
        (a sport named on foot, preferred by :func:`choose_activity`), ``start_epoch_s``,
        ``elapsed_time_s``, ``timer_time_s``, ``distance_m`` (NaN where unknown),
        ``utc_offset_s`` (None where unknown).
    """
    verdict = sport_verdict(sport, sub_sport, median_speed_mps)
    if records is not None:
        verdict = step_length_verdict(verdict, *records)
    on_foot, label, _ = verdict
    raw = "" if sport is None else str(sport).strip().lower()
    name = label or raw or "unknown"

    def num(value):
        try:
            value = float(value)
        except (TypeError, ValueError):
            return float("nan")
        return value if np.isfinite(value) else float("nan")

    start = num(start_epoch_s)
    return {"sport": name, "on_foot": on_foot is not False, "named_on_foot": on_foot is True, "start_epoch_s": start,
            "elapsed_time_s": num(elapsed_time_s), "timer_time_s": num(timer_time_s), "distance_m": num(distance_m),
            "utc_offset_s": None if np.isnan(num(utc_offset_s)) else num(utc_offset_s)}


def describe_start(start_epoch_s: float, utc_offset_s: float | None = None) -> str:
    """A start time for people: local time with its offset where known, else labelled UTC.

    Parameters
    ----------
    start_epoch_s : float
        POSIX s (UTC).
    utc_offset_s : float, optional
        The wearer's UTC offset, s (east positive).

    Returns
    -------
    str
        ``"2015-08-29 09:14 local time (UTC+02:00)"`` or ``"2015-08-29 07:14 UTC"``.
    """
    stamp = pd.Timestamp(start_epoch_s, unit="s")
    if utc_offset_s is None or not np.isfinite(utc_offset_s):
        return f"{stamp:%Y-%m-%d %H:%M} UTC"
    local = stamp + pd.Timedelta(seconds=float(utc_offset_s))
    return f"{local:%Y-%m-%d %H:%M} local time ({_utc_label(utc_offset_s)})"


def utc_offset_text(utc_offset_s: float) -> str:
    """A UTC offset as clocks write it: ``"+02:00"``, ``"-05:30"``.

    Parameters
    ----------
    utc_offset_s : float
        Offset east of UTC, s (rounded to the minute).
    """
    minutes = int(round(utc_offset_s / 60.0))
    sign, minutes = ("+" if minutes >= 0 else "-"), abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _utc_label(utc_offset_s: float | None) -> str:
    if utc_offset_s is None or not np.isfinite(utc_offset_s):
        return "UTC"
    return "UTC" + utc_offset_text(utc_offset_s)


def _describe_rows(rows: Sequence[dict]) -> str:
    timed = [r for r in rows if not np.isnan(r["start_epoch_s"])]
    offsets = {r.get("utc_offset_s") for r in timed}
    if len(offsets) > 1:  # offsets differ (not seen in one file): each start says its own
        return ", ".join(f"{i} {r['sport']}" + ("" if np.isnan(r["start_epoch_s"]) else
                                                 f" at {describe_start(r['start_epoch_s'], r.get('utc_offset_s'))}")
                         for i, r in enumerate(rows))
    offset = offsets.pop() if offsets else None
    shift = 0.0 if offset is None else float(offset)
    text = ", ".join(f"{i} {r['sport']}" + ("" if np.isnan(r["start_epoch_s"]) else
                                             f" at {pd.Timestamp(r['start_epoch_s'] + shift, unit='s'):%Y-%m-%d %H:%M}")
                     for i, r in enumerate(rows))
    if not timed:
        return text
    return text + ("; times UTC" if offset is None else f"; local time, {_utc_label(offset)}")


def choose_activity(rows: Sequence[dict], activity, path=None) -> tuple[int, str | None]:
    """Which activity of a file to read, and the warning that says so.

    Parameters
    ----------
    rows : sequence of dict
        :func:`activity_row` per activity, in file order.
    activity : int or None
        The one asked for (0-based); None takes the first whose sport is named on foot, else the
        first not ruled out (``on_foot``), else the first.
    path : path-like, optional
        Named in the error.

    Returns
    -------
    index : int
    warning : Notice or None
        Set when the file holds more than one activity and none was asked for (code
        ``more-activities``).

    Raises
    ------
    OptionError
        ``activity`` is not one of the file's activities.
    """
    from ..errors import NotAnActivityError, OptionError

    n = len(rows)
    if n == 0:
        raise NotAnActivityError("the file holds no activity", path)
    if activity is not None:
        try:
            k = int(activity)
            if k != activity or isinstance(activity, bool):
                raise ValueError
        except (TypeError, ValueError):
            k = -1
        if not 0 <= k < n:
            raise OptionError(f"activity {activity!r} does not exist; the file holds {n} "
                              f"activit{'y' if n == 1 else 'ies'}: {_describe_rows(rows)}", path)
        return k, None
    if n == 1:
        return 0, None
    # a sport named on foot first (a leg the watch left "generic" is only a candidate after it)
    named = [i for i, r in enumerate(rows) if r.get("named_on_foot")]
    foot = named or [i for i, r in enumerate(rows) if r["on_foot"]]
    k = foot[0] if foot else 0
    # says which rule chose, so it agrees with the list's on_foot column (an unnamed leg is
    # on_foot there too, but a named run or walk is preferred to it)
    why = (", the first named running/walking activity" if named else
           ", the first whose records may be on foot (no foot sport named)" if foot else
           ", none is on foot")
    return k, Notice(f"the file holds {n} activities ({_describe_rows(rows)}); read activity {k} "
                     f"({rows[k]['sport']}){why}; choose another with activity=K (CLI: --activity K)",
                     "more-activities")


def rebase_leading_clock(epoch_s: np.ndarray, warnings: list[str]) -> np.ndarray:
    """Re-time a block of first samples whose clock is far from the rest (a device clock that
    jumps to the right time when the GPS fix arrives).

    The first samples keep their spacing and are moved to end one median sample interval before
    the first sample on the correct clock, so what they measured (distance, heart rate) is
    kept. Only a leading block is re-based; a stray far value elsewhere is left to
    :func:`build_recording`, which drops it.

    Parameters
    ----------
    epoch_s : ndarray
        Sample times, POSIX s (NaN where missing).
    warnings : list of str
        A warning is appended when samples are re-timed.

    Returns
    -------
    ndarray
        The times, re-based where needed (a new array; the input is not changed).
    """
    t = np.asarray(epoch_s, dtype=np.float64).copy()
    finite = np.flatnonzero(np.isfinite(t))
    if finite.size < 3:
        return t
    ft = t[finite]
    far = np.abs(ft - np.median(ft)) > MAX_ACTIVITY_SPAN_S / 2
    if not far[0] or far.all():
        return t
    first_ok = int(np.argmin(far))  # the first finite sample on the right clock
    if far[first_ok:].any():
        return t  # the far values are not one leading block: leave them to build_recording
    lead = finite[:first_ok]
    steps = np.diff(ft[first_ok:])
    step = float(np.median(steps[steps > 0])) if np.any(steps > 0) else 1.0
    shift = ft[first_ok] - step - ft[first_ok - 1]
    t[lead] = ft[:first_ok] + shift
    warnings.append(Notice(f"the device clock jumped by {abs(shift) / 86400:.1f} days after the first {lead.size} "
                    "sample(s) (a clock set when the GPS fix came); those samples were re-timed to lead up to "
                    "the rest, not dropped", "time-jump"))
    return t


def zero_distance_across_breaks(epoch_s: np.ndarray, distance_m: np.ndarray,
                                break_s: float = BREAK_GAP_S) -> tuple[np.ndarray, int]:
    """A cumulative distance that does not grow across a break (> ``break_s`` between samples).

    For distances a reader derives from positions: the straight line between the fixes
    on both sides of a long gap is not a distance run.

    Returns
    -------
    distance_m : ndarray
        Cumulative distance, m (NaN where the input is NaN).
    n_breaks : int
        How many breaks removed distance.
    """
    t = np.asarray(epoch_s, dtype=np.float64)
    d = np.asarray(distance_m, dtype=np.float64)
    ok = np.flatnonzero(np.isfinite(t) & np.isfinite(d))
    if ok.size < 2:
        return d, 0
    inc = np.diff(d[ok])
    cut = (np.diff(t[ok]) > break_s) & (inc > 0)
    if not cut.any():
        return d, 0
    inc[cut] = 0.0
    out = d.copy()
    out[ok] = d[ok[0]] + np.concatenate([[0.0], np.cumsum(inc)])
    # samples without a distance keep carrying the previous value, as before
    idx = np.where(np.isfinite(out), np.arange(out.size), 0)
    np.maximum.accumulate(idx, out=idx)
    filled = out[idx]
    filled[: ok[0]] = np.nan
    return filled, int(cut.sum())


def backward_times(epoch_s: np.ndarray, usable: np.ndarray | None = None) -> np.ndarray:
    """Mask of the samples dated before a sample already seen in file order (a clock that
    steps back). Dropping them keeps the track order, where sorting by time would send the
    runner back and forth along the track.

    Parameters
    ----------
    epoch_s : ndarray
        Sample times in file order, s (NaN: no time).
    usable : ndarray of bool, optional
        Only these samples count, as the ones seen and as candidates.

    Returns
    -------
    ndarray of bool
        True where a sample is dated before the latest time seen so far.
    """
    t = np.asarray(epoch_s, dtype=np.float64)
    ok = np.isfinite(t) if usable is None else (np.asarray(usable, dtype=bool) & np.isfinite(t))
    back = np.zeros(t.size, dtype=bool)
    idx = np.flatnonzero(ok)
    if idx.size < 2:
        return back
    seen = np.maximum.accumulate(t[idx])
    back[idx[1:]] = t[idx[1:]] < seen[:-1]
    return back
