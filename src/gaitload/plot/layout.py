"""Placing the panels of a figure: matplotlib's constrained layout, or the same rules computed cheaply.

:func:`fixed_layout` places the panels of a figure whose axes sit on one gridspec by the rules of
constrained layout (3 pt padding, 2 % spacing, margins shared per row and column), from the sizes
of the panels' decorations (titles, axis labels, tick labels, legends) measured without making or
laying out any tick: constrained layout's tight-bounding-box pass is most of a run figure's
layout time. :func:`freeze_layout` runs matplotlib's own engine once, for figures it cannot place.
Both remove the layout engine afterwards, so saving the figure draws it once.
"""

from __future__ import annotations

import functools

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

__all__ = ["fixed_layout", "freeze_layout"]


def freeze_layout(fig: Figure) -> None:
    """Run the figure's layout engine once, without drawing, and keep its result for good.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Modified in place: axes placed, layout engine removed.

    Notes
    -----
    This is the first step of ``Figure.draw`` alone, so the axes land exactly where a full
    draw would put them. Measuring the axes for the layout creates every tick, so ticks get
    the house style of the caller's ``rc_context`` even when the figure is shown or saved
    outside it. Re-running the layout at every save would move axes by rounding noise (new
    SVG clip-path ids, other bytes for the same figure), hence the freeze.
    """
    engine = fig.get_layout_engine()
    if engine is not None:
        try:
            engine.execute(fig)
        except ValueError:  # figure too small for the layout: matplotlib's draw skips it too
            pass
    # remove the engine, not just set "none": that leaves a placeholder engine, and with any
    # engine savefig draws the whole figure once more (text layout only) before the real draw
    with matplotlib.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)


# Constrained layout's defaults (figure.constrained_layout.*), which the fixed layout keeps so
# the panels land where they always did: 3 pt padding around every panel, and 2 % of the
# figure spread between the columns and rows.
_PAD_PT = 3.0
_SPACE = 0.02


def _text_size_pt(dpi: float, text: str, fontsize: float) -> tuple[float, float, float]:
    """Width, height and descent (points) of one line of text, as matplotlib lays it out.

    Parameters
    ----------
    dpi : float
        Resolution the figure is laid out at (glyph hinting makes sizes vary a little with it).
    text : str
    fontsize : float
        Points, in the current default font.

    Returns
    -------
    width, height, descent : float
        The descent is the part of the height below the baseline.
    """
    # tick texts repeat from figure to figure ("0", "20%", muscle names), and matplotlib's own
    # cache of text sizes lives only as long as one figure's renderer
    return _cached_text_size(text, FontProperties(size=fontsize), float(dpi))


@functools.lru_cache(maxsize=4096)
def _cached_text_size(text: str, prop: FontProperties, dpi: float) -> tuple[float, float, float]:
    """:func:`_text_size_pt` of a text in a font (hashable by value) at a resolution."""
    probe = Figure(figsize=(1.0, 1.0), dpi=dpi)
    renderer = FigureCanvasAgg(probe).get_renderer()
    box = probe.text(0, 0, text, fontproperties=prop, va="baseline").get_window_extent(renderer)
    return box.width * 72.0 / dpi, box.height * 72.0 / dpi, -box.y0 * 72.0 / dpi


def _extent_pt(fig: Figure, artist, renderer) -> tuple[float, float]:
    """Width and height (points) of a text or legend; their size does not depend on place."""
    box = artist.get_window_extent(renderer)
    return box.width * 72.0 / fig.dpi, box.height * 72.0 / fig.dpi


