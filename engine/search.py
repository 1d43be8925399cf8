"""Exhaustive breadth-first search (the heart of ``redospec explore``).

The search programs against the :class:`engine.model.Model` protocol and checks, on every
state it reaches and every transition it takes:

* every *state* property ``predicate(params, s)`` and every *step* property
  ``predicate(params, s, label, t)`` (SYS-1, LNK-5, SYS-2, WR-6, FMT-3..8, NT-4, SYS-4, RC-4:
  whatever ``model.properties()`` lists);
* **deadlock** (SYS-3, "no deadlock between user threads and log threads"): a state where no
  action is enabled although the model says that is not a fine place to stop
  (``model.is_terminal_ok``), e.g. a user thread waits and nothing can wake it;
* **liveness** (SYS-3, "every waiter is eventually woken once its condition holds"): from every
  reachable state, some state where no user waits (``model.waiters_satisfied``) is reachable.
  Checked after an exhaustive search by backward reachability over the explored graph, which is
  kept compactly as two ``array('I')`` (successor ids and per-state offsets);
* **coverage**: every action that exists in the configuration (``model.action_names()``) is
  taken at least once. An action that is never enabled is usually a guard that is too strong,
  which would make every other check vacuous for it. An exhaustive search that never takes an
  action fails with its own verdict ``coverage`` (not a property ``violation``); random walks
  only *report* the actions they did not reach (a walk not reaching an action says nothing
  about the design), so their verdict stays ``ok`` when no property failed.

Breadth-first order makes the first violation found one with the *shortest* trace: states are
discovered level by level, so the parent chain of any state is a shortest path from an initial
state. A counterexample is a list of labels that ``model.replay`` re-executes, with the fields
each step changed (``model.fields_changed``); :func:`engine.model.format_trace` prints it::

    1. user_reserve(thread=0, size=8)  sn: 0 -> 8, users[0].start: None -> 64
    2. writer_write()  write_lsn: 64 -> 90, files[0]: (...) -> (...)

For configurations too large to enumerate (InnoDB's own sizes), seeded random walks
(:func:`engine.walks.random_walks`) make the same checks except liveness.
"""

from __future__ import annotations

import gc
import time
from array import array
from collections.abc import Callable
from typing import Any

from engine.counterexample import concretize, rebuild, steps_of
from engine.liveness import cannot_satisfy, lasso
from engine.model import (
    PROGRESS_EVERY,
    ExploreResult,
    L,
    Model,
    ModelError,
    Progress,
    ProgressFn,
    S,
    Verdict,
    Violation,
    concerns,
    deadlock_message,
    explain_failure,
    split_properties,
)
from engine.store import (
    AUTO_FINGERPRINTS_ABOVE,
    FingerprintTable,
    collision_probability,
    fingerprint_function,
    nbytes,
)


def explore(
    model: Model[S, L],
    *,
    max_states: int | None = None,
    max_depth: int | None = None,
    check_liveness: bool = True,
    check_deadlock: bool = True,
    progress: ProgressFn | None = None,
    fingerprints: bool | None = None,
    workers: int = 1,
    symmetry: Callable[[Any], Any] | None = None,
    cluster: str | None = None,
) -> ExploreResult:
    """Enumerate every state reachable from ``model.init_states()`` breadth first (see
    :func:`_explore` for what is checked and what the bounds mean).

    ``symmetry``: a function giving each state its class's representative (e.g. the users
    sorted, when user threads are interchangeable): the search keeps one state per class.
    Counterexamples are turned back into real executions (:func:`concretize`).

    ``workers`` > 1 runs the search on that many processes (:mod:`engine.workers`), with the
    same counts, depth, verdicts and counterexample lengths; ``max_states`` is then refused
    (which states are the first N depends on the partition). ``cluster``: the address of a
    Dask scheduler; the partitions are then actors on its workers (:mod:`engine.cluster`;
    ``workers`` < 1: one per worker of the cluster).

    ``fingerprints``: ``True`` keeps only 64-bit fingerprints of the visited states
    (:mod:`engine.store`), ``False`` the full states, ``None`` (default) full states until
    :data:`engine.store.AUTO_FINGERPRINTS_ABOVE` are visited, then fingerprints.

    The cyclic garbage collector is paused during the search: every state found stays alive
    until the end, so its full collections would re-scan an ever growing heap for nothing
    (the model's immutable values form no cycles); that was about 15 % of the run time."""
    if workers > 1 or cluster is not None:
        if max_states is not None:
            raise ValueError("max_states cannot bound a search on several workers (which "
                             "states come first depends on the partition); use max_depth")
        from engine.workers import explore_parallel

        return explore_parallel(model, workers=workers, max_depth=max_depth,
                                check_liveness=check_liveness, check_deadlock=check_deadlock,
                                progress=progress, fingerprints=fingerprints,
                                symmetry=symmetry, cluster=cluster)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _explore(model, max_states=max_states, max_depth=max_depth,
                        check_liveness=check_liveness, check_deadlock=check_deadlock,
                        progress=progress, fingerprints=fingerprints, symmetry=symmetry)
    finally:
        if was_enabled:
            gc.enable()


