"""Options stage: TerrainOptions refuses values no computation can use, naming the option."""

from __future__ import annotations

import numpy as np
import pytest

from gaitload.errors import OptionError
from gaitload.terrain import TerrainOptions


@pytest.mark.parametrize("name, value", [
    ("grid_step_m", 0.0), ("window_m_gps", -5.0), ("gain_sigma_s", -1.0), ("gain_hysteresis_m_barometric", np.nan),
    ("gps_track_cutoff_s", -8.0), ("gps_track_cutoff_s", np.inf), ("max_speed_mps", "fast"),
])
def test_unusable_values_are_refused_by_name(name, value):
    with pytest.raises(OptionError, match=name):
        TerrainOptions(**{name: value}).validate()


def test_defaults_and_zero_switches_are_valid():
    TerrainOptions().validate()
    # 0 turns the jitter smoother and the gain low-pass off: the raw fixes and samples
    TerrainOptions(gps_track_cutoff_s=0.0, gain_sigma_s=0.0).validate()
