"""Distance covered at every sample: device counter, speed integral, GPS track or foot-IMU strides."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..notice import Notice
from ..geodesy import haversine_m
from ..recording import Recording
from ..schema import float_column, measured_column
from .options import TerrainOptions
from .smoothing import whittaker_smooth


#: Longest distance put on one terrain grid (m): a multi-week ultra is ~5,000 km; beyond this the
#: distance is garbled, and the grid (one cell per few metres) would exhaust memory.
MAX_GRID_DISTANCE_M = 20_000_000.0


def fill_nan_linear(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ok = np.isfinite(y)
    if ok.all() or not ok.any():
        return y
    return np.interp(x, x[ok], y[ok])


def _repair_device_distance(time_s: np.ndarray, dist: np.ndarray, opts: TerrainOptions,
                            warnings: list) -> np.ndarray:
    """Make a device distance counter monotonic: counter resets continue from the last value,
    small backward jitter is held (cumulative maximum), impossible jumps are capped."""
    d = fill_nan_linear(time_s, dist.astype(float))
    if not np.isfinite(d).any():
        return d
    d = d - d[0] if np.isfinite(d[0]) else d
    inc = np.diff(d)
    # a reset: the counter falls by more than half its value (and > 50 m): the activity
    # continues, so the increment across it is the new value, not a negative leap
    prev = d[:-1]
    reset = inc < -np.maximum(50.0, 0.5 * np.abs(prev))
    if reset.any():
        # after a reset the counter restarts near 0: the increment across it is unknown but
        # small (one sample), so it counts as 0
        warnings.append(Notice(f"distance counter reset {int(reset.sum())} time(s); continued from the last value",
                               "distance-repaired"))
        inc = np.where(reset, 0.0, inc)
    # jitter: negative increments are a counter correcting itself; the cumulative maximum holds
    cum = np.concatenate([[0.0], np.cumsum(inc)])
    mono = np.maximum.accumulate(cum)
    n_back = int(np.count_nonzero(np.diff(cum) < -0.5))
    if n_back:
        warnings.append(Notice(f"distance went backwards {n_back} time(s); held at its maximum", "distance-repaired"))
    inc = np.diff(mono)
    dt = np.diff(time_s)
    too_fast = inc > opts.max_speed_mps * np.maximum(dt, 1e-9) + 5.0
    if too_fast.any():
        warnings.append(Notice(f"{int(too_fast.sum())} distance jump(s) faster than {opts.max_speed_mps:g} m/s capped",
                               "distance-repaired"))
        inc = np.where(too_fast, opts.max_speed_mps * dt, inc)
    return np.concatenate([[0.0], np.cumsum(inc)])


def _speed_integral(time_s: np.ndarray, speed: np.ndarray, gaps_s: np.ndarray) -> np.ndarray:
    v = fill_nan_linear(time_s, speed.astype(float))
    v = np.clip(np.nan_to_num(v, nan=0.0), 0.0, None)
    inc = 0.5 * (v[1:] + v[:-1]) * np.diff(time_s)  # trapezoid
    if len(gaps_s):
        # no movement is assumed across a pause: the speed on both sides says nothing about it
        in_gap = np.isin(time_s[:-1], gaps_s[:, 0])
        inc[in_gap] = 0.0
    return np.concatenate([[0.0], np.cumsum(inc)])


def intervals_across(time_s: np.ndarray, breaks_s: np.ndarray) -> np.ndarray:
    """Mask of the intervals ``time_s[i] -> time_s[i + 1]`` that span one of the ``breaks_s``
    rows (start, end), s: the last sample at or before a break's start to the next one."""
    across = np.zeros(max(time_s.size - 1, 0), bool)
    if not len(breaks_s) or not across.size:
        return across
    i = np.searchsorted(time_s, np.asarray(breaks_s, float)[:, 0] + 1e-6, side="right") - 1
    across[i[(i >= 0) & (i < across.size)]] = True
    return across


