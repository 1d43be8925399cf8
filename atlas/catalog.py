"""The spec's actions and properties as reading aids (``redospec actions``, ``redospec
properties``: :mod:`atlas.actions_cli`, :mod:`atlas.properties_cli`).

One row per action (name, actor, variant, requirement IDs, summary) or property (name, kind,
requirement IDs, summary). ``ids`` are the IDs the element declares (``Action.ids`` /
``Property.ids``, what the traceability counts); ``mentioned`` are further IDs its docstring
cites (parsed, ranges such as ``FMT-3..8`` expanded). The summary is the docstring's first
sentence. Exit status 0, 2 for bad input (one line on stderr).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import attrs

from redospec import output
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


def rows_table(rows: list[dict[str, Any]], cols: Sequence[str]) -> str:
    """``rows`` as a text table of the columns ``cols`` (lists joined by commas; the last
    column, a summary, is free text)."""
    cells = [[", ".join(r[c]) if isinstance(r[c], list) else str(r[c]) for c in cols]
             for r in rows]
    return output.table([list(cols), *cells], pad_last=False)
