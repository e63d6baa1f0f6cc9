"""The per-run figure: where on the course the run loaded which muscle.

The figure is drawn once, to its file, without any layout pass: panels sit at fixed places in
inches (:data:`.panels.PANELS_IN`), so saving is one draw of the figure. Text and artists are most of
what a figure costs, so units are given in the panel titles instead of separate axis labels,
keys (terrain, cadence) are said in the titles instead of legends, ticks and keys are plain
marks and texts (:func:`.style.light_ticks`), bars and stacked areas are one collection each,
and a panel with no data (the strike pattern of a watch run) is its title and a note, not an
empty axes. Every step, contact and profile point is drawn, except the cadence dots: one per
half-pixel cell (for drawing only; the trace is the moving mean of every step). Raster text
and PNG output: :mod:`.raster`.
"""

from __future__ import annotations

import os

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.transforms import offset_copy

from ..errors import OptionError
from ..totals import format_duration
from .panels import PANELS_IN, RUN_FIGSIZE, STRIKES, RunCanvas, no_data_panel
from .style import (MUSCLE_COLORS, MUSCLE_LABELS, MUSCLES, STRIKE_COLORS, STYLE, TERRAIN_COLORS, column,
                    figure_format, labels, light_ticks, nice_ticks, note, save_figure)

__all__ = ["plot_run", "window_sums", "smoothed_shares", "run_title", "RUN_FIGSIZE"]

_REFERENCE_SPEED_MPS = 3.3  # the load model's reference speed; converts smooth_m to seconds
#: Climbs and descents labelled with their height and grade: the largest few (judgement: more
#: labels crowd a seven-inch profile and cost a text each; every climb is still drawn).
_LABELLED_CLIMBS = 4
#: the emphasis axis spans +-this many percentage points, widened only when a bar needs it, so
#: two runs' figures compare at a glance
_EMPHASIS_SPAN_PTS = 10.0
#: Why a run has no strike pattern: the strike angle comes from a foot's pitch rate (a shank
#: sensor gives contact timing only).
_STRIKE_UNKNOWN = "strike pattern unknown (needs a foot IMU with a gyroscope; a shank gives timing only)"
#: Colours of the climbs and descents drawn over the elevation profile.
_CLIMB_COLORS = {"climb": "#b2182b", "descent": "#2166ac"}


def _title(ax, text: str) -> None:
    """The panel's title, left, at the top edge. A fixed y skips matplotlib's search for
    decorations above the axes (it measures every y tick label, at every draw); the panels have
    no ticks above and no offset text, so the search would leave the title there anyway."""
    ax.set_title(text, loc="left", y=1.0)


def _plot_buckets(dpi: float) -> int:
    """Columns of the figure: its width in pixels, more than any panel spans (the finest grid
    a smoothed trace needs)."""
    return max(int(np.ceil(RUN_FIGSIZE[0] * float(dpi))), 100)


# -- numeric helpers (vectorised) -------------------------------------------------------------
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


def _half_pixel(ax, panel: str, x_span: float, y_span: float) -> tuple[float, float]:
    """Half a pixel of a panel in data units along x and y, from its size in inches and the
    spans it shows (the x span of the data is a little less than the axis', so this errs small)."""
    dpi = float(ax.get_figure(root=True).dpi)
    _, _, w_in, h_in = PANELS_IN[panel]
    return max(x_span, 1e-12) / (2 * w_in * dpi), max(y_span, 1e-12) / (2 * h_in * dpi)


def _one_per_cell(x: np.ndarray, y: np.ndarray, cell: tuple[float, float]) -> np.ndarray:
    """Indices (in order) of the first point in each ``cell``-sized box of the plane: dots drawn
    within half a pixel of one another cover the same pixels, so one of them is drawn (for
    plotting only: every drawn dot is a real point, every point is within a cell of one)."""
    if x.size == 0:
        return np.empty(0, dtype=int)
    ix = np.floor((x - x.min()) / cell[0]).astype(np.int64)
    iy = np.floor((y - y.min()) / cell[1]).astype(np.int64)
    _, first = np.unique(ix * (int(iy.max()) + 1) + iy, return_index=True)
    return np.sort(first)


