"""What a season folder tells a forecast: the runner's recent flat speed and cadence, and the
largest training loads the course is measured against.

Reads only the files ``gaitload season`` writes (``runs.parquet`` or ``runs.csv``, and
``steps/<run_id>.parquet``); knows nothing of how they were made.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .notice import Notice
from .errors import GaitloadError, OptionError
from .events.records import CADENCE_SPEED_EXPONENT  # Dorn et al. 2012: cadence ~ speed^0.24
from .pace import FLAT_BAND_PCT, PACING_WINDOW_S, WALK_SPEED_MPS, gap_speed_factor, pacing_grade
from .schema import MUSCLES, float_column

__all__ = ["SeasonBaseline", "season_flat_speed", "compare_with_training"]

#: The training window, weeks before the season's last run.
TRAINING_WEEKS = 8
#: Grade range whose steps give the grade-adjusted flat speed, % (beyond it the GAP table is
#: extrapolated from few runs and hikers walk) [J].
_GAP_RANGE_PCT = 15.0
#: Fewest running steps for a flat speed or cadence taken from a season [J].
_MIN_STEPS = 200
#: A step interval longer than this is a stop, not moving, s [J].
_MAX_STEP_GAP_S = 3.0


@dataclass
class SeasonBaseline:
    """The runner's recent training, from a season folder.

    Attributes
    ----------
    speed_mps : float or None
        The window's grade-adjusted pace as a speed, m/s.
    cadence_spm : float or None
        Median cadence of the window's flat running steps, steps/min, at their median speed
        ``cadence_speed_mps`` (m/s).
    runs : pandas.DataFrame
        The window's analysed runs (start_time, distance_m, load_<m>, climb_load_<m>,
        descent_load_<m>).
    window : str
        The window in words.
    """

    speed_mps: float | None
    speed_source: str
    cadence_spm: float | None
    cadence_source: str
    runs: pd.DataFrame
    window: str
    warnings: list = field(default_factory=list)
    cadence_speed_mps: float | None = None

    def cadence_at(self, speed_mps: float) -> float | None:
        """The runner's flat cadence moved to ``speed_mps`` (Dorn 2012 exponent), steps/min."""
        if self.cadence_spm is None or self.cadence_speed_mps is None:
            return self.cadence_spm
        return float(self.cadence_spm * (speed_mps / self.cadence_speed_mps) ** CADENCE_SPEED_EXPONENT)


def _runs_table(folder: Path) -> pd.DataFrame:
    for name, reader in (("runs.parquet", pd.read_parquet), ("runs.csv", pd.read_csv)):
        path = folder / name
        if path.is_file():
            try:
                return reader(path)
            except Exception as exc:  # a damaged table: the user's file, one line
                raise GaitloadError(f"cannot read the season's runs table ({type(exc).__name__})", path) from None
    raise OptionError("not a season folder (no runs.parquet or runs.csv); make one with `gaitload season`", folder)


