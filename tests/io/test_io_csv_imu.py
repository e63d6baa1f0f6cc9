"""Raw IMU CSV reader: real shared recordings and every layout from small files written here.

Expected numbers come from the raw files themselves (read independently with the csv module),
from unit definitions (1 g = 9.80665 m/s^2, deg2rad) and from the data sets' documented rates.
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

import gaitload
from gaitload.errors import OptionError, TimestampError, UnitError
from gaitload.io.csv_imu import read_imu_csv
from gaitload.io.units import G0_MPS2, infer_acc_unit, infer_gyr_unit

GAITMAP = "gaitmap-example-data/example_data"
XSENS = "voisard-ipol-walking-footimu/GaitData"


def _raw_rows(path: Path, skip: int, delimiter: str = ",") -> list[list[str]]:
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh, delimiter=delimiter))
    return rows[skip:]


# -- real recordings ------------------------------------------------------------------------------

def test_gaitmap_imu_sample(shared_data):
    path = shared_data / GAITMAP / "imu_sample.csv"
    rec = gaitload.read(path, sampling_rate_hz=204.8)
    assert rec.source_format == "imu-csv"
    assert rec.n_samples == 7928
    assert rec.sampling_rate_hz == pytest.approx(204.8, rel=1e-9)
    assert rec.duration_s == pytest.approx(7927 / 204.8)
    assert rec.sensors == ["left", "right"]
    assert rec.sensor_side == {"left": "left", "right": "right"}
    assert set(rec.channels) == {f"{s}.{c}" for s in ("left", "right") for c in gaitload.recording.IMU_CHANNELS}
    rows = _raw_rows(path, 0)
    header = [f"{a}.{b}" for a, b in zip(rows[0], rows[1])]
    data = np.array(rows[2:], dtype=float)
    col_gx = header.index("left_sensor.gyr_x")
    col_az = header.index("right_sensor.acc_z")
    np.testing.assert_allclose(rec.channels["left.gyr_x"], np.deg2rad(data[:, col_gx]), rtol=1e-12)
    np.testing.assert_allclose(rec.channels["right.acc_z"], data[:, col_az], rtol=1e-12)
    assert rec.metadata["units"]["gyr"]["unit"] == "deg/s"
    assert rec.metadata["units"]["acc"]["unit"] == "m/s^2"
    assert rec.sensor("left").side == "left"


def test_gaitmap_without_rate_is_a_clear_error(shared_data):
    path = shared_data / GAITMAP / "imu_sample.csv"
    with pytest.raises(TimestampError, match="sampling_rate_hz") as info:
        gaitload.read(path)
    assert "imu_sample.csv" in str(info.value)


@pytest.mark.parametrize("name, rate_hz, sensors", [
    ("imu_sample_ic_stride.csv", 102.4, ["left", "right"]),
    ("imu_sample_ms_left.csv", 102.4, [""]),
    ("imu_sample_ms_right.csv", 102.4, [""]),
    ("imu_sample_not_rotated.csv", 204.8, ["left", "right"]),
])
def test_gaitmap_index_files(shared_data, name, rate_hz, sensors):
    path = shared_data / GAITMAP / name
    rec = gaitload.read(path, sampling_rate_hz=rate_hz)
    rows = _raw_rows(path, 0)
    n_header = 2 if not rows[1][-1].replace(".", "").replace("-", "").isdigit() else 1
    data = np.array(rows[n_header:], dtype=float)
    assert rec.n_samples == len(data)
    assert rec.sampling_rate_hz == pytest.approx(rate_hz)
    assert rec.sensors == sensors
    gx = f"{sensors[0]}.gyr_x" if sensors[0] else "gyr_x"
    header = [f"{a}.{b}" if n_header == 2 else b for a, b in zip(rows[0], rows[n_header - 1])]
    key = "left_sensor.gyr_x" if sensors[0] else "gyr_x"
    np.testing.assert_allclose(rec.channels[gx], np.deg2rad(data[:, header.index(key)]), rtol=1e-12)


@pytest.mark.parametrize("name", ["imu_sample_healthy_stair_up.csv", "imu_sample_healthy_stair_down.csv"])
def test_gaitmap_stair_files_have_a_time_column(shared_data, name):
    path = shared_data / GAITMAP / name
    rows = _raw_rows(path, 2)
    rec = gaitload.read(path)  # the first column is time in s: no rate hint needed
    assert rec.n_samples == len(rows)
    assert rec.sampling_rate_hz == pytest.approx(204.8, rel=1e-6)
    assert rec.duration_s == pytest.approx(float(rows[-1][0]) - float(rows[0][0]))
    assert rec.metadata["units"]["time"]["unit"] == "s"
    np.testing.assert_allclose(rec.channels["right.gyr_z"], np.deg2rad([float(r[12]) for r in rows]))


def _xsens_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / XSENS).glob("*.txt") if p.name.split("-")[0] in ("1", "2"))


def test_every_xsens_file(shared_data):
    files = _xsens_files(shared_data)
    assert len(files) >= 30
    for path in files:
        rec = gaitload.read(path)
        rows = _raw_rows(path, 2, "\t")
        counter = np.array([float(r[0]) for r in rows])
        assert rec.n_samples == len(rows), path.name
        assert rec.sampling_rate_hz == pytest.approx(100.0), path.name
        np.testing.assert_allclose(rec.time_s, (counter - counter[0]) / 100.0, atol=1e-9)
        # Xsens writes rad/s: kept as is
        np.testing.assert_allclose(rec.channels["gyr_y"], [float(r[5]) for r in rows], rtol=1e-12)
        assert rec.metadata["units"]["gyr"]["unit"] == "rad/s"
        # the protocol starts standing still: |acc| is gravity (these MTw read up to ~5 % high)
        still = np.linalg.norm(np.column_stack([rec.channels[c][:50] for c in ("acc_x", "acc_y", "acc_z")]), axis=1)
        assert 9.0 < np.median(still) < 10.8, path.name
        assert np.std(still) < 0.3, path.name
        suffix = path.stem.split("_")[-1]
        assert rec.placement == {"lf": "foot", "rf": "foot", "lb": "lumbar"}[suffix]
        assert rec.side == {"lf": "left", "rf": "right", "lb": "unknown"}[suffix]


def test_actigraph_gzip_two_locations(shared_data):
    path = shared_data / "adeptdata-outdoor-run/data/acc_running.csv.gz"
    rec = gaitload.read(path)
    with gzip.open(path, "rt") as fh:
        raw = pd.read_csv(fh)
    hip = raw[raw.loc_id == "left_hip"]
    assert sorted(rec.sensors) == ["left_ankle", "left_hip"]
    assert rec.sensor_placement == {"left_hip": "lumbar", "left_ankle": "shank"}
    assert rec.sampling_rate_hz == pytest.approx(100.0)
    assert rec.n_samples == len(hip)
    assert rec.duration_s == pytest.approx(25 * 60, abs=1.0)
    assert rec.start_time == pd.Timestamp(float(raw.date_time.min()), unit="s", tz="UTC")
    np.testing.assert_allclose(rec.channels["left_hip.acc_y"], hip.y.to_numpy() * G0_MPS2, rtol=1e-12)
    assert rec.metadata["units"]["acc"]["unit"] == "g"
    assert any("left_ankle.acc_x" in w and "8 g" in w for w in rec.warnings), rec.warnings


# -- every layout from a small file ---------------------------------------------------------------

def _signal(n: int = 500, rate_hz: float = 100.0, seed: int = 1):
    """A walking-like foot signal: gravity on z plus 1 Hz swings; acc in g, gyr in deg/s."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / rate_hz
    acc_g = np.column_stack([0.3 * np.sin(2 * np.pi * t), 0.2 * np.cos(2 * np.pi * t), 1.0 + 0.4 * np.sin(4 * np.pi * t)])
    acc_g += rng.normal(0, 0.01, acc_g.shape)
    gyr_dps = np.column_stack([50 * np.sin(2 * np.pi * t), 300 * np.sin(2 * np.pi * t + 1), 30 * np.cos(2 * np.pi * t)])
    return t, np.round(acc_g, 6), np.round(gyr_dps, 4)


