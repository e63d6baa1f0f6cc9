"""Shared fixtures. Real recordings live in ../shared/data beside the checkout (CI has them;
a user's fresh clone does not, and the tests that need them skip with a reason)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("GAITLOAD_SHARED_DATA", REPO.parent / "shared" / "data"))
SAMPLE_DATA = REPO / "sample_data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of ../shared/data; skips the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real recordings not found at {SHARED_DATA} (only present beside the project checkout)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def sample_data() -> Path:
    """Path of the bundled sample_data/ folder."""
    return SAMPLE_DATA
