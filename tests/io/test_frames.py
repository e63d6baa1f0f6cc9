"""DataFrames read in memory with the CSV readers' own rules (no temporary file)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import gaitload
from gaitload.analysis import recording_from_frame
from gaitload.errors import GaitloadError, MissingColumnsError, OptionError


def _same_steps(a, b, cols=("time_s", "toe_off_s", "foot", "measured")):
    assert len(a.steps) == len(b.steps) > 0
    for col in cols:
        np.testing.assert_array_equal(a.steps[col].to_numpy(), b.steps[col].to_numpy())


@pytest.mark.parametrize("name,placement", [pytest.param("1-1_rf.txt", "foot", marks=pytest.mark.slow),
                                            ("4-2_lb.txt", "lumbar")])
def test_xsens_frame_equals_file(shared_data, name, placement):
    """An Xsens export read with pandas and passed with its rate gives the file's steps, bit
    for bit (the packet counter is the clock in both). Only the file's name says which foot
    ``_rf`` is, so the frame's foot sensor has no side."""
    path = shared_data / "voisard-ipol-walking-footimu" / "GaitData" / name
    frame = pd.read_csv(path, sep="\t", skiprows=1)
    a = gaitload.analyze(path)
    b = gaitload.analyze(frame, sampling_rate_hz=100.0, placement=placement)
    assert b.summary["placement"] == a.summary["placement"] == placement
    _same_steps(a, b, ("time_s", "toe_off_s", "measured"))


def test_gaitmap_two_level_header_frame_equals_file(shared_data):
    """gaitmap's two header rows as a pandas MultiIndex: the same sensors, units and steps."""
    path = shared_data / "gaitmap-example-data" / "example_data" / "imu_sample.csv"
    frame = pd.read_csv(path, header=[0, 1])
    a = gaitload.analyze(path, sampling_rate_hz=204.8)
    b = gaitload.analyze(frame, sampling_rate_hz=204.8)
    assert b.recording.metadata["sensors"] == a.recording.metadata["sensors"] == ["left", "right"]
    assert b.recording.metadata["units"] == a.recording.metadata["units"]
    _same_steps(a, b)


def test_frame_keeps_the_exact_clock_and_writes_no_file(monkeypatch):
    """The time column's values are kept as given (a text round trip changes their last
    bits), and nothing is written: DataFrame.to_csv and temporary directories are not used."""
    n = 3000
    t = np.arange(n) / 500.0
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"Time (s)": t, "AccX": rng.normal(0, 0.1, n), "AccY": rng.normal(0, 0.1, n),
                          "AccZ": 1.0 + rng.normal(0, 0.1, n)})

    def refuse(*args, **kwargs):
        raise AssertionError("a DataFrame must not go through a file")

    monkeypatch.setattr(pd.DataFrame, "to_csv", refuse)
    monkeypatch.setattr("tempfile.TemporaryDirectory", refuse)
    rec = recording_from_frame(frame)
    assert rec.path is None and rec.metadata["source"] == "pandas DataFrame"
    np.testing.assert_array_equal(rec.time_s, t)
    # the same unit rule as a file: a 1 g magnitude is g, converted to m/s^2
    assert rec.metadata["units"]["acc"]["unit"] == "g"
    np.testing.assert_allclose(rec.channels["acc_z"], frame["AccZ"].to_numpy() * 9.80665)


def test_frame_and_csv_same_recording(tmp_path):
    """Aliases, units and the clock: a frame and the same table saved as CSV give equal
    channels (an IMU table in deg/s and a watch record table with a pace column)."""
    n = 2000
    t = np.arange(n) / 100.0
    imu = pd.DataFrame({"time": t, "ax": np.sin(t), "ay": np.cos(t), "az": 9.81 + 0 * t,
                        "gx": 200 * np.sin(3 * t), "gy": 0 * t, "gz": 0 * t})
    rec_t = np.arange(600.0)
    records = pd.DataFrame({"timestamp": rec_t, "distance (km)": rec_t * 0.003, "cadence": 88 + 0 * rec_t})
    for frame in (imu, records):
        path = tmp_path / "table.csv"
        frame.to_csv(path, index=False)
        a = gaitload.read(path)
        b = recording_from_frame(frame)
        assert a.source_format == b.source_format
        assert list(a.channels) == list(b.channels)
        np.testing.assert_allclose(a.time_s, b.time_s, rtol=0, atol=1e-12)
        for name in a.channels:
            np.testing.assert_allclose(a.channels[name], b.channels[name], rtol=1e-12)
        assert a.metadata["units"] == b.metadata["units"]


def test_bad_frames_name_the_dataframe():
    with pytest.raises(OptionError):
        recording_from_frame(pd.DataFrame())
    with pytest.raises(MissingColumnsError) as err:
        recording_from_frame(pd.DataFrame({"foo": [1.0, 2.0], "bar": [3.0, 4.0]}))
    assert "<DataFrame>" in str(err.value)
    with pytest.raises(GaitloadError):
        recording_from_frame(pd.DataFrame({"acc_x": [0.0] * 50, "acc_y": 0.0, "acc_z": 1.0}))  # no clock


def test_the_callers_frame_is_left_unchanged():
    """The frame's arrays are the caller's: units are converted into new arrays (a file's
    parsed columns may be converted in place, a DataFrame's never), for one block or one
    column per block."""
    n = 3000
    t = np.arange(n) / 100.0
    rng = np.random.default_rng(1)
    blocks = pd.DataFrame({"time": t, "ax": rng.normal(0, 0.2, n), "ay": rng.normal(0, 0.2, n),
                           "az": 1.0 + rng.normal(0, 0.2, n), "gx": rng.normal(0, 90, n), "gy": 0.0, "gz": 0.0})
    split = pd.concat([blocks[[c]].copy() for c in blocks.columns], axis=1)  # one column per block
    records = pd.DataFrame({"timestamp": np.arange(600.0), "distance (km)": np.arange(600.0) * 0.003,
                            "cadence": 88.0})
    for frame in (blocks, split, records):
        before = frame.copy(deep=True)
        rec = recording_from_frame(frame)
        for name in rec.channels:
            rec.channels[name][:] = -1.0  # writing the Recording must not reach the frame
        pd.testing.assert_frame_equal(frame, before)


def test_a_gpx_track_as_a_frame_keeps_its_distance_from_positions(shared_data):
    """Recording.to_frame writes down who measured the distance: analysing the frame of a GPX
    track measures the track (terrain's GPS distance), as analysing the file does."""
    path = shared_data / "gpxpy-tests/test_files/korita-zbevnica.gpx"
    frame = gaitload.read(path).to_frame()
    assert frame.attrs["distance_source"] == "positions"
    from_file, from_frame = gaitload.analyze(path), gaitload.analyze(frame)
    assert from_frame.summary["provenance"]["terrain"]["distance"] == "GPS great-circle"
    assert from_frame.summary["distance_m"] == pytest.approx(from_file.summary["distance_m"], rel=1e-9)
