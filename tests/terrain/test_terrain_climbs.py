"""Climbs stage: climbs and descents against a course with known hills; treadmill rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gaitload.recording import Recording
from gaitload.terrain import ClimbOptions, climb_totals, compute_terrain, find_climbs

# (start m, end m, grade): a 60 m climb at 6 %, a 40 m descent at -5 %, a 10 m bump at 5 %
_HILLS = [(1000.0, 2000.0, 6.0), (2500.0, 3300.0, -5.0), (4000.0, 4200.0, 5.0)]


def _course_run(seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, 5000.0 / 3.0)
    d = 3.0 * t
    alt = 100.0 + sum(np.clip(d - a, 0.0, b - a) * g / 100 for a, b, g in _HILLS)
    alt = np.round((alt + rng.normal(0, 0.15, d.size)) / 0.2) * 0.2
    rec = Recording(time_s=t, channels={"distance": d, "altitude": alt}, placement="records",
                    metadata={"altitude_source": "barometric"})
    ts = np.arange(0.2, t[-1], 0.35)
    steps = pd.DataFrame({"time_s": ts, "load_calves": np.ones(ts.size), "load_quads": np.full(ts.size, 2.0)})
    return rec, steps


def test_climbs_and_descents_of_a_known_course():
    rec, steps = _course_run()
    res = compute_terrain(rec, steps)
    climbs = find_climbs(res.profile, steps)
    assert list(climbs["kind"]) == ["climb", "descent"]  # the 10 m bump is below the 20 m threshold
    up, down = climbs.iloc[0], climbs.iloc[1]
    assert up.start_m == pytest.approx(1000, abs=40) and up.end_m == pytest.approx(2000, abs=40)
    assert up.gain_m == pytest.approx(60, abs=3) and up.mean_grade_pct == pytest.approx(6.0, abs=0.5)
    assert up.max_grade_pct == pytest.approx(6.0, abs=1.0)
    assert down.gain_m == pytest.approx(40, abs=3) and down.mean_grade_pct == pytest.approx(-5.0, abs=0.5)
    # VAM: metres per hour at 3 m/s on 6 %: 0.18 m/s = 648 m/h
    assert up.vam_m_per_h == pytest.approx(648, rel=0.06)
    assert up.time_s == pytest.approx(up.length_m / 3.0, rel=0.01)
    # load per muscle: the sum of the steps' load columns over the climb's time span
    on = (steps.time_s >= up.start_s) & (steps.time_s < up.end_s)
    assert up.n_steps == on.sum() and up.load_quads == pytest.approx(2.0 * on.sum())
    tot = climb_totals(climbs)
    assert tot["n_climbs"] == 1 and tot["n_descents"] == 1
    assert tot["climb_gain_m"] == pytest.approx(60, abs=3)


def test_thresholds_are_options():
    rec, steps = _course_run(1)
    res = compute_terrain(rec, steps)
    small = find_climbs(res.profile, steps, ClimbOptions(min_gain_m=8.0))
    assert list(small["kind"]) == ["climb", "descent", "climb"]  # now the 10 m bump counts
    assert small.iloc[2].gain_m == pytest.approx(10, abs=2)


def _treadmill(metadata, incline=None):
    t = np.arange(0.0, 1200.0)
    rng = np.random.default_rng(2)
    ch = {"speed": np.full(t.size, 2.5), "altitude": 300 + np.cumsum(rng.normal(0, 0.3, t.size))}
    if incline is not None:
        ch["incline"] = np.full(t.size, incline)
    return Recording(time_s=t, channels=ch, placement="records", metadata=metadata)


def test_treadmill_with_incline_is_one_climb_at_that_grade():
    rec = _treadmill({"sub_sport": "treadmill"}, incline=5.0)
    res = compute_terrain(rec, None)
    climbs = find_climbs(res.profile)
    assert len(climbs) == 1 and climbs.iloc[0].kind == "climb"
    assert climbs.iloc[0].mean_grade_pct == pytest.approx(5.0, abs=0.01)
    assert climbs.iloc[0].gain_m == pytest.approx(0.05 * res.distance_m, rel=0.01)


def test_treadmill_without_incline_is_level():
    rec = _treadmill({"sport": "running", "sub_sport": "treadmill"})
    res = compute_terrain(rec, None)
    assert (res.profile.grade_pct == 0.0).all() and (res.profile.terrain == "flat").all()
    assert res.elevation_gain_m == 0.0
    assert "level" in res.provenance["incline"]
    assert len(find_climbs(res.profile)) == 0
    # the same file not marked treadmill: its wandering altitude is used
    other = compute_terrain(_treadmill({"sport": "running"}), None)
    assert other.elevation_gain_m > 5.0


def test_no_profile_gives_an_empty_table_with_load_columns():
    out = find_climbs(pd.DataFrame(), pd.DataFrame({"time_s": [1.0], "load_calves": [1.0]}))
    assert len(out) == 0 and "load_calves" in out and "vam_m_per_h" in out


def test_analysis_writes_climbs(shared_data, tmp_path):
    """runpandas run.fit (a 5.8 km hill run, 234 m of ascent by the watch): climbs.csv, the
    summary's totals and the season row."""
    from gaitload import analyze
    from gaitload.season import _row_from_summary

    a = analyze(shared_data / "runpandas-tests/runpandas/tests/io/data/fit/run.fit")
    assert len(a.climbs) >= 1 and (a.climbs["gain_m"] >= 20).all()
    assert {"load_total", "load_calves"} <= set(a.climbs.columns)
    assert a.summary["climbs"]["n_climbs"] == int((a.climbs["kind"] == "climb").sum())
    written = a.to_dir(tmp_path, figure=False)
    back = pd.read_csv(written["climbs"])
    assert len(back) == len(a.climbs)
    row = _row_from_summary(a.summary)
    assert row["climb_gain_m"] == pytest.approx(a.summary["climbs"]["climb_gain_m"])
