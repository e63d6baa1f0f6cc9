"""Warnings a runner reads: one terminal line per theme, most important first; gaps in channels
the analysis does not use are notes; advice only where following it changes the result."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import gaitload
from gaitload.briefing import THEMES, brief, drop_void_advice, split_notes, theme_of
from gaitload.cli import main
from gaitload.notice import Notice, code_of

HR_GAPS = "runpandas-tests/runpandas/tests/io/data/samples/2020-12-02T06_08_29-300_Running.tcx"
HIKE = "gpxpy-tests/test_files/korita-zbevnica.gpx"
WALK_FIT = "muktihari-fit-testdata/testdata/from_official_sdk/HrmPluginTestActivity.fit"


def test_heart_rate_gaps_are_notes_not_warnings(shared_data):
    summary = gaitload.analyze(shared_data / HR_GAPS).summary
    assert any(n.startswith("channel 'heart_rate':") for n in summary["notes"])
    assert not any("heart_rate" in w for w in summary["warnings"])
    # a watch's cadence read as the strides/min watches store is the convention, not a warning
    assert "cadence read as strides/min (median 88 of moving samples)" in summary["notes"]
    # gaps in used channels (position, cadence) are one data theme, whatever the channel; the
    # altitude's is a note, since the terrain stage says where the grade is unknown
    gaps = [w for w in summary["warnings"] if w.startswith("channel '")]
    assert len(gaps) == 3 and {theme_of(w.code) for w in gaps} == {"data"}
    assert any(w.code == "grade-unknown" for w in summary["warnings"])
    assert any(n.startswith("channel 'altitude':") for n in summary["notes"])
    assert sum(line.startswith("channel '") for line in brief(summary["warnings"])) == 1
    # a gap in a channel the analysis uses stays a warning; the channel is the notice's, not parsed
    cadence = Notice("channel 'cadence': 3 missing value(s) in 1 stretch(es), longest 4.0 s", "channel-gap",
                     channel="cadence")
    acc = Notice("channel 'left.acc_x': 2 missing value(s) in 1 stretch(es), longest 0.1 s", "channel-gap",
                 channel="left.acc_x")
    power = Notice("channel 'power': 9 missing value(s) in 2 stretch(es), longest 5.0 s", "channel-gap", channel="power")
    assert split_notes([cadence, acc, power]) == ([cadence, acc], [power])
    # decided by code, not by wording: a reworded gap is still a note, a plain text never is
    assert split_notes([Notice("9 holes in the power trace", "channel-gap", channel="power")])[0] == []
    assert split_notes([str(power)]) == ([str(power)], [])


def test_no_advice_to_double_a_cadence_already_doubled(shared_data):
    """The FIT SDK's HRM sample walks at 102 steps/min, read from the file's strides/min: telling
    the user to read it as strides/min would double it a second time."""
    summary = gaitload.analyze(shared_data / WALK_FIT).summary
    assert "x 2" in summary["provenance"]["channels"]["cadence"]
    assert not any("--cadence-unit" in w or "cadence_unit" in w for w in summary["warnings"])
    # the fact stays, as a note: the walking share already says what it does to the result
    assert "median cadence 102 steps/min (the file's strides/min already doubled): a walking pace" in summary["notes"]
    assert not any("a walking pace" in w for w in summary["warnings"])
    # where the unit was assumed, the advice can change the result and stays
    advice = Notice("median cadence 90/min is a walking or strides/min value; if the device records strides/min "
                    "(one foot), read it with cadence_unit='strides/min' (CLI: --cadence-unit strides/min)",
                    "cadence-walking", value=90.0)
    assert drop_void_advice([advice], "measured: csv column 'cad' (steps/min)") == [advice]
    assert drop_void_advice([advice], "measured: fit record.cadence (strides/min x 2 -> steps/min)") == [
        "median cadence 90 steps/min (the file's strides/min already doubled): a walking pace"]


def test_terminal_shows_one_line_per_theme_most_important_first(shared_data, capsys):
    path = shared_data / HIKE
    summary = gaitload.analyze(path).summary
    assert len(summary["warnings"]) >= 8  # the full list stays in the summary (more than the terminal shows)
    assert main(["analyze", str(path)]) == 0
    shown = [line[4:] for line in capsys.readouterr().out.splitlines() if line.startswith("  ! ")]
    *lines, last = shown
    assert last == f"{len(summary['warnings'])} warnings in all: --json (or --out's summary.json) lists every one"
    # the terminal's lines are text: their themes come from the codes of the warnings they show
    code = {str(w): c for w, c in zip(summary["warnings"], summary["warning_codes"])}
    themes = [theme_of(code[line.split(" (+")[0] if line.split(" (+")[0] in code else line]) for line in lines]
    assert None not in themes
    assert len(themes) == len(set(themes)) and len(lines) <= 8
    order = [name for name, _ in THEMES]
    assert [order.index(t) for t in themes] == sorted(order.index(t) for t in themes)
    # estimated steps come before how the file's clock was repaired
    assert themes[0] == "steps" and lines[0].startswith("no cadence channel: steps are estimated")
    hidden = sum(int(line.rsplit("(+", 1)[1].split()[0]) for line in lines if line.endswith(" more)"))
    assert len(lines) + hidden == len(summary["warnings"])


def test_brief_counts_and_keeps_unknown_warnings():
    warnings = [Notice("3 gap(s) in sampling (40.0 s in all); treated as pauses, not movement", "sampling-gaps"),
                "a new kind of warning nobody themed",
                Notice("no strike information: the strike-pattern modifier is neutral (rearfoot assumed)", "no-strike"),
                Notice("2 duplicate timestamp(s); later duplicates dropped", "timestamps-repaired"),
                Notice("the file holds 2 activities (0 running, 1 cycling); read activity 0 (running)",
                       "more-activities")]
    assert brief(warnings) == [
        "the file holds 2 activities (0 running, 1 cycling); read activity 0 (running)",
        "a new kind of warning nobody themed",
        "no strike information: the strike-pattern modifier is neutral (rearfoot assumed)",
        "2 duplicate timestamp(s); later duplicates dropped (+1 more)",
        "5 warnings in all: --json (or --out's summary.json) lists every one",
    ]
    assert brief([]) == []
    # a summary read back from JSON holds plain text: its warning_codes decide the same way
    assert brief([str(w) for w in warnings], codes=[code_of(w) for w in warnings]) == brief(warnings)
    # the wording decides nothing: the same text with another code lands in that code's theme
    assert brief([Notice("3 gap(s) in sampling (40.0 s in all)", "no-strike")]) == ["3 gap(s) in sampling (40.0 s in all)"]
    assert theme_of("no-strike") == "strike" and theme_of("general") is None


@pytest.mark.parametrize("per_theme", [1, 2])
def test_brief_never_loses_a_warning_from_the_count(per_theme):
    warnings = [Notice(f"{i} gap(s) in sampling (1.0 s in all); treated as pauses, not movement", "sampling-gaps")
                for i in range(1, 5)]
    lines = brief(warnings, per_theme=per_theme)
    assert len(lines) == per_theme + 1 and lines[per_theme - 1].endswith(f"(+{4 - per_theme} more)")


def test_briefing_decides_by_code_not_by_text():
    """No regular expression over warning text is left in briefing: themes, notes and order
    come from codes (the one pattern left reads the cadence provenance, not a warning)."""
    import inspect

    import gaitload.briefing as briefing

    source = inspect.getsource(briefing)
    assert source.count("re.compile(") == 1 and "_ALREADY_DECIDED = re.compile(" in source
    assert "re.match(" not in source and "re.search(" not in source and "re.sub(" not in source


def test_missing_altitude_is_said_once(shared_data):
    """A GPX whose altitude is missing over a kilometre: the terrain stage says where and what
    it does to the grade; the channel's count of missing values is a note, not a second line."""
    summary = gaitload.analyze(shared_data / "runpandas-tests/runpandas/tests/io/data/gpx/nike_run.gpx").summary
    assert any(w.startswith("altitude missing over") for w in summary["warnings"])
    assert not any(w.startswith("channel 'altitude'") for w in summary["warnings"])
    assert any(n.startswith("channel 'altitude'") for n in summary["notes"])


