"""``LogConfig``: every size and knob of the redo log, validated, with InnoDB's defaults.

Sizes are InnoDB 8.0's defaults (reference/mysql-redo-facts.md, "Numbers"); blocks are always
OS_FILE_LOG_BLOCK_SIZE = 512 bytes (FMT-1), because the files are real InnoDB-format files.

Spin rounds and timeouts keep InnoDB's *names* but not all its values: InnoDB's background
threads spin 250000 rounds and wait 10 µs, which in C costs a few microseconds; in Python one
round is a method call under the GIL shared with the user threads, and spinning measurably
slows the users down (16 threads: about 10000 durable commits/s without background spinning,
6000 with 20 rounds). So background threads do not spin by default and wait 1 ms on their event,
which is what InnoDB itself does when requests are infrequent (``Log_thread_waiting``, facts
§6.3); the timeouts are safety nets, every producer sets its consumer's event
(docs/spec-model.md decision 2). The user wait timeout (1 ms,
doubling every 4 waits up to 100 ms, USR-5/6) is InnoDB's.

Invalid values raise :class:`impl.errors.ConfigError` naming the field and the rule.
"""

from __future__ import annotations

from typing import Any

import attrs

from impl.errors import ConfigError
from impl.format import LOG_START_LSN

BLOCK_SIZE = 512
KIB = 1024
MIB = 1024 * 1024


def _power_of_two(value: int) -> bool:
    return value >= 1 and value & (value - 1) == 0


def _check(field: str, value: Any, ok: bool, rule: str) -> None:
    if not ok:
        raise ConfigError(field, value, rule)


def _int(field: str, value: Any) -> None:
    ok = isinstance(value, int) and not isinstance(value, bool)
    _check(field, value, ok, "must be an integer")


