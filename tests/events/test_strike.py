"""Strike angle (pitch at IC vs foot-flat) and strike classification cut-offs."""

from __future__ import annotations

import numpy as np
import pytest

from gaitload.errors import OptionError
from gaitload.events.strike import classify_strike, pitch_between_zero_velocity, strike_angle_deg


def test_mo_cutoffs_by_default_altman_as_option():
    angles = np.array([-5.0, -1.0, -0.5, 3.0, 7.5, 7.9, 8.5, np.nan])
    mo, _ = classify_strike(angles)
    assert list(mo) == ["forefoot", "forefoot", "midfoot", "midfoot", "rearfoot", "rearfoot", "rearfoot", "unknown"]
    alt, _ = classify_strike(angles, "altman")
    assert list(alt) == ["forefoot", "midfoot", "midfoot", "midfoot", "midfoot", "midfoot", "rearfoot", "unknown"]
    custom, _ = classify_strike(angles, (0.0, 5.0))
    assert list(custom[:4]) == ["forefoot", "forefoot", "forefoot", "midfoot"]


def test_confidence_is_zero_on_a_cutoff_and_grows_with_distance():
    _, conf = classify_strike(np.array([7.4, 8.4, 9.4, 12.4, np.nan]), uncertainty_deg=1.0)
    assert conf[0] == pytest.approx(0.0, abs=1e-12)
    assert conf[1] == pytest.approx(0.6827, abs=1e-3)  # one sigma
    assert conf[2] == pytest.approx(0.9545, abs=1e-3)  # two sigma
    assert conf[3] > 0.999
    assert np.isnan(conf[4])
    # a larger uncertainty lowers confidence
    _, wide = classify_strike(np.array([8.4]), uncertainty_deg=3.0)
    assert wide[0] < conf[1]


def test_bad_thresholds_raise():
    with pytest.raises(OptionError):
        classify_strike(np.array([1.0]), "kim")
    with pytest.raises(OptionError):
        classify_strike(np.array([1.0]), (5.0, 1.0))


def test_pitch_recovered_with_linear_drift_removed():
    """Known pitch trajectory, gyro bias added: the bias ramp is removed exactly at the ZV ends."""
    fs = 400.0
    t = np.arange(0, 2.0, 1 / fs)
    # two strides of 1 s: pitch 0 at t = 0, 1, 2 (foot flat), toes up 0.35 rad at t = 0.8
    theta = 0.35 * np.sin(np.pi * (t % 1.0)) ** 2 * np.sin(2 * np.pi * (t % 1.0) - 1.0)
    rate = np.gradient(theta, 1 / fs) + 0.05  # 0.05 rad/s bias = 2.9 deg per second of drift
    zv0 = np.array([0, int(fs)])
    zv1 = np.array([int(fs), int(2 * fs) - 1])
    at = np.array([int(0.8 * fs), int(1.3 * fs)])
    got = pitch_between_zero_velocity(rate, fs, zv0, zv1, at)
    want = theta[at] - theta[zv0] - (at - zv0) / (zv1 - zv0) * (theta[zv1] - theta[zv0])
    np.testing.assert_allclose(got, want, atol=2e-4)
    deg = strike_angle_deg(rate, fs, at, zv0, zv1)
    np.testing.assert_allclose(deg, np.rad2deg(want), atol=0.02)
    # invalid indices give NaN, not an error
    bad = pitch_between_zero_velocity(rate, fs, np.array([-1, 10]), np.array([5, 5]), np.array([2, 7]))
    assert np.isnan(bad).all()
