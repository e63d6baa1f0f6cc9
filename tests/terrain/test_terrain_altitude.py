"""Altitude-cleaning stage: spikes, and steps across a pause told apart from climbs."""

from __future__ import annotations

import numpy as np
import pytest

from gaitload.terrain import TerrainOptions, clean_altitude
from gaitload.terrain.altitude import _clean_altitude_parts


def _track(jump_m: float, pause_s: float, seed: int = 0):
    """2 km at 3 m/s on a 2 % grade, a pause of ``pause_s`` at 1 km with ``jump_m`` across it."""
    rng = np.random.default_rng(seed)
    d = np.arange(0.0, 2000.0, 3.0)
    t = d / 3.0
    t[d >= 1000] += pause_s
    a = 100 + 0.02 * d + rng.normal(0, 0.1, d.size)
    a[d >= 1000] += jump_m
    return d, a, t


def test_spike_rejected():
    d, a, t = _track(0.0, 0.0)
    a[300] += 40.0
    out, w = clean_altitude(d, a, time_s=t)
    assert abs(out[300] - (100 + 0.02 * d[300])) < 1.0 and any("spike" in x for x in w)


@pytest.mark.parametrize("jump_m, pause_s, kept", [
    (30.0, 600.0, True),     # 30 m in 10 min: walked up while paused (180 m/h)
    (2.0, 600.0, False),     # 2 m in 10 min: weather (12 m/h, under the 25 m/h drift bound)
    (200.0, 300.0, False),   # 200 m in 5 min: faster than anyone climbs, a re-calibration
])
def test_step_across_a_pause(jump_m, pause_s, kept):
    d, a, t = _track(jump_m, pause_s)
    for_grade, for_gain, w = _clean_altitude_parts(d, a, TerrainOptions(), t)
    # the grade profile never carries the jump
    assert abs(np.diff(for_grade)[d[:-1] == 999.0][0]) < 1.0
    rise = for_gain[-1] - for_gain[0]
    assert rise == pytest.approx(40.0 + (jump_m if kept else 0.0), abs=1.5)
    # the public function returns the gain profile
    assert np.allclose(clean_altitude(d, a, time_s=t)[0], for_gain)


def test_climb_across_a_pause_needs_the_fix_to_move():
    d, a, t = _track(30.0, 600.0)
    moved = np.full(d.size - 1, 3.0)  # the fix moved 3 m across the pause: no 30 m walk
    _, for_gain, _ = _clean_altitude_parts(d, a, TerrainOptions(), t, moved)
    assert for_gain[-1] - for_gain[0] == pytest.approx(40.0, abs=1.5)
    moved[d[:-1] == 999.0] = 400.0  # 400 m away: it was walked
    _, for_gain, _ = _clean_altitude_parts(d, a, TerrainOptions(), t, moved)
    assert for_gain[-1] - for_gain[0] == pytest.approx(70.0, abs=1.5)
