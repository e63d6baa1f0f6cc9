"""Resource limits (issue 10): inputs that claim or inflate to gigabytes fail early with a typed
error instead of exhausting memory.

Every dangerous case runs in a fresh interpreter under an address-space limit
(``RLIMIT_AS`` = 4 GiB) with a 60 s timeout, so a regression fails the test (MemoryError or
timeout) rather than taking the machine down.
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

import gaitload
from gaitload.errors import CorruptFileError, GaitloadError, ResourceLimitError
from gaitload.io import registry

AS_LIMIT_BYTES = 4 * 1024**3

_PROBE = """
import json, sys, time, resource
import gaitload
from gaitload.errors import GaitloadError
path = sys.argv[1]
hints = json.loads(sys.argv[2])
if len(sys.argv) > 3:  # a lower decompressed-size cap, so the default run stays fast
    import gaitload.io.csvtext as csvtext
    csvtext.MAX_DECOMPRESSED_BYTES = int(sys.argv[3])
t = time.perf_counter()
try:
    a = gaitload.analyze(path, **hints)
    out = {"outcome": "ok", "n_steps": int(a.summary["n_steps"])}
except GaitloadError as exc:
    out = {"outcome": type(exc).__name__, "message": str(exc)}
out["elapsed_s"] = time.perf_counter() - t
out["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def probe(path: Path, timeout_s: float = 60.0, gzip_cap_bytes: int | None = None, **hints) -> dict:
    """``gaitload.analyze(path)`` in a subprocess under RLIMIT_AS; its outcome as a dict."""

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT_BYTES, AS_LIMIT_BYTES))

    argv = [sys.executable, "-c", _PROBE, str(path), json.dumps(hints)]
    if gzip_cap_bytes is not None:
        argv.append(str(gzip_cap_bytes))
    proc = subprocess.run(argv, capture_output=True,
                          text=True, timeout=timeout_s, preexec_fn=limit)
    assert proc.returncode == 0, f"probe crashed (exit {proc.returncode}): {proc.stderr[-3000:]}"
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"{path.name}: {result}")
    return result


def assert_refused(result: dict, path: Path, *kinds: str) -> None:
    assert result["outcome"] in kinds, result
    assert "\n" not in result["message"] and path.name in result["message"], result


# -- size claims -------------------------------------------------------------------------------
def test_sparse_three_gigabyte_csv_is_refused_before_reading(tmp_path):
    """A valid header, then a 3 GB hole: the registry refuses it from its size alone."""
    path = tmp_path / "billion_rows.csv"
    with open(path, "wb") as fh:
        fh.write(b"time,acc_x,acc_y,acc_z\n" + b"0.00,0.1,0.2,1.0\n" * 1000)
        fh.truncate(3 * 1024**3)  # sparse: no disk blocks are written
    assert path.stat().st_size > registry.MAX_FILE_BYTES
    result = probe(path, timeout_s=30)
    assert_refused(result, path, "ResourceLimitError")
    assert "MiB" in result["message"]
    # refused from the size alone, before any parsing: nowhere near reading 3 GB
    assert result["max_rss_mb"] < 1500, result


def test_max_bytes_option_is_enforced(tmp_path):
    path = tmp_path / "small_but_over.csv"
    path.write_bytes(b"time,acc_x,acc_y,acc_z\n" + b"".join(f"{i / 100:.2f},0.1,0.2,1.0\n".encode() for i in range(5000)))
    with pytest.raises(ResourceLimitError) as info:
        gaitload.read(path, max_bytes=10_000)
    assert path.name in str(info.value) and "\n" not in str(info.value)
    gaitload.read(path)  # the same file under the default limit is read


def _fit_header(data_size: int) -> bytes:
    """A 14-byte FIT file header (protocol 2.0, profile 21.xx) with a zero header CRC."""
    return struct.pack("<BBHI4sH", 14, 0x20, 2140, data_size, b".FIT", 0)


