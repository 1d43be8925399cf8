"""Exhaustive search on several processes: states partitioned by fingerprint.

Worker ``w`` of ``N`` *owns* the fingerprints equal to ``w`` modulo ``N``: it keeps their
visited set (an open-addressing table, :mod:`engine.store`), and for each owned state its
parent, the label that reached it, its checks and the edges leaving it; the owner of a state
is also the one that expands it, so the states, and the work, are split about evenly however
few initial states there are. The search is level-synchronous, as
:func:`engine.search.explore`'s breadth-first order is: in each level every worker expands
the states it owns at that depth; a successor it owns is settled at once, the others are
batched per owner and sent, once per level, through the coordinating process: for each
distinct fingerprint its parent's global id (16 bytes) and the state itself with its label,
pickled on its own so that the owner unpickles only the states it did not know (most of
those sent are known: reached by another path). The owner settles the batch: a fingerprint
it did not know is kept,
checked and expanded at the next level; it answers with the global id of each (``k * N + w``
for its ``k``-th state). The sender remembers the ids it was told, so a fingerprint owned
elsewhere is sent at most once per worker; what crosses processes is therefore one pickled
state per (sender, successor owned elsewhere) the first time the sender meets it, plus
fingerprints and ids, and nothing per transition. Each worker records the edges leaving its
states (for liveness).

A level that finds a failure is the last: a deadlock (a state of this level) wins over a
property failing on a successor (one step longer), so the reported counterexample has the
same length as the one-process search's; it is rebuilt by re-execution from the parents and
labels kept by the owners. After a complete search the coordinator gathers the
graph and checks liveness (SYS-3 and progress properties) as the one-process search does,
choosing among the states that cannot reach a target one of least depth. Counts, depth,
verdicts and trace lengths are those of one process; the particular trace may differ when
several of the same length exist. The visited set is always fingerprints here.

Processes are forked (the model is inherited, never pickled: toy models hold lambdas; states
and labels must pickle, which attrs classes, tuples and named tuples do); on a Dask cluster
(:mod:`engine.cluster`) the same worker objects are actors.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import pickle
import signal
import time
from array import array
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from engine.counterexample import concretize, rebuild, steps_of
from engine.liveness import unsatisfiable
from engine.model import (
    ExploreResult,
    Model,
    ModelError,
    Progress,
    ProgressFn,
    Verdict,
    Violation,
    concerns,
    deadlock_message,
    explain_failure,
    split_properties,
)
from engine.store import FingerprintTable, collision_probability, fingerprint_function, nbytes

NEW = 1 << 63
"""Flag on a global id returned by :meth:`_Worker._own`: the state was not known before."""


class _Worker:
    """One partition of the search (runs in its own process).

    The worker owns the fingerprints ``w`` modulo ``N``: it holds their visited set
    (``table``: fingerprint -> owned index ``k``, global id ``k * N + w``) with each owned
    state's parent and *keeper* (always the owner: the field keeps :meth:`owned_step`'s answer
    explicit), and it keeps those states (its share of the frontier), their labels and
    checks, and the edges leaving them. ``remote`` remembers the global ids other owners gave
    for the successors sent to them.
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
        self.owned_keeper = array("B")
        # keeper side
        self.kept_gid = array("Q")
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
        self.next_frontier: list[Any] = []
        self.transitions = 0
        self.found: list[Any] = []     # ("step", gid of s, label, prop) / ("invariant", gid, prop)
        self.deadlocks: list[int] = []
        self.remote = FingerprintTable()    # other owners' fingerprints -> global id
        # this level's successors sent to each owner (fingerprints), and the edge slots
        # waiting for their global ids
        self.asked: list[list[int]] = []
        self.pending: list[list[tuple[int, int]]] = []

    # --- owner ---------------------------------------------------------------------------
    def _own(self, fp: int, parent_gid: int, keeper: int) -> int:
        """The global id of ``fp`` (owned here), with :data:`NEW` if it was not known."""
        k = len(self.owned_parent)
        j = self.table.add(fp, k)
        if j >= 0:
            return j * self.nw + self.w
        self.owned_parent.append(parent_gid)
        self.owned_keeper.append(keeper)
        return (k * self.nw + self.w) | NEW

    # --- keeper --------------------------------------------------------------------------
    def _keep(self, t: Any, gid: int, label: Any) -> None:
        """Keep a new state found here: next level's frontier, its label, its checks."""
        self.next_frontier.append(t)
        self.kept_gid.append(gid)
        lid = self.label_ids.get(label)
        if lid is None:
            lid = self.label_ids[label] = len(self.label_list)
            self.label_list.append(label)
        self.via.append(lid)
        if self.keep_edges:
            self.satisfied.append(1 if self.model.waiters_satisfied(t) else 0)
            for prog, sat in zip(self.progress_props, self.progress_sat, strict=True):
                sat.append(1 if prog.target(self.params, t) else 0)
        if not self.found:
            for prop, pred in self.state_checks:
                if not pred(self.params, t):
                    self.found.append(("invariant", gid, prop.name))
                    break

    def init(self, inits: list[Any]) -> dict[str, Any]:
        for i, s0 in enumerate(inits):
            fp = self.fingerprint(s0)
            if fp % self.nw == self.w:
                g = self._own(fp, -2 - i, self.w)
                if g & NEW:
                    self._keep(s0, g & ~NEW, None)
        return self._advance()

    def _advance(self) -> dict[str, Any]:
        """Make the states kept since the last level the frontier."""
        first = len(self.kept_gid) - len(self.next_frontier)
        self.level_starts.append(first)
        self.frontier_first = first
        self.frontier = self.next_frontier
        self.next_frontier = []
        return {"new": len(self.frontier), "found": list(self.found)}

    # --- a level -------------------------------------------------------------------------
    def expand(self) -> tuple[dict[str, Any], list[tuple[bytes, list[bytes]]]]:
        """Expand this level's states. A successor whose owner is this worker is settled at
        once; the others are batched per owner, each distinct fingerprint once per level with
        its parent, state and label (and never again once its global id is known)."""
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
        keep = self._keep
        kept_gid = self.kept_gid
        remote_get = self.remote.get
        asked: list[list[int]] = [[] for _ in range(nw)]
        asked_parent: list[array[int]] = [array("q") for _ in range(nw)]
        asked_states: list[list[bytes]] = [[] for _ in range(nw)]
        dumps = pickle.dumps
        protocol = pickle.HIGHEST_PROTOCOL
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
                    j = own(fp, gid, w)
                    if j & NEW:
                        j &= ~NEW
                        keep(t, j, label)
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
                    asked_states[owner].append(dumps((t, label), protocol))
                if keep_edges:
                    pending[owner].append((len(edges), item))
                    edges_append(0)
            if transitions == before and check_deadlock and not is_terminal_ok(s):
                self.deadlocks.append(gid)
        self.transitions = transitions
        self.asked, self.pending = asked, pending
        blobs = [(array("Q", asked[o]).tobytes() + asked_parent[o].tobytes(), asked_states[o])
                 for o in range(nw)]
        return {"deadlocks": list(self.deadlocks)}, blobs

    def receive(self, batches: list[tuple[bytes, list[bytes]]]) -> list[bytes]:
        """As owner: settle the successors the other workers found (fingerprint, parent id,
        state and label); a fingerprint not known before is kept here, for the next level.
        The answer is the global id of each (flagged :data:`NEW` when it was new)."""
        replies = []
        own = self._own
        keep = self._keep
        w = self.w
        loads = pickle.loads
        for blob, pickled in batches:
            both = array("Q")
            both.frombytes(blob)
            half = len(both) // 2
            if not half:
                replies.append(b"")
                continue
            parents = array("q", both[half:].tobytes())
            ids = array("Q", bytes(8 * half))
            for x in range(half):
                g = own(both[x], parents[x], w)
                if g & NEW:
                    t, label = loads(pickled[x])   # only the new ones are unpickled
                    keep(t, g & ~NEW, label)
                ids[x] = g
            replies.append(ids.tobytes())
        return replies

    def answers(self, blobs: list[bytes]) -> dict[str, Any]:
        """As sender: remember the global id of every successor sent, fill in the edges,
        then start the next level."""
        edges = self.edges
        add = self.remote.add
        strip = ~NEW
        for owner, blob in enumerate(blobs):
            if not blob:
                continue
            ids = array("Q")
            ids.frombytes(blob)
            for x, fp in enumerate(self.asked[owner]):
                g = ids[x] & strip
                ids[x] = g
                add(fp, g)
            if self.keep_edges:
                for pos, item in self.pending[owner]:
                    edges[pos] = ids[item]
        self.asked, self.pending = [], []
        return self._advance()

    def probe(self) -> bool:
        """Whether a state of the frontier has a successor (a bound cut something off)."""
        return any(next(iter(self.model.successors(s)), None) is not None
                   for s in self.frontier)

    def owned_step(self, gid: int) -> tuple[int, int]:
        """As owner of ``gid``: its parent's global id and its keeper."""
        k = gid // self.nw
        return self.owned_parent[k], self.owned_keeper[k]

    def kept_label(self, gid: int) -> Any:
        """As keeper of ``gid``: the label that reached it."""
        return self.label_list[self.via[self.kept_gid.index(gid)]]

    def kept(self) -> bytes:
        return self.kept_gid.tobytes()

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
                "progress": [bytes(s) for s in self.progress_sat],
                "level_starts": self.level_starts}

    def totals(self) -> dict[str, Any]:
        store = nbytes(self.owned_parent, self.owned_keeper, self.kept_gid, self.via,
                       self.edges, self.edge_start, self.satisfied, *self.progress_sat)
        store += self.table.nbytes() + self.remote.nbytes()
        return {"n": len(self.kept_gid), "transitions": self.transitions, "store_bytes": store,
                "counts": {a: rec[0] for a, rec in self.by_action.items()}}


