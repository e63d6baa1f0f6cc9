"""Recording validation: time base, repairs, gaps, NaN runs, sensors, resampling (issue 2.3)."""

import numpy as np
import pytest

from gaitload import Recording
from gaitload.errors import GaitloadError, SignalError, TimestampError


def _rec(time, **channels):
    return Recording(time_s=np.asarray(time, float), channels={k: np.asarray(v, float) for k, v in channels.items()},
                     placement="foot", source_format="test", path="run.csv")


def test_time_base_starts_at_zero_and_rate_is_estimated():
    t = 1000.0 + np.arange(500) / 200.0
    rec = _rec(t, acc_x=np.ones(500))
    assert rec.time_s[0] == 0.0
    assert rec.sampling_rate_hz == pytest.approx(200.0)
    assert rec.duration_s == pytest.approx(499 / 200.0)
    assert rec.warnings == []


def test_duplicates_dropped_and_backwards_jumps_sorted_with_warning():
    t = np.arange(1000) / 100.0
    t[500] = t[499]            # duplicate
    t[700], t[701] = t[701], t[700]  # one backwards jump
    values = np.arange(1000, dtype=float)
    rec = _rec(t, acc_x=values)
    assert np.all(np.diff(rec.time_s) > 0)
    assert rec.n_samples == 999
    assert any("timestamps repaired" in w for w in rec.warnings)
    # samples travel with their timestamps when sorted
    i = np.searchsorted(rec.time_s, 7.00)
    assert rec.channels["acc_x"][i] == 701.0  # value 701 was recorded at t = 7.00 s


def test_clock_running_backwards_is_rejected_with_the_file_name():
    t = np.arange(1000) / 100.0
    t[::3] = t[::3][::-1]
    with pytest.raises(TimestampError) as info:
        _rec(t, acc_x=np.ones(1000))
    assert "run.csv" in str(info.value) and "backwards" in str(info.value)


def test_auto_pause_is_a_gap_not_a_sprint():
    t = np.concatenate([np.arange(0, 600), np.arange(900, 1500)]).astype(float)  # 1 Hz, a 5-minute pause
    rec = _rec(t, distance=np.linspace(0, 3000, t.size))
    assert rec.gaps_s.shape == (1, 2)
    assert tuple(rec.gaps_s[0]) == (599.0, 900.0)
    assert rec.sampling_rate_hz == pytest.approx(1.0)
    assert any("gap" in w for w in rec.warnings)


def test_nan_runs_reported_and_all_nan_channel_dropped():
    t = np.arange(2000) / 100.0
    acc = np.ones(2000)
    acc[100:400] = np.nan
    rec = _rec(t, acc_x=acc, acc_y=np.full(2000, np.nan))
    assert "acc_y" not in rec.channels
    assert any("acc_y" in w and "dropped" in w for w in rec.warnings)
    assert any("acc_x" in w and "300 missing" in w for w in rec.warnings)


def test_nan_runs_are_called_stretches_not_runs():
    """A runner reads 'in 2 run(s)' as two runs: the message counts stretches of missing values."""
    t = np.arange(2000) / 100.0
    acc = np.ones(2000)
    acc[100:400] = np.nan
    acc[1000:1050] = np.nan
    rec = _rec(t, acc_x=acc)
    gaps = [w for w in rec.warnings if w.code == "channel-gap"]
    assert [str(w) for w in gaps] == ["channel 'acc_x': 350 missing value(s) in 2 stretch(es), longest 3.0 s"]


def test_all_channels_empty_or_too_short_is_a_signal_error():
    with pytest.raises(SignalError):
        _rec([0.0, 0.01], acc_x=[np.nan, np.nan])
    with pytest.raises(SignalError):
        _rec([0.0], acc_x=[1.0])


def test_length_mismatch_and_bad_placement_rejected():
    with pytest.raises(GaitloadError, match="3 samples"):
        _rec([0, 1, 2, 3], acc_x=[1, 2, 3])
    with pytest.raises(GaitloadError, match="placement"):
        Recording(time_s=np.arange(3.0), channels={"acc_x": np.ones(3)}, placement="elbow")


def test_sensor_view_of_a_two_sensor_recording():
    t = np.arange(100) / 100.0
    rec = Recording(time_s=t, channels={"left.acc_x": np.ones(100), "right.acc_x": 2 * np.ones(100)},
                    placement="foot", sensor_side={"left": "left", "right": "right"})
    assert rec.sensors == ["left", "right"]
    right = rec.sensor("right")
    assert list(right.channels) == ["acc_x"] and right.channels["acc_x"][0] == 2.0
    assert right.side == "right" and right.placement == "foot"
    with pytest.raises(GaitloadError):
        rec.sensor("hip")


def test_resample_only_when_asked():
    t = np.sort(np.random.default_rng(0).uniform(0, 10, 800))
    rec = _rec(t, acc_x=np.sin(t))
    assert rec.n_samples == 800  # irregular data is kept as is
    regular = rec.resample(50.0)
    assert np.allclose(np.diff(regular.time_s), 0.02)
    assert np.allclose(regular.channels["acc_x"], np.sin(regular.time_s + t[0]), atol=5e-3)
    assert any("resampled" in w for w in regular.warnings)
