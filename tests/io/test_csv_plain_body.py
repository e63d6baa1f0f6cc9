"""The fast path of the CSV body reader gives exactly the frame of the general one.

``csvtext.read_body`` first tries pandas' default options on a table whose head looks plain
(``_plain_body``) and falls back to the general call (``skipinitialspace``, extra missing-value
spellings, ``low_memory=False``) when the result could differ. The reference here is the general
call itself (the fast path switched off): for any body - clean numbers, blanks, junk words, ``-``,
``inf``, ``Infinity``, quoted cells, datetime text, missing cells, ragged rows - the frame read
(or the error raised) must be identical, and the fast path must actually be taken on clean files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gaitload.errors import GaitloadError
from gaitload.io import csvtext

SETTINGS = settings(max_examples=80, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))

NUMBER = st.one_of(
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: f"{v:.6g}"),
    st.floats(-1e3, 1e3, allow_nan=False).map(repr),  # 17 significant digits
    st.integers(-10**6, 10**6).map(str),
)
ODD = st.sampled_from(["", "NA", "nan", "-", "--", "inf", "-inf", "Infinity", " NA", " 1.5", "1.5 ", "abc",
                       '"2.5"', ' "2.5"', "True", "1,5", "+nan", "1e400", "0x10", "  ", "None", "#N/A"])
DATETIME = st.integers(0, 10**6).map(lambda s: (pd.Timestamp("2024-06-01T06:30:00Z")
                                                + pd.Timedelta(seconds=s)).strftime("%Y-%m-%dT%H:%M:%SZ"))


@st.composite
def tables(draw):
    n_cols = draw(st.integers(2, 5))
    n_rows = draw(st.integers(2, 300))
    text_col = draw(st.one_of(st.none(), st.integers(0, n_cols - 1)))
    rows = []
    for _ in range(n_rows):
        row = [draw(DATETIME) if j == text_col else draw(NUMBER) for j in range(n_cols)]
        rows.append(row)
    # a few odd cells anywhere, including far beyond the head (pandas reads in chunks)
    for _ in range(draw(st.integers(0, 3))):
        i, j = draw(st.integers(0, n_rows - 1)), draw(st.integers(0, n_cols - 1))
        rows[i][j] = draw(ODD)
    if draw(st.booleans()):  # a ragged row
        i = draw(st.integers(0, n_rows - 1))
        rows[i] = rows[i][:-1] if draw(st.booleans()) else rows[i] + ["1"]
    header = ",".join(f"c{j}" for j in range(n_cols))
    blank = "\n" if draw(st.booleans()) else ""
    return header + "\n" + "\n".join(",".join(r) for r in rows) + "\n" + blank


def _read(path: Path, fast: bool, monkeypatch):
    _, head = csvtext.read_head(path)
    with monkeypatch.context() as m:
        if not fast:
            m.setattr(csvtext, "_plain_body", lambda p, h, usecols=None: None)
        try:
            return csvtext.read_body(path, head)
        except GaitloadError as exc:
            return f"{type(exc).__name__}: {exc}"


def assert_same_either_way(path: Path, monkeypatch) -> None:
    fast, general = _read(path, True, monkeypatch), _read(path, False, monkeypatch)
    if isinstance(general, str) or isinstance(fast, str):
        assert fast == general
        return
    pd.testing.assert_frame_equal(fast, general, check_exact=True)
    for col in general:  # bit for bit, NaN where NaN
        if general[col].dtype.kind == "f":
            assert np.array_equal(fast[col].to_numpy(), general[col].to_numpy(), equal_nan=True)


@SETTINGS
@given(text=tables())
def test_fast_path_equals_general_path(tmp_path_factory, monkeypatch, text):
    path = tmp_path_factory.mktemp("plain") / "t.csv"
    path.write_text(text)
    try:
        csvtext.read_head(path)
    except GaitloadError:
        return  # the head itself is refused: no body to compare
    assert_same_either_way(path, monkeypatch)


def test_fast_path_is_taken_on_plain_tables(tmp_path, monkeypatch):
    """Clean numeric and datetime tables go through the fast path; odd ones do not."""
    n = 1000
    t = np.arange(n) / 100.0
    plain = tmp_path / "plain.csv"
    pd.DataFrame({"time_s": t, "acc_x": np.sin(t), "acc_y": np.cos(t), "acc_z": 9.81 + 0 * t}).to_csv(
        plain, index=False)
    records = tmp_path / "records.csv"
    stamps = (pd.Timestamp("2024-06-01T06:30:00Z") + pd.to_timedelta(np.arange(n), unit="s"))
    pd.DataFrame({"time": stamps.strftime("%Y-%m-%dT%H:%M:%SZ"), "distance_m": np.arange(n) * 3.3,
                  "heart_rate_bpm": np.full(n, 140)}).to_csv(records, index=False)
    dash = tmp_path / "dash.csv"
    text = plain.read_text().splitlines()
    text[700] = text[700].rsplit(",", 1)[0] + ",-"  # a missing cell spelled '-' far below the head
    dash.write_text("\n".join(text) + "\n")
    spaced = tmp_path / "spaced.csv"  # blanks before numbers: pandas' number parsers skip them
    spaced.write_text("time,acc_x\n" + "".join(f"{i / 100}, {i % 7}\n" for i in range(n)))
    spaced_text = tmp_path / "spaced_text.csv"  # before text they would stay: fall back
    spaced_text.write_text(records.read_text().replace(",2024-", ", 2024-").replace("\n2024-", "\n 2024-"))
    taken = {}
    for path in (plain, records, dash, spaced, spaced_text):
        _, head = csvtext.read_head(path)
        taken[path.name] = csvtext._plain_body(path, head) is not None
    assert taken == {"plain.csv": True, "records.csv": True, "dash.csv": False, "spaced.csv": True,
                     "spaced_text.csv": False}
    for path in (plain, records, spaced):
        assert_same_either_way(path, monkeypatch)
    # and the '-' cell is missing either way, as the general reader has always read it
    _, head = csvtext.read_head(dash)
    assert np.isnan(csvtext.read_body(dash, head)["acc_z"].iloc[699])


@pytest.mark.parametrize("cell", ["inf", "-inf", "Infinity"])
def test_infinities_fall_back(tmp_path, cell):
    """Infinities are missing for the general reader but numbers for pandas' defaults: fall back."""
    path = tmp_path / "inf.csv"
    path.write_text("time,acc_x\n" + "".join(f"{i / 100},{cell if i == 500 else 1.0}\n" for i in range(1000)))
    _, head = csvtext.read_head(path)
    assert csvtext._plain_body(path, head) is None
    frame = csvtext.read_body(path, head)
    assert np.isnan(frame["acc_x"].iloc[500])  # missing, as the general reader has always read it
    assert np.isfinite(frame["acc_x"].drop(index=500)).all()


