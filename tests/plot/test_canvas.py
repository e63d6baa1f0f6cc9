"""A run figure drawn on a reused frame (plot.panels.RunCanvas, as a season worker draws runs) is
the figure a new frame gives: the same pixels and the same texts, run after run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_plot import synthetic_analysis

from gaitload.analysis import Analysis
from gaitload.plot import plot_run
from gaitload.plot import RunCanvas


def _pixels(fig) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def _texts(fig) -> list[str]:
    return sorted(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")) if t.get_visible())


def _runs():
    """Runs whose figures differ in every part the frame holds: strike panel or not, distance or
    time axis, climbs, notes instead of data, an empty run, another resolution."""
    strike = synthetic_analysis(distance_m=3000, seed=11)
    watch = synthetic_analysis(distance_m=5000, seed=4, strike=False, start="2026-04-01T18:30:00+02:00")
    no_cadence = synthetic_analysis(distance_m=2000, seed=5, strike=False)
    no_cadence.steps["cadence_spm"] = np.nan
    no_cadence.steps["grade_pct"] = np.nan
    timed = synthetic_analysis(distance_m=2500, seed=6)
    timed.steps["distance_m"] = np.nan
    timed.profile = pd.DataFrame()
    empty = synthetic_analysis(distance_m=500)
    empty = Analysis(steps=empty.steps.iloc[:0], segments=empty.segments.iloc[:0], summary={"rules": "source"},
                     profile=pd.DataFrame())
    high = synthetic_analysis(distance_m=1500, seed=8)
    high.profile["altitude_m"] = 12345.0 + high.profile["altitude_m"] / 500
    return [(strike, 50), (watch, 50), (strike, 50), (no_cadence, 50), (timed, 50), (empty, 50),
            (watch, 40), (high, 40), (strike, 40)]


def test_reused_frame_draws_the_new_frames_figure():
    canvas = RunCanvas()
    for k, (analysis, dpi) in enumerate(_runs()):
        reused = plot_run(analysis, dpi=dpi, canvas=canvas)
        reused_pixels, reused_texts = _pixels(reused), _texts(reused)
        reused_panels = sorted(ax.get_label() for ax in reused.axes)
        fresh = plot_run(analysis, dpi=dpi)
        assert reused_panels == sorted(ax.get_label() for ax in fresh.axes), k
        assert reused_texts == _texts(fresh), k
        differ = (reused_pixels != _pixels(fresh)).any(axis=2)
        assert not differ.any(), f"run {k}: {int(differ.sum())} pixels differ from a new frame's figure"


def test_reused_frame_writes_the_same_file(tmp_path):
    canvas = RunCanvas()
    first, second = synthetic_analysis(distance_m=2000, seed=2), synthetic_analysis(distance_m=4000, seed=3)
    plot_run(first, tmp_path / "first.png", dpi=40, canvas=canvas)
    plot_run(second, tmp_path / "reused.png", dpi=40, canvas=canvas)
    plot_run(second, tmp_path / "fresh.png", dpi=40)
    assert (tmp_path / "reused.png").read_bytes() == (tmp_path / "fresh.png").read_bytes()


def test_a_failed_draw_leaves_the_next_run_a_clean_frame(tmp_path, monkeypatch):
    """A run whose figure fails half-way (here: its cadence panel, then its file) does not show
    in the next run's figure drawn on the same canvas."""
    import gaitload.plot.run as run_module

    canvas = RunCanvas()
    first, second = synthetic_analysis(distance_m=2000, seed=2), synthetic_analysis(distance_m=4000, seed=3)

    def broken(*args, **kwargs):
        raise RuntimeError("broken panel")

    with monkeypatch.context() as patch:
        patch.setattr(run_module, "_panel_cadence", broken)
        with pytest.raises(RuntimeError, match="broken panel"):
            plot_run(first, dpi=40, canvas=canvas)
    (tmp_path / "a file").write_text("not a folder")
    with pytest.raises(OSError):
        plot_run(first, tmp_path / "a file" / "first.png", dpi=40, canvas=canvas)
    reused = _pixels(plot_run(second, dpi=40, canvas=canvas))
    assert (reused == _pixels(plot_run(second, dpi=40))).all()
