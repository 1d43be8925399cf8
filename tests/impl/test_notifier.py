"""The write and flush notifiers (NT-1..NT-5)."""

from __future__ import annotations

from impl.config import LogConfig
from impl.faultstore import FaultStore
from impl.redolog import RedoLog


def make(slots: int = 8) -> RedoLog:
    return RedoLog.create(FaultStore(), LogConfig.small(write_events=slots, flush_events=slots),
                          threads=False)


def test_notified_range_is_from_the_previous_block_to_the_new_block() -> None:
    """NT-2: blocks from the one holding the previous value to the one holding the new value."""
    log = make(slots=64)
    n = log.write_notifier
    assert n.slots_for(8204, 9000) == [16, 17]  # blocks 16 (8204) .. 17 (8999)
    assert n.slots_for(8204, 9216) == [16, 17]  # 9216 closes block 17 (NT-3's -1)
    assert n.slots_for(8191, 8192) == [15]  # the last byte of block 15
    assert n.slots_for(9216, 9217) == [18]


def test_a_range_of_s_blocks_or_more_sets_every_slot_once() -> None:
    """NT-2, NT-4: more than S blocks -> every slot (notifying too much is allowed)."""
    log = make(slots=8)
    assert sorted(log.write_notifier.slots_for(8204, 8204 + 20 * 512)) == list(range(8))


def test_step_waits_for_an_advance_then_sets_the_slots() -> None:
    """NT-1: nothing to do until write_lsn moved past the last notified lsn; then NT-2."""
    log = make()
    assert not log.write_notifier.step()
    for e in log.write_events.events:
        e.reset()
    log.write_lsn = 9000  # as the writer would publish it
    assert log.write_notifier.step()
    assert [e.is_set() for e in log.write_events.events] == [True, True] + [False] * 6
    assert log.write_notifier.lsn == 9001
    assert not log.write_notifier.step()


def test_flush_notifier_watches_flushed_to_disk_lsn() -> None:
    """NT-5: the same for flushed_to_disk_lsn and the flush events."""
    log = make()
    for e in log.flush_events.events:
        e.reset()
    log.write_lsn = 9000
    assert not log.flush_notifier.step()
    log.flushed_to_disk_lsn = 8800
    assert log.flush_notifier.step()
    assert [i for i, e in enumerate(log.flush_events.events) if e.is_set()] == [0, 1]
    assert not any(e.is_set() for e in log.write_events.events[2:])
