"""Zero-phase Butterworth filtering in numpy: design as second-order sections, forward-backward pass.

The foot detectors low- and high-pass a handful of 1-D signals; ``scipy.signal`` would do it,
but importing it costs ~0.5 s of a command-line run. This module computes the same filters
without it.

Design (:func:`butter_sos`): the analog Butterworth prototype's poles on the unit circle are
scaled to the pre-warped cut-off (``tan(pi wn / 2)``; to its inverse for a high-pass) and mapped
to the z-plane by the bilinear transform ``z = (1 + s) / (1 - s)`` (Oppenheim & Schafer,
*Discrete-Time Signal Processing*, 3rd ed., sec. 7.2); the zeros go to ``z = -1`` (low-pass) or
``z = +1`` (high-pass). Conjugate poles are paired into biquads, ordered and given their zeros as
``scipy.signal.butter(..., output="sos")`` does, so the coefficients agree with it to rounding.

Filtering (:func:`sosfiltfilt`): the forward-backward scheme of ``scipy.signal.sosfiltfilt`` in
definition: the signal is extended at both ends by its odd reflection, each pass starts from
the steady state of the step response scaled by its first sample (the initial conditions of
Gustafsson, "Determining the initial states in forward-backward filtering", IEEE Trans. Signal
Process. 44(4), 1996, in the simple form scipy uses), and the extension is cut off at the end.

Each pass runs the cascade as one linear state-space system ``s[t+1] = A s[t] + B x[t]``,
``y[t] = C s[t] + D x[t]`` without a loop per sample: the signal is cut into blocks of ``L``
samples; inside a block the response to the input is a product with the block's lower-triangular
Toeplitz matrix of the impulse response (one matrix product for all blocks and channels), and
the states at the block starts obey the same kind of recurrence over blocks (matrix ``A^L``),
solved the same way, recursively (depth ``log_L(n)``). Every matrix is a power of the stable
``A`` (spectral radius below 1), never an inverse one, so nothing grows; the cost is linear in
``n``.
The matrices are computed once per design, in extended precision (the powers of a nearly
defective ``A``, poles close to z = 1, lose digits in proportion to the exponent).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["butter_sos", "sosfilt_zi", "sosfiltfilt", "default_padlen"]

#: block length of the sample level: the Toeplitz product costs ``L`` multiply-adds per sample
#: and is memory-bound below ~16 (measured: (737280, 6) and (360000,) float64 arrays).
_BLOCK = 16
#: block length of the recurrences over blocks: their inputs are state vectors (``m`` numbers
#: per step), so a product costs ``L m^2`` per step; short blocks keep them cheap.
_BLOCK_STATES = 8


def butter_sos(order: int, cutoff_nyq: float, btype: str = "low") -> np.ndarray:
    """Digital Butterworth low- or high-pass filter as second-order sections.

    Equal, to rounding (~1e-15), to ``scipy.signal.butter(order, cutoff_nyq, btype,
    output="sos")``: the same sections in the same order (most damped poles first), the gain in
    the first section.

    Parameters
    ----------
    order : int
        Filter order, >= 1.
    cutoff_nyq : float
        -3 dB frequency as a fraction of the Nyquist frequency, in (0, 1).
    btype : {"low", "high"}
        Filter type.

    Returns
    -------
    sos : ndarray, shape (ceil(order / 2), 6)
        Rows ``[b0, b1, b2, 1, a1, a2]``.
    """
    order = int(order)
    if order < 1:
        raise ValueError(f"filter order must be at least 1, got {order}")
    if not 0.0 < cutoff_nyq < 1.0:
        raise ValueError(f"cut-off must be between 0 and 1 (Nyquist), got {cutoff_nyq}")
    if btype not in ("low", "high"):
        raise ValueError(f"btype must be 'low' or 'high', got {btype!r}")
    # analog prototype poles on the left half of the unit circle, upper half-plane ones only
    # (k < 0 in the -exp(i pi k / 2N) spelling); the real pole s = -1 of an odd order apart
    k = np.arange(-order + 1, 0, 2)
    s = -np.exp(1j * np.pi * k / (2 * order))
    t = np.tan(np.pi * cutoff_nyq / 2.0)  # pre-warped cut-off (bilinear transform with fs = 1/2)
    if btype == "low":
        p = (1.0 + t * s) / (1.0 - t * s)
        p_real = (1.0 - t) / (1.0 + t)
        zero = -1.0
    else:
        p = (s + t) / (s - t)
        p_real = (1.0 - t) / (1.0 + t)  # s = -1: the same real pole as the low-pass
        zero = 1.0
    # biquads of the conjugate pairs, the pole farthest from the unit circle first (scipy's
    # order: it pairs the poles nearest the circle first and lists them last)
    p = p[np.argsort(np.abs(p), kind="stable")]
    n_pairs = p.size
    odd = order % 2 == 1
    # zeros: one per pole at -1 / +1, plus (odd order) one at 0 that goes with the first
    # conjugate pair, taken nearest-the-circle first, whose pole is nearer 0 than the zero
    # (scipy's nearest-zero pairing); else with the real pole
    zero_at_origin = -1
    if odd:
        for j in range(n_pairs - 1, -1, -1):  # at most 2-3 pairs
            if abs(p[j]) < abs(p[j] - zero):
                zero_at_origin = j
                break
    sections = []
    if odd:
        b_real = [1.0, -zero, 0.0] if zero_at_origin < 0 else [1.0, -2.0 * zero, 1.0]
        sections.append(b_real + [1.0, -p_real, 0.0])
    for j in range(n_pairs):
        b = [1.0, -zero, 0.0] if j == zero_at_origin else [1.0, -2.0 * zero, 1.0]
        sections.append(b + [1.0, -2.0 * p[j].real, abs(p[j]) ** 2])
    sos = np.array(sections, dtype=np.float64)
    # unit gain in the pass band (0 Hz for a low-pass, Nyquist for a high-pass), put in the
    # first section
    zsign = 1.0 if btype == "low" else -1.0
    powers = np.array([1.0, zsign, 1.0])
    gain = np.prod((sos[:, 3:] @ powers) / (sos[:, :3] @ powers))
    sos[0, :3] *= gain
    return sos


def sosfilt_zi(sos: np.ndarray) -> np.ndarray:
    """Initial states of the cascade's steady-state response to a unit step.

    The states are those of each section in transposed direct form II (the form of
    ``scipy.signal.sosfilt``); section ``i`` sees the step scaled by the DC gains of the sections
    before it. Same as ``scipy.signal.sosfilt_zi``.

    Parameters
    ----------
    sos : ndarray, shape (n_sections, 6)
        Second-order sections with ``a0 = 1``.

    Returns
    -------
    zi : ndarray, shape (n_sections, 2)
    """
    sos = _checked_sos(sos)
    b, a = sos[:, :3], sos[:, 3:]
    # s = A s + B u with A = [[-a1, 1], [-a2, 0]], B = [b1 - a1 b0, b2 - a2 b0] solved in closed
    # form: s0 = (B0 + B1) / (1 + a1 + a2), s1 = B1 - a2 s0
    B0 = b[:, 1] - a[:, 1] * b[:, 0]
    B1 = b[:, 2] - a[:, 2] * b[:, 0]
    s0 = (B0 + B1) / (1.0 + a[:, 1] + a[:, 2])
    zi = np.stack([s0, B1 - a[:, 2] * s0], axis=1)
    # the step each section sees: the product of the earlier sections' DC gains
    dc = b.sum(axis=1) / a.sum(axis=1)
    scale = np.concatenate([[1.0], np.cumprod(dc[:-1])])
    return zi * scale[:, None]


def default_padlen(sos: np.ndarray) -> int:
    """``scipy.signal.sosfiltfilt``'s default odd-extension length, samples.

    Three times the number of taps ``2 n_sections + 1``, less one tap when sections have
    ``b2 = 0`` and ``a2 = 0`` (first-order sections: an odd-order Butterworth).
    """
    sos = _checked_sos(sos)
    ntaps = 2 * sos.shape[0] + 1
    ntaps -= min(int(np.count_nonzero(sos[:, 2] == 0)), int(np.count_nonzero(sos[:, 5] == 0)))
    return 3 * ntaps


def sosfiltfilt(sos: np.ndarray, x: np.ndarray, axis: int = 0, padlen: int | None = None) -> np.ndarray:
    """Zero-phase forward-backward filter of ``x`` along ``axis`` by second-order sections.

    Same definition as ``scipy.signal.sosfiltfilt(sos, x, axis, padtype="odd", padlen)``:
    the signal is extended at both ends by ``padlen`` samples of its odd reflection
    (``2 x[0] - x[k]``), filtered forwards from the steady state of the step response scaled
    by the first sample (:func:`sosfilt_zi`), reversed and filtered again the same way, and
    the extension cut off. Agrees with scipy to 1e-15-1e-12 relative to the output's scale for
    cut-offs above ~0.003 Nyquist, ~5e-10 at 1e-4 Nyquist, where both are that far from an
    extended-precision reference (the sums run in another order). The input must be finite:
    a NaN or inf spreads through the block it is in and every later block of both passes, so
    the whole output is then NaN (as scipy's): fill gaps first (:func:`.filters.fill_nan`).

    Parameters
    ----------
    sos : ndarray, shape (n_sections, 6)
        Second-order sections ``[b0, b1, b2, 1, a1, a2]`` of a stable filter.
    x : array_like
        Signal, filtered along ``axis``.
    axis : int
        Time axis.
    padlen : int, optional
        Samples of odd extension at each end; by default :func:`default_padlen`. Must be
        smaller than the signal's length along ``axis``.

    Returns
    -------
    y : ndarray of float64, the shape of ``x``
        C-contiguous.
    """
    sos = _checked_sos(sos)
    x = np.asarray(x, dtype=np.float64)
    edge = default_padlen(sos) if padlen is None else int(padlen)
    n = x.shape[axis]
    if edge < 0:
        raise ValueError(f"padlen must be >= 0, got {edge}")
    if n <= edge:
        raise ValueError(f"the signal's length along axis {axis} ({n}) must be larger than padlen ({edge})")
    moved = np.moveaxis(x, axis, -1)
    other = moved.shape[:-1]
    rows = moved.reshape(-1, n)  # (channels, time), a view for a 1-D or 2-D signal
    if rows.shape[0] == 0:
        return np.array(x, dtype=np.float64, copy=True, order="C")
    system = _cascade(np.ascontiguousarray(sos).tobytes())
    k, n_ext = rows.shape[0], n + 2 * edge
    # one buffer holds a pass's input blocks (and its block-start states): the odd extension
    # for the forward pass, the reversed forward output for the backward pass. Few large
    # temporaries matter: fresh memory costs a page fault per 4 kB, here more than the products.
    W = system.buffer(k, n_ext)
    _put(W, edge, rows)
    if edge:
        _put(W, 0, 2.0 * rows[:, :1] - rows[:, edge:0:-1])
        _put(W, edge + n, 2.0 * rows[:, -1:] - rows[:, n - 2 : (n - edge - 2 if n - edge - 2 >= 0 else None) : -1])
    y = system.run(W)
    _put(W, 0, y[:, n_ext - 1 :: -1])  # reversed; the padding after it is still zero
    y = system.run(W, out=y)
    # back in forward time, extension cut: forward sample i is reversed sample n_ext - 1 - i
    out = y[:, n_ext - 1 - edge : (edge - 1 if edge else None) : -1]
    # the result goes into the block buffer, free now and larger than the signal
    res = W.reshape(-1)[: x.size].reshape(x.shape)
    np.copyto(np.moveaxis(res, axis, -1), out.reshape(other + (n,)))
    return res


def _checked_sos(sos) -> np.ndarray:
    sos = np.atleast_2d(np.asarray(sos, dtype=np.float64))
    if sos.ndim != 2 or sos.shape[1] != 6 or sos.shape[0] < 1:
        raise ValueError(f"sos must have shape (n_sections, 6), got {sos.shape}")
    if not np.all(sos[:, 3] == 1.0):
        raise ValueError("sos[:, 3] (a0 of every section) must be 1")
    return sos


def _put(W: np.ndarray, start: int, seq: np.ndarray) -> None:
    """Write ``seq`` (k, length) at flat sample positions ``start...`` of each row of the block
    buffer ``W`` (k, blocks, L + m), whose first ``L`` columns hold a block's samples.

    Three slice assignments (head of a block, whole blocks, tail), so ``seq`` may be any strided
    view (a transposed or reversed one): it is read once, never copied first.
    """
    length = seq.shape[1]
    if length == 0:
        return
    L = _BLOCK
    b0, j0 = divmod(start, L)
    head = min(L - j0, length) if j0 else 0
    if head:
        W[:, b0, j0 : j0 + head] = seq[:, :head]
        b0 += 1
    whole = (length - head) // L
    if whole:
        W[:, b0 : b0 + whole, :L] = seq[:, head : head + whole * L].reshape(seq.shape[0], whole, L)
    rest = length - head - whole * L
    if rest:
        W[:, b0 + whole, :rest] = seq[:, head + whole * L :]


class _Cascade:
    """A cascade of biquads as one state-space system, run over whole signals by blocks.

    States: the two transposed-direct-form-II states of each section, section after section
    (the states :func:`sosfilt_zi` gives). Level ``j`` of the recursion over blocks steps by
    ``A^(L L1^j)`` (``L1`` = ``_BLOCK_STATES``); its block matrices are built with the filter's,
    down to the level whose step matrix is zero to rounding. Read-only once built.
    """

    def __init__(self, sos: np.ndarray):
        n_sec = sos.shape[0]
        m = 2 * n_sec
        # designed in extended precision (x87 80-bit where numpy has it): the recursion over
        # blocks uses A^(L L1^j), hundreds of thousands of steps of A; with poles near z = 1
        # (a 1e-4 Nyquist cut-off) their conjugates are nearly equal, A is ill-conditioned and
        # double-precision powers drift to ~3e-7 relative (4e-10 this way; scipy's 2e-10)
        sos = sos.astype(np.longdouble)
        A = np.zeros((m, m), dtype=np.longdouble)
        B = np.zeros((m, 1), dtype=np.longdouble)
        C = np.zeros((1, m), dtype=np.longdouble)
        D = np.longdouble(1.0)
        # series connection: section i's input is the previous sections' output C s + D x
        for i in range(n_sec):  # a few sections
            b0, b1, b2, _, a1, a2 = sos[i]
            j = 2 * i
            Bi = np.array([b1 - a1 * b0, b2 - a2 * b0])
            A[j : j + 2, j : j + 2] = [[-a1, 1.0], [-a2, 0.0]]
            A[j : j + 2, :j] += np.outer(Bi, C[0, :j])
            B[j : j + 2, 0] = Bi * D
            C = b0 * C
            C[0, j] = 1.0
            D = b0 * D
        self.m = m
        self.zi = sosfilt_zi(sos.astype(np.float64)).reshape(m)
        Mt, G, ObsT, AL, L, AL_ext = _block_matrices(A, B, C, np.array([[D]]), _BLOCK)
        # a block row [samples | start state] times this gives the block's outputs
        self._top = (np.ascontiguousarray(np.vstack([Mt, ObsT])), G, AL)
        # the recursion levels, until their step matrix is zero to rounding (2-4 for the
        # cut-offs in use); level j is only reached by signals longer than 16 x 8^j samples,
        # so 20 levels are exact for any array that fits in memory
        eye, zero = np.eye(m, dtype=np.longdouble), np.zeros((m, m), dtype=np.longdouble)
        levels = []
        while not _negligible(AL) and len(levels) < 20:
            Mt_j, G_j, ObsT_j, AL, L_j, AL_ext = _block_matrices(AL_ext, eye, eye, zero, _BLOCK_STATES)
            levels.append((np.ascontiguousarray(np.vstack([Mt_j, ObsT_j])), G_j, AL, L_j))
        self._levels = tuple(levels)

    def buffer(self, k: int, n: int) -> np.ndarray:
        """Block buffer for ``k`` signals of ``n`` samples: (k, blocks, L + m), padding zeroed."""
        nb = -(-n // _BLOCK)
        W = np.empty((k, nb, _BLOCK + self.m))
        tail = n - (nb - 1) * _BLOCK
        W[:, -1, tail:_BLOCK] = 0.0  # zeros after the signal feed nothing back into it
        return W

    def run(self, W: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """One pass over the signals in the block buffer ``W``, from ``zi`` x each first sample.

        Returns the outputs, shape (k, blocks x L) (the samples after the signal are garbage).
        """
        k, nb, width = W.shape
        L, m = _BLOCK, self.m
        MO, G, AL = self._top
        rows = W.reshape(k * nb, width)
        s0 = W[:, 0, :1] * self.zi[None, :]
        # block-end states from zero state (a strided view: BLAS reads it in place)
        e = (rows[:, :L] @ G).reshape(k, nb, m)
        W[:, :, L:] = self._start_states(e, s0, AL, 0)
        if out is not None:
            return np.matmul(rows, MO, out=out.reshape(k * nb, L)).reshape(k, nb * L)
        return (rows @ MO).reshape(k, nb * L)

    def _start_states(self, e: np.ndarray, s0: np.ndarray, AL: np.ndarray, level: int) -> np.ndarray:
        """States at the block starts, (k, nb, m), from the block-end states from zero ``e``."""
        if level >= len(self._levels):
            # A^L below rounding (see :func:`_negligible`): each block starts in the previous
            # block's end state from zero (the recursion would multiply by zeros, or by
            # subnormal numbers, which the processor handles ~100x slower)
            c = np.empty_like(e)
            c[:, 0] = s0
            c[:, 1:] = e[:, :-1]
            return c
        return self._run(e, s0, level)

    def _run(self, u: np.ndarray, s0: np.ndarray, level: int) -> np.ndarray:
        """States before each input of ``s' = A^(L L1^level) s + u``, for ``u`` (k, T, m).

        The blocks as in :meth:`run`: each row holds a block's inputs and then its start state,
        so one product gives the block's states (no separate free response to add).
        """
        MO, G, AL, L = self._levels[level][:4]
        k, T, m = u.shape
        nb, rest = divmod(T, L)
        width = L * m
        U = np.empty((k, nb + (rest > 0), width + m))
        U[:, :nb, :width] = u[:, : nb * L].reshape(k, nb, width)
        if rest:
            U[:, nb, : rest * m] = u[:, nb * L :].reshape(k, rest * m)
            U[:, nb, rest * m : width] = 0.0
            nb += 1
        rows = U.reshape(k * nb, width + m)
        if nb == 1:
            U[:, 0, width:] = s0
        else:
            U[:, :, width:] = self._start_states((rows[:, :width] @ G).reshape(k, nb, m), s0, AL, level + 1)
        return (rows @ MO).reshape(k, nb * L, m)[:, :T]


def _negligible(a: np.ndarray) -> bool:
    """Whether a step matrix is zero to rounding: entries below 1e-20 (the identity's are 1)."""
    return float(np.abs(a).max()) < 1e-20


@lru_cache(maxsize=32)
def _cascade(sos_bytes: bytes) -> _Cascade:
    """The block matrices of a filter, built once per coefficient set (~0.5 ms; a detector
    filters with a few fixed designs). Read-only once built."""
    return _Cascade(np.frombuffer(sos_bytes, dtype=np.float64).reshape(-1, 6))


def _block_matrices(A: np.ndarray, B: np.ndarray, C: np.ndarray, D: np.ndarray, L: int):
    """Matrices that run ``s' = A s + B u, y = C s + D u`` over blocks of ``L`` steps.

    With a block's inputs as a row ``(u_0, ..., u_{L-1})`` (p values each) and its state ``c``
    at the block start: outputs ``row @ Mt + c @ ObsT``, end state ``row @ G + c @ A^L``.
    Computed in the precision of ``A``; returns ``(Mt, G, ObsT, A^L, L)`` in float64 and
    ``A^L`` in that precision.
    """
    m, p = B.shape
    q = C.shape[0]
    powers = np.empty((L + 1, m, m), dtype=A.dtype)
    powers[0] = np.eye(m)
    for i in range(1, L + 1):  # L matrix products of m x m: design time only
        powers[i] = A @ powers[i - 1]
    # impulse response H[d] (q, p): D, then C A^(d-1) B
    H = np.empty((L, q, p), dtype=A.dtype)
    H[0] = D
    H[1:] = C @ powers[: L - 1] @ B
    lag = np.arange(L)[None, :] - np.arange(L)[:, None]  # [i, j] = j - i
    T4 = np.where((lag >= 0)[:, :, None, None], H[np.clip(lag, 0, None)], 0.0)  # (i, j, q, p)
    Mt = np.ascontiguousarray(T4.transpose(0, 3, 1, 2).reshape(L * p, L * q))
    # the input at step i reaches the block end through A^(L-1-i) B
    Gi = powers[L - 1 :: -1][:L] @ B  # (L, m, p), row i = A^(L-1-i) B
    G = np.ascontiguousarray(Gi.transpose(0, 2, 1).reshape(L * p, m))
    # output at step j from the start state: C A^j
    Oj = C @ powers[:L]  # (L, q, m)
    ObsT = np.ascontiguousarray(Oj.transpose(2, 0, 1).reshape(m, L * q))
    # entries below 1e-200 (far below rounding next to the O(1) ones, which the identity and
    # the leading impulse response hold) are zero: subnormal operands make products ~100x slower
    Mt, G, ObsT, AL = [np.ascontiguousarray(np.where(np.abs(a) < 1e-200, 0.0, a), dtype=np.float64)
                       for a in (Mt, G, ObsT, powers[L])]
    return Mt, G, ObsT, AL, L, powers[L]