def untimed_breaks_s(recording: Recording, all_breaks: bool = False) -> np.ndarray:
    """The reader's breaks (gaps of over 10 min inside an activity: a segment break, a lost fix;
    ``metadata["breaks"]``) as (start, end) rows, s. Without ``all_breaks``, a break the device
    timed as a pause of its own (FIT timer stop/start) is left out: the runner stopped the watch
    and may have walked on, so a climb across it can be real (the altitude stage decides)."""
    breaks = np.asarray(recording.metadata.get("breaks") or [], float).reshape(-1, 2)
    if all_breaks or not len(breaks) or recording.source_format != "fit":
        return breaks
    pauses = np.asarray(recording.metadata.get("pauses") or [], float).reshape(-1, 2)
    if not len(pauses):
        return breaks
    timed = ((pauses[None, :, 0] <= breaks[:, None, 0] + 1.0) & (pauses[None, :, 1] >= breaks[:, None, 1] - 1.0)).any(axis=1)
    return breaks[~timed]


def _gps_distance(time_s: np.ndarray, lat: np.ndarray, lon: np.ndarray, opts: TerrainOptions,
                  warnings: list, gaps_s: np.ndarray | None = None,
                  breaks_s: np.ndarray | None = None) -> np.ndarray:
    """Track length from positions, m at ``time_s``: spikes and impossible jumps rejected, the
    track smoothed against jitter (``gps_track_cutoff_s``, :func:`_smoothed_track_steps`), and
    nothing counted across a sampling gap (``gaps_s``) that :func:`paused_gaps` finds a pause
    (the fix wandered, or moved slower than the pace around the gap): as for the device's
    distance and the speed integral, the position's move over a pause is no running."""
    ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    # (0, 0) is a "no fix" placeholder of some devices
    ok &= ~((lat == 0) & (lon == 0))
    idx = np.flatnonzero(ok)
    if idx.size < 2:
        return np.full(time_s.shape, np.nan)
    t, la, lo = time_s[idx], lat[idx], lon[idx]
    # a single wild fix makes two impossible jumps (out and back): drop fixes whose jumps in
    # and out are both faster than max_speed_mps, then measure again
    seg = haversine_m(la[:-1], lo[:-1], la[1:], lo[1:])
    vel = seg / np.maximum(np.diff(t), 1e-9)
    fast = vel > opts.max_speed_mps
    spike = np.zeros(idx.size, bool)
    spike[1:-1] = fast[:-1] & fast[1:]
    if spike.any():
        warnings.append(Notice(f"{int(spike.sum())} GPS position spike(s) faster than {opts.max_speed_mps:g} m/s rejected",
                               "gps-jumps"))
        keep = ~spike
        t, la, lo, idx = t[keep], la[keep], lo[keep], idx[keep]
        seg = haversine_m(la[:-1], lo[:-1], la[1:], lo[1:])
        vel = seg / np.maximum(np.diff(t), 1e-9)
    if opts.gps_track_cutoff_s > 0 and idx.size > 3:
        # pieces between impossible jumps, pauses and breaks are smoothed on their own; the
        # intervals between pieces keep their raw length (judged below as before)
        cut = vel > opts.max_speed_mps
        if gaps_s is not None and len(gaps_s):
            cut |= np.isin(t[:-1], gaps_s[:, 0])
        if breaks_s is not None and len(breaks_s):
            cut |= intervals_across(t, breaks_s)
        seg = np.where(cut, seg, _smoothed_track_steps(t, la, lo, opts.gps_track_cutoff_s, cut))
        vel = seg / np.maximum(np.diff(t), 1e-9)
    jump = vel > opts.max_speed_mps
    if jump.any():
        warnings.append(Notice(f"{int(jump.sum())} GPS position jump(s) faster than {opts.max_speed_mps:g} m/s not counted",
                               "gps-jumps"))
        seg = np.where(jump, 0.0, seg)
    if gaps_s is not None and len(gaps_s):
        seg = np.where(paused_gaps(t, seg, np.isin(t[:-1], gaps_s[:, 0]), opts), 0.0, seg)
    if breaks_s is not None and len(breaks_s):
        # a break of over 10 min (segment break, lost fix) is no running, however far the fix moved
        seg = np.where(intervals_across(t, breaks_s), 0.0, seg)
    d_fix = np.concatenate([[0.0], np.cumsum(seg)])
    # samples between fixes: distance holds until the next fix arrives (no movement invented)
    pos = np.searchsorted(t, time_s, side="right") - 1
    return np.where(pos >= 0, d_fix[np.clip(pos, 0, None)], 0.0)


