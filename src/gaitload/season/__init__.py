"""A season of runs: analyse many files in parallel, incrementally, one bad file never stopping
the rest, each activity counted once, and derive weekly, climb/descent and acute:chronic trends
per muscle.

Layout of the output folder::

    DIR/runs.parquet, DIR/runs.csv      one row per run (ok or error)
    DIR/errors.csv                      file, error_type, message
    DIR/skipped.csv                     files that are not activities (or not on foot), and why
    DIR/duplicates.csv                  recordings of a run counted once under another file
    DIR/steps/<run_id>.parquet          the steps table of each counted run
    DIR/figures/<run_id>.png            the per-run figure (unless figures=False)
    DIR/weekly_load.csv, DIR/climb_descent.csv, DIR/acwr.csv, DIR/strike_mix.csv, DIR/season.png
    DIR/.state/<file_id>.json           per-file result rows: the incremental cache

Stages, one module each: :mod:`.discover` (files, folders, globs, zip exports), :mod:`.cache`
(state rows, the manifest of an unchanged season), :mod:`.executors` (analysing a file or
re-applying a rule set to stored steps, locally or on Dask), :mod:`.tables` (runs table,
duplicates, season tables).

Every file is written atomically. A file's state row is written last, after its steps and
figure, so a run killed half-way is simply analysed again next time; a re-run skips every file
whose content hash, rule set and gaitload version match a stored row, re-applies only the load
stage when just the rule set changed, and returns at once (before the analysis stack is even
imported) when no input, option or output changed.

A rule-set change removes the per-run figures (they show the old loads) instead of redrawing
them: comparing rule sets is a question about the season's tables and figure, which are redone,
and redrawing every run's figure would cost more than the re-application itself. The next
season run draws the missing figures from the stored steps, without analysing anything again;
:meth:`SeasonResult.describe` says so.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from ..errors import NoClockError, NoStepsError, NotAnActivityError, NotARunError, OptionError
from . import cache
from .cache import STALE_TEMP_S
from .discover import (ACTIVITY_EXTENSIONS, UNSUPPORTED_EXTENSIONS, content_hash, date_index, discover, discover_sources,
                       source_digest)

__all__ = ["season", "SeasonResult", "discover", "season_tables", "ACTIVITY_EXTENSIONS", "UNSUPPORTED_EXTENSIONS",
           "content_hash", "STALE_TEMP_S", "ACUTE_DAYS", "CHRONIC_DAYS"]

#: Generic table/text endings: a file with one of these found by walking a folder may be any
#: table or note (a README.txt, LICENSE.txt, a CSV of labels), so when no reader recognises it
#: or it has no time/sensor columns it is listed as skipped, not as an error. A .fit/.tcx/.gpx
#: that fails is a damaged activity and stays an error.
_GENERIC_EXTENSIONS = (".csv", ".txt", ".tsv", ".csv.gz", ".txt.gz", ".tsv.gz")
#: Error types meaning "not an activity file" rather than "a damaged activity".
_NOT_ACTIVITY_ERRORS = ("UnsupportedFormatError", "MissingColumnsError")
#: Columns of the state rows kept out of the runs table (the full summary, kept to re-apply a
#: rule set without reading the file again).
_PRIVATE_COLUMNS = ("_summary", "_warning_split")
ACUTE_DAYS = 7
CHRONIC_DAYS = 28


def __getattr__(name):
    # the tables need pandas: imported when first asked for, not by an unchanged re-run
    if name in ("season_tables", "_runs_table", "_row_from_summary", "find_duplicates"):
        from . import tables

        return {"season_tables": tables.season_tables, "_runs_table": tables.runs_table,
                "_row_from_summary": tables.row_from_summary, "find_duplicates": tables.find_duplicates}[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class SeasonResult:
    """What a season run produced. The tables are read from ``out_dir`` when first used (an
    unchanged re-run does not load them).

    Attributes
    ----------
    out_dir : Path
    runs : pandas.DataFrame
        One row per counted run (status ``ok`` or ``error``), sorted by start time then file.
        A file with no step is no run: it is listed in ``skipped``.
    errors : pandas.DataFrame
        ``file``, ``error_type``, ``message`` for each file that failed.
    skipped : pandas.DataFrame
        ``file``, ``reason`` for files that are not activities or not on foot.
    duplicates : pandas.DataFrame
        ``file``, ``run_id``, ``duplicate_of``, ``duplicate_of_file``, ``reason``.
    n_analysed, n_reapplied, n_cached : int
        Files analysed in this call, files whose stored steps took a new rule set, and files
        whose stored result was reused (including those whose missing figures were drawn).
    n_figures_pending : int
        Counted runs whose per-run figure a rule-set change removed and the next run draws.
    wall_time_s : float
    tables : dict of str to DataFrame
        ``weekly_load``, ``climb_descent``, ``acwr``, ``strike_mix``.
    """

    _FILES = {"runs": "runs.parquet", "errors": "errors.csv", "skipped": "skipped.csv",
              "duplicates": "duplicates.csv"}

    def __init__(self, out_dir, *, counts: dict, wall_time_s: float, frames: dict | None = None):
        self.out_dir = Path(out_dir)
        self.counts = dict(counts)
        self.n_analysed = int(counts.get("analysed", 0))
        self.n_reapplied = int(counts.get("reapplied", 0))
        self.n_cached = int(counts.get("cached", 0))
        self.n_figures_pending = int(counts.get("figures_pending", 0))
        self.wall_time_s = wall_time_s
        self._frames = dict(frames or {})

    def _frame(self, name):
        if name not in self._frames:
            import pandas as pd

            path = self.out_dir / self._FILES[name]
            if name == "runs":
                self._frames[name] = pd.read_parquet(path)
            else:
                self._frames[name] = pd.read_csv(path, keep_default_na=False, dtype=str)
        return self._frames[name]

    runs = property(lambda self: self._frame("runs"))
    errors = property(lambda self: self._frame("errors"))
    skipped = property(lambda self: self._frame("skipped"))
    duplicates = property(lambda self: self._frame("duplicates"))

    @property
    def tables(self) -> dict:
        if "tables" not in self._frames:
            import pandas as pd

            self._frames["tables"] = {name: pd.read_csv(self.out_dir / f"{name}.csv")
                                      for name in ("weekly_load", "climb_descent", "acwr", "strike_mix")
                                      if name != "strike_mix" or (self.out_dir / f"{name}.csv").exists()}
        return self._frames["tables"]

    def describe(self) -> str:
        """A short human summary of the season run."""
        c = self.counts
        dup = f", {c.get('duplicates', 0)} duplicate(s) counted once" if c.get("duplicates") else ""
        # these count files (one may hold several runs, or none), unlike the runs before them
        work = f"{self.n_analysed} file{'' if self.n_analysed == 1 else 's'} new, {self.n_cached} from cache"
        if self.n_reapplied:
            work += f", {self.n_reapplied} with the new rule set applied to stored steps"
        text = (f"{c.get('ok', 0)} run(s) analysed ok, {c.get('errors', 0)} error(s), "
                f"{c.get('skipped', 0)} skipped{dup} ({work}) in {self.wall_time_s:.1f} s; outputs in {self.out_dir}")
        if self.n_figures_pending:
            text += (f"\nper-run figures of {self.n_figures_pending} run(s) not drawn yet: a rule-set change removes "
                     "those showing the old loads (the tables and season.png show the new ones); run the same "
                     "command again to draw them from the stored steps (nothing is analysed again)")
        return text

    def __repr__(self) -> str:
        return f"SeasonResult({self.describe()!r})"


def _check_options(paths, out_dir, jobs, tz="local") -> Path:
    if tz != "local":
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(str(tz))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise OptionError(f"unknown time zone {tz!r}; give a name such as Europe/Paris, or UTC") from None
    if jobs is not None and (isinstance(jobs, bool) or not hasattr(jobs, "__index__") or jobs < 1):
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
    return out


def season(paths, out_dir, *, jobs: int | None = None, scheduler=None, rules="source",
           progress: bool = True, figures: bool = True, tz="local") -> SeasonResult:
    """Analyse every run found in ``paths`` into ``out_dir``, in parallel and incrementally.

    Parameters
    ----------
    paths : str, path-like or iterable of them
        Files, folders (searched recursively), globs (``"runs/**/*.fit"``) and zip archives
        (a Garmin or Strava bulk export, read member by member; its ``activities.csv`` names
        each activity and its sport).
    out_dir : str or path-like
        Output folder (created). Re-running on the same folder reuses stored results.
    jobs : int, optional
        Local worker processes; default the CPU count. ``1`` runs in this process. Works from
        a plain script (no ``if __name__ == "__main__":`` guard needed).
    scheduler : str or distributed.Client, optional
        A Dask scheduler address (``"tcp://host:8786"``) or a Client: the same work runs on the
        cluster. Workers must see the input files and ``out_dir`` at the same paths.
    rules : str, path-like or RuleSet
        Rule set for every run (``"source"``, ``"literature"`` or a TOML file). Changing only
        the rule set re-applies the load stage to the stored steps.
    progress : bool
        Show a progress bar on a terminal (never when stderr is not a TTY).
    figures : bool
        Write a figure per run.
    tz : str
        The runner's time zone for the calendar (days, weeks, figure dates): ``"local"`` (this
        computer's) or a name such as ``"Europe/Paris"``.

    Returns
    -------
    SeasonResult
    """
    from ..version import __version__

    started = time.perf_counter()
    # "~/runs" as a shell would read it: a script's paths do not pass through one
    paths = [os.path.expanduser(os.fspath(p)) for p in ([paths] if isinstance(paths, (str, os.PathLike)) else paths)]
    out = _check_options(paths, os.path.expanduser(os.fspath(out_dir)), jobs, tz)
    cache.remove_stale_temps(out)
    sources, skipped, explicit, refused = discover_sources(paths, out_dir=out)
    file_digests: dict[Path, str] = {}
    unreadable: list[tuple[str, str, str]] = []
    for src in sources:
        if src.path not in file_digests:
            try:
                file_digests[src.path] = content_hash(src.path)
            except OSError as exc:
                file_digests[src.path] = ""
                unreadable.append((str(src.path), "GaitloadError", f"{src.path}: cannot read ({exc.strerror})"))
    index_rows = date_index(paths, out)
    quick_rules = cache.rules_key(rules)
    manifest_key = None
    if quick_rules and not unreadable:
        manifest_key = cache.manifest_key(__version__, quick_rules, figures, [(str(p), d) for p, d in file_digests.items()],
                                          skipped, refused, [str(tz), index_rows])
        manifest = cache.read_manifest(out, manifest_key)
        if manifest:
            return SeasonResult(out, counts={**manifest["counts"], "analysed": 0, "reapplied": 0,
                                             "cached": manifest["counts"].get("files", 0)},
                                wall_time_s=time.perf_counter() - started)
    return _run_season(out, index_rows, sources, skipped, explicit, refused + unreadable, file_digests, rules, jobs,
                       scheduler, progress, figures, tz, manifest_key, __version__, started)


def _file_ids(sources, file_digests) -> list[tuple]:
    """``(source, file id, content digest)``: ids unique even for copies whose names collapse to
    one safe name (``run (1).csv``, ``run_1.csv``)."""
    from .. import atomic

    used: dict[str, str] = {}
    out = []
    for src in sources:
        if not file_digests.get(src.path):
            continue
        digest = source_digest(src, file_digests[src.path])
        file_id = f"{atomic.safe_name(src.stem, 80)}-{digest[:10]}"
        if file_id in used and used[file_id] != src.label:
            file_id = f"{file_id}-{hashlib.sha256(os.fsencode(src.label)).hexdigest()[:6]}"
        used[file_id] = src.label
        out.append((src, file_id, digest))
    return out


def _outputs_present(out: Path, state: dict, figures: bool) -> bool:
    """Whether a file's stored outputs serve this season: its steps, and with ``figures`` what a
    figure is drawn from (profile, segments). The figures themselves: :func:`_figures_missing`."""
    for row in state.get("rows", []):
        if row.get("status") != "ok":
            continue
        run_id = row["run_id"]
        if not (cache.steps_path(out, run_id).exists() or cache.steps_path(out, run_id, True).exists()):
            return False
        if figures and not all((out / ".state" / f"{run_id}.{part}.parquet").exists() for part in ("profile", "segments")):
            return False
    return True


def _figures_missing(out: Path, state: dict) -> bool:
    """A counted run of the file (steps in ``steps/``) has no figure: removed by a rule-set change,
    or a duplicate's run counted again."""
    return any(row.get("status") == "ok" and cache.steps_path(out, row["run_id"]).exists()
               and not cache.figure_path(out, row["run_id"]).exists() for row in state.get("rows", []))


