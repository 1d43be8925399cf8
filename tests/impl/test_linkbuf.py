"""The link buffer (LNK-1..LNK-5): ring of distances, single traverser, space rule."""

from __future__ import annotations

import itertools
import random
import threading
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl.linkbuf import LinkBuf


def test_traversal_follows_links_and_stops_at_the_first_missing_one() -> None:
    """LNK-1..LNK-3: links added out of order; traversal stops at the hole, clears slots."""
    lb = LinkBuf(16, start=100)
    lb.add_link(110, 115)
    lb.add_link(100, 104)
    assert lb.traverse() == (100, 104)  # 104 -> ? missing: stop
    lb.add_link(104, 110)
    assert lb.traverse() == (104, 115)
    assert lb.tail == 115
    assert lb.validate_no_links() == []  # LNK-3: traversed slots are cleared


def test_has_space_is_one_capacity_from_the_tail() -> None:
    """LNK-4: a link at position a may be added only when a < tail + capacity."""
    lb = LinkBuf(8, start=0)
    assert lb.has_space(7) and not lb.has_space(8)
    with pytest.raises(ValueError, match="no space"):
        lb.add_link(8, 9)
    lb.add_link(0, 3)
    lb.traverse()
    assert lb.has_space(10) and not lb.has_space(11)


def test_a_link_longer_than_the_capacity_is_a_distance() -> None:
    """LNK-1: the slot stores the distance; the link's length is not limited by the ring."""
    lb = LinkBuf(4, start=0)
    lb.add_link(0, 1000)
    assert lb.traverse() == (0, 1000)


def test_traversal_limit_stops_before_following() -> None:
    """WR-1 through LinkBuf: a limit stops before following a link starting at or past it."""
    lb = LinkBuf(64, start=0)
    for a in range(0, 40, 10):
        lb.add_link(a, a + 10)
    assert lb.traverse(limit=15) == (0, 20)  # follows 0->10 and 10->20, not 20->30


def test_bad_links_are_refused() -> None:
    """LNK-1, LNK-4: backward links, links below the tail and occupied slots are refused."""
    lb = LinkBuf(8, start=10)
    with pytest.raises(ValueError, match="forward"):
        lb.add_link(12, 12)
    with pytest.raises(ValueError, match="below"):
        lb.add_link(5, 11)
    lb.add_link(12, 13)
    lb2 = LinkBuf(8, start=10)
    lb2.add_link(12, 13)
    with pytest.raises(ValueError, match="occupied"):
        lb2.add_link(12, 14)
    with pytest.raises(ValueError, match="power of two"):
        LinkBuf(12)


@given(st.lists(st.integers(1, 9), min_size=1, max_size=40), st.randoms(use_true_random=False),
       st.sampled_from([4, 8, 64]))
def test_no_holes_under_any_order(sizes: list[int], rnd: random.Random, cap: int) -> None:
    """LNK-5: whatever the order of adds and traversals, every lsn below the tail was covered
    by an added link, and the tail reaches the end once every link is in."""
    bounds = [0]
    for s in sizes:
        bounds.append(bounds[-1] + s)
    links = list(itertools.pairwise(bounds))
    pending = links[:]
    rnd.shuffle(pending)
    lb = LinkBuf(cap, start=0)
    added: set[tuple[int, int]] = set()
    while pending:
        addable = [lk for lk in pending if lb.has_space(lk[0])]
        if addable and rnd.random() < 0.7:
            link = rnd.choice(addable)
            lb.add_link(*link)
            added.add(link)
            pending.remove(link)
        else:
            lb.traverse()
        covered = {a for a, b in added for a in range(a, b)}
        assert all(x in covered for x in range(lb.tail)), "a hole below the tail (LNK-5)"
    lb.traverse()
    assert lb.tail == bounds[-1]


def test_many_adders_one_traverser_threads() -> None:
    """LNK-4/LNK-5 with real threads: 4 adders claim consecutive ranges, one traverser."""
    lb = LinkBuf(64, start=0)
    n = 600
    counter = iter(range(n))
    lock = threading.Lock()

    def adder() -> None:
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            while not lb.has_space(i * 3):
                time.sleep(0)
            lb.add_link(i * 3, i * 3 + 3)

    def traverser() -> None:
        while lb.tail < 3 * n:
            lb.traverse()
            time.sleep(0)

    threads = [threading.Thread(target=adder) for _ in range(4)]
    threads.append(threading.Thread(target=traverser))
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert lb.tail == 3 * n
