"""The forecast figure (``plan.png``): elevation profile with the climbs and descents, predicted
muscle emphasis along the course, and the climb/descent load per muscle (against training with a
season). Built on an Agg canvas without pyplot state, like :mod:`gaitload.plot`."""

from __future__ import annotations

import os

import numpy as np

from .plot.style import MUSCLE_COLORS, TERRAIN_COLORS, save_figure
from .schema import MUSCLE_LABELS as _LABEL
from .schema import MUSCLES, float_column

__all__ = ["plot_plan", "emphasis_along"]



def emphasis_along(steps, rules, bin_m: float = 500.0):
    """Each muscle's share of load minus its share on level ground, in bins of ``bin_m`` metres.

    Returns
    -------
    centres_m : ndarray, shape (k,)
    emphasis_pts : ndarray, shape (k, 6)
        Percentage points (positive: the terrain there loads the muscle more than level ground).
    """
    from .load.model import level_ground_loads

    d = float_column(steps, "distance_m")
    if not len(steps) or not np.isfinite(d).any():
        return np.empty(0), np.empty((0, len(MUSCLES)))
    loads = np.nan_to_num(np.column_stack([float_column(steps, f"load_{m}") for m in MUSCLES]))
    level = np.nan_to_num(level_ground_loads(steps, rules))
    idx = (np.nan_to_num(d) // bin_m).astype(int)
    k = int(idx.max()) + 1
    sums = np.zeros((k, len(MUSCLES)))
    lsums = np.zeros((k, len(MUSCLES)))
    np.add.at(sums, idx, loads)
    np.add.at(lsums, idx, level)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = sums / sums.sum(axis=1, keepdims=True)
        lshare = lsums / lsums.sum(axis=1, keepdims=True)
    return (np.arange(k) + 0.5) * bin_m, 100.0 * (share - lshare)


def plot_plan(plan, path: str | os.PathLike | None = None, *, dpi: float = 110.0):
    """Draw the forecast of a :class:`gaitload.plan.Plan`.

    Parameters
    ----------
    plan : Plan
    path : str or path-like, optional
        Write the figure there (.png, .svg or .pdf), atomically.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 9))
    FigureCanvasAgg(fig)
    axes = fig.subplots(3, 1, gridspec_kw={"height_ratios": [1.2, 1.0, 1.1]})
    summary, p = plan.summary, plan.summary.get("plan") or {}
    prof = plan.profile
    km = float_column(prof, "distance_m") / 1000.0 if len(prof) else np.empty(0)
    alt = float_column(prof, "altitude_m") if len(prof) else np.empty(0)
    ax = axes[0]
    for row in plan.climbs.itertuples():
        ax.axvspan(row.start_m / 1000, row.end_m / 1000, alpha=0.6, lw=0,
                   color=TERRAIN_COLORS["uphill" if row.kind == "climb" else "downhill"])
    if np.isfinite(alt).any():
        ax.plot(km, alt, color="black", lw=1.2)
        ax.set_ylabel("altitude (m)")
    else:
        ax.text(0.5, 0.5, "no elevation on the course: grade unknown", transform=ax.transAxes, ha="center")
    ax.set_title(f"{p.get('course') or 'course'}: predicted {p.get('finish_time')} at {p.get('flat_pace')} flat "
                 f"(climbs yellow, descents grey)", fontsize=10)
    ax.set_xlabel("distance (km)")

    ax = axes[1]
    centres, emph = emphasis_along(plan.steps, plan.rules if plan.rules is not None else "source")
    for i, m in enumerate(MUSCLES):
        ax.plot(centres / 1000.0, emph[:, i], color=MUSCLE_COLORS[m], lw=1.4, label=_LABEL.get(m, m))
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_ylabel("share vs level\n(percentage points)")
    ax.set_xlabel("distance (km), 500 m bins")
    ax.legend(ncol=6, fontsize=8, loc="upper center", frameon=False)
    ax.set_title("predicted emphasis along the course", fontsize=10)

    ax = axes[2]
    y = np.arange(len(MUSCLES))
    training = plan.training
    by_terrain = summary.get("load_by_terrain") or {}
    if len(training):
        for off, part, color in ((-0.2, "climbs", TERRAIN_COLORS["uphill"]), (0.2, "descents", TERRAIN_COLORS["downhill"])):
            rows = training[training["part"] == part].set_index("muscle")
            vals = [float(rows.loc[m, "vs_biggest_run"]) if m in rows.index else np.nan for m in MUSCLES]
            ax.barh(y + off, vals, height=0.38, color=color, edgecolor="black", lw=0.5, label=part)
        ax.axvline(1.0, color="black", lw=1, ls="--")
        ax.set_xlabel("course load / your biggest training run of the last 8 weeks (uphill and downhill ground)")
    else:
        for off, key, color, label in ((-0.2, "uphill", TERRAIN_COLORS["uphill"], "climbs"),
                                       (0.2, "downhill", TERRAIN_COLORS["downhill"], "descents")):
            vals = [float((by_terrain.get(key) or {}).get(m, 0.0)) for m in MUSCLES]
            ax.barh(y + off, vals, height=0.38, color=color, edgecolor="black", lw=0.5, label=label)
        ax.set_xlabel("load on uphill and downhill ground (flat-step equivalents); add --season to compare with training")
    ax.set_yticks(y, [_LABEL.get(m, m) for m in MUSCLES])
    ax.invert_yaxis()
    ax.legend(fontsize=8, loc="lower right")
    fig.subplots_adjust(left=0.12, right=0.97, top=0.95, bottom=0.06, hspace=0.45)
    if path is not None:
        save_figure(fig, path, dpi=dpi)
    return fig
