"""``redospec fuzz``: a fuzz campaign of the conformance checks.

N worker processes (--workers, default the number of cores) each run the conformance checks
in rounds with the long fuzz settings, sharing one Hypothesis example database (--db: a folder,
a Redis server, or a folder layered in front of a Redis server), until --minutes have passed. A
progress line per interval shows examples/s, distinct failures, per-check counts and the time
left. Each distinct failure is printed once with its shrunk schedule and the command that
replays it. Many campaigns on many machines pointed at the same Redis form one campaign.

--replay runs every failure stored in the database, for every check (or --target), and exits
1 if any still fails: the command a CI job runs on the shared database.

--report FILE (JSON), --html FILE (with a plot of examples and coverage over time) and
--junit FILE (JUnit XML, one test case per check) write the campaign's report at the end.

Exit status: 0 no failure, 1 failures found (or the database lost mid-campaign), 2 bad input
or a database that cannot be reached, 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from campaign import db as dbmod
from redospec import output
from redospec.command import run_command
from redospec.errors import UsageError

EXIT_OK, EXIT_FAILED = 0, 1


_STATE: dict[str, object] = {}
"""The running campaign or replay, for :func:`interrupt_summary`."""


def _plain(text: str) -> str:
    return text.replace("``", "")


def configure(parser: argparse.ArgumentParser) -> None:
    """Add ``redospec fuzz``'s arguments to ``parser`` (cheap: imports nothing heavy)."""
    paragraphs = _plain(__doc__ or "").split("\n\n")
    parser.description = "\n\n".join(paragraphs[1:4])
    parser.epilog = paragraphs[4]
    parser.add_argument("--minutes", type=float, metavar="M",
                        help="how long to fuzz (required unless --replay)")
    parser.add_argument("--workers", type=int, metavar="N", default=None,
                        help=f"worker processes (default: the number of cores, "
                             f"{os.cpu_count() or 1} here)")
    parser.add_argument("--db", action="append", metavar="DB",
                        help="example database: a folder, redis://HOST:PORT/N, or "
                             "DIR+redis://HOST:PORT/N (the folder in front, Redis behind); "
                             "repeat --db to layer (default .hypothesis/fuzz)")
    parser.add_argument("--target", action="append", metavar="CHECK",
                        help="fuzz or replay only this check (repeatable; default all): "
                             "matrix-ci, stepped, liveness, crashpoints, wrap, crash, restart, "
                             "v90, trace, matrix")
    parser.add_argument("--replay", action="store_true",
                        help="replay every failure stored in the database; exit 1 if any "
                             "still fails")
    parser.add_argument("--report", metavar="FILE", help="write a JSON report at the end")
    parser.add_argument("--html", metavar="FILE",
                        help="write a self-contained HTML report with a plot (matplotlib)")
    parser.add_argument("--junit", metavar="FILE", help="write JUnit XML, one test case per "
                                                         "check")
    parser.add_argument("--interval", type=float, default=5.0, metavar="S",
                        help="seconds between progress lines (default 5)")
    parser.add_argument("--shrink-seconds", type=int, metavar="S", default=None,
                        help="shrink each failure for at most S seconds (default Hypothesis's "
                             "300); the schedule found by then is saved and printed")
    parser.add_argument("--mutant", metavar="NAME",
                        help="apply this seeded bug of the catalog (redospec mutants) in every "
                             "worker, or in the replay: to see a campaign find one")


def _validate(args: argparse.Namespace) -> tuple[list[dbmod.Layer], list[str]]:
    from conformance import checks

    if not args.replay:
        if args.minutes is None:
            raise UsageError("--minutes M is required (how long to fuzz); or --replay to "
                             "replay the stored failures")
        if not (args.minutes > 0 and math.isfinite(args.minutes)):   # also rejects nan
            raise UsageError(f"--minutes {args.minutes:g}: must be a positive number of "
                             "minutes")
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers {args.workers}: must be at least 1")
    if args.shrink_seconds is not None and args.shrink_seconds < 0:
        raise UsageError(f"--shrink-seconds {args.shrink_seconds}: must be 0 or more")
    if not (args.interval > 0 and math.isfinite(args.interval)):
        raise UsageError(f"--interval {args.interval:g}: must be a positive number of seconds")
    targets = list(dict.fromkeys(args.target or [c.name for c in checks.CHECKS]))
    for name in targets:
        try:
            checks.check_named(name)
        except KeyError as exc:
            raise UsageError(f"--target {exc.args[0]}") from None
    if args.mutant:
        from conformance.mutants import catalog

        known = [m.name for m in catalog()]
        if args.mutant not in known:
            raise UsageError(f"--mutant {args.mutant!r}: not in the catalog; "
                             "'redospec mutants --json' lists the names")
    for option in ("report", "html", "junit"):
        value = getattr(args, option)
        if value and not Path(value).resolve().parent.is_dir():
            raise UsageError(f"--{option} {value}: its folder does not exist")
    if args.html and importlib.util.find_spec("matplotlib") is None:
        raise UsageError("--html needs matplotlib for its plot: pip install -e '.[fuzz]'")
    try:
        layers = dbmod.parse(args.db or [dbmod.DEFAULT])
        dbmod.ping(layers)
    except dbmod.DatabaseError as exc:
        raise UsageError(str(exc)) from None
    return layers, targets


