"""CLI contract on bad input (issue 10): ``python -m gaitload analyze BAD`` exits 2 with exactly
one line on stderr that names the file, never a traceback; ``--debug`` shows the traceback.

One representative input per kind of damage. Each case runs through ``gaitload.cli.main`` in
this process (exit status and stderr captured), and a subset through a real
``python -m gaitload`` subprocess (about 1-2 s of interpreter start-up each on a busy machine);
``-m slow`` runs every case as a subprocess.
"""

from __future__ import annotations

import gzip
import os
import struct
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from gaitload.errors import GaitloadError

REPO = Path(__file__).resolve().parents[1]
_TCX = ('<?xml version="1.0"?>\n{dtd}\n<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/'
        'TrainingCenterDatabase/v2"><Activities><Activity Sport="Running"><Id>2020-01-01T00:00:00Z</Id>'
        '<Lap StartTime="2020-01-01T00:00:00Z"><Track><Trackpoint><Time>2020-01-01T00:00:00Z</Time>'
        '<AltitudeMeters>{text}</AltitudeMeters></Trackpoint></Track></Lap></Activity></Activities>'
        '</TrainingCenterDatabase>')
_GPX = ('<?xml version="1.0"?>\n{dtd}\n<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1">'
        '{body}</gpx>')
_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)) + "]>")


def _imu(n: int) -> bytes:
    return b"time,acc_x,acc_y,acc_z\n" + b"".join(f"{i / 100:.2f},0.1,0.2,1.0\n".encode() for i in range(n))


def _make_inputs(root: Path) -> dict[str, tuple[Path, str]]:
    """name -> (path, the GaitloadError class expected, or "" for any subclass)."""
    root.mkdir(parents=True, exist_ok=True)
    cases: dict[str, tuple[bytes | None, str, str]] = {
        "zero_bytes": (b"", "empty.csv", "EmptyFileError"),
        "whitespace": (b"  \n\n", "blank.txt", "EmptyFileError"),
        "binary_fit": (bytes(range(256)) * 40, "junk.fit", "UnsupportedFormatError"),
        "binary_noext": (b"\x7fELF" + bytes(500), "program", "UnsupportedFormatError"),
        "fit_claims_gb": (struct.pack("<BBHI4sH", 14, 0x20, 2140, 0xFFFFFFF0, b".FIT", 0) + bytes(64),
                          "claims.fit", "CorruptFileError"),
        "billion_laughs": (_TCX.format(dtd=_LAUGHS, text="&lol9;").encode(), "laughs.tcx", "HostileFileError"),
        "xxe": (_GPX.format(dtd='<!DOCTYPE g [<!ENTITY x SYSTEM "file:///etc/passwd">]>', body="&x;").encode(),
                "xxe.gpx", "HostileFileError"),
        "malformed_xml": (_TCX.format(dtd="", text="1")[:-30].encode(), "cut.tcx", "CorruptFileError"),
        "route_gpx": (_GPX.format(dtd="", body='<rte><rtept lat="46" lon="14"/><rtept lat="46.1" lon="14"/></rte>').encode(),
                      "route.gpx", "NotAnActivityError"),
        "one_row": (_imu(1), "one_row.csv", "SignalError"),
        "header_only": (b"time,acc_x,acc_y,acc_z\n", "header.csv", "EmptyFileError"),
        "junk_columns": (("a,b,c,d,e,f,g,h,i,j\n" + "x,y,z,1,2,3,4,5,6,7\n" * 40).encode(), "junk.csv", ""),
        "html": (b"<html><body>404</body></html>", "page.csv", "UnsupportedFormatError"),
        "broken_gzip": (gzip.compress(_imu(3000))[:200], "cut.csv.gz", ""),
        "ragged": (_imu(100) + b"1,2,3,4,5,6,7,8\n" + _imu(100)[23:], "ragged.csv", "CorruptFileError"),
        "newline_name": (b"", "two\nlines.csv", "EmptyFileError"),
    }
    out = {}
    for key, (data, name, expected) in cases.items():
        path = root / name
        path.write_bytes(data)
        out[key] = (path, expected)
    sparse = root / "sparse.csv"
    with open(sparse, "wb") as fh:
        fh.write(_imu(100))
        fh.truncate(3 * 1024**3)
    out["sparse_3gb"] = (sparse, "ResourceLimitError")
    out["missing"] = (root / "does_not_exist.fit", "GaitloadError")
    out["directory"] = (root, "GaitloadError")
    return out


def _run(args: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "gaitload", *args], capture_output=True, text=True,
                          timeout=120, cwd=REPO, env=env)


