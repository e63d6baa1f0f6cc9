"""Command line: ``gaitload analyze | season | formats | rules | simulate``.

This module only parses arguments, calls the public API and prints. Bad input exits with
status 2 and one line on stderr naming the file and the problem; ``--debug`` shows the
traceback for bug reports.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from pathlib import Path

from .errors import GaitloadError

EXIT_OK = 0
EXIT_BUG = 1
EXIT_BAD_INPUT = 2


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks (for bug reports)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gaitload",
        description="Foot strikes, terrain and per-muscle running load from sensor logs.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("analyze", help="analyse one run (IMU CSV, footpod CSV, FIT, TCX, GPX)")
    p.add_argument("path", help="the file to analyse")
    p.add_argument("--placement", choices=["foot", "shank", "lumbar", "wrist", "records"],
                   help="sensor placement (detected from the signal when omitted)")
    p.add_argument("--rules", default="source",
                   help="rule set: source (the article, default), literature, or a TOML file")
    p.add_argument("--out", metavar="DIR", help="write steps.csv, segments.csv, summary.json, emphasis.png")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--rate-hz", type=float, dest="sampling_rate_hz",
                   help="sampling rate for files without a time column")
    p.add_argument("--incline", type=float, metavar="PCT", dest="incline_pct",
                   help="known constant incline in %% (treadmill); overrides altitude")
    _add_common(p)

    s = sub.add_parser("season", help="analyse every run in files, folders or globs")
    s.add_argument("paths", nargs="+", help="files, folders (searched recursively) or globs")
    s.add_argument("--out", metavar="DIR", required=True, help="output folder")
    s.add_argument("--jobs", type=int, help="local worker processes (default: CPU count)")
    s.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://host:8786")
    s.add_argument("--rules", default="source", help="rule set: source, literature or a TOML file")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.add_argument("--no-figures", action="store_true", help="skip the per-run figures (faster)")
    _add_common(s)

    f = sub.add_parser("formats", help="list the file formats gaitload reads")
    _add_common(f)

    r = sub.add_parser("rules", help="show a rule set with its citations")
    r.add_argument("name", nargs="?", help="source, literature or a TOML file (omit to list rule sets)")
    _add_common(r)

    sim = sub.add_parser("simulate", help="write a synthetic run with ground truth", add_help=False)
    sim.add_argument("args", nargs=argparse.REMAINDER)
    return parser


def _print_human(summary: dict) -> None:
    def fmt(value, spec=".0f", unit=""):
        try:
            if value is None or value != value:
                return "n/a"
            return f"{value:{spec}}{unit}"
        except (TypeError, ValueError):
            return str(value)

    print(f"{summary.get('path') or 'run'}  ({summary.get('format')}, placement {summary.get('placement')}, "
          f"rules '{summary.get('rules')}')")
    distance = summary.get("distance_m")
    print(f"  {summary.get('n_steps', 0)} steps over {fmt(summary.get('duration_s', 0) / 60, '.1f', ' min')}, "
          f"{fmt(distance / 1000 if distance == distance and distance is not None else None, '.2f', ' km')}, "
          f"up {fmt(summary.get('elevation_gain_m'), '.0f', ' m')} / down {fmt(abs(summary.get('elevation_loss_m') or 0.0) if summary.get('elevation_loss_m') is not None else None, '.0f', ' m')}")
    print(f"  cadence {fmt(summary.get('cadence_spm'), '.0f', ' steps/min')}, "
          f"contact time {fmt(summary.get('contact_time_ms'), '.0f', ' ms')}")
    terrain = summary.get("terrain_fraction", {})
    print("  terrain by distance: " + ", ".join(f"{k} {fmt(100 * v, '.0f', '%')}" for k, v in terrain.items() if v))
    strikes = summary.get("strike_pattern_fraction", {})
    if strikes and strikes.get("unknown", 0) < 1:
        print("  strike pattern: " + ", ".join(f"{k} {fmt(100 * v, '.0f', '%')}" for k, v in strikes.items() if v))
    shares = summary.get("muscle_share", {})
    emphasis = summary.get("emphasis_vs_flat", {})
    print("  muscle        share   vs level ground")
    for muscle, share in shares.items():
        delta = emphasis.get(muscle)
        delta_txt = fmt(delta, "+.1f", " pts") if isinstance(delta, (int, float)) else str(delta or "")
        print(f"  {muscle:<12} {fmt(100 * share, '5.1f', '%')}   {delta_txt}")
    for warning in summary.get("warnings", []):
        print(f"  ! {warning}")


def _cmd_analyze(args) -> int:
    from .analysis import analyze

    analysis = analyze(args.path, placement=args.placement, sampling_rate_hz=args.sampling_rate_hz,
                       rules=args.rules, incline_pct=args.incline_pct)
    if args.out:
        written = analysis.to_dir(args.out)
        if not args.json:
            print(f"wrote {', '.join(str(p) for p in written.values())}")
    if args.json:
        print(analysis.to_json())
    elif not args.out:
        _print_human(analysis.summary)
    return EXIT_OK


def _cmd_season(args) -> int:
    from .season import season

    result = season(args.paths, args.out, jobs=args.jobs, scheduler=args.scheduler, rules=args.rules,
                    progress=not args.quiet, figures=not args.no_figures)
    print(result.describe())
    return EXIT_OK


def _cmd_formats(args) -> int:
    from .io import readers

    for spec in readers():
        print(f"{spec.name:<12} {' '.join(spec.extensions):<22} {spec.description}")
    return EXIT_OK


def _cmd_rules(args) -> int:
    from .load import load_rules, rule_set_names

    if not args.name:
        for name in rule_set_names():
            print(name)
        return EXIT_OK
    print(load_rules(args.name).describe())
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``gaitload`` command; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "simulate":
        from .simulate import main_simulate

        return _guarded(lambda: main_simulate(argv[1:]), debug="--debug" in argv)
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_BAD_INPUT
    command = {"analyze": _cmd_analyze, "season": _cmd_season, "formats": _cmd_formats,
               "rules": _cmd_rules}[args.command]
    return _guarded(lambda: command(args), debug=args.debug)


def _guarded(run, debug: bool) -> int:
    try:
        return int(run() or 0)
    except GaitloadError as exc:
        if debug:
            traceback.print_exc()
        print(f"gaitload: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("gaitload: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug, not the user's fault: one line, traceback with --debug
        if debug:
            traceback.print_exc()
        print(f"gaitload: internal error ({type(exc).__name__}: {exc}); rerun with --debug and report it",
              file=sys.stderr)
        return EXIT_BUG


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
