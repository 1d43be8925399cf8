"""Stepped conformance under the active Hypothesis profile (``ci`` in the test suite).

Hypothesis chooses every interleaving of the implementation's steps (user operations and one
pass of each background thread); after every step the implementation's abstract state must
equal the spec's and satisfy every spec invariant (SYS-1, LNK-5, SYS-2, WR-6, FMT-3..8, NT-4,
SYS-4, RC-4, CP-4, LNK-3). The expected values are the spec's, an independent model of the
design, never the implementation's own.
"""

from __future__ import annotations

from hypothesis import settings

from conformance import checks, stepped


def test_stepped_conformance() -> None:
    """USR-1..7, WR-1..9, FL-1..3, NT-1..5, CP-1..7, LNK-1..5: long schedules of every action,
    and the runs really wrap the log buffer, the recent-written ring and the event slots (a
    check that never wraps would miss every bug at a ring's end)."""
    report = stepped.run(settings())
    for ring in ("log_buffer", "recent_written", "write_events"):
        assert report.wraps[ring] > 0, f"no run wrapped {ring}: {dict(report.wraps)}"
    # FL-1: the writer completed a write inside a flusher step (before its fsync)
    assert report.preemptions["flusher_fsync by writer_write"] > 0
    # CP-5, WR-9: log_free_check's margin compared at its exact boundary after every step
    assert report.boundary_probes["at boundary"] > 0
    assert report.boundary_probes["link space"] > 0  # LNK-4 at its boundary


def test_writer_inside_the_flushers_step_sees_a_flusher_that_rereads_write_lsn() -> None:
    """Teeth (FL-1, RC-4): a flusher that publishes write_lsn as read after its fsync passes
    the stepped machine when no other actor runs inside its step, and fails when the writer
    may complete a write before the fsync."""
    import pytest

    from conformance import mutants
    from conformance.checks import ConformanceFailure
    from conformance.mutant_catalog import MUTANTS

    bug = next(m for m in MUTANTS if m.name == "flusher_publishes_write_lsn_read_after_fsync")
    small = settings(checks.MUTANT_SETTINGS, max_examples=30)
    real = stepped.SteppedMachine._flusher_preempted_by_writer
    with mutants.applied(bug):
        try:  # no preemption: the flusher's step is atomic, its re-read sees what it read
            stepped.SteppedMachine._flusher_preempted_by_writer = (  # type: ignore[method-assign]
                lambda self, label, write: self.flusher_fsync(label))
            stepped.run(small)
        finally:
            stepped.SteppedMachine._flusher_preempted_by_writer = real  # type: ignore[method-assign]
        with pytest.raises(ConformanceFailure, match="flushed_to_disk_lsn"):
            stepped.run(small)


def test_stepped_conformance_wraps_the_log_files() -> None:
    """WR-9, SYS-4, CP-2..CP-7: big groups and no waits, so every run writes more than the
    files hold and the writer must wait for checkpoints (which wait for the page cleaner)."""
    wrapped = stepped.run_wrap(settings()).wraps
    assert wrapped["log_files"] > 0, f"no run wrapped the log files: {dict(wrapped)}"


def test_stepped_conformance_crash_and_recovery() -> None:
    """RC-1..RC-4: short schedules that end in a crash (unsynced writes lost) and a recovery
    whose report must equal the spec's recovery of the same image."""
    assert stepped.run_crash(settings()).actions["stepped"]["recover"] > 0


def test_stepped_conformance_restart_generations() -> None:
    """RC-1..4 across generations, facts §8.4, CP-6: crash -> RedoLog.open -> more commits ->
    crash -> open; after each open the restarted state, rc_restart_exact and the durable data
    file's pages equal the spec's; some runs reach a second restart."""
    report = stepped.run_restart(settings())
    assert report.actions["stepped"]["recover"] > 0
    assert report.restarts[2] > 0, dict(report.restarts)


def test_stepped_conformance_9_0_tracker() -> None:
    """CP-1, CP-3 (9.0, seed 002): users wait_to_add and report_added to the flush-list-added
    tracker, the checkpointer asks smallest_not_added_lsn; the same conformance on that design
    (and users the spec makes wait in wait_to_add are refused by the implementation too)."""
    acts = stepped.run_90(settings()).actions["stepped"]
    for a in ("checkpointer_ask_smallest_not_added", "user_report_added", "user_wait_to_add"):
        assert acts[a] > 0, a
