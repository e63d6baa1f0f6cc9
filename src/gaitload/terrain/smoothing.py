"""Smoothers of a uniformly gridded series with gaps: local linear fit, Whittaker-Eilers, L1 trend filter."""

from __future__ import annotations

import numpy as np

#: Up to this many window elements (samples x window length) a running median is computed with
#: numpy (a watch record's altitude); above it scipy.ndimage's filter, which scales better with
#: the window. Both give the exact middle value, so the choice changes only the time. Judgement.
_NUMPY_MEDIAN_MAX_ELEMENTS = 2_000_000


def correlate(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """``scipy.ndimage.correlate1d(x, kernel, mode="constant", cval=0)`` for an odd-length
    kernel, with numpy: ``sum_m kernel[m] x[i + m - L // 2]``, zero outside the series.

    Same O(n L) direct sum in C as ndimage; kept in numpy so that a watch record's terrain
    does not import scipy.ndimage (~0.2 s of a command-line run).
    """
    x = np.asarray(x, float)
    kernel = np.asarray(kernel, float)
    half = kernel.size // 2
    return np.convolve(x, kernel[::-1])[half:half + x.size]


def running_median(x: np.ndarray, size: int) -> np.ndarray:
    """``scipy.ndimage.median_filter(x, size, mode="nearest")`` of a finite 1-D series, odd
    ``size``: the median of the ``size`` samples centred on each, the ends repeated.

    Numpy (a sliding window view, at most :data:`_NUMPY_MEDIAN_MAX_ELEMENTS` values, 16 MB) for
    short series, scipy.ndimage for long ones; both give the exact middle value.
    """
    x = np.asarray(x, float)
    size = int(size)
    if x.size == 0:
        return x.copy()
    if x.size * size > _NUMPY_MEDIAN_MAX_ELEMENTS:
        from scipy import ndimage

        return ndimage.median_filter(x, size=size, mode="nearest")
    half = size // 2
    padded = np.pad(x, half, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, size)
    return np.median(windows, axis=1)


def gaussian_smooth(x: np.ndarray, sigma_samples: float) -> np.ndarray:
    """``scipy.ndimage.gaussian_filter1d(x, sigma_samples, mode="nearest")`` of a finite 1-D series.

    The same kernel (truncated at 4 sigma, normalised) and edge rule (the end values repeated),
    in numpy so that a watch record's terrain does not import scipy.ndimage.
    """
    x = np.asarray(x, dtype=float)
    if sigma_samples <= 0 or x.size == 0:
        return x.copy()
    radius = int(4.0 * float(sigma_samples) + 0.5)
    offsets = np.arange(-radius, radius + 1, dtype=float)
    kernel = np.exp(-0.5 * (offsets / float(sigma_samples)) ** 2)
    kernel /= kernel.sum()
    padded = np.pad(x, radius, mode="edge")
    return np.convolve(padded, kernel, mode="valid")


def local_linear_fit(y: np.ndarray, half_window: int, min_coverage: float = 0.3,
                     kernel: str = "boxcar") -> tuple[np.ndarray, np.ndarray]:
    """Least-squares line through the ``2 * half_window + 1`` samples centred on each sample.

    The first-derivative Savitzky-Golay filter (Savitzky & Golay 1964, polynomial order 1) with
    NaN samples carrying zero weight, computed with five correlations (weighted moments), so the
    cost is O(n x window) with no loop over samples. Near the ends and gaps the window is simply
    truncated (a one-sided fit).

    Parameters
    ----------
    y : ndarray
        Values on a uniform grid (NaN = missing).
    half_window : int
        Half-width of the window in samples.
    min_coverage : float
        Fraction of the full window that must hold finite samples, else NaN.
    kernel : str
        ``"boxcar"`` (ordinary least squares, Savitzky-Golay) or ``"epanechnikov"`` (weights
        1 - (k / (h + 1))^2, a locally weighted regression in the sense of Cleveland 1979, with
        smaller side lobes).

    Returns
    -------
    level : ndarray
        Fitted value at each sample.
    slope : ndarray
        Fitted slope per sample step.
    """
    w = np.isfinite(y).astype(float)
    yv = np.where(w > 0, y, 0.0)
    k = np.arange(-half_window, half_window + 1, dtype=float)
    if kernel == "epanechnikov":
        ones = 1.0 - (k / (half_window + 1.0)) ** 2
    else:
        ones = np.ones_like(k)

    def corr(x, kern):
        return correlate(x, kern)

    s0, s1, s2 = corr(w, ones), corr(w, ones * k), corr(w, ones * k * k)
    t0, t1 = corr(yv, ones), corr(yv, ones * k)
    den = s0 * s2 - s1 * s1
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = (s0 * t1 - s1 * t0) / den
        level = (s2 * t0 - s1 * t1) / den
    bad = (s0 < max(2.0, min_coverage * ones.sum())) | (den <= 1e-9 * np.maximum(s0, 1) ** 3)
    return np.where(bad, np.nan, level), np.where(bad, np.nan, slope)


def _difference_normal_banded(n: int, order: int, weights: np.ndarray) -> np.ndarray:
    """``D' diag(weights) D`` (D: ``order``-th difference, (n - order) x n) in the upper banded
    storage of :func:`scipy.linalg.solveh_banded`, O(n): the k-th diagonal is the weights
    convolved with the products of the difference coefficients k apart."""
    c = np.array([1.0])
    for _ in range(order):
        c = np.convolve(c, [1.0, -1.0])
    w = np.asarray(weights, float)
    ab = np.zeros((order + 1, n))
    for k in range(order + 1):  # order + 1 <= 4 diagonals
        ab[order - k, k:] = np.convolve(w, c[: order + 1 - k] * c[k:])
    return ab


def whittaker_smooth(y: np.ndarray, cutoff_cells: float, order: int = 3, breaks: np.ndarray | None = None
                     ) -> np.ndarray:
    """Whittaker-Eilers smoother of a uniformly sampled series with gaps (Eilers 2003).

    Minimises ``sum w (y - z)^2 + lam sum (Delta^order z)^2`` with ``w = 0`` at NaN samples, a
    banded linear system solved in O(n). Its transfer function is
    ``1 / (1 + lam (2 sin(pi f))^(2 order))`` (f in cycles per sample): a Butterworth-like
    low-pass of order ``2 order``, so hills longer than the cutoff keep their amplitude (unlike
    a moving average) while shorter wiggles are removed.

    Parameters
    ----------
    y : ndarray
        Values on a uniform grid (NaN = missing; interpolated by the smoother).
    cutoff_cells : float
        Half-power wavelength in samples; ``lam = (cutoff_cells / (2 pi))^(2 order)``.
    order : int
        Difference order of the penalty (2: cubic-spline-like, 3: smoother slope).
    breaks : ndarray of bool, shape (n - 1,), optional
        Intervals across which the series may jump (each side is smoothed on its own). Every
        sample must be finite when breaks are given, or a piece may be left with no data.

    Returns
    -------
    ndarray
        The smoothed series (defined everywhere when any sample is finite).
    """
    y = np.asarray(y, float)
    n = y.size
    w = np.isfinite(y).astype(float)
    if n <= order + 1 or w.sum() < order + 1:
        return np.where(w > 0, y, np.nan)
    lam = (float(cutoff_cells) / (2 * np.pi)) ** (2 * order)
    lams = np.full(n - order, lam)
    if breaks is not None and np.any(breaks):
        # no penalty term spans a break: the pieces are smoothed independently (a term k
        # covers samples k..k+order, i.e. the intervals k..k+order-1)
        b = np.asarray(breaks, bool).astype(np.int64)
        spans = np.convolve(b, np.ones(order, np.int64), mode="valid") > 0
        lams[spans] = 0.0
    ab = _difference_normal_banded(n, order, lams)
    ab[order] += w
    from scipy.linalg import solveh_banded  # imported where used: a watch record's terrain never gets here

    return solveh_banded(ab, np.where(w > 0, y, 0.0), check_finite=False)


def l1_trend_filter(y: np.ndarray, lam: float, n_iter: int = 40, start: np.ndarray | None = None
                    ) -> np.ndarray:
    """L1 trend filter: the piecewise-linear fit of a series with gaps (Kim, Koh, Boyd &
    Gorinevsky 2009, SIAM Review 51:339).

    Minimises ``1/2 sum w (y - z)^2 + lam sum |Delta^2 z|``: the fit is linear between a few
    kinks, i.e. for an altitude profile the grade is piecewise constant with sharp changes. That
    is how roads and most paths are built (constant-grade tangents joined by short vertical
    curves), so a long smoothing scale can be used against GPS noise without blurring the grade
    across the foot or top of a hill. Solved by majorisation-minimisation (iteratively
    reweighted banded least squares, each iteration O(n)); ``n_iter`` = 40 reaches the plateau
    of the objective on 5 m altitude grids.

    Parameters
    ----------
    y : ndarray
        Values on a uniform grid (NaN = missing).
    lam : float
        Kink penalty, in the units of ``y`` (m for altitude): a kink is kept only when it
        lowers the squared misfit by more than ``lam`` times its change of slope.
    n_iter : int
        Reweighting iterations.
    start : ndarray, optional
        Initial fit (default: a Whittaker fit with a 24-sample cutoff).

    Returns
    -------
    ndarray
        The fitted series.
    """
    y = np.asarray(y, float)
    n = y.size
    w = np.isfinite(y).astype(float)
    if n <= 3 or w.sum() < 3:
        return np.where(w > 0, y, np.nan)
    rhs = np.where(w > 0, y, 0.0)
    z = whittaker_smooth(y, 24.0, 2) if start is None else np.asarray(start, float)
    from scipy.linalg import solveh_banded

    # |x| <= x^2 / (2 |x_k|) + |x_k| / 2: each iteration is a weighted ridge problem; the floor
    # keeps the weights finite where the fit is exactly straight (1e-6 m per cell^2)
    for _ in range(int(n_iter)):
        kink = np.abs(np.diff(z, 2))
        ab = _difference_normal_banded(n, 2, lam / np.maximum(kink, 1e-6))
        ab[2] += w
        z = solveh_banded(ab, rhs, check_finite=False)
    return z


def robust_sigma(x: np.ndarray) -> float:
    """Robust standard deviation of the finite values of ``x``: 1.4826 x their median absolute
    deviation (the normal-consistent MAD); NaN when none is finite."""
    x = x[np.isfinite(x)]
    if x.size == 0:
        return float("nan")
    return float(1.4826 * np.median(np.abs(x - np.median(x))))


def noise_sigma(y: np.ndarray) -> float:
    """High-frequency noise of a gridded series, in its units: the robust std of its second
    differences divided by sqrt(6) (white noise e gives Delta^2 e with variance 6 sigma^2;
    terrain curvature over three cells adds almost nothing). NaN without enough samples."""
    d2 = np.diff(np.asarray(y, float), 2)
    d2 = d2[np.isfinite(d2)]
    if d2.size < 5:
        return float("nan")
    return float(robust_sigma(d2) / np.sqrt(6.0))


def sample_noise_sigma(x: np.ndarray, y: np.ndarray) -> float:
    """Noise of samples ``y`` at increasing positions ``x`` (irregular spacing allowed): the
    robust std of each sample's residual from the chord of its two neighbours, over
    sqrt(1 + w_l^2 + w_r^2) (the chord's own share of the noise, w: its interpolation weights).
    NaN without enough samples."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if x.size < 7:
        return float("nan")
    span = x[2:] - x[:-2]
    good = span > 0
    wl = np.where(good, (x[2:] - x[1:-1]) / np.where(good, span, 1.0), 0.5)
    wr = 1.0 - wl
    r = (y[1:-1] - (wl * y[:-2] + wr * y[2:])) / np.sqrt(1.0 + wl ** 2 + wr ** 2)
    return robust_sigma(r)


def _slope_std_factor(y: np.ndarray, half_window: int, kernel: str) -> np.ndarray:
    """Std of :func:`local_linear_fit`'s slope (per sample step) for unit white noise, per
    sample, from the weights actually present (a window truncated by an end or a gap has
    fewer samples and a larger std): sum w^2 (k - kbar)^2 / (sum w (k - kbar)^2)^2."""
    w = np.isfinite(y).astype(float)
    k = np.arange(-half_window, half_window + 1, dtype=float)
    kern = 1.0 - (k / (half_window + 1.0)) ** 2 if kernel == "epanechnikov" else np.ones_like(k)

    def corr(x, kv):
        return correlate(x, kv)

    s0, s1, s2 = corr(w, kern), corr(w, kern * k), corr(w, kern * k * k)
    u0, u1, u2 = corr(w, kern ** 2), corr(w, kern ** 2 * k), corr(w, kern ** 2 * k * k)
    with np.errstate(invalid="ignore", divide="ignore"):
        kbar = s1 / s0
        den = s2 - s1 * kbar
        num = u2 - 2.0 * kbar * u1 + kbar ** 2 * u0
        return np.sqrt(np.clip(num, 0.0, None)) / den


def ici_local_linear(y: np.ndarray, half_windows: list[int], sigma: float, gamma: float = 2.0,
                     kernel: str = "epanechnikov") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Local linear fit whose window adapts to the data: the intersection of confidence
    intervals rule (ICI; Goldenshluger & Nemirovski 1997, Katkovnik 1999).

    The slope is fitted over every window of ``half_windows`` (increasing). At each sample the
    largest window is kept whose confidence interval (slope +- ``gamma`` std, the std from the
    noise ``sigma`` and the kernel) still overlaps the intervals of every shorter window: on a
    steady grade the longest window wins (least noise), while at a short steep pitch the long
    windows' averaged slope leaves the short windows' intervals and a short window is used.

    Parameters
    ----------
    y : ndarray
        Values on a uniform grid (NaN = missing).
    half_windows : list of int
        Half-widths in samples, increasing.
    sigma : float
        Noise std of ``y`` (units of ``y``), e.g. :func:`noise_sigma`.
    gamma : float
        Width of the confidence intervals in stds.
    kernel : str
        Kernel of :func:`local_linear_fit`.

    Returns
    -------
    level, slope : ndarray
        Fitted value and slope per sample step, from the chosen window.
    chosen : ndarray of int
        Index into ``half_windows`` of the window used per sample (-1 where every fit is NaN).
    """
    n = np.asarray(y).size
    fits = [local_linear_fit(y, h, kernel=kernel) for h in half_windows]  # a handful of scales
    level = np.full(n, np.nan)
    slope = np.full(n, np.nan)
    chosen = np.full(n, -1, dtype=np.int64)
    lo = np.full(n, -np.inf)
    hi = np.full(n, np.inf)
    alive = np.ones(n, bool)
    for j, (h, (lv, sl)) in enumerate(zip(half_windows, fits)):
        half_ci = gamma * sigma * _slope_std_factor(y, h, kernel)
        fin = np.isfinite(sl)
        lo = np.where(fin, np.maximum(lo, sl - half_ci), lo)
        hi = np.where(fin, np.minimum(hi, sl + half_ci), hi)
        alive &= lo <= hi
        take = alive & fin
        level = np.where(take, lv, level)
        slope = np.where(take, sl, slope)
        chosen = np.where(take, j, chosen)
    return level, slope, chosen
