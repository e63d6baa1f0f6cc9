"""Drift of a foot IMU's strap-down stride rise: loop closure, and the grade it cannot resolve.

A foot IMU integrated between zero-velocity instants (:mod:`gaitload.events.strapdown`) turns
its whole stride displacement by the tilt error of the stride's start attitude, so each stride's
rise carries an error of about ``tilt error x stride length``: a grade offset. On the level real
walks of ../shared/data (Voisard's Xsens feet, gaitmap's shoe IMUs, benchmarks/validate_terrain.py
"FOOT-IMU LEVEL WALKS") it is positive on almost every foot, 0-5 % of grade, and the same from
stride to stride of one walk (the cumulative rise grows linearly with distance): a per-sensor,
per-walk bias, not a random walk.

Two rules use that:

* **Loop closure.** Where a foot's horizontal strap-down track (stride lengths along
  ``stride_heading_deg``) comes back to where it started, the ground there is at the height it
  started from, so the summed rise over the closed stretch is the drift. Closing a walk on its
  start is how foot-mounted dead reckoning is checked (x-io Technologies' Gait-Tracking: walks
  in a loop that end where they began, the foot's final displacement being the error, 82 mm
  over ~25 m; Foxlin 2005, IEEE CG&A 25(6):38), and the height drift of foot INS is a known
  limit (Park & Suh 2011, Sensors 11:8045, "Height compensation using ground inclination
  estimation"). The misclosure is removed in proportion to distance, as a levelling loop's
  misclosure is distributed by the surveyor's rule; because the error is a grade offset of the
  sensor, the offset measured over the closed stretch is taken off every stride of that foot
  (judgement, from the constant per-stride bias above).
* **Resolution floor.** Without a closed stretch the offset cannot be told from a real slope:
  grades within ``imu_grade_floor_pct`` of level are taken as level and the summary says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from ..schema import float_column

__all__ = ["closed_stretch", "foot_track", "remove_closure_drift", "stride_outliers"]


def stride_outliers(grade_pct: np.ndarray, use: list[np.ndarray], step_d: np.ndarray, max_dev_pct: float,
                    half: int = 2) -> np.ndarray:
    """Strides whose grade departs from the median of their own foot's neighbours.

    Parameters
    ----------
    grade_pct : ndarray
        Each stride's rise / length, %.
    use : list of ndarray of bool
        The usable strides of each foot.
    step_d : ndarray
        Distance of each step, m (orders each foot's strides).
    max_dev_pct : float
        Largest departure from the centred median of ``2 * half + 1`` strides of the same foot,
        grade points.

    Returns
    -------
    ndarray of bool
        True for an outlier. A centred median follows a real change of slope (the first stride
        of a staircase has more stair strides than level ones around it), so only a stride at
        odds with the strides on both sides of it is flagged: the stopping stride of a walk that
        integrates -30 cm of rise over 30 cm of travel, not a flight of stairs.
    """
    out = np.zeros(grade_pct.shape, bool)
    for foot in use:  # at most three feet labels
        sel = np.flatnonzero(foot)
        if sel.size < 2 * half + 1:
            continue
        sel = sel[np.argsort(step_d[sel], kind="stable")]
        g = grade_pct[sel]
        med = np.median(sliding_window_view(np.pad(g, half, mode="edge"), 2 * half + 1), axis=1)
        out[sel] = np.abs(g - med) > max_dev_pct
    return out


def foot_track(length_m: np.ndarray, heading_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Horizontal track of consecutive strides of one foot.

    Parameters
    ----------
    length_m : ndarray, shape (n,)
        Horizontal stride lengths, m.
    heading_deg : ndarray, shape (n,)
        Direction of each stride in one frame for the recording, deg.

    Returns
    -------
    x, y : ndarray, shape (n + 1,)
        Position before the first stride (0, 0) and after each stride, m.
    path : ndarray, shape (n + 1,)
        Distance walked to each of those points, m.
    """
    h = np.deg2rad(heading_deg)
    x = np.r_[0.0, np.cumsum(length_m * np.cos(h))]
    y = np.r_[0.0, np.cumsum(length_m * np.sin(h))]
    return x, y, np.r_[0.0, np.cumsum(length_m)]


def closed_stretch(x: np.ndarray, y: np.ndarray, path: np.ndarray, max_closure_frac: float,
                   min_path_m: float, max_closure_m: float = np.inf) -> tuple[int, int] | None:
    """The longest stretch of a track, from its start or to its end, that comes back to its start.

    Two candidates, each found in one pass: the last point still within ``max_closure_frac`` of
    the distance walked (and within ``max_closure_m``) from the track's first point, and the
    first point from which the track's last point is as close. Both need ``min_path_m`` walked
    in between.

    Returns
    -------
    (i, j) or None
        Strides ``i .. j - 1`` (points ``i`` and ``j`` of the track) form the closed stretch.
    """
    n = path.size - 1
    if n < 1 or max_closure_frac <= 0:  # (0: the closure rule is off)
        return None
    fwd = np.hypot(x - x[0], y - y[0]) <= np.minimum(max_closure_frac * path, max_closure_m)
    fwd &= path >= min_path_m
    back_path = path[-1] - path
    bwd = np.hypot(x[-1] - x, y[-1] - y) <= np.minimum(max_closure_frac * back_path, max_closure_m)
    bwd &= back_path >= min_path_m
    best = None
    if fwd.any():
        j = int(np.flatnonzero(fwd)[-1])
        best = (0, j)
    if bwd.any():
        i = int(np.flatnonzero(bwd)[0])
        if best is None or path[n] - path[i] > path[best[1]]:
            best = (i, n)
    return best


def remove_closure_drift(steps: pd.DataFrame, use: list[np.ndarray], step_d: np.ndarray,
                         max_closure_frac: float, min_path_m: float,
                         max_closure_m: float = np.inf) -> tuple[np.ndarray, list[dict]]:
    """Stride rise with each foot's closure drift removed.

    Parameters
    ----------
    steps : DataFrame
        With ``stride_rise_m``, ``stride_length_m`` and ``stride_heading_deg`` (no correction
        without the last).
    use : list of ndarray of bool
        The usable strides of each foot (:func:`~gaitload.terrain.distance.feet_of`).
    step_d : ndarray
        Distance of each step, m (orders each foot's strides).
    max_closure_frac, min_path_m, max_closure_m : float
        See :class:`~gaitload.terrain.options.TerrainOptions` (``imu_closure_frac``,
        ``imu_closure_min_m``, ``imu_closure_max_m``).

    Returns
    -------
    rise : ndarray
        ``stride_rise_m`` minus, for every stride of a foot whose track closes, its length times
        the foot's drift grade (unchanged for the other feet).
    feet : list of dict
        Per foot with a usable track: ``foot``, ``track_m`` (walked), ``end_m`` (how far the
        track ends from where it starts), ``closed`` (bool) and, when
        closed, ``closed_m`` (walked over the closed stretch), ``closure_m`` (how far its end is
        from its start), ``misclosure_m`` (summed rise over it), ``drift_pct`` (that rise over
        the distance, %) and ``mask`` (the foot's strides).
    """
    rise = float_column(steps, "stride_rise_m").copy()
    if "stride_heading_deg" not in steps:
        return rise, []
    length = float_column(steps, "stride_length_m")
    heading = float_column(steps, "stride_heading_deg")
    feet = []
    labels = steps["foot"].to_numpy() if "foot" in steps else np.full(len(steps), "unknown", dtype=object)
    for foot in use:  # at most three feet labels
        sel = np.flatnonzero(foot & np.isfinite(heading))
        if sel.size < 2:
            continue
        sel = sel[np.argsort(step_d[sel], kind="stable")]
        x, y, path = foot_track(length[sel], heading[sel])
        info = {"foot": str(labels[sel[0]]), "track_m": float(path[-1]), "end_m": float(np.hypot(x[-1], y[-1])),
                "closed": False, "mask": foot}
        stretch = closed_stretch(x, y, path, max_closure_frac, min_path_m, max_closure_m)
        if stretch is not None:
            i, j = stretch
            walked = float(path[j] - path[i])
            mis = float(np.sum(rise[sel[i:j]]))
            drift = mis / walked
            rise[foot] -= drift * length[foot]
            info.update(closed=True, closed_m=walked, closure_m=float(np.hypot(x[j] - x[i], y[j] - y[i])),
                        misclosure_m=mis, drift_pct=100.0 * drift)
        feet.append(info)
    return rise, feet
