"""The command line contract: exit 2 and one line naming the file for bad input; --debug shows the
traceback; outputs are written on success (issue 5.5, 10.4)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gaitload", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


BAD_CONTENT = {
    "empty": b"",
    "whitespace": b"   \n\n  \n",
    "binary": bytes(range(256)) * 8,
    "nul": b"\x00" * 4096,
    "text": b"hello, this is not a recording\nat all\n",
    "header_only": b"time,acc_x,acc_y,acc_z\n",
}


@pytest.mark.parametrize("ext", [".csv", ".txt", ".fit", ".tcx", ".gpx", ""])
@pytest.mark.parametrize("kind", sorted(BAD_CONTENT))
def test_bad_file_exits_2_with_one_line_naming_the_file(tmp_path, kind, ext):
    path = tmp_path / f"bad_{kind}{ext}"
    path.write_bytes(BAD_CONTENT[kind])
    result = run_cli("analyze", str(path))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert path.name in lines[0]
    assert "Traceback" not in result.stderr


def test_missing_file_and_folder(tmp_path):
    result = run_cli("analyze", str(tmp_path / "nope.fit"))
    assert result.returncode == 2 and "no such file" in result.stderr
    result = run_cli("analyze", str(tmp_path))
    assert result.returncode == 2 and "folder" in result.stderr


def test_debug_shows_the_traceback(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = run_cli("analyze", str(path), "--debug")
    assert result.returncode == 2
    assert "Traceback" in result.stderr and "empty.csv" in result.stderr.strip().splitlines()[-1]


def test_formats_lists_every_reader():
    result = run_cli("formats")
    assert result.returncode == 0
    for name in ("imu-csv", "records-csv", "fit", "tcx", "gpx"):
        assert name in result.stdout


def test_rules_lists_and_shows_citations():
    result = run_cli("rules")
    assert result.returncode == 0 and "source" in result.stdout and "literature" in result.stdout
    shown = run_cli("rules", "source")
    assert shown.returncode == 0 and "uphill" in shown.stdout.lower()
    bad = run_cli("rules", "no_such_rules")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_analyze_sample_writes_outputs_and_json(tmp_path, sample_data):
    src = sample_data / "watch_records.csv"
    out = tmp_path / "out"
    result = run_cli("analyze", str(src), "--out", str(out))
    assert result.returncode == 0, result.stderr
    for name in ("steps.csv", "segments.csv", "summary.json", "emphasis.png"):
        assert (out / name).stat().st_size > 0
    summary = json.loads((out / "summary.json").read_text())
    as_json = run_cli("analyze", str(src), "--json")
    assert as_json.returncode == 0
    assert json.loads(as_json.stdout)["n_steps"] == summary["n_steps"] > 0
    human = run_cli("analyze", str(src))
    assert human.returncode == 0 and "quads" in human.stdout and "steps" in human.stdout
