"""Foot contacts for every sensor placement: :func:`detect_steps` and :class:`StepDetection`.

The dispatcher picks the detector for the placement (given, from the file, or detected from the
signal by :func:`~gaitload.events.placement.detect_placement`), runs it on every contiguous
piece of the recording (never across a pause), merges sensors, fills in the contacts a single
foot sensor cannot see, and computes step time and cadence from consecutive contacts.

Cadence smoothing: ``cadence_spm = 120 / (step_time_s[i] + step_time_s[i+1])`` (one stride, so a
left/right asymmetry cancels; ``60 / step_time_s`` at the last step), smoothed with a centred rolling median over
``cadence_window_steps`` (default 5) steps: a median rejects a single missed or extra contact and
5 steps (about 1.7 s of running) still follows a surge or a climb.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..blas import one_blas_thread
from ..errors import OptionError, SignalError
from ..notice import Notice, reword
from ..recording import Recording
from .foot_options import FootOptions
from .options import DetectorOptions
from .placement import IMUColumns, acc_array, contiguous_segments, detect_placement, gyr_array

__all__ = ["detect_steps", "StepDetection", "detect_placement", "detector_option_names", "DetectorOptions",
           "FootOptions", "LumbarOptions", "WristOptions", "AnkleOptions"]


def __getattr__(name: str):
    # the lumbar and wrist options live beside their detectors (imported on first use)
    if name == "LumbarOptions":
        from .lumbar import LumbarOptions

        return LumbarOptions
    if name in ("WristOptions", "AnkleOptions"):
        from . import wrist

        return getattr(wrist, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

_IMU_PLACEMENTS = ("foot", "shank", "lumbar", "wrist")
_PLACEMENT_ORDER = {"foot": 0, "shank": 1, "lumbar": 2, "wrist": 3, "records": 4}
_ACC, _GYR = ("acc_x", "acc_y", "acc_z"), ("gyr_x", "gyr_y", "gyr_z")
_FLOAT_COLS = ("time_s", "toe_off_s", "step_time_s", "contact_time_ms", "cadence_spm", "strike_angle_deg",
               "strike_confidence")


@dataclass
class StepDetection:
    """Result of :func:`detect_steps`.

    Attributes
    ----------
    steps : DataFrame
        One row per foot contact, sorted by ``time_s``.
    placement : str
        Placement used.
    placement_evidence : str
        How the placement was decided (``"given"``, or the features that decided it).
    warnings : list of str
    """

    steps: pd.DataFrame
    placement: str
    placement_evidence: str
    warnings: list[str] = field(default_factory=list)


@one_blas_thread
def detect_steps(recording: Recording, placement: str | None = None, *, cadence_window_steps: int = 5,
                 max_step_time_s: float = 2.0, detector_options: Mapping[str, Any] | DetectorOptions | None = None,
                 **options) -> StepDetection:
    """Detect every foot contact of a recording.

    Parameters
    ----------
    recording : Recording
        Single- or multi-sensor recording.
    placement : str, optional
        ``foot``, ``shank``, ``lumbar``, ``wrist`` or ``records``; overrides the file and the
        signal-based guess.
    cadence_window_steps : int
        Rolling-median window for ``cadence_spm``, steps.
    max_step_time_s : float
        Step times longer than this (a stop) are NaN, s.
    detector_options : mapping or DetectorOptions, optional
        The placement's detector's parameters: an options object (``FootOptions(...)`` for a
        foot or shank with a gyroscope) or a mapping of its names (e.g. ``{"ic_method":
        "gyro_min"}``, ``{"method": "walking"}`` for the lumbar detector).
    **options
        More of the detector's parameters by name, applied over ``detector_options``.

    Returns
    -------
    StepDetection

    Raises
    ------
    OptionError
        Unknown placement; an option the placement's detector does not take (the message names
        it and lists the valid ones) or cannot use.
    SignalError
        The signal cannot give foot strikes (too slow for the placement, nothing usable).
    """
    if not isinstance(recording, Recording):
        raise OptionError(f"detect_steps needs a Recording, got {type(recording).__name__}")
    options = _merged_options(detector_options, options)
    warnings: list[str] = []
    sensors = recording.sensors
    if sensors != [""]:
        return _multi_sensor(recording, placement, cadence_window_steps, max_step_time_s, options)
    place, evidence = detect_placement(recording, placement)
    steps, w = _single(recording, place, options)
    warnings += w
    steps = _finish(steps, recording, cadence_window_steps, max_step_time_s, place)
    return StepDetection(steps, place, evidence, list(dict.fromkeys(warnings)))


def _multi_sensor(rec: Recording, placement, cadence_window_steps, max_step_time_s, options) -> StepDetection:
    views = {name: rec.sensor(name) for name in rec.sensors}
    decided = {}
    for name, view in views.items():  # a handful of sensors
        hint = placement if placement is not None and placement != "records" else None
        decided[name] = detect_placement(view, hint)
    feet = [n for n, (p, _) in decided.items() if p in ("foot", "shank")]
    warnings: list[str] = []
    if feet:
        chosen = feet
        others = [n for n in decided if n not in feet]
        if others:
            # a sensor on the foot or shank times contacts best (Norris 2014, literature.md 4.1; ankle
            # counts steps best, 4.2): a trunk or wrist sensor beside it is not averaged in
            used = ", ".join(f"{n} ({decided[n][0]})" for n in chosen)
            unused = ", ".join(f"{n} ({decided[n][0]})" for n in others)
            warnings.append(Notice(f"contacts from {used}; {unused} not used for contacts", "sensor-choice"))
    else:
        chosen = [min(decided, key=lambda n: _PLACEMENT_ORDER.get(decided[n][0], 9))]
    frames = []
    for name in chosen:
        view = views[name]
        st, w = _single(view, decided[name][0], options, infer_other=len(chosen) == 1)
        warnings += [reword(x, f"{name}: {x}") for x in w]
        frames.append(_as_frame(st))
    steps = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if len(chosen) > 1:
        steps = steps.sort_values("time_s", kind="stable").reset_index(drop=True)
    place = decided[chosen[0]][0]
    evidence = "; ".join(f"{n}: {decided[n][0]} ({decided[n][1]})" for n in chosen)
    steps = _finish(steps, rec, cadence_window_steps, max_step_time_s, place)
    return StepDetection(steps, place, evidence, list(dict.fromkeys(warnings)))


def _single(rec: Recording, place: str, options, infer_other: bool = True) -> tuple[pd.DataFrame, list[str]]:
    """Contacts from one sensor view, concatenated over its contiguous pieces."""
    if place == "records":
        if isinstance(options, DetectorOptions):
            raise OptionError(f"{type(options).__name__} given, but the records placement (steps from the device's "
                              "cadence) takes no detector options")
        if options:
            raise OptionError(f"unknown option {next(iter(options))!r}: the records placement (steps from the "
                              "device's cadence) takes no detector options")
        return _records(rec)
    if not rec.has(*_ACC):
        raise SignalError(f"placement {place!r} needs acceleration channels acc_x, acc_y, acc_z")
    fs = float(rec.sampling_rate_hz)
    # the foot / shank detector takes the recording's own columns (IMUColumns: it stacks them
    # once and checks them without a transposed copy); the other detectors (n, 3) arrays
    by_columns = place in ("foot", "shank") and rec.has(*_GYR)
    options = _checked_options(place, by_columns, options)  # once, before any piece runs
    acc = None if by_columns else acc_array(rec)
    gyr = None if by_columns else gyr_array(rec)
    warnings: list[str] = []
    frames = []
    segments = contiguous_segments(rec.time_s, rec.gaps_s)
    for a, b in segments:  # pieces between pauses: few
        t = rec.time_s[a:b]
        if b - a < max(8, int(2 * fs)):
            continue
        if by_columns:
            acc_ab = IMUColumns(*(rec.channels[c][a:b] for c in _ACC))
            gyr_ab = IMUColumns(*(rec.channels[c][a:b] for c in _GYR))
        else:
            acc_ab, gyr_ab = acc[a:b], None if gyr is None else gyr[a:b]
        ev, w = _detect_piece(place, t, acc_ab, gyr_ab, fs, rec.side, options)
        warnings += w
        if infer_other and place in ("foot", "shank") and _n_rows(ev):
            ev = _infer_other_foot(ev, rec.side)
        frames.append(ev)
    if not frames:
        warnings.append(Notice("recording too short for step detection", "no-steps"))
        return pd.DataFrame(), warnings
    if all(isinstance(f, dict) for f in frames):  # the foot detector's columns: no table until _finish
        return {name: np.concatenate([f[name] for f in frames]) for name in frames[0]}, warnings
    return pd.concat([_as_frame(f) for f in frames], ignore_index=True), warnings


def _as_frame(table: pd.DataFrame | dict) -> pd.DataFrame:
    """A piece's contacts as a table (the foot detector's are column arrays, see :func:`_detect_piece`)."""
    return _frame(table) if isinstance(table, dict) else table


def _n_rows(table: pd.DataFrame | dict | None) -> int:
    """Contacts in a table or in a dict of column arrays (0 for None)."""
    if table is None:
        return 0
    return len(table["time_s"]) if isinstance(table, dict) else len(table)


def _merged_options(detector_options, options: dict):
    """``detector_options`` with the keyword ``options`` applied over it (an options object or a dict)."""
    if detector_options is None:
        return dict(options)
    if isinstance(detector_options, DetectorOptions):
        return detector_options.replace(**options) if options else detector_options
    if isinstance(detector_options, Mapping):
        return {**detector_options, **options}
    raise OptionError(f"detector_options must be a mapping or a DetectorOptions object, got "
                      f"{type(detector_options).__name__}")


def _checked_options(place: str, has_gyr: bool, options):
    """The options object of ``place``'s detector (checked: unknown names and bad values refused)."""
    if place in ("foot", "shank") and has_gyr:
        from .foot_options import FootOptions as options_type
    elif place == "lumbar":
        from .lumbar import LumbarOptions as options_type
    elif place == "wrist":
        from .wrist import WristOptions as options_type
    elif place in ("foot", "shank"):
        from .wrist import AnkleOptions as options_type
    else:
        return options  # an unknown placement: refused by _detect_piece
    return options_type.coerce(options)