def _runs_of(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end index (exclusive) of each run of equal labels."""
    if values.size == 0:
        return np.empty(0, int), np.empty(0, int)
    change = np.flatnonzero(values[1:] != values[:-1]) + 1
    return np.concatenate([[0], change]), np.concatenate([change, [values.size]])


def _spans(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """A NaN-separated polyline through the given x ranges (for one Line2D of many pieces)."""
    out = np.full((starts.size, 3), np.nan)
    out[:, 0], out[:, 1] = starts, ends
    return out.ravel()


# -- title and axis ----------------------------------------------------------------------------
def _format_duration(seconds) -> str:
    try:
        seconds = float(seconds)
    except (TypeError, ValueError):
        return "duration unknown"
    if not np.isfinite(seconds):
        return "duration unknown"
    return format_duration(seconds) + (" h" if round(seconds) >= 3600 else " min")


def run_title(summary: dict) -> str:
    """The run figure's title: start (the runner's clock where the file gives it, else UTC),
    distance, timer time (else elapsed time, labelled as such), rule set, climb and descent."""
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
    # a watch app's headline time is the timer time (pauses left out); a file without one gives
    # only the elapsed time: either way the title says which of the two it is
    timer = summary.get("timer_time_s")
    if isinstance(timer, (int, float)) and np.isfinite(timer):
        from ..totals import timer_label

        duration_txt = f"{timer_label(summary)} {_format_duration(timer)}"
    else:
        duration = _format_duration(summary.get("duration_s"))
        duration_txt = duration if duration == "duration unknown" else "elapsed " + duration
    parts = [when, dist_txt, duration_txt,
             f"rules: {summary.get('rules', 'unknown')}"]
    gain, loss = summary.get("elevation_gain_m"), summary.get("elevation_loss_m")
    if isinstance(gain, (int, float)) and isinstance(loss, (int, float)) and np.isfinite(gain) and np.isfinite(loss):
        # loss is reported positive by terrain, but accept a signed value too
        parts.append(f"+{abs(gain):.0f} m / -{abs(loss):.0f} m")
    return "  ·  ".join(parts)


def _run_axis(analysis, smooth_m: float) -> dict:
    """Choose the shared x axis: distance (km) when the steps know it, else time (min)."""
    steps = analysis.steps
    dist = column(steps, "distance_m")
    if np.isfinite(dist).sum() >= 2 and np.nanmax(dist) > np.nanmin(dist):
        return {"kind": "distance", "col": "distance_m", "scale": 1e-3, "label": "distance (km)",
                "width": float(smooth_m), "seg": ("start_m", "end_m")}
    speeds = column(steps, "speed_mps")
    speeds = speeds[np.isfinite(speeds)]
    speed = float(np.median(speeds)) if speeds.size else np.nan
    speed = speed if np.isfinite(speed) and speed > 0.5 else _REFERENCE_SPEED_MPS
    # no distance: the same smoothing length, converted to time at the run's speed
    return {"kind": "time", "col": "time_s", "scale": 1 / 60.0, "label": "time (min)",
            "width": float(smooth_m) / speed, "seg": ("start_s", "end_s")}


# -- left column: along the run -----------------------------------------------------------------
def _terrain_spans(analysis, axis: dict):
    """``(start, end, class)`` of the terrain stretches: the segments table, else runs of the
    profile's (or steps') terrain class."""
    seg = analysis.segments if isinstance(analysis.segments, pd.DataFrame) else pd.DataFrame()
    c0, c1 = axis["seg"]
    if len(seg) and c0 in seg and c1 in seg and "terrain" in seg:
        return column(seg, c0), column(seg, c1), labels(seg, "terrain")
    prof = analysis.profile if isinstance(analysis.profile, pd.DataFrame) else pd.DataFrame()
    src = prof if len(prof) and axis["col"] in prof and "terrain" in prof else analysis.steps
    x, lab = column(src, axis["col"]), labels(src, "terrain")
    ok = np.isfinite(x)
    x, lab = x[ok], lab[ok]
    i0, i1 = _runs_of(lab)
    if i0.size == 0:
        return np.empty(0), np.empty(0), np.empty(0, dtype=object)
    return x[i0], np.concatenate([x, x[-1:]])[i1], lab[i0]


def _shade_terrain(ax, analysis, axis: dict) -> str:
    """Shade uphill / downhill stretches behind the profile, one collection per class; returns
    the key for the title ("" when no terrain is known)."""
    start, end, cls = _terrain_spans(analysis, axis)
    shaded = []
    for name, word, alpha in (("uphill", "yellow", 0.55), ("downhill", "grey", 0.35)):
        keep = (cls == name) & np.isfinite(start) & np.isfinite(end)
        if keep.any():
            spans = np.column_stack([start[keep] * axis["scale"], (end[keep] - start[keep]) * axis["scale"]])
            ax.broken_barh(spans, (0, 1), transform=ax.get_xaxis_transform(), facecolors=TERRAIN_COLORS[name],
                           alpha=alpha, linewidth=0, zorder=0, gid=f"terrain_{name}")
            shaded.append(f"{name} {word}")
    return (": " + ", ".join(shaded)) if shaded else ""


def _mark_climbs(ax, analysis, axis, x, alt) -> str:
    """Climbs and descents drawn bold over the profile (one line per kind, NaN between them),
    the largest labelled with their gain (or loss) and mean grade at their top."""
    climbs = getattr(analysis, "climbs", None)
    c0, c1 = axis["seg"]
    if not isinstance(climbs, pd.DataFrame) or not len(climbs) or c0 not in climbs or x.size < 2:
        return ""
    order = np.argsort(x, kind="stable")
    xs, alts = x[order], alt[order]
    drawn = []
    for kind, color in _CLIMB_COLORS.items():
        part = climbs[climbs["kind"] == kind]
        a, b = column(part, c0) * axis["scale"], column(part, c1) * axis["scale"]
        i0, i1 = np.searchsorted(xs, a, side="left"), np.searchsorted(xs, b, side="right")
        keep = (i1 - i0) >= 2
        if not keep.any():
            continue
        # the profile points inside each climb, NaN between climbs: one line for all of them
        idx = [np.r_[i0[k]:i1[k], -1] for k in np.flatnonzero(keep)]  # a few climbs
        idx = np.concatenate(idx)
        px, py = xs[idx].copy(), alts[idx].copy()
        px[idx == -1], py[idx == -1] = np.nan, np.nan
        ax.plot(px, py, color=color, linewidth=2.6, solid_capstyle="butt", gid=kind)
        drawn.append(f"{kind}s {'red' if kind == 'climb' else 'blue'}")
        metres, grade = column(part, "gain_m")[keep], column(part, "mean_grade_pct")[keep]
        sign = "+" if kind == "climb" else "-"
        # a climb labelled above its top, a descent below its foot: a climb's top is often the
        # next descent's start, and the two labels must not meet there. Plain texts offset by a
        # few points (an annotation measures and places itself again at every draw)
        up = kind == "climb"
        offset = offset_copy(ax.transData, fig=ax.get_figure(root=True), x=-2 if up else 2, y=3 if up else -3,
                             units="points")
        for k in np.argsort(-np.abs(np.nan_to_num(metres)), kind="stable")[:_LABELLED_CLIMBS]:
            lo, hi = i0[keep][k], i1[keep][k]
            at = (xs[hi - 1], np.nanmax(alts[lo:hi]) if up else np.nanmin(alts[lo:hi]))
            ax.text(*at, f"{sign}{abs(metres[k]):.0f} m, {grade[k]:.0f} %", transform=offset,
                    ha="right" if up else "left", va="bottom" if up else "top", fontsize=7, color=color,
                    gid=f"{kind}_label")
    return ("; " + ", ".join(drawn) + " (largest labelled)") if drawn else ""


def _panel_elevation(ax, analysis, axis):
    prof = analysis.profile if isinstance(analysis.profile, pd.DataFrame) else pd.DataFrame()
    src = prof if len(prof) and axis["col"] in prof and np.isfinite(column(prof, "altitude_m")).any() \
        else analysis.steps
    x, alt = column(src, axis["col"]) * axis["scale"], column(src, "altitude_m")
    key = _shade_terrain(ax, analysis, axis)
    if np.isfinite(alt).any():
        ax.plot(x, alt, color="0.15", linewidth=1.2, gid="altitude")
        key += _mark_climbs(ax, analysis, axis, x, alt)
        top = float(np.nanmax(alt))
        lo = float(np.nanmin(alt))
        ax.set_ylim(lo - 0.15 * max(top - lo, 1.0), top + 0.15 * max(top - lo, 1.0))  # room for labels
    else:
        note(ax, "no altitude in this recording")
    _title(ax, "Altitude (m)" + key)


def _panel_shares(ax, analysis, axis, loads):
    x = column(analysis.steps, axis["col"])
    grid, shares = smoothed_shares(x, loads, axis["width"], n_max=min(2000, axis["buckets"]))
    ax.set_ylim(0, 100)
    light_ticks(ax, "y", [0, 50, 100], ["0%", "50%", "100%"])
    smooth_txt = f"{axis['width']:.0f} m" if axis["kind"] == "distance" else f"{axis['width']:.0f} s"
    _title(ax, f"Share of load per muscle (%), moving {smooth_txt} window")
    if grid.size == 0 or not np.isfinite(shares).any():
        note(ax, "no per-step load to show")
        return
    ax.add_collection(_stack(grid * axis["scale"], 100.0 * shares, [MUSCLE_COLORS[m] for m in MUSCLES]),
                      autolim=False)
    ax.update_datalim([(grid[0] * axis["scale"], 0.0), (grid[-1] * axis["scale"], 100.0)])
    ax.autoscale_view(scaley=False)


def _stack(x: np.ndarray, values: np.ndarray, colors) -> PolyCollection:
    """The stacked areas of ``values`` (one column per layer) over ``x``: one collection whose
    paths are the layers bottom to top, each layer's pieces together (a layer is cut where its
    values are NaN), instead of a fill_between artist per layer. A path's colour is its layer's.

    Parameters
    ----------
    x : ndarray, shape (g,)
    values : ndarray, shape (g, k)
        Rows are all finite or all NaN.
    colors : sequence of k colours

    Returns
    -------
    matplotlib.collections.PolyCollection
        gid ``"share_stack"``.
    """
    top = np.cumsum(values, axis=1)
    bottom = top - values
    start, end = _runs_of(np.isfinite(top).all(axis=1))
    pieces = [(a, b) for a, b in zip(start, end) if np.isfinite(top[a]).all() and b - a >= 2]
    verts, faces = [], []
    for j, color in enumerate(colors):  # six layers and a few pieces, not samples
        for a, b in pieces:
            verts.append(np.concatenate([np.column_stack([x[a:b], top[a:b, j]]),
                                         np.column_stack([x[a:b][::-1], bottom[a:b, j][::-1]])]))
            faces.append(color)
    return PolyCollection(verts, facecolors=faces, linewidths=0, gid="share_stack")


def _bars(ax, y: np.ndarray, widths: np.ndarray, height: float, gid: str, **style) -> PolyCollection:
    """Horizontal bars from 0 to ``widths`` centred on ``y``, one collection (a bar chart makes
    and places one patch artist per bar). Data limits are the caller's to set."""
    x0, x1 = np.minimum(widths, 0.0), np.maximum(widths, 0.0)
    y0, y1 = y - height / 2, y + height / 2
    verts = np.stack([np.column_stack(c) for c in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))], axis=1)
    bars = PolyCollection(verts, gid=gid, **style)
    ax.add_collection(bars, autolim=False)
    return bars


