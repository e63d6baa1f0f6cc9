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
    pulse on the falling edge, or, when the edge pauses in a push-off shoulder just before it
    (uphill), the end of that shoulder (:func:`toe_off`). Only whole rises are timed (a contact
    already under way at the first sample has no IC). Checked against a force treadmill on 10
    sacral trials (2 speeds x 5 slopes; ``benchmarks/validate.py``): IC F1 1.00 within 40 ms
    on every slope and speed, TO F1 0.96-1.00.
Walking (no flight phase)
    IC is the onset of the heel-strike braking: the sharpest drop of the trunk's forward
    acceleration (Zijlstra & Hof 2003), on the anterior-posterior axis found from the signal
    (:func:`~gaitload.events.lumbar_walking.walking_braking`); final contact is the push-off peak of vertical jerk in the next
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
from typing import ClassVar

import numpy as np
import pandas as pd
from scipy import signal as sps

from ..notice import Notice
from ..errors import SignalError
from ..quantiles import median
from .filters import butterworth, gather_rows, norm3, snap_rate
from .lumbar_walking import walking_braking, walking_final_contact
from .options import DetectorOptions, require_choice, require_positive, require_range
from .placement import G, CadenceTrack, cadence_track, fill_nan

__all__ = ["detect_lumbar_events", "LumbarOptions", "gait_presence", "GaitGate", "step_peaks", "initial_contact",
           "lead_toe_off", "toe_off"]

#: width of the centred box that averages sensor noise on the onset signal, s
ONSET_BOX_S = 0.005


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
    """Centred moving standard deviation over ``width`` samples (cumulative sums, O(n)).

    Every window is whole (shifted inwards at the two ends). np.std of each sliding window
    gives the same numbers to ~1e-9 in 110 ms against 13 ms for 1 s windows over an hour at 100 Hz.
    """
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
    norm = norm3(grav)  # np.linalg.norm(grav, axis=1), bit for bit, without its temporaries
    norm[norm == 0] = 1.0
    return grav, norm


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


@dataclass(frozen=True)
class LumbarOptions(DetectorOptions):
    """Options of :func:`detect_lumbar_events` (checked when built; unknown names refused).

    Attributes
    ----------
    method : {"auto", "running", "walking"}
        ``auto`` takes the running method when most steps show a flight phase (a vertical
        specific force below ``flight_max_g`` between steps), else the walking method.
    lowpass_hz : float
        Low-pass cut-off of the vertical signal, Hz (running contacts carry little above 20 Hz
        at the trunk; judgement).
    min_regularity : float
        Windows whose step or stride autocorrelation is below this are not gait (Moe-Nilssen &
        Helbostad 2004: healthy gait 0.5-0.9; see :func:`gait_presence`).
    min_amplitude_g : float
        Windows whose vertical standard deviation is below this are not gait, g (judgement
        between the Xsens standing and walking levels, :func:`gait_presence`).
    min_activity_g : float
        Samples whose 1 s moving standard deviation is below this are not gait, g (same).
    flight_max_g : float
        Median flight minimum below which the gait is running, g (a flight reads ~0 g; walking's
        minima stay near 0.6-0.8 g; judgement).
    onset_box_s : float
        Width of the centred box that averages sensor noise on the onset signal, s (5 ms: a box
        has no pre-ringing, so the impact jump is not anticipated; judgement).
    ic_edge_low_fraction, ic_edge_high_fraction : float
        The two levels of the rising edge (fractions of the pulse) whose line, extended back to
        the flight level, is IC (40 % and 60 %; measured on the sacral force-treadmill trials,
        :func:`initial_contact`).
    ic_onset_fraction : float
        IC never precedes the rise through this fraction of the pulse (5 %; judgement).
    grounded_min_g : float
        A step whose preceding minimum is above this had no flight (IC from the impact
        transient), g (0.2 g; judgement).
    to_offset_fraction : float
        TO is the last fall through the flight level plus this fraction of the pulse (10 %:
        the force plate's 0.1 body weight plus the soft-tissue tail; :func:`toe_off`).
    to_shoulder_window_s : float
        A shoulder of the falling edge (push-off) within this time before the offset crossing
        is TO instead, s (40 ms, the late push-off hump of uphill running; :func:`toe_off`).
    to_shoulder_rate_fraction : float
        A shoulder is where the edge falls at less than this fraction of its steepest rate
        (30 %; :func:`toe_off`).
    to_shoulder_level_fraction : float
        ... and still stands this fraction of the pulse above the flight level (20 %).
    """

    detector: ClassVar[str] = "lumbar"

    method: str = "auto"
    lowpass_hz: float = 20.0
    min_regularity: float = 0.3
    min_amplitude_g: float = 0.08
    min_activity_g: float = 0.02
    flight_max_g: float = 0.35
    onset_box_s: float = ONSET_BOX_S
    ic_edge_low_fraction: float = 0.4
    ic_edge_high_fraction: float = 0.6
    ic_onset_fraction: float = 0.05
    grounded_min_g: float = 0.2
    to_offset_fraction: float = 0.1
    to_shoulder_window_s: float = 0.04
    to_shoulder_rate_fraction: float = 0.3
    to_shoulder_level_fraction: float = 0.2

    def check(self) -> None:
        require_choice(self, "method", ("auto", "running", "walking"))
        require_positive(self, "lowpass_hz", "min_amplitude_g", "flight_max_g")
        require_range(self, "min_regularity", 0.0, 1.0)
        require_range(self, "min_activity_g", 0.0, 1.0)
        require_range(self, "onset_box_s", 0.0, 0.05)
        require_range(self, "ic_edge_low_fraction", 0.05, 0.9)
        require_range(self, "ic_edge_high_fraction", self.ic_edge_low_fraction + 0.05, 0.95)
        require_range(self, "ic_onset_fraction", 0.0, 0.5)
        require_range(self, "grounded_min_g", 0.0, 1.0)
        require_range(self, "to_offset_fraction", 0.0, 0.5)
        require_range(self, "to_shoulder_window_s", 0.0, 0.2)
        require_range(self, "to_shoulder_rate_fraction", 0.0, 1.0)
        require_range(self, "to_shoulder_level_fraction", self.to_offset_fraction, 1.0)


