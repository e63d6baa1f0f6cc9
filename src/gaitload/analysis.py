"""``gaitload.analyze``: one recording in, steps, terrain segments and a run summary out.

Data flow (one direction): ``read`` -> ``events.detect_steps`` -> ``terrain.compute_terrain``
-> ``gait.classify_gait`` -> ``load.apply_rules`` -> :class:`Analysis`. This module only wires the stages together and
assembles the summary; each stage lives in its own module and knows nothing of the others.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import atomic
from .briefing import drop_void_advice, split_notes
from .errors import GaitloadError, NoStepsError, NotAnActivityError, NotARunError, OptionError
from .notice import Notice, code_of, codes_of
from .recording import Recording
from .schema import (MUSCLES, STRIKE_PATTERNS, TERRAIN_CLASSES, class_masks, conform_steps, float_column,
                     measured_column)

__all__ = ["Analysis", "analyze", "recording_from_frame", "MAX_INCLINE_PCT"]

#: Largest treadmill incline accepted, in % (either sign). Motorised incline trainers reach
#: 40 % (e.g. NordicTrack's X-series); anything steeper is a typo (degrees, or a fraction times
#: 100 twice) rather than a run. Judgement, with that product range as the anchor.
MAX_INCLINE_PCT = 40.0
#: Channels a ``records`` placement can place steps from (see :mod:`gaitload.events.records`).
_RECORD_STEP_CHANNELS = ("cadence", "speed", "distance")


@dataclass
class Analysis:
    """The result of analysing one run.

    Attributes
    ----------
    steps : pandas.DataFrame
        One row per foot contact (columns in :data:`gaitload.schema.STEP_COLUMNS`, plus extras
        such as ``measured``).
    segments : pandas.DataFrame
        Terrain segments (uphill / flat / downhill) with start and end time and distance,
        mean grade, gain and loss.
    summary : dict
        JSON-serialisable run summary (see :func:`analyze` for its keys).
    profile : pandas.DataFrame
        The terrain profile on its distance grid (distance_m, time_s, altitude_m, grade_pct,
        terrain), for plotting.
    climbs : pandas.DataFrame
        Every climb and descent above the size thresholds (:func:`gaitload.terrain.find_climbs`):
        start/end distance and time, length, gain, mean and max grade, VAM, and the sum of each
        ``load_*`` step column over it.
    recording : Recording, optional
        The input, kept for plots that show raw channels; not written by :meth:`to_dir`.
    laps : pandas.DataFrame
        One row per lap the device recorded (see :func:`gaitload.totals.lap_table`); no rows
        when the file has no laps.
    splits : pandas.DataFrame
        Per-kilometre splits (see :func:`gaitload.totals.split_table`).
    load_warnings : list of str
        The load stage's own warnings (also in ``summary["warnings"]``), which another rule set
        applied to these steps replaces.
    """

    steps: pd.DataFrame
    segments: pd.DataFrame
    summary: dict
    profile: pd.DataFrame = field(default_factory=pd.DataFrame)
    recording: Recording | None = field(default=None, repr=False)
    laps: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    splits: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    climbs: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    load_warnings: list = field(default_factory=list, repr=False)

    def plot(self, path: str | os.PathLike | None = None, **kwargs):
        """Per-run figure: elevation profile with terrain shading, muscle shares along the run,
        emphasis versus level ground, strike pattern and cadence.

        Parameters
        ----------
        path : str or path-like, optional
            Write the figure there (format from the extension: .png, .svg, .pdf).
        **kwargs
            Passed to :func:`gaitload.plot.plot_run`.

        Returns
        -------
        matplotlib.figure.Figure
        """
        from .plot import plot_run

        return plot_run(self, path=path, **kwargs)

    def to_dir(self, path: str | os.PathLike, *, figure: bool = True) -> dict[str, Path]:
        """Write ``steps.csv``, ``segments.csv``, ``laps.csv``, ``splits.csv``, ``climbs.csv``,
        ``summary.json`` and ``emphasis.png``.

        Every file is written atomically (temporary file, then rename).

        Returns
        -------
        dict of str to Path
            What was written.
        """
        out = Path(path)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # a file of that name, a read-only or missing parent: bad option
            raise OptionError(f"cannot create the output folder ({exc.strerror or exc})", out) from None
        written = {
            "steps": atomic.write_csv(out / "steps.csv", self.steps, float_format="%.6g"),
            "segments": atomic.write_csv(out / "segments.csv", self.segments, float_format="%.6g"),
            "laps": atomic.write_csv(out / "laps.csv", self.laps, float_format="%.6g"),
            "splits": atomic.write_csv(out / "splits.csv", self.splits, float_format="%.6g"),
            "climbs": atomic.write_csv(out / "climbs.csv", self.climbs, float_format="%.6g"),
            "summary": atomic.write_json(out / "summary.json", self.summary),
        }
        if figure:  # an Agg Figure outside pyplot: nothing to close, it is freed with its last reference
            self.plot(out / "emphasis.png")
            written["figure"] = out / "emphasis.png"
        return written

    def to_json(self) -> str:
        """The summary as a JSON string (NaN as null)."""
        import json

        return json.dumps(atomic.json_clean(self.summary), indent=2, allow_nan=False)


def recording_from_frame(frame: pd.DataFrame, *, sampling_rate_hz: float | None = None,
                         placement: str | None = None, **hints) -> Recording:
    """Build a :class:`Recording` from a DataFrame of samples.

    The frame goes through exactly the same column aliases and unit detection as a CSV file
    (``time``/``time_s``, ``acc_x``/``ax``..., ``distance``, ``cadence``...), in memory (no
    temporary file: :func:`gaitload.io.frames.read_frame`), so a DataFrame and the same table
    saved as CSV give the same result, and a time column keeps its exact values (its rate is
    not rounded through text). Without a time column, ``sampling_rate_hz`` gives the clock.
    """
    from .io.frames import read_frame

    if not isinstance(frame, pd.DataFrame) or frame.empty:
        raise OptionError("a DataFrame source must have rows")
    read_hints = dict(hints)
    if placement:
        read_hints["placement"] = placement
    if sampling_rate_hz:
        read_hints["sampling_rate_hz"] = sampling_rate_hz
    try:
        recording = read_frame(frame, **read_hints)
    except GaitloadError as exc:
        exc.path = "<DataFrame>"
        raise
    recording.metadata["source"] = "pandas DataFrame"
    return recording


def _as_recording(source, placement, sampling_rate_hz, hints) -> Recording:
    if isinstance(source, Recording):
        rec = source
        if placement and placement != rec.placement:
            rec = rec.with_changes(placement=placement)
        return rec
    if isinstance(source, pd.DataFrame):
        return recording_from_frame(source, sampling_rate_hz=sampling_rate_hz, placement=placement, **hints)
    if isinstance(source, (str, os.PathLike)):
        from .io import read

        read_hints = dict(hints)
        if placement:
            read_hints["placement"] = placement
        if sampling_rate_hz:
            read_hints["sampling_rate_hz"] = sampling_rate_hz
        return read(source, **read_hints)
    raise OptionError(f"cannot analyse a {type(source).__name__}; pass a path, a Recording or a DataFrame")


#: The keyword hints the readers behind :func:`gaitload.read` take (any format).
READER_HINTS = ("format", "max_bytes", "placement", "sampling_rate_hz", "sensor", "columns", "acc_unit", "gyr_unit",
                "time_unit", "cadence_unit", "altitude_source", "speed_unit", "distance_unit", "altitude_unit",
                "activity", "max_records")


def _split_hints(hints: dict, detector_options, source=None):
    """The reader's hints, and the detector's options with the other names added; a name that
    is neither a reader hint nor any detector's option is refused before the file is read."""
    extra = {k: v for k, v in hints.items() if k not in READER_HINTS}
    if not extra:
        return hints, detector_options
    from .events import DetectorOptions, detector_option_names

    known = {name for names in detector_option_names().values() for name in names}
    unknown = [k for k in extra if k not in known]
    if unknown:
        raise OptionError(f"unknown option {unknown[0]!r}; valid: the reader hints {', '.join(READER_HINTS)} and the "
                          f"detector options {', '.join(sorted(known))}",
                          source if isinstance(source, (str, os.PathLike)) else None)
    if isinstance(detector_options, DetectorOptions):
        detector_options = detector_options.replace(**extra)
    else:
        detector_options = {**(detector_options or {}), **extra}
    return {k: v for k, v in hints.items() if k in READER_HINTS}, detector_options


