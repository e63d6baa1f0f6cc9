"""Heavy imports are paid only by the analyses that need them.

``import scipy.signal`` costs ~0.5 s (scipy 1.17), a fifth of a command-line run, and
``scipy.ndimage`` ~0.2 s. A watch export (cadence records) never filters a signal and its
terrain runs on numpy alone; the foot and shank detectors filter, pick peaks and take running
extrema with numpy (events.iir, events.peaks): analysing either must not import scipy at all.
The trunk detector still uses scipy.signal, which also shows the check can fail.
"""

import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def _modules_after_analyze(path: Path) -> set[str]:
    code = ("import sys, gaitload; gaitload.analyze(sys.argv[1]); "
            "print(' '.join(m for m in ('scipy', 'scipy.signal', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize("name, expected", [("watch_records.csv", set()),
                                            ("hilly_foot_imu.csv", set()),
                                            ("treadmill_shank.csv", set()),
                                            ("lumbar_run.csv", {"scipy", "scipy.signal"})])
def test_scipy_imported_only_for_imu_analysis(name, expected):
    assert _modules_after_analyze(SAMPLE / name) == expected


def _fenix_fit(shared_data: Path) -> Path:
    path = shared_data / "python-fitparse-tests/tests/files/activity-small-fenix2-run.fit"
    return path if path.is_file() else next(shared_data.rglob("activity-small-fenix2-run.fit"))


def test_real_watch_fit_imports_neither_scipy_nor_matplotlib(shared_data):
    path = _fenix_fit(shared_data)
    assert _modules_after_analyze(path) == set()


