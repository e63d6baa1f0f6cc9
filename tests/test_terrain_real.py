"""Terrain on real tracks from ../shared/data (skipped when it is absent)."""

from __future__ import annotations

import numpy as np
import pytest

import gaitload
from gaitload.recording import Recording
from gaitload.terrain import compute_terrain, haversine_m


def test_korita_zbevnica_gain_plausible(shared_data):
    """gpxpy's README: this hiking track is ~15 km with ~704 m of climb (gpxpy's own smoothed
    count: 703.8 m up, 710.1 m down). Part of its points carry no timestamp, so the test parses
    all points with gpxpy and gives them a clock of 1 m/s along the track (hiking pace)."""
    gpxpy = pytest.importorskip("gpxpy")
    path = shared_data / "gpxpy-tests" / "test_files" / "korita-zbevnica.gpx"
    with open(path) as fh:
        gpx = gpxpy.parse(fh)
    segs = [s for t in gpx.tracks for s in t.segments if s.points]
    pts = [p for s in segs for p in s.points]
    part = np.concatenate([np.full(len(s.points), i) for i, s in enumerate(segs)])
    lat = np.array([p.latitude for p in pts])
    lon = np.array([p.longitude for p in pts])
    ele = np.array([np.nan if p.elevation is None else p.elevation for p in pts])
    step = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    new_part = part[1:] != part[:-1]
    keep = np.r_[True, (step > 0) | new_part]  # a clock needs distinct times
    lat, lon, ele, part = lat[keep], lon[keep], ele[keep], part[keep]
    step = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    new_part = part[1:] != part[:-1]
    # 1 m/s along each segment; the segments are separate recordings (they do not join up), so
    # the hop between them takes 1 s: far faster than 12 m/s, it must not count as distance
    t = np.r_[0.0, np.cumsum(np.where(new_part, 1.0, step / 1.0))]
    rec = Recording(time_s=t, channels={"latitude": lat, "longitude": lon, "altitude": ele},
                    placement="records")
    res = compute_terrain(rec, None)
    assert res.provenance["distance"] == "GPS great-circle"
    assert res.distance_m == pytest.approx(gpx.length_2d(), rel=0.01)
    assert 14_000 < res.distance_m < 16_000
    # steep (> 25 %) hiking stretches are clipped and two hops between segments are removed,
    # so gaitload counts less than gpxpy's lightly smoothed sum: within 20 %
    assert res.elevation_gain_m == pytest.approx(704.0, rel=0.20)
    assert res.elevation_loss_m == pytest.approx(710.0, rel=0.20)
    prof = res.profile
    assert prof.grade_pct.abs().max() <= 25.0
    assert set(prof.terrain) <= {"uphill", "flat", "downhill", "unknown"}


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