def detector_option_names() -> dict[str, list[str]]:
    """Every detector's option names, by detector (``"foot"`` also serves a shank with a gyroscope)."""
    from .lumbar import LumbarOptions
    from .wrist import AnkleOptions, WristOptions

    return {"foot": FootOptions.names(), "lumbar": LumbarOptions.names(), "wrist": WristOptions.names(),
            "ankle (no gyroscope)": AnkleOptions.names()}


def _detect_piece(place, t, acc, gyr, fs, side, options):
    """One contiguous piece's contacts and warnings: a table, or for the foot / shank detector
    with a gyroscope a dict of column arrays (:func:`_as_frame` makes it a table)."""
    if place == "lumbar":
        from .lumbar import detect_lumbar_events

        ev, w = detect_lumbar_events(t, acc, fs, options)
        # a contact under way at the piece's first sample has a toe-off but no IC (NaN time): a
        # step is placed at its IC, so it is no step
        ev = ev[np.isfinite(ev["time_s"].to_numpy(dtype=float))].reset_index(drop=True)
        ev = ev.drop(columns=["method"], errors="ignore")
        ev["measured"] = True
        ev["ic_approximate"] = False
        return ev, w
    if place == "wrist":
        from .wrist import detect_wrist_steps

        ev, w = detect_wrist_steps(t, acc, fs, options)
        ev["measured"] = True
        ev["ic_approximate"] = True
        return ev, w + ["wrist: contacts are placed at the impact phase of each step; timing approximate"]
    if place in ("foot", "shank"):
        if gyr is None:
            from .wrist import detect_ankle_strides

            ev, w = detect_ankle_strides(t, acc, fs, options)
            ev["foot"] = side
            ev["measured"] = True
            ev["ic_approximate"] = True
            return ev, w + [f"{place} sensor without gyroscope: contacts from acceleration impacts, "
                            "no toe-off or strike angle"]
        from .foot import empty_events, foot_event_columns

        ev, w = foot_event_columns(t, acc, gyr, fs, placement=place, options=options)
        if ev is None:
            ev = {c: v.to_numpy() for c, v in empty_events().items()}
        # the contacts stay column arrays (renamed, three added) until _finish builds the steps
        # table: one table instead of one per stage
        cols = {("speed_mps" if c == "stride_speed_mps" else c): v for c, v in ev.items()}
        n = cols["time_s"].size
        cols.update(foot=np.full(n, side, dtype=object), measured=np.ones(n, dtype=bool),
                    ic_approximate=np.zeros(n, dtype=bool))
        return cols, list(w)
    raise OptionError(f"unknown placement {place!r}")


