"""Steps the spec forbids: the implementation must refuse them and change nothing.

The stepped machine (:mod:`conformance.stepped`) performs an implementation step only when the
spec enables it, so an implementation guard that is *too permissive* (a reservation that skips
log_free_check, a writer that writes past a missing link or the capacity limit, a checkpointer
that passes the dirty-pages bound, a page cleaner that ignores the WAL rule) would never be
exercised. The rule :func:`try_forbidden` of the stepped machine picks a spec label whose guard
is **false** in the current spec state, performs the corresponding implementation step in its
non-blocking form, and requires

1. that the implementation refuses (returns False / None: where the blocking form would wait);
2. that nothing changed: the abstract state still equals the spec's (the spec did not move),
   and the raw state the abstraction does not show is the same (:func:`raw_state`: lsn values,
   counters, link slots, log buffer bytes, event signal counts, notifier positions, writer and
   checkpointer internals, the store's I/O count, the trace).

The table :data:`FORBIDDEN` says, per spec action, which labels count (those whose guard is
false for a reason the implementation's step itself checks) and which implementation call is
tried. Guards that only order one user's own steps (copy before reserve, close before adding
the pages, a first_rec_group still to set) are not implementation guards: the implementation's
user operations take a ``Handle`` and ``RedoLog.commit`` calls them in program order, so there is
nothing to refuse; they are listed in :data:`NOT_IMPLEMENTATION_GUARDS` with the reason.

Refusals may move a few *request* fields, which are allowed (:data:`ALLOWED_ON_REFUSAL`): a
writer limited by the checkpoint counts it (``writer_checkpoint_limited``) and asks the page
cleaner and the checkpointer for space (``sync_flush_requested`` and their events). A forbidden
checkpoint is tried with the checkpointer's pure ``compute_available`` (not
``update_available``, which keeps the maximum it ever computed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import attrs

from conformance.abstraction import compare, impl_group_bytes
from conformance.checks import ConformanceFailure
from conformance.report import LIVE
from impl.records import Record
from spec.lsn import sn_to_lsn
from spec.model import Label
from spec.state import (
    COPIED,
    FRG_SET,
    IDLE,
    LINKED,
    PAGES_ADDED,
    RESERVED,
    SLEEPING,
)
from spec.user import capacity_limit, ends_in_later_block, free_check_margin, page_latched

if TYPE_CHECKING:
    from conformance.stepped import SteppedMachine


ALLOWED_ON_REFUSAL = frozenset({"writer_checkpoint_limited", "sync_flush_requested"})
"""Raw fields a refused step may change (see the module docstring)."""

IGNORED_EVENTS = frozenset({"checkpointer_update_available"})
"""Trace events a refused step may leave (implementation bookkeeping, no spec step)."""

NOT_IMPLEMENTATION_GUARDS: dict[str, str] = {
    "user_copy_to_log_buffer before user_reserve":
        "needs a Handle, which only a reservation returns",
    "user_add_recent_written_link before user_set_first_rec_group (USR-2)":
        "program order inside RedoLog.commit; the implementation keeps no per-thread pc",
    "user_add_dirty_pages / close / report out of order":
        "program order inside RedoLog.commit (USR-3, USR-4)",
    "user_reserve of a page another thread has latched":
        "the page latch is taken by RedoLog.commit before reserve, not by the reservation",
    "user_reserve beyond max_sn": "an exploration bound of the spec, no implementation limit",
    "write/flush notifier while its event is not set but there is work":
        "the implementation's notifiers also run on a timeout (decision 2); refused only when "
        "there is nothing to notify",
}
"""Spec guards with no implementation counterpart (so no forbidden step is tried for them)."""


Candidates = Callable[["SteppedMachine"], Iterator[Label]]
Attempt = Callable[["SteppedMachine", Label], bool]


@attrs.frozen
class Forbidden:
    """One row of the table: spec ``action``, the labels to try (``candidates``: guard false
    for a reason the implementation checks), and ``attempt`` (the implementation's
    non-blocking step; returns True if the implementation *did* the step)."""

    action: str
    ids: tuple[str, ...]
    candidates: Candidates
    attempt: Attempt
    doc: str


# --- helpers ---------------------------------------------------------------------------------


def _disabled(m: SteppedMachine, label: Label) -> bool:
    """The spec's guard of ``label`` is false in the current spec state (it is not among the
    machine's enabled labels, which are computed once per state and cached)."""
    if label.action not in m.action_names:
        return False
    return label not in m.enabled(label.action)


