"""Fuzz and property suite for delimited text input (issue 10).

Hypothesis writes CSV files with real alias headers and junk, units in headers, NaN / inf runs,
duplicate and backwards timestamps, huge and tiny values, a single row, columns of junk,
non-UTF-8 bytes, random delimiters and gzip. The contract for every input: ``gaitload.analyze``
either returns an Analysis whose summary is JSON-serialisable, or raises a ``GaitloadError``
whose ``str()`` is one line naming the file. Any other exception is a bug and fails the test.

Runs are deterministic (``derandomize=True``, no example database). The default profile keeps
the file to a few seconds; the ``slow`` tests run the same strategies with many more examples.
"""

from __future__ import annotations

import collections
import gzip
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gaitload
from gaitload.errors import GaitloadError, RuleFileError

FAST = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck), print_blob=True)
SLOW = settings(FAST, max_examples=600)


def check_contract(path: Path, **hints) -> str:
    """Analyse ``path``; return ``"ok"`` or the error class name. Fails on any contract breach.

    A rule-set error names the rule file it is about (the ``rules=`` option), not the data file.
    """
    try:
        analysis = gaitload.analyze(path, **hints)
    except GaitloadError as exc:
        message = str(exc)
        assert "\n" not in message and "\r" not in message, f"multi-line message: {message!r}"
        named = str(hints["rules"]) if isinstance(exc, RuleFileError) and "rules" in hints else path.name
        assert named in message, f"message does not name the file: {message!r}"
        return type(exc).__name__
    except Exception as exc:  # anything else (AssertionError from a decoder included) is a bug
        pytest.fail(f"{path.name}: {type(exc).__name__} escaped gaitload.analyze: {exc!r}")
    summary = json.loads(json.dumps(analysis.summary, default=str))
    assert isinstance(summary, dict) and "n_steps" in summary
    json.loads(analysis.to_json())  # strict JSON (NaN as null) too
    assert len(analysis.steps) == summary["n_steps"], "summary n_steps disagrees with the steps table"
    return "ok"


# -- strategies ---------------------------------------------------------------------------------
TIME_HEADERS = ["time", "timestamp", "time_s", "t", "Time (s)", "time_ms", "Timestamp (ms)", "epoch",
                "seconds_elapsed", "PacketCounter", "datetime", "", "sample"]
IMU_HEADERS = ["acc_x", "acc_y", "acc_z", "AccX", "Acc_Y", "accel_z", "Acceleration x (m/s^2)",
               "a_y (g)", "x", "y", "z", "gyr_x", "gyro_y", "Gyr_Z (deg/s)", "gyroscope_z (rad/s)",
               "left.acc_x", "right_acc_z", "LF.Gyr_X", "Linear Acceleration z (m/s^2)"]
RECORD_HEADERS = ["distance", "Distance (m)", "speed", "Stryd Speed (m/s)", "cadence", "Cadence (spm)",
                  "strides_per_minute", "Elevation (m)", "altitude", "heart_rate", "HeartRate", "power",
                  "Ground Time (ms)", "Vertical Oscillation (cm)", "pace", "lat", "lon"]
JUNK_HEADERS = ["foo", "Unnamed: 0", "☃", "名前", "a,b", '"quoted"', "x" * 300, "#", "NaN", "1e5",
                "acc_x#1", "  spaced  ", "\\N", "time time", "=cmd|' /C calc'!A0"]
DELIMITERS = [",", ";", "\t", "|", " ", ":"]
CELL_SPECIALS = ["", "NaN", "nan", "inf", "-inf", "1e308", "-1e308", "1e-320", "5e-324", "abc", "0x1F",
                 "1,5", "--", "null", "9" * 400, "١٢٣", "\u00a0", "TRUE"]


