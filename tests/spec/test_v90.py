"""MySQL 9.0's flush-list-added tracker (CP-1, CP-3; seed 002, spec/tracker.py).

9.0 has no closer thread: users ``wait_to_add`` (asking the tracker themselves when the stored
tail is not enough) and ``report_added`` (add_link_advance_tail), and the checkpointer asks
``smallest_not_added_lsn()``. These tests show the 9.0 graph is its own (a report moves the
tail, a hole is only taken in when someone asks) and that the explorer tells a 9.0-only bug
from the correct design: a tracker nobody asks (a CP-1 deadlock) and a user that does not wait
for the order lag (the tracker's ring overflows, LNK-3/LNK-4).
"""

from __future__ import annotations

import pytest

from engine import explore
from spec.invariants import PROPERTIES
from spec.lsn import sn_to_lsn
from spec.model import Label, RedoModel
from spec.params import Params
from spec.state import IDLE, LINKED, State, current_lsn
from spec.user import _add_pages, user_add_recent_closed_link

P9 = Params.tiny().evolve(version="9.0")

HOLE = [  # user 1's group lies above user 0's; user 1 reports first
    "user_reserve(thread=0, size=4, page=0, wait=none)",
    "user_reserve(thread=1, size=8, page=1, wait=none)",
    "user_copy_to_log_buffer(thread=0)", "user_copy_to_log_buffer(thread=1)",
    "user_set_first_rec_group(thread=1)",
    "user_add_recent_written_link(thread=0)", "user_add_recent_written_link(thread=1)",
]


def _groups(s: State) -> list[tuple[int, int, int]]:
    return sorted(s.groups)


def test_report_added_fast_path_leaves_a_filled_hole_until_the_checkpointer_asks() -> None:
    """CP-1 (9.0): user 1 reports above the unreported range of user 0: its range is stored,
    the tail stays at user 0's start. User 0 then reports at the tail: the fast path moves the
    tail to its own end only. Only the checkpointer's ask takes user 1's range in."""
    p = P9.evolve(wait_kinds=("none",))
    m = RedoModel(p)
    steps = [*HOLE, "user_wait_to_add(thread=0)", "user_wait_to_add(thread=1)",
             "user_report_added(thread=1)"]
    s = m.replay(steps)[-1]
    (a_start, a_end, _), (b_start, b_end, _) = _groups(s)
    assert a_end == b_start
    assert s.recent_closed.tail == a_start and s.recent_closed.links  # stored, not taken in
    s = m.next_state(s, Label.parse("user_report_added(thread=0)"))
    assert all(u.pc == IDLE for u in s.users)
    assert s.recent_closed.tail == a_end < b_end == current_lsn(p, s)  # the fast path only
    s = m.next_state(s, Label.parse("checkpointer_ask_smallest_not_added()"))
    assert s.recent_closed.tail == b_end and not s.recent_closed.links


def test_report_added_advances_through_its_own_range() -> None:
    """CP-1 (9.0): reporting the lower range second, after the upper one was stored, is the
    fast path; reporting the upper range second (no hole below) takes it in at once."""
    p = P9.evolve(wait_kinds=("none",))
    m = RedoModel(p)
    s = m.replay([*HOLE, "user_wait_to_add(thread=0)", "user_wait_to_add(thread=1)",
                  "user_report_added(thread=0)", "user_report_added(thread=1)"])[-1]
    assert s.recent_closed.tail == current_lsn(p, s) and not s.recent_closed.links


def test_8_0_close_never_moves_the_tail_but_9_0_report_does() -> None:
    """The 9.0 graph is not 8.0's: in 8.0 (seeds) a user's close only adds a link and the
    closer moves the tail; in 9.0 the user's own report moves it."""
    p8 = Params.tiny().evolve(wait_kinds=("none",))
    s8 = RedoModel(p8).replay([*HOLE, "user_add_dirty_pages(thread=0)"])[-1]
    t8 = user_add_recent_closed_link(p8, s8, 0)
    assert t8 is not None and t8.recent_closed.tail == s8.recent_closed.tail
    p9 = P9.evolve(wait_kinds=("none",))
    s9 = RedoModel(p9).replay([*HOLE, "user_wait_to_add(thread=0)",
                               "user_report_added(thread=0)"])[-1]
    assert s9.recent_closed.tail == _groups(s9)[0][1]


