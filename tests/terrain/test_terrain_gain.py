"""Gain stage: totals against the device's own, and the explanation when they differ."""

from __future__ import annotations

import numpy as np
import pytest

from gaitload.terrain import compute_terrain, elevation_gain_loss
from gaitload.terrain.gain import device_totals, explain_gain

# FIT files whose sessions state a total ascent, and ours within 5 % of it (validate_terrain.py)
# (FIT decoding takes 2-10 s for the long files: those run with the slow tests)
_SLOW = pytest.mark.slow
WITHIN_5 = [
    pytest.param("muktihari-fit-testdata/testdata/from_official_sdk/activity_lowbattery.fit", marks=_SLOW),
    pytest.param("python-fitparse-tests/tests/files/garmin-edge-500-activity.fit", marks=_SLOW),
    "python-fitparse-tests/tests/files/null_compressed_speed_dist.fit",
]
# running files beyond 5 %: the summary must say why
EXPLAINED = [
    "runpandas-tests/runpandas/tests/io/data/fit/run.fit",
    "python-fitparse-tests/tests/files/activity-small-fenix2-run.fit",
    pytest.param("python-fitparse-tests/tests/files/activity-large-fenxi2-multisport.fit", marks=_SLOW),
    pytest.param("tormoder-fit-testdata/testdata/misc/mornindew-broken.fit", marks=_SLOW),
    "python-fitparse-tests/tests/files/2013-02-06-12-11-14.fit",
]


def test_explain_names_the_threshold_that_reproduces_the_device():
    # a 90 m ramp with 20 bumps of 1.5 m: 2 m hysteresis counts 90 m, a 1 m threshold 120 m
    x = np.arange(4000)
    y = 0.0225 * x + 1.5 * (np.sin(2 * np.pi * x / 200.0) > 0.9)
    g2, l2, _ = elevation_gain_loss(y, 2.0)
    g1, _, _ = elevation_gain_loss(y, 1.0)
    assert g2 == pytest.approx(90, abs=1) and g1 > 110
    out = explain_gain(g2, l2, (g1, g1 - 90), y, y, 2.0, "test")
    assert out["ascent_diff_pct"] < -5 and "swings of >= 1 m (ours: 2 m)" in out["note"]
    assert explain_gain(g2, l2, (g2 * 1.02, l2), y, y, 2.0, "test")["note"] == ""


def test_explain_names_a_recalibrated_altitude():
    # the recorded altitude ends 30 m below its start; the device climbed as much as it fell
    y = np.r_[np.linspace(0, 100, 500), np.linspace(100, -30, 500)]
    g, l, _ = elevation_gain_loss(y, 2.0)
    out = explain_gain(g, l, (130.0, 130.0), y, y, 2.0, "test")
    assert "re-calibrated" in out["note"]


def test_device_totals_from_kept_sessions():
    md = {"sessions": [{"kept": True, "total_ascent_m": 10.0, "total_descent_m": 4.0},
                       {"kept": False, "total_ascent_m": 99.0, "total_descent_m": 99.0},
                       {"kept": True, "total_ascent_m": 5.0, "total_descent_m": None}]}
    assert device_totals(md) == (15.0, 4.0)
    assert device_totals({}) is None


@pytest.mark.parametrize("rel", WITHIN_5)
def test_gain_within_5_percent_of_the_device(shared_data, rel):
    from gaitload import read

    res = compute_terrain(read(shared_data / rel), None)
    dev = res.provenance["gain_vs_device"]
    assert abs(res.elevation_gain_m / dev["device_ascent_m"] - 1) <= 0.05
    assert dev["note"] == ""


@pytest.mark.parametrize("rel", EXPLAINED)
def test_gain_beyond_5_percent_is_explained(shared_data, rel):
    from gaitload import read

    res = compute_terrain(read(shared_data / rel), None)
    dev = res.provenance["gain_vs_device"]
    if abs(dev["ascent_diff_pct"]) > 5:
        assert any(k in dev["note"] for k in ("swings of >=", "re-calibrated", "unlike ours"))
        assert any(w.startswith("elevation gain ours") for w in res.warnings)
    # never wildly off on a running file
    assert abs(dev["ascent_diff_pct"]) < 15


def test_gain_loss_hysteresis_ignores_noise():
    x = np.arange(0, 5000.0, 5.0)
    y = 30 * np.sin(2 * np.pi * x / 1000)  # 5 hills of 60 m: 300 m up, 300 m down (minus ends)
    true_gain = np.diff(y)[np.diff(y) > 0].sum()
    noisy = y + np.random.default_rng(1).normal(0, 0.3, x.size)
    gain, loss, clean = elevation_gain_loss(noisy, 2.0)
    assert gain == pytest.approx(true_gain, rel=0.02)
    assert np.diff(noisy)[np.diff(noisy) > 0].sum() > 1.08 * true_gain  # the naive sum is wrong
    assert np.nansum(np.clip(np.diff(clean), 0, None)) == pytest.approx(gain)
    g2, l2, _ = elevation_gain_loss(np.r_[y[:300], np.nan * np.ones(50), y[350:]], 2.0)
    assert g2 < gain  # the gap's climb is not counted
