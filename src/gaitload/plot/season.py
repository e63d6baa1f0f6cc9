"""The season figure: weekly load, climb vs descent load, acute:chronic ratio and strike mix.

Every panel draws a table of :func:`gaitload.season.season_tables` as it is: the figure reads
no steps file and computes no statistic of its own.
"""

from __future__ import annotations

import os

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import EngFormatter, FixedLocator, FuncFormatter, PercentFormatter

from ..errors import OptionError
from .layout import fixed_layout, freeze_layout
from .style import (MUSCLE_COLORS, MUSCLE_LABELS, MUSCLES, STRIKE_COLORS, STYLE, column, figure_format,
                    muscle_handles, new_figure, note, save_figure)

__all__ = ["plot_season"]

_KNOWN_STRIKES = ("rearfoot", "midfoot", "forefoot")


def _require_columns(runs: pd.DataFrame, columns) -> None:
    missing = [c for c in columns if c not in runs]
    if missing:
        raise OptionError(f"plot_season: the runs table lacks column(s) {', '.join(missing)}")


def _date_axis(ax, x=None) -> None:
    weeks = 0 if x is None or not len(x) else int((np.max(x) - np.min(x)) / np.timedelta64(7, "D")) + 1
    if 0 < weeks <= 26:
        # over a few months the bars are wide: tick each bar's Monday (every k-th), so a label
        # names the week under it rather than a day inside another week
        ax.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=mdates.MO, interval=max(1, -(-weeks // 7))))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{mdates.num2date(v):%d %b}".lstrip("0")))
    else:
        locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if x is not None and len(x) == 1:  # a single bar: give it some room
        ax.set_xlim(x[0] - np.timedelta64(4, "D"), x[0] + np.timedelta64(9, "D"))


def _stacked_weeks(ax, table: pd.DataFrame, series) -> tuple[np.ndarray, np.ndarray]:
    """One bar per dated week of ``table`` (``week_start``), stacked from ``series``: (column,
    colour, label) in drawing order. Returns the bars' weeks and the mask of dated rows."""
    week = pd.to_datetime(table["week_start"], errors="coerce")
    ok = week.notna().to_numpy()
    x = week[ok].to_numpy()
    bottom = np.zeros(ok.sum())
    for name, color, label in series:
        height = np.nan_to_num(column(table, name)[ok])
        ax.bar(x, height, bottom=bottom, width=pd.Timedelta(days=5), align="edge", color=color).set_label(label)
        bottom = bottom + height
    return x, ok


#: Narrowest a weekly bar is drawn, in pixels: a week's 5-day bar is under 1 px over a span of
#: years, where it vanishes or merges with its neighbours (judgement: 2 px is the least that
#: antialiasing still shows as a solid bar).
MIN_BAR_PX = 2.0


def widen_thin_bars(ax, min_px: float = MIN_BAR_PX) -> None:
    """Widen the week bars of a placed panel to at least ``min_px`` pixels each.

    Called once the layout is final: the pixel width of a day follows from the axes' width
    and its x span. The bars keep their start (the week's Monday); neighbours may overlap
    over many years, but no week with load disappears. The axis limits are left as they are.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        A panel drawn by :func:`_stacked_weeks`, after the figure's layout.
    min_px : float
        Narrowest bar, pixels at the figure's dpi.
    """
    left, right = ax.get_xlim()
    width_px = ax.get_window_extent().width
    if not (width_px > 0 and right > left):
        return
    min_days = min_px * (right - left) / width_px
    for container in ax.containers:
        for patch in container.patches:
            if patch.get_width() < min_days:
                patch.set_width(min_days)


def _panel_weekly(ax, weekly: pd.DataFrame, undated: int = 0, zone: str = "UTC"):
    ax.set_title("Weekly load per muscle (flat-step equivalents)")
    cols = [f"load_{m}" for m in MUSCLES]
    if weekly is None or not len(weekly) or not set(cols + ["week_start"]) <= set(weekly.columns):
        note(ax, "no dated runs")
        return
    x, _ = _stacked_weeks(ax, weekly, [(f"load_{m}", MUSCLE_COLORS[m], f"weekly_{m}") for m in MUSCLES])
    ax.yaxis.set_major_formatter(EngFormatter(sep=""))
    ax.set_xlabel(f"week starting (Monday, {zone})")
    if undated:
        ax.text(0.99, 0.98, f"{undated} run(s) without a date left out", transform=ax.transAxes,
                ha="right", va="top", fontsize=7, color="0.35")
    _date_axis(ax, x)


def _panel_climb_descent(ax, table: pd.DataFrame):
    ax.set_title("Climb vs descent load per muscle (season, flat-step equivalents)")
    if table is None or not len(table) or not {"muscle", "climb_load", "descent_load"} <= set(table.columns):
        note(ax, "no load by terrain")
        return
    by_muscle = table.set_index("muscle")
    x = np.arange(len(MUSCLES))
    climb = np.array([float(by_muscle["climb_load"].get(m, np.nan)) for m in MUSCLES])
    descent = np.array([float(by_muscle["descent_load"].get(m, np.nan)) for m in MUSCLES])
    colors = [MUSCLE_COLORS[m] for m in MUSCLES]
    ax.bar(x - 0.2, np.nan_to_num(climb), width=0.4, color=colors, label="climb")
    # outlined, not hatched: hatching is the costliest fill Agg draws
    ax.bar(x + 0.2, np.nan_to_num(descent), width=0.4, color="white", edgecolor=colors, linewidth=1.2,
           label="descent")
    ax.set_xticks(x, [MUSCLE_LABELS[m] for m in MUSCLES])
    ax.yaxis.set_major_formatter(EngFormatter(sep=""))
    ax.legend(handles=[Patch(facecolor="0.55", label="uphill steps"),
                       Patch(facecolor="white", edgecolor="0.35", linewidth=1.2, label="downhill steps")],
              loc="upper right", ncol=2, frameon=False)
    top = np.nanmax(np.concatenate([climb, descent, [0.0]]))
    ax.set_ylim(0, 1.2 * top if np.isfinite(top) and top > 0 else 1)  # room for the legend


def _panel_acwr(ax, acwr: pd.DataFrame, zone: str = "UTC"):
    ax.set_title("Acute:chronic load ratio (7 d / 28 d mean daily load)")
    # 0.8-1.3: the range commonly treated as low risk in training-load monitoring
    # (Gabbett TJ. The training-injury prevention paradox. Br J Sports Med 2016;50:273-280).
    band = ax.axhspan(0.8, 1.3, color="0.88", zorder=0, label="0.8–1.3 (Gabbett 2016)")
    band.set_gid("acwr_band")
    ratios = {m: column(acwr, f"acwr_{m}") for m in MUSCLES}
    dates = pd.to_datetime(acwr["date"], errors="coerce").to_numpy()
    top = 2.0
    # muscles often share one ratio (their loads rise together): drawing the first ones widest
    # keeps every colour visible where the lines coincide
    for i, m in enumerate(MUSCLES):
        line, = ax.plot(dates, ratios[m], color=MUSCLE_COLORS[m], linewidth=1.0 + 0.5 * (len(MUSCLES) - 1 - i),
                        solid_capstyle="butt")
        line.set_gid(f"acwr_{m}")
        if np.isfinite(ratios[m]).any():
            top = max(top, float(np.nanmax(ratios[m])) * 1.08)
    ax.set_ylim(0, top)
    _date_axis(ax)
    ax.set_xlabel(f"date ({zone})")
    ax.legend(handles=[band], loc="upper left", frameon=False)


def _panel_strike_mix(ax, mix: pd.DataFrame, zone: str = "UTC"):
    """Weekly shares of the measured strike patterns (``tables["strike_mix"]``), stacked to 100 %."""
    n_runs = int(np.nansum(column(mix, "runs")))
    ax.set_title("Strike pattern per week (% of contacts)")
    x, ok = _stacked_weeks(ax, mix, [(f"{n}_pct", STRIKE_COLORS[n], f"strike_{n}") for n in _KNOWN_STRIKES])
    # a week of five contacts at 100 % must not read like a week of five thousand
    contacts = column(mix, "contacts")[ok]
    for xi, n in zip(x, contacts):  # one label per week: a season's handful
        ax.text(xi + np.timedelta64(60, "h"), 101, f"{n:.0f}", ha="center", va="bottom", fontsize=6, color="0.3")
    ax.set_ylim(0, 112)
    ax.yaxis.set_major_locator(FixedLocator([0, 25, 50, 75, 100]))
    ax.yaxis.set_major_formatter(PercentFormatter(100, decimals=0))
    ax.set_xlabel(f"week starting (Monday, {zone}); on top: contacts of {n_runs} run{'s' if n_runs != 1 else ''}")
    ax.legend(handles=[Patch(facecolor=STRIKE_COLORS[n], label=n) for n in _KNOWN_STRIKES],
              loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=3, frameon=False, borderaxespad=0.1)
    _date_axis(ax, x)


def _zone(tz):
    """A time zone for pandas: ``"local"`` is this computer's (with its daylight-saving rules)."""
    if tz == "local":
        from dateutil.tz import tzlocal

        return tzlocal()
    return tz


def plot_season(runs: pd.DataFrame, tables: dict, path: str | os.PathLike | None = None, *,
                steps_dir: str | os.PathLike | None = None, dpi: float = 100.0, tz="local") -> Figure:
    """Season figure: weekly load, climb vs descent load, acute:chronic ratio, strike mix.

    Panels: (a) weekly load per muscle, stacked bars (``tables["weekly_load"]``); (b) season
    load of uphill and downhill steps per muscle (``tables["climb_descent"]``); (c) the
    acute:chronic workload ratio per muscle (7-day / 28-day rolling mean daily load,
    ``tables["acwr"]``) with the 0.8-1.3 band commonly used in training-load monitoring (a
    convention: Gabbett TJ, *Br J Sports Med* 2016;50:273-280, not a property of muscles);
    (d) the weekly mix of measured strike patterns, in % of the contacts of a known pattern,
    with their number (``tables["strike_mix"]``). A panel with nothing to show is left out
    and its room given to the others: (c) before 28 days of history, (d) when no run has a
    measured strike pattern (a watch-only season); the title says which and why. Dates are
    in the runner's time zone ``tz``.

    Parameters
    ----------
    runs : pandas.DataFrame
        The season's runs table (``run_id``, ``status``, ``start_time``, ``distance_m`` ...),
        as written by :func:`gaitload.season`.
    tables : dict of str to DataFrame
        ``weekly_load``, ``climb_descent``, ``acwr`` and (optional) ``strike_mix`` from
        :func:`gaitload.season.season_tables`.
    path : str or path-like, optional
        Write the figure there (``.png``, ``.svg`` or ``.pdf``).
    steps_dir : str or path-like, optional
        Not used: the strike mix comes from ``tables["strike_mix"]``. Accepted so that callers
        of earlier versions keep working.
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
    del steps_dir  # kept in the signature only (see above)
    if not isinstance(runs, pd.DataFrame):
        raise OptionError(f"plot_season needs the runs DataFrame, got {type(runs).__name__}")
    _require_columns(runs, ["status"])
    if not isinstance(tables, dict) or not {"weekly_load", "climb_descent", "acwr"} <= set(tables):
        have = sorted(tables) if isinstance(tables, dict) else type(tables).__name__
        raise OptionError(f"plot_season needs tables weekly_load, climb_descent and acwr, got {have}")
    if path is not None:
        figure_format(path)
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
    if acwr is not None and "date" in acwr and any(np.isfinite(column(acwr, f"acwr_{m}")).any() for m in MUSCLES):
        panels.append(("acwr", lambda ax: _panel_acwr(ax, acwr, zone)))
    else:
        days = len(acwr) if acwr is not None and "date" in acwr else 0
        left_out.append(f"acute:chronic ratio needs 28 days of history (this season spans {days} "
                        f"day{'s' if days != 1 else ''})")
    mix = tables.get("strike_mix")
    if mix is not None and len(mix) and np.nansum(column(mix, "contacts")) > 0:
        panels.append(("strike_mix", lambda ax: _panel_strike_mix(ax, mix, zone)))
    elif mix is None:
        left_out.append("no strike_mix table given")
    else:
        left_out.append("no strike pattern measured (needs a foot IMU with a gyroscope)")

    with matplotlib.rc_context(STYLE):
        n_rows = 1 if len(panels) <= 2 else 2
        fig = new_figure((12.0, 7.5 if n_rows == 2 else 4.6), dpi, layout="constrained")
        grid = fig.add_gridspec(n_rows, 2)
        cells = [grid[0, 0], grid[0, 1]] + ([grid[1, :]] if len(panels) == 3 else
                                            [grid[1, 0], grid[1, 1]] if len(panels) == 4 else [])
        for (label, draw), cell in zip(panels, cells):
            draw(fig.add_subplot(cell, label=label))
        legend = fig.legend(handles=muscle_handles(), loc="outside lower center", ncol=len(MUSCLES), frameon=False)
        dist = np.nansum(column(ok_runs, "distance_m")) / 1000 if "distance_m" in ok_runs else float("nan")
        starts = pd.to_datetime(ok_runs["start_time"], utc=True, errors="coerce") if "start_time" in ok_runs \
            else pd.Series(dtype="datetime64[ns, UTC]")
        starts = starts.dt.tz_convert(_zone(tz)) if len(starts) else starts
        span = (f"{starts.min():%Y-%m-%d} to {starts.max():%Y-%m-%d}" if starts.notna().any() else "dates unknown")
        text = (f"Season: {len(ok_runs)} run{'s' if len(ok_runs) != 1 else ''}  ·  {dist:.1f} km  ·  {span}"
                + (f"  ·  {n_err} file(s) failed" if n_err else "")
                + ("\n" + "; ".join(left_out) if left_out else ""))
        head = fig.suptitle(text, fontsize=11, x=0.01, ha="left")
        if not fixed_layout(fig, head, legend):
            freeze_layout(fig)
        for ax in fig.axes:  # the widths depend on the panels' final size
            if ax.get_label() in ("weekly_load", "strike_mix"):
                widen_thin_bars(ax)
        if path is not None:
            save_figure(fig, path, dpi=dpi)
        return fig
