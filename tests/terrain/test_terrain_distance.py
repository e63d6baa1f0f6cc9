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
    # 1 s fixes over 4.8 km: -0.5 % (the plain sum of the fixes: -0.4 %)
    (TOMTOM_TCX, TOMTOM_GPX, 1.0),
    # 46 fixes over 159 m of walking, where 1 % is 1.6 m: the watch's timer was stopped over one
    # 13 s interval in which the fix moved 21 m at the walking pace around it (the FIT's timer
    # events; the GPX has none, and nothing in its positions tells that pause from walking), and
    # the watch counted 19 m of a standing receiver's wander (85-163 s, below 0.5 m/s), which
    # terrain leaves out. The two nearly cancel: -2.3 % (the plain sum of the fixes: +18 %, the
    # three sampling gaps' drift included)
    (HS_FIT, HS_GPX, 3.0),
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
    # 60 m in the 120 s (0.5 m/s, a walk with the watch stopped) is no running either: the
    # device's distance and the speed integral count nothing across a pause
    north2 = np.r_[np.arange(0, 300.0) * 3.0, 897.0 + 60.0 + np.arange(0, 300.0) * 3.0]
    rec2 = rec.with_changes(channels={"latitude": 46.0 + north2 / 111_195.0, "longitude": np.full(t.size, 7.0)})
    assert cumulative_distance(rec2)[0][-1] == pytest.approx(897.0 * 2, abs=3.0)
    # 330 m in the 120 s (2.75 m/s, the pace around it): a lost fix while running, which counts
    north3 = np.r_[np.arange(0, 300.0) * 3.0, 897.0 + 330.0 + np.arange(0, 300.0) * 3.0]
    rec3 = rec.with_changes(channels={"latitude": 46.0 + north3 / 111_195.0, "longitude": np.full(t.size, 7.0)})
    assert cumulative_distance(rec3)[0][-1] == pytest.approx(897.0 * 2 + 330.0, abs=3.0)
    # the rule at its bound: below half the pace around the gap is a pause (1.4 m/s), above it
    # running (1.6 m/s)
    for move, counted in ((168.0, False), (192.0, True)):
        north4 = np.r_[np.arange(0, 300.0) * 3.0, 897.0 + move + np.arange(0, 300.0) * 3.0]
        rec4 = rec.with_changes(channels={"latitude": 46.0 + north4 / 111_195.0, "longitude": np.full(t.size, 7.0)})
        assert cumulative_distance(rec4)[0][-1] == pytest.approx(897.0 * 2 + (move if counted else 0.0), abs=3.0)


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


def test_readers_say_who_measured_the_distance(shared_data):
    """GPX positions are no device distance; a TCX's DistanceMeters is. Terrain measures the
    positions itself (its distance differs from the reader's plain sum of fixes)."""
    from gaitload import read

    gpx = read(shared_data / "runpandas-tests/runpandas/tests/io/data/gpx/run.gpx")
    tcx = read(shared_data / "runpandas-tests/runpandas/tests/io/data/tcx/run.tcx")
    assert gpx.metadata["distance_source"] == "positions" and tcx.metadata["distance_source"] == "device"
    d_gpx, src_gpx, _ = cumulative_distance(gpx)
    d_tcx, src_tcx, _ = cumulative_distance(tcx)
    assert src_gpx == "GPS great-circle" and src_tcx == "device distance"
    # the same TomTom run: positions alone within 1 % of the watch's own distance
    assert d_gpx[-1] == pytest.approx(d_tcx[-1], rel=0.01)
    # a reader that states device distance is believed even where the provenance looks derived
    told = gpx.with_changes(metadata={**gpx.metadata, "distance_source": "device"})
    assert cumulative_distance(told)[1] == "device distance"


def test_gps_only_distance_on_the_heartandsole_course(shared_data):
    """The course's FIT records carry the watch's distance and the positions: the positions
    alone give the same length within 1 % (25.25 km)."""
    from gaitload import read

    rec = read(shared_data / "heartandsole-tests/tests/testcourse.fit")
    device = cumulative_distance(rec)[0][-1]
    gps_only = rec.with_changes(channels={k: v for k, v in rec.channels.items() if k not in ("distance", "speed")})
    d, src, _ = cumulative_distance(gps_only)
    assert src == "GPS great-circle" and d[-1] == pytest.approx(device, rel=0.01)


@pytest.mark.slow
def test_smoothed_track_length_near_the_watch_distance(shared_data):
    """Eight TCX runs of one runner (2-3 s fixes) carry the watch's distance and positions: the
    positions alone, smoothed against jitter and without the walks while the watch was paused,
    come within 2 % of it in the median (the plain sum of the fixes: 2.2 %, up to +8.5 %;
    ours: 1.6 %, up to +7.5 %, a 460 m walk at 63 % of the pace with the watch stopped)."""
    from gaitload import read

    errs = []
    for path in sorted((shared_data / "runpandas-tests/runpandas/tests/io/data/samples").glob("*.tcx")):
        rec = read(path)
        device = cumulative_distance(rec)[0][-1]
        pos = rec.with_changes(channels={k: v for k, v in rec.channels.items() if k not in ("distance", "speed")})
        errs.append(100 * (cumulative_distance(pos)[0][-1] / device - 1))
    assert len(errs) == 8
    assert np.median(np.abs(errs)) < 2.0 and max(np.abs(errs)) < 8.0


