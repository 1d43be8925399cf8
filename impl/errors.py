"""The specific exceptions of the redo log implementation.

Every failure a caller can provoke or meet says *what* and *where*:

* :class:`ConfigError` - an invalid :class:`impl.config.LogConfig` field (names field and rule).
* ``CorruptedBlock`` (= :class:`impl.recovery.CorruptLogBlock`, re-exported lazily) - a log
  block with a valid checksum and hdr_no but impossible content (file, offset, lsn, what).
* ``LogFileError`` (from :mod:`impl.logfiles`, re-exported lazily as :data:`LogFileError`) - a log
  file that is missing or truncated.
* :class:`LogClosed` - an operation on a :class:`impl.redolog.RedoLog` after ``close()``.
* :class:`WaitBeyondReservedLsn` - a wait for an lsn nobody reserved (USR-5/6 would never end).
* :class:`LogThreadDied` - a background thread died; every waiter is woken and raises this,
  wrapping the thread's error (nothing hangs, SYS-3).
* :class:`LogFailed` - an fsync (or write) failed; the log refuses further writes instead of
  pretending that data is durable (FL-1: flushed_to_disk_lsn only moves after a successful fsync).
"""

from __future__ import annotations

from typing import Any


class RedoLogError(Exception):
    """Base class of the redo log's own errors."""


class ConfigError(RedoLogError, ValueError):
    """An invalid configuration value: ``field`` broke ``rule``."""

    def __init__(self, field: str, value: object, rule: str) -> None:
        self.field = field
        self.value = value
        self.rule = rule
        super().__init__(f"invalid configuration: {field}={value!r}: {rule}")


class LogClosed(RedoLogError):
    """The log was closed; ``operation`` is not allowed any more."""

    def __init__(self, operation: str) -> None:
        self.operation = operation
        super().__init__(f"{operation}: the redo log is closed")


class WaitBeyondReservedLsn(RedoLogError, ValueError):
    """A wait for ``lsn`` although only lsns up to ``current_lsn`` were ever reserved."""

    def __init__(self, what: str, lsn: int, current_lsn: int) -> None:
        self.lsn = lsn
        self.current_lsn = current_lsn
        super().__init__(
            f"{what}({lsn}): lsn {lsn} was never reserved (current lsn is {current_lsn}); "
            "the wait would never end"
        )


class LogThreadDied(RedoLogError):
    """Background thread ``thread`` died with ``error``; the waiter was woken to report it."""

    def __init__(self, thread: str, error: BaseException) -> None:
        self.thread = thread
        self.error = error
        super().__init__(f"log thread {thread} died: {type(error).__name__}: {error}")


class LogFailed(RedoLogError):
    """An fsync or write failed; nothing after ``flushed_to_disk_lsn`` can be promised durable."""

    def __init__(self, operation: str, flushed_to_disk_lsn: int, error: BaseException) -> None:
        self.operation = operation
        self.flushed_to_disk_lsn = flushed_to_disk_lsn
        self.error = error
        super().__init__(
            f"{operation} failed ({error}); the log refuses further writes; "
            f"data is durable only up to lsn {flushed_to_disk_lsn}"
        )


def __getattr__(name: str) -> Any:
    """``LogFileError`` lives in :mod:`impl.logfiles` (missing or truncated log files)."""
    if name == "LogFileError":
        from impl.logfiles import LogFileError

        return LogFileError
    if name == "CorruptedBlock":
        from impl.recovery import CorruptLogBlock

        return CorruptLogBlock
    raise AttributeError(name)
