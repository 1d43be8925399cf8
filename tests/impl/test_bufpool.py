"""The minimal buffer pool: flush lists, order lag, page cleaner (CP-2, CP-3, CP-6)."""

from __future__ import annotations

import pytest

from impl.config import LogConfig
from impl.datafile import DataFile
from impl.faultstore import FaultStore
from impl.records import Record
from impl.redolog import RedoLog


def make() -> tuple[FaultStore, RedoLog]:
    store = FaultStore()
    cfg = LogConfig.small(n_flush_lists=2, recent_closed_size=1024, n_pages=8)
    return store, RedoLog.create(store, cfg, threads=False)


def test_first_modification_sets_oldest_later_ones_only_newest() -> None:
    """USR-4, facts §2.3 step 5: oldest_modification = the first group's start lsn; every
    group sets newest_modification and page_lsn to its end lsn and replaces the payload."""
    _, log = make()
    pool = log.bufpool
    assert pool.add_dirty_pages(9000, 9100, [Record(2, b"a")]) == [2]
    assert pool.add_dirty_pages(9200, 9300, [Record(2, b"b")]) == []
    page = pool.pages[2]
    assert (page.oldest_modification, page.newest_modification) == (9000, 9300)
    assert (page.page_lsn, page.payload) == (9300, b"b")
    assert pool.dirty_pages() == [(2, 9000, 9300)]


def test_oldest_lwm_uses_the_earliest_added_page_of_each_list() -> None:
    """CP-2: the first page of each flush list, not the minimum over all pages."""
    _, log = make()
    pool = log.bufpool
    assert pool.oldest_modification_lwm() == 0
    pool.add_dirty_pages(12000, 12010, [Record(0, b"x")])  # list 0 first
    pool.add_dirty_pages(11500, 11510, [Record(2, b"x")])  # list 0, added later, smaller
    pool.add_dirty_pages(13000, 13010, [Record(1, b"x")])  # list 1 first
    assert pool.oldest_modification_lwm() == 12000
    assert pool.flush_order_violations == 0  # 11500 >= 12000 - L


def test_a_page_added_more_than_the_lag_too_early_is_a_violation() -> None:
    """CP-3: adding oldest_modification < first page's - L breaks the relaxed order."""
    _, log = make()
    pool = log.bufpool
    pool.add_dirty_pages(12000, 12010, [Record(0, b"x")])
    pool.add_dirty_pages(12000 - 1024 - 1, 12000, [Record(2, b"x")])
    assert pool.flush_order_violations == 1


def test_the_page_cleaner_obeys_the_write_ahead_rule() -> None:
    """CP-6: a page is written only when flushed_to_disk_lsn >= its newest modification;
    then it leaves its flush list and the data file holds (page_lsn, payload)."""
    store, log = make()
    pool = log.bufpool
    pool.add_dirty_pages(8204, 8300, [Record(5, b"five")])
    writes_before = store.io_count
    assert not log.page_cleaner.step()
    assert store.io_count == writes_before
    log.flushed_to_disk_lsn = 8299
    assert not log.page_cleaner.step()
    log.flushed_to_disk_lsn = 8300
    assert log.page_cleaner.step()
    assert pool.n_dirty() == 0 and pool.oldest_modification_lwm() == 0
    assert DataFile.open(store).read_page(5) == (8300, b"five")
    assert log.counters()["pages_flushed"] == 1


def test_the_cleaner_flushes_the_oldest_flushable_page_first() -> None:
    """CP-6, CP-2: of the flushable pages the cleaner takes the oldest modification first."""
    _, log = make()
    pool = log.bufpool
    pool.add_dirty_pages(9000, 9900, [Record(0, b"x")])  # list 0, not flushable yet
    pool.add_dirty_pages(9100, 9200, [Record(2, b"x")])  # list 0, flushable
    pool.add_dirty_pages(9050, 9150, [Record(1, b"x")])  # list 1, flushable
    log.flushed_to_disk_lsn = 9500
    picked = log.page_cleaner.pick()
    assert picked is not None and picked.page_no == 1


def test_records_for_missing_pages_or_oversized_payloads_are_refused() -> None:
    """Bad records are refused with a message naming the page."""
    _, log = make()
    with pytest.raises(ValueError, match=r"pages 0\.\.7"):
        log.bufpool.check_records([Record(8, b"x")])
    with pytest.raises(ValueError, match="exceeds"):
        log.bufpool.check_records([Record(0, bytes(10_000))])


def test_groups_added_out_of_lsn_order_leave_the_newest_payload() -> None:
    """CP-3's relaxed order: a later group may add its pages first; the page keeps the newer
    group's payload and page_lsn, newest_modification the max, oldest_modification the min."""
    _, log = make()
    pool = log.bufpool
    pool.add_dirty_pages(9500, 9600, [Record(4, b"newer")])
    pool.add_dirty_pages(9300, 9400, [Record(4, b"older")])
    page = pool.pages[4]
    assert (page.page_lsn, page.payload) == (9600, b"newer")
    assert (page.oldest_modification, page.newest_modification) == (9300, 9600)