def test_a_waiting_user_asks_the_tracker_itself() -> None:
    """CP-3 (9.0): wait_to_add's has_space advances the tail when the stored one is not
    enough. With an order lag of 8: user 0's fast-path report leaves user 1's range stored
    above the tail; user 0's next group starts at least L above that tail, so its
    user_wait_to_add asks: the step moves smallest_not_added_lsn past user 1's range, and the
    start is within the lag of the new tail, not of the old one."""
    p = P9.evolve(recent_closed_size=8, max_sn=16, wait_kinds=("none",))
    m = RedoModel(p)
    s = m.replay([*HOLE, "user_wait_to_add(thread=0)", "user_wait_to_add(thread=1)",
                  "user_report_added(thread=1)", "user_report_added(thread=0)",
                  "user_reserve(thread=0, size=4, page=0, wait=none)",
                  "user_copy_to_log_buffer(thread=0)", "writer_traverse_links()"])[-1]
    for step in ("user_set_first_rec_group(thread=0)", "user_add_recent_written_link(thread=0)"):
        if step in {str(x) for x in m.actions(s)}:
            s = m.next_state(s, Label.parse(step))
    assert s.users[0].pc == LINKED
    start = sn_to_lsn(p, s.users[0].start_sn)
    assert s.recent_closed.tail + 8 <= start  # the stored tail is not enough
    t = m.next_state(s, Label.parse("user_wait_to_add(thread=0)"))
    assert t.recent_closed.tail > s.recent_closed.tail
    assert start < t.recent_closed.tail + 8


@pytest.mark.slow
def test_tiny_9_0_exhaustive_is_ok_live_and_its_own_graph() -> None:
    """CP-1, SYS-3: the exhaustive 9.0 run of tiny: verdict ok (every invariant, no deadlock,
    liveness), every 9.0 action taken, and no closer."""
    r = explore(RedoModel(P9))
    assert r.verdict == "ok", r.summary()
    assert r.liveness_checked and r.complete and r.uncovered == ()
    assert "closer_traverse_links" not in r.actions
    assert r.actions["checkpointer_ask_smallest_not_added"] > 0


def test_teeth_tracker_never_asked_is_a_cp1_deadlock() -> None:
    """Teeth (CP-1, 9.0 only): a checkpointer that never asks smallest_not_added_lsn (it uses
    the tail as last published). After a report took the fast path over a hole another user
    had already filled, nobody takes that range in: the explorer ends in a state where every
    user is done but the dirty-pages-added lsn is below the current lsn, with a shortest trace
    that replays."""
    m = RedoModel(P9).with_action("checkpointer_ask_smallest_not_added", lambda p, s: None)
    r = explore(m, check_liveness=False)
    assert r.verdict == "deadlock", r.summary()
    v = r.violation
    assert v is not None and "CP-1" in v.message
    last = m.replay(list(v.labels))[-1]
    assert all(u.pc == IDLE for u in last.users)
    assert last.recent_closed.tail < current_lsn(P9, last)
    assert not list(m.successors(last))
    assert RedoModel(P9).terminal_problem(last) is not None


def test_teeth_user_not_waiting_for_the_order_lag() -> None:
    """Teeth (CP-3, LNK-4, 9.0): a user that adds its pages and reports without wait_to_add
    (no test against smallest_not_added_lsn + L). With an order lag of 8 its range lands in a
    slot of the tracker's ring that still holds a live range: the explorer finds the broken
    ring (lnk3_slots_cleared) with a shortest trace; the correct model with the same lag is ok
    (test above: it waits, asking the tracker)."""

    def broken(p: Params, s: State, thread: int) -> State | None:
        u = s.users[thread]
        if u.pc != LINKED:
            return None
        return _add_pages(p, s, thread, u, sn_to_lsn(p, u.start_sn))

    p = P9.evolve(recent_closed_size=8)
    props = tuple(x for x in PROPERTIES if x.name == "lnk3_slots_cleared")
    m = RedoModel(p, properties=props).with_action("user_wait_to_add", broken)
    r = explore(m, check_liveness=False)
    assert r.verdict == "violation" and r.violation is not None, r.summary()
    assert r.violation.property == "lnk3_slots_cleared"
    states = m.replay(list(r.violation.labels))
    (prop,) = props
    assert not prop.predicate(p, states[-1])
    assert all(prop.predicate(p, s) for s in states[:-1])
    good = explore(RedoModel(p, properties=props), check_liveness=False, max_states=30_000)
    assert good.violation is None
