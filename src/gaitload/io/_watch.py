"""Helpers shared by the watch-export readers (FIT, TCX, GPX).

Everything here works on whole arrays: the readers collect one Python list per field while
decoding (the decoders hand out one message at a time), then call these functions once.

Conventions every watch reader follows
--------------------------------------
* placement ``"records"``; channel names and units of :data:`gaitload.recording.CHANNEL_UNITS`;
* ``start_time`` is the first kept sample's UTC time;
* ``metadata["altitude_source"]`` is ``"barometric"``, ``"gps"`` or ``"unknown"`` (see
  :func:`altitude_source_for_device`);
* ``metadata["pauses"]`` is a list of ``(start_s, end_s)`` in seconds from the first sample;
* ``metadata["breaks"]`` lists the gaps longer than :data:`BREAK_GAP_S` the same way (no
  distance or climb is counted across them);
* a file may hold several activities (:mod:`gaitload.io._activity` lists them and picks one);
* ``metadata["laps"]`` is a list of dicts ``start_s`` (s from the first sample), ``start_time``
  (ISO 8601 UTC), ``duration_s`` and ``distance_m``.
"""

from __future__ import annotations

import re
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import CorruptFileError, HostileFileError, NoClockError, NotARunError, TimestampError
from ..geodesy import EARTH_RADIUS_M, cumulative_distance_m, haversine_m  # re-exported for the readers
from ..recording import Recording

__all__ = [
    "EARTH_RADIUS_M",
    "haversine_m",
    "cumulative_distance_m",
    "check_xml_safety",
    "parse_xml_safely",
    "cadence_to_steps_per_min",
    "is_foot_sport",
    "describe_sport",
    "sport_verdict",
    "median_moving_speed_mps",
    "MAX_RUN_SPEED_MPS",
    "altitude_source_for_device",
    "xml_altitude_source",
    "build_recording",
    "BREAK_GAP_S",
    "breaks_epoch_s",
]

#: Longest span one activity file may cover (s); a timestamp farther than half of it from the
#: file's median time is a corrupt value.
MAX_ACTIVITY_SPAN_S = 14 * 86400.0

#: Sports whose cadence a watch stores per stride (one foot), so steps/min = 2 x value.
#: Garmin's FIT profile stores running and walking cadence as strides/min ("rpm" in the
#: profile); hiking and trail running are running/walking sub-sports on most devices.
_FOOT_SPORTS = {"running", "walking", "hiking", "trail_running", "treadmill", "mountaineering",
                "track", "street", "trail", "virtual_activity_running", "run", "walk", "hike"}

#: Watches with a barometric altimeter that record it as ``enhanced_altitude``. A product name
#: matching one of these patterns (case-insensitive) makes ``altitude_source`` "barometric".
#: Sources: Garmin product specifications ("barometric altimeter" in the sensor list).
_BAROMETRIC_PRODUCTS = re.compile(
    r"fenix|fēnix|epix|enduro|tactix|descent|instinct|quatix|d2_|marq|forerunner_?9[0-9]{2}|"
    r"fr9[0-9]{2}|forerunner_?[2-9]65|fr[2-9]65|forerunner_?255|fr255|forerunner_?745|fr745|"
    r"forerunner_?70|fr70\b|edge_?[5-9][0-9]{2}|edge_?1[0-9]{3}|edge_?explore|oregon|montana|"
    r"gpsmap|etrex_?3[0-9]|vivoactive_?[45]|venu|suunto_?(9|7|ambit|spartan|vertical|race)|"
    r"coros_?(vertix|apex|pace_?3)|polar_?(grit|vantage_?v|pacer_?pro)",
    re.IGNORECASE,
)
#: Creators known to record GPS altitude only (phone apps, entry watches without a barometer).
_GPS_ONLY_PRODUCTS = re.compile(
    r"strava|runkeeper|nike|endomondo|zwift|forerunner_?(10|15|25|35|45|55|110|210|220|225|230|235|245)\b|"
    r"fr(10|15|25|35|45|55|110|210|220|225|230|235|245)\b|edge_?(20|25|130|200)\b",
    re.IGNORECASE,
)


