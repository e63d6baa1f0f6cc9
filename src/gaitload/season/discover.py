"""Finding a season's activities: files, folders, globs and zip archives (bulk exports).

Standard library only: a re-run decides from these names and hashes whether anything changed
before the analysis stack is imported.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .. import archive
from ..errors import GaitloadError

__all__ = ["ACTIVITY_EXTENSIONS", "UNSUPPORTED_EXTENSIONS", "Source", "discover", "content_hash"]

#: File endings considered activity files; anything else found in a folder is skipped and listed.
ACTIVITY_EXTENSIONS = archive.ACTIVITY_EXTENSIONS
#: Activity formats gaitload does not read (TomTom binary, Suunto, TrainingPeaks, SportTracks,
#: Polar, Sigma, SRM): listed in skipped.csv as "unsupported format (.ttbin)", not as stray files.
UNSUPPORTED_EXTENSIONS = (".ttbin", ".sml", ".pwx", ".fitlog", ".hrm", ".slf", ".srm", ".xml.gz")
#: Keys whose presence in the first bytes of a ``.json`` file mark an activity export (Strava's
#: activity and streams JSON, Nike Run Club's metrics) rather than any other JSON document.
_ACTIVITY_JSON_KEYS = (b'"latlng"', b'"start_date"', b'"heartrate"', b'"metrics"', b'"start_epoch_ms"',
                       b'"altitude"', b'"distance"')
#: Files the simulator writes beside a run that hold its ground truth, not an activity.
_TRUTH_SUFFIXES = (".truth.csv",)


@dataclass(frozen=True)
class Source:
    """One activity file of a season: a file on disk or a member of a zip archive.

    Attributes
    ----------
    path : Path
        The file on disk (the archive, for a member).
    member : gaitload.archive.ArchiveMember or None
    export : dict or None
        The export's ``activities.csv`` row for it (``name``, ``type``), when there is one.
    """

    path: Path
    member: archive.ArchiveMember | None = None
    export: dict | None = None

    @property
    def label(self) -> str:
        """The name every output table gives it (``export.zip!activities/1.fit.gz`` for a member)."""
        return self.member.display if self.member else str(self.path)

    @property
    def stem(self) -> str:
        name = self.member.basename if self.member else self.path.name
        for ext in (".gz", ".fit", ".tcx", ".gpx", ".csv", ".txt"):
            if name.lower().endswith(ext):
                name = name[: -len(ext)]
        return name if not self.member else f"{Path(self.member.archive).stem}_{name}"


def _json_reason(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536)
    except OSError:
        head = b""
    return _json_head_reason(head)


def _json_head_reason(head: bytes) -> str:
    if any(key in head for key in _ACTIVITY_JSON_KEYS):
        return "unsupported format (.json activity export)"
    return "not an activity file type (.json)"


def name_verdict(name: str) -> tuple[bool, str]:
    """Whether a file name is an activity file gaitload reads, and why not."""
    base = name.replace("\\", "/").split("/")[-1].lower()
    if base.startswith("."):
        return False, "hidden file"
    if base.endswith(_TRUTH_SUFFIXES):
        return False, "simulator ground-truth file, not an activity"
    if base.endswith(ACTIVITY_EXTENSIONS):
        return True, ""
    for ext in UNSUPPORTED_EXTENSIONS:
        if base.endswith(ext) or base.endswith(ext + ".gz"):
            return False, f"unsupported format ({ext})"
    suffix = Path(base).suffix
    return False, f"not an activity file type ({suffix or 'no extension'})"


def _archive_sources(path: Path, skipped: list, refused: list) -> list[Source]:
    """The activity members of an archive, with its activities.csv names; refused members go
    to ``refused`` as (label, error type, reason), other members to ``skipped``."""
    def accept(name):
        if name.lower().endswith("activities.csv"):
            return False, ACTIVITY_LIST
        ok, reason = name_verdict(name)
        return ok, reason

    try:
        members, bad, passed = archive.list_members(path, accept)
    except GaitloadError as exc:
        refused.append((str(path), type(exc).__name__, str(exc)))
        return []
    refused.extend(bad)
    for label, reason in passed:
        if reason == "not an activity file type (.json)":
            reason = _json_reason_member(label, reason)
        skipped.append((label, reason))
    index = {row["file"].replace("\\", "/").lower(): row
             for row in archive.read_export_index(archive=path) if row.get("file")}
    out = []
    for member in members:
        row = index.get(member.names[-1].lower()) or index.get(member.names[-1].lower().removesuffix(".gz"))
        out.append(Source(path, member, {"name": row["name"], "type": row["type"]} if row else None))
    return out


def _json_reason_member(label: str, reason: str) -> str:
    # a member's head is not read here (the archive is listed, not inflated): a .json member of an
    # export is an activity in another format when the export keeps activities in that folder
    return "unsupported format (.json activity export)" if "/activities/" in f"/{label.split(archive.SEPARATOR, 1)[-1]}" \
        else reason


def discover(paths: Iterable[str | os.PathLike], out_dir: str | os.PathLike | None = None) -> tuple[list[Path], list[tuple[str, str]]]:
    """Expand files, folders (recursively), globs and zip archives into activity files.

    Returns
    -------
    files : list of Path
        Sorted, without duplicates; a member of an archive as ``archive.zip!member``.
    skipped : list of (str, str)
        Files passed over and the reason.
    """
    sources, skipped, _, refused = discover_sources(paths, out_dir)
    skipped = skipped + [(label, reason) for label, _, reason in refused]
    return [Path(s.label) for s in sources], skipped


def discover_sources(paths, out_dir=None):
    """:func:`discover` as :class:`Source` objects.

    Returns
    -------
    sources : list of Source
    skipped : list of (str, str)
    explicit : set of Path
        Files named explicitly (not found by walking or globbing).
    refused : list of (str, str, str)
        Archive members refused (label, error type, reason): unsafe, too large, a zip bomb.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    explicit: set[Path] = set()
    out_resolved = Path(out_dir).resolve() if out_dir is not None else None
    found: dict[Path, None] = {}
    skipped: list[tuple[str, str]] = []
    for item in paths:
        item_str = os.fspath(item)
        is_glob = any(ch in item_str for ch in "*?[")
        if is_glob:
            candidates = [Path(p) for p in sorted(glob.glob(item_str, recursive=True))]
            if not candidates:
                skipped.append((item_str, "glob matched no file"))
        else:
            candidates = [Path(item_str)]
        for cand in candidates:
            if cand.is_dir():
                for sub in sorted(p for p in cand.rglob("*") if p.is_file()):
                    if out_resolved is not None and out_resolved in sub.resolve().parents:
                        continue
                    ok, reason = _walked_verdict(sub)
                    if ok:
                        found[sub] = None
                    elif reason:
                        skipped.append((str(sub), reason))
            elif cand.is_file():
                ok, reason = _walked_verdict(cand)
                if ok or (not reason.startswith("unsupported") and cand.suffix.lower() not in ("", ".md", ".json")):
                    found[cand] = None  # named explicitly: try it, the reader will say if it is not one
                    if not is_glob:
                        explicit.add(cand)
                else:
                    skipped.append((str(cand), reason))
            elif not is_glob:
                skipped.append((str(cand), "no such file or folder"))
    sources: list[Source] = []
    refused: list[tuple[str, str, str]] = []
    indexes: dict[Path, dict] = {}
    for path in sorted(found):
        if path.name.lower().endswith(".zip"):
            sources.extend(_archive_sources(path, skipped, refused))
        else:
            sources.append(Source(path, None, _folder_export_row(path, indexes)))
    return sources, skipped, explicit, refused


