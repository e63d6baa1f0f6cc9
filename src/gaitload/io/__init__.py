"""File readers. Each format is one module registering itself with :mod:`.registry`."""

from .registry import ReaderSpec, activities, read, readers, register_reader, sniff

# Importing a format module registers it. Order matters only for equal sniff scores.
from . import csv_imu, csv_records  # noqa: E402,F401  (CSV: raw IMU and watch/footpod records)
from . import fit, tcx, gpx  # noqa: E402,F401  (watch exports)

__all__ = ["ReaderSpec", "activities", "read", "readers", "register_reader", "sniff"]
