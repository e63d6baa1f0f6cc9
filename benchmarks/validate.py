#!/usr/bin/env python
"""Foot-contact accuracy on real recordings with reference events, against simple baselines.

Usage (from the repository root)::

    PYTHONPATH=src .venv/bin/python benchmarks/validate.py            # every recording (~1 min)
    PYTHONPATH=src .venv/bin/python benchmarks/validate.py --only sacral,xsens-lb
    PYTHONPATH=src .venv/bin/python benchmarks/validate.py --per-trial # one row per trial/subject

Reads the recordings of ``../shared/data`` (``GAITLOAD_SHARED_DATA`` overrides; nothing is copied
into the project) and prints one table: recording, placement and condition, the reference, the
method, and its scores. Every baseline runs in the same process on the same samples:

- ``fixed 0.5 g``: initial contact (IC) where the sacral vertical channel rises through 0.5 g,
  toe-off (TO) where it falls through it (the simple rule the alcantara data README quotes);
- ``McCamley 2012``: the published lower-back walking method (integrate the vertical
  acceleration, Gaussian-differentiate with the sign of MATLAB's gaus1 wavelet: IC at its minima; Gaussian width 10 samples at 100 Hz);
- ``skdh GaitLumbar``: scikit-digital-health's lower-back gait events, when it is installed;
- ``gyro mid-swing``: for a foot sensor, IC at the first minimum of the sagittal angular rate
  in the 0.35 s after each mid-swing peak (Aminian et al. 2002, Salarian et al. 2004).

gaitmap is not run: its wheels pin numpy 2.0 / pandas 2.3, older than this project's, so it
cannot share the environment (see README, accuracy table).

Scores: a detection matches the nearest reference within the tolerance, one to one. Recall =
matched references / references; precision = matched detections / detections inside the
reference span and outside gaps in the references (:func:`reference_gaps`: the Xsens
references leave out most U-turn steps); F1 their
harmonic mean; ``med`` = median signed error of matched ICs, ms (positive: late).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
G = 9.80665
SHARED = Path(os.environ.get("GAITLOAD_SHARED_DATA", ROOT.parent / "shared" / "data"))
if not SHARED.is_dir():
    SHARED = Path("/work/shared/data")

#: running contacts last 150-300 ms: a detection counts within 40 ms of the force plate (judgement;
#: the median error is reported beside it)
RUN_TOL_S = 0.040
#: the Xsens references' own tolerance (Voisard et al., IPOL) and the issue's criterion
WALK_TOL_S = 0.060
#: shoe IMU vs motion capture (the gaitmap example's convention)
SHOE_TOL_S = 0.050

XSENS_SUBJECTS = (1, 2, 4, 5, 6, 7, 8, 9, 10)
#: Xsens MTw on the lower back: +Y is the subject's left
XSENS_LEFT = np.array([0.0, 1.0, 0.0])


# ---------------------------------------------------------------------------------------------
# matching
# ---------------------------------------------------------------------------------------------

def match(det, ref, tol_s, span=None, exclude=None):
    """One-to-one nearest matching of detections ``det`` to references ``ref`` (s).

    Returns (n_matched, n_ref, n_det_considered, signed errors of matched pairs in s).
    Detections outside ``span`` (lo, hi) or inside one of the ``exclude`` intervals (more than
    the tolerance from both ends) are not counted.
    """
    det = np.sort(np.asarray(det, float)[np.isfinite(det)])
    ref = np.sort(np.asarray(ref, float)[np.isfinite(ref)])
    if span is not None:
        det = det[(det >= span[0] - tol_s) & (det <= span[1] + tol_s)]
    for lo, hi in exclude or ():
        det = det[~((det > lo + tol_s) & (det < hi - tol_s))]
    if det.size == 0 or ref.size == 0:
        return 0, ref.size, det.size, np.zeros(0)
    # all pairs within tolerance, greedily by distance (few hundred events: cheap)
    d = det[None, :] - ref[:, None]
    i, j = np.nonzero(np.abs(d) <= tol_s)
    order = np.argsort(np.abs(d[i, j]), kind="stable")
    used_r, used_d, errs = set(), set(), []
    for a, b in zip(i[order], j[order]):
        if a in used_r or b in used_d:
            continue
        used_r.add(a)
        used_d.add(b)
        errs.append(d[a, b])
    return len(errs), ref.size, det.size, np.asarray(errs)


def reference_gaps(ref, factor=2.0):
    """Intervals between consecutive reference events longer than ``factor`` times their median
    interval: the Xsens references leave out most U-turn steps and a few stretches of a walk
    (gaps of 1-6 s between heel strikes half a second apart elsewhere), so a detection there
    can be neither confirmed nor refuted; judgement."""
    r = np.sort(np.asarray(ref, float))
    if r.size < 3:
        return []
    d = np.diff(r)
    big = np.flatnonzero(d > factor * np.median(d))
    return [(r[i], r[i + 1]) for i in big]


@dataclass
class Score:
    tp_ref: int = 0
    n_ref: int = 0
    tp_det: int = 0
    n_det: int = 0
    errs: list = None

    def add(self, m):
        tp, nr, nd, e = m
        self.tp_ref += tp
        self.tp_det += tp
        self.n_ref += nr
        self.n_det += nd
        self.errs = (self.errs or []) + [e]

    @property
    def recall(self):
        return self.tp_ref / self.n_ref if self.n_ref else float("nan")

    @property
    def precision(self):
        return self.tp_det / self.n_det if self.n_det else float("nan")

    @property
    def f1(self):
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r > 0 else 0.0

    @property
    def median_ms(self):
        e = np.concatenate(self.errs) if self.errs else np.zeros(0)
        return 1000 * float(np.median(e)) if e.size else float("nan")


# ---------------------------------------------------------------------------------------------
# loaders
# ---------------------------------------------------------------------------------------------

def alcantara_trials(shared: Path = SHARED):
    """The 10 sacral running trials: dicts with fs, vertical and AP acceleration (g), force
    plate IC / TO times (s), speed (m/s) and slope (degrees)."""
    d = shared / "alcantara-sacral-running-grf" / "data"
    acc = np.loadtxt(d / "Accelerometer_one_sub.csv", delimiter=",")
    grf = np.loadtxt(d / "GRF_one_sub.csv", delimiter=",")
    info = pd.read_csv(d / "Sub_Info_one_sub.csv")
    fs = 500.0
    out = []
    for k in range(acc.shape[0]):
        n = grf.shape[1]
        on = grf[k] > 0.1  # contact: surface-normal force above 0.1 body weight
        edges = np.diff(on.astype(int))
        ic = np.flatnonzero(edges == 1) + 1
        to = np.flatnonzero(edges == -1) + 1
        # interpolate the 0.1 BW crossing between samples
        f = grf[k]
        ic_t = (ic - 1 + (0.1 - f[ic - 1]) / (f[ic] - f[ic - 1])) / fs
        to_t = (to - 1 + (0.1 - f[to - 1]) / (f[to] - f[to - 1])) / fs
        out.append(dict(name=f"{info.Speed[k]:.2f} m/s {info.Slope[k]:+d} deg", fs=fs,
                        vert_g=acc[k, :n], ap_g=acc[k, n:], ic_s=ic_t, to_s=to_t,
                        speed=float(info.Speed[k]), slope=int(info.Slope[k]), span=(0.0, n / fs)))
    return out


def xsens_trials(shared: Path = SHARED, subjects=XSENS_SUBJECTS):
    """Every Xsens walking trial of the given subjects: dict of name, subject, and per sensor
    (lb, lf, rf) time (s), acc (m/s^2), gyr (rad/s) on the packet clock; reference events (s)."""
    d = shared / "voisard-ipol-walking-footimu" / "GaitData"
    for js in sorted(d.glob("*.json"), key=lambda p: tuple(int(x) for x in p.stem.split("-"))):
        subj = int(js.stem.split("-")[0])
        if subj not in subjects:
            continue
        ref = json.loads(js.read_text())
        sensors = {}
        for s in ("lb", "lf", "rf"):
            x = pd.read_csv(d / f"{js.stem}_{s}.txt", sep="\t", skiprows=1)
            pc = x["PacketCounter"].to_numpy()
            # the references count packets and packets were lost: resample on the packet clock
            grid = np.arange(pc[0], pc[-1] + 1)
            acc = np.column_stack([np.interp(grid, pc, x[f"Acc_{a}"]) for a in "XYZ"])
            gyr = np.column_stack([np.interp(grid, pc, x[f"Gyr_{a}"]) for a in "XYZ"])
            sensors[s] = (grid / 100.0, acc, gyr)
        left = np.asarray(ref["LeftFootEvents"], dtype=float) / 100.0
        right = np.asarray(ref["RightFootEvents"], dtype=float) / 100.0
        yield dict(name=js.stem, subject=subj, sensors=sensors, left_hs=left[:, 1], right_hs=right[:, 1],
                   left_to=left[:, 0], right_to=right[:, 0],
                   span=(min(left[:, 0].min(), right[:, 0].min()), max(left[:, 1].max(), right[:, 1].max())),
                   turn=tuple(np.asarray(ref["UTurnBoundaries"], dtype=float) / 100.0))


def _debounce(on, min_off, min_on):
    """Close gaps shorter than ``min_off`` samples in a boolean mask, then drop runs shorter
    than ``min_on``."""
    on = on.copy()
    for value, shortest in ((False, min_off), (True, min_on)):
        e = np.flatnonzero(np.diff(np.concatenate([[not on[0]], on, [not on[-1]]]).astype(int)) != 0)
        starts, ends = e[:-1], e[1:]
        short = (on[starts] == value) & (ends - starts < shortest) & (starts > 0) & (ends < on.size)
        for a, b in zip(starts[short], ends[short]):  # a few runs, not samples
            on[a:b] = not value
    return on


def fukuchi_runs(shared: Path = SHARED, cutoff_hz: float = 15.0):
    """The two RBDS treadmill runs (2.5 m/s, 30 s): a *virtual* sacral accelerometer (second
    derivative of the mean of the two PSIS markers, low-passed at ``cutoff_hz``, plus gravity;
    lab axes, Y up) at 150 Hz, and the force plate's contacts (vertical force Fy above 0.1 body
    weight, the body weight being Fy's mean) at 300 Hz, in s."""
    from scipy import signal as sps

    d = shared / "fukuchi-rbds-running-mocap-grf" / "data"
    out = []
    for name, markers, forces in (("RBDS001", "RBDS001runT25markers.txt", "RBDS001runT25forces.txt"),
                                  ("RBDS004", "RBDS0041runT252.txt", "RBDS0041runT252forces.txt")):
        m = pd.read_csv(d / markers, sep="\t")
        fs = 150.0  # the Time column is rounded to ms; the rate is 150 Hz
        p = np.column_stack([(m[f"R.PSIS{a}"] + m[f"L.PSIS{a}"]).to_numpy() / 2000.0 for a in "XYZ"])  # m
        sos = sps.butter(4, cutoff_hz / (fs / 2), output="sos")
        p = sps.sosfiltfilt(sos, p, axis=0)
        acc = np.gradient(np.gradient(p, 1 / fs, axis=0), 1 / fs, axis=0)
        acc[:, 1] += G  # an accelerometer reads +1 g up when still
        f = pd.read_csv(d / forces, sep="\t")
        ff = 300.0
        # the treadmill's force is noisy around the threshold: 30 Hz low-pass, then contacts of
        # at least 80 ms separated by flights of at least 20 ms
        fy = sps.sosfiltfilt(sps.butter(4, 30.0 / (ff / 2), output="sos"), f["Fy"].to_numpy())
        thr = 0.1 * fy.mean()
        on = _debounce(fy > thr, int(0.02 * ff), int(0.08 * ff))
        e = np.diff(on.astype(int))
        up, dn = np.flatnonzero(e == 1), np.flatnonzero(e == -1)
        ic = (up + (thr - fy[up]) / (fy[up + 1] - fy[up])) / ff
        to = (dn + (fy[dn] - thr) / (fy[dn] - fy[dn + 1])) / ff
        out.append(dict(name=name, fs=fs, t=np.arange(len(acc)) / fs, acc=acc, ic_s=ic, to_s=to))
    return out


