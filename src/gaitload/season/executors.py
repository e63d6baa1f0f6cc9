"""Running a season's work: one file's analysis (or one rule set's re-application to stored
steps) in this process, in local worker processes, or on a Dask cluster.

A job never raises: whatever goes wrong is its rows' ``status`` and message. Every output is
written atomically and the job's state row last, so a run killed half-way is analysed again.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import types
from pathlib import Path

from .. import atomic
from ..errors import GaitloadError
from . import cache

__all__ = ["analyze_job", "figure_job", "reapply_job", "run_all"]

#: Sports named by an export's activities.csv (Strava's and Garmin Connect's labels, spaces and
#: case ignored) that are not on foot: such a member is skipped without being read.
_EXPORT_NOT_ON_FOOT = ("ride", "virtualride", "ebikeride", "mountainbikeride", "gravelride", "cycling",
                       "roadcycling", "mountainbiking", "indoorcycling", "swim", "swimming", "poolswim",
                       "openwaterswimming", "lapswimming", "rowing", "indoorrowing", "kayaking", "canoeing",
                       "standuppaddling", "alpineski", "backcountryski", "nordicski", "snowboard",
                       "iceskate", "inlineskate", "surfing", "windsurf", "kitesurf", "sail", "golf",
                       "velomobile", "handcycle", "wheelchair", "resortskiing", "skateskiing")


def _export_not_on_foot(export: dict | None) -> str | None:
    sport = (export or {}).get("type") or ""
    if sport.replace(" ", "").replace("_", "").lower() in _EXPORT_NOT_ON_FOOT:
        return f"not on foot: sport is {sport} (activities.csv)"
    return None


def _base_row(job: dict, run_id: str, activity) -> dict:
    row = {"file": job["label"], "run_id": run_id, "activity": activity, "content_hash": job["digest"],
           "rules": job["fingerprint"], "gaitload_version": job["version"], "status": "ok",
           "error_type": "", "message": "", "warnings": "", "source_bytes": job.get("source_bytes"),
           "activity_name": (job.get("export") or {}).get("name", ""),
           "export_sport": (job.get("export") or {}).get("type", "")}
    return row


def _error_fields(exc: BaseException, label: str, local: str | None = None) -> dict:
    if isinstance(exc, GaitloadError):
        if local is not None and local != label:  # a temporary copy of an archive member: name the member
            exc.path = label
            exc.problem = exc.problem.replace(local, label)
        return {"status": "error", "error_type": type(exc).__name__, "message": str(exc)}
    if isinstance(exc, MemoryError):
        return {"status": "error", "error_type": "ResourceLimitError", "message": f"{label}: out of memory"}
    return {"status": "error", "error_type": f"InternalError.{type(exc).__name__}",
            "message": f"{label}: {exc}".replace("\n", " ")}


def analyze_job(job: dict, canvas=None) -> dict:
    """Analyse one file (or archive member) and write its outputs; returns its state.

    The state holds ``rows`` (one per on-foot activity: runs-table rows with their summary) and
    ``skips`` (legs or files not on foot). Never raises. ``canvas``: a
    :class:`gaitload.plot.panels.RunCanvas` the figures are drawn on (default a new one each).
    """
    out = Path(job["out_dir"])
    state = {"state_format": cache.STATE_FORMAT, "file": job["label"], "file_id": job["file_id"],
             "content_hash": job["digest"], "rules": job["fingerprint"], "gaitload_version": job["version"],
             "rows": [], "skips": []}
    reason = _export_not_on_foot(job.get("export"))
    if reason:
        state["skips"].append([job["label"], reason])
    else:
        with _local_copy(job) as (path, error):
            if error is not None:
                state["rows"].append({**_base_row(job, job["file_id"], None), **_error_fields(error, job["label"])})
            else:
                _analyze_activities(job, path, out, state, canvas)
    state = atomic.json_clean(state)
    _write_state(out, state)
    return state


@contextlib.contextmanager
def _local_copy(job: dict):
    """The job's file on disk: the file itself, or its archive member inflated into a
    temporary folder (removed afterwards). Yields ``(path, error)``."""
    member = job.get("member")
    if member is None:
        yield job["path"], None
        return
    from ..archive import extract_member

    with tempfile.TemporaryDirectory(prefix="gaitload-member-") as tmp:
        try:
            path = extract_member(member, tmp)
        except GaitloadError as exc:
            yield None, exc
            return
        yield str(path), None


def _activity_list(path: str) -> list[tuple[int, bool, str]]:
    """``(index, on_foot, sport)`` of each activity of a file holding several."""
    from ..io import activities

    table = activities(path)
    return [(int(k), bool(on_foot), str(sport)) for k, on_foot, sport in
            zip(table["activity"], table["on_foot"], table["sport"])]


def _is_several_note(warning) -> bool:
    """The reader's warning that the file holds several activities and it read one of them
    (:func:`gaitload.io.activity.choose_activity`), known by its code."""
    return getattr(warning, "code", None) == "more-activities"


def _kept_activity(analysis) -> int | None:
    """Which of a file's activities the reader read when none was asked for (FIT and TCX list
    their sessions with the one ``kept``), else None."""
    sessions = (analysis.recording.metadata or {}).get("sessions") if analysis.recording is not None else None
    kept = [i for i, s in enumerate(sessions or []) if isinstance(s, dict) and s.get("kept")]
    return kept[0] if len(kept) == 1 else None


def _analyze_activities(job: dict, path: str, out: Path, state: dict, canvas) -> None:
    """One row per on-foot activity: the file as one run, unless its reader says it holds
    several (a multisport FIT, a TCX of several runs); then each is analysed on its own, run id
    ``<file id>#<k>``, and the legs not on foot are listed as skipped. Listing the activities
    of every file would cost two thirds of a read each, so only those files are listed; the
    activity read first is kept as that activity's run, not read again."""
    try:
        analysis = _analyze(job, path, None)
    except Exception as exc:  # a bad file, or a bug: either way reported, never stopping the season
        # the activity read first may be the only bad one of several: then each is tried
        listed = _several_activities(path)
        if listed is None:
            state["rows"].append({**_base_row(job, job["file_id"], None), **_error_fields(exc, job["label"], path)})
        else:
            _each_activity(job, path, out, state, listed, None, None, canvas)
        return
    warnings = analysis.summary.get("warnings", [])
    if not any(_is_several_note(w) for w in warnings):
        state["rows"].append(_store_run(job, analysis, out, job["file_id"], None, path, canvas))
        return
    try:
        listed = _activity_list(path)
    except Exception as exc:  # the listing fails where the read did not: report it, never stop
        state["rows"].append({**_base_row(job, job["file_id"], None), **_error_fields(exc, job["label"], path)})
        return
    kept = _kept_activity(analysis)
    if kept is not None:
        # the same analysis as asking for that activity, which gives no note
        keep = [i for i, w in enumerate(warnings) if not _is_several_note(w)]
        analysis.summary["warnings"] = [warnings[i] for i in keep]
        codes = analysis.summary.get("warning_codes")
        if codes is not None and len(codes) == len(warnings):
            analysis.summary["warning_codes"] = [codes[i] for i in keep]
    _each_activity(job, path, out, state, listed, analysis, kept, canvas)


