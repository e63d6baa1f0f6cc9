"""A season of runs: analyse many files in parallel, incrementally, one bad file never stopping
the rest, and derive weekly, climb/descent and acute:chronic trends per muscle.

Layout of the output folder::

    DIR/runs.parquet, DIR/runs.csv      one row per run (ok or error)
    DIR/errors.csv                      file, error_type, message
    DIR/skipped.csv                     files that are not activities, and why
    DIR/steps/<run_id>.parquet          the steps table of each run
    DIR/figures/<run_id>.png            the per-run figure (unless figures=False)
    DIR/weekly_load.csv, DIR/climb_descent.csv, DIR/acwr.csv, DIR/season.png
    DIR/.state/<run_id>.json            per-run result rows: the incremental cache

Every file is written atomically. A run's state row is written last, after its steps and figure,
so a run killed half-way is simply analysed again next time; a re-run skips every file whose
content hash, rule set and gaitload version match a stored row.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from . import atomic
from .errors import GaitloadError, NotAnActivityError, NotARunError, OptionError
from .schema import MUSCLES

__all__ = ["season", "SeasonResult", "discover", "season_tables", "ACTIVITY_EXTENSIONS"]

#: File endings considered activity files; anything else found in a folder is skipped and listed.
ACTIVITY_EXTENSIONS = (".fit", ".tcx", ".gpx", ".csv", ".txt", ".csv.gz", ".tcx.gz", ".gpx.gz", ".fit.gz")
#: Generic table/text endings: a file with one of these found by walking a folder may be any
#: table or note (a README.txt, LICENSE.txt, a CSV of labels), so when no reader recognises it
#: or it has no time/sensor columns it is listed as skipped, not as an error. A .fit/.tcx/.gpx
#: that fails is a damaged activity and stays an error.
_GENERIC_EXTENSIONS = (".csv", ".txt", ".tsv", ".csv.gz", ".txt.gz", ".tsv.gz")
#: Error types meaning "not an activity file" rather than "a damaged activity".
_NOT_ACTIVITY_ERRORS = ("UnsupportedFormatError", "MissingColumnsError")
#: Files the simulator writes beside a run that hold its ground truth, not an activity.
_TRUTH_SUFFIXES = (".truth.csv",)
#: Acute and chronic windows of the acute:chronic workload ratio, in days (Gabbett 2016 uses a
#: 7-day acute and 28-day chronic window; a convention of training-load monitoring).
ACUTE_DAYS = 7
CHRONIC_DAYS = 28


@dataclass
class SeasonResult:
    """What a season run produced.

    Attributes
    ----------
    out_dir : Path
    runs : pandas.DataFrame
        One row per run (status ``ok`` or ``error``), sorted by start time then file.
    errors : pandas.DataFrame
        ``file``, ``error_type``, ``message`` for each file that could not be analysed.
    skipped : pandas.DataFrame
        ``file``, ``reason`` for files that are not activities.
    n_analysed, n_cached : int
        Files analysed in this call, and files whose stored result was reused.
    wall_time_s : float
    tables : dict of str to DataFrame
        ``weekly_load``, ``climb_descent``, ``acwr``.
    """

    out_dir: Path
    runs: pd.DataFrame
    errors: pd.DataFrame
    skipped: pd.DataFrame
    n_analysed: int
    n_cached: int
    wall_time_s: float
    tables: dict = field(default_factory=dict)

    def describe(self) -> str:
        """A short human summary of the season run."""
        ok = int((self.runs["status"] == "ok").sum()) if len(self.runs) else 0
        return (f"{ok} run(s) analysed ok, {len(self.errors)} error(s), {len(self.skipped)} skipped "
                f"({self.n_analysed} new, {self.n_cached} from cache) in {self.wall_time_s:.1f} s; "
                f"outputs in {self.out_dir}")


# -- discovery -------------------------------------------------------------------------------
def _is_activity_name(path: Path) -> tuple[bool, str]:
    name = path.name.lower()
    if name.startswith("."):
        return False, "hidden file"
    if name.endswith(_TRUTH_SUFFIXES):
        return False, "simulator ground-truth file, not an activity"
    if not name.endswith(ACTIVITY_EXTENSIONS):
        return False, f"not an activity file type ({path.suffix or 'no extension'})"
    return True, ""


def discover(paths: Iterable[str | os.PathLike], out_dir: str | os.PathLike | None = None) -> tuple[list[Path], list[tuple[str, str]]]:
    """Expand files, folders (recursively) and globs into activity files.

    Returns
    -------
    files : list of Path
        Sorted, without duplicates.
    skipped : list of (str, str)
        Files passed over and the reason.
    """
    files, skipped, _ = _discover(paths, out_dir)
    return files, skipped


def _discover(paths, out_dir) -> tuple[list[Path], list[tuple[str, str]], set[Path]]:
    """:func:`discover`, plus the set of files named explicitly (not found by walking or globbing)."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    explicit: set[Path] = set()
    out_resolved = Path(out_dir).resolve() if out_dir is not None else None
    found: dict[Path, None] = {}
    skipped: list[tuple[str, str]] = []
    for item in paths:
        item_str = os.fspath(item)
        candidates: list[Path]
        if any(ch in item_str for ch in "*?["):
            candidates = [Path(p) for p in sorted(glob.glob(item_str, recursive=True))]
            if not candidates:
                skipped.append((item_str, "glob matched no file"))
        else:
            candidates = [Path(item_str)]
        for cand in candidates:
            if cand.is_dir():
                for sub in sorted(p for p in cand.rglob("*") if p.is_file()):
                    if out_resolved is not None and out_resolved in sub.resolve().parents:
                        continue
                    ok, reason = _is_activity_name(sub)
                    if ok:
                        found[sub] = None
                    else:
                        skipped.append((str(sub), reason))
            elif cand.is_file():
                ok, reason = _is_activity_name(cand)
                if ok or cand.suffix.lower() not in ("", ".md", ".json"):
                    found[cand] = None  # named explicitly: try it, the reader will say if it is not one
                    if not any(ch in item_str for ch in "*?["):
                        explicit.add(cand)
                else:
                    skipped.append((str(cand), reason))
            elif not any(ch in item_str for ch in "*?["):
                skipped.append((str(cand), "no such file or folder"))
    return sorted(found), skipped, explicit


