"""The command-line tree: how a subcommand is declared, parsed and run.

A subcommand lives in a module of the part that owns it, which exposes

* ``configure(parser: argparse.ArgumentParser) -> None``: sets the description and adds the
  arguments (the module imports only cheap things at import time: no z3, no threads);
* ``run(args: argparse.Namespace) -> int``: does the work and returns the exit status;
* optionally ``interrupt_summary() -> str``: what it had done, for the line printed on Ctrl-C;
* ``main(argv) -> int``: a thin wrapper over :func:`run_command` or :func:`dispatch`, for
  ``python -m PART``.

:mod:`redospec.cli` holds the table of subcommands (name -> module, one-line help) and calls
:func:`dispatch`, which builds one argparse tree: a subparser per subcommand, configured by its
module only for the subcommand being run, so ``redospec inspect`` does not import z3. Bad input
anywhere (argparse's own errors included) is a :class:`~redospec.errors.UsageError`, printed as
the one line ``redospec SUB: message`` with exit status 2; Ctrl-C is one line and 130; a closed
pipe is silent and 141. This module imports nothing of the project's parts.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import NoReturn

from redospec import interrupts, output
from redospec.errors import EXIT_USAGE, UsageError

EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE: the reader of our output went away (``redospec ... | head``)."""

Configure = Callable[[argparse.ArgumentParser], None]
Run = Callable[[argparse.Namespace], int]
Table = Mapping[str, tuple[str, str]]
"""Subcommand name -> (module exposing ``configure`` and ``run``, one-line help)."""


class Parser(argparse.ArgumentParser):
    """argparse that raises :class:`UsageError` instead of printing usage and exiting 2, so an
    error stays one line with the subcommand's name in front."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def usage(table: Table, prog: str = "redospec") -> str:
    """The list of subcommands with their one-line help."""
    width = max(len(name) for name in table)
    lines = [f"usage: {prog} SUBCOMMAND [options]", "", "subcommands:"]
    lines += [f"  {name:<{width}}  {text}" for name, (_, text) in table.items()]
    lines += ["", f"'{prog} SUBCOMMAND --help' describes each one. Ctrl-C stops any of them "
                  "(exit status 130)."]
    return "\n".join(lines)


def build_tree(table: Table, chosen: str, prog: str = "redospec") -> tuple[Parser, ModuleType]:
    """The argparse tree of ``table``; only ``chosen``'s module is imported and configured
    (its siblings carry their help line, which is all ``--help`` of the tree shows)."""
    top = Parser(prog=prog, add_help=False)
    sub = top.add_subparsers(dest="subcommand", required=True, parser_class=Parser)
    module: ModuleType | None = None
    for name, (module_name, text) in table.items():
        parser = sub.add_parser(name, help=text, prog=f"redospec {name}", description=text)
        if name == chosen:
            module = importlib.import_module(module_name)
            module.configure(parser)
    assert module is not None, chosen
    return top, module


def dispatch(table: Table, argv: Sequence[str], *, prog: str = "redospec",
             no_args_status: int = 0) -> int:
    """Run the subcommand ``argv[0]`` of ``table`` with the rest of ``argv``."""
    args = list(argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(usage(table, prog), file=sys.stdout if args else
              (sys.stdout if no_args_status == 0 else sys.stderr))
        return 0 if args else no_args_status
    name = args[0]
    if name not in table:
        print(f"{prog}: unknown subcommand {name!r}\n\n{usage(table, prog)}", file=sys.stderr)
        return EXIT_USAGE
    module: ModuleType | None = None

    def parse_and_run() -> int:
        nonlocal module
        top, module = build_tree(table, name, prog)
        return int(module.run(top.parse_args(args)))

    return guarded(name, parse_and_run, lambda: module)


def run_command(name: str, configure: Configure, run: Run, argv: Sequence[str],
                owner: object = None) -> int:
    """One subcommand on its own (``python -m PART``, tests binding toy objects): ``argv`` may
    start with ``name`` (as ``redospec`` passes it) or not. ``owner`` is asked for
    ``interrupt_summary`` on Ctrl-C."""
    args = list(argv)
    if args[:1] == [name]:
        args = args[1:]

    def parse_and_run() -> int:
        parser = Parser(prog=f"redospec {name}")
        configure(parser)
        return int(run(parser.parse_args(args)))

    return guarded(name, parse_and_run, lambda: owner)


def guarded(name: str, body: Callable[[], int], module: Callable[[], object]) -> int:
    """Run ``body``; bad input -> one line and 2, ``--help`` -> 0, Ctrl-C -> one line and 130
    (and 130 whenever an interrupt was seen: an interrupt is never a result), closed pipe ->
    141. ``module()`` is the subcommand's module (or None), asked for ``interrupt_summary``."""
    interrupts.clear()   # only an interrupt of this run counts
    try:
        status = body()
    except UsageError as exc:
        print(f"redospec {name}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SystemExit as exc:   # argparse's --help, after printing it
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except KeyboardInterrupt:   # Ctrl-C on a long run: one line, not a traceback from the model
        _say_interrupted(name, module())
        return interrupts.EXIT_INTERRUPTED
    except BrokenPipeError:     # `redospec ... | head`: the reader left; say nothing more
        with contextlib.suppress(OSError, ValueError):   # so the final flush cannot fail
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    if interrupts.interrupted():
        # the subcommand finished anyway, or handled Ctrl-C itself and said so (returning 130)
        if status != interrupts.EXIT_INTERRUPTED:
            _say_interrupted(name, module())
        return interrupts.EXIT_INTERRUPTED
    return status


def _say_interrupted(name: str, module: object) -> None:
    output.progress_done()
    summary = interrupts.summary_of(module)
    print(f"\nredospec {name}: interrupted" + (f"; {summary}" if summary else ""),
          file=sys.stderr, flush=True)
