"""LSN arithmetic (FMT-1..3, NT-3): for InnoDB's sizes the values are MySQL's formulas
(reference/mysql-redo-facts.md §2.2, §3.1, §6.1), written here independently."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from spec.lsn import (
    align_down,
    align_up,
    block_no,
    checkpoint_lsn_for,
    event_slot,
    file_position,
    is_data_lsn,
    lsn_to_sn,
    sn_to_lsn,
)
from spec.params import Params

IN = Params.innodb()
TINY = Params.tiny()


def mysql_sn_to_lsn(sn: int) -> int:
    """log_translate_sn_to_lsn: sn / 496 * 512 + sn % 496 + 12 (facts §2.2)."""
    return sn // 496 * 512 + sn % 496 + 12


def mysql_lsn_to_sn(lsn: int) -> int:
    """log_translate_lsn_to_sn (facts §2.2)."""
    sn = lsn // 512 * 496
    d = lsn % 512
    if d < 12:
        return sn
    if d > 508:
        return sn + 496
    return sn + d - 12


def test_fmt2_known_values() -> None:
    """FMT-2: sn 0 -> lsn 12, sn 7936 -> lsn 8204 (LOG_START_LSN + header), facts §2.2."""
    assert sn_to_lsn(IN, 0) == 12
    assert sn_to_lsn(IN, 7936) == 8204
    assert IN.start_sn == 7936
    assert sn_to_lsn(IN, 496) == 512 + 12


@given(st.integers(min_value=0, max_value=2**48))
def test_fmt2_sn_to_lsn_is_mysqls(sn: int) -> None:
    """FMT-2: the model's translation equals MySQL's formula for InnoDB's sizes."""
    assert sn_to_lsn(IN, sn) == mysql_sn_to_lsn(sn)


@given(st.integers(min_value=0, max_value=2**48))
def test_fmt2_lsn_to_sn_is_mysqls(lsn: int) -> None:
    """FMT-2: lsn -> sn equals MySQL's formula."""
    assert lsn_to_sn(IN, lsn) == mysql_lsn_to_sn(lsn)


@given(st.sampled_from([IN, TINY, Params.small()]), st.integers(0, 10**9), st.integers(0, 10**6))
def test_fmt2_monotone_inverse_never_in_header(p: Params, sn: int, k: int) -> None:
    """FMT-2: monotone, inverse on data lsns, and never in a header or trailer."""
    lsn = sn_to_lsn(p, sn)
    assert is_data_lsn(p, lsn)
    assert lsn_to_sn(p, lsn) == sn
    assert sn_to_lsn(p, sn + k) >= lsn
    assert sn_to_lsn(p, sn + 1) > lsn


def test_fmt3_block_no_wraps() -> None:
    """FMT-3: hdr_no = lsn / 512 % 2^30 + 1 (facts §3.1); never 0, wraps at 2^30 blocks."""
    assert block_no(IN, 0) == 1
    assert block_no(IN, 8192) == 8192 // 512 + 1
    assert block_no(IN, 2**30 * 512) == 1
    assert block_no(IN, 2**30 * 512 - 1) == 2**30


def test_nt3_event_slot() -> None:
    """NT-3: slot = (lsn - 1) / 512 & (S - 1); a block boundary belongs to the block it
    closes (facts §6.1)."""
    assert event_slot(IN, 512, 2048) == 0
    assert event_slot(IN, 513, 2048) == 1
    assert event_slot(IN, 2048 * 512 + 1, 2048) == 0
    assert event_slot(TINY, 17, 2) == 1


def test_cp7_checkpoint_lsn_for() -> None:
    """CP-7: a boundary moves back to lsn - 512 + 12."""
    assert checkpoint_lsn_for(IN, 8192) == 8192 - 512 + 12
    assert checkpoint_lsn_for(IN, 8300) == 8300


def test_align() -> None:
    """Alignment helpers."""
    assert align_down(1000, 512) == 512 and align_up(1000, 512) == 1024
    assert align_up(1024, 512) == 1024


def test_fmt9_file_position() -> None:
    """FMT-9: start_lsn is at offset LOG_FILE_HDR_SIZE (2048) of file 0; the next file starts
    after file_size - 2048 lsn bytes; the files wrap after n_files of those."""
    assert file_position(IN, IN.start_lsn) == (0, 2048)
    assert file_position(IN, IN.start_lsn + IN.file_size - 2048) == (1, 2048)
    assert file_position(IN, IN.start_lsn + 2 * (IN.file_size - 2048)) == (0, 2048)
