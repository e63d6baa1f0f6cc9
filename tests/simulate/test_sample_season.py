"""The bundled sample runs are a dated season (``make demo``), their signals unchanged, and
float epoch clocks read without sub-microsecond representation noise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import gaitload
from gaitload.io.units import decode_time
from gaitload.simulate import SAMPLE_FILES, simulate_run

SAMPLES = ("hilly_foot_imu.csv", "treadmill_shank.csv", "lumbar_run.csv", "watch_records.csv")


def test_every_sample_run_carries_its_own_date(sample_data):
    starts = {}
    for name in SAMPLES:
        rec = gaitload.read(sample_data / name)
        assert rec.start_time is not None, name
        assert rec.start_time == pd.Timestamp(SAMPLE_FILES[name]["start_time"]), name
        starts[name] = rec.start_time
    assert len({t.normalize() for t in starts.values()}) == 4  # four different days
    assert max(starts.values()) - min(starts.values()) >= pd.Timedelta(days=28)  # fills a chronic window


@pytest.mark.parametrize("name", ["hilly_foot_imu.csv", "treadmill_shank.csv", "lumbar_run.csv"])
def test_sample_imu_clock_and_signal_are_the_generator_s(sample_data, name):
    """The dated file reads to the same 0-based 100 Hz clock and the same signal as before."""
    rec = gaitload.read(sample_data / name)
    run = simulate_run(**SAMPLE_FILES[name])
    n = run.recording.n_samples
    assert rec.n_samples == n
    # exactly the doubles "0.00", "0.01", ... parse to: no epoch representation noise
    np.testing.assert_array_equal(rec.time_s, np.round(np.arange(n) / 100.0, 2))
    assert rec.sampling_rate_hz == pytest.approx(100.0, abs=1e-9)
    for axis in ("acc_x", "gyr_z"):
        np.testing.assert_allclose(rec.channels[axis], run.recording.channels[axis], atol=6e-3 if axis == "acc_x"
                                   else np.radians(6e-3))


def test_demo_season_is_complete(sample_data, tmp_path):
    result = gaitload.season([sample_data], tmp_path / "season", jobs=1, progress=False)
    ok = result.runs[result.runs["status"] == "ok"]
    assert len(ok) == 4 and ok["start_time"].notna().all()
    acwr = result.tables["acwr"]
    span = (ok["start_time"].max().normalize() - ok["start_time"].min().normalize()).days + 1
    assert len(acwr) == span == 43
    # the ratio exists from the 28th day on (17 May to 1 June), for every muscle
    ratio = acwr["acwr_quads"].to_numpy()
    assert np.isnan(ratio[:27]).all() and np.isfinite(ratio[27:]).all()
    assert (tmp_path / "season" / "season.png").stat().st_size > 10_000


def test_float_epoch_clock_rounded_to_microseconds():
    # 100 Hz written as POSIX seconds with two decimals (adeptdata's date_time, the sample files)
    t = pd.Series(1_540_490_250.0 + np.arange(1000) / 100.0).round(2)
    tb = decode_time(t, (1.0, 2000.0))
    assert tb.start_time == pd.Timestamp("2018-10-25T17:57:30Z")
    np.testing.assert_array_equal(tb.time_s, np.round(np.arange(1000) / 100.0, 2))
    assert set(np.round(np.diff(tb.time_s), 12)) == {0.01}
    # an integer nanosecond epoch keeps full resolution (not rounded)
    ns = pd.Series(1_540_490_250_000_000_000 + np.arange(5) * 1_234, dtype="int64")
    np.testing.assert_allclose(decode_time(ns, (1e3, 1e7)).time_s, np.arange(5) * 1.234e-6, rtol=0, atol=1e-15)


def test_adeptdata_epoch_clock_reads_as_100_hz(shared_data):
    rec = gaitload.read(shared_data / "adeptdata-outdoor-run" / "data" / "acc_running.csv.gz")
    assert rec.sampling_rate_hz == pytest.approx(100.0, abs=1e-6)  # was 100.0000954 (float epoch noise)
