"""The log flusher (FL-1..3): fsync the log files and publish flushed_to_disk_lsn.

Seed 001 ("Thread: log flusher"): the flusher fsyncs the files, then sets
flushed_to_disk_lsn to the write_lsn the fsync covered (never more) and notifies the flush
notifier -- or, if only one block was flushed, the waiting users directly (FL-2, decision 3).
With nothing to flush it waits (FL-3); the spec lets it poll (decision 2).
"""

from __future__ import annotations

from collections.abc import Iterable

from spec.model_types import Action, Arg, action
from spec.notifier import notify_advance
from spec.params import Params
from spec.state import Monitor, State, replace


def flusher_fsync(p: Params, s: State, up_to: int) -> State | None:
    """FL-1, FL-2: ``fsync`` the log files -- the durable view becomes the OS-cache view (the
    data blocks; checkpoint blocks are synced by the checkpointer, decision 9) -- then
    ``flushed_to_disk_lsn := up_to``, the write_lsn read before the fsync. Guard:
    ``flushed_to_disk_lsn < up_to <= write_lsn`` (FL-3: nothing to flush, nothing to do).
    Notification: the one slot directly if the advance stays inside one block, else
    flush_notifier_event (FL-2, decision 3)."""
    if _fsync_guard(p, s, up_to) is not None:
        return None
    old = s.flushed_to_disk_lsn
    users, notifiers, direct = notify_advance(p, s, "flush", old, up_to)
    m = s.monitor
    monitor = Monitor(
        m.full_block_writes,
        m.partial_block_writes,
        m.write_ahead_padding_bytes,
        m.log_writes,
        m.fsyncs + 1,
        m.direct_notifications + (1 if direct else 0),
        m.notifier_wakeups,
    )
    return replace(
        s,
        disk=s.files,
        flushed_to_disk_lsn=up_to,
        users=users,
        notifiers=notifiers,
        monitor=monitor,
    )


def _fsync_guard(p: Params, s: State, up_to: int) -> str | None:
    """:func:`flusher_fsync`'s guard (None: enabled)."""
    if not s.flushed_to_disk_lsn < up_to <= s.writer.write_lsn:
        return (f"flushed_to_disk_lsn < up_to <= write_lsn is false (flushed="
                f"{s.flushed_to_disk_lsn}, up_to={up_to}, write_lsn={s.writer.write_lsn})")
    return None


def _choices(p: Params, s: State) -> Iterable[dict[str, Arg]]:
    if s.flushed_to_disk_lsn < s.writer.write_lsn:
        yield {"up_to": s.writer.write_lsn}


ACTIONS: tuple[Action, ...] = (
    action(flusher_fsync, "flusher", ("FL-1", "FL-2", "FL-3"), _choices, _fsync_guard),
)
