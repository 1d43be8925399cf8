"""The write notifier and the flush notifier threads (NT-1..NT-5; facts §6.2).

Each keeps ``lsn``, the first lsn it has not yet notified for (initially the watched value + 1).
One :meth:`Notifier.step`: if the watched value ``w`` (write_lsn, or flushed_to_disk_lsn for the
flush notifier) has reached ``lsn``, set the event of every slot from the block holding the
previous value to the block holding ``w`` (``lsn`` stepping by 512 while ``lsn <=
align_up(w, 512)``, NT-2), then ``lsn := w + 1``. Slots are ``(lsn - 1) // 512 & (S - 1)``
(NT-3). Setting a slot wakes every waiter on it; they re-check their own lsn, so waking too many
is harmless and waking too few is impossible (NT-4). When the range covers S blocks or more,
every slot is set once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from impl.events import Event, EventSlots
from impl.format import BLOCK_SIZE

if TYPE_CHECKING:
    from impl.redolog import RedoLog


class Notifier:
    """``kind="write"``: write_lsn / write_events (NT-1, NT-2); ``"flush"``: NT-5."""

    def __init__(self, log: RedoLog, kind: str) -> None:
        if kind not in ("write", "flush"):
            raise ValueError(f"notifier kind must be 'write' or 'flush', not {kind!r}")
        self.log = log
        self.kind = kind
        self.actor = f"{kind}_notifier"
        self.action = f"{kind}_notifier_notify_slots"
        self.field = "write_lsn" if kind == "write" else "flushed_to_disk_lsn"
        self.lsn = self._value() + 1
        self.notifications = 0
        self.rounds = 0

    def _value(self) -> int:
        return int(getattr(self.log, self.field))

    @property
    def slots(self) -> EventSlots:
        return self.log.write_events if self.kind == "write" else self.log.flush_events

    @property
    def event(self) -> Event:
        log = self.log
        return log.write_notifier_event if self.kind == "write" else log.flush_notifier_event

    def slots_for(self, previous: int, new: int) -> list[int]:
        """NT-2: the slots of the blocks from the one holding ``previous`` to the one holding new.

        ``previous`` is the value notified last time (the loop starts at ``previous + 1``).
        """
        slots = self.slots
        first_lsn = previous + 1
        up_to = -(-new // BLOCK_SIZE) * BLOCK_SIZE
        n_blocks = (up_to - first_lsn) // BLOCK_SIZE + 1 if up_to >= first_lsn else 0
        if n_blocks >= slots.n_slots:
            return list(range(slots.n_slots))
        return [slots.slot(first_lsn + i * BLOCK_SIZE) for i in range(n_blocks)]

    def step(self) -> bool:
        log = self.log
        with log.traced(self.actor, self.action) as ev:
            w = self._value()
            if w < self.lsn:
                ev["_skip"] = True
                return False
            log.sync_point(f"log_{self.kind}_notifier_before_notify")
            previous = self.lsn - 1
            slot_list = self.slots_for(previous, w)
            events = self.slots.events
            for slot in slot_list:
                events[slot].set()
            self.lsn = w + 1
            ev.update({self.field: w, "notified_lsn": (previous, w), "slots": tuple(slot_list)})
        self.notifications += len(slot_list)
        self.rounds += 1
        return True
