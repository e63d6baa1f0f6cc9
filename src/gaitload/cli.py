"""Command line: ``gaitload analyze | activities | season | plan | formats | rules | simulate``.

This module only parses arguments, calls the public API and prints. Bad input exits with
status 2 and one line on stderr naming the file and the problem; ``--debug`` shows the
traceback for bug reports.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import json
import os
import sys
import traceback
from pathlib import Path

from .errors import GaitloadError, OptionError

EXIT_OK = 0
EXIT_BUG = 1
EXIT_BAD_INPUT = 2


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks (for bug reports)")


def _positive_int(text: str) -> int:
    """argparse type of ``--jobs``: an integer of at least 1 (usage error, exit 2, otherwise)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


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
    p.add_argument("--out", metavar="DIR", help="write steps.csv, segments.csv, climbs.csv, summary.json, emphasis.png")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--rate-hz", type=float, dest="sampling_rate_hz",
                   help="sampling rate for files without a time column")
    p.add_argument("--incline", type=float, metavar="PCT", dest="incline_pct",
                   help="known constant incline in %% (treadmill, -40 to 40); overrides altitude")
    p.add_argument("--any-sport", action="store_true",
                   help="analyse a file whose sport is not on foot (cycling, swimming...) as if it were a run")
    p.add_argument("--cadence-unit", choices=["steps/min", "strides/min"],
                   help="unit of a watch file's cadence when its sport does not decide it (e.g. a walk "
                        "exported as 'Other': --any-sport --cadence-unit strides/min)")
    p.add_argument("--activity", type=int, metavar="K",
                   help="which activity of a file holding several (0-based, as listed by `gaitload activities FILE`; "
                        "default: the first on foot)")
    p.add_argument("--detector-option", action="append", default=[], metavar="NAME=VALUE", dest="detector_options",
                   help="a parameter of the step detector, e.g. ic_method=gyro_min (repeatable; the foot "
                        "detector's are listed by gaitload.events.FootOptions())")
    _add_common(p)

    a = sub.add_parser("activities", help="list the activities one file holds (a FIT multisport, a TCX "
                                          "or GPX with several): the K of analyze --activity K")
    a.add_argument("path", help="the file to list")
    _add_common(a)

    s = sub.add_parser("season", help="analyse every run in files, folders or globs")
    s.add_argument("paths", nargs="+", help="files, folders (searched recursively) or globs")
    s.add_argument("--out", metavar="DIR", required=True, help="output folder")
    s.add_argument("--jobs", type=_positive_int, help="local worker processes, at least 1 (default: CPU count)")
    s.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://host:8786")
    s.add_argument("--rules", default="source", help="rule set: source, literature or a TOML file")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.add_argument("--no-figures", action="store_true", help="skip the per-run figures (faster)")
    s.add_argument("--tz", default="local", help="the runner's time zone for days and weeks, e.g. Europe/Paris "
                                                  "(default: this computer's)")
    _add_common(s)

    pl = sub.add_parser("plan", help="forecast a planned course: finish time, splits, climbs, per-muscle load")
    pl.add_argument("course", help="GPX route or track, TCX or FIT course, or a recorded activity (times ignored)")
    pl.add_argument("--pace", help="flat pace, e.g. 5:00/km or 8:00/mi (2:30-15:00/km)")
    pl.add_argument("--speed", type=float, metavar="M/S", dest="flat_speed_mps", help="flat speed in m/s instead of --pace")
    pl.add_argument("--cadence", type=float, metavar="SPM", dest="flat_cadence", help="your flat cadence, steps/min")
    pl.add_argument("--season", metavar="DIR", help="a `gaitload season` output folder: your flat speed and cadence, "
                                                    "and the course against your last 8 weeks")
    pl.add_argument("--rules", default="source", help="rule set: source, literature or a TOML file")
    pl.add_argument("--out", metavar="DIR", help="write plan.csv, climbs.csv, summary.json, plan.png")
    pl.add_argument("--json", action="store_true", help="print the summary as JSON")
    pl.add_argument("--any-sport", action="store_true", help="forecast a course whose sport is not on foot")
    _add_common(pl)

    f = sub.add_parser("formats", help="list the file formats gaitload reads")
    _add_common(f)

    r = sub.add_parser("rules", help="show a rule set with its citations")
    r.add_argument("name", nargs="?", help="source, literature or a TOML file (omit to list rule sets)")
    _add_common(r)

    # listed for --help only: main() hands `simulate` and its arguments to simulate_command
    sim = sub.add_parser("simulate", help="write a synthetic run with ground truth", add_help=False)
    sim.add_argument("args", nargs=argparse.REMAINDER)
    # an unknown option is reported with the usage of the command it was given to
    parser.set_defaults(_commands={"analyze": p, "activities": a, "season": s, "plan": pl, "formats": f, "rules": r})
    return parser


