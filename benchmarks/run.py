#!/usr/bin/env python
"""gaitload benchmarks: speed, scaling and memory of every stage, against baselines measured in the same run.

Usage (from the repository root)::

    .venv/bin/python benchmarks/run.py                      # every case, 5 repeats (slow: ~20-40 min)
    .venv/bin/python benchmarks/run.py --quick              # tiny inputs, 1-2 repeats (smoke run)
    .venv/bin/python benchmarks/run.py --only read,analyze  # some cases
    .venv/bin/python benchmarks/run.py --season-runs 60     # a smaller season
    .venv/bin/python benchmarks/run.py --compare OLD.json [NEW.json]   # ratios between two result files

Inputs are generated with :func:`gaitload.simulate.simulate_run` (nothing is downloaded) and cached
in ``benchmarks/_inputs/<simulator hash>/``; results go to ``benchmarks/results/latest.json``
(``--json PATH``). The machine is shared and noisy, so every requirement is a *ratio* against a
baseline timed in the same run, interleaved with the subject (baseline, subject, baseline, ...):

- user-level first (``benchmarks/user.py``): the command line on an hour of 204.8 Hz foot IMU
  costs at most 3x a bare ``read_csv`` process, on a watch FIT at most 1.5x ``import pandas``;
  a season's figures at most double it;
- in-process ``gaitload.analyze`` of a 1-hour 100 Hz IMU CSV costs at most 4x ``pandas.read_csv``
  of the same file (kept from growing; 2x would need compiled kernels); the analyze case also
  times the method's numeric floor (its filters and the strap-down of every stride, see
  ``_numeric_floor``), a lower bound for everything after parsing;
- ``gaitload.analyze(DataFrame)`` costs at most 0.8x ``gaitload.analyze(path)`` of the same
  samples (a 15-minute foot IMU table; the frame is read in memory, not through a file);
- time and memory grow linearly with recording length (log-log exponent <= 1.2);
- peak memory of the 10-hour run stays within the interpreter baseline plus 4x its float64
  sample arrays (n_samples x 7 channels x 8 bytes).

Memory is measured in a fresh subprocess per input: its peak RSS (``VmHWM`` of /proc/self/status,
``ru_maxrss`` elsewhere) at the end, and once after the imports, which is the interpreter baseline
reported separately.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling modules, however run.py is started
from timing import _entry, _interleaved, _median, _timed  # noqa: E402
from user import _compile_gaitload, case_cli, case_figure, case_peers  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
INPUTS = HERE / "_inputs"
DEFAULT_JSON = HERE / "results" / "latest.json"
FIT_BIG = Path("/work/shared/data/muktihari-fit-testdata/testdata/big_activity.fit")
FIT_SMALL = Path("/work/shared/data/muktihari-fit-testdata/testdata/from_official_sdk/Activity.fit")
CASES = ("cli", "figure", "frame", "read", "detect", "terrain", "rules", "analyze", "fit", "scaling", "season",
         "peers")
IMU_RATE_HZ = 100.0
N_CHANNELS = 7  # time + 3 acc + 3 gyro: the float64 arrays of a six-axis IMU recording

# Requirement limits (see the module docstring).
ANALYZE_VS_READ_CSV_MAX = 4.0  # keep from growing (the 2x target needs compiled kernels)
FRAME_VS_PATH_MAX = 0.8
EXPONENT_MAX = 1.2
MEMORY_FACTOR = 4.0


# ------------------------------------------------------------------------------------------------
# Inputs (generated, cached)
# ------------------------------------------------------------------------------------------------
def _sim_key() -> str:
    """Hash of the simulator and CSV writer source: cached inputs are regenerated when it changes."""
    import gaitload.simulate as sim

    digest = hashlib.sha1()
    for path in sorted(Path(sim.__file__).parent.glob("*.py")):  # every stage module of the package
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:10]


def _input_dir(prune: bool) -> Path:
    key = _sim_key()
    d = INPUTS / key
    if prune and not d.exists() and INPUTS.exists():
        # Inputs of an older simulator are stale; leave recent ones alone (a run in progress).
        for old in INPUTS.iterdir():
            if old.is_dir() and old.name != key and time.time() - old.stat().st_mtime > 2 * 3600:
                shutil.rmtree(old, ignore_errors=True)
    d.mkdir(parents=True, exist_ok=True)
    return d


def _sim_csv(path: Path, duration_s: float, placement: str, *, seed: int, course: str = "hilly",
             speed_mps: float = 3.3, altitude_source: str | None = "barometric", start_time=None) -> Path:
    """Write a simulated run as CSV once (the truth file is dropped: it is not an activity)."""
    if path.exists():
        return path
    from gaitload.simulate import simulate_run

    run = simulate_run(duration_s, placement, IMU_RATE_HZ, course=course, speed_mps=speed_mps, seed=seed,
                       altitude_source=altitude_source, start_time=start_time)
    tmp_dir = Path(tempfile.mkdtemp(dir=path.parent))
    try:
        data, _truth = run.write_csv(tmp_dir / path.name)
        os.replace(data, path)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    return path


def _sim_recording(duration_s: float, placement: str, seed: int = 0):
    from gaitload.simulate import simulate_run

    return simulate_run(duration_s, placement, IMU_RATE_HZ, seed=seed).recording


# ------------------------------------------------------------------------------------------------
# Cases: each returns {"entries": [...], "notes": [...], "checks": [...]}
# ------------------------------------------------------------------------------------------------
def case_read(cfg) -> dict:
    """gaitload.read of a six-axis 100 Hz IMU CSV vs pandas.read_csv of the same file (the floor)."""
    import pandas as pd

    import gaitload

    dur = cfg.imu_s
    path = _sim_csv(cfg.inputs / f"foot_{int(dur)}s_100hz.csv", dur, "foot", seed=11)
    n = int(dur * IMU_RATE_HZ)
    t = _interleaved({"pandas.read_csv (baseline)": lambda: pd.read_csv(path),
                      "gaitload.read": lambda: gaitload.read(path)}, cfg.repeat)
    base = _median(t["pandas.read_csv (baseline)"])
    entries = [_entry(k, v, n, "samples", file_mb=path.stat().st_size / 1e6) for k, v in t.items()]
    ratio = _median(t["gaitload.read"]) / base
    entries[1]["ratio_vs_read_csv"] = ratio
    notes = [f"{path.name}: {dur / 60:g} min, {n} samples, gaitload.read / read_csv = {ratio:.2f}"]
    # the same samples in the layouts real exports use, each against pandas.read_csv of that
    # file with the options it needs: costs that once exploded (cell-by-cell datetime parsing,
    # converting every column of a wide export) stay visible here
    for label, variant, options in _read_variants(path):
        tv = _interleaved({"pandas.read_csv (baseline)": lambda: pd.read_csv(variant, **options),
                           label: lambda: gaitload.read(variant)}, cfg.repeat)
        row = _entry(label, tv[label], n, "samples", file_mb=variant.stat().st_size / 1e6)
        row["ratio_vs_read_csv"] = _median(tv[label]) / _median(tv["pandas.read_csv (baseline)"])
        entries.append(row)
        shown = ", ".join(f"{k}={v!r}" for k, v in options.items())
        notes.append(f"{variant.name}: baseline pandas.read_csv({shown}) {_median(tv['pandas.read_csv (baseline)']) * 1e3:.0f} ms")
    return {"entries": entries, "notes": notes}


def _read_variants(path: Path) -> list[tuple[str, Path, dict]]:
    """The IMU CSV at ``path`` rewritten as real exports write it (cached beside it):
    (row label, file, read_csv options for the baseline)."""
    import pandas as pd

    specs = [
        # the floor for a datetime clock: pandas told the format (gaitload has to find it)
        ("gaitload.read, dd/mm/yyyy clock", "dmy", {"parse_dates": ["timestamp"],
                                                     "date_format": "%d/%m/%Y %H:%M:%S.%f"}),
        ("gaitload.read, ';' + decimal comma", "semicolon", {"sep": ";", "decimal": ","}),
        ("gaitload.read, 40 columns (7 used)", "wide", {}),
    ]
    out = []
    frame = None
    for label, kind, options in specs:
        variant = path.with_name(f"{path.stem}_{kind}.csv")
        if not variant.exists():
            if frame is None:
                frame = pd.read_csv(path)
            if kind == "dmy":
                stamps = pd.Timestamp("2026-06-13 07:00:00") + pd.to_timedelta(frame["time_s"], unit="s")
                data = frame.drop(columns="time_s")
                data.insert(0, "timestamp", stamps.dt.strftime("%d/%m/%Y %H:%M:%S.%f"))
                write = {}
            elif kind == "semicolon":
                data, write = frame, {"sep": ";", "decimal": ","}
            else:
                rng = np.random.default_rng(5)
                extra = {f"{q}_{a}": rng.normal(size=len(frame)).round(4)
                         for q in ("mag", "quat", "euler", "freeacc", "vel") for a in "xyzw"}
                extra.update({f"aux{i}": rng.normal(size=len(frame)).round(2) for i in range(12)})
                extra["label"] = np.where(np.arange(len(frame)) % 2 == 0, "swing", "stance")
                data, write = pd.concat([frame, pd.DataFrame(extra)], axis=1), {}
            tmp = variant.with_name(variant.name + ".tmp")
            data.to_csv(tmp, index=False, **write)
            os.replace(tmp, variant)
        out.append((label, variant, options))
    return out


def case_detect(cfg) -> dict:
    """Foot-contact detection per placement (detect_steps with the placement given), samples/s."""
    from gaitload.events import detect_steps
    from gaitload.events.foot import detect_foot_events
    from gaitload.events.placement import acc_array, gyr_array

    entries, notes = [], []
    dur = cfg.detect_s
    for i, place in enumerate(("foot", "shank", "lumbar", "wrist")):
        rec = _sim_recording(dur, place, seed=20 + i)
        n = len(rec.time_s)
        holder = {}

        def run(rec=rec, place=place, holder=holder):
            holder["steps"] = len(detect_steps(rec, placement=place).steps)

        t = _interleaved({place: run}, cfg.repeat)[place]
        entries.append(_entry(f"detect_steps({place})", t, n, "samples", n_steps=holder["steps"]))
        if place == "foot":  # the bare numeric detector, without the dispatcher's bookkeeping
            acc, gyr = acc_array(rec), gyr_array(rec)
            t = _interleaved({"f": lambda: detect_foot_events(rec.time_s, acc, gyr, IMU_RATE_HZ, "foot")},
                             cfg.repeat)["f"]
            entries.append(_entry("detect_foot_events(foot)", t, n, "samples"))
    notes.append(f"{dur / 60:g} min at {IMU_RATE_HZ:g} Hz per placement, in memory")
    return {"entries": entries, "notes": notes}


def case_terrain(cfg) -> dict:
    """compute_terrain on 1 Hz watch records and on a foot-IMU run's steps."""
    from gaitload.events import detect_steps
    from gaitload.terrain import compute_terrain

    entries = []
    dur = cfg.terrain_s
    from gaitload.simulate import simulate_run

    rec = simulate_run(dur, "records", seed=31).recording
    steps = detect_steps(rec, placement="records").steps
    t = _interleaved({"r": lambda: compute_terrain(rec, steps)}, cfg.repeat)["r"]
    entries.append(_entry("compute_terrain(1 Hz records)", t, len(rec.time_s), "records", n_steps=len(steps)))
    imu = _sim_recording(dur, "foot", seed=32)
    isteps = detect_steps(imu, placement="foot").steps
    t = _interleaved({"i": lambda: compute_terrain(imu, isteps)}, cfg.repeat)["i"]
    entries.append(_entry("compute_terrain(foot IMU steps)", t, len(isteps), "steps", n_samples=len(imu.time_s)))
    return {"entries": entries, "notes": [f"{dur / 60:g} min records (1 Hz) and foot IMU (100 Hz)"]}


