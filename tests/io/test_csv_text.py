"""The fast CSV writer of ``Analysis.to_dir`` (:func:`gaitload.atomic.csv_text`) writes exactly
the bytes of ``DataFrame.to_csv(index=False, float_format=...)``, and hands anything it does
not reproduce to pandas."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import gaitload
from gaitload import atomic

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
FMT = "%.6g"


def _pandas_text(frame: pd.DataFrame, fmt: str = FMT) -> str:
    return frame.to_csv(index=False, float_format=fmt)


def _awkward_table() -> pd.DataFrame:
    floats = [np.nan, -1.5, 0.0, -0.0, 5e-324, 1e-300, -2.2250738585072014e-308, 1.23456789e-7,
              1e300, -1.7976931348623157e308, np.inf, -np.inf, 255.0, 1e6, 123456789.0, -42.0,
              0.1, 2.5e-5, 999999.5, 0.0000999999]
    n = len(floats)
    return pd.DataFrame({
        "x": floats,
        "all_nan": np.full(n, np.nan),
        "int_as_float": np.arange(n, dtype=float) * 1000 - 3000,
        "i": np.arange(n, dtype=np.int64) - 7,
        "u": np.arange(n, dtype=np.uint8),
        "flag": np.arange(n) % 3 == 0,
        "text": pd.Series(["uphill", None, "flat", np.nan, "", "ü nicode", pd.NA, "a b"] + ["x"] * (n - 8),
                          dtype=object),
        "label": pd.Series(["down", None] * (n // 2), dtype="str"),
    })


def test_awkward_values_match_pandas_text():
    frame = _awkward_table()
    assert atomic.csv_text(frame, FMT) == _pandas_text(frame)
    assert atomic.csv_text(frame, "%.3e") == _pandas_text(frame, "%.3e")


def test_random_magnitudes_match_pandas_text():
    rng = np.random.default_rng(0)
    n = 5000
    scale = 10.0 ** rng.integers(0, 8, n)
    frame = pd.DataFrame({
        "a": rng.choice([-1, 1], n) * 10.0 ** rng.uniform(-40, 40, n),
        "b": np.round(rng.normal(0, 1e4, n) * scale) / scale,  # short decimals: ties at 6 digits
        "c": np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n)),
    })
    assert atomic.csv_text(frame, FMT) == _pandas_text(frame)


def test_empty_table_is_header_only():
    frame = _awkward_table().iloc[:0]
    assert atomic.csv_text(frame, FMT) == _pandas_text(frame)


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"a": [1.0, 2.0], "b": ["x,y", "z"]}),          # a comma: quoted
    pd.DataFrame({"a": [1.0, 2.0], "b": ['say "hi"', "z"]}),     # a quote: quoted and doubled
    pd.DataFrame({"a,b": [1.0, 2.0], "c": [1.0, 2.0]}),          # a header that needs quotes
    pd.DataFrame({"a": [1.0, np.nan]}),                          # one column: an empty row is ""
    pd.DataFrame({"a": [1.0, 2.0], "b": [1.0, 2.0]}, dtype=np.float32),
    pd.DataFrame({"a": [1.0, 2.0], "b": pd.array([1, None], dtype="Int64")}),
    pd.DataFrame({"a": [1.0, 2.0], "b": pd.Categorical(["x", "y"])}),
    pd.DataFrame({"a": [1.0, 2.0], "b": [1, "mixed"]}),
], ids=["comma", "quote", "header", "one-column", "float32", "Int64", "categorical", "mixed-object"])
def test_unsupported_tables_go_to_pandas(frame, tmp_path):
    assert atomic.csv_text(frame, FMT) is None
    path = atomic.write_csv(tmp_path / "t.csv", frame, float_format=FMT)
    assert path.read_bytes() == _pandas_text(frame).encode()


def test_format_other_than_one_float_conversion_goes_to_pandas():
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    assert atomic.csv_text(frame, "%.2f m") is None
    assert atomic.csv_text(frame, "%d") is None


@pytest.mark.parametrize("name", ["hilly_foot_imu.csv", "watch_records.csv"])
def test_to_dir_tables_are_pandas_bytes(name, tmp_path):
    analysis = gaitload.analyze(SAMPLE / name)
    written = analysis.to_dir(tmp_path, figure=False)
    for key, frame in (("steps", analysis.steps), ("segments", analysis.segments)):
        assert atomic.csv_text(frame, FMT) is not None  # the fast path, not the fallback
        frame.to_csv(tmp_path / "ref.csv", index=False, float_format=FMT)
        assert written[key].read_bytes() == (tmp_path / "ref.csv").read_bytes()
