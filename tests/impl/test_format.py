"""Unit tests of impl.format: the block layout and checksums (FMT-1..8).

Expected values come from MySQL's facts (reference/mysql-redo-facts.md §2-3,
reference/redo-files-facts.md worked examples) and from the real 8.0.19 fixture, never from
the code under test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl import format as fmt


def test_crc32c_matches_innodb_gunit_vector() -> None:
    """FMT-8: ut_crc32("innodb") = 1090276284 (MySQL's gunit vector)."""
    assert fmt.crc32c(b"innodb") == 1090276284


def test_checksums_of_zero_padding_blocks() -> None:
    """FMT-8: padding blocks carry CRC-32C 0xEC57A9C3 (5.7.9) or fold-sum 1 (5.7.8) of 508 zeros."""
    assert fmt.crc32c(bytes(508)) == 0xEC57A9C3
    assert fmt.fold_checksum(bytes(508)) == 1


def test_fold_checksum_by_hand() -> None:
    """The legacy fold-sum on a tiny input, computed by hand from the facts' formula."""
    # s=1; b=1, sh=0: s=1+1+1=3; b=2, sh=1: s=3+2+4=9
    assert fmt.fold_checksum(b"\x01\x02") == 9


def test_constants() -> None:
    """FMT-1: 512-byte blocks, 12-byte header, 4-byte trailer; LOG_START_LSN = 16 * 512."""
    assert (fmt.BLOCK_SIZE, fmt.HDR_SIZE, fmt.TRL_SIZE, fmt.DATA_SIZE) == (512, 12, 4, 496)
    assert fmt.LOG_START_LSN == 8192
    assert fmt.FILE_HDR_SIZE == 2048


def test_block_no_from_real_files() -> None:
    """FMT-3: hdr_no = lsn/512 % 2^30 + 1, as in #ib_redo0 (51547) and 8.0.19 (32769)."""
    assert fmt.block_no(26391552) == 51547
    assert fmt.block_no(16777216) == 32769
    assert fmt.block_no(16777216 + 511) == 32769
    assert fmt.block_no(2**30 * 512) == 1  # wraps at 1G blocks
    assert fmt.block_no(2**30 * 512 - 1) == 2**30


def test_sn_lsn_translation_examples() -> None:
    """FMT-2: sn 0 -> lsn 12, sn 7936 -> lsn 8204 (facts §2.2)."""
    assert fmt.sn_to_lsn(0) == 12
    assert fmt.sn_to_lsn(7936) == 8204
    assert fmt.sn_to_lsn(495) == 507
    assert fmt.sn_to_lsn(496) == 524
    assert fmt.lsn_to_sn(8192) == 7936  # header byte -> first data byte of the block
    assert fmt.lsn_to_sn(8192 + 510) == 7936 + 496  # trailer byte -> next block


@given(st.integers(min_value=0, max_value=2**50))
def test_sn_lsn_inverse_and_monotone(sn: int) -> None:
    """FMT-2: the translations are inverse on data bytes and monotone."""
    lsn = fmt.sn_to_lsn(sn)
    assert 12 <= lsn % 512 < 508
    assert fmt.lsn_to_sn(lsn) == sn
    assert fmt.sn_to_lsn(sn + 1) > lsn


def test_header_bytes_match_real_8_0_19_block() -> None:
    """FMT-3..7: the 8.0.19 block @2048 starts 80008001 0200 000e 0000001e."""
    block = bytearray(512)
    fmt.set_first_rec_group(block, 14)
    fmt.write_block_header(block, lsn=16777216, data_len=512, checkpoint_no=30, flush_bit=True)
    assert bytes(block[:12]).hex() == "800080010200000e0000001e"


def test_write_header_keeps_first_rec_group_and_seal() -> None:
    """FMT-6 is set by the user thread, the writer's header write keeps it; FMT-8 trailer."""
    block = bytearray(512)
    fmt.set_first_rec_group(block, 77)
    fmt.write_block_header(block, lsn=8192 + 512, data_len=300, checkpoint_no=5)
    fmt.seal_block(block)
    header = fmt.parse_block(bytes(block))
    assert header == fmt.BlockHeader(
        hdr_no=18,
        flush_bit=False,
        data_len=300,
        first_rec_group=77,
        checkpoint_no=5,
        checksum=fmt.crc32c(bytes(block[:508])),
        checksum_ok=True,
    )


def test_no_checksum_magic_and_corruption() -> None:
    """FMT-8: without checksums the trailer is 0xDEADBEEF; a flipped byte fails the CRC."""
    block = bytearray(512)
    fmt.write_block_header(block, lsn=8192, data_len=512, checkpoint_no=1)
    fmt.seal_block(block, checksums=False)
    assert bytes(block[508:]) == bytes.fromhex("deadbeef")
    assert fmt.parse_block(bytes(block)).checksum_ok
    fmt.seal_block(block)
    block[100] ^= 1
    assert not fmt.parse_block(bytes(block)).checksum_ok


def test_bad_arguments() -> None:
    """Clear errors for impossible header values and wrong block sizes."""
    with pytest.raises(ValueError, match="data_len"):
        fmt.write_block_header(bytearray(512), lsn=0, data_len=513, checkpoint_no=0)
    with pytest.raises(ValueError, match="first_rec_group"):
        fmt.set_first_rec_group(bytearray(512), 512)
    with pytest.raises(ValueError, match="512 bytes"):
        fmt.parse_block(bytes(100))


def test_parse_real_block(fixtures_dir: Path) -> None:
    """The worked example of redo-files-facts.md: 8.0.19 ib_logfile0 @2048."""
    data = (fixtures_dir / "mysql-8.0.19-clean" / "ib_logfile0").read_bytes()
    header = fmt.parse_block(data[2048:2560])
    assert (header.hdr_no, header.flush_bit, header.data_len) == (32769, True, 512)
    assert (header.first_rec_group, header.checkpoint_no) == (14, 30)
    assert header.checksum == 0xCD3FB3A5 and header.checksum_ok
