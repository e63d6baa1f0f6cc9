"""FIT developer fields (Stryd, RunScribe, others): their names and declared units -> gaitload
channels in SI units (the table is in :mod:`gaitload.io.fit`'s docstring)."""

from __future__ import annotations

import re

import numpy as np

from ..notice import Notice

__all__ = ["DEV_FIELD_CHANNELS", "developer_channels"]

#: Normalised developer field name -> channel (see the module docstring's table).
DEV_FIELD_CHANNELS: dict[str, str] = {
    "power": "power",
    "groundtime": "contact_time",
    "contacttime": "contact_time",
    "gct": "contact_time",
    "stancetime": "contact_time",
    "verticaloscillation": "vertical_oscillation",
    "legspringstiffness": "leg_spring_stiffness",
    "lss": "leg_spring_stiffness",
    "formpower": "form_power",
    "airpower": "air_power",
    "footstriketype": "footstrike_type",
    "fstype": "footstrike_type",
    "striketype": "footstrike_type",
    "footstrike": "footstrike_type",
    "impactgs": "impact_g",
    "impactg": "impact_g",
    "impact": "impact_g",
    "brakinggs": "braking_g",
    "brakingg": "braking_g",
    "braking": "braking_g",
    "pronationexcursion": "pronation",
    "pronation": "pronation",
    "steplength": "step_length",
}


#: Target SI unit per channel, for converting declared developer units.
_UNIT_FACTOR = {
    "contact_time": {"ms": 1e-3, "millisecond": 1e-3, "milliseconds": 1e-3, "msec": 1e-3, "s": 1.0,
                     "sec": 1.0, "second": 1.0, "seconds": 1.0},
    "vertical_oscillation": {"mm": 1e-3, "millimeter": 1e-3, "millimeters": 1e-3, "cm": 1e-2,
                             "centimeter": 1e-2, "centimeters": 1e-2, "m": 1.0, "meter": 1.0, "meters": 1.0},
    "step_length": {"mm": 1e-3, "millimeters": 1e-3, "cm": 1e-2, "centimeters": 1e-2, "m": 1.0,
                    "meter": 1.0, "meters": 1.0},
}
#: Unit assumed when a developer field declares none (the vendors' documented units).
_DEFAULT_DEV_UNIT = {"contact_time": "ms", "vertical_oscillation": "cm", "step_length": "mm"}


_SIDE_RE = re.compile(r"^(?:(left|right|l|r)[\s_\-]+)|(?:[\s_\-]+(left|right|l|r))$|\((left|right|l|r)\)$", re.I)


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _dev_channel(name: str) -> tuple[str | None, str]:
    """Channel and side (``""``, ``left``, ``right``) of a developer field name."""
    side = ""
    m = _SIDE_RE.search(name.strip())
    base = name
    if m:
        token = next(g for g in m.groups() if g)
        side = "left" if token.lower().startswith("l") else "right"
        base = _SIDE_RE.sub("", name.strip())
    return DEV_FIELD_CHANNELS.get(_norm(base)), side


def _unit_factor(channel: str, units: str | None) -> float | None:
    table = _UNIT_FACTOR.get(channel)
    if table is None:
        return 1.0
    key = (units or _DEFAULT_DEV_UNIT[channel]).strip().lower()
    return table.get(key)


#: Developer fields a foot pod measures per foot (RunScribe): kept per side, never averaged (a
#: heel-striking left foot and a forefoot-striking right foot are not two midfoot strikes).
_PER_FOOT_DEV = ("footstrike_type", "impact_g", "braking_g", "pronation")


def _per_foot_dev_channels(dev_by_channel: dict, channels: dict, prov: dict, used: dict) -> None:
    """Move left/right developer fields of :data:`_PER_FOOT_DEV` out of ``dev_by_channel`` into
    ``<channel>_left`` / ``<channel>_right`` channels (a field without a side stays as it is)."""
    for channel in _PER_FOOT_DEV:
        by_side = dev_by_channel.get(channel) or {}
        if not ({"left", "right"} & set(by_side)):
            continue
        for side in ("left", "right"):
            if side in by_side:
                fname, arr = by_side[side][0]
                channels[f"{channel}_{side}"] = arr
                prov[f"{channel}_{side}"] = f"measured: fit developer field {fname!r}"
                used[f"{channel}_{side}"] = fname
        if "" not in by_side:
            del dev_by_channel[channel]
        else:
            dev_by_channel[channel] = {"": by_side[""]}


def developer_channels(raw: dict, dev_units: dict, channels: dict, prov: dict, warnings: list[str]) -> dict[str, str]:
    """Add the channels of the developer fields in ``raw`` to ``channels`` and ``prov``.

    Parameters
    ----------
    raw : dict of str to ndarray
        Record columns; developer fields are keyed ``"dev:<field name>"``, in their declared units.
    dev_units : dict of str to str or None
        Declared unit per ``"dev:<field name>"`` key.
    channels, prov : dict
        The channels read so far (updated in place): a native field already there wins.
    warnings : list of str
        Gets a line per developer field with units it cannot convert (the field is ignored).

    Returns
    -------
    dict of str to str
        The developer field name behind each channel added.
    """
    dev_by_channel: dict[str, dict[str, list[tuple[str, np.ndarray]]]] = {}
    for key, arr in raw.items():
        if not key.startswith("dev:"):
            continue
        fname = key[4:]
        channel, side = _dev_channel(fname)
        if channel is None:
            continue
        factor = _unit_factor(channel, dev_units.get(key))
        if factor is None:
            warnings.append(Notice(f"developer field {fname!r} has unknown units {dev_units.get(key)!r}; ignored",
                                   "hint-ignored"))
            continue
        dev_by_channel.setdefault(channel, {}).setdefault(side, []).append((fname, arr * factor))
    dev_fields_used: dict[str, str] = {}
    _per_foot_dev_channels(dev_by_channel, channels, prov, dev_fields_used)
    for channel, by_side in dev_by_channel.items():
        if channel in channels and np.isfinite(channels[channel]).any():
            continue  # the device's native field wins
        if "" in by_side:
            fname, arr = by_side[""][0]
            how = f"measured: fit developer field {fname!r} ({dev_units.get('dev:' + fname) or 'no unit'})"
        elif "left" in by_side and "right" in by_side:
            (lname, left), (rname, right) = by_side["left"][0], by_side["right"][0]
            with np.errstate(invalid="ignore"):
                arr = np.nanmean(np.vstack([left, right]), axis=0) if left.size else left
            fname = f"{lname} + {rname}"
            how = f"derived: mean of fit developer fields {lname!r} and {rname!r}"
        else:
            side = next(iter(by_side))
            fname, arr = by_side[side][0]
            how = f"measured: fit developer field {fname!r} ({side} only)"
        if channel in ("contact_time", "vertical_oscillation"):
            arr = np.where(arr > 0, arr, np.nan)
        channels[channel] = arr
        prov[channel] = how
        dev_fields_used[channel] = fname
    return dev_fields_used
