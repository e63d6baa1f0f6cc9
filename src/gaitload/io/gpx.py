"""GPS Exchange Format (GPX 1.0 / 1.1) tracks.

Parsed with :mod:`defusedxml` (a DTD, entity declaration or external reference is refused with
:class:`~gaitload.errors.HostileFileError`); elements are matched by their local names, so a
namespace prefix a file uses without declaring it (Strava) is declared for it and read, and
whitespace before the ``<?xml`` declaration is ignored (both said in the warnings). A track
point without a time or a position is skipped, and one dated before a point already seen (a
clock that steps back) is dropped so the track keeps its order; each is counted in a warning.

Mapping (track point -> channel)
--------------------------------
``time`` -> time (UTC); ``lat``/``lon`` -> latitude/longitude; ``ele`` -> altitude (dropped with a
warning when missing or all zero); GPX 1.0 ``speed`` -> speed. Extensions, matched by local name
in any namespace: Garmin ``gpxtpx:TrackPointExtension`` ``hr`` -> heart_rate, ``atemp`` ->
temperature, ``cad`` -> cadence; also ``heartrate``, ``cadence``, ``power``, ``temp`` without a
namespace. Whether the track is on foot, and so the cadence unit, follows the one rule of
:func:`gaitload.io.watch.sport_verdict` (FIT, TCX and ``analyze`` use it too): a named
``trk/type`` decides (Strava codes 9/10/11 run/walk/hike on foot, 1 ride not); no type is on foot
unless the median moving speed is above 6.5 m/s. On foot, Garmin's ``cad`` is strides/min, so
cadence is doubled to steps/min unless its moving median is above 110 (then already steps/min);
otherwise it stays rpm (``metadata["cadence_unit"] = "rpm"``), with a warning. Distance is always
**derived**: the haversine great-circle sum of consecutive fixes, except across a break (a gap
of more than :data:`~gaitload.io.watch.BREAK_GAP_S`, 10 min: a segment break, a lost fix),
where the straight line is not a distance run.

Each ``trkseg`` after the first starts after a timer stop (Garmin, Strava), so the time between
segments is recorded as a pause. Tracks more than
:data:`~gaitload.io.activity.ACTIVITY_GAP_S` (30 min) apart are separate activities
(:func:`gaitload.activities`); ``activity=k`` reads one, and without it the first on foot is
read, with a warning naming the others. ``metadata["altitude_source"]`` is ``"unknown"`` unless the
``creator`` attribute names a device the rule of
:func:`gaitload.io.watch.altitude_source_for_device` recognises.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ..notice import Notice
from ..errors import CorruptFileError, NotAnActivityError
from ..recording import Recording
from .activity import (ACTIVITY_GAP_S, activity_row, backward_times, choose_activity, rebase_leading_clock,
                        zero_distance_across_breaks)
from .watch import (
    BREAK_GAP_S,
    build_recording,
    cadence_to_steps_per_min,
    cumulative_distance_m,
    median_moving_speed_mps,
    parse_iso_times,
    parse_xml_safely,
    sport_cadence_warning,
    sport_verdict,
    to_float_array,
    xml_altitude_source,
)
from .memory import source_bytes, source_path
from .registry import ReaderSpec, register_reader

__all__ = ["read_gpx", "gpx_activities", "gpx_course_points", "sniff_gpx"]

#: Extension element local names (lower case) -> column.
_EXT_TAGS = {"hr": "hr", "heartrate": "hr", "heart_rate": "hr", "cad": "cad", "cadence": "cad",
             "runcadence": "cad", "power": "power", "watts": "power", "atemp": "temp", "temp": "temp",
             "temperature": "temp"}
_GPX_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?gpx[\s>]")


def sniff_gpx(head: bytes, path: Path) -> float:
    """Confidence that ``head`` is GPX: a ``<gpx`` root element."""
    # the whole head: a long prolog (e.g. a DTD, refused by the reader) must not hide the root
    return 0.95 if _GPX_ROOT.search(head) else 0.0


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _children(el, name: str) -> list:
    return [c for c in el if _local(c.tag) == name]


def _child_text(el, name: str) -> str | None:
    for c in el:
        if _local(c.tag) == name:
            return c.text
    return None


def _parse(source, warnings: list[str]):
    """The root of a GPX file and its tracks; refuses routes, waypoints and empty files.
    ``source``: a path or an in-memory :class:`~gaitload.io.memory.MemoryFile`."""
    path = source_path(source)
    root = parse_xml_safely(source_bytes(source), path, warnings)
    if _local(root.tag) != "gpx":
        raise CorruptFileError(f"not a GPX file: the root element is <{_local(root.tag)}>", path)
    tracks = [trk for trk in _children(root, "trk")
              if any(_children(seg, "trkpt") for seg in _children(trk, "trkseg"))]
    if not tracks:
        if any(_children(r, "rtept") for r in _children(root, "rte")):
            raise NotAnActivityError("a route, not a recorded activity (GPX <rte> without a <trk>)", path)
        if _children(root, "wpt"):
            raise NotAnActivityError("waypoints only, no recorded track", path)
        raise NotAnActivityError("the GPX file holds no track points", path)
    return root, tracks


def gpx_course_points(data: bytes, path: Path, warnings: list[str]) -> dict:
    """The points of a GPX file read as a course: every track point (all segments), else every
    route point; times are not read as a clock.

    Parsed by the same gate and repairs as :func:`read_gpx` (no DTD or entities; a prolog after
    whitespace, undeclared prefixes), elements matched by local name.

    Parameters
    ----------
    data : bytes
        The file's (decompressed) bytes.
    path : Path
        For messages.
    warnings : list of str
        Repairs made and points skipped are appended.

    Returns
    -------
    dict
        ``kind`` (``"gpx-track"`` or ``"gpx-route"``), ``pieces`` (one ``(lat, lon, ele)`` triple
        of float arrays per segment or route, degrees and m, NaN elevation where absent),
        ``name``, ``sport`` (the first ``type`` that names something, as :func:`read_gpx` reads
        it), ``creator`` and ``timed`` (track
        points carry times).

    Raises
    ------
    CorruptFileError
        Not GPX.
    NotAnActivityError
        No track or route points.
    """
    root = parse_xml_safely(data, path, warnings)
    if _local(root.tag) != "gpx":
        raise CorruptFileError(f"not a GPX file: the root element is <{_local(root.tag)}>", path)
    owners = [(trk, [_children(seg, "trkpt") for seg in _children(trk, "trkseg")]) for trk in _children(root, "trk")]
    kind = "gpx-track"
    if not any(any(pts) for _, pieces in owners for pts in pieces):
        owners = [(rte, [_children(rte, "rtept")]) for rte in _children(root, "rte")]
        kind = "gpx-route"
    owners = [(owner, [pts for pts in pieces if pts]) for owner, pieces in owners]
    owners = [(owner, pieces) for owner, pieces in owners if pieces]
    if not owners:
        raise NotAnActivityError("the GPX file holds no track or route points", path)
    pieces = []
    n_skipped = 0
    for _, owned in owners:
        for pts in owned:
            lat, lon = to_float_array([p.get("lat") for p in pts]), to_float_array([p.get("lon") for p in pts])
            ele = to_float_array([_child_text(p, "ele") for p in pts])
            ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
            n_skipped += int((~ok).sum())
            if ok.any():
                pieces.append((lat[ok], lon[ok], ele[ok]))
    if n_skipped:
        warnings.append(Notice(f"skipped {n_skipped} point(s) without a position", "positions-skipped"))
    if not pieces:
        raise NotAnActivityError("the GPX file holds no track or route point with a position", path)
    owner = owners[0][0]
    metadata = next(iter(_children(root, "metadata")), None)
    name = _child_text(owner, "name") or _child_text(root, "name") \
        or (None if metadata is None else _child_text(metadata, "name"))
    timed = kind == "gpx-track" and any(_child_text(p, "time") for _, owned in owners for pts in owned for p in pts)
    return {"kind": kind, "pieces": pieces, "name": name, "sport": _sport([o for o, _ in owners], root.get("version")),
            "creator": root.get("creator"), "timed": timed}


def _track_times(trk) -> np.ndarray:
    return parse_iso_times([_child_text(p, "time") for seg in _children(trk, "trkseg")
                            for p in _children(seg, "trkpt")])


def _groups(tracks: list) -> list[list[int]]:
    """Tracks grouped into activities: a track starting more than ``ACTIVITY_GAP_S`` after the
    previous one ended starts a new activity (a track without times joins the current one)."""
    groups: list[list[int]] = []
    last_end = np.nan
    for i, trk in enumerate(tracks):
        t = _track_times(trk)
        first = float(np.nanmin(t)) if np.isfinite(t).any() else np.nan
        if not groups or (np.isfinite(first) and np.isfinite(last_end) and first - last_end > ACTIVITY_GAP_S):
            groups.append([i])
        else:
            groups[-1].append(i)
        if np.isfinite(t).any():
            last_end = float(np.nanmax(t)) if not np.isfinite(last_end) else max(last_end, float(np.nanmax(t)))
    return groups


def _sport(tracks: list, version: str | None) -> str | None:
    """The first track ``type`` that names something. GPX 1.0 has no ``trk/type``: an element of
    that name there is not the schema's (one real file holds ``...``), so it is not read."""
    if (version or "").strip() == "1.0":
        return None
    for trk in tracks:
        text = (_child_text(trk, "type") or "").strip()
        if any(ch.isalnum() for ch in text):
            return text
    return None


