"""How each spec action is performed on the implementation, one step at a time.

The stepped machines (:mod:`conformance.stepped`, :mod:`conformance.crashpoints`) choose a spec
label; :meth:`ImplDriver.perform` then runs the same step on the implementation (``RedoLog`` with
``threads=False``) and hands the label back to the machine (``_after``), which applies it to the
spec and compares. The driver keeps what the implementation does not: where each user thread is
in its sequential code (:class:`DriverUser`, the spec's ``UserState``).

Most user steps look alike (call one ``RedoLog`` user method with the thread's handle, and move
the thread's pc on if it succeeded): they are rows of :data:`USER_STEPS`. The steps that differ
(``user_reserve`` makes the handle; the background actors, whose label the implementation may
decide) are methods of :class:`ImplDriver`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from conformance.abstraction import GroupHistory, group_payload, impl_group_bytes
from conformance.checks import ConformanceFailure
from impl.records import Record
from impl.redolog import Handle, RedoLog
from spec.model import Label
from spec.params import Params
from spec.state import (
    CLOSED,
    COPIED,
    FRG_SET,
    IDLE,
    LINKED,
    PAGES_ADDED,
    RESERVED,
    RESET,
    SLEEPING,
    State,
)


@attrs.define
class DriverUser:
    """The driver's view of one user thread: where it is in its sequential code (the spec's
    ``UserState.pc``), its group and its wait (see :class:`conformance.abstraction.UserView`)."""

    log: RedoLog
    pc: str = IDLE
    start_sn: int = 0
    size: int = 0
    page: int = 0
    wait: str = "none"
    handle: Handle | None = None
    count: int = 0
    """The signal count ``user_wait_reset_event`` returned (USR-7)."""

    def signalled(self) -> bool:
        """Decision 1: the slot was set since this user's own reset (os_event's test)."""
        if self.pc not in (RESET, SLEEPING) or self.handle is None:
            return False
        slots = self.log.write_events if self.wait == "write" else self.log.flush_events
        return bool(slots.event_for(self.handle.end_lsn).signalled_since(self.count))

    def idle(self) -> None:
        self.pc, self.start_sn, self.size, self.page, self.wait = IDLE, 0, 0, 0, "none"
        self.handle, self.count = None, 0

    def closed(self) -> None:
        """USR-4's end: a commit that waits goes on to wait, any other is done."""
        if self.wait == "none":
            self.idle()
        else:
            self.pc = CLOSED

    @property
    def held(self) -> Handle:
        """The thread's reservation (every step after ``user_reserve`` has one)."""
        assert self.handle is not None, "a user step after user_reserve without a handle"
        return self.handle


def _moves_to(pc: str) -> Callable[[DriverUser, Any], None]:
    """The pc a user reaches when its step succeeded (a refused step leaves it where it is)."""
    def then(u: DriverUser, ok: Any) -> None:
        if ok:
            u.pc = pc
    return then


def _closed_if(u: DriverUser, ok: Any) -> None:
    if ok:
        u.closed()


def _counted(u: DriverUser, count: Any) -> None:
    u.count, u.pc = int(count), RESET


def _checked(u: DriverUser, done: Any) -> None:
    if done:
        u.idle()
    else:
        u.pc = SLEEPING


def _handle(u: DriverUser) -> tuple[Any, ...]:
    return (u.held,)


def _records(u: DriverUser) -> tuple[Any, ...]:
    return (u.held, [Record(u.page, group_payload(u.size, u.page))])


def _wait(u: DriverUser) -> tuple[Any, ...]:
    return (u.held.end_lsn, u.wait)


@attrs.frozen
class UserStep:
    """One look-alike user step: ``RedoLog.<method>(*args(user), thread=...)``, then ``then(user,
    result)`` moves the thread's pc."""

    method: str
    args: Callable[[DriverUser], tuple[Any, ...]]
    then: Callable[[DriverUser, Any], None]


