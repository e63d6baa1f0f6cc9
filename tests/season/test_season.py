"""Season batch: discovery, parallel and Dask runs agree, incremental re-runs, fault isolation,
season tables (issue 8)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import gaitload
from gaitload.schema import MUSCLES
from gaitload.season import discover, season_tables
from gaitload.simulate import simulate_run


@pytest.fixture(scope="module")
def season_inputs(tmp_path_factory) -> Path:
    """Four short simulated runs (watch records and a foot IMU) plus a broken file and a note."""
    root = tmp_path_factory.mktemp("season_in")
    (root / "week1").mkdir()
    for i, course in enumerate(["hilly", "flat", "uphill"]):
        run = simulate_run(duration_s=600, placement="records", course=course, seed=i,
                           start_time=f"2024-06-{i + 1:02d}T06:30:00Z")  # three runs on three days
        run.write_csv(root / "week1" / f"watch_{i}.csv")
    imu = simulate_run(duration_s=60, placement="foot", sampling_rate_hz=100, course="hilly", seed=7)
    imu.write_csv(root / "foot_imu.csv")
    (root / "broken.fit").write_bytes(b"\x0e\x10" + b"\xff" * 200)
    (root / "notes.md").write_text("not a run")
    return root


def _ok(runs: pd.DataFrame) -> pd.DataFrame:
    return runs[runs["status"] == "ok"]


def test_discover_skips_truth_and_non_activity_files(season_inputs):
    files, skipped = discover([season_inputs])
    names = sorted(p.name for p in files)
    assert names == ["broken.fit", "foot_imu.csv", "watch_0.csv", "watch_1.csv", "watch_2.csv"]
    reasons = dict((Path(f).name, r) for f, r in skipped)
    assert "ground-truth" in reasons["watch_0.truth.csv"]
    assert "notes.md" in reasons


def test_season_outputs_fault_isolation_and_cache(season_inputs, tmp_path):
    out = tmp_path / "season"
    first = gaitload.season([season_inputs], out, jobs=2, progress=False)
    runs = first.runs
    assert len(runs) == 5 and len(_ok(runs)) == 4
    assert list(first.errors["file"].map(lambda f: Path(f).name)) == ["broken.fit"]
    assert first.errors["message"].iloc[0].count("\n") == 0 and "broken.fit" in first.errors["message"].iloc[0]
    for name in ("runs.parquet", "runs.csv", "errors.csv", "skipped.csv", "weekly_load.csv",
                 "climb_descent.csv", "acwr.csv", "season.png"):
        assert (out / name).exists(), name
    for run_id in _ok(runs)["run_id"]:
        steps = pd.read_parquet(out / "steps" / f"{run_id}.parquet")
        row = runs.set_index("run_id").loc[run_id]
        assert len(steps) == row["n_steps"]
        # the runs table's loads are the sums of the steps' loads
        for m in MUSCLES:
            assert steps[f"load_{m}"].sum() == pytest.approx(row[f"load_{m}"], rel=1e-9)
        assert (out / "figures" / f"{run_id}.png").exists()
    parquet = pd.read_parquet(out / "runs.parquet")
    assert list(parquet["run_id"]) == list(runs["run_id"])

    again = gaitload.season([season_inputs], out, jobs=2, progress=False)
    assert again.n_analysed == 0 and again.n_cached == 5
    pd.testing.assert_frame_equal(again.runs, runs)

    # a changed file is analysed again; a new rule set invalidates everything
    changed = season_inputs / "week1" / "watch_1.csv"
    backup = changed.read_bytes()
    try:
        changed.write_bytes(backup.replace(b"\n", b"\n", 1) + b"")
        with open(changed, "ab") as fh:
            fh.write(backup.splitlines(keepends=True)[-1])  # one more (duplicate) record
        third = gaitload.season([season_inputs], out, jobs=1, progress=False)
        assert third.n_analysed == 1
    finally:
        changed.write_bytes(backup)
    other_rules = gaitload.season([season_inputs], out, jobs=1, progress=False, rules="literature", figures=False)
    assert other_rules.n_analysed == 0 and other_rules.n_reapplied == 4 and other_rules.n_cached == 1  # broken.fit


def test_local_processes_equal_serial_and_dask(season_inputs, tmp_path):
    distributed = pytest.importorskip("distributed")
    serial = gaitload.season([season_inputs], tmp_path / "serial", jobs=1, progress=False, figures=False).runs
    local = gaitload.season([season_inputs], tmp_path / "local", jobs=2, progress=False, figures=False).runs
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        on_dask = gaitload.season([season_inputs], tmp_path / "dask", scheduler=client, progress=False,
                                  figures=False).runs
    cols = ["file", "status", "n_steps", "distance_m"] + [f"load_{m}" for m in MUSCLES]
    pd.testing.assert_frame_equal(serial[cols], local[cols])
    pd.testing.assert_frame_equal(serial[cols], on_dask[cols])


def test_acwr_and_weekly_tables_from_known_runs():
    days = pd.date_range("2026-01-05", periods=60, freq="D", tz="UTC")
    runs = pd.DataFrame({"file": [f"r{i}" for i in range(60)], "status": "ok", "start_time": days,
                         "distance_m": 10000.0})
    for m in MUSCLES:
        runs[f"load_{m}"] = np.where(np.arange(60) < 40, 100.0, 300.0)  # load triples after day 40
        runs[f"climb_load_{m}"] = 10.0
        runs[f"descent_load_{m}"] = 5.0
    tables = season_tables(runs)
    weekly = tables["weekly_load"]
    assert weekly["runs"].sum() == 60 and weekly["week_start"].iloc[0] == pd.Timestamp("2026-01-05")
    assert weekly["load_quads"].iloc[0] == 700.0
    acwr = tables["acwr"].set_index("date")
    assert np.isnan(acwr["acwr_quads"].iloc[0])                       # no full chronic window yet
    assert acwr["acwr_quads"].loc["2026-02-10"] == pytest.approx(1.0)  # steady load -> 1
    # a week after the jump: acute 300, chronic (21 x 100 + 7 x 300) / 28 = 150 -> 2.0
    assert acwr["acwr_quads"].loc["2026-02-20"] == pytest.approx(2.0)
    cd = tables["climb_descent"].set_index("muscle")
    assert cd.loc["glutes", "climb_load"] == 600.0 and cd.loc["glutes", "descent_load"] == 300.0


def test_runs_table_keeps_fractional_and_whole_second_start_times():
    """ISO times with and without fractional seconds (and other offsets) all survive (QA 1)."""
    from gaitload.season import _runs_table

    rows = [{"file": f"r{i}.fit", "run_id": f"r{i}", "status": "ok", "start_time": t, "distance_m": 1000.0,
             **{f"load_{m}": 1.0 for m in MUSCLES}, **{f"climb_load_{m}": 0.0 for m in MUSCLES},
             **{f"descent_load_{m}": 0.0 for m in MUSCLES}}
            for i, t in enumerate(["2024-06-03T06:30:00+00:00", "2024-06-04T06:30:00.250000+00:00",
                                   "2024-06-05T08:30:00.5+02:00", "2024-06-12T06:30:00Z"])]
    runs = _runs_table(rows)
    assert runs["start_time"].notna().all()
    assert list(runs["start_time"].dt.strftime("%Y-%m-%d %H:%M:%S.%f")) == [
        "2024-06-03 06:30:00.000000", "2024-06-04 06:30:00.250000", "2024-06-05 06:30:00.500000",
        "2024-06-12 06:30:00.000000"]
    weekly = season_tables(runs)["weekly_load"]
    assert list(weekly["runs"]) == [3, 1]


def test_missing_path_and_bad_jobs_are_option_errors(tmp_path, capsys):
    from gaitload.cli import main
    from gaitload.errors import OptionError

    with pytest.raises(OptionError, match="no such file or folder"):
        gaitload.season([tmp_path / "nonexistent"], tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists()
    assert main(["season", str(tmp_path / "nonexistent"), "--out", str(tmp_path / "out2")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no such file or folder" in err[0] and "nonexistent" in err[0]
    for jobs in (0, -3):
        with pytest.raises(OptionError, match="jobs"):
            gaitload.season([tmp_path], tmp_path / "out3", jobs=jobs, progress=False)
        with pytest.raises(SystemExit) as info:
            main(["season", str(tmp_path), "--out", str(tmp_path / "out4"), "--jobs", str(jobs)])
        assert info.value.code == 2
        assert "--jobs" in capsys.readouterr().err


def test_non_activities_found_by_walking_are_skipped_not_errors(tmp_path, shared_data):
    root = tmp_path / "runs"
    root.mkdir()
    simulate_run(duration_s=120, placement="records", course="flat", seed=3).write_csv(root / "run.csv")
    (root / "LICENSE.txt").write_text("MIT License\n\nCopyright (c) 2020 someone\n")
    (root / "README.txt").write_text("# Readme\nsome text, more text\n")
    (root / "labels.csv").write_text("label,start,end\nwalk,1,2\nrun,3,4\n")
    (root / "broken.fit").write_bytes(b"\x0e\x10" + b"\xff" * 200)  # claims to be an activity: an error
    shutil.copy(shared_data / "python-fitparse-tests/tests/files/garmin-edge-820-bike.fit", root / "ride.fit")
    result = gaitload.season([root], tmp_path / "out", jobs=1, progress=False, figures=False)
    assert list(result.runs["file"].map(lambda f: Path(f).name)) == ["run.csv", "broken.fit"]
    assert list(result.errors["file"].map(lambda f: Path(f).name)) == ["broken.fit"]
    reasons = {Path(f).name: r for f, r in zip(result.skipped["file"], result.skipped["reason"])}
    assert set(reasons) == {"LICENSE.txt", "README.txt", "labels.csv", "ride.fit", "run.truth.csv"}
    assert reasons["ride.fit"].startswith("sport is cycling") and "\n" not in reasons["ride.fit"]
    assert all(reasons[n].startswith("not an activity file") for n in ("LICENSE.txt", "README.txt", "labels.csv"))
    on_disk = pd.read_csv(tmp_path / "out" / "skipped.csv")
    assert sorted(on_disk["file"].map(lambda f: Path(f).name)) == sorted(reasons)
    assert "ride.fit" not in set(pd.read_csv(tmp_path / "out" / "runs.csv")["file"].map(lambda f: Path(f).name))
    # the ride's steps never reach the season's loads
    assert result.tables["climb_descent"]["total_load"].sum() == pytest.approx(
        sum(result.runs.loc[result.runs["status"] == "ok", f"load_{m}"].sum() for m in MUSCLES))
    # a cached re-run sorts the same way
    again = gaitload.season([root], tmp_path / "out", jobs=1, progress=False, figures=False)
    assert again.n_analysed == 0 and set(again.skipped["file"]) == set(result.skipped["file"])
    # named explicitly, a file that is not an activity is an error
    named = gaitload.season([root / "labels.csv"], tmp_path / "out_named", jobs=1, progress=False, figures=False)
    assert list(named.errors["error_type"]) == ["UnsupportedFormatError"] and len(named.skipped) == 0


def test_gpx_routes_and_untimed_tracks_are_skipped_not_errors(tmp_path, shared_data):
    """A GPX route (``<rte>``, no track, no times) or a track without timestamps is not an
    activity: skipped.csv with the reader's reason, whether found by walking or named."""
    root = tmp_path / "gpx"
    root.mkdir()
    sources = {
        "route_alltrails.gpx": "heartandsole-tests/tests/testcourse.gpx",   # <rte> of 1,000+ points
        "route_gpxpy.gpx": "gpxpy-tests/test_files/route.gpx",               # <rte>, no <trk>
        "untimed_track.gpx": "gpxpy-tests/test_files/track-with-extremes.gpx",  # <trk> without <time>
        "run.gpx": "heartandsole-tests/tests/testdata.gpx",                 # a recorded run
    }
    for name, rel in sources.items():
        shutil.copy(shared_data / rel, root / name)
    result = gaitload.season([root], tmp_path / "out", jobs=1, progress=False, figures=False)
    assert list(result.runs["file"].map(lambda f: Path(f).name)) == ["run.gpx"]
    assert (result.runs["status"] == "ok").all() and len(result.errors) == 0
    reasons = {Path(f).name: r for f, r in zip(result.skipped["file"], result.skipped["reason"])}
    assert set(reasons) == {"route_alltrails.gpx", "route_gpxpy.gpx", "untimed_track.gpx"}
    for name in ("route_alltrails.gpx", "route_gpxpy.gpx"):
        assert reasons[name] == "not an activity: a route, not a recorded activity (GPX <rte> without a <trk>)"
    assert reasons["untimed_track.gpx"].startswith("not an activity: the track has no timestamps")
    on_disk = pd.read_csv(tmp_path / "out" / "skipped.csv")
    assert dict(zip(on_disk["file"].map(lambda f: Path(f).name), on_disk["reason"])) == reasons
    assert pd.read_csv(tmp_path / "out" / "errors.csv").empty
    # named explicitly, a route is still not an activity: skipped, not an error
    named = gaitload.season([root / "route_gpxpy.gpx"], tmp_path / "out_named", jobs=1, progress=False, figures=False)
    assert len(named.errors) == 0 and list(named.skipped["reason"]) == [reasons["route_gpxpy.gpx"]]
    # the analysis itself still refuses a route with the typed error (exit 2 in the CLI)
    with pytest.raises(gaitload.errors.NotAnActivityError, match="a route"):
        gaitload.analyze(root / "route_gpxpy.gpx")


