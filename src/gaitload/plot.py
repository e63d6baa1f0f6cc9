"""Figures: one run (issue 7.1) and a season (issue 7.2).

Both functions build a :class:`matplotlib.figure.Figure` directly (Agg canvas, no pyplot state),
so they are safe in worker processes and servers; ``plt.close(fig)`` is harmless on them.
Colours are fixed per muscle in every figure (:data:`MUSCLE_COLORS`, the Okabe-Ito
colour-blind-safe palette: Okabe M, Ito K. *Color Universal Design*, 2008; Wong B.
*Points of view: Color blindness*, Nat Methods 2011;8:441).

Files are written atomically, in the format given by the file extension (``.png``, ``.svg``,
``.pdf``), with time stamps and software versions stripped so the same input gives the same
bytes.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.ticker import EngFormatter, MaxNLocator, PercentFormatter

from . import atomic
from ._layout import fixed_layout, freeze_layout
from .errors import OptionError
from .schema import MUSCLE_LABELS, MUSCLES, float_column
from .totals import format_duration

__all__ = ["plot_run", "plot_season", "save_figure", "MUSCLE_COLORS", "TERRAIN_COLORS",
           "STRIKE_COLORS", "FIGURE_FORMATS"]

#: One colour per muscle, the same in every figure (Okabe-Ito palette, colour-blind safe).
MUSCLE_COLORS: dict[str, str] = {
    "glutes": "#E69F00",       # orange
    "quads": "#56B4E9",        # sky blue
    "hamstrings": "#009E73",   # bluish green
    "calves": "#D55E00",       # vermillion
    "hip_flexors": "#CC79A7",  # reddish purple
    "core": "#0072B2",         # blue
}
#: Background shading of terrain classes (the two Okabe-Ito colours muscles do not use, light).
TERRAIN_COLORS: dict[str, str] = {"uphill": "#F0E442", "flat": "#FFFFFF", "downhill": "#9A9A9A"}
#: Strike patterns (Paul Tol's colour-blind-safe 'muted' scheme), unknown in light grey.
STRIKE_COLORS: dict[str, str] = {"rearfoot": "#332288", "midfoot": "#44AA99",
                                 "forefoot": "#AA4499", "unknown": "#BBBBBB"}
#: File extension -> matplotlib format.
FIGURE_FORMATS: dict[str, str] = {".png": "png", ".svg": "svg", ".pdf": "pdf"}

#: zlib level of PNG output: level 3 encodes a run figure in about half the time of Pillow's
#: default 6 (35 vs 60-80 ms) for 1-2 % more bytes (142 vs 140 KiB); measured on a season run.
_PNG_COMPRESS_LEVEL = 3
# Metadata that would make two renderings of the same figure differ (dates, versions).
_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None},
}
# svg.hashsalt fixes the ids of clip paths and glyphs, which are otherwise random per save.
_STYLE = {"svg.hashsalt": "gaitload", "font.size": 9.0, "axes.titlesize": 10.0,
          "axes.labelsize": 9.0, "legend.fontsize": 8.0, "xtick.labelsize": 8.0,
          "ytick.labelsize": 8.0, "axes.spines.top": False, "axes.spines.right": False}
_MUSCLE_LABELS = MUSCLE_LABELS
# Left title at the top edge. A fixed y skips matplotlib's search for decorations above the
# axes, which it repeats at every layout pass and draw (~50 ms of a run figure); the panels
# given it have all ticks below or left and no y offset text, so the search would find none
# and leave the title at 1.0 anyway. The elevation panel keeps the search: its y axis can show
# an offset ("+1.5e3"), and the search lifts the title clear of it.
_FIXED_TITLE = {"loc": "left", "y": 1.0}
_REFERENCE_SPEED_MPS = 3.3  # the load model's reference speed; converts smooth_m to seconds
_RUN_FIGSIZE = (13.0, 9.0)  # inches


def _plot_buckets(dpi: float) -> int:
    """Columns of the figure: its width in pixels, more than any panel spans (the finest grid
    a smoothed trace needs)."""
    return max(int(np.ceil(_RUN_FIGSIZE[0] * float(dpi))), 100)


# -- output ------------------------------------------------------------------------------------
def _figure_format(path: str | os.PathLike) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FIGURE_FORMATS:
        raise OptionError(f"{os.fspath(path)}: cannot write a figure as '{suffix or 'no extension'}'; "
                          f"use one of {', '.join(FIGURE_FORMATS)}")
    return FIGURE_FORMATS[suffix]


def save_figure(fig: Figure, path: str | os.PathLike, *, dpi: float = 110.0) -> Path:
    """Write ``fig`` atomically, in the format of the extension, with reproducible bytes.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or path-like
        Ends in ``.png``, ``.svg`` or ``.pdf``.
    dpi : float
        Resolution of raster output, dots per inch.

    Returns
    -------
    Path
    """
    fmt = _figure_format(path)
    # the house style also at save time: tick labels are made lazily, when the figure is drawn
    with matplotlib.rc_context(_STYLE), atomic.atomic_path(path) as tmp:
        extra = {"pil_kwargs": {"compress_level": _PNG_COMPRESS_LEVEL}} if fmt == "png" else {}
        fig.savefig(tmp, format=fmt, dpi=dpi, metadata=_METADATA[fmt], **extra)
    return Path(path)


def _finish(fig: Figure, path, dpi: float, title=None, legend=None) -> Figure:
    """Lay out in the house style and fix the layout (:func:`gaitload._layout.fixed_layout` when it
    applies, else :func:`gaitload._layout.freeze_layout`), then write the figure if asked: one full draw in all, the
    one that renders the file."""
    if title is None or legend is None or not fixed_layout(fig, title, legend):
        freeze_layout(fig)
    if path is not None:
        save_figure(fig, path, dpi=dpi)
    return fig


def _new_figure(figsize, dpi: float = 100.0) -> Figure:
    # made at the resolution it is saved at: the layout's text measurements are then the ones
    # the saved drawing uses (text metrics are cached per dpi), not done twice
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)  # Agg canvas: renders without any GUI or pyplot state
    return fig


def _note(ax, text: str) -> None:
    """Say in the panel why it is empty, instead of leaving a blank box."""
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="0.35",
            fontsize=9, wrap=True)


# -- numeric helpers (vectorised) -------------------------------------------------------------
def _col(frame: pd.DataFrame, name: str) -> np.ndarray:
    """A column as float array (NaN when absent or not numeric; empty without a table)."""
    return np.full(0, np.nan) if frame is None else float_column(frame, name)


def _labels(frame: pd.DataFrame, name: str) -> np.ndarray:
    if frame is None or name not in frame:
        return np.full(0 if frame is None else len(frame), "unknown", dtype=object)
    return frame[name].fillna("unknown").astype(str).to_numpy(dtype=object)


def window_sums(x: np.ndarray, values: np.ndarray, grid: np.ndarray, width: float) -> np.ndarray:
    """Sum of ``values`` over all ``x`` within ``width / 2`` of each grid point.

    A centred moving sum over an irregular axis by differences of cumulative sums, so the cost
    is O((n + g) log n) whatever the window (no per-sample loop).

    Parameters
    ----------
    x : ndarray, shape (n,)
        Positions (m or s), finite.
    values : ndarray, shape (n,) or (n, k)
        Values at those positions; NaN counts as 0.
    grid : ndarray, shape (g,)
        Centres of the windows, same unit as ``x``.
    width : float
        Full window width, same unit as ``x``.

    Returns
    -------
    ndarray, shape (g,) or (g, k)
    """
    order = np.argsort(x, kind="stable")
    xs = x[order]
    vals = np.nan_to_num(np.asarray(values, dtype=float)[order])
    cum = np.concatenate([np.zeros((1,) + vals.shape[1:]), np.cumsum(vals, axis=0)])
    lo = np.searchsorted(xs, grid - width / 2.0, side="left")
    hi = np.searchsorted(xs, grid + width / 2.0, side="right")
    return cum[hi] - cum[lo]


def smoothed_shares(x: np.ndarray, loads: np.ndarray, width: float,
                    n_max: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """Share of each muscle in the load of a moving window along the run.

    The share at a point is the load of each muscle summed over the steps within
    ``width / 2`` divided by the summed load of all muscles there (a ratio of sums, so long
    and short steps weigh by their load, not by their count); the columns sum to 1.

    Parameters
    ----------
    x : ndarray, shape (n,)
        Position of each step (distance in m, or time in s).
    loads : ndarray, shape (n, k)
        Load per step and muscle (flat-step equivalents).
    width : float
        Window width, same unit as ``x``.
    n_max : int
        Most grid points evaluated.

    Returns
    -------
    grid : ndarray, shape (g,)
    shares : ndarray, shape (g, k)
        NaN where the window holds no load (a pause, a gap).
    """
    ok = np.isfinite(x)
    x, loads = x[ok], loads[ok]
    if x.size == 0:
        return np.empty(0), np.empty((0, loads.shape[1]))
    lo, hi = float(x.min()), float(x.max())
    n = int(np.clip(np.ceil((hi - lo) / max(width / 10.0, 1e-9)) + 1, 2, n_max))
    grid = np.linspace(lo, hi, n)
    sums = window_sums(x, loads, grid, width)
    total = sums.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(total > 0, sums / total, np.nan)
    return grid, shares


def _tick_path(x: np.ndarray, y0: float, y1: float) -> MplPath:
    """One path of vertical ticks from ``y0`` to ``y1`` at each ``x`` (move to the bottom, line to
    the top), so thousands of ticks are one artist and one path, not one each.

    Parameters
    ----------
    x : ndarray, shape (n,)
        Positions of the ticks, finite.
    y0, y1 : float
        Bottom and top of every tick.

    Returns
    -------
    matplotlib.path.Path
        Vertices ``[x, y0], [x, y1]`` per tick.
    """
    verts = np.empty((x.size, 2, 2))
    verts[:, :, 0] = x[:, None]
    verts[:, 0, 1] = y0
    verts[:, 1, 1] = y1
    codes = np.tile(np.array([MplPath.MOVETO, MplPath.LINETO], dtype=MplPath.code_type), x.size)
    path = MplPath(verts.reshape(-1, 2), codes)
    path.should_simplify = False  # the simplifier must not merge neighbouring ticks
    return path


def _runs_of(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end index (exclusive) of each run of equal labels."""
    if labels.size == 0:
        return np.empty(0, int), np.empty(0, int)
    change = np.flatnonzero(labels[1:] != labels[:-1]) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [labels.size]])
    return starts, ends


