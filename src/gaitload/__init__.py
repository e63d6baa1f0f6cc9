"""gaitload: foot strikes, terrain and per-muscle running load from sensor logs.

Public API
----------
read(path, **hints) -> Recording
analyze(source, *, placement=None, sampling_rate_hz=None, rules="source", **options) -> Analysis
season(paths, out_dir, *, jobs=None, scheduler=None, rules="source") -> SeasonResult
"""

from .analysis import Analysis, analyze
from .errors import GaitloadError
from .io import read, readers
from .recording import Recording

__version__ = "0.1.0"


def season(paths, out_dir, *, jobs=None, scheduler=None, rules="source", **options):
    """Analyse every run in ``paths`` (files, folders, globs) into ``out_dir``.

    See :func:`gaitload.season.season` for the parameters and outputs.
    """
    from .season import season as _season

    return _season(paths, out_dir, jobs=jobs, scheduler=scheduler, rules=rules, **options)


__all__ = ["Analysis", "GaitloadError", "Recording", "analyze", "read", "readers", "season", "__version__"]