def test_empty_files_and_a_bad_first_leg_are_skipped_each_leg_listed(tmp_path, shared_data):
    """A FIT of one sample, a FIT whose samples carry no time, and a multisport FIT whose only
    on-foot leg counted no stride: all skipped with their reason, none an error; the multisport
    file's legs each get their own row (file#K), the ride "not on foot"."""
    root = tmp_path / "fit"
    root.mkdir()
    sources = {"one_sample.fit": "muktihari-fit-testdata/testdata/valid_only_contain_fileid.fit",
               "no_clock.fit": "python-fitparse-tests/tests/files/DeveloperData.fit",
               "multisport.fit": "muktihari-fit-testdata/testdata/from_official_sdk/activity_multisport.fit"}
    for name, rel in sources.items():
        shutil.copy(shared_data / rel, root / name)
    result = gaitload.season([root], tmp_path / "out", jobs=1, progress=False, figures=False)
    assert len(result.errors) == 0 and len(result.runs) == 0
    reasons = {Path(f).name: r for f, r in zip(result.skipped["file"], result.skipped["reason"])}
    assert set(reasons) == {"one_sample.fit", "no_clock.fit", "multisport.fit#0", "multisport.fit#1"}
    assert reasons["one_sample.fit"].startswith("no steps: only 1 sample")
    assert reasons["no_clock.fit"].startswith("no clock: ")
    assert reasons["multisport.fit#0"].startswith("not on foot (cycling")
    assert reasons["multisport.fit#1"].startswith("no steps: cadence is 0")


