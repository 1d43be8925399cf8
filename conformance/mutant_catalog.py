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
import impl.logfiles
import impl.notifier
import impl.recovery
import impl.redolog
import impl.threads
import impl.user_ops
import impl.writer
from conformance.mutants import Mutant, Patcher, source_patch

Writer = impl.writer.Writer
_NOTIFY = "_notify_about_advanced_write_lsn"


def _one(owner: object, attr: str, old: str, new: str) -> Callable[[Patcher], None]:
    def apply(patcher: Patcher) -> None:
        source_patch(patcher, owner, attr, old, new)

    return apply


def _header_number_not_wrapped(patcher: Patcher) -> None:
    source_patch(patcher, impl.format, "write_block_header",
                 "hdr_no = block_no(lsn) |", "hdr_no = (lsn // BLOCK_SIZE + 1) |")
    # the writer and the file creation imported the function by name: patch their references
    patcher.setattr(impl.writer, "write_block_header", impl.format.write_block_header)
    patcher.setattr(impl.logfiles, "write_block_header", impl.format.write_block_header)


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


_OPEN_RETURN = (
    "    return cls(store, config, files, datafile, start_lsn=point.start_lsn,\n"
    "               checkpoint_lsn=point.checkpoint_lsn,\n"
    "               next_checkpoint_no=point.next_checkpoint_no, last_block=point.last_block,\n"
    "               threads=threads, trace=trace)")
"""The end of ``RedoLog.open`` as :func:`~conformance.mutants.source_patch` sees it
(dedented once)."""


def _restart_write_ahead_aligned_up(patcher: Patcher) -> None:
    """MySQL Bug #93442 (fixed in 8.0.16): ``log_start`` set ``write_ahead_end_offset =
    ut_uint64_align_up(current_file_real_offset, srv_log_write_ahead_size)``, claiming the
    region around the restart point was written ahead; the first write after the restart
    then writes a partial region (read-on-write, WR-6)."""
    source_patch(patcher, impl.redolog.RedoLog, "open", _OPEN_RETURN, _OPEN_RETURN.replace(
        "    return cls(", "    log = cls(") + """
    _name, offset = files.position(point.start_lsn)
    wa = config.write_ahead_size
    log.writer.write_ahead_end_offset = -(-offset // wa) * wa
    log.writer._write_ahead_file_end = files.file_end_lsn(point.start_lsn)
    return log""")


