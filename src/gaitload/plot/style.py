"""The house style of every gaitload figure: colours, fonts, the Agg figure, notes and file output.

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
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .. import atomic
from ..errors import OptionError
from ..schema import MUSCLE_LABELS, MUSCLES, float_column
from .raster import PNG_COMPRESS_LEVEL, TextCanvas, write_png

__all__ = ["MUSCLE_COLORS", "TERRAIN_COLORS", "STRIKE_COLORS", "FIGURE_FORMATS", "STYLE", "save_figure",
           "figure_format", "new_figure", "note", "column", "labels", "muscle_handles", "nice_ticks", "light_ticks",
           "tick_labels", "MUSCLE_LABELS", "MUSCLES"]

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

# Metadata that would make two renderings of the same figure differ (dates, versions).
_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None},
}
#: rcParams of every figure. svg.hashsalt fixes the ids of clip paths and glyphs, which are
#: otherwise random per save. Text is most of a raster figure's drawing time (matplotlib lays
#: out and renders every glyph on its own): glyphs are rendered without hinting, which costs
#: 40 % less per glyph than FreeType's hinters (measured on matplotlib 3.11; the outlines are
#: the same, the stems a little softer at 100 dpi) and places them as PDF and SVG do; no text
#: is parsed for mathematics.
STYLE = {"svg.hashsalt": "gaitload", "font.size": 9.0, "axes.titlesize": 9.5,
         "axes.labelsize": 9.0, "legend.fontsize": 8.0, "xtick.labelsize": 8.0,
         "ytick.labelsize": 8.0, "axes.spines.top": False, "axes.spines.right": False,
         "axes.titlelocation": "left", "text.parse_math": False, "text.hinting": "no_hinting"}


def figure_format(path: str | os.PathLike) -> str:
    """The matplotlib format of a figure path; OptionError for any other extension."""
    suffix = Path(path).suffix.lower()
    if suffix not in FIGURE_FORMATS:
        raise OptionError(f"{os.fspath(path)}: cannot write a figure as '{suffix or 'no extension'}'; "
                          f"use one of {', '.join(FIGURE_FORMATS)}")
    return FIGURE_FORMATS[suffix]


def save_figure(fig: Figure, path: str | os.PathLike, *, dpi: float = 100.0) -> Path:
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
    fmt = figure_format(path)
    # the house style also at save time: tick labels are made lazily, when the figure is drawn
    with matplotlib.rc_context(STYLE), atomic.atomic_path(path) as tmp:
        if fmt == "png" and isinstance(fig.canvas, TextCanvas) and float(fig.dpi) == float(dpi):
            # a figure of new_figure at its own resolution: one draw, then the pixels to PNG
            # (savefig would draw the same way and encode through Pillow, see .raster)
            fig.canvas.draw()
            with open(tmp, "wb") as fh:
                write_png(np.asarray(fig.canvas.buffer_rgba()), fh, dpi)
        else:
            extra = {"pil_kwargs": {"compress_level": PNG_COMPRESS_LEVEL}} if fmt == "png" else {}
            fig.savefig(tmp, format=fmt, dpi=dpi, metadata=_METADATA[fmt], **extra)
    return Path(path)


def new_figure(figsize, dpi: float = 100.0, layout=None) -> Figure:
    """A figure on an Agg canvas (no GUI, no pyplot state: safe in workers and servers) that
    draws each text as one bitmap (:class:`.raster.TextCanvas`).

    Made at the resolution it is saved at, so text is measured once, at that resolution.
    """
    fig = Figure(figsize=figsize, dpi=dpi, layout=layout)
    TextCanvas(fig)
    return fig


def note(ax, text: str) -> None:
    """Say in the panel why it is empty, instead of leaving a blank box."""
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="0.35", fontsize=8.5)


def column(frame: pd.DataFrame | None, name: str) -> np.ndarray:
    """A column as float array (NaN when absent or not numeric; empty without a table)."""
    return np.full(0, np.nan) if frame is None else float_column(frame, name)


def labels(frame: pd.DataFrame | None, name: str) -> np.ndarray:
    """A text column as an object array, ``"unknown"`` where missing."""
    if frame is None or name not in frame:
        return np.full(0 if frame is None else len(frame), "unknown", dtype=object)
    return frame[name].fillna("unknown").astype(str).to_numpy(dtype=object)


def muscle_handles() -> list:
    """Legend handles of the muscle colours, in :data:`gaitload.schema.MUSCLES` order."""
    from matplotlib.patches import Patch

    return [Patch(facecolor=MUSCLE_COLORS[m], label=MUSCLE_LABELS[m]) for m in MUSCLES]


#: Light ticks (:func:`light_ticks`): mark length and gap to the label, points (matplotlib's
#: defaults, so they look like its own ticks).
TICK_LENGTH_PT = 3.5
TICK_PAD_PT = 3.5


def nice_ticks(lo: float, hi: float, nbins: int, steps=(1, 2, 2.5, 5, 10)) -> tuple[np.ndarray, list[str]]:
    """Round tick values within ``[lo, hi]`` and their labels, with as many decimals as the step needs.

    Parameters
    ----------
    lo, hi : float
        View limits, any unit.
    nbins : int
        Most intervals between ticks.
    steps : sequence of float
        Allowed step mantissas (matplotlib's ``MaxNLocator``).

    Returns
    -------
    values : ndarray
    labels : list of str
        With the typographic minus sign, as matplotlib writes them.
    """
    from matplotlib.ticker import MaxNLocator

    if not (np.isfinite(lo) and np.isfinite(hi)) or hi <= lo:
        return np.empty(0), []
    values = MaxNLocator(nbins=nbins, steps=list(steps)).tick_values(lo, hi)
    tol = 1e-9 * (hi - lo)
    values = values[(values >= lo - tol) & (values <= hi + tol)]
    step = float(np.min(np.diff(values))) if values.size > 1 else 1.0
    decimals = 0
    while decimals < 6 and abs(round(step, decimals) - step) > 1e-9 * max(abs(step), 1.0):
        decimals += 1
    rounded = np.round(values, decimals) + 0.0  # + 0.0: no "-0"
    return values, [f"{v:.{decimals}f}".replace("-", "\N{MINUS SIGN}") for v in rounded]


def light_ticks(ax, which: str, values, texts, *, label: str | None = None, fontsize: float | None = None) -> None:
    """Tick marks and labels of one axis as one line of markers and one text per label.

    matplotlib's own ticks are five artists each (two marks, a grid line, two labels), made,
    measured and placed again at every draw: most of a figure's drawing time. These are drawn
    where matplotlib would put its own (outside the axes, :data:`TICK_LENGTH_PT` long, labels
    :data:`TICK_PAD_PT` beyond), once; the axis itself is hidden (its label, if any, is a text
    too). For figures that are saved, not panned: the labels do not follow a change of the view
    limits.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    which : {"x", "y"}
        The bottom or the left axis.
    values : array_like
        Tick positions, data units.
    texts : sequence of str
        One label per value.
    label : str, optional
        Axis label (x axis only), placed below the tick labels.
    fontsize : float, optional
        Of the tick labels; default the style's tick label size.
    """
    from matplotlib.markers import TICKDOWN, TICKLEFT
    from matplotlib.ticker import NullLocator
    from matplotlib.transforms import offset_copy

    values = np.asarray(values, dtype=float)
    axis = ax.xaxis if which == "x" else ax.yaxis
    axis.set_major_locator(NullLocator())
    axis.set_minor_locator(NullLocator())
    size = float(fontsize if fontsize is not None else matplotlib.rcParams[f"{which}tick.labelsize"])
    trans = ax.get_xaxis_transform() if which == "x" else ax.get_yaxis_transform()
    pos = (values, np.zeros(values.size)) if which == "x" else (np.zeros(values.size), values)
    ax.plot(*pos, transform=trans, linestyle="none", marker=TICKDOWN if which == "x" else TICKLEFT,
            markersize=TICK_LENGTH_PT, markeredgewidth=0.8, color="black", clip_on=False, gid=f"{which}ticks")
    # the axis itself is not drawn: it has nothing left to show but its label, which is a plain
    # text here too (an axis measures its siblings' tick labels to place it, at every draw)
    axis.set_visible(False)
    gap = TICK_LENGTH_PT + TICK_PAD_PT
    if which == "x":
        at = offset_copy(trans, fig=ax.get_figure(root=True), y=-gap, units="points")
        for v, t in zip(values, texts):
            ax.text(v, 0.0, t, transform=at, ha="center", va="top", fontsize=size, gid="xticklabel")
        if label is not None:
            ax.set_xlabel(label)  # what the panel's x is, for a reader of the figure object
            # drawn below the tick labels (one line of them)
            below = offset_copy(ax.transAxes, fig=ax.get_figure(root=True), y=-(gap + 1.2 * size), units="points")
            ax.text(0.5, 0.0, label, transform=below, ha="center", va="top",
                    fontsize=matplotlib.rcParams["axes.labelsize"], gid="xlabel")
    else:
        at = offset_copy(trans, fig=ax.get_figure(root=True), x=-gap, units="points")
        for v, t in zip(values, texts):
            ax.text(0.0, v, t, transform=at, ha="right", va="center_baseline", fontsize=size, gid="yticklabel")


def tick_labels(ax, which: str) -> list[str]:
    """The labels :func:`light_ticks` drew on an axis, in order of position."""
    found = [t for t in ax.texts if t.get_gid() == f"{which}ticklabel"]
    return [t.get_text() for t in sorted(found, key=lambda t: t.get_position()[0 if which == "x" else 1])]


def light_legend(fig, entries, x_in: float, y_in: float, *, fontsize: float = 8.0) -> None:
    """A one-row key of coloured squares and names at a fixed place of the figure.

    One collection of squares and one text per name, spaced by the names' lengths: a
    matplotlib legend lays out a box of boxes and measures every text at each draw.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    entries : sequence of (colour, name)
    x_in, y_in : float
        Left end and vertical centre of the row, inches from the figure's lower left corner.
    fontsize : float
        Points.
    """
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle

    side = fontsize / 72.0  # a square as tall as the text
    # advance per character: DejaVu Sans averages about 0.6 em; generous, so names never touch
    per_char = 0.62 * fontsize / 72.0
    squares, x = [], x_in
    for _, name in entries:
        squares.append(Rectangle((x, y_in - side / 2), 1.4 * side, side))
        fig.text(x + 1.9 * side, y_in, name, transform=fig.dpi_scale_trans, ha="left", va="center_baseline",
                 fontsize=fontsize, gid="key")
        x += 1.9 * side + per_char * len(name) + 1.6 * side
    fig.add_artist(PatchCollection(squares, facecolors=[c for c, _ in entries], linewidths=0,
                                   transform=fig.dpi_scale_trans, gid="key_squares"))
