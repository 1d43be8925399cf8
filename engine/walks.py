"""Seeded random walks, for configurations too large to enumerate (InnoDB's own sizes)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from engine.counterexample import (
    failure_message,
    failure_test,
    shrink_trace,
    steps_of,
)
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
    deadlock_message,
    explain_failure,
    split_properties,
)


def random_walks(
    model: Model[S, L],
    *,
    walks: int,
    depth: int,
    seed: int,
    check_deadlock: bool = True,
    progress: ProgressFn | None = None,
    shrink_seconds: float = 10.0,
) -> ExploreResult:
    """``walks`` random walks of at most ``depth`` steps each, reproducible from ``seed``.

    Each walk starts in a (random) initial state; each step picks an enabled action uniformly,
    then one of its enabled choices uniformly (so actions with many choices do not crowd out
    the others);
    every state property is checked on every state, every step property on every step, and a
    state with nothing enabled that ``is_terminal_ok`` rejects is a deadlock (SYS-3). A walk
    that reaches a fine end state stops early. Liveness is not checked (that needs the whole
    graph). ``distinct_states`` counts distinct state hashes seen. The first failing walk is
    reported with its labels (replayable) and the fields each step changed, after up to
    ``shrink_seconds`` of shrinking (:func:`shrink_trace`: steps are dropped while the same
    property still fails), so that a 300-step walk becomes a trace a person can read.
    """
    if walks < 0 or depth < 0:
        raise ValueError(f"walks={walks} and depth={depth} must not be negative")
    started = time.perf_counter()
    params = model.params
    state_props, step_props = split_properties(model)
    names = tuple(p.name for p in (*state_props, *step_props))
    counts: dict[str, int] = dict.fromkeys(model.action_names(), 0)
    rng = random.Random(seed)
    seen: set[int] = set()
    transitions = 0
    deepest = 0
    next_progress = started + PROGRESS_EVERY
    inits = model.init_states()
    groups_of: Callable[[Any], list[tuple[str, Callable[[random.Random], Any]]]] | None = (
        getattr(model, "enabled_groups", None))

    def result(verdict: Verdict, violation: Violation | None = None,
               message: str = "") -> ExploreResult:
        # unreached actions are reported (``uncovered``, the coverage table), not a verdict
        uncovered = tuple(a for a, n in counts.items() if n == 0)
        if verdict == "ok":
            message = "no property failed" + (
                f"; {len(uncovered)} action(s) not reached (see coverage)" if uncovered else "")
        return ExploreResult(
            verdict=verdict, mode="random", distinct_states=len(seen), transitions=transitions,
            depth=deepest, seconds=time.perf_counter() - started, actions=counts,
            invariants=names, violation=violation, uncovered=uncovered, complete=False,
            liveness_checked=False, deadlock_checked=check_deadlock, message=message,
            walks=walks, seed=seed)

    def failure(kind: str, prop: str, ids: tuple[str, ...], message: str, walk: int,
                path_states: list[S], path_labels: list[L]) -> ExploreResult:
        found = len(path_labels)
        if shrink_seconds > 0 and found > 1:
            fails = failure_test(model, kind, prop, check_deadlock)
            shrunk = shrink_trace(path_states[0], path_labels, fails, shrink_seconds)
            if len(shrunk[1]) < found:
                path_states, path_labels = shrunk
                message = failure_message(model, kind, prop, path_states, path_labels,
                                           message)
        v = Violation(kind=kind, property=prop, ids=ids, message=message,
                      trace=tuple(str(x) for x in path_labels),
                      steps=steps_of(model, path_states, path_labels), labels=tuple(path_labels))
        verdict: Verdict = "deadlock" if kind == "deadlock" else "violation"
        shrunk_note = (f", shrunk to {len(path_labels)}" if len(path_labels) < found else "")
        return result(verdict, v, message=f"walk {walk} (seed {seed}) failed after "
                                          f"{found} steps{shrunk_note}")

    path_labels: list[L] = []
    pending: L | None = None
    try:
        for w in range(walks):
            s = inits[rng.randrange(len(inits))]
            path_states: list[S] = [s]
            path_labels = []
            seen.add(hash(s))
            for prop in state_props:
                if not prop.predicate(params, s):
                    return failure("invariant", prop.name, tuple(prop.ids),
                                   explain_failure(prop, params, s), w, path_states, path_labels)
            for _ in range(depth):
                if groups_of is not None:
                    # RedoModel: the same two-stage distribution, but the chosen action's
                    # choice is drawn by rejection sampling (about one successor built).
                    groups = groups_of(s)
                    if groups:
                        label, t = groups[rng.randrange(len(groups))][1](rng)
                        pending = label
                        enabled: list[L] = [label]
                    else:
                        enabled = []
                else:
                    enabled = list(model.actions(s))
                if not enabled:
                    if check_deadlock and not model.is_terminal_ok(s):
                        return failure("deadlock", "deadlock", ("SYS-3",),
                                       deadlock_message(model, s), w, path_states, path_labels)
                    break
                # Two-stage choice: an enabled action uniformly, then one of its choices.
                # Uniform over labels would almost always pick user_reserve, which has
                # threads x sizes x pages x waits choices, and starve the checkpointer.
                if groups_of is None:
                    by_action: dict[str, list[L]] = {}
                    for lab in enabled:
                        by_action.setdefault(lab.action, []).append(lab)
                    names_enabled = list(by_action)
                    group = by_action[names_enabled[rng.randrange(len(names_enabled))]]
                    label = group[rng.randrange(len(group))]
                    pending = label
                    t = model.next_state(s, label)
                pending = None
                transitions += 1
                counts[label.action] = counts.get(label.action, 0) + 1
                path_states.append(t)
                path_labels.append(label)
                for prop in step_props:
                    if not prop.predicate(params, s, label, t):
                        return failure("step", prop.name, tuple(prop.ids),
                                       explain_failure(prop, params, s, label, t), w, path_states,
                                       path_labels)
                seen.add(hash(t))
                for prop in state_props:
                    if not prop.predicate(params, t):
                        return failure("invariant", prop.name, tuple(prop.ids),
                                       explain_failure(prop, params, t), w, path_states,
                                       path_labels)
                s = t
                if progress is not None:   # steps of big models are slow: look every step
                    now = time.perf_counter()
                    if now >= next_progress:
                        next_progress = now + PROGRESS_EVERY
                        progress(Progress(len(seen), transitions, max(deepest, len(path_labels)),
                                          walks - w - 1, now - started))
            deepest = max(deepest, len(path_labels))
    except Exception as exc:
        doing = f"applying {pending} after" if pending is not None else "in the state after"
        raise ModelError(exc, doing, path_labels) from exc
    return result("ok")

