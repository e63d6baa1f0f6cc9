"""Tables already in memory: a pandas DataFrame read with the CSV readers' own rules."""

from __future__ import annotations

import pandas as pd

from ..errors import OptionError
from ..recording import Recording
from .csvtext import frame_names
from .csv_imu import has_imu_columns, imu_from_frame
from .csv_records import records_from_frame

__all__ = ["read_frame"]


def read_frame(frame: pd.DataFrame, **hints) -> Recording:
    """A DataFrame of samples as a :class:`~gaitload.Recording`, without a file.

    The same decision as for a CSV file, made on the column names: a table naming an
    accelerometer axis is a raw IMU log (:func:`~gaitload.io.csv_imu.imu_from_frame`), any other
    a watch / footpod record table (:func:`~gaitload.io.csv_records.records_from_frame`). A
    ``format`` hint (``imu-csv`` / ``records-csv``) forces the choice.

    Parameters
    ----------
    frame : DataFrame
        One row per sample; the index is not read.
    **hints
        The reader's hints (``sampling_rate_hz``, ``placement``, ``columns``, units...).

    Returns
    -------
    Recording
    """
    if not isinstance(frame, pd.DataFrame) or frame.empty:
        raise OptionError("a DataFrame source must have rows")
    fmt = hints.pop("format", None)
    if fmt not in (None, "imu-csv", "records-csv"):
        raise OptionError(f"format={fmt!r} cannot read a DataFrame; use 'imu-csv' or 'records-csv'")
    imu = fmt == "imu-csv" or (fmt is None and has_imu_columns(frame_names(frame), hints.get("columns")))
    return imu_from_frame(frame, **hints) if imu else records_from_frame(frame, **hints)
