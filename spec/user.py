"""User threads (USR-1..7, LNK-4, CP-3): reserve, copy, link, add dirty pages, close, wait.

One mini-transaction commit of seed 001 ("Reservation of space", "Writing to the log buffer",
"Adding dirty pages"): a user thread reserves ``size`` data bytes (sn) of the log, copies its
record group into the ring log buffer -- concurrently with other threads, so the buffer has
holes -- sets first_rec_group when its group ends in a later block than it starts, adds a link
to recent_written so that the log writer learns the range is complete, adds the pages it
modified to the flush lists, adds a link to recent_closed (8.0) or reports to the flush-list
added tracker (9.0), and finally waits until its group is written or flushed (USR-5, USR-6),
with os_event's reset / check / wait protocol (USR-7, decision 1).
"""

from __future__ import annotations

from collections.abc import Iterable

from spec import linkbuf, tracker
from spec.blocks import group_bytes
from spec.lsn import block_start, event_slot, sn_to_lsn
from spec.model_types import Action, Arg, action
from spec.params import Params
from spec.state import (
    CLOSED,
    COPIED,
    FRG_SET,
    IDLE,
    IDLE_USER,
    LINKED,
    PAGES_ADDED,
    RESERVED,
    RESET,
    SLEEPING,
    BufferBlock,
    State,
    UserState,
    replace,
)


def free_check_margin(p: Params) -> int:
    """lsn bytes kept free between the current lsn and the end of the log capacity (the spirit
    of log_free_check, CP-5): one write-ahead region plus a block, so that the writer's last
    write, padding included, never needs to wait for a checkpoint (WR-9)."""
    return p.write_ahead_size + p.block_size


def capacity_limit(p: Params, s: State) -> int:
    """The lsn that must not be reached in the files: the block holding checkpoint_lsn, one
    lap (``log_capacity``) later (WR-9, SYS-4)."""
    return block_start(p, s.checkpoint.checkpoint_lsn) + p.log_capacity


LATCHING_PCS = frozenset({RESERVED, COPIED, FRG_SET, LINKED, PAGES_ADDED})
"""A user thread holds its page's latch from reservation until it closes its range."""


def page_latched(s: State, page: int) -> bool:
    """Some thread holds ``page``'s X-latch (it is between reserve and close)."""
    return any(u.page == page and u.pc in LATCHING_PCS for u in s.users)


def _set_user(s: State, thread: int, u: UserState) -> tuple[UserState, ...]:
    users = s.users
    return (*users[:thread], u, *users[thread + 1:])


def _pc_guard(s: State, thread: int, *pcs: str) -> str | None:
    """The guard every per-thread action starts with: ``thread`` is a user thread whose pc is
    one of ``pcs``."""
    if not 0 <= thread < len(s.users):
        return f"0 <= thread < {len(s.users)} is false (thread={thread})"
    pc = s.users[thread].pc
    if pc not in pcs:
        return f"users[{thread}].pc == {' or '.join(pcs)} is false (pc={pc})"
    return None


def ends_in_later_block(p: Params, u: UserState) -> bool:
    """USR-2: the group's end lsn is in a later block than its start (a group ending exactly at
    a block's end ends after the next block's header, so this counts too)."""
    start = sn_to_lsn(p, u.start_sn)
    end = sn_to_lsn(p, u.start_sn + u.size)
    return start // p.block_size != end // p.block_size


# --- USR-1: reserve --------------------------------------------------------------------


def user_reserve(p: Params, s: State, thread: int, size: int, page: int, wait: str) -> State | None:
    """USR-1: "a user thread reserves a range [start_lsn, end_lsn) (as sn, translated to lsn)":
    ``start_sn = sn; sn += size``. Guard: the thread is idle, the exploration bound ``max_sn``
    allows it, log_free_check lets it in (the group's end plus the free-check margin stays
    below the capacity limit set by the last checkpoint, CP-5, WR-9), and no other thread holds
    the page's latch (a mini-transaction X-latches the page it modifies until its commit has
    added the page to the flush list and closed its range, so two groups modifying one page
    are added in lsn order). The reservation is recorded in ``groups`` (the history RC-4
    checks recovery against)."""
    if _reserve_guard(p, s, thread, size, page, wait) is not None:
        return None
    start = sn_to_lsn(p, s.sn)
    end = sn_to_lsn(p, s.sn + size)
    return replace(
        s,
        sn=s.sn + size,
        users=_set_user(s, thread, UserState(RESERVED, s.sn, size, page, wait, False)),
        groups=(*s.groups, (start, end, page)),
    )