_DTD_RE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def check_xml_safety(data: bytes, path=None) -> None:
    """Refuse XML that declares a DTD or entities before any parser sees it.

    Activity files never need a DTD; a DTD is how billion-laughs (entity expansion) and XXE
    (external entities such as ``file:///etc/passwd``) attacks are delivered, so its mere
    presence is refused, in the spirit of ``defusedxml``'s ``forbid_dtd``.

    Raises
    ------
    HostileFileError
        The text declares a DOCTYPE or an ENTITY.
    """
    # UTF-16/32 files would hide the declaration from a byte search: decode the prolog first.
    head = data
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(data) > 3 and b"\x00" in data[:4]):
        try:
            head = data.decode("utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-32").encode("utf-8")
        except UnicodeDecodeError:
            head = data.replace(b"\x00", b"")
    match = _DTD_RE.search(head)
    if match:
        kind = match.group(1).decode().upper()
        raise HostileFileError(
            f"XML declares a {kind}; DTDs and entities are refused (entity expansion / external entity risk)", path
        )


_PREFIX_RE = re.compile(rb"</?([A-Za-z_][\w.-]*):[A-Za-z_]|\s([A-Za-z_][\w.-]*):[A-Za-z_][\w.-]*\s*=")
_ROOT_TAG_RE = re.compile(rb"<(?![?!])[^\s>/]+")


def _declare_prefixes(data: bytes) -> tuple[bytes, list[str]]:
    """Declare on the root element the namespace prefixes a file uses but never declares, so
    every element keeps its local name (the name the readers match)."""
    used = {m.group(1) or m.group(2) for m in _PREFIX_RE.finditer(data)}
    used.discard(b"xmlns")
    used.discard(b"xml")
    missing = sorted(p for p in used if not re.search(rb"xmlns:" + re.escape(p) + rb"\s*=", data))
    root = _ROOT_TAG_RE.search(data)
    if not missing or root is None:
        return data, []
    decl = b"".join(b' xmlns:%s="urn:gaitload:undeclared:%s"' % (p, p) for p in missing)
    return data[:root.end()] + decl + data[root.end():], [p.decode("ascii", "replace") for p in missing]


def parse_xml_safely(data: bytes, path=None, repairs: list[str] | None = None):
    """Parse XML with :mod:`defusedxml` (ElementTree API), refusing DTDs and entities.

    Two faults of real exports are repaired rather than refused: whitespace or a byte-order
    mark before the ``<?xml`` declaration, and namespace prefixes used but never declared
    (Strava's GPX); the element's local name decides what it is, as the readers match local
    names anyway.

    Parameters
    ----------
    data : bytes
        The whole file.
    path : path-like, optional
        Named in error messages.
    repairs : list of str, optional
        One line per repair made is appended here.

    Returns
    -------
    xml.etree.ElementTree.Element
        The root element.

    Raises
    ------
    HostileFileError
        DTD, entity declaration or external reference.
    CorruptFileError
        Not well-formed XML, even after the repairs.
    """
    import defusedxml
    import defusedxml.ElementTree as DET

    check_xml_safety(data, path)
    done: list[str] = []
    while True:
        try:
            root = DET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
            break
        except defusedxml.DefusedXmlException as exc:
            raise HostileFileError(f"XML refused: {type(exc).__name__}", path) from None
        except DET.ParseError as exc:
            text = str(exc)
            if "declaration not at start" in text and "leading" not in done:
                stripped = data.lstrip(b"\xef\xbb\xbf").lstrip(b" \t\r\n\x0c\x0b")
                if stripped != data and stripped.startswith(b"<"):
                    data = stripped
                    done.append("leading")
                    continue
            if "unbound prefix" in text and "prefix" not in done:
                fixed, prefixes = _declare_prefixes(data)
                if prefixes:
                    data = fixed
                    done.append("prefix")
                    if repairs is not None:
                        repairs.append(f"XML uses namespace prefix(es) {', '.join(prefixes)} without declaring them; "
                                       "read by local element names")
                    continue
            raise CorruptFileError(f"malformed XML ({exc})", path) from None
        except (ValueError, UnicodeError, LookupError) as exc:  # bad or unknown encoding declarations
            raise CorruptFileError(f"malformed XML ({exc})", path) from None
    if "leading" in done and repairs is not None:
        repairs.append("whitespace before the XML declaration ignored")
    return root


def is_foot_sport(sport: str | None) -> bool:
    """Whether ``sport`` (FIT sport/sub_sport, TCX Activity@Sport) is on foot."""
    if not sport:
        return False
    return str(sport).strip().lower().replace(" ", "_") in _FOOT_SPORTS


