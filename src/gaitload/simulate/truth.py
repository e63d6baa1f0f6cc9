"""The ground-truth table of a simulated run: one row per foot contact of both feet."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .course import Course
from .timeline import Timeline, Warp

__all__ = ["truth_table"]


def truth_table(tl: Timeline, course: Course, warp: Warp, duration_s: float) -> pd.DataFrame:
    """One row per running contact of both feet (columns: see :func:`~gaitload.simulate.simulate_run`)."""
    k = tl.k
    ic_t = warp.to_t(tl.ic)
    to_t = warp.to_t(tl.ic + tl.tc)
    # stride length: this foot's footprint to its next footprint (two steps later)
    nxt = np.full(k.size, -1)
    for left in (True, False):
        idx = np.flatnonzero(tl.foot_left == left)
        nxt[idx[:-1]] = idx[1:]
    has_next = nxt >= 0
    pos = tl.foot_pos
    alt_pos = course.altitude_at(pos)
    stride = np.where(has_next, pos[np.clip(nxt, 0, None)] - pos, np.nan)
    rise = np.where(has_next, alt_pos[np.clip(nxt, 0, None)] - alt_pos, np.nan)
    keep = (tl.ic >= 0) & (to_t <= duration_s) & (tl.ic <= tl.run_end_tau)
    # the contact the runner stands on during a stop is standing, not a running contact
    keep &= ~((tl.ic < warp.pause_tau) & (tl.ic + tl.tc > warp.pause_tau))
    grid = course.grid(1.0)
    d_ic = tl.d(tl.ic)
    grade = np.interp(d_ic, grid["distance_m"], grid["grade_pct"])
    terrain = np.where(grade > 2.0, "uphill", np.where(grade < -2.0, "downhill", "flat"))
    step_time = np.diff(ic_t, prepend=np.nan)
    # a contact whose previous one happened while standing (start) has no step time
    prev_ok = np.concatenate([[False], keep[:-1]])
    step_time = np.where(prev_ok, step_time, np.nan)
    truth = pd.DataFrame({
        "time_s": ic_t, "toe_off_s": to_t, "foot": np.where(tl.foot_left, "left", "right"),
        "contact_time_ms": (to_t - ic_t) * 1000.0, "step_time_s": step_time,
        "cadence_spm": tl.c(tl.ic), "speed_mps": tl.v(tl.ic), "distance_m": d_ic,
        "altitude_m": course.altitude_at(d_ic), "grade_pct": grade, "terrain": terrain,
        "strike_pattern": tl.pattern, "strike_angle_deg": tl.angle,
        "stride_length_m": stride, "stride_rise_m": rise,
    })
    truth = truth[keep].reset_index(drop=True)
    truth["terrain"] = truth["terrain"].astype(object)
    truth["foot"] = truth["foot"].astype(object)
    return truth