def _several_activities(path: str) -> list[tuple[int, bool, str]] | None:
    """The activities of a file whose first read failed, when it lists more than one (else None,
    also when the listing fails too: the read's error is the one to report)."""
    try:
        listed = _activity_list(path)
    except Exception:
        return None
    return listed if len(listed) > 1 else None


def _each_activity(job: dict, path: str, out: Path, state: dict, listed, analysis, kept, canvas) -> None:
    """A row per on-foot activity of ``listed`` (``analysis`` already made for activity
    ``kept``, if any), and a skipped row per leg not on foot."""
    for k, on_foot, sport in listed:
        run_id = f"{job['file_id']}#{k}"
        if not on_foot:
            state["skips"].append([f"{job['label']}#{k}", f"not on foot ({sport})"])
        elif k == kept:
            state["rows"].append(_store_run(job, analysis, out, run_id, k, path, canvas))
        else:
            try:
                state["rows"].append(_store_run(job, _analyze(job, path, k), out, run_id, k, path, canvas))
            except Exception as exc:
                state["rows"].append({**_base_row(job, run_id, k), **_error_fields(exc, job["label"], path)})


def _analyze(job: dict, path: str, activity):
    from ..analysis import analyze

    kwargs = {"activity": activity} if activity is not None else {}
    return analyze(path, rules=job["rules"], **kwargs)


