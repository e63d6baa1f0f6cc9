"""The season's incremental cache: per-file state rows, where each run's steps are kept, and the
season manifest that lets an unchanged re-run finish before the analysis stack is imported.

Standard library only (the manifest check runs first on every re-run).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

__all__ = ["STATE_FORMAT", "STALE_TEMP_S", "load_state", "rules_key", "manifest_key", "read_manifest",
           "remove_stale_temps", "steps_path", "figure_path", "HELD"]

#: Layout version of the state rows; rows of another layout are analysed again.
STATE_FORMAT = 2
#: A temporary output file (``atomic``'s ``.<name>.<random>.tmp``) older than this was left by
#: a writer that was killed: no live write takes this long, so it is removed at the next start.
STALE_TEMP_S = 600.0
#: Folder (under ``.state``) holding the steps and figures of runs found to duplicate another
#: run: out of ``steps/`` (which reads as one dataset of every run once), back if they are kept.
HELD = "held"
#: JSON, but not named *.json: the state folder's *.json are the per-file state rows.
_MANIFEST = "season.manifest"


def load_state(path: Path) -> dict | None:
    """A stored state row, or None when missing, damaged or of another layout."""
    try:
        with open(path, encoding="utf-8") as fh:
            state = json.load(fh)
    except (OSError, ValueError):
        return None  # missing or damaged: analyse again
    if not isinstance(state, dict) or state.get("state_format") != STATE_FORMAT:
        return None
    return state


def steps_path(out: Path, run_id: str, held: bool = False) -> Path:
    """Where a run's steps are stored: ``steps/`` for a counted run, ``.state/held/`` for a duplicate."""
    return (out / ".state" / HELD if held else out / "steps") / f"{run_id}.parquet"


def figure_path(out: Path, run_id: str, held: bool = False) -> Path:
    return (out / ".state" / HELD if held else out / "figures") / f"{run_id}.png"


def rules_key(rules) -> str | None:
    """A cheap identity of the rule set's content, without importing the load model: a shipped
    name or a TOML path with its file's hash. None for a RuleSet object (no fast path)."""
    if not isinstance(rules, (str, os.PathLike)):
        return None
    text = os.fspath(rules)
    builtin = Path(__file__).resolve().parents[1] / "load" / "rules" / f"{text}.toml"
    path = builtin if "/" not in text and builtin.is_file() else Path(text)
    try:
        return f"{text}:{hashlib.sha256(path.read_bytes()).hexdigest()}"
    except OSError:
        return None


def manifest_key(version: str, rules: str, figures: bool, files: list[tuple[str, str]],
                 skipped: list[tuple[str, str]], refused: list, extra) -> str:
    """Identifies one season's inputs: every file with its hash, what was passed over, the rule
    set, the figures option, the gaitload version and ``extra`` (any JSON: time zone, the
    activity lists' rows)."""
    blob = json.dumps([version, rules, bool(figures), sorted(files), sorted(map(list, skipped)),
                       sorted(map(list, refused)), extra], ensure_ascii=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def read_manifest(out: Path, key: str) -> dict | None:
    """The stored summary of the last season run when its inputs were ``key`` and every output
    it names still exists; None otherwise (then the season runs its stages)."""
    try:
        with open(out / ".state" / _MANIFEST, encoding="utf-8") as fh:
            manifest = json.load(fh)
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("key") != key:
        return None
    for name in manifest.get("outputs", []):
        if not (out / name).exists():
            return None
    return manifest


def manifest_path(out: Path) -> Path:
    return out / ".state" / _MANIFEST


def remove_stale_temps(out: Path) -> int:
    """Delete temporary files that killed writers left in the output folders; returns how many.

    Fresh ones are left alone (another season may be writing them right now); they are never
    read as outputs either way, since every reader looks for the final names only.
    """
    now = time.time()
    removed = 0
    for folder in (out, out / "steps", out / "figures", out / ".state", out / ".state" / HELD):
        for tmp in folder.glob(".*.tmp"):
            try:
                if now - tmp.stat().st_mtime > STALE_TEMP_S:
                    tmp.unlink()
                    removed += 1
            except OSError:  # gone already, or not ours to delete: harmless either way
                continue
    return removed
