"""Unit tables and unit detection for tabular sensor logs.

Every decision is returned together with *how* it was made (``"hint"``, ``"header"``,
``"format"`` or ``"data"``) so readers can store it in ``Recording.metadata["units"]`` and warn
when a unit was only inferred from the numbers.

Data rules (used only when neither a hint nor the column header names the unit):

* acceleration: the median magnitude of the acceleration vector of a body-worn sensor is gravity,
  1 g = 9.80665 m/s^2, plus the motion: about 1 g for a trunk or wrist, up to 2-2.5 g for a
  running foot or shank whose swing and impacts dominate the samples, up to about 3.5 g for a
  shoe sensor in fast running. A median in [0.5, 3.2] means g, in [5, 45] means m/s^2; anything
  else is implausible and raises :class:`UnitError`.
* angular rate: a human segment never turns faster than about 35 rad/s (2000 deg/s, the full
  range of body-worn gyroscopes); a foot in walking peaks near 400-600 deg/s and a trunk near
  50-150 deg/s. A 99.5th-percentile rate above 40 therefore means deg/s, otherwise rad/s.
* time: an epoch is recognised from its magnitude (seconds since 1970 between 2000 and 2100 in
  s, ms, us or ns); a relative clock's unit is the one that makes the median sample interval
  fall in the expected range of sampling rates for the reader (10-5000 Hz for an IMU, 0.05-20 Hz
  for watch records), trying s, ms, us, ns in that order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..notice import Notice
from .. import quantiles
from ..errors import OptionError, TimestampError, UnitError

__all__ = [
    "G0_MPS2",
    "UnitDecision",
    "ACC_SCALE",
    "GYR_SCALE",
    "TIME_SCALE",
    "unit_from_text",
    "normalise_unit",
    "infer_acc_unit",
    "infer_gyr_unit",
    "decode_time",
    "TimeBase",
    "choose_clock",
    "clock_notice",
]

#: Said of datetime text without a time zone (read as UTC: a guess, unlike a written zone).
_NO_ZONE = " (no time zone written: taken as UTC)"

#: Standard gravity, m/s^2 (CGPM 1901).
G0_MPS2 = 9.80665

#: Factor that converts a value in the key's unit to m/s^2.
ACC_SCALE = {"g": G0_MPS2, "m/s^2": 1.0, "mg": G0_MPS2 / 1000.0}
#: Factor that converts a value in the key's unit to rad/s.
GYR_SCALE = {"rad/s": 1.0, "deg/s": np.pi / 180.0}
#: Factor that converts a value in the key's unit to seconds.
TIME_SCALE = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}

#: Largest plausible median |acc| in g: gravity plus motion; a running foot or shank reaches
#: 2-2.5 g (impacts and swing dominate its samples), so 3.2 g leaves a margin while keeping a
#: gap (3.2-5) where the unit is really unknown.
_MAX_MEDIAN_G = 3.2
#: Largest plausible median |acc| in m/s^2. Not 3.2 g: the two ranges need not mirror each
#: other, since 0.5-3.2 (g) and 5-45 (m/s^2) cannot overlap. A shoe-mounted sensor in fast
#: running reaches a median of 34.4 m/s^2 = 3.5 g (gaitload.simulate foot runs at 3.7-3.85 m/s,
#: 2 of the 50 foot-IMU runs of the season benchmark, which the former bound of 31.4 refused);
#: 45 m/s^2 = 4.6 g leaves a margin above that (judgement: a foot that spends half its samples
#: above 4.6 g is not running). Medians of 3.2-5 stay unknown: that gap is what keeps g from
#: being taken for m/s^2.
_MAX_MEDIAN_MPS2 = 45.0

_EPOCH_MIN_S = 946_684_800.0  # 2000-01-01
_EPOCH_MAX_S = 4_102_444_800.0  # 2100-01-01

# Unit spellings seen in device exports, lower case, spaces removed.
_UNIT_ALIASES = {
    "g": "g",
    "gs": "g",
    "gravity": "g",
    "mg": "mg",
    "m/s^2": "m/s^2",
    "m/s2": "m/s^2",
    "m/s²": "m/s^2",
    "ms^-2": "m/s^2",
    "ms-2": "m/s^2",
    "m.s-2": "m/s^2",
    "m/s/s": "m/s^2",
    "mps2": "m/s^2",
    "deg/s": "deg/s",
    "°/s": "deg/s",
    "dps": "deg/s",
    "degs": "deg/s",
    "degrees/s": "deg/s",
    "deg/sec": "deg/s",
    "degree/s": "deg/s",
    "rad/s": "rad/s",
    "rads": "rad/s",
    "rad/sec": "rad/s",
    "radians/s": "rad/s",
    "s": "s",
    "sec": "s",
    "secs": "s",
    "seconds": "s",
    "second": "s",
    "ms": "ms",
    "msec": "ms",
    "milliseconds": "ms",
    "us": "us",
    "µs": "us",
    "μs": "us",
    "microseconds": "us",
    "ns": "ns",
    "nanoseconds": "ns",
}


@dataclass(frozen=True)
class UnitDecision:
    """A unit and how it was decided.

    Attributes
    ----------
    unit : str
        The unit (``"g"``, ``"deg/s"``, ``"ms"``, ``"epoch ms"``, ``"ISO datetime"``,
        ``"datetime %d/%m/%Y %H:%M:%S.%f"``...).
    decided_by : str
        ``"hint"``, ``"header"``, ``"format"`` or ``"data"``.
    detail : str
        One phrase of evidence (the header text, the statistic that decided).
    """

    unit: str
    decided_by: str
    detail: str = ""

    def as_dict(self) -> dict:
        """JSON-serialisable form for ``Recording.metadata["units"]``."""
        return {"unit": self.unit, "decided_by": self.decided_by, "detail": self.detail}


def normalise_unit(text: str | None) -> str | None:
    """Canonical spelling of a unit string (``"m/s²"`` -> ``"m/s^2"``), or None if unknown."""
    if text is None:
        return None
    key = re.sub(r"\s+", "", str(text).strip().lower())
    return _UNIT_ALIASES.get(key)


def unit_from_text(header: str) -> str | None:
    """The unit written inside a column header, if any.

    Looks for text in parentheses or brackets (``"Acceleration x (m/s^2)"``, ``"gyr_x [deg/s]"``)
    and for a trailing unit token (``"acc_x_g"``, ``"time_ms"``).

    Returns
    -------
    str or None
        A key of :data:`ACC_SCALE`, :data:`GYR_SCALE` or :data:`TIME_SCALE`, or None.
    """
    for inner in re.findall(r"[\(\[\{]([^\)\]\}]*)[\)\]\}]", header):
        unit = normalise_unit(inner)
        if unit is not None:
            return unit
    tail = re.split(r"[_\s]+", header.strip().lower())
    if len(tail) > 1:
        unit = {"g": "g", "mps2": "m/s^2", "ms2": "m/s^2", "dps": "deg/s", "degs": "deg/s",
                "rads": "rad/s", "s": "s", "sec": "s", "ms": "ms", "us": "us", "ns": "ns"}.get(tail[-1])
        if unit is not None:
            return unit
    return None


def _check_hint(value: str, allowed, name: str) -> str:
    unit = normalise_unit(value) or value
    if unit not in allowed:
        raise OptionError(f"{name}={value!r} is not a known unit; use one of {', '.join(allowed)}")
    return unit


def _magnitude(values) -> np.ndarray:
    """Row-wise Euclidean norm, missing cells counted as 0.

    Parameters
    ----------
    values : ndarray, shape (n, k), or list of k ndarrays of shape (n,)
        Samples, one column (or one array) per axis.

    Returns
    -------
    ndarray, shape (n,)
        The same numbers as ``np.sqrt(np.nansum(np.square(values), axis=1))`` (squares added
        in axis order), summed column by column: numpy's reduction over rows of 3 is ~5x slower.
    """
    if isinstance(values, (list, tuple)):
        columns = [np.asarray(c, dtype=np.float64).ravel() for c in values]
    else:
        values = np.asarray(values, dtype=np.float64)
        if values.ndim == 1:
            values = values[:, None]
        columns = [values[:, j] for j in range(values.shape[1])]
    with np.errstate(over="ignore", invalid="ignore"):
        if columns:
            # no missing cell (the usual case): the squares added in the same order, no masks
            # (a NaN anywhere makes the maximum NaN); one scratch array for the squares
            total = np.square(columns[0])
            scratch = np.empty_like(total) if len(columns) > 1 else None
            for column in columns[1:]:
                total += np.square(column, out=scratch)
            if not np.isnan(total.max(initial=0.0)):
                return np.sqrt(total, out=total)
    total = np.zeros(columns[0].size if columns else 0)
    with np.errstate(over="ignore"):  # a garbled 1e300 squares to inf: not finite, left out
        for column in columns:  # over the (at most a few) axes, not over samples
            sq = np.square(column)
            np.add(total, sq, out=total, where=~np.isnan(sq))
    return np.sqrt(total, out=total)


def infer_acc_unit(acc: np.ndarray, hint: str | None = None, header_unit: str | None = None) -> UnitDecision:
    """Decide whether accelerations are in g or m/s^2.

    Parameters
    ----------
    acc : ndarray, shape (n, k), or list of k ndarrays of shape (n,)
        Raw acceleration samples, one column (or array) per axis (1-3 axes).
    hint : str, optional
        ``"g"``, ``"mg"`` or ``"m/s^2"``; wins over everything.
    header_unit : str, optional
        Unit written in the column header.

    Raises
    ------
    UnitError
        The median magnitude is neither about 1 (g) nor about 9.81 (m/s^2).
    """
    if hint is not None:
        return UnitDecision(_check_hint(hint, ACC_SCALE, "acc_unit"), "hint", f"acc_unit={hint!r}")
    if header_unit in ACC_SCALE:
        return UnitDecision(header_unit, "header", f"unit {header_unit!r} in the column name")
    mag = _magnitude(acc)
    # every magnitude finite and positive (the usual case): nothing to drop, no copy (two
    # reductions prove it: a NaN makes the minimum NaN, an infinity the maximum; no mask pass)
    if not (mag.size and mag.min() > 0 and np.isfinite(mag.max())):
        mag = mag[np.isfinite(mag) & (mag > 0)]
    if mag.size == 0:
        raise UnitError("acceleration unit cannot be inferred: no finite acceleration sample")
    median = float(quantiles.median(mag))
    if 0.5 <= median <= _MAX_MEDIAN_G:
        return UnitDecision("g", "data", f"acceleration unit inferred as g from the median acceleration magnitude {median:.2f}")
    if 5.0 <= median <= _MAX_MEDIAN_MPS2:
        return UnitDecision(
            "m/s^2", "data", f"acceleration unit inferred as m/s^2 from the median acceleration magnitude {median:.2f}"
        )
    raise UnitError(
        f"acceleration unit unknown: median |acc| is {median:.3g}, neither about 1 (g) nor about 9.81 (m/s^2); "
        "pass acc_unit='g' or 'm/s^2' (gravity-free 'linear acceleration' cannot be auto-detected)"
    )


def infer_gyr_unit(gyr: np.ndarray, hint: str | None = None, header_unit: str | None = None) -> UnitDecision:
    """Decide whether angular rates are in deg/s or rad/s.

    Parameters
    ----------
    gyr : ndarray, shape (n, k), or list of k ndarrays of shape (n,)
        Raw angular-rate samples, one column (or array) per axis.
    hint : str, optional
        ``"deg/s"`` or ``"rad/s"``; wins over everything.
    header_unit : str, optional
        Unit written in the column header.
    """
    if hint is not None:
        return UnitDecision(_check_hint(hint, GYR_SCALE, "gyr_unit"), "hint", f"gyr_unit={hint!r}")
    if header_unit in GYR_SCALE:
        return UnitDecision(header_unit, "header", f"unit {header_unit!r} in the column name")
    mag = _magnitude(gyr)
    if mag.size and not np.isfinite(mag.max()):  # magnitudes are >= 0: NaN or inf decide the maximum
        mag = mag[np.isfinite(mag)]
    if mag.size == 0:
        raise UnitError("angular-rate unit cannot be inferred: no finite gyroscope sample")
    peak = float(quantiles.percentile(mag, 99.5))
    unit = "deg/s" if peak > 40.0 else "rad/s"
    return UnitDecision(unit, "data", f"angular-rate unit inferred as {unit} from the peak rate {peak:.3g}")


@dataclass
class TimeBase:
    """A decoded clock column.

    Attributes
    ----------
    time_s : ndarray
        Seconds from the first sample (float64).
    start_time : pandas.Timestamp or None
        Absolute UTC time of the first sample, when the column is an epoch or a datetime.
    decision : UnitDecision
        The unit and how it was chosen.
    """

    time_s: np.ndarray
    start_time: pd.Timestamp | None
    decision: UnitDecision


_TZ_ABBR = {"UTC": "+0000", "GMT": "+0000", "Z": "+0000", "EST": "-0500", "EDT": "-0400", "CST": "-0600",
            "CDT": "-0500", "MST": "-0700", "MDT": "-0600", "PST": "-0800", "PDT": "-0700", "CET": "+0100",
            "CEST": "+0200", "BST": "+0100"}
_TZ_ABBR_RE = re.compile(r"\b(?P<zone>UTC|GMT|EST|EDT|CST|CDT|MST|MDT|PST|PDT|CET|CEST|BST)\b")
_DURATION_RE = re.compile(r"^\s*-?\d+:\d{1,2}(:\d{1,2})?(\.\d+)?\s*$")


def decode_time(
    values: pd.Series,
    rate_range_hz: tuple[float, float],
    hint: str | None = None,
    header_unit: str | None = None,
) -> TimeBase:
    """Turn a time column into seconds from the first sample and an absolute start time.

    Parameters
    ----------
    values : pandas.Series
        The raw column: numbers (s, ms, us, ns, relative or epoch), ISO/RFC datetimes, or
        ``[h:]mm:ss`` elapsed durations.
    rate_range_hz : (float, float)
        Plausible sampling rates for this kind of file; decides between s/ms/us/ns.
    hint : str, optional
        ``"s"``, ``"ms"``, ``"us"`` or ``"ns"`` (the ``time_unit`` hint).
    header_unit : str, optional
        Time unit written in the column header.

    Raises
    ------
    TimestampError
        The column cannot be read as time.
    """
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        if _surely_text(values):
            return _decode_text_time(values.astype(str))
        numeric = pd.to_numeric(values, errors="coerce")
        if numeric.notna().mean() < 0.9:
            return _decode_text_time(values.astype(str))
        values = numeric  # a numeric clock with a few junk cells: those samples get no time
    raw = values.to_numpy()
    finite = _finite_mask(raw)
    n_finite = raw.size if finite is None else int(np.count_nonzero(finite))
    if n_finite < 2:
        raise TimestampError("the time column has fewer than 2 numeric values")
    first = raw[0 if finite is None else int(np.argmax(finite))]
    # subtract in the native dtype first: an int64 ns epoch loses precision as float64
    rel = (raw - first).astype(np.float64) if raw.dtype.kind in "iu" else raw.astype(np.float64, copy=False) - float(first)
    if hint is not None:
        unit = _check_hint(hint, TIME_SCALE, "time_unit")
        how, detail = "hint", f"time_unit={hint!r}"
    elif header_unit in TIME_SCALE:
        unit, how, detail = header_unit, "header", f"unit {header_unit!r} in the column name"
    else:
        unit = None
    if unit is None:
        # an epoch: the magnitude itself says which unit
        for cand, scale in TIME_SCALE.items():
            if _EPOCH_MIN_S <= float(first) * scale <= _EPOCH_MAX_S:
                unit, how, detail = cand, "data", f"time inferred as epoch {cand} from its magnitude {float(first):.4g}"
                break
    if unit is None:
        # the median interval only when the data must decide (a hint or the header did not)
        dt = np.diff(rel if finite is None else rel[finite])
        dt_pos = dt[dt > 0]
        med_dt = float(quantiles.median(dt_pos)) if dt_pos.size else float("nan")
        if not np.isfinite(med_dt):
            raise TimestampError("the time column never increases")
        lo, hi = rate_range_hz
        for cand, scale in TIME_SCALE.items():
            if lo <= 1.0 / (med_dt * scale) <= hi:
                unit, how = cand, "data"
                detail = f"time unit inferred as {cand} from the median sample interval {med_dt:.4g}"
                break
        if unit is None:
            raise TimestampError(
                f"time unit unknown: median interval {med_dt:.4g} gives no plausible sampling rate "
                f"({lo:g}-{hi:g} Hz) in s, ms, us or ns; pass time_unit="
            )
    scale = TIME_SCALE[unit]
    start = None
    label = unit
    # rel is this function's own array: x * 1.0 == x, so a clock in seconds needs no pass
    time_s = rel if scale == 1.0 else rel * scale
    if _EPOCH_MIN_S <= float(first) * scale <= _EPOCH_MAX_S:
        start = pd.Timestamp(int(round(float(first) * scale * 1e9)), unit="ns", tz="UTC")
        if raw.dtype.kind in "iu" and unit == "ns":
            start = pd.Timestamp(int(first), unit="ns", tz="UTC")
        label = f"epoch {unit}"
        if raw.dtype.kind == "f":
            # a float64 epoch holds today's date to about 0.24 us (one ulp of 1.7e9 s), so
            # "1540490250.01" - "1540490250.00" is 0.0099999905 and the next step 0.0100002289:
            # a 100 Hz clock would read as 100.0001 Hz. Digits below 1 us are that representation
            # noise, never data: round them off.
            time_s = np.round(time_s, 6)
    return TimeBase(time_s, start, UnitDecision(label, how, detail))


def _finite_mask(raw: np.ndarray) -> np.ndarray | None:
    """Which values of a numeric clock are finite, or None when all are (the usual case).

    Integers are always finite.
    """
    if raw.dtype.kind in "iu":
        return None
    finite = np.isfinite(raw.astype(np.float64, copy=False))
    return None if finite.all() else finite


def _surely_text(values: pd.Series) -> bool:
    """True when more than 10 % of the cells hold ``:`` or ``/``, so fewer than 90 % can be numbers.

    No number contains either character and every datetime or ``[h:]mm:ss`` duration does, so
    this gives the same decision as ``pd.to_numeric(values).notna().mean() < 0.9`` in
    :func:`decode_time` for such columns, without parsing each cell as a number first
    (element-wise ``to_numeric`` of 100,000 ISO strings costs ~70 ms; this test ~3 ms).
    """
    n = len(values)
    if not n:
        return False
    if values.dtype != object and pd.api.types.is_string_dtype(values.dtype):
        # the first eighth of a string column holds more than 10 % of its cells: when enough of
        # them hold ":" the whole column must (the usual datetime column; a string column always
        # has the .str methods, an object column is tested whole below)
        head = values.iloc[: n // 8 + 2].str.contains(":", regex=False, na=False).to_numpy(dtype=bool)
        if np.count_nonzero(head) / n > 0.1:
            return True
    marked = np.zeros(n, dtype=bool)
    for sep in (":", "/"):  # two plain substring tests: faster than one regex
        try:
            marked |= values.str.contains(sep, regex=False, na=False).to_numpy(dtype=bool)
        except (AttributeError, TypeError):  # an object column without strings: to_numeric decides
            return False
        if marked.mean() > 0.1:
            return True
    return False


def _filled(text: pd.Series) -> pd.Series:
    """The cells of ``text`` that hold something: not missing, not blank, not ``"nan"``."""
    # missing cells are float NaN in an object column: keep them out of the string tests
    return text[text.notna() & text.str.strip().ne("") & text.ne("nan")]


def _first_filled(text: pd.Series, k: int = 50) -> pd.Series:
    """The first ``k`` cells of ``text`` that hold something (:func:`_filled`), or all there are.

    Only those are ever looked at (format tests on the first 50 or 20, the first for messages),
    so the string tests run on the first ``4 k`` rows, and on all only when these hold fewer
    than ``k`` (~0.3 ms saved per 3,600 rows).
    """
    cells = _filled(text.iloc[: 4 * k])
    if len(cells) < k and len(text) > 4 * k:
        cells = _filled(text)
    return cells.iloc[:k]


#: How an ISO 8601 date starts (2026-12-01, or 20261201 in the basic format).
_ISO_START_RE = re.compile(r"\s*[+-]?\d{4}-?\d\d")


def _decode_text_time(text: pd.Series) -> TimeBase:
    sample = _first_filled(text)
    if sample.empty:
        raise TimestampError("the time column is empty")
    if sample.head(50).str.match(_DURATION_RE).all():
        # "[h:]mm:ss" elapsed clock: pad mm:ss to h:mm:ss for to_timedelta
        padded = text.where(text.str.count(":") >= 2, "0:" + text)
        td = pd.to_timedelta(padded.str.strip(), errors="coerce")
        secs = td.dt.total_seconds().to_numpy(dtype=np.float64)
        if not np.isfinite(secs).any():
            raise TimestampError("the elapsed-time column holds no readable h:mm:ss value")
        first = secs[np.isfinite(secs)][0]
        return TimeBase(secs - first, None, UnitDecision("elapsed h:mm:ss", "data", "elapsed-time text"))
    # US zone abbreviations (``Mon Jun 12 09:09:22 PDT 2017``, as `date` prints) -> numeric offsets
    if sample.head(20).map(lambda v: bool(_TZ_ABBR_RE.search(v))).any():
        text = text.str.replace(_TZ_ABBR_RE, lambda m: _TZ_ABBR[m.group("zone")], regex=True)
        sample = text[text.str.strip().ne("") & text.ne("nan")]
    first = str(sample.iloc[0]).strip()
    ts = pd.Series(pd.NaT, index=text.index)
    unit = "ISO datetime"
    if _ISO_START_RE.match(first):  # an ISO pass over other text reads nothing (0.3 s per hour at 100 Hz)
        try:
            ts = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601")
        except (ValueError, TypeError):
            pass
    order_note = ""
    if ts.notna().mean() < 0.5:
        # one format for the whole column, guessed from its first cell: parsed in one vectorised
        # pass (format="mixed" parses cell by cell: 25 s instead of 0.3 s for an hour at 100 Hz)
        guessed, fmt, order_note = _times_in_guessed_format(text, first)
        if guessed is not None:
            ts, unit = guessed, f"datetime {fmt}"
    if ts.notna().mean() < 0.5:
        order_note, unit = "", "datetime (mixed formats)"
        try:
            ts = pd.to_datetime(text, errors="coerce", utc=True, format="mixed")
        except (ValueError, TypeError):
            ts = pd.Series(pd.NaT, index=text.index)
    if ts.notna().mean() < 0.5:
        raise TimestampError(f"time values like {sample.iloc[0]!r} are neither numbers nor datetimes")
    naive = not bool(re.search(r"(Z|[+-]\d\d:?\d\d)\b", first))
    ns = ts.to_numpy(dtype="datetime64[ns]").astype("int64")
    first_idx = int(np.flatnonzero(ts.notna().to_numpy())[0])
    # subtract as int64: ns since 1970 do not fit a float64 mantissa
    rel = (ns - ns[first_idx]).astype(np.float64)
    rel[ts.isna().to_numpy()] = np.nan
    start = ts.iloc[first_idx]
    detail = (f"time read as datetime text, first {start.isoformat()}" + (_NO_ZONE if naive else "")
              + order_note)
    return TimeBase(rel * 1e-9, start, UnitDecision(unit, "data", detail))


def _times_in_guessed_format(text: pd.Series, first: str) -> tuple[pd.Series | None, str, str]:
    """Datetimes of ``text`` parsed in the strftime format of its first cell, that format, and a note.

    The format is guessed by :func:`pandas.tseries.api.guess_datetime_format`. A date such as
    ``01/12/2026`` reads month first or day first; both orders are tried on every k-th cell
    (about 4,000) and the data decide: the order that reads more cells, then the one whose
    clock never jumps as far (a run that crosses midnight on 01/12 -> 02/12 moves by a day,
    not a month). When both read the cells alike (one day's run) the start date stays
    ambiguous: month first, as pandas reads it, and the note says so. The chosen format then
    parses the whole column in one vectorised pass.

    Returns
    -------
    times : Series of datetime64 (UTC) or None
        None when no format could be guessed or it reads no cell.
    fmt : str
        The strftime format used ("" when ``times`` is None).
    note : str
        Appended to the clock's description ("" when the order was not in doubt).
    """
    import warnings

    from pandas.tseries.api import guess_datetime_format

    with warnings.catch_warnings():  # pandas warns when a day-first date is read without dayfirst
        warnings.simplefilter("ignore")
        month_first = guess_datetime_format(first)
        day_first = guess_datetime_format(first, dayfirst=True)
    formats = [f for f in (month_first, day_first) if f]
    # year-first dates (2026/12/01) are year-month-day by convention, whatever dayfirst says
    formats = list(dict.fromkeys(f for i, f in enumerate(formats) if i == 0 or not f.startswith("%Y")))
    if not formats:
        return None, "", ""
    scored = []
    if len(formats) == 2:
        # the order is chosen on every k-th cell (~4,000 cells, the last one too), then the
        # whole column parsed once: a parse costs ~3 us per cell
        step = max(1, len(text) // 4096)
        probe = pd.concat([text.iloc[::step], text.iloc[-1:]])
        for fmt in formats:
            try:
                ts = pd.to_datetime(probe, errors="coerce", utc=True, format=fmt)
            except (ValueError, TypeError):
                continue
            ok = ts.notna().to_numpy()
            ns = ts.to_numpy(dtype="datetime64[ns]").astype("int64")[ok]
            jump = int(np.abs(np.diff(ns)).max()) if ns.size > 1 else 0
            scored.append((-int(ok.sum()), jump, fmt))
    scored.sort(key=lambda score: score[:2])  # most cells read, then smallest jump; a tie keeps month first
    note = ""
    if len(scored) == 2 and scored[0][:2] == scored[1][:2]:
        note = f"; day and month order ambiguous in {first!r}: read as {scored[0][2]}"
    elif len(scored) == 2:
        note = f"; read as {scored[0][2]} (the other day/month order fits the data worse)"
    fmt = scored[0][2] if scored else formats[0]
    try:
        ts = pd.to_datetime(text, errors="coerce", utc=True, format=fmt)
    except (ValueError, TypeError):
        return None, "", ""
    return (ts, fmt, note) if ts.notna().any() else (None, "", "")


def choose_clock(
    frame: pd.DataFrame,
    candidates: list[tuple[str, str | None]],
    rate_range_hz: tuple[float, float],
    warnings: list[str],
    time_unit: str | None = None,
    forced: set[str] | frozenset[str] = frozenset(),
) -> tuple[str, TimeBase] | None:
    """Decode every candidate time column and pick one.

    A column the user named (``forced``) wins; else a clock with an absolute start (epoch or
    datetime), because it also gives ``start_time``; else the first decodable one. Columns that
    cannot be read as time are reported in ``warnings`` and skipped.

    Parameters
    ----------
    frame : DataFrame
    candidates : list of (column name, unit text from its header)
    rate_range_hz : (float, float)
        Plausible sampling rates, passed to :func:`decode_time`.
    warnings : list of str
        Appended to.
    time_unit : str, optional
        The ``time_unit`` hint.
    forced : set of str
        Columns the ``columns=`` hint mapped to time.

    Returns
    -------
    (column name, TimeBase) or None when no candidate decodes.
    """
    decoded = []
    for name, unit in candidates:
        try:
            decoded.append((name, decode_time(frame[name], rate_range_hz, hint=time_unit,
                                              header_unit=normalise_unit(unit))))
        except TimestampError as exc:
            warnings.append(Notice(f"column {name!r} not used as time: {exc.problem}", "clock-inferred"))
    if not decoded:
        return None
    return next(((n, t) for n, t in decoded if n in forced),
                next(((n, t) for n, t in decoded if t.start_time is not None), decoded[0]))


def clock_notice(decision: UnitDecision) -> Notice:
    """The notice for a time column whose unit the data decided.

    Two readings admit no other and are notes (code ``clock-unambiguous``): an epoch read from
    its magnitude (the s, ms, us and ns readings of one number are a factor of 1000 apart, and
    only one falls in the plausible range of dates), and ISO 8601 text with its time zone
    written. A unit read from the median sample interval, a guessed date order or a time with no
    zone taken as UTC are judgements the user may need to correct (code ``clock-inferred``).
    """
    certain = decision.unit.startswith("epoch") or (
        decision.unit == "ISO datetime" and _NO_ZONE not in decision.detail)
    return Notice(decision.detail, "clock-unambiguous" if certain else "clock-inferred")
