"""Climbs and descents as runners name them, from the terrain profile and the steps.

A climb is a stretch of the altitude profile from a valley floor to a hill top that gains at
least ``min_gain_m`` at a mean grade of at least ``min_mean_grade_pct``; a descent the same
downhill. Climbs are built from the uphill stretches of the terrain classes (grade with
hysteresis and a minimum length, :func:`gaitload.terrain.classify_grade`), joined across a short
flat or a shallow dip (Runalyze also segments climbs on a simplified profile, research/peers.md);
each runs from its lowest to its highest point (a descent the other way).

Each climb carries the load of the steps taken on it: the sum of every ``load_*`` column of the
steps table (whatever columns the load stage wrote), so this works after any load model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .classes import label_runs

#: Columns of :func:`find_climbs`' table before the per-muscle ``load_*`` columns.
CLIMB_COLUMNS = {
    "kind": "object", "start_m": "float64", "end_m": "float64", "start_s": "float64", "end_s": "float64",
    "length_m": "float64", "time_s": "float64", "gain_m": "float64", "mean_grade_pct": "float64",
    "max_grade_pct": "float64", "vam_m_per_h": "float64", "n_steps": "int64",
}


@dataclass
class ClimbOptions:
    """Thresholds of :func:`find_climbs`.

    Attributes
    ----------
    min_gain_m : float
        Smallest climb (or descent), m. 20 m: judgement (about a 6-storey building; a smaller
        rise is a bump on a run, not a climb runners name).
    min_mean_grade_pct : float
        Smallest mean grade, %. 3 %: Strava's lower bound for a categorised climb (judgement:
        a rise gentler than that runs like the flat, research/peers.md 15.5 puts the flat band
        at 1.6-2 %).
    merge_m, merge_gap_m : float
        Two uphill (downhill) stretches of the terrain classes are one climb (descent) when the
        stretch between them gives back less than ``merge_m`` of altitude and is shorter than
        ``merge_gap_m`` or leaves the whole at ``min_mean_grade_pct`` or steeper, m (judgement:
        a 200 m flat or a 10 m dip is a breather within a climb, longer or deeper ends it).
    """

    min_gain_m: float = 20.0
    min_mean_grade_pct: float = 3.0
    merge_m: float = 10.0
    merge_gap_m: float = 200.0


def empty_climbs() -> pd.DataFrame:
    """A climbs table with no row."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in CLIMB_COLUMNS.items()})


def find_climbs(profile: pd.DataFrame, steps: pd.DataFrame | None = None,
                options: ClimbOptions | None = None) -> pd.DataFrame:
    """Every climb and descent of a run above the size thresholds.

    Parameters
    ----------
    profile : DataFrame
        The terrain profile (:attr:`gaitload.terrain.TerrainResult.profile`): ``distance_m``
        (m, uniform grid), ``time_s`` (s), ``altitude_m`` (m), ``grade_pct`` (%).
    steps : DataFrame, optional
        Steps with ``time_s`` and any ``load_*`` columns; each climb sums them over its steps.
    options : ClimbOptions, optional

    Returns
    -------
    DataFrame
        One row per climb or descent in distance order: ``kind`` (``"climb"`` or
        ``"descent"``), ``start_m``/``end_m`` (m), ``start_s``/``end_s`` (s), ``length_m``,
        ``time_s`` (s on it), ``gain_m`` (metres climbed, or descended for a descent; positive),
        ``mean_grade_pct`` and ``max_grade_pct`` (signed: the steepest grade in its direction),
        ``vam_m_per_h`` (vertical metres per hour, signed), ``n_steps``, then the sum of each
        ``load_*`` step column over the steps on it.
    """
    opts = options or ClimbOptions()
    load_cols = [c for c in (steps.columns if steps is not None else []) if str(c).startswith("load_")]
    if profile is None or len(profile) < 3 or "altitude_m" not in profile:
        return _with_loads(empty_climbs(), load_cols)
    d = profile["distance_m"].to_numpy(float)
    t = profile["time_s"].to_numpy(float)
    z = profile["altitude_m"].to_numpy(float)
    g = profile["grade_pct"].to_numpy(float) if "grade_pct" in profile else np.gradient(z, d) * 100
    if np.isfinite(z).sum() < 3:
        return _with_loads(empty_climbs(), load_cols)
    has_terrain = "terrain" in profile
    sides = []
    for kind, sgn in (("uphill", 1.0), ("downhill", -1.0)):
        # compared as a column: a string column's values are not turned into Python objects
        mask = (profile["terrain"] == kind).to_numpy(bool, na_value=False) if has_terrain \
            else (sgn * g > opts.min_mean_grade_pct)
        sides += [(a, b, sgn) for a, b in _merged_runs(np.asarray(mask, bool), z, d, sgn, opts)]
    sides.sort()
    rows = []
    for a, b, sgn in sides:  # one pass per hill side (a handful per run)
        a, b = _trim(z, int(a), int(b), sgn)
        if b <= a:
            continue
        change = z[b] - z[a]
        length = d[b] - d[a]
        if not (np.isfinite(change) and length > 0):
            continue
        mean_grade = 100.0 * change / length
        if abs(change) < opts.min_gain_m or abs(mean_grade) < opts.min_mean_grade_pct:
            continue
        seg = g[a:b + 1]
        steepest = (np.nanmax(seg) if sgn > 0 else np.nanmin(seg)) if np.isfinite(seg).any() else np.nan
        dt = t[b] - t[a]
        rows.append({"kind": "climb" if sgn > 0 else "descent", "start_m": d[a], "end_m": d[b],
                     "start_s": t[a], "end_s": t[b], "length_m": length, "time_s": dt,
                     "gain_m": abs(change), "mean_grade_pct": mean_grade, "max_grade_pct": steepest,
                     "vam_m_per_h": 3600.0 * change / dt if dt > 0 else np.nan})
    if not rows:
        return _with_loads(empty_climbs(), load_cols)
    table = {c: np.array([r[c] for r in rows], dtype=t) for c, t in CLIMB_COLUMNS.items() if c != "n_steps"}
    table["kind"] = pd.Series(table["kind"], dtype=object)  # an array of text would become a string column
    table["n_steps"], loads = _step_sums(table["start_s"], table["end_s"], steps, load_cols)
    return pd.DataFrame({**table, **loads})  # built once: a column added to a frame costs more


