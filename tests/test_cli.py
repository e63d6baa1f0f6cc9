"""The command line contract: exit 2 and one line naming the file for bad input; --debug shows the
traceback; outputs are written on success (issue 5.5, 10.4)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import gaitload


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gaitload", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


BAD_CONTENT = {
    "empty": b"",
    "whitespace": b"   \n\n  \n",
    "binary": bytes(range(256)) * 8,
    "nul": b"\x00" * 4096,
    "text": b"hello, this is not a recording\nat all\n",
    "header_only": b"time,acc_x,acc_y,acc_z\n",
}


@pytest.mark.parametrize("ext", [".csv", ".txt", ".fit", ".tcx", ".gpx", ""])
@pytest.mark.parametrize("kind", sorted(BAD_CONTENT))
def test_bad_file_exits_2_with_one_line_naming_the_file(tmp_path, kind, ext):
    path = tmp_path / f"bad_{kind}{ext}"
    path.write_bytes(BAD_CONTENT[kind])
    result = run_cli("analyze", str(path))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert path.name in lines[0]
    assert "Traceback" not in result.stderr


def test_missing_file_and_folder(tmp_path):
    result = run_cli("analyze", str(tmp_path / "nope.fit"))
    assert result.returncode == 2 and "no such file" in result.stderr
    result = run_cli("analyze", str(tmp_path))
    assert result.returncode == 2 and "folder" in result.stderr


def test_debug_shows_the_traceback(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = run_cli("analyze", str(path), "--debug")
    assert result.returncode == 2
    assert "Traceback" in result.stderr and "empty.csv" in result.stderr.strip().splitlines()[-1]


def test_formats_lists_every_reader():
    result = run_cli("formats")
    assert result.returncode == 0
    for name in ("imu-csv", "records-csv", "fit", "tcx", "gpx"):
        assert name in result.stdout


def test_rules_lists_and_shows_citations():
    result = run_cli("rules")
    assert result.returncode == 0 and "source" in result.stdout and "literature" in result.stdout
    shown = run_cli("rules", "source")
    assert shown.returncode == 0 and "uphill" in shown.stdout.lower()
    bad = run_cli("rules", "no_such_rules")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_analyze_sample_writes_outputs_and_json(tmp_path, sample_data):
    src = sample_data / "watch_records.csv"
    out = tmp_path / "out"
    result = run_cli("analyze", str(src), "--out", str(out))
    assert result.returncode == 0, result.stderr
    for name in ("steps.csv", "segments.csv", "summary.json", "emphasis.png"):
        assert (out / name).stat().st_size > 0
    summary = json.loads((out / "summary.json").read_text())
    as_json = run_cli("analyze", str(src), "--json")
    assert as_json.returncode == 0
    assert json.loads(as_json.stdout)["n_steps"] == summary["n_steps"] > 0
    human = run_cli("analyze", str(src))
    assert human.returncode == 0 and "quads" in human.stdout and "steps" in human.stdout


def _human(summary: dict) -> list[str]:
    import contextlib
    import io

    from gaitload.cli import _print_human

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        _print_human(summary)
    return out.getvalue().splitlines()


def test_human_summary_wording_without_terrain_or_steps():
    """No '-0', no empty terrain line, '1 step', unknown distance and elevation said in words."""
    summary = {"path": "x.gpx", "format": "gpx", "sport": "sport code 4", "placement": "records",
               "rules": "source", "n_steps": 1, "duration_s": 30.0, "distance_m": float("nan"),
               "elevation_gain_m": float("nan"), "elevation_loss_m": float("nan"), "cadence_spm": float("nan"),
               "contact_time_ms": float("nan"),
               "terrain_fraction": {"uphill": 0.0, "flat": 0.0, "downhill": 0.0, "unknown": 1.0},
               "strike_pattern_fraction": {"rearfoot": 0.0, "unknown": 1.0},
               "muscle_share": {"glutes": 0.2, "core": 0.04}, "emphasis_vs_flat": {"glutes": -0.0001, "core": 0.0},
               "provenance": {"terrain": {"altitude": "none"}}, "warnings": []}
    lines = _human(summary)
    assert "sport code 4" in lines[0]
    assert lines[1].strip() == "1 step over 0.5 min elapsed, distance unknown, elevation unknown"
    assert lines[3].strip() == "terrain unknown (no altitude)"
    assert not any("strike pattern" in line for line in lines)
    assert not any("-0" in line for line in lines), lines
    summary.update(distance_m=2500.0, elevation_gain_m=0.0, elevation_loss_m=-0.0, n_steps=0,
                   terrain_fraction={"uphill": 0.4, "flat": 0.6, "downhill": 0.0, "unknown": 1e-4},
                   muscle_share={"glutes": float("nan")})
    lines = _human(summary)
    assert lines[1].strip() == "0 steps over 0.5 min elapsed, 2.50 km, up 0 m / down 0 m"
    assert lines[3].strip() == "terrain by distance: uphill 40%, flat 60%"
    assert lines[4].strip() == "no steps: no muscle load"


def test_speed_only_records_too_short_for_a_step_say_so_once(tmp_path):
    """'no cadence channel' and 'cadence integrates to <1 step' together read as a contradiction."""
    import gaitload

    path = tmp_path / "short.csv"
    path.write_text("time,speed\n0,0.3\n1,0.3\n2,0.3\n")
    with pytest.raises(gaitload.errors.NoStepsError) as info:
        gaitload.analyze(path)
    assert info.value.problem == ("no cadence channel, and the speed covers less than one step: no steps placed, "
                                  "nothing to load")


def test_unknown_option_prints_usage_and_exits_2(tmp_path):
    result = run_cli("analyze", str(tmp_path / "x.fit"), "--bogus")
    assert result.returncode == 2
    assert result.stderr.startswith("usage: gaitload analyze") and "--bogus" in result.stderr


def test_gain_note_when_uphill_terrain_has_zero_gain(shared_data):
    """garmin-fenix-5-run.fit: its climbs total ~2 m (the watch's own total ascent: 2 m).
    activity-small-fenix2-run.fit: ~10 % uphill by distance (segments of mean grade above the
    flat band) on hills of a few tens of metres; with a 50 m gain hysteresis gain is 0 m and the
    summary says why instead of contradicting itself."""
    import gaitload
    from gaitload.terrain import TerrainOptions

    path = shared_data / "python-fitparse-tests/tests/files/garmin-fenix-5-run.fit"
    assert gaitload.analyze(path).summary["elevation_gain_m"] == pytest.approx(2.0, abs=0.5)
    path = shared_data / "python-fitparse-tests/tests/files/activity-small-fenix2-run.fit"
    s = gaitload.analyze(path, terrain_options=TerrainOptions(gain_hysteresis_m_barometric=50.0)).summary
    assert s["elevation_gain_m"] == 0 and s["terrain_fraction"]["uphill"] > 0.05
    assert str(s["elevation_loss_m"]) == "0.0"  # not -0.0
    assert any(w.startswith("gain 0 m with") and "% uphill" in w for w in s["warnings"])


def _fit_sessions(path: Path) -> list[dict]:
    """The sessions of a FIT file decoded by fitdecode (an independent decoder): the truth."""
    fitdecode = pytest.importorskip("fitdecode")
    sessions = []
    with fitdecode.FitReader(str(path)) as fit:
        for frame in fit:
            if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "session":
                sessions.append({f.name: f.value for f in frame.fields})
    return sessions


def test_activities_command_lists_every_session_of_a_multisport_file(shared_data):
    """`gaitload activities FILE`: a header, then one line per session in file order with its
    sport, start (where the reader starts it, in the wearer's local time: the file's activity
    message gives the offset), the file's elapsed and timer time and distance, and on foot or not."""
    from gaitload.totals import format_duration

    path = shared_data / "python-fitparse-tests/tests/files/activity-large-fenxi2-multisport.fit"
    fitdecode = pytest.importorskip("fitdecode")
    truth = _fit_sessions(path)
    offset = None
    with fitdecode.FitReader(str(path)) as fit:
        for frame in fit:
            if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "activity":
                local, utc = frame.get_value("local_timestamp"), frame.get_value("timestamp")
                # fitdecode gives the UTC time zone-aware and the local one naive, or both naive
                utc = pd.Timestamp(utc).tz_localize(None) if pd.Timestamp(utc).tzinfo else pd.Timestamp(utc)
                offset = (pd.Timestamp(local).tz_localize(None) - utc).total_seconds()
    assert offset == 7200.0
    result = run_cli("activities", str(path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["K", "sport", "start", "elapsed", "timer", "distance", "on", "foot"]
    assert len(lines) == 1 + len(truth) == 8
    for k, (line, session) in enumerate(zip(lines[1:], truth)):
        words = line.split()
        assert words[0] == str(k)
        assert words[1] == str(session["sport"])
        # the start is where the reader starts the activity (its first record kept), so the
        # listing and an analysis of it agree
        first = gaitload.read(path, activity=k).start_time.tz_localize(None)
        expected = first + pd.Timedelta(seconds=offset)
        assert " ".join(words[2:5]) == f"{expected:%Y-%m-%d %H:%M} +02:00"
        assert words[5] == format_duration(session["total_elapsed_time"])
        assert words[6] == format_duration(session["total_timer_time"])
        assert words[7] == f"{session['total_distance'] / 1000:.2f}"
        # the generic leg covers 4.5 m per counted step: not on foot, like the ride
        assert words[9] == ("yes" if session["sport"] == "running" else "no")


def test_activities_command_unreadable_file_is_one_line(tmp_path):
    path = tmp_path / "junk.fit"
    path.write_bytes(b"hello, this is not a recording\n")
    result = run_cli("activities", str(path))
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and "junk.fit" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_analyze_help_names_the_activities_command():
    result = run_cli("analyze", "--help")
    assert "gaitload activities FILE" in " ".join(result.stdout.split())


def test_step_count_says_elapsed_and_estimated():
    """The step line's minutes are the elapsed time (the timer time is on the line above), and a
    step count integrated from a speed-estimated cadence is tagged as estimated."""
    summary = {"path": "x.tcx", "format": "tcx", "placement": "records", "rules": "source", "n_steps": 4969,
               "duration_s": 1992.0, "distance_m": 4690.0, "elevation_gain_m": 119.0, "elevation_loss_m": -131.0,
               "cadence_spm": 150.0, "contact_time_ms": float("nan"), "cadence_source": "estimated",
               "terrain_fraction": {}, "muscle_share": {}, "warnings": []}
    assert _human(summary)[1].strip() == "4969 steps (estimated) over 33.2 min elapsed, 4.69 km, up 119 m / down 131 m"
    summary["cadence_source"] = "recorded"
    assert _human(summary)[1].strip() == "4969 steps over 33.2 min elapsed, 4.69 km, up 119 m / down 131 m"