def test_fit_header_claiming_gigabytes_fails_early(tmp_path):
    path = tmp_path / "claims_4gb.fit"
    path.write_bytes(_fit_header(0xFFFFFFF0) + b"\x40\x00\x00\x14\x00\x01\x00\x04\x86" + b"\x00" * 64)
    started = time.perf_counter()
    with pytest.raises((CorruptFileError, ResourceLimitError)) as info:
        gaitload.analyze(path)
    print(f"claims_4gb.fit refused in {1000 * (time.perf_counter() - started):.1f} ms: {info.value}")
    assert path.name in str(info.value) and "\n" not in str(info.value)
    assert "MiB" in str(info.value)


def _huge_definition_fit(n_messages: int) -> bytes:
    """A FIT file whose record definition has a timestamp and 254 fields of 255 bytes each
    (unknown field numbers, byte arrays): 65 kB per record message, one record a second."""
    fields = struct.pack("BBB", 253, 4, 0x86) + b"".join(
        struct.pack("BBB", 100 + (i % 150), 255, 0x0D) for i in range(254))
    definition = b"\x40\x00\x00" + struct.pack("<H", 20) + b"\xff" + fields
    t0 = 1_000_000_000  # FIT epoch seconds (2021)
    body = definition + b"".join(b"\x00" + struct.pack("<I", t0 + k) + b"\x07" * (254 * 255)
                                 for k in range(n_messages))
    return _fit_header(len(body)) + body + b"\x00\x00"


def test_fit_with_huge_field_definitions_is_bounded(tmp_path):
    """~6.5 MB of 65 kB messages of unknown byte-array fields: a typed answer in bounded memory."""
    path = tmp_path / "huge_fields.fit"
    path.write_bytes(_huge_definition_fit(100))
    result = probe(path, timeout_s=60)
    assert_refused(result, path, "CorruptFileError", "NotAnActivityError", "TimestampError",
                   "ResourceLimitError", "SignalError")
    assert result["max_rss_mb"] < 2500, result


def test_fit_definition_cut_short_is_corrupt(tmp_path):
    path = tmp_path / "cut_definition.fit"
    full = _huge_definition_fit(2)
    path.write_bytes(full[:14 + 6 + 100])  # header, then a definition that stops mid-field
    with pytest.raises(GaitloadError) as info:
        gaitload.analyze(path)
    assert type(info.value).__name__ in {"CorruptFileError", "NotAnActivityError", "TimestampError"}
    assert path.name in str(info.value) and "\n" not in str(info.value)


def test_fit_record_limit(shared_data):
    """More record messages than ``max_records`` is a ResourceLimitError, not a long decode."""
    path = shared_data / "python-fitparse-tests" / "tests" / "files" / "garmin-fenix-5-walk.fit"
    with pytest.raises(ResourceLimitError) as info:
        gaitload.read(path, max_records=10)
    assert path.name in str(info.value) and "\n" not in str(info.value)
    assert len(gaitload.read(path).time_s) > 10  # the same file without the tight limit reads


