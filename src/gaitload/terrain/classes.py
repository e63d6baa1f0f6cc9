"""Terrain classes (uphill / flat / downhill / unknown) and the segments table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import SEGMENT_COLUMNS, empty_segments


def label_runs(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start (inclusive) and stop (exclusive) of each run of equal labels."""
    if labels.size == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    change = np.flatnonzero(labels[1:] != labels[:-1]) + 1
    starts = np.concatenate([[0], change])
    stops = np.concatenate([change, [labels.size]])
    return starts, stops


def ffill(x: np.ndarray) -> np.ndarray:
    """``pd.Series(x).ffill().to_numpy()``: each NaN takes the last non-NaN value before it
    (NaN before the first), from a running maximum of indices."""
    valid = ~np.isnan(x)
    last = np.where(valid, np.arange(x.size), -1)
    np.maximum.accumulate(last, out=last)
    return np.where(last >= 0, x[np.maximum(last, 0)], np.nan)


def bfill(x: np.ndarray) -> np.ndarray:
    """``pd.Series(x).bfill().to_numpy()`` (:func:`ffill` of the reversed series)."""
    return ffill(x[::-1])[::-1]


CLASS_NAMES = np.array(["downhill", "flat", "uphill", "unknown"], dtype=object)


DOWN, FLAT, UP, UNKNOWN = 0, 1, 2, 3


def classify_grade(grade_pct: np.ndarray, distance_m: np.ndarray | None = None, *,
                   flat_band_pct: float = 2.0, hysteresis_pct: float = 0.5,
                   min_segment_m: float = 50.0) -> np.ndarray:
    """Uphill / flat / downhill / unknown for a grade series, with hysteresis and minimum length.

    Raw decisions are taken only outside a dead band of width ``hysteresis_pct`` centred on
    +-``flat_band_pct``; points inside it keep the last decision (a Schmitt trigger, done as a
    forward fill of decisive points). Runs shorter than ``min_segment_m`` are then split at their
    middle between the neighbouring long runs (NaN grade stays ``unknown`` and is never absorbed).
    Last, each run of one class takes the class of its own mean grade against the flat band
    (uphill above +``flat_band_pct``, downhill below -``flat_band_pct``, else flat), so that no
    run held through the dead band or grown by merging contradicts its mean grade.

    Parameters
    ----------
    grade_pct : ndarray
        Grade, % (NaN = unknown).
    distance_m : ndarray, optional
        Distance of each point, m (non-decreasing); without it, no minimum length is applied.
    flat_band_pct, hysteresis_pct, min_segment_m : float
        See :class:`TerrainOptions`.

    Returns
    -------
    ndarray of object
        ``"uphill"``, ``"flat"``, ``"downhill"`` or ``"unknown"`` per point.
    """
    return CLASS_NAMES[classify_codes(grade_pct, distance_m, flat_band_pct=flat_band_pct,
                                        hysteresis_pct=hysteresis_pct, min_segment_m=min_segment_m)]


def class_labels(code: np.ndarray):
    """``CLASS_NAMES[code]`` as pandas stores it in a column, for a steps or profile table.

    pandas infers a column type from every object of an object array (strings become its
    string type, ~40 ms per million rows); the four class names are inferred once and taken by
    code instead. An empty array stays object, as inference leaves it.
    """
    if code.size == 0:
        return CLASS_NAMES[code]
    return pd.Series(CLASS_NAMES).array.take(code)


def classify_codes(grade_pct: np.ndarray, distance_m: np.ndarray | None = None, *,
                    flat_band_pct: float, hysteresis_pct: float, min_segment_m: float) -> np.ndarray:
    """:func:`classify_grade` as codes into ``CLASS_NAMES`` (int64)."""
    g = np.asarray(grade_pct, float)
    n = g.size
    if n == 0:
        return np.array([], dtype=np.int64)
    hi, lo = flat_band_pct + hysteresis_pct / 2, max(flat_band_pct - hysteresis_pct / 2, 0.0)
    code = np.full(n, np.nan)
    code[g > hi] = UP
    code[g < -hi] = DOWN
    code[np.abs(g) < lo] = FLAT
    if flat_band_pct == 0:
        code[g == 0] = FLAT
    unknown = ~np.isfinite(g)
    code[unknown] = UNKNOWN
    state = bfill(ffill(code))
    state[np.isnan(state)] = FLAT  # no decisive point at all
    state[unknown] = UNKNOWN
    state = state.astype(np.int64)
    if distance_m is not None and min_segment_m > 0 and n > 1:
        state = _merge_short_runs(state, np.asarray(distance_m, float), min_segment_m)
    return _class_of_run_mean(state, g, flat_band_pct)


