"""Every FIT file in ../shared/data against two independent decoders: gaitload reads the same
number of record messages as fitdecode's default pass and the Garmin FIT SDK, and keeps every
channel they find; where gaitload refuses a file, neither decoder finds two timed records in it."""

from __future__ import annotations

import warnings

import pytest

import gaitload
from gaitload.errors import GaitloadError

from conftest import SHARED_DATA

#: Files above this size take a second or more to decode three times (and once per session): slow run only.
_FAST_BYTES = 50_000
#: fitdecode record field -> the gaitload channel that must exist when the field has a value.
_FIELD_CHANNEL = {"heart_rate": "heart_rate", "distance": "distance", "cadence": "cadence",
                  "position_lat": "latitude", "enhanced_speed": "speed", "speed": "speed", "power": "power"}


def _files():
    if not SHARED_DATA.is_dir():
        return [pytest.param(None, id="no-shared-data",
                             marks=pytest.mark.skip(reason=f"real recordings not found at {SHARED_DATA}"))]
    files = sorted(p for p in SHARED_DATA.rglob("*") if p.is_file() and p.suffix.lower() == ".fit")
    return [pytest.param(p, id=str(p.relative_to(SHARED_DATA)),
                         marks=[pytest.mark.slow] if p.stat().st_size > _FAST_BYTES else [])
            for p in files]


def _fitdecode(path):
    """fitdecode's default pass: records before any damage, how many carry a timestamp, and
    the channels their fields stand for."""
    import fitdecode

    n = n_timed = 0
    channels: set[str] = set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with fitdecode.FitReader(str(path)) as reader:
                for frame in reader:
                    if frame.frame_type != fitdecode.FIT_FRAME_DATA or frame.name != "record":
                        continue
                    n += 1
                    names = {f.name for f in frame.fields if f.value is not None}
                    n_timed += "timestamp" in names
                    channels |= {_FIELD_CHANNEL[k] for k in names if k in _FIELD_CHANNEL}
        except Exception:  # damage: the records before it are what any reader can give
            pass
    return n, n_timed, channels


def _sdk(path):
    from garmin_fit_sdk import Decoder, Stream

    try:
        messages, errors = Decoder(Stream.from_file(str(path))).read()
    except Exception as exc:  # noqa: BLE001 - the SDK raises plain exceptions on damage
        return 0, [exc]
    return len(messages.get("record_mesgs", [])), errors


@pytest.mark.parametrize("path", _files())
def test_fit_matches_fitdecode_and_the_sdk(shared_data, path):
    n_fd, n_timed, fd_channels = _fitdecode(path)
    n_sdk, sdk_errors = _sdk(path)
    try:
        listing = gaitload.activities(path)
        recs = [gaitload.read(path, activity=k) for k in listing["activity"]]
    except GaitloadError as exc:
        message = str(exc)
        assert str(path) in message and "\n" not in message
        # refused only when there is no activity to read: fewer than two timed records
        assert n_timed < 2, message
        return
    assert recs[0].metadata["n_records_in_file"] == n_fd
    if not sdk_errors:
        assert n_sdk == n_fd
    else:  # the SDK stops at damage or at compressed timestamps, which fitdecode and gaitload read
        assert n_sdk <= n_fd
    ours = set().union(*(set(r.channels) for r in recs))
    # speed and cadence may be all zero or placeholders; position (0, 0) is "no fix": those may drop
    assert fd_channels - ours <= {"speed", "latitude", "power", "cadence"}, fd_channels - ours
    assert {"heart_rate", "distance"} & fd_channels <= ours
