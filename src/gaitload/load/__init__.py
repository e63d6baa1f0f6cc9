"""Per-muscle load: rule sets as TOML data and the vectorised per-step model.

Stages: :mod:`.rules` (TOML rule files), :mod:`.modifiers` (per-step modifiers and the walking
block), :mod:`.apply` (the model on a steps table, level-ground loads), :mod:`.summary` (the run
summary: shares, ``emphasis_vs_flat``, ``load_vs_level``, ``walk_fraction``, warnings).

``load_rules(name_or_path) -> RuleSet``, ``apply_rules(steps, rules) -> steps with load_*``,
``summarize_load(steps, rules) -> dict``, ``apply_and_summarize(steps, rules) -> (steps, dict)`` (both in
one pass, what ``gaitload.analyze`` runs), ``rule_set_names()``.
"""

from ..schema import MUSCLES
from .model import apply_and_summarize, apply_rules, level_ground_loads, muscle_multipliers, preferred_cadence, summarize_load
from .rules import RuleSet, load_rules, parse_rules, rule_set_names

__all__ = ["MUSCLES", "RuleSet", "apply_and_summarize", "apply_rules", "level_ground_loads", "load_rules", "muscle_multipliers",
           "parse_rules", "preferred_cadence", "rule_set_names", "summarize_load"]