# -- gzip bombs --------------------------------------------------------------------------------
def _gzip_bomb(path: Path, inflated_bytes: int, member_inflated_bytes: int = 16 * 1024**2) -> int:
    """Write a CSV header then concatenated gzip members of rows; returns the inflated size.

    A gzip file may hold many members, and a decompressor joins them; each member's trailer
    states only its own size, so the trailer of the last one says nothing about the total.
    """
    row = b"0.01,0.0,0.0,1.0\n"
    member = gzip.compress(row * (member_inflated_bytes // len(row)), compresslevel=9)
    n_members = max(1, inflated_bytes // member_inflated_bytes)
    with open(path, "wb") as fh:
        fh.write(gzip.compress(b"time,acc_x,acc_y,acc_z\n" + b"".join(
            f"{i / 100:.2f},0.1,0.2,1.0\n".encode() for i in range(2000))))
        for _ in range(n_members):
            fh.write(member)
    return n_members * (member_inflated_bytes // len(row)) * len(row)


@pytest.mark.slow
def test_gzip_bomb_is_refused_in_bounded_memory(tmp_path):
    """~10 MB on disk that inflates to ~10 GB: refused at the real 2 GiB cap, never parsed."""
    path = tmp_path / "bomb.csv.gz"
    inflated = _gzip_bomb(path, 10 * 1000**3)
    assert inflated > 4 * registry.MAX_FILE_BYTES
    assert path.stat().st_size < 40 * 1024**2
    result = probe(path, timeout_s=120)
    assert_refused(result, path, "ResourceLimitError")
    assert "gzip" in result["message"]
    assert result["max_rss_mb"] < 1500, result


def test_gzip_bomb_is_refused_at_a_lowered_cap(tmp_path):
    """The same bomb shape (1 GB inflated, concatenated members) against a 64 MiB cap: the
    reader refuses it after inflating 64 MiB; without the cap, parsing 1 GB of rows would blow
    the 4 GiB address-space limit of the subprocess and fail this test."""
    path = tmp_path / "bomb_small.csv.gz"
    inflated = _gzip_bomb(path, 1000**3)
    assert inflated > 900 * 1000**2 and path.stat().st_size < 5 * 1024**2
    result = probe(path, timeout_s=60, gzip_cap_bytes=64 * 1024**2)
    assert_refused(result, path, "ResourceLimitError")
    assert "gzip" in result["message"] and "64 MiB" in result["message"]
    assert result["max_rss_mb"] < 1000, result


def test_gzip_size_check_counts_exactly(tmp_path):
    """The streaming counter is exact, and the limit is a real boundary."""
    from gaitload.io.memory import check_gzip_size
    from gaitload.io.registry import MAX_DECOMPRESSED_BYTES

    path = tmp_path / "small_bomb.csv.gz"
    inflated = _gzip_bomb(path, 8 * 1024**2, member_inflated_bytes=1024**2)
    header_bytes = len(gzip.decompress(gzip.compress(b"time,acc_x,acc_y,acc_z\n" + b"".join(
        f"{i / 100:.2f},0.1,0.2,1.0\n".encode() for i in range(2000)))))
    assert check_gzip_size(path, MAX_DECOMPRESSED_BYTES) == inflated + header_bytes
    with pytest.raises(ResourceLimitError) as info:
        check_gzip_size(path, limit_bytes=inflated // 2)
    assert path.name in str(info.value)


def test_small_gzip_csv_still_reads(tmp_path):
    """The cap does not get in the way of an ordinary compressed recording."""
    path = tmp_path / "ordinary.csv.gz"
    rows = b"".join(f"{i / 100:.2f},0.1,0.2,{1.0 + (i % 50 == 0)}\n".encode() for i in range(3000))
    path.write_bytes(gzip.compress(b"time,acc_x,acc_y,acc_z\n" + rows))
    recording = gaitload.read(path)
    assert len(recording.time_s) == 3000


def test_truncated_gzip_is_corrupt(tmp_path):
    path = tmp_path / "cut.csv.gz"
    rows = b"".join(f"{i / 100:.2f},0.1,0.2,1.0\n".encode() for i in range(50_000))
    data = gzip.compress(b"time,acc_x,acc_y,acc_z\n" + rows)
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(GaitloadError) as info:
        gaitload.analyze(path)
    assert type(info.value).__name__ in {"CorruptFileError", "EmptyFileError"}
    assert path.name in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("kind", ["dev_zero", "fifo", pytest.param("dev_urandom", marks=pytest.mark.slow)])
def test_endless_streams_are_refused_without_reading(tmp_path, kind):
    """/dev/zero, /dev/urandom and a named pipe report size 0: refused before any read (a read
    would never end, or block forever on the pipe). Run in a subprocess with a timeout."""
    if kind == "fifo":
        path = tmp_path / "pipe.csv"
        os.mkfifo(path)
    else:
        path = Path("/dev/zero" if kind == "dev_zero" else "/dev/urandom")
        if not path.exists():
            pytest.skip(f"{path} not present")
    result = probe(path, timeout_s=30)
    assert_refused(result, path, "EmptyFileError", "UnsupportedFormatError", "GaitloadError")
