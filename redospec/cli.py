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

# subcommand -> (module with a ``main(argv) -> int``, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "explore": ("spec.cli", "exhaustive or random exploration of the spec"),
    "prove": ("proofs.cli", "z3 proofs of the spec's invariants"),
    "inspect": ("impl.cli", "read and validate MySQL redo log files"),
    "workload": ("impl.cli", "run a threaded workload against a fresh log, then recover"),
    "check": ("conformance.cli", "the main job: proofs, exploration, conformance"),
    "fuzz": ("conformance.cli", "long conformance fuzzing with Hypothesis's database"),
    "mutants": ("conformance.cli", "run the seeded-bug catalog"),
    "faults": ("faults.cli", "reliability campaign: crashes, I/O errors, kills, damage, soak"),
}


def usage() -> str:
    lines = ["usage: redospec SUBCOMMAND [options]", "", "subcommands:"]
    width = max(len(name) for name in SUBCOMMANDS)
    for name, (_, text) in SUBCOMMANDS.items():
        lines.append(f"  {name:<{width}}  {text}")
    lines.append("")
    lines.append("'redospec SUBCOMMAND --help' describes each one.")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    name, rest = args[0], args[1:]
    if name not in SUBCOMMANDS:
        print(f"redospec: unknown subcommand {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module_name, _ = SUBCOMMANDS[name]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        print(f"redospec {name}: not available yet ({exc})", file=sys.stderr)
        return 2
    entry: Callable[[list[str]], int] = module.main
    try:
        return int(entry([name, *rest]))
    except KeyboardInterrupt:   # Ctrl-C on a long run: one line, not a traceback from the model
        print(f"\nredospec {name}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:     # `redospec ... | head`: the reader left; say nothing more
        with contextlib.suppress(OSError, ValueError):   # so the final flush cannot fail
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