def _fmt(value, spec: str = ".0f", unit: str = "") -> str:
    """A number for people: ``n/a`` when missing, never ``-0`` (a value that rounds to zero)."""
    try:
        if value is None or value != value:
            return "n/a"
        text = f"{value:{spec}}"
        if text.lstrip("+-").strip("0.") == "" and text.startswith("-"):
            text = f"{0.0:{spec}}"  # -0.0 or a tiny negative that rounds to zero
        return f"{text}{unit}"
    except (TypeError, ValueError):
        return str(value)


def _known(value) -> bool:
    return isinstance(value, (int, float)) and value == value


def _fractions(fractions: dict, skip: tuple = ()) -> list[str]:
    """``"uphill 36%"`` items, leaving out classes that round to 0 %."""
    return [f"{k} {_fmt(100 * v, '.0f', '%')}" for k, v in fractions.items()
            if k not in skip and _known(v) and round(100 * v) > 0]


def _print_human(summary: dict) -> None:
    fmt = _fmt
    sport = summary.get("sport")
    print(f"{summary.get('path') or 'run'}  ({summary.get('format')}"
          + (f", {sport}" if sport else "")
          + f", placement {summary.get('placement')}, rules '{summary.get('rules')}')")
    from .totals import watch_lines

    for line in watch_lines(summary):  # timer, distance, pace, average cadence first, as a watch app
        print("  " + line)
    n_steps = int(summary.get("n_steps") or 0)
    distance = summary.get("distance_m")
    duration = summary.get("duration_s")
    gain, loss = summary.get("elevation_gain_m"), summary.get("elevation_loss_m")
    estimated = " (estimated from speed)" if summary.get("cadence_source") == "estimated" else ""
    # duration_s is the elapsed time, pauses included: named, beside the watch's timer time above
    parts = [f"{n_steps} step{'' if n_steps == 1 else 's'}{' (estimated)' if estimated else ''} over "
             f"{fmt(duration / 60 if _known(duration) else None, '.1f', ' min')}"
             + (" elapsed" if _known(duration) else ""),
             f"{fmt(distance / 1000, '.2f', ' km')}" if _known(distance) else "distance unknown"]
    if _known(gain) or _known(loss):
        parts.append(f"up {fmt(gain, '.0f', ' m')} / down {fmt(abs(loss) if _known(loss) else None, '.0f', ' m')}")
    else:
        parts.append("elevation unknown")
    print("  " + ", ".join(parts))
    # with the watch's average cadence shown above, this one is named for what it is
    per_step = "median per step: " if _known(summary.get("avg_cadence_spm")) else ""
    print(f"  {per_step}cadence {fmt(summary.get('cadence_spm'), '.0f', ' steps/min')}{estimated}, "
          f"contact time {fmt(summary.get('contact_time_ms'), '.0f', ' ms')}")
    terrain = summary.get("terrain_fraction") or {}
    known = _fractions(terrain, skip=("unknown",))
    if known:
        unknown = terrain.get("unknown", 0.0)
        tail = f", unknown {fmt(100 * unknown, '.0f', '%')}" if _known(unknown) and round(100 * unknown) > 0 else ""
        print("  terrain by distance: " + ", ".join(known) + tail)
    else:
        provenance = summary.get("provenance") or {}
        altitude = str((provenance.get("terrain") or {}).get("altitude", ""))
        if altitude in ("", "none") and "altitude" in (provenance.get("channels") or {}):
            # the file has altitude, but without a distance there is no grade to classify
            print("  terrain unknown" + ("" if _known(distance) else " (no distance)"))
        else:
            print("  terrain unknown" + (" (no altitude)" if altitude in ("", "none") else ""))
    strikes = summary.get("strike_pattern_fraction") or {}
    if _fractions(strikes, skip=("unknown",)):
        print("  strike pattern: " + ", ".join(_fractions(strikes)))
    walk = summary.get("walk_fraction")
    if _known(walk) and round(100 * walk) > 0:
        print(f"  walking {fmt(100 * walk, '.0f', '%')} of steps (own rules; left out of the level-ground comparison)")
    shares = summary.get("muscle_share") or {}
    emphasis = summary.get("emphasis_vs_flat") or {}
    ratio = summary.get("load_vs_level") or {}
    if n_steps == 0 or not any(_known(v) for v in shares.values()):
        print("  no steps: no muscle load")
    else:
        # share change (what the terrain did to the mix) and load ratio (how much more work)
        print("  muscle        share   vs level ground: share / load")
        for muscle, share in shares.items():
            delta, times = emphasis.get(muscle), ratio.get(muscle)
            delta_txt = fmt(delta, "+.1f", " pts") if isinstance(delta, (int, float)) else str(delta or "")
            times_txt = fmt(times, ".2f", "x") if isinstance(times, (int, float)) else ""
            print(f"  {muscle:<12} {fmt(100 * share, '5.1f', '%')}   {delta_txt:>8} / {times_txt}")
    from .briefing import brief  # one line per theme, most important first; --json lists all

    for warning in brief(summary.get("warnings", [])):
        print(f"  ! {warning}")