def season_flat_speed(season: str | os.PathLike) -> SeasonBaseline:
    """The runner's flat speed, flat cadence and runs of the last 8 weeks of a season folder.

    The window ends at the season's last dated run. Flat speed is the window's grade-adjusted
    pace as Strava reports an activity's (Strava 2017 factors F): ``sum(step length x F(grade))``
    over moving time, with the grade over a minute of running that the forecast paces by
    (:func:`_activity_gap`, :func:`gaitload.pace.pacing_grade`); steps files without a clock fall
    back to the median ``v x F(grade)`` of running steps (each step's own grade: without distances
    there is no minute of running to average over). Flat cadence is the median cadence of running
    steps (at least 2 m/s, not walking) within the flat band (|grade| <= 2 %), at their median speed.

    Raises
    ------
    OptionError
        Not a season folder, or no analysed run in it.
    """
    folder = Path(season)
    if not folder.is_dir():
        raise OptionError("season must be the output folder of `gaitload season`", folder)
    runs = _runs_table(folder)
    if "status" in runs:
        runs = runs[runs["status"].astype(str) == "ok"]
    if not len(runs):
        raise OptionError("the season folder holds no analysed run", folder)
    warnings = []
    start = pd.to_datetime(runs.get("start_time"), utc=True, errors="coerce") if "start_time" in runs else \
        pd.Series(pd.NaT, index=runs.index)
    runs = runs.assign(start_time=start)
    if start.notna().any():
        end = start.max()
        begin = end - pd.Timedelta(weeks=TRAINING_WEEKS)
        runs = runs[start.notna() & (start > begin)]
        window = f"{TRAINING_WEEKS} weeks to {end:%Y-%m-%d} ({len(runs)} runs)"
    else:
        window = f"all {len(runs)} runs (none has a date)"
        warnings.append(Notice("no run in the season has a date: the training window is every run", "forecast"))
    steps = _window_steps(folder, runs)
    speed = cadence = cadence_speed = None
    speed_source = cadence_source = ""
    if len(steps):
        v, g, c = (float_column(steps, k) for k in ("speed_mps", "grade_pct", "cadence_spm"))
        running = np.isfinite(v) & (v >= WALK_SPEED_MPS)
        if "gait" in steps:
            running &= steps["gait"].astype(str).to_numpy() != "walk"
        speed, n_used = _activity_gap(steps)
        if speed is not None:
            speed_source = f"season {folder}: grade-adjusted pace over {n_used} moving steps, {window}"
        else:  # no clock or distance in the steps files: the typical step's grade-adjusted speed
            use = running & np.isfinite(g) & (np.abs(g) <= _GAP_RANGE_PCT)
            if use.sum() >= _MIN_STEPS:
                speed = float(np.median(v[use] * gap_speed_factor(g[use])))
                speed_source = f"season {folder}: median grade-adjusted speed of {int(use.sum())} running steps, {window}"
        flat = running & np.isfinite(g) & (np.abs(g) <= FLAT_BAND_PCT) & np.isfinite(c)
        if flat.sum() >= _MIN_STEPS:
            cadence, cadence_speed = float(np.median(c[flat])), float(np.median(v[flat]))
            cadence_source = f"season: median cadence of {int(flat.sum())} flat running steps (moved to the planned " \
                             f"speed with exponent {CADENCE_SPEED_EXPONENT}, Dorn 2012)"
    if speed is None:
        warnings.append(Notice("the season's steps give no flat speed (too few running steps with grade)", "forecast"))
    return SeasonBaseline(speed, speed_source, cadence, cadence_source, runs, window, warnings, cadence_speed)


def _activity_gap(steps: pd.DataFrame) -> tuple[float | None, int]:
    """Grade-adjusted pace as Strava reports an activity's: grade-adjusted distance
    ``sum(step length x F(grade))`` over moving time, here over every run of the window, with the
    grade over a minute of running (:func:`gaitload.pace.pacing_grade`, as the forecast uses).

    A step interval longer than 3 s is a stop, not moving [J]; intervals across two runs never
    count. Returns (None, 0) without enough moving steps with a clock and a distance.
    """
    if not {"time_s", "distance_m", "run"} <= set(steps.columns):
        return None, 0
    t, d, g = (float_column(steps, k) for k in ("time_s", "distance_m", "grade_pct"))
    run = steps["run"].to_numpy()
    dt, dd = np.diff(t), np.diff(d)
    with np.errstate(invalid="ignore"):
        moving = (run[1:] == run[:-1]) & (dt > 0) & (dt <= _MAX_STEP_GAP_S) & np.isfinite(dd) & (dd >= 0)
    if moving.sum() < _MIN_STEPS:
        return None, 0
    # the grade a runner paces by (a minute of running, Robb 2017), as plan() forecasts with; each
    # run's distance is moved past the one before so no window spans two runs
    moving_speed = float(np.sum(dd[moving]) / np.sum(dt[moving]))
    window = PACING_WINDOW_S * moving_speed
    first = np.sort(np.unique(run, return_index=True)[1])
    length = np.maximum.reduceat(np.nan_to_num(d, nan=0.0), first)
    offset = np.concatenate([[0.0], np.cumsum(length + 2 * window)])[:-1]
    g_own = g.copy()
    g_own[first] = np.nan  # the gap before a run's first step is no course: it has no grade
    g_pace = pacing_grade(d + offset[np.searchsorted(first, np.arange(d.size), side="right") - 1], g_own, window)
    factor = gap_speed_factor(np.where(np.isfinite(g_pace[1:]), g_pace[1:], 0.0))  # unknown grade counts as level
    return float(np.sum(dd[moving] * factor[moving]) / np.sum(dt[moving])), int(moving.sum())


