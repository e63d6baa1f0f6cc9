"""Nothing lost (issue 10): a season killed with SIGKILL at any point, then re-run, ends with every
run exactly once and every output readable; temp files of killed writers never count as output.

Also: run ids and output names derived from hostile file names ("..", shell metacharacters,
newlines, 300 characters, names that differ only in case or in characters ``safe_name``
drops) stay inside the output folder and stay distinct.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import gaitload
from gaitload.season import STALE_TEMP_S

REPO = Path(__file__).resolve().parents[2]
N_RUNS = 8
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def season_inputs(tmp_path_factory) -> Path:
    from gaitload.simulate import simulate_run

    root = tmp_path_factory.mktemp("season_in")
    for i in range(N_RUNS):
        simulate_run(duration_s=300, placement="records", seed=i,  # eight runs on eight days
                     start_time=f"2024-06-{i + 1:02d}T06:30:00Z").write_csv(root / f"run_{i}.csv")
    return root


def _start(inputs: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "gaitload", "season", str(inputs), "--out", str(out),
                             "--jobs", "2", "--quiet"], cwd=REPO, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _n_states(out: Path) -> int:
    folder = out / ".state"
    return len(list(folder.glob("*.json"))) if folder.is_dir() else 0


def _kill_when(inputs: Path, out: Path, *, after_s: float | None = None, states: int | None = None,
               limit_s: float = 60.0) -> str:
    """Start a season and SIGKILL its whole process group after ``after_s`` or once ``states``
    new state files exist; returns what happened (for the test log)."""
    before = _n_states(out)
    proc = _start(inputs, out)
    started = time.monotonic()
    while proc.poll() is None and time.monotonic() - started < limit_s:
        if after_s is not None and time.monotonic() - started >= after_s:
            break
        if states is not None and _n_states(out) - before >= states:
            break
        time.sleep(0.02)
    finished = proc.poll() is not None
    if not finished:
        os.killpg(proc.pid, signal.SIGKILL)  # the parent and its spawn workers, mid-write or not
    proc.communicate(timeout=30)
    return (f"{'finished' if finished else 'killed'} after {time.monotonic() - started:.2f} s "
            f"with {_n_states(out)} state files")


def _plant_temps(out: Path) -> tuple[list[Path], list[Path]]:
    """Temp files like the ones a killed ``atomic`` writer leaves: some old, some fresh."""
    old, fresh = [], []
    for i, folder in enumerate((out, out / "steps", out / "figures", out / ".state")):
        folder.mkdir(parents=True, exist_ok=True)
        for kind, bucket in (("old", old), ("fresh", fresh)):
            tmp = folder / f".planted_{kind}_{i}.parquet.x1y2z3.tmp"
            tmp.write_bytes(b"PAR1 half a file")
            if kind == "old":
                stamp = time.time() - 2 * STALE_TEMP_S
                os.utime(tmp, (stamp, stamp))
            bucket.append(tmp)
    return old, fresh


def _check_outputs(out: Path, inputs: Path) -> pd.DataFrame:
    expected = sorted(str(p) for p in inputs.glob("*.csv") if not p.name.endswith(".truth.csv"))
    runs = pd.read_parquet(out / "runs.parquet")
    runs_csv = pd.read_csv(out / "runs.csv")
    for table in (runs, runs_csv):
        assert sorted(table["file"].astype(str)) == expected  # every run, exactly once
        assert table["run_id"].is_unique
    assert (runs["status"] == "ok").all(), runs.loc[runs["status"] != "ok", ["file", "message"]]
    # every existing output readable
    n_checked = 0
    for path in out.rglob("*"):
        if not path.is_file() or path.name.endswith(".tmp"):
            continue
        if path.suffix == ".parquet":
            pd.read_parquet(path)
        elif path.suffix == ".png":
            data = path.read_bytes()
            assert data.startswith(PNG_MAGIC) and data[-12:-8] == b"\x00\x00\x00\x00" and data[-8:-4] == b"IEND", path
        elif path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".csv":
            pd.read_csv(path)
        n_checked += 1
    assert n_checked >= 3 * N_RUNS + 5
    # one steps file and one figure per run, and no output for anything else
    ids = set(runs["run_id"])
    assert {p.stem for p in (out / "steps").glob("*.parquet")} == ids
    assert {p.stem for p in (out / "figures").glob("*.png")} == ids
    assert {p.stem for p in (out / ".state").glob("*.json")} == ids
    return runs


def _kill_and_recover(season_inputs: Path, out: Path, schedule: list[dict]) -> None:
    for kill in schedule:
        print(kill, _kill_when(season_inputs, out, **kill))
    old, fresh = _plant_temps(out)
    done = subprocess.run([sys.executable, "-m", "gaitload", "season", str(season_inputs), "--out", str(out),
                           "--jobs", "2", "--quiet"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    print(done.stdout.strip())
    runs = _check_outputs(out, season_inputs)
    assert not any(p.exists() for p in old), "stale temp files of killed writers were not cleaned"
    assert all(p.exists() for p in fresh)  # fresh ones may belong to a live writer: left, ignored
    assert not runs["file"].astype(str).str.contains("planted").any()
    # a further run finds everything in the cache, and the tables are unchanged
    again = gaitload.season([season_inputs], out, jobs=1, progress=False)
    assert again.n_analysed == 0 and again.n_cached == N_RUNS
    assert sorted(again.runs["run_id"]) == sorted(runs["run_id"])


def test_season_survives_sigkill(season_inputs, tmp_path):
    """Killed once at start-up and once after two runs are stored, then completed."""
    _kill_and_recover(season_inputs, tmp_path / "out", [{"after_s": 1.0}, {"states": 2}])


@pytest.mark.slow
def test_season_survives_repeated_sigkill(season_inputs, tmp_path):
    """Killed at 0.5, 1.5 and 3 s and after 1, 3 and 5 more stored runs, several times over."""
    schedule = [{"after_s": 0.5}, {"after_s": 1.5}, {"after_s": 3.0}, {"states": 1}, {"states": 3},
                {"after_s": 0.5}, {"states": 5}, {"after_s": 3.0}]
    _kill_and_recover(season_inputs, tmp_path / "out", schedule)


# -- hostile names -----------------------------------------------------------------------------
HOSTILE_NAMES = [
    "..csv", "...csv", "a b;rm -rf ~.csv", "ü☃.csv", "two\nlines.csv", "tab\there.csv", "x" * 250 + ".csv",
    "Run.csv", "run.csv", "RUN.csv", "r$u(n).csv", "r_u_n_.csv", "-rf.csv", "$(reboot).csv", "`id`.csv",
    "..%2f..%2fetc.csv", "CON.csv", "nul.csv", "a:b.csv", "'quote\".csv", "run.csv.csv",
]


def test_hostile_names_stay_inside_out(tmp_path):
    from gaitload.simulate import simulate_run

    inputs = tmp_path / "in"
    inputs.mkdir()
    odd_dir = inputs / ". . ."  # a folder of dots and spaces (".." itself cannot be a name)
    odd_dir.mkdir()
    simulate_run(duration_s=90, placement="records", seed=42).write_csv(tmp_path / "base.csv")
    base = (tmp_path / "base.csv").read_bytes()
    made = []
    for i, name in enumerate(HOSTILE_NAMES):
        folder = odd_dir if i % 4 == 0 else inputs
        path = folder / name
        # each file a little different, so names that collapse to one safe name still differ
        # by content hash
        path.write_bytes(base + b"\n" * i)
        made.append(path)
    rng_file = inputs / "short.csv"
    simulate_run(duration_s=120, placement="records", seed=99, start_time="2024-07-01T06:30:00Z").write_csv(rng_file)
    out = tmp_path / "out"
    before = {p for p in tmp_path.rglob("*")}
    result = gaitload.season([inputs], out, jobs=1, progress=False, figures=True)
    after = {p for p in tmp_path.rglob("*")}
    new = after - before
    out_resolved = out.resolve()
    escaped = [p for p in new if out_resolved not in p.resolve().parents and p.resolve() != out_resolved]
    assert not escaped, escaped
    # nothing written anywhere but out: the input folders are untouched
    assert {p for p in inputs.rglob("*")} <= before
    for path in out.rglob("*"):
        name = path.name
        assert "\n" not in name and "/" not in name and len(name.encode()) <= 255
        if path.parent.name in ("steps", "figures", ".state") and not name.startswith("."):
            assert name.isascii() and ";" not in name and " " not in name and "$" not in name
    runs = result.runs
    # names starting with a dot are hidden files: listed as skipped, never analysed
    analysed = [str(p) for p in made if not p.name.startswith(".")] + [str(rng_file)]
    hidden = sorted(str(p) for p in made if p.name.startswith("."))
    assert sorted(set(result.skipped["file"]) & set(hidden)) == hidden
    # the copies of one recording are one run; the others are listed as its duplicates
    counted = pd.concat([runs[["file", "run_id"]], result.duplicates[["file", "run_id"]]])
    assert sorted(counted["file"].astype(str)) == sorted(analysed), set(analysed) ^ set(counted["file"].astype(str))
    assert counted["run_id"].is_unique, counted["run_id"][counted["run_id"].duplicated()]
    assert (runs["status"] == "ok").sum() == 2, runs[["file", "message"]]  # base's copies and short.csv
    ok_ids = set(runs.loc[runs["status"] == "ok", "run_id"])
    assert {p.stem for p in (out / "steps").glob("*.parquet")} == ok_ids
    assert {p.stem for p in (out / "figures").glob("*.png")} == ok_ids


def test_identical_copies_under_colliding_names_get_distinct_run_ids(tmp_path):
    """"run (1).csv" and "run_1.csv" both become "run_1" after ``safe_name``; as byte-identical
    copies they also share a content hash. They are still two files with two run ids: one run
    counted, the other listed as its duplicate, and a re-run maps each to its own cached row."""
    from gaitload.simulate import simulate_run

    inputs = tmp_path / "in"
    simulate_run(duration_s=60, placement="records", seed=3).write_csv(inputs / "run (1).csv")
    (inputs / "run_1.csv").write_bytes((inputs / "run (1).csv").read_bytes())
    (inputs / "run (1).truth.csv").unlink()
    out = tmp_path / "out"
    first = gaitload.season([inputs], out, jobs=1, progress=False, figures=False)
    ids = dict(zip(first.runs["file"], first.runs["run_id"])) | dict(zip(first.duplicates["file"],
                                                                             first.duplicates["run_id"]))
    assert len(first.runs) == 1 and len(first.duplicates) == 1 and len(set(ids.values())) == 2, ids
    assert first.duplicates["reason"].iloc[0] == "same file content"
    assert len(list((out / "steps").glob("*.parquet"))) == 1
    again = gaitload.season([inputs], out, jobs=1, progress=False, figures=False)
    assert again.n_cached == 2 and again.n_analysed == 0
    assert dict(zip(again.runs["file"], again.runs["run_id"])) | dict(
        zip(again.duplicates["file"], again.duplicates["run_id"])) == ids


def test_undecodable_file_name_does_not_break_the_season(tmp_path):
    """A file name with bytes that are not UTF-8 (legal on Linux) reaches Python as lone
    surrogates; the runs table (Parquet, CSV) must still be written, and the run id is ASCII."""
    from gaitload.simulate import simulate_run

    inputs = tmp_path / "in"
    simulate_run(duration_s=60, placement="records", seed=5).write_csv(inputs / "plain.csv")
    (inputs / "plain.truth.csv").unlink()
    odd = Path(os.fsdecode(os.fsencode(inputs) + b"/bad\xff\xfename.csv"))
    simulate_run(duration_s=60, placement="records", seed=6, start_time="2024-06-02T06:30:00Z").write_csv(
        tmp_path / "other.csv")
    odd.write_bytes((tmp_path / "other.csv").read_bytes())  # another run, another day
    out = tmp_path / "out"
    result = gaitload.season([inputs], out, jobs=1, progress=False, figures=False)
    assert (result.runs["status"] == "ok").all(), result.runs[["file", "message"]]
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 2 and runs["run_id"].str.isascii().all()
    assert any("\\udcff" in f or "\\xff" in f for f in pd.read_csv(out / "runs.csv")["file"])
