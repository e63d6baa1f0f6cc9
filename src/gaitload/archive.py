"""Activities inside zip archives (Garmin and Strava bulk exports), read one member at a time.

A bulk export is a ``.zip`` of activity files (``activities/*.fit.gz`` in Strava's,
``DI_CONNECT/.../UploadedFiles_*.zip`` of FIT files in Garmin's) beside an ``activities.csv``.
Members are listed from the archive's directory and each one is decompressed alone, into a
temporary file, when it is analysed: the archive is never unpacked as a whole.

Refused members (one line each, the rest of the archive is read): a name that is absolute or
has a ``..`` part, a member larger than :data:`MAX_MEMBER_BYTES`, one whose declared
compression ratio is above :data:`MAX_RATIO` (a zip bomb), and one that inflates beyond its
declared size while being read.

This module uses the standard library only: a season lists archives before it imports the
analysis stack.
"""

from __future__ import annotations

import csv
import io
import os
import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .errors import CorruptFileError, GaitloadError, HostileFileError, NotAnActivityError, OptionError, ResourceLimitError

__all__ = ["ArchiveMember", "MAX_MEMBER_BYTES", "MAX_RATIO", "MAX_DEPTH", "SEPARATOR", "is_archive",
           "list_members", "extract_member", "export_index", "export_columns", "read_export_index", "read_archive",
           "ACTIVITY_EXTENSIONS"]

#: File endings of activity files gaitload reads (a season skips everything else it finds).
ACTIVITY_EXTENSIONS = (".fit", ".tcx", ".gpx", ".csv", ".txt", ".csv.gz", ".tcx.gz", ".gpx.gz", ".fit.gz")

#: Largest member read, in bytes once inflated: the per-recording file limit of the readers
#: (``gaitload.io.registry.MAX_FILE_BYTES``, 2 GiB) would let one member fill a small disk's
#: temp folder; 1 GiB holds a 10-hour 1000 Hz IMU CSV. Judgement.
MAX_MEMBER_BYTES = 1024**3
#: Largest declared inflated/compressed ratio. Deflate cannot exceed ~1032:1; real activity
#: files compress 3-10:1 (FIT, GPX) and up to ~30:1 (repetitive CSV text), so 200:1 on a member
#: of more than :data:`RATIO_FLOOR_BYTES` only passes bombs. Judgement.
MAX_RATIO = 200.0
#: Below this inflated size a high ratio is harmless (an empty CSV compresses 100:1).
RATIO_FLOOR_BYTES = 1024**2
#: Archives inside archives (Garmin ships FIT files in zips inside its export zip) are opened
#: to this depth; deeper nesting is refused.
MAX_DEPTH = 2
#: Joins an archive's path and its member names in a member's display name:
#: ``export.zip!activities/123.fit.gz``.
SEPARATOR = "!"


@dataclass(frozen=True)
class ArchiveMember:
    """One file inside an archive (possibly inside an archive inside it).

    Attributes
    ----------
    archive : str
        Path of the outer archive on disk.
    names : tuple of str
        Member names from the outer archive inwards (one name unless nested).
    size : int
        Declared inflated size, bytes.
    key : str
        Identifies the member's content without reading it: name, CRC-32 and sizes.
    mtime : float or None
        The member's modification time (POSIX seconds; zip stores local time, read as UTC).
    """

    archive: str
    names: tuple
    size: int
    key: str
    mtime: float | None = None

    @property
    def display(self) -> str:
        """``<archive>!<member>[!<inner member>]``, the member's name in every output table."""
        return SEPARATOR.join((self.archive, *self.names))

    @property
    def basename(self) -> str:
        return posixpath.basename(self.names[-1])


def is_archive(path: str | os.PathLike) -> bool:
    """True when ``path`` ends in ``.zip`` and is a zip file (by its signature)."""
    return str(path).lower().endswith(".zip") and zipfile.is_zipfile(path)


def _unsafe_name(name: str) -> str | None:
    """Why a member name could escape a folder it were unpacked into (None when it is safe)."""
    norm = name.replace("\\", "/")
    if norm.startswith("/") or (len(norm) > 1 and norm[1] == ":"):
        return "absolute member path"
    if ".." in norm.split("/"):
        return "member path with '..'"
    return None


def _refusal(info: zipfile.ZipInfo, limit: int) -> tuple[str, str] | None:
    """(error type, reason) for a member that must not be read, else None."""
    why = _unsafe_name(info.filename)
    if why:
        return HostileFileError.__name__, f"refused: {why}"
    if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        return HostileFileError.__name__, (f"refused: zip bomb ({_size_text(info.compress_size)} inflate to "
                                           f"{_size_text(info.file_size)}, ratio over {MAX_RATIO:.0f}:1)")
    if info.file_size > limit:
        return ResourceLimitError.__name__, (f"refused: member is {_size_text(info.file_size)} inflated, over "
                                             f"the {_size_text(limit)} limit for one archive member")
    return None