#: Sport values that name no sport (FIT ``generic`` is the profile's "unspecified" value).
_UNSPECIFIED_SPORTS = {"", "generic", "all", "unknown", "none", "null"}
#: Strava's GPX export writes its activity type as a number in ``trk/type``: 1 Ride, 9 Run,
#: 10 Walk, 11 Hike (the codes gpx.py's foot types use). Other codes are shown as a code.
_STRAVA_TYPE_CODES = {"1": "cycling", "9": "running", "10": "walking", "11": "hiking"}


def describe_sport(sport: str | None, sub_sport: str | None = None) -> tuple[bool | None, str | None]:
    """Whether a recording's sport is on foot, and its name for people.

    Parameters
    ----------
    sport, sub_sport : str, optional
        ``Recording.metadata["sport"]`` and ``["sub_sport"]`` (FIT names, TCX ``Activity@Sport``
        or GPX ``trk/type``, which may be a Strava type number).

    Returns
    -------
    on_foot : bool or None
        True for running, trail running, treadmill, walking, hiking; False for any other named
        sport (cycling, swimming, paddling, rowing, TCX ``Other``...); None when the file names
        no sport (or only ``generic``, or a number gaitload does not know).
    label : str or None
        ``"cycling (road)"``, ``"running"``, ``"sport code 4"``; None when there is no sport.
    """
    def clean(value):
        text = "" if value is None else str(value).strip()
        return "" if text.lower() in _UNSPECIFIED_SPORTS else text

    main, sub = clean(sport), clean(sub_sport)
    if main.isdigit():
        if main not in _STRAVA_TYPE_CODES:
            return None, f"sport code {main}"
        main = _STRAVA_TYPE_CODES[main]
    if not main and not sub:
        return None, None
    label = (main or sub).lower().replace("_", " ")
    if main and sub:
        label += f" ({sub.lower().replace('_', ' ')})"
    return bool(is_foot_sport(main) or is_foot_sport(sub)), label


#: Sustained speed no run reaches, m/s: the men's 10,000 m world record averages 6.3 m/s
#: (26:11, Cheptegei 2020), so a recording whose median *moving* speed is above 6.5 m/s is a
#: ride, a drive or a ski descent, whatever its cadence looks like.
MAX_RUN_SPEED_MPS = 6.5
#: Samples at or above this speed (m/s) count as moving (standing and GPS jitter lie below).
MOVING_SPEED_MPS = 0.5


def median_moving_speed_mps(time_s, speed_mps=None, distance_m=None) -> float:
    """Median speed of the moving samples, m/s (NaN when fewer than 3 samples move).

    Parameters
    ----------
    time_s : ndarray
        Sample times, s.
    speed_mps : ndarray, optional
        Speed, m/s; used when it holds any finite value.
    distance_m : ndarray, optional
        Cumulative distance, m; without a speed, each interval's distance over its duration.

    Returns
    -------
    float
        Median of the speeds at or above :data:`MOVING_SPEED_MPS`, m/s.
    """
    v = None if speed_mps is None else np.asarray(speed_mps, dtype=np.float64)
    if (v is None or not np.isfinite(v).any()) and distance_m is not None:
        t = np.asarray(time_s, dtype=np.float64)
        d = np.asarray(distance_m, dtype=np.float64)
        ok = np.isfinite(t) & np.isfinite(d)
        if ok.sum() >= 2:
            dt, dd = np.diff(t[ok]), np.diff(d[ok])
            v = np.where(dt > 0, dd / np.where(dt > 0, dt, 1.0), np.nan)
    if v is None:
        return float("nan")
    moving = v[np.isfinite(v) & (v >= MOVING_SPEED_MPS)]
    return float(np.median(moving)) if moving.size >= 3 else float("nan")