def detect_lumbar_events(time_s: np.ndarray, acc_mps2: np.ndarray, sampling_rate_hz: float,
                         options: LumbarOptions | None = None, *, ml_axis_left: np.ndarray | None = None,
                         **option_values) -> tuple[pd.DataFrame, list[str]]:
    """Foot contacts of both feet from a lower-back accelerometer (one contiguous segment).

    Parameters
    ----------
    time_s : ndarray, shape (n,)
        Sample times, s (regular sampling, no gaps).
    acc_mps2 : ndarray, shape (n, 3)
        Accelerometer, m/s^2, any orientation (vertical is found from gravity).
    sampling_rate_hz : float
        Sampling rate, Hz (>= 40 Hz for running timing).
    options : LumbarOptions, optional
        The detector's options (defaults when omitted).
    ml_axis_left : ndarray, shape (3,), optional
        Sensor-frame unit vector pointing to the runner's left, if known; enables sides.
    **option_values
        Options by name (``method="walking"``...), applied over ``options`` and checked by
        :meth:`LumbarOptions.coerce` (an unknown name is an ``OptionError``).

    Returns
    -------
    events : DataFrame
        ``time_s, toe_off_s, foot, contact_time_ms, method`` one row per detected contact. A
        running contact already under way at the first sample (its IC is before the recording)
        is a first row with its toe-off and ``time_s`` (and ``contact_time_ms``) NaN.
    warnings : list of str
    """
    opt = LumbarOptions.coerce(options, **option_values)
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
    fv = butterworth(v_g, fs, min(opt.lowpass_hz, 0.45 * fs))
    gate = gait_presence(fv, fs, min_regularity=opt.min_regularity, min_amplitude_g=opt.min_amplitude_g,
                         min_activity_g=opt.min_activity_g)
    track, gait_w, active = gate.track, gate.gait_windows, gate.active
    if not active.any():
        warnings.append(Notice("no periodic gait found in the lower-back signal (constant, noise or standing)",
                               "no-steps"))
        return _empty(), warnings
    min_lag = float(np.percentile(track.step_lag_s[gait_w], 5))
    peaks = step_peaks(fv, fs, min_lag, float(np.percentile(gate.amplitude_g[gait_w], 50)), active)
    if peaks.size < 2:
        warnings.append(Notice("fewer than two steps found in the lower-back signal", "no-steps"))
        return _empty(), warnings
    step_lag = track_at(track.center_s, track.step_lag_s, peaks, fs)  # the local step at each peak
    half = np.round(0.55 * step_lag * fs).astype(int)
    w = int(half.max()) + 1
    # flight minima before / after each peak
    before = gather_rows(fv, peaks - w, w)
    mask_b = np.arange(w)[None, :] < (w - half)[:, None]
    before_min = np.where(mask_b, np.inf, before).min(axis=1)
    after = gather_rows(fv, peaks, w + 1)
    mask_a = np.arange(w + 1)[None, :] > half[:, None]
    after_min = np.where(mask_a, np.inf, after).min(axis=1)
    flight = np.median(np.minimum(before_min, after_min))
    use_running = opt.method == "running" or (opt.method == "auto" and flight < opt.flight_max_g)
    if use_running:
        # onset signal: a short centred box (about 5 ms) only averages sensor noise; unlike a
        # zero-phase Butterworth it has no pre-ringing that would cross the threshold early
        box = 2 * int(round(opt.onset_box_s * fs / 2)) + 1
        fj = np.convolve(v_g, np.ones(box) / box, mode="same") if box > 1 else v_g
        resid = fj - fv
        noise_g = 1.4826 * float(median(np.abs(resid - median(resid))))
        ic_idx = initial_contact(fv, fj, peaks, half, w, fs, noise_g, opt)
        # the flight after a step is searched within 0.55 step; but when the lowest point there
        # is a dip (the signal rises again inside the window) above the flight level
        # (flight_max_g: a flight is free fall, ~0 g) and the signal reaches that level only
        # later, before the next step's peak (up to one step), the dip is inside the stance,
        # before a late push-off hump (4.17 m/s, +10 degrees: TO 64 ms early at the dip):
        # the flight is the later one
        reach = np.round(step_lag * fs).astype(int)
        reach = np.minimum(np.concatenate([np.diff(peaks), [reach[-1]]]), reach)
        wr = int(max(reach.max(), half.max())) + 1
        seg = gather_rows(fv, peaks, wr)
        col = np.arange(wr)[None, :]
        in_half = np.where(col <= half[:, None], seg, np.inf)
        j_half = np.argmin(in_half, axis=1)
        lo_half = in_half[np.arange(peaks.size), j_half]
        lo_reach = np.where(col <= reach[:, None], seg, np.inf).min(axis=1)
        dip = (j_half < half) & (lo_half > opt.flight_max_g) & (lo_reach <= opt.flight_max_g)
        half_to = np.where(dip, np.maximum(reach, half), half)
        to_idx = toe_off(fv, fj, peaks, half_to, max(w, wr), fs, noise_g, opt)
        lead_to = lead_toe_off(fv, fj, peaks, ic_idx, half, fs, noise_g, opt)
        tag = "running: tangent onset and push-off / 10 % offset of the vertical force pulse"
    else:
        lag_w = float(np.nanmedian(track.step_lag_s[gait_w]))
        ic_brake = walking_braking(acc, vertical, gravity[0] / gravity[1][:, None], fs, lag_w, active)
        ic_idx, to_idx = walking_final_contact(v_g, fs, track.step_lag_s[gait_w], ic_brake)
        ic_idx, to_idx = _keep_active(ic_idx, to_idx, active)
        lead_to = np.nan  # the walking method times no contact without its IC
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
    # the contact under way at the first sample: a row with its toe-off and no IC (NaN time),
    # kept only when it ends before the first timed contact begins
    lead = bool(np.isfinite(lead_to) and (ic_idx.size == 0 or lead_to < ic_idx[0]))
    if lead:
        to_idx = np.concatenate([[lead_to], to_idx])
    t = np.asarray(time_s, dtype=np.float64)
    idx = np.arange(n)
    ic_t = np.interp(ic_idx, idx, t)
    to_t = np.interp(to_idx, idx, t)
    # its side: the pelvis over that foot from the first sample to the next IC
    foot = _sides(acc, np.concatenate([[0.0], ic_idx]) if lead else ic_idx, ml_axis_left, warnings)
    if lead:
        ic_t = np.concatenate([[np.nan], ic_t])
    ev = pd.DataFrame({"time_s": ic_t, "toe_off_s": to_t, "foot": foot,
                       "contact_time_ms": (to_t - ic_t) * 1000.0, "method": tag})
    return ev, warnings