def case_rules(cfg) -> dict:
    """apply_rules (source and literature) on a large steps table built from a real analysis."""
    import pandas as pd

    import gaitload
    from gaitload.load import apply_rules, load_rules

    rec = _sim_recording(min(cfg.imu_s, 1800.0), "foot", seed=41)
    base = gaitload.analyze(rec, placement="foot").steps
    base = base.drop(columns=[c for c in base.columns if c.startswith("load_")])
    reps = int(np.ceil(cfg.rule_steps / len(base)))
    steps = pd.concat([base] * reps, ignore_index=True).iloc[: cfg.rule_steps].copy()
    # Spread the tiled steps over distinct grades so the table is not the same run repeated.
    steps["grade_pct"] = steps["grade_pct"].to_numpy() + np.linspace(-3.0, 3.0, len(steps))
    entries = []
    for name in ("source", "literature"):
        rs = load_rules(name)
        t = _interleaved({name: lambda rs=rs: apply_rules(steps, rs)}, cfg.repeat)[name]
        entries.append(_entry(f"apply_rules({name})", t, len(steps), "steps"))
    return {"entries": entries, "notes": [f"{len(steps):,} steps"]}


def case_analyze(cfg) -> dict:
    """End to end: in-process gaitload.analyze and the CLI, vs pandas.read_csv of the same file."""
    import pandas as pd

    import gaitload

    dur = cfg.imu_s
    path = _sim_csv(cfg.inputs / f"foot_{int(dur)}s_100hz.csv", dur, "foot", seed=11)
    n = int(dur * IMU_RATE_HZ)
    t = _interleaved({"pandas.read_csv (baseline)": lambda: pd.read_csv(path),
                      "gaitload.analyze (in-process)": lambda: gaitload.analyze(path)}, cfg.repeat)
    base = _median(t["pandas.read_csv (baseline)"])
    ratio = _median(t["gaitload.analyze (in-process)"]) / base
    entries = [_entry(k, v, n, "samples") for k, v in t.items()]
    entries[1]["ratio_vs_read_csv"] = ratio
    # Where the time goes: the stages analyze chains, timed one by one on the same file.
    entries += [_entry(k, v, n, "samples", ratio_vs_read_csv=_median(v) / base)
                for k, v in _stage_times(path, cfg.repeat).items()]
    floor = _interleaved({"pandas.read_csv (baseline)": lambda: pd.read_csv(path),
                          "  floor: filters + strap-down": _numeric_floor(path)}, cfg.repeat)
    floor_ratio = _median(floor["  floor: filters + strap-down"]) / _median(floor["pandas.read_csv (baseline)"])
    entries.append(_entry("  floor: filters + strap-down", floor["  floor: filters + strap-down"], n, "samples",
                          ratio_vs_read_csv=floor_ratio))
    threads = _read_csv_threads()
    thread_note = []
    if threads > 1:
        # pandas >= 3.1 splits the file over threads; gaitload's stages after the parse run on
        # one core, so the one-thread parse is shown too (context, not the requirement)
        one = "pandas.read_csv, one thread (context)"
        t1 = _interleaved({"pandas.read_csv (baseline)": lambda: pd.read_csv(path),
                           one: lambda: _one_thread_read_csv(path)}, cfg.repeat)
        entries.append(_entry(one, t1[one], n, "samples",
                              ratio_vs_read_csv=_median(t1[one]) / _median(t1["pandas.read_csv (baseline)"])))
        thread_note = [f"pandas {pd.__version__} splits a large file's parse over up to {threads} threads (the "
                       f"baseline above); the analysis after the parse runs on one: analyze / one-thread "
                       f"read_csv = {_median(t['gaitload.analyze (in-process)']) / _median(t1[one]):.2f}"]

    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        def cli():
            proc = subprocess.run([py, "-m", "gaitload", "analyze", str(path), "--out", tmp],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if proc.returncode != 0:
                tail = (proc.stderr.strip().splitlines() or ["no message"])[-1]
                raise RuntimeError(f"gaitload analyze exited {proc.returncode}: {tail}")

        def start():
            subprocess.run([py, "-c", "import gaitload"], check=True)

        t2 = _interleaved({"python -c 'import gaitload' (startup)": start,
                           "gaitload analyze FILE --out DIR (CLI)": cli}, max(1, min(cfg.repeat, 3)), warmup=False)
    entries.append(_entry("python -c 'import gaitload' (startup)", t2["python -c 'import gaitload' (startup)"]))
    entries.append(_entry("gaitload analyze FILE --out DIR (CLI)", t2["gaitload analyze FILE --out DIR (CLI)"],
                          n, "samples"))
    check = {"name": f"analyze <= {ANALYZE_VS_READ_CSV_MAX:g}x read_csv (1 h 100 Hz IMU CSV)" if not cfg.quick else
             f"analyze <= {ANALYZE_VS_READ_CSV_MAX:g}x read_csv ({dur / 60:g} min IMU CSV, quick)",
             "value": ratio, "limit": ANALYZE_VS_READ_CSV_MAX, "pass": ratio <= ANALYZE_VS_READ_CSV_MAX}
    return {"entries": entries, "checks": [check],
            "notes": [f"analyze / read_csv = {ratio:.2f} (limit {ANALYZE_VS_READ_CSV_MAX:g}); the CLI also "
                      f"writes steps.csv, segments.csv, summary.json and emphasis.png",
                      f"numeric floor of the foot method (its three zero-phase filters and the strap-down of "
                      f"every stride, nothing else) = {floor_ratio:.2f}x read_csv: analyze cannot go below "
                      f"{1 + floor_ratio:.2f}x read_csv with these numpy/scipy kernels"] + thread_note}


def case_frame(cfg) -> dict:
    """analyze(DataFrame) vs analyze(path) of the same samples (15 min foot IMU at 100 Hz)."""
    import pandas as pd

    import gaitload

    dur = 900.0 if not cfg.quick else 180.0
    path = _sim_csv(cfg.inputs / f"foot_{int(dur)}s_100hz.csv", dur, "foot", seed=11)
    frame = pd.read_csv(path)  # the caller's table, already in memory
    n = len(frame)
    t = _interleaved({"gaitload.analyze(path)": lambda: gaitload.analyze(path),
                      "gaitload.analyze(DataFrame)": lambda: gaitload.analyze(frame)}, cfg.repeat)
    ratio = _median(t["gaitload.analyze(DataFrame)"]) / _median(t["gaitload.analyze(path)"])
    entries = [_entry(k, v, n, "samples") for k, v in t.items()]
    entries[1]["ratio_vs_path"] = ratio
    check = {"name": f"analyze(DataFrame) <= {FRAME_VS_PATH_MAX:g}x analyze(path) ({dur / 60:g} min foot IMU)",
             "value": ratio, "limit": FRAME_VS_PATH_MAX, "pass": ratio <= FRAME_VS_PATH_MAX}
    return {"entries": entries, "checks": [check],
            "notes": [f"analyze(DataFrame) / analyze(path) = {ratio:.2f} (limit {FRAME_VS_PATH_MAX:g}): the frame's "
                      "columns are mapped in memory, no CSV is written or parsed"]}


def _read_csv_threads() -> int:
    """Threads pandas.read_csv uses on this machine (pandas >= 3.1 parses large files in
    parallel; 1 for older pandas, which has no ``mode.max_threads`` option)."""
    import pandas as pd

    try:
        configured = pd.get_option("mode.max_threads")
    except (KeyError, pd.errors.OptionError):
        return 1
    if configured is not None:
        return int(configured)
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _one_thread_read_csv(path: Path):
    """pandas.read_csv of ``path`` on one thread (``mode.max_threads`` = 1)."""
    import pandas as pd

    with pd.option_context("mode.max_threads", 1):
        return pd.read_csv(path)


def _numeric_floor(path: Path):
    """The numeric work the foot-IMU method cannot skip, as a callable to time.

    Its three single-channel zero-phase Butterworth filters at the sampling rate
    (``events.filters``; the detector's filters of the axial acceleration and the swing rate) and
    the ZUPT strap-down integration of every stride between the detected contacts of the
    instrumented foot (:func:`gaitload.events.strapdown.stride_displacement`). Everything else
    analyze does (reading checks, placement detection, event search, terrain, load) comes on
    top, so ``1 + floor / read_csv`` bounds ``analyze / read_csv`` from below.
    """
    import gaitload
    from gaitload.events import filters as sig
    from gaitload.events import detect_steps
    from gaitload.events.strapdown import stride_displacement

    rec = gaitload.read(path)
    fs = float(rec.sampling_rate_hz)
    # axis by axis, the recording's own channels, as the foot detector hands them over
    acc = tuple(np.asarray(rec.channels[f"acc_{a}"], float) for a in "xyz")
    gyr = tuple(np.asarray(rec.channels[f"gyr_{a}"], float) for a in "xyz")
    steps = detect_steps(rec, "foot").steps
    own = steps.loc[steps["measured"].to_numpy(bool), "time_s"].to_numpy(float)
    contact = np.searchsorted(rec.time_s, own)
    axial, swing = acc[2], gyr[1]

    from gaitload.blas import one_blas_thread

    @one_blas_thread  # as detect_steps runs them
    def floor():
        sig.lowpass(axial, 25.0, fs)
        sig.lowpass(swing, 5.0, fs)
        sig.highpass(swing, 0.3, fs)
        stride_displacement(acc, gyr, fs, contact[:-1], contact[1:], planar=True)

    return floor


def _stage_times(path: Path, repeat: int) -> dict[str, list[float]]:
    """Time read, detect_steps, compute_terrain and apply_and_summarize (the load stage) separately."""
    import gaitload
    from gaitload.events import detect_steps
    from gaitload.load import apply_and_summarize, load_rules
    from gaitload.terrain import compute_terrain

    rules = load_rules("source")
    state = {}

    def read():
        state["rec"] = gaitload.read(path)

    def detect():
        state["det"] = detect_steps(state["rec"])

    def terrain():
        state["ter"] = compute_terrain(state["rec"], state["det"].steps)

    def load():
        apply_and_summarize(state["ter"].steps, rules)

    return _interleaved({"  stage: gaitload.read": read, "  stage: detect_steps": detect,
                         "  stage: compute_terrain": terrain, "  stage: apply_and_summarize": load},
                        repeat)


def case_fit(cfg) -> dict:
    """FIT decode on the real 100,000-record file (gaitload.read vs a bare fitdecode pass), and the
    same number of simulated watch records written as CSV (no Python FIT encoder exists: fitdecode
    and garmin-fit-sdk only decode)."""
    import pandas as pd

    import gaitload

    entries, notes = [], []
    fit = FIT_SMALL if cfg.quick else FIT_BIG
    if fit.exists():
        import fitdecode

        holder = {}

        def bare(**options):
            n = 0
            with fitdecode.FitReader(str(fit), **options) as fr:
                for frame in fr:
                    if frame.frame_type == fitdecode.FIT_FRAME_DATA and frame.name == "record":
                        n += 1
            holder["n"] = n

        # gaitload decodes raw values (processor=None): the second pass is its like-for-like floor
        raw = "fitdecode frames, no processor"
        t = _interleaved({"fitdecode frames (baseline)": bare, raw: lambda: bare(processor=None),
                          "gaitload.read(.fit)": lambda: gaitload.read(fit)},
                         cfg.repeat if not cfg.quick else 1)
        n = holder["n"]
        entries += [_entry(f"{k} {fit.name}", v, n, "records") for k, v in t.items()]
        entries[-1]["ratio_vs_fitdecode"] = _median(t["gaitload.read(.fit)"]) / _median(t["fitdecode frames (baseline)"])
        notes.append(f"gaitload.read / fitdecode pass without its data processor = "
                     f"{_median(t['gaitload.read(.fit)']) / _median(t[raw]):.2f}")
        notes.append(f"{fit.name}: {n:,} records, {fit.stat().st_size / 1e6:.1f} MB")
    else:
        notes.append(f"skipped the real FIT file: {fit} is absent (needs /work/shared/data)")
    n_rec = cfg.records_n
    path = _sim_csv(cfg.inputs / f"records_{n_rec}.csv", float(n_rec), "records", seed=51)
    t = _interleaved({"pandas.read_csv records (baseline)": lambda: pd.read_csv(path),
                      "gaitload.read(records CSV)": lambda: gaitload.read(path)}, cfg.repeat)
    entries += [_entry(k, v, n_rec, "records") for k, v in t.items()]
    entries[-1]["ratio_vs_read_csv"] = _median(t["gaitload.read(records CSV)"]) / _median(
        t["pandas.read_csv records (baseline)"])
    notes.append(f"generated: {n_rec:,} simulated 1 Hz watch records as CSV (no FIT encoder in Python)")
    return {"entries": entries, "notes": notes}


def _child(args: list[str]) -> dict:
    """Run this script in a fresh interpreter in a child mode and parse its JSON line."""
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"child {args[0]} failed: {tail}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _maxrss_mb(who=resource.RUSAGE_SELF) -> float:
    """Peak resident set size, MiB.

    For this process, Linux's ``VmHWM`` (high-water mark of *this* address space): ``ru_maxrss``
    survives ``fork`` + ``exec`` on Linux, so a child started by a big parent would report the
    parent's peak. For finished children (``RUSAGE_CHILDREN``) only ``ru_maxrss`` exists; it is an
    upper bound that includes the RSS of the process that spawned them.
    """
    if who == resource.RUSAGE_SELF:
        try:
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
        except (OSError, ValueError, IndexError):
            pass
    # ru_maxrss: kilobytes on Linux, bytes on macOS.
    scale = 1.0 / 1024 if sys.platform != "darwin" else 1.0 / (1024 * 1024)
    return resource.getrusage(who).ru_maxrss * scale


def child_pipeline(path: str) -> dict:
    """Fresh process: import, note the baseline RSS, then read + analyze one file."""
    import gaitload
    import gaitload.events
    import gaitload.events.foot  # scipy.signal with it: the IMU path imports it on first use
    import gaitload.load
    import gaitload.terrain  # noqa: F401  (imported so the baseline holds every module analyze uses)

    baseline = _maxrss_mb()
    t0 = time.perf_counter()
    rec = gaitload.read(path)
    read_peak = _maxrss_mb()  # how much of the peak the reader alone reaches
    a = gaitload.analyze(rec)
    wall = time.perf_counter() - t0
    return {"time_s": wall, "peak_rss_mb": _maxrss_mb(), "baseline_rss_mb": baseline,
            "read_peak_rss_mb": read_peak, "n_steps": len(a.steps)}


def case_scaling(cfg) -> dict:
    """read + analyze on growing foot-IMU files, time and peak RSS in a fresh process per size."""
    sizes = cfg.scaling_s
    entries, rows = [], []
    reps = max(1, min(cfg.repeat, 3))
    for dur in sizes:
        path = _sim_csv(cfg.inputs / f"foot_{int(dur)}s_100hz.csv", dur, "foot", seed=11)
        n = int(dur * IMU_RATE_HZ)
        res = [_child(["--child-pipeline", str(path)]) for _ in range(reps)]
        times = [r["time_s"] for r in res]
        peak = _median([r["peak_rss_mb"] for r in res])
        read_peak = _median([r["read_peak_rss_mb"] for r in res])
        base = _median([r["baseline_rss_mb"] for r in res])
        arrays_mb = n * N_CHANNELS * 8 / 1e6
        entries.append(_entry(f"read+analyze {dur / 3600:g} h" if dur >= 3600 else f"read+analyze {dur / 60:g} min",
                              times, n, "samples", peak_rss_mb=peak, baseline_rss_mb=base,
                              read_peak_rss_mb=read_peak,
                              arrays_mb=arrays_mb, n_steps=res[0]["n_steps"],
                              file_mb=path.stat().st_size / 1e6))
        rows.append((n, _median(times), peak - base, peak, base, arrays_mb, read_peak))
    n = np.array([r[0] for r in rows], float)
    t = np.array([r[1] for r in rows], float)
    m = np.maximum(np.array([r[2] for r in rows], float), 1e-3)
    k_time = float(np.polyfit(np.log(n), np.log(t), 1)[0])
    k_mem = float(np.polyfit(np.log(n), np.log(m), 1)[0])
    _, _, _, peak_big, base_big, arrays_big, read_big = rows[-1]
    bound = base_big + MEMORY_FACTOR * arrays_big / 1.048576  # arrays in MB (1e6) -> MiB like ru_maxrss
    checks = [
        {"name": "time exponent vs length (log-log fit)", "value": k_time, "limit": EXPONENT_MAX,
         "pass": k_time <= EXPONENT_MAX},
        {"name": "memory exponent vs length (peak - baseline)", "value": k_mem, "limit": EXPONENT_MAX,
         "pass": k_mem <= EXPONENT_MAX},
        {"name": f"peak RSS of the largest run <= baseline + {MEMORY_FACTOR:g}x arrays (MiB)",
         "value": peak_big, "limit": bound, "pass": peak_big <= bound},
    ]
    notes = [f"time ~ n^{k_time:.2f}, memory above baseline ~ n^{k_mem:.2f}; interpreter baseline "
             f"(gaitload imported) {rows[-1][4]:.0f} MiB; largest run peak {peak_big:.0f} MiB vs bound "
             f"{bound:.0f} MiB ({arrays_big:.0f} MB of float64 arrays); peak after gaitload.read alone "
             f"{read_big:.0f} MiB"]
    return {"entries": entries, "checks": checks, "notes": notes,
            "fit": {"time_exponent": k_time, "memory_exponent": k_mem}}


def _season_inputs(cfg) -> tuple[list[Path], list[Path]]:
    """Watch-record runs (1 Hz CSV) and raw foot-IMU runs (100 Hz CSV) of a simulated season."""
    from gaitload.simulate import COURSES

    lo, hi = cfg.season_imu_s
    d = cfg.inputs / f"season_{cfg.season_record_s:g}s_{lo:g}-{hi:g}s"  # quick and full never share files
    d.mkdir(exist_ok=True)
    n_rec, n_imu = cfg.season_runs, max(1, round(cfg.season_runs / 6))
    records, imus = [], []
    for i in range(n_rec):
        # one run a day: a season counts runs that overlap in time once
        records.append(_sim_csv(d / f"watch_day_{i:03d}.csv", cfg.season_record_s, "records", seed=1000 + i,
                                course=COURSES[i % len(COURSES)], speed_mps=2.8 + 0.1 * (i % 10),
                                altitude_source="gps" if i % 3 == 0 else "barometric",
                                start_time=time.strftime("%Y-%m-%dT06:30:00Z", time.gmtime(1_704_067_200 + 86400 * i))))
    for i in range(n_imu):
        dur = lo + (hi - lo) * ((i * 7) % 11) / 10.0
        imus.append(_sim_csv(d / f"footimu_{i:03d}.csv", dur, "foot", seed=2000 + i,
                             course=COURSES[i % len(COURSES)], speed_mps=2.8 + 0.15 * (i % 8)))
    return records, imus


def child_season(list_file: str, out_dir: str, jobs: str, figures: str = "1", rules: str = "source") -> dict:
    import gaitload

    files = json.loads(Path(list_file).read_text())
    baseline = _maxrss_mb()
    t0 = time.perf_counter()
    res = gaitload.season(files, out_dir, jobs=int(jobs), progress=False, figures=figures == "1", rules=rules)
    wall = time.perf_counter() - t0
    return {"wall_s": wall, "n_analysed": res.n_analysed, "n_cached": res.n_cached,
            "n_ok": int((res.runs["status"] == "ok").sum()), "n_errors": len(res.errors),
            "errors": [f"{r.error_type}: {r.message}" for r in res.errors.head(10).itertuples()],
            "parent_peak_rss_mb": _maxrss_mb(), "parent_baseline_rss_mb": baseline,
            "worker_peak_rss_mb": _maxrss_mb(resource.RUSAGE_CHILDREN),
            "cpu_s": sum(resource.getrusage(w).ru_utime + resource.getrusage(w).ru_stime
                         for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))}


