"""The totals a device wrote about its own activity: FIT session and lap summaries, local time.

A watch computes its own distance, timer time, ascent, average cadence, calories... and stores
them in the FIT ``session`` and ``lap`` messages; the ``activity`` message's ``local_timestamp``
gives the wearer's local time. Readers put these on ``Recording.metadata`` unchanged in meaning
(only converted to SI units and steps/min) so the analysis can show them beside its own numbers
and say where the two differ. Nothing here is computed from the records.

Field meanings and scales are the FIT profile's (Garmin FIT SDK, ``Profile.xlsx``): times in s,
distances in m, ``total_ascent``/``total_descent`` in m, ``avg_running_cadence`` in strides/min
plus ``avg_fractional_cadence`` (a running step rate is twice that), ``avg_stance_time`` in ms,
``avg_vertical_oscillation`` and ``avg_step_length`` in mm.
"""

from __future__ import annotations

import math
import re
from typing import Iterable

__all__ = ["fit_session_totals", "fit_lap_totals", "fit_utc_offset_s", "tcx_lap_totals", "combine_lap_totals",
           "written_utc_offset_s", "fit_epoch",
           "TOTAL_KEYS", "FIT_EPOCH_S", "FIT_DATETIME_MIN"]

#: Seconds from the POSIX epoch to the FIT epoch (1989-12-31T00:00:00Z).
FIT_EPOCH_S = 631_065_600
#: Smallest FIT ``date_time`` that is a date; smaller values count seconds since power-on.
FIT_DATETIME_MIN = 0x10000000

#: Keys of a totals dict, with their units, in reporting order.
TOTAL_KEYS = {
    "distance_m": "m", "timer_time_s": "s", "elapsed_time_s": "s", "ascent_m": "m", "descent_m": "m",
    "avg_cadence_spm": "steps/min", "max_cadence_spm": "steps/min", "avg_speed_mps": "m/s",
    "max_speed_mps": "m/s", "avg_heart_rate": "1/min", "max_heart_rate": "1/min", "avg_power_w": "W",
    "calories_kcal": "kcal", "steps": "steps", "avg_contact_time_ms": "ms",
    "avg_vertical_oscillation_mm": "mm", "avg_step_length_mm": "mm",
}
# sums over sessions; the rest are averages weighted by timer time, or maxima
_SUMMED = ("distance_m", "timer_time_s", "elapsed_time_s", "ascent_m", "descent_m", "calories_kcal", "steps")
_MAXED = ("max_cadence_spm", "max_speed_mps", "max_heart_rate")


def _num(value) -> float | None:
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def fit_epoch(value) -> float | None:
    """POSIX seconds from a raw FIT ``date_time`` value (seconds since 1989-12-31 UTC), else None.

    Files are decoded without fitdecode's data processor, so times arrive as the raw integers.
    Per the FIT profile a value below ``0x10000000`` counts seconds since the device powered on,
    not a date, so it cannot place the sample in time (None).
    """
    value = _num(value)
    return None if value is None or value < FIT_DATETIME_MIN else value + FIT_EPOCH_S


