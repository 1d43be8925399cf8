"""One partition of :mod:`engine.workers`' search, and how the partitions exchange states.

Partition ``w`` of ``N`` *owns* the fingerprints equal to ``w`` modulo ``N``: their visited set
and each owned state's parent. It *keeps* the states it found first (or was handed, below):
their global ids, labels, checks and the edges leaving them, and it expands them.

A level, driven by the coordinator (:func:`engine.workers.explore_parallel`):

1. :meth:`Partition.expand`: the kept states of this level are expanded; a successor owned
   here is settled at once, for the others each distinct fingerprint not already known is
   asked of its owner, with its parent's id (16 bytes), never the state.
2. :meth:`Partition.receive` (as owner): the global id of each fingerprint asked (``k * N +
   w`` for the owner's ``k``-th state), flagged :data:`NEW` for the first asker of a state not
   known before (the owner's own successors, settled in step 1, come first).
3. :meth:`Partition.answers` (as asker): keep the states flagged new, remember every id (a
   fingerprint is asked at most once per partition), fill in the edges.
4. Balance: :func:`balance_moves` decides, from how many new states each partition kept, who
   hands how many to whom (:meth:`Partition.give`, pickled in one batch per pair): from one
   initial state a partition would otherwise keep everything it finds, and every state it
   keeps finds the next level's (so without this one partition did all the work). Once
   balanced a level stays nearly so (each partition finds new states in proportion to the
   states it expands), so only a few hundred states per level move, when any do (on tiny
   about 2,000 of 214,041 states in all), where the protocol in which the owner keeps and
   expands every state pickled about 91,000 successors per worker.
5. :meth:`Partition.advance`: the states kept (and handed) become the frontier: their ids and
   labels are recorded and the invariants and liveness targets checked.

On a Dask cluster (:mod:`engine.cluster`) the partitions are actors; forked, each runs in its
own process (:mod:`engine.workers`).
"""

from __future__ import annotations

import pickle
from array import array
from collections.abc import Callable
from typing import Any

from engine.model import concerns, split_properties
from engine.store import FingerprintTable, fingerprint_function, nbytes

NEW = 1 << 63
"""Flag on a global id returned by :meth:`_Worker._own`: the state was not known before."""


