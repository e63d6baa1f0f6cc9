"""Detector options: each detector's parameters as one documented, validated, frozen object.

A detector module defines a subclass of :class:`DetectorOptions` (``FootOptions``,
``LumbarOptions``...) whose fields carry units in their names and whose defaults cite their
source in the field's docstring comment. Building one checks every value; an unknown name is an
:class:`~gaitload.errors.OptionError` that names it and lists the valid ones, so a misspelt
option never vanishes silently.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from ..errors import OptionError

__all__ = ["DetectorOptions", "require_positive", "require_range", "require_choice"]

_Options = TypeVar("_Options", bound="DetectorOptions")


@dataclasses.dataclass(frozen=True)
class DetectorOptions:
    """Base of every detector's options (a frozen dataclass; subclasses add the fields).

    Subclasses set ``detector`` (the name used in messages) and override :meth:`check` to
    validate ranges with :func:`require_positive`, :func:`require_range`, :func:`require_choice`.
    """

    detector: ClassVar[str] = "detector"

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        """Raise :class:`OptionError` for a value the detector cannot use (subclasses)."""

    @classmethod
    def names(cls) -> list[str]:
        """The valid option names, in declaration order."""
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def from_mapping(cls: type[_Options], options: Mapping[str, Any] | None = None,
                     **more: Any) -> _Options:
        """Build the options from a mapping and/or keyword arguments, refusing unknown names.

        Raises
        ------
        OptionError
            An unknown name (the message lists the valid ones) or an unusable value.
        """
        given = {**(options or {}), **more}
        valid = cls.names()
        unknown = [k for k in given if k not in valid]
        if unknown:
            raise OptionError(f"unknown option {unknown[0]!r} for the {cls.detector} detector; "
                              f"valid options: {', '.join(valid)}")
        return cls(**given)

    @classmethod
    def coerce(cls: type[_Options], options: "DetectorOptions | Mapping[str, Any] | None" = None,
               **more: Any) -> _Options:
        """This detector's options from an instance, a mapping and/or keywords (keywords win).

        Raises
        ------
        OptionError
            Another detector's options object, an unknown name (the valid ones are listed) or a
            bad value.
        """
        if options is None or isinstance(options, Mapping):
            return cls.from_mapping(options, **more)
        if type(options) is cls:
            return options.replace(**more) if more else options
        if isinstance(options, DetectorOptions):
            raise OptionError(f"{type(options).__name__} given, but the {cls.detector} detector runs on this "
                              f"recording (it takes {cls.__name__})")
        raise OptionError(f"{cls.detector} detector options must be {cls.__name__} or a mapping, "
                          f"got {type(options).__name__}")

    def replace(self: _Options, **changes: Any) -> _Options:
        """A copy with some values changed (checked, unknown names refused)."""
        return type(self).from_mapping({**dataclasses.asdict(self), **changes})

    def as_dict(self) -> dict[str, Any]:
        """The values by name (for provenance and outputs)."""
        return dataclasses.asdict(self)


def require_positive(options: DetectorOptions, *names: str) -> None:
    """Refuse a non-positive or non-finite value for any of ``names``."""
    for name in names:
        value = getattr(options, name)
        if not (isinstance(value, (int, float)) and value > 0 and value == value and value != float("inf")):
            raise OptionError(f"{options.detector} option {name}={value!r} must be a positive number")


def require_range(options: DetectorOptions, name: str, low: float, high: float) -> None:
    """Refuse a value of ``name`` outside ``[low, high]`` (the message gives the range)."""
    value = getattr(options, name)
    if not (isinstance(value, (int, float)) and low <= value <= high):
        raise OptionError(f"{options.detector} option {name}={value!r} must be between {low:g} and {high:g}")


def require_choice(options: DetectorOptions, name: str, choices: tuple[str, ...]) -> None:
    """Refuse a value of ``name`` that is not one of ``choices`` (the message lists them)."""
    value = getattr(options, name)
    if value not in choices:
        raise OptionError(f"{options.detector} option {name}={value!r} is not one of: {', '.join(map(str, choices))}")
