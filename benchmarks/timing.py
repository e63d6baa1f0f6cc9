"""Timing helpers shared by the benchmark modules: one result row, and interleaved repeats."""

from __future__ import annotations

import gc
import statistics
import time


def _timed(fn) -> float:
    gc.collect()  # a collection left over from the previous call must not land in this one
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _entry(name: str, times: list[float], work: float | None = None, unit: str | None = None, **extra) -> dict:
    """One result row: times (s) of every repeat, their median/min/max, and throughput (unit/s)."""
    med = statistics.median(times)
    row = {"name": name, "times_s": [round(t, 6) for t in times], "median_s": med,
           "min_s": min(times), "max_s": max(times)}
    if work is not None and unit:
        row.update(work=work, unit=unit, throughput_per_s=work / med if med > 0 else float("inf"))
    row.update(extra)
    return row


def _interleaved(fns: dict, repeat: int, warmup: bool = True) -> dict[str, list[float]]:
    """Time several callables ``repeat`` times, alternating them so that load on the shared
    machine hits baseline and subject alike. One untimed warm-up call each (page cache, imports)."""
    if warmup:
        for fn in fns.values():
            fn()
    times = {k: [] for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            times[k].append(_timed(fn))
    return times


def _median(xs):
    return statistics.median(xs)