def _serve(worker_args: tuple[Any, ...], conn: Connection) -> None:
    """A worker process: answer the coordinator's requests until told to stop. Ctrl-C is the
    coordinator's business (it stops the workers and prints one line), not the workers'."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.disable()
    worker = _Worker(*worker_args)
    while True:
        try:
            request, arg = conn.recv()
        except EOFError:
            return
        if request == "stop":
            conn.send(("ok", None))
            return
        try:
            conn.send(("ok", getattr(worker, request)(*arg)))
        except Exception as exc:  # a bug in the model: reported by the coordinator
            tb = exc.__traceback__
            where = ""
            while tb is not None:
                where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"
                tb = tb.tb_next
            conn.send(("error", f"{type(exc).__name__}: {exc} (at {where})"))


class _Pool:
    """The coordinator's handle on the worker processes."""

    def __init__(self, model: Any, n: int, keep_edges: bool, check_deadlock: bool,
                 symmetry: Callable[[Any], Any] | None) -> None:
        ctx = multiprocessing.get_context("fork")
        self.conns: list[Connection] = []
        self.procs: list[Any] = []
        for w in range(n):
            mine, theirs = ctx.Pipe()
            proc = ctx.Process(target=_serve, daemon=True, args=(
                (model, w, n, keep_edges, check_deadlock, symmetry), theirs))
            proc.start()
            theirs.close()
            self.conns.append(mine)
            self.procs.append(proc)

    def ask(self, w: int, request: str, *args: Any) -> Any:
        self.conns[w].send((request, args))
        return self._answer(w)

    def ask_all(self, request: str, per_worker: list[tuple[Any, ...]] | None = None) -> list[Any]:
        for w, conn in enumerate(self.conns):
            conn.send((request, per_worker[w] if per_worker is not None else ()))
        return [self._answer(w) for w in range(len(self.conns))]

    def _answer(self, w: int) -> Any:
        status, value = self.conns[w].recv()
        if status == "error":
            raise WorkerFailed(str(value))
        return value

    def close(self) -> None:
        for conn in self.conns:
            with contextlib.suppress(OSError):
                conn.send(("stop", ()))
        for proc in self.procs:
            proc.join(timeout=2)
            if proc.is_alive():
                proc.kill()
                proc.join()
        for conn in self.conns:
            conn.close()