def _panel_strike(ax, analysis, axis):
    steps = analysis.steps
    x = column(steps, axis["col"]) * axis["scale"]
    pattern = labels(steps, "strike_pattern")
    _title(ax, "Strike pattern at each foot contact")  # its rows are the frame's (.panels)
    any_known = False
    for row, name in enumerate(STRIKES):
        sel = (pattern == name) & np.isfinite(x)
        if sel.any():
            any_known = True
            # one tick per contact, except that of contacts within half a pixel of one another
            # one is drawn (they cover the same pixels; a marathon has several per pixel).
            # Rasterised in SVG/PDF so such a file stays small
            at = np.sort(x[sel])
            at = at[_one_per_cell(at, np.zeros(at.size), _half_pixel(ax, "strike", float(at[-1] - at[0]), 1.0))]
            path = _tick_path(at, row - 0.4, row + 0.4)
            ticks = PathPatch(path, facecolor="none", edgecolor=STRIKE_COLORS[name], linewidth=0.6,
                              rasterized=True, gid=f"strike_{name}")
            # add_artist: add_patch would walk the path segment by segment for the data limits
            ax.add_artist(ticks)
            ax.update_datalim(path.vertices)
    if any_known:
        ax.autoscale_view(scaley=False)
    else:  # known patterns, none of them at a finite position
        note(ax, _STRIKE_UNKNOWN)


