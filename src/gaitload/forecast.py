"""The course forecast behind ``gaitload.plan``: forecast where a planned course will load each muscle, before running it.

The forecast is a thin layer over the normal pipeline. From the course (:func:`gaitload.io.read_course`)
and the runner's flat speed it *predicts* a watch recording -- placement ``records``, one record a
second, with distance, altitude, speed and cadence all marked ``predicted`` -- and runs it through
:func:`gaitload.analyze`, so terrain, steps, loads and the summary come from the same code as a
recorded run. What the prediction assumes (all in :mod:`gaitload.pace`):

- speed: constant effort at the runner's flat speed through the Strava 2017 grade-adjusted-pace
  factors, ``v = v_flat / F(grade)`` (Robb 2017, literature.md 1e), with the grade of the minute of
  running around each point (:func:`gaitload.pace.pacing_grade`: the model was fitted on 60-s
  windows; a runner does not re-pace every 5 m, and pacing by each short bump -- or each wiggle of
  a GPS altitude -- sped the forecast up on descents the runner never felt);
- gait: walking where that speed falls below the walk-run transition (2 m/s) or the grade is
  steeper than 25 % either way (:func:`gaitload.pace.predicted_gait`, judgement), at most 2 m/s
  and 110 steps/min;
- cadence: the runner's flat cadence (own, from a season, or 170 x (v / 3.0) ** 0.24) times the
  grade factor of Padulo 2013 / Vernillo 2017;
- strike: not predicted per step; the ``source`` rules already carry the article's strike for the
  grade (mid/forefoot uphill, heel downhill) in their grade rule, as for any run without a
  measured strike (``expected_strike`` says which one);
- no fatigue, no stops, no pacing strategy, no weather or surface.

The grade the speed model uses is the terrain stage's own: a first pass at even pace gives the
course's smoothed grade profile, averaged over a minute of running for speed, gait and cadence;
the second pass is the forecast, whose steps carry the grade the terrain stage finds again (as a
recorded run's do), so the load model sees the same short grades as in the analysis of a run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import atomic
from .analysis import Analysis, analyze
from .errors import OptionError
# walking cadence of records without one (CADENCE-Adults, Mora-Gonzalez 2022, literature.md 4.2)
from .events.records import WALK_CADENCE_SPM
from .io.course import CourseProfile, course_from_recording, read_course
from .notice import Notice, codes_of
from .pace import (FLAT_BAND_PCT, MAX_PACE_S_PER_KM, MIN_PACE_S_PER_KM, PACING_WINDOW_S, WALK_SPEED_MPS,
                   cadence_grade_factor, check_pace_s_per_km, flat_cadence_spm, gap_speed_factor, pacing_grade,
                   parse_pace, predicted_gait)
from .recording import Recording
from .schema import MUSCLES, float_column
from .totals import format_duration

__all__ = ["Plan", "plan", "predict_recording"]

#: Resolution the speed model follows the course at, m (the terrain grid is 5 m).
_GRID_M = 5.0
_PROV = "predicted: "


@dataclass
class Plan(Analysis):
    """A forecast for a course: an :class:`~gaitload.Analysis` whose steps are predicted.

    Besides the attributes of :class:`~gaitload.Analysis` (steps, segments, summary, profile, and
    ``recording``: the predicted recording):

    Attributes
    ----------
    splits : pandas.DataFrame
        One row per km: predicted split and elapsed time, pace, gain, loss, walking share and
        load per muscle.
    climbs : pandas.DataFrame
        Climbs and descents: start, end, gain or loss, grade, predicted time and load per muscle
        (and, with a season, against training).
    training : pandas.DataFrame
        With ``season=``: per muscle and part of the course (climbs, descents, whole course), the
        course's load against the runner's largest week and largest run of the last 8 weeks.
    course : CourseProfile, optional
    rules : RuleSet, optional
        The rule set the loads came from.
    """

    splits: pd.DataFrame = field(default_factory=pd.DataFrame)
    climbs: pd.DataFrame = field(default_factory=pd.DataFrame)
    training: pd.DataFrame = field(default_factory=pd.DataFrame)
    course: CourseProfile | None = field(default=None, repr=False)
    rules: object = field(default=None, repr=False)

    def plot(self, path: str | os.PathLike | None = None, **kwargs):
        """Elevation profile with predicted emphasis along it, climb/descent bars (against
        training with a season). See :func:`gaitload.plan_figure.plot_plan`."""
        from .plan_figure import plot_plan

        return plot_plan(self, path=path, **kwargs)

    def describe(self) -> str:
        """The forecast in words (what ``gaitload plan`` prints)."""
        from .plan_report import describe_plan

        return describe_plan(self.summary)

    def to_dir(self, path: str | os.PathLike, *, figure: bool = True) -> dict[str, Path]:
        """Write ``plan.csv`` (per-km splits), ``climbs.csv``, ``summary.json`` and ``plan.png``,
        each atomically."""
        out = Path(path)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OptionError(f"cannot create the output folder ({exc.strerror or exc})", out) from None
        written = {
            "plan": atomic.write_csv(out / "plan.csv", self.splits, float_format="%.6g"),
            "climbs": atomic.write_csv(out / "climbs.csv", self.climbs, float_format="%.6g"),
            "summary": atomic.write_json(out / "summary.json", self.summary),
        }
        if figure:
            self.plot(out / "plan.png")
            written["figure"] = out / "plan.png"
        return written


def _pace_text(speed_mps: float) -> str:
    return f"{format_duration(1000.0 / speed_mps)}/km" if speed_mps > 0 else "n/a"


def _flat_speed(flat_speed_mps, pace, season_flat) -> tuple[float, str]:
    given = [x is not None for x in (flat_speed_mps, pace)]
    if sum(given) > 1:
        raise OptionError("give the flat speed once: flat_speed_mps or pace, not both")
    if pace is not None:
        v = parse_pace(pace)
        return v, f"pace {pace}"
    if flat_speed_mps is not None:
        try:
            v = float(flat_speed_mps)
        except (TypeError, ValueError):
            raise OptionError(f"flat_speed_mps must be a number of m/s, got {flat_speed_mps!r}") from None
        check_pace_s_per_km(1000.0 / v if v > 0 else np.inf, f"{_pace_text(v) if v > 0 else 'n/a'} ({v:g} m/s)")
        return v, f"flat speed {v:.2f} m/s"
    if season_flat is not None:
        v, source = season_flat
        check_pace_s_per_km(1000.0 / v, f"{_pace_text(v)} (the season's flat speed)")
        return v, source
    raise OptionError("give the runner's flat pace (pace='5:00/km' or flat_speed_mps=), or season= a season "
                      f"folder to take it from (pace {format_duration(MIN_PACE_S_PER_KM)}-"
                      f"{format_duration(MAX_PACE_S_PER_KM)}/km)")


def _course_grid(course: CourseProfile) -> dict[str, np.ndarray]:
    """The course on a regular distance grid (plus its end): distance, altitude, positions."""
    d0 = course.distance_m
    d = np.unique(np.concatenate([np.arange(0.0, d0[-1], _GRID_M), [d0[-1]]]))
    grid = {"distance": d}
    if course.altitude_m is not None:
        grid["altitude"] = np.interp(d, d0, course.altitude_m)
    if course.latitude_deg is not None and course.longitude_deg is not None and \
            np.isfinite(course.latitude_deg).all() and np.isfinite(course.longitude_deg).all():
        grid["latitude"] = np.interp(d, d0, course.latitude_deg)
        grid["longitude"] = np.interp(d, d0, course.longitude_deg)
    return grid


def predict_recording(course: CourseProfile, flat_speed_mps: float, *, grade_pct: np.ndarray | None = None,
                      flat_cadence: float | None = None, source: str = "") -> tuple[Recording, dict]:
    """The watch recording a runner would make on ``course``: records all predicted, one a second
    (at the course's own points for a recorded activity, as its watch recorded them).

    Parameters
    ----------
    course : CourseProfile
    flat_speed_mps : float
        The runner's speed on level ground at the planned effort, m/s.
    grade_pct : ndarray, optional
        Grade on the course's 5 m grid (:func:`_course_grid`), %; None or NaN: level. Speed,
        gait and cadence follow its mean over a minute of running
        (:func:`gaitload.pace.pacing_grade`).
    flat_cadence : float, optional
        The runner's cadence on the flat at that speed, steps/min (default: population value,
        :func:`gaitload.pace.flat_cadence_spm`).
    source : str
        Where the flat speed came from (for provenance).

    Returns
    -------
    recording : Recording
        Placement ``records``; channels distance (m), altitude (m), speed (m/s), cadence
        (steps/min), latitude/longitude when the course has
        them; every channel's provenance starts with ``"predicted: "``.
    grid : dict
        The 5 m course grid with the ``grade``, the ``pacing_grade`` the pace follows (%), the
        predicted ``speed``, ``cadence``, ``gait`` and ``time`` (s) at each point.
    """
    grid = _course_grid(course)
    d = grid["distance"]
    g = np.full(d.size, np.nan) if grade_pct is None else np.asarray(grade_pct, dtype=np.float64)
    # speed, gait and cadence follow the grade of a minute of running, the scale the GAP model
    # was fitted on (Robb 2017), not every 5 m of it
    g_pace = pacing_grade(d, g, PACING_WINDOW_S * flat_speed_mps)
    g_known = np.where(np.isfinite(g_pace), g_pace, 0.0)  # an unknown grade is forecast as level
    v_run = flat_speed_mps / gap_speed_factor(g_known)
    gait = predicted_gait(v_run, g_pace)
    walk = gait == "walk"
    speed = np.where(walk, np.minimum(v_run, WALK_SPEED_MPS), v_run)
    cad_flat = float(flat_cadence_spm(flat_speed_mps)) if flat_cadence is None else float(flat_cadence)
    cadence = np.where(walk, WALK_CADENCE_SPM, cad_flat * cadence_grade_factor(g_known))
    t = np.concatenate([[0.0], np.cumsum(np.diff(d) * 0.5 * (1.0 / speed[1:] + 1.0 / speed[:-1]))])
    grid.update(grade=g, pacing_grade=g_pace, speed=speed, cadence=cadence, gait=gait, time=t)

    if course.recorded:
        # a recorded activity is recorded again at its own points, as its watch did: the terrain
        # stage then sees the same altitude samples and finds the same grade as in the analysis
        # of the recording (samples interpolated between them hide the altitude's noise from
        # the terrain stage's window choice: grades 5-10 % steeper on the shared runs)
        t_rec = np.unique(np.concatenate([[0.0, t[-1]], np.interp(course.distance_m, d, t)]))
        t_rec = t_rec[np.concatenate([[True], np.diff(t_rec) > 1e-6])]
    else:  # a planned course: a record a second
        t_rec = np.arange(0.0, t[-1], 1.0)
        t_rec = np.append(t_rec, t[-1]) if t[-1] - t_rec[-1] > 1e-6 else t_rec
    d_rec = np.interp(t_rec, t, d)
    speed_how = (f"{_PROV}flat speed {flat_speed_mps:.3f} m/s ({source}) / Strava 2017 GAP factor of the grade "
                 f"over {PACING_WINDOW_S:.0f} s of running")
    channels = {"distance": d_rec, "speed": np.interp(d_rec, d, speed),
                "cadence": np.interp(d_rec, d, cadence)}
    prov = {"distance": f"{_PROV}course distance at the predicted time",
            "speed": speed_how + ("; walking at most 2 m/s" if walk.any() else ""),
            "cadence": f"{_PROV}flat cadence {cad_flat:.0f} steps/min x grade factor (Padulo 2013, Vernillo 2017); "
                       f"walking {WALK_CADENCE_SPM:.0f} steps/min"}
    own = {"altitude": course.altitude_m, "latitude": course.latitude_deg, "longitude": course.longitude_deg}
    for name in ("altitude", "latitude", "longitude"):
        if name in grid:
            # from the course's own points, not the 5 m grid (interpolating twice smooths the altitude)
            channels[name] = np.interp(d_rec, course.distance_m, own[name])
            prov[name] = f"{_PROV}course {name} ({course.source_format})"
    recording = Recording(time_s=t_rec, channels=channels, placement="records",
                          source_format=f"plan ({course.source_format})", path=course.path, provenance=prov,
                          warnings=list(course.warnings),
                          metadata={"sport": course.sport, "sub_sport": course.sub_sport,
                                    "predicted": True, "altitude_source": course.altitude_source,
                                    "units": {}})
    return recording, grid


def _course_of(source, hints) -> CourseProfile:
    if isinstance(source, CourseProfile):
        return source
    if isinstance(source, Recording):
        return course_from_recording(source)
    if isinstance(source, (str, os.PathLike)):
        return read_course(source, **hints)
    raise OptionError(f"cannot plan a {type(source).__name__}; pass a course file, a CourseProfile or a Recording")


def plan(course, *, flat_speed_mps: float | None = None, pace=None, rules="source", season=None,
         flat_cadence: float | None = None, terrain_options=None, sport_check: bool = True, **hints) -> Plan:
    """Forecast a planned course: finish time, splits, climbs and per-muscle load.

    Parameters
    ----------
    course : str, path-like, CourseProfile or Recording
        A GPX route or untimed track, a TCX or FIT course, or a recorded activity (its times
        are ignored).
    flat_speed_mps : float, optional
        The runner's speed on level ground at the planned effort, m/s.
    pace : str or float, optional
        The same as a pace: ``"5:00/km"``, ``"8:00/mi"`` or minutes per km. 2:30-15:00/km.
    rules : str, path-like or RuleSet
        Load rule set (``"source"``: the article's rules, default).
    season : str or path-like, optional
        A ``gaitload season`` output folder: the runner's flat speed and cadence over the last
        8 weeks (when no pace is given) and the comparison of the course with their training.
    flat_cadence : float, optional
        The runner's flat cadence at that speed, steps/min (default: from the season, else the
        population value 170 x (v / 3.0) ** 0.24).
    terrain_options : gaitload.terrain.TerrainOptions, optional
    sport_check : bool
        Refuse a course whose named sport is not on foot, as :func:`gaitload.analyze` does.
    **hints
        Passed to the reader for non-GPX files.

    Returns
    -------
    Plan
        ``summary`` holds the analysis summary of the predicted run plus ``plan`` (finish time,
        flat speed and cadence and their source, walking share, assumptions), ``load_vs_level``,
        ``splits``, ``climbs`` and, with a season, ``training``.

    Raises
    ------
    OptionError
        No flat speed, both pace and speed, or a pace outside 2:30-15:00/km.
    NotARunError
        The course names a sport that is not on foot.
    """
    from .events import detect_steps
    from .load import load_rules
    from .plan_season import compare_with_training, season_flat_speed
    from .terrain import TerrainOptions, compute_terrain

    course = _course_of(course, hints)
    rule_set = load_rules(rules)
    season_info = season_flat_speed(season) if season is not None else None
    if season_info is not None and season_info.speed_mps is None and flat_speed_mps is None and pace is None:
        raise OptionError("the season folder gives no flat speed (too few running steps with a grade); give the "
                          "pace too (pace='5:00/km')", season)
    v_flat, speed_source = _flat_speed(flat_speed_mps, pace,
                                       None if season_info is None or season_info.speed_mps is None
                                       else (season_info.speed_mps, season_info.speed_source))
    if flat_cadence is None and season_info is not None and season_info.cadence_spm is not None:
        flat_cadence, cadence_source = season_info.cadence_at(v_flat), season_info.cadence_source
    else:
        cadence_source = "given" if flat_cadence is not None else \
            "population value 170 x (v / 3.0)^0.24 (Lieberman 2015, Dorn 2012)"
    opts = {"placement": "records", "rules": rule_set, "terrain_options": terrain_options, "sport_check": sport_check}

    grade = None
    if course.altitude_m is not None:
        # first pass at even pace: the terrain stage's smoothed grade of this course (the first
        # two stages of analyze; steps and loads of this pass would be thrown away)
        even, grid = predict_recording(course, v_flat, flat_cadence=flat_cadence, source=speed_source)
        profile = compute_terrain(even, detect_steps(even, placement="records").steps,
                                  options=terrain_options or TerrainOptions()).profile
        if len(profile) and np.isfinite(float_column(profile, "grade_pct")).any():
            pd_, pg = float_column(profile, "distance_m"), float_column(profile, "grade_pct")
            ok = np.isfinite(pd_) & np.isfinite(pg)
            grade = np.interp(grid["distance"], pd_[ok], pg[ok])
    recording, grid = predict_recording(course, v_flat, grade_pct=grade, flat_cadence=flat_cadence,
                                        source=speed_source)
    result = analyze(recording, **opts)
    steps = _predicted_steps(result.steps)
    summary = dict(result.summary)
    summary["path"] = course.path
    summary["provenance"] = {**summary.get("provenance", {}),
                             "steps": "predicted: placed from the predicted cadence, none measured"}
    if grade is None and course.altitude_m is not None:  # (no altitude at all: the course says so)
        summary["warnings"] = list(summary.get("warnings", [])) + [
            Notice("the course's elevation gives no grade: grade unknown, the forecast assumes level ground",
                   "grade-unknown")]
    finish = float(recording.duration_s)
    walk_m = float(np.sum(np.diff(grid["distance"]) * (grid["gait"][1:] == "walk")))
    summary["plan"] = {
        "finish_time_s": finish,
        "finish_time": format_duration(finish),
        "course": course.name or (Path(course.path).name if course.path else None),
        "course_format": course.source_format,
        "course_is_recorded_activity": bool(course.recorded),
        "distance_m": course.length_m,
        "flat_speed_mps": v_flat, "flat_pace": _pace_text(v_flat), "flat_speed_source": speed_source,
        "flat_cadence_spm": float(flat_cadence_spm(v_flat)) if flat_cadence is None else float(flat_cadence),
        "flat_cadence_source": cadence_source,
        "walk_fraction": walk_m / course.length_m,
        "grade_known": grade is not None,
        "assumptions": list(ASSUMPTIONS),
    }
    splits = _splits(steps, grid, result.profile)
    climbs = _climbs(result, steps, grid)
    training = pd.DataFrame()
    if season_info is not None:
        training = compare_with_training(season_info, summary)
        summary["training"] = training.to_dict(orient="records")
        summary["plan"]["training_window"] = season_info.window
        summary["warnings"] = list(dict.fromkeys(list(summary.get("warnings", [])) + season_info.warnings))
    summary["warning_codes"] = codes_of(summary.get("warnings", []))  # the list changed above
    summary["splits"] = splits.to_dict(orient="records")
    summary["climbs"] = climbs.to_dict(orient="records")
    return Plan(steps=steps, segments=result.segments, summary=summary, profile=result.profile,
                recording=recording, splits=splits, climbs=climbs, training=training, course=course,
                rules=rule_set)


#: What every forecast assumes, written into its summary.
ASSUMPTIONS = (
    "speed: constant effort at the flat speed through the Strava 2017 grade-adjusted-pace factors (Robb 2017), "
    "on the grade of a minute of running (the model's 60-s windows)",
    "walking where that speed is below 2 m/s or that grade steeper than 25 % either way [judgement], at most "
    "2 m/s and 110 steps/min",
    "cadence: the flat cadence x the grade factor (+4 % at +7 %, Padulo 2013; lower downhill, Vernillo 2017)",
    "strike: not measured; the rule set's grade rule carries the article's strike (mid/forefoot uphill, "
    "heel downhill)",
    "no fatigue, no stops, no pacing strategy, no surface or weather effects",
)


def _expected_strike(grade: np.ndarray) -> np.ndarray:
    """The article's strike for the grade: mid/forefoot uphill, heel downhill and (most runners,
    Almeida 2015 ~95 % rearfoot) on the flat; the terrain stage's flat band of 2 %."""
    return np.where(grade > FLAT_BAND_PCT, "midfoot/forefoot", np.where(np.isfinite(grade), "rearfoot", "unknown"))


