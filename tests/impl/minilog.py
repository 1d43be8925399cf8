"""A tiny, independent log writer for the recovery and inspect tests.

It lays record groups out in blocks exactly as the design says (FMT-1..8) without any of the
pipeline's machinery, so recovery can be tested before and apart from impl's writer: data bytes
are placed by the sn -> lsn translation, first_rec_group marks the first group start in a block,
data_len is 512 for full blocks and the end offset for the last one.
"""

from __future__ import annotations

import struct

from impl import format as fmt
from impl.logfiles import LogFiles
from impl.records import Record, encode_group


def sn_to_lsn(sn: int) -> int:
    """FMT-2, written out again here from mysql-redo-facts §2.2 rather than imported."""
    return sn // 496 * 512 + sn % 496 + 12


def lsn_to_sn(lsn: int) -> int:
    d = lsn % 512
    return lsn // 512 * 496 + (0 if d < 12 else 496 if d > 508 else d - 12)


class MiniLog:
    """Appends groups to an in-memory block image and writes blocks to a :class:`LogFiles`."""

    def __init__(self, files: LogFiles, start_lsn: int = 8204, checkpoint_no: int = 1) -> None:
        self.files = files
        self.sn = lsn_to_sn(start_lsn)
        self.blocks: dict[int, bytearray] = {}
        self.written_to = start_lsn // 512 * 512  # first block not yet written whole
        self.checkpoint_no = checkpoint_no
        self.groups: list[tuple[int, int, list[Record]]] = []  # (start lsn, end lsn, records)

    def append(self, records: list[Record]) -> tuple[int, int]:
        """Copy one group; return its (start lsn, end lsn)."""
        data = encode_group(records)
        start = sn_to_lsn(self.sn)
        for i, byte in enumerate(data):
            lsn = sn_to_lsn(self.sn + i)
            self.blocks.setdefault(lsn // 512 * 512, bytearray(512))[lsn % 512] = byte
        first = self.blocks[start // 512 * 512]
        if struct.unpack_from(">H", first, 6)[0] == 0:
            struct.pack_into(">H", first, 6, start % 512)
        self.sn += len(data)
        end = sn_to_lsn(self.sn)
        self.groups.append((start, end, records))
        return start, end

    @property
    def lsn(self) -> int:
        return sn_to_lsn(self.sn)

    def block_bytes(self, block_lsn: int, end: int) -> bytes:
        block = bytearray(self.blocks.get(block_lsn, bytearray(512)))
        data_len = 512 if end >= block_lsn + 512 else end - block_lsn
        struct.pack_into(
            ">IHH",
            block,
            0,
            ((block_lsn // 512) % 2**30) + 1,
            data_len,
            struct.unpack_from(">H", block, 6)[0],
        )
        struct.pack_into(">I", block, 8, self.checkpoint_no)
        if data_len < 512:
            block[data_len:508] = bytes(508 - data_len)
        struct.pack_into(">I", block, 508, fmt.crc32c(bytes(block[:508])))
        return bytes(block)

    def write(self, sync: bool = True, upto: int | None = None) -> None:
        """Write every block from the last incomplete one up to the current lsn, then fsync.

        ``upto`` (a block boundary) stops earlier, leaving the following blocks as they were.
        """
        end = self.lsn if upto is None else min(upto, self.lsn)
        block_lsn = self.written_to
        while block_lsn < end:
            self.files.write(block_lsn, self.block_bytes(block_lsn, end))
            if end >= block_lsn + 512:
                self.written_to = block_lsn + 512
            block_lsn += 512
        if sync:
            self.files.fsync()
