"""Garmin Training Center XML (TCX) activities and courses.

Parsed with :mod:`defusedxml` (ElementTree API); a DTD, an entity declaration or an external
reference is refused with :class:`~gaitload.errors.HostileFileError` before any expansion.

Mapping (Trackpoint element -> channel)
---------------------------------------
``Time`` -> time (UTC); ``Position/LatitudeDegrees``, ``LongitudeDegrees`` -> latitude/longitude;
``AltitudeMeters`` -> altitude; ``DistanceMeters`` -> distance (else derived from positions by
haversine; ``metadata["distance_source"]`` says which: ``"device"`` or ``"positions"``); ``HeartRateBpm/Value`` -> heart_rate; ``Extensions/TPX/Speed`` -> speed;
``Extensions/TPX/Watts`` -> power; ``Extensions/TPX/RunCadence`` (Garmin: strides/min) and
``Cadence`` -> cadence in steps/min. Whether the activity is on foot, and so the cadence unit,
follows the one rule of :func:`gaitload.io.watch.sport_verdict` (FIT and ``analyze`` use it
too): a named sport decides (``Running`` and courses on foot, ``Biking`` and ``Other`` not); no
sport is on foot unless the records' median moving speed is above 6.5 m/s. On foot,
``RunCadence`` or ``Cadence`` is read as strides/min unless its moving median is above 110 (then
already steps/min; some exporters double it); otherwise it stays rpm
(``metadata["cadence_unit"] = "rpm"``), with a warning.

Sport comes from ``Activity@Sport`` (``Running``, ``Biking``, ``Other``). Each ``Activity``
element is one activity (:func:`gaitload.activities` lists them); ``activity=k`` reads one, and
without it the first on foot is read, with a warning naming the others. Each ``Track`` inside a ``Lap`` is a stretch between timer
stop and start (Garmin writes a new ``Track`` on resume), so the time between two tracks is a
pause. ``Courses`` (planned routes with virtual times) are read with a warning.
``metadata["altitude_source"]`` uses the ``Creator/Name`` device rule of
:func:`gaitload.io.watch.altitude_source_for_device`, else ``"unknown"``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..notice import Notice
from ..errors import NotAnActivityError
from ..recording import Recording
from .activity import (activity_row, backward_times, choose_activity, rebase_leading_clock,
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
from .device_totals import combine_lap_totals, tcx_lap_totals
from .memory import source_bytes, source_path
from .registry import ReaderSpec, register_reader

__all__ = ["read_tcx", "tcx_activities", "sniff_tcx"]

#: Trackpoint descendants (local names) and the column each fills.
_TP_TAGS = {
    "Time": "time", "LatitudeDegrees": "lat", "LongitudeDegrees": "lon", "AltitudeMeters": "alt",
    "DistanceMeters": "dist", "Cadence": "cad", "Speed": "speed", "RunCadence": "runcad", "Watts": "power",
}


def sniff_tcx(head: bytes, path: Path) -> float:
    """Confidence that ``head`` is TCX: a ``TrainingCenterDatabase`` root element."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    # the whole head: a long prolog (comments, or a DTD that the reader then refuses as hostile)
    # must not hide the root element from the sniffer
    if b"<TrainingCenterDatabase" in text or b":TrainingCenterDatabase" in text:
        return 0.95
    # the body of a TCX without its root element (one of runpandas' test files): its
    # <Activities> and <Activity Sport=...> say what it is
    if text.lstrip(b"\xef\xbb\xbf").lstrip().startswith(b"<?xml") and b"<Activities>" in text \
            and b"<Activity Sport=" in text:
        return 0.8
    return 0.0


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _strip_namespaces(root) -> None:
    """Drop ``{namespace}`` prefixes in place: TCX files use ns2/ns3/x prefixes at random."""
    for el in root.iter():
        el.tag = _local(el.tag)


