"""Broken variants of the spec, to show what each property catches ("load a
counterexample from a seeded bug or a teeth test and step through it").

Each :class:`Broken` (one per property) breaks ONE action the way a teeth test of
``tests/spec/test_teeth.py`` does (the same plausible bug, re-stated here because atlas
imports ``spec`` only, never the tests), names the property that catches it, and finds the
shortest counterexample with the spec's own explorer (:func:`engine.explore`,
breadth-first, checking only that property). ``redospec serve`` offers them as models
``tiny:<name>``; the docs site draws each counterexample step by step on its property's page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import attrs

from engine import explore
from spec import linkbuf
from spec.blocks import group_bytes, make_block
from spec.checkpointer import oldest_lsn
from spec.crash import recover, recover_image, restart
from spec.flusher import flusher_fsync
from spec.invariants import PROPERTIES
from spec.lsn import sn_to_lsn
from spec.model import RedoModel
from spec.notifier import notify_range, signal_slots
from spec.params import Params
from spec.state import (
    COPIED,
    RESERVED,
    CheckpointState,
    PagesState,
    State,
    UserState,
    replace,
)
from spec.user import copy_group
from spec.writer import apply_write, plan_write, writer_write


@attrs.frozen
class Broken:
    """One broken variant: ``action`` replaced by ``apply`` in ``params``; ``prop`` is the
    property that catches it; ``bug`` says what is wrong, ``teeth`` names the teeth test."""

    name: str
    prop: str
    action: str
    apply: Callable[..., State | None]
    bug: str
    teeth: str
    params: Params = attrs.field(factory=Params.tiny)

    def model(self, only_prop: bool = False) -> RedoModel:
        """The broken model (with every property, or only the one that catches it)."""
        props = tuple(x for x in PROPERTIES if x.name == self.prop) if only_prop else None
        return RedoModel(self.params, properties=props).with_action(self.action, self.apply)


def _checkpoint_at(s: State, lsn: int) -> State | None:
    cp = s.checkpoint
    if cp.pending_lsn or lsn <= cp.checkpoint_lsn:
        return None
    return replace(s, checkpoint=CheckpointState(
        cp.checkpoint_lsn, cp.checkpoint_no, lsn, cp.blocks_written, cp.blocks_disk))


def _checkpoint_not_capped(p: Params, s: State) -> State | None:
    o = oldest_lsn(s)
    return _checkpoint_at(s, s.recent_closed.tail if o == 0 else min(s.recent_closed.tail, o))


def _writer_ignores_missing_links(p: Params, s: State) -> State | None:
    cur = sn_to_lsn(p, s.sn)
    if s.recent_written.tail == cur:
        return None
    return replace(s, recent_written=attrs.evolve(s.recent_written, tail=cur))


def _checkpoint_ignores_order_lag(p: Params, s: State) -> State | None:
    o = oldest_lsn(s)
    lwm = s.recent_closed.tail if o == 0 else min(o, s.recent_closed.tail)
    return _checkpoint_at(s, min(lwm, s.flushed_to_disk_lsn))


def _checkpoint_ignores_dirty_pages(p: Params, s: State) -> State | None:
    return _checkpoint_at(s, s.flushed_to_disk_lsn)


def _writer_without_padding(p: Params, s: State) -> State | None:
    plan = plan_write(p, s)
    if isinstance(plan, str):
        return None
    return apply_write(p, s, plan._replace(write_size=plan.write_size - plan.padding, padding=0))


def _flusher_without_fsync(p: Params, s: State, up_to: int) -> State | None:
    t = flusher_fsync(p, s, up_to)
    return None if t is None else replace(t, disk=s.disk)


def _notifier_off_by_one(p: Params, s: State) -> State | None:
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


def _closer_keeps_slots(p: Params, s: State) -> State | None:
    t = linkbuf.traverse(s.recent_closed, "seeds")
    if t is s.recent_closed:
        return None
    return replace(s, recent_closed=attrs.evolve(s.recent_closed, tail=t.tail))


def _hdr_no_without_plus_one(p: Params, s: State) -> State | None:
    t = writer_write(p, s)
    if t is None:
        return None
    files = tuple(
        tuple(b if b is None or b is s.files[f][i] or b.hdr_no == 0
              else make_block(p, b.hdr_no - 1, b.flush_bit, b.data_len, b.first_rec_group,
                              b.checkpoint_no, b.data)
              for i, b in enumerate(blocks))
        for f, blocks in enumerate(t.files))
    return replace(t, files=files)


def _copy_ignores_buffer_space(p: Params, s: State, thread: int) -> State | None:
    u = s.users[thread]
    if u.pc != RESERVED:
        return None
    buf, _ = copy_group(p, s.buffer, sn_to_lsn(p, u.start_sn), group_bytes(u.size, u.page))
    nu = UserState(COPIED, u.start_sn, u.size, u.page, u.wait, False)
    return replace(s, buffer=buf, users=(*s.users[:thread], nu, *s.users[thread + 1:]))


def _page_cleaner_without_wal_guard(p: Params, s: State, list: int) -> State | None:
    pg = s.pages
    if not 0 <= list < len(pg.flush_lists) or not pg.flush_lists[list]:
        return None
    lst = pg.flush_lists[list]
    page, _ = lst[-1]
    newest = pg.newest[page]
    lists = (*pg.flush_lists[:list], lst[:-1], *pg.flush_lists[list + 1:])
    return replace(s, pages=PagesState(
        lists, (*pg.newest[:page], 0, *pg.newest[page + 1:]),
        (*pg.on_disk[:page], newest, *pg.on_disk[page + 1:])))


def _restart_at_the_checkpoint(p: Params, s: State) -> State | None:
    if recover(p, s) is None:
        return None
    rep = recover_image(p, (s.disk, s.checkpoint.blocks_disk))
    return restart(p, s, attrs.evolve(rep, groups=()))


CRASHES = Params.tiny().evolve(explore_crashes=True, max_sn=8)
"""tiny with crash and recovery as actions, two groups (the restart variants' model)."""


BROKEN: tuple[Broken, ...] = (
    Broken("checkpoint-not-capped", "sys1_lsn_chain", "checkpointer_write_checkpoint",
           _checkpoint_not_capped,
           "SYS-1 / CP-7: the checkpointer forgets min(.., flushed_to_disk_lsn) and publishes a "
           "checkpoint above flushed_to_disk_lsn", "test_sys1_checkpoint_not_capped_at_flushed"),
    Broken("writer-ignores-missing-links", "lnk5_no_holes", "writer_traverse_links",
           _writer_ignores_missing_links,
           "LNK-5: the writer jumps buf_ready_for_write_lsn to the current lsn instead of "
           "stopping at the first missing link", "test_lnk5_writer_ignores_missing_links"),
    Broken("checkpoint-ignores-order-lag", "sys2_checkpoint_bound",
           "checkpointer_write_checkpoint", _checkpoint_ignores_order_lag,
           "SYS-2 / CP-2 / CP-3: the checkpointer takes the oldest flush-list tail itself "
           "instead of oldest - L", "test_sys2_checkpoint_ignores_order_lag"),
    Broken("checkpoint-ignores-dirty-pages", "cp4_checkpoint_monotone",
           "checkpointer_write_checkpoint", _checkpoint_ignores_dirty_pages,
           "CP-4: the checkpointer checkpoints at flushed_to_disk_lsn, ignoring the dirty pages",
           "test_cp4_checkpoint_ignores_dirty_pages"),
    Broken("writer-without-padding", "wr6_write_ahead", "writer_write", _writer_without_padding,
           "WR-6: the writer does not pad the incomplete block to the end of the write-ahead "
           "region", "test_wr6_writer_without_padding"),
    Broken("flusher-without-fsync", "rc4_recovery_exact", "flusher_fsync",
           _flusher_without_fsync,
           "RC-4 / FL-1: the flusher publishes flushed_to_disk_lsn without making the files "
           "durable", "test_rc4_flusher_publishes_without_fsync"),
    Broken("notifier-off-by-one", "nt4_no_lost_wakeup", "write_notifier_notify_slots",
           _notifier_off_by_one,
           "NT-2 / NT-4: the write notifier starts one block after its position and misses the "
           "users waiting in the block of the previous write_lsn",
           "test_nt4_notifier_range_off_by_one",
           Params.tiny().evolve(wait_kinds=("write",))),
)
BROKEN += (
    Broken("closer-keeps-slots", "lnk3_slots_cleared", "closer_traverse_links",
           _closer_keeps_slots,
           "LNK-3: the closer moves the tail but does not clear the slots it passed",
           "test_lnk3_closer_does_not_clear_slots"),
    Broken("hdr-no-without-plus-one", "fmt_blocks_well_formed", "writer_write",
           _hdr_no_without_plus_one,
           "FMT-3: the writer numbers blocks lsn / block_size % wrap, forgetting MySQL's + 1",
           "test_fmt_writer_hdr_no_without_plus_one"),
    Broken("copy-ignores-buffer-space", "sys4_capacity", "user_copy_to_log_buffer",
           _copy_ignores_buffer_space,
           "SYS-4: a user copies without waiting for space in the log buffer and overwrites "
           "bytes the writer has not written yet", "test_sys4_copy_ignores_buffer_space",
           Params.tiny().evolve(log_buffer_size=32, max_sn=24, wait_kinds=("none",))),
    Broken("page-cleaner-without-wal-guard", "cp6_wal_rule", "page_cleaner_flush_page",
           _page_cleaner_without_wal_guard,
           "CP-6: the page cleaner writes a page before flushed_to_disk_lsn covers its newest "
           "change (the write-ahead-logging guard dropped)",
           "test_cp6_page_cleaner_without_wal_guard"),
    Broken("restart-at-the-checkpoint", "rc_restart_exact", "recover",
           _restart_at_the_checkpoint,
           "RC-4 across a restart: recovery restarts the log at the checkpoint lsn instead of "
           "the end of the last recovered group, so the next generation overwrites durable "
           "commits", "test_rc_restart_resumes_at_the_checkpoint", CRASHES),
)
BY_NAME: dict[str, Broken] = {b.name: b for b in BROKEN}


@functools.cache
def counterexample(name: str, max_states: int = 200_000) -> tuple[str, ...]:
    """The shortest trace (labels) of broken variant ``name`` that violates its property
    (breadth-first; cached per process). Raises LookupError if none is found within
    ``max_states``."""
    b = BY_NAME[name]
    res = explore(b.model(only_prop=True), max_states=max_states, check_liveness=False)
    v = res.violation
    if v is None or v.property != b.prop:
        raise LookupError(f"{name}: no violation of {b.prop} within {max_states} states")
    return tuple(v.trace)
