"""The fast paths of the terrain and load stages give the numbers of their plain definitions."""

import numpy as np
import pandas as pd
import pytest

from gaitload.terrain.distance import feet_of, speed_from_distance


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
            np.testing.assert_array_equal(speed_from_distance(t, d, hw), _local_speed_reference(t, d, hw))


@pytest.mark.parametrize("missing", [pd.NA, None, np.nan])
def test_one_foot_label_with_a_missing_one_is_not_one_label(missing):
    """An object column of one label with one missing value (pd.NA makes == raise) is split
    by label like any other column, not taken as one label throughout."""
    foot = pd.Series(["left"] * 6, dtype=object)
    foot[3] = missing
    steps = pd.DataFrame({"foot": foot})
    use = np.ones(6, bool)
    masks = feet_of(steps, use)
    assert len(masks) == 2
    assert sorted(int(m.sum()) for m in masks) == [1, 5]
    assert len(feet_of(pd.DataFrame({"foot": pd.Series(["left"] * 6, dtype=object)}), use)) == 1


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


def _grade_multiplier_reference(grade_pct, rules):
    """The model's grade multiplier written out with every outer product (before the skips)."""
    from gaitload.load.model import _ramp_weight

    model = rules.model
    lo, hi = model["valid_grade_pct"]
    g = np.clip(np.nan_to_num(np.asarray(grade_pct, dtype=float), nan=0.0), lo, hi)
    a = np.abs(g)
    w = _ramp_weight(a, model)
    up, down = g > 0, g < 0
    term = np.multiply.outer(np.where(up, w * a, 0.0), rules.up_per_pct)
    term += np.multiply.outer(np.where(down, w * a, 0.0), rules.down_per_pct)
    if np.any(rules.up_allocation):
        term += np.multiply.outer(np.where(up, w * (rules.effort(g) - 1.0), 0.0),
                                  rules.up_allocation / rules.baseline)
    term += 1.0
    floor = np.where(up, model["uphill_floor"], np.where(down, model["downhill_floor"], 1.0))
    return np.maximum(term, floor[:, None])


@pytest.mark.parametrize("name", ["source", "literature"])
@pytest.mark.parametrize("variant", ["as shipped", "uphill per-%", "no down per-%", "nothing", "signed zeros"])
def test_grade_multiplier_skipping_zero_vectors_is_exact(name, variant):
    import dataclasses

    from gaitload.load import load_rules
    from gaitload.load.model import grade_multiplier

    rules = load_rules(name)
    zeros = np.zeros(6)
    changes = {"as shipped": {}, "uphill per-%": {"up_per_pct": np.array([0.01, -0.02, 0.0, 0.03, -0.0, 0.005])},
               "no down per-%": {"down_per_pct": zeros}, "nothing": {"down_per_pct": zeros, "up_allocation": zeros},
               "signed zeros": {"up_per_pct": -zeros, "down_per_pct": np.array([-0.0, 0.02, -0.01, 0.0, -0.0, 0.0])}}
    rules = dataclasses.replace(rules, **changes[variant])
    rng = np.random.default_rng(7)
    grade = np.r_[rng.normal(0, 8, 5000), np.nan, 0.0, -0.0, 2.0, -2.0, 4.0, -4.0, 30.0, -30.0, np.inf, -np.inf]
    got = grade_multiplier(grade, rules)
    want = _grade_multiplier_reference(grade, rules)
    assert got.tobytes() == want.tobytes()


def test_load_total_is_numpy_row_sum_bit_for_bit():
    """load_total adds the six muscle loads in order, as loads.sum(axis=1) does."""
    from gaitload.load.model import _row_sum

    rng = np.random.default_rng(11)
    loads = rng.normal(0, 1, (200_000, 6)) * np.exp(rng.normal(0, 6, (200_000, 6)))
    loads[::7, 0] = -0.0
    loads[::11, 3] = np.nan
    block = np.ascontiguousarray(loads.T)
    got = _row_sum(block, out=np.empty(loads.shape[0]))
    assert got.tobytes() == loads.sum(axis=1).tobytes()


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
    if case == "full":
        assert got._mgr.nblocks == len({str(t) for t in got.dtypes})  # one block per dtype