def _reserve_guard(p: Params, s: State, thread: int, size: int, page: int, wait: str
                   ) -> str | None:
    """:func:`user_reserve`'s guard (None: enabled)."""
    why = _pc_guard(s, thread, IDLE)
    if why is not None:
        return why
    if size <= 0:
        return f"size > 0 is false (size={size})"
    if not 0 <= page < p.n_pages:
        return f"0 <= page < n_pages is false (page={page}, n_pages={p.n_pages})"
    if wait not in ("write", "flush", "none"):
        return f"wait in (write, flush, none) is false (wait={wait})"
    if page_latched(s, page):
        return f"page {page} not latched by another thread is false"
    if s.sn + size > p.start_sn + p.max_sn:
        return (f"sn + size <= start_sn + max_sn is false (sn={s.sn}, size={size}, "
                f"max_sn={p.max_sn})")
    end = sn_to_lsn(p, s.sn + size)
    if end + free_check_margin(p) > capacity_limit(p, s):
        return (f"log_free_check: end_lsn + margin <= capacity limit is false (end_lsn={end}, "
                f"checkpoint_lsn={s.checkpoint.checkpoint_lsn})")
    return None


def _reserve_choices(p: Params, s: State) -> Iterable[dict[str, Arg]]:
    if s.sn >= p.start_sn + p.max_sn:
        return
    free = [pg for pg in range(p.n_pages) if not page_latched(s, pg)]
    for i, u in enumerate(s.users):
        if u.pc == IDLE:
            pages = [i % p.n_pages] if p.page_per_thread else free
            for size in p.group_sizes:
                for page in pages:
                    for wait in p.wait_kinds:
                        yield {"thread": i, "size": size, "page": page, "wait": wait}


# --- USR-1: copy into the log buffer -----------------------------------------------------


def buffer_has_space(p: Params, s: State, end_lsn: int) -> bool:
    """SYS-4 (buffer capacity): a copy ending at ``end_lsn`` touches the ring blocks up to the
    one holding ``end_lsn`` (whose first_rec_group it may zero); they must not hold bytes the
    writer still has to write, i.e. be below the block holding write_lsn one ring later (the
    writer rewrites that block from its start)."""
    return block_start(p, end_lsn) < block_start(p, s.writer.write_lsn) + p.log_buffer_size


def copy_group(
    p: Params, buffer: tuple[BufferBlock, ...], start: int, data: bytes
) -> tuple[tuple[BufferBlock, ...], int]:
    """log_buffer_write (facts §2.5): copy ``data`` from lsn ``start`` into the ring, skipping
    each block's trailer and the next block's header, and zero the first_rec_group of every
    block the copy crosses into. Returns the new buffer and the end lsn."""
    bs = p.block_size
    data_end = bs - p.trailer_size
    nbuf = len(buffer)
    blocks = list(buffer)
    lsn = start
    pos = 0
    n = len(data)
    while True:
        offset = lsn % bs
        left = data_end - offset
        i = (lsn % p.log_buffer_size) // bs
        frg, old = blocks[i]
        d0 = offset - p.header_size
        if left > n - pos:
            take = n - pos
            blocks[i] = (frg, old[:d0] + data[pos:] + old[d0 + take :])
            lsn += take
            break
        blocks[i] = (frg, old[:d0] + data[pos : pos + left])
        pos += left
        lsn += left + p.trailer_size + p.header_size
        j = (i + 1) % nbuf
        blocks[j] = (0, blocks[j][1])
        if pos == n:
            break
    return tuple(blocks), lsn


def user_copy_to_log_buffer(p: Params, s: State, thread: int) -> State | None:
    """USR-1: "copies its record group into the log buffer, possibly concurrently with other
    user threads". The group's bytes are ``[size] + [1 + page] * (size - 1)`` (decision 6),
    copied by :func:`copy_group` (crossing blocks zeroes the next block's first_rec_group).
    Guard: the buffer has space (SYS-4, log_wait_for_space_in_log_buf)."""
    if _copy_guard(p, s, thread) is not None:
        return None
    u = s.users[thread]
    start = sn_to_lsn(p, u.start_sn)
    buffer, _ = copy_group(p, s.buffer, start, group_bytes(u.size, u.page))
    return replace(
        s,
        buffer=buffer,
        users=_set_user(s, thread, UserState(COPIED, u.start_sn, u.size, u.page, u.wait, False)),
    )


