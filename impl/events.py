"""Events with os_event's contract, and the per-block event slots of waiting users.

os_event (include/os0event.ic, reference/mysql-redo-facts.md §6.3) is what makes lost wake-ups
impossible (USR-7): every ``set()`` increments a *signal count* under the event's mutex;
``reset()`` returns the count; ``wait(count)`` returns at once if the event is set or the count
moved since that ``reset()``. A waiter therefore does::

    count = event.reset()
    if condition(): return        # checked AFTER the reset
    event.wait(count, timeout)    # returns at once if someone set the event in between

and a ``set()`` that lands between the check and the wait is not lost.

:class:`EventSlots` are the arrays ``write_events`` / ``flush_events``: a user waiting for lsn
waits on slot ``(lsn - 1) // 512 & (S - 1)`` (NT-3); the notifiers set the slots of the blocks
whose lsn range advanced (NT-2).
"""

from __future__ import annotations

import threading

BLOCK_SIZE = 512


class Event:
    """A manual-reset event with a signal count (os_event)."""

    __slots__ = ("_cond", "_is_set", "_signal_count", "name")

    def __init__(self, name: str = "event") -> None:
        self.name = name
        self._cond = threading.Condition(threading.Lock())
        self._is_set = False
        # os_event starts with signal_count 1 so that 0 can mean "no count taken"
        self._signal_count = 1

    def set(self) -> None:
        """Set the event and wake every waiter; the signal count moves (once per set edge)."""
        with self._cond:
            if not self._is_set:
                self._is_set = True
                self._signal_count += 1
                self._cond.notify_all()

    def reset(self) -> int:
        """Clear the event; return the signal count to pass to :meth:`wait` (USR-7)."""
        with self._cond:
            self._is_set = False
            return self._signal_count

    def is_set(self) -> bool:
        with self._cond:
            return self._is_set

    @property
    def signal_count(self) -> int:
        with self._cond:
            return self._signal_count

    def signalled_since(self, count: int) -> bool:
        """True if the event is set or was set after the :meth:`reset` that returned ``count``."""
        with self._cond:
            return self._is_set or self._signal_count != count

    def wait(self, count: int | None = None, timeout: float | None = None) -> bool:
        """Wait until the event is set or its signal count differs from ``count``.

        Returns True if signalled, False on timeout. ``count=None`` means "since now": only a
        set that happens during this call (or a set event) ends the wait.
        """
        with self._cond:
            if count is None:
                count = self._signal_count
            if self._is_set or self._signal_count != count:
                return True
            self._cond.wait(timeout)
            return self._is_set or self._signal_count != count


def slot_of(lsn: int, n_slots: int) -> int:
    """NT-3: slot(lsn) = (lsn - 1) / 512 & (S - 1); a block-end lsn maps to the block it closes."""
    return ((lsn - 1) // BLOCK_SIZE) & (n_slots - 1)


class EventSlots:
    """``S`` events, one per slot; waiters for lsn use ``slot_of(lsn, S)`` (USR-5, USR-6, NT-3)."""

    def __init__(self, n_slots: int, name: str) -> None:
        if n_slots < 1 or n_slots & (n_slots - 1):
            raise ValueError(f"{name}: the number of slots must be a power of two, not {n_slots}")
        self.n_slots = n_slots
        self.name = name
        self.events = [Event(f"{name}[{i}]") for i in range(n_slots)]

    def slot(self, lsn: int) -> int:
        return slot_of(lsn, self.n_slots)

    def event_for(self, lsn: int) -> Event:
        return self.events[slot_of(lsn, self.n_slots)]

    def set_slot(self, slot: int) -> None:
        self.events[slot].set()

    def set_all(self) -> None:
        """Wake every waiter (used when a background thread dies, so that nothing hangs)."""
        for event in self.events:
            event.set()
