"""Threaded trace validation under the active profile (RC-free: no crash, real threads).

The implementation runs with its background threads and two user threads committing random
groups; the trace is replayed through the spec: every event must be an enabled spec action
producing the observed lsn values (SYS-1, WR-7, FL-1, CP-1, CP-4, NT-1, NT-5, USR-1..6), and
the whole trace must be consumed.
"""

from __future__ import annotations

import pytest
from hypothesis import settings

from conformance import checks, trace_check
from conformance.checks import ConformanceFailure
from conformance.replay import Replayer
from spec.model import RedoModel


def test_threaded_traces_replay_through_the_spec() -> None:
    """Every event of every run is a spec step; the replays consume the whole traces."""
    before = checks.EXAMPLES["trace"]
    trace_check.run(settings())
    assert checks.EXAMPLES["trace"] > before


def test_threaded_9_0_traces_replay_through_the_spec() -> None:
    """CP-1, CP-3 (9.0): real threads on the flush-list-added tracker design (users'
    wait_to_add / report_added, the checkpointer's asks) replay through the 9.0 spec."""
    before = dict(checks.ACTIONS["threaded"])
    trace_check.run_90(settings(max_examples=12))
    acts = checks.ACTIONS["threaded"]
    assert acts["user_report_added"] > before.get("user_report_added", 0)
    assert acts["user_wait_to_add"] > before.get("user_wait_to_add", 0)


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
