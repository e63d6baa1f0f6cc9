"""Garmin FIT activity files (watches, bike computers, Stryd / RunScribe developer fields).

This module assembles records, sessions and laps into a :class:`~gaitload.Recording`; the messages
are decoded by :mod:`gaitload.io.fit_decode` (which also says why fitdecode) and developer fields
mapped by :mod:`gaitload.io.fit_fields`.

Mapping (FIT record field -> channel, unit conversion)
------------------------------------------------------
timestamp (or timestamp_16 against the last full timestamp) -> time;
position_lat/long (semicircles x 180/2^31) -> latitude/longitude deg;
enhanced_speed, else speed -> speed m/s; enhanced_altitude, else altitude -> altitude m;
distance -> distance m; heart_rate; power W; temperature degC;
cadence (+ fractional_cadence) -> cadence: for foot sports (running, walking, hiking) FIT stores
strides/min, so steps/min = 2 x (cadence + fractional_cadence); other sports keep rpm with a
warning. Sport ``generic`` (the profile's "unspecified") or no sport follows the one rule of
:func:`gaitload.io.watch.sport_verdict`: on foot (cadence doubled) unless the records' median
moving speed is above 6.5 m/s, faster than any run (rpm kept; ``analyze`` refuses it);
stance_time ms -> contact_time s; stance_time_balance -> contact_time_balance %;
vertical_oscillation mm -> m; vertical_ratio %; step_length mm -> m.

Developer fields, matched by name case-insensitively ignoring spaces/punctuation, converted by
their declared units (ms, cm, mm...):

=======================================================  ======================
developer field name (Stryd, RunScribe, others)           channel
=======================================================  ======================
Power                                                     power (if no native)
Ground Time, Contact Time, GCT, Stance Time               contact_time (if no native)
Vertical Oscillation                                      vertical_oscillation (if no native)
Leg Spring Stiffness, LSS                                 leg_spring_stiffness
Form Power / Air Power                                    form_power / air_power
Footstrike Type, FS Type, Strike Type                     footstrike_type
Impact Gs, Impact G, Impact                               impact_g
Braking Gs, Braking G, Braking                            braking_g
Pronation Excursion, Pronation                            pronation
Step Length                                               step_length (if no native)
=======================================================  ======================

Left/right variants of a per-foot measurement (footstrike type, impact, braking, pronation:
``"Impact Gs L"``, ``"R Braking Gs"``, ``"Pronation (left)"``) are kept per side as
``<channel>_left`` / ``<channel>_right`` (averaging a rearfoot 4 and a forefoot 12 would make a
midfoot 8 neither foot struck); other left/right pairs are averaged into one channel marked
``derived``. A native device field wins over a developer field with the
same meaning (the watch's own running dynamics are the reference the rest of gaitload expects).

Sessions: each session is one activity (:func:`gaitload.activities` lists them with their
sport, transitions and bike or swim legs included); ``activity=k`` reads session ``k``'s
records (from its start to its start + elapsed time), and without it the first on-foot session
is read, with a warning naming the others. ``metadata["sessions"]`` lists them all, ``kept``
marking the one read. A message the decoder hands over but gaitload cannot use (a developer
field whose description has no name, an odd value) is skipped and counted, never the file; a
block of first records dated far from the rest (a clock set when the GPS fix came) is re-timed
to lead up to the rest, not dropped.
Timer stop/start events give
``metadata["pauses"]``. ``metadata["altitude_source"]`` follows
:func:`gaitload.io.watch.altitude_source_for_device`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import CorruptFileError, NotAnActivityError
from ..notice import Notice
from ..recording import Recording
from .activity import activity_row, choose_activity, rebase_leading_clock
from .watch import (
    altitude_source_for_device,
    build_recording,
    cadence_to_steps_per_min,
    iso_utc,
    median_moving_speed_mps,
    sport_cadence_warning,
    sport_verdict,
)
from .device_totals import fit_lap_totals, fit_session_totals, fit_utc_offset_s
from .device_totals import fit_epoch as _epoch  # short: a FIT time in seconds -> POSIX seconds
from .fit_decode import MAX_RECORDS, decode_fit, record_epochs
from .fit_fields import DEV_FIELD_CHANNELS, developer_channels
from .memory import source_path
from .registry import ReaderSpec, register_reader

__all__ = ["read_fit", "fit_activities", "sniff_fit", "DEV_FIELD_CHANNELS", "MAX_RECORDS"]

_SEMICIRCLE_DEG = 180.0 / 2**31


_TIMER_STOPS = {"stop", "stop_all", "stop_disable", "stop_disable_all"}


def sniff_fit(head: bytes, path: Path) -> float:
    """Confidence that ``head`` starts a FIT file: header size 12/14 and ``.FIT`` at bytes 8-11."""
    if len(head) >= 12 and head[0] in (12, 14) and head[8:12] == b".FIT":
        return 1.0
    return 0.0


def _text(value) -> str | None:
    return None if value is None else str(value)


def _session_rows(d: dict) -> list[dict]:
    """One :func:`~gaitload.io.activity.activity_row` per FIT session (file order); a file without
    sessions (cut short before the watch wrote them) is one activity spanning its records. A
    course file's rows say ``"course"`` (``analyze`` then says it is a planned route, no run)."""
    rows = _rows_of_sessions(d)
    if "course" in d["file_types"]:
        for row in rows:
            row["sport"] = "course"
    return rows


