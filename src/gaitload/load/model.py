"""The per-step muscle-load model, vectorised over every step of a run.

The stages live in their own modules: :mod:`~gaitload.load.modifiers` (the pure per-step
modifiers G, K, V, C, T and the walking block), :mod:`~gaitload.load.apply` (the model on a
steps table, the level-ground comparison) and :mod:`~gaitload.load.summary` (the run summary
and its warnings). This module keeps the names it always offered.
"""

from __future__ import annotations

from .apply import LOAD_COLUMNS, apply_rules, flat_strike_multiplier, level_ground_loads, muscle_multipliers
from .modifiers import (cadence_multiplier, contact_time_multiplier, expected_strike_multiplier,
                        grade_multiplier, preferred_cadence, saturated_grade, speed_multiplier, strike_multiplier,
                        walking_loads)
from .summary import apply_and_summarize, summarize_load

__all__ = [
    "apply_rules", "summarize_load", "apply_and_summarize", "muscle_multipliers", "level_ground_loads", "preferred_cadence",
    "grade_multiplier", "strike_multiplier", "expected_strike_multiplier", "speed_multiplier", "cadence_multiplier",
    "contact_time_multiplier", "flat_strike_multiplier", "walking_loads", "saturated_grade", "LOAD_COLUMNS",
]