# -- per-run figure -----------------------------------------------------------------------------
def _format_duration(seconds) -> str:
    try:
        seconds = float(seconds)
    except (TypeError, ValueError):
        return "duration unknown"
    if not np.isfinite(seconds):
        return "duration unknown"
    return format_duration(seconds) + (" h" if round(seconds) >= 3600 else " min")


def _run_title(summary: dict) -> str:
    # the runner's own clock where the file gives it (as the terminal shows), else UTC
    local = summary.get("local_start_time")
    start = local or summary.get("start_time")
    when = "date unknown"
    if start:
        try:
            stamp = pd.Timestamp(start)
            when = stamp.strftime("%Y-%m-%d %H:%M") + (" local time" if local else stamp.strftime(" %Z"))
        except (TypeError, ValueError):
            when = str(start)
        when = when.strip()
    distance = summary.get("distance_m")
    try:
        dist_txt = f"{float(distance) / 1000:.2f} km" if np.isfinite(float(distance)) else "distance unknown"
    except (TypeError, ValueError):
        dist_txt = "distance unknown"
    parts = [when, dist_txt, _format_duration(summary.get("duration_s")),
             f"rules: {summary.get('rules', 'unknown')}"]
    gain, loss = summary.get("elevation_gain_m"), summary.get("elevation_loss_m")
    if isinstance(gain, (int, float)) and isinstance(loss, (int, float)) and np.isfinite(gain) and np.isfinite(loss):
        # loss is reported positive by terrain, but accept a signed value too
        parts.append(f"+{abs(gain):.0f} m / -{abs(loss):.0f} m")
    return "  ·  ".join(parts)