def paused_gaps(t: np.ndarray, seg: np.ndarray, gap: np.ndarray, opts: TerrainOptions,
                around_s: float = 60.0) -> np.ndarray:
    """Which sampling gaps of a GPS track were pauses (the watch stopped), one per interval.

    A gap is a pause when the fix moved less than ``gps_pause_drift_m`` across it (a standing
    receiver's wander), or moved slower than ``gps_pause_speed_ratio`` times the speed of the
    track in the ``around_s`` on either side of it: a runner whose watch kept recording through
    a lost fix kept about his pace, and the straight line across the gap is at most his path;
    one who stopped the watch (or whose watch paused itself) stood or walked. A device's
    distance counts neither, nor does the speed integral.

    Parameters
    ----------
    t : ndarray
        Times of the fixes, s, strictly increasing.
    seg : ndarray
        Length of each interval ``t[i] -> t[i + 1]``, m.
    gap : ndarray of bool
        The intervals that are sampling gaps (one per interval).
    opts : TerrainOptions
    around_s : float
        How much of the track on each side gives the pace around a gap, s (a minute: several
        fixes at any watch's recording rate, short enough to be the pace of the moment;
        judgement).

    Returns
    -------
    ndarray of bool
        One per interval: True for a gap that was a pause.
    """
    gi = np.flatnonzero(gap)
    paused = np.zeros(seg.size, bool)
    if not gi.size:
        return paused
    move = seg[gi]
    # the track's speed before and after each gap: path length over time of the fixes within
    # around_s, other gaps inside that window left out with their time
    cum = np.concatenate([[0.0], np.cumsum(np.where(gap, 0.0, seg))])
    idle = np.concatenate([[0.0], np.cumsum(np.where(gap, np.diff(t), 0.0))])
    a0 = np.searchsorted(t, t[gi] - around_s, side="left")
    b1 = np.searchsorted(t, t[gi + 1] + around_s, side="right") - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        v_before = (cum[gi] - cum[a0]) / (t[gi] - t[a0] - (idle[gi] - idle[a0]))
        v_after = (cum[b1] - cum[gi + 1]) / (t[b1] - t[gi + 1] - (idle[b1] - idle[gi + 1]))
    sides = np.vstack([v_before, v_after])
    known = np.isfinite(sides)
    n_known = known.sum(axis=0)
    # the mean of the sides that have fixes (none: the drift rule alone decides)
    v_around = np.where(n_known > 0, np.where(known, sides, 0.0).sum(axis=0) / np.maximum(n_known, 1), np.nan)
    v_gap = move / np.maximum(t[gi + 1] - t[gi], 1e-9)
    slow = np.isfinite(v_around) & (v_gap < opts.gps_pause_speed_ratio * v_around)
    paused[gi] = (move < opts.gps_pause_drift_m) | slow
    return paused


def _smoothed_track_steps(t: np.ndarray, lat: np.ndarray, lon: np.ndarray, cutoff_s: float,
                          breaks: np.ndarray | None = None) -> np.ndarray:
    """Distance between consecutive fixes of the track smoothed against position jitter, m.

    The fixes are projected on a local plane (equirectangular about the mean latitude: metres
    within 0.1 % over a run's extent) and each coordinate is smoothed with a Whittaker
    smoother of order 2 (Eilers 2003: the penalised-least-squares twin of a Kalman/RTS
    smoother with a random-acceleration model) of half-power period ``cutoff_s`` (in samples
    of the median interval). Jitter zigzags the raw track and lengthens it by ~2 sigma^2 per
    step (Ranacher et al. 2016, "Why GPS makes distances bigger than they are"); a path that
    turns over more than the cutoff keeps its shape. ``breaks`` (one per interval): where the
    track is cut into independently smoothed pieces.
    """
    r = 6371008.8  # mean Earth radius, m (the one geodesy.haversine_m uses)
    y = np.radians(lat) * r
    x = np.radians(lon) * r * np.cos(np.radians(float(np.mean(lat))))
    dt = np.diff(t)
    cells = cutoff_s / max(float(np.median(dt)), 1e-3)
    xs = whittaker_smooth(x, cells, order=2, breaks=breaks)
    ys = whittaker_smooth(y, cells, order=2, breaks=breaks)
    return np.hypot(np.diff(xs), np.diff(ys))


