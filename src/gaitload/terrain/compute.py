"""The terrain stage end to end: :func:`compute_terrain`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..notice import Notice
from ..errors import OptionError, ResourceLimitError
from ..recording import Recording
from ..schema import float_column
from .altitude import usable_altitude
from .classes import CLASS_NAMES, UNKNOWN, class_labels, classify_codes, grid_segments, segments_by_time
from .gain import device_totals, explain_gain
from .distance import (MAX_GRID_DISTANCE_M, cumulative_distance, fill_nan_linear, find_channel, sample_speed,
                       speed_from_distance, untimed_breaks_s)
from .grade import altitude_source_of, grade_from_altitude, grade_from_imu, incline_at
from .options import TerrainOptions, TerrainResult


def _is_treadmill(rec: Recording) -> bool:
    """The file says it is a treadmill run (FIT sport / sub-sport, or a reader's metadata)."""
    md = rec.metadata or {}
    return any("treadmill" in str(md.get(k) or "").lower() for k in ("sport", "sub_sport", "activity_type"))


def _step_speed(steps: pd.DataFrame, step_t: np.ndarray, rec: Recording, per_sample: np.ndarray | None
                ) -> np.ndarray:
    """Speed per step: the step's measured speed, else the recording's speed at the step time
    (``per_sample``: :func:`~gaitload.terrain.distance.sample_speed`, the file's speed channel
    or the derivative of terrain's distance; None without either)."""
    out = float_column(steps, "speed_mps").copy() if "speed_mps" in steps else np.full(len(steps), np.nan)
    missing = ~np.isfinite(out)
    if missing.any() and per_sample is not None:
        ok = np.isfinite(per_sample)
        if ok.all():  # the usual case: the knots as they are (no copies of every sample)
            out[missing] = np.interp(step_t[missing], rec.time_s, per_sample)  # only where needed
        elif ok.sum() >= 2:
            out[missing] = np.interp(step_t[missing], rec.time_s[ok], per_sample[ok])
    return np.where(np.isfinite(step_t), out, np.nan)


def compute_terrain(recording: Recording, steps: pd.DataFrame | None, *, incline_pct=None,
                    options: TerrainOptions | None = None) -> TerrainResult:
    """Distance, smoothed altitude, grade and terrain class under every step; segments; gain.

    Parameters
    ----------
    recording : Recording
        Any placement; uses channels ``distance``, ``speed``, ``latitude``/``longitude``,
        ``altitude``, ``incline``, ``grade`` when present, and ``metadata["altitude_source"]``
        (``"barometric"``, ``"gps"`` or ``"unknown"``).
    steps : DataFrame or None
        Steps table with ``time_s`` (s); for foot IMUs also ``stride_length_m``,
        ``stride_rise_m``, ``measured``, ``foot``.
    incline_pct : None, float or DataFrame
        Known incline (treadmill), %: a constant, or a schedule with ``time_s`` or ``distance_m``
        and ``incline_pct`` columns (piecewise constant from each row on; NaN before the first
        row). Overrides altitude. A recording whose metadata names a treadmill (sport or
        sub-sport) and has no incline is level.
    options : TerrainOptions, optional

    Returns
    -------
    TerrainResult

    Raises
    ------
    OptionError
        An unusable option or incline schedule.
    """
    opts = options or TerrainOptions()
    opts.validate()
    rec = recording
    t = rec.time_s
    warnings: list[str] = []
    prov: dict = {}

    if steps is None:
        steps = pd.DataFrame({"time_s": pd.Series(dtype=float)})
    if "time_s" not in steps:
        raise OptionError("steps table has no 'time_s' column")
    step_t = float_column(steps, "time_s")

    # -- 1. distance ------------------------------------------------------------------------
    dist, dist_src, w = cumulative_distance(rec, steps, opts)
    warnings += w
    have_dist = dist_src != "none"
    prov["distance"] = dist_src
    total_dist = float(dist[-1]) if have_dist else float("nan")
    if not have_dist:
        warnings.append(Notice("no distance source (distance, speed, GPS or foot-IMU stride length): distance unknown",
                               "distance-unknown"))

    # moving samples: distance grows and speed is above standstill
    v = None
    if have_dist:
        v = speed_from_distance(t, dist)
        moving = v >= opts.standstill_speed_mps
        moving[1:] &= dist[1:] > dist[:-1]  # distance grows
        moving[0] = True
        # strictly increasing distance among moving samples (see docstring of the module); a
        # boolean mask, not indices: selecting with it is one streaming pass
        dist_mv = dist[moving]
        rising = dist_mv[1:] > dist_mv[:-1]
        if not rising.all():
            moving[np.flatnonzero(moving)[1:][~rising]] = False
            dist_mv = dist[moving]
        n_moving = dist_mv.size
        # a garbled speed or distance (1e300 m) would ask for an astronomically long grid
        if total_dist > MAX_GRID_DISTANCE_M:  # (inf included; NaN keeps its old one-cell grid)
            raise ResourceLimitError(f"the recording's distance comes to {total_dist:.3g} m, more than the "
                                     f"{MAX_GRID_DISTANCE_M / 1000:,.0f} km gaitload puts on one terrain grid")
        n_cells = int(np.floor(total_dist / opts.grid_step_m)) + 1 if total_dist > 0 else 1
        grid_d = np.arange(n_cells) * opts.grid_step_m
        grid_t = np.interp(grid_d, dist_mv, t[moving]) if n_moving >= 2 else np.zeros(n_cells)
    else:
        moving, n_moving = np.zeros(t.shape, bool), 0
        grid_d = np.empty(0)
        grid_t = np.empty(0)
    step_d = np.interp(step_t, t, dist) if have_dist else np.full(step_t.shape, np.nan)
    step_d = np.where(np.isfinite(step_t), step_d, np.nan)

    grid_alt = np.full(grid_d.shape, np.nan)
    grid_grade = np.full(grid_d.shape, np.nan)
    clean_alt = np.full(grid_d.shape, np.nan)
    gain_alt = None  # the profile the totals are counted on, when not clean_alt
    gain = loss = float("nan")
    step_grade = np.full(step_t.shape, np.nan)
    step_alt = None
    window_m = None
    grade_from_incline = False

    # -- 4. given incline overrides everything -------------------------------------------------
    incline_ch, incline_name = find_channel(rec, "incline")
    treadmill_level = (incline_pct is None and _is_treadmill(rec)
                       and (incline_ch is None or not np.isfinite(incline_ch).any()))
    if treadmill_level:
        # a belt has no hills: without a stated incline it is level, whatever a watch's
        # barometer or GPS wandered indoors
        incline_pct = 0.0
        warnings.append(Notice("treadmill without a stated incline: taken as level (give --incline if it was not)",
                               "treadmill-level"))
    if incline_pct is not None:
        step_grade, grid_grade, how = incline_at(incline_pct, step_t, step_d, grid_d, grid_t)
        prov["altitude"] = "not used (given incline)"
        prov["grade"] = "given incline"
        prov["incline"] = "treadmill without stated incline: level" if treadmill_level else how
        grade_from_incline = True
    elif incline_ch is not None and np.isfinite(incline_ch).any():
        ok = np.isfinite(incline_ch)
        ti, vi = t[ok], incline_ch[ok]

        def hold(x):
            pos = np.searchsorted(ti, x, side="right") - 1
            return np.where(np.isfinite(x), vi[np.clip(pos, 0, None)], np.nan)

        step_grade, grid_grade = hold(step_t), hold(grid_t)
        prov["altitude"] = "not used (given incline)"
        prov["grade"] = f"given incline (recording channel '{incline_name}')"
        grade_from_incline = True

    if grade_from_incline:
        big = np.abs(grid_grade) > opts.max_abs_grade_pct
        if np.any(np.abs(step_grade[np.isfinite(step_grade)]) > opts.max_abs_grade_pct) or big.any():
            warnings.append(Notice(f"incline beyond +-{opts.max_abs_grade_pct:g} % (hiking/scrambling terrain)",
                                   "steep-grade"))
        if grid_d.size:
            # virtual altitude of the treadmill: the climb the belt represents
            dz = np.r_[0.0, np.diff(grid_d)] * np.nan_to_num(np.r_[grid_grade[:1], grid_grade[:-1]]) / 100
            grid_alt = np.cumsum(dz)
            clean_alt = grid_alt.copy()
            dz_pos = np.diff(grid_alt)
            gain, loss = float(dz_pos[dz_pos > 0].sum()), float(-dz_pos[dz_pos < 0].sum())
        window_m = None
    else:
        alt_raw, alt_name = find_channel(rec, "altitude")
        alt = usable_altitude(alt_raw, warnings) if alt_raw is not None else None
        src = altitude_source_of(rec)
        rise_ok = ("stride_rise_m" in steps and "stride_length_m" in steps
                   and np.isfinite(float_column(steps, "stride_rise_m")).sum() >= 4)
        grade_ch, _ = find_channel(rec, "grade")
        if alt is not None and have_dist and n_moving >= 3:
            device = device_totals(rec.metadata)
            grid_alt, grid_grade, clean_alt, gain, loss, info, w = grade_from_altitude(
                dist, alt, moving, grid_d, src, opts, time_s=t, lat=find_channel(rec, "latitude")[0],
                lon=find_channel(rec, "longitude")[0], breaks_s=untimed_breaks_s(rec), device_total=device is not None)
            warnings += w
            gain_alt = info["gain_clean"]
            window_m = info["window_m"]
            prov["altitude"] = info["altitude"]
            prov["altitude_gps_like"] = bool(info["gps_like"])  # decides the GPS-only warning downstream
            prov["grade"] = f"smoothed altitude: {info['smoother']}"
            prov["altitude_noise_m"] = info["altitude_noise_m"]
            prov["window_m_range"] = info["window_m_range"]
            if device is not None and np.isfinite(gain):
                prov["gain_vs_device"] = explain_gain(gain, loss, device, info["gain_profile"], alt, info["gain_hysteresis_m"],
                                                      info["gain_smoothing"], time_series=info["gain_in_time"],
                                                      sigma_s=info["gain_sigma_s"], raw_time_s=t)
                if prov["gain_vs_device"]["note"]:
                    warnings.append(Notice("elevation gain " + prov["gain_vs_device"]["note"], "gain-vs-device"))
        elif rise_ok and have_dist:
            grid_alt, grid_grade, clean_alt, gain, loss, info, w = grade_from_imu(steps, step_t, step_d, grid_d, opts)
            warnings += w
            window_m = opts.window_m_imu
            prov["altitude"] = "foot IMU strapdown (relative)"
            prov["grade"] = {"closure": "foot IMU strapdown, drift removed by track closure",
                             "floor": f"foot IMU strapdown, grades within +-{info['floor_pct']:g} % taken as level",
                             "none": "foot IMU strapdown"}[info["rule"]]
            prov["imu_drift"] = info
        elif grade_ch is not None and have_dist and np.isfinite(grade_ch).sum() >= 3 and n_moving >= 3:
            # device grade: integrate it into a relative altitude and smooth like a barometer
            g = fill_nan_linear(t, grade_ch.astype(float))
            pseudo = np.r_[0.0, np.cumsum(np.diff(dist) * 0.5 * (g[1:] + g[:-1]) / 100)]
            grid_alt, grid_grade, clean_alt, gain, loss, info, w = grade_from_altitude(
                dist, pseudo, moving, grid_d, "barometric", opts)
            warnings += w
            gain_alt = info["gain_clean"]
            window_m = info["window_m"]
            prov["altitude"] = "device grade channel integrated (relative)"
            prov["grade"] = f"device grade smoothed over {window_m:g} m"
        else:
            prov["altitude"] = "none"
            prov["grade"] = "none"
            if alt is not None and not have_dist:
                warnings.append(Notice("altitude present but no distance: grade unknown", "grade-unknown"))
            elif alt is None:
                warnings.append(Notice("no usable altitude, incline or foot-IMU rise: grade and terrain unknown",
                                       "grade-unknown"))
        # -- 2. per-step values: interpolate on the grid at the step's distance ---------------
        if grid_d.size:
            step_grade, step_alt = _interp_nan(step_d, grid_d, grid_grade, grid_alt)
    prov["window_m"] = window_m

    # -- 3. classes --------------------------------------------------------------------------
    # (as codes into CLASS_NAMES: the labels are taken once per table, see class_labels)
    if grid_d.size:
        grid_code = classify_codes(grid_grade, grid_d, flat_band_pct=opts.flat_band_pct,
                                    hysteresis_pct=opts.hysteresis_pct, min_segment_m=opts.min_segment_m)
        grid_terrain = CLASS_NAMES[grid_code]
        cell = np.clip(np.rint(np.nan_to_num(step_d, nan=-1) / opts.grid_step_m).astype(np.int64), 0, grid_d.size - 1)
        step_code = np.where(np.isfinite(step_d), grid_code[cell], UNKNOWN)
        if grade_from_incline:
            # a given incline is exact: no hysteresis needed per step
            step_code = classify_codes(step_grade, None, flat_band_pct=opts.flat_band_pct,
                                        hysteresis_pct=0.0, min_segment_m=0.0)
        segments = grid_segments(grid_d, grid_t, grid_terrain, grid_grade, clean_alt)
        if step_alt is None:  # (given incline: not interpolated with the grade above)
            step_alt = _interp_nan(step_d, grid_d, grid_alt)
    else:
        grid_code = np.array([], dtype=np.int64)
        step_code = classify_codes(step_grade, None, flat_band_pct=opts.flat_band_pct,
                                    hysteresis_pct=0.0 if grade_from_incline else opts.hysteresis_pct,
                                    min_segment_m=0.0)
        segments = segments_by_time(step_t, CLASS_NAMES[step_code], step_grade)
        step_alt = np.full(step_t.shape, np.nan)

    # the one speed rule (terrain.distance.recording_speed): the file's speed, else the
    # derivative of terrain's distance (already computed for the moving mask)
    per_sample = sample_speed(rec, dist, derived=v) if have_dist else None
    out = _with_columns(steps, {
        "distance_m": step_d, "altitude_m": step_alt, "grade_pct": step_grade, "terrain": class_labels(step_code),
        "speed_mps": _step_speed(steps, step_t, rec, per_sample)})
    # gain_altitude_m: the cleaned, counted profile whose rises sum to elevation_gain_m (laps
    # and splits take their climb from it, so that they add up to the summary's total)
    profile = pd.DataFrame({"distance_m": grid_d, "time_s": grid_t, "altitude_m": grid_alt,
                            "grade_pct": grid_grade, "terrain": class_labels(grid_code),
                            "gain_altitude_m": clean_alt if gain_alt is None else gain_alt})
    return TerrainResult(steps=out, segments=segments, profile=profile, distance_m=total_dist,
                         elevation_gain_m=gain, elevation_loss_m=loss, provenance=prov,
                         warnings=list(dict.fromkeys(warnings)))


def _with_columns(frame: pd.DataFrame, columns: dict) -> pd.DataFrame:
    """``frame`` with ``columns`` set as ``out[name] = values`` one by one on a copy would set them.

    Columns already present are replaced in place; the new ones are built as one frame and
    appended in one concat (each ``__setitem__`` of a new column costs ~0.3 ms of index work).
    """
    out = frame.copy(deep=False)  # copy-on-write: replacing a column never reaches ``frame``
    for name in [c for c in columns if c in frame.columns]:
        out[name] = columns[name]
    new = {c: v for c, v in columns.items() if c not in frame.columns}
    if not new:
        return out
    return pd.concat([out, pd.DataFrame(new, index=frame.index)], axis=1)


def _interp_nan(x: np.ndarray, xp: np.ndarray, *fps: np.ndarray) -> np.ndarray | tuple:
    """Linear interpolation that returns NaN next to NaN samples and outside ``xp``.

    Several ``fps`` on the same knots share the search: a tuple, one array per ``fp``.
    """
    if xp.size == 0:
        out = tuple(np.full(np.shape(x), np.nan) for _ in fps)
        return out if len(fps) > 1 else out[0]
    xq = np.nan_to_num(x, nan=-1.0)
    lo = np.clip(np.searchsorted(xp, xq, side="right") - 1, 0, xp.size - 1)
    hi = np.clip(lo + 1, 0, xp.size - 1)
    span = np.where(xp[hi] > xp[lo], xp[hi] - xp[lo], 1.0)
    frac = np.clip((xq - xp[lo]) / span, 0.0, 1.0)
    ok = np.isfinite(x) & (x >= xp[0] - 1e-9) & (x <= xp[-1] + 0.5 * (xp[1] - xp[0] if xp.size > 1 else 0.0))
    out = []
    for fp in fps:  # one or two series
        val = fp[lo] + frac * (fp[hi] - fp[lo])
        # next to a NaN neighbour use the finite one when the query is closer to it
        val = np.where(np.isnan(val), np.where(frac < 0.5, fp[lo], fp[hi]), val)
        out.append(np.where(ok, val, np.nan))
    return tuple(out) if len(fps) > 1 else out[0]
