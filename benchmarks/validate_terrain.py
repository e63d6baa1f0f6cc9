#!/usr/bin/env python
"""Terrain on real tracks: grade against real references, beside a simple baseline.

Usage (from the repository root)::

    PYTHONPATH=src .venv/bin/python benchmarks/validate_terrain.py [--data ../shared/data]

or ``make validate-terrain``. Prints one table; nothing is written.

**Grade** (r and RMSE in grade points against a reference, on the reference's own samples):

- Strava streams (``runpandas-tests/.../strava/streams.json``): Strava's ``grade_smooth`` is the
  reference; both methods get the stream's ``distance`` and ``altitude``.
- Stryd exports (``stryder-stryd-exports``): the same run carries two altitudes. The reference is
  the grade of the barometric ``Stryd Elevation`` (whole metres) over a centred 100 m chord (the
  shortest chord that resolves 1 % with 1 m steps; judgement); both methods get the watch's GPS
  ``Watch Elevation`` with the watch distance, as ``gaitload.read`` gives them (the reader
  labels that column GPS altitude). Runs whose
  barometric profile spans less than 5 m are flat: r is meaningless there and only RMSE is shown.

**Baseline**: the altitude interpolated on a 1 m distance grid, smoothed by a Gaussian of sigma
20 m over distance, differentiated (``baseline_grade``). "ours" is ``compute_terrain`` with its
defaults (the altitude source is told when the file states it, else detected).

**Foot-IMU level walks** (first table; ``--foot-only`` prints only it): every foot IMU of known
terrain in the data folder -- Voisard's Xsens feet (stand, walk 10 m, U-turn, walk back on a level
floor) and gaitmap's shoe IMUs (2 x 20 m, level) -- with the strap-down per-stride and summed
rise, the horizontal track (its length and how far it ends from its start) and the grade the
steps carry (mean of ``grade_pct``) before (no drift handling: ``imu_closure_frac=0``,
``imu_grade_floor_pct=0``) and after (the defaults: closure correction or resolution floor,
:mod:`gaitload.terrain.imu_drift`). gaitmap's stair walks are the real-slope check: up must stay
positive, down negative.

**Consistency** (no reference grade): the heartandsole course as FIT and TCX, and the
runpandas TomTom run and heartandsole short run as a device's file and GPX (positions only):
grade r / RMSE of one format against the other and the distance ratio, beside the ratio the
plain great-circle sum of the GPX's fixes gives (``base_diff_pct``).

**GPS-only distance**: every real TCX/FIT run in the data folder whose records carry both the
device's distance and positions: terrain's distance from the positions alone (the distance and
speed channels removed, as a GPX gives them) and from the speed alone (the distance removed),
against the device's distance. Beside it, in the same run, the baseline (``base_pct``: the plain
great-circle sum of consecutive fixes) and ``prev_pct`` (terrain with
``gps_pause_speed_ratio=0``: only the fix's 20 m drift tells a pause across a sampling gap).
``unfixed_m``: the device's distance before the first fix and after the last one, which no
method on the positions can see; ``fixed_span_pct``: ours against the device's distance without it.

**Gain**: ``elevation_gain_m`` / ``elevation_loss_m`` against the device's session totals in
every FIT file of the data folder whose session states a total ascent of at least 20 m, beside
other ways of counting in the same run (ascent error, %): ``prev`` the count before the on-foot
low-pass and the count in time of device-filtered GPS altitude (``gain_sigma_s_foot`` 4 s,
``gain_gps_in_time`` off); ``base`` the simple baseline, every rise after the same low-pass
(hysteresis 0); ``adapt`` a hysteresis adapted to the file's altitude noise (4 robust std of
the 1 s altitude about its 30 s running mean, judgement: ~1 m at the median noise), else ours;
``native`` the recorded samples at their own times, neither resampled nor low-passed, 1 m.
"""

from __future__ import annotations

import argparse
import glob
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.ndimage import gaussian_filter1d

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from gaitload import read  # noqa: E402
from gaitload.recording import Recording  # noqa: E402
from gaitload.terrain import TerrainOptions, compute_terrain  # noqa: E402
from gaitload.terrain.gain import elevation_gain_loss  # noqa: E402

