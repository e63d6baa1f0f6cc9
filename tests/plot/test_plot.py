"""Figures: the plotted data equal the analysis's numbers, units on axes, files per format,
reproducible bytes, one colour per muscle everywhere, and one image comparison."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex, to_rgba
from matplotlib.text import Text
from matplotlib.testing.compare import compare_images

import gaitload
from gaitload.analysis import Analysis
from gaitload.errors import GaitloadError, OptionError
from gaitload.plot import (MUSCLE_COLORS, STRIKE_COLORS, plot_run, plot_season, save_figure, smoothed_shares,
                           window_sums)
from gaitload.plot.run import run_title as _run_title
from gaitload.plot.style import STYLE as _STYLE
from gaitload.plot.style import tick_labels
from gaitload.schema import MUSCLES, conform_steps
from gaitload.season import season_tables

BASELINE = Path(__file__).parent / "baseline_images"
#: Flat shares used by the synthetic runs (fractions, sum 1).
FLAT_SHARE = np.array([0.22, 0.24, 0.12, 0.26, 0.09, 0.07])
#: Per-muscle change of load per % grade, uphill and downhill (synthetic, directions of the article).
UP_SLOPE = np.array([0.040, 0.030, -0.010, 0.035, 0.030, 0.010])
DOWN_SLOPE = np.array([0.020, 0.060, 0.000, -0.010, 0.000, 0.010])


def synthetic_analysis(distance_m: float = 6000.0, seed: int = 7, start="2026-03-14T07:02:00+00:00",
                       strike: bool = True, rules: str = "source") -> Analysis:
    """A run over two hills with known per-step loads; numbers computed here, not by gaitload."""
    rng = np.random.default_rng(seed)
    step_len = 1.25
    dist = np.arange(0.0, distance_m, step_len)
    n = dist.size
    alt = 120 + 35 * np.sin(2 * np.pi * dist / 3000.0) + 8 * np.sin(2 * np.pi * dist / 700.0)
    grade = np.gradient(alt, dist) * 100
    terrain = np.where(grade > 2, "uphill", np.where(grade < -2, "downhill", "flat")).astype(object)
    speed = np.where(grade > 0, 3.3 - 0.08 * grade, 3.3 - 0.03 * grade) + rng.normal(0, 0.05, n)
    time = np.concatenate([[0.0], np.cumsum(step_len / speed[:-1])])
    cadence = 172 + 0.6 * grade + rng.normal(0, 2.0, n)
    if strike:
        p_fore = np.clip(0.1 + 0.04 * grade, 0.02, 0.8)
        u = rng.random(n)
        pattern = np.where(u < p_fore, "forefoot", np.where(u < p_fore + 0.25, "midfoot", "rearfoot")).astype(object)
    else:
        pattern = np.full(n, "unknown", dtype=object)
    g = grade[:, None]
    mult = 1 + np.where(g > 0, UP_SLOPE * g, DOWN_SLOPE * -g)
    loads = FLAT_SHARE * mult
    steps = pd.DataFrame({
        "time_s": time, "toe_off_s": time + 0.23, "foot": np.where(np.arange(n) % 2, "right", "left"),
        "step_time_s": np.gradient(time), "contact_time_ms": 230 + rng.normal(0, 8, n),
        "cadence_spm": cadence, "speed_mps": speed, "distance_m": dist, "altitude_m": alt,
        "grade_pct": grade, "terrain": terrain, "strike_angle_deg": np.nan, "strike_pattern": pattern,
        "load_total": loads.sum(axis=1), **{f"load_{m}": loads[:, i] for i, m in enumerate(MUSCLES)},
    })
    steps = conform_steps(steps)
    # segments from runs of equal terrain
    change = np.flatnonzero(terrain[1:] != terrain[:-1]) + 1
    i0, i1 = np.r_[0, change], np.r_[change, n]
    segments = pd.DataFrame({
        "start_s": time[i0], "end_s": time[i1 - 1], "start_m": dist[i0], "end_m": dist[i1 - 1] + step_len,
        "length_m": dist[i1 - 1] + step_len - dist[i0], "terrain": terrain[i0],
        "mean_grade_pct": [grade[a:b].mean() for a, b in zip(i0, i1)],
        "gain_m": np.nan, "loss_m": np.nan,
    })
    grid = np.arange(0.0, distance_m, 10.0)
    palt = np.interp(grid, dist, alt)
    pgrade = np.interp(grid, dist, grade)
    profile = pd.DataFrame({"distance_m": grid, "time_s": np.interp(grid, dist, time), "altitude_m": palt,
                            "grade_pct": pgrade,
                            "terrain": np.where(pgrade > 2, "uphill", np.where(pgrade < -2, "downhill", "flat"))})
    sums = loads.sum(axis=0)
    share = sums / sums.sum()
    summary = {
        "start_time": start, "distance_m": float(distance_m), "duration_s": float(time[-1]),
        "n_steps": int(n), "rules": rules, "cadence_spm": float(np.median(cadence)),
        "elevation_gain_m": float(np.clip(np.diff(alt), 0, None).sum()),
        "elevation_loss_m": float(-np.clip(np.diff(alt), None, 0).sum()),
        "muscle_load": {m: float(sums[i]) for i, m in enumerate(MUSCLES)},
        "muscle_share": {m: float(share[i]) for i, m in enumerate(MUSCLES)},
        "emphasis_vs_flat": {m: float(100 * (share[i] - FLAT_SHARE[i])) for i, m in enumerate(MUSCLES)},
        "strike_pattern_fraction": {p: float(np.mean(pattern == p)) for p in ("rearfoot", "midfoot", "forefoot", "unknown")},
        "terrain_fraction": {c: float(np.mean(terrain == c)) for c in ("uphill", "flat", "downhill", "unknown")},
        "load_by_terrain": {c: {m: float(loads[terrain == c, i].sum()) for i, m in enumerate(MUSCLES)}
                            for c in ("uphill", "flat", "downhill")},
    }
    return Analysis(steps=steps, segments=segments, summary=summary, profile=profile)


def synthetic_season(n_runs: int = 14, seed: int = 3, days_between: int = 3):
    """Runs table and season tables (built by gaitload.season.season_tables) of synthetic runs."""
    from gaitload.season import _row_from_summary

    rows = []
    start = pd.Timestamp("2026-01-05T07:00:00+00:00")
    for k in range(n_runs):
        a = synthetic_analysis(distance_m=3000 + 500 * (k % 4), seed=seed + k,
                               start=(start + pd.Timedelta(days=days_between * k)).isoformat())
        row = {"file": f"run{k}.csv", "run_id": f"run{k}-abc", "status": "ok", **_row_from_summary(a.summary)}
        rows.append(row)
    rows.append({"file": "broken.fit", "run_id": "broken-000", "status": "error", "error_type": "CorruptFileError",
                 "message": "broken.fit: bad CRC"})
    runs = pd.DataFrame(rows)
    runs["start_time"] = pd.to_datetime(runs["start_time"], utc=True, errors="coerce")
    return runs, season_tables(runs)


@pytest.fixture(scope="module")
def run_analysis() -> Analysis:
    return synthetic_analysis()


@pytest.fixture(scope="module")
def run_figure(run_analysis):
    return plot_run(run_analysis)


def _axes(fig, label):
    found = [ax for ax in fig.axes if ax.get_label() == label]
    assert len(found) == 1, f"no single axes labelled {label!r}: {[a.get_label() for a in fig.axes]}"
    return found[0]


def _bar_widths(ax, gid):
    """Signed widths and face colours (hex) of the horizontal bars drawn as the collection ``gid``
    (each bar a rectangle from 0 to its width, top to bottom in the order drawn)."""
    found = [c for c in ax.collections if c.get_gid() == gid]
    assert len(found) == 1, f"no single bar collection {gid!r} in {ax.get_label()}"
    x = [p.vertices[:, 0] for p in found[0].get_paths()]
    widths = np.array([v.min() + v.max() for v in x])  # one end is 0
    assert all(min(abs(v.min()), abs(v.max())) == 0 for v in x)
    return widths, [to_hex(c) for c in found[0].get_facecolor()]


def _container(ax, label):
    found = [c for c in ax.containers if c.get_label() == label]
    assert found, f"no bar container {label!r} in {ax.get_label()}"
    return found[0]


# -- numeric helpers ---------------------------------------------------------------------------
def test_window_sums_match_brute_force():
    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(0, 1000, 400))
    values = rng.normal(size=(400, 3))
    grid = np.linspace(-50, 1050, 37)
    got = window_sums(x, values, grid, 120.0)
    want = np.array([values[np.abs(x - g) <= 60.0].sum(axis=0) for g in grid])
    np.testing.assert_allclose(got, want, atol=1e-12)


def test_smoothed_shares_are_ratios_of_window_sums():
    rng = np.random.default_rng(1)
    x = np.sort(rng.uniform(0, 3000, 2000))
    loads = rng.uniform(0.1, 1.0, size=(2000, len(MUSCLES)))
    grid, shares = smoothed_shares(x, loads, 200.0)
    assert grid[0] == x.min() and grid[-1] == x.max()
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    for k in (0, len(grid) // 2, len(grid) - 1):
        inside = np.abs(x - grid[k]) <= 100.0
        np.testing.assert_allclose(shares[k], loads[inside].sum(axis=0) / loads[inside].sum())


# -- per-run figure: data and labels --------------------------------------------------------------
def test_run_axes_carry_units(run_figure):
    """Units in the panel titles (one text per panel instead of a title and an axis label)."""
    assert _axes(run_figure, "elevation").get_title(loc="left").startswith("Altitude (m)")
    assert _axes(run_figure, "shares").get_title(loc="left").startswith("Share of load per muscle (%)")
    assert _axes(run_figure, "cadence").get_title(loc="left").startswith("Cadence (steps/min)")
    assert _axes(run_figure, "cadence").get_xlabel() == "distance (km)"
    assert _axes(run_figure, "share_vs_flat").get_title(loc="left").startswith("Share of load (%)")
    assert "(points)" in _axes(run_figure, "emphasis").get_xlabel()
    # percentages where the axis says %: the stack runs 0-100 and is labelled so
    assert tick_labels(_axes(run_figure, "shares"), "y") == ["0%", "50%", "100%"]
    assert _axes(run_figure, "shares").get_ylim() == (0, 100)
    # the key of the muscle colours, in order
    key = [t.get_text() for t in run_figure.texts if t.get_gid() == "key"]
    assert key == ["glutes", "quads", "hamstrings", "calves", "hip flexors", "core"]
    title = run_figure.get_suptitle()
    for part in ("2026-03-14", "6.00 km", "32:1", "rules: source"):
        assert part in title


def test_profile_line_is_the_profile(run_figure, run_analysis):
    ax = _axes(run_figure, "elevation")
    line = [ln for ln in ax.get_lines() if ln.get_gid() == "altitude"][0]
    np.testing.assert_array_equal(line.get_ydata(), run_analysis.profile["altitude_m"].to_numpy())
    np.testing.assert_allclose(line.get_xdata(), run_analysis.profile["distance_m"].to_numpy() / 1000)
    # shading: the uphill spans are exactly the uphill segments (km)
    seg = run_analysis.segments
    up = seg[seg["terrain"] == "uphill"]
    spans = [c for c in ax.collections if len(c.get_paths()) == len(up)]
    assert spans, "no collection with one span per uphill segment"
    starts = sorted(p.vertices[:, 0].min() for p in spans[0].get_paths())
    np.testing.assert_allclose(starts, np.sort(up["start_m"].to_numpy()) / 1000)


def test_emphasis_bars_equal_summary(run_figure, run_analysis):
    ax = _axes(run_figure, "emphasis")
    widths, colors = _bar_widths(ax, "emphasis")
    want = [run_analysis.summary["emphasis_vs_flat"][m] for m in MUSCLES]
    np.testing.assert_allclose(widths, want)
    # glutes, quads, hamstrings, calves first, top to bottom
    labels = tick_labels(ax, "y")
    assert labels[:4] == ["glutes", "quads", "hamstrings", "calves"]
    assert ax.yaxis_inverted()
    # each bar labelled with its value (points) and the load ratio
    values = [t.get_text() for t in ax.texts if t.get_gid() is None and "·" not in t.get_text()]
    labelled = sorted(float(t.get_text().replace("\N{MINUS SIGN}", "-")) for t in ax.texts
                      if t.get_gid() is None and t.get_text()[:1] in "+-")
    np.testing.assert_allclose(labelled, np.sort(np.round(want, 1)))
    del values
    assert colors == [MUSCLE_COLORS[m].lower() for m in MUSCLES]


def test_share_bars_equal_run_and_level_ground_shares(run_figure, run_analysis):
    ax = _axes(run_figure, "share_vs_flat")
    run, _ = _bar_widths(ax, "share_this_run")
    level, _ = _bar_widths(ax, "share_level_ground")
    share = np.array([run_analysis.summary["muscle_share"][m] for m in MUSCLES])
    np.testing.assert_allclose(run, 100 * share)
    # the level-ground bar is the share minus the emphasis: the synthetic run's own flat shares
    np.testing.assert_allclose(level, 100 * FLAT_SHARE, atol=1e-9)
    # and the key says which bar is which
    assert [t.get_text() for t in ax.texts if t.get_gid() == "bar_key"] == ["this run", "same steps on level ground"]


def test_share_stack_follows_terrain(run_figure, run_analysis):
    """Where the course climbs the quads' smoothed share must sit above level-ground share."""
    ax = _axes(run_figure, "shares")
    stack = [c for c in ax.collections if c.get_gid() == "share_stack"]
    assert len(stack) == 1
    # one layer per muscle, bottom to top in muscle order, each in its colour (no gap in this run)
    assert [to_hex(c) for c in stack[0].get_facecolor()] == [MUSCLE_COLORS[m].lower() for m in MUSCLES]
    layers = stack[0].get_paths()
    steps = run_analysis.steps
    loads = steps[[f"load_{m}" for m in MUSCLES]].to_numpy()
    grid, shares = smoothed_shares(steps["distance_m"].to_numpy(), loads, 200.0)
    grade = np.interp(grid, steps["distance_m"], steps["grade_pct"])
    quads = shares[:, MUSCLES.index("quads")]
    assert quads[np.abs(grade) > 4].mean() > FLAT_SHARE[1] + 0.01
    assert np.isclose(quads[np.abs(grade) < 0.3].mean(), FLAT_SHARE[1], atol=0.01)
    # each layer's top is the cumulated smoothed share up to it; the last muscle's is 100 %
    x_km = grid / 1000
    for j, layer in enumerate(layers):
        upper = layer.vertices[: x_km.size]
        np.testing.assert_allclose(upper[:, 0], x_km)
        np.testing.assert_allclose(upper[:, 1], 100 * shares[:, : j + 1].sum(axis=1))
    assert np.allclose(layers[-1].vertices[: x_km.size, 1], 100.0)