def _threads(m: SteppedMachine, *pcs: str) -> Iterator[int]:
    """User threads whose spec pc and driver pc are in ``pcs`` and who hold a handle (or are
    idle)."""
    for i, u in enumerate(m.spec.users):
        du = m.users[i]
        if u.pc in pcs and du.pc == u.pc and (u.pc == IDLE or du.handle is not None):
            yield i


def _per_thread(action: str, *pcs: str, extra: Callable[[SteppedMachine, int], bool]
                | None = None) -> Candidates:
    def candidates(m: SteppedMachine) -> Iterator[Label]:
        for i in _threads(m, *pcs):
            if extra is not None and not extra(m, i):
                continue
            label = Label(action, (("thread", i),))
            if _disabled(m, label):
                yield label
    return candidates


def _no_arg(action: str, extra: Callable[[SteppedMachine], bool] | None = None) -> Candidates:
    def candidates(m: SteppedMachine) -> Iterator[Label]:
        if action not in m.action_names or (extra is not None and not extra(m)):
            return
        label = Label(action, ())
        if _disabled(m, label):
            yield label
    return candidates


def _handle(m: SteppedMachine, label: Label) -> tuple[Any, Any]:
    u = m.users[int(label.get("thread"))]
    assert u.handle is not None
    return u, u.handle


# --- user steps ------------------------------------------------------------------------------


def _reserve_candidates(m: SteppedMachine) -> Iterator[Label]:
    """Idle threads and group sizes for which log_free_check's margin fails (CP-5, WR-9): the
    group's end plus one write-ahead region and a block would pass the capacity limit."""
    p, s = m.p, m.spec
    pages = [pg for pg in range(p.n_pages) if not page_latched(s, pg)]
    if not pages:
        return
    for i in _threads(m, IDLE):
        for size in p.group_sizes:
            if s.sn + size > p.start_sn + p.max_sn:
                continue
            end = sn_to_lsn(p, s.sn + size)
            if end + free_check_margin(p) > capacity_limit(p, s):
                label = Label("user_reserve", (("thread", i), ("size", size),
                                               ("page", pages[0]), ("wait", p.wait_kinds[0])))
                if _disabled(m, label):
                    yield label


def _reserve_attempt(m: SteppedMachine, label: Label) -> bool:
    handle = m.log.try_user_reserve(int(label.get("size")), thread=str(label.get("thread")))
    return handle is not None


def _copy_attempt(m: SteppedMachine, label: Label) -> bool:
    u, handle = _handle(m, label)
    return bool(m.log.user_copy_to_log_buffer(handle, impl_group_bytes(u.size, u.page),
                                              thread=str(label.get("thread"))))


def _needs_no_frg(m: SteppedMachine, i: int) -> bool:
    return not ends_in_later_block(m.p, m.spec.users[i])


def _frg_attempt(m: SteppedMachine, label: Label) -> bool:
    _u, handle = _handle(m, label)
    return bool(m.log.user_set_first_rec_group(handle, thread=str(label.get("thread"))))


def _link_ready(m: SteppedMachine, i: int) -> bool:
    """The thread's only missing precondition can be the ring's space (LNK-4)."""
    u = m.spec.users[i]
    return u.pc == FRG_SET or (u.pc == COPIED and not ends_in_later_block(m.p, u))


def _link_attempt(m: SteppedMachine, label: Label) -> bool:
    _u, handle = _handle(m, label)
    return bool(m.log.user_add_recent_written_link(handle, thread=str(label.get("thread"))))


def _pages_attempt(m: SteppedMachine, label: Label) -> bool:
    u, handle = _handle(m, label)
    records = [Record(u.page, bytes((1 + u.page,)) * 4)]
    return bool(m.log.user_add_dirty_pages(handle, records, thread=str(label.get("thread"))))


