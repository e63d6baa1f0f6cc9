"""FIT reader against reference decodes (python-fitparse CSVs, the Garmin SDK's own decode and an
independent second decoder), on real files in ../shared/data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import gaitload
from gaitload.errors import CorruptFileError, GaitloadError, NotAnActivityError, ResourceLimitError
from gaitload.io.fit import read_fit, sniff_fit

FP = "python-fitparse-tests/tests/files"
MK = "muktihari-fit-testdata/testdata"
SEMI = 180.0 / 2**31


def _sdk_decode(path):
    """The Garmin FIT SDK's decode of the same file: an independent decoder as ground truth."""
    from garmin_fit_sdk import Decoder, Stream

    messages, errors = Decoder(Stream.from_file(str(path))).read()
    assert not errors
    return messages


def test_fenix5_run_matches_fitparse_reference_csv(shared_data):
    path = shared_data / FP / "garmin-fenix-5-run.fit"
    ref = pd.read_csv(shared_data / FP / "garmin-fenix-5-run-records.csv")
    rec = gaitload.read(path)
    assert rec.source_format == "fit" and rec.placement == "records"
    assert rec.n_samples == len(ref) == 21
    # reference times are local (PDT = UTC-7)
    ref_t = pd.to_datetime(ref["timestamp"].str.replace(" PDT", ""), format="%a %b %d %H:%M:%S %Y")
    ref_t = ref_t.dt.tz_localize("Etc/GMT+7").dt.tz_convert("UTC")
    assert rec.start_time == ref_t.iloc[0]
    np.testing.assert_allclose(rec.time_s, (ref_t - ref_t.iloc[0]).dt.total_seconds().to_numpy())
    c = rec.channels
    np.testing.assert_allclose(c["distance"], ref["distance"], atol=1e-9)
    np.testing.assert_allclose(c["speed"], ref["speed"], atol=1e-9)
    np.testing.assert_allclose(c["heart_rate"], ref["heart_rate"])
    np.testing.assert_allclose(c["altitude"], ref["altitude"], atol=1e-9)
    np.testing.assert_allclose(c["temperature"], ref["temperature"])
    np.testing.assert_allclose(c["latitude"], ref["position_lat"] * SEMI, atol=1e-12)
    np.testing.assert_allclose(c["longitude"], ref["position_long"] * SEMI, atol=1e-12)
    # running cadence: FIT strides/min (+ fractional part below one stride) -> steps/min
    lo = 2.0 * ref["cadence"].to_numpy(dtype=float)
    assert np.all(c["cadence"] >= lo - 1e-9) and np.all(c["cadence"] < lo + 2.0)
    assert "steps/min" in rec.provenance["cadence"]
    assert rec.provenance["altitude"] == "measured: fit record.enhanced_altitude"
    assert rec.metadata["device"] == {"manufacturer": "garmin", "product": "fenix5"}
    assert rec.metadata["altitude_source"] == "barometric"
    assert rec.metadata["sport"] == "running"
    lap = rec.metadata["laps"][0]
    assert lap["start_s"] == 0.0 and lap["distance_m"] == pytest.approx(157.56)


def test_bike_keeps_rpm_and_warns(shared_data):
    ref = pd.read_csv(shared_data / FP / "garmin-edge-820-bike-records.csv")
    rec = gaitload.read(shared_data / FP / "garmin-edge-820-bike.fit")
    assert rec.n_samples == len(ref)
    np.testing.assert_allclose(rec.channels["cadence"], ref["cadence"])
    assert any("cycling" in w and "rpm" in w for w in rec.warnings)
    assert rec.metadata["cadence_unit"] == "rpm"


