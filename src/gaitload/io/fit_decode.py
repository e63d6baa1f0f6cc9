"""Decoding a FIT file's messages, once: records as columns, the other messages gaitload uses
as dicts, and the records' times (:func:`decode_fit`, :func:`record_epochs`).

Decoder choice
--------------
Both maintained Python decoders were measured on this machine (2 shared cores):

=====================================  ==========================  ==========================
file                                    fitdecode 0.10              garmin-fit-sdk 21.x
=====================================  ==========================  ==========================
big_activity.fit (99,998 records)       3.4 s, 99,998 records       2.5 s, 99,998 records
activity-small-fenix2-run (2,809 rec)   0.18 s                      0.10 s
activity-unexpected-eof.fit             14 records + FitEOFError    14 records + IndexError
activity-filecrc.fit (bad file CRC)     14 records + FitCRCError    14 records + "CRC Error"
activity-settings-corruptheader.fit     14 records + FitHeaderError 0 records
=====================================  ==========================  ==========================

gaitload uses **fitdecode**: it streams one frame at a time, so every complete record before a
point of damage is already in hand when the damage is found, and it reports the damage as a
typed exception (``FitEOFError``, ``FitCRCError``, ``FitHeaderError``, ``FitParseError``)
instead of an untyped runtime error; it reads chained FIT files, exposes developer fields with
their names and units, and lets gaitload count records while decoding (resource limit) rather
than after building every message. The SDK is about 1.4x faster on the stress file; decoding
dominates either way (3.4 s per 100,000 records, linear).

fitdecode reads with its CRC check off: it computes the CRC in Python for every byte it reads
(about a quarter of its decode time, 50 ms of the Fenix 2 run's 175 ms). Each FIT file's CRC is
checked with the vectorised :func:`gaitload.io.fit_crc.fit_crc` instead, where fitdecode would
have checked it (header on the header, file at the footer), with fitdecode's own ``FitCRCError``
messages: the same records are kept and the same damage is reported. The file is mapped into
memory once and each field's bytes are taken from it directly (:func:`reader_class`, another
~35 ms). With both, the Fenix 2 run decodes in ~0.12 s instead of ~0.2 s.
"""

from __future__ import annotations

import contextlib
import functools
import mmap
import os
import struct
import warnings as _pywarnings
from pathlib import Path

import numpy as np

from ..errors import CorruptFileError, GaitloadError, ResourceLimitError
from ..notice import Notice
from .device_totals import FIT_DATETIME_MIN, FIT_EPOCH_S, fit_epoch
from .fit_crc import fit_crc
from .memory import MemoryFile, source_path

__all__ = ["decode_fit", "record_epochs", "reader_class", "MAX_RECORDS"]

#: More record messages than this (about 58 days at 1 Hz) is refused as a resource risk.
MAX_RECORDS = 5_000_000


#: Native record fields gaitload keeps.
_NATIVE_FIELDS = (
    "position_lat", "position_long", "distance", "enhanced_speed", "speed", "enhanced_altitude",
    "altitude", "heart_rate", "cadence", "fractional_cadence", "power", "stance_time",
    "stance_time_balance", "vertical_oscillation", "vertical_ratio", "step_length", "temperature",
)


def _check_header(data, path: Path) -> None:
    """Refuse non-FIT content and headers that claim far more data than the file holds."""
    size = len(data)
    head = data[:14]
    if len(head) < 12 or head[0] not in (12, 14) or head[8:12] != b".FIT":
        raise CorruptFileError("not a FIT file (no 12/14-byte header with the '.FIT' signature)", path)
    data_size = struct.unpack_from("<I", head, 4)[0]
    # A download cut short claims more than it holds; a claim over 16x the file (and 16 MiB more)
    # is not a truncation but a forged or garbled header, which would make a decoder wait for
    # data that never comes.
    if data_size > max(16 * size, size + 16 * 1024**2):
        raise CorruptFileError(
            f"FIT header claims {data_size / 1024**2:.0f} MiB of data but the file has {size / 1024**2:.2f} MiB",
            path,
        )


#: fitdecode versions whose ``FitReader._read_bytes`` :func:`reader_class` replaces (the same
#: method in 0.10 and 0.11); any other version reads through fitdecode's own.
_FAST_READ_VERSIONS = ("0.10.", "0.11.")