def _close_attempt(m: SteppedMachine, label: Label) -> bool:
    _u, handle = _handle(m, label)
    close = (m.log.user_add_recent_closed_link if label.action == "user_add_recent_closed_link"
             else m.log.user_report_added)
    return bool(close(handle, thread=str(label.get("thread"))))


def _wake_attempt(m: SteppedMachine, label: Label) -> bool:
    u, handle = _handle(m, label)
    return bool(m.log.user_wait_wake(handle.end_lsn, u.wait, u.count,
                                     thread=str(label.get("thread"))))


# --- background steps ------------------------------------------------------------------------


def _flusher_candidates(m: SteppedMachine) -> Iterator[Label]:
    """Nothing to flush (FL-3): the label the spec would take, ``up_to=write_lsn``."""
    label = Label("flusher_fsync", (("up_to", m.spec.writer.write_lsn),))
    if _disabled(m, label):
        yield label


def _nothing_to_notify(kind: str) -> Callable[[SteppedMachine], bool]:
    def extra(m: SteppedMachine) -> bool:
        s = m.spec
        if kind == "write":
            return s.writer.write_lsn < s.notifiers.write_notifier_lsn
        return s.flushed_to_disk_lsn < s.notifiers.flush_notifier_lsn
    return extra


def _tracker_idle(m: SteppedMachine) -> bool:
    """9.0: the checkpointer asks the tracker first (CP-1); only try a forbidden checkpoint
    when the ask has nothing to advance either."""
    return "checkpointer_ask_smallest_not_added" not in m.action_names or not m.enabled(
        "checkpointer_ask_smallest_not_added")


def _checkpoint_attempt(m: SteppedMachine, label: Label) -> bool:
    """The checkpointer would checkpoint if nothing is pending and its computation (pure:
    ``compute_available``, CP-2, CP-7) is above the last checkpoint; then ``write_checkpoint``
    on the stored value. ``update_available`` is not called: it keeps the maximum it ever
    computed (as MySQL), so an extra call at a moment the schedule would not make it could
    later checkpoint above what the spec computes at the write."""
    ck = m.log.checkpointer
    if ck.pending is None and ck.compute_available() > m.log.checkpoint_lsn:
        return True
    return bool(ck.write_checkpoint())


def _page_cleaner_candidates(m: SteppedMachine) -> Iterator[Label]:
    """CP-6: a non-empty flush list whose earliest-added page is newer than
    flushed_to_disk_lsn (the WAL rule forbids writing it)."""
    for i, lst in enumerate(m.spec.pages.flush_lists):
        if lst:
            label = Label("page_cleaner_flush_page", (("list", i),))
            if _disabled(m, label):
                yield label


def _page_cleaner_attempt(m: SteppedMachine, label: Label) -> bool:
    """The per-list form (``try_flush_list``); and when no page of any list may be written
    (every dirty page newer than flushed_to_disk_lsn), the page cleaner's own ``step`` too."""
    cleaner = m.log.page_cleaner
    if cleaner.try_flush_list(int(label.get("list"))):
        return True
    s = m.spec
    if all(s.pages.newest[pg] > s.flushed_to_disk_lsn
           for lst in s.pages.flush_lists for pg, _ in lst):
        return bool(cleaner.step())
    return False


def _step_of(getter: Callable[[Any], Callable[[], bool]]) -> Attempt:
    def attempt(m: SteppedMachine, label: Label) -> bool:
        return bool(getter(m.log)())
    return attempt