def _record_column(d: dict, key: str) -> np.ndarray | None:
    """One record field over all records (NaN where a record lacks it); None when no record has it."""
    if key not in d["cols"]:
        return None
    arr = np.full(d["n"], np.nan)
    arr[np.asarray(d["rows"][key], dtype=np.int64)] = np.asarray(d["cols"][key], dtype=np.float64)
    return arr


def _rows_of_sessions(d: dict) -> list[dict]:
    rows = []
    sessions = d["sessions"]
    offset = fit_utc_offset_s(d["activity_msgs"])
    if sessions:
        # the list gives each session's first record time (a Fenix 2 session's start_time can
        # lie 45 min after its first record) and judges an unnamed sport's distance per step
        # from its records' cadence (strides/min, as the reader doubles it for such a sport)
        raw_epochs = record_epochs(d)
        epochs = rebase_leading_clock(raw_epochs, [])  # as read_fit does (its warning is its own)
        own_before = not np.array_equal(epochs, raw_epochs, equal_nan=True)
        cadence, distance = _record_column(d, "cadence"), _record_column(d, "distance")
    for k, s in enumerate(sessions):
        speed = s.get("enhanced_avg_speed", s.get("avg_speed"))
        mask = np.isfinite(epochs) & (_session_mask(epochs, sessions, k, own_before) if len(sessions) > 1 else True)
        start = float(epochs[mask].min()) if mask.any() else _epoch(s.get("start_time"))
        records = None if cadence is None or distance is None else (
            epochs[mask], 2.0 * cadence[mask], distance[mask])
        rows.append(activity_row(
            _text(s.get("sport")), _text(s.get("sub_sport")), start_epoch_s=start,
            elapsed_time_s=s.get("total_elapsed_time"), timer_time_s=s.get("total_timer_time"),
            distance_m=s.get("total_distance"),
            median_speed_mps=speed if isinstance(speed, (int, float)) else None,
            utc_offset_s=offset, records=records))
    if rows:
        return rows
    t = record_epochs(d)
    t = t[np.isfinite(t)]
    msg = d["sport_msgs"][0] if d["sport_msgs"] else {}
    dist = d["cols"].get("distance")
    return [activity_row(
        _text(msg.get("sport")), _text(msg.get("sub_sport")),
        start_epoch_s=float(t.min()) if t.size else None,
        elapsed_time_s=float(t.max() - t.min()) if t.size else None,
        distance_m=float(np.nanmax(np.asarray(dist, dtype=np.float64))) if dist else None, utc_offset_s=offset)]