class Partition:
    """One partition of the search (runs in its own process).

    As an *owner*, the worker holds the visited set of the fingerprints ``w`` modulo ``N``
    (``table``: fingerprint -> owned index ``k``, global id ``k * N + w``) with each owned
    state's parent. As a *keeper*, it holds the states it found first or was handed by
    :meth:`give` (its share of the frontier), their labels and checks, and the edges leaving
    them. ``remote`` remembers the global ids other owners gave for the fingerprints asked.
    """

    def __init__(self, model: Any, wid: int, n_workers: int, keep_edges: bool,
                 check_deadlock: bool, symmetry: Callable[[Any], Any] | None) -> None:
        self.model = model
        self.symmetry = symmetry
        self.w = wid
        self.nw = n_workers
        self.keep_edges = keep_edges
        self.check_deadlock = check_deadlock
        self.params = model.params
        state_props, step_props = split_properties(model)
        self.state_checks = tuple((p, p.predicate) for p in state_props)
        step_checks = [(p, p.predicate) for p in step_props]
        self.by_action: dict[str, list[Any]] = {
            a: [0, tuple((p, f) for p, f in step_checks if concerns(p, a))]
            for a in model.action_names()}
        self.fingerprint = fingerprint_function(model)
        # owner side
        self.table = FingerprintTable()
        self.owned_parent = array("q")  # parent's global id (-2 - i: initial state i)
        # keeper side
        self.kept_gid = array("Q")
        self.kept_index: dict[int, int] | None = None   # built for counterexamples only
        self.via = array("I")
        self.label_list: list[Any] = [None]
        self.label_ids: dict[Any, int] = {}
        self.edges = array("Q")      # global ids of the successors of each expanded state
        self.edge_start = array("Q")
        self.satisfied = bytearray()
        progress_props = list(getattr(model, "progress_properties", lambda: ())()) \
            if keep_edges else []
        self.progress_props = progress_props
        self.progress_sat = [bytearray() for _ in progress_props]
        self.level_starts: list[int] = []   # keeper index of the first state of each depth
        self.frontier: list[Any] = []
        self.frontier_first = 0
        # the next level's states kept here so far, with their global ids and labels
        # (checked and recorded by :meth:`advance`, once the level is balanced)
        self.next_states: list[Any] = []
        self.next_gid = array("Q")
        self.next_label: list[Any] = []
        self.transitions = 0
        self.found: list[Any] = []     # ("step", gid of s, label, prop) / ("invariant", gid, prop)
        self.deadlocks: list[int] = []
        self.remote = FingerprintTable()    # other owners' fingerprints -> global id
        # this level's questions to each owner: fingerprints, their states and labels, and
        # the edge slots waiting for their global ids
        self.asked: list[list[int]] = []
        self.asked_states: list[list[tuple[Any, Any]]] = []
        self.pending: list[list[tuple[int, int]]] = []

    # --- owner ---------------------------------------------------------------------------
    def _own(self, fp: int, parent_gid: int) -> int:
        """The global id of ``fp`` (owned here), with :data:`NEW` if it was not known."""
        k = len(self.owned_parent)
        j = self.table.add(fp, k)
        if j >= 0:
            return j * self.nw + self.w
        self.owned_parent.append(parent_gid)
        return (k * self.nw + self.w) | NEW

    # --- keeper --------------------------------------------------------------------------
    def init(self, inits: list[Any]) -> dict[str, Any]:
        for i, s0 in enumerate(inits):
            fp = self.fingerprint(s0)
            if fp % self.nw == self.w:
                g = self._own(fp, -2 - i)
                if g & NEW:
                    self.next_states.append(s0)
                    self.next_gid.append(g & ~NEW)
                    self.next_label.append(None)
        return {"new": len(self.next_states)}

    def give(self, moves: list[tuple[int, int]]) -> list[tuple[int, bytes]]:
        """Hand ``k`` of the next level's states to worker ``dst`` for each ``(dst, k)`` (the
        last ones kept), pickled together with their global ids and labels."""
        out = []
        for dst, k in moves:
            cut = len(self.next_states) - k
            out.append((dst, pickle.dumps(
                (self.next_states[cut:], self.next_gid[cut:].tobytes(), self.next_label[cut:]),
                pickle.HIGHEST_PROTOCOL)))
            del self.next_states[cut:], self.next_gid[cut:], self.next_label[cut:]
        return out

    def advance(self, handed: list[bytes]) -> dict[str, Any]:
        """Take the states handed by other workers, then make the next level's states the
        frontier: record their ids and labels, check them (invariants, liveness targets)."""
        for blob in handed:
            states, gids, labels = pickle.loads(blob)
            self.next_states.extend(states)
            self.next_gid.frombytes(gids)
            self.next_label.extend(labels)
        first = len(self.kept_gid)
        self.level_starts.append(first)
        self.frontier_first = first
        self.frontier, states = self.next_states, self.next_states
        self.kept_gid.extend(self.next_gid)
        label_ids = self.label_ids
        via = self.via
        for label in self.next_label:
            lid = label_ids.get(label)
            if lid is None:
                lid = label_ids[label] = len(self.label_list)
                self.label_list.append(label)
            via.append(lid)
        params = self.params
        if self.keep_edges:
            sat = self.model.waiters_satisfied
            self.satisfied.extend([1 if sat(t) else 0 for t in states])
            for prog, bits in zip(self.progress_props, self.progress_sat, strict=True):
                target = prog.target
                bits.extend([1 if target(params, t) else 0 for t in states])
        if not self.found:
            for q, t in enumerate(states):
                for prop, pred in self.state_checks:
                    if not pred(params, t):
                        self.found.append(("invariant", self.next_gid[q], prop.name))
                        break
                if self.found:
                    break
        self.next_states, self.next_gid, self.next_label = [], array("Q"), []
        return {"new": len(self.frontier), "found": list(self.found)}

    # --- a level -------------------------------------------------------------------------
    def expand(self) -> tuple[dict[str, Any], list[bytes]]:
        """Expand this level's states. A successor whose owner is this worker is settled at
        once; for the others each distinct fingerprint is asked once per level (and never
        again once its global id is known)."""
        nw, w = self.nw, self.w
        params = self.params
        successors = self.model.successors
        is_terminal_ok = self.model.is_terminal_ok
        fingerprint = self.fingerprint
        by_action = self.by_action
        keep_edges = self.keep_edges
        edges, edge_start = self.edges, self.edge_start
        edges_append = edges.append
        own = self._own
        next_states, next_gid, next_label = self.next_states, self.next_gid, self.next_label
        kept_gid = self.kept_gid
        remote_get = self.remote.get
        asked: list[list[int]] = [[] for _ in range(nw)]
        asked_parent: list[array[int]] = [array("q") for _ in range(nw)]
        asked_states: list[list[tuple[Any, Any]]] = [[] for _ in range(nw)]
        asked_index: list[dict[int, int]] = [{} for _ in range(nw)]
        pending: list[list[tuple[int, int]]] = [[] for _ in range(nw)]
        transitions = self.transitions
        found = self.found
        check_deadlock = self.check_deadlock
        canon = self.symmetry
        for q, s in enumerate(self.frontier, start=self.frontier_first):
            gid = kept_gid[q]
            if keep_edges:
                edge_start.append(len(edges))
            before = transitions
            for label, t in successors(s):
                transitions += 1
                rec = by_action[label.action]
                rec[0] += 1
                for prop, pred in rec[1]:
                    if not found and not pred(params, s, label, t):
                        found.append(("step", gid, label, prop.name))
                if canon is not None:   # step properties saw the real successor
                    t = canon(t)
                fp = fingerprint(t)
                owner = fp % nw
                if owner == w:
                    j = own(fp, gid)
                    if j & NEW:
                        j &= ~NEW
                        next_states.append(t)
                        next_gid.append(j)
                        next_label.append(label)
                    if keep_edges:
                        edges_append(j)
                    continue
                j = remote_get(fp)
                if j >= 0:
                    if keep_edges:
                        edges_append(j)
                    continue
                item = asked_index[owner].get(fp)
                if item is None:
                    item = asked_index[owner][fp] = len(asked[owner])
                    asked[owner].append(fp)
                    asked_parent[owner].append(gid)
                    asked_states[owner].append((t, label))
                if keep_edges:
                    pending[owner].append((len(edges), item))
                    edges_append(0)
            if transitions == before and check_deadlock and not is_terminal_ok(s):
                self.deadlocks.append(gid)
        self.transitions = transitions
        self.asked, self.asked_states, self.pending = asked, asked_states, pending
        blobs = [array("Q", asked[o]).tobytes() + asked_parent[o].tobytes() for o in range(nw)]
        return {"deadlocks": list(self.deadlocks)}, blobs

    def receive(self, blobs: list[bytes]) -> list[bytes]:
        """As owner: the global id of each fingerprint asked (flagged :data:`NEW` for the
        first asker of a state not known before, which keeps it)."""
        replies = []
        own = self._own
        for blob in blobs:
            both = array("Q")
            both.frombytes(blob)
            half = len(both) // 2
            parents = array("q", both[half:].tobytes())
            ids = array("Q", [own(both[x], parents[x]) for x in range(half)])
            replies.append(ids.tobytes())
        return replies

    def answers(self, blobs: list[bytes]) -> dict[str, Any]:
        """As asker: keep the states the owners say are new, remember every global id, fill
        in the edges. The answer is how many states the next level has here."""
        edges = self.edges
        add = self.remote.add
        next_states, next_gid, next_label = self.next_states, self.next_gid, self.next_label
        for owner, blob in enumerate(blobs):
            if not blob:
                continue
            ids = array("Q")
            ids.frombytes(blob)
            states = self.asked_states[owner]
            for x, fp in enumerate(self.asked[owner]):
                g = ids[x]
                if g & NEW:
                    g &= ~NEW
                    ids[x] = g
                    t, label = states[x]
                    next_states.append(t)
                    next_gid.append(g)
                    next_label.append(label)
                add(fp, g)
            if self.keep_edges:
                for pos, item in self.pending[owner]:
                    edges[pos] = ids[item]
        self.asked, self.asked_states, self.pending = [], [], []
        return {"new": len(next_states)}

    def probe(self) -> bool:
        """Whether a state of the frontier has a successor (a bound cut something off)."""
        return any(next(iter(self.model.successors(s)), None) is not None
                   for s in self.frontier)

    def parent_of(self, gid: int) -> int:
        """As owner of ``gid``: its parent's global id (-2 - i for initial state i)."""
        return self.owned_parent[gid // self.nw]

    def kept_label(self, gid: int) -> tuple[bool, Any]:
        """Whether ``gid`` is kept here, and the label that reached it."""
        if self.kept_index is None:
            self.kept_index = {g: q for q, g in enumerate(self.kept_gid)}
        q = self.kept_index.get(gid)
        return (False, None) if q is None else (True, self.label_list[self.via[q]])

    def kept(self) -> tuple[bytes, list[int]]:
        """The global ids of the states kept here, and where each level starts among them."""
        return self.kept_gid.tobytes(), self.level_starts

    def graph(self, dense_of: list[bytes]) -> dict[str, Any]:
        """This worker's part of the graph, in keeper order, ids made dense."""
        nw = self.nw
        tables = []
        for blob in dense_of:
            arr = array("I")
            arr.frombytes(blob)
            tables.append(arr)
        dense = array("I", [tables[g % nw][g // nw] for g in self.edges])
        return {"n": len(self.kept_gid), "edges": dense.tobytes(),
                "edge_start": self.edge_start.tobytes(), "satisfied": bytes(self.satisfied),
                "progress": [bytes(s) for s in self.progress_sat]}

    def totals(self) -> dict[str, Any]:
        store = nbytes(self.owned_parent, self.kept_gid, self.via,
                       self.edges, self.edge_start, self.satisfied, *self.progress_sat)
        store += self.table.nbytes() + self.remote.nbytes()
        return {"n": len(self.kept_gid), "transitions": self.transitions, "store_bytes": store,
                "counts": {a: rec[0] for a, rec in self.by_action.items()}}


BALANCE_SLACK = 0.02
BALANCE_MIN = 16
"""A level is rebalanced when a worker holds more than ``BALANCE_SLACK`` of an even share
plus ``BALANCE_MIN`` states above it: a state handed over costs its pickling and unpickling,
about what expanding it costs, so only clear imbalances are worth moving."""


def balance_moves(counts: list[int]) -> list[list[tuple[int, int]]]:
    """For each worker, the ``(destination, how many)`` states it hands over so that every
    worker holds an even share of the next level (none if it is nearly even already)."""
    total, nw = sum(counts), len(counts)
    share = [total // nw + (1 if w < total % nw else 0) for w in range(nw)]
    moves: list[list[tuple[int, int]]] = [[] for _ in range(nw)]
    if max(counts) <= total / nw * (1 + BALANCE_SLACK) + BALANCE_MIN:
        return moves
    short = [[w, share[w] - counts[w]] for w in range(nw) if counts[w] < share[w]]
    for w in range(nw):
        surplus = counts[w] - share[w]
        while surplus > 0 and short:
            dst = short[-1]
            k = min(surplus, dst[1])
            moves[w].append((dst[0], k))
            surplus -= k
            dst[1] -= k
            if not dst[1]:
                short.pop()
    return moves