def _run_season(out, index_rows, sources, skipped, explicit, refused, file_digests, rules, jobs, scheduler, progress,
                figures, tz, manifest_key, version, started) -> SeasonResult:
    from .. import atomic
    from .executors import run_all
    from .tables import find_duplicates, name_by_date, runs_table, season_tables

    fingerprint = _rules_fingerprint(rules)
    rules_arg = os.fspath(rules) if isinstance(rules, os.PathLike) else rules
    todo, cached = [], []
    n_reapply = n_figure = 0
    for src, file_id, digest in _file_ids(sources, file_digests):
        state = cache.load_state(out / ".state" / f"{file_id}.json")
        job = {"kind": "analyze", "label": src.label, "path": str(src.path), "member": src.member,
               "file_id": file_id, "digest": digest, "out_dir": str(out), "rules": rules_arg,
               "fingerprint": fingerprint, "version": version, "figures": figures, "export": src.export,
               "source_bytes": src.member.size if src.member else _size(src.path),
               "mtime": src.member.mtime if src.member else _mtime(src.path)}
        same_input = state is not None and state.get("content_hash") == digest and \
            state.get("gaitload_version") == version and _outputs_present(out, state, figures)
        loads = [r for r in state.get("rows", []) if r.get("status") == "ok"] if state else []
        if same_input and (state.get("rules") == fingerprint or not loads):
            # a file with no run to load (an error, a skipped sport) reads the same under any rule set
            state["file"] = src.label
            for row in state.get("rows", []):
                row["rules"] = fingerprint
            if figures and _figures_missing(out, state):
                todo.append({**job, "kind": "figure", "state": state})
                n_figure += 1
            else:
                cached.append(state)
        elif same_input:
            todo.append({**job, "kind": "reapply", "state": state})
            n_reapply += 1
        else:
            todo.append(job)
    new_states = run_all(todo, jobs=jobs, scheduler=scheduler, progress=progress)
    died = any(s.get("_not_stored") for s in new_states)

    rows, skipped = [], list(skipped)
    for state in cached + new_states:
        skipped.extend(tuple(s) for s in state.get("skips", []))
        for row in state.get("rows", []):
            reason = _skip_reason(row, explicit)
            if reason:
                # one activity of a file of several is named as the not-on-foot legs are: file#K
                activity = row.get("activity")
                label = row["file"] if activity is None or activity != activity else f"{row['file']}#{int(activity)}"
                skipped.append((label, reason))
            else:
                rows.append(row)
    for label, error_type, message in refused:
        rows.append({"file": label, "run_id": "", "status": "error", "error_type": error_type,
                     "message": message if message.startswith(label) else f"{label}: {message}"})
    name_by_date(rows, index_rows)
    _date_every_row(rows, sources)
    kept, duplicates = find_duplicates(rows)
    _hold(out, kept, duplicates)
    runs = runs_table([{k: v for k, v in row.items() if k not in _PRIVATE_COLUMNS} for row in kept])
    import pandas as pd

    no_load = runs["status"] != "ok" if len(runs) else pd.Series(dtype=bool)
    errors = runs.loc[no_load, ["file", "error_type", "message"]].reset_index(drop=True) \
        if len(runs) else pd.DataFrame(columns=["file", "error_type", "message"])
    skipped_df = pd.DataFrame(sorted(set(skipped)), columns=["file", "reason"])
    duplicates_df = pd.DataFrame(duplicates, columns=["file", "run_id", "duplicate_of", "duplicate_of_file", "reason"])
    outputs = {"runs.parquet": lambda p: atomic.write_parquet(p, runs), "runs.csv": lambda p: atomic.write_csv(p, runs),
               "errors.csv": lambda p: atomic.write_csv(p, errors),
               "skipped.csv": lambda p: atomic.write_csv(p, skipped_df),
               "duplicates.csv": lambda p: atomic.write_csv(p, duplicates_df)}
    for name, write in outputs.items():
        write(out / name)
    tables = season_tables(runs, tz=tz)
    for name, table in tables.items():
        atomic.write_csv(out / f"{name}.csv", table)
        outputs[f"{name}.csv"] = None
    ok = runs[runs["status"] == "ok"] if len(runs) else runs
    if figures and len(ok):
        from ..plot import plot_season

        plot_season(runs, tables, path=out / "season.png", steps_dir=out / "steps", tz=tz)
        outputs["season.png"] = None
    elif (out / "season.png").exists():
        (out / "season.png").unlink()  # a figure of an earlier season would describe other runs
    pending = sum(not cache.figure_path(out, r).exists() for r in ok["run_id"]) if figures and len(ok) else 0
    counts = {"files": len(todo) + len(cached), "ok": int(len(ok)),
              "errors": int((runs["status"] == "error").sum()) if len(runs) else 0,
              "skipped": len(skipped_df), "duplicates": len(duplicates_df),
              "analysed": len(todo) - n_reapply - n_figure, "reapplied": n_reapply,
              "cached": len(cached) + n_figure, "figures_pending": pending}
    counted = [f"steps/{r}.parquet" for r in ok["run_id"]] if len(ok) else []
    if figures:
        # a figure a rule-set change removed is listed: missing, it has the next run draw it
        counted += [f"figures/{r}.png" for r in ok["run_id"]] if len(ok) else []
    if manifest_key and not died:
        atomic.write_json(cache.manifest_path(out), {"key": manifest_key, "counts": counts,
                                                     "outputs": sorted(outputs) + counted})
    return SeasonResult(out, counts=counts, wall_time_s=time.perf_counter() - started,
                        frames={"runs": runs, "errors": errors, "skipped": skipped_df, "duplicates": duplicates_df,
                                "tables": tables})


