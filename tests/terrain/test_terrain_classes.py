"""Classes stage: uphill / flat / downhill with hysteresis and a minimum length."""

from __future__ import annotations

import numpy as np
import pytest

import gaitload
from gaitload.terrain import TerrainOptions, classify_grade


def test_classify_hysteresis_and_min_length():
    d = np.arange(0, 1000.0, 5.0)
    g = np.full(d.size, 5.0)
    g[40:80] = 1.9  # just under the band after an uphill: stays uphill (dead band 1.75-2.25)
    g[80:150] = 0.0
    g[125:128] = 6.0  # 15 m blip: merged into flat
    g[150:] = -5.0
    c = classify_grade(g, d, flat_band_pct=2.0, hysteresis_pct=0.5, min_segment_m=50.0)
    assert (c[:80] == "uphill").all()
    assert (c[80:150] == "flat").all()
    assert (c[150:] == "downhill").all()
    raw = classify_grade(g, None, flat_band_pct=2.0, hysteresis_pct=0.0, min_segment_m=0.0)
    assert (raw[40:80] == "flat").all() and (raw[125:128] == "uphill").all()


def test_a_run_held_through_the_dead_band_takes_the_class_of_its_mean():
    """A 10 m rise at +3 % then 190 m at +1.9 % (inside the 1.75-2.25 % dead band, so held uphill
    by the hysteresis): the run's mean grade, +1.96 %, is inside the flat band, so it is flat."""
    d = np.arange(0, 200.0, 5.0)
    g = np.where(d < 10, 3.0, 1.9)
    c = classify_grade(g, d, flat_band_pct=2.0, hysteresis_pct=0.5, min_segment_m=50.0)
    assert g.mean() < 2.0
    assert (c == "flat").all()


_REAL = [("python-fitparse-tests/tests/files/garmin-fenix-5-run.fit", 0),
         ("python-fitparse-tests/tests/files/activity-small-fenix2-run.fit", 0),
         ("python-fitparse-tests/tests/files/activity-large-fenxi2-multisport.fit", 4),
         ("python-tcxparser-tests/tests/files/test.tcx", 0)]


@pytest.mark.parametrize("name, activity", _REAL, ids=[f"{n.rsplit('/', 1)[1]}#{k}" for n, k in _REAL])
def test_every_segment_class_agrees_with_its_mean_grade_on_real_files(shared_data, name, activity):
    """On real watch files every segment's class is the one its mean grade gives against the
    flat band (before, the Fenix 5 run's one segment of +1.3 % was uphill, and the multisport
    file had a downhill of +0.28 % and a flat of +6.53 %)."""
    path = shared_data / name
    if not path.exists():
        pytest.skip(f"{name} not in the data folder")
    a = gaitload.analyze(path, activity=activity)
    band = TerrainOptions().flat_band_pct
    seg = a.segments[a.segments["terrain"] != "unknown"]
    assert len(seg)
    mg = seg["mean_grade_pct"].to_numpy(float)
    want = np.where(mg > band, "uphill", np.where(mg < -band, "downhill", "flat"))
    assert list(seg["terrain"]) == list(want), list(zip(seg["terrain"], np.round(mg, 2)))
    # the steps' classes are the segments' (by distance)
    assert set(a.steps["terrain"].dropna()) <= set(a.segments["terrain"])
