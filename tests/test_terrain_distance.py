"""Distance stage: a GPS-only file of a run agrees with the device distance of the same run."""

from __future__ import annotations

import numpy as np
import pytest

from gaitload.recording import Recording
from gaitload.terrain import compute_terrain, cumulative_distance

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