def _panel_cadence(ax, analysis, axis):
    steps = analysis.steps
    x = column(steps, axis["col"])
    cad = column(steps, "cadence_spm")
    # a stand-in cadence (no cadence channel) is a model's value, not the runner's: said so in
    # the title, and no per-step dots that would look like measurements
    estimated = (analysis.summary or {}).get("cadence_source") == "estimated"
    ok = np.isfinite(x) & np.isfinite(cad)
    if not ok.any():
        _title(ax, "Cadence (steps/min)")
        note(ax, "cadence unknown")
        return
    _title(ax, "Cadence (steps/min), estimated from speed: moving mean" if estimated else
           "Cadence (steps/min): dots each step, line moving mean")
    # robust limits: a few mis-detected steps must not squash the trace
    q1, q99 = np.percentile(cad[ok], [1, 99])
    pad = max(5.0, 0.1 * (q99 - q1))
    ax.set_ylim(q1 - pad, q99 + pad)
    lo, hi = float(x[ok].min()), float(x[ok].max())
    if not estimated:
        keep = _one_per_cell(x[ok], cad[ok], _half_pixel(ax, "cadence", hi - lo, 2 * pad + q99 - q1))
        ax.plot(x[ok][keep] * axis["scale"], cad[ok][keep], linestyle="none", marker=".", markersize=1.5,
                color="0.65", rasterized=True, gid="cadence_steps")
    n_grid = np.clip(np.ceil((hi - lo) / max(axis["width"] / 10, 1e-9)) + 1, 2, min(2000, axis["buckets"]))
    grid = np.linspace(lo, hi, int(n_grid))
    sums = window_sums(x[ok], np.column_stack([cad[ok], np.ones(ok.sum())]), grid, axis["width"])
    count = sums[:, 1]
    # windows cut by a pause hold few steps, and their mean follows a single mis-timed step:
    # show the trace only where the window holds at least 30 % of its typical number of steps
    typical = np.median(count[count > 0]) if (count > 0).any() else 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where((count > 0) & (count >= 0.3 * typical), sums[:, 0] / count, np.nan)
    ax.plot(grid * axis["scale"], mean, color="0.1", linewidth=1.2, gid="cadence")