def _tick_labels(axis) -> tuple[np.ndarray, list[str], str]:
    """Where the axis will put its major tick labels, their texts and its offset text.

    Runs the axis's locator and formatter only: no tick artist is made, no text laid out
    (what makes constrained layout expensive).

    Parameters
    ----------
    axis : matplotlib.axis.Axis

    Returns
    -------
    frac : ndarray
        Position of each labelled tick along the axes (0 at the lower / left end).
    texts : list of str
        Non-empty labels, one per entry of ``frac``.
    offset : str
        The offset or date text shown beside the axis ("" when none).
    """
    v0, v1 = axis.get_view_interval()
    locs = np.asarray(axis.get_majorticklocs(), dtype=float)
    lo, hi = min(v0, v1), max(v0, v1)
    tol = 1e-10 * max(hi - lo, 1e-300)
    locs = locs[(locs >= lo - tol) & (locs <= hi + tol)]  # the ticks a draw keeps
    formatter = axis.get_major_formatter()
    texts = list(formatter.format_ticks(locs)) if locs.size else []
    frac = (locs - v0) / (v1 - v0) if v1 != v0 else np.zeros(locs.size)
    keep = [i for i, t in enumerate(texts) if t]
    return frac[keep], [texts[i] for i in keep], formatter.get_offset() if locs.size else ""


def _shown(axis, side: str) -> bool:
    """Whether the axis draws its tick labels on ``side`` ("left", "bottom", ...)."""
    name = axis.axis_name
    return bool(axis.get_tick_params().get(f"label{side}", matplotlib.rcParams[f"{name}tick.label{side}"]))


def _decorations_pt(ax, renderer, legend_heights: dict | None = None) -> dict[str, float]:
    """How far the panel's labels, ticks, title and outside legends reach past its box, points.

    The same measure constrained layout takes (the tight bounding box minus the axes box),
    from the tick texts' sizes and matplotlib's placement rules (tick length + pad, label pad,
    title pad) instead of making and placing every tick. Only the panels' layout used here is
    covered: ticks and labels left and bottom, titles and legends above.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Placed (its current position sets the number of ticks).
    renderer : matplotlib.backend_bases.RendererBase
    legend_heights : dict, optional
        Heights of legends already measured (points, by legend); filled in here. A legend
        lays out its entries to be measured, and its size does not change with the layout.

    Returns
    -------
    dict
        ``left``, ``right``, ``bottom``, ``top``, points (>= 0).
    """
    fig = ax.get_figure(root=True)
    rc = matplotlib.rcParams
    box = ax.get_position()
    width_pt = box.width * fig.get_figwidth() * 72.0
    height_pt = box.height * fig.get_figheight() * 72.0
    out = {"left": 0.0, "right": 0.0, "bottom": 0.0, "top": 0.0}

    # y axis, left: tick, pad, widest label, label pad, axis label
    frac, texts, offset = _tick_labels(ax.yaxis)
    size, pad = rc["ytick.major.size"], rc["ytick.major.pad"]
    fontsize = rc["ytick.labelsize"]
    sizes = [_text_size_pt(fig.dpi, t, fontsize) for t in texts] if _shown(ax.yaxis, "left") else []
    left = size + (pad + max(w for w, _, _ in sizes) if sizes else 0.0)
    if ax.get_ylabel():
        # turned upright: its height is its width
        left += rc["axes.labelpad"] + _text_size_pt(fig.dpi, ax.get_ylabel(), ax.yaxis.label.get_fontsize())[1]
    out["left"] = left if ax.yaxis.get_visible() else 0.0
    for f, (_, h, d) in zip(frac, sizes):  # labels on the end ticks stick out; centre: mid-ascent
        out["top"] = max(out["top"], (h - d) / 2 - (1 - f) * height_pt)
        out["bottom"] = max(out["bottom"], (h + d) / 2 - f * height_pt)
    y_offset = _text_size_pt(fig.dpi, offset, fontsize)[1] if offset and sizes else 0.0

    # x axis, bottom: tick, pad, tallest label, then the axis label or offset text below
    frac, texts, offset = _tick_labels(ax.xaxis)
    size, pad = rc["xtick.major.size"], rc["xtick.major.pad"]
    fontsize = rc["xtick.labelsize"]
    sizes = [_text_size_pt(fig.dpi, t, fontsize) for t in texts] if _shown(ax.xaxis, "bottom") else []
    bottom = size + (pad + max(h for _, h, _ in sizes) if sizes else 0.0)
    below = [_text_size_pt(fig.dpi, offset, fontsize)[1]] if offset and sizes else []
    if ax.get_xlabel():
        below.append(_text_size_pt(fig.dpi, ax.get_xlabel(), ax.xaxis.label.get_fontsize())[1])
    if below:
        bottom += rc["axes.labelpad"] + max(below)
    if not ax.xaxis.get_visible():  # hidden axis: no ticks, labels or offset text below
        sizes, bottom = [], 0.0
    out["bottom"] = max(out["bottom"], bottom)
    for f, (w, _, _) in zip(frac, sizes):
        out["left"] = max(out["left"], w / 2 - f * width_pt)
        out["right"] = max(out["right"], w / 2 - (1 - f) * width_pt)

    # above: the title (lifted over a y offset text when matplotlib places it), legends
    # the offset text sits 3 pt above the axes (Axis.OFFSETTEXTPAD), the title above it
    lift = 3.0 + y_offset if y_offset else 0.0
    titles = [ax.get_title(loc=where) for where in ("left", "center", "right")]
    if any(titles):
        # on its baseline, titlepad above the axes: the descent hangs into the pad
        h = max(sz[1] - sz[2] for sz in (_text_size_pt(fig.dpi, t, rc["axes.titlesize"]) for t in titles if t))
        out["top"] = max(out["top"], lift + rc["axes.titlepad"] + h)
    out["top"] = max(out["top"], lift)
    leg = ax.get_legend()
    if leg is not None and leg.get_visible() and leg.get_bbox_to_anchor().y0 >= ax.bbox.y1 - 1e-6:
        # anchored on the top edge (loc "lower ..."): stands on the axes, borderaxespad above
        gap = leg.borderaxespad * leg.prop.get_size_in_points()
        heights = {} if legend_heights is None else legend_heights
        if leg not in heights:
            heights[leg] = _extent_pt(fig, leg, renderer)[1]
        out["top"] = max(out["top"], gap + heights[leg])
    return out