def _copy_guard(p: Params, s: State, thread: int) -> str | None:
    """:func:`user_copy_to_log_buffer`'s guard (None: enabled)."""
    why = _pc_guard(s, thread, RESERVED)
    if why is not None:
        return why
    u = s.users[thread]
    end = sn_to_lsn(p, u.start_sn + u.size)
    if not buffer_has_space(p, s, end):
        return (f"the log buffer has space for end_lsn={end} is false (write_lsn="
                f"{s.writer.write_lsn}, log_buffer_size={p.log_buffer_size})")
    return None


# --- USR-2: first_rec_group -------------------------------------------------------------


def user_set_first_rec_group(p: Params, s: State, thread: int) -> State | None:
    """USR-2: "a user thread whose data ends the lsn that must be a block's first_rec_group
    sets that field before adding its link" (log_buffer_set_first_record_group, facts §2.7):
    the block holding end_lsn gets ``first_rec_group = end_lsn % block_size``; a group ending
    exactly at a block's end has ``end_lsn`` = next block + header, so the next block gets the
    header size. Guard: the group ends in a later block than it starts."""
    if _first_rec_group_guard(p, s, thread) is not None:
        return None
    u = s.users[thread]
    end = sn_to_lsn(p, u.start_sn + u.size)
    i = (end % p.log_buffer_size) // p.block_size
    blocks = s.buffer
    buffer = (*blocks[:i], (end % p.block_size, blocks[i][1]), *blocks[i + 1:])
    return replace(
        s,
        buffer=buffer,
        users=_set_user(s, thread, UserState(FRG_SET, u.start_sn, u.size, u.page, u.wait, False)),
    )


def _first_rec_group_guard(p: Params, s: State, thread: int) -> str | None:
    """:func:`user_set_first_rec_group`'s guard (None: enabled)."""
    why = _pc_guard(s, thread, COPIED)
    if why is not None:
        return why
    if not ends_in_later_block(p, s.users[thread]):
        return "the group ends in a later block than it starts is false"
    return None


# --- USR-3, LNK-4: the recent-written link -----------------------------------------------


def user_add_recent_written_link(p: Params, s: State, thread: int) -> State | None:
    """USR-3: "after copying, it adds a link start_lsn -> end_lsn to the recent-written
    buffer" (LNK-1). Guard: first_rec_group is set if needed (USR-2) and the slot is free
    (LNK-4 has_space: the writer's tail is past ``start_lsn - capacity``). With the 8.0.22 link
    buffer the thread may also move the tail itself (add_link_advance_tail, LNK-6)."""
    if _written_link_guard(p, s, thread) is not None:
        return None
    u = s.users[thread]
    start = sn_to_lsn(p, u.start_sn)
    end = sn_to_lsn(p, u.start_sn + u.size)
    rw = s.recent_written
    if p.link_buf == "seeds":
        rw = linkbuf.add_link(rw, start, end, "seeds")
    else:
        rw = linkbuf.add_link_advance_tail(rw, start, end)
    return replace(
        s,
        recent_written=rw,
        users=_set_user(s, thread, UserState(LINKED, u.start_sn, u.size, u.page, u.wait, False)),
    )


def _written_link_guard(p: Params, s: State, thread: int) -> str | None:
    """:func:`user_add_recent_written_link`'s guard (None: enabled)."""
    why = _pc_guard(s, thread, COPIED, FRG_SET)
    if why is not None:
        return why
    u = s.users[thread]
    if u.pc == COPIED and ends_in_later_block(p, u):
        return "first_rec_group set (USR-2) is false"
    start = sn_to_lsn(p, u.start_sn)
    if not linkbuf.has_space(s.recent_written, start):
        return (f"recent_written.has_space(start_lsn={start}) is false "
                f"(tail={s.recent_written.tail})")
    return None


# --- USR-4, CP-3: dirty pages -------------------------------------------------------------


