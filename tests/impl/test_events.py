"""os_event's contract (USR-7) and the event slot formula (NT-3)."""

from __future__ import annotations

import threading
import time

import pytest

from impl.events import Event, EventSlots, slot_of


def test_reset_returns_the_signal_count_and_set_moves_it() -> None:
    """USR-7: reset() returns the signal count; a set moves it (once per set edge)."""
    e = Event()
    c0 = e.reset()
    e.set()
    e.set()  # already set: no second edge
    assert e.is_set()
    c1 = e.reset()
    assert c1 == c0 + 1 and not e.is_set()


def test_wait_returns_at_once_when_set_after_the_reset() -> None:
    """USR-7: a set between the waiter's reset/check and its wait is not lost."""
    e = Event()
    count = e.reset()
    e.set()
    e.reset()  # even if someone reset it again, the count moved
    start = time.monotonic()
    assert e.wait(count, timeout=5.0) is True
    assert time.monotonic() - start < 1.0


def test_wait_times_out_without_a_set() -> None:
    """USR-5/6: without a set the wait ends by its timeout (then the waiter re-checks)."""
    e = Event()
    count = e.reset()
    assert e.wait(count, timeout=0.01) is False
    assert not e.signalled_since(count)


def test_wait_is_woken_by_a_set_from_another_thread() -> None:
    """USR-7, NT-4: a set from another thread ends a wait on the same count."""
    e = Event()
    count = e.reset()
    woken: list[bool] = []
    t = threading.Thread(target=lambda: woken.append(e.wait(count, timeout=10.0)))
    t.start()
    time.sleep(0.02)
    e.set()
    t.join(5)
    assert woken == [True]


def test_signalled_since_is_the_spec_flag() -> None:
    """docs/spec-model.md decision 1: signalled since the waiter's own reset."""
    e = Event()
    count = e.reset()
    assert not e.signalled_since(count)
    e.set()
    e.reset()
    assert e.signalled_since(count)
    assert not e.signalled_since(e.reset())


@pytest.mark.parametrize(
    ("lsn", "n", "slot"),
    [(1, 8, 0), (512, 8, 0), (513, 8, 1), (1024, 8, 1), (8 * 512 + 1, 8, 0), (8205, 2048, 16)],
)
def test_slot_formula(lsn: int, n: int, slot: int) -> None:
    """NT-3: slot(lsn) = (lsn - 1) / 512 % S; a block-end lsn maps to the block it closes."""
    assert slot_of(lsn, n) == slot


def test_event_slots_require_a_power_of_two() -> None:
    """NT-3: S is a power of two (slot = ... & (S - 1)); set_all wakes every slot."""
    with pytest.raises(ValueError, match="power of two"):
        EventSlots(6, "write_events")
    slots = EventSlots(4, "flush_events")
    assert slots.event_for(5 * 512 + 1) is slots.events[1]
    slots.set_all()
    assert all(e.is_set() for e in slots.events)
