"""The explorer: exhaustive breadth-first search and seeded random walks over a spec model.

The explorer knows nothing about redo logs. It programs against the small Stateright-style
:class:`Model` protocol (docs/spec-model.md) that :class:`spec.model.RedoModel` implements, and
checks, on every state it reaches and every transition it takes:

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
each step changed (``model.fields_changed``); :func:`format_trace` prints it::

    1. user_reserve(thread=0, size=8)  sn: 0 -> 8, users[0].start: None -> 64
    2. writer_write()  write_lsn: 64 -> 90, files[0]: (...) -> (...)

For configurations too large to enumerate (InnoDB's own sizes), :func:`random_walks` takes
seeded random walks with the same checks except liveness; the failing walk is replayable too.
"""

from __future__ import annotations

import gc
import random
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, Protocol, TypeVar

import attrs


def _deadlock_message(model: Any, s: Any) -> str:
    """Why a state with nothing enabled is not an acceptable end: the model's own reason
    (``terminal_problem``, if it has one) or the generic one."""
    why = getattr(model, "terminal_problem", None)
    text = why(s) if why is not None else None
    return (f"no action is enabled and the model does not accept this as an end state "
            f"({text or 'a waiter can never be woken'})")


# ----------------------------------------------------------------------------------------------
# The Model protocol
# ----------------------------------------------------------------------------------------------


class LabelLike(Protocol):
    """What the explorer needs of a label: the action's name and a printable, parseable form.

    ``str(label)`` is the replayable text, e.g. ``user_reserve(thread=0, size=8)``.
    """

    @property
    def action(self) -> str: ...


class PropertyLike(Protocol):
    """A named property with requirement IDs (``spec.model.Property``).

    ``kind == "state"``: ``predicate(params, s) -> bool``;
    ``kind == "step"``: ``predicate(params, s, label, t) -> bool``.
    """

    @property
    def name(self) -> str: ...

    @property
    def ids(self) -> tuple[str, ...]: ...

    @property
    def kind(self) -> str: ...

    @property
    def predicate(self) -> Callable[..., bool]: ...

    @property
    def doc(self) -> str: ...


S = TypeVar("S")
L = TypeVar("L", bound=LabelLike)


class Model(Protocol[S, L]):
    """A Stateright-style model: initial states, enabled labels, a transition function.

    States must be hashable immutable values (the explorer keys a dict on them); labels must be
    hashable and print as replayable text.
    """

    @property
    def params(self) -> Any: ...

    def init_states(self) -> list[S]: ...

    def actions(self, s: S) -> Iterator[L]: ...

    def next_state(self, s: S, label: L) -> S: ...

    def successors(self, s: S) -> Iterator[tuple[L, S]]: ...

    def properties(self) -> tuple[Any, ...]: ...

    def action_names(self) -> tuple[str, ...]: ...

    def replay(self, labels: Sequence[L]) -> list[S]: ...

    def is_terminal_ok(self, s: S) -> bool: ...

    def waiters_satisfied(self, s: S) -> bool: ...

    def fields_changed(self, s: S, t: S) -> dict[str, tuple[object, object]]: ...


# ----------------------------------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------------------------------

Verdict = Literal["ok", "violation", "deadlock", "liveness", "coverage", "incomplete"]
"""``violation``: a state or step property failed; ``deadlock``/``liveness``: SYS-3 failed;
``coverage``: an exhaustive search never took an action (random walks report unreached actions
in ``uncovered`` without failing); ``incomplete``: a bound (``max_states``) stopped an
exhaustive search before the graph was complete, so nothing can be concluded about the rest."""

VALUE_WIDTH = 60
"""Field values longer than this are truncated in printed traces."""


def short(value: object, width: int = VALUE_WIDTH) -> str:
    """``repr(value)``, cut to ``width`` characters with an ellipsis in the middle."""
    text = repr(value)
    if len(text) <= width:
        return text
    keep = (width - 3) // 2
    return f"{text[:keep]}...{text[-keep:]}"


@dataclass(frozen=True)
class Step:
    """One step of a counterexample: the label's text and the fields it changed."""

    label: str
    changed: dict[str, tuple[object, object]]

    def details(self) -> list[tuple[str, object, object]]:
        """The changes narrowed down to the elements that differ (:func:`refine`)."""
        return [d for name, (old, new) in self.changed.items() for d in refine(name, old, new)]

    def format(self, number: int, width: int = VALUE_WIDTH) -> str:
        """``3. writer_write()  write_lsn: 64 -> 90, files[0][1]: None -> FileBlock(...)``."""
        parts = [f"{name}: {short(old, width)} -> {short(new, width)}"
                 for name, old, new in self.details()]
        diff = ", ".join(parts) if parts else "(no field changed)"
        return f"{number}. {self.label}  {diff}"