FORBIDDEN: tuple[Forbidden, ...] = (
    Forbidden("user_reserve", ("USR-1", "CP-5", "WR-9"), _reserve_candidates, _reserve_attempt,
              "a reservation that log_free_check's margin does not admit: try_user_reserve "
              "must return None"),
    Forbidden("user_copy_to_log_buffer", ("USR-1", "SYS-4"),
              _per_thread("user_copy_to_log_buffer", RESERVED), _copy_attempt,
              "a copy into log buffer blocks the writer has not written yet"),
    Forbidden("user_set_first_rec_group", ("USR-2", "FMT-6"),
              _per_thread("user_set_first_rec_group", COPIED, extra=_needs_no_frg),
              _frg_attempt, "first_rec_group for a group that ends in the block it starts in"),
    Forbidden("user_add_recent_written_link", ("USR-3", "LNK-4"),
              _per_thread("user_add_recent_written_link", COPIED, FRG_SET, extra=_link_ready),
              _link_attempt, "a recent-written link whose slot is not free yet"),
    Forbidden("user_add_dirty_pages", ("USR-4", "CP-3"),
              _per_thread("user_add_dirty_pages", LINKED), _pages_attempt,
              "dirty pages with start_lsn >= dirty_pages_added_up_to_lsn + L"),
    Forbidden("user_wait_to_add", ("USR-4", "CP-3"),
              _per_thread("user_wait_to_add", LINKED), _pages_attempt,
              "9.0: dirty pages with start_lsn >= smallest_not_added_lsn + L even after asking "
              "the tracker"),
    Forbidden("user_add_recent_closed_link", ("USR-4", "CP-1", "LNK-4"),
              _per_thread("user_add_recent_closed_link", PAGES_ADDED), _close_attempt,
              "a recent-closed link whose slot is not free"),
    Forbidden("user_report_added", ("USR-4", "CP-1"),
              _per_thread("user_report_added", PAGES_ADDED), _close_attempt,
              "a report to the tracker whose slot is not free"),
    Forbidden("user_wait_wake", ("USR-7", "NT-4"),
              _per_thread("user_wait_wake", SLEEPING), _wake_attempt,
              "a wake-up although the slot was not set since the reset"),
    Forbidden("writer_traverse_links", ("WR-1", "WR-2", "LNK-2"),
              _no_arg("writer_traverse_links"), _step_of(lambda log: log.writer.traverse_links),
              "a traversal with no link at the tail (or beyond write_max_size)"),
    Forbidden("writer_write", ("WR-1", "WR-9", "SYS-4"), _no_arg("writer_write"),
              _step_of(lambda log: log.writer.write),
              "a write with nothing ready, or past the writer's capacity limit"),
    Forbidden("flusher_fsync", ("FL-3",), _flusher_candidates,
              _step_of(lambda log: log.flusher.step), "an fsync with nothing to flush"),
    Forbidden("write_notifier_notify_slots", ("NT-1", "NT-2"),
              _no_arg("write_notifier_notify_slots", _nothing_to_notify("write")),
              _step_of(lambda log: log.write_notifier.step), "a write notifier with nothing new"),
    Forbidden("flush_notifier_notify_slots", ("NT-5",),
              _no_arg("flush_notifier_notify_slots", _nothing_to_notify("flush")),
              _step_of(lambda log: log.flush_notifier.step), "a flush notifier with nothing new"),
    Forbidden("closer_traverse_links", ("CP-1", "LNK-2"), _no_arg("closer_traverse_links"),
              _step_of(lambda log: log.closer.step), "a closer with no link at the tail"),
    Forbidden("checkpointer_ask_smallest_not_added", ("CP-1", "LNK-2"),
              _no_arg("checkpointer_ask_smallest_not_added"),
              _step_of(lambda log: log.checkpointer.ask_smallest_not_added),
              "an ask of the 9.0 tracker with nothing reported at the tail"),
    Forbidden("checkpointer_write_checkpoint", ("CP-2", "CP-4", "CP-5", "SYS-2"),
              _no_arg("checkpointer_write_checkpoint", _tracker_idle), _checkpoint_attempt,
              "a checkpoint while one is pending or not above the last (dirty-pages bound, "
              "flushed_to_disk_lsn)"),
    Forbidden("checkpointer_sync_checkpoint", ("CP-4", "FMT-10"),
              _no_arg("checkpointer_sync_checkpoint"),
              _step_of(lambda log: log.checkpointer.sync_checkpoint),
              "a checkpoint sync with nothing pending"),
    Forbidden("page_cleaner_flush_page", ("CP-6",), _page_cleaner_candidates,
              _page_cleaner_attempt, "a page write before the log is durable past the page "
              "(WAL)"),
)
"""The table of forbidden steps, one row per spec action (the module docstring)."""

BY_ACTION: dict[str, Forbidden] = {f.action: f for f in FORBIDDEN}