@functools.lru_cache(maxsize=1)  # one class per process, not one per file decoded
def reader_class():
    """fitdecode's ``FitReader``, or (fitdecode 0.10-0.11) a subclass that takes each field's
    bytes straight from the in-memory file.

    fitdecode reads every field of every message on its own, through ``utils.blocking_read``
    (a retry loop for non-blocking streams, a list and a join per call): a fifth to a quarter
    of its decode time (Fenix 2 run: 2,825 messages, 53,795 reads, ~35 ms). The file is in
    memory or mapped here (either returns all it has at once), so the subclass reads it directly;
    the CRC is not updated either (decoded with ``CrcCheck.DISABLED``, see :func:`_check_file_crc`).
    Same frames, values and errors as fitdecode's own reader (tests/io/test_fit_crc.py).
    """
    import fitdecode
    from fitdecode.exceptions import FitEOFError

    if not str(getattr(fitdecode, "__version__", "")).startswith(_FAST_READ_VERSIONS):
        return fitdecode.FitReader

    class InMemoryFitReader(fitdecode.FitReader):
        def _read_bytes(self, size):
            if size <= 0:
                raise ValueError("size")
            if self.check_crc is not fitdecode.CrcCheck.DISABLED:
                return super()._read_bytes(size)
            chunk = self._fd.read(size)
            got = len(chunk)
            if got != size:
                raise FitEOFError(size, got, self._read_offset)
            self._chunk_size += got
            self._read_offset += got
            self._read_size += got
            return chunk

    return InMemoryFitReader


def _check_header_crc(header, offset: int) -> None:
    """Raise fitdecode's ``FitCRCError`` (its own message) when a FIT header's CRC (header bytes
    0-11) does not match; a CRC of 0 is "not given" (FIT SDK). fitdecode computes this one with
    CRC checking off too (12 bytes) and reports it as ``crc_matched``."""
    import fitdecode

    if header.crc_matched is False:
        raise fitdecode.FitCRCError(f"mismatching CRC in FIT header (header offset: {offset})")


def _check_file_crc(footer, data: bytes, start: int, end: int) -> None:
    """Raise fitdecode's ``FitCRCError`` (its own message) when the CRC in a FIT file's footer
    (``footer``, at byte ``end``) is not that of its header and data, bytes ``start:end``."""
    import fitdecode

    expected = fit_crc(data, start, end)
    if footer.crc != expected:
        raise fitdecode.FitCRCError(f"mismatching CRC in FIT footer (footer offset: {end}; "
                                    f"read crc: {footer.crc}; expected crc: {expected})")


def _raw_time(value) -> float | None:
    """A FIT ``date_time`` as its raw seconds (absolute from 1989-12-31 UTC, or since power-on
    below ``0x10000000``), else None."""
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def decode_fit(source, max_records: int) -> dict:
    """Every message gaitload uses, decoded once (records as columns, the rest as dicts).

    Parameters
    ----------
    source : path-like or MemoryFile
        The FIT file (a gzip member arrives decompressed in memory).
    max_records : int
        More record messages than this raise :class:`~gaitload.errors.ResourceLimitError`.

    Returns
    -------
    dict
        ``times`` (raw FIT seconds per record, NaN when it had none), ``cols`` and ``rows`` (each
        kept field's values and the record numbers they belong to), ``dev_units``, ``n`` (records),
        the ``sessions``, ``laps``, timer ``events`` (POSIX s, type), ``file_ids``, ``creators``,
        ``sensors``, ``sport_msgs``, ``activity_msgs`` and ``file_types`` messages, ``damage``
        (None or what stopped the decode), ``skipped`` (count per unusable message kind) and
        ``decoder_warnings``.

    A message the loop cannot use (an odd value, a developer field with no name) is skipped and
    counted, never the file: decoding stops only where fitdecode itself finds the data damaged,
    and every record before that point is kept.
    """
    path = source_path(source)
    with _file_bytes(source) as data:  # once, for the decoder and the CRC check
        _check_header(data, path)
        return _decode_bytes(data, path, max_records)


@contextlib.contextmanager
def _file_bytes(source):
    """The bytes of ``source``: a :class:`MemoryFile`'s own, else the file mapped into memory
    read-only (pages are read as the decoder reaches them: a large file takes no more memory
    than when fitdecode read it from disk)."""
    if isinstance(source, MemoryFile):
        yield source.data
        return
    with open(source_path(source), "rb") as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            yield b""  # nothing to map: refused as not FIT
            return
        mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            yield mapped
        finally:
            try:
                mapped.close()
            except BufferError:  # a view still held by an exception's traceback: closed when freed
                pass