@attrs.frozen
class LogConfig:
    """The redo log's parameters. ``LogConfig()`` is InnoDB's default configuration.

    * ``log_buffer_size`` - bytes of the ring log buffer (innodb_log_buffer_size, 16 MiB);
      a multiple of 512, at least 4 blocks (InnoDB's minimum is 256 KiB; tests use less).
    * ``recent_written_size`` / ``recent_closed_size`` - link buffer capacities in lsn slots
      (1 MiB / 2 MiB, powers of two, LNK-1); ``recent_closed_size`` is the flush-list order lag
      L (CP-2, CP-3); in version "9.0" it is the flush-list-added tracker's capacity.
    * ``write_ahead_size`` - innodb_log_write_ahead_size (8 KiB, a power of two in
      [512, 16 KiB], WR-6).
    * ``write_max_size`` - the writer stops traversing after this many bytes (4 KiB, WR-1).
    * ``write_events`` / ``flush_events`` - event slots S for waiting users (2048, powers of
      two, NT-3).
    * ``file_size`` / ``n_files`` - the ib_logfile group (48 MiB x 2, FMT-9); ``file_size``
      is a multiple of 512 and holds the 2048-byte header plus at least 4 blocks.
    * ``n_flush_lists`` / ``n_pages`` / ``page_size`` - the minimal buffer pool (CP-6).
    * ``version`` - "8.0": log closer over the recent-closed buffer; "9.0": flush-list-added
      tracker (CP-1).
    * ``checksums`` - innodb_log_checksums (CRC-32C, else the magic 0xDEADBEEF, FMT-8).
    * ``start_lsn`` - the lsn of a fresh log's first data block (LOG_START_LSN, 8192, by
      default; a multiple of 512 and at least 8192). MySQL creates a log at a higher lsn
      when the redo files are re-created at the current lsn (a resize of innodb_log_file_size
      before 8.0.30); the block numbers wrap every 2**30 blocks (lsn 2**39, FMT-3).
    * ``event_only`` - a test mode (default off): every background thread and every user wait
      waits only on its event, with no timeout, and producers also wake the closer and the page
      cleaner, so that progress never depends on a timeout and a lost wake-up is a hang.
    """

    log_buffer_size: int = 16 * MIB
    recent_written_size: int = 1 * MIB
    recent_closed_size: int = 2 * MIB
    write_ahead_size: int = 8 * KIB
    write_max_size: int = 4 * KIB
    write_events: int = 2048
    flush_events: int = 2048
    file_size: int = 48 * MIB
    n_files: int = 2
    n_flush_lists: int = 1
    n_pages: int = 1024
    page_size: int = 1024
    version: str = "8.0"
    checksums: bool = True
    # spin rounds (calls of step() or of the wait condition before sleeping on the event)
    writer_spin: int = 0
    flusher_spin: int = 0
    notifier_spin: int = 0
    user_spin: int = 20
    # timeouts in microseconds
    writer_timeout_us: int = 1000
    flusher_timeout_us: int = 1000
    notifier_timeout_us: int = 1000
    user_wait_timeout_us: int = 1000
    user_wait_timeout_max_us: int = 100_000
    link_wait_sleep_us: int = 20
    checkpoint_every_ms: int = 1000
    page_cleaner_every_ms: int = 1000
    # the page cleaner flushes when more than this share of the pages is dirty, or when the
    # oldest modification is older than this share of the log capacity (CP-5)
    max_dirty_pages_pct: int = 90
    flush_age_pct: int = 50
    # event_only: every actor and every user waits only on its event (no timeout, no periodic
    # checkpoint or page cleaning): a lost wake-up becomes a hang (docs/conformance.md)
    event_only: bool = False
    start_lsn: int = LOG_START_LSN

    def __attrs_post_init__(self) -> None:
        for field in attrs.fields(type(self)):
            value = getattr(self, field.name)
            if field.name == "version":
                _check("version", value, value in ("8.0", "9.0"), 'must be "8.0" or "9.0"')
            elif field.name == "checksums":
                _check("checksums", value, isinstance(value, bool), "must be a bool")
            elif field.name == "event_only":
                _check("event_only", value, isinstance(value, bool), "must be a bool")
            else:
                _int(field.name, value)
                _check(field.name, value, value >= 0, "must not be negative")
        b = BLOCK_SIZE
        _check("log_buffer_size", self.log_buffer_size,
               self.log_buffer_size % b == 0 and self.log_buffer_size >= 4 * b,
               "must be a multiple of 512 and at least 2048")
        for name in ("recent_written_size", "recent_closed_size", "write_events", "flush_events"):
            value = getattr(self, name)
            _check(name, value, _power_of_two(value), "must be a power of two")
        _check("write_ahead_size", self.write_ahead_size,
               _power_of_two(self.write_ahead_size) and b <= self.write_ahead_size <= 16 * KIB,
               "must be a power of two in [512, 16384]")
        _check("write_max_size", self.write_max_size, self.write_max_size >= 1, "must be >= 1")
        _check("file_size", self.file_size,
               self.file_size % b == 0 and self.file_size >= 2048 + 4 * b,
               "must be a multiple of 512 and at least 4096 (2048-byte header + 4 blocks)")
        _check("n_files", self.n_files, 1 <= self.n_files <= 100, "must be in [1, 100]")
        _check("write_ahead_size", self.write_ahead_size,
               self.capacity >= 2 * self.write_ahead_size,
               "must be at most half the log capacity n_files * (file_size - 2048) (the writer "
               "keeps one write-ahead region of it free, WR-9)")
        _check("start_lsn", self.start_lsn,
               self.start_lsn % b == 0 and self.start_lsn >= LOG_START_LSN,
               f"must be a multiple of 512 and at least {LOG_START_LSN} (LOG_START_LSN)")
        _check("n_flush_lists", self.n_flush_lists, 1 <= self.n_flush_lists <= 64,
               "must be in [1, 64]")
        _check("n_pages", self.n_pages, self.n_pages >= 1, "must be >= 1")
        _check("page_size", self.page_size, self.page_size >= 64 and self.page_size % 8 == 0,
               "must be a multiple of 8, at least 64")
        for name in ("writer_timeout_us", "flusher_timeout_us", "notifier_timeout_us",
                     "user_wait_timeout_us", "checkpoint_every_ms", "page_cleaner_every_ms"):
            _check(name, getattr(self, name), getattr(self, name) >= 1, "must be >= 1")
        _check("max_dirty_pages_pct", self.max_dirty_pages_pct,
               1 <= self.max_dirty_pages_pct <= 100, "must be in [1, 100]")
        _check("flush_age_pct", self.flush_age_pct, 1 <= self.flush_age_pct <= 100,
               "must be in [1, 100]")

    @property
    def capacity(self) -> int:
        """lsn bytes held by all files: n_files * (file_size - 2048) (FMT-9, WR-9)."""
        return self.n_files * (self.file_size - 2048)

    @classmethod
    def small(cls, **changes: Any) -> LogConfig:
        """A small configuration for tests: a 4 KiB buffer, 16 KiB files, 8 event slots."""
        base: dict[str, Any] = dict(
            log_buffer_size=4 * KIB, recent_written_size=1024, recent_closed_size=1024,
            write_ahead_size=1024, write_max_size=4 * KIB, write_events=8, flush_events=8,
            file_size=16 * KIB, n_files=2, n_flush_lists=2, n_pages=64, page_size=256,
        )
        base.update(changes)
        return cls(**base)
