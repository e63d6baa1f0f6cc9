#!/usr/bin/env python
"""How far is a ``gaitload.plan`` forecast from the same course actually run?

For every hilly real run in ``../shared/data`` (on foot, >= 3 km, >= 50 m gain, running at a
median >= 2.2 m/s): analyse the recording, strip its times (the course of the recording,
:func:`gaitload.io.course_from_recording`), forecast that course, and compare the predicted finish
time (against the moving time: stops are not forecast) and each muscle's total load with the
analysis of the recording.

1. At the run's own pace: flat speed = the run's grade-adjusted pace as Strava reports it
   (grade-adjusted distance ``sum(step length x F(grade))`` over moving time, Strava 2017 factors
   F, of the grade over a minute of running as the forecast uses it) -- which makes the finish check nearly circular (it only tests the pipeline: grid,
   smoothing, walking rule) -- and, as a test of the pace model, the median ``v x F(grade)`` of
   its running steps; flat cadence = the median cadence of its running steps within +-2 %.
   The share of steps walked, forecast and recording, is listed beside.
   Baselines: finish at even pace (distance / median-step speed, no grade model); load on a level
   course (altitude removed: what the grade model adds); load with the population cadence.
2. Out of sample, leave one out over one runner's 12 Stryd runs: each run forecast from the other
   11 runs only, as ``plan(season=...)`` does (their grade-adjusted distance over their moving
   time; the median cadence of their flat running steps moved to that speed).

Usage (from the repository root)::

    PYTHONPATH=src .venv/bin/python benchmarks/validate_plan.py [--data ../shared/data] [--markdown]
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

import gaitload
from gaitload.errors import GaitloadError
from gaitload.io.course import course_from_recording
from gaitload.pace import PACING_WINDOW_S, pacing_grade, gap_speed_factor
from gaitload.schema import MUSCLES, float_column

PATTERNS = [
    "stryder-stryd-exports/assets/demo_run_files/stryd/*.csv",
    "python-fitparse-tests/tests/files/*.fit",
    "python-tcxparser-tests/tests/files/*.tcx",
    "runpandas-tests/runpandas/tests/io/data/*/*.fit",
    "runpandas-tests/runpandas/tests/io/data/*/*.tcx",
    "runpandas-tests/runpandas/tests/io/data/*/*.gpx",
    "sweatpy-examples/sweat/examples/data/*.tcx",
    "gpxpy-tests/test_files/*.gpx",
]
MIN_KM, MIN_GAIN_M, MIN_SPEED_MPS = 3.0, 50.0, 2.2
MAX_STEP_GAP_S = 3.0  # a step interval longer than this is a stop, not running [J]


def _runner(steps: pd.DataFrame) -> dict:
    """A recorded run's moving time, its grade-adjusted flat speed two ways, and flat cadence.

    ``activity_gap``: Strava's grade-adjusted pace of an activity, the grade-adjusted distance
    ``sum(step length x F(grade))`` over the moving time. ``median_gap``: the median of
    ``v x F(grade)`` over running steps (what ``plan(season=...)`` takes from a season without a
    clock). The grade in both is the one a forecast paces by, the grade over a minute of running
    (:func:`gaitload.pace.pacing_grade`).
    """
    v, g, c, t, d = (float_column(steps, k) for k in ("speed_mps", "grade_pct", "cadence_spm", "time_s", "distance_m"))
    dt = np.diff(t)
    moving_step = (dt > 0) & (dt <= MAX_STEP_GAP_S)
    moving = float(dt[moving_step].sum())
    dd = np.diff(d)
    ok = moving_step & np.isfinite(dd)
    # the grade a runner paces by, as plan() forecasts with: a minute of running (Robb 2017)
    g_pace = pacing_grade(d, g, PACING_WINDOW_S * float(np.sum(dd[ok])) / moving)
    factor = gap_speed_factor(np.where(np.isfinite(g_pace[1:]), g_pace[1:], 0.0))
    activity_gap = float(np.sum(dd[ok] * factor[ok]) / moving)
    run = np.isfinite(v) & (v >= 2.0) & np.isfinite(g_pace) & (np.abs(g_pace) <= 15.0)
    median_gap = float(np.median(v[run] * gap_speed_factor(g_pace[run])))
    flat = run & (np.abs(g) <= 2.0) & np.isfinite(c)
    cadence = float(np.median(c[flat] if flat.sum() >= 100 else c[run & np.isfinite(c)]))
    return {"moving": moving, "activity_gap": activity_gap, "median_gap": median_gap, "cadence": cadence,
            "gap_distance": activity_gap * moving, "flat_cadences": c[flat], "flat_speeds": v[flat]}


def _pct(pred: float, true: float) -> float:
    return 100.0 * (pred - true) / true if true else float("nan")


def validate(path: str) -> dict | None:
    try:
        analysis = gaitload.analyze(path)
    except GaitloadError:
        return None
    s = analysis.summary
    if not (s["distance_m"] >= MIN_KM * 1000 and (s.get("elevation_gain_m") or 0) >= MIN_GAIN_M and s["n_steps"] > 500):
        return None
    speed = float_column(analysis.steps, "speed_mps")
    if not np.nanmedian(speed) >= MIN_SPEED_MPS:
        return None
    r = _runner(analysis.steps)
    v_flat, cadence, moving = r["activity_gap"], r["cadence"], r["moving"]
    course = course_from_recording(analysis.recording)
    pred = gaitload.plan(course, flat_speed_mps=v_flat, flat_cadence=cadence)
    by_median = gaitload.plan(course, flat_speed_mps=r["median_gap"], flat_cadence=cadence)
    pop = gaitload.plan(course, flat_speed_mps=v_flat)
    level = gaitload.plan(replace(course, altitude_m=None, warnings=[]), flat_speed_mps=v_flat, flat_cadence=cadence)
    ps = pred.summary
    row = {"file": path, "km": s["distance_m"] / 1000, "gain_m": s["elevation_gain_m"],
           "flat_pace": ps["plan"]["flat_pace"], "moving_s": moving,
           "predicted_s": ps["plan"]["finish_time_s"],
           "finish_err_pct": _pct(ps["plan"]["finish_time_s"], moving),
           "finish_median_gap_err_pct": _pct(by_median.summary["plan"]["finish_time_s"], moving),
           "even_pace_median_gap_err_pct": _pct(course.length_m / r["median_gap"], moving)}
    for m in MUSCLES:
        row[f"{m}_err_pct"] = _pct(ps["muscle_load"][m], s["muscle_load"][m])
    row["total_err_pct"] = _pct(ps["load_total"], s["load_total"])
    row["total_pop_cadence_err_pct"] = _pct(pop.summary["load_total"], s["load_total"])
    row["total_level_course_err_pct"] = _pct(level.summary["load_total"], s["load_total"])
    row["max_muscle_err_pct"] = max(abs(row[f"{m}_err_pct"]) for m in MUSCLES)
    # share of steps walked, forecast vs recording (both as the gait stage classifies the steps)
    row["walk_pred_pct"] = 100.0 * float(ps.get("walk_fraction") or 0.0)
    row["walk_rec_pct"] = 100.0 * float(s.get("walk_fraction") or 0.0)
    row["_runner"], row["_course"], row["_summary"] = r, course, s
    return row


def leave_one_out(rows: list[dict], folder: str) -> pd.DataFrame:
    """Forecast each run of one runner from the *other* runs only, as ``plan(season=...)`` does:
    flat speed = their grade-adjusted distance over their moving time, flat cadence = median of
    their flat running steps moved to that speed (exponent 0.24, Dorn 2012). Nothing of the run
    forecast enters its own forecast."""
    same = [r for r in rows if folder in r["file"]]
    out = []
    for i, row in enumerate(same):
        others = [r["_runner"] for j, r in enumerate(same) if j != i]
        v = sum(o["gap_distance"] for o in others) / sum(o["moving"] for o in others)
        cad = float(np.median(np.concatenate([o["flat_cadences"] for o in others])))
        cad_v = float(np.median(np.concatenate([o["flat_speeds"] for o in others])))
        pred = gaitload.plan(row["_course"], flat_speed_mps=v, flat_cadence=cad * (v / cad_v) ** 0.24).summary
        true, moving = row["_summary"], row["_runner"]["moving"]
        res = {"run": Path(row["file"]).name, "km": row["km"], "gain m": row["gain_m"],
               "flat pace": pred["plan"]["flat_pace"], "finish": _pct(pred["plan"]["finish_time_s"], moving),
               "even pace": _pct(row["_course"].length_m / v, moving)}
        for m in MUSCLES:
            res[m.replace("hip_flexors", "hip fl.")] = _pct(pred["muscle_load"][m], true["muscle_load"][m])
        res["total"] = _pct(pred["load_total"], true["load_total"])
        out.append(res)
    return pd.DataFrame(out)


def _markdown(table: pd.DataFrame) -> str:
    """A Markdown table, numbers to one decimal (no tabulate dependency)."""
    cell = lambda x: f"{x:.1f}" if isinstance(x, float) else str(x)  # noqa: E731
    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(cell(x) for x in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines)


def main(argv=None) -> int:
    here = Path(__file__).resolve().parents[1]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.environ.get("GAITLOAD_SHARED_DATA", here.parent / "shared" / "data"))
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = ap.parse_args(argv)
    data = Path(args.data)
    if not data.is_dir():
        print(f"no data folder at {data}", file=sys.stderr)
        return 2
    files = sorted({f for p in PATTERNS for f in glob.glob(str(data / p))})
    rows, seen = [], set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for f in files:
            row = validate(f)
            if row is None:
                continue
            key = (round(row["km"], 2), round(row["moving_s"]))  # the same run exported twice
            if key in seen:
                continue
            seen.add(key)
            row["file"] = os.path.relpath(f, data)
            rows.append(row)
    table = pd.DataFrame([{k: v for k, v in r.items() if not k.startswith("_")} for r in rows])
    if not len(table):
        print("no hilly run found", file=sys.stderr)
        return 2
    cols = ["file", "km", "gain_m", "flat_pace", "finish_err_pct", "finish_median_gap_err_pct",
            "even_pace_median_gap_err_pct",
            *[f"{m}_err_pct" for m in MUSCLES], "total_err_pct", "total_pop_cadence_err_pct",
            "total_level_course_err_pct", "walk_pred_pct", "walk_rec_pct"]
    shown = table[cols].copy()
    shown["file"] = shown["file"].map(lambda f: Path(f).name)
    # short headers: errors in % (forecast - recording) / recording
    shown.columns = ["run", "km", "gain m", "flat pace", "finish", "finish (median GAP)", "even pace",
                     *[m.replace("hip_flexors", "hip fl.") for m in MUSCLES], "total", "total (pop. cadence)",
                     "total (level course)", "walk % (forecast)", "walk % (recording)"]
    print(_markdown(shown) if args.markdown else shown.round(1).to_string(index=False))
    within = lambda c, t=table: f"{int((t[c].abs() <= 10).sum())}/{len(t)}"  # noqa: E731
    print(f"\n{len(table)} runs. median |error|, and runs within 10 %:")
    for c, label in (("finish_err_pct", "finish time (activity GAP)"),
                     ("finish_median_gap_err_pct", "finish time (median-step GAP)"),
                     ("even_pace_median_gap_err_pct", "finish (median GAP, even pace)"),
                     ("total_err_pct", "total load (forecast)"), ("max_muscle_err_pct", "worst muscle (forecast)"),
                     ("total_pop_cadence_err_pct", "total load (population cadence)"),
                     ("total_level_course_err_pct", "total load (level course)")):
        print(f"  {label:<34} {table[c].abs().median():5.1f} %   {within(c)}")
    loo = leave_one_out(rows, "stryd")
    if len(loo):
        print(f"\nLeave one out, one runner ({len(loo)} Stryd runs): each run forecast from the other runs only")
        print(_markdown(loo) if args.markdown else loo.round(1).to_string(index=False))
        worst = loo[[m.replace("hip_flexors", "hip fl.") for m in MUSCLES]].abs().max(axis=1)
        print(f"  finish: median |error| {loo['finish'].abs().median():.1f} % ({within('finish', loo)} within 10 %); "
              f"even pace {loo['even pace'].abs().median():.1f} % ({within('even pace', loo)})")
        print(f"  total load: median |error| {loo['total'].abs().median():.1f} % ({within('total', loo)}); "
              f"worst muscle per run median {worst.median():.1f} % ({int((worst <= 10).sum())}/{len(loo)} runs "
              f"with every muscle within 10 %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
