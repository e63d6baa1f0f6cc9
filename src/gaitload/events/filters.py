"""Signal helpers shared by the event detectors (foot, shank, lumbar, wrist): filters, norms, windows.

Everything here is vectorised over whole arrays: zero-phase filters, the sagittal axis of a
gyroscope, the dominant gait period from the autocorrelation, and arg-min / arg-max inside many
windows at once (an index matrix with a mask, so the cost is ``n_windows x max_width``, never a
Python loop per sample or per window).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..quantiles import median, percentile  # noqa: F401  (re-exported: exact, fast)
from . import peaks
from .iir import butter_sos, sosfiltfilt

__all__ = [
    "lowpass",
    "window_matrix",
    "highpass",
    "butterworth",
    "gather_rows",
    "norm3",
    "moving_average",
    "box_sums",
    "fill_nan",
    "row_norms",
    "principal_axis",
    "dominant_period",
    "window_argmin",
    "window_argmax",
    "first_crossing_below",
    "window_max_jerk",
    "forward_max",
    "saturated_fraction",
    "percentile",
    "median",
]


def _scipy_signal():
    """``scipy.signal``, imported on first use.

    Importing it costs ~0.5 s (scipy 1.17 rewrites the docstrings of ~800 functions at import),
    a fifth of a command-line run, so the low- and high-pass filters are numpy's own
    (:mod:`.iir`) and only :func:`butterworth`'s band-pass (the trunk and wrist detectors) uses
    it. After the first call this is a dictionary lookup.
    """
    from scipy import signal

    return signal


def lowpass(x: np.ndarray, cutoff_hz: float, sampling_rate_hz: float, order: int = 2) -> np.ndarray:
    """Zero-phase Butterworth low-pass along axis 0.

    Parameters
    ----------
    x : ndarray, shape (n,) or (n, k)
        Signal.
    cutoff_hz : float
        -3 dB frequency in Hz; when at or above 0.45 x ``sampling_rate_hz`` the signal is returned
        unchanged (nothing to remove below Nyquist).
    sampling_rate_hz : float
        Sampling rate in Hz.
    order : int
        Filter order (applied forwards and backwards, so the effective order doubles).
    """
    x = np.asarray(x, dtype=np.float64)
    nyq = 0.5 * sampling_rate_hz
    if cutoff_hz >= 0.9 * nyq or x.shape[0] < 3 * (2 * order + 1):
        return x.copy()
    return sosfiltfilt(_butter_sos(order, cutoff_hz / nyq, "low"), x, axis=0)


def highpass(x: np.ndarray, cutoff_hz: float, sampling_rate_hz: float, order: int = 2) -> np.ndarray:
    """Zero-phase Butterworth high-pass along axis 0 (see :func:`lowpass`)."""
    x = np.asarray(x, dtype=np.float64)
    if x.shape[0] < 3 * (2 * order + 1):
        return x - x.mean(axis=0)
    return sosfiltfilt(_butter_sos(order, cutoff_hz / (0.5 * sampling_rate_hz), "high"), x, axis=0)


def butterworth(x: np.ndarray, sampling_rate_hz: float, cutoff_hz: float | tuple[float, float],
                btype: str = "low", order: int = 4) -> np.ndarray:
    """Zero-phase Butterworth filter along axis 0 (second-order sections, forward-backward).

    The trunk and wrist detectors' filter: unlike :func:`lowpass` it also band-passes, clips
    the normalised cut-off into (1e-4, 0.99) instead of returning the signal unfiltered near
    Nyquist, and pads by at most the signal's length.

    Parameters
    ----------
    x : ndarray, shape (n,) or (n, k)
        Signal.
    sampling_rate_hz : float
        Sampling rate, Hz.
    cutoff_hz : float or (float, float)
        Cut-off frequency, Hz (a pair for ``btype="bandpass"``).
    btype : {"low", "high", "bandpass"}
        Filter type.
    order : int
        Filter order (doubled by the forward-backward pass).
    """
    nyq = 0.5 * sampling_rate_hz
    wn = np.atleast_1d(np.asarray(cutoff_hz, dtype=float)) / nyq
    wn = np.clip(wn, 1e-4, 0.99)
    if wn.size == 1 and btype in ("low", "high"):
        sos, filtfilt = _butter_sos(order, float(wn[0]), btype), sosfiltfilt
    else:  # band-pass: only the trunk and wrist detectors, which import scipy.signal anyway
        sos = _scipy_signal().butter(order, wn if wn.size > 1 else wn[0], btype=btype, output="sos")
        filtfilt = _scipy_signal().sosfiltfilt
    padlen = min(x.shape[0] - 1, 3 * (2 * len(sos) + 1) * 3)
    return filtfilt(sos, x, axis=0, padlen=padlen)


def gather_rows(x: np.ndarray, start: np.ndarray, width: int) -> np.ndarray:
    """Rows ``x[start_i : start_i + width]`` (indices clipped to the signal), shape (k, width).

    Rows inside the signal are rows of its sliding-window view (no (k, width) index matrix to
    build and clip); only rows that run over an end take clipped indices. Kept for speed: 0.4 ms
    against the clipped index matrix's 3.8 ms for 6,000 rows of 60 samples.
    """
    from numpy.lib.stride_tricks import sliding_window_view

    n = x.size
    start = np.asarray(start)
    if not 0 < width <= n:
        return x[np.clip(start[:, None] + np.arange(width)[None, :], 0, n - 1)]
    windows = sliding_window_view(x, width)
    inside = (start >= 0) & (start <= n - width)
    if inside.all():
        return windows[start]
    out = np.empty((start.size, width), dtype=x.dtype)
    out[inside] = windows[start[inside]]
    edge = start[~inside]
    out[~inside] = x[np.clip(edge[:, None] + np.arange(width)[None, :], 0, n - 1)]
    return out


def norm3(v: np.ndarray) -> np.ndarray:
    """Row norms of an ``(n, 3)`` array: ``np.linalg.norm(v, axis=1)`` bit for bit, ~4x faster.

    The same three squares added in the same order, as whole-column operations instead of
    a reduction over rows of three (which numpy runs element by element). (:func:`row_norms`
    is the einsum order instead.)
    """
    x, y, z = v[:, 0], v[:, 1], v[:, 2]
    return np.sqrt(x * x + y * y + z * z)


def _butter_sos(order: int, cutoff_nyq: float, btype: str) -> np.ndarray:
    """:func:`.iir.butter_sos` (``signal.butter(order, cutoff_nyq, btype, output="sos")`` to
    rounding), designed once per argument set (several calls per detector on a few fixed
    cut-offs). Each caller gets its own copy: a shared cached array must not be altered.
    """
    return _butter_sos_cached(order, cutoff_nyq, btype).copy()


@lru_cache(maxsize=64)
def _butter_sos_cached(order: int, cutoff_nyq: float, btype: str) -> np.ndarray:
    return butter_sos(order, cutoff_nyq, btype)


def box_sums(x: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Sums of ``x`` over the window ``np.convolve(x, ones(width), "same")`` covers, and its counts.

    The window of sample ``i`` is ``[i - width // 2, i - width // 2 + width)`` clipped to the
    array (the alignment of a ``"same"`` convolution, odd or even ``width``). Cumulative sums
    make the cost O(n) instead of the convolution's O(n x width) (a 4 s window at 100 Hz is
    400 multiply-adds per sample); the sums agree with the convolution's to rounding. Kept for
    speed: 18 ms against np.convolve's 65 ms for a 4 s window over an hour of 3-axis 100 Hz data.

    Parameters
    ----------
    x : ndarray, shape (n,) or (n, k)
        Signal, windows along axis 0.
    width : int
        Window, samples (1 <= width <= n).

    Returns
    -------
    sums : ndarray, same shape as ``x``
    counts : ndarray, shape (n,)
        Samples inside each clipped window.
    """
    n = x.shape[0]
    if x.ndim > 1 and x.size:
        # column by column on contiguous copies: a cumulative sum down the columns of an (n, k)
        # array strides through memory and is ~3x slower (the same sums, in the same order)
        cols = x.reshape(n, -1)
        sums = np.empty(cols.shape)
        for j in range(cols.shape[1]):  # a handful of axes
            sums[:, j], counts = box_sums(np.ascontiguousarray(cols[:, j]), width)
        return sums.reshape(x.shape), counts
    c = np.zeros((n + 1,) + x.shape[1:])
    np.cumsum(x, axis=0, out=c[1:])
    h = width // 2
    sums = np.empty(x.shape)
    counts = np.full(n, float(width))
    # windows inside the array ([h, n - width + h]) by two shifted slices (no index gathers),
    # the clipped ones at the two ends by index
    a, b = h, max(n - width + h + 1, h)
    np.subtract(c[a - h + width : b - h + width], c[a - h : b - h], out=sums[a:b])
    ends = np.r_[0:min(a, n), b:n]
    lo = np.clip(ends - h, 0, n)
    hi = np.clip(ends - h + width, 0, n)
    sums[ends] = c[hi] - c[lo]
    counts[ends] = hi - lo
    return sums, counts


