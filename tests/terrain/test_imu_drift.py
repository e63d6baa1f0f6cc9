"""Drift of a foot IMU's strap-down rise: closure correction, resolution floor, real walks and stairs."""

from __future__ import annotations

import glob

import numpy as np
import pandas as pd
import pytest

import gaitload
from gaitload.events.strapdown import heading_change, quat_multiply, quat_rotate, track_heading
from gaitload.recording import Recording
from gaitload.simulate import simulate_run
from gaitload.terrain import TerrainOptions, compute_terrain
from gaitload.terrain.imu_drift import closed_stretch, foot_track, stride_outliers

VOISARD = "voisard-ipol-walking-footimu/GaitData"
GAITMAP = "gaitmap-example-data/example_data"
NO_DRIFT_RULES = TerrainOptions(imu_closure_frac=0.0, imu_grade_floor_pct=0.0)


def _quat(axis, angle):
    axis = np.asarray(axis, float) / np.linalg.norm(axis)
    return np.r_[np.cos(angle / 2), np.sin(angle / 2) * axis]


# ------------------------------------------------------------------------------------------------
# heading of the strides (strapdown)
# ------------------------------------------------------------------------------------------------
def test_heading_change_is_the_yaw_of_a_tilted_attitude():
    yaw = np.deg2rad([-170.0, -30.0, 0.0, 45.0, 120.0])
    tilt = _quat([1.0, 0.4, 0.0], np.deg2rad(25.0))  # any tilt of the sensor at the end
    q = np.array([quat_multiply(_quat([0, 0, 1], a), tilt) for a in yaw])
    np.testing.assert_allclose(heading_change(q), yaw, atol=1e-9)


def test_track_heading_bridges_strides_with_the_vertical_rate():
    """Between strides the turn is the rate about the foot-flat vertical; over a stride its own turn."""
    fs, n = 100.0, 1000
    mount = _quat([0.3, -1.0, 0.2], 0.8)  # the sensor sits tilted on the foot
    up_sensor = quat_rotate(mount * np.array([1, -1, -1, -1]), np.array([0.0, 0.0, 9.81]))
    gyr = np.zeros((n, 3))
    gyr[200:300] = np.deg2rad(90.0) * up_sensor / 9.81  # 90 deg turn on the spot (1 s)
    gyr[500:600] = np.deg2rad(40.0) * up_sensor / 9.81  # 40 deg inside the second stride (replaced)
    start, end = np.array([100, 450, 700]), np.array([180, 650, 800])
    rest = np.tile(up_sensor, (3, 1))
    h = track_heading(gyr, 1 / fs, rest, start, end, np.deg2rad([0.0, -10.0, 0.0]))
    np.testing.assert_allclose(np.rad2deg(h), [0.0, 90.0, 80.0], atol=1.0)