@contextlib.contextmanager
def _no_cycle_collection():
    """Pause the garbage collector's cycle search (reference counting still frees memory).

    Importing scipy.signal and matplotlib and building the figure allocate millions of
    objects, which set off full collections that walk all of them: ~0.1 s of an ``analyze``
    of an hour's run, for garbage that one run hardly makes (same peak memory, ~305 MB, on
    that run with and without). The collector is restored afterwards, so an in-process
    caller keeps its own setting.
    """
    enabled = gc.isenabled()
    frozen = gc.get_freeze_count()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if not frozen:
                # hand the run's objects to the oldest generation: left in the youngest, the
                # first collection after enabling would walk all of them (~50 ms)
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _single_threaded_blas() -> None:
    """One OpenBLAS thread for a command that analyses one run, unless the user chose a number.

    numpy and scipy each load an OpenBLAS whose threads spin for a while after every call.
    One run's products are too thin for them to pay (samples ``(n, 3)`` against a 3-vector or
    into a 3x3 covariance), so their spinning was pure cost: 0.4-0.7 s of the 2.5-2.8 s of CPU
    of an ``analyze --out`` of an hour of foot IMU, on the second core (same output files, byte
    for byte). OpenBLAS reads the variable when it loads, so this must run before numpy is
    imported; in a process that already has numpy it does nothing.
    """
    if "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _cmd_analyze(args) -> int:
    _single_threaded_blas()
    from .analysis import analyze

    with _no_cycle_collection():
        return _analyze_and_report(analyze, args)


def _option_value(text: str):
    """A ``--detector-option`` value: a Python literal (number, ``-1,8`` pair), true/false/none, else the text."""
    import ast

    low = text.strip().lower()
    if low in ("true", "false", "none"):
        return {"true": True, "false": False, "none": None}[low]
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text.strip()