def moving_average(x: np.ndarray, width: int) -> np.ndarray:
    """Centred moving average of a 1-D array with a window of ``width`` samples (cumulative sums)."""
    x = np.asarray(x, dtype=np.float64)
    width = max(int(width), 1)
    if width == 1 or x.size < width:
        return x.copy()
    sums, counts = box_sums(x, width)  # the same differences of one cumulative sum
    sums /= counts  # in place: box_sums' own array
    return sums


def fill_nan(x: np.ndarray) -> tuple[np.ndarray, int]:
    """Linear interpolation over NaN / inf samples of each column.

    Returns
    -------
    filled : ndarray
        Same shape as ``x``.
    n_missing : int
        How many values were not finite.
    """
    x = np.array(x, dtype=np.float64, copy=True)
    bad = ~np.isfinite(x)
    n_bad = int(bad.sum())
    if n_bad == 0:
        return x, 0
    cols = x.reshape(x.shape[0], -1)
    badc = bad.reshape(x.shape[0], -1)
    idx = np.arange(x.shape[0])
    for j in range(cols.shape[1]):  # a handful of axes
        good = ~badc[:, j]
        if good.any():
            cols[badc[:, j], j] = np.interp(idx[badc[:, j]], idx[good], cols[good, j])
        else:
            cols[:, j] = 0.0
    return cols.reshape(x.shape), n_bad