def _infer_other_foot(ev: pd.DataFrame | dict, side: str) -> pd.DataFrame | dict:
    """Contacts of the uninstrumented foot at the midpoints between the measured foot's contacts.

    Running is close to symmetric in time (left and right step times differ by a few percent),
    so the midpoint is the best single estimate; these rows are ``measured=False`` and carry no
    contact time, strike or stride values (unknown, not invented).
    """
    t = np.asarray(ev["time_s"], dtype=float)
    if not np.all(t[1:] >= t[:-1]):  # the detectors return sorted contacts: sort only if not
        if isinstance(ev, dict):
            order = np.argsort(t, kind="stable")
            ev = {name: values[order] for name, values in ev.items()}
        else:
            ev = ev.sort_values("time_s", kind="stable").reset_index(drop=True)
        t = np.asarray(ev["time_s"], dtype=float)
    if t.size < 2:
        return ev
    gap = np.diff(t)
    med = float(np.median(gap))
    # a long interval is a stop, not one stride: put no phantom contact in it
    ok = gap < 1.6 * med
    mid = (t[:-1] + gap / 2)[ok]
    other = {"left": "right", "right": "left"}.get(side, "unknown")
    inferred = {"time_s": mid, "foot": other, "measured": False, "ic_approximate": True, "strike_pattern": "unknown"}
    return _append_rows(ev, inferred, mid.size)


