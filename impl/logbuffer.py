"""The log buffer: a ring of bytes addressed by ``lsn % size`` (USR-1, facts §2.5).

The buffer holds whole 512-byte blocks in InnoDB's layout: users copy their record group's bytes
into the *data* part of the blocks (never the 12-byte header or the 4-byte trailer, FMT-2), and
set a block's first_rec_group (USR-2, FMT-6); the writer fills in the rest of the header and the
checksum just before writing (WR-3, WR-5).

:meth:`LogBuffer.write` is ``log_buffer_write``: starting at a data lsn, copy as much as fits
before the block's trailer; when a copy reaches a trailer, skip trailer and next header
(16 bytes of lsn) and zero the next block's first_rec_group, so that a stale value from the
previous lap of the ring is never written (only the user whose group *ends* in a block sets it).
A copy that ends exactly at a block's last data byte returns the next block's first data lsn
(``next_block + 12``), exactly as ``sn_to_lsn`` does for the end sn.
"""

from __future__ import annotations

from impl.format import BLOCK_SIZE, HDR_SIZE, TRAILER_OFFSET, set_first_rec_group


class LogBuffer:
    """``size`` bytes (a multiple of 512) used as a ring addressed by lsn % size."""

    def __init__(self, size: int) -> None:
        if size % BLOCK_SIZE or size < 4 * BLOCK_SIZE:
            raise ValueError(f"log buffer size {size} must be a multiple of 512, at least 2048")
        self.size = size
        self.data = bytearray(size)
        self.view = memoryview(self.data)

    def write(self, start_lsn: int, payload: bytes | bytearray | memoryview) -> int:
        """Copy ``payload`` from data lsn ``start_lsn`` on; return the end lsn (facts §2.5)."""
        lsn = start_lsn
        src = memoryview(payload)
        size = self.size
        data = self.data
        while True:
            offset = lsn % BLOCK_SIZE
            if not HDR_SIZE <= offset < TRAILER_OFFSET:
                raise ValueError(f"lsn {lsn} is not a data lsn (offset {offset} in its block)")
            left = TRAILER_OFFSET - offset
            pos = lsn % size
            if left > len(src):
                data[pos : pos + len(src)] = src
                return lsn + len(src)
            data[pos : pos + left] = src[:left]
            src = src[left:]
            lsn += left + BLOCK_SIZE - TRAILER_OFFSET + HDR_SIZE  # skip trailer and header
            block = (lsn - HDR_SIZE) % size
            set_first_rec_group(self.view[block : block + BLOCK_SIZE], 0)
            if not src:
                return lsn

    def block(self, lsn: int) -> memoryview:
        """The 512 bytes of the block holding ``lsn``."""
        start = lsn // BLOCK_SIZE * BLOCK_SIZE % self.size
        return self.view[start : start + BLOCK_SIZE]

    def set_first_rec_group(self, end_lsn: int) -> int:
        """USR-2: set first_rec_group of the block holding ``end_lsn`` to ``end_lsn % 512``."""
        value = end_lsn % BLOCK_SIZE
        set_first_rec_group(self.block(end_lsn), value)
        return value

    def read(self, lsn: int, length: int) -> bytes:
        """``length`` bytes from ``lsn`` on, following the ring (for tests and recovery checks)."""
        out = bytearray()
        while len(out) < length:
            pos = (lsn + len(out)) % self.size
            chunk = min(length - len(out), self.size - pos)
            out += self.data[pos : pos + chunk]
        return bytes(out)
