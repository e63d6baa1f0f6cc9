"""Raster output of gaitload's figures: an Agg canvas that draws each text as one bitmap, and a
PNG writer without per-row filter search.

Text is most of what a raster figure costs. matplotlib 3.11's Agg renderer places and draws
every glyph on its own (a font size, a transform and a bitmap blit per glyph, ~40 us each on
this machine); :class:`TextCanvas` draws a whole string as one bitmap laid out by FreeType, as
matplotlib did up to 3.10 (~10 us a glyph). The glyph outlines and positions are the same; the
edges differ by a level of grey here and there (antialiasing of one bitmap instead of many).
Vector output (SVG, PDF) is not affected: those formats use their own renderers.

Pillow's PNG encoder tries five row filters on every row and keeps the best: two thirds of the
encoding time of a figure, for bytes no smaller than unfiltered rows at the same zlib level on
these flat-coloured images (measured on a run figure: 22 ms, 152 KiB with Pillow at level 3;
8 ms, 133 KiB unfiltered). :func:`write_png` writes unfiltered rows through zlib.
"""

from __future__ import annotations

import functools
import struct
import zlib
from math import cos, radians, sin

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.font_manager import fontManager, get_font

__all__ = ["TextCanvas", "write_png", "PNG_COMPRESS_LEVEL"]

#: zlib level of PNG output: level 3 encodes a run figure in about half the time of level 6
#: for 5-10 % more bytes (measured on a season run and on the benchmark's run figures).
PNG_COMPRESS_LEVEL = 3


@functools.lru_cache(maxsize=1024)
def _laid_out(text: str, fonts: tuple, size_pt: float, dpi: float, flags) -> tuple:
    """``(image, x offset, y offset, descent, width, height)`` (pixels) of ``text`` laid out by
    FreeType in ``fonts`` at ``size_pt`` and ``dpi`` (shared: only ever read).

    Kept from figure to figure: a season draws the same titles, tick labels and legend texts on
    every run's figure (about 20 ms of a watch run's 150 ms figure; the bitmap depends on nothing
    else, so it is the same bytes). A few kB each, at most 1024 of them.
    """
    font = get_font(list(fonts))
    font.clear()
    font.set_size(size_pt, dpi)
    # angle 0 here: draw_text_image rotates the bitmap
    font.set_text(text, 0, flags=flags)
    font.draw_glyphs_to_bitmap(antialiased=True)
    xo, yo = font.get_bitmap_offset()
    w, h = font.get_width_height()
    return np.array(font.get_image(), dtype=np.uint8), xo / 64.0, yo / 64.0, font.get_descent() / 64.0, w / 64.0, h / 64.0


