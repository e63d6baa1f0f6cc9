"""The ``gaitload`` process: commands import only what they use, and ending the process without
the collector's last walk (:func:`gaitload.cli._skip_exit_collection`) loses no output."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

import gaitload
from gaitload import cli

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def _heavy_modules_after(*args: str) -> set[str]:
    code = ("import sys; from gaitload.cli import main; main(sys.argv[1:]); "
            "print(' '.join(m for m in ('matplotlib', 'scipy.signal') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True,
                         timeout=300)
    return set(out.stdout.splitlines()[-1].split()) if out.stdout.strip() else set()


@pytest.mark.parametrize("args", [("formats",), ("rules",), ("rules", "source"),
                                  ("analyze", str(SAMPLE / "watch_records.csv"), "--json")],
                         ids=["formats", "rules", "rules-source", "analyze-json"])
def test_commands_without_a_figure_do_not_import_matplotlib(args):
    assert "matplotlib" not in _heavy_modules_after(*args)


def test_process_writes_what_the_api_writes(tmp_path):
    """The command's files, after its quick exit, are byte for byte the in-process ones."""
    src = SAMPLE / "watch_records.csv"
    result = subprocess.run([sys.executable, "-m", "gaitload", "analyze", str(src), "--out", str(tmp_path / "cli")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("wrote ")
    gaitload.analyze(src).to_dir(tmp_path / "api")
    for name in ("steps.csv", "segments.csv", "summary.json", "emphasis.png"):
        assert (tmp_path / "cli" / name).read_bytes() == (tmp_path / "api" / name).read_bytes(), name


def test_exit_hook_is_registered_once(capsys, monkeypatch):
    registered = [print]  # another exit handler stays

    def unregister(func):  # as atexit.unregister: every registration of func goes
        registered[:] = [g for g in registered if g != func]

    monkeypatch.setattr(cli.atexit, "register", registered.append)
    monkeypatch.setattr(cli.atexit, "unregister", unregister)
    cli.main(["formats"])
    cli.main(["formats"])
    capsys.readouterr()
    assert registered == [print, gc.freeze]


@pytest.mark.parametrize("enabled", [True, False])
def test_collector_paused_for_analyze_then_restored(enabled, capsys):
    seen = []
    before = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with cli._no_cycle_collection():
            seen.append(gc.isenabled())
        assert gc.isenabled() is enabled
        assert gc.get_freeze_count() == 0  # nothing left frozen for an in-process caller
    finally:
        (gc.enable if before else gc.disable)()
    assert seen == [False]


def test_collector_restored_after_a_failed_analyze(tmp_path, capsys):
    assert cli.main(["analyze", str(tmp_path / "missing.csv")]) == cli.EXIT_BAD_INPUT
    assert gc.isenabled() and gc.get_freeze_count() == 0
