"""``redospec fuzz --minutes N [--db DIR] [--target NAME]``: long conformance fuzzing.

Runs the conformance targets with the long ``fuzz`` settings in a loop until the time is up,
printing a progress line; failures are saved to Hypothesis's example database in DIR (default
``.hypothesis/fuzz``) and printed with the command that replays them.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from redospec import output
from redospec.command import run_command
from redospec.errors import UsageError


def configure(parser: argparse.ArgumentParser) -> None:
    """``redospec fuzz``'s arguments."""
    parser.description = (
        "Long conformance fuzzing (redospec fuzz): runs the conformance targets with the long "
        "fuzz settings in a loop until the time is up, printing a progress line; failures are "
        "saved to Hypothesis's example database in DIR (default .hypothesis/fuzz) and printed "
        "with the command that replays them.")
    parser.add_argument("--minutes", type=float, required=True, help="how long to fuzz")
    parser.add_argument("--db", default=".hypothesis/fuzz",
                        help="example database folder (default .hypothesis/fuzz)")
    parser.add_argument("--target", action="append",
                        help="fuzz only this target: stepped, wrap, crash, restart, v90 or trace "
                             "(repeatable; default all)")


_DONE: list[Callable[[], str]] = []
"""How far the fuzzing had got (a function making the line), for Ctrl-C."""


def interrupt_summary() -> str:
    """One line: what was fuzzed before Ctrl-C (read by the ``redospec`` dispatcher)."""
    return _DONE[-1]() if _DONE else "nothing had finished"


def run(args: argparse.Namespace) -> int:
    """Round-robin over the fuzz targets until ``--minutes`` have passed (see module doc)."""
    if not args.minutes > 0:   # also rejects nan
        raise UsageError(f"--minutes {args.minutes:g}: must be positive")
    import conformance.checks as checks
    import conformance.fuzzing as fuzzing

    for name in args.target or []:   # before the database is created and the clock starts
        try:
            checks.check_named(name)
        except KeyError as exc:
            raise UsageError(f"--target {exc.args[0]}") from None

    db = Path(args.db)
    if db.exists() and not db.is_dir():
        raise UsageError(f"--db {db}: exists and is not a folder; name a folder for the "
                         "example database")
    try:
        db.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--db {db}: cannot create the example database folder: "
                         f"{exc.strerror or exc}") from exc
    start = time.monotonic()
    report = fuzzing.FuzzReport()

    def account() -> str:
        ran = ", ".join(f"{name} {n}" for name, n in sorted(checks.EXAMPLES.items()) if n)
        failed = [f.check for f in report.failures]
        found = (f"failures found before it: {', '.join(failed)} (saved in {db})" if failed
                 else "no failure found before it")
        return (f"fuzzed {time.monotonic() - start:.0f} s, examples run: {ran or 'none yet'}; "
                f"{found}")

    _DONE.append(account)

    fuzzing.fuzz(minutes=args.minutes, db=db, targets=args.target or None,
                 progress=output.progress, report=report)
    output.progress_done()
    print(fuzzing.format_report(report, db))
    return 0 if not report.failures else 1


def main(argv: Sequence[str]) -> int:
    """``redospec fuzz`` on its own (``argv`` may start with "fuzz")."""
    return run_command("fuzz", configure, run, argv, sys.modules[__name__])