def _decode_bytes(data, path: Path, max_records: int) -> dict:
    """:func:`decode_fit` of the file's bytes ``data`` (bytes or a read-only mapping)."""
    import fitdecode

    times: list[float] = []  # raw FIT seconds, NaN when the record had none
    cols: dict[str, list] = {}
    rows: dict[str, list] = {}
    out = {"times": times, "cols": cols, "rows": rows, "dev_units": {}, "n": 0, "sessions": [], "laps": [],
           "events": [], "file_ids": [], "creators": [], "sensors": [], "sport_msgs": [], "activity_msgs": [], "file_types": [],
           "damage": None, "skipped": {}, "decoder_warnings": []}
    dev_units = out["dev_units"]
    skipped: dict[str, int] = out["skipped"]
    last_ts: float | None = None

    def put(key: str, value, n: int) -> None:
        col = cols.get(key)
        if col is None:
            cols[key] = col = []
            rows[key] = []
        col.append(value)
        rows[key].append(n)

    dev_def_type = fitdecode.types.DevFieldDefinition

    def record(frame, n: int, last_ts: float | None) -> float | None:
        ts = None
        ts16 = None
        for fd in frame.fields:
            value = fd.value
            if value is None:
                continue
            fname = fd.name
            if fname == "timestamp":
                ts = _raw_time(value)
            elif fname == "timestamp_16":
                ts16 = value
            elif isinstance(fd.field_def, dev_def_type):
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    # a developer field whose description names nothing is still a column
                    key = "dev:" + (fname if isinstance(fname, str) and fname else
                                    f"field {getattr(fd.field_def, 'dev_data_index', '?')}."
                                    f"{getattr(fd.field_def, 'num', '?')}")
                    dev_units.setdefault(key, fd.units if isinstance(fd.units, str) else None)
                    put(key, value, n)
            elif fname in _NATIVE_FIELDS and isinstance(value, (int, float)):
                put(fname, value, n)
        if ts is None and ts16 is not None and last_ts is not None:
            # timestamp_16 holds the low 16 bits of the FIT time (profile, "Compressed
            # timestamps"): roll the last full time forward to match them.
            raw_last = int(last_ts)
            ts = float(raw_last + ((int(ts16) - raw_last) & 0xFFFF))
        return ts

    with _pywarnings.catch_warnings(record=True) as caught:
        _pywarnings.simplefilter("always")
        try:
            # processor=None: raw field values (fitdecode's default processor turns every date_time
            # field into a datetime object and looks up a handler per field of every message:
            # about a quarter of the decode time; the few times needed are converted by fit_epoch).
            # CRC checking off: fitdecode computes it in Python per byte read (another quarter);
            # each FIT file's CRC is checked here instead, where fitdecode would have raised.
            with reader_class()(
                data, processor=None, check_crc=fitdecode.CrcCheck.DISABLED,
                error_handling=fitdecode.ErrorHandling.WARN,
            ) as reader:
                file_start = file_end = 0  # byte range a chained file's CRC covers (header + data)
                for frame in reader:
                    if frame.frame_type != fitdecode.FIT_FRAME_DATA:
                        if frame.frame_type == fitdecode.FIT_FRAME_HEADER:
                            file_end = file_start + frame.header_size + frame.body_size
                            _check_header_crc(frame, file_start)
                        elif frame.frame_type == fitdecode.FIT_FRAME_CRC:
                            _check_file_crc(frame, data, file_start, file_end)
                            file_start = file_end + 2
                        continue
                    name = frame.name
                    try:
                        if name == "record":
                            n = out["n"]
                            if n >= max_records:
                                raise ResourceLimitError(
                                    f"more than {max_records:,} record messages; refusing to decode further", path)
                            try:
                                ts = record(frame, n, last_ts)
                            except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
                                # undo this record's half-written fields (only on failure: no cost
                                # per record otherwise); the record stays, without a time
                                for k in cols:
                                    if rows[k] and rows[k][-1] == n:
                                        cols[k].pop()
                                        rows[k].pop()
                                ts = None
                                key = f"record ({type(exc).__name__})"
                                skipped[key] = skipped.get(key, 0) + 1
                            if ts is not None:
                                last_ts = ts
                            times.append(np.nan if ts is None else ts)
                            out["n"] = n + 1
                            continue
                        if name in ("event", "session", "lap", "file_id", "device_info", "sport", "activity"):
                            vals = {fd.name: fd.value for fd in frame.fields
                                    if fd.value is not None and isinstance(fd.name, str)}
                            ts = _raw_time(vals.get("timestamp"))
                            if ts is not None:
                                last_ts = ts
                            ts = fit_epoch(vals.get("timestamp"))
                            if name == "event":
                                if vals.get("event") == "timer" and ts is not None:
                                    out["events"].append((ts, str(vals.get("event_type"))))
                            elif name == "session":
                                out["sessions"].append(vals)
                            elif name == "lap":
                                out["laps"].append(vals)
                            elif name == "file_id":
                                out["file_ids"].append(vals)
                                out["file_types"].append(str(vals.get("type")))
                            elif name == "device_info":
                                if vals.get("device_index") == "creator" or vals.get("device_index") == 0:
                                    out["creators"].append(vals)
                                else:
                                    out["sensors"].append(vals)
                            elif name == "sport":
                                out["sport_msgs"].append(vals)
                            elif name == "activity":
                                out["activity_msgs"].append(vals)
                        elif frame.has_field("timestamp"):
                            ts = _raw_time(frame.get_value("timestamp", fallback=None))
                            if ts is not None:
                                last_ts = ts
                    except GaitloadError:
                        raise
                    except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
                        key = f"{name} ({type(exc).__name__})"
                        skipped[key] = skipped.get(key, 0) + 1
        except GaitloadError:
            raise
        except fitdecode.FitHeaderError as exc:
            out["damage"] = f"bad FIT header ({exc})"
        except fitdecode.FitCRCError as exc:
            out["damage"] = f"CRC mismatch ({exc})"
        except fitdecode.FitEOFError as exc:
            out["damage"] = f"file ends mid-message ({exc})"
        except fitdecode.FitError as exc:
            out["damage"] = f"undecodable data ({exc})"
        # fitdecode checks some chunk sizes with bare ``assert``s: a garbled size is damage too
        except (ValueError, TypeError, KeyError, IndexError, struct.error, UnicodeError, OverflowError,
                AssertionError, ZeroDivisionError, LookupError) as exc:
            out["damage"] = f"undecodable data ({type(exc).__name__}: {exc})"
    out["decoder_warnings"] = sorted({str(w.message).split("\n")[0][:160] for w in caught})
    # a chained file may repeat a whole activity (a copy appended): the same session twice is one
    seen, unique = set(), []
    for s in out["sessions"]:
        key = tuple(repr(s.get(f)) for f in ("start_time", "sport", "total_elapsed_time", "total_distance"))
        if key not in seen:
            seen.add(key)
            unique.append(s)
    out["sessions"] = unique
    return out


