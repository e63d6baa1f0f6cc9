"""detect_steps dispatcher: single-foot inference, gaps, multi-sensor merge, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from gaitload.errors import OptionError, SignalError
from gaitload.events import StepDetection, detect_steps
from gaitload.recording import Recording

G = 9.80665


def _ankle(duration_s=60.0, fs=100.0, stride_s=0.72, gap=None):
    """Accelerometer-only ankle: an 8 g impact transient once per stride, swing in between."""
    t = np.arange(0, duration_s, 1 / fs)
    ic = np.arange(0.3, duration_s, stride_s)
    dt = np.clip(t[:, None] - ic[None, :], 0, None)
    imp = np.where(t[:, None] >= ic[None, :], np.exp(-dt / 0.02) * np.cos(2 * np.pi * 15 * dt), 0).sum(1) * 7 * G
    swing = 2.0 * G * np.sin(2 * np.pi * t / stride_s)
    rng = np.random.default_rng(0)
    acc = np.column_stack([swing, 0.3 * imp, G + imp]) + rng.normal(0, 0.05 * G, (t.size, 3))
    if gap is not None:  # drop samples: a pause
        keep = (t < gap[0]) | (t >= gap[1])
        t, acc = t[keep], acc[keep]
        ic = ic[(ic < gap[0] - 0.2) | (ic >= gap[1] + 0.2)]
    chans = {"acc_x": acc[:, 0], "acc_y": acc[:, 1], "acc_z": acc[:, 2]}
    return t, chans, ic


def test_single_ankle_infers_other_foot_at_midpoints():
    t, chans, ic = _ankle()
    rec = Recording(time_s=t, channels=chans, placement="shank", sensor_side={"": "left"})
    det = detect_steps(rec)
    assert isinstance(det, StepDetection) and det.placement == "shank" and det.placement_evidence
    steps = det.steps
    meas = steps[steps["measured"]]
    assert abs(len(meas) - ic.size) <= 1
    assert (meas["foot"] == "left").all()
    inferred = steps[~steps["measured"]]
    assert (inferred["foot"] == "right").all() and (inferred["strike_pattern"] == "unknown").all()
    assert inferred["contact_time_ms"].isna().all()
    # every step is counted: two per stride
    assert abs(len(steps) - 2 * ic.size) <= 2
    assert steps["time_s"].is_monotonic_increasing
    assert abs(steps["cadence_spm"].median() - 120 / 0.72) < 1.0


def test_gap_creates_no_steps_and_no_long_step_time():
    t, chans, ic = _ankle(duration_s=80.0, gap=(30.0, 45.0))
    rec = Recording(time_s=t, channels=chans, placement="shank")
    steps = detect_steps(rec).steps
    assert not ((steps["time_s"] > 30.0) & (steps["time_s"] < 45.0)).any()
    assert np.nanmax(steps["step_time_s"]) < 0.5
    assert abs(steps["measured"].sum() - ic.size) <= 2


def test_multi_sensor_prefers_feet_and_merges_sides():
    tl, cl, icl = _ankle(stride_s=0.7)
    tr, cr, icr = _ankle(stride_s=0.7)
    shift = 35  # samples: right foot half a stride later
    chans = {f"left.{k}": v for k, v in cl.items()}
    chans.update({f"right.{k}": np.roll(v, shift) for k, v in cr.items()})
    hip = {f"hip.{k}": np.full(tl.size, G if k == "acc_z" else 0.0) for k in cl}
    chans.update(hip)
    rec = Recording(time_s=tl, channels=chans, sensor_placement={"left": "shank", "right": "shank", "hip": "lumbar"})
    det = detect_steps(rec)
    steps = det.steps
    assert det.placement == "shank"
    assert set(steps["foot"]) == {"left", "right"}
    assert steps["measured"].all()
    assert abs((steps["foot"] == "left").sum() - icl.size) <= 1
    assert abs((steps["foot"] == "right").sum() - icr.size) <= 1
    # alternating feet, step time about half a stride
    assert abs(steps["step_time_s"].median() - 0.35) < 0.02
    # the notice names what gave the contacts and what was set aside, with their placements
    choice = [w for w in det.warnings if getattr(w, "code", None) == "sensor-choice"]
    assert [str(w) for w in choice] == ["contacts from left (shank), right (shank); hip (lumbar) not used for contacts"]


def test_bad_inputs():
    t = np.arange(0, 30, 0.01)
    const = Recording(time_s=t, channels={"acc_x": 0 * t, "acc_y": 0 * t, "acc_z": G + 0 * t}, placement="lumbar")
    det = detect_steps(const)
    assert len(det.steps) == 0 and det.warnings
    with pytest.raises(OptionError):
        detect_steps(const, placement="elbow")
    slow = Recording(time_s=np.arange(0, 300.0), channels={"acc_x": np.zeros(300), "acc_y": np.zeros(300),
                                                           "acc_z": np.full(300, G)}, placement="lumbar")
    with pytest.raises(SignalError):
        detect_steps(slow)
    with pytest.raises(OptionError):
        detect_steps("not a recording")


def test_steps_table_columns():
    t, chans, _ = _ankle(duration_s=20.0)
    steps = detect_steps(Recording(time_s=t, channels=chans, placement="shank")).steps
    for col in ("time_s", "toe_off_s", "foot", "step_time_s", "contact_time_ms", "cadence_spm",
                "strike_angle_deg", "strike_pattern", "strike_confidence", "measured", "ic_approximate"):
        assert col in steps


@pytest.mark.parametrize("placement,good", [("lumbar", "method"), ("foot", "ic_method")])
def test_unknown_detector_option_is_named_with_the_valid_ones(placement, good):
    """A misspelt detector option is an OptionError naming it and listing the valid options
    (not Python's TypeError from inside the detector)."""
    from gaitload.simulate import simulate_run

    rec = simulate_run(duration_s=20.0, placement=placement, sampling_rate_hz=100.0, course="flat", seed=1).recording
    with pytest.raises(OptionError) as err:
        detect_steps(rec, placement=placement, metod="walking")
    msg = str(err.value)
    assert "'metod'" in msg and placement in msg and good in msg
