"""Threaded trace validation under the active profile (RC-free: no crash, real threads).

The implementation runs with its background threads and two user threads committing random
groups; the trace is replayed through the spec: every event must be an enabled spec action
producing the observed lsn values (SYS-1, WR-7, FL-1, CP-1, CP-4, NT-1, NT-5, USR-1..6), and
the whole trace must be consumed.
"""

from __future__ import annotations

import pytest
from hypothesis import settings

from conformance import trace_check
from conformance.checks import ConformanceFailure
from conformance.replay import Replayer
from impl.trace import TraceEvent
from spec.model import RedoModel


def test_threaded_traces_replay_through_the_spec() -> None:
    """Every event of every run is a spec step; the replays consume the whole traces."""
    assert trace_check.run(settings()).examples["trace"] > 0


def test_threaded_9_0_traces_replay_through_the_spec() -> None:
    """CP-1, CP-3 (9.0): real threads on the flush-list-added tracker design (users'
    wait_to_add / report_added, the checkpointer's asks) replay through the 9.0 spec."""
    acts = trace_check.run_90(settings(max_examples=12)).actions["threaded"]
    assert acts["user_report_added"] > 0
    assert acts["user_wait_to_add"] > 0


def test_replay_rejects_an_event_the_spec_does_not_allow() -> None:
    """Teeth: a writer_write that claims write_lsn moved although nothing was linked (WR-1,
    LNK-5) is not a spec step, and the failure names the event."""
    replayer = Replayer(RedoModel(trace_check.PARAMS))
    with pytest.raises(ConformanceFailure, match="writer_write"):
        replayer.feed("writer", "writer_write", {"write_lsn": (8204, 8300)}, seq=7)


def test_replay_rejects_wrong_observed_values() -> None:
    """Teeth: user_reserve of 30 bytes moves the current lsn from 8204 to 8234 (FMT-2:
    sn_to_lsn(16 * 496 + 30) = 16 * 512 + 12 + 30); a trace claiming 8240 is refused."""
    replayer = Replayer(RedoModel(trace_check.PARAMS))
    values = {"size": 30, "page": 0, "wait": "none", "current_lsn": (8204, 8240)}
    with pytest.raises(ConformanceFailure, match="current_lsn"):
        replayer.feed("user:0", "user_reserve", values)
    replayer.feed("user:0", "user_reserve", {**values, "current_lsn": (8204, 8234)})
    assert replayer.consumed == 1


def test_unconsumed_trace_is_a_failure() -> None:
    """A trace check that silently stopped early would pass vacuously (verification notes)."""
    replayer = Replayer(RedoModel(trace_check.PARAMS))
    with pytest.raises(ConformanceFailure, match="not consumed"):
        replayer.finish(expected=3)


def _stale_checkpoint_trace() -> list[TraceEvent]:
    """A trace of MySQL's checkpoint timing, made deterministic with the stepped log: the
    checkpointer computes available_for_checkpoint_lsn (one group durable and its page clean),
    then a second group becomes durable and clean, then it writes the value it computed."""
    from conformance.params_map import to_log_config
    from impl.faultstore import FaultStore
    from impl.records import Record
    from impl.redolog import RedoLog

    log = RedoLog.create(FaultStore(), to_log_config(trace_check.PARAMS), threads=False,
                         trace=True)

    def commit(page: int) -> None:
        log.commit([Record(page, bytes((1 + page,)) * 41)], durable=False, thread=0)
        log.writer.step()
        log.flusher.step()
        log.closer.step()
        log.write_notifier.step()
        log.flush_notifier.step()
        while log.page_cleaner.step():
            pass

    commit(0)
    assert log.checkpointer.update_available()
    computed = log.available_for_checkpoint_lsn
    commit(1)
    assert log.checkpointer.compute_available() > computed  # the spec's value moved on
    assert log.checkpointer.write_checkpoint()
    assert log.checkpointer.pending == (1, computed)
    assert log.trace is not None
    return list(log.trace.snapshot())


def test_checkpoint_written_at_the_value_computed_last_replays() -> None:
    """CP-2 with MySQL's timing (log_checkpoint writes log.available_for_checkpoint_lsn, computed
    in an earlier step): a flush between the computation and the write is not a difference. This
    was the threaded check's false catch with 4 users."""
    trace_check.replay(trace_check.PARAMS, _stale_checkpoint_trace())


def test_replay_checks_the_computed_available_for_checkpoint_lsn() -> None:
    """Teeth (CP-2, CP-7): a computed available_for_checkpoint_lsn the spec does not give, and a
    checkpoint written at another value than the one computed last, are both failures."""
    import attrs

    events = _stale_checkpoint_trace()
    update = next(i for i, e in enumerate(events)
                  if e.action == "checkpointer_update_available")
    old, new = events[update].values["available_for_checkpoint_lsn"]
    wrong = attrs.evolve(events[update], values={**events[update].values,
                                                 "available_for_checkpoint_lsn": (old, new + 1)})
    with pytest.raises(ConformanceFailure, match="computed available_for_checkpoint_lsn"):
        trace_check.replay(trace_check.PARAMS, [*events[:update], wrong, *events[update + 1:]])
    write = len(events) - 1
    values = events[write].values
    moved = attrs.evolve(events[write], values={
        **values, "checkpoint_lsn_written": values["checkpoint_lsn_written"] + 50})
    with pytest.raises(ConformanceFailure, match="last available_for_checkpoint_lsn"):
        trace_check.replay(trace_check.PARAMS, [*events[:write], moved])


def test_durable_pages_after_a_threaded_run_see_a_lost_change() -> None:
    """Teeth (RC-4, CP-6): after a run whose log is closed and synced, crash + recovery must
    leave each page at its last group; a store where the last change of a page is missing (here:
    a later group the data file and the log never got) is reported as a lost change."""
    from conformance.params_map import to_log_config
    from impl.faultstore import FaultStore
    from impl.records import Record
    from impl.redolog import RedoLog
    from impl.trace import TraceEvent

    p = trace_check.PARAMS
    store = FaultStore()
    log = RedoLog.create(store, to_log_config(p), threads=False, trace=True)
    log.commit([Record(0, bytes((1,)) * 41)], durable=False, thread=0)
    log.close(flush=True)
    assert log.trace is not None
    events = log.trace.snapshot()
    trace_check.check_durable_pages(p, store, events)  # the real last change survives
    extra = TraceEvent(len(events), "user:1", "user_add_dirty_pages",
                       {"start_lsn": 8254, "end_lsn": 8304, "pages": (0,), "added": ()})
    with pytest.raises(ConformanceFailure, match="durable pages"):
        trace_check.check_durable_pages(p, store, [*events, extra])
