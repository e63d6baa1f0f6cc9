"""The fast paths of the terrain and load stages give the numbers of their plain definitions."""

import numpy as np
import pandas as pd
import pytest

from gaitload.terrain.distance import _feet_of, _local_speed


def _local_speed_reference(time_s, dist, half_window_s=2.5):
    """The definition: distance at the clipped window ends by np.interp, over the window span."""
    lo = np.clip(time_s - half_window_s, time_s[0], time_s[-1])
    hi = np.clip(time_s + half_window_s, time_s[0], time_s[-1])
    return (np.interp(hi, time_s, dist) - np.interp(lo, time_s, dist)) / np.maximum(hi - lo, 1e-9)


@pytest.mark.parametrize("fs", [1.0, 25.3, 100.0, 400.0])
def test_local_speed_is_the_interpolated_window_bit_for_bit(fs):
    rng = np.random.default_rng(3)
    n = 20_000
    regular = np.arange(n) / fs
    paused = regular.copy()
    paused[n // 3:] += 30.0
    jitter = np.cumsum(rng.uniform(0.5, 1.5, n)) / fs
    rounded = np.round(regular * 1000) / 1000
    for t in (regular, paused, jitter, rounded, regular[:3], regular[:2]):
        d = np.cumsum(rng.uniform(0, 3, t.size))
        d[rng.random(t.size) < 0.01] = np.nan
        for hw in (0.5, 2.5, 10.0):
            np.testing.assert_array_equal(_local_speed(t, d, hw), _local_speed_reference(t, d, hw))


@pytest.mark.parametrize("missing", [pd.NA, None, np.nan])
def test_one_foot_label_with_a_missing_one_is_not_one_label(missing):
    """An object column of one label with one missing value (pd.NA makes == raise) is split
    by label like any other column, not taken as one label throughout."""
    foot = pd.Series(["left"] * 6, dtype=object)
    foot[3] = missing
    steps = pd.DataFrame({"foot": foot})
    use = np.ones(6, bool)
    masks = _feet_of(steps, use)
    assert len(masks) == 2
    assert sorted(int(m.sum()) for m in masks) == [1, 5]
    assert len(_feet_of(pd.DataFrame({"foot": pd.Series(["left"] * 6, dtype=object)}), use)) == 1


def _summary_repr(summary):
    return repr(summary)  # NaN-safe exact comparison of nested floats


@pytest.mark.parametrize("rules", ["source", "literature"])
@pytest.mark.parametrize("drop", [(), ("strike_pattern",), ("terrain", "contact_time_ms"), ("grade_pct",)])
def test_apply_and_summarize_is_the_two_calls_bit_for_bit(rules, drop):
    import gaitload
    from gaitload.load import apply_rules, summarize_load
    from gaitload.load.model import apply_and_summarize
    from gaitload.simulate import simulate_run

    run = simulate_run(180, "foot", 100.0, course="hilly", seed=2)
    steps = gaitload.analyze(run.recording).steps
    steps = steps.drop(columns=[c for c in steps.columns if c.startswith("load_")] + list(drop))
    want_steps = apply_rules(steps, rules)
    want = summarize_load(want_steps, rules)
    got_steps, got = apply_and_summarize(steps, rules)
    pd.testing.assert_frame_equal(got_steps, want_steps, check_exact=True)
    assert _summary_repr(got) == _summary_repr(want)


@pytest.mark.parametrize("dtype", [object, "str", "string"])
def test_class_masks_are_the_label_compares(dtype):
    from gaitload.schema import TERRAIN_CLASSES, class_masks

    raw = ["flat", None, "uphill", "flat", np.nan, "downhill", "bogus", "unknown", pd.NA, "uphill"]
    labels = pd.Series(raw, dtype=dtype)
    plain = labels.astype(object).to_numpy()
    got = class_masks(labels, TERRAIN_CLASSES)
    as_array = class_masks(plain, TERRAIN_CLASSES)
    filled = class_masks(labels, TERRAIN_CLASSES, missing="unknown")
    for c in TERRAIN_CLASSES:
        want = np.array([isinstance(v, str) and v == c for v in plain])
        np.testing.assert_array_equal(got[c], want)
        np.testing.assert_array_equal(as_array[c], want)
        np.testing.assert_array_equal(filled[c], labels.fillna("unknown").to_numpy() == c)


def _grade_multiplier_plain(grade_pct, rules):
    """G_m of one step as literature.md 3.3 defines it, one muscle at a time in plain floats.

    Grade held within the valid range (NaN level); weight w = 0 inside the flat band, rising
    linearly to 1 over ``ramp_pct`` above it; uphill 1 + w |g| up_m + w (E(g) - 1) A_m / S0_m,
    downhill 1 + w |g| down_m, level 1; never below the side's floor.
    """
    model = rules.model
    lo, hi = rules.valid_grade_pct
    g = 0.0 if np.isnan(grade_pct) else min(max(float(grade_pct), lo), hi)
    a = abs(g)
    w = min(max((a - model["flat_band_pct"]) / model["ramp_pct"], 0.0), 1.0)
    e = float(np.interp(g, rules.effort_grade_pct, rules.effort_factor)) if rules.effort_grade_pct.size else 1.0
    out = []
    for m in range(len(rules.baseline)):
        if g > 0:
            v = 1 + w * a * rules.up_per_pct[m] + w * (e - 1) * rules.up_allocation[m] / rules.baseline[m]
            v = max(v, model["uphill_floor"])
        elif g < 0:
            v = max(1 + w * a * rules.down_per_pct[m], model["downhill_floor"])
        else:
            v = 1.0
        out.append(v)
    return out


@pytest.mark.parametrize("name", ["source", "literature"])
@pytest.mark.parametrize("variant", ["as shipped", "uphill per-%", "no down per-%", "nothing"])
def test_grade_multiplier_is_its_definition(name, variant):
    import dataclasses

    from gaitload.load import load_rules
    from gaitload.load.model import grade_multiplier

    rules = load_rules(name)
    assert rules.model["ramp_pct"] > 0  # the plain definition's ramp
    zeros = np.zeros(6)
    changes = {"as shipped": {}, "uphill per-%": {"up_per_pct": np.array([0.01, -0.02, 0.0, 0.03, -0.0, 0.005])},
               "no down per-%": {"down_per_pct": zeros}, "nothing": {"down_per_pct": zeros, "up_allocation": zeros}}
    rules = dataclasses.replace(rules, **changes[variant])
    grade = np.r_[np.random.default_rng(7).normal(0, 8, 200), np.nan, 0.0, -0.0, 2.0, -2.0, 4.0, -4.0, 30.0, -30.0,
                  np.inf, -np.inf]
    got = grade_multiplier(grade, rules)
    want = np.array([_grade_multiplier_plain(g, rules) for g in grade])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
    level = np.isnan(grade) | (grade == 0)
    assert np.all(got[level] == 1.0)  # level ground (and no grade) is neutral


def _conform_reference(steps):
    from gaitload.schema import STEP_COLUMNS

    out = steps.copy()
    for col, dtype in STEP_COLUMNS.items():
        if col not in out:
            out[col] = "unknown" if dtype == "object" else np.nan
    extra = [c for c in out.columns if c not in STEP_COLUMNS]
    return out[list(STEP_COLUMNS) + extra]


@pytest.mark.parametrize("case", ["full", "missing", "duplicate extra"])
def test_conform_steps_is_the_copy_and_take(case):
    import gaitload
    from gaitload.schema import conform_steps
    from gaitload.simulate import simulate_run

    steps = gaitload.analyze(simulate_run(120, "foot", 100.0, seed=3).recording).steps
    steps = steps[list(steps.columns[::-1])]  # any order in, the schema's order out
    if case == "missing":
        steps = steps.drop(columns=["terrain", "grade_pct", "load_quads"])
    if case == "duplicate extra":
        steps = pd.concat([steps, steps[["measured"]]], axis=1)
    got = conform_steps(steps)
    pd.testing.assert_frame_equal(got, _conform_reference(steps), check_exact=True)
    got.iloc[0, 0] = -1.0  # a new table: the input is not changed through it
    assert steps["time_s"].iloc[0] != -1.0
