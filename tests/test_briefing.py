"""Warnings a runner reads: one terminal line per theme, most important first; gaps in channels
the analysis does not use are notes; advice only where following it changes the result."""

from __future__ import annotations

import pytest

import gaitload
from gaitload.briefing import THEMES, brief, drop_void_advice, split_notes, theme_of
from gaitload.cli import main

HR_GAPS = "runpandas-tests/runpandas/tests/io/data/samples/2020-12-02T06_08_29-300_Running.tcx"
HIKE = "gpxpy-tests/test_files/korita-zbevnica.gpx"
WALK_FIT = "muktihari-fit-testdata/testdata/from_official_sdk/HrmPluginTestActivity.fit"


def test_heart_rate_gaps_are_notes_not_warnings(shared_data):
    summary = gaitload.analyze(shared_data / HR_GAPS).summary
    assert any(n.startswith("channel 'heart_rate':") for n in summary["notes"])
    assert not any("heart_rate" in w for w in summary["warnings"])
    # a watch's cadence read as the strides/min watches store is the convention, not a warning
    assert "cadence read as strides/min (median 88 of moving samples)" in summary["notes"]
    # gaps in used channels (altitude, position) are one data theme, whatever the channel
    gaps = [w for w in summary["warnings"] if w.startswith("channel '")]
    assert len(gaps) == 4 and {theme_of(w) for w in gaps} == {"data"}
    assert sum(line.startswith("channel '") for line in brief(summary["warnings"])) == 1
    # a gap in a channel the analysis uses stays a warning
    assert split_notes(["channel 'cadence': 3 missing value(s) in 1 run(s), longest 4.0 s",
                        "channel 'left.acc_x': 2 missing value(s) in 1 run(s), longest 0.1 s",
                        "channel 'power': 9 missing value(s) in 2 run(s), longest 5.0 s"]) == (
        ["channel 'cadence': 3 missing value(s) in 1 run(s), longest 4.0 s",
         "channel 'left.acc_x': 2 missing value(s) in 1 run(s), longest 0.1 s"],
        ["channel 'power': 9 missing value(s) in 2 run(s), longest 5.0 s"])


def test_no_advice_to_double_a_cadence_already_doubled(shared_data):
    """The FIT SDK's HRM sample walks at 102 steps/min, read from the file's strides/min: telling
    the user to read it as strides/min would double it a second time."""
    summary = gaitload.analyze(shared_data / WALK_FIT).summary
    assert "x 2" in summary["provenance"]["channels"]["cadence"]
    assert not any("--cadence-unit" in w or "cadence_unit" in w for w in summary["warnings"])
    assert "median cadence 102 steps/min (the file's strides/min already doubled): a walking pace" in summary["warnings"]
    # where the unit was assumed, the advice can change the result and stays
    advice = ("median cadence 90/min is a walking or strides/min value; if the device records strides/min (one "
              "foot), read it with cadence_unit='strides/min' (CLI: --cadence-unit strides/min)")
    assert drop_void_advice([advice], "measured: csv column 'cad' (steps/min)") == [advice]


def test_terminal_shows_one_line_per_theme_most_important_first(shared_data, capsys):
    path = shared_data / HIKE
    summary = gaitload.analyze(path).summary
    assert len(summary["warnings"]) >= 12  # the full list stays in the summary
    assert main(["analyze", str(path)]) == 0
    shown = [line[4:] for line in capsys.readouterr().out.splitlines() if line.startswith("  ! ")]
    *lines, last = shown
    assert last == f"{len(summary['warnings'])} warnings in all: --json (or --out's summary.json) lists every one"
    themes = [theme_of(line) for line in lines]
    assert len(themes) == len(set(themes)) and len(lines) <= 8
    order = [name for name, _ in THEMES]
    assert [order.index(t) for t in themes] == sorted(order.index(t) for t in themes)
    # estimated steps come before how the file's clock was repaired
    assert themes[0] == "steps" and lines[0].startswith("no cadence channel: steps are estimated")
    hidden = sum(int(line.rsplit("(+", 1)[1].split()[0]) for line in lines if line.endswith(" more)"))
    assert len(lines) + hidden == len(summary["warnings"])


def test_brief_counts_and_keeps_unknown_warnings():
    warnings = ["3 gap(s) in sampling (40.0 s in all); treated as pauses, not movement",
                "a new kind of warning nobody themed",
                "no strike information: the strike-pattern modifier is neutral (rearfoot assumed)",
                "2 duplicate timestamp(s); later duplicates dropped",
                "the file holds 2 activities (0 running, 1 cycling); read activity 0 (running)"]
    assert brief(warnings) == [
        "the file holds 2 activities (0 running, 1 cycling); read activity 0 (running)",
        "a new kind of warning nobody themed",
        "no strike information: the strike-pattern modifier is neutral (rearfoot assumed)",
        "2 duplicate timestamp(s); later duplicates dropped (+1 more)",
        "5 warnings in all: --json (or --out's summary.json) lists every one",
    ]
    assert brief([]) == []


@pytest.mark.parametrize("per_theme", [1, 2])
def test_brief_never_loses_a_warning_from_the_count(per_theme):
    warnings = [f"{i} gap(s) in sampling (1.0 s in all); treated as pauses, not movement" for i in range(1, 5)]
    lines = brief(warnings, per_theme=per_theme)
    assert len(lines) == per_theme + 1 and lines[per_theme - 1].endswith(f"(+{4 - per_theme} more)")
