"""``redospec inspect`` and ``redospec workload``: the command-line entry of :mod:`impl`.

``main(argv)`` takes argv[0] = the subcommand name (as the dispatcher in redospec/cli.py passes
it). ``workload`` is delegated to :func:`impl.workload.main`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable
from pathlib import Path

from impl.inspect import FileReport, InspectError, format_human, inspect_path


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def inspect_main(args: list[str]) -> int:
    """``redospec inspect PATH... [--json]``: 0 clean, 1 corruption found, 2 unusable input."""
    parser = argparse.ArgumentParser(
        prog="redospec inspect",
        description="Read and validate MySQL redo log files (formats 0..6): header, checkpoints "
        "and block statistics. PATH is a file, a directory of ib_logfile* or #ib_redo* files, "
        "or a datadir holding #innodb_redo. Exit status: 0 clean, 1 corruption found, "
        "2 unusable input.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", type=Path)
    parser.add_argument("--json", action="store_true", help='print {"files": [...]} as JSON')
    try:
        options = parser.parse_args(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    reports: list[FileReport] = []
    try:
        for i, path in enumerate(options.paths):
            _DONE.append(f"{i} of {len(options.paths)} paths read ({len(reports)} files); "
                         "no report printed")
            reports += inspect_path(path, progress=_progress)
    except InspectError as exc:
        print(f"redospec inspect: {exc}", file=sys.stderr)
        return 2
    if options.json:
        print(json.dumps({"files": [r.to_json() for r in reports]}, indent=2))
    else:
        print("\n\n".join(format_human(r) for r in reports))
    return 1 if any(r.corrupt for r in reports) else 0


_DONE: list[str] = []
"""What the running command had done, for the one line printed on Ctrl-C."""


def interrupt_summary() -> str:
    """One line: what ``inspect`` or ``workload`` had done before Ctrl-C."""
    if _DONE and _DONE[0] == "workload":
        from impl.workload import interrupt_summary as workload_summary

        return workload_summary()
    return _DONE[-1] if _DONE else ""


def main(argv: list[str] | None = None) -> int:
    """Dispatch ``inspect`` and ``workload``; argv[0] is the subcommand."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        text = ("usage: redospec {inspect,workload} ...\n\n"
                "  inspect   read and validate MySQL redo log files\n"
                "  workload  run a threaded workload against a fresh log, then recover\n\n"
                "'redospec inspect --help' and 'redospec workload --help' describe each one.")
        print(text, file=sys.stdout if args else sys.stderr)
        return 0 if args else 2
    name, rest = args[0], args[1:]
    if name == "inspect":
        return inspect_main(rest)
    if name == "workload":
        _DONE.append("workload")
        try:
            module = importlib.import_module("impl.workload")
        except ModuleNotFoundError as exc:
            print(f"redospec workload: not available yet ({exc})", file=sys.stderr)
            return 2
        entry: Callable[[list[str]], int] = module.main
        return int(entry(args))
    print(f"redospec: impl has no subcommand {name!r} (inspect, workload)", file=sys.stderr)
    return 2