def _spans(total: float, ratios, before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Start and end of each cell's inner part along one direction of a grid.

    Cells follow one another; each keeps ``before`` and ``after`` for its decorations, and the
    inner parts share what is left in proportion to ``ratios`` (constrained layout's rule).

    Parameters
    ----------
    total : float
        Length of the grid, any unit.
    ratios : array_like, shape (n,)
    before, after : ndarray, shape (n,)
        Margins of each cell, same unit as ``total``.

    Returns
    -------
    ndarray, shape (n, 2)
        Inner start and end of each cell from the grid's start.
    """
    ratios = np.asarray(ratios, dtype=float)
    inner = ratios / ratios.sum() * max(total - before.sum() - after.sum(), 0.0)
    ends = np.cumsum(before + inner + after)
    start = ends - after - inner
    return np.column_stack([start, start + inner])


def _place_grid(fig: Figure, grid, margins: dict, top_pt: float, bottom_pt: float) -> dict:
    """Axes boxes (figure fractions) of a gridspec from each panel's decoration margins.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    grid : matplotlib.gridspec.GridSpec
    margins : dict of Axes to dict
        Decorations of each panel in points (:func:`_decorations_pt`).
    top_pt, bottom_pt : float
        Kept free above and below the grid (figure title, figure legend), points.

    Returns
    -------
    dict of Axes to tuple
        ``(left, bottom, width, height)`` in figure fractions.

    Notes
    -----
    Every column takes the widest left and right decorations of its panels and every row the
    tallest top and bottom ones (panels stay aligned), plus the padding constrained layout
    puts around each panel: ``_PAD_PT`` at the figure edge, half the 2 % spacing between
    cells when that is larger. A panel spanning rows or columns gives its margins to its end
    cells only.
    """
    nrows, ncols = grid.get_geometry()
    w_pt, h_pt = fig.get_figwidth() * 72.0, fig.get_figheight() * 72.0
    col_pad = max(_PAD_PT, _SPACE / 2 / ncols * w_pt) if ncols > 1 else _PAD_PT
    row_pad = max(_PAD_PT, _SPACE / 2 / nrows * h_pt) if nrows > 1 else _PAD_PT
    left, right = np.zeros(ncols), np.zeros(ncols)
    top, bottom = np.zeros(nrows), np.zeros(nrows)
    for ax, m in margins.items():
        spec = ax.get_subplotspec()
        c0, c1 = spec.colspan.start, spec.colspan.stop - 1
        r0, r1 = spec.rowspan.start, spec.rowspan.stop - 1
        left[c0], right[c1] = max(left[c0], m["left"]), max(right[c1], m["right"])
        top[r0], bottom[r1] = max(top[r0], m["top"]), max(bottom[r1], m["bottom"])
    pads = lambda n, pad: (np.r_[_PAD_PT, np.full(n - 1, pad)], np.r_[np.full(n - 1, pad), _PAD_PT])
    lead, trail = pads(ncols, col_pad)
    cols = _spans(w_pt, grid.get_width_ratios() or np.ones(ncols), left + lead, right + trail)
    lead, trail = pads(nrows, row_pad)
    rows = _spans(h_pt - top_pt - bottom_pt, grid.get_height_ratios() or np.ones(nrows),
                  top + lead, bottom + trail)
    boxes = {}
    for ax in margins:
        spec = ax.get_subplotspec()
        x0, x1 = cols[spec.colspan.start, 0], cols[spec.colspan.stop - 1, 1]
        y_top, y_bot = rows[spec.rowspan.start, 0], rows[spec.rowspan.stop - 1, 1]
        boxes[ax] = (x0 / w_pt, 1 - (top_pt + y_bot) / h_pt, (x1 - x0) / w_pt, (y_bot - y_top) / h_pt)
    return boxes


def fixed_layout(fig: Figure, title, legend) -> bool:
    """Place the panels from their decorations' sizes, as constrained layout would, cheaply.

    Constrained layout measures every panel's tight bounding box twice, which makes and lays
    out every tick label (~150 ms of a run figure); here the tick texts come from the axes'
    locators and formatters and only their sizes are measured (:func:`_decorations_pt`).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        All axes on one gridspec; modified in place, layout engine removed.
    title : matplotlib.text.Text
        The figure title (``fig.suptitle``), put at the top edge.
    legend : matplotlib.legend.Legend
        The figure legend, ``loc="outside lower center"``.

    Returns
    -------
    bool
        False, and nothing changed, when the figure has other content (colour bars, axes
        off the grid): then only constrained layout knows where things go.
    """
    grids = {ax.get_subplotspec().get_gridspec() if ax.get_subplotspec() else None for ax in fig.axes}
    if len(grids) != 1 or None in grids or len(fig.legends) > 1:  # colour bars sit on grids of their own
        return False
    grid = grids.pop()
    renderer = fig.canvas.get_renderer()
    pad = _PAD_PT / 72.0 / fig.get_figheight()
    title.set_y(1.0 - pad)  # where constrained layout puts it; va="top"
    top_pt = _extent_pt(fig, title, renderer)[1] + 2 * _PAD_PT
    bottom_pt = _extent_pt(fig, legend, renderer)[1] + 2 * _PAD_PT
    # twice, like constrained layout: the number of ticks (hence labels) follows the size
    legend_heights = {}
    for _ in range(2):
        margins = {ax: _decorations_pt(ax, renderer, legend_heights) for ax in fig.axes}
        boxes = _place_grid(fig, grid, margins, top_pt, bottom_pt)
        for ax, box in boxes.items():
            ax.set_position(box)
    for ax in fig.axes:  # ticks made now get the caller's house style even if drawn outside it
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_visible():  # an invisible axis is never drawn: no ticks to make
                axis.get_major_ticks(len(axis.get_majorticklocs()))
    with matplotlib.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)
    return True
