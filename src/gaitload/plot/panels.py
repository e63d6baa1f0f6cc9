"""The run figure's frame: its panels at fixed places, its muscle key, and :class:`RunCanvas`,
which makes that frame once and empties it for each run a worker draws.

Making the figure and its six panels is a third of a run figure's cost (each matplotlib axes
makes its axis objects, spines and ticks), and each figure left behind is thousands of objects
in reference cycles that Python's cycle collector walks through again and again: a season worker
draws hundreds of figures, so it keeps one frame and draws every run into it.
"""

from __future__ import annotations

import contextlib

import matplotlib
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox, offset_copy

from .style import MUSCLE_COLORS, MUSCLE_LABELS, MUSCLES, light_legend, light_ticks, new_figure

__all__ = ["RUN_FIGSIZE", "PANELS_IN", "STRIKES", "RunCanvas", "no_data_panel"]

#: Size of the run figure, inches: 1200 x 800 pixels at the default 100 dpi.
RUN_FIGSIZE = (12.0, 8.0)
#: Panels as (left, bottom, width, height) in inches. Fixed places instead of a layout engine:
#: the margins hold the widest labels the panels can have (five-character altitudes, "hip
#: flexors", a two-line x label), and the layout tests check no text overlaps or is cut off.
PANELS_IN = {
    "elevation": (0.72, 5.62, 7.38, 1.80),
    "shares": (0.72, 3.39, 7.38, 1.90),
    "strike": (0.72, 2.35, 7.38, 0.72),
    "cadence": (0.72, 0.93, 7.38, 1.10),
    "share_vs_flat": (8.95, 4.62, 2.90, 2.80),
    "emphasis": (8.95, 0.93, 2.90, 2.98),
}
#: Panels sharing the elevation panel's x axis (distance or time along the run).
_ALONG_THE_RUN = ("shares", "strike", "cadence")
#: Strike patterns, top to bottom in their panel.
STRIKES = ("rearfoot", "midfoot", "forefoot")
#: Panels whose rows are the same in every run (muscles, strike patterns), top to bottom: their
#: y axis (labels, limits) is part of the frame.
_ROWS = {"share_vs_flat": [MUSCLE_LABELS[m] for m in MUSCLES], "emphasis": [MUSCLE_LABELS[m] for m in MUSCLES],
         "strike": list(STRIKES)}
#: Texts and artists of the figure itself that are the same for every run: the muscle key and
#: the figure title (updated in place by ``Figure.suptitle``), kept when the frame is emptied.
_KEPT_GIDS = ("key", "key_squares", "run_title")


def _add_panel(fig: Figure, axes: dict, name: str) -> None:
    """The panel ``name`` at its place (:data:`PANELS_IN`), added to ``axes``."""
    w, h = fig.get_size_inches()
    x0, y0, pw, ph = PANELS_IN[name]
    share = axes.get("elevation") if name in _ALONG_THE_RUN else None
    ax = axes[name] = fig.add_axes((x0 / w, y0 / h, pw / w, ph / h), label=name, sharex=share)
    ax.patch.set_visible(False)  # white on the white figure: nothing to fill
    rows = _ROWS.get(name)
    if rows is not None:
        light_ticks(ax, "y", range(len(rows)), rows)
        ax.set_ylim(len(rows) - 0.4, -0.6)  # the first row on top


def no_data_panel(fig: Figure, name: str, title: str, text: str) -> None:
    """A panel with nothing to draw: its title where an axes would put it and why it is empty in
    its middle, without the axes (an empty frame with ticks says nothing more, and a panel
    costs as much to make as several drawn ones)."""
    w, h = fig.get_size_inches()
    x0, y0, pw, ph = PANELS_IN[name]
    above = offset_copy(fig.transFigure, fig=fig, y=matplotlib.rcParams["axes.titlepad"], units="points")
    fig.text(x0 / w, (y0 + ph) / h, title, transform=above, ha="left", va="baseline",
             fontsize=matplotlib.rcParams["axes.titlesize"], gid=f"{name}_title")
    fig.text((x0 + pw / 2) / w, (y0 + ph / 2) / h, text, ha="center", va="center", color="0.35", fontsize=8.5,
             gid=f"{name}_note")


def _empty_axes(ax, keep_rows: bool) -> None:
    """Take everything a run drew off a panel and give it back the state of a new axes: no
    artists, title or axis label, no data limits (the view, 0..1 autoscaled, is set after).

    The locators stay the null ones the run's ticks (:func:`.style.light_ticks`) put there:
    autoscaling asks a locator only for the limits of an empty view and for view limits, where
    the null and the default locator agree (``Locator.nonsingular``, ``view_limits``).
    ``keep_rows``: the y ticks and their labels are the frame's, kept."""
    kept = ("yticks", "yticklabel") if keep_rows else ()
    for group in (ax.lines, ax.collections, ax.texts, ax.patches, ax.images, ax.artists, ax.tables):
        for artist in list(group):
            if artist.get_gid() not in kept:
                artist.remove()
    ax.set_title("", loc="left")  # the only title a run figure sets
    ax.set_xlabel("")
    ax.dataLim = Bbox.null()  # what a new axes starts from
    ax.ignore_existing_data_limits = True


class RunCanvas:
    """One run figure's frame (figure, panels, muscle key), made once and emptied for each run.

    :func:`gaitload.plot.plot_run` draws on the canvas it is given, else on a new one; given the
    same canvas again, it empties the frame first (every artist the last run drew removed, every
    panel's limits and titles as new), so each figure is the one a new frame gives,
    pixel for pixel, at the cost of its own artists only. The figure returned for one run is the
    next run's frame: save it (``path=``) before drawing the next run.

    A worker process that draws many runs makes one and passes it along; it is not shared
    between threads.
    """

    def __init__(self) -> None:
        self._fig: Figure | None = None
        self._axes: dict = {}

    @contextlib.contextmanager
    def drawing(self):
        """Around the drawing of one run: when it fails half-way, the frame is dropped (the next
        run makes a new one) rather than emptied of whatever state the failure left."""
        try:
            yield self
        except BaseException:
            self._fig, self._axes = None, {}
            raise

    def panels(self, dpi: float, strike: bool) -> tuple[Figure, dict]:
        """The frame, empty, at ``dpi``: the figure and its panels by name, the strike panel only
        when ``strike``. Call within the house style's ``rc_context`` (new panels take it)."""
        fig = self._fig
        if fig is None or float(fig.dpi) != float(dpi):
            fig = self._fig = new_figure(RUN_FIGSIZE, dpi)
            self._axes = {}
            for name in PANELS_IN:
                if strike or name != "strike":
                    _add_panel(fig, self._axes, name)
            light_legend(fig, [(MUSCLE_COLORS[m], MUSCLE_LABELS[m]) for m in MUSCLES], PANELS_IN["cadence"][0], 0.2)
            return fig, dict(self._axes)
        for artist in [*fig.texts, *fig.artists]:
            if artist.get_gid() not in _KEPT_GIDS:
                artist.remove()
        for name, ax in self._axes.items():
            _empty_axes(ax, name in _ROWS)
            ax.set_xlim(0.0, 1.0, auto=True)
            if name not in _ROWS:
                ax.set_ylim(0.0, 1.0, auto=True)
            else:  # as a new frame's row ticks left it: x to autoscale at the next look
                ax.autoscale(enable=True, axis="x")
        if strike and "strike" not in self._axes:
            _add_panel(fig, self._axes, "strike")
        elif not strike and "strike" in self._axes:
            fig.delaxes(self._axes.pop("strike"))
        return fig, dict(self._axes)
