"""The engine's vocabulary: the :class:`Model` protocol it explores, and what it reports.

The engine knows nothing about redo logs. It programs against the small Stateright-style
:class:`Model` protocol (docs/spec-model.md) that ``spec.model.RedoModel`` implements
structurally (the toy models of the tests too), and reports an :class:`ExploreResult`, with a
:class:`Violation` made of :class:`Step` s when a property fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

import attrs


def deadlock_message(model: Any, s: Any) -> str:
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
    store: str = "states"
    """What the visited set kept: ``states`` (full states) or ``fingerprints`` (64 bits)."""
    store_bytes: int = 0
    """Bytes held by the visited set and the per-state arrays (parents, labels, graph); with
    full states the states themselves are not counted."""
    collision_probability: float | None = None
    """With fingerprints: the estimated probability that two states shared one."""
    peak_queue: int = 0
    """The largest BFS level (states queued for expansion at once)."""
    workers: int = 1

    @property
    def bytes_per_state(self) -> float:
        """:attr:`store_bytes` per distinct state (the frontier's states not included)."""
        return self.store_bytes / self.distinct_states if self.distinct_states else 0.0

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
            "store": self.store,
            "bytes_per_state": (round(self.bytes_per_state, 1)
                                if self.store == "fingerprints" else None),
            "collision_probability": self.collision_probability,
            "workers": self.workers,
            "violation": None if self.violation is None else self.violation.to_json(),
        }

    def _store_lines(self) -> list[str]:
        """The visited set's lines of the summary (exhaustive searches only)."""
        if self.mode != "exhaustive":
            return []
        what = (f"64-bit fingerprints, {self.bytes_per_state:,.0f} bytes per state"
                if self.store == "fingerprints" else "full states")
        lines = [f"store:           {what}"
                 + (f", {self.workers} workers" if self.workers > 1 else "")]
        if self.collision_probability is not None:
            lines.append(f"fingerprints:    collision probability about "
                         f"{self.collision_probability:.1e} (n^2 / 2^62)")
        return lines

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
            *self._store_lines(),
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



def split_properties(model: Model[Any, Any]) -> tuple[list[Any], list[Any]]:
    props = model.properties()
    state_props = [p for p in props if p.kind == "state"]
    step_props = [p for p in props if p.kind == "step"]
    unknown = [p.name for p in props if p.kind not in ("state", "step")]
    if unknown:
        raise ValueError(f"properties {unknown} have a kind other than 'state' or 'step'")
    return state_props, step_props


def concerns(prop: Any, action: str) -> bool:
    """Whether step property ``prop`` must be evaluated on a label of ``action``: its
    ``actions`` (if it declares them) name the only actions it can be false for."""
    actions = getattr(prop, "actions", None)
    return actions is None or action in actions


def explain_failure(prop: Any, params: Any, *args: Any) -> str:
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

