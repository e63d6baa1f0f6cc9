"""The model's modifiers, pure and vectorised over steps (literature.md section 3).

Per running step and muscle group m::

    load_m = S0_m x G_m(grade) x K_m(strike | grade) x V_m(speed) x C_m(cadence) x T_m(contact time)

in flat-step equivalents: a level step at 3.3 m/s, the runner's flat-ground strike and preferred
cadence has ``load_total == 1`` for a rearfoot striker (sum over m of S0_m). Every modifier is 1
(neutral) when its input is missing (NaN grade, ``unknown`` strike, NaN speed / cadence /
contact time).

- G (grade, 3.3): uphill ``1 + w(g) [a_m (E(g) - 1) / S0_m + c_m |g|]``, with E(g) the Strava 2017
  equivalent-heart-rate factor (Robb 2017) and a_m an allocation summing to 1, so the uphill step
  total follows E(g); downhill ``max(floor, 1 + w(g) d_m |g|)``. ``w`` is 0 inside the flat band
  and ramps linearly to 1 over ``ramp_pct``. Grades beyond the rule set's ``valid_grade_pct``
  use the value at the edge (saturated: no extrapolation past the grades the rules rest on).
- K (strike, 3.4): multiplier of the step's strike relative to the strike *expected* at that
  grade (``[expected_strike]``: slope studies let runners self-select their strike, so G already
  holds the expected one). An unknown strike is the expected one.
- V (speed, 3.5): ``(v / 3.3)^k_m``, v clipped to [2, 6] m/s, optional plateau (calves at 5 m/s,
  Schache et al. 2015).
- C (cadence, 3.6): piecewise linear in ``x = cadence / preferred - 1`` through the +-10 % anchors of
  Lenhart et al. 2014, x clipped to +-15 %. Preferred cadence = the runner's own median cadence at
  similar speed and grade (see :func:`preferred_cadence`).
- T (contact time, 3.7, optional): ``(F / F_ref)^e_m`` with ``F = t_step / t_c`` the mean vertical
  force over stance in body weights (impulse-momentum) and ``F_ref`` the runner's own
  speed-matched median, capped at +-15 %.

Walking steps use the rule set's walking block instead (:func:`walking_loads`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import MUSCLES
from .rules import RuleSet, WalkingBlock

__all__ = [
    "grade_multiplier", "strike_multiplier", "expected_strike_multiplier", "speed_multiplier",
    "cadence_multiplier", "contact_time_multiplier", "preferred_cadence", "walking_loads", "saturated_grade",
]

_NM = len(MUSCLES)
#: strike patterns a detector can name; any other value (``unknown``, NaN) is no strike information
KNOWN_STRIKES = ("rearfoot", "midfoot", "forefoot")


# -- pure vectorised modifiers ----------------------------------------------------------------
def saturated_grade(grade_pct, valid_grade_pct) -> np.ndarray:
    """Grade held within the valid range (NaN -> 0, level), %.

    Parameters
    ----------
    grade_pct : array_like, shape (n,)
        Grade, %.
    valid_grade_pct : (float, float)
        Lowest and highest grade the rules were sized on, %.

    Returns
    -------
    numpy.ndarray, shape (n,)
    """
    g = np.nan_to_num(np.asarray(grade_pct, dtype=float), nan=0.0)
    return np.clip(g, valid_grade_pct[0], valid_grade_pct[1])


def ramp_weight(abs_grade_pct: np.ndarray, model: dict) -> np.ndarray:
    """Weight of the grade rules at each |grade| (%): 0 in the flat band, ramping to 1 over
    ``ramp_pct`` above it."""
    band, ramp = model["flat_band_pct"], model["ramp_pct"]
    if ramp > 0:
        return np.clip((abs_grade_pct - band) / ramp, 0.0, 1.0)
    return (abs_grade_pct > band).astype(float)


def grade_multiplier(grade_pct, rules: RuleSet) -> np.ndarray:
    """Grade multiplier G_m per step (literature.md 3.3).

    Parameters
    ----------
    grade_pct : array_like, shape (n,)
        Grade under each step, % (rise / run x 100), any value: beyond the rule set's
        ``valid_grade_pct`` the edge's value is used. NaN is treated as level (neutral).
    rules : RuleSet

    Returns
    -------
    numpy.ndarray, shape (n, 6)
        Columns in :data:`MUSCLES` order.
    """
    model = rules.model
    g = saturated_grade(grade_pct, rules.valid_grade_pct)
    a = np.abs(g)
    w = ramp_weight(a, model)
    up, down = g > 0, g < 0
    # uphill rows get the per-% terms plus the allocation of the extra effort, downhill rows the
    # per-% terms, level rows nothing
    w_a = w * a
    term = np.multiply.outer(np.where(up, w_a, 0.0), rules.up_per_pct)
    term += np.multiply.outer(np.where(down, w_a, 0.0), rules.down_per_pct)
    term += np.multiply.outer(np.where(up, w * (rules.effort(g) - 1.0), 0.0), rules.up_allocation / rules.baseline)
    term += 1.0
    floor = np.where(up, model["uphill_floor"], np.where(down, model["downhill_floor"], 1.0))
    return np.maximum(term, floor[:, None], out=term)


class StrikeCodes:
    """Each step's strike pattern as a small integer: compared once, reused by every strike multiplier.

    Comparing a column of 20,000 strings costs ~1 ms in pandas; a run summary needs the
    strike multiplier several times on the same steps (the loads, level ground, the rule-set
    contradiction check on uphill and downhill subsets). ``code`` is 0 for any other value
    (``unknown``, NaN) and ``i + 1`` for ``patterns[i]``.
    """

    def __init__(self, code: np.ndarray, patterns: tuple) -> None:
        self.code, self.patterns = code, patterns

    @classmethod
    def of(cls, strike_pattern, patterns) -> "StrikeCodes":
        patterns = tuple(patterns)
        if isinstance(strike_pattern, pd.Series):
            # one hash pass over the column (pd.factorize), then a lookup per distinct value:
            # an element-wise == on an object column costs ~0.3 ms per pattern on 10,000 steps.
            # Missing values get code -1 and match no pattern, as == does.
            codes, uniques = pd.factorize(strike_pattern)
            lookup = np.array([patterns.index(u) + 1 if isinstance(u, str) and u in patterns else 0
                               for u in uniques] + [0], dtype=np.intp)  # one entry per distinct value
            return cls(lookup[codes], patterns)  # code -1 takes the trailing 0
        s = np.asarray(strike_pattern, dtype=object)
        code = np.zeros(s.shape[0], dtype=np.intp)
        for i, p in enumerate(patterns):  # a few patterns: loop is over patterns, not steps
            code[s == p] = i + 1
        return cls(code, patterns)

    def subset(self, mask: np.ndarray) -> "StrikeCodes":
        return StrikeCodes(self.code[mask], self.patterns)


def strike_multiplier(strike_pattern, grade_pct, rules: RuleSet, flat_strike=None) -> np.ndarray:
    """Strike-pattern multiplier K_m relative to the strike expected at each grade (literature.md 3.4).

    ``K(strike) / K(expected(g))``: the grade multiplier G comes from slope studies in which the
    runners chose their own strike, so G already holds the strike expected on that grade (the
    rule set's ``[expected_strike]``, ramping in with the grade rules outside the flat band).
    A step whose strike is unknown is taken to use the expected one for its grade, from the
    runner's own flat-ground strike ``flat_strike`` (K = ``flat_strike`` on every grade).

    Parameters
    ----------
    strike_pattern : array_like of str, shape (n,)
        ``rearfoot`` / ``midfoot`` / ``forefoot``; anything else (``unknown``, NaN) is unknown.
    grade_pct : array_like, shape (n,)
        Grade in %; NaN counts as level.
    rules : RuleSet
    flat_strike : array_like, shape (6,), optional
        The runner's flat-ground strike multiplier vs rearfoot (:func:`flat_strike_multiplier`
        in :mod:`gaitload.load.apply`); default rearfoot (ones, the prior of literature.md 3.4).

    Returns
    -------
    numpy.ndarray, shape (n, 6)
    """
    if not isinstance(strike_pattern, StrikeCodes):
        strike_pattern = StrikeCodes.of(strike_pattern, KNOWN_STRIKES)
    flat = np.ones(_NM) if flat_strike is None else np.asarray(flat_strike, dtype=float)
    table = strike_delta(strike_pattern, rules) + 1.0
    table[0] = flat  # unknown: the runner's own strike, shifted as expected for the grade
    a = np.abs(np.nan_to_num(np.asarray(grade_pct, dtype=float), nan=0.0))
    known = (strike_pattern.code > 0)[:, None]
    out = np.where(known, table[strike_pattern.code] / expected_strike_multiplier(grade_pct, rules), table[0])
    # an optional taper of the deviation with |grade| (older rule files; 1 = none)
    keep = _strike_keep_fraction(a, rules.model)
    if np.any(keep != 1.0):
        out = 1.0 + keep[:, None] * (out - 1.0)
    return out


def expected_strike_multiplier(grade_pct, rules: RuleSet) -> np.ndarray:
    """K of the strike expected at each grade vs rearfoot, (n, 6): 1 on the level, the
    ``[expected_strike]`` pattern's K uphill / downhill, ramping in as the grade rules do."""
    g = saturated_grade(grade_pct, rules.valid_grade_pct)
    w = ramp_weight(np.abs(g), rules.model)
    up = rules.strike_vector(rules.expected_strike["uphill"]) - 1.0
    down = rules.strike_vector(rules.expected_strike["downhill"]) - 1.0
    out = np.multiply.outer(np.where(g > 0, w, 0.0), up)
    out += np.multiply.outer(np.where(g < 0, w, 0.0), down)
    out += 1.0
    return out