def _store_run(job: dict, analysis, out: Path, run_id: str, activity, path: str, canvas) -> dict:
    """One activity's row (with the summary), and its steps, profile, segments and figure written."""
    from .tables import row_from_summary, season_steps

    row = _base_row(job, run_id, activity)
    try:
        summary = analysis.summary
        summary["path"] = job["label"] if activity is None else f"{job['label']}#{activity}"
        row.update(row_from_summary(summary))
        row.update(_identity(analysis, job))
        row["_summary"] = atomic.json_clean(summary)
        row["_warning_split"] = _warning_split(summary.get("warnings", []), analysis.load_warnings)
        atomic.write_parquet(cache.steps_path(out, run_id), season_steps(analysis.steps, run_id))
        if job["figures"]:
            atomic.write_parquet(out / ".state" / f"{run_id}.profile.parquet", analysis.profile)
            atomic.write_parquet(out / ".state" / f"{run_id}.segments.parquet", analysis.segments)
            # an Agg Figure outside pyplot: nothing to close
            analysis.plot(cache.figure_path(out, run_id), canvas=canvas)
    except Exception as exc:  # a bug: reported, never stopping the season
        row.update(_error_fields(exc, job["label"], path))
    return row


def _identity(analysis, job: dict) -> dict:
    """What tells copies of one run apart: channels measured, start time and its source."""
    from .tables import start_time_fields

    summary = analysis.summary
    channels = sorted((summary.get("provenance") or {}).get("channels") or {})
    fields = {"sport": summary.get("sport") or "", "n_channels": len(channels), "channels": " ".join(channels),
              "warnings": "; ".join(summary.get("warnings", []))}
    # a run without steps never gets here: analyze raises NoStepsError, a skipped row
    fields.update(start_time_fields(summary.get("start_time"), job.get("mtime")))
    return fields


def _warning_split(warnings: list, load_warnings: list) -> list:
    """Where the load stage's warnings (``Analysis.load_warnings``) sit in the summary's list:
    ``[before, after]`` lists without them, so a new rule set's warnings can take their place
    (see :func:`reapply_job`)."""
    mine = set(load_warnings)
    positions = [i for i, w in enumerate(warnings) if w in mine]
    if positions:
        cut = positions[0]
    else:  # after the reading, detection and terrain warnings, before the confidence ones
        cut = next((i for i, w in enumerate(warnings) if getattr(w, "code", None) in _AFTER_LOAD),
                   len(warnings))
    return [[w for w in warnings[:cut] if w not in mine], [w for w in warnings[cut:] if w not in mine]]


#: Codes of the warnings ``analyze`` adds after the load stage's (confidence notes, the
#: differences from the device's own totals).
_AFTER_LOAD = frozenset({"wrist-placement", "low-sample-rate", "gps-altitude", "nothing-to-load", "device-totals"})


