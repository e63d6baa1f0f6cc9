"""Grade-adjusted pace, cadence and gait on a grade: the one model the simulator and ``plan`` share.

Everything here is a pure, vectorised function of grade (%) and speed (m/s):

- :func:`gap_speed_factor`: Strava 2017 grade-adjusted-pace factor (Robb 2017, literature.md 1e),
  flat-equivalent speed / actual speed. A runner at constant effort runs ``v_flat / F(grade)``.
- :func:`cadence_grade_factor`: step rate rises uphill (+4 % at +7 %, Padulo et al. 2013) and falls
  a little downhill (Vernillo et al. 2017), relative to the same effort on the flat.
- :func:`predicted_gait`: where a runner walks instead of running (walk-run transition speed,
  literature.md 1b, and the "hiking/scrambling" grade limit of literature.md 3.3).
- :func:`pacing_grade`: the grade a runner paces by -- the course grade averaged over the ~60 s
  of running the Strava 2017 model was fitted on (Robb 2017: 60-s steady windows).
- :func:`parse_pace`: ``"5:00/km"`` -> m/s, refusing paces outside 2:30-15:00 per km.
"""

from __future__ import annotations

import re

import numpy as np

from .errors import OptionError
from .events.records import RUN_SPEED_MPS, cadence_from_speed

__all__ = ["gap_speed_factor", "cadence_grade_factor", "predicted_gait", "parse_pace", "flat_cadence_spm",
           "pacing_grade", "GAP_GRADE_PCT", "GAP_FACTOR", "PACING_WINDOW_S", "FLAT_BAND_PCT", "WALK_SPEED_MPS",
           "WALK_GRADE_PCT", "MIN_PACE_S_PER_KM", "MAX_PACE_S_PER_KM"]

#: Strava 2017 GAP speed factors (multiply speed to get flat-equivalent speed), grade in %.
#: Reverse-engineered values quoted in literature.md section 1e (Robb 2017).
GAP_GRADE_PCT = np.array([-30, -20, -15, -10, -8, -6, -4, -2, 0, 2, 4, 6, 8, 10, 15, 20, 30, 45], float)
GAP_FACTOR = np.array([1.495, 1.081, 0.941, 0.876, 0.876, 0.891, 0.918, 0.960, 1.0, 1.055, 1.135,
                       1.228, 1.337, 1.459, 1.846, 2.297, 3.158, 4.286])

#: Duration of running over which the grade a runner paces by is averaged, s: the Strava 2017
#: equivalent-heart-rate model relates speed to the grade of 60-s steady windows (Robb 2017,
#: literature.md 1e), so its factors describe a runner's response to the grade over ~60 s, not to
#: every 5 m of it (heart rate, the model's measure of effort, does not follow faster).
PACING_WINDOW_S = 60.0

#: Cadence per % uphill grade: +4 % at +7 % (Padulo et al. 2013, literature.md 1c).
CADENCE_PER_UP_PCT = 0.0057
#: Cadence per % downhill grade: lower step frequency downhill (Vernillo et al. 2017) [J: size].
CADENCE_PER_DOWN_PCT = 0.003

#: |grade| within which ground counts as level, % (the terrain stage's flat band,
#: ``TerrainOptions.flat_band_pct``): the article's mid/forefoot strike applies above it, and a
#: season's flat cadence is taken inside it.
FLAT_BAND_PCT = 2.0

#: Below this speed a runner walks: the walk-run transition at ~2 m/s (literature.md 1b, Schache
#: et al. 2015 "walk -> run at 2 m/s"; ``events.records.RUN_SPEED_MPS``) [J: one value for every
#: grade; the uphill transition speed is lower for trained hill runners].
WALK_SPEED_MPS = RUN_SPEED_MPS
#: Steeper than this (either sign) is "hiking/scrambling", not running (literature.md 3.3 clips the
#: load model's grade there and flags it) [J: that flag read as "walks"].
WALK_GRADE_PCT = 25.0

