"""The Xsens MTw walking recordings of ../shared/data/voisard-ipol-walking-footimu, read for the
tests of the foot and lower-back detectors against their reference heel strikes."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

#: Subjects 1 and 2: trials 1-6 and 1-4.
TRIALS = [f"{s}-{k}" for s in (1, 2) for k in range(1, 7) if not (s == 2 and k > 4)]

#: Reference events are indices on the 100 Hz packet clock.
RATE_HZ = 100.0


def read_xsens(shared_data, trial: str, sensor: str):
    """One sensor of one trial: ``(time_s, acc, gyr, reference)``.

    ``sensor`` is ``"lf"``, ``"rf"`` (feet) or ``"lb"`` (lower back); ``reference`` is the trial's
    JSON of reference events (packet indices). The references count packets and packets were
    lost: the signals are resampled on the packet clock by linear interpolation.
    """
    d = shared_data / "voisard-ipol-walking-footimu" / "GaitData"
    x = pd.read_csv(d / f"{trial}_{sensor}.txt", sep="\t", skiprows=1)
    ref = json.loads((d / f"{trial}.json").read_text())
    pc = x["PacketCounter"].to_numpy()
    grid = np.arange(pc[0], pc[-1] + 1)
    acc = np.column_stack([np.interp(grid, pc, x[f"Acc_{a}"]) for a in "XYZ"])
    gyr = np.column_stack([np.interp(grid, pc, x[f"Gyr_{a}"]) for a in "XYZ"])
    return grid / RATE_HZ, acc, gyr, ref
