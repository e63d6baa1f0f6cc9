#!/usr/bin/env python
"""Our watch totals against the file's own session/lap totals, on every real FIT/TCX run.

Usage (from the repository root)::

    PYTHONPATH=src .venv/bin/python benchmarks/validate_totals.py [--data ../shared/data] [--csv out.csv]

or ``make validate-totals``. Prints one table and the pass counts; nothing is written unless
``--csv`` is given.

For every FIT/TCX (gzip too) under the data folder, every activity that
:func:`gaitload.activities` lists as on foot is analysed (``gaitload.analyze(path, activity=k)``)
and its ``distance_m``, ``timer_time_s``, ``avg_cadence_spm`` and ``elevation_gain_m`` are set
beside the file's own (``summary["device_totals"]``: FIT session messages, TCX lap sums).
Activities without any device total are left out. Criteria (the acceptance of the watch-totals
issue): distance within 1 %, timer time within 1 %, average cadence within 3 %, ascent within
10 %; each criterion counts only the activities where the file states that total (ascent: at
least 20 m, below which 10 % is under the 2 m a barometer resolves; judgement).

**Baseline** in the same run: the plainest reading of the records (last distance record,
last minus first record time, mean of the non-zero cadence records, every rise of the
altitude records in time order summed), so a method that does worse than reading the records
naively shows.

Two more lines say how far the alternatives come: our timer time from the records and timer
events alone, without the laps' own timer times (which the summary uses where the file states
them, so that line is the check on the records), and the other average cadence watches use,
over the moving time, standing left out (``summary["avg_cadence_moving_spm"]``; ours is over
the timer time, standing at 0: see :mod:`gaitload.totals` for which watch uses which).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import gaitload  # noqa: E402
from gaitload.errors import GaitloadError  # noqa: E402
from gaitload.totals import run_totals  # noqa: E402

#: Relative tolerance per criterion (the issue's acceptance numbers).
CRITERIA = {"distance_m": 0.01, "timer_time_s": 0.01, "avg_cadence_spm": 0.03, "elevation_gain_m": 0.10}
#: The device key each of our summary keys is compared with.
DEVICE_KEY = {"distance_m": "distance_m", "timer_time_s": "timer_time_s", "avg_cadence_spm": "avg_cadence_spm",
              "elevation_gain_m": "ascent_m"}
#: Smallest device ascent compared (m): below it 10 % is less than a barometer's 1-2 m resolution (judgement).
MIN_ASCENT_M = 20.0
#: Files larger than this are skipped: the data folder's only such FIT is a 100,000-record cycling stress file.
MAX_BYTES = 3_000_000


def files(data: Path) -> list[Path]:
    out = []
    for path in sorted(data.rglob("*")):
        name = path.name.lower()
        if path.is_file() and name.endswith((".fit", ".tcx", ".fit.gz", ".tcx.gz")) \
                and path.stat().st_size <= MAX_BYTES:
            out.append(path)
    return out


def baseline(rec) -> dict:
    """The plainest reading of the records (see the module docstring)."""
    out = {"distance_m": None, "timer_time_s": float(rec.time_s[-1] - rec.time_s[0]), "avg_cadence_spm": None}
    dist = rec.channels.get("distance")
    if dist is not None and np.isfinite(dist).any():
        out["distance_m"] = float(np.nanmax(dist))
    alt = rec.channels.get("altitude")
    if alt is not None and np.isfinite(alt).sum() >= 2:
        rise = np.diff(np.asarray(alt, float)[np.isfinite(alt)])
        out["elevation_gain_m"] = float(rise[rise > 0].sum())
    cad = rec.channels.get("cadence")
    if cad is not None and (np.nan_to_num(cad) > 0).any():
        out["avg_cadence_spm"] = float(np.mean(cad[np.nan_to_num(cad) > 0]))
    return out


def rows_for(path: Path, data: Path) -> list[dict]:
    try:
        listing = gaitload.activities(path)
    except GaitloadError:
        return []
    rows = []
    for k in listing.loc[listing["on_foot"], "activity"]:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                analysis = gaitload.analyze(path, activity=int(k))
        except GaitloadError as exc:
            print(f"  {path.name}#{k}: {exc}", file=sys.stderr)
            continue
        s = analysis.summary
        device = s.get("device_totals") or {}
        if not any(device.get(v) is not None for v in DEVICE_KEY.values()):
            continue
        base = baseline(analysis.recording) if analysis.recording is not None else {}
        damaged = any(str(w).startswith("damaged FIT file") for w in s.get("warnings", []))
        row = {"file": str(path.relative_to(data)), "act": int(k), "damaged": damaged}
        if analysis.recording is not None and analysis.recording.metadata.get("device_laps"):
            # our timer time without the laps' own statement of it (events or recording gaps only):
            # how far the records alone come
            rec = analysis.recording
            bare = rec.with_changes(metadata={**rec.metadata, "device_laps": None})
            timer_bare = run_totals(bare, analysis.steps, s.get("distance_m"), False)["timer_time_s"]
            dev_timer = device.get("timer_time_s")
            row["timer_records_pct"] = 100.0 * (timer_bare - dev_timer) / dev_timer if dev_timer else np.nan
        for ours_key, dev_key in DEVICE_KEY.items():
            a, b = s.get(ours_key), device.get(dev_key)
            short = ours_key.split("_")[0] if ours_key != "avg_cadence_spm" else "cadence"
            if ours_key == "elevation_gain_m":
                short = "ascent"
            row[f"{short}_ours"] = a
            row[f"{short}_dev"] = b
            ok = a is not None and b is not None and np.isfinite(a) and np.isfinite(b) and b > 0
            if ours_key == "elevation_gain_m" and ok and b < MIN_ASCENT_M:
                ok = False
            row[f"{short}_pct"] = 100.0 * (a - b) / b if ok else np.nan
            if ours_key in base and ok and base[ours_key] is not None:
                row[f"{short}_base_pct"] = 100.0 * (base[ours_key] - b) / b
        # the other definition of average cadence (over the moving time, standing left out):
        # the watches differ in which they use (gaitload.totals), shown beside ours
        alt, dev_cad = s.get("avg_cadence_moving_spm"), device.get("avg_cadence_spm")
        row["cadence_moving_pct"] = (100.0 * (alt - dev_cad) / dev_cad if alt is not None and dev_cad
                                    else np.nan)
        rows.append(row)
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--csv", default=None, help="also write the table to this CSV")
    args = ap.parse_args(argv)
    data = Path(args.data)
    if not data.exists():
        print(f"no data folder at {data}", file=sys.stderr)
        return 2
    rows = []
    for path in files(data):
        rows.extend(rows_for(path, data))
    table = pd.DataFrame(rows)
    if table.empty:
        print("no on-foot FIT/TCX activity with device totals found")
        return 1
    pd.set_option("display.width", 250)
    pd.set_option("display.max_colwidth", 70)
    pd.set_option("display.max_rows", 500)
    cols = ["file", "act"] + [c for c in table.columns if c.endswith(("_ours", "_dev", "_pct"))] + ["damaged"]
    print(table[cols].to_string(index=False, float_format=lambda x: f"{x:.1f}"))
    print()
    for ours_key, tol in CRITERIA.items():
        short = {"distance_m": "distance", "timer_time_s": "timer", "avg_cadence_spm": "cadence",
                 "elevation_gain_m": "ascent"}[ours_key]
        pct = table[f"{short}_pct"].dropna()
        passed = int((pct.abs() <= 100 * tol).sum())
        line = f"{short:9s} within {100 * tol:.0f} %: {passed}/{len(pct)} ({100 * passed / max(len(pct), 1):.0f} %)"
        # a damaged file lost records its totals still count: no method can match those
        whole = table.loc[~table["damaged"], f"{short}_pct"].dropna()
        passed_whole = int((whole.abs() <= 100 * tol).sum())
        line += f"; undamaged {passed_whole}/{len(whole)} ({100 * passed_whole / max(len(whole), 1):.0f} %)"
        if f"{short}_base_pct" in table:
            bp = table[f"{short}_base_pct"].dropna()
            line += f"   baseline {int((bp.abs() <= 100 * tol).sum())}/{len(bp)}"
        misses = table.loc[table[f"{short}_pct"].abs() > 100 * tol]
        print(line)
        for _, m in misses.iterrows():
            extra = ""
            if short == "cadence" and np.isfinite(m.get("cadence_moving_pct", np.nan)):
                extra = f" (over the moving time: {m['cadence_moving_pct']:+.1f} %)"
            print(f"    miss: {m['file']}#{m['act']} {m[f'{short}_pct']:+.1f} %{extra}")
        if short == "timer" and "timer_records_pct" in table:
            bare = table["timer_records_pct"].dropna()
            print(f"          from the records and timer events alone (the laps' timer times unused) within 1 %: "
                  f"{int((bare.abs() <= 1).sum())}/{len(bare)}")
        if short == "cadence" and "cadence_moving_pct" in table:
            alt = table["cadence_moving_pct"].dropna()
            print(f"          over the moving time, standing left out (the other definition) within 3 %: "
                  f"{int((alt.abs() <= 3).sum())}/{len(alt)}")
    if args.csv:
        table.to_csv(args.csv, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