def speed_from_distance(time_s: np.ndarray, dist: np.ndarray, half_window_s: float = 2.5) -> np.ndarray:
    """Speed from distance over a centred window, m/s (robust to 1 Hz quantisation).

    The distance at the window ends is ``np.interp(end, time_s, dist)``, the ends clipped to
    the recording. For a query equal to a sample time, np.interp returns that sample's distance
    itself (``time_s`` strictly increasing, as a recording's clock is), and on a regular clock
    the ends of sample i's window are the samples i - k and i + k (k: samples in a half
    window): those windows are two slices subtracted, bit for bit what np.interp gives. Such
    an end lies inside the recording, so the clip leaves it as it is and is only applied to
    the other windows (the ends clipped to the recording, clock jitter, gaps), which go
    through np.interp.
    """
    n = time_s.size
    if n < 2:
        return np.zeros_like(time_s)
    k = int(np.searchsorted(time_s, time_s[0] + half_window_s))
    m = n - 2 * k
    num = np.empty(n)
    on_samples = np.zeros(n, dtype=bool)
    if m > 0:
        inner = slice(k, n - k)
        hi_in = time_s[inner] + half_window_s
        lo_in = time_s[inner] - half_window_s
        np.equal(hi_in, time_s[2 * k:], out=on_samples[inner])
        on_samples[inner] &= lo_in == time_s[:m]
        np.subtract(dist[2 * k:], dist[:m], out=num[inner])
        # span of an on-sample window: hi - lo > 0, so the 1e-9 floor below never applies
        np.subtract(hi_in, lo_in, out=hi_in)
        num[inner] /= hi_in
    off = np.flatnonzero(~on_samples)
    t_off = time_s[off]
    lo = np.clip(t_off - half_window_s, time_s[0], time_s[-1])
    hi = np.clip(t_off + half_window_s, time_s[0], time_s[-1])
    num[off] = (np.interp(hi, time_s, dist) - np.interp(lo, time_s, dist)) / np.maximum(hi - lo, 1e-9)
    return num


def _zero_standstill_increments(time_s: np.ndarray, dist: np.ndarray, opts: TerrainOptions) -> np.ndarray:
    """GPS jitter and speed-sensor noise while standing must not add distance."""
    v = speed_from_distance(time_s, dist)
    inc = np.diff(dist)
    moving = (v[1:] >= opts.standstill_speed_mps) | (v[:-1] >= opts.standstill_speed_mps)
    return np.concatenate([[0.0], np.cumsum(np.where(moving, inc, 0.0))])


def _foot_labels(steps: pd.DataFrame) -> np.ndarray:
    """Foot labels as strings: ``"unknown"`` without the column and for a missing label (None,
    NaN, ``pd.NA``), as the detectors label a contact of unknown side.

    A column that already holds only strings (the detectors' output) is taken as it is: the
    conversion would return the same strings after building an Arrow string array.
    """
    if "foot" not in steps:
        return np.array(["unknown"] * len(steps))
    col = steps["foot"]
    if col.dtype == object and pd.api.types.infer_dtype(col, skipna=False) == "string":
        return col.to_numpy()
    missing = col.isna().to_numpy()
    labels = col.to_numpy(dtype=object, copy=True)
    if missing.any():  # pd.NA cannot be compared or sorted; NaN sorted with text fails too
        labels[missing] = "unknown"
    return labels.astype(str)


def _all_equal_first(values: np.ndarray) -> bool:
    """Whether every element of an object array equals its first one (a string).

    A missing label (None, NaN) compares unequal to a string, and ``pd.NA`` makes the compare
    raise TypeError: either way the answer is False, without the separate missing-value scan
    (``hasnans``, ~0.25 ms on 10,000 labels).
    """
    try:
        return bool((values == values[0]).all())
    except TypeError:  # pd.NA: "boolean value of NA is ambiguous"
        return False


