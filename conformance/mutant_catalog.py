"""The seeded bugs: realistic wrong variants of ``impl/``, each a small named change.

Each mutant replaces one snippet of one function of the implementation (``source_patch``: the
source with ``old`` replaced by ``new`` exactly once, compiled in the function's own module), so
the bug is visible in the catalog as a one-line diff. The ``expect`` field documents the check
we expect to catch it; ``redospec mutants`` measures which one really does.

If the implementation changes so that a snippet no longer occurs exactly once, applying the
mutant raises :class:`~conformance.mutants.MutantError` naming it: the catalog must follow.
"""

from __future__ import annotations

from collections.abc import Callable

import impl.bufpool
import impl.checkpointer
import impl.closer
import impl.events
import impl.flusher
import impl.format
import impl.linkbuf
import impl.logbuffer
import impl.notifier
import impl.redolog
import impl.writer
from conformance.mutants import Mutant, Patcher, source_patch

Writer = impl.writer.Writer
_W = "_write"


def _one(owner: object, attr: str, old: str, new: str) -> Callable[[Patcher], None]:
    def apply(patcher: Patcher) -> None:
        source_patch(patcher, owner, attr, old, new)

    return apply


def _seal_wrong_range(patcher: Patcher) -> None:
    source_patch(patcher, impl.format, "seal_block",
                 "crc32c(block[:TRAILER_OFFSET])", "crc32c(block[4:TRAILER_OFFSET])")
    # the writer imported the function by name: patch its reference too
    patcher.setattr(impl.writer, "seal_block", impl.format.seal_block)


def _page_cleaner_ignores_wal(patcher: Patcher) -> None:
    source_patch(patcher, impl.bufpool.PageCleaner, "pick",
                 "if page.newest_modification <= flushed:", "if True:")
    source_patch(patcher, impl.bufpool.PageCleaner, "step",
                 "if newest > flushed or oldest == 0:", "if oldest == 0:")