def _class_of_run_mean(state: np.ndarray, g: np.ndarray, flat_band_pct: float) -> np.ndarray:
    """Each run of one class relabelled by its own mean grade against the flat band.

    The hysteresis (a run holds its class through the dead band) and the merging of short runs
    into their neighbours can leave a run whose mean grade says otherwise (an "uphill" run of
    mean +1.3 %, a "flat" one of +6.5 %, seen on real watch files); the segments table reports
    that mean beside the class, and the uphill / flat / downhill rules read the class, so the
    run's mean decides. Adjacent runs that end up in one class join; their joint mean is a
    length-weighted mean of means on the same side of the band, so it agrees as well.
    Unknown runs (NaN grade) stay unknown.
    """
    starts, stops = label_runs(state)
    if starts.size == 0:
        return state
    fin = np.isfinite(g)
    cnt = np.add.reduceat(fin.astype(float), starts)
    total = np.add.reduceat(np.where(fin, g, 0.0), starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / cnt
    by_mean = np.where(mean > flat_band_pct, UP, np.where(mean < -flat_band_pct, DOWN, FLAT))
    label = state[starts]
    new = np.where((label != UNKNOWN) & (cnt > 0), by_mean, label)
    if (new == label).all():
        return state
    return np.repeat(new, stops - starts).astype(np.int64)


def _merge_short_runs(state: np.ndarray, dist: np.ndarray, min_len_m: float) -> np.ndarray:
    starts, stops = label_runs(state)
    if starts.size < 2:
        return state
    step = np.median(np.diff(dist)) if dist.size > 1 else 0.0
    length = dist[stops - 1] - dist[starts] + step
    label = state[starts]
    keep = (length >= min_len_m) | (label == UNKNOWN)
    if keep.all() or not (keep & (label != UNKNOWN)).any():
        return state
    run_label = np.where(keep, label, -1).astype(float)
    run_label[run_label < 0] = np.nan
    # neighbours' classes: the nearest long run before and after (unknown not used as a filler)
    known = np.where(run_label != UNKNOWN, run_label, np.nan)
    prev_lab = ffill(known)
    next_lab = bfill(known)
    prev_lab = np.where(np.isnan(prev_lab), next_lab, prev_lab)
    next_lab = np.where(np.isnan(next_lab), prev_lab, next_lab)
    # group consecutive short runs: split the whole group at its middle
    grp = np.cumsum(keep)
    run_idx = np.repeat(np.arange(starts.size), stops - starts)
    g_of_cell = grp[run_idx]
    short_cell = ~keep[run_idx]
    d = dist
    # the group numbers never decrease along the cells, so each group is one contiguous block:
    # its smallest and largest distance by reduceat (fmin/fmax skip NaN, as a group-by does)
    g_short, d_short = g_of_cell[short_cell], d[short_cell]
    first = np.flatnonzero(np.r_[True, g_short[1:] != g_short[:-1]])
    size = np.diff(np.r_[first, g_short.size])
    g_start = np.repeat(np.fmin.reduceat(d_short, first), size)
    g_stop = np.repeat(np.fmax.reduceat(d_short, first), size)
    first_half = d[short_cell] <= 0.5 * (g_start + g_stop)
    fill = np.where(first_half, prev_lab[run_idx][short_cell], next_lab[run_idx][short_cell])
    out = state.copy()
    out[short_cell] = np.where(np.isnan(fill), state[short_cell], fill).astype(np.int64)
    return out


def grid_segments(dist: np.ndarray, time: np.ndarray, terrain: np.ndarray, grade: np.ndarray,
              clean_alt: np.ndarray) -> pd.DataFrame:
    """Segments table from per-point classes (points on the distance grid)."""
    if terrain.size == 0:
        return empty_segments()
    starts, stops = label_runs(terrain)
    # a segment runs from its first point to the first point of the next one (the last to the end)
    end_idx = np.minimum(stops, terrain.size - 1)
    start_m = dist[starts]
    end_m = dist[end_idx]
    dalt = np.diff(clean_alt, append=np.nan)
    dalt = np.where(np.isfinite(dalt), dalt, 0.0)
    gain = np.add.reduceat(np.clip(dalt, 0, None), starts)
    loss = np.add.reduceat(np.clip(-dalt, 0, None), starts)
    g = np.where(np.isfinite(grade), grade, 0.0)
    cnt = np.add.reduceat(np.isfinite(grade).astype(float), starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_grade = np.where(cnt > 0, np.add.reduceat(g, starts) / cnt, np.nan)
    return _segment_frame({
        "start_s": time[starts],
        "end_s": np.where(stops < terrain.size, time[end_idx], time[-1]),
        "start_m": start_m,
        "end_m": end_m,
        "length_m": end_m - start_m,
        "terrain": terrain[starts],
        "mean_grade_pct": mean_grade,
        "gain_m": np.where(terrain[starts] == "unknown", np.nan, gain + 0.0),
        "loss_m": np.where(terrain[starts] == "unknown", np.nan, loss + 0.0),
    })


def _segment_frame(columns: dict) -> pd.DataFrame:
    """The segments table from its columns (``SEGMENT_COLUMNS`` order), built in its dtypes.

    Float columns as they are, ``terrain`` as an object column: building the frame and then
    casting it with ``astype(SEGMENT_COLUMNS)`` cost ten times as much (a string column
    inferred, then converted back).
    """
    return pd.DataFrame({c: pd.Series(columns[c], dtype=t, copy=False) if t == "object"
                         else np.asarray(columns[c], dtype=t) for c, t in SEGMENT_COLUMNS.items()})


def segments_by_time(step_t: np.ndarray, terrain: np.ndarray, grade: np.ndarray) -> pd.DataFrame:
    if step_t.size == 0:
        return empty_segments()
    starts, stops = label_runs(terrain)
    g = np.where(np.isfinite(grade), grade, 0.0)
    cnt = np.add.reduceat(np.isfinite(grade).astype(float), starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_grade = np.where(cnt > 0, np.add.reduceat(g, starts) / cnt, np.nan)
    nan = np.full(starts.size, np.nan)
    return _segment_frame({
        "start_s": step_t[starts], "end_s": np.r_[step_t[starts[1:]], step_t[-1]],
        "start_m": nan, "end_m": nan, "length_m": nan, "terrain": terrain[starts],
        "mean_grade_pct": mean_grade, "gain_m": nan, "loss_m": nan,
    })