def row_norms(v: np.ndarray, columns: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Euclidean norm of each row of an ``(n, 3)`` array (rad/s for a gyroscope in rad/s).

    Bit for bit ``np.sqrt(np.einsum("ij,ij->i", v, v))``, which earlier results were computed
    with, from whole-column operations (~3x faster than the 3-term contraction per row). The
    squares are added in einsum's order: ``(x^2 + z^2) + y^2`` for a C-contiguous array,
    ``(x^2 + y^2) + z^2`` otherwise (tests/events/test_detect_fast.py checks both against einsum).
    ``columns``, the three columns of ``v`` (the same values) as contiguous 1-D arrays, are read
    instead of ``v``'s strided column views when the caller has them (~1.5x faster); ``v``
    may then be None (the squares are added in a C-contiguous array's order).
    """
    if v is None:  # only the columns (of an array that would have been stacked C-contiguous)
        x, y, z = columns
        second, third = z, y
    else:
        v = np.asarray(v, dtype=np.float64)
        x, y, z = (v[:, 0], v[:, 1], v[:, 2]) if columns is None else columns
        second, third = (z, y) if v.flags.c_contiguous else (y, z)
    out = x * x
    sq = second * second
    out += sq
    np.multiply(third, third, out=sq)
    out += sq
    return np.sqrt(out, out=out)


def principal_axis(vectors: np.ndarray, mask: np.ndarray | None = None,
                   columns: tuple[np.ndarray, ...] | None = None) -> tuple[np.ndarray, float]:
    """Principal direction of 3-D samples (first eigenvector of the second-moment matrix).

    Used to find the sagittal (mediolateral) rotation axis of a foot or shank gyroscope for any
    mounting orientation: during gait these segments rotate mostly about the mediolateral axis,
    so the first principal component of the angular rate is that axis (the approach of
    e.g. Falbriard et al. 2018, who align the foot frame functionally).

    Parameters
    ----------
    vectors : ndarray, shape (n, 3)
    mask : ndarray of bool, shape (n,), optional
        Samples to use (e.g. only while moving).
    columns : tuple of ndarray, shape (n,), optional
        The columns of ``vectors`` (the same values) as contiguous 1-D arrays, read instead of
        its strided column views when the caller has them.

    Returns
    -------
    axis : ndarray, shape (3,)
        Unit vector; its sign is arbitrary and must be resolved by the caller.
    explained : float
        Fraction of the total second moment along ``axis`` (0-1).
    """
    cols = tuple(vectors[:, k] for k in range(vectors.shape[1])) if columns is None else columns
    if mask is not None:
        # np.compress selects faster than boolean indexing (the same values)
        cols = tuple(np.compress(mask, c) for c in cols)
    n = cols[0].size
    if n < 3:
        return np.array([0.0, 1.0, 0.0]), 0.0
    # the second moments column by column, each a plain (pairwise) sum of products: the same
    # numbers on every machine, without BLAS (its matrix product of an (n, 3) array is slower,
    # and its threads spin on a busy machine)
    d = len(cols)
    m = np.empty((d, d))
    for i in range(d):  # three axes
        for j in range(i, d):
            m[i, j] = m[j, i] = np.add.reduce(cols[i] * cols[j]) / n
    w, e = np.linalg.eigh(m)
    total = float(w.sum())
    return e[:, -1], (float(w[-1]) / total if total > 0 else 0.0)


def dominant_period(
    x: np.ndarray,
    sampling_rate_hz: float,
    min_period_s: float,
    max_period_s: float,
    max_rate_hz: float = 50.0,
) -> tuple[float, float]:
    """Dominant period of a quasi-periodic signal from its autocorrelation.

    The autocorrelation is computed with an FFT on a copy decimated to about ``max_rate_hz``
    (gait periods are long, so this keeps the cost well below the filters'). The strongest
    autocorrelation peak in ``[min_period_s, max_period_s]`` wins, but a shorter-lag peak within
    85 % of it is preferred so that twice the period is not returned.

    Returns
    -------
    period_s : float
        NaN when no peak exists in the range.
    strength : float
        Normalised autocorrelation at that lag (1 = perfectly periodic, about 0 for noise).
    """
    x = np.asarray(x, dtype=np.float64)
    step = decimation_step(sampling_rate_hz, max_rate_hz)
    y = x[::step] - np.mean(x)
    rate = sampling_rate_hz / step
    n = y.size
    if n < 4 or not np.any(y):
        return float("nan"), 0.0
    # only lags up to just past max_period_s are read: zero-padding to n + that many samples
    # keeps them free of circular wrap-around, and a 5-smooth FFT length (not the next power
    # of two above 2 n) makes the transform several times cheaper
    n_lag = min(whole_ceil(max_period_s * rate) + 3, n)
    nfft = peaks.next_fast_len(n + n_lag)
    spec = np.fft.rfft(y, nfft)
    ac = np.fft.irfft(spec.real**2 + spec.imag**2, nfft)[:n_lag]
    if ac[0] <= 0:
        return float("nan"), 0.0
    # unbiased-ish normalisation so long lags are not penalised by the shrinking overlap
    ac = ac / ac[0] * n / np.maximum(n - np.arange(n_lag), 1)
    lo = max(whole_floor(min_period_s * rate), 1)
    hi = min(whole_ceil(max_period_s * rate) + 1, n // 2)
    if hi <= lo + 2:
        return float("nan"), 0.0
    seg = ac[lo:hi]
    tops = peaks.find_peaks(seg)
    if tops.size == 0:
        return float("nan"), 0.0
    best = tops[np.argmax(seg[tops])]
    good = tops[seg[tops] >= 0.85 * seg[best]]
    chosen = good[0]
    # parabolic interpolation for a sub-sample lag
    k = lo + chosen
    if 0 < k < n - 1:
        a, b, c = ac[k - 1], ac[k], ac[k + 1]
        den = a - 2 * b + c
        off = 0.5 * (a - c) / den if den != 0 else 0.0
    else:
        off = 0.0
    return float((k + off) / rate), float(min(ac[k], 1.0))


def window_matrix(starts: np.ndarray, stops: np.ndarray, n: int, max_width: int | None):
    """Index matrix of the windows ``[starts[k], stops[k])`` clipped to ``[0, n)``.

    Returns ``(idx, valid, widths)``: ``idx`` of shape ``(windows, width)`` with every row padded
    to the widest window (``max_width`` caps it), ``valid`` marking the real samples of each row,
    and each window's width in samples.
    """
    starts = np.clip(np.asarray(starts, dtype=np.int64), 0, n)
    stops = np.clip(np.asarray(stops, dtype=np.int64), 0, n)
    widths = np.maximum(stops - starts, 0)
    if max_width is not None:
        widths = np.minimum(widths, max_width)
    w = int(widths.max()) if widths.size else 0
    w = max(w, 1)
    offs = np.arange(w)
    idx = starts[:, None] + offs[None, :]
    valid = offs[None, :] < widths[:, None]
    idx *= valid  # 0 outside the window, in place (each temporary matrix costs fresh pages)
    return idx, valid, widths


def window_argmin(x: np.ndarray, starts: np.ndarray, stops: np.ndarray, max_width: int | None = None) -> np.ndarray:
    """Index of the minimum of ``x`` in each window ``[starts[i], stops[i])``.

    Windows are clipped to the array and to ``max_width`` samples; an empty window gives -1.
    Vectorised with an index matrix (cost = number of windows x widest window).
    """
    x = np.asarray(x, dtype=np.float64)
    if len(starts) == 0:
        return np.empty(0, dtype=np.int64)
    idx, valid, widths = window_matrix(starts, stops, x.size, max_width)
    vals = np.take(x, idx)
    np.copyto(vals, np.inf, where=~valid)
    k = np.argmin(vals, axis=1)
    out = idx[np.arange(idx.shape[0]), k]
    return np.where(widths > 0, out, -1)


def window_argmax(x: np.ndarray, starts: np.ndarray, stops: np.ndarray, max_width: int | None = None) -> np.ndarray:
    """Index of the maximum of ``x`` in each window (see :func:`window_argmin`)."""
    return window_argmin(-np.asarray(x, dtype=np.float64), starts, stops, max_width)


def first_crossing_below(
    x: np.ndarray, starts: np.ndarray, stops: np.ndarray, level: float | np.ndarray = 0.0, max_width: int | None = None
) -> np.ndarray:
    """First index in each window where ``x`` is below ``level``; -1 when it never is.

    Windows as in :func:`window_argmin`. With one ``level`` for all windows the answer comes
    from one pass over ``x``: each window's first sample if it is below, else the first onset
    of a run of below-level samples after it (found by bisection), if inside the window. A
    ``level`` per window takes the index matrix.
    """
    x = np.asarray(x, dtype=np.float64)
    if len(starts) == 0:
        return np.empty(0, dtype=np.int64)
    if np.ndim(level) == 0 and x.ndim == 1 and x.size:
        return _first_below_one_level(x, starts, stops, float(level), max_width)
    idx, valid, _ = window_matrix(starts, stops, x.size, max_width)
    lev = np.asarray(level, dtype=np.float64)
    lev = lev[:, None] if lev.ndim == 1 else lev
    below = np.take(x, idx) < lev
    below &= valid
    has = below.any(axis=1)
    k = np.argmax(below, axis=1)
    return np.where(has, idx[np.arange(idx.shape[0]), k], -1)


def _first_below_one_level(x: np.ndarray, starts, stops, level: float, max_width: int | None) -> np.ndarray:
    """:func:`first_crossing_below` with one ``level``: the same comparisons, one pass over ``x``.

    Kept for speed: 1.2 ms against the index matrix's 4 ms for 10,000 windows of 60 samples
    (and no windows x width matrix in memory)."""
    n = x.size
    starts = np.clip(np.asarray(starts, dtype=np.int64), 0, n)
    stops = np.clip(np.asarray(stops, dtype=np.int64), 0, n)
    widths = np.maximum(stops - starts, 0)
    if max_width is not None:
        widths = np.minimum(widths, max_width)
    below = x < level
    # where a run of below-level samples begins (the samples after an above-level one)
    onsets = np.flatnonzero(below[1:] > below[:-1]) + 1
    after = np.append(onsets, n)[np.searchsorted(onsets, starts)]  # n: no onset at or after start
    first = np.where(below[np.minimum(starts, n - 1)], starts, after)
    return np.where(first < starts + widths, first, -1)  # an empty window (width 0) gives -1


def forward_max(x: np.ndarray, width: int) -> np.ndarray:
    """Largest value of ``x`` over the next ``width`` samples ``[i, i + width)``, cut at the last sample.

    :func:`~gaitload.events.peaks.running_max` with its window shifted to start at the sample
    itself (``scipy.ndimage.maximum_filter1d(x, width, mode="nearest", origin=-(width // 2))``).
    """
    x = np.asarray(x)
    width = max(int(width), 1)
    if width == 1 or x.size == 0:
        return x.copy()
    return peaks.running_max(x, width, origin=-(width // 2))


def window_max_jerk(
    acc: np.ndarray, starts: np.ndarray, stops: np.ndarray, span: int = 1, onset_fraction: float = 1.0,
    energy_width: int = 1, onset_order: int = 1, onset_back: int = 0,
) -> np.ndarray:
    """Sample of the largest acceleration change inside each window ``[starts[i], stops[i])``.

    The change at sample ``j`` is ``|a[j] - a[j - span]|`` (vector norm), so an impact (a step or
    the first swing of a ring) is placed on the first sample after it; ``span > 1`` averages sensor
    noise at high sampling rates. Only the windows are touched (index matrix), never the whole
    recording. Returns -1 for an empty window.

    Parameters
    ----------
    acc : ndarray, shape (n, 3)
        Acceleration, any unit.
    starts, stops : ndarray of int
        Window bounds (samples); clipped to ``[span, n)``.
    span : int
        Difference lag, samples.
    onset_fraction : float
        With a value below 1, the first sample whose change reaches this fraction of the window's
        largest change (the onset of an impact) instead of the largest change itself.
    energy_width : int
        With a value above 1, the burst that starts the largest sum of squared changes over the
        next ``energy_width`` samples; with ``onset_fraction`` below 1 as well, the onset is then
        searched inside that burst only (its first sample reaching ``onset_fraction`` of the
        burst's largest change).
    onset_order : {1, 2}
        Change used for the onset: 1 = ``a[j] - a[j - span]``; 2 = the second difference
        ``a[j] - 2 a[j - span] + a[j - 2 span]`` (a steady swing deceleration before a contact,
        which has a large first difference at 100 Hz, has almost none; the jump in jerk at the
        contact stands out). Used only with ``energy_width > 1`` and ``onset_fraction < 1``.
    onset_back : int
        The onset search also covers this many samples before the burst found by the energy
        sum (still inside the window).
    """
    a = np.asarray(acc)
    n = a.shape[0]
    if len(starts) == 0:
        return np.empty(0, dtype=np.int64)
    span = max(int(span), 1)
    starts = np.maximum(np.asarray(starts, dtype=np.int64), span)
    idx, valid, widths = window_matrix(starts, stops, n, None)
    # one gather of [start - span, stop) per window (np.take gathers rows faster than fancy
    # indexing); the changes are differences of it. Entries past a window's end are garbage
    # and masked below (the second differences of a valid sample use valid samples only).
    lead = idx[:, :1] - span + np.arange(span)
    rows = np.take(a, np.concatenate([lead, idx], axis=1), axis=0)
    d = rows[:, span:] - rows[:, :-span]
    j2 = np.einsum("ijk,ijk->ij", d, d)
    j2[~valid] = 0.0
    if energy_width > 1:
        # energy of the changes over the next energy_width samples: a ring sampled near
        # Nyquist spreads over a few samples, its burst starts at the contact
        c = np.concatenate([np.zeros((j2.shape[0], 1)), np.cumsum(j2, axis=1)], axis=1)
        hi = np.minimum(np.arange(j2.shape[1]) + energy_width, j2.shape[1])
        e2 = c[:, hi] - c[:, :-1]
        e2[~valid] = -1.0
        k = np.argmax(e2, axis=1)
        if onset_fraction < 1.0:
            # the burst's onset: the first sample of the burst whose change reaches
            # onset_fraction of the burst's largest one. The energy sum alone drifts early by
            # up to energy_width when the changes before the burst (the decelerating swing)
            # outweigh the tail of the burst.
            offs = np.arange(j2.shape[1])[None, :]
            inb = valid & (offs >= k[:, None] - onset_back) & (offs < k[:, None] + energy_width)
            if onset_order == 2:
                # change of the change (second difference): a steady deceleration before the
                # contact (constant jerk) gives none, the jump in jerk at contact gives a step
                # (from the first differences already gathered: the first ``span`` columns of
                # a window have no earlier change in the row and count as none)
                d2 = np.zeros_like(d)
                np.subtract(d[:, span:], d[:, :-span], out=d2[:, span:])
                j2 = np.einsum("ijk,ijk->ij", d2, d2)
            top = np.where(inb, j2, 0.0).max(axis=1, keepdims=True)
            k = np.argmax(inb & (j2 >= (onset_fraction**2) * top), axis=1)
    elif onset_fraction < 1.0:
        # the onset: first sample reaching onset_fraction of the window's largest change (a
        # sampled ring can swing back harder than it started)
        top = j2.max(axis=1, keepdims=True)
        k = np.argmax(j2 >= (onset_fraction**2) * top, axis=1)
    else:
        j2[~valid] = -1.0
        k = np.argmax(j2, axis=1)
    out = idx[np.arange(idx.shape[0]), k]
    return np.where(widths > 0, out, -1)


def saturated_fraction(x: np.ndarray) -> float:
    """Fraction of samples sitting exactly at the column's minimum or maximum (clipping).

    A healthy signal touches its extremes a handful of times; a saturated or stuck sensor sits
    there for a large part of the recording. Returns the largest fraction over columns.
    Columns are scanned one at a time as contiguous 1-D arrays (reductions over a column of an
    ``(n, k)`` array stride through memory and are many times slower).
    """
    x = np.asarray(x, dtype=np.float64)
    x = x.reshape(x.shape[0], -1)
    n = x.shape[0]
    if n == 0:
        return 0.0
    best = 0.0
    for col in np.ascontiguousarray(x.T):  # a handful of axes
        lo, hi = col.min(), col.max()
        if hi > lo:  # a constant column is "constant", not "saturated"
            # lo != hi, so the two counts are disjoint
            best = max(best, (np.count_nonzero(col == lo) + np.count_nonzero(col == hi)) / n)
    return float(best)


def decimation_step(sampling_rate_hz: float, max_rate_hz: float) -> int:
    """Whole decimation step ``floor(rate / max_rate)`` (at least 1), blind to the last bits of
    the rate: 100 Hz read back from a text clock as 99.99999999999999 Hz must give the same step
    as 100 Hz (a plain ``rate // max_rate`` gives 1 instead of 2 there)."""
    return max(whole_floor(float(sampling_rate_hz) / float(max_rate_hz)), 1)


def whole_floor(x: float) -> int:
    """``floor(x)`` for a sample count computed from a rate, blind to its last bits (x within a
    relative 1e-9 of a whole number is that number: 0.03 s x 100 Hz is 3.0000000000000004)."""
    return int(np.floor(x + 1e-9 * max(1.0, abs(x))))


def whole_ceil(x: float) -> int:
    """``ceil(x)`` for a sample count computed from a rate, blind to its last bits (see
    :func:`whole_floor`)."""
    return int(np.ceil(x - 1e-9 * max(1.0, abs(x))))


def snap_rate(sampling_rate_hz: float) -> float:
    """The rate rounded to 9 significant digits when it is that close to it (a rate estimated
    from a clock read back from text, 1 / median(diff(t)), is off in its last bits: 500 Hz comes
    back as 499.99999999999955). Every window length a detector derives from the rate is then
    the same for both spellings; a rate that really differs in the 9th digit is kept."""
    fs = float(sampling_rate_hz)
    if not np.isfinite(fs) or fs <= 0:
        return fs
    snapped = float(f"{fs:.9g}")
    return snapped if abs(snapped - fs) <= 1e-9 * fs else fs