def test_strike_ticks_are_the_steps(run_figure, run_analysis):
    ax = _axes(run_figure, "strike")
    steps = run_analysis.steps
    for name in ("rearfoot", "midfoot", "forefoot"):
        ticks = [c for c in ax.get_children() if c.get_gid() == f"strike_{name}"][0]
        verts = ticks.get_path().vertices
        xs = verts[::2, 0]  # bottom and top of each tick
        np.testing.assert_array_equal(verts[1::2, 0], xs)
        # every tick is a contact, and every contact lies within half a pixel of a tick (contacts
        # closer than that are drawn once)
        contacts = np.sort(steps.loc[steps["strike_pattern"] == name, "distance_m"].to_numpy() / 1000)
        nearest = np.clip(np.searchsorted(contacts, xs), 1, contacts.size - 1)
        assert np.minimum(np.abs(contacts[nearest] - xs), np.abs(contacts[nearest - 1] - xs)).max() < 1e-12
        # half a pixel of the panel (its width in pixels at the figure's dpi) over this pattern's span
        width_px = ax.get_position().width * run_figure.get_figwidth() * run_figure.dpi
        half_pixel = (contacts[-1] - contacts[0]) / (2 * width_px)
        i = np.clip(np.searchsorted(xs, contacts), 1, xs.size - 1)
        gap = np.minimum(np.abs(xs[i] - contacts), np.abs(xs[i - 1] - contacts))
        assert gap.max() <= half_pixel * 1.0001
        assert to_hex(ticks.get_edgecolor()) == STRIKE_COLORS[name].lower()


