"""The log flusher in stepped mode (FL-1..FL-3) and what an fsync failure does."""

from __future__ import annotations

import threading

import pytest

from impl.config import LogConfig
from impl.errors import LogFailed
from impl.faultstore import FaultStore
from impl.records import Record
from impl.redolog import Handle, RedoLog


def make() -> tuple[FaultStore, RedoLog]:
    store = FaultStore()
    return store, RedoLog.create(store, LogConfig.small(), threads=False)


def group(log: RedoLog, size: int) -> Handle:
    h = log.user_reserve(size)
    assert log.user_copy_to_log_buffer(h, b"\x22" * size)
    log.user_set_first_rec_group(h)
    assert log.user_add_recent_written_link(h)
    return h


def test_nothing_to_flush() -> None:
    """FL-3: with flushed_to_disk_lsn == write_lsn the flusher has no work."""
    _, log = make()
    assert not log.flusher.step()


def test_flush_makes_the_written_log_durable_and_publishes_the_lsn_read_before() -> None:
    """FL-1: fsync, then flushed_to_disk_lsn := the write_lsn the fsync covered."""
    store, log = make()
    h = group(log, 100)
    log.writer.step()
    assert store.crash().read("ib_logfile0", 2048 + 12, 100) != b"\x22" * 100  # not durable
    assert log.flusher.step()
    assert log.flushed_to_disk_lsn == h.end_lsn == log.write_lsn
    assert store.crash().read("ib_logfile0", 2048 + 12, 100) == b"\x22" * 100
    assert log.counters()["fsyncs"] == 1


def test_flushed_lsn_never_exceeds_what_the_fsync_covered() -> None:
    """FL-1: a write landing while the flusher fsyncs is not claimed by this flush."""
    _, log = make()
    group(log, 100)
    log.writer.step()
    covered = log.write_lsn

    def write_during_fsync(name: str) -> None:
        if name == "log_flush_before_flushed_to_disk_lsn":
            group(log, 50)
            log.writer.step()

    log.sync_point_hook = write_during_fsync
    log.flusher.step()
    log.sync_point_hook = None
    assert log.flushed_to_disk_lsn == covered < log.write_lsn


def test_one_block_flush_notifies_directly_else_the_notifier() -> None:
    """FL-2: one block -> the slot event directly; more -> the flush notifier's event."""
    _, log = make()
    group(log, 100)
    log.writer.step()
    for e in log.flush_events.events:
        e.reset()
    log.flush_notifier_event.reset()
    log.flusher.step()  # 8204 -> 8304: block 16 only
    assert log.flush_events.events[16 % 8].is_set() and not log.flush_notifier_event.is_set()
    group(log, 900)
    while log.writer.step():
        pass
    log.flusher.step()  # from 8304 over several blocks
    assert log.flush_notifier_event.is_set()


def test_fsync_failure_fails_the_log_and_moves_nothing() -> None:
    """After EIO the log refuses further writes and never claims durability."""
    store, log = make()
    h = group(log, 100)
    log.writer.step()
    store.fail_fsync = True
    with pytest.raises(LogFailed, match="fsync"):
        log.flusher.step()
    assert log.flushed_to_disk_lsn == 8204 < h.end_lsn
    with pytest.raises(LogFailed):
        log.user_reserve(10)
    with pytest.raises(LogFailed):
        log.wait_for_flush(h.end_lsn)
    assert not log.writer.write()


def test_fsync_failure_wakes_a_waiting_committer_threaded() -> None:
    """A thread waiting in commit() is woken and raises, nothing hangs."""
    store = FaultStore()
    log = RedoLog.create(store, LogConfig.small())
    try:
        store.fail_fsync = True
        errors: list[BaseException] = []

        def commit() -> None:
            try:
                log.commit([Record(1, b"x")])
            except BaseException as exc:
                errors.append(exc)

        t = threading.Thread(target=commit)
        t.start()
        t.join(10)
        assert not t.is_alive()
        assert len(errors) == 1 and isinstance(errors[0], LogFailed), errors
    finally:
        log.close()