def _add_pages(p: Params, s: State, thread: int, u: UserState, start: int, **changes: object
               ) -> State:
    """USR-4's effect: a clean page gets ``oldest_modification = start_lsn`` and goes to the
    head of flush list ``page % n_flush_lists``; a dirty page only gets ``newest_modification =
    end_lsn``; the thread moves to PAGES_ADDED."""
    end = sn_to_lsn(p, u.start_sn + u.size)
    pg = s.pages
    page = u.page
    lists = pg.flush_lists
    if pg.newest[page] == 0:
        li = page % p.n_flush_lists
        lists = (*lists[:li], ((page, start), *lists[li]), *lists[li + 1:])
    newest = (*pg.newest[:page], end, *pg.newest[page + 1:])
    return replace(
        s,
        pages=type(pg)(lists, newest, pg.on_disk),
        users=_set_user(
            s, thread, UserState(PAGES_ADDED, u.start_sn, u.size, u.page, u.wait, False)
        ),
        **changes,
    )


def user_add_dirty_pages(p: Params, s: State, thread: int) -> State | None:
    """USR-4 (8.0): "it then adds its dirty pages (oldest_modification = its start_lsn) to the
    flush lists" (:func:`_add_pages`). Guard (CP-3, log_wait_for_space_in_log_recent_closed):
    ``start_lsn < added_up_to + L`` (the recent-closed tail, which the closer advances, plus the
    order lag), which is what keeps the flush lists ordered up to L."""
    if _dirty_pages_guard(p, s, thread) is not None:
        return None
    u = s.users[thread]
    return _add_pages(p, s, thread, u, sn_to_lsn(p, u.start_sn))


def _dirty_pages_guard(p: Params, s: State, thread: int) -> str | None:
    """:func:`user_add_dirty_pages`' guard (None: enabled)."""
    why = _pc_guard(s, thread, LINKED)
    if why is not None:
        return why
    start = sn_to_lsn(p, s.users[thread].start_sn)
    if not start < s.recent_closed.tail + p.order_lag:
        return (f"start_lsn < recent_closed tail + L is false (start_lsn={start}, "
                f"tail={s.recent_closed.tail}, L={p.order_lag})")
    return None


def user_wait_to_add(p: Params, s: State, thread: int) -> State | None:
    """USR-4, CP-3 (9.0): ``buf_flush_list_added->wait_to_add(start_lsn)``, then the dirty pages
    go to the flush lists (:func:`_add_pages`). Guard: ``start_lsn < smallest_not_added_lsn +
    L`` where the user asks the tracker itself when the stored tail is not enough (Link_buf's
    has_space advances the tail, under the tracker's lock: :func:`spec.tracker.wait_to_add`);
    effect: the pages, and the tail the ask advanced. Seed 002: there is no closer thread that
    would advance it for the user."""
    if _pc_guard(s, thread, LINKED) is not None:
        return None
    u = s.users[thread]
    start = sn_to_lsn(p, u.start_sn)
    rc = tracker.wait_to_add(p, s.recent_closed, start)
    if rc is None:   # the guard's second half, stated in _wait_to_add_guard
        return None
    if rc is s.recent_closed:
        return _add_pages(p, s, thread, u, start)
    return _add_pages(p, s, thread, u, start, recent_closed=rc)


def _wait_to_add_guard(p: Params, s: State, thread: int) -> str | None:
    """:func:`user_wait_to_add`'s guard (None: enabled)."""
    why = _pc_guard(s, thread, LINKED)
    if why is not None:
        return why
    start = sn_to_lsn(p, s.users[thread].start_sn)
    if tracker.wait_to_add(p, s.recent_closed, start) is None:
        return (f"start_lsn < smallest_not_added_lsn + L (after asking the tracker) is false "
                f"(start_lsn={start}, tail={s.recent_closed.tail}, L={p.order_lag})")
    return None


# --- USR-4, CP-1: close ---------------------------------------------------------------------


def _closed(u: UserState) -> UserState:
    if u.wait == "none":
        return IDLE_USER
    return UserState(CLOSED, u.start_sn, u.size, u.page, u.wait, False)


def _close_guard(p: Params, s: State, thread: int) -> str | None:
    """:func:`user_add_recent_closed_link`'s guard (None: enabled)."""
    why = _pc_guard(s, thread, PAGES_ADDED)
    if why is not None:
        return why
    start = sn_to_lsn(p, s.users[thread].start_sn)
    if not linkbuf.has_space(s.recent_closed, start):  # guaranteed by add_dirty_pages' guard
        return (f"recent_closed.has_space(start_lsn={start}) is false "
                f"(tail={s.recent_closed.tail})")
    return None


