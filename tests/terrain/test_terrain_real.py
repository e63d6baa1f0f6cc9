"""Terrain on real tracks from ../shared/data (skipped when it is absent)."""

from __future__ import annotations

import numpy as np
import pytest

import gaitload
from gaitload.recording import Recording
from gaitload.terrain import compute_terrain, haversine_m


def _gpx_segments(gpxpy, path):
    """Each non-empty track segment of a GPX as (lat, lon, ele, distance_m) without repeats."""
    with open(path) as fh:
        gpx = gpxpy.parse(fh)
    out = []
    for seg in (s for t in gpx.tracks for s in t.segments if s.points):
        lat = np.array([p.latitude for p in seg.points])
        lon = np.array([p.longitude for p in seg.points])
        ele = np.array([np.nan if p.elevation is None else p.elevation for p in seg.points])
        keep = np.r_[True, haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:]) > 0]
        lat, lon, ele = lat[keep], lon[keep], ele[keep]
        d = np.r_[0.0, np.cumsum(haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:]))]
        out.append((lat, lon, ele, d))
    return gpx, out


def test_korita_zbevnica_steep_hike_gain(shared_data):
    """gpxpy-tests' hiking track (~15 km, three track segments that do not join; part of its
    points carry no timestamp, so each segment gets a clock of 1 m/s along the track).

    Reference: gpxpy's uphill/downhill, 703.8 / 710.1 m, computed here. gpxpy sums every rise of
    a 3-point (0.3, 0.4, 0.3) smoothed series, so it also counts the track's 16 GPS altitude
    spikes (out-and-back jumps of 4-67 m, most of them in the first 600 m). The same gpxpy sum
    over the altitude with the spikes gaitload rejects interpolated away is 683.6 / 689.8 m;
    gaitload (2 m hysteresis on a 30 m smoothed profile) must be within 5 % of that and
    within 6 % of gpxpy's own figure. The climbs steeper than 25 % must count in full: the gain
    is counted on the altitude profile, not on the grade.
    """
    gpxpy = pytest.importorskip("gpxpy")
    import gpxpy.geo

    from gaitload.terrain import clean_altitude

    gpx, segs = _gpx_segments(gpxpy, shared_data / "gpxpy-tests" / "test_files" / "korita-zbevnica.gpx")
    ref_up, ref_down = gpx.get_uphill_downhill()
    assert ref_up == pytest.approx(703.8, abs=0.1) and ref_down == pytest.approx(710.1, abs=0.1)
    gain = loss = dist = grade_gain = despiked_up = despiked_down = 0.0
    for lat, lon, ele, d in segs:
        rec = Recording(time_s=d / 1.0, channels={"latitude": lat, "longitude": lon, "altitude": ele},
                        placement="records")
        res = compute_terrain(rec, None)
        assert res.provenance["distance"] == "GPS great-circle"
        gain += res.elevation_gain_m
        loss += res.elevation_loss_m
        dist += res.distance_m
        g = res.profile.grade_pct.to_numpy()
        grade_gain += np.nansum(np.clip(g, 0, None)) * 5.0 / 100
        cleaned, _ = clean_altitude(d, ele, time_s=d / 1.0)
        up, down = gpxpy.geo.calculate_uphill_downhill(list(cleaned))
        despiked_up += up
        despiked_down += down
    assert dist == pytest.approx(gpx.length_2d(), rel=0.01)
    assert despiked_up == pytest.approx(683.6, abs=1.0) and despiked_down == pytest.approx(689.8, abs=1.0)
    assert gain == pytest.approx(despiked_up, rel=0.05)
    assert loss == pytest.approx(despiked_down, rel=0.05)
    assert gain == pytest.approx(ref_up, rel=0.06)
    assert loss == pytest.approx(ref_down, rel=0.06)
    # steep stretches are clipped in the grade, yet their climb is in the gain
    assert gain > grade_gain + 20.0


def test_heartandsole_course_fit_vs_tcx(shared_data):
    """The same trail course (556-757 m) as FIT and TCX: gain and loss agree within 5 %."""
    folder = shared_data / "heartandsole-tests" / "tests"
    fit = compute_terrain(gaitload.read(folder / "testcourse.fit"), None)
    tcx = compute_terrain(gaitload.read(folder / "testcourse.tcx"), None)
    for res in (fit, tcx):
        # at least the altitude range of the course is climbed, and not absurdly more
        assert 757 - 556 - 10 < res.elevation_gain_m < 3 * (757 - 556)
        assert abs(res.elevation_gain_m - res.elevation_loss_m) < 0.2 * res.elevation_gain_m + 30
    assert fit.elevation_gain_m == pytest.approx(tcx.elevation_gain_m, rel=0.05)
    assert fit.elevation_loss_m == pytest.approx(tcx.elevation_loss_m, rel=0.05)
    assert fit.distance_m == pytest.approx(tcx.distance_m, rel=0.01)
    seg_fit = fit.segments.groupby("terrain").length_m.sum()
    seg_tcx = tcx.segments.groupby("terrain").length_m.sum()
    for cls in ("uphill", "downhill"):
        assert seg_fit.get(cls, 0.0) == pytest.approx(seg_tcx.get(cls, 0.0), rel=0.05, abs=50.0)