class WorkerFailed(Exception):
    """A worker raised (a bug in the model): the message names the exception and where."""


def explore_parallel(
    model: Model[Any, Any],
    *,
    workers: int,
    max_depth: int | None = None,
    check_liveness: bool = True,
    check_deadlock: bool = True,
    progress: ProgressFn | None = None,
    fingerprints: bool | None = None,
    symmetry: Callable[[Any], Any] | None = None,
    cluster: str | None = None,
) -> ExploreResult:
    """:func:`engine.search.explore` on ``workers`` processes (see the module's docstring),
    forked here, or actors on the Dask cluster at ``cluster`` (:mod:`engine.cluster`).

    ``fingerprints``: ``True`` for 64-bit fingerprints in every worker, ``False`` or ``None``
    for full states (each worker holds only its share of them).
    """
    if workers < 1 and cluster is None:
        raise ValueError(f"workers={workers}: must be at least 1")
    started = time.perf_counter()
    params = model.params
    state_props, step_props = split_properties(model)
    names = tuple(p.name for p in (*state_props, *step_props))
    props = {p.name: p for p in (*state_props, *step_props)}
    del fingerprints   # the workers always exchange fingerprints (see the module's doc)
    use_fp = True
    inits = list(dict.fromkeys(model.init_states() if symmetry is None else
                               [symmetry(s0) for s0 in model.init_states()]))
    pool: Any
    if cluster is not None:
        from engine.cluster import DaskPool

        pool = DaskPool(cluster, model, workers, check_liveness, check_deadlock, symmetry)
    else:
        pool = _Pool(model, workers, check_liveness, check_deadlock, symmetry)
    nw = len(pool.conns) if cluster is None else len(pool.actors)

    def path_to(gid: int) -> tuple[list[Any], list[Any]]:
        labels = []
        while True:
            parent, keeper = pool.ask(gid % nw, "owned_step", gid)
            if parent < 0:
                break
            labels.append(pool.ask(keeper, "kept_label", gid))
            gid = parent
        labels.reverse()
        states = rebuild(model, inits[-2 - parent], labels, symmetry)
        if symmetry is not None:
            return concretize(model, states[0], states, symmetry)
        return states, labels

    def violation(kind: str, prop: str, ids: tuple[str, ...], message: str,
                  path: tuple[list[Any], list[Any]]) -> Violation:
        states, labels = path
        return Violation(kind=kind, property=prop, ids=ids, message=message,
                         trace=tuple(str(x) for x in labels),
                         steps=steps_of(model, states, labels), labels=tuple(labels))

    def result(verdict: Verdict, depth: int, v: Violation | None = None, complete: bool = True,
               liveness: bool = False, message: str = "") -> ExploreResult:
        totals = pool.ask_all("totals")
        counts: dict[str, int] = {}
        for tot in totals:
            for a, k in tot["counts"].items():
                counts[a] = counts.get(a, 0) + k
        n = sum(tot["n"] for tot in totals)
        uncovered = tuple(a for a, k in counts.items() if k == 0)
        if verdict == "ok" and uncovered:
            verdict = "coverage"
            message = f"never taken: {', '.join(uncovered)}"
        return ExploreResult(
            verdict=verdict, mode="exhaustive", distinct_states=n,
            transitions=sum(tot["transitions"] for tot in totals), depth=depth,
            seconds=time.perf_counter() - started, actions=counts, invariants=names,
            violation=v, uncovered=uncovered, complete=complete, liveness_checked=liveness,
            deadlock_checked=check_deadlock, message=message,
            store="fingerprints" if use_fp else "states",
            store_bytes=sum(tot["store_bytes"] for tot in totals),
            collision_probability=collision_probability(n) if use_fp else None,
            workers=nw)

    def failure(depth: int, deadlocks: list[int], found: list[Any]) -> ExploreResult | None:
        if deadlocks:
            gid = min(deadlocks)
            path = path_to(gid)
            v = violation("deadlock", "deadlock", ("SYS-3",), deadlock_message(model, path[0][-1]),
                          path)
            return result("deadlock", len(path[1]), v, complete=False,
                          message="a reachable state has no enabled action")
        if not found:
            return None
        item = found[0]
        if item[0] == "step":
            _, gid, label, name = item
            states, labels = path_to(gid)
            s = states[-1] if symmetry is None else symmetry(states[-1])
            t = model.next_state(s, label)
            prop = props[name]
            full = (([*states, t], [*labels, label]) if symmetry is None else
                    concretize(model, states[0], [symmetry(x) for x in states], symmetry,
                               (label, t)))
            v = violation("step", name, tuple(prop.ids), explain_failure(prop, params, s, label, t),
                          full)
            return result("violation", len(v.trace), v, complete=False,
                          message=f"{name} is false on a reachable transition")
        _, gid, name = item
        path = path_to(gid)
        prop = props[name]
        v = violation("invariant", name, tuple(prop.ids),
                      explain_failure(prop, params, path[0][-1]), path)
        return result("violation", len(v.trace), v, complete=False,
                      message=f"{name} is false in a reachable state")

    try:
        levels = pool.ask_all("init", [(inits,)] * nw)
        found = [f for lv in levels for f in lv["found"]]
        if found:
            out = failure(0, [], found)
            assert out is not None
            return out
        depth = 0
        frontier = sum(lv["new"] for lv in levels)
        while True:
            if max_depth is not None and depth >= max_depth:
                if any(pool.ask_all("probe")):
                    return result("incomplete", depth, complete=False,
                                  message=f"stopped by max_depth={max_depth}; liveness and "
                                          "coverage not concluded")
                break
            expanded = pool.ask_all("expand")
            outboxes = [blobs for _, blobs in expanded]
            inboxes = [([outboxes[src][dst] for src in range(nw)],) for dst in range(nw)]
            replies = pool.ask_all("receive", inboxes)
            answers = [([replies[owner][src] for owner in range(nw)],) for src in range(nw)]
            levels = pool.ask_all("answers", answers)
            deadlocks = [d for info, _ in expanded for d in info["deadlocks"]]
            found = [f for lv in levels for f in lv["found"]]
            out = failure(depth + 1, deadlocks, found)
            if out is not None:
                return out
            frontier = sum(lv["new"] for lv in levels)
            if progress is not None:
                totals = pool.ask_all("totals")
                progress(Progress(sum(t["n"] for t in totals),
                                  sum(t["transitions"] for t in totals), depth, frontier,
                                  time.perf_counter() - started))
            if frontier == 0:
                break
            depth += 1
        if not check_liveness:
            return result("ok", depth)
        return _liveness(model, pool, nw, depth, path_to, result)
    except WorkerFailed as exc:
        raise ModelError(RuntimeError(str(exc)), "in a worker process", ()) from None
    finally:
        pool.close()