def gaitmap_example(shared: Path = SHARED):
    d = shared / "gaitmap-example-data" / "example_data"
    df = pd.read_csv(d / "imu_sample.csv", header=[0, 1], index_col=0)
    ref = pd.read_csv(d / "stride_events_sample.csv")
    fs = 204.8
    out = {}
    for side in ("left", "right"):
        s = df[f"{side}_sensor"]
        acc = s[["acc_x", "acc_y", "acc_z"]].to_numpy()
        gyr = np.deg2rad(s[["gyr_x", "gyr_y", "gyr_z"]].to_numpy())
        r = ref[ref.foot == side]
        out[side] = (np.arange(len(acc)) / fs, acc, gyr, r.ic.to_numpy() / fs, r.tc.to_numpy() / fs)
    return fs, out


# ---------------------------------------------------------------------------------------------
# baselines
# ---------------------------------------------------------------------------------------------

def fixed_threshold(vert_g, fs, thr=0.5):
    """IC / TO at the up / down crossings of ``thr`` g on the vertical channel (interpolated)."""
    above = vert_g >= thr
    e = np.diff(above.astype(int))
    up = np.flatnonzero(e == 1)
    dn = np.flatnonzero(e == -1)

    def frac(i):
        return (i + (thr - vert_g[i]) / (vert_g[i + 1] - vert_g[i])) / fs

    return frac(up), frac(dn)


