"""``redospec inspect``: read and validate MySQL redo log files (formats 0..6).

``main(argv)`` is ``python -m impl``: it runs ``inspect`` or ``workload`` (:mod:`impl.workload`)
as ``redospec`` does.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from impl.inspect import FileReport, InspectError, inspect_path
from impl.inspect_text import format_human
from redospec import command, output
from redospec.errors import UsageError

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "inspect": ("impl.cli", "read and validate MySQL redo log files"),
    "workload": ("impl.workload", "run a threaded workload against a fresh log, then recover"),
}
"""The subcommands of ``python -m impl`` (the same as ``redospec``'s)."""


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def configure(parser: argparse.ArgumentParser) -> None:
    """``redospec inspect``'s arguments."""
    parser.description = (
        "Read and validate MySQL redo log files (formats 0..6): header, checkpoints and block "
        "statistics. PATH is a file, a directory of ib_logfile* or #ib_redo* files, or a "
        "datadir holding #innodb_redo. Exit status: 0 clean, 1 corruption found, 2 unusable "
        "input.")
    parser.add_argument("paths", nargs="+", metavar="PATH", type=Path)
    parser.add_argument("--json", action="store_true", help='print {"files": [...]} as JSON')


def run(args: argparse.Namespace) -> int:
    """0 clean, 1 corruption found; an unusable input is a :class:`UsageError` (status 2)."""
    reports: list[FileReport] = []
    try:
        for i, path in enumerate(args.paths):
            _DONE.append(f"{i} of {len(args.paths)} paths read ({len(reports)} files); "
                         "no report printed")
            reports += inspect_path(path, progress=_progress)
    except InspectError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(output.to_json({"files": [r.to_json() for r in reports]}))
    else:
        print("\n\n".join(format_human(r) for r in reports))
    return 1 if any(r.corrupt for r in reports) else 0


_DONE: list[str] = []
"""What ``inspect`` had done, for the one line printed on Ctrl-C."""


def interrupt_summary() -> str:
    """One line: what ``inspect`` had done before Ctrl-C."""
    return _DONE[-1] if _DONE else ""


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m impl inspect|workload ...``."""
    return command.dispatch(SUBCOMMANDS, sys.argv[1:] if argv is None else argv,
                            prog="python -m impl", no_args_status=2)
