"""Builders of synthetic MySQL redo log files, formats 0..6, for the inspect tests.

Written from reference/redo-files-facts.md (field offsets, checksums) with their own checksum
code, so the inspector is checked against the facts rather than against itself.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

import crc32c as _crc32c

MASK64 = 0xFFFF_FFFF_FFFF_FFFF


def crc(data: bytes) -> int:
    return int(_crc32c.crc32c(data))


def fold_sum(data: bytes) -> int:
    """The 5.6 / 5.7.8 block checksum, as redo-files-facts.md spells it."""
    s, sh = 1, 0
    for b in data:
        s &= 0x7FFFFFFF
        s += b + (b << sh)
        sh = sh + 1 if sh < 24 else 0
    return s & 0xFFFFFFFF


def fold_binary(data: bytes) -> int:
    """ut_fold_binary: fold = ut_fold_ulint_pair(fold, byte) for each byte, 64-bit ulint."""
    fold = 0
    for b in data:
        fold = ((((fold ^ b ^ 1653893711) << 8) + fold) & MASK64 ^ 1463735687) + b
        fold &= MASK64
    return fold & 0xFFFFFFFF


def header(fmt: int, start_lsn: int, creator: str = "", flags: int = 0, uuid: int = 0) -> bytes:
    block = bytearray(512)
    if fmt == 0:
        struct.pack_into(">IQI", block, 0, 0, start_lsn, 0)
        block[16:20] = b"    "
        return bytes(block)  # no checksum in format 0
    struct.pack_into(">IIQ", block, 0, fmt, uuid, start_lsn)
    raw = creator.encode()
    block[16 : 16 + len(raw)] = raw
    struct.pack_into(">I", block, 48, flags)
    struct.pack_into(">I", block, 508, crc(bytes(block[:508])))
    return bytes(block)


def checkpoint(fmt: int, no: int, lsn: int, offset: int, buf: int = 1 << 20) -> bytes:
    block = bytearray(512)
    if fmt == 0:
        struct.pack_into(">QQIIQ", block, 0, no, lsn, offset & 0xFFFFFFFF, buf, MASK64)
        struct.pack_into(">I", block, 304, offset >> 32)
        struct.pack_into(">I", block, 288, fold_binary(bytes(block[0:288])))
        struct.pack_into(">I", block, 292, fold_binary(bytes(block[8:292])))
        return bytes(block)
    if fmt == 6:
        struct.pack_into(">Q", block, 8, lsn)
    else:
        struct.pack_into(">QQQQ", block, 0, no, lsn, offset, buf)
    struct.pack_into(">I", block, 508, crc(bytes(block[:508])))
    return bytes(block)


def data_block(
    fmt: int,
    lsn: int,
    data_len: int = 512,
    frg: int = 12,
    flush: bool = False,
    cp_no: int = 1,
    fill: int = 0x5A,
) -> bytes:
    block = bytearray([fill]) * 512
    hdr_no = (lsn // 512) % 2**30 + 1
    if flush:
        hdr_no |= 0x80000000
    struct.pack_into(">IHHI", block, 0, hdr_no, data_len, frg, 1 if fmt == 6 else cp_no)
    if data_len < 508:
        block[data_len:508] = bytes(508 - data_len)
    seal(block, fmt)
    return bytes(block)


def seal(block: bytearray, fmt: int) -> None:
    body = bytes(block[:508])
    struct.pack_into(">I", block, 508, fold_sum(body) if fmt == 0 else crc(body))


def padding_block(fmt: int) -> bytes:
    block = bytearray(512)
    seal(block, fmt)
    return bytes(block)


def build(
    fmt: int,
    start_lsn: int,
    blocks: Iterable[bytes],
    file_size: int,
    cps: tuple[bytes, bytes] | None = None,
    **hdr: object,
) -> bytes:
    """A whole file: header, checkpoint blocks, the given blocks from offset 2048, zeros after."""
    out = bytearray(file_size)
    out[0:512] = header(fmt, start_lsn, **hdr)  # type: ignore[arg-type]
    if cps is not None:
        out[512:1024] = cps[0]
        out[1536:2048] = cps[1]
    offset = 2048
    for block in blocks:
        out[offset : offset + 512] = block
        offset += 512
    return bytes(out)