#: Paces accepted, s per km: 2:30/km (6.7 m/s, faster than the marathon world record) to 15:00/km
#: (1.1 m/s, a slow walk) [J: the bounds of a plausible race plan].
MIN_PACE_S_PER_KM = 150.0
MAX_PACE_S_PER_KM = 900.0

_PACE = re.compile(r"^\s*(\d{1,2})(?::(\d{1,2}(?:\.\d*)?))?\s*(?:min)?\s*(?:/\s*(km|mi|mile))?\s*$", re.I)
_MILE_M = 1609.344


def gap_speed_factor(grade_pct) -> np.ndarray:
    """Strava 2017 grade-adjusted-pace factor (flat-equivalent speed / actual speed).

    Parameters
    ----------
    grade_pct : array_like
        Grade in % (rise/run x 100); clipped to the table's -30..+45 % range. NaN gives NaN.

    Returns
    -------
    ndarray
        Factor, 1 on the flat, 1.337 at +8 %, 0.876 at -8 % (Robb 2017, literature 1e).
    """
    return np.interp(np.clip(grade_pct, -30, 45), GAP_GRADE_PCT, GAP_FACTOR)


def pacing_grade(distance_m, grade_pct, window_m: float) -> np.ndarray:
    """The grade a runner paces by: the course grade averaged over the ``window_m`` around each point.

    The Strava 2017 factors (:func:`gap_speed_factor`) were fitted on 60-s steady windows (Robb
    2017, literature.md 1e): they give the speed for the grade of a minute of running, so the
    window is :data:`PACING_WINDOW_S` x the runner's speed (judgement: ~180 m at 3 m/s). The mean
    is over distance, centred, shrinking at the ends; unknown (NaN) grade is left out of it; a
    point whose window holds no known grade (or whose distance is unknown) keeps its own grade. Used both to forecast a course's
    speed and to take a runner's grade-adjusted pace from recorded steps, so the two agree.

    Parameters
    ----------
    distance_m : array_like, shape (n,)
        Distance of each point, m, non-decreasing (steps or a regular grid).
    grade_pct : array_like, shape (n,)
        Grade at each point, %; it holds for the distance from the point before.
    window_m : float
        Length of the window, m.

    Returns
    -------
    ndarray, shape (n,)
        Grade, %.
    """
    d = np.asarray(distance_m, dtype=np.float64)
    g = np.asarray(grade_pct, dtype=np.float64)
    if d.size < 2 or not window_m > 0:
        return g.copy()
    seg = np.diff(d)
    known = np.isfinite(g[1:]) & np.isfinite(seg)
    seg = np.where(known, seg, 0.0)
    # distance integrals of grade and of "grade known" (linear cost): a window's mean is a difference
    c_g = np.concatenate([[0.0], np.cumsum(seg * np.where(known, g[1:], 0.0))])
    c_n = np.concatenate([[0.0], np.cumsum(seg)])
    x = np.where(np.isfinite(d), d, np.nan)
    lo, hi = x - 0.5 * window_m, x + 0.5 * window_m
    # unknown distances hold the last known one (before the first: the first known), so the
    # integrals' abscissa is finite and non-decreasing
    xp = np.maximum.accumulate(np.where(np.isfinite(d), d, -np.inf))
    xp = np.where(np.isfinite(xp), xp, d[np.isfinite(d)][0] if np.isfinite(d).any() else 0.0)
    n = np.interp(hi, xp, c_n) - np.interp(lo, xp, c_n)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (np.interp(hi, xp, c_g) - np.interp(lo, xp, c_g)) / n
    # a point whose window holds no known length (a lone sample, an unknown distance) keeps its own grade
    return np.where(n > 0, out, g)