def refine(name: str, old: object, new: object, levels: int = 3,
           fanout: int = 4) -> list[tuple[str, object, object]]:
    """Narrow a changed value to what differs, so long tuples print readably.

    Equal-length tuples recurse into the (at most ``fanout``) indices that differ
    (``files[0][2]``); equal-length ``bytes`` become the slice that differs
    (``buffer[1][1][3:7]``). Anything else is reported whole.
    """
    if levels > 0 and isinstance(old, tuple) and isinstance(new, tuple) and len(old) == len(new):
        diff = [k for k, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
        if 0 < len(diff) <= fanout:
            return [d for k in diff
                    for d in refine(f"{name}[{k}]", old[k], new[k], levels - 1, fanout)]
    if isinstance(old, bytes) and isinstance(new, bytes) and len(old) == len(new) and old != new:
        lo = next(k for k in range(len(old)) if old[k] != new[k])
        hi = next(k for k in range(len(old) - 1, -1, -1) if old[k] != new[k]) + 1
        if (lo, hi) != (0, len(old)):
            return [(f"{name}[{lo}:{hi}]", old[lo:hi], new[lo:hi])]
    return [(name, old, new)]


@dataclass(frozen=True)
class Violation:
    """What failed, with a shortest (exhaustive) or replayable (random walk) trace.

    ``kind``: ``invariant`` (a state property), ``step`` (a step property), ``deadlock`` or
    ``liveness``. ``trace`` are the labels' texts from an initial state to the bad state (or the
    bad transition's label last); ``steps`` the same with the fields each changed. For a
    liveness failure ``cycle`` continues the trace with steps that never reach a state without
    waiters (a lasso when it returns to a state on it).
    """

    kind: str
    property: str
    ids: tuple[str, ...]
    message: str
    trace: tuple[str, ...]
    steps: tuple[Step, ...]
    cycle: tuple[Step, ...] = ()
    labels: tuple[Any, ...] = field(default=(), compare=False, repr=False)
    """The label objects of ``trace``, ready for ``model.replay``."""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; field values are given as (truncated) reprs."""

        def steps(seq: Iterable[Step]) -> list[dict[str, Any]]:
            return [
                {"label": st.label,
                 "changed": {k: [short(a, 200), short(b, 200)] for k, a, b in st.details()}}
                for st in seq
            ]

        return {
            "kind": self.kind,
            "property": self.property,
            "ids": list(self.ids),
            "message": self.message,
            "trace": list(self.trace),
            "steps": steps(self.steps),
            "cycle": steps(self.cycle),
        }

    def format(self, width: int = VALUE_WIDTH) -> str:
        """The violation as readable text: what failed, then the numbered trace."""
        ids = f" ({', '.join(self.ids)})" if self.ids else ""
        what = self.kind if self.property == self.kind else f"{self.kind}: {self.property}"
        replay = "; ".join(self.trace)
        lines = [f"{what}{ids}: {self.message}",
                 f"trace ({len(self.steps)} steps; replay with --replay \"{replay}\"):"]
        lines.append(format_trace(self.steps, width) if self.steps else "   (initial state)")
        if self.cycle:
            lines.append("then, forever without a state where no user waits:")
            lines.append(format_trace(self.cycle, width, start=len(self.steps) + 1))
        return "\n".join(lines)


@dataclass
class ExploreResult:
    """The outcome of :func:`explore` or :func:`random_walks`.

    ``actions`` counts the transitions taken per action name (every action of
    ``model.action_names()`` appears, with 0 if never taken); ``invariants`` the names of the
    properties checked; ``uncovered`` the actions never taken.
    """

    verdict: Verdict
    mode: Literal["exhaustive", "random"]
    distinct_states: int
    transitions: int
    depth: int
    seconds: float
    actions: dict[str, int]
    invariants: tuple[str, ...]
    violation: Violation | None = None
    uncovered: tuple[str, ...] = ()
    complete: bool = True
    liveness_checked: bool = False
    deadlock_checked: bool = True
    message: str = ""
    walks: int = 0
    seed: int | None = None

    @property
    def states_per_second(self) -> float:
        """Distinct states found per second of wall time (the benchmark's figure)."""
        return self.distinct_states / self.seconds if self.seconds > 0 else 0.0

    @property
    def ok(self) -> bool:
        return self.verdict == "ok"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (``json.dumps(result.to_json())``).

        ``verdict`` is ``ok``, ``violation`` (a property failed: a state or step property, a
        deadlock or liveness), ``coverage`` (an exhaustive search never took an action: not a
        property of the design, but the checks are vacuous for that action) or ``incomplete``;
        ``kind`` says which: ``ok``, ``invariant``, ``deadlock``, ``liveness``, ``coverage`` or
        ``incomplete``. ``uncovered`` lists the actions never taken; for random walks that is
        a coverage report, and the verdict stays ``ok``.
        """
        verdict: str = "violation"
        kind: str = self.verdict
        if self.verdict in ("ok", "incomplete", "coverage"):
            verdict = self.verdict
        elif self.verdict == "violation":
            kind = "invariant"
        return {
            "verdict": verdict,
            "kind": kind,
            "mode": self.mode,
            "distinct_states": self.distinct_states,
            "transitions": self.transitions,
            "depth": self.depth,
            "seconds": round(self.seconds, 3),
            "states_per_second": round(self.states_per_second, 1),
            "actions": dict(self.actions),
            "uncovered": list(self.uncovered),
            "invariants": list(self.invariants),
            "complete": self.complete,
            "liveness_checked": self.liveness_checked,
            "message": self.message,
            "walks": self.walks,
            "seed": self.seed,
            "violation": None if self.violation is None else self.violation.to_json(),
        }

    def summary(self, width: int = VALUE_WIDTH) -> str:
        """The human-readable report: figures, coverage table, verdict (and the trace)."""
        lines = [
            f"mode:            {self.mode}" + (f" ({self.walks} walks, seed {self.seed})"
                                               if self.mode == "random" else ""),
            f"distinct states: {self.distinct_states}",
            f"transitions:     {self.transitions}",
            f"depth:           {self.depth}",
            f"time:            {self.seconds:.2f} s",
            f"states/s:        {self.states_per_second:,.0f}",
            f"invariants:      {', '.join(self.invariants) if self.invariants else '(none)'}",
            f"liveness:        {'checked (SYS-3)' if self.liveness_checked else 'not checked'}",
            "",
            format_coverage(self.actions),
            "",
        ]
        if self.violation is not None:
            lines.append(self.violation.format(width))
            lines.append("")
        if self.mode == "random":
            taken = len(self.actions) - len(self.uncovered)
            lines.append(f"coverage:        {taken} of {len(self.actions)} actions reached"
                         + (f"; not reached in these walks (a report, not a failure: longer or "
                            f"more walks may reach them): {', '.join(self.uncovered)}"
                            if self.uncovered else ""))
        verdict = self.verdict.upper()
        lines.append(f"verdict: {verdict}" + (f" - {self.message}" if self.message else ""))
        return "\n".join(lines)


def format_coverage(actions: dict[str, int]) -> str:
    """A table of actions and how many transitions took each; never-taken ones are marked."""
    if not actions:
        return "coverage: (no actions)"
    width = max(len(name) for name in actions)
    lines = [f"{'action':<{width}}  {'taken':>12}", f"{'-' * width}  {'-' * 12}"]
    for name, count in actions.items():
        mark = "  <- never taken" if count == 0 else ""
        lines.append(f"{name:<{width}}  {count:>12,}{mark}")
    return "\n".join(lines)


def format_trace(steps: Sequence[Step], width: int = VALUE_WIDTH, start: int = 1) -> str:
    """Numbered steps, one per line: ``3. writer_write()  write_lsn: 64 -> 90, ...``."""
    return "\n".join(step.format(start + i, width) for i, step in enumerate(steps))


def format_state(s: object, width: int = VALUE_WIDTH) -> str:
    """A state's fields, one per line, values truncated (any attrs class; else its repr)."""
    cls: Any = type(s)
    if attrs.has(cls):
        return "\n".join(f"   {a.name} = {short(getattr(s, a.name), width)}"
                         for a in attrs.fields(cls))
    return f"   {short(s, width * 2)}"


@dataclass(frozen=True)
class Progress:
    """A snapshot handed to the ``progress`` callback about every two seconds."""

    distinct_states: int
    transitions: int
    depth: int
    queued: int
    seconds: float

    def line(self) -> str:
        rate = self.distinct_states / self.seconds if self.seconds > 0 else 0.0
        return (f"... {self.distinct_states:,} states, {self.transitions:,} transitions, "
                f"depth {self.depth}, {self.queued:,} queued, {self.seconds:.0f} s, "
                f"{rate:,.0f} states/s")


ProgressFn = Callable[[Progress], None]
PROGRESS_EVERY = 2.0
"""Seconds between two progress callbacks."""


class ModelError(Exception):
    """The model itself raised an exception (a bug in an action or a property, not a
    violation): says what it raised, where, and the trace that leads there."""

    def __init__(self, cause: BaseException, doing: str, trace: Sequence[object]) -> None:
        self.cause = cause
        self.trace = tuple(str(x) for x in trace)
        tb = cause.__traceback__
        where = ""
        while tb is not None:
            where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"
            tb = tb.tb_next
        self.where = where
        path = "; ".join(self.trace) if self.trace else "(the initial state)"
        super().__init__(f"the model raised {type(cause).__name__}: {cause} (at {where}) "
                         f"{doing}: {path}")


# ----------------------------------------------------------------------------------------------
# Exhaustive breadth-first search
# ----------------------------------------------------------------------------------------------


def _split_properties(model: Model[Any, Any]) -> tuple[list[Any], list[Any]]:
    props = model.properties()
    state_props = [p for p in props if p.kind == "state"]
    step_props = [p for p in props if p.kind == "step"]
    unknown = [p.name for p in props if p.kind not in ("state", "step")]
    if unknown:
        raise ValueError(f"properties {unknown} have a kind other than 'state' or 'step'")
    return state_props, step_props


def _concerns(prop: Any, action: str) -> bool:
    """Whether step property ``prop`` must be evaluated on a label of ``action``: its
    ``actions`` (if it declares them) name the only actions it can be false for."""
    actions = getattr(prop, "actions", None)
    return actions is None or action in actions


def _explain(prop: Any, params: Any, *args: Any) -> str:
    """The property's own explanation of a failure if it has one, else its doc's first line."""
    explain = getattr(prop, "explain", None)
    if callable(explain):
        try:
            text = explain(params, *args)
        except Exception as exc:  # an explanation must never hide the violation itself
            text = f"(explain failed: {exc!r})"
        if text:
            return str(text)
    doc = str(getattr(prop, "doc", "") or "").strip()
    return doc.splitlines()[0] if doc else "predicate returned False"


def _steps(model: Model[S, L], states: Sequence[S], labels: Sequence[L]) -> tuple[Step, ...]:
    """Steps with changed fields for ``labels`` taking ``states[i]`` to ``states[i + 1]``."""
    return tuple(Step(str(lab), model.fields_changed(states[i], states[i + 1]))
                 for i, lab in enumerate(labels))


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
   ."""
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
    state_props, step_props = _split_properties(model)
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
            message=_explain(prop, params, states[j]),
            trace=tuple(str(x) for x in path_labels),
            steps=_steps(model, path_states, path_labels), labels=tuple(path_labels))
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
                        if _concerns(prop, action)]
                for prop, pred in checks:
                    if not pred(params, s, label, t):
                        path_states, path_labels = path_to(i)
                        path_states.append(t)
                        path_labels.append(label)
                        v = Violation(
                            kind="step", property=prop.name, ids=tuple(prop.ids),
                            message=_explain(prop, params, s, label, t),
                            trace=tuple(str(x) for x in path_labels),
                            steps=_steps(model, path_states, path_labels),
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
                    message=_deadlock_message(model, s),
                    trace=tuple(str(x) for x in path_labels),
                    steps=_steps(model, path_states, path_labels), labels=tuple(path_labels))
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
        bad = _cannot_satisfy(len(states), edges, edge_start, satisfied)
        if bad is not None:
            n_bad, first = bad
            path_states, path_labels = path_to(first)
            cycle_states, cycle_labels = _lasso(model, states[first], index, satisfied)
            v = Violation(
                kind="liveness", property="liveness", ids=("SYS-3",),
                message=f"from this state no state where every waiter is satisfied is reachable "
                        f"({n_bad} such states)",
                trace=tuple(str(x) for x in path_labels),
                steps=_steps(model, path_states, path_labels),
                cycle=_steps(model, cycle_states, cycle_labels), labels=tuple(path_labels))
            return result("liveness", final_depth, transitions, v, liveness=True,
                          message="a waiter can be left waiting forever")
        for prog, sat in zip(progress_props, progress_sat, strict=True):
            bad = _cannot_satisfy(len(states), edges, edge_start, sat)
            if bad is not None:
                n_bad, first = bad
                path_states, path_labels = path_to(first)
                cycle_states, cycle_labels = _lasso(model, states[first], index, sat)
                v = Violation(
                    kind="liveness", property=prog.name, ids=tuple(prog.ids),
                    message=f"{prog.doc}: from this state no state where it holds is reachable "
                            f"({n_bad} such states)",
                    trace=tuple(str(x) for x in path_labels),
                    steps=_steps(model, path_states, path_labels),
                    cycle=_steps(model, cycle_states, cycle_labels), labels=tuple(path_labels))
                return result("liveness", final_depth, transitions, v, liveness=True,
                              message=f"progress property {prog.name} fails")
    return result("ok", final_depth, transitions, liveness=keep_edges)


def _cannot_satisfy(n: int, edges: array[int], edge_start: array[int],
                    satisfied: bytearray) -> tuple[int, int] | None:
    """SYS-3 by backward reachability: states from which no satisfied state is reachable.

    Builds the reverse graph in CSR form (in-degree counts, prefix sums, fill), then a
    backward breadth-first search from every satisfied state. Returns ``(count, first)``,
    ``first`` the lowest id (a state with a shortest trace), or ``None`` if there is none.
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
    good = bytearray(satisfied)
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
    missing = good.find(0)
    if missing < 0:
        return None
    return good.count(0), missing


def _lasso(model: Model[S, L], start: S, index: dict[S, int], satisfied: bytearray,
           limit: int = 50) -> tuple[list[S], list[L]]:
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


# ----------------------------------------------------------------------------------------------
# Seeded random walks
# ----------------------------------------------------------------------------------------------


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
    state_props, step_props = _split_properties(model)
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
            fails = _failure_test(model, kind, prop, check_deadlock)
            shrunk = shrink_trace(path_states[0], path_labels, fails, shrink_seconds)
            if len(shrunk[1]) < found:
                path_states, path_labels = shrunk
                message = _failure_message(model, kind, prop, path_states, path_labels,
                                           message)
        v = Violation(kind=kind, property=prop, ids=ids, message=message,
                      trace=tuple(str(x) for x in path_labels),
                      steps=_steps(model, path_states, path_labels), labels=tuple(path_labels))
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
                                   _explain(prop, params, s), w, path_states, path_labels)
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
                                       _deadlock_message(model, s), w, path_states, path_labels)
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
                                       _explain(prop, params, s, label, t), w, path_states,
                                       path_labels)
                seen.add(hash(t))
                for prop in state_props:
                    if not prop.predicate(params, t):
                        return failure("invariant", prop.name, tuple(prop.ids),
                                       _explain(prop, params, t), w, path_states, path_labels)
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