def _check_incline(incline_pct, source=None) -> None:
    """Refuse an incline outside +-:data:`MAX_INCLINE_PCT` (a constant or a schedule's values)."""
    if incline_pct is None:
        return
    where = source if isinstance(source, (str, os.PathLike)) else None
    if isinstance(incline_pct, pd.DataFrame):
        if "incline_pct" not in incline_pct:
            return  # the terrain stage names what is missing
        values = pd.to_numeric(incline_pct["incline_pct"], errors="coerce").to_numpy(dtype=float)
        label = "incline schedule value"
    elif isinstance(incline_pct, (int, float, np.integer, np.floating)) and not isinstance(incline_pct, bool):
        values = np.array([float(incline_pct)])
        if not np.isfinite(values[0]):
            raise OptionError(f"incline must be a finite number of percent, got {incline_pct!r}", where)
        label = "incline"
    else:
        return  # the terrain stage refuses other types with its own message
    bad = values[np.isfinite(values) & (np.abs(values) > MAX_INCLINE_PCT)]
    if bad.size:
        raise OptionError(f"{label} {bad[0]:g} % is outside -{MAX_INCLINE_PCT:g}..{MAX_INCLINE_PCT:g} %; give the "
                          "grade in percent (a 5 % treadmill incline is 5, not 0.05 or degrees)", where)