def _append_rows(table: pd.DataFrame | dict, rows: dict, n: int) -> pd.DataFrame | dict:
    """``pd.concat([table, pd.DataFrame(rows)], ignore_index=True)`` for ``n`` new rows, built once.

    ``rows`` maps some of the table's columns to arrays or scalars; its other columns get NaN.
    Column by column with numpy when every column of the table is float64, bool or object and
    ``rows`` fits them (floats for float64, booleans for bool, anything for object), which gives
    concat's result; otherwise (other dtypes, new columns) pd.concat itself. A dict of column
    arrays (the foot detector's contacts, see :func:`_detect_piece`) gives a dict.
    """
    kinds = {"f": np.float64, "b": np.bool_, "O": np.object_}
    as_columns = isinstance(table, dict)
    cols = {}
    for name, column in (table.items() if as_columns else ((c, table[c]) for c in table.columns)):
        dtype = column.dtype
        kind = dtype.kind if isinstance(dtype, np.dtype) else None
        if kind not in kinds or dtype != kinds[kind]:
            cols = None
            break
        if name not in rows:
            if kind == "b":  # concat would make it object
                cols = None
                break
            extra = np.full(n, np.nan, dtype=dtype)
        else:
            extra = np.asarray(rows[name])
            if kind != "O" and extra.dtype != dtype:
                cols = None
                break
            extra = np.full(n, rows[name], dtype=dtype) if extra.ndim == 0 else extra.astype(dtype, copy=False)
        cols[name] = np.concatenate([np.asarray(column), extra])
    if cols is None or not set(rows) <= set(cols):
        return pd.concat([_as_frame(table), pd.DataFrame(rows, index=pd.RangeIndex(n))], ignore_index=True)
    return cols if as_columns else _frame(cols)


def _frame(cols: dict) -> pd.DataFrame:
    """A table from column arrays; object arrays stay object (the constructor would infer text)."""
    return pd.DataFrame({c: pd.Series(v, dtype=object, copy=False) if _is_object(v) else v for c, v in cols.items()})


def _records(rec: Recording) -> tuple[pd.DataFrame, list[str]]:
    from .records import pause_gaps, steps_from_cadence

    # speed is terrain's to derive: the file's speed, else the derivative of terrain's distance
    # (device distance, or the positions' track with jitter, spikes and pauses left out)
    from ..terrain.distance import recording_speed

    speed, _ = recording_speed(rec)
    # steps are placed across a gap the device's distance crossed (sparse recording), not a pause
    gaps = pause_gaps(rec.time_s, rec.get("distance"), rec.gaps_s)
    if not rec.has("cadence"):
        if speed is None:
            return pd.DataFrame(), [Notice("no cadence, speed or distance channel; steps cannot be placed", "no-steps")]
        from .records import cadence_from_speed

        steps, w = steps_from_cadence(rec.time_s, cadence_from_speed(speed), gaps_s=gaps, speed_mps=speed)
        steps = _with_device_columns(steps, rec)
        w.append(Notice("no cadence channel: steps are estimated from speed with a typical runner's cadence "
                        "(170 steps/min at 3 m/s; Lieberman 2015, Dorn 2012); step counts and loads are approximate",
                        "no-cadence"))
        return steps, w
    steps, w = steps_from_cadence(rec.time_s, rec.channels["cadence"], gaps_s=gaps,
                                  contact_time_s=rec.get("contact_time"), speed_mps=speed)
    c = rec.channels["cadence"]
    ok = np.isfinite(c)
    if len(steps) and ok.sum() >= 2:
        # the device's own cadence at each step (its measurement, not re-derived)
        steps["device_cadence_spm"] = np.interp(steps["time_s"], rec.time_s[ok], c[ok])
    return _with_device_columns(steps, rec), w


