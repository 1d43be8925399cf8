"""Teeth: every invariant catches a plausible bug.

Each test breaks ONE action on purpose with ``RedoModel.with_action`` -- a bug a person could
really write, named in the test -- explores ``tiny`` checking only the targeted property, and
shows the explorer finds the violation with a shortest trace that replays: every state before
the last satisfies the property, the last does not. A property that no broken action can
violate would be vacuous; these tests are what make the exhaustive ``tiny`` run mean something.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import pytest

from engine import explore
from spec import linkbuf
from spec.blocks import make_block
from spec.checkpointer import checkpointer_write_checkpoint, oldest_lsn
from spec.flusher import flusher_fsync
from spec.invariants import PROPERTIES
from spec.lsn import sn_to_lsn
from spec.model import Label, RedoModel
from spec.notifier import notify_range, signal_slots, write_notifier_notify_slots
from spec.params import Params
from spec.state import COPIED, FRG_SET, RESET, SLEEPING, CheckpointState, State, UserState, replace
from spec.user import copy_group, user_copy_to_log_buffer
from spec.writer import WritePlan, apply_write, plan_write, writer_write

P = Params.tiny()


def _model(prop: str, action: str, broken: Callable[..., State | None], p: Params = P) -> RedoModel:
    props = tuple(x for x in PROPERTIES if x.name == prop)
    assert props, prop
    return RedoModel(p, properties=props).with_action(action, broken)


def _assert_caught(model: RedoModel, prop: str, max_states: int = 400_000) -> list[str]:
    res = explore(model, max_states=max_states, check_liveness=False)
    assert res.verdict == "violation", res.verdict
    v = res.violation
    assert v is not None and v.property == prop
    labels = [Label.parse(t) for t in v.trace]
    states = model.replay(labels)
    (pr,) = model.properties()
    p = model.params
    if pr.kind == "state":
        assert not pr.predicate(p, states[-1])
        assert all(pr.predicate(p, s) for s in states[:-1])
    else:
        assert not pr.predicate(p, states[-2], labels[-1], states[-1])
    return list(v.trace)


def test_sys1_checkpoint_not_capped_at_flushed() -> None:
    """SYS-1 / CP-7: a checkpointer that forgets ``min(.., flushed_to_disk_lsn)`` publishes a
    checkpoint above flushed_to_disk_lsn."""

    def broken(p: Params, s: State) -> State | None:
        cp = s.checkpoint
        if cp.pending_lsn:
            return None
        lsn = s.recent_closed.tail if oldest_lsn(s) == 0 else min(s.recent_closed.tail,
                                                                    oldest_lsn(s))
        if lsn <= cp.checkpoint_lsn:
            return None
        return replace(s, checkpoint=CheckpointState(
            cp.checkpoint_lsn, cp.checkpoint_no, lsn, cp.blocks_written, cp.blocks_disk))

    trace = _assert_caught(_model("sys1_lsn_chain", "checkpointer_write_checkpoint", broken),
                           "sys1_lsn_chain")
    assert trace[-1] == "checkpointer_sync_checkpoint()"


def test_lnk5_writer_ignores_missing_links() -> None:
    """LNK-5: a writer that jumps buf_ready_for_write_lsn to the current lsn instead of
    stopping at the first missing link leaves a hole below it."""

    def broken(p: Params, s: State) -> State | None:
        cur = sn_to_lsn(p, s.sn)
        if s.recent_written.tail == cur:
            return None
        return replace(s, recent_written=attrs.evolve(s.recent_written, tail=cur))

    _assert_caught(_model("lnk5_no_holes", "writer_traverse_links", broken), "lnk5_no_holes")


@pytest.mark.parametrize("size", [16, 8192], ids=["scanned", "large-ring"])
def test_lnk3_closer_does_not_clear_slots(size: int) -> None:
    """LNK-3: a closer that moves the tail but does not clear the slots it passed leaves
    stale links behind (seeds' variant), in a small ring and in one above the 4096 slots the
    dense representation could scan (the sparse one checks every size exactly)."""

    def broken(p: Params, s: State) -> State | None:
        t = linkbuf.traverse(s.recent_closed, "seeds")
        if t is s.recent_closed:
            return None
        return replace(s, recent_closed=attrs.evolve(s.recent_closed, tail=t.tail))

    p = P.evolve(recent_closed_size=size, recent_written_size=size)
    _assert_caught(_model("lnk3_slots_cleared", "closer_traverse_links", broken, p),
                   "lnk3_slots_cleared")


def _checkpoint_at(s: State, lsn: int) -> State | None:
    cp = s.checkpoint
    if cp.pending_lsn or lsn <= cp.checkpoint_lsn:
        return None
    return replace(s, checkpoint=CheckpointState(
        cp.checkpoint_lsn, cp.checkpoint_no, lsn, cp.blocks_written, cp.blocks_disk))


def test_sys2_checkpoint_ignores_order_lag() -> None:
    """SYS-2 / CP-2 / CP-3: a checkpointer that takes the oldest flush-list tail itself instead
    of ``oldest - L`` passes a page added later with a smaller oldest_modification (the flush
    lists are ordered only up to the lag)."""

    def broken(p: Params, s: State) -> State | None:
        o = oldest_lsn(s)
        lwm = s.recent_closed.tail if o == 0 else min(o, s.recent_closed.tail)
        return _checkpoint_at(s, min(lwm, s.flushed_to_disk_lsn))

    trace = _assert_caught(
        _model("sys2_checkpoint_bound", "checkpointer_write_checkpoint", broken),
        "sys2_checkpoint_bound")
    assert trace[-1] == "checkpointer_write_checkpoint()"


def test_cp4_checkpoint_ignores_dirty_pages() -> None:
    """CP-4: a checkpointer that checkpoints at flushed_to_disk_lsn, ignoring the dirty pages
    and the dirty-pages-added lsn, writes a checkpoint above available_for_checkpoint_lsn."""

    def broken(p: Params, s: State) -> State | None:
        return _checkpoint_at(s, s.flushed_to_disk_lsn)

    _assert_caught(_model("cp4_checkpoint_monotone", "checkpointer_write_checkpoint", broken),
                   "cp4_checkpoint_monotone")


def test_wr6_writer_without_padding() -> None:
    """WR-6: a writer that writes the incomplete block through the write-ahead buffer but does
    not pad to the end of the region makes the OS read the rest of the page first."""

    def broken(p: Params, s: State) -> State | None:
        plan = plan_write(p, s)
        if isinstance(plan, str):
            return None
        return apply_write(p, s, plan._replace(write_size=plan.write_size - plan.padding,
                                               padding=0))

    _assert_caught(_model("wr6_write_ahead", "writer_write", broken), "wr6_write_ahead")


def test_fmt_writer_hdr_no_without_plus_one() -> None:
    """FMT-3: a writer that numbers blocks ``lsn / block_size % wrap`` (forgetting MySQL's
    ``+ 1``) writes blocks whose hdr_no matches no position (and a block numbered 0 would look
    empty to recovery)."""

    def broken(p: Params, s: State) -> State | None:
        t = writer_write(p, s)
        if t is None:
            return None
        files = tuple(
            tuple(
                b if b is None or b is s.files[f][i] or b.hdr_no == 0
                else make_block(p, b.hdr_no - 1, b.flush_bit, b.data_len, b.first_rec_group,
                                b.checkpoint_no, b.data)
                for i, b in enumerate(blocks)
            )
            for f, blocks in enumerate(t.files)
        )
        return replace(t, files=files)

    _assert_caught(_model("fmt_blocks_well_formed", "writer_write", broken),
                   "fmt_blocks_well_formed")


def test_rc4_flusher_publishes_without_fsync() -> None:
    """RC-4 / FL-1: a flusher that publishes flushed_to_disk_lsn without making the files
    durable loses durable groups in a crash."""

    def broken(p: Params, s: State, up_to: int) -> State | None:
        t = flusher_fsync(p, s, up_to)
        return None if t is None else replace(t, disk=s.disk)

    _assert_caught(_model("rc4_recovery_exact", "flusher_fsync", broken), "rc4_recovery_exact")


def test_rc4_first_rec_group_not_set() -> None:
    """RC-3 / RC-4 / USR-2: a user that skips setting first_rec_group leaves a block whose
    groups recovery cannot find when the checkpoint points into it."""

    def broken(p: Params, s: State, thread: int) -> State | None:
        u = s.users[thread]
        if u.pc != COPIED:
            return None
        nu = UserState(FRG_SET, u.start_sn, u.size, u.page, u.wait, False)
        return replace(s, users=(*s.users[:thread], nu, *s.users[thread + 1:]))

    # a group must start after the one that crosses a block: 16 sn; no waits keeps it small
    p = P.evolve(max_sn=16, wait_kinds=("none",))
    _assert_caught(_model("rc4_recovery_exact", "user_set_first_rec_group", broken, p),
                   "rc4_recovery_exact")


def test_nt4_notifier_range_off_by_one() -> None:
    """NT-2 / NT-4: a write notifier that starts one block after its position misses the users
    waiting in the block of the previous write_lsn."""
    p = P.evolve(wait_kinds=("write",))

    def broken(p: Params, s: State) -> State | None:
        nt = s.notifiers
        if not nt.write_notifier_event:
            return None
        w = s.writer.write_lsn
        if w < nt.write_notifier_lsn:
            return replace(s, notifiers=type(nt)(nt.write_notifier_lsn, False,
                                                 nt.flush_notifier_lsn, nt.flush_notifier_event))
        slots = notify_range(p, nt.write_notifier_lsn + p.block_size, w, p.write_events)
        return replace(s, users=signal_slots(p, s.users, "write", slots),
                       notifiers=type(nt)(w + 1, False, nt.flush_notifier_lsn,
                                          nt.flush_notifier_event))

    assert write_notifier_notify_slots is not broken
    _assert_caught(_model("nt4_no_lost_wakeup", "write_notifier_notify_slots", broken, p),
                   "nt4_no_lost_wakeup")


def test_nt4_reset_after_check() -> None:
    """USR-7 / NT-4: a user that checks the condition first and resets its event after (the
    wrong order) forgets a set that came between its check and its reset, and sleeps forever
    on a satisfied condition. Two actions are swapped: the "reset" step checks, the "check"
    step resets and sleeps."""

    def check_first(p: Params, s: State, thread: int) -> State | None:
        u = s.users[thread]
        if u.pc != "closed":
            return None
        if s.flushed_to_disk_lsn >= sn_to_lsn(p, u.start_sn + u.size):
            nu = UserState()
        else:
            nu = UserState(RESET, u.start_sn, u.size, u.page, u.wait, u.signalled)
        return replace(s, users=(*s.users[:thread], nu, *s.users[thread + 1:]))

    def reset_then_sleep(p: Params, s: State, thread: int) -> State | None:
        u = s.users[thread]
        if u.pc != RESET:
            return None
        nu = UserState(SLEEPING, u.start_sn, u.size, u.page, u.wait, False)
        return replace(s, users=(*s.users[:thread], nu, *s.users[thread + 1:]))

    model = _model("nt4_no_lost_wakeup", "user_wait_reset_event", check_first)
    model = model.with_action("user_wait_check", reset_then_sleep)
    _assert_caught(model, "nt4_no_lost_wakeup")


def test_sys4_copy_ignores_buffer_space() -> None:
    """SYS-4: a user that copies without waiting for space in the log buffer overwrites bytes
    the writer has not written yet."""
    p = P.evolve(log_buffer_size=2 * P.block_size, max_sn=24, wait_kinds=("none",))

    def broken(p: Params, s: State, thread: int) -> State | None:
        u = s.users[thread]
        if u.pc != "reserved":
            return None
        from spec.blocks import group_bytes

        buf, _ = copy_group(p, s.buffer, sn_to_lsn(p, u.start_sn), group_bytes(u.size, u.page))
        nu = UserState(COPIED, u.start_sn, u.size, u.page, u.wait, False)
        return replace(s, buffer=buf, users=(*s.users[:thread], nu, *s.users[thread + 1:]))

    assert user_copy_to_log_buffer is not broken
    _assert_caught(_model("sys4_capacity", "user_copy_to_log_buffer", broken, p),
                   "sys4_capacity")


# --- restart and durable data -----------------

PC = P.evolve(explore_crashes=True, max_sn=8)
"""tiny with crash and recovery as actions, two groups: small enough for many teeth."""


def test_cp6_page_cleaner_without_wal_guard() -> None:
    """CP-6: a page cleaner that drops its WAL guard (``flushed_to_disk_lsn >= newest``)
    writes a page the durable log does not yet cover. The broken action is the one the
    explorer app loads as ``tiny:page-cleaner-without-wal-guard`` (one copy of the bug)."""
    from atlas.broken import BY_NAME
    from spec.page_cleaner import page_cleaner_flush_page

    broken = BY_NAME["page-cleaner-without-wal-guard"].apply
    assert page_cleaner_flush_page is not broken
    trace = _assert_caught(_model("cp6_wal_rule", "page_cleaner_flush_page", broken),
                           "cp6_wal_rule")
    assert trace[-1].startswith("page_cleaner_flush_page")
    assert not any(t.startswith("flusher_fsync") for t in trace)


def test_rc4_crash_loses_synced_log() -> None:
    """RC-4 on a crashed state: a crash that throws away the last synced block (a disk that
    acknowledges fsync and loses the data) leaves an image whose recovery misses a durable
    commit. Before restarts were modelled, a crashed state passed RC-4 unchecked."""
    from spec.crash import crash
    from spec.lsn import file_block_index

    def broken(p: Params, s: State, image: int) -> State | None:
        t = crash(p, s, image)
        if t is None or s.flushed_to_disk_lsn <= sn_to_lsn(p, p.start_sn):
            return t
        f, i = file_block_index(p, s.flushed_to_disk_lsn - 1)
        disk = tuple(tuple(None if (g, j) == (f, i) else b for j, b in enumerate(blocks))
                     for g, blocks in enumerate(t.disk))
        return replace(t, disk=disk, files=disk)

    trace = _assert_caught(_model("rc4_recovery_exact", "crash", broken, PC),
                           "rc4_recovery_exact")
    assert trace[-1].startswith("crash(") and any(t.startswith("flusher_fsync") for t in trace)


def test_rc_restart_resumes_at_the_checkpoint() -> None:
    """RC-4 across a restart: a recovery that restarts the log at the checkpoint lsn instead
    of the end of the last recovered group (the recovered groups parsed but the recovered lsn
    not advanced) drops durable commits; the next generation would overwrite them. The broken
    action is the explorer app's ``tiny:restart-at-the-checkpoint``."""
    from atlas.broken import BY_NAME

    broken = BY_NAME["restart-at-the-checkpoint"].apply
    trace = _assert_caught(_model("rc_restart_exact", "recover", broken, PC), "rc_restart_exact")
    assert trace[-2:] == ["crash(image=0)", "recover()"]


def test_rc_restart_one_block_too_early() -> None:
    """facts §8.4: a restart that resumes one block before the recovered lsn (an off-by-one
    in moving the lsn off a block boundary) is not where recovery ended."""
    from spec.crash import recover
    from spec.lsn import lsn_to_sn

    def broken(p: Params, s: State) -> State | None:
        t = recover(p, s)
        if t is None:
            return None
        r = sn_to_lsn(p, t.sn)
        if r - p.block_size < p.start_lsn:
            return t
        early = r - p.block_size
        return replace(t, sn=lsn_to_sn(p, early), writer=attrs.evolve(t.writer, write_lsn=early),
                       flushed_to_disk_lsn=early,
                       recent_written=linkbuf.LinkBuf.empty(p.recent_written_size, early),
                       recent_closed=linkbuf.LinkBuf.empty(p.recent_closed_size, early))

    p = PC.evolve(max_sn=12, wait_kinds=("none",))  # a log that reaches its second block
    trace = _assert_caught(_model("rc_restart_exact", "recover", broken, p), "rc_restart_exact")
    assert trace[-1] == "recover()"


def test_lnk5_restart_without_the_last_block() -> None:
    """LNK-5 after a restart (facts §8.4): a restart that does not re-read the last partial
    block into the log buffer would later write zeros over the recovered bytes of that block
    (lost commits after a second crash); the buffer below buf_ready_for_write_lsn is wrong at
    once."""
    from spec.crash import recover

    def broken(p: Params, s: State) -> State | None:
        t = recover(p, s)
        if t is None:
            return None
        nbuf = p.log_buffer_size // p.block_size
        return replace(t, buffer=((0, bytes(p.data_size)),) * nbuf)

    trace = _assert_caught(_model("lnk5_no_holes", "recover", broken, PC), "lnk5_no_holes")
    assert trace[-1] == "recover()"


@pytest.mark.parametrize("prop", [x.name for x in PROPERTIES])
def test_every_property_has_teeth(prop: str) -> None:
    """Every property in spec.invariants has a teeth test in this module."""
    with open(__file__) as f:
        src = f.read()
    assert f'"{prop}"' in src.split("def test_every_property_has_teeth")[0]


def test_write_plan_is_a_named_tuple() -> None:
    """The teeth above rebuild a WritePlan with ``_replace``; keep it a NamedTuple (WR-6)."""
    assert WritePlan._fields[-1] == "padding"
    assert checkpointer_write_checkpoint.__doc__ and "CP-7" in checkpointer_write_checkpoint.__doc__

