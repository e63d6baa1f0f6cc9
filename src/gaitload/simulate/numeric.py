"""Small numeric helpers of the simulator: correlated noise, smoothing, rotations, impacts."""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter

__all__ = ["G", "smooth_noise", "moving_average", "body_rates", "mount_rotation", "specific_force_body",
           "last_event", "impact_shape"]

G = 9.80665  # standard gravity, m/s^2


def smooth_noise(rng: np.random.Generator, n: int, corr_samples: float, sigma: float) -> np.ndarray:
    """AR(1) noise with unit-free correlation length ``corr_samples`` and std ``sigma``."""
    if n == 0:
        return np.zeros(0)
    a = float(np.exp(-1.0 / max(corr_samples, 1e-9)))
    white = rng.standard_normal(n) * sigma * np.sqrt(1 - a * a)
    out = lfilter([1.0], [1.0, -a], white, zi=[a * rng.standard_normal() * sigma])[0]
    return out


def moving_average(x: np.ndarray, width: int) -> np.ndarray:
    """Centred moving average over ``width`` samples, edges padded with the end values."""
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


def body_rates(pitch, roll, dyaw, dpitch, droll) -> np.ndarray:
    """Body-frame angular velocity for R = Rz(yaw) Ry(pitch) Rx(roll) (ZYX Euler kinematics)."""
    cp, sp = np.cos(pitch), np.sin(pitch)
    cr, sr = np.cos(roll), np.sin(roll)
    return np.stack([droll - dyaw * sp,
                     dpitch * cr + dyaw * cp * sr,
                     -dpitch * sr + dyaw * cp * cr], axis=-1)


def mount_rotation(yaw_deg: float, pitch_deg: float, roll_deg: float) -> np.ndarray:
    """Segment -> sensor rotation (the transpose of the sensor's orientation on the segment)."""
    r = _rot_zyx(np.radians(yaw_deg), np.radians(pitch_deg), np.radians(roll_deg))
    return r.T


def specific_force_body(yaw: np.ndarray, pitch: np.ndarray, roll: np.ndarray,
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


def last_event(times: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the latest event at or before each t (-1 if none) and the time since it (s)."""
    idx = np.searchsorted(times, t, side="right") - 1
    dt = t - times[np.clip(idx, 0, None)] if times.size else np.full(t.shape, np.inf)
    dt = np.where(idx >= 0, dt, np.inf)
    return idx, dt


def impact_shape(dt: np.ndarray, freq_hz: float, decay_s: float, window_s: float = 0.15) -> np.ndarray:
    """Damped oscillation starting at an impact, with zero net velocity change.

    ``d/dt[exp(-t/tau) sin(w t)] / w``: it jumps to 1 at the impact, rings at ``freq_hz`` and,
    integrated over time, returns to zero, so strapdown integration across an impact does not
    gain a spurious velocity.
    """
    w = 2 * np.pi * freq_hz
    inside = (dt >= 0) & (dt < window_s)
    x = np.where(inside, dt, 0.0)
    return np.where(inside, np.exp(-x / decay_s) * (np.cos(w * x) - np.sin(w * x) / (w * decay_s)), 0.0)
