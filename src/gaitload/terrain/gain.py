"""Elevation gain and loss by hysteresis counting of the turning points of a profile, and why
they differ from a device's own totals."""

from __future__ import annotations

import numpy as np

from .classes import label_runs
from .smoothing import gaussian_smooth


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
    starts, stops = label_runs(finite.astype(np.int8))
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
    # the simplified profile climbs exactly what was counted: a sub-threshold swing left between
    # two ends is flattened (across parts the true jump is kept; it is never counted)
    level = v[0] + np.r_[0.0, np.cumsum(np.where(same_part, dv, np.diff(v)))] if v.size else v
    clean_all = np.interp(x, idx.astype(float), level)
    clean = np.where(finite, clean_all, np.nan)
    return gain, loss, clean


def gain_in_time(time_s: np.ndarray, altitude_m: np.ndarray, hysteresis_m: float, sigma_s: float,
                 step_s: float = 1.0) -> tuple[float, float, np.ndarray, np.ndarray]:
    """Gain and loss counted the way a watch counts them: in time order, on its altitude.

    The altitude samples (in time order; pauses and standstills included, so a climb made
    while the timer was stopped counts as its net change) are put on a uniform ``step_s``
    clock (linear between samples: a smart-recording watch's 1-8 s gaps), low-passed by a
    Gaussian of ``sigma_s`` (an altimeter's own short low-pass) and counted with
    :func:`elevation_gain_loss` at ``hysteresis_m``.

    Parameters
    ----------
    time_s : ndarray
        Sample times, s, non-decreasing.
    altitude_m : ndarray
        Altitude at those times, m (NaN samples are skipped).
    hysteresis_m : float
        Smallest swing counted, m.
    sigma_s : float
        Standard deviation of the Gaussian low-pass, s (0: none).
    step_s : float
        Clock step, s.

    Returns
    -------
    gain_m, loss_m : float
        NaN with fewer than 2 finite samples.
    clock_s : ndarray
        The uniform clock, s.
    clean_m : ndarray
        The simplified profile on that clock (linear between the turning points counted).
    """
    t = np.asarray(time_s, float)
    a = np.asarray(altitude_m, float)
    ok = np.isfinite(t) & np.isfinite(a)
    if ok.sum() < 2:
        return float("nan"), float("nan"), np.empty(0), np.empty(0)
    t, a = t[ok], a[ok]
    # at most ~10^7 clock ticks (115 days at 1 s): a garbled clock would ask for more
    step = max(float(step_s), (t[-1] - t[0]) / 1e7)
    clock = np.arange(t[0], t[-1] + step / 2, step)
    z = np.interp(clock, t, a)
    if sigma_s > 0 and z.size > 1:
        z = gaussian_smooth(z, sigma_s / step)
    gain, loss, clean = elevation_gain_loss(z, hysteresis_m)
    return gain, loss, clock, clean


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


def device_totals(metadata: dict) -> tuple[float, float] | None:
    """The device's total ascent and descent (m) over the kept sessions, or None."""
    sessions = [s for s in (metadata or {}).get("sessions") or []
                if isinstance(s, dict) and s.get("kept", True) and s.get("total_ascent_m") is not None]
    if not sessions:
        return None
    up = float(sum(s["total_ascent_m"] for s in sessions))
    down = float(sum(s.get("total_descent_m") or 0.0 for s in sessions))
    return up, down


