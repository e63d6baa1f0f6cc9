"""Column alias tables: from whatever a device wrote in its header to gaitload's channel names.

A header is first split into a *base name* and an optional *unit text*
(``"Acceleration x (m/s^2)"`` -> ``("acceleration_x", "m/s^2")``, ``"cadence_spm"`` ->
``("cadence", "spm")``); the base name is then looked up in the tables below. Multi-sensor wide
files (``left_acc_x``, ``acc_x_right``, ``LF.Gyr_X``) are split into a sensor prefix and a channel.

The ``columns=`` hint of the CSV readers bypasses all of this: it maps a file's exact column
name to a canonical name (``{"AccelX[mg]": "acc_x", "Zeit": "time", "L.AccX": "left.acc_x"}``).
"""

from __future__ import annotations

import re

__all__ = [
    "split_header",
    "clean_name",
    "imu_channel",
    "record_channel",
    "sensor_placement",
    "sensor_name",
    "TIME_NAMES",
    "COUNTER_NAMES",
    "RECORD_ALIASES",
    "SENSOR_GROUP_NAMES",
]

_AXES = ("x", "y", "z")


def _axis_table(stems: tuple[str, ...], channel: str) -> dict[str, str]:
    table = {}
    for axis in _AXES:
        for stem in stems:
            table[f"{stem}_{axis}"] = f"{channel}_{axis}"
            table[f"{stem}{axis}"] = f"{channel}_{axis}"
            if len(stem) > 1:  # "x_acc" yes, "x_g" no (that is x in g)
                table[f"{axis}_{stem}"] = f"{channel}_{axis}"
    return table


#: Accelerometer axis names (gravity included; "linear acceleration" is deliberately absent).
ACC_ALIASES = _axis_table(("acc", "accel", "acceleration", "accelerometer", "a", "accl", "acc_raw"), "acc")
#: Gyroscope axis names.
GYR_ALIASES = _axis_table(
    ("gyr", "gyro", "gyroscope", "g", "angular_velocity", "angular_rate", "rotation_rate", "rot", "omega", "w",
     "gyr_raw"),
    "gyr",
)
#: Bare axis names (``x``, ``x_axis``): acceleration unless the header unit is an angular rate.
BARE_AXIS = {**{a: a for a in _AXES}, **{f"{a}_axis": a for a in _AXES}, **{f"{a}axis": a for a in _AXES}}

#: Clock columns, in order of preference when a file has several.
TIME_NAMES = (
    "epoch", "epoch_time", "unix_time", "unix_timestamp", "time", "timestamp", "t", "time_s", "times",
    "date_time", "datetime", "date", "utc", "seconds_elapsed", "elapsed", "elapsed_time", "time_elapsed",
    "elapsed_s", "seconds", "sec", "clock", "time_stamp", "sampletime", "sample_time",
)
#: Sample counters (time = counter / rate). An unnamed first column is treated the same way
#: unless its values are not consecutive integers.
COUNTER_NAMES = ("packetcounter", "packet_counter", "counter", "sample", "samples", "sample_index",
                 "sample_number", "samplenumber", "index", "idx", "frame", "sensor_axis", "sensor", "axis", "")

#: Columns naming the sensor of each row in a long multi-sensor file (ActiGraph-style).
SENSOR_GROUP_NAMES = ("loc_id", "location", "loc", "sensor_id", "sensor_location", "placement", "device",
                      "device_id", "body_location", "wear_location", "position", "side")

