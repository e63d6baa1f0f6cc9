"""The course of a simulated run: an altitude profile on a distance grid (:class:`Course`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import OptionError

__all__ = ["Course", "COURSES"]

COURSES = ("hilly", "flat", "uphill", "downhill", "rolling")


@dataclass
class Course:
    """An altitude profile along the course.

    Parameters
    ----------
    distance_m : ndarray
        Strictly increasing distances along the course, m, starting at 0.
    altitude_m : ndarray
        Altitude at each distance, m.
    name : str
        A label (``"hilly"``, ``"custom"``...).
    """

    distance_m: np.ndarray
    altitude_m: np.ndarray
    name: str = "custom"

    def __post_init__(self) -> None:
        d = np.asarray(self.distance_m, dtype=float).ravel()
        a = np.asarray(self.altitude_m, dtype=float).ravel()
        if d.size != a.size or d.size < 2:
            raise OptionError(f"course needs at least 2 points with one altitude per distance "
                              f"(got {d.size} distances, {a.size} altitudes)")
        if not (np.isfinite(d).all() and np.isfinite(a).all()):
            raise OptionError("course distances and altitudes must be finite numbers")
        if np.any(np.diff(d) <= 0):
            raise OptionError("course distances must be strictly increasing")
        self.distance_m = d - d[0]
        self.altitude_m = a

    @classmethod
    def from_profile(cls, distance_m, altitude_m, name: str = "custom") -> "Course":
        """A course from a user's profile (distances in m, altitudes in m); grade is derived."""
        course = cls(np.asarray(distance_m, float), np.asarray(altitude_m, float), name)
        grade = np.abs(np.diff(course.altitude_m) / np.diff(course.distance_m)) * 100
        if grade.size and grade.max() > 60:
            raise OptionError(f"course grade reaches {grade.max():.0f} %; a runnable course stays "
                              "below 60 %")
        return course

    @classmethod
    def preset(cls, name: str, length_m: float, seed: int = 0) -> "Course":
        """A generated course of ``length_m`` metres.

        ``hilly``: sum of sinusoidal grade components (wavelengths 300-2000 m, random phases)
        scaled so grades reach about +-15 %; ``rolling``: shorter waves up to +-6 %; ``uphill`` /
        ``downhill``: a steady +8 % / -8 % with +-1 % undulation; ``flat``: 0 %. Altitude is the
        trapezoid integral of the grade, so both stay exactly consistent.
        """
        if name not in COURSES:
            raise OptionError(f"unknown course {name!r}; use one of {', '.join(COURSES)} or a Course")
        n = int(np.ceil(length_m)) + 1
        d = np.arange(n, dtype=float)
        rng = np.random.default_rng(np.random.SeedSequence([seed, 101]))
        if name == "flat":
            grade = np.zeros(n)
        elif name in ("hilly", "rolling"):
            if name == "hilly":
                wavelengths, top = np.array([2000, 1200, 750, 480, 300.0]), 15.0
            else:
                wavelengths, top = np.array([600, 400, 250, 150.0]), 6.0
            amps = np.sqrt(wavelengths) * rng.uniform(0.6, 1.0, wavelengths.size)
            phases = rng.uniform(0, 2 * np.pi, wavelengths.size)
            grade = (amps[:, None] * np.sin(2 * np.pi * d[None, :] / wavelengths[:, None]
                                            + phases[:, None])).sum(axis=0)
            # scale on the first few kilometres so short and long runs see the same hills
            ref = grade[: min(n, 6000)]
            grade *= top / max(np.abs(ref).max(), 1e-9)
        else:
            sign = 1.0 if name == "uphill" else -1.0
            grade = sign * (8.0 + 1.0 * np.sin(2 * np.pi * d / 700.0 + rng.uniform(0, 2 * np.pi)))
        alt = 120.0 + np.concatenate([[0.0], np.cumsum(0.5 * (grade[1:] + grade[:-1]) / 100.0)])
        return cls(d, alt, name)

    @property
    def length_m(self) -> float:
        return float(self.distance_m[-1])

    def altitude_at(self, distance_m: np.ndarray) -> np.ndarray:
        """Altitude (m) at distances (m), linear between profile points, held beyond the ends."""
        return np.interp(distance_m, self.distance_m, self.altitude_m)

    def grid(self, step_m: float = 1.0) -> pd.DataFrame:
        """The course on a regular distance grid: ``distance_m``, ``altitude_m``, ``grade_pct``."""
        d = np.arange(0.0, self.length_m + 0.5 * step_m, step_m)
        alt = self.altitude_at(d)
        grade = np.gradient(alt, d) * 100.0 if d.size > 1 else np.zeros_like(d)
        return pd.DataFrame({"distance_m": d, "altitude_m": alt, "grade_pct": grade})
