"""Synthetic running recordings with ground truth: :func:`simulate_run`.

The simulator is a small, physically grounded model of a runner on a course, used to test every
stage of gaitload against known truth (foot strikes, contact times, strike angles, grade, stride
length) and to ship the example files of ``sample_data/``.

Model, in the order it is computed (all vectorised; nothing loops per sample or per step):

1. **Course** (:class:`Course`): altitude on a 1 m grid; grade is its derivative.
2. **Speed** follows the Strava 2017 grade-adjusted-pace factor table (Robb 2017, literature
   section 1e) so that effort is constant: ``v(d) = v_flat / F(grade)`` (slower uphill, a little
   faster downhill), with slow random fluctuations and a 15 m smoothing for the runner's inertia.
   Distance against time follows by integrating ``1 / v`` along the course.
3. **Cadence** rises with effort speed (+10 % from 3.5 to 5.2 m/s, Dorn et al. 2012) and with
   uphill grade (+4 % at +7 %, Padulo et al. 2013), falls a little downhill (Vernillo et al. 2017).
   Foot contacts are the integer crossings of the step phase ``Phi(t) = integral cadence/60 dt``
   plus a small per-step jitter, so the number of steps equals the integral of cadence.
4. **Contact time** about 245 ms at 3.3 m/s, shorter with speed (exponent -0.6), per-step noise.
5. **Strike**: ``auto`` makes a latent foot-strike angle that is high (heel first) on the flat and
   downhill and falls with uphill grade (article: "Running uphill requires switching to a midfoot
   or forefoot strike"; Vernillo et al. 2017), correlated from step to step. The pattern follows
   Mo et al. (2021) cut-offs (forefoot < -0.8 deg, rearfoot > 7.4 deg) and the angle is then drawn
   inside the pattern's band (rearfoot 10-21 deg, midfoot 1-5.8 deg, forefoot -12..-4 deg).
6. **Sensor signals** per placement, from segment kinematics (see :func:`simulate_run`): the
   foot rolls on heel and forefoot, its landing point is stopped within 16-30 ms at initial
   contact, toe-off is at the pitch-rate minimum (Falbriard et al. 2018), and every angle curve
   and the swing path are C2.

Terrain rule of the truth table: ``uphill`` when the true grade under the contact is > +2 %,
``downhill`` when < -2 %, otherwise ``flat``.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.interpolate import PchipInterpolator
from scipy.signal import lfilter

from .errors import GaitloadError, OptionError
from .notice import Notice
from .pace import cadence_grade_factor, gap_speed_factor
from .recording import Recording

__all__ = ["Course", "SimulatedRun", "simulate_run", "main_simulate", "write_sample_data",
           "gap_speed_factor", "COURSES", "PLACEMENTS_SIMULATED"]

G = 9.80665  # standard gravity, m/s^2

COURSES = ("hilly", "flat", "uphill", "downhill", "rolling")
PLACEMENTS_SIMULATED = ("foot", "shank", "lumbar", "wrist", "records")
STRIKES = ("auto", "rearfoot", "midfoot", "forefoot")

#: Mo et al. (2021) foot-strike-angle cut-offs, deg.
MO_FOREFOOT_BELOW_DEG = -0.8
MO_REARFOOT_ABOVE_DEG = 7.4
#: Bands the drawn strike angle stays in, per pattern (deg): well inside the Mo classes.
_STRIKE_BANDS = {"rearfoot": (15.0, 3.0, 10.0, 21.0), "midfoot": (3.3, 1.2, 1.0, 5.8),
                 "forefoot": (-8.0, 2.0, -12.0, -4.0)}

_CADENCE_REF_SPM = 170.0        # preferred cadence at 3.3 m/s on the flat
_CADENCE_PER_MPS = 0.058        # +10 % from 3.5 to 5.2 m/s (Dorn et al. 2012)
_CONTACT_REF_S = 0.245          # ground contact at 3.3 m/s
_CONTACT_SPEED_EXP = -0.6
_MIDSTANCE_FRAC = 0.35          # centre of the foot-flat interval, fraction of contact time
_FLAT_START_FRAC = 0.18
_FLAT_END_FRAC = 0.52
_LEAD_IN_S = 2.0                # IMU recordings start with the runner standing still
_START_TIME = pd.Timestamp("2024-06-01 06:30:00", tz="UTC")


# ------------------------------------------------------------------------------------------------
# Course
# ------------------------------------------------------------------------------------------------
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


# ------------------------------------------------------------------------------------------------
# Result
# ------------------------------------------------------------------------------------------------
@dataclass
class SimulatedRun:
    """A simulated recording with its ground truth.

    Attributes
    ----------
    recording : Recording
        The sensor data as gaitload would read it.
    truth : DataFrame
        One row per foot contact of both feet (see :func:`simulate_run`).
    course : DataFrame
        True course on a 1 m grid: ``distance_m``, ``altitude_m``, ``grade_pct``.
    sensor_rotation : dict of str to ndarray
        For IMU placements, the fixed 3x3 rotation from the segment (anatomical) frame to each
        sensor's frame (keys ``""`` or ``"left"``/``"right"``). Segment frame: x forward (toes),
        y left, z up (along the sole normal / shank / spine); sagittal rotation is about y.
    pauses_s : ndarray, shape (n, 2)
        Start and end (s) of standing intervals (the lead-in and any stop).
    params : dict
        The arguments the run was made with.
    """

    recording: Recording
    truth: pd.DataFrame
    course: pd.DataFrame
    sensor_rotation: dict = field(default_factory=dict)
    pauses_s: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))
    params: dict = field(default_factory=dict)

    def write_csv(self, path: str | os.PathLike) -> tuple[Path, Path]:
        """Write the recording as a CSV gaitload reads, and ``<stem>.truth.csv`` beside it.

        IMU: ``time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z`` (m/s^2, deg/s; ``time_s`` from 0, or
        POSIX seconds (UTC) when the run was simulated with a ``start_time``, which gaitload reads
        as the start date); two feet: one wide file with ``left_``/``right_`` prefixed columns;
        records: ``time`` (ISO 8601 UTC),
        ``distance_m, speed_mps, cadence_spm, altitude_m, heart_rate_bpm, ground_contact_time_ms,
        vertical_oscillation_mm``. Floats are rounded to about 4-5 significant digits.

        Returns
        -------
        (Path, Path)
            The data file and the truth file.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        rec = self.recording
        if rec.placement == "records":
            ch = rec.channels
            t = rec.start_time + pd.to_timedelta(rec.time_s, unit="s")
            cols = {"time": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "distance_m": np.round(ch["distance"], 2),
                    "speed_mps": np.round(ch["speed"], 3),
                    "cadence_spm": np.round(ch["cadence"], 1)}
            if "altitude" in ch:
                cols["altitude_m"] = np.round(ch["altitude"], 1)
            cols.update({"heart_rate_bpm": np.round(ch["heart_rate"]),
                         "ground_contact_time_ms": np.round(ch["contact_time"] * 1000.0),
                         "vertical_oscillation_mm": np.round(ch["vertical_oscillation"] * 1000.0)})
            frame = pd.DataFrame(cols)
            for c in ("heart_rate_bpm", "ground_contact_time_ms", "vertical_oscillation_mm"):
                frame[c] = frame[c].astype("Int64")
        else:
            decimals = int(np.ceil(np.log10(max(rec.sampling_rate_hz, 1.0)))) + 1
            t0 = rec.start_time.timestamp() if "start_time" in self.params else 0.0
            cols = {"time_s": np.round(t0 + rec.time_s, decimals)}
            for sensor in rec.sensors:
                pre_in = f"{sensor}." if sensor else ""
                pre_out = f"{sensor}_" if sensor else ""
                for axis in ("x", "y", "z"):
                    cols[f"{pre_out}acc_{axis}"] = np.round(rec.channels[f"{pre_in}acc_{axis}"], 3)
                for axis in ("x", "y", "z"):
                    cols[f"{pre_out}gyr_{axis}"] = np.round(np.degrees(rec.channels[f"{pre_in}gyr_{axis}"]), 2)
            frame = pd.DataFrame(cols)
        _write_atomic(frame, path)
        truth_path = path.with_name(path.stem + ".truth.csv")
        _write_atomic(_round_truth(self.truth), truth_path)
        return path, truth_path