def run(args: argparse.Namespace) -> int:
    """Run the campaign (or the replay) that ``args`` describe."""
    layers, targets = _validate(args)   # a UsageError is printed as one line by the caller
    if args.replay:
        return _run_replay(args, layers, targets)
    return _run_campaign(args, layers, targets)


def _run_campaign(args: argparse.Namespace, layers: list[dbmod.Layer],
                  targets: list[str]) -> int:
    from campaign import report
    from campaign.runner import Campaign, Failure

    def show(failure: Failure) -> None:
        output.progress_done()
        print(format_failure(failure), flush=True)

    workers = args.workers or os.cpu_count() or 1
    campaign = Campaign(layers=layers, workers=workers, minutes=args.minutes, targets=targets,
                        mutant=args.mutant, interval=args.interval,
                        shrink_seconds=args.shrink_seconds, progress=output.progress,
                        on_failure=show)
    _STATE["campaign"] = campaign
    output.progress(f"fuzz: {workers} workers on {campaign.db} for {args.minutes:g} min, checks "
              f"{', '.join(targets)}")
    result = campaign.run()
    output.progress_done()
    counts = ", ".join(f"{k} {v}" for k, v in sorted(result.examples.items())) or "none"
    print(f"fuzzed {result.seconds / 60:.1f} min with {result.workers} workers "
          f"({result.ended}): {result.total_examples} examples "
          f"({result.total_examples / max(1e-9, result.seconds):.1f}/s); {counts}")
    for error in result.worker_errors:
        print(f"redospec fuzz: {error}", file=sys.stderr)
    if result.db_error:
        local = [layer.where for layer in layers if layer.kind == "dir"]
        kept = (f"; what the campaign found is also in {', '.join(local)}" if local
                else "; failures found before it are listed below")
        print(f"redospec fuzz: the example database stopped answering: {result.db_error}; "
              f"every worker was stopped{kept}", file=sys.stderr)
    if result.failures:
        print(f"{len(result.failures)} distinct failures (each printed above when found):")
        for f in result.failures:
            print(f"  FAILED {f.check}: {f.what}\n    replay: {f.replay}")
    elif not result.db_error and not result.worker_errors:
        print(f"no failures (example database: {result.db})")
    for path, write in ((args.report, report.write_json), (args.junit, report.write_junit),
                        (args.html, report.write_html)):
        if path:
            write(result, Path(path))
            print(f"report: {path}")
    return EXIT_FAILED if result.failures or result.db_error or result.worker_errors else EXIT_OK


def format_failure(failure: object) -> str:
    from campaign.runner import Failure

    assert isinstance(failure, Failure)
    flaky = " (flaky: Hypothesis could not replay it exactly)" if failure.flaky else ""
    message = failure.message if len(failure.message) < 1500 else failure.message[:1500] + "..."
    schedule = "\n".join("  " + line for line in failure.schedule.splitlines()) or "  (none)"
    return (f"\nFAILED {failure.check}: {failure.what}{flaky}\n"
            f"found by worker {failure.worker} after {failure.found_after:.0f} s\n{message}\n"
            f"shrunk schedule:\n{schedule}\n"
            f"replay with:\n  {failure.replay}\n")


def _run_replay(args: argparse.Namespace, layers: list[dbmod.Layer], targets: list[str]) -> int:
    from campaign.replay import replay

    start = time.monotonic()
    _STATE["replay"] = start
    try:
        results = replay(layers, targets, mutant=args.mutant, progress=output.progress)
    except dbmod.DatabaseError as exc:
        output.progress_done()
        print(f"redospec fuzz: {exc}", file=sys.stderr)
        return EXIT_FAILED
    output.progress_done()
    failing = [r for r in results if r.fails]
    for r in results:
        if r.fails:
            schedule = "\n".join("  " + line for line in r.schedule.splitlines())
            print(f"\nSTILL FAILS {r.check}: {r.what}\n{r.message[:1500]}\n"
                  f"shrunk schedule:\n{schedule or '  (none)'}")
        else:
            print(f"replayed {r.check}: {r.examples} stored examples, none fails")
    print(f"replay of {dbmod.text(layers)}: {len(failing)} of {len(results)} checks still fail "
          f"({time.monotonic() - start:.0f} s)")
    return EXIT_FAILED if failing else EXIT_OK


def interrupt_summary() -> str:
    """One line: what the interrupted campaign had done (printed by the dispatcher)."""
    from campaign.runner import Campaign

    campaign = _STATE.get("campaign")
    if isinstance(campaign, Campaign):
        campaign.stop()   # idempotent: already done by the campaign's own clean-up
        campaign._collect()
        r = campaign.result
        ran = ", ".join(f"{k} {v}" for k, v in sorted(r.examples.items()) if v)
        seconds = time.monotonic() - campaign._start if campaign._start else 0.0
        found = ("failures found before it: "
                 + ", ".join(f"{f.check} ({f.what})" for f in r.failures)
                 + f" (saved in {r.db})" if r.failures else "no failure found before it")
        return (f"fuzzed {seconds:.0f} s with {r.workers} workers (all stopped), examples run: "
                f"{ran or 'none yet'}; {found}")
    if "replay" in _STATE:
        return "the replay was not finished; no verdict"
    return "nothing had started"


def main(argv: Sequence[str]) -> int:
    """``redospec fuzz`` on its own (``argv`` may start with "fuzz")."""
    return run_command("fuzz", configure, run, argv, sys.modules[__name__])
