"""Watch and footpod records in delimited text (about one row a second).

Reads Stryd-like exports (``Timestamp, Power (w), Cadence (spm), Ground Time (ms), Vertical
Oscillation (cm), Stryd Distance (meters), Stryd Speed (m/s), Elevation (m)...``), Garmin-Connect
like tables (``Time, Distance, Speed, Cadence, Elevation, HeartRate``), FIT record dumps
(``timestamp, heart_rate, cadence, speed, distance, position_lat...``) and gaitload's own
simulator format (``time, distance_m, speed_mps, cadence_spm, altitude_m, heart_rate_bpm,
ground_contact_time_ms, vertical_oscillation_mm``). Any other header can be mapped with the
``columns=`` hint.

Units come from the header text (``(km/h)``, ``_ft``, ``spm``...) or a hint, else from the data,
and every decision is stored in ``Recording.metadata["units"]`` (with a warning when it came from
the data):

* cadence: running is about 150-200 steps/min, i.e. 75-100 strides/min (Lieberman et al.,
  J Exp Biol 2015, optimum 84.8 strides/min), walking about 100-130 steps/min. Without a unit
  in the header (or with FIT's ``rpm``, strides/min when running, crank rpm when cycling) the
  median moving cadence is compared with the cadence expected at the median moving speed and
  doubled only when it is half of that (strides/min, as FIT stores running cadence); a
  recording faster than any run (median over 6.5 m/s) keeps its cadence as read; without
  speed, a median under 110 is strides/min;
* speed and distance: the integral of speed over time must match the distance travelled, which
  tells m/s from km/h and mph and m from km and miles; without distance, a median moving speed
  above 7.5 (27 km/h, faster than any sustained running) is read as km/h;
* pace (min/km, min/mi, s/km, ``m:ss`` text) becomes speed in m/s;
* ground contact time above 5 is in ms; vertical oscillation above 25 is in mm, above 1 in cm;
  latitude/longitude beyond +/-180 are FIT semicircles.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..notice import Notice
from ..errors import GaitloadError, MissingColumnsError, OptionError, TimestampError, UnitError
from ..recording import Recording
from . import sport as sportmod
from . import columns as colmod
from .csvtext import frame_names, head_rate_hz, names_the_file, numeric_frame, parse_head, read_body, read_head
from .device_totals import written_utc_offset_s
from .registry import ReaderSpec, register_reader
from .units import UnitDecision, choose_clock, clock_notice

__all__ = ["read_records_csv", "records_from_frame", "sniff_records_csv", "RECORDS_RATE_RANGE_HZ"]

#: Sampling rates of watch records (smart recording can write every few seconds).
RECORDS_RATE_RANGE_HZ = (0.01, 20.0)

_ALTITUDE_SOURCES = ("barometric", "gps", "unknown")

# unit text (lower case, no spaces) -> (unit label, factor to SI)
_DISTANCE_UNITS = {"m": ("m", 1.0), "meters": ("m", 1.0), "metres": ("m", 1.0), "meter": ("m", 1.0),
                   "km": ("km", 1000.0), "mi": ("mi", 1609.344), "miles": ("mi", 1609.344),
                   "mile": ("mi", 1609.344), "ft": ("ft", 0.3048), "feet": ("ft", 0.3048), "yd": ("yd", 0.9144)}
_SPEED_UNITS = {"m/s": ("m/s", 1.0), "mps": ("m/s", 1.0), "ms": ("m/s", 1.0), "m_s": ("m/s", 1.0),
                "km/h": ("km/h", 1 / 3.6), "kmh": ("km/h", 1 / 3.6), "kph": ("km/h", 1 / 3.6),
                "mi/min": ("mi/min", 1609.344 / 60), "km/min": ("km/min", 1000 / 60),
                "kmph": ("km/h", 1 / 3.6), "mph": ("mph", 0.44704), "mi/h": ("mph", 0.44704)}
_PACE_UNITS = {"min/km": 1000.0, "min_km": 1000.0, "minkm": 1000.0, "min/mi": 1609.344, "min_mi": 1609.344,
               "min/mile": 1609.344, "s/km": 1000.0, "sec/km": 1000.0}
_ALTITUDE_UNITS = {"m": ("m", 1.0), "meters": ("m", 1.0), "metres": ("m", 1.0), "ft": ("ft", 0.3048),
                   "feet": ("ft", 0.3048)}
_SHORT_LENGTH_UNITS = {"mm": ("mm", 1e-3), "cm": ("cm", 1e-2), "m": ("m", 1.0), "meters": ("m", 1.0)}
_STRIDE_LENGTH_UNITS = {**_SHORT_LENGTH_UNITS, "ft": ("ft", 0.3048), "feet": ("ft", 0.3048), "in": ("in", 0.0254)}
_TIME_UNITS = {"ms": ("ms", 1e-3), "s": ("s", 1.0), "sec": ("s", 1.0), "seconds": ("s", 1.0)}
_STEP_WORDS = ("spm", "steps", "step/min", "steps/min", "steps_min", "step")
_STRIDE_WORDS = ("rpm", "strides", "stride/min", "strides/min", "strides_min", "stride")
_KNOWN_HINTS = {"placement", "sampling_rate_hz", "columns", "time_unit", "cadence_unit", "altitude_source",
                "speed_unit", "distance_unit", "altitude_unit"}


#: Cadence values below this (per minute) are standing or coasting, left out of the medians
#: that decide the unit (judgement; the watch readers use the same floor).
MOVING_CADENCE_MIN = 20.0
#: A median moving speed above this (6.5 m/s) is not running, and its cadence is a crank rate
#: that must not be doubled: the same threshold by which ``analyze`` refuses a recording that
#: names no sport (:func:`gaitload.io.sport.sport_verdict`).
MAX_RUN_SPEED_MPS = sportmod.MAX_RUN_SPEED_MPS
#: Without speed, a median moving cadence under this is strides/min: running strides rarely
#: exceed 105/min (210 steps/min) while walking steps start near 100/min (Tudor-Locke et al.
#: 2018, >= 100 steps/min is moderate walking), so 110 leaves walking steps undoubled (the
#: same threshold as the watch readers' ``cadence_to_steps_per_min``).
STRIDES_BELOW_SPM = 110.0


def _expected_steps_per_min(speed_mps: float) -> float:
    """Typical cadence at a speed: 170 x (v / 3) ** 0.24 steps/min running (v >= 2 m/s;
    Lieberman et al. 2015 preferred cadence scaled with speed as in Dorn et al. 2012), about
    110 steps/min walking (the stand-in of :func:`gaitload.events.records.cadence_from_speed`)."""
    if speed_mps >= 2.0:
        return 170.0 * (min(speed_mps, 9.0) / 3.0) ** 0.24
    return 110.0


def _speed_from_distance(time_s: np.ndarray, distance_m: np.ndarray) -> np.ndarray | None:
    ok = np.isfinite(distance_m) & np.isfinite(time_s)
    if ok.sum() < 3:
        return None
    t, d = time_s[ok], distance_m[ok]
    speed = np.full(time_s.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        speed[ok] = np.gradient(d, t) if np.all(np.diff(t) > 0) else np.nan
    return speed


def _cadence_is_strides(values: np.ndarray, speed_mps: np.ndarray | None) -> tuple[bool, float, str]:
    """Decide from the data whether a cadence column is strides/min (to be doubled).

    With speed, the median moving cadence is compared with the cadence expected at the median
    moving speed (:func:`_expected_steps_per_min`): strides when doubling brings it closer (in
    ratio). A median speed above :data:`MAX_RUN_SPEED_MPS` is not running: kept as read.
    Without speed, a median under :data:`STRIDES_BELOW_SPM` is strides.

    Returns
    -------
    strides : bool
    median_cadence : float
        Median moving cadence (NaN when no value is moving).
    why : str
        ``"speed"``, ``"too fast"``, ``"threshold"`` or ``"no data"``.
    """
    moving = np.isfinite(values) & (values > MOVING_CADENCE_MIN)
    if not moving.any():
        return False, float("nan"), "no data"
    med = float(np.median(values[moving]))
    if speed_mps is not None:
        sp = np.asarray(speed_mps, dtype=np.float64)[moving]
        sp = sp[np.isfinite(sp) & (sp >= 0.5)]
        if sp.size >= 3:
            v = float(np.median(sp))
            if v > MAX_RUN_SPEED_MPS:
                return False, med, "too fast"
            # closer in ratio after doubling: med * 2 / e < e / med  <=>  med < e / sqrt(2)
            return med < _expected_steps_per_min(v) / np.sqrt(2.0), med, "speed"
    return med < STRIDES_BELOW_SPM, med, "threshold"


def _unit_key(text: str | None) -> str | None:
    return None if text is None else re.sub(r"\s+", "", str(text).lower())


def sniff_records_csv(head: bytes, path: Path) -> float:
    """Confidence that ``head`` starts a table of watch/footpod records (0 to 1)."""
    csv = parse_head(head, path, allow_no_data=True)
    if any(colmod.imu_channel(n) is not None for n in csv.names):
        return 0.0  # accelerometer columns: a raw IMU table
    found = {}
    for name in csv.names:
        res = colmod.record_channel(name)
        if res is not None:
            found.setdefault(res[0], name)
    chans = set(found) - {"time"}
    if not chans:
        return 0.0
    score = 0.5 + 0.1 * min(len(chans), 3)
    if "time" in found:
        rate = head_rate_hz(csv, found["time"])
        if rate is not None and rate >= 25.0:
            score -= 0.5  # a 100 Hz stream is not a watch record
        elif rate is not None and RECORDS_RATE_RANGE_HZ[0] <= rate <= RECORDS_RATE_RANGE_HZ[1]:
            score += 0.1
    return score


def _pace_to_speed(series: pd.Series, unit_text: str | None) -> tuple[np.ndarray, UnitDecision]:
    """Pace (min per km or mile, as numbers or ``m:ss`` text) -> speed in m/s; zero pace -> NaN."""
    key = _unit_key(unit_text)
    if key in ("mi/min", "km/min") and series.dtype.kind in "fiu":
        values = series.to_numpy(dtype=np.float64)
        finite = values[np.isfinite(values) & (values > 0)]
        per_km = key == "km/min"
        if finite.size and np.median(finite) < 1.0:
            # RunScribe labels its pace column (mi/min): values under 1 are a speed in miles
            # (km) per minute (0.12 mi/min = 3.2 m/s); larger ones are minutes per mile (km)
            speed = np.where(values > 0, values * (1000.0 if per_km else 1609.344) / 60.0, np.nan)
            return speed, UnitDecision(key, "data", f"pace column in {key} read as a speed (median "
                                       f"{np.median(finite):.3g} < 1) and converted to m/s")
        key = "min/km" if per_km else "min/mi"
    metres = _PACE_UNITS.get(key, 1000.0) if key else 1000.0
    per = "mi" if metres > 1000 else "km"
    if series.dtype.kind not in "fiu":
        text = series.astype(str).str.strip()
        padded = text.where(text.str.count(":") >= 2, "0:" + text)
        secs = pd.to_timedelta(padded, errors="coerce").dt.total_seconds().to_numpy(dtype=np.float64)
        unit = f"m:ss per {per}"
    else:
        values = series.to_numpy(dtype=np.float64)
        finite = values[np.isfinite(values) & (values > 0)]
        in_seconds = key in ("s/km", "sec/km") or (key is None and finite.size and np.median(finite) > 20)
        secs = values if in_seconds else values * 60.0
        unit = f"s/{per}" if in_seconds else f"min/{per}"
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(secs > 0, metres / secs, np.nan)
    how = "header" if key else "data"
    return speed, UnitDecision(unit, how, f"pace in {unit} converted to m/s")


@names_the_file
def read_records_csv(
    path: str | Path,
    *,
    placement: str | None = None,
    sampling_rate_hz: float | None = None,
    columns: dict[str, str] | None = None,
    time_unit: str | None = None,
    cadence_unit: str | None = None,
    altitude_source: str | None = None,
    speed_unit: str | None = None,
    distance_unit: str | None = None,
    altitude_unit: str | None = None,
    **other_hints,
) -> Recording:
    """Read a watch / footpod record table into a ``records`` :class:`~gaitload.Recording`.

    Parameters
    ----------
    path : str or path-like
        The file (CSV/TSV, optionally gzip).
    placement : str, optional
        Ignored except ``"records"``; records have no body placement.
    sampling_rate_hz : float, optional
        Record rate in Hz for a table without a time column.
    columns : dict, optional
        File column name -> canonical name: ``time``, ``distance``, ``speed``, ``pace``,
        ``cadence``, ``altitude``, ``heart_rate``, ``power``, ``contact_time``,
        ``vertical_oscillation``, ``grade``, ``latitude``, ``longitude`` or any other key of
        :data:`gaitload.recording.CHANNEL_UNITS`. Units still come from the header text or data.
    time_unit : {"s", "ms", "us", "ns"}, optional
    cadence_unit : {"steps/min", "strides/min"}, optional
    altitude_source : {"barometric", "gps", "unknown"}, optional
        Stored in ``metadata["altitude_source"]``; terrain smoothing depends on it.
    speed_unit : {"m/s", "km/h", "mph", "min/km", "min/mi"}, optional
    distance_unit : {"m", "km", "mi", "ft"}, optional
    altitude_unit : {"m", "ft"}, optional

    Returns
    -------
    Recording
        Placement ``records``; channels in :data:`~gaitload.recording.CHANNEL_UNITS` units
        (cadence in steps/min, contact time in s, vertical oscillation in m).

    Raises
    ------
    EmptyFileError, MissingColumnsError, UnitError, TimestampError, CorruptFileError, OptionError
    """
    path = Path(path)
    _check_record_options(altitude_source, cadence_unit, sampling_rate_hz, path)
    _, head = read_head(path)
    frame = read_body(path, head)
    return _records_recording(frame, list(head.names), path, head.encoding, **dict(placement=placement, sampling_rate_hz=sampling_rate_hz, columns=columns, time_unit=time_unit,
                                   cadence_unit=cadence_unit, altitude_source=altitude_source, speed_unit=speed_unit,
                                   distance_unit=distance_unit, altitude_unit=altitude_unit, other_hints=other_hints))


def records_from_frame(frame: pd.DataFrame, *, placement: str | None = None, sampling_rate_hz: float | None = None,
                       columns: dict[str, str] | None = None, time_unit: str | None = None,
                       cadence_unit: str | None = None, altitude_source: str | None = None,
                       speed_unit: str | None = None, distance_unit: str | None = None,
                       altitude_unit: str | None = None, **other_hints) -> Recording:
    """A watch / footpod record table already in memory as a DataFrame, read like
    :func:`read_records_csv` (same aliases, units and clock rules, the frame's own numbers; the
    index is not read). Parameters as :func:`read_records_csv`; ``path`` of the result is None."""
    _check_record_options(altitude_source, cadence_unit, sampling_rate_hz, None)
    return _records_recording(frame, frame_names(frame), None, None, **dict(placement=placement, sampling_rate_hz=sampling_rate_hz, columns=columns, time_unit=time_unit,
                                   cadence_unit=cadence_unit, altitude_source=altitude_source, speed_unit=speed_unit,
                                   distance_unit=distance_unit, altitude_unit=altitude_unit, other_hints=other_hints))


def _altitude_source_of_column(header: str) -> str | None:
    """The altitude source a column's header names, or None.

    Stryd PowerCenter exports carry ``Watch Elevation (m)``, the watch's GPS altitude (noisy,
    even negative: data README of the Stryd exports), and ``Stryd Elevation (m)``, the pod's
    barometer in whole metres. Smooth GPS altitude passes terrain's noise test for a
    barometer, so the header decides.
    """
    name = str(header).strip().lower()
    if name.startswith("watch elevation"):
        return "gps"
    if name.startswith("stryd elevation"):
        return "barometric"
    return None


def _check_record_options(altitude_source, cadence_unit, sampling_rate_hz, path) -> None:
    if altitude_source is not None and altitude_source not in _ALTITUDE_SOURCES:
        raise OptionError(f"altitude_source={altitude_source!r}; use one of {', '.join(_ALTITUDE_SOURCES)}", path)
    if cadence_unit is not None and cadence_unit not in ("steps/min", "strides/min", "spm", "rpm"):
        raise OptionError(f"cadence_unit={cadence_unit!r}; use 'steps/min' or 'strides/min'", path)
    if sampling_rate_hz is not None and not (np.isfinite(sampling_rate_hz) and sampling_rate_hz > 0):
        raise OptionError(f"sampling_rate_hz must be a positive number, got {sampling_rate_hz!r}", path)


def _records_recording(frame: pd.DataFrame, names: list[str], path: Path | None, encoding: str | None, *,
                       placement, sampling_rate_hz, columns, time_unit, cadence_unit, altitude_source, speed_unit,
                       distance_unit, altitude_unit, other_hints) -> Recording:
    """Everything after the table is in memory (a file's body or a caller's DataFrame).
    ``path`` only names the source in messages (None: a frame)."""
    warnings: list[str] = []
    hint_columns = dict(columns or {})
    for name in hint_columns:
        if name not in names:
            raise OptionError(f"columns hint names {name!r}, which is not a column of the file", path)
    mapping: dict[str, tuple[str, str | None]] = {}  # channel -> (file column, unit text)
    times: list[tuple[str, str | None]] = []
    unused = []
    for name in names:
        if name in hint_columns:
            base, unit = colmod.split_header(name)
            res = (str(hint_columns[name]), unit)
            if res[0] not in colmod.RECORD_ALIASES.values() and res[0] not in ("pace",):
                raise OptionError(f"columns hint maps {name!r} to unknown channel {res[0]!r}", path)
        else:
            res = colmod.record_channel(name)
        if res is None:
            unused.append(name)
            continue
        chan, unit = res
        if colmod.split_header(name)[0] in ("pace", "avg_pace", "speed_pace") and chan == "speed":
            chan = "pace"
        if chan == "time":
            times.append((name, unit))
        elif chan == "pace" and "speed" in mapping:
            unused.append(name)
        elif (chan == "altitude" and chan in mapping and mapping[chan][0] not in hint_columns
              and _altitude_source_of_column(name) == "barometric"
              and _altitude_source_of_column(mapping[chan][0]) != "barometric"):
            # two altitudes (a Stryd export: the watch's GPS and the pod's barometer): the
            # barometer follows the ground, GPS altitude wanders by metres
            unused.append(mapping[chan][0])
            mapping[chan] = (name, unit)
        elif chan not in mapping or name in hint_columns:
            if chan in mapping:
                unused.append(mapping[chan][0])
            mapping[chan] = (name, unit)
        else:
            unused.append(name)
    if "pace" in mapping and "speed" not in mapping:
        mapping["speed"] = mapping.pop("pace")
        pace_col = True
    else:
        mapping.pop("pace", None)
        pace_col = False
    if not mapping:
        raise MissingColumnsError(
            f"no record columns (distance, speed, cadence, altitude, heart rate, power...) among "
            f"{names[:12]}; pass columns={{'<file name>': 'speed', ...}}",
            path,
        )
    # -- time --------------------------------------------------------------------------------
    units: dict[str, dict] = {}
    time_s = start_time = None
    clock = choose_clock(frame, times, RECORDS_RATE_RANGE_HZ, warnings, time_unit, forced=set(hint_columns))
    if clock is not None:
        name, tb = clock
        time_s, start_time = tb.time_s, tb.start_time
        units["time"] = {**tb.decision.as_dict(), "column": name}
        if tb.decision.decided_by == "data":
            warnings.append(clock_notice(tb.decision))
    elif sampling_rate_hz:
        time_s = np.arange(len(frame), dtype=np.float64) / sampling_rate_hz
        units["time"] = {"unit": f"row number / {sampling_rate_hz:g} Hz", "decided_by": "hint", "detail": ""}
    else:
        raise TimestampError("no usable time column; pass sampling_rate_hz= (CLI: --rate-hz) or columns={'<name>': 'time'} (Python only)", path)
    # -- channels ----------------------------------------------------------------------------
    dist_key = _unit_key(distance_unit) or _unit_key(mapping.get("distance", (None, None))[1])
    speed_key = _unit_key(speed_unit) or _unit_key(mapping.get("speed", (None, None))[1])
    if speed_key in _PACE_UNITS:
        pace_col = True
    raw_cols = [col for chan, (col, _) in mapping.items() if not (chan == "speed" and pace_col)]
    arrays = numeric_frame(frame, raw_cols, warnings)
    channels: dict[str, np.ndarray] = {}
    provenance: dict[str, str] = {}

    def put(chan: str, values: np.ndarray, decision: UnitDecision | None, si_unit: str) -> None:
        col = mapping[chan][0]
        channels[chan] = values
        note = ""
        if decision is not None:
            units[chan] = {**decision.as_dict(), "column": col}
            if decision.decided_by == "data":
                warnings.append(Notice(decision.detail, "unit-inferred"))
            if decision.unit != si_unit:
                note = f", converted from {decision.unit}"
        provenance[chan] = f"measured: {col}{note}"

    def moving(values: np.ndarray) -> np.ndarray:
        return values[np.isfinite(values) & (values > 0)]

    # distance and speed together: the distance gained must equal the time integral of speed,
    # which tells the unit of either one (or of both) when the header does not
    if dist_key is not None and dist_key not in _DISTANCE_UNITS:
        raise UnitError(f"distance unit {dist_key!r} not understood (column {mapping['distance'][0]!r})", path)
    if not pace_col and speed_key is not None and speed_key not in _SPEED_UNITS:
        raise UnitError(f"speed unit {speed_key!r} not understood (column {mapping['speed'][0]!r})", path)
    dist_raw = arrays[mapping["distance"][0]] if "distance" in mapping else None
    speed_raw, speed_dec = None, None
    if "speed" in mapping:
        if pace_col:
            speed_raw, speed_dec = _pace_to_speed(frame[mapping["speed"][0]], speed_key)
            speed_key = "m/s"  # now in m/s
            if speed_unit:
                speed_dec = UnitDecision(speed_dec.unit, "hint", f"speed_unit={speed_unit!r}")
        else:
            speed_raw = arrays[mapping["speed"][0]]
    d_options = [dist_key] if dist_key else list(dict.fromkeys(["m", "km", "mi"]))
    s_options = [speed_key] if speed_key else ["m/s", "km/h", "mph"]
    found = None
    if dist_raw is not None and speed_raw is not None and (dist_key is None or speed_key is None):
        ratio = _distance_over_speed(time_s, dist_raw, speed_raw)
        if np.isfinite(ratio) and ratio > 0:
            for dk in d_options:
                for sk in s_options:
                    if abs(ratio * _DISTANCE_UNITS[dk][1] / _SPEED_UNITS[sk][1] - 1.0) < 0.05:
                        found = (dk, sk)
                        break
                if found:
                    break

    def source(key_from_hint: bool) -> str:
        return "hint" if key_from_hint else "header"

    if speed_raw is not None:
        if speed_dec is not None:
            put("speed", speed_raw, speed_dec, "m/s")
        else:
            if speed_key is not None:
                label, factor = _SPEED_UNITS[speed_key]
                dec = UnitDecision(label, source(bool(speed_unit)), f"{label} from the "
                                   + ("hint" if speed_unit else "column name"))
            elif found is not None:
                label, factor = _SPEED_UNITS[found[1]]
                dec = UnitDecision(label, "data", f"speed unit inferred as {label}: its time integral matches "
                                   "the distance column")
            else:
                mv = moving(speed_raw)
                med = float(np.median(mv)) if mv.size else 0.0
                label, factor = ("km/h", 1 / 3.6) if med > 7.5 else ("m/s", 1.0)
                dec = UnitDecision(label, "data", f"speed unit inferred as {label} from the median moving "
                                   f"speed {med:.3g}")
            put("speed", speed_raw * factor, dec, "m/s")
    if dist_raw is not None:
        if dist_key is not None:
            label, factor = _DISTANCE_UNITS[dist_key]
            dec = UnitDecision(label, source(bool(distance_unit)), f"{label} from the "
                               + ("hint" if distance_unit else "column name"))
        elif found is not None:
            label, factor = _DISTANCE_UNITS[found[0]]
            dec = UnitDecision(label, "data", f"distance unit inferred as {label}: its increase matches the "
                               "time integral of speed")
        else:
            label, factor = _DISTANCE_UNITS["m"]
            dec = UnitDecision("m", "default", "no unit in the column name; metres assumed")
        put("distance", dist_raw * factor, dec, "m")
    if "cadence" in mapping:
        col, unit_text = mapping["cadence"]
        values = arrays[col]
        key = _unit_key(cadence_unit) or _unit_key(unit_text)
        base = colmod.split_header(col)[0]
        hinted = cadence_unit is not None
        med = float("nan")
        if (hinted and key in ("strides/min", "rpm")) or (key in _STRIDE_WORDS and key != "rpm") \
                or (key is None and base in ("strides_per_minute", "stride_rate", "hrm_cadence")):
            strides, how = True, "hint" if hinted else "header"
        elif key in ("steps/min", "spm") or key in _STEP_WORDS \
                or (key is None and base in ("steps_per_minute", "step_rate")):
            strides, how = False, "hint" if hinted else "header"
        elif key is None or key in ("rpm", "s/min"):
            # "s/min" (RunScribe) may mean steps or strides per minute: the data decide
            # "rpm" is FIT's unit for every sport: strides/min when running, crank revolutions when
            # cycling; like an unlabelled column, the data (and the speed) decide
            run_speed = channels.get("speed")
            if run_speed is None and "distance" in channels:
                run_speed = _speed_from_distance(time_s, channels["distance"])
            strides, med, why = _cadence_is_strides(values, run_speed)
            how = "data" if np.isfinite(med) else "default"
            if why == "too fast":
                warnings.append(Notice(f"median moving speed is faster than running (over {MAX_RUN_SPEED_MPS:g} m/s): "
                                f"cadence {med:.0f}/min kept as read (a crank or stroke rate?), not doubled", "cadence-rpm"))
        else:
            raise UnitError(f"cadence unit {unit_text!r} not understood (column {col!r})", path)
        label = "strides/min" if strides else "steps/min"
        detail = {"data": f"cadence unit inferred as {label} from the median moving cadence {med:.0f}" if how == "data" else "",
                  "default": "no moving cadence value; steps/min assumed",
                  "hint": f"{label} from the hint"}.get(how, f"{label} from the column name")
        if how == "default" and key == "rpm":
            strides, label, detail = True, "strides/min", "rpm column with no moving value; strides/min assumed (FIT)"
        dec = UnitDecision(label, how, detail)
        put("cadence", values * (2.0 if strides else 1.0), dec, "steps/min")
        if strides:
            provenance["cadence"] = f"measured: {col}, doubled from strides/min to steps/min"
    if "altitude" in mapping:
        col, unit_text = mapping["altitude"]
        key = _unit_key(altitude_unit) or _unit_key(unit_text)
        if key is not None and key not in _ALTITUDE_UNITS:
            raise UnitError(f"altitude unit {unit_text!r} not understood (column {col!r})", path)
        label, factor = _ALTITUDE_UNITS[key] if key else ("m", 1.0)
        how = "hint" if altitude_unit else ("header" if key else "default")
        put("altitude", arrays[col] * factor, UnitDecision(label, how, "metres assumed" if how == "default" else
                                                            f"{label} from the {how}"), "m")
    contact_rule = lambda med: ("ms", 1e-3) if med > 5 else ("s", 1.0)  # noqa: E731
    for chan, table, rule in (
        ("contact_time", _TIME_UNITS, contact_rule),
        ("contact_time_left", _TIME_UNITS, contact_rule),
        ("contact_time_right", _TIME_UNITS, contact_rule),
        # a stride (two steps) is 1.5-3.5 m running: above 300 mm, above 30 cm or in feet
        ("stride_length", _STRIDE_LENGTH_UNITS,
         lambda med: ("mm", 1e-3) if med > 300 else (("cm", 1e-2) if med > 30 else ("m", 1.0))),
        ("vertical_oscillation", _SHORT_LENGTH_UNITS,
         lambda med: ("mm", 1e-3) if med > 25 else (("cm", 1e-2) if med > 1 else ("m", 1.0))),
        ("step_length", _SHORT_LENGTH_UNITS,
         lambda med: ("mm", 1e-3) if med > 300 else (("cm", 1e-2) if med > 3 else ("m", 1.0))),
    ):
        if chan not in mapping:
            continue
        col, unit_text = mapping[chan]
        values = arrays[col]
        key = _unit_key(unit_text)
        if key is not None and key in table:
            label, factor = table[key]
            dec = UnitDecision(label, "header", f"{label} from the column name")
        else:
            mv = moving(values)
            med = float(np.median(mv)) if mv.size else 0.0
            label, factor = rule(med)
            dec = UnitDecision(label, "data", f"{chan.replace('_', ' ')} unit inferred as {label} "
                               f"from the median {med:.3g}")
        put(chan, values * factor, dec, "s" if chan.startswith("contact_time") else "m")
    for chan in ("latitude", "longitude"):
        if chan in mapping:
            values = arrays[mapping[chan][0]]
            if np.nanmax(np.abs(values), initial=0.0) > 180.0:
                put(chan, values * (180.0 / 2**31), UnitDecision("semicircles", "data",
                    f"{chan} in FIT semicircles (|value| > 180) converted to degrees"), "deg")
            else:
                put(chan, values, None, "deg")
    _power_per_kg(mapping, arrays, channels, put)
    for chan, (col, _) in mapping.items():
        if chan not in channels and chan != "speed":
            put(chan, arrays[col], None, "")
    if unused:
        warnings_unused = [u for u in unused if u and colmod.split_header(u)[0] not in ("", "index")]
        if warnings_unused:
            warnings.append(Notice(f"columns not used: {', '.join(warnings_unused[:10])}", "columns-unused"))
    known = set(other_hints) - _KNOWN_HINTS
    if known - {"acc_unit", "gyr_unit", "sensor", "format"}:
        warnings.append(Notice(f"hint(s) not used by the records CSV reader: {', '.join(sorted(known))}",
                               "hint-ignored"))
    if placement not in (None, "records"):
        warnings.append(Notice(f"placement={placement!r} ignored: watch/footpod records have placement 'records'",
                               "hint-ignored"))
    position = {col: i for i, col in enumerate(names)}
    channels = dict(sorted(channels.items(), key=lambda kv: position.get(mapping[kv[0]][0], 0)))
    finite_t = time_s[np.isfinite(time_s)]
    if start_time is not None and finite_t.size:
        start_time = start_time + pd.to_timedelta(float(finite_t.min()), unit="s")
    if altitude_source is None and "altitude" in mapping:
        altitude_source = _altitude_source_of_column(mapping["altitude"][0])
    metadata = {"units": units, "altitude_source": altitude_source or "unknown",
                "columns": list(names)}
    if encoding is not None:
        metadata["encoding"] = encoding
    if clock is not None and frame[clock[0]].dtype.kind not in "fiub":  # datetime text may write its UTC offset
        metadata["utc_offset_s"] = written_utc_offset_s(frame[clock[0]].head(5))
        metadata["utc_offset_source"] = f"the UTC offset written in column {clock[0]!r}"
    if "distance" in channels:
        # a distance column is the device's own (GPS, footpod or Stryd), unless the frame says
        # it was summed from positions (Recording.to_frame of a GPX track writes that down)
        declared = frame.attrs.get("distance_source") if path is None else None
        metadata["distance_source"] = declared if declared in ("device", "positions") else "device"
    try:
        rec = Recording(time_s=time_s, channels=channels, placement="records", source_format="records-csv",
                        start_time=start_time, path=str(path) if path is not None else None, provenance=provenance,
                        warnings=warnings, metadata=metadata)
    except GaitloadError as exc:
        raise exc.with_path(path) if path is not None else exc
    # a records table names no sport: the speed alone can say it is not a run (the rule the
    # cadence unit above followed too), recorded once for analyze
    sportmod.set_sport_verdict(rec)
    return rec


def _power_per_kg(mapping: dict, arrays: dict, channels: dict, put) -> None:
    """Power columns in W/kg (Stryd PowerCenter writes ``Power (w/kg)``) become ``power_per_kg``
    channels: without the runner's mass they are not watts, and must not be read as such."""
    for chan in ("power", "form_power", "air_power"):
        if chan in mapping and _unit_key(mapping[chan][1]) in ("w/kg", "wkg", "w_kg"):
            col, unit = mapping.pop(chan)
            mapping[f"{chan}_per_kg"] = (col, unit)
            put(f"{chan}_per_kg", arrays[col], None, "W/kg")
            channels.pop(chan, None)


def _distance_over_speed(time_s: np.ndarray, distance: np.ndarray, speed: np.ndarray) -> float:
    """Distance increase divided by the time integral of speed (1 when both are in SI units)."""
    ok = np.isfinite(time_s) & np.isfinite(distance) & np.isfinite(speed)
    if ok.sum() < 3:
        return float("nan")
    t, d, v = time_s[ok], distance[ok], speed[ok]
    travelled = float(np.trapezoid(v, t))
    gained = float(d[-1] - d[0])
    if travelled <= 0 or gained <= 0:
        return float("nan")
    return gained / travelled


def _read(path: Path, **hints) -> Recording:
    return read_records_csv(path, **hints)


SPEC = register_reader(
    ReaderSpec(
        name="records-csv",
        description="watch/footpod records table (~1 Hz CSV): Stryd, Garmin Connect, FIT dumps, gaitload simulator",
        extensions=(".csv", ".txt", ".tsv"),
        sniff=sniff_records_csv,
        read=_read,
    )
)