USER_STEPS: dict[str, UserStep] = {
    # USR-2: the group ends in a later block: set that block's first_rec_group
    "user_set_first_rec_group": UserStep("user_set_first_rec_group", _handle, _moves_to(FRG_SET)),
    # USR-3, LNK-1, LNK-4: add the link start -> end to recent_written
    "user_add_recent_written_link": UserStep("user_add_recent_written_link", _handle,
                                             _moves_to(LINKED)),
    # USR-4, CP-3: add the group's page to its flush list (relaxed order, lag L)
    "user_add_dirty_pages": UserStep("user_add_dirty_pages", _records, _moves_to(PAGES_ADDED)),
    # USR-4, CP-3 (9.0): wait_to_add (asking the tracker if the lag binds), then the page goes
    # to its flush list: the implementation's user_add_dirty_pages in 9.0
    "user_wait_to_add": UserStep("user_add_dirty_pages", _records, _moves_to(PAGES_ADDED)),
    # USR-4 (8.0), CP-1: add the link start -> end to recent_closed
    "user_add_recent_closed_link": UserStep("user_add_recent_closed_link", _handle, _closed_if),
    # USR-4 (9.0), CP-1: report [start, end) to the flush-list-added tracker
    "user_report_added": UserStep("user_report_added", _handle, _closed_if),
    # USR-7: reset the slot event and keep its signal count
    "user_wait_reset_event": UserStep("user_wait_reset_event", _wait, _counted),
    # USR-5, USR-6: after the reset, check write_lsn / flushed_to_disk_lsn >= end_lsn
    "user_wait_check": UserStep("user_wait_check", _wait, _checked),
    # USR-7: a sleeping user whose slot was set since its reset wakes and re-checks
    "user_wait_wake": UserStep("user_wait_wake", lambda u: (*_wait(u), u.count),
                               _moves_to(CLOSED)),
}
"""The look-alike user steps, by spec action (requirement IDs in the comments)."""


