"""Grade on the distance grid from altitude (barometric, GPS, unknown), a foot IMU, or a given incline."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import OptionError
from ..recording import Recording
from ..schema import float_column, measured_column
from .altitude import _bin_to_grid, _fill_short_gaps, _robust_sigma, clean_altitude
from .distance import _feet_of
from .gain import elevation_gain_loss
from .options import TerrainOptions
from .smoothing import l1_trend_filter, local_linear_fit, whittaker_smooth


def _incline_at(incline_pct, step_t: np.ndarray, step_d: np.ndarray, grid_d: np.ndarray,
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


def _altitude_source(recording: Recording) -> str:
    src = str(recording.metadata.get("altitude_source", "unknown")).lower()
    if src.startswith("baro"):
        return "barometric"
    if src.startswith("gps"):
        return "gps"
    return "unknown"


def _grade_from_altitude(dist: np.ndarray, alt: np.ndarray, moving: np.ndarray, grid_d: np.ndarray,
                         src: str, opts: TerrainOptions, time_s: np.ndarray | None = None):
    """Steps 2 and 5 of the module docstring for one altitude series (``moving``: mask of the
    moving samples)."""
    warnings: list[str] = []
    d_m, a_m = dist[moving], alt[moving]
    t_m = time_s[moving] if time_s is not None else None
    ok = np.isfinite(a_m)
    cleaned = np.full(a_m.shape, np.nan)
    if ok.sum() >= 5:
        cleaned[ok], w = clean_altitude(d_m[ok], a_m[ok], opts, time_s=None if t_m is None else t_m[ok])
        warnings += w
    else:
        cleaned = a_m
    step = opts.grid_step_m
    grid_raw = _bin_to_grid(d_m, cleaned, grid_d.size, step)
    grid_filled, long_gap = _fill_short_gaps(grid_raw, int(round(opts.max_gap_m / step)))
    if long_gap.any():
        warnings.append(f"altitude missing over {long_gap.sum() * step:.0f} m: grade unknown there")
    # window by altitude source; unknown: look at the data
    if src == "barometric":
        window_m, desc, gps_like = opts.window_m_barometric, "barometric", False
    elif src == "gps":
        window_m, desc, gps_like = opts.window_m_gps, "GPS", True
    elif opts.window_m_unknown is not None:
        window_m, desc, gps_like = opts.window_m_unknown, "unknown source", opts.window_m_unknown > opts.window_m_barometric
    else:
        half = max(int(round(25.0 / step)), 2)
        lvl, _ = local_linear_fit(grid_filled, half)
        noise = _robust_sigma(grid_filled - lvl)
        gps_like = not (np.isfinite(noise) and noise < opts.barometric_noise_max_m)
        window_m = opts.window_m_gps if gps_like else opts.window_m_barometric
        desc = (f"unknown source, looks {'GPS' if gps_like else 'barometric'} "
                f"(high-frequency noise {noise:.2f} m)")
    tf = gps_like and opts.gps_smoother == "trend_filter" and np.isfinite(grid_filled).sum() >= 10
    if tf:
        level, kinked, window_m, lam = _gps_trend_profile(grid_filled, step, opts)
        grade = 100.0 * np.gradient(level) / step if level.size > 1 else np.full(level.shape, np.nan)
        smoother = (f"L1 trend filter (lambda {lam:.0f} m) + Whittaker {window_m:g} m")
    else:
        half = max(int(round(window_m / step / 2)), 1)
        level, slope = local_linear_fit(grid_filled, half, kernel=opts.kernel)
        grade = 100.0 * slope / step
        smoother = f"local linear regression over {window_m:g} m"
    grade[long_gap] = np.nan
    level[long_gap] = np.nan
    over = np.abs(grade) > opts.max_abs_grade_pct
    if over.any():
        warnings.append(f"grade beyond +-{opts.max_abs_grade_pct:g} % over {over.sum() * step:.0f} m: clipped "
                        "(hiking/scrambling)")
        grade = np.clip(grade, -opts.max_abs_grade_pct, opts.max_abs_grade_pct)
    gh = opts.gain_hysteresis_m_gps if gps_like else opts.gain_hysteresis_m_barometric
    if tf:
        # the trend filter's own profile (before the rounding pass) keeps hill tops and valley
        # floors at full height (no averaging across a kink), so gain is counted on it
        gl = kinked.copy()
    else:
        gw = opts.gain_window_m_gps if gps_like else opts.gain_window_m_barometric
        gl, _ = local_linear_fit(grid_filled, max(int(round(gw / step / 2)), 1))
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
    clean[~np.isfinite(gl)] = np.nan
    return level, grade, clean, gain, loss, float(window_m), desc, smoother, warnings


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
        noise = _robust_sigma(grid_alt - kinked)
        if np.isfinite(noise) and noise > 0:
            scale = float(np.clip((noise / opts.trend_filter_noise_ref_m) ** 2, 0.25, 1.0))
            if abs(scale - 1.0) > 0.1:
                lam *= scale
                kinked = l1_trend_filter(grid_alt, lam, start=kinked)
    z = whittaker_smooth(kinked, opts.gps_polish_cutoff_m / step_m, order=3)
    return z, kinked, float(opts.gps_polish_cutoff_m), float(lam)


def _grade_from_imu(steps: pd.DataFrame, step_t: np.ndarray, step_d: np.ndarray, grid_d: np.ndarray,
                    opts: TerrainOptions):
    """Grade from strapdown stride rise / length (ZUPT-aided foot IMU), smoothed over distance.

    Each measured stride's grade (rise / horizontal length) covers the distance from its contact
    to the next contact of the same foot; the grid grade averages the feet present, is turned
    into a relative altitude and smoothed with the same local linear fit over ``window_m_imu``.
    """
    warnings: list[str] = []
    rise = float_column(steps, "stride_rise_m")
    length = float_column(steps, "stride_length_m")
    measured = measured_column(steps)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = 100.0 * rise / length
    use = measured & np.isfinite(g) & (length > 0.2) & np.isfinite(step_d)
    lim = opts.max_abs_grade_pct * 2  # per-stride values are noisy; clip outliers before smoothing
    g = np.clip(g, -lim, lim)
    step = opts.grid_step_m
    acc = np.zeros(grid_d.size)
    cnt = np.zeros(grid_d.size)
    for foot in _feet_of(steps, use):  # at most three labels
        sel = np.flatnonzero(foot)
        sel = sel[np.argsort(step_d[sel])]
        if sel.size < 2:
            continue
        # stride k covers [d_k, d_{k+1}); grid cells take the stride they fall in
        pos = np.searchsorted(step_d[sel], grid_d, side="right") - 1
        inside = (pos >= 0) & (pos < sel.size - 1) | ((pos == sel.size - 1) & (grid_d <= step_d[sel][-1] + 3.0))
        vals = g[sel][np.clip(pos, 0, sel.size - 1)]
        acc += np.where(inside, vals, 0.0)
        cnt += inside
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = np.where(cnt > 0, acc / np.maximum(cnt, 1), np.nan)
    raw_filled, long_gap = _fill_short_gaps(raw, int(round(opts.max_gap_m / step)))
    rel_alt = np.cumsum(np.nan_to_num(raw_filled) * step / 100.0)
    rel_alt = np.where(long_gap, np.nan, rel_alt)
    half = max(int(round(opts.window_m_imu / step / 2)), 1)
    level, slope = local_linear_fit(rel_alt, half, kernel=opts.kernel)
    grade = 100.0 * slope / step
    over = np.abs(grade) > opts.max_abs_grade_pct
    if over.any():
        warnings.append(f"grade beyond +-{opts.max_abs_grade_pct:g} % over {over.sum() * step:.0f} m: clipped "
                        "(hiking/scrambling)")
        grade = np.clip(grade, -opts.max_abs_grade_pct, opts.max_abs_grade_pct)
    gain, loss, clean = elevation_gain_loss(level, opts.gain_hysteresis_m_barometric)
    return level, grade, clean, gain, loss, warnings
