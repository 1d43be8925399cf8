"""``RedoLog``: the redo log's public API and its shared state.

A ``RedoLog`` owns the log buffer, the two link buffers, the event slots, the log files, the
data file with its buffer pool, and one object per thread of the design (DESIGN.md §4):

========================  ==================================  ===============================
object                    class                               requirement IDs
========================  ==================================  ===============================
``log.writer``            :class:`impl.writer.Writer`         WR-1..WR-9
``log.flusher``           :class:`impl.flusher.Flusher`       FL-1..FL-3
``log.write_notifier``    :class:`impl.notifier.Notifier`     NT-1..NT-4
``log.flush_notifier``    :class:`impl.notifier.Notifier`     NT-5
``log.closer``            :class:`impl.closer.Closer` (8.0)   CP-1
``log.tracker``           :class:`impl.closer.Tracker` (9.0)  CP-1
``log.checkpointer``      :class:`impl.checkpointer.Checkpointer`  CP-2..CP-5, CP-7, FMT-10
``log.page_cleaner``      :class:`impl.bufpool.PageCleaner`   CP-6
========================  ==================================  ===============================

Each has ``step() -> bool``. With ``threads=True`` each runs in its own thread
(:mod:`impl.threads`): spin (call ``step`` a few times), then reset its event, step once more,
and wait on the event with a timeout (os_event's protocol, so a wake-up between the check and
the wait is not lost). With ``threads=False`` nothing runs by itself: tests call the steps in
any order they like. Reopening after a crash is :func:`impl.recovery.recover` followed by
:func:`impl.recovery.resume_point`.

User operations, in the design's order (USR-1..USR-7, facts §2.3):
``reserve`` -> ``copy`` -> ``set_first_rec_group`` -> ``add_link`` -> ``add_dirty_pages`` ->
``close_handle`` -> ``wait_for_write`` / ``wait_for_flush``; ``commit(records)`` does all of
them for one record group and returns once the group is durable (:mod:`impl.user_ops`). They
are made of non-blocking steps named like the spec's actions (``user_reserve``,
``user_copy_to_log_buffer``, ..., they return False instead of waiting), defined here and
called directly by stepped tests.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import attrs

from impl import recovery
from impl.bufpool import BufferPool, PageCleaner
from impl.checkpointer import Checkpointer
from impl.closer import Closer, Tracker
from impl.config import LogConfig
from impl.datafile import DataFile
from impl.errors import LogClosed, LogFailed, LogThreadDied
from impl.events import Event, EventSlots
from impl.flusher import Flusher
from impl.format import (
    BLOCK_SIZE,
    HDR_SIZE,
    lsn_to_sn,
    set_first_rec_group,
    sn_to_lsn,
)
from impl.linkbuf import LinkBuf
from impl.logbuffer import LogBuffer
from impl.logfiles import LogFileError, LogFiles, file_name
from impl.notifier import Notifier
from impl.records import Record
from impl.storage import DirStore, Store
from impl.threads import ActorThread, Point
from impl.threads import actor_loops as _actor_loops
from impl.threads import start_threads as _start_threads
from impl.threads import stop_threads as _stop_threads
from impl.trace import Trace, Values, untraced
from impl.user_ops import BlockingUserOps, _align_up
from impl.writer import Writer

DATA_FILE = "redospec.ibd"


@attrs.frozen
class Handle:
    """A reserved range: sn [start_sn, end_sn) = lsn [start_lsn, end_lsn) (USR-1)."""

    start_sn: int
    end_sn: int
    start_lsn: int
    end_lsn: int

    @property
    def size(self) -> int:
        return self.end_sn - self.start_sn


class RedoLog(BlockingUserOps):
    """The redo log (see the module docstring). Build it with :meth:`create` or :meth:`open`."""

    def __init__(self, store: Store, config: LogConfig, files: LogFiles, datafile: DataFile, *,
                 start_lsn: int, checkpoint_lsn: int, next_checkpoint_no: int,
                 last_block: bytes | None, threads: bool, trace: bool) -> None:
        self.store = store
        self.config = config
        self.files = files
        self.trace: Trace | None = Trace() if trace else None
        self.traced: Callable[[str, str], contextlib.AbstractContextManager[Values]] = (
            self.trace.step if self.trace is not None else untraced
        )
        # --- the shared lsn values of log_t (SYS-1) ---
        self._sn_lock = threading.Lock()
        self.sn = lsn_to_sn(start_lsn)
        self.write_lsn = start_lsn
        self.flushed_to_disk_lsn = start_lsn
        self.available_for_checkpoint_lsn = checkpoint_lsn
        self.checkpoint_lsn = checkpoint_lsn
        self.next_checkpoint_no = next_checkpoint_no
        # --- buffers ---
        self.buffer = LogBuffer(config.log_buffer_size)
        block = self.buffer.block(start_lsn)
        if last_block is not None:
            block[:] = last_block
        else:
            set_first_rec_group(block, start_lsn % BLOCK_SIZE)
        self.recent_written = LinkBuf(config.recent_written_size, start_lsn, "recent_written")
        self.recent_closed = LinkBuf(config.recent_closed_size, start_lsn,
                                     "recent_closed" if config.version == "8.0"
                                     else "flush_list_added")
        # --- events ---
        self.write_events = EventSlots(config.write_events, "write_events")
        self.flush_events = EventSlots(config.flush_events, "flush_events")
        self.writer_event = Event("writer_event")
        self.flusher_event = Event("flusher_event")
        self.write_notifier_event = Event("write_notifier_event")
        self.flush_notifier_event = Event("flush_notifier_event")
        self.closer_event = Event("closer_event")
        self.checkpointer_event = Event("checkpointer_event")
        self.page_cleaner_event = Event("page_cleaner_event")
        self.buffer_space_event = Event("buffer_space_event")
        self.free_check_event = Event("free_check_event")
        # --- buffer pool and actors ---
        self.datafile = datafile
        self.bufpool = BufferPool(datafile, config.n_flush_lists, config.recent_closed_size)
        self.writer = Writer(self)
        self.flusher = Flusher(self)
        self.write_notifier = Notifier(self, "write")
        self.flush_notifier = Notifier(self, "flush")
        self.closer: Closer | None = Closer(self) if config.version == "8.0" else None
        self.tracker: Tracker | None = Tracker(self) if config.version == "9.0" else None
        self.checkpointer = Checkpointer(self)
        self.page_cleaner = PageCleaner(self)
        # --- bookkeeping ---
        self._counter_lock = threading.Lock()
        self._user_counters = dict(recent_written_waits=0, recent_closed_waits=0,
                                   log_buffer_waits=0, free_check_waits=0,
                                   reserve_capacity_waits=0, write_waits=0,
                                   flush_waits=0, commits=0)
        self.sync_flush_requested = False
        # test hook: called with the name of each sync point (facts §9.1, log0log-t's delays)
        self.sync_point_hook: Callable[[str], None] | None = None
        self.failed: LogFailed | None = None
        self.died: LogThreadDied | None = None
        self.closed = False
        self._threads: list[ActorThread] = []
        self._local = threading.local()  # the user name of each OS thread, for the trace
        if threads:
            self._threads = _start_threads(self)

    # ------------------------------------------------------------------ construction
    @staticmethod
    def _store(store_or_dir: Store | str | os.PathLike[str]) -> Store:
        if isinstance(store_or_dir, (str, os.PathLike)):
            return DirStore(store_or_dir)
        return store_or_dir

    @classmethod
    def create(cls, store_or_dir: Store | str | os.PathLike[str], config: LogConfig | None = None,
               *, threads: bool = True, trace: bool = False) -> RedoLog:
        """A fresh log: ib_logfile0..N-1 (FMT-9, FMT-11) and an empty data file.

        The log starts at ``config.start_lsn + 12`` (by default 8204: LOG_START_LSN + 12, the
        first data byte), where :meth:`LogFiles.create` put checkpoint number 0.
        """
        config = config or LogConfig()
        store = cls._store(store_or_dir)
        if store.exists(file_name(0)):  # checked before the data file is (re)created
            raise LogFileError(file_name(0), None, "already exists; refusing to overwrite a log")
        # The data file first: renaming ib_logfile101 to ib_logfile0 is then the last step of
        # creation (FMT-11), so a crash never leaves a log whose data file is missing.
        datafile = DataFile.create(store, n_pages=config.n_pages, page_size=config.page_size,
                                   name=DATA_FILE)
        files = LogFiles.create(store, n_files=config.n_files, file_size=config.file_size,
                                buf_size=config.log_buffer_size,
                                start_lsn=config.start_lsn)
        start = config.start_lsn + HDR_SIZE
        return cls(store, config, files, datafile, start_lsn=start, checkpoint_lsn=start,
                   next_checkpoint_no=1, last_block=None, threads=threads, trace=trace)

    @classmethod
    def open(cls, store_or_dir: Store | str | os.PathLike[str], config: LogConfig | None = None,
             *, threads: bool = True, trace: bool = False, report: Any = None) -> RedoLog:
        """Recover (unless ``report`` from :func:`impl.recovery.recover` is given) and resume
        where :func:`impl.recovery.resume_point` says (``log_start``: write_lsn =
        flushed_to_disk_lsn = the recovered lsn). The files' geometry comes from the files, not
        from ``config``."""
        store = cls._store(store_or_dir)
        if report is None:
            report = recovery.recover(store)
        files = LogFiles.open(store)
        datafile = DataFile.open(store, DATA_FILE)
        config = attrs.evolve(config or LogConfig(), n_files=files.n_files,
                              file_size=files.file_size, n_pages=datafile.n_pages,
                              page_size=datafile.page_size)
        point = recovery.resume_point(files, report)  # by module: the seeded bugs patch it
        return cls(store, config, files, datafile, start_lsn=point.start_lsn,
                   checkpoint_lsn=point.checkpoint_lsn,
                   next_checkpoint_no=point.next_checkpoint_no, last_block=point.last_block,
                   threads=threads, trace=trace)

    def actor_loops(self, stopping: Callable[[], bool] = lambda: False
                    ) -> dict[str, Iterator[Point]]:
        """Stepped mode: each background thread's loop (:func:`impl.threads.actor_loop`) as a
        generator, to be run one point at a time (the liveness check)."""
        return _actor_loops(self, stopping)

    # ------------------------------------------------------------------ shared state
    @property
    def current_lsn(self) -> int:
        """sn_to_lsn(sn): the end of everything reserved so far."""
        return sn_to_lsn(self.sn)

    @property
    def buf_ready_for_write_lsn(self) -> int:
        return self.recent_written.tail

    @property
    def dirty_pages_added_up_to_lsn(self) -> int:
        """8.0: buf_dirty_pages_added_up_to_lsn; 9.0: smallest_not_added_lsn (CP-1)."""
        return self.recent_closed.tail

    def lsn_values(self) -> dict[str, int]:
        """The lsn values of SYS-1 and SYS-2 (a consistent snapshot only in stepped mode)."""
        return dict(current_lsn=self.current_lsn,
                    buf_ready_for_write_lsn=self.buf_ready_for_write_lsn,
                    write_lsn=self.write_lsn, flushed_to_disk_lsn=self.flushed_to_disk_lsn,
                    dirty_pages_added_up_to_lsn=self.dirty_pages_added_up_to_lsn,
                    available_for_checkpoint_lsn=self.available_for_checkpoint_lsn,
                    checkpoint_lsn=self.checkpoint_lsn)

    def fsync_log_files(self) -> None:
        """fsync every log file written before this call (the flusher's fsync, FL-1).

        LogFiles marks a file dirty only after its write has landed, so a write racing this
        fsync is either synced by it or left for the next one, never lost from the set."""
        self.files.fsync()

    def request_sync_flush(self) -> None:
        """The log is short of capacity: ask the page cleaner and the checkpointer to work."""
        self.sync_flush_requested = True
        self.page_cleaner_event.set()
        self.checkpointer_event.set()

    def counters(self) -> dict[str, int]:
        """The monitor counters as one dict."""
        w, f = self.writer, self.flusher
        with self._counter_lock:
            users = dict(self._user_counters)
        return dict(
            full_block_writes=w.full_block_writes,
            partial_block_writes=w.partial_block_writes,
            write_ahead_padding_bytes=w.write_ahead_padding_bytes,
            log_writes=w.log_writes,
            log_bytes_written=w.bytes_written,
            writer_checkpoint_limited=w.checkpoint_limited,
            fsyncs=f.fsyncs,
            checkpoint_fsyncs=self.checkpointer.fsyncs,
            checkpoints=self.checkpointer.checkpoints,
            write_notifications=self.write_notifier.notifications + w.direct_notifications,
            flush_notifications=self.flush_notifier.notifications + f.direct_notifications,
            notifications=(self.write_notifier.notifications + w.direct_notifications
                           + self.flush_notifier.notifications + f.direct_notifications),
            writer_direct_notifications=w.direct_notifications,
            flusher_direct_notifications=f.direct_notifications,
            pages_flushed=self.page_cleaner.pages_flushed,
            flush_order_violations=self.bufpool.flush_order_violations,
            **users,
        )

    def sync_point(self, name: str) -> None:
        """A named point of the pipeline where tests may inject delays (log0log-t, facts §9.1)."""
        hook = self.sync_point_hook
        if hook is not None:
            hook(name)

    def _count(self, name: str, n: int = 1) -> None:
        with self._counter_lock:
            self._user_counters[name] += n

    # ------------------------------------------------------------------ failures
    def fail(self, operation: str, error: BaseException) -> LogFailed:
        """Mark the log failed after an I/O error: no more writes, every waiter wakes."""
        if self.failed is None:
            self.failed = LogFailed(operation, self.flushed_to_disk_lsn, error)
        self._wake_everyone()
        return self.failed

    def thread_died(self, name: str, error: BaseException) -> None:
        """A background thread died: remember why and wake every waiter (nothing hangs)."""
        if self.died is None:
            self.died = LogThreadDied(name, error)
        self._wake_everyone()

    def _wake_everyone(self) -> None:
        """Set every event: each background thread and each waiting user wakes and looks
        again (after a failure, a thread's death, at close, or to stop the threads)."""
        self.write_events.set_all()
        self.flush_events.set_all()
        for event in (self.writer_event, self.flusher_event, self.write_notifier_event,
                      self.flush_notifier_event, self.closer_event, self.checkpointer_event,
                      self.page_cleaner_event, self.buffer_space_event, self.free_check_event):
            event.set()

    def _check_usable(self, operation: str) -> None:
        if self.closed:
            raise LogClosed(operation)
        if self.failed is not None:
            raise self.failed
        if self.died is not None:
            raise self.died

    # ------------------------------------------------------------------ user steps
    def _user(self, thread: str | None) -> str:
        """The trace actor of a user step: ``user:<thread>``, where thread is the ``thread=``
        argument, else the name this OS thread gave in ``commit(thread=...)``, else its name."""
        if thread is None:
            thread = getattr(self._local, "name", None) or threading.current_thread().name
        return f"user:{thread}"

    def user_reserve(self, size: int, *, thread: str | None = None, page: int | None = None,
                     wait: str | None = None) -> Handle:
        """USR-1: reserve ``size`` data bytes: sn [start, start + size) (log_buffer_reserve).

        ``page`` and ``wait`` only annotate the trace with the spec's label arguments (the page
        a one-record group modifies; "write", "flush" or "none").
        """
        handle = self._reserve(size, thread, page, wait, check=False)
        assert handle is not None
        return handle

    def _reserve(self, size: int, thread: str | None, page: int | None, wait: str | None, *,
                 check: bool) -> Handle | None:
        self._check_usable("reserve")
        if size <= 0:
            raise ValueError(f"reserve({size}): a record group has at least one byte")
        limit = self.buffer.size - 2 * BLOCK_SIZE
        if sn_to_lsn(size) > limit:
            raise ValueError(f"reserve({size}): a group must fit in the log buffer "
                             f"({self.buffer.size} bytes, at most {limit} lsn bytes per group)")
        if sn_to_lsn(size) > self.files.capacity // 4:
            raise ValueError(f"reserve({size}): a group must fit in a quarter of the log "
                             f"capacity ({self.files.capacity} bytes)")
        with self.traced(self._user(thread), "user_reserve") as ev, self._sn_lock:
            if check and not self.reserve_fits(size):
                ev["_skip"] = True
                return None
            start_sn = self.sn
            self.sn = start_sn + size
            handle = Handle(start_sn, start_sn + size, sn_to_lsn(start_sn),
                            sn_to_lsn(start_sn + size))
            ev.update(size=size, start_lsn=handle.start_lsn, end_lsn=handle.end_lsn,
                      current_lsn=(handle.start_lsn, handle.end_lsn))
            if page is not None:
                ev["page"] = page
            if wait is not None:
                ev["wait"] = wait
        return handle

    def reserve_fits(self, size: int) -> bool:
        """log_free_check's hard margin (CP-5, WR-9): a group of ``size`` may be reserved only
        if its end plus one write-ahead region and a block stays below the block holding
        checkpoint_lsn one lap later, so that the writer (whose data stops one region before
        that block) can always write every reserved group without waiting for a checkpoint."""
        cp = self.checkpoint_lsn
        limit = cp - cp % BLOCK_SIZE + self.files.capacity
        return sn_to_lsn(self.sn + size) + self.config.write_ahead_size + BLOCK_SIZE <= limit

    def try_user_reserve(self, size: int, *, thread: str | None = None, page: int | None = None,
                         wait: str | None = None) -> Handle | None:
        """USR-1 with log_free_check's hard margin (:meth:`reserve_fits`), atomically: the
        handle, or None (nothing reserved) when the group does not fit yet. The blocking
        :meth:`reserve` waits on this; stepped tests call it where the spec forbids a
        reservation."""
        return self._reserve(size, thread, page, wait, check=True)

    def has_buffer_space(self, handle: Handle) -> bool:
        """SYS-4: the group's blocks may be written only where the writer has finished:
        ``align_up(end_lsn) <= align_down(write_lsn) + buffer size``."""
        write_lsn = self.write_lsn
        return _align_up(handle.end_lsn) <= write_lsn - write_lsn % BLOCK_SIZE + self.buffer.size

    def user_copy_to_log_buffer(self, handle: Handle, data: bytes, *,
                                thread: str | None = None) -> bool:
        """USR-1: copy the group into the log buffer (False: no space yet, the writer must
        advance first; log_buffer_write, crossing blocks and zeroing first_rec_group)."""
        self._check_usable("copy")
        if len(data) != handle.size:
            raise ValueError(f"copy of {len(data)} bytes into a reservation of {handle.size}")
        with self.traced(self._user(thread), "user_copy_to_log_buffer") as ev:
            if not self.has_buffer_space(handle):
                ev["_skip"] = True
                return False
            end = self.buffer.write(handle.start_lsn, data)
            if end != handle.end_lsn:
                raise AssertionError(f"log_buffer_write ended at {end}, not {handle.end_lsn}")
            ev.update(start_lsn=handle.start_lsn, end_lsn=handle.end_lsn,
                      write_lsn=self.write_lsn)
        return True

    def user_set_first_rec_group(self, handle: Handle, *, thread: str | None = None) -> bool:
        """USR-2: a group that ends in a later block than it starts sets that block's
        first_rec_group to ``end_lsn % 512`` (12 if it ended exactly at the previous block's
        end). Returns whether it set the field."""
        if handle.start_lsn // BLOCK_SIZE == handle.end_lsn // BLOCK_SIZE:
            return False
        with self.traced(self._user(thread), "user_set_first_rec_group") as ev:
            value = self.buffer.set_first_rec_group(handle.end_lsn)
            ev.update(block_lsn=handle.end_lsn - handle.end_lsn % BLOCK_SIZE,
                      first_rec_group=value, end_lsn=handle.end_lsn)
        return True

    def user_add_recent_written_link(self, handle: Handle, *, thread: str | None = None) -> bool:
        """USR-3, LNK-4: add the link start_lsn -> end_lsn, or False when its slot is not free."""
        self._check_usable("add_link")
        with self.traced(self._user(thread), "user_add_recent_written_link") as ev:
            if not self.recent_written.has_space(handle.start_lsn):
                ev["_skip"] = True
                return False
            self.recent_written.add_link(handle.start_lsn, handle.end_lsn)
            ev.update(start_lsn=handle.start_lsn, end_lsn=handle.end_lsn,
                      buf_ready_for_write_lsn=self.recent_written.tail)
        return True

    def user_add_dirty_pages(self, handle: Handle, records: Sequence[Record], *,
                             thread: str | None = None) -> bool:
        """USR-4, CP-3: apply the records to their pages and add the newly dirty pages to the
        flush lists, once ``start_lsn < dirty_pages_added_up_to_lsn + L`` (else False)."""
        self._check_usable("add_dirty_pages")
        self.bufpool.check_records(records)
        tracker = self.tracker
        action = "user_add_dirty_pages" if tracker is None else "user_wait_to_add"
        with self.traced(self._user(thread), action) as ev:
            if tracker is None:
                if not self.recent_closed.has_space(handle.start_lsn):
                    ev["_skip"] = True
                    return False
            else:  # 9.0: wait_to_add(start_lsn), asking the tracker if needed (CP-3)
                ok, old, new = tracker.wait_to_add(handle.start_lsn)
                if not ok:
                    ev["_skip"] = True
                    return False
                if new != old:
                    ev["smallest_not_added_lsn"] = (old, new)
            added = self.bufpool.add_dirty_pages(handle.start_lsn, handle.end_lsn, records)
            ev.update(start_lsn=handle.start_lsn, end_lsn=handle.end_lsn,
                      pages=tuple(r.page_no for r in records), added=tuple(added),
                      dirty_pages_added_up_to_lsn=self.recent_closed.tail)
        return True

    def _close_link(self, handle: Handle, thread: str | None, action: str) -> bool:
        with self.traced(self._user(thread), action) as ev:
            if not self.recent_closed.has_space(handle.start_lsn):
                ev["_skip"] = True
                return False
            self.recent_closed.add_link(handle.start_lsn, handle.end_lsn)
            ev.update(start_lsn=handle.start_lsn, end_lsn=handle.end_lsn)
        return True

    def user_add_recent_closed_link(self, handle: Handle, *, thread: str | None = None) -> bool:
        """USR-4 (8.0): add the link start_lsn -> end_lsn to the recent-closed buffer."""
        if self.config.version != "8.0":
            raise ValueError("user_add_recent_closed_link is the 8.0 design; use user_report_added")
        return self._close_link(handle, thread, "user_add_recent_closed_link")

    def user_report_added(self, handle: Handle, *, thread: str | None = None) -> bool:
        """USR-4 (9.0): report [start_lsn, end_lsn) to the flush-list-added tracker."""
        if self.tracker is None:
            raise ValueError("user_report_added is the 9.0 design; use user_add_recent_closed_link")
        with self.traced(self._user(thread), "user_report_added") as ev:
            old = self.recent_closed.tail
            new = self.tracker.report_added(handle.start_lsn, handle.end_lsn)
            ev.update(start_lsn=handle.start_lsn, end_lsn=handle.end_lsn)
            if new != old:
                ev["smallest_not_added_lsn"] = (old, new)
        return True

    def _wait_parts(self, lsn: int, kind: str) -> tuple[Event, Callable[[], bool]]:
        if kind == "write":
            return self.write_events.event_for(lsn), lambda: self.write_lsn >= lsn
        if kind == "flush":
            return self.flush_events.event_for(lsn), lambda: self.flushed_to_disk_lsn >= lsn
        raise ValueError(f"wait kind must be 'write' or 'flush', not {kind!r}")

    def user_wait_reset_event(self, lsn: int, kind: str = "flush", *,
                              thread: str | None = None) -> int:
        """USR-7: reset the slot event of ``lsn``; return the signal count for the wait."""
        event, _ = self._wait_parts(lsn, kind)
        with self.traced(self._user(thread), "user_wait_reset_event") as ev:
            count = event.reset()
            slots = self.write_events if kind == "write" else self.flush_events
            ev.update(lsn=lsn, kind=kind, slot=slots.slot(lsn), signal_count=count)
        return count

    def user_wait_check(self, lsn: int, kind: str = "flush", *, thread: str | None = None) -> bool:
        """USR-5/6: the wait's condition: write_lsn (or flushed_to_disk_lsn) >= lsn."""
        _, condition = self._wait_parts(lsn, kind)
        with self.traced(self._user(thread), "user_wait_check") as ev:
            done = condition()
            ev.update(lsn=lsn, kind=kind, done=done,
                      **{"write_lsn" if kind == "write" else "flushed_to_disk_lsn":
                         self.write_lsn if kind == "write" else self.flushed_to_disk_lsn})
        return done

    def user_wait_wake(self, lsn: int, kind: str, count: int, *, thread: str | None = None) -> bool:
        """USR-7: would ``wait(count)`` return now? (the slot was set since the reset)."""
        event, _ = self._wait_parts(lsn, kind)
        with self.traced(self._user(thread), "user_wait_wake") as ev:
            woken = event.signalled_since(count)
            ev.update(lsn=lsn, kind=kind, signal_count=count, woken=woken)
        return woken

    # ------------------------------------------------------------------ stepped helpers
    def step_all(self) -> bool:
        """One step of every background actor, in pipeline order (stepped mode helper)."""
        did = False
        for step in (self.writer.step, self.flusher.step, self.write_notifier.step,
                     self.flush_notifier.step,
                     (self.closer.step if self.closer is not None
                      else self.checkpointer.ask_smallest_not_added),
                     self.checkpointer.step, self.page_cleaner.step):
            did = step() or did
        return did

    def run_until_idle(self, max_rounds: int = 100_000) -> None:
        """Stepped mode: step every actor until none has work left."""
        for _ in range(max_rounds):
            if not self.step_all():
                return
        raise RuntimeError(f"the log did not become idle in {max_rounds} rounds")

    # ------------------------------------------------------------------ shutdown
    def stop_threads(self) -> None:
        """Stop the background threads where they are (no final flush): a hard stop."""
        _stop_threads(self._threads, self._wake_everyone)
        self._threads = []

    def close(self, *, flush: bool = True) -> None:
        """Close the log: stop the threads; with ``flush`` (the default) first write and fsync
        everything that was completely copied and linked. Later operations raise
        :class:`LogClosed`. (Closing a reserved range, the user operation USR-4, is
        :meth:`close_handle`.)"""
        if self.closed:
            return
        self.stop_threads()
        if flush and self.failed is None and self.died is None:
            with contextlib.suppress(LogFailed):
                for _ in range(1_000_000):
                    if not (self.writer.step() or self.flusher.step()):
                        break
        self.closed = True
        self._wake_everyone()
        self.store.close()

    def __enter__(self) -> RedoLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
