"""Log blocks as values (decision 5 of docs/spec-model.md; FMT-3..8, FMT-10).

The spec is about what the header fields *mean*, not their byte layout (that is ``impl/``'s
business), so a block in a file is a small tuple of its fields. The checksum is a spec-level
function of the fields (CRC-32C over a fixed serialisation of header and data, or the
LOG_NO_CHECKSUM_MAGIC with checksums off, FMT-8): a torn or corrupted block is one whose stored
checksum differs from :func:`block_checksum` of its fields.
"""

from __future__ import annotations

from typing import NamedTuple

import crc32c

from spec.params import Params

NO_CHECKSUM_MAGIC = 0xDEADBEEF
"""LOG_NO_CHECKSUM_MAGIC: the trailer when innodb_log_checksums is OFF (FMT-8)."""


class FileBlock(NamedTuple):
    """A data block as written to a log file (FMT-3..8).

    ``hdr_no``: block number ``lsn / block_size % wrap + 1`` (FMT-3), without the flush bit;
    ``flush_bit``: set on the first block of a write (FMT-4); ``data_len``: 0 = empty,
    ``block_size`` = full, else the end of data counted from the block start (FMT-5);
    ``first_rec_group``: offset of the first group starting in the block or 0 (FMT-6);
    ``checkpoint_no``: the next checkpoint number when written (FMT-7); ``data``: the
    ``data_size`` data bytes (zero after ``data_len`` in an incomplete block); ``checksum``
    (FMT-8).
    """

    hdr_no: int
    flush_bit: bool
    data_len: int
    first_rec_group: int
    checkpoint_no: int
    data: bytes
    checksum: int


class CheckpointBlock(NamedTuple):
    """LOG_CHECKPOINT_1 / LOG_CHECKPOINT_2 of the first file (FMT-10): checkpoint_no,
    checkpoint_lsn and whether its checksum is valid (a torn write leaves it invalid)."""

    checkpoint_no: int
    lsn: int
    valid: bool


def block_checksum(
    p: Params,
    hdr_no: int,
    flush_bit: bool,
    data_len: int,
    first_rec_group: int,
    checkpoint_no: int,
    data: bytes,
) -> int:
    """FMT-8: CRC-32C of the header fields and the data bytes, or NO_CHECKSUM_MAGIC when
    ``p.checksums`` is off. Like MySQL's, it covers everything but the trailer itself."""
    if not p.checksums:
        return NO_CHECKSUM_MAGIC
    header = (
        ((hdr_no | (0x8000_0000 if flush_bit else 0)) & 0xFFFF_FFFF).to_bytes(4, "big")
        + (data_len & 0xFFFF).to_bytes(2, "big")
        + (first_rec_group & 0xFFFF).to_bytes(2, "big")
        + (checkpoint_no & 0xFFFF_FFFF).to_bytes(4, "big")
    )
    return int(crc32c.crc32c(header + data))


def make_block(
    p: Params,
    hdr_no: int,
    flush_bit: bool,
    data_len: int,
    first_rec_group: int,
    checkpoint_no: int,
    data: bytes,
) -> FileBlock:
    """A well-formed block: the given fields and their checksum."""
    return FileBlock(
        hdr_no,
        flush_bit,
        data_len,
        first_rec_group,
        checkpoint_no,
        data,
        block_checksum(p, hdr_no, flush_bit, data_len, first_rec_group, checkpoint_no, data),
    )


def zero_block(p: Params) -> FileBlock:
    """A block of zero bytes: the write-ahead padding (WR-6). hdr_no 0 never matches a
    position and data_len 0 means empty, so recovery stops at it (RC-2)."""
    return FileBlock(0, False, 0, 0, 0, bytes(p.data_size), 0)


def checksum_ok(p: Params, b: FileBlock) -> bool:
    """FMT-8 / RC-2: the stored checksum matches the block's fields."""
    return b.checksum == block_checksum(
        p, b.hdr_no, b.flush_bit, b.data_len, b.first_rec_group, b.checkpoint_no, b.data
    )


def group_bytes(size: int, page: int) -> bytes:
    """Decision 6: a record group of ``size`` sn bytes is self-delimiting: its first byte is
    ``size``, the others are ``1 + page`` (never 0, so a zero byte is never a group start)."""
    return bytes((size,)) + bytes((1 + page,)) * (size - 1)