def _sport(recording: Recording) -> tuple[str | None, bool | None, str]:
    """The recording's sport label for people, whether it is on foot and why: the verdict the
    reader put on the recording (:func:`gaitload.io.sport.verdict_of`; the same rule decided its
    cadence unit), not decided again here."""
    from .io.sport import verdict_of

    on_foot, label, reason = verdict_of(recording)
    return label, on_foot, reason


def _check_placement(recording: Recording, placement: str | None) -> None:
    """``records`` placement needs watch records; a raw IMU log has none to place steps from."""
    if placement == "records" and not any(recording.has(ch) for ch in _RECORD_STEP_CHANNELS) and \
            any(name.split(".")[-1].startswith(("acc_", "gyr_")) for name in recording.channels):
        raise OptionError("placement 'records' needs watch records (cadence, speed or distance) and this is a raw "
                          "IMU log; omit --placement or give foot, shank, lumbar or wrist", recording.path)


def analyze(source, *, placement: str | None = None, sampling_rate_hz: float | None = None,
            rules="source", incline_pct=None, terrain_options=None, sport_check: bool = True,
            detector_options=None, **hints) -> Analysis:
    """Analyse one run: foot strikes, terrain under every step, per-muscle load.

    Parameters
    ----------
    source : str, path-like, Recording or pandas.DataFrame
        A file in any readable format (see ``gaitload formats``), a :class:`Recording`, or a
        DataFrame of samples (time column in seconds, or pass ``sampling_rate_hz``).
    placement : {"foot", "shank", "lumbar", "wrist", "records"}, optional
        Sensor placement; detected from the signal when not given (the decision and its
        evidence are in ``summary["placement_evidence"]``).
    sampling_rate_hz : float, optional
        Sampling rate for inputs with no time column.
    rules : str, path-like or RuleSet
        ``"source"`` (the article's terrain rules, default), ``"literature"``, or a TOML file.
    incline_pct : float or pandas.DataFrame, optional
        Known incline (treadmill), constant in % or a schedule (``time_s`` or ``distance_m`` and
        ``incline_pct`` columns); overrides altitude.
        Values beyond +-40 % (:data:`MAX_INCLINE_PCT`) are refused.
    terrain_options : gaitload.terrain.TerrainOptions, optional
        Grid, smoothing windows, flat band, hysteresis, minimum segment length.
    sport_check : bool
        Refuse a recording that is not on foot with a :class:`~gaitload.errors.NotARunError`
        naming the sport: its cadence is a crank or stroke rate, not steps. The rule
        (:func:`gaitload.io.sport.sport_verdict`, applied by the readers, which record it as
        ``recording.metadata["sport_verdict"]`` and decide the cadence unit by it): a named sport decides (running, trail running, treadmill, walking and hiking
        pass; cycling, swimming, paddling... are refused); a file that names no sport or only
        FIT ``generic`` passes unless its median moving speed is above 6.5 m/s, faster than any
        run. ``False`` (CLI ``--any-sport``) analyses any sport as if on foot.
    detector_options : mapping or gaitload.events.DetectorOptions, optional
        Parameters of the placement's step detector: ``gaitload.events.FootOptions(...)`` or a
        mapping such as ``{"ic_method": "gyro_min"}`` (``FootOptions()`` lists the foot
        detector's with their defaults). A name the detector does not take is an
        :class:`~gaitload.errors.OptionError` listing the valid ones.
    **hints
        Passed to the reader (units, columns, sensor; :data:`READER_HINTS`, see
        :func:`gaitload.read`), and ``activity=k``: which activity of a file holding several
        (FIT sessions, TCX activities, GPX tracks hours apart; :func:`gaitload.activities` lists
        them). Without it the first on-foot activity is analysed and a warning names the others.
        Any other name is a detector option (as in ``detector_options``); a name neither takes
        is an :class:`~gaitload.errors.OptionError`.

    Returns
    -------
    Analysis
        ``summary`` keys: ``n_steps``, ``n_steps_measured``, ``duration_s``, ``distance_m``,
        ``cadence_spm``, ``contact_time_ms``, ``elevation_gain_m``, ``elevation_loss_m``,
        ``terrain_fraction`` (by distance), ``strike_pattern_fraction``, ``muscle_load``,
        ``muscle_share``, ``emphasis_vs_flat``, ``load_vs_level``, ``walk_fraction``,
        ``load_by_terrain``, ``climb_vs_descent`` (all of :func:`gaitload.load.summarize_load`),
        ``placement``, ``placement_evidence``, ``format``, ``rules``, ``provenance``,
        ``warnings`` (all of them; :func:`gaitload.briefing.brief` gives the terminal's one line
        per theme; each a :class:`~gaitload.notice.Notice`), ``warning_codes`` (the code of each
        warning, same order: what programs decide by), ``notes`` (facts that change nothing, such as gaps in heart rate),
        ``start_time``, ``path``, ``sport`` (``"running"``, ``"cycling (road)"``,
        ``"sport code 4"``, or None when the file names none); the totals a watch shows
        (``timer_time_s``, ``moving_time_s``, ``avg_cadence_spm``, ``avg_pace_s_per_km``...,
        :func:`gaitload.totals.run_totals`) and ``device_totals``, the file's own.

    Raises
    ------
    NotARunError
        The file's sport is not on foot and ``sport_check`` is True.
    NotAnActivityError
        A course (planned route), or a file with no activity (settings, workout).
    NoStepsError
        No step to analyse (a :class:`NotAnActivityError`): the device counted no strides, or
        the recording covers less than one step; the message says which.
    NoClockError
        A watch file whose samples carry fewer than two times.
    OptionError
        An unusable option: incline beyond +-40 %, placement ``records`` on a raw IMU log, ...
    """
    from .events import detect_steps
    from .gait import classify_gait, gait_basis
    from .load import load_rules
    from .load.model import apply_and_summarize
    from .terrain import TerrainOptions, climb_totals, compute_terrain, find_climbs

    _check_incline(incline_pct, source)
    hints, detector_options = _split_hints(hints, detector_options, source)
    recording = _as_recording(source, placement, sampling_rate_hz, hints)
    sport, on_foot, sport_reason = _sport(recording)
    if recording.metadata.get("course"):
        raise NotAnActivityError("a course (a planned route with virtual times), not a recorded run; nothing "
                                 "to analyse", recording.path)
    if sport_check and on_foot is False:
        raise NotARunError(f"{sport_reason}; gaitload analyses running and walking "
                           "(pass sport_check=False, CLI: --any-sport, to analyse it anyway)", recording.path)
    _check_placement(recording, placement or recording.placement)
    rule_set = load_rules(rules) if not hasattr(rules, "muscles") else rules
    try:
        detection = detect_steps(recording, placement=placement, detector_options=detector_options)
        terrain = compute_terrain(recording, detection.steps, incline_pct=incline_pct,
                                  options=terrain_options or TerrainOptions())
        # walking or running: needs terrain's speed, decides which rules load each step
        steps = classify_gait(terrain.steps, placement=detection.placement)
        steps, load_summary = apply_and_summarize(steps, rule_set)
    except GaitloadError as exc:
        raise exc.with_path(recording.path) if recording.path else exc
    steps = conform_steps(steps)
    climbs = find_climbs(terrain.profile, steps)
    summary = _summarize(recording, detection, terrain, steps, load_summary, rule_set)
    if not len(steps):
        # an empty result is not a run: say why in one line (the reason _summarize put first)
        reason = next((w for w in summary["warnings"] if code_of(w) in _NO_STEP_REASONS), _NOTHING_TO_LOAD)
        raise NoStepsError(reason, recording.path)
    summary["sport"] = sport
    summary["climbs"] = climb_totals(climbs)
    summary["provenance"]["gait"] = gait_basis(steps, detection.placement)
    from .totals import add_watch_totals, lap_table, split_table

    add_watch_totals(summary, recording, steps, detection.placement)
    summary["warning_codes"] = codes_of(summary["warnings"])
    if detection.placement == "records":
        from .events.records import device_step_provenance

        summary["provenance"]["step_columns"] = device_step_provenance(recording.provenance, steps.columns)
    return Analysis(steps=steps, segments=terrain.segments, summary=summary,
                    profile=terrain.profile, recording=recording,
                    laps=lap_table(recording, steps, terrain.profile),
                    splits=split_table(recording, steps, terrain.profile),
                    climbs=climbs, load_warnings=list(load_summary.get("warnings", [])))