def sport_verdict(sport: str | None, sub_sport: str | None = None,
                  median_speed_mps: float | None = None) -> tuple[bool | None, str | None, str]:
    """The one rule deciding whether a recording is on foot (readers and ``analyze`` share it).

    1. A named sport decides (:func:`describe_sport`): running, trail running, treadmill,
       walking, hiking... are on foot; cycling, swimming, paddling, rowing, TCX ``Other``... are
       not, whatever the records hold.
    2. A sport that names nothing (no sport, FIT ``generic`` -- the profile's "unspecified"
       value -- or an unknown code) is decided by the records: a median moving speed above
       :data:`MAX_RUN_SPEED_MPS` (6.5 m/s) is clearly not a run (on_foot False); otherwise the
       recording is taken as on foot (None: not named, not contradicted), so a FIT file's
       cadence is read as the profile's running strides/min and its steps are analysed.

    Cadence alone cannot decide: a crank's 85 rpm and a runner's 85 strides/min look alike.

    Parameters
    ----------
    sport, sub_sport : str, optional
        As in ``Recording.metadata``.
    median_speed_mps : float, optional
        :func:`median_moving_speed_mps` of the recording (NaN or None: unknown).

    Returns
    -------
    on_foot : bool or None
        True named on foot; False named otherwise, or unnamed and faster than any run; None
        unnamed and not contradicted (analysed as on foot).
    label : str or None
        :func:`describe_sport`'s name for people (None when nothing is named).
    reason : str
        One phrase for messages: ``"sport is running"``, ``"sport is cycling (road), not a
        foot sport"``, ``"sport is generic (unspecified) but the records move at a median
        8.4 m/s (30 km/h), faster than any run"``, ``"no sport named"``.
    """
    on_foot, label = describe_sport(sport, sub_sport)
    if on_foot is not None:
        return on_foot, label, f"sport is {label}" + ("" if on_foot else ", not a foot sport")
    raw = "" if sport is None else str(sport).strip()
    named = f"sport is {label}" if label else (f"sport is {raw} (unspecified)" if raw else "no sport named")
    v = float("nan") if median_speed_mps is None else float(median_speed_mps)
    if np.isfinite(v) and v > MAX_RUN_SPEED_MPS:
        return False, label, (f"{named} but the records move at a median {v:.1f} m/s ({3.6 * v:.0f} km/h), "
                              "faster than any run")
    return None, label, named


def sport_cadence_warning(on_foot: bool | None, reason: str, has_cadence: bool) -> str | None:
    """The warning every watch reader gives when :func:`sport_verdict` decided a cadence's unit
    without a named foot sport (None when there is nothing to say).

    Parameters
    ----------
    on_foot, reason : bool or None, str
        The first and last values :func:`sport_verdict` returned.
    has_cadence : bool
        Whether the file has a cadence channel (the verdict decides its unit).
    """
    if not has_cadence or on_foot is True:
        return None
    if on_foot is None:
        return f"{reason}; taken as a run on foot (cadence read as a runner's strides/min)"
    return f"{reason}; not a run, so cadence is kept as the device's rpm, not steps/min"


def cadence_to_steps_per_min(
    cadence: np.ndarray,
    *,
    unit: str | None = None,
    fractional: np.ndarray | None = None,
    default_unit: str = "strides/min",
) -> tuple[np.ndarray, str]:
    """Convert a watch's running cadence to steps/min.

    Watches store running cadence per stride (one foot strike of the same foot to the next):
    FIT ``record.cadence`` (+ ``fractional_cadence``), Garmin TCX ``TPX/RunCadence`` and GPX
    ``gpxtpx:cad``. Steps/min is twice that. When the unit is not given, the median of the
    moving samples decides: running steps lie at 120-230 steps/min (Cavanagh & Kram 1989; Heiderscheit
    et al. 2011), so a median above 110 is taken as steps/min already, otherwise strides/min.

    Parameters
    ----------
    cadence : ndarray
        Cadence values, NaN where missing.
    unit : {"steps/min", "strides/min"}, optional
        Force the unit (the ``cadence_unit`` hint).
    fractional : ndarray, optional
        FIT ``fractional_cadence`` (strides/min, 1/128 resolution), added before doubling.
    default_unit : str
        Unit assumed when the values cannot tell (no moving samples).

    Returns
    -------
    steps_per_min : ndarray
    decision : str
        The unit the input was taken to be and why, for warnings/metadata.
    """
    values = np.asarray(cadence, dtype=np.float64)
    if fractional is not None:
        frac = np.asarray(fractional, dtype=np.float64)
        values = values + np.where(np.isfinite(frac), frac, 0.0)
    if unit is not None:
        if unit not in ("steps/min", "strides/min"):
            from ..errors import OptionError

            raise OptionError(f"cadence_unit must be 'steps/min' or 'strides/min', got {unit!r}")
        decided, why = unit, "forced by cadence_unit hint"
    else:
        moving = values[np.isfinite(values) & (values > 20)]
        if moving.size == 0:
            decided, why = default_unit, "no moving samples; format convention"
        else:
            med = float(np.median(moving))
            decided = "steps/min" if med > 110 else "strides/min"
            why = f"median {med:.0f} of moving samples"
    out = values * 2.0 if decided == "strides/min" else values
    return out, f"cadence read as {decided} ({why})"


