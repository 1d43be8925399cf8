"""``redospec actions`` and ``redospec properties``: the spec's actions and properties as
reading aids (issue 10, item 4).

    redospec actions [--version 8.0|9.0|all] [--json]
    redospec properties [--json]

One row per action (name, actor, variant, requirement IDs, summary) or property (name, kind,
requirement IDs, summary). ``ids`` are the IDs the element declares (``Action.ids`` /
``Property.ids``, what the traceability counts); ``mentioned`` are further IDs its docstring
cites (parsed, ranges such as ``FMT-3..8`` expanded). The summary is the docstring's first
sentence. Exit status 0, 2 for bad input (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any, Literal, NoReturn

import attrs

from spec import crash
from spec.invariants import PROPERTIES
from spec.model import default_actions
from spec.model_types import Action, Property
from spec.params import Params

PREFIXES = ("FMT", "USR", "LNK", "WR", "FL", "NT", "CP", "RC", "SYS")
"""The requirement families of the catalog (../shared/requirements.md), in its order."""
ID_RE = re.compile(r"\b(" + "|".join(PREFIXES) + r")-(\d+)(?:\s*\.\.\s*(?:\1-)?(\d+))?"
                   r"(?![A-Za-z0-9])")
"""A requirement ID (``WR-6``) or a range (``FMT-3..8``, ``WR-3..WR-9``)."""


class UsageError(Exception):
    """Bad command-line input: one line on stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def parse_ids(text: str) -> list[str]:
    """The requirement IDs ``text`` cites, in order of first mention, ranges expanded:
    ``"FMT-3..5, WR-6"`` -> ``["FMT-3", "FMT-4", "FMT-5", "WR-6"]``."""
    out: list[str] = []
    for m in ID_RE.finditer(text):
        prefix, lo = m.group(1), int(m.group(2))
        hi = int(m.group(3)) if m.group(3) else lo
        for n in range(lo, max(hi, lo) + 1):
            rid = f"{prefix}-{n}"
            if rid not in out:
                out.append(rid)
    return out


def summary(doc: str) -> str:
    """The docstring's first sentence (its first paragraph up to ". "), on one line."""
    para = " ".join(doc.strip().split("\n\n", 1)[0].split())
    for m in re.finditer(r"(?<=[a-z0-9)`'\"])\.(\s|$)", para):
        if para[max(m.start() - 3, 0): m.start() + 1] in ("i.e.", "e.g."):
            continue
        return para[: m.start() + 1]
    return para


def _actions_of(version: Literal["8.0", "9.0"]) -> tuple[Action, ...]:
    """The actions the model offers in ``version`` (crashes on), as ``spec.model`` composes
    them: the catalog follows the model, not a second list of module tables."""
    return default_actions(attrs.evolve(Params.tiny(), version=version, explore_crashes=True))


def variant(a: Action) -> str:
    """Where ``a`` exists: "8.0", "9.0", "crash" (crashes on) or "all"."""
    if a in crash.ACTIONS:
        return "crash"
    in_80, in_90 = a in _actions_of("8.0"), a in _actions_of("9.0")
    if in_80 and not in_90:
        return "8.0"
    if in_90 and not in_80:
        return "9.0"
    return "all"


def all_actions() -> tuple[Action, ...]:
    """Every action of every variant, in pipeline order (each once)."""
    seen: list[Action] = []
    for a in (*_actions_of("8.0"), *_actions_of("9.0")):
        if all(a.name != b.name for b in seen):
            seen.append(a)
    return tuple(seen)


def action_rows(version: str = "all") -> list[dict[str, Any]]:
    """One dict per action: name, actor, variant (8.0 / 9.0 / all / crash), module, ids,
    mentioned, summary."""
    rows = []
    for a in all_actions():
        where = variant(a)
        if version != "all" and where not in (version, "all", "crash"):
            continue
        ids = list(a.ids)
        rows.append({
            "name": a.name, "actor": a.actor, "variant": where,
            "module": a.apply.__module__, "ids": ids,
            "mentioned": [i for i in parse_ids(a.doc) if i not in ids],
            "summary": summary(a.doc),
        })
    return rows


def property_rows(props: Iterable[Property] = PROPERTIES) -> list[dict[str, Any]]:
    """One dict per property: name, kind (state / step), ids, mentioned, summary."""
    rows = []
    for p in props:
        ids = list(p.ids)
        rows.append({
            "name": p.name, "kind": p.kind, "ids": ids,
            "mentioned": [i for i in parse_ids(p.doc) if i not in ids],
            "summary": summary(p.doc),
        })
    return rows


def _table(rows: list[dict[str, Any]], cols: Sequence[str]) -> str:
    cells = [[", ".join(r[c]) if isinstance(r[c], list) else str(r[c]) for c in cols]
             for r in rows]
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(cols)]
    widths[-1] = len(cols[-1])  # the summary is not padded
    lines = ["  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    for row in cells:
        lines.append("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``argv[0]`` is ``actions`` or ``properties`` (as dispatched by ``redospec``)."""
    args_in = list(sys.argv[1:] if argv is None else argv)
    what = args_in[0] if args_in and args_in[0] in ("actions", "properties") else "actions"
    if args_in and args_in[0] == what:
        args_in = args_in[1:]
    parser = _Parser(prog=f"redospec {what}",
                     description=f"List the spec's {what}: names, requirement IDs, summaries.")
    if what == "actions":
        parser.add_argument("--version", choices=("8.0", "9.0", "all"), default="all",
                            help="only the actions of this variant (default all)")
    parser.add_argument("--json", action="store_true", help="print one JSON list on stdout")
    try:
        args = parser.parse_args(args_in)
    except UsageError as e:
        print(f"redospec {what}: {e}", file=sys.stderr)
        return 2
    if what == "actions":
        rows = action_rows(args.version)
        cols: Sequence[str] = ("name", "actor", "variant", "ids", "summary")
    else:
        rows = property_rows()
        cols = ("name", "kind", "ids", "summary")
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        print(_table(rows, cols))
        print(f"\n{len(rows)} {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
