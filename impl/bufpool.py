"""A minimal but real buffer pool: pages, flush lists and a page cleaner (CP-2, CP-3, CP-6).

* Every page of the data file (:class:`impl.datafile.DataFile`) is in memory with its
  ``page_lsn`` and payload. A record of a group replaces the payload of one page; the page's
  ``page_lsn`` becomes the group's end lsn.
* A page modified while clean gets ``oldest_modification`` = the group's start lsn and is
  appended to flush list ``page_no % n_flush_lists``; every modification sets
  ``newest_modification`` = the group's end lsn (USR-4, facts §2.3 step 5).
* Flush lists are ordered only up to the lag L (CP-3): users add pages in any order, but only
  once ``start_lsn < dirty_pages_added_up_to_lsn + L`` (the recent-closed space wait), so a page
  is never added with an oldest_modification more than L below the earliest-added page's. The
  pool counts violations (``flush_order_violations``; it must stay 0).
* Groups may add their pages in any order (the design's relaxed order, and stepped tests choose
  any interleaving): a record only replaces a page whose page_lsn is not newer than its group,
  ``newest_modification`` only grows and ``oldest_modification`` only shrinks, so the page
  always holds the newest group's payload and SYS-2 keeps its meaning. (:meth:`RedoLog.commit`
  also latches the pages, as a mini-transaction does.)
* :meth:`BufferPool.oldest_modification_lwm` is what the checkpointer reads: the smallest
  oldest_modification among the earliest-added page of each list (CP-2).
* The :class:`PageCleaner` writes a dirty page to the data file only when the log is durable
  past the page's newest modification (``flushed_to_disk_lsn >= newest_modification``, the
  write-ahead logging rule, CP-6), then removes it from its flush list so that the oldest lsn,
  and with it the checkpoint, can advance.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

from impl.datafile import DataFile
from impl.records import Record

if TYPE_CHECKING:
    from impl.redolog import RedoLog


class Page:
    """One page in memory; ``latch`` serialises the groups that modify it (a mtr's x-latch)."""

    __slots__ = ("latch", "newest_modification", "oldest_modification", "page_lsn", "page_no",
                 "payload")

    def __init__(self, page_no: int, page_lsn: int, payload: bytes) -> None:
        self.page_no = page_no
        self.page_lsn = page_lsn
        self.payload = payload
        self.oldest_modification = 0  # 0: clean
        self.newest_modification = 0
        self.latch = threading.Lock()


class BufferPool:
    """All pages of the data file, and ``n_flush_lists`` flush lists of dirty pages."""

    def __init__(self, datafile: DataFile, n_flush_lists: int, order_lag: int) -> None:
        self.datafile = datafile
        self.order_lag = order_lag
        self.lock = threading.Lock()
        self.pages = [Page(no, *datafile.read_page(no)) for no in range(datafile.n_pages)]
        # dicts keep insertion order: the first item is the earliest-added page
        self.flush_lists: list[dict[int, Page]] = [{} for _ in range(n_flush_lists)]
        self.flush_order_violations = 0
        self.data_file_dirty = False

    @property
    def n_pages(self) -> int:
        return len(self.pages)

    def check_records(self, records: Iterable[Record]) -> None:
        """Refuse records for pages that do not exist or payloads a page cannot hold."""
        for record in records:
            if not 0 <= record.page_no < len(self.pages):
                raise ValueError(
                    f"record for page {record.page_no}: the data file has pages "
                    f"0..{len(self.pages) - 1}"
                )
            if len(record.payload) > self.datafile.max_payload:
                raise ValueError(
                    f"record for page {record.page_no}: payload of {len(record.payload)} bytes "
                    f"exceeds the page's {self.datafile.max_payload}"
                )

    def add_dirty_pages(self, start_lsn: int, end_lsn: int, records: Iterable[Record]) -> list[int]:
        """Apply ``records`` and add newly dirtied pages to their flush lists (USR-4, CP-3).

        Returns the page numbers that became dirty.
        """
        added = []
        with self.lock:
            for record in records:
                page = self.pages[record.page_no]
                if end_lsn >= page.page_lsn:  # the newer group wins, whatever the order
                    page.payload = record.payload
                    page.page_lsn = end_lsn
                page.newest_modification = max(page.newest_modification, end_lsn)
                if page.oldest_modification:
                    page.oldest_modification = min(page.oldest_modification, start_lsn)
                else:
                    flush_list = self.flush_lists[page.page_no % len(self.flush_lists)]
                    if flush_list:
                        first = next(iter(flush_list.values()))
                        if start_lsn + self.order_lag < first.oldest_modification:
                            self.flush_order_violations += 1
                    page.oldest_modification = start_lsn
                    flush_list[page.page_no] = page
                    added.append(page.page_no)
        return added

    def oldest_modification_lwm(self) -> int:
        """The smallest oldest_modification of the earliest-added page of each list; 0 if clean."""
        with self.lock:
            firsts = [next(iter(fl.values())).oldest_modification for fl in self.flush_lists if fl]
        return min(firsts) if firsts else 0

    def n_dirty(self) -> int:
        with self.lock:
            return sum(len(fl) for fl in self.flush_lists)

    def dirty_pages(self) -> list[tuple[int, int, int]]:
        """(page_no, oldest_modification, newest_modification) of every dirty page, list order."""
        with self.lock:
            return [(p.page_no, p.oldest_modification, p.newest_modification)
                    for fl in self.flush_lists for p in fl.values()]

    def fsync_data_file(self) -> None:
        """Make the page cleaner's writes durable (before a checkpoint passes them)."""
        if self.data_file_dirty:
            self.data_file_dirty = False
            try:
                self.datafile.fsync()
            except BaseException:
                self.data_file_dirty = True
                raise


class PageCleaner:
    """Flushes dirty pages whose newest modification is durable in the log (CP-6)."""

    actor = "page_cleaner"

    def __init__(self, log: RedoLog) -> None:
        self.log = log
        self.pages_flushed = 0

    def pick(self) -> Page | None:
        """The flushable page with the smallest oldest_modification among each list's first
        flushable page (flushable: newest_modification <= flushed_to_disk_lsn, CP-6)."""
        pool = self.log.bufpool
        flushed = self.log.flushed_to_disk_lsn
        best: Page | None = None
        with pool.lock:
            for flush_list in pool.flush_lists:
                for page in flush_list.values():
                    if page.newest_modification <= flushed:
                        if best is None or page.oldest_modification < best.oldest_modification:
                            best = page
                        break
        return best

    def step(self) -> bool:
        """Write one flushable dirty page to the data file and remove it from its flush list."""
        log = self.log
        pool = log.bufpool
        page = self.pick()
        if page is None:
            return False
        with pool.lock:
            page_lsn, payload = page.page_lsn, page.payload
            newest, oldest = page.newest_modification, page.oldest_modification
        flushed = log.flushed_to_disk_lsn
        if newest > flushed or oldest == 0:
            return False
        log.sync_point("page_cleaner_before_write")
        try:
            pool.datafile.write_page(page.page_no, page_lsn, payload)
        except OSError as exc:
            raise log.fail(f"write of data page {page.page_no}", exc) from exc
        pool.data_file_dirty = True
        with log.traced(self.actor, "page_cleaner_flush_page") as ev, pool.lock:
            if page.newest_modification == newest and page.oldest_modification:
                del pool.flush_lists[page.page_no % len(pool.flush_lists)][page.page_no]
                page.oldest_modification = 0
                page.newest_modification = 0
                removed = True
            else:
                removed = False  # modified again meanwhile: stays dirty, flushed later
            ev.update(page=page.page_no, oldest_modification=oldest, newest_modification=newest,
                      page_lsn=page_lsn, flushed_to_disk_lsn=flushed, removed=removed)
        self.pages_flushed += 1
        return True

    def try_flush_list(self, list_no: int) -> bool:
        """Stepped mode: write the earliest-added page of flush list ``list_no`` if the WAL
        rule allows it (CP-6: ``newest_modification <= flushed_to_disk_lsn``), else False and
        nothing changes (the spec's ``page_cleaner_flush_page(list)`` choice)."""
        log = self.log
        pool = log.bufpool
        with pool.lock:
            flush_list = pool.flush_lists[list_no]
            page = next(iter(flush_list.values()), None)
            if page is None:
                return False
            page_lsn, payload = page.page_lsn, page.payload
            newest, oldest = page.newest_modification, page.oldest_modification
        flushed = log.flushed_to_disk_lsn
        if newest > flushed or oldest == 0:
            return False
        try:
            pool.datafile.write_page(page.page_no, page_lsn, payload)
        except OSError as exc:
            raise log.fail(f"write of data page {page.page_no}", exc) from exc
        pool.data_file_dirty = True
        with log.traced(self.actor, "page_cleaner_flush_page") as ev, pool.lock:
            del flush_list[page.page_no]
            page.oldest_modification = 0
            page.newest_modification = 0
            ev.update(page=page.page_no, oldest_modification=oldest, newest_modification=newest,
                      page_lsn=page_lsn, flushed_to_disk_lsn=flushed, removed=True)
        self.pages_flushed += 1
        return True

    def needs_flush(self) -> bool:
        """CP-5 (simplified): flush when too many pages are dirty, the oldest modification is too
        old for the log capacity, or a user/the writer asked for a sync flush."""
        log = self.log
        cfg = log.config
        pool = log.bufpool
        if log.sync_flush_requested:
            return True
        if pool.n_dirty() * 100 > cfg.max_dirty_pages_pct * pool.n_pages:
            return True
        oldest = pool.oldest_modification_lwm()
        age = log.current_lsn - oldest
        return bool(oldest) and age * 100 > cfg.flush_age_pct * log.files.capacity