def _size_text(n_bytes: int) -> str:
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n_bytes >= size:
            return f"{n_bytes / size:.{0 if n_bytes >= 10 * size else 1}f} {unit}"
    return f"{n_bytes} bytes"


def list_members(path: str | os.PathLike, accept, *, limit: int | None = None):
    """The members of an archive that ``accept`` takes, and the ones refused or passed over.

    Parameters
    ----------
    path : str or path-like
        A zip file.
    accept : callable
        ``accept(member_name) -> (bool, reason)``: whether a member is an activity file (by
        name), and why not.
    limit : int, optional
        Largest inflated member size in bytes (default :data:`MAX_MEMBER_BYTES`).

    Returns
    -------
    members : list of ArchiveMember
    refused : list of (str, str, str)
        ``(display name, error type, reason)`` of members that must not be read.
    passed : list of (str, str)
        ``(display name, reason)`` of members that are not activity files.

    Raises
    ------
    CorruptFileError
        The archive's directory cannot be read.
    """
    limit = MAX_MEMBER_BYTES if limit is None else limit
    members: list[ArchiveMember] = []
    refused: list[tuple[str, str, str]] = []
    passed: list[tuple[str, str]] = []
    try:
        with zipfile.ZipFile(path) as zf:
            _walk(zf, os.fspath(path), (), accept, limit, members, refused, passed)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise CorruptFileError(f"the zip archive cannot be read ({exc})", path) from None
    return members, refused, passed


def _walk(zf, archive, outer, accept, limit, members, refused, passed):
    for info in zf.infolist():
        if info.is_dir():
            continue
        names = (*outer, info.filename)
        display = SEPARATOR.join((archive, *names))
        if posixpath.basename(info.filename).startswith(".") or info.filename.startswith("__MACOSX/"):
            continue  # macOS resource forks and hidden files: never activities
        bad = _refusal(info, limit)
        if bad:
            refused.append((display, *bad))
            continue
        if info.filename.lower().endswith(".zip"):
            if len(names) >= MAX_DEPTH:
                refused.append((display, HostileFileError.__name__,
                                f"refused: archive nested more than {MAX_DEPTH} deep"))
                continue
            try:
                with zf.open(info) as raw, zipfile.ZipFile(_bounded(raw, info.file_size, limit, display)) as inner:
                    _walk(inner, archive, names, accept, limit, members, refused, passed)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
                refused.append((display, CorruptFileError.__name__, f"the inner zip archive cannot be read ({exc})"))
            continue
        ok, reason = accept(info.filename)
        if ok:
            key = f"{'/'.join(names)}:{info.CRC:08x}:{info.file_size}:{info.compress_size}"
            members.append(ArchiveMember(archive, names, info.file_size, key, _zip_time(info)))
        else:
            passed.append((display, reason))


def _zip_time(info: zipfile.ZipInfo) -> float | None:
    import calendar

    try:
        return float(calendar.timegm((*info.date_time, 0, 0, 0)))
    except (TypeError, ValueError, OverflowError):
        return None


def _bounded(raw, declared: int, limit: int, display: str) -> io.BytesIO:
    """An inner archive's bytes in memory, read up to its declared size (and the limit)."""
    data = raw.read(min(declared, limit) + 1)
    if len(data) > declared:
        raise ValueError(f"{display} inflates beyond its declared size")
    return io.BytesIO(data)


def extract_member(member: ArchiveMember, folder: str | os.PathLike, *, limit: int | None = None) -> Path:
    """Inflate one member into ``folder`` (streamed, checked against its declared size and the
    limit as it goes) and return the file's path, named like the member.

    Raises
    ------
    HostileFileError
        The member inflates beyond its declared size (a forged directory entry).
    CorruptFileError
        The member cannot be inflated (bad CRC, damaged data).
    """
    limit = MAX_MEMBER_BYTES if limit is None else limit
    name = member.basename
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name).lstrip(".") or "member"
    target = Path(folder) / safe
    try:
        with zipfile.ZipFile(member.archive) as zf:
            stack = [zf]
            for inner in member.names[:-1]:
                with stack[-1].open(inner) as raw:
                    info = stack[-1].getinfo(inner)
                    stack.append(zipfile.ZipFile(_bounded(raw, info.file_size, limit, member.display)))
            info = stack[-1].getinfo(member.names[-1])
            bound = min(info.file_size, limit)
            written = 0
            with stack[-1].open(info) as src, open(target, "wb") as dst:
                while chunk := src.read(1 << 20):
                    written += len(chunk)
                    if written > bound:
                        raise HostileFileError("refused: member inflates beyond its declared size", member.display)
                    dst.write(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError, NotImplementedError) as exc:
        raise CorruptFileError(f"the archive member cannot be read ({exc})", member.display) from None
    return target