class _WholeTextRenderer(RendererAgg):
    """Agg renderer that lays out a plain (non-math) string once, with FreeType, and draws it as
    one bitmap.

    Laying out a string (``FT2Font.set_text``: shaping, ~10 us a glyph) is most of a text's
    cost, and matplotlib does it twice per text, to measure it and to draw it: the measure keeps
    the bitmap (one per string and font, see :func:`_laid_out`), and drawing blits it.
    """

    def __init__(self, width, height, dpi):
        super().__init__(width, height, dpi)
        self._bitmaps = {}

    def _bitmap(self, s, prop):
        """``(image, x offset, y offset, descent, width, height)`` of a string, pixels."""
        key = (s, hash(prop), self.dpi)
        found = self._bitmaps.get(key)
        if found is None:
            # the fonts (with fallbacks) and size of ``prop``, as RendererAgg._prepare_font picks them
            fonts = tuple(fontManager._find_fonts_by_props(prop))
            found = _laid_out(s, fonts, prop.get_size_in_points(), self.dpi, get_hinting_flag())
            self._bitmaps[key] = found
        return found

    def clear(self):
        """Empty the canvas for a new draw, and forget the texts of the last one: a figure drawn
        again and again (:class:`.panels.RunCanvas`) shows other numbers each time, and the
        texts worth keeping are kept by :func:`_laid_out`."""
        super().clear()
        self._bitmaps = {}

    def _get_font_height_metrics(self, prop):
        """Ascent, descent and line gap of the font of ``prop``, pixels, from its OS/2 (else hhea)
        table, as matplotlib's text layout computes them for every text it lays out (a font
        lookup and two table reads each time), once per font and size here."""
        key = ("height", hash(prop), self.dpi)
        found = self._bitmaps.get(key)
        if found is None:
            found = (None, None, None)  # no table: matplotlib measures the font instead
            font = self._prepare_font(prop)
            scale = prop.get_size_in_points() * self.dpi / 72.0 / font.get_sfnt_table("head")["unitsPerEm"]
            for table_name, gap, ascent, descent in (("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
                                                     ("hhea", "lineGap", "ascent", "descent")):
                table = font.get_sfnt_table(table_name)
                if table is not None:
                    found = (table[ascent] * scale, -table[descent] * scale, table[gap] * scale)
                    break
            self._bitmaps[key] = found
        return found

    def get_text_width_height_descent(self, s, prop, ismath):
        if ismath:
            return super().get_text_width_height_descent(s, prop, ismath)
        try:
            _, _, _, descent, w, h = self._bitmap(s, prop)
        except (AttributeError, TypeError):  # a matplotlib without this path: its own measure
            return super().get_text_width_height_descent(s, prop, ismath)
        return w, h, descent

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath or not gc.get_antialiased():
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        try:
            image, xo, yo, descent, _, _ = self._bitmap(s, prop)
            x = round(x + xo + descent * sin(radians(angle)))
            y = round(y + yo + descent * cos(radians(angle)))
            # the image's bottom row at y + 1 (y downwards), as matplotlib's own whole-string path
            self._renderer.draw_text_image(image, x, y + 1, angle, gc)
        except (AttributeError, TypeError):  # a matplotlib without this path: its own drawing
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)


class TextCanvas(FigureCanvasAgg):
    """An Agg canvas whose renderer draws each text as one bitmap (see the module docstring)."""

    def get_renderer(self):
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = _WholeTextRenderer(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


#: The colour bytes of an RGBA pixel, as one 3-byte item.
_RGB_OF_RGBA = np.dtype({"names": ["rgb"], "formats": ["V3"], "offsets": [0], "itemsize": 4})


def write_png(rgba: np.ndarray, fh, dpi: float, level: int = PNG_COMPRESS_LEVEL) -> None:
    """Write an 8-bit RGBA image as PNG: RGB when every pixel is opaque, rows unfiltered.

    Parameters
    ----------
    rgba : ndarray, shape (h, w, 4), uint8
        Top row first (an Agg canvas' ``buffer_rgba()``).
    fh : binary file object
    dpi : float
        Resolution written in the ``pHYs`` chunk (pixels per metre), as matplotlib writes it.
    level : int
        zlib compression level, 0-9.
    """
    rgba = np.ascontiguousarray(rgba, dtype=np.uint8)
    h, w = rgba.shape[:2]
    opaque = bool((rgba[..., 3] == 255).all())
    rows = np.empty((h, 1 + w * (3 if opaque else 4)), dtype=np.uint8)
    rows[:, 0] = 0  # filter byte 0: "none"
    if opaque:
        # each pixel's first three bytes as one 3-byte item, copied straight into the rows: twice
        # as fast as copying three channels byte by byte
        rgb = rgba.view(_RGB_OF_RGBA)[..., 0]["rgb"]
        rows[:, 1:].view("V3")[...] = rgb
    else:
        rows[:, 1:] = rgba.reshape(h, -1)
    ppm = int(round(dpi / 0.0254))
    fh.write(b"\x89PNG\r\n\x1a\n")
    fh.write(_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2 if opaque else 6, 0, 0, 0)))
    fh.write(_chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1)))
    fh.write(_chunk(b"IDAT", zlib.compress(rows, level)))
    fh.write(_chunk(b"IEND", b""))
