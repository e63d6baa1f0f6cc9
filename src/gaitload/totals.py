"""The totals a watch app shows, computed from the records, beside the device's own.

A runner checks a run against the watch first: timer time, distance, pace, average cadence,
heart rate. This module computes those from the recording the way watches define them and puts
the file's own session totals (``Recording.metadata["device_totals"]``, written by the readers)
beside them, with a warning naming any of ours that differs by more than 3 % (10 % for ascent)
and why. It also builds the laps and per-kilometre splits tables.

Definitions (as Garmin documents its activity summary fields):

* elapsed time: first to last record;
* timer time: where the file's laps state their timer time (FIT ``lap.total_timer_time``,
  TCX ``Lap/TotalTimeSeconds``, the watch's own timer to the millisecond), that, with each
  lap's pauses placed in its longest record interval
  (:func:`gaitload.watch_timer.lap_stated_timed`); otherwise
  elapsed time minus the pauses between timer stop and start events (FIT ``event`` messages);
  a watch export without either: elapsed time minus its recording gaps (a watch writes no
  records while its timer is stopped); a raw IMU log: its moving time;
* moving time: the record intervals outside a timer pause that move at :data:`MOVING_SPEED_MPS`
  or more (by cadence above :data:`MOVING_CADENCE_SPM` where there is no speed; the sum of the
  step times where there is neither, as in a raw IMU log); a recording gap
  (``Recording.gaps_s``) counts only where the device's own distance advanced across it at that
  speed (a watch's "smart recording" writes a record every few seconds while the runner keeps on);
* average cadence: the records' cadence averaged over the timer time, standing still at 0
  (the watch's timer ran and it saw no step). Watches differ here: on the data folder a
  Forerunner 220 and a 955 average this way (43 and 25 steps/min on two short files that are
  mostly standing: ours 42 and 25; over moving time it would be 65 and 109), and the ten other
  files with a device average agree with it within 2.2 %, most of them closer than over the
  moving time (a Forerunner 255: 0.03 % against 0.22 %; a Fenix 2: 0.05 % against 0.54 %); a
  Forerunner 70 with a foot pod leaves standing out (176 steps/min; ours 164). No one definition gives every file's average; the timer-time one gives 12 of 13, so it
  is ours, and ``avg_cadence_moving_spm`` (over the moving time, standing left out) is the
  other, named in the warning when it is the device's. ``summary["cadence_spm"]`` stays the per-step median;
* average speed: distance over timer time (hence pace); average heart rate and power: time
  averages over the timer time; maximum heart rate: the highest record.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from .events.records import STANDSTILL_SPEED_MPS
from .io.csv_records import MOVING_CADENCE_MIN
from .notice import Notice, codes_of
from .recording import Recording
from .schema import MUSCLES, float_column
from .watch_timer import lap_stated_timed, timed_seconds, timer_paused

__all__ = ["add_watch_totals", "run_totals", "timer_label", "watch_distance", "device_differences", "lap_table", "split_table", "MOVING_SPEED_MPS",
           "MOVING_CADENCE_SPM", "TOLERANCE", "local_time", "format_duration"]

#: Slower than this a record is standing still: the stand-still speed of
#: :mod:`gaitload.events.records` (0.5 m/s, judgement: slower than any walk).
MOVING_SPEED_MPS = STANDSTILL_SPEED_MPS
#: Cadence at or below this is standing or coasting (the readers' moving-cadence floor, judgement).
MOVING_CADENCE_SPM = MOVING_CADENCE_MIN
#: ``timer_time_source`` of a log without a timer (an IMU recording): its timer time is the
#: time spent moving, and :func:`timer_label` names it so.
MOVING_AS_TIMER = "moving time (the file has no timer events)"

#: A first distance record at most this far from zero is distance the watch counted before its
#: first record (the fix came late), so laps count from zero; beyond it the distance ran on from
#: an earlier leg of a multisport file (m, judgement).
FIRST_RECORD_MAX_M = 100.0
#: Relative difference from the device's own total above which a warning names it: 3 % for
#: distance, time, cadence, speed and heart rate (judgement: both sides read the same records,
#: so more than that is a different definition or lost records, worth a line), 10 % for ascent
#: and descent (total ascent depends on the averaging chosen, the "coastline effect", and
#: devices differ by a few % to 5 % before any such choice: Menaspà 2016, Rapaport, literature.md 4.3).
TOLERANCE = {"distance_m": 0.03, "timer_time_s": 0.03, "elapsed_time_s": 0.03, "avg_cadence_spm": 0.03,
             "avg_speed_mps": 0.03, "avg_heart_rate": 0.03, "max_heart_rate": 0.03, "avg_power_w": 0.03,
             "ascent_m": 0.10, "descent_m": 0.10}
#: Why ours may differ from the device's, per quantity (shown in the warning).
_WHY = {
    "distance_m": "ours is the file's last distance record (or the GPS track where it has none); the watch "
                  "may correct its total afterwards (footpod calibration, GPS smoothing)",
    "timer_time_s": "",  # filled in by the source of our timer time
    "elapsed_time_s": "ours runs from the first to the last record kept",
    "avg_cadence_spm": "ours is the time average of the records' cadence over the timer time, standing still at 0",
    "avg_speed_mps": "ours is our distance over our timer time",
    "avg_heart_rate": "ours is the time average of the heart-rate records over the timer time",
    "max_heart_rate": "ours is the highest heart-rate record",
    "avg_power_w": "ours is the time average of the power records over the timer time",
    "ascent_m": "ours counts climbs of at least the terrain hysteresis on the smoothed profile; the watch uses "
                "its own filter",
    "descent_m": "ours counts descents of at least the terrain hysteresis on the smoothed profile; the watch "
                 "uses its own filter",
}
#: Differences smaller than this are never reported, whatever their share: a 2 m ascent against
#: 0 m, 10 s on a 1-minute file (judgement: below what a watch face shows as a change).
_ABS_FLOOR = {"distance_m": 20.0, "timer_time_s": 10.0, "elapsed_time_s": 10.0, "avg_cadence_spm": 2.0,
              "avg_speed_mps": 0.05, "avg_heart_rate": 2.0, "max_heart_rate": 2.0, "avg_power_w": 5.0,
              "ascent_m": 5.0, "descent_m": 5.0}
_LABEL = {"distance_m": ("distance", 1e-3, ".2f", " km"), "timer_time_s": ("timer time", 1 / 60, ".1f", " min"),
          "elapsed_time_s": ("elapsed time", 1 / 60, ".1f", " min"),
          "avg_cadence_spm": ("average cadence", 1, ".0f", " steps/min"),
          "avg_speed_mps": ("average speed", 1, ".2f", " m/s"),
          "avg_heart_rate": ("average heart rate", 1, ".0f", "/min"),
          "max_heart_rate": ("maximum heart rate", 1, ".0f", "/min"), "avg_power_w": ("average power", 1, ".0f", " W"),
          "ascent_m": ("ascent", 1, ".0f", " m"), "descent_m": ("descent", 1, ".0f", " m")}


def _quiet(func):
    """Run ``func`` with numpy's invalid/overflow warnings off: a channel holding +-inf (a garbled
    record) gives NaN totals, which the outputs show as unknown, not a warning per operation."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            return func(*args, **kwargs)
    return wrapper