def _fraction(values, weights: np.ndarray | None, classes) -> dict[str, float]:
    """Weighted share of each class among ``values`` (a Series or an array of labels).

    The class masks come from one hash pass over the labels (:func:`gaitload.schema.class_masks`).
    Missing values match no class, as ``values == c`` does.
    """
    if len(values) == 0:
        return {c: 0.0 for c in classes}
    w = np.ones(len(values)) if weights is None else np.nan_to_num(np.asarray(weights, float))
    total = w.sum()
    if total <= 0:
        w = np.ones(len(values))
        total = w.sum()
    masks = class_masks(values, classes)
    return {c: float(w[masks[c]].sum() / total) for c in classes}


def _terrain_fraction(segments: pd.DataFrame, steps: pd.DataFrame, step_weights) -> dict[str, float]:
    """Share of distance in each terrain class: from the segments (the whole course, steps or
    not), else from the steps weighted by the distance each one covers."""
    if len(segments) and "length_m" in segments:
        lengths = float_column(segments, "length_m")
        lengths[np.isnan(lengths)] = 0.0  # an unknown length counts for nothing
        if lengths.sum() > 0:
            return _fraction(segments["terrain"].to_numpy(), lengths, TERRAIN_CLASSES)
    return _fraction(steps["terrain"], step_weights, TERRAIN_CLASSES)