def candidates(m: SteppedMachine) -> list[Label]:
    """Every forbidden label to try in the machine's current state (spec not crashed)."""
    if m.spec.crashed:
        return []
    out: list[Label] = []
    for f in FORBIDDEN:
        if f.action in m.action_names:
            out.extend(f.candidates(m))
    return out


# --- the raw state a refusal must not change --------------------------------------------------


def _query_event(event: Any) -> bool:
    """A trace event that records a look, not a change: the checkpointer's bookkeeping, and
    a user's wait that did not wake (``user_wait_wake`` with ``woken=False``)."""
    return event.action in IGNORED_EVENTS or (
        event.action == "user_wait_wake" and event.values.get("woken") is False)


def raw_state(log: Any) -> dict[str, Any]:
    """What a refused step must leave alone, including what the abstraction does not show."""
    raw: dict[str, Any] = dict(log.lsn_values())
    raw.update(log.counters())
    raw["sn"] = log.sn
    raw["sync_flush_requested"] = log.sync_flush_requested
    raw["io_count"] = getattr(log.store, "io_count", None)
    raw["buffer"] = bytes(log.buffer.data)
    for name in ("recent_written", "recent_closed"):
        ring = getattr(log, name)
        raw[f"{name}.tail"] = ring.tail
        raw[f"{name}.slots"] = ring.distances()
    w = log.writer
    raw["writer"] = (w.write_ahead_end_offset, w.write_ahead_file_end)
    raw["notifiers"] = (log.write_notifier.lsn, log.flush_notifier.lsn)
    raw["checkpointer"] = (log.checkpointer.pending, log.next_checkpoint_no)
    raw["events"] = (tuple(e.signal_count for e in log.write_events.events),
                     tuple(e.signal_count for e in log.flush_events.events),
                     log.write_notifier_event.signal_count,
                     log.flush_notifier_event.signal_count)
    raw["pages"] = tuple((pg.page_lsn, pg.oldest_modification, pg.newest_modification)
                         for pg in log.bufpool.pages)
    raw["flush_lists"] = tuple(tuple(fl) for fl in log.bufpool.flush_lists)
    trace = log.trace
    raw["trace"] = (sum(1 for e in trace.events if not _query_event(e))
                    if trace is not None else None)
    return raw