def test_cadence_trace_is_a_moving_mean(run_figure, run_analysis):
    line = [ln for ln in _axes(run_figure, "cadence").get_lines() if ln.get_gid() == "cadence"][0]
    x_km, y = line.get_xdata(), line.get_ydata()
    steps = run_analysis.steps
    k = len(x_km) // 3
    inside = np.abs(steps["distance_m"].to_numpy() - x_km[k] * 1000) <= 100.0
    assert np.isclose(y[k], steps.loc[inside, "cadence_spm"].mean())


def test_cadence_dots_are_steps_within_half_a_pixel_of_every_step(run_figure, run_analysis):
    """The per-step dots are thinned for drawing only: each dot drawn is a step's own (distance,
    cadence), and every step lies within half a pixel of a drawn dot along both axes."""
    ax = _axes(run_figure, "cadence")
    dots = [ln for ln in ax.get_lines() if ln.get_gid() == "cadence_steps"][0]
    xd, yd = np.asarray(dots.get_xdata(), float), np.asarray(dots.get_ydata(), float)
    steps = run_analysis.steps
    xs, ys = steps["distance_m"].to_numpy() * 1e-3, steps["cadence_spm"].to_numpy()  # km, as drawn
    pairs = set(zip(xs.tolist(), ys.tolist()))
    assert all(p in pairs for p in zip(xd.tolist(), yd.tolist()))
    assert 0 < xd.size < xs.size  # thinned: the synthetic run has steps closer than a pixel
    dpi = run_figure.dpi
    (x0, y0), (x1, y1) = ax.get_position().get_points() * run_figure.get_size_inches()
    lo, hi = ax.get_ylim()
    half_x = (xs.max() - xs.min()) / (2 * (x1 - x0) * dpi)
    half_y = (hi - lo) / (2 * (y1 - y0) * dpi)
    order = np.argsort(xd)
    for x, y in zip(xs, ys):  # ~4800 steps: a plain loop is fine in a test
        near = order[np.searchsorted(xd[order], x - half_x):np.searchsorted(xd[order], x + half_x, side="right")]
        assert near.size and (np.abs(yd[near] - y) <= half_y * 1.0001).any()


