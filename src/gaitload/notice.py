"""Warnings with a code: :class:`Notice`, text for people and a stable slug for programs.

Every stage that warns (readers, detectors, terrain, load, ``analyze``) appends a
:class:`Notice` to its list. A notice *is* its text (a ``str`` subclass), so everything that
prints, joins or writes warnings keeps working; what decides anything -- which briefing theme a
warning belongs to, whether it is only a note, why a run has no steps -- reads ``notice.code``
and never the wording, which may change freely.

``summary["warning_codes"]`` (written to ``summary.json``) lists the code of each of
``summary["warnings"]`` in the same order, so a consumer of the JSON file decides by code too.
"""

from __future__ import annotations

__all__ = ["Notice", "CODES", "GENERAL", "code_of", "codes_of", "reword"]

#: The code of a warning that carries none (a plain ``str`` from outside gaitload).
GENERAL = "general"

#: Every code a stage may give, with what it means. Codes are stable: rename the text, not them.
CODES: dict[str, str] = {
    GENERAL: "a warning given without a code (plain text)",
    # which activity, whether it is a run
    "more-activities": "the file holds several activities; which one was read and how to pick another",
    "course": "a planned route with virtual times, not a recorded activity",
    "sport-assumed": "no foot sport named: taken as a run on foot, cadence read as strides/min",
    "not-on-foot": "the sport is not on foot: cadence kept as the device's rpm",
    "cadence-rpm": "a cadence kept as rpm by the sport or speed rule, with how to read it as strides/min",
    # the file itself
    "damaged-file": "the file is damaged; only what was decoded before the damage is kept",
    "undecodable": "messages or fields the decoder could not read were skipped",
    "xml-repaired": "malformed XML the reader repaired (undeclared prefixes, text before the declaration)",
    # steps and cadence
    "no-steps": "a stage found or placed no step, and says why",
    "nothing-to-load": "no step at all: nothing to load (the generic line when no stage said why)",
    "no-strides": "the device's cadence is 0 throughout: it counted no strides",
    "no-cadence": "no cadence channel: steps estimated from speed",
    "cadence-walking": "the median cadence is a walking or strides/min value",
    "cadence-walking-doubled": "the median cadence, already read as strides/min, is a walking one (a note)",
    "cadence-unit": "how a cadence's unit was read (steps/min, strides/min, given or assumed)",
    "cadence-strides": "a watch cadence read as the strides/min watch formats store (a note)",
    "steps-rejected": "candidate steps the detector did not count",
    "events-uncertain": "foot events whose orientation or axis is uncertain",
    "gait-method": "the detector used another method than its running one (no flight phase: walking)",
    # placement and sensor
    "wrist-placement": "wrist sensor: contact times approximate, strike unknown",
    "low-sample-rate": "sample rate too low for precise contact timing",
    "sensor-choice": "which of several sensors gave the contacts",
    "side-unknown": "left and right cannot be told",
    "hint-ignored": "an option or hint the reader did not use",
    # device totals
    "device-totals": "one of our totals differs from the device's own",
    # terrain
    "gps-altitude": "altitude from GPS only: short hills missed",
    "altitude-cleaned": "altitude values rejected or corrected (spikes, steps, sentinels, dropouts)",
    "altitude-missing": "no usable altitude: grade unknown",
    "grade-unknown": "grade and terrain unknown over part or all of the run",
    "distance-unknown": "no distance source",
    "treadmill-level": "treadmill without a stated incline: taken as level",
    "steep-grade": "grades beyond the hiking limit",
    "imu-grade": "a foot IMU's strap-down grade: drift removed over a closed track, or taken as level below its resolution",
    "gain-vs-device": "our elevation gain against the device's",
    "gain-zero": "a 0 m gain or loss beside uphill or downhill terrain (hysteresis)",
    # strike, load model, gait, rules
    "no-strike": "no strike information: the strike modifier uses the expected strike",
    "input-missing": "a load input (grade, speed, cadence) missing: its modifier is neutral",
    "speed-range": "running speed outside the speed modifier's range",
    "grade-beyond-rules": "steps on grades beyond what the rules were sized on",
    "walking-steps": "a share of the steps were walking",
    "no-running-steps": "no running step to compare with level ground",
    "rules-disagree": "the rule set and the literature disagree on this run",
    "steep-descent-effort": "steep descents where the heart-rate model and the article disagree",
    # clock and gaps
    "sampling-gaps": "gaps in sampling, treated as pauses",
    "timestamps-repaired": "backwards or duplicate timestamps repaired",
    "time-jump": "a jump of the clock (hours or days)",
    "samples-dropped": "samples without a usable time, or dated before one already seen, dropped",
    "positions-skipped": "track points without a position (or a time) skipped",
    "track-breaks": "breaks of more than 10 min inside a track: no distance counted across",
    "clock-inferred": "how a time column was read (unit, format) or which one was not used",
    "clock-unambiguous": "a time column whose reading admits no other (an epoch by its magnitude, ISO 8601 text with its zone): a note",
    "distance-repaired": "distance counter resets, backward steps or jumps repaired",
    "gps-jumps": "GPS position spikes or jumps rejected",
    "resampled": "the recording was resampled",
    "sensors-aligned": "sensors sampled at different times put on one clock",
    # data
    "channel-gap": "stretches of missing values in one channel (``notice.channel`` names it)",
    "channel-empty": "a channel with no finite value, dropped",
    "unit-inferred": "a channel's unit inferred from its values",
    "columns-unused": "columns the reader did not map (a note)",
    "non-numeric": "non-numeric cells read as missing",
    "imu-filled": "missing IMU values filled by interpolation",
    "clipped": "samples at or beyond a sensor's range",
    # forecasts, seasons, simulations
    "forecast": "a forecast's limit (no dates, no flat speed, no elevation, times ignored)",
    "simulated": "the simulator could not make what was asked (a course shorter than the run)",
}


