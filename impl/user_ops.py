"""The blocking user operations of :class:`impl.redolog.RedoLog` (USR-1..USR-7, facts §2.3).

``reserve`` -> ``copy`` -> ``set_first_rec_group`` -> ``add_link`` -> ``add_dirty_pages`` ->
``close_handle`` -> ``wait_for_write`` / ``wait_for_flush``, and ``commit(records)``, which
does all of them for one record group. Each blocking operation is a generator of points
(:data:`impl.threads.Point`) that the blocking form runs with ``_drive`` (waiting on each
:class:`~impl.threads.Wait`, sleeping on each :class:`~impl.threads.Sleep`); the liveness check
runs the same generators one point at a time. The non-blocking steps they are made of
(``user_reserve``, ``user_copy_to_log_buffer``, ...) are RedoLog's own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from impl.errors import WaitBeyondReservedLsn
from impl.events import Event
from impl.format import BLOCK_SIZE
from impl.records import Record, encode_group
from impl.threads import PREEMPT, Point, Sleep, Wait

if TYPE_CHECKING:
    import threading

    from impl.bufpool import BufferPool
    from impl.closer import Closer, Tracker
    from impl.config import LogConfig
    from impl.linkbuf import LinkBuf
    from impl.logbuffer import LogBuffer
    from impl.logfiles import LogFiles
    from impl.redolog import Handle


def _align_up(value: int) -> int:
    return -(-value // BLOCK_SIZE) * BLOCK_SIZE


class BlockingUserOps:
    """Mixed into :class:`~impl.redolog.RedoLog`: the user operations that wait, built on its
    non-blocking steps. The declarations below are the part of RedoLog they use (mypy checks
    that RedoLog defines each with this type)."""

    if TYPE_CHECKING:
        config: LogConfig
        files: LogFiles
        buffer: LogBuffer
        recent_written: LinkBuf
        recent_closed: LinkBuf
        bufpool: BufferPool
        closer: Closer | None
        tracker: Tracker | None
        write_lsn: int
        checkpoint_lsn: int
        writer_event: Event
        flusher_event: Event
        closer_event: Event
        checkpointer_event: Event
        buffer_space_event: Event
        free_check_event: Event
        _local: threading.local

        @property
        def current_lsn(self) -> int: ...
        def _check_usable(self, operation: str) -> None: ...
        def _count(self, name: str, n: int = 1) -> None: ...
        def sync_point(self, name: str) -> None: ...
        def request_sync_flush(self) -> None: ...
        def reserve_fits(self, size: int) -> bool: ...
        def try_user_reserve(self, size: int, *, thread: str | None = None,
                             page: int | None = None, wait: str | None = None
                             ) -> Handle | None: ...
        def user_copy_to_log_buffer(self, handle: Handle, data: bytes, *,
                                    thread: str | None = None) -> bool: ...
        def user_set_first_rec_group(self, handle: Handle, *,
                                     thread: str | None = None) -> bool: ...
        def user_add_recent_written_link(self, handle: Handle, *,
                                         thread: str | None = None) -> bool: ...
        def user_add_dirty_pages(self, handle: Handle, records: Sequence[Record], *,
                                 thread: str | None = None) -> bool: ...
        def user_add_recent_closed_link(self, handle: Handle, *,
                                        thread: str | None = None) -> bool: ...
        def user_report_added(self, handle: Handle, *, thread: str | None = None) -> bool: ...
        def _wait_parts(self, lsn: int, kind: str) -> tuple[Event, Callable[[], bool]]: ...

    # Each blocking operation is a generator of points (:data:`Point`) that the blocking form
    # runs with :meth:`_drive` (waiting on each :class:`Wait`, sleeping on each
    # :class:`Sleep`); the liveness check runs the same generators one point at a time.
    def _timeout(self, seconds: float) -> float | None:
        return None if self.config.event_only else seconds

    def _drive(self, steps: Iterator[Point]) -> Any:
        """Run a step generator as a blocking call: wait, sleep, return its value."""
        while True:
            try:
                point = next(steps)
            except StopIteration as done:
                return done.value
            if isinstance(point, Wait):
                point.event.wait(point.count, point.timeout)
            elif isinstance(point, Sleep):
                time.sleep(point.seconds)

    def _may_add_dirty_pages(self, start_lsn: int) -> bool:
        """Would :meth:`user_add_dirty_pages` let a group starting at ``start_lsn`` in now?
        8.0: recent-closed space; 9.0: within the order lag of what the tracker can reach."""
        ring = self.recent_closed
        if self.tracker is None:
            return ring.has_space(start_lsn)
        return start_lsn < ring.reach() + ring.capacity

    def _sleep_for_space_steps(self, counter: str, kick: Event, ready: Callable[[], bool],
                               what: str) -> Iterator[Point]:
        self._check_usable("wait")
        self._count(counter)
        kick.set()
        yield Sleep(kick, ready, what, self.config.link_wait_sleep_us * 1e-6)

    def reserve_steps(self, size: int, *, page: int | None = None, wait: str | None = None
                      ) -> Generator[Point, None, Handle]:
        """:meth:`reserve` as a generator of points; returns the handle."""
        while True:
            handle = self.try_user_reserve(size, page=page, wait=wait)
            if handle is not None:
                return handle
            self._check_usable("reserve")
            self._count("reserve_capacity_waits")
            self.request_sync_flush()
            yield PREEMPT  # the checkpointer may make room here: hence the re-check below
            count = self.free_check_event.reset()
            if not self.reserve_fits(size):
                yield Wait(self.free_check_event, count, "reservation space",
                           self._timeout(1e-3))

    def reserve(self, size: int, *, page: int | None = None, wait: str | None = None) -> Handle:
        """USR-1: reserve ``size`` data bytes once the group fits below the capacity limit
        with log_free_check's margin (:meth:`try_user_reserve`; waits counted as
        ``reserve_capacity_waits``, the page cleaner and checkpointer are asked for space). The
        buffer space wait happens in :meth:`copy`."""
        handle: Handle = self._drive(self.reserve_steps(size, page=page, wait=wait))
        return handle

    def copy_steps(self, handle: Handle, data: bytes) -> Iterator[Point]:
        """USR-1: copy into the log buffer, waiting for the writer to free space (SYS-4)."""
        while not self.user_copy_to_log_buffer(handle, data):
            self._count("log_buffer_waits")
            target = _align_up(handle.end_lsn) - self.buffer.size
            self.writer_event.set()
            yield PREEMPT  # the writer may free the space here: hence the re-check below
            count = self.buffer_space_event.reset()
            if self.write_lsn - self.write_lsn % BLOCK_SIZE < target:
                self._check_usable("copy")
                yield Wait(self.buffer_space_event, count, "log buffer space",
                           self._timeout(self.config.user_wait_timeout_us * 1e-6))

    def copy(self, handle: Handle, data: bytes) -> None:
        """USR-1: copy into the log buffer, waiting for the writer to free space (SYS-4)."""
        self._drive(self.copy_steps(handle, data))

    def set_first_rec_group(self, handle: Handle) -> bool:
        """USR-2 (see :meth:`user_set_first_rec_group`)."""
        return self.user_set_first_rec_group(handle)

    def add_link_steps(self, handle: Handle) -> Iterator[Point]:
        """USR-3: add the recent-written link, waiting for space (LNK-4; counted)."""
        while not self.user_add_recent_written_link(handle):
            yield from self._sleep_for_space_steps(
                "recent_written_waits", self.writer_event,
                lambda: self.recent_written.has_space(handle.start_lsn), "recent_written space")

    def add_link(self, handle: Handle) -> None:
        """USR-3: add the recent-written link, waiting for space (LNK-4; counted)."""
        self._drive(self.add_link_steps(handle))

    def add_dirty_pages_steps(self, handle: Handle, records: Sequence[Record]
                              ) -> Iterator[Point]:
        """USR-4: add dirty pages, waiting for recent-closed (tracker) space (CP-3; counted)."""
        while not self.user_add_dirty_pages(handle, records):
            # 8.0: the closer advances the tail; 9.0: the checkpointer asks the tracker
            yield from self._sleep_for_space_steps(
                "recent_closed_waits",
                self.closer_event if self.closer is not None else self.checkpointer_event,
                lambda: self._may_add_dirty_pages(handle.start_lsn), "recent_closed space")

    def add_dirty_pages(self, handle: Handle, records: Sequence[Record]) -> None:
        """USR-4: add dirty pages, waiting for recent-closed (tracker) space (CP-3; counted)."""
        self._drive(self.add_dirty_pages_steps(handle, records))

    def close_steps(self, handle: Handle) -> Iterator[Point]:
        """USR-4: 8.0 recent-closed link / 9.0 report to the tracker."""
        if self.config.version == "8.0":
            while not self.user_add_recent_closed_link(handle):
                yield from self._sleep_for_space_steps(
                    "recent_closed_waits", self.closer_event,
                    lambda: self.recent_closed.has_space(handle.start_lsn),
                    "recent_closed space")
            if self.config.event_only:
                # event_only: the closer has no timeout to find the new link by (MySQL's
                # closer polls), so the user who added it wakes it
                self.closer_event.set()
        else:
            while not self.user_report_added(handle):
                yield from self._sleep_for_space_steps(
                    "recent_closed_waits", self.closer_event,
                    lambda: self.recent_closed.has_space(handle.start_lsn),
                    "flush_list_added space")

    def close_handle(self, handle: Handle) -> None:
        """USR-4: 8.0 recent-closed link / 9.0 report to the tracker."""
        self._drive(self.close_steps(handle))

    def wait_steps(self, lsn: int, kind: str) -> Iterator[Point]:
        """USR-5/6: spin, then reset/check/wait on the slot event with a growing timeout."""
        if lsn > self.current_lsn:
            raise WaitBeyondReservedLsn(f"wait_for_{kind}", lsn, self.current_lsn)
        event, condition = self._wait_parts(lsn, kind)
        if condition():
            return
        self._check_usable(f"wait_for_{kind}")
        self.writer_event.set()
        if kind == "flush":
            self.flusher_event.set()
        for _ in range(self.config.user_spin):
            if condition():
                return
        self._count(f"{kind}_waits")
        timeout = self.config.user_wait_timeout_us * 1e-6
        waits = 0
        while True:
            yield PREEMPT  # the writer / flusher may get there here: hence the re-check below
            count = event.reset()
            if condition():
                return
            self._check_usable(f"wait_for_{kind}")
            yield Wait(event, count, f"wait_for_{kind}({lsn})", self._timeout(timeout))
            waits += 1
            if waits % 4 == 0:
                timeout = min(timeout * 2, self.config.user_wait_timeout_max_us * 1e-6)
            if not condition():
                self.writer_event.set()  # re-kick the writer on every real wait (facts §6.3)
                if kind == "flush":
                    self.flusher_event.set()

    def _wait(self, lsn: int, kind: str) -> None:
        """USR-5/6: spin, then reset/check/wait on the slot event with a growing timeout."""
        self._drive(self.wait_steps(lsn, kind))

    def wait_for_write(self, lsn: int) -> None:
        """USR-5: return once write_lsn >= lsn."""
        self._wait(lsn, "write")

    def wait_for_flush(self, lsn: int) -> None:
        """USR-6: return once flushed_to_disk_lsn >= lsn."""
        self._wait(lsn, "flush")

    def free_check_steps(self) -> Iterator[Point]:
        """log_free_check (see :meth:`free_check`)."""
        capacity = self.files.capacity
        while self.current_lsn > self.checkpoint_lsn + capacity * 3 // 4:
            self._check_usable("commit")
            self._count("free_check_waits")
            self.request_sync_flush()
            yield PREEMPT  # the checkpointer may make room here: hence the re-check below
            count = self.free_check_event.reset()
            if self.current_lsn > self.checkpoint_lsn + capacity * 3 // 4:
                yield Wait(self.free_check_event, count, "log free check", self._timeout(1e-3))

    def free_check(self) -> None:
        """log_free_check (facts §7.7): before a group, wait while the log is too full.

        A group may start only while ``current_lsn <= checkpoint_lsn + 3/4 capacity``; the
        rest is the concurrency margin for groups in flight (each at most 1/4 capacity / number
        of threads in practice). Without it a writer blocked on capacity (WR-9) could wait for
        a checkpoint that waits for a page that waits for the writer.
        """
        self._drive(self.free_check_steps())

    def commit_steps(self, records: Sequence[Record], *, durable: bool = True,
                     thread: str | int | None = None) -> Generator[Point, None, int]:
        """:meth:`commit` as a generator of points (see :meth:`commit`); returns the end lsn."""
        self._check_usable("commit")
        if thread is not None:
            self._local.name = str(thread)
        self.bufpool.check_records(records)
        data = encode_group(records)
        yield from self.free_check_steps()
        latches = [self.bufpool.pages[no].latch for no in sorted({r.page_no for r in records})]
        for latch in latches:
            latch.acquire()
        try:
            handle = yield from self.reserve_steps(
                len(data), wait="flush" if durable else "none",
                page=records[0].page_no if len(records) == 1 else None)
            yield PREEMPT
            self.sync_point("log_buffer_write_before_memcpy")
            yield from self.copy_steps(handle, data)
            yield PREEMPT
            self.sync_point("log_buffer_set_first_record_group_before_update")
            self.set_first_rec_group(handle)
            self.sync_point("log_buffer_write_completed_before_store")
            yield from self.add_link_steps(handle)
            yield PREEMPT
            self.sync_point("log_buffer_add_dirty_pages")
            yield from self.add_dirty_pages_steps(handle, records)
            yield PREEMPT
            self.sync_point("log_buffer_close")
            yield from self.close_steps(handle)
        finally:
            for latch in reversed(latches):
                latch.release()
        self._count("commits")
        if durable:
            yield PREEMPT
            self.sync_point("log_wait_for_flush_before_wait")
            yield from self.wait_steps(handle.end_lsn, "flush")
        return handle.end_lsn

    def commit(self, records: Sequence[Record], *, durable: bool = True,
               thread: str | int | None = None) -> int:
        """One durable record group: frame, reserve, copy, link, add pages, close, wait for
        flush. Returns the group's end lsn, flushed to disk when this returns (USR-1..USR-6).
        With ``durable=False`` it returns without waiting (a mini-transaction commit; call
        :meth:`wait_for_flush` later, as a transaction commit does). ``thread`` names the user
        in the trace (``user:<thread>``, the spec's ``thread`` argument) from now on for the
        calling OS thread.

        The pages the group modifies are latched (in page order) from before the reservation
        until the group is closed, as a mini-transaction holds its page latches: so the groups
        that modify one page are in lsn order, and page_lsn only grows.
        """
        end_lsn: int = self._drive(self.commit_steps(records, durable=durable, thread=thread))
        return end_lsn
