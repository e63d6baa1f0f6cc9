"""Sports not on foot are refused (unless asked), unusable options are OptionErrors, and gzip
compressed FIT/TCX/GPX read like the plain files (QA pass: points 2-5)."""

from __future__ import annotations

import gzip
import shutil
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import gaitload
from gaitload.errors import NotARunError, OptionError, ResourceLimitError
from gaitload.io.sport import describe_sport

FIT = "python-fitparse-tests/tests/files"


@pytest.mark.parametrize("sport, sub, on_foot, label", [
    ("running", "generic", True, "running"),
    ("running", "trail", True, "running (trail)"),
    ("walking", None, True, "walking"),
    ("generic", "treadmill", True, "treadmill"),
    ("cycling", "road", False, "cycling (road)"),
    ("stand_up_paddleboarding", "generic", False, "stand up paddleboarding"),
    ("fitness_equipment", "indoor_rowing", False, "fitness equipment (indoor rowing)"),
    ("9", None, True, "running"),      # Strava GPX type code of a run
    ("1", None, False, "cycling"),     # Strava GPX type code of a ride
    ("4", None, None, "sport code 4"),
    (None, None, None, None),
    ("generic", None, None, None),
])
def test_describe_sport(sport, sub, on_foot, label):
    assert describe_sport(sport, sub) == (on_foot, label)


@pytest.mark.parametrize("rel, sport", [
    (f"{FIT}/garmin-edge-820-bike.fit", "cycling"),
    ("muktihari-fit-testdata/testdata/from_official_sdk/Activity.fit", "stand up paddleboarding"),
    ("python-tcxparser-tests/tests/files/sup_activity_1.tcx", "other"),
    ("sweatpy-examples/sweat/examples/data/activity_5039744860.gpx", "cycling"),
])
def test_non_foot_sport_is_refused_unless_asked(shared_data, rel, sport):
    path = shared_data / rel
    with pytest.raises(NotARunError) as info:
        gaitload.analyze(path)
    text = str(info.value)
    assert text.startswith(str(path)) and f"sport is {sport}" in text and "\n" not in text
    forced = gaitload.analyze(path, sport_check=False)
    assert forced.summary["sport"].startswith(sport)


def test_foot_sports_and_unnamed_sports_pass(shared_data):
    run = gaitload.analyze(shared_data / FIT / "garmin-fenix-5-run.fit")
    assert run.summary["sport"] == "running (generic)" or run.summary["sport"].startswith("running")
    walk = gaitload.analyze(shared_data / FIT / "garmin-fenix-5-walk.fit")
    assert walk.summary["sport"].startswith("walking") and walk.summary["n_steps"] > 0
    strava = gaitload.analyze(shared_data / "runpandas-tests/runpandas/tests/io/data/gpx/strava_export.gpx")
    assert strava.summary["sport"] == "running"  # Strava type code 9
    csv = gaitload.analyze(Path(__file__).resolve().parents[1] / "sample_data" / "watch_records.csv")
    assert csv.summary["sport"] is None and csv.summary["n_steps"] > 0


