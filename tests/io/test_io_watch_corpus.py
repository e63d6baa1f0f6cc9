"""Every FIT, TCX and GPX file in ../shared/data either reads into a valid Recording or fails
with a typed GaitloadError that names the file; nothing else escapes and nothing hangs."""

from __future__ import annotations

import numpy as np
import pytest

import gaitload
from gaitload.errors import GaitloadError
from gaitload.recording import CHANNEL_UNITS

from conftest import SHARED_DATA

_EXTS = {".fit", ".tcx", ".gpx"}
#: Files whose decode takes seconds (100,000 records); marked slow.
_SLOW = {"big_activity.fit"}


def _corpus():
    if not SHARED_DATA.is_dir():
        return [pytest.param(None, id="no-shared-data",
                             marks=pytest.mark.skip(reason=f"real recordings not found at {SHARED_DATA}"))]
    files = sorted(p for p in SHARED_DATA.rglob("*") if p.is_file() and p.suffix.lower() in _EXTS)
    return [
        pytest.param(p, id=str(p.relative_to(SHARED_DATA)), marks=[pytest.mark.slow] if p.name in _SLOW else [])
        for p in files
    ]


@pytest.mark.parametrize("path", _corpus())
def test_reads_or_fails_cleanly(shared_data, path):
    try:
        rec = gaitload.read(path)
    except GaitloadError as exc:
        message = str(exc)
        assert str(path) in message and "\n" not in message
        return
    assert rec.placement == "records"
    assert rec.source_format == path.suffix.lower().lstrip(".")
    assert rec.n_samples >= 2 and rec.time_s[0] == 0.0 and np.all(np.diff(rec.time_s) > 0)
    assert rec.start_time is not None and str(rec.start_time.tz) == "UTC"
    assert 1990 <= rec.start_time.year <= 2030
    for name, values in rec.channels.items():
        assert name in CHANNEL_UNITS, name
        assert values.shape == rec.time_s.shape
        assert rec.provenance[name].split(":")[0] in ("measured", "derived")
    c = rec.channels
    if "latitude" in c:
        assert np.nanmax(np.abs(c["latitude"])) <= 90 and np.nanmax(np.abs(c["longitude"])) <= 180
    if "heart_rate" in c:
        assert np.nanmax(c["heart_rate"]) < 256
    if "contact_time" in c:
        assert 0.05 < np.nanmedian(c["contact_time"]) < 2.0  # seconds, not ms
    for key in ("sport", "laps", "pauses", "altitude_source", "device"):
        assert key in rec.metadata
    assert rec.metadata["altitude_source"] in ("barometric", "gps", "unknown", "none")
    for a, b in rec.metadata["pauses"]:
        assert b > a