# -- right column: the whole run against level ground -------------------------------------------
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
    y = np.arange(len(MUSCLES))  # the frame's rows (.panels), glutes on top
    colors = [MUSCLE_COLORS[m] for m in MUSCLES]
    _title(ax, "Share of load (%)" + (", running steps" if running_only else ""))
    if not np.isfinite(share).any():
        note(ax, "no load computed")
        return
    flat = 100 * share - emphasis
    level_known = np.isfinite(flat).any()
    _bars(ax, y - 0.2 * level_known, np.nan_to_num(100 * share), 0.4, "share_this_run", facecolors=colors,
          linewidths=0)
    if level_known:
        # outlined, not hatched: hatching is the costliest fill Agg draws
        _bars(ax, y + 0.2, np.where(np.isfinite(flat), flat, 0), 0.4, "share_level_ground", facecolors="white",
              edgecolors=colors, linewidths=1.2)
        _bar_key(ax)
    # headroom on the right keeps the key clear of the bars (the last muscles' are short)
    top = np.nanmax(np.concatenate([100 * share, flat]))
    ax.set_xlim(0, 1.25 * top if np.isfinite(top) and top > 0 else 1)


#: The key of the share panel's two bars: left end of its squares from the panel's right edge,
#: and the centres of its two rows above the panel's bottom, points (where a legend at "lower
#: right" put them: the longer name, 111 points at 8 pt, ends 7 points inside the edge).
_KEY_LEFT_PT, _KEY_ROWS_PT = -134.0, (23.2, 11.2)


def _bar_key(ax) -> None:
    """The key of "this run" (filled) and "same steps on level ground" (outlined) at the panel's
    lower right: two squares and two texts at fixed offsets (a legend lays out a box of boxes
    and measures every text at each draw)."""
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle
    from matplotlib.transforms import Affine2D, ScaledTranslation

    fig = ax.get_figure(root=True)
    # points from the panel's lower right corner
    corner = Affine2D().scale(1 / 72.0) + fig.dpi_scale_trans + ScaledTranslation(1, 0, ax.transAxes)
    w, h = 9.6, 5.6  # a legend's handle at 8 pt: 1.2 em long, 0.7 em high
    squares = [Rectangle((_KEY_LEFT_PT, row - h / 2), w, h) for row in _KEY_ROWS_PT]
    ax.add_artist(PatchCollection(squares, transform=corner, facecolors=["0.45", "white"], edgecolors=["0.45", "0.45"],
                                  linewidths=[0, 1.2], clip_on=False, gid="bar_key"))
    for row, name in zip(_KEY_ROWS_PT, ("this run", "same steps on level ground")):
        ax.text(_KEY_LEFT_PT + w + 6.4, row, name, transform=corner, ha="left", va="center", fontsize=8, gid="bar_key")


