"""Initial contact and toe-off of both feet from a lower-back (sacrum / L5 / hip) IMU.

Running (flight phase present), the default
    The trunk's vertical specific force is the ground reaction force divided by body mass,
    seen through the soft tissue between pelvis and sensor: close to 0 g in flight, rising at
    initial contact (IC), peaking 2-3 g at mid-stance and falling back to 0 g at toe-off (TO)
    (impulse-momentum; Cavagna 1975; trunk-accelerometer running timing: Lee et al. 2010,
    *J Sci Med Sport* 13:270, and Bergamini et al. 2012, *J Biomech*, for sprinting). The step
    period is decided explicitly against the stride (they repeat almost equally at the trunk).
    IC is the tangent onset of the rising edge (the line through its 40 % and 60 % crossings,
    extended back to the flight level, never before the rise begins) on a 5 ms box-averaged
    signal (a box has no pre-ringing, so the impact jump is not anticipated). Steps without
    flight (steep uphill, contact longer than the step) take IC at the impact transient on the
    previous pulse's falling edge. TO is the last crossing of the flight level plus 10 % of the
    pulse on the falling edge. Checked against a force treadmill on 10 sacral trials (2 speeds x
    5 slopes; ``benchmarks/validate.py``): IC F1 0.98-1.00 within 40 ms on every slope.
Walking (no flight phase)
    IC is the onset of the heel-strike braking: the sharpest drop of the trunk's forward
    acceleration (Zijlstra & Hof 2003), on the anterior-posterior axis found from the signal
    (:func:`_walking_braking`); final contact is the push-off peak of vertical jerk in the next
    double support (McCamley et al. 2012, *Gait Posture* 36:316). Checked on the Xsens
    lower-back recordings of 9 subjects (``benchmarks/validate.py``): 89 % of the reference heel
    strikes within 60 ms, 94 % of detections within 60 ms of one.

Gait presence
    Contacts are only sought where the signal is gait (:func:`gait_presence`): an 8 s window
    regular at one step or stride (Moe-Nilssen & Helbostad 2004) *and* a 1 s moving standard
    deviation above a floor, so standing, sitting and the edges of a walk give no steps; a
    detected contact must also be one step from a neighbour (:func:`_in_rhythm`), so a lone
    jolt is not a step. On the Xsens stand-walk-turn-walk-stand trials this cut detections
    more than half a step from every reference contact from 28 % to 5.2 %.

Left / right
    The ground pushes the pelvis medially during each stance (the foot is lateral to the centre
    of mass), so the mean mediolateral acceleration over the step after an IC points away from
    the stance side. Which way is left needs the sensor's axes, which a trunk sensor of unknown
    mounting does not give, so sides are ``unknown`` (with a warning) unless the sensor's left
    axis is declared (``ml_axis_left``); on the Xsens recordings 98 % of matched contacts get the
    right side.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from scipy import signal as sps
from scipy.ndimage import gaussian_filter1d

from ..notice import Notice
from ..errors import SignalError
from .._select import median
from ._signal import snap_rate
from .placement import G, CadenceTrack, _norm3, cadence_track, fill_nan

__all__ = ["detect_lumbar_events", "gait_presence", "GaitGate"]

#: width of the centred box that averages sensor noise on the onset signal, s
ONSET_BOX_S = 0.005


def _butter(x: np.ndarray, fs: float, cutoff_hz: float | tuple[float, float], btype: str = "low", order: int = 4):
    """Zero-phase Butterworth filter (second-order sections, forward-backward)."""
    nyq = 0.5 * fs
    wn = np.atleast_1d(np.asarray(cutoff_hz, dtype=float)) / nyq
    wn = np.clip(wn, 1e-4, 0.99)
    sos = sps.butter(order, wn if wn.size > 1 else wn[0], btype=btype, output="sos")
    padlen = min(x.shape[0] - 1, 3 * (2 * len(sos) + 1) * 3)
    return sps.sosfiltfilt(sos, x, axis=0, padlen=padlen)


def track_at_samples(center_s: np.ndarray, values: np.ndarray, n: int, fs: float) -> np.ndarray:
    """Window estimates held piecewise-constant at every sample (nearest window centre)."""
    if center_s.size == 0:
        return np.full(n, np.nan)
    t = np.arange(n) / fs
    mids = 0.5 * (center_s[1:] + center_s[:-1])
    # values[np.searchsorted(mids, t)] without a search per sample: t increases, so the index
    # steps up by one at each mid; window j holds the samples up to the last t <= mids[j]
    ends = np.searchsorted(t, mids, side="right")
    return np.repeat(values, np.diff(ends, prepend=0, append=n))


def track_at(center_s: np.ndarray, values: np.ndarray, idx: np.ndarray, fs: float) -> np.ndarray:
    """``track_at_samples(center_s, values, n, fs)[idx]`` for sample indices ``idx`` only."""
    if center_s.size == 0:
        return np.full(idx.shape, np.nan)
    mids = 0.5 * (center_s[1:] + center_s[:-1])
    return values[np.searchsorted(mids, idx / fs)]  # idx / fs: the bits of np.arange(n)[idx] / fs


@dataclass
class GaitGate:
    """Where a trunk signal is gait (see :func:`gait_presence`).

    Attributes
    ----------
    track : CadenceTrack
        Step / stride autocorrelation per window (window centres in s).
    amplitude_g : ndarray
        Standard deviation of the vertical signal per window, g.
    gait_windows : ndarray of bool
        Windows that are regular and large enough to be gait.
    active : ndarray of bool, shape (n,)
        Samples that are gait: inside a gait window *and* locally active.
    """

    track: CadenceTrack
    amplitude_g: np.ndarray
    gait_windows: np.ndarray
    active: np.ndarray


def _moving_std(x: np.ndarray, width: int) -> np.ndarray:
    """Centred moving standard deviation over ``width`` samples (cumulative sums, O(n))."""
    n = x.size
    width = int(max(1, min(width, n)))
    xc = x - np.mean(x)
    # the windows are whole, shifted inwards at the ends: n - width + 1 distinct ones, from
    # slice differences of running sums (written in place: these are full-length arrays); the
    # first h samples repeat the first window, the last ones the last
    c1 = np.empty(n + 1)
    c2 = np.empty(n + 1)
    c1[0] = c2[0] = 0.0
    np.cumsum(xc, out=c1[1:])
    np.cumsum(np.multiply(xc, xc, out=xc), out=c2[1:])
    k = n - width + 1
    h = width // 2
    out = np.empty(n)
    m = np.subtract(c1[width:], c1[:k], out=c1[:k])
    m /= width
    sd = np.subtract(c2[width:], c2[:k], out=out[h:h + k])
    sd /= width
    sd -= np.multiply(m, m, out=m)
    np.sqrt(np.maximum(sd, 0.0, out=sd), out=sd)
    out[:h] = sd[0]
    out[h + k:] = sd[-1]
    return out


def gait_presence(fv_g: np.ndarray, sampling_rate_hz: float, *, window_s: float = 8.0, hop_s: float = 2.0,
                  min_regularity: float = 0.3, min_amplitude_g: float = 0.08,
                  activity_window_s: float = 1.0, min_activity_g: float = 0.02,
                  activity_fraction: float = 0.15) -> GaitGate:
    """Which samples of a trunk vertical-acceleration signal are gait (walking or running).

    Two conditions, both needed:

    1. **regular**: the sample lies in a window of ``window_s`` whose unbiased autocorrelation
       at one step or one stride lag is at least ``min_regularity`` (trunk step / stride
       regularity, Moe-Nilssen & Helbostad 2004, *J Biomech* 37:121; healthy gait gives
       0.5-0.9, standing noise and fidgeting well below) and whose standard deviation is at least
       ``min_amplitude_g``. 4 s holds two strides of a slow walk (stride <= 1.4 s); judgement.
    2. **active**: the centred moving standard deviation over ``activity_window_s`` (about one
       walking stride) is at least ``min_activity_g`` and at least ``activity_fraction`` of the
       median over the gait windows. A regularity window straddling a start or a stop is
       regular for its whole length; this short window trims it to the moving part. Measured on
       the Xsens lower-back walking recordings (Voisard et al., IPOL): quiet standing 0.001-0.006 g,
       walking median 0.12-0.25 g; the thresholds are a judgement between them.

    Parameters
    ----------
    fv_g : ndarray, shape (n,)
        Vertical specific force of the trunk, low-pass filtered, g.
    sampling_rate_hz : float
        Sampling rate, Hz.
    window_s, hop_s : float
        Regularity window and hop, s.
    min_regularity : float
        Minimum step or stride autocorrelation of a gait window (dimensionless).
    min_amplitude_g : float
        Minimum standard deviation of a gait window, g.
    activity_window_s : float
        Width of the local activity window, s.
    min_activity_g : float
        Absolute floor of the local standard deviation, g.
    activity_fraction : float
        Relative floor: fraction of the median local standard deviation in gait windows.

    Returns
    -------
    GaitGate
    """
    fs = float(sampling_rate_hz)
    n = fv_g.size
    # the autocorrelation only needs the step lag (refined by a parabola): block-average to
    # ~25 Hz, which costs fs/25 times less
    # (rounded, not floored: a rate of 499.99999999999955 Hz read back from a text clock must
    # give the same blocks as 500 Hz)
    q = max(1, int(round(fs / 25.0)))
    m = n // q
    fd = fv_g[: m * q].reshape(m, q).mean(axis=1)
    fsd = fs / q
    win_s = min(window_s, m / fsd)
    track = cadence_track(fd, fsd, window_s=win_s, hop_s=hop_s)
    k = track.center_s.size
    if k:
        track = _undouble(track, min_regularity)
    if k == 0:
        e = np.zeros(0)
        return GaitGate(track, e, e.astype(bool), np.zeros(n, bool))
    win = int(round(win_s * fsd))
    hop = max(1, int(round(hop_s * fsd)))
    c1 = np.concatenate([[0.0], np.cumsum(fd - fd.mean())])
    c2 = np.concatenate([[0.0], np.cumsum((fd - fd.mean()) ** 2)])
    lo = np.arange(k) * hop
    hi = np.minimum(lo + win, m)
    mean_w = (c1[hi] - c1[lo]) / (hi - lo)
    amp = np.sqrt(np.maximum((c2[hi] - c2[lo]) / (hi - lo) - mean_w**2, 0.0))
    # regular at one step or one stride (a slow walk's step of > 0.7 s is outside the step
    # search range, but its stride is inside the stride range)
    reg = np.maximum(track.r_step, track.r_stride)
    gait_w = (reg >= min_regularity) & (amp >= min_amplitude_g)
    if not gait_w.any():
        return GaitGate(track, amp, gait_w, np.zeros(n, bool))
    regular = track_at_samples(track.center_s, gait_w.astype(float), n, fs) > 0.5
    act = _moving_std(fv_g, int(round(activity_window_s * fs)))
    floor = max(min_activity_g, activity_fraction * float(median(act[regular])))
    return GaitGate(track, amp, gait_w, regular & (act >= floor))


def _undouble(track: CadenceTrack, min_regularity: float, min_step_s: float = 0.2) -> CadenceTrack:
    """Halve a step lag that is really a stride (step vs stride decided explicitly).

    The step search range (0.25-0.71 s) also holds a running *stride* (0.52-0.75 s), and a
    trunk signal repeats nearly as well after one stride as after one step, so the argmax can
    pick the stride. Half a true step is anti-phase for a trunk signal (pulse against flight in
    running, the opposite half of the vertical oscillation in walking): its autocorrelation
    (``track.r_half_step``) is negative. Half a stride is one step: positive and close to the
    stride's. So a window's lag is halved when the autocorrelation at half of it is at least
    ``min_regularity`` (the gate's own floor for a regular step) and at least half the one at
    the lag, and half the lag is no shorter than ``min_step_s`` (300 steps/min, faster than a
    sprint's 4.5-5 steps/s; judgement). On the 10 sacral force-treadmill trials this takes the
    trials with every other contact missing (IC recall 0.43-0.70) to recall 1.0.
    """
    r_half = track.r_half_step
    if r_half is None:
        return track
    halve = (r_half >= min_regularity) & (r_half >= 0.5 * track.r_step) & (0.5 * track.step_lag_s >= min_step_s)
    if not halve.any():
        return track
    return replace(track, step_lag_s=np.where(halve, 0.5 * track.step_lag_s, track.step_lag_s),
                   r_step=np.where(halve, r_half, track.r_step))


def _vertical_specific_force(acc_mps2: np.ndarray, fs: float, gravity_window_s: float = 4.0,
                             gravity=None) -> np.ndarray:
    """Specific force along the gravity direction, m/s^2 (standing still reads +9.81); see
    :func:`_moving_gravity` (whose ``(grav, norm)`` may be given as ``gravity``)."""
    grav, norm = gravity if gravity is not None else _moving_gravity(acc_mps2, fs, gravity_window_s)
    return np.einsum("ij,ij->i", acc_mps2, grav) / norm


def _moving_gravity(acc_mps2: np.ndarray, fs: float, gravity_window_s: float = 4.0):
    """Gravity estimate at every sample (m/s^2, shape (n, 3)) and its norm (zeros read as 1).

    Gravity is the moving mean of the accelerometer over ``gravity_window_s`` (Moe-Nilssen 1998
    tilt correction, as :func:`gravity_frame`), computed with cumulative sums in O(n) and
    renormalised at the edges.
    """
    n = acc_mps2.shape[0]
    win = int(max(3, min(n, round(gravity_window_s * fs))))
    h = win // 2
    c = np.empty((n + 1, 3))  # running sums, written after a zero row (no vstack copy)
    c[0] = 0.0
    np.cumsum(acc_mps2, axis=0, out=c[1:])
    # window [i - h, i - h + win) clipped to the signal: full width inside (a slice difference,
    # divided by win), fewer samples at the two edges
    grav = np.empty((n, 3))
    m = max(n - win + 1, 0)  # samples whose window fits
    np.subtract(c[win:], c[:m], out=grav[h:h + m])
    grav[h:h + m] /= win
    i = np.concatenate([np.arange(h), np.arange(h + m, n)])
    lo = np.clip(i - h, 0, n)
    hi = np.clip(i - h + win, 0, n)
    grav[i] = (c[hi] - c[lo]) / (hi - lo)[:, None]
    norm = _norm3(grav)  # np.linalg.norm(grav, axis=1), bit for bit, without its temporaries
    norm[norm == 0] = 1.0
    return grav, norm


def _gather(x: np.ndarray, start: np.ndarray, width: int) -> np.ndarray:
    """Rows ``x[start_i : start_i + width]`` (indices clipped to the signal), shape (k, width)."""
    n = x.size
    start = np.asarray(start)
    if not 0 < width <= n:
        return x[np.clip(start[:, None] + np.arange(width)[None, :], 0, n - 1)]
    # rows inside the signal are rows of its sliding-window view (no (k, width) index matrix
    # to build and clip); only rows that run over an end take clipped indices
    windows = sliding_window_view(x, width)
    inside = (start >= 0) & (start <= n - width)
    if inside.all():
        return windows[start]
    out = np.empty((start.size, width), dtype=x.dtype)
    out[inside] = windows[start[inside]]
    edge = start[~inside]
    out[~inside] = x[np.clip(edge[:, None] + np.arange(width)[None, :], 0, n - 1)]
    return out


def _crossing(seg: np.ndarray, thr: np.ndarray, rising: bool) -> np.ndarray:
    """Fractional index of the first upward (or last downward) crossing of ``thr`` per row."""
    above = seg >= thr[:, None]
    w = seg.shape[1]
    if rising:
        j = np.argmax(above, axis=1)  # first sample at/above
        j = np.clip(j, 1, w - 1)
        a, b = j - 1, j
    else:
        # last sample at/above, searching from the end
        j = w - 1 - np.argmax(above[:, ::-1], axis=1)
        j = np.clip(j, 0, w - 2)
        a, b = j, j + 1
    rows = np.arange(seg.shape[0])
    ya, yb = seg[rows, a], seg[rows, b]
    den = yb - ya
    frac = np.where(np.abs(den) > 1e-12, (thr - ya) / np.where(den == 0, 1, den), 0.0)
    return a + np.clip(frac, 0.0, 1.0)


def detect_lumbar_events(time_s: np.ndarray, acc_mps2: np.ndarray, sampling_rate_hz: float, *,
                         method: str = "auto", lowpass_hz: float = 20.0,
                         min_regularity: float = 0.3, min_amplitude_g: float = 0.08,
                         min_activity_g: float = 0.02, ml_axis_left: np.ndarray | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Foot contacts of both feet from a lower-back accelerometer (one contiguous segment).

    Parameters
    ----------
    time_s : ndarray, shape (n,)
        Sample times, s (regular sampling, no gaps).
    acc_mps2 : ndarray, shape (n, 3)
        Accelerometer, m/s^2, any orientation (vertical is found from gravity).
    sampling_rate_hz : float
        Sampling rate, Hz (>= 40 Hz for running timing).
    method : {"auto", "running", "walking"}
        ``auto`` uses the running method when most steps show a flight phase (vertical specific
        force below 0.35 g between steps), else McCamley's walking method.
    lowpass_hz : float
        Low-pass cut-off for the vertical signal, Hz.
    min_regularity : float
        Windows whose step autocorrelation is below this are not gait (standing, noise).
    min_amplitude_g : float
        Windows whose vertical acceleration standard deviation is below this are not gait, g.
    min_activity_g : float
        Samples whose 1 s moving standard deviation is below this are not gait, g (standing;
        see :func:`gait_presence`).
    ml_axis_left : ndarray, shape (3,), optional
        Sensor-frame unit vector pointing to the runner's left, if known; enables sides.

    Returns
    -------
    events : DataFrame
        ``time_s, toe_off_s, foot, contact_time_ms, method`` one row per detected contact.
    warnings : list of str
    """
    warnings: list[str] = []
    fs = snap_rate(float(sampling_rate_hz))  # window lengths must not flip with the rate's last bits
    acc = fill_nan(np.asarray(acc_mps2, dtype=np.float64))
    n = acc.shape[0]
    if fs < 20:
        raise SignalError(f"{fs:.3g} Hz is too slow to time foot contacts from a lower-back sensor (need >= 20 Hz)")
    if n < int(4 * fs):
        warnings.append(Notice(f"lower-back signal of {n / fs:.1f} s is too short for gait detection (< 4 s)",
                               "no-steps"))
        return _empty(), warnings
    gravity = _moving_gravity(acc, fs)  # also the walking detector's horizontal plane
    vertical = _vertical_specific_force(acc, fs, gravity=gravity)
    v_g = vertical / G
    fv = _butter(v_g, fs, min(lowpass_hz, 0.45 * fs))
    gate = gait_presence(fv, fs, min_regularity=min_regularity, min_amplitude_g=min_amplitude_g,
                         min_activity_g=min_activity_g)
    track, gait_w, active = gate.track, gate.gait_windows, gate.active
    if not active.any():
        warnings.append(Notice("no periodic gait found in the lower-back signal (constant, noise or standing)",
                               "no-steps"))
        return _empty(), warnings
    amp = gate.amplitude_g
    lag_ok = track.step_lag_s[gait_w]
    min_lag = float(np.percentile(lag_ok, 5))
    # one hump per step: smooth at about 1.5x the fastest step frequency
    f_step = 1.0 / min_lag
    smooth = _butter(fv, fs, min(1.6 * f_step, 0.45 * fs))
    dist = max(1, int(0.6 * min_lag * fs))
    prom = 0.25 * float(np.percentile(amp[gait_w], 50))
    # padded ends (at the signal's minimum): a step next to the recording's start or end still
    # stands out from the signal around it (its prominence is not cut short; a 5 s lab trial
    # has 15 steps, one near each end); a peak on the first sample has no rise to time
    pad = min(dist, n - 1)
    low = float(smooth.min())
    peaks, _ = sps.find_peaks(np.pad(smooth, pad, constant_values=low), distance=dist, prominence=prom)
    peaks = peaks - pad
    peaks = peaks[(peaks > 0) & (peaks < n)]
    peaks = peaks[active[peaks]]
    if peaks.size < 2:
        warnings.append(Notice("fewer than two steps found in the lower-back signal", "no-steps"))
        return _empty(), warnings
    step_lag = track_at(track.center_s, track.step_lag_s, peaks, fs)  # the local step at each peak
    half = np.round(0.55 * step_lag * fs).astype(int)
    w = int(half.max()) + 1
    # flight minima before / after each peak
    before = _gather(fv, peaks - w, w)
    mask_b = np.arange(w)[None, :] < (w - half)[:, None]
    before_min = np.where(mask_b, np.inf, before).min(axis=1)
    after = _gather(fv, peaks, w + 1)
    mask_a = np.arange(w + 1)[None, :] > half[:, None]
    after_min = np.where(mask_a, np.inf, after).min(axis=1)
    flight = np.median(np.minimum(before_min, after_min))
    use_running = method == "running" or (method == "auto" and flight < 0.35)
    if method not in ("auto", "running", "walking"):
        from ..errors import OptionError

        raise OptionError(f"unknown lumbar method {method!r}; use auto, running or walking")
    if use_running:
        # onset signal: a short centred box (about 5 ms) only averages sensor noise; unlike a
        # zero-phase Butterworth it has no pre-ringing that would cross the threshold early
        box = 2 * int(round(ONSET_BOX_S * fs / 2)) + 1
        fj = np.convolve(v_g, np.ones(box) / box, mode="same") if box > 1 else v_g
        resid = fj - fv
        noise_g = 1.4826 * float(median(np.abs(resid - median(resid))))
        ic_idx, to_idx = _running_edges(fv, fj, peaks, half, w, fs, noise_g)
        tag = "running: tangent onset and 10 % offset of the vertical force pulse"
    else:
        lag_w = float(np.nanmedian(track.step_lag_s[gait_w]))
        ic_brake = _walking_braking(acc, vertical, gravity[0] / gravity[1][:, None], fs, lag_w, active)
        ic_idx, to_idx = _walking_final_contact(v_g, fs, track.step_lag_s[gait_w], ic_brake)
        ic_idx, to_idx = _keep_active(ic_idx, to_idx, active)
        tag = "walking: forward braking (IC) and vertical jerk (FC) of the trunk"
        warnings.append(Notice("no flight phase in the lower-back signal: walking method used (heel-strike braking, "
                        "push-off jerk)", "gait-method"))
    ok = np.isfinite(ic_idx) & ~(to_idx <= ic_idx)  # an unknown toe-off (NaN) keeps the contact
    ic_idx, to_idx = ic_idx[ok], to_idx[ok]
    order = np.argsort(ic_idx)
    ic_idx, to_idx = ic_idx[order], to_idx[order]
    keep = np.concatenate([[True], np.diff(ic_idx) > 0.5 * min_lag * fs]) if ic_idx.size else np.zeros(0, bool)
    ic_idx, to_idx = ic_idx[keep], to_idx[keep]
    rhythm = _in_rhythm(ic_idx)
    ic_idx, to_idx = ic_idx[rhythm], to_idx[rhythm]
    t = np.asarray(time_s, dtype=np.float64)
    idx = np.arange(n)
    ic_t = np.interp(ic_idx, idx, t)
    to_t = np.interp(to_idx, idx, t)
    foot = _sides(acc, ic_idx, ml_axis_left, warnings)
    ev = pd.DataFrame({"time_s": ic_t, "toe_off_s": to_t, "foot": foot,
                       "contact_time_ms": (to_t - ic_t) * 1000.0, "method": tag})
    return ev, warnings


def _running_edges(fv: np.ndarray, fj: np.ndarray, peaks: np.ndarray, half: np.ndarray, w: int,
                   fs: float, noise_g: float, edge_fractions: tuple[float, float] = (0.4, 0.6),
                   onset_fraction: float = 0.05, offset_fraction: float = 0.1, grounded_g: float = 0.2):
    """Contact onset and end of the vertical force pulse around each step peak (vectorised).

    IC is the *tangent onset* of the rising edge: the line through the crossings of
    ``edge_fractions`` (40 % and 60 %) of the pulse, between the flight minimum before the step
    and its mid-stance level, extended back to the flight level (Lee et al. 2010 time trunk
    contacts from the same vertical rise). The mid-edge is used because the bottom of the rise
    is not the force's: on the sacral force-treadmill trials (Alcantara et al.) the pelvis
    already accelerates upward before the foot lands on a downhill (a 0.2-0.4 g pre-contact rise,
    which a 5-25 % threshold crossed 15-60 ms early), and uphill the rise is slow, so a single
    high threshold is late (0.5 g: +17 ms at +10 degrees). Measured on those trials, the 40-60 %
    tangent is within +-10 ms median on 9 of 10 trials (chosen on the 2.5 m/s trials, the
    4.17 m/s ones held out; judgement). It never precedes the first crossing of the flight
    level plus ``onset_fraction`` (5 %) of the pulse: contact cannot begin before the rise.
    When a step has no flight (uphill "grounded" running, the previous foot still loaded at IC:
    minimum above ``grounded_g``), the onset is hidden in the previous pulse's falling edge;
    there IC is the impact transient, the last local maximum of ``fj`` on the falling edge
    before the valley (the heel / forefoot impact is the first vertical acceleration peak of
    stance at the trunk; Bergamini et al. 2012).
    TO is the last crossing, on the falling edge, of the flight level after the step plus
    ``offset_fraction`` of the pulse: the force-plate convention of a small force threshold
    (0.1 body weight on a 2-3 body-weight pulse is 3-5 %), raised to 10 % because the sacral
    signal falls with a soft-tissue tail (measured on the same trials: 5 % is 17-36 ms late,
    10 % within 40 ms of the force plate for 98 % of toe-offs; 15-30 % were early on half the
    trials; judgement). ``noise_g`` keeps both thresholds above the sensor noise.
    """
    k = peaks.size
    rows = np.arange(k)
    cols = np.arange(w)[None, :]
    # rising edge: from the flight minimum before the peak up to the peak
    seg_b = _gather(fv, peaks - w + 1, w)  # ends at the peak
    valid_b = cols >= (w - 1 - half)[:, None]
    # the flight minimum nearest the rise (ties, e.g. a signal clipped at 0 g, go to the last)
    jmin_b = w - 1 - np.argmin(np.where(valid_b, seg_b, np.inf)[:, ::-1], axis=1)
    lo_b = seg_b[rows, jmin_b]
    seg_a = _gather(fv, peaks, w)  # starts at the peak
    valid_a = cols <= half[:, None]
    jmin_a = np.argmin(np.where(valid_a, seg_a, np.inf), axis=1)
    lo_a = seg_a[rows, jmin_a]
    top = fv[peaks]
    segj = _gather(fj, peaks - w + 1, w)
    rise = np.where(cols >= jmin_b[:, None], segj, (lo_b - 1.0)[:, None])  # nothing before the minimum
    f1, f2 = edge_fractions
    c1 = _crossing(rise, lo_b + np.maximum(f1 * (top - lo_b), 4.0 * noise_g), rising=True)
    c2 = _crossing(rise, lo_b + np.maximum(f2 * (top - lo_b), 8.0 * noise_g), rising=True)
    tangent = c1 - np.maximum(c2 - c1, 0.0) * (f1 / (f2 - f1))
    started = peaks - w + 1 + tangent >= 0  # False: the contact began before the recording
    # never before the signal has begun to rise (an impact spike through 40 % and a later
    # active peak through 60 % make a shallow line that would reach back into the flight)
    c0 = _crossing(rise, lo_b + np.maximum(onset_fraction * (top - lo_b), 4.0 * noise_g), rising=True)
    ic = np.maximum(tangent, np.maximum(c0, jmin_b))
    # grounded steps: last local maximum of fj in the 80 ms before the valley
    grounded = lo_b > grounded_g
    if grounded.any():
        g = np.flatnonzero(grounded)
        sj = segj[g]
        locmax = np.zeros_like(sj, dtype=bool)
        locmax[:, 1:-1] = (sj[:, 1:-1] > sj[:, :-2]) & (sj[:, 1:-1] >= sj[:, 2:])
        lo_col = (jmin_b[g] - max(2, int(round(0.08 * fs))))[:, None]
        cand = locmax & (cols >= lo_col) & (cols <= jmin_b[g][:, None])
        has = cand.any(axis=1)
        last = w - 1 - np.argmax(cand[:, ::-1], axis=1)
        # the impact is sampled at the local maximum; contact began within the sample before
        ic[g[has]] = last[has] - 0.5
    segja = _gather(fj, peaks, w)
    fall = np.where(cols <= jmin_a[:, None], segja, (lo_a - 1.0)[:, None])
    to = _crossing(fall, lo_a + np.maximum(offset_fraction * (top - lo_a), 4.0 * noise_g), rising=False)
    ic_idx = peaks - w + 1 + ic
    to_idx = peaks + to
    # no rise (or no fall) of 0.1 g: not a pulse, or cut by the recording's start (end)
    ic_idx = np.where((top - lo_b < 0.1) | ~started, np.nan, ic_idx)
    to_idx = np.where(top - lo_a < 0.1, np.nan, to_idx)
    return ic_idx, to_idx


def _walking_braking(acc: np.ndarray, vertical: np.ndarray, up: np.ndarray, fs: float, lag_s: float,
                     active: np.ndarray, *,
                     sigma_s: float = 0.03, min_prominence: float = 0.8, max_tilt_deg: float = 45.0,
                     onset_level: float = 0.5, onset_back_s: float = 0.15) -> np.ndarray:
    """Walking IC: the sharpest drop of the trunk's forward acceleration (heel-strike braking).

    At heel strike the ground pushes back on the leading leg and the trunk's forward
    acceleration falls steeply (Zijlstra & Hof 2003, *Gait Posture* 18:1: IC at the forward
    acceleration's turn; the braking impulse of the anterior-posterior force). IC is each peak
    of minus the Gaussian derivative (``sigma_s`` = 30 ms) of the forward acceleration, at least
    0.6 step apart and of prominence ``min_prominence`` times its standard deviation in gait,
    moved back to the drop's onset: the last sample within ``onset_back_s`` before it where the
    forward acceleration fell at less than ``onset_level`` (half) of the peak rate.

    The forward axis of a sensor of unknown mounting: the horizontal acceleration (``up``, the
    unit gravity vector of the same 4 s moving mean the vertical was taken along, removed) is summed with itself one step
    later, which cancels the mediolateral sway (one period per stride, opposite after a step)
    and keeps the anterior-posterior pattern (one per step); the principal axis of that sum is
    anterior-posterior. Its sign: the heel-strike braking is the sharpest change of the forward
    acceleration, so forward is the sign whose derivative's 0.5th percentile is larger in size
    than its 99.5th (every one of the 52 Xsens trials came out forward; the 1st / 99th
    percentiles got one wrong). The pelvis is tilted, and the braking is sharpest along the
    pelvis' own anterior-posterior axis, not the horizontal: the axis is turned in the sagittal
    plane (towards vertical, by up to ``max_tilt_deg`` either way, in 5 degree steps) to where
    that drop is largest relative to the derivative's spread (on the Xsens trials 0-35
    degrees; the sensor's own back-normal axis and the tilted axis score the same, the
    horizontal one 0.08 lower).

    Chosen against vertical-acceleration peaks, vertical jerk and the forward acceleration's
    own extrema on Xsens subjects 1, 2, 4, 5 and 6, subjects 7-10 held out (heel strikes
    within 60 ms, after the gait gate, ``min_prominence`` 0.2; recall tuning / held-out): steepest point 0.86 / 0.86,
    half-rate onset 0.90 / 0.89, the forward acceleration's maximum before the drop 0.78 / 0.76
    (0.8 of the rate scored 0.91 / 0.90; half is the conventional half-maximum, a judgement);
    ``sigma_s`` 20 / 30 / 50 ms: 0.91 / 0.90 / 0.85 on the tuning subjects. ``min_prominence``
    trades recall for precision (tuning subjects, 0.2 / 0.5 / 0.8 / 1.3 x the standard deviation:
    recall 0.90 / 0.90 / 0.89 / 0.89, precision 0.91 / 0.93 / 0.94 / 0.96); 0.8 leaves the
    widest margin over both targets there (0.85 and 0.90), and gives 0.88 / 0.93 held out.
    """
    n = acc.shape[0]
    lag = max(1, int(round(lag_s * fs))) if np.isfinite(lag_s) else 0
    if lag == 0 or n < 2 * lag + 3 or active.sum() < 2 * lag:
        return np.empty(0)
    horiz = acc - vertical[:, None] * up
    both = active[:-lag] & active[lag:]
    if both.sum() < lag:
        return np.empty(0)
    summed = horiz[:-lag][both] + horiz[lag:][both]
    _, vec = np.linalg.eigh(np.cov(summed.T))
    sigma = max(0.5, sigma_s * fs)
    dh = gaussian_filter1d(horiz @ vec[:, -1], sigma, order=1)
    dv = gaussian_filter1d(vertical, sigma, order=1)
    # the axis is scored on the gait samples (every k-th beyond 100,000: a percentile of a
    # regular subsample, so an hour's walk costs what 17 minutes do)
    idx = np.flatnonzero(active)
    idx = idx[:: max(1, idx.size // 100_000)]
    dh_a, dv_a = dh[idx], dv[idx]
    sign = 1.0 if -np.percentile(dh_a, 0.5) >= np.percentile(dh_a, 99.5) else -1.0
    best, best_tilt = -np.inf, 0.0
    for tilt in np.deg2rad(np.arange(-max_tilt_deg, max_tilt_deg + 1e-9, 5.0)):  # 19 axes, not samples
        act = np.cos(tilt) * sign * dh_a + np.sin(tilt) * dv_a
        score = -np.percentile(act, 0.5) / max(float(np.std(act)), 1e-12)
        if score > best:
            best, best_tilt = score, tilt
    d = np.cos(best_tilt) * sign * dh + np.sin(best_tilt) * dv
    pk, _ = sps.find_peaks(-d, distance=max(1, int(0.6 * lag)), prominence=min_prominence * float(np.std(d[active])))
    if pk.size:
        # the drop's onset: the last sample, up to onset_back_s before its steepest point, where
        # it fell at less than onset_level of its peak rate (half-maximum onset)
        back = max(1, int(round(onset_back_s * fs)))
        seg = _gather(d, pk - back, back + 1)
        slow = seg >= onset_level * d[pk][:, None]
        has = slow.any(axis=1)
        last = back - np.argmax(slow[:, ::-1], axis=1)
        pk = np.where(has, pk - back + last, pk)
    return pk.astype(float)


def _walking_final_contact(v_g: np.ndarray, fs: float, step_lag: np.ndarray, ic: np.ndarray, *,
                           sigma_s: float = 0.015, fc_window_steps: float = 0.45):
    """Walking final contact (FC) of each initial contact ``ic`` from the trunk's vertical jerk.

    McCamley et al. 2012 (*Gait Posture* 36:316) take IC and FC from extrema of the Gaussian-
    differentiated vertical acceleration; with the sign of a derivative (not MATLAB's ``gaus1``,
    whose sign is reversed) both are *peaks of vertical jerk*: every double support begins with
    the leading foot's loading and ends with the trailing foot's push-off and toe-off (Zijlstra
    & Hof 2003, *Gait Posture* 18:1). FC of a foot is the stronger jerk peak within
    ``fc_window_steps`` after the *next* IC, skipping that IC's own loading jerk. A narrow
    Gaussian derivative (``sigma_s`` = 15 ms, McCamley's scale ~ 2 at 100 Hz) keeps the two
    peaks of a double support apart. Returns ``(ic, fc)`` as float sample indices.
    """
    n = v_g.size
    lag = float(np.nanmedian(step_lag)) if np.size(step_lag) else float("nan")
    ic = np.asarray(ic, dtype=np.int64)
    if not np.isfinite(lag) or n < 3 or ic.size < 2:
        return ic.astype(float), np.full(ic.size, np.nan)
    j = gaussian_filter1d(v_g - np.mean(v_g), max(0.5, sigma_s * fs), order=1) * fs  # g/s
    # skip 100 ms: the IC's own loading jerk follows the braking onset by up to ~100 ms (Xsens
    # subjects 1, 2, 4-6: final contacts within 60 ms F1 0.54 with a 40 ms skip, 0.88 with 80 ms,
    # 0.89 with 100 ms)
    skip = max(1, int(round(0.1 * fs)))
    width = max(2, int(round(fc_window_steps * lag * fs)))
    start = ic[1:] + skip
    seg = _gather(j, start, width)
    fc = np.full(ic.size, np.nan)
    fc[:-1] = start + np.argmax(seg, axis=1)
    # a long pause between ICs (stop, U-turn): the contact's end is not in this window
    fc[:-1][np.diff(ic) > 1.6 * lag * fs] = np.nan
    return ic.astype(float), fc


def _keep_active(ic_idx: np.ndarray, to_idx: np.ndarray, active: np.ndarray):
    """Drop contacts that fall where the signal is not gait (standing, noise)."""
    i = np.clip(ic_idx.astype(int), 0, active.size - 1)
    return ic_idx[active[i]], to_idx[active[i]]


def _in_rhythm(ic_idx: np.ndarray, lo: float = 0.6, hi: float = 1.6, half_width: int = 4) -> np.ndarray:
    """Contacts that are one step from a neighbouring contact (a lone jolt is not a step).

    A contact is kept when the interval to its previous or its next contact is between ``lo``
    and ``hi`` times the local step interval (the median of the ``2 * half_width`` intervals
    around it). Gait is a rhythm: a fidget, a bump of the sensor or a jolt next to a walk gives
    isolated or closely spaced peaks instead. The band is a judgement (step-to-step
    variability is a few per cent in steady gait; a turn stretches a step by up to about 50 %).
    """
    k = ic_idx.size
    if k < 2:
        return np.zeros(k, bool)
    d = np.diff(ic_idx)
    pad = np.concatenate([np.full(half_width, np.nan), d, np.full(half_width, np.nan)])
    # intervals around contact i: d[i - half_width : i + half_width] (before and after it)
    win = np.lib.stride_tricks.sliding_window_view(pad, 2 * half_width)[: k]
    local = np.nanmedian(win, axis=1)
    prev = np.concatenate([[np.inf], d])
    nxt = np.concatenate([d, [np.inf]])

    def ok(x):
        return (x >= lo * local) & (x <= hi * local)

    return ok(prev) | ok(nxt)


def _sides(acc, ic_idx, ml_axis_left, warnings) -> np.ndarray:
    n_ev = ic_idx.size
    if n_ev == 0:
        return np.empty(0, dtype=object)
    if ml_axis_left is None:
        warnings.append(Notice("lower-back sensor: left/right cannot be told without the sensor axes; foot = unknown",
                               "side-unknown"))
        return np.full(n_ev, "unknown", dtype=object)
    axis = np.asarray(ml_axis_left, dtype=float)
    axis = axis / np.linalg.norm(axis)
    lat = acc @ axis
    lat = lat - np.mean(lat)
    c = np.concatenate([[0.0], np.cumsum(lat)])
    # the step that follows each IC (to the next IC): the pelvis is over this stance foot; it
    # needs no toe-off, which walking may leave unknown
    a = np.clip(ic_idx.astype(int), 0, lat.size - 1)
    step = int(np.median(np.diff(a))) if a.size > 1 else lat.size - a[0]
    nxt = np.concatenate([a[1:], [a[-1] + step]])
    nxt = np.where(nxt - a > 2 * max(step, 1), a + step, nxt)  # a pause: one typical step
    b = np.clip(nxt, a + 1, lat.size)
    mean_lat = (c[b] - c[a]) / (b - a)
    # the pelvis is over the stance foot and accelerates back toward the midline: during left
    # stance the lateral acceleration points right (negative along the left axis)
    foot = np.where(mean_lat < 0, "left", "right").astype(object)
    return foot


def _empty() -> pd.DataFrame:
    return pd.DataFrame({"time_s": pd.Series(dtype=float), "toe_off_s": pd.Series(dtype=float),
                         "foot": pd.Series(dtype=object), "contact_time_ms": pd.Series(dtype=float),
                         "method": pd.Series(dtype=object)})