def _detector_options(pairs: list[str]) -> dict:
    """``NAME=VALUE`` texts as a mapping (a malformed one is an OptionError: one line, exit 2)."""
    from .errors import OptionError

    options = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise OptionError(f"--detector-option needs NAME=VALUE, got {pair!r}")
        options[name.strip()] = _option_value(value)
    return options


def _analyze_and_report(analyze, args) -> int:
    hints = {"cadence_unit": args.cadence_unit} if args.cadence_unit else {}
    if args.activity is not None:
        hints["activity"] = args.activity
    analysis = analyze(args.path, placement=args.placement, sampling_rate_hz=args.sampling_rate_hz,
                       rules=args.rules, incline_pct=args.incline_pct, sport_check=not args.any_sport,
                       detector_options=_detector_options(args.detector_options) or None, **hints)
    if args.out:
        written = analysis.to_dir(args.out)
        if not args.json:
            print(f"wrote {', '.join(str(p) for p in written.values())}")
    if args.json:
        print(analysis.to_json())
    else:  # with --out too: what was written, then what the run was
        _print_human(analysis.summary)
    return EXIT_OK


def activity_lines(table) -> list[str]:
    """One line per row of :func:`gaitload.activities`: index, sport, start, elapsed and timer
    time, distance, on foot or not.

    Parameters
    ----------
    table : pandas.DataFrame
        As returned by :func:`gaitload.activities` (start in UTC with the wearer's offset where
        known, times in s, distance in m). Starts are shown in local time with their offset
        (``+02:00``) where the file gives it, else in UTC.

    Returns
    -------
    list of str
        A header line, then one line per activity.
    """
    import pandas as pd

    from .io.activity import utc_offset_text
    from .totals import format_duration

    width = max([5, *(len(str(sport)) for sport in table["sport"])])
    lines = [f"{'K':>2}  {'sport':<{width}}  {'start':<23}  {'elapsed':>8}  {'timer':>8}  {'distance':>9}  on foot"]
    for row in table.itertuples(index=False):
        if row.start_time is None or row.start_time != row.start_time:
            start = "unknown"
        elif row.utc_offset_s == row.utc_offset_s:  # known offset: the wearer's local time
            local = row.start_time + pd.Timedelta(minutes=round(row.utc_offset_s / 60.0))
            start = f"{local:%Y-%m-%d %H:%M} {utc_offset_text(row.utc_offset_s)}"
        else:
            start = f"{row.start_time:%Y-%m-%d %H:%M} UTC"
        lines.append(f"{row.activity:>2}  {str(row.sport):<{width}}  {start:<16}  {format_duration(row.elapsed_time_s):>8}  "
                     f"{format_duration(row.timer_time_s):>8}  {_fmt(row.distance_m / 1000, '.2f', ' km'):>9}  "
                     f"{'yes' if row.on_foot else 'no'}")
    return lines


def _cmd_activities(args) -> int:
    _single_threaded_blas()
    from . import activities

    for line in activity_lines(activities(args.path)):
        print(line)
    return EXIT_OK


def _cmd_season(args) -> int:
    from .season import season

    result = season(args.paths, args.out, jobs=args.jobs, scheduler=args.scheduler, rules=args.rules,
                    progress=not args.quiet, figures=not args.no_figures, tz=args.tz)
    print(result.describe())
    return EXIT_OK


def _cmd_plan(args) -> int:
    _single_threaded_blas()
    from .forecast import plan

    with _no_cycle_collection():
        result = plan(args.course, pace=args.pace, flat_speed_mps=args.flat_speed_mps, season=args.season,
                      rules=args.rules, flat_cadence=args.flat_cadence, sport_check=not args.any_sport)
        if args.out:
            written = result.to_dir(args.out)
            if not args.json:
                print(f"wrote {', '.join(str(p) for p in written.values())}")
    print(result.to_json() if args.json else result.describe())
    return EXIT_OK