def test_matplotlib_loads_only_for_a_figure(tmp_path):
    code = ("import sys, gaitload; a = gaitload.analyze(sys.argv[1]); before = 'matplotlib' in sys.modules; "
            "a.plot(sys.argv[2]); print(before, 'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(SAMPLE / "watch_records.csv"), str(tmp_path / "f.png")],
                         capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


# What a command loads (every thread finished): the command line must load nothing that the
# same analysis done in process does not, and a watch file's none of scipy.
_HEAVY = ("scipy", "scipy.signal", "scipy.stats", "matplotlib", "matplotlib.figure")
_REPORT = ("import sys, threading; [t.join() for t in threading.enumerate() if t is not threading.main_thread()]; "
           f"print(' '.join(m for m in {_HEAVY!r} if m in sys.modules))")


def _modules_in_process(path: Path, out: Path | None) -> set[str]:
    code = ("import sys, gaitload; a = gaitload.analyze(sys.argv[1]); "
            "sys.argv[2] != '-' and a.to_dir(sys.argv[2]); " + _REPORT)
    proc = subprocess.run([sys.executable, "-c", code, str(path), str(out or "-")], capture_output=True, text=True,
                          check=True)
    return set(proc.stdout.split())


def _modules_after_cli(args: list[str]) -> set[str]:
    """``gaitload ARGS`` in a fresh interpreter: the heavy modules loaded (on the last line printed)."""
    code = "import sys; from gaitload.cli import main; assert main(sys.argv[1:]) == 0; " + _REPORT
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    lines = proc.stdout.rstrip("\n").splitlines()
    return set(lines[-1].split()) & set(_HEAVY) if lines else set()


def test_cli_imu_analysis_with_figure_loads_what_the_analysis_does(tmp_path):
    path = SAMPLE / "hilly_foot_imu.csv"
    cli = _modules_after_cli(["analyze", str(path), "--out", str(tmp_path / "cli")])
    assert cli == {"matplotlib", "matplotlib.figure"}  # the figure's; the foot detector is numpy
    assert cli == _modules_in_process(path, tmp_path / "lib")


def test_cli_real_watch_fit_loads_neither_scipy_nor_matplotlib(shared_data, tmp_path):
    path = _fenix_fit(shared_data)
    assert _modules_after_cli(["analyze", str(path)]) == set()
    # with --out the figure needs matplotlib, and still no scipy
    with_figure = _modules_after_cli(["analyze", str(path), "--out", str(tmp_path / "cli")])
    assert with_figure == {"matplotlib", "matplotlib.figure"}
    assert with_figure == _modules_in_process(path, tmp_path / "lib")


def test_cli_watch_csv_loads_neither_scipy_nor_matplotlib():
    assert _modules_after_cli(["analyze", str(SAMPLE / "watch_records.csv")]) == set()


@pytest.mark.parametrize("preset, expected", [(None, "1"), ("3", "3")])
def test_cli_analysis_runs_one_blas_thread_unless_the_user_chose(preset, expected, tmp_path):
    """OpenBLAS' spinning threads cost an IMU analysis ~0.4-0.7 s of CPU and buy nothing."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if preset:
        env["OPENBLAS_NUM_THREADS"] = preset
    code = ("import os, sys; from gaitload.cli import main; assert main(sys.argv[1:]) == 0; "
            "print(os.environ.get('OPENBLAS_NUM_THREADS'))")
    out = subprocess.run([sys.executable, "-c", code, "analyze", str(SAMPLE / "hilly_foot_imu.csv"), "--out",
                          str(tmp_path)], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.splitlines()[-1] == expected


def test_cli_in_a_process_with_numpy_leaves_the_environment_alone():
    import os

    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    code = ("import os, sys, numpy; from gaitload.cli import main; assert main(sys.argv[1:]) == 0; "
            "print(os.environ.get('OPENBLAS_NUM_THREADS'))")
    out = subprocess.run([sys.executable, "-c", code, "analyze", str(SAMPLE / "watch_records.csv")],
                         capture_output=True, text=True, check=True, env=env)
    assert out.stdout.splitlines()[-1] == "None"


# Which gaitload function first imported each scipy subpackage during a command (a finder on
# sys.meta_path notes the innermost gaitload frame of every new scipy import).
_SPY = r'''
import sys, traceback, importlib.abc
first = {}
class Spy(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] == "scipy" and name.count(".") <= 1 and name not in first:
            frames = [f for f in traceback.extract_stack() if "/gaitload/" in f.filename]
            first[name] = (frames[-1].filename.split("/gaitload/")[-1] + ":" + frames[-1].name) if frames else "?"
        return None
sys.meta_path.insert(0, Spy())
from gaitload.cli import main
assert main(sys.argv[1:]) == 0
print("scipy-importers:", " ".join(f"{k}={v}" for k, v in sorted(first.items())))
'''


def _scipy_importers(args: list[str]) -> dict[str, str]:
    """``gaitload ARGS`` in a fresh interpreter: {scipy module: "file.py:function" that imported it}."""
    proc = subprocess.run([sys.executable, "-c", _SPY, *args], capture_output=True, text=True, check=True)
    last = proc.stdout.rstrip("\n").splitlines()[-1]
    assert last.startswith("scipy-importers:"), proc.stdout
    return dict(item.split("=", 1) for item in last.split()[1:])


@pytest.mark.parametrize("name", ["hilly_foot_imu.csv", "treadmill_shank.csv"])
def test_foot_imu_analysis_with_figure_imports_no_scipy(name, tmp_path):
    """Filters, peak picking, running extrema and medians, the autocorrelation's FFT and the
    strike confidence's erf are numpy (events.iir, events.peaks, events.strike): a foot or shank
    analysis with its figure loads no scipy module at all."""
    importers = _scipy_importers(["analyze", str(SAMPLE / name), "--out", str(tmp_path)])
    assert importers == {}


def test_real_foot_imu_analysis_imports_no_scipy(shared_data, tmp_path):
    path = shared_data / "gaitmap-example-data" / "example_data" / "imu_sample_healthy_stair_down.csv"
    importers = _scipy_importers(["analyze", str(path), "--out", str(tmp_path)])
    assert importers == {}


def test_lumbar_analysis_names_who_imports_scipy(tmp_path):
    """The finder works: the trunk detector's scipy.signal import is seen and attributed."""
    importers = _scipy_importers(["analyze", str(SAMPLE / "lumbar_run.csv"), "--out", str(tmp_path)])
    assert "scipy.signal" in importers and importers["scipy.signal"].startswith("events/")
