"""The season's tables: one runs-table row per run, the steps files' fixed schema, duplicate
runs, and the weekly, climb/descent and acute:chronic tables per muscle."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import MUSCLES

__all__ = ["season_tables", "runs_table", "row_from_summary", "season_steps", "find_duplicates",
           "strike_mix", "ACUTE_DAYS", "CHRONIC_DAYS", "STRIKE_PATTERNS_KNOWN"]

#: Acute and chronic windows of the acute:chronic workload ratio, in days (Gabbett 2016 uses a
#: 7-day acute and 28-day chronic window; a convention of training-load monitoring).
ACUTE_DAYS = 7
CHRONIC_DAYS = 28
#: The strike patterns a sensor can tell apart (the rest is "unknown").
STRIKE_PATTERNS_KNOWN = ("rearfoot", "midfoot", "forefoot")


#: The watch-style totals of each run in the runs table (``cadence_source`` says "estimated"
#: where the file had no cadence; see :mod:`gaitload.totals`).
_WATCH_TOTAL_KEYS = ("timer_time_s", "moving_time_s", "avg_cadence_spm", "cadence_source", "avg_pace_s_per_km",
                     "avg_heart_rate", "local_start_time")


def row_from_summary(summary: dict) -> dict:
    """The runs-table columns of one run's summary (rule-independent fields and loads)."""
    row = {
        "start_time": summary.get("start_time"),
        "format": summary.get("format"),
        "placement": summary.get("placement"),
        "duration_s": summary.get("duration_s"),
        "distance_m": summary.get("distance_m"),
        "elevation_gain_m": summary.get("elevation_gain_m"),
        "elevation_loss_m": summary.get("elevation_loss_m"),
        "n_steps": summary.get("n_steps"),
        # the steps whose strike pattern the sensor saw (strike fractions are shares of these)
        "n_steps_measured": summary.get("n_steps_measured"),
        "cadence_spm": summary.get("cadence_spm"),
        "contact_time_ms": summary.get("contact_time_ms"),
        **{key: summary.get(key) for key in _WATCH_TOTAL_KEYS},
    }
    for cls, frac in (summary.get("terrain_fraction") or {}).items():
        row[f"terrain_{cls}"] = frac
    for pattern, frac in (summary.get("strike_pattern_fraction") or {}).items():
        row[f"strike_{pattern}"] = frac
    for key, value in (summary.get("climbs") or {}).items():  # per-run climb totals
        row[key] = value
    row["load_total"] = summary.get("load_total")
    for muscle in MUSCLES:
        row[f"load_{muscle}"] = (summary.get("muscle_load") or {}).get(muscle)
        row[f"share_{muscle}"] = (summary.get("muscle_share") or {}).get(muscle)
        row[f"emphasis_{muscle}"] = (summary.get("emphasis_vs_flat") or {}).get(muscle)
    by_terrain = summary.get("load_by_terrain") or {}
    for muscle in MUSCLES:
        row[f"climb_load_{muscle}"] = (by_terrain.get("uphill") or {}).get(muscle, 0.0)
        row[f"descent_load_{muscle}"] = (by_terrain.get("downhill") or {}).get(muscle, 0.0)
    return row


#: Extra step columns kept in the season's steps files, with their types, so that every
#: steps/<run_id>.parquet has one schema and the folder reads as one dataset.
_EXTRA_STEP_COLUMNS = {"measured": "bool", "ic_approximate": "bool", "stride_length_m": "float64",
                       "stride_rise_m": "float64", "device_cadence_spm": "float64",
                       # the device's own per-step measurements (gaitload.events.records.DEVICE_STEP_COLUMNS)
                       "strike_measured": "bool", "footstrike_type": "float64", "impact_g": "float64",
                       "braking_g": "float64", "vertical_oscillation_mm": "float64", "power_w": "float64"}


def season_steps(steps: pd.DataFrame, run_id: str) -> pd.DataFrame:
    """The steps table in the season's fixed schema, with the run it belongs to."""
    from ..schema import STEP_COLUMNS

    columns = {"run_id": pd.Series([run_id] * len(steps), dtype=object)}
    for col, dtype in {**STEP_COLUMNS, **_EXTRA_STEP_COLUMNS}.items():
        if col in steps:
            values = steps[col].to_numpy()
        else:
            values = np.full(len(steps), "unknown" if dtype == "object" else (False if dtype == "bool" else np.nan))
        columns[col] = pd.Series(values, dtype=dtype) if dtype != "object" else pd.Series(values, dtype=object).astype(str)
    return pd.DataFrame(columns)  # one frame of every column: adding ~40 columns one by one cost more


