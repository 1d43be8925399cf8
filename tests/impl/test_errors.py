"""Specific errors for bad input and failures: what and where, never a hang."""

from __future__ import annotations

import threading
import time

import pytest

from impl import errors
from impl.config import LogConfig
from impl.errors import ConfigError, LogClosed, LogThreadDied, WaitBeyondReservedLsn
from impl.faultstore import FaultStore
from impl.format import TRAILER_OFFSET, crc32c
from impl.records import Record
from impl.recovery import recover
from impl.redolog import RedoLog


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [({"write_events": 6}, "write_events", "power of two"),
     ({"recent_written_size": 0}, "recent_written_size", "power of two"),
     ({"log_buffer_size": 1000}, "log_buffer_size", "multiple of 512"),
     ({"write_ahead_size": 256}, "write_ahead_size", "power of two in [512, 16384]"),
     ({"file_size": 3000}, "file_size", "multiple of 512"),
     ({"n_files": 0}, "n_files", "[1, 100]"),
     ({"version": "5.7"}, "version", '"8.0" or "9.0"'),
     ({"n_pages": True}, "n_pages", "integer"),
     ({"checksums": 1}, "checksums", "bool")],
)
def test_invalid_configuration_names_field_and_rule(changes: dict[str, object], field: str,
                                                    rule: str) -> None:
    """ConfigError names the field and the rule it broke."""
    with pytest.raises(ConfigError) as info:
        LogConfig(**changes)  # type: ignore[arg-type]
    assert info.value.field == field and rule in str(info.value) and field in str(info.value)


def test_defaults_are_innodbs() -> None:
    """facts "Numbers": 16 MiB buffer, 1/2 MiB link buffers, 8 KiB write-ahead, 4 KiB max
    write, 2048 event slots, 2 x 48 MiB files."""
    c = LogConfig()
    assert (c.log_buffer_size, c.recent_written_size, c.recent_closed_size) == (
        16 << 20, 1 << 20, 2 << 20)
    assert (c.write_ahead_size, c.write_max_size, c.write_events, c.flush_events) == (
        8192, 4096, 2048, 2048)
    assert (c.file_size, c.n_files, c.checksums) == (48 << 20, 2, True)


def test_use_after_close() -> None:
    """Every operation after close() raises LogClosed."""
    log = RedoLog.create(FaultStore(), LogConfig.small(), threads=False)
    log.close()
    with pytest.raises(LogClosed, match="closed"):
        log.commit([Record(0, b"x")])
    with pytest.raises(LogClosed):
        log.user_reserve(5)


def test_wait_for_an_lsn_never_reserved() -> None:
    """USR-5/6: a wait that could never end is refused at once."""
    log = RedoLog.create(FaultStore(), LogConfig.small(), threads=False)
    with pytest.raises(WaitBeyondReservedLsn, match="never reserved") as info:
        log.wait_for_flush(9000)
    assert info.value.lsn == 9000 and info.value.current_lsn == 8204
    with pytest.raises(WaitBeyondReservedLsn):
        log.wait_for_write(8205)
    log.wait_for_flush(8204)  # the start is durable: returns at once


def test_a_dying_writer_wakes_every_waiter() -> None:
    """SYS-3: the writer dies on an I/O error; committers raise LogThreadDied
    wrapping it instead of hanging."""
    store = FaultStore()
    log = RedoLog.create(store, LogConfig.small())

    def on_io(op: str, name: str, offset: int, length: int) -> None:
        if op == "write" and name.startswith("ib_logfile"):
            raise RuntimeError("disk on fire")

    store.on_io = on_io
    results: list[BaseException] = []

    def commit(i: int) -> None:
        try:
            log.commit([Record(i, b"x")])
        except BaseException as exc:
            results.append(exc)

    threads = [threading.Thread(target=commit, args=(i,)) for i in range(3)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not any(t.is_alive() for t in threads) and time.monotonic() - start < 10
    assert len(results) == 3
    assert all(isinstance(r, LogThreadDied) for r in results), results
    died = results[0]
    assert isinstance(died, LogThreadDied)
    assert died.thread == "writer" and "disk on fire" in str(died)
    log.close(flush=False)


def test_missing_and_truncated_log_files_are_log_file_errors() -> None:
    """FMT-9: a missing or truncated file is a LogFileError naming the file."""
    store = FaultStore()
    with pytest.raises(errors.LogFileError, match="ib_logfile0"):
        RedoLog.open(store, LogConfig.small(), threads=False)
    log = RedoLog.create(store, LogConfig.small(), threads=False)
    log.close()
    data = store.read("ib_logfile1", 0, 4096)
    store.create("ib_logfile1", 4096)
    store.write("ib_logfile1", 0, data)
    with pytest.raises(errors.LogFileError, match="ib_logfile1"):
        RedoLog.open(store, LogConfig.small(), threads=False)


def test_a_block_with_impossible_content_is_a_corrupted_block() -> None:
    """A valid checksum and hdr_no but data_len 600: corruption, named with file/offset/lsn."""
    store = FaultStore()
    with RedoLog.create(store, LogConfig.small()) as log:
        log.commit([Record(1, b"x" * 50)])
    block = bytearray(store.read("ib_logfile0", 2048, 512))
    block[4:6] = (600).to_bytes(2, "big")
    block[TRAILER_OFFSET:] = crc32c(bytes(block[:TRAILER_OFFSET])).to_bytes(4, "big")
    store.write("ib_logfile0", 2048, bytes(block))
    with pytest.raises(errors.CorruptedBlock) as info:
        recover(store)
    exc = info.value
    assert (exc.file, exc.offset, exc.lsn) == ("ib_logfile0", 2048, 8192)  # type: ignore[attr-defined]
    assert "data_len 600" in str(exc)


def test_bad_user_input_is_refused_early() -> None:
    """Bad sizes and records fail with a message, not deep inside the pipeline."""
    log = RedoLog.create(FaultStore(), LogConfig.small(), threads=False)
    with pytest.raises(ValueError, match="at least one byte"):
        log.user_reserve(0)
    with pytest.raises(ValueError, match="fit in the log buffer"):
        log.user_reserve(10_000)
    h = log.user_reserve(10)
    with pytest.raises(ValueError, match="copy of 3 bytes"):
        log.user_copy_to_log_buffer(h, b"abc")
    with pytest.raises(ValueError, match="pages"):
        log.commit([Record(10_000, b"x")])


def test_a_failed_log_write_fails_the_log() -> None:
    """An I/O error writing the log files marks the log failed: LogFailed for the
    waiters and for every later operation; flushed_to_disk_lsn does not move."""
    store = FaultStore()
    log = RedoLog.create(store, LogConfig.small(), threads=False)

    def on_io(op: str, name: str, offset: int, length: int) -> None:
        if op == "write" and name == "ib_logfile0":
            raise OSError(5, "input/output error")

    h = log.user_reserve(20)
    log.user_copy_to_log_buffer(h, bytes(20))
    log.user_add_recent_written_link(h)
    store.on_io = on_io
    # the first write pads the 1 KiB write-ahead region (WR-6): 1024 bytes at offset 2048
    with pytest.raises(errors.LogFailed, match="write of 1024 bytes to ib_logfile0 at offset 2048"):
        log.writer.step()
    store.on_io = None
    assert log.flushed_to_disk_lsn == log.write_lsn == 8204
    with pytest.raises(errors.LogFailed):
        log.user_reserve(5)
