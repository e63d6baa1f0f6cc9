"""The foot detector's options: one checked object (FootOptions), every option changes the
detection on real or sample data, and analyze / the CLI refuse a name nobody takes."""

from __future__ import annotations

import dataclasses
import inspect
import subprocess
import sys

import numpy as np
import pytest

import gaitload
from gaitload.errors import OptionError
from gaitload.events import FootOptions, detect_steps
from gaitload.events.foot import detect_foot_events

XSENS_FOOT = "voisard-ipol-walking-footimu/GaitData/1-1_lf.txt"


# -- the options object --------------------------------------------------------------------------

def test_defaults_are_documented_and_listed():
    opts = FootOptions()
    assert opts.ic_method == "auto" and opts.strike_thresholds == "mo"
    assert FootOptions.names() == [f.name for f in dataclasses.fields(FootOptions)]
    lines = inspect.getsource(FootOptions).splitlines()
    for name in FootOptions.names():  # each field carries a doc comment right above it
        at = next(i for i, line in enumerate(lines) if line.startswith(f"    {name}:"))
        assert lines[at - 1].strip().startswith("#:"), name


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(OptionError) as err:
        FootOptions.from_mapping({"ic_methd": "gyro_min"})
    msg = str(err.value)
    assert "'ic_methd'" in msg and "foot detector" in msg
    assert all(name in msg for name in FootOptions.names())
    assert "\n" not in msg


@pytest.mark.parametrize("name, value, words", [
    ("ic_method", "gyro-min", "not one of: auto, zero_crossing, gyro_min, impact"),
    ("event_lowpass_hz", 0.0, "positive"),
    ("event_lowpass_hz", "25", "positive"),
    ("min_stride_s", 3.5, "min_stride_s < max_stride_s"),
    ("relative_swing_peak", 1.5, "between 0 and 1"),
    ("bout_gap_factor", 0.5, "between 1 and 10"),
    ("stance_quiet_ratio", -0.1, "positive"),
    ("impact_onset_order", 2.0, "1, 2 or 3"),
    ("impact_onset_order", 4, "not one of"),
    ("strapdown", "yes", "true or false"),
    ("strike_thresholds", "nonsense", "unknown strike_thresholds"),
    ("strike_thresholds", (8.0, -1.0), "forefoot_below_deg < rearfoot_above_deg"),
    ("impact_onset_back_s", 1.0, "between 0 and 0.2"),
])
def test_bad_values_are_refused(name, value, words):
    with pytest.raises(OptionError) as err:
        FootOptions(**{name: value})
    assert words in str(err.value)


def test_good_values_are_kept_and_frozen():
    opts = FootOptions(strike_thresholds=(-1.0, 8.0), stance_quiet_ratio=0.5, ic_method="impact")
    assert opts.replace(strapdown=False).strapdown is False
    assert opts.for_placement("shank")["stance_quiet_ratio"] == 0.5
    assert FootOptions().for_placement("shank")["stance_quiet_ratio"] == 0.8
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.ic_method = "auto"
    with pytest.raises(OptionError, match="unknown option 'nope'"):
        opts.replace(nope=1)


def test_detector_takes_options_object_or_keywords(sample_data):
    rec = gaitload.read(sample_data / "hilly_foot_imu.csv")
    acc = np.column_stack([rec.channels[f"acc_{a}"] for a in "xyz"])
    gyr = np.column_stack([rec.channels[f"gyr_{a}"] for a in "xyz"])
    fs = rec.sampling_rate_hz
    by_kw, _ = detect_foot_events(rec.time_s, acc, gyr, fs, ic_method="gyro_min")
    by_obj, _ = detect_foot_events(rec.time_s, acc, gyr, fs, options=FootOptions(ic_method="gyro_min"))
    by_map, _ = detect_foot_events(rec.time_s, acc, gyr, fs, options={"ic_method": "gyro_min"})
    assert by_kw.equals(by_obj) and by_kw.equals(by_map)
    with pytest.raises(OptionError, match="unknown option 'bogus'"):
        detect_foot_events(rec.time_s, acc, gyr, fs, bogus=1)


# -- every option changes the detection somewhere --------------------------------------------------

#: (option, value, recording, other options): a value that must change the steps found on that
#: recording ("walk": a real Xsens foot walk, "run": the sample foot run, "shank": the sample shank)
_CHANGES = [
    ("min_sampling_rate_hz", 500.0, "walk", {}),
    ("event_lowpass_hz", 10.0, "walk", {}),
    ("swing_lowpass_hz", 2.0, "run", {}),
    ("min_stride_s", 1.5, "walk", {}),
    ("max_stride_s", 0.9, "walk", {}),
    ("min_duration_s", 1e4, "run", {}),
    ("min_swing_peak_rads", 6.0, "walk", {}),
    ("relative_swing_peak", 0.9, "walk", {}),
    ("min_periodicity", 0.99, "run", {}),
    ("bout_gap_factor", 1.0, "walk", {}),
    ("stance_quiet_ratio", 0.05, "shank", {}),
    ("impact_search_s", 0.1, "walk", {"ic_method": "impact"}),
    ("quiet_window_s", 0.3, "run", {}),
    ("strike_thresholds", "altman", "run", {}),
    ("strike_uncertainty_deg", 10.0, "run", {}),
    ("strapdown", False, "run", {}),
    ("ic_method", "gyro_min", "walk", {}),
    ("to_lowpass_hz", 5.0, "walk", {}),
    ("flat_level_ratio", 0.9, "run", {}),
    ("running_flat_fraction", 1.0, "walk", {}),
    ("running_stride_s", 2.0, "walk", {}),
    ("impact_window_frac", 0.01, "shank", {}),
    ("impact_span_s", 0.05, "run", {}),
    ("impact_onset_fraction", 0.9, "run", {}),
    ("impact_energy_s", 0.2, "walk", {}),
    ("impact_onset_order", 1, "run", {}),
    ("impact_onset_back_s", 0.2, "walk", {}),
]