class ImplDriver:
    """Performs spec labels on the implementation; mixed into the stepped machines, which
    provide the attributes below and :meth:`_after` (apply the label to the spec, compare)."""

    p: Params
    log: RedoLog
    spec: State
    users: list[DriverUser]
    history: GroupHistory

    def _after(self, label: Label, last_write: tuple[int, int, int, int] | None = None) -> None:
        raise NotImplementedError

    def enabled(self, action: str) -> list[Label]:
        raise NotImplementedError

    @property
    def events(self) -> list[Any]:
        """The implementation's trace so far (stepped runs always trace)."""
        trace = self.log.trace
        assert trace is not None
        return trace.events

    def _impl(self, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run one implementation call; anything it raises is a conformance failure."""
        try:
            return fn(*args, **kwargs)
        except ConformanceFailure:
            raise
        except Exception as exc:
            raise ConformanceFailure(f"impl raised {type(exc).__name__}",
                                     f"{what} raised {type(exc).__name__}: {exc}") from exc

    def _user(self, label: Label) -> tuple[DriverUser, int]:
        thread = int(label.get("thread"))
        return self.users[thread], thread

    def perform(self, label: Label) -> None:
        """Run ``label`` on the implementation, then hand it to :meth:`_after`."""
        step = USER_STEPS.get(label.action)
        if step is None:
            getattr(self, label.action)(label)
            return
        u, thread = self._user(label)
        result = self._impl(str(label), getattr(self.log, step.method), *step.args(u),
                            thread=str(thread))
        step.then(u, result)
        self._after(label)

    # ------------------------------------------------------------------------------ user
    def user_reserve(self, label: Label) -> None:
        """USR-1: reserve [start, end) for a group of the chosen size, page and wait kind."""
        u, thread = self._user(label)
        size, page, wait = int(label.get("size")), int(label.get("page")), str(label.get("wait"))
        handle = self._impl(str(label), self.log.user_reserve, size, thread=str(thread))
        u.pc, u.start_sn, u.size, u.page, u.wait, u.handle = (RESERVED, handle.start_sn, size,
                                                               page, wait, handle)
        self.history = self.history.add(handle.start_lsn, handle.end_lsn, page)
        self._after(label)

    def user_copy_to_log_buffer(self, label: Label) -> None:
        """USR-1, SYS-4: copy the group's bytes into the ring buffer (crossing blocks)."""
        u, thread = self._user(label)
        if self._impl(str(label), self.log.user_copy_to_log_buffer, u.held,
                      impl_group_bytes(u.size, u.page), thread=str(thread)):
            u.pc = COPIED
            self.history = self.history.mark_copied(u.held.start_lsn)
        self._after(label)

    # ------------------------------------------------------------------------------ background
    def writer_traverse_links(self, label: Label) -> None:
        """WR-1: the writer follows recent-written links (up to write_max_size past write_lsn)."""
        self._impl(str(label), self.log.writer.traverse_links)
        self._after(label)

    def writer_write(self, label: Label) -> None:
        """WR-3..WR-9: one write of the log files; WR-6 is checked on the write it made."""
        before_events = len(self.events)
        self._impl(str(label), self.log.writer.write)
        last_write = None
        for event in self.events[before_events:]:
            if event.action == "writer_write":
                v = event.values
                name = str(v["file"])
                file_no = int(name.removeprefix("ib_logfile"))
                last_write = (file_no, int(v["offset"]), int(v["size"]),
                              int(v["write_ahead_end_offset"][0]))
        self._after(label, last_write)

    def flusher_fsync(self, label: Label) -> None:
        """FL-1..FL-3: fsync, publish flushed_to_disk_lsn, notify (directly if one block)."""
        self._impl(str(label), self.log.flusher.step)
        self._after(label)

    def write_notifier_notify_slots(self, label: Label) -> None:
        """NT-1, NT-2: woken by its event (reset, then one pass), set the slots up to
        write_lsn."""
        self.log.write_notifier_event.reset()
        self._impl(str(label), self.log.write_notifier.step)
        self._after(label)

    def flush_notifier_notify_slots(self, label: Label) -> None:
        """NT-5: the same for flushed_to_disk_lsn and the flush events."""
        self.log.flush_notifier_event.reset()
        self._impl(str(label), self.log.flush_notifier.step)
        self._after(label)

    def closer_traverse_links(self, label: Label) -> None:
        """CP-1 (8.0): the closer advances buf_dirty_pages_added_up_to_lsn along links."""
        assert self.log.closer is not None
        self._impl(str(label), self.log.closer.step)
        self._after(label)

    def checkpointer_ask_smallest_not_added(self, label: Label) -> None:
        """CP-1 (9.0): the checkpointer asks the tracker for smallest_not_added_lsn."""
        self._impl(str(label), self.log.checkpointer.ask_smallest_not_added)
        self._after(label)

    def checkpointer_write_checkpoint(self, label: Label) -> None:
        """CP-2, CP-4, CP-7, FMT-10: compute available_for_checkpoint_lsn and write the
        alternate checkpoint block (not yet synced)."""
        ck = self.log.checkpointer
        start = len(self.events)
        self._impl(str(label), ck.update_available)
        if any(e.action == "checkpointer_ask_smallest_not_added" for e in self.events[start:]):
            # 9.0: the checkpointer's pass first asks the tracker (CP-1); the spec has the ask
            # as its own step, taken first
            self._after(Label("checkpointer_ask_smallest_not_added", ()))
        self._impl(str(label), ck.write_checkpoint)
        self._after(label)

    def checkpointer_sync_checkpoint(self, label: Label) -> None:
        """CP-4, FMT-10: fsync the checkpoint block, publish checkpoint_lsn."""
        self._impl(str(label), self.log.checkpointer.sync_checkpoint)
        self._after(label)

    def page_cleaner_flush_page(self, label: Label) -> None:
        """CP-6: the page cleaner writes a page whose newest modification is flushed (WAL);
        the label's flush list is the one the implementation took its page from."""
        start = len(self.events)
        self._impl(str(label), self.log.page_cleaner.step)
        for event in self.events[start:]:
            if event.action == "page_cleaner_flush_page":
                page = int(event.values["page"])
                label = Label("page_cleaner_flush_page", (("list", page % self.p.n_flush_lists),))
        self._after(label)
