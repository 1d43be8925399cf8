"""The log checkpointer thread (CP-2..CP-5, CP-7, FMT-10; reference/mysql-redo-facts.md §7).

available_for_checkpoint_lsn (facts §7.1, in this order):

1. ``dpa`` = buf_dirty_pages_added_up_to_lsn (8.0 closer) / smallest_not_added_lsn (9.0; the
   checkpointer advances the tracker itself);
2. ``lwm`` from the buffer pool: the smallest oldest_modification among the *earliest-added*
   page of each flush list (0 if none is dirty); if nonzero it becomes
   ``max(checkpoint_lsn, lwm - L)`` (or ``checkpoint_lsn`` if ``lwm <= L``), because flush lists
   are ordered only up to the lag L (CP-3);
3. ``lwm = dpa`` if no page is dirty, else ``min(lwm, dpa)`` (CP-2);
4. capped at flushed_to_disk_lsn (CP-7, CP-4: a checkpoint never passes the durable log);
5. an lsn on a block boundary moves back to the previous block's first data byte
   (``lsn - 512 + 12``, CP-7), so the checkpoint is always a data lsn;
6. never below the last checkpoint; available_for_checkpoint_lsn only grows.

A checkpoint takes two steps (docs/spec-model.md decision 9, FMT-10):
:meth:`Checkpointer.write_checkpoint` first makes the pages the page cleaner wrote durable
(fsync of the data file: a checkpoint must not pass a page write that a crash could undo), then
writes the alternate checkpoint block (no even -> block 1, odd -> block 2) of ib_logfile0;
:meth:`Checkpointer.sync_checkpoint` fsyncs it, and only then publishes ``checkpoint_lsn`` and
increments ``next_checkpoint_no`` - so the writer's capacity limit (WR-9) only ever uses a
durable checkpoint, and a crash between the two steps leaves the other block valid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from impl.format import BLOCK_SIZE, HDR_SIZE

if TYPE_CHECKING:
    from impl.redolog import RedoLog


class Checkpointer:
    """Computes available_for_checkpoint_lsn and writes checkpoints (CP-2..CP-5, CP-7)."""

    actor = "checkpointer"

    def __init__(self, log: RedoLog) -> None:
        self.log = log
        self.pending: tuple[int, int] | None = None  # (checkpoint_no, lsn) written, not synced
        self.checkpoints = 0
        self.fsyncs = 0

    def compute_available(self) -> int:
        """Facts §7.1 steps 1-6 (CP-2, CP-7); pure apart from reading the shared values."""
        log = self.log
        order_lag = log.config.recent_closed_size
        last_cp = log.checkpoint_lsn
        dpa = log.dirty_pages_added_up_to_lsn
        approx = log.bufpool.oldest_modification_lwm()
        if approx == 0:
            lwm = 0
        elif approx > order_lag:
            lwm = max(last_cp, approx - order_lag)
        else:
            lwm = last_cp
        lwm = dpa if lwm == 0 else min(lwm, dpa)
        lsn = min(lwm, log.flushed_to_disk_lsn)
        if lsn % BLOCK_SIZE == 0:
            lsn = lsn - BLOCK_SIZE + HDR_SIZE
        return max(lsn, last_cp)

    def ask_smallest_not_added(self) -> bool:
        """9.0 (CP-1): ``buf_flush_list_added->smallest_not_added_lsn()``, which advances the
        tracker's tail over every reported range with no unreported one below it; True if it
        moved. 8.0: nothing to ask (the closer thread advances recent_closed)."""
        log = self.log
        tracker = log.tracker
        if tracker is None:
            return False
        with log.traced(self.actor, "checkpointer_ask_smallest_not_added") as ev:
            old, new = tracker.smallest_not_added_lsn()
            if new == old:
                ev["_skip"] = True
                return False
            ev["smallest_not_added_lsn"] = (old, new)
        return True

    def update_available(self) -> bool:
        """Raise available_for_checkpoint_lsn to the computed value; True if it moved. In 9.0
        it first asks the tracker (:meth:`ask_smallest_not_added`), as MySQL's
        ``update_available_for_checkpoint_lsn`` does."""
        log = self.log
        self.ask_smallest_not_added()
        with log.traced(self.actor, "checkpointer_update_available") as ev:
            new = self.compute_available()
            old = log.available_for_checkpoint_lsn
            if new <= old:
                ev["_skip"] = True
                return False
            log.available_for_checkpoint_lsn = new
            ev.update(available_for_checkpoint_lsn=(old, new),
                      dirty_pages_added_up_to_lsn=log.dirty_pages_added_up_to_lsn,
                      flushed_to_disk_lsn=log.flushed_to_disk_lsn)
        return True

    def should_checkpoint(self) -> bool:
        """CP-5: a checkpoint is useful when it would move (the thread loop decides how often)."""
        log = self.log
        return self.pending is None and log.available_for_checkpoint_lsn > log.checkpoint_lsn

    def write_checkpoint(self) -> bool:
        """Step 1 of a checkpoint: data file fsync, then the alternate checkpoint block (FMT-10)."""
        log = self.log
        if not self.should_checkpoint():
            return False
        lsn = log.available_for_checkpoint_lsn
        assert log.checkpoint_lsn < lsn <= log.flushed_to_disk_lsn, "CP-4"
        try:
            log.bufpool.fsync_data_file()
        except OSError as exc:
            raise log.fail("fsync of the data file", exc) from exc
        log.sync_point("log_before_checkpoint_write")
        with log.traced(self.actor, "checkpointer_write_checkpoint") as ev:
            number = log.next_checkpoint_no
            try:
                log.files.write_checkpoint(number, lsn, log.buffer.size)
            except OSError as exc:   # as for the fsyncs: fail the log, do not kill the thread
                raise log.fail("write of the checkpoint block", exc) from exc
            self.pending = (number, lsn)
            ev.update(checkpoint_no=number, checkpoint_lsn_written=lsn,
                      available_for_checkpoint_lsn=lsn, flushed_to_disk_lsn=log.flushed_to_disk_lsn)
        return True

    def sync_checkpoint(self) -> bool:
        """Step 2: fsync ib_logfile0, then publish checkpoint_lsn (CP-4: never backwards)."""
        log = self.log
        if self.pending is None:
            return False
        number, lsn = self.pending
        try:
            log.files.fsync_checkpoint()
        except OSError as exc:
            raise log.fail("fsync of the checkpoint", exc) from exc
        self.fsyncs += 1
        log.sync_point("log_before_checkpoint_lsn_update")
        with log.traced(self.actor, "checkpointer_sync_checkpoint") as ev:
            old = log.checkpoint_lsn
            log.checkpoint_lsn = max(old, lsn)
            log.next_checkpoint_no = number + 1
            self.pending = None
            ev.update(checkpoint_lsn=(old, log.checkpoint_lsn),
                      next_checkpoint_no=(number, number + 1))
        self.checkpoints += 1
        log.writer_event.set()  # the writer may be waiting for log capacity (WR-9)
        log.free_check_event.set()
        return True

    def step(self) -> bool:
        """One pass: update available_for_checkpoint_lsn, then write and sync a checkpoint."""
        moved = self.update_available()
        wrote = self.write_checkpoint()
        synced = self.sync_checkpoint()
        return moved or wrote or synced