def feet_of(steps: pd.DataFrame, use: np.ndarray) -> list[np.ndarray]:
    """Steps of each foot label among the ``use`` steps: ``use & (labels == label)`` per label.

    Labels of :func:`_foot_labels`, in sorted order (np.unique's), from one hash pass over the
    column (pd.factorize) and integer compares, not a string compare of every step per label.
    """
    if "foot" not in steps:
        return [use] if use.any() else []  # "unknown" throughout
    col = steps["foot"]
    values = col.to_numpy()
    if col.dtype == object and values.size and isinstance(values[0], str) and _all_equal_first(values):
        return [use] if use.any() else []  # one label throughout (one sensor): no hashing
    feet = _foot_labels(steps)
    codes, labels = pd.factorize(feet, sort=True)  # no missing label left (see _foot_labels)
    present = np.flatnonzero(np.bincount(codes[use], minlength=len(labels)))
    return [use & (codes == c) for c in present]  # at most three feet labels


def _stride_distance(time_s: np.ndarray, steps: pd.DataFrame) -> np.ndarray | None:
    """Distance from the strapdown stride lengths of measured strides, m at ``time_s``.

    Each measured stride of one foot covers two steps' worth of distance (that foot's contact to
    its next contact), so one foot's cumulative stride length is already the whole distance. With
    both feet measured the two cumulative curves are averaged (not summed). A stride is placed
    from its own contact to the next contact of the same foot (gaitmap stride convention).
    """
    if steps is None or len(steps) == 0 or "stride_length_m" not in steps:
        return None
    sl = float_column(steps, "stride_length_m")
    t = float_column(steps, "time_s")
    use = measured_column(steps) & np.isfinite(t)
    curves = []
    for sel in feet_of(steps, use):  # a loop over at most three feet labels
        sl_f, t_f = sl[sel], t[sel]
        if np.isfinite(sl_f).sum() < 2:
            continue
        order = np.argsort(t_f)
        sl_f, t_f = sl_f[order], t_f[order]
        # a missing stride length inside a run of good ones: the median of its foot's strides
        sl_f = np.where(np.isfinite(sl_f) & (sl_f >= 0), sl_f, np.nanmedian(sl_f))
        # the last stride ends one stride time after its contact
        t_end = t_f[-1] + (np.median(np.diff(t_f)) if t_f.size > 1 else 0.0)
        knots_t = np.concatenate([t_f, [t_end]])
        knots_d = np.concatenate([[0.0], np.cumsum(sl_f)])
        curves.append(np.interp(time_s, knots_t, knots_d))
    if not curves:
        return None
    # one foot: its curve (the mean of one row is the row: x / 1 == x), without the stacked copy
    return curves[0] if len(curves) == 1 else np.mean(curves, axis=0)


def _any_positive(x: np.ndarray) -> bool:
    """``np.nanmax(x) > 0`` (False for an empty array), looking at the last value first: a
    distance curve grows, so its end decides it without a pass over every sample."""
    return x.size > 0 and (bool(x[-1] > 0) or bool(np.any(x > 0)))


def find_channel(recording: Recording, name: str) -> tuple[np.ndarray | None, str | None]:
    """A channel by plain name, or the first sensor-prefixed one ("left.altitude")."""
    if name in recording.channels:
        return recording.channels[name], name
    for key, values in recording.channels.items():
        if key.split(".")[-1] == name:
            return values, key
    return None, None


