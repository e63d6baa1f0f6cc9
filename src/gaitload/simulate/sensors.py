"""Trunk-worn sensors (lower back, wrist), the sensor noise and mounting, and the 1 Hz watch
records."""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter

from ..pace import gap_speed_factor
from .course import Course
from .numeric import G, body_rates, impact_shape, last_event, smooth_noise, specific_force_body
from .timeline import Timeline, Warp, contact_time_model, soften

__all__ = ["lumbar", "wrist", "sensor_noise", "MOUNTS", "records"]


def _trunk_dynamics(tl: Timeline, warp: Warp, t: np.ndarray, rng: np.random.Generator):
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
        j, dt = last_event(ic, tau)
        jj = np.clip(j, 0, ic.size - 1)
        ph = np.clip(dt / tc[jj], 0, 1)
        inside = (dt >= 0) & (dt < tc[jj])
        acc[:, 2] += np.where(inside, 0.5 * np.pi * ts[jj] / tc[jj] * G * np.sin(np.pi * ph), 0.0)
        brake = 0.30 * G * np.clip(v / 3.3, 0.5, 2.0)
        acc[:, 0] += np.where(inside, -brake[jj] * np.sin(2 * np.pi * ph), 0.0)
        acc[:, 1] += np.where(inside, (-1.0 if left else 1.0) * 0.12 * G * np.sin(np.pi * ph), 0.0)
        amp = np.where(pattern == "rearfoot", 1.0, np.where(pattern == "forefoot", 0.2, 0.5)) * G
        amp = amp * rng.uniform(0.8, 1.2, ic.size)
        ring = impact_shape(dt, 18.0, 0.015, 0.12)
        acc[:, 2] += amp[jj] * ring
        acc[:, 0] += 0.3 * amp[jj] * ring
    acc[:, 2] -= G
    soft = soften(moving, 1.0 / np.median(np.diff(t)) if t.size > 1 else 100.0)
    return acc * soft[:, None], tau, moving, soft


def lumbar(tl: Timeline, warp: Warp, t: np.ndarray, rng: np.random.Generator):
    """Segment-frame specific force (m/s^2) and angular rate (rad/s), (n, 3) each, of a
    lower-back sensor: trunk dynamics with lean, pitch, roll and yaw oscillations."""
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
    # the step after a left contact points right (tests/events/test_events_lumbar_real.py pins it; at
    # 4 deg the tilt won and the simulated convention was the opposite of the real one)
    roll = np.radians(1.5) * np.sin(np.pi * phase) * soft
    droll = np.radians(1.5) * np.pi * rate * np.cos(np.pi * phase)
    yaw = np.radians(6.0) * np.cos(np.pi * phase) * soft
    dyaw = -np.radians(6.0) * np.pi * rate * np.sin(np.pi * phase)
    return specific_force_body(yaw, pitch, roll, acc), body_rates(pitch, roll, dyaw, dpitch, droll)


def wrist(tl: Timeline, warp: Warp, t: np.ndarray, rng: np.random.Generator, left: bool):
    """Segment-frame specific force (m/s^2) and angular rate (rad/s), (n, 3) each, of a
    wrist sensor: trunk dynamics plus an arm swing at stride frequency."""
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
    return specific_force_body(yaw, pitch, roll, acc), body_rates(pitch, roll, dyaw, dpitch, droll)


def sensor_noise(f, w, rng, rate_hz, acc_range_g=16.0, gyro_range_dps=2000.0):
    """Add white noise, a constant bias per axis and clip at the sensor's range."""
    n = f.shape[0]
    scale = np.sqrt(rate_hz / 100.0)  # noise density fixed, so the per-sample std grows with rate
    f = f + rng.normal(0, 0.06 * scale, (n, 3)) + rng.normal(0, 0.05, 3)[None, :]
    w = w + rng.normal(0, 0.008 * scale, (n, 3)) + rng.normal(0, 0.004, 3)[None, :]
    lim_a = acc_range_g * G
    lim_w = np.radians(gyro_range_dps)
    return np.clip(f, -lim_a, lim_a), np.clip(w, -lim_w, lim_w)


MOUNTS = {  # segment -> sensor: yaw, pitch, roll (deg) of the sensor on the segment
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


def records(tl: Timeline, course: Course, warp: Warp, duration_s: float, altitude_source,
            rng: np.random.Generator):
    """1 Hz watch records: times (s), channels and their provenance."""
    t = np.arange(0.0, np.floor(duration_s) + 1.0, 1.0)
    tau, moving = warp.to_tau(t)
    n = t.size
    dist = tl.d(tau)
    speed = np.clip(tl.v(tau) * moving + smooth_noise(rng, n, 5.0, 0.05) * moving, 0, None)
    cad = np.round((tl.c(tau) + rng.normal(0, 1.0, n)) * moving)
    tc_true = contact_time_model(tl.v(tau))
    gct = np.where(moving > 0, tc_true * (1 + smooth_noise(rng, n, 10.0, 0.02)), np.nan)
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
        alt = alt_true + rng.normal(0, 3.0) + drift + smooth_noise(rng, n, 20.0, 0.35) + steps
        chans["altitude"] = np.round(alt / 0.2) * 0.2
    elif altitude_source == "gps":
        # GPS: ~4 m error correlated over about a minute, plus occasional short spikes
        spike_start = rng.random(n) < 1 / 300.0
        spike = np.convolve(spike_start * rng.choice([-1, 1], n) * rng.uniform(10, 25, n),
                            np.ones(3), mode="same")
        chans["altitude"] = np.round((alt_true + smooth_noise(rng, n, 60.0, 4.0) + spike) / 0.2) * 0.2
    prov = {"distance": "measured: simulated watch distance", "speed": "measured: simulated speed",
            "cadence": "measured: simulated cadence (steps/min)",
            "heart_rate": "measured: simulated heart rate",
            "contact_time": "measured: simulated ground contact time",
            "vertical_oscillation": "measured: simulated vertical oscillation"}
    if "altitude" in chans:
        prov["altitude"] = f"measured: simulated {altitude_source} altitude"
    return t, chans, prov