def test_the_table_covers_every_option():
    assert sorted(name for name, *_ in _CHANGES) == sorted(FootOptions.names())


@pytest.fixture(scope="module")
def recordings(sample_data, request):
    recs = {"run": gaitload.read(sample_data / "hilly_foot_imu.csv"),
            "shank": gaitload.read(sample_data / "treadmill_shank.csv")}
    try:
        recs["walk"] = gaitload.read(request.getfixturevalue("shared_data") / XSENS_FOOT)
    except pytest.skip.Exception:
        pass  # the walk cases skip themselves
    return recs


@pytest.mark.parametrize("name, value, which, others", _CHANGES, ids=[c[0] for c in _CHANGES])
def test_every_option_changes_the_steps(recordings, name, value, which, others):
    if which not in recordings:
        pytest.skip("the Xsens foot recording is not in ../shared/data")
    rec = recordings[which]
    base = detect_steps(rec, detector_options=others).steps
    changed = detect_steps(rec, detector_options={**others, name: value}).steps
    assert not changed.equals(base)


def test_gyro_min_contacts_are_later_than_default_on_a_real_foot(shared_data):
    """Falbriard's pitch-rate minimum comes after the end of the swing lobe (~45 ms in walking),
    so the option must reach the detector through analyze and move the sensor foot's contacts."""
    path = shared_data / XSENS_FOOT
    default = gaitload.analyze(path).steps
    gyro_min = gaitload.analyze(path, ic_method="gyro_min").steps
    a = default[default.measured].time_s.to_numpy()
    b = gyro_min[gyro_min.measured].time_s.to_numpy()
    assert a.size == b.size > 10
    assert 0.02 < np.median(b - a) < 0.08
    same = gaitload.analyze(path, detector_options=FootOptions(ic_method="gyro_min")).steps
    assert np.array_equal(same.time_s.to_numpy(), gyro_min.time_s.to_numpy())


# -- analyze and the CLI --------------------------------------------------------------------------

def test_analyze_refuses_a_name_neither_reader_nor_detector_takes(sample_data):
    with pytest.raises(OptionError) as err:
        gaitload.analyze(sample_data / "hilly_foot_imu.csv", bogus_option=42)
    msg = str(err.value)
    assert "'bogus_option'" in msg and "cadence_unit" in msg and "ic_method" in msg
    assert "hilly_foot_imu.csv" in msg and "\n" not in msg


def test_analyze_refuses_another_detectors_option(sample_data):
    # the lumbar detector's method= is no foot option
    with pytest.raises(OptionError, match="unknown option 'method' for the foot detector; valid options: "
                                          "min_sampling_rate_hz"):
        gaitload.analyze(sample_data / "hilly_foot_imu.csv", detector_options={"method": "walking"})
    with pytest.raises(OptionError, match="FootOptions given, but the lumbar detector"):
        gaitload.analyze(sample_data / "lumbar_run.csv", detector_options=FootOptions())
    with pytest.raises(OptionError, match="records placement .* takes no detector options"):
        gaitload.analyze(sample_data / "watch_records.csv", ic_method="gyro_min")


def test_reader_hints_cover_every_readers_keywords():
    from gaitload.analysis import READER_HINTS
    from gaitload.io import csv_imu, csv_records, fit, gpx, registry, tcx

    for fn in (registry.read, csv_imu.read_imu_csv, csv_records.read_records_csv, fit.read_fit, gpx.read_gpx,
               tcx.read_tcx):
        params = inspect.signature(fn).parameters
        names = {k for k, p in params.items() if p.kind is p.KEYWORD_ONLY or (p.kind is p.POSITIONAL_OR_KEYWORD
                                                                              and k != "path")}
        assert names <= set(READER_HINTS), (fn.__name__, names - set(READER_HINTS))


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "gaitload", *args], capture_output=True, text=True)


@pytest.mark.parametrize("option, words", [
    ("bogus=1", "unknown option 'bogus' for the foot detector"),
    ("ic_method=nope", "ic_method='nope' is not one of"),
    ("min_stride_s=-1", "min_stride_s=-1 must be a positive number"),
    ("ic_method", "--detector-option needs NAME=VALUE"),
])
def test_cli_bad_detector_option_exits_2_with_one_line(sample_data, option, words):
    out = _cli("analyze", str(sample_data / "hilly_foot_imu.csv"), "--detector-option", option)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and words in out.stderr
    assert out.stdout == ""


def test_cli_detector_option_reaches_the_detector(sample_data, tmp_path):
    import pandas as pd

    path = str(sample_data / "hilly_foot_imu.csv")
    base = _cli("analyze", path, "--out", str(tmp_path / "a"))
    moved = _cli("analyze", path, "--out", str(tmp_path / "b"), "--detector-option", "ic_method=gyro_min",
                 "--detector-option", "strike_thresholds=-1.6,8.0")
    assert base.returncode == moved.returncode == 0
    a = pd.read_csv(tmp_path / "a" / "steps.csv")
    b = pd.read_csv(tmp_path / "b" / "steps.csv")
    api = gaitload.analyze(path, ic_method="gyro_min", strike_thresholds=(-1.6, 8.0)).steps
    assert not np.array_equal(a.time_s.to_numpy(), b.time_s.to_numpy())
    assert np.allclose(b.time_s.to_numpy(), api.time_s.to_numpy(), rtol=0, atol=1e-5)