def _message_totals(msg: dict, on_foot: bool) -> dict:
    """One session or lap message -> totals in SI units (None where the message has no value)."""
    def first(*names):
        return next((v for v in (_num(msg.get(n)) for n in names) if v is not None), None)

    cadence = first("avg_running_cadence", "avg_cadence")
    frac = first("avg_fractional_cadence") or 0.0
    max_cad = first("max_running_cadence", "max_cadence")
    max_frac = first("max_fractional_cadence") or 0.0
    # foot sports store strides/min (FIT profile): steps/min is twice that
    factor = 2.0 if on_foot else 1.0
    strides = first("total_strides", "total_cycles")
    out = {
        "distance_m": first("total_distance"),
        "timer_time_s": first("total_timer_time"),
        "elapsed_time_s": first("total_elapsed_time"),
        "ascent_m": first("total_ascent"),
        "descent_m": first("total_descent"),
        "avg_cadence_spm": None if cadence is None else factor * (cadence + frac),
        "max_cadence_spm": None if max_cad is None else factor * (max_cad + max_frac),
        "avg_speed_mps": first("enhanced_avg_speed", "avg_speed"),
        "max_speed_mps": first("enhanced_max_speed", "max_speed"),
        "avg_heart_rate": first("avg_heart_rate"),
        "max_heart_rate": first("max_heart_rate"),
        "avg_power_w": first("avg_power"),
        "calories_kcal": first("total_calories"),
        "steps": None if strides is None else factor * strides,
        "avg_contact_time_ms": first("avg_stance_time"),
        "avg_vertical_oscillation_mm": first("avg_vertical_oscillation"),
        "avg_step_length_mm": first("avg_step_length"),
    }
    # a 0 average (or 0 kcal) is the field's "not measured" (no pod, no HR strap, no profile), not a value
    for key in ("avg_cadence_spm", "avg_heart_rate", "avg_power_w", "avg_contact_time_ms",
                "avg_vertical_oscillation_mm", "avg_step_length_mm", "max_heart_rate", "max_cadence_spm",
                "calories_kcal"):
        if out[key] == 0:
            out[key] = None
    return out


def _combine(parts: list[dict]) -> dict:
    """Totals of several sessions: sums, maxima, and averages weighted by timer time."""
    if len(parts) == 1:
        return dict(parts[0])
    out: dict = {}
    for key in TOTAL_KEYS:
        values = [(p[key], p.get("timer_time_s") or 0.0) for p in parts if p.get(key) is not None]
        if not values:
            out[key] = None
        elif key in _SUMMED:
            out[key] = float(sum(v for v, _ in values))
        elif key in _MAXED:
            out[key] = float(max(v for v, _ in values))
        else:
            weight = sum(w for _, w in values)
            out[key] = float(sum(v * w for v, w in values) / weight) if weight > 0 else values[0][0]
    return out


def fit_session_totals(sessions: Iterable[dict], kept: Iterable[bool], on_foot: bool = True) -> dict | None:
    """The device's own totals over the kept FIT sessions.

    Parameters
    ----------
    sessions : iterable of dict
        Raw ``session`` message fields (name -> value, FIT scales applied, times as raw FIT
        date_time integers).
    kept : iterable of bool
        Which sessions the reader kept (the others are other sports of a multisport file).
    on_foot : bool
        Foot sport: cadence fields are strides/min and are doubled to steps/min.

    Returns
    -------
    dict or None
        Keys of :data:`TOTAL_KEYS` (None where the file has no value) plus ``source``,
        ``n_sessions`` and ``start_epoch_s``; None when no kept session carries a total.
    """
    chosen = [s for s, k in zip(sessions, kept) if k]
    parts = [_message_totals(s, on_foot) for s in chosen]
    parts = [p for p in parts if any(v is not None for v in p.values())]
    if not parts:
        return None
    out = _combine(parts)
    starts = [e for e in (fit_epoch(s.get("start_time")) for s in chosen) if e is not None]
    out["start_epoch_s"] = min(starts) if starts else None
    out["n_sessions"] = len(parts)
    out["source"] = "fit session message" + ("s" if len(parts) > 1 else "")
    return out


def fit_lap_totals(laps: Iterable[dict], on_foot: bool = True) -> list[dict]:
    """The device's own totals per FIT lap, in file order, each with ``start_epoch_s``.

    Parameters
    ----------
    laps : iterable of dict
        Raw ``lap`` message fields.
    on_foot : bool
        Foot sport (cadence doubled to steps/min).

    Returns
    -------
    list of dict
        Keys of :data:`TOTAL_KEYS` plus ``start_epoch_s`` (POSIX s, None when the lap has no
        start time).
    """
    out = []
    for lap in laps:
        item = _message_totals(lap, on_foot)
        item["start_epoch_s"] = fit_epoch(lap.get("start_time"))
        out.append(item)
    return out


