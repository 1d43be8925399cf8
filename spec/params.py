"""Parameters of the redo log model.

Every size the design text fixes (512-byte blocks, a 12-byte header, 1 MiB of recent-written
slots, 2048 event slots ...) is a field here, so that the same actions can be run on InnoDB's
defaults (:meth:`Params.innodb`) and on configurations small enough to explore exhaustively
(:meth:`Params.small`, :meth:`Params.tiny`).

A ``Params`` is a frozen attrs value. It validates itself on construction: a value that breaks a
rule raises :class:`ParamsError`, which names the field and the rule, e.g.::

    >>> Params.tiny().evolve(write_events=3)
    Traceback (most recent call last):
    ...
    spec.params.ParamsError: write_events=3: must be a power of two (NT-3: slot = ... & (S - 1))

Sizes are in bytes of the lsn sequence unless the name says otherwise. ``sn`` counts only data
bytes (FMT-2).
"""

from __future__ import annotations

from typing import Any, Literal

import attrs

LinkBufVariant = Literal["seeds", "8.0.22"]
"""``seeds``: slots hold distances and the single traverser clears them (LNK-1..5, the design
text); ``8.0.22``: slots hold absolute link ends, are never cleared, and user threads may move the
tail themselves (LNK-6)."""

Version = Literal["8.0", "9.0"]
"""``8.0``: a log closer thread follows the recent-closed links (CP-1, seed 001);
``9.0``: user threads report to the flush-list-added tracker, whose smallest-not-added lsn the
checkpointer reads (CP-1, seed 002)."""

WaitKind = Literal["write", "flush", "none"]
"""What a user thread waits for after closing its group: ``write_lsn >= end`` (USR-5),
``flushed_to_disk_lsn >= end`` (USR-6, a commit), or nothing."""


class ParamsError(ValueError):
    """A parameter value breaks one of the model's rules.

    ``field`` is the offending field's name, ``rule`` says what it must satisfy.
    """

    def __init__(self, field: str, value: object, rule: str) -> None:
        self.field = field
        self.value = value
        self.rule = rule
        super().__init__(f"{field}={value!r}: {rule}")


def is_power_of_two(n: int) -> bool:
    """True for 1, 2, 4, 8, ...: the sizes whose ``% n`` can be computed as ``& (n - 1)``."""
    return n > 0 and n & (n - 1) == 0