@_quiet
def _intervals(rec: Recording) -> dict[str, np.ndarray]:
    """Per record interval (record i to i+1): start, length, and whether it is a gap, paused by the
    timer, moving, and the interval means of cadence, heart rate, power (NaN where missing)."""
    t = rec.time_s
    dt = np.diff(t)
    start = t[:-1]
    gap = np.zeros(dt.size, dtype=bool)
    if len(rec.gaps_s):
        # an interval whose start is a gap's start spans the pause (as the cadence integral has it)
        idx = np.searchsorted(t, np.asarray(rec.gaps_s)[:, 0])
        gap[idx[idx < dt.size]] = True
    paused = timer_paused(rec, start, dt)

    def mean_of(name):
        values = rec.channels.get(name)
        if values is None:
            return None
        return 0.5 * (values[:-1] + values[1:])

    # speed is terrain's to derive: the file's speed, else the derivative of terrain's distance
    from .terrain.distance import recording_speed

    per_sample, _ = recording_speed(rec)
    speed = None if per_sample is None else 0.5 * (per_sample[:-1] + per_sample[1:])
    cadence = mean_of("cadence")
    if speed is not None:
        moving = np.nan_to_num(speed) >= MOVING_SPEED_MPS
        if cadence is not None:  # a record without speed (a lost GPS fix) moves by its cadence
            moving |= np.isnan(speed) & (np.nan_to_num(cadence) > MOVING_CADENCE_SPM)
    elif cadence is not None and np.isfinite(cadence).any():
        moving = np.nan_to_num(cadence) > MOVING_CADENCE_SPM
    else:
        moving = np.ones(dt.size, dtype=bool)
    by_default = speed is None and (cadence is None or not np.isfinite(cadence).any())
    moving &= ~gap
    dist = rec.channels.get("distance")
    if gap.any() and rec.placement == "records" and dist is not None and rec.metadata.get("distance_source") == "device":
        # a watch recording only when something changes ("smart recording") leaves gaps while the
        # runner keeps going: the device's own distance advancing at moving speed across a gap says
        # so (a watch counts no distance while its timer is stopped)
        moving |= gap & (np.nan_to_num(np.diff(dist)) >= MOVING_SPEED_MPS * dt)
    if paused is not None:
        moving &= ~paused
    timed = timed_seconds(rec, dt, gap, paused, moving)
    stated = lap_stated_timed(rec, start, dt, dt if paused is None else np.where(paused, 0.0, dt),
                              per_lap=paused is None)
    laps_state_timer = stated is not None
    if laps_state_timer:
        timed = np.where(np.isfinite(stated), stated, timed)
    return {"start": start, "dt": dt, "gap": gap, "paused": paused, "moving": moving, "cadence": cadence,
            "heart_rate": mean_of("heart_rate"), "power": mean_of("power"), "by_default": by_default,
            "timed": timed, "laps_state_timer": laps_state_timer}


