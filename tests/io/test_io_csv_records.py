"""Watch/footpod record CSV reader: Stryd-like, Garmin-like, FIT dumps, simulator format.

Expected values follow from unit definitions (1 ft = 0.3048 m, 1 km/h = 1/3.6 m/s, pace 5:00
min/km = 3.333 m/s, strides x 2 = steps) applied to the numbers the tests write.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import gaitload
from gaitload.errors import OptionError, TimestampError
from gaitload.io.csv_records import read_records_csv


def _run(n: int = 120, seed: int = 3):
    rng = np.random.default_rng(seed)
    speed = np.round(3.0 + 0.3 * np.sin(np.arange(n) / 20) + rng.normal(0, 0.02, n), 3)
    distance = np.concatenate([[0.0], np.cumsum(speed[1:])])  # 1 Hz: trapezoid-consistent enough
    cadence = np.round(172 + 4 * np.sin(np.arange(n) / 15))
    altitude = np.round(100 + 0.05 * distance, 2)
    return speed, np.round(distance, 2), cadence, altitude


def _write(path: Path, columns: dict) -> Path:
    pd.DataFrame(columns).to_csv(path, index=False, lineterminator="\n")
    return path


def test_stryd_like(tmp_path):
    speed, distance, cadence, altitude = _run()
    n = speed.size
    epoch = 1_690_000_000 + np.arange(n)
    path = _write(tmp_path / "stryd.csv", {
        "Timestamp": epoch,
        "Power (w)": np.full(n, 250),
        "Cadence (spm)": cadence,
        "Ground Time (ms)": np.full(n, 240.0),
        "Vertical Oscillation (cm)": np.full(n, 8.5),
        "Leg Spring Stiffness (kN/m)": np.full(n, 11.2),
        "Form Power": np.full(n, 70),
        "Air Power": np.full(n, 3),
        "Stryd Distance (meters)": distance,
        "Watch Distance (meters)": distance * 1.02,
        "Stryd Speed (m/s)": speed,
        "Elevation (m)": altitude,
    })
    rec = gaitload.read(path, altitude_source="barometric")
    assert rec.source_format == "records-csv" and rec.placement == "records"
    assert rec.start_time == pd.Timestamp(1_690_000_000, unit="s", tz="UTC")
    assert rec.sampling_rate_hz == pytest.approx(1.0)
    np.testing.assert_allclose(rec.channels["contact_time"], 0.240)
    np.testing.assert_allclose(rec.channels["vertical_oscillation"], 0.085)
    np.testing.assert_allclose(rec.channels["cadence"], cadence)  # spm: steps already
    np.testing.assert_allclose(rec.channels["distance"], distance)  # the Stryd column, listed first
    np.testing.assert_allclose(rec.channels["speed"], speed)
    np.testing.assert_allclose(rec.channels["leg_spring_stiffness"], 11.2)
    assert set(rec.channels) >= {"power", "form_power", "air_power", "altitude"}
    assert rec.provenance["contact_time"] == "measured: Ground Time (ms), converted from ms"
    assert rec.provenance["power"] == "measured: Power (w)"
    assert rec.metadata["altitude_source"] == "barometric"
    assert rec.metadata["units"]["cadence"]["decided_by"] == "header"
    assert any("Watch Distance (meters)" in w for w in rec.warnings)


def test_garmin_like_elapsed_clock_kmh_ft_strides(tmp_path):
    speed, distance, cadence, altitude = _run()
    n = speed.size
    clock = [f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}" for s in range(n)]
    path = _write(tmp_path / "garmin.csv", {
        "Time": clock,
        "Distance": distance / 1000.0,  # km, unit not written: found from the speed integral
        "Speed": speed * 3.6,  # km/h, unit not written: found from the distance
        "Cadence": cadence / 2,  # strides/min, unit not written: found from the median ~86
        "Elevation (ft)": altitude / 0.3048,
        "HeartRate": np.full(n, 150),
    })
    rec = gaitload.read(path)
    assert rec.start_time is None
    assert rec.duration_s == pytest.approx(n - 1)
    units = rec.metadata["units"]
    assert units["cadence"]["unit"] == "strides/min" and units["cadence"]["decided_by"] == "data"
    np.testing.assert_allclose(rec.channels["cadence"], cadence)
    assert rec.provenance["cadence"].endswith("doubled from strides/min to steps/min")
    # neither unit is written: km and km/h are the one pair whose integral matches
    assert (units["distance"]["unit"], units["speed"]["unit"]) == ("km", "km/h")
    np.testing.assert_allclose(rec.channels["distance"], distance, rtol=1e-12)
    np.testing.assert_allclose(rec.channels["speed"], speed, rtol=1e-12)
    np.testing.assert_allclose(rec.channels["altitude"], altitude, rtol=1e-12)
    np.testing.assert_allclose(rec.channels["heart_rate"], 150)
    assert any("cadence unit inferred as strides/min" in w for w in rec.warnings)


def test_speed_unit_from_distance_and_distance_unit_from_speed(tmp_path):
    speed, distance, cadence, _ = _run()
    n = speed.size
    a = _write(tmp_path / "a.csv", {"time": np.arange(n), "distance_m": distance, "speed": speed * 3.6})
    rec = gaitload.read(a)
    assert rec.metadata["units"]["speed"]["unit"] == "km/h"
    np.testing.assert_allclose(rec.channels["speed"], speed, rtol=1e-12)
    b = _write(tmp_path / "b.csv", {"time": np.arange(n), "distance": distance / 1609.344, "speed_mps": speed})
    rec = gaitload.read(b)
    assert rec.metadata["units"]["distance"]["unit"] == "mi"
    np.testing.assert_allclose(rec.channels["distance"], distance, rtol=1e-9)


def test_simulator_format(tmp_path):
    speed, distance, cadence, altitude = _run()
    n = speed.size
    path = _write(tmp_path / "sim.csv", {
        "time": np.arange(n, dtype=float), "distance_m": distance, "speed_mps": speed, "cadence_spm": cadence,
        "altitude_m": altitude, "heart_rate_bpm": np.full(n, 140), "ground_contact_time_ms": np.full(n, 250),
        "vertical_oscillation_mm": np.full(n, 90),
    })
    rec = gaitload.read(path)
    assert list(rec.channels) == ["distance", "speed", "cadence", "altitude", "heart_rate", "contact_time",
                                  "vertical_oscillation"]
    np.testing.assert_allclose(rec.channels["contact_time"], 0.25)
    np.testing.assert_allclose(rec.channels["vertical_oscillation"], 0.09)
    np.testing.assert_allclose(rec.channels["cadence"], cadence)
    assert all(u["decided_by"] in ("header", "data") for u in rec.metadata["units"].values())
    assert rec.metadata["altitude_source"] == "unknown"


@pytest.mark.parametrize("header, values, expected_mps", [
    ("Pace (min/km)", ["5:00", "4:00", "6:15"], [1000 / 300, 1000 / 240, 1000 / 375]),
    ("pace (min/mi)", [8.0, 10.0, 6.0], [1609.344 / 480, 1609.344 / 600, 1609.344 / 360]),
    ("Pace", [300.0, 240.0, 375.0], [1000 / 300, 1000 / 240, 1000 / 375]),  # s/km from magnitude
])
def test_pace_to_speed(tmp_path, header, values, expected_mps):
    path = _write(tmp_path / "pace.csv", {"time": [0, 1, 2], header: values, "cadence": [170, 172, 174]})
    rec = gaitload.read(path)
    np.testing.assert_allclose(rec.channels["speed"], expected_mps, rtol=1e-12)
    assert rec.provenance["speed"].startswith(f"measured: {header}")


def test_cadence_hint_and_units_in_words(tmp_path):
    n = 30
    path = _write(tmp_path / "c.csv", {"time": np.arange(n), "Cadence (strides/min)": np.full(n, 88.0)})
    assert gaitload.read(path).channels["cadence"][0] == 176.0
    path = _write(tmp_path / "d.csv", {"time": np.arange(n), "cadence": np.full(n, 88.0)})
    assert gaitload.read(path).channels["cadence"][0] == 176.0  # from data
    assert gaitload.read(path, cadence_unit="steps/min").channels["cadence"][0] == 88.0  # hint wins
    path = _write(tmp_path / "e.csv", {"time": np.arange(n), "cadence": np.full(n, 178.0)})
    rec = gaitload.read(path)
    assert rec.channels["cadence"][0] == 178.0 and rec.metadata["units"]["cadence"]["unit"] == "steps/min"
    with pytest.raises(OptionError):
        gaitload.read(path, cadence_unit="hops")
    with pytest.raises(OptionError):
        gaitload.read(path, altitude_source="satellite")


def test_columns_hint(tmp_path):
    n = 20
    path = _write(tmp_path / "x.csv", {"Zeit": np.arange(n), "Tempo": np.full(n, 3.2), "Hoehe": np.arange(n) * 0.5})
    with pytest.raises(Exception):
        gaitload.read(path)  # nothing recognisable
    rec = read_records_csv(path, columns={"Zeit": "time", "Tempo": "speed", "Hoehe": "altitude"})
    np.testing.assert_allclose(rec.channels["speed"], 3.2)
    np.testing.assert_allclose(rec.channels["altitude"], np.arange(n) * 0.5)
    assert rec.provenance["speed"] == "measured: Tempo"
    with pytest.raises(OptionError):
        read_records_csv(path, columns={"Tempo": "warp"})
    with pytest.raises(OptionError):
        read_records_csv(path, columns={"Missing": "speed"})


def test_iso_time_and_junk(tmp_path):
    n = 10
    stamps = pd.date_range("2024-05-01T06:00:00Z", periods=n, freq="1s").strftime("%Y-%m-%dT%H:%M:%SZ")
    hr = np.full(n, 140).astype(object)
    hr[4] = "--x"
    path = _write(tmp_path / "iso.csv", {"timestamp": stamps, "heart_rate": hr, "speed": np.full(n, 3.0)})
    rec = gaitload.read(path)
    assert rec.start_time == pd.Timestamp("2024-05-01T06:00:00Z")
    assert np.isnan(rec.channels["heart_rate"][4])
    assert any("non-numeric" in w for w in rec.warnings)


def test_no_clock_needs_rate(tmp_path):
    path = _write(tmp_path / "n.csv", {"speed": [3.0, 3.1, 3.2, 3.3], "cadence": [170, 171, 172, 173]})
    with pytest.raises(TimestampError) as info:
        gaitload.read(path)
    assert "n.csv" in str(info.value)
    rec = gaitload.read(path, sampling_rate_hz=0.5)
    assert rec.duration_s == pytest.approx(6.0)


def test_fitparse_reference_decode(shared_data):
    """A FIT record dump: `date`-style timestamps with a US zone, semicircles, cadence per stride."""
    path = shared_data / "python-fitparse-tests/tests/files/garmin-fenix-5-run-records.csv"
    raw = pd.read_csv(path)
    rec = gaitload.read(path)
    assert rec.source_format == "records-csv"
    assert rec.start_time == pd.Timestamp("2017-06-11T14:34:09Z")  # 07:34:09 PDT
    assert rec.n_samples == len(raw)
    np.testing.assert_allclose(rec.channels["latitude"], raw.position_lat * 180 / 2**31)
    np.testing.assert_allclose(rec.channels["cadence"], raw.cadence * 2)
    assert 30 < rec.channels["latitude"][0] < 50 and -130 < rec.channels["longitude"][0] < -110  # US west


def test_stryd_altitudes_named_by_header_and_the_barometer_preferred(shared_data, tmp_path):
    """A real Stryd export: ``Watch Elevation`` is the watch's GPS altitude and ``Stryd
    Elevation`` the pod's barometer (data README). With both, the barometer is read; with only
    the watch's, it is GPS (smooth enough to pass terrain's noise test for a barometer, so the
    header decides)."""
    import pandas as pd

    from gaitload.terrain import compute_terrain

    path = shared_data / "stryder-stryd-exports/assets/demo_run_files/stryd/6106968369823744.csv"
    rec = gaitload.read(path)
    assert rec.provenance["altitude"].startswith("measured: Stryd Elevation (m)")
    assert rec.metadata["altitude_source"] == "barometric"
    watch_only = tmp_path / "watch_only.csv"
    pd.read_csv(path).drop(columns=["Stryd Elevation (m)"]).to_csv(watch_only, index=False)
    rec = gaitload.read(watch_only)
    assert rec.provenance["altitude"].startswith("measured: Watch Elevation (m)")
    assert rec.metadata["altitude_source"] == "gps"
    assert compute_terrain(rec, None).provenance["altitude"] == "GPS"