#: Watch / footpod record columns: base name -> canonical channel. Units come from the header
#: text or from the data (see :mod:`gaitload.io.csv_records`).
RECORD_ALIASES: dict[str, str] = {}
for _chan, _names in {
    "time": TIME_NAMES,
    "distance": ("distance", "dist", "stryd_distance", "watch_distance", "total_distance", "cumulative_distance",
                 "enhanced_distance"),
    "speed": ("speed", "stryd_speed", "watch_speed", "velocity", "enhanced_speed", "pace", "avg_pace", "speed_pace"),
    "cadence": ("cadence", "run_cadence", "running_cadence", "step_rate", "steps_per_minute", "strides_per_minute",
                "stride_rate", "cad", "step_cadence"),
    "altitude": ("altitude", "elevation", "ele", "alt", "enhanced_altitude", "height", "stryd_elevation",
                 "watch_elevation", "barometric_altitude", "gps_altitude"),
    "heart_rate": ("heart_rate", "heartrate", "hr", "pulse", "heart_rate_bpm", "bpm"),
    "power": ("power", "stryd_power", "watts", "running_power"),
    "contact_time": ("ground_time", "ground_contact_time", "gct", "stance_time", "contact_time"),
    "vertical_oscillation": ("vertical_oscillation", "vo", "vert_osc", "vertical_osc"),
    "leg_spring_stiffness": ("leg_spring_stiffness", "lss", "stiffness"),
    "form_power": ("form_power",),
    "air_power": ("air_power",),
    "grade": ("grade", "gradient", "slope", "grade_pct"),
    "incline": ("incline", "treadmill_incline"),
    "latitude": ("latitude", "lat", "position_lat"),
    "longitude": ("longitude", "lon", "lng", "long", "position_long"),
    "vertical_ratio": ("vertical_ratio",),
    "step_length": ("step_length",),
    "contact_time_balance": ("stance_time_balance", "ground_contact_balance", "gct_balance", "contact_time_balance"),
    "temperature": ("temperature", "temp"),
    # RunScribe per-stride metrics (their dashboard names)
    "footstrike_type": ("footstrike_type", "foot_strike_type", "footstrike", "foot_strike", "fs_type", "strike_type"),
    "impact_g": ("impact_gs", "impact_g", "impact"),
    "braking_g": ("braking_gs", "braking_g", "braking"),
    "pronation": ("pronation_excursion", "pronation"),
    "stride_length": ("stride_length",),
}.items():
    for _name in _names:
        RECORD_ALIASES.setdefault(_name, _chan)

# Unit words that may trail a base name (``cadence_spm``, ``altitude_ft``, ``speed_kmh``).
_TRAILING_UNITS = {
    "m", "km", "mi", "ft", "feet", "meters", "metres", "mps", "ms", "s", "sec", "kmh", "kph", "mph", "spm",
    "rpm", "bpm", "mm", "cm", "w", "pct", "percent", "deg", "g", "dps", "rads", "us", "ns", "min_km", "min_mi",
    "steps", "strides",
}

# Words that may name a sensor (prefix or suffix of a channel) in a wide multi-sensor file.
_SENSOR_WORDS = {
    "left", "right", "l", "r", "lf", "rf", "lb", "lh", "rh", "foot", "shoe", "heel", "toe", "instep", "shank",
    "ankle", "shin", "tibia", "hip", "waist", "wrist", "back", "lowerback", "lower", "lumbar", "pelvis",
    "sacrum", "trunk", "thigh", "chest", "sensor", "imu",
}

_PLACEMENT_WORDS = (
    ("foot", {"foot", "shoe", "heel", "toe", "instep", "lf", "rf", "feet"}),
    ("shank", {"shank", "ankle", "shin", "tibia"}),
    ("lumbar", {"hip", "waist", "back", "lowerback", "lumbar", "pelvis", "sacrum", "trunk", "lb"}),
    ("wrist", {"wrist", "hand", "arm", "watch"}),
)


def clean_name(text: str) -> str:
    """Lower-case snake form of a header fragment (``"Acc_X"`` -> ``"acc_x"``, ``"x-axis"`` -> ``"x_axis"``)."""
    return re.sub(r"[^0-9a-z]+", "_", str(text).strip().lower()).strip("_")


def split_header(header: str) -> tuple[str, str | None]:
    """Split a column header into its cleaned base name and unit text.

    Examples
    --------
    >>> split_header("Acceleration x (m/s^2)")
    ('acceleration_x', 'm/s^2')
    >>> split_header("cadence_spm")
    ('cadence', 'spm')
    >>> split_header("Stryd Distance (meters)")
    ('stryd_distance', 'meters')
    """
    return _split_header(str(header).strip())


#: Unit words, longest first, so ``_ms`` is tried before ``_s`` (two of one length cannot both
#: end a name, so their order does not matter).
_TRAILING_LONGEST_FIRST = tuple(sorted(_TRAILING_UNITS, key=len, reverse=True))


def _split_header(text: str) -> tuple[str, str | None]:
    """:func:`split_header` of a stripped header (~20 calls per ``gaitload.read``, ~9 us each)."""
    units = re.findall(r"[\(\[\{]([^\)\]\}]*)[\)\]\}]", text)
    base = clean_name(re.sub(r"[\(\[\{][^\)\]\}]*[\)\]\}]", " ", text))
    unit = units[-1].strip() if units else None
    if unit is None:
        for trail in _TRAILING_LONGEST_FIRST:
            if base.endswith("_" + trail) and len(base) > len(trail) + 1:
                base, unit = base[: -len(trail) - 1], trail
                break
    return base, unit