def _write(path: Path, header: list[str], columns: list[np.ndarray], delimiter: str = ",", preamble: str = "") -> Path:
    frame = pd.DataFrame(dict(zip(header, columns)))
    text = frame.to_csv(index=False, sep=delimiter, lineterminator="\n")
    path.write_text(preamble + text)
    return path


@pytest.mark.parametrize("names", [
    ("time", "ax", "ay", "az", "gx", "gy", "gz"),
    ("t", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"),
    ("timestamp", "accX", "accY", "accZ", "gyrX", "gyrY", "gyrZ"),
    ("time_s", "Acc_X", "Acc_Y", "Acc_Z", "Gyr_X", "Gyr_Y", "Gyr_Z"),
    ("Time (s)", "AccX", "AccY", "AccZ", "gyro_x", "gyro_y", "gyro_z"),
    ("time", "accel_x", "accel_y", "accel_z", "Gyroscope X", "Gyroscope Y", "Gyroscope Z"),
])
def test_generic_header_variants(tmp_path, names):
    t, acc, gyr = _signal()
    path = _write(tmp_path / "imu.csv", list(names), [t, *acc.T, *gyr.T])
    rec = gaitload.read(path, placement="foot")
    assert rec.placement == "foot"
    assert list(rec.channels) == list(gaitload.recording.IMU_CHANNELS)
    assert rec.sampling_rate_hz == pytest.approx(100.0)
    np.testing.assert_allclose(rec.channels["acc_z"], acc[:, 2] * 9.80665, rtol=1e-12)
    np.testing.assert_allclose(rec.channels["gyr_y"], gyr[:, 1] * np.pi / 180, rtol=1e-12)
    units = rec.metadata["units"]
    assert (units["acc"]["unit"], units["acc"]["decided_by"]) == ("g", "data")
    assert (units["gyr"]["unit"], units["gyr"]["decided_by"]) == ("deg/s", "data")
    assert any(w.startswith("acceleration unit inferred as g from the median acceleration magnitude") for w in rec.warnings)
    assert rec.provenance["acc_z"].startswith(f"measured: {names[3]}")


def test_accelerometer_only_and_ms_clock(tmp_path):
    t, acc, _ = _signal(rate_hz=50.0)
    path = _write(tmp_path / "a.csv", ["time_ms", "acc_x", "acc_y", "acc_z"], [np.round(t * 1000), *(acc.T * G0_MPS2)])
    rec = gaitload.read(path)
    assert list(rec.channels) == ["acc_x", "acc_y", "acc_z"]
    assert rec.sampling_rate_hz == pytest.approx(50.0)
    assert rec.metadata["units"]["time"]["unit"] == "ms"
    assert rec.metadata["units"]["acc"]["unit"] == "m/s^2"
    np.testing.assert_allclose(rec.channels["acc_x"], acc[:, 0] * G0_MPS2, rtol=1e-12)


@pytest.mark.parametrize("scale, unit", [(1.0, "s"), (1e3, "ms"), (1e6, "us"), (1e9, "ns")])
def test_time_unit_from_spacing(tmp_path, scale, unit):
    t, acc, _ = _signal(rate_hz=200.0)
    path = _write(tmp_path / "a.csv", ["time", "ax", "ay", "az"], [np.round(t * scale, 6), *acc.T])
    rec = gaitload.read(path)
    assert rec.metadata["units"]["time"]["unit"] == unit
    assert rec.sampling_rate_hz == pytest.approx(200.0)
    assert rec.start_time is None


@pytest.mark.parametrize("unit, scale", [("s", 1), ("ms", 1_000), ("ns", 1_000_000_000)])
def test_epoch_clocks_give_start_time(tmp_path, unit, scale):
    t, acc, _ = _signal(rate_hz=100.0)
    epoch0 = 1_700_000_000  # 2023-11-14T22:13:20Z
    stamps = epoch0 * scale + np.round(t * scale).astype(np.int64) if unit != "s" else epoch0 + t
    path = _write(tmp_path / "a.csv", ["timestamp", "ax", "ay", "az"], [stamps, *acc.T])
    rec = gaitload.read(path)
    assert rec.start_time == pd.Timestamp("2023-11-14T22:13:20Z")
    assert rec.metadata["units"]["time"]["unit"] == f"epoch {unit}"
    assert rec.sampling_rate_hz == pytest.approx(100.0)
    assert rec.time_s[-1] == pytest.approx(t[-1], abs=1e-6)


def test_iso_datetime_clock(tmp_path):
    t, acc, _ = _signal(rate_hz=100.0)
    stamps = (pd.Timestamp("2024-03-01T07:30:00+01:00") + pd.to_timedelta(np.arange(t.size) * 10, unit="ms")).strftime("%Y-%m-%dT%H:%M:%S.%f%z")
    path = _write(tmp_path / "a.csv", ["datetime", "ax", "ay", "az"], [stamps, *acc.T])
    rec = gaitload.read(path)
    assert rec.start_time == pd.Timestamp("2024-03-01T06:30:00Z")
    assert rec.sampling_rate_hz == pytest.approx(100.0)
    assert rec.metadata["units"]["time"]["unit"] == "ISO datetime"


def test_time_hint_overrides(tmp_path):
    t, acc, _ = _signal(rate_hz=100.0)
    path = _write(tmp_path / "a.csv", ["time", "ax", "ay", "az"], [np.round(t * 1000), *acc.T])
    rec = gaitload.read(path, time_unit="us")
    assert rec.metadata["units"]["time"] == {"unit": "us", "decided_by": "hint", "detail": "time_unit='us'",
                                             "column": "time"}
    assert rec.sampling_rate_hz == pytest.approx(100_000.0)


def test_unit_hints_override_data(tmp_path):
    t, acc, gyr = _signal()
    path = _write(tmp_path / "a.csv", ["time", "ax", "ay", "az", "gx", "gy", "gz"], [t, *acc.T, *(gyr.T / 100)])
    rec = gaitload.read(path)  # gyro peak ~3 -> rad/s from data
    assert rec.metadata["units"]["gyr"]["unit"] == "rad/s"
    np.testing.assert_allclose(rec.channels["gyr_y"], gyr[:, 1] / 100, rtol=1e-12)
    forced = gaitload.read(path, acc_unit="m/s^2", gyr_unit="deg/s")
    np.testing.assert_allclose(forced.channels["acc_z"], acc[:, 2], rtol=1e-12)
    np.testing.assert_allclose(forced.channels["gyr_y"], np.deg2rad(gyr[:, 1] / 100), rtol=1e-12)
    assert forced.metadata["units"]["acc"]["decided_by"] == "hint"
    assert not any("inferred" in w and "acceleration" in w for w in forced.warnings)
    with pytest.raises(OptionError):
        gaitload.read(path, acc_unit="furlongs")


def test_implausible_acceleration_is_a_unit_error(tmp_path):
    t, acc, _ = _signal()
    path = _write(tmp_path / "odd.csv", ["time", "ax", "ay", "az"], [t, *(acc.T * 3.5)])
    with pytest.raises(UnitError, match="acc_unit") as info:
        gaitload.read(path)
    assert "odd.csv" in str(info.value)
    rec = gaitload.read(path, acc_unit="m/s^2")  # the user knows better: accepted
    assert rec.metadata["units"]["acc"]["decided_by"] == "hint"


def test_fast_foot_run_in_mps2_is_not_a_unit_error(tmp_path):
    """A shoe sensor in fast running: median |acc| about 3.5 g, written in m/s^2 (simulator truth).

    The former m/s^2 bound (3.2 g = 31.4) refused such files; the g range (0.5-3.2) and the
    m/s^2 range (5-45) cannot overlap, so the file is read as m/s^2 from the data.
    """
    from gaitload.simulate import simulate_run

    run = simulate_run(60, "foot", 100, speed_mps=4.3, course="flat", seed=3)
    truth = run.recording
    median = float(np.median(np.linalg.norm(np.column_stack([truth.channels[c] for c in ("acc_x", "acc_y", "acc_z")]),
                                            axis=1)))
    assert 31.4 < median < 45.0  # beyond the old bound, inside the new one
    data, _ = run.write_csv(tmp_path / "fast_foot.csv")
    rec = gaitload.read(data)
    assert rec.metadata["units"]["acc"]["unit"] == "m/s^2"
    assert rec.metadata["units"]["acc"]["decided_by"] == "data"
    for c in ("acc_x", "acc_y", "acc_z"):
        np.testing.assert_allclose(rec.channels[c], truth.channels[c], rtol=1e-3, atol=1e-2)
    # the bound itself: 44 m/s^2 is still m/s^2, 46 is unknown, and the 3.2-5 gap stays a UnitError
    unit_x = np.array([[1.0, 0.0, 0.0]])
    assert infer_acc_unit(unit_x * 44.0).unit == "m/s^2"
    for bad in (46.0, 4.0):
        with pytest.raises(UnitError):
            infer_acc_unit(unit_x * bad)


def test_phyphox_units_from_header(tmp_path):
    t, acc, gyr = _signal()
    names = ["Time (s)", "Acceleration x (m/s^2)", "Acceleration y (m/s^2)", "Acceleration z (m/s^2)",
             "Gyroscope x (rad/s)", "Gyroscope y (rad/s)", "Gyroscope z (rad/s)"]
    path = _write(tmp_path / "phyphox.csv", names, [t, *(acc.T * G0_MPS2), *np.deg2rad(gyr.T)])
    rec = gaitload.read(path)
    assert rec.metadata["units"]["acc"] == {"unit": "m/s^2", "decided_by": "header",
                                            "detail": "unit 'm/s^2' in the column name"}
    assert rec.metadata["units"]["gyr"]["decided_by"] == "header"
    np.testing.assert_allclose(rec.channels["gyr_x"], np.deg2rad(gyr[:, 0]), rtol=1e-12)


def test_sensor_logger_ns_epoch_and_zyx_order(tmp_path):
    t, acc, _ = _signal(rate_hz=100.0)
    epoch_ns = (1_650_000_000_000_000_000 + np.round(t * 1e9)).astype(np.int64)
    path = _write(tmp_path / "Accelerometer.csv", ["time", "seconds_elapsed", "z", "y", "x"],
                  [epoch_ns, t, *(acc[:, ::-1].T * G0_MPS2)])
    rec = gaitload.read(path)
    np.testing.assert_allclose(rec.channels["acc_x"], acc[:, 0] * G0_MPS2, rtol=1e-12)
    assert rec.start_time == pd.Timestamp(1_650_000_000, unit="s", tz="UTC")
    assert rec.metadata["units"]["time"]["unit"] == "epoch ns"


def test_metawear_export(tmp_path):
    t, acc, gyr = _signal(rate_hz=100.0)
    epoch_ms = (1_600_000_000_000 + np.round(t * 1000)).astype(np.int64)
    iso = pd.to_datetime(epoch_ms, unit="ms").strftime("%Y-%m-%dT%H.%M.%S.%f")
    names = ["epoch (ms)", "timestamp (-0000)", "elapsed (s)", "x-axis (g)", "y-axis (g)", "z-axis (g)",
             "x-axis (deg/s)", "y-axis (deg/s)", "z-axis (deg/s)"]
    path = _write(tmp_path / "mw.csv", names, [epoch_ms, iso, t, *acc.T, *gyr.T])
    rec = gaitload.read(path)
    assert list(rec.channels) == list(gaitload.recording.IMU_CHANNELS)
    np.testing.assert_allclose(rec.channels["acc_y"], acc[:, 1] * G0_MPS2, rtol=1e-12)
    np.testing.assert_allclose(rec.channels["gyr_z"], np.deg2rad(gyr[:, 2]), rtol=1e-12)
    assert rec.metadata["units"]["acc"]["decided_by"] == "header"
    assert rec.start_time == pd.Timestamp(1_600_000_000, unit="s", tz="UTC")
    assert rec.metadata["units"]["time"]["column"] == "epoch (ms)"  # the absolute clock is preferred
    own = gaitload.read(path, columns={"elapsed (s)": "time_s"})  # ...unless the user names one
    assert own.metadata["units"]["time"]["column"] == "elapsed (s)" and own.start_time is None


def test_actigraph_long_format_small(tmp_path):
    t, acc, _ = _signal(n=300, rate_hz=100.0)
    epoch = 1_540_490_250 + t
    frame = pd.concat([
        pd.DataFrame({"loc_id": "left_wrist", "date_time": epoch, "x": acc[:, 0], "y": acc[:, 1], "z": acc[:, 2]}),
        pd.DataFrame({"loc_id": "right_foot", "date_time": epoch, "x": -acc[:, 0], "y": acc[:, 1], "z": acc[:, 2]}),
    ])
    path = tmp_path / "long.csv"
    frame.to_csv(path, index=False)
    rec = gaitload.read(path)
    assert rec.sensors == ["left_wrist", "right_foot"]
    assert rec.sensor_placement == {"left_wrist": "wrist", "right_foot": "foot"}
    assert rec.sensor_side == {"left_wrist": "left", "right_foot": "right"}
    assert rec.n_samples == 300
    np.testing.assert_allclose(rec.channels["right_foot.acc_x"], -acc[:, 0] * G0_MPS2, rtol=1e-12)
    one = gaitload.read(path, sensor="right_foot")
    assert list(one.channels) == ["acc_x", "acc_y", "acc_z"] and one.placement == "foot" and one.side == "right"


@pytest.mark.parametrize("pattern", ["{side}_{chan}", "{chan}_{side}", "{side}.{chan}"])
def test_wide_left_right(tmp_path, pattern):
    t, acc, gyr = _signal()
    header, cols = ["time"], [t]
    for side, sign in (("left", 1), ("right", -1)):
        for i, axis in enumerate("xyz"):
            header += [pattern.format(side=side, chan=f"acc_{axis}")]
            cols += [sign * acc[:, i]]
        for i, axis in enumerate("xyz"):
            header += [pattern.format(side=side, chan=f"gyr_{axis}")]
            cols += [sign * gyr[:, i]]
    path = _write(tmp_path / "wide.csv", header, cols)
    rec = gaitload.read(path)
    assert rec.sensors == ["left", "right"]
    np.testing.assert_allclose(rec.channels["right.gyr_y"], -np.deg2rad(gyr[:, 1]), rtol=1e-12)
    left = gaitload.read(path, sensor="left")
    assert left.side == "left" and set(left.channels) == set(gaitload.recording.IMU_CHANNELS)
    with pytest.raises(OptionError):
        gaitload.read(path, sensor="middle")


def test_xsens_counter_wrap(tmp_path):
    _, acc, gyr = _signal(n=400)
    counter = (np.arange(65400, 65400 + 400) % 65536).astype(float)
    counter = np.delete(counter, [200, 201])  # two dropped packets after the wrap
    acc, gyr = np.delete(acc, [200, 201], axis=0), np.delete(gyr, [200, 201], axis=0)
    names = ["PacketCounter", "Acc_X", "Acc_Y", "Acc_Z", "Gyr_X", "Gyr_Y", "Gyr_Z"]
    path = _write(tmp_path / "s1_rf.csv", names, [counter, *(acc.T * G0_MPS2), *np.deg2rad(gyr.T)], delimiter="\t",
                  preamble="Acquisition frequency: 60 Hz\n")
    rec = gaitload.read(path, sampling_rate_hz=100)  # the file's own rate line wins
    assert rec.sampling_rate_hz == pytest.approx(60.0)
    assert rec.duration_s == pytest.approx(399 / 60.0)
    assert rec.time_s[200] - rec.time_s[199] == pytest.approx(3 / 60.0)
    assert any("sampling_rate_hz=100 (CLI: --rate-hz) ignored" in w for w in rec.warnings)
    assert rec.placement == "foot" and rec.side == "right"


def test_rate_hint_without_clock_and_conflict(tmp_path):
    _, acc, _ = _signal()
    path = _write(tmp_path / "noclock.csv", ["ax", "ay", "az"], list(acc.T))
    with pytest.raises(TimestampError):
        gaitload.read(path)
    rec = gaitload.read(path, sampling_rate_hz=128)
    assert rec.sampling_rate_hz == pytest.approx(128.0)
    assert rec.duration_s == pytest.approx(499 / 128)
    t, acc, _ = _signal()
    path = _write(tmp_path / "clock.csv", ["time", "ax", "ay", "az"], [t, *acc.T])
    rec = gaitload.read(path, sampling_rate_hz=50)
    assert rec.sampling_rate_hz == pytest.approx(100.0)
    assert any("sampling_rate_hz=50 (CLI: --rate-hz) ignored" in w for w in rec.warnings)


def test_columns_hint_and_delimiters(tmp_path):
    t, acc, gyr = _signal()
    names = ["Zeit", "BeschlX", "BeschlY", "BeschlZ", "DrehX", "DrehY", "DrehZ"]
    path = _write(tmp_path / "de.csv", names, [t, *acc.T, *gyr.T], delimiter=";")
    mapping = {"Zeit": "time_s", "BeschlX": "acc_x", "BeschlY": "acc_y", "BeschlZ": "acc_z",
               "DrehX": "gyr_x", "DrehY": "gyr_y", "DrehZ": "gyr_z"}
    rec = read_imu_csv(path, columns=mapping)
    np.testing.assert_allclose(rec.channels["gyr_x"], np.deg2rad(gyr[:, 0]), rtol=1e-12)
    assert rec.provenance["gyr_x"] == "measured: DrehX, converted from deg/s"
    assert rec.metadata["units"]["time"]["decided_by"] == "header"
    with pytest.raises(OptionError, match="de.csv"):
        read_imu_csv(path, columns={"Zeit": "banana"})
    with pytest.raises(OptionError, match="Uhrzeit"):
        read_imu_csv(path, columns={"Uhrzeit": "time"})


def test_junk_cells_become_nan_with_warning(tmp_path):
    t, acc, _ = _signal()
    col = acc[:, 0].astype(object)
    col[10] = "ERR"
    path = _write(tmp_path / "junk.csv", ["time", "ax", "ay", "az"], [t, col, acc[:, 1], acc[:, 2]])
    rec = gaitload.read(path)
    assert np.isnan(rec.channels["acc_x"][10])
    assert rec.channels["acc_x"][11] == pytest.approx(acc[11, 0] * G0_MPS2)
    assert any("non-numeric" in w and "'ERR'" in w for w in rec.warnings)


def test_junk_in_the_clock_drops_those_samples(tmp_path):
    t, acc, _ = _signal()
    clock = t.astype(object)
    clock[7] = "??"
    path = _write(tmp_path / "clock.csv", ["time", "ax", "ay", "az"], [clock, *acc.T])
    rec = gaitload.read(path)
    assert rec.n_samples == t.size - 1
    assert rec.sampling_rate_hz == pytest.approx(100.0)
    assert any("dropped 1 sample(s) with no timestamp" in w for w in rec.warnings)


def test_gzip_and_tsv(tmp_path):
    t, acc, gyr = _signal()
    plain = _write(tmp_path / "p.tsv", ["time", "ax", "ay", "az", "gx", "gy", "gz"], [t, *acc.T, *gyr.T], "\t")
    gz = tmp_path / "p.dat"
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    a, b = gaitload.read(plain), gaitload.read(gz)
    for k in a.channels:
        np.testing.assert_array_equal(a.channels[k], b.channels[k])


# -- unit inference as a property ----------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    tilt=st.tuples(st.floats(-np.pi, np.pi), st.floats(-np.pi / 2, np.pi / 2)),
    dynamic_g=st.floats(0.0, 2.0),  # up to a running foot: median |acc| about 2.3 g
    in_g=st.booleans(),
    peak_dps=st.floats(60.0, 1500.0),
    in_dps=st.booleans(),
)
def test_unit_inference_holds_for_any_orientation(tilt, dynamic_g, in_g, peak_dps, in_dps):
    """Gravity in any sensor orientation plus body motion: g vs m/s^2 and deg/s vs rad/s are found."""
    yaw, pitch = tilt
    n = 400
    phase = 2 * np.pi * np.arange(n) / 100
    gravity = np.array([np.cos(pitch) * np.cos(yaw), np.cos(pitch) * np.sin(yaw), np.sin(pitch)])
    acc_g = gravity + dynamic_g * np.column_stack([np.sin(phase), np.cos(phase), np.sin(2 * phase)])
    acc = acc_g if in_g else acc_g * G0_MPS2
    assert infer_acc_unit(acc).unit == ("g" if in_g else "m/s^2")
    gyr_dps = peak_dps * np.column_stack([np.sin(phase), 0.3 * np.cos(phase), 0.1 * np.sin(phase)])
    gyr = gyr_dps if in_dps else np.deg2rad(gyr_dps)
    assert infer_gyr_unit(gyr).unit == ("deg/s" if in_dps else "rad/s")