def cumulative_distance(recording: Recording, steps: pd.DataFrame | None = None,
                        options: TerrainOptions | None = None) -> tuple[np.ndarray, str, list]:
    """Distance covered at every sample of ``recording``, from the best source present.

    Sources, best first: the device's ``distance`` channel (made monotonic: counter resets
    continue, backward jitter held, jumps > ``max_speed_mps`` capped); the trapezoid integral of
    ``speed`` (nothing across pauses); GPS great-circle distance from ``latitude``/``longitude`` (also when the
    ``distance`` channel is a reader's own sum of them, provenance ``"derived: ..."``; nothing across gaps)
    (haversine; spikes and jumps > ``max_speed_mps`` rejected; standstill jitter not counted);
    cumulative strapdown ``stride_length_m`` of measured foot-IMU strides in ``steps``. A
    ``distance`` channel is the device's unless ``metadata["distance_source"]`` is
    ``"positions"`` (or, without that key, its provenance starts with ``"derived"``).

    Parameters
    ----------
    recording : Recording
    steps : DataFrame, optional
        Steps table (for the foot-IMU stride length source).
    options : TerrainOptions, optional

    Returns
    -------
    distance_m : ndarray
        Non-decreasing distance from 0, m, one per sample (all NaN when there is no source).
    source : str
        ``"device distance"``, ``"speed integral"``, ``"GPS great-circle"``,
        ``"foot IMU stride length"`` or ``"none"``.
    warnings : list of str
    """
    opts = options or TerrainOptions()
    t = recording.time_s
    warnings: list[str] = []
    dist, _ = find_channel(recording, "distance")
    # a reader's own sum of positions (GPX, TCX without DistanceMeters) is no device distance:
    # terrain measures the track itself (pauses and standstill jitter left out). The reader
    # says so in metadata["distance_source"] ("device" or "positions"); a distance channel
    # without that word (a Recording built by hand) is taken as measured
    derived = (recording.metadata or {}).get("distance_source") == "positions"
    if (dist is not None and not derived and np.isfinite(dist).sum() >= 2
            and np.nanmax(dist) - np.nanmin(dist) > 0):
        return _repair_device_distance(t, dist, opts, warnings), "device distance", warnings
    speed, _ = find_channel(recording, "speed")
    if speed is not None and np.isfinite(speed).sum() >= 2 and np.nanmax(speed) > 0:
        d = _zero_standstill_increments(t, _speed_integral(t, speed, recording.gaps_s), opts)
        return d, "speed integral", warnings
    lat, _ = find_channel(recording, "latitude")
    lon, _ = find_channel(recording, "longitude")
    if lat is not None and lon is not None:
        d = _gps_distance(t, lat, lon, opts, warnings, recording.gaps_s, untimed_breaks_s(recording, all_breaks=True))
        if np.isfinite(d).any() and np.nanmax(d) > 0:
            return _zero_standstill_increments(t, d, opts), "GPS great-circle", warnings
    d = _stride_distance(t, steps)
    if d is not None and _any_positive(d):
        return d, "foot IMU stride length", warnings
    return np.full(t.shape, np.nan), "none", warnings


def recording_speed(recording: Recording, options: TerrainOptions | None = None) -> tuple[np.ndarray | None, str]:
    """Speed at every sample of ``recording``, m/s: the one place speed is derived.

    The file's own ``speed`` channel where it has one (a device's speed, often Doppler-based,
    is better than any difference of positions); else the derivative of
    :func:`cumulative_distance` (device distance, or the positions' jitter-aware track length)
    over a centred 5 s window (:func:`speed_from_distance`).

    Parameters
    ----------
    recording : Recording
    options : TerrainOptions, optional

    Returns
    -------
    speed_mps : ndarray or None
        One value per sample (NaN where the channel has none); None without any source.
    source : str
        ``"speed channel"``, ``"derived from <distance source>"`` or ``"none"``.
    """
    speed, _ = find_channel(recording, "speed")
    if speed is not None and np.isfinite(speed).sum() >= 2:
        return np.asarray(speed, float), "speed channel"
    dist, src, _ = cumulative_distance(recording, None, options)
    if src == "none" or np.isfinite(dist).sum() < 2:
        return None, "none"
    return sample_speed(recording, dist), f"derived from {src}"


def sample_speed(recording: Recording, distance_m: np.ndarray, derived: np.ndarray | None = None) -> np.ndarray:
    """:func:`recording_speed` given the distance already measured, m/s per sample.

    ``derived``: ``speed_from_distance(recording.time_s, distance_m)`` when the caller has it.
    """
    speed, _ = find_channel(recording, "speed")
    if speed is not None and np.isfinite(speed).sum() >= 2:
        return np.asarray(speed, float)
    return speed_from_distance(recording.time_s, distance_m) if derived is None else derived
