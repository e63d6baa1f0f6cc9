"""Import, on a background thread, the heavy modules a command is about to need.

A command-line analysis of an hour of foot IMU spends longer importing ``scipy.signal``
(~0.5 s with scipy 1.17, which rewrites the docstrings of its functions at import) than
parsing the file. The parse is pandas' C tokeniser and number converter, which release the
interpreter lock: an import run on a second thread meanwhile is partly hidden behind it. The
imports are the ones the analysis makes itself, in the same order; only when they happen
changes, so results are identical.

Measured on 2 cores (one hour of 204.8 Hz foot IMU, ``gaitload analyze FILE --out DIR``, the
processes given the CPU first so that other load did not decide): importing ``scipy.signal``
ahead saved ~0.1 s of 2.1 s wall for about the same CPU time. Importing matplotlib too (for the
figure) saved nothing more and cost ~0.3 s of CPU: it runs while the detectors do, whose numpy
calls hand the interpreter lock back and forth with it, so it is left to the figure.

Only third-party modules are imported here (scipy): their import graph shares nothing but numpy
(already loaded) with what the main thread imports meanwhile, so the two threads never wait on
each other's import locks in a cycle.
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


def analysis_modules(path: str | os.PathLike) -> list[str]:
    """The heavy third-party modules ``gaitload.analyze(path)`` imports that are worth importing
    ahead, on a second thread (see the module's docstring).

    Parameters
    ----------
    path : str or path-like
        The file to be analysed; its format is sniffed from its first bytes (64 KiB).

    Returns
    -------
    list of str
        Module names, in the order to import them; empty for a watch export, and for a file
        that cannot be sniffed (``analyze`` reports its error).
    """
    from .io import sniff

    modules = []
    try:
        spec, _score = sniff(path)
    except (GaitloadError, OSError):
        spec = None
    if spec is not None and spec.name in IMU_FORMATS:
        modules += IMU_MODULES
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
