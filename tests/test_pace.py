"""The shared grade-adjusted-pace model: published factors, pace parsing and the walk rule (the
simulator, which takes its GAP and cadence grade factors from here, still reproduces the committed
hilly sample: ``test_simulate.test_sample_data_matches_generator``)."""

from __future__ import annotations

import numpy as np
import pytest

from gaitload.errors import OptionError
from gaitload.pace import cadence_grade_factor, gap_speed_factor, parse_pace, predicted_gait


def test_gap_factors_are_the_published_strava_2017_values():
    # literature.md 1e (Robb 2017): +8 % 1.337, -8 % 0.876, +20 % 2.297, flat 1
    assert gap_speed_factor(np.array([0.0, 8.0, -8.0, 20.0])) == pytest.approx([1.0, 1.337, 0.876, 2.297])
    assert gap_speed_factor(60.0) == pytest.approx(4.286)  # clipped to the table's end
    assert np.isnan(gap_speed_factor(np.nan))


def test_cadence_rises_four_percent_at_seven_percent_grade():
    # Padulo et al. 2013: +4 % step frequency at +7 %
    assert cadence_grade_factor(7.0) == pytest.approx(1.04, abs=0.001)
    assert cadence_grade_factor(-10.0) < 1.0


@pytest.mark.parametrize("text, mps", [("5:00/km", 1000 / 300), ("4:30", 1000 / 270), ("8:00/mi", 1609.344 / 480),
                                       ("6:15 /km", 1000 / 375), (5.5, 1000 / 330)])
def test_parse_pace(text, mps):
    assert parse_pace(text) == pytest.approx(mps)


@pytest.mark.parametrize("text", ["2:00/km", "16:00/km", "abc", "5:00/lap", "1:30/km"])
def test_bad_pace_is_one_line_option_error(text):
    with pytest.raises(OptionError) as err:
        parse_pace(text)
    assert "\n" not in str(err.value) and "pace" in str(err.value)


def test_walk_where_gap_speed_is_below_transition_or_grade_is_extreme():
    v = np.array([3.0, 1.9, 3.0, 3.0, 3.0])
    g = np.array([5.0, 15.0, 30.0, -30.0, np.nan])
    assert list(predicted_gait(v, g)) == ["run", "walk", "walk", "walk", "run"]
