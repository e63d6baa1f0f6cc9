"""The numpy Butterworth design and zero-phase filter (gaitload.events.iir) against their
definitions (-3 dB at the cut-off, unit pass-band gain, a constant passes unchanged) and against
scipy.signal's butter / sosfilt_zi / sosfiltfilt on real IMU recordings, long random signals
and the edge cases (orders 1-8, cut-offs near 0 and Nyquist, signals one sample longer than the
padding)."""

from __future__ import annotations

import numpy as np
import pytest

from gaitload.events import filters as sig
from gaitload.events import iir

signal = pytest.importorskip("scipy.signal")

ORDERS = range(1, 9)
CUTOFFS = (1e-4, 0.003, 0.05, 0.3, 0.4999, 0.5, 0.5001, 0.8, 0.99, 0.9999)


def _response(sos: np.ndarray, w: float) -> complex:
    """Frequency response of the cascade at ``w`` (fraction of Nyquist), from its definition."""
    z = np.exp(-1j * np.pi * w * np.arange(3))
    return complex(np.prod((sos[:, :3] @ z) / (sos[:, 3:] @ z)))


@pytest.mark.parametrize("btype", ["low", "high"])
@pytest.mark.parametrize("order", ORDERS)
def test_design_meets_the_butterworth_definition(order, btype):
    for wn in CUTOFFS:
        sos = iir.butter_sos(order, wn, btype)
        assert sos.shape == ((order + 1) // 2, 6)
        # -3 dB (half power) at the cut-off, unit gain in the pass band (within 1e-4 of 0 or
        # Nyquist the response is evaluated with cancellation, scipy's design's as ours: 1e-8)
        extreme = wn < 1e-3 or wn > 0.999
        assert abs(_response(sos, wn)) ** 2 == pytest.approx(0.5, abs=1e-8 if extreme else 1e-10)
        assert abs(_response(sos, 0.0 if btype == "low" else 1.0)) == pytest.approx(1.0, abs=1e-12)
        # stable: every pole inside the unit circle
        for a in sos[:, 3:]:
            assert np.all(np.abs(np.roots(a[a != 0] if a[2] == 0 else a)) < 1.0)


@pytest.mark.parametrize("btype", ["low", "high"])
@pytest.mark.parametrize("order", ORDERS)
def test_design_equals_scipy(order, btype):
    for wn in CUTOFFS:
        ours = iir.butter_sos(order, wn, btype)
        ref = signal.butter(order, wn, btype, output="sos")
        np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-13, err_msg=f"order {order}, wn {wn}")
        # the zeros that make scipy's padding one tap shorter sit in the same places
        assert iir.default_padlen(ours) == iir.default_padlen(ref)
        # the steady state solves (I - A) zi = B, ill-conditioned for poles near z = 1
        # (1 + a1 + a2 ~ wn^2): scipy's solver and the closed form part at ~1e-12 / wn^2
        np.testing.assert_allclose(iir.sosfilt_zi(ours), signal.sosfilt_zi(ref),
                                   rtol=max(1e-12, 1e-16 / wn**2), atol=1e-13)


def test_design_rejects_bad_arguments():
    with pytest.raises(ValueError):
        iir.butter_sos(0, 0.2)
    with pytest.raises(ValueError):
        iir.butter_sos(2, 1.0)
    with pytest.raises(ValueError):
        iir.butter_sos(2, 0.2, "bandpass")


def _assert_matches_scipy(sos, x, axis=0, padlen=None, rtol=1e-10):
    ref = signal.sosfiltfilt(sos, x, axis=axis, padlen=padlen)
    ours = iir.sosfiltfilt(sos, x, axis=axis, padlen=padlen)
    assert ours.shape == x.shape and ours.flags.c_contiguous
    scale = max(float(np.abs(ref).max()), 1e-300)
    err = float(np.abs(ours - ref).max()) / scale
    assert err <= rtol, f"relative error {err:.2e}"


def _foot_filters(fs):
    """The foot detector's designs: 25 Hz and 5 Hz low-pass, 0.3 Hz high-pass (order 2), and
    the trunk detector's order-4 low-pass."""
    nyq = fs / 2
    return [iir.butter_sos(2, 25.0 / nyq, "low"), iir.butter_sos(2, 5.0 / nyq, "low"),
            iir.butter_sos(2, 0.3 / nyq, "high"), iir.butter_sos(4, 20.0 / nyq, "low")]


