"""Smoothing stage: L1 trend filter and Whittaker-Eilers smoother against known signals."""

from __future__ import annotations

import numpy as np
import pytest

from gaitload.terrain import l1_trend_filter, whittaker_smooth


def test_l1_trend_filter_finds_the_kinks():
    # a climb of 8 %, a 600 m flat and a descent of 5 % on a 5 m grid, with 3 m white noise and a
    # 100 m gap: the filter returns straight pieces whose slopes are the true grades
    x = np.arange(0, 3000.0, 5.0)
    true = np.interp(x, [0, 1000, 1600, 3000], [0, 80, 80, 10])
    y = true + np.random.default_rng(3).normal(0, 3.0, x.size)
    y[300:320] = np.nan
    z = l1_trend_filter(y, 3000.0)
    grade = np.gradient(z) / 5 * 100
    for lo, hi, g in [(100, 900, 8.0), (1100, 1500, 0.0), (1700, 2900, -5.0)]:
        sel = (x > lo) & (x < hi)
        assert np.median(grade[sel]) == pytest.approx(g, abs=0.4)
    assert np.sqrt(np.mean((z - true) ** 2)) < 1.2  # well under the 3 m noise
    # a clean straight line is returned as it is (no kink is worth its penalty)
    line = 2.0 + 0.03 * np.arange(200.0)
    assert np.allclose(l1_trend_filter(line, 100.0), line, atol=1e-6)


def test_whittaker_half_power_at_cutoff():
    # Eilers 2003: the transfer function is 1 / (1 + lam (2 sin(pi f))^(2 order)) with
    # lam = (cutoff / 2 pi)^(2 order): ~1/2 at the cutoff, ~1 for longer waves, ~0 for shorter
    n = 4000
    k = np.arange(n, dtype=float)
    for order in (2, 3):
        lam = (120.0 / (2 * np.pi)) ** (2 * order)
        for wavelength in (40.0, 120.0, 360.0):
            y = np.sin(2 * np.pi * k / wavelength)
            z = whittaker_smooth(y, 120.0, order)
            inner = slice(1000, 3000)
            measured = np.std(z[inner]) / np.std(y[inner])
            theory = 1 / (1 + lam * (2 * np.sin(np.pi / wavelength)) ** (2 * order))
            assert measured == pytest.approx(theory, abs=0.01)
        assert 0.4 < 1 / (1 + lam * (2 * np.sin(np.pi / 120.0)) ** (2 * order)) < 0.6
