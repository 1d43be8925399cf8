"""The link buffer value (LNK-1..6), both variants."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spec import linkbuf
from spec.linkbuf import LinkBuf


def test_lnk1_slot_and_lnk2_traverse_seeds() -> None:
    """LNK-1: a link a -> b goes to slot a % capacity; LNK-2: traversal follows links from the
    tail and stops at the first missing one; LNK-3: passed slots are cleared."""
    lb = LinkBuf.empty(8, 10)
    lb = linkbuf.add_link(lb, 13, 15, "seeds")  # out of order: a hole at 10..13
    assert lb.slots[13 % 8] == 2
    assert linkbuf.traverse(lb, "seeds") is lb  # hole: nothing to do
    lb = linkbuf.add_link(lb, 10, 13, "seeds")
    t = linkbuf.traverse(lb, "seeds")
    assert t.tail == 15
    assert t.slots == (0,) * 8


def test_lnk4_has_space() -> None:
    """LNK-4: a link may be added when tail + capacity > start."""
    lb = LinkBuf.empty(8, 10)
    assert linkbuf.has_space(lb, 17)
    assert not linkbuf.has_space(lb, 18)


def test_wr1_traverse_stops_at_limit() -> None:
    """WR-1: with a stop position, traversal does not follow a link starting at or past it."""
    lb = LinkBuf.empty(16, 0)
    for a, b in ((0, 4), (4, 8), (8, 12)):
        lb = linkbuf.add_link(lb, a, b, "seeds")
    assert linkbuf.traverse(lb, "seeds", stop_at=5).tail == 8


def test_lnk6_fast_path_and_stale_slots() -> None:
    """LNK-6: a link at the tail moves the tail without writing the slot; otherwise the slot
    holds the absolute end and the thread advances over links at or below its start; slots
    are never cleared, a value <= its position means no link."""
    lb = LinkBuf.empty(8, 10)
    lb = linkbuf.add_link_advance_tail(lb, 12, 14)
    assert lb.tail == 10 and lb.slots[12 % 8] == 14
    lb = linkbuf.add_link_advance_tail(lb, 10, 12)  # fast path: does not follow 12 -> 14
    assert lb.tail == 12 and lb.slots[10 % 8] == 0
    lb = linkbuf.traverse(lb, "8.0.22")
    assert lb.tail == 14 and lb.slots[12 % 8] == 14  # not cleared, but now stale
    assert linkbuf.link_at(lb, 20, "8.0.22") is None  # slot 4 holds 14 <= 20


@given(st.permutations(list(range(6))), st.sampled_from(["seeds", "8.0.22"]))
def test_lnk5_any_completion_order_reaches_the_end(order: list[int], variant: str) -> None:
    """LNK-5: whatever order six consecutive links are added in, the tail never passes a
    missing link and ends at the last end."""
    bounds = [(3 * i, 3 * i + 3) for i in range(6)]
    lb = LinkBuf.empty(32, 0)
    added: set[int] = set()
    for i in order:
        a, b = bounds[i]
        if variant == "seeds":
            lb = linkbuf.traverse(linkbuf.add_link(lb, a, b, "seeds"), "seeds")
        else:
            lb = linkbuf.add_link_advance_tail(lb, a, b)
            lb = linkbuf.traverse(lb, "8.0.22")
        added.add(i)
        first_missing = min(set(range(6)) - added, default=6)
        assert lb.tail == 3 * first_missing


def _dense_reference(
    ops: list[tuple[int, int]], variant: str, cap: int, tail0: int
) -> list[tuple[int, list[int]]]:
    """An independent dense ring written from LNK-1..3/LNK-6: a list of ``cap`` slots, a link
    ``a -> b`` stored at ``a % cap`` (distance ``b - a`` for seeds, ``b`` for 8.0.22), then a
    traversal from the tail (seeds clears what it passes). Returns (tail, slots) per step."""
    slots = [0] * cap
    tail = tail0
    out = []
    for a, b in ops:
        slots[a % cap] = b - a if variant == "seeds" else b
        while True:
            v = slots[tail % cap]
            nxt = tail + v if variant == "seeds" else (v if v > tail else tail)
            if nxt == tail:
                break
            if variant == "seeds":
                slots[tail % cap] = 0
            tail = nxt
        out.append((tail, list(slots)))
    return out


@given(st.permutations(list(range(7))), st.sampled_from(["seeds", "8.0.22"]),
       st.integers(0, 40))
def test_sparse_value_matches_a_dense_ring(order: list[int], variant: str, tail0: int) -> None:
    """LNK-1..3, LNK-6: the sparse LinkBuf holds exactly the dense ring's contents after every
    add + traverse (in both variants; 8.0.22's stale ends are kept), its ``links`` are the
    non-zero slots sorted by index, and it equals (and hashes like) the buffer built from the
    dense ring: the value is canonical, so the explorer's state count cannot change."""
    bounds = [(tail0 + 2 * i, tail0 + 2 * i + 2) for i in range(7)]
    ops = [bounds[i] for i in order]
    lb = LinkBuf.empty(8, tail0)
    for (a, b), (tail, dense) in zip(ops, _dense_reference(ops, variant, 8, tail0), strict=True):
        lb = linkbuf.traverse(linkbuf.add_link(lb, a, b, variant), variant)  # type: ignore[arg-type]
        assert (lb.tail, lb.slots) == (tail, tuple(dense))
        assert lb.links == tuple((i, v) for i, v in enumerate(dense) if v)
        rebuilt = LinkBuf.from_slots(tail, dense)
        assert rebuilt == lb and hash(rebuilt) == hash(lb)


def test_capacity_must_be_a_power_of_two() -> None:
    """LNK-1: the slot of ``pos`` is ``pos & (capacity - 1)``, which needs a power of two; a
    bad capacity is refused with an error naming it."""
    with pytest.raises(ValueError, match=r"power of two.*12"):
        LinkBuf.empty(12, 0)
    with pytest.raises(ValueError, match=r"power of two.*3"):
        LinkBuf.from_slots(0, [0, 0, 0])