def _utf8_safe(value):
    """Text that cannot be written as UTF-8 (a file name with undecodable bytes holds lone
    surrogates) with those characters escaped, so Parquet and CSV can store it."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


#: The runs table's first columns (what a reader looks at first) and last ones (bookkeeping);
#: the summary's columns sit between, in their own order.
_LEADING_COLUMNS = ("file", "run_id", "activity", "activity_name", "export_sport", "sport", "start_time",
                    "start_time_source", "status", "error_type", "message")
_TRAILING_COLUMNS = ("n_channels", "channels", "source_bytes", "content_hash", "rules", "gaitload_version",
                     "warnings")


def runs_table(rows: list[dict]) -> pd.DataFrame:
    """The runs table of state rows: start times parsed (UTC), sorted by start time then file."""
    if not rows:
        return pd.DataFrame(columns=["file", "run_id", "status", "error_type", "message", "start_time"])
    runs = pd.DataFrame([{k: _utf8_safe(v) for k, v in row.items()} for row in rows])
    first = [c for c in _LEADING_COLUMNS if c in runs]
    last = [c for c in _TRAILING_COLUMNS if c in runs]
    runs = runs[first + [c for c in runs if c not in first and c not in last] + last]
    # ISO 8601 in all its forms: whole and fractional seconds, any offset (without the format,
    # pandas infers one layout from the first value and turns the others into NaT)
    runs["start_time"] = pd.to_datetime(runs.get("start_time"), utc=True, errors="coerce", format="ISO8601")
    runs = runs.sort_values(["start_time", "file"], na_position="last", kind="stable").reset_index(drop=True)
    for col in ("error_type", "message", "warnings", "sport", "format", "placement"):
        if col in runs:
            runs[col] = runs[col].fillna("").astype(str)
    return runs


# -- season tables ------------------------------------------------------------------------------
def season_tables(runs: pd.DataFrame, tz="local") -> dict[str, pd.DataFrame]:
    """Weekly load per muscle, climb vs descent load per muscle, and acute:chronic ratio.

    Days and weeks are the runner's calendar: start times in ``tz`` (``"local"``: this
    computer's time zone, with its daylight-saving rules; or a name such as ``"Europe/Paris"``,
    or ``"UTC"``).

    Runs without a start time cannot be placed on a calendar and are left out of the weekly
    and acute:chronic tables (they still count in ``climb_descent``).

    Returns
    -------
    dict
        ``weekly_load`` (week start, runs, distance, load per muscle), ``climb_descent`` (per
        muscle: climb load, descent load, flat load, season total), ``acwr`` (per day: acute
        7-day and chronic 28-day mean daily load per muscle and their ratio), ``strike_mix``
        (per week: foot contacts of each measured strike pattern and their shares, see
        :func:`strike_mix`; no rows when no run measured one).
    """
    load_cols = [f"load_{m}" for m in MUSCLES]
    ok = runs[runs.get("status", pd.Series(dtype=str)) == "ok"] if len(runs) else runs
    empty_weekly = pd.DataFrame(columns=["week_start", "runs", "distance_m", *load_cols])
    if not len(ok) or not set(load_cols) <= set(ok.columns):
        return {"weekly_load": empty_weekly,
                "climb_descent": pd.DataFrame(columns=["muscle", "climb_load", "descent_load", "other_load", "total_load"]),
                "acwr": pd.DataFrame(columns=["date"]), "strike_mix": strike_mix(ok, tz)}
    loads = ok[load_cols].apply(pd.to_numeric, errors="coerce").fillna(0.0)
    climb = ok[[f"climb_load_{m}" for m in MUSCLES]].apply(pd.to_numeric, errors="coerce").fillna(0.0).sum()
    descent = ok[[f"descent_load_{m}" for m in MUSCLES]].apply(pd.to_numeric, errors="coerce").fillna(0.0).sum()
    total = loads.sum()
    climb_descent = pd.DataFrame({
        "muscle": list(MUSCLES),
        "climb_load": climb.to_numpy(),
        "descent_load": descent.to_numpy(),
        "other_load": total.to_numpy() - climb.to_numpy() - descent.to_numpy(),
        "total_load": total.to_numpy(),
    })
    dated = ok.assign(**{c: loads[c] for c in load_cols}).dropna(subset=["start_time"])
    if not len(dated):
        return {"weekly_load": empty_weekly, "climb_descent": climb_descent, "acwr": pd.DataFrame(columns=["date"]),
                "strike_mix": strike_mix(ok, tz)}
    day, week = _calendar(dated["start_time"], tz)
    weekly = dated.assign(week_start=week).groupby("week_start").agg(
        runs=("file", "size"), distance_m=("distance_m", lambda s: pd.to_numeric(s, errors="coerce").sum()),
        **{c: (c, "sum") for c in load_cols}).reset_index()
    daily = dated.assign(date=day).groupby("date")[load_cols].sum()
    daily = daily.reindex(pd.date_range(daily.index.min(), daily.index.max(), freq="D"), fill_value=0.0)
    # a mean over the whole window (days without a run count as 0), none before it is covered
    acute = daily.rolling(ACUTE_DAYS, min_periods=ACUTE_DAYS).mean()
    chronic = daily.rolling(CHRONIC_DAYS, min_periods=CHRONIC_DAYS).mean()
    acwr = pd.DataFrame({"date": daily.index})
    for m in MUSCLES:
        acwr[f"acute_{m}"] = acute[f"load_{m}"].to_numpy()
        acwr[f"chronic_{m}"] = chronic[f"load_{m}"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = acute[f"load_{m}"].to_numpy() / chronic[f"load_{m}"].to_numpy()
        acwr[f"acwr_{m}"] = ratio  # NaN before a full chronic window exists
    return {"weekly_load": weekly, "climb_descent": climb_descent, "acwr": acwr, "strike_mix": strike_mix(ok, tz)}


def _calendar(start_times: pd.Series, tz) -> tuple[pd.Series, pd.Series]:
    """The runner's calendar day (midnight, no zone) of each start time, and the Monday of its week."""
    day = local_times(start_times, tz).dt.tz_localize(None).dt.normalize()
    return day, day - pd.to_timedelta(day.dt.day_of_week, unit="D")