def step_peaks(fv: np.ndarray, fs: float, min_lag_s: float, amplitude_g: float, active: np.ndarray) -> np.ndarray:
    """Sample index of each step's vertical peak (mid-stance), one per step.

    The vertical signal is smoothed at 1.6x the fastest step frequency (``1 / min_lag_s``) so
    each step is one hump, and peaks are at least 0.6 of that step apart and stand out by a
    quarter of the gait's median standard deviation ``amplitude_g`` (judgement). Only peaks
    where the signal is gait (``active``) are kept.
    """
    n = fv.size
    smooth = butterworth(fv, fs, min(1.6 / min_lag_s, 0.45 * fs))
    dist = max(1, int(0.6 * min_lag_s * fs))
    # padded ends (at the signal's minimum): a step next to the recording's start or end still
    # stands out from the signal around it (its prominence is not cut short; a 5 s lab trial
    # has 15 steps, one near each end); a peak on the first sample has no rise to time
    pad = min(dist, n - 1)
    peaks, _ = sps.find_peaks(np.pad(smooth, pad, constant_values=float(smooth.min())), distance=dist,
                              prominence=0.25 * amplitude_g)
    peaks = peaks - pad
    peaks = peaks[(peaks > 0) & (peaks < n)]
    return peaks[active[peaks]]