def test_unknown_strike_and_cadence_are_said_not_drawn():
    a = synthetic_analysis(distance_m=2000, strike=False)
    a.steps["cadence_spm"] = np.nan
    fig = plot_run(a)
    cadence = _axes(fig, "cadence")
    # no strike known: no strike panel, its title and why in its place
    assert "strike" not in [ax.get_label() for ax in fig.axes]
    said = {t.get_gid(): t.get_text() for t in fig.texts}
    assert said["strike_title"].startswith("Strike pattern")
    assert "strike pattern unknown" in said["strike_note"]
    assert not [ln for ln in cadence.get_lines() if not str(ln.get_gid()).endswith("ticks")]
    assert any("cadence unknown" in t.get_text() for t in cadence.texts)


def test_time_axis_when_distance_is_unknown():
    a = synthetic_analysis(distance_m=2000)
    a.steps["distance_m"] = np.nan
    a.profile = pd.DataFrame()
    fig = plot_run(a)
    ax = _axes(fig, "cadence")
    assert ax.get_xlabel() == "time (min)"
    line = [ln for ln in ax.get_lines() if ln.get_gid() == "cadence"][0]
    assert np.isclose(line.get_xdata().max(), a.steps["time_s"].max() / 60)


def test_empty_run_still_draws_and_says_why():
    a = synthetic_analysis(distance_m=500)
    a = Analysis(steps=a.steps.iloc[:0], segments=a.segments.iloc[:0], summary={"rules": "source"},
                 profile=pd.DataFrame())
    fig = plot_run(a)
    assert any("no foot contacts" in t.get_text() for t in _axes(fig, "shares").texts)


def test_bad_arguments_raise_typed_errors(tmp_path, run_analysis):
    with pytest.raises(OptionError, match="steps table"):
        plot_run(object())
    with pytest.raises(OptionError, match="smooth_m"):
        plot_run(run_analysis, smooth_m=0)
    with pytest.raises(OptionError, match=r"\.jpeg"):
        plot_run(run_analysis, tmp_path / "fig.jpeg")
    assert not list(tmp_path.iterdir())
    runs, tables = synthetic_season(n_runs=2)
    with pytest.raises(OptionError, match="status"):
        plot_season(runs.drop(columns="status"), tables)
    with pytest.raises(GaitloadError, match="acwr"):
        plot_season(runs, {k: v for k, v in tables.items() if k != "acwr"})


# -- files and reproducibility ------------------------------------------------------------------
@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".svg", b"<?xml"), (".pdf", b"%PDF")])
def test_files_by_extension_and_identical_bytes(tmp_path, suffix, magic):
    a = synthetic_analysis(distance_m=800)
    first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix.upper()}"
    plot_run(a, first, dpi=40)
    plot_run(a, second, dpi=40)
    data = first.read_bytes()
    assert data.startswith(magic)
    assert hashlib.sha256(data).digest() == hashlib.sha256(second.read_bytes()).digest()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_png_uses_the_fast_zlib_level(tmp_path):
    """PNGs are written at zlib level 3 (plot.raster.PNG_COMPRESS_LEVEL): the level class in the
    zlib header of the image data (RFC 1950 FLEVEL) is 1, "fast"; Pillow's default 6 would be 2."""
    import struct

    plot_run(synthetic_analysis(distance_m=800), tmp_path / "a.png", dpi=40)
    data = (tmp_path / "a.png").read_bytes()
    pos = 8
    while True:  # walk the chunks to the first image-data chunk
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            break
        pos += 12 + length
    cmf, flg = data[pos + 8], data[pos + 9]
    assert cmf & 0x0F == 8  # deflate
    assert flg >> 6 == 1


def test_png_holds_exactly_the_drawn_pixels(tmp_path):
    """gaitload writes its PNGs itself (plot.raster.write_png): decoded by Pillow, the file is the
    canvas' pixels, RGB when every pixel is opaque, RGBA (alpha kept) otherwise, at the figure's
    resolution."""
    from PIL import Image

    from gaitload.plot.raster import write_png

    fig = plot_run(synthetic_analysis(distance_m=800), tmp_path / "a.png", dpi=40)
    drawn = np.asarray(fig.canvas.buffer_rgba())
    with Image.open(tmp_path / "a.png") as im:
        assert im.mode == "RGB" and im.info["dpi"] == pytest.approx((40, 40), abs=0.01)
        np.testing.assert_array_equal(np.asarray(im), drawn[..., :3])
    see_through = drawn.copy()
    see_through[:10, :10, 3] = 7
    with open(tmp_path / "b.png", "wb") as fh:
        write_png(see_through, fh, 40)
    with Image.open(tmp_path / "b.png") as im:
        assert im.mode == "RGBA"
        np.testing.assert_array_equal(np.asarray(im), see_through)


def test_season_png_and_svg_are_reproducible(tmp_path):
    runs, tables = synthetic_season(n_runs=3)
    for suffix in (".png", ".svg"):
        fig = plot_season(runs, tables, tmp_path / f"a{suffix}", dpi=40)
        save_figure(fig, tmp_path / f"b{suffix}", dpi=40)  # the same figure saved again: same bytes
        assert (tmp_path / f"a{suffix}").read_bytes() == (tmp_path / f"b{suffix}").read_bytes()


def test_analysis_plot_and_to_dir_write_the_figure(tmp_path):
    a = synthetic_analysis(distance_m=600)
    fig = a.plot(tmp_path / "x.svg")
    assert (tmp_path / "x.svg").read_bytes().startswith(b"<?xml") and fig.axes
    written = a.to_dir(tmp_path / "out")
    assert written["figure"].read_bytes().startswith(b"\x89PNG")


