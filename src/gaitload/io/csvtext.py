"""Shared CSV plumbing: decode the first bytes, find the delimiter, preamble and header rows,
then read the numeric body with pandas' C parser.

The header is parsed by hand (preamble lines such as Xsens' ``Acquisition frequency: 100 Hz``,
two-row headers such as gaitmap's ``left_sensor`` / ``acc_x``); the body, which is nearly all of
the file, goes to :func:`pandas.read_csv` with ``engine="c"`` so reading is linear and fast: with
pandas' default options when the head shows a plain table of numbers (and datetime text), where
they give the same frame at a quarter of the cost (see :func:`_plain_body`), else with the options
that cope with blanks, odd missing-value spellings and mixed columns.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..notice import Notice
from ..errors import (
    CorruptFileError,
    EmptyFileError,
    GaitloadError,
    MissingColumnsError,
    ResourceLimitError,
    SignalError,
    UnsupportedFormatError,
)
from .memory import check_gzip_size
from .registry import HEAD_BYTES, MAX_DECOMPRESSED_BYTES, file_head

__all__ = ["names_the_file", "CsvHead", "parse_head", "read_head", "read_body", "numeric_frame", "head_rate_hz"]

_DELIMITERS = (",", "\t", ";", "|")
_NUMBER_RE = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")
_MAX_HEAD_LINES = 200
#: Cells read as missing, on top of pandas' defaults (``STR_NA_VALUES``).
_NA_VALUES = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "-", "--", "#N/A", "inf", "-inf"]

try:  # pandas' default missing-value spellings (documented under read_csv's na_values)
    from pandas._libs.parsers import STR_NA_VALUES as _PANDAS_NA
except ImportError:  # pragma: no cover - the list as of pandas 2.x/3.x
    _PANDAS_NA = {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
                  "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"}
#: Every spelling :func:`read_body` reads as missing, and those a default pandas call does not.
_ALL_NA = frozenset(_NA_VALUES) | frozenset(_PANDAS_NA)
_EXTRA_NA = sorted(frozenset(_NA_VALUES) - frozenset(_PANDAS_NA))
#: Largest file (bytes on disk) read by :func:`_plain_body`. Above it the general call is used
#: for memory, not speed: after pandas' chunked (``low_memory=True``) parse of a 10-hour 100 Hz
#: six-axis file (174 MB) the analysis that follows peaked at 935 MiB instead of 875 MiB (heap
#: left fragmented by the chunks; measured in benchmarks/run.py's scaling case), beyond that
#: case's bound of 940. 64 MiB is about 3.7 hours of such data (judgement: every run of a
#: normal length takes the fast path, multi-hour logs the lean one).
_PLAIN_MAX_BYTES = 64 * 1024**2


@dataclass
class CsvHead:
    """What the first bytes of a delimited text file say about it.

    Attributes
    ----------
    encoding : str
        Text encoding that decoded the head (``utf-8``, ``utf-8-sig``, ``utf-16`` or ``latin-1``).
    delimiter : str
        Field separator.
    preamble : list of str
        Lines before the header (``"Acquisition frequency: 100 Hz"``).
    header_rows : list of list of str
        One or two header rows (two for gaitmap's sensor / axis header).
    names : list of str
        One name per column: header rows joined with ``"."`` when there are two.
    skip_lines : int
        Number of lines before the first data row.
    rows : list of list of str
        The first data rows (for sniffing and unit guesses).
    gzip : bool
        The file is gzip-compressed.
    decimal : str
        Decimal mark of the numbers: ``"."``, or ``","`` in a table separated by ``;``, tabs or
        ``|`` whose numbers are written ``0,25`` (European spreadsheets, phyphox's "decimal
        comma" export). ``rows`` then hold the numbers with a ``.`` already.
    """

    encoding: str
    delimiter: str
    preamble: list[str]
    header_rows: list[list[str]]
    names: list[str]
    skip_lines: int
    rows: list[list[str]] = field(default_factory=list)
    gzip: bool = False
    decimal: str = "."


def _is_number(cell: str) -> bool:
    return bool(_NUMBER_RE.match(cell))


def _decode(head: bytes) -> tuple[str, str]:
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return head.decode("utf-16", errors="replace"), "utf-16"
    if b"\x00" in head[:4096]:
        raise UnsupportedFormatError("binary data, not a delimited text file")
    # the head may end in the middle of a multi-byte character: cut at the last newline
    cut = head.rfind(b"\n")
    body = head if cut < 0 or len(head) < HEAD_BYTES else head[: cut + 1]
    try:
        return body.decode("utf-8-sig"), "utf-8-sig" if body.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        text = body.decode("latin-1")
        first = text.splitlines()[0] if text.strip() else ""
        # latin-1 decodes any bytes; accept it only when the header reads as column names
        printable = sum(ch.isprintable() or ch in "\t\r\n" for ch in first) / max(len(first), 1)
        if printable < 0.98 or not re.search(r"[A-Za-z]", first):
            raise UnsupportedFormatError("not UTF-8 or Latin-1 text with column names") from None
        return text, "latin-1"


def _split(line: str, delim: str) -> list[str]:
    return next(csv.reader([line], delimiter=delim, skipinitialspace=True), [])


def _split_lines(lines: list[str], delim: str) -> list[list[str]]:
    """``[_split(ln, delim) for ln in lines]``, in one reader pass when no line holds a quote.

    Lines come from ``str.splitlines`` (no line break inside), so without a quote, which is
    the only thing that joins lines, a reader over all of them yields one row per line; one
    reader instead of one per line saves ~0.5 ms per head.
    """
    if any('"' in ln for ln in lines):
        return [_split(ln, delim) for ln in lines]
    return list(csv.reader(lines, delimiter=delim, skipinitialspace=True))


def parse_head(head: bytes, path: Path | None = None, allow_no_data: bool = False) -> CsvHead:
    """Find encoding, delimiter, preamble, header rows and first data rows of a CSV head.

    Parameters
    ----------
    head : bytes
        The first bytes of the file, already decompressed.
    path : pathlib.Path, optional
        Only for error messages.
    allow_no_data : bool
        Return a header-only table (``rows == []``) instead of raising; sniffers use this so a
        header without data is still claimed by its reader, which then says what is wrong.

    Raises
    ------
    EmptyFileError, UnsupportedFormatError, MissingColumnsError
    """
    if not head.strip():
        raise EmptyFileError("the file is empty", path)
    text, encoding = _decode(head)
    if text.lstrip().startswith("<"):
        raise UnsupportedFormatError("XML/HTML, not a delimited text file", path)
    if text.lstrip()[:1] in ("{", "["):
        raise UnsupportedFormatError("JSON, not a delimited text file", path)
    lines = [ln for ln in text.splitlines()[:_MAX_HEAD_LINES]]
    # drop trailing blank lines only; blank lines in the preamble keep their count for skiprows
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise EmptyFileError("the file has no text", path)
    tail = [ln for ln in lines[-20:] if ln.strip()]
    best = None
    for delim in _DELIMITERS:
        tail_cells = _split_lines(tail, delim)
        counts = [len(cells) for cells in tail_cells]
        modal = max(set(counts), key=counts.count)
        # then the split whose cells read as numbers: "0,5;1,25" splits evenly at the commas
        # too, but only the semicolons leave numbers (written with a decimal comma)
        numbers = sum(_is_number(c) or bool(_COMMA_NUMBER_RE.match(c)) for cells in tail_cells for c in cells)
        score = (modal >= 2, counts.count(modal), numbers / max(sum(counts), 1), modal)
        if best is None or score > best[0]:
            best = (score, delim, modal)
    (has_fields, *_), delim, n_fields = best
    if not has_fields:
        # one column only: no delimiter at all (or a single channel), nothing gaitload can use
        raise MissingColumnsError("only one column; expected a delimited table with time and sensor columns", path)
    split = [cells if ln.strip() else [] for ln, cells in zip(lines, _split_lines(lines, delim))]
    decimal = "."
    if delim != "," and _decimal_comma(split[-20:]):
        # numbers such as 0,25 (the comma cannot be the separator here): read with a decimal
        # point from now on, and by pandas with decimal=","
        decimal = ","
        split = [[_comma_to_point(c) for c in cells] for cells in split]
    first_data = None
    for i, cells in enumerate(split):
        if len(cells) < 2 or abs(len(cells) - n_fields) > 1:
            continue
        nonempty = [c for c in cells if c.strip()]
        numeric = sum(_is_number(c) for c in nonempty)
        if nonempty and numeric >= max(1, 0.5 * len(nonempty)):
            first_data = i
            break
    if first_data is None:
        # header only (or all text): find the header to report it
        header_idx = next((i for i, c in enumerate(split) if len(c) >= 2), None)
        if allow_no_data and header_idx is not None:
            names = _join_names([split[header_idx]], len(split[header_idx]))
            return CsvHead(encoding, delim, [], [split[header_idx]], names, header_idx + 1, [], head[:2] == b"\x1f\x8b",
                           decimal)
        if header_idx is not None and len(lines) <= header_idx + 2 and len(head) < HEAD_BYTES:
            raise EmptyFileError("a header but no numeric data rows", path)
        raise MissingColumnsError("no rows of numbers found under the header", path)
    header_rows: list[list[str]] = []
    i = first_data - 1
    while i >= 0 and len(header_rows) < 2:
        cells = split[i]
        if len(cells) < 2 or abs(len(cells) - n_fields) > 1 or sum(_is_number(c) for c in cells) > 0.5 * len(cells):
            break
        header_rows.insert(0, cells)
        i -= 1
    if len(header_rows) == 2 and _units_row(header_rows[1]):
        header_rows = [_with_units(*header_rows)]
    elif len(header_rows) == 2 and not _looks_two_row(header_rows):
        header_rows = header_rows[1:]
    if not header_rows:
        raise MissingColumnsError("no header row with column names", path)
    n_cols = max(len(split[first_data]), len(header_rows[-1]))
    names = _join_names(header_rows, n_cols)
    preamble = [ln for ln in lines[: first_data - len(header_rows)] if ln.strip()]
    rows = [c for c in split[first_data:first_data + 200] if c]
    if len(rows) > 1 and len(head) >= HEAD_BYTES:
        rows = rows[:-1]  # the last line of a truncated head may be cut short
    return CsvHead(encoding, delim, preamble, header_rows, names, first_data, rows, head[:2] == b"\x1f\x8b", decimal)


#: A number written with a decimal comma (``-0,25``, ``1,5E-3``): digits on both sides of one
#: comma. Only looked for in tables not separated by commas, whose numbers write a comma as the
#: decimal mark (a thousands-grouped ``1,234`` there would read as 1.234; judgement: such tables
#: come from spreadsheets in decimal-comma locales).
_COMMA_NUMBER_RE = re.compile(r"^\s*[-+]?\d+,\d+(?:[eE][-+]?\d+)?\s*$")
_POINT_NUMBER_RE = re.compile(r"^\s*[-+]?\d*\.\d+(?:[eE][-+]?\d+)?\s*$")


def _decimal_comma(rows: list[list[str]]) -> bool:
    """True when the rows write fractions with a comma: some cells are ``0,25``-shaped and
    none is ``0.25``-shaped (a table mixing both is not decided here: the comma cells
    then read as text and are reported)."""
    cells = [c for row in rows for c in row]
    return any(_COMMA_NUMBER_RE.match(c) for c in cells) and not any(_POINT_NUMBER_RE.match(c) for c in cells)


def _comma_to_point(cell: str) -> str:
    """``0,25`` -> ``0.25`` for a decimal-comma number; any other cell unchanged."""
    return cell.replace(",", ".") if _COMMA_NUMBER_RE.match(cell) else cell


def _looks_two_row(rows: list[list[str]]) -> bool:
    """A sensor/axis header: the first row repeats a few group names over many columns."""
    top = [c.strip() for c in rows[0][1:] if c.strip()]
    return bool(top) and len(set(top)) < len(top)


#: A cell of a units row: bracketed text (``(mi)``, ``[ms]``) or a short rate/unit word.
_UNIT_CELL_RE = re.compile(r"^\s*(?:[\(\[][^\)\]]{0,12}[\)\]]|[a-z%°]{1,4}(?:/[a-z]{1,4})?)\s*$", re.I)


def _units_row(cells: list[str]) -> bool:
    """A second header row that holds only units (``(mi)``, ``(ft)``, ``s/min``, blanks), as
    RunScribe's per-stride export writes under its names; at least two bracketed cells, so a
    row of short names is not taken for units."""
    filled = [c for c in cells if c.strip()]
    bracketed = sum(c.strip()[:1] in "([" for c in filled)
    return bracketed >= 2 and all(_UNIT_CELL_RE.match(c) for c in filled)


def _with_units(names: list[str], units: list[str]) -> list[str]:
    """One header row ``name (unit)`` from a names row and a units row."""
    out = []
    for i, name in enumerate(names):
        unit = units[i].strip().strip("()[]").strip() if i < len(units) else ""
        out.append(f"{name.strip()} ({unit})" if unit and name.strip() else name)
    return out


def _join_names(header_rows: list[list[str]], n_cols: int) -> list[str]:
    padded = [row + [""] * (n_cols - len(row)) for row in header_rows]
    if len(padded) == 1:
        names = [c.strip() for c in padded[0][:n_cols]]
    else:
        names = []
        for top, bottom in zip(padded[0][:n_cols], padded[1][:n_cols]):
            top, bottom = top.strip(), bottom.strip()
            names.append(f"{top}.{bottom}" if top and bottom else top or bottom)
    # make duplicates unique so a DataFrame can hold them
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            out.append(f"{name}#{seen[name]}")
        else:
            seen[name] = 0
            out.append(name)
    return out


def frame_names(frame: pd.DataFrame) -> list[str]:
    """A DataFrame's column names as a file's header would give them: text, stripped, a
    two-level header joined with ``"."`` (gaitmap's sensor / axis rows), pandas' placeholders
    for a blank header cell (``Unnamed: 0_level_0``) blank, duplicates made unique."""
    cols = frame.columns
    if isinstance(cols, pd.MultiIndex):
        levels = [[_blank_placeholder(str(v)) for v in cols.get_level_values(i)] for i in range(min(cols.nlevels, 2))]
    else:
        levels = [[_blank_placeholder(str(v)) for v in cols]]
    return _join_names(levels, len(cols))


def _blank_placeholder(name: str) -> str:
    return "" if re.fullmatch(r"Unnamed: \d+(_level_\d+)?", name.strip()) else name


def read_head(path: Path) -> tuple[bytes, CsvHead]:
    """Read (and decompress) the first bytes of ``path`` and parse them."""
    raw = file_head(path)
    with open(path, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    head = parse_head(raw, path)
    head.gzip = gz
    return raw, head


def read_body(path: Path, head: CsvHead, usecols: list[str] | None = None) -> pd.DataFrame:
    """Read every data row with pandas' C parser; columns are named ``head.names``.

    Parameters
    ----------
    path : pathlib.Path
    head : CsvHead
        From :func:`read_head`.
    usecols : list of str, optional
        The columns the caller uses (names from ``head.names``). Only they decide whether the
        table is plain (a column of labels elsewhere does not force the general call), and the
        general call converts only them: a wide export (magnetometer, quaternions, labels beside
        the six IMU channels) then costs the memory of the columns used, and the per-cell
        missing-value checks only for them (98 MB, 7 of 40 columns used: 1.19 -> 0.82 s, peak
        437 -> 339 MiB). The returned frame may hold other columns too.

    Raises
    ------
    CorruptFileError
        Ragged rows (more fields than the header) or undecodable bytes.
    EmptyFileError, SignalError
        No data row, or only one.
    """
    n_cols = len(head.names)
    if head.gzip:
        check_gzip_size(path, MAX_DECOMPRESSED_BYTES)
    if usecols is not None and set(usecols) >= set(head.names):
        usecols = None
    frame = _plain_body(path, head, usecols)
    if frame is not None:
        return frame
    try:
        frame = pd.read_csv(
            path,
            usecols=usecols,
            sep=head.delimiter,
            decimal=head.decimal,
            header=None,
            names=head.names,
            skiprows=head.skip_lines,
            encoding=head.encoding,
            compression="gzip" if head.gzip else None,
            engine="c",
            skipinitialspace=True,
            skip_blank_lines=True,
            low_memory=False,
            index_col=False,
            na_values=_NA_VALUES,
            keep_default_na=True,
        )
    except pd.errors.ParserError as exc:
        msg = str(exc).strip().splitlines()[-1]
        match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", msg)
        if match:
            raise CorruptFileError(
                f"ragged rows: line {match.group(2)} has {match.group(3)} fields but the header has {n_cols}",
                path,
            ) from None
        raise CorruptFileError(f"cannot parse the table ({msg})", path) from None
    except UnicodeDecodeError as exc:
        raise CorruptFileError(f"bytes that are not {head.encoding} text at offset {exc.start}", path) from None
    except (EOFError, OSError) as exc:
        raise CorruptFileError(f"cannot read the file ({exc})", path) from None
    if frame.empty:
        raise EmptyFileError("a header but no data rows", path)
    if len(frame) < 2:
        raise SignalError("only 1 data row; a recording needs at least 2 samples", path)
    return frame


def _plain_columns(head: CsvHead, usecols: list[str] | None = None) -> dict[str, str] | None:
    """Each column's kind (``"number"`` or ``"text"``) when the head shows a plain table, else None.

    Only the columns in ``usecols`` (default: all) are judged and returned.

    Plain: every first data row has one cell per column, and each column holds only numbers
    (or missing cells), or only datetime or duration text (every cell holds ``:`` or ``/``,
    which no number and no boolean does). Words, booleans or ``Infinity`` anywhere: None.
    """
    n_cols = len(head.names)
    if not head.rows or len(set(head.names)) != n_cols or any(len(r) != n_cols for r in head.rows):
        return None
    wanted = set(head.names if usecols is None else usecols)
    used = [name for name in head.names if name in wanted]
    if _all_cells_numbers(head.rows):
        # every cell a number (the usual table): no cell is a missing-value spelling either,
        # since none of those is a number; one test instead of one per column (~0.2 ms)
        return dict.fromkeys(used, "number")
    kinds = {}
    for j, name in enumerate(head.names):
        if name not in wanted:
            continue
        cells = [c for c in (r[j].strip() for r in head.rows) if c not in _ALL_NA]
        if _all_numbers(cells):
            kinds[name] = "number"
        elif all(":" in c or "/" in c for c in cells):
            kinds[name] = "text"
        else:
            return None
    return kinds


#: One number (what :data:`_NUMBER_RE` accepts in a stripped cell), and lines of them. Written
#: so that a cell matches in one way only (``\d+(?:\.\d*)?``, not ``\d+\.?\d*``): else a
#: failing last cell makes the regex retry every split of every earlier cell's digits.
_NUMBER_CORE = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_NUMBER_LINES_RE = re.compile(rf"(?:{_NUMBER_CORE}\n)*{_NUMBER_CORE}")


def _all_numbers(cells: list[str]) -> bool:
    """``all(_NUMBER_RE.match(c) for c in cells)`` for stripped cells without a line break.

    One regex run over the cells joined by newlines instead of one Python-level match per cell
    (200 rows x 7 columns: 0.4 -> 0.1 ms); the same answer because a stripped cell has no blank
    at either end for ``\\s*`` to take, and a number cannot hold the newline between cells.
    """
    return not cells or _NUMBER_LINES_RE.fullmatch("\n".join(cells)) is not None


#: Digits 1-9 to 0: a cell's shape, which the number pattern matches exactly when it matches
#: the cell (``\d`` treats all digits alike).
_DIGITS_TO_ZERO = str.maketrans("123456789", "000000000")


def _all_cells_numbers(rows: list[list[str]]) -> bool:
    """``_all_numbers`` of every stripped cell of ``rows`` (lists of cells without line breaks).

    Tested on the cells' distinct shapes: 200 rows of 7 numbers have a few dozen, so the regex
    runs over those instead of all 1,400 cells (_plain_columns 0.23 -> 0.10 ms).
    """
    if not any(rows):
        return True
    shapes = set("\n".join(map("\n".join, filter(None, rows))).translate(_DIGITS_TO_ZERO).split("\n"))
    return _all_numbers([shape.strip() for shape in shapes])


def _head_has_missing(head: CsvHead) -> bool:
    """True when a first data row holds a missing-value spelling (``""``, ``NA``, ``nan``...)."""
    return any(c.strip() in _ALL_NA for row in head.rows for c in row)


def _plain_body(path: Path, head: CsvHead, usecols: list[str] | None = None) -> pd.DataFrame | None:
    """The body of a plain table read by pandas' C parser with its default options, or None.

    :func:`pandas.read_csv` with ``low_memory=False``, ``skipinitialspace=True`` and the extra
    ``_NA_VALUES`` (the general call in :func:`read_body`) costs about 4x a default call on a
    large numeric table (136 ms vs 34 ms for one hour of six-axis 100 Hz data). For a table the
    head shows as plain (:func:`_plain_columns`) the default call gives the same frame, because
    the same parser converts the same cells, unless one of the options would have mattered;
    each such case is detected after the fact and returns None, and the general call reads the
    file again:

    * a cell that only the extra NA spellings make missing (``-``, ``--``, ``inf``, ``-inf``):
      a number column turns to text, or holds infinities, or a text column holds the spelling;
    * a cell with leading blanks (``skipinitialspace``): a number column turns to text unless
      the number parser skipped them (as it does for floats), a text cell starts with a blank;
    * text among numbers in different chunks (what ``low_memory=False`` prevents): an ``object``
      column instead of ``float64``, ``int64`` or ``str``.

    Also None for non-UTF-8 files, and on any parser error: the general call then says
    what is wrong with the file and raises the typed error.
    """
    if head.encoding not in ("utf-8", "utf-8-sig"):
        return None
    if path.stat().st_size > _PLAIN_MAX_BYTES:
        return None
    kinds = _plain_columns(head, usecols)
    if kinds is None:
        return None
    # every column is read here: pandas >= 3.1 parses a large file on several threads, but not
    # with usecols (measured on 54 MB with 7 of 40 columns used: 0.31 s / 333 MiB peak with all,
    # 0.47 s / 132 MiB without); only the used columns decide whether the file is plain
    if all(kind == "number" for kind in kinds.values()) and not _head_has_missing(head):
        # Numbers only, no missing cell in the head: first without the missing-value lookup
        # of every cell (na_filter=False; 36 -> 33 ms for one hour of six-axis 100 Hz data).
        # The same frame whenever it passes the checks: no missing-value spelling parses as a
        # number, so a missing cell anywhere turns its column to text and the default call
        # below reads the file again.
        frame = _default_read(path, head, na_filter=False)
        if frame is not None and _same_as_general(frame, kinds):
            return frame
        del frame  # not held while the file is read again
    frame = _default_read(path, head)
    return frame if frame is not None and _same_as_general(frame, kinds) else None


def _default_read(path: Path, head: CsvHead, **options) -> pd.DataFrame | None:
    """The body read by pandas' C parser with its default options (plus ``options``), or None
    on any parser error or with fewer than 2 rows (the general call then says what is wrong)."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.DtypeWarning)  # mixed chunks: detected later
            frame = pd.read_csv(path, sep=head.delimiter, decimal=head.decimal, header=None, names=head.names,
                                skiprows=head.skip_lines, encoding=head.encoding, engine="c",
                                compression="gzip" if head.gzip else None,
                                skip_blank_lines=True, index_col=False, **options)
    except (ValueError, UnicodeDecodeError, OSError, EOFError):  # ParserError is a ValueError
        return None
    return frame if len(frame) >= 2 else None


def _same_as_general(frame: pd.DataFrame, kinds: dict[str, str]) -> bool:
    """True when a default-option frame of a plain table is what the general call would read
    (see :func:`_plain_body`): number columns int64 or float64 without infinities, text
    columns strings without leading blanks or the extra missing-value spellings."""
    for name, kind in kinds.items():
        column = frame[name]
        dtype = column.dtype
        if kind == "number":
            if dtype.kind == "i":
                continue
            if dtype.kind != "f":
                return False
            values = column.to_numpy()
            # finite extremes prove no infinity (two reductions, no mask); a NaN hides them
            if values.size and not (np.isfinite(values.min()) and np.isfinite(values.max())) \
                    and np.isinf(values).any():
                return False
        else:
            if dtype == object or not pd.api.types.is_string_dtype(dtype):
                return False
            if column.str.startswith((" ", "\t")).any() or column.isin(_EXTRA_NA).any():
                return False
    return True


def numeric_frame(frame: pd.DataFrame, columns: list[str], warnings: list[str]) -> dict[str, np.ndarray]:
    """Columns as float64 arrays; junk cells become NaN and are counted in ``warnings``.

    Parameters
    ----------
    frame : DataFrame
    columns : list of str
        Which columns to convert.
    warnings : list of str
        Appended to (one line per column with junk).
    """
    out = {}
    for col in columns:
        series = frame[col]
        if series.dtype.kind in "fiub":
            out[col] = series.to_numpy(dtype=np.float64)
            continue
        values = pd.to_numeric(series, errors="coerce")
        junk = int((values.isna() & series.notna()).sum())
        if junk:
            example = series[values.isna() & series.notna()].iloc[0]
            warnings.append(Notice(f"column {col!r}: {junk} non-numeric cell(s) such as {str(example)[:20]!r} read as missing",
                                   "non-numeric"))
        out[col] = values.to_numpy(dtype=np.float64)
    return out


def head_rate_hz(head: CsvHead, column: str) -> float | None:
    """Sampling rate (Hz) suggested by the first data rows of a time column, for sniffing.

    A bare number is taken as seconds (or an epoch, recognised by its magnitude), text as a
    datetime; None when the rows say nothing usable.
    """
    from .columns import split_header
    from .units import decode_time, normalise_unit

    if column not in head.names or len(head.rows) < 3:
        return None
    idx = head.names.index(column)
    cells = [r[idx] if idx < len(r) else "" for r in head.rows]
    # the cells as an object array: to_numeric parses them as it would a Series of them (it
    # makes one such array of a string Series), without building a Series first (~0.1 ms)
    numeric = pd.to_numeric(np.array(cells, dtype=object), errors="coerce")
    try:
        if np.count_nonzero(pd.notna(numeric)) / numeric.size > 0.9:
            tb = decode_time(pd.Series(numeric), (1e-3, 1e9), header_unit=normalise_unit(split_header(column)[1]))
        else:
            tb = decode_time(pd.Series(cells), (1e-3, 1e9))
    except Exception:  # sniffing only: an unreadable clock simply gives no evidence
        return None
    dt = np.diff(tb.time_s)
    dt = dt[dt > 0]
    return float(1.0 / np.median(dt)) if dt.size else None


def names_the_file(read):
    """Decorator for ``read(path, **hints)``: every GaitloadError it raises names ``path``."""

    @functools.wraps(read)
    def wrapper(path, *args, **kwargs):
        try:
            return read(path, *args, **kwargs)
        except GaitloadError as exc:
            raise exc.with_path(path)

    return wrapper
