"""gaitload: foot strikes, terrain and per-muscle running load from sensor logs.

Public API
----------
read(path, **hints) -> Recording
activities(path) -> pandas.DataFrame (one row per activity in a file)
analyze(source, *, placement=None, sampling_rate_hz=None, rules="source", **options) -> Analysis
season(paths, out_dir, *, jobs=None, scheduler=None, rules="source") -> SeasonResult
plan(course, *, flat_speed_mps=None, pace=None, rules="source", season=None) -> Plan
"""

from .errors import GaitloadError

from .version import __version__  # noqa: E402,F401

# Imported eagerly so that ``gaitload.season`` stays the function (importing the subpackage
# later would rebind the package attribute to it). It imports only the standard library until
# it has work to do, so an unchanged season re-run never loads the analysis stack.
from .season import SeasonResult, season  # noqa: E402

# The analysis stack (numpy, pandas, scipy) loads when one of these is first used.
_LAZY = {"Analysis": ".analysis", "analyze": ".analysis", "activities": ".io", "read": ".io", "readers": ".io",
         "Recording": ".recording", "plan": ".forecast", "Plan": ".forecast"}


def __getattr__(name):
    import importlib

    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    if not name.startswith("__"):  # ``gaitload.io.X`` after a bare ``import gaitload``, as before
        try:
            return importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise  # the submodule exists but needs a package that is missing
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Analysis", "GaitloadError", "Recording", "activities", "analyze", "read", "readers", "season", "SeasonResult", "plan", "Plan", "__version__"]
