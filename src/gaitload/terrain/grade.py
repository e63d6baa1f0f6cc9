"""Grade on the distance grid from altitude (barometric, GPS, unknown), a foot IMU, or a given incline."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..notice import Notice
from ..errors import OptionError
from ..geodesy import haversine_m
from ..recording import Recording
from ..schema import float_column, measured_column
from .altitude import bin_to_grid, clean_altitude_parts, fill_short_gaps
from .classes import ffill
from .distance import feet_of, intervals_across
from .gain import elevation_gain_loss, gain_in_time
from .imu_drift import remove_closure_drift, stride_outliers
from .options import TerrainOptions
from .smoothing import (ici_local_linear, l1_trend_filter, local_linear_fit, noise_sigma, robust_sigma, sample_noise_sigma,
                        whittaker_smooth)


def incline_at(incline_pct, step_t: np.ndarray, step_d: np.ndarray, grid_d: np.ndarray,
                grid_t: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """Given incline at the steps and on the grid (piecewise constant schedule)."""
    if isinstance(incline_pct, (int, float, np.floating, np.integer)) and not isinstance(incline_pct, bool):
        value = float(incline_pct)
        if not np.isfinite(value):
            raise OptionError(f"incline_pct must be a finite number, got {incline_pct!r}")
        return np.full(step_t.shape, value), np.full(grid_d.shape, value), f"given incline {value:g} %"
    if isinstance(incline_pct, pd.DataFrame):
        df = incline_pct
        if "incline_pct" not in df:
            raise OptionError("incline schedule needs an 'incline_pct' column")
        key = "time_s" if "time_s" in df else "distance_m" if "distance_m" in df else None
        if key is None:
            raise OptionError("incline schedule needs a 'time_s' or 'distance_m' column")
        k = pd.to_numeric(df[key], errors="coerce").to_numpy(float)
        v = pd.to_numeric(df["incline_pct"], errors="coerce").to_numpy(float)
        ok = np.isfinite(k) & np.isfinite(v)
        if not ok.any():
            raise OptionError("incline schedule has no row with numeric values")
        order = np.argsort(k[ok], kind="stable")
        k, v = k[ok][order], v[ok][order]

        def hold(x):
            pos = np.searchsorted(k, x, side="right") - 1
            out = v[np.clip(pos, 0, None)].astype(float)
            return np.where((pos >= 0) & np.isfinite(x), out, np.nan)

        if key == "time_s":
            return hold(step_t), hold(grid_t), "given incline schedule (by time)"
        return hold(step_d), hold(grid_d), "given incline schedule (by distance)"
    raise OptionError(f"incline_pct must be a number or a DataFrame schedule, got {type(incline_pct).__name__}")


def altitude_source_of(recording: Recording) -> str:
    src = str(recording.metadata.get("altitude_source", "unknown")).lower()
    if src.startswith("baro"):
        return "barometric"
    if src.startswith("gps"):
        return "gps"
    return "unknown"


def _high_frequency_noise(grid_m: np.ndarray, step_m: float) -> float:
    """Robust std (m) of a gridded altitude about its 50 m local linear fit: ~0.1-0.5 m for a
    barometer or a device-filtered GPS altitude, metres for raw GPS altitude."""
    lvl, _ = local_linear_fit(grid_m, max(int(round(25.0 / step_m)), 2))
    return robust_sigma(grid_m - lvl)


def gain_sigma_for(distance_m: np.ndarray, time_s: np.ndarray, opts: TerrainOptions) -> float:
    """The low-pass (s) a recording's altitude gets before its gain is counted in time:
    ``gain_sigma_s_foot`` when its median speed between samples is at most
    ``gain_foot_speed_mps`` (on foot), else ``gain_sigma_s`` (see those options for why)."""
    dt = np.diff(np.asarray(time_s, float))
    dd = np.diff(np.asarray(distance_m, float))
    ok = np.isfinite(dt) & np.isfinite(dd) & (dt > 0)
    if not ok.any():
        return float(opts.gain_sigma_s)
    speed = float(np.median(dd[ok] / dt[ok]))
    return float(opts.gain_sigma_s_foot if speed <= opts.gain_foot_speed_mps else opts.gain_sigma_s)


def grade_from_altitude(dist: np.ndarray, alt: np.ndarray, moving: np.ndarray, grid_d: np.ndarray,
                         src: str, opts: TerrainOptions, time_s: np.ndarray | None = None,
                         lat: np.ndarray | None = None, lon: np.ndarray | None = None,
                         breaks_s: np.ndarray | None = None, device_total: bool = False):
    """Steps 2 and 5 of the module docstring for one altitude series (``moving``: mask of the
    moving samples; ``breaks_s``: (start, end) rows of gaps no climb is credited across;
    ``device_total``: the recording states the device's own total ascent, which a
    device-filtered GPS altitude is then counted like, see ``gain_gps_in_time``)."""
    warnings: list[str] = []
    d_m, a_m = dist[moving], alt[moving]
    t_m = time_s[moving] if time_s is not None else None
    ok = np.isfinite(a_m)
    cleaned = np.full(a_m.shape, np.nan)
    for_gain = np.full(a_m.shape, np.nan)
    if ok.sum() >= 5:
        moved = None
        if lat is not None and lon is not None:
            la, lo = ffill(lat[moving][ok]), ffill(lon[moving][ok])  # last fix held over dropouts
            moved = haversine_m(la[:-1], lo[:-1], la[1:], lo[1:])
            if breaks_s is not None and len(breaks_s) and t_m is not None:
                # across a break the path is unknown: as if the fix had not moved, so no climb
                moved = np.where(intervals_across(t_m[ok], breaks_s), 0.0, moved)
        cleaned[ok], for_gain[ok], w = clean_altitude_parts(d_m[ok], a_m[ok], opts,
                                                             None if t_m is None else t_m[ok], moved)
        warnings += w
    else:
        cleaned = for_gain = a_m
    step = opts.grid_step_m
    grid_raw = _to_grid(d_m, cleaned, grid_d, step, opts.max_gap_m)
    grid_filled, long_gap = fill_short_gaps(grid_raw, int(round(opts.max_gap_m / step)))
    # climbs the grade profile leaves out (made during a pause, or a jump): a step function
    # added back for the gain only
    kept_steps = bin_to_grid(d_m, for_gain - cleaned, grid_d.size, step)
    kept_steps = ffill(kept_steps)
    kept_steps = np.where(np.isfinite(kept_steps), kept_steps, 0.0)
    if long_gap.any():
        warnings.append(Notice(f"altitude missing over {long_gap.sum() * step:.0f} m: grade unknown there",
                               "grade-unknown"))
    # window by altitude source; unknown: look at the data
    if src == "barometric":
        window_m, desc, gps_like = opts.window_m_barometric, "barometric", False
    elif src == "gps":
        window_m, desc, gps_like = opts.window_m_gps, "GPS", True
    elif opts.window_m_unknown is not None:
        window_m, desc, gps_like = opts.window_m_unknown, "unknown source", opts.window_m_unknown > opts.window_m_barometric
    else:
        noise = _high_frequency_noise(grid_filled, step)
        gps_like = not (np.isfinite(noise) and noise < opts.barometric_noise_max_m)
        window_m = opts.window_m_gps if gps_like else opts.window_m_barometric
        desc = (f"unknown source, looks {'GPS' if gps_like else 'barometric'} "
                f"(high-frequency noise {noise:.2f} m)")
    tf = gps_like and opts.gps_smoother == "trend_filter" and np.isfinite(grid_filled).sum() >= 10
    window_used = np.full(grid_filled.shape, float(window_m))
    if tf:
        level, kinked, window_m, lam = _gps_trend_profile(grid_filled, step, opts)
        grade = 100.0 * np.gradient(level) / step if level.size > 1 else np.full(level.shape, np.nan)
        smoother = (f"L1 trend filter (lambda {lam:.0f} m) + Whittaker {window_m:g} m")
        noise = robust_sigma(grid_filled - kinked)  # GPS noise is correlated: its residual, not Delta^2
        window_used[:] = window_m
    elif opts.adaptive_window and not gps_like and window_m > opts.min_window_m:
        # (GPS noise is correlated over tens of seconds: the white-noise intervals of the ICI
        # rule would take its wander for terrain, so GPS keeps its one long window)
        # noise of the samples themselves (the grid interpolates sparse tracks, which hides it),
        # at least the rounding of the stored altitude (a uniform error of one quantum q has std
        # q / sqrt(12)): smooth, rounded streams have no other noise to see
        fin = np.isfinite(cleaned)
        raw_sigma = sample_noise_sigma(d_m[fin], cleaned[fin])
        sigma_raw = max(raw_sigma if np.isfinite(raw_sigma) else 0.0, _quantum(a_m) / np.sqrt(12.0),
                        opts.altitude_noise_floor_m)
        spacing = float(np.median(np.diff(d_m[fin]))) if fin.sum() > 1 else step
        # per grid cell, as independent cells would give the same slope std: cells average
        # several dense samples, or interpolate between sparse ones
        sigma = sigma_raw * np.sqrt(step / max(spacing, 1e-3))
        noise = sigma_raw
        # a slope needs three samples: no window shorter than two sample spacings
        halves = _window_ladder(min(max(opts.min_window_m, 2.0 * spacing), window_m), window_m, step)
        level, slope, chosen = ici_local_linear(grid_filled, halves, sigma, opts.ici_gamma, opts.kernel)
        grade = 100.0 * slope / step
        window_used = np.where(chosen >= 0, 2.0 * np.asarray(halves)[np.maximum(chosen, 0)] * step, np.nan)
        smoother = (f"local linear regression, window adapted per point over {2 * halves[0] * step:g}-"
                    f"{2 * halves[-1] * step:g} m (intersection of confidence intervals, "
                    f"{opts.ici_gamma:g} sigma, altitude noise {sigma_raw:.2f} m)")
    else:
        noise = noise_sigma(grid_filled)
        half = max(int(round(window_m / step / 2)), 1)
        level, slope = local_linear_fit(grid_filled, half, kernel=opts.kernel)
        grade = 100.0 * slope / step
        smoother = f"local linear regression over {window_m:g} m"
    grade[long_gap] = np.nan
    level[long_gap] = np.nan
    window_used[long_gap | ~np.isfinite(grade)] = np.nan
    steep = np.abs(grade) > opts.max_abs_grade_pct
    if steep.any():  # kept as measured: the load model bounds its own modifiers
        warnings.append(Notice(f"grade beyond +-{opts.max_abs_grade_pct:g} % over {steep.sum() * step:.0f} m "
                               "(hiking/scrambling terrain)", "steep-grade"))
    # how the altitude is counted for the totals: a watch counts its own recorded altitude in
    # time order, so a barometric (or barometric-looking) altitude is counted that way. GPS
    # altitude is counted on the trend-filtered profile (its wander of a few metres over a
    # minute is no climb of the ground), unless the file states the device's total and the
    # altitude is as smooth as a barometer's at high frequency: the device filtered it and
    # counted its total on it, wander included, and that total is what ours is compared with
    smooth = not gps_like
    if gps_like and src == "gps" and device_total and opts.gain_gps_in_time:
        gps_noise = _high_frequency_noise(grid_filled, step)
        smooth = bool(np.isfinite(gps_noise) and gps_noise < opts.barometric_noise_max_m)
    gain_sigma = opts.gain_sigma_s
    # (a GPS altitude's jump across a pause is its fix catching up, which the device counted:
    # the steps that the barometer's weather drift explains are no concern of it)
    counted = a_m if gps_like else for_gain
    if smooth and t_m is not None and np.isfinite(counted).sum() >= 2:
        gh = opts.gain_hysteresis_m_barometric
        fin = np.isfinite(counted) & np.isfinite(t_m)
        gain_sigma = gain_sigma_for(d_m[fin], t_m[fin], opts)
        _, _, clock, clean_t = gain_in_time(t_m[fin], counted[fin], gh, gain_sigma)
        grid_t = np.interp(grid_d, d_m[fin], t_m[fin])
        clean = np.interp(grid_t, clock, clean_t) if clock.size else np.full(grid_d.shape, np.nan)
        clean[long_gap] = np.nan
        dv = np.diff(clean)
        dv = dv[np.isfinite(dv)]
        gain, loss = (float(dv[dv > 0].sum()), float(-dv[dv < 0].sum())) if dv.size else (float("nan"),) * 2
        bridged = None
        gain_desc = f"recorded altitude in time order, {gain_sigma:g} s Gaussian low-pass"
        gain_input = (t_m[fin], counted[fin])
        counted_clean = clean
    else:
        gh = opts.gain_hysteresis_m_gps if gps_like else opts.gain_hysteresis_m_barometric
        if tf:
            # the trend filter's own profile (before the rounding pass) keeps hill tops and valley
            # floors at full height (no averaging across a kink), so gain is counted on it
            gl = kinked.copy()
        else:
            gw = opts.gain_window_m_gps if gps_like else opts.gain_window_m_barometric
            gl, _ = local_linear_fit(grid_filled, max(int(round(gw / step / 2)), 1))
        gl = gl + kept_steps
        gl[long_gap] = np.nan
        # the climb across a data gap (GPS dropout, a jump between track segments) still happened:
        # bridge interior gaps with a straight line for the totals (as gpxpy and device totals do);
        # the profile, grade and segments stay unknown there
        fin = np.flatnonzero(np.isfinite(gl))
        bridged = gl.copy()
        if fin.size >= 2:
            inner = np.arange(fin[0], fin[-1] + 1)
            bridged[inner] = np.interp(inner, fin, gl[fin])
        gain, loss, clean = elevation_gain_loss(bridged, gh)
        counted_clean = clean.copy()  # (bridged across gaps: its rises sum to the gain)
        clean[~np.isfinite(gl)] = np.nan
        gain_desc = ("trend filter profile" if tf else
                     f"{opts.gain_window_m_gps if gps_like else opts.gain_window_m_barometric:g} m local linear fit")
        gain_input = None
    info = {"window_m": float(np.nanmedian(window_used)) if np.isfinite(window_used).any() else float(window_m),
            "window_m_range": ([float(np.nanmin(window_used)), float(np.nanmax(window_used))]
                               if np.isfinite(window_used).any() else None),
            "altitude_noise_m": round(float(noise), 3) if np.isfinite(noise) else None,
            "altitude": desc, "smoother": smoother, "gps_like": gps_like,
            "gain_profile": bridged, "gain_hysteresis_m": gh, "gain_in_time": gain_input, "gain_sigma_s": gain_sigma,
            "gain_smoothing": gain_desc, "gain_clean": counted_clean}
    return level, grade, clean, gain, loss, info, warnings


def _to_grid(d: np.ndarray, a: np.ndarray, grid_d: np.ndarray, step: float, max_gap_m: float) -> np.ndarray:
    """Altitude on the grid: the mean per cell when samples are denser than the grid; when they
    are sparser, interpolated at the cell centres (a sample snapped to its cell centre would
    move by up to half a cell, which a short window reads as grade), unknown across a gap
    longer than ``max_gap_m``."""
    fin = np.isfinite(a) & np.isfinite(d)
    if fin.sum() < 2 or float(np.median(np.diff(d[fin]))) <= step:
        return bin_to_grid(d, a, grid_d.size, step)
    df, af = d[fin], a[fin]
    out = np.interp(grid_d, df, af)
    hi = np.clip(np.searchsorted(df, grid_d), 1, df.size - 1)
    gap = df[hi] - df[hi - 1]
    out[(gap > max_gap_m) | (grid_d < df[0] - step / 2) | (grid_d > df[-1] + step / 2)] = np.nan
    return out


def _quantum(alt: np.ndarray) -> float:
    """Resolution the altitude was stored with, m: its smallest non-zero change between samples
    (0.2 m in FIT, 0.1 m in Strava streams, 1 m in Stryd's barometric column)."""
    steps = np.abs(np.round(np.diff(alt[np.isfinite(alt)]), 6))
    steps = steps[steps > 0]
    return float(steps.min()) if steps.size else 0.0


def _window_ladder(min_m: float, max_m: float, step_m: float) -> list[int]:
    """Half-widths (cells) from ``min_m`` to ``max_m``, each ~1.4x the previous (a geometric
    ladder: the ICI rule needs scales close enough that a pitch cannot hide between two)."""
    n = max(int(np.ceil(np.log(max_m / min_m) / np.log(1.4))), 1)
    widths = np.geomspace(min_m, max_m, n + 1)
    halves = np.unique(np.maximum(np.rint(widths / step_m / 2), 1).astype(int))
    return [int(h) for h in halves]


def _gps_trend_profile(grid_alt: np.ndarray, step_m: float, opts: TerrainOptions
                       ) -> tuple[np.ndarray, float, float]:
    """Altitude profile from GPS-grade altitude: L1 trend filter, then a light Whittaker pass.

    The kink penalty is ``trend_filter_lambda_m`` for a 5 m grid, scaled by
    ``(5 / grid_step_m)^2`` (a kink's second difference grows with the grid step while the
    number of cells in the misfit sum shrinks with it), and the Whittaker pass
    (order 3, cutoff ``gps_polish_cutoff_m``) rounds the kinks into vertical curves.
    Returns (rounded profile, trend-filter profile, cutoff m, lambda used).
    """
    lam = opts.trend_filter_lambda_m * (5.0 / step_m) ** 2
    kinked = l1_trend_filter(grid_alt, lam)
    if opts.trend_filter_noise_ref_m is not None:
        # second pass with the penalty scaled to the noise actually present: the misfit a kink
        # must beat grows with the noise variance (robust std of the first-pass residual).
        # Only ever lowered: the residual also holds the terrain's curvature the straight
        # pieces miss (on smooth rolling hills), which must not be taken for more noise
        noise = robust_sigma(grid_alt - kinked)
        if np.isfinite(noise) and noise > 0:
            scale = float(np.clip((noise / opts.trend_filter_noise_ref_m) ** 2, 0.25, 1.0))
            if abs(scale - 1.0) > 0.1:
                lam *= scale
                kinked = l1_trend_filter(grid_alt, lam, start=kinked)
    z = whittaker_smooth(kinked, opts.gps_polish_cutoff_m / step_m, order=3)
    return z, kinked, float(opts.gps_polish_cutoff_m), float(lam)


def _whose(foot: str) -> str:
    """``"left foot's "`` for a named foot, nothing for an unknown one (a notice's wording)."""
    return f"{foot} foot's " if foot in ("left", "right") else ""


def grade_from_imu(steps: pd.DataFrame, step_t: np.ndarray, step_d: np.ndarray, grid_d: np.ndarray,
                    opts: TerrainOptions):
    """Grade from strapdown stride rise / length (ZUPT-aided foot IMU), smoothed over distance.

    Each measured stride's grade (rise / horizontal length) covers the distance from its contact
    to the next contact of the same foot; the grid grade averages the feet present, is turned
    into a relative altitude and smoothed with the same local linear fit over ``window_m_imu``
    (or over the whole recording when it is shorter). The strap-down rise drifts by a grade
    offset (:mod:`gaitload.terrain.imu_drift`): a foot whose track closes on itself has its
    offset removed (and then only such feet are used); without a closed track, grades within
    ``imu_grade_floor_pct`` of level are taken as level.

    Returns
    -------
    level, grade, clean, gain, loss, info, warnings
        ``info``: ``{"feet": [...], "rule": "closure" | "floor" | "none", "outlier_strides": ...,
        "floor_pct": ..., "raw_grade_pct": ...}`` for the provenance (see
        :func:`remove_closure_drift`, :func:`stride_outliers`: outlier strides are left out).
    """
    warnings: list[str] = []
    length = float_column(steps, "stride_length_m")
    measured = measured_column(steps)
    usable = measured & np.isfinite(float_column(steps, "stride_rise_m")) & (length > 0.2) & np.isfinite(step_d)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = 100.0 * float_column(steps, "stride_rise_m") / length
    outlier = stride_outliers(g, feet_of(steps, usable), step_d, opts.imu_stride_outlier_pct)
    usable &= ~outlier
    rise, feet_info = remove_closure_drift(steps, feet_of(steps, usable), step_d, opts.imu_closure_frac,
                                           opts.imu_closure_min_m, opts.imu_closure_max_m)
    closed = [f for f in feet_info if f["closed"]]
    if closed:  # each sensor has its own offset: only the feet whose offset is known
        usable = usable & np.any([f["mask"] for f in closed], axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = 100.0 * rise / length
    use = usable & np.isfinite(g)
    lim = 100.0  # one stride steeper than 45 degrees is a strapdown error (judgement), not ground
    g = np.clip(g, -lim, lim)
    step = opts.grid_step_m
    acc = np.zeros(grid_d.size)
    cnt = np.zeros(grid_d.size)
    for foot in feet_of(steps, use):  # at most three labels
        sel = np.flatnonzero(foot)
        sel = sel[np.argsort(step_d[sel])]
        if sel.size < 2:
            continue
        # stride k's grade holds over [d_k, d_{k+1}) (the last one over its own length): the
        # foot's relative altitude at those knots, read at the cell edges, gives each cell the
        # distance-weighted mean grade of all the strides in it (sampling one stride per cell
        # would alias: a 5 m cell holds three or four strides)
        d = step_d[sel]
        knots = np.r_[d, d[-1] + length[sel[-1]]]
        z = np.r_[0.0, np.cumsum(g[sel] * np.diff(knots) / 100.0)]
        lo, hi = grid_d - step / 2, grid_d + step / 2
        inside = (hi > knots[0]) & (lo < knots[-1])
        lo_c, hi_c = np.clip(lo, knots[0], knots[-1]), np.clip(hi, knots[0], knots[-1])
        span = hi_c - lo_c
        with np.errstate(invalid="ignore", divide="ignore"):
            cell = 100.0 * (np.interp(hi_c, knots, z) - np.interp(lo_c, knots, z)) / span
        inside &= span > 0
        acc += np.where(inside, cell, 0.0)
        cnt += inside
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = np.where(cnt > 0, acc / np.maximum(cnt, 1), np.nan)
    raw_filled, long_gap = fill_short_gaps(raw, int(round(opts.max_gap_m / step)))
    rel_alt = np.cumsum(np.nan_to_num(raw_filled) * step / 100.0)
    rel_alt = np.where(long_gap, np.nan, rel_alt)
    # a recording shorter than the window gets one fit over all of it (a staircase of 10 m)
    covered = int(np.isfinite(rel_alt).sum())
    half = max(min(int(round(opts.window_m_imu / step / 2)), covered - 1), 1)  # (a window reaching every cell)
    level, slope = local_linear_fit(rel_alt, half, kernel=opts.kernel)
    grade = 100.0 * slope / step
    info = {"feet": [{k: v for k, v in f.items() if k != "mask"} for f in feet_info], "rule": "none",
            "outlier_strides": int(outlier.sum()),
            "floor_pct": float(opts.imu_grade_floor_pct),
            "raw_grade_pct": float(np.nanmean(raw)) if np.isfinite(raw).any() else None}
    if closed:
        info["rule"] = "closure"
        warnings.append(Notice("foot strap-down: " + "; ".join(
            f"{_whose(f['foot'])}vertical misclosure of {f['misclosure_m']:+.2f} m over a track closing to "
            f"{f['closure_m']:.1f} m of its start after {f['closed_m']:.0f} m removed as drift "
            f"(a {f['drift_pct']:+.1f} % grade offset)" for f in closed), "imu-grade"))
    elif np.isfinite(grade).any() and opts.imu_grade_floor_pct > 0:
        small = np.abs(grade) <= opts.imu_grade_floor_pct
        if small.any():
            info["rule"] = "floor"
            shown = np.nanmedian(grade[small])
            grade = np.where(small, 0.0, grade)
            level = np.where(np.isfinite(level), np.cumsum(np.nan_to_num(grade) * step / 100.0), np.nan)
            level = level - level[np.isfinite(level)][0]
            ends = "; ".join(f"{'the ' + _whose(f['foot']) + 'track' if _whose(f['foot']) else 'it'} ends "
                             f"{f['end_m']:.0f} m from its start" for f in feet_info) or "no stride headings to tell"
            warnings.append(Notice(
                f"foot strap-down grades within +-{opts.imu_grade_floor_pct:g} % taken as level over "
                f"{small.sum() * step:.0f} m (measured {shown:+.1f} % there): the track does not close ({ends}), "
                f"so the strap-down's drift (up to +-{opts.imu_grade_floor_pct:g} % on real level walks) "
                "cannot be removed",
                "imu-grade"))
    steep = np.abs(grade) > opts.max_abs_grade_pct
    if steep.any():  # kept as measured: the load model bounds its own modifiers
        warnings.append(Notice(f"grade beyond +-{opts.max_abs_grade_pct:g} % over {steep.sum() * step:.0f} m "
                               "(hiking/scrambling terrain)", "steep-grade"))
    gain, loss, clean = elevation_gain_loss(level, opts.gain_hysteresis_m_barometric)
    return level, grade, clean, gain, loss, info, warnings
