"""The simulator's entry points: :func:`simulate_run` and the bundled sample data."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import OptionError
from ..notice import Notice
from ..recording import Recording
from .course import COURSES, Course
from .kinematics import foot_or_shank
from .numeric import mount_rotation
from .result import SimulatedRun
from .sensors import MOUNTS, lumbar, records, sensor_noise, wrist
from .timeline import MIDSTANCE_FRAC, STRIKES, Warp, build_timeline
from .truth import truth_table

__all__ = ["simulate_run", "write_sample_data", "SAMPLE_FILES", "PLACEMENTS_SIMULATED"]

PLACEMENTS_SIMULATED = ("foot", "shank", "lumbar", "wrist", "records")

_LEAD_IN_S = 2.0                # IMU recordings start with the runner standing still
_START_TIME = pd.Timestamp("2024-06-01 06:30:00", tz="UTC")


def simulate_run(duration_s: float = 600.0, placement: str = "foot", sampling_rate_hz: float = 200.0,
                 course: str | Course = "hilly", strike: str = "auto", speed_mps: float = 3.3,
                 side: str = "left", altitude_source: str | None = "barometric", seed: int = 0,
                 stops: bool = False, stop_s: float = 30.0, start_time: str | pd.Timestamp | None = None) -> SimulatedRun:
    """Simulate a run with sensor data and ground truth.

    Parameters
    ----------
    duration_s : float
        Length of the recording, s (IMU recordings include a 2 s standing lead-in, and a stop
        when ``stops``).
    placement : str
        ``foot``, ``shank``, ``lumbar``, ``wrist`` or ``records`` (1 Hz watch records).
    sampling_rate_hz : float
        IMU sampling rate, Hz (20-2000). Ignored for ``records`` (1 Hz).
    course : str or Course
        ``hilly`` (grades to about +-15 %), ``flat`` (level, constant speed like a treadmill),
        ``uphill`` (~+8 %), ``downhill`` (~-8 %), ``rolling`` (+-6 %) or a :class:`Course`. On
        the others speed drifts slowly by about 2.5 %. The run stops at the end of a user course.
    strike : str
        ``auto`` (grade dependent), ``rearfoot``, ``midfoot`` or ``forefoot``.
    speed_mps : float
        Speed on the flat, m/s; slower uphill and a little faster downhill at equal effort
        (Strava 2017 GAP factors).
    side : str
        Foot/shank/wrist sensor side: ``left``, ``right``; foot/shank also ``both`` (two
        sensors, channel prefixes ``left.`` and ``right.``).
    altitude_source : str or None
        Records only: ``barometric``, ``gps`` or None (no altitude channel).
    seed : int
        Seed; the same arguments and seed give identical output.
    stops : bool
        Insert a standing stop of ``stop_s`` seconds in the middle of the run (no contacts).
    stop_s : float
        Length of the stop, s.
    start_time : str or pandas.Timestamp, optional
        UTC date and time of the first sample (default 2024-06-01T06:30:00Z). When given, an IMU
        run's :meth:`SimulatedRun.write_csv` writes ``time_s`` as POSIX seconds so the file
        carries its date (watch records always write ISO 8601 times).

    Returns
    -------
    SimulatedRun
        ``recording`` (a :class:`Recording`), ``truth`` (one row per contact of both feet, sorted
        by time: ``time_s`` (initial contact), ``toe_off_s``, ``foot``, ``contact_time_ms``,
        ``step_time_s`` (from the previous contact, NaN for the first and after a stop; the
        contact the runner stands on during a stop is not listed),
        ``cadence_spm``, ``speed_mps``, ``distance_m``, ``altitude_m``, ``grade_pct``,
        ``terrain`` (uphill if grade > 2 %, downhill if < -2 %, else flat), ``strike_pattern``,
        ``strike_angle_deg`` (foot pitch at contact relative to the ground, + = heel first),
        ``stride_length_m`` and ``stride_rise_m`` (horizontal and vertical travel of this foot
        from this contact's foot-flat to its next one)), ``course`` (1 m grid) and
        ``sensor_rotation``.

    Notes
    -----
    Foot sensor: a sagittal rigid-foot model per stride. Pitch (C2 chain of quintic Hermite
    segments, so angular acceleration has no steps): strike angle at IC, the rate having crossed
    zero 12 ms before; a foot slap right after a heel strike (rate minimum ~12 ms after IC,
    Falbriard et al. 2018 IC feature) or a calf-braked heel drop after a forefoot landing; flat
    on the ground (the ground slope) from 18 % (forefoot 21 %) to 52 % of contact; push-off with
    the most negative pitch rate exactly at toe-off (Falbriard 2018 TC feature), to -48..-55 deg;
    lowest pitch (-62..-73 deg) ~40 ms into the swing. Translation: the foot rolls about its
    landing point (heel, or metatarsal heads for a forefoot landing) from IC to foot-flat and
    about the metatarsal heads from heel-off to toe-off, so the dorsum sensor moves on circles
    about the contact points; the landing point touches down at ~1 m/s (rearfoot) and is stopped
    by the heel pad and midsole within 16-30 ms; the swing is the quintic that matches position,
    velocity and acceleration at toe-off and the next IC, plus a C2 clearance bump (stride length
    and rise = footprint distance and altitude change). Also small roll and yaw, a damped
    20-30 Hz ring at IC (larger for rearfoot), noise, bias and a fixed non-trivial sensor
    mounting rotation. Foot and shank samples are means over the sampling interval (as an
    integrating, low-pass-filtered MEMS sensor reports them), so the landing's velocity change and
    the foot slap's angle change survive at 100 Hz. Shank: shank inclination pattern (C2), lower end at the ankle of the same
    rolling foot (so it takes the landing deceleration: axial tibial shock ~6 g for a heel strike
    at 3.5 m/s, ~2-3 g for a forefoot landing), sensor 0.15 m above the ankle. Lumbar: sine-wave
    vertical GRF model per contact of either foot, braking/propulsion, alternating lateral sway,
    trunk lean growing uphill. Wrist: arm swing at stride frequency plus trunk motion and per-step
    impacts, clipped at +-8 g. Limits: rigid foot (no arch or toe flexion), sagittal
    translation only, and running starts at full speed after the standing lead-in.
    """
    placement = str(placement).lower()
    if placement not in PLACEMENTS_SIMULATED:
        raise OptionError(f"unknown placement {placement!r}; use one of {', '.join(PLACEMENTS_SIMULATED)}")
    if strike not in STRIKES:
        raise OptionError(f"unknown strike {strike!r}; use one of {', '.join(STRIKES)}")
    sides = ("left", "right", "both") if placement in ("foot", "shank") else ("left", "right")
    if placement in ("foot", "shank", "wrist") and side not in sides:
        raise OptionError(f"side must be one of {', '.join(sides)} for a {placement} sensor, got {side!r}")
    if altitude_source not in ("barometric", "gps", None, "none"):
        raise OptionError(f"altitude_source must be barometric, gps or None, got {altitude_source!r}")
    altitude_source = None if altitude_source == "none" else altitude_source
    try:
        duration_s, sampling_rate_hz, speed_mps = float(duration_s), float(sampling_rate_hz), float(speed_mps)
        stop_s = float(stop_s)
    except (TypeError, ValueError) as exc:
        raise OptionError(f"duration, rate, speed and stop length must be numbers ({exc})") from None
    if not 10.0 <= duration_s <= 48 * 3600:
        raise OptionError(f"duration_s must be between 10 s and 48 h, got {duration_s:g}")
    if placement != "records" and not 20.0 <= sampling_rate_hz <= 2000.0:
        raise OptionError(f"sampling_rate_hz must be between 20 and 2000 Hz, got {sampling_rate_hz:g}")
    if not 1.5 <= speed_mps <= 7.0:
        raise OptionError(f"speed_mps must be between 1.5 and 7 m/s (a running speed), got {speed_mps:g}")
    if stops and not 1.0 <= stop_s <= duration_s / 3:
        raise OptionError(f"stop_s must be between 1 s and a third of the duration, got {stop_s:g}")
    seed = int(seed)
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence([seed, 7]).spawn(6)]
    rng_tl, rng_sig_l, rng_sig_r, rng_noise_l, rng_noise_r, rng_rec = rngs

    is_records = placement == "records"
    lead = 0.0 if is_records else _LEAD_IN_S
    pause = stop_s if stops else 0.0
    run_s = duration_s - lead - pause
    if isinstance(course, Course):
        crs = course
        name = course.name
    elif isinstance(course, str):
        name = course
        crs = Course.preset(course, run_s * speed_mps * 1.35 + 300.0, seed)
    else:
        raise OptionError(f"course must be a name ({', '.join(COURSES)}) or a Course")
    if crs.length_m < 20:
        raise OptionError(f"course is {crs.length_m:.0f} m long; at least 20 m are needed")
    sensor_left = side != "right"
    tl = build_timeline(crs, run_s, speed_mps, strike, left_first=sensor_left, rng=rng_tl,
                        treadmill=(name == "flat"))
    warnings = []
    if tl.run_end_tau < run_s - 1e-9:
        warnings.append(Notice(f"the course ended after {tl.run_end_tau:.0f} s of running; recording shortened",
                               "simulated"))
        duration_s = lead + pause + tl.run_end_tau
        run_s = tl.run_end_tau

    pause_tau = np.inf
    if stops:
        # stop in mid-stance of a sensor-side contact: the sensor foot is flat on the ground
        mid = tl.ic + MIDSTANCE_FRAC * tl.tc
        cand = np.flatnonzero((tl.foot_left == sensor_left) & (mid > 0))
        pause_tau = float(mid[cand[np.argmin(np.abs(mid[cand] - run_s / 2))]])
    warp = Warp(lead, pause_tau, pause)

    truth = truth_table(tl, crs, warp, duration_s)
    rotations: dict[str, np.ndarray] = {}
    if is_records:
        t, chans, prov = records(tl, crs, warp, duration_s, altitude_source, rng_rec)
        sensor_placement, sensor_side = {}, {}
    else:
        t = np.arange(int(np.floor(duration_s * sampling_rate_hz)) + 1) / sampling_rate_hz
        chans, prov = {}, {}
        sensor_list = ["left", "right"] if side == "both" else [side]
        for s in sensor_list:
            is_left = s == "left"
            rng_sig = rng_sig_l if is_left else rng_sig_r
            rng_noise = rng_noise_l if is_left else rng_noise_r
            if placement in ("foot", "shank"):
                f, w = foot_or_shank(tl, crs, warp, t, is_left, placement, rng_sig, speed_mps,
                                     1.0 / sampling_rate_hz)
                key = (placement, s)
            elif placement == "lumbar":
                f, w = lumbar(tl, warp, t, rng_sig)
                key = ("lumbar", "")
            else:
                f, w = wrist(tl, warp, t, rng_sig, is_left)
                key = ("wrist", s)
            mount = mount_rotation(*MOUNTS[key])
            f, w = f @ mount.T, w @ mount.T
            f, w = sensor_noise(f, w, rng_noise, sampling_rate_hz,
                                acc_range_g=8.0 if placement == "wrist" else 16.0)
            prefix = f"{s}." if side == "both" else ""
            rotations[s if side == "both" else ""] = mount
            for i, axis in enumerate("xyz"):
                chans[f"{prefix}acc_{axis}"] = f[:, i]
                prov[f"{prefix}acc_{axis}"] = f"measured: simulated {placement} accelerometer"
            for i, axis in enumerate("xyz"):
                chans[f"{prefix}gyr_{axis}"] = w[:, i]
                prov[f"{prefix}gyr_{axis}"] = f"measured: simulated {placement} gyroscope"
        if side == "both":
            sensor_placement = {"left": placement, "right": placement}
            sensor_side = {"left": "left", "right": "right"}
        else:
            sensor_placement = {}
            sensor_side = {"": side if placement != "lumbar" else "unknown"}

    params = dict(duration_s=duration_s, placement=placement, sampling_rate_hz=(1.0 if is_records else sampling_rate_hz),
                  course=name, strike=strike, speed_mps=speed_mps, side=side, seed=seed, stops=stops,
                  stop_s=pause, altitude_source=altitude_source if is_records else None)
    start = _START_TIME
    if start_time is not None:
        start = pd.Timestamp(start_time)
        start = start.tz_localize("UTC") if start.tzinfo is None else start.tz_convert("UTC")
        params["start_time"] = start.isoformat()
    rec = Recording(
        time_s=t, channels=chans, placement=placement, source_format="simulated",
        start_time=start, provenance=prov, sensor_placement=sensor_placement,
        sensor_side=sensor_side, warnings=warnings,
        metadata={"simulated": True, "altitude_source": params["altitude_source"],
                  "simulation": params},
    )
    return SimulatedRun(rec, truth, crs.grid(1.0), rotations, warp.standing(), params)


# ------------------------------------------------------------------------------------------------
# Sample data
# ------------------------------------------------------------------------------------------------
#: The bundled sample season: four runs on different days over six weeks (so the season
#: figure's 28-day acute:chronic window fills), each file carrying its start date.
SAMPLE_FILES = {
    "hilly_foot_imu.csv": dict(duration_s=240.0, placement="foot", sampling_rate_hz=100.0,
                               course="hilly", side="left", seed=10, start_time="2024-04-20T07:15:00Z"),
    "lumbar_run.csv": dict(duration_s=180.0, placement="lumbar", sampling_rate_hz=100.0,
                           course="hilly", seed=22, start_time="2024-05-16T06:45:00Z"),
    "watch_records.csv": dict(duration_s=1800.0, placement="records", course="hilly",
                              altitude_source="barometric", seed=3, start_time="2024-06-01T06:30:00Z"),
    "treadmill_shank.csv": dict(duration_s=120.0, placement="shank", sampling_rate_hz=100.0,
                                course="flat", side="left", seed=4, start_time="2024-05-02T18:30:00Z"),
}


def write_sample_data(out_dir: str | os.PathLike) -> list[Path]:
    """Regenerate the bundled ``sample_data/`` files (deterministic) into ``out_dir``."""
    out = Path(out_dir)
    written = []
    for name, kwargs in SAMPLE_FILES.items():
        written.extend(simulate_run(**kwargs).write_csv(out / name))
    return written
