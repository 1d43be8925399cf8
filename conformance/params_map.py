"""The mapping between a spec :class:`~spec.params.Params` and the implementation's ``LogConfig``.

The implementation always uses InnoDB's real block layout (512-byte blocks, a 12-byte header, a
4-byte trailer, FMT-1; block numbers wrap at 2^30, FMT-3), so
the conformance configurations keep those and make everything *else* small, so that one run of
a few dozen steps wraps the log buffer, the link rings, the event slots and the log files:

========================  ===================================  ==============================
spec ``Params`` field     impl ``LogConfig`` field             conformance value
========================  ===================================  ==============================
block_size / header /     (fixed in ``impl.format``)           512 / 12 / 4 (FMT-1)
trailer_size
block_no_wrap             (fixed: ``BLOCK_NO_WRAP``)           2^30 (FMT-3)
start_lsn                 start_lsn                            8192 (LOG_START_LSN); the
                                                               matrix's ``lsn`` rows start
                                                               just below 2^32 and 2^39
log_buffer_size           log_buffer_size                      4 blocks = 2048 bytes
recent_written_size       recent_written_size                  512 slots (LNK-1)
recent_closed_size        recent_closed_size (= order lag L)   512 slots (CP-2, CP-3)
write_ahead_size          write_ahead_size                     2048 bytes = 4 blocks (WR-6)
write_max_size            write_max_size                       1024 bytes (WR-1)
write_events              write_events                         1 slot (NT-3)
flush_events              flush_events                         2 slots (NT-3)
file_size / n_files       file_size / n_files                  6144 bytes x 2 files (FMT-9)
n_flush_lists             n_flush_lists                        2
n_pages                   n_pages                              3
version                   version                              "8.0" (closer) or "9.0"
checksums                 checksums                            True (CRC-32C, FMT-8)
========================  ===================================  ==============================

Two files of 6144 bytes hold ``2 * (6144 - 2048) = 8192`` lsn bytes: the writer reaches the
checkpoint bound (WR-9) after sixteen blocks, so the page cleaner and the checkpointer must run
for the files to wrap (:data:`WRAP_CHANGES` halves the files and the write-ahead size so that
every run wraps them). Write-ahead regions of four blocks let one write advance write_lsn by
three blocks. One write event slot makes every advance of a block or more land on the same
slot, the case of MySQL Bug #114660 (the writer's direct-notification shortcut compares slots);
two flush event slots keep the slot mapping of NT-3 in play. Groups of up to 250 data bytes
cross block boundaries often and a few of them fill the log buffer (SYS-4) and the
recent-written ring (LNK-4).
"""

from __future__ import annotations

from typing import Any

import attrs

from spec.params import Params

BLOCK_SIZE, HEADER_SIZE, TRAILER_SIZE = 512, 12, 4
"""InnoDB's block layout, which the implementation always uses (FMT-1)."""

PAGE_SIZE = 512
"""Bytes per page of the implementation's data file (the spec has no page contents)."""

MAPPED_FIELDS = (
    "log_buffer_size",
    "recent_written_size",
    "recent_closed_size",
    "write_ahead_size",
    "write_max_size",
    "write_events",
    "flush_events",
    "file_size",
    "n_files",
    "n_flush_lists",
    "n_pages",
    "version",
    "checksums",
    "start_lsn",
)
"""Fields with the same name and meaning on both sides."""


class MappingError(ValueError):
    """The spec Params cannot be run by the implementation; says which field and why."""


WRAP_CHANGES: dict[str, Any] = dict(write_ahead_size=1024, file_size=4096,
                                    group_sizes=(200, 250), wait_kinds=("none",))
"""The configuration in which every run wraps the log files: 4096 lsn bytes of files, 1 KiB
write-ahead regions, big groups and no waits."""


def conformance_params(**changes: Any) -> Params:
    """The spec configuration the conformance checks use (table in the module docstring).

    ``changes`` override fields, e.g. ``version="9.0"`` or ``explore_crashes=False``.
    """
    base: dict[str, Any] = dict(
        block_size=BLOCK_SIZE,
        header_size=HEADER_SIZE,
        trailer_size=TRAILER_SIZE,
        block_no_wrap=2**30,
        start_lsn=8192,
        log_buffer_size=4 * BLOCK_SIZE,
        recent_written_size=512,
        recent_closed_size=512,
        write_ahead_size=2048,
        write_max_size=1024,
        write_events=1,
        flush_events=2,
        file_size=6144,
        n_files=2,
        n_user_threads=2,
        n_flush_lists=2,
        n_pages=3,
        group_sizes=(30, 200, 250),
        wait_kinds=("write", "flush", "none"),
        max_sn=2**40,
        explore_crashes=True,
    )
    base.update(changes)
    return Params(**base)


def check_mappable(p: Params) -> None:
    """Raise :class:`MappingError` if ``p`` uses a value the implementation fixes differently."""
    fixed = {"block_size": BLOCK_SIZE, "header_size": HEADER_SIZE, "trailer_size": TRAILER_SIZE,
             "block_no_wrap": 2**30, "link_buf": "seeds"}
    for name, value in fixed.items():
        if getattr(p, name) != value:
            raise MappingError(
                f"Params.{name}={getattr(p, name)!r}: the implementation always uses {value!r}")


def config_kwargs(p: Params) -> dict[str, Any]:
    """The ``LogConfig`` keyword arguments equivalent to ``p`` (validated by LogConfig itself)."""
    check_mappable(p)
    kwargs = {name: getattr(p, name) for name in MAPPED_FIELDS}
    kwargs["page_size"] = PAGE_SIZE
    return kwargs


def to_log_config(p: Params) -> Any:
    """An ``impl.config.LogConfig`` equivalent to ``p``.

    Fields LogConfig does not have are reported (not silently dropped): a missing knob means
    the two sides would run different configurations.
    """
    from impl.config import LogConfig

    kwargs = config_kwargs(p)
    known = {f.name for f in attrs.fields(LogConfig)}
    missing = sorted(set(kwargs) - known)
    if missing:
        raise MappingError(f"impl.config.LogConfig has no field(s) {', '.join(missing)}")
    return LogConfig(**kwargs)


def from_log_config(config: Any, **changes: Any) -> Params:
    """The spec Params matching an implementation ``LogConfig`` (the inverse mapping)."""
    fields = {name: getattr(config, name) for name in MAPPED_FIELDS}
    fields.update(changes)
    return conformance_params(**fields)
