"""``redospec mutants [--json] [NAME ...]``: run the seeded-bug catalog.

Prints per mutant (:mod:`conformance.mutants`) whether and by which check it was caught, with
the examples and seconds it took; exit status 1 unless every mutant was caught.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from redospec import output
from redospec.command import run_command
from redospec.errors import UsageError


def configure(parser: argparse.ArgumentParser) -> None:
    """``redospec mutants``' arguments."""
    parser.description = (
        "Run the seeded-bug catalog (redospec mutants): for every mutant, whether and by which "
        "conformance check it was caught, with the examples and seconds it took; exit status 1 "
        "unless every mutant was caught.")
    parser.add_argument("--json", action="store_true",
                        help='print {"kill_rate", "mutants": [{"name", "caught", "by", ...}]}')
    parser.add_argument("--show", metavar="NAME",
                        help="print the catch of one mutant as a trace: the shrunk interleaving "
                             "(one spec step per line) and the failing property")
    parser.add_argument("--seeds", type=int, default=None, metavar="N",
                        help="measure how robust each catch is: run every mutant N times, each "
                             "from a fresh random seed (the CI run is one derandomized run); "
                             "a mutant counts as caught only when all N runs catch it")
    parser.add_argument("names", nargs="*", help="run only these mutants")


_DONE: list[str] = []
"""How many mutants had finished, for the one line printed on Ctrl-C."""


def interrupt_summary() -> str:
    """One line: the mutants finished before Ctrl-C (read by the ``redospec`` dispatcher)."""
    return _DONE[-1] if _DONE else "nothing had finished"


def run(args: argparse.Namespace) -> int:
    """Run the catalog (or the named mutants); exit 1 unless every mutant was caught."""
    import conformance.mutants as mutants

    if args.show:
        return _show(args.show)
    if args.seeds is not None and args.seeds < 1:
        raise UsageError(f"--seeds {args.seeds}: must be at least 1")
    seeds: int = args.seeds or 0
    names = args.names or None
    finished: list[mutants.MutantResult] = []

    def progress(text: str) -> None:
        caught = sum(r.caught for r in finished)
        _DONE.append(f"{len(finished)} mutants finished ({caught} caught, "
                     f"{len(finished) - caught} not); the one running when interrupted, "
                     f"{text.split('] ', 1)[-1].rstrip(' .')}, is not counted")
        output.progress(text)

    try:
        results = mutants.run_catalog(names, seeds=seeds, progress=progress,
                                      on_result=finished.append)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from exc
    output.progress_done()
    summary = mutants.summary(results)
    if args.json:
        print(output.to_json(summary))
    elif seeds:
        rows = [["mutant", "caught", "by", "most examples to catch", "seconds"]]
        rows += [[m["name"], f"{m['caught_runs']}/{m['runs']}", m["by"] or "-",
                  str(m["max_examples_to_catch"]), f"{m['seconds']:.2f}"]
                 for m in summary["mutants"]]
        print(output.table(rows))
        print(f"\ncaught by every one of {seeds} seeds: {summary['kill_rate']:.0%} "
              f"({sum(m['caught'] for m in summary['mutants'])}/{len(summary['mutants'])})")
    else:
        rows = [["mutant", "caught", "by", "examples", "seconds"]]
        rows += [[m["name"], "yes" if m["caught"] else "NO", m["by"] or "-",
                  str(m["examples"]), f"{m['seconds']:.2f}"] for m in summary["mutants"]]
        print(output.table(rows))
        print(f"\nkill rate: {summary['kill_rate']:.0%} "
              f"({sum(m['caught'] for m in summary['mutants'])}/{len(summary['mutants'])})")
    return 0 if summary["kill_rate"] == 1.0 else 1


def _show(name: str) -> int:
    """``--show NAME``: the shrunk catch of one mutant, one spec step per line."""
    import conformance.mutants as mutants

    output.progress(f"running {name} and shrinking its catch ...")
    try:
        catch = mutants.show_catch(name)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from exc
    output.progress_done()
    if catch is None:
        print(f"{name}: not caught by the CI checks")
        return 1
    print(catch.format())
    return 0


def main(argv: Sequence[str]) -> int:
    """``redospec mutants`` on its own (``argv`` may start with "mutants")."""
    return run_command("mutants", configure, run, argv, sys.modules[__name__])
