"""Warnings a runner reads: the run's full warning list boiled down to one line per theme.

``analyze`` keeps every warning in ``summary["warnings"]``; this module decides what is a
warning at all and what a person sees first:

* :func:`split_notes` moves facts that change nothing in the analysis out of the warnings into
  ``summary["notes"]``: missing values in channels the analysis does not use (heart rate, power,
  temperature...), columns a reader did not map, a cadence read as the strides/min watches store;
* :func:`drop_void_advice` removes advice that would not change the result (telling a file
  whose cadence was already doubled from strides/min to read it as strides/min again);
* :func:`brief` groups the rest by theme (which activity of the file, sport, the file itself,
  steps and cadence, terrain, strike, ..., clock and data gaps), most important first, and
  gives one line per theme: its first warning, plus how many more the theme holds.

Every decision here is made on the warnings' codes (:class:`gaitload.notice.Notice`), never on
their wording. The themes and their order are judgement: what changes the numbers a runner reads (which
activity, whether it is a run, whether steps are measured or estimated, whether terrain is
known) comes before how the file was repaired.
"""

from __future__ import annotations

import re

from .notice import Notice, code_of

__all__ = ["ANALYSIS_CHANNELS", "THEMES", "NOTE_CODES", "SEVERE_CODES", "theme_of", "split_notes",
           "drop_void_advice", "brief"]

#: Channels that feed steps, terrain or load; missing values elsewhere are notes, not warnings.
ANALYSIS_CHANNELS = frozenset({"cadence", "speed", "distance", "altitude", "latitude", "longitude",
                               "contact_time", "footstrike_type", "incline"})
#: Codes that are always notes: unmapped columns, and a watch cadence read as the strides/min
#: every watch format stores (the convention, so nothing to warn about; steps/min there is warned).
NOTE_CODES = frozenset({"columns-unused", "cadence-strides", "cadence-walking-doubled", "clock-unambiguous"})

#: (theme, warning codes), most important first. Every code of :data:`gaitload.notice.CODES`
#: but ``general`` belongs to exactly one theme; a warning with no code is a theme of its own.
THEMES: tuple[tuple[str, frozenset], ...] = tuple((name, frozenset(codes)) for name, codes in (
    ("activity", ("more-activities", "course", "forecast", "simulated")),
    ("sport", ("sport-assumed", "not-on-foot", "cadence-rpm")),
    ("file", ("damaged-file", "undecodable", "xml-repaired")),
    ("steps", ("no-strides", "no-steps", "nothing-to-load", "no-cadence", "cadence-walking", "cadence-unit",
               "cadence-strides", "steps-rejected")),
    ("placement", ("wrist-placement", "low-sample-rate", "sensor-choice", "side-unknown", "events-uncertain",
                   "hint-ignored")),
    ("device totals", ("device-totals",)),
    ("terrain", ("gps-altitude", "altitude-missing", "altitude-cleaned", "grade-unknown", "distance-unknown",
                 "treadmill-level", "steep-grade", "gain-vs-device", "gain-zero", "imu-grade")),
    ("strike", ("no-strike",)),
    ("load model", ("input-missing", "speed-range", "grade-beyond-rules")),
    ("gait", ("walking-steps", "no-running-steps", "gait-method")),
    ("rules vs literature", ("rules-disagree", "steep-descent-effort")),
    ("clock", ("sampling-gaps", "timestamps-repaired", "time-jump", "samples-dropped", "positions-skipped",
               "track-breaks", "clock-inferred", "clock-unambiguous", "distance-repaired", "gps-jumps", "resampled", "sensors-aligned")),
    ("data", ("channel-gap", "channel-empty", "unit-inferred", "columns-unused", "non-numeric", "imu-filled",
              "clipped")),
))
_THEME_OF_CODE = {code: name for name, codes in THEMES for code in codes}

#: Codes of warnings that leave a result unknown, estimated or refused, or data dropped: shown
#: first in their theme. Judgement.
SEVERE_CODES = frozenset({"no-strides", "no-steps", "nothing-to-load", "no-cadence", "not-on-foot", "damaged-file",
                          "wrist-placement", "altitude-missing", "grade-unknown", "distance-unknown", "no-strike",
                          "input-missing", "timestamps-repaired", "samples-dropped", "channel-empty", "clipped"})


def theme_of(code: str) -> str | None:
    """The theme of a warning code (None: ``general`` or an unknown code, a theme of its own).

    Parameters
    ----------
    code : str
        A :data:`gaitload.notice.CODES` key (``notice.code``, ``summary["warning_codes"][i]``).
    """
    return _THEME_OF_CODE.get(code)


