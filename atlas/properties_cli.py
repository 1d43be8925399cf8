"""``redospec properties [--json]``: one row per property of the spec.

Name, kind (state / step), requirement IDs and summary (:func:`atlas.catalog.property_rows`).
"""

from __future__ import annotations

import argparse

from redospec import output


def configure(parser: argparse.ArgumentParser) -> None:
    """``redospec properties``' arguments."""
    parser.description = "List the spec's properties: names, requirement IDs, summaries."
    parser.add_argument("--json", action="store_true", help="print one JSON list on stdout")


def run(args: argparse.Namespace) -> int:
    from atlas.catalog import property_rows, rows_table

    rows = property_rows()
    if args.json:
        print(output.to_json(rows, indent=1))
    else:
        print(rows_table(rows, ("name", "kind", "ids", "summary")))
        print(f"\n{len(rows)} properties")
    return 0
