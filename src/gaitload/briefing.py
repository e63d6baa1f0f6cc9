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

The themes and their order are judgement: what changes the numbers a runner reads (which
activity, whether it is a run, whether steps are measured or estimated, whether terrain is
known) comes before how the file was repaired.
"""

from __future__ import annotations

import re

__all__ = ["ANALYSIS_CHANNELS", "THEMES", "theme_of", "split_notes", "drop_void_advice", "brief"]

#: Channels that feed steps, terrain or load; missing values elsewhere are notes, not warnings.
ANALYSIS_CHANNELS = frozenset({"cadence", "speed", "distance", "altitude", "latitude", "longitude",
                               "contact_time", "footstrike_type", "incline"})
_CHANNEL_GAP = re.compile(r"^channel '([^']+)': \d+ missing value")
#: Notes by their start: unmapped columns, and a watch cadence read as the strides/min every
#: watch format stores (the convention, so nothing to warn about; steps/min there is warned).
_NOTE_PREFIXES = ("columns not used:", "cadence read as strides/min (median")

#: (theme, pattern), most important first; a warning belongs to the first theme it matches
#: (themes that quote others' words are tried first, see ``_MATCH_ORDER``).
THEMES: tuple[tuple[str, re.Pattern], ...] = tuple((name, re.compile(pattern, re.IGNORECASE)) for name, pattern in (
    ("activity", r"the file holds \d+ activities"),
    ("sport", r"taken as a run|not a run|not a foot sport|\brpm\b"),
    ("file", r"damaged|undecodable|decoder warning|namespace prefix|before the XML declaration"),
    ("steps", r"no cadence|cadence (is|read|integrates)|median cadence|no steps|estimated|no strides"),
    ("placement", r"placement|sensor:|sample rate"),
    ("device totals", r"the watch|device total|session total|file's own"),
    ("terrain", r"altitude|grade|terrain|elevation|\bgain\b|incline|distance source|distance unknown"),
    ("strike", r"strike"),
    ("load model", r"modifier|speed outside"),
    ("rules vs literature", r"the '[^']+' rules|literature|contrary to the article"),
    ("clock", r"gap\(s\) in sampling|timestamp|clock|break\(s\)|re-timed|dated|time jump|time inferred|"
              r"time read as|track ?point\(s\)|distance jump"),
    ("data", r"^channel '[^']+': \d+ missing value|unit inferred|unit read|columns"),
))


#: Themes whose warnings quote words of others ("on a 9 % grade" in a rules-versus-literature
#: note) are matched first; the display order stays that of :data:`THEMES`.
_MATCH_ORDER = tuple(sorted(THEMES, key=lambda item: item[0] not in ("activity", "rules vs literature", "data")))


def theme_of(warning: str) -> str | None:
    """The theme of one warning (None: it matches none and is a theme of its own)."""
    return next((name for name, pattern in _MATCH_ORDER if pattern.search(warning)), None)


def _channel_of_gap(warning: str) -> str | None:
    m = _CHANNEL_GAP.match(warning)
    return None if m is None else m.group(1).split(".")[-1]


def split_notes(warnings: list[str]) -> tuple[list[str], list[str]]:
    """Split warnings from notes (facts that change nothing in the analysis).

    Parameters
    ----------
    warnings : list of str
        ``summary["warnings"]`` as the stages wrote them.

    Returns
    -------
    warnings : list of str
        What can change or qualify a result.
    notes : list of str
        Missing values in channels outside :data:`ANALYSIS_CHANNELS` (an IMU's ``acc_*`` /
        ``gyr_*`` channels count as used), columns a reader did not map, and a cadence read
        as strides/min by its values (what watch formats store).
    """
    kept, notes = [], []
    for w in warnings:
        channel = _channel_of_gap(w)
        unused = channel is not None and channel not in ANALYSIS_CHANNELS and not channel.startswith(("acc_", "gyr_"))
        (notes if unused or w.startswith(_NOTE_PREFIXES) else kept).append(w)
    return kept, notes


_STRIDES_ADVICE = re.compile(r"; if the device records strides/min.*$")
#: Cadence provenance that says the file's values were already read as strides/min (doubled)
#: or their unit was given: reading them as strides/min again would double them twice.
_ALREADY_DECIDED = re.compile(r"x 2|doubl|read as strides/min|forced|hint", re.IGNORECASE)


def drop_void_advice(warnings: list[str], cadence_provenance: str | None) -> list[str]:
    """Remove advice that would not change the result.

    The step detector advises ``--cadence-unit strides/min`` when the median cadence is a
    walking or strides/min value; when the reader already read the file's cadence as
    strides/min (doubled it) or the unit was given, following that advice would double it
    again, so only the fact stays: the median cadence is a walking one.

    Parameters
    ----------
    warnings : list of str
    cadence_provenance : str or None
        ``summary["provenance"]["channels"]["cadence"]``.

    Returns
    -------
    list of str
    """
    if not cadence_provenance or not _ALREADY_DECIDED.search(cadence_provenance):
        return list(warnings)
    out = []
    for w in warnings:
        if _STRIDES_ADVICE.search(w):
            m = re.match(r"median cadence (\d+)/min", w)
            w = (f"median cadence {m.group(1)} steps/min (the file's strides/min already doubled): a walking pace"
                 if m else _STRIDES_ADVICE.sub("", w))
        out.append(w)
    return out


def brief(warnings: list[str], *, per_theme: int = 1) -> list[str]:
    """One line per theme, the most important theme first (see :data:`THEMES`).

    Parameters
    ----------
    warnings : list of str
        The run's warnings (after :func:`split_notes`).
    per_theme : int
        Warnings shown per theme; the rest are counted on the last line shown.

    Returns
    -------
    list of str
        Lines for a terminal; a warning that matches no theme is a theme of its own, shown
        after the terrain ones.
    """
    groups: dict[str, list[str]] = {}
    order = [name for name, _ in THEMES]
    for w in warnings:
        theme = theme_of(w)
        if theme is None:
            theme = f"other:{w}"
            if theme not in order:
                order.insert(order.index("strike"), theme)
        groups.setdefault(theme, []).append(w)
    lines = []
    hidden = 0
    for theme in order:
        items = groups.get(theme)
        if not items:
            continue
        # within a theme, what leaves a result unknown or estimated first (stable otherwise)
        items = sorted(items, key=lambda w: 0 if _SEVERE.search(w) else 1)
        shown = items[:max(per_theme, 1)]
        more = len(items) - len(shown)
        if more:
            shown[-1] += f" (+{more} more)"
            hidden += more
        lines.extend(shown)
    if hidden:
        lines.append(f"{len(warnings)} warnings in all: --json (or --out's summary.json) lists every one")
    return lines


#: Words of a warning that leaves a result unknown, estimated or refused: shown first in its theme.
_SEVERE = re.compile(r"unknown|estimated|approximate|refus|not a |^no |damaged|dropped|does not|clipped",
                     re.IGNORECASE)
