"""User-level benchmark cases: what a person running gaitload waits for.

- ``cli``: whole processes, interleaved with their baselines: ``gaitload analyze FILE --out DIR``
  (figure included) on one hour of 204.8 Hz foot IMU against ``python -c "import pandas;
  pandas.read_csv(FILE)"`` (limit 3.0x), and ``gaitload analyze run.fit`` of a real watch run
  without ``--out`` against ``python -c "import pandas"`` (limit 1.5x);
- ``figure``: one per-run figure (``plot_run`` to PNG) of that foot hour and of a one-hour
  watch run, in process, CPU and wall time;
- ``peers``: the same samples through scikit-digital-health's lumbar gait pipeline and
  gaitmap's foot pipeline when they are installed (they are not dependencies; skipped with a
  note otherwise), beside gaitload's detection: samples/s and ratio.

The foot hour is the real gaitmap example recording (left shoe IMU, 204.8 Hz, 38.7 s of
walking) repeated to one hour when ``../shared/data`` is present, else a simulated hour at
204.8 Hz; either way it is cached under the benchmark inputs.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from timing import _entry, _interleaved, _median

# ../shared/data beside the checkout, as the tests find it (GAITLOAD_SHARED_DATA overrides)
SHARED = Path(os.environ.get("GAITLOAD_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
GAITMAP_IMU = SHARED / "gaitmap-example-data" / "example_data" / "imu_sample.csv"
WATCH_FIT = SHARED / "python-fitparse-tests" / "tests" / "files" / "activity-small-fenix2-run.fit"
FOOT_RATE_HZ = 204.8
CLI_IMU_VS_READ_MAX = 3.0
CLI_FIT_VS_IMPORT_MAX = 1.5


def foot_hour_csv(cfg) -> tuple[Path, str]:
    """One hour (quick: three minutes) of 204.8 Hz foot IMU as CSV, and where it came from."""
    import pandas as pd

    seconds = 180.0 if cfg.quick else 3600.0
    n = int(round(seconds * FOOT_RATE_HZ))
    src = GAITMAP_IMU
    name = f"foot_{int(seconds)}s_204hz_{'gaitmap' if src.exists() else 'sim'}.csv"
    path = cfg.inputs / name
    if src.exists():
        what = f"gaitmap example left shoe IMU (204.8 Hz, real) repeated to {seconds / 60:g} min"
        if not path.exists():
            left = pd.read_csv(src, header=[0, 1], index_col=0)["left_sensor"]
            cols = ["acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]
            arr = np.tile(left[cols].to_numpy(), (-(-n // len(left)), 1))[:n]
            frame = pd.DataFrame(arr, columns=cols)
            frame.insert(0, "time_s", np.arange(n) / FOOT_RATE_HZ)
            tmp = path.with_suffix(".tmp")
            frame.to_csv(tmp, index=False, float_format="%.6f")
            tmp.replace(path)
        return path, what
    if not path.exists():
        from gaitload.simulate import simulate_run

        run = simulate_run(seconds, "foot", FOOT_RATE_HZ, seed=21)
        with tempfile.TemporaryDirectory(dir=cfg.inputs) as tmp:
            data, _truth = run.write_csv(Path(tmp) / name)
            Path(data).replace(path)
    return path, f"simulated foot IMU, {seconds / 60:g} min at 204.8 Hz (../shared/data absent)"


def _watch_hour_csv(cfg) -> Path:
    seconds = 600.0 if cfg.quick else 3600.0
    path = cfg.inputs / f"watch_{int(seconds)}s_1hz.csv"
    if not path.exists():
        from gaitload.simulate import simulate_run

        run = simulate_run(seconds, "records", 1.0, seed=31)
        with tempfile.TemporaryDirectory(dir=cfg.inputs) as tmp:
            data, _truth = run.write_csv(Path(tmp) / path.name)
            Path(data).replace(path)
    return path


def _processes(cmds: dict[str, list[str]], repeat: int) -> dict[str, dict[str, list[float]]]:
    """Wall and CPU (user + system) seconds of whole processes, interleaved, one warm-up each."""
    def run(cmd):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            tail = (proc.stderr.strip().splitlines() or ["no message"])[-1]
            raise RuntimeError(f"{' '.join(cmd[:4])} ... exited {proc.returncode}: {tail}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return wall, cpu

    for cmd in cmds.values():
        run(cmd)  # page cache, .pyc files
    out = {k: {"wall": [], "cpu": []} for k in cmds}
    for _ in range(repeat):
        for k, cmd in cmds.items():
            wall, cpu = run(cmd)
            out[k]["wall"].append(wall)
            out[k]["cpu"].append(cpu)
    return out


def _pair(label_base: str, label_subject: str, cmds: dict, repeat: int, limit: float, check_name: str):
    t = _processes(cmds, repeat)
    base, subj = t[label_base], t[label_subject]
    # per-repeat ratios of neighbouring runs: load that hits one pair hits both alike
    ratios = [s / b for s, b in zip(subj["wall"], base["wall"])]
    ratio = statistics.median(ratios)
    cpu_ratio = _median(subj["cpu"]) / _median(base["cpu"])
    entries = [_entry(label_base, base["wall"], cpu_s=_median(base["cpu"])),
               _entry(label_subject, subj["wall"], cpu_s=_median(subj["cpu"]), ratio_vs_baseline=ratio,
                      cpu_ratio_vs_baseline=cpu_ratio, best_pair_ratio=min(ratios))]
    check = {"name": check_name, "value": ratio, "limit": limit, "pass": ratio <= limit}
    return entries, check, cpu_ratio


def _compile_gaitload() -> str:
    """Write gaitload's bytecode (``__pycache__``), as installing a package does.

    A process started with ``PYTHONDONTWRITEBYTECODE`` set (as on this machine) from a source
    checkout without it would compile every gaitload module at every start (~0.15-0.2 s CPU):
    a cost no installed copy has. Returns a note for the report."""
    import compileall

    import gaitload

    package = Path(gaitload.__file__).parent
    compileall.compile_dir(str(package), quiet=1)
    return f"gaitload's bytecode compiled beforehand ({package}), as an installed copy has it"


def case_cli(cfg) -> dict:
    """Command-line latency against the bare read (IMU CSV) and the bare pandas import (watch FIT)."""
    py = sys.executable
    compiled = _compile_gaitload()
    path, what = foot_hour_csv(cfg)
    repeat = max(2, min(cfg.repeat, 7))
    with tempfile.TemporaryDirectory() as out:
        entries, check, cpu_ratio = _pair(
            "python -c 'import pandas; pandas.read_csv(FILE)' (baseline)", "gaitload analyze FILE --out DIR (CLI)",
            {"python -c 'import pandas; pandas.read_csv(FILE)' (baseline)":
             [py, "-c", "import sys, pandas; pandas.read_csv(sys.argv[1])", str(path)],
             "gaitload analyze FILE --out DIR (CLI)": [py, "-m", "gaitload", "analyze", str(path), "--out", out]},
            repeat, CLI_IMU_VS_READ_MAX, f"CLI analyze --out <= {CLI_IMU_VS_READ_MAX:g}x bare read_csv process "
                                         f"({path.stat().st_size / 1e6:.0f} MB, 204.8 Hz foot IMU)")
    checks = [check]
    notes = [f"cli: {what}; CLI / bare read = {check['value']:.2f} wall (median of per-pair ratios; best pair "
             f"{entries[1]['best_pair_ratio']:.2f}, the least disturbed by other load), {cpu_ratio:.2f} CPU",
             f"cli: {compiled}"]
    fit = WATCH_FIT
    if fit.exists():
        e2, c2, cpu2 = _pair("python -c 'import pandas' (baseline)", "gaitload analyze run.fit (CLI, no --out)",
                             {"python -c 'import pandas' (baseline)": [py, "-c", "import pandas"],
                              "gaitload analyze run.fit (CLI, no --out)": [py, "-m", "gaitload", "analyze", str(fit)]},
                             repeat, CLI_FIT_VS_IMPORT_MAX,
                             f"CLI analyze of a watch FIT <= {CLI_FIT_VS_IMPORT_MAX:g}x 'import pandas' process")
        entries += e2
        checks.append(c2)
        notes.append(f"cli: {fit.name} (real Fenix 2 run, 47 min, 2,809 records); CLI / import pandas = "
                     f"{c2['value']:.2f} wall (best pair {e2[1]['best_pair_ratio']:.2f}), {cpu2:.2f} CPU")
    else:
        notes.append(f"cli: {fit} not found: the watch-FIT latency is not measured")
    return {"entries": entries, "checks": checks, "notes": notes}


#: The per-run figure before the figure rounds: the commit before the plot package (one module,
#: constrained-style layout, matplotlib's own ticks and legends), drawn at the same size.
FIGURE_BASELINE_COMMIT = "60d6d74"
FIGURE_VS_BASELINE_MAX = 1 / 3
#: A fresh process per measurement draws one input's figure this many times after a warm-up.
_FIGURE_DRAWS = 3
_FIGURE_CHILD = """
import json, sys, time
import gaitload
from gaitload.plot import plot_run
analysis = gaitload.analyze(sys.argv[1])
plot_run(analysis, sys.argv[2])  # warm: fonts, caches
cpu = []
for _ in range(int(sys.argv[3])):
    c0 = time.process_time()
    plot_run(analysis, sys.argv[2])
    cpu.append(time.process_time() - c0)
