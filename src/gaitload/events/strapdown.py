"""Strapdown integration of a foot IMU between zero-velocity instants: stride length and rise.

Method (inertial navigation with zero-velocity updates):

* Each stride runs from one zero-velocity (mid-stance, foot-flat) sample to the next, as in the
  stride definition of Rampp et al. 2015 (IEEE TBME 62:1089) and gaitmap.
* Attitude at the stride start comes from gravity (the accelerometer at rest measures +g up);
  heading is arbitrary and irrelevant for the stride's horizontal length.
* Orientation during the stride is the product of the per-sample rotation increments
  ``exp(omega dt / 2)`` (quaternions, midpoint rate; sine and cosine of the small half angle
  from their Taylor series). The running product is computed for all strides at once with a
  work-efficient two-level scan (sequential products inside blocks of 16 samples, a
  Hillis-Steele scan over the block totals, Blelloch 1990): about one quaternion product per
  sample, and no loop over samples or strides. Strides are sorted by length and processed in
  chunks of ~65 k samples (bounded memory, little padding); quaternions are kept as four
  contiguous component planes laid out ``[sample in block, block, stride]``.
* Acceleration is rotated to the stride-start frame, integrated to velocity, and the velocity
  error is removed as a linear ramp that forces zero velocity at both mid-stances (ZUPT:
  Foxlin 2005, IEEE CG&A 25(6):38; Skog et al. 2010, IEEE TBME 57:2657); a second integration
  gives the stride displacement. Both trapezoidal integrations and the ramp are linear, so the
  displacement is one weighted sum of the acceleration samples (weights derived in
  :func:`stride_displacement`); the weights sum to zero, so gravity and any constant bias
  cancel exactly. Rotation is linear too, so each sample is rotated only by its attitude
  within its block, each block's weighted sum by the attitude at the block's start, and the
  stride's sum once by the gravity-aligned start attitude.

Outputs: horizontal stride length (m), vertical rise (m, + = up) and mean speed (m/s).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["quat_multiply", "quat_rotate", "gravity_alignment", "stride_displacement", "heading_change",
           "track_heading"]

_CHUNK_ELEMENTS = 1 << 16  # samples x strides per chunk (planes of ~0.5 MB: cache-friendly)
_SCAN_BLOCK = 16  # samples per block of the prefix scan


def quat_multiply(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Hamilton product ``p (x) q`` of quaternion arrays ``[..., (w, x, y, z)]``."""
    pw, px, py, pz = np.moveaxis(p, -1, 0)
    qw, qx, qy, qz = np.moveaxis(q, -1, 0)
    return np.stack(
        [
            pw * qw - px * qx - py * qy - pz * qz,
            pw * qx + px * qw + py * qz - pz * qy,
            pw * qy - px * qz + py * qw + pz * qx,
            pw * qz + px * qy - py * qx + pz * qw,
        ],
        axis=-1,
    )


