"""Lower-back (lumbar) detector against reference events: Xsens MTw walking recordings
(Voisard et al., IPOL; subjects 1-2, 100 Hz) and simulated running with known contacts."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from gaitload.events.lumbar import detect_lumbar_events
from gaitload.events.placement import acc_array, contiguous_segments
from gaitload.simulate import simulate_run

TRIALS = [f"{s}-{k}" for s in (1, 2) for k in range(1, 7) if not (s == 2 and k > 4)]
#: Xsens MTw on the lower back: +Y is the subject's left (X up the spine, Z out of the back)
XSENS_LEFT = np.array([0.0, 1.0, 0.0])


def _xsens_lb(shared_data, trial):
    d = shared_data / "voisard-ipol-walking-footimu" / "GaitData"
    x = pd.read_csv(d / f"{trial}_lb.txt", sep="\t", skiprows=1)
    ref = json.loads((d / f"{trial}.json").read_text())
    # the references count packets and packets were lost: resample on the packet clock
    pc = x["PacketCounter"].to_numpy()
    grid = np.arange(pc[0], pc[-1] + 1)
    acc = np.column_stack([np.interp(grid, pc, x[f"Acc_{a}"]) for a in "XYZ"])
    return grid / 100.0, acc, ref


def _nearest(found, true):
    """Signed error of the detection nearest each reference event, and its index."""
    found = np.asarray(found, dtype=float)
    order = np.argsort(found)
    f = found[order]
    j = np.clip(np.searchsorted(f, true), 1, f.size - 1)
    near = np.where(np.abs(f[j - 1] - true) <= np.abs(f[j] - true), j - 1, j)
    return f[near] - true, order[near]


def test_xsens_walking_heel_strikes_toe_offs_and_sides(shared_data):
    """Walking fallback on real lower-back data: >= 80 % of the reference heel strikes within
    50 ms (measured 82 %), >= 72 % of toe-offs (measured 76 %), small median bias, and the
    side of matched contacts right for >= 95 % (measured 98 %) once the sensor's left axis is
    given; without it the side is unknown, never guessed."""
    e_hs, e_to, side_ok = [], [], []
    for trial in TRIALS:
        t, acc, ref = _xsens_lb(shared_data, trial)
        ev, warnings = detect_lumbar_events(t, acc, 100.0, ml_axis_left=XSENS_LEFT)
        assert (ev["method"].str.startswith("walking")).all()
        left = np.asarray(ref["LeftFootEvents"], dtype=float) / 100.0
        right = np.asarray(ref["RightFootEvents"], dtype=float) / 100.0
        hs = np.concatenate([left[:, 1], right[:, 1]])
        to = np.concatenate([left[:, 0], right[:, 0]])
        side = np.array(["left"] * len(left) + ["right"] * len(right))
        err, idx = _nearest(ev["time_s"].to_numpy(), hs)
        e_hs.append(err)
        ok = np.abs(err) <= 0.05
        side_ok.append(ev["foot"].to_numpy()[idx][ok] == side[ok])
        tos = ev["toe_off_s"].to_numpy()
        e_to.append(_nearest(tos[np.isfinite(tos)], to)[0])
    e_hs, e_to, side_ok = map(np.concatenate, (e_hs, e_to, side_ok))
    assert np.mean(np.abs(e_hs) <= 0.05) >= 0.80
    assert abs(np.median(e_hs)) <= 0.02
    assert np.mean(np.abs(e_to) <= 0.05) >= 0.72
    assert side_ok.mean() >= 0.95
    t, acc, _ = _xsens_lb(shared_data, TRIALS[0])
    ev, warnings = detect_lumbar_events(t, acc, 100.0)
    assert (ev["foot"] == "unknown").all() and any("left/right" in w for w in warnings)


def _sim_scores(fs, course, seed, duration_s=300.0):
    sim = simulate_run(duration_s=duration_s, placement="lumbar", sampling_rate_hz=fs, course=course, seed=seed)
    rec = sim.recording
    acc = acc_array(rec)
    ev = pd.concat([detect_lumbar_events(rec.time_s[a:b], acc[a:b], fs)[0]
                    for a, b in contiguous_segments(rec.time_s, rec.gaps_s)])
    truth = sim.truth["time_s"].to_numpy()
    err, idx = _nearest(ev["time_s"].to_numpy(), truth)
    ok = np.abs(err) <= 0.020
    tp = np.unique(idx[ok]).size
    p, r = tp / len(ev), tp / truth.size
    return 2 * p * r / (p + r), err[ok]


@pytest.mark.parametrize("fs", [100.0, 400.0])
@pytest.mark.parametrize("course,seed", [("flat", 2), ("hilly", 1)])
def test_simulated_running_ic_within_20ms(fs, course, seed):
    """Running with a flight phase: IC F1 >= 0.99 within 20 ms at 100 and 400 Hz (measured
    0.997-0.999), bias within 5 ms."""
    f1, err = _sim_scores(fs, course, seed)
    assert f1 >= 0.99
    assert abs(np.median(err)) <= 0.005


def test_simulated_grounded_uphill_running():
    """A hilly run whose steep climbs have no flight phase (contact longer than the step): the
    impact transient on the previous pulse's falling edge keeps IC F1 >= 0.96 at 100 Hz
    (measured 0.97; 0.98 at 400 Hz)."""
    f1, _ = _sim_scores(100.0, "hilly", 0, duration_s=600.0)
    assert f1 >= 0.96
