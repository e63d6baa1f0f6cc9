"""The vectorised FIT CRC (gaitload.io.fit_crc) and the CRC checks decode_fit makes with it in
place of fitdecode's own: same CRCs as fitdecode's byte loop, the CRCs the files themselves
carry, and the same damage (message and records kept) as fitdecode checking CRCs itself; and
decode_fit's in-memory reader, which reads every frame as fitdecode's own reader does."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from gaitload.io.fit_crc import fit_crc
from gaitload.io.fit_decode import MAX_RECORDS, decode_fit
from gaitload.io.memory import MemoryFile

FP = "python-fitparse-tests/tests/files"


def _fit_files(shared_data):
    return sorted(p for p in shared_data.rglob("*") if p.suffix.lower() == ".fit")


def test_published_check_value():
    # CRC-16/ARC's catalogued check value (the CRC of the ASCII digits 1-9)
    assert fit_crc(b"123456789") == 0xBB3D
    assert fit_crc(b"") == 0


@pytest.mark.parametrize("n", [*range(0, 300, 7), 63, 64, 65, 127, 128, 129, 4095, 4096, 4097, 100_003])
def test_random_bytes_match_fitdecode(n):
    from fitdecode.utils import compute_crc

    data = np.random.default_rng(n).integers(0, 256, n, dtype=np.uint8).tobytes()
    assert fit_crc(data) == (compute_crc(data) if n else 0)
    if n > 10:
        assert fit_crc(data, 3, n - 5) == compute_crc(data, start=3, end=n - 5)


@pytest.mark.parametrize("n", [255, 256, 257, 1000, 4097])
def test_passes_chain_as_one(monkeypatch, n):
    """A file longer than one pass (4 MiB) is done in passes: the same CRC (passes of 256 bytes here)."""
    from fitdecode.utils import compute_crc

    import gaitload.io.fit_crc as module

    monkeypatch.setattr(module, "_CHUNK", 256)
    data = np.random.default_rng(n).integers(0, 256, n, dtype=np.uint8).tobytes()
    assert fit_crc(data) == compute_crc(data)
    assert fit_crc(data, 5, n - 2) == compute_crc(data, start=5, end=n - 2)


def test_real_files_match_fitdecode_and_their_own_crc(shared_data):
    from fitdecode.utils import compute_crc

    files = _fit_files(shared_data)
    assert len(files) > 30
    carried = 0
    for path in files:
        data = path.read_bytes()
        assert fit_crc(data) == compute_crc(data), path.name
        hs, size = data[0], struct.unpack_from("<I", data, 4)[0]
        end = hs + size
        if end + 2 <= len(data):
            stored = struct.unpack_from("<H", data, end)[0]
            if stored == fit_crc(data, 0, end):
                carried += 1
            assert (stored == fit_crc(data, 0, end)) == (stored == compute_crc(data, end=end)), path.name
    assert carried > 30  # an undamaged file's footer holds the CRC of its header and data


def _fitdecode_raise(data: bytes) -> tuple[int, str | None]:
    """Records fitdecode yields with its own CRC checks raising, and the error that stopped it."""
    import fitdecode

    n = 0
    try:
        with fitdecode.FitReader(data, processor=None, check_crc=fitdecode.CrcCheck.RAISE) as reader:
            for frame in reader:
                n += frame.frame_type == fitdecode.FIT_FRAME_DATA and frame.name == "record"
    except fitdecode.FitError as exc:
        return n, f"{type(exc).__name__}: {exc}"
    return n, None


def _mutations(shared_data) -> dict[str, bytes]:
    a = (shared_data / FP / "activity-small-fenix2-run.fit").read_bytes()
    b = (shared_data / FP / "garmin-fenix-5-run.fit").read_bytes()  # 14-byte header with a CRC
    assert b[0] == 14 and b[12:14] != b"\0\0"
    rng = np.random.default_rng(3)

    def flip(data: bytes, at: int) -> bytes:
        out = bytearray(data)
        out[at] ^= 0x41
        return bytes(out)

    body = int(rng.integers(b[0], len(b) - 2))
    return {
        "header crc": flip(b, 12),
        "header field": flip(b, 2),
        "header crc 0 (not given)": b[:12] + b"\0\0" + b[14:],
        "body byte": flip(b, body),
        "footer": flip(b, len(b) - 1),
        "chained, second file's body": a + flip(b, body),
        "chained, second file's header crc": a + flip(b, 12),
        "chained, first file's footer": flip(a, len(a) - 1) + b,
        "chained three, all sound": a + b + a,
        "chained, second cut short": a + b[: len(b) // 2],
        "cut before the footer": b[:-1],
    }


def test_damage_as_fitdecode_checking_crcs_itself(shared_data):
    for what, data in _mutations(shared_data).items():
        d = decode_fit(MemoryFile(data, f"{what}.fit"), MAX_RECORDS)
        n, error = _fitdecode_raise(data)
        assert d["n"] == n, what
        if error is None:
            assert d["damage"] is None, what
        elif error.startswith("FitCRCError"):
            assert d["damage"] == f"CRC mismatch ({error.split(': ', 1)[1]})", what
        else:
            assert d["damage"] is not None and "CRC" not in d["damage"], what


def _frames(reader_cls, data: bytes) -> tuple[list, str | None]:
    """Every frame (kind, message name, field names and values) and the error that ended the read."""
    import fitdecode

    out = []
    try:
        with reader_cls(data, processor=None, check_crc=fitdecode.CrcCheck.DISABLED) as reader:
            for frame in reader:
                if frame.frame_type == fitdecode.FIT_FRAME_DATA:
                    out.append((frame.name, [(fd.name, repr(fd.value), repr(fd.raw_value)) for fd in frame.fields]))
                else:
                    out.append((frame.frame_type, getattr(frame, "crc", None)))
    except Exception as exc:  # noqa: BLE001 - the same error, whatever it is
        return out, f"{type(exc).__name__}: {exc}"
    return out, None


@pytest.mark.filterwarnings("ignore::UserWarning")  # fitdecode's own notes on odd definitions, both readers
def test_in_memory_reader_reads_as_fitdecode(shared_data):
    import fitdecode

    from gaitload.io.fit_decode import reader_class

    fast = reader_class()
    if fast is fitdecode.FitReader:
        pytest.skip(f"fitdecode {fitdecode.__version__}: read through its own reader")
    inputs = {p.name: p.read_bytes() for p in _fit_files(shared_data) if p.stat().st_size < 400_000}
    inputs.update(_mutations(shared_data))
    assert len(inputs) > 60
    for what, data in inputs.items():
        assert _frames(fast, data) == _frames(fitdecode.FitReader, data), what
