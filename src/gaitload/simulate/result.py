"""The result of a simulation (:class:`SimulatedRun`) and its CSV files."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..recording import Recording

__all__ = ["SimulatedRun"]


@dataclass
class SimulatedRun:
    """A simulated recording with its ground truth.

    Attributes
    ----------
    recording : Recording
        The sensor data as gaitload would read it.
    truth : DataFrame
        One row per foot contact of both feet (see :func:`simulate_run`).
    course : DataFrame
        True course on a 1 m grid: ``distance_m``, ``altitude_m``, ``grade_pct``.
    sensor_rotation : dict of str to ndarray
        For IMU placements, the fixed 3x3 rotation from the segment (anatomical) frame to each
        sensor's frame (keys ``""`` or ``"left"``/``"right"``). Segment frame: x forward (toes),
        y left, z up (along the sole normal / shank / spine); sagittal rotation is about y.
    pauses_s : ndarray, shape (n, 2)
        Start and end (s) of standing intervals (the lead-in and any stop).
    params : dict
        The arguments the run was made with.
    """

    recording: Recording
    truth: pd.DataFrame
    course: pd.DataFrame
    sensor_rotation: dict = field(default_factory=dict)
    pauses_s: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))
    params: dict = field(default_factory=dict)

    def write_csv(self, path: str | os.PathLike) -> tuple[Path, Path]:
        """Write the recording as a CSV gaitload reads, and ``<stem>.truth.csv`` beside it.

        IMU: ``time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z`` (m/s^2, deg/s; ``time_s`` from 0, or
        POSIX seconds (UTC) when the run was simulated with a ``start_time``, which gaitload reads
        as the start date); two feet: one wide file with ``left_``/``right_`` prefixed columns;
        records: ``time`` (ISO 8601 UTC),
        ``distance_m, speed_mps, cadence_spm, altitude_m, heart_rate_bpm, ground_contact_time_ms,
        vertical_oscillation_mm``. Floats are rounded to about 4-5 significant digits.

        Returns
        -------
        (Path, Path)
            The data file and the truth file.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        rec = self.recording
        if rec.placement == "records":
            ch = rec.channels
            t = rec.start_time + pd.to_timedelta(rec.time_s, unit="s")
            cols = {"time": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "distance_m": np.round(ch["distance"], 2),
                    "speed_mps": np.round(ch["speed"], 3),
                    "cadence_spm": np.round(ch["cadence"], 1)}
            if "altitude" in ch:
                cols["altitude_m"] = np.round(ch["altitude"], 1)
            cols.update({"heart_rate_bpm": np.round(ch["heart_rate"]),
                         "ground_contact_time_ms": np.round(ch["contact_time"] * 1000.0),
                         "vertical_oscillation_mm": np.round(ch["vertical_oscillation"] * 1000.0)})
            frame = pd.DataFrame(cols)
            for c in ("heart_rate_bpm", "ground_contact_time_ms", "vertical_oscillation_mm"):
                frame[c] = frame[c].astype("Int64")
        else:
            decimals = int(np.ceil(np.log10(max(rec.sampling_rate_hz, 1.0)))) + 1
            t0 = rec.start_time.timestamp() if "start_time" in self.params else 0.0
            cols = {"time_s": np.round(t0 + rec.time_s, decimals)}
            for sensor in rec.sensors:
                pre_in = f"{sensor}." if sensor else ""
                pre_out = f"{sensor}_" if sensor else ""
                for axis in ("x", "y", "z"):
                    cols[f"{pre_out}acc_{axis}"] = np.round(rec.channels[f"{pre_in}acc_{axis}"], 3)
                for axis in ("x", "y", "z"):
                    cols[f"{pre_out}gyr_{axis}"] = np.round(np.degrees(rec.channels[f"{pre_in}gyr_{axis}"]), 2)
            frame = pd.DataFrame(cols)
        _write_atomic(frame, path)
        truth_path = path.with_name(path.stem + ".truth.csv")
        _write_atomic(_round_truth(self.truth), truth_path)
        return path, truth_path


def _round_truth(truth: pd.DataFrame) -> pd.DataFrame:
    out = truth.copy()
    digits = {"time_s": 4, "toe_off_s": 4, "contact_time_ms": 1, "step_time_s": 4, "cadence_spm": 2,
              "speed_mps": 3, "distance_m": 2, "altitude_m": 3, "grade_pct": 3, "strike_angle_deg": 2,
              "stride_length_m": 4, "stride_rise_m": 4}
    return out.round({k: v for k, v in digits.items() if k in out})


def _write_atomic(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(path.name + ".part")
    frame.to_csv(tmp, index=False, lineterminator="\n")
    os.replace(tmp, path)