def strike_mix(runs: pd.DataFrame, tz="local") -> pd.DataFrame:
    """Foot contacts of each measured strike pattern per week, and their shares.

    A run's contacts of a pattern are its ``strike_<pattern>`` fraction times the contacts
    whose pattern the sensor saw (``n_steps_measured``; ``n_steps`` in runs tables written
    before that column existed). Runs without a start time, or without a known pattern (watch
    records, lumbar and wrist sensors), are left out.

    Parameters
    ----------
    runs : pandas.DataFrame
        Runs table (``status`` "ok" rows are used), with ``start_time`` (UTC) and the
        ``strike_<pattern>`` fractions.
    tz : str
        Time zone of the calendar (see :func:`season_tables`).

    Returns
    -------
    pandas.DataFrame
        One row per week with a known strike: ``week_start`` (Monday, runner's calendar),
        ``runs``, ``contacts`` (known-pattern contacts), ``rearfoot``, ``midfoot``,
        ``forefoot`` (contacts) and ``rearfoot_pct``, ``midfoot_pct``, ``forefoot_pct``
        (shares of ``contacts``, %).
    """
    known = STRIKE_PATTERNS_KNOWN
    columns = ["week_start", "runs", "contacts", *known, *[f"{p}_pct" for p in known]]
    if not len(runs) or "start_time" not in runs or not {f"strike_{p}" for p in known} <= set(runs.columns):
        return pd.DataFrame(columns=columns)
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    fractions = ok[[f"strike_{p}" for p in known]].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    measured = pd.to_numeric(ok.get("n_steps_measured", pd.Series(np.nan, index=ok.index)), errors="coerce")
    steps = measured.fillna(pd.to_numeric(ok.get("n_steps"), errors="coerce")).to_numpy(dtype=float)
    counts = np.nan_to_num(fractions) * np.nan_to_num(steps)[:, None]
    start = pd.to_datetime(ok["start_time"], utc=True, errors="coerce")
    keep = (counts.sum(axis=1) > 0) & start.notna().to_numpy()
    if not keep.any():
        return pd.DataFrame(columns=columns)
    _, week = _calendar(start[keep], tz)
    frame = pd.DataFrame(np.round(counts[keep]), columns=list(known)).assign(week_start=week.to_numpy(), runs=1)
    weekly = frame.groupby("week_start", sort=True)[["runs", *known]].sum().reset_index()
    weekly.insert(2, "contacts", weekly[list(known)].sum(axis=1))
    for p in known:
        weekly[f"{p}_pct"] = 100.0 * weekly[p] / weekly["contacts"]
    return weekly[columns]


def local_times(times: pd.Series, tz="local") -> pd.Series:
    """UTC start times in the runner's time zone (see :func:`season_tables`)."""
    times = pd.to_datetime(times, utc=True, errors="coerce")
    if tz == "local":
        from dateutil.tz import tzlocal

        tz = tzlocal()
    return times.dt.tz_convert(tz)


