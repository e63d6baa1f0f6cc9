"""Import, on a background thread, the heavy modules a command is about to need.

A command-line analysis of an hour of foot IMU spends about as long importing ``scipy.signal``
(~0.5 s with scipy 1.17, which rewrites the docstrings of its functions at import) and
matplotlib (~0.3 s) as parsing the file. Parsing is pandas' C tokeniser and number converter,
which release the interpreter lock, as numpy does on large arrays in the detection: an import
run on a second thread meanwhile costs the command little wall time on a machine with a free
core. The imports run in the same order and give the same modules as when the analysis makes
them itself; only when they happen changes, so results are identical.

Only third-party modules are imported here (scipy, matplotlib): their import graphs share
nothing but numpy (already loaded) with what the main thread imports meanwhile, so the two
threads never wait on each other's import locks in a cycle.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import threading

from .errors import GaitloadError

__all__ = ["analysis_modules", "import_in_background"]

#: Reader formats whose recordings are raw IMU samples: every step detector of those filters
#: the signal with ``scipy.signal`` (Butterworth design, zero-phase filtering, peak finding),
#: which also loads ``scipy.ndimage``, ``scipy.special`` and ``scipy.fft`` that the detectors use.
IMU_FORMATS = ("imu-csv",)
IMU_MODULES = ("scipy.signal",)
#: What drawing a run figure imports (an Agg canvas outside pyplot, see ``gaitload.plot``).
FIGURE_MODULES = ("matplotlib.figure", "matplotlib.backends.backend_agg")


def analysis_modules(path: str | os.PathLike, *, figure: bool = False) -> list[str]:
    """The heavy third-party modules ``gaitload.analyze(path)`` will import.

    Parameters
    ----------
    path : str or path-like
        The file to be analysed; its format is sniffed from its first bytes (64 KiB).
    figure : bool
        The run figure will be drawn too (``Analysis.to_dir`` or ``Analysis.plot``).

    Returns
    -------
    list of str
        Module names, in the order to import them; empty for a watch export without a figure.
        A file that cannot be sniffed gives no analysis modules: ``analyze`` reports its error.
    """
    from .io import sniff

    modules = []
    try:
        spec, _score = sniff(path)
    except (GaitloadError, OSError):
        spec = None
    if spec is not None and spec.name in IMU_FORMATS:
        modules += IMU_MODULES
    if figure:
        modules += FIGURE_MODULES
    return modules


@contextlib.contextmanager
def import_in_background(modules: list[str]):
    """Import ``modules``, in order, on a second thread while the ``with`` block runs.

    Leaving the block stops the thread after the module it is importing (an analysis that
    failed early does not wait for the rest); the thread is not a daemon, so the interpreter
    waits for that module at exit rather than stopping the thread inside an import. A module
    that fails to import is left alone: the code that needs it imports it again and reports
    the error where it always did.

    Parameters
    ----------
    modules : list of str
        Module names (e.g. from :func:`analysis_modules`); those already loaded are skipped.
    """
    todo = [name for name in modules if name not in sys.modules]
    stop = threading.Event()

    def run():
        for name in todo:
            if stop.is_set():
                return
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001  (re-raised, with its context, by the caller's own import)
                return

    if todo:
        threading.Thread(target=run, name="gaitload-imports").start()
    try:
        yield
    finally:
        stop.set()