def test_real_gaitmap_foot_imu(shared_data):
    """Both shoe IMUs of the gaitmap example (204.8 Hz, 7928 samples x 12 channels)."""
    path = shared_data / "gaitmap-example-data" / "example_data" / "imu_sample.csv"
    x = np.loadtxt(path, delimiter=",", skiprows=2)[:, 1:]
    for sos in _foot_filters(204.8):
        _assert_matches_scipy(sos, x)  # all channels at once
        _assert_matches_scipy(sos, np.ascontiguousarray(x[:, 8]))  # one gyroscope axis


def test_real_voisard_foot_imu_concatenated(shared_data):
    """Every right-foot Xsens recording of the Voisard set end to end (100 Hz, ~150,000 samples
    of acceleration and angular rate): a long real signal."""
    files = sorted((shared_data / "voisard-ipol-walking-footimu" / "GaitData").glob("*_rf.txt"))
    assert files
    x = np.concatenate([np.loadtxt(f, skiprows=2, usecols=range(1, 7)) for f in files])
    assert x.shape[0] > 100_000
    for sos in _foot_filters(100.0):
        _assert_matches_scipy(sos, x)
        _assert_matches_scipy(sos, np.ascontiguousarray(x[:, 4]))


@pytest.mark.parametrize("order", [1, 2, 3, 4, 6])
@pytest.mark.parametrize("btype", ["low", "high"])
def test_random_signals_all_orders_and_cutoffs(order, btype):
    rng = np.random.default_rng(order)
    # a random walk (large low-frequency content) plus an offset: the step-response initial
    # conditions and the slow poles are both exercised
    x = np.cumsum(rng.standard_normal((20_000, 3)), axis=0) + 50.0
    for wn in (0.003, 0.05, 0.3, 0.9):
        sos = iir.butter_sos(order, wn, btype)
        _assert_matches_scipy(sos, x)
        _assert_matches_scipy(sos, np.ascontiguousarray(x[:, 0]))


