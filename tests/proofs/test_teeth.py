"""Teeth: weaken a guard of the encoded spec and the matching obligation returns a decoded
counterexample. Each weakened guard is one the design text requires."""

from __future__ import annotations

import z3

from proofs import encoding as E
from proofs.obligation import Obligation, check


class NoBufferSpace(E.Enc):
    """USR-1/SYS-4: a user copies without waiting for space in the log buffer."""

    def user_copy_to_log_buffer(self, s: E.St, t: E.St) -> z3.BoolRef:
        return self._user_step(s, t, lambda k, u: u.pc == E.RESERVED,
                               lambda k, u: self.move(s, t, k, E.COPIED, False))


class CheckpointPastFlushed(E.Enc):
    """CP-4/CP-7: the checkpointer forgets to cap the checkpoint at flushed_to_disk_lsn."""

    def available_for_checkpoint(self, s: E.St) -> z3.ArithRef:
        lwm = z3.If(self.oldest_lsn(s) == 0, s.added, s.checkpoint_lsn)
        return z3.If(lwm >= s.checkpoint_lsn, lwm, s.checkpoint_lsn)


class MySQLShortcut(E.Enc):
    """WR-8 as MySQL 8.0.41 computes it (Bug #114660): direct iff the slots of old + 1 and
    new are equal."""

    def notify_advance(self, s: E.St, t: E.St, kind: int, old: z3.ArithRef,
                       new: z3.ArithRef) -> tuple[z3.BoolRef, set[str]]:
        slot_old = self.slot_of_block(self.ev_block(old + 1), kind)
        slot_new = self.slot_of_block(self.ev_block(new), kind)
        ev_s, ev_t = ((s.write_notifier_event, t.write_notifier_event) if kind == 1
                      else (s.flush_notifier_event, t.flush_notifier_event))
        rel = z3.If(
            slot_old == slot_new,
            z3.And(self.signal(s, t, kind,
                               lambda u: self.slot_of_block(self.ev_block(self.end(u)), kind)
                               == slot_new), ev_t == ev_s),
            z3.And(self.users_same(s, t), ev_t),
        )
        return rel, self._all_users() | {
            "write_notifier_event" if kind == 1 else "flush_notifier_event"}


class TraversePastUnlinked(E.Enc):
    """LNK-2: the writer's traversal ignores missing links (moves the tail anywhere up to the
    current lsn)."""

    def writer_traverse_links(self, s: E.St, t: E.St) -> z3.BoolRef:
        return z3.And(s.ready < t.ready, t.ready <= self.cur(s), self.frame(s, t, {"ready"}))


def _step(enc: type[E.Enc], action: str, inv: str) -> Obligation:
    return Obligation(f"teeth.{action}.{inv}", ("TEETH",),
                      E.step_formula(action, E.invariant(inv), enc),
                      decode=E.step_decoder(action, inv))


def _assert_counterexample(ob: Obligation) -> str:
    result = check(ob, timeout_s=30)
    assert result.status == "counterexample", (ob.name, result.status, result.reason)
    assert result.decoded is not None
    assert "state before" in result.decoded and f"action: {ob.name.split('.')[1]}" in \
        result.decoded
    return result.decoded


def test_unguarded_copy_breaks_sys4() -> None:
    """SYS-4: without buffer_has_space a copy may overwrite bytes the writer has not
    written."""
    _assert_counterexample(_step(NoBufferSpace, "user_copy_to_log_buffer", "sys4"))


def test_checkpoint_past_flushed_breaks_sys1_chain() -> None:
    """SYS-1/CP-4: an uncapped checkpoint goes past flushed_to_disk_lsn once published; the
    pending-checkpoint auxiliary invariant catches it when written."""
    _assert_counterexample(_step(CheckpointPastFlushed, "checkpointer_write_checkpoint",
                                 "aux_pending"))


def test_mysql_shortcut_loses_a_wakeup() -> None:
    """NT-4: with MySQL's slot comparison the writer may skip the notifier while a satisfied
    waiter in another slot sleeps on (Bug #114660, now as a step of the model)."""
    decoded = _assert_counterexample(_step(MySQLShortcut, "writer_write", "aux_notifiers"))
    assert "sleeping" in decoded


def test_traversal_past_a_hole_breaks_lnk5() -> None:
    """LNK-5: a traversal that does not stop at the first missing link leaves a hole below
    buf_ready_for_write_lsn."""
    _assert_counterexample(_step(TraversePastUnlinked, "writer_traverse_links", "lnk5"))


def test_the_unweakened_obligations_are_proved() -> None:
    """Control: the same four obligations with the spec's guards are proved."""
    for action, inv in (("user_copy_to_log_buffer", "sys4"),
                        ("checkpointer_write_checkpoint", "aux_pending"),
                        ("writer_write", "aux_notifiers"),
                        ("writer_traverse_links", "lnk5")):
        assert check(_step(E.Enc, action, inv), timeout_s=30).status == "proved"
