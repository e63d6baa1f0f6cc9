"""Planned courses: a route's positions, distance and altitude, without a clock.

:func:`read_course` reads what a runner plans a race from: a GPX route (``<rte>``) or an untimed
track (``<trk>``), a TCX ``Courses`` file, a FIT course, or any recorded activity (FIT, TCX, GPX,
records CSV) whose times are simply ignored. Activities keep being read by :func:`gaitload.read`
exactly as before; this module only adds the clock-free view.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..notice import Notice, code_of
from ..errors import CorruptFileError, EmptyFileError, GaitloadError, NotAnActivityError, ResourceLimitError
from ..geodesy import cumulative_distance_m
from ..recording import Recording
from .watch import altitude_source_for_device
from .gpx import gpx_course_points, sniff_gpx
from .registry import HEAD_BYTES, MAX_FILE_BYTES, read

__all__ = ["CourseProfile", "read_course", "course_from_recording"]

#: A course shorter than this is not a course (one GPS fix repeated, a test point) [J].
MIN_COURSE_M = 50.0
#: Separate GPX pieces (segments, tracks, routes) further apart than this are not joined by a
#: straight line: the jump is left out of the course distance [J: a GPS fix's reach after a stop].
MAX_JOIN_M = 200.0


@dataclass
class CourseProfile:
    """A planned route: distance along it, altitude, positions; no clock.

    Attributes
    ----------
    distance_m : ndarray
        Strictly increasing distance from the start, m (first value 0).
    altitude_m : ndarray or None
        Altitude at each point, m; None when the course has no elevation.
    latitude_deg, longitude_deg : ndarray or None
        Positions, degrees; None when the course has only a distance.
    name : str or None
        The course's own name, when it has one.
    sport, sub_sport : str or None
        What the file names (``None``: nothing named).
    source_format : str
        ``"gpx-route"``, ``"gpx-track"``, or the reader that read the activity or course.
    path : str or None
    altitude_source : str
        ``"barometric"``, ``"gps"``, ``"unknown"`` (what the terrain stage smooths by) or ``"none"``.
    recorded : bool
        True when the file is a recorded activity whose times were ignored.
    warnings : list of str
    """

    distance_m: np.ndarray
    altitude_m: np.ndarray | None = None
    latitude_deg: np.ndarray | None = None
    longitude_deg: np.ndarray | None = None
    name: str | None = None
    sport: str | None = None
    sub_sport: str | None = None
    source_format: str = "unknown"
    path: str | None = None
    altitude_source: str = "unknown"
    recorded: bool = False
    warnings: list = field(default_factory=list)

    @property
    def length_m(self) -> float:
        """Course length, m."""
        return float(self.distance_m[-1])


def _finish(distance, altitude, lat, lon, *, path, **kwargs) -> CourseProfile:
    """Keep the points where distance moves forward and build the profile (refusing a non-course)."""
    d = np.asarray(distance, dtype=np.float64)
    ok = np.isfinite(d)
    if ok.sum() < 2:
        raise NotAnActivityError("the course has no positions or distances to follow", path)
    d = np.maximum.accumulate(np.where(ok, d, -np.inf))
    # a standstill (repeated fix or distance) is one point of the course, not several
    keep = ok & np.concatenate([[True], np.diff(d) > 0])
    d = d[keep] - d[keep][0]
    if d[-1] < MIN_COURSE_M:
        raise NotAnActivityError(f"the course is only {d[-1]:.0f} m long; a course needs at least "
                                 f"{MIN_COURSE_M:.0f} m", path)
    alt = None
    warnings = kwargs.pop("warnings", [])
    altitude_source = kwargs.pop("altitude_source", "unknown")
    if altitude is not None:
        a = np.asarray(altitude, dtype=np.float64)[keep]
        good = np.isfinite(a)
        if good.sum() >= 2 and np.nanmax(np.abs(a)) > 0:
            alt = a if good.all() else np.interp(d, d[good], a[good])
    if alt is None:
        warnings.append(Notice("the course has no elevation: grade unknown, forecast as if level", "forecast"))
    pick = (lambda x: None if x is None else np.asarray(x, dtype=np.float64)[keep])
    return CourseProfile(distance_m=d, altitude_m=alt, latitude_deg=pick(lat), longitude_deg=pick(lon),
                         path=None if path is None else os.fspath(path), warnings=warnings,
                         altitude_source=altitude_source if alt is not None else "none",
                         **kwargs)


#: A recording's warnings that still apply to its course once the clock is dropped: about
#: altitude and positions (repaired timestamps, gaps and cadence units no longer do).
_COURSE_CODES = frozenset({"altitude-missing", "altitude-cleaned", "positions-skipped", "gps-altitude"})
_COURSE_CHANNELS = frozenset({"altitude", "latitude", "longitude"})


def course_from_recording(recording: Recording) -> CourseProfile:
    """The course of a recorded activity (or a course read as one): its distance, altitude and
    positions, with the clock dropped.

    Distance comes from the device's ``distance`` channel when it has one, else the great-circle
    sum of its positions.

    Raises
    ------
    NotAnActivityError
        Neither distance nor positions, or shorter than 50 m.
    """
    ch = recording.channels
    lat, lon = ch.get("latitude"), ch.get("longitude")
    dist = ch.get("distance")
    if dist is None or np.isfinite(dist).sum() < 2:
        if lat is None or lon is None:
            raise NotAnActivityError("no distance or positions: nothing to follow as a course", recording.path)
        dist = cumulative_distance_m(lat, lon)
    meta = recording.metadata
    is_course = bool(meta.get("course"))
    # the clock is dropped, so warnings about it (repaired timestamps, gaps, cadence units) no longer apply
    warnings = [w for w in recording.warnings if code_of(w) in _COURSE_CODES
                or (code_of(w) == "channel-gap" and getattr(w, "channel", None) in _COURSE_CHANNELS)]
    if not is_course:
        warnings.append(Notice("a recorded activity: its times are ignored and its course is forecast", "forecast"))
    return _finish(dist, ch.get("altitude"), lat, lon, path=recording.path, sport=meta.get("sport"),
                   sub_sport=meta.get("sub_sport"), source_format=recording.source_format,
                   altitude_source=str(meta.get("altitude_source") or "unknown"), recorded=not is_course,
                   warnings=warnings)


def _gpx_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if data[:2] != b"\x1f\x8b":
        return data
    import zlib

    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, MAX_FILE_BYTES + 1)
    except zlib.error as exc:
        raise CorruptFileError(f"gzip data cannot be decompressed ({exc})", path) from None
    if len(out) > MAX_FILE_BYTES:
        raise ResourceLimitError("gzip data inflates beyond the size limit for one file", path)
    return out


def _read_gpx_course(path: Path) -> CourseProfile:
    """Every track point (all segments), else every route point, of a GPX file; times unused."""
    warnings: list[str] = []
    gpx = gpx_course_points(_gpx_bytes(path), path, warnings)
    lat, lon, ele = (np.concatenate([piece[i] for piece in gpx["pieces"]]) for i in range(3))
    creator = gpx["creator"]
    source = altitude_source_for_device(None, creator, True) if creator else "unknown"
    if gpx["timed"]:
        warnings.append(Notice("a recorded activity: its times are ignored and its course is forecast", "forecast"))
    distance = cumulative_distance_m(lat, lon)
    starts = np.cumsum([piece[0].size for piece in gpx["pieces"]])[:-1]
    if starts.size:
        # a jump between separate pieces (another day's log, a car transfer) is not part of the course
        leg = np.diff(distance, prepend=0.0)
        jumps = starts[leg[starts] > MAX_JOIN_M]
        if jumps.size:
            warnings.append(Notice(f"{jumps.size} jump(s) of {leg[jumps].sum() / 1000:.1f} km in all between "
                                   "separate track or route pieces not counted as course", "forecast"))
            leg[jumps] = 0.0
            distance = np.cumsum(leg)
    name, sport = (None if v is None else v.strip() or None for v in (gpx["name"], gpx["sport"]))
    return _finish(distance, ele, lat, lon, path=path, name=name, sport=None if sport is None else sport.lower(),
                   source_format=gpx["kind"], altitude_source="barometric" if source == "barometric" else "unknown",
                   recorded=gpx["timed"], warnings=warnings)


def read_course(path: str | os.PathLike, **hints) -> CourseProfile:
    """Read a planned course or route, or the course of a recorded activity (times ignored).

    Parameters
    ----------
    path : str or path-like
        GPX route or track (timed or not, ``.gpx`` or ``.gpx.gz``), TCX course or activity, FIT
        course or activity, or any other file :func:`gaitload.read` reads.
    **hints
        Passed to :func:`gaitload.read` for formats other than GPX.

    Returns
    -------
    CourseProfile

    Raises
    ------
    GaitloadError
        A subclass naming the file: no such file, not a course (no positions or distances),
        unreadable or hostile XML, ...
    """
    p = Path(path)
    if not p.is_file():
        raise GaitloadError("no such file" if not p.exists() else "is a folder, not a course file", p)
    if p.stat().st_size == 0:
        raise EmptyFileError("the file is empty (0 bytes)", p)
    with open(p, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if head[:2] == b"\x1f\x8b" and p.name.lower().endswith(".gpx.gz"):
        head = _gpx_bytes(p)[:HEAD_BYTES]
    if sniff_gpx(head, p) > 0:
        try:
            return _read_gpx_course(p)
        except GaitloadError as exc:
            raise exc.with_path(p)
    return course_from_recording(read(p, **hints))
