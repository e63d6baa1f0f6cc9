"""The model on a steps table: read the inputs once, multiply the modifiers, append the loads.

Running steps go through the modifiers of :mod:`gaitload.load.modifiers`; steps whose ``gait``
is ``walk`` use the rule set's walking block (when it has one). The level-ground comparison of
the summary (:func:`level_ground_loads`) keeps each step's speed, cadence and contact time and
puts it on level ground with the runner's own flat-ground strike.

Names outside ``__all__`` (``StepInputs``, ``TerrainFactors``, ``multipliers_of``,
``load_product``, ``with_loads``, ``load_matrix``, ``check_steps``) are the stage's parts that
:mod:`gaitload.load.summary` reuses; they are not part of the public API.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..errors import OptionError
from ..schema import MUSCLES, float_column
from .modifiers import (KNOWN_STRIKES, StrikeCodes, strike_delta, cadence_multiplier,
                        contact_time_multiplier, grade_multiplier, preferred_cadence, saturated_grade,
                        speed_multiplier, strike_multiplier, walking_loads)
from .rules import RuleSet, load_rules

__all__ = ["apply_rules", "muscle_multipliers", "level_ground_loads", "flat_strike_multiplier", "LOAD_COLUMNS"]

LOAD_COLUMNS = ("load_total",) + tuple(f"load_{m}" for m in MUSCLES)
_NM = len(MUSCLES)
#: steps within this |grade| (or the rule set's wider flat band) show the runner's level strike, %
_LEVEL_STRIKE_BAND_PCT = 2.0


def _text_column(steps: pd.DataFrame, name: str) -> pd.Series:
    if name not in steps.columns:
        return pd.Series("unknown", index=steps.index, dtype=object)
    return steps[name]


def check_steps(steps) -> None:
    """Refuse anything but a DataFrame with a typed error."""
    if not isinstance(steps, pd.DataFrame):
        raise OptionError(f"steps must be a pandas DataFrame, not {type(steps).__name__}")


def _walk_mask(steps: pd.DataFrame) -> np.ndarray:
    """Which steps are walking (``gait == "walk"``); none without a ``gait`` column."""
    if "gait" not in steps.columns:
        return np.zeros(len(steps), dtype=bool)
    return (steps["gait"].to_numpy(dtype=object) == "walk")


class StepInputs:
    """The model's inputs read once from a steps table: ``grade`` (%), ``speed`` (m/s) and
    ``cadence`` (steps/min) as float64 arrays (NaN when unknown), ``strike`` as codes, ``walk``
    as a boolean mask.

    ``apply_and_summarize`` reads each column once for the loads and the summary, which
    otherwise read them again from the table the loads were appended to.
    """

    def __init__(self, grade: np.ndarray, speed: np.ndarray, cadence: np.ndarray, strike: StrikeCodes,
                 walk: np.ndarray | None = None) -> None:
        self.grade, self.speed, self.cadence, self.strike = grade, speed, cadence, strike
        self.walk = np.zeros(grade.shape[0], dtype=bool) if walk is None else walk

    @classmethod
    def of(cls, steps: pd.DataFrame, patterns=KNOWN_STRIKES) -> "StepInputs":
        """Read ``steps``; ``patterns``: the strike patterns to code (:class:`StrikeCodes`)."""
        return cls(float_column(steps, "grade_pct"), float_column(steps, "speed_mps"),
                   float_column(steps, "cadence_spm"),
                   StrikeCodes.of(_text_column(steps, "strike_pattern"), patterns), _walk_mask(steps))


def flat_strike_multiplier(strike, grade_pct, rules: RuleSet, walk=None) -> tuple[np.ndarray, dict]:
    """The runner's own flat-ground strike: mean K vs rearfoot over their level running steps.

    Level steps are those inside the rule set's flat band (no grade rule applies there; at least
    +-2 %, the terrain classes' band) with a known strike pattern; without any, the rearfoot prior of literature.md 3.4 (71-95 % of
    recreational runners strike with the heel: Patoz 2019; Almeida 2015).

    Parameters
    ----------
    strike : array_like of str, shape (n,)
        Strike pattern per step.
    grade_pct : array_like, shape (n,)
        Grade, % (NaN: not counted as level).
    rules : RuleSet
    walk : array_like of bool, shape (n,), optional
        Walking steps (not counted).

    Returns
    -------
    multiplier : numpy.ndarray, shape (6,)
    fractions : dict
        ``{pattern: fraction}`` of the level steps' known strikes (empty for the prior).
    """
    codes = strike if isinstance(strike, StrikeCodes) else StrikeCodes.of(strike, KNOWN_STRIKES)
    grade = np.asarray(grade_pct, dtype=float)
    band = max(rules.model["flat_band_pct"], _LEVEL_STRIKE_BAND_PCT)
    with np.errstate(invalid="ignore"):
        level = (np.abs(grade) <= band) & (codes.code > 0)
    if walk is not None:
        level &= ~np.asarray(walk, dtype=bool)
    if not level.any():
        return np.ones(_NM), {}
    counts = np.bincount(codes.code[level], minlength=len(codes.patterns) + 1).astype(float)
    table = strike_delta(codes, rules) + 1.0
    multiplier = counts @ table / counts.sum()
    fractions = {p: float(counts[i + 1] / counts.sum()) for i, p in enumerate(codes.patterns) if counts[i + 1]}
    return multiplier, fractions


def muscle_multipliers(steps: pd.DataFrame, rules, preferred_cadence_spm: float | None = None) -> dict:
    """Every modifier of the model for every step.

    Parameters
    ----------
    steps : pandas.DataFrame
        Columns used: ``grade_pct``, ``strike_pattern``, ``speed_mps``, ``cadence_spm``,
        ``contact_time_ms`` (each optional; missing means neutral).
    rules : RuleSet, str or path-like
    preferred_cadence_spm : float, optional
        The runner's preferred cadence, steps/min; by default :func:`preferred_cadence`.

    Returns
    -------
    dict of numpy.ndarray
        ``grade``, ``strike`` (relative to the strike expected at the grade), ``speed``,
        ``cadence``, ``contact_time`` (each (n, 6)), ``preferred_cadence_spm`` (n,),
        ``flat_strike`` (6,).
    """
    check_steps(steps)
    rules = load_rules(rules)
    inputs = StepInputs.of(steps)
    return multipliers_of(inputs, float_column(steps, "contact_time_ms"), rules, preferred_cadence_spm)


def multipliers_of(inputs: StepInputs, contact_time_ms: np.ndarray, rules: RuleSet,
                 preferred_cadence_spm: float | None) -> dict:
    """:func:`muscle_multipliers` from inputs already read (``contact_time_ms``: per step, ms)."""
    grade, speed, cadence = inputs.grade, inputs.speed, inputs.cadence
    if preferred_cadence_spm is None:
        # the runner's preferred cadence is a running one: walking steps do not enter it
        run_cadence = np.where(inputs.walk, np.nan, cadence) if inputs.walk.any() else cadence
        preferred = preferred_cadence(run_cadence, speed, grade, rules)
    else:
        value = float(preferred_cadence_spm)
        if not math.isfinite(value) or value <= 0:
            raise OptionError(f"preferred_cadence_spm must be a positive number of steps/min, got {preferred_cadence_spm!r}")
        preferred = np.full(grade.shape[0], value)
    flat, fractions = flat_strike_multiplier(inputs.strike, grade, rules, inputs.walk)
    if inputs.walk.any():  # the runner's own force reference comes from running steps only
        contact_time_ms = np.where(inputs.walk, np.nan, contact_time_ms)
    return {
        "grade": grade_multiplier(grade, rules),
        "strike": strike_multiplier(inputs.strike, grade, rules, flat),
        "speed": speed_multiplier(speed, rules),
        "cadence": cadence_multiplier(cadence, preferred, rules),
        "contact_time": contact_time_multiplier(contact_time_ms, cadence, speed, grade, rules),
        "preferred_cadence_spm": preferred,
        "flat_strike": flat,
        "flat_strike_fractions": fractions,
    }


def load_product(parts: dict, rules: RuleSet, walk: np.ndarray, grade: np.ndarray, keep_parts: bool = False) -> np.ndarray:
    """Per-step, per-muscle load (n, 6): the product of the modifiers of :func:`multipliers_of`
    times the baseline S0; walking rows from the walking block. With ``keep_parts`` False the
    grade part is multiplied in place (its values are not used again)."""
    loads = np.multiply(parts["grade"], parts["strike"], out=None if keep_parts else parts["grade"])
    loads *= parts["speed"]
    loads *= parts["cadence"]
    if np.any(rules.contact_exponent):  # else the contact-time part is ones: x * 1 is x
        loads *= parts["contact_time"]
    loads *= rules.baseline[None, :]
    if rules.walking is not None and walk.any():
        loads[walk] = walking_loads(grade[walk], rules.walking, rules.model)
    return loads


def with_loads(steps: pd.DataFrame, loads: np.ndarray) -> pd.DataFrame:
    """``steps`` with the :data:`LOAD_COLUMNS` of ``loads`` (n, 6) appended (replaced if present)."""
    # the seven load columns as one (7, n) block (pandas' own layout) appended in one concat:
    # drop + assign cost ~1 ms of per-column index work on a 20-column steps table
    block = np.empty((len(LOAD_COLUMNS), loads.shape[0]))
    block[1:] = loads.T
    np.sum(loads, axis=1, out=block[0])
    new = pd.DataFrame(block.T, index=steps.index, columns=list(LOAD_COLUMNS), copy=False)
    keep = [c for c in steps.columns.tolist() if c not in LOAD_COLUMNS]  # (a list iterates faster)
    return pd.concat([steps if len(keep) == steps.shape[1] else steps[keep], new], axis=1)


def apply_rules(steps: pd.DataFrame, rules="source", preferred_cadence_spm: float | None = None) -> pd.DataFrame:
    """Per-step, per-muscle load: ``load_<muscle>`` and ``load_total`` columns.

    Vectorised over all steps (numpy); cost linear in the number of steps.

    Parameters
    ----------
    steps : pandas.DataFrame
        One row per foot contact with ``grade_pct`` (%), ``strike_pattern``, ``speed_mps`` (m/s),
        ``cadence_spm`` (steps/min), optionally ``contact_time_ms`` (ms) and ``gait``
        (``walk`` / ``run``, see :func:`gaitload.gait.classify_gait`; missing: running). Missing
        columns or NaN values make their modifier neutral.
    rules : RuleSet, str or path-like
        ``"source"``, ``"literature"`` or a TOML rule file (see :func:`load_rules`).
    preferred_cadence_spm : float, optional
        The runner's preferred cadence (steps/min). Default: the median cadence of this run's
        running steps at similar speed and grade (:func:`preferred_cadence`).

    Returns
    -------
    pandas.DataFrame
        A copy of ``steps`` with ``load_total`` and ``load_<m>`` for every m in :data:`MUSCLES`,
        in flat-step equivalents (a level 3.3 m/s rearfoot step at preferred cadence totals 1).
    """
    check_steps(steps)
    rules = load_rules(rules)
    inputs = StepInputs.of(steps)
    parts = multipliers_of(inputs, float_column(steps, "contact_time_ms"), rules, preferred_cadence_spm)
    return with_loads(steps, load_product(parts, rules, inputs.walk, inputs.grade))


def load_matrix(steps: pd.DataFrame) -> np.ndarray:
    """The ``load_<muscle>`` columns of steps as an (n, 6) array (flat-step equivalents)."""
    missing = [c for c in LOAD_COLUMNS if c not in steps.columns]
    if missing:
        raise OptionError(f"steps lack the load column '{missing[0]}': run apply_rules first")
    return np.column_stack([float_column(steps, f"load_{m}") for m in MUSCLES])


def level_ground_loads(steps: pd.DataFrame, rules) -> np.ndarray:
    """Loads of the same steps on level ground: same speed, cadence, contact time and gait.

    Only the grade changes (to 0) and the strike becomes the runner's own flat-ground strike
    (:func:`flat_strike_multiplier`): a runner who lands on the heel on the flat and on the
    forefoot uphill has that switch counted as terrain. Because the model is a product, this
    is ``load x K_flat / (G(g) K(strike | g))`` and needs no preferred cadence; walking steps
    compare with level walking.

    Parameters
    ----------
    steps : pandas.DataFrame
        Output of :func:`apply_rules`.
    rules : RuleSet, str or path-like
        The rule set that produced the loads.

    Returns
    -------
    numpy.ndarray, shape (n, 6)
    """
    check_steps(steps)
    rules = load_rules(rules)
    inputs = StepInputs.of(steps)
    return load_matrix(steps) * TerrainFactors.of(inputs, rules).level_ratio()


class TerrainFactors:
    """The terrain part of the model on some steps: G(g) and K(strike | g) (each (n, 6)), the
    runner's flat strike K_flat (6,), and for walking rows the walking block's level / actual.

    A run summary needs them for level-ground loads, the eccentric index and the contradiction
    check; the model is element-wise per step, so rows taken from the whole run's arrays are
    bit for bit what the functions give on a subset of the steps.
    """

    def __init__(self, grade_mult: np.ndarray, strike_mult: np.ndarray, flat_strike: np.ndarray,
                 walk: np.ndarray, walk_ratio: np.ndarray | None = None) -> None:
        self.grade_mult, self.strike_mult, self.flat_strike = grade_mult, strike_mult, flat_strike
        self.walk, self.walk_ratio = walk, walk_ratio

    @classmethod
    def of(cls, inputs: StepInputs, rules: RuleSet, flat_strike: np.ndarray | None = None) -> "TerrainFactors":
        grade = inputs.grade
        if flat_strike is None:
            flat_strike, _ = flat_strike_multiplier(inputs.strike, grade, rules, inputs.walk)
        return cls.from_parts(grade_multiplier(grade, rules), strike_multiplier(inputs.strike, grade, rules, flat_strike),
                              flat_strike, inputs, rules)

    @classmethod
    def from_parts(cls, grade_mult, strike_mult, flat_strike, inputs: StepInputs, rules: RuleSet) -> "TerrainFactors":
        walk = inputs.walk if rules.walking is not None else np.zeros_like(inputs.walk)
        walk_ratio = None
        if walk.any():
            actual = walking_loads(inputs.grade[walk], rules.walking, rules.model)
            level = walking_loads(np.zeros(int(walk.sum())), rules.walking, rules.model)
            walk_ratio = level / actual
        return cls(grade_mult, strike_mult, flat_strike, walk, walk_ratio)

    def level_ratio(self) -> np.ndarray:
        """Load on level ground / load on the actual grade, per step and muscle."""
        ratio = self.flat_strike[None, :] / (self.grade_mult * self.strike_mult)
        if self.walk_ratio is not None:
            ratio[self.walk] = self.walk_ratio
        return ratio

    def direction(self) -> np.ndarray:
        """Per-step terrain multiplier vs level (rows taken from it are the values of those
        steps: one product over all steps, then a gather per subset)."""
        return 1.0 / self.level_ratio()


def grade_beyond_valid(grade_pct, walk: np.ndarray, rules: RuleSet) -> np.ndarray:
    """Which steps stand on a grade beyond the rule set's valid range (the walking block's for
    walking steps): their grade modifiers are saturated at the range's edge."""
    g = np.asarray(grade_pct, dtype=float)
    with np.errstate(invalid="ignore"):
        beyond = np.isfinite(g) & (saturated_grade(g, rules.valid_grade_pct) != g)
        if rules.walking is not None and walk.any():
            beyond[walk] = np.isfinite(g[walk]) & (saturated_grade(g[walk], rules.walking.valid_grade_pct) != g[walk])
    return beyond