def test_sdk_activity_matches_sdk_csv(shared_data):
    """muktihari's Activity.csv is the FIT SDK's own FitCSVTool decode."""
    rows = []
    with open(shared_data / MK / "from_official_sdk/Activity.csv", encoding="utf-8-sig") as fh:
        for line in fh:
            parts = line.rstrip("\n").split(",")
            if parts[0] == "Data" and parts[2] == "record":
                rows.append({parts[i]: float(parts[i + 1].strip('"')) for i in range(3, len(parts) - 2, 3) if parts[i]})
    ref = pd.DataFrame(rows)
    rec = gaitload.read(shared_data / MK / "from_official_sdk/Activity.fit")
    assert rec.n_samples == len(ref) == 3601
    c = rec.channels
    np.testing.assert_allclose(rec.time_s, ref["timestamp"] - ref["timestamp"].iloc[0])
    for ours, theirs in [("distance", "distance"), ("speed", "enhanced_speed"), ("heart_rate", "heart_rate"),
                         ("power", "power"), ("altitude", "enhanced_altitude"), ("cadence", "cadence")]:
        np.testing.assert_allclose(c[ours], ref[theirs], atol=1e-6, err_msg=ours)
    has_fix = ~((ref["position_lat"] == 0) & (ref["position_long"] == 0))
    np.testing.assert_allclose(c["latitude"][has_fix], ref["position_lat"][has_fix] * SEMI, atol=1e-12)
    assert np.isnan(c["latitude"][~has_fix.to_numpy()]).all()
    # stand-up paddleboarding: cadence stays rpm, said in a warning
    assert any("not a run" in w for w in rec.warnings)


def test_stryd_developer_fields_match_sdk(shared_data):
    path = shared_data / FP / "developer-types-sample.fit"
    rec = gaitload.read(path)
    sdk = _sdk_decode(path)
    names = [d["field_name"] for d in sdk["field_description_mesgs"]]
    recs = sdk["record_mesgs"]
    assert rec.n_samples == len(recs) == 3424

    def dev(name):
        key = names.index(name)
        return np.array([r.get("developer_fields", {}).get(key, np.nan) for r in recs], dtype=float)

    np.testing.assert_allclose(rec.channels["form_power"], dev("Form Power"), rtol=1e-6)
    np.testing.assert_allclose(rec.channels["leg_spring_stiffness"], dev("Leg Spring Stiffness"), rtol=1e-6)
    assert "Form Power" in rec.provenance["form_power"]
    assert rec.metadata["developer_fields"]["leg_spring_stiffness"] == "Leg Spring Stiffness"
    # Stryd writes native power too: the native field wins, equal to the SDK's
    np.testing.assert_allclose(rec.channels["power"], [r.get("power", np.nan) for r in recs])
    assert rec.metadata["device"]["manufacturer"] == "stryd"


def test_stryd_ground_time_and_oscillation_units(shared_data):
    """mornindew-broken.fit: Stryd 'Ground Time' in ms and 'Vertical Oscillation' in cm."""
    rec = gaitload.read(shared_data / "tormoder-fit-testdata/testdata/misc/mornindew-broken.fit")
    ct = np.nanmedian(rec.channels["contact_time"])
    vo = np.nanmedian(rec.channels["vertical_oscillation"])
    assert 0.15 < ct < 0.40  # seconds: running ground contact (Cavanagh & Lafortune 1980)
    assert 0.04 < vo < 0.15  # metres
    assert 5 < np.nanmedian(rec.channels["leg_spring_stiffness"]) < 20  # kN/m


def test_running_dynamics_fenix2(shared_data):
    path = shared_data / FP / "activity-small-fenix2-run.fit"
    rec = gaitload.read(path)
    recs = _sdk_decode(path)["record_mesgs"]
    stance = np.array([r.get("stance_time", np.nan) for r in recs], dtype=float)
    vosc = np.array([r.get("vertical_oscillation", np.nan) for r in recs], dtype=float)
    stance[stance <= 0] = np.nan
    vosc[vosc <= 0] = np.nan
    np.testing.assert_allclose(rec.channels["contact_time"], stance / 1000.0, rtol=1e-9)
    np.testing.assert_allclose(rec.channels["vertical_oscillation"], vosc / 1000.0, rtol=1e-9)
    assert rec.provenance["contact_time"] == "measured: fit record.stance_time (ms -> s)"
    assert 150 < np.nanmedian(rec.channels["cadence"]) < 200
    assert rec.metadata["altitude_source"] == "barometric"


