"""The one canonical in-memory form of every input: :class:`Recording`.

Every reader produces a ``Recording``; nothing downstream knows which file format it came from.

Conventions
-----------
* ``time_s``: float64 seconds from the recording's first sample (so ``time_s[0] == 0``);
  the absolute start, when known, is ``start_time`` (a timezone-aware UTC ``pandas.Timestamp``).
* Channels are float64 arrays of the same length as ``time_s``, in the SI units listed in
  :data:`CHANNEL_UNITS` (angular rate in rad/s, cadence in steps/min).
* A file with several sensors (left and right foot, foot and hip) stores each sensor's channels
  with a ``"<sensor>."`` prefix (``"left.acc_x"``); :meth:`Recording.sensor` returns a
  single-sensor view with plain names.
* ``provenance`` maps every channel to ``"measured: <where it came from>"`` or
  ``"derived: <how gaitload computed it>"``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from . import quantiles
from .errors import GaitloadError, SignalError, TimestampError
from .notice import Notice

__all__ = ["Recording", "CHANNEL_UNITS", "PLACEMENTS", "IMU_CHANNELS", "find_gaps", "nan_runs"]

#: Placements a recording can have. ``records`` is about-1 Hz watch or footpod data.
PLACEMENTS = ("foot", "shank", "lumbar", "wrist", "records", "unknown")

#: Accelerometer and gyroscope channel names, sensor frame.
IMU_CHANNELS = ("acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z")

#: Canonical channel names and their units. Readers map whatever a device wrote onto these.
CHANNEL_UNITS: dict[str, str] = {
    "acc_x": "m/s^2",
    "acc_y": "m/s^2",
    "acc_z": "m/s^2",
    "gyr_x": "rad/s",
    "gyr_y": "rad/s",
    "gyr_z": "rad/s",
    "distance": "m",
    "speed": "m/s",
    "cadence": "steps/min",
    "altitude": "m",
    "grade": "%",
    "latitude": "deg",
    "longitude": "deg",
    "heart_rate": "1/min",
    "power": "W",
    "contact_time": "s",
    "contact_time_balance": "% left",
    "vertical_oscillation": "m",
    "vertical_ratio": "%",
    "step_length": "m",
    "leg_spring_stiffness": "kN/m",
    "form_power": "W",
    "air_power": "W",
    "footstrike_type": "RunScribe index 1-16",
    "impact_g": "g",
    "braking_g": "g",
    "pronation": "deg",
    "temperature": "degC",
    "incline": "%",
}

#: A gap is any interval longer than this many median sample intervals (and at least
#: ``_MIN_GAP_S``); a watch's auto-pause shows up exactly like that.
_GAP_FACTOR = 5.0
_MIN_GAP_S = 0.5
#: Backwards or duplicate timestamps are repaired when at most this fraction of samples is
#: affected; more than that means the clock itself is broken.
_MAX_REPAIR_FRACTION = 0.05


def find_gaps(time_s: np.ndarray, factor: float = _GAP_FACTOR, min_gap_s: float = _MIN_GAP_S) -> np.ndarray:
    """Intervals where sampling stopped.

    Parameters
    ----------
    time_s : ndarray
        Strictly increasing times in seconds.
    factor : float
        A gap is an interval longer than ``factor`` times the median sample interval.
    min_gap_s : float
        ...and longer than this many seconds.

    Returns
    -------
    ndarray, shape (n_gaps, 2)
        Start and end time (s) of each gap: the last sample before it and the first after it.
    """
    if time_s.size < 3:
        return np.empty((0, 2))
    dt = np.diff(time_s)
    return _gaps(time_s, dt, max(factor * float(np.median(dt)), min_gap_s))


def _gaps(time_s: np.ndarray, dt: np.ndarray, limit: float) -> np.ndarray:
    idx = np.flatnonzero(dt > limit)
    return np.column_stack([time_s[idx], time_s[idx + 1]]) if idx.size else np.empty((0, 2))


def nan_runs(values: np.ndarray) -> np.ndarray:
    """Start (inclusive) and stop (exclusive) indices of each run of NaN in ``values``.

    Returns
    -------
    ndarray of int, shape (n_runs, 2)
    """
    isnan = np.isnan(values)
    if not isnan.any():
        return np.empty((0, 2), dtype=np.int64)
    edges = np.diff(np.concatenate([[0], isnan.astype(np.int8), [0]]))
    return np.column_stack([np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)])


@dataclass
class Recording:
    """A sensor log in canonical form: a time base, SI channels, placement and provenance.

    Parameters
    ----------
    time_s : array_like
        Sample times in seconds. Shifted so the first sample is at 0 s. Duplicate or slightly
        disordered timestamps are repaired (sorted, duplicates dropped) with a warning; a clock
        that runs backwards for more than 5 % of samples raises :class:`TimestampError`.
        A float64 clock that needs no repair and starts at 0 s is stored as given, not copied.
    channels : mapping of str to array_like
        Channel arrays, same length as ``time_s``, in the units of :data:`CHANNEL_UNITS`;
        float64 arrays are stored as given, not copied.
    placement : str
        ``foot``, ``shank``, ``lumbar``, ``wrist``, ``records`` or ``unknown``.
    source_format : str
        Name of the reader that produced the recording (``"imu-csv"``, ``"fit"``, ...).
    start_time : pandas.Timestamp, optional
        Absolute time of the first sample, UTC. ``None`` when the file has no clock.
    path : str, optional
        The file the recording was read from.
    provenance : mapping of str to str, optional
        Channel -> ``"measured: ..."`` or ``"derived: ..."``. Missing entries default to
        ``"measured: <channel>"``.
    sensor_placement : mapping of str to str, optional
        For multi-sensor recordings, each sensor prefix's placement (``{"left": "foot"}``).
    sensor_side : mapping of str to str, optional
        Each sensor's side, ``left``/``right``/``unknown``; key ``""`` for a single sensor.
    warnings : list of str, optional
        What the reader noticed (unit decisions, repairs, low confidence), each a
        :class:`~gaitload.notice.Notice` (text and code).
    metadata : dict, optional
        Anything else worth keeping (device, sport, laps, sessions, unit decisions). The
        readers' decisions later stages read instead of making again:
        ``"sport_verdict"`` (``{"on_foot": True/False/None, "sport": label, "reason": str}``,
        :func:`gaitload.io.sport.set_sport_verdict`) and ``"distance_source"`` (``"device"``: a
        distance the device measured; ``"positions"``: summed from positions; absent: no
        distance channel).
    """

    time_s: np.ndarray
    channels: dict[str, np.ndarray]
    placement: str = "unknown"
    source_format: str = "unknown"
    start_time: pd.Timestamp | None = None
    path: str | None = None
    provenance: dict[str, str] = field(default_factory=dict)
    sensor_placement: dict[str, str] = field(default_factory=dict)
    sensor_side: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)
    gaps_s: np.ndarray = field(init=False)
    sampling_rate_hz: float = field(init=False)

    def __post_init__(self) -> None:
        if self.placement not in PLACEMENTS:
            raise GaitloadError(
                f"unknown placement {self.placement!r}; use one of {', '.join(PLACEMENTS)}", self.path
            )
        time = np.asarray(self.time_s, dtype=np.float64).ravel()
        channels = {name: np.asarray(v, dtype=np.float64).ravel() for name, v in self.channels.items()}
        for name, values in channels.items():
            if values.shape != time.shape:
                raise GaitloadError(
                    f"channel {name!r} has {values.size} samples but the time base has {time.size}", self.path
                )
        if time.size < 2:
            raise SignalError(f"only {time.size} sample(s); a recording needs at least 2", self.path)
        time, channels, dt = self._repair_time(time, channels)
        # a clock that already starts at +0 s is kept as given, as the channels are (x - 0.0 == x
        # bit for bit, -0.0 included): no copy pass, no fresh array (up to ~1.3 ms per hour at 100 Hz)
        self.time_s = time if time[0] == 0.0 and not np.signbit(time[0]) else time - time[0]
        # one minimum per channel tells both the empty-channel and the missing-run checks what
        # they need: a finite minimum is a finite value, and a NaN anywhere makes it NaN (a
        # reduction ~1.7x faster than a sum, which served before)
        lows = {name: values.min() for name, values in channels.items()}
        self.channels = self._drop_empty_channels(channels, lows)
        if not self.channels:
            raise SignalError("no channel holds a single finite value", self.path)
        for name in self.channels:
            self.provenance.setdefault(name, f"measured: {name}")
        # the sample intervals and their median once, for the gaps and the rate alike; the
        # intervals of the clock as given serve when it starts at 0 (x - 0.0 == x exactly)
        if dt is None or time[0] != 0.0:
            dt = np.diff(self.time_s)
        med_dt = float(quantiles.median(dt))
        limit = max(_GAP_FACTOR * med_dt, _MIN_GAP_S)
        self.gaps_s = _gaps(self.time_s, dt, limit) if self.time_s.size >= 3 else np.empty((0, 2))
        self.sampling_rate_hz = self._estimate_rate(dt, med_dt, limit)
        if len(self.gaps_s):
            total = float(np.sum(self.gaps_s[:, 1] - self.gaps_s[:, 0]))
            # what a gap is, is decided downstream: a watch's distance that advances across it
            # says the runner kept going (sparse recording), else it is a pause
            how = ("a gap the distance crossed at walking pace or more is counted as moving, any other as a pause"
                   if "distance" in self.channels else "treated as pauses, not movement")
            self.warnings.append(Notice(
                f"{len(self.gaps_s)} gap(s) in sampling ({total:.1f} s in all); {how}", "sampling-gaps"))
        self._warn_nan_runs(lows)

    # -- validation helpers -------------------------------------------------------------------
    def _repair_time(self, time: np.ndarray, channels: dict[str, np.ndarray]):
        """Drop samples without a time, sort a disordered clock, drop repeated times.

        Returns
        -------
        time, channels, dt
            The repaired clock and channels, and the clock's intervals (s) when it needed no
            repair (None after a sort, whose intervals are other ones).
        """
        finite = np.isfinite(time)
        finite = None if finite.all() else finite
        if finite is not None and not finite.all():
            n_bad = int((~finite).sum())
            if n_bad > _MAX_REPAIR_FRACTION * time.size:
                raise TimestampError(f"{n_bad} of {time.size} timestamps are missing or not numbers", self.path)
            self.warnings.append(Notice(f"dropped {n_bad} sample(s) with no timestamp", "samples-dropped"))
            time = time[finite]
            channels = {k: v[finite] for k, v in channels.items()}
        dt = np.diff(time)
        if dt.size and dt.min() > 0:  # strictly increasing (the usual case): no counts needed
            return time, channels, dt
        backwards = int(np.count_nonzero(dt < 0))
        duplicates = int(np.count_nonzero(dt == 0))
        if backwards == 0 and duplicates == 0:
            return time, channels, dt
        if backwards > _MAX_REPAIR_FRACTION * time.size:
            raise TimestampError(
                f"timestamps go backwards {backwards} times in {time.size} samples; the clock is not usable",
                self.path,
            )
        if duplicates > 0.5 * time.size:
            raise TimestampError(
                f"{duplicates} of {time.size} timestamps repeat the previous one; pass sampling_rate_hz= "
                "(CLI: --rate-hz) if the file has no usable clock",
                self.path,
            )
        order = np.argsort(time, kind="stable")
        time = time[order]
        keep = np.concatenate([[True], np.diff(time) > 0])
        channels = {k: v[order][keep] for k, v in channels.items()}
        time = time[keep]
        parts = []
        if backwards:
            parts.append(f"{backwards} backwards jump(s) sorted")
        if duplicates or (~keep).any():
            parts.append(f"{int((~keep).sum())} duplicate timestamp(s) dropped (first kept)")
        self.warnings.append(Notice("timestamps repaired: " + "; ".join(parts), "timestamps-repaired"))
        if time.size < 2:
            raise SignalError("fewer than 2 distinct timestamps", self.path)
        return time, channels, None

    def _drop_empty_channels(self, channels: dict[str, np.ndarray], lows: dict) -> dict[str, np.ndarray]:
        """``channels`` without those that hold no finite value; ``lows`` holds each one's minimum."""
        kept = {}
        for name, values in channels.items():
            if np.isfinite(lows[name]) or np.isfinite(values).any():
                kept[name] = values
            else:
                self.warnings.append(Notice(f"channel {name!r} has no finite value and was dropped", "channel-empty"))
        return kept

    def _estimate_rate(self, dt: np.ndarray, med_dt: float, limit: float) -> float:
        """1 / median sample interval (Hz); intervals above ``limit`` (gaps) left out, if any."""
        med = med_dt
        if len(self.gaps_s):
            dt = dt[dt <= limit]
            med = float(quantiles.median(dt)) if dt.size else float("nan")
        return 1.0 / med if med > 0 else float("nan")

    def _warn_nan_runs(self, lows: dict) -> None:
        """Warn about channels with many or long runs of NaN; ``lows`` holds each one's minimum."""
        rate = self.sampling_rate_hz if np.isfinite(self.sampling_rate_hz) else 1.0
        for name, values in self.channels.items():
            if not np.isnan(lows[name]):  # a NaN anywhere makes the minimum NaN: none here
                continue
            runs = nan_runs(values)
            if not len(runs):
                continue
            longest = int((runs[:, 1] - runs[:, 0]).max())
            missing = int((runs[:, 1] - runs[:, 0]).sum())
            if missing > 0.01 * values.size or longest / rate >= 1.0:
                self.warnings.append(Notice(
                    f"channel {name!r}: {missing} missing value(s) in {len(runs)} stretch(es), "
                    f"longest {longest / rate:.1f} s", "channel-gap", channel=name))

    # -- convenience ----------------------------------------------------------------------------
    @property
    def duration_s(self) -> float:
        """Time from first to last sample, in seconds (pauses included)."""
        return float(self.time_s[-1])

    @property
    def n_samples(self) -> int:
        return int(self.time_s.size)

    @property
    def sensors(self) -> list[str]:
        """Sensor prefixes of a multi-sensor recording, or ``[""]`` for a single sensor."""
        prefixes = sorted({name.split(".", 1)[0] for name in self.channels if "." in name})
        return prefixes or [""]

    def has(self, *names: str) -> bool:
        """True when every channel in ``names`` is present."""
        return all(n in self.channels for n in names)

    def get(self, name: str) -> np.ndarray | None:
        """The channel ``name`` or ``None``."""
        return self.channels.get(name)

    def sensor(self, name: str) -> "Recording":
        """A single-sensor view of a multi-sensor recording, with plain channel names.

        Parameters
        ----------
        name : str
            A prefix from :attr:`sensors` (``"left"``, ``"right_foot"``...). ``""`` returns self.
        """
        if name == "":
            return self
        prefix = name + "."
        chans = {k[len(prefix):]: v for k, v in self.channels.items() if k.startswith(prefix)}
        # channels without a prefix (a shared clock's distance, for instance) stay visible
        chans.update({k: v for k, v in self.channels.items() if "." not in k})
        if not chans:
            raise GaitloadError(f"no sensor named {name!r}; sensors are {self.sensors}", self.path)
        prov = {k[len(prefix):]: v for k, v in self.provenance.items() if k.startswith(prefix)}
        prov.update({k: v for k, v in self.provenance.items() if "." not in k})
        placement = self.sensor_placement.get(name, self.placement)
        side = self.sensor_side.get(name, _side_from_name(name))
        return Recording(
            time_s=self.time_s,
            channels=chans,
            placement=placement,
            source_format=self.source_format,
            start_time=self.start_time,
            path=self.path,
            provenance=prov,
            sensor_side={"": side},
            warnings=[],
            metadata={**self.metadata, "sensor": name},
        )

    @property
    def side(self) -> str:
        """Side of a single-sensor recording: ``left``, ``right`` or ``unknown``."""
        return self.sensor_side.get("", "unknown")

    def with_changes(self, **changes) -> "Recording":
        """A copy with some fields replaced (validated again)."""
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}
        fields["warnings"] = list(self.warnings)
        fields["provenance"] = dict(self.provenance)
        fields.update(changes)
        return Recording(**fields)

    def resample(self, rate_hz: float) -> "Recording":
        """Linear interpolation onto a regular grid; used only when asked for.

        Parameters
        ----------
        rate_hz : float
            New sampling rate in Hz.
        """
        if not rate_hz > 0:
            raise GaitloadError(f"resampling rate must be positive, got {rate_hz}", self.path)
        grid = np.arange(int(np.floor(self.duration_s * rate_hz + 1e-9)) + 1) / rate_hz
        chans = {k: np.interp(grid, self.time_s, v) for k, v in self.channels.items()}
        rec = self.with_changes(time_s=grid, channels=chans)
        rec.warnings.append(Notice(f"resampled to {rate_hz:g} Hz by linear interpolation", "resampled"))
        return rec

    def to_frame(self) -> pd.DataFrame:
        """Samples as a DataFrame with a ``time_s`` column and one column per channel.

        ``frame.attrs["distance_source"]`` keeps who measured the distance channel (see
        ``metadata["distance_source"]``), so that analysing the frame treats a distance summed
        from positions as such.
        """
        frame = pd.DataFrame({"time_s": self.time_s, **self.channels})
        if self.metadata.get("distance_source"):
            frame.attrs["distance_source"] = self.metadata["distance_source"]
        return frame

    def describe(self) -> dict:
        """A JSON-serialisable description: format, placement, rate, channels, provenance."""
        return {
            "path": self.path,
            "format": self.source_format,
            "placement": self.placement,
            "start_time": None if self.start_time is None else self.start_time.isoformat(),
            "duration_s": self.duration_s,
            "n_samples": self.n_samples,
            "sampling_rate_hz": self.sampling_rate_hz,
            "channels": {k: CHANNEL_UNITS.get(k.split(".")[-1], "") for k in self.channels},
            "provenance": dict(self.provenance),
            "warnings": list(self.warnings),
        }

    def __repr__(self) -> str:
        return (
            f"Recording({self.source_format}, placement={self.placement}, {self.n_samples} samples, "
            f"{self.sampling_rate_hz:.4g} Hz, {self.duration_s:.1f} s, channels={list(self.channels)})"
        )


def _side_from_name(name: str) -> str:
    lowered = name.lower()
    if lowered.startswith("l") and ("left" in lowered or lowered in {"l", "lf", "lfoot", "l_foot"}):
        return "left"
    if lowered.startswith("r") and ("right" in lowered or lowered in {"r", "rf", "rfoot", "r_foot"}):
        return "right"
    return "unknown"


def from_arrays(
    time_s: Iterable[float],
    channels: Mapping[str, Iterable[float]],
    **kwargs,
) -> Recording:
    """Build a :class:`Recording` from plain sequences (a convenience for tests and users)."""
    return Recording(time_s=np.asarray(list(time_s) if not hasattr(time_s, "__len__") else time_s),
                     channels={k: np.asarray(v) for k, v in channels.items()}, **kwargs)