def _median(values: np.ndarray) -> float:
    """Median of the finite ``values`` (NaN when there are none)."""
    values = values[np.isfinite(values)]
    return float(np.median(values)) if values.size else float("nan")


def _summarize(recording, detection, terrain, steps, load_summary, rule_set) -> dict:
    measured = measured_column(steps)
    # terrain by distance: each step stands for the distance to the next one
    dist = float_column(steps, "distance_m")
    step_len = np.diff(dist, append=dist[-1]) if dist.size else dist
    step_len = np.where(np.isfinite(step_len) & (step_len >= 0), step_len, 0.0)
    weights = step_len if step_len.sum() > 0 else None
    warnings = list(dict.fromkeys(
        list(recording.warnings) + list(detection.warnings) + list(terrain.warnings)
        + list(load_summary.get("warnings", []))
    ))
    warnings += [w for w in _confidence_warnings(recording, detection.placement, steps, terrain)
                 if w not in warnings]
    # strike patterns are measured only on the sensor's own foot; inferred steps would dilute them
    strike_pattern = steps["strike_pattern"].to_numpy()
    strike_known = strike_pattern[measured] if measured.any() else strike_pattern
    summary = {
        "path": recording.path,
        "format": recording.source_format,
        "start_time": None if recording.start_time is None else recording.start_time.isoformat(),
        "placement": detection.placement,
        "placement_evidence": detection.placement_evidence,
        "sampling_rate_hz": recording.sampling_rate_hz,
        "n_steps": int(len(steps)),
        "n_steps_measured": int(measured.sum()),
        "duration_s": recording.duration_s,
        "distance_m": terrain.distance_m,
        "cadence_spm": _median(float_column(steps, "cadence_spm")),
        "contact_time_ms": _median(float_column(steps, "contact_time_ms")),
        # + 0.0 turns a -0.0 (sum of no negative swings, negated) into 0.0
        "elevation_gain_m": float(terrain.elevation_gain_m) + 0.0,
        "elevation_loss_m": float(terrain.elevation_loss_m) + 0.0,
        "terrain_fraction": _terrain_fraction(terrain.segments, steps, weights),
        "strike_pattern_fraction": _fraction(strike_known, None, STRIKE_PATTERNS),
        "rules": getattr(rule_set, "name", str(rule_set)),
        **{k: v for k, v in load_summary.items() if k != "warnings"},
        "provenance": {
            "channels": dict(recording.provenance),
            "steps": "measured from the signal" if measured.all() and len(steps) else
                     f"{int(measured.sum())} of {len(steps)} steps measured, the rest inferred",
            "terrain": dict(terrain.provenance),
            "load": f"derived: rule set '{getattr(rule_set, 'name', rule_set)}' applied per step",
            "units": recording.metadata.get("units", {}),
        },
        "warnings": warnings,
    }
    for muscle in MUSCLES:
        summary.setdefault("muscle_share", {}).setdefault(muscle, float("nan"))
    note = _gain_note(summary, terrain.segments)
    if note:
        summary["warnings"].append(note)
    summary["warnings"] = _tidy_warnings(summary["warnings"], int(len(steps)),
                                         _why_no_record_steps(recording, detection.placement, len(steps)))
    # facts that change nothing (gaps in unused channels) are notes; void advice is dropped
    summary["warnings"], summary["notes"] = split_notes(
        drop_void_advice(summary["warnings"], recording.provenance.get("cadence")))
    return summary