def _dated_clock(tmp_path, start: str, fmt: str, seconds: float = 20.0):
    """A 100 Hz recording whose time column is datetime text in ``fmt``; its true times."""
    n = int(seconds * 100)
    t = np.arange(n) / 100.0
    true = pd.Timestamp(start, tz="UTC") + pd.to_timedelta(np.arange(n) * 10, unit="ms")
    acc = np.column_stack([np.sin(2 * np.pi * 1.4 * t), np.cos(2 * np.pi * 1.4 * t), 9.81 + 0 * t])
    path = _write(tmp_path / "a.csv", ["timestamp", "ax", "ay", "az"], [true.strftime(fmt), *acc.T])
    return path, true


def test_day_first_dates_read_day_first(tmp_path):
    """13/12/2026 can only be day first: one vectorised format, exact times, no doubt noted."""
    path, true = _dated_clock(tmp_path, "2026-12-13 09:59:55", "%d/%m/%Y %H:%M:%S.%f")
    rec = gaitload.read(path)
    assert rec.start_time == true[0]
    np.testing.assert_allclose(rec.time_s, (true - true[0]).total_seconds().to_numpy(), rtol=0, atol=1e-9)
    assert "ambiguous" not in rec.metadata["units"]["time"]["detail"]
    assert rec.metadata["units"]["time"]["unit"] == "datetime %d/%m/%Y %H:%M:%S.%f"  # not "ISO"