def case_season(cfg) -> dict:
    """gaitload.season cold (empty out dir) and warm (all cached), and parent memory at 1/3 vs all runs."""
    records, imus = _season_inputs(cfg)
    jobs = cfg.jobs or os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="season_out_", dir=cfg.inputs))  # private: runs may overlap
    try:
        return _season_cases(cfg, records, imus, jobs, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _season_cases(cfg, records, imus, jobs, work) -> dict:
    entries, notes, checks = [], [], []
    runs_sets = {"third": records[: max(1, len(records) // 3)] + imus[: max(1, len(imus) // 3)],
                 "all": records + imus}
    results = {}
    for label, files in runs_sets.items():
        out = work / label
        shutil.rmtree(out, ignore_errors=True)
        lst = work / f"{label}.json"
        lst.parent.mkdir(parents=True, exist_ok=True)
        lst.write_text(json.dumps([str(p) for p in files]))
        cold = _child(["--child-season", str(lst), str(out), str(jobs)])
        if cold["n_ok"] != len(files):
            notes.append(f"{label}: {len(files) - cold['n_ok']} of {len(files)} runs failed: "
                         + " | ".join(cold.get("errors", [])[:3]))
        results[label] = cold
        n = len(files)
        entries.append(_entry(f"season cold, {n} runs ({label})", [cold["wall_s"]], n, "runs",
                              per_run_s=cold["wall_s"] / n, cpu_s_per_run=cold["cpu_s"] / n,
                              parent_peak_rss_mb=cold["parent_peak_rss_mb"],
                              worker_peak_rss_mb=cold["worker_peak_rss_mb"], n_ok=cold["n_ok"]))
        if label == "all":
            warm = [_child(["--child-season", str(lst), str(out), str(jobs)]) for _ in range(max(1, min(cfg.repeat, 3)))]
            entries.append(_entry(f"season warm, {n} runs (all cached)", [w["wall_s"] for w in warm], n, "runs",
                                  per_run_s=_median([w["wall_s"] for w in warm]) / n,
                                  parent_peak_rss_mb=_median([w["parent_peak_rss_mb"] for w in warm]),
                                  n_cached=warm[0]["n_cached"]))
            # another rule set: every run's load is recomputed from its stored steps; the per-run
            # figures showing the old loads are removed, and the next run draws them
            changed = _child(["--child-season", str(lst), str(out), str(jobs), "1", "literature"])
            entries.append(_entry(f"season rules changed, {n} runs (literature rules)", [changed["wall_s"]], n,
                                  "runs", per_run_s=changed["wall_s"] / n, cpu_s_per_run=changed["cpu_s"] / n,
                                  n_analysed=changed["n_analysed"]))
            speedup = cold["wall_s"] / changed["wall_s"]
            checks.append({"name": "season rules changed >= 5x faster than cold (figures on)", "value": speedup,
                           "limit": 5.0, "pass": speedup >= 5.0, "higher_is_better": True})
            drawn = _child(["--child-season", str(lst), str(out), str(jobs), "1", "literature"])
            entries.append(_entry(f"season after a rules change, {n} runs (draws the removed per-run figures)",
                                  [drawn["wall_s"]], n, "runs", per_run_s=drawn["wall_s"] / n,
                                  cpu_s_per_run=drawn["cpu_s"] / n, n_analysed=drawn["n_analysed"]))
            notes.append(f"season: rules changed {changed['wall_s'] / n:.3f} s/run ({speedup:.1f}x faster than cold); "
                         f"the next run draws the {n} removed figures in {drawn['wall_s'] / n:.3f} s/run")
            # the same cold season without figures: what the figures cost
            bare_out = work / "all_no_figures"
            shutil.rmtree(bare_out, ignore_errors=True)
            bare = _child(["--child-season", str(lst), str(bare_out), str(jobs), "0"])
            entries.append(_entry(f"season cold, {n} runs, --no-figures", [bare["wall_s"]], n, "runs",
                                  per_run_s=bare["wall_s"] / n, cpu_s_per_run=bare["cpu_s"] / n))
            bare_changed = _child(["--child-season", str(lst), str(bare_out), str(jobs), "0", "literature"])
            entries.append(_entry(f"season rules changed, {n} runs, --no-figures", [bare_changed["wall_s"]], n,
                                  "runs", per_run_s=bare_changed["wall_s"] / n,
                                  cpu_s_per_run=bare_changed["cpu_s"] / n))
            bare_speedup = bare["wall_s"] / bare_changed["wall_s"]
            checks.append({"name": "season rules changed >= 5x faster than cold (--no-figures)",
                           "value": bare_speedup, "limit": 5.0, "pass": bare_speedup >= 5.0,
                           "higher_is_better": True})
            # what the figures cost: cold seasons with and without them, alternating (load that
            # hits one of a pair hits both), the median of the per-pair ratios
            pairs = _cold_pairs(lst, work / "pairs_all", jobs, 1 if cfg.quick else max(2, min(cfg.repeat, 3)), [], [])
            fig_ratio = statistics.median(f["wall_s"] / b["wall_s"] for f, b in zip(*pairs))
            fig_cpu = statistics.median(f["cpu_s"] / b["cpu_s"] for f, b in zip(*pairs))
            checks.append({"name": "season cold with figures <= 2x --no-figures", "value": fig_ratio,
                           "limit": 2.0, "pass": fig_ratio <= 2.0})
            with_s = ", ".join("%.3f" % (f["wall_s"] / n) for f in pairs[0])
            without_s = ", ".join("%.3f" % (b["wall_s"] / n) for b in pairs[1])
            notes.append(f"season: cold with figures / without = {fig_ratio:.2f} wall, {fig_cpu:.2f} CPU (median of "
                         f"{len(pairs[0])} alternating pairs; wall s/run with figures {with_s}, without {without_s})")
            # the watch runs alone: the per-run cost a watch user's season has
            wlst = work / "watch.json"
            wlst.write_text(json.dumps([str(p) for p in records]))
            watch, watch_bare = _cold_pairs(wlst, work / "pairs_watch", jobs, max(1, min(cfg.repeat, 3)), [], [])
            nw = len(records)
            per_watch = _median([w["wall_s"] for w in watch]) / nw
            entries.append(_entry(f"season cold, {nw} watch runs only", [w["wall_s"] for w in watch], nw, "runs",
                                  per_run_s=per_watch, cpu_s_per_run=_median([w["cpu_s"] for w in watch]) / nw))
            entries.append(_entry(f"season cold, {nw} watch runs only, --no-figures",
                                  [w["wall_s"] for w in watch_bare], nw, "runs",
                                  per_run_s=_median([w["wall_s"] for w in watch_bare]) / nw,
                                  cpu_s_per_run=_median([w["cpu_s"] for w in watch_bare]) / nw))
            checks.append({"name": f"season cold per {cfg.season_record_s / 60:g}-min watch run <= 0.15 s "
                                   f"({jobs} workers, figures)",
                           "value": per_watch, "limit": 0.15, "pass": per_watch <= 0.15})
            per_run = [", ".join("%.3f / %.3f" % (w["wall_s"] / nw, w["cpu_s"] / nw) for w in ws)
                       for ws in (watch, watch_bare)]
            notes.append(f"season: watch runs only, cold, s/run with figures (wall / CPU) {per_run[0]}; without "
                         f"{per_run[1]}")
    mem_third, mem_all = results["third"]["parent_peak_rss_mb"], results["all"]["parent_peak_rss_mb"]
    growth = mem_all / mem_third
    checks.append({"name": f"season parent peak RSS flat ({len(runs_sets['all'])} vs "
                           f"{len(runs_sets['third'])} runs, ratio)",
                   "value": growth, "limit": 1.5, "pass": growth <= 1.5})
    size_gb = sum(p.stat().st_size for p in records + imus) / 1e9
    notes.append(f"{len(records)} watch runs ({cfg.season_record_s / 60:g} min, 1 Hz CSV) + {len(imus)} foot-IMU "
                 f"runs ({cfg.season_imu_s[0] / 60:g}-{cfg.season_imu_s[1] / 60:g} min, 100 Hz CSV), "
                 f"{size_gb:.2f} GB; jobs={jobs}; figures on")
    notes.append(f"parent peak RSS {mem_third:.0f} MiB at {len(runs_sets['third'])} runs, {mem_all:.0f} MiB at "
                 f"{len(runs_sets['all'])} runs; worker peak {results['all']['worker_peak_rss_mb']:.0f} MiB")
    return {"entries": entries, "notes": notes, "checks": checks}


def _cold_pairs(lst: Path, work: Path, jobs: int, n: int, with_figs: list, without: list) -> tuple[list, list]:
    """Cold seasons of the files in ``lst`` with and without figures, alternating, each into a
    fresh folder, until there are ``n`` of each (``with_figs`` and ``without`` hold runs done)."""
    with_figs, without = list(with_figs), list(without)
    k = 0
    while len(with_figs) < n or len(without) < n:
        for figures, done in (("1", with_figs), ("0", without)):
            if len(done) < n:
                out = work / f"{k}_{figures}"
                shutil.rmtree(out, ignore_errors=True)
                done.append(_child(["--child-season", str(lst), str(out), str(jobs), figures]))
                shutil.rmtree(out, ignore_errors=True)
        k += 1
    return with_figs[:n], without[:n]


CASE_FUNCS = {"cli": case_cli, "figure": case_figure, "frame": case_frame, "read": case_read,
              "detect": case_detect, "terrain": case_terrain, "rules": case_rules, "analyze": case_analyze,
              "fit": case_fit, "scaling": case_scaling, "season": case_season, "peers": case_peers}


# ------------------------------------------------------------------------------------------------
# Machine info, output, compare
# ------------------------------------------------------------------------------------------------
def machine_info() -> dict:
    import pandas as pd
    import scipy

    import gaitload

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass

    src = Path(gaitload.__file__).resolve().parent  # the gaitload imported (PYTHONPATH may point at a worktree)

    def git(*a):
        try:
            return subprocess.run(["git", *a], cwd=src, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {"cpu_model": cpu, "cores": os.cpu_count(), "ram_gb": mem_gb, "platform": platform.platform(),
            "python": platform.python_version(), "numpy": np.__version__, "pandas": pd.__version__,
            "scipy": scipy.__version__, "gaitload": gaitload.__version__,
            "git_commit": git("rev-parse", "HEAD"), "git_dirty": bool(git("status", "--porcelain", "--", ".")),
            "gaitload_path": str(src),
            "load_avg_at_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None}


def _fmt_t(s: float) -> str:
    return f"{s * 1e3:.1f} ms" if s < 1 else f"{s:.2f} s"


def _fmt_rate(row: dict) -> str:
    if "throughput_per_s" not in row:
        return ""
    r = row["throughput_per_s"]
    for div, suf in ((1e6, "M"), (1e3, "k")):
        if r >= div:
            return f"{r / div:.2f} {suf}{row['unit']}/s"
    return f"{r:.2f} {row['unit']}/s"


def print_table(result: dict) -> None:
    print(f"\n{'case':<8} {'benchmark':<48} {'median':>10} {'min':>10} {'max':>10}  throughput")
    print("-" * 110)
    for case, res in result["cases"].items():
        if "error" in res:
            print(f"{case:<8} ERROR: {res['error']}")
            continue
        for row in res["entries"]:
            extra = ""
            if "ratio_vs_read_csv" in row:
                extra = f"  ({row['ratio_vs_read_csv']:.2f}x read_csv)"
            if "peak_rss_mb" in row:
                extra = f"  (peak {row['peak_rss_mb']:.0f} MiB)"
            if "per_run_s" in row:
                extra = f"  ({row['per_run_s'] * 1e3:.0f} ms/run)"
            print(f"{case:<8} {row['name'][:48]:<48} {_fmt_t(row['median_s']):>10} {_fmt_t(row['min_s']):>10} "
                  f"{_fmt_t(row['max_s']):>10}  {_fmt_rate(row)}{extra}")
        for note in res.get("notes", []):
            print(f"{'':<8}   note: {note}")
    print("\nVERDICT (requirements are ratios against baselines timed in this run)")
    checks = [c for res in result["cases"].values() for c in res.get("checks", [])]
    if not checks:
        print("  (no requirement checks in the cases run)")
    for c in checks:
        print(f"  {'PASS' if c['pass'] else 'FAIL'}  {c['name']}: {c['value']:.3g} (limit {c['limit']:.3g})")


def markdown(path: Path) -> int:
    """Print a result file as Markdown tables (for benchmarks/README.md)."""
    result = json.loads(Path(path).read_text())
    m = result["machine"]
    print(f"Machine: {m['cpu_model']}, {m['cores']} cores, {m['ram_gb']} GB RAM; Python {m['python']}, "
          f"numpy {m['numpy']}, pandas {m['pandas']}, scipy {m['scipy']}; gaitload {m['gaitload']} at "
          f"`{m['git_commit'][:10]}`; load average at start {', '.join(f'{x:.1f}' for x in m['load_avg_at_start'] or [])}; "
          f"{result['mode']} run, {result['repeat']} repeats, {result['started_utc']}.\n")
    print("| case | benchmark | median | min | max | throughput | note |")
    print("|---|---|---:|---:|---:|---:|---|")
    for case, res in result["cases"].items():
        if "error" in res:
            print(f"| {case} | ERROR: {res['error']} | | | | | |")
            continue
        for row in res["entries"]:
            note = ""
            if "ratio_vs_read_csv" in row:
                note = f"{row['ratio_vs_read_csv']:.2f}x read_csv"
            if "ratio_vs_fitdecode" in row:
                note = f"{row['ratio_vs_fitdecode']:.2f}x fitdecode"
            if "peak_rss_mb" in row:
                note = f"peak {row['peak_rss_mb']:.0f} MiB (after read {row.get('read_peak_rss_mb', float('nan')):.0f})"
            if "per_run_s" in row:
                note = f"{row['per_run_s'] * 1e3:.0f} ms/run wall"
                if "cpu_s_per_run" in row:
                    note += f", {row['cpu_s_per_run']:.2f} CPU s/run"
                if "parent_peak_rss_mb" in row:
                    note += f", parent peak {row['parent_peak_rss_mb']:.0f} MiB"
            print(f"| {case} | {row['name'].strip()} | {_fmt_t(row['median_s'])} | {_fmt_t(row['min_s'])} | "
                  f"{_fmt_t(row['max_s'])} | {_fmt_rate(row)} | {note} |")
    print("\n| requirement | value | limit | verdict |\n|---|---:|---:|---|")
    checks = result.get("checks") or [c for res in result["cases"].values() for c in res.get("checks", [])]
    for c in checks:
        print(f"| {c['name']} | {c['value']:.3g} | {c['limit']:.3g} | {'PASS' if c['pass'] else 'FAIL'} |")
    notes = [f"- {case}: {n}" for case, res in result["cases"].items() for n in res.get("notes", [])]
    print("\n" + "\n".join(notes))
    return 0


def compare(old_path: Path, new_path: Path) -> int:
    old, new = (json.loads(Path(p).read_text()) for p in (old_path, new_path))
    print(f"old: {old_path} ({old['machine'].get('git_commit', '')[:10]})  "
          f"new: {new_path} ({new['machine'].get('git_commit', '')[:10]})")
    print(f"{'case':<8} {'benchmark':<48} {'old':>10} {'new':>10} {'new/old':>8}")
    for case, res in new.get("cases", {}).items():
        old_rows = {r["name"]: r for r in old.get("cases", {}).get(case, {}).get("entries", [])}
        for row in res.get("entries", []):
            o = old_rows.get(row["name"])
            if o is None:
                print(f"{case:<8} {row['name'][:48]:<48} {'-':>10} {_fmt_t(row['median_s']):>10} {'new':>8}")
                continue
            ratio = row["median_s"] / o["median_s"] if o["median_s"] > 0 else float("nan")
            flag = "  slower" if ratio > 1.2 else ("  faster" if ratio < 1 / 1.2 else "")
            print(f"{case:<8} {row['name'][:48]:<48} {_fmt_t(o['median_s']):>10} {_fmt_t(row['median_s']):>10} "
                  f"{ratio:>8.2f}{flag}")
    return 0


# ------------------------------------------------------------------------------------------------
# Configuration and main
# ------------------------------------------------------------------------------------------------
class Config:
    def __init__(self, args):
        self.quick = args.quick
        self.repeat = args.repeat if args.repeat else (2 if args.quick else 5)
        self.jobs = args.jobs
        self.inputs = _input_dir(prune=not args.quick)
        if args.quick:
            self.imu_s, self.detect_s, self.terrain_s = 180.0, 60.0, 600.0
            self.rule_steps, self.records_n = 20_000, 3_600
            self.scaling_s = (60.0, 180.0, 600.0)
            self.season_runs = args.season_runs or 5
            self.season_record_s, self.season_imu_s = 600.0, (120.0, 180.0)
        else:
            self.imu_s, self.detect_s, self.terrain_s = 3600.0, 3600.0, 3600.0
            self.rule_steps, self.records_n = 1_000_000, 100_000
            self.scaling_s = (600.0, 3600.0, 36000.0)
            self.season_runs = args.season_runs or 300
            self.season_record_s, self.season_imu_s = 3600.0, (1800.0, 3600.0)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="tiny inputs, 1-2 repeats (smoke run)")
    p.add_argument("--repeat", type=int, default=None, help="repeats per measurement (default 5, quick 2)")
    p.add_argument("--only", default=None, help=f"comma-separated cases: {', '.join(CASES)}")
    p.add_argument("--json", type=Path, default=DEFAULT_JSON, help="result file (default %(default)s)")
    p.add_argument("--compare", nargs="+", metavar="JSON",
                   help="OLD.json [NEW.json]: print new/old time ratios (NEW defaults to --json) and exit")
    p.add_argument("--markdown", type=Path, metavar="JSON", help="print a result file as Markdown tables and exit")
    p.add_argument("--season-runs", type=int, default=None,
                   help="watch-record runs in the season case (default 300, quick 5); foot-IMU runs = runs/6")
    p.add_argument("--jobs", type=int, default=None, help="season worker processes (default: CPU count)")
    return p.parse_args(argv)


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Child modes (a fresh interpreter per measurement of memory): print one JSON line.
    if argv and argv[0] == "--child-pipeline":
        print(json.dumps(child_pipeline(argv[1])))
        return 0
    if argv and argv[0] == "--child-season":
        print(json.dumps(child_season(*argv[1:6])))
        return 0
    args = parse_args(argv)
    if args.markdown:
        return markdown(args.markdown)
    if args.compare:
        if len(args.compare) > 2:
            print("--compare takes OLD.json and optionally NEW.json", file=sys.stderr)
            return 2
        new = Path(args.compare[1]) if len(args.compare) == 2 else args.json
        return compare(Path(args.compare[0]), new)
    cases = CASES if not args.only else tuple(c.strip() for c in args.only.split(",") if c.strip())
    unknown = [c for c in cases if c not in CASE_FUNCS]
    if unknown:
        print(f"unknown case(s) {', '.join(unknown)}; choose from {', '.join(CASES)}", file=sys.stderr)
        return 2
    if args.repeat is not None and args.repeat < 1:
        print("--repeat must be at least 1", file=sys.stderr)
        return 2
    if args.season_runs is not None and args.season_runs < 1:
        print("--season-runs must be at least 1", file=sys.stderr)
        return 2
    cfg = Config(args)
    _compile_gaitload()  # every process the cases start imports gaitload as an installed copy would
    result = {"machine": machine_info(), "mode": "quick" if cfg.quick else "full", "repeat": cfg.repeat,
              "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "cases": {}}
    t_all = time.perf_counter()
    for case in cases:
        print(f"[{time.strftime('%H:%M:%S')}] {case} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            res = CASE_FUNCS[case](cfg)
        except Exception as exc:  # another stage broke: record it, keep benchmarking the rest
            res = {"error": f"{type(exc).__name__}: {exc}".splitlines()[0], "entries": [],
                   "traceback": traceback.format_exc()}
            print(res["traceback"], file=sys.stderr)
        res["case_wall_s"] = time.perf_counter() - t0
        result["cases"][case] = res
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1, default=float))  # partial results survive a crash
    result["total_wall_s"] = time.perf_counter() - t_all
    result["checks"] = [c for res in result["cases"].values() for c in res.get("checks", [])]
    args.json.write_text(json.dumps(result, indent=1, default=float))
    print_table(result)
    print(f"\nwrote {args.json} (total {result['total_wall_s']:.0f} s)")
    return 1 if any("error" in r for r in result["cases"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