def _group_rows(tracks: list, groups: list[list[int]], version: str | None) -> list[dict]:
    rows = []
    for group in groups:
        sport = _sport([tracks[i] for i in group], version)
        spans, t_all, dist = [], [], 0.0
        for i in group:
            for seg in _children(tracks[i], "trkseg"):
                pts = _children(seg, "trkpt")
                t = parse_iso_times([_child_text(p, "time") for p in pts])
                lat = to_float_array([p.get("lat") for p in pts])
                lon = to_float_array([p.get("lon") for p in pts])
                ok = np.isfinite(t) & np.isfinite(lat) & np.isfinite(lon)
                if ok.sum() >= 1:
                    t_all.append(t[ok])
                    spans.append(float(t[ok].max() - t[ok].min()))
                if ok.sum() >= 2:
                    d, _ = zero_distance_across_breaks(t[ok], cumulative_distance_m(lat[ok], lon[ok]))
                    dist += float(np.nanmax(d))
        t = np.concatenate(t_all) if t_all else np.empty(0)
        median = float(np.median(np.diff(np.sort(t)))) if t.size > 2 else np.nan
        elapsed = float(t.max() - t.min()) if t.size else None
        speed = dist / elapsed if elapsed else None
        rows.append(activity_row(sport, start_epoch_s=float(t.min()) if t.size else None, elapsed_time_s=elapsed,
                                 timer_time_s=sum(spans) if spans else None,
                                 distance_m=dist if t.size else None,
                                 # no per-point speeds here: the mean stands in for the median
                                 median_speed_mps=speed if np.isfinite(median) else None))
    return rows