def _merged_runs(mask: np.ndarray, z: np.ndarray, d: np.ndarray, sgn: float, opts: ClimbOptions):
    """Runs of ``mask`` (cells ``a .. b`` inclusive), joined across a gap in which the profile
    gives back less than ``merge_m`` when the gap is shorter than ``merge_gap_m`` or the joined
    stretch still has a mean grade of ``min_mean_grade_pct``."""
    starts, stops = label_runs(mask.astype(np.int8))
    on = mask[starts]
    a_s, b_s = starts[on], np.minimum(stops[on], mask.size - 1)
    out = []
    for a, b in zip(a_s, b_s):  # a few dozen runs per run at most
        if out:
            pa, pb = out[-1]
            lost = sgn * (z[pb] - np.nanmin(sgn * z[pb:a + 1]) * sgn)
            # a short breather, or a longer one after which the whole still climbs steeply
            # enough to be one climb
            with np.errstate(invalid="ignore", divide="ignore"):
                whole = 100.0 * sgn * (z[b] - z[pa]) / (d[b] - d[pa])
            if (np.isfinite(lost) and lost < opts.merge_m
                    and (d[a] - d[pb] <= opts.merge_gap_m or whole >= opts.min_mean_grade_pct)):
                out[-1] = (pa, b)
                continue
        out.append((int(a), int(b)))
    return out


def _trim(z: np.ndarray, a: int, b: int, sgn: float) -> tuple[int, int]:
    """The ends of the side ``a .. b`` moved to its floor and its top: the smoothed grade can
    keep the class a little past the top (or before the floor)."""
    seg = sgn * z[a:b + 1]
    if not np.isfinite(seg).any():
        return a, b
    top = int(np.nanargmax(seg))
    floor = int(np.nanargmin(seg[:top + 1]))
    return a + floor, a + top


def _step_sums(start_s: np.ndarray, end_s: np.ndarray, steps: pd.DataFrame | None, load_cols: list[str]):
    """Number of steps and the sum of each load column over each climb's time span."""
    n = len(start_s)
    if steps is None or "time_s" not in steps or len(steps) == 0:
        return np.zeros(n, np.int64), {c: np.full(n, np.nan) for c in load_cols}
    st = pd.to_numeric(steps["time_s"], errors="coerce").to_numpy(float)
    order = np.argsort(np.nan_to_num(st, nan=np.inf), kind="stable")
    st_sorted = st[order]
    i0 = np.searchsorted(st_sorted, start_s, side="left")
    i1 = np.searchsorted(st_sorted, end_s, side="left")
    count = (i1 - i0).astype(np.int64)
    sums = {}
    for c in load_cols:  # one cumulative sum per load column
        v = np.nan_to_num(pd.to_numeric(steps[c], errors="coerce").to_numpy(float)[order])
        cum = np.r_[0.0, np.cumsum(v)]
        sums[c] = cum[i1] - cum[i0]
    return count, sums


def _with_loads(frame: pd.DataFrame, load_cols: list[str]) -> pd.DataFrame:
    if not load_cols:
        return frame
    return pd.concat([frame, pd.DataFrame({c: np.empty(0) for c in load_cols})], axis=1)


def climb_totals(climbs: pd.DataFrame) -> dict:
    """Per-run totals of a climbs table for a summary: counts, metres and distance on climbs
    and descents, and the steepest mean grade."""
    up = climbs[climbs["kind"] == "climb"] if len(climbs) else climbs
    down = climbs[climbs["kind"] == "descent"] if len(climbs) else climbs
    return {
        "n_climbs": int(len(up)),
        "climb_gain_m": float(up["gain_m"].sum()) if len(up) else 0.0,
        "climb_length_m": float(up["length_m"].sum()) if len(up) else 0.0,
        "n_descents": int(len(down)),
        "descent_loss_m": float(down["gain_m"].sum()) if len(down) else 0.0,
        "descent_length_m": float(down["length_m"].sum()) if len(down) else 0.0,
        "steepest_climb_pct": float(up["mean_grade_pct"].max()) if len(up) else float("nan"),
    }