def _close(p: Params, s: State, thread: int) -> State | None:
    if _close_guard(p, s, thread) is not None:
        return None
    u = s.users[thread]
    start = sn_to_lsn(p, u.start_sn)
    end = sn_to_lsn(p, u.start_sn + u.size)
    rc = s.recent_closed
    if p.link_buf == "seeds":
        rc = linkbuf.add_link(rc, start, end, "seeds")
    else:
        rc = linkbuf.add_link_advance_tail(rc, start, end)
    return replace(s, recent_closed=rc, users=_set_user(s, thread, _closed(u)))


def user_add_recent_closed_link(p: Params, s: State, thread: int) -> State | None:
    """USR-4 (8.0): after its dirty pages are in the flush lists, the thread adds the link
    start_lsn -> end_lsn to recent_closed (log_buffer_close), so the closer can advance
    buf_dirty_pages_added_up_to_lsn past it (CP-1). Then it waits (USR-5/6) or is done."""
    return _close(p, s, thread)


def user_report_added(p: Params, s: State, thread: int) -> State | None:
    """USR-4, CP-1 (9.0): the thread reports [start_lsn, end_lsn) to the flush-list-added
    tracker, ``Buf_flush_list_added_lsns::report_added`` = ``add_link_advance_tail``
    (:func:`spec.tracker.report_added`: the fast path moves smallest_not_added_lsn to end_lsn
    when it was at start_lsn, else the range is stored and the tail advanced over ranges at or
    below start_lsn, under the tracker's lock). Then it waits (USR-5/6) or is done. No guard
    beyond the pc: wait_to_add already made room (LNK-4 holds since start < tail + L)."""
    if _report_added_guard(p, s, thread) is not None:
        return None
    u = s.users[thread]
    start = sn_to_lsn(p, u.start_sn)
    end = sn_to_lsn(p, u.start_sn + u.size)
    rc = tracker.report_added(p, s.recent_closed, start, end)
    return replace(s, recent_closed=rc, users=_set_user(s, thread, _closed(u)))


def _report_added_guard(p: Params, s: State, thread: int) -> str | None:
    """:func:`user_report_added`'s guard (None: enabled): the pc only."""
    return _pc_guard(s, thread, PAGES_ADDED)


# --- USR-5..7: waiting with os_event's protocol -----------------------------------------------


def wait_target_reached(p: Params, s: State, u: UserState) -> bool:
    """USR-5/USR-6: ``write_lsn >= end_lsn`` (wait=write) or ``flushed_to_disk_lsn >= end_lsn``
    (wait=flush)."""
    end = sn_to_lsn(p, u.start_sn + u.size)
    if u.wait == "write":
        return s.writer.write_lsn >= end
    return s.flushed_to_disk_lsn >= end


def wait_slot(p: Params, u: UserState) -> int:
    """NT-3: the event slot the thread sleeps on: ``(end_lsn - 1) / block_size & (S - 1)``."""
    end = sn_to_lsn(p, u.start_sn + u.size)
    n = p.write_events if u.wait == "write" else p.flush_events
    return event_slot(p, end, n)


def user_wait_reset_event(p: Params, s: State, thread: int) -> State | None:
    """USR-7: ``sig = os_event_reset(event[slot])``: from now on a set of the slot is seen.
    Decision 1: the thread's ``signalled`` bit is cleared (the signal count it will compare)."""
    if _reset_guard(p, s, thread) is not None:
        return None
    u = s.users[thread]
    return replace(
        s, users=_set_user(s, thread, UserState(RESET, u.start_sn, u.size, u.page, u.wait, False))
    )


def _reset_guard(p: Params, s: State, thread: int) -> str | None:
    """:func:`user_wait_reset_event`'s guard (None: enabled): the pc only."""
    return _pc_guard(s, thread, CLOSED)


def _check_guard(p: Params, s: State, thread: int) -> str | None:
    """:func:`user_wait_check`'s guard (None: enabled): the pc only."""
    return _pc_guard(s, thread, RESET)