@attrs.frozen(kw_only=True)
class Params:
    """All sizes and bounds of one configuration of the redo log (see module docstring)."""

    # --- log blocks (FMT-1) -------------------------------------------------------------
    block_size: int = 512
    """OS_FILE_LOG_BLOCK_SIZE: bytes per log block, header and trailer included (FMT-1)."""
    header_size: int = 12
    """LOG_BLOCK_HDR_SIZE: hdr_no, data_len, first_rec_group, checkpoint_no (FMT-3..7)."""
    trailer_size: int = 4
    """LOG_BLOCK_TRL_SIZE: the checksum (FMT-8)."""
    block_no_wrap: int = 2**30
    """hdr_no wraps at this many blocks (LOG_BLOCK_MAX_NO, FMT-3)."""
    start_lsn: int = 8192
    """LOG_START_LSN: lsn of the first block of a fresh log (a block boundary)."""

    # --- buffers ------------------------------------------------------------------------
    log_buffer_size: int = 16 * 1024 * 1024
    """innodb_log_buffer_size: bytes of the ring log buffer, addressed by ``lsn % size``."""
    recent_written_size: int = 1024 * 1024
    """Slots of the recent-written link buffer (LNK-1); a power of two."""
    recent_closed_size: int = 2 * 1024 * 1024
    """Slots of the recent-closed link buffer (8.0) or of the flush-list-added tracker (9.0);
    a power of two. It is also the flush-list order lag L (CP-2, CP-3)."""
    write_ahead_size: int = 8192
    """innodb_log_write_ahead_size: the file is written in regions of this size (WR-6)."""
    write_max_size: int = 4096
    """The writer stops traversing links after this many bytes past write_lsn (WR-1)."""
    write_events: int = 2048
    """Event slots for users waiting for write_lsn (USR-5, NT-3); a power of two."""
    flush_events: int = 2048
    """Event slots for users waiting for flushed_to_disk_lsn (USR-6, NT-3); a power of two."""

    # --- files (FMT-9) ------------------------------------------------------------------
    file_size: int = 48 * 1024 * 1024
    """Bytes of each log file, its header (4 blocks) included."""
    n_files: int = 2
    """Log files used circularly (innodb_log_files_in_group, at most 100)."""

    # --- the workload -------------------------------------------------------------------
    n_user_threads: int = 8
    """User threads that reserve, copy, link, add dirty pages and wait."""
    n_flush_lists: int = 8
    """Flush lists (buffer pool instances) dirty pages are added to (CP-2, CP-3)."""
    n_pages: int = 64
    """Pages the record groups modify; a group modifies one page."""
    group_sizes: tuple[int, ...] = (100, 200, 255)
    """Sizes in sn (data bytes) a user thread may choose for its record group (each < 256:
    a group's first byte is its size, decision 6)."""
    wait_kinds: tuple[WaitKind, ...] = ("flush", "write", "none")
    """What a user may wait for after closing its group (USR-5, USR-6)."""
    page_per_thread: bool = False
    """Exploration bound: user thread ``i`` always modifies page ``i % n_pages`` (instead of
    choosing any page not latched by another thread), which divides the state space by the
    number of page choices per reservation."""

    # --- variants -----------------------------------------------------------------------
    link_buf: LinkBufVariant = "seeds"
    version: Version = "8.0"
    checksums: bool = True
    """innodb_log_checksums: CRC-32C trailers, or LOG_NO_CHECKSUM_MAGIC (FMT-8)."""

    # --- exploration bounds -------------------------------------------------------------
    max_sn: int = 2**40
    """Reservations stop once this many data bytes (sn) have been reserved."""
    torn_writes: bool = False
    """A crash may keep a prefix of the unsynced blocks (a write torn at block granularity)."""
    explore_crashes: bool = False
    """Offer crash and recovery as actions (otherwise RC-4 checks every crash image in place)."""
    max_crashes: int = 1
    """Exploration bound with ``explore_crashes``: crashes per run. Recovery restarts the log
    (``log_start``) and the system runs on, so ``max_crashes=2`` explores crash -> recover ->
    more commits -> crash -> recover (RC-1..4 across generations). Without ``explore_crashes``
    it has no effect (the presets' state counts do not depend on it)."""

    def __attrs_post_init__(self) -> None:
        _validate(self)

    # --- derived sizes ------------------------------------------------------------------
    @property
    def data_size(self) -> int:
        """LOG_BLOCK_DATA_SIZE: data bytes per block (enumerated by sn, FMT-2)."""
        return self.block_size - self.header_size - self.trailer_size

    @property
    def file_header_size(self) -> int:
        """LOG_FILE_HDR_SIZE: 4 blocks (header, checkpoint 1, encryption, checkpoint 2)."""
        return 4 * self.block_size

    @property
    def file_data_size(self) -> int:
        """lsn bytes held by one file."""
        return self.file_size - self.file_header_size

    @property
    def log_capacity(self) -> int:
        """lsn bytes held by all files together before they wrap (WR-9, SYS-4)."""
        return self.n_files * self.file_data_size

    @property
    def order_lag(self) -> int:
        """L of CP-2/CP-3: the recent-closed (or flush-list-added) capacity."""
        return self.recent_closed_size

    @property
    def free_check_margin(self) -> int:
        """lsn bytes a reservation keeps free below the capacity limit (log_free_check, CP-5):
        one write-ahead region plus a block, so the writer's last write, padding included,
        never has to wait for a checkpoint (WR-9)."""
        return self.write_ahead_size + self.block_size

    @property
    def max_group_lsn(self) -> int:
        """The longest lsn range a group of ``max(group_sizes)`` sn can span (headers and
        trailers of every block boundary it may cross included)."""
        g = max(self.group_sizes)
        return g + (g // self.data_size + 1) * (self.header_size + self.trailer_size)

    @property
    def start_sn(self) -> int:
        """sn of the first data byte of a fresh log: the one after ``start_lsn``'s header."""
        return self.start_lsn // self.block_size * self.data_size

    def evolve(self, **changes: Any) -> Params:
        """A copy with ``changes`` applied, validated again."""
        return attrs.evolve(self, **changes)

    # --- presets ------------------------------------------------------------------------
    @classmethod
    def innodb(cls) -> Params:
        """InnoDB's defaults (MySQL 8.0, pre-8.0.30 files: two 48 MiB ib_logfiles)."""
        return cls()

    @classmethod
    def small(cls) -> Params:
        """:meth:`tiny` with both wait kinds (USR-5 and USR-6, so the write notifier wakes
        users too) and two flush lists (CP-2's minimum over the lists' tails): about 690,000
        states, explored completely in a few minutes. The log buffer and the files wrap only in
        random walks with a larger ``max_sn`` (tests/spec/test_wrap.py)."""
        return cls.tiny().evolve(wait_kinds=("flush", "write"), n_flush_lists=2)

    @classmethod
    def medium(cls) -> Params:
        """:meth:`tiny` with crashes and recovery explored (one crash per run), three user
        threads and pages not tied to threads (any free page), so the users are
        interchangeable and ``redospec explore --symmetry`` counts a state and its
        permutations of users once. Its 9.0 tracker and 8.0.22 link buffer variants are
        ``--set version=9.0`` and ``--set link_buf=8.0.22``."""
        return cls.tiny().evolve(n_user_threads=3, page_per_thread=False, explore_crashes=True)

    @classmethod
    def tiny(cls) -> Params:
        """16-byte blocks (4-byte header, 2-byte trailer: 10 data bytes), a 3-block log buffer,
        16-slot link buffers, 2 event slots, 2 user threads each on its own page, 12 sn of
        groups of 4 or 8: about 214,000 states, explored exhaustively in CI. Every action is
        taken (a write of a block and a half wakes the write notifier); the link rings and
        event slots wrap; the log buffer and the files do not (that needs :meth:`small`)."""
        return cls(
            block_size=16,
            header_size=4,
            trailer_size=2,
            block_no_wrap=64,
            start_lsn=3 * 16,
            log_buffer_size=3 * 16,
            recent_written_size=16,
            recent_closed_size=16,
            write_ahead_size=32,
            write_max_size=32,
            write_events=2,
            flush_events=2,
            file_size=4 * 16 + 4 * 16,
            n_files=2,
            n_user_threads=2,
            n_flush_lists=1,
            n_pages=2,
            group_sizes=(4, 8),
            wait_kinds=("flush",),
            page_per_thread=True,
            max_sn=12,
        )

    @classmethod
    def preset(cls, name: str) -> Params:
        """The preset called ``name`` (``innodb``, ``medium``, ``small`` or ``tiny``)."""
        presets = {"innodb": cls.innodb, "medium": cls.medium, "small": cls.small,
                   "tiny": cls.tiny}
        try:
            return presets[name]()
        except KeyError:
            raise ParamsError(
                "preset", name, f"unknown preset; choose one of {', '.join(sorted(presets))}"
            ) from None


PRESETS = ("innodb", "medium", "small", "tiny")


def _validate(p: Params) -> None:
    """Raise :class:`ParamsError` for the first rule that ``p`` breaks."""

    def need(ok: bool, field: str, rule: str) -> None:
        if not ok:
            raise ParamsError(field, getattr(p, field), rule)

    for name in (
        "block_size",
        "header_size",
        "trailer_size",
        "log_buffer_size",
        "recent_written_size",
        "recent_closed_size",
        "write_ahead_size",
        "write_max_size",
        "write_events",
        "flush_events",
        "file_size",
        "n_files",
        "n_user_threads",
        "n_flush_lists",
        "n_pages",
        "max_sn",
    ):
        value = getattr(p, name)
        need(
            isinstance(value, int) and not isinstance(value, bool),
            name,
            "must be an integer",
        )
        need(value > 0, name, "must be positive")
    need(is_power_of_two(p.block_size) and p.block_size >= 16, "block_size",
         "must be a power of two >= 16 (OS_FILE_LOG_BLOCK_SIZE is 512)")
    need(p.header_size >= 1, "header_size", "must be >= 1 (FMT-1)")
    need(
        p.header_size + p.trailer_size < p.block_size,
        "header_size",
        "header + trailer must leave data bytes in a block (FMT-1)",
    )
    need(is_power_of_two(p.block_no_wrap), "block_no_wrap", "must be a power of two (FMT-3)")
    need(p.start_lsn >= 0 and p.start_lsn % p.block_size == 0, "start_lsn",
         "must be a non-negative multiple of block_size")
    need(p.log_buffer_size % p.block_size == 0, "log_buffer_size",
         "must be a multiple of block_size")
    need(p.log_buffer_size >= 2 * p.block_size, "log_buffer_size",
         "must hold at least 2 blocks (the block being filled and the one being written)")
    for name in ("recent_written_size", "recent_closed_size", "write_events", "flush_events"):
        need(is_power_of_two(getattr(p, name)), name,
             "must be a power of two (LNK-1, NT-3: slot = ... & (S - 1))")
    need(is_power_of_two(p.write_ahead_size) and p.write_ahead_size % p.block_size == 0,
         "write_ahead_size", "must be a power of two and a multiple of block_size (WR-6)")
    need(p.write_max_size >= p.block_size, "write_max_size", "must be at least one block (WR-1)")
    need(p.file_size % p.block_size == 0, "file_size", "must be a multiple of block_size")
    need(p.file_size > 4 * p.block_size, "file_size",
         "must exceed the 4-block file header (FMT-9)")
    need(p.file_size % p.write_ahead_size == 0, "file_size",
         "must be a multiple of write_ahead_size (WR-6: regions never straddle files)")
    need(p.n_files <= 100, "n_files", "at most 100 log files (FMT-9)")
    need(
        p.block_no_wrap * p.block_size > p.log_capacity,
        "block_no_wrap",
        "block numbers must not repeat within the files (RC-2 detects old blocks by hdr_no)",
    )
    need(len(p.group_sizes) > 0, "group_sizes", "must offer at least one size")
    need(all(isinstance(s, int) and s > 0 for s in p.group_sizes), "group_sizes",
         "sizes must be positive integers (sn)")
    need(all(s < 256 for s in p.group_sizes), "group_sizes",
         "sizes must be below 256 (a group's first byte is its size)")
    need(p.n_pages <= 255, "n_pages", "at most 255 pages (a group's tag byte is 1 + page)")
    need(
        max(p.group_sizes) <= (p.log_buffer_size // p.block_size - 1) * p.data_size,
        "group_sizes",
        "a group must fit in the log buffer beside the block holding write_lsn (USR-1, SYS-4)",
    )
    if p.link_buf == "8.0.22":
        for name in ("recent_written_size", "recent_closed_size"):
            need(getattr(p, name) > p.max_group_lsn, name,
                 "must exceed the longest link (the 8.0.22 buffer tells stale slots from "
                 "links by value, LNK-6)")
    need(len(p.wait_kinds) > 0 and set(p.wait_kinds) <= {"write", "flush", "none"},
         "wait_kinds", "must be a non-empty subset of ('write', 'flush', 'none')")
    need(p.link_buf in ("seeds", "8.0.22"), "link_buf",
         "must be 'seeds' (the design text's link buffer, 8.0.11..8.0.21) or '8.0.22'")
    need(p.version in ("8.0", "9.0"), "version", "must be '8.0' or '9.0'")
    need(isinstance(p.max_crashes, int) and not isinstance(p.max_crashes, bool)
         and p.max_crashes >= 0, "max_crashes", "must be a non-negative integer")
    need(
        p.log_capacity >= p.free_check_margin + p.max_group_lsn + 2 * p.block_size,
        "file_size",
        "the files must hold the free-check margin (one write-ahead region and a block), the "
        "largest group and two blocks, or no user could ever reserve (WR-9, CP-5)",
    )
