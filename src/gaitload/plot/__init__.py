"""Figures: one run (:func:`plot_run`) and a season (:func:`plot_season`).

Both build a :class:`matplotlib.figure.Figure` directly (Agg canvas, no pyplot state), so they
are safe in worker processes and servers; ``plt.close(fig)`` is harmless on them. They draw
what the analysis and the season tables hold: :mod:`.run` the per-run figure (its frame:
:mod:`.panels`, which :class:`RunCanvas` keeps for drawing many runs in turn), :mod:`.season`
the season figure, :mod:`.style` the colours, fonts and file output they share.
"""

from .panels import RunCanvas
from .run import plot_run, smoothed_shares, window_sums
from .season import plot_season
from .style import FIGURE_FORMATS, MUSCLE_COLORS, STRIKE_COLORS, TERRAIN_COLORS, save_figure

__all__ = ["plot_run", "plot_season", "RunCanvas", "save_figure", "MUSCLE_COLORS", "TERRAIN_COLORS", "STRIKE_COLORS",
           "FIGURE_FORMATS", "smoothed_shares", "window_sums"]