# -- season figure ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def season_data():
    return synthetic_season()


def test_weekly_bars_equal_weekly_table(season_data):
    runs, tables = season_data
    fig = plot_season(runs, tables)
    ax = _axes(fig, "weekly_load")
    weekly = tables["weekly_load"]
    bottom = np.zeros(len(weekly))
    for m in MUSCLES:
        bars = _container(ax, f"weekly_{m}")
        np.testing.assert_allclose([p.get_height() for p in bars.patches], weekly[f"load_{m}"])
        np.testing.assert_allclose([p.get_y() for p in bars.patches], bottom)
        bottom += weekly[f"load_{m}"].to_numpy()
        assert {to_hex(p.get_facecolor()) for p in bars.patches} == {MUSCLE_COLORS[m].lower()}
    assert "flat-step equivalents" in ax.get_title(loc="left")


def test_week_ticks_fall_on_the_bars_mondays(season_data):
    """Over a few months each tick names the Monday a bar starts on (an automatic date locator
    put ticks on days inside other weeks: '29', 'Feb', '05' under bars starting 26 Jan, 2 Feb)."""
    import matplotlib.dates as mdates

    runs, tables = season_data
    fig = plot_season(runs, tables)
    ax = _axes(fig, "weekly_load")
    fig.canvas.draw()
    starts = {p.get_x() for p in _container(ax, f"weekly_{MUSCLES[0]}").patches}
    lo, hi = ax.get_xlim()
    ticks = [t for t in ax.get_xticks() if lo <= t <= hi]
    assert ticks and all(mdates.num2date(t).weekday() == 0 for t in ticks)
    span_weeks = round((max(starts) - min(starts)) / 7) + 1
    assert span_weeks > 7 or starts <= set(ticks)  # a few weeks: every bar has its tick
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert all(label.split()[0].isdigit() and len(label.split()) == 2 for label in labels)


def test_climb_descent_bars_equal_table(season_data):
    runs, tables = season_data
    ax = _axes(plot_season(runs, tables), "climb_descent")
    cd = tables["climb_descent"].set_index("muscle").loc[list(MUSCLES)]
    np.testing.assert_allclose([p.get_height() for p in _container(ax, "climb").patches], cd["climb_load"])
    np.testing.assert_allclose([p.get_height() for p in _container(ax, "descent").patches], cd["descent_load"])
    # season sums of the synthetic runs' own uphill loads
    ok = runs[runs["status"] == "ok"]
    assert np.isclose(cd.loc["quads", "climb_load"], ok["climb_load_quads"].sum())


def test_acwr_lines_and_band(season_data):
    runs, tables = season_data
    ax = _axes(plot_season(runs, tables), "acwr")
    band = [p for p in ax.patches if p.get_gid() == "acwr_band"][0]
    ys = band.get_path().transformed(band.get_patch_transform()).vertices[:, 1]
    assert np.isclose(ys.min(), 0.8) and np.isclose(ys.max(), 1.3)
    for m in MUSCLES:
        line = [ln for ln in ax.get_lines() if ln.get_gid() == f"acwr_{m}"][0]
        np.testing.assert_array_equal(line.get_ydata(), tables["acwr"][f"acwr_{m}"].to_numpy())
        assert to_rgba(line.get_color()) == to_rgba(MUSCLE_COLORS[m])


def test_short_season_leaves_acwr_out_and_says_why():
    runs, tables = synthetic_season(n_runs=3, days_between=2)
    fig = plot_season(runs, tables)
    assert [ax.get_label() for ax in fig.axes] == ["weekly_load", "climb_descent", "strike_mix"]
    assert "acute:chronic ratio needs 28 days of history (this season spans 5 days)" in fig.get_suptitle()
    # the third panel takes the whole bottom row
    strike = _axes(fig, "strike_mix").get_position()
    assert strike.width > 1.8 * _axes(fig, "weekly_load").get_position().width


def test_watch_only_season_has_no_strike_panel_and_local_dates():
    runs, _ = synthetic_season(n_runs=14)
    for pattern in ("rearfoot", "midfoot", "forefoot"):
        runs[f"strike_{pattern}"] = 0.0
    runs["strike_unknown"] = 1.0
    tables = season_tables(runs, tz="America/Los_Angeles")
    fig = plot_season(runs, tables, tz="America/Los_Angeles")
    assert [ax.get_label() for ax in fig.axes] == ["weekly_load", "climb_descent", "acwr"]
    assert "no strike pattern measured" in fig.get_suptitle()
    # 07:00 UTC is the evening before in Los Angeles: the season starts on 4 January there
    assert "2026-01-04 to" in fig.get_suptitle()
    assert _axes(fig, "acwr").get_xlabel() == "date (America/Los_Angeles)"
    assert pd.Timestamp(tables["acwr"]["date"].iloc[0]) == pd.Timestamp("2026-01-04")
    two = plot_season(runs, {**tables, "acwr": tables["acwr"].iloc[:10]}, tz="UTC")
    assert [ax.get_label() for ax in two.axes] == ["weekly_load", "climb_descent"]
    assert two.get_size_inches()[1] < 6


def test_strike_mix_is_the_weekly_contacts_of_each_pattern(season_data):
    """The strike panel draws tables["strike_mix"]; that table counts each run's measured
    contacts of each pattern (fraction x measured steps) into its Monday-to-Sunday week."""
    runs, tables = season_data
    mix = tables["strike_mix"]
    ok = runs[runs["status"] == "ok"]
    # ground truth from the synthetic runs' own steps (synthetic_analysis draws the patterns)
    want = {}
    for k, row in enumerate(ok.itertuples()):
        a = synthetic_analysis(distance_m=3000 + 500 * (k % 4), seed=3 + k, start=row.start_time.isoformat())
        week = (row.start_time.tz_convert(None).normalize() - pd.Timedelta(days=row.start_time.day_of_week))
        counts = a.steps["strike_pattern"].value_counts()
        got = want.setdefault(week, np.zeros(3))
        got += [counts.get(p, 0) for p in ("rearfoot", "midfoot", "forefoot")]
    assert len(mix) == len(want)
    for row in mix.itertuples():
        np.testing.assert_allclose([row.rearfoot, row.midfoot, row.forefoot], want[pd.Timestamp(row.week_start)])
        assert row.contacts == sum(want[pd.Timestamp(row.week_start)])
        assert np.isclose(row.rearfoot_pct + row.midfoot_pct + row.forefoot_pct, 100.0)
    fig = plot_season(runs, tables, tz="UTC")
    ax = _axes(fig, "strike_mix")
    assert "%" in ax.get_title(loc="left") and f"{len(ok)} runs" in ax.get_xlabel()
    for name in ("rearfoot", "midfoot", "forefoot"):
        heights = [p.get_height() for p in _container(ax, f"strike_{name}").patches]
        np.testing.assert_allclose(heights, mix[f"{name}_pct"])
    # percentages on the axis that says %
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert labels and all(t.endswith("%") for t in labels) and ax.get_ylim()[0] == 0


