"""``redospec SUBCOMMAND ...``: dispatch to the part that owns the subcommand.

Each part keeps its own ``python -m PART`` entry; this module only routes, importing the part
lazily so that ``redospec inspect`` does not pay for z3 and ``redospec explore`` not for threads.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

from redospec import interrupts

# subcommand -> (module with a ``main(argv) -> int``, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "explore": ("spec.cli", "exhaustive or random exploration of the spec"),
    "prove": ("proofs.cli", "z3 proofs of the spec's invariants"),
    "inspect": ("impl.cli", "read and validate MySQL redo log files"),
    "workload": ("impl.cli", "run a threaded workload against a fresh log, then recover"),
    "check": ("conformance.cli", "the main job: proofs, exploration, conformance"),
    "fuzz": ("campaign.cli", "fuzz campaigns: many workers, a shared example database"),
    "mutants": ("conformance.cli", "run the seeded-bug catalog"),
    "serve": ("atlas.serve", "the interactive explorer in the browser (127.0.0.1)"),
    "actions": ("atlas.catalog", "the spec's actions: requirement IDs and summaries"),
    "properties": ("atlas.catalog", "the spec's properties: requirement IDs and summaries"),
    "docs": ("atlas.book", "build the documentation site (Sphinx) from the spec"),
    "faults": ("faults.cli", "reliability campaign: crashes, I/O errors, kills, damage, soak"),
}


def usage() -> str:
    lines = ["usage: redospec SUBCOMMAND [options]", "", "subcommands:"]
    width = max(len(name) for name in SUBCOMMANDS)
    for name, (_, text) in SUBCOMMANDS.items():
        lines.append(f"  {name:<{width}}  {text}")
    lines.append("")
    lines.append("'redospec SUBCOMMAND --help' describes each one; 'redospec --version' prints "
                 "the version. Ctrl-C stops any of them (exit status 130).")
    return "\n".join(lines)


def version() -> str:
    """The installed package's version (from its metadata; the source tree's if not installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("redospec")
    except PackageNotFoundError:
        return "unknown (not installed; pip install -e . records the version)"


def _say_interrupted(name: str, module: object) -> None:
    summary = interrupts.summary_of(module)
    print(f"\nredospec {name}: interrupted" + (f"; {summary}" if summary else ""),
          file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    if args[0] in ("--version", "-V", "version"):
        print(f"redospec {version()}")
        return 0
    name, rest = args[0], args[1:]
    if name not in SUBCOMMANDS:
        print(f"redospec: unknown subcommand {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module_name, _ = SUBCOMMANDS[name]
    interrupts.install()
    module: ModuleType | None = None   # imported inside the try: Ctrl-C during an import too
    try:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            print(f"redospec {name}: not available yet ({exc})", file=sys.stderr)
            return 2
        entry: Callable[[list[str]], int] = module.main
        status = int(entry([name, *rest]))
    except KeyboardInterrupt:   # Ctrl-C on a long run: one line, not a traceback from the model
        _say_interrupted(name, module)
        return interrupts.EXIT_INTERRUPTED
    except BrokenPipeError:     # `redospec ... | head`: the reader left; say nothing more
        with contextlib.suppress(OSError, ValueError):   # so the final flush cannot fail
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    if interrupts.interrupted():
        # the part finished anyway, or handled Ctrl-C itself and said so (returning 130): an
        # interrupt is never a result, so the status is 130 either way
        if status != interrupts.EXIT_INTERRUPTED:
            _say_interrupted(name, module)
        return interrupts.EXIT_INTERRUPTED
    return status