def _panel_emphasis(ax, emphasis, grade_known: bool = True, load_ratio=None, walk_fraction=None):
    y = np.arange(len(MUSCLES))  # the frame's rows (.panels), glutes on top
    some_walked = walk_fraction is not None and np.isfinite(walk_fraction) and round(100 * walk_fraction) > 0
    # the walked share goes under the title: a note inside the axes would cross the zero line
    _title(ax, "Emphasis vs level ground (running steps)"
           + (f"\n{100 * walk_fraction:.0f} % of steps walked: not compared" if some_walked else ""))
    ax.axvline(0, color="0.2", linewidth=0.8)
    ax.set_xlim(-_EMPHASIS_SPAN_PTS, _EMPHASIS_SPAN_PTS)
    if not np.isfinite(emphasis).any():
        walked = walk_fraction is not None and np.isfinite(walk_fraction) and walk_fraction >= 1.0
        note(ax, "every step walked:\nno running steps to compare" if walked else "no level-ground reference")
        return
    values = np.where(np.isfinite(emphasis), emphasis, 0.0)
    _bars(ax, y, values, 0.6, "emphasis", facecolors=[MUSCLE_COLORS[m] for m in MUSCLES], linewidths=0)
    ratio = np.full(len(MUSCLES), np.nan) if load_ratio is None else np.asarray(load_ratio, dtype=float)
    # room for the labels beyond the longest bar (wider when they also carry the load ratio)
    room = 1.9 if np.isfinite(ratio).any() else 1.45
    widest = float(np.max(np.abs(values)))
    span = max(_EMPHASIS_SPAN_PTS, widest * room)
    ax.set_xlim(-span, span)
    pad = 0.02 * span
    for v, e, r, row in zip(values, emphasis, ratio, y):
        text = (f"{e:+.1f}" if np.isfinite(e) else "n/a") + (f" · {r:.2f}x" if np.isfinite(r) else "")
        ax.text(v + (pad if v >= 0 else -pad), row, text, ha="left" if v >= 0 else "right", va="center",
                fontsize=7.5)
    if not grade_known:  # zero emphasis here means "no slope information", not "a level run"
        ax.text(0.02, 0.02, "grade unknown: every step counted as level", transform=ax.transAxes,
                ha="left", va="bottom", fontsize=7, color="0.35")


def _numeric_ticks(ax: dict, x_label: str) -> None:
    """Ticks of the numeric axes, from their final limits: a few round values each (they read
    as well as matplotlib's default of up to nine, and each is a text to lay out and draw)."""
    for name, which, nbins in (("elevation", "y", 3), ("cadence", "y", 3), ("cadence", "x", 6),
                               ("share_vs_flat", "x", 3), ("emphasis", "x", 4)):
        if name in ("elevation", "cadence") and which == "y" and not ax[name].lines:
            light_ticks(ax[name], "y", [], [])  # nothing drawn: no scale to show
            continue
        lo, hi = ax[name].get_xlim() if which == "x" else ax[name].get_ylim()
        values, texts = nice_ticks(min(lo, hi), max(lo, hi), nbins)
        label = {"cadence": x_label,
                 "emphasis": "change in share (points) · load vs level ground"}
        light_ticks(ax[name], which, values, texts, label=label.get(name) if which == "x" else None)