def fit_utc_offset_s(activities: Iterable[dict]) -> float | None:
    """The wearer's UTC offset from the FIT ``activity`` message: ``local_timestamp`` minus
    ``timestamp`` (both FIT date_times), rounded to the quarter hour every time zone keeps.

    Returns
    -------
    float or None
        Offset in seconds (east positive); None when the file gives no local time or the
        difference is not a real offset (beyond +-14 h).
    """
    for msg in activities:
        local, utc = _num(msg.get("local_timestamp")), _num(msg.get("timestamp"))
        if local is None or utc is None or utc < FIT_DATETIME_MIN:
            continue
        offset = round((local - utc) / 900.0) * 900.0
        if abs(offset) <= 14 * 3600:
            return float(offset)
    return None


def tcx_lap_totals(laps) -> list[dict]:
    """The device's own totals per TCX ``<Lap>`` (namespaces already stripped), in file order.

    ``TotalTimeSeconds`` is the lap's timer time, ``DistanceMeters``, ``Calories``,
    ``AverageHeartRateBpm``/``MaximumHeartRateBpm`` and ``MaximumSpeed`` as the TCX schema
    (Garmin TrainingCenterDatabase v2) defines them; ``LX/AvgSpeed`` from the ActivityExtension.

    Parameters
    ----------
    laps : iterable of xml.etree.ElementTree.Element

    Returns
    -------
    list of dict
        Keys of :data:`TOTAL_KEYS` (None where absent) plus ``start_time`` (ISO text) and
        ``start_epoch_s`` (POSIX s).
    """
    def number(lap, path):
        text = lap.findtext(path)
        try:
            value = float(text) if text is not None else None
        except ValueError:
            return None
        return value if value is not None and math.isfinite(value) else None

    out = []
    for lap in laps:
        item = dict.fromkeys(TOTAL_KEYS)
        item.update({
            "timer_time_s": number(lap, "TotalTimeSeconds"), "distance_m": number(lap, "DistanceMeters"),
            "calories_kcal": number(lap, "Calories"), "avg_heart_rate": number(lap, "AverageHeartRateBpm/Value"),
            "max_heart_rate": number(lap, "MaximumHeartRateBpm/Value"), "max_speed_mps": number(lap, "MaximumSpeed"),
            "avg_speed_mps": number(lap, "Extensions/LX/AvgSpeed"),
        })
        item["start_time"] = lap.get("StartTime")
        item["start_epoch_s"] = _iso_epoch(item["start_time"])
        out.append(item)
    return out


def _iso_epoch(text: str | None) -> float | None:
    """POSIX seconds of an ISO 8601 time (UTC when it names no offset, as TCX requires)."""
    from datetime import datetime, timezone

    if not text:
        return None
    try:
        stamp = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.timestamp()


def combine_lap_totals(laps: list[dict], source: str) -> dict | None:
    """Activity totals from lap totals (a TCX has no session summary): sums, maxima, and
    averages weighted by timer time. None when no lap carries a value."""
    parts = [{k: lap.get(k) for k in TOTAL_KEYS} for lap in laps]
    parts = [p for p in parts if any(v is not None for v in p.values())]
    if not parts:
        return None
    out = _combine(parts)
    out["n_laps"] = len(parts)
    out["source"] = source
    return out


_OFFSET_RE = re.compile(r"(?:\d)([+-])(\d{2}):?(\d{2})\s*$")


def written_utc_offset_s(texts) -> float | None:
    """The UTC offset a clock column writes after its times (``2024-05-01T07:12:00+02:00``).

    Only a non-zero offset is taken as the wearer's local time: ``Z`` and ``+00:00`` are how
    most exporters write UTC, and say nothing of where the run was.

    Parameters
    ----------
    texts : iterable
        The clock column's cells (the first non-empty one decides).

    Returns
    -------
    float or None
        Offset in seconds (east positive), or None.
    """
    for cell in texts:
        text = str(cell).strip()
        if not text or text.lower() == "nan":
            continue
        match = _OFFSET_RE.search(text)
        if not match or ":" not in text:  # a datetime, not a number with an exponent sign
            return None
        sign = 1.0 if match.group(1) == "+" else -1.0
        offset = sign * (int(match.group(2)) * 3600 + int(match.group(3)) * 60)
        return float(offset) if offset and abs(offset) <= 14 * 3600 else None
    return None