def initial_contact(fv: np.ndarray, fj: np.ndarray, peaks: np.ndarray, half: np.ndarray, w: int,
                    fs: float, noise_g: float, opt: LumbarOptions) -> np.ndarray:
    """Running IC: onset of the vertical force pulse before each step peak (fractional samples).

    IC is the *tangent onset* of the rising edge: the line through the crossings of the edge's
    ``ic_edge_low_fraction`` and ``ic_edge_high_fraction`` (40 % and 60 %) of the pulse,
    between the flight minimum before the step and its mid-stance level, extended back to the
    flight level (Lee et al. 2010 time trunk contacts from the same vertical rise). The
    mid-edge is used because the bottom of the rise is not the force's: on the sacral
    force-treadmill trials (Alcantara et al.) the pelvis already accelerates upward before the
    foot lands on a downhill (a 0.2-0.4 g pre-contact rise, which a 5-25 % threshold crossed
    15-60 ms early), and uphill the rise is slow, so a single high threshold is late (0.5 g:
    +17 ms at +10 degrees). Measured on those trials, the 40-60 % tangent is within +-10 ms
    median on 9 of 10 trials (chosen on the 2.5 m/s trials, the 4.17 m/s ones held out;
    judgement). It never precedes the rise through ``ic_onset_fraction`` (5 %) of the pulse.
    When a step has no flight (uphill "grounded" running, the previous foot still loaded at IC:
    minimum above ``grounded_min_g``), the onset is hidden in the previous pulse's falling edge;
    there IC is the impact transient, the last local maximum of ``fj`` on the falling edge in
    the 80 ms before the valley (the impact is the first vertical acceleration peak of stance at
    the trunk; Bergamini et al. 2012). ``noise_g`` keeps the levels above the sensor noise.
    NaN where the pulse does not rise by 0.1 g or the recording cuts its rise.
    """
    k = peaks.size
    rows = np.arange(k)
    cols = np.arange(w)[None, :]
    seg_b = gather_rows(fv, peaks - w + 1, w)  # ends at the peak
    valid_b = cols >= (w - 1 - half)[:, None]
    # the flight minimum nearest the rise (ties, e.g. a signal clipped at 0 g, go to the last)
    jmin_b = w - 1 - np.argmin(np.where(valid_b, seg_b, np.inf)[:, ::-1], axis=1)
    lo_b = seg_b[rows, jmin_b]
    top = fv[peaks]
    segj = gather_rows(fj, peaks - w + 1, w)
    rise = np.where(cols >= jmin_b[:, None], segj, (lo_b - 1.0)[:, None])  # nothing before the minimum
    f1, f2 = opt.ic_edge_low_fraction, opt.ic_edge_high_fraction
    c1 = _crossing(rise, lo_b + np.maximum(f1 * (top - lo_b), 4.0 * noise_g), rising=True)
    c2 = _crossing(rise, lo_b + np.maximum(f2 * (top - lo_b), 8.0 * noise_g), rising=True)
    tangent = c1 - np.maximum(c2 - c1, 0.0) * (f1 / (f2 - f1))
    started = peaks - w + 1 + tangent >= 0  # False: the contact began before the recording
    # never before the signal has begun to rise (an impact spike through 40 % and a later
    # active peak through 60 % make a shallow line that would reach back into the flight)
    c0 = _crossing(rise, lo_b + np.maximum(opt.ic_onset_fraction * (top - lo_b), 4.0 * noise_g), rising=True)
    ic = np.maximum(tangent, np.maximum(c0, jmin_b))
    grounded = lo_b > opt.grounded_min_g
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
    ic_idx = peaks - w + 1 + ic
    # a rise cut by the recording's start cannot be timed: the tangent reaches back before the
    # first sample, or the flight minimum is the first sample and IC is on it (the signal is
    # already rising there)
    cut = ~started | ((peaks - w + 1 + jmin_b <= 0) & (ic <= jmin_b + 1))
    # no rise of 0.1 g: not a pulse. The trunk's vertical specific force averages 1 g over a
    # step (impulse-momentum), so a stance pulse rises above 1 g and the trough between steps
    # is below it: a "pulse" from above 1 g is a hump inside a stance cut by the recording's
    # start, and a rise still below 1 g at the last sample has not yet shown its pulse (its
    # 40 % / 60 % levels would be a fraction of a fraction)
    rising_at_end = (peaks >= fv.size - 1) & (top <= 1.0)
    return np.where((top - lo_b < 0.1) | (lo_b >= 1.0) | rising_at_end | cut, np.nan, ic_idx)


