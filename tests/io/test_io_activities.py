"""One activity at a time: ``gaitload.activities`` lists what a file holds, ``activity=k`` reads
one, breaks inside an activity carry no distance; and the XML faults real exports have (text
before the declaration, undeclared prefixes, points without a position, a clock that steps back)
are repaired and counted. Files are built here for the cases ../shared/data lacks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import gaitload
from gaitload.errors import GaitloadError, OptionError
from gaitload.io.activity import rebase_leading_clock
from gaitload.io.watch import haversine_m
from gaitload.io.registry import ACTIVITY_COLUMNS

from fit_builder import write_fit as _write_fit

T0 = 1_717_400_000  # 2024-06-03 07:33:20 UTC


def _iso(epoch_s: float) -> str:
    return pd.Timestamp(epoch_s, unit="s", tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


# ------------------------------------------------------------------------------------------------
# FIT (written with fit-tool): two running sessions 1.3 h apart, a developer field with no name
# ------------------------------------------------------------------------------------------------
def test_fit_two_sessions_and_a_nameless_developer_field(tmp_path):
    pytest.importorskip("fit_tool")
    from fit_tool.profile.profile_type import Sport

    second = T0 + 600 + 4680  # 1.3 h after the first ends
    path = _write_fit(tmp_path / "two.fit", [(Sport.RUNNING, T0, 600, 3.0), (Sport.RUNNING, second, 300, 3.2)])
    listing = gaitload.activities(path)
    assert tuple(listing.columns) == ACTIVITY_COLUMNS
    assert listing["activity"].tolist() == [0, 1] and listing["sport"].tolist() == ["running", "running"]
    assert listing["on_foot"].tolist() == [True, True]
    assert listing["start_time"].tolist() == [pd.Timestamp(T0, unit="s", tz="UTC"),
                                              pd.Timestamp(second, unit="s", tz="UTC")]
    np.testing.assert_allclose(listing["elapsed_time_s"], [599, 299])
    np.testing.assert_allclose(listing["timer_time_s"], [599, 299])
    np.testing.assert_allclose(listing["distance_m"], [1797.0, 956.8])

    # the nameless developer field no longer makes the whole file "damaged"
    first = gaitload.read(path)
    assert first.n_samples == 600 and first.duration_s == 599
    assert any("holds 2 activities" in w and "read activity 0" in w for w in first.warnings)
    assert not any("damaged" in w for w in first.warnings)
    later = gaitload.read(path, activity=1)
    assert later.n_samples == 300 and later.start_time == pd.Timestamp(second, unit="s", tz="UTC")
    assert np.nanmax(later.channels["distance"]) == pytest.approx(956.8)
    run = gaitload.analyze(path, activity=1)
    assert run.summary["distance_m"] == pytest.approx(956.8, rel=0.01)
    # 85 strides/min for 299 s: 2 x 85 x 299 / 60 steps
    assert run.summary["n_steps"] == pytest.approx(2 * 85 * 299 / 60, abs=3)
    # a Strava bulk export's .fit.gz lists and reads the same
    import gzip

    packed = tmp_path / "two.fit.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    pd.testing.assert_frame_equal(gaitload.activities(packed), listing)
    assert gaitload.read(packed, activity=1).n_samples == 300
    for bad in (2, -1, "x"):
        with pytest.raises(OptionError, match=r"does not exist; the file holds 2 activities: 0 running at "
                                              r"2024-06-03 07:33, 1 running at 2024-06-03 09:01"):
            gaitload.read(path, activity=bad)


def test_cli_activity_option(tmp_path, capsys):
    pytest.importorskip("fit_tool")
    from fit_tool.profile.profile_type import Sport

    from gaitload.cli import main

    path = _write_fit(tmp_path / "two.fit", [(Sport.RUNNING, T0, 300, 3.0), (Sport.CYCLING, T0 + 3600, 300, 8.0)],
                      nameless_dev_field=False)
    assert main(["analyze", str(path), "--json", "--activity", "0"]) == 0
    assert '"distance_m": 897' in capsys.readouterr().out
    assert main(["analyze", str(path), "--activity", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert "sport is cycling, not a foot sport" in err and "\n" not in err
    assert main(["analyze", str(path), "--activity", "7"]) == 2
    assert "activity 7 does not exist; the file holds 2 activities" in capsys.readouterr().err


def test_clock_jump_before_the_fix_is_rebased(tmp_path):
    pytest.importorskip("fit_tool")
    from fit_tool.profile.profile_type import Sport

    # the first 120 records dated 20 days early, then the GPS fix sets the clock
    offsets = [-20 * 86400] * 120
    path = _write_fit(tmp_path / "jump.fit", [(Sport.RUNNING, T0, 900, 3.0)], nameless_dev_field=False,
                      clock_offsets=offsets)
    rec = gaitload.read(path)
    assert rec.n_samples == 900  # nothing dropped
    assert any("re-timed" in w and "20.0 days" in w for w in rec.warnings)
    assert np.nanmax(rec.channels["distance"]) - np.nanmin(rec.channels["distance"]) == pytest.approx(899 * 3.0)
    assert np.all(np.diff(rec.time_s) > 0)


def test_clock_jump_in_a_file_with_two_sessions(tmp_path):
    """The session is dated when the fix came: the re-timed records before it are still its own."""
    pytest.importorskip("fit_tool")
    from fit_tool.profile.profile_type import Sport

    path = _write_fit(tmp_path / "jump2.fit", [(Sport.RUNNING, T0, 900, 3.0), (Sport.RUNNING, T0 + 7200, 300, 3.0)],
                      nameless_dev_field=False, clock_offsets=[-20 * 86400] * 120, first_session_late_s=120)
    first = gaitload.read(path, activity=0)
    assert first.n_samples == 900 and first.duration_s == 899
    assert gaitload.read(path, activity=1).n_samples == 300


def test_rebase_leading_clock_only_moves_a_leading_block():
    t = T0 + np.arange(100.0)
    early = t.copy()
    early[:10] -= 20 * 86400
    warnings: list[str] = []
    fixed = rebase_leading_clock(early, warnings)
    np.testing.assert_array_equal(fixed, t)  # spacing kept, ends one interval before the rest
    assert len(warnings) == 1
    stray = t.copy()
    stray[50] -= 20 * 86400
    assert np.array_equal(rebase_leading_clock(stray, []), stray)  # left for build_recording to drop


# ------------------------------------------------------------------------------------------------
# TCX with two activities, XML with text before the declaration
# ------------------------------------------------------------------------------------------------
def _tcx_activity(sport, t0, n, step_m):
    points = "".join(
        f"<Trackpoint><Time>{_iso(t0 + i)}</Time><Position><LatitudeDegrees>{46 + i * step_m / 111195:.7f}"
        f"</LatitudeDegrees><LongitudeDegrees>14.0</LongitudeDegrees></Position>"
        f"<DistanceMeters>{i * step_m:.1f}</DistanceMeters><Cadence>85</Cadence></Trackpoint>"
        for i in range(n))
    return (f'<Activity Sport="{sport}"><Id>{_iso(t0)}</Id><Lap StartTime="{_iso(t0)}">'
            f"<TotalTimeSeconds>{n - 1}</TotalTimeSeconds><DistanceMeters>{(n - 1) * step_m:.1f}</DistanceMeters>"
            f"<Track>{points}</Track></Lap></Activity>")


def _tcx(*activities, lead=""):
    return (f'{lead}<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase '
            'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"><Activities>'
            + "".join(activities) + "</Activities></TrainingCenterDatabase>")


def test_tcx_two_activities(tmp_path):
    path = tmp_path / "two.tcx"
    path.write_text(_tcx(_tcx_activity("Biking", T0, 200, 8.0), _tcx_activity("Running", T0 + 7200, 300, 3.0)))
    listing = gaitload.activities(path)
    assert listing["sport"].tolist() == ["biking", "running"] and listing["on_foot"].tolist() == [False, True]
    np.testing.assert_allclose(listing["elapsed_time_s"], [199, 299])
    np.testing.assert_allclose(listing["timer_time_s"], [199, 299])
    np.testing.assert_allclose(listing["distance_m"], [1592, 897])
    assert listing["start_time"][1] == pd.Timestamp(T0 + 7200, unit="s", tz="UTC")
    run = gaitload.read(path)  # the first on foot: the run, not 2.3 h of both
    assert run.n_samples == 300 and run.duration_s == 299 and run.metadata["sport"] == "running"
    assert any("holds 2 activities" in w and "read activity 1 (running)" in w for w in run.warnings)
    ride = gaitload.read(path, activity=0)
    assert ride.n_samples == 200 and "rpm" in ride.provenance["cadence"]


@pytest.mark.parametrize("lead", ["   \n", "\ufeff  \n"])
def test_xml_with_text_before_the_declaration(tmp_path, lead):
    tcx = tmp_path / "lead.tcx"
    tcx.write_bytes(_tcx(_tcx_activity("Running", T0, 60, 3.0), lead=lead).encode("utf-8"))
    rec = gaitload.read(tcx)
    assert rec.n_samples == 60 and "whitespace before the XML declaration ignored" in rec.warnings
    gpx = tmp_path / "lead.gpx"
    gpx.write_bytes((lead + _gpx([[(T0 + i, 46 + i * 3e-5, 14.0) for i in range(60)]])).encode("utf-8"))
    assert gaitload.read(gpx).n_samples == 60


def test_tcx_body_without_its_root_element(tmp_path, shared_data):
    """A TCX whose <TrainingCenterDatabase> root is missing (it starts at <Activities>, as
    runpandas' malformed.tcx does) is read, and the repair said first."""
    path = tmp_path / "rootless.tcx"
    whole = _tcx(_tcx_activity("Running", T0, 60, 3.0))
    body = whole[whole.index("<Activities>"):whole.index("</TrainingCenterDatabase>")]
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n' + body)
    rec = gaitload.read(path)
    assert rec.n_samples == 60 and rec.warnings[0].startswith("the file starts at <Activities>")
    real = shared_data / "runpandas-tests/runpandas/tests/io/data/tcx/malformed.tcx"
    s = gaitload.analyze(real).summary
    # the laps' own totals (4.69 km, 33:13): the records were all read
    assert s["distance_m"] == pytest.approx(s["device_totals"]["distance_m"], rel=0.01)
    assert s["timer_time_s"] == pytest.approx(s["device_totals"]["timer_time_s"], rel=0.01)


# ------------------------------------------------------------------------------------------------
# GPX: a 1 h segment gap, tracks hours apart, undeclared prefixes, points without position, a
# clock stepping back
# ------------------------------------------------------------------------------------------------
def _gpx(tracks, *, prefix="", declare=True, ele=None):
    ns = ' xmlns="http://www.topografix.com/GPX/1/1"' if declare else ""
    out = [f'<?xml version="1.0" encoding="UTF-8"?>\n<{prefix}gpx version="1.1" creator="test"{ns}>']
    for segments in (tracks if isinstance(tracks[0][0], list) else [tracks]):
        out.append(f"<{prefix}trk><{prefix}type>running</{prefix}type>")
        for seg in segments:
            out.append(f"<{prefix}trkseg>")
            for j, (t, lat, lon) in enumerate(seg):
                pos = "" if lat is None else f' lat="{lat:.7f}" lon="{lon:.7f}"'
                alt = "" if ele is None else f"<{prefix}ele>{ele(t):.1f}</{prefix}ele>"
                out.append(f"<{prefix}trkpt{pos}>{alt}<{prefix}time>{_iso(t)}</{prefix}time></{prefix}trkpt>")
            out.append(f"</{prefix}trkseg>")
        out.append(f"</{prefix}trk>")
    out.append(f"</{prefix}gpx>")
    return "".join(out)


def _leg(t0, lat0, n, step_deg=3e-5):
    return [(t0 + i, lat0 + i * step_deg, 14.0) for i in range(n)]


def test_gpx_one_hour_segment_gap_is_a_break(tmp_path):
    # 10 min north, a 1 h break 6.9 km further north (a bus ride), 10 min more: 2 x 600 s of running
    a = _leg(T0, 46.0, 600)
    b = _leg(T0 + 599 + 3600, 46.0 + 600 * 3e-5 + 0.062, 600)
    path = tmp_path / "gap.gpx"
    path.write_text(_gpx([[a, b]], ele=lambda t: 300.0 if t < T0 + 1000 else 400.0))
    leg_m = float(haversine_m(46.0, 14.0, 46.0 + 599 * 3e-5, 14.0))
    listing = gaitload.activities(path)
    assert len(listing) == 1  # one activity: the break is inside it
    assert listing["distance_m"][0] == pytest.approx(2 * leg_m, rel=1e-6)
    assert listing["elapsed_time_s"][0] == 599 + 3600 + 599 and listing["timer_time_s"][0] == 2 * 599
    rec = gaitload.read(path)
    assert np.nanmax(rec.channels["distance"]) == pytest.approx(2 * leg_m, rel=1e-6)
    assert rec.metadata["breaks"] == [(599.0, 599.0 + 3600.0)]
    assert any("1 break(s) of more than 10 min" in w for w in rec.warnings)
    run = gaitload.analyze(path)
    assert run.summary["distance_m"] == pytest.approx(2 * leg_m, rel=0.02)
    assert run.summary["elevation_gain_m"] < 5  # the 100 m between the legs was not climbed on foot


def test_gpx_tracks_hours_apart_are_two_activities(tmp_path):
    path = tmp_path / "two.gpx"
    path.write_text(_gpx([[_leg(T0, 46.0, 300)], [_leg(T0 + 299 + 1801, 46.1, 400)]]))
    listing = gaitload.activities(path)
    assert listing["activity"].tolist() == [0, 1]
    np.testing.assert_allclose(listing["elapsed_time_s"], [299, 399])
    assert gaitload.read(path, activity=1).n_samples == 400
    near = tmp_path / "near.gpx"  # 29 min apart: one activity with a break
    near.write_text(_gpx([[_leg(T0, 46.0, 300)], [_leg(T0 + 299 + 1740, 46.1, 400)]]))
    assert len(gaitload.activities(near)) == 1 and gaitload.read(near).n_samples == 700


def test_gpx_undeclared_prefix_missing_position_and_backward_clock(tmp_path):
    pts = _leg(T0, 46.0, 120)
    pts[40] = (T0 + 40, None, None)  # a point without lat/lon
    pts[80] = (T0 + 75, 46.0 + 80 * 3e-5, 14.0)  # the clock steps back 5 s
    path = tmp_path / "strava.gpx"
    path.write_text(_gpx([pts], prefix="s:", declare=False))  # Strava-like: prefix never declared
    rec = gaitload.read(path)
    assert rec.n_samples == 118
    assert any("namespace prefix(es) s without declaring" in w for w in rec.warnings)
    assert any("skipped 1 track point(s) without a position" in w for w in rec.warnings)
    assert any("clock steps back at 1 track point(s)" in w for w in rec.warnings)
    assert np.nanmax(rec.channels["distance"]) == pytest.approx(
        float(haversine_m(46.0, 14.0, 46.0 + 119 * 3e-5, 14.0)), rel=1e-6)


def test_single_activity_formats_and_bad_index(sample_data):
    path = sample_data / "watch_records.csv"
    listing = gaitload.activities(path)
    assert len(listing) == 1 and listing["activity"][0] == 0 and bool(listing["on_foot"][0])
    rec = gaitload.read(path)
    assert listing["elapsed_time_s"][0] == pytest.approx(rec.duration_s)
    assert gaitload.read(path, activity=0).n_samples == rec.n_samples
    with pytest.raises(GaitloadError, match="activity 1 does not exist; a records-csv file holds one activity"):
        gaitload.read(path, activity=1)


def test_real_multi_session_files(shared_data):
    """Every real FIT in ../shared/data with several sessions lists them with their own totals."""
    path = shared_data / "python-fitparse-tests/tests/files/sample_mulitple_header.fit"
    listing = gaitload.activities(path)
    assert listing["sport"].tolist() == ["swimming (open water)", "transition", "cycling", "transition", "running"]
    rec = gaitload.read(path)
    assert rec.metadata["sport"] == "running"
    assert rec.duration_s == pytest.approx(listing["elapsed_time_s"][4], abs=5)
    # a chained file that repeats its one activity lists it once
    assert len(gaitload.activities(shared_data / "python-fitparse-tests/tests/files/activity-activity-filecrc.fit")) == 1


# ------------------------------------------------------------------------------------------------
# empty is not ok: a course, a settings file, no clock, no steps are errors that say why
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("rel, error, words", [
    ("heartandsole-tests/tests/testcourse.fit", "NotAnActivityError", "a course (a planned route"),
    ("heartandsole-tests/tests/testcourse.tcx", "NotAnActivityError", "a course (a planned route"),
    ("python-fitparse-tests/tests/files/Settings.fit", "NotAnActivityError", "FIT file of type 'settings'"),
    ("python-fitparse-tests/tests/files/DeveloperData.fit", "NoClockError", "only 0 of 3 samples carry a timestamp"),
    ("heartandsole-tests/tests/B47I2852.FIT", "NoStepsError", "cadence is 0 in all 7 records"),
])
def test_empty_is_an_error(shared_data, rel, error, words):
    if "testcourse" in rel:  # listed as a course, left to analyze to say it is no run
        listing = gaitload.activities(shared_data / rel)
        assert listing["sport"].tolist() == ["course"] and listing["on_foot"].tolist() == [True]
        assert listing["distance_m"][0] == pytest.approx(25254.9, abs=0.1)
    with pytest.raises(GaitloadError) as info:
        gaitload.analyze(shared_data / rel)
    assert type(info.value).__name__ == error and words in str(info.value)
    assert str(info.value).startswith(str(shared_data / rel) + ": ") and "\n" not in str(info.value)


def test_swim_without_a_clock_is_not_on_foot_first(tmp_path):
    pytest.importorskip("fit_tool")
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import FileType, Manufacturer, Sport

    from gaitload.errors import NotARunError

    b = FitFileBuilder(auto_define=True, min_string_size=50)
    m = FileIdMessage()
    m.type, m.manufacturer, m.product, m.serial_number = FileType.ACTIVITY, Manufacturer.DEVELOPMENT.value, 0, 1
    b.add(m)
    for i in range(20):  # no timestamps: a broken clock
        r = RecordMessage()
        r.heart_rate, r.distance = 120, 1.5 * i
        b.add(r)
    s = SessionMessage()
    s.sport = Sport.SWIMMING
    b.add(s)
    path = tmp_path / "swim.fit"
    path.write_bytes(b.build().to_bytes())
    listing = gaitload.activities(path)
    assert listing["sport"].tolist() == ["swimming"] and not listing["on_foot"][0]
    assert pd.isna(listing["start_time"][0])
    with pytest.raises(NotARunError, match="sport is swimming, not a foot sport .and only 0 of 20 samples carry"):
        gaitload.analyze(path)


def test_tcx_undeclared_prefix_and_a_clock_stepping_back(tmp_path):
    act = _tcx_activity("Running", T0, 120, 3.0).replace(
        "<Cadence>85</Cadence>", "<Extensions><ns3:TPX><ns3:RunCadence>85</ns3:RunCadence></ns3:TPX></Extensions>")
    act = act.replace(f"<Time>{_iso(T0 + 60)}</Time>", f"<Time>{_iso(T0 + 55)}</Time>")  # steps back 5 s
    path = tmp_path / "ns3.tcx"
    path.write_text(_tcx(act))
    rec = gaitload.read(path)
    assert any("namespace prefix(es) ns3 without declaring" in w for w in rec.warnings)
    assert any("clock steps back at 1 trackpoint(s)" in w for w in rec.warnings)
    assert rec.n_samples == 119 and np.nanmedian(rec.channels["cadence"]) == 170.0
    assert "RunCadence" in rec.provenance["cadence"]


def test_a_record_the_loop_cannot_use_is_skipped_not_the_file(tmp_path, monkeypatch):
    """Fall back per message: one record whose value breaks the decode loop costs that record."""
    pytest.importorskip("fit_tool")
    from fit_tool.profile.profile_type import Sport

    import gaitload.io.fit_decode as fit_decode

    path = _write_fit(tmp_path / "one.fit", [(Sport.RUNNING, T0, 60, 3.0)])
    bad = float(T0 + 30 - fit_decode.FIT_EPOCH_S)
    real = fit_decode._raw_time

    def raw_time(value):
        if value == bad:
            raise TypeError("an odd value")
        return real(value)

    monkeypatch.setattr(fit_decode, "_raw_time", raw_time)
    rec = gaitload.read(path)
    assert rec.n_samples == 59 and rec.metadata["n_records_in_file"] == 60
    assert "skipped undecodable message(s): 1 record (TypeError)" in rec.warnings
    assert not any("damaged" in w for w in rec.warnings)


def test_real_multisport_list_gives_first_record_local_times_and_agrees_with_the_choice(shared_data):
    """The Fenix 2 multisport file: its generic first leg (4.5 m per counted step) is not on foot
    in the list as in analyze; starts are the first records' times, shown in the wearer's local
    time, which the file gives (activity local_timestamp - timestamp = 7200 s)."""
    path = shared_data / "python-fitparse-tests/tests/files/activity-large-fenxi2-multisport.fit"
    listing = gaitload.activities(path)
    assert listing["sport"].tolist() == ["generic", "transition", "running", "transition", "running", "transition",
                                         "cycling"]
    assert listing["on_foot"].tolist() == [False, False, True, False, True, False, False]
    first_leg = gaitload.read(path, activity=0)
    # the session's start_time says 08:00 UTC; its records (what analyze reads) begin at 07:14:46
    assert listing["start_time"][0] == first_leg.start_time == pd.Timestamp("2015-08-29 07:14:46", tz="UTC")
    assert first_leg.metadata["utc_offset_s"] == 7200.0
    rec = gaitload.read(path)
    assert listing["start_time"][2] == rec.start_time
    note = next(w for w in rec.warnings if getattr(w, "code", None) == "more-activities")
    assert note.startswith("the file holds 7 activities (0 generic at 2015-08-29 09:14, 1 transition at "
                           "2015-08-29 12:30, 2 running at 2015-08-29 12:36,")
    assert "6 cycling at 2015-08-29 15:11; local time, UTC+02:00); read activity 2 (running), the first named " \
           "running/walking activity;" in note


def test_activity_choice_says_which_rule_chose_and_labels_utc():
    from gaitload.io.activity import activity_row, choose_activity

    t0 = 1_440_832_484.0  # 2015-08-29 07:14:44 UTC
    rows = [activity_row("cycling", start_epoch_s=t0), activity_row("generic", start_epoch_s=t0 + 3600)]
    k, note = choose_activity(rows, None)
    assert k == 1 and rows[1]["on_foot"] and not rows[1]["named_on_foot"]
    assert note == ("the file holds 2 activities (0 cycling at 2015-08-29 07:14, 1 generic at 2015-08-29 08:14; "
                    "times UTC); read activity 1 (generic), the first whose records may be on foot (no foot sport "
                    "named); choose another with activity=K (CLI: --activity K)")
    rows = [activity_row("generic", start_epoch_s=t0, utc_offset_s=-5 * 3600 - 1800),
            activity_row("walking", start_epoch_s=t0 + 60, utc_offset_s=-5 * 3600 - 1800)]
    k, note = choose_activity(rows, None)
    assert k == 1 and "(0 generic at 2015-08-29 01:44, 1 walking at 2015-08-29 01:45; local time, UTC-05:30)" in note
    assert note.split("; ")[2] == "read activity 1 (walking), the first named running/walking activity"
