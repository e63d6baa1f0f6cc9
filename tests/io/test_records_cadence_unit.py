"""Records CSV cadence unit: strides/min is doubled, steps/min (walking included) and a ride's
crank rpm are not (QA 7). Ground truth: the values written."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import gaitload


def _write(path, speed, cadence, header="cadence"):
    n = 300
    t = np.arange(n, dtype=float)
    wobble = np.sin(t / 15)
    frame = pd.DataFrame({"time": t, "speed": np.round(speed + 0.05 * wobble, 3),
                          "distance": np.round(np.cumsum(np.full(n, speed)) - speed, 2),
                          header: np.round(cadence + 2 * wobble)})
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("case, speed, cadence, header, factor", [
    ("run strides", 3.2, 86.0, "cadence", 2.0),
    ("run steps", 3.2, 172.0, "cadence", 1.0),
    ("walk steps", 1.4, 115.0, "cadence", 1.0),   # walking in steps/min: was doubled (< 125)
    ("walk strides", 1.4, 57.0, "cadence", 2.0),
    ("fast strides", 5.5, 98.0, "cadence", 2.0),
    ("ride rpm", 8.5, 88.0, "Cadence (rpm)", 1.0),  # a bike's crank rate: never doubled
    ("run rpm", 3.0, 85.0, "Cadence (rpm)", 2.0),   # FIT dump of a run: rpm is strides/min
])
def test_cadence_unit_from_data_and_speed(tmp_path, case, speed, cadence, header, factor):
    path = _write(tmp_path / "r.csv", speed, cadence, header)
    raw = pd.read_csv(path)[header].to_numpy(float)
    rec = gaitload.read(path)
    np.testing.assert_allclose(rec.channels["cadence"], raw * factor)
    if case == "ride rpm":
        assert any("faster than running" in w for w in rec.warnings)


def test_cadence_without_speed_uses_the_walking_safe_threshold(tmp_path):
    n = 200
    for value, factor in ((88.0, 2.0), (115.0, 1.0), (172.0, 1.0)):
        path = tmp_path / f"c{int(value)}.csv"
        pd.DataFrame({"time": np.arange(n, dtype=float), "cadence": np.full(n, value)}).to_csv(path, index=False)
        assert gaitload.read(path).channels["cadence"][0] == value * factor