def reapply_job(job: dict) -> dict:
    """Re-apply a new rule set to the stored steps of one file's runs (no reading, detection or
    terrain): loads, summary, runs-table row and steps file, as a cold run would give.
    The run's figure, which showed the old loads, is removed rather than redrawn (the next
    season run draws it: :func:`figure_job`). Returns the updated state; a run whose stored
    steps are missing is analysed again."""
    from ..load import apply_and_summarize, load_rules
    from .tables import row_from_summary

    import pyarrow as pa
    import pyarrow.parquet as pq

    out = Path(job["out_dir"])
    state = dict(job["state"])
    state.update(rules=job["fingerprint"], gaitload_version=job["version"])
    rule_set = load_rules(job["rules"])
    rows = []
    for row in state["rows"]:
        row = dict(row)
        row["rules"] = job["fingerprint"]
        if row.get("status") != "ok":
            rows.append(row)
            continue
        run_id = row["run_id"]
        held = not cache.steps_path(out, run_id).exists()
        table = pq.read_table(cache.steps_path(out, run_id, held))
        # the run id column is left in Arrow: one text column fewer converted to pandas
        stored = table.select([c for c in table.column_names if c != "run_id"]).to_pandas()
        steps, load = apply_and_summarize(stored, rule_set)
        summary = dict(row["_summary"])
        summary.update({k: v for k, v in load.items() if k != "warnings"})
        summary["rules"] = getattr(rule_set, "name", str(rule_set))
        summary["provenance"] = {**summary.get("provenance", {}),
                                 "load": f"derived: rule set '{summary['rules']}' applied per step"}
        before, after = row["_warning_split"]
        summary["warnings"] = list(dict.fromkeys(before + list(load.get("warnings", [])) + after))
        keep = {k: row[k] for k in ("file", "run_id", "activity", "content_hash", "rules", "gaitload_version",
                                    "status", "error_type", "message", "source_bytes", "activity_name",
                                    "export_sport", "sport", "n_channels", "channels", "start_time",
                                    "start_time_source", "_warning_split") if k in row}
        row = atomic.json_clean({**keep, **row_from_summary(summary), "start_time": row.get("start_time"),
                                 "warnings": "; ".join(summary["warnings"])})
        row["_summary"] = atomic.json_clean(summary)
        # the stored table with its load columns replaced (the same table season_steps would
        # make); replaced in the Arrow table read, so the other columns are not converted twice
        for c in steps:
            if c.startswith("load_"):
                table = table.set_column(table.schema.get_field_index(c), c,
                                         pa.array(steps[c].to_numpy(dtype="float64"), type=pa.float64()))
        atomic.write_arrow_parquet(cache.steps_path(out, run_id, held), table)
        # the figure shows the old rule set's loads: removed, never shown stale; the next season
        # run draws it from the stored steps (figure_job), so a rule-set comparison costs no
        # figure per run
        cache.figure_path(out, run_id, held).unlink(missing_ok=True)
        rows.append(row)
    state["rows"] = rows  # each row made JSON-clean above; the rest of the state came from JSON
    _write_state(out, state)
    return state


def _write_state(out: Path, state: dict) -> None:
    """A file's state (already JSON-clean), on one line: read by the next season run only."""
    atomic.write_json(out / ".state" / f"{state['file_id']}.json", state, indent=None, clean=False)


def figure_job(job: dict, canvas=None) -> dict:
    """Draw the missing figures of one file's counted runs from their stored steps, profile,
    segments and summary (no reading, detection, terrain or load): the figures a rule-set change
    removed, on ``canvas`` (as :func:`analyze_job`). Returns the state unchanged."""
    from ..analysis import Analysis
    from ..terrain import find_climbs

    import pandas as pd

    out = Path(job["out_dir"])
    state = job["state"]
    for row in state["rows"]:
        run_id = row.get("run_id")
        if row.get("status") != "ok" or not cache.steps_path(out, run_id).exists() or \
                cache.figure_path(out, run_id).exists():
            continue  # a duplicate's figure is never shown: drawn if it is counted again
        stored = pd.read_parquet(cache.steps_path(out, run_id)).drop(columns=["run_id"])
        profile = pd.read_parquet(out / ".state" / f"{run_id}.profile.parquet")
        analysis = Analysis(steps=stored, summary=row["_summary"], profile=profile,
                            segments=pd.read_parquet(out / ".state" / f"{run_id}.segments.parquet"),
                            climbs=find_climbs(profile, stored))
        analysis.plot(cache.figure_path(out, run_id), canvas=canvas)
    return state


def run_job(job: dict, canvas=None) -> dict:
    """Run one job of any kind; never raises (a failed re-application or figure analyses the
    file again). ``canvas``: where its figures are drawn (:func:`analyze_job`)."""
    kind = job.get("kind")
    if kind in ("reapply", "figure"):
        try:
            return reapply_job(job) if kind == "reapply" else figure_job(job, canvas)
        except Exception:  # stored steps missing or damaged: start from the file
            pass
    return analyze_job(job, canvas)


def run_jobs(jobs: list[dict]) -> list[dict]:
    """Run jobs in turn (one task of a worker process), their figures drawn on one canvas that
    is emptied for each run instead of made again: making a figure's frame costs a third of
    drawing a run. Returns their states, in order; never raises."""
    canvas = _canvas_for(jobs)
    return [run_job(job, canvas) for job in jobs]


def _canvas_for(jobs: list[dict]):
    """A figure frame for the jobs to share, None when none of them draws a figure (matplotlib
    is then not imported)."""
    if not any(job.get("figures") for job in jobs):
        return None
    from ..plot import RunCanvas

    return RunCanvas()


