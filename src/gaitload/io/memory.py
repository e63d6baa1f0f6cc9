"""File content already in memory, handed to a reader in place of a path.

:func:`gaitload.read` decompresses a gzip FIT, TCX or GPX file in memory (bounded, see
:func:`gunzip_bounded`) and gives the reader a :class:`MemoryFile`; the reader takes its bytes
with :func:`source_bytes` and names the file the user gave with :func:`source_path`. Nothing
is written to a temporary file and read again.
"""

from __future__ import annotations

import io
import os
import zlib
from pathlib import Path

from ..errors import CorruptFileError, EmptyFileError, ResourceLimitError

__all__ = ["MemoryFile", "source_path", "source_bytes", "source_size", "source_fileish", "gunzip_bounded",
           "check_gzip_size"]


class MemoryFile:
    """The decompressed content of ``path``.

    Deliberately not path-like (no ``__fspath__``): code that would ``open()`` it fails loudly
    instead of reading the compressed file on disk.

    Parameters
    ----------
    data : bytes
        The content.
    path : str or path-like
        The file it came from (named in messages and on the Recording).
    """

    __slots__ = ("data", "path")

    def __init__(self, data: bytes, path: str | os.PathLike):
        self.data = bytes(data)
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"MemoryFile({str(self.path)!r}, {len(self.data)} bytes)"


def source_path(source) -> Path:
    """The file a reader names: a :class:`MemoryFile`'s origin, else ``source`` as a Path."""
    return source.path if isinstance(source, MemoryFile) else Path(source)


def source_bytes(source) -> bytes:
    """All bytes of ``source`` (a :class:`MemoryFile` or a path)."""
    return source.data if isinstance(source, MemoryFile) else Path(source).read_bytes()


def source_size(source) -> int:
    """Size of ``source`` in bytes (decompressed for a :class:`MemoryFile`)."""
    return len(source.data) if isinstance(source, MemoryFile) else Path(source).stat().st_size


def source_fileish(source):
    """What a decoder that takes a path or a binary file object is given (a str path, or a
    ``BytesIO`` over a :class:`MemoryFile`'s bytes)."""
    return io.BytesIO(source.data) if isinstance(source, MemoryFile) else str(source)


def check_gzip_size(path: Path, limit_bytes: int) -> int:
    """Decompressed size of a gzip file in bytes, streaming in constant memory.

    Raises
    ------
    ResourceLimitError
        More than ``limit_bytes`` decompressed bytes; decompression stops at the limit.
    CorruptFileError
        Damaged gzip data.
    """
    import gzip

    buf = bytearray(4 << 20)
    total = 0
    try:
        with gzip.open(path, "rb") as fh:
            while n := fh.readinto(buf):
                total += n
                if total > limit_bytes:
                    raise ResourceLimitError(
                        f"gzip data inflates to more than {limit_bytes / 1024**2:.0f} MiB (the limit for one "
                        f"recording; compressed size {Path(path).stat().st_size / 1024**2:.1f} MiB)", path)
    except (OSError, EOFError, zlib.error) as exc:
        raise CorruptFileError(f"gzip data cannot be decompressed ({exc})", path) from None
    return total


def gunzip_bounded(path: str | os.PathLike, limit: int) -> bytes:
    """The decompressed bytes of the gzip file ``path`` (every member), refusing more than
    ``limit`` bytes. The size is counted first by streaming in constant memory
    (:func:`check_gzip_size`, the CSV readers' check too), so a gzip bomb is
    refused before anything is kept; only data within the limit is then inflated in memory.

    Raises
    ------
    ResourceLimitError
        The data inflates to more than ``limit`` bytes.
    CorruptFileError
        Not gzip data, or cut short.
    EmptyFileError
        It decompresses to nothing.
    """
    import gzip


    path = Path(path)
    if check_gzip_size(path, limit_bytes=limit) == 0:
        raise EmptyFileError("the gzip file decompresses to nothing", path)
    try:
        return gzip.decompress(path.read_bytes())
    except (OSError, EOFError, zlib.error) as exc:  # the count above read it whole: not expected
        raise CorruptFileError(f"gzip data cannot be decompressed ({exc})", path) from None