def _direct_imu(base: str, unit: str | None) -> str | None:
    if base in ACC_ALIASES:
        return ACC_ALIASES[base]
    if base in GYR_ALIASES:
        return GYR_ALIASES[base]
    if base in BARE_AXIS:
        kind = "gyr" if unit is not None and re.search(r"deg|rad|°|dps", unit, re.I) else "acc"
        return f"{kind}_{BARE_AXIS[base]}"
    return None


def imu_channel(header: str) -> tuple[str, str, str | None] | None:
    """Resolve an IMU column header.

    Returns
    -------
    (sensor, channel, unit_text) or None
        ``sensor`` is ``""`` for a single-sensor column, else a prefix like ``"left"``;
        ``channel`` is ``acc_x``... ``gyr_z``.
    """
    if "." in str(header):  # "left.acc_x" or "LF.Gyr_X"
        sensor, _, rest = str(header).partition(".")
        base, unit = split_header(rest)
        chan = _direct_imu(base, unit)
        if chan is not None:
            return sensor_name(sensor), chan, unit
    base, unit = split_header(header)
    chan = _direct_imu(base, unit)
    if chan is not None:
        return "", chan, unit
    tokens = base.split("_")
    for k in (1, 2, 3):
        if len(tokens) <= k:
            break
        head, tail = tokens[:k], tokens[k:]
        if all(t in _SENSOR_WORDS for t in head):
            chan = _direct_imu("_".join(tail), unit)
            if chan is not None:
                return sensor_name("_".join(head)), chan, unit
        head, tail = tokens[-k:], tokens[:-k]
        if all(t in _SENSOR_WORDS for t in head):
            chan = _direct_imu("_".join(tail), unit)
            if chan is not None:
                return sensor_name("_".join(head)), chan, unit
    return None


#: Prefixes a device export puts before running-dynamics names: Garmin's HRM-Run / HRM-Pro
#: (``hrm_stance_time``), Stryd's Connect IQ fields (``stryd_power``), RunScribe (``rs_``).
DEVICE_PREFIXES = ("hrm_", "stryd_", "rs_", "runscribe_")
#: Channels a device measures per foot; a side in the name keeps them apart
#: (``Footstrike Type L`` -> ``footstrike_type_left``), never averaged: a heel-striking left
#: foot and a forefoot-striking right foot do not make two midfoot strikes.
SIDED_CHANNELS = ("footstrike_type", "impact_g", "braking_g", "pronation", "contact_time")
_SIDE_TOKENS = {"l": "left", "left": "left", "r": "right", "right": "right"}


def record_channel(header: str) -> tuple[str, str | None] | None:
    """Resolve a watch/footpod column header to ``(channel, unit_text)`` or None.

    Besides the names of :data:`RECORD_ALIASES`, a device prefix (:data:`DEVICE_PREFIXES`) is
    looked through when the name without it is known (``hrm_stance_time`` -> ``contact_time``),
    and a side word before or after a per-foot channel (:data:`SIDED_CHANNELS`) gives
    ``<channel>_left`` / ``<channel>_right``.
    """
    base, unit = split_header(header)
    if base in RECORD_ALIASES:
        return RECORD_ALIASES[base], unit
    for prefix in DEVICE_PREFIXES:
        if base.startswith(prefix) and base[len(prefix):] in RECORD_ALIASES:
            chan = RECORD_ALIASES[base[len(prefix):]]
            return (chan, unit) if chan != "time" else None
    tokens = base.split("_")
    for side_token, rest in ((tokens[0], tokens[1:]), (tokens[-1], tokens[:-1])):
        side = _SIDE_TOKENS.get(side_token)
        if side and rest and RECORD_ALIASES.get("_".join(rest)) in SIDED_CHANNELS:
            return f"{RECORD_ALIASES['_'.join(rest)]}_{side}", unit
    return None


def sensor_name(raw: str) -> str:
    """Sensor prefix from a header fragment: ``"left_sensor"`` -> ``"left"``, ``"L"`` -> ``"left"``."""
    tokens = [t for t in clean_name(raw).split("_") if t not in {"sensor", "imu"}]
    tokens = [{"l": "left", "r": "right"}.get(t, t) for t in tokens]
    return "_".join(tokens) or clean_name(raw) or "sensor"


def sensor_placement(name: str) -> str:
    """Placement implied by a sensor's name (``"left_ankle"`` -> ``"shank"``), else ``"unknown"``."""
    tokens = set(clean_name(name).split("_"))
    for placement, words in _PLACEMENT_WORDS:
        if tokens & words:
            return placement
    return "unknown"