STRAVA = "runpandas-tests/runpandas/tests/io/data/strava/streams.json"
STRYD = "stryder-stryd-exports/assets/demo_run_files/stryd/*.csv"
PAIRS = [
    ("heartandsole course FIT/TCX", "heartandsole-tests/tests/testcourse.fit", "heartandsole-tests/tests/testcourse.tcx"),
    ("runpandas TomTom TCX/GPX", "runpandas-tests/runpandas/tests/io/data/tcx/run.tcx",
     "runpandas-tests/runpandas/tests/io/data/gpx/run.gpx"),
    ("heartandsole short run FIT/GPX", "heartandsole-tests/tests/testdata.fit", "heartandsole-tests/tests/testdata.gpx"),
]


def baseline_grade(dist_m: np.ndarray, alt_m: np.ndarray, sigma_m: float = 20.0) -> tuple[np.ndarray, np.ndarray]:
    """Grade (%) on a 1 m grid from altitude smoothed by a Gaussian of ``sigma_m`` over distance."""
    ok = np.isfinite(dist_m) & np.isfinite(alt_m)
    d, a = dist_m[ok], alt_m[ok]
    order = np.argsort(d, kind="stable")
    d, a = d[order], a[order]
    keep = np.r_[True, np.diff(d) > 0]
    d, a = d[keep], a[keep]
    grid = np.arange(d[0], d[-1] + 1.0, 1.0)
    smooth = gaussian_filter1d(np.interp(grid, d, a), sigma_m, mode="nearest")
    return grid, 100.0 * np.gradient(smooth, grid)


def ours_grade(rec: Recording) -> tuple[np.ndarray, np.ndarray, dict, object]:
    res = compute_terrain(rec, None)
    return res.profile["distance_m"].to_numpy(), res.profile["grade_pct"].to_numpy(), res.provenance, res


def _dist(rec: Recording) -> np.ndarray:
    from gaitload.terrain import cumulative_distance
    return cumulative_distance(rec)[0]


def score(ref: np.ndarray, est: np.ndarray) -> tuple[float, float]:
    ok = np.isfinite(ref) & np.isfinite(est)
    if ok.sum() < 10:
        return float("nan"), float("nan")
    r = float(np.corrcoef(ref[ok], est[ok])[0, 1]) if np.std(ref[ok]) > 0 and np.std(est[ok]) > 0 else float("nan")
    return r, float(np.sqrt(np.mean((ref[ok] - est[ok]) ** 2)))


def strava_rows(data: Path) -> list[dict]:
    path = data / STRAVA
    if not path.exists():
        return []
    s = {k: np.asarray(v["data"], dtype=object) for k, v in json.loads(path.read_text()).items()}
    latlng = np.array(s["latlng"].tolist(), float)
    rec = Recording(time_s=s["time"].astype(float), placement="records", source_format="strava-json",
                    channels={"distance": s["distance"].astype(float), "altitude": s["altitude"].astype(float),
                              "latitude": latlng[:, 0], "longitude": latlng[:, 1]})
    d = s["distance"].astype(float)
    ref = s["grade_smooth"].astype(float)
    gd, gg, prov, _ = ours_grade(rec)
    bd, bg = baseline_grade(d, s["altitude"].astype(float))
    return [_row("Strava streams.json (grade_smooth)", ref, np.interp(d, gd, gg), np.interp(d, bd, bg), prov)]


def stryd_rows(data: Path) -> list[dict]:
    rows = []
    for f in sorted(glob.glob(str(data / STRYD))):
        raw = pd.read_csv(f)
        # the watch's elevation column is GPS altitude (data README): read it (a plain read
        # takes the pod's barometer, the reference here) and the reader says it is GPS
        rec = read(f, columns={"Watch Elevation (m)": "altitude"})
        assert rec.metadata["altitude_source"] == "gps", f"{f}: the watch's elevation read as {rec.metadata['altitude_source']}"
        d = _dist(rec)
        baro = raw["Stryd Elevation (m)"].to_numpy(float)[: d.size] if len(raw) == d.size else None
        if baro is None:
            continue
        # reference: 100 m centred chord of the barometric altitude, on the distance of each sample
        grid, base = _on_grid(d, baro)
        half = 50
        ref_grid = np.full(grid.shape, np.nan)
        ref_grid[half:-half] = 100.0 * (base[2 * half:] - base[: -2 * half]) / (2 * half)
        gd, gg, prov, _ = ours_grade(rec)
        bd, bg = baseline_grade(d, rec.channels["altitude"])
        ref = np.interp(grid, grid, ref_grid)
        row = _row(f"Stryd {Path(f).stem} (baro vs GPS watch)", ref, _interp_nan(grid, gd, gg), np.interp(grid, bd, bg), prov)
        row["flat"] = np.nanmax(baro) - np.nanmin(baro) < 5
        rows.append(row)
    return rows


