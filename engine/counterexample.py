"""Counterexamples: the steps of a trace, shrinking a long failing walk, replaying a trace.

A counterexample is a list of labels that ``model.next_state`` re-executes from an initial
state, with the fields each step changed (``model.fields_changed``): :func:`steps_of` builds
them, :func:`shrink_trace` makes a long random-walk failure short (delta debugging), and
:func:`replay_trace` re-executes a trace a user gives, checking every property on the way.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic

from engine.model import L, Model, S, Step, explain_failure, split_properties


def rebuild(model: Model[S, L], init: S, labels: Sequence[L],
            canonical: Callable[[S], S] | None = None) -> list[S]:
    """The states along ``labels`` from ``init``, by re-execution (``model.next_state``): how
    a fingerprint search, which keeps no states, recovers its counterexample. With symmetry
    reduction each state is the ``canonical`` representative the search expanded."""
    states = [init]
    s = init
    for label in labels:
        s = model.next_state(s, label)
        if canonical is not None:
            s = canonical(s)
        states.append(s)
    return states


def concretize(model: Model[S, L], init: S, canon_states: Sequence[S],
               canonical: Callable[[S], S], last: tuple[L, S] | None = None,
               budget: int = 100_000) -> tuple[list[S], list[L]]:
    """A real execution through the symmetry classes of ``canon_states`` (the
    representatives a reduced search went through), so that the trace replays without
    symmetry (its thread numbers are real ones): from ``init``, each step takes a successor
    whose representative is the next one, backtracking when a choice leads nowhere (it cannot
    for a truly symmetric model; a thread-specific bug may need another choice). ``last``: a
    final (label, successor) of the last representative, matched the same way. If
    ``budget`` successor lists do not find one, the representatives' own trace is returned.
    """
    targets = list(canon_states[1:])
    if last is not None:
        targets.append(canonical(last[1]))
    states: list[S] = [init]
    labels: list[L] = []
    choices: list[list[tuple[L, S]]] = []
    spent = 0
    while len(labels) < len(targets):
        depth = len(labels)
        if len(choices) <= depth:
            spent += 1
            choices.append([(lab, t) for lab, t in model.successors(states[-1])
                            if canonical(t) == targets[depth]][::-1])
        if choices[depth] and spent <= budget:
            lab, t = choices[depth].pop()
            labels.append(lab)
            states.append(t)
            continue
        if depth == 0 or spent > budget:   # give up: the representatives' trace
            fallback = list(canon_states)
            rep_labels = _rep_labels(model, fallback, canonical)
            if last is not None:
                fallback.append(last[1])
                rep_labels.append(last[0])
            return fallback, rep_labels
        choices.pop()
        labels.pop()
        states.pop()
    return states, labels


def _rep_labels(model: Model[S, L], reps: Sequence[S], canonical: Callable[[S], S]) -> list[L]:
    """Labels taking each representative to (the class of) the next."""
    out = []
    for s, target in itertools.pairwise(reps):
        out.append(next(lab for lab, t in model.successors(s) if canonical(t) == target))
    return out


def steps_of(model: Model[S, L], states: Sequence[S], labels: Sequence[L]) -> tuple[Step, ...]:
    """Steps with changed fields for ``labels`` taking ``states[i]`` to ``states[i + 1]``."""
    return tuple(Step(str(lab), model.fields_changed(states[i], states[i + 1]))
                 for i, lab in enumerate(labels))


FailTest = Callable[[list[Any], list[Any]], int | None]
"""``fails(states, labels)``: replays ``labels`` from ``states[0]`` (appending to ``states``)
and returns how many steps it took to fail the same way, or None (also if a label is not
enabled)."""


def failure_test(model: Model[S, L], kind: str, prop_name: str,
                  check_deadlock: bool) -> FailTest:
    """A :data:`FailTest` for "the property ``prop_name`` fails" or "a deadlock is reached"."""
    params = model.params
    props = {p.name: p for p in model.properties()}
    prop = props.get(prop_name)

    def fails(states: list[Any], labels: list[Any]) -> int | None:
        s = states[0]
        if kind == "invariant" and prop is not None and not prop.predicate(params, s):
            return 0
        for n, label in enumerate(labels, start=1):
            try:
                t = model.next_state(s, label)
            except Exception:   # the model's ActionNotEnabled: the candidate is not a trace
                return None
            states.append(t)
            if kind == "step" and prop is not None and not prop.predicate(params, s, label, t):
                return n
            if kind == "invariant" and prop is not None and not prop.predicate(params, t):
                return n
            s = t
        if (kind == "deadlock" and check_deadlock and next(iter(model.actions(s)), None) is None
                and not model.is_terminal_ok(s)):
            return len(labels)
        return None

    return fails


def failure_message(model: Model[S, L], kind: str, prop_name: str, states: list[S],
                     labels: list[L], default: str) -> str:
    """The property's explanation for the (shrunk) trace's last step."""
    props = {p.name: p for p in model.properties()}
    prop = props.get(prop_name)
    if prop is None or not states:
        return default
    if kind == "invariant":
        return explain_failure(prop, model.params, states[-1])
    if kind == "step" and labels:
        return explain_failure(prop, model.params, states[-2], labels[-1], states[-1])
    return default


def shrink_trace(init: S, labels: Sequence[L], fails: FailTest,
                 seconds: float = 10.0) -> tuple[list[S], list[L]]:
    """A shorter trace from ``init`` that still fails, by dropping steps (delta debugging).

    Tries removing chunks of halving size, then single steps, keeping any candidate that
    still replays and still fails (cut at the step where it fails); stops after ``seconds``.
    Returns the states along the best trace and its labels.
    """
    deadline = time.perf_counter() + seconds
    best = list(labels)
    best_states: list[S] = [init]
    n = fails(best_states, best)
    if n is None:   # not reproducible (should not happen): keep the original
        return best_states, best
    best, best_states = best[:n], best_states[:n + 1]
    chunk = max(1, len(best) // 2)
    while chunk >= 1 and time.perf_counter() < deadline:
        start = 0
        improved = False
        while start < len(best) and time.perf_counter() < deadline:
            cand = best[:start] + best[start + chunk:]
            cand_states: list[S] = [init]
            k = fails(cand_states, cand)
            if k is not None:
                best, best_states = cand[:k], cand_states[:k + 1]
                improved = True
            else:
                start += chunk
        if not improved:
            chunk //= 2
    return best_states, best


# ----------------------------------------------------------------------------------------------
# Replaying a trace
# ----------------------------------------------------------------------------------------------


class ReplayError(Exception):
    """A trace could not be replayed: ``step`` (1-based) names the label that failed."""

    def __init__(self, step: int, label: str, reason: str) -> None:
        self.step = step
        self.label = label
        self.reason = reason
        super().__init__(f"step {step}: {label}: {reason}")


@dataclass
class Replayed(Generic[S]):
    """A replayed trace: the states along it, the steps with changed fields, and the first
    property that failed on the way (``None`` if every property held on every state/step)."""

    states: list[S]
    steps: list[Step]
    failed: str | None = None
    failed_at: int | None = None
    message: str = ""


def replay_trace(model: Model[S, L], labels: Sequence[L],
                 not_enabled: tuple[type[BaseException], ...] = ()) -> Replayed[S]:
    """Re-execute ``labels`` from the (first) initial state, checking every property.

    A label whose guard fails raises :class:`ReplayError` naming the step (the model's own
    exception, one of ``not_enabled``, gives the reason). Property failures do not stop the
    replay: the first one is reported in the result, so a counterexample can be read to its end.
    """
    params = model.params
    state_props, step_props = split_properties(model)
    s = model.init_states()[0]
    out = Replayed(states=[s], steps=[])

    def fail(name: str, at: int, message: str) -> None:
        if out.failed is None:
            out.failed, out.failed_at, out.message = name, at, message

    for prop in state_props:
        if not prop.predicate(params, s):
            fail(prop.name, 0, explain_failure(prop, params, s))
    for n, label in enumerate(labels, start=1):
        try:
            t = model.next_state(s, label)
        except not_enabled as exc:
            reason = str(exc) or type(exc).__name__
            if reason.startswith(f"{label}:"):   # the model's message names the label too
                reason = reason[len(str(label)) + 1:].strip()
            raise ReplayError(n, str(label), reason) from exc
        out.states.append(t)
        out.steps.append(Step(str(label), model.fields_changed(s, t)))
        for prop in step_props:
            if not prop.predicate(params, s, label, t):
                fail(prop.name, n, explain_failure(prop, params, s, label, t))
        for prop in state_props:
            if not prop.predicate(params, t):
                fail(prop.name, n, explain_failure(prop, params, t))
        s = t
    return out
