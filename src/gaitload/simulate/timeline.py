"""Gait timeline in running time: speed, cadence, every foot contact with its contact time and
strike, and the warp from running time to recording time (standing still at the start and in a
stop)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..pace import cadence_grade_factor, gap_speed_factor
from .course import Course
from .numeric import moving_average, smooth_noise

__all__ = ["Timeline", "Warp", "build_timeline", "contact_time_model", "soften", "STRIKES",
           "MO_FOREFOOT_BELOW_DEG", "MO_REARFOOT_ABOVE_DEG", "MIDSTANCE_FRAC"]

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
MIDSTANCE_FRAC = 0.35           # centre of the foot-flat interval, fraction of contact time


@dataclass
class Timeline:
    """The gait of a run in running time ``tau`` (s): speed, cadence and phase on a 50 Hz grid,
    and one entry per foot contact."""

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


def contact_time_model(v_mps: np.ndarray) -> np.ndarray:
    """Ground contact time (s) at speed ``v_mps`` (m/s)."""
    return _CONTACT_REF_S * (np.clip(v_mps, 1.0, 9.0) / 3.3) ** _CONTACT_SPEED_EXP


def _cadence_model(v_effort_mps: np.ndarray, grade_pct: np.ndarray) -> np.ndarray:
    # the grade part is the shared model of gaitload.pace (Padulo 2013 uphill, Vernillo 2017 downhill)
    c = _CADENCE_REF_SPM * (1 + _CADENCE_PER_MPS * (v_effort_mps - 3.3)) * cadence_grade_factor(grade_pct)
    return np.clip(c, 140.0, 215.0)


def build_timeline(course: Course, run_s: float, speed_mps: float, strike: str, left_first: bool,
                   rng: np.random.Generator, treadmill: bool) -> Timeline:
    """Speed, cadence and every foot contact of ``run_s`` s of running on ``course`` at a flat
    speed of ``speed_mps`` m/s (steps 2-5 of the model in :mod:`gaitload.simulate`)."""
    grid = course.grid(1.0)
    d = grid["distance_m"].to_numpy()
    grade = grid["grade_pct"].to_numpy()
    # runners react to the grade over the next few metres, not per metre
    g_smooth = moving_average(grade, 15)
    fluct = 1.0 + (0.0 if treadmill else 1.0) * smooth_noise(rng, d.size, 300.0, 0.025)
    v_eff = speed_mps * fluct                          # flat-equivalent (effort) speed
    v = v_eff / gap_speed_factor(g_smooth)
    v = moving_average(v, 15)
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
    tc0 = float(contact_time_model(v_tau[inside][0]))
    phase = phase - np.interp(-MIDSTANCE_FRAC * tc0, tau, phase)

    k = np.arange(int(np.ceil(phase[0])), int(np.floor(phase[-1])))
    jitter = rng.normal(0.0, 0.015, k.size)
    jitter[k == 0] = 0.0
    ic = np.interp(k + jitter, phase, tau)
    order = np.argsort(ic)  # jitter is far below one step, this only guards against ties
    ic, k = ic[order], k[order]
    v_ic = np.interp(ic, tau, v_tau)
    c_ic = np.interp(ic, tau, c_tau)
    tc = contact_time_model(v_ic) * (1 + rng.normal(0, 0.03, k.size))
    tc[k == 0] = tc0
    # stride = two steps; keep a swing of at least 0.22 s
    tc = np.clip(tc, 0.14, np.minimum(0.48, 120.0 / c_ic - 0.22))
    foot_left = (k % 2 == 0) == left_first

    d_ic = np.interp(ic, tau, d_tau)
    g_ic = np.interp(d_ic, d, grade)
    angle, pattern = _strike(g_ic, strike, rng)
    foot_pos = np.interp(ic + MIDSTANCE_FRAC * tc, tau, d_tau)
    return Timeline(tau, d_tau, v_tau, c_tau, phase, g_tau, ic, tc, foot_left, k, angle, pattern,
                     foot_pos, run_end)


def _strike(grade_pct: np.ndarray, strike: str, rng: np.random.Generator):
    """Strike pattern and angle (deg) per contact."""
    n = grade_pct.size
    if strike == "auto":
        g = grade_pct
        # latent angle: heel first on the flat (about 97 % rearfoot, cf. Almeida 2015 95 %),
        # a little more heel downhill, falling with uphill grade (Vernillo 2017; the article)
        mean = np.where(g > 0, 14.0 - 1.6 * g, 14.0 + 0.3 * np.minimum(-g, 20))
        latent = mean + smooth_noise(rng, n, 20.0, 3.0) + rng.normal(0, 1.2, n)
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
class Warp:
    """Running time ``tau`` <-> recording time ``t`` (s): a standing lead-in of ``lead_s`` and one
    stop of ``pause_s`` beginning at ``tau = pause_tau``."""

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


def soften(moving: np.ndarray, rate_hz: float, ramp_s: float = 0.25) -> np.ndarray:
    """Ramp a 0/1 moving mask over ``ramp_s`` so trunk and arm signals start and stop smoothly."""
    return moving_average(moving, max(int(ramp_s * rate_hz), 1))
