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

A :class:`LinkBuf` is a frozen, hashable value; every operation returns a new value. It is
stored *sparsely*: ``links`` holds only the non-zero slots as ``(index, value)`` pairs sorted
by index, so a value is canonical (two buffers with the same tail, capacity and slot contents
are equal and hash alike, exactly as the dense tuple did) while an operation costs O(number of
live links), not O(capacity): InnoDB's rings have 1 Mi / 2 Mi slots (LNK-1), and a dense tuple
copied per link made a random-walk step cost tens of milliseconds. :attr:`LinkBuf.slots`
materialises the dense ring (for small capacities: proofs and tests) and
:meth:`LinkBuf.from_slots` builds a buffer from one (the conformance abstraction).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

import attrs

from spec.params import LinkBufVariant

Links = tuple[tuple[int, int], ...]
"""The non-zero slots of a ring as ``(index, value)`` pairs, sorted by index."""


@attrs.frozen(cache_hash=True)
class LinkBuf:
    """``tail``, the ring's ``capacity`` and its non-zero slots ``links`` (``(index, value)``,
    sorted by index; values are distances or absolute ends, see the module docstring). A slot
    not in ``links`` holds 0 ("no link"). Build values with :meth:`empty`,
    :meth:`from_slots` or the module's operations, which keep ``links`` canonical."""

    tail: int
    capacity: int
    links: Links

    @classmethod
    def empty(cls, capacity: int, tail: int) -> LinkBuf:
        """A fresh buffer whose tail starts at ``tail`` (log_start seeds both buffers there)."""
        _check_capacity(capacity)
        return cls(tail, capacity, ())

    @classmethod
    def from_slots(cls, tail: int, slots: Sequence[int]) -> LinkBuf:
        """The buffer whose dense ring is ``slots`` (``len(slots)`` is the capacity)."""
        _check_capacity(len(slots))
        return cls(tail, len(slots), tuple((i, v) for i, v in enumerate(slots) if v))

    @property
    def slots(self) -> tuple[int, ...]:
        """The dense ring, one value per slot (0 = no link): O(capacity), for small rings."""
        dense = [0] * self.capacity
        for i, v in self.links:
            dense[i] = v
        return tuple(dense)

    def slot(self, index: int) -> int:
        """The value of slot ``index`` (0 when it holds nothing)."""
        links = self.links
        k = bisect_left(links, (index,))
        if k < len(links) and links[k][0] == index:
            return links[k][1]
        return 0


def _check_capacity(capacity: int) -> None:
    if capacity <= 0 or capacity & (capacity - 1):
        raise ValueError(f"LinkBuf capacity must be a power of two (LNK-1), got {capacity}")


def has_space(lb: LinkBuf, pos: int) -> bool:
    """LNK-4: a link starting at ``pos`` may be added when ``tail + capacity > pos``: its slot
    then no longer holds a live link of the previous lap."""
    return lb.tail + lb.capacity > pos


def _set(links: Links, i: int, v: int) -> Links:
    """``links`` with slot ``i`` set to ``v`` (removed when ``v`` is 0), still sorted."""
    k = bisect_left(links, (i,))
    if k < len(links) and links[k][0] == i:
        return (*links[:k], (i, v), *links[k + 1:]) if v else (*links[:k], *links[k + 1:])
    return (*links[:k], (i, v), *links[k:]) if v else links


def add_link(lb: LinkBuf, start: int, end: int, variant: LinkBufVariant) -> LinkBuf:
    """LNK-1: store the link ``start -> end`` in slot ``start % capacity``.

    ``seeds``: the slot holds the distance ``end - start`` (and must be free). ``8.0.22``: the
    slot holds ``end``. The tail does not move (the traverser moves it)."""
    i = start & (lb.capacity - 1)
    v = end - start if variant == "seeds" else end
    return LinkBuf(lb.tail, lb.capacity, _set(lb.links, i, v))


def _next(lb: LinkBuf, pos: int, variant: LinkBufVariant) -> int:
    """The end of the link leaving ``pos``, or ``pos`` itself when there is none (LNK-2)."""
    v = lb.slot(pos & (lb.capacity - 1))
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
    if not lb.links:
        return lb
    values = dict(lb.links)
    mask = lb.capacity - 1
    if variant == "seeds":
        while stop_at is None or pos < stop_at:
            d = values.pop(pos & mask, 0)
            if d == 0:
                break
            pos += d
        if pos == lb.tail:
            return lb
        return LinkBuf(pos, lb.capacity, tuple(sorted(values.items())))
    while stop_at is None or pos < stop_at:
        v = values.get(pos & mask, 0)
        if v <= pos:
            break
        pos = v
    if pos == lb.tail:
        return lb
    return LinkBuf(pos, lb.capacity, lb.links)


def add_link_advance_tail(lb: LinkBuf, start: int, end: int) -> LinkBuf:
    """LNK-6 (8.0.22 variant only), as one atomic step: if the tail is at ``start``, move it to
    ``end`` without writing the slot (the fast path); otherwise store ``end`` in the slot and
    advance the tail over links that start at or below ``start`` (advance_tail_until with
    ``stop = pos > start``), which may or may not reach this link."""
    if lb.tail == start:
        return LinkBuf(end, lb.capacity, lb.links)
    stored = add_link(lb, start, end, "8.0.22")
    pos = stored.tail
    mask = stored.capacity - 1
    while pos <= start:
        v = stored.slot(pos & mask)
        if v <= pos:
            break
        pos = v
    if pos == stored.tail:
        return stored
    return LinkBuf(pos, stored.capacity, stored.links)


def link_at(lb: LinkBuf, pos: int, variant: LinkBufVariant) -> int | None:
    """The end of a live link leaving ``pos`` (``pos`` in ``[tail, tail + capacity)``) or None."""
    nxt = _next(lb, pos, variant)
    return nxt if nxt != pos else None
