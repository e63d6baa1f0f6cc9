"""One great-circle distance for readers and terrain (gaitload.geodesy), checked against
published values."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from gaitload import geodesy, terrain
from gaitload.io import watch


def test_published_distance_nashville_los_angeles():
    # Rosetta Code, "Haversine formula": BNA (36.12 N, 86.67 W) to LAX (33.94 N, 118.40 W) is
    # 2887.2599506071106 km on a sphere of radius 6372.8 km, and 2886.444442837983 km with
    # R = 6371 km (the task's published outputs).
    bna_lax = (36.12, -86.67, 33.94, -118.40)
    assert float(geodesy.haversine_m(*bna_lax, radius_m=6_372_800.0)) == pytest.approx(2_887_259.9506071106, abs=1e-3)
    assert float(geodesy.haversine_m(*bna_lax, radius_m=6_371_000.0)) == pytest.approx(2_886_444.442837983, abs=1e-3)
    # on the default IUGG mean sphere (6371.0088 km) the same arc scales with the radius
    assert float(geodesy.haversine_m(*bna_lax)) == pytest.approx(2_886_444.442837983 * 6_371_008.8 / 6_371_000.0,
                                                                 rel=1e-12)


def test_quarter_meridian_and_one_degree():
    assert float(geodesy.haversine_m(0, 0, 90, 0)) == pytest.approx(np.pi / 2 * geodesy.EARTH_RADIUS_M, rel=1e-12)
    # one degree of arc is R * pi / 180 = 111,195.08 m on the IUGG sphere, along any great circle
    assert float(geodesy.haversine_m(0, 0, 0, 1)) == pytest.approx(111_195.08, abs=0.01)
    assert float(geodesy.haversine_m(45, 7, 46, 7)) == pytest.approx(111_195.08, abs=0.01)


def test_vectorised_nan_and_cumulative():
    lat = np.array([np.nan, 0.0, 0.0, np.nan, 0.0])
    lon = np.array([np.nan, 0.0, 0.001, np.nan, 0.002])
    legs = geodesy.haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    assert np.isnan(legs[0]) and np.isnan(legs[2]) and legs[1] == pytest.approx(111.19508, abs=1e-4)
    cum = geodesy.cumulative_distance_m(lat, lon)
    np.testing.assert_allclose(cum, [np.nan, 0.0, 111.19508, 111.19508, 222.39016], atol=1e-4)


def test_one_implementation_shared_without_breaking_the_one_way_flow():
    assert terrain.haversine_m is geodesy.haversine_m
    assert watch.haversine_m is geodesy.haversine_m and watch.cumulative_distance_m is geodesy.cumulative_distance_m
    # readers know nothing of terrain: importing the watch readers does not import it
    code = ("import sys, gaitload.io.gpx, gaitload.io.tcx, gaitload.io.fit; "
            "print('gaitload.terrain' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