class _SimulateParser(argparse.ArgumentParser):
    def error(self, message):  # one-line typed error instead of argparse's exit
        raise OptionError(f"simulate: {message}")


def _simulate_parser() -> argparse.ArgumentParser:
    """The options of ``gaitload simulate``.

    Built only for that command: its choices come from the simulator, whose import (numpy,
    pandas, scipy) the other commands' argument parsing must not pay.
    """
    from .simulate import COURSES, PLACEMENTS_SIMULATED, STRIKES

    p = _SimulateParser(prog="gaitload simulate", description="Write a synthetic run with ground truth.")
    p.add_argument("--placement", default="foot", choices=PLACEMENTS_SIMULATED)
    p.add_argument("--duration-s", type=float, default=600.0)
    p.add_argument("--rate-hz", type=float, default=200.0)
    p.add_argument("--course", default="hilly", choices=COURSES)
    p.add_argument("--strike", default="auto", choices=STRIKES)
    p.add_argument("--speed-mps", type=float, default=3.3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--side", default="left", choices=("left", "right", "both"))
    p.add_argument("--altitude-source", default="barometric", choices=("barometric", "gps", "none"))
    p.add_argument("--stops", action="store_true", help="insert a standing stop mid-run")
    p.add_argument("--out", help="CSV file to write (its truth goes to <stem>.truth.csv)")
    p.add_argument("--sample-data", metavar="DIR", help="regenerate the bundled sample files into DIR")
    p.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    return p


def simulate_command(argv: list[str]) -> int:
    """``gaitload simulate``: write a synthetic run and its truth, or regenerate sample data.

    Parameters
    ----------
    argv : list of str
        The arguments after ``simulate``.

    Returns
    -------
    int
        The exit status (0 on success). Bad options raise :class:`OptionError`.
    """
    from .simulate import simulate_run, write_sample_data

    args = _simulate_parser().parse_args(argv)
    if args.sample_data:
        for path in write_sample_data(args.sample_data):
            print(path)
        return EXIT_OK
    if not args.out:
        raise OptionError("simulate: --out PATH (or --sample-data DIR) is required")
    try:
        run = simulate_run(duration_s=args.duration_s, placement=args.placement,
                           sampling_rate_hz=args.rate_hz, course=args.course, strike=args.strike,
                           speed_mps=args.speed_mps, side=args.side,
                           altitude_source=None if args.altitude_source == "none" else args.altitude_source,
                           seed=args.seed, stops=args.stops)
        data, truth = run.write_csv(args.out)
    except OSError as exc:
        raise GaitloadError(f"cannot write: {exc.strerror or exc}", args.out) from None
    print(f"{data}  ({run.recording.n_samples} samples, {len(run.truth)} contacts)")
    print(truth)
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


def _skip_exit_collection() -> None:
    """Let the process end without the garbage collector's last walk over every object.

    While the interpreter tears its modules down at exit it runs full collections, and with
    pandas, scipy and matplotlib loaded those walk millions of objects: ~0.25 s of a 2.5 s
    ``analyze``. Freezing the heap in an exit handler skips them and leaves the memory to the
    operating system. Freezing stops no code: every other exit handler still runs and the
    standard streams are still flushed; every output file is closed by a ``with`` long before,
    so nothing written is lost. Unregistering first keeps one registration however often
    ``main()`` runs in a process, without a module-level flag.
    """
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``gaitload`` command; returns the exit status."""
    _skip_exit_collection()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "simulate":
        return _guarded(lambda: simulate_command(argv[1:]), debug="--debug" in argv)
    parser = _parser()
    args, extras = parser.parse_known_args(argv)
    if extras:
        (args._commands.get(args.command) or parser).error(f"unrecognized arguments: {' '.join(extras)}")
    if not args.command:
        parser.print_help()
        return EXIT_BAD_INPUT
    command = {"analyze": _cmd_analyze, "activities": _cmd_activities, "season": _cmd_season, "plan": _cmd_plan, "formats": _cmd_formats,
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
