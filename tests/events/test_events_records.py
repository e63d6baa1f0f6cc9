"""Steps from 1 Hz cadence records: count equals the cadence integral, contact time carried."""

from __future__ import annotations

import numpy as np
import pytest

from gaitload.events import detect_steps
from gaitload.events.records import cadence_integral, steps_from_cadence
from gaitload.recording import Recording


def test_constant_cadence_places_exact_steps():
    t = np.arange(0.0, 601.0)  # 10 min at 1 Hz
    cad = np.full(t.size, 180.0)
    steps, warnings = steps_from_cadence(t, cad, contact_time_s=np.full(t.size, 0.245))
    assert len(steps) == 1800  # 180 steps/min x 10 min
    assert np.allclose(np.diff(steps["time_s"]), 60.0 / 180.0)
    assert np.allclose(steps["contact_time_ms"], 245.0)
    assert not steps["measured"].any()
    assert not warnings


def test_count_equals_integral_with_varying_cadence_and_pause():
    rng = np.random.default_rng(0)
    t = np.concatenate([np.arange(0.0, 300.0), np.arange(400.0, 700.0)])  # 100 s auto-pause
    cad = 165 + 10 * np.sin(t / 30.0) + rng.normal(0, 2, t.size)
    rec = Recording(time_s=t, channels={"cadence": cad, "contact_time": np.full(t.size, 0.26)}, placement="records")
    det = detect_steps(rec)
    steps = det.steps
    # analytic trapezoid integral of each piece, the pause adds nothing
    expected = sum(np.trapezoid(cad[s], t[s]) / 60.0 for s in (slice(0, 300), slice(300, 600)))
    assert len(steps) == int(np.floor(expected))
    # no step inside the pause, and no step time across it
    assert not ((steps["time_s"] > 299.0) & (steps["time_s"] < 400.0)).any()
    assert np.nanmax(steps["step_time_s"]) < 0.5
    assert steps["step_time_s"].isna().sum() == 2  # first step, and the first after the pause
    assert np.allclose(steps["contact_time_ms"], 260.0)
    assert det.placement == "records"


def test_missing_cadence_records_add_no_steps():
    t = np.arange(0.0, 120.0)
    cad = np.full(t.size, 180.0)
    cad[30:60] = np.nan
    cum = cadence_integral(t, cad)
    # 31 intervals touch a missing value -> 120 - 1 - 31 valid seconds at 3 steps/s
    assert cum[-1] == pytest.approx(3.0 * (119 - 31))


def test_no_cadence_speed_or_distance_gives_no_steps_and_warning():
    t = np.arange(0.0, 100.0)
    rec = Recording(time_s=t, channels={"heart_rate": np.full(t.size, 150.0)}, placement="records")
    det = detect_steps(rec)
    assert len(det.steps) == 0
    assert "no cadence, speed or distance channel; steps cannot be placed" in det.warnings


def test_strides_per_minute_warns():
    t = np.arange(0.0, 120.0)
    steps, warnings = steps_from_cadence(t, np.full(t.size, 85.0))
    assert any("strides/min" in w for w in warnings)


def test_steps_are_placed_across_a_gap_the_distance_crossed():
    # sparse ("smart") recording: a 20 s gap while the runner keeps going at 3 m/s and 170
    # steps/min, then an auto-pause (the distance stands still across a 100 s gap)
    t = np.concatenate([np.arange(0.0, 100.0), np.arange(120.0, 200.0), np.arange(300.0, 400.0)])
    moving = np.where(t < 300.0, t, t - 100.0)
    dist = 3.0 * moving
    cad = np.full(t.size, 170.0)
    rec = Recording(time_s=t, channels={"cadence": cad, "distance": dist}, placement="records")
    steps = detect_steps(rec).steps
    # 300 s of moving at 170 steps/min: the walked gap counts, the pause does not
    assert len(steps) == int(np.floor(170.0 * 298.0 / 60.0))  # 298 s: the intervals 0..199 and 300..399
    assert ((steps["time_s"] > 100.0) & (steps["time_s"] < 119.0)).sum() >= 50
    assert not ((steps["time_s"] > 200.0) & (steps["time_s"] < 300.0)).any()


def test_smart_recording_walk_places_the_devices_steps(shared_data):
    from gaitload import analyze

    path = shared_data / "python-fitparse-tests/tests/files/garmin-fenix-5-walk.fit"
    if not path.exists():
        pytest.skip("Fenix 5 walk not in the data folder")
    result = analyze(path)
    s = result.summary
    # the watch's own average cadence over its timer time gives the steps it counted; a 14 s gap
    # in the records that the distance crossed is walked, so the steps there are placed too
    expected = s["device_totals"]["avg_cadence_spm"] * s["device_totals"]["timer_time_s"] / 60.0
    assert len(result.steps) == pytest.approx(expected, rel=0.05)
