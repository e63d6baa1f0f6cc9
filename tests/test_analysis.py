"""One way through the stages: every warning carries a known code, the readers' sport verdict
and distance source travel on the Recording (analyze reads them, never decides again), and a
gzip watch file is read in memory."""

from __future__ import annotations

import gzip
import inspect
import pickle
import re

import numpy as np
import pytest

import gaitload
from gaitload import analysis
from gaitload.errors import NoStepsError, NotARunError, ResourceLimitError
from gaitload.notice import CODES, GENERAL, Notice, code_of

SAMPLES = ("hilly_foot_imu.csv", "lumbar_run.csv", "treadmill_shank.csv", "watch_records.csv")
#: Real files of every reader with many kinds of warning (repairs, gaps, device totals, GPS,
#: several activities, unit inference, missing elevation).
REAL = (
    "runpandas-tests/runpandas/tests/io/data/fit/run.fit",
    "runpandas-tests/runpandas/tests/io/data/tcx/stopped_example.tcx",
    "runpandas-tests/runpandas/tests/io/data/samples/2020-12-02T06_08_29-300_Running.tcx",
    "python-fitparse-tests/tests/files/garmin-fenix-5-walk-records.csv",
    "python-fitparse-tests/tests/files/activity-large-fenxi2-multisport.fit",
    "python-fitparse-tests/tests/files/2013-02-06-12-11-14.fit",
    # a Forerunner 70 whose average cadence leaves standing out, 7 % above ours: a device-totals warning
    "python-fitparse-tests/tests/files/compressed-speed-distance.fit",
    "gpxpy-tests/test_files/cerknicko-jezero-without-elevations.gpx",
    "gpxpy-tests/test_files/korita-zbevnica.gpx",
    "gaitmap-example-data/example_data/imu_sample_healthy_stair_down.csv",
    "stryder-stryd-exports/assets/demo_run_files/stryd/6262710011854848.csv",
)


def _assert_all_coded(summary: dict) -> set:
    assert summary["warning_codes"] == [code_of(w) for w in summary["warnings"]]
    everything = list(summary["warnings"]) + list(summary["notes"])
    uncoded = [str(w) for w in everything if code_of(w) == GENERAL or code_of(w) not in CODES]
    assert not uncoded, uncoded
    return {code_of(w) for w in everything}


def test_every_warning_on_the_sample_data_has_a_known_code(sample_data):
    seen = set()
    for name in SAMPLES:
        seen |= _assert_all_coded(gaitload.analyze(sample_data / name).summary)
    assert {"side-unknown", "no-strike"} <= seen


def test_every_warning_on_real_files_has_a_known_code(shared_data):
    seen = set()
    for rel in REAL:
        seen |= _assert_all_coded(gaitload.analyze(shared_data / rel).summary)
    # the set covers readers, clock, terrain, device totals, steps and load stages
    assert {"more-activities", "channel-gap", "sampling-gaps", "altitude-cleaned", "device-totals",
            "cadence-strides", "no-strike", "gps-altitude"} <= seen, seen


def test_no_steps_reason_is_the_coded_warning(shared_data):
    """A FIT file whose speed covers less than one step: the error says so, from the warning's
    code (``no-steps``), not from words in its text."""
    with pytest.raises(NoStepsError) as info:
        gaitload.analyze(shared_data / "python-fitparse-tests/tests/files/activity-activity-filecrc.fit")
    assert info.value.problem == ("no cadence channel, and the speed covers less than one step: no steps placed, "
                                  "nothing to load")
    tidy = analysis._tidy_warnings([Notice("anything at all", "no-cadence"), Notice("worded freely", "no-steps"),
                                    analysis._NOTHING_TO_LOAD], 0)
    assert [code_of(w) for w in tidy] == ["no-steps"]


def test_analysis_decides_by_code_and_not_by_text():
    source = inspect.getsource(analysis)
    assert '" in w' not in source and "w.startswith(" not in source
    assert "io.watch" not in source and "sport_verdict(" not in source  # the sport verdict is the reader's, read from the Recording


def test_notice_is_text_with_a_code_that_survives_pickling():
    w = Notice("3 gap(s) in sampling", "sampling-gaps")
    assert w == "3 gap(s) in sampling" and w.code == "sampling-gaps"
    back = pickle.loads(pickle.dumps([w]))[0]  # season workers send warnings across processes
    assert back.code == "sampling-gaps" and back == w
    with pytest.raises(ValueError, match="unknown warning code"):
        Notice("x", "no-such-code")


# -- the readers' decisions on the Recording ------------------------------------------------------
def test_readers_put_the_sport_verdict_on_the_recording(shared_data):
    walk = gaitload.read(shared_data / "muktihari-fit-testdata/testdata/from_official_sdk/HrmPluginTestActivity.fit")
    assert walk.metadata["sport_verdict"] == {"on_foot": True, "sport": "walking", "reason": "sport is walking"}
    ride = gaitload.read(shared_data / "python-fitparse-tests/tests/files/garmin-edge-500-activity.fit")
    assert ride.metadata["sport_verdict"]["on_foot"] is False
    # the Strava GPX of a car ride names no sport: its speed decided, in the reader
    car = gaitload.read(shared_data / "gpxpy-tests/test_files/around-visnjan-with-car.gpx")
    assert car.metadata["sport_verdict"]["on_foot"] is False
    assert "faster than any run" in car.metadata["sport_verdict"]["reason"]


