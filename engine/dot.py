"""The state graph of a bounded search as Graphviz DOT (``redospec explore --dot FILE``).

Nodes are states, labelled with a short summary (the ``summary`` function given, else the
state's truncated repr), numbered in breadth-first order (``s0`` is the initial state); edges
carry the labels of the actions. A graph with more states than the limit is refused: a
picture of thousands of nodes helps nobody, and the bounds (``max_depth``, ``max_states``) say
which part to draw.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.model import short

DEFAULT_LIMIT = 500
"""Most states ``redospec explore --dot`` draws unless told otherwise."""


class GraphTooLarge(Exception):
    """The bounded graph has more states than the limit."""


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def state_graph(model: Any, *, limit: int = DEFAULT_LIMIT, max_depth: int | None = None,
                max_states: int | None = None, summary: Callable[[Any], str] | None = None,
                symmetry: Callable[[Any], Any] | None = None) -> tuple[str, int, int]:
    """``(dot_text, states, transitions)`` of the states reachable within the bounds.

    States at ``max_depth`` are drawn but not expanded; ``max_states`` stops adding states
    (edges to states not added are left out). Raises :class:`GraphTooLarge` when more than
    ``limit`` states would be drawn.
    """
    canon = symmetry if symmetry is not None else (lambda s: s)
    describe = summary if summary is not None else (lambda s: short(s, 60))
    cap = limit if max_states is None else min(limit, max_states)
    index: dict[Any, int] = {}
    order: list[Any] = []
    depth_of: list[int] = []
    edges: list[tuple[int, int, str]] = []
    for s0 in model.init_states():
        s0 = canon(s0)
        if s0 not in index:
            index[s0] = len(order)
            order.append(s0)
            depth_of.append(0)
    i = 0
    while i < len(order):
        s = order[i]
        if max_depth is None or depth_of[i] < max_depth:
            for label, t in model.successors(s):
                t = canon(t)
                j = index.get(t)
                if j is None:
                    if max_states is not None and len(order) >= max_states:
                        continue
                    if len(order) >= cap:
                        raise GraphTooLarge(
                            f"the graph has more than {limit} states; bound it with "
                            f"--max-depth or --max-states, or raise --dot-limit")
                    j = index[t] = len(order)
                    order.append(t)
                    depth_of.append(depth_of[i] + 1)
                edges.append((i, j, str(label)))
        i += 1
    lines = ["digraph states {", "  rankdir=LR;",
             '  node [shape=box, fontname="monospace", fontsize=9];',
             '  edge [fontname="monospace", fontsize=8];']
    for k, s in enumerate(order):
        extra = ", style=bold" if k == 0 else ""
        lines.append(f"  s{k} [label={_quote(f's{k}: ' + describe(s))}{extra}];")
    for a, b, text in edges:
        lines.append(f"  s{a} -> s{b} [label={_quote(text)}];")
    lines.append("}")
    return "\n".join(lines) + "\n", len(order), len(edges)