def test_strike_mix_without_a_foot_sensor_is_empty():
    runs, _ = synthetic_season(n_runs=4)
    for pattern in ("rearfoot", "midfoot", "forefoot"):
        runs[f"strike_{pattern}"] = 0.0
    assert season_tables(runs)["strike_mix"].empty
    # a runs table written before n_steps_measured existed falls back to n_steps
    runs, _ = synthetic_season(n_runs=4)
    older = season_tables(runs.drop(columns="n_steps_measured", errors="ignore"))["strike_mix"]
    assert older["contacts"].sum() == pytest.approx(runs.loc[runs["status"] == "ok", "n_steps"].sum(), abs=4)


def test_colours_are_the_same_in_run_and_season_figures(run_figure, season_data):
    runs, tables = season_data
    season_fig = plot_season(runs, tables)
    run_colors = _bar_widths(_axes(run_figure, "emphasis"), "emphasis")[1]
    season_colors = [to_hex(_container(_axes(season_fig, "weekly_load"), f"weekly_{m}").patches[0].get_facecolor())
                     for m in MUSCLES]
    climb_colors = [to_hex(p.get_facecolor()) for p in _container(_axes(season_fig, "climb_descent"), "climb").patches]
    assert run_colors == season_colors == climb_colors == [MUSCLE_COLORS[m].lower() for m in MUSCLES]
    legend_colors = [to_hex(h.get_facecolor()) for h in season_fig.legends[0].legend_handles]
    assert legend_colors == run_colors


# -- image comparison ---------------------------------------------------------------------------
def test_run_figure_matches_baseline(tmp_path):
    """Rendering of a fixed synthetic run against tests/plot/baseline_images (tolerance 8 RMS).

    Regenerate after an intended change with GAITLOAD_REGEN_BASELINE=1 and look at the image.
    """
    a = synthetic_analysis(distance_m=3000, seed=11)
    baseline = BASELINE / "run_synthetic.png"
    if os.environ.get("GAITLOAD_REGEN_BASELINE"):
        plot_run(a, baseline, title="synthetic run (baseline)", dpi=60)
    actual = tmp_path / "run_synthetic.png"
    plot_run(a, actual, title="synthetic run (baseline)", dpi=60)
    assert baseline.is_file(), "baseline image missing: run with GAITLOAD_REGEN_BASELINE=1"
    result = compare_images(str(baseline), str(actual), tol=8)
    assert result is None, result


# -- real analyses (need the other stages and real or sample recordings) -----------------------
def _check_real_figure(analysis, tmp_path):
    fig = plot_run(analysis, tmp_path / "run.png", dpi=50)
    assert (tmp_path / "run.png").read_bytes().startswith(b"\x89PNG")
    emphasis = analysis.summary["emphasis_vs_flat"]
    ax = _axes(fig, "emphasis")
    if any(v is not None and np.isfinite(v) for v in emphasis.values()):
        np.testing.assert_allclose(_bar_widths(ax, "emphasis")[0],
                                   [np.nan_to_num(float(emphasis[m])) if emphasis[m] is not None else 0.0
                                    for m in MUSCLES])
    alt = [ln for ln in _axes(fig, "elevation").get_lines() if ln.get_gid() == "altitude"]
    prof = analysis.profile
    if len(prof) and "altitude_m" in prof and np.isfinite(prof["altitude_m"]).any() and alt:
        np.testing.assert_array_equal(alt[0].get_ydata(), prof["altitude_m"].to_numpy(dtype=float))
    return fig


@pytest.mark.shared_data
def test_real_ankle_run_without_altitude(shared_data, tmp_path):
    import gaitload

    analysis = gaitload.analyze(shared_data / "adeptdata-outdoor-run" / "data" / "acc_running.csv.gz")
    fig = _check_real_figure(analysis, tmp_path)
    if not np.isfinite(analysis.steps["distance_m"]).any():
        assert _axes(fig, "cadence").get_xlabel() == "time (min)"


@pytest.mark.shared_data
def test_real_watch_run(shared_data, tmp_path):
    import gaitload

    analysis = gaitload.analyze(shared_data / "heartandsole-tests" / "tests" / "testdata.fit")
    fig = _check_real_figure(analysis, tmp_path)
    assert _axes(fig, "cadence").get_xlabel() == "distance (km)"