class _Action:
    """Per action name: transitions taken, and the step properties that concern it."""

    __slots__ = ("checks", "count")

    def __init__(self, checks: tuple[tuple[Any, Callable[..., bool]], ...]) -> None:
        self.count = 0
        self.checks = checks


def _explore(
    model: Model[S, L],
    *,
    max_states: int | None = None,
    max_depth: int | None = None,
    check_liveness: bool = True,
    check_deadlock: bool = True,
    progress: ProgressFn | None = None,
    fingerprints: bool | None = None,
    symmetry: Callable[[Any], Any] | None = None,
) -> ExploreResult:
    """Enumerate every state reachable from ``model.init_states()`` breadth first.

    Checks every state property on every new state, every step property on every transition
    (of the actions it concerns), deadlock on every expanded state (SYS-3), then, if the graph
    is complete, liveness (SYS-3) and coverage. The first level where something fails ends
    the search, whose trace is then a shortest one (a deadlock found later in that level is a
    shorter trace than a property failing on its successors, and wins).

    ``max_states`` stops the search once that many distinct states are known (verdict
    ``incomplete``); ``max_depth`` does not expand states at that depth (verdict
    ``incomplete`` if one of them had a successor, which is then not explored). Either bound
    skips liveness and coverage, which need the whole graph.
    """
    started = time.perf_counter()
    params = model.params
    state_props, step_props = split_properties(model)
    state_checks = tuple((p, p.predicate) for p in state_props)
    step_checks = [(p, p.predicate) for p in step_props]
    names = tuple(p.name for p in (*state_props, *step_props))
    by_action: dict[str, _Action] = {
        a: _Action(tuple((p, f) for p, f in step_checks if concerns(p, a)))
        for a in model.action_names()}

    use_fp = bool(fingerprints)
    switch_at = AUTO_FINGERPRINTS_ABOVE if fingerprints is None else -1
    fingerprint = fingerprint_function(model)
    table = FingerprintTable()
    fp_add = table.add
    # The BFS queue: queue[k] is the state of id base + k. With full states nothing is ever
    # dropped (the states are the store); with fingerprints expanded states are dropped.
    queue: list[S] = []
    base = 0
    index: dict[S, int] = {}
    inits: dict[int, S] = {}      # id -> initial state (traces are re-executed from it)
    parent = array("i")          # parent id of each state (-1 for an initial state)
    # The label that discovered each state, interned: labels repeat across states, so each
    # state costs 4 bytes here instead of a label object of its own.
    via = array("I")             # label id per state (0 for an initial state)
    label_list: list[Any] = [None]
    label_ids: dict[Any, int] = {}
    # The explored graph in compressed-sparse-row form: successors of state i are
    # edges[edge_start[i]:edge_start[i + 1]] (only kept when liveness will be checked).
    keep_edges = check_liveness
    edges = array("I")
    edge_start = array("Q")
    satisfied = bytearray()      # waiters_satisfied per state, for SYS-3
    n = 0                        # states known
    peak_queue = 0

    waiters_satisfied = model.waiters_satisfied
    # further progress properties (spec/progress.py): (name, ids, target(s) -> bool, doc), each
    # checked like SYS-3 by backward reachability from the states where its target holds
    progress_props = list(getattr(model, "progress_properties", lambda: ())()) if keep_edges \
        else []
    progress_sat = [bytearray() for _ in progress_props]

    def path_to(i: int) -> tuple[list[S], list[L]]:
        chain = []
        while i >= 0:
            chain.append(i)
            i = parent[i]
        chain.reverse()
        labels = [label_list[via[j]] for j in chain[1:]]
        if not use_fp:
            states = [queue[j] for j in chain]
        else:
            states = rebuild(model, inits[chain[0]], labels, symmetry)
        if symmetry is not None:
            return concretize(model, states[0], states, symmetry)
        return states, labels

    def path_with(i: int, label: L, t: S) -> tuple[list[S], list[L]]:
        """The path to ``i`` then one more step (a failing transition)."""
        states, labels = path_to(i)
        if symmetry is None:
            return [*states, t], [*labels, label]
        return concretize(model, states[0], [symmetry(x) for x in states], symmetry,
                          (label, t))

    def result(verdict: Verdict, depth: int, transitions: int, violation: Violation | None = None,
               complete: bool = True, liveness: bool = False, message: str = "") -> ExploreResult:
        counts = {a: rec.count for a, rec in by_action.items()}
        uncovered = tuple(a for a, k in counts.items() if k == 0)
        if verdict == "ok" and uncovered:
            verdict = "coverage"
            message = f"never taken: {', '.join(uncovered)}"
        store_bytes = nbytes(parent, via, label_ids, label_list, edges, edge_start, satisfied,
                             *progress_sat)
        if use_fp:
            store_bytes += table.nbytes()
        else:   # the dict and the states themselves (shared sub-values counted once per state)
            store_bytes += nbytes(index, queue)
        return ExploreResult(
            verdict=verdict, mode="exhaustive", distinct_states=n,
            transitions=transitions, depth=depth, seconds=time.perf_counter() - started,
            actions=counts, invariants=names, violation=violation, uncovered=uncovered,
            complete=complete, liveness_checked=liveness, deadlock_checked=check_deadlock,
            message=message, store="fingerprints" if use_fp else "states",
            store_bytes=store_bytes,
            collision_probability=collision_probability(n) if use_fp else None,
            peak_queue=peak_queue)

    def state_violation(j: int, prop: Any, t: S) -> Violation:
        path_states, path_labels = path_to(j)
        return Violation(
            kind="invariant", property=prop.name, ids=tuple(prop.ids),
            message=explain_failure(prop, params, t),
            trace=tuple(str(x) for x in path_labels),
            steps=steps_of(model, path_states, path_labels), labels=tuple(path_labels))

    # --- initial states --------------------------------------------------------------------
    canon = symmetry
    transitions = 0
    found: Violation | None = None      # the first failure of the current level
    for s0 in model.init_states():
        if symmetry is not None:
            s0 = symmetry(s0)
        if s0 in index:
            continue
        index[s0] = n
        if use_fp:
            fp_add(fingerprint(s0), n)
        inits[n] = s0
        queue.append(s0)
        parent.append(-1)
        via.append(0)
        satisfied.append(1 if waiters_satisfied(s0) else 0)
        for prog, sat in zip(progress_props, progress_sat, strict=True):
            sat.append(1 if prog.target(params, s0) else 0)
        n += 1
        for prop, pred in state_checks:
            if not pred(params, s0):
                v = state_violation(n - 1, prop, s0)
                return result("violation", 0, 0, v, complete=False,
                              message=f"{prop.name} is false in a reachable state")
    if use_fp:
        index.clear()

    # --- breadth-first loop ------------------------------------------------------------------
    successors = model.successors
    is_terminal_ok = model.is_terminal_ok
    index_get = index.get
    queue_append = queue.append
    parent_append = parent.append
    via_append = via.append
    label_get = label_ids.get
    edges_append = edges.append
    sat_append = satisfied.append
    limit = max_states if max_states is not None else -1
    depth = 0
    level_end = n                # states of ids < level_end are at depth <= `depth`
    truncated = False
    found_kind = ""
    next_progress = started + PROGRESS_EVERY
    i = 0
    try:
        while i < n:
            if i == level_end:
                if found is not None:
                    break
                depth += 1
                level_end = n
                peak_queue = max(peak_queue, n - i)
                if use_fp and i - base > 4096:
                    del queue[:i - base]
                    base = i
                elif 0 <= switch_at <= n:   # the automatic store: from here on, fingerprints
                    use_fp = True
                    switch_at = -1
                    table = FingerprintTable(2 * n)
                    fp_add = table.add
                    for known, k in index.items():
                        fp_add(fingerprint(known), k)
                    index.clear()
                    del queue[:i]
                    base = i
            if max_depth is not None and depth >= max_depth:
                # Do not expand; note whether anything was cut off.
                if not truncated:
                    for _ in successors(queue[i - base]):
                        truncated = True
                        break
                if keep_edges:
                    edge_start.append(len(edges))
                i += 1
                continue
            s = queue[i - base]
            if keep_edges:
                edge_start.append(len(edges))
            before = transitions
            for label, t in successors(s):
                transitions += 1
                rec = by_action[label.action]
                rec.count += 1
                for prop, pred in rec.checks:
                    if found is None and not pred(params, s, label, t):
                        path_states, path_labels = path_with(i, label, t)
                        found_kind = f"{prop.name} is false on a reachable transition"
                        found = Violation(
                            kind="step", property=prop.name, ids=tuple(prop.ids),
                            message=explain_failure(prop, params, s, label, t),
                            trace=tuple(str(x) for x in path_labels),
                            steps=steps_of(model, path_states, path_labels),
                            labels=tuple(path_labels))
                if canon is not None:   # step properties saw the real successor
                    t = canon(t)
                j = fp_add(fingerprint(t), n) if use_fp else index_get(t, -1)
                if j < 0:
                    j = n
                    if j == limit:   # max_states reached and here is one more: stop, incomplete
                        truncated = True
                        break
                    if not use_fp:
                        index[t] = j
                    n += 1
                    queue_append(t)
                    parent_append(i)
                    lid = label_get(label)
                    if lid is None:
                        lid = label_ids[label] = len(label_list)
                        label_list.append(label)
                    via_append(lid)
                    if keep_edges:
                        sat_append(1 if waiters_satisfied(t) else 0)
                        for prog, sat in zip(progress_props, progress_sat, strict=True):
                            sat.append(1 if prog.target(params, t) else 0)
                    if found is None:
                        for prop, pred in state_checks:
                            if not pred(params, t):
                                found_kind = f"{prop.name} is false in a reachable state"
                                found = state_violation(j, prop, t)
                                break
                if keep_edges:
                    edges_append(j)
            if truncated:
                break
            if transitions == before and check_deadlock and not is_terminal_ok(s):
                path_states, path_labels = path_to(i)
                v = Violation(
                    kind="deadlock", property="deadlock", ids=("SYS-3",),
                    message=deadlock_message(model, s),
                    trace=tuple(str(x) for x in path_labels),
                    steps=steps_of(model, path_states, path_labels), labels=tuple(path_labels))
                return result("deadlock", len(path_labels), transitions, v, complete=False,
                              message="a reachable state has no enabled action")
            i += 1
            if progress is not None:  # every state: one innodb state may take seconds
                now = time.perf_counter()
                if now >= next_progress:
                    next_progress = now + PROGRESS_EVERY
                    progress(Progress(n, transitions, depth, n - i, now - started))
    except Exception as exc:
        _, path_labels = path_to(min(i, n - 1))
        raise ModelError(exc, "expanding the state reached by", path_labels) from exc
    if found is not None:
        return result("violation", len(found.trace), transitions, found, complete=False,
                      message=found_kind)
    final_depth = depth if n else 0
    if truncated:
        bound = (f"max_states={max_states}" if n == limit
                 else f"max_depth={max_depth}")
        return result("incomplete", final_depth, transitions, complete=False,
                      message=f"stopped by {bound}; liveness and coverage not concluded")
    if keep_edges:
        edge_start.append(len(edges))
        targets = [("liveness", ("SYS-3",), satisfied, "", None)]
        targets += [(prog.name, tuple(prog.ids), sat, prog.doc, prog)
                    for prog, sat in zip(progress_props, progress_sat, strict=True)]
        for name, ids, sat, doc, prog in targets:
            bad = cannot_satisfy(n, edges, edge_start, sat)
            if bad is None:
                continue
            n_bad, first = bad
            path_states, path_labels = path_to(first)
            cycle_states, cycle_labels = lasso(model, path_states[-1])
            message = (f"from this state no state where every waiter is satisfied is "
                       f"reachable ({n_bad} such states)" if prog is None else
                       f"{doc}: from this state no state where it holds is reachable "
                       f"({n_bad} such states)")
            v = Violation(
                kind="liveness", property=name, ids=ids, message=message,
                trace=tuple(str(x) for x in path_labels),
                steps=steps_of(model, path_states, path_labels),
                cycle=steps_of(model, cycle_states, cycle_labels), labels=tuple(path_labels))
            return result("liveness", final_depth, transitions, v, liveness=True,
                          message=("a waiter can be left waiting forever" if prog is None else
                                   f"progress property {name} fails"))
    return result("ok", final_depth, transitions, liveness=keep_edges)