def fit_activities(path, *, max_records: int = MAX_RECORDS, **hints) -> list[dict]:
    """The activities (sessions) of a FIT file, as rows for :func:`gaitload.activities`.

    Parameters
    ----------
    path : str or path-like
        The file.
    **hints
        Accepted and ignored (``max_records`` is the decode limit).

    Returns
    -------
    list of dict
        One :func:`gaitload.io.activity.activity_row` per activity, in file order.
    """
    source, path = path, source_path(path)  # a gzip file arrives decompressed in memory
    d = decode_fit(source, max_records)
    if d["damage"] is not None and not d["sessions"] and d["n"] < 2:
        raise CorruptFileError(f"damaged FIT file: {d['damage']}; no complete records before the damage", path)
    if not d["sessions"] and d["n"] == 0:
        kind = next((t for t in d["file_types"] if t and t != "None"), "unknown")
        raise NotAnActivityError(f"FIT file of type {kind!r} holds no session or record, so no activity", path)
    return _session_rows(d)


def _session_mask(epoch_s: np.ndarray, sessions: list[dict], k: int, own_before: bool = False) -> np.ndarray:
    """Records of session ``k``: from its start to its start + elapsed time, at most to the next
    session's start (else to the next start; the last session, when its span is unknown, owns
    every record after its start). With ``own_before`` (a clock was re-based before the GPS
    fix) the first session also owns the records before it."""
    starts = [_epoch(s.get("start_time")) for s in sessions]
    start = starts[k]
    nxt = next((st for st in starts[k + 1:] if st is not None), None)
    elapsed = sessions[k].get("total_elapsed_time")
    end = _epoch(sessions[k].get("timestamp"))
    if (start is not None and end is not None and isinstance(elapsed, (int, float)) and end > start
            and end - elapsed < start - 60):
        # a start later than the session's end less its elapsed time (a Fenix 2 multisport
        # session): end and elapsed time agree with the records. A summary-first file's session
        # timestamp is the file's start, not the session's end (end <= start): not used
        start = end - float(elapsed)
    lo = -np.inf if ((k == 0 and own_before) or start is None) else start
    if start is not None and isinstance(elapsed, (int, float)):
        # a span overlapping the next session ends where it starts; a record at that very time
        # is kept by both, as the profile does not say which it belongs to
        hi = start + float(elapsed) if nxt is None else min(start + float(elapsed), nxt)
    else:
        hi = np.inf if nxt is None else nxt - 1e-6
    if start is None:
        prev = next((st for st in reversed(starts[:k]) if st is not None), None)
        lo = -np.inf if prev is None else prev + 1e-6
    with np.errstate(invalid="ignore"):
        return (epoch_s >= lo) & (epoch_s <= hi)


