"""A season counts what the runner ran: each activity once across formats and copies, bulk
exports read as they come (zip members, activities.csv, refused members), a new rule set applied
to stored steps as a cold run would, an unchanged re-run that loads nothing, and workers that
work from a script without a main guard."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import gaitload
from gaitload.schema import MUSCLES
from gaitload.simulate import simulate_run

from fit_builder import write_fit

REPO = Path(__file__).resolve().parents[2]
HEART = "heartandsole-tests/tests"
TOMTOM = "runpandas-tests/runpandas/tests/io/data"


def _names(series) -> list[str]:
    return sorted(str(f).replace("!", "/").split("/")[-1] for f in series)


def test_one_run_in_three_formats_is_one_run(shared_data, tmp_path):
    """heartandsole's short run as FIT, TCX and GPX and the TomTom run as TCX and GPX: two runs,
    the FIT (or TCX) kept, the others duplicates; the trail course as FIT and TCX is a planned
    course, not a run: skipped."""
    root = tmp_path / "runs"
    root.mkdir()
    for rel, name in [(f"{HEART}/testdata.fit", "short.fit"), (f"{HEART}/testdata.tcx", "short.tcx"),
                      (f"{HEART}/testdata.gpx", "short.gpx"), (f"{HEART}/testcourse.fit", "course.fit"),
                      (f"{HEART}/testcourse.tcx", "course.tcx"), (f"{TOMTOM}/tcx/run.tcx", "tomtom.tcx"),
                      (f"{TOMTOM}/gpx/run.gpx", "tomtom.gpx")]:
        shutil.copy(shared_data / rel, root / name)
    result = gaitload.season([root], tmp_path / "out", jobs=1, progress=False, figures=False)
    assert _names(result.runs["file"]) == ["short.fit", "tomtom.tcx"]
    assert _names(result.skipped["file"]) == ["course.fit", "course.tcx"]
    dup = result.duplicates.assign(name=lambda d: d["file"].map(lambda f: Path(f).name),
                                   of=lambda d: d["duplicate_of_file"].map(lambda f: Path(f).name))
    assert dict(zip(dup["name"], dup["of"])) == {"short.tcx": "short.fit", "short.gpx": "short.fit",
                                                 "tomtom.gpx": "tomtom.tcx"}
    assert dup.set_index("name").loc["tomtom.gpx", "reason"].endswith("tcx preferred to gpx")
    on_disk = pd.read_csv(tmp_path / "out" / "duplicates.csv")
    assert sorted(on_disk["run_id"]) == sorted(dup["run_id"])
    # every step of every counted run once: the duplicates' steps are not in steps/
    steps = pd.read_parquet(tmp_path / "out" / "steps")
    assert set(steps["run_id"]) == set(result.runs["run_id"])
    assert len(steps) == result.runs["n_steps"].sum()
    weekly = result.tables["weekly_load"]
    assert weekly["runs"].sum() == 2
    # the GPX kept when it is the only copy; its twin back when the FIT returns
    (root / "short.fit").rename(tmp_path / "short.fit")
    without = gaitload.season([root], tmp_path / "out", jobs=1, progress=False, figures=False)
    assert "short.tcx" in _names(without.runs["file"]) and without.n_analysed == 0
    assert (tmp_path / "out" / "steps" / f"{without.runs.set_index(without.runs['file'].map(lambda f: Path(f).name)).loc['short.tcx', 'run_id']}.parquet").exists()


def test_two_runs_on_one_day_are_two_runs(tmp_path):
    root = tmp_path / "runs"
    root.mkdir()
    simulate_run(duration_s=600, placement="records", seed=1, start_time="2024-06-03T06:30:00Z").write_csv(root / "am.csv")
    simulate_run(duration_s=600, placement="records", seed=2, start_time="2024-06-03T17:45:00Z").write_csv(root / "pm.csv")
    # a second runner's watch, started 30 s later but running 20 % longer: not the same recording
    simulate_run(duration_s=720, placement="records", seed=3, start_time="2024-06-03T06:30:30Z").write_csv(root / "b.csv")
    result = gaitload.season([root], tmp_path / "out", jobs=1, progress=False, figures=False)
    assert _names(result.runs["file"]) == ["am.csv", "b.csv", "pm.csv"] and result.duplicates.empty
    assert result.tables["weekly_load"]["runs"].tolist() == [3]


def test_duplicate_rule_on_rows():
    from gaitload.season.tables import find_duplicates

    def row(name, start, dur, fmt, channels=5, size=1000):
        return {"file": name, "run_id": name, "status": "ok", "start_time": start, "duration_s": dur,
                "format": fmt, "n_channels": channels, "source_bytes": size, "content_hash": name}

    rows = [row("a.gpx", "2024-01-01T08:00:00Z", 3600, "gpx"),
            row("a.fit", "2024-01-01T08:00:40Z", 3700, "fit"),             # 40 s later, 2.7 % longer
            row("inside.csv", "2024-01-01T08:01:00Z", 60, "records-csv"),   # inside the hour
            row("late.fit", "2024-01-01T08:02:30Z", 3600, "fit"),           # 110 s later, not inside
            row("other.tcx", "2024-01-01T18:00:00Z", 3600, "tcx", channels=9)]
    kept, dups = find_duplicates(rows)
    assert [r["file"] for r in kept] == ["a.fit", "late.fit", "other.tcx"]
    assert {d["file"]: d["duplicate_of"] for d in dups} == {"a.gpx": "a.fit", "inside.csv": "a.fit"}


def _strava_export(shared_data: Path, path: Path) -> None:
    """A Strava-like bulk export: activities/*.fit.gz and *.gpx.gz, activities.csv, plus hostile
    members and formats gaitload does not read."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("activities/101.fit.gz", gzip.compress((shared_data / f"{HEART}/testdata.fit").read_bytes()))
        zf.writestr("activities/102.gpx.gz", gzip.compress((shared_data / f"{TOMTOM}/gpx/run.gpx").read_bytes()))
        zf.writestr("activities/103.ttbin", b"\x20\x05" + bytes(200))
        zf.writestr("activities/105.tcx.gz", gzip.compress((shared_data / f"{TOMTOM}/tcx/run.tcx").read_bytes()))
        zf.writestr("activities/104.json", b'{"type": "Run", "start_date": "2020-01-01T00:00:00Z"}')
        zf.writestr("activities.csv", "Activity ID,Activity Date,Activity Name,Activity Type,Filename\n"
                                      "101,\"Apr 16, 2021\",Short run,Run,activities/101.fit.gz\n"
                                      "102,\"May 27, 2017\",Saturday TomTom,Run,activities/102.gpx.gz\n"
                                      "105,\"May 28, 2017\",Commute,Ride,activities/105.tcx.gz\n")
        zf.writestr("../escape.fit", (shared_data / f"{TOMTOM}/fit/run.fit").read_bytes())
        zf.writestr("activities/bomb.csv", bytes(40 * 1024**2))  # 40 MiB of zeros: ~40 KiB compressed
        zf.writestr("profile.txt", "runner's notes\n")


def test_zip_export_read_member_by_member(shared_data, tmp_path, monkeypatch):
    export = tmp_path / "in" / "export_2024.zip"
    export.parent.mkdir()
    _strava_export(shared_data, export)
    # a second archive in the same folder, with a member over a (lowered) size limit
    with zipfile.ZipFile(tmp_path / "in" / "more.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("activities/big.fit", (shared_data / f"{HEART}/testcourse.fit").read_bytes())
    monkeypatch.setattr(gaitload.archive, "MAX_MEMBER_BYTES", 80_000)  # testcourse.fit is 105 kB
    result = gaitload.season([tmp_path / "in"], tmp_path / "out", jobs=1, progress=False, figures=False)
    runs = result.runs
    assert sorted(runs.loc[runs["status"] == "ok", "activity_name"]) == ["Saturday TomTom", "Short run"]
    assert set(runs.loc[runs["status"] == "ok", "export_sport"]) == {"Run"}
    assert all(f.startswith(str(export) + "!activities/") for f in runs.loc[runs["status"] == "ok", "file"])
    errors = dict(zip(result.errors["file"], result.errors["message"]))
    assert f"{export}!../escape.fit" in errors and "'..'" in errors[f"{export}!../escape.fit"]
    assert "zip bomb" in errors[f"{export}!activities/bomb.csv"]
    big = f"{tmp_path / 'in' / 'more.zip'}!activities/big.fit"
    assert errors[big] == f"{big}: refused: member is 103 KiB inflated, over the 78 KiB limit for one archive member"
    assert all("\n" not in m for m in errors.values())
    skipped = dict(zip(result.skipped["file"], result.skipped["reason"]))
    assert skipped[f"{export}!activities/103.ttbin"] == "unsupported format (.ttbin)"
    # the export's own sport decides without reading the file (its TCX says Running)
    assert skipped[f"{export}!activities/105.tcx.gz"] == "not on foot: sport is Ride (activities.csv)"
    assert skipped[f"{export}!activities/104.json"] == "unsupported format (.json activity export)"
    assert skipped[f"{export}!profile.txt"].startswith("not an activity file")
    # nothing unpacked beside the inputs or in the output folder but the season's own files
    assert sorted(p.name for p in (tmp_path / "in").iterdir()) == ["export_2024.zip", "more.zip"]
    assert not list((tmp_path / "out").rglob("*.fit*"))


def test_unsupported_formats_in_a_folder(tmp_path):
    root = tmp_path / "runs"
    root.mkdir()
    for name in ("a.ttbin", "b.sml", "c.pwx", "d.fitlog"):
        (root / name).write_bytes(b"x")
    (root / "streams.json").write_text('[{"type": "latlng", "data": [[1, 2]]}]')
    (root / "package.json").write_text('{"name": "not a run"}')
    simulate_run(duration_s=120, placement="records", seed=1, start_time="2024-06-03T06:30:00Z").write_csv(root / "r.csv")
    result = gaitload.season([root], tmp_path / "out", jobs=1, progress=False, figures=False)
    reasons = {Path(f).name: r for f, r in zip(result.skipped["file"], result.skipped["reason"])}
    for name, ext in (("a.ttbin", ".ttbin"), ("b.sml", ".sml"), ("c.pwx", ".pwx"), ("d.fitlog", ".fitlog")):
        assert reasons[name] == f"unsupported format ({ext})"
    assert reasons["streams.json"] == "unsupported format (.json activity export)"
    assert reasons["package.json"] == "not an activity file type (.json)"


def test_analyze_reads_a_zip_of_one_activity(shared_data, tmp_path):
    single = tmp_path / "one.zip"
    with zipfile.ZipFile(single, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("activities/run.tcx.gz", gzip.compress((shared_data / f"{TOMTOM}/tcx/run.tcx").read_bytes()))
    direct = gaitload.analyze(shared_data / f"{TOMTOM}/tcx/run.tcx")
    zipped = gaitload.analyze(single)
    assert zipped.summary["n_steps"] == direct.summary["n_steps"] > 1000
    assert zipped.summary["path"] == f"{single}!activities/run.tcx.gz"
    several = tmp_path / "two.zip"
    with zipfile.ZipFile(several, "w") as zf:
        zf.writestr("a.tcx", (shared_data / f"{TOMTOM}/tcx/run.tcx").read_bytes())
        zf.writestr("b.gpx", (shared_data / f"{TOMTOM}/gpx/run.gpx").read_bytes())
    with pytest.raises(gaitload.errors.OptionError, match="2 activity files; `gaitload season`"):
        gaitload.analyze(several)


def _season_inputs(shared_data: Path, sample_data: Path, root: Path, foot: bool) -> Path:
    root.mkdir()
    shutil.copy(shared_data / f"{HEART}/testdata.fit", root / "short.fit")
    shutil.copy(shared_data / f"{TOMTOM}/tcx/run.tcx", root / "tomtom.tcx")
    shutil.copy(sample_data / "watch_records.csv", root / "watch.csv")
    if foot:  # a foot IMU run: measured strike patterns, stride rise
        shutil.copy(sample_data / "hilly_foot_imu.csv", root / "foot.csv")
    return root


@pytest.mark.parametrize("figures", [False, pytest.param(True, marks=pytest.mark.slow)])
def test_new_rule_set_applied_to_stored_steps_equals_a_cold_run(shared_data, sample_data, tmp_path, figures):
    root = _season_inputs(shared_data, sample_data, tmp_path / "in", foot=figures)
    n = 4 if figures else 3
    out = tmp_path / "out"
    gaitload.season([root], out, jobs=1, progress=False, figures=figures)
    switched = gaitload.season([root], out, jobs=2, progress=False, figures=figures, rules="literature")  # threads
    assert switched.n_analysed == 0 and switched.n_reapplied == n
    cold = gaitload.season([root], tmp_path / "cold", jobs=1, progress=False, figures=figures, rules="literature")
    assert cold.n_analysed == n
    pd.testing.assert_frame_equal(switched.runs, cold.runs)
    for name in ("weekly_load", "climb_descent", "acwr"):
        pd.testing.assert_frame_equal(pd.read_csv(out / f"{name}.csv"), pd.read_csv(tmp_path / "cold" / f"{name}.csv"))
    for run_id in cold.runs["run_id"]:
        pd.testing.assert_frame_equal(pd.read_parquet(out / "steps" / f"{run_id}.parquet"),
                                      pd.read_parquet(tmp_path / "cold" / "steps" / f"{run_id}.parquet"))
        if figures:  # never a figure of the old loads: removed, drawn by the next run
            assert not (out / "figures" / f"{run_id}.png").exists()
    if figures:
        assert switched.n_figures_pending == n and "run the same command again" in switched.describe()
        drawn = gaitload.season([root], out, jobs=1, progress=False, figures=True, rules="literature")
        assert (drawn.n_analysed, drawn.n_reapplied, drawn.n_cached, drawn.n_figures_pending) == (0, 0, n, 0)
        pd.testing.assert_frame_equal(drawn.runs, cold.runs)
        import matplotlib.image

        for run_id in cold.runs["run_id"]:  # the cold run's figure (climbs marked too), from the stored steps
            drawn_px, cold_px = (matplotlib.image.imread(folder / "figures" / f"{run_id}.png")
                                 for folder in (out, tmp_path / "cold"))
            assert drawn_px.shape == cold_px.shape
            assert (np.abs(drawn_px - cold_px).sum(axis=2) > 0.05).mean() < 0.001
        assert gaitload.season([root], out, jobs=1, progress=False, figures=True, rules="literature").n_cached == n
    # and the loads really changed: the literature model moves uphill work to the hip
    first = pd.read_parquet(tmp_path / "cold" / "runs.parquet")
    back = gaitload.season([root], out, jobs=1, progress=False, figures=figures)
    assert back.n_reapplied == n
    assert not np.allclose(back.runs["load_hamstrings"], first["load_hamstrings"])


def test_unchanged_rerun_loads_no_analysis_stack(sample_data, tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    shutil.copy(sample_data / "watch_records.csv", root / "watch.csv")
    out = tmp_path / "out"
    gaitload.season([root], out, jobs=1, progress=False, figures=False)
    code = textwrap.dedent(f"""
        import sys
        import gaitload
        result = gaitload.season([{str(root)!r}], {str(out)!r}, jobs=1, progress=False, figures=False)
        heavy = sorted(m for m in ("numpy", "pandas", "scipy", "matplotlib") if m in sys.modules)
        print(json.dumps([result.n_cached, result.n_analysed, heavy]))
    """)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run([sys.executable, "-c", "import json" + code], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [1, 0, []], done.stdout
    # a changed input is noticed
    with open(root / "watch.csv", "a") as fh:
        fh.write("\n")
    again = gaitload.season([root], out, jobs=1, progress=False, figures=False)
    assert again.n_analysed == 1


def _two_days(root: Path) -> Path:
    """Two simulated 2-minute watch runs on two days, r0.csv and r1.csv."""
    root.mkdir()
    for i in range(2):
        simulate_run(duration_s=120, placement="records", seed=i,
                     start_time=f"2024-06-0{i + 1}T06:30:00Z").write_csv(root / f"r{i}.csv")
    return root


def test_jobs_from_a_script_without_main_guard(tmp_path):
    root = _two_days(tmp_path / "in")
    script = tmp_path / "my_season.py"
    script.write_text(textwrap.dedent(f"""
        import gaitload
        print("script body ran")
        result = gaitload.season([{str(root)!r}], {str(tmp_path / 'out')!r}, jobs=2, progress=False, figures=False)
        print(result.describe())
        print(sorted(result.runs["status"]))
    """))
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=240,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("script body ran") == 1  # the workers did not run the script again
    assert "['ok', 'ok']" in done.stdout and "WorkerDied" not in done.stdout, done.stdout


def test_garmin_activity_list_names_runs_by_local_start(shared_data, tmp_path):
    """stryder's Stryd CSVs beside the runner's Garmin Connect activities.csv (local times, UTC+2
    in winter, no file names): every run gets its title and sport from the list."""
    folder = shared_data / "stryder-stryd-exports/assets/demo_run_files"
    result = gaitload.season([folder], tmp_path / "out", jobs=1, progress=False, figures=False)
    runs = result.runs.set_index(result.runs["file"].map(lambda f: Path(f).stem))
    assert len(runs) == 12 and (runs["activity_name"] != "").all()
    assert runs.loc["5266548966457344", "activity_name"] == "Long run"          # 2026-02-14 09:36:08 local
    assert runs.loc["6410840091033600", "activity_name"] == "VO2max Intervals"  # 2026-02-11 17:35:57 local
    assert set(runs["export_sport"]) == {"Running"}
    listed = dict(zip(result.skipped["file"], result.skipped["reason"]))
    assert listed == {str(folder / "garmin" / "activities.csv"): "an export's list of activities (names and sports "
                                                                  "are read from it)"}


def test_name_by_date_leaves_ambiguous_runs_unnamed():
    from gaitload.season.tables import name_by_date

    rows = [{"status": "ok", "start_time": "2024-03-02T07:00:00Z", "activity_name": ""}]
    # local 09:00 (UTC+2) and local 07:00 (UTC): both whole offsets, one run: no guess
    entries = [{"date": "2024-03-02 09:00:00", "name": "A", "type": "Running"},
               {"date": "2024-03-02 07:00:20", "name": "B", "type": "Running"}]
    assert name_by_date(rows, entries) == 0 and rows[0]["activity_name"] == ""
    rows.append({"status": "ok", "start_time": "2024-03-05T06:00:00Z", "activity_name": ""})
    entries.append({"date": "2024-03-05 08:00:10", "name": "C", "type": "Running"})
    # a second run at +2 h makes that the season's offset
    assert name_by_date(rows, entries) == 2
    assert [r["activity_name"] for r in rows] == ["A", "C"]


def test_steps_folder_holds_this_seasons_runs_only(tmp_path):
    """An output folder used again with fewer inputs: the removed run's steps leave steps/ (so
    reading the folder gives this season's steps) and come back, without analysis, with it."""
    root = _two_days(tmp_path / "in")
    out = tmp_path / "out"
    first = gaitload.season([root], out, jobs=1, progress=False, figures=False)
    gaitload.season([root / "r0.csv"], out, jobs=1, progress=False, figures=False)
    steps = pd.read_parquet(out / "steps")
    assert set(steps["run_id"]) == {first.runs.set_index(first.runs["file"].map(lambda f: Path(f).name)).loc["r0.csv", "run_id"]}
    again = gaitload.season([root], out, jobs=1, progress=False, figures=False)
    assert again.n_analysed == 0 and set(pd.read_parquet(out / "steps")["run_id"]) == set(first.runs["run_id"])


# -- files holding several activities -----------------------------------------------------------
START = 1_717_400_000  # 2024-06-03 07:33:20 UTC


def _utc(epoch_s: float) -> str:
    return pd.Timestamp(epoch_s, unit="s", tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def _tcx_runs(starts: list[int], n: int = 240, step_m: float = 3.0) -> str:
    """A TCX file of one <Activity> per start: n 1-Hz track points at step_m m/s, 85 strides/min."""
    acts = []
    for t0 in starts:
        points = "".join(f"<Trackpoint><Time>{_utc(t0 + i)}</Time><DistanceMeters>{i * step_m:.1f}</DistanceMeters>"
                         f"<Cadence>85</Cadence></Trackpoint>" for i in range(n))
        acts.append(f'<Activity Sport="Running"><Id>{_utc(t0)}</Id><Lap StartTime="{_utc(t0)}"><TotalTimeSeconds>'
                    f"{n - 1}</TotalTimeSeconds><Track>{points}</Track></Lap></Activity>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase xmlns="http://www.garmin.com/'
            'xmlschemas/TrainingCenterDatabase/v2"><Activities>' + "".join(acts) + "</Activities></TrainingCenterDatabase>")


def test_every_activity_of_a_file_is_one_row(tmp_path):
    """A TCX holding three runs and a FIT holding two runs around a bike leg: five rows with
    run ids <file id>#<k>, the ride skipped as not on foot, the TCX's second run (also saved as
    its own GPX-less copy) counted once."""
    pytest.importorskip("fit_tool")
    from fit_tool.profile.profile_type import Sport

    root = tmp_path / "in"
    root.mkdir()
    day2 = START + 86400
    (root / "three.tcx").write_text(_tcx_runs([START, START + 3 * 3600, START + 6 * 3600]))
    (root / "second.tcx").write_text(_tcx_runs([START + 3 * 3600]))  # the same run exported alone
    write_fit(root / "duathlon.fit", [(Sport.RUNNING, day2, 600, 3.0), (Sport.CYCLING, day2 + 660, 900, 8.0),
                                      (Sport.RUNNING, day2 + 1620, 300, 3.2)], nameless_dev_field=False)
    result = gaitload.season([root], tmp_path / "out", jobs=1, progress=False, figures=False)
    runs = result.runs
    ids = runs["run_id"].tolist()
    assert len(runs) == 5 and (runs["status"] == "ok").all(), runs[["run_id", "message"]]
    assert sorted(i.rsplit("#", 1)[-1] for i in ids if i.startswith("three-")) == ["0", "1", "2"]
    assert sorted(i.rsplit("#", 1)[-1] for i in ids if i.startswith("duathlon-")) == ["0", "2"]
    assert list(runs["activity"].astype(int)) == [0, 1, 2, 0, 2]  # sorted by start time
    # each leg is only itself: 600 s at 85 strides/min, not the whole file
    first_leg = runs[runs["run_id"].str.startswith("duathlon-") & (runs["activity"] == 0)].iloc[0]
    assert first_leg["n_steps"] == pytest.approx(2 * 85 * 599 / 60, abs=3)
    # the leg read first (to learn the file holds several) is kept as that leg's run, as if asked for
    for name, k in (("duathlon.fit", 0), ("three.tcx", 0), ("duathlon.fit", 2)):
        alone = gaitload.analyze(root / name, activity=k).summary
        row = runs[runs["run_id"].str.startswith(name.split(".")[0] + "-") & (runs["activity"] == k)].iloc[0]
        assert row["warnings"] == "; ".join(alone["warnings"]) and row["n_steps"] == alone["n_steps"]
        assert row["load_quads"] == pytest.approx(alone["muscle_load"]["quads"], rel=1e-9)
    skipped = dict(zip(result.skipped["file"], result.skipped["reason"]))
    assert skipped[f"{root / 'duathlon.fit'}#1"] == "not on foot (cycling)"
    dup = result.duplicates
    assert len(dup) == 1 and Path(dup["file"].iloc[0]).name == "second.tcx"
    assert dup["duplicate_of"].iloc[0].endswith("#1") and dup["duplicate_of"].iloc[0].startswith("three-")
    assert set(pd.read_parquet(tmp_path / "out" / "steps")["run_id"]) == set(ids)
    again = gaitload.season([root], tmp_path / "out", jobs=1, progress=False, figures=False)
    assert again.n_analysed == 0 and again.runs["run_id"].tolist() == ids
