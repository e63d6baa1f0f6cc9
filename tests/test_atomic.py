"""Atomic writes and safe output names (issue 10.5, 10.6)."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from gaitload import atomic


def test_write_json_replaces_nan_and_numpy_scalars(tmp_path):
    path = atomic.write_json(tmp_path / "s.json", {"a": np.float64("nan"), "b": np.int64(3), "c": [np.inf, 1.5]})
    assert json.loads(path.read_text()) == {"a": None, "b": 3, "c": [None, 1.5]}


def test_failed_write_leaves_old_file_and_no_temp(tmp_path):
    target = tmp_path / "runs.csv"
    target.write_text("old\n")

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        with atomic.atomic_path(target) as tmp:
            tmp.write_text("half a fi")
            raise Boom
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["runs.csv"]


def test_csv_and_parquet_round_trip(tmp_path):
    frame = pd.DataFrame({"x": [1.0, math.nan, 3.0], "s": ["a", "b", "c"]})
    atomic.write_csv(tmp_path / "f.csv", frame)
    atomic.write_parquet(tmp_path / "f.parquet", frame)
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "f.csv"), frame)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "f.parquet"), frame)


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd", "/abs/path/run", "..", ".", "", "a/../../b", "run\x00name", "C:\\Users\\x\\run.fit",
     "   ", "ü nicode ☃ run", "-rf", "con?*<>|"],
)
def test_safe_name_cannot_escape(tmp_path, name):
    safe = atomic.safe_name(name)
    assert safe and "/" not in safe and "\\" not in safe and ".." not in safe
    assert not safe.startswith((".", "-"))
    resolved = (tmp_path / safe).resolve()
    assert resolved.parent == tmp_path.resolve()