def _root(source, repairs: list[str] | None = None):
    """The TCX root of ``source`` (a path or an in-memory :class:`~gaitload.io.memory.MemoryFile`)."""
    path = source_path(source)
    root = parse_xml_safely(source_bytes(source), path, repairs)
    _strip_namespaces(root)
    if root.tag == "Activities":
        # a TCX body without its <TrainingCenterDatabase> root: read what it holds, and say so
        from xml.etree.ElementTree import Element

        wrapper = Element("TrainingCenterDatabase")
        wrapper.append(root)
        root = wrapper
        if repairs is not None:
            repairs.insert(0, Notice("the file starts at <Activities>, without the <TrainingCenterDatabase> root "
                                  "element of a TCX; read as one", "xml-repaired"))
    if root.tag != "TrainingCenterDatabase":
        raise NotAnActivityError(f"root element is <{root.tag}>, not <TrainingCenterDatabase>", path)
    return root


def _elements(root, path: Path) -> tuple[list, bool]:
    """The file's ``Activity`` elements (else its ``Course`` elements) and whether they are courses."""
    activities = root.findall("Activities/Activity") + root.findall("Activities/MultiSportSession//Activity")
    if activities:
        return activities, False
    courses = root.findall("Courses/Course")
    if courses:
        return courses, True
    raise NotAnActivityError("no Activity or Course element; nothing was recorded", path)


def _rows(elements: list, is_course: bool) -> list[dict]:
    rows = []
    for el in elements:
        times = parse_iso_times([t.text for t in el.iter("Time")])
        laps = el.findall("Lap")
        start = parse_iso_times([el.findtext("Id")] + [lap.get("StartTime") for lap in laps])
        start = start[np.isfinite(start)]
        first = float(start[0]) if start.size else (float(np.nanmin(times)) if np.isfinite(times).any() else None)
        last = float(np.nanmax(times)) if np.isfinite(times).any() else None
        timer = to_float_array([lap.findtext("TotalTimeSeconds") for lap in laps])
        dist = to_float_array([lap.findtext("DistanceMeters") for lap in laps])
        # a course names no sport: listed as "course" and left to analyze, which says it is no run
        rows.append(activity_row(
            None if is_course else el.get("Sport"), start_epoch_s=first,
            elapsed_time_s=None if first is None or last is None else last - first,
            timer_time_s=float(timer.sum()) if timer.size and np.isfinite(timer).all() and not is_course else None,
            distance_m=float(dist.sum()) if dist.size and np.isfinite(dist).all() else None))
        if is_course:
            rows[-1]["sport"] = "course"
    return rows


def tcx_activities(path, **hints) -> list[dict]:
    """Rows for :func:`gaitload.activities`: one per ``Activity`` element of a TCX file (one
    per ``Course`` in a course file), with the laps' summed timer time and distance.

    Parameters
    ----------
    path : str or path-like
        The ``.tcx`` file.
    **hints
        Other :func:`gaitload.read` hints, not needed to list activities.

    Returns
    -------
    list of dict
        :func:`gaitload.io.activity.activity_row` dicts in document order.
    """
    source, path = path, source_path(path)
    return _rows(*_elements(_root(source), path))