MUTANTS: tuple[Mutant, ...] = (
    Mutant(
        "writer_ignores_missing_link", ("WR-1", "LNK-2", "LNK-5"),
        "the writer writes up to the current lsn instead of buf_ready_for_write_lsn, i.e. it "
        "does not stop at a missing recent-written link (a hole still being copied)",
        _one(Writer, "_write_buffer", "ready = log.recent_written.tail",
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
        _one(Writer, "_prepare_for_write_ahead", "padding = max(padding, 0)", "padding = 0"),
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
        _one(Writer, _NOTIFY, "if old // BLOCK_SIZE == (new - 1) // BLOCK_SIZE:",
             "if log.write_events.slot(old + 1) == log.write_events.slot(new):"),
        "stepped: abstraction notifiers / users[i].signalled"),
    Mutant(
        "no_flush_bit", ("FMT-4", "WR-3"),
        "the first block of a multi-block write does not get the flush bit",
        _one(Writer, "_prepare_full_blocks", "flush_bit=i == 0)", "flush_bit=False)"),
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
        _one(Writer, "_log_write_buffer", "new = block_start + lsn_advance",
             "new = block_start + lsn_advance + padding"),
        "stepped: abstraction writer.write_lsn / invariant sys1_lsn_chain"),
    Mutant(
        "incomplete_block_marked_full", ("FMT-5", "WR-4"),
        "the last, incomplete block is written with data_len = 512",
        _one(Writer, "_copy_to_write_ahead_buffer", "data_len=incomplete,", "data_len=BLOCK_SIZE,"),
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
        "stepped: abstraction notifiers.flush_notifier_event"),
    Mutant(
        "write_ahead_end_not_reset_on_new_file", ("WR-6", "WR-9"),
        "moving to the next log file keeps the previous file's write_ahead_end_offset",
        _one(Writer, "_current_file", """        self._write_ahead_file_end = file_end
        self.write_ahead_end_offset = 0""", """        self._write_ahead_file_end = file_end"""),
        "wrap: abstraction writer.write_ahead_end_offset / invariant wr6_write_ahead"),
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
    # --- v90 ---
    Mutant(
        "v90_checkpointer_reads_tail_without_asking", ("CP-1", "CP-2"),
        "9.0: the checkpointer reads the tracker's stored tail (8.0's "
        "log_buffer_dirty_pages_added_up_to_lsn() = tail()) instead of asking "
        "smallest_not_added_lsn(), so nobody takes in a range reported above a hole that was "
        "filled by a fast-path report, and the checkpoint stays below it",
        _one(impl.checkpointer.Checkpointer, "ask_smallest_not_added",
             "old, new = tracker.smallest_not_added_lsn()",
             "old = new = tracker.ring.tail"),
        "v90: abstraction recent_closed"),
    Mutant(
        "v90_user_does_not_wait_for_order_lag", ("CP-3", "LNK-4"),
        "9.0: wait_to_add lets a user in whatever its start_lsn (the has_space test is "
        "dropped), so flush lists lose their order lag and the tracker's ring can overflow",
        _one(impl.closer.Tracker, "wait_to_add",
             "if start < old + ring.capacity:", "if True:"),
        "v90: impl steps while spec disabled: user_wait_to_add"),
    Mutant(
        "v90_report_added_without_advance", ("CP-1", "LNK-6"),
        "9.0: report_added only stores the range (8.0's log_buffer_close, relying on a closer "
        "thread that 9.0 no longer has): the tail moves only when the checkpointer asks",
        _one(impl.closer.Tracker, "report_added",
             """        if ring.tail == start:
            ring.tail = end
        else:
            ring.add_link(start, end)
            ring.traverse(limit=start + 1)""",
             """        ring.add_link(start, end)"""),
        "v90: abstraction recent_closed"),
    Mutant(
        "v90_waiting_user_does_not_ask", ("CP-3",),
        "9.0: wait_to_add tests only the stored tail and never asks the tracker itself, so a "
        "user whose range lies an order lag above a filled hole waits for the checkpointer",
        _one(impl.closer.Tracker, "wait_to_add",
             "reach = ring.reach()", "reach = ring.tail"),
        "v90: abstraction users (the spec's user_wait_to_add asks and proceeds)"),
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
        _one(Writer, _NOTIFY, "log.write_events.event_for(new).set()",
             "log.write_events.event_for(old).set()"),
        "matrix-ci (s80-u3-s4): invariant nt4_no_lost_wakeup"),
    # --- restart ---
    Mutant(
        "restart_reuses_checkpoint_no", ("FMT-10", "RC-1"),
        "RedoLog.open resumes with next_checkpoint_no = the number of the checkpoint recovery "
        "used (not + 1): the first checkpoint after the restart overwrites the very block "
        "recovery relies on, so a crash while writing it leaves only an older checkpoint",
        _one(impl.recovery, "resume_point", "next_checkpoint_no=cp.checkpoint_no + 1,",
             "next_checkpoint_no=cp.checkpoint_no,"),
        "restart: abstraction checkpoint.checkpoint_no / rc_restart_exact"),
    Mutant(
        "restart_write_ahead_aligned_up", ("WR-6", "RC-4"),
        "MySQL Bug #93442: log_start sets write_ahead_end_offset to the restart offset "
        "aligned up to the write-ahead size instead of 0, so the first write after a restart "
        "writes a partial write-ahead region (read-on-write)",
        _restart_write_ahead_aligned_up,
        "restart: abstraction writer.write_ahead_end_offset / rc_restart_exact / wr6_write_ahead"),
    Mutant(
        "restart_first_rec_group_at_restart_lsn", ("FMT-6", "RC-3"),
        "log_start before log_fix_first_rec_group (mysql-redo-facts §8.4): the restart block's "
        "first_rec_group is set to the restart lsn's offset even when a recovered group starts "
        "earlier in that block, so a later recovery from a checkpoint in that block skips "
        "that group",
        _one(impl.recovery, "resume_point",
             "if header.hdr_no != block_no(block_lsn) or frg == 0 or frg > keep:", "if True:"),
        "restart: abstraction buffer first_rec_group / rc_restart_exact"),
    Mutant(
        "restart_last_block_not_reread", ("RC-4", "LNK-5"),
        "RedoLog.open does not copy the last partial block from the files into the log "
        "buffer: the writer later rewrites that block from an empty buffer block, erasing the "
        "recovered groups in it (lost commits after a second crash)",
        _one(impl.recovery, "resume_point", "last_block=bytes(block))", "last_block=None)"),
        "restart: abstraction buffer / invariant lnk5_no_holes"),
    Mutant(
        "restart_at_scan_stop_block", ("RC-4",),
        "RedoLog.open resumes at the start of the block where the recovery scan stopped "
        "(the scanned lsn) instead of the end of the last whole group: the whole groups in "
        "the last, incomplete block are overwritten by the next generation",
        _one(impl.recovery, "resume_point", "start = max(int(report.end_lsn), cp.lsn)",
             "start = max(int(report.stop_lsn), cp.lsn)"),
        "restart: abstraction sn / rc_restart_exact"),
    # --- crashwake ---
    Mutant(
        "recovery_accepts_bad_checksum", ("RC-2", "FMT-8"),
        "recovery does not stop at a block whose checksum is wrong (a torn or corrupted block "
        "of the crashed write) and applies what it holds",
        _one(impl.recovery, "scan", """        if not header.checksum_ok:
            return _Scan(parse_start, data, lsn, "bad checksum")
""", ""),
        "crashpoints: recovered pages / recovery raised CorruptLogBlock"),
    Mutant(
        "recovery_ignores_hdr_no", ("RC-2", "FMT-3"),
        "recovery does not compare a block's hdr_no with its position, so a well-formed block "
        "left from the previous lap of the circular files is read as the continuation of the "
        "log",
        _one(impl.recovery, "scan", "if header.hdr_no != block_no(lsn):", "if False:"),
        "crashpoints: recovered pages / recovery raised CorruptLogBlock"),
    Mutant(
        "flusher_publishes_before_fsync", ("FL-1", "RC-4"),
        "the flusher publishes flushed_to_disk_lsn before the fsync of the log files completes "
        "(the order of the two statements swapped): a crash in between loses acknowledged "
        "commits; invisible to checks that crash only between whole steps",
        _one(impl.flusher.Flusher, "step", """    log.sync_point("log_flush_before_fsync")
    try:
        log.fsync_log_files()
    except OSError as exc:
        raise log.fail("fsync of the log files", exc) from exc
    self.fsyncs += 1
    log.sync_point("log_flush_before_flushed_to_disk_lsn")
    with log.traced(self.actor, "flusher_fsync") as ev:
        last = log.flushed_to_disk_lsn
        log.flushed_to_disk_lsn = up_to  # FL-1: the linearization point
""", """    last = log.flushed_to_disk_lsn
    log.flushed_to_disk_lsn = up_to  # published first
    log.sync_point("log_flush_before_fsync")
    try:
        log.fsync_log_files()
    except OSError as exc:
        raise log.fail("fsync of the log files", exc) from exc
    self.fsyncs += 1
    log.sync_point("log_flush_before_flushed_to_disk_lsn")
    with log.traced(self.actor, "flusher_fsync") as ev:
"""),
        "crashpoints: acknowledged log not durable"),
    Mutant(
        "checkpoint_published_before_sync", ("FMT-10", "CP-4", "WR-9"),
        "the checkpointer publishes checkpoint_lsn (which the writer's capacity limit trusts) "
        "before the fsync of the checkpoint block, instead of after it",
        _one(impl.checkpointer.Checkpointer, "sync_checkpoint", """    try:
        log.files.fsync_checkpoint()""", """    log.checkpoint_lsn = max(log.checkpoint_lsn, lsn)
    try:
        log.files.fsync_checkpoint()"""),
        "crashpoints: published checkpoint not durable"),
    Mutant(
        "writer_forgets_flusher_event", ("WR-8", "FL-1", "SYS-3"),
        "after advancing write_lsn the writer does not set the flusher's event: the flusher "
        "finds the new data only by its timeout (lost wake-up)",
        _one(Writer, _NOTIFY, """    log.flusher_event.set()
    log.buffer_space_event.set()""", """    log.buffer_space_event.set()"""),
        "liveness: stuck"),
    Mutant(
        "actor_resets_event_after_check", ("USR-7", "NT-4", "SYS-3"),
        "a background thread checks for work, then resets its event and waits without checking "
        "again: a set between the check and the reset is lost (the os_event protocol is reset, "
        "check, wait)",
        _one(impl.threads, "actor_loop", "if stopping() or step():", "if stopping():"),
        "liveness: stuck"),
    Mutant(
        "checkpointer_not_woken_after_sync_flush", ("CP-5", "SYS-3", "SYS-4"),
        "after a sync flush (the log is full) the page cleaner does not wake the checkpointer: "
        "the checkpointer, woken by the request before the pages were clean, sleeps until its "
        "timer, and log_free_check hangs meanwhile (a hang when the checkpointer is slow)",
        _one(impl.threads, "page_cleaner_round",
             """            log.sync_flush_requested = False
        log.checkpointer_event.set()""",
             """            log.sync_flush_requested = False"""),
        "liveness: stuck"),
    Mutant(
        "recovery_pages_not_synced", ("RC-4", "CP-6"),
        "recovery writes the replayed pages to the data file but does not fsync it: the "
        "restarted log's first checkpoint (no page dirty, nothing for the page cleaner to "
        "sync) passes the replayed groups, and a second crash loses those pages for good",
        _one(impl.recovery, "recover", "        datafile.fsync()\n", "        pass\n"),
        "restart: durable pages"),
    # --- boundaries and timing (bug shapes from MySQL's redo-log history) ---
    Mutant(
        "frg_missed_when_group_ends_at_block_data_end", ("USR-2", "RC-3"),
        "a group that ends exactly at a block's data end (its end_lsn is the next block's "
        "first data byte) is taken as ending in its own block, because its end is computed as "
        "the lsn after its last byte: the next block keeps first_rec_group 0, and a recovery "
        "from a checkpoint in that block skips the group that starts there",
        _one(impl.redolog.RedoLog, "user_set_first_rec_group",
             "if handle.start_lsn // BLOCK_SIZE == handle.end_lsn // BLOCK_SIZE:",
             "if handle.start_lsn // BLOCK_SIZE == (sn_to_lsn(handle.end_sn - 1) + 1) // "
             "BLOCK_SIZE:"),
        "matrix-ci: abstraction users[i].pc / buffer first_rec_group (row s80-u2-edges)"),
    Mutant(
        "flusher_publishes_write_lsn_read_after_fsync", ("FL-1", "RC-4"),
        "the flusher publishes write_lsn as it is after the fsync instead of the value it read "
        "before (MySQL's log_flush_low reads flush_up_to_lsn first): a write that completed "
        "during the fsync is reported durable without having been synced",
        _one(impl.flusher.Flusher, "step", "    self.fsyncs += 1\n",
             "    self.fsyncs += 1\n    up_to = log.write_lsn\n"),
        "stepped: abstraction flushed_to_disk_lsn (the writer preempts the flusher)"),
    Mutant(
        "checkpoint_offset_without_first_file_header", ("FMT-10", "FMT-9"),
        "the lsn -> group offset mapping written into checkpoint blocks (LOG_CHECKPOINT_OFFSET) "
        "counts the headers of the files before the lsn's file but not that file's own: the "
        "implementation's own recovery agrees (it uses the same function), MySQL's would not",
        _one(impl.logfiles.LogFiles, "offset_of",
             "FILE_HDR_SIZE * (1 + size_offset // self.file_capacity)",
             "FILE_HDR_SIZE * (size_offset // self.file_capacity)"),
        "matrix-ci: abstraction checkpoint.blocks_written[0].valid (offset field vs the spec)"),
    Mutant(
        "free_check_margin_adds_sn_to_lsn", ("CP-5", "WR-9"),
        "log_free_check's margin takes the group's end as the current lsn plus its size in sn "
        "bytes, forgetting the headers and trailers of the blocks it crosses: a group may be "
        "let in up to 16 bytes per crossed block beyond the margin",
        _one(impl.redolog.RedoLog, "reserve_fits", "sn_to_lsn(self.sn + size)",
             "(sn_to_lsn(self.sn) + size)"),
        "matrix-ci: reservation boundary"),
    Mutant(
        "link_space_admits_tail_slot", ("LNK-4", "LNK-5"),
        "a link buffer lets a link start at tail + capacity (<= for <): its slot is the "
        "tail's, so a link of the next lap lands where the traverser is waiting for a hole "
        "to be filled, and the tail jumps over the hole",
        _one(impl.linkbuf.LinkBuf, "has_space", "position < self.tail + self.capacity",
             "position <= self.tail + self.capacity"),
        "matrix-ci: link space boundary"),
    Mutant(
        "v90_wait_to_add_admits_order_lag_boundary", ("CP-3",),
        "9.0's wait_to_add lets a user in at start = smallest_not_added_lsn + L (<= for <): "
        "its pages may then be more than the order lag ahead of a page not yet added, and the "
        "checkpoint's lwm - L bound no longer covers it",
        _one(impl.closer.Tracker, "wait_to_add", "if start < old + ring.capacity:",
             "if start <= old + ring.capacity:"),
        "matrix-ci: wait_to_add boundary"),
    Mutant(
        "flush_list_chosen_by_subtraction", ("CP-2", "USR-4"),
        "a newly dirty page goes to flush list page_no - n_lists instead of page_no % n_lists: "
        "with three pages and two lists both pick the same list for every page, with more "
        "pages a page lands on a list the page cleaner never looks for it in",
        _one(impl.bufpool.BufferPool, "add_dirty_pages",
             "flush_list = self.flush_lists[page.page_no % len(self.flush_lists)]",
             "flush_list = self.flush_lists[page.page_no - len(self.flush_lists)]"),
        "matrix-ci: impl raised IndexError (row s80-u2-edges, 5 pages)"),
    Mutant(
        "dirty_pages_refusal_reported_as_added", ("USR-4", "CP-3"),
        "when the order lag does not let a group's pages in yet, user_add_dirty_pages returns "
        "True without adding them: the user goes on and its change is on no flush list, so a "
        "checkpoint may pass it",
        _one(impl.redolog.RedoLog, "user_add_dirty_pages",
             '                ev["_skip"] = True\n                return False\n        else:',
             '                ev["_skip"] = True\n                return True\n        else:'),
        "matrix-ci: impl takes a forbidden step: user_add_dirty_pages (order lag 128)"),
    # --- lost wake-ups in a user's wait loop (the window between its failed try and its reset)
    Mutant(
        "copy_waits_without_recheck", ("SYS-4", "USR-7"),
        "a user that found no log buffer space resets buffer_space_event and waits without "
        "checking the space again: when the writer freed the space (and set the event) between "
        "the failed copy and the reset, that signal is gone and nobody sets the event again",
        _one(impl.user_ops.BlockingUserOps, "copy_steps",
             "if self.write_lsn - self.write_lsn % BLOCK_SIZE < target:", "if True:"),
        "liveness: stuck"),
    Mutant(
        "free_check_waits_without_recheck", ("CP-5", "USR-7"),
        "log_free_check resets free_check_event and waits without checking the checkpoint "
        "again: a checkpoint written between the check and the reset (its signal cleared by "
        "the reset) leaves the user waiting for a checkpoint that already happened",
        _one(impl.user_ops.BlockingUserOps, "free_check_steps",
             "        if self.current_lsn > self.checkpoint_lsn + capacity * 3 // 4:\n"
             "            yield Wait(",
             "        if True:\n            yield Wait("),
        "liveness: stuck"),
    Mutant(
        "wait_for_flush_without_recheck", ("USR-6", "USR-7"),
        "a committing user resets its slot event and waits without checking "
        "flushed_to_disk_lsn again: the flusher's notification that came between its last "
        "check and the reset is lost (the os_event reset/check/wait order of USR-7 broken)",
        _one(impl.user_ops.BlockingUserOps, "wait_steps",
             "        count = event.reset()\n        if condition():\n            return",
             "        count = event.reset()\n        if False:\n            return"),
        "liveness: stuck"),
    # --- large lsn values (a log created at a high lsn, rows ``*-lsn*`` of the matrix) ---
    Mutant(
        "block_header_number_not_wrapped", ("FMT-3",),
        "the writer stamps hdr_no = lsn / 512 + 1 without the wrap at 2^30 blocks: from lsn "
        "2^39 on every block carries a number above 2^30, and with the flush bit (bit 31) "
        "two laps of block numbers collide; invisible on a log that starts at lsn 8192",
        _header_number_not_wrapped,
        "matrix-ci: abstraction hdr_no (row s80-u2-lsn39)"),
    Mutant(
        "recovery_block_number_not_wrapped", ("FMT-3", "RC-2"),
        "recovery expects hdr_no = lsn / 512 + 1 without the wrap at 2^30 blocks: the first "
        "block past lsn 2^39 looks like a block of an older lap, so the scan stops there and "
        "every commit after the wrap is lost at the next crash",
        _one(impl.recovery, "scan", "if header.hdr_no != block_no(lsn):",
             "if header.hdr_no != lsn // BLOCK_SIZE + 1:"),
        "matrix-ci: recovery (row s80-u2-lsn39)"),
)