def _date_every_row(rows: list[dict], sources) -> None:
    """Give a row without a start time (a file that failed before its clock was read) its
    file's modification time, ``start_time_source`` saying so: every row sits on a time axis."""
    from .tables import start_time_fields

    mtimes = {src.label: (src.member.mtime if src.member else _mtime(src.path)) for src in sources}
    for row in rows:
        if not row.get("start_time"):
            label = str(row.get("file") or "")
            mtime = mtimes.get(label)
            if mtime is None:
                mtime = _mtime(Path(label.split("!", 1)[0]))
            row.update(start_time_fields(None, mtime))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def _hold(out: Path, kept: list[dict], duplicates: list[dict]) -> None:
    """Move the steps and figures of duplicates, and of runs no longer among the inputs, out of
    ``steps/`` and ``figures/`` (so the steps folder reads as this season's runs, each once), and
    back for runs counted again."""
    counted = {r["run_id"] for r in kept if r.get("status") == "ok"}
    gone = {p.stem for folder in ("steps", "figures") for p in (out / folder).glob("*.*")
            if not p.name.startswith(".") and p.stem not in counted}
    moves = [(run_id, False) for run_id in gone | {d["run_id"] for d in duplicates}] + \
            [(run_id, True) for run_id in counted]
    for run_id, to_public in moves:
        for where in (cache.steps_path, cache.figure_path):
            src, dst = where(out, run_id, held=to_public), where(out, run_id, held=not to_public)
            if src.exists():
                dst.parent.mkdir(parents=True, exist_ok=True)
                os.replace(src, dst)