def toe_off(fv: np.ndarray, fj: np.ndarray, peaks: np.ndarray, half: np.ndarray, w: int,
            fs: float, noise_g: float, opt: LumbarOptions) -> np.ndarray:
    """Running TO: end of the vertical force pulse after each step peak (fractional samples).

    The offset is the last crossing, on the falling edge, of the flight level after the step
    plus ``to_offset_fraction`` of the pulse: the force-plate convention of a small force
    threshold (0.1 body weight on a 2-3 body-weight pulse is 3-5 %), raised to 10 % because the
    sacral signal falls with a soft-tissue tail (on the sacral force-treadmill trials 5 % is
    17-36 ms late; judgement).

    Push-off shoulder: running uphill the trailing leg's push-off (hip extension and ankle
    plantarflexion, which carry the propulsion on a slope; Roberts & Belliveau 2005) gives the
    pelvis a last upward push at the end of stance, so the falling edge pauses in a shoulder or
    a small hump that ends as the foot leaves the ground; the trunk then falls freely, and the
    fall to the flight level lags the force by 30-40 ms (on those trials the 10 % crossing is
    +31 to +36 ms late at +5 and +10 degrees, 4.17 m/s). So when, within
    ``to_shoulder_window_s`` (40 ms) before the offset crossing, the edge falls at less than
    ``to_shoulder_rate_fraction`` (30 %) of its steepest rate while still
    ``to_shoulder_level_fraction`` (20 %) of the pulse above the flight level, TO is the last
    such sample. A smooth fall (level and downhill running) has no such pause near its foot,
    and keeps the offset crossing. Measured there (TO within 40 ms of the force plate): F1
    0.962 -> 0.984 over the 10 trials, 4.17 m/s +5 / +10 degrees median error +29 / +33 ms ->
    +6 / +9 ms, the Fukuchi runs (level, virtual sacrum; not used to choose) unchanged. The
    three thresholds were chosen on all 10 trials, round values inside a plateau of equal
    scores (window 40-50 ms, rate 20-30 %, level 0-20 %; judgement). NaN where the pulse does not fall by 0.1 g or the fall reaches
    the recording's end.
    """
    k = peaks.size
    n = fv.size
    rows = np.arange(k)
    cols = np.arange(w)[None, :]
    seg_a = gather_rows(fv, peaks, w)  # starts at the peak
    valid_a = cols <= half[:, None]
    jmin_a = np.argmin(np.where(valid_a, seg_a, np.inf), axis=1)
    lo_a = seg_a[rows, jmin_a]
    top = fv[peaks]
    pulse = top - lo_a
    segja = gather_rows(fj, peaks, w)
    falling = cols <= jmin_a[:, None]
    fall = np.where(falling, segja, (lo_a - 1.0)[:, None])
    to = _crossing(fall, lo_a + np.maximum(opt.to_offset_fraction * pulse, 4.0 * noise_g), rising=False)
    # fall rate of the low-passed signal (g per sample): a shoulder lasts tens of ms, while the
    # onset signal's sample-to-sample noise would make flat spots anywhere on a fast fall
    rate = np.gradient(seg_a, axis=1)
    steepest = np.min(np.where(falling, rate, 0.0), axis=1)  # the most negative rate on the edge
    back = opt.to_shoulder_window_s * fs
    shoulder = ((cols < to[:, None]) & (cols >= (to - back)[:, None])
                & (rate >= opt.to_shoulder_rate_fraction * steepest[:, None])
                & (seg_a - lo_a[:, None] >= opt.to_shoulder_level_fraction * pulse[:, None]))
    has = shoulder.any(axis=1)
    last = w - 1 - np.argmax(shoulder[:, ::-1], axis=1)
    to = np.where(has, last, to)
    to_idx = peaks + to
    # no fall of 0.1 g: not a pulse; the fall's foot at the recording's last sample: cut short
    return np.where((pulse < 0.1) | (peaks + jmin_a >= n - 1), np.nan, to_idx)