def altitude_source_for_device(manufacturer: str | None, product: str | None, has_altitude: bool) -> str:
    """Classify where a FIT file's altitude comes from.

    Rule (documented, conservative): ``"barometric"`` when the creator device's product name is a
    watch or bike computer with a barometric altimeter (``_BAROMETRIC_PRODUCTS``; Stryd pods
    also carry a barometer); ``"gps"`` when it is a phone app or a model known to lack one
    (``_GPS_ONLY_PRODUCTS``); otherwise ``"unknown"``. Barometric altitude is much smoother
    than GPS altitude, which changes the smoothing window terrain analysis needs
    (research/literature.md, section 4.3).

    Parameters
    ----------
    manufacturer, product : str or None
        From FIT ``file_id``/``device_info`` (``garmin``, ``fenix5``...).
    has_altitude : bool
        Whether the file holds any altitude at all.

    Returns
    -------
    str
        ``"barometric"``, ``"gps"``, ``"unknown"`` or ``"none"`` (no altitude).
    """
    if not has_altitude:
        return "none"
    text = f"{manufacturer or ''}_{product or ''}".lower()
    if _BAROMETRIC_PRODUCTS.search(text) or "stryd" in text:
        return "barometric"
    if _GPS_ONLY_PRODUCTS.search(text):
        return "gps"
    return "unknown"


def xml_altitude_source(product: str | None, has_altitude: bool) -> str:
    """``barometric`` only when an XML export (TCX, GPX) names a barometric device; otherwise
    ``unknown`` (``none`` without altitude).

    An XML export does not say how its altitude was measured, and a converter (Strava, Garmin
    Connect) may have replaced it, so only a named barometric device is trusted.
    """
    if not has_altitude:
        return "none"
    source = altitude_source_for_device(None, product, True) if product else "unknown"
    return "barometric" if source == "barometric" else "unknown"


def _warn_time_problems(time_s: np.ndarray, warnings: list[str]) -> None:
    """Say what is odd about a watch clock; repair itself is left to :class:`Recording`."""
    dt = np.diff(time_s)
    back = int(np.count_nonzero(dt < 0))
    dup = int(np.count_nonzero(dt == 0))
    if back:
        warnings.append(f"{back} timestamp(s) run backwards; samples were re-ordered")
    if dup:
        warnings.append(f"{dup} duplicate timestamp(s); later duplicates dropped")
    if dt.size:
        big = dt > 3600.0
        if big.any():
            warnings.append(
                f"{int(big.sum())} time jump(s) longer than one hour (largest {float(dt.max()) / 3600:.1f} h)"
            )