def strike_delta(strike: StrikeCodes, rules: RuleSet) -> np.ndarray:
    """K - 1 per strike code, shape (1 + patterns, 6): neutral first, then each pattern (a
    pattern the rule set does not name is neutral)."""
    ones = np.ones(_NM)
    return np.array([ones] + [rules.strike.get(p, ones) for p in strike.patterns], dtype=float) - 1.0


def _strike_keep_fraction(abs_grade_pct: np.ndarray, model: dict) -> np.ndarray:
    """Fraction of the strike effect kept at each |grade| (%): 1 below the taper, ``keep`` above."""
    start, end, keep = model["strike_taper_start_pct"], model["strike_taper_end_pct"], model["strike_taper_keep"]
    if end > start:
        frac = np.clip((abs_grade_pct - start) / (end - start), 0.0, 1.0)
    else:
        frac = (abs_grade_pct >= start).astype(float)
    return 1.0 - (1.0 - keep) * frac


def speed_multiplier(speed_mps, rules: RuleSet) -> np.ndarray:
    """Speed multiplier V_m = (v / v_ref)^k_m, v clipped, per-muscle plateau (literature.md 3.5).

    Parameters
    ----------
    speed_mps : array_like, shape (n,)
        Running speed, m/s; NaN is neutral (reference speed assumed).
    rules : RuleSet

    Returns
    -------
    numpy.ndarray, shape (n, 6)
    """
    model = rules.model
    ref = model["reference_speed_mps"]
    lo, hi = model["speed_clip_mps"]
    v = np.asarray(speed_mps, dtype=float)
    v = np.clip(np.where(np.isfinite(v), v, ref), lo, hi)
    # plateau per muscle (calves: ankle work stops growing at 5 m/s, Schache 2015); the
    # reference speed itself stays the reference even if a plateau lies below it
    capped = np.minimum(v[:, None], np.maximum(rules.speed_max_mps[None, :], ref))
    return (capped / ref) ** rules.speed_exponent[None, :]


