"""Elevation gain and loss by hysteresis counting of the turning points of a profile."""

from __future__ import annotations

import numpy as np

from .classes import _runs


def elevation_gain_loss(altitude_m: np.ndarray, hysteresis_m: float) -> tuple[float, float, np.ndarray]:
    """Total climb and descent with a vertical hysteresis (persistence simplification).

    Turning points of the profile whose swing is smaller than ``hysteresis_m`` are removed in
    rounds (each round removes every pair of adjacent turning points whose swing is a local
    minimum below the threshold, vectorised), until every remaining swing is at least
    ``hysteresis_m``. Gain is the sum of the remaining up-swings: a hill counts in full
    (trough to peak), noise smaller than the threshold counts nothing. This is the
    threshold-counting approach of barometric altimeters, made order-independent.

    Parameters
    ----------
    altitude_m : ndarray
        Profile on a uniform grid; NaN splits it into independent parts.
    hysteresis_m : float
        Smallest swing counted, m.

    Returns
    -------
    gain_m, loss_m : float
        Positive numbers (NaN when the profile has fewer than 2 finite points).
    clean_m : ndarray
        The simplified profile (linear between the retained turning points), NaN where the
        input is NaN; its positive increments sum to ``gain_m``.
    """
    y = np.asarray(altitude_m, float)
    clean = np.full(y.shape, np.nan)
    finite = np.isfinite(y)
    if finite.sum() < 2:
        return float("nan"), float("nan"), clean
    starts, stops = _runs(finite.astype(np.int8))
    # each finite part is simplified on its own; part boundaries are always kept (they are ends)
    ends = np.zeros(y.size, bool)
    fin_runs = finite[starts]
    ends[starts[fin_runs]] = True
    ends[stops[fin_runs] - 1] = True
    idx = np.flatnonzero(finite)
    part_of = np.cumsum(np.r_[0, np.diff(finite.astype(np.int8)) == 1])  # part id per sample
    part = part_of[idx]
    idx = _turning_points_parts(y, idx, part, ends)
    for _ in range(200):  # rounds; each removes at least the smallest swing below threshold
        v = y[idx]
        same_part = part_of[idx][1:] == part_of[idx][:-1]
        swing = np.abs(np.diff(v))
        swing = np.where(same_part, swing, np.inf)
        small = swing < hysteresis_m
        if not small.any():
            break
        is_end = ends[idx]
        left = np.r_[np.inf, swing[:-1]]
        right = np.r_[swing[1:], np.inf]
        cand = small & (swing < left) & (swing <= right)
        drop = np.zeros(idx.size, bool)
        # interior pair: drop both turning points; pair touching an end: drop the interior one
        a_end, b_end = is_end[:-1], is_end[1:]
        both_interior = cand & ~a_end & ~b_end
        drop[:-1] |= both_interior
        drop[1:] |= both_interior
        drop[1:] |= cand & a_end & ~b_end
        drop[:-1] |= cand & ~a_end & b_end
        if not drop.any():
            # only end-to-end swings remain below threshold: nothing more to simplify
            break
        idx = _turning_points_parts(y, idx[~drop], part_of[idx[~drop]], ends)
    v = y[idx]
    same_part = part_of[idx][1:] == part_of[idx][:-1]
    dv = np.where(same_part, np.diff(v), 0.0)
    # after simplification every swing is >= hysteresis_m, except a part made of its two ends
    # only; such a part climbs less than the threshold and counts nothing
    dv = np.where(np.abs(dv) >= hysteresis_m, dv, 0.0)
    gain = float(dv[dv > 0].sum())
    loss = float(-dv[dv < 0].sum())
    x = np.arange(y.size, dtype=float)
    clean_all = np.interp(x, idx.astype(float), v)
    clean = np.where(finite, clean_all, np.nan)
    return gain, loss, clean


def _turning_points_parts(y: np.ndarray, idx: np.ndarray, part: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Turning points of ``y[idx]`` within each finite part (``part`` ids), keeping part ends.

    Exact repeats are dropped first, so that inside a part every increment has a sign and the
    points kept (reversals and ends) alternate between peaks and troughs.
    """
    if idx.size <= 2:
        return idx
    d = np.diff(y[idx])
    same = part[1:] == part[:-1]
    repeat = np.r_[False, same & (d == 0)] & ~ends[idx]
    if repeat.any():
        idx, part = idx[~repeat], part[~repeat]
        if idx.size <= 2:
            return idx
        d = np.diff(y[idx])
        same = part[1:] == part[:-1]
    sgn = np.where(same, np.sign(d), 0.0)
    keep = ends[idx].copy()
    keep[0] = keep[-1] = True
    keep[1:-1] |= (sgn[:-1] * sgn[1:]) < 0
    return idx[keep]