#: Cases also run as real subprocesses in the default run (one per family of damage).
SUBPROCESS_CASES = ["zero_bytes", "billion_laughs", "sparse_3gb", "newline_name"]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    return _make_inputs(tmp_path_factory.mktemp("cli_bad"))


def _subprocess_results(inputs, keys):
    with ThreadPoolExecutor(max_workers=2) as pool:
        procs = dict(zip(keys, pool.map(lambda key: _run(["analyze", str(inputs[key][0])]), keys)))
    return {key: (inputs[key][0], inputs[key][1], procs[key]) for key in keys}


@pytest.fixture(scope="module")
def results(inputs):
    return _subprocess_results(inputs, SUBPROCESS_CASES)


def _in_process(args: list[str]) -> subprocess.CompletedProcess:
    """``gaitload.cli.main(args)`` with stdout/stderr captured, shaped like a subprocess result."""
    import contextlib
    import io

    from gaitload.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(args)
    return subprocess.CompletedProcess(args, status, out.getvalue(), err.getvalue())


CASES = ["zero_bytes", "whitespace", "binary_fit", "binary_noext", "fit_claims_gb", "billion_laughs", "xxe",
         "malformed_xml", "route_gpx", "one_row", "header_only", "junk_columns", "html", "broken_gzip", "ragged",
         "newline_name", "sparse_3gb", "missing", "directory"]


def _shown(path: Path) -> str:
    """The file name as the one-line message shows it (control characters escaped)."""
    return str(GaitloadError("x", path)).rsplit(": x", 1)[0].rsplit("/", 1)[-1]


def _check(path: Path, expected: str, proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 2, f"exit {proc.returncode}; stderr: {proc.stderr!r}"
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {lines!r}"
    line = lines[0]
    assert line.startswith("gaitload: ") and "internal error" not in line
    assert _shown(path) in line, line
    assert proc.stdout == ""
    if expected and expected != "GaitloadError":
        # the class is not printed; the message is the class's own, checked through the API
        from gaitload import analyze

        with pytest.raises(GaitloadError) as info:
            analyze(path)
        assert type(info.value).__name__ == expected, info.value
        assert str(info.value) in line


@pytest.mark.parametrize("key", CASES)
def test_bad_input_exits_2_with_one_line(inputs, key):
    path, expected = inputs[key]
    _check(path, expected, _in_process(["analyze", str(path)]))


@pytest.mark.parametrize("key", SUBPROCESS_CASES)
def test_bad_input_subprocess(results, key):
    _check(*results[key])


@pytest.mark.slow
def test_every_case_as_a_subprocess(inputs):
    for key, (path, expected, proc) in _subprocess_results(inputs, CASES).items():
        _check(path, expected, proc)


def test_every_case_is_checked(inputs):
    assert sorted(CASES) == sorted(inputs)


def test_debug_shows_the_traceback(inputs):
    path = inputs["one_row"][0]
    proc = _run(["analyze", str(path), "--debug"])
    assert proc.returncode == 2
    assert "Traceback (most recent call last)" in proc.stderr
    assert "SignalError" in proc.stderr
    assert proc.stderr.rstrip().splitlines()[-1].startswith("gaitload: ")


def test_bad_rules_file_is_one_line(tmp_path):
    """A bad option value (a rules file that is not TOML) is bad input too, not a crash."""
    rules = tmp_path / "rules.toml"
    rules.write_text("this is = = not toml [", encoding="utf-8")
    data = tmp_path / "run.csv"
    data.write_bytes(_imu(50))
    proc = _in_process(["analyze", str(data), "--rules", str(rules)])
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.splitlines()) == 1
    assert "rules.toml" in proc.stderr or "run.csv" in proc.stderr


@pytest.mark.parametrize("command", ["analyze", "season"])
@pytest.mark.parametrize("out_kind", ["existing_file", "under_a_file"])
def test_unusable_out_folder_is_bad_input(tmp_path, command, out_kind):
    """--out naming a file (or a folder under a file) is the user's mistake: exit 2, one line."""
    blocker = tmp_path / "taken"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    out = blocker if out_kind == "existing_file" else blocker / "sub"
    data = tmp_path / "in" / "run.csv"
    data.parent.mkdir()
    from gaitload.simulate import simulate_run

    simulate_run(duration_s=30, placement="records", seed=1).write_csv(data)
    args = ["analyze", str(data), "--out", str(out)] if command == "analyze" else \
        ["season", str(data.parent), "--out", str(out), "--jobs", "1", "--quiet", "--no-figures"]
    proc = _in_process(args)
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and "output folder" in proc.stderr and "taken" in proc.stderr
    assert blocker.read_text(encoding="utf-8") == "a file, not a folder"
