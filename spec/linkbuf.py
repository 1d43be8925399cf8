"""The link buffer as a value (LNK-1..6): a ring of slots that records which lsn ranges are done.

A user thread that finished copying ``[start, end)`` into the log buffer adds the *link*
``start -> end`` (LNK-1: in slot ``start % capacity``). A traverser follows links from the
*tail* while each slot holds an outgoing link (LNK-2) and moves the tail to the end of the path
(LNK-3). Everything below the tail is therefore done, with no holes (LNK-5): the tail of
recent_written is ``buf_ready_for_write_lsn`` and the tail of recent_closed is
``buf_dirty_pages_added_up_to_lsn``.

Two variants (``Params.link_buf``):

* ``"seeds"`` (8.0.11-8.0.21, the design text): a slot holds the *distance* ``end - start``
  (0 = no link); only one thread traverses and it clears every slot it passes (LNK-3).
  ``has_space(pos)`` is ``tail + capacity > pos`` (LNK-4).
* ``"8.0.22"`` (LNK-6): a slot holds the *absolute* end; a value ``<= pos`` means "no link", so
  slots are never cleared. A user thread whose link starts at the tail moves the tail itself
  (the fast path), otherwise it stores its link and tries to advance the tail over links that
  start at or below its own; concurrent advances are serialised by a CAS on the first slot,
  which the spec models as one atomic step.

A :class:`LinkBuf` is a frozen, hashable value; every operation returns a new value.
"""

from __future__ import annotations

import attrs

from spec.params import LinkBufVariant


@attrs.frozen(cache_hash=True)
class LinkBuf:
    """``tail`` and the ring of ``slots`` (distances or absolute ends, see module docstring)."""

    tail: int
    slots: tuple[int, ...]

    @classmethod
    def empty(cls, capacity: int, tail: int) -> LinkBuf:
        """A fresh buffer whose tail starts at ``tail`` (log_start seeds both buffers there)."""
        return cls(tail, (0,) * capacity)

    @property
    def capacity(self) -> int:
        """Number of slots (a power of two, LNK-1)."""
        return len(self.slots)


def has_space(lb: LinkBuf, pos: int) -> bool:
    """LNK-4: a link starting at ``pos`` may be added when ``tail + capacity > pos``: its slot
    then no longer holds a live link of the previous lap."""
    return lb.tail + len(lb.slots) > pos


def _set(slots: tuple[int, ...], i: int, v: int) -> tuple[int, ...]:
    return (*slots[:i], v, *slots[i + 1:])


def add_link(lb: LinkBuf, start: int, end: int, variant: LinkBufVariant) -> LinkBuf:
    """LNK-1: store the link ``start -> end`` in slot ``start % capacity``.

    ``seeds``: the slot holds the distance ``end - start`` (and must be free). ``8.0.22``: the
    slot holds ``end``. The tail does not move (the traverser moves it)."""
    cap = len(lb.slots)
    i = start & (cap - 1)
    if variant == "seeds":
        return LinkBuf(lb.tail, _set(lb.slots, i, end - start))
    return LinkBuf(lb.tail, _set(lb.slots, i, end))


def _next(lb: LinkBuf, pos: int, variant: LinkBufVariant) -> int:
    """The end of the link leaving ``pos``, or ``pos`` itself when there is none (LNK-2)."""
    v = lb.slots[pos & (len(lb.slots) - 1)]
    if variant == "seeds":
        return pos + v
    return v if v > pos else pos


def traverse(
    lb: LinkBuf, variant: LinkBufVariant, stop_at: int | None = None
) -> LinkBuf:
    """LNK-2, LNK-3: follow links from the tail while a link leaves the current position and,
    if ``stop_at`` is given, while the position is below ``stop_at`` (the writer stops once it
    is ``write_max_size`` past write_lsn, WR-1). ``seeds`` clears each slot it passes (LNK-3);
    ``8.0.22`` leaves the slots alone (LNK-6). The tail moves to the end of the path."""
    pos = lb.tail
    slots = lb.slots
    mask = len(slots) - 1
    if variant == "seeds":
        changed = False
        while stop_at is None or pos < stop_at:
            d = slots[pos & mask]
            if d == 0:
                break
            if not changed:
                slots = list(slots)  # type: ignore[assignment]
                changed = True
            slots[pos & mask] = 0  # type: ignore[index]
            pos += d
        if not changed:
            return lb
        return LinkBuf(pos, tuple(slots))
    while stop_at is None or pos < stop_at:
        v = slots[pos & mask]
        if v <= pos:
            break
        pos = v
    if pos == lb.tail:
        return lb
    return LinkBuf(pos, slots)


def add_link_advance_tail(lb: LinkBuf, start: int, end: int) -> LinkBuf:
    """LNK-6 (8.0.22 variant only), as one atomic step: if the tail is at ``start``, move it to
    ``end`` without writing the slot (the fast path); otherwise store ``end`` in the slot and
    advance the tail over links that start at or below ``start`` (advance_tail_until with
    ``stop = pos > start``), which may or may not reach this link."""
    if lb.tail == start:
        return LinkBuf(end, lb.slots)
    stored = add_link(lb, start, end, "8.0.22")
    pos = stored.tail
    slots = stored.slots
    mask = len(slots) - 1
    while pos <= start:
        v = slots[pos & mask]
        if v <= pos:
            break
        pos = v
    if pos == stored.tail:
        return stored
    return LinkBuf(pos, slots)


def link_at(lb: LinkBuf, pos: int, variant: LinkBufVariant) -> int | None:
    """The end of a live link leaving ``pos`` (``pos`` in ``[tail, tail + capacity)``) or None."""
    nxt = _next(lb, pos, variant)
    return nxt if nxt != pos else None