def test_cli_any_sport_and_refusal(shared_data, capsys):
    from gaitload.cli import main

    bike = str(shared_data / FIT / "garmin-edge-820-bike.fit")
    assert main(["analyze", bike]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cycling" in err[0] and "--any-sport" in err[0]
    assert main(["analyze", bike, "--any-sport"]) == 0
    assert "cycling" in capsys.readouterr().out.splitlines()[0]


@pytest.mark.parametrize("value", [40.5, -41, 100, float("inf"), float("nan")])
def test_incline_outside_sane_range_is_an_option_error(sample_data, value):
    with pytest.raises(OptionError) as info:
        gaitload.analyze(sample_data / "treadmill_shank.csv", incline_pct=value)
    assert "treadmill_shank.csv" in str(info.value) and "incline" in str(info.value)


def test_incline_schedule_values_checked_and_sane_values_pass(sample_data):
    schedule = pd.DataFrame({"time_s": [0.0, 60.0], "incline_pct": [3.0, 55.0]})
    with pytest.raises(OptionError, match="55"):
        gaitload.analyze(sample_data / "treadmill_shank.csv", incline_pct=schedule)
    ok = gaitload.analyze(sample_data / "treadmill_shank.csv", incline_pct=-12.0)
    assert np.allclose(ok.steps["grade_pct"], -12.0)
    # the edge of the sane range is accepted as the ground's grade; the load model saturates its
    # own modifiers beyond the grades its rules were sized on, and says so
    edge = gaitload.analyze(sample_data / "treadmill_shank.csv", incline_pct=40.0)
    assert np.allclose(edge.steps["grade_pct"], 40.0)
    assert any("saturated" in w for w in edge.summary["warnings"])


def test_cli_incline_exit_2_one_line(sample_data, capsys):
    from gaitload.cli import main

    assert main(["analyze", str(sample_data / "treadmill_shank.csv"), "--incline", "45"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "45" in err[0] and "treadmill_shank.csv" in err[0]


def test_placement_records_on_raw_imu_is_an_option_error(sample_data, capsys):
    from gaitload.cli import main

    with pytest.raises(OptionError, match="placement 'records'"):
        gaitload.analyze(sample_data / "hilly_foot_imu.csv", placement="records")
    assert main(["analyze", str(sample_data / "hilly_foot_imu.csv"), "--placement", "records"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "hilly_foot_imu.csv" in err[0] and "records" in err[0]


@pytest.mark.parametrize("rel", [
    f"{FIT}/activity-small-fenix2-run.fit",
    "heartandsole-tests/tests/testdata.gpx",
    "runpandas-tests/runpandas/tests/io/data/tcx/basic.tcx",
])
def test_gzip_fit_tcx_gpx_read_like_the_plain_file(shared_data, tmp_path, rel):
    plain = shared_data / rel
    packed = tmp_path / (plain.name + ".gz")
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    a, b = gaitload.read(plain), gaitload.read(packed)
    assert b.source_format == a.source_format and b.path == str(packed)
    np.testing.assert_array_equal(a.time_s, b.time_s)
    assert sorted(a.channels) == sorted(b.channels)
    for name in a.channels:
        np.testing.assert_array_equal(a.channels[name], b.channels[name])
    assert b.start_time == a.start_time and b.metadata.get("sport") == a.metadata.get("sport")
    assert b.metadata["compression"] == "gzip"


def test_gzip_damage_names_the_compressed_file(shared_data, tmp_path):
    plain = shared_data / FIT / "activity-small-fenix2-run.fit"
    cut = tmp_path / "cut.fit.gz"
    cut.write_bytes(gzip.compress(plain.read_bytes())[:300])
    with pytest.raises(gaitload.GaitloadError) as info:
        gaitload.read(cut)
    assert str(info.value).startswith(str(cut)) and "gaitload-gz-" not in str(info.value)


def test_gzip_bomb_fit_is_a_resource_limit(tmp_path):
    # a FIT header then 64 MiB of zeros: 64 KiB compressed; refused at a 16 MiB decompressed limit
    header = bytes([14, 0x10]) + (2000).to_bytes(2, "little") + (10**8).to_bytes(4, "little") + b".FIT" + b"\0\0"
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    data = comp.compress(header) + b"".join(comp.compress(b"\0" * (1 << 20)) for _ in range(64)) + comp.flush()
    bomb = tmp_path / "bomb.fit.gz"
    bomb.write_bytes(data)
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(ResourceLimitError) as info:
        gaitload.read(bomb, max_bytes=16 * 1024**2)
    assert "bomb.fit.gz" in str(info.value) and "inflates" in str(info.value)


def test_season_reads_gz_exports(shared_data, tmp_path):
    src = tmp_path / "export"
    src.mkdir()
    plain = shared_data / FIT / "activity-small-fenix2-run.fit"
    (src / "run.fit.gz").write_bytes(gzip.compress(plain.read_bytes()))
    shutil.copy(plain, src / "same_run.fit")
    result = gaitload.season([src], tmp_path / "out", jobs=1, progress=False, figures=False)
    # the gzip member reads as the plain file does: the same run, so counted once
    assert list(result.runs["status"]) == ["ok"] and len(result.errors) == 0
    assert len(result.duplicates) == 1