def _run_axis(analysis, smooth_m: float) -> dict:
    """Choose the shared x axis: distance (km) when the steps know it, else time (min)."""
    steps = analysis.steps
    dist = _col(steps, "distance_m")
    if np.isfinite(dist).sum() >= 2 and np.nanmax(dist) > np.nanmin(dist):
        return {"kind": "distance", "col": "distance_m", "scale": 1e-3, "label": "distance (km)",
                "width": float(smooth_m), "seg": ("start_m", "end_m")}
    speeds = _col(steps, "speed_mps")
    speeds = speeds[np.isfinite(speeds)]
    speed = float(np.median(speeds)) if speeds.size else np.nan
    speed = speed if np.isfinite(speed) and speed > 0.5 else _REFERENCE_SPEED_MPS
    # no distance: the same smoothing length, converted to time at the run's speed
    return {"kind": "time", "col": "time_s", "scale": 1 / 60.0, "label": "time (min)",
            "width": float(smooth_m) / speed, "seg": ("start_s", "end_s")}


def _shade_terrain(ax, analysis, axis: dict) -> list:
    """Shade uphill / downhill stretches behind the profile, one collection per class."""
    seg = analysis.segments if isinstance(analysis.segments, pd.DataFrame) else pd.DataFrame()
    c0, c1 = axis["seg"]
    if len(seg) and c0 in seg and c1 in seg and "terrain" in seg:
        start, end, cls = _col(seg, c0), _col(seg, c1), _labels(seg, "terrain")
    else:
        prof = analysis.profile if isinstance(analysis.profile, pd.DataFrame) else pd.DataFrame()
        src = prof if len(prof) and axis["col"] in prof and "terrain" in prof else analysis.steps
        x, lab = _col(src, axis["col"]), _labels(src, "terrain")
        ok = np.isfinite(x)
        x, lab = x[ok], lab[ok]
        i0, i1 = _runs_of(lab)
        if i0.size == 0:
            return []
        edges = np.concatenate([x, x[-1:]])
        start, end, cls = x[i0], edges[i1], lab[i0]
    handles = []
    if not np.isin(cls, ("uphill", "flat", "downhill")).any():
        return handles  # no terrain known: no shading, no legend
    for name in ("uphill", "downhill"):
        keep = (cls == name) & np.isfinite(start) & np.isfinite(end)
        if keep.any():
            spans = np.column_stack([start[keep] * axis["scale"], (end[keep] - start[keep]) * axis["scale"]])
            ax.broken_barh(spans, (0, 1), transform=ax.get_xaxis_transform(), facecolors=TERRAIN_COLORS[name],
                           alpha=0.55 if name == "uphill" else 0.35, linewidth=0, zorder=0)
            handles.append(Patch(facecolor=TERRAIN_COLORS[name], alpha=0.55 if name == "uphill" else 0.35,
                                 label=name))
    if (cls == "flat").any():
        handles.append(Patch(facecolor="white", edgecolor="0.7", label="flat"))
    return handles


#: Colours of the climbs and descents drawn over the elevation profile.
_CLIMB_COLORS = {"climb": "#b2182b", "descent": "#2166ac"}


def _mark_climbs(ax, analysis, axis, x, alt) -> None:
    """Climbs and descents drawn bold over the profile, each labelled with its gain (or loss)
    and mean grade at its top."""
    climbs = getattr(analysis, "climbs", None)
    c0, c1 = axis["seg"]
    if not isinstance(climbs, pd.DataFrame) or not len(climbs) or c0 not in climbs:
        return
    for kind, color in _CLIMB_COLORS.items():
        part = climbs[climbs["kind"] == kind]
        sign = "+" if kind == "climb" else "-"
        for a, b, metres, grade in zip(_col(part, c0) * axis["scale"], _col(part, c1) * axis["scale"],
                                       _col(part, "gain_m"), _col(part, "mean_grade_pct")):  # a few climbs
            on = (x >= a) & (x <= b)
            if on.sum() >= 2:
                ax.plot(x[on], alt[on], color=color, linewidth=2.6, solid_capstyle="butt", gid=kind)
                top = x[on][-1] if kind == "climb" else x[on][0]
                ax.annotate(f"{sign}{abs(metres):.0f} m, {grade:.0f} %", (top, np.nanmax(alt[on])), xytext=(0, 4),
                            textcoords="offset points", ha="right" if kind == "climb" else "left",
                            va="bottom", fontsize=7, color=color)


def _panel_elevation(ax, analysis, axis):
    prof = analysis.profile if isinstance(analysis.profile, pd.DataFrame) else pd.DataFrame()
    src = prof if len(prof) and axis["col"] in prof and np.isfinite(_col(prof, "altitude_m")).any() else analysis.steps
    x, alt = _col(src, axis["col"]) * axis["scale"], _col(src, "altitude_m")
    handles = _shade_terrain(ax, analysis, axis)
    ax.set_ylabel("altitude (m)")
    ax.set_title("Elevation profile and terrain", loc="left")
    if np.isfinite(alt).any():
        line, = ax.plot(x, alt, color="0.15", linewidth=1.2, label="altitude")
        line.set_gid("altitude")
        _mark_climbs(ax, analysis, axis, x, alt)
    else:
        _note(ax, "no altitude in this recording")
    if handles:
        ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=3, frameon=False,
                  borderaxespad=0.1)


def _panel_shares(ax, analysis, axis, loads):
    x = _col(analysis.steps, axis["col"])
    grid, shares = smoothed_shares(x, loads, axis["width"], n_max=min(2000, axis["buckets"]))
    ax.set_ylabel("share of load (%)")
    ax.set_ylim(0, 100)
    smooth_txt = (f"{axis['width']:.0f} m" if axis["kind"] == "distance" else f"{axis['width']:.0f} s")
    ax.set_title(f"Muscle share of load along the run (moving {smooth_txt} window)", **_FIXED_TITLE)
    if grid.size == 0 or not np.isfinite(shares).any():
        _note(ax, "no per-step load to show")
        return
    polys = ax.stackplot(grid * axis["scale"], (100.0 * shares).T, colors=[MUSCLE_COLORS[m] for m in MUSCLES],
                         labels=[_MUSCLE_LABELS[m] for m in MUSCLES], linewidth=0)
    for poly, m in zip(polys, MUSCLES):
        poly.set_gid(f"share_{m}")
    ax.yaxis.set_major_formatter(PercentFormatter(100, decimals=0))