def _gain_note(summary: dict, segments: pd.DataFrame) -> str | None:
    """Explain a 0 m gain (or loss) beside uphill (downhill) terrain: gain counts only climbs of
    at least the hysteresis (2 m barometric, 4 m GPS; :class:`gaitload.terrain.TerrainOptions`),
    as a watch does, while classes follow grade, so a short gentle rise is uphill and gains 0 m."""
    frac = summary.get("terrain_fraction") or {}
    parts = []
    for key, cls, col in (("elevation_gain_m", "uphill", "gain_m"), ("elevation_loss_m", "downhill", "loss_m")):
        value = summary.get(key)
        if value == 0 and frac.get(cls, 0.0) > 0 and col in segments:
            total = float(pd.to_numeric(segments[col], errors="coerce").abs().sum())
            parts.append(f"{'gain' if cls == 'uphill' else 'loss'} 0 m with {100 * frac[cls]:.0f} % {cls} "
                         f"(the profile {'rises' if cls == 'uphill' else 'falls'} {total:.1f} m in all)")
    if not parts:
        return None
    return Notice("; ".join(parts) + ": elevation totals count only climbs and descents of a few metres or more "
                  "(hysteresis, as watches do), while terrain classes follow the grade", "gain-zero")


def _why_no_record_steps(recording: Recording, placement: str, n_steps: int) -> str | None:
    """Why watch records gave no step, when the device's own cadence says it: every record
    holds cadence 0 (the watch or pod counted no strides: standing still, or no stride sensor).
    Steps are never invented from other channels when the device measured none.

    Returns None when there are steps, no cadence channel, or some non-zero cadence."""
    if n_steps or placement != "records" or "cadence" not in recording.channels:
        return None
    cad = np.asarray(recording.channels["cadence"], dtype=np.float64)
    finite = cad[np.isfinite(cad)]
    if finite.size == 0 or np.any(finite != 0):
        return None
    n = cad.size
    text = (f"cadence is 0 in all {n} records" if finite.size == n
            else f"cadence is 0 in all {finite.size} records that carry one (of {n})")
    still = []
    for channel, unit in (("speed", "m/s"), ("distance", "m")):
        values = recording.channels.get(channel)
        values = None if values is None else np.asarray(values, dtype=np.float64)
        if values is not None and np.isfinite(values).any() and np.nanmax(values) == np.nanmin(values) == 0:
            still.append(f"{channel} 0 {unit}")
    if still:
        text += " (" + ", ".join(still) + " throughout)"
    return Notice(text + ": the device counted no strides (standing still, or no stride sensor), so there are "
                  "no steps to place and no muscle load", "no-strides")