def read_fit(path, *, activity: int | None = None, cadence_unit: str | None = None,
             max_records: int = MAX_RECORDS, **hints) -> Recording:
    """Read one activity (session) of a FIT file into a :class:`~gaitload.Recording`
    (placement ``records``).

    Parameters
    ----------
    path : str or path-like
        The ``.fit`` file.
    activity : int, optional
        Which session to read (0-based, as :func:`gaitload.activities` lists them); default
        the first on foot, with a warning when the file holds more than one.
    cadence_unit : {"steps/min", "strides/min"}, optional
        Force the unit of the file's cadence (default: strides/min for foot sports, per the FIT
        profile).
    max_records : int
        Refuse files with more record messages than this (resource limit).
    **hints
        Other :func:`gaitload.read` hints are accepted and ignored.

    Returns
    -------
    Recording
        1 Hz-ish records with the channels named in the module docstring.

    Raises
    ------
    CorruptFileError
        Not FIT, or damaged before any usable record.
    NotAnActivityError
        A valid FIT file without record messages (settings, workout, monitoring...).
    OptionError
        ``activity`` is not one of the file's sessions.
    ResourceLimitError
        More than ``max_records`` records.
    """
    source, path = path, source_path(path)  # a gzip file arrives decompressed in memory
    d = decode_fit(source, max_records)
    warnings: list[str] = []
    n = d["n"]
    times, cols, rows, dev_units = d["times"], d["cols"], d["rows"], d["dev_units"]
    sessions, laps, events = d["sessions"], d["laps"], d["events"]
    file_ids, creators, sensors, sport_msgs, file_types = (d["file_ids"], d["creators"], d["sensors"],
                                                           d["sport_msgs"], d["file_types"])
    damage = d["damage"]
    decoder_warnings = d["decoder_warnings"]
    if decoder_warnings:
        warnings.append(Notice(f"decoder warnings ({len(decoder_warnings)} kinds), first: {decoder_warnings[0]}",
                               "undecodable"))
    if d["skipped"]:
        warnings.append(Notice("skipped undecodable message(s): " + ", ".join(f"{v} {k}" for k, v in d["skipped"].items()),
                               "undecodable"))

    if damage is not None:
        n_ok = int(np.isfinite(record_epochs(d)).sum()) if times else 0
        if n_ok < 2:
            raise CorruptFileError(f"damaged FIT file: {damage}; no complete records before the damage", path)
        warnings.append(Notice(f"damaged FIT file: {damage}; kept the {n} complete records decoded before the damage",
                               "damaged-file"))
    if n == 0:
        kind = next((t for t in file_types if t and t != "None"), "unknown")
        raise NotAnActivityError(f"FIT file of type {kind!r} holds no record messages, so no activity to read", path)

    epoch_s = record_epochs(d, warnings)
    raw: dict[str, np.ndarray] = {}
    for key, values in cols.items():
        arr = np.full(n, np.nan)
        arr[np.asarray(rows[key], dtype=np.int64)] = np.asarray(values, dtype=np.float64)
        raw[key] = arr

    rebased = rebase_leading_clock(epoch_s, warnings)
    own_before = not np.array_equal(rebased, epoch_s, equal_nan=True)  # records moved before the fix
    epoch_s = rebased
    # Some writers (Strava's Android app) split one instant over two record messages, one with
    # position/speed and one with distance. Merge consecutive records with the same timestamp:
    # each field keeps its first value in the group, so nothing measured is lost.
    same = np.zeros(n, dtype=bool)
    same[1:] = epoch_s[1:] == epoch_s[:-1]
    if same.any():
        import pandas as pd

        group = np.cumsum(~same) - 1
        frame = pd.DataFrame(raw).groupby(group, sort=False).first()
        raw = {k: frame[k].to_numpy(dtype=np.float64) for k in frame.columns}
        epoch_s = epoch_s[~same]
        warnings.append(Notice(f"{int(same.sum())} record(s) repeated the previous timestamp; merged field by field",
                               "timestamps-repaired"))
        n = epoch_s.size

    # --- sessions: one activity at a time ------------------------------------------------------
    session_rows = _session_rows(d)
    chosen, note = choose_activity(session_rows, activity, path)
    if note:
        warnings.append(note)
    session_info = []
    for i, (s, row) in enumerate(zip(sessions, session_rows)):
        start = _epoch(s.get("start_time"))
        session_info.append({
            "sport": _text(s.get("sport")), "sub_sport": _text(s.get("sub_sport")),
            "start_epoch_s": start, "start_time": iso_utc(start),
            "duration_s": None if np.isnan(row["elapsed_time_s"]) else row["elapsed_time_s"],
            "distance_m": None if np.isnan(row["distance_m"]) else row["distance_m"],
            # the watch's own climb totals (a reference for terrain's gain; never used as input)
            "total_ascent_m": None if s.get("total_ascent") is None else float(s["total_ascent"]),
            "total_descent_m": None if s.get("total_descent") is None else float(s["total_descent"]),
            "kept": i == chosen,
        })
    keep = np.ones(n, dtype=bool)
    if len(sessions) > 1:
        keep = _session_mask(epoch_s, sessions, chosen, own_before)
        if not keep.any():
            raise NotAnActivityError(f"activity {chosen} ({session_rows[chosen]['sport']}) holds no record", path)
    if sessions:
        sport, sub_sport = _text(sessions[chosen].get("sport")), _text(sessions[chosen].get("sub_sport"))
    elif sport_msgs:
        sport, sub_sport = _text(sport_msgs[0].get("sport")), _text(sport_msgs[0].get("sub_sport"))
    else:
        sport = sub_sport = None

    is_course = "course" in file_types
    if is_course:
        warnings.append(Notice("a FIT course (a planned route with virtual times), not a recorded activity", "course"))

    # --- channels -----------------------------------------------------------------------------
    channels: dict[str, np.ndarray] = {}
    prov: dict[str, str] = {}

    def first(*names):
        for nm in names:
            if nm in raw and np.isfinite(raw[nm]).any():
                return nm, raw[nm]
        return None, None

    if "position_lat" in raw and "position_long" in raw:
        lat = raw["position_lat"] * _SEMICIRCLE_DEG
        lon = raw["position_long"] * _SEMICIRCLE_DEG
        # (0, 0) and out-of-range values are a device's "no fix" filler, not a position
        bad = (np.abs(lat) > 90) | (np.abs(lon) > 180) | ((lat == 0) & (lon == 0))
        lat[bad] = np.nan
        lon[bad] = np.nan
        channels["latitude"], channels["longitude"] = lat, lon
        prov["latitude"] = "measured: fit record.position_lat (semicircles -> deg)"
        prov["longitude"] = "measured: fit record.position_long (semicircles -> deg)"
    simple = {
        "distance": ("distance",), "speed": ("enhanced_speed", "speed"),
        "altitude": ("enhanced_altitude", "altitude"), "heart_rate": ("heart_rate",), "power": ("power",),
        "temperature": ("temperature",), "contact_time_balance": ("stance_time_balance",),
        "vertical_ratio": ("vertical_ratio",),
    }
    for channel, names in simple.items():
        nm, arr = first(*names)
        if nm is not None:
            channels[channel] = arr.copy()
            prov[channel] = f"measured: fit record.{nm}"
    # on foot or not: the one rule of gaitload.io.watch.sport_verdict (a named sport decides; a
    # generic / missing sport is on foot unless the records move faster than any run)
    median_speed = median_moving_speed_mps(
        epoch_s[keep], None if "speed" not in channels else channels["speed"][keep],
        None if "distance" not in channels else channels["distance"][keep])
    verdict = sport_verdict(sport, sub_sport, median_speed)  # recorded on the Recording by build_recording
    on_foot, _label, sport_reason = verdict
    warning = sport_cadence_warning(on_foot, sport_reason, "cadence" in raw and np.isfinite(raw["cadence"]).any())
    if warning:
        warnings.append(warning)
    scaled = {"contact_time": ("stance_time", 1e-3, "ms -> s"),
              "vertical_oscillation": ("vertical_oscillation", 1e-3, "mm -> m"),
              "step_length": ("step_length", 1e-3, "mm -> m")}
    for channel, (nm, factor, how) in scaled.items():
        if nm in raw and np.isfinite(raw[nm]).any():
            arr = raw[nm] * factor
            # running dynamics are 0 while the pod sees no strides (standing, walking with no
            # pod): 0 ms contact or 0 mm oscillation is "not measured", not a value
            arr[arr <= 0] = np.nan
            channels[channel] = arr
            prov[channel] = f"measured: fit record.{nm} ({how})"
    if "cadence" in raw and np.isfinite(raw["cadence"]).any():
        if on_foot is not False or cadence_unit is not None:
            cad, decision = cadence_to_steps_per_min(
                raw["cadence"], unit=cadence_unit or "strides/min", fractional=raw.get("fractional_cadence")
            )
            if cadence_unit is not None:
                warnings.append(decision)
            channels["cadence"] = cad
            prov["cadence"] = (
                "measured: fit record.cadence + fractional_cadence (strides/min x 2 -> steps/min)"
                if cadence_unit != "steps/min" else "measured: fit record.cadence (steps/min, forced)"
            )
        else:
            channels["cadence"] = raw["cadence"].copy()
            prov["cadence"] = f"measured: fit record.cadence (rpm, not steps/min: {sport_reason})"

    dev_fields_used = developer_channels(raw, dev_units, channels, prov, warnings)


    if not channels:
        raise NotAnActivityError("FIT records carry no usable field (no position, speed, distance or cadence)", path)
    if not keep.all():
        epoch_s = epoch_s[keep]
        channels = {k: v[keep] for k, v in channels.items()}

    # --- metadata -----------------------------------------------------------------------------
    creator = (file_ids[0] if file_ids else {}) | (creators[0] if creators else {})
    manufacturer = creator.get("manufacturer")
    product = creator.get("garmin_product") or creator.get("product_name") or creator.get("product")
    has_alt = "altitude" in channels and np.isfinite(channels["altitude"]).any()
    alt_source = altitude_source_for_device(
        None if manufacturer is None else str(manufacturer), None if product is None else str(product), has_alt
    )
    pauses = []
    stop_at = None
    for ts, etype in sorted(events):
        if etype in _TIMER_STOPS and stop_at is None:
            stop_at = ts
        elif etype == "start" and stop_at is not None:
            if ts > stop_at:
                pauses.append((stop_at, ts))
            stop_at = None
    lap_info = []
    for lap in laps:
        start = _epoch(lap.get("start_time"))
        lap_info.append({
            "start_epoch_s": start,
            "start_time": iso_utc(start),
            "duration_s": None if lap.get("total_elapsed_time") is None else float(lap["total_elapsed_time"]),
            "distance_m": None if lap.get("total_distance") is None else float(lap["total_distance"]),
        })
    metadata = {
        "device": {"manufacturer": None if manufacturer is None else str(manufacturer),
                   "product": None if product is None else str(product)},
        "sensors": [
            {"manufacturer": str(s.get("manufacturer")), "product": str(s.get("product_name") or s.get("product")),
             "type": str(s.get("device_type") or s.get("antplus_device_type") or "")}
            for s in sensors if s.get("manufacturer") is not None
        ][:20],
        "sport": sport,
        "sub_sport": sub_sport,
        "sessions": session_info,
        "laps": lap_info,
        "pauses_epoch_s": pauses,
        "altitude_source": alt_source,
        "course": is_course,
        "developer_fields": dev_fields_used,
        "n_records": n,
        # every record message the file holds (all sessions, before merging split instants)
        "n_records_in_file": d["n"],
    }
    kept = [s.get("kept", True) for s in session_info]
    # all laps: the lap table keeps those inside the activity read (gaitload.totals.lap_table)
    metadata.update(_device_summary(sessions, kept, laps, d["activity_msgs"], events, on_foot is not False))
    if on_foot is False:
        metadata["cadence_unit"] = "rpm"
    return build_recording(epoch_s=epoch_s, channels=channels, provenance=prov, source_format="fit", path=path,
                           warnings=warnings, metadata=metadata, verdict=verdict,
                           distance_source="device")


def _device_summary(sessions: list[dict], kept: list[bool], laps: list[dict], activities: list[dict],
                    timer_events: list, on_foot: bool) -> dict:
    """What the watch itself says about the activity (its session and lap totals, the wearer's
    UTC offset, how many timer start/stop events it wrote), for ``Recording.metadata``."""
    return {
        "device_totals": fit_session_totals(sessions, kept, on_foot),
        "device_laps": fit_lap_totals(laps, on_foot),
        "utc_offset_s": fit_utc_offset_s(activities),
        "timer_events": len(timer_events),
    }


register_reader(ReaderSpec(
    name="fit",
    description="Garmin FIT activity (watches, bike computers; Stryd and RunScribe developer fields)",
    extensions=(".fit",),
    sniff=sniff_fit,
    read=read_fit,
    activities=fit_activities,
))