def test_long_signal_many_blocks():
    """An hour at 204.8 Hz: several levels of the block recursion; down to the 1e-4 Nyquist
    cut-off ``butterworth`` clips to (poles within 2e-4 of z = 1: six levels, and both
    scipy's recursion and ours amplify rounding, to ~2e-10 against an 80-bit reference)."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal(737_280) + np.sin(np.arange(737_280) / 300.0)
    for sos in _foot_filters(204.8):
        _assert_matches_scipy(sos, x)
    for order, btype in ((2, "low"), (4, "low"), (2, "high")):
        _assert_matches_scipy(iir.butter_sos(order, 1e-4, btype), x, rtol=2e-9)


def _filtfilt_extended(sos: np.ndarray, x: np.ndarray, edge: int) -> np.ndarray:
    """The forward-backward definition sample by sample in extended precision (np.longdouble):
    odd extension, transposed-direct-form-II sections from the step-response steady state."""
    ld = np.longdouble
    s = sos.astype(ld)

    def steady(s):
        zi, scale = [], ld(1)
        for b0, b1, b2, _, a1, a2 in s:
            B0, B1 = b1 - a1 * b0, b2 - a2 * b0
            z0 = (B0 + B1) / (1 + a1 + a2)
            zi.append((scale * z0, scale * (B1 - a2 * z0)))
            scale *= (b0 + b1 + b2) / (1 + a1 + a2)
        return zi

    def one_pass(y):
        for (b0, b1, b2, _, a1, a2), (z0, z1) in zip(s, [(u * y[0], v * y[0]) for u, v in steady(s)]):
            out = np.empty_like(y)
            for i, xi in enumerate(y):  # the reference: one sample at a time
                yi = b0 * xi + z0
                z0, z1 = b1 * xi - a1 * yi + z1, b2 * xi - a2 * yi
                out[i] = yi
            y = out
        return y

    x = x.astype(ld)
    ext = np.concatenate([2 * x[0] - x[edge:0:-1], x, 2 * x[-1] - x[-2 : -edge - 2 : -1]])
    return one_pass(one_pass(ext)[::-1])[::-1][edge:-edge].astype(np.float64)


@pytest.mark.slow
def test_against_an_extended_precision_reference():
    """Ground truth without scipy: the definition computed sample by sample in 80-bit floats.
    Relative to the output's scale, ours is within ~3e-15 of it for the low-passes, 9e-12 for
    the 0.3 Hz high-pass (its output is small next to the drifting input), 4e-10 at 1e-4
    Nyquist (scipy: 8e-15, 9e-13, 2e-10)."""
    rng = np.random.default_rng(5)
    x = np.cumsum(rng.standard_normal(20_000)) * 0.1 + np.sin(np.arange(20_000) / 30.0) + 5.0
    for order, wn, btype, tol in ((2, 25.0 / 102.4, "low", 1e-14), (2, 5.0 / 102.4, "low", 2e-14),
                                  (2, 0.3 / 102.4, "high", 3e-11), (3, 0.1, "high", 1e-13),
                                  (2, 1e-4, "low", 2e-9)):
        sos = iir.butter_sos(order, wn, btype)
        ref = _filtfilt_extended(sos, x, iir.default_padlen(sos))
        err = np.abs(iir.sosfiltfilt(sos, x) - ref).max() / np.abs(ref).max()
        assert err <= tol, (order, wn, btype, err)


@pytest.mark.parametrize("order", [1, 2, 3, 5])
def test_short_signals_at_the_padding_limit(order):
    rng = np.random.default_rng(order)
    sos = iir.butter_sos(order, 0.2, "low")
    edge = iir.default_padlen(sos)
    for n in (edge + 1, edge + 2, 16, 17, 33):
        if n > edge:
            _assert_matches_scipy(sos, rng.standard_normal(n))
            _assert_matches_scipy(sos, rng.standard_normal((n, 2)))
    with pytest.raises(ValueError):
        iir.sosfiltfilt(sos, rng.standard_normal(edge))
    for padlen in (0, 1, 5):
        _assert_matches_scipy(sos, rng.standard_normal(40), padlen=padlen)


def test_other_axes_and_layouts():
    rng = np.random.default_rng(3)
    sos = iir.butter_sos(2, 0.1, "low")
    x = rng.standard_normal((30, 40, 50))
    for axis in (0, 1, 2, -1):
        _assert_matches_scipy(sos, x, axis=axis)
    y = rng.standard_normal((200, 6))[::2, ::3]  # strided input
    _assert_matches_scipy(sos, y)


def test_constant_passes_unchanged():
    """The step-response initial conditions make a constant signal a fixed point (ground truth:
    a unit-gain low-pass leaves a constant alone, a high-pass removes it)."""
    x = np.full(5000, 3.25)
    np.testing.assert_allclose(iir.sosfiltfilt(iir.butter_sos(2, 0.01, "low"), x), x, rtol=1e-12)
    np.testing.assert_allclose(iir.sosfiltfilt(iir.butter_sos(2, 0.01, "high"), x), 0.0, atol=1e-12)


def test_nan_is_not_hidden():
    """A NaN spreads (documented: fill gaps first); the filter never returns finite garbage."""
    x = np.sin(np.arange(1000) / 10.0)
    x[500] = np.nan
    y = iir.sosfiltfilt(iir.butter_sos(2, 0.1, "low"), x)
    assert np.isnan(y[500])


def test_detector_filters_equal_scipy_filters():
    """filters.lowpass / highpass / butterworth (low, high): the scipy definitions they replace."""
    rng = np.random.default_rng(11)
    x = np.cumsum(rng.standard_normal((4000, 3)), axis=0)
    fs = 204.8

    def ref(order, wn, btype, padlen=None):
        return signal.sosfiltfilt(signal.butter(order, wn, btype, output="sos"), x, axis=0, padlen=padlen)

    np.testing.assert_allclose(sig.lowpass(x, 25.0, fs), ref(2, 25.0 / (fs / 2), "low"), rtol=0, atol=1e-9)
    np.testing.assert_allclose(sig.highpass(x, 0.3, fs), ref(2, 0.3 / (fs / 2), "high"), rtol=0, atol=1e-9)
    np.testing.assert_allclose(sig.butterworth(x, fs, 20.0), ref(4, 20.0 / (fs / 2), "low", padlen=45),
                               rtol=0, atol=1e-9)
    np.testing.assert_allclose(sig.butterworth(x, fs, 2.0, btype="high"),
                               ref(4, 2.0 / (fs / 2), "high", padlen=45), rtol=0, atol=1e-9)
    # the cut-off clipped below Nyquist as before
    np.testing.assert_allclose(sig.butterworth(x, fs, 200.0), ref(4, 0.99, "low", padlen=45), rtol=0, atol=1e-9)