def content_hash(path: Path, chunk_bytes: int = 1 << 20) -> str:
    """SHA-256 of the file's bytes (streamed)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(chunk_bytes), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _rules_fingerprint(rules) -> str:
    """Identifies a rule set's content, so editing a rule file invalidates cached results."""
    from .load import load_rules

    rule_set = load_rules(rules) if isinstance(rules, (str, os.PathLike)) else rules
    raw = getattr(rule_set, "fingerprint", None)
    if callable(raw):
        raw = raw()
    if raw is None:
        raw = repr(rule_set)
    return f"{getattr(rule_set, 'name', rules)}:{hashlib.sha256(str(raw).encode()).hexdigest()[:16]}"


#: The watch-style totals of each run in the runs table (``cadence_source`` says "estimated"
#: where the file had no cadence; see :mod:`gaitload.totals`).
_WATCH_TOTAL_KEYS = ("timer_time_s", "moving_time_s", "avg_cadence_spm", "cadence_source", "avg_pace_s_per_km",
                     "avg_heart_rate", "local_start_time")


# -- one run (runs in a worker process or on a Dask worker) ------------------------------------
def _row_from_summary(summary: dict) -> dict:
    row = {
        "start_time": summary.get("start_time"),
        "format": summary.get("format"),
        "placement": summary.get("placement"),
        "duration_s": summary.get("duration_s"),
        "distance_m": summary.get("distance_m"),
        "elevation_gain_m": summary.get("elevation_gain_m"),
        "elevation_loss_m": summary.get("elevation_loss_m"),
        "n_steps": summary.get("n_steps"),
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


def _season_steps(steps: pd.DataFrame, run_id: str) -> pd.DataFrame:
    """The steps table in the season's fixed schema, with the run it belongs to."""
    from .schema import STEP_COLUMNS

    out = pd.DataFrame({"run_id": pd.Series([run_id] * len(steps), dtype=object)})
    for col, dtype in {**STEP_COLUMNS, **_EXTRA_STEP_COLUMNS}.items():
        if col in steps:
            values = steps[col].to_numpy()
        else:
            values = np.full(len(steps), "unknown" if dtype == "object" else (False if dtype == "bool" else np.nan))
        out[col] = pd.Series(values, dtype=dtype) if dtype != "object" else pd.Series(values, dtype=object).astype(str)
    return out


def _analyze_one(path: str, run_id: str, digest: str, out_dir: str, rules, fingerprint: str,
                 version: str, figures: bool) -> dict:
    """Analyse one file and write its outputs; returns its runs-table row. Never raises."""
    from .analysis import analyze

    out = Path(out_dir)
    row = {"file": path, "run_id": run_id, "content_hash": digest, "rules": fingerprint,
           "gaitload_version": version, "status": "ok", "error_type": "", "message": "", "warnings": ""}
    try:
        analysis = analyze(path, rules=rules)
        row.update(_row_from_summary(analysis.summary))
        row["sport"] = analysis.summary.get("sport") or ""
        row["warnings"] = "; ".join(analysis.summary.get("warnings", []))
        atomic.write_parquet(out / "steps" / f"{run_id}.parquet", _season_steps(analysis.steps, run_id))
        if figures:  # an Agg Figure outside pyplot: nothing to close
            analysis.plot(out / "figures" / f"{run_id}.png")
    except GaitloadError as exc:
        row.update(status="error", error_type=type(exc).__name__, message=str(exc))
    except MemoryError:
        row.update(status="error", error_type="ResourceLimitError", message=f"{path}: out of memory")
    except Exception as exc:  # a bug must not stop the season; it is reported as such
        row.update(status="error", error_type=f"InternalError.{type(exc).__name__}",
                   message=f"{path}: {exc}".replace("\n", " "))
    atomic.write_json(out / ".state" / f"{run_id}.json", row)
    return atomic.json_clean(row)


# -- the season ------------------------------------------------------------------------------
def season(paths, out_dir, *, jobs: int | None = None, scheduler=None, rules="source",
           progress: bool = True, figures: bool = True) -> SeasonResult:
    """Analyse every run found in ``paths`` into ``out_dir``, in parallel and incrementally.

    Parameters
    ----------
    paths : str, path-like or iterable of them
        Files, folders (searched recursively) and globs (``"runs/**/*.fit"``).
    out_dir : str or path-like
        Output folder (created). Re-running on the same folder reuses stored results.
    jobs : int, optional
        Local worker processes; default the CPU count. ``1`` runs in this process.
    scheduler : str or distributed.Client, optional
        A Dask scheduler address (``"tcp://host:8786"``) or a Client: the same work runs on the
        cluster. Workers must see the input files and ``out_dir`` at the same paths.
    rules : str, path-like or RuleSet
        Rule set for every run (``"source"``, ``"literature"`` or a TOML file).
    progress : bool
        Show a progress bar on a terminal (never when stderr is not a TTY).
    figures : bool
        Write a figure per run.

    Returns
    -------
    SeasonResult
    """
    from . import __version__

    started = time.perf_counter()
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, (int, np.integer)) or jobs < 1):
        raise OptionError(f"--jobs must be a whole number of at least 1, got {jobs!r}")
    for item in [paths] if isinstance(paths, (str, os.PathLike)) else list(paths):
        item_str = os.fspath(item)
        if not any(ch in item_str for ch in "*?[") and not os.path.lexists(item_str):
            raise OptionError("no such file or folder", item_str)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file of that name, a read-only or missing parent: bad option
        raise OptionError(f"cannot create the output folder ({exc.strerror or exc})", out) from None
    _remove_stale_temps(out)
    files, skipped, explicit = _discover(paths, out_dir=out)
    fingerprint = _rules_fingerprint(rules)
    rules_arg = os.fspath(rules) if isinstance(rules, os.PathLike) else rules

    todo, cached_rows = [], []
    used_ids: dict[str, Path] = {}
    for path in files:
        try:
            digest = content_hash(path)
        except OSError as exc:
            cached_rows.append({"file": str(path), "run_id": atomic.safe_name(path.stem), "status": "error",
                                "error_type": "GaitloadError", "message": f"{path}: cannot read ({exc.strerror})"})
            continue
        run_id = f"{atomic.safe_name(path.stem, 80)}-{digest[:10]}"
        if run_id in used_ids and used_ids[run_id] != path:
            # byte-identical copies whose names collapse to one safe name ("run (1).csv",
            # "run_1.csv"): still two files, so the later one (sorted order) gets its own id
            run_id = f"{run_id}-{hashlib.sha256(os.fsencode(path)).hexdigest()[:6]}"
        used_ids[run_id] = path
        state = out / ".state" / f"{run_id}.json"
        stored = _load_state(state)
        if stored and stored.get("rules") == fingerprint and stored.get("gaitload_version") == __version__ \
                and (not figures or stored.get("status") != "ok" or (out / "figures" / f"{run_id}.png").exists()):
            stored["file"] = str(path)
            cached_rows.append(stored)
        else:
            todo.append((str(path), run_id, digest, str(out), rules_arg, fingerprint, __version__, figures))

    new_rows = _run_all(todo, jobs=jobs, scheduler=scheduler, progress=progress)
    kept_rows = []
    for row in cached_rows + new_rows:
        reason = _skip_reason(row, explicit)
        if reason:
            skipped.append((row["file"], reason))
        else:
            kept_rows.append(row)
    runs = _runs_table(kept_rows)
    errors = runs.loc[runs["status"] != "ok", ["file", "error_type", "message"]].reset_index(drop=True) \
        if len(runs) else pd.DataFrame(columns=["file", "error_type", "message"])
    skipped_df = pd.DataFrame(skipped, columns=["file", "reason"])
    atomic.write_parquet(out / "runs.parquet", runs)
    atomic.write_csv(out / "runs.csv", runs)
    atomic.write_csv(out / "errors.csv", errors)
    atomic.write_csv(out / "skipped.csv", skipped_df)
    tables = season_tables(runs)
    for name, table in tables.items():
        atomic.write_csv(out / f"{name}.csv", table)
    if figures and len(runs) and (runs["status"] == "ok").any():
        from .plot import plot_season

        plot_season(runs, tables, path=out / "season.png", steps_dir=out / "steps")
    return SeasonResult(out_dir=out, runs=runs, errors=errors, skipped=skipped_df,
                        n_analysed=len(new_rows), n_cached=len(cached_rows),
                        wall_time_s=time.perf_counter() - started, tables=tables)


