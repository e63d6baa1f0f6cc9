"""Atomic file output: write to a temporary file in the same folder, then rename.

A reader of the output folder sees either the old file or the complete new one, never half a
file, even if the process is killed mid-write (``os.replace`` is atomic on POSIX and Windows
within one filesystem).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd

__all__ = ["atomic_path", "write_bytes", "write_text", "write_json", "write_csv", "write_parquet", "safe_name"]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it is fsynced and renamed onto ``path``.

    On any exception the temporary file is removed and ``path`` is left untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        # mkstemp creates 0600 files; outputs get the usual permissions of a new file
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_with(path: str | os.PathLike, writer: Callable[[Path], None]) -> Path:
    with atomic_path(path) as tmp:
        writer(tmp)
    return Path(path)


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    return _write_with(path, lambda tmp: tmp.write_bytes(data))


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    return _write_with(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_json(path: str | os.PathLike, obj) -> Path:
    """Write ``obj`` as indented JSON (NaN written as null) atomically."""
    return write_text(path, json.dumps(_json_clean(obj), indent=2, allow_nan=False) + "\n")


def write_csv(path: str | os.PathLike, frame: pd.DataFrame, **kwargs) -> Path:
    """Write ``frame`` as CSV atomically (no index unless asked)."""
    kwargs.setdefault("index", False)
    return _write_with(path, lambda tmp: frame.to_csv(tmp, **kwargs))


def write_parquet(path: str | os.PathLike, frame: pd.DataFrame) -> Path:
    """Write ``frame`` as Parquet (pyarrow) atomically."""
    return _write_with(path, lambda tmp: frame.to_parquet(tmp, engine="pyarrow", index=False))


def _json_clean(obj):
    """Replace NaN/inf with None and numpy scalars with Python ones, recursively."""
    import math

    import numpy as np

    if isinstance(obj, dict):
        return {str(k): _json_clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_clean(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [_json_clean(v) for v in obj.tolist()]
    if isinstance(obj, (np.floating, float)):
        value = float(obj)
        return value if math.isfinite(value) else None
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, pd.Timestamp):
        return obj.isoformat()
    return obj


json_clean = _json_clean


def safe_name(name: str, max_length: int = 120) -> str:
    """A file-name-safe version of ``name`` that cannot escape a folder.

    Path separators, ``..``, leading dots, control and other odd characters become ``_``; an
    empty result becomes ``"run"``.
    """
    import re

    base = name.replace("\\", "/").split("/")[-1]
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._-")
    cleaned = re.sub(r"\.{2,}", ".", cleaned)
    return (cleaned or "run")[:max_length]