def test_unambiguous_clock_is_a_note_a_guess_a_warning(tmp_path):
    """A clock of 1.77e9 can only be epoch seconds (in ms, us or ns it is no plausible date), and
    ISO text with its zone can only be read one way: notes. A relative clock whose unit only the
    median interval suggests, or a time without a zone taken as UTC, stays a warning."""
    t = np.arange(600.0)
    speed = np.full(t.size, 3.0)
    cadence = np.full(t.size, 170.0)
    epoch = tmp_path / "epoch.csv"
    pd.DataFrame({"Timestamp": 1769628201 + t, "speed": speed, "cadence": cadence}).to_csv(epoch, index=False)
    summary = gaitload.analyze(epoch).summary
    assert any("epoch s" in n for n in summary["notes"])
    assert not any("epoch" in w for w in summary["warnings"])
    # ISO 8601 text with its zone written is read one way only; without a zone, UTC is a guess
    iso = tmp_path / "iso.csv"
    stamps = pd.Timestamp("2024-06-01T06:30:00+00:00") + pd.to_timedelta(t, unit="s")
    pd.DataFrame({"time": stamps.strftime("%Y-%m-%dT%H:%M:%S+00:00"), "speed": speed, "cadence": cadence}).to_csv(
        iso, index=False)
    summary = gaitload.analyze(iso).summary
    assert any("datetime text" in n for n in summary["notes"])
    assert not any("datetime text" in w for w in summary["warnings"])
    naive = tmp_path / "naive.csv"
    pd.DataFrame({"time": stamps.strftime("%Y-%m-%dT%H:%M:%S"), "speed": speed, "cadence": cadence}).to_csv(
        naive, index=False)
    assert any("no time zone written" in w for w in gaitload.analyze(naive).summary["warnings"])
    relative = tmp_path / "relative.csv"
    pd.DataFrame({"t": 1000.0 * t, "speed": speed, "cadence": cadence}).to_csv(relative, index=False)
    summary = gaitload.analyze(relative).summary
    assert any("median sample interval" in w for w in summary["warnings"])
