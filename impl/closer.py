"""The log closer (8.0) and the flush-list-added tracker (9.0) (CP-1).

8.0 (seed 001): user threads add a link ``start_lsn -> end_lsn`` to the recent-closed buffer
after adding their dirty pages to the flush lists (USR-4); the log closer thread traverses those
links and advances ``buf_dirty_pages_added_up_to_lsn`` = the tail (LNK-2, LNK-3).

9.0 (seed 002; MySQL 9's ``Buf_flush_list_added_lsns``): no closer thread. Users
``wait_to_add(start)`` (asking the tracker themselves when the stored tail is not enough) and
``report_added(start, end)`` (add_link_advance_tail); ``smallest_not_added_lsn()`` advances the
ring on demand: the checkpointer asks it on every pass. Both are a :class:`impl.linkbuf.LinkBuf`
of capacity L (the order lag).
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


class Tracker:
    """9.0's flush-list-added tracker (``Buf_flush_list_added_lsns``, CP-1, CP-3): no thread of
    its own. Users :meth:`wait_to_add` before adding their dirty pages and :meth:`report_added`
    after; the checkpointer (and anyone else) asks :meth:`smallest_not_added_lsn`. The ring is
    the log's ``recent_closed`` :class:`impl.linkbuf.LinkBuf` of capacity L = the order lag;
    every advance holds :attr:`lock` (MySQL serialises advances of its Link_buf with a CAS on
    the first slot), so concurrent askers never store a stale tail."""

    def __init__(self, log: RedoLog) -> None:
        self.log = log
        self.ring = log.recent_closed
        self.lock = threading.Lock()
        self.advances = 0

    @property
    def order_lag(self) -> int:
        return self.ring.capacity

    def smallest_not_added_lsn(self) -> tuple[int, int]:
        """``advance_tail(); tail()``: follow reported ranges from the tail to the first one not
        reported yet; returns (old tail, new tail)."""
        with self.lock:
            old, new = self.ring.traverse()
        if new != old:
            self.advances += 1
        return old, new

    def report_added(self, start: int, end: int) -> int:
        """``add_link_advance_tail(start, end)``: the fast path (tail at ``start``: the tail
        becomes ``end``), else store the range and advance over ranges starting at or below
        ``start``. Returns the new tail."""
        ring = self.ring
        with self.lock:
            if ring.tail == start:
                ring.tail = end
            else:
                ring.add_link(start, end)
                ring.traverse(limit=start + 1)
            return ring.tail

    def wait_to_add(self, start: int) -> tuple[bool, int, int]:
        """``wait_to_add(start)``'s test ``has_space(start)``: ``start < tail + L``, else ask (the
        tail advances) and test again. The ask is taken only when it lets the user in
        (otherwise the tail is left for the checkpointer's ask; docs/impl-pipeline.md).
        Returns (may add, old tail, new tail)."""
        ring = self.ring
        with self.lock:
            old = ring.tail
            if start < old + ring.capacity:
                return True, old, old
            reach = ring.reach()
            if not start < reach + ring.capacity:
                return False, old, old
            ring.traverse()
            return True, old, ring.tail
