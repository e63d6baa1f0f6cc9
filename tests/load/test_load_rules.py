"""Rule sets as data: built-ins, a user's TOML file, and the errors a bad file gets."""

from __future__ import annotations

import pickle
import re
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from gaitload.errors import GaitloadError, RuleFileError
from gaitload.load import MUSCLES, RuleSet, apply_rules, load_rules, rule_set_names, summarize_load

LITERATURE_TEXT = (resources.files("gaitload.load") / "rules" / "literature.toml").read_text("utf-8")


def _steps(n=300, seed=1):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "grade_pct": rng.uniform(-15, 15, n),
        "strike_pattern": rng.choice(["rearfoot", "midfoot", "forefoot", "unknown"], n),
        "speed_mps": rng.uniform(2.5, 4.5, n),
        "cadence_spm": rng.normal(172, 6, n),
        "contact_time_ms": rng.normal(245, 20, n),
        "time_s": np.arange(n) * 0.35,
        "distance_m": np.arange(n) * 1.1,
    })


def test_rule_set_names_lists_the_built_ins():
    assert rule_set_names() == ["literature", "source"]


@pytest.mark.parametrize("name", ["source", "literature"])
def test_built_in_rule_sets_are_complete_and_cited(name):
    rules = load_rules(name)
    assert isinstance(rules, RuleSet) and rules.name == name and rules.muscles == MUSCLES
    assert rules.baseline.sum() == pytest.approx(1.0, abs=1e-12)
    assert rules.up_allocation.sum() == pytest.approx(1.0, abs=1e-12)
    for rule in rules.rules:
        assert rule.source and isinstance(rule.judgement, bool)
        assert not rule.judgement or rule.note
    text = rules.describe()
    assert f"rule set '{name}'" in text
    for rule in rules.rules:  # every rule listed with its citation
        assert rule.id in text and rule.source in text
    assert load_rules(rules) is rules
    # picklable (season() sends rule sets to worker processes) and content-fingerprinted
    clone = pickle.loads(pickle.dumps(rules))
    assert clone.fingerprint() == rules.fingerprint()
    assert load_rules("source").fingerprint() != load_rules("literature").fingerprint()


