"""Load rule sets as data: TOML files parsed, validated and turned into per-muscle vectors.

A rule set is a TOML file (two ship in ``gaitload/load/rules/``: ``source`` = the terrain rules
of the running-muscles article, ``literature`` = the evidence-based model of
``research/literature.md`` section 3). Every rule carries ``source`` (the exact sentence of the
article or the paper it comes from), ``judgement`` (true when the magnitude is a judgement,
marked [J] in the literature notes) and ``note``.

File layout (every key below is the complete vocabulary; anything else is rejected)::

    name = "my-rules"                 # required
    title = "..."                     # optional one line
    description = "..."               # optional text

    [model]                           # optional; defaults shown in MODEL_DEFAULTS
    reference_speed_mps = 3.3
    ...

    [baseline]                        # required: S0, flat-step shares, sum to 1
    source = "..."
    judgement = true
    note = "..."
    [baseline.shares]
    calves = 0.32
    ...

    [effort]                          # required when an uphill_allocation rule exists
    grade_pct = [-30, ..., 45]        # strictly increasing, contains 0
    factor = [1.495, ..., 4.286]      # factor at 0 % must be 1
    source = "..."
    judgement = false

    [[rule]]
    id = "uphill-hip"
    kind = "uphill_allocation"        # see RULE_KINDS
    muscles = { glutes = 0.42 }
    source = "..."
    judgement = true
    note = "..."

    [[note]]                          # article sentences with no muscle effect, kept for reports
    id = "heart"
    source = "..."
    note = "..."

    [expected_strike]                 # optional; default rearfoot both ways
    uphill = "midfoot"                # the strike runners use there (G already holds it)
    downhill = "rearfoot"
    source = "..."
    judgement = true
    note = "..."

    [walking]                         # optional: walking steps (gait == "walk") use this block
    level_step_load = 0.4             # a level walking step, in flat running-step equivalents
    valid_grade_pct = [-15.8, 15.8]
    source = "..."
    judgement = true
    note = "..."
    [walking.shares]                  # sum to 1
    calves = 0.45
    ...
    [walking.up_per_pct]              # per 1 % grade; [walking.down_per_pct] likewise
    hamstrings = 0.10

``[model] valid_grade_pct = [low, high]`` states the grades the rules were sized on: steeper
steps use the values at the edge (saturated) and the summary counts them. An older file's
``grade_clip_pct = c`` means ``[-c, c]``.

Rule kinds (``muscles`` values are per muscle):

``uphill_allocation``
    a_m: share of the extra uphill effort E(g) - 1 given to muscle m; over all such rules the
    vector sums to 1, so the uphill step total follows E(g) (literature 3.3).
``uphill_per_pct`` / ``downhill_per_pct``
    change of the muscle multiplier per 1 % of |grade| (literature 3.3 downhill d_m).
``strike``
    multiplier of a ``pattern`` (``midfoot`` or ``forefoot``) relative to rearfoot (3.4).
``speed_exponent``
    k_m of (v / v_ref)^k_m; optional ``max_speed_mps`` plateau (3.5).
``cadence``
    multiplier at a step-rate change of ``at_pct`` % from preferred (linear through it, 3.6).
``contact_time``
    exponent on the mean-force residual (t_step / t_c) / reference (3.7).
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import os
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from ..errors import RuleFileError
from ..schema import MUSCLES

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["RuleSet", "Rule", "WalkingBlock", "load_rules", "rule_set_names", "RULE_KINDS", "MODEL_DEFAULTS"]

#: Settings of the model and their defaults (units in the names).
MODEL_DEFAULTS: dict[str, object] = {
    "reference_speed_mps": 3.3,        # flat-step reference speed (literature 3.1)
    "speed_clip_mps": [2.0, 6.0],      # speed is clipped to this range (literature 3.5)
    "valid_grade_pct": [-25.0, 25.0],  # grades the rules were sized on; beyond: saturated, counted
    "grade_clip_pct": 25.0,            # older name of a symmetric valid_grade_pct (used when that is absent)
    "flat_band_pct": 0.0,              # |grade| below this counts as level
    "ramp_pct": 0.0,                   # rules ramp in linearly over this width above the band
    "uphill_floor": 0.5,               # no grade multiplier falls below this
    "downhill_floor": 0.5,             # literature 3.3: max(0.5, 1 + d_m |g|)
    "strike_taper_start_pct": 5.0,     # strike modifier applies fully below this |grade|
    "strike_taper_end_pct": 10.0,      # ... and keeps strike_taper_keep of its deviation above
    "strike_taper_keep": 1.0,          # 1: no taper (the expected strike for the grade does that job)
    "cadence_clip": 0.15,              # cadence / preferred - 1 clipped to +-this (literature 3.6)
    "contact_time_cap": 0.15,          # contact-time multiplier capped to 1 +- this (3.7)
    "preferred_speed_bin_mps": 0.25,   # preferred cadence: median within speed bins of this width
    "preferred_grade_bin_pct": 5.0,    # ... and grade bins of this width
    "preferred_min_steps": 20,         # bins with fewer steps fall back to coarser medians
}

RULE_KINDS = ("uphill_allocation", "uphill_per_pct", "downhill_per_pct", "strike",
              "speed_exponent", "cadence", "contact_time")
#: kinds whose per-muscle values add up over several rules (terms of one multiplier)
_ADDITIVE_KINDS = ("uphill_allocation", "uphill_per_pct", "downhill_per_pct")
_STRIKES = ("midfoot", "forefoot")
_TOP_KEYS = {"name", "title", "description", "model", "baseline", "effort", "rule", "note",
             "expected_strike", "walking"}
_WALKING_KEYS = {"level_step_load", "valid_grade_pct", "shares", "up_per_pct", "down_per_pct"}
#: the strike a runner is expected to use on each kind of grade, when a file does not say
_EXPECTED_DEFAULT = {"uphill": "rearfoot", "downhill": "rearfoot"}
_CITED_KEYS = {"source", "judgement", "note"}
_RULE_KEYS = {"id", "kind", "muscles", "pattern", "max_speed_mps", "at_pct"} | _CITED_KEYS
_NOTE_KEYS = {"id", "source", "note", "judgement"}
_BUILTIN_DIR = "rules"
_SUM_TOL = 1e-6


@dataclasses.dataclass(frozen=True)
class Rule:
    """One rule of a rule set, as written in its file (for listings and reports)."""

    id: str
    kind: str
    muscles: dict
    source: str
    judgement: bool
    note: str
    extra: dict


@dataclasses.dataclass(frozen=True, eq=False)
class WalkingBlock:
    """How walking steps load the muscles: outside the running rules (``[walking]`` of a rule file).

    A walking step's load is ``level_step_load x shares_m x (1 + w(g) slope_m |g|)`` with the
    uphill or downhill slope per 1 % grade, grade held within ``valid_grade_pct``; no speed,
    effort, strike or cadence modifier.
    """

    level_step_load: float          # a level walking step, in flat running-step equivalents
    shares: np.ndarray              # (6,), sum to 1
    up_per_pct: np.ndarray          # (6,) per 1 % uphill grade
    down_per_pct: np.ndarray        # (6,) per 1 % downhill grade
    valid_grade_pct: tuple          # (low, high), %
    citation: Rule


@dataclasses.dataclass(frozen=True, eq=False)
class RuleSet:
    """A validated rule set, with its rules as vectors in :data:`MUSCLES` order.

    Build one with :func:`load_rules`. Arrays have shape ``(6,)`` (one value per muscle,
    order :data:`gaitload.schema.MUSCLES`).
    """

    name: str
    title: str
    description: str
    path: str
    raw_text: str
    model: dict
    baseline: np.ndarray            # S0_m, sums to 1
    baseline_citation: Rule
    effort_grade_pct: np.ndarray    # E(g) table (empty when absent)
    effort_factor: np.ndarray
    effort_citation: Rule | None
    up_allocation: np.ndarray       # a_m
    up_per_pct: np.ndarray          # per 1 % grade
    down_per_pct: np.ndarray        # d_m per 1 % grade
    strike: dict                    # pattern -> (6,) multiplier vs rearfoot
    speed_exponent: np.ndarray      # k_m
    speed_max_mps: np.ndarray       # plateau per muscle (inf when none)
    cadence_slope_up: np.ndarray    # dC/dx for x > 0 (x = cadence / preferred - 1)
    cadence_slope_down: np.ndarray  # dC/dx for x < 0
    contact_exponent: np.ndarray    # exponent on the mean-force residual
    rules: tuple = ()
    notes: tuple = ()
    muscles: tuple = MUSCLES
    #: strike expected on ``uphill`` / ``downhill`` grades (name), and its multiplier vs rearfoot
    expected_strike: dict = dataclasses.field(default_factory=lambda: dict(_EXPECTED_DEFAULT))
    expected_strike_citation: Rule | None = None
    walking: WalkingBlock | None = None

    @property
    def valid_grade_pct(self) -> tuple:
        """(low, high) grades, %, the rules were sized on; steps beyond use the edge's values."""
        lo, hi = self.model["valid_grade_pct"]
        return float(lo), float(hi)

    def strike_vector(self, pattern: str) -> np.ndarray:
        """Multiplier of a strike pattern vs rearfoot, shape (6,) (ones for rearfoot or unknown)."""
        return np.asarray(self.strike.get(pattern, np.ones(len(MUSCLES))), dtype=float)

    def fingerprint(self) -> str:
        """SHA-256 of the rule file's text: changes whenever a rule changes."""
        return hashlib.sha256(self.raw_text.encode("utf-8")).hexdigest()

    def effort(self, grade_pct: np.ndarray) -> np.ndarray:
        """Effort factor E(g) (Strava 2017 equivalent-heart-rate factor), linear interpolation.

        Parameters
        ----------
        grade_pct : array_like
            Grade in % (rise/run x 100); clipped to the table's range.

        Returns
        -------
        numpy.ndarray
            E(g), 1 on level ground; ones when the rule set has no effort table.
        """
        g = np.asarray(grade_pct, dtype=float)
        if self.effort_grade_pct.size == 0:
            return np.ones_like(g)
        return np.interp(g, self.effort_grade_pct, self.effort_factor)

    def describe(self) -> str:
        """Human-readable listing of every rule with its citation (``gaitload rules NAME``)."""
        out = [f"rule set '{self.name}': {self.title}".rstrip(": "), f"file: {self.path}"]
        if self.description:
            out += ["", *(" " + line if line else "" for line in self.description.strip().splitlines())]
        out += ["", "model settings:"]
        # older names and an unused taper are left out (valid_grade_pct and keep = 1 say it all)
        hidden = {"grade_clip_pct"} | ({"strike_taper_start_pct", "strike_taper_end_pct", "strike_taper_keep"}
                                       if self.model["strike_taper_keep"] == 1.0 else set())
        out += [f"  {k} = {v}" for k, v in self.model.items() if k not in hidden]
        out += ["", "baseline shares S0 (flat, 3.3 m/s, rearfoot, preferred cadence):"]
        out += ["  " + ", ".join(f"{m} {v:.3f}" for m, v in zip(MUSCLES, self.baseline))]
        out += _describe_citation(self.baseline_citation)
        if self.effort_citation is not None:
            pairs = ", ".join(f"{g:+g}%: {f:g}" for g, f in zip(self.effort_grade_pct, self.effort_factor))
            out += ["", "effort factor E(g):", f"  {pairs}"]
            out += _describe_citation(self.effort_citation)
        lo, hi = self.valid_grade_pct
        out += ["", f"valid grades: {lo:+g} % to {hi:+g} % (steeper steps use the edge's modifiers and are counted)"]
        out += ["", "strike expected for the grade (the strike modifier is relative to it):",
                f"  uphill {self.expected_strike['uphill']}, downhill {self.expected_strike['downhill']}, "
                f"level: the runner's own flat-ground strike (rearfoot when not measured)"]
        if self.expected_strike_citation is not None:
            out += _describe_citation(self.expected_strike_citation)
        if self.walking is not None:
            w = self.walking
            out += ["", f"walking steps (own block, no running speed/effort/strike/cadence modifier): level step "
                        f"{w.level_step_load:g} flat running-step equivalents, grades {w.valid_grade_pct[0]:+g} % "
                        f"to {w.valid_grade_pct[1]:+g} %"]
            out += ["  shares " + ", ".join(f"{m} {v:.2f}" for m, v in zip(MUSCLES, w.shares))]
            out += ["  uphill per % " + ", ".join(f"{m} {v:+g}" for m, v in zip(MUSCLES, w.up_per_pct) if v)]
            out += ["  downhill per % " + ", ".join(f"{m} {v:+g}" for m, v in zip(MUSCLES, w.down_per_pct) if v)]
            out += _describe_citation(w.citation)
        out += ["", "rules:"]
        for rule in self.rules:
            detail = ", ".join(f"{m} {v:+g}" if rule.kind in _ADDITIVE_KINDS else f"{m} {v:g}"
                               for m, v in rule.muscles.items())
            extra = "".join(f" {k}={v}" for k, v in rule.extra.items())
            out.append(f"- {rule.id} [{rule.kind}{extra}] {detail}")
            out += _describe_citation(rule)
        if self.notes:
            out += ["", "sentences with no muscle effect:"]
            for note in self.notes:
                out.append(f"- {note.id}")
                out += _describe_citation(note)
        return "\n".join(out)

    def __repr__(self) -> str:
        return f"RuleSet(name={self.name!r}, path={self.path!r}, rules={len(self.rules)})"


