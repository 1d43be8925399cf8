"""The link buffer of the design text (seed 001; reference/mysql-redo-facts.md §1.2).

A ring of ``capacity`` slots (a power of two). A link from lsn ``a`` to ``b`` is stored in slot
``a % capacity`` as the *distance* ``b - a`` (LNK-1). A single traverser (the log writer for
recent_written, the log closer for recent_closed) starts at the tail and follows links while
the slot holds one (LNK-2), clears every slot it passes and moves the tail to the end of the
path (LNK-3). A link may only be added when its slot is free, i.e. ``a < tail + capacity``
(LNK-4); the adder waits otherwise. Hence every lsn below the tail was covered by a finished
link: no holes (LNK-5).

Thread safety: many adders and one traverser. An adder only stores into its own slot, which
nobody else uses until the traverser has cleared it; the traverser is the only writer of the
tail. Python's GIL makes each slot store and load atomic and sequentially consistent, which
gives the release/acquire ordering the design needs (the copy into the log buffer happens
before the link store that publishes it).

This is the 8.0.11-8.0.21 variant the seeds describe; LNK-6 (absolute ends, CAS on the first
slot) is MySQL 8.0.22+ and is not modelled here.
"""

from __future__ import annotations

from array import array


class LinkBuf:
    """A ring of distances with a tail (LNK-1..5)."""

    def __init__(self, capacity: int, start: int = 0, name: str = "link_buf") -> None:
        if capacity < 1 or capacity & (capacity - 1):
            raise ValueError(f"{name}: capacity must be a power of two, not {capacity}")
        self.name = name
        self.capacity = capacity
        self._mask = capacity - 1
        self._slots = array("Q", bytes(8 * capacity))
        self.tail = start

    def has_space(self, position: int) -> bool:
        """LNK-4: the slot of ``position`` is free once the tail is within one capacity of it."""
        return position < self.tail + self.capacity

    def add_link(self, start: int, end: int) -> None:
        """LNK-1: store the link start -> end in slot ``start % capacity``.

        The caller must have checked :meth:`has_space` (LNK-4); adding into an occupied slot
        would lose a link, so it is refused.
        """
        if end <= start:
            raise ValueError(f"{self.name}: link {start} -> {end} does not go forward")
        if start < self.tail:
            raise ValueError(f"{self.name}: link {start} -> {end} starts below tail {self.tail}")
        if not self.has_space(start):
            raise ValueError(
                f"{self.name}: no space for link at {start} "
                f"(tail {self.tail}, capacity {self.capacity})"
            )
        index = start & self._mask
        if self._slots[index]:
            raise ValueError(f"{self.name}: slot {index} of link {start} -> {end} is occupied")
        self._slots[index] = end - start

    def link_at(self, position: int) -> int:
        """The end of the link stored for ``position``, or 0 if there is none."""
        distance = self._slots[position & self._mask]
        return position + distance if distance else 0

    def traverse(self, limit: int | None = None) -> tuple[int, int]:
        """LNK-2, LNK-3: follow links from the tail; return (old tail, new tail).

        With ``limit``, traversal stops *before following* a link that starts at or beyond
        ``limit`` (WR-1: the writer passes write_lsn + 4 KiB, so the new tail may overshoot
        the limit by one link).
        """
        slots = self._slots
        mask = self._mask
        start = pos = self.tail
        while True:
            if limit is not None and pos >= limit:
                break
            index = pos & mask
            distance = slots[index]
            if not distance:
                break
            slots[index] = 0
            pos += distance
        self.tail = pos
        return start, pos

    def reach(self) -> int:
        """Where :meth:`traverse` would move the tail, without moving it or clearing slots."""
        slots = self._slots
        mask = self._mask
        pos = self.tail
        for _ in range(self.capacity):
            distance = slots[pos & mask]
            if not distance:
                break
            pos += distance
        return pos

    def distances(self) -> tuple[int, ...]:
        """A copy of the ring, slot by slot: the distance of the link stored there (0: free).
        For inspection (the conformance abstraction, tests); the ring itself stays private."""
        return tuple(self._slots)

    def validate_no_links(self) -> list[int]:
        """Positions (from the tail, one capacity long) that still hold a link; [] after a drain."""
        return [self.tail + i for i in range(self.capacity)
                if self._slots[(self.tail + i) & self._mask]]