def _skip_reason(row: dict, explicit: set[Path]) -> str | None:
    """Why a failed file is listed in skipped.csv instead of errors.csv (None: it is an error).

    Skipped wherever the file came from: a sport not on foot (:class:`NotARunError`), and a file
    its reader recognised as valid but holding no recorded activity (:class:`NotAnActivityError`:
    a GPX route or waypoints without a timed track, a FIT settings/workout file, a TCX course
    without trackpoints), reason ``"not an activity: ..."``. A generic table or text file found
    by walking a folder that no reader recognises (or that has no time/sensor columns) is
    skipped as ``"not an activity file (...)"``; named explicitly, it stays an error. Damaged
    activity files (corrupt, bad clock) are always errors.
    """
    if row.get("status") == "ok":
        return None
    error_type = row.get("error_type") or ""
    message = str(row.get("message") or "")
    # the message is "<file>: <problem>"; skipped.csv has the file in its own column
    file = str(row.get("file") or "")
    problem = message[len(file) + 2:] if file and message.startswith(file + ": ") else message
    if error_type == NotARunError.__name__:
        return problem
    if error_type == NotAnActivityError.__name__:
        return f"not an activity: {problem}"
    walked = Path(file) not in explicit
    if walked and error_type in _NOT_ACTIVITY_ERRORS and file.lower().endswith(_GENERIC_EXTENSIONS):
        return f"not an activity file ({problem})"
    return None