def test_ambiguous_dates_crossing_midnight_pick_the_order_without_a_jump(tmp_path):
    """01/12 -> 02/12 at midnight: month first would jump a month; day first moves a day."""
    path, true = _dated_clock(tmp_path, "2026-12-01 23:59:50", "%d/%m/%Y %H:%M:%S.%f")
    rec = gaitload.read(path)
    assert rec.start_time == true[0]
    np.testing.assert_allclose(rec.time_s, (true - true[0]).total_seconds().to_numpy(), rtol=0, atol=1e-9)
    assert "fits the data worse" in rec.metadata["units"]["time"]["detail"]


def test_ambiguous_dates_of_one_day_read_month_first_and_say_so(tmp_path):
    path, true = _dated_clock(tmp_path, "2026-12-01 10:00:00", "%d/%m/%Y %H:%M:%S.%f")
    rec = gaitload.read(path)
    assert rec.start_time == pd.Timestamp("2026-01-12 10:00:00", tz="UTC")  # pandas' month-first reading
    np.testing.assert_allclose(rec.time_s, (true - true[0]).total_seconds().to_numpy(), rtol=0, atol=1e-9)
    detail = rec.metadata["units"]["time"]["detail"]
    assert "day and month order ambiguous" in detail and "%m/%d/%Y" in detail
    assert rec.metadata["units"]["time"]["unit"] == "datetime %m/%d/%Y %H:%M:%S.%f"