def record_epochs(d: dict, warnings: list[str] | None = None) -> np.ndarray:
    """POSIX seconds of every record of a :func:`decode_fit` result ``d`` (NaN where unknown);
    ``warnings`` gets a line when the clock counts seconds since power-on.

    Absolute FIT times are used when at least two records carry one (a record with a time since
    power-on among them is dropped later, as before). A device that only counts seconds since
    power-on (Forerunner 70, ANT-FS dumps) still gives a clock: the activity message's
    ``local_timestamp`` places it (local time, its UTC offset unknown), else the FIT epoch does
    (no date), with a warning either way.
    """
    raw = np.asarray(d["times"], dtype=np.float64)
    absolute = raw >= FIT_DATETIME_MIN
    if absolute.sum() >= 2 or np.isfinite(raw).sum() < 2:
        return np.where(absolute, raw + FIT_EPOCH_S, np.nan)
    offset = float(FIT_EPOCH_S)
    note = "the device clock counts seconds since power-on, not a date: the start date is unknown"
    for msg in d["activity_msgs"]:
        local, ts = fit_epoch(msg.get("local_timestamp")), _raw_time(msg.get("timestamp"))
        if local is not None and ts is not None and ts < FIT_DATETIME_MIN:
            offset = local - ts
            note = ("the device clock counts seconds since power-on, not a date: times placed by the activity's "
                    "local time (UTC offset unknown)")
            break
    if warnings is not None:
        warnings.append(Notice(note, "clock-inferred"))
    return raw + offset