MUTANTS: tuple[Mutant, ...] = (
    Mutant(
        "writer_ignores_missing_link", ("WR-1", "LNK-2", "LNK-5"),
        "the writer writes up to the current lsn instead of buf_ready_for_write_lsn, i.e. it "
        "does not stop at a missing recent-written link (a hole still being copied)",
        _one(Writer, _W, "ready = log.recent_written.tail",
             "ready = max(log.recent_written.tail, log.current_lsn)"),
        "stepped: abstraction files / invariant lnk5_no_holes"),
    Mutant(
        "notifier_range_off_by_one", ("NT-2", "NT-4"),
        "the notifiers' slot range stops one block short (misses the block holding the new "
        "value)",
        _one(impl.notifier.Notifier, "slots_for",
             "n_blocks = (up_to - first_lsn) // BLOCK_SIZE + 1 if up_to >= first_lsn else 0",
             "n_blocks = (up_to - first_lsn) // BLOCK_SIZE if up_to >= first_lsn else 0"),
        "stepped: abstraction users[i].signalled / invariant nt4_no_lost_wakeup"),
    Mutant(
        "checkpoint_ignores_order_lag", ("CP-2", "CP-3", "SYS-2"),
        "available_for_checkpoint_lsn takes the oldest dirty page's lsn without subtracting "
        "the order lag L, although the flush lists are only ordered up to L",
        _one(impl.checkpointer.Checkpointer, "compute_available",
             "lwm = max(last_cp, approx - order_lag)", "lwm = max(last_cp, approx)"),
        "stepped: abstraction checkpoint / invariant sys2_checkpoint_bound"),
    Mutant(
        "checkpoint_published_before_fsync", ("FMT-10", "CP-4"),
        "the checkpointer publishes checkpoint_lsn without fsyncing the checkpoint block",
        _one(impl.checkpointer.Checkpointer, "sync_checkpoint",
             "log.files.fsync_checkpoint()", "pass"),
        "stepped: abstraction checkpoint.blocks_disk"),
    Mutant(
        "flusher_publishes_without_fsync", ("FL-1", "RC-4"),
        "the flusher publishes flushed_to_disk_lsn without fsyncing the log files",
        _one(impl.flusher.Flusher, "step", "log.fsync_log_files()", "pass"),
        "stepped: abstraction disk / invariant rc4_recovery_exact"),
    Mutant(
        "write_ahead_padding_missing", ("WR-6",),
        "an incomplete write that starts a write-ahead region is not padded to the region end",
        _one(Writer, _W, "padding = max(padding, 0)", "padding = 0"),
        "stepped: invariant wr6_write_ahead"),
    Mutant(
        "first_rec_group_not_reset", ("USR-1", "FMT-6", "RC-3"),
        "a copy crossing into the next block does not zero its first_rec_group, so a stale "
        "value from the previous lap of the ring is written",
        _one(impl.logbuffer.LogBuffer, "write",
             "set_first_rec_group(self.view[block : block + BLOCK_SIZE], 0)", "pass"),
        "stepped: abstraction buffer"),
    Mutant(
        "event_wait_without_signal_count", ("USR-7", "NT-4"),
        "a waiter only looks at whether the event is set now, not whether it was set since its "
        "own reset (the signal count): a set between the check and the wait is lost",
        _one(impl.events.Event, "signalled_since",
             "return self._is_set or self._signal_count != count", "return self._is_set"),
        "stepped: abstraction users[i].signalled / invariant nt4_no_lost_wakeup"),
    Mutant(
        "page_cleaner_ignores_wal", ("CP-6",),
        "the page cleaner writes a dirty page before the log up to its newest modification is "
        "flushed (the WAL rule)",
        _page_cleaner_ignores_wal,
        "stepped: spec rejects page_cleaner_flush_page"),
    Mutant(
        "writer_direct_notify_by_slot", ("WR-8", "NT-4"),
        "MySQL Bug #114660: the writer sets one slot directly when the old and new slots are "
        "equal, which is also true for an advance of a multiple of the slot count",
        _one(Writer, _W, "if old // BLOCK_SIZE == (new - 1) // BLOCK_SIZE:",
             "if log.write_events.slot(old + 1) == log.write_events.slot(new):"),
        "stepped: abstraction notifiers / users[i].signalled"),
    Mutant(
        "no_flush_bit", ("FMT-4", "WR-3"),
        "the first block of a multi-block write does not get the flush bit",
        _one(Writer, _W, "flush_bit=i == 0)", "flush_bit=False)"),
        "stepped: abstraction files[f][i].flush_bit"),
    Mutant(
        "wrong_checksum_range", ("FMT-8",),
        "the checksum skips the first header field (CRC-32C over bytes 4..507, not 0..507)",
        _seal_wrong_range,
        "stepped: invariant fmt_blocks_well_formed"),
    Mutant(
        "link_space_check_uses_end_lsn", ("LNK-4",),
        "the recent-written space check asks for the link's end instead of its start, so a "
        "user waits for space it does not need",
        _one(impl.redolog.RedoLog, "user_add_recent_written_link",
             "if not self.recent_written.has_space(handle.start_lsn):",
             "if not self.recent_written.has_space(handle.end_lsn):"),
        "stepped: abstraction recent_written"),
    Mutant(
        "closer_stops_after_one_link", ("CP-1", "LNK-2"),
        "the closer follows only the first recent-closed link per pass and forgets the rest",
        _one(impl.closer.Closer, "step", "old, new = log.recent_closed.traverse()",
             "old, new = log.recent_closed.traverse(limit=log.recent_closed.tail + 1)"),
        "stepped: abstraction recent_closed"),
    Mutant(
        "write_lsn_includes_padding", ("WR-7",),
        "write_lsn advances by the bytes written including the write-ahead padding",
        _one(Writer, _W, "new = block_start + lsn_advance",
             "new = block_start + lsn_advance + padding"),
        "stepped: abstraction writer.write_lsn / invariant sys1_lsn_chain"),
    Mutant(
        "incomplete_block_marked_full", ("FMT-5", "WR-4"),
        "the last, incomplete block is written with data_len = 512",
        _one(Writer, _W, "data_len=incomplete,", "data_len=BLOCK_SIZE,"),
        "stepped: abstraction files / invariant fmt_blocks_well_formed"),
    Mutant(
        "checkpoint_no_not_incremented", ("FMT-10", "CP-4"),
        "after a checkpoint, next_checkpoint_no is not incremented: the same checkpoint block "
        "is overwritten every time, so a torn write leaves no valid checkpoint",
        _one(impl.checkpointer.Checkpointer, "sync_checkpoint",
             "log.next_checkpoint_no = number + 1", "log.next_checkpoint_no = number"),
        "stepped: abstraction checkpoint"),
    Mutant(
        "flusher_never_notifies_directly", ("FL-2",),
        "the flusher always wakes the flush notifier, even for an advance inside one block",
        _one(impl.flusher.Flusher, "step",
             "if last // BLOCK_SIZE == (up_to - 1) // BLOCK_SIZE:", "if False:"),
        "stepped: abstraction notifiers.flush_event"),
    Mutant(
        "write_ahead_end_not_reset_on_new_file", ("WR-6", "WR-9"),
        "moving to the next log file keeps the previous file's write_ahead_end",
        _one(Writer, _W, """        self._write_ahead_file_end = file_end
        self.write_ahead_end_offset = 0""", """        self._write_ahead_file_end = file_end"""),
        "wrap: abstraction writer.write_ahead_end / invariant wr6_write_ahead"),
    Mutant(
        "notifier_position_not_advanced_past_value", ("NT-1", "NT-2"),
        "the notifier remembers the value it notified, not value + 1, as its next position",
        _one(impl.notifier.Notifier, "step", "self.lsn = w + 1", "self.lsn = w"),
        "stepped: abstraction notifiers"),
    Mutant(
        "traverser_does_not_clear_slots", ("LNK-3",),
        "the link traverser moves the tail without clearing the slots it passed, so a stale "
        "distance is read as a link one lap later",
        _one(impl.linkbuf.LinkBuf, "traverse", "slots[index] = 0", "pass"),
        "stepped: invariant lnk3_slots_cleared"),
    Mutant(
        "checkpoint_ignores_dirty_pages", ("CP-2", "CP-4", "SYS-2"),
        "available_for_checkpoint_lsn is the dirty-pages-added lsn even while older dirty "
        "pages are not yet flushed",
        _one(impl.checkpointer.Checkpointer, "compute_available",
             "lwm = dpa if lwm == 0 else min(lwm, dpa)", "lwm = dpa"),
        "stepped: invariant cp4_checkpoint_monotone / sys2_checkpoint_bound"),
    # --- guards ---
    Mutant(
        "reserve_margin_without_write_ahead", ("CP-5", "WR-9", "SYS-4"),
        "log_free_check's margin forgets the write-ahead region and the block: a group may end "
        "right at the capacity limit, so the writer must wait for a checkpoint with users "
        "waiting on it (visible only when the log fills)",
        _one(impl.redolog.RedoLog, "reserve_fits",
             "+ self.config.write_ahead_size + BLOCK_SIZE <= limit", "<= limit"),
        "matrix-ci (s80-u4-full) / wrap: impl takes a forbidden step: user_reserve"),
    Mutant(
        "checkpoint_written_while_pending", ("CP-4", "FMT-10"),
        "the checkpointer writes the next checkpoint block while the previous one is still "
        "pending (not synced): a too-permissive guard the stepped schedule never offered",
        _one(impl.checkpointer.Checkpointer, "should_checkpoint",
             "return self.pending is None and log.available_for_checkpoint_lsn",
             "return log.available_for_checkpoint_lsn"),
        "matrix-ci / stepped: impl takes a forbidden step: checkpointer_write_checkpoint"),
    Mutant(
        "writer_direct_notification_slot_of_old_lsn", ("WR-8", "NT-3", "NT-4"),
        "the writer's direct notification sets the event slot of the old write_lsn instead of "
        "the new one: when write_lsn was at a block boundary that is the previous block's slot "
        "(visible only with 2 or more write event slots)",
        _one(Writer, _W, "log.write_events.event_for(new).set()",
             "log.write_events.event_for(old).set()"),
        "matrix-ci (s80-u3-s4): invariant nt4_no_lost_wakeup"),
)