def _panel_strike(ax, analysis, axis):
    steps = analysis.steps
    x = _col(steps, axis["col"]) * axis["scale"]
    pattern = _labels(steps, "strike_pattern")
    known = ("rearfoot", "midfoot", "forefoot")
    ax.set_title("Strike pattern at each foot contact", **_FIXED_TITLE)
    ax.set_yticks(range(3), known)
    ax.set_ylim(-0.6, 2.6)
    ax.invert_yaxis()
    any_known = False
    for row, name in enumerate(known):
        sel = (pattern == name) & np.isfinite(x)
        if sel.any():
            any_known = True
            # one tick per contact, rasterised in SVG/PDF so a marathon stays a small file
            path = _tick_path(np.sort(x[sel]), row - 0.4, row + 0.4)
            ticks = PathPatch(path, facecolor="none", edgecolor=STRIKE_COLORS[name], linewidth=0.6,
                              rasterized=True)
            # add_artist: add_patch would walk the path segment by segment for the data limits
            ax.add_artist(ticks)
            ax.update_datalim(path.vertices)
            ax.autoscale_view()
            ticks.set_gid(f"strike_{name}")
    if not any_known:
        _note(ax, "strike pattern unknown (needs a foot or shank IMU)")


def _panel_cadence(ax, analysis, axis):
    steps = analysis.steps
    x = _col(steps, axis["col"])
    cad = _col(steps, "cadence_spm")
    # a stand-in cadence (no cadence channel) is a model's value, not the runner's: said so in
    # the title, and no per-step dots that would look like measurements
    estimated = (analysis.summary or {}).get("cadence_source") == "estimated"
    ax.set_ylabel("cadence (steps/min)")
    ax.set_title("Cadence (estimated from speed)" if estimated else "Cadence", **_FIXED_TITLE)
    ok = np.isfinite(x) & np.isfinite(cad)
    if not ok.any():
        _note(ax, "cadence unknown")
        return
    if not estimated:
        ax.plot(x[ok] * axis["scale"], cad[ok], linestyle="none", marker=".", markersize=1.5, color="0.65",
                label="per step", rasterized=True)
    lo, hi = float(x[ok].min()), float(x[ok].max())
    n_grid = np.clip(np.ceil((hi - lo) / max(axis["width"] / 10, 1e-9)) + 1, 2, min(2000, axis["buckets"]))
    grid = np.linspace(lo, hi, int(n_grid))
    sums = window_sums(x[ok], np.column_stack([cad[ok], np.ones(ok.sum())]), grid, axis["width"])
    count = sums[:, 1]
    # windows cut by a pause hold few steps, and their mean follows a single mis-timed step:
    # show the trace only where the window holds at least 30 % of its typical number of steps
    typical = np.median(count[count > 0]) if (count > 0).any() else 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where((count > 0) & (count >= 0.3 * typical), sums[:, 0] / count, np.nan)
    line, = ax.plot(grid * axis["scale"], mean, color="0.1", linewidth=1.2, label="moving mean")
    line.set_gid("cadence")
    # robust limits: a few mis-detected steps must not squash the trace
    q1, q99 = np.percentile(cad[ok], [1, 99])
    pad = max(5.0, 0.1 * (q99 - q1))
    ax.set_ylim(q1 - pad, q99 + pad)
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, frameon=False, borderaxespad=0.1,
              markerscale=6)


def _run_shares(analysis, loads) -> np.ndarray:
    """Whole-run share per muscle (fraction): the summary's, else the steps' load sums."""
    summary_share = (analysis.summary or {}).get("muscle_share") or {}
    values = np.array([summary_share.get(m, np.nan) if summary_share.get(m) is not None else np.nan
                       for m in MUSCLES], dtype=float)
    if not np.isfinite(values).all() and loads.size:
        sums = np.nansum(loads, axis=0)
        if sums.sum() > 0:
            values = np.where(np.isfinite(values), values, sums / sums.sum())
    return values


def _running_shares(summary: dict, share: np.ndarray) -> np.ndarray:
    """Share per muscle of the running steps (what ``emphasis_vs_flat`` compares with level
    ground); the whole run's ``share`` when no step walked."""
    run = ((summary.get("load_by_gait") or {}).get("run") or {})
    if not summary.get("walk_fraction") or not run:
        return share
    loads = np.array([run.get(m, np.nan) for m in MUSCLES], dtype=float)
    total = np.nansum(loads)
    return loads / total if total > 0 else share  # every step walked: the whole run's shares


def _panel_share_vs_flat(ax, share, emphasis, running_only: bool = False):
    y = np.arange(len(MUSCLES))
    colors = [MUSCLE_COLORS[m] for m in MUSCLES]
    ax.set_title(f"Share of load: {'running steps' if running_only else 'this run'} vs level ground", **_FIXED_TITLE)
    ax.set_xlabel("share of total load (%)")
    ax.set_yticks(y, [_MUSCLE_LABELS[m] for m in MUSCLES])
    if not np.isfinite(share).any():
        _note(ax, "no load computed")
        return
    run = ax.barh(y - 0.2, 100 * share, height=0.4, color=colors, label="this run")
    run.set_label("this run")
    flat = 100 * share - emphasis
    # outlined, not hatched: hatching is the costliest fill Agg draws
    level = ax.barh(y + 0.2, np.where(np.isfinite(flat), flat, 0), height=0.4, color="white",
                    edgecolor=colors, linewidth=1.2, label="same steps on level ground")
    for patch, c in zip(level.patches, colors):
        patch.set_edgecolor(c)
    ax.set_ylim(len(MUSCLES) - 0.4, -0.6)
    # headroom on the right keeps the legend clear of the bars (the last muscles' are short)
    top = np.nanmax(np.concatenate([100 * share, flat]))
    ax.set_xlim(0, 1.25 * top if np.isfinite(top) and top > 0 else 1)
    ax.legend(loc="lower right", frameon=False)


#: the emphasis axis spans +-this many percentage points, widened only when a bar needs it, so
#: two runs' figures compare at a glance
_EMPHASIS_SPAN_PTS = 10.0


