"""InnoDB's redo block and header layout, as MySQL 8.0.19 writes it (format 3).

Every integer is big-endian (``mach_write_to_N``), in data blocks, file headers and checkpoints.
Sources: reference/mysql-redo-facts.md §2.1-2.2 and §3, reference/redo-files-facts.md.

A data block (FMT-1) is 512 bytes::

    0   u32  hdr_no          (lsn / 512) % 2**30 + 1 (FMT-3); bit 31 = flush bit (FMT-4)
    4   u16  data_len        512 full, [12, 508) last incomplete block, 0 empty (FMT-5)
    6   u16  first_rec_group offset of the first group starting here, 0 if none (FMT-6)
    8   u32  checkpoint_no   low 32 bits of the next checkpoint number (FMT-7)
    12  496  data
    508 u32  checksum        CRC-32C of bytes 0..507, or 0xDEADBEEF without checksums (FMT-8)

lsn counts every byte of every block (headers and trailers too); sn counts data bytes only
(FMT-2): ``lsn = sn // 496 * 512 + sn % 496 + 12``.
"""

from __future__ import annotations

import struct

import attrs
import crc32c as _crc32c

BLOCK_SIZE = 512
HDR_SIZE = 12
TRL_SIZE = 4
DATA_SIZE = BLOCK_SIZE - HDR_SIZE - TRL_SIZE  # 496
FILE_HDR_SIZE = 4 * BLOCK_SIZE  # 2048: header block, checkpoint 1, encryption, checkpoint 2
FLUSH_BIT = 0x8000_0000
BLOCK_NO_WRAP = 2**30
LOG_START_LSN = 16 * BLOCK_SIZE  # 8192
CHECKPOINT_1 = 512
CHECKPOINT_2 = 1536
NO_CHECKSUM_MAGIC = 0xDEADBEEF
FORMAT_8_0_3 = 3  # what we write (MySQL 8.0.19 writes format 3, redo-files-facts gotcha 1)
TRAILER_OFFSET = BLOCK_SIZE - TRL_SIZE  # 508

_HDR = struct.Struct(">IHHI")
_U32 = struct.Struct(">I")
_U16 = struct.Struct(">H")

Buffer = bytes | bytearray | memoryview


def crc32c(data: Buffer) -> int:
    """CRC-32C (Castagnoli), InnoDB's ``ut_crc32``: ``crc32c(b"innodb") == 1090276284`` (FMT-8)."""
    return int(_crc32c.crc32c(bytes(data)))


def fold_checksum(data: Buffer) -> int:
    """The legacy InnoDB block checksum of 5.6 and 5.7.8 (format 0), over the given bytes.

    From redo-files-facts.md: ``s=1; sh=0; per byte: s &= 0x7FFFFFFF; s += b + (b << sh);
    sh = sh + 1 if sh < 24 else 0``; the low 32 bits are stored.
    """
    s = 1
    sh = 0
    for b in bytes(data):
        s &= 0x7FFF_FFFF
        s += b + (b << sh)
        sh = sh + 1 if sh < 24 else 0
    return s & 0xFFFF_FFFF


def ut_fold_binary(data: Buffer) -> int:
    """InnoDB's ``ut_fold_binary`` (format-0 checkpoint checksums), low 32 bits.

    ``ut_fold_ulint_pair(n1, n2) = (((n1 ^ n2 ^ 1653893711) << 8) + n1) ^ 1463735687) + n2``
    folded over the bytes starting from 0, computed on 64-bit ulint and stored as u32.
    """
    mask = 0xFFFF_FFFF_FFFF_FFFF
    fold = 0
    for b in bytes(data):
        fold = (((((fold ^ b ^ 1653893711) << 8) & mask) + fold) & mask ^ 1463735687) + b
        fold &= mask
    return fold & 0xFFFF_FFFF


def block_no(lsn: int) -> int:
    """hdr_no of the block holding ``lsn``: ``lsn // 512 % 2**30 + 1`` (FMT-3)."""
    return lsn // BLOCK_SIZE % BLOCK_NO_WRAP + 1