def gpx_activities(path, **hints) -> list[dict]:
    """The activities (groups of tracks closer than 30 min) of a GPX file, as rows for
    :func:`gaitload.activities`.

    Parameters
    ----------
    path : str or path-like
        The file.
    **hints
        Accepted and ignored.

    Returns
    -------
    list of dict
        One :func:`gaitload.io.activity.activity_row` per activity, in file order.
    """
    source, path = path, source_path(path)
    root, tracks = _parse(source, [])
    return _group_rows(tracks, _groups(tracks), root.get("version"))


def read_gpx(path, *, activity: int | None = None, cadence_unit: str | None = None, **hints) -> Recording:
    """Read one activity of a GPX file into a :class:`~gaitload.Recording` (placement ``records``).

    Parameters
    ----------
    path : str or path-like
        The ``.gpx`` file.
    activity : int, optional
        Which group of tracks to read (0-based, as :func:`gaitload.activities` lists them);
        default the first on foot, with a warning when the file holds more than one.
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
    OptionError
        ``activity`` is not one of the file's activities.
    """
    source, path = path, source_path(path)  # a gzip file arrives decompressed in memory
    warnings: list[str] = []
    root, tracks = _parse(source, warnings)
    groups = _groups(tracks)
    chosen, note = choose_activity(_group_rows(tracks, groups, root.get("version")), activity, path)
    if note:
        warnings.append(note)
    tracks = [tracks[i] for i in groups[chosen]]

    times, lats, lons, eles, speeds = [], [], [], [], []
    ext_cols: dict[str, list] = {k: [] for k in set(_EXT_TAGS.values())}
    seg_starts = []
    for trk in tracks:
        for seg in _children(trk, "trkseg"):
            pts = _children(seg, "trkpt")
            if not pts:
                continue
            seg_starts.append(len(times))
            for p in pts:
                times.append(_child_text(p, "time"))
                lats.append(p.get("lat"))
                lons.append(p.get("lon"))
                eles.append(_child_text(p, "ele"))
                speeds.append(_child_text(p, "speed"))
                row = {}
                for ext in _children(p, "extensions"):
                    for el in ext.iter():
                        key = _EXT_TAGS.get(_local(el.tag).rsplit(":", 1)[-1])
                        if key is not None and key not in row and el.text:
                            row[key] = el.text
                for key, col in ext_cols.items():
                    col.append(row.get(key))
    epoch_s = rebase_leading_clock(parse_iso_times(times), warnings)
    if not np.isfinite(epoch_s).any():
        raise NotAnActivityError("the track has no timestamps (a drawn or exported route); a recording needs a clock", path)
    lat_all, lon_all = to_float_array(lats), to_float_array(lons)
    # a point without a time or a position says nothing of where the runner was when: skipped
    usable = np.isfinite(epoch_s) & np.isfinite(lat_all) & np.isfinite(lon_all) \
        & (np.abs(lat_all) <= 90) & (np.abs(lon_all) <= 180)
    no_time = int((~np.isfinite(epoch_s)).sum())
    no_pos = int((np.isfinite(epoch_s) & ~usable).sum())
    if no_time or no_pos:
        warnings.append(Notice(f"skipped {no_time + no_pos} track point(s) without "
                        + " or ".join(x for x, n in (("a time", no_time), ("a position", no_pos)) if n)
                        + f" ({no_time} without time, {no_pos} without position)", "positions-skipped"))
    # a clock that steps back: keep the track order, drop the points dated before one already seen
    back = backward_times(epoch_s, usable)
    if back.any():
        warnings.append(Notice(f"the clock steps back at {int(back.sum())} track point(s); those points were dropped "
                        "(track order kept)", "samples-dropped"))
        usable &= ~back
    index = np.flatnonzero(usable)
    seg_starts = np.searchsorted(index, np.asarray(seg_starts, dtype=np.int64)).tolist()
    epoch_s = epoch_s[index]
    lats, lons = lat_all[index], lon_all[index]
    eles = to_float_array(eles)[index]
    speeds = to_float_array(speeds)[index]
    ext_cols = {k: [v[i] for i in index] for k, v in ext_cols.items()}
    sport = _sport(tracks, root.get("version"))
    if epoch_s.size < 2:
        raise NotAnActivityError("fewer than two track points carry both a time and a position", path)

    lat = np.asarray(lats, dtype=np.float64)
    lon = np.asarray(lons, dtype=np.float64)
    distance, n_breaks = zero_distance_across_breaks(epoch_s, cumulative_distance_m(lat, lon))
    if n_breaks:
        warnings.append(Notice(f"{n_breaks} break(s) of more than {BREAK_GAP_S / 60:.0f} min inside the track: no distance "
                        "counted across them", "track-breaks"))
    channels = {"latitude": lat, "longitude": lon, "distance": distance}
    prov = {"latitude": "measured: gpx trkpt@lat", "longitude": "measured: gpx trkpt@lon",
            "distance": "derived: haversine distance between consecutive gpx track points"}
    ele = np.asarray(eles, dtype=np.float64)
    if np.isfinite(ele).any() and np.nanmax(np.abs(ele)) > 0:
        channels["altitude"] = ele
        prov["altitude"] = "measured: gpx trkpt/ele"
    else:
        warnings.append(Notice("elevation missing or all zero; altitude channel dropped", "altitude-missing"))
    spd = np.asarray(speeds, dtype=np.float64)
    if np.isfinite(spd).any():
        channels["speed"] = spd
        prov["speed"] = "measured: gpx trkpt/speed"
    ext = {k: to_float_array(v) for k, v in ext_cols.items()}
    if np.isfinite(ext["hr"]).any():
        channels["heart_rate"] = ext["hr"]
        prov["heart_rate"] = "measured: gpx extension hr"
    if np.isfinite(ext["power"]).any():
        channels["power"] = ext["power"]
        prov["power"] = "measured: gpx extension power"
    if np.isfinite(ext["temp"]).any():
        channels["temperature"] = ext["temp"]
        prov["temperature"] = "measured: gpx extension atemp"
    # on foot or not: the one rule of gaitload.io.watch.sport_verdict, as for FIT, TCX and analyze
    # (a named sport -- Strava type codes included -- decides; no sport is on foot unless the
    # records move faster than any run). It decides the cadence unit.
    median_speed = median_moving_speed_mps(epoch_s, channels.get("speed"), channels["distance"])
    verdict = sport_verdict(sport, None, median_speed)  # kept on the Recording
    on_foot, _label, sport_reason = verdict
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
    creator = root.get("creator")
    has_alt = "altitude" in channels
    metadata = {
        "device": {"manufacturer": None, "product": creator},
        "sport": None if sport is None else str(sport).lower(),
        "sub_sport": None,
        "gpx_version": root.get("version"),
        "sessions": [],
        "laps": [],
        "pauses_epoch_s": pauses,
        "altitude_source": xml_altitude_source(creator, has_alt),
    }
    if cadence_rpm:
        metadata["cadence_unit"] = "rpm"
    return build_recording(epoch_s=epoch_s, channels=channels, provenance=prov, source_format="gpx", path=path,
                           warnings=warnings, metadata=metadata, verdict=verdict, distance_source="positions")


register_reader(ReaderSpec(
    name="gpx",
    description="GPS Exchange Format 1.0/1.1 track (.gpx)",
    extensions=(".gpx",),
    sniff=sniff_gpx,
    read=read_gpx,
    activities=gpx_activities,
))