def cadence_grade_factor(grade_pct) -> np.ndarray:
    """Step rate on a grade relative to the same effort on the flat (dimensionless).

    ``1 + 0.0057 clip(g, 0, 20) + 0.003 clip(g, -20, 0)``: +4 % at +7 % (Padulo et al. 2013), a
    little lower downhill (Vernillo et al. 2017; the size is judgement).

    Parameters
    ----------
    grade_pct : array_like
        Grade in %.

    Returns
    -------
    ndarray
    """
    g = np.asarray(grade_pct, dtype=np.float64)
    return 1 + CADENCE_PER_UP_PCT * np.clip(g, 0, 20) + CADENCE_PER_DOWN_PCT * np.clip(g, -20, 0)


def flat_cadence_spm(flat_speed_mps) -> np.ndarray:
    """A population running cadence at a flat speed, steps/min: ``170 x (v / 3.0) ** 0.24``.

    The metabolic optimum of Lieberman et al. 2015 (170 steps/min at 3.0 m/s, literature.md 1d)
    scaled with speed as in Dorn et al. 2012 (+10 % from 3.5 to 5.2 m/s, literature.md 1b); the
    :func:`gaitload.events.records.cadence_from_speed`'s running curve, held at its value at the
    walk-run transition below it.
    """
    return cadence_from_speed(np.maximum(np.asarray(flat_speed_mps, dtype=np.float64), WALK_SPEED_MPS))


def predicted_gait(run_speed_mps, grade_pct) -> np.ndarray:
    """``"walk"`` where a runner at constant effort would walk, else ``"run"``.

    A runner walks where the grade-adjusted running speed falls below the walk-run transition
    (:data:`WALK_SPEED_MPS`), or where the grade is steeper than :data:`WALK_GRADE_PCT` either way.
    NaN grade never walks (nothing says it is steep).

    Parameters
    ----------
    run_speed_mps : array_like
        Running speed the GAP model predicts, m/s.
    grade_pct : array_like
        Grade in %.

    Returns
    -------
    ndarray of str
    """
    v = np.asarray(run_speed_mps, dtype=np.float64)
    g = np.asarray(grade_pct, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        walk = (v < WALK_SPEED_MPS) | (np.abs(g) > WALK_GRADE_PCT)
    return np.where(walk, "walk", "run").astype(object)


def parse_pace(pace) -> float:
    """A pace in minutes per km or mile (``"5:00/km"``, ``"4:30"``, ``"8:00/mi"``, ``5.5``) as m/s.

    A bare number or ``m:ss`` without a unit is per km. Paces outside 2:30-15:00 per km are
    refused.

    Returns
    -------
    float
        Speed, m/s.

    Raises
    ------
    OptionError
        Unreadable, or outside 2:30-15:00 per km.
    """
    if isinstance(pace, (int, float)) and not isinstance(pace, bool):
        per_km_s, text = float(pace) * 60.0, f"{pace}"
    else:
        text = str(pace)
        m = _PACE.match(text)
        if not m:
            raise OptionError(f"cannot read pace {text!r}; give minutes:seconds per km or mile, e.g. 5:00/km or 8:00/mi")
        seconds = int(m.group(1)) * 60.0 + (float(m.group(2)) if m.group(2) else 0.0)
        per_km_s = seconds / (_MILE_M / 1000.0) if (m.group(3) or "km").lower() in ("mi", "mile") else seconds
    check_pace_s_per_km(per_km_s, text)
    return 1000.0 / per_km_s


def check_pace_s_per_km(per_km_s: float, shown: str) -> None:
    """Refuse a pace (s per km) outside 2:30-15:00 per km with one line naming it."""
    if not np.isfinite(per_km_s) or not MIN_PACE_S_PER_KM <= per_km_s <= MAX_PACE_S_PER_KM:
        raise OptionError(f"pace {shown} is outside 2:30-15:00 per km "
                          "(a running or walking race pace; give minutes:seconds per km, e.g. 5:00/km)")
