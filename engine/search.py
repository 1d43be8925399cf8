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

from engine.counterexample import steps_of
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


def explore(
    model: Model[S, L],
    *,
    max_states: int | None = None,
    max_depth: int | None = None,
    check_liveness: bool = True,
    check_deadlock: bool = True,
    progress: ProgressFn | None = None,
) -> ExploreResult:
    """Enumerate every state reachable from ``model.init_states()`` breadth first (see
    :func:`_explore` for what is checked and what the bounds mean).

    The cyclic garbage collector is paused during the search: every state found stays alive
    until the end, so its full collections would re-scan an ever growing heap for nothing
    (the model's immutable values form no cycles); that was about 15 % of the run time
    (issue: Performance, 20,000 states/s)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _explore(model, max_states=max_states, max_depth=max_depth,
                        check_liveness=check_liveness, check_deadlock=check_deadlock,
                        progress=progress)
    finally:
        if was_enabled:
            gc.enable()


def _explore(
    model: Model[S, L],
    *,
    max_states: int | None = None,
    max_depth: int | None = None,
    check_liveness: bool = True,
    check_deadlock: bool = True,
    progress: ProgressFn | None = None,
) -> ExploreResult:
    """Enumerate every state reachable from ``model.init_states()`` breadth first.

    Checks every state property on every new state, every step property on every transition,
    deadlock on every expanded state (SYS-3), then, if the graph is complete, liveness (SYS-3)
    and coverage. Stops at the first violation, whose trace is a shortest one.

    ``max_states`` stops the search once that many distinct states are known (verdict
    ``incomplete``); ``max_depth`` does not expand states at that depth (verdict
    ``incomplete`` if one of them had a successor, which is then not explored). Either bound
    skips liveness and coverage, which need the whole graph.
    """
    started = time.perf_counter()
    params = model.params
    state_props, step_props = split_properties(model)
    state_checks = [(p, p.predicate) for p in state_props]
    step_checks = [(p, p.predicate) for p in step_props]
    # Per action name, the step properties that concern it (see Property.actions).
    step_checks_by_action: dict[str, list[tuple[Any, Callable[..., bool]]]] = {}
    step_checks_for = step_checks_by_action.get
    names = tuple(p.name for p in (*state_props, *step_props))
    counts: dict[str, int] = dict.fromkeys(model.action_names(), 0)

    states: list[S] = []
    index: dict[S, int] = {}
    parent = array("q")          # parent id of each state (-1 for an initial state)
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
        return [states[j] for j in chain], [label_list[via[j]] for j in chain[1:]]

    def result(verdict: Verdict, depth: int, transitions: int, violation: Violation | None = None,
               complete: bool = True, liveness: bool = False, message: str = "") -> ExploreResult:
        uncovered = tuple(a for a, n in counts.items() if n == 0)
        if verdict == "ok" and uncovered:
            verdict = "coverage"
            message = f"never taken: {', '.join(uncovered)}"
        return ExploreResult(
            verdict=verdict, mode="exhaustive", distinct_states=len(states),
            transitions=transitions, depth=depth, seconds=time.perf_counter() - started,
            actions=counts, invariants=names, violation=violation, uncovered=uncovered,
            complete=complete, liveness_checked=liveness, deadlock_checked=check_deadlock,
            message=message)

    def state_violation(j: int, prop: Any) -> ExploreResult:
        path_states, path_labels = path_to(j)
        v = Violation(
            kind="invariant", property=prop.name, ids=tuple(prop.ids),
            message=explain_failure(prop, params, states[j]),
            trace=tuple(str(x) for x in path_labels),
            steps=steps_of(model, path_states, path_labels), labels=tuple(path_labels))
        return result("violation", len(path_labels), transitions, v, complete=False,
                      message=f"{prop.name} is false in a reachable state")

    # --- initial states --------------------------------------------------------------------
    transitions = 0
    for s0 in model.init_states():
        if s0 in index:
            continue
        j = len(states)
        index[s0] = j
        states.append(s0)
        parent.append(-1)
        via.append(0)
        satisfied.append(1 if waiters_satisfied(s0) else 0)
        for prog, sat in zip(progress_props, progress_sat, strict=True):
            sat.append(1 if prog.target(params, s0) else 0)
        for prop, pred in state_checks:
            if not pred(params, s0):
                return state_violation(j, prop)

    # --- breadth-first loop ------------------------------------------------------------------
    successors = model.successors
    is_terminal_ok = model.is_terminal_ok
    index_get = index.get
    states_append = states.append
    parent_append = parent.append
    via_append = via.append
    label_get = label_ids.get
    edges_append = edges.append
    sat_append = satisfied.append
    limit = max_states if max_states is not None else -1
    depth = 0
    level_end = len(states)      # states[:level_end] are at depth <= `depth`
    truncated = False
    next_progress = started + PROGRESS_EVERY
    i = 0
    try:
        while i < len(states):
            if i == level_end:
                depth += 1
                level_end = len(states)
            if max_depth is not None and depth >= max_depth:
                # Do not expand; note whether anything was cut off.
                if not truncated:
                    for _ in successors(states[i]):
                        truncated = True
                        break
                if keep_edges:
                    edge_start.append(len(edges))
                i += 1
                continue
            s = states[i]
            if keep_edges:
                edge_start.append(len(edges))
            enabled = 0
            for label, t in successors(s):
                enabled += 1
                transitions += 1
                action = label.action
                counts[action] = counts.get(action, 0) + 1
                checks = step_checks_for(action)
                if checks is None:
                    checks = step_checks_by_action[action] = [
                        (prop, pred) for prop, pred in step_checks
                        if concerns(prop, action)]
                for prop, pred in checks:
                    if not pred(params, s, label, t):
                        path_states, path_labels = path_to(i)
                        path_states.append(t)
                        path_labels.append(label)
                        v = Violation(
                            kind="step", property=prop.name, ids=tuple(prop.ids),
                            message=explain_failure(prop, params, s, label, t),
                            trace=tuple(str(x) for x in path_labels),
                            steps=steps_of(model, path_states, path_labels),
                            labels=tuple(path_labels))
                        return result("violation", len(path_labels), transitions, v, complete=False,
                                      message=f"{prop.name} is false on a reachable transition")
                j = index_get(t, -1)
                if j < 0:
                    j = len(states)
                    if j == limit:   # max_states reached and here is one more: stop, incomplete
                        truncated = True
                        break
                    index[t] = j
                    states_append(t)
                    parent_append(i)
                    lid = label_get(label)
                    if lid is None:
                        lid = label_ids[label] = len(label_list)
                        label_list.append(label)
                    via_append(lid)
                    sat_append(1 if waiters_satisfied(t) else 0)
                    for prog, sat in zip(progress_props, progress_sat, strict=True):
                        sat.append(1 if prog.target(params, t) else 0)
                    for prop, pred in state_checks:
                        if not pred(params, t):
                            return state_violation(j, prop)
                if keep_edges:
                    edges_append(j)
            if truncated:
                break
            if enabled == 0 and check_deadlock and not is_terminal_ok(s):
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
                    progress(Progress(len(states), transitions, depth, len(states) - i,
                                      now - started))
    except Exception as exc:
        path_states, path_labels = path_to(min(i, len(states) - 1))
        raise ModelError(exc, "expanding the state reached by", path_labels) from exc
    final_depth = depth if states else 0
    if truncated:
        bound = (f"max_states={max_states}" if len(states) == limit
                 else f"max_depth={max_depth}")
        return result("incomplete", final_depth, transitions, complete=False,
                      message=f"stopped by {bound}; liveness and coverage not concluded")
    if keep_edges:
        edge_start.append(len(edges))
        bad = cannot_satisfy(len(states), edges, edge_start, satisfied)
        if bad is not None:
            n_bad, first = bad
            path_states, path_labels = path_to(first)
            cycle_states, cycle_labels = lasso(model, states[first], index, satisfied)
            v = Violation(
                kind="liveness", property="liveness", ids=("SYS-3",),
                message=f"from this state no state where every waiter is satisfied is reachable "
                        f"({n_bad} such states)",
                trace=tuple(str(x) for x in path_labels),
                steps=steps_of(model, path_states, path_labels),
                cycle=steps_of(model, cycle_states, cycle_labels), labels=tuple(path_labels))
            return result("liveness", final_depth, transitions, v, liveness=True,
                          message="a waiter can be left waiting forever")
        for prog, sat in zip(progress_props, progress_sat, strict=True):
            bad = cannot_satisfy(len(states), edges, edge_start, sat)
            if bad is not None:
                n_bad, first = bad
                path_states, path_labels = path_to(first)
                cycle_states, cycle_labels = lasso(model, states[first], index, sat)
                v = Violation(
                    kind="liveness", property=prog.name, ids=tuple(prog.ids),
                    message=f"{prog.doc}: from this state no state where it holds is reachable "
                            f"({n_bad} such states)",
                    trace=tuple(str(x) for x in path_labels),
                    steps=steps_of(model, path_states, path_labels),
                    cycle=steps_of(model, cycle_states, cycle_labels), labels=tuple(path_labels))
                return result("liveness", final_depth, transitions, v, liveness=True,
                              message=f"progress property {prog.name} fails")
    return result("ok", final_depth, transitions, liveness=keep_edges)

