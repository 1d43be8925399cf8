"""log_buffer_write and first_rec_group in the ring log buffer (USR-1, USR-2, FMT-2, FMT-6)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl.logbuffer import LogBuffer


def lsn_of(sn: int) -> int:
    """facts §2.2, written out here independently of impl.format."""
    return sn // 496 * 512 + sn % 496 + 12


def sn_of(lsn: int) -> int:
    d = lsn % 512
    return lsn // 512 * 496 + (0 if d < 12 else 496 if d > 508 else d - 12)


def test_write_inside_one_block() -> None:
    """USR-1, FMT-2: a copy inside one block touches data bytes only."""
    buf = LogBuffer(4096)
    end = buf.write(8204, b"abc")
    assert end == 8207
    assert buf.read(8204, 3) == b"abc"
    assert buf.data[8192 % 4096 : 8192 % 4096 + 12] == bytes(12)  # header untouched


def test_write_across_blocks_skips_trailer_and_header_and_zeroes_next_first_rec_group() -> None:
    """FMT-2, facts §2.5: data lands only in data bytes; the next block's first_rec_group is
    cleared (a stale value from the previous lap of the ring must not survive)."""
    buf = LogBuffer(4096)
    buf.data[4096 - 512 + 6 : 4096 - 512 + 8] = b"\x01\x2c"  # stale frg of block at ring 3584
    buf.data[512 + 6 : 512 + 8] = b"\x00\x63"  # stale frg of block 8704 (ring offset 512)
    data = bytes(range(256)) * 3  # 768 bytes from lsn 8204
    end = buf.write(8204, data)
    assert end == lsn_of(sn_of(8204) + 768) == 8704 + 12 + 768 - 496
    assert buf.read(8204, 496) == data[:496]
    assert buf.read(8700, 16) == bytes(16)  # trailer and next header are not written
    assert buf.read(8716, 272) == data[496:]
    assert buf.data[512 + 6 : 512 + 8] == b"\x00\x00"


def test_write_ending_exactly_at_a_block_end_returns_the_next_data_byte() -> None:
    """facts §2.5, USR-2: a copy ending at byte 508 returns next_block + 12 and has zeroed
    the next block's first_rec_group."""
    buf = LogBuffer(4096)
    buf.data[512 + 6 : 512 + 8] = b"\x00\x50"
    end = buf.write(8204, bytes(496))
    assert end == 8716
    assert buf.data[512 + 6 : 512 + 8] == b"\x00\x00"


def test_write_wraps_at_the_end_of_the_ring() -> None:
    """USR-1: the buffer is a ring addressed by lsn % size; a copy continues at its start."""
    buf = LogBuffer(2048)
    end = buf.write(2048 * 4 - 100, b"x" * 200)  # crosses the ring end (and a block)
    assert end == lsn_of(sn_of(2048 * 4 - 100) + 200)
    assert buf.data[2048 - 100 : 2048 - 4] == b"x" * 96
    assert buf.data[12 : 12 + 104] == b"x" * 104


def test_set_first_rec_group() -> None:
    """USR-2: the field of the block holding end_lsn becomes end_lsn % 512."""
    buf = LogBuffer(4096)
    assert buf.set_first_rec_group(8716) == 12
    assert buf.data[512 + 6 : 512 + 8] == (12).to_bytes(2, "big")


def test_writes_must_start_on_data_bytes() -> None:
    """FMT-2: a copy starts at a data lsn; the ring holds whole blocks."""
    buf = LogBuffer(4096)
    with pytest.raises(ValueError, match="not a data lsn"):
        buf.write(8192, b"x")
    with pytest.raises(ValueError, match="multiple of 512"):
        LogBuffer(1000)


@given(st.integers(8204, 50_000), st.integers(1, 3000))
def test_end_lsn_is_the_translated_end_sn(start: int, size: int) -> None:
    """FMT-2: the copy of n bytes from a data lsn ends at sn_to_lsn(lsn_to_sn(start) + n)."""
    if not 12 <= start % 512 < 508:
        start = start - start % 512 + 12
    buf = LogBuffer(4096)
    assert buf.write(start, bytes(size)) == lsn_of(sn_of(start) + size)
