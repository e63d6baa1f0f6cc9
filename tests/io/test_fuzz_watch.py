"""Mutation fuzz of every real FIT, TCX and GPX file in ../shared/data (issue 10).

Each file is truncated at random points, bit-flipped and spliced with another real file; the
mutated copy must either analyse to a valid result (JSON-serialisable summary) or raise a
``GaitloadError`` whose message is one line naming the file. Anything else is a bug.

Every file has its own deterministic seed (a hash of its relative path), so a failure names the
file and mutation and reproduces exactly. The default run makes three mutations per file and
keeps mutated copies of large files to their first ``DEFAULT_CAP_BYTES`` (the decoders' cost is
in the records, and damage near the start is what trips parsers); ``-m slow`` makes
``SLOW_MUTATIONS`` full-size mutations per file.
"""

from __future__ import annotations

import collections
import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pytest

import gaitload
from gaitload.errors import GaitloadError

REPO = Path(__file__).resolve().parents[2]
_SHARED = Path(os.environ.get("GAITLOAD_SHARED_DATA", REPO.parent / "shared" / "data"))
WATCH_EXTENSIONS = (".fit", ".tcx", ".gpx")
DEFAULT_CAP_BYTES = 96 * 1024
SLOW_MUTATIONS = 12


def _real_files() -> list[str]:
    """Relative paths of every real watch file (collected at import; empty when data is absent)."""
    if not _SHARED.is_dir():
        return []
    return sorted(p.relative_to(_SHARED).as_posix() for p in _SHARED.rglob("*")
                  if p.is_file() and p.suffix.lower() in WATCH_EXTENSIONS)


REAL_FILES = _real_files()
#: a placeholder keeps the test visible (and skipped by ``shared_data``) when the data is absent
PARAMS = REAL_FILES or ["<no shared data>"]
OUTCOMES: collections.Counter = collections.Counter()


def check_contract(path: Path) -> str:
    """Analyse ``path``; return ``"ok"`` or the error class name. Fails on any contract breach."""
    try:
        analysis = gaitload.analyze(path)
    except GaitloadError as exc:
        message = str(exc)
        assert "\n" not in message and "\r" not in message, f"multi-line message: {message!r}"
        assert path.name in message, f"message does not name the file: {message!r}"
        return type(exc).__name__
    except Exception as exc:  # anything else (AssertionError from a decoder included) is a bug
        pytest.fail(f"{path.name}: {type(exc).__name__} escaped gaitload.analyze: {exc!r}")
    json.loads(json.dumps(analysis.summary, default=str))
    json.loads(analysis.to_json())
    assert len(analysis.steps) == analysis.summary["n_steps"], "summary n_steps disagrees with the steps table"
    return "ok"


def _seed(rel: str) -> int:
    return int.from_bytes(hashlib.sha256(rel.encode()).digest()[:8], "little")


def mutations(rel: str, data: bytes, n: int, cap_bytes: int | None):
    """Yield ``(label, mutated bytes)``: truncations, bit flips and splices, deterministic per file."""
    rng = np.random.default_rng(_seed(rel))
    others = [f for f in REAL_FILES if f != rel] or [rel]
    for i in range(n):
        kind = ("truncate", "bitflip", "splice")[i % 3]
        size = len(data)
        if kind == "truncate":
            # often near the start (headers, definitions), sometimes anywhere
            limit = size if cap_bytes is None else min(size, cap_bytes)
            cut = int(rng.integers(0, max(limit, 1))) if rng.random() < 0.5 else int(rng.integers(0, min(limit, 512) or 1))
            yield f"truncate@{cut}", data[:cut]
            continue
        if kind == "bitflip":
            buf = bytearray(data if cap_bytes is None else data[:cap_bytes])
            n_flips = int(rng.integers(1, 9))
            where = rng.integers(0, max(len(buf), 1), n_flips)
            # half the time aim at the first 64 bytes: FIT header and first definition message,
            # XML prolog and root element
            where = np.where(rng.random(n_flips) < 0.5, where % min(64, max(len(buf), 1)), where)
            for pos in where:
                if len(buf):
                    buf[int(pos)] ^= 1 << int(rng.integers(0, 8))
            yield f"bitflip@{','.join(str(int(p)) for p in where)}", bytes(buf)
            continue
        partner_rel = others[int(rng.integers(0, len(others)))]
        partner = (_SHARED / partner_rel).read_bytes()
        head_cut = int(rng.integers(0, (size if cap_bytes is None else min(size, cap_bytes)) + 1))
        tail_cut = int(rng.integers(0, len(partner) + 1))
        spliced = data[:head_cut] + partner[tail_cut:]
        if cap_bytes is not None:
            spliced = spliced[: 2 * cap_bytes]
        yield f"splice@{head_cut}+{partner_rel}@{tail_cut}", spliced


def _fuzz_file(shared_data: Path, rel: str, tmp_path: Path, n: int, cap_bytes: int | None) -> collections.Counter:
    source = shared_data / rel
    data = source.read_bytes()
    outcomes: collections.Counter = collections.Counter()
    suffix = "".join(Path(rel).suffixes[-1:])
    for i, (label, mutated) in enumerate(mutations(rel, data, n, cap_bytes)):
        path = tmp_path / f"mut{i}_{Path(rel).stem[:40]}{suffix}"
        path.write_bytes(mutated)
        try:
            outcomes[check_contract(path)] += 1
        except AssertionError as exc:
            raise AssertionError(f"{rel} {label}: {exc}") from None
        except Exception as exc:
            raise AssertionError(f"{rel} {label}: {type(exc).__name__}: {exc}") from exc
    OUTCOMES.update(outcomes)
    return outcomes


@pytest.mark.parametrize("rel", PARAMS)
def test_mutated_real_file(shared_data, tmp_path, rel):
    # fails inside check_contract on a breach (a crash, a multi-line or anonymous message)
    _fuzz_file(shared_data, rel, tmp_path, n=3, cap_bytes=DEFAULT_CAP_BYTES)


@pytest.mark.slow
@pytest.mark.parametrize("rel", PARAMS)
def test_mutated_real_file_slow(shared_data, tmp_path, rel):
    # fails inside check_contract on a breach (a crash, a multi-line or anonymous message)
    _fuzz_file(shared_data, rel, tmp_path, n=SLOW_MUTATIONS, cap_bytes=None)


def test_mutations_are_deterministic_and_real(shared_data):
    """Same file -> same mutations; the mutations really change the bytes (splices read a real
    partner file, hence the shared data)."""
    data = bytes(range(256)) * 64
    first = list(mutations("a/b.fit", data, 6, None))
    again = list(mutations("a/b.fit", data, 6, None))
    assert first == again
    assert all(m != data for _, m in first)
    assert [label.split("@")[0] for label, _ in first] == ["truncate", "bitflip", "splice"] * 2


def test_original_real_files_hold_the_contract(shared_data):
    """Unmutated small originals (the mutation baseline) analyse or fail cleanly too."""
    small = [rel for rel in REAL_FILES if (shared_data / rel).stat().st_size <= 64 * 1024]
    assert len(small) >= 40
    seen = collections.Counter(check_contract(shared_data / rel) for rel in small)
    assert seen["ok"] >= 10, seen