def raw_diff(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [f"{k}: {before[k]!r} -> {after.get(k)!r}"[:300] for k in before
            if k not in ALLOWED_ON_REFUSAL and before[k] != after.get(k)]


def try_forbidden(m: SteppedMachine, label: Label) -> None:
    """Perform the forbidden ``label`` on the implementation; it must refuse and change
    nothing (module docstring). Raises :class:`ConformanceFailure` otherwise."""
    f = BY_ACTION[label.action]
    before = raw_state(m.log)
    try:
        did = f.attempt(m, label)
    except ConformanceFailure:
        raise
    except Exception as exc:
        raise ConformanceFailure(f"impl raised {type(exc).__name__}",
                                 f"forbidden {label} raised {type(exc).__name__}: {exc}") from exc
    if did:
        raise ConformanceFailure(
            f"impl takes a forbidden step: {label.action}",
            f"the spec forbids {label} here ({f.doc}; {', '.join(f.ids)}), but the "
            f"implementation did it")
    diff = raw_diff(before, raw_state(m.log))
    if diff:
        raise ConformanceFailure(
            f"forbidden step changed state: {label.action}",
            f"the implementation refused {label} but changed: " + "; ".join(diff[:6]))
    after = m.abstract_impl(m.abs.last_write)
    diff = compare(m.p, m.spec, after, m.written)
    if diff:
        raise ConformanceFailure(
            f"forbidden step changed state: {label.action}",
            f"the implementation refused {label} but its abstract state moved away from the "
            "spec's:\n  " + "\n  ".join(diff[:12]))
    LIVE.forbidden[label.action] += 1



def check_reserve_boundary(m: SteppedMachine) -> None:
    """log_free_check's margin at its exact boundary (CP-5, WR-9): the stepped machine tries a
    forbidden reservation only with the configuration's group sizes, so a margin that is off
    by a few bytes (an lsn where an sn belongs: the headers and trailers a group crosses; a
    margin without the block) passes unless a group happens to end within those bytes of the
    limit. Here the largest size the spec's guard lets in (``end + margin <= limit``, found by
    bisection) and the next one are asked of the implementation's :meth:`RedoLog.reserve_fits`,
    a pure predicate: it must say yes to the one and no to the other."""
    p, s, log = m.p, m.spec, m.log

    def fits(size: int) -> bool:
        return sn_to_lsn(p, s.sn + size) + free_check_margin(p) <= capacity_limit(p, s)

    LIVE.boundary_probes["probed"] += 1
    hi = p.log_capacity  # no group that long ever fits
    if not fits(1) or fits(hi):
        return
    lo = 1  # fits(lo), not fits(hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if fits(mid) else (lo, mid)
    LIVE.boundary_probes["at boundary"] += 1
    got = (bool(log.reserve_fits(lo)), bool(log.reserve_fits(hi)))
    if got != (True, False):
        raise ConformanceFailure(
            "reservation boundary",
            f"with sn {s.sn} and checkpoint lsn {s.checkpoint.checkpoint_lsn} the spec lets a "
            f"group of {lo} sn bytes in and not one of {hi} (its end plus the margin of "
            f"{free_check_margin(p)} against the limit {capacity_limit(p, s)}); the "
            f"implementation's reserve_fits says {got[0]} and {got[1]} (CP-5, WR-9)")


def check_link_space_boundary(m: SteppedMachine) -> None:
    """LNK-4 at its exact boundary: for each link buffer, a link starting at ``tail +
    capacity - 1`` may be added and one at ``tail + capacity`` may not (the spec's
    :func:`spec.linkbuf.has_space` on the spec's ring). Group starts fall on that exact lsn
    only by chance, so ``<=`` for ``<`` in the implementation's test lets a link into the
    slot of the tail - over a hole - and is otherwise seen only rarely."""
    from spec.linkbuf import has_space

    for name, ring in (("recent_written", m.spec.recent_written),
                       ("recent_closed", m.spec.recent_closed)):
        impl_ring = getattr(m.log, name)
        for pos in (ring.tail + ring.capacity - 1, ring.tail + ring.capacity):
            if bool(impl_ring.has_space(pos)) != has_space(ring, pos):
                raise ConformanceFailure(
                    "link space boundary",
                    f"{name}: tail {ring.tail}, capacity {ring.capacity}: a link at {pos} "
                    f"{'may' if has_space(ring, pos) else 'may not'} be added (LNK-4), the "
                    f"implementation's has_space says {bool(impl_ring.has_space(pos))}")
    LIVE.boundary_probes["link space"] += 1


def check_wait_to_add_boundary(m: SteppedMachine) -> None:
    """CP-3 in 9.0 at its exact boundary: ``wait_to_add(start)`` lets a user add its pages when
    ``start < smallest_not_added_lsn + L``, after asking the tracker if needed. Probed on a copy
    of the tracker's ring (the ask moves the tail): a start at ``tail + L - 1`` must be let in,
    and one at ``tail + L`` must wait when nothing is reported at the tail (the spec's ring: the
    ask cannot move it). A ``<=`` for ``<`` passes unless a group starts exactly there."""
    import copy

    from impl.closer import Tracker

    log = m.log
    if log.tracker is None:
        return
    ring = m.spec.recent_closed
    stub = type("TrackerProbe", (), {})()
    probes = [(ring.tail + ring.capacity - 1, True)]
    if not ring.slot(ring.tail & (ring.capacity - 1)):
        probes.append((ring.tail + ring.capacity, False))
    for start, expected in probes:
        stub.recent_closed = copy.deepcopy(log.recent_closed)
        got = Tracker(stub).wait_to_add(start)[0]
        if got != expected:
            raise ConformanceFailure(
                "wait_to_add boundary",
                f"smallest_not_added_lsn {ring.tail}, order lag {ring.capacity}: a user whose "
                f"group starts at {start} {'may' if expected else 'must wait to'} add its "
                f"pages (CP-3), the implementation's wait_to_add says {got}")
    LIVE.boundary_probes["wait_to_add"] += 1
