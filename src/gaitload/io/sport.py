"""Whether a recording is on foot: the one rule every reader applies, and where it puts it.

Readers decide the sport once, while reading (a FIT or TCX cadence's unit depends on it), with
:func:`sport_verdict`, and record the decision on the :class:`~gaitload.recording.Recording`
with :func:`set_sport_verdict` (``metadata["sport_verdict"]``). ``analyze`` reads it there
(:func:`verdict_of`) instead of deciding again.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..notice import Notice
from ..recording import Recording

__all__ = ["SportVerdict", "sport_verdict", "describe_sport", "is_foot_sport", "median_moving_speed_mps",
           "sport_cadence_warning", "set_sport_verdict", "verdict_of", "MAX_RUN_SPEED_MPS", "MOVING_SPEED_MPS",
           "DISTANCE_SOURCES", "MAX_STEP_M", "metres_per_step", "step_length_verdict"]


class SportVerdict(NamedTuple):
    """Whether a recording is on foot (:func:`sport_verdict`)."""

    on_foot: bool | None
    label: str | None
    reason: str


#: Sports whose cadence a watch stores per stride (one foot), so steps/min = 2 x value.
#: Garmin's FIT profile stores running and walking cadence as strides/min ("rpm" in the
#: profile); hiking and trail running are running/walking sub-sports on most devices.
_FOOT_SPORTS = {"running", "walking", "hiking", "trail_running", "treadmill", "mountaineering",
                "track", "street", "trail", "virtual_activity_running", "run", "walk", "hike"}


def is_foot_sport(sport: str | None) -> bool:
    """Whether ``sport`` (FIT sport/sub_sport, TCX Activity@Sport) is on foot."""
    if not sport:
        return False
    return str(sport).strip().lower().replace(" ", "_") in _FOOT_SPORTS


#: Sport values that name no sport (FIT ``generic`` is the profile's "unspecified" value).
_UNSPECIFIED_SPORTS = {"", "generic", "all", "unknown", "none", "null"}
#: Strava's GPX export writes its activity type as a number in ``trk/type``: 1 Ride, 9 Run,
#: 10 Walk, 11 Hike (the codes gpx.py's foot types use). Other codes are shown as a code.
_STRAVA_TYPE_CODES = {"1": "cycling", "9": "running", "10": "walking", "11": "hiking"}


def describe_sport(sport: str | None, sub_sport: str | None = None) -> tuple[bool | None, str | None]:
    """Whether a recording's sport is on foot, and its name for people.

    Parameters
    ----------
    sport, sub_sport : str, optional
        ``Recording.metadata["sport"]`` and ``["sub_sport"]`` (FIT names, TCX ``Activity@Sport``
        or GPX ``trk/type``, which may be a Strava type number).

    Returns
    -------
    on_foot : bool or None
        True for running, trail running, treadmill, walking, hiking; False for any other named
        sport (cycling, swimming, paddling, rowing, TCX ``Other``...); None when the file names
        no sport (or only ``generic``, or a number gaitload does not know).
    label : str or None
        ``"cycling (road)"``, ``"running"``, ``"sport code 4"``; None when there is no sport.
    """
    def clean(value):
        text = "" if value is None else str(value).strip()
        return "" if text.lower() in _UNSPECIFIED_SPORTS else text

    main, sub = clean(sport), clean(sub_sport)
    if main.isdigit():
        if main not in _STRAVA_TYPE_CODES:
            return None, f"sport code {main}"
        main = _STRAVA_TYPE_CODES[main]
    if not main and not sub:
        return None, None
    label = (main or sub).lower().replace("_", " ")
    if main and sub:
        label += f" ({sub.lower().replace('_', ' ')})"
    return bool(is_foot_sport(main) or is_foot_sport(sub)), label


#: Sustained speed no run reaches, m/s: the men's 10,000 m world record averages 6.3 m/s
#: (26:11, Cheptegei 2020), so a recording whose median *moving* speed is above 6.5 m/s is a
#: ride, a drive or a ski descent, whatever its cadence looks like.
MAX_RUN_SPEED_MPS = 6.5
#: Samples at or above this speed (m/s) count as moving (standing and GPS jitter lie below).
MOVING_SPEED_MPS = 0.5


def median_moving_speed_mps(time_s, speed_mps=None, distance_m=None) -> float:
    """Median speed of the moving samples, m/s (NaN when fewer than 3 samples move).

    Parameters
    ----------
    time_s : ndarray
        Sample times, s.
    speed_mps : ndarray, optional
        Speed, m/s; used when it holds any finite value.
    distance_m : ndarray, optional
        Cumulative distance, m; without a speed, each interval's distance over its duration.

    Returns
    -------
    float
        Median of the speeds at or above :data:`MOVING_SPEED_MPS`, m/s.
    """
    v = None if speed_mps is None else np.asarray(speed_mps, dtype=np.float64)
    if (v is None or not np.isfinite(v).any()) and distance_m is not None:
        t = np.asarray(time_s, dtype=np.float64)
        d = np.asarray(distance_m, dtype=np.float64)
        ok = np.isfinite(t) & np.isfinite(d)
        if ok.sum() >= 2:
            dt, dd = np.diff(t[ok]), np.diff(d[ok])
            v = np.where(dt > 0, dd / np.where(dt > 0, dt, 1.0), np.nan)
    if v is None:
        return float("nan")
    moving = v[np.isfinite(v) & (v >= MOVING_SPEED_MPS)]
    return float(np.median(moving)) if moving.size >= 3 else float("nan")


def sport_verdict(sport: str | None, sub_sport: str | None = None,
                  median_speed_mps: float | None = None) -> SportVerdict:
    """The one rule deciding whether a recording is on foot (readers and ``analyze`` share it).

    1. A named sport decides (:func:`describe_sport`): running, trail running, treadmill,
       walking, hiking... are on foot; cycling, swimming, paddling, rowing, TCX ``Other``... are
       not, whatever the records hold.
    2. A sport that names nothing (no sport, FIT ``generic`` -- the profile's "unspecified"
       value -- or an unknown code) is decided by the records: a median moving speed above
       :data:`MAX_RUN_SPEED_MPS` (6.5 m/s) is clearly not a run (on_foot False); otherwise the
       recording is taken as on foot (None: not named, not contradicted), so a FIT file's
       cadence is read as the profile's running strides/min and its steps are analysed.

    Cadence alone cannot decide: a crank's 85 rpm and a runner's 85 strides/min look alike.

    Parameters
    ----------
    sport, sub_sport : str, optional
        As in ``Recording.metadata``.
    median_speed_mps : float, optional
        :func:`median_moving_speed_mps` of the recording (NaN or None: unknown).

    Returns
    -------
    SportVerdict
        A named tuple ``(on_foot, label, reason)``:
    on_foot : bool or None
        True named on foot; False named otherwise, or unnamed and faster than any run; None
        unnamed and not contradicted (analysed as on foot).
    label : str or None
        :func:`describe_sport`'s name for people (None when nothing is named).
    reason : str
        One phrase for messages: ``"sport is running"``, ``"sport is cycling (road), not a
        foot sport"``, ``"sport is generic (unspecified) but the records move at a median
        8.4 m/s (30 km/h), faster than any run"``, ``"no sport named"``.
    """
    on_foot, label = describe_sport(sport, sub_sport)
    if on_foot is not None:
        return SportVerdict(on_foot, label, f"sport is {label}" + ("" if on_foot else ", not a foot sport"))
    raw = "" if sport is None else str(sport).strip()
    named = f"sport is {label}" if label else (f"sport is {raw} (unspecified)" if raw else "no sport named")
    v = float("nan") if median_speed_mps is None else float(median_speed_mps)
    if np.isfinite(v) and v > MAX_RUN_SPEED_MPS:
        return SportVerdict(False, label, f"{named} but the records move at a median {v:.1f} m/s "
                                          f"({3.6 * v:.0f} km/h), faster than any run")
    return SportVerdict(None, label, named)


#: Distance per step no one averages on foot, m: Usain Bolt's 9.58 s 100 m took about 41 steps
#: (2.44 m each), and distance runners' steps are 1-1.8 m (judgement from those figures). A leg whose records cover more ground per counted step was not done on foot (or
#: holds no steps gaitload could analyse).
MAX_STEP_M = 2.5
#: Below these a step count is too small to judge (judgement: a few minutes of running).
_MIN_STEPS, _MIN_DISTANCE_M = 200.0, 500.0
#: Intervals longer than this between records are not integrated (a pause or a gap, s;
#: judgement: smart recording writes a record at least every few seconds while moving).
_MAX_INTERVAL_S = 60.0


def metres_per_step(time_s, cadence_spm, distance_m) -> tuple[float, float, float]:
    """Distance per step: the records' distance over their cadence integrated in time.

    Both are summed over the same intervals (consecutive records at most 60 s apart with a
    cadence and a distance); a distance that falls back (a counter reset) adds nothing.

    Parameters
    ----------
    time_s : ndarray
        Sample times, s.
    cadence_spm : ndarray
        Cadence, steps/min (a cadence of 0 counts no step).
    distance_m : ndarray
        Cumulative distance, m.

    Returns
    -------
    m_per_step : float
        Metres per step (NaN when fewer than 200 steps or 500 m are counted).
    steps : float
        Steps counted.
    distance_m : float
        Distance counted, m.
    """
    t = np.asarray(time_s, dtype=np.float64)
    c = np.asarray(cadence_spm, dtype=np.float64)
    d = np.asarray(distance_m, dtype=np.float64)
    if t.size < 2:
        return float("nan"), 0.0, 0.0
    dt, dd, cl = np.diff(t), np.diff(d), c[:-1]
    ok = np.isfinite(dt) & (dt > 0) & (dt <= _MAX_INTERVAL_S) & np.isfinite(cl) & (cl >= 0) & np.isfinite(dd)
    steps = float(np.sum(cl[ok] * dt[ok]) / 60.0)
    dist = float(np.sum(np.clip(dd[ok], 0.0, None)))
    if steps < _MIN_STEPS or dist < _MIN_DISTANCE_M:
        return float("nan"), steps, dist
    return dist / steps, steps, dist


def step_length_verdict(verdict: SportVerdict, time_s, cadence_spm=None, distance_m=None) -> SportVerdict:
    """``verdict``, turned to not on foot when no sport is named (``on_foot`` None) and the
    records cover more than :data:`MAX_STEP_M` (2.5 m) per counted step (:func:`metres_per_step`).

    A sport the file names (on foot or not) is returned unchanged: a named run is never refused
    by this rule.

    Parameters
    ----------
    verdict : SportVerdict
        :func:`sport_verdict`'s.
    time_s, cadence_spm, distance_m : ndarray
        Sample times (s), cadence (steps/min) and cumulative distance (m); without cadence or
        distance ``verdict`` is returned.

    Returns
    -------
    SportVerdict
    """
    if verdict.on_foot is not None or cadence_spm is None or distance_m is None:
        return verdict
    m, steps, dist = metres_per_step(time_s, cadence_spm, distance_m)
    if not (np.isfinite(m) and m > MAX_STEP_M):
        return verdict
    return SportVerdict(False, verdict.label,
                        f"{verdict.reason} but not on foot: {m:.1f} m per step ({steps:.0f} steps from the cadence "
                        f"over {dist / 1000:.2f} km), longer than any running step ({MAX_STEP_M:g} m)")


def sport_cadence_warning(on_foot: bool | None, reason: str, has_cadence: bool) -> Notice | None:
    """The warning every watch reader gives when :func:`sport_verdict` decided a cadence's unit
    without a named foot sport (None when there is nothing to say).

    Parameters
    ----------
    on_foot, reason : bool or None, str
        The first and last values :func:`sport_verdict` returned.
    has_cadence : bool
        Whether the file has a cadence channel (the verdict decides its unit).
    """
    if not has_cadence or on_foot is True:
        return None
    if on_foot is None:
        return Notice(f"{reason}; taken as a run on foot (cadence read as a runner's strides/min)", "sport-assumed")
    return Notice(f"{reason}; not a run, so cadence is kept as the device's rpm, not steps/min", "not-on-foot")


def set_sport_verdict(recording: Recording, verdict: SportVerdict | None = None) -> SportVerdict:
    """Record ``verdict`` on ``recording`` (``metadata["sport_verdict"]``, a JSON-ready dict
    ``{"on_foot", "sport", "reason"}``) and return it.

    Parameters
    ----------
    recording : Recording
        Changed in place.
    verdict : SportVerdict, optional
        The reader's verdict; None decides it from the recording's ``metadata["sport"]`` /
        ``["sub_sport"]`` and its speed or distance channel (a reader that names no sport).

    Returns
    -------
    SportVerdict
    """
    if verdict is None:
        speed = median_moving_speed_mps(recording.time_s, recording.channels.get("speed"),
                                        recording.channels.get("distance"))
        verdict = sport_verdict(recording.metadata.get("sport"), recording.metadata.get("sub_sport"), speed)
    verdict = step_length_verdict(verdict, recording.time_s, recording.channels.get("cadence"),
                                  recording.channels.get("distance"))
    recording.metadata["sport_verdict"] = {"on_foot": verdict.on_foot, "sport": verdict.label,
                                           "reason": verdict.reason}
    return verdict


def verdict_of(recording: Recording) -> SportVerdict:
    """The sport verdict a reader put on ``recording``; for a recording no reader made (built
    from arrays), the same rule applied to its metadata and channels, not stored.

    Returns
    -------
    SportVerdict
    """
    stored = recording.metadata.get("sport_verdict")
    if isinstance(stored, dict) and "reason" in stored:
        return SportVerdict(stored.get("on_foot"), stored.get("sport"), str(stored["reason"]))
    speed = median_moving_speed_mps(recording.time_s, recording.channels.get("speed"),
                                    recording.channels.get("distance"))
    return step_length_verdict(sport_verdict(recording.metadata.get("sport"), recording.metadata.get("sub_sport"), speed),
                               recording.time_s, recording.channels.get("cadence"), recording.channels.get("distance"))


#: Values of ``Recording.metadata["distance_source"]``: ``"device"``, a distance the device
#: measured and wrote (FIT ``record.distance``, TCX ``DistanceMeters``, a CSV distance column:
#: GPS, footpod or Stryd as the device computed it); ``"positions"``, great-circle distance
#: gaitload summed from the positions; None (key absent), no distance channel.
DISTANCE_SOURCES = ("device", "positions")