def test_multisport_keeps_running_session(shared_data):
    path = shared_data / MK / "from_garmin_forums/triathlon_summary_first.fit"
    rec = gaitload.read(path)
    sdk = _sdk_decode(path)
    run = [s for s in sdk["session_mesgs"] if s["sport"] == "running"][0]
    start = pd.Timestamp(run["start_time"])
    assert rec.start_time >= start
    assert rec.start_time + pd.Timedelta(seconds=rec.duration_s) <= start + pd.Timedelta(seconds=run["total_elapsed_time"])
    assert rec.duration_s == pytest.approx(run["total_elapsed_time"], abs=5.0)
    kept = [s["sport"] for s in rec.metadata["sessions"] if s["kept"]]
    assert kept == ["running"] and len(rec.metadata["sessions"]) == 5
    assert any("holds 5 activities" in w and "cycling" in w and "swimming" in w and "read activity 4 (running)" in w
               for w in rec.warnings)
    assert 150 < np.nanmedian(rec.channels["cadence"]) < 200
    # one row per session, with the SDK's own totals; the bike leg is read on request, not as a run
    listing = gaitload.activities(path)
    assert listing["sport"].tolist() == ["swimming (open water)", "transition", "cycling", "transition", "running"]
    assert listing["on_foot"].tolist() == [False, False, False, False, True]
    for row, ses in zip(listing.itertuples(), sdk["session_mesgs"]):
        assert row.start_time == pd.Timestamp(ses["start_time"])
        assert row.elapsed_time_s == pytest.approx(ses["total_elapsed_time"])
        assert row.timer_time_s == pytest.approx(ses["total_timer_time"])
        assert row.distance_m == pytest.approx(ses["total_distance"])
    bike = gaitload.read(path, activity=2)
    ride = sdk["session_mesgs"][2]
    assert bike.metadata["sport"] == "cycling" and "rpm" in bike.provenance["cadence"]
    assert bike.duration_s == pytest.approx(ride["total_elapsed_time"], abs=5.0)
    assert not any("holds 5 activities" in w for w in bike.warnings)
    with pytest.raises(gaitload.GaitloadError, match=r"activity 5 does not exist; the file holds 5 activities: "
                                                     r"0 swimming \(open water\) at .*4 running at "):
        gaitload.read(path, activity=5)


def test_timer_pauses_are_gaps(shared_data):
    rec = gaitload.read(shared_data / "heartandsole-tests/tests/testdata.fit")
    pauses = rec.metadata["pauses"]
    assert len(pauses) >= 2
    for a, b in pauses:
        assert b > a
        # a stopped watch records nothing: no sample strictly inside the pause
        assert not np.any((rec.time_s > a + 0.5) & (rec.time_s < b - 0.5))


def test_not_an_activity(shared_data):
    with pytest.raises(NotAnActivityError, match="settings"):
        gaitload.read(shared_data / FP / "Settings.fit")
    with pytest.raises(NotAnActivityError, match="Settings.fit"):
        gaitload.read(shared_data / "fitparse-rs-tests/fitparser/tests/fixtures/Settings.fit")


@pytest.mark.parametrize("name", ["activity-unexpected-eof.fit", "activity-filecrc.fit", "activity-settings-nodata.fit"])
def test_damaged_fitparse_files_recover_with_warning(shared_data, name):
    ok = gaitload.read(shared_data / FP / "activity-settings.fit")
    rec = gaitload.read(shared_data / FP / name)
    assert any("damaged FIT file" in w for w in rec.warnings)
    # the complete records before the damage are the same as in the undamaged file
    assert rec.n_samples == ok.n_samples == 14
    np.testing.assert_allclose(rec.channels["distance"], ok.channels["distance"])


