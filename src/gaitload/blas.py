"""One BLAS thread while a run is analysed.

The analysis' matrix products are thin: samples ``(n, 3)`` against a 3-vector or into a 3x3
covariance, and the zero-phase filters' blocks ``(n / 16, 18)`` against an ``(18, 16)`` matrix.
Split over several BLAS threads they gain nothing, and on a machine whose other cores are busy
the waiting threads spin: with two OpenBLAS threads on a loaded 2-core machine, the foot
method's filters and strap-down of an hour at 100 Hz took 159 ms against 51 ms on one thread
(``benchmarks/run.py --only analyze``, same run conditions). The command line sets
``OPENBLAS_NUM_THREADS=1`` before numpy loads; in a Python session that already has numpy, the
detectors run inside :func:`one_blas_thread`, which restores the user's setting afterwards.
"""

from __future__ import annotations

import functools
from typing import Callable, TypeVar

__all__ = ["one_blas_thread"]

F = TypeVar("F", bound=Callable)


def one_blas_thread(func: F) -> F:
    """Decorator: run ``func`` with every loaded BLAS library limited to one thread.

    The limit is taken with ``threadpoolctl`` (about 0.5 ms per call, paid once per run) and
    lifted when ``func`` returns or raises, so the caller's own BLAS settings are untouched.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
