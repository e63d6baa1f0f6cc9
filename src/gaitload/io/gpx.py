"""GPS Exchange Format (GPX 1.0 / 1.1) tracks.

The file is first checked with :mod:`defusedxml` (a DTD, entity declaration or external
reference is refused with :class:`~gaitload.errors.HostileFileError`), and only then handed to
:mod:`gpxpy`, which uses the standard library / lxml parser underneath.

Mapping (track point -> channel)
--------------------------------
``time`` -> time (UTC); ``lat``/``lon`` -> latitude/longitude; ``ele`` -> altitude (dropped with a
warning when missing or all zero); GPX 1.0 ``speed`` -> speed. Extensions, matched by local name
in any namespace: Garmin ``gpxtpx:TrackPointExtension`` ``hr`` -> heart_rate, ``atemp`` ->
temperature, ``cad`` -> cadence; also ``heartrate``, ``cadence``, ``power``, ``temp`` without a
namespace. Whether the track is on foot, and so the cadence unit, follows the one rule of
:func:`gaitload.io._watch.sport_verdict` (FIT, TCX and ``analyze`` use it too): a named
``trk/type`` decides (Strava codes 9/10/11 run/walk/hike on foot, 1 ride not); no type is on foot
unless the median moving speed is above 6.5 m/s. On foot, Garmin's ``cad`` is strides/min, so
cadence is doubled to steps/min unless its moving median is above 110 (then already steps/min);
otherwise it stays rpm (``metadata["cadence_unit"] = "rpm"``), with a warning. Distance is always
**derived**: the haversine great-circle sum of consecutive fixes.

Each ``trkseg`` after the first starts after a timer stop (Garmin, Strava), so the time between
segments is recorded as a pause. ``metadata["altitude_source"]`` is ``"unknown"`` unless the
``creator`` attribute names a device the rule of
:func:`gaitload.io._watch.altitude_source_for_device` recognises.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ..errors import CorruptFileError, NotAnActivityError
from ..recording import Recording
from ._watch import (
    build_recording,
    cadence_to_steps_per_min,
    cumulative_distance_m,
    median_moving_speed_mps,
    parse_xml_safely,
    sport_cadence_warning,
    sport_verdict,
)
from .registry import ReaderSpec
from .tcx import _xml_altitude_source, register_reader

__all__ = ["read_gpx", "sniff_gpx"]

#: Extension element local names (lower case) -> column.
_EXT_TAGS = {"hr": "hr", "heartrate": "hr", "heart_rate": "hr", "cad": "cad", "cadence": "cad",
             "runcadence": "cad", "power": "power", "watts": "power", "atemp": "temp", "temp": "temp",
             "temperature": "temp"}
_GPX_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?gpx[\s>]")


def sniff_gpx(head: bytes, path: Path) -> float:
    """Confidence that ``head`` is GPX: a ``<gpx`` root element."""
    # the whole head: a long prolog (e.g. a DTD, refused by the reader) must not hide the root
    return 0.95 if _GPX_ROOT.search(head) else 0.0


def read_gpx(path, *, cadence_unit: str | None = None, **hints) -> Recording:
    """Read a GPX track into a :class:`~gaitload.Recording` (placement ``records``).

    Parameters
    ----------
    path : str or path-like
        The ``.gpx`` file.
    cadence_unit : {"steps/min", "strides/min"}, optional
        Force the unit of ``cad`` instead of deciding from the values.
    **hints
        Other :func:`gaitload.read` hints are accepted and ignored.

    Raises
    ------
    HostileFileError
        DTD, entity declarations, external references.
    CorruptFileError
        Not well-formed XML or not GPX.
    NotAnActivityError
        A route, waypoints only, no track points, or a track without timestamps.
    """
    import gpxpy
    import gpxpy.gpx

    path = Path(path)
    data = path.read_bytes()
    parse_xml_safely(data, path)  # the gate: refuses DTDs/entities, checks well-formedness
    try:
        gpx = gpxpy.parse(data.decode("utf-8-sig", errors="replace"))
    except (gpxpy.gpx.GPXException, ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
        raise CorruptFileError(f"not a readable GPX file ({type(exc).__name__}: {exc})", path) from None

    warnings: list[str] = []
    segments = [seg for trk in gpx.tracks for seg in trk.segments if seg.points]
    if not segments:
        if any(r.points for r in gpx.routes):
            raise NotAnActivityError("a route, not a recorded activity (GPX <rte> without a <trk>)", path)
        if gpx.waypoints:
            raise NotAnActivityError("waypoints only, no recorded track", path)
        raise NotAnActivityError("the GPX file holds no track points", path)

    times, lats, lons, eles, speeds = [], [], [], [], []
    ext_cols: dict[str, list] = {k: [] for k in set(_EXT_TAGS.values())}
    seg_starts = []
    for seg in segments:
        seg_starts.append(len(times))
        for p in seg.points:
            t = p.time
            times.append(np.nan if t is None else (t.timestamp() if t.tzinfo else t.replace(tzinfo=_UTC).timestamp()))
            lats.append(p.latitude)
            lons.append(p.longitude)
            eles.append(np.nan if p.elevation is None else p.elevation)
            speeds.append(np.nan if p.speed is None else p.speed)
            row = {}
            for ext in p.extensions:
                for el in ext.iter():
                    tag = el.tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower() if isinstance(el.tag, str) else ""
                    key = _EXT_TAGS.get(tag)
                    if key is not None and key not in row and el.text:
                        row[key] = el.text
            for key, col in ext_cols.items():
                col.append(row.get(key))
    epoch_s = np.asarray(times, dtype=np.float64)
    if not np.isfinite(epoch_s).any():
        raise NotAnActivityError("the track has no timestamps (a drawn or exported route); a recording needs a clock", path)

    lat = np.asarray(lats, dtype=np.float64)
    lon = np.asarray(lons, dtype=np.float64)
    channels = {"latitude": lat, "longitude": lon, "distance": cumulative_distance_m(lat, lon)}
    prov = {"latitude": "measured: gpx trkpt@lat", "longitude": "measured: gpx trkpt@lon",
            "distance": "derived: haversine distance between consecutive gpx track points"}
    ele = np.asarray(eles, dtype=np.float64)
    if np.isfinite(ele).any() and np.nanmax(np.abs(ele)) > 0:
        channels["altitude"] = ele
        prov["altitude"] = "measured: gpx trkpt/ele"
    else:
        warnings.append("elevation missing or all zero; altitude channel dropped")
    spd = np.asarray(speeds, dtype=np.float64)
    if np.isfinite(spd).any():
        channels["speed"] = spd
        prov["speed"] = "measured: gpx trkpt/speed"
    import pandas as pd

    ext = {k: pd.to_numeric(pd.Series(v, dtype=object), errors="coerce").to_numpy(dtype=np.float64)
           for k, v in ext_cols.items()}
    if np.isfinite(ext["hr"]).any():
        channels["heart_rate"] = ext["hr"]
        prov["heart_rate"] = "measured: gpx extension hr"
    if np.isfinite(ext["power"]).any():
        channels["power"] = ext["power"]
        prov["power"] = "measured: gpx extension power"
    if np.isfinite(ext["temp"]).any():
        channels["temperature"] = ext["temp"]
        prov["temperature"] = "measured: gpx extension atemp"
    sport = next((t.type for t in gpx.tracks if t.type), None)
    # on foot or not: the one rule of gaitload.io._watch.sport_verdict, as for FIT, TCX and analyze
    # (a named sport -- Strava type codes included -- decides; no sport is on foot unless the
    # records move faster than any run). It decides the cadence unit.
    median_speed = median_moving_speed_mps(epoch_s, channels.get("speed"), channels["distance"])
    on_foot, _label, sport_reason = sport_verdict(sport, None, median_speed)
    cadence_rpm = False  # cadence kept as the device's rpm (not on foot, no cadence_unit hint)
    has_cad = bool(np.isfinite(ext["cad"]).any())
    warning = sport_cadence_warning(on_foot, sport_reason, has_cad)
    if warning:
        warnings.append(warning)
    if has_cad and on_foot is False and cadence_unit is None:
        channels["cadence"] = ext["cad"]
        prov["cadence"] = f"measured: gpx extension cad (rpm, not steps/min: {sport_reason})"
        cadence_rpm = True
    elif has_cad:
        cad, decision = cadence_to_steps_per_min(ext["cad"], unit=cadence_unit)
        channels["cadence"] = cad
        prov["cadence"] = f"measured: gpx extension cad ({decision})"
        warnings.append(decision)

    starts = np.asarray([s for s in seg_starts[1:] if 0 < s < epoch_s.size], dtype=np.int64)
    pauses = []
    if starts.size:
        before, after = epoch_s[starts - 1], epoch_s[starts]
        ok = np.isfinite(before) & np.isfinite(after) & (after > before)
        pauses = list(zip(before[ok].tolist(), after[ok].tolist()))
    creator = gpx.creator
    has_alt = "altitude" in channels
    metadata = {
        "device": {"manufacturer": None, "product": creator},
        "sport": None if sport is None else str(sport).lower(),
        "sub_sport": None,
        "gpx_version": gpx.version,
        "sessions": [],
        "laps": [],
        "pauses_epoch_s": pauses,
        "altitude_source": _xml_altitude_source(creator, has_alt),
    }
    if cadence_rpm:
        metadata["cadence_unit"] = "rpm"
    return build_recording(epoch_s=epoch_s, channels=channels, provenance=prov, source_format="gpx", path=path,
                           warnings=warnings, metadata=metadata)


from datetime import timezone as _tz  # noqa: E402

_UTC = _tz.utc

register_reader(ReaderSpec(
    name="gpx",
    description="GPS Exchange Format 1.0/1.1 track (.gpx)",
    extensions=(".gpx",),
    sniff=sniff_gpx,
    read=read_gpx,
))