def _with_device_columns(steps: pd.DataFrame, rec: Recording) -> pd.DataFrame:
    """The device's own per-step measurements (strike type, contact time, impact...) win over
    estimates: see :func:`gaitload.events.records.device_step_columns`."""
    from .records import device_step_columns

    if len(steps):
        for name, values in device_step_columns(rec.time_s, rec.channels, steps["time_s"].to_numpy()).items():
            steps[name] = values
    return steps


def _finish(steps: pd.DataFrame | dict | None, rec: Recording, cadence_window_steps: int, max_step_time_s: float,
            place: str) -> pd.DataFrame:
    """Sort, compute step time (NaN across gaps and stops) and smoothed cadence, fill unknowns.

    Works on the columns as arrays (``steps`` a table or a dict of column arrays) and builds the
    table once (one ``DataFrame`` construction instead of a sort, a re-index and a dozen column
    assignments on a ~10,000-row frame).
    """
    if _n_rows(steps) == 0:
        steps = pd.DataFrame({c: pd.Series(dtype=float) for c in ("time_s",)})
    # a stable sort with NaN last, as DataFrame.sort_values(kind="stable")
    order = np.argsort(np.asarray(steps["time_s"], dtype=float), kind="stable")
    cols = {name: _take(steps[name], order) for name in steps}  # (a table or a dict of columns)
    n = order.size
    for col in _FLOAT_COLS:
        if col not in cols:
            cols[col] = np.full(n, np.nan)
    for col in ("foot", "strike_pattern"):
        cols[col] = _filled(cols.get(col), n, "unknown", object)
    for col, default in (("measured", True), ("ic_approximate", False)):
        cols[col] = _filled(cols.get(col), n, default, bool)
    t = np.asarray(cols["time_s"], dtype=float)
    st = np.diff(t, prepend=np.nan)
    if len(rec.gaps_s) and t.size:
        # a pause between two contacts: the interval is not a step
        gap_end = np.asarray(rec.gaps_s)[:, 1]
        n_before = np.searchsorted(gap_end, t)
        crossed = np.diff(n_before, prepend=n_before[0]) > 0
        st[crossed] = np.nan
    st[st > max_step_time_s] = np.nan
    cols["step_time_s"] = st
    # two consecutive steps (one left, one right) per stride: their mean cancels the left/right
    # asymmetry a single-side trunk sensor or a limp shows, then a rolling median rejects outliers
    pair = st + np.roll(st, -1)
    pair[-1:] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        cad = np.where(np.isfinite(pair), 120.0 / pair, 60.0 / st)
    cad = pd.Series(cad).rolling(max(1, int(cadence_window_steps)), center=True, min_periods=1).median().to_numpy()
    if "device_cadence_spm" in cols:
        dev = np.asarray(cols.pop("device_cadence_spm"), dtype=float)
        cad = np.where(np.isfinite(dev), dev, cad)
    cols["cadence_spm"] = cad
    ct = np.asarray(cols["contact_time_ms"], dtype=float)
    with np.errstate(invalid="ignore"):
        cols["contact_time_ms"] = np.where((ct > 0) & (ct < 2000), ct, np.nan)
    lead = ["time_s", "toe_off_s", "foot", "step_time_s", "contact_time_ms", "cadence_spm",
            "strike_angle_deg", "strike_pattern", "strike_confidence", "measured", "ic_approximate"]
    return _frame({c: cols[c] for c in lead + [c for c in cols if c not in lead]})


def _is_object(values) -> bool:
    return isinstance(values, np.ndarray) and values.dtype == object


def _take(column: pd.Series | np.ndarray, order: np.ndarray):
    """The values of ``column`` in ``order``, keeping its dtype (numpy or pandas extension)."""
    if isinstance(column, np.ndarray):
        return column[order]
    if isinstance(column.dtype, np.dtype):
        return column.to_numpy()[order]
    return column.array.take(order)


def _filled(values, n: int, default, dtype) -> np.ndarray:
    """``values`` with missing entries set to ``default`` as a numpy array of ``dtype``.

    ``values`` None (no such column) gives ``n`` copies of ``default``; an array of ``dtype``
    with nothing missing (always so for a boolean one) is used as it is.
    """
    if values is None:
        return np.full(n, default, dtype=dtype)
    if isinstance(values, np.ndarray) and values.dtype == dtype and (dtype is bool or not pd.isna(values).any()):
        return values
    return pd.Series(values).fillna(default).astype(dtype).to_numpy()