def _predicted_steps(steps: pd.DataFrame) -> pd.DataFrame:
    """Mark every step predicted (the pipeline's gait stage has classified walk and run) and add
    the article's expected strike."""
    out = steps.copy()
    out["measured"] = False
    out["expected_strike"] = _expected_strike(float_column(out, "grade_pct"))
    return out


def _sum_between(values: np.ndarray, at: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Sum of ``values`` whose position ``at`` falls in each ``[edges[i], edges[i+1])``."""
    cums = np.concatenate([[0.0], np.cumsum(np.nan_to_num(values))])
    idx = np.searchsorted(at, edges, side="left")
    return np.diff(cums[idx])


def _smoothed_altitude(profile: pd.DataFrame, grid: dict) -> tuple[np.ndarray, np.ndarray] | None:
    """Distance and altitude (m) of the terrain stage's smoothed profile, else of the course grid;
    None without altitude. The course's raw altitude can hold a recording's spikes (a watch's
    placeholder altitude at the start) that the terrain stage smoothed away."""
    d, z = float_column(profile, "distance_m"), float_column(profile, "altitude_m")
    known = np.isfinite(d) & np.isfinite(z)
    if known.sum() >= 2:
        return d[known], z[known]
    return (grid["distance"], grid["altitude"]) if "altitude" in grid else None


def _counted_rises(profile: pd.DataFrame, grid: dict) -> tuple[np.ndarray, np.ndarray] | None:
    """Distance (m) at the start of each profile interval and its rise (m) on the profile the
    elevation totals are counted on (swings under the counting hysteresis removed), so the splits
    add up to the course's gain and loss; the smoothed profile where that is absent."""
    if "gain_altitude_m" in profile:
        z = float_column(profile, "gain_altitude_m")
        if np.isfinite(z).sum() >= 2:
            # a step next to a gap of the profile counts nothing, as in the total (totals.py)
            return float_column(profile, "distance_m")[:-1], np.nan_to_num(np.diff(z))
    smoothed = _smoothed_altitude(profile, grid)
    return None if smoothed is None else (smoothed[0][:-1], np.diff(smoothed[1]))


def _splits(steps: pd.DataFrame, grid: dict, profile: pd.DataFrame) -> pd.DataFrame:
    d, t = grid["distance"], grid["time"]
    edges = np.unique(np.concatenate([np.arange(0.0, d[-1], 1000.0), [d[-1]]]))
    t_e = np.interp(edges, d, t)
    out = pd.DataFrame({"km": np.arange(1, edges.size), "start_m": edges[:-1], "end_m": edges[1:]})
    out["split_time_s"] = np.diff(t_e)
    out["elapsed_time_s"] = t_e[1:]
    out["split"] = [format_duration(s) for s in out["split_time_s"]]
    out["elapsed"] = [format_duration(s) for s in out["elapsed_time_s"]]
    out["pace_s_per_km"] = out["split_time_s"] / (np.diff(edges) / 1000.0)
    counted = _counted_rises(profile, grid)
    if counted is not None:
        at, rise = counted
        out["gain_m"] = _sum_between(np.maximum(rise, 0), at, edges)
        out["loss_m"] = _sum_between(np.maximum(-rise, 0), at, edges)
    g = grid["grade"]
    with np.errstate(invalid="ignore"):
        seg_len = np.diff(d)
        walk = (grid["gait"][1:] == "walk") * seg_len
        out["mean_grade_pct"] = _sum_between(np.where(np.isfinite(g[1:]), g[1:], 0) * seg_len, d[:-1], edges) / \
            np.diff(edges) if np.isfinite(g).any() else np.nan
    out["walk_fraction"] = _sum_between(walk, d[:-1], edges) / np.diff(edges)
    sd = float_column(steps, "distance_m")
    order = np.argsort(sd, kind="stable")
    sd = sd[order]
    out["n_steps"] = np.diff(np.searchsorted(sd, edges, side="left")).astype(int)
    for col in ["load_total"] + [f"load_{m}" for m in MUSCLES]:
        out[col] = _sum_between(float_column(steps, col)[order], sd, edges)
    return out


def _climb_bounds(result: Analysis) -> pd.DataFrame:
    """Climbs and descents of the forecast as start/end distance and kind: the terrain stage's
    own table (:func:`gaitload.terrain.find_climbs`), so a plan and a recorded run name the same
    climbs."""
    own = result.climbs
    if not len(own):
        return pd.DataFrame(columns=["kind", "start_m", "end_m"])
    return pd.DataFrame({"kind": own["kind"].astype(str), "start_m": float_column(own, "start_m"),
                         "end_m": float_column(own, "end_m")})


def _climbs(result: Analysis, steps: pd.DataFrame, grid: dict) -> pd.DataFrame:
    bounds = _climb_bounds(result)
    cols = ["kind", "start_m", "end_m", "length_m", "gain_m", "loss_m", "mean_grade_pct", "max_grade_pct",
            "start_time_s", "predicted_time_s", "predicted_time", "walk_fraction", "n_steps", "load_total",
            *[f"load_{m}" for m in MUSCLES]]
    if not len(bounds):
        return pd.DataFrame(columns=cols)
    d, t, g = grid["distance"], grid["time"], grid["grade"]
    s, e = bounds["start_m"].to_numpy(float), bounds["end_m"].to_numpy(float)
    out = bounds.copy()
    out["length_m"] = e - s
    t_s, t_e = np.interp(s, d, t), np.interp(e, d, t)
    out["start_time_s"] = t_s
    out["predicted_time_s"] = t_e - t_s
    out["predicted_time"] = [format_duration(x) for x in t_e - t_s]
    # the terrain stage's smoothed altitude, which defined these climbs
    smoothed = _smoothed_altitude(result.profile, grid)
    if smoothed is not None:
        pd_, alt = smoothed
        rise = np.diff(alt)
        edges = np.column_stack([s, e]).ravel()
        gains = _sum_between(np.maximum(rise, 0), pd_[:-1], edges)[::2]
        losses = _sum_between(np.maximum(-rise, 0), pd_[:-1], edges)[::2]
        out["gain_m"], out["loss_m"] = gains, losses
        out["mean_grade_pct"] = 100.0 * (np.interp(e, pd_, alt) - np.interp(s, pd_, alt)) / np.maximum(e - s, 1e-9)
    else:
        out["gain_m"] = out["loss_m"] = out["mean_grade_pct"] = np.nan
    # steepest point of each: a running maximum inside each interval, from searchsorted bounds
    i0, i1 = np.searchsorted(d, s), np.searchsorted(d, e, side="right")
    gabs = np.where(np.isfinite(g), g, np.nan)
    kinds = out["kind"].to_numpy()
    out["max_grade_pct"] = [float(np.nanmax(gabs[a:b]) if k == "climb" else np.nanmin(gabs[a:b]))
                            if b > a and np.isfinite(gabs[a:b]).any() else np.nan
                            for a, b, k in zip(i0, i1, kinds)]
    seg_len = np.diff(d)
    walk = (grid["gait"][1:] == "walk") * seg_len
    edges = np.column_stack([s, e]).ravel()
    out["walk_fraction"] = _sum_between(walk, d[:-1], edges)[::2] / np.maximum(e - s, 1e-9)
    sd = float_column(steps, "distance_m")
    order = np.argsort(sd, kind="stable")
    sd = sd[order]
    out["n_steps"] = (np.searchsorted(sd, e) - np.searchsorted(sd, s)).astype(int)
    for col in ["load_total"] + [f"load_{m}" for m in MUSCLES]:
        out[col] = _sum_between(float_column(steps, col)[order], sd, edges)[::2]
    return out[cols]
