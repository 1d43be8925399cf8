"""MySQL 9.0's flush-list-added tracker (``Buf_flush_list_added_lsns``, CP-1, CP-3), as values.

Seed 002 (the 9.0 design text) has no log closer: the checkpointer computes
``available_for_checkpoint_lsn = min(buf_flush_list_added->smallest_not_added_lsn(),
max(0, oldest_lsn - L))`` with ``L = buf_flush_list_added->order_lag()``. MySQL 9.x
(buf0flu.cc, ``Buf_flush_list_added_lsns``; reference/mysql-redo-facts.md §1.4) keeps the
reported ranges in a Link_buf ``m_buf_added_lsns`` of capacity L and has no thread of its own:

* ``wait_to_add(start_lsn)`` (mtr commit, before its dirty pages go to the flush lists): loop
  until ``has_space(start_lsn)``, i.e. ``start_lsn < tail + L`` -- and ``Link_buf::has_space``
  itself advances the tail once when the stored tail is not enough (CP-3: what the user waits
  for is smallest_not_added_lsn, computed on demand, not a value some thread last published);
* ``report_added(start, end)`` (after the pages were added) = ``add_link_advance_tail``: if the
  tail is at ``start`` it moves to ``end`` (the fast path, no slot written, later links are
  *not* followed); otherwise the link is stored and the tail is advanced over links starting at
  or below ``start`` only (``advance_tail_until(prev > start)``);
* ``smallest_not_added_lsn()`` = ``advance_tail(); tail()``: asked by the checkpointer
  (``update_available_for_checkpoint_lsn``), and by anyone else who needs the value.

So the tail moves only when someone reports or asks: a range whose reporter found a hole below
it stays above the tail until somebody asks. Every advance is serialised (Link_buf's CAS on the
first slot, then the re-check of the tail: in effect a lock), so the spec takes each one as one
atomic step. This module holds the tracker's operations on the ring (``State.recent_closed``,
whose tail is smallest_not_added_lsn as last computed); the actions that use them are
:func:`spec.user.user_wait_to_add`, :func:`spec.user.user_report_added` and
:func:`spec.checkpointer.checkpointer_ask_smallest_not_added`. With ``link_buf="seeds"`` the
ring holds distances and an advance clears what it passes (LNK-3, safe because advances are
serialised); with ``"8.0.22"`` it holds absolute ends (LNK-6), as MySQL 9's Link_buf does.
"""

from __future__ import annotations

from spec import linkbuf
from spec.linkbuf import LinkBuf
from spec.params import Params


def order_lag(p: Params) -> int:
    """``Buf_flush_list_added_lsns::order_lag()`` = the ring's capacity L (CP-3)."""
    return p.recent_closed_size


def smallest_not_added_lsn(p: Params, lb: LinkBuf) -> LinkBuf:
    """CP-1 (9.0): ``smallest_not_added_lsn()`` = ``advance_tail(); tail()``: the tail moves
    past every reported range with no unreported range below it (LNK-2), under the tracker's
    lock. Returns the advanced ring (``lb`` itself when nothing moved)."""
    return linkbuf.traverse(lb, p.link_buf)


def report_added(p: Params, lb: LinkBuf, start: int, end: int) -> LinkBuf:
    """CP-1 (9.0): ``report_added(start, end)`` = ``add_link_advance_tail``: the fast path
    (tail at ``start``: the tail becomes ``end``, nothing else is followed), else store the link
    and advance over links that start at or below ``start`` (which reaches ``end`` only when no
    unreported range lies below ``start``)."""
    if p.link_buf != "seeds":
        return linkbuf.add_link_advance_tail(lb, start, end)
    if lb.tail == start:
        return LinkBuf(end, lb.capacity, lb.links)
    stored = linkbuf.add_link(lb, start, end, "seeds")
    return linkbuf.traverse(stored, "seeds", stop_at=start + 1)


def wait_to_add(p: Params, lb: LinkBuf, start: int) -> LinkBuf | None:
    """CP-3 (9.0): ``wait_to_add(start)``'s test ``has_space(start)``: ``start < tail + L`` with
    the stored tail, else the waiting user asks (the tail advances, under the lock) and tests
    again. Returns the ring after the test when it passes (advanced if the user asked), None
    while the user must wait (the spec then leaves the ring alone: an ask that does not let the
    user in is the checkpointer's ask, :func:`smallest_not_added_lsn`, which may happen at any
    time anyway)."""
    lag = order_lag(p)
    if start < lb.tail + lag:
        return lb
    asked = smallest_not_added_lsn(p, lb)
    return asked if start < asked.tail + lag else None