#: Two recordings are one run when their starts are this close and their durations within
#: :data:`DUPLICATE_DURATION_FRACTION` of each other, or one's time span lies inside the other's.
#: A watch and its exports (FIT, TCX, GPX, Strava's re-export) start on the same second; 60 s
#: allows a phone app started a little later. Judgement, after the duplicate checks of Strava
#: and Garmin Connect at import (same start within a minute).
DUPLICATE_START_S = 60.0
DUPLICATE_DURATION_FRACTION = 0.05
#: Preference among the copies of one run: FIT (the watch's own record, every channel) over TCX
#: over GPX (exports that drop channels); other formats (CSV records or IMU logs) last.
FORMAT_RANK = {"fit": 3, "tcx": 2, "gpx": 1}


def _richness(row: dict) -> tuple:
    """Sort key of the copy to keep: one with steps before one without (a copy whose cadence
    is all zeros, a truncated file), then format, number of channels and file size."""
    return (row.get("status") == "ok", FORMAT_RANK.get(str(row.get("format") or "").lower(), 0),
            int(row.get("n_channels") or 0), int(row.get("source_bytes") or 0))


def find_duplicates(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """Split analysed runs into the runs to count and the duplicate recordings of them.

    Two runs are one when both have a start time from the recording's own clock and their starts are within
    :data:`DUPLICATE_START_S` with durations within :data:`DUPLICATE_DURATION_FRACTION`, or
    one's time span lies inside the other's; byte-identical files (same content hash and
    activity) are one run with or without a start time. Groups are closed transitively; in
    each, the richest copy is kept (one with steps, then :data:`FORMAT_RANK`, then more channels,
    then the larger file, then the first file by name).

    Parameters
    ----------
    rows : list of dict
        Runs-table rows with ``status``, ``start_time`` (ISO text or Timestamp), ``duration_s``,
        ``format``, ``n_channels``, ``source_bytes``, ``content_hash``, ``file``, ``run_id``.

    Returns
    -------
    kept : list of dict
        Every row that is not a duplicate (error rows included), in the given order.
    duplicates : list of dict
        ``file``, ``run_id``, ``duplicate_of`` (run id kept), ``duplicate_of_file``, ``reason``.
    """
    n = len(rows)
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i, j):
        parent[find(i)] = find(j)

    candidates = [i for i, r in enumerate(rows) if r.get("status") == "ok"]
    by_content: dict = {}
    for i in candidates:
        key = (rows[i].get("content_hash"), rows[i].get("activity"))
        if key[0]:
            if key in by_content:
                union(i, by_content[key])
            by_content.setdefault(key, i)
    # only a recording's own clock dates it: files copied together share modification times
    starts = pd.to_datetime(pd.Series([rows[i].get("start_time") if rows[i].get("start_time_source", "recording")
                                       == "recording" else None for i in candidates], dtype=object),
                            utc=True, errors="coerce", format="ISO8601")
    t0 = (starts - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds().to_numpy()
    dur = np.array([_duration(rows[i]) for i in candidates], dtype=float)
    order = np.argsort(np.where(np.isnan(t0), np.inf, t0), kind="stable")
    # a sweep over start times: only runs starting before this one ends can overlap it
    for a_pos, a in enumerate(order):
        if not np.isfinite(t0[a]):
            break
        end_a = t0[a] + (dur[a] if np.isfinite(dur[a]) else 0.0)
        for b in order[a_pos + 1:]:
            if not np.isfinite(t0[b]) or t0[b] > max(end_a, t0[a] + DUPLICATE_START_S):
                break
            if _same_run(t0[a], dur[a], t0[b], dur[b]):
                union(candidates[a], candidates[b])
    groups: dict[int, list[int]] = {}
    for i in candidates:
        groups.setdefault(find(i), []).append(i)
    dropped: dict[int, int] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        keep = max(members, key=lambda i: (_richness(rows[i]), [-ord(c) for c in str(rows[i].get("file"))]))
        for i in members:
            if i != keep:
                dropped[i] = keep
    kept = [r for i, r in enumerate(rows) if i not in dropped]
    duplicates = [{"file": rows[i].get("file"), "run_id": rows[i].get("run_id"),
                   "duplicate_of": rows[k].get("run_id"), "duplicate_of_file": rows[k].get("file"),
                   "reason": _why_kept(rows[k], rows[i])}
                  for i, k in sorted(dropped.items(), key=lambda ik: str(rows[ik[0]].get("file")))]
    return kept, duplicates


def _duration(row: dict) -> float:
    for key in ("elapsed_time_s", "duration_s"):
        try:
            value = float(row.get(key))
        except (TypeError, ValueError):
            continue
        if np.isfinite(value):
            return value
    return float("nan")


def _same_run(ta: float, da: float, tb: float, db: float) -> bool:
    if abs(ta - tb) <= DUPLICATE_START_S and np.isfinite(da) and np.isfinite(db) and \
            abs(da - db) <= DUPLICATE_DURATION_FRACTION * max(da, db):
        return True
    if not (np.isfinite(da) and np.isfinite(db)):
        return False
    ea, eb = ta + da, tb + db
    return (ta <= tb and eb <= ea) or (tb <= ta and ea <= eb)


def _why_kept(kept: dict, dropped: dict) -> str:
    if kept.get("content_hash") and kept.get("content_hash") == dropped.get("content_hash"):
        return "same file content"
    rk, rd = _richness(kept), _richness(dropped)
    if rk[0] != rd[0]:
        why = "this copy has no steps"
    elif rk[1] != rd[1]:
        why = f"{kept.get('format')} preferred to {dropped.get('format')}"
    elif rk[2] != rd[2]:
        why = f"{rk[2]} channels against {rd[2]}"
    elif rk[3] != rd[3]:
        why = "larger file"
    else:
        why = "first by name"
    return f"same activity recorded twice (overlapping in time); kept the other: {why}"


def start_time_fields(start_time, mtime: float | None) -> dict:
    """``start_time`` (ISO 8601, UTC) and ``start_time_source``: the recording's own clock, else
    the file's modification time (a raw IMU log with a relative clock), so every analysed run
    sits on the calendar; ``start_time_source`` says which."""
    if start_time:
        return {"start_time": start_time, "start_time_source": "recording"}
    if mtime is None:
        return {"start_time": None, "start_time_source": "unknown"}
    stamp = pd.Timestamp(mtime, unit="s", tz="UTC")
    return {"start_time": stamp.isoformat(), "start_time_source": "file modified time"}


#: An activity list's local start time matches a run when it is the run's UTC start shifted by a
#: whole number of quarter hours (every time zone's offset is one), within a minute, and by no
#: more than 14 hours (the widest offsets, UTC-12 to UTC+14).
_OFFSET_STEP_S = 900.0
_MAX_OFFSET_S = 14 * 3600.0
_MATCH_S = 60.0


def name_by_date(rows: list[dict], entries: list[dict]) -> int:
    """Name runs from an activity list that gives local start dates, not files (Garmin
    Connect's ``activities.csv``: ``Date``, ``Title``, ``Activity Type``).

    The list's times are local and its time zone unknown: a run matches an entry when the two
    differ by a whole number of quarter hours within a minute; among a run's candidates the one
    whose offset matches most runs of the season wins (so daylight saving's two offsets both
    work, and a run two hours before another is not taken for it). Sets ``activity_name`` and
    ``export_sport`` of the matched rows, in place; returns how many were named.
    """
    if not entries:
        return 0
    dates = pd.to_datetime(pd.Series([e.get("date") for e in entries], dtype=object), errors="coerce")
    e_t = (dates - pd.Timestamp("1970-01-01")).dt.total_seconds().to_numpy()
    todo = [i for i, r in enumerate(rows) if r.get("status") == "ok" and not r.get("activity_name")
            and r.get("start_time") and r.get("start_time_source", "recording") == "recording"]
    if not todo:
        return 0
    starts = pd.to_datetime(pd.Series([rows[i]["start_time"] for i in todo], dtype=object), utc=True,
                            errors="coerce", format="ISO8601")
    r_t = (starts - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds().to_numpy()
    diff = e_t[None, :] - r_t[:, None]                       # runs x entries, seconds
    k = np.round(diff / _OFFSET_STEP_S)
    ok = np.isfinite(diff) & (np.abs(diff - k * _OFFSET_STEP_S) <= _MATCH_S) & (np.abs(k * _OFFSET_STEP_S) <= _MAX_OFFSET_S)
    offsets, counts = np.unique(k[ok], return_counts=True)
    support = dict(zip(offsets.tolist(), counts.tolist()))
    named, used = 0, set()
    for a, i in enumerate(todo):
        cand = [(support[k[a, j]], j) for j in np.flatnonzero(ok[a]) if j not in used]
        if not cand:
            continue
        cand.sort(reverse=True)
        if len(cand) > 1 and cand[0][0] == cand[1][0]:
            continue  # two entries fit equally well: leave it unnamed rather than guess
        j = cand[0][1]
        used.add(j)
        rows[i]["activity_name"] = entries[j].get("name", "")
        rows[i]["export_sport"] = entries[j].get("type", "")
        named += 1
    return named