def _round_truth(truth: pd.DataFrame) -> pd.DataFrame:
    out = truth.copy()
    digits = {"time_s": 4, "toe_off_s": 4, "contact_time_ms": 1, "step_time_s": 4, "cadence_spm": 2,
              "speed_mps": 3, "distance_m": 2, "altitude_m": 3, "grade_pct": 3, "strike_angle_deg": 2,
              "stride_length_m": 4, "stride_rise_m": 4}
    return out.round({k: v for k, v in digits.items() if k in out})


def _write_atomic(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(path.name + ".part")
    frame.to_csv(tmp, index=False, lineterminator="\n")
    os.replace(tmp, path)


# ------------------------------------------------------------------------------------------------
# Small numeric helpers
# ------------------------------------------------------------------------------------------------
def _smooth_noise(rng: np.random.Generator, n: int, corr_samples: float, sigma: float) -> np.ndarray:
    """AR(1) noise with unit-free correlation length ``corr_samples`` and std ``sigma``."""
    if n == 0:
        return np.zeros(0)
    a = float(np.exp(-1.0 / max(corr_samples, 1e-9)))
    white = rng.standard_normal(n) * sigma * np.sqrt(1 - a * a)
    out = lfilter([1.0], [1.0, -a], white, zi=[a * rng.standard_normal() * sigma])[0]
    return out


def _moving_average(x: np.ndarray, width: int) -> np.ndarray:
    if width <= 1 or x.size < width:
        return x
    pad = width // 2
    xp = np.pad(x, (pad, width - 1 - pad), mode="edge")
    c = np.cumsum(np.concatenate([[0.0], xp]))
    return (c[width:] - c[:-width]) / width


def _rot_zyx(yaw: np.ndarray, pitch: np.ndarray, roll: np.ndarray) -> np.ndarray:
    """Rotation matrices R = Rz(yaw) Ry(pitch) Rx(roll), segment -> world, shape (n, 3, 3)."""
    cy, sy = np.cos(yaw), np.sin(yaw)
    cp, sp = np.cos(pitch), np.sin(pitch)
    cr, sr = np.cos(roll), np.sin(roll)
    r = np.empty(np.shape(yaw) + (3, 3))
    r[..., 0, 0] = cy * cp
    r[..., 0, 1] = cy * sp * sr - sy * cr
    r[..., 0, 2] = cy * sp * cr + sy * sr
    r[..., 1, 0] = sy * cp
    r[..., 1, 1] = sy * sp * sr + cy * cr
    r[..., 1, 2] = sy * sp * cr - cy * sr
    r[..., 2, 0] = -sp
    r[..., 2, 1] = cp * sr
    r[..., 2, 2] = cp * cr
    return r


def _body_rates(pitch, roll, dyaw, dpitch, droll) -> np.ndarray:
    """Body-frame angular velocity for R = Rz(yaw) Ry(pitch) Rx(roll) (ZYX Euler kinematics)."""
    cp, sp = np.cos(pitch), np.sin(pitch)
    cr, sr = np.cos(roll), np.sin(roll)
    return np.stack([droll - dyaw * sp,
                     dpitch * cr + dyaw * cp * sr,
                     -dpitch * sr + dyaw * cp * cr], axis=-1)


def _mount_rotation(yaw_deg: float, pitch_deg: float, roll_deg: float) -> np.ndarray:
    """Segment -> sensor rotation (the transpose of the sensor's orientation on the segment)."""
    r = _rot_zyx(np.radians(yaw_deg), np.radians(pitch_deg), np.radians(roll_deg))
    return r.T


def _specific_force_body(yaw: np.ndarray, pitch: np.ndarray, roll: np.ndarray,
                         acc_world: np.ndarray) -> np.ndarray:
    """What an accelerometer measures in the segment frame: R^T (a + g up), R = Rz Ry Rx.

    Written out per component (rather than building (n, 3, 3) matrices) to stay fast on
    recordings of many hours.
    """
    fx, fy, fz = acc_world[:, 0], acc_world[:, 1], acc_world[:, 2] + G
    cy, sy = np.cos(yaw), np.sin(yaw)
    cp, sp = np.cos(pitch), np.sin(pitch)
    cr, sr = np.cos(roll), np.sin(roll)
    # undo the yaw, then the pitch, then the roll
    u = cy * fx + sy * fy
    v = -sy * fx + cy * fy
    x = cp * u - sp * fz
    w = sp * u + cp * fz
    return np.stack([x, cr * v + sr * w, -sr * v + cr * w], axis=-1)


def _last_event(times: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the latest event at or before each t (-1 if none) and the time since it (s)."""
    idx = np.searchsorted(times, t, side="right") - 1
    dt = t - times[np.clip(idx, 0, None)] if times.size else np.full(t.shape, np.inf)
    dt = np.where(idx >= 0, dt, np.inf)
    return idx, dt


def _impact_shape(dt: np.ndarray, freq_hz: float, decay_s: float, window_s: float = 0.15) -> np.ndarray:
    """Damped oscillation starting at an impact, with zero net velocity change.

    ``d/dt[exp(-t/tau) sin(w t)] / w``: it jumps to 1 at the impact, rings at ``freq_hz`` and,
    integrated over time, returns to zero, so strapdown integration across an impact does not
    gain a spurious velocity.
    """
    w = 2 * np.pi * freq_hz
    inside = (dt >= 0) & (dt < window_s)
    x = np.where(inside, dt, 0.0)
    return np.where(inside, np.exp(-x / decay_s) * (np.cos(w * x) - np.sin(w * x) / (w * decay_s)), 0.0)


# ------------------------------------------------------------------------------------------------
# Gait timeline (steps, speed, cadence) in running time tau
# ------------------------------------------------------------------------------------------------
@dataclass
class _Timeline:
    tau_grid: np.ndarray       # running-time grid (s)
    d_grid: np.ndarray         # body distance along the course (m)
    v_grid: np.ndarray         # speed (m/s)
    c_grid: np.ndarray         # cadence (steps/min)
    phase_grid: np.ndarray     # step phase (steps)
    gs_grid: np.ndarray        # smoothed grade (%) for slow posture effects
    ic: np.ndarray             # per step: initial contact, tau (s)
    tc: np.ndarray             # contact time (s)
    foot_left: np.ndarray      # bool
    k: np.ndarray              # step number (0 = sensor-side step standing at the start)
    angle: np.ndarray          # strike angle (deg, vs the ground)
    pattern: np.ndarray        # strike pattern (str)
    foot_pos: np.ndarray       # course distance of the foot on the ground (m)
    run_end_tau: float

    def d(self, tau):
        return np.interp(tau, self.tau_grid, self.d_grid)

    def v(self, tau):
        return np.interp(tau, self.tau_grid, self.v_grid)

    def c(self, tau):
        return np.interp(tau, self.tau_grid, self.c_grid)

    def phase(self, tau):
        return np.interp(tau, self.tau_grid, self.phase_grid)

    def gs(self, tau):
        return np.interp(tau, self.tau_grid, self.gs_grid)


def _contact_time_model(v_mps: np.ndarray) -> np.ndarray:
    return _CONTACT_REF_S * (np.clip(v_mps, 1.0, 9.0) / 3.3) ** _CONTACT_SPEED_EXP


def _cadence_model(v_effort_mps: np.ndarray, grade_pct: np.ndarray) -> np.ndarray:
    # the grade part is the shared model of gaitload.pace (Padulo 2013 uphill, Vernillo 2017 downhill)
    c = _CADENCE_REF_SPM * (1 + _CADENCE_PER_MPS * (v_effort_mps - 3.3)) * cadence_grade_factor(grade_pct)
    return np.clip(c, 140.0, 215.0)


def _timeline(course: Course, run_s: float, speed_mps: float, strike: str, left_first: bool,
              rng: np.random.Generator, treadmill: bool) -> _Timeline:
    grid = course.grid(1.0)
    d = grid["distance_m"].to_numpy()
    grade = grid["grade_pct"].to_numpy()
    # runners react to the grade over the next few metres, not per metre
    g_smooth = _moving_average(grade, 15)
    fluct = 1.0 + (0.0 if treadmill else 1.0) * _smooth_noise(rng, d.size, 300.0, 0.025)
    v_eff = speed_mps * fluct                          # flat-equivalent (effort) speed
    v = v_eff / gap_speed_factor(g_smooth)
    v = _moving_average(v, 15)
    t_of_d = np.concatenate([[0.0], np.cumsum(np.diff(d) * 0.5 * (1 / v[1:] + 1 / v[:-1]))])
    run_end = min(run_s, float(t_of_d[-1]) - 2.0)

    # running-time grid at 50 Hz from -3 s (virtual steps before the start) to the end + 3 s
    tau = np.arange(-3.0, run_end + 3.0, 0.02)
    inside = tau >= 0
    d_tau = np.where(inside, np.interp(tau, t_of_d, d), v[0] * tau)
    v_tau = np.interp(d_tau, d, v)
    veff_tau = np.interp(d_tau, d, v_eff)
    g_tau = np.interp(d_tau, d, g_smooth)
    c_tau = _cadence_model(veff_tau, g_tau)
    phase = np.concatenate([[0.0], np.cumsum(np.diff(tau) * 0.5 * (c_tau[1:] + c_tau[:-1]) / 60.0)])
    # anchor: step 0 (the sensor side) is in mid-stance (foot flat) at tau = 0, where running starts
    tc0 = float(_contact_time_model(v_tau[inside][0]))
    phase = phase - np.interp(-_MIDSTANCE_FRAC * tc0, tau, phase)

    k = np.arange(int(np.ceil(phase[0])), int(np.floor(phase[-1])))
    jitter = rng.normal(0.0, 0.015, k.size)
    jitter[k == 0] = 0.0
    ic = np.interp(k + jitter, phase, tau)
    order = np.argsort(ic)  # jitter is far below one step, this only guards against ties
    ic, k = ic[order], k[order]
    v_ic = np.interp(ic, tau, v_tau)
    c_ic = np.interp(ic, tau, c_tau)
    tc = _contact_time_model(v_ic) * (1 + rng.normal(0, 0.03, k.size))
    tc[k == 0] = tc0
    # stride = two steps; keep a swing of at least 0.22 s
    tc = np.clip(tc, 0.14, np.minimum(0.48, 120.0 / c_ic - 0.22))
    foot_left = (k % 2 == 0) == left_first

    d_ic = np.interp(ic, tau, d_tau)
    g_ic = np.interp(d_ic, d, grade)
    angle, pattern = _strike(g_ic, strike, rng)
    foot_pos = np.interp(ic + _MIDSTANCE_FRAC * tc, tau, d_tau)
    return _Timeline(tau, d_tau, v_tau, c_tau, phase, g_tau, ic, tc, foot_left, k, angle, pattern,
                     foot_pos, run_end)


def _strike(grade_pct: np.ndarray, strike: str, rng: np.random.Generator):
    """Strike pattern and angle (deg) per contact."""
    n = grade_pct.size
    if strike == "auto":
        g = grade_pct
        # latent angle: heel first on the flat (about 97 % rearfoot, cf. Almeida 2015 95 %),
        # a little more heel downhill, falling with uphill grade (Vernillo 2017; the article)
        mean = np.where(g > 0, 14.0 - 1.6 * g, 14.0 + 0.3 * np.minimum(-g, 20))
        latent = mean + _smooth_noise(rng, n, 20.0, 3.0) + rng.normal(0, 1.2, n)
        pattern = np.where(latent > MO_REARFOOT_ABOVE_DEG, "rearfoot",
                           np.where(latent < MO_FOREFOOT_BELOW_DEG, "forefoot", "midfoot"))
    else:
        pattern = np.full(n, strike)
    angle = np.empty(n)
    downhill_heel = np.clip(-grade_pct, 0, 20) * 0.25
    for name, (centre, spread, lo, hi) in _STRIKE_BANDS.items():
        m = pattern == name
        extra = downhill_heel[m] if name == "rearfoot" else 0.0
        # a tanh squash keeps the draw inside the band without piling values up at its edges
        c = np.clip(centre + extra, lo + 1.0, hi - 1.0)
        half = np.minimum(c - lo, hi - c)
        angle[m] = c + half * np.tanh(spread * rng.standard_normal(int(m.sum())) / half)
    return angle, pattern.astype(object)


# ------------------------------------------------------------------------------------------------
# Time warp: running time tau <-> recording time t (standing still at the start and in a stop)
# ------------------------------------------------------------------------------------------------
@dataclass
class _Warp:
    lead_s: float
    pause_tau: float     # tau at which the stop begins (inf if none)
    pause_s: float

    def to_t(self, tau):
        tau = np.asarray(tau, float)
        return self.lead_s + tau + np.where(tau > self.pause_tau, self.pause_s, 0.0)

    def to_tau(self, t):
        """Running time at recording times; frozen (constant) while standing. Also 'moving' 0/1."""
        t = np.asarray(t, float)
        tau = t - self.lead_s
        tau = np.where(tau > self.pause_tau + self.pause_s, tau - self.pause_s,
                       np.where(tau > self.pause_tau, self.pause_tau, tau))
        moving = (t >= self.lead_s) & ~((t - self.lead_s > self.pause_tau)
                                         & (t - self.lead_s <= self.pause_tau + self.pause_s))
        return np.maximum(tau, 0.0), moving.astype(float)

    def standing(self) -> np.ndarray:
        rows = []
        if self.lead_s > 0:
            rows.append([0.0, self.lead_s])
        if np.isfinite(self.pause_tau) and self.pause_s > 0:
            s = self.lead_s + self.pause_tau
            rows.append([s, s + self.pause_s])
        return np.array(rows, float).reshape(-1, 2)


def _soften(moving: np.ndarray, rate_hz: float, ramp_s: float = 0.25) -> np.ndarray:
    """Ramp a 0/1 moving mask over ``ramp_s`` so trunk and arm signals start and stop smoothly."""
    return _moving_average(moving, max(int(ramp_s * rate_hz), 1))


# ------------------------------------------------------------------------------------------------
# Segment models
# ------------------------------------------------------------------------------------------------
def _side_contacts(tl: _Timeline, left: bool):
    m = tl.foot_left == left
    return tl.ic[m], tl.tc[m], tl.angle[m], tl.pattern[m], tl.foot_pos[m]


# Foot geometry in the foot frame (origin at the sensor on the dorsum, x towards the toes, z up
# from the sole), m: heel contact point, metatarsal heads (the toe rocker) and the ankle joint
# centre (the shank's lower end). Adult shoe of ~27 cm with the sensor on the instep; judgement.
_HEEL_XZ = np.array([-0.10, -0.065])
_MET_XZ = np.array([0.08, -0.065])
_ANKLE_XZ = np.array([-0.05, 0.01])
#: Per strike pattern: touchdown velocity of the landing point (forward, vertical; m/s at 3.3 m/s)
#: and the time (s) the heel pad and midsole take to stop it. A rearfoot touchdown at about
#: 1 m/s stopped over ~10 mm gives the 5-10 g axial tibial shock reported for heel strikers at
#: 3-4 m/s (e.g. Milner et al. 2006); forefoot landings are softer (the ankle yields). Judgement
#: sized on those reports, not a fitted model.
_TOUCHDOWN = {"rearfoot": (0.5, -0.95, 0.016), "midfoot": (0.4, -0.75, 0.020),
              "forefoot": (0.3, -0.55, 0.030)}
#: The foot's sagittal rate crosses zero this long before IC (gaitmap mocap-labelled data: ~10 ms
#: for walking heel strikes; Falbriard et al. 2018 place the IC feature within a few ms of IC).
_PRE_IC_S = 0.012
_N_STANCE_KNOTS = 5   # IC, slap extreme, settle, foot-flat, heel-off


_BLOCK = 1 << 16    # samples per block when evaluating curves


def _quintic_coeffs(h, p0, v0, a0, p1, v1, a1):
    """Power-basis coefficients (last axis, s^0..s^5) of the quintic Hermite segment on s in
    [0, 1] of duration h (s) with the given end values, rates and accelerations.

    Matching value, rate and acceleration at both ends makes a chain of segments C2, so the
    angular acceleration has no steps (a PCHIP chain is only C1).
    """
    dp, hv0, hv1 = p1 - p0, h * v0, h * v1
    ha0, ha1 = h * h * a0, h * h * a1
    return np.stack([p0 + 0 * dp, hv0, 0.5 * ha0,
                     10 * dp - 6 * hv0 - 4 * hv1 - 1.5 * ha0 + 0.5 * ha1,
                     -15 * dp + 8 * hv0 + 7 * hv1 + 1.5 * ha0 - ha1,
                     6 * dp - 3 * hv0 - 3 * hv1 - 0.5 * ha0 + 0.5 * ha1], axis=-1)


def _poly5(c, s, h):
    """Value, d/dt and d2/dt2 of the quintic with coefficients ``c`` at s (Horner form)."""
    c0, c1, c2, c3, c4, c5 = np.moveaxis(c, -1, 0)
    val = ((((c5 * s + c4) * s + c3) * s + c2) * s + c1) * s + c0
    der = (((5 * c5 * s + 4 * c4) * s + 3 * c3) * s + 2 * c2) * s + c1
    acc = ((20 * c5 * s + 12 * c4) * s + 6 * c3) * s + 2 * c2
    return val, der / h, acc / (h * h)


def _hermite5(s, h, p0, v0, a0, p1, v1, a1):
    """Quintic Hermite segment on s in [0, 1] of duration h (s): value, d/dt and d2/dt2."""
    return _poly5(_quintic_coeffs(h, p0, v0, a0, p1, v1, a1), s, h)


def _quintic_curve(kt, kv, kd, kdd, tau):
    """C2 piecewise-quintic curve through knots ``kt`` with values, rates and accelerations.

    ``kv``, ``kd``, ``kdd`` have shape (m,) or (m, k); returns value, rate and acceleration at
    ``tau`` with the same trailing shape. Held constant beyond the end knots.
    """
    hk = np.diff(kt)
    hb = hk[:, None] if kv.ndim == 2 else hk
    coef = _quintic_coeffs(hb, kv[:-1], kd[:-1], kdd[:-1], kv[1:], kd[1:], kdd[1:])
    out = [np.empty(tau.shape + kv.shape[1:]) for _ in range(3)]
    # blocks of samples keep the gathered coefficients small (hours of data at 100+ Hz)
    for a in range(0, tau.size, _BLOCK):
        tb = tau[a:a + _BLOCK]
        i = np.clip(np.searchsorted(kt, tb, side="right") - 1, 0, kt.size - 2)
        h = hk[i]
        inside = (tb >= kt[0]) & (tb <= kt[-1])
        s = np.clip((tb - kt[i]) / h, 0.0, 1.0)
        if kv.ndim == 2:
            s, h, inside = s[:, None], h[:, None], inside[:, None]
        val, der, acc = _poly5(coef[i], s, h)
        out[0][a:a + _BLOCK] = val
        out[1][a:a + _BLOCK] = np.where(inside, der, 0.0)
        out[2][a:a + _BLOCK] = np.where(inside, acc, 0.0)
    return tuple(out)


def _knot_derivatives(kt, kv):
    """Rates and accelerations at knots for a C2 quintic through them: shape-preserving PCHIP
    slopes (Fritsch & Carlson 1980) and central differences of those slopes; both are zero at a
    knot next to a constant stretch so a flat interval stays exactly flat."""
    d = PchipInterpolator(kt, kv, axis=0).derivative()(kt)
    dd = np.zeros_like(kv)
    dd[1:-1] = (d[2:] - d[:-2]) / (kt[2:] - kt[:-2])[:, None]
    const = np.diff(kv, axis=0) == 0
    flat = np.zeros(kv.shape, bool)
    flat[1:] |= const
    flat[:-1] |= const
    d[flat], dd[flat] = 0.0, 0.0
    return d, dd


def _stride_knots(ic, tc, values_stance, values_swing, stance_fracs, swing_fracs):
    """Knot times and values per stride: one knot per fraction of the contact time in
    ``stance_fracs`` (starting with IC = 0), toe-off, then one knot per fraction of the swing in
    ``swing_fracs``. The last stride keeps only its first three stance knots."""
    to = ic + tc
    swing = np.append(ic[1:] - to[:-1], np.inf)
    t = np.column_stack([ic + f * tc for f in stance_fracs] + [to] + [to + f * swing for f in swing_fracs])
    v = np.concatenate([values_stance, values_swing], axis=1)
    t, v = t[:-1].ravel(), v[:-1].ravel()
    t = np.append(t, ic[-1] + np.asarray(stance_fracs[:3]) * tc[-1])
    v = np.append(v, values_stance[-1, :3])
    return t, v


@dataclass
class _FootPitch:
    """Sagittal foot pitch knots (+ = toes up, rad) and the per-stride quantities the translation
    model needs at IC and toe-off."""
    kt: np.ndarray
    kv: np.ndarray
    kd: np.ndarray
    kdd: np.ndarray
    ic_theta: np.ndarray
    ic_rate: np.ndarray
    ic_acc: np.ndarray
    to_theta: np.ndarray
    to_rate: np.ndarray
    slope: np.ndarray
    t_ff: np.ndarray          # foot-flat, s after IC


def _foot_pitch(ic, tc, angle_deg, slope_deg, pattern, rng: np.random.Generator) -> _FootPitch:
    """Knots (value, rate, acceleration) of the foot pitch for every stride of one foot.

    Per stride: IC at the strike angle (the rate already turning towards plantarflexion:
    it crossed zero ``_PRE_IC_S`` earlier, and the heel strike accelerates the foot slap, so the
    rate minimum of Falbriard et al. 2018 follows IC closely); foot-flat (= ground slope, rate and
    acceleration zero) from 18 % to 52 % of contact; push-off with a minimum-jerk rate profile
    whose most negative rate is exactly at toe-off (Falbriard 2018: TC at the pitch-rate
    minimum, 4 ms precision vs force plates); the pitch keeps falling, decelerating, to its lowest
    value ~40 ms into the swing; then the forward swing rotation, fastest at ~70 % of the swing
    and braking to zero just before the next IC (as around the mocap IC labels of the gaitmap
    example data). Toe-off -48..-55 deg and deepest -62..-73 deg as before.
    """
    n = ic.size
    a = np.radians(angle_deg)
    s = np.radians(slope_deg)
    to = np.radians(rng.uniform(-55, -48, n))
    deep = to - np.radians(rng.uniform(14, 18, n))
    fore = pattern == "forefoot"
    # the heel of a forefoot lander comes down a little later (calf-braked heel drop)
    t_ff = np.where(fore, _FLAT_START_FRAC + 0.03, _FLAT_START_FRAC) * tc
    t_ho = _FLAT_END_FRAC * tc
    # minimum-jerk rate from heel-off (rate 0) to toe-off: integral = rate_to (tc - t_ho) / 2
    w_to = 2.0 * to / (tc - t_ho)
    # mirrored after toe-off: the rate returns to zero at the deepest pitch
    t_deep = 2.0 * (deep - to) / w_to
    w_ic = np.where(fore, -0.3, -0.6)                          # rad/s at IC
    dl = _PRE_IC_S
    nxt = np.append(np.arange(1, n), n - 1)
    pre_t = ic[nxt] - dl                                       # rate zero crossing before next IC
    sw0 = ic + tc + t_deep
    span = pre_t - sw0
    rot = a[nxt] + s[nxt] - (deep + s)                         # forward swing rotation, rad
    w_mid = 1.4 * rot / span
    acc_pre = -w_mid / (0.3 * span)
    # acceleration at IC: linear from the pre-IC knot's over the last dl s, reaching w_ic
    acc_pre_own = np.concatenate([[acc_pre[0]], acc_pre[:-1]])
    acc_ic = 2.0 * w_ic / dl - acc_pre_own
    drop = dl * dl * (2.0 * acc_pre + np.append(acc_ic[1:], acc_ic[-1])) / 6.0
    pre_v = a[nxt] + s[nxt] - drop
    # foot slap: the landing impulse turns the foot fast, rate extreme ~12 ms after a heel
    # strike (knots: IC, extreme, settle at rate 0.25 x extreme, flat; rates sized by the
    # trapezoid rule so the pitch reaches the slope at foot-flat). After a forefoot landing the
    # calf brakes the heel drop: one smooth quintic from IC to foot-flat, whose values at the
    # same two inner knots are taken so the knot count stays the same.
    t_min = np.where(fore, 0.45 * t_ff, np.minimum(0.012, 0.4 * t_ff))
    t_set = 0.7 * t_ff
    rho = 0.25
    w_min = (-a - 0.5 * w_ic * t_min) / (0.5 * t_min + 0.5 * (1 + rho) * (t_set - t_min)
                                         + 0.5 * rho * (t_ff - t_set))
    w_set = rho * w_min
    v_min = a + s + 0.5 * (w_ic + w_min) * t_min
    v_set = s - 0.5 * w_set * (t_ff - t_set)
    z = np.zeros(n)
    for tk, (vk, wk, ak) in ((t_min, (v_min, w_min, None)), (t_set, (v_set, w_set, None))):
        one = _hermite5(tk / t_ff, t_ff, a + s, w_ic, acc_ic, s, z, z)
        vk[fore], wk[fore] = one[0][fore], one[1][fore]
    acc_min = np.where(fore, _hermite5(t_min / t_ff, t_ff, a + s, w_ic, acc_ic, s, z, z)[2], 0.0)
    acc_set = np.where(fore, _hermite5(t_set / t_ff, t_ff, a + s, w_ic, acc_ic, s, z, z)[2], 0.0)
    kt = np.column_stack([ic, ic + t_min, ic + t_set, ic + t_ff, ic + t_ho, ic + tc, sw0,
                          sw0 + 0.7 * span, pre_t])
    kv = np.column_stack([a + s, v_min, v_set, s, s, to + s, deep + s, deep + s + 0.75 * rot, pre_v])
    kd = np.column_stack([w_ic, w_min, w_set, z, z, w_to, z, w_mid, z])
    kdd = np.column_stack([acc_ic, acc_min, acc_set, z, z, z, z, z, acc_pre])
    kt = np.append(kt[:-1].ravel(), kt[-1, :_N_STANCE_KNOTS])
    kv = np.append(kv[:-1].ravel(), kv[-1, :_N_STANCE_KNOTS])
    kd = np.append(kd[:-1].ravel(), kd[-1, :_N_STANCE_KNOTS])
    kdd = np.append(kdd[:-1].ravel(), kdd[-1, :_N_STANCE_KNOTS])
    return _FootPitch(kt, kv, kd, kdd, a + s, w_ic, acc_ic, to + s, w_to, s, t_ff)


def _rot2(theta, r):
    """R(theta) r and R'(theta) r for a sagittal rotation (+theta turns x towards +z)."""
    c, sn = np.cos(theta), np.sin(theta)
    rx, rz = r[..., 0], r[..., 1]
    return (np.stack([rx * c - rz * sn, rx * sn + rz * c], axis=-1),
            np.stack([-rx * sn - rz * c, rx * c - rz * sn], axis=-1))


def _rigid_point(pivot, dpivot, ddpivot, r, theta, dtheta, ddtheta):
    """Position, velocity, acceleration (x, z) of a foot point whose vector to the pivot is
    ``r`` (foot frame) while the foot rotates about the pivot: p = P - R r."""
    rr, dr = _rot2(theta, r)
    p = pivot - rr
    v = dpivot - dtheta[..., None] * dr
    a = ddpivot - ddtheta[..., None] * dr + (dtheta**2)[..., None] * rr
    return p, v, a


def _foot_point_motion(ic, tc, pos, course: Course, pattern, speed_ic, fp: _FootPitch, pitch, tau,
                       point_xz, clearance_m: float, order: int = 2):
    """World velocity (``order`` 1) or acceleration (2), (n, 3), of a point of the foot (the
    sensor, or the ankle for a shank).

    Stance is rigid-body rolling on the ground: from IC to foot-flat the foot rotates about its
    landing point (heel for rear- and midfoot strikes, metatarsal heads for forefoot), so the
    dorsum sensor moves on a circle about it; from heel-off to toe-off it rotates about the
    metatarsal heads. At IC the landing point still moves at its touchdown velocity and the heel
    pad / midsole stops it within ``_TOUCHDOWN`` 16-30 ms: a real impulsive deceleration
    12 (v/T) s (1 - s)^2, s = time/T, which rises linearly from IC (a finite loading rate, no
    jump) to its peak 1.78 v/T at T/3 and ends smoothly; compression 0.4 v T. The swing is the quintic (minimum-jerk boundary
    conditions, Flash & Hogan 1985) that matches position, velocity and acceleration at toe-off and
    at the next IC, plus a vertical clearance bump 64 c s^3 (1-s)^3 that is C2 at both ends.
    Footprints: the foot-flat position of the sensor is the course distance ``pos`` and its
    altitude, so stride length and rise are the footprint differences.
    """
    theta, dtheta, ddtheta = pitch
    n = ic.size
    alt = course.altitude_at(pos)
    flat = np.column_stack([pos, alt])
    q = np.asarray(point_xz, float)
    fore = pattern == "forefoot"
    land = np.where(fore[:, None], _MET_XZ[None, :], _HEEL_XZ[None, :])
    rs = _rot2(fp.slope, land)[0]
    land_final = flat + rs                                   # landing point on the ground
    toe_final = flat + _rot2(fp.slope, np.broadcast_to(_MET_XZ, (n, 2)))[0]
    td = np.array([_TOUCHDOWN[p] for p in ("rearfoot", "midfoot", "forefoot")])
    kind = np.where(pattern == "rearfoot", 0, np.where(fore, 2, 1))
    vscale = np.sqrt(np.clip(speed_ic, 1.5, 7.0) / 3.3)
    v_td = td[kind, :2] * vscale[:, None]                    # touchdown velocity, m/s
    t_c = np.minimum(td[kind, 2], 0.8 * fp.t_ff)
    # boundary conditions of the point at IC (compression starting) and at toe-off
    r_land = land - q[None, :]
    r_toe = np.broadcast_to(_MET_XZ - q, (n, 2))
    p_ic, v_ic, a_ic = _rigid_point(land_final - 0.4 * v_td * t_c[:, None], v_td, np.zeros((n, 2)),
                                    r_land, fp.ic_theta, fp.ic_rate, fp.ic_acc)
    p_to, v_to, a_to = _rigid_point(toe_final, np.zeros((n, 2)), np.zeros((n, 2)), r_toe,
                                    fp.to_theta, fp.to_rate, np.zeros(n))

    i = np.clip(np.searchsorted(ic, tau, side="right") - 1, 0, n - 1)
    x = tau - ic[i]
    out = np.zeros(tau.shape + (2,))
    # landing: rotation about the landing point, which is still being stopped for t_c s
    m = (x >= 0) & (x < fp.t_ff[i])
    j = i[m]
    sc = np.clip(x[m] / t_c[j], 0.0, 1.0)
    ddp = -(12 * sc * (1 - sc) ** 2 / t_c[j])[:, None] * v_td[j]
    dp = (1 - sc**2 * (6 - 8 * sc + 3 * sc**2))[:, None] * v_td[j]
    out[m] = _rigid_point(np.zeros((j.size, 2)), dp, ddp, r_land[j], theta[m], dtheta[m],
                          ddtheta[m])[order]
    # push-off: rotation about the metatarsal heads (zero rate and acceleration at heel-off)
    m = (x >= _FLAT_END_FRAC * tc[i]) & (x < tc[i])
    out[m] = _rigid_point(0.0, 0.0, 0.0, r_toe[i[m]], theta[m], dtheta[m], ddtheta[m])[order]
    # swing to the next IC
    m = (x >= tc[i]) & (i < n - 1)
    j = i[m]
    h = ic[j + 1] - (ic[j] + tc[j])
    ss = ((x[m] - tc[j]) / h)[:, None]
    coef = _quintic_coeffs(np.append(ic[1:] - ic[:-1] - tc[:-1], 1.0)[:, None], p_to,
                           v_to, a_to, np.roll(p_ic, -1, axis=0), np.roll(v_ic, -1, axis=0),
                           np.roll(a_ic, -1, axis=0))
    out[m] = _poly5(coef[j], ss, h[:, None])[order]
    s1 = ss[:, 0]
    if order == 1:
        out[m, 1] += clearance_m * 64 * (3 * s1**2 - 12 * s1**3 + 15 * s1**4 - 6 * s1**5) / h
    else:
        out[m, 1] += clearance_m * 64 * (6 * s1 - 36 * s1**2 + 60 * s1**3 - 30 * s1**4) / h**2
    acc = np.zeros(tau.shape + (3,))
    acc[:, 0], acc[:, 2] = out[:, 0], out[:, 1]
    return acc


def _foot_or_shank(tl: _Timeline, course: Course, warp: _Warp, t: np.ndarray, left: bool,
                   segment: str, rng: np.random.Generator, speed_mps: float,
                   sample_s: float | None = None):
    """Segment-frame specific force (n,3) and angular rate (n,3) of a foot or shank sensor.

    ``t`` is a uniform grid. Each sample is the mean over its sampling interval ``sample_s``
    (default: the spacing of ``t``), as an integrating/low-pass-filtered MEMS sensor reports it: velocity and sagittal
    angle are differenced across the interval, so a 16 ms landing deceleration or a fast foot
    slap keeps its velocity and angle change at 100 Hz instead of being point-sampled (aliased).
    Roll and yaw (small, slow) are point-sampled.
    """
    ic, tc, angle, pattern, pos = _side_contacts(tl, left)
    n = ic.size
    grid = course.grid(1.0)
    # foot flat lies on the ground: its pitch is the true slope under the footprint
    slope = np.degrees(np.arctan(np.interp(pos, grid["distance_m"], grid["grade_pct"]) / 100.0))
    rear = pattern == "rearfoot"
    fore = pattern == "forefoot"
    zeros = np.zeros(n)
    if sample_s is None:
        sample_s = float(np.median(np.diff(t))) if t.size > 1 else 0.01
    hs = float(sample_s)
    tau, moving = warp.to_tau(t)
    # interval edges: sample k spans edges k and k + 1 (uniform grid), so every edge is
    # evaluated once
    tau_e = warp.to_tau(np.append(t - 0.5 * hs, t[-1] + 0.5 * hs))[0]
    fp = _foot_pitch(ic, tc, angle, slope, pattern, rng)
    r_scale = rng.uniform(0.7, 1.3, n)
    v_ic = tl.v(ic)

    # foot pitch at the interval edges
    pitch_e = _quintic_curve(fp.kt, fp.kv, fp.kd, fp.kdd, tau_e)

    def foot_point_velocity(point_xz, clearance_m, tq, pitch):
        return _foot_point_motion(ic, tc, pos, course, pattern, v_ic, fp, pitch, tq, point_xz,
                                  clearance_m, order=1)

    if segment == "foot":
        # small roll (inversion at a heel strike, eversion in stance, inversion at push-off)
        # and yaw, on the same knots as the pitch: IC, slap extreme, settle, foot-flat,
        # heel-off, TO, deepest, late swing, pre-IC
        nr = np.append(rear[1:], rear[-1])
        roll = np.stack([4 * r_scale * rear, 2 * r_scale * rear, 0.3 * r_scale * rear, zeros,
                         zeros, -6 * r_scale, -5 * r_scale, 3 * r_scale, (1.5 + 2.5 * nr) * r_scale],
                        axis=1)
        yaw = np.stack([2 * r_scale, r_scale, 0.2 * r_scale, zeros, zeros, 5 * r_scale,
                        3 * r_scale, -4 * r_scale, 1.5 * r_scale], axis=1)
        kt = fp.kt
        ns = _N_STANCE_KNOTS
        kry = np.radians(np.column_stack([np.append(roll[:-1].ravel(), roll[-1, :ns]),
                                          np.append(yaw[:-1].ravel(), yaw[-1, :ns])]))
        d, dd = _knot_derivatives(kt, kry)
        # pitch (at mid-interval, for the orientation), roll and yaw in one pass (same knots)
        val, der, _ = _quintic_curve(kt, np.column_stack([fp.kv, kry]), np.column_stack([fp.kd, d]),
                                     np.column_stack([fp.kdd, dd]), tau)
        theta, roll_, yaw_ = val.T
        _, droll, dyaw = (der * moving[:, None]).T
        th_e = pitch_e[0]
        clearance = 0.12 + 0.03 * (speed_mps - 3.3)
        vel_e = foot_point_velocity((0.0, 0.0), clearance, tau_e, pitch_e)
    else:
        # shank inclination vs vertical, + = knee ahead of ankle: slightly back at IC (more for a
        # heel strike), rotating forward over the planted foot to about +45 deg at toe-off,
        # knee flexion in early swing lifts it towards horizontal, then the leg reaches forward
        # (negative) before the next contact
        ic_ang = np.where(rear, -8.0, np.where(fore, -2.0, -4.0)) + 0.5 * slope
        nxt_ic = np.append(ic_ang[1:], ic_ang[-1])
        early = 62 + 8 * (speed_mps - 3.3) + rng.normal(0, 3, n)
        stance = np.stack([ic_ang, ic_ang + 4, 22 + 0.3 * slope, 45 + rng.normal(0, 2, n)], axis=1)
        swing = np.stack([early, np.minimum(-22 + rng.normal(0, 2, n), nxt_ic - 6)], axis=1)
        roll_st = np.stack([2 * r_scale, zeros, zeros, -3 * r_scale], axis=1)
        roll_sw = np.stack([4 * r_scale, 1 * r_scale], axis=1)
        yaw_st = np.stack([1 * r_scale, zeros, 2 * r_scale, 3 * r_scale], axis=1)
        yaw_sw = np.stack([-5 * r_scale, 1 * r_scale], axis=1)
        swing_fracs = (0.30, 0.75)
        stance_fracs = (0.0, _FLAT_START_FRAC, _FLAT_END_FRAC)
        kt, kp = _stride_knots(ic, tc, stance, swing, stance_fracs, swing_fracs)
        _, kr = _stride_knots(ic, tc, roll_st, roll_sw, stance_fracs, swing_fracs)
        _, ky = _stride_knots(ic, tc, yaw_st, yaw_sw, stance_fracs, swing_fracs)
        kv = np.radians(np.column_stack([kp, kr, ky]))
        d, dd = _knot_derivatives(kt, kv)
        val, der, _ = _quintic_curve(kt, kv, d, dd, tau)
        theta, roll_, yaw_ = val.T
        _, droll, dyaw = (der * moving[:, None]).T
        th_e, dth_e, _ = _quintic_curve(kt, kv[:, 0], d[:, 0], dd[:, 0], tau_e)
        clearance = 0.18 + 0.04 * (speed_mps - 3.3)
        # the shank's lower end is the ankle: it follows the rolling foot and takes the landing
        # deceleration (the axial tibial shock); the sensor sits 0.15 m up the shank
        r = 0.15
        vel_e = foot_point_velocity(_ANKLE_XZ, clearance, tau_e, pitch_e)
        vel_e[:, 0] += r * dth_e * np.cos(th_e)
        vel_e[:, 2] -= r * dth_e * np.sin(th_e)
    # interval means: velocity and sagittal-angle change across each sample's interval; the
    # model stands still (frozen in mid-stance) at the start and in a stop, and starts and stops
    # without a velocity jump being turned into a spike
    acc_world = np.diff(vel_e, axis=0) / hs * moving[:, None]
    dtheta = np.diff(th_e) / hs
    # Ry(beta) turns x towards -z, so a toes-up foot pitch theta is beta = -theta; for the
    # shank the knee-forward inclination turns z towards +x, which is beta = +theta
    sign = -1.0 if segment == "foot" else 1.0
    beta, dbeta = sign * theta, sign * dtheta
    f = _specific_force_body(yaw_, beta, roll_, acc_world)
    w = _body_rates(beta, roll_, dyaw, dbeta, droll)
    # on top of the rigid-body deceleration: a damped 20-30 Hz ring of the shoe and soft tissue
    # at IC, larger for a heel strike; its interval mean is the difference of its integral
    # F(x) = exp(-x/tau) sin(w x) / w (zero net velocity change)
    ic_t = warp.to_t(ic)
    j, dt_b = _last_event(ic_t, t + 0.5 * hs)
    jj = np.clip(j, 0, n - 1)
    base_g = {"foot": (2.5, 1.4, 0.8), "shank": (2.5, 1.5, 1.0)}[segment]
    amp = np.where(rear, base_g[0], np.where(fore, base_g[2], base_g[1])) * G
    amp = amp * rng.uniform(0.8, 1.2, n) * (np.clip(v_ic, 1.5, 7) / 3.3)
    freq = rng.uniform(20, 30, n)
    w_ = 2 * np.pi * freq[jj]
    decay = 0.012

    def ring_integral(x):
        inside = (x >= 0) & (x < 0.15)
        x = np.where(inside, x, 0.0)
        return np.where(inside, np.exp(-x / decay) * np.sin(w_ * x) / w_, 0.0)

    shape = (ring_integral(dt_b) - ring_integral(dt_b - hs)) / hs
    direction = np.array([0.35, 0.1, 1.0]) if segment == "foot" else np.array([0.3, 0.1, 1.0])
    direction /= np.linalg.norm(direction)
    f += (amp[jj] * shape)[:, None] * direction[None, :]
    return f, w


def _trunk_dynamics(tl: _Timeline, warp: _Warp, t: np.ndarray, rng: np.random.Generator):
    """Dynamic (non-gravity) world acceleration of the pelvis from a sine ground-reaction model.

    Vertical: each contact contributes (pi/2)(t_step/t_c) g sin(pi (t - IC)/t_c) (sine-wave
    stance model, literature 1f; its impulse is m g t_step), minus g; forward: braking then
    propulsion, -B sin(2 pi (t - IC)/t_c); lateral: a push towards the other side during each
    contact. A zero-net-impulse impact ring after each heel strike.
    """
    tau, moving = warp.to_tau(t)
    acc = np.zeros(t.shape + (3,))
    step_s = 60.0 / tl.c(tl.ic)
    v_ic = tl.v(tl.ic)
    for left in (True, False):
        m = tl.foot_left == left
        ic, tc, ts, v, pattern = tl.ic[m], tl.tc[m], step_s[m], v_ic[m], tl.pattern[m]
        j, dt = _last_event(ic, tau)
        jj = np.clip(j, 0, ic.size - 1)
        ph = np.clip(dt / tc[jj], 0, 1)
        inside = (dt >= 0) & (dt < tc[jj])
        acc[:, 2] += np.where(inside, 0.5 * np.pi * ts[jj] / tc[jj] * G * np.sin(np.pi * ph), 0.0)
        brake = 0.30 * G * np.clip(v / 3.3, 0.5, 2.0)
        acc[:, 0] += np.where(inside, -brake[jj] * np.sin(2 * np.pi * ph), 0.0)
        acc[:, 1] += np.where(inside, (-1.0 if left else 1.0) * 0.12 * G * np.sin(np.pi * ph), 0.0)
        amp = np.where(pattern == "rearfoot", 1.0, np.where(pattern == "forefoot", 0.2, 0.5)) * G
        amp = amp * rng.uniform(0.8, 1.2, ic.size)
        ring = _impact_shape(dt, 18.0, 0.015, 0.12)
        acc[:, 2] += amp[jj] * ring
        acc[:, 0] += 0.3 * amp[jj] * ring
    acc[:, 2] -= G
    soft = _soften(moving, 1.0 / np.median(np.diff(t)) if t.size > 1 else 100.0)
    return acc * soft[:, None], tau, moving, soft


def _lumbar(tl: _Timeline, warp: _Warp, t: np.ndarray, rng: np.random.Generator):
    acc, tau, moving, soft = _trunk_dynamics(tl, warp, t, rng)
    phase = tl.phase(tau)                   # steps; a stride is two steps
    rate = tl.c(tau) / 60.0 * soft          # steps/s
    # forward trunk lean grows uphill (Vernillo 2017: more forward lean); oscillations at step
    # (pitch) and stride (roll, yaw) frequency
    lean = np.radians(6.0 + 0.35 * np.clip(tl.gs(tau), -15, 20))
    pitch = lean + np.radians(2.0) * np.sin(2 * np.pi * phase) * soft
    dpitch = np.radians(2.0) * 2 * np.pi * rate * np.cos(2 * np.pi * phase)
    # pelvis rolls stance side up (contralateral drop). Its tilt puts gravity on the lateral axis
    # toward the stance side, against the ground's medial push; on the Xsens lower-back walking
    # recordings (Voisard et al., IPOL) the gyro-integrated roll over a step averages up to ~1 deg
    # (amplitude ~1.5 deg) and the push wins by about 3:1, so the mean lateral acceleration over
    # the step after a left contact points right (tests/test_events_lumbar_real.py pins it; at
    # 4 deg the tilt won and the simulated convention was the opposite of the real one)
    roll = np.radians(1.5) * np.sin(np.pi * phase) * soft
    droll = np.radians(1.5) * np.pi * rate * np.cos(np.pi * phase)
    yaw = np.radians(6.0) * np.cos(np.pi * phase) * soft
    dyaw = -np.radians(6.0) * np.pi * rate * np.sin(np.pi * phase)
    return _specific_force_body(yaw, pitch, roll, acc), _body_rates(pitch, roll, dyaw, dpitch, droll)


def _wrist(tl: _Timeline, warp: _Warp, t: np.ndarray, rng: np.random.Generator, left: bool):
    acc, tau, moving, soft = _trunk_dynamics(tl, warp, t, rng)
    acc[:, 1] *= 0.5
    phase = tl.phase(tau)
    rate = tl.c(tau) / 60.0 * soft
    amp = np.radians(25.0) * np.sqrt(np.clip(tl.v(tau), 1.5, 7.0) / 3.3)
    # arm swing: one period per stride (two steps), opposite to the same-side leg
    off = 0.0 if left else np.pi
    rho = amp * np.sin(np.pi * phase + off) * soft
    drho = amp * np.pi * rate * np.cos(np.pi * phase + off)
    ddrho = -amp * (np.pi * rate) ** 2 * np.sin(np.pi * phase + off) * soft
    r = 0.35  # effective swing radius of the wrist (elbow bent about 90 deg), m
    acc[:, 0] += r * (ddrho * np.cos(rho) - drho**2 * np.sin(rho))
    acc[:, 2] += r * (ddrho * np.sin(rho) + drho**2 * np.cos(rho))
    # forearm roughly horizontal, pitching with the swing; some pronation/yaw with the stride
    pitch = np.radians(-35.0) - rho
    dpitch = -drho
    roll = np.radians(10.0) * np.sin(np.pi * phase + off + 1.0) * soft
    droll = np.radians(10.0) * np.pi * rate * np.cos(np.pi * phase + off + 1.0)
    yaw = np.radians(8.0) * np.sin(np.pi * phase + off) * soft
    dyaw = np.radians(8.0) * np.pi * rate * np.cos(np.pi * phase + off)
    return _specific_force_body(yaw, pitch, roll, acc), _body_rates(pitch, roll, dyaw, dpitch, droll)


def _sensor_noise(f, w, rng, rate_hz, acc_range_g=16.0, gyro_range_dps=2000.0):
    """Add white noise, a constant bias per axis and clip at the sensor's range."""
    n = f.shape[0]
    scale = np.sqrt(rate_hz / 100.0)  # noise density fixed, so the per-sample std grows with rate
    f = f + rng.normal(0, 0.06 * scale, (n, 3)) + rng.normal(0, 0.05, 3)[None, :]
    w = w + rng.normal(0, 0.008 * scale, (n, 3)) + rng.normal(0, 0.004, 3)[None, :]
    lim_a = acc_range_g * G
    lim_w = np.radians(gyro_range_dps)
    return np.clip(f, -lim_a, lim_a), np.clip(w, -lim_w, lim_w)


_MOUNTS = {  # segment -> sensor: yaw, pitch, roll (deg) of the sensor on the segment
    ("foot", "left"): (72.0, -14.0, 23.0),
    ("foot", "right"): (-108.0, 12.0, -19.0),
    ("shank", "left"): (95.0, 8.0, 88.0),
    ("shank", "right"): (-85.0, -6.0, 93.0),
    ("lumbar", ""): (180.0, 4.0, -90.0),
    ("wrist", "left"): (15.0, 5.0, 170.0),
    ("wrist", "right"): (-15.0, 5.0, 10.0),
}


# ------------------------------------------------------------------------------------------------
# Records (1 Hz watch data)
# ------------------------------------------------------------------------------------------------
def _vertical_oscillation_m(step_s: np.ndarray, contact_s: np.ndarray) -> np.ndarray:
    """Peak-to-peak centre-of-mass excursion of the sine-force stance model (derived here):
    VO = g (t_f^2/8 + t_s t_c / (2 pi) - t_c^2 / 8), t_f = t_s - t_c."""
    tf = np.clip(step_s - contact_s, 0, None)
    return np.clip(G * (tf**2 / 8 + step_s * contact_s / (2 * np.pi) - contact_s**2 / 8), 0.02, 0.2)


def _records(tl: _Timeline, course: Course, warp: _Warp, duration_s: float, altitude_source,
             rng: np.random.Generator):
    t = np.arange(0.0, np.floor(duration_s) + 1.0, 1.0)
    tau, moving = warp.to_tau(t)
    n = t.size
    dist = tl.d(tau)
    speed = np.clip(tl.v(tau) * moving + _smooth_noise(rng, n, 5.0, 0.05) * moving, 0, None)
    cad = np.round((tl.c(tau) + rng.normal(0, 1.0, n)) * moving)
    tc_true = _contact_time_model(tl.v(tau))
    gct = np.where(moving > 0, tc_true * (1 + _smooth_noise(rng, n, 10.0, 0.02)), np.nan)
    vo = np.where(moving > 0, _vertical_oscillation_m(60.0 / tl.c(tau), tc_true)
                  + rng.normal(0, 0.003, n), np.nan)
    # heart rate: follows effort (flat-equivalent speed) with a 30 s lag, cardiac drift 5 bpm/h
    effort = tl.v(tau) * gap_speed_factor(tl.gs(tau)) * moving
    target = np.where(moving > 0, 148.0 + 14.0 * (effort - 3.3), 95.0) + 5.0 * t / 3600.0
    a = np.exp(-1.0 / 30.0)
    hr = lfilter([1 - a], [1, -a], target, zi=[a * 95.0])[0] + rng.normal(0, 1.0, n)
    chans = {"distance": dist, "speed": speed, "cadence": cad, "heart_rate": hr,
             "contact_time": gct, "vertical_oscillation": vo}
    alt_true = course.altitude_at(dist)
    if altitude_source == "barometric":
        # barometer: calibration offset, slow weather drift, ~0.35 m correlated noise, rare steps
        # of a few decimetres, 0.2 m resolution (literature 4.3)
        drift = rng.normal(0, 2.0) * t / 3600.0
        steps = np.cumsum((rng.random(n) < 1 / 600.0) * rng.normal(0, 0.8, n))
        alt = alt_true + rng.normal(0, 3.0) + drift + _smooth_noise(rng, n, 20.0, 0.35) + steps
        chans["altitude"] = np.round(alt / 0.2) * 0.2
    elif altitude_source == "gps":
        # GPS: ~4 m error correlated over about a minute, plus occasional short spikes
        spike_start = rng.random(n) < 1 / 300.0
        spike = np.convolve(spike_start * rng.choice([-1, 1], n) * rng.uniform(10, 25, n),
                            np.ones(3), mode="same")
        chans["altitude"] = np.round((alt_true + _smooth_noise(rng, n, 60.0, 4.0) + spike) / 0.2) * 0.2
    prov = {"distance": "measured: simulated watch distance", "speed": "measured: simulated speed",
            "cadence": "measured: simulated cadence (steps/min)",
            "heart_rate": "measured: simulated heart rate",
            "contact_time": "measured: simulated ground contact time",
            "vertical_oscillation": "measured: simulated vertical oscillation"}
    if "altitude" in chans:
        prov["altitude"] = f"measured: simulated {altitude_source} altitude"
    return t, chans, prov


# ------------------------------------------------------------------------------------------------
# Public entry point
# ------------------------------------------------------------------------------------------------
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
    tl = _timeline(crs, run_s, speed_mps, strike, left_first=sensor_left, rng=rng_tl,
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
        mid = tl.ic + _MIDSTANCE_FRAC * tl.tc
        cand = np.flatnonzero((tl.foot_left == sensor_left) & (mid > 0))
        pause_tau = float(mid[cand[np.argmin(np.abs(mid[cand] - run_s / 2))]])
    warp = _Warp(lead, pause_tau, pause)

    truth = _truth(tl, crs, warp, duration_s)
    rotations: dict[str, np.ndarray] = {}
    if is_records:
        t, chans, prov = _records(tl, crs, warp, duration_s, altitude_source, rng_rec)
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
                f, w = _foot_or_shank(tl, crs, warp, t, is_left, placement, rng_sig, speed_mps,
                                      1.0 / sampling_rate_hz)
                key = (placement, s)
            elif placement == "lumbar":
                f, w = _lumbar(tl, warp, t, rng_sig)
                key = ("lumbar", "")
            else:
                f, w = _wrist(tl, warp, t, rng_sig, is_left)
                key = ("wrist", s)
            mount = _mount_rotation(*_MOUNTS[key])
            f, w = f @ mount.T, w @ mount.T
            f, w = _sensor_noise(f, w, rng_noise, sampling_rate_hz,
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


def _truth(tl: _Timeline, course: Course, warp: _Warp, duration_s: float) -> pd.DataFrame:
    k = tl.k
    ic_t = warp.to_t(tl.ic)
    to_t = warp.to_t(tl.ic + tl.tc)
    # stride length: this foot's footprint to its next footprint (two steps later)
    nxt = np.full(k.size, -1)
    for left in (True, False):
        idx = np.flatnonzero(tl.foot_left == left)
        nxt[idx[:-1]] = idx[1:]
    has_next = nxt >= 0
    pos = tl.foot_pos
    alt_pos = course.altitude_at(pos)
    stride = np.where(has_next, pos[np.clip(nxt, 0, None)] - pos, np.nan)
    rise = np.where(has_next, alt_pos[np.clip(nxt, 0, None)] - alt_pos, np.nan)
    keep = (tl.ic >= 0) & (to_t <= duration_s) & (tl.ic <= tl.run_end_tau)
    # the contact the runner stands on during a stop is standing, not a running contact
    keep &= ~((tl.ic < warp.pause_tau) & (tl.ic + tl.tc > warp.pause_tau))
    grid = course.grid(1.0)
    d_ic = tl.d(tl.ic)
    grade = np.interp(d_ic, grid["distance_m"], grid["grade_pct"])
    terrain = np.where(grade > 2.0, "uphill", np.where(grade < -2.0, "downhill", "flat"))
    step_time = np.diff(ic_t, prepend=np.nan)
    # a contact whose previous one happened while standing (start) has no step time
    prev_ok = np.concatenate([[False], keep[:-1]])
    step_time = np.where(prev_ok, step_time, np.nan)
    truth = pd.DataFrame({
        "time_s": ic_t, "toe_off_s": to_t, "foot": np.where(tl.foot_left, "left", "right"),
        "contact_time_ms": (to_t - ic_t) * 1000.0, "step_time_s": step_time,
        "cadence_spm": tl.c(tl.ic), "speed_mps": tl.v(tl.ic), "distance_m": d_ic,
        "altitude_m": course.altitude_at(d_ic), "grade_pct": grade, "terrain": terrain,
        "strike_pattern": tl.pattern, "strike_angle_deg": tl.angle,
        "stride_length_m": stride, "stride_rise_m": rise,
    })
    truth = truth[keep].reset_index(drop=True)
    truth["terrain"] = truth["terrain"].astype(object)
    truth["foot"] = truth["foot"].astype(object)
    return truth


# ------------------------------------------------------------------------------------------------
# Sample data and CLI
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


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one-line typed error instead of argparse's exit
        raise OptionError(f"simulate: {message}")


def main_simulate(argv: list[str]) -> int:
    """``gaitload simulate``: write a synthetic run and its truth, or regenerate sample data.

    Returns the exit status (0 on success). Bad options raise :class:`OptionError`.
    """
    p = _Parser(prog="gaitload simulate", description="Write a synthetic run with ground truth.")
    p.add_argument("--placement", default="foot", choices=PLACEMENTS_SIMULATED)
    p.add_argument("--duration-s", type=float, default=600.0)
    p.add_argument("--rate-hz", type=float, default=200.0)
    p.add_argument("--course", default="hilly", choices=COURSES)
    p.add_argument("--strike", default="auto", choices=STRIKES)
    p.add_argument("--speed-mps", type=float, default=3.3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--side", default="left", choices=("left", "right", "both"))
    p.add_argument("--altitude-source", default="barometric", choices=("barometric", "gps", "none"))
    p.add_argument("--stops", action="store_true", help="insert a standing stop mid-run")
    p.add_argument("--out", help="CSV file to write (its truth goes to <stem>.truth.csv)")
    p.add_argument("--sample-data", metavar="DIR", help="regenerate the bundled sample files into DIR")
    p.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.sample_data:
        for path in write_sample_data(args.sample_data):
            print(path)
        return 0
    if not args.out:
        raise OptionError("simulate: --out PATH (or --sample-data DIR) is required")
    try:
        run = simulate_run(duration_s=args.duration_s, placement=args.placement,
                           sampling_rate_hz=args.rate_hz, course=args.course, strike=args.strike,
                           speed_mps=args.speed_mps, side=args.side,
                           altitude_source=None if args.altitude_source == "none" else args.altitude_source,
                           seed=args.seed, stops=args.stops)
        data, truth = run.write_csv(args.out)
    except OSError as exc:
        raise GaitloadError(f"cannot write: {exc.strerror or exc}", args.out) from None
    print(f"{data}  ({run.recording.n_samples} samples, {len(run.truth)} contacts)")
    print(truth)
    return 0
