"""Altitude cleaning (sentinels, spikes, barometric steps) and the distance grid."""

from __future__ import annotations

import numpy as np

from ..notice import Notice
from ..recording import nan_runs
from .options import TerrainOptions
from .smoothing import robust_sigma, running_median


def _odd(n: float, lo: int = 3, hi: int = 1001) -> int:
    n = int(np.clip(round(n), lo, hi))
    return n if n % 2 else n + 1


def clean_altitude(distance_m: np.ndarray, altitude_m: np.ndarray, options: TerrainOptions | None = None,
                   time_s: np.ndarray | None = None) -> tuple[np.ndarray, list]:
    """Reject GPS altitude spikes and remove altitude steps that no climb explains.

    Parameters
    ----------
    distance_m : ndarray
        Strictly increasing distance of the moving samples, m.
    altitude_m : ndarray
        Their altitude, m (finite).
    options : TerrainOptions, optional
    time_s : ndarray, optional
        Time of the moving samples, s. When given, a step is only looked for across a pause
        (two consecutive moving samples more than ``pause_min_s`` and 3 median sample
        intervals apart, with less distance between them than ``standstill_speed_mps`` would
        cover; there any change beyond 3 noise sigmas that the local slope does not explain
        is a step). A step that could have been walked in the pause's time (see Notes) is
        kept: the runner climbed while the watch was paused. While moving, a steep altitude
        change that persists is a real climb or a GPS altitude catching up with one, and is
        kept.

    Returns
    -------
    altitude_m : ndarray
        The profile for counting gain: spikes removed, each removed step's jump taken out of
        everything after it.
    warnings : list of str

    Notes
    -----
    Spikes: |altitude - running median over ``spike_window_m``| > max(``spike_k_sigma`` robust
    sigmas, ``spike_min_m``) (a Hampel filter, Hampel 1974). Steps: an increment between two
    consecutive moving samples steeper than twice ``max_abs_grade_pct`` over the distance covered, by
    more than max(``step_min_m``, 6 robust sigmas of the increments). Across a pause of ``dt``
    seconds a step is climbing when ``drift_max_mph * dt / 3600 < |step| <=
    max_vertical_speed_mps * dt`` (faster than weather moves a barometer, slower than anyone
    climbs); otherwise it is a pressure change or re-calibration and is replaced by the local
    median slope times the distance covered.
    """
    for_grade, for_gain, warnings = clean_altitude_parts(distance_m, altitude_m, options, time_s)
    return for_gain, warnings


def clean_altitude_parts(distance_m: np.ndarray, altitude_m: np.ndarray, options: TerrainOptions | None,
                          time_s: np.ndarray | None, moved_m: np.ndarray | None = None
                          ) -> tuple[np.ndarray, np.ndarray, list]:
    """:func:`clean_altitude`'s two profiles: (for grade, for gain, warnings).

    ``moved_m``: horizontal distance between the positions of consecutive samples, m (NaN or
    None without positions). A climb across a pause needs the runner to have moved: a change
    steeper than 100 % over the fix's move is no walk (a bike at a traffic light, a barometer
    re-calibrated while standing).

    The grade profile has every step taken out (a jump at one distance is no slope of the
    ground, even when it is a climb made during a pause); the gain profile keeps the steps that
    are climbing (see :func:`clean_altitude`).
    """
    opts = options or TerrainOptions()
    warnings: list[str] = []
    a = altitude_m.astype(float).copy()
    n = a.size
    if n < 5:
        return a, a, warnings
    dd = np.diff(distance_m)
    per_sample_m = float(np.median(dd)) if dd.size else 1.0
    size = _odd(opts.spike_window_m / max(per_sample_m, 1e-3), lo=5, hi=301)
    med = running_median(a, size)
    res = a - med
    sigma = robust_sigma(res)
    limit = max(opts.spike_k_sigma * (sigma if np.isfinite(sigma) else 0.0), opts.spike_min_m)
    spike = np.abs(res) > limit
    if spike.any():
        warnings.append(Notice(f"{int(spike.sum())} altitude spike(s) rejected (|residual| > {limit:.1f} m)",
                               "altitude-cleaned"))
        a[spike] = np.nan
        ok = np.isfinite(a)
        a = np.interp(distance_m, distance_m[ok], a[ok])
    da = np.diff(a)
    slope = da / np.maximum(dd, 1e-9)
    local_slope = running_median(slope, _odd(11))
    sig_da = robust_sigma(da - local_slope * dd)
    tol = max(opts.step_min_m, 6.0 * (sig_da if np.isfinite(sig_da) else 0.0))
    # a step is steeper than any path on foot (twice max_abs_grade_pct: scrambles exceed 25 %)
    allowed = 2.0 * opts.max_abs_grade_pct / 100.0 * dd + tol
    jump = np.abs(da) > allowed
    drift = jump.copy()  # steps no climb explains: out of both profiles
    climbed = np.zeros(jump.shape, bool)
    if time_s is not None:
        dt = np.diff(np.asarray(time_s, float))
        # a pause: a long gap over which the distance hardly grew (slower than standstill)
        pause = ((dt > max(opts.pause_min_s, 3.0 * float(np.median(dt)) if dt.size else 0.0))
                 & (dd < opts.standstill_speed_mps * dt))
        walkable = ((np.abs(da) <= opts.max_vertical_speed_mps * dt)
                    & (np.abs(da) > opts.drift_max_mph * dt / 3600.0))
        # across a pause there is no distance to carry a slope: a change beyond the noise that
        # the local slope does not explain is a step, however small (a lower bar than moving)
        jump |= pause & (np.abs(da - local_slope * dd) > 3.0 * (sig_da if np.isfinite(sig_da) else 0.0))
        if moved_m is not None:
            moved = np.asarray(moved_m, float)
            # 100 % (45 degrees): vertical-kilometre courses and stairs reach it (judgement)
            walkable &= ~(np.isfinite(moved) & (moved < np.abs(da)))
        drift = jump & pause & ~walkable
        climbed = jump & pause & walkable
    clip = np.clip(local_slope, -opts.max_abs_grade_pct / 100, opts.max_abs_grade_pct / 100)
    total = float(np.sum(np.abs(da[drift])))
    # steps adding up to less than the smallest swing the gain counts change no total: not worth a line
    if total >= opts.gain_hysteresis_m_barometric:
        warnings.append(Notice(f"{int(drift.sum())} altitude step(s) with no matching distance removed ({total:.1f} m in all)",
                               "altitude-cleaned"))
    if climbed.any():
        total = float(np.sum(np.abs(da[climbed])))
        warnings.append(Notice(f"{int(climbed.sum())} altitude change(s) across a pause counted as climbing "
                        f"({total:.1f} m in all; walkable in the pause's time)", "altitude-cleaned"))
    gain_da = np.where(drift, clip * dd, da)
    grade_da = np.where(jump, clip * dd, da)
    for_gain = a[0] + np.concatenate([[0.0], np.cumsum(gain_da)]) if drift.any() else a
    for_grade = a[0] + np.concatenate([[0.0], np.cumsum(grade_da)]) if jump.any() else a
    return for_grade, for_gain, warnings


