"""Foot and shank sensors: segment kinematics of a rigid foot rolling on the ground and the
shank above it, sampled as an integrating MEMS sensor reports them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .course import Course
from .curves import hermite5, knot_derivatives, poly5, quintic_coeffs, quintic_curve
from .numeric import G, body_rates, last_event, specific_force_body
from .timeline import Timeline, Warp

__all__ = ["foot_or_shank", "HEEL_XZ", "MET_XZ", "ANKLE_XZ"]

_FLAT_START_FRAC = 0.18        # the foot is flat on the ground from this fraction of contact time...
_FLAT_END_FRAC = 0.52          # ...to this one (heel-off)


def _side_contacts(tl: Timeline, left: bool):
    m = tl.foot_left == left
    return tl.ic[m], tl.tc[m], tl.angle[m], tl.pattern[m], tl.foot_pos[m]


# Foot geometry in the foot frame (origin at the sensor on the dorsum, x towards the toes, z up
# from the sole), m: heel contact point, metatarsal heads (the toe rocker) and the ankle joint
# centre (the shank's lower end). Adult shoe of ~27 cm with the sensor on the instep; judgement.
HEEL_XZ = np.array([-0.10, -0.065])
MET_XZ = np.array([0.08, -0.065])
ANKLE_XZ = np.array([-0.05, 0.01])
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
        one = hermite5(tk / t_ff, t_ff, a + s, w_ic, acc_ic, s, z, z)
        vk[fore], wk[fore] = one[0][fore], one[1][fore]
    acc_min = np.where(fore, hermite5(t_min / t_ff, t_ff, a + s, w_ic, acc_ic, s, z, z)[2], 0.0)
    acc_set = np.where(fore, hermite5(t_set / t_ff, t_ff, a + s, w_ic, acc_ic, s, z, z)[2], 0.0)
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
    land = np.where(fore[:, None], MET_XZ[None, :], HEEL_XZ[None, :])
    rs = _rot2(fp.slope, land)[0]
    land_final = flat + rs                                   # landing point on the ground
    toe_final = flat + _rot2(fp.slope, np.broadcast_to(MET_XZ, (n, 2)))[0]
    td = np.array([_TOUCHDOWN[p] for p in ("rearfoot", "midfoot", "forefoot")])
    kind = np.where(pattern == "rearfoot", 0, np.where(fore, 2, 1))
    vscale = np.sqrt(np.clip(speed_ic, 1.5, 7.0) / 3.3)
    v_td = td[kind, :2] * vscale[:, None]                    # touchdown velocity, m/s
    t_c = np.minimum(td[kind, 2], 0.8 * fp.t_ff)
    # boundary conditions of the point at IC (compression starting) and at toe-off
    r_land = land - q[None, :]
    r_toe = np.broadcast_to(MET_XZ - q, (n, 2))
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
    coef = quintic_coeffs(np.append(ic[1:] - ic[:-1] - tc[:-1], 1.0)[:, None], p_to,
                           v_to, a_to, np.roll(p_ic, -1, axis=0), np.roll(v_ic, -1, axis=0),
                           np.roll(a_ic, -1, axis=0))
    out[m] = poly5(coef[j], ss, h[:, None])[order]
    s1 = ss[:, 0]
    if order == 1:
        out[m, 1] += clearance_m * 64 * (3 * s1**2 - 12 * s1**3 + 15 * s1**4 - 6 * s1**5) / h
    else:
        out[m, 1] += clearance_m * 64 * (6 * s1 - 36 * s1**2 + 60 * s1**3 - 30 * s1**4) / h**2
    acc = np.zeros(tau.shape + (3,))
    acc[:, 0], acc[:, 2] = out[:, 0], out[:, 1]
    return acc


def foot_or_shank(tl: Timeline, course: Course, warp: Warp, t: np.ndarray, left: bool,
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
    pitch_e = quintic_curve(fp.kt, fp.kv, fp.kd, fp.kdd, tau_e)

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
        d, dd = knot_derivatives(kt, kry)
        # pitch (at mid-interval, for the orientation), roll and yaw in one pass (same knots)
        val, der, _ = quintic_curve(kt, np.column_stack([fp.kv, kry]), np.column_stack([fp.kd, d]),
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
        d, dd = knot_derivatives(kt, kv)
        val, der, _ = quintic_curve(kt, kv, d, dd, tau)
        theta, roll_, yaw_ = val.T
        _, droll, dyaw = (der * moving[:, None]).T
        th_e, dth_e, _ = quintic_curve(kt, kv[:, 0], d[:, 0], dd[:, 0], tau_e)
        clearance = 0.18 + 0.04 * (speed_mps - 3.3)
        # the shank's lower end is the ankle: it follows the rolling foot and takes the landing
        # deceleration (the axial tibial shock); the sensor sits 0.15 m up the shank
        r = 0.15
        vel_e = foot_point_velocity(ANKLE_XZ, clearance, tau_e, pitch_e)
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
    f = specific_force_body(yaw_, beta, roll_, acc_world)
    w = body_rates(beta, roll_, dyaw, dbeta, droll)
    # on top of the rigid-body deceleration: a damped 20-30 Hz ring of the shoe and soft tissue
    # at IC, larger for a heel strike; its interval mean is the difference of its integral
    # F(x) = exp(-x/tau) sin(w x) / w (zero net velocity change)
    ic_t = warp.to_t(ic)
    j, dt_b = last_event(ic_t, t + 0.5 * hs)
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
