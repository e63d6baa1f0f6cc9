"""One rule for "is this on foot?" shared by the FIT reader (cadence unit) and ``analyze``
(``sport_check``), and the two real FIT runs that give no steps (a typed error that says why)."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

import gaitload
from gaitload.errors import NoStepsError, NotAnActivityError, NotARunError
from gaitload.io.sport import MAX_RUN_SPEED_MPS, median_moving_speed_mps, sport_verdict

# ------------------------------------------------------------------------------------------------
# a minimal FIT encoder (FIT SDK "Flexible & Interoperable Data Transfer Protocol" 2.0, little
# endian): 14-byte header, definition + data messages, CRC-16 as the SDK computes it
# ------------------------------------------------------------------------------------------------
_CRC_TABLE = (0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
              0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400)
_FIT_EPOCH_S = 631_065_600
# FIT base types: (code, struct format)
_ENUM, _UINT8, _UINT16, _UINT32 = (0x00, "B"), (0x02, "B"), (0x84, "H"), (0x86, "I")


def _crc(data: bytes) -> int:
    crc = 0
    for byte in data:
        for nibble in (byte & 0xF, byte >> 4):
            tmp = _CRC_TABLE[crc & 0xF]
            crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ _CRC_TABLE[nibble]
    return crc


def _message(local: int, global_num: int, fields: list[tuple[int, tuple[int, str]]], rows: list[tuple]) -> bytes:
    out = struct.pack("<BBBHB", 0x40 | local, 0, 0, global_num, len(fields))
    for num, (base, fmt) in fields:
        out += struct.pack("<BBB", num, struct.calcsize(fmt), base)
    fmt = "<" + "".join(f for _, (_, f) in fields)
    for row in rows:
        out += struct.pack("<B", local) + struct.pack(fmt, *row)
    return out


def write_fit(path: Path, *, sport: int, sub_sport: int, cadence: float, speed_mps: float, n: int = 120,
              start_epoch_s: int = 1_717_400_000) -> Path:
    """A 1 Hz activity: ``n`` records of constant cadence (strides or rpm, with
    fractional_cadence) and speed, one session of the given FIT sport / sub_sport enums."""
    t0 = start_epoch_s - _FIT_EPOCH_S
    whole = int(np.floor(cadence))
    frac = int(round((cadence - whole) * 128))
    body = _message(0, 0, [(0, _ENUM), (1, _UINT16), (2, _UINT16), (4, _UINT32)], [(4, 1, 65534, t0)])
    body += _message(1, 20, [(253, _UINT32), (5, _UINT32), (6, _UINT16), (4, _UINT8), (53, _UINT8)],
                     [(t0 + i, int(round(100 * speed_mps * i)), int(round(1000 * speed_mps)), whole, frac)
                      for i in range(n)])
    body += _message(2, 18, [(253, _UINT32), (2, _UINT32), (7, _UINT32), (5, _ENUM), (6, _ENUM)],
                     [(t0 + n - 1, t0, 1000 * (n - 1), sport, sub_sport)])
    head = struct.pack("<BBHI4s", 14, 0x20, 2140, len(body), b".FIT")
    head += struct.pack("<H", _crc(head))
    data = head + body
    path.write_bytes(data + struct.pack("<H", _crc(data)))
    return path


GENERIC, RUNNING, CYCLING = 0, 1, 2


def test_encoder_round_trips_through_fitdecode(tmp_path):
    import fitdecode

    path = write_fit(tmp_path / "g.fit", sport=GENERIC, sub_sport=0, cadence=85.5, speed_mps=3.0, n=5)
    records, sessions = [], []
    with fitdecode.FitReader(str(path), check_crc=fitdecode.CrcCheck.RAISE) as reader:
        for frame in reader:
            if frame.frame_type == fitdecode.FIT_FRAME_DATA and frame.name == "record":
                records.append((frame.get_value("cadence"), frame.get_value("fractional_cadence"),
                                frame.get_value("speed")))
            elif frame.frame_type == fitdecode.FIT_FRAME_DATA and frame.name == "session":
                sessions.append(frame.get_value("sport"))
    assert records == [(85, 0.5, 3.0)] * 5 and sessions == ["generic"]


# ------------------------------------------------------------------------------------------------
# the rule
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("sport, sub, speed, on_foot, reason", [
    ("running", "generic", 9.0, True, "sport is running"),           # a named sport decides
    ("cycling", "road", 3.0, False, "sport is cycling (road), not a foot sport"),
    ("generic", "treadmill", 9.0, True, "sport is treadmill"),       # the sub-sport names it
    ("generic", None, 3.0, None, "sport is generic (unspecified)"),  # unnamed, running speed
    ("generic", "generic", float("nan"), None, "sport is generic (unspecified)"),
    (None, None, 2.0, None, "no sport named"),
    ("generic", None, 8.4, False, "sport is generic (unspecified) but the records move at a median 8.4 m/s "
                                  "(30 km/h), faster than any run"),
    (None, None, 6.6, False, "no sport named but the records move at a median 6.6 m/s (24 km/h), faster than "
                             "any run"),
    ("4", None, 7.0, False, "sport is sport code 4 but the records move at a median 7.0 m/s (25 km/h), faster "
                            "than any run"),
])
def test_sport_verdict(sport, sub, speed, on_foot, reason):
    assert sport_verdict(sport, sub, speed)[0] is on_foot
    assert sport_verdict(sport, sub, speed)[2] == reason


def test_median_moving_speed_from_speed_or_distance():
    t = np.arange(10.0)
    speed = np.r_[np.zeros(4), np.full(6, 4.0)]
    assert median_moving_speed_mps(t, speed) == 4.0
    # from distance when there is no speed: 0 m for 4 s standing, then 4 m/s
    dist = np.r_[np.zeros(4), 4.0 * np.arange(1, 7)]
    assert median_moving_speed_mps(t, None, dist) == pytest.approx(4.0)
    assert np.isnan(median_moving_speed_mps(t, np.zeros(10)))


def test_generic_fit_with_running_cadence_is_analysed_as_a_run(tmp_path):
    path = write_fit(tmp_path / "generic_run.fit", sport=GENERIC, sub_sport=0, cadence=85.5, speed_mps=3.0)
    rec = gaitload.read(path)
    assert rec.metadata["sport"] == "generic" and "cadence_unit" not in rec.metadata
    # FIT stores strides/min: 2 x (85 + 64/128) = 171 steps/min at every record
    np.testing.assert_array_equal(rec.channels["cadence"], np.full(120, 171.0))
    assert any(w.startswith("sport is generic (unspecified); taken as a run on foot") for w in rec.warnings)
    run = gaitload.analyze(path)
    # the cadence integral over 119 s at 171 steps/min: 339.15 -> 339 steps
    assert run.summary["n_steps"] == 339
    assert run.summary["cadence_spm"] == pytest.approx(171.0)
    assert run.summary["sport"] is None  # nothing named


def test_generic_fit_faster_than_any_run_is_refused_naming_the_sport(tmp_path):
    speed = 8.5
    assert speed > MAX_RUN_SPEED_MPS
    path = write_fit(tmp_path / "generic_ride.fit", sport=GENERIC, sub_sport=0, cadence=88.0, speed_mps=speed)
    rec = gaitload.read(path)
    # the reader applies the same rule: a crank's rpm is not doubled
    np.testing.assert_array_equal(rec.channels["cadence"], np.full(120, 88.0))
    assert rec.metadata["cadence_unit"] == "rpm"
    with pytest.raises(NotARunError) as info:
        gaitload.analyze(path)
    text = str(info.value)
    assert text.startswith(f"{path}: sport is generic (unspecified) but the records move at a median 8.5 m/s "
                           "(31 km/h), faster than any run;") and "\n" not in text
    forced = gaitload.analyze(path, sport_check=False)
    assert forced.summary["n_steps"] == 174  # 88 x 119 / 60 = 174.5, the rpm taken as given


def test_named_sport_decides_over_speed(tmp_path):
    fast_run = write_fit(tmp_path / "fast_run.fit", sport=RUNNING, sub_sport=0, cadence=92.0, speed_mps=7.0)
    assert gaitload.analyze(fast_run).summary["n_steps"] == int(np.floor(184.0 * 119 / 60))  # 364
    slow_ride = write_fit(tmp_path / "slow_ride.fit", sport=CYCLING, sub_sport=0, cadence=70.0, speed_mps=3.0)
    with pytest.raises(NotARunError, match="sport is cycling, not a foot sport"):
        gaitload.analyze(slow_ride)


def test_unnamed_gpx_drive_is_refused_and_skipped_in_a_season(shared_data, tmp_path):
    import shutil

    car = shared_data / "gpxpy-tests/test_files/around-visnjan-with-car.gpx"  # no <type>; driven
    rec = gaitload.read(car)
    assert rec.metadata["sport"] is None
    v = median_moving_speed_mps(rec.time_s, rec.channels.get("speed"), rec.channels["distance"])
    assert v > MAX_RUN_SPEED_MPS
    with pytest.raises(NotARunError, match=r"no sport named but the records move at a median \d+\.\d m/s"):
        gaitload.analyze(car)
    root = tmp_path / "in"
    root.mkdir()
    shutil.copy(car, root / "car.gpx")
    result = gaitload.season([root], tmp_path / "out", jobs=1, progress=False, figures=False)
    assert len(result.errors) == 0 and result.skipped["reason"].iloc[0].startswith("no sport named but")


# ------------------------------------------------------------------------------------------------
# the two real FIT "runs" with no steps: every record says cadence 0 (standing still)
# ------------------------------------------------------------------------------------------------
def _decode_records(path: Path):
    """fitdecode's own decode: (timestamp, cadence, fractional_cadence, speed, distance) per record,
    and the sessions' (sport, start, elapsed s)."""
    import fitdecode

    records, sessions = [], []
    with fitdecode.FitReader(str(path)) as reader:
        for frame in reader:
            if frame.frame_type != fitdecode.FIT_FRAME_DATA:
                continue
            if frame.name == "record":
                records.append(tuple(frame.get_value(k, fallback=None) for k in
                                     ("timestamp", "cadence", "fractional_cadence", "speed", "distance")))
            elif frame.name == "session":
                sessions.append((frame.get_value("sport"), frame.get_value("start_time").timestamp(),
                                 frame.get_value("total_elapsed_time")))
    return records, sessions


