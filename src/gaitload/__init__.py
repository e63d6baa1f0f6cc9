"""gaitload: foot strikes, terrain and per-muscle running load from sensor logs.

Public API
----------
read(path, **hints) -> Recording
activities(path) -> pandas.DataFrame (one row per activity in a file)
analyze(source, *, placement=None, sampling_rate_hz=None, rules="source", **options) -> Analysis
season(paths, out_dir, *, jobs=None, scheduler=None, rules="source") -> SeasonResult
plan(course, *, flat_speed_mps=None, pace=None, rules="source", season=None) -> Plan
"""

from .analysis import Analysis, analyze
from .errors import GaitloadError
from .io import activities, read, readers
from .recording import Recording

__version__ = "0.1.0"

# Imported eagerly so that ``gaitload.season`` stays the function (importing the submodule
# lazily later would rebind the package attribute to the module). season.py imports Dask and
# tqdm only when they are used, so this costs nothing at start-up.
from .season import SeasonResult, season  # noqa: E402
from .plan import Plan, plan  # noqa: E402  (eager for the same reason as season)


__all__ = ["Analysis", "GaitloadError", "Recording", "activities", "analyze", "read", "readers", "season", "SeasonResult", "plan", "Plan", "__version__"]
