"""TCX and GPX readers: cross-format agreement on the same activities, cadence conversion,
routes and hostile XML."""

from __future__ import annotations

import time

import numpy as np
import pytest

import gaitload
from gaitload.errors import HostileFileError, NotAnActivityError
from gaitload.io._watch import cumulative_distance_m, haversine_m
from gaitload.io.gpx import read_gpx
from gaitload.io.tcx import read_tcx

HS = "heartandsole-tests/tests"
RP = "runpandas-tests/runpandas/tests/io/data"


def _gain_m(altitude_m, threshold_m=2.0):
    """Elevation gain with a dead band: a rise counts once it exceeds threshold_m above the
    running minimum (a test helper; the terrain module has its own)."""
    alt = np.asarray(altitude_m, dtype=float)
    alt = alt[np.isfinite(alt)]
    gain, ref = 0.0, alt[0]
    for value in alt[1:]:
        if value - ref > threshold_m:
            gain, ref = gain + value - ref, value
        elif value < ref:
            ref = value
    return gain


def _agree(a, b, *, gain=True):
    assert a.duration_s == pytest.approx(b.duration_s, rel=0.01)
    assert a.start_time == b.start_time
    assert np.nanmax(a.channels["distance"]) == pytest.approx(np.nanmax(b.channels["distance"]), rel=0.01)
    if gain:
        ga, gb = _gain_m(a.channels["altitude"]), _gain_m(b.channels["altitude"])
        assert ga > 10 and ga == pytest.approx(gb, rel=0.05)


def test_trail_course_fit_vs_tcx_and_gpx_route(shared_data):
    fit = gaitload.read(shared_data / HS / "testcourse.fit")
    tcx = gaitload.read(shared_data / HS / "testcourse.tcx")
    assert fit.source_format == "fit" and tcx.source_format == "tcx"
    _agree(fit, tcx)
    # the course climbs from 556 m to 757 m (data README)
    assert np.nanmin(tcx.channels["altitude"]) == pytest.approx(556, abs=5)
    assert np.nanmax(tcx.channels["altitude"]) == pytest.approx(757, abs=5)
    assert tcx.metadata["course"] and any("course" in w for w in tcx.warnings)
    with pytest.raises(NotAnActivityError, match="a route, not a recorded activity"):
        gaitload.read(shared_data / HS / "testcourse.gpx")


def test_short_run_in_three_formats(shared_data):
    fit, tcx, gpx = (gaitload.read(shared_data / HS / f"testdata.{ext}") for ext in ("fit", "tcx", "gpx"))
    _agree(fit, tcx, gain=False)  # Garmin Connect replaced the TCX/GPX elevations (1626 vs 1634 m)
    assert gpx.duration_s == pytest.approx(fit.duration_s, rel=0.01)
    # GPX distance is derived from positions: equal to the great-circle length of the FIT track
    fit_track = np.nanmax(cumulative_distance_m(fit.channels["latitude"], fit.channels["longitude"]))
    assert np.nanmax(gpx.channels["distance"]) == pytest.approx(fit_track, rel=0.01)
    assert gpx.provenance["distance"].startswith("derived")
    # TCX RunCadence and GPX cad (strides/min) -> steps/min equal FIT's, up to FIT's fractional part
    for other in (tcx, gpx):
        np.testing.assert_array_less(np.abs(other.channels["cadence"] - fit.channels["cadence"]), 2.0)
    np.testing.assert_allclose(tcx.channels["heart_rate"], fit.channels["heart_rate"])
    assert tcx.metadata["sport"] == "running" and len(tcx.metadata["laps"]) >= 1


def test_tomtom_tcx_vs_gpx(shared_data):
    tcx = gaitload.read(shared_data / RP / "tcx/run.tcx")
    gpx = gaitload.read(shared_data / RP / "gpx/run.gpx")
    _agree(tcx, gpx)
    assert tcx.metadata["altitude_source"] == "unknown" == gpx.metadata["altitude_source"]


def test_single_line_tcx(shared_data):
    path = shared_data / "sweatpy-examples/sweat/examples/data/3173437224.tcx"
    assert path.read_bytes().count(b"\n") <= 1
    rec = gaitload.read(path)
    assert rec.source_format == "tcx" and rec.n_samples > 3000
    alt = rec.channels["altitude"]
    assert 900 < np.nanmin(alt) and np.nanmax(alt) < 950  # 909-945 m per the data README
    # a 1.5 m/s hike-run: <Cadence> 46-68 strides/min, so steps/min is twice every raw value
    import re

    points = re.findall(rb"<Trackpoint>(.*?)</Trackpoint>", path.read_bytes())
    raw = np.array([float(re.search(rb"<Cadence>(\d+)</Cadence>", tp).group(1)) for tp in points])
    assert raw.size == rec.n_samples
    np.testing.assert_allclose(rec.channels["cadence"], 2 * raw)
    assert 100 < np.nanmedian(rec.channels["cadence"][rec.channels["cadence"] > 0]) < 200


