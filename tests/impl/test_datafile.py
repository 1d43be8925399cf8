"""Unit tests of impl.datafile: page slots with page_lsn and CRC-32C (RC-4 relies on page_lsn)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from impl import format as fmt
from impl.datafile import DataFile, DataFileError, PageCorrupt
from impl.storage import DirStore


def test_roundtrip_and_fresh_pages(tmp_path: Path) -> None:
    """A fresh page reads as (0, b''); a written page returns its page_lsn and payload."""
    data = DataFile.create(DirStore(tmp_path), n_pages=4, page_size=256)
    assert data.read_page(3) == (0, b"")
    data.write_page(2, 123456, b"hello")
    data.fsync()
    again = DataFile.open(DirStore(tmp_path))
    assert (again.n_pages, again.page_size) == (4, 256)
    assert again.read_page(2) == (123456, b"hello")
    assert again.read_page(1) == (0, b"")


def test_layout_is_big_endian_with_crc(tmp_path: Path) -> None:
    """Page i sits at 512 + i*P: page_lsn u64, length u16, payload, CRC-32C of 0..P-5 at P-4."""
    data = DataFile.create(DirStore(tmp_path), n_pages=2, page_size=128)
    data.write_page(1, 0x0102030405060708, b"ab")
    raw = (tmp_path / "redospec.ibd").read_bytes()[512 + 128 : 512 + 256]
    assert raw[:12] == bytes.fromhex("0102030405060708") + b"\x00\x02ab"
    assert struct.unpack(">I", raw[124:])[0] == fmt.crc32c(raw[:124])


def test_torn_page_is_detected(tmp_path: Path) -> None:
    """A page whose second half was not written fails its checksum: PageCorrupt names it."""
    data = DataFile.create(DirStore(tmp_path), n_pages=2, page_size=1024)
    data.write_page(0, 1, b"x" * 900)
    data.fsync()
    path = tmp_path / "redospec.ibd"
    raw = bytearray(path.read_bytes())
    raw[512 + 512 : 512 + 1024] = bytes(512)  # the second 512-byte sector never reached disk
    path.write_bytes(bytes(raw))
    with pytest.raises(PageCorrupt, match="page 0 at offset 512"):
        DataFile.open(DirStore(tmp_path)).read_page(0)


def test_errors(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="missing"):
        DataFile.open(DirStore(tmp_path))
    data = DataFile.create(DirStore(tmp_path), n_pages=2, page_size=128)
    with pytest.raises(DataFileError, match="page 2 outside"):
        data.read_page(2)
    with pytest.raises(DataFileError, match="exceeds"):
        data.write_page(0, 1, b"x" * 200)
    with open(tmp_path / "redospec.ibd", "r+b") as handle:
        handle.truncate(600)
    with pytest.raises(DataFileError, match="truncated"):
        DataFile.open(DirStore(tmp_path))
    (tmp_path / "other.ibd").write_bytes(bytes(1024))
    with pytest.raises(DataFileError, match="checksum"):
        DataFile.open(DirStore(tmp_path), "other.ibd")