def _time_mean(values: np.ndarray | None, dt: np.ndarray, mask: np.ndarray) -> float | None:
    """Mean of the interval ``values`` weighted by the seconds ``dt``, over ``mask``."""
    if values is None:
        return None
    ok = mask & np.isfinite(values) & (dt > 0)
    weight = float(dt[ok].sum())
    return float((values[ok] * dt[ok]).sum() / weight) if weight > 0 else None


def local_time(rec: Recording) -> tuple[str | None, float | None, str | None]:
    """The start time in the activity's local time, where the file says it or its position does.

    The file's own offset wins (FIT ``activity.local_timestamp``, a non-zero UTC offset written
    after a CSV's datetimes); otherwise, when the optional
    ``timezonefinder`` package is installed (``pip install gaitload[timezone]``: an offline
    time-zone map, no network), the time zone at the first recorded position gives it.

    Returns
    -------
    (iso_text, utc_offset_s, source)
        ISO 8601 text with its offset, the offset in seconds, and where it came from; all None
        when neither the file nor the position gives a local time.
    """
    from datetime import timedelta, timezone

    if rec.start_time is None:
        return None, None, None
    offset = rec.metadata.get("utc_offset_s")
    source = rec.metadata.get("utc_offset_source", "fit activity.local_timestamp")
    if offset is None:
        offset, source = _offset_from_position(rec)
    if offset is None:
        return None, None, None
    zone = timezone(timedelta(seconds=float(offset)))
    return rec.start_time.tz_convert(zone).isoformat(), float(offset), source


def _offset_from_position(rec: Recording) -> tuple[float | None, str | None]:
    """UTC offset (s) at the start, from the time zone of the first position; (None, None) without
    a position or without the optional ``timezonefinder`` package."""
    lat, lon = rec.channels.get("latitude"), rec.channels.get("longitude")
    if lat is None or lon is None:
        return None, None
    ok = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    if ok.size == 0:
        return None, None
    finder = _time_zone_finder()
    if finder is None:
        return None, None
    name = finder.timezone_at(lat=float(lat[ok[0]]), lng=float(lon[ok[0]]))
    if not name or name.startswith("Etc/"):
        # no land zone (an "Etc/GMT" sea zone): a bad fix, such as 0 deg, 0 deg, more likely than a run at sea
        return None, None
    from zoneinfo import ZoneInfo

    offset = rec.start_time.tz_convert(ZoneInfo(name)).utcoffset()
    return (None, None) if offset is None else (offset.total_seconds(), f"time zone {name} at the first position")


@functools.lru_cache(maxsize=1)
def _time_zone_finder():
    """The offline time-zone map, built once per process (~0.5 s); None when not installed."""
    try:
        from timezonefinder import TimezoneFinder
    except ImportError:
        return None
    return TimezoneFinder()