def sn_to_lsn(sn: int) -> int:
    """The lsn of data byte ``sn`` (FMT-2); sn 0 is lsn 12, sn 496 is lsn 524."""
    return sn // DATA_SIZE * BLOCK_SIZE + sn % DATA_SIZE + HDR_SIZE


def lsn_to_sn(lsn: int) -> int:
    """The number of data bytes before ``lsn`` (FMT-2); inverse of :func:`sn_to_lsn` on data lsns.

    An lsn inside a header maps to the block's first data byte, one inside a trailer to the next
    block's first data byte (facts §2.2).
    """
    sn = lsn // BLOCK_SIZE * DATA_SIZE
    d = lsn % BLOCK_SIZE
    if d < HDR_SIZE:
        return sn
    if d > TRAILER_OFFSET:
        return sn + DATA_SIZE
    return sn + d - HDR_SIZE


def write_block_header(
    block: bytearray | memoryview,
    *,
    lsn: int,
    data_len: int,
    checkpoint_no: int,
    flush_bit: bool = False,
) -> None:
    """Write hdr_no (with the flush bit, FMT-4), data_len and checkpoint_no of the block at ``lsn``.

    first_rec_group (bytes 6..7) is left as it is: the user thread that copied the group set it
    (FMT-6), the writer only fills in the rest (FMT-7).
    """
    if not 0 <= data_len <= BLOCK_SIZE:
        raise ValueError(f"data_len {data_len} outside 0..{BLOCK_SIZE}")
    hdr_no = block_no(lsn) | (FLUSH_BIT if flush_bit else 0)
    _U32.pack_into(block, 0, hdr_no)
    _U16.pack_into(block, 4, data_len)
    _U32.pack_into(block, 8, checkpoint_no & 0xFFFF_FFFF)


def get_first_rec_group(block: Buffer) -> int:
    """first_rec_group of ``block`` (FMT-6)."""
    return int(_U16.unpack_from(block, 6)[0])


def set_first_rec_group(block: bytearray | memoryview, value: int) -> None:
    """Set first_rec_group of ``block`` (FMT-6); 0 means no group starts in the block."""
    if not 0 <= value < BLOCK_SIZE:
        raise ValueError(f"first_rec_group {value} outside 0..{BLOCK_SIZE - 1}")
    _U16.pack_into(block, 6, value)


def seal_block(block: bytearray | memoryview, checksums: bool = True) -> None:
    """Store the trailer: CRC-32C of bytes 0..507, or the no-checksum magic (FMT-8)."""
    value = crc32c(block[:TRAILER_OFFSET]) if checksums else NO_CHECKSUM_MAGIC
    _U32.pack_into(block, TRAILER_OFFSET, value)


def block_checksum_ok(block: Buffer) -> bool:
    """True if the trailer is the CRC-32C of bytes 0..507 or the no-checksum magic (FMT-8)."""
    stored = _U32.unpack_from(block, TRAILER_OFFSET)[0]
    return bool(stored == NO_CHECKSUM_MAGIC or stored == crc32c(block[:TRAILER_OFFSET]))


@attrs.frozen
class BlockHeader:
    """The decoded header and trailer of one data block (FMT-3..8)."""

    hdr_no: int  # flush bit removed
    flush_bit: bool
    data_len: int
    first_rec_group: int
    checkpoint_no: int
    checksum: int
    checksum_ok: bool  # CRC-32C over 0..507 matches, or the trailer is NO_CHECKSUM_MAGIC


def parse_block(block: Buffer) -> BlockHeader:
    """Decode the header and trailer of a 512-byte block."""
    if len(block) != BLOCK_SIZE:
        raise ValueError(f"a block is {BLOCK_SIZE} bytes, got {len(block)}")
    raw_no, data_len, frg, cp_no = _HDR.unpack_from(block, 0)
    checksum = _U32.unpack_from(block, TRAILER_OFFSET)[0]
    ok = checksum == NO_CHECKSUM_MAGIC or checksum == crc32c(block[:TRAILER_OFFSET])
    return BlockHeader(
        hdr_no=raw_no & ~FLUSH_BIT,
        flush_bit=bool(raw_no & FLUSH_BIT),
        data_len=data_len,
        first_rec_group=frg,
        checkpoint_no=cp_no,
        checksum=checksum,
        checksum_ok=bool(ok),
    )