def _binned_median(values: np.ndarray, speed_mps: np.ndarray, grade_pct: np.ndarray, model: dict) -> np.ndarray:
    """Median of ``values`` among steps of similar speed and grade, with coarser fallbacks.

    Bins: speed ``preferred_speed_bin_mps`` wide x grade ``preferred_grade_bin_pct`` wide; a bin with
    fewer than ``preferred_min_steps`` finite values falls back to its speed bin, then to the
    run's median. Steps without speed use the run's median.
    """
    n = values.shape[0]
    finite = np.isfinite(values)
    if not finite.any():
        return np.full(n, np.nan)
    out = np.full(n, float(np.median(values[finite])))
    lo, hi = model["valid_grade_pct"]
    speed_bin = np.floor(speed_mps / model["preferred_speed_bin_mps"])
    grade_bin = np.floor(saturated_grade(grade_pct, (lo, hi)) / model["preferred_grade_bin_pct"])
    min_steps = model["preferred_min_steps"]
    for keys in ((speed_bin,), (speed_bin, grade_bin)):  # coarse first, finer bins overwrite
        median, count = group_median(values, bin_codes(*keys))
        use = np.isfinite(median) & (count >= min_steps)
        out[use] = median[use]
    return out


def bin_codes(*keys: np.ndarray) -> np.ndarray:
    """One integer group code per row for the combination of its ``keys`` (0, 1, ...), -1 where
    any key is NaN (such a row belongs to no group).

    Keys are bin numbers (whole numbers, e.g. ``floor(speed / width)``): they are offset to start
    at 0 and combined arithmetically, a counting pass instead of a sort; a key spread over more
    bins than rows (a garbled value) is numbered by sorting instead."""
    ok = np.logical_and.reduce([np.isfinite(k) for k in keys])
    out = np.full(ok.shape, -1, dtype=np.int64)
    n_ok = int(ok.sum())
    if not n_ok:
        return out
    code = np.zeros(n_ok, dtype=np.int64)
    for key in keys:
        k = key[ok]
        span = float(k.max() - k.min()) + 1.0
        if span * (int(code.max()) + 1) > 4 * n_ok + 64:
            levels, level_of = np.unique(k, return_inverse=True)
            code = code * levels.size + level_of
        else:
            code = code * int(span) + (k - k.min()).astype(np.int64)
    present = np.bincount(code) > 0
    out[ok] = (np.cumsum(present) - 1)[code]
    return out