#: Most jobs in one worker task: enough that a task's frame (:func:`run_jobs`, ~40 ms) is made
#: for many runs, few enough that a task is seconds long (judgement).
_MOST_PER_TASK = 32


def _tasks(todo: list[dict], n_jobs: int) -> list[list[dict]]:
    """The jobs cut into worker tasks of decreasing size: each a third of the jobs left per
    worker (at most :data:`_MOST_PER_TASK`), so the last tasks are single jobs and the workers
    finish together ("guided" scheduling; 28 tasks for 350 jobs on two workers)."""
    tasks, i = [], 0
    while i < len(todo):
        size = min(_MOST_PER_TASK, -(-(len(todo) - i) // (3 * n_jobs)))
        tasks.append(todo[i:i + size])
        i += size
    return tasks


# -- executors --------------------------------------------------------------------------------
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


def _died(job: dict, why: str) -> dict:
    row = {**_base_row(job, job["file_id"], None), "status": "error", "error_type": "WorkerDied",
           "message": f"{job['label']}: {why}"}
    return {"state_format": cache.STATE_FORMAT, "file": job["label"], "file_id": job["file_id"],
            "rows": [row], "skips": [], "_not_stored": True}


def run_all(todo: list[dict], *, jobs, scheduler, progress) -> list[dict]:
    """Run every job; returns their states in completion order."""
    if not todo:
        return []
    bar = _progress_bar(len(todo), progress)
    states: list[dict] = []
    failures = 0

    def done(state):
        nonlocal failures
        states.append(state)
        failures += any(r.get("status") == "error" for r in state["rows"])
        bar.set_postfix(failures=failures, refresh=False)
        bar.update(1)

    try:
        if scheduler is not None:
            _run_dask(todo, scheduler, done)
        else:
            n_jobs = jobs or os.cpu_count() or 1
            if n_jobs == 1 or len(todo) == 1:
                canvas = _canvas_for(todo)
                for job in todo:
                    done(run_job(job, canvas))
            elif all(job.get("kind") == "reapply" for job in todo):
                # a new rule set on stored steps costs tens of ms per run: threads of this
                # process, not worker processes that would each import the analysis stack first
                _run_threads(todo, n_jobs, done)
            else:
                _run_processes(todo, n_jobs, done)
    finally:
        bar.close()
    return states


@contextlib.contextmanager
def _main_module_hidden():
    """Start worker processes without re-running the caller's script in each of them.

    A "spawn" worker imports the parent's ``__main__`` script before its first task; a script
    calling ``gaitload.season(..., jobs=2)`` without an ``if __name__ == "__main__":`` guard
    would start a season in every worker, and every worker would die. The workers only run
    gaitload's own functions, so while they start, ``__main__`` is a blank module: nothing of
    the script is imported in them, guarded or not.
    """
    real = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if real is not None:
            sys.modules["__main__"] = real


def _run_threads(todo, n_jobs, done) -> None:
    from concurrent.futures import ThreadPoolExecutor, as_completed

    with ThreadPoolExecutor(max_workers=min(n_jobs, len(todo))) as pool:
        futures = [pool.submit(run_job, job) for job in todo]
        for future in as_completed(futures):
            done(future.result())  # run_job never raises


def _run_processes(todo, n_jobs, done) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # "spawn": workers do not inherit threads or open figures of the parent (safe everywhere).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(n_jobs, len(todo)), mp_context=context) as pool:
        # workers are started while jobs are submitted (spawned on demand, in this thread)
        with _main_module_hidden():
            futures = {pool.submit(run_jobs, task): task for task in _tasks(todo, n_jobs)}
        for future in as_completed(futures):
            try:
                states = future.result()
            except Exception as exc:  # the worker process itself died (OOM kill, segfault)
                states = [_died(job, f"worker process failed ({exc})") for job in futures[future]]
            for state in states:
                done(state)


def _run_dask(todo, scheduler, done) -> None:
    from ..errors import OptionError

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
        futures = [client.submit(run_job, job, pure=False, key=f"gaitload-{job['file_id']}") for job in todo]
        by_key = {f.key: job for f, job in zip(futures, todo)}
        for future in as_completed(futures):
            try:
                done(future.result())
            except Exception as exc:
                done(_died(by_key[future.key], f"Dask task failed ({exc})"))
    finally:
        if own_client:
            client.close()