def _panel_emphasis(ax, emphasis, grade_known: bool = True, load_ratio=None, walk_fraction=None):
    y = np.arange(len(MUSCLES))
    ax.set_title("Emphasis vs level ground (running steps)", **_FIXED_TITLE)
    ax.set_xlabel("change in share (percentage points)\nlabels: points, and load vs level ground")
    ax.set_yticks(y, [_MUSCLE_LABELS[m] for m in MUSCLES])
    ax.axvline(0, color="0.2", linewidth=0.8)
    ax.set_ylim(len(MUSCLES) - 0.4, -0.6)
    ax.set_xlim(-_EMPHASIS_SPAN_PTS, _EMPHASIS_SPAN_PTS)
    if walk_fraction is not None and np.isfinite(walk_fraction) and round(100 * walk_fraction) > 0:
        ax.text(0.99, 0.99, f"walking: {100 * walk_fraction:.0f} % of steps (not compared)", transform=ax.transAxes,
                ha="right", va="top", fontsize=7, color="0.35")
    if not np.isfinite(emphasis).any():
        walked = walk_fraction is not None and np.isfinite(walk_fraction) and walk_fraction >= 1.0
        _note(ax, "every step walked: no running steps to compare with level ground" if walked
              else "no level-ground reference")
        return
    values = np.where(np.isfinite(emphasis), emphasis, 0.0)
    bars = ax.barh(y, values, height=0.6, color=[MUSCLE_COLORS[m] for m in MUSCLES], label="emphasis")
    bars.set_label("emphasis")
    ratio = np.full(len(MUSCLES), np.nan) if load_ratio is None else np.asarray(load_ratio, dtype=float)
    # room for the labels beyond the longest bar (wider when they also carry the load ratio)
    room = 1.9 if np.isfinite(ratio).any() else 1.45
    widest = float(np.max(np.abs(values)))
    if widest * room > _EMPHASIS_SPAN_PTS:
        ax.set_xlim(-widest * room, widest * room)
    labels = [(f"{v:+.1f}" if np.isfinite(v) else "n/a") + (f"  {r:.2f}x" if np.isfinite(r) else "")
              for v, r in zip(emphasis, ratio)]
    ax.bar_label(bars, labels=labels, padding=2, fontsize=8)
    if not grade_known:  # zero emphasis here means "no slope information", not "a level run"
        ax.text(0.02, 0.02, "grade unknown: every step counted as level", transform=ax.transAxes,
                ha="left", va="bottom", fontsize=7, color="0.35")


def plot_run(analysis, path: str | os.PathLike | None = None, *, smooth_m: float = 200.0,
             title: str | None = None, dpi: float = 110.0) -> Figure:
    """Per-run figure: where on the course the run loaded which muscle.

    Panels, sharing the distance axis (km; time in minutes when the run has no distance):
    the elevation profile with uphill / downhill shading (from ``analysis.segments``, else the
    profile's or steps' terrain class); each muscle's share of load along the run (a moving
    window of ``smooth_m`` metres, ratio of summed loads, stacked to 100 %); the strike pattern
    of every contact; cadence. On the right: each muscle's share of the whole run against the
    same steps on level ground, and the difference (``summary["emphasis_vs_flat"]``,
    percentage points, on a fixed +-10 point axis widened only when a bar needs it, labelled
    with ``summary["load_vs_level"]``), glutes, quads, hamstrings and calves first; the share
    of walking steps, which the level comparison leaves out.

    Parameters
    ----------
    analysis : gaitload.Analysis
        Needs ``steps``; ``profile``, ``segments`` and ``summary`` are used when present.
    path : str or path-like, optional
        Write the figure there (``.png``, ``.svg`` or ``.pdf``, atomically, reproducible bytes).
    smooth_m : float
        Width of the moving window of the share and cadence traces, metres (> 0).
    title : str, optional
        Figure title; default: date, distance, duration, rule set, climb and descent.
    dpi : float
        Resolution of PNG output, dots per inch.

    Returns
    -------
    matplotlib.figure.Figure
        Agg-backed; call ``plt.close(fig)`` or just drop it.

    Raises
    ------
    OptionError
        ``analysis`` has no steps table, ``smooth_m`` is not positive, or the file extension
        is not a figure format.
    """
    steps = getattr(analysis, "steps", None)
    if not isinstance(steps, pd.DataFrame):
        raise OptionError(f"plot_run needs an Analysis with a steps table, got {type(analysis).__name__}")
    try:
        smooth_m = float(smooth_m)
    except (TypeError, ValueError):
        raise OptionError(f"smooth_m must be a number of metres, got {smooth_m!r}") from None
    if not np.isfinite(smooth_m) or smooth_m <= 0:
        raise OptionError(f"smooth_m must be a positive number of metres, got {smooth_m}")
    if path is not None:
        _figure_format(path)  # fail before drawing
    summary = getattr(analysis, "summary", None) or {}
    loads = np.column_stack([_col(steps, f"load_{m}") for m in MUSCLES]) if len(steps) \
        else np.empty((0, len(MUSCLES)))
    share = _run_shares(analysis, loads)
    emph_dict = summary.get("emphasis_vs_flat") or {}
    emphasis = np.array([np.nan if emph_dict.get(m) is None else emph_dict.get(m) for m in MUSCLES], dtype=float)
    ratio_dict = summary.get("load_vs_level") or {}
    load_ratio = np.array([np.nan if ratio_dict.get(m) is None else ratio_dict.get(m) for m in MUSCLES], dtype=float)

    with matplotlib.rc_context(_STYLE):
        fig = _new_figure(_RUN_FIGSIZE, dpi)
        grid = fig.add_gridspec(4, 2, width_ratios=[3.0, 1.25], height_ratios=[1.5, 1.6, 0.75, 1.0])
        ax_elev = fig.add_subplot(grid[0, 0], label="elevation")
        ax_share = fig.add_subplot(grid[1, 0], sharex=ax_elev, label="shares")
        ax_strike = fig.add_subplot(grid[2, 0], sharex=ax_elev, label="strike")
        ax_cad = fig.add_subplot(grid[3, 0], sharex=ax_elev, label="cadence")
        ax_vs = fig.add_subplot(grid[0:2, 1], label="share_vs_flat")
        ax_emph = fig.add_subplot(grid[2:4, 1], label="emphasis")

        axis = _run_axis(analysis, smooth_m)
        axis["buckets"] = _plot_buckets(dpi)
        if len(steps) == 0:
            for ax in (ax_share, ax_strike, ax_cad):
                _note(ax, "no foot contacts detected")
        _panel_elevation(ax_elev, analysis, axis)
        if len(steps):
            _panel_shares(ax_share, analysis, axis, loads)
            _panel_strike(ax_strike, analysis, axis)
            _panel_cadence(ax_cad, analysis, axis)
        ax_cad.set_xlabel(axis["label"])
        # fewer ticks (each is three lines and two texts to make, lay out and draw): a few
        # round values per axis read as well as matplotlib's default of up to nine
        ax_cad.xaxis.set_major_locator(MaxNLocator(nbins=6))
        for ax in (ax_elev, ax_cad):
            ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
        ax_share.yaxis.set_major_locator(MaxNLocator(nbins=2))  # 0, 50, 100 %
        for ax in (ax_elev, ax_share, ax_strike):
            # the shared distance axis is drawn once, under the bottom panel: an invisible axis
            # makes no ticks (two lines and two texts each, most of a figure's drawing time)
            ax.xaxis.set_visible(False)
        running = _running_shares(summary, share)
        _panel_share_vs_flat(ax_vs, running, emphasis, running_only=running is not share)
        _panel_emphasis(ax_emph, emphasis, grade_known=bool(np.isfinite(_col(steps, "grade_pct")).any()),
                        load_ratio=load_ratio, walk_fraction=summary.get("walk_fraction"))
        ax_vs.xaxis.set_major_locator(MaxNLocator(nbins=4))
        legend = fig.legend(handles=[Patch(facecolor=MUSCLE_COLORS[m], label=_MUSCLE_LABELS[m]) for m in MUSCLES],
                            loc="outside lower center", ncol=len(MUSCLES), frameon=False, title="muscle colours")
        head = fig.suptitle(title if title is not None else _run_title(summary), fontsize=12, x=0.01, ha="left")
        return _finish(fig, path, dpi, head, legend)