def _liveness(model: Any, pool: Any, nw: int, depth: int,
              path_to: Callable[[int], tuple[list[Any], list[Any]]],
              result: Callable[..., ExploreResult]) -> ExploreResult:
    """SYS-3 and the progress properties over the graph gathered from the workers."""
    from engine.liveness import lasso

    kept = []
    for blob in pool.ask_all("kept"):
        arr = array("Q")
        arr.frombytes(blob)
        kept.append(arr)
    offsets = [0]
    for arr in kept:
        offsets.append(offsets[-1] + len(arr))
    n = offsets[-1]
    # dense id (keeper order) of each owner's k-th state
    owned = [0] * nw
    for arr in kept:
        for g in arr:
            owned[g % nw] += 1
    dense_of = [array("I", bytes(4 * c)) for c in owned]
    for w, arr in enumerate(kept):
        base = offsets[w]
        for q, g in enumerate(arr):
            dense_of[g % nw][g // nw] = base + q
    blobs = [d.tobytes() for d in dense_of]
    parts = pool.ask_all("graph", [(blobs,)] * nw)

    edges = array("I")
    edge_start = array("Q")
    depth_of = array("H")
    for part in parts:
        starts = array("Q")
        starts.frombytes(part["edge_start"])
        base = len(edges)
        # states never expanded (at a max_depth bound) have no edges
        k_states = part["n"]
        edge_start.extend([base + x for x in starts])
        edges.frombytes(part["edges"])
        edge_start.extend([len(edges)] * (k_states - len(starts)))
        levels = [*part["level_starts"], k_states]
        for d in range(len(levels) - 1):
            depth_of.extend([d] * (levels[d + 1] - levels[d]))
    edge_start.append(len(edges))
    targets = [("liveness", ("SYS-3",), b"".join(p["satisfied"] for p in parts), None)]
    progress_props = list(getattr(model, "progress_properties", lambda: ())())
    for k, prog in enumerate(progress_props):
        targets.append((prog.name, tuple(prog.ids),
                        b"".join(p["progress"][k] for p in parts), prog))
    for name, ids, sat, prog in targets:
        good = unsatisfiable(n, edges, edge_start, bytearray(sat))
        if good is None:
            continue
        bad = [k for k in range(n) if not good[k]]
        first = min(bad, key=lambda k: (depth_of[k], k))
        w = next(x for x in range(nw) if offsets[x] <= first < offsets[x + 1])
        gid = kept[w][first - offsets[w]]
        states, labels = path_to(gid)
        cycle_states, cycle_labels = lasso(model, states[-1])
        message = (f"from this state no state where every waiter is satisfied is reachable "
                   f"({len(bad)} such states)" if prog is None else
                   f"{prog.doc}: from this state no state where it holds is reachable "
                   f"({len(bad)} such states)")
        v = Violation(kind="liveness", property=name, ids=ids, message=message,
                      trace=tuple(str(x) for x in labels), steps=steps_of(model, states, labels),
                      cycle=steps_of(model, cycle_states, cycle_labels), labels=tuple(labels))
        return result("liveness", depth, v, liveness=True,
                      message=("a waiter can be left waiting forever" if prog is None else
                               f"progress property {name} fails"))
    return result("ok", depth, liveness=True)
