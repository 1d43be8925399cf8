"""Forbidden steps (conformance/forbidden.py): the implementation refuses what the spec forbids.

The stepped machines also try, in states where a spec guard is false, the implementation step
of that label; it must refuse and change nothing (abstraction and raw state). The tests show
the table covers every guarded action, that the rule runs in the CI profile, and that it
catches a too-permissive guard the ordinary schedule never exercises (teeth).
"""

from __future__ import annotations

import attrs
import pytest
from hypothesis import settings

from conformance import checks, forbidden, stepped
from conformance.checks import ConformanceFailure
from conformance.mutant_catalog import MUTANTS
from conformance.mutants import applied
from spec.model import Label, RedoModel
from spec.params import Params

UNGUARDED = {"user_wait_reset_event", "user_wait_check", "crash", "recover"}
"""Spec actions enabled whenever their thread is at the right pc (or crash actions)."""


def test_table_covers_every_guarded_action() -> None:
    """Every spec action of 8.0 and 9.0 with a guard the implementation checks has a row."""
    names = set()
    for version in ("8.0", "9.0"):
        names |= set(RedoModel(attrs.evolve(Params.tiny(), version=version)).action_names())
    assert {f.action for f in forbidden.FORBIDDEN} == names - UNGUARDED
    assert all(f.ids and f.doc for f in forbidden.FORBIDDEN)


def _machine() -> stepped.SteppedMachine:
    return stepped.SteppedMachine()


def test_refusal_of_a_forbidden_step_passes() -> None:
    """WR-2, FL-3: on a fresh log nothing is ready: the writer and flusher refuse."""
    m = _machine()
    try:
        labels = forbidden.candidates(m)
        assert Label("writer_write", ()) in labels
        for label in labels:
            forbidden.try_forbidden(m, label)
    finally:
        m.log.close(flush=False)


def test_accepting_a_forbidden_step_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """Teeth: a writer that claims to have written with nothing ready is reported."""
    m = _machine()
    try:
        monkeypatch.setattr(m.log.writer, "write", lambda: True)
        with pytest.raises(ConformanceFailure, match="forbidden step: writer_write"):
            forbidden.try_forbidden(m, Label("writer_write", ()))
    finally:
        m.log.close(flush=False)


def test_a_refusal_that_changes_state_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """Teeth: a flusher that refuses but fsyncs anyway (a counter the abstraction does not
    show) is reported as a state change."""
    m = _machine()

    def fsync_and_refuse() -> bool:
        m.log.flusher.fsyncs += 1
        return False

    try:
        monkeypatch.setattr(m.log.flusher, "step", fsync_and_refuse)
        with pytest.raises(ConformanceFailure, match="changed state: flusher_fsync"):
            forbidden.try_forbidden(m, Label("flusher_fsync", (("up_to", 8204),)))
    finally:
        m.log.close(flush=False)


def test_forbidden_steps_run_in_the_ci_profile() -> None:
    """The main machine tries forbidden steps of the background actors and the users."""
    tried = stepped.run(settings(settings(), max_examples=6)).forbidden
    for action in ("writer_write", "flusher_fsync", "checkpointer_sync_checkpoint",
                   "checkpointer_write_checkpoint", "page_cleaner_flush_page", "user_wait_wake"):
        assert tried[action] > 0, f"no forbidden {action} tried: {dict(tried)}"


def test_checkpoint_while_pending_is_caught_only_as_a_forbidden_step() -> None:
    """Teeth (CP-4, FMT-10): a checkpointer that writes a checkpoint while one is pending is
    never offered by the ordinary schedule (the spec forbids it); the forbidden steps see it."""
    mutant = next(m for m in MUTANTS if m.name == "checkpoint_written_while_pending")
    catch = settings(checks.MUTANT_SETTINGS, max_examples=20)  # no shrinking: just catch
    with applied(mutant), pytest.raises(ConformanceFailure, match="forbidden step"):
        stepped.run(catch)
    stepped.SteppedMachine.forbidden_steps = False
    try:
        with applied(mutant):
            stepped.run(settings(checks.MUTANT_SETTINGS, max_examples=6))
    finally:
        stepped.SteppedMachine.forbidden_steps = True