def test_recording_speed_prefers_the_files_speed_else_terrains_distance():
    # 3 m/s due north with 2 m of white position jitter at 1 s: the raw fixes zigzag (their
    # differences alone give ~3.9 m/s); terrain's smoothed track gives the running speed
    from gaitload.terrain import recording_speed

    rng = np.random.default_rng(1)
    t = np.arange(0, 900.0)
    north = 3.0 * t + rng.normal(0, 2.0, t.size)
    east = rng.normal(0, 2.0, t.size)
    lat = 46.0 + north / 111_195.0
    lon = 7.0 + east / (111_195.0 * np.cos(np.radians(46.0)))
    rec = Recording(time_s=t, channels={"latitude": lat, "longitude": lon}, placement="records")
    v, src = recording_speed(rec)
    assert src == "derived from GPS great-circle"
    assert np.median(v[60:-60]) == pytest.approx(3.0, abs=0.15)
    raw = np.hypot(np.diff(north), np.diff(east))
    assert np.median(raw) > 3.5  # what the raw fixes would have said
    given = rec.with_changes(channels={**rec.channels, "speed": np.full(t.size, 2.5)})
    v2, src2 = recording_speed(given)
    assert src2 == "speed channel" and np.all(v2 == 2.5)
    hr_only = Recording(time_s=t, channels={"heart_rate": np.full(t.size, 140.0)}, placement="records")
    assert recording_speed(hr_only) == (None, "none")


#: Every real record in ../shared/data whose records carry the device's distance and positions
#: (benchmarks/validate_terrain.py, GPS-ONLY DISTANCE)
GPS_ONLY_GLOBS = ["runpandas-tests/runpandas/tests/io/data/samples/*.tcx", "runpandas-tests/runpandas/tests/io/data/tcx/*.tcx",
                  "runpandas-tests/runpandas/tests/io/data/fit/*.fit", "python-tcxparser-tests/tests/files/*.tcx",
                  "heartandsole-tests/tests/*.fit", "python-fitparse-tests/tests/files/2013-02-06-12-11-14.fit"]


def test_positions_alone_near_the_device_distance_on_21_records(shared_data):
    """Positions alone (distance and speed channels removed) against the device's distance of
    the same record, on the 21 real records that carry both (one of them runpandas'
    malformed.tcx, read with its missing root element repaired). Within 3 %: 17 of 21, median
    |error| 1.4 % (on the 20 without it: the plain sum of the fixes 14 of 20, 1.72 %; the
    drift-only pause rule 14, 1.56 %). The four beyond 3 % are not jitter: a walk with the watch stopped that the
    positions cannot tell from a slow stretch (+7.5 %), a run the watch measured ~5 % short of
    its clean 2 s track, the device counting 624 m before the first fix (-10.4 %), and a
    paddling record (-3.7 %)."""
    from gaitload import read
    from gaitload.errors import GaitloadError

    errs = []
    for pattern in GPS_ONLY_GLOBS:
        for path in sorted(shared_data.glob(pattern)):
            try:
                rec = read(path)
            except GaitloadError:  # broken test files of the readers' suites
                continue
            if not {"latitude", "distance"} <= set(rec.channels) or rec.metadata.get("distance_source") == "positions":
                continue
            device, src, _ = cumulative_distance(rec)
            if src != "device distance" or not device[-1] > 0:
                continue
            pos = rec.with_changes(channels={k: v for k, v in rec.channels.items() if k not in ("distance", "speed")})
            d, src, _ = cumulative_distance(pos)
            assert src == "GPS great-circle"
            errs.append(100 * (d[-1] / device[-1] - 1))
    errs = np.abs(errs)
    assert len(errs) == 21
    assert (errs <= 3).sum() >= 17 and (errs <= 1).sum() >= 8
    assert np.median(errs) < 1.5


def test_paused_gaps_with_track_on_one_side_or_none():
    from gaitload.terrain import TerrainOptions
    from gaitload.terrain.distance import paused_gaps

    opts = TerrainOptions()
    # a gap first (the fix found 15 s after the start), then 3 m/s: 42 m in 15 s is the pace after it
    t = np.r_[0.0, 15.0 + np.arange(0, 100.0)]
    seg = np.r_[42.0, np.full(99, 3.0)]
    gap = np.r_[True, np.zeros(99, bool)]
    assert not paused_gaps(t, seg, gap, opts).any()
    # 21 m in the same 15 s (1.4 m/s against 3 m/s, beyond the 20 m drift): a pause; 30 m (2 m/s) is not
    assert paused_gaps(t, np.r_[21.0, seg[1:]], gap, opts)[0]
    assert not paused_gaps(t, np.r_[30.0, seg[1:]], gap, opts)[0]
    # two fixes and one gap between them: no pace to compare with, the 20 m drift rule decides
    t2, gap2 = np.array([0.0, 300.0]), np.array([True])
    assert paused_gaps(t2, np.array([15.0]), gap2, opts)[0]
    assert not paused_gaps(t2, np.array([400.0]), gap2, opts)[0]