def read_tcx(path, *, activity: int | None = None, cadence_unit: str | None = None, **hints) -> Recording:
    """Read one activity of a TCX file into a :class:`~gaitload.Recording` (placement ``records``).

    Parameters
    ----------
    path : str or path-like
        The ``.tcx`` file (single-line files work: parsing does not depend on line breaks).
    activity : int, optional
        Which ``Activity`` element to read (0-based, as :func:`gaitload.activities` lists
        them); default the first on foot, with a warning when the file holds more than one.
    cadence_unit : {"steps/min", "strides/min"}, optional
        Force the unit of the file's cadence instead of deciding from the values.
    **hints
        Other :func:`gaitload.read` hints are accepted and ignored.

    Raises
    ------
    HostileFileError
        DTD, entity declarations, external references.
    CorruptFileError
        Not well-formed XML.
    NotAnActivityError
        No activity or course with trackpoints.
    OptionError
        ``activity`` is not one of the file's activities.
    """
    source, path = path, source_path(path)  # a gzip file arrives decompressed in memory
    warnings: list[str] = []
    root = _root(source, warnings)
    elements, is_course = _elements(root, path)
    chosen, note = choose_activity(_rows(elements, is_course), activity, path)
    if note:
        warnings.append(note)
    sports = [a.get("Sport") for a in elements]
    activities = [elements[chosen]]
    sport = None if is_course else (activities[0].get("Sport") or None)
    if is_course:
        warnings.append(Notice("a TCX course (a planned route with virtual times), not a recorded activity", "course"))

    cols: dict[str, list] = {k: [] for k in _TP_TAGS.values()}
    cols["hr"] = []
    track_starts: list[int] = []
    laps = []
    lap_elements = []
    n = 0
    for act in activities:
        lap_elements += act.findall("Lap")
        for lap in act.findall("Lap"):
            laps.append({"start_time": lap.get("StartTime"), "duration_s": lap.findtext("TotalTimeSeconds"),
                         "distance_m": lap.findtext("DistanceMeters")})
        # activities nest Track in Lap; courses put Track beside summary-only Laps
        for track in act.findall("Lap/Track") + act.findall("Track"):
                track_starts.append(n)
                for tp in track.findall("Trackpoint"):
                    # one pass over the trackpoint's descendants; the first value of each tag wins
                    row = {}
                    for el in tp.iter():
                        key = _TP_TAGS.get(el.tag)
                        if key is not None and key not in row:
                            row[key] = el.text
                        elif el.tag == "Value" and "hr" not in row:
                            row["hr"] = el.text
                    for key, col in cols.items():
                        col.append(row.get(key))
                    n += 1
    if n == 0:
        raise NotAnActivityError("the TCX file holds no trackpoints", path)

    epoch_s = rebase_leading_clock(parse_iso_times(cols["time"]), warnings)
    arrays = {k: to_float_array(v) for k, v in cols.items() if k != "time"}
    # a clock that steps back: keep the track order, drop the points dated before one already seen
    back = backward_times(epoch_s)
    if back.any():
        warnings.append(Notice(f"the clock steps back at {int(back.sum())} trackpoint(s); those points were dropped "
                        "(track order kept)", "samples-dropped"))
        keep = ~back
        track_starts = np.searchsorted(np.flatnonzero(keep), np.asarray(track_starts, dtype=np.int64)).tolist()
        epoch_s = epoch_s[keep]
        arrays = {k: v[keep] for k, v in arrays.items()}
        n = int(epoch_s.size)
    channels: dict[str, np.ndarray] = {}
    prov: dict[str, str] = {}
    lat, lon = arrays["lat"], arrays["lon"]
    if np.isfinite(lat).any():
        channels["latitude"], channels["longitude"] = lat, lon
        prov["latitude"] = "measured: tcx Trackpoint/Position/LatitudeDegrees"
        prov["longitude"] = "measured: tcx Trackpoint/Position/LongitudeDegrees"
    if np.isfinite(arrays["dist"]).any():
        channels["distance"] = arrays["dist"]
        prov["distance"] = "measured: tcx Trackpoint/DistanceMeters"
    elif "latitude" in channels:
        channels["distance"], n_breaks = zero_distance_across_breaks(epoch_s, cumulative_distance_m(lat, lon))
        if n_breaks:
            warnings.append(Notice(f"{n_breaks} break(s) of more than {BREAK_GAP_S / 60:.0f} min inside the activity: no "
                            "distance counted across them", "track-breaks"))
        prov["distance"] = "derived: haversine distance between consecutive tcx positions"
    for key, channel, where in (("alt", "altitude", "AltitudeMeters"), ("hr", "heart_rate", "HeartRateBpm/Value"),
                                ("speed", "speed", "Extensions/TPX/Speed"), ("power", "power", "Extensions/TPX/Watts")):
        if np.isfinite(arrays[key]).any():
            channels[channel] = arrays[key]
            prov[channel] = f"measured: tcx Trackpoint/{where}"
    # on foot or not: the one rule of gaitload.io.watch.sport_verdict, as for FIT and analyze (a
    # named sport decides -- a course is a run; no sport is on foot unless the records move faster
    # than any run). It decides the cadence unit, RunCadence included.
    median_speed = median_moving_speed_mps(epoch_s, channels.get("speed"), channels.get("distance"))
    verdict = sport_verdict("running" if is_course else sport, None, median_speed)  # kept on the Recording
    on_foot, _label, sport_reason = verdict
    cadence_rpm = False  # cadence kept as the device's rpm (not on foot, no cadence_unit hint)
    cad_key = "runcad" if np.isfinite(arrays["runcad"]).any() else ("cad" if np.isfinite(arrays["cad"]).any() else None)
    warning = sport_cadence_warning(on_foot, sport_reason, cad_key is not None)
    if warning:
        warnings.append(warning)
    if cad_key is not None:
        where = "Extensions/TPX/RunCadence" if cad_key == "runcad" else "Cadence"
        if on_foot is not False or cadence_unit is not None:
            cad, decision = cadence_to_steps_per_min(arrays[cad_key], unit=cadence_unit)
            channels["cadence"] = cad
            prov["cadence"] = f"measured: tcx Trackpoint/{where} ({decision})"
            warnings.append(decision)
        else:
            channels["cadence"] = arrays[cad_key]
            prov["cadence"] = f"measured: tcx Trackpoint/{where} (rpm, not steps/min: {sport_reason})"
            cadence_rpm = True
            if cad_key == "runcad":
                warnings.append(Notice("Extensions/TPX/RunCadence kept as rpm by the sport rule; if this was a walk or "
                                "run (TCX names only Running, Biking and Other), read it with "
                                "cadence_unit='strides/min' (CLI: --any-sport --cadence-unit strides/min)", "cadence-rpm"))

    # pauses: the gap between the last point of one Track and the first of the next
    starts = np.asarray([s for s in track_starts[1:] if 0 < s < n], dtype=np.int64)
    pauses = []
    if starts.size:
        before, after = epoch_s[starts - 1], epoch_s[starts]
        ok = np.isfinite(before) & np.isfinite(after) & (after > before)
        pauses = list(zip(before[ok].tolist(), after[ok].tolist()))
    lap_info = []
    lap_starts = parse_iso_times([lap["start_time"] for lap in laps]) if laps else np.empty(0)
    for lap, start in zip(laps, lap_starts):
        dur = to_float_array([lap["duration_s"]])[0]
        dist = to_float_array([lap["distance_m"]])[0]
        lap_info.append({"start_epoch_s": float(start), "start_time": lap["start_time"],
                         "duration_s": None if np.isnan(dur) else float(dur),
                         "distance_m": None if np.isnan(dist) else float(dist)})
    creator = activities[0].find("Creator")
    product = None if creator is None else creator.findtext("Name")
    has_alt = "altitude" in channels
    metadata = {
        "device": {"manufacturer": None, "product": product},
        "sport": "running" if is_course else (sport.lower() if sport else None),
        "sub_sport": None,
        "course": is_course,
        "sessions": [{"sport": s, "kept": i == chosen} for i, s in enumerate(sports)],
        "laps": lap_info,
        "pauses_epoch_s": pauses,
        "altitude_source": xml_altitude_source(product, has_alt),
    }
    if cadence_rpm:
        metadata["cadence_unit"] = "rpm"
    if not is_course:  # a course's laps are a plan, not what a device measured
        metadata["device_laps"] = tcx_lap_totals(lap_elements)
        metadata["device_totals"] = combine_lap_totals(metadata["device_laps"], "tcx lap totals")
    return build_recording(epoch_s=epoch_s, channels=channels, provenance=prov, source_format="tcx", path=path,
                           warnings=warnings, metadata=metadata, verdict=verdict,
                           distance_source="device" if np.isfinite(arrays["dist"]).any() else "positions")


register_reader(ReaderSpec(
    name="tcx",
    description="Garmin Training Center XML activity or course (.tcx)",
    extensions=(".tcx",),
    sniff=sniff_tcx,
    read=read_tcx,
    activities=tcx_activities,
))
