"""Placement detection on simulated runs of every placement and on the real recordings."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from gaitload.errors import OptionError
from gaitload.events.placement import detect_placement
from gaitload.recording import Recording

G = 9.80665


@pytest.mark.parametrize("placement", ["foot", "shank", "lumbar", "wrist"])
def test_simulated_placements_are_recognised(placement):
    simulate = pytest.importorskip("gaitload.simulate")
    run = simulate.simulate_run(duration_s=40, placement=placement, sampling_rate_hz=100, course="hilly", seed=2)
    rec = run.recording.with_changes(placement="unknown")
    got, evidence = detect_placement(rec)
    assert got == placement, evidence


def test_hint_overrides_and_is_validated():
    t = np.arange(0, 10, 0.01)
    rec = Recording(time_s=t, channels={"acc_x": np.sin(t), "acc_y": 0 * t, "acc_z": G + 0 * t})
    assert detect_placement(rec, "wrist") == ("wrist", "given")
    with pytest.raises(OptionError):
        detect_placement(rec, "knee")


def test_one_hertz_cadence_is_records():
    t = np.arange(0.0, 300.0)
    rec = Recording(time_s=t, channels={"cadence": np.full(t.size, 170.0)})
    assert detect_placement(rec)[0] == "records"


def _xsens(shared_data, name, part):
    df = pd.read_csv(shared_data / "voisard-ipol-walking-footimu" / "GaitData" / f"{name}_{part}.txt", sep="\t",
                     skiprows=1)
    ch = {c.lower().replace("acc_", "acc_").replace("gyr_", "gyr_"): df[c].to_numpy(float)
          for c in ("Acc_X", "Acc_Y", "Acc_Z", "Gyr_X", "Gyr_Y", "Gyr_Z")}
    return Recording(time_s=np.arange(len(df)) / 100.0, channels=ch)


@pytest.mark.parametrize("name", ["1-1", "1-4", "2-2"])
def test_xsens_lower_back_and_feet(shared_data, name):
    assert detect_placement(_xsens(shared_data, name, "lb"))[0] == "lumbar"
    assert detect_placement(_xsens(shared_data, name, "lf"))[0] == "foot"
    assert detect_placement(_xsens(shared_data, name, "rf"))[0] == "foot"


def test_gaitmap_feet(shared_data):
    df = pd.read_csv(shared_data / "gaitmap-example-data" / "example_data" / "imu_sample.csv", header=[0, 1], index_col=0)
    for sensor in ("left_sensor", "right_sensor"):
        s = df[sensor]
        ch = {c: s[c].to_numpy(float) for c in ("acc_x", "acc_y", "acc_z")}
        ch.update({c: np.deg2rad(s[c].to_numpy(float)) for c in ("gyr_x", "gyr_y", "gyr_z")})
        rec = Recording(time_s=np.arange(len(s)) / 204.8, channels=ch)
        assert detect_placement(rec)[0] == "foot"


@pytest.mark.slow
def test_actigraph_hip_and_ankle(shared_data):
    df = pd.read_csv(shared_data / "adeptdata-outdoor-run" / "data" / "acc_running.csv.gz")
    got = {}
    for loc, g in df.groupby("loc_id"):
        rec = Recording(time_s=g["date_time"].to_numpy(float),
                        channels={c: g[a].to_numpy(float) * G for c, a in zip(("acc_x", "acc_y", "acc_z"), "xyz")})
        got[loc] = detect_placement(rec)[0]
    assert got == {"left_hip": "lumbar", "left_ankle": "shank"}