def test_user_rule_file_round_trip(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(LITERATURE_TEXT, encoding="utf-8")
    mine = load_rules(path)
    assert mine.path == str(path)
    steps = _steps()
    a = apply_rules(steps, mine)
    b = apply_rules(steps, "literature")
    cols = ["load_total"] + [f"load_{m}" for m in MUSCLES]
    np.testing.assert_array_equal(a[cols].to_numpy(), b[cols].to_numpy())
    assert summarize_load(a, mine)["muscle_share"] == summarize_load(b, "literature")["muscle_share"]
    # and an edited copy changes the result and the fingerprint
    path2 = tmp_path / "edited.toml"
    path2.write_text(LITERATURE_TEXT.replace("quads = 0.070", "quads = 0.090"), encoding="utf-8")
    edited = load_rules(str(path2))
    assert edited.fingerprint() != mine.fingerprint()
    down = steps.assign(grade_pct=-10.0)
    ratio = apply_rules(down, edited)["load_quads"] / apply_rules(down, mine)["load_quads"]
    np.testing.assert_allclose(ratio, 1.9 / 1.7)


def _write(tmp_path, text, name="bad_rules.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _swap(old, new, count=1):
    assert old in LITERATURE_TEXT, old
    return LITERATURE_TEXT.replace(old, new, count)


BAD_FILES = [
    pytest.param(_swap("muscles = { glutes = 0.55 }", "muscles = { glute = 0.55 }"),
                 ["unknown muscle 'glute'", "uphill-glutes", "line"], id="unknown-muscle"),
    pytest.param(_swap('source = "Yokozawa T, Fujii N, Ae M. J Biomech 2007;40:3467 (iliopsoas',
                       'sauce = "Yokozawa T, Fujii N, Ae M. J Biomech 2007;40:3467 (iliopsoas'),
                 ["unknown key 'sauce'", "uphill-hip-flexors"], id="unknown-key-in-rule"),
    pytest.param(re.sub(r'(id = "uphill-core"\nkind = "uphill_allocation"\nmuscles = \{ core = 0.02 \}\n)source = "[^"]*"\n',
                        r"\1", LITERATURE_TEXT),
                 ["missing citation", "'source'", "uphill-core"], id="missing-citation"),
    pytest.param(_swap("muscles = { glutes = 1.5 }", 'muscles = { glutes = "fast" }'),
                 ["must be a number", "muscles.glutes", "speed-glutes"], id="non-numeric"),
    pytest.param(_swap("muscles = { core = 1.0 }", "muscles = { core = true }"),
                 ["must be a number", "muscles.core"], id="boolean-is-not-a-number"),
    pytest.param(_swap("muscles = { glutes = 1.5 }", "muscles = { glutes = nan }"),
                 ["finite", "muscles.glutes"], id="nan"),
    pytest.param(_swap("calves = 0.32\n", "calves = 0.33\n"),
                 ["[baseline]", "sum to 1.01", "shares"], id="baseline-sum"),
    pytest.param(_swap("muscles = { glutes = 0.55 }", "muscles = { glutes = 0.65 }"),
                 ["allocation", "sums to 1.1", "uphill_allocation"], id="allocation-sum"),
    pytest.param(_swap("reference_speed_mps = 3.3", "reference_speed_mps = 3.3\nwarp_speed = 9"),
                 ["[model]", "unknown key 'warp_speed'"], id="unknown-model-key"),
    pytest.param("colour = 'blue'\n" + LITERATURE_TEXT, ["top level", "unknown key 'colour'"], id="unknown-top-key"),
    pytest.param(_swap('kind = "downhill_per_pct"', 'kind = "sideways"'),
                 ["unknown kind 'sideways'", "downhill-quads"], id="unknown-kind"),
    pytest.param(_swap("muscles = { glutes = 0.55 }", "muscles = { glutes = 0.55 ]"),
                 ["bad TOML syntax", "line 64"], id="toml-syntax"),
    pytest.param(_swap("hip_flexors = 0.10\ncore = 0.04\n", "hip_flexors = 0.14\n"),
                 ["[baseline]", "lacks muscle 'core'"], id="baseline-missing-muscle"),
    pytest.param(re.sub(r'(muscles = \{ glutes = 0.55 \}\nsource = "[^"]*"\njudgement = true\n)note = "[^"]*"\n', r"\1",
                        LITERATURE_TEXT),
                 ["uphill-glutes", "'note'", "judgement"], id="judgement-without-note"),
    pytest.param(_swap("factor = [1.495", "factor = [1.495, 2.0"),
                 ["[effort]", "'grade_pct' has 18 values but 'factor' has 19"], id="effort-lengths"),
    pytest.param(_swap('pattern = "forefoot"', 'pattern = "toes"'),
                 ["'pattern'", "'toes'", "strike-forefoot"], id="bad-strike-pattern"),
    pytest.param(_swap("muscles = { calves = 1.20, quads = 0.80",
                       "muscles = { calves = -1.20, quads = 0.80"),
                 ["must be > 0", "muscles.calves"], id="negative-multiplier"),
    pytest.param(_swap('uphill = "midfoot"', 'uphill = "tiptoe"'),
                 ["[expected_strike]", "'uphill'", "'tiptoe'"], id="bad-expected-strike"),
    pytest.param(_swap("level_step_load = 0.4\nvalid_grade_pct = [-15.8, 15.8]", "level_step_load = 0.4\nvalid_grade_pct = [5, 15.8]"),
                 ["[walking]", "valid_grade_pct", "negative to a positive"], id="bad-walking-range"),
    pytest.param(_swap("[walking.shares]\ncalves = 0.45", "[walking.shares]\ncalves = 0.55"),
                 ["[walking]", "'shares' sum to 1.1"], id="walking-shares-sum"),
    pytest.param(_swap("valid_grade_pct = [-20.0, 21.3]", "valid_grade_pct = [-20.0]"),
                 ["[model]", "valid_grade_pct", "[low, high]"], id="bad-valid-range"),
    pytest.param(_swap('id = "speed-core"', 'id = "speed-glutes"'),
                 ["duplicate id 'speed-glutes'"], id="duplicate-id"),
    pytest.param(_swap("muscles = { core = 1.0 }", "muscles = { glutes = 1.0 }"),
                 ["muscle 'glutes' already set", "speed-glutes"], id="muscle-twice"),
]


@pytest.mark.parametrize("text,needles", BAD_FILES)
def test_bad_rule_files_are_rejected_with_a_useful_message(tmp_path, text, needles):
    path = _write(tmp_path, text)
    with pytest.raises(RuleFileError) as info:
        load_rules(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path) + ": ")  # names the file
    for needle in needles:
        assert needle in message, (needle, message)


def test_toml_syntax_error_names_the_right_line(tmp_path):
    lines = LITERATURE_TEXT.splitlines()
    target = next(i for i, line in enumerate(lines) if "muscles = { glutes = 0.55 }" in line)
    assert target + 1 == 64  # keeps the parametrised case above honest
    lines[target] = "muscles = { glutes = 0.55 ]"
    with pytest.raises(RuleFileError, match=r"line 64"):
        load_rules(_write(tmp_path, "\n".join(lines)))


def test_missing_file_and_wrong_type_are_typed_errors(tmp_path):
    with pytest.raises(RuleFileError, match="no such rule set or file"):
        load_rules(tmp_path / "nope.toml")
    with pytest.raises(RuleFileError, match="no such rule set"):
        load_rules("sauce")
    with pytest.raises(RuleFileError, match="not int"):
        load_rules(42)
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(GaitloadError, match="UTF-8"):
        load_rules(binary)


def test_older_grade_clip_means_a_symmetric_valid_range(tmp_path):
    text = LITERATURE_TEXT.replace("valid_grade_pct = [-20.0, 21.3]", "grade_clip_pct = 25.0")
    assert load_rules(_write(tmp_path, text)).valid_grade_pct == (-25.0, 25.0)


def test_minimal_user_rule_set_needs_only_a_baseline(tmp_path):
    """A file with only cited baseline shares is valid: everything else is neutral."""
    text = """
name = "flat-only"
[baseline]
source = "my coach"
judgement = true
note = "guess"
[baseline.shares]
calves = 0.3
quads = 0.3
glutes = 0.2
hamstrings = 0.1
hip_flexors = 0.05
core = 0.05
"""
    rules = load_rules(_write(tmp_path, text, "flat_only.toml"))
    out = apply_rules(_steps(), rules)
    np.testing.assert_allclose(out["load_total"], 1.0)
    np.testing.assert_allclose(out["load_quads"], 0.3)
