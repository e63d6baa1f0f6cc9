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
* ``metadata["sport_verdict"]`` is the reader's :func:`~gaitload.io.sport.sport_verdict` and
  ``metadata["distance_source"]`` says whether the distance channel is the device's or summed
  from positions (both set by :func:`build_recording`);
* a file may hold several activities (:mod:`gaitload.io.activity` lists them and picks one);
* ``metadata["laps"]`` is a list of dicts ``start_s`` (s from the first sample), ``start_time``
  (ISO 8601 UTC), ``duration_s`` and ``distance_m``.
"""

from __future__ import annotations

import re
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import CorruptFileError, HostileFileError, NoClockError, NoStepsError, NotARunError, TimestampError
from ..geodesy import EARTH_RADIUS_M, cumulative_distance_m, haversine_m  # re-exported for the readers
from ..notice import Notice
from ..recording import Recording
# the sport rule lives in .sport; re-exported here for the watch readers
from .sport import (DISTANCE_SOURCES, SportVerdict, set_sport_verdict)
from .sport import (MAX_RUN_SPEED_MPS, MOVING_SPEED_MPS, describe_sport, is_foot_sport, median_moving_speed_mps,  # noqa: F401
                    sport_cadence_warning, sport_verdict)

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
                        repairs.append(Notice(f"XML uses namespace prefix(es) {', '.join(prefixes)} without declaring them; "
                                       "read by local element names", "xml-repaired"))
                    continue
            raise CorruptFileError(f"malformed XML ({exc})", path) from None
        except (ValueError, UnicodeError, LookupError) as exc:  # bad or unknown encoding declarations
            raise CorruptFileError(f"malformed XML ({exc})", path) from None
    if "leading" in done and repairs is not None:
        repairs.append(Notice("whitespace before the XML declaration ignored", "xml-repaired"))
    return root


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
    decision : Notice
        The unit the input was taken to be and why, for warnings/metadata (code
        ``cadence-strides`` when the values say strides/min, the watch convention; else
        ``cadence-unit``).
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
        code = "cadence-unit"
    else:
        moving = values[np.isfinite(values) & (values > 20)]
        if moving.size == 0:
            decided, why = default_unit, "no moving samples; format convention"
            code = "cadence-unit"
        else:
            med = float(np.median(moving))
            decided = "steps/min" if med > 110 else "strides/min"
            why = f"median {med:.0f} of moving samples"
            # strides/min by its values is what every watch format stores: a note, not a warning
            code = "cadence-strides" if decided == "strides/min" else "cadence-unit"
    out = values * 2.0 if decided == "strides/min" else values
    return out, Notice(f"cadence read as {decided} ({why})", code)


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
        warnings.append(Notice(f"{back} timestamp(s) run backwards; samples were re-ordered", "timestamps-repaired"))
    if dup:
        warnings.append(Notice(f"{dup} duplicate timestamp(s); later duplicates dropped", "timestamps-repaired"))
    if dt.size:
        big = dt > 3600.0
        if big.any():
            warnings.append(Notice(
                f"{int(big.sum())} time jump(s) longer than one hour (largest {float(dt.max()) / 3600:.1f} h)",
                "time-jump"))


def build_recording(
    *,
    epoch_s: np.ndarray,
    channels: Mapping[str, np.ndarray],
    provenance: Mapping[str, str],
    source_format: str,
    path,
    warnings: Sequence[str],
    metadata: dict,
    verdict: SportVerdict | None = None,
    distance_source: str | None = None,
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
    verdict : SportVerdict, optional
        The reader's :func:`~gaitload.io.sport.sport_verdict` (it decided the cadence unit),
        recorded as ``metadata["sport_verdict"]``; None decides it from the metadata's sport
        and the kept channels.
    distance_source : {"device", "positions"}, optional
        Where the distance channel comes from, recorded as ``metadata["distance_source"]``
        when there is a distance channel (see :data:`gaitload.io.sport.DISTANCE_SOURCES`).

    Raises
    ------
    NoStepsError
        The file holds fewer than two samples: an activity with nothing in it.
    NoClockError
        Fewer than two of its samples carry a time (a :class:`~gaitload.errors.TimestampError`).
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
            warnings.append(Notice(f"{int(far.sum())} sample(s) dated more than {MAX_ACTIVITY_SPAN_S / 2 / 86400:.0f} "
                                   "days from the rest of the file dropped", "samples-dropped"))
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
        # one sample is an activity with nothing in it (no step to place); samples without times
        # are an activity with no clock: either is no run, listed as skipped in a season
        raise (NoStepsError if t.size < 2 else NoClockError)(problem, path)
    if n_drop:
        warnings.append(Notice(f"{n_drop} sample(s) without a usable timestamp dropped", "samples-dropped"))
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
    if distance_source is not None and "distance" in chans:
        if distance_source not in DISTANCE_SOURCES:
            raise ValueError(f"distance_source must be one of {DISTANCE_SOURCES}, got {distance_source!r}")
        meta["distance_source"] = distance_source
    rec = Recording(
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
    set_sport_verdict(rec, verdict)
    return rec


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