@pytest.mark.parametrize("rel", ["sweatpy-examples/sweat/examples/data/6471559601_ACTIVITY.fit",
                                 "heartandsole-tests/tests/B47I2852.FIT"])
def test_real_fit_runs_standing_still_say_why_no_steps(shared_data, rel, capsys):
    path = shared_data / rel
    records, sessions = _decode_records(path)
    # exact decode: every record has a timestamp and cadence 0 + 0/128, distance 0 m
    assert len(records) == {"6471559601_ACTIVITY.fit": 60, "B47I2852.FIT": 7}[path.name]
    assert all(ts is not None and cad == 0 and frac == 0.0 and dist == 0.0 for ts, cad, frac, _, dist in records)
    assert all(sp in (None, 0.0) for *_, sp, _ in records)
    # the running session's records are what gaitload keeps (the multisport file also has
    # transition and rowing sessions, dropped)
    sport, start, elapsed = next(s for s in sessions if s[0] == "running")
    in_run = [r for r in records if start <= r[0].timestamp() <= start + elapsed]
    rec = gaitload.read(path)
    assert rec.metadata["sport"] == "running" and rec.n_samples == len(in_run)
    assert len(in_run) == {"6471559601_ACTIVITY.fit": 25, "B47I2852.FIT": 7}[path.name]
    np.testing.assert_array_equal(rec.channels["cadence"], np.zeros(len(in_run)))

    expected = (f"cadence is 0 in all {len(in_run)} records (speed 0 m/s, distance 0 m throughout): the device "
                "counted no strides (standing still, or no stride sensor), so there are no steps to place and no "
                "muscle load")
    # no steps is no run: a typed error with the reason, never an empty "ok" result
    with pytest.raises(NoStepsError) as info:
        gaitload.analyze(path)
    assert info.value.problem == expected and isinstance(info.value, NotAnActivityError)
    from gaitload.cli import main

    assert main(["analyze", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == f"gaitload: {path}: {expected}\n"


def test_some_cadence_keeps_the_generic_warning(tmp_path):
    """A run too short for one step is not 'cadence 0': the generic warning stays."""
    path = write_fit(tmp_path / "short.fit", sport=RUNNING, sub_sport=0, cadence=20.0, speed_mps=1.0, n=2)
    with pytest.raises(NoStepsError, match="cadence integrates to less than one step; no steps placed"):
        gaitload.analyze(path)  # 40 steps/min over 1 s: 0.67 step


# ------------------------------------------------------------------------------------------------
# distance per counted step: an unnamed leg covering more ground per step than anyone on foot
# ------------------------------------------------------------------------------------------------
def test_metres_per_step_integrates_cadence_against_distance():
    from gaitload.io.sport import metres_per_step

    t = np.arange(601.0)  # 10 min at 1 Hz
    cadence = np.full(t.size, 170.0)  # steps/min
    dist = 3.4 * t  # 3.4 m/s -> 3.4 / (170 / 60) = 1.2 m per step
    m, steps, d = metres_per_step(t, cadence, dist)
    assert steps == pytest.approx(1700.0) and d == pytest.approx(2040.0) and m == pytest.approx(1.2)
    # a counter reset (distance falling back to ~0) adds no distance, and a 10-minute gap no steps
    dist2 = np.r_[dist, 0.5]
    t2 = np.r_[t, 1200.0]
    assert metres_per_step(t2, np.r_[cadence, 170.0], dist2)[0] == pytest.approx(1.2)
    # too little to judge
    assert np.isnan(metres_per_step(t[:60], cadence[:60], dist[:60])[0])


def test_step_length_rule_refuses_only_unnamed_sports():
    from gaitload.io.sport import MAX_STEP_M, step_length_verdict

    t = np.arange(601.0)
    cadence = np.r_[np.full(150, 170.0), np.zeros(451)]  # 150 one-second intervals at 170/min: 425 steps
    dist = 3.4 * t  # 2040 m -> 4.8 m per counted step
    generic = sport_verdict("generic", None, 3.4)
    out = step_length_verdict(generic, t, cadence, dist)
    assert out.on_foot is False and 2040 / (170 * 150 / 60) > MAX_STEP_M
    assert out.reason == ("sport is generic (unspecified) but not on foot: 4.8 m per step (425 steps from the "
                          "cadence over 2.04 km), longer than any running step (2.5 m)")
    # a file that names running is never refused by this rule, nor one without a cadence
    running = sport_verdict("running", None, 3.4)
    assert step_length_verdict(running, t, cadence, dist) is running
    assert step_length_verdict(generic, t, None, dist) is generic
    # a real run's 1.2 m per step keeps the verdict
    assert step_length_verdict(generic, t, np.full(t.size, 170.0), dist) is generic


_FENXI2 = "python-fitparse-tests/tests/files/activity-large-fenxi2-multisport.fit"


def test_real_generic_leg_with_4_5_m_per_step_is_refused_not_on_foot(shared_data, capsys):
    """The Fenix 2 multisport file's first leg (sport generic): 25.07 km over ~5580 steps from
    its cadence, 4.5 m per step, is not on foot; its running legs still are."""
    path = shared_data / _FENXI2
    rec = gaitload.read(path, activity=0)
    verdict = rec.metadata["sport_verdict"]
    assert verdict["on_foot"] is False
    assert verdict["reason"].startswith("sport is generic (unspecified) but not on foot: 4.5 m per step (")
    with pytest.raises(NotARunError) as info:
        gaitload.analyze(path, activity=0)
    assert "not on foot: 4.5 m per step" in str(info.value) and "\n" not in str(info.value)
    # the way out is named for Python and for the command line alike
    assert str(info.value).endswith("(pass sport_check=False, CLI: --any-sport, to analyse it anyway)")
    from gaitload.cli import main

    assert main(["analyze", str(path), "--activity", "0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not on foot: 4.5 m per step" in err and "--any-sport" in err
    # the legs the watch names running keep their verdict
    assert gaitload.read(path, activity=2).metadata["sport_verdict"]["on_foot"] is True
