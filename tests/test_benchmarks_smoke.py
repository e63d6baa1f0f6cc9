"""The benchmark harness keeps working: ``benchmarks/run.py --quick`` runs every case end to end.

Speed is never asserted here (the machine is shared and noisy); the test checks that every case
produced measurements, that the numbers are consistent with themselves (median between min and
max, throughput = work / median) and that the requirement checks and machine info are recorded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "benchmarks" / "run.py"
CASES = ("cli", "figure", "frame", "read", "detect", "terrain", "rules", "analyze", "fit", "scaling", "season")
OPTIONAL = ("peers",)  # needs packages gaitload does not depend on: may be skipped


@pytest.fixture(scope="module")
def quick_result(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "quick.json"
    proc = subprocess.run([sys.executable, str(RUN), "--quick", "--repeat", "1", "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(out.read_text()), proc.stdout


def test_every_case_has_positive_times(quick_result):
    result, _ = quick_result
    assert set(result["cases"]) == set(CASES + OPTIONAL)
    for case in CASES:
        res = result["cases"][case]
        assert "error" not in res, (case, res.get("error"))
        assert res["entries"] or (case in OPTIONAL and res.get("skipped") and res["notes"]), case
        for row in res["entries"]:
            assert row["times_s"] and all(t > 0 for t in row["times_s"]), (case, row["name"])
            assert row["min_s"] <= row["median_s"] <= row["max_s"]
            if "throughput_per_s" in row:
                assert row["throughput_per_s"] == pytest.approx(row["work"] / row["median_s"])


def test_requirement_checks_and_machine_recorded(quick_result):
    result, stdout = quick_result
    names = " ".join(c["name"] for c in result["checks"])
    for what in ("read_csv", "time exponent", "memory exponent", "peak RSS", "season parent"):
        assert what in names
    assert all(isinstance(c["pass"], bool) for c in result["checks"])
    m = result["machine"]
    assert m["cores"] >= 1 and m["python"] and m["numpy"] and len(m["git_commit"]) == 40
    assert "VERDICT" in stdout
    # The in-process analysis and its baseline were timed on the same file in the same run.
    rows = {r["name"]: r for r in result["cases"]["analyze"]["entries"]}
    ratio = rows["gaitload.analyze (in-process)"]["ratio_vs_read_csv"]
    assert ratio == pytest.approx(rows["gaitload.analyze (in-process)"]["median_s"]
                                  / rows["pandas.read_csv (baseline)"]["median_s"])
    # The numeric floor is a part of what analyze does, so it must cost less than all of it.
    floor = rows["  floor: filters + strap-down"]
    assert 0 < floor["median_s"] < rows["gaitload.analyze (in-process)"]["median_s"]
    # A pandas that parses on several threads gets its one-thread parse shown beside it.
    import pandas as pd

    try:
        threads = pd.get_option("mode.max_threads") or len(os.sched_getaffinity(0))
    except (KeyError, pd.errors.OptionError):
        threads = 1
    one = rows.get("pandas.read_csv, one thread (context)")
    assert (one is not None) == (threads > 1)
    if one is not None:
        assert one["median_s"] > 0 and one["ratio_vs_read_csv"] > 0
    # The season's warm re-run found every run cached.
    season = {r["name"].split(",")[0]: r for r in result["cases"]["season"]["entries"]}
    warm = season["season warm"]
    assert warm["n_cached"] == warm["work"]


def test_compare_prints_ratios(quick_result, tmp_path):
    result, _ = quick_result
    old = tmp_path / "old.json"
    slower = json.loads(json.dumps(result))
    for res in slower["cases"].values():
        for row in res["entries"]:
            row["median_s"] *= 2.0  # the "old" run took twice as long: new/old = 0.5
    old.write_text(json.dumps(slower))
    new = tmp_path / "new.json"
    new.write_text(json.dumps(result))
    proc = subprocess.run([sys.executable, str(RUN), "--compare", str(old), str(new)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("rules")]
    assert lines and all(ln.split()[-2] == "0.50" and ln.endswith("faster") for ln in lines)


def test_markdown_report(quick_result, tmp_path):
    result, _ = quick_result
    path = tmp_path / "r.json"
    path.write_text(json.dumps(result))
    proc = subprocess.run([sys.executable, str(RUN), "--markdown", str(path)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    table_cases = {ln.split("|")[1].strip() for ln in proc.stdout.splitlines() if ln.startswith("| ")}
    assert set(CASES) <= table_cases
    assert proc.stdout.count("PASS") + proc.stdout.count("FAIL") == len(result["checks"])