print(json.dumps(cpu))
"""


def _figure_baseline_src(cfg) -> tuple[Path | None, str]:
    """The baseline's ``src`` folder: ``GAITLOAD_FIGURE_BASELINE`` (a checkout's ``src``), else
    :data:`FIGURE_BASELINE_COMMIT` exported from this repository's history into the inputs
    folder; None (and why) when neither is possible."""
    given = os.environ.get("GAITLOAD_FIGURE_BASELINE")
    if given:
        return Path(given), f"GAITLOAD_FIGURE_BASELINE={given}"
    root = Path(__file__).resolve().parents[1]
    dest = cfg.inputs.parent / f"figure_baseline_{FIGURE_BASELINE_COMMIT}"
    if not (dest / "src" / "gaitload").is_dir():
        tmp = Path(tempfile.mkdtemp(dir=cfg.inputs.parent))
        try:
            archive = subprocess.run(["git", "-C", str(root), "archive", FIGURE_BASELINE_COMMIT, "src"],
                                     capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
            tmp.replace(dest)
        except (OSError, subprocess.CalledProcessError) as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            return None, f"commit {FIGURE_BASELINE_COMMIT} not exported ({exc})"
    return dest / "src", f"commit {FIGURE_BASELINE_COMMIT} (the figure before the plot package)"


def _figure_processes(srcs: dict[str, Path], path: Path, repeat: int) -> dict[str, list[float]]:
    """CPU seconds of one figure, the median of each fresh process's draws, per source tree;
    the trees alternate (baseline, subject, baseline, ...) so that load hits them alike."""
    import json

    out = {k: [] for k in srcs}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            for k, src in srcs.items():
                env = {**os.environ, "PYTHONPATH": str(src)}
                proc = subprocess.run([sys.executable, "-c", _FIGURE_CHILD, str(path), str(Path(tmp) / "run.png"),
                                       str(_FIGURE_DRAWS)], env=env, capture_output=True, text=True)
                if proc.returncode != 0:
                    tail = (proc.stderr.strip().splitlines() or ["no message"])[-1]
                    raise RuntimeError(f"figure child ({k}) exited {proc.returncode}: {tail}")
                out[k].append(statistics.median(json.loads(proc.stdout.strip().splitlines()[-1])))
    return out


def case_figure(cfg) -> dict:
    """One per-run figure to PNG: in process (the analysis done beforehand), and against the
    figure before the figure rounds (:data:`FIGURE_BASELINE_COMMIT`) in alternating fresh
    processes, CPU time (what the load of a shared machine changes least)."""
    import gaitload
    from gaitload.plot import plot_run

    entries, notes, checks = [], [], []
    foot, _what = foot_hour_csv(cfg)
    span = "3 min" if cfg.quick else "hour"
    inputs = ((f"foot IMU {span}", foot), (f"watch {'10 min' if cfg.quick else 'hour'}", _watch_hour_csv(cfg)))
    with tempfile.TemporaryDirectory() as tmp:
        for label, src in inputs:
            analysis = gaitload.analyze(src)
            target = Path(tmp) / "run.png"
            plot_run(analysis, target)  # warm: fonts, caches
            cpu = []

            def draw():
                c0 = time.process_time()
                plot_run(analysis, target)
                cpu.append(time.process_time() - c0)

            t = _interleaved({label: draw}, cfg.repeat, warmup=False)[label]
            entries.append(_entry(f"plot_run to PNG ({label}, {len(analysis.steps)} steps)", t, cpu_s=_median(cpu)))
    baseline, why = _figure_baseline_src(cfg)
    if baseline is None:
        notes.append(f"figure: no baseline figure timed: {why}")
    else:
        import gaitload as current

        srcs = {"baseline": baseline, "gaitload": Path(current.__file__).resolve().parents[1]}
        for label, src in inputs:
            t = _figure_processes(srcs, src, 1 if cfg.quick else max(2, min(cfg.repeat, 5)))
            ratios = [s / b for s, b in zip(t["gaitload"], t["baseline"])]
            ratio = statistics.median(ratios)
            entries.append(_entry(f"plot_run CPU, baseline {FIGURE_BASELINE_COMMIT} ({label})", t["baseline"]))
            entries.append(_entry(f"plot_run CPU, this gaitload ({label})", t["gaitload"], ratio_vs_baseline=ratio))
            checks.append({"name": f"per-run figure <= 1/3 of the figure at {FIGURE_BASELINE_COMMIT} ({label}, CPU)",
                           "value": ratio, "limit": FIGURE_VS_BASELINE_MAX, "pass": ratio <= FIGURE_VS_BASELINE_MAX})
        notes.append(f"figure: baseline {why}; each process analyses the file, draws once untimed, then "
                     f"{_FIGURE_DRAWS} timed draws (their median); the ratio is the median of per-pair ratios")
    notes.append("figure: 12 x 8 in at 100 dpi; cpu_s is the process CPU time (robust to other load)")
    return {"entries": entries, "notes": notes, "checks": checks}


def case_peers(cfg) -> dict:
    """The same samples through other open-source gait pipelines, when installed."""
    from gaitload.events import detect_steps
    from gaitload.simulate import simulate_run

    entries, notes = [], []
    seconds = 180.0 if cfg.quick else 3600.0
    try:
        from skdh.gait import GaitLumbar
    except ImportError:
        notes.append("peers: scikit-digital-health not installed: skdh comparison skipped (pip install "
                     "scikit-digital-health; not a gaitload dependency)")
    else:
        import skdh

        rec = simulate_run(seconds, "lumbar", 100.0, seed=41).recording
        acc_g = np.column_stack([rec.channels[c] for c in ("acc_x", "acc_y", "acc_z")]) / 9.80665
        t_unix = 1.7e9 + np.asarray(rec.time_s, dtype=float)
        n = acc_g.shape[0]

        def skdh_gait():
            with np.errstate(all="ignore"):
                import warnings

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    GaitLumbar().predict(time=t_unix, accel=acc_g, fs=100.0, gait_pred=True)

        t = _interleaved({"gaitload detect_steps(lumbar)": lambda: detect_steps(rec, placement="lumbar"),
                          f"skdh {skdh.__version__} GaitLumbar.predict": skdh_gait}, max(1, min(cfg.repeat, 3)))
        base = _median(t["gaitload detect_steps(lumbar)"])
        for k, v in t.items():
            entries.append(_entry(k, v, n, "samples", ratio_vs_gaitload=_median(v) / base))
        notes.append(f"peers: {seconds / 60:g} min of simulated lumbar IMU at 100 Hz (skdh gets the accelerometer "
                     f"in g, all of it declared gait); skdh / gaitload time = "
                     f"{_median(t[f'skdh {skdh.__version__} GaitLumbar.predict']) / base:.1f}")
    try:
        import gaitmap  # noqa: F401
    except ImportError:
        notes.append("peers: gaitmap not installed: gaitmap comparison skipped (pip install gaitmap; not a "
                     "gaitload dependency)")
    else:
        notes.append("peers: gaitmap is installed but its foot pipeline (DTW stride segmentation, Rampp event "
                     "detection) is not wired into this case yet")
    if not entries:
        return {"entries": [], "notes": notes, "checks": [], "skipped": True}
    return {"entries": entries, "notes": notes, "checks": []}