def date_index(paths, out_dir=None) -> list[dict]:
    """The rows of every activity list (``activities.csv``) found among ``paths`` that name
    activities by their start date rather than by file (Garmin Connect's list): matched to runs
    by start time once they are analysed (:func:`gaitload.season.tables.name_by_date`)."""
    rows: list[dict] = []
    for item in [paths] if isinstance(paths, (str, os.PathLike)) else paths:
        item = Path(os.fspath(item))
        found = [item] if item.is_file() else sorted(item.rglob("*.csv")) if item.is_dir() else []
        for csv_path in found:
            if out_dir is not None and Path(out_dir).resolve() in csv_path.resolve().parents:
                continue
            if csv_path.name.lower().endswith(".csv") and _is_activity_list(csv_path):
                rows.extend(r for r in archive.read_export_index(file=csv_path) if r.get("date") and not r.get("file"))
    return rows


def _walked_verdict(path: Path) -> tuple[bool, str]:
    """Like :func:`name_verdict`, with zip archives accepted, a folder export's activity list
    passed over silently, and a ``.json`` told apart by its first bytes."""
    name = path.name.lower()
    if name.endswith(".zip") and not name.startswith("."):
        return True, ""
    if name.endswith(".csv") and _is_activity_list(path):
        return False, ACTIVITY_LIST
    ok, reason = name_verdict(path.name)
    if not ok and reason == "not an activity file type (.json)":
        reason = _json_reason(path)
    return ok, reason


#: skipped.csv reason of an export's list of activities (read for names and sports).
ACTIVITY_LIST = "an export's list of activities (names and sports are read from it)"


def _is_activity_list(path: Path) -> bool:
    """True for a CSV whose header is an export's activity list (Strava's or Garmin Connect's)."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as fh:
            head = fh.readline(4096)
    except OSError:
        return False
    try:
        header = next(csv.reader([head]))
    except (csv.Error, StopIteration):
        return False
    return archive.export_columns(header) is not None


def _folder_export_row(path: Path, indexes: dict) -> dict | None:
    """The ``activities.csv`` row of a file of an unpacked export (the list sits in the export's
    top folder, files in ``activities/``), or None."""
    for folder in (path.parent, path.parent.parent):
        if folder not in indexes:
            indexes[folder] = {row["file"].replace("\\", "/").split("/")[-1].lower(): row
                               for row in archive.read_export_index(folder=folder) if row.get("file")}
        row = indexes[folder].get(path.name.lower())
        if row:
            return {"name": row["name"], "type": row["type"]}
    return None


def content_hash(path: Path, chunk_bytes: int = 1 << 20) -> str:
    """SHA-256 of the file's bytes (streamed)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(chunk_bytes), b""):
            digest.update(chunk)
    return digest.hexdigest()


def source_digest(source: Source, file_digest: str) -> str:
    """A source's content key: the file's hash, or for an archive member the archive's hash is
    not needed, only the member's own directory entry (name, CRC-32, sizes)."""
    if source.member is None:
        return file_digest
    return hashlib.sha256(source.member.key.encode("utf-8", "surrogateescape")).hexdigest()
