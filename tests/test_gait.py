"""Gait mode per step (walk / run) and what the load model does with walking steps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gaitload.gait import classify_gait, gait_mode
from gaitload.load import apply_and_summarize, apply_rules, load_rules


def _steps(n, cadence, speed, grade=0.0, **extra):
    frame = pd.DataFrame({"cadence_spm": cadence, "speed_mps": speed, "grade_pct": grade,
                          "strike_pattern": "unknown", **extra}, index=range(n))
    frame["time_s"] = np.arange(n) * 0.5
    frame["distance_m"] = np.cumsum(np.broadcast_to(frame["speed_mps"].to_numpy(), (n,))) * 0.5
    return frame


def test_power_hiking_steps_are_walking():
    """1.0 m/s, 110 steps/min on +20 %: walking (the issue's check), and a 3 m/s run at 170 running."""
    hike = classify_gait(_steps(200, 110.0, 1.0, 20.0))
    assert (hike["gait"] == "walk").all()
    run = classify_gait(_steps(200, 170.0, 3.0, 20.0))
    assert (run["gait"] == "run").all()
    # a slow uphill jog keeps its running cadence: running, although slower than 2 m/s
    jog = classify_gait(_steps(200, 158.0, 1.6, 12.0))
    assert (jog["gait"] == "run").all()


def test_hysteresis_and_median_keep_single_steps_from_flickering():
    cadence = np.r_[np.full(50, 112.0), np.full(50, 140.0), np.full(50, 170.0), np.full(50, 140.0)]
    cadence[20] = 175.0  # one odd step inside the walk
    gait = gait_mode(np.nan, np.nan, cadence, np.full(cadence.size, 1.8))
    assert (gait[:100] == "walk").all()  # 140 is between the thresholds: stays walking
    assert (gait[102:] == "run").all()  # and after running, stays running


def test_flight_phase_decides_where_a_foot_sensor_measured_the_contacts():
    """Contact longer than the step (double support) is walking whatever the cadence; shorter
    (a flight phase) is running. Other placements' contact times are not used."""
    n = 40
    long_contact = _steps(n, 140.0, 2.0, contact_time_ms=600.0, step_time_s=0.43)
    short_contact = _steps(n, 130.0, 2.0, contact_time_ms=250.0, step_time_s=0.46)
    assert (classify_gait(long_contact, placement="foot")["gait"] == "walk").all()
    assert (classify_gait(short_contact, placement="shank")["gait"] == "run").all()
    assert (classify_gait(long_contact, placement="wrist")["gait"] == "unknown").all()  # cadence 140: no verdict
    assert (classify_gait(short_contact, placement="records")["gait"] == "walk").all()  # cadence 130
    assert (gait_mode(np.full(3, np.nan), np.nan, np.nan, np.nan) == "unknown").all()
    # a running cadence is running even with contacts as long as the step (a steep climb)
    climb = _steps(n, 182.0, 1.9, 13.0, contact_time_ms=345.0, step_time_s=0.33)
    assert (classify_gait(climb, placement="foot")["gait"] == "run").all()


@pytest.mark.shared_data
def test_real_foot_imu_walking_is_walking(shared_data):
    """Voisard et al.: 10 m walks with a foot IMU (Xsens, 100 Hz): contacts ~640 ms vs steps ~550 ms."""
    from gaitload import analyze

    path = shared_data / "voisard-ipol-walking-footimu" / "GaitData" / "7-3_rf.txt"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    analysis = analyze(path, sport_check=False)
    assert analysis.summary["placement"] == "foot"
    assert (analysis.steps["gait"] == "walk").mean() > 0.9
    assert analysis.summary["walk_fraction"] > 0.9


def test_walking_steps_use_the_walking_block_not_the_running_modifiers():
    """No running speed clip or effort factor: a walking step's load is the same at 0.8 and
    1.4 m/s, rises with grade by the walking slopes (not by the Strava running factor), and is
    left out of the comparison with level ground."""
    for name in ("source", "literature"):
        rules = load_rules(name)
        walk = rules.walking
        slow = apply_rules(_steps(10, 100.0, 0.8, 10.0, gait="walk"), rules)
        fast = apply_rules(_steps(10, 125.0, 1.4, 10.0, gait="walk"), rules)
        np.testing.assert_allclose(slow["load_total"], fast["load_total"])
        expected = walk.level_step_load * np.sum(walk.shares * (1 + 10.0 * walk.up_per_pct))
        np.testing.assert_allclose(slow["load_total"], expected)
        level = apply_rules(_steps(10, 110.0, 1.0, 0.0, gait="walk"), rules)
        np.testing.assert_allclose(level["load_total"], walk.level_step_load)


def test_walking_is_left_out_of_the_level_comparison_and_reported():
    rules = load_rules("source")
    run = _steps(300, 170.0, 3.3, 10.0, gait="run")
    hike = _steps(700, 110.0, 1.0, 20.0, gait="walk")
    both = pd.concat([run, hike], ignore_index=True)
    _, mixed = apply_and_summarize(both, rules)
    _, alone = apply_and_summarize(run, rules)
    for key in ("emphasis_vs_flat", "load_vs_level"):
        for muscle, value in alone[key].items():
            assert mixed[key][muscle] == pytest.approx(value, rel=1e-12), (key, muscle)
    assert mixed["walk_fraction"] == pytest.approx(0.7)
    assert mixed["load_by_gait"]["walk"]["n_steps"] == 700
    assert any("70 % of steps were walking" in w and "Franz & Kram 2012" in w for w in mixed["warnings"])
    assert not any("were walking" in w for w in alone["warnings"])


def test_power_hiking_records_file_is_walking_end_to_end(tmp_path):
    """A records file of power hiking (1.0 m/s, 110 steps/min, +20 %) read by analyze: every step
    walks, the summary and the terminal say so, and no running comparison is made."""
    from gaitload import analyze
    from gaitload.cli import main

    t = np.arange(0.0, 900.0, 1.0)
    path = tmp_path / "hike.csv"
    pd.DataFrame({"time": t, "distance": t * 1.0, "altitude": 500 + t * 0.20, "speed": 1.0,
                  "cadence": 110.0}).to_csv(path, index=False)
    analysis = analyze(path, sport_check=False)
    assert (analysis.steps["gait"] == "walk").all()
    assert analysis.summary["walk_fraction"] == 1.0
    assert all(np.isnan(v) for v in analysis.summary["emphasis_vs_flat"].values())
    assert any("100 % of steps were walking" in w for w in analysis.summary["warnings"])
    assert analysis.summary["provenance"]["gait"].startswith("derived: cadence and speed")
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["analyze", str(path), "--any-sport"]) == 0
    assert "walking 100% of steps" in out.getvalue()