# ------------------------------------------------------------------------------------------------
# closure and floor on strides of known truth
# ------------------------------------------------------------------------------------------------
def _out_and_back(profile_pct, bias_pct, stride=1.3, seed=0, turn=True):
    """Strides of one foot along a course (grade per stride ``profile_pct``), out and back when
    ``turn``; each stride's rise carries ``bias_pct`` of its length (the strap-down offset) and
    1.5 cm of scatter."""
    rng = np.random.default_rng(seed)
    g = np.asarray(profile_pct, float)
    if turn:
        g = np.r_[g, -g[::-1]]
    n = g.size
    heading = np.where(np.arange(n) < n // 2, 0.0, 180.0) if turn else np.zeros(n)
    length = stride + rng.normal(0, 0.03, n)
    rise = length * (g + bias_pct) / 100 + rng.normal(0, 0.015, n)
    t = np.arange(n) * 1.1
    steps = pd.DataFrame({"time_s": t, "foot": "left", "measured": True, "stride_length_m": length,
                          "stride_rise_m": rise, "stride_heading_deg": heading + rng.normal(0, 2.0, n)})
    tt = np.arange(0, t[-1] + 2, 0.01)
    rec = Recording(time_s=tt, channels={"acc_x": np.zeros(tt.size)}, placement="foot")
    return rec, steps, g


def test_closed_stretch_finds_the_return_and_ignores_a_straight_walk():
    x, y, path = foot_track(np.full(20, 1.0), np.r_[np.zeros(10), np.full(10, 180.0)])
    assert closed_stretch(x, y, path, 0.15, 10.0) == (0, 20)
    x, y, path = foot_track(np.full(20, 1.0), np.zeros(20))
    assert closed_stretch(x, y, path, 0.15, 10.0) is None
    # a warm-up out to a loop: the loop (the end back at its own start) is the closed stretch
    heading = np.r_[np.zeros(10), np.repeat([90.0, 180.0, 270.0, 0.0], 5)]
    x, y, path = foot_track(np.full(30, 1.0), heading)
    i, j = closed_stretch(x, y, path, 0.15, 10.0)
    assert j == 30 and 7 <= i <= 10  # (from 3 m before the loop the end is within 15 % of 23 m)
    assert closed_stretch(x, y, path, 0.0, 10.0) is None  # 0: off


def test_level_out_and_back_with_drift_reads_level():
    rec, steps, _ = _out_and_back(np.zeros(40), bias_pct=3.0)
    before = compute_terrain(rec, steps, options=NO_DRIFT_RULES)
    after = compute_terrain(rec, steps)
    assert before.steps["grade_pct"].mean() == pytest.approx(3.0, abs=0.5)  # the drift, read as a slope
    assert abs(after.steps["grade_pct"].mean()) < 0.3
    assert after.provenance["imu_drift"]["rule"] == "closure"
    assert after.provenance["imu_drift"]["feet"][0]["drift_pct"] == pytest.approx(3.0, abs=0.3)
    assert any(w.code == "imu-grade" and "removed as drift" in w for w in after.warnings)


def test_a_real_hill_on_an_out_and_back_survives_the_closure():
    # 26 m level, 39 m up at 8 %, then back: the climb and the descent are real, the 2 % is drift
    rec, steps, _ = _out_and_back(np.r_[np.zeros(20), np.full(30, 8.0)], bias_pct=2.0, seed=2)
    res = compute_terrain(rec, steps)
    p = res.profile
    up = p["grade_pct"][p["distance_m"].between(38, 55)]
    down = p["grade_pct"][p["distance_m"].between(75, 92)]
    assert res.provenance["imu_drift"]["rule"] == "closure"
    assert up.median() == pytest.approx(8.0, abs=1.0)
    assert down.median() == pytest.approx(-8.0, abs=1.0)


def test_open_track_floor_keeps_steep_grades_and_levels_small_ones():
    rec, steps, _ = _out_and_back(np.r_[np.full(40, 2.5), np.full(40, 12.0)], bias_pct=0.0, turn=False, seed=4)
    res = compute_terrain(rec, steps)
    d = res.steps["distance_m"].to_numpy()
    g = res.steps["grade_pct"].to_numpy()
    assert res.provenance["imu_drift"]["rule"] == "floor"
    assert np.all(g[(d > 5) & (d < 35)] == 0.0)  # 2.5 %: within the 5 % floor, level
    assert np.median(g[(d > 70) & (d < 95)]) == pytest.approx(12.0, abs=1.0)  # 12 %: kept
    assert any(w.code == "imu-grade" and "taken as level" in w for w in res.warnings)


def test_simulated_foot_imu_slope_is_recovered():
    """The simulator's foot IMU (signals integrated by gaitload's own strap-down) up a steady hill."""
    sim = simulate_run(duration_s=60, placement="foot", sampling_rate_hz=200, course="uphill", seed=3)
    res = gaitload.analyze(sim.recording)
    true = sim.truth["grade_pct"].median()
    assert true > 5
    assert res.steps["grade_pct"].median() == pytest.approx(true, abs=1.0)


# ------------------------------------------------------------------------------------------------
# real recordings
# ------------------------------------------------------------------------------------------------
def _mean_grade(analysis, options=None):
    if options is None:
        return float(np.nanmean(analysis.steps["grade_pct"]))
    res = compute_terrain(analysis.recording, analysis.steps, options=options)
    return float(np.nanmean(res.steps["grade_pct"]))


def _voisard(shared_data, subjects):
    files = [f for f in sorted(glob.glob(str(shared_data / VOISARD / "*_[lr]f.txt")))
             if f.split("/")[-1].split("-")[0] in subjects]
    out = []
    for f in files:
        a = gaitload.analyze(f)
        if a.steps["stride_rise_m"].notna().sum() >= 4:
            out.append((_mean_grade(a, NO_DRIFT_RULES), _mean_grade(a)))
    return np.array(out)


def test_voisard_level_walks_read_level(shared_data):
    """Subjects 1 and 2 (20 foot recordings of stand, 10 m, U-turn, back on a level floor)."""
    g = _voisard(shared_data, {"1", "2"})
    floor = TerrainOptions().imu_grade_floor_pct
    assert len(g) == 20
    before, after = np.abs(g[:, 0]), np.abs(g[:, 1])
    assert (before <= 1.0).sum() <= 5  # the drift reads as a 1-3 % slope on most
    assert (after <= 1.0).sum() >= 18
    # 1-6_lf is open (strides lost at the turn: it ends 8 m from its start) and reads +5.1 %:
    # the worst level walk, at the edge of the floor (benchmarks/validate_terrain.py)
    assert (after <= floor + 0.2).sum() == 20


@pytest.mark.slow
def test_voisard_all_level_walks_read_level(shared_data):
    g = _voisard(shared_data, {"1", "2", "4", "5", "6", "7", "8", "9", "10"})
    after = np.abs(g[:, 1])
    assert len(g) >= 100
    assert np.mean(after <= TerrainOptions().imu_grade_floor_pct) >= 0.95
    assert np.mean(after <= 1.0) >= 0.85
    assert np.mean(np.abs(g[:, 0]) <= 1.0) <= 0.3


def test_gaitmap_level_walk_and_stairs(shared_data):
    walk = gaitload.analyze(shared_data / GAITMAP / "imu_sample.csv", sampling_rate_hz=204.8)
    assert _mean_grade(walk, NO_DRIFT_RULES) > 1.0  # +1.9 cm per stride: read as uphill
    assert abs(_mean_grade(walk)) < 1.0
    info = walk.summary["provenance"]["terrain"]["imu_drift"]
    assert info["rule"] == "closure" and all(f["closed"] for f in info["feet"])
    # the stairs are straight (no closure) and steep: their sign and size survive
    up = gaitload.analyze(shared_data / GAITMAP / "imu_sample_healthy_stair_up.csv")
    down = gaitload.analyze(shared_data / GAITMAP / "imu_sample_healthy_stair_down.csv")
    assert _mean_grade(up) > 20
    assert _mean_grade(down) < -20
    for a in (up, down):
        assert not any(f["closed"] for f in a.summary["provenance"]["terrain"]["imu_drift"]["feet"])


def test_stride_outliers_flag_a_lone_spike_not_a_staircase():
    g = np.r_[np.zeros(8), np.full(8, 45.0), 0.5, -97.0, 1.0, 0.0, 0.2]
    d = np.arange(g.size) * 0.7
    out = stride_outliers(g, [np.ones(g.size, bool)], d, TerrainOptions().imu_stride_outlier_pct)
    assert np.flatnonzero(out).tolist() == [17]