#: A temporary output file (``atomic``'s ``.<name>.<random>.tmp``) older than this was left by
#: a writer that was killed: no live write takes this long, so it is removed at the next start.
STALE_TEMP_S = 600.0


def _remove_stale_temps(out: Path) -> int:
    """Delete temporary files that killed writers left in the output folders; returns how many.

    Fresh ones are left alone (another season may be writing them right now); they are never
    read as outputs either way, since every reader looks for the final names only.
    """
    now = time.time()
    removed = 0
    for folder in (out, out / "steps", out / "figures", out / ".state"):
        for tmp in folder.glob(".*.tmp"):
            try:
                if now - tmp.stat().st_mtime > STALE_TEMP_S:
                    tmp.unlink()
                    removed += 1
            except OSError:  # gone already, or not ours to delete: harmless either way
                continue
    return removed


def _load_state(path: Path) -> dict | None:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None  # missing or damaged: analyse again


class _NoProgress:
    def set_postfix(self, **kwargs):
        pass

    def update(self, n=1):
        pass

    def close(self):
        pass


def _progress_bar(total: int, enabled: bool):
    """A tqdm bar on a terminal (files done, failures, ETA); nothing when quiet or not a TTY."""
    if not (enabled and sys.stderr.isatty()):
        return _NoProgress()
    from tqdm import tqdm

    return tqdm(total=total, unit="run", desc="season", dynamic_ncols=True)


