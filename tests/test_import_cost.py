"""Heavy imports are paid only by the analyses that need them.

``import scipy.signal`` costs ~0.5 s (scipy 1.17), a fifth of a command-line run, and
``scipy.ndimage`` ~0.2 s; a watch export (cadence records) never filters a signal and its
terrain runs on numpy alone, so analysing one must not import scipy at all. The IMU path
does, which also shows the check can fail.
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
                                            ("hilly_foot_imu.csv", {"scipy", "scipy.signal"})])
def test_scipy_imported_only_for_imu_analysis(name, expected):
    assert _modules_after_analyze(SAMPLE / name) == expected


def test_real_watch_fit_imports_neither_scipy_nor_matplotlib(shared_data):
    path = shared_data / "python-fitparse-tests/tests/files/activity-small-fenix2-run.fit"
    if not path.is_file():
        path = next(shared_data.rglob("activity-small-fenix2-run.fit"))
    assert _modules_after_analyze(path) == set()


def test_matplotlib_loads_only_for_a_figure(tmp_path):
    code = ("import sys, gaitload; a = gaitload.analyze(sys.argv[1]); before = 'matplotlib' in sys.modules; "
            "a.plot(sys.argv[2]); print(before, 'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(SAMPLE / "watch_records.csv"), str(tmp_path / "f.png")],
                         capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
