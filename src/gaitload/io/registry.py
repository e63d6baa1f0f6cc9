"""Reader registry and content sniffing behind :func:`gaitload.read`.

A format is one module that calls :func:`register_reader` with a :class:`ReaderSpec`: a
``sniff(head, path)`` function that returns a confidence in [0, 1] from the first bytes of the
file, and a ``read(path, **hints)`` function that returns a :class:`~gaitload.Recording`.
Adding a format is adding a module and importing it in ``gaitload/io/__init__.py``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import CorruptFileError, EmptyFileError, GaitloadError, OptionError, ResourceLimitError, UnsupportedFormatError
from ..recording import Recording

__all__ = ["ReaderSpec", "register_reader", "readers", "read", "activities", "sniff", "ACTIVITY_COLUMNS",
           "HEAD_BYTES", "MAX_FILE_BYTES", "MAX_DECOMPRESSED_BYTES", "file_head"]

#: Readers that read gzip-compressed files themselves (streaming, with the decompressed-size
#: check of ``memory.check_gzip_size``); any other format is decompressed by :func:`read`
#: into a temporary file first (Strava bulk exports ship ``.fit.gz``, ``.gpx.gz``, ``.tcx.gz``).
GZIP_NATIVE_READERS = ("imu-csv", "records-csv")
#: How much of a file the sniffers see.
HEAD_BYTES = 64 * 1024
#: Files larger than this are refused before parsing: at 100 Hz a six-axis IMU CSV grows
#: about 25 MB per hour, so 2 GiB is about three days of data, and parsing it would need more
#: memory than a typical laptop has. Override with ``max_bytes=`` where needed.
MAX_FILE_BYTES = 2 * 1024**3
#: Decompressed bytes allowed in a gzip-compressed file: the limit of an uncompressed file.
#: Checked by streaming before parsing, so a gzip bomb (megabytes that inflate to gigabytes,
#: e.g. many concatenated gzip members whose trailers each claim little) is refused, not parsed.
MAX_DECOMPRESSED_BYTES = MAX_FILE_BYTES


@dataclass(frozen=True)
class ReaderSpec:
    """One file format gaitload can read.

    Attributes
    ----------
    name : str
        Short format name, also the ``format=`` hint (``"imu-csv"``, ``"fit"``, ...).
    description : str
        One line for ``gaitload formats``.
    extensions : tuple of str
        Usual file endings, lower case with the dot (``(".csv", ".txt")``).
    sniff : callable
        ``sniff(head: bytes, path: pathlib.Path) -> float``, confidence that the file is this format.
    read : callable
        ``read(path: pathlib.Path, **hints) -> Recording``; formats with ``activities`` also
        take ``activity=k``.
    activities : callable, optional
        ``activities(path, **hints) -> list of dict`` for formats that can hold several
        activities (rows of :func:`gaitload.io.activity.activity_row`); None: one per file.
    """

    name: str
    description: str
    extensions: tuple[str, ...]
    sniff: Callable[[bytes, Path], float]
    read: Callable[..., Recording]
    activities: Callable[..., list] | None = None


_READERS: dict[str, ReaderSpec] = {}


def register_reader(spec: ReaderSpec) -> ReaderSpec:
    """Add a format to the registry (a later registration of the same name replaces it)."""
    _READERS[spec.name] = spec
    return spec


def readers() -> list[ReaderSpec]:
    """Every registered format, in registration order."""
    return list(_READERS.values())


def file_head(path: Path) -> bytes:
    """The first :data:`HEAD_BYTES` of ``path`` (of its decompressed data when it is gzip), as the
    sniffers see them.

    Raises
    ------
    EmptyFileError
        gzip data that cannot be decompressed.
    """
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if head[:2] == b"\x1f\x8b":  # gzip: sniff the decompressed start
        import gzip
        import zlib

        try:
            with gzip.open(path, "rb") as fh:
                head = fh.read(HEAD_BYTES)
        except (OSError, EOFError, zlib.error) as exc:
            raise EmptyFileError(f"gzip file cannot be decompressed ({exc})", path) from None
    return head


def sniff(path: str | os.PathLike) -> tuple[ReaderSpec, float]:
    """The most likely reader for ``path`` and its confidence.

    Raises
    ------
    EmptyFileError
        The file has no bytes.
    UnsupportedFormatError
        No reader recognises the content.
    """
    path = Path(path)
    head = file_head(path)
    if not head.strip():
        raise EmptyFileError("the file is empty", path)
    scored = []
    for spec in _READERS.values():
        try:
            score = float(spec.sniff(head, path))
        except Exception:  # a sniffer that chokes on odd bytes simply does not claim the file
            score = 0.0
        scored.append((score, spec))
    scored.sort(key=lambda item: item[0], reverse=True)
    if not scored or scored[0][0] <= 0.0:
        kind = "binary data" if b"\x00" in head[:1024] else "text"
        raise UnsupportedFormatError(
            f"no reader recognises this {kind}; gaitload reads {', '.join(_READERS)} (see `gaitload formats`)",
            path,
        )
    return scored[0][1], scored[0][0]


def read(path: str | os.PathLike, format: str | None = None, max_bytes: int = MAX_FILE_BYTES, **hints) -> Recording:
    """Read any supported sensor log into a :class:`~gaitload.Recording`.

    The format is sniffed from the file's content (the extension only breaks ties).

    Parameters
    ----------
    path : str or path-like
        The file to read. Gzip-compressed files are read transparently by readers that allow it.
    format : str, optional
        Force a reader by name (see ``gaitload formats``) instead of sniffing.
    max_bytes : int
        Refuse files larger than this many bytes before parsing them.
    **hints
        Passed to the reader: ``placement``, ``sampling_rate_hz``, ``acc_unit`` (``"g"`` or
        ``"m/s^2"``), ``gyr_unit`` (``"deg/s"`` or ``"rad/s"``), ``time_unit`` (``"s"``,
        ``"ms"``, ``"us"``, ``"ns"``), ``cadence_unit`` (``"steps/min"`` or ``"strides/min"``),
        ``columns`` (a mapping of the file's column names to canonical channel names),
        ``sensor`` (pick one sensor of a multi-sensor file).

    Returns
    -------
    Recording

    Raises
    ------
    GaitloadError
        A subclass naming the file and the problem.
    """
    path = Path(path)
    if path.name.lower().endswith(".zip") and format is None and path.is_file():
        from ..archive import is_archive, read_archive

        if is_archive(path):  # an export of one activity: read its member
            return read_archive(path, lambda inner: read(inner, max_bytes=max_bytes, **hints))
    spec = _spec_for(path, format, max_bytes)
    if spec.activities is None and hints.get("activity") is not None:
        # a format that holds one activity per file: activity 0 is the file
        if hints["activity"] != 0 or isinstance(hints["activity"], bool):
            raise OptionError(f"activity {hints['activity']!r} does not exist; a {spec.name} file holds one "
                              "activity (0)", path)
    if spec.activities is None:
        hints.pop("activity", None)
    recording = _run(path, spec, max_bytes, hints)
    if recording.path is None:
        recording.path = str(path)
    return recording


def _run(path: Path, spec: ReaderSpec, max_bytes: int, hints: dict, listing: bool = False):
    """``spec.read`` (or ``spec.activities`` when ``listing``) on ``path``, gzip decompressed
    first where the reader does not stream it; errors name ``path``."""
    reader = spec.activities if listing else None
    if spec.name not in GZIP_NATIVE_READERS and _is_gzip(path):
        return _read_gunzipped(path, spec, max_bytes, hints, reader=reader)
    try:
        return (reader or spec.read)(path, **hints)
    except GaitloadError as exc:
        raise exc.with_path(path)
    except MemoryError:
        raise ResourceLimitError("not enough memory to read this file", path) from None


def _spec_for(path: Path, format: str | None, max_bytes: int) -> ReaderSpec:
    """The reader of ``path`` after the checks every file gets (exists, not a folder, not empty,
    not over ``max_bytes``)."""
    if not path.exists():
        raise GaitloadError("no such file", path)
    if path.is_dir():
        raise GaitloadError("is a folder, not a file (use `gaitload season` for folders)", path)
    size = path.stat().st_size
    if size == 0:
        raise EmptyFileError("the file is empty (0 bytes)", path)
    if size > max_bytes:
        raise ResourceLimitError(
            f"file is {size / 1024**2:.0f} MiB, over the {max_bytes / 1024**2:.0f} MiB limit for one recording",
            path,
        )
    if format is not None:
        if format not in _READERS:
            raise OptionError(f"unknown format {format!r}; known formats: {', '.join(_READERS)}", path)
        return _READERS[format]
    return sniff(path)[0]


#: Columns of :func:`activities`, in order.
ACTIVITY_COLUMNS = ("activity", "sport", "on_foot", "start_time", "utc_offset_s", "elapsed_time_s", "timer_time_s",
                    "distance_m")


def activities(path: str | os.PathLike, format: str | None = None, max_bytes: int = MAX_FILE_BYTES,
               **hints) -> "pandas.DataFrame":
    """The activities one file holds, one row each, in file order.

    A FIT file holds one activity per session (a triathlon lists its swim, transitions, ride
    and run), a TCX file one per ``<Activity>``, a GPX file one per group of tracks closer than
    30 min to each other (:data:`gaitload.io.activity.ACTIVITY_GAP_S`); any other format holds
    one. Pass a row's ``activity`` to :func:`gaitload.read` or :func:`gaitload.analyze` as
    ``activity=`` to analyse it.

    Parameters
    ----------
    path : str or path-like
        The file (gzip-compressed files are read transparently).
    format : str, optional
        Force a reader by name instead of sniffing.
    max_bytes : int
        Refuse files larger than this many bytes.
    **hints
        Passed to the reader when the format holds one activity per file (it is read whole).

    Returns
    -------
    pandas.DataFrame
        Columns ``activity`` (int, 0-based), ``sport`` (str: ``"running"``, ``"cycling"``,
        ``"transition"``, ``"unknown"``...), ``on_foot`` (bool, by the rule of
        :func:`gaitload.io.watch.sport_verdict`: an unnamed sport is on foot unless faster
        than any run), ``start_time`` (UTC :class:`pandas.Timestamp` of the activity's first
        record, NaT when unknown), ``utc_offset_s`` (the wearer's UTC offset where the file gives
        it, s east of UTC, NaN where unknown), ``elapsed_time_s`` and ``timer_time_s`` (s) and ``distance_m`` (m), the file's own
        totals where it gives them, NaN where unknown.

    Raises
    ------
    GaitloadError
        As :func:`read`: the file cannot be read, or holds no activity.
    """
    import numpy as np
    import pandas as pd

    path = Path(path)
    spec = _spec_for(path, format, max_bytes)
    if spec.activities is not None:
        rows = _run(path, spec, max_bytes, hints, listing=True)
    else:
        from .activity import activity_row
        from .watch import median_moving_speed_mps

        rec = read(path, format=spec.name, max_bytes=max_bytes, **hints)
        dist = rec.channels.get("distance")
        speed = median_moving_speed_mps(rec.time_s, rec.channels.get("speed"), dist)
        start = None if rec.start_time is None else rec.start_time.timestamp()
        rows = [activity_row(rec.metadata.get("sport"), rec.metadata.get("sub_sport"), start_epoch_s=start,
                             elapsed_time_s=rec.duration_s,
                             distance_m=np.nanmax(dist) - np.nanmin(dist) if dist is not None else None,
                             median_speed_mps=speed)]
    frame = pd.DataFrame({
        "activity": np.arange(len(rows), dtype=np.int64),
        "sport": pd.Series([str(r["sport"]) for r in rows], dtype=object),
        "on_foot": np.array([bool(r["on_foot"]) for r in rows], dtype=bool),
        "start_time": pd.to_datetime(pd.Series([r["start_epoch_s"] for r in rows], dtype=np.float64),
                                     unit="s", utc=True).astype("datetime64[ns, UTC]"),
        "utc_offset_s": np.array([np.nan if r.get("utc_offset_s") is None else r["utc_offset_s"] for r in rows],
                                 dtype=np.float64),
        **{col: np.array([r[col] for r in rows], dtype=np.float64)
           for col in ("elapsed_time_s", "timer_time_s", "distance_m")},
    })
    return frame[list(ACTIVITY_COLUMNS)]


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _read_gunzipped(path: Path, spec: ReaderSpec, max_bytes: int, hints: dict, reader=None):
    """Decompress ``path`` in memory (refusing more than ``max_bytes`` or
    :data:`MAX_DECOMPRESSED_BYTES` decompressed bytes, whichever is smaller, so a gzip bomb
    stops at the limit) and read those bytes with ``reader`` (default ``spec.read``) as a
    :class:`~gaitload.io.memory.MemoryFile`: no temporary file. Errors and the recording name
    ``path``."""
    from .memory import MemoryFile, gunzip_bounded

    source = MemoryFile(gunzip_bounded(path, min(max_bytes, MAX_DECOMPRESSED_BYTES)), path)
    try:
        recording = (reader or spec.read)(source, **hints)
    except GaitloadError as exc:
        raise exc.with_path(path)
    except MemoryError:
        raise ResourceLimitError("not enough memory to read this file", path) from None
    if reader is not None:
        return recording
    recording.path = str(path)
    recording.metadata["compression"] = "gzip"
    return recording