def _run_all(todo: list[tuple], *, jobs, scheduler, progress) -> list[dict]:
    if not todo:
        return []
    bar = _progress_bar(len(todo), progress)
    rows: list[dict] = []
    failures = 0

    def done(row):
        nonlocal failures
        rows.append(row)
        failures += row.get("status") != "ok"
        bar.set_postfix(failures=failures, refresh=False)
        bar.update(1)

    try:
        if scheduler is not None:
            _run_dask(todo, scheduler, done)
        else:
            n_jobs = jobs or os.cpu_count() or 1
            if n_jobs < 1:
                raise OptionError(f"--jobs must be at least 1, got {n_jobs}")
            if n_jobs == 1 or len(todo) == 1:
                for args in todo:
                    done(_analyze_one(*args))
            else:
                _run_processes(todo, n_jobs, done)
    finally:
        bar.close()
    return rows


def _run_processes(todo, n_jobs, done) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # "spawn": workers do not inherit threads or open figures of the parent (safe everywhere).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(n_jobs, len(todo)), mp_context=context) as pool:
        futures = {pool.submit(_analyze_one, *args): args for args in todo}
        for future in as_completed(futures):
            args = futures[future]
            try:
                done(future.result())
            except Exception as exc:  # the worker process itself died (OOM kill, segfault)
                done({"file": args[0], "run_id": args[1], "content_hash": args[2], "status": "error",
                      "error_type": "WorkerDied", "message": f"{args[0]}: worker process failed ({exc})"})


def _run_dask(todo, scheduler, done) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise OptionError("a Dask scheduler needs the 'dask' extra: pip install 'gaitload[dask]'") from None
    own_client = not isinstance(scheduler, Client)
    try:
        client = Client(scheduler) if own_client else scheduler
    except (OSError, TimeoutError, ValueError) as exc:
        raise OptionError(f"cannot connect to the Dask scheduler {scheduler!r} ({exc})") from None
    try:
        futures = [client.submit(_analyze_one, *args, pure=False, key=f"gaitload-{args[1]}") for args in todo]
        by_key = {f.key: args for f, args in zip(futures, todo)}
        for future in as_completed(futures):
            try:
                done(future.result())
            except Exception as exc:
                args = by_key[future.key]
                done({"file": args[0], "run_id": args[1], "content_hash": args[2], "status": "error",
                      "error_type": "WorkerDied", "message": f"{args[0]}: Dask task failed ({exc})"})
    finally:
        if own_client:
            client.close()