class Notice(str):
    """One warning: its text for people and a code from :data:`CODES` for programs.

    Parameters
    ----------
    text : str
        The warning as a person reads it.
    code : str
        A key of :data:`CODES` (an unknown code is a programming error: ``ValueError``).
    channel : str, optional
        The channel a ``channel-gap`` notice is about.
    value : float, optional
        The number the text quotes when a program needs it (a ``cadence-walking`` notice's
        median cadence, per min).

    Examples
    --------
    >>> w = Notice("altitude from GPS only: short hills are missed", "gps-altitude")
    >>> w.code, w.startswith("altitude")
    ('gps-altitude', True)
    """

    code: str
    channel: str | None
    value: float | None

    def __new__(cls, text: str, code: str, *, channel: str | None = None, value: float | None = None) -> "Notice":
        if code not in CODES:
            raise ValueError(f"unknown warning code {code!r}; add it to gaitload.notice.CODES")
        self = super().__new__(cls, text)
        self.code = code
        self.channel = channel
        self.value = value
        return self

    def __reduce__(self):
        # pickled across processes (season workers) with its code, not as a bare str
        return (_rebuild, (str(self), self.code, self.channel, self.value))


def _rebuild(text: str, code: str, channel: str | None, value: float | None = None) -> Notice:
    return Notice(text, code, channel=channel, value=value)


def code_of(warning) -> str:
    """The code of a warning: its :class:`Notice` code, :data:`GENERAL` for plain text."""
    return getattr(warning, "code", GENERAL)


def codes_of(warnings) -> list[str]:
    """:func:`code_of` of each warning, in order (``summary["warning_codes"]``)."""
    return [code_of(w) for w in warnings]


def reword(warning, text: str) -> Notice | str:
    """``text`` with the code (and channel) of ``warning``: a warning reworded or prefixed
    (``"left: ..."``) stays the same kind of warning."""
    if isinstance(warning, Notice):
        return Notice(text, warning.code, channel=warning.channel, value=warning.value)
    return text
