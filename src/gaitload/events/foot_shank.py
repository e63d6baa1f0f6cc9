"""Foot / shank detector: the toe-off of a running shank from its axial acceleration.

See :func:`shank_toe_off`; called by :func:`gaitload.events.foot_stages.contact_toe_off`.
"""

from __future__ import annotations

import numpy as np

from . import filters as sig
from . import peaks as pk

__all__ = ["shank_toe_off", "SHANK_TO_FROM", "SHANK_TO_DIP_S", "SHANK_TO_DIP_MPS2"]

#: Shank toe-off search: from this fraction of the way from IC to the start of the forward-swing
#: lobe (judgement: 0.3-0.45 give the same contacts on the simulated runs; 0.6 cuts off the
#: toe-off at 5 m/s, where it lies at ~58 % of that interval; the stance's own axial minima lie
#: in the first ~30 %, after the impact).
SHANK_TO_FROM = 0.4
#: A toe-off dip must be the lowest value within +-40 ms and rise by at least 3 m/s^2 (0.3 g) on
#: both sides within those 40 ms (judgement: the simulated dips rise by 30-80 m/s^2; the axial
#: dip after push-off in the adeptdata outdoor-run ankle recording, 100 Hz, rises by a median
#: 13 m/s^2 on either side and by more than 3 m/s^2 in 87 % of 1000 strides, axis taken as the
#: mean acceleration direction; no reference events there, so this checks the dip, not its timing).
SHANK_TO_DIP_S = 0.04
SHANK_TO_DIP_MPS2 = 3.0
#: Contacts used to estimate the shank's long axis (one axis per recording).
_SHANK_AXIS_CONTACTS = 256
#: Contacts per block of the index matrices (bounds memory on long recordings).
_SHANK_BLOCK = 2048


def shank_toe_off(acc: np.ndarray, pitch: np.ndarray, axis: np.ndarray, ic_idx: np.ndarray,
                   peaks: np.ndarray, T: float, fs: float, lowpass_hz: float) -> np.ndarray:
    """Toe-off after each shank contact: the dip of the axial (along-the-tibia) acceleration.

    During push-off the foot rolls about the metatarsal heads ever faster (its pitch rate is
    fastest at toe-off, Falbriard et al. 2018), so the ankle, the shank's lower end, has a
    centripetal acceleration towards the forefoot, down the shank, that is largest at toe-off;
    once the toe leaves the ground the knee flexion lifts the shank. The specific force along
    the tibia therefore dips at toe-off, after the propulsive peak. Axial tibial acceleration
    locates toe-off within a few ms of force-plate toe-off in running (Sinclair et al. 2013,
    J Appl Biomech 29:118-122: -3.6 ms mean, 5.0 ms absolute error).

    Search window: from ``SHANK_TO_FROM`` of the way from IC to the start of the next
    forward-swing lobe (the last sample with sagittal rate <= 0 before the next swing peak; the
    shank is most inclined in early swing, after toe-off) to that start. Toe-off is the first
    dip in it (lowest within +-``SHANK_TO_DIP_S``, rising by ``SHANK_TO_DIP_MPS2`` on both
    sides), else the window's minimum: in a real shank the axial specific force also falls
    later in early swing, as the shank tilts towards horizontal (gravity leaves its axis).

    The long axis is the mean specific force from IC to the start of forward swing over up to
    ``_SHANK_AXIS_CONTACTS`` contacts (gravity and the ground's push dominate; the tibia is
    within ~20 deg of vertical on average) with its sagittal component removed; up to 30 deg
    of error in it moved the simulated toe-offs by 1-2 ms. ``pitch`` is the sign-resolved
    sagittal rate (+ = forward swing), ``axis`` its axis in the sensor frame, ``T`` the stride
    period (samples). Vectorised over blocks of contacts. Returns -1 where nothing is found.
    """
    n = acc.shape[0]
    m = ic_idx.size
    out = np.full(m, -1, dtype=np.int64)
    nxt_pk = np.concatenate([peaks[1:], [n]])
    width = max(int(round(T)), 2)
    swing_on = np.full(m, -1, dtype=np.int64)
    for a in range(0, m, _SHANK_BLOCK):  # blocks of contacts, not one contact at a time
        b = slice(a, a + _SHANK_BLOCK)
        idx, valid, _ = sig.window_matrix(ic_idx[b], nxt_pk[b], n, width)
        nonpos = valid & (pitch[idx] <= 0.0)
        last = idx.shape[1] - 1 - np.argmax(nonpos[:, ::-1], axis=1)
        swing_on[b] = np.where(nonpos.any(axis=1), idx[np.arange(idx.shape[0]), last], -1)
    ok = swing_on > ic_idx
    if not ok.any():
        return out
    cand = np.flatnonzero(ok)
    pick = cand[np.unique(np.linspace(0, cand.size - 1, min(cand.size, _SHANK_AXIS_CONTACTS)).astype(np.int64))]
    w_idx, w_valid, _ = sig.window_matrix(ic_idx[pick], swing_on[pick], n, width)
    up = np.einsum("ij,ijk->k", w_valid.astype(np.float64), np.take(acc, w_idx, axis=0))
    up -= (up @ axis) * axis
    norm_up = float(np.linalg.norm(up))
    if not np.isfinite(norm_up) or norm_up <= 0.0:
        return out
    axial = sig.lowpass(acc @ (up / norm_up), lowpass_hz, fs)
    lo = ic_idx + np.round(SHANK_TO_FROM * (swing_on - ic_idx)).astype(np.int64)
    r = max(int(round(SHANK_TO_DIP_S * fs)), 1)
    for a in range(0, m, _SHANK_BLOCK):
        b = slice(a, a + _SHANK_BLOCK)
        rows = np.flatnonzero(ok[b])
        if rows.size == 0:
            continue
        lo_b, hi_b = lo[b][rows], swing_on[b][rows] + 1
        # the window padded by r samples on each side (for the dip's two flanks)
        idx, valid, _ = sig.window_matrix(lo_b - r, hi_b + r, n, width + 2 * r)
        x = axial[idx]
        x_hi = np.where(valid, x, -np.inf)
        x_lo = np.where(valid, x, np.inf)
        # largest value over [j, j + r), then the flanks [j - r, j) and (j, j + r]
        fwd = pk.running_max(x_hi, r, axis=1, origin=-(r // 2))
        left = np.full_like(fwd, -np.inf)
        left[:, r:] = fwd[:, :-r]
        right = np.full_like(fwd, -np.inf)
        right[:, :-1] = fwd[:, 1:]
        lowest = pk.running_min(x_lo, 2 * r + 1, axis=1)
        core = valid & (idx >= lo_b[:, None]) & (idx < hi_b[:, None])
        dip = core & (x <= lowest) & (left - x >= SHANK_TO_DIP_MPS2) & (right - x >= SHANK_TO_DIP_MPS2)
        k = np.where(dip.any(axis=1), np.argmax(dip, axis=1), np.argmin(np.where(core, x, np.inf), axis=1))
        to = idx[np.arange(idx.shape[0]), k]
        good = core.any(axis=1) & (to > ic_idx[b][rows])
        out[a + rows[good]] = to[good]
    return out