def _utf8_safe(value):
    """Text that cannot be written as UTF-8 (a file name with undecodable bytes holds lone
    surrogates) with those characters escaped, so Parquet and CSV can store it."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def _runs_table(rows: list[dict]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame(columns=["file", "run_id", "status", "error_type", "message", "start_time"])
    runs = pd.DataFrame([{k: _utf8_safe(v) for k, v in row.items()} for row in rows])
    # ISO 8601 in all its forms: whole and fractional seconds, any offset (without the format,
    # pandas infers one layout from the first value and turns the others into NaT)
    runs["start_time"] = pd.to_datetime(runs.get("start_time"), utc=True, errors="coerce", format="ISO8601")
    runs = runs.sort_values(["start_time", "file"], na_position="last", kind="stable").reset_index(drop=True)
    for col in ("error_type", "message", "warnings", "sport", "format", "placement"):
        if col in runs:
            runs[col] = runs[col].fillna("").astype(str)
    return runs


# -- season tables ------------------------------------------------------------------------------
def season_tables(runs: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Weekly load per muscle, climb vs descent load per muscle, and acute:chronic ratio.

    Runs without a start time cannot be placed on a calendar and are left out of the weekly
    and acute:chronic tables (they still count in ``climb_descent``).

    Returns
    -------
    dict
        ``weekly_load`` (week start, runs, distance, load per muscle), ``climb_descent`` (per
        muscle: climb load, descent load, flat load, season total), ``acwr`` (per day: acute
        7-day and chronic 28-day mean daily load per muscle and their ratio).
    """
    load_cols = [f"load_{m}" for m in MUSCLES]
    ok = runs[runs.get("status", pd.Series(dtype=str)) == "ok"] if len(runs) else runs
    empty_weekly = pd.DataFrame(columns=["week_start", "runs", "distance_m", *load_cols])
    if not len(ok) or not set(load_cols) <= set(ok.columns):
        return {"weekly_load": empty_weekly,
                "climb_descent": pd.DataFrame(columns=["muscle", "climb_load", "descent_load", "other_load", "total_load"]),
                "acwr": pd.DataFrame(columns=["date"])}
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
        return {"weekly_load": empty_weekly, "climb_descent": climb_descent, "acwr": pd.DataFrame(columns=["date"])}
    day = dated["start_time"].dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()
    week = day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    weekly = dated.assign(week_start=week).groupby("week_start").agg(
        runs=("file", "size"), distance_m=("distance_m", lambda s: pd.to_numeric(s, errors="coerce").sum()),
        **{c: (c, "sum") for c in load_cols}).reset_index()
    daily = dated.assign(date=day).groupby("date")[load_cols].sum()
    daily = daily.reindex(pd.date_range(daily.index.min(), daily.index.max(), freq="D"), fill_value=0.0)
    acute = daily.rolling(ACUTE_DAYS, min_periods=1).mean()
    chronic = daily.rolling(CHRONIC_DAYS, min_periods=1).mean()
    acwr = pd.DataFrame({"date": daily.index})
    for m in MUSCLES:
        acwr[f"acute_{m}"] = acute[f"load_{m}"].to_numpy()
        acwr[f"chronic_{m}"] = chronic[f"load_{m}"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = acute[f"load_{m}"].to_numpy() / chronic[f"load_{m}"].to_numpy()
        # the ratio means little before a full chronic window exists
        ratio[: CHRONIC_DAYS - 1] = np.nan
        acwr[f"acwr_{m}"] = ratio
    return {"weekly_load": weekly, "climb_descent": climb_descent, "acwr": acwr}
