"""Records with speed but no cadence (GPS-only GPX/TCX): steps estimated from speed, flagged."""

import numpy as np
import pytest

from gaitload import Recording
from gaitload.events import detect_steps
from gaitload.events.records import cadence_from_speed


def _records(speed, **extra):
    t = np.arange(speed.size, dtype=float)
    return Recording(time_s=t, channels={"speed": speed, **extra}, placement="records", source_format="test")


def test_cadence_model_matches_its_anchors():
    # Lieberman 2015 optimum at 3.0 m/s; +10 % from 3.5 to 5.2 m/s (Dorn 2012)
    assert cadence_from_speed(np.array([3.0]))[0] == pytest.approx(170.0)
    ratio = cadence_from_speed(np.array([5.2]))[0] / cadence_from_speed(np.array([3.5]))[0]
    assert ratio == pytest.approx(1.10, abs=0.002)
    assert list(cadence_from_speed(np.array([0.2, 1.2, np.nan]))[:2]) == [0.0, 110.0]
    assert np.isnan(cadence_from_speed(np.array([np.nan]))[0])


def test_steps_from_speed_are_counted_and_flagged():
    speed = np.concatenate([np.full(600, 3.0), np.zeros(120), np.full(300, 1.2)])
    det = detect_steps(_records(speed))
    steps = det.steps
    run = steps[steps["time_s"] < 600]
    walk = steps[steps["time_s"] > 720]
    assert len(run) == pytest.approx(170 * 10, abs=2)
    assert len(walk) == pytest.approx(110 * 5, abs=2)
    assert not steps["measured"].any()
    assert any("estimated from speed" in w for w in det.warnings)


def test_distance_only_records_use_the_distance_slope():
    distance = np.arange(900, dtype=float) * 3.0
    det = detect_steps(Recording(time_s=np.arange(900.0), channels={"distance": distance}, placement="records"))
    assert len(det.steps) == pytest.approx(170 * 15, abs=3)


def test_a_measured_cadence_is_never_replaced():
    speed = np.full(600, 3.0)
    det = detect_steps(_records(speed, cadence=np.full(600, 180.0)))
    assert len(det.steps) == pytest.approx(180 * 599 / 60, abs=1)  # 599 s between first and last record
    assert not any("estimated from speed" in w for w in det.warnings)
