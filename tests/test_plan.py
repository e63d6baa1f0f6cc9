"""``gaitload.plan``: forecasts of constructed courses against the pace model's own numbers, real
courses in three formats, a real run with its times stripped, the season comparison, bad input."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import gaitload
from gaitload.errors import GaitloadError, NotARunError, OptionError
from gaitload.io import read_course
from gaitload.io.course import CourseProfile
from gaitload.pace import PACING_WINDOW_S, pacing_grade, gap_speed_factor
from gaitload.schema import MUSCLES

COURSE_DIR = "heartandsole-tests/tests"


def _course(distance_m, altitude_m, sport="running") -> CourseProfile:
    return CourseProfile(distance_m=np.asarray(distance_m, float), altitude_m=np.asarray(altitude_m, float),
                         sport=sport, source_format="test", altitude_source="barometric")


def _gpx(path, points, *, route=False, kind=None, times=False):
    rows = []
    for i, (lat, lon, ele) in enumerate(points):
        tag = "rtept" if route else "trkpt"
        ele_txt = "" if ele is None else f"<ele>{ele}</ele>"
        t = f"<time>2024-05-01T08:{i // 60:02d}:{i % 60:02d}Z</time>" if times else ""
        rows.append(f'<{tag} lat="{lat}" lon="{lon}">{ele_txt}{t}</{tag}>')
    body = "".join(rows)
    type_txt = f"<type>{kind}</type>" if kind else ""
    inner = f"<rte><name>r</name>{type_txt}{body}</rte>" if route else \
        f"<trk><name>t</name>{type_txt}<trkseg>{body}</trkseg></trk>"
    path.write_text('<?xml version="1.0"?><gpx version="1.1" creator="test" '
                    f'xmlns="http://www.topografix.com/GPX/1/1">{inner}</gpx>')
    return path


def _line(n=200, step_deg=0.0002, ele=None):
    """Points going north, ~22 m apart."""
    return [(45.0 + i * step_deg, 7.0, None if ele is None else ele(i)) for i in range(n)]


def test_flat_course_finishes_at_the_pace():
    c = _course(np.arange(0, 5001, 10.0), np.full(501, 100.0))
    p = gaitload.plan(c, pace="5:00/km")
    assert p.summary["plan"]["finish_time_s"] == pytest.approx(1500.0, rel=0.002)
    assert len(p.splits) == 5 and np.allclose(p.splits["split_time_s"], 300.0, rtol=0.01)
    assert len(p.climbs) == 0
    for m in MUSCLES:
        assert p.summary["load_vs_level"][m] == pytest.approx(1.0, abs=0.01)
    assert not p.steps["measured"].any()
    assert all(v.startswith("predicted") for v in p.summary["provenance"]["channels"].values())


def test_hill_slows_by_the_gap_factor_and_loads_quads_on_the_descent():
    # 1 km flat, 2 km up at 8 %, 2 km down at 8 %, 1 km flat
    d = np.arange(0, 6001, 5.0)
    alt = 100 + np.interp(d, [0, 1000, 3000, 5000, 6000], [0, 0, 160, 0, 0])
    p = gaitload.plan(_course(d, alt), flat_speed_mps=3.0)
    climbs = p.climbs
    assert list(climbs["kind"]) == ["climb", "descent"]
    up, down = climbs.iloc[0], climbs.iloc[1]
    assert up["gain_m"] == pytest.approx(160, abs=8) and down["loss_m"] == pytest.approx(160, abs=8)
    # pace model: time on the hill = length x F(grade) / v_flat (grade smoothing softens the ends)
    assert up["predicted_time_s"] == pytest.approx(up["length_m"] * gap_speed_factor(8.0) / 3.0, rel=0.05)
    assert down["predicted_time_s"] == pytest.approx(down["length_m"] * gap_speed_factor(-8.0) / 3.0, rel=0.05)
    assert up["load_calves"] > 0 and down["load_quads"] > 0
    # the article: downhill raises quads (eccentric): more than the same steps on level ground
    assert p.summary["load_vs_level"]["quads"] > 1.02
    finish = p.summary["plan"]["finish_time_s"]
    flat_equiv = (2000 + 2000 * gap_speed_factor(8.0) + 2000 * gap_speed_factor(-8.0)) / 3.0
    assert finish == pytest.approx(flat_equiv, rel=0.03)


def test_steep_grade_is_walked():
    d = np.arange(0, 2001, 5.0)
    alt = np.interp(d, [0, 500, 1500, 2000], [100, 100, 400, 400])  # 30 % for 1 km
    p = gaitload.plan(_course(d, alt), pace="5:00/km")
    assert 0.45 < p.summary["plan"]["walk_fraction"] < 0.6
    walk = p.steps[p.steps["gait"] == "walk"]
    assert len(walk) and walk["cadence_spm"].median() < 120 and walk["speed_mps"].median() <= 2.0
    assert p.steps.loc[p.steps["gait"] == "run", "cadence_spm"].median() > 160


def test_gpx_route_tcx_and_fit_course_give_the_same_forecast(shared_data):
    results = {}
    for ext in ("gpx", "tcx", "fit"):
        path = shared_data / COURSE_DIR / f"testcourse.{ext}"
        results[ext] = gaitload.plan(path, pace="6:00/km")
    gpx = results["gpx"].summary
    assert gpx["plan"]["course_format"] == "gpx-route"
    assert gpx["plan"]["distance_m"] == pytest.approx(25255, rel=0.002)  # the TCX lap's DistanceMeters
    for ext in ("tcx", "fit"):
        s = results[ext].summary
        assert s["plan"]["finish_time_s"] == pytest.approx(gpx["plan"]["finish_time_s"], rel=0.02)
        assert s["load_total"] == pytest.approx(gpx["load_total"], rel=0.02)
    assert gpx["elevation_gain_m"] == pytest.approx(315, rel=0.1)  # 556-757 m loop
    # the km splits share out the course's counted gain and loss: they add up to its totals
    # (summing every rise of the smoothed profile gave 386 m against the course's 313 m)
    splits = results["gpx"].splits
    assert splits["gain_m"].sum() == pytest.approx(gpx["elevation_gain_m"], abs=0.5)
    assert splits["loss_m"].sum() == pytest.approx(gpx["elevation_loss_m"], abs=0.5)
    # the loop's long descents pass terrain's climb rule (>= 20 m at >= 3 %); its climbs are gentler
    climbs = results["gpx"].climbs
    assert (climbs["kind"] == "descent").any()
    assert (climbs["loss_m"].where(climbs["kind"] == "descent", 20.0) >= 20.0).all()


def test_recorded_run_with_times_stripped_matches_its_analysis(shared_data):
    """A real run (Stryd export, 324 m gain by its GPS altitude), forecast at its own
    grade-adjusted pace (the grade over a minute of running, as the forecast paces by) and flat
    cadence: finish within 3 % of the moving time, total load and every muscle within 10 % of the
    analysis (measured: finish 0.0 %, muscles +3.8 % to +7.6 %, total +5.1 %;
    benchmarks/validate_plan.py). Re-recorded at its own points, its forecast has the very grade
    of the analysis. Pacing by every 5 m of grade instead missed the hamstrings by
    +20 %: the forecast sped up on descents the runner did not respond to."""
    path = shared_data / "stryder-stryd-exports/assets/demo_run_files/stryd/6273722891010048.csv"
    analysis = gaitload.analyze(path)
    steps = analysis.steps
    t, d, g = (steps[c].to_numpy(float) for c in ("time_s", "distance_m", "grade_pct"))
    dt, dd = np.diff(t), np.diff(d)
    moving = (dt > 0) & (dt <= 3.0) & np.isfinite(dd)
    g_eff = pacing_grade(d, g, PACING_WINDOW_S * dd[moving].sum() / dt[moving].sum())
    gap = np.sum(dd[moving] * gap_speed_factor(np.nan_to_num(g_eff[1:]))[moving]) / dt[moving].sum()
    flat = (np.abs(g) <= 2) & (steps["speed_mps"] >= 2)
    p = gaitload.plan(analysis.recording, flat_speed_mps=gap, flat_cadence=float(steps.loc[flat, "cadence_spm"].median()))
    assert p.summary["plan"]["course_is_recorded_activity"]
    assert p.summary["plan"]["finish_time_s"] == pytest.approx(dt[moving].sum(), rel=0.03)
    assert p.summary["plan"]["walk_fraction"] < 0.02  # the runner ran it all
    # (to 1e-4 grade points: the export's watch elevation is GPS altitude, whose L1 trend
    # filter is iterative and answers inputs equal to rounding with grades equal to ~1e-6)
    assert np.allclose(p.profile["grade_pct"], analysis.profile["grade_pct"], atol=1e-4, equal_nan=True)
    # and the same climbs, measured on the same smoothed altitude
    assert np.allclose(p.climbs["mean_grade_pct"], analysis.climbs["mean_grade_pct"], atol=1e-6)
    assert p.summary["load_total"] == pytest.approx(analysis.summary["load_total"], rel=0.10)
    for m in MUSCLES:
        assert p.summary["muscle_load"][m] == pytest.approx(analysis.summary["muscle_load"][m], rel=0.10)


def test_pacing_grade_is_the_mean_grade_of_a_minute_of_running():
    d = np.arange(0, 2001, 5.0)
    g = np.where((d > 1000) & (d <= 1500), 10.0, 0.0)
    e = pacing_grade(d, g, 200.0)
    # inside the climb and far from it: the grade itself; at the foot of it: half the window on it
    assert e[d == 1250.0][0] == pytest.approx(10.0) and e[d == 500.0][0] == pytest.approx(0.0)
    assert e[d == 1000.0][0] == pytest.approx(5.0)
    # unknown grade is left out of the mean (10 %), not read as level (which would give 5 %)
    g2 = np.where(d > 1100, np.nan, g)
    assert pacing_grade(d, g2, 200.0)[d == 1100.0][0] == pytest.approx(10.0)


def test_short_bumps_do_not_change_the_pace_but_a_long_climb_does():
    # +-10 % bumps 40 m long average out within a minute of running: the finish is the flat one
    # (pacing by each 5 m of the smoothed grade made it 11 % slower); 1 km at 8 % does not
    d = np.arange(0, 5001, 5.0)
    bumps = 100 + 4.0 * (np.abs(((d / 40.0) % 2) - 1) - 0.5)
    p = gaitload.plan(_course(d, bumps), flat_speed_mps=3.0)
    assert p.summary["plan"]["finish_time_s"] == pytest.approx(5000 / 3.0, rel=0.02)
    hill = 100 + np.interp(d, [0, 2000, 3000, 5000], [0, 0, 80, 80])
    ph = gaitload.plan(_course(d, hill), flat_speed_mps=3.0)
    assert ph.summary["plan"]["finish_time_s"] == pytest.approx((4000 + 1000 * gap_speed_factor(8.0)) / 3.0, rel=0.02)


def test_recording_times_are_ignored():
    from gaitload.recording import Recording

    d = np.arange(0, 3001, 3.0)
    alt = 50 + 20 * np.sin(d / 400)
    rec = Recording(time_s=np.arange(d.size, dtype=float), channels={"distance": d, "altitude": alt},
                    placement="records", metadata={"sport": "running"})
    slow = Recording(time_s=3 * np.arange(d.size, dtype=float), channels={"distance": d, "altitude": alt},
                     placement="records", metadata={"sport": "running"})
    a, b = gaitload.plan(rec, pace="5:00/km"), gaitload.plan(slow, pace="5:00/km")
    assert a.summary["plan"]["finish_time_s"] == pytest.approx(b.summary["plan"]["finish_time_s"], rel=1e-9)


def test_untimed_track_and_route_read_alike(tmp_path):
    pts = _line(ele=lambda i: 100 + i * 0.5)
    route = read_course(_gpx(tmp_path / "r.gpx", pts, route=True))
    track = read_course(_gpx(tmp_path / "t.gpx", pts))
    timed = read_course(_gpx(tmp_path / "timed.gpx", pts, times=True))
    assert route.source_format == "gpx-route" and track.source_format == "gpx-track"
    assert np.allclose(route.distance_m, track.distance_m) and np.allclose(route.altitude_m, track.altitude_m)
    assert route.length_m == pytest.approx(199 * 22.24, rel=0.01)  # 0.0002 deg of latitude = 22.24 m
    assert timed.recorded and not track.recorded


def test_no_elevation_forecasts_with_grade_unknown(tmp_path):
    path = _gpx(tmp_path / "flat.gpx", _line(n=300), route=True)
    p = gaitload.plan(path, pace="5:00/km")
    assert p.summary["plan"]["grade_known"] is False
    assert any("no elevation" in w for w in p.summary["warnings"])
    assert p.summary["plan"]["finish_time_s"] == pytest.approx(p.summary["plan"]["distance_m"] / (1000 / 300), rel=0.01)


def test_non_foot_sport_is_refused(tmp_path):
    path = _gpx(tmp_path / "ride.gpx", _line(ele=lambda i: 100.0 + i), kind="cycling")
    with pytest.raises(NotARunError) as err:
        gaitload.plan(path, pace="5:00/km")
    assert "cycling" in str(err.value) and "ride.gpx" in str(err.value)


@pytest.mark.parametrize("kwargs", [{"pace": "2:00/km"}, {"pace": "16:00/km"}, {"flat_speed_mps": 8.0},
                                    {"pace": "5:00/km", "flat_speed_mps": 3.0}, {}])
def test_bad_pace_is_one_line_error(kwargs):
    c = _course(np.arange(0, 1001, 10.0), np.full(101, 5.0))
    with pytest.raises(OptionError) as err:
        gaitload.plan(c, **kwargs)
    assert "\n" not in str(err.value)


def test_not_a_course_file(tmp_path):
    path = tmp_path / "wpt.gpx"
    path.write_text('<?xml version="1.0"?><gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1">'
                    '<wpt lat="1" lon="2"/></gpx>')
    with pytest.raises(GaitloadError, match="no track or route points"):
        read_course(path)


def _season(folder, runs):
    """A season folder as `gaitload season` writes it: runs.csv and one steps file per run."""
    (folder / "steps").mkdir(parents=True)
    rows = []
    for i, (start, speed, grade, cadence, loads) in enumerate(runs):
        n = 1000
        t = np.arange(n) * 0.35
        g = grade(speed * t) if callable(grade) else np.full(n, grade)  # grade: % or a function of distance
        pd.DataFrame({"time_s": t, "distance_m": speed * t, "speed_mps": np.full(n, speed),
                      "grade_pct": g, "cadence_spm": np.full(n, cadence)}
                     ).to_parquet(folder / "steps" / f"r{i}.parquet")
        row = {"file": f"r{i}.fit", "run_id": f"r{i}", "status": "ok", "start_time": start}
        for m in MUSCLES:
            row[f"load_{m}"], row[f"climb_load_{m}"], row[f"descent_load_{m}"] = loads
        rows.append(row)
    pd.DataFrame(rows).to_csv(folder / "runs.csv", index=False)
    return folder


def test_season_gives_flat_speed_cadence_and_training_ratios(tmp_path):
    folder = _season(tmp_path / "season", [
        ("2024-01-01T07:00:00Z", 5.0, 0.0, 190.0, (9999.0, 9999.0, 9999.0)),   # older than 8 weeks: ignored
        ("2024-04-01T07:00:00Z", 3.0, 0.0, 170.0, (1000.0, 100.0, 50.0)),      # Monday
        ("2024-04-03T07:00:00Z", 3.0, 1.0, 170.0, (2000.0, 200.0, 80.0)),      # same week
        ("2024-04-20T07:00:00Z", 3.0, 0.5, 170.0, (1500.0, 300.0, 60.0)),
    ])
    d = np.arange(0, 8001, 5.0)
    alt = 100 + np.interp(d, [0, 2000, 4000, 6000, 8000], [0, 0, 120, 0, 0])
    p = gaitload.plan(_course(d, alt), season=folder)
    plan = p.summary["plan"]
    # grade-adjusted distance over moving time of the window's three runs (equal durations)
    assert plan["flat_speed_mps"] == pytest.approx(3.0 * np.mean(gap_speed_factor(np.array([0.0, 1.0, 0.5]))), rel=1e-9)
    assert plan["flat_cadence_spm"] == pytest.approx(170.0 * (plan["flat_speed_mps"] / 3.0) ** 0.24, rel=1e-9)
    assert "3 runs" in plan["training_window"]
    t = p.training.set_index(["part", "muscle"])
    q = t.loc[("descents", "quads")]
    assert q["biggest_run_load"] == 80.0 and q["biggest_week_load"] == 130.0
    assert q["course_load"] == pytest.approx(p.summary["load_by_terrain"]["downhill"]["quads"])
    assert q["vs_biggest_run"] == pytest.approx(q["course_load"] / 80.0)
    assert t.loc[("climbs", "calves"), "biggest_week_load"] == 300.0
    assert t.loc[("whole course", "glutes"), "biggest_week_load"] == 3000.0
    # a pace overrides the season's speed but keeps the comparison
    p2 = gaitload.plan(_course(d, alt), season=folder, pace="4:00/km")
    assert p2.summary["plan"]["flat_speed_mps"] == pytest.approx(1000 / 240)
    assert len(p2.training) == 3 * len(MUSCLES)


def test_season_pace_is_not_inflated_by_short_bumps(tmp_path):
    # a runner holding 3 m/s over +-10 % bumps 20 m long did not pace for them: their flat speed
    # is 3 m/s (by each step's grade it would be 3 x (F(10) + F(-10)) / 2 = 3.5 m/s)
    bumps = lambda x: np.where((x // 20) % 2 == 0, 10.0, -10.0)  # noqa: E731
    folder = _season(tmp_path / "season", [("2024-04-01T07:00:00Z", 3.0, bumps, 170.0, (1.0, 1.0, 1.0))])
    p = gaitload.plan(_course(np.arange(0, 2001, 10.0), np.full(201, 100.0)), season=folder)
    assert p.summary["plan"]["flat_speed_mps"] == pytest.approx(3.0, rel=0.01)


def test_season_folder_must_be_one(tmp_path):
    with pytest.raises(OptionError, match="not a season folder"):
        gaitload.plan(_course(np.arange(0, 1001, 10.0), np.full(101, 5.0)), season=tmp_path)


def test_cli_plan_writes_outputs_and_refuses_bad_pace(tmp_path, capsys):
    from gaitload.cli import main

    path = _gpx(tmp_path / "hill.gpx", _line(n=400, ele=lambda i: 100 + 30 * np.sin(i / 40)), route=True)
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "gaitload", "plan", str(path), "--pace", "5:00/km", "--out", str(out)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "predicted finish" in run.stdout
    for name in ("plan.csv", "climbs.csv", "summary.json", "plan.png"):
        assert (out / name).stat().st_size > 0
    splits = pd.read_csv(out / "plan.csv")
    assert splits["elapsed_time_s"].iloc[-1] == pytest.approx(
        pd.read_json(out / "summary.json", typ="series")["plan"]["finish_time_s"], rel=1e-5)
    capsys.readouterr()
    assert main(["plan", str(path), "--pace", "1:00/km"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "2:30-15:00" in err


def test_separate_gpx_pieces_are_not_joined_by_their_jump(tmp_path):
    near = _line(n=100)
    far = [(lat + 0.05, lon, ele) for lat, lon, ele in _line(n=100)]  # 5.6 km further north
    seg = lambda pts: "<trkseg>" + "".join(f'<trkpt lat="{a}" lon="{b}"><ele>100</ele></trkpt>'  # noqa: E731
                                           for a, b, _ in pts) + "</trkseg>"
    body = seg(near) + seg(far)
    path = tmp_path / "two.gpx"
    path.write_text('<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'
                    f"<trk>{body}</trk></gpx>")
    course = read_course(path)
    assert course.length_m == pytest.approx(2 * 99 * 22.24, rel=0.01)
    assert any("jump" in w for w in course.warnings)


def test_gpx_course_with_real_export_faults_reads_as_the_clean_file(tmp_path):
    """A route as Strava writes it (an extension prefix never declared) after blank lines before
    the XML declaration reads as the clean file does, as the activity reader repairs it."""
    from gaitload.io import read_course

    clean = _gpx(tmp_path / "clean.gpx", _line(ele=lambda i: 100 + 0.1 * i), route=True)
    text = clean.read_text().replace("<ele>", "<gpxtpx:hint>x</gpxtpx:hint><ele>", 1)
    faulty = tmp_path / "faulty.gpx"
    faulty.write_text("\n\n  " + text)
    a, b = read_course(clean), read_course(faulty)
    np.testing.assert_array_equal(a.distance_m, b.distance_m)
    np.testing.assert_array_equal(a.altitude_m, b.altitude_m)
    assert b.source_format == "gpx-route" and b.name == "r"
    assert any("prefix" in w for w in b.warnings)