@_quiet
def run_totals(rec: Recording, steps: pd.DataFrame, distance_m: float, cadence_estimated: bool) -> dict:
    """The totals a watch app shows, computed from the records.

    Parameters
    ----------
    rec : Recording
        The recording analysed.
    steps : pandas.DataFrame
        The steps table (``time_s``), for the average cadence of a recording without a cadence
        channel.
    distance_m : float
        Our distance, m (``summary["distance_m"]``).
    cadence_estimated : bool
        The steps come from a stand-in cadence (no cadence channel): the average is labelled so.

    Returns
    -------
    dict
        ``elapsed_time_s``, ``timer_time_s``, ``timer_time_source``, ``moving_time_s``,
        ``avg_cadence_spm`` (a measured cadence over the whole timer time, standing at 0; from
        the steps over the moving time without one), ``avg_cadence_moving_spm`` (the measured
        cadence over the moving time, standing left out; None without a cadence channel),
        ``cadence_source``
        (``"measured"``, ``"from steps"`` or
        ``"estimated"``), ``avg_speed_mps``, ``avg_pace_s_per_km``, ``avg_heart_rate``,
        ``max_heart_rate``, ``avg_power_w`` (None where not recorded), ``local_start_time``,
        ``utc_offset_s``, ``local_time_source``.
    """
    iv = _intervals(rec)
    dt = iv["dt"]
    elapsed = float(rec.time_s[-1] - rec.time_s[0])
    moving_time = float(iv["timed"][iv["moving"]].sum())  # never more than the timer ran
    step_time = float_column(steps, "step_time_s")
    by_steps = iv["by_default"] and np.isfinite(step_time).any()
    if by_steps:
        # an IMU log with neither speed nor cadence: moving is stepping (the step times, which
        # leave out stops longer than a step; gaitload.events)
        moving_time = float(np.nansum(step_time))
    running = iv["timed"] > 0
    if iv["laps_state_timer"]:
        timer = float(iv["timed"].sum())
        timer_source = ("timer start/stop events of the file, to the millisecond of its lap timer times"
                        if iv["paused"] is not None else
                        "lap timer times of the file (its pauses placed in each lap's longest record interval)")
    elif iv["paused"] is not None:
        timer = float(iv["timed"].sum())
        timer_source = "timer start/stop events of the file"
    elif rec.placement == "records":
        timer = float(iv["timed"].sum())
        timer_source = "records less the recording gaps (the file has no timer events)"
    else:
        running = iv["moving"]
        timer = moving_time
        timer_source = MOVING_AS_TIMER
    cadence = iv["cadence"]
    cad_moving = None
    if cadence is not None and np.isfinite(cadence).any() and not cadence_estimated:
        cad_moving = _time_mean(cadence, iv["timed"], iv["moving"])
        avg_cad = _time_mean(cadence, iv["timed"], np.ones(dt.size, dtype=bool))
        if avg_cad is None:
            avg_cad = cad_moving
        cad_source = "measured"
    elif by_steps:
        avg_cad = 60.0 * float(np.isfinite(step_time).sum()) / moving_time if moving_time > 0 else None
        cad_source = "estimated" if cadence_estimated else "from steps"
    else:
        step_t = float_column(steps, "time_s")
        in_moving = np.zeros(step_t.size, dtype=bool)
        if step_t.size and dt.size:
            k = np.clip(np.searchsorted(iv["start"], step_t, side="right") - 1, 0, dt.size - 1)
            in_moving = iv["moving"][k]
        avg_cad = 60.0 * float(in_moving.sum()) / moving_time if moving_time > 0 and step_t.size else None
        cad_source = "estimated" if cadence_estimated else "from steps"
    speed = distance_m / timer if timer > 0 and distance_m is not None and np.isfinite(distance_m) else None
    hr = rec.channels.get("heart_rate")
    hr_max = float(np.nanmax(hr)) if hr is not None and np.isfinite(hr).any() else None
    local_text, offset, local_source = local_time(rec)
    return {
        "elapsed_time_s": elapsed,
        "timer_time_s": timer,
        "timer_time_source": timer_source,
        "moving_time_s": moving_time,
        "avg_cadence_spm": avg_cad,
        "avg_cadence_moving_spm": cad_moving,
        "cadence_source": cad_source,
        "avg_speed_mps": speed,
        "avg_pace_s_per_km": 1000.0 / speed if speed else None,
        "avg_heart_rate": _time_mean(iv["heart_rate"], dt, running),
        "max_heart_rate": hr_max,
        "avg_power_w": _time_mean(iv["power"], dt, running),
        "local_start_time": local_text,
        "utc_offset_s": offset,
        "local_time_source": local_source,
    }


def device_differences(ours: dict, device: dict | None, timer_source: str = "", damaged: bool = False) -> list[str]:
    """Warnings naming each of our totals that differs from the device's own by more than
    :data:`TOLERANCE`, with the reason it may.

    Parameters
    ----------
    ours : dict
        Our totals, keys as in :data:`TOLERANCE` (``ascent_m``/``descent_m`` included).
    device : dict or None
        ``Recording.metadata["device_totals"]``.
    timer_source : str
        How our timer time was found (``run_totals``'s ``timer_time_source``).
    damaged : bool
        The reader kept only the records before damage in the file: every reason then says
        that the device's totals still count the records lost.

    Returns
    -------
    list of str
        One warning per quantity over its tolerance, in :data:`TOLERANCE` order.
    """
    if not device:
        return []
    out = []
    for key, tol in TOLERANCE.items():
        a, b = ours.get(key), device.get(key)
        if a is None or b is None or not np.isfinite(a) or not np.isfinite(b) or b <= 0:
            continue
        rel = (a - b) / b
        if abs(rel) <= tol or abs(a - b) < _ABS_FLOOR[key]:
            continue
        name, scale, spec, unit = _LABEL[key]
        why = _WHY[key] or f"ours is the {timer_source}"
        moving = ours.get("avg_cadence_moving_spm")
        if key == "avg_cadence_spm" and _known(moving) and abs(moving - b) <= tol * b:
            why = (f"the device's average leaves out the time standing still (over the moving time ours is "
                   f"{moving:.0f} steps/min); ours counts standing at 0 over the timer time, as most watches do")
        # one decimal near the tolerance, so "10.4 %" over a 10 % limit does not read "10 %"
        share = f"{abs(100 * rel):.0f}" if abs(rel) >= 2 * tol else f"{abs(100 * rel):.1f}"
        if damaged:  # one reason for all: one line
            out.append(f"{name} {a * scale:{spec}}{unit} against {b * scale:{spec}}{unit}")
            continue
        out.append(Notice(f"{name} {a * scale:{spec}}{unit} is {share} % {'above' if rel > 0 else 'below'} the "
                          f"device's own {b * scale:{spec}}{unit} ({device.get('source', 'file')}): {why}",
                          "device-totals"))
    if damaged and out:
        return [Notice(f"the device's own totals ({device.get('source', 'file')}) count the records lost to the "
                       "damage in the file: " + ", ".join(out), "device-totals")]
    return out


