"""``redospec SUBCOMMAND ...``: the command-line tree of the whole project.

The table below names, for each subcommand, the module of the part that owns it; that module
contributes the subcommand's arguments (``configure``) and does its work (``run``), as
:mod:`redospec.command` describes. A module is imported only when its subcommand runs, so
``redospec inspect`` does not pay for z3 and ``redospec explore`` not for threads.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from redospec import command, interrupts

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "explore": ("spec.cli", "exhaustive or random exploration of the spec"),
    "prove": ("proofs.cli", "z3 proofs of the spec's invariants"),
    "inspect": ("impl.cli", "read and validate MySQL redo log files"),
    "workload": ("impl.workload", "run a threaded workload against a fresh log, then recover"),
    "check": ("conformance.cli", "the main job: proofs, exploration, conformance"),
    "fuzz": ("campaign.cli", "fuzz campaigns: many workers, a shared example database"),
    "mutants": ("conformance.mutants_cli", "run the seeded-bug catalog"),
    "serve": ("atlas.serve", "the interactive explorer in the browser (127.0.0.1)"),
    "actions": ("atlas.actions_cli", "the spec's actions: requirement IDs and summaries"),
    "properties": ("atlas.properties_cli", "the spec's properties: requirement IDs and summaries"),
    "docs": ("atlas.book", "build the documentation site (Sphinx) from the spec"),
    "faults": ("faults.cli", "reliability campaign: crashes, I/O errors, kills, damage, soak"),
}
"""Subcommand -> (module with ``configure`` and ``run``, one-line help)."""


def usage() -> str:
    return command.usage(SUBCOMMANDS) + " 'redospec --version' prints the version."


def version() -> str:
    """The installed package's version (from its metadata; the source tree's if not installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("redospec")
    except PackageNotFoundError:
        return "unknown (not installed; pip install -e . records the version)"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    if args[0] in ("--version", "-V", "version"):
        print(f"redospec {version()}")
        return 0
    if args[0] not in SUBCOMMANDS:
        return command.dispatch(SUBCOMMANDS, args)
    with interrupts.installed():
        return command.dispatch(SUBCOMMANDS, args)