def test_datetime_clock_in_mixed_formats_is_read_cell_by_cell_and_labelled_so(tmp_path):
    """A clock written in two formats (one cell in three spells the month out): no single
    format reads most cells, so each cell is parsed on its own and the unit says so."""
    path, true = _dated_clock(tmp_path, "2026-12-13 09:59:55", "%d/%m/%Y %H:%M:%S.%f")
    text = path.read_text().splitlines()
    other = true.strftime("%d %b %Y %H:%M:%S.%f")
    rows = [text[0]] + [other[i] + line[line.index(","):] if i % 3 == 0 else line
                        for i, line in enumerate(text[1:])]
    path.write_text("\n".join(rows) + "\n")
    rec = gaitload.read(path)
    assert rec.start_time == true[0]
    np.testing.assert_allclose(rec.time_s, (true - true[0]).total_seconds().to_numpy(), rtol=0, atol=1e-9)
    assert rec.metadata["units"]["time"]["unit"] == "datetime (mixed formats)"


@pytest.mark.parametrize("sep, float_format", [(";", None), ("\t", "%.9E")])
def test_decimal_comma_tables_read_like_decimal_point_ones(tmp_path, sep, float_format):
    """European spreadsheets and phyphox's "decimal comma" exports: ``0,25`` numbers in a table
    separated by semicolons or tabs give the same recording as the decimal-point table."""
    t, acc, gyr = _signal(rate_hz=100.0)
    frame = pd.DataFrame({"Time (s)": t, "ax": acc[:, 0], "ay": acc[:, 1], "az": acc[:, 2],
                          "gx": gyr[:, 0], "gy": gyr[:, 1], "gz": gyr[:, 2]})
    point, comma = tmp_path / "point.csv", tmp_path / "comma.csv"
    frame.to_csv(point, index=False, float_format=float_format)
    frame.to_csv(comma, index=False, sep=sep, decimal=",", float_format=float_format)
    assert "," in comma.read_text().splitlines()[1]
    a, b = gaitload.read(point), gaitload.read(comma)
    np.testing.assert_array_equal(a.time_s, b.time_s)
    assert a.channels.keys() == b.channels.keys()
    for name in a.channels:
        np.testing.assert_array_equal(a.channels[name], b.channels[name])
    assert not [w for w in b.warnings if "non-numeric" in w]