def usable_altitude(alt: np.ndarray | None, warnings: list) -> np.ndarray | None:
    """Refuse placeholder altitude; NaN for sentinels and zero dropouts."""
    if alt is None:
        return None
    a = alt.astype(float).copy()
    # FIT stores altitude as (raw / 5) - 500, so raw 0 -> -500 m and raw 0xFFFF -> 12607 m:
    # both are "invalid"; nothing on land is below the Dead Sea shore (-430 m)
    bad = (a <= -430.0) | (a >= 9000.0)
    if bad.any():
        warnings.append(Notice(f"{int(bad.sum())} altitude value(s) out of the possible range (sentinels) ignored",
                               "altitude-cleaned"))
        a[bad] = np.nan
    finite = a[np.isfinite(a)]
    if finite.size and np.median(np.abs(finite)) > 20.0:
        zero = a == 0.0
        if zero.any():
            warnings.append(Notice(f"{int(zero.sum())} altitude value(s) of exactly 0 m among real altitudes ignored (dropouts)",
                                   "altitude-cleaned"))
            a[zero] = np.nan
    finite = a[np.isfinite(a)]
    if finite.size < 3:
        warnings.append(Notice("altitude missing: grade unknown", "altitude-missing"))
        return None
    if np.ptp(finite) < 1e-6:
        warnings.append(Notice(f"altitude is constant ({finite[0]:g} m), a placeholder: grade unknown",
                               "altitude-missing"))
        return None
    return a


def bin_to_grid(dist: np.ndarray, values: np.ndarray, n_cells: int, step_m: float) -> np.ndarray:
    """Mean of ``values`` per grid cell (cell j covers [j - 1/2, j + 1/2) x step_m); NaN if empty."""
    ok = np.isfinite(values) & np.isfinite(dist)
    idx = np.clip(np.rint(dist[ok] / step_m).astype(np.int64), 0, n_cells - 1)
    s = np.bincount(idx, weights=values[ok], minlength=n_cells)
    c = np.bincount(idx, minlength=n_cells)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(c > 0, s / np.maximum(c, 1), np.nan)


def fill_short_gaps(y: np.ndarray, max_cells: int) -> tuple[np.ndarray, np.ndarray]:
    """Interpolate NaN runs up to ``max_cells`` long; return (filled, mask of long gaps)."""
    runs = nan_runs(y)
    long_gap = np.zeros(y.size, bool)
    if not len(runs) or np.isfinite(y).sum() < 2:
        return y, np.isnan(y)
    x = np.arange(y.size, dtype=float)
    ok = np.isfinite(y)
    filled = np.interp(x, x[ok], y[ok])
    lengths = runs[:, 1] - runs[:, 0]
    # leading and trailing runs cannot be interpolated, only extrapolated: keep them unknown
    edge = (runs[:, 0] == 0) | (runs[:, 1] == y.size)
    bad = (lengths > max_cells) | edge
    if bad.any():
        marks = np.zeros(y.size + 1, np.int64)
        np.add.at(marks, runs[bad, 0], 1)
        np.add.at(marks, runs[bad, 1], -1)
        long_gap = np.cumsum(marks[:-1]) > 0
    filled = np.where(long_gap, np.nan, filled)
    return filled, long_gap