#: Columns of the laps and splits tables (after ``lap`` / ``split``).
WINDOW_COLUMNS = ("start_s", "end_s", "elapsed_time_s", "timer_time_s", "distance_m", "pace_s_per_km", "gain_m",
                  "loss_m", "mean_grade_pct", "avg_cadence_spm", "avg_heart_rate", "avg_power_w", "n_steps",
                  "load_total") + tuple(f"load_{m}" for m in MUSCLES)


def _empty(first: str, extra: tuple = ()) -> pd.DataFrame:
    """A laps or splits table with its columns and no rows (a file without laps or distance)."""
    return pd.DataFrame({c: pd.Series(dtype="int64" if c in (first, "n_steps") else "float64")
                         for c in (first,) + WINDOW_COLUMNS + extra})


@_quiet
def _window_table(rec: Recording, steps: pd.DataFrame, profile: pd.DataFrame, bounds_s: np.ndarray,
                  watch_distance: bool = False) -> pd.DataFrame:
    """Aggregate records, profile and steps into the time windows ``[bounds_s[k], bounds_s[k+1])``.

    Distance per window from the file's distance records when ``watch_distance`` (laps, to
    compare with the watch's), else along the analysed profile (splits).

    One ``np.bincount`` per quantity: linear in records + steps + profile points.
    """
    k_win = bounds_s.size - 1
    iv = _intervals(rec)
    dt = iv["dt"]
    t = rec.time_s

    def window_of(times):
        k = np.searchsorted(bounds_s, times, side="right") - 1
        return np.where((k >= 0) & (k < k_win), k, k_win)  # k_win collects what lies outside

    def total(idx, weights):
        return np.bincount(idx, weights=weights, minlength=k_win + 1)[:k_win]

    # record intervals, by their midpoints, which strictly increase (as Recording.time_s does):
    # window k holds the intervals [edges[k], edges[k + 1]), no per-record window index needed
    edges = np.searchsorted(iv["start"] + 0.5 * dt, bounds_s, side="left")

    def record_total(weights):
        sums = np.add.reduceat(np.append(weights, 0.0), edges)[:k_win]
        return np.where(edges[1:] > edges[:-1], sums, 0.0)  # reduceat gives an element for an empty window

    def timed_total(mask):
        """Seconds of the intervals where ``mask`` holds, per window: where it holds throughout
        (an IMU log: always moving, never paused) a difference of two times, not a sum."""
        if mask.all():
            return t[edges[1:]] - t[edges[:-1]]
        return record_total(np.where(mask, dt, 0.0))

    running = iv["timed"] > 0
    timer = record_total(iv["timed"])
    table = {"start_s": bounds_s[:-1], "end_s": bounds_s[1:], "elapsed_time_s": np.diff(bounds_s),
             "timer_time_s": timer}
    dist = rec.channels.get("distance")
    if watch_distance and dist is not None and np.isfinite(dist).sum() >= 2:
        # the file's own distance records, counted from the watch's zero (as its laps are)
        ok = np.isfinite(dist)
        d_at = np.interp(bounds_s, rec.time_s[ok], np.maximum.accumulate(dist[ok]))
        # a first record a few tens of metres in (the fix came after the start) still counts from
        # the watch's zero; a later leg of a multisport file whose distance runs on across legs
        # counts from its own first record (100 m: judgement, above any first-fix delay)
        if bounds_s[0] <= rec.time_s[0] and dist[ok][0] <= FIRST_RECORD_MAX_M:
            d_at[0] = 0.0
        table["distance_m"] = np.diff(d_at)
    elif len(profile) and "distance_m" in profile:
        # distance along the analysed profile (the distance the summary reports)
        d_at = np.interp(bounds_s, float_column(profile, "time_s"), float_column(profile, "distance_m"))
        table["distance_m"] = np.diff(d_at)
    else:
        table["distance_m"] = np.full(k_win, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["pace_s_per_km"] = np.where(table["distance_m"] > 0, 1000.0 * timer / table["distance_m"], np.nan)
    if len(profile) and "altitude_m" in profile and np.isfinite(float_column(profile, "altitude_m")).sum() >= 2:
        pt = float_column(profile, "time_s")
        alt = float_column(profile, "altitude_m")
        ok = np.isfinite(alt) & np.isfinite(pt)
        # climb from the profile the summary's total is counted on (cleaned of swings smaller than
        # the hysteresis), so that the windows add up to it; the smoothed altitude's every small
        # rise would count noise the total leaves out
        # (a step next to a gap of the profile counts nothing, as in the total)
        if "gain_altitude_m" in profile:
            step_alt = np.nan_to_num(np.diff(float_column(profile, "gain_altitude_m")))
            w_pt = window_of(np.nan_to_num(pt[1:], nan=-np.inf))
        else:
            step_alt = np.diff(alt[ok])
            w_pt = window_of(pt[ok][1:])
        table["gain_m"] = total(w_pt, np.clip(step_alt, 0, None))
        table["loss_m"] = total(w_pt, np.clip(-step_alt, 0, None))
        pt, alt = pt[ok], alt[ok]
        a_at = np.interp(bounds_s, pt, alt)
        with np.errstate(divide="ignore", invalid="ignore"):
            table["mean_grade_pct"] = np.where(table["distance_m"] > 0,
                                               100.0 * np.diff(a_at) / table["distance_m"], np.nan)
    else:
        for col in ("gain_m", "loss_m", "mean_grade_pct"):
            table[col] = np.full(k_win, np.nan)
    for name, values, mask in (("avg_cadence_spm", iv["cadence"], None), ("avg_heart_rate", iv["heart_rate"], running),
                               ("avg_power_w", iv["power"], running)):
        if values is None:
            table[name] = np.full(k_win, np.nan)
            continue
        if mask is None:  # cadence: the run's average, over the timed seconds moving
            ok = iv["moving"] & np.isfinite(values)
            seconds = np.where(ok, iv["timed"], 0.0)
            weight = record_total(seconds)
            with np.errstate(divide="ignore", invalid="ignore"):
                table[name] = np.where(weight > 0, record_total(np.where(ok, values * seconds, 0.0)) / weight, np.nan)
            continue
        ok = mask & np.isfinite(values)
        weight = timed_total(ok)
        with np.errstate(divide="ignore", invalid="ignore"):
            table[name] = np.where(weight > 0, record_total(np.where(ok, values * dt, 0.0)) / weight, np.nan)
    step_t = float_column(steps, "time_s")
    w_st = window_of(step_t)
    table["n_steps"] = total(w_st, np.ones(step_t.size)).astype(np.int64)
    if "avg_cadence_spm" in table and not np.isfinite(table["avg_cadence_spm"]).any():
        with np.errstate(divide="ignore", invalid="ignore"):
            moving = timed_total(iv["moving"])
            table["avg_cadence_spm"] = np.where(moving > 0, 60.0 * table["n_steps"] / moving, np.nan)
    for muscle in ("total",) + MUSCLES:
        col = f"load_{muscle}"
        table[col] = total(w_st, np.nan_to_num(float_column(steps, col)))
    return pd.DataFrame(table)


_DEVICE_LAP_COLUMNS = ("device_distance_m", "device_timer_time_s")


def lap_table(rec: Recording, steps: pd.DataFrame, profile: pd.DataFrame) -> pd.DataFrame:
    """One row per device lap (``Recording.metadata["device_laps"]``): ours over the lap's time
    span, with the device's own lap distance and timer time beside them.

    Returns
    -------
    pandas.DataFrame
        ``lap``, ``start_s``, ``end_s``, ``elapsed_time_s``, ``timer_time_s``, ``distance_m``,
        ``pace_s_per_km``, ``gain_m``, ``loss_m``, ``mean_grade_pct``, ``avg_cadence_spm``,
        ``avg_heart_rate``, ``avg_power_w``, ``n_steps``, ``load_total``, ``load_<muscle>``,
        ``device_distance_m``, ``device_timer_time_s``; no rows when the file has no laps.
    """
    laps = [lap for lap in rec.metadata.get("device_laps") or () if lap.get("start_epoch_s") is not None]
    if not laps or rec.start_time is None:
        return _empty("lap", _DEVICE_LAP_COLUMNS)
    t0 = rec.start_time.timestamp()
    end = float(rec.time_s[-1])
    starts = np.array([lap["start_epoch_s"] - t0 for lap in laps])
    elapsed = np.array([lap.get("elapsed_time_s") or np.nan for lap in laps])
    ends = np.where(np.isfinite(elapsed), starts + elapsed, np.append(starts[1:], end))
    inside = (ends > 0) & (starts < end)  # laps of other sessions of a multisport file lie outside
    if not inside.any():
        return _empty("lap", _DEVICE_LAP_COLUMNS)
    starts, ends = np.clip(starts[inside], 0, end), np.clip(ends[inside], 0, end)
    bounds = np.append(starts, ends[-1])
    bounds = np.maximum.accumulate(bounds)
    table = _window_table(rec, steps, profile, bounds, watch_distance=True)
    kept = [lap for lap, keep in zip(laps, inside) if keep]
    table.insert(0, "lap", np.arange(1, len(kept) + 1))
    table["device_distance_m"] = [np.nan if lap.get("distance_m") is None else lap["distance_m"] for lap in kept]
    table["device_timer_time_s"] = [np.nan if lap.get("timer_time_s") is None else lap["timer_time_s"] for lap in kept]
    return table


@_quiet
def split_table(rec: Recording, steps: pd.DataFrame, profile: pd.DataFrame, split_m: float = 1000.0) -> pd.DataFrame:
    """Per-kilometre splits (the last one shorter): where the analysed distance crosses each
    multiple of ``split_m``.

    Returns
    -------
    pandas.DataFrame
        ``split`` (1, 2, ...) and the columns of :func:`lap_table` without the device's; no
        rows without a distance.
    """
    if not len(profile) or "distance_m" not in profile:
        return _empty("split")
    pd_m = float_column(profile, "distance_m")
    pt = float_column(profile, "time_s")
    ok = np.isfinite(pd_m) & np.isfinite(pt)
    if ok.sum() < 2:
        return _empty("split")
    pd_m, pt = np.maximum.accumulate(pd_m[ok]), pt[ok]
    total = float(pd_m[-1] - pd_m[0])
    if total <= 0:
        return _empty("split")
    marks = pd_m[0] + np.arange(split_m, total, split_m)
    # the first time the distance reaches each mark (a flat stretch while paused is skipped)
    idx = np.searchsorted(pd_m, marks, side="left")
    lo = np.clip(idx - 1, 0, pd_m.size - 1)
    hi = np.clip(idx, 0, pd_m.size - 1)
    span = pd_m[hi] - pd_m[lo]
    frac = np.where(span > 0, (marks - pd_m[lo]) / np.where(span > 0, span, 1.0), 0.0)
    cross = pt[lo] + frac * (pt[hi] - pt[lo])
    bounds = np.concatenate([[0.0], cross, [float(rec.time_s[-1])]])
    table = _window_table(rec, steps, profile, np.maximum.accumulate(bounds))
    table.insert(0, "split", np.arange(1, len(table) + 1))
    return table


def watch_distance(rec: Recording) -> float | None:
    """The distance the watch shows: its own cumulative distance records, last minus first, m.

    The device's distance channel is its measurement (GPS filtered by the watch, or a foot pod)
    and its session total is where that channel ends: on the data folder's FIT and TCX runs
    the last record is within 0.1 % of the session's ``total_distance``. It counts what the
    device counted across a break of more than :data:`gaitload.io.watch.BREAK_GAP_S` and every
    jump its filter let through, both of which the terrain profile leaves out (no straight-line
    distance across a break, jumps faster than a run capped), so the summary reports this one
    and the profile keeps its own. A distance that runs backwards (a reset, a repaired clock)
    counts from its running maximum.

    Returns
    -------
    float or None
        Metres; None when the distance channel is not the device's (summed from positions) or
        has fewer than two values.
    """
    dist = rec.channels.get("distance")
    if dist is None or rec.metadata.get("distance_source") != "device":
        return None
    ok = np.isfinite(dist)
    if ok.sum() < 2:
        return None
    d = np.maximum.accumulate(dist[ok])
    return float(d[-1] - d[0])


def add_watch_totals(summary: dict, rec: Recording, steps: pd.DataFrame, placement: str) -> dict:
    """Add the watch-style totals, the device's own totals and the differences to ``summary``.

    Keys added: those of :func:`run_totals`, ``device_totals`` (the file's own session totals,
    or None) and, in ``provenance``, ``"totals"``. A warning per quantity over
    :data:`TOLERANCE` is appended to ``summary["warnings"]``; an estimated cadence gets one too.

    Returns
    -------
    dict
        ``summary``, changed in place.
    """
    estimated = placement == "records" and not rec.has("cadence") and len(steps) > 0
    device_distance = watch_distance(rec)
    if device_distance is not None:
        profile_distance = summary.get("distance_m")
        summary["distance_m"] = device_distance
        summary.setdefault("provenance", {})["distance"] = (
            "the device's own distance records (last minus first, as the watch counts them); the terrain "
            f"profile's distance is {profile_distance:.1f} m" if _known(profile_distance) else
            "the device's own distance records (last minus first, as the watch counts them)")
    totals = run_totals(rec, steps, summary.get("distance_m"), estimated)
    summary.update(totals)
    device = rec.metadata.get("device_totals")
    summary["device_totals"] = dict(device) if device else None
    loss = summary.get("elevation_loss_m")
    ours = {**totals, "distance_m": summary.get("distance_m"), "ascent_m": summary.get("elevation_gain_m"),
            "descent_m": None if loss is None else abs(loss)}
    if estimated:
        ours["avg_cadence_spm"] = None  # an estimate is not compared with a measurement
    summary.setdefault("provenance", {})["totals"] = (
        f"derived from the records: timer time from the {totals['timer_time_source']}; average cadence "
        f"{totals['cadence_source']}; device_totals are the file's own")
    damaged = "damaged-file" in codes_of(rec.warnings)
    summary.setdefault("warnings", []).extend(device_differences(ours, device, totals["timer_time_source"], damaged))
    return summary


def format_duration(seconds) -> str:
    """``h:mm:ss`` (or ``m:ss`` under an hour) of a duration in s, ``n/a`` when missing."""
    if seconds is None or not np.isfinite(seconds):
        return "n/a"
    whole = int(round(float(seconds)))
    h, rest = divmod(whole, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def _known(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value)


def timer_label(summary: dict) -> str:
    """What ``summary["timer_time_s"]`` is called where a runner reads it: ``"timer"``, or
    ``"moving"`` for a log without a timer (an IMU recording), whose timer time is the time spent
    moving (:func:`run_totals`)."""
    return "moving" if summary.get("timer_time_source") == MOVING_AS_TIMER else "timer"


def watch_lines(summary: dict) -> list[str]:
    """The lines a runner reads first, in a watch app's order: timer time, distance, pace,
    average cadence; then the device's own totals; then the start (local time where the file
    gives it), elapsed and moving time, heart rate and power. Empty without ``timer_time_s``.

    Returns
    -------
    list of str
    """
    if not _known(summary.get("timer_time_s")):
        return []
    label = timer_label(summary)
    parts = [f"{label} {format_duration(summary['timer_time_s'])}"]
    distance = summary.get("distance_m")
    if _known(distance):
        parts.append(f"{distance / 1000:.2f} km")
    pace = summary.get("avg_pace_s_per_km")
    if _known(pace):
        parts.append(f"pace {format_duration(pace)} /km")
    cadence = summary.get("avg_cadence_spm")
    if _known(cadence):
        tag = " (estimated from speed)" if summary.get("cadence_source") == "estimated" else ""
        parts.append(f"average cadence {cadence:.0f} steps/min{tag}")
    lines = [", ".join(parts)]
    device = summary.get("device_totals") or {}
    formats = (("timer_time_s", lambda v: f"timer {format_duration(v)}"), ("distance_m", lambda v: f"{v / 1000:.2f} km"),
               ("avg_cadence_spm", lambda v: f"average cadence {v:.0f} steps/min"),
               ("ascent_m", lambda v: f"ascent {v:.0f} m"), ("calories_kcal", lambda v: f"{v:.0f} kcal"))
    shown = [text(device[key]) for key, text in formats if _known(device.get(key))]
    if shown:
        lines.append("the device's own totals: " + ", ".join(shown))
    more = []
    start = summary.get("local_start_time")
    if start:
        stamp = pd.Timestamp(start)
        more.append(f"started {stamp:%Y-%m-%d %H:%M} local time (UTC{stamp:%z}"[:-2] + ":" + f"{stamp:%z}"[-2:] + ")")
    elif summary.get("start_time"):
        more.append(f"started {pd.Timestamp(summary['start_time']):%Y-%m-%d %H:%M} UTC")
    more.append(f"elapsed {format_duration(summary.get('elapsed_time_s'))}" +
                ("" if label == "moving" else f", moving {format_duration(summary.get('moving_time_s'))}"))
    hr, hr_max = summary.get("avg_heart_rate"), summary.get("max_heart_rate")
    if _known(hr):
        more.append(f"heart rate {hr:.0f} average" + (f", {hr_max:.0f} max" if _known(hr_max) else ""))
    if _known(summary.get("avg_power_w")):
        more.append(f"power {summary['avg_power_w']:.0f} W average")
    lines.append(", ".join(more))
    return lines