def mccamley(t, acc, fs, sigma_samples_100hz=10):
    """McCamley et al. 2012: IC at minima of the Gaussian-differentiated integral of vertical
    acceleration (vertical from the mean of the accelerometer)."""
    from scipy import signal as sps
    from scipy.integrate import cumulative_trapezoid
    from scipy.ndimage import gaussian_filter1d

    gdir = acc.mean(axis=0)
    v = acc @ (gdir / np.linalg.norm(gdir))
    v = v - v.mean()
    vi = cumulative_trapezoid(v, dx=1 / fs, initial=0)
    s = max(1.0, sigma_samples_100hz * fs / 100.0)
    d1 = gaussian_filter1d(vi, s, order=1)
    # MATLAB's gaus1 wavelet has the opposite sign of a derivative: its minima are our maxima
    pk, _ = sps.find_peaks(d1, distance=int(0.25 * fs))
    return t[pk]


def skdh_lumbar(t, acc_mps2, fs):
    """scikit-digital-health GaitLumbar IC times (s), or None when it is not installed."""
    try:
        from skdh.gait import GaitLumbar
    except Exception:  # noqa: BLE001 - optional baseline
        return None
    g = GaitLumbar(min_bout_time=4.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = g.predict(time=t + 1.7e9, accel=acc_mps2 / G, fs=fs, height=1.75, gait_pred=True)
        except Exception as exc:  # noqa: BLE001
            return f"error: {type(exc).__name__}"
    # one row per gait cycle, each starting at an initial contact (both feet alternate)
    ics = np.unique(np.asarray(res.get("IC Timestamp", []), dtype=float))
    ics = ics[np.isfinite(ics)] - 1.7e9
    return ics


def gyro_swing_impact(t, acc, gyr, fs):
    """Textbook shoe / shank gyroscope rule (Aminian et al. 2002; Salarian et al. 2004): the
    sagittal angular rate (the gyroscope axis of largest variance, signed so that mid-swing is
    its largest peak) peaks at mid-swing; IC is its minimum in the 0.35 s after each mid-swing
    peak (mid-swing peaks of the 3 Hz low-passed rate >= 50 % of its 99th percentile, >= 0.5 s
    apart; IC on the 15 Hz low-passed rate)."""
    from scipy import signal as sps

    axis = np.argmax(np.var(gyr, axis=0))
    b, a = sps.butter(2, min(15.0 / (fs / 2), 0.9))
    w = sps.filtfilt(b, a, gyr[:, axis])
    # mid-swing is the long excursion (~0.4 s): after a 3 Hz low-pass it is the largest one,
    # while the short push-off and heel-strike spikes of the opposite sign fade
    b3, a3 = sps.butter(2, 3.0 / (fs / 2))
    slow = sps.filtfilt(b3, a3, gyr[:, axis])
    if slow.max() < -slow.min():
        w, slow = -w, -slow
    pk, _ = sps.find_peaks(slow, height=0.5 * np.percentile(slow, 99), distance=int(0.5 * fs))
    width = int(0.35 * fs)
    idx = np.clip(pk[:, None] + np.arange(width)[None, :], 0, w.size - 1)
    ic = idx[np.arange(pk.size), np.argmin(w[idx], axis=1)]
    return t[np.unique(ic)]


# ---------------------------------------------------------------------------------------------
# gaitload runs
# ---------------------------------------------------------------------------------------------

def gaitload_lumbar(t, acc_mps2, fs, **kw):
    from gaitload.events.lumbar import detect_lumbar_events

    ev, _ = detect_lumbar_events(t, acc_mps2, fs, **kw)
    return ev["time_s"].to_numpy(), ev["toe_off_s"].to_numpy()


def gaitload_foot(t, acc, gyr, fs):
    from gaitload.events.foot import detect_foot_events

    ev, _ = detect_foot_events(t, acc, gyr, fs, placement="foot")
    return ev["time_s"].to_numpy(), ev["toe_off_s"].to_numpy()


def sacral_acc(tr):
    """The trial as a 3-axis accelerometer in m/s^2 (vertical, anterior-posterior, 0)."""
    return np.column_stack([tr["vert_g"], tr["ap_g"], np.zeros_like(tr["vert_g"])]) * G


# ---------------------------------------------------------------------------------------------
# sections
# ---------------------------------------------------------------------------------------------

def section_sacral(rows, per_trial, fs_override=None):
    trials = alcantara_trials()
    by = {}
    for tr in trials:
        fs = fs_override or tr["fs"]
        t = np.arange(tr["vert_g"].size) / fs
        acc = sacral_acc(tr)
        ic_ref, to_ref = tr["ic_s"] * tr["fs"] / fs, tr["to_s"] * tr["fs"] / fs
        span = (0.0, t[-1])
        runs = {"gaitload": gaitload_lumbar(t, acc, fs), "fixed 0.5 g": fixed_threshold(tr["vert_g"], fs)}
        sk = skdh_lumbar(t, acc, fs)
        if sk is not None:
            # skdh 0.17 finds no gait events in these 5 s, 500 Hz bouts ("input data size must be
            # larger than 0" on every bout): shown as such, not silently as zeros
            empty = isinstance(sk, str) or len(sk) == 0
            runs["skdh GaitLumbar" + (" (no events)" if empty else "")] = (np.zeros(0) if empty else sk, None)
        for method, (ic, to) in runs.items():
            for key in (f"all {method}", f"{tr['speed']:.2f} m/s {method}", f"slope {tr['slope']:+d} {method}",
                        f"{tr['name']} {method}"):
                s = by.setdefault(key, (Score(), Score()))
                s[0].add(match(ic, ic_ref, RUN_TOL_S, span))
                if to is not None:
                    s[1].add(match(to, to_ref, RUN_TOL_S, span))
    groups = ["all"] + [f"{v:.2f} m/s" for v in (2.5, 4.17)] + [f"slope {s:+d}" for s in (-10, -5, 0, 5, 10)]
    if per_trial:
        groups += [tr["name"] for tr in trials]
    for grp in groups:
        for method in ("gaitload", "fixed 0.5 g", "skdh GaitLumbar", "skdh GaitLumbar (no events)"):
            key = f"{grp} {method}"
            if key not in by:
                continue
            ic, to = by[key]
            rows.append(dict(recording="alcantara sacral running (real, force plate)", placement="lower back",
                             condition=grp + (f" @{fs_override:.4g} Hz" if fs_override else ""), method=method,
                             tol_ms=RUN_TOL_S * 1000, ic_f1=ic.f1, ic_recall=ic.recall, ic_precision=ic.precision,
                             ic_med_ms=ic.median_ms, to_f1=to.f1 if to.n_ref else float("nan"),
                             to_med_ms=to.median_ms if to.n_ref else float("nan"), n_ref=ic.n_ref))


def _not_near(det, refs_out, tol_s=RUN_TOL_S):
    """Detections ``det`` farther than ``tol_s`` from every reference in ``refs_out`` (s)."""
    det = np.asarray(det, float)
    if det.size == 0 or refs_out.size == 0:
        return det
    return det[~(np.abs(det[:, None] - refs_out[None, :]) <= tol_s).any(axis=1)]


def section_fukuchi(rows):
    for run in fukuchi_runs():
        t, acc, fs = run["t"], run["acc"], run["fs"]
        # the virtual signal's first and last 0.2 s carry the filter's and the derivatives'
        # edge effects: neither references nor detections there are scored (a detection within
        # the tolerance of a reference left out is that reference's, so it is left out too)
        span = (t[0] + 0.2, t[-1] - 0.2)
        inside = (run["ic_s"] >= span[0]) & (run["ic_s"] <= span[1])
        inside_to = (run["to_s"] >= span[0]) & (run["to_s"] <= span[1])
        out_ic, out_to = run["ic_s"][~inside], run["to_s"][~inside_to]
        run = dict(run, ic_s=run["ic_s"][inside], to_s=run["to_s"][inside_to])
        vert_g = acc[:, 1] / G
        runs = {"gaitload": gaitload_lumbar(t, acc, fs), "fixed 0.5 g": fixed_threshold(vert_g, fs)}
        for method, (ic, to) in runs.items():
            s_ic, s_to = Score(), Score()
            s_ic.add(match(_not_near(ic, out_ic), run["ic_s"], RUN_TOL_S, span))
            s_to.add(match(_not_near(to, out_to), run["to_s"], RUN_TOL_S, span))
            rows.append(dict(recording="fukuchi RBDS running, virtual sacral acc. from PSIS markers (real, force plate)",
                             placement="lower back (virtual)", condition=f"{run['name']} 2.5 m/s", method=method,
                             tol_ms=RUN_TOL_S * 1000, ic_f1=s_ic.f1, ic_recall=s_ic.recall, ic_precision=s_ic.precision,
                             ic_med_ms=s_ic.median_ms, to_f1=s_to.f1, to_med_ms=s_to.median_ms, n_ref=s_ic.n_ref))


def _walk_rows(rows, scores, recording, placement, per_subject):
    for key, (ic, to) in scores.items():
        subj, method = key
        if subj != "all" and not per_subject:
            continue
        rows.append(dict(recording=recording, placement=placement, condition=f"subject {subj}" if subj != "all"
                         else "all subjects", method=method, tol_ms=WALK_TOL_S * 1000, ic_f1=ic.f1,
                         ic_recall=ic.recall, ic_precision=ic.precision, ic_med_ms=ic.median_ms,
                         to_f1=to.f1 if to.n_ref else float("nan"), to_med_ms=to.median_ms if to.n_ref else float("nan"),
                         n_ref=ic.n_ref))


def section_xsens(rows, per_subject, which=("lb", "foot")):
    lb, ft = {}, {}
    for tr in xsens_trials():
        subj = tr["subject"]
        hs = np.concatenate([tr["left_hs"], tr["right_hs"]])
        to = np.concatenate([tr["left_to"], tr["right_to"]])
        gaps = reference_gaps(hs)
        if "lb" in which:
            t, acc, _ = tr["sensors"]["lb"]
            runs = {"gaitload": gaitload_lumbar(t, acc, 100.0), "McCamley 2012": (mccamley(t, acc, 100.0), None)}
            sk = skdh_lumbar(t, acc, 100.0)
            if sk is not None and not isinstance(sk, str):
                runs["skdh GaitLumbar"] = (sk, None)
            for method, (ic, fc) in runs.items():
                for key in ((subj, method), ("all", method)):
                    s = lb.setdefault(key, (Score(), Score()))
                    s[0].add(match(ic, hs, WALK_TOL_S, tr["span"], gaps))
                    if fc is not None:
                        s[1].add(match(fc, to, WALK_TOL_S, tr["span"], gaps))
        if "foot" in which:
            for side, s_name in (("left", "lf"), ("right", "rf")):
                t, acc, gyr = tr["sensors"][s_name]
                runs = {"gaitload": gaitload_foot(t, acc, gyr, 100.0),
                        "gyro mid-swing": (gyro_swing_impact(t, acc, gyr, 100.0), None)}
                for method, (ic, too) in runs.items():
                    for key in ((subj, method), ("all", method)):
                        s = ft.setdefault(key, (Score(), Score()))
                        s[0].add(match(ic, tr[f"{side}_hs"], WALK_TOL_S, tr["span"], reference_gaps(tr[f"{side}_hs"])))
                        if too is not None:
                            s[1].add(match(too, tr[f"{side}_to"], WALK_TOL_S, tr["span"], reference_gaps(tr[f"{side}_to"])))
    if lb:
        _walk_rows(rows, dict(sorted(lb.items(), key=lambda kv: (kv[0][0] != "all", str(kv[0][0])))),
                   "Xsens walking, 9 subjects (real, reference heel strikes)", "lower back", per_subject)
    if ft:
        _walk_rows(rows, dict(sorted(ft.items(), key=lambda kv: (kv[0][0] != "all", str(kv[0][0])))),
                   "Xsens walking, 9 subjects (real, reference heel strikes)", "foot (own contacts)", per_subject)


def section_gaitmap(rows):
    fs, data = gaitmap_example()
    by = {}
    for side, (t, acc, gyr, ic_ref, tc_ref) in data.items():
        runs = {"gaitload": gaitload_foot(t, acc, gyr, fs),
                "gyro mid-swing": (gyro_swing_impact(t, acc, gyr, fs), None)}
        for method, (ic, to) in runs.items():
            s = by.setdefault(method, (Score(), Score()))
            span = (ic_ref.min(), tc_ref.max())
            s[0].add(match(ic, ic_ref, SHOE_TOL_S, span))
            if to is not None:
                s[1].add(match(to, tc_ref, SHOE_TOL_S, span))
    for method, (ic, to) in by.items():
        rows.append(dict(recording="gaitmap shoe IMU walking (real, motion capture)", placement="foot",
                         condition="both feet", method=method, tol_ms=SHOE_TOL_S * 1000, ic_f1=ic.f1,
                         ic_recall=ic.recall, ic_precision=ic.precision, ic_med_ms=ic.median_ms,
                         to_f1=to.f1 if to.n_ref else float("nan"), to_med_ms=to.median_ms if to.n_ref else float("nan"),
                         n_ref=ic.n_ref))


SECTIONS = ("sacral", "sacral-rate", "fukuchi", "xsens-lb", "xsens-foot", "gaitmap")


def fmt(x, spec=".3f"):
    return "-" if x is None or (isinstance(x, float) and not np.isfinite(x)) else format(x, spec)


def print_table(rows, markdown=False):
    cols = [("recording", 44), ("placement", 19), ("condition", 24), ("method", 19), ("tol_ms", 4), ("ic_f1", 6),
            ("ic_recall", 6), ("ic_precision", 6), ("ic_med_ms", 6), ("to_f1", 6), ("to_med_ms", 6), ("n_ref", 5)]
    heads = {"tol_ms": "tol", "ic_f1": "IC F1", "ic_recall": "recall", "ic_precision": "prec", "ic_med_ms": "med",
             "to_f1": "TO F1", "to_med_ms": "TOmed", "n_ref": "n"}

    def cell(r, c):
        v = r[c]
        if c in ("tol_ms", "n_ref"):
            return f"{v:.0f}"
        if c.endswith("_ms"):
            return fmt(v, ".1f")
        if isinstance(v, float):
            return fmt(v)
        return str(v)

    if markdown:
        print("| " + " | ".join(heads.get(c, c) for c, _ in cols) + " |")
        print("|" + "---|" * len(cols))
        for r in rows:
            print("| " + " | ".join(cell(r, c) for c, _ in cols) + " |")
        return
    print("  ".join(f"{heads.get(c, c)[:w]:<{w}}" for c, w in cols))
    last = None
    for r in rows:
        if r["recording"] != last:
            print(f"-- {r['recording']}")
            last = r["recording"]
        print("  ".join(f"{(cell(r, c) if c != 'recording' else '')[:w]:<{w}}" for c, w in cols))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", default=None, help=f"comma-separated sections: {', '.join(SECTIONS)}")
    p.add_argument("--per-trial", action="store_true", help="one row per sacral trial / Xsens subject")
    p.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = p.parse_args(argv)
    if not SHARED.is_dir():
        print(f"real recordings not found at {SHARED}; nothing to validate", file=sys.stderr)
        return 0
    only = SECTIONS if not args.only else tuple(s.strip() for s in args.only.split(","))
    unknown = [s for s in only if s not in SECTIONS]
    if unknown:
        print(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}", file=sys.stderr)
        return 2
    rows: list[dict] = []
    t0 = time.perf_counter()
    if "sacral" in only:
        section_sacral(rows, args.per_trial)
    if "sacral-rate" in only:
        section_sacral(rows, False, fs_override=499.99999999999955)
    if "fukuchi" in only:
        section_fukuchi(rows)
    if "xsens-lb" in only or "xsens-foot" in only:
        which = tuple(w for w, s in (("lb", "xsens-lb"), ("foot", "xsens-foot")) if s in only)
        section_xsens(rows, args.per_trial, which)
    if "gaitmap" in only:
        section_gaitmap(rows)
    print_table(rows, args.markdown)
    print(f"\n({time.perf_counter() - t0:.0f} s; tolerances: running {RUN_TOL_S * 1000:.0f} ms, Xsens "
          f"{WALK_TOL_S * 1000:.0f} ms, gaitmap {SHOE_TOL_S * 1000:.0f} ms)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