FailTest = Callable[[list[Any], list[Any]], int | None]
"""``fails(states, labels)``: replays ``labels`` from ``states[0]`` (appending to ``states``)
and returns how many steps it took to fail the same way, or None (also if a label is not
enabled)."""


def _failure_test(model: Model[S, L], kind: str, prop_name: str,
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


def _failure_message(model: Model[S, L], kind: str, prop_name: str, states: list[S],
                     labels: list[L], default: str) -> str:
    """The property's explanation for the (shrunk) trace's last step."""
    props = {p.name: p for p in model.properties()}
    prop = props.get(prop_name)
    if prop is None or not states:
        return default
    if kind == "invariant":
        return _explain(prop, model.params, states[-1])
    if kind == "step" and labels:
        return _explain(prop, model.params, states[-2], labels[-1], states[-1])
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
    state_props, step_props = _split_properties(model)
    s = model.init_states()[0]
    out = Replayed(states=[s], steps=[])

    def fail(name: str, at: int, message: str) -> None:
        if out.failed is None:
            out.failed, out.failed_at, out.message = name, at, message

    for prop in state_props:
        if not prop.predicate(params, s):
            fail(prop.name, 0, _explain(prop, params, s))
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
                fail(prop.name, n, _explain(prop, params, s, label, t))
        for prop in state_props:
            if not prop.predicate(params, t):
                fail(prop.name, n, _explain(prop, params, t))
        s = t
    return out
