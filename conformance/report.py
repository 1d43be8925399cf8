"""What conformance runs saw: one :class:`Report` of named counters, returned by every check.

Each check (``run(settings) -> Report``, :func:`conformance.checks.reports`) returns the report of
its own run: how many test cases each machine ran, which spec actions fired, which rings
wrapped, which crash points were reached, and so on. Tests assert on that report (a check
whose runs never wrap the log buffer cannot see a bug at its end), ``redospec check`` prints
the action coverage from it, and ``redospec mutants`` counts the examples it took to catch a
bug.

The machines count into :data:`LIVE`, the report of everything this process has run so far
(a campaign worker's progress thread reads it while a check runs); :func:`recording` turns the
part counted inside a ``with`` block into a report of its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import attrs


def _actions() -> dict[str, Counter[str]]:
    return {"stepped": Counter(), "threaded": Counter()}


@attrs.define
class Report:
    """Counters of one or more conformance runs (each a ``Counter`` by a short key)."""

    examples: Counter[str] = attrs.Factory(Counter)
    """Test cases run per check name (``stepped``, ``crash``, ``trace``, ``liveness`` ...)."""
    actions: dict[str, Counter[str]] = attrs.Factory(_actions)
    """Spec action name -> times it fired, per source (``stepped`` machines, ``threaded``
    traces)."""
    wraps: Counter[str] = attrs.Factory(Counter)
    """Runs in which the written lsn range exceeded a ring's size (``log_buffer``,
    ``recent_written``, ``write_events``, ``log_files``): evidence that a configuration wraps
    every ring within a run."""
    restarts: Counter[int] = attrs.Factory(Counter)
    """Restarts (``RedoLog.open`` after a crash) compared, by generation (1 = first)."""
    preemptions: Counter[str] = attrs.Factory(Counter)
    """Steps completed by another actor in the middle of a step (``flusher_fsync by
    writer_write``)."""
    known_differences: Counter[str] = attrs.Factory(Counter)
    """Tolerated, named differences between the implementation and the spec
    (:func:`conformance.abstraction.tolerate`)."""
    crash_points: Counter[str] = attrs.Factory(Counter)
    """Crashes inside steps, by ``action@point``, and crash images checked, by
    ``image:kind`` (:mod:`conformance.crashpoints`)."""
    forbidden: Counter[str] = attrs.Factory(Counter)
    """Steps the spec forbids, tried on the implementation (:mod:`conformance.forbidden`)."""
    boundary_probes: Counter[str] = attrs.Factory(Counter)
    """Guards probed at their exact boundary (``at boundary``, ``link space`` ...)."""
    liveness: Counter[str] = attrs.Factory(Counter)
    """The event-only scheduler's figures (``runs``, ``moves``, ``waits woken``,
    ``spurious wake-ups``, ``writer polls`` ...; :mod:`conformance.liveness`)."""
    matrix: Counter[str] = attrs.Factory(Counter)
    """Runs per matrix row (:mod:`conformance.matrix`)."""
    trace: Counter[str] = attrs.Factory(Counter)
    """The threaded trace check's figures (:mod:`conformance.trace_check`)."""

    def total_examples(self) -> int:
        """Test cases run, all checks together."""
        return sum(self.examples.values())

    def copy(self) -> Report:
        return Report(**{name: _copy(value) for name, value in _fields(self)})

    def since(self, before: Report) -> Report:
        """What was counted after ``before`` (a copy of this report taken earlier)."""
        return Report(**{name: _minus(value, getattr(before, name))
                         for name, value in _fields(self)})

    def add(self, other: Report) -> None:
        """Add ``other``'s counts to this report."""
        for name, value in _fields(other):
            mine = getattr(self, name)
            if isinstance(value, dict) and not isinstance(value, Counter):
                for source, counter in value.items():
                    mine.setdefault(source, Counter()).update(counter)
            else:
                mine.update(value)



def _fields(report: Report) -> Iterator[tuple[str, Any]]:
    for f in attrs.fields(Report):
        yield f.name, getattr(report, f.name)


def _copy(value: Any) -> Any:
    if isinstance(value, Counter):
        return value.copy()
    return {source: counter.copy() for source, counter in value.items()}


def _minus(value: Any, before: Any) -> Any:
    if isinstance(value, Counter):
        return value - before
    return {source: counter - before.get(source, Counter()) for source, counter in value.items()}


LIVE = Report()
"""Everything the conformance machines counted in this process so far."""


@contextmanager
def recording() -> Iterator[Report]:
    """The report of what is counted inside the block (filled in when the block ends, also
    when it raises)::

        with recording() as report:
            run_state_machine_as_test(...)
        return report
    """
    before = LIVE.copy()
    report = Report()
    try:
        yield report
    finally:
        report.add(LIVE.since(before))