def _window_steps(folder: Path, runs: pd.DataFrame) -> pd.DataFrame:
    """The steps files of the window's runs (time, distance, speed, cadence, grade, gait, and the
    run's index in ``run``), concatenated."""
    if "run_id" not in runs:
        return pd.DataFrame()
    frames = []
    for i, run_id in enumerate(runs["run_id"].astype(str)):  # one file per run
        path = folder / "steps" / f"{run_id}.parquet"
        if path.is_file():
            try:
                frame = pd.read_parquet(path)
            except Exception:  # a damaged steps file only loses that run's steps
                continue
            keep = [c for c in ("time_s", "distance_m", "speed_mps", "grade_pct", "cadence_spm", "gait") if c in frame]
            frames.append(frame[keep].assign(run=i))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def compare_with_training(baseline: SeasonBaseline, summary: dict) -> pd.DataFrame:
    """Per muscle: the course's climb, descent and whole load against the runner's largest week and
    largest single run of the window.

    The course's climb (descent) load is its load on uphill (downhill) terrain, the season's
    ``climb_load_<m>`` (``descent_load_<m>``) is the same quantity of each run, so the two
    compare like with like. Weeks start on Monday (UTC).

    Returns
    -------
    pandas.DataFrame
        Columns ``part`` (climbs / descents / whole course), ``muscle``, ``course_load``,
        ``biggest_run_load``, ``biggest_week_load``, ``vs_biggest_run``, ``vs_biggest_week``.
    """
    runs = baseline.runs
    by_terrain = summary.get("load_by_terrain") or {}
    parts = {"climbs": ("climb_load_", (by_terrain.get("uphill") or {})),
             "descents": ("descent_load_", (by_terrain.get("downhill") or {})),
             "whole course": ("load_", summary.get("muscle_load") or {})}
    dated = runs["start_time"].notna().to_numpy() if "start_time" in runs else np.zeros(len(runs), bool)
    week = None
    if dated.any():
        day = runs["start_time"].dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()
        week = (day - pd.to_timedelta(day.dt.day_of_week, unit="D"))
    rows = []
    for part, (prefix, course) in parts.items():
        for m in MUSCLES:
            col = f"{prefix}{m}"
            values = float_column(runs, col) if col in runs else np.full(len(runs), np.nan)
            values = np.where(np.isfinite(values), values, 0.0)
            biggest_run = float(values.max()) if values.size else float("nan")
            if week is not None:
                biggest_week = float(pd.Series(values[dated]).groupby(week[dated].to_numpy()).sum().max())
            else:
                biggest_week = float(values.sum())
            load = float(course.get(m, 0.0) or 0.0)
            rows.append({"part": part, "muscle": m, "course_load": load, "biggest_run_load": biggest_run,
                         "biggest_week_load": biggest_week,
                         "vs_biggest_run": load / biggest_run if biggest_run > 0 else float("nan"),
                         "vs_biggest_week": load / biggest_week if biggest_week > 0 else float("nan")})
    return pd.DataFrame(rows)
