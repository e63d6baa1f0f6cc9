"""Distance stage: a GPS-only file of a run agrees with the device distance of the same run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gaitload.recording import Recording
from gaitload.terrain import compute_terrain, cumulative_distance, haversine_m

TOMTOM_TCX = "runpandas-tests/runpandas/tests/io/data/tcx/run.tcx"
TOMTOM_GPX = "runpandas-tests/runpandas/tests/io/data/gpx/run.gpx"
HS_FIT = "heartandsole-tests/tests/testdata.fit"
HS_GPX = "heartandsole-tests/tests/testdata.gpx"


def test_reader_sum_of_positions_is_not_device_distance(shared_data):
    from gaitload import read

    rec = read(shared_data / TOMTOM_GPX)
    assert rec.provenance["distance"].startswith("derived")
    res = compute_terrain(rec, None)
    assert res.provenance["distance"] == "GPS great-circle"


@pytest.mark.parametrize("device, gps, tol_pct", [
    (TOMTOM_TCX, TOMTOM_GPX, 1.0),
    # 46 fixes over 159 m of walking: one 13 s interval moves the fix 21 m while the device's
    # distance moves 2 m, which no position rule can tell from walking (+4.1 %; +18 % before
    # the pauses were left out)
    (HS_FIT, HS_GPX, 5.0),
])
def test_gps_only_distance_matches_device_distance(shared_data, device, gps, tol_pct):
    from gaitload import read

    dev = compute_terrain(read(shared_data / device), None)
    pos = compute_terrain(read(shared_data / gps), None)
    assert dev.provenance["distance"] == "device distance"
    assert pos.provenance["distance"] == "GPS great-circle"
    assert abs(pos.distance_m / dev.distance_m - 1) * 100 < tol_pct


def test_gps_drift_across_a_pause_is_not_distance():
    # 3 m/s due north for 300 s, a 120 s pause during which the fix wanders 12 m, 300 s more
    t = np.r_[np.arange(0, 300.0), np.arange(420.0, 720.0)]
    north = np.r_[np.arange(0, 300.0) * 3.0, 897.0 + 12.0 + np.arange(0, 300.0) * 3.0]
    lat = 46.0 + north / 111_195.0
    rec = Recording(time_s=t, channels={"latitude": lat, "longitude": np.full(t.size, 7.0)}, placement="records")
    d, src, _ = cumulative_distance(rec)
    assert src == "GPS great-circle"
    assert d[-1] == pytest.approx(897.0 * 2, abs=3.0)
    # a 60 m move across the same gap is a dropout while running: it counts
    north2 = np.r_[np.arange(0, 300.0) * 3.0, 897.0 + 60.0 + np.arange(0, 300.0) * 3.0]
    rec2 = rec.with_changes(channels={"latitude": 46.0 + north2 / 111_195.0, "longitude": np.full(t.size, 7.0)})
    assert cumulative_distance(rec2)[0][-1] == pytest.approx(897.0 * 2 + 60.0, abs=3.0)


def test_haversine_known_distance():
    # one degree of latitude on the IUGG mean sphere is 111.195 km
    assert haversine_m(45.0, 7.0, 46.0, 7.0) == pytest.approx(111_195.0, rel=1e-4)
    assert haversine_m(0.0, 0.0, 0.0, 1.0) == pytest.approx(111_195.0, rel=1e-4)


def test_gps_distance_rejects_spikes_and_jumps():
    t = np.arange(0, 1000.0)
    lat = 46.0 + t * 3.0 / 111_195.0  # 3 m/s due north
    lon = np.full_like(t, 7.0)
    lat[400] += 0.01  # 1.1 km spike: out and back
    lat[700:] += 0.005  # 556 m teleport that stays
    lat[100:110] = np.nan  # no fix
    rec = Recording(time_s=t, channels={"latitude": lat, "longitude": lon}, placement="records")
    d, src, warn = cumulative_distance(rec)
    assert src == "GPS great-circle"
    assert d[-1] == pytest.approx(2997.0, abs=10.0)
    assert np.all(np.diff(d) >= 0)
    assert any("spike" in w for w in warn) and any("jump" in w for w in warn)


def test_speed_integral_and_device_repair():
    t = np.arange(0, 600.0, 1.0)
    v = 3.0 + 0.5 * np.sin(t / 30)
    true = np.concatenate([[0], np.cumsum(0.5 * (v[1:] + v[:-1]))])
    rec = Recording(time_s=t, channels={"speed": v}, placement="records")
    d, src, _ = cumulative_distance(rec)
    assert src == "speed integral" and d[-1] == pytest.approx(true[-1], rel=1e-9)
    dev = true.copy()
    dev[300:] -= dev[300] - 2.0  # counter reset at 300 s
    dev[100] -= 1.5  # backward jitter
    rec = Recording(time_s=t, channels={"distance": dev}, placement="records")
    d, src, warn = cumulative_distance(rec)
    assert src == "device distance" and np.all(np.diff(d) >= 0)
    assert d[-1] == pytest.approx(true[-1], abs=10.0)
    assert any("reset" in w for w in warn)


def test_foot_imu_stride_distance_counts_each_stride_once():
    # both feet measured: each foot's strides cover the whole distance (2 steps per stride)
    n = 400
    t = np.arange(n) * 0.35
    feet = np.where(np.arange(n) % 2, "right", "left")
    steps = pd.DataFrame({"time_s": t, "foot": feet, "measured": True, "stride_length_m": 2.4,
                          "stride_rise_m": 0.0})
    tt = np.arange(0, t[-1] + 1, 0.01)
    rec = Recording(time_s=tt, channels={"acc_x": np.sin(tt)}, placement="foot")
    d, src, _ = cumulative_distance(rec, steps)
    assert src == "foot IMU stride length"
    assert d[-1] == pytest.approx(200 * 2.4, rel=0.01)