@pytest.mark.parametrize("name", ["hilly_foot_imu.csv", "lumbar_run.csv", "watch_records.csv"])
def test_sample_runs_figures(sample_data, tmp_path, name):
    """The bundled sample runs analysed by gaitload: every panel shows that run's own numbers."""
    import gaitload

    if not (sample_data / name).is_file():
        pytest.skip(f"sample_data/{name} not present")
    analysis = gaitload.analyze(sample_data / name)
    fig = _check_real_figure(analysis, tmp_path)
    steps = analysis.steps
    distance_known = np.isfinite(steps["distance_m"]).sum() >= 2
    assert _axes(fig, "cadence").get_xlabel() == ("distance (km)" if distance_known else "time (min)")
    x_col = "distance_m" if distance_known else "time_s"
    scale = 1e-3 if distance_known else 1 / 60
    panels = {ax.get_label(): ax for ax in fig.axes}
    # a strike panel exactly when some contact has a known pattern
    assert ("strike" in panels) == steps["strike_pattern"].isin(["rearfoot", "midfoot", "forefoot"]).any()
    strike = panels.get("strike")
    for pattern in ("rearfoot", "midfoot", "forefoot") if strike is not None else ():
        ticks = [c for c in strike.get_children() if c.get_gid() == f"strike_{pattern}"]
        contacts = np.sort(steps.loc[steps["strike_pattern"] == pattern, x_col].to_numpy() * scale)
        if not contacts.size:
            assert not ticks
            continue
        drawn = ticks[0].get_path().vertices[::2, 0]
        # every tick is a contact, and every contact lies within a pixel of a tick
        assert np.isin(drawn, contacts).all()
        # half a pixel of the strike panel at dpi 50, over this pattern's span
        pixel = (contacts[-1] - contacts[0]) / (2 * strike.get_position().width * fig.get_figwidth() * 50)
        gap = np.abs(drawn[np.clip(np.searchsorted(drawn, contacts), 0, drawn.size - 1)] - contacts)
        gap = np.minimum(gap, np.abs(drawn[np.clip(np.searchsorted(drawn, contacts) - 1, 0, drawn.size - 1)] - contacts))
        assert gap.max() <= pixel * 1.0001
    share, _ = _bar_widths(_axes(fig, "share_vs_flat"), "share_this_run")
    np.testing.assert_allclose(share, [100 * analysis.summary["muscle_share"][m] for m in MUSCLES])


def test_unknown_grade_is_said_in_the_emphasis_panel():
    a = synthetic_analysis(distance_m=800)
    assert not any("grade unknown" in t.get_text() for t in _axes(plot_run(a), "emphasis").texts)
    a.steps["grade_pct"] = np.nan
    assert any("grade unknown" in t.get_text() for t in _axes(plot_run(a), "emphasis").texts)


# -- layout: nothing overlaps, nothing is cut off ----------------------------------------------
def _drawn_texts(fig, dpi: float, monkeypatch):
    """Draw ``fig`` at ``dpi`` (as a save would) and return the renderer and every text drawn."""
    drawn = []
    draw = Text.draw

    def record(self, renderer):
        if self.get_visible() and self.get_text():
            drawn.append(self)
        return draw(self, renderer)

    monkeypatch.setattr(Text, "draw", record)
    fig.set_dpi(dpi)
    renderer = fig.canvas.get_renderer()
    with matplotlib.rc_context(_STYLE):
        fig.draw(renderer)
    monkeypatch.undo()
    return renderer, drawn


def _layout_faults(fig, dpi: float, monkeypatch) -> list[str]:
    """Texts that overlap each other or another panel, or stick out of the figure."""
    renderer, texts = _drawn_texts(fig, dpi, monkeypatch)
    owner = {id(t): ax for ax in fig.axes for t in ax.findobj(Text)}
    figure_box = fig.bbox.padded(0.5)
    boxes = [t.get_window_extent(renderer).padded(-0.5) for t in texts]  # touching is not overlapping
    faults = []
    for i, (text, box) in enumerate(zip(texts, boxes)):
        name = f"{text.get_text()!r} ({owner[id(text)].get_label() if id(text) in owner else 'figure'})"
        if not (figure_box.contains(box.x0, box.y0) and figure_box.contains(box.x1, box.y1)):
            faults.append(f"{name} leaves the figure")
        for other, other_box in zip(texts[i + 1:], boxes[i + 1:]):
            if box.overlaps(other_box):
                faults.append(f"{name} overlaps {other.get_text()!r}")
        for ax in fig.axes:
            if ax is not owner.get(id(text)) and box.overlaps(ax.bbox.padded(-0.5)):
                faults.append(f"{name} overlaps panel {ax.get_label()}")
    panels = [ax.bbox for ax in fig.axes]
    faults += [f"panels {a.get_label()} and {b.get_label()} overlap" for i, a in enumerate(fig.axes)
               for b in fig.axes[i + 1:] if a.bbox.overlaps(b.bbox)]
    assert len(panels) == len(fig.axes) and texts, "nothing drawn"
    return faults


@pytest.fixture(scope="module")
def sample_season(sample_data, tmp_path_factory):
    """The bundled sample runs as a season, analysed by gaitload (with per-run steps tables)."""
    import gaitload

    out = tmp_path_factory.mktemp("season")
    return gaitload.season([sample_data], out, jobs=1, progress=False), out


@pytest.mark.parametrize("dpi", [110, 60])
@pytest.mark.parametrize("name", ["hilly_foot_imu.csv", "lumbar_run.csv", "watch_records.csv"])
def test_run_figure_layout_leaves_every_text_clear(sample_data, name, dpi, monkeypatch):
    """Real runs: no text overlaps another or a neighbouring panel, none is cut off."""
    import gaitload

    fig = plot_run(gaitload.analyze(sample_data / name))
    assert _layout_faults(fig, dpi, monkeypatch) == []


def test_run_figure_layout_with_offset_altitude_and_empty_panels(monkeypatch):
    """Altitudes of five digits with small changes; notes instead of strike ticks and grade; a
    long title."""
    a = synthetic_analysis(distance_m=2000, seed=5, strike=False)
    a.profile["altitude_m"] = 12345.0 + a.profile["altitude_m"] / 500
    a.steps["grade_pct"] = np.nan
    fig = plot_run(a, title="a long title " * 6)
    # whole altitudes on the ticks, no offset text ("+1.2345e4") that could sit on the title
    labels = tick_labels(_axes(fig, "elevation"), "y")
    assert labels and all(float(t) > 12000 for t in labels)
    assert _layout_faults(fig, 110, monkeypatch) == []


@pytest.mark.parametrize("dpi", [110, 60])
def test_season_figure_layout_leaves_every_text_clear(sample_season, dpi, monkeypatch):
    result, out = sample_season
    fig = plot_season(result.runs, result.tables, steps_dir=out / "steps")
    assert _layout_faults(fig, dpi, monkeypatch) == []


def test_short_season_layout_leaves_every_text_clear(monkeypatch):
    runs, tables = synthetic_season(n_runs=3)
    assert _layout_faults(plot_season(runs, tables), 110, monkeypatch) == []