def _rules_fingerprint(rules) -> str:
    """Identifies a rule set's content, so editing a rule file invalidates cached results."""
    from ..load import load_rules

    rule_set = load_rules(rules) if isinstance(rules, (str, os.PathLike)) else rules
    raw = getattr(rule_set, "fingerprint", None)
    if callable(raw):
        raw = raw()
    if raw is None:
        raw = repr(rule_set)
    return f"{getattr(rule_set, 'name', rules)}:{hashlib.sha256(str(raw).encode()).hexdigest()[:16]}"


def _skip_reason(row: dict, explicit: set[Path]) -> str | None:
    """Why a failed file is listed in skipped.csv instead of errors.csv (None: it is an error).

    Skipped wherever the file came from: a sport not on foot (:class:`NotARunError`), and a file
    its reader recognised as valid but holding no recorded activity (:class:`NotAnActivityError`:
    a GPX route or waypoints without a timed track, a FIT settings/workout file, a TCX course
    without trackpoints), reason ``"not an activity: ..."``. A generic table or text file found
    by walking a folder (or inside an archive) that no reader recognises (or that has no
    time/sensor columns) is skipped as ``"not an activity file (...)"``; named explicitly, it
    stays an error. An activity with no step (:class:`NoStepsError`) or no clock at all
    (:class:`NoClockError`) is skipped with its reason: it is no run to count. Damaged activity
    files (corrupt, a clock that cannot be repaired) are always errors.
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
    if error_type == NoStepsError.__name__:
        return f"no steps: {problem}"
    if error_type == NoClockError.__name__:
        return f"no clock: {problem}"
    if error_type == NotAnActivityError.__name__:
        return f"not an activity: {problem}"
    walked = Path(file) not in explicit
    if walked and error_type in _NOT_ACTIVITY_ERRORS and file.lower().endswith(_GENERIC_EXTENSIONS):
        return f"not an activity file ({problem})"
    return None