def lead_toe_off(fv: np.ndarray, fj: np.ndarray, peaks: np.ndarray, ic_idx: np.ndarray, half: np.ndarray,
                 fs: float, noise_g: float, opt: LumbarOptions) -> float:
    """Running TO of a contact already under way at the recording's first sample (fractional
    sample, NaN when there is none).

    The trunk's vertical specific force averages 1 g over a step (impulse-momentum), so a
    stance pulse stands above 1 g and flight below it: a signal at or above 1 g from the first
    sample is a stance whose IC the recording does not show, but whose toe-off it does. Either
    the first step peak is that contact (its IC cut by the start, the signal never below 1 g
    between the first sample and the peak), or the recording starts past that contact's peak
    (no step peak: its rise is cut) and the contact is the part before the flight minimum that
    precedes the first peak; its top is then the highest sample there. The toe-off is timed by
    :func:`toe_off`, like every other contact, and is kept only ``to_shoulder_window_s`` or more
    after the first sample (the shoulder rule needs that window, and the trunk's fall lags the
    force by up to that much). On the sacral force-treadmill trials (Alcantara et al.) this
    times the four toe-offs of contacts under way at a trial's start (2.5 m/s, -5 to +10
    degrees; -10 to +28 ms from the force plate) and adds none elsewhere (a 4.17 m/s trial
    starting at the foot of a fall, whose toe-off is before the first sample, is refused by
    the window).
    """
    # the stance test reads the onset signal at its first full box: the zero-phase low-pass's
    # edge transient can lift the first samples of a flight above 1 g (+0.5 g seen)
    first = fj[min(int(round(opt.onset_box_s * fs / 2)), fj.size - 1)]
    if peaks.size == 0 or fv[0] < 1.0 or first < 1.0:
        return np.nan
    p0 = int(peaks[0])
    if not np.isfinite(ic_idx[0]) and fv[: p0 + 1].min() >= 1.0:
        pk, hf = peaks[:1], half[:1]
    else:
        m = int(np.argmin(fv[: p0 + 1]))  # the flight before the first peak
        if m == 0 or fv[m] >= 1.0:
            return np.nan
        top = int(np.argmax(fv[:m]))
        pk, hf = np.array([top]), np.array([m - top])
    to = float(toe_off(fv, fj, pk, hf, int(hf[0]) + 1, fs, noise_g, opt)[0])
    # the rule looks back ``to_shoulder_window_s`` for a push-off shoulder, and the trunk's
    # fall lags the force by up to that much: a crossing closer to the start may be the tail of
    # a toe-off before the recording
    return to if to >= opt.to_shoulder_window_s * fs else np.nan


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

