"""Liveness over the explored graph: SYS-3 and the model's progress properties.

After an exhaustive search the graph is kept in compressed-sparse-row form (successor ids and
per-state offsets, two ``array``); :func:`cannot_satisfy` finds by backward reachability the
states from which no target state is reachable, :func:`lasso` shows how such a state stays
away from the targets forever.
"""

from __future__ import annotations

from array import array

from engine.model import L, Model, S

FORWARD_PASSES = 3
"""Sweeps of :func:`cannot_satisfy`'s forward pass before it may fall back to the reverse graph
(more follow while each halves the states left undecided)."""


def cannot_satisfy(n: int, edges: array[int], edge_start: array[int],
                   satisfied: bytearray) -> tuple[int, int] | None:
    """SYS-3: the states from which no satisfied state is reachable, as ``(count, first)``,
    ``first`` the lowest id (a state with a shortest trace), or ``None`` if there is none
    (:func:`unsatisfiable`)."""
    good = unsatisfiable(n, edges, edge_start, satisfied)
    if good is None:
        return None
    return good.count(0), good.find(0)


def unsatisfiable(n: int, edges: array[int], edge_start: array[int],
                  satisfied: bytearray) -> bytearray | None:
    """Per state, 1 if a satisfied state is reachable from it; ``None`` if that holds for all.

    The set of states that can reach a satisfied state is the least fixpoint of "satisfied,
    or some successor can". Sweeping the states from the last id to the first settles in one
    sweep every state whose path to a satisfied state goes to higher ids (breadth-first ids
    grow along most edges), so a few sweeps over the states still undecided usually reach the
    fixpoint (a sweep that changes nothing proves it). After :data:`FORWARD_PASSES` sweeps it
    goes on sweeping while each sweep at least halves the undecided states (so the extra
    sweeps cost at most twice the last one: on tiny a fourth sweep settles the last 360 of
    209,000 states, where the reverse graph cost 0.45 s); otherwise the rest is settled by
    backward reachability over the reverse graph (:func:`_backward`).
    """
    good = bytearray(satisfied)
    pending = [k for k in range(n - 1, -1, -1) if not good[k]]
    get = good.__getitem__
    passes, halved = 0, False
    while pending and (passes < FORWARD_PASSES or halved):
        still = []
        for k in pending:
            if any(map(get, edges[edge_start[k]:edge_start[k + 1]])):
                good[k] = 1
            else:
                still.append(k)
        if len(still) == len(pending):
            return good
        passes, halved = passes + 1, 2 * len(still) <= len(pending)
        pending = still
    if not pending:
        return None
    _backward(n, edges, edge_start, good)
    return good if good.find(0) >= 0 else None


def _backward(n: int, edges: array[int], edge_start: array[int], good: bytearray) -> None:
    """Backward reachability from the states marked in ``good`` (updated in place).

    Builds the reverse graph in CSR form (in-degree counts, prefix sums, fill), then a
    backward breadth-first search from every good state.
    """
    m = len(edges)
    rstart = array("Q", bytes(8 * (n + 1)))
    for j in edges:
        rstart[j + 1] += 1
    for k in range(n):
        rstart[k + 1] += rstart[k]
    fill = array("Q", rstart)
    rev = array("I", bytes(4 * m))
    for src in range(n):
        for e in range(edge_start[src], edge_start[src + 1]):
            dst = edges[e]
            rev[fill[dst]] = src
            fill[dst] += 1
    frontier = [k for k in range(n) if good[k]]
    while frontier:
        nxt = []
        for k in frontier:
            for e in range(rstart[k], rstart[k + 1]):
                src = rev[e]
                if not good[src]:
                    good[src] = 1
                    nxt.append(src)
        frontier = nxt


def lasso(model: Model[S, L], start: S, limit: int = 50) -> tuple[list[S], list[L]]:
    """From ``start`` follow the first successor until a state repeats or ``limit`` steps.

    Every successor of a state that cannot reach a satisfied state cannot either, so the walk
    shows how the waiters stay waiting forever.
    """
    seen = {start}
    path_states, path_labels = [start], []
    s = start
    for _ in range(limit):
        nxt = next(iter(model.successors(s)), None)
        if nxt is None:
            break
        label, s = nxt
        path_states.append(s)
        path_labels.append(label)
        if s in seen:
            break
        seen.add(s)
    return path_states, path_labels


