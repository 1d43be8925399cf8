"""``redospec actions [--version 8.0|9.0|all] [--json]``: one row per action of the spec.

Name, actor, variant, requirement IDs and summary (:func:`atlas.catalog.action_rows`).
"""

from __future__ import annotations

import argparse

from redospec import output


def configure(parser: argparse.ArgumentParser) -> None:
    """``redospec actions``' arguments."""
    parser.description = "List the spec's actions: names, requirement IDs, summaries."
    parser.add_argument("--version", choices=("8.0", "9.0", "all"), default="all",
                        help="only the actions of this variant (default all)")
    parser.add_argument("--json", action="store_true", help="print one JSON list on stdout")


def run(args: argparse.Namespace) -> int:
    from atlas.catalog import action_rows, rows_table

    rows = action_rows(args.version)
    if args.json:
        print(output.to_json(rows, indent=1))
    else:
        print(rows_table(rows, ("name", "actor", "variant", "ids", "summary")))
        print(f"\n{len(rows)} actions")
    return 0