def test_truncated_copy_recovers_prefix_or_errors(shared_data, tmp_path):
    src = shared_data / FP / "activity-small-fenix2-run.fit"
    data = src.read_bytes()
    full = read_fit(src)
    cut = tmp_path / "cut.fit"
    cut.write_bytes(data[: len(data) // 2])
    part = gaitload.read(cut)
    assert any("damaged FIT file" in w for w in part.warnings)
    assert 0.3 * full.n_samples < part.n_samples < full.n_samples
    n = part.n_samples
    np.testing.assert_allclose(part.channels["distance"], full.channels["distance"][:n])
    np.testing.assert_allclose(part.time_s, full.time_s[:n])
    tiny = tmp_path / "tiny.fit"
    tiny.write_bytes(data[:200])
    with pytest.raises(CorruptFileError, match="tiny.fit"):
        gaitload.read(tiny)


def test_forged_header_and_record_limit(shared_data, tmp_path):
    src = shared_data / FP / "activity-small-fenix2-run.fit"
    data = bytearray(src.read_bytes())
    data[4:8] = (2**31).to_bytes(4, "little")  # claims 2 GiB of data
    bad = tmp_path / "forged.fit"
    bad.write_bytes(bytes(data))
    with pytest.raises(CorruptFileError, match="claims"):
        gaitload.read(bad)
    with pytest.raises(ResourceLimitError, match="record messages"):
        read_fit(src, max_records=100)


def test_sniff_and_bad_bytes(shared_data, tmp_path):
    head = (shared_data / FP / "garmin-fenix-5-run.fit").read_bytes()[:64]
    assert sniff_fit(head, None) == 1.0
    assert sniff_fit(b"<?xml version='1.0'?><gpx>", None) == 0.0
    junk = tmp_path / "junk.fit"
    junk.write_bytes(head[:14] + bytes(range(256)) * 4)
    with pytest.raises(GaitloadError, match="junk.fit"):
        gaitload.read(junk)


def test_split_records_merged_and_far_timestamp_dropped(shared_data):
    """Strava's Android app writes position and distance as two records per second, then a
    record dated 2085; the reader merges the pairs and drops the outlier."""
    path = shared_data / FP / "strava-android-app-201.10-b1218918.fit"
    rec = gaitload.read(path)
    assert rec.duration_s < 3600 and rec.start_time == pd.Timestamp("2021-09-27 14:13:10", tz="UTC")
    both = np.isfinite(rec.channels["distance"]) & np.isfinite(rec.channels["latitude"])
    assert both.mean() > 0.95  # each instant carries both halves of the split record
    assert any("merged" in w for w in rec.warnings) and any("days" in w for w in rec.warnings)
    # distance never runs backwards after merging
    d = rec.channels["distance"][np.isfinite(rec.channels["distance"])]
    assert np.all(np.diff(d) >= 0)


def test_raw_date_time_conversion():
    """Times are decoded raw (no fitdecode processor): FIT seconds -> POSIX seconds, exactly;
    values below 0x10000000 count seconds since power-on and place nothing in time."""
    from datetime import datetime, timezone

    from gaitload.io.fit import _epoch

    # 2019-07-04T06:30:00Z in FIT seconds (since 1989-12-31T00:00:00Z)
    fit_s = int((datetime(2019, 7, 4, 6, 30, tzinfo=timezone.utc) - datetime(1989, 12, 31, tzinfo=timezone.utc)).total_seconds())
    assert _epoch(fit_s) == datetime(2019, 7, 4, 6, 30, tzinfo=timezone.utc).timestamp()
    assert _epoch(0x10000000) == 631_065_600.0 + 0x10000000
    assert _epoch(0x0FFFFFFF) is None  # since power-on
    assert _epoch(None) is None and _epoch(True) is None and _epoch("2019") is None


def test_record_times_match_sdk_datetimes(shared_data):
    """Every record time equals the Garmin SDK's decoded datetime of the same record."""
    path = shared_data / MK / "from_official_sdk" / "Activity.fit"
    rec = read_fit(path)
    sdk = [m["timestamp"].timestamp() for m in _sdk_decode(path)["record_mesgs"] if "timestamp" in m]
    assert rec.start_time is not None
    assert len(sdk) == rec.time_s.size > 100
    np.testing.assert_array_equal(rec.time_s + rec.start_time.timestamp(), np.asarray(sdk, dtype=float))
