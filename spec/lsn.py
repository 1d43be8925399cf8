"""LSN arithmetic: the two numberings of log bytes, blocks, event slots, file positions.

``sn`` numbers only the data bytes that user threads write; ``lsn`` numbers every byte of every
block, headers and trailers included (FMT-2). A block of ``block_size`` bytes holds
``header_size`` header bytes, ``data_size`` data bytes and ``trailer_size`` trailer bytes
(FMT-1). With InnoDB's sizes these are MySQL's formulas (log0log.h, log0write.cc)::

    sn_to_lsn(sn)  = sn / 496 * 512 + sn % 496 + 12
    block_no(lsn)  = lsn / 512 % 2^30 + 1
    slot(lsn, S)   = (lsn - 1) / 512 & (S - 1)

Every function is pure and takes the :class:`~spec.params.Params` first.
"""

from __future__ import annotations

from spec.params import Params

FLUSH_BIT = 0x8000_0000
"""LOG_BLOCK_FLUSH_BIT_MASK: the highest bit of hdr_no, set on a write's first block (FMT-4)."""


def sn_to_lsn(p: Params, sn: int) -> int:
    """The lsn of data byte ``sn`` (FMT-2): skip a header and a trailer per full block of data.

    Always lands on a data byte; an sn that ends a block's data maps to the next block's first
    data byte, which is where the "current lsn" points after a write that fills a block.
    """
    return sn // p.data_size * p.block_size + sn % p.data_size + p.header_size


def lsn_to_sn(p: Params, lsn: int) -> int:
    """The number of data bytes below ``lsn`` (FMT-2); inverse of :func:`sn_to_lsn` on data lsns.

    An lsn inside a header counts the data of the blocks before it; an lsn inside a trailer
    counts the whole block's data.
    """
    sn = lsn // p.block_size * p.data_size
    offset = lsn % p.block_size
    if offset < p.header_size:
        return sn
    if offset > p.block_size - p.trailer_size:
        return sn + p.data_size
    return sn + offset - p.header_size


def is_data_lsn(p: Params, lsn: int) -> bool:
    """True when ``lsn`` addresses a data byte: ``header <= lsn % block_size < block_size -
    trailer`` (MySQL's log_is_data_lsn). Checkpoint lsns are always data lsns (CP-7)."""
    offset = lsn % p.block_size
    return p.header_size <= offset < p.block_size - p.trailer_size


def align_down(lsn: int, n: int) -> int:
    """The largest multiple of ``n`` not above ``lsn``."""
    return lsn - lsn % n


def align_up(lsn: int, n: int) -> int:
    """The smallest multiple of ``n`` not below ``lsn``."""
    return -(-lsn // n) * n


def block_start(p: Params, lsn: int) -> int:
    """The lsn of the first byte of the block holding ``lsn``."""
    return lsn - lsn % p.block_size


def block_no(p: Params, lsn: int) -> int:
    """hdr_no of the block holding ``lsn``: ``lsn / block_size % wrap + 1`` (FMT-3).

    Never zero, so a block full of zeros (hdr_no 0) is never mistaken for a written one.
    """
    return lsn // p.block_size % p.block_no_wrap + 1


def event_slot(p: Params, lsn: int, n_slots: int) -> int:
    """The event slot a user waiting for ``lsn`` sleeps on (NT-3, USR-5, USR-6).

    ``(lsn - 1) / block_size & (S - 1)``: the ``- 1`` maps an lsn on a block boundary to the
    block it closes, because a write of full blocks ends on a boundary.
    """
    return (lsn - 1) // p.block_size & (n_slots - 1)


def checkpoint_lsn_for(p: Params, lsn: int) -> int:
    """Move an lsn that falls on a block boundary back to the first data byte of the previous
    block, ``lsn - block_size + header_size`` (CP-7), so that checkpoint_lsn is a data lsn.

    Recovery then starts in a block the log really holds, and skips to the next group start
    through first_rec_group (RC-3)."""
    if lsn % p.block_size == 0:
        return lsn - p.block_size + p.header_size
    return lsn


def file_position(p: Params, lsn: int) -> tuple[int, int]:
    """``(file number, byte offset in that file)`` of ``lsn`` in the circular files (FMT-9).

    File 0's first data block (offset ``file_header_size``) holds ``start_lsn``; each file holds
    ``file_data_size`` lsn bytes after its header; the files wrap after ``log_capacity``.
    """
    distance = (lsn - p.start_lsn) % p.log_capacity
    file_no, in_file = divmod(distance, p.file_data_size)
    return file_no, p.file_header_size + in_file


def file_block_index(p: Params, lsn: int) -> tuple[int, int]:
    """``(file number, data block index in that file)`` of the block holding ``lsn``."""
    file_no, offset = file_position(p, lsn)
    return file_no, (offset - p.file_header_size) // p.block_size