def _codes(warnings, codes) -> list[str]:
    if codes is None:
        return [code_of(w) for w in warnings]
    codes = list(codes)
    if len(codes) != len(warnings):
        raise ValueError(f"{len(warnings)} warnings but {len(codes)} codes")
    return codes


def split_notes(warnings: list[str]) -> tuple[list[str], list[str]]:
    """Split warnings from notes (facts that change nothing in the analysis), by code.

    Parameters
    ----------
    warnings : list of Notice
        ``summary["warnings"]`` as the stages wrote them (a plain str is a warning).

    Returns
    -------
    warnings : list of Notice
        What can change or qualify a result.
    notes : list of Notice
        Missing values (``channel-gap``) in channels outside :data:`ANALYSIS_CHANNELS` (an
        IMU's ``acc_*`` / ``gyr_*`` channels count as used) or in the altitude where the
        terrain stage already says where it is missing (``altitude-missing`` or
        ``grade-unknown``, which also say what it does to the grade), and the :data:`NOTE_CODES`:
        columns a reader did not map, a cadence read as strides/min by its values (what watch
        formats store).
    """
    kept, notes = [], []
    said = {code_of(w) for w in warnings}
    for w in warnings:
        code = code_of(w)
        channel = str(getattr(w, "channel", None) or "").split(".")[-1]
        unused = code == "channel-gap" and channel not in ANALYSIS_CHANNELS and not channel.startswith(("acc_", "gyr_"))
        told = code == "channel-gap" and channel == "altitude" and bool({"altitude-missing", "grade-unknown"} & said)
        (notes if unused or told or code in NOTE_CODES else kept).append(w)
    return kept, notes


#: Cadence provenance that says the file's values were already read as strides/min (doubled)
#: or their unit was given: reading them as strides/min again would double them twice.
_ALREADY_DECIDED = re.compile(r"x 2|doubl|read as strides/min|forced|hint", re.IGNORECASE)


def drop_void_advice(warnings: list[str], cadence_provenance: str | None) -> list[str]:
    """Remove advice that would not change the result.

    The step detector advises ``--cadence-unit strides/min`` when the median cadence is a
    walking or strides/min value (code ``cadence-walking``); when the reader already read the
    file's cadence as strides/min (doubled it) or the unit was given, following that advice
    would double it again, so only the fact stays, as a note (code ``cadence-walking-doubled``):
    the median cadence is a walking one, and the run's walking share already says so.

    Parameters
    ----------
    warnings : list of Notice
    cadence_provenance : str or None
        ``summary["provenance"]["channels"]["cadence"]``.

    Returns
    -------
    list of Notice
    """
    if not cadence_provenance or not _ALREADY_DECIDED.search(cadence_provenance):
        return list(warnings)
    out = []
    for w in warnings:
        value = getattr(w, "value", None)
        if code_of(w) == "cadence-walking" and value is not None:
            # a fact, not advice: the walking share of the steps says what it does to the result
            w = Notice(f"median cadence {value:.0f} steps/min (the file's strides/min already doubled): a walking pace",
                       "cadence-walking-doubled", value=value)
        out.append(w)
    return out


def brief(warnings: list[str], *, per_theme: int = 1, codes: list[str] | None = None) -> list[str]:
    """One line per theme, the most important theme first (see :data:`THEMES`).

    Parameters
    ----------
    warnings : list of Notice
        The run's warnings (after :func:`split_notes`).
    per_theme : int
        Warnings shown per theme; the rest are counted on the last line shown.
    codes : list of str, optional
        The code of each warning (``summary["warning_codes"]`` of a summary read back from
        JSON, whose warnings are plain text); by default each warning's own ``code``.

    Returns
    -------
    list of str
        Lines for a terminal; a warning with no known code is a theme of its own, shown
        after the terrain ones.
    """
    codes = _codes(warnings, codes)
    groups: dict[str, list[tuple[str, str]]] = {}
    order = [name for name, _ in THEMES]
    for w, code in zip(warnings, codes):
        theme = theme_of(code)
        if theme is None:
            theme = f"other:{w}"
            if theme not in order:
                order.insert(order.index("strike"), theme)
        groups.setdefault(theme, []).append((str(w), code))
    lines = []
    hidden = 0
    for theme in order:
        items = groups.get(theme)
        if not items:
            continue
        # within a theme, what leaves a result unknown or estimated first (stable otherwise)
        items = sorted(items, key=lambda item: 0 if item[1] in SEVERE_CODES else 1)
        shown = [text for text, _ in items[:max(per_theme, 1)]]
        more = len(items) - len(shown)
        if more:
            shown[-1] += f" (+{more} more)"
            hidden += more
        lines.extend(shown)
    if hidden:
        lines.append(f"{len(warnings)} warnings in all: --json (or --out's summary.json) lists every one")
    return lines