def build_recording(
    *,
    epoch_s: np.ndarray,
    channels: Mapping[str, np.ndarray],
    provenance: Mapping[str, str],
    source_format: str,
    path,
    warnings: Sequence[str],
    metadata: dict,
) -> Recording:
    """Assemble a watch :class:`Recording` from absolute times and channel arrays.

    Samples without a time (NaN ``epoch_s``) are dropped with a warning; backwards and
    duplicate times are reported here and repaired by :class:`Recording`.

    Parameters
    ----------
    epoch_s : ndarray
        Sample times as POSIX seconds (UTC), NaN where the file had none.
    channels : mapping
        Canonical channel name -> array (same length as ``epoch_s``).
    provenance : mapping
        Channel -> ``"measured: ..."`` / ``"derived: ..."``.
    source_format : str
        ``"fit"``, ``"tcx"`` or ``"gpx"``.
    path : path-like
        The file.
    warnings : list of str
        Reader warnings so far.
    metadata : dict
        Reader metadata; ``pauses`` given in POSIX seconds are converted to seconds from the
        first kept sample here.

    Raises
    ------
    NoClockError
        Fewer than two samples carry a time (a :class:`~gaitload.errors.TimestampError`).
    NotARunError
        The same, in a file whose named sport is not on foot: "not on foot" is said first.
    """
    warnings = list(warnings)
    t = np.asarray(epoch_s, dtype=np.float64)
    finite = np.isfinite(t)
    if finite.any():
        # A clock value weeks away from the rest of the file is a corrupt field (seen: a Strava
        # app record dated 2085), not a pause: no single activity spans that long.
        far = finite & (np.abs(t - np.median(t[finite])) > MAX_ACTIVITY_SPAN_S / 2)
        if far.any():
            warnings.append(f"{int(far.sum())} sample(s) dated more than {MAX_ACTIVITY_SPAN_S / 2 / 86400:.0f} days "
                            "from the rest of the file dropped")
            t = np.where(far, np.nan, t)
    keep = np.isfinite(t)
    n_drop = int(t.size - keep.sum())
    if t.size < 2 or keep.sum() < 2:
        problem = (f"only {t.size} sample{'s' if t.size != 1 else ''} in the file; a recording needs at least 2 "
                   "timed samples") if t.size < 2 else \
            f"only {int(keep.sum())} of {t.size} samples carry a timestamp; a recording needs at least 2"
        on_foot, _label, reason = sport_verdict(metadata.get("sport"), metadata.get("sub_sport"))
        if on_foot is False:  # a swim or a ride is "not on foot" first, whatever its clock
            raise NotARunError(f"{reason} (and {problem})", path)
        # one sample is too short a file; samples without times are an activity with no clock
        raise (TimestampError if t.size < 2 else NoClockError)(problem, path)
    if n_drop:
        warnings.append(f"{n_drop} sample(s) without a usable timestamp dropped")
    t = t[keep]
    chans = {k: np.asarray(v, dtype=np.float64)[keep] for k, v in channels.items()}
    _warn_time_problems(t, warnings)
    t0 = float(np.min(t))
    meta = dict(metadata)
    # gaps longer than BREAK_GAP_S: terrain and summaries count no distance or climb across them
    meta["breaks"] = [(a - t0, b - t0) for a, b in breaks_epoch_s(t)]
    pauses = meta.get("pauses_epoch_s")
    if pauses is not None:
        meta.pop("pauses_epoch_s")
        meta["pauses"] = [(float(a - t0), float(b - t0)) for a, b in pauses]
    else:
        meta.setdefault("pauses", [])
    for item in [*meta.get("laps", []), *meta.get("sessions", [])]:
        if "start_epoch_s" in item:
            start = item.pop("start_epoch_s")
            item["start_s"] = None if start is None or not np.isfinite(start) else float(start - t0)
    chans = {k: v for k, v in chans.items() if np.isfinite(v).any()}
    return Recording(
        time_s=t,
        channels=chans,
        placement="records",
        source_format=source_format,
        start_time=pd.Timestamp(t0, unit="s", tz="UTC"),
        path=None if path is None else str(path),
        provenance={k: v for k, v in provenance.items() if k in chans},
        warnings=warnings,
        metadata=meta,
    )


def iso_utc(epoch_s: float | None) -> str | None:
    """ISO 8601 UTC text of a POSIX time (or None)."""
    if epoch_s is None or not np.isfinite(epoch_s):
        return None
    return pd.Timestamp(epoch_s, unit="s", tz="UTC").isoformat()


def parse_iso_times(texts: Sequence[str | None]) -> np.ndarray:
    """POSIX seconds (float, NaN where missing or unparseable) from ISO 8601 strings.

    Vectorised through :func:`pandas.to_datetime`; times without an offset are taken as UTC
    (TCX and GPX require UTC).
    """
    ser = pd.to_datetime(pd.Series(list(texts), dtype=object), utc=True, errors="coerce", format="ISO8601")
    ns = ser.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)
    ns[ser.isna().to_numpy()] = np.nan
    return ns / 1e9


def to_float_array(texts: Sequence) -> np.ndarray:
    """Float array from strings/None (NaN where missing or not a number), vectorised by pandas."""
    return pd.to_numeric(pd.Series(list(texts), dtype=object), errors="coerce").to_numpy(dtype=np.float64)


#: A gap inside one activity longer than this is a break (segment break, lost fix): no
#: straight-line distance and no climb is counted across it, s (judgement: an auto-pause at a
#: crossing lasts seconds to a few minutes; ten minutes without a sample is not running).
BREAK_GAP_S = 600.0


def breaks_epoch_s(epoch_s: np.ndarray, break_s: float = BREAK_GAP_S) -> list[tuple[float, float]]:
    """Every gap longer than ``break_s`` (s) between consecutive sample times.

    Parameters
    ----------
    epoch_s : ndarray
        Sample times, s (NaN ignored).
    break_s : float
        Shortest break, s.

    Returns
    -------
    list of (float, float)
        ``(last sample before, first sample after)`` of each break, in the input's time base.
    """
    t = np.asarray(epoch_s, dtype=np.float64)
    t = np.sort(t[np.isfinite(t)])
    if t.size < 2:
        return []
    idx = np.flatnonzero(np.diff(t) > break_s)
    return [(float(t[i]), float(t[i + 1])) for i in idx]
