"""Exhaustive search on several processes: states partitioned by fingerprint.

Worker ``w`` of ``N`` runs the partition :class:`engine.partition.Partition` ``w``: it *owns*
the fingerprints equal to ``w`` modulo ``N`` (their visited set, an open-addressing table of
:mod:`engine.store`, and each owned state's parent) and *keeps* the states it found first,
with their labels, their checks and the edges leaving them. The search is level-synchronous,
as :func:`engine.search.explore`'s breadth-first order is: in each level every worker expands
the states it keeps; a successor it owns is settled at once, for the others it asks the owner
(through the coordinating process, which forwards the batches: fingerprints and parent ids, 16
bytes per question, never a state), and the first asker of a new state keeps it. Then the
coordinator balances the next level: a worker that kept more than its share hands the surplus
to the others, pickled (the only states that cross processes; see
:mod:`engine.partition`). So the work is split about evenly however few initial states there
are, and what crosses processes per level is fingerprints, ids and a few hundred states.

A level that finds a failure is the last: a deadlock (a state of this level) wins over a
property failing on a successor (one step longer), so the reported counterexample has the
same length as the one-process search's; it is rebuilt by re-execution from the parents kept
by the owners and the labels kept by the keepers. After a complete search the coordinator
gathers the graph, numbered in breadth-first order (level by level), and checks liveness
(SYS-3 and progress properties) as the one-process search does, choosing among the states
that cannot reach a target one of least depth. Counts, depth, verdicts and trace lengths are
those of one process; the particular trace may differ when several of the same length exist.
The visited set is always fingerprints here.

Processes are forked (the model is inherited, never pickled: toy models hold lambdas; states
and labels must pickle, which attrs classes, tuples and named tuples do); on a Dask cluster
(:mod:`engine.cluster`) the same partition objects are actors.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
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
    deadlock_message,
    explain_failure,
    split_properties,
)
from engine.partition import Partition, balance_moves
from engine.store import collision_probability


def _serve(worker_args: tuple[Any, ...], conn: Connection) -> None:
    """A worker process: answer the coordinator's requests until told to stop. Ctrl-C is the
    coordinator's business (it stops the workers and prints one line), not the workers'."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.disable()
    worker = Partition(*worker_args)
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
            parent = pool.ask(gid % nw, "parent_of", gid)
            if parent < 0:
                break
            labels.append(next(label for kept, label in
                               pool.ask_all("kept_label", [(gid,)] * nw) if kept))
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

    def settle(counts: list[dict[str, int]]) -> list[dict[str, Any]]:
        """Balance the next level's states between the workers, then start it."""
        moves = balance_moves([c["new"] for c in counts])
        handed: list[list[bytes]] = [[] for _ in range(nw)]
        if any(moves):
            for out in pool.ask_all("give", [(m,) for m in moves]):
                for dst, blob in out:
                    handed[dst].append(blob)
        return list(pool.ask_all("advance", [(h,) for h in handed]))

    try:
        levels = settle(pool.ask_all("init", [(inits,)] * nw))
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
            levels = settle(pool.ask_all("answers", answers))
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

    # dense ids in breadth-first order (level by level, each level worker by worker), so
    # that unsatisfiable's sweeps from the last id settle it as on one process
    kept, bounds = [], []
    for blob, level_starts in pool.ask_all("kept"):
        arr = array("Q")
        arr.frombytes(blob)
        kept.append(arr)
        bounds.append([*level_starts, len(arr)])
    segments = [(w, bounds[w][d], bounds[w][d + 1])
                for d in range(len(bounds[0]) - 1) for w in range(nw)]
    gids = array("Q")
    for w, lo, hi in segments:
        gids.extend(kept[w][lo:hi])
    n = len(gids)
    owned = [0] * nw
    for g in gids:
        owned[g % nw] += 1
    dense_of = [array("I", bytes(4 * c)) for c in owned]
    for k, g in enumerate(gids):
        dense_of[g % nw][g // nw] = k
    blobs = [d.tobytes() for d in dense_of]
    parts = pool.ask_all("graph", [(blobs,)] * nw)
    part_edges, part_starts = [], []
    for w, part in enumerate(parts):
        arr = array("I")
        arr.frombytes(part["edges"])
        part_edges.append(arr)
        starts = array("Q")
        starts.frombytes(part["edge_start"])
        # states never expanded (at a max_depth bound) have no edges
        starts.extend([len(arr)] * (len(kept[w]) + 1 - len(starts)))
        part_starts.append(starts)
    edges = array("I")
    edge_start = array("Q")
    sats: list[bytes] = []
    progress_props = list(getattr(model, "progress_properties", lambda: ())())
    progs: list[list[bytes]] = [[] for _ in progress_props]
    for w, lo, hi in segments:
        starts = part_starts[w]
        shift = len(edges) - starts[lo]
        edge_start.extend([shift + x for x in starts[lo:hi]])
        edges.extend(part_edges[w][starts[lo]:starts[hi]])
        sats.append(parts[w]["satisfied"][lo:hi])
        for k, bits in enumerate(progs):
            bits.append(parts[w]["progress"][k][lo:hi])
    edge_start.append(len(edges))
    targets = [("liveness", ("SYS-3",), b"".join(sats), None)]
    for k, prog in enumerate(progress_props):
        targets.append((prog.name, tuple(prog.ids), b"".join(progs[k]), prog))
    for name, ids, sat, prog in targets:
        good = unsatisfiable(n, edges, edge_start, bytearray(sat))
        if good is None:
            continue
        bad = good.count(0)   # ids in breadth-first order: the first has the least depth
        states, labels = path_to(gids[good.find(0)])
        cycle_states, cycle_labels = lasso(model, states[-1])
        message = (f"from this state no state where every waiter is satisfied is reachable "
                   f"({bad} such states)" if prog is None else
                   f"{prog.doc}: from this state no state where it holds is reachable "
                   f"({bad} such states)")
        v = Violation(kind="liveness", property=name, ids=ids, message=message,
                      trace=tuple(str(x) for x in labels), steps=steps_of(model, states, labels),
                      cycle=steps_of(model, cycle_states, cycle_labels), labels=tuple(labels))
        return result("liveness", depth, v, liveness=True,
                      message=("a waiter can be left waiting forever" if prog is None else
                               f"progress property {name} fails"))
    return result("ok", depth, liveness=True)
