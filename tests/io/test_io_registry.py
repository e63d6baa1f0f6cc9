"""Content sniffing between the CSV readers, and typed one-line errors for bad CSV files."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import gaitload
from gaitload.errors import (
    CorruptFileError,
    EmptyFileError,
    GaitloadError,
    MissingColumnsError,
    SignalError,
    UnitError,
    UnsupportedFormatError,
)
from gaitload.io import sniff


def _imu_frame(n: int = 300, rate_hz: float = 100.0) -> pd.DataFrame:
    t = np.arange(n) / rate_hz
    return pd.DataFrame({"time": t, "acc_x": 0.2 * np.sin(2 * np.pi * t), "acc_y": 0.1 * np.cos(2 * np.pi * t),
                         "acc_z": 1.0 + 0.3 * np.sin(4 * np.pi * t), "gyr_x": 200 * np.sin(2 * np.pi * t),
                         "gyr_y": 20 * np.cos(2 * np.pi * t), "gyr_z": 5 * np.sin(2 * np.pi * t)})


def _records_frame(n: int = 60) -> pd.DataFrame:
    return pd.DataFrame({"time": np.arange(n, dtype=float), "distance_m": 3.1 * np.arange(n),
                         "speed_mps": np.full(n, 3.1), "cadence_spm": np.full(n, 174.0)})


@pytest.mark.parametrize("name", ["run.csv", "run.txt", "run", "run.fit", "run.gpx"])
def test_sniffing_ignores_misleading_extensions(tmp_path, name):
    imu = tmp_path / ("imu_" + name)
    _imu_frame().to_csv(imu, index=False)
    rec = tmp_path / ("rec_" + name)
    _records_frame().to_csv(rec, index=False)
    assert sniff(imu)[0].name == "imu-csv"
    assert sniff(rec)[0].name == "records-csv"
    assert gaitload.read(imu).placement == "unknown"
    assert gaitload.read(rec).placement == "records"


def test_sample_spacing_decides_between_records_and_imu(tmp_path):
    """Bare x/y/z beside a heart rate: a 100 Hz clock means an IMU, 1 Hz means records."""
    fast = _imu_frame()[["time", "acc_x", "acc_y", "acc_z"]].rename(columns={"acc_x": "x", "acc_y": "y", "acc_z": "z"})
    fast["heart_rate"] = 140
    path = tmp_path / "fast.csv"
    fast.to_csv(path, index=False)
    assert sniff(path)[0].name == "imu-csv"
    slow = _records_frame()
    slow["time"] = np.arange(len(slow)) / 100.0  # a "records" header at 100 Hz is suspicious
    path = tmp_path / "slow.csv"
    slow.to_csv(path, index=False)
    _, score_fast = sniff(path)
    path2 = tmp_path / "ok.csv"
    _records_frame().to_csv(path2, index=False)
    assert sniff(path2)[1] > score_fast


def test_gzip_records_and_xsens_named_csv(tmp_path):
    gz = tmp_path / "records.csv.gz"
    gz.write_bytes(gzip.compress(_records_frame().to_csv(index=False).encode()))
    assert sniff(gz)[0].name == "records-csv"
    xs = tmp_path / "xsens.csv"
    frame = _imu_frame().drop(columns="time").rename(columns=lambda c: c.title().replace("_X", "_X"))
    frame.insert(0, "PacketCounter", np.arange(len(frame)))
    xs.write_text("Acquisition frequency: 50 Hz\n" + frame.to_csv(index=False, sep="\t"))
    spec, score = sniff(xs)
    assert spec.name == "imu-csv" and score >= 0.9
    assert gaitload.read(xs).sampling_rate_hz == pytest.approx(50.0)


def test_shared_files_sniff_by_content(shared_data):
    cases = {
        "gaitmap-example-data/example_data/imu_sample.csv": "imu-csv",
        "voisard-ipol-walking-footimu/GaitData/1-1_lf.txt": "imu-csv",
        "adeptdata-outdoor-run/data/acc_running.csv.gz": "imu-csv",
        "python-fitparse-tests/tests/files/garmin-fenix-5-run-records.csv": "records-csv",
    }
    for rel, expected in cases.items():
        assert sniff(shared_data / rel)[0].name == expected, rel


# -- bad files --------------------------------------------------------------------------------

def _bad(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


BAD = [
    ("empty.csv", b"", EmptyFileError, {}),
    ("blank.csv", b"\n\n   \n", EmptyFileError, {}),
    ("header_only.csv", b"time,acc_x,acc_y,acc_z\n", EmptyFileError, {}),
    ("header_only_records.csv", b"time,speed,cadence\n", EmptyFileError, {}),
    ("one_row.csv", b"time,acc_x,acc_y,acc_z\n0,0,0,9.81\n", SignalError, {}),
    ("all_nan.csv", b"time,acc_x,acc_y,acc_z\n0,,,\n0.01,,,\n0.02,nan,nan,nan\n", SignalError, {}),
    ("binary.csv", bytes(range(256)) * 8, UnsupportedFormatError, {}),
    ("nothing.csv", b"foo,bar\n1,2\n3,4\n", UnsupportedFormatError, {}),
    ("nothing_forced.csv", b"foo,bar\n1,2\n3,4\n", MissingColumnsError, {"format": "imu-csv"}),
    ("odd_units.csv", b"time,ax,ay,az\n" + b"".join(b"%g,0,0,3.3\n" % (i / 100) for i in range(50)), UnitError, {}),
    ("ragged.csv", b"time,ax,ay,az\n" + b"".join(b"%g,0,0,1\n" % (i / 100) for i in range(50))
     + b"0.5,0,0,1,7,7\n", CorruptFileError, {}),
    ("ragged_records.csv", b"time,speed,cadence\n0,3,170\n1,3,170\n2,3,170,9,9\n3,3,170\n", CorruptFileError, {}),
    ("no_clock.csv", b"ax,ay,az\n" + b"0,0,1\n" * 20, GaitloadError, {}),
    ("bad_gzip.csv.gz", b"\x1f\x8b\x08\x00garbage", EmptyFileError, {}),
]


@pytest.mark.parametrize("name, content, error, hints", BAD, ids=[b[0] for b in BAD])
def test_bad_files_raise_typed_one_line_errors(tmp_path, name, content, error, hints):
    path = _bad(tmp_path, name, content)
    with pytest.raises(error) as info:
        gaitload.read(path, **hints)
    message = str(info.value)
    assert name in message
    assert "\n" not in message


def test_latin1_header_is_accepted_and_binary_text_is_not(tmp_path):
    lines = ["Time (s);Temperatur (°C);acc_x;acc_y;acc_z"] + [f"{i / 100:.2f};21,5;0;0;1" for i in range(50)]
    path = _bad(tmp_path, "latin.csv", ("\n".join(lines) + "\n").encode("latin-1"))
    rec = gaitload.read(path)
    assert rec.metadata["encoding"] == "latin-1"
    np.testing.assert_allclose(rec.channels["acc_z"], 9.80665)
    utf8_bom = _bad(tmp_path, "bom.csv", b"\xef\xbb\xbf" + "\n".join(lines).replace(";21,5", "").replace(
        ";Temperatur (°C)", "").encode())
    rec = gaitload.read(utf8_bom)
    assert rec.metadata["encoding"] == "utf-8-sig" and "acc_x" in rec.channels
    utf16 = _bad(tmp_path, "utf16.csv", "\n".join(lines).encode("utf-16"))
    rec = gaitload.read(utf16)
    assert rec.metadata["encoding"] == "utf-16" and rec.n_samples == 50
    junk = _bad(tmp_path, "junk.csv", b"\x81\x8d\x8f\x90\x9d" * 50 + b"\n" + b"\x81,\x8d\n" * 5)
    with pytest.raises(GaitloadError) as info:
        gaitload.read(junk)
    assert "junk.csv" in str(info.value)