def explain_gain(gain_m: float, loss_m: float, device: tuple[float, float], gain_profile: np.ndarray | None,
                 raw_alt: np.ndarray, hysteresis_m: float, smoothing: str, tol_pct: float = 5.0,
                 time_series: tuple[np.ndarray, np.ndarray] | None = None, sigma_s: float = 0.0,
                 raw_time_s: np.ndarray | None = None, tol_m: float = 2.0) -> dict:
    """Compare our totals with the device's and, when they differ by more than ``tol_pct``, say
    which threshold or smoothing explains it.

    The same counting is redone with other vertical thresholds and, for a count in time
    (``time_series`` given: the (time s, altitude m) samples :func:`gain_in_time` counted with
    ``sigma_s``), other low-pass widths (the device's altimeter may filter more or less than
    its recorded altitude shows); otherwise on our distance profile ``gain_profile`` and on the
    raw samples in time order. The first variant within ``tol_pct`` of the device names the
    cause, with its numbers. When none is, and the recorded altitude's net change disagrees
    with the device's ascent minus descent, the device counted on an altitude it did not
    record (re-calibrated during the run). ``raw_time_s`` (the times of ``raw_alt``) lets the
    count in time be redone on the recorded altitude as it is, with the steps across pauses
    that our cleaning removed (no walk explains them) left in. A difference of at most
    ``tol_m`` metres needs no explanation (the device's total is whole metres).

    Returns
    -------
    dict
        ``device_ascent_m``, ``device_descent_m``, ``ascent_diff_pct``, ``descent_diff_pct`` and
        ``note`` (empty when within ``tol_pct``).
    """
    up, down = device
    d_up = 100.0 * (gain_m / up - 1) if up > 0 else float("nan")
    d_down = 100.0 * (loss_m / down - 1) if down > 0 else float("nan")
    out = {"device_ascent_m": up, "device_descent_m": down, "ascent_diff_pct": round(d_up, 1),
           "descent_diff_pct": round(d_down, 1) if np.isfinite(d_down) else None, "note": ""}
    # a device's total is whole metres and ours counts swings of a metre or more: a difference of
    # two metres is resolution, whatever percentage it makes of a small total (judgement)
    if not np.isfinite(d_up) or abs(d_up) <= tol_pct or abs(gain_m - up) <= tol_m:
        return out
    ours = f"ours {gain_m:.0f} m vs the device's {up:.0f} m ({d_up:+.1f} %)"
    raw = np.asarray(raw_alt, float)
    raw = raw[np.isfinite(raw)]
    # the smallest change first: thresholds nearest ours, then other smoothing
    near = sorted((0.5, 1.0, 2.0, 3.0, 5.0, 8.0), key=lambda h: abs(h - hysteresis_m))
    if time_series is not None:
        t, a = time_series
        widths = sorted((0.0, 1.0, 2.0, 4.0, 6.0, 8.0, 15.0, 30.0), key=lambda w: abs(w - sigma_s))
        candidates = [(f"counting swings of >= {h:g} m (ours: {hysteresis_m:g} m) after the same "
                       f"{sigma_s:g} s low-pass", sigma_s, h) for h in near if h != hysteresis_m]
        candidates += [(f"a {w:g} s low-pass of the recorded altitude (ours: {sigma_s:g} s) before counting "
                        f"swings of >= {hysteresis_m:g} m", w, hysteresis_m) for w in widths if w != sigma_s]
        series = [(t, a)] * len(candidates)
        if raw_time_s is not None:
            candidates.append(("counting the recorded altitude as it is, with the altitude steps across pauses "
                               "that no walk explains (removed by ours) left in", sigma_s, hysteresis_m))
            series.append((raw_time_s, raw_alt))
        for (text, w, h), (ts, al) in zip(candidates, series):  # a dozen recounts of one series, each O(n)
            g = gain_in_time(ts, al, h, w)[0]
            if np.isfinite(g) and abs(100.0 * (g / up - 1)) <= tol_pct:
                out["note"] = f"{ours}: the device's total matches {text}: {g:.0f} m"
                return out
    else:
        candidates = [(f"counting swings of >= {h:g} m (ours: {hysteresis_m:g} m) on our {smoothing} profile",
                       gain_profile, h) for h in near if h != hysteresis_m]
        candidates += [(f"counting swings of >= {h:g} m on the raw altitude samples in time order (no smoothing, "
                        "standing and paused samples included)", raw, h) for h in near[:5]]
        for text, profile, h in candidates:  # a dozen recounts of one profile, each O(n)
            g, _, _ = elevation_gain_loss(profile, h)
            if np.isfinite(g) and abs(100.0 * (g / up - 1)) <= tol_pct:
                out["note"] = f"{ours}: the device's total matches {text}: {g:.0f} m"
                return out
    net_dev = up - down
    net_rec = float(raw[-1] - raw[0]) if raw.size >= 2 else float("nan")
    # (a device that reports no descent at all has no net change to compare)
    if down > 0 and np.isfinite(net_rec) and abs(net_rec - net_dev) > max(5.0, tol_pct / 100.0 * up):
        out["note"] = (f"{ours}: the recorded altitude ends {net_rec:+.0f} m from its start while the device's "
                       f"ascent minus descent is {net_dev:+.0f} m: the device counted on an altitude it did not "
                       "record (re-calibrated during the run)")
    else:
        out["note"] = (f"{ours}: no threshold from 0.5 to 8 m, with or without our smoothing, reproduces the "
                       "device's total: its altitude filter is unlike ours")
    return out