@st.composite
def table_csv(draw) -> tuple[bytes, str]:
    """A header of real and junk names and a body of numbers and specials."""
    n_cols = draw(st.integers(1, 10))
    pool = st.sampled_from(TIME_HEADERS + IMU_HEADERS + RECORD_HEADERS + JUNK_HEADERS)
    names = draw(st.lists(pool, min_size=n_cols, max_size=n_cols))
    delimiter = draw(st.sampled_from(DELIMITERS))
    n_rows = draw(st.sampled_from([0, 1, 2, 3, 10, 200, 1500]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scale = draw(st.sampled_from([1e-300, 1e-6, 1.0, 9.81, 1000.0, 1e12, 1e300]))
    body = rng.normal(0.0, 1.0, (n_rows, n_cols)) * scale
    if names and n_rows:
        clock = np.arange(n_rows) / draw(st.sampled_from([1.0, 50.0, 100.0, 1000.0]))
        mode = draw(st.sampled_from(["ok", "dupes", "backwards", "constant", "nan_run", "ms", "epoch"]))
        if mode == "dupes":
            clock[1::3] = clock[::3][: clock[1::3].size]
        elif mode == "backwards":
            clock = clock[::-1].copy() if draw(st.booleans()) else np.where(rng.random(n_rows) < 0.3, -clock, clock)
        elif mode == "constant":
            clock[:] = 7.0
        elif mode == "nan_run":
            clock[n_rows // 3: 2 * n_rows // 3] = np.nan
        elif mode == "ms":
            clock = clock * 1000.0
        elif mode == "epoch":
            clock = clock + 1.6e9
        body[:, 0] = clock
    cells = [[repr(float(v)) if math.isfinite(v) else str(v) for v in row] for row in body]
    n_special = draw(st.integers(0, 20)) if n_rows else 0
    for _ in range(n_special):
        cells[draw(st.integers(0, n_rows - 1))][draw(st.integers(0, n_cols - 1))] = draw(st.sampled_from(CELL_SPECIALS))
    if n_rows > 4 and draw(st.booleans()):  # a run of NaN or inf down a whole column
        col = draw(st.integers(0, n_cols - 1))
        lo = draw(st.integers(0, n_rows - 2))
        for r in range(lo, min(n_rows, lo + draw(st.integers(1, n_rows)))):
            cells[r][col] = draw(st.sampled_from(["nan", "inf", ""]))
    if n_rows > 2 and draw(st.booleans()):  # ragged rows
        cells[draw(st.integers(0, n_rows - 1))].append("extra")
    lines = [delimiter.join(names)] + [delimiter.join(row) for row in cells]
    if draw(st.booleans()):
        lines.insert(0, draw(st.sampled_from(["Acquisition frequency: 100 Hz", "# exported", "", "sep=;"])))
    text = "\n".join(lines) + draw(st.sampled_from(["\n", "", "\r\n", "\n\n\n"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 4)) == 0:  # non-UTF-8 bytes spliced in
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=16)) + data[at:]
    ext = draw(st.sampled_from([".csv", ".txt", ".csv.gz", ".tsv", ""]))
    if ext.endswith(".gz"):
        data = gzip.compress(data)
    return data, ext


@st.composite
def signal_csv(draw) -> tuple[bytes, str]:
    """A plausible IMU or records table (so analysis runs to the end) with injected damage."""
    kind = draw(st.sampled_from(["imu", "records"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if kind == "imu":
        rate_hz = draw(st.sampled_from([50.0, 100.0, 200.0]))
        n = int(rate_hz * draw(st.sampled_from([3, 20, 40])))
        t = np.arange(n) / rate_hz
        step_hz = draw(st.floats(1.0, 3.2))
        phase = (t * step_hz) % 1.0
        impact = np.exp(-((phase - 0.1) / 0.03) ** 2) * draw(st.sampled_from([3.0, 8.0, 20.0]))
        unit = draw(st.sampled_from(["g", "m/s^2"]))
        g = 1.0 if unit == "g" else 9.81
        acc = np.stack([impact * 0.3, impact * 0.1, impact + 1.0], axis=1) * g + rng.normal(0, 0.05 * g, (n, 3))
        gyr = np.stack([np.sin(2 * np.pi * step_hz / 2 * t) * 5, rng.normal(0, 0.2, n), rng.normal(0, 0.2, n)], axis=1)
        names = ["time", f"acc_x ({unit})", f"acc_y ({unit})", f"acc_z ({unit})", "gyr_x (rad/s)", "gyr_y (rad/s)", "gyr_z (rad/s)"]
        body = np.column_stack([t, acc, gyr])
    else:
        n = draw(st.sampled_from([5, 120, 900]))
        t = np.arange(n, dtype=float)
        speed = 3.0 + rng.normal(0, 0.2, n)
        names = ["timestamp", "distance", "speed", "cadence", "altitude", "heart_rate"]
        body = np.column_stack([t, np.cumsum(speed), speed, 170 + rng.normal(0, 3, n),
                                100 + np.cumsum(rng.normal(0, 0.3, n)), 150 + rng.normal(0, 5, n)])
    damage = draw(st.lists(st.sampled_from(["none", "nan_block", "inf", "dupes", "swap", "huge", "tiny",
                                            "stuck", "drop_rows"]), min_size=1, max_size=3))
    n = len(body)
    for d in damage:
        lo = draw(st.integers(0, max(n - 2, 0)))
        hi = min(n, lo + draw(st.integers(1, max(n // 2, 1))))
        col = draw(st.integers(0, body.shape[1] - 1))
        if d == "nan_block":
            body[lo:hi, col] = np.nan
        elif d == "inf":
            body[lo:hi, col] = np.inf
        elif d == "dupes":
            body[lo:hi, 0] = body[lo, 0]
        elif d == "swap" and hi - lo > 1:
            body[lo:hi, 0] = body[lo:hi, 0][::-1]
        elif d == "huge":
            body[lo:hi, col] = 1e300
        elif d == "tiny":
            body[lo:hi, col] = 1e-300
        elif d == "stuck":
            body[:, col] = body[0, col]
        elif d == "drop_rows":
            body = np.delete(body, np.s_[lo:hi], axis=0)
            n = len(body)
    text = ",".join(names) + "\n" + "\n".join(",".join(repr(float(v)) for v in row) for row in body) + "\n"
    return text.encode(), ".csv"


def _fuzz(tmp_path: Path, strategy, profile: settings, minimum: int) -> collections.Counter:
    outcomes: collections.Counter = collections.Counter()

    @profile
    @given(case=strategy)
    def run(case):
        data, ext = case
        path = tmp_path / f"fuzz_case{ext}"
        path.write_bytes(data)
        outcomes[check_contract(path)] += 1

    run()
    total = sum(outcomes.values())
    print(f"\n{total} cases: {dict(outcomes)}")
    assert total >= minimum
    return outcomes


def test_fuzz_csv_tables(tmp_path):
    _fuzz(tmp_path, table_csv(), FAST, minimum=50)


def test_fuzz_csv_signals(tmp_path):
    outcomes = _fuzz(tmp_path, signal_csv(), settings(FAST, max_examples=40), minimum=30)
    # the strategy is realistic enough that most damaged signals are still analysed
    assert outcomes["ok"] >= 10, outcomes


HINT_VALUES = {
    "placement": ["foot", "shank", "lumbar", "wrist", "records", "elbow", "", None],
    "sampling_rate_hz": [100.0, 0.0, -1.0, float("inf"), float("nan"), 1e12, 1e-9, None],
    "acc_unit": ["g", "mg", "m/s^2", "furlongs", "", None],
    "gyr_unit": ["deg/s", "rad/s", "rpm", None],
    "time_unit": ["s", "ms", "us", "ns", "fortnight", None],
    "cadence_unit": ["steps/min", "strides/min", "Hz", None],
    "columns": [{"t": "time"}, {"nope": "acc_x"}, {"time": "bogus_channel"}, {"acc_x": "acc_x", "acc_y": "acc_x"}, None],
    "sensor": ["left", "", None],
    "incline_pct": [0.0, 5.0, -30.0, float("nan"), float("inf"), None],
    "rules": ["source", "literature", "no_such_rules", None],
}


@st.composite
def hinted_input(draw):
    data, ext = draw(signal_csv())
    hints = {}
    for key in draw(st.lists(st.sampled_from(sorted(HINT_VALUES)), max_size=3, unique=True)):
        value = draw(st.sampled_from(HINT_VALUES[key]))
        if value is not None:
            hints[key] = value
    return data, ext, hints


def _fuzz_hints(tmp_path: Path, max_examples: int) -> collections.Counter:
    outcomes: collections.Counter = collections.Counter()

    @settings(FAST, max_examples=max_examples)
    @given(case=hinted_input())
    def run(case):
        data, ext, hints = case
        path = tmp_path / f"hinted{ext}"
        path.write_bytes(data)
        outcomes[check_contract(path, **hints)] += 1

    run()
    print(f"\n{sum(outcomes.values())} cases: {dict(outcomes)}")
    return outcomes


def test_fuzz_csv_hints(tmp_path):
    """Valid and invalid reader hints and options: bad values are OptionErrors (or another typed
    error), never a crash."""
    outcomes = _fuzz_hints(tmp_path, 40)
    assert sum(outcomes.values()) >= 30 and outcomes["OptionError"] >= 3 and outcomes["ok"] >= 3, outcomes


@pytest.mark.slow
def test_fuzz_csv_hints_slow(tmp_path):
    outcomes = _fuzz_hints(tmp_path, 400)
    assert sum(outcomes.values()) >= 300, outcomes


@pytest.mark.slow
def test_fuzz_csv_tables_slow(tmp_path):
    _fuzz(tmp_path, table_csv(), SLOW, minimum=500)


@pytest.mark.slow
def test_fuzz_csv_signals_slow(tmp_path):
    _fuzz(tmp_path, signal_csv(), settings(SLOW, max_examples=300), minimum=250)


# -- explicit cases, one per kind -------------------------------------------------------------
def _imu_rows(n: int) -> str:
    t = np.arange(n) / 100.0
    return "\n".join(f"{ti:.2f},0.1,0.2,{1 + 2 * (i % 50 == 0)}" for i, ti in enumerate(t))


EXPLICIT = {
    "one_row.csv": b"time,acc_x,acc_y,acc_z\n0.0,0.1,0.2,1.0\n",
    "header_only.csv": b"time,acc_x,acc_y,acc_z\n",
    "ten_junk_columns.csv": ("a,b,c,d,e,f,g,h,i,j\n" + "\n".join(",".join(["junk"] * 10) for _ in range(50))).encode(),
    "one_column.csv": b"time\n" + b"\n".join(str(i).encode() for i in range(100)),
    "all_nan.csv": ("time,acc_x,acc_y,acc_z\n" + "\n".join(f"{i / 100},nan,nan,nan" for i in range(500))).encode(),
    "all_inf.csv": ("time,acc_x,acc_y,acc_z\n" + "\n".join(f"{i / 100},inf,-inf,inf" for i in range(500))).encode(),
    "constant_time.csv": ("time,acc_x,acc_y,acc_z\n" + "\n".join("5,0.1,0.2,1" for _ in range(500))).encode(),
    "backwards_time.csv": ("time,acc_x,acc_y,acc_z\n" + "\n".join(f"{(500 - i) / 100},0.1,0.2,1" for i in range(500))).encode(),
    "huge_values.csv": ("time,acc_x,acc_y,acc_z\n" + "\n".join(f"{i / 100},1e308,-1e308,1e308" for i in range(500))).encode(),
    "tiny_values.csv": ("time,acc_x,acc_y,acc_z\n" + "\n".join(f"{i / 100},1e-320,5e-324,0" for i in range(500))).encode(),
    "latin1_header.csv": "zeit,beschleunigung_ä,acc_y,acc_z\n".encode("latin-1") + _imu_rows(300).encode(),
    "invalid_utf8_body.csv": b"time,acc_x,acc_y,acc_z\n" + _imu_rows(200).encode() + b"\n\xff\xfe\xc3(,\x80,1,1\n" + _imu_rows(10).encode(),
    "nul_bytes.csv": b"time,acc_x,acc_y,acc_z\n0,\x00\x00,1,1\n" * 50,
    "semicolon_decimal_comma.csv": ("time;acc_x;acc_y;acc_z\n" + "\n".join(f"{i / 100:.2f};0,1;0,2;1,0".replace(".", ",", 1) for i in range(300))).encode(),
    "ragged.csv": b"time,acc_x,acc_y,acc_z\n" + b"\n".join(b"0,1,2,3,4,5,6" if i % 7 == 0 else f"{i/100},1,2,3".encode() for i in range(300)),
    "json.csv": b'{"time": [0, 1], "acc_x": [1, 2]}',
    "html.csv": b"<html><body>Not found</body></html>",
    "bom_only.csv": b"\xef\xbb\xbf",
    "whitespace.csv": b"   \n\n\t\n",
    "giant_line.csv": b"time,acc_x\n" + b"1" * 3_000_000 + b",2\n",
    "formula_injection.csv": b"time,acc_x,acc_y,acc_z\n=1+1,=cmd|' /C calc'!A0,@SUM(1),+1\n" * 20,
}


@pytest.mark.parametrize("name", sorted(EXPLICIT))
def test_explicit_bad_csv(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(EXPLICIT[name])
    check_contract(path)


EXTENSIONS = [".csv", ".txt", ".fit", ".tcx", ".gpx", ".gz", ".csv.gz", ""]
CONTENTS = {
    "zero_bytes": b"",
    "one_newline": b"\n",
    "random_binary": bytes(np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8)),
    "zeros": b"\x00" * 4096,
    "png_magic": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    "gzip_of_nothing": gzip.compress(b""),
    "gzip_of_binary": gzip.compress(bytes(range(256)) * 16),
    "broken_gzip": gzip.compress(b"time,acc_x\n0,1\n" * 100)[:40],
    "fit_magic_only": b"\x0e\x10\x00\x00\x00\x00\x00\x00.FIT\x00\x00",
    "xml_decl_only": b'<?xml version="1.0"?>',
}


@pytest.mark.parametrize("ext", EXTENSIONS)
@pytest.mark.parametrize("content", sorted(CONTENTS))
def test_empty_and_binary_under_every_extension(tmp_path, content, ext):
    path = tmp_path / f"input_{content}{ext}"
    path.write_bytes(CONTENTS[content])
    outcome = check_contract(path)
    assert outcome != "ok", f"{path.name} produced an analysis from junk"