def test_semicolon_table_with_decimal_points_is_unchanged(tmp_path):
    t, acc, _ = _signal(rate_hz=100.0)
    path = _write(tmp_path / "a.csv", ["time", "ax", "ay", "az"], [t, *acc.T], delimiter=";")
    rec = gaitload.read(path)
    assert rec.metadata["units"]["acc"]["unit"] == "g"
    np.testing.assert_allclose(rec.channels["acc_x"], acc[:, 0] * G0_MPS2, rtol=1e-12)


def test_missing_rate_errors_name_the_python_argument_and_the_cli_option(shared_data, tmp_path, capsys):
    """A CSV without a clock: the error names sampling_rate_hz= and the CLI's --rate-hz."""
    from gaitload.cli import main
    from gaitload.recording import Recording

    path = shared_data / GAITMAP / "imu_sample.csv"  # a sample counter, no rate written
    with pytest.raises(TimestampError) as info:
        gaitload.read(path)
    assert "pass sampling_rate_hz= (CLI: --rate-hz); the rate is not written in the file" in str(info.value)
    assert main(["analyze", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "(CLI: --rate-hz)" in err
    _, acc, _ = _signal()
    noclock = _write(tmp_path / "noclock.csv", ["ax", "ay", "az"], list(acc.T))
    with pytest.raises(TimestampError, match=r"pass sampling_rate_hz= \(CLI: --rate-hz\) or columns="):
        gaitload.read(noclock)
    with pytest.raises(TimestampError, match=r"pass sampling_rate_hz= \(CLI: --rate-hz\) if the file"):
        Recording(time_s=np.zeros(10), channels={"acc_z": np.zeros(10)}, placement="foot")
