"""Tests of the simulator: truth self-consistency, physics of the signals, determinism, files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gaitload.cli import simulate_command
from gaitload.errors import GaitloadError, OptionError, UnsupportedFormatError
from gaitload.simulate import (
    G, MO_FOREFOOT_BELOW_DEG, MO_REARFOOT_ABOVE_DEG, SAMPLE_FILES, Course, gap_speed_factor,
    simulate_run,
)


@pytest.fixture(scope="module")
def hilly_foot():
    return simulate_run(duration_s=300, placement="foot", sampling_rate_hz=200, course="hilly", seed=11)


@pytest.fixture(scope="module")
def uphill_foot():
    return simulate_run(duration_s=60, placement="foot", sampling_rate_hz=200, course="uphill", seed=3)


def _imu(rec, prefix=""):
    acc = np.column_stack([rec.channels[f"{prefix}acc_{a}"] for a in "xyz"])
    gyr = np.column_stack([rec.channels[f"{prefix}gyr_{a}"] for a in "xyz"])
    return acc, gyr


# ------------------------------------------------------------------------------------------------
# truth self-consistency
# ------------------------------------------------------------------------------------------------
def test_step_count_equals_integral_of_cadence(hilly_foot):
    tr = hilly_foot.truth
    t, c = tr["time_s"].to_numpy(), tr["cadence_spm"].to_numpy()
    integral = np.sum(np.diff(t) * 0.5 * (c[1:] + c[:-1]) / 60.0)
    assert abs(integral - (len(tr) - 1)) / (len(tr) - 1) < 0.01
    # cadence also agrees with the measured step times, and is in the running range
    assert np.nanmedian(60.0 / tr["step_time_s"]) == pytest.approx(np.median(c), rel=0.02)
    assert 160 < np.median(c) < 185


def test_altitude_is_integral_of_grade(hilly_foot):
    crs = hilly_foot.course
    d, alt, grade = (crs[c].to_numpy() for c in ("distance_m", "altitude_m", "grade_pct"))
    integral = alt[0] + np.concatenate([[0], np.cumsum(np.diff(d) * 0.5 * (grade[1:] + grade[:-1]) / 100)])
    assert np.max(np.abs(integral - alt)) < 0.05
    # the hilly course spans about -15..+15 % and the truth table carries the course values
    assert grade.max() > 8 and grade.min() < -8 and np.abs(grade).max() <= 15.5
    tr = hilly_foot.truth
    assert np.allclose(tr["altitude_m"], np.interp(tr["distance_m"], d, alt), atol=1e-6)
    assert np.allclose(tr["grade_pct"], np.interp(tr["distance_m"], d, grade), atol=1e-6)


def test_contacts_alternate_and_contact_time(hilly_foot):
    tr = hilly_foot.truth
    assert tr["time_s"].is_monotonic_increasing
    assert (tr["foot"].to_numpy()[1:] != tr["foot"].to_numpy()[:-1]).all()
    assert np.allclose(tr["contact_time_ms"], (tr["toe_off_s"] - tr["time_s"]) * 1000, atol=1e-6)
    assert np.allclose(tr["step_time_s"].iloc[1:], np.diff(tr["time_s"]), atol=1e-9)
    assert tr["step_time_s"].isna().iloc[0]
    assert tr["contact_time_ms"].between(150, 420).all()
    assert tr["contact_time_ms"].median() == pytest.approx(250, abs=40)


def test_strike_pattern_matches_mo_cutoffs_and_terrain_rule(hilly_foot):
    tr = hilly_foot.truth
    a, p = tr["strike_angle_deg"], tr["strike_pattern"]
    assert (a[p == "rearfoot"] > MO_REARFOOT_ABOVE_DEG).all()
    assert (a[p == "forefoot"] < MO_FOREFOOT_BELOW_DEG).all()
    mid = a[p == "midfoot"]
    assert ((mid >= MO_FOREFOOT_BELOW_DEG) & (mid <= MO_REARFOOT_ABOVE_DEG)).all()
    g = tr["grade_pct"]
    expected = np.where(g > 2, "uphill", np.where(g < -2, "downhill", "flat"))
    assert (tr["terrain"].to_numpy() == expected).all()
    assert set(tr["terrain"]) == {"uphill", "flat", "downhill"}


def test_uphill_shifts_strike_forward_and_slows_runner():
    flat = simulate_run(duration_s=240, placement="records", course="flat", seed=5).truth
    up = simulate_run(duration_s=240, placement="records", course="uphill", seed=5).truth
    down = simulate_run(duration_s=240, placement="records", course="downhill", seed=5).truth
    nonrear = lambda tr: float((tr["strike_pattern"] != "rearfoot").mean())  # noqa: E731
    assert nonrear(up) > nonrear(flat) + 0.3
    assert nonrear(flat) < 0.15
    assert down["strike_angle_deg"].mean() > flat["strike_angle_deg"].mean()
    # equal effort: speed follows the Strava GAP factor (literature 1e)
    g_up = up["grade_pct"].median()
    assert up["speed_mps"].median() == pytest.approx(3.3 / gap_speed_factor(g_up), rel=0.06)
    assert down["speed_mps"].median() > flat["speed_mps"].median()
    # cadence: higher uphill at equal effort (Padulo 2013: +4 % at 7 %), lower downhill
    assert up["cadence_spm"].median() > 1.025 * flat["cadence_spm"].median()
    assert down["cadence_spm"].median() < flat["cadence_spm"].median()
    # stride rise over stride length is the grade under the foot
    ok = up["stride_length_m"].notna()
    slope = (up["stride_rise_m"][ok] / up["stride_length_m"][ok]).median() * 100
    assert slope == pytest.approx(g_up, abs=0.6)


def test_forced_strike_and_speed_effects():
    ff = simulate_run(duration_s=60, placement="records", course="flat", strike="forefoot", seed=1).truth
    assert (ff["strike_pattern"] == "forefoot").all()
    assert ff["strike_angle_deg"].between(-12, -4).all()
    slow = simulate_run(duration_s=60, placement="records", course="flat", speed_mps=2.5, seed=1).truth
    fast = simulate_run(duration_s=60, placement="records", course="flat", speed_mps=4.5, seed=1).truth
    assert fast["contact_time_ms"].median() < slow["contact_time_ms"].median() - 40
    assert fast["cadence_spm"].median() > slow["cadence_spm"].median()
    assert fast["stride_length_m"].median() > slow["stride_length_m"].median()


# ------------------------------------------------------------------------------------------------
# determinism and sampling
# ------------------------------------------------------------------------------------------------
def test_deterministic_for_a_seed():
    a = simulate_run(duration_s=30, placement="shank", sampling_rate_hz=100, seed=42)
    b = simulate_run(duration_s=30, placement="shank", sampling_rate_hz=100, seed=42)
    c = simulate_run(duration_s=30, placement="shank", sampling_rate_hz=100, seed=43)
    pd.testing.assert_frame_equal(a.truth, b.truth)
    for k in a.recording.channels:
        np.testing.assert_array_equal(a.recording.channels[k], b.recording.channels[k])
    assert not np.allclose(a.recording.channels["acc_x"], c.recording.channels["acc_x"])


@pytest.mark.parametrize("rate", [50.0, 102.4, 204.8, 400.0])
def test_sample_rate_honoured(rate):
    run = simulate_run(duration_s=20, placement="foot", sampling_rate_hz=rate, seed=0)
    rec = run.recording
    assert rec.sampling_rate_hz == pytest.approx(rate, rel=1e-9)
    assert rec.n_samples == int(np.floor(20 * rate)) + 1
    assert rec.duration_s == pytest.approx(20, abs=1 / rate)
    assert rec.placement == "foot" and rec.metadata["simulated"] is True
    assert rec.start_time is not None and rec.side == "left"


def test_one_hour_run_generates():
    run = simulate_run(duration_s=3600, placement="foot", sampling_rate_hz=100, seed=2)
    assert run.recording.n_samples == 360001
    # about 170 steps/min for an hour, minus the standing lead-in
    assert 9000 < len(run.truth) < 11500
    assert run.truth["distance_m"].iloc[-1] > 9000


# ------------------------------------------------------------------------------------------------
# physics of the signals
# ------------------------------------------------------------------------------------------------
def _left_midstance_idx(run):
    tr = run.truth
    left = tr[tr["foot"] == "left"]
    fs = run.recording.sampling_rate_hz
    ms = left["time_s"] + 0.35 * left["contact_time_ms"] / 1000
    return np.round(ms.to_numpy() * fs).astype(int), left.reset_index(drop=True)


def test_foot_zero_velocity_interval(hilly_foot):
    rec, tr = hilly_foot.recording, hilly_foot.truth
    acc, gyr = _imu(rec)
    t = rec.time_s
    left = tr[tr["foot"] == "left"]
    start = left["time_s"] + 0.22 * left["contact_time_ms"] / 1000
    end = left["time_s"] + 0.48 * left["contact_time_ms"] / 1000
    i0, i1 = np.searchsorted(t, start), np.searchsorted(t, end)
    # samples inside any [start, end) window: +1 at each start, -1 at each end, running sum
    edges = np.bincount(i0, minlength=t.size + 1) - np.bincount(i1, minlength=t.size + 1)
    flat = np.cumsum(edges)[:-1] > 0
    mag = np.linalg.norm(acc[flat], axis=1)
    assert abs(mag.mean() - G) < 0.15 and mag.std() < 0.2
    assert np.sqrt(np.mean(np.sum(gyr[flat] ** 2, axis=1))) < 0.05  # rad/s
    # outside stance the foot moves a lot
    assert np.abs(gyr).max() > 8 and np.linalg.norm(acc, axis=1).max() > 4 * G


def test_sagittal_gyro_integrates_to_zero_between_midstances(hilly_foot):
    rec = hilly_foot.recording
    _, gyr = _imu(rec)
    seg = gyr @ hilly_foot.sensor_rotation[""]       # sensor -> segment frame
    idx, _ = _left_midstance_idx(hilly_foot)
    cum = np.concatenate([[0.0], np.cumsum(seg[:, 1]) / rec.sampling_rate_hz])
    swing_deg = np.degrees(cum[idx[1:]] - cum[idx[:-1]])
    assert np.abs(swing_deg).max() < 1.5
    # but within the stride the foot pitches through 60+ degrees
    assert np.degrees(np.ptp(cum[idx[0]:idx[1]])) > 60
    # the sagittal axis is not a sensor axis: every sensor axis sees part of it
    sens_share = np.abs(hilly_foot.sensor_rotation[""][:, 1])
    assert sens_share.max() < 0.95


def _rotvec_to_matrix(rv):
    angle = np.linalg.norm(rv)
    if angle < 1e-12:
        return np.eye(3)
    k = rv / angle
    kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + np.sin(angle) * kx + (1 - np.cos(angle)) * kx @ kx


def test_strapdown_recovers_stride_length_and_rise(uphill_foot):
    """Zero-velocity-update strapdown integration (Skog et al. 2010 style) between mid-stances
    in the segment frame returns the truth stride length and the stride rise."""
    rec = uphill_foot.recording
    acc, gyr = _imu(rec)
    rot = uphill_foot.sensor_rotation[""]
    acc, gyr = acc @ rot, gyr @ rot
    fs = rec.sampling_rate_hz
    idx, left = _left_midstance_idx(uphill_foot)
    errors_len, errors_rise = [], []
    for j in range(1, 8):
        a0, a1 = idx[j], idx[j + 1]
        f0 = acc[a0 - 5:a0 + 5].mean(axis=0)
        z = f0 / np.linalg.norm(f0)                   # world up in the segment frame
        x = np.cross([0, 1, 0], z)
        x /= np.linalg.norm(x)
        r = np.vstack([x, np.cross(z, x), z])          # segment -> world at mid-stance
        vel = np.zeros((a1 - a0, 3))
        v = np.zeros(3)
        for n in range(a0, a1):
            r = r @ _rotvec_to_matrix(gyr[n] / fs)
            v = v + (r @ acc[n] - [0, 0, G]) / fs
            vel[n - a0] = v
        vel -= np.linspace(0, 1, len(vel))[:, None] * vel[-1]   # zero-velocity update
        disp = vel.sum(axis=0) / fs
        errors_len.append(np.hypot(disp[0], disp[1]) - left["stride_length_m"][j])
        errors_rise.append(disp[2] - left["stride_rise_m"][j])
    assert np.abs(errors_len).max() < 0.03
    assert np.abs(errors_rise).max() < 0.03
    assert left["stride_rise_m"][1] > 0.08                        # ~8 % of ~1.7 m


def test_impact_larger_for_rearfoot():
    from scipy.signal import butter, sosfiltfilt

    def ring(strike):
        run = simulate_run(duration_s=30, placement="foot", sampling_rate_hz=400, course="flat",
                           strike=strike, seed=9)
        acc, _ = _imu(run.recording)
        hp = sosfiltfilt(butter(4, 15, "highpass", fs=400, output="sos"), acc, axis=0)
        left = run.truth[run.truth["foot"] == "left"]
        i = np.round(left["time_s"].to_numpy() * 400).astype(int)
        after = np.median([np.sqrt((hp[k:k + 16] ** 2).sum(axis=1).mean()) for k in i])
        before = np.median([np.sqrt((hp[k - 40:k - 8] ** 2).sum(axis=1).mean()) for k in i])
        return after, before
    rear, rear_before = ring("rearfoot")
    fore, _ = ring("forefoot")
    assert rear > 1.5 * fore
    assert rear > 4 * rear_before   # the 20-30 Hz ring marks the contact


def test_shank_rotation_pattern_and_tibial_shock():
    def run(strike):
        return simulate_run(duration_s=40, placement="shank", sampling_rate_hz=200, course="flat",
                            strike=strike, seed=12)
    rear = run("rearfoot")
    rec = rear.recording
    acc, gyr = _imu(rec)
    seg_w = gyr @ rear.sensor_rotation[""]
    left = rear.truth[rear.truth["foot"] == "left"]
    ic = np.round(left["time_s"].to_numpy() * 200).astype(int)
    cum = np.concatenate([[0.0], np.cumsum(seg_w[:, 1]) / 200])
    # periodic: the shank returns to the same inclination at every initial contact
    assert np.abs(np.degrees(cum[ic[1:]] - cum[ic[:-1]])).max() < 3
    # stance rotates the shank forward over the planted foot (positive about y); the swing
    # swings it back faster, through about 90 deg
    to = np.round(left["toe_off_s"].to_numpy() * 200).astype(int)
    assert np.all(cum[to[:-1]] - cum[ic[:-1]] > np.radians(35))
    assert np.abs(seg_w[:, 1]).max() > 8
    # tibial shock after IC is larger for heel strikers
    def shock(r):
        a, _ = _imu(r.recording)
        lf = r.truth[r.truth["foot"] == "left"]
        i = np.round(lf["time_s"].to_numpy() * 200).astype(int)
        return np.median([np.linalg.norm(a[k:k + 6], axis=1).max() for k in i])
    assert shock(rear) > shock(run("forefoot")) + 0.5 * G


def test_lumbar_vertical_peaks_follow_every_contact():
    run = simulate_run(duration_s=60, placement="lumbar", sampling_rate_hz=100, course="flat", seed=4)
    rec, tr = run.recording, run.truth
    acc, gyr = _imu(rec)
    seg = acc @ run.sensor_rotation[""]
    t = rec.time_s
    # the spine axis carries gravity on average and a peak within each contact of either foot
    assert seg[t > 3, 2].mean() == pytest.approx(G, rel=0.05)
    peaks = []
    for ic, to in zip(tr["time_s"], tr["toe_off_s"]):
        w = (t >= ic) & (t <= to)
        peaks.append(t[w][np.argmax(seg[w, 2])] - ic)
    peaks = np.array(peaks)
    assert np.all(peaks > 0) and np.median(peaks) < 0.2
    assert np.median([seg[(t >= a) & (t <= b), 2].max() for a, b in zip(tr["time_s"], tr["toe_off_s"])]) > 1.8 * G
    # dominant vertical frequency = step frequency; lateral sway alternates at stride frequency
    cad_hz = tr["cadence_spm"].median() / 60
    spec = lambda x: np.abs(np.fft.rfft(x - x.mean()))  # noqa: E731
    f = np.fft.rfftfreq(int((t > 3).sum()), 1 / 100)
    assert f[np.argmax(spec(seg[t > 3, 2]))] == pytest.approx(cad_hz, rel=0.05)
    lateral = spec(seg[t > 3, 1])
    band = (f > 0.3) & (f < 4)
    assert f[band][np.argmax(lateral[band])] == pytest.approx(cad_hz / 2, rel=0.05)


def test_wrist_swings_at_stride_frequency_and_clips():
    run = simulate_run(duration_s=60, placement="wrist", sampling_rate_hz=100, course="flat",
                       speed_mps=5.0, seed=4)
    rec, tr = run.recording, run.truth
    acc, gyr = _imu(rec)
    t = rec.time_s
    assert np.abs(acc).max() <= 8 * G + 1e-9
    seg = gyr @ run.sensor_rotation[""]
    f = np.fft.rfftfreq(int((t > 3).sum()), 1 / 100)
    s = np.abs(np.fft.rfft(seg[t > 3, 1] - seg[t > 3, 1].mean()))
    assert f[np.argmax(s)] == pytest.approx(tr["cadence_spm"].median() / 120, rel=0.05)


def test_two_foot_sensors():
    run = simulate_run(duration_s=30, placement="foot", side="both", sampling_rate_hz=100, seed=1)
    rec = run.recording
    assert rec.sensors == ["left", "right"]
    assert rec.sensor("right").side == "right" and rec.sensor("left").placement == "foot"
    # each sensor is still at its own foot's mid-stance, not at the other's
    for side in ("left", "right"):
        acc, gyr = _imu(rec, f"{side}.")
        own = run.truth[run.truth["foot"] == side]
        i = np.round((own["time_s"] + 0.35 * own["contact_time_ms"] / 1000).to_numpy() * 100).astype(int)
        assert np.median(np.linalg.norm(gyr[i], axis=1)) < 0.1
        other = run.truth[run.truth["foot"] != side]
        j = np.round((other["time_s"] + 0.35 * other["contact_time_ms"] / 1000).to_numpy() * 100).astype(int)
        assert np.median(np.linalg.norm(gyr[j], axis=1)) > 2.0


def test_stop_has_no_contacts_and_standing_signal():
    run = simulate_run(duration_s=120, placement="foot", sampling_rate_hz=100, stops=True, stop_s=20, seed=6)
    (l0, l1), (p0, p1) = run.pauses_s
    assert l0 == 0 and l1 == pytest.approx(2.0) and p1 - p0 == pytest.approx(20)
    tr = run.truth
    inside = (tr["toe_off_s"] > p0) & (tr["time_s"] < p1)
    assert not inside.any()
    after = tr[tr["time_s"] > p1].index[0]
    assert np.isnan(tr.loc[after, "step_time_s"])
    assert tr["contact_time_ms"].max() < 420
    acc, gyr = _imu(run.recording)
    t = run.recording.time_s
    still = (t > p0 + 0.5) & (t < p1 - 0.5)
    assert np.abs(np.linalg.norm(acc[still], axis=1) - G).max() < 0.5
    assert np.abs(gyr[still]).max() < 0.06
    assert tr["time_s"].iloc[0] > l1


# ------------------------------------------------------------------------------------------------
# records
# ------------------------------------------------------------------------------------------------
def test_records_channels_and_altitude_noise():
    baro = simulate_run(duration_s=1200, placement="records", altitude_source="barometric", seed=8)
    gps = simulate_run(duration_s=1200, placement="records", altitude_source="gps", seed=8)
    none = simulate_run(duration_s=120, placement="records", altitude_source=None, seed=8)
    rec = baro.recording
    assert rec.sampling_rate_hz == pytest.approx(1.0)
    assert rec.metadata["altitude_source"] == "barometric" and "altitude" not in none.recording.channels
    assert np.all(np.diff(rec.channels["distance"]) >= 0)
    assert rec.channels["distance"][-1] == pytest.approx(baro.truth["distance_m"].iloc[-1], abs=5)
    assert np.median(rec.channels["cadence"]) == pytest.approx(baro.truth["cadence_spm"].median(), abs=2)
    assert np.nanmedian(rec.channels["contact_time"]) * 1000 == pytest.approx(
        baro.truth["contact_time_ms"].median(), rel=0.05)
    assert 0.05 < np.nanmedian(rec.channels["vertical_oscillation"]) < 0.12
    d, alt = baro.course["distance_m"], baro.course["altitude_m"]

    def err(run):
        e = run.recording.channels["altitude"] - np.interp(run.recording.channels["distance"], d, alt)
        return e - np.median(e)
    assert 0.1 < np.std(err(baro)) < 1.5
    assert np.std(err(gps)) > 2 * np.std(err(baro))


# ------------------------------------------------------------------------------------------------
# files, CLI, bad input
# ------------------------------------------------------------------------------------------------
def test_write_csv_round_trip(tmp_path):
    run = simulate_run(duration_s=20, placement="foot", sampling_rate_hz=100, seed=0)
    data, truth = run.write_csv(tmp_path / "foot.csv")
    df = pd.read_csv(data)
    assert list(df.columns) == ["time_s", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]
    assert np.allclose(df["gyr_y"], np.degrees(run.recording.channels["gyr_y"]), atol=0.006)
    assert np.allclose(df["acc_z"], run.recording.channels["acc_z"], atol=6e-4)
    back = pd.read_csv(truth)
    assert truth.name == "foot.truth.csv" and len(back) == len(run.truth)
    assert np.allclose(back["time_s"], run.truth["time_s"], atol=1e-4)

    both = simulate_run(duration_s=20, placement="foot", side="both", sampling_rate_hz=100, seed=0)
    cols = pd.read_csv(both.write_csv(tmp_path / "both.csv")[0], nrows=1).columns
    assert cols[0] == "time_s" and "left_acc_x" in cols and "right_gyr_z" in cols and len(cols) == 13

    rec = simulate_run(duration_s=60, placement="records", seed=0)
    df = pd.read_csv(rec.write_csv(tmp_path / "watch.csv")[0])
    assert list(df.columns) == ["time", "distance_m", "speed_mps", "cadence_spm", "altitude_m",
                                "heart_rate_bpm", "ground_contact_time_ms", "vertical_oscillation_mm"]
    assert pd.to_datetime(df["time"]).diff().dt.total_seconds().iloc[1:].eq(1).all()


def test_written_files_are_readable_by_gaitload(tmp_path):
    import gaitload

    paths = [simulate_run(duration_s=20, placement="foot", sampling_rate_hz=100, seed=0).write_csv(tmp_path / "f.csv")[0],
             simulate_run(duration_s=60, placement="records", seed=0).write_csv(tmp_path / "w.csv")[0]]
    for path in paths:
        try:
            rec = gaitload.read(path)
        except UnsupportedFormatError:
            pytest.skip("the CSV readers are not registered yet")
        assert rec.duration_s == pytest.approx(20 if path.name == "f.csv" else 60, abs=0.02)


def test_cli_writes_files_and_rejects_bad_options(tmp_path, capsys):
    out = tmp_path / "run.csv"
    assert simulate_command(["--placement", "lumbar", "--duration-s", "15", "--rate-hz", "50",
                          "--course", "rolling", "--seed", "3", "--out", str(out)]) == 0
    df = pd.read_csv(out)
    assert len(df) == 15 * 50 + 1
    assert (tmp_path / "run.truth.csv").exists()
    with pytest.raises(OptionError):
        simulate_command(["--placement", "knee", "--out", str(out)])
    with pytest.raises(OptionError):
        simulate_command(["--duration-s", "15"])


def test_bad_arguments_raise_typed_errors():
    with pytest.raises(OptionError):
        simulate_run(duration_s=-1)
    with pytest.raises(OptionError):
        simulate_run(duration_s=30, sampling_rate_hz=5)
    with pytest.raises(OptionError):
        simulate_run(duration_s=30, placement="wrist", side="both")
    with pytest.raises(OptionError):
        simulate_run(duration_s=30, course="everest")
    with pytest.raises(GaitloadError):
        Course.from_profile([0, 10, 5], [0, 1, 2])
    with pytest.raises(GaitloadError):
        Course.from_profile([0, 10], [0, 50])          # 500 % grade


def test_user_course_is_followed():
    crs = Course.from_profile([0, 400, 800, 5000], [100, 140, 100, 100])
    run = simulate_run(duration_s=240, placement="records", course=crs, seed=0)
    tr = run.truth
    early = tr[tr["distance_m"] < 380]
    assert early["grade_pct"].median() == pytest.approx(10, abs=0.5)
    assert (early["terrain"] == "uphill").all()
    later = tr[(tr["distance_m"] > 420) & (tr["distance_m"] < 780)]
    assert later["grade_pct"].median() == pytest.approx(-10, abs=0.5)


@pytest.mark.parametrize("name, channels, truth_columns", [
    ("treadmill_shank.csv", {"acc_x": ("acc_x", 6e-4)}, {"time_s": 1e-4}),
    # a hilly watch run: speed follows the GAP factors (gaitload.pace) and cadence the grade factor
    ("watch_records.csv", {"speed_mps": ("speed", 6e-4), "cadence_spm": ("cadence", 0.6)}, {"cadence_spm": 0.006}),
])
def test_sample_data_matches_generator(sample_data, name, channels, truth_columns):
    """The committed sample files are what the documented command regenerates."""
    path = sample_data / name
    if not path.exists():
        pytest.fail(f"sample_data/{name} is missing; run `gaitload simulate --sample-data sample_data`")
    run = simulate_run(**SAMPLE_FILES[name])
    df = pd.read_csv(path)
    assert len(df) == run.recording.n_samples
    for column, (channel, atol) in channels.items():
        assert np.allclose(df[column], run.recording.channels[channel], atol=atol)
    truth = pd.read_csv(sample_data / name.replace(".csv", ".truth.csv"))
    assert len(truth) == len(run.truth)
    for column, atol in truth_columns.items():
        assert np.allclose(truth[column], run.truth[column], atol=atol)


# ------------------------------------------------------------------------------------------------
# initial contact and toe-off (foot rolls on heel / forefoot, impulsive landing, C2 curves)
# ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def khz_foot():
    """1 kHz left-foot runs on the flat, so millisecond timing is resolved."""
    return {s: simulate_run(duration_s=25, placement="foot", sampling_rate_hz=1000, course="flat",
                            strike=s, speed_mps=3.5, seed=21) for s in ("rearfoot", "forefoot")}


def _segment_imu(run):
    acc, gyr = _imu(run.recording)
    rot = run.sensor_rotation[""]
    return acc @ rot, gyr @ rot


def _left_events_idx(run, column):
    tr = run.truth
    left = tr[tr["foot"] == "left"]
    fs = run.recording.sampling_rate_hz
    return np.round(left[column].to_numpy()[1:-1] * fs).astype(int)


def test_toe_off_at_pitch_rate_minimum_and_lowest_pitch_later(khz_foot):
    """Falbriard et al. 2018: terminal contact is the pitch angular velocity minimum (4 ms
    precision vs force plates); the foot keeps plantarflexing, slower, into early swing."""
    for run in khz_foot.values():
        _, gyr = _segment_imu(run)
        rate = -gyr[:, 1]                       # + = toes up (segment y points left)
        pitch = np.cumsum(rate) / 1000.0
        to = _left_events_idx(run, "toe_off_s")
        k = 80
        at_min = np.array([np.argmin(rate[i - k:i + k]) - k for i in to])
        assert np.abs(at_min).max() <= 5 and np.median(np.abs(at_min)) <= 2
        lowest = np.array([np.argmin(pitch[i:i + 150]) for i in to])
        assert np.all((lowest >= 25) & (lowest <= 70))
        # the plantarflexion rate at toe-off is that of running (several hundred deg/s)
        assert -1200 < np.degrees(np.median(rate[to])) < -500


def test_pitch_rate_around_initial_contact(khz_foot):
    """Swing rotation brakes to zero just before IC (gaitmap mocap-labelled data: ~10 ms);
    after a heel strike the foot slaps down at once (rate minimum within 20 ms of IC); after
    a forefoot landing the heel drops (toes-up rotation) instead."""
    rear, fore = khz_foot["rearfoot"], khz_foot["forefoot"]
    _, gyr = _segment_imu(rear)
    rate = np.convolve(-gyr[:, 1], np.ones(5) / 5, mode="same")
    ic = _left_events_idx(rear, "time_s")
    cross, at_min = [], []
    for i in ic:
        w = rate[i - 60:i + 6]
        down = np.flatnonzero((w[:-1] > 0) & (w[1:] <= 0))
        cross.append(down[-1] + 1 - 60 if down.size else -999)
        at_min.append(np.argmin(rate[i - 80:i + 80]) - 80)
    cross, at_min = np.array(cross), np.array(at_min)
    assert np.all((cross <= 0) & (cross >= -20))
    assert np.all((at_min >= 0) & (at_min <= 20))
    assert np.degrees(np.median(rate[ic + 12])) < -400      # fast foot slap
    _, gyr = _segment_imu(fore)
    rate = -gyr[:, 1]
    ic = _left_events_idx(fore, "time_s")
    assert np.degrees(np.median([rate[i + 5:i + 40].max() for i in ic])) > 150


def test_landing_point_stops_within_20_ms(khz_foot):
    """Strapdown integration (zero velocity at the mid-stances) of the simulated sensor: the
    landing point (heel, or metatarsal heads for a forefoot landing) arrives at 0.5-1.2 m/s
    and is below 0.3 m/s 20 ms after IC (heel pad and midsole compress); the sensor on the
    dorsum then rolls on a circle about it."""
    from gaitload.simulate.kinematics import HEEL_XZ, MET_XZ
    for strike, run in khz_foot.items():
        acc, gyr = _segment_imu(run)
        fs = 1000.0
        mid, left = _left_midstance_idx(run)
        ic = np.round(left["time_s"].to_numpy() * fs).astype(int)
        px, pz = HEEL_XZ if strike == "rearfoot" else MET_XZ
        r_land = np.array([px, 0.0, pz])
        before, after = [], []
        for j in range(2, 6):
            a0, a1 = mid[j], mid[j + 1]
            f0 = acc[a0 - 5:a0 + 5].mean(axis=0)
            z = f0 / np.linalg.norm(f0)
            x = np.cross([0, 1, 0], z)
            x /= np.linalg.norm(x)
            r = np.vstack([x, np.cross(z, x), z])
            v = np.zeros(3)
            vel, land = np.zeros((a1 - a0, 3)), np.zeros((a1 - a0, 3))
            for n in range(a0, a1):
                r = r @ _rotvec_to_matrix(gyr[n] / fs)
                v = v + (r @ acc[n] - [0, 0, G]) / fs
                vel[n - a0] = v
                land[n - a0] = r @ np.cross(gyr[n], r_land)     # omega x r, in the world
            vel -= np.linspace(0, 1, len(vel))[:, None] * vel[-1]
            k = ic[j + 1] - a0
            before.append(np.linalg.norm(vel[k - 3] + land[k - 3]))
            after.append(np.linalg.norm(vel[k + 20] + land[k + 20]))
        assert 0.45 < np.median(before) < 1.3, strike
        assert max(after) < 0.3, strike


def _clean_foot_or_shank(segment, rate_hz, strike="rearfoot"):
    """Noise-free segment-frame signals of the model (no mounting rotation, noise or bias)."""
    from gaitload.simulate.kinematics import foot_or_shank
    from gaitload.simulate.timeline import Warp, build_timeline

    crs = Course.preset("rolling", 300, 0)
    tl = build_timeline(crs, 12.0, 3.3, strike, True, np.random.default_rng(1), False)
    warp = Warp(2.0, np.inf, 0.0)
    t = np.arange(int(14 * rate_hz)) / rate_hz
    f, w = foot_or_shank(tl, crs, warp, t, True, segment, np.random.default_rng(2), 3.3)
    return t, f, w, warp.to_t(tl.ic[tl.foot_left])


@pytest.mark.parametrize("segment", ["foot", "shank"])
def test_kinematics_are_c2_outside_the_impact(segment):
    """Angle curves and foot path are C2 (quintic Hermite chains): the sample-to-sample jump of
    the angular acceleration, and of the specific force outside the landing window, halves when
    the rate doubles; a step (what a PCHIP chain or the old clearance bump gave) would not."""
    jumps = {}
    for rate in (4000.0, 8000.0):
        t, f, w, ic = _clean_foot_or_shank(segment, rate)
        # the model starts running at full speed after the standing lead-in (2 s): skip it
        run = t > 2.3
        j = np.searchsorted(ic, t, side="right") - 1
        dt = t - ic[np.clip(j, 0, None)]
        to_next = ic[np.clip(j + 1, 0, ic.size - 1)] - t
        # samples are interval means: the one whose interval holds IC already sees the impact
        calm = run & ((j < 0) | (dt > 0.16)) & ((j + 1 >= ic.size) | (to_next > 0.001))
        calm &= np.concatenate([[False], calm[:-1]])        # both samples of a difference
        alpha = np.diff(w, axis=0) * rate
        jumps[rate] = (np.abs(np.diff(alpha, axis=0))[run[2:]].max(),
                       np.abs(np.diff(f, axis=0))[calm[1:]].max())
    assert jumps[8000.0][0] < 0.65 * jumps[4000.0][0]
    assert jumps[8000.0][1] < 0.65 * jumps[4000.0][1]


def test_quintic_curve_matches_its_knots():
    from gaitload.simulate.curves import knot_derivatives, quintic_curve

    rng = np.random.default_rng(0)
    kt = np.cumsum(rng.uniform(0.01, 0.2, 30))
    kv = np.column_stack([rng.normal(0, 1, 30), np.r_[rng.normal(0, 1, 10), np.zeros(5), rng.normal(0, 1, 15)]])
    kd, kdd = knot_derivatives(kt, kv)
    eps = 1e-10
    for side in (-eps, eps):
        v, d, a = quintic_curve(kt, kv, kd, kdd, kt[1:-1] + side)
        assert np.allclose(v, kv[1:-1], atol=1e-5)
        assert np.allclose(d, kd[1:-1], atol=1e-3 * (1 + np.abs(kd).max()))
        assert np.allclose(a, kdd[1:-1], atol=1e-2 * (1 + np.abs(kdd).max()))
    # a constant stretch of knots stays exactly constant between them
    tt = np.linspace(kt[10], kt[14], 50)
    v, d, a = quintic_curve(kt, kv[:, 1], kd[:, 1], kdd[:, 1], tt)
    assert np.all(v == 0) and np.all(d == 0) and np.all(a == 0)


def test_tibial_shock_size():
    """Axial shank acceleration just after IC: 5-10 g for heel strikers at 3-4 m/s (tibial
    accelerometry studies, e.g. Milner et al. 2006), well below that for forefoot landings."""
    def peak(strike):
        run = simulate_run(duration_s=25, placement="shank", sampling_rate_hz=1000, course="flat",
                           strike=strike, speed_mps=3.5, seed=12)
        acc, _ = _segment_imu(run)
        ic = _left_events_idx(run, "time_s")
        return np.median([acc[i:i + 30, 2].max() for i in ic]) / G
    rear, fore = peak("rearfoot"), peak("forefoot")
    assert 5.0 < rear < 10.0
    assert fore < rear - 1.5