def _on_grid(d: np.ndarray, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ok = np.isfinite(d) & np.isfinite(a)
    d, a = d[ok], a[ok]
    keep = np.r_[True, np.diff(d) > 0]
    d, a = d[keep], a[keep]
    grid = np.arange(0.0, d[-1], 1.0)
    return grid, np.interp(grid, d, a)


def _interp_nan(x, xp, fp):
    out = np.interp(x, xp, np.nan_to_num(fp))
    near = np.clip(np.searchsorted(xp, x), 0, xp.size - 1)
    return np.where(np.isfinite(fp[near]), out, np.nan)


def _row(name, ref, ours, base, prov) -> dict:
    r_o, e_o = score(ref, ours)
    r_b, e_b = score(ref, base)
    return {"file": name, "r_ours": r_o, "rmse_ours": e_o, "r_base": r_b, "rmse_base": e_b,
            "noise": prov.get("altitude_noise_m"), "window": prov.get("window_m"), "flat": False}


def pair_rows(data: Path) -> list[dict]:
    rows = []
    for name, a, b in PAIRS:
        pa, pb = data / a, data / b
        if not (pa.exists() and pb.exists()):
            continue
        ra, rb = compute_terrain(read(pa), None), compute_terrain(read(pb), None)
        grid = ra.profile["distance_m"].to_numpy()
        ga = ra.profile["grade_pct"].to_numpy()
        gb = _interp_nan(grid, rb.profile["distance_m"].to_numpy(), rb.profile["grade_pct"].to_numpy())
        r, e = score(ga, gb)
        rows.append({"pair": name, "dist_a": ra.distance_m, "dist_b": rb.distance_m,
                     "dist_diff_pct": 100 * (rb.distance_m / ra.distance_m - 1),
                     "base_diff_pct": 100 * (plain_track_m(read(pb)) / ra.distance_m - 1), "grade_r": r, "grade_rmse": e,
                     "src_a": ra.provenance.get("distance"), "src_b": rb.provenance.get("distance")})
    return rows


def plain_track_m(rec: Recording) -> float:
    """Baseline track length, m: the great-circle sum between consecutive fixes, nothing removed."""
    from gaitload.terrain import haversine_m

    lat, lon = rec.channels["latitude"], rec.channels["longitude"]
    ok = np.isfinite(lat) & np.isfinite(lon)
    return float(np.sum(haversine_m(lat[ok][:-1], lon[ok][:-1], lat[ok][1:], lon[ok][1:])))


GPS_ONLY = ["runpandas-tests/runpandas/tests/io/data/samples/*.tcx", "runpandas-tests/runpandas/tests/io/data/tcx/*.tcx",
            "runpandas-tests/runpandas/tests/io/data/fit/*.fit", "python-tcxparser-tests/tests/files/*.tcx",
            "heartandsole-tests/tests/*.fit", "python-fitparse-tests/tests/files/2013-02-06-12-11-14.fit"]


def gps_only_rows(data: Path) -> list[dict]:
    rows = []
    for pattern in GPS_ONLY:
        for f in sorted(glob.glob(str(data / pattern))):
            try:
                rec = read(f)
            except Exception:  # broken test files: not this table's concern
                continue
            ch = rec.channels
            if not {"latitude", "distance"} <= set(ch) or rec.metadata.get("distance_source") == "positions":
                continue
            dev = compute_terrain(rec, None)
            if dev.provenance.get("distance") != "device distance" or not dev.distance_m > 0:
                continue
            pos = rec.with_changes(channels={k: v for k, v in ch.items() if k not in ("distance", "speed")})
            gps = compute_terrain(pos, None)
            prev = compute_terrain(pos, None, options=TerrainOptions(gps_pause_speed_ratio=0.0))
            # the device's distance where the positions have no fix yet (or no more)
            fixed = np.flatnonzero(np.isfinite(ch["latitude"]) & np.isfinite(ch["longitude"]))
            dd = np.asarray(ch["distance"], float)
            unfixed = (np.nanmax(dd[: fixed[0] + 1]) - np.nanmin(dd[: fixed[0] + 1])
                       + np.nanmax(dd[fixed[-1]:]) - np.nanmin(dd[fixed[-1]:]))
            row = {"file": Path(f).name[:34], "device_m": dev.distance_m, "gps_m": gps.distance_m,
                   "base_pct": 100 * (plain_track_m(rec) / dev.distance_m - 1),
                   "prev_pct": 100 * (prev.distance_m / dev.distance_m - 1),
                   "gps_pct": 100 * (gps.distance_m / dev.distance_m - 1), "unfixed_m": unfixed,
                   "fixed_span_pct": 100 * (gps.distance_m / (dev.distance_m - unfixed) - 1), "speed_pct": float("nan")}
            if "speed" in ch:
                spd = compute_terrain(rec.with_changes(channels={k: v for k, v in ch.items() if k != "distance"}), None)
                row["speed_pct"] = 100 * (spd.distance_m / dev.distance_m - 1)
            rows.append(row)
    return rows


def noise_hysteresis_m(time_s: np.ndarray, altitude_m: np.ndarray, k: float = 4.0) -> float:
    """``adapt``'s hysteresis: k robust std of the 1 s altitude about its 30 s running mean, m."""
    ok = np.isfinite(time_s) & np.isfinite(altitude_m)
    t, a = time_s[ok], altitude_m[ok]
    if t.size < 60:
        return 1.0
    z = np.interp(np.arange(t[0], t[-1] + 0.5, 1.0), t, a)
    hp = (z - np.convolve(z, np.ones(30) / 30, mode="same"))[30:-30]
    return float(k * 1.4826 * np.median(np.abs(hp - np.median(hp)))) if hp.size else 1.0


def gain_rows(data: Path) -> list[dict]:
    prev = TerrainOptions(gain_sigma_s_foot=4.0, gain_gps_in_time=False)
    base = TerrainOptions(gain_hysteresis_m_barometric=0.0, gain_hysteresis_m_gps=0.0)
    rows = []
    for f in sorted(glob.glob(str(data / "**" / "*.fit"), recursive=True)):
        try:
            rec = read(f)
        except Exception:  # broken test files: not this table's concern
            continue
        sessions = [s for s in rec.metadata.get("sessions", []) if s.get("kept") and s.get("total_ascent_m")]
        up = sum(s["total_ascent_m"] for s in sessions)
        down = sum(s.get("total_descent_m") or 0.0 for s in sessions)
        if up < 20 or "altitude" not in rec.channels:
            continue
        res = compute_terrain(rec, None)
        t, alt = np.asarray(rec.time_s, float), np.asarray(rec.channels["altitude"], float)
        adapt = TerrainOptions(gain_hysteresis_m_barometric=noise_hysteresis_m(t, alt))
        ok = np.isfinite(t) & np.isfinite(alt)
        native = elevation_gain_loss(alt[ok][np.argsort(t[ok], kind="stable")], 1.0)[0] if ok.sum() >= 2 else np.nan

        def pct(gain):
            return 100 * (gain / up - 1)

        rows.append({"file": str(Path(f).relative_to(data)), "sport": rec.metadata.get("sport"),
                     "alt": rec.metadata.get("altitude_source"), "device_up": up, "device_down": down,
                     "ours_up": res.elevation_gain_m, "ours_down": res.elevation_loss_m,
                     "up_pct": pct(res.elevation_gain_m),
                     "down_pct": 100 * (res.elevation_loss_m / down - 1) if down else float("nan"),
                     "prev_pct": pct(compute_terrain(rec, None, options=prev).elevation_gain_m),
                     "base_pct": pct(compute_terrain(rec, None, options=base).elevation_gain_m),
                     "adapt_pct": pct(compute_terrain(rec, None, options=adapt).elevation_gain_m),
                     "native_pct": pct(native),
                     "note": (res.provenance.get("gain_vs_device") or {}).get("note", "")})
    return rows


FOOT_LEVEL = [("voisard", "voisard-ipol-walking-footimu/GaitData/*_[lr]f.txt", None),
              ("gaitmap", "gaitmap-example-data/example_data/imu_sample.csv", 204.8)]
#: (file, sign of the real climb): gaitmap's healthy stair walks, up and down a staircase
FOOT_STAIRS = [("gaitmap-example-data/example_data/imu_sample_healthy_stair_up.csv", +1),
               ("gaitmap-example-data/example_data/imu_sample_healthy_stair_down.csv", -1)]
#: the drift handling off: today's method before it (no closure correction, no resolution floor)
NO_DRIFT_RULES = TerrainOptions(imu_closure_frac=0.0, imu_grade_floor_pct=0.0)


def _foot_row(name: str, analysis, rec, kind: str) -> dict:
    """One recording's strap-down numbers: per-stride and cumulative rise, the horizontal track
    (stride lengths along ``stride_heading_deg``, per foot), and the grade reported with and
    without the drift handling."""
    from gaitload.terrain.imu_drift import foot_track

    steps = analysis.steps
    ok = steps["measured"].to_numpy(bool) & np.isfinite(steps["stride_rise_m"].to_numpy(float))
    feet = []
    for foot, g in steps[ok].groupby("foot"):
        g = g.sort_values("distance_m")
        x, y, path = foot_track(g["stride_length_m"].to_numpy(), g["stride_heading_deg"].to_numpy())
        feet.append({"foot": foot, "n": len(g), "rise_cm": 100 * g["stride_rise_m"].median(),
                     "cum_m": g["stride_rise_m"].sum(), "path_m": path[-1], "end_m": float(np.hypot(x[-1], y[-1])),
                     "bias_pct": 100 * g["stride_rise_m"].sum() / g["stride_length_m"].sum()})
    before = compute_terrain(rec, steps, options=NO_DRIFT_RULES)
    info = analysis.summary["provenance"]["terrain"].get("imu_drift") or {}
    return {"file": name, "kind": kind, "feet": "+".join(f["foot"][0] for f in feet), "n": sum(f["n"] for f in feet),
            "rise_cm": np.mean([f["rise_cm"] for f in feet]) if feet else np.nan,
            "cum_m": np.mean([f["cum_m"] for f in feet]) if feet else np.nan,
            "path_m": np.mean([f["path_m"] for f in feet]) if feet else np.nan,
            "end_m": np.mean([f["end_m"] for f in feet]) if feet else np.nan,
            "bias_pct": [f["bias_pct"] for f in feet],
            "before_pct": float(np.nanmean(before.steps["grade_pct"])), "after_pct": float(np.nanmean(steps["grade_pct"])),
            "after_max": float(np.nanmax(np.abs(steps["grade_pct"]))) if steps["grade_pct"].notna().any() else np.nan,
            "rule": info.get("rule", "-")}


def foot_rows(data: Path) -> list[dict]:
    """Every real foot IMU of known terrain: level walks (Voisard, gaitmap) and stairs (gaitmap)."""
    import gaitload

    rows = []
    files = [(f, rate, "level") for _, pattern, rate in FOOT_LEVEL for f in sorted(glob.glob(str(data / pattern)))]
    files += [(str(data / f), None, "up" if sign > 0 else "down") for f, sign in FOOT_STAIRS if (data / f).exists()]
    for f, rate, kind in files:
        kw = {"sampling_rate_hz": rate} if rate else {}
        rec = read(f, **kw)
        analysis = gaitload.analyze(rec)
        if analysis.steps["stride_rise_m"].notna().sum() < 4:
            continue
        rows.append(_foot_row(Path(f).name, analysis, analysis.recording, kind))
    return rows


def print_foot_table(data: Path) -> None:
    rows = foot_rows(data)
    if not rows:
        return
    table = pd.DataFrame(rows)
    floor = TerrainOptions().imu_grade_floor_pct
    print("FOOT-IMU LEVEL WALKS (strap-down; before = no drift handling, after = closure / resolution floor)")
    print("rise_cm: median per-stride rise; cum_m: summed rise; path_m / end_m: the horizontal track's length "
          "and its end's distance from its start (mean of the feet); grade: mean of the steps' grade_pct, %")
    shown = table.drop(columns="bias_pct")
    print(shown.to_string(index=False, float_format=lambda x: f"{x:.2f}"))
    level = table[table["kind"] == "level"]
    bias = np.abs(np.concatenate(level["bias_pct"].to_list()))
    print(f"level walks, uncorrected grade offset per foot (summed rise / summed length): median {np.median(bias):.2f} %, "
          f"90th percentile {np.percentile(bias, 90):.2f} %, 95th {np.percentile(bias, 95):.2f} %, max {bias.max():.2f} % "
          f"({bias.size} feet); the resolution floor is {floor:g} %")
    for col in ("before_pct", "after_pct"):
        within = (level[col].abs() <= floor).sum()
        print(f"  {col[:-4]:6s}: level within +-{floor:g} %: {within}/{len(level)}, within +-1 %: "
              f"{(level[col].abs() <= 1).sum()}/{len(level)}, median |grade| {level[col].abs().median():.2f} %")
    stairs = table[table["kind"] != "level"]
    for _, r in stairs.iterrows():
        sign = 1 if r["kind"] == "up" else -1
        print(f"  stairs {r['kind']:4s} {r['file']}: before {r['before_pct']:+.1f} %, after {r['after_pct']:+.1f} % "
              f"(real climb {'+' if sign > 0 else '-'}; sign kept: {np.sign(r['after_pct']) == sign})")
    print()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--foot-only", action="store_true", help="only the foot-IMU level walks and stairs table")
    args = ap.parse_args(argv)
    data = Path(args.data)
    if not data.exists():
        print(f"no data folder at {data}", file=sys.stderr)
        return 2
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 60)
    print_foot_table(data)
    if args.foot_only:
        return 0
    grade = pd.DataFrame(strava_rows(data) + stryd_rows(data))
    print("GRADE against a real reference (r, RMSE in grade points; baseline: Gaussian 20 m over distance)")
    print(grade.to_string(index=False, float_format=lambda x: f"{x:.2f}"))
    informative = grade[~grade["flat"]]
    beat = (informative["rmse_ours"] < informative["rmse_base"])
    print(f"ours beats the baseline's RMSE on {int(beat.sum())} of {len(informative)} files with a graded reference; "
          f"on flat runs ours RMSE {grade.loc[grade['flat'], 'rmse_ours'].median():.2f} vs baseline "
          f"{grade.loc[grade['flat'], 'rmse_base'].median():.2f} (median)")
    print()
    print("CONSISTENCY across formats of one run (no reference grade)")
    print(pd.DataFrame(pair_rows(data)).to_string(index=False, float_format=lambda x: f"{x:.2f}"))
    print()
    print("GPS-ONLY DISTANCE against the device's distance (positions only; speed only where the records have it)")
    gps = pd.DataFrame(gps_only_rows(data))
    print(gps.to_string(index=False, float_format=lambda x: f"{x:.1f}"))
    for col, label in (("base_pct", "baseline (plain sum of fixes)"), ("prev_pct", "drift-only pause rule"),
                       ("gps_pct", "ours")):
        err = gps[col].abs()
        print(f"positions only, {label}: within 1 % on {int((err <= 1).sum())} of {len(gps)}, within 3 %: "
              f"{int((err <= 3).sum())}, median |error| {err.median():.2f} %")
    err = gps["fixed_span_pct"].abs()
    print(f"ours against the device's distance over the span with fixes only: within 1 % on {int((err <= 1).sum())}, "
          f"within 3 %: {int((err <= 3).sum())}, median |error| {err.median():.2f} %")
    print(f"speed only within 1 %: {int((gps['speed_pct'].abs() <= 1).sum())} of {int(gps['speed_pct'].notna().sum())}")
    print()
    print("GAIN against the device's session totals (FIT files stating >= 20 m of ascent)")
    gains = pd.DataFrame(gain_rows(data))
    print(gains.drop(columns="note").to_string(index=False, float_format=lambda x: f"{x:.1f}"))
    counted = gains[gains["up_pct"].notna()]
    for col, label in (("up_pct", "ours ascent"), ("down_pct", "ours descent"), ("prev_pct", "prev"),
                       ("base_pct", "base"), ("adapt_pct", "adapt"), ("native_pct", "native")):
        e = counted[col].dropna().abs()
        running = counted.loc[counted["sport"] == "running", col].dropna().abs()
        print(f"{label:12s} within 5 %: {int((e <= 5).sum())}/{len(e)}, within 10 %: {int((e <= 10).sum())}/{len(e)}; "
              f"running within 10 %: {int((running <= 10).sum())}/{len(running)}")
    print("Where ours differs by more than 5 %, why (the summary's provenance.terrain.gain_vs_device):")
    for _, row in gains[gains["note"] != ""].iterrows():
        print(f"  {Path(row['file']).name}: {row['note']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