def plot_run(analysis, path: str | os.PathLike | None = None, *, smooth_m: float = 200.0,
             title: str | None = None, dpi: float = 100.0, canvas: RunCanvas | None = None) -> Figure:
    """Per-run figure: where on the course the run loaded which muscle.

    Panels, sharing the distance axis (km; time in minutes when the run has no distance):
    the elevation profile with uphill / downhill shading (from ``analysis.segments``, else the
    profile's or steps' terrain class) and the climbs and descents of ``analysis.climbs``;
    each muscle's share of load along the run (a moving window of ``smooth_m`` metres, ratio
    of summed loads, stacked to 100 %); the strike pattern of every contact; cadence. On the
    right: each muscle's share of the whole run against the same steps on level ground, and
    the difference (``summary["emphasis_vs_flat"]``, percentage points, on a fixed +-10 point
    axis widened only when a bar needs it, labelled with ``summary["load_vs_level"]``),
    glutes, quads, hamstrings and calves first; the share of walking steps, which the level
    comparison leaves out.

    Parameters
    ----------
    analysis : gaitload.Analysis
        Needs ``steps``; ``profile``, ``segments``, ``climbs`` and ``summary`` are used when present.
    path : str or path-like, optional
        Write the figure there (``.png``, ``.svg`` or ``.pdf``, atomically, reproducible bytes).
    smooth_m : float
        Width of the moving window of the share and cadence traces, metres (> 0).
    title : str, optional
        Figure title; default: date, distance, duration, rule set, climb and descent.
    dpi : float
        Resolution of PNG output, dots per inch (the figure is 12 x 8 inches).
    canvas : RunCanvas, optional
        Draw into this frame, emptied first (the figure a new frame gives, made faster): for
        drawing many runs in turn. Default: a new frame.

    Returns
    -------
    matplotlib.figure.Figure
        Agg-backed; call ``plt.close(fig)`` or just drop it. Drawn on ``canvas``, it is that
        canvas' figure, emptied by the next run drawn on it.

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
        figure_format(path)  # fail before drawing
    summary = getattr(analysis, "summary", None) or {}
    loads = np.column_stack([column(steps, f"load_{m}") for m in MUSCLES]) if len(steps) \
        else np.empty((0, len(MUSCLES)))
    share = _run_shares(analysis, loads)
    emph_dict = summary.get("emphasis_vs_flat") or {}
    emphasis = np.array([np.nan if emph_dict.get(m) is None else emph_dict.get(m) for m in MUSCLES], dtype=float)
    ratio_dict = summary.get("load_vs_level") or {}
    load_ratio = np.array([np.nan if ratio_dict.get(m) is None else ratio_dict.get(m) for m in MUSCLES], dtype=float)

    canvas = canvas if canvas is not None else RunCanvas()
    with matplotlib.rc_context(STYLE), canvas.drawing():
        # a watch or lumbar run has no strike pattern: that panel is its title and a note
        strike_known = bool(np.isin(labels(steps, "strike_pattern"), STRIKES).any())
        fig, ax = canvas.panels(dpi, strike_known)
        axis = _run_axis(analysis, smooth_m)
        axis["buckets"] = _plot_buckets(dpi)
        _panel_elevation(ax["elevation"], analysis, axis)
        if len(steps):
            _panel_shares(ax["shares"], analysis, axis, loads)
            if strike_known:
                _panel_strike(ax["strike"], analysis, axis)
            else:
                no_data_panel(fig, "strike", "Strike pattern at each foot contact", _STRIKE_UNKNOWN)
            _panel_cadence(ax["cadence"], analysis, axis)
        else:
            _title(ax["shares"], "Share of load per muscle (%)")
            _title(ax["cadence"], "Cadence (steps/min)")
            no_data_panel(fig, "strike", "Strike pattern at each foot contact", "no foot contacts detected")
            for name in ("shares", "cadence"):
                note(ax[name], "no foot contacts detected")
            light_ticks(ax["shares"], "y", [], [])
        for name in ("elevation", "shares", "strike"):
            # the shared distance axis is drawn once, under the bottom panel: an invisible axis
            # makes no ticks
            if name in ax:
                ax[name].xaxis.set_visible(False)
        running = _running_shares(summary, share)
        _panel_share_vs_flat(ax["share_vs_flat"], running, emphasis, running_only=running is not share)
        _panel_emphasis(ax["emphasis"], emphasis, grade_known=bool(np.isfinite(column(steps, "grade_pct")).any()),
                        load_ratio=load_ratio, walk_fraction=summary.get("walk_fraction"))
        _numeric_ticks(ax, axis["label"])
        fig.suptitle(title if title is not None else run_title(summary), fontsize=11, x=0.06 / RUN_FIGSIZE[0],
                     y=1 - 0.06 / RUN_FIGSIZE[1], ha="left", va="top", gid="run_title")
        if path is not None:
            save_figure(fig, path, dpi=dpi)
        return fig