def _describe_citation(rule: Rule) -> list[str]:
    lines = [f'    source: "{rule.source}"']
    if rule.judgement:
        lines.append(f"    [J] {rule.note}" if rule.note else "    [J]")
    elif rule.note:
        lines.append(f"    note: {rule.note}")
    return lines


def rule_set_names() -> list[str]:
    """Names of the rule sets shipped with gaitload, sorted (``["literature", "source"]``)."""
    return list(_builtin_names())


@lru_cache(maxsize=None)
def _builtin_names() -> tuple[str, ...]:
    """The shipped rule files, listed once: package data does not change while running, and a
    directory listing through importlib.resources costs ~0.2 ms per :func:`load_rules` call."""
    folder = resources.files("gaitload.load") / _BUILTIN_DIR
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml")))


def load_rules(rules="source") -> RuleSet:
    """Load and validate a rule set.

    Parameters
    ----------
    rules : str, path-like or RuleSet
        A built-in name (see :func:`rule_set_names`), a path to a TOML rule file, or a
        :class:`RuleSet` (returned as is).

    Returns
    -------
    RuleSet

    Raises
    ------
    RuleFileError
        The file is missing, is not valid TOML (the message gives the line), or breaks a rule:
        unknown muscle or key, missing citation, non-numeric value, baseline shares or uphill
        allocation not summing to 1.
    """
    if isinstance(rules, RuleSet):
        return rules
    if not isinstance(rules, (str, os.PathLike)):
        raise RuleFileError(f"rules must be a rule-set name or a TOML path, not {type(rules).__name__}")
    text = os.fspath(rules)
    if text in _builtin_names():
        return _load_builtin(text)
    path = Path(text)
    if not path.is_file():
        raise RuleFileError(f"no such rule set or file (built-in rule sets: {', '.join(rule_set_names())})",
                            path=text)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RuleFileError(f"cannot read rule file: {exc.strerror or exc}", path=text) from None
    return parse_rules(raw, str(path))


