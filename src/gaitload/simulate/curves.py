"""C2 piecewise-quintic curves: the segment angles and the foot's swing path are chains of
quintic Hermite segments, so angular and linear accelerations have no steps."""

from __future__ import annotations

import numpy as np
from scipy.interpolate import PchipInterpolator

__all__ = ["quintic_coeffs", "poly5", "hermite5", "quintic_curve", "knot_derivatives"]

_BLOCK = 1 << 16    # samples per block when evaluating curves


def quintic_coeffs(h, p0, v0, a0, p1, v1, a1):
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


def poly5(c, s, h):
    """Value, d/dt and d2/dt2 of the quintic with coefficients ``c`` at s (Horner form)."""
    c0, c1, c2, c3, c4, c5 = np.moveaxis(c, -1, 0)
    val = ((((c5 * s + c4) * s + c3) * s + c2) * s + c1) * s + c0
    der = (((5 * c5 * s + 4 * c4) * s + 3 * c3) * s + 2 * c2) * s + c1
    acc = ((20 * c5 * s + 12 * c4) * s + 6 * c3) * s + 2 * c2
    return val, der / h, acc / (h * h)


def hermite5(s, h, p0, v0, a0, p1, v1, a1):
    """Quintic Hermite segment on s in [0, 1] of duration h (s): value, d/dt and d2/dt2."""
    return poly5(quintic_coeffs(h, p0, v0, a0, p1, v1, a1), s, h)


def quintic_curve(kt, kv, kd, kdd, tau):
    """C2 piecewise-quintic curve through knots ``kt`` with values, rates and accelerations.

    ``kv``, ``kd``, ``kdd`` have shape (m,) or (m, k); returns value, rate and acceleration at
    ``tau`` with the same trailing shape. Held constant beyond the end knots.
    """
    hk = np.diff(kt)
    hb = hk[:, None] if kv.ndim == 2 else hk
    coef = quintic_coeffs(hb, kv[:-1], kd[:-1], kdd[:-1], kv[1:], kd[1:], kdd[1:])
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
        val, der, acc = poly5(coef[i], s, h)
        out[0][a:a + _BLOCK] = val
        out[1][a:a + _BLOCK] = np.where(inside, der, 0.0)
        out[2][a:a + _BLOCK] = np.where(inside, acc, 0.0)
    return tuple(out)


def knot_derivatives(kt, kv):
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
