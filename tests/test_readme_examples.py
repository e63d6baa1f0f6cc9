"""Every example of the README runs as written: its Python blocks and its ``gaitload ...`` shell
lines are extracted, the user's files they name are replaced by the bundled sample data, and
they are run (``~`` is a temporary home holding the sample runs as ``~/runs``)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
SAMPLE = REPO / "sample_data"

#: The user's files the README names, and the bundled sample standing in for each.
STAND_INS = {
    "morning_run.fit": "watch_records.csv",
    "run.fit": "watch_records.csv",
    "run.tcx": "watch_records.csv",
    "ride.fit": "watch_records.csv",
    "walk.tcx": "watch_records.csv",
    "tri.fit": "watch_records.csv",
    "run.csv": "hilly_foot_imu.csv",
    "treadmill.csv": "treadmill_shank.csv",
    "race.gpx": "watch_records.csv",  # a course: any recorded activity serves (its times are ignored)
    "export.zip": "export.zip",  # built from the samples by the fixture
}
#: Shell lines that need more than one machine or a file the user writes themselves.
NOT_RUN = {
    "--scheduler": "needs a running Dask cluster (a test runs the same season on a LocalCluster)",
    "my_rules.toml": "a rule file the user writes",
}


def _blocks(kind: str) -> list[str]:
    """The README's fenced blocks of one language (``""``: no language given), in order."""
    blocks, current, lang = [], None, None
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            if current is None:
                current, lang = [], line[3:].strip()
            else:
                if lang == kind:
                    blocks.append("\n".join(current) + "\n")
                current = None
        elif current is not None:
            current.append(line)
    return blocks


def _shell_lines() -> list[str]:
    lines = []
    for block in _blocks(""):
        for line in block.splitlines():
            line = line.split(" #")[0].strip().removeprefix("$ ")  # a transcript's prompt
            if line.startswith("gaitload "):
                lines.append(line)
    return lines


def _substitute(text: str, home: Path) -> str:
    text = re.sub(r"(?<![\w/.~-])runs/", str(home / "runs") + "/", text)  # a transcript's folder of runs
    for name, sample in sorted(STAND_INS.items(), key=lambda kv: -len(kv[0])):
        text = re.sub(rf"(?<![\w/.-]){re.escape(name)}(?![\w-])", str(home / "samples" / sample), text)
    return text


@pytest.fixture()
def home(tmp_path) -> Path:
    """A home folder with the sample runs in ``~/runs`` and stand-ins for the user's files."""
    import zipfile

    shutil.copytree(SAMPLE, tmp_path / "runs")
    (tmp_path / "runs" / "broken.fit").write_bytes(b"\x0e\x10" + b"\xff" * 200)  # a season has bad files too
    shutil.copytree(SAMPLE, tmp_path / "samples")
    with zipfile.ZipFile(tmp_path / "samples" / "export.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for name in ("watch_records.csv", "lumbar_run.csv"):
            zf.write(SAMPLE / name, f"activities/{name}")
    return tmp_path


def _env(home: Path) -> dict:
    return {**os.environ, "HOME": str(home), "PYTHONPATH": str(REPO / "src"), "MPLBACKEND": "Agg"}


def test_every_example_has_its_stand_ins():
    """A new example naming a file not in STAND_INS fails here, fast, instead of on a user."""
    lines = _shell_lines()
    assert len(lines) >= 8 and _blocks("python")
    names = set()
    for line in lines + [ln for b in _blocks("python") for ln in b.splitlines()]:
        names |= set(re.findall(r"[\w.-]+\.(?:fit|tcx|gpx|csv|zip)\b", line))
    outputs = {"runs.csv", "steps.csv", "segments.csv", "weekly_load.csv", "acwr.csv", "skipped.csv",
               "errors.csv", "duplicates.csv", "climb_descent.csv"}
    assert names - outputs <= set(STAND_INS), names - outputs - set(STAND_INS)


@pytest.mark.slow
def test_shell_examples_run(home):
    ran = 0
    for line in _shell_lines():
        if any(key in line for key in NOT_RUN):
            continue
        args = shlex.split(_substitute(line, home).replace("~", str(home)))
        done = subprocess.run([sys.executable, "-m", "gaitload", *args[1:]], cwd=home, env=_env(home),
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, (line, done.stderr[-2000:])
        ran += 1
    assert ran >= 8


@pytest.mark.slow
def test_python_examples_run(home):
    blocks = _blocks("python")
    # the blocks follow one another in a session: the season a later block reads is made first
    code = "\n".join(_substitute(b, home) for b in blocks)
    script = home / "example.py"  # a plain script, no main guard, as a user would write it
    script.write_text(code, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=home, env=_env(home), capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (home / "season" / "runs.parquet").exists()