def test_climbs_and_descents_are_drawn_where_the_climbs_table_puts_them(sample_data):
    a = gaitload.analyze(sample_data / "watch_records.csv")
    fig = plot_run(a)
    ax = _axes(fig, "elevation")
    for kind in ("climb", "descent"):
        line = [ln for ln in ax.get_lines() if ln.get_gid() == kind]
        rows = a.climbs[a.climbs["kind"] == kind]
        assert len(line) == 1 and len(rows) > 0
        x = np.asarray(line[0].get_xdata(), dtype=float)
        # one piece per climb, NaN between them
        breaks = np.flatnonzero(np.isnan(x))
        pieces = [p for p in np.split(x, breaks) if np.isfinite(p).any()]
        assert len(pieces) == len(rows)
        starts = sorted(float(np.nanmin(p)) for p in pieces)
        ends = sorted(float(np.nanmax(p)) for p in pieces)
        # profile points inside each climb, in km: within one 5 m grid cell of its bounds
        np.testing.assert_allclose(starts, np.sort(rows["start_m"].to_numpy()) / 1000, atol=0.006)
        np.testing.assert_allclose(ends, np.sort(rows["end_m"].to_numpy()) / 1000, atol=0.006)


def test_title_gives_the_runners_local_time_when_the_file_does():
    summary = {"start_time": "2019-09-14T15:22:05+00:00", "local_start_time": "2019-09-14T17:22:05+02:00",
               "distance_m": 5840.0, "duration_s": 3167.0, "rules": "source"}
    assert _run_title(summary).startswith("2019-09-14 17:22 local time")
    del summary["local_start_time"]
    assert _run_title(summary).startswith("2019-09-14 15:22 UTC")


def test_acute_and_chronic_loads_are_whole_window_means():
    """acwr.csv: the acute (7 d) and chronic (28 d) loads are means over the whole window, days
    without a run counting 0, and blank until the window is covered (not a mean of fewer days)."""
    runs, tables = synthetic_season(n_runs=14, days_between=3)
    acwr = tables["acwr"]
    daily = np.zeros(len(acwr))
    day_of = (pd.to_datetime(acwr["date"]) - pd.to_datetime(acwr["date"]).iloc[0]).dt.days.to_numpy()
    ok = runs[runs["status"] == "ok"]
    days = (ok["start_time"].dt.tz_convert("UTC").dt.normalize() - ok["start_time"].min().normalize()).dt.days
    np.add.at(daily, days.to_numpy(), ok["load_quads"].to_numpy(dtype=float))
    acute = acwr["acute_quads"].to_numpy(dtype=float)
    assert np.isnan(acute[:6]).all() and np.isnan(acwr["chronic_quads"].to_numpy(dtype=float)[:27]).all()
    for i in (6, 20, len(acwr) - 1):
        assert acute[i] == pytest.approx(daily[i - 6:i + 1].mean())
    assert day_of[-1] == len(acwr) - 1


def test_title_says_timer_or_elapsed_time():
    """mornindew-broken.fit's numbers: timer 1:54:16, elapsed 2:23:50 (29 min of gaps). The title
    gives the timer time, named; without one, the elapsed time, named."""
    summary = {"start_time": "2019-05-18T14:11:00+00:00", "distance_m": 16770.0, "duration_s": 8630.0,
               "timer_time_s": 6856.0, "rules": "source"}
    assert _run_title(summary).split("  ·  ")[2] == "timer 1:54:16 h"
    # an IMU log has no timer: its timer time is the time spent moving, and is named so
    imu = {**summary, "timer_time_source": "moving time (the file has no timer events)"}
    assert _run_title(imu).split("  ·  ")[2] == "moving 1:54:16 h"
    del summary["timer_time_s"]
    assert _run_title(summary).split("  ·  ")[2] == "elapsed 2:23:50 h"
    summary["duration_s"] = float("nan")
    assert _run_title(summary).split("  ·  ")[2] == "duration unknown"


def test_every_week_with_load_stays_visible_over_eight_years():
    """Over 8.5 years a 5-day bar is under 1 px wide and weeks vanish: every week with load is
    drawn at least MIN_BAR_PX pixels wide at the figure's dpi, in both weekly panels."""
    from gaitload.plot.season import MIN_BAR_PX

    base, _ = synthetic_season(n_runs=3)
    base = base[base["status"] == "ok"]
    rng = np.random.default_rng(5)
    # ~150 runs at irregular days over 8.5 years: most weeks empty, some with two runs
    days = np.sort(rng.choice(np.arange(int(8.5 * 365)), size=150, replace=False))
    rows = base.iloc[np.arange(len(days)) % len(base)].copy()
    rows["start_time"] = pd.Timestamp("2018-01-01T07:00:00+00:00") + pd.to_timedelta(days, unit="D")
    rows["run_id"] = [f"r{k}" for k in range(len(rows))]
    rows["file"] = [f"r{k}.fit" for k in range(len(rows))]
    runs = rows.reset_index(drop=True)
    tables = season_tables(runs)
    fig = plot_season(runs, tables, dpi=100)
    for label, table, load in (("weekly_load", tables["weekly_load"],
                                sum(tables["weekly_load"][f"load_{m}"] for m in MUSCLES)),
                               ("strike_mix", tables["strike_mix"], tables["strike_mix"]["contacts"])):
        ax = _axes(fig, label)
        loaded = np.flatnonzero(load.to_numpy() > 0)
        assert len(loaded) > 100  # a week count far above the panel's pixels per 5 days
        widths = np.array([[p.get_window_extent().width if p.get_height() > 0 else 0.0 for p in c.patches]
                           for c in ax.containers])
        assert widths.shape[1] == len(table)
        assert (widths.max(axis=0)[loaded] >= MIN_BAR_PX - 1e-6).all(), (label, widths.max(axis=0)[loaded].min())
        # the bars still start on their week's Monday
        starts = mdates.date2num(pd.to_datetime(table["week_start"]).to_numpy())
        np.testing.assert_allclose([p.get_x() for p in ax.containers[0].patches], starts)
