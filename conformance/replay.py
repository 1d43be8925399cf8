"""Replaying an implementation trace through the spec: a refinement check.

The implementation records every step as ``TraceEvent(seq, actor, action, values)`` at its
linearization point (``impl/trace.py``): ``action`` is the spec action's name, ``values`` maps
lsn-valued fields to ``(old, new)`` when the step wrote them and to a plain value when it read
them or when it is an argument (``size``, ``up_to``, ``list``).

:class:`Replayer` keeps the *set* of spec states consistent with the events so far (the trace
does not log every spec variable: a user's page choice, say, is filled in by the checker, as
trace validation with TLA+ does) and, for each event:

1. builds the candidate labels: the enabled labels of the same action whose arguments agree with
   the event's (``thread`` from the actor ``user:<n>``), or, when the event carries every
   argument, the label itself (``next_state`` accepts labels the enumeration would not offer:
   a flusher that fsynced up to an older write_lsn);
2. applies each with ``model.next_state`` and keeps the successors whose projected lsn fields
   equal the event's ``(old, new)`` values;
3. if no candidate fits, inserts up to :data:`MAX_STUTTERS` spec-internal steps (actions the
   implementation does not trace separately, :attr:`Replayer.stutters`) and tries again.

An event that fits no state raises :class:`~conformance.checks.ConformanceFailure` naming the
event, the guard or the field that disagreed. :meth:`Replayer.finish` asserts that the whole
trace was consumed (a trace check that silently stops early would pass vacuously).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from conformance.checks import ConformanceFailure
from spec.lsn import sn_to_lsn
from spec.model import ActionNotEnabled, Label, RedoModel
from spec.state import State

MAX_STATES = 64
"""Bound on the set of candidate spec states kept between events."""

MAX_STUTTERS = 2
"""Spec-internal steps that may be inserted before one event."""

Projection = Callable[[Any, State], int]

PROJECTIONS: dict[str, Projection] = {
    "sn": lambda p, s: s.sn,
    "write_lsn": lambda p, s: s.writer.write_lsn,
    "buf_ready_for_write_lsn": lambda p, s: s.recent_written.tail,
    "recent_written_tail": lambda p, s: s.recent_written.tail,
    "dirty_pages_added_up_to_lsn": lambda p, s: s.recent_closed.tail,
    "buf_dirty_pages_added_up_to_lsn": lambda p, s: s.recent_closed.tail,
    "smallest_not_added_lsn": lambda p, s: s.recent_closed.tail,
    "recent_closed_tail": lambda p, s: s.recent_closed.tail,
    "flushed_to_disk_lsn": lambda p, s: s.flushed_to_disk_lsn,
    "checkpoint_lsn": lambda p, s: s.checkpoint.checkpoint_lsn,
    "last_checkpoint_lsn": lambda p, s: s.checkpoint.checkpoint_lsn,
    "checkpoint_no": lambda p, s: s.checkpoint.checkpoint_no,
    "next_checkpoint_no": lambda p, s: s.checkpoint.checkpoint_no,
    "current_lsn": lambda p, s: sn_to_lsn(p, s.sn),
    "write_notifier_lsn": lambda p, s: s.notifiers.write_notifier_lsn,
    "flush_notifier_lsn": lambda p, s: s.notifiers.flush_notifier_lsn,
}
"""Trace field name -> the same value in a spec state (the trace's vocabulary is the design's:
``write_lsn``, ``buf_ready_for_write_lsn``, ...). Unknown names are counted, not checked."""

AFTER: dict[str, Projection] = {
    "checkpoint_lsn_written": lambda p, s: s.checkpoint.pending_lsn,
    "write_ahead_end_offset": lambda p, s: s.writer.write_ahead_end_offset,
}
"""Event values that are written values given as a plain int: the state after the step must
hold them (the checkpoint lsn a ``checkpointer_write_checkpoint`` wrote, CP-2)."""

ARGS_OF: dict[str, frozenset[str]] = {
    "user_reserve": frozenset({"size", "page", "wait"}),
    "flusher_fsync": frozenset({"up_to"}),
    "page_cleaner_flush_page": frozenset({"list", "page"}),
    "crash": frozenset({"image"}),
    "checkpointer_write_checkpoint": frozenset({"lsn"}),
}
"""Event values that are label arguments (besides ``thread``) of each action."""


def thread_of(actor: str) -> int | None:
    """``user:3`` -> 3 (the spec's ``thread`` argument); other actors -> None."""
    if actor.startswith("user:"):
        tail = actor.split(":", 1)[1]
        return int(tail) if tail.isdigit() else None
    return None


def event_args(actor: str, action: str, values: dict[str, Any]) -> dict[str, int | str]:
    """The label arguments an event carries (``thread`` from the actor name)."""
    names = ARGS_OF.get(action, frozenset())
    args: dict[str, int | str] = {k: v for k, v in values.items()
                                  if k in names and isinstance(v, int | str)}
    thread = thread_of(actor)
    if thread is not None:
        args["thread"] = thread
    return args


def label_action(values: dict[str, Any]) -> str:
    """The action an event's values belong to (set by :meth:`Replayer.feed` as ``_action``)."""
    return str(values.get("_action", ""))


def mismatch(model: RedoModel, s: State, t: State, values: dict[str, Any],
             unchecked: Counter[str] | None = None) -> str | None:
    """Why ``s -> t`` does not produce the event's ``(old, new)`` values, or None if it does.

    Also WR-8 / FL-2 with decision 3: a writer or flusher event that says how it notified
    (``notify``: ``direct`` or ``notifier``) must have chosen as the design does: directly iff
    the advance stays inside one block (``old // bs == (new - 1) // bs``)."""
    notify = values.get("notify")
    field = {"writer_write": "write_lsn", "flusher_fsync": "flushed_to_disk_lsn"}
    lsns = values.get(field.get(label_action(values), ""))
    if notify in ("direct", "notifier") and isinstance(lsns, tuple):
        bs = model.params.block_size
        direct = lsns[0] // bs == (lsns[1] - 1) // bs
        if (notify == "direct") != direct:
            return (f"notify: the implementation notified {notify!r} for an advance "
                    f"{lsns[0]} -> {lsns[1]}, the design says "
                    f"{'direct' if direct else 'notifier'} (WR-8, FL-2, decision 3)")
    for name, value in values.items():
        after_only = AFTER.get(name)
        if after_only is not None and isinstance(value, int | tuple):
            if isinstance(value, tuple):
                value = value[1]  # the writer reports wa_end after its own reset on a new file
            got = after_only(model.params, t)
            if got != value:
                return f"{name}: trace says {value}, spec gives {got}"
            continue
        if not isinstance(value, tuple) or len(value) != 2:
            continue
        project = PROJECTIONS.get(name)
        if project is None:
            if unchecked is not None:
                unchecked[name] += 1
            continue
        old, new = value
        before, after = project(model.params, s), project(model.params, t)
        if (before, after) != (old, new):
            return f"{name}: trace says {old} -> {new}, spec gives {before} -> {after}"
    return None


class Replayer:
    """Feed trace events one by one; see the module docstring."""

    def __init__(
        self,
        model: RedoModel,
        state: State | None = None,
        *,
        stutters: Iterable[str] = (),
        source: str = "threaded",
    ) -> None:
        self.model = model
        self.states: list[State] = [state if state is not None else model.init_states()[0]]
        self.stutters = frozenset(stutters)
        self.source = source
        self.consumed = 0
        self.fired: Counter[str] = Counter()
        self.unchecked: Counter[str] = Counter()

    def _candidates(self, s: State, action: str, args: dict[str, int | str]) -> list[Label]:
        """Enabled labels of ``action`` agreeing with ``args``, then the event's own label."""
        labels = [label for label in self.model.actions(s) if label.action == action
                  and all(label.get(k) == v for k, v in args.items() if k in dict(label.args))]
        own = Label(action, tuple(sorted(args.items())))
        if own not in labels:
            labels.append(own)
        return labels

    def _apply(self, s: State, action: str, args: dict[str, int | str],
               values: dict[str, Any], reasons: list[str]) -> list[tuple[Label, State]]:
        out = []
        for label in self._candidates(s, action, args):
            try:
                t = self.model.next_state(s, label)
            except (ActionNotEnabled, TypeError, KeyError) as exc:
                reasons.append(str(exc))
                continue
            why = mismatch(self.model, s, t, values, self.unchecked)
            if why is None:
                out.append((label, t))
            else:
                reasons.append(f"{label}: {why}")
        return out

    def _stutter_states(self, s: State) -> list[tuple[tuple[Label, ...], State]]:
        """States reachable from ``s`` by 1..MAX_STUTTERS internal steps (breadth first)."""
        frontier: list[tuple[tuple[Label, ...], State]] = [((), s)]
        found: list[tuple[tuple[Label, ...], State]] = []
        for _ in range(MAX_STUTTERS):
            nxt = []
            for path, u in frontier:
                for label, v in self.model.successors(u):
                    if label.action in self.stutters:
                        nxt.append(((*path, label), v))
            found += nxt
            frontier = nxt
        return found

    def feed(self, actor: str, action: str, values: dict[str, Any], seq: int | None = None) -> None:
        """Consume one event or raise :class:`ConformanceFailure`."""
        args = event_args(actor, action, values)
        values = {**values, "_action": action}
        reasons: list[str] = []
        nxt: dict[State, None] = {}
        fired: Counter[str] = Counter()
        for s in self.states:
            for label, t in self._apply(s, action, args, values, reasons):
                nxt.setdefault(t)
                fired[label.action] += 1
        if not nxt and self.stutters:
            for s in self.states:
                for path, u in self._stutter_states(s):
                    for label, t in self._apply(u, action, args, values, []):
                        nxt.setdefault(t)
                        for step in (*path, label):
                            fired[step.action] += 1
                if nxt:
                    break
        if not nxt:
            where = f"event #{seq} " if seq is not None else f"event {self.consumed} "
            shown = "; ".join(dict.fromkeys(reasons)) or "no enabled spec action of that name"
            raise ConformanceFailure(
                f"{self.source} trace: {action}",
                f"{where}{actor} {action} {values}: no spec step fits ({shown[:600]})")
        self.states = list(nxt)[:MAX_STATES]
        self.consumed += 1
        for name in fired:
            self.fired[name] += 1

    def feed_all(self, events: Sequence[Any]) -> None:
        """Feed ``impl.trace.TraceEvent`` objects (``actor``, ``action``, ``values``, ``seq``)."""
        for event in events:
            self.feed(event.actor, event.action, dict(event.values), event.seq)

    def finish(self, expected: int) -> None:
        """Assert the whole trace (``expected`` events) was consumed: no vacuous pass."""
        if self.consumed != expected:
            raise ConformanceFailure(
                f"{self.source} trace not consumed",
                f"replayed {self.consumed} of {expected} events")
