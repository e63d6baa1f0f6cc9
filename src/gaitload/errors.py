"""Typed errors raised for bad input.

Every error a user's file can cause is a :class:`GaitloadError`. Its ``str()`` is one line that
names the file and the problem, so the CLI can print it as is and exit with status 2.
"""

from __future__ import annotations

import os

__all__ = [
    "GaitloadError",
    "EmptyFileError",
    "UnsupportedFormatError",
    "MissingColumnsError",
    "UnitError",
    "TimestampError",
    "CorruptFileError",
    "HostileFileError",
    "NotAnActivityError",
    "NoStepsError",
    "NoClockError",
    "NotARunError",
    "SignalError",
    "RuleFileError",
    "ResourceLimitError",
    "OptionError",
]


class GaitloadError(Exception):
    """Base class of every error caused by bad input (a file, a hint, an option).

    Parameters
    ----------
    message : str
        What is wrong, in words a user understands. Newlines are folded into one line.
    path : str or os.PathLike, optional
        The file the problem is in; it is prefixed to the message.
    """

    def __init__(self, message: str, path: str | os.PathLike | None = None):
        self.path = None if path is None else os.fspath(path)
        self.problem = " ".join(str(message).split())
        super().__init__(self.problem)

    def __str__(self) -> str:
        if self.path:
            # a file name may hold a newline or other control characters: escape them so the
            # message stays one line (the path attribute keeps the real name)
            shown = self.path if self.path.isprintable() else \
                "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in self.path)
            return f"{shown}: {self.problem}"
        return self.problem

    def with_path(self, path: str | os.PathLike) -> "GaitloadError":
        """Return the same error, naming ``path`` if it did not name a file yet."""
        if self.path is None:
            self.path = os.fspath(path)
        return self


class EmptyFileError(GaitloadError):
    """The file has no bytes, or no data rows."""


class UnsupportedFormatError(GaitloadError):
    """No reader recognises the file's content."""


class MissingColumnsError(GaitloadError):
    """A tabular file lacks the columns a reader needs (time, acceleration, ...)."""


class UnitError(GaitloadError):
    """Units cannot be determined or are implausible for the quantity."""


class TimestampError(GaitloadError):
    """Timestamps are missing, not numeric, or too disordered to repair."""


class CorruptFileError(GaitloadError):
    """A binary or XML file is damaged (bad CRC, truncated, malformed)."""


class HostileFileError(GaitloadError):
    """A file tries to expand entities, load external resources or exhaust resources."""


class NotAnActivityError(GaitloadError):
    """The file is valid but holds no recorded activity (a route, waypoints, settings)."""


class NoStepsError(NotAnActivityError):
    """The recording is valid but holds no step to analyse (the device counted no strides, or
    the signal covers less than one step): no run, so nothing to load."""


class NoClockError(TimestampError):
    """An activity whose samples carry no usable time (fewer than two timed samples)."""


class NotARunError(GaitloadError):
    """The activity is of a sport that is not on foot (cycling, swimming, paddling, ...): its
    cadence is not a step rate, so it has no foot strikes to load."""


class SignalError(GaitloadError):
    """The signal cannot give foot strikes (constant, saturated, too short, too slow)."""


class RuleFileError(GaitloadError):
    """A load rule set is invalid (unknown muscle, missing citation, bad number)."""


class ResourceLimitError(GaitloadError):
    """The input would need more memory or time than gaitload allows for one file."""


class OptionError(GaitloadError):
    """An argument or hint has a value gaitload cannot use."""