# -- season figure -----------------------------------------------------------------------------
def _require_columns(runs: pd.DataFrame, columns) -> None:
    missing = [c for c in columns if c not in runs]
    if missing:
        raise OptionError(f"plot_season: the runs table lacks column(s) {', '.join(missing)}")


def _panel_weekly(ax, weekly: pd.DataFrame, undated: int = 0, zone: str = "UTC"):
    ax.set_title("Weekly load per muscle", loc="left")
    ax.set_ylabel("load per week (flat-step equivalents)")
    cols = [f"load_{m}" for m in MUSCLES]
    if weekly is None or not len(weekly) or not set(cols + ["week_start"]) <= set(weekly.columns):
        _note(ax, "no dated runs")
        return
    week = pd.to_datetime(weekly["week_start"], errors="coerce")
    ok = week.notna().to_numpy()
    x = week[ok].to_numpy()
    bottom = np.zeros(ok.sum())
    for m in MUSCLES:
        height = np.nan_to_num(_col(weekly, f"load_{m}")[ok])
        bars = ax.bar(x, height, bottom=bottom, width=pd.Timedelta(days=5), align="edge",
                      color=MUSCLE_COLORS[m], label=_MUSCLE_LABELS[m])
        bars.set_label(f"weekly_{m}")
        bottom = bottom + height
    ax.yaxis.set_major_formatter(EngFormatter(sep=""))
    ax.set_xlabel(f"week starting (Monday, {zone})")
    if undated:
        ax.text(0.99, 0.98, f"{undated} run(s) without a date left out", transform=ax.transAxes,
                ha="right", va="top", fontsize=7, color="0.35")
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if ok.sum() == 1:  # a single bar: give it some room
        ax.set_xlim(x[0] - np.timedelta64(4, "D"), x[0] + np.timedelta64(9, "D"))


def _panel_climb_descent(ax, table: pd.DataFrame):
    ax.set_title("Climb vs descent load per muscle (season)", loc="left")
    ax.set_ylabel("load (flat-step equivalents)")
    if table is None or not len(table) or not {"muscle", "climb_load", "descent_load"} <= set(table.columns):
        _note(ax, "no load by terrain")
        return
    by_muscle = table.set_index("muscle")
    x = np.arange(len(MUSCLES))
    climb = np.array([float(by_muscle["climb_load"].get(m, np.nan)) for m in MUSCLES])
    descent = np.array([float(by_muscle["descent_load"].get(m, np.nan)) for m in MUSCLES])
    colors = [MUSCLE_COLORS[m] for m in MUSCLES]
    up = ax.bar(x - 0.2, np.nan_to_num(climb), width=0.4, color=colors)
    up.set_label("climb")
    down = ax.bar(x + 0.2, np.nan_to_num(descent), width=0.4, color="white", hatch="////", linewidth=1.0)
    down.set_label("descent")
    for patch, c in zip(down.patches, colors):
        patch.set_edgecolor(c)
    ax.set_xticks(x, [_MUSCLE_LABELS[m] for m in MUSCLES])
    ax.set_xlabel("muscle")
    ax.yaxis.set_major_formatter(EngFormatter(sep=""))
    ax.legend(handles=[Patch(facecolor="0.55", label="uphill steps"),
                       Patch(facecolor="white", edgecolor="0.35", hatch="////", label="downhill steps")],
              loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, frameon=False, borderaxespad=0.1)


def _panel_acwr(ax, acwr: pd.DataFrame, zone: str = "UTC"):
    ax.set_title("Acute:chronic load ratio (7 d / 28 d)", loc="left")
    ax.set_ylabel("acute:chronic ratio (-)")
    # 0.8-1.3: the range commonly treated as low risk in training-load monitoring
    # (Gabbett TJ. The training-injury prevention paradox. Br J Sports Med 2016;50:273-280).
    band = ax.axhspan(0.8, 1.3, color="0.88", zorder=0, label="0.8–1.3 (Gabbett 2016)")
    band.set_gid("acwr_band")
    have = acwr is not None and len(acwr) and "date" in acwr
    ratios = {m: _col(acwr, f"acwr_{m}") for m in MUSCLES} if have else {}
    if not have or not any(np.isfinite(v).any() for v in ratios.values()):
        days = len(acwr) if have else 0
        _note(ax, f"needs a 28-day chronic window\n(this season spans {days} day{'s' if days != 1 else ''})")
        ax.set_ylim(0, 2)
        ax.set_xticks([])  # no dates to show
        ax.legend(loc="upper right", frameon=False)
        return
    dates = pd.to_datetime(acwr["date"], errors="coerce").to_numpy()
    top = 2.0
    # muscles often share one ratio (their loads rise together): drawing the first ones widest
    # keeps every colour visible where the lines coincide
    for i, m in enumerate(MUSCLES):
        line, = ax.plot(dates, ratios[m], color=MUSCLE_COLORS[m], linewidth=1.0 + 0.5 * (len(MUSCLES) - 1 - i),
                        label=_MUSCLE_LABELS[m], solid_capstyle="butt")
        line.set_gid(f"acwr_{m}")
        if np.isfinite(ratios[m]).any():
            top = max(top, float(np.nanmax(ratios[m])) * 1.08)
    ax.set_ylim(0, top)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel(f"date ({zone})")
    ax.legend(handles=[band], loc="upper left", frameon=False)