def user_wait_check(p: Params, s: State, thread: int) -> State | None:
    """USR-5/USR-6/USR-7: after the reset, check the condition: if it holds the wait is over
    (idle), else go to sleep on the slot (os_event_wait_low with the reset's count)."""
    if _check_guard(p, s, thread) is not None:
        return None
    u = s.users[thread]
    if wait_target_reached(p, s, u):
        return replace(s, users=_set_user(s, thread, IDLE_USER))
    return replace(
        s,
        users=_set_user(
            s, thread, UserState(SLEEPING, u.start_sn, u.size, u.page, u.wait, u.signalled)
        ),
    )


def user_wait_wake(p: Params, s: State, thread: int) -> State | None:
    """USR-5/USR-7: the sleeping thread wakes because its slot was set since its reset
    (signalled); it then resets and re-checks (false wake-ups are retried). No timeout
    (decision 2): liveness must not depend on it."""
    if _wake_guard(p, s, thread) is not None:
        return None
    u = s.users[thread]
    return replace(
        s, users=_set_user(s, thread, UserState(CLOSED, u.start_sn, u.size, u.page, u.wait, False))
    )


def _wake_guard(p: Params, s: State, thread: int) -> str | None:
    """:func:`user_wait_wake`'s guard (None: enabled)."""
    why = _pc_guard(s, thread, SLEEPING)
    if why is not None:
        return why
    if not s.users[thread].signalled:
        return f"users[{thread}].signalled is false"
    return None


class ThreadsAt:
    """The choices of a per-thread action: ``thread=i`` for every user whose pc is in
    ``pcs``. The model's fast path reads ``pcs`` and calls ``apply(p, s, thread=i)`` directly (no
    argument dicts); the result is the same as enumerating these choices."""

    def __init__(self, *pcs: str) -> None:
        self.pcs = frozenset(pcs)

    def __call__(self, p: Params, s: State) -> list[dict[str, Arg]]:
        return [{"thread": i} for i, u in enumerate(s.users) if u.pc in self.pcs]


def _at(pc: str) -> ThreadsAt:
    return ThreadsAt(pc)


USR = "user"
_common: tuple[Action, ...] = (
    action(user_reserve, USR, ("USR-1", "CP-5"), _reserve_choices, _reserve_guard),
    action(user_copy_to_log_buffer, USR, ("USR-1", "SYS-4"), _at(RESERVED), _copy_guard),
    action(user_set_first_rec_group, USR, ("USR-2", "FMT-6"), _at(COPIED),
           _first_rec_group_guard),
    action(user_add_recent_written_link, USR, ("USR-3", "LNK-1", "LNK-4", "LNK-6"),
           ThreadsAt(COPIED, FRG_SET), _written_link_guard),
)
_waits: tuple[Action, ...] = (
    action(user_wait_reset_event, USR, ("USR-5", "USR-6", "USR-7"), _at(CLOSED), _reset_guard),
    action(user_wait_check, USR, ("USR-5", "USR-6", "USR-7"), _at(RESET), _check_guard),
    action(user_wait_wake, USR, ("USR-5", "USR-6", "USR-7"), ThreadsAt(SLEEPING), _wake_guard),
)
_pages_80 = action(user_add_dirty_pages, USR, ("USR-4", "CP-3"), _at(LINKED),
                   _dirty_pages_guard)
_close_80 = action(user_add_recent_closed_link, USR, ("USR-4", "CP-1", "LNK-1"),
                   _at(PAGES_ADDED), _close_guard)
_pages_90 = action(user_wait_to_add, USR, ("USR-4", "CP-3"), _at(LINKED), _wait_to_add_guard)
_close_90 = action(user_report_added, USR, ("USR-4", "CP-1", "LNK-6"), _at(PAGES_ADDED),
                   _report_added_guard)
ACTIONS_80: tuple[Action, ...] = (*_common, _pages_80, _close_80, *_waits)
ACTIONS_90: tuple[Action, ...] = (*_common, _pages_90, _close_90, *_waits)
"""9.0 (seed 002): wait_to_add + pages, then report_added, instead of 8.0's pages (waiting for
recent-closed space) then the recent-closed link."""
ACTIONS: tuple[Action, ...] = (*_common, _pages_80, _close_80, _pages_90, _close_90, *_waits)
"""Every user action; :mod:`spec.model` keeps the 8.0 or the 9.0 pair per version."""