def test_analyze_reads_the_verdict_and_does_not_decide_again(sample_data):
    """Change the verdict a reader recorded: analyze follows it (it would pass a run and refuse
    a ride if it decided again from the sport and the speed)."""
    rec = gaitload.read(sample_data / "watch_records.csv")
    assert rec.metadata["sport_verdict"] == {"on_foot": None, "sport": None, "reason": "no sport named"}
    rec.metadata["sport_verdict"] = {"on_foot": False, "sport": "rowing", "reason": "sport is rowing, not a foot sport"}
    with pytest.raises(NotARunError, match="sport is rowing, not a foot sport"):
        gaitload.analyze(rec)
    rec.metadata["sport_verdict"] = {"on_foot": True, "sport": "trail running", "reason": "sport is trail running"}
    assert gaitload.analyze(rec).summary["sport"] == "trail running"


def test_readers_record_the_distance_source(shared_data, sample_data, tmp_path):
    tcx = shared_data / "runpandas-tests/runpandas/tests/io/data/samples/2020-12-02T06_08_29-300_Running.tcx"
    assert gaitload.read(tcx).metadata["distance_source"] == "device"
    assert gaitload.read(shared_data / "gpxpy-tests/test_files/korita-zbevnica.gpx"
                         ).metadata["distance_source"] == "positions"
    assert gaitload.read(shared_data / "runpandas-tests/runpandas/tests/io/data/fit/run.fit"
                         ).metadata["distance_source"] == "device"
    assert gaitload.read(sample_data / "watch_records.csv").metadata["distance_source"] == "device"
    assert "distance_source" not in gaitload.read(sample_data / "hilly_foot_imu.csv").metadata
    # the same TCX without its DistanceMeters: distance summed from the positions
    text = re.sub(r"<DistanceMeters>[^<]*</DistanceMeters>", "", tcx.read_text(encoding="utf-8"))
    bare = tmp_path / "no_distance.tcx"
    bare.write_text(text, encoding="utf-8")
    rec = gaitload.read(bare)
    assert rec.metadata["distance_source"] == "positions" and rec.provenance["distance"].startswith("derived")


# -- gzip watch files in memory -------------------------------------------------------------------
WATCH = ("muktihari-fit-testdata/testdata/from_official_sdk/HrmPluginTestActivity.fit",
         "runpandas-tests/runpandas/tests/io/data/samples/2020-12-02T06_08_29-300_Running.tcx",
         "gpxpy-tests/test_files/korita-zbevnica.gpx")


@pytest.mark.parametrize("rel", WATCH)
def test_gzip_watch_file_is_read_in_memory(shared_data, tmp_path, monkeypatch, rel):
    plain = shared_data / rel
    packed = tmp_path / (plain.name + ".gz")
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    expected = gaitload.read(plain)

    def no_temporary_file(*args, **kwargs):
        raise AssertionError("a temporary file was made")

    for name in ("TemporaryDirectory", "NamedTemporaryFile", "mkstemp", "mkdtemp"):
        monkeypatch.setattr(f"tempfile.{name}", no_temporary_file)
    rec = gaitload.read(packed)
    assert rec.path == str(packed) and rec.metadata["compression"] == "gzip"
    assert np.array_equal(rec.time_s, expected.time_s) and list(rec.warnings) == list(expected.warnings)
    for name, values in expected.channels.items():
        np.testing.assert_array_equal(rec.channels[name], values)
    assert len(gaitload.activities(packed)) == len(gaitload.activities(plain))


def test_gzip_bomb_in_a_watch_format_is_refused_at_the_limit(shared_data, tmp_path):
    """A FIT header, then 64 MiB of zeros (64 kB packed): refused at a 16 MiB limit, naming the file."""
    head = (shared_data / WATCH[0]).read_bytes()[:14]
    bomb = tmp_path / "bomb.fit.gz"
    bomb.write_bytes(gzip.compress(head + bytes(64 * 1024**2)))
    with pytest.raises(ResourceLimitError, match="inflates to more than 16 MiB") as info:
        gaitload.read(bomb, max_bytes=16 * 1024**2)
    assert str(bomb) in str(info.value)


def test_every_warning_emission_in_the_source_gives_a_code():
    """Static check: no stage appends bare text to a warnings list (a Notice, or a value a
    coded function returned, only)."""
    import ast
    from pathlib import Path

    bad = []
    for path in Path(gaitload.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("append", "insert") and node.args):
                continue
            receiver = ast.unparse(node.func.value)
            if "warn" in receiver or receiver == "repairs":
                if isinstance(node.args[-1], (ast.JoinedStr, ast.Constant, ast.BinOp)):
                    bad.append(f"{path.name}:{node.lineno}")
    assert not bad, bad