def _steps_by_grade(runs: pd.DataFrame, steps_dir: Path, edges_pct: np.ndarray):
    """Count strike patterns per grade bin over every stored steps table of the season."""
    known = ("rearfoot", "midfoot", "forefoot")
    counts = np.zeros((len(known), edges_pct.size - 1))
    n_files = 0
    for run_id in runs["run_id"].astype(str):  # one file per run: a handful of reads
        file = steps_dir / f"{run_id}.parquet"
        if not file.is_file():
            continue
        try:
            table = pd.read_parquet(file, columns=["grade_pct", "strike_pattern"])
        except (OSError, ValueError, KeyError):
            continue  # a damaged or foreign file must not stop the season figure
        grade = _col(table, "grade_pct")
        pattern = _labels(table, "strike_pattern")
        before = counts.sum()
        for i, name in enumerate(known):
            sel = (pattern == name) & np.isfinite(grade)
            counts[i] += np.histogram(np.clip(grade[sel], edges_pct[0], edges_pct[-1]), bins=edges_pct)[0]
        n_files += counts.sum() > before  # count only runs that add known strikes
    return counts, int(n_files)


_STRIKE_EDGES_PCT = np.arange(-15.0, 15.0 + 1e-9, 2.5)


def _strike_data(runs: pd.DataFrame, steps_dir: Path | None):
    """``(counts, n_files)`` of known strikes per grade bin from the stored steps, ``None`` when
    the runs table must stand in, ``False`` when no run has a known strike pattern at all (a
    watch-only season: the panel is left out)."""
    if steps_dir is not None and "run_id" in runs:
        counts, n_files = _steps_by_grade(runs, steps_dir, _STRIKE_EDGES_PCT)
        if counts.sum() > 0:
            return counts, n_files
    cols = [f"strike_{p}" for p in ("rearfoot", "midfoot", "forefoot")]
    if set(cols) <= set(runs.columns) and np.nansum(np.column_stack([_col(runs, c) for c in cols])) > 0:
        return None
    return False


def _panel_strike_grade(ax, runs: pd.DataFrame, data):
    """``data``: what :func:`_strike_data` found (``(counts, n_files)`` per grade bin from the
    stored steps, or None: the runs table stands in)."""
    known = ("rearfoot", "midfoot", "forefoot")
    edges = _STRIKE_EDGES_PCT
    if data:
        counts, n_files = data
        total = counts.sum(axis=0)
        if total.sum() > 0:
            ax.set_title(f"Strike mix by grade ({n_files} run{'s' if n_files != 1 else ''})", loc="left")
            centres = 0.5 * (edges[1:] + edges[:-1])
            with np.errstate(invalid="ignore", divide="ignore"):
                frac = np.where(total > 0, counts / total, np.nan) * 100
            bottom = np.zeros(centres.size)
            for i, name in enumerate(known):
                bars = ax.bar(centres, np.nan_to_num(frac[i]), bottom=bottom, width=2.3, color=STRIKE_COLORS[name],
                              label=name)
                bars.set_label(f"strike_{name}")
                bottom = bottom + np.nan_to_num(frac[i])
            # a bin of five steps at 100 % must not read like a bin of five thousand
            ax.bar_label(bars, labels=[f"{int(n)}" if n else "" for n in total], padding=1, fontsize=6,
                         color="0.3")
            ax.set_xlabel("grade (%), bins of 2.5 %; end bins include steeper; numbers: contacts per bin")
            ax.set_ylabel("share of foot contacts (%)")
            ax.set_ylim(0, 108)
            ax.set_yticks(np.arange(0, 101, 20))
            ax.legend(handles=[Patch(facecolor=STRIKE_COLORS[n], label=n) for n in known],
                      loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=3, frameon=False, borderaxespad=0.1)
            return
    # from the runs table alone: one point per run
    ax.set_title("Strike pattern vs terrain (one point per run)", loc="left")
    ax.set_xlabel("share of run distance (%)")
    ax.set_ylabel("non-rearfoot strikes (%)")
    cols = [f"strike_{p}" for p in known]
    if not set(cols) <= set(runs.columns) or not {"terrain_uphill", "terrain_downhill"} <= set(runs.columns):
        _note(ax, "no strike-pattern data in the runs table")
        return
    fr = np.column_stack([_col(runs, c) for c in cols])
    known_sum = np.nansum(fr, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        non_rear = np.where(known_sum > 0, (fr[:, 1] + fr[:, 2]) / known_sum * 100, np.nan)
    up, down = _col(runs, "terrain_uphill") * 100, _col(runs, "terrain_downhill") * 100
    ok = np.isfinite(non_rear)
    if not ok.any():
        _note(ax, "no run with a known strike pattern\n(needs a foot or shank IMU)")
        return
    ax.scatter(up[ok], non_rear[ok], marker="^", color="0.2", label="vs uphill share", s=28)
    ax.scatter(down[ok], non_rear[ok], marker="v", facecolor="white", edgecolor="0.2", label="vs downhill share", s=28)
    ax.set_xlim(-2, 102)
    ax.set_ylim(-2, 102)
    left = int((~ok).sum())
    if left:
        ax.text(0.99, 0.02, f"{left} run(s) without strike data left out", transform=ax.transAxes,
                ha="right", va="bottom", fontsize=7, color="0.35")
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, frameon=False, borderaxespad=0.1)


def _zone(tz):
    """A time zone for pandas: ``"local"`` is this computer's (with its daylight-saving rules)."""
    if tz == "local":
        from dateutil.tz import tzlocal

        return tzlocal()
    return tz


