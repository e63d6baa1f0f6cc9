"""Temporary alias of :mod:`gaitload.events.filters`, this module's former name, for importers
not yet moved to the new name (``events/foot.py``, some tests and ``benchmarks/run.py``).
Remove once none imports it."""

from . import filters as _filters
from .filters import *  # noqa: F401,F403  (the same public names)
from .filters import __all__  # noqa: F401


def __getattr__(name: str):
    """Every other name (the old module's private helpers) from :mod:`gaitload.events.filters`."""
    return getattr(_filters, name)