def quat_rotate(q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rotate vectors ``v[..., 3]`` by unit quaternions ``q[..., 4]`` (body -> world)."""
    w = q[..., :1]
    u = q[..., 1:]
    t = 2.0 * np.cross(u, v)
    return v + w * t + np.cross(u, t)


def gravity_alignment(acc: np.ndarray) -> np.ndarray:
    """Quaternions that rotate each measured specific force ``acc[i]`` onto ``+z`` (up).

    Minimal rotation (no yaw); for a vector pointing straight down a 180 deg turn about x is used.

    Parameters
    ----------
    acc : ndarray, shape (m, 3)
        Accelerometer at rest, any units.

    Returns
    -------
    ndarray, shape (m, 4)
    """
    u = acc / np.maximum(np.linalg.norm(acc, axis=-1, keepdims=True), 1e-12)
    z = np.array([0.0, 0.0, 1.0])
    w = 1.0 + u[:, 2]  # u . z, without a BLAS call (whose threads spin on a busy machine)
    xyz = np.cross(u, z)
    q = np.concatenate([w[:, None], xyz], axis=1)
    flip = w < 1e-9
    q[flip] = [0.0, 1.0, 0.0, 0.0]
    return q / np.linalg.norm(q, axis=1, keepdims=True)


def _prefix_product(dq: np.ndarray) -> np.ndarray:
    """Inclusive prefix quaternion product along axis 1 (Hillis-Steele scan, log2 passes)."""
    out = dq.copy()
    shift = 1
    width = out.shape[1]
    while shift < width:
        out[:, shift:] = quat_multiply(out[:, :-shift], out[:, shift:])
        shift *= 2
    return out / np.linalg.norm(out, axis=-1, keepdims=True)


def _qmul_planes(p, q, out, tmp) -> None:
    """Hamilton product of quaternions stored as four planes ``(w, x, y, z)`` into ``out``.

    The same operations in the same order as :func:`quat_multiply` (bit-identical results),
    but on separate contiguous component planes and into preallocated buffers: no stacking,
    no temporaries beyond ``tmp``.
    """
    pw, px, py, pz = p
    qw, qx, qy, qz = q
    ow, ox, oy, oz = out
    np.multiply(pw, qw, out=ow)
    np.multiply(px, qx, out=tmp)
    ow -= tmp
    np.multiply(py, qy, out=tmp)
    ow -= tmp
    np.multiply(pz, qz, out=tmp)
    ow -= tmp
    np.multiply(pw, qx, out=ox)
    np.multiply(px, qw, out=tmp)
    ox += tmp
    np.multiply(py, qz, out=tmp)
    ox += tmp
    np.multiply(pz, qy, out=tmp)
    ox -= tmp
    np.multiply(pw, qy, out=oy)
    np.multiply(px, qz, out=tmp)
    oy -= tmp
    np.multiply(py, qw, out=tmp)
    oy += tmp
    np.multiply(pz, qx, out=tmp)
    oy += tmp
    np.multiply(pw, qz, out=oz)
    np.multiply(px, qy, out=tmp)
    oz += tmp
    np.multiply(py, qx, out=tmp)
    oz -= tmp
    np.multiply(pz, qw, out=tmp)
    oz += tmp


def _block_scan(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Quaternion prefix products of increments in blocks: ``x[4, block, nb, rows]`` (component,
    position in block, block, stride), a stride's samples in order ``b * block + j``.

    Work-efficient two-level scan (Blelloch 1990, "Prefix sums and their applications",
    CMU-CS-90-190): a sequential product inside every block (``block - 1`` vectorised steps over
    all blocks and strides at once, each on a contiguous ``[nb, rows]`` slab) and a
    Hillis-Steele scan over the block totals. The carry of each block (the product of all
    blocks before it) is not multiplied into every sample: a rotation is linear, so the caller
    rotates each block's weighted sum by it instead (one rotation per block, not one product
    per sample). The increments are unit quaternions, so the products stay unit to ~1e-15 and
    are not renormalised.

    Returns
    -------
    inner : ndarray, shape (4, block, nb, rows)
        ``inner[:, j, b] = x[:, 0, b] (x) ... (x) x[:, j, b]``, the attitude relative to the
        block's start.
    total : ndarray, shape (4, nb, rows)
        ``total[:, b]``: the product of blocks ``0..b``, the attitude at the end of block ``b``
        relative to the stride's start.
    """
    _, block, nb, rows = x.shape
    y = np.empty_like(x)
    y[:, 0] = x[:, 0]
    tmp = np.empty((nb, rows))
    for j in range(1, block):  # sequential inside the blocks
        _qmul_planes(y[:, j - 1], x[:, j], y[:, j], tmp)
    # inclusive scan of the block totals (Hillis-Steele over nb = width / block entries)
    tot = y[:, block - 1]
    shift = 1
    while shift < nb:
        nxt = tot.copy()
        _qmul_planes(tot[:, :-shift], tot[:, shift:], nxt[:, shift:], tmp[: nb - shift])
        tot = nxt
        shift *= 2
    return y, tot


#: Taylor coefficients of sin(x) / x and cos(x) in powers of x^2 (highest first), and the
#: largest x^2 they cover to rounding (x = 0.25: the next terms are < 1e-17 relative)
_SINC_SERIES = tuple((-1.0) ** k / math.factorial(2 * k + 1) for k in range(5, -1, -1))
_COS_SERIES = tuple((-1.0) ** k / math.factorial(2 * k) for k in range(6, -1, -1))
_SERIES_MAX_X2 = 0.0625


def _horner(x2: np.ndarray, coefs: tuple[float, ...], out: np.ndarray) -> np.ndarray:
    """The polynomial ``coefs`` (highest power first) at ``x2``, into ``out`` (not ``x2``)."""
    np.multiply(x2, coefs[0], out=out)
    for c in coefs[1:-1]:
        out += c
        out *= x2
    out += coefs[-1]
    return out


def _increments(w: np.ndarray, valid: np.ndarray, dt: float) -> np.ndarray:
    """Rotation increments ``exp(omega dt / 2)`` between consecutive samples of each stride.

    ``w[3, block, nb, rows]`` holds the angular rate (rad/s) of each stride from its first
    sample, in the block layout of :func:`_block_scan` (sample ``b * block + j`` at ``[:, j, b]``);
    the increment into a sample uses the mean rate of it and the sample before (midpoint rule);
    sample 0 and padding (``~valid``, shape ``[block, nb, rows]``) get the identity. Returns
    ``dq[4, block, nb, rows]``.
    """
    wm = np.zeros_like(w)
    np.add(w[:, 1:], w[:, :-1], out=wm[:, 1:])  # inside a block
    np.add(w[:, 0, 1:], w[:, -1, :-1], out=wm[:, 0, 1:])  # a block's first sample: the last of the block before
    wm *= 0.5
    np.copyto(wm, 0.0, where=~valid)  # broadcast over the three axes (a boolean-index store is slower)
    # |w|^2 and x^2 = (|w| dt / 2)^2, the squared half angle (no square root needed)
    x2 = wm[0] * wm[0]
    tmp = wm[1] * wm[1]
    x2 += tmp
    np.multiply(wm[2], wm[2], out=tmp)
    x2 += tmp
    x2 *= 0.25 * dt * dt
    # sin(x) / |w| = dt / 2 * sin(x) / x and cos(x) as their Taylor series in x^2: the terms
    # left out are below 1e-17 relative for x <= 0.25 (|w| <= 50 rad/s at 100 Hz), so both
    # are exact to rounding there, at a fraction of the cost of sqrt, sin and a division
    sinc = _horner(x2, _SINC_SERIES, tmp)
    sinc *= 0.5 * dt
    dq = np.empty((4,) + x2.shape)
    _horner(x2, _COS_SERIES, dq[0])
    big = x2 > _SERIES_MAX_X2
    if big.any():  # a rotation faster than the series covers: the functions themselves
        x = np.sqrt(x2[big])
        dq[0][big] = np.cos(x)
        sinc[big] = np.sin(x) / x * (0.5 * dt)
    np.multiply(wm, sinc, out=dq[1:])
    return dq


def _window_blocks(x, start: np.ndarray, nb: int, block: int) -> np.ndarray:
    """Windows ``x[axis][start[r] : start[r] + nb * block]`` of three contiguous 1-D arrays (one
    per axis) in the block layout of :func:`_block_scan`:
    ``out[axis, j, b, r] = x[axis][start[r] + b * block + j]``.

    Each window of an axis is one contiguous run of samples, so it is gathered whole (a copy
    per stride) and transposed once; an interleaved ``(n, 3)`` source is ~8x slower to gather.
    Samples past a stride's end are padding: the callers give them zero weight (rotation
    increments set to identity, displacement weight 0), so they may hold any finite value; a
    window running past the end of the recording is filled with the last sample.
    """
    n = x[0].shape[0]
    width = nb * block
    out = np.empty((3, block, nb, start.size))
    if width <= n:
        first = np.minimum(start, n - width)
        for axis in range(3):
            win = sliding_window_view(x[axis], width)[first]  # [row, sample]
            out[axis] = win.reshape(start.size, nb, block).transpose(2, 1, 0)
        short = np.flatnonzero(first != start)
    else:  # a recording shorter than the padded window: every window gathered sample by sample
        short = np.arange(start.size)
    if short.size:  # the last stride(s) of the recording: gather sample by sample (few)
        idx = np.minimum(start[short][None, :] + np.arange(width)[:, None], n - 1)  # [sample, row]
        for axis in range(3):
            out[axis][:, :, short] = x[axis][idx].reshape(nb, block, short.size).transpose(1, 0, 2)
    return out


def _cross_planes(u, v, scale: float | None = None, tmp: np.ndarray | None = None):
    """``np.cross`` of two vectors stored as three planes each (same operation order).

    With ``scale``, every component is then multiplied by it (``scale * cross(u, v)``). Each
    component is built in place in its own output plane (two temporaries fewer per component);
    ``tmp`` (optional, one plane) holds the second product, so no temporary is allocated.
    """
    u0, u1, u2 = u
    v0, v1, v2 = v
    out = []
    for a, b, c, d in ((u1, v2, u2, v1), (u2, v0, u0, v2), (u0, v1, u1, v0)):  # three components
        x = a * b
        x -= c * d if tmp is None else np.multiply(c, d, out=tmp)
        if scale is not None:
            x *= scale
        out.append(x)
    return tuple(out)


def stride_displacement(
    acc_mps2: np.ndarray,
    gyr_rads: np.ndarray,
    sampling_rate_hz: float,
    zv_start_idx: np.ndarray,
    zv_end_idx: np.ndarray,
    rest_window_s: float = 0.02,
    max_stride_s: float = 3.0,
    *,
    planar: bool = False,
) -> dict[str, np.ndarray]:
    """Displacement of the sensor over each stride between two zero-velocity samples.

    Parameters
    ----------
    acc_mps2 : ndarray, shape (n, 3)
        Sensor-frame acceleration (specific force), m/s^2.
    gyr_rads : ndarray, shape (n, 3)
        Sensor-frame angular rate, rad/s.
    sampling_rate_hz : float
        Sampling rate in Hz.
    zv_start_idx, zv_end_idx : ndarray of int, shape (m,)
        Zero-velocity samples that open and close each stride.
    rest_window_s : float
        Half-width in seconds of the window around ``zv_start_idx`` whose mean acceleration
        gives the initial attitude. (Gravity itself, whatever its measured magnitude, cancels in
        the zero-velocity-corrected displacement.)
    max_stride_s : float
        Strides longer than this (pauses) are not integrated; their outputs are NaN.
    planar : bool
        ``acc_mps2`` and ``gyr_rads`` are given axis by axis instead: a ``(3, n)`` array or three
        ``(n,)`` arrays each (a recording's own channel arrays, read without a copy).

    Returns
    -------
    dict with ndarray values, each shape (m,)
        ``length_m`` (horizontal), ``rise_m`` (+ = up), ``speed_mps`` (length / duration),
        ``dx_m``, ``dy_m`` (horizontal components in the stride's own heading frame: the start
        attitude's minimal gravity alignment, no yaw), ``heading_rad`` (direction of the stride's
        horizontal displacement in one frame for the whole recording, counter-clockwise seen
        from above, from an arbitrary origin; see :func:`track_heading`).
    """
    # one contiguous array per axis: a stride's window of each axis is then one run of memory
    if planar:
        acc_p, gyr_p = ([np.ascontiguousarray(c, dtype=np.float64) for c in x] for x in (acc_mps2, gyr_rads))
    else:
        acc_p, gyr_p = ([np.ascontiguousarray(x[:, k]) for k in range(3)]
                        for x in (np.asarray(acc_mps2, dtype=np.float64), np.asarray(gyr_rads, dtype=np.float64)))
    n = acc_p[0].shape[0]
    s_all = np.asarray(zv_start_idx, dtype=np.int64)
    e_all = np.asarray(zv_end_idx, dtype=np.int64)
    m = s_all.size
    out = {k: np.full(m, np.nan) for k in ("length_m", "rise_m", "speed_mps", "dx_m", "dy_m", "heading_rad")}
    dt = 1.0 / sampling_rate_hz
    ok = (s_all >= 0) & (e_all > s_all + 2) & (e_all < n) & ((e_all - s_all) * dt <= max_stride_s)
    good = np.flatnonzero(ok)
    if good.size == 0:
        return out
    half = max(int(round(rest_window_s * sampling_rate_hz)), 0)
    # attitude at each stride start from the mean specific force around it (row-wise
    # operations, so computed for all strides at once rather than per chunk)
    s_good = s_all[good]
    lo = np.clip(s_good - half, 0, n)
    hi = np.clip(s_good + half + 1, 0, n)
    win = np.arange(2 * half + 1)[None, :]
    in_win = win < (hi - lo)[:, None]
    near = np.minimum(lo[:, None] + win, n - 1)
    rest = np.stack([np.where(in_win, acc_p[k][near], 0.0).sum(axis=1) for k in range(3)], axis=1)
    rest /= (hi - lo)[:, None]
    q0 = gravity_alignment(rest)
    # strides grouped by their number of scan blocks (the padded width), in time order within
    # a group: each chunk's padding stays small and its windows are read front to back through
    # the recording; chunks only bound memory (strides are computed independently)
    length_all = e_all - s_all + 1
    rank = np.argsort(-(-length_all[good] // _SCAN_BLOCK), kind="stable")
    order = good[rank]
    lens = length_all[order]
    padded = -(-lens // _SCAN_BLOCK) * _SCAN_BLOCK
    d_rel = np.empty((order.size, 3))  # weighted sums in the stride-start frame, sorted order
    q_end = np.empty((order.size, 4))  # attitude at each stride's end relative to its start
    start = 0
    while start < order.size:  # a few chunks per hour of data
        # as many strides as fit the element budget at the width of the longest of them
        # (a stride has >= 4 samples, so no chunk holds more than budget / 4 of them: looking
        # that far ahead keeps the cost linear in the number of strides)
        ahead = padded[start : start + _CHUNK_ELEMENTS // 4 + 1]
        fit = np.arange(1, ahead.size + 1) * ahead
        stop = start + max(int(np.searchsorted(fit, _CHUNK_ELEMENTS, side="right")), 1)
        rows, length = order[start:stop], lens[start:stop]
        s = s_all[rows]
        k = rows.size
        nb = -(-int(length.max()) // _SCAN_BLOCK)
        # block layout [position in block, block, stride]: the scan and the sums run over
        # contiguous [block, stride] slabs of all strides at once
        offs = (np.arange(nb)[None, :] * _SCAN_BLOCK + np.arange(_SCAN_BLOCK)[:, None])[:, :, None]
        valid = offs < length[None, None, :]
        inner, total = _block_scan(_increments(_window_blocks(gyr_p, s, nb, _SCAN_BLOCK), valid, dt))
        last = length - 1
        jl, bl = last % _SCAN_BLOCK, last // _SCAN_BLOCK
        cols = np.arange(k)
        # attitude at each stride's end relative to its start: the carry of its last block times
        # the attitude inside that block (the first block has no carry)
        end_in = inner[:, jl, bl, cols].T
        carry_end = np.where((bl > 0)[:, None], total[:, np.maximum(bl - 1, 0), cols].T, [1.0, 0.0, 0.0, 0.0])
        q_end[start:stop] = np.where((bl > 0)[:, None], quat_multiply(carry_end, end_in), end_in)
        # specific force in the frame of its block's start (quat_rotate's operations, per plane)
        v_b = _window_blocks(acc_p, s, nb, _SCAN_BLOCK)
        u = (inner[1], inner[2], inner[3])
        tmp = np.empty_like(v_b[0])
        t = _cross_planes(u, v_b, 2.0, tmp)
        ut = _cross_planes(u, t, tmp=tmp)
        # trapezoidal velocity with the ZUPT ramp (v = 0 at both mid-stances) and a second
        # trapezoidal integration reduce to one weighted sum of the acceleration samples:
        # p(L) = dt^2 / 2 * sum_j c_j a_j with c_0 = (L-1)/2, c_j = L - 2j, c_L = -(L-1)/2.
        # The weights sum to zero, so a constant (gravity, accelerometer bias) cancels exactly
        # as the ZUPT intends, and the sum commutes with the constant start attitude, which is
        # therefore applied once to the summed vector (after the loop).
        lf = last.astype(np.float64)
        c = np.where(valid, lf - 2.0 * offs, 0.0)
        c[0, 0] = 0.5 * (lf - 1.0)
        c[jl, bl, cols] = -0.5 * (lf - 1.0)
        # v + w t + u x t per axis (t is not needed afterwards)
        rot = [np.multiply(inner[0], t[i], out=t[i]) for i in range(3)]
        for i in range(3):  # three axes
            rot[i] += v_b[i]
            rot[i] += ut[i]
        # each block's weighted sum, in the frame of the block's start ...
        S = np.empty((3, nb, k))
        for i in range(3):
            np.einsum("jbr,jbr->br", c, rot[i], out=S[i])
        # ... rotated by the block's carry into the stride-start frame (rotations are linear:
        # one rotation per block instead of a quaternion product per sample)
        d_rel[start:stop] = S[:, 0].T
        if nb > 1:
            cw, cu = total[0, :-1], (total[1, :-1], total[2, :-1], total[3, :-1])
            sb = (S[0, 1:], S[1, 1:], S[2, 1:])
            tb = _cross_planes(cu, sb, 2.0)
            utb = _cross_planes(cu, tb)
            for i in range(3):
                d_rel[start:stop, i] += (sb[i] + cw * tb[i] + utb[i]).sum(axis=0)
        start = stop
    d = quat_rotate(q0[rank], 0.5 * dt * dt * d_rel)
    out["dx_m"][order] = d[:, 0]
    out["dy_m"][order] = d[:, 1]
    out["length_m"][order] = np.hypot(d[:, 0], d[:, 1])
    out["rise_m"][order] = d[:, 2]
    out["speed_mps"][order] = out["length_m"][order] / ((lens - 1) * dt)
    start_heading = track_heading(gyr_p, dt, rest[rank], s_all[order], e_all[order],
                                  heading_change(quat_multiply(q0[rank], q_end)), planar=True)
    out["heading_rad"][order] = start_heading + np.arctan2(d[:, 1], d[:, 0])
    return out


def heading_change(q_end: np.ndarray) -> np.ndarray:
    """Turn about the vertical of attitudes ``q_end[m, 4]`` given in their stride's start frame, rad.

    The start frame is the minimal gravity alignment of the sensor (no yaw); the end attitude's
    yaw against its own minimal gravity alignment is then the sensor's turn over the stride
    (+ = counter-clockwise seen from above), in (-pi, pi].
    """
    conj = np.array([1.0, -1.0, -1.0, -1.0])
    up = quat_rotate(q_end * conj, np.array([0.0, 0.0, 1.0]))  # world up in the end sensor frame
    yaw = quat_multiply(q_end, gravity_alignment(up) * conj)  # a pure rotation about z
    psi = 2.0 * np.arctan2(yaw[:, 3], yaw[:, 0])
    return (psi + np.pi) % (2.0 * np.pi) - np.pi


def track_heading(gyr_rads: np.ndarray, dt: float, rest_acc: np.ndarray, start_idx: np.ndarray,
                  end_idx: np.ndarray, turn_rad: np.ndarray, *, planar: bool = False) -> np.ndarray:
    """Heading of the sensor at each stride start in one frame for the whole recording, rad.

    Over an integrated stride the heading changes by its attitude's turn (``turn_rad``,
    :func:`heading_change`); between strides (a stance, or strides that were not integrated: a
    pause, a turn on the spot) by the angular rate projected on the sensor-frame vertical of
    foot-flat (the median direction of the specific force at the strides' starts,
    ``rest_acc[m, 3]``), integrated by the trapezoid rule. The strides are those of one
    sensor and do not overlap. Gyro bias turns the heading by bias x time (MEMS: degrees per
    minute), which is fine for closing a track of minutes, not of hours.

    ``gyr_rads`` is ``(n, 3)``, or with ``planar=True`` a ``(3, n)`` array or three ``(n,)`` arrays.
    """
    gyr = gyr_rads if planar else np.asarray(gyr_rads, dtype=np.float64).T
    u = rest_acc / np.maximum(np.linalg.norm(rest_acc, axis=1, keepdims=True), 1e-12)
    up = np.median(u, axis=0)
    up /= max(float(np.linalg.norm(up)), 1e-12)
    # trapezoid rule, read only at the stride ends: with C(i) the sum of rate[k] for k < i,
    # turned(i) = dt / 2 * (2 C(i) + rate[i] - rate[0]); C is linear in the three axes, so each
    # axis is summed between consecutive stride ends (one read-only pass, no projected copy)
    at = np.unique(np.concatenate([[0], start_idx, end_idx]))
    csum = np.zeros(at.size)
    rate_at = np.zeros(at.size)
    for k in range(3):  # three axes
        g = np.asarray(gyr[k])
        seg = np.add.reduceat(g, at)  # seg[j]: the sum from at[j] to at[j + 1]
        csum[1:] += up[k] * np.cumsum(seg[:-1])
        rate_at += up[k] * g[at]

    def turned(i):
        j = np.searchsorted(at, i)
        return 0.5 * dt * (2.0 * csum[j] + rate_at[j] - rate_at[0])

    t_start = turned(start_idx)
    # replace the projected turn over each integrated stride by the stride's own attitude turn
    fix = turn_rad - (turned(end_idx) - t_start)
    by_end = np.argsort(end_idx, kind="stable")
    done = np.r_[0.0, np.cumsum(fix[by_end])]
    return t_start + done[np.searchsorted(end_idx[by_end], start_idx, side="right")]