def test_numbers_only_read_without_na_filter_then_with_it(tmp_path, monkeypatch):
    """A numbers-only table is read first with ``na_filter=False``; a missing cell below the head
    turns its column to text there, and the default call (not the general one) reads it as NaN."""
    calls = []
    real = csvtext._default_read

    def spy(path, head, **options):
        calls.append(options)
        return real(path, head, **options)

    monkeypatch.setattr(csvtext, "_default_read", spy)
    rows = [f"{i / 100},{i % 7}.5" for i in range(1000)]
    clean = tmp_path / "clean.csv"
    clean.write_text("time,acc_x\n" + "\n".join(rows) + "\n")
    rows[700] = "7.0,nan"
    late_nan = tmp_path / "late_nan.csv"
    late_nan.write_text("time,acc_x\n" + "\n".join(rows) + "\n")
    for path, expected in ((clean, [{"na_filter": False}]), (late_nan, [{"na_filter": False}, {}])):
        calls.clear()
        _, head = csvtext.read_head(path)
        assert csvtext._plain_body(path, head) is not None
        assert calls == expected
        assert_same_either_way(path, monkeypatch)
    _, head = csvtext.read_head(late_nan)
    assert np.isnan(csvtext.read_body(late_nan, head)["acc_x"].iloc[700])


def _wide_table(path: Path, n: int = 2000) -> pd.DataFrame:
    """Six IMU channels and a clock beside 12 unused columns, one of them words."""
    rng = np.random.default_rng(4)
    t = np.arange(n) / 100.0
    frame = pd.DataFrame({"time": t, "acc_x": rng.normal(size=n).round(4), "acc_y": rng.normal(size=n).round(4),
                          "acc_z": (9.81 + rng.normal(size=n)).round(4), "gyr_x": rng.normal(size=n).round(4),
                          "gyr_y": rng.normal(size=n).round(4), "gyr_z": rng.normal(size=n).round(4)})
    for k in range(11):
        frame[f"mag_{k}"] = rng.normal(size=n).round(3)
    frame["label"] = np.where(np.arange(n) % 3 == 0, "stride", "stance")
    frame.to_csv(path, index=False)
    return frame


def test_unused_columns_neither_block_the_plain_read_nor_get_converted(tmp_path, monkeypatch):
    import gaitload

    path = tmp_path / "wide.csv"
    frame = _wide_table(path)
    _, head = csvtext.read_head(path)
    used = ["time", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]
    # a column of words the caller does not use leaves the table plain
    assert csvtext._plain_body(path, head) is None
    assert csvtext._plain_body(path, head, used) is not None
    # the general call (files above the plain-read size) converts only the used columns
    monkeypatch.setattr(csvtext, "_PLAIN_MAX_BYTES", 0)
    body = csvtext.read_body(path, head, usecols=used)
    assert list(body.columns) == used
    for name in used:
        np.testing.assert_array_equal(body[name].to_numpy(), frame[name].to_numpy())
    # the reader gives the same recording either way
    rec = gaitload.read(path)
    monkeypatch.setattr(csvtext, "_PLAIN_MAX_BYTES", 64 * 1024**2)
    again = gaitload.read(path)
    np.testing.assert_array_equal(rec.time_s, again.time_s)
    for name in rec.channels:
        np.testing.assert_array_equal(rec.channels[name], again.channels[name])
    np.testing.assert_allclose(rec.channels["acc_z"], frame["acc_z"].to_numpy(), rtol=1e-15)