@lru_cache(maxsize=None)
def _load_builtin(name: str) -> RuleSet:
    resource = resources.files("gaitload.load") / _BUILTIN_DIR / f"{name}.toml"
    return parse_rules(resource.read_bytes(), str(resource))


def parse_rules(raw: bytes | str, path: str = "<rules>") -> RuleSet:
    """Parse and validate the text of a rule file (see the module docstring for the layout).

    Parameters
    ----------
    raw : bytes or str
        TOML text.
    path : str
        File name used in error messages.

    Returns
    -------
    RuleSet
    """
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RuleFileError(f"rule file is not UTF-8 text (byte {exc.start})", path=path) from None
    else:
        text = raw
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleFileError(f"bad TOML syntax: {exc}", path=path) from None
    return _Validator(data, text, path).build()


class _Validator:
    """Checks a parsed rule file and raises one-line RuleFileErrors naming the offending key."""

    def __init__(self, data: dict, text: str, path: str):
        self.data = data
        self.text = text
        self.path = path
        self.rule_lines = [i + 1 for i, line in enumerate(text.splitlines())
                           if re.match(r"\s*\[\[\s*rule\s*\]\]", line)]
        self.note_lines = [i + 1 for i, line in enumerate(text.splitlines())
                           if re.match(r"\s*\[\[\s*note\s*\]\]", line)]

    # -- helpers --------------------------------------------------------------------------
    def fail(self, message: str):
        raise RuleFileError(message, path=self.path)

    def where(self, table: str, index: int | None = None) -> str:
        if table == "rule" and index is not None:
            line = f", line {self.rule_lines[index]}" if index < len(self.rule_lines) else ""
            rid = self.data["rule"][index].get("id") if isinstance(self.data["rule"][index], dict) else None
            return f"[[rule]] #{index + 1}" + (f" '{rid}'" if isinstance(rid, str) else "") + line
        if table == "note" and index is not None:
            line = f", line {self.note_lines[index]}" if index < len(self.note_lines) else ""
            return f"[[note]] #{index + 1}{line}"
        return f"[{table}]"

    def number(self, value, where: str, key: str, *, positive=False, nonneg=False) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(f"{where}: '{key}' must be a number, got {type(value).__name__} {value!r}")
        value = float(value)
        if not math.isfinite(value):
            self.fail(f"{where}: '{key}' must be a finite number, got {value}")
        if positive and value <= 0:
            self.fail(f"{where}: '{key}' must be > 0, got {value:g}")
        if nonneg and value < 0:
            self.fail(f"{where}: '{key}' must be >= 0, got {value:g}")
        return value

    def keys(self, table: dict, allowed: set, where: str):
        unknown = sorted(set(table) - allowed)
        if unknown:
            self.fail(f"{where}: unknown key '{unknown[0]}' (allowed: {', '.join(sorted(allowed))})")

    def muscle_values(self, table, where: str, key: str = "muscles", **num) -> dict:
        if not isinstance(table, dict) or not table:
            self.fail(f"{where}: '{key}' must be a table of muscle = number, e.g. {{ quads = 1.1 }}")
        out = {}
        for muscle, value in table.items():
            if muscle not in MUSCLES:
                self.fail(f"{where}: unknown muscle '{muscle}' in '{key}' (known: {', '.join(MUSCLES)})")
            out[muscle] = self.number(value, where, f"{key}.{muscle}", **num)
        return out

    def citation(self, table: dict, where: str, *, need_judgement=True) -> Rule:
        source = table.get("source")
        if not isinstance(source, str) or not source.strip():
            self.fail(f"{where}: missing citation: 'source' must quote the article sentence or "
                      f"name the paper the rule comes from")
        judgement = table.get("judgement", False)
        if need_judgement and "judgement" not in table:
            self.fail(f"{where}: missing 'judgement' (true when the magnitude is a judgement [J])")
        if not isinstance(judgement, bool):
            self.fail(f"{where}: 'judgement' must be true or false, got {judgement!r}")
        note = table.get("note", "")
        if not isinstance(note, str):
            self.fail(f"{where}: 'note' must be text, got {type(note).__name__}")
        if judgement and not note.strip():
            self.fail(f"{where}: 'note' must say why the magnitude is a judgement when judgement = true")
        return Rule(id=str(table.get("id", where)), kind="", muscles={}, source=" ".join(source.split()),
                    judgement=judgement, note=" ".join(note.split()), extra={})

    # -- sections -------------------------------------------------------------------------
    def build(self) -> RuleSet:
        data = self.data
        self.keys(data, _TOP_KEYS, "top level")
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            self.fail("top level: missing 'name' (a short name for the rule set)")
        for key in ("title", "description"):
            if key in data and not isinstance(data[key], str):
                self.fail(f"top level: '{key}' must be text")
        model = self.model(data.get("model", {}))
        baseline, baseline_cite = self.baseline(data.get("baseline"))
        rules, vectors = self.rules(data.get("rule", []))
        effort_g, effort_f, effort_cite = self.effort(data.get("effort"))
        if rules and np.any(vectors["up_allocation"] != 0):
            total = float(vectors["up_allocation"].sum())
            if abs(total - 1.0) > _SUM_TOL:
                self.fail(f"[[rule]] kind 'uphill_allocation': allocation vector sums to {total:.6g}, "
                          f"must sum to 1 (each a_m is muscle m's share of the extra uphill effort)")
            if effort_cite is None:
                self.fail("[effort]: missing table (grade_pct, factor) needed by 'uphill_allocation' rules")
        notes = self.notes(data.get("note", []))
        expected, expected_cite = self.expected_strike(data.get("expected_strike"))
        walking = self.walking(data.get("walking"))
        return RuleSet(
            name=name.strip(), title=str(data.get("title", "")).strip(),
            description=str(data.get("description", "")), path=self.path, raw_text=self.text,
            model=model, baseline=baseline, baseline_citation=baseline_cite,
            effort_grade_pct=effort_g, effort_factor=effort_f, effort_citation=effort_cite,
            rules=tuple(rules), notes=tuple(notes), expected_strike=expected,
            expected_strike_citation=expected_cite, walking=walking, **vectors,
        )

    def model(self, table) -> dict:
        if not isinstance(table, dict):
            self.fail("[model] must be a table")
        self.keys(table, set(MODEL_DEFAULTS), "[model]")
        model = dict(MODEL_DEFAULTS)
        if "grade_clip_pct" in table and "valid_grade_pct" not in table:
            clip = self.number(table["grade_clip_pct"], "[model]", "grade_clip_pct", positive=True)
            model["valid_grade_pct"] = [-clip, clip]
        for key, value in table.items():
            if key == "valid_grade_pct":
                model[key] = self.grade_range(value, "[model]")
            elif key == "speed_clip_mps":
                if not isinstance(value, list) or len(value) != 2:
                    self.fail("[model]: 'speed_clip_mps' must be [low, high] in m/s")
                lo, hi = (self.number(v, "[model]", key, positive=True) for v in value)
                if lo >= hi:
                    self.fail(f"[model]: 'speed_clip_mps' low {lo:g} must be below high {hi:g}")
                model[key] = [lo, hi]
            else:
                model[key] = self.number(value, "[model]", key, nonneg=True)
        if model["reference_speed_mps"] <= 0:
            self.fail("[model]: 'reference_speed_mps' must be > 0")
        for key in ("uphill_floor", "downhill_floor", "strike_taper_keep"):
            if model[key] > 1:
                self.fail(f"[model]: '{key}' must be between 0 and 1, got {model[key]:g}")
        if model["strike_taper_end_pct"] < model["strike_taper_start_pct"]:
            self.fail("[model]: 'strike_taper_end_pct' must not be below 'strike_taper_start_pct'")
        for key in ("preferred_speed_bin_mps", "preferred_grade_bin_pct"):
            if model[key] <= 0:
                self.fail(f"[model]: '{key}' must be > 0")
        model["preferred_min_steps"] = max(1, int(model["preferred_min_steps"]))
        return model

    def grade_range(self, value, where: str) -> list:
        if not isinstance(value, list) or len(value) != 2:
            self.fail(f"{where}: 'valid_grade_pct' must be [low, high] in %, e.g. [-20, 20]")
        lo, hi = (self.number(v, where, "valid_grade_pct") for v in value)
        if not lo < 0 < hi:
            self.fail(f"{where}: 'valid_grade_pct' must run from a negative to a positive grade, got [{lo:g}, {hi:g}]")
        return [lo, hi]

    def expected_strike(self, table):
        if table is None:
            return dict(_EXPECTED_DEFAULT), None
        where = "[expected_strike]"
        if not isinstance(table, dict):
            self.fail(f"{where} must be a table")
        self.keys(table, {"uphill", "downhill"} | _CITED_KEYS, where)
        cite = self.citation(table, where)
        out = {}
        for key in ("uphill", "downhill"):
            value = table.get(key, "rearfoot")
            if value not in ("rearfoot",) + _STRIKES:
                self.fail(f"{where}: '{key}' must be rearfoot, midfoot or forefoot, got {value!r}")
            out[key] = value
        return out, dataclasses.replace(cite, id="expected_strike", kind="expected_strike")

    def walking(self, table) -> WalkingBlock | None:
        if table is None:
            return None
        where = "[walking]"
        if not isinstance(table, dict):
            self.fail(f"{where} must be a table")
        self.keys(table, _WALKING_KEYS | _CITED_KEYS, where)
        cite = self.citation(table, where)
        level = self.number(table.get("level_step_load", 1.0), where, "level_step_load", positive=True)
        shares, vector = self.shares(table, where)
        slopes = []
        for key in ("up_per_pct", "down_per_pct"):
            values = self.muscle_values(table[key], where, key) if key in table else {}
            slopes.append(np.array([values.get(m, 0.0) for m in MUSCLES]))
        valid = self.grade_range(table.get("valid_grade_pct", [-25.0, 25.0]), where)
        return WalkingBlock(level_step_load=level, shares=vector, up_per_pct=slopes[0], down_per_pct=slopes[1],
                            valid_grade_pct=(valid[0], valid[1]),
                            citation=dataclasses.replace(cite, id="walking", kind="walking", muscles=shares))

    def shares(self, table: dict, where: str) -> tuple[dict, np.ndarray]:
        """A table's ``shares`` of every muscle, summing to 1: as written and as a vector."""
        shares = self.muscle_values(table.get("shares"), where, "shares", positive=True)
        missing = [m for m in MUSCLES if m not in shares]
        if missing:
            self.fail(f"{where}: 'shares' lacks muscle '{missing[0]}' (every one of {', '.join(MUSCLES)} is needed)")
        vector = np.array([shares[m] for m in MUSCLES])
        if abs(vector.sum() - 1.0) > _SUM_TOL:
            self.fail(f"{where}: 'shares' sum to {vector.sum():.6g}, must sum to 1")
        return shares, vector

    def baseline(self, table):
        if not isinstance(table, dict):
            self.fail("[baseline]: missing table (shares S0 of every muscle on a flat step, with a citation)")
        self.keys(table, {"shares"} | _CITED_KEYS, "[baseline]")
        cite = self.citation(table, "[baseline]")
        shares, vector = self.shares(table, "[baseline]")
        return vector, dataclasses.replace(cite, id="baseline", kind="baseline", muscles=shares)

    def effort(self, table):
        if table is None:
            return np.empty(0), np.empty(0), None
        if not isinstance(table, dict):
            self.fail("[effort] must be a table")
        self.keys(table, {"grade_pct", "factor"} | _CITED_KEYS, "[effort]")
        cite = self.citation(table, "[effort]")
        arrays = []
        for key in ("grade_pct", "factor"):
            value = table.get(key)
            if not isinstance(value, list) or len(value) < 2:
                self.fail(f"[effort]: '{key}' must be a list of at least two numbers")
            arrays.append(np.array([self.number(v, "[effort]", key) for v in value]))
        grade, factor = arrays
        if grade.size != factor.size:
            self.fail(f"[effort]: 'grade_pct' has {grade.size} values but 'factor' has {factor.size}")
        if np.any(np.diff(grade) <= 0):
            self.fail("[effort]: 'grade_pct' must be strictly increasing")
        if np.any(factor <= 0):
            self.fail("[effort]: every 'factor' must be > 0")
        if not grade[0] <= 0 <= grade[-1] or abs(np.interp(0.0, grade, factor) - 1.0) > _SUM_TOL:
            self.fail("[effort]: 'factor' must be 1 at 0 % grade (level running is the reference)")
        return grade, factor, dataclasses.replace(cite, id="effort", kind="effort")

    def notes(self, items) -> list[Rule]:
        if not isinstance(items, list):
            self.fail("'note' must be an array of tables ([[note]])")
        out = []
        for i, item in enumerate(items):
            where = self.where("note", i)
            if not isinstance(item, dict):
                self.fail(f"{where}: must be a table")
            self.keys(item, _NOTE_KEYS, where)
            cite = self.citation(item, where, need_judgement=False)
            out.append(dataclasses.replace(cite, kind="note"))
        return out

    def rules(self, items):
        if not isinstance(items, list):
            self.fail("'rule' must be an array of tables ([[rule]])")
        zeros = lambda: np.zeros(len(MUSCLES))  # noqa: E731
        vec = {
            "up_allocation": zeros(), "up_per_pct": zeros(), "down_per_pct": zeros(),
            "strike": {p: np.ones(len(MUSCLES)) for p in _STRIKES},
            "speed_exponent": zeros(), "speed_max_mps": np.full(len(MUSCLES), np.inf),
            "cadence_slope_up": zeros(), "cadence_slope_down": zeros(), "contact_exponent": zeros(),
        }
        seen: dict[tuple, str] = {}
        ids: set[str] = set()
        out = []
        for i, item in enumerate(items):
            where = self.where("rule", i)
            if not isinstance(item, dict):
                self.fail(f"{where}: must be a table")
            self.keys(item, _RULE_KEYS, where)
            rid = item.get("id")
            if not isinstance(rid, str) or not rid.strip():
                self.fail(f"{where}: missing 'id' (a short unique name)")
            if rid in ids:
                self.fail(f"{where}: duplicate id '{rid}'")
            ids.add(rid)
            kind = item.get("kind")
            if kind not in RULE_KINDS:
                self.fail(f"{where}: unknown kind {kind!r} (known: {', '.join(RULE_KINDS)})")
            cite = self.citation(item, where)
            positive = kind in ("strike", "cadence")
            muscles = self.muscle_values(item.get("muscles"), where, positive=positive)
            extra = {}
            allowed_extra = {"strike": {"pattern"}, "speed_exponent": {"max_speed_mps"}, "cadence": {"at_pct"}}
            for key in ("pattern", "max_speed_mps", "at_pct"):
                if key in item and key not in allowed_extra.get(kind, set()):
                    self.fail(f"{where}: key '{key}' is not used by kind '{kind}'")
            slot: tuple = (kind,)
            if kind == "strike":
                pattern = item.get("pattern")
                if pattern not in _STRIKES:
                    self.fail(f"{where}: 'pattern' must be one of {', '.join(_STRIKES)} (rearfoot is the reference), "
                              f"got {pattern!r}")
                extra["pattern"] = pattern
                slot = (kind, pattern)
            if kind == "cadence":
                if "at_pct" not in item:
                    self.fail(f"{where}: missing 'at_pct' (step-rate change from preferred, %, e.g. 10 or -10)")
                at_pct = self.number(item["at_pct"], where, "at_pct")
                if at_pct == 0:
                    self.fail(f"{where}: 'at_pct' must not be 0")
                extra["at_pct"] = at_pct
                slot = (kind, at_pct > 0)
            if kind == "speed_exponent" and "max_speed_mps" in item:
                extra["max_speed_mps"] = self.number(item["max_speed_mps"], where, "max_speed_mps", positive=True)
            for muscle, value in muscles.items():
                idx = MUSCLES.index(muscle)
                key = slot + (muscle,)
                if kind not in _ADDITIVE_KINDS and key in seen:
                    self.fail(f"{where}: muscle '{muscle}' already set for kind '{kind}' by rule '{seen[key]}'")
                seen[key] = rid
                if kind == "uphill_allocation":
                    vec["up_allocation"][idx] += value
                elif kind == "uphill_per_pct":
                    vec["up_per_pct"][idx] += value
                elif kind == "downhill_per_pct":
                    vec["down_per_pct"][idx] += value
                elif kind == "strike":
                    vec["strike"][extra["pattern"]][idx] = value
                elif kind == "speed_exponent":
                    vec["speed_exponent"][idx] = value
                    vec["speed_max_mps"][idx] = extra.get("max_speed_mps", np.inf)
                elif kind == "cadence":
                    slope = (value - 1.0) / (extra["at_pct"] / 100.0)
                    vec["cadence_slope_up" if extra["at_pct"] > 0 else "cadence_slope_down"][idx] = slope
                elif kind == "contact_time":
                    vec["contact_exponent"][idx] = value
            out.append(dataclasses.replace(cite, id=rid, kind=kind, muscles=muscles, extra=extra))
        return out, vec
