"""Action coverage: every spec action fires in the CI profile's conformance runs.

The counts come from the reports of the runs themselves (``Report.actions``), so this test runs
its own short stepped, crash and threaded campaigns rather than depending on other tests'
order.
"""

from __future__ import annotations

from hypothesis import settings

from conformance import coverage, stepped, trace_check
from spec.model import RedoModel


def test_every_spec_action_fires_in_stepped_conformance() -> None:
    """USR-1..7, WR-1..9, FL-1..3, NT-1..5, CP-1..7, RC-1..4: no action of the conformance
    configuration is left unexercised by the stepped machine (long runs and crash runs)."""
    names = RedoModel(stepped.SteppedMachine.params).action_names()
    budget = settings(settings(), max_examples=max(10, settings().max_examples // 3))
    report = stepped.run(budget)
    report.add(stepped.run_crash(budget))
    missing = coverage.never_fired(names, "stepped", report)
    assert not missing, "never fired in stepped conformance: " + ", ".join(missing) + "\n" \
        + coverage.format_table(coverage.table(names=names, report=report))


def test_threaded_runs_exercise_every_background_thread() -> None:
    """The threaded traces contain every background thread's actions (WR, FL, NT, CP-1, CP-4,
    CP-6) and the traced user steps (USR-1..4)."""
    report = trace_check.run(settings())
    expected = ("user_reserve", "user_copy_to_log_buffer", "user_set_first_rec_group",
                "user_add_recent_written_link", "user_add_dirty_pages",
                "user_add_recent_closed_link", "writer_traverse_links", "writer_write",
                "flusher_fsync", "write_notifier_notify_slots", "flush_notifier_notify_slots",
                "closer_traverse_links", "checkpointer_write_checkpoint",
                "checkpointer_sync_checkpoint", "page_cleaner_flush_page")
    missing = coverage.never_fired(expected, "threaded", report)
    assert not missing, "never fired in threaded runs: " + ", ".join(missing)