#: Column names of an export's activity list, per meaning (Strava: ``Activity Name``,
#: ``Activity Type``, ``Filename``; Garmin Connect: ``Title``, ``Activity Type``, ``Date``).
_NAME_COLUMNS = ("activity name", "title", "name")
_TYPE_COLUMNS = ("activity type", "type", "sport")
_FILE_COLUMNS = ("filename", "file name", "file")
_DATE_COLUMNS = ("activity date", "date", "start time")


def export_columns(header: list[str]) -> dict | None:
    """Positions of an activity list's ``name``, ``type``, ``file`` and ``date`` columns in a
    CSV header, or None when it is not one (it needs a name and a type column)."""
    header = [h.strip().lower() for h in header]

    def column(options):
        for option in options:
            if option in header:
                return header.index(option)
        return None

    cols = {"name": column(_NAME_COLUMNS), "type": column(_TYPE_COLUMNS), "file": column(_FILE_COLUMNS),
            "date": column(_DATE_COLUMNS)}
    return None if cols["name"] is None or cols["type"] is None else cols


def export_index(text: str) -> list[dict]:
    """Rows of an export's ``activities.csv`` as ``{"name", "type", "file", "date"}`` dicts
    (missing fields are ``""``), or ``[]`` when the table is not an activity list."""
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error:
        return []
    cols = export_columns(rows[0]) if rows else None
    if cols is None:
        return []
    return [{k: (row[i].strip() if i is not None and i < len(row) else "") for k, i in cols.items()}
            for row in rows[1:]]


def read_export_index(archive: str | os.PathLike | None = None, folder: str | os.PathLike | None = None,
                      file: str | os.PathLike | None = None) -> list[dict]:
    """The ``activities.csv`` of an archive (at any depth of its outer level), of a folder, or
    the activity list in ``file``."""
    try:
        if archive is not None:
            with zipfile.ZipFile(archive) as zf:
                for info in zf.infolist():
                    if posixpath.basename(info.filename).lower() == "activities.csv" and \
                            info.file_size < 64 * 1024**2 and _refusal(info, MAX_MEMBER_BYTES) is None:
                        return export_index(zf.read(info).decode("utf-8-sig", "replace"))
        elif folder is not None or file is not None:
            path = Path(file) if file is not None else Path(folder) / "activities.csv"
            if path.is_file() and path.stat().st_size < 64 * 1024**2:
                return export_index(path.read_text(encoding="utf-8-sig", errors="replace"))
    except (zipfile.BadZipFile, OSError, ValueError):
        return []
    return []


def _activity_name(name: str) -> tuple[bool, str]:
    base = posixpath.basename(name.replace("\\", "/")).lower()
    ok = base.endswith(ACTIVITY_EXTENSIONS) and not base.endswith(".truth.csv") and base != "activities.csv"
    return ok, "" if ok else "not an activity file"


def read_archive(path: str | os.PathLike, reader):
    """Read the one activity of a zip archive with ``reader(path) -> Recording``.

    The member is inflated alone into a temporary folder; errors and the recording name it as
    ``<archive>!<member>``.

    Raises
    ------
    NotAnActivityError
        The archive holds no activity file.
    OptionError
        It holds several (``gaitload season`` reads them all).
    HostileFileError, ResourceLimitError
        Its only activity member is refused (unsafe name, too large, a zip bomb).
    """
    import tempfile

    members, refused, _ = list_members(path, _activity_name)
    if not members and refused:
        label, error_type, reason = refused[0]
        error = ResourceLimitError if error_type == ResourceLimitError.__name__ else HostileFileError
        raise error(reason, label)
    if not members:
        raise NotAnActivityError("the zip archive holds no activity file", path)
    if len(members) > 1:
        raise OptionError(f"the zip archive holds {len(members)} activity files; `gaitload season` reads "
                          "them all (analyze reads an archive of one)", path)
    member = members[0]
    with tempfile.TemporaryDirectory(prefix="gaitload-zip-") as tmp:
        inner = extract_member(member, tmp)
        try:
            recording = reader(inner)
        except GaitloadError as exc:
            exc.path = member.display
            exc.problem = exc.problem.replace(str(inner), member.display)
            raise exc from None
    recording.path = member.display
    recording.metadata["archive"] = str(path)
    return recording