def _tidy_warnings(warnings: list[str], n_steps: int, no_steps_reason: str | None = None) -> list[str]:
    """Drop warnings that contradict or repeat each other once the whole run is known (by code).

    ``no_steps_reason`` (:func:`_why_no_record_steps`) replaces the stages' "no steps"
    warnings, first in the list. A stage's own reason for finding no step makes the generic
    ``nothing-to-load`` line redundant."""
    out = list(warnings)
    codes = codes_of(out)
    if no_steps_reason:
        return [no_steps_reason] + [w for w, c in zip(out, codes) if c not in ("no-steps", "nothing-to-load")]
    if "no-cadence" in codes and "no-steps" in codes:
        # "no cadence channel" then "cadence integrates to..." reads as a contradiction: the
        # cadence meant is the one estimated from speed
        out = [w for w, c in zip(out, codes) if c not in ("no-cadence", "no-steps", "nothing-to-load")]
        out.insert(0, Notice("no cadence channel, and the speed covers less than one step: no steps placed, "
                             "nothing to load", "no-steps"))
    elif "no-steps" in codes and "nothing-to-load" in codes:
        out = [w for w, c in zip(out, codes) if c != "nothing-to-load"]
    return out


def _confidence_warnings(recording, placement, steps, terrain) -> list[str]:
    """Plain-language warnings where the inputs cannot carry the conclusions."""
    out = []
    if placement == "wrist":
        out.append(Notice("wrist placement: contact times are approximate and strike pattern is unknown; "
                          "muscle shares rely on terrain, speed and cadence only", "wrist-placement"))
    rate = recording.sampling_rate_hz
    if placement in ("foot", "shank", "lumbar", "wrist") and np.isfinite(rate) and rate < 100:
        out.append(Notice(f"low sample rate ({rate:.0f} Hz): initial-contact timing error may exceed 10 ms",
                          "low-sample-rate"))
    if terrain.provenance.get("altitude_gps_like"):
        out.append(Notice("altitude from GPS only: grade is smoothed over a long window and short hills are missed",
                          "gps-altitude"))
    if len(steps) == 0:
        out.append(_NOTHING_TO_LOAD)
    return out


#: The generic line when no step was found; a stage's own reason (code ``no-steps``) comes first.
_NOTHING_TO_LOAD = Notice("no steps found: nothing to load", "nothing-to-load")
#: Codes of the warnings that say why a run has no step (:class:`NoStepsError`'s message).
_NO_STEP_REASONS = ("no-strides", "no-steps")