def test_summary_line_counts_files_in_the_parenthesis(tmp_path):
    """A multisport file gives several runs: '9 run(s) analysed ok (7 new...)' mixed runs and
    files, so the parenthesis names its unit."""
    from gaitload.season import SeasonResult

    result = SeasonResult(tmp_path, counts={"ok": 9, "errors": 0, "skipped": 0, "analysed": 7, "cached": 0},
                          wall_time_s=1.0)
    assert "9 run(s) analysed ok" in result.describe() and "(7 files new, 0 from cache)" in result.describe()
    result = SeasonResult(tmp_path, counts={"ok": 2, "analysed": 1, "cached": 3}, wall_time_s=1.0)
    assert "(1 file new, 3 from cache)" in result.describe()


@pytest.mark.parametrize("n_jobs", [1, 2, 3])
def test_worker_tasks_hold_every_job_once_in_order(n_jobs):
    """Worker tasks (several jobs each, one figure frame per task) of decreasing size: every job
    once, in order, the last tasks single jobs so the workers finish together."""
    from gaitload.season.executors import _MOST_PER_TASK, _tasks

    for n in (1, 2, 7, 60, 350):
        tasks = _tasks(list(range(n)), n_jobs)
        assert [j for task in tasks for j in task] == list(range(n))
        sizes = [len(t) for t in tasks]
        assert sizes == sorted(sizes, reverse=True) and sizes[-1] == 1 and max(sizes) <= _MOST_PER_TASK