def group_median(values: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the median and the count of the finite ``values`` of its group.

    Parameters
    ----------
    values : ndarray, shape (n,)
        NaN values count in no group.
    codes : ndarray of int, shape (n,)
        Group of each row (:func:`bin_codes`); -1: no group (NaN median, count 0).

    Returns
    -------
    median : ndarray, shape (n,)
        The group's median (the mean of the two middle values of an even count); NaN for a row
        without a group or whose group has no finite value.
    count : ndarray of int, shape (n,)
    """
    n = values.shape[0]
    median, count = np.full(n, np.nan), np.zeros(n, dtype=np.int64)
    grouped = codes >= 0
    counted = grouped & np.isfinite(values)
    if not counted.any():
        return median, count
    c, v = codes[counted], values[counted]
    # by group, then by value inside it: a stable sort of the values, then a stable sort of their
    # groups (a counting sort for small integers; 25 % faster than np.lexsort of both)
    order = np.argsort(v, kind="stable")
    order = order[np.argsort(c[order].astype(np.int16 if c.max() < 2**15 else np.int64), kind="stable")]
    v = v[order]
    n_groups = int(codes.max()) + 1
    sizes = np.bincount(c, minlength=n_groups)
    starts = np.cumsum(sizes) - sizes
    has = sizes > 0
    group_med = np.full(n_groups, np.nan)
    low, high = (starts + (sizes - 1) // 2)[has], (starts + sizes // 2)[has]
    group_med[has] = (v[low] + v[high]) / 2.0
    median[grouped] = group_med[codes[grouped]]
    count[grouped] = sizes[codes[grouped]]
    return median, count


def preferred_cadence(cadence_spm, speed_mps, grade_pct, rules: RuleSet) -> np.ndarray:
    """The runner's own preferred cadence for each step, steps/min.

    The median cadence of the same run among steps at similar speed (bins of
    ``preferred_speed_bin_mps``, default 0.25 m/s) and grade (bins of ``preferred_grade_bin_pct``,
    default 5 %); bins with fewer than ``preferred_min_steps`` steps fall back to the speed bin and
    then to the run's median. Matching speed and grade follows literature.md 3.6: cadence rises
    with speed (+10 % from 3.5 to 5.2 m/s, Dorn et al. 2012) and uphill (Padulo et al. 2013), and
    those self-selected changes are already inside the speed and grade modifiers.

    Parameters
    ----------
    cadence_spm, speed_mps, grade_pct : array_like, shape (n,)
        Per-step cadence (steps/min), speed (m/s) and grade (%), NaN allowed.
    rules : RuleSet

    Returns
    -------
    numpy.ndarray, shape (n,)
        NaN everywhere when no step has a cadence.
    """
    cadence = np.asarray(cadence_spm, dtype=float)
    cadence = np.where(cadence > 0, cadence, np.nan)
    return _binned_median(cadence, np.asarray(speed_mps, dtype=float), np.asarray(grade_pct, dtype=float),
                          rules.model)


def cadence_multiplier(cadence_spm, preferred_spm, rules: RuleSet) -> np.ndarray:
    """Cadence multiplier C_m, piecewise linear through the +-10 % anchors (literature.md 3.6).

    Parameters
    ----------
    cadence_spm : array_like, shape (n,)
        Step rate, steps/min (NaN: neutral).
    preferred_spm : float or array_like, shape (n,)
        Preferred step rate, steps/min (NaN: neutral).
    rules : RuleSet

    Returns
    -------
    numpy.ndarray, shape (n, 6)
    """
    cadence = np.asarray(cadence_spm, dtype=float)
    preferred = np.broadcast_to(np.asarray(preferred_spm, dtype=float), cadence.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = cadence / preferred - 1.0
    clip = rules.model["cadence_clip"]
    x = np.clip(np.where(np.isfinite(x) & (preferred > 0), x, 0.0), -clip, clip)
    out = np.multiply.outer(np.maximum(x, 0.0), rules.cadence_slope_up)
    out += np.multiply.outer(np.minimum(x, 0.0), rules.cadence_slope_down)
    out += 1.0
    return out


def contact_time_multiplier(contact_time_ms, cadence_spm, speed_mps, grade_pct, rules: RuleSet) -> np.ndarray:
    """Optional contact-time residual T_m (literature.md 3.7).

    ``F = t_step / t_c`` (mean vertical force over stance in body weights, impulse-momentum over
    one step, ``t_step = 60 / cadence``), compared with the runner's own median ``F`` at similar
    speed and grade; ``T_m = (F / F_ref)^e_m`` capped at ``1 +- contact_time_cap``.

    Parameters
    ----------
    contact_time_ms, cadence_spm, speed_mps, grade_pct : array_like, shape (n,)
        Contact time (ms), cadence (steps/min), speed (m/s), grade (%); NaN: neutral.
    rules : RuleSet

    Returns
    -------
    numpy.ndarray, shape (n, 6)
    """
    n = np.asarray(contact_time_ms).shape[0]
    if not np.any(rules.contact_exponent):
        return np.ones((n, _NM))
    contact = np.asarray(contact_time_ms, dtype=float)
    cadence = np.asarray(cadence_spm, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        force = (60.0 / cadence) / (contact / 1000.0)
    force = np.where(np.isfinite(force) & (force > 0), force, np.nan)
    reference = _binned_median(force, np.asarray(speed_mps, dtype=float), np.asarray(grade_pct, dtype=float),
                               rules.model)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = force / reference
    ratio = np.where(np.isfinite(ratio) & (ratio > 0), ratio, 1.0)
    cap = rules.model["contact_time_cap"]
    return np.clip(ratio[:, None] ** rules.contact_exponent[None, :], 1.0 - cap, 1.0 + cap)



def walking_loads(grade_pct, walking: WalkingBlock, model: dict) -> np.ndarray:
    """Per-muscle load of walking steps, (n, 6), flat running-step equivalents.

    ``level_step_load x shares_m x max(0.5, 1 + w(g) slope_m |g|)`` with the uphill or downhill
    slope per 1 % grade of the walking block and ``w`` the flat-band ramp of ``model``; grade held
    within the block's ``valid_grade_pct``. No speed, effort, strike or cadence modifier: those
    are running findings.

    Parameters
    ----------
    grade_pct : array_like, shape (n,)
        Grade, % (NaN: level).
    walking : WalkingBlock
    model : dict
        The rule set's ``[model]`` (flat band and ramp).

    Returns
    -------
    numpy.ndarray, shape (n, 6)
    """
    g = saturated_grade(grade_pct, walking.valid_grade_pct)
    a = np.abs(g)
    w_a = ramp_weight(a, model) * a
    term = np.multiply.outer(np.where(g > 0, w_a, 0.0), walking.up_per_pct)
    term += np.multiply.outer(np.where(g < 0, w_a, 0.0), walking.down_per_pct)
    term += 1.0
    np.maximum(term, 0.5, out=term)
    term *= walking.level_step_load * walking.shares[None, :]
    return term