def plot_season(runs: pd.DataFrame, tables: dict, path: str | os.PathLike | None = None, *,
                steps_dir: str | os.PathLike | None = None, dpi: float = 110.0, tz="local") -> Figure:
    """Season figure: weekly load, climb vs descent load, acute:chronic ratio, strike vs grade.

    Panels: (a) weekly load per muscle, stacked bars (``tables["weekly_load"]``); (b) season
    load of uphill and downhill steps per muscle (``tables["climb_descent"]``); (c) the
    acute:chronic workload ratio per muscle (7-day / 28-day rolling mean daily load,
    ``tables["acwr"]``) with the 0.8-1.3 band commonly used in training-load monitoring (a
    convention: Gabbett TJ, *Br J Sports Med* 2016;50:273-280, not a property of muscles);
    (d) strike-pattern mix versus grade: from every stored step (``steps_dir/<run_id>.parquet``,
    binned by grade, 2.5 % bins from -15 % to +15 %) when available, else one point per run of
    the share of non-rearfoot strikes against the share of its distance uphill and downhill.
    A panel with nothing to show is left out and its room given to the others: (c) before 28
    days of history, (d) when no run has a measured strike pattern (a watch-only season); the
    title says which and why. Dates are in the runner's time zone ``tz``.

    Parameters
    ----------
    runs : pandas.DataFrame
        The season's runs table (``run_id``, ``status``, ``terrain_<class>``,
        ``strike_<pattern>`` fractions ...), as written by :func:`gaitload.season`.
    tables : dict of str to DataFrame
        ``weekly_load``, ``climb_descent`` and ``acwr`` from
        :func:`gaitload.season.season_tables`.
    path : str or path-like, optional
        Write the figure there (``.png``, ``.svg`` or ``.pdf``).
    steps_dir : str or path-like, optional
        Folder of per-run steps tables. Default: ``<folder of path>/steps`` when it exists
        (the layout :func:`gaitload.season` writes).
    dpi : float
        Resolution of PNG output, dots per inch.
    tz : str
        Time zone of the dates: ``"local"`` (this computer's) or a name (``"Europe/Paris"``);
        the tables should be built with the same (:func:`gaitload.season.season_tables`).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    OptionError
        ``runs`` is not a DataFrame or lacks ``status``, ``tables`` is not a dict with the
        three tables, or the extension is not a figure format.
    """
    if not isinstance(runs, pd.DataFrame):
        raise OptionError(f"plot_season needs the runs DataFrame, got {type(runs).__name__}")
    _require_columns(runs, ["status"])
    if not isinstance(tables, dict) or not {"weekly_load", "climb_descent", "acwr"} <= set(tables):
        have = sorted(tables) if isinstance(tables, dict) else type(tables).__name__
        raise OptionError(f"plot_season needs tables weekly_load, climb_descent and acwr, got {have}")
    if path is not None:
        _figure_format(path)
    if steps_dir is None and path is not None and (Path(path).parent / "steps").is_dir():
        steps_dir = Path(path).parent / "steps"
    steps_dir = Path(steps_dir) if steps_dir is not None else None
    ok_runs = runs[runs["status"] == "ok"]
    n_err = int((runs["status"] != "ok").sum())
    zone = "local time" if tz == "local" else str(tz)
    undated = int(pd.to_datetime(ok_runs["start_time"], utc=True, errors="coerce").isna().sum()) \
        if "start_time" in ok_runs else len(ok_runs)
    # panels with nothing to show give their room to the others, and the title says why
    panels = [("weekly_load", lambda ax: _panel_weekly(ax, tables["weekly_load"], undated, zone)),
              ("climb_descent", lambda ax: _panel_climb_descent(ax, tables["climb_descent"]))]
    left_out = []
    acwr = tables["acwr"]
    if any(np.isfinite(_col(acwr, f"acwr_{m}")).any() for m in MUSCLES if f"acwr_{m}" in acwr):
        panels.append(("acwr", lambda ax: _panel_acwr(ax, acwr, zone)))
    else:
        days = len(acwr) if acwr is not None and "date" in acwr else 0
        left_out.append(f"acute:chronic ratio needs 28 days of history (this season spans {days} "
                        f"day{'s' if days != 1 else ''})")
    strike = _strike_data(ok_runs, steps_dir)
    if strike is False:
        left_out.append("no strike pattern measured (needs a foot or shank IMU)")
    else:
        panels.append(("strike_grade", lambda ax: _panel_strike_grade(ax, ok_runs, strike)))

    with matplotlib.rc_context(_STYLE):
        n_rows = 1 if len(panels) <= 2 else 2
        fig = _new_figure((13.0, 8.5 if n_rows == 2 else 5.0), dpi)
        grid = fig.add_gridspec(n_rows, 2)
        cells = [grid[0, 0], grid[0, 1]] + ([grid[1, :]] if len(panels) == 3 else
                                            [grid[1, 0], grid[1, 1]] if len(panels) == 4 else [])
        for (label, draw), cell in zip(panels, cells):
            draw(fig.add_subplot(cell, label=label))
        legend = fig.legend(handles=[Patch(facecolor=MUSCLE_COLORS[m], label=_MUSCLE_LABELS[m]) for m in MUSCLES],
                            loc="outside lower center", ncol=len(MUSCLES), frameon=False, title="muscle colours")
        dist = np.nansum(_col(ok_runs, "distance_m")) / 1000 if "distance_m" in ok_runs else float("nan")
        starts = pd.to_datetime(ok_runs["start_time"], utc=True, errors="coerce") if "start_time" in ok_runs \
            else pd.Series(dtype="datetime64[ns, UTC]")
        starts = starts.dt.tz_convert(_zone(tz)) if len(starts) else starts
        span = (f"{starts.min():%Y-%m-%d} to {starts.max():%Y-%m-%d}" if starts.notna().any() else "dates unknown")
        text = (f"Season: {len(ok_runs)} run{'s' if len(ok_runs) != 1 else ''}  ·  {dist:.1f} km  ·  {span}"
                + (f"  ·  {n_err} file(s) failed" if n_err else "")
                + ("\n" + "; ".join(left_out) if left_out else ""))
        head = fig.suptitle(text, fontsize=12, x=0.01, ha="left")
        return _finish(fig, path, dpi, head, legend)
