"""The log closer (8.0) and the flush-list-added tracker (9.0) (CP-1).

8.0 (seed 001): user threads add a link ``start_lsn -> end_lsn`` to the recent-closed buffer
after adding their dirty pages to the flush lists (USR-4); the log closer thread traverses those
links and advances ``buf_dirty_pages_added_up_to_lsn`` = the tail (LNK-2, LNK-3).

9.0 (seed 002): no closer thread; users ``report_added(start, end)`` to the flush-list-added
tracker, whose ``smallest_not_added_lsn()`` advances the same kind of ring on demand (the
checkpointer calls it). Both are a :class:`impl.linkbuf.LinkBuf` of capacity L (the order lag).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from impl.redolog import RedoLog


class Closer:
    """8.0's log closer: ``step`` traverses recent-closed links (CP-1)."""

    actor = "closer"
    action = "closer_traverse_links"
    field = "dirty_pages_added_up_to_lsn"

    def __init__(self, log: RedoLog) -> None:
        self.log = log
        self.advances = 0

    def step(self) -> bool:
        log = self.log
        with log.traced(self.actor, self.action) as ev:
            old, new = log.recent_closed.traverse()
            if new == old:
                ev["_skip"] = True
                return False
            ev[self.field] = (old, new)
        self.advances += 1
        return True


class Tracker(Closer):
    """9.0's flush-list-added tracker: ``step`` = ``smallest_not_added_lsn()`` (CP-1)."""

    actor = "tracker"
    action = "tracker_advance_smallest_not_added"
    field = "smallest_not_added_lsn"

    def __init__(self, log: RedoLog) -> None:
        super().__init__(log)
        self.lock = threading.Lock()  # any thread may ask; one traverses at a time (LNK-2)

    def step(self) -> bool:
        with self.lock:
            return super().step()
