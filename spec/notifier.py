"""Write and flush notifiers (NT-1..5), and the event-slot signalling the writer and flusher
share with them (USR-7, decision 1).

User threads waiting for ``write_lsn >= end`` (or ``flushed_to_disk_lsn >= end``) sleep on the
event of slot ``(end - 1) / block_size & (S - 1)`` (NT-3). When write_lsn advances, the writer
either sets the one slot directly (the advance stays inside one block, decision 3) or sets
write_notifier_event; the write notifier then sets the slots of every block from the block of
the previous value to the block of the new one (NT-2). Notifying too much is fine, too little
is not (NT-4). The flush notifier does the same for flushed_to_disk_lsn (NT-5).
"""

from __future__ import annotations

from spec.lsn import align_up, sn_to_lsn
from spec.model_types import Action, action
from spec.params import Params
from spec.state import RESET, SLEEPING, NotifierState, State, UserState, replace


def signal_slots(
    p: Params, users: tuple[UserState, ...], kind: str, slots: frozenset[int] | set[int]
) -> tuple[UserState, ...]:
    """os_event_set on each slot in ``slots`` of the ``kind`` ("write"/"flush") events:
    every thread waiting on one of them since its reset (RESET or SLEEPING) gets its
    ``signalled`` bit (decision 1, USR-7)."""
    n = p.write_events if kind == "write" else p.flush_events
    bs = p.block_size
    changed = False
    out = list(users)
    for i, u in enumerate(users):
        if (u.pc == RESET or u.pc == SLEEPING) and u.wait == kind and not u.signalled:
            end = sn_to_lsn(p, u.start_sn + u.size)
            if ((end - 1) // bs) & (n - 1) in slots:
                out[i] = UserState(u.pc, u.start_sn, u.size, u.page, u.wait, True)
                changed = True
    return tuple(out) if changed else users


def notify_range(p: Params, lsn: int, new: int, n_slots: int) -> set[int]:
    """NT-2 (facts §6.2): starting at the notifier's position ``lsn`` (previous value + 1),
    step by block_size while ``lsn <= align_up(new, block_size)``, collecting
    ``slot(lsn) = (lsn - 1) / block_size & (S - 1)``: the slots of every block from the block
    of the previous value to the block holding ``new``."""
    bs = p.block_size
    up_to = align_up(new, bs)
    slots: set[int] = set()
    while lsn <= up_to and len(slots) < n_slots:
        slots.add(((lsn - 1) // bs) & (n_slots - 1))
        lsn += bs
    return slots


def write_notifier_notify_slots(p: Params, s: State) -> State | None:
    """NT-1, NT-2, NT-4: the write notifier, woken by write_notifier_event, sets the events of
    every slot from the block of its position to the block holding write_lsn, then moves its
    position to write_lsn + 1. Guard: its event is set (decision 2: no timeout)."""
    nt = s.notifiers
    if not nt.write_notifier_event:
        return None
    w = s.writer.write_lsn
    if w < nt.write_notifier_lsn:
        nts = NotifierState(nt.write_notifier_lsn, False, nt.flush_notifier_lsn,
                            nt.flush_notifier_event)
        return replace(s, notifiers=nts)
    slots = notify_range(p, nt.write_notifier_lsn, w, p.write_events)
    return replace(
        s,
        users=signal_slots(p, s.users, "write", slots),
        notifiers=NotifierState(w + 1, False, nt.flush_notifier_lsn, nt.flush_notifier_event),
    )


def flush_notifier_notify_slots(p: Params, s: State) -> State | None:
    """NT-5 (with NT-2, NT-4): the flush notifier does the same for flushed_to_disk_lsn and the
    flush events, woken by flush_notifier_event."""
    nt = s.notifiers
    if not nt.flush_notifier_event:
        return None
    f = s.flushed_to_disk_lsn
    if f < nt.flush_notifier_lsn:
        nts = NotifierState(nt.write_notifier_lsn, nt.write_notifier_event,
                            nt.flush_notifier_lsn, False)
        return replace(s, notifiers=nts)
    slots = notify_range(p, nt.flush_notifier_lsn, f, p.flush_events)
    return replace(
        s,
        users=signal_slots(p, s.users, "flush", slots),
        notifiers=NotifierState(nt.write_notifier_lsn, nt.write_notifier_event, f + 1, False),
    )


def notify_advance(
    p: Params, s: State, kind: str, old: int, new: int
) -> tuple[tuple[UserState, ...], NotifierState, bool]:
    """WR-8 / FL-2 with decision 3: after ``kind``'s lsn moved from ``old`` to ``new``, set the
    one slot directly if the advance stays inside one block (``old / bs == (new - 1) / bs``),
    else set the notifier's event. Returns the users, the notifiers and whether it was direct."""
    bs = p.block_size
    nt = s.notifiers
    if old // bs == (new - 1) // bs:
        n = p.write_events if kind == "write" else p.flush_events
        users = signal_slots(p, s.users, kind, {(old // bs) & (n - 1)})
        return users, nt, True
    if kind == "write":
        return s.users, NotifierState(nt.write_notifier_lsn, True, nt.flush_notifier_lsn,
                                      nt.flush_notifier_event), False
    return s.users, NotifierState(nt.write_notifier_lsn, nt.write_notifier_event,
                                  nt.flush_notifier_lsn, True), False


ACTIONS: tuple[Action, ...] = (
    action(write_notifier_notify_slots, "write_notifier", ("NT-1", "NT-2", "NT-3", "NT-4"),
           guard="write_notifier_event is set"),
    action(flush_notifier_notify_slots, "flush_notifier", ("NT-5", "NT-2", "NT-3", "NT-4"),
           guard="flush_notifier_event is set"),
)