def test_non_running_tcx_warns(shared_data):
    rec = gaitload.read(shared_data / "sweatpy-examples/sweat/examples/data/activity_5039744860.tcx")
    assert rec.metadata["sport"] == "biking"
    assert any("not a run" in w for w in rec.warnings)
    assert "rpm" in rec.provenance["cadence"]


def test_gpx_elevation_zero_dropped_and_route_errors(shared_data):
    rec = gaitload.read(shared_data / "gpxpy-tests/test_files/cerknicko-jezero-with-elevations-zero.gpx")
    assert "altitude" not in rec.channels and any("elevation" in w for w in rec.warnings)
    with_ele = gaitload.read(shared_data / "gpxpy-tests/test_files/cerknicko-jezero.gpx")
    assert "altitude" in with_ele.channels
    np.testing.assert_allclose(rec.channels["distance"], with_ele.channels["distance"])
    with pytest.raises(NotAnActivityError, match="a route, not a recorded activity"):
        gaitload.read(shared_data / "gpxpy-tests/test_files/route.gpx")
    with pytest.raises(NotAnActivityError, match="waypoints only"):
        gaitload.read(shared_data / "gpxpy-tests/test_files/gpx_with_garmin_extension.gpx")
    with pytest.raises(NotAnActivityError, match="no timestamps"):
        gaitload.read(shared_data / "gpxpy-tests/test_files/track-with-extremes.gpx")


GPX_TRACK = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="Garmin Connect" xmlns="http://www.topografix.com/GPX/1/1"
 xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
<trk><type>running</type><trkseg>
{points}
</trkseg></trk></gpx>"""


def test_gpx_extensions_and_pauses(tmp_path):
    # 0.0001 deg of latitude per second along a meridian: 11.12 m/s of great-circle travel
    pts = []
    for i in range(10):
        t = f"2024-05-01T10:00:{i:02d}Z" if i < 5 else f"2024-05-01T10:01:{i:02d}Z"
        pts.append(
            f'<trkpt lat="{45 + i * 1e-4:.4f}" lon="14.0"><ele>{300 + i}</ele><time>{t}</time><extensions>'
            f"<gpxtpx:TrackPointExtension><gpxtpx:hr>{140 + i}</gpxtpx:hr><gpxtpx:cad>85</gpxtpx:cad>"
            f"<gpxtpx:atemp>21</gpxtpx:atemp></gpxtpx:TrackPointExtension><power>{250 + i}</power></extensions></trkpt>"
        )
        if i == 4:
            pts.append("</trkseg><trkseg>")
    path = tmp_path / "run.gpx"
    path.write_text(GPX_TRACK.format(points="\n".join(pts)))
    rec = gaitload.read(path)
    c = rec.channels
    np.testing.assert_allclose(c["heart_rate"], 140 + np.arange(10))
    np.testing.assert_allclose(c["power"], 250 + np.arange(10))
    np.testing.assert_allclose(c["cadence"], 170.0)  # 85 strides/min
    np.testing.assert_allclose(c["temperature"], 21.0)
    step = 6_371_008.8 * np.radians(1e-4)
    np.testing.assert_allclose(np.diff(c["distance"]), step, rtol=1e-6)
    assert rec.metadata["pauses"] == [(4.0, 65.0)]
    np.testing.assert_allclose(rec.time_s[[4, 5]], [4.0, 65.0])


def test_haversine_known_distances():
    # a quarter meridian on the mean sphere, and one degree of longitude at 60 deg N (half)
    assert haversine_m(0, 0, 90, 0) == pytest.approx(np.pi / 2 * 6_371_008.8, rel=1e-12)
    assert haversine_m(60, 10, 60, 11) == pytest.approx(
        2 * 6_371_008.8 * np.arcsin(np.cos(np.radians(60)) * np.sin(np.radians(0.5))), rel=1e-12
    )
    lat = np.array([np.nan, 0.0, np.nan, 0.0, 0.0])
    lon = np.array([np.nan, 0.0, np.nan, 1.0, 2.0])
    d = cumulative_distance_m(lat, lon)
    one = haversine_m(0, 0, 0, 1)
    np.testing.assert_allclose(d, [np.nan, 0.0, 0.0, one, 2 * one])


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">]>
<{root}><Activities><Activity Sport="Running"><Id>&lol9;</Id></Activity></Activities></{root}>"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<{root}><trk><name>&xxe;</name></trk></{root}>"""


@pytest.mark.parametrize("root,reader", [("TrainingCenterDatabase", read_tcx), ("gpx", read_gpx)])
@pytest.mark.parametrize("template", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_hostile_xml_refused(tmp_path, root, reader, template):
    path = tmp_path / f"evil.{'tcx' if reader is read_tcx else 'gpx'}"
    path.write_text(template.format(root=root))
    start = time.perf_counter()
    with pytest.raises(HostileFileError, match="DOCTYPE|ENTITY"):
        gaitload.read(path)
    with pytest.raises(HostileFileError):
        reader(path)
    assert time.perf_counter() - start < 2.0
    # UTF-16 does not smuggle the DTD past the check
    path.write_bytes(template.format(root=root).replace('<?xml version="1.0"?>', "").encode("utf-16"))
    with pytest.raises(HostileFileError):
        reader(path)
