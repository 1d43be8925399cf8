"""The log flusher thread (FL-1..FL-3; reference/mysql-redo-facts.md §5).

One :meth:`Flusher.step` is ``log_flush_low``: read ``write_lsn``; if it is above
``flushed_to_disk_lsn``, fsync the log files written so far, then set ``flushed_to_disk_lsn`` to
the value read *before* the fsync (never more: FL-1), and notify: if the advance stays inside one
block, set that block's flush event directly (FL-2, comparing block numbers as the writer does),
else wake the flush notifier.

An fsync that fails marks the log failed (:class:`impl.errors.LogFailed`): flushed_to_disk_lsn
does not move, every waiter is woken and raises, and the log refuses further writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from impl.errors import LogFailed
from impl.format import BLOCK_SIZE

if TYPE_CHECKING:
    from impl.redolog import RedoLog


class Flusher:
    """fsync the log files and publish flushed_to_disk_lsn (FL-1..FL-3)."""

    actor = "flusher"

    def __init__(self, log: RedoLog) -> None:
        self.log = log
        self.fsyncs = 0
        self.direct_notifications = 0

    def step(self) -> bool:
        log = self.log
        if log.failed is not None:
            raise log.failed
        up_to = log.write_lsn  # read before the fsync: the fsync covers at least this much
        if log.flushed_to_disk_lsn >= up_to:
            return False
        log.sync_point("log_flush_before_fsync")
        try:
            log.fsync_log_files()
        except OSError as exc:
            raise log.fail("fsync of the log files", exc) from exc
        self.fsyncs += 1
        log.sync_point("log_flush_before_flushed_to_disk_lsn")
        with log.traced(self.actor, "flusher_fsync") as ev:
            last = log.flushed_to_disk_lsn
            log.flushed_to_disk_lsn = up_to  # FL-1: the linearization point
            ev.update(flushed_to_disk_lsn=(last, up_to), write_lsn=up_to)
            if last // BLOCK_SIZE == (up_to - 1) // BLOCK_SIZE:  # FL-2: one block
                log.flush_events.event_for(up_to).set()
                self.direct_notifications += 1
                ev["notify"] = "direct"
            else:
                log.flush_notifier_event.set()
                ev["notify"] = "notifier"
        if log.config.event_only and log.sync_flush_requested:
            log.page_cleaner_event.set()  # event_only: pages waiting for this flush (redolog)
        return True


__all__ = ["Flusher", "LogFailed"]
