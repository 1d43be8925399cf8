"""The optional trace: every step of every actor, recorded atomically with its effect.

An event is ``TraceEvent(seq, actor, action, values)``: ``actor`` is ``"writer"``,
``"flusher"``, ``"write_notifier"``, ``"flush_notifier"``, ``"closer"`` (8.0),
``"checkpointer"``, ``"page_cleaner"`` or ``"user:<name>"``; ``action`` is the spec's action name
(docs/spec-model.md's table); ``values`` maps lsn-valued fields to either ``(old, new)`` for a
field the step wrote or a single int for a value it read (and arguments like ``size``).

Atomicity: an actor performs the *linearization point* of its step (the store that makes the
effect visible to other threads, e.g. ``write_lsn := new``) inside :meth:`Trace.step`, which
holds the trace's lock across the effect and the append. Every other traced step reads shared
lsn values inside its own ``step`` block, so the order of ``seq`` is an order in which the
effects really happened. Without a trace, :func:`untraced` is a no-op context costing one dict.
The schema is documented in docs/impl-pipeline.md.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import Iterator
from typing import Any

import attrs

Values = dict[str, Any]


@attrs.frozen
class TraceEvent:
    """One step: sequence number, actor, spec action name, lsn values read and written."""

    seq: int
    actor: str
    action: str
    values: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        values = {k: list(v) if isinstance(v, tuple) else v for k, v in self.values.items()}
        return {"seq": self.seq, "actor": self.actor, "action": self.action, "values": values}


class Trace:
    """A thread-safe, append-only list of :class:`TraceEvent` (optional, for trace validation)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.events: list[TraceEvent] = []
        self._seq = itertools.count()

    @contextlib.contextmanager
    def step(self, actor: str, action: str) -> Iterator[Values]:
        """Hold the trace lock across the caller's effect; append the event it filled in.

        If the block raises, or leaves ``values["_skip"]`` set (the step did nothing), no event
        is recorded.
        """
        values: Values = {}
        with self.lock:
            yield values
            if not values.pop("_skip", False):
                self.events.append(TraceEvent(next(self._seq), actor, action, values))

    def of(self, action: str) -> list[TraceEvent]:
        with self.lock:
            return [e for e in self.events if e.action == action]

    def snapshot(self) -> list[TraceEvent]:
        with self.lock:
            return list(self.events)


@contextlib.contextmanager
def untraced(actor: str, action: str) -> Iterator[Values]:
    """The stand-in for :meth:`Trace.step` when tracing is off."""
    yield {}
