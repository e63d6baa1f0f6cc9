"""A forecast in words: what ``gaitload plan`` prints (:meth:`gaitload.plan.Plan.describe`)."""

from __future__ import annotations

import math

from .schema import MUSCLE_LABELS as _LABEL
from .schema import MUSCLES
from .totals import format_duration

__all__ = ["describe_plan"]

#: Climbs and descents listed in the printed forecast (the biggest by height).
_MAX_SHOWN = 12


def _known(x) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x)


def _dur(seconds) -> str:
    return format_duration(seconds) if _known(seconds) else "n/a"


def _top(row: dict, n: int = 3) -> str:
    loads = sorted(((row.get(f"load_{m}") or 0.0, m) for m in MUSCLES), reverse=True)[:n]
    return ", ".join(f"{_LABEL.get(m, m)} {v:.0f}" for v, m in loads if _known(v))


def describe_plan(summary: dict) -> str:
    """The forecast for people: finish, splits, climbs, muscles, training comparison, warnings.

    Parameters
    ----------
    summary : dict
        ``Plan.summary``.

    Returns
    -------
    str
    """
    p = summary.get("plan") or {}
    lines = []
    gain, loss = summary.get("elevation_gain_m"), summary.get("elevation_loss_m")
    elev = (f"up {gain:.0f} m / down {abs(loss):.0f} m" if _known(gain) and _known(loss) else "elevation unknown")
    name = p.get("course") or summary.get("path") or "course"
    lines.append(f"{name}  ({p.get('course_format')}, {p.get('distance_m', float('nan')) / 1000:.2f} km, {elev}; "
                 f"rules '{summary.get('rules')}')")
    lines.append(f"  forecast at {p.get('flat_pace')} on the flat ({p.get('flat_speed_source')})")
    walk = p.get("walk_fraction") or 0.0
    lines.append(f"  predicted finish {p.get('finish_time')}  (cadence {p.get('flat_cadence_spm', float('nan')):.0f} "
                 f"steps/min on the flat; walking {100 * walk:.0f} % of the distance; no stops, no fatigue)")
    splits = summary.get("splits") or []
    if splits:
        items = [f"{int(s['km'])}: {_dur(s['split_time_s'])}" for s in splits]
        lines.append("  splits (km: time)")
        for i in range(0, len(items), 8):
            lines.append("    " + "  ".join(items[i:i + 8]))
    climbs = summary.get("climbs") or []
    if climbs:
        # the biggest by height gained or lost, shown in course order; all of them are in climbs.csv
        big = sorted(climbs, key=lambda c: -(c.get("gain_m") if c.get("kind") == "climb" else c.get("loss_m")) or 0.0)
        shown = [c for c in climbs if any(c is b for b in big[:_MAX_SHOWN])]
        lines.append("  climbs and descents                          time     most loaded (flat-step equivalents)")
        for c in shown:
            amount = c.get("gain_m") if c.get("kind") == "climb" else -(c.get("loss_m") or 0.0)
            grade = c.get("mean_grade_pct")
            lines.append(f"    {c.get('kind', ''):<8} {c['start_m'] / 1000:5.1f}-{c['end_m'] / 1000:5.1f} km "
                         f"{amount:+5.0f} m {grade if _known(grade) else float('nan'):+5.1f} %   "
                         f"{_dur(c.get('predicted_time_s')):>8}   {_top(c)}")
        if len(climbs) > len(shown):
            lines.append(f"    ... {len(climbs) - len(shown)} smaller ones in climbs.csv / summary['climbs']")
    else:
        lines.append("  no climb or descent of 20 m or more at 3 % or steeper")
    load = summary.get("muscle_load") or {}
    vs_level = summary.get("load_vs_level") or {}
    emphasis = summary.get("emphasis_vs_flat") or {}
    lines.append("  muscle        load    vs level   share vs flat")
    for m in MUSCLES:
        lv, em = vs_level.get(m), emphasis.get(m)
        lines.append(f"  {_LABEL.get(m, m):<12} {load.get(m, float('nan')):6.0f}   "
                     f"{(f'{lv:.2f}x' if _known(lv) else 'n/a'):>7}   {(f'{em:+.1f} pts' if _known(em) else 'n/a'):>9}")
    training = summary.get("training") or []
    if training:
        lines.append(f"  against your training ({p.get('training_window')}):")
        for part in ("climbs", "descents", "whole course"):
            rows = [r for r in training if r["part"] == part and _known(r.get("vs_biggest_run"))]
            if not rows:
                continue
            rows.sort(key=lambda r: r["vs_biggest_run"], reverse=True)
            text = ", ".join(f"{_LABEL.get(r['muscle'], r['muscle'])} {r['vs_biggest_run']:.1f}x" for r in rows[:3])
            top = rows[0]
            week = top.get("vs_biggest_week")
            lines.append(f"    {part}: {text} your biggest training run"
                         + (f" ({_LABEL.get(top['muscle'], top['muscle'])} {week:.1f}x your biggest week)"
                            if _known(week) else ""))
    for w in summary.get("warnings", []):
        lines.append(f"  ! {w}")
    return "\n".join(lines)
