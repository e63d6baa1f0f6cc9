"""Raw IMU logs in delimited text: generic ``time, ax..gz`` tables and the usual device exports.

Recognised layouts (by content, never by extension):

* generic wide tables: ``time, acc_x, acc_y, acc_z, gyr_x, gyr_y, gyr_z`` and spellings such as
  ``AccX``, ``accel_x``, ``ax``, ``Acceleration x (m/s^2)`` (phyphox), ``x-axis (g)`` /
  ``x-axis (deg/s)`` (MetaWear/MetaMotion), bare ``x, y, z`` (ActiGraph, phone sensor loggers);
  gyroscope optional;
* several sensors side by side: ``left_acc_x`` / ``acc_x_right`` / ``LF.Gyr_X``, and gaitmap's
  two-row header (``left_sensor`` over ``acc_x``);
* several sensors stacked in long format with a location column (ActiGraph ``loc_id``): each
  location becomes a sensor prefix and all are put on one time base;
* Xsens MT Manager text exports: an ``Acquisition frequency: 100 Hz`` line, then ``PacketCounter``
  and ``Acc_X..``; time = PacketCounter / rate, with the 16-bit counter's wrap undone, so
  dropped packets stay visible as gaps.

Cells are separated by commas, semicolons, tabs or ``|``; a semicolon-, tab- or bar-separated
table may write its numbers with a decimal comma (``0,25``: European spreadsheets, phyphox's
"decimal comma" exports).

Time comes from a clock column (s/ms/us/ns, an epoch, or datetime text: ISO 8601 or one layout
such as ``dd/mm/yyyy hh:mm:ss.fff`` throughout, see :mod:`gaitload.io.units`), else from a sample
counter or the row number and a sampling rate (the file's own rate line or the
``sampling_rate_hz`` hint). gaitmap's example files carry only a sample index and their rate
(204.8 Hz or 102.4 Hz, depending on the file) is written nowhere in them, so no default is
assumed: without ``sampling_rate_hz`` the reader raises :class:`TimestampError`.

Units are detected as described in :mod:`gaitload.io.units` and reported in
``Recording.metadata["units"]``; channels are returned in m/s^2 and rad/s.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..notice import Notice
from ..errors import GaitloadError, MissingColumnsError, OptionError, SignalError, TimestampError
from ..recording import PLACEMENTS, Recording
from . import columns as colmod
from .csvtext import frame_names, head_rate_hz, names_the_file, numeric_frame, parse_head, read_body, read_head
from .registry import ReaderSpec, register_reader
from .units import ACC_SCALE, GYR_SCALE, choose_clock, clock_notice, infer_acc_unit, infer_gyr_unit, normalise_unit

__all__ = ["read_imu_csv", "imu_from_frame", "sniff_imu_csv", "IMU_RATE_RANGE_HZ"]

#: Sampling rates an IMU log can plausibly have; decides whether a bare time column is in s, ms...
IMU_RATE_RANGE_HZ = (10.0, 5000.0)

_RATE_LINE = re.compile(r"(acquisition|sampling|sample|update|output)[ _]*(frequency|rate)\s*[:=]?\s*([\d.]+)\s*hz",
                        re.I)
_KNOWN_HINTS = {"placement", "sampling_rate_hz", "sensor", "columns", "acc_unit", "gyr_unit", "time_unit"}


class _Layout:
    """Which file column plays which role."""

    def __init__(self) -> None:
        self.imu: dict[str, tuple[str, str, str | None]] = {}  # file col -> (sensor, channel, unit text)
        self.times: list[tuple[str, str | None]] = []  # (file col, unit text)
        self.counters: list[str] = []
        self.group: str | None = None
        self.forced_times: set[str] = set()  # clock columns the columns= hint named


def _layout(names: list[str], frame_dtypes: dict | None, hint_columns: dict | None) -> _Layout:
    lay = _Layout()
    hint_columns = dict(hint_columns or {})
    for i, name in enumerate(names):
        if name in hint_columns:
            target = str(hint_columns[name])
            sensor, _, chan = target.rpartition(".")
            if chan in ("time", "time_s", "time_ms", "time_us", "time_ns"):
                unit = {"time": None, "time_s": "s", "time_ms": "ms", "time_us": "us", "time_ns": "ns"}[chan]
                lay.times.insert(0, (name, unit))
                lay.forced_times.add(name)
            elif chan == "counter":
                lay.counters.insert(0, name)
            elif chan in ("acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"):
                lay.imu[name] = (sensor, chan, colmod.split_header(name)[1])
            elif chan == "sensor":
                lay.group = name
            else:
                raise OptionError(
                    f"columns hint maps {name!r} to {target!r}; IMU targets are time, time_s, time_ms, time_us, "
                    "time_ns, counter, sensor, acc_x..gyr_z (optionally prefixed 'left.')"
                )
            continue
        resolved = colmod.imu_channel(name)
        if resolved is not None:
            lay.imu[name] = resolved
            continue
        base, unit = colmod.split_header(name)
        if base in colmod.TIME_NAMES or base.endswith("_time") or base.startswith("time_") or base.startswith("epoch"):
            lay.times.append((name, unit))
        elif base in colmod.COUNTER_NAMES or (i == 0 and base == ""):
            lay.counters.append(name)
        elif base in colmod.SENSOR_GROUP_NAMES and lay.group is None:
            if frame_dtypes is None or not pd.api.types.is_numeric_dtype(frame_dtypes.get(name)):
                lay.group = name
    # a duplicate channel (two "acc_x" for one sensor) keeps the first
    seen = set()
    for name in list(lay.imu):
        key = lay.imu[name][:2]
        if key in seen:
            del lay.imu[name]
        seen.add(key)
    return lay


def _needed_columns(names: list[str], named: _Layout) -> list[str]:
    """The file columns a layout may use, in file order: IMU channels, clocks, counters and
    every column whose name makes it a sensor-location candidate."""
    needed = set(named.imu) | {name for name, _ in named.times} | set(named.counters)
    needed |= {name for name in names if colmod.split_header(name)[0] in colmod.SENSOR_GROUP_NAMES}
    return [name for name in names if name in needed]


def sniff_imu_csv(head: bytes, path: Path) -> float:
    """Confidence that ``head`` starts a raw IMU table (0 to 1)."""
    csv = parse_head(head, path, allow_no_data=True)
    if any(_RATE_LINE.search(line) for line in csv.preamble) and any(
        "acc" in n.lower() for n in csv.names
    ):
        return 0.95
    lay = _layout(csv.names, None, None)
    chans = [c for _, c, _ in lay.imu.values()]
    n_acc = sum(c.startswith("acc") for c in chans)
    n_gyr = sum(c.startswith("gyr") for c in chans)
    if n_acc == 0:
        return 0.0
    # named channels ("acc_x", "x-axis (g)") are stronger evidence than bare "x, y, z"
    explicit = any(colmod.split_header(n.rpartition(".")[2])[0] not in colmod.BARE_AXIS or normalise_unit(u) is not None
                   for n, (_, _, u) in lay.imu.items())
    score = 0.9 if explicit and (n_acc >= 2 or n_gyr) else 0.6
    rate = head_rate_hz(csv, lay.times[0][0]) if lay.times else None
    if rate is not None and rate < 5.0:
        score -= 0.4  # one sample a second is a watch record, not an IMU stream
    return score


def _unwrap_counter(counter: np.ndarray) -> np.ndarray:
    """Undo the wrap of a 16- or 32-bit packet counter (Xsens PacketCounter is uint16)."""
    finite = np.isfinite(counter)
    if not finite.any():
        return counter
    modulus = 65536.0 if np.nanmax(counter) < 65536 else 2.0**32
    step = np.diff(counter, prepend=counter[finite][0])
    wraps = np.cumsum(np.where(np.isfinite(step), step < -modulus / 2, False))
    return counter + modulus * wraps


def _is_counter(values: np.ndarray) -> bool:
    finite = values[np.isfinite(values)]
    if finite.size < 2 or not np.all(finite == np.round(finite)):
        return False
    d = np.diff(finite)
    return bool(np.median(d) == 1.0)


def _time_base(path, frame: pd.DataFrame, lay: _Layout, file_rate: float | None, rate_hint: float | None,
               time_unit: str | None, warnings: list[str]):
    """Seconds per row, start time, unit decision."""
    rate = file_rate or rate_hint
    if file_rate and rate_hint and abs(file_rate - rate_hint) > 1e-3 * file_rate:
        warnings.append(Notice(f"sampling_rate_hz={rate_hint:g} (CLI: --rate-hz) ignored: the file states {file_rate:g} Hz",
                               "hint-ignored"))
    # a first unnamed column may be a time column (gaitmap stair files) or a sample index
    counters = []
    times = list(lay.times)
    for name in lay.counters:
        values = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=np.float64)
        if _is_counter(values) or not np.isfinite(values).any():
            counters.append((name, values))
        elif colmod.split_header(name)[0] in ("", "sensor_axis", "index", "sample"):
            times.append((name, None))
    clock = choose_clock(frame, times, IMU_RATE_RANGE_HZ, warnings, time_unit, forced=lay.forced_times)
    if clock is not None:
        name, tb = clock
        est = _rate_of(tb.time_s) if rate_hint else float("nan")  # only compared with a hint
        if rate_hint and np.isfinite(est) and abs(est - rate_hint) > 0.02 * rate_hint:
            warnings.append(Notice(f"sampling_rate_hz={rate_hint:g} (CLI: --rate-hz) ignored: time column {name!r} gives {est:.4g} Hz",
                                   "hint-ignored"))
        if tb.decision.decided_by == "data":
            warnings.append(clock_notice(tb.decision))
        return tb.time_s, tb.start_time, {**tb.decision.as_dict(), "column": name}
    if counters:
        name, values = counters[0]
        if not rate:
            raise TimestampError(
                f"no time column, only the sample counter {name or '(unnamed first column)'!r}; "
                "pass sampling_rate_hz= (CLI: --rate-hz); the rate is not written in the file"
            )
        if not np.isfinite(values).any():
            raise TimestampError(f"the sample counter {name or '(unnamed first column)'!r} holds no numbers")
        unwrapped = _unwrap_counter(values)
        n_wraps = int(np.nanmax(np.round((unwrapped - values) / 65536.0))) if np.isfinite(values).any() else 0
        values = unwrapped
        first = values[np.isfinite(values)][0]
        how = "format" if file_rate else "hint"
        return (values - first) / rate, None, {
            "unit": f"sample counter / {rate:g} Hz", "decided_by": how,
            "detail": f"column {name!r}" + (f" ({n_wraps} counter wrap(s) undone)" if n_wraps else ""),
            "column": name,
        }
    if rate:
        n = len(frame)
        return np.arange(n, dtype=np.float64) / rate, None, {
            "unit": f"row number / {rate:g} Hz", "decided_by": "format" if file_rate else "hint", "detail": ""}
    raise TimestampError("no time column and no sampling rate; pass sampling_rate_hz= (CLI: --rate-hz) or columns={'<name>': 'time'} (Python only)")


def _rate_of(time_s: np.ndarray) -> float:
    dt = np.diff(time_s[np.isfinite(time_s)])
    dt = dt[dt > 0]
    return float(1.0 / np.median(dt)) if dt.size else float("nan")


def _align_groups(path, frame: pd.DataFrame, group: str, time_s: np.ndarray, lay: _Layout, warnings: list[str]):
    """Long format -> one row per time on a common base; returns (time_s, {(sensor, chan): (values, col)})."""
    labels = frame[group].astype(str).to_numpy()
    names = list(dict.fromkeys(labels))  # order of appearance
    if len(names) > 32:
        raise MissingColumnsError(f"column {group!r} has {len(names)} different sensors; expected a few locations")
    per = {}
    for label in names:
        idx = np.flatnonzero(labels == label)
        order = idx[np.argsort(time_s[idx], kind="stable")]
        per[label] = order
    ref = max(names, key=lambda lab: per[lab].size)
    t_ref = time_s[per[ref]]
    same = all(per[lab].size == t_ref.size and np.allclose(time_s[per[lab]], t_ref, atol=1e-6) for lab in names)
    if not same:
        lo = max(np.nanmin(time_s[per[lab]]) for lab in names)
        hi = min(np.nanmax(time_s[per[lab]]) for lab in names)
        keep = (t_ref >= lo) & (t_ref <= hi)
        if keep.sum() < 2:
            raise TimestampError(f"the sensors in column {group!r} never record at the same time")
        t_ref = t_ref[keep]
        per[ref] = per[ref][keep]
        warnings.append(
            Notice(f"sensors in column {group!r} sampled at different times; put on the clock of {ref!r} "
            "by linear interpolation", "sensors-aligned")
        )
    chans = {}
    for label in names:
        sensor = colmod.sensor_name(label)
        rows = per[label]
        for col, (_, chan, unit) in lay.imu.items():
            values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=np.float64)[rows]
            if not same and label != ref:
                values = np.interp(t_ref, time_s[rows], values)
            chans[(sensor, chan)] = (values, col, unit)
    return t_ref, chans


# Full-scale ranges of MEMS accelerometers (g) and gyroscopes (deg/s) sold in body-worn IMUs.
_ACC_RANGES_G = (2.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0, 64.0, 100.0, 200.0, 400.0)
_GYR_RANGES_DPS = (125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0)


def _saturation_warnings(name: str, values_si: np.ndarray, warnings: list[str],
                         lo: float, hi: float) -> None:
    """Warn when a channel sits at a standard full-scale range: the sensor clipped those samples.

    The peak must lie within 1 % of a standard range (+/-2..400 g, +/-125..4000 deg/s) and at
    least 3 samples must reach 99.9 % of it; an unclipped signal rarely meets both. ``lo`` and
    ``hi`` are ``values_si.min()`` and ``.max()`` (NaN when a sample is NaN), which the caller
    needs as well.
    """
    is_acc = name.split(".")[-1].startswith("acc")
    scale = ACC_SCALE["g"] if is_acc else GYR_SCALE["deg/s"]
    ranges = _ACC_RANGES_G if is_acc else _GYR_RANGES_DPS
    if np.isfinite(lo) and np.isfinite(hi):
        # every sample finite (the usual case; a NaN or infinity would be an extreme): the
        # peak |x| from the extremes, no |x| copy or masks (abs is exact, so the same number)
        if values_si.size < 100:
            return
        peak = max(float(hi), -float(lo), 0.0) / scale
        near = [r for r in ranges if abs(peak - r) <= 0.01 * r]
        if not near:
            return
    magnitude = np.abs(values_si)
    finite = np.isfinite(magnitude)
    if np.count_nonzero(finite) < 100:
        return
    # max(x / s) == max(x) / s (division is monotonic): scale the peak, not every sample
    peak = float(np.max(magnitude, where=finite, initial=0.0)) / scale
    near = [r for r in ranges if abs(peak - r) <= 0.01 * r]
    if not near:
        return
    n_at = int(np.count_nonzero(magnitude[finite] / scale >= 0.999 * peak))
    if n_at >= 3:
        unit = "g" if is_acc else "deg/s"
        warnings.append(Notice(f"channel {name!r}: {n_at} sample(s) at +/-{near[0]:g} {unit}, the sensor's range (clipped)",
                               "clipped"))


#: Largest ratio of parsed bytes a Recording may pin to the channel bytes it keeps when its
#: channels are the parsed columns themselves (see :func:`_reusable`): a six-axis table with its
#: clock column is 7/6; a table of many unused columns is copied out instead.
_MAX_PINNED_RATIO = 1.25


def _root(values: np.ndarray) -> np.ndarray:
    """The array that owns the memory ``values`` views (``values`` itself when it owns it)."""
    while isinstance(values.base, np.ndarray):
        values = values.base
    return values


def _reusable(channels: list[np.ndarray]) -> bool:
    """True when the Recording may keep the parsed columns ``channels`` instead of copies.

    Each copy of a channel is a pass and a fresh array (per hour of 100 Hz samples ~0.1 ms, and
    ~1.3 ms when the allocator has to map new pages for it). Keeping the parsed arrays pins the
    memory they view for as long as the Recording lives, so only when that memory is owned by
    numpy (no foreign buffer behind it), can be made writeable (a Recording's channels always
    were), and is at most :data:`_MAX_PINNED_RATIO` times the channels' own bytes.
    """
    roots = {id(r): r for r in map(_root, channels)}
    if not roots or any(r.base is not None or not r.flags.writeable for r in roots.values()):
        return False
    pinned = sum(r.nbytes for r in roots.values())
    return pinned <= _MAX_PINNED_RATIO * sum(v.nbytes for v in channels)


def _to_si(values: np.ndarray, factor: float, in_place: bool) -> np.ndarray:
    """``values * factor`` (a channel in m/s^2 or rad/s), in ``values``' own memory when ``in_place``.

    ``in_place`` only for parsed columns nothing else reads (see :func:`_reusable`); pandas hands
    them out read-only, their owner is writeable. Else a copy, even for factor 1, so the parsed
    table is freed after reading.
    """
    if not in_place:
        return values * factor
    values.flags.writeable = True
    # x * 1.0 == x: no pass needed; the product in place has the same bits as the copy's
    return values if factor == 1.0 else np.multiply(values, factor, out=values)


@names_the_file
def read_imu_csv(
    path: str | Path,
    *,
    placement: str | None = None,
    sampling_rate_hz: float | None = None,
    sensor: str | None = None,
    columns: dict[str, str] | None = None,
    acc_unit: str | None = None,
    gyr_unit: str | None = None,
    time_unit: str | None = None,
    **other_hints,
) -> Recording:
    """Read a raw IMU table (CSV, TSV, gzip) into a :class:`~gaitload.Recording`.

    Parameters
    ----------
    path : str or path-like
        The file.
    placement : str, optional
        ``foot``, ``shank``, ``lumbar``, ``wrist``; else from sensor names (``left_ankle`` ->
        ``shank``, ``*_lf`` Xsens file names -> ``foot``) or ``unknown``.
    sampling_rate_hz : float, optional
        Rate in Hz for files without a clock column (gaitmap: 204.8 or 102.4). A time column,
        or a rate line in the file, wins; a disagreement is reported as a warning.
    sensor : str, optional
        Keep only this sensor of a multi-sensor file (``"left"``); channels lose the prefix.
    columns : dict, optional
        File column name -> ``time`` / ``time_s`` / ``time_ms`` / ``time_us`` / ``time_ns`` /
        ``counter`` / ``sensor`` (the location column of a long file) / ``acc_x``..``gyr_z``,
        optionally with a sensor prefix (``"left.acc_x"``). Overrides the alias tables.
    acc_unit : {"g", "mg", "m/s^2"}, optional
    gyr_unit : {"deg/s", "rad/s"}, optional
    time_unit : {"s", "ms", "us", "ns"}, optional
        Force a unit instead of reading it from the header or inferring it from the data.

    Returns
    -------
    Recording
        Channels ``acc_x..acc_z`` in m/s^2 and ``gyr_x..gyr_z`` in rad/s (prefixed per sensor when
        there are several); ``metadata["units"]`` holds each unit decision.

    Raises
    ------
    EmptyFileError, MissingColumnsError, UnitError, TimestampError, CorruptFileError, OptionError
    """
    path = Path(path)
    _check_options(placement, sampling_rate_hz, path)
    _, head = read_head(path)
    file_rate = None
    fmt = "generic"
    for line in head.preamble:
        match = _RATE_LINE.search(line)
        if match:
            file_rate = float(match.group(3))
            fmt = "xsens" if "acquisition" in line.lower() else "generic"
    if len(head.header_rows) == 2:
        fmt = "gaitmap"
    named = _checked_layout(head.names, columns, path)
    frame = read_body(path, head, usecols=_needed_columns(head.names, named))
    return _imu_recording(frame, list(head.names), path, file_rate, fmt, head.encoding, placement=placement,
                          sampling_rate_hz=sampling_rate_hz, sensor=sensor, columns=columns, acc_unit=acc_unit,
                          gyr_unit=gyr_unit, time_unit=time_unit, other_hints=other_hints)


def imu_from_frame(frame: pd.DataFrame, *, placement: str | None = None, sampling_rate_hz: float | None = None,
                   sensor: str | None = None, columns: dict[str, str] | None = None, acc_unit: str | None = None,
                   gyr_unit: str | None = None, time_unit: str | None = None, **other_hints) -> Recording:
    """A raw IMU table already in memory as a DataFrame, read like :func:`read_imu_csv`.

    The column names (a two-level header joined with ``"."`` as gaitmap's two header rows are)
    go through the same alias tables and the values through the same unit and clock rules as
    a file's, with the frame's own numbers: nothing is written or parsed, and a time column
    keeps every bit (a rate implied by ``np.arange(n) / 500`` stays 500 Hz). The index is not
    read (as ``frame.to_csv(index=False)``). Parameters as :func:`read_imu_csv`.

    Returns
    -------
    Recording
        ``path`` None.
    """
    _check_options(placement, sampling_rate_hz, None)
    names = frame_names(frame)
    named = _checked_layout(names, columns, None)
    table = frame.set_axis(names, axis=1)[_needed_columns(names, named)]
    fmt = "gaitmap" if isinstance(frame.columns, pd.MultiIndex) else "generic"
    return _imu_recording(table, names, None, None, fmt, None, placement=placement,
                          sampling_rate_hz=sampling_rate_hz, sensor=sensor, columns=columns, acc_unit=acc_unit,
                          gyr_unit=gyr_unit, time_unit=time_unit, other_hints=other_hints)


def has_imu_columns(names: list[str], columns: dict[str, str] | None = None) -> bool:
    """True when the column names (and ``columns`` hint) name at least one accelerometer axis."""
    return any(c.startswith("acc") for _, c, _ in _layout(names, None, columns).imu.values())


def _check_options(placement, sampling_rate_hz, path) -> None:
    if placement is not None and placement not in PLACEMENTS:
        raise OptionError(f"placement={placement!r}; use one of {', '.join(PLACEMENTS)}", path)
    if sampling_rate_hz is not None and not (np.isfinite(sampling_rate_hz) and sampling_rate_hz > 0):
        raise OptionError(f"sampling_rate_hz must be a positive number, got {sampling_rate_hz!r}", path)


def _checked_layout(names: list[str], columns, path) -> _Layout:
    """The roles the names alone give; refuses a ``columns`` hint naming no column and a table
    without accelerometer columns."""
    missing = sorted(set(columns or {}) - set(names))
    if missing:
        raise OptionError(f"columns hint names {missing[0]!r}, which is not a column of the file", path)
    # the roles the names alone give (a sensor-location column is only known to be text after
    # the read, so every candidate is read): the other columns are never converted
    named = _layout(names, None, columns)
    if not any(c.startswith("acc") for _, c, _ in named.imu.values()):
        raise MissingColumnsError(
            f"no accelerometer columns among {names[:12]}; name them acc_x/acc_y/acc_z or pass "
            "columns={'<file name>': 'acc_x', ...}",
            path,
        )
    return named


def _imu_recording(frame: pd.DataFrame, names: list[str], path: Path | None, file_rate: float | None, fmt: str,
                   encoding: str | None, *, placement, sampling_rate_hz, sensor, columns, acc_unit, gyr_unit,
                   time_unit, other_hints) -> Recording:
    """Everything after the table is in memory (a file's body or a caller's DataFrame): roles,
    clock, units, sensors, metadata. ``path`` only names the source in messages (None: a frame)."""
    warnings: list[str] = []
    lay = _layout(names, dict(frame.dtypes), columns)
    time_s, start_time, time_decision = _time_base(path, frame, lay, file_rate, sampling_rate_hz, time_unit, warnings)
    if lay.group is not None:
        time_s, raw = _align_groups(path, frame, lay.group, time_s, lay, warnings)
        fmt = "long"
    else:
        cols = list(lay.imu)
        arrays = numeric_frame(frame, cols, warnings)
        raw = {lay.imu[c][:2]: (arrays[c], c, lay.imu[c][2]) for c in cols}
    acc_values = [v for (_, chan), (v, _, _) in raw.items() if chan.startswith("acc")]
    if not any(np.isfinite(v).any() for v in acc_values):
        raise SignalError("the accelerometer columns hold no number", path)
    finite_t = time_s[np.isfinite(time_s)] if start_time is not None else time_s[:0]
    if finite_t.size and start_time is not None:
        start_time = start_time + pd.to_timedelta(float(finite_t.min()), unit="s")
    sensors = list(dict.fromkeys(s for s, _ in raw))
    if sensor is not None:
        if sensor not in sensors:
            raise OptionError(f"sensor={sensor!r} not in the file; sensors are {sensors}", path)
        raw = {k: v for k, v in raw.items() if k[0] == sensor}
        sensors = [sensor]
    units = {"time": time_decision}
    # a caller's DataFrame is never converted in place (its arrays are the caller's)
    in_place = path is not None and _reusable([values for values, _, _ in raw.values()])
    for kind, infer, scale_table, hint in (("acc", infer_acc_unit, ACC_SCALE, acc_unit),
                                           ("gyr", infer_gyr_unit, GYR_SCALE, gyr_unit)):
        keys = [k for k in raw if k[1].startswith(kind)]
        if not keys:
            continue
        header_units = {normalise_unit(raw[k][2]) for k in keys} - {None}
        header_unit = header_units.pop() if len(header_units) == 1 else None
        blocks = [[raw[k][0] for k in keys if k[0] == s] for s in sensors if any(k[0] == s for k in keys)]
        # one sensor: its axes as a list of columns (no (n, k) copy); several: their samples stacked
        stacked = blocks[0] if len(blocks) == 1 else np.concatenate([np.column_stack(b) for b in blocks], axis=0)
        try:
            decision = infer(stacked, hint=hint, header_unit=header_unit)
        except GaitloadError as exc:  # UnitError/OptionError: name the file
            raise exc.with_path(path)
        if decision.decided_by == "data":
            warnings.append(Notice(decision.detail, "unit-inferred"))
        units[kind] = decision.as_dict()
        for k in keys:
            values, col, _ = raw[k]
            label = f"{k[0]}.{k[1]}" if k[0] else k[1]
            factor = scale_table[decision.unit]
            converted = _to_si(values, factor, in_place)
            with np.errstate(invalid="ignore"):
                lo, hi = converted.min(), converted.max()  # NaN when a sample is NaN
            _saturation_warnings(label, converted, warnings, lo, hi)
            # beyond twice the largest full-scale range no sensor measured it (a glitch or a
            # garbled cell such as 1e300): missing, not data that overflows later float maths
            limit = 2.0 * (_ACC_RANGES_G[-1] * ACC_SCALE["g"] if kind == "acc" else _GYR_RANGES_DPS[-1] * GYR_SCALE["deg/s"])
            # the extremes decide for a channel without NaN (a NaN extreme: look closer)
            inside = -limit <= lo and hi <= limit
            wild = None if inside else np.abs(converted) > limit
            if wild is not None and wild.any():
                converted = np.where(wild, np.nan, converted)
                warnings.append(Notice(f"channel {label!r}: {int(wild.sum())} sample(s) beyond any sensor's range read as missing",
                                       "clipped"))
            note = "" if factor == 1.0 else f", converted from {decision.unit}"
            raw[k] = (converted, f"measured: {col}{note}", None)
    multi = len(sensors) > 1
    channels, provenance = {}, {}
    # sensor by sensor, axes in canonical order, whatever the file's column order
    order = {c: i for i, c in enumerate(("acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"))}
    for (s, chan), (values, prov, _) in sorted(raw.items(), key=lambda kv: (sensors.index(kv[0][0]), order[kv[0][1]])):
        name = f"{s}.{chan}" if multi and s else chan
        channels[name] = values
        provenance[name] = prov
    sensor_placement, sensor_side = {}, {}
    file_placement = _placement_from_filename(path) if fmt == "xsens" and path is not None else "unknown"
    for s in sensors:
        sensor_placement[s] = placement or colmod.sensor_placement(s) or "unknown"
        if sensor_placement[s] == "unknown":
            sensor_placement[s] = file_placement
        sensor_side[s] = _side(s) if s else (_side_from_filename(path) if fmt == "xsens" and path is not None
                                             else "unknown")
    if multi:
        places = set(sensor_placement.values())
        top = placement or (places.pop() if len(places) == 1 else "unknown")
        side_map = {s: sensor_side[s] for s in sensors}
        place_map = {s: sensor_placement[s] for s in sensors}
    else:
        only = sensors[0]
        top = placement or sensor_placement[only]
        side_map = {"": sensor_side[only]}
        place_map = {}
    rate_decl = file_rate or sampling_rate_hz
    metadata = {"units": units, "layout": fmt, "columns": list(names)}
    if encoding is not None:
        metadata["encoding"] = encoding
    if rate_decl:
        metadata["declared_rate_hz"] = rate_decl
    if sensors != [""]:
        metadata["sensors"] = [s for s in sensors if s]
    known = {k for k in other_hints} - _KNOWN_HINTS
    if known - {"altitude_source", "cadence_unit", "format"}:
        warnings.append(Notice(f"hint(s) not used by the IMU CSV reader: {', '.join(sorted(known))}", "hint-ignored"))
    return Recording(
        time_s=time_s,
        channels=channels,
        placement=top,
        source_format="imu-csv",
        start_time=start_time,
        path=str(path) if path is not None else None,
        provenance=provenance,
        sensor_placement=place_map,
        sensor_side=side_map,
        warnings=warnings,
        metadata=metadata,
    )


def _side(name: str) -> str:
    tokens = set(colmod.clean_name(name).split("_"))
    if tokens & {"left", "l", "lf", "lh"}:
        return "left"
    if tokens & {"right", "r", "rf", "rh"}:
        return "right"
    return "unknown"


def _side_from_filename(path: Path) -> str:
    tail = colmod.clean_name(path.stem).split("_")[-1]
    return {"lf": "left", "rf": "right"}.get(tail, "unknown")


def _placement_from_filename(path: Path) -> str:
    """Xsens exports named like the Voisard data set: ``<subject>-<trial>_lf|rf|lb.txt``."""
    tail = colmod.clean_name(path.stem).split("_")[-1]
    return {"lf": "foot", "rf": "foot", "lb": "lumbar"}.get(tail, "unknown")


def _read(path: Path, **hints) -> Recording:
    return read_imu_csv(path, **hints)


SPEC = register_reader(
    ReaderSpec(
        name="imu-csv",
        description="raw IMU table (CSV/TSV, gzip): generic, gaitmap, Xsens, phyphox, MetaWear, ActiGraph, "
        "sensor loggers; one or several sensors",
        extensions=(".csv", ".txt", ".tsv", ".gz"),
        sniff=sniff_imu_csv,
        read=_read,
    )
)
