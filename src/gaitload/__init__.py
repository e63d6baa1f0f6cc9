"""gaitload: foot strikes, terrain and per-muscle running load from sensor logs.

Public API
----------
read(path, **hints) -> Recording
analyze(source, *, placement=None, sampling_rate_hz=None, rules="source", **options) -> Analysis
season(paths, out_dir, *, jobs=None, scheduler=None, rules="source") -> SeasonResult
"""

from .errors import GaitloadError
from .io import read, readers
from .recording import Recording

__version__ = "0.1.0"

__all__ = ["GaitloadError", "Recording", "read", "readers", "__version__"]
