"""Unit tests of impl.logfiles: the circular ib_logfile group (FMT-9..12).

Geometry expectations come from mysql-redo-facts §3.4 (real_offset) and the real 8.0.19 files
(checkpoint 36 at lsn 19948536 is stored with offset 3173368; file1 start_lsn 12584960).
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl import format as fmt
from impl.logfiles import (
    Checkpoint,
    LogFileCorrupt,
    LogFileError,
    LogFileMissing,
    LogFiles,
    LogFileTruncated,
)
from impl.storage import DirStore

FILE_SIZE = 64 * 1024
FCAP = FILE_SIZE - 2048


class RecordingStore(DirStore):
    """A DirStore that records fsyncs and can fail a rename (crash during creation)."""

    def __init__(self, directory: Path, fail_rename: bool = False) -> None:
        super().__init__(directory)
        self.fsyncs: list[str] = []
        self.fail_rename = fail_rename

    def fsync(self, name: str) -> None:
        self.fsyncs.append(name)
        super().fsync(name)

    def rename(self, old: str, new: str) -> None:
        if self.fail_rename:
            raise OSError("simulated crash before rename")
        super().rename(old, new)


def make(tmp_path: Path, n_files: int = 3) -> LogFiles:
    return LogFiles.create(DirStore(tmp_path), n_files=n_files, file_size=FILE_SIZE)


def test_create_writes_headers_and_first_checkpoint(tmp_path: Path) -> None:
    """FMT-9, FMT-11: headers with format 3, start lsns per file, CRC-32C; no ib_logfile101 left."""
    files = make(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ib_logfile0",
        "ib_logfile1",
        "ib_logfile2",
    ]
    assert files.capacity == 3 * FCAP
    for i in range(3):
        raw = (tmp_path / f"ib_logfile{i}").read_bytes()
        assert len(raw) == FILE_SIZE
        assert struct.unpack_from(">I", raw, 0)[0] == 3
        assert struct.unpack_from(">Q", raw, 8)[0] == 8192 + i * FCAP
        assert raw[16:24] == b"redospec"
        assert struct.unpack_from(">I", raw, 508)[0] == fmt.crc32c(raw[:508])
    cps = files.read_checkpoints()
    # first checkpoint: number 0 in block 1, at the first data byte, offset 2048 + 12
    assert cps[0] == Checkpoint(
        slot=1, valid=True, checkpoint_no=0, lsn=8204, offset=2060, buf_size=0
    )
    assert not cps[1].valid


def test_interrupted_creation_is_not_a_log(tmp_path: Path) -> None:
    """FMT-11: a crash before the rename leaves ib_logfile101 and open() refuses it."""
    with pytest.raises(OSError, match="simulated"):
        LogFiles.create(RecordingStore(tmp_path, fail_rename=True), n_files=2, file_size=FILE_SIZE)
    assert (tmp_path / "ib_logfile101").exists()
    with pytest.raises(LogFileMissing, match="ib_logfile101"):
        LogFiles.open(DirStore(tmp_path))


def test_create_refuses_existing_log(tmp_path: Path) -> None:
    make(tmp_path)
    with pytest.raises(LogFileError, match="already exists"):
        make(tmp_path)


def test_positions_wrap_circularly(tmp_path: Path) -> None:
    """FMT-9: header bytes are not in the lsn sequence; after the last file comes file 0."""
    files = make(tmp_path)
    assert files.position(8192) == ("ib_logfile0", 2048)
    assert files.position(8192 + FCAP - 1) == ("ib_logfile0", FILE_SIZE - 1)
    assert files.position(8192 + FCAP) == ("ib_logfile1", 2048)
    assert files.position(8192 + 3 * FCAP + 512) == ("ib_logfile0", 2560)
    assert files.file_end_lsn(8192 + 5) == 8192 + FCAP
    assert files.file_end_lsn(8192 + FCAP) == 8192 + 2 * FCAP


def test_offset_formula_matches_real_8_0_19_checkpoints() -> None:
    """FMT-10: 8.0.19 stores checkpoint lsns 19948536/19948816 at offsets 3173368/3173648."""
    files = LogFiles(DirStore.__new__(DirStore), n_files=2, file_size=4 * 2**20, start_lsn=16777216)
    assert files.offset_of(19948536) == 3173368
    assert files.offset_of(19948816) == 3173648
    # mysql-redo-facts §3.4 real_offset for a size offset in the second file
    size_offset = files.file_capacity + 100
    assert files.offset_of(16777216 + size_offset) == size_offset + 2048 * 2


def test_open_real_8_0_19_group(tmp_path: Path, fixtures_dir: Path) -> None:
    """FMT-12: checkpoints come from ib_logfile0; values from the fixture README."""
    for name in ("ib_logfile0", "ib_logfile1"):
        shutil.copy(fixtures_dir / "mysql-8.0.19-clean" / name, tmp_path / name)
    files = LogFiles.open(DirStore(tmp_path))
    assert (files.n_files, files.file_size, files.start_lsn) == (2, 4 * 2**20, 16777216)
    cp1, cp2 = files.read_checkpoints()
    assert (cp1.valid, cp1.checkpoint_no, cp1.lsn, cp1.offset, cp1.buf_size) == (
        True,
        36,
        19948536,
        3173368,
        16777216,
    )
    assert (cp2.valid, cp2.checkpoint_no, cp2.lsn, cp2.offset) == (True, 37, 19948816, 3173648)
    # ib_logfile1's header says its first block holds lsn 12584960 (an older lap)
    assert files.position(12584960) == ("ib_logfile1", 2048)
    name, offset = files.position(19948816)
    block = files.read(19948816 // 512 * 512, 512)
    assert fmt.parse_block(block).hdr_no == fmt.block_no(19948816)
    assert (name, offset) == ("ib_logfile0", 3173648)


def test_write_read_roundtrip_and_header_update(tmp_path: Path) -> None:
    """FMT-9: a write entering a file in a new lap rewrites its header start_lsn."""
    files = make(tmp_path, n_files=2)
    data = bytes(range(256)) * 4
    files.write(8192 + 1024, data)
    assert files.read(8192 + 1024, 1024) == data
    lap2 = 8192 + 2 * FCAP
    files.write(lap2, b"\x07" * 512)
    raw = (tmp_path / "ib_logfile0").read_bytes()
    assert struct.unpack_from(">Q", raw, 8)[0] == lap2
    assert raw[2048:2560] == b"\x07" * 512
    reopened = LogFiles.open(DirStore(tmp_path))
    assert reopened.position(lap2 + FCAP) == ("ib_logfile1", 2048)
    assert reopened.read(lap2, 512) == b"\x07" * 512


def test_read_follows_files(tmp_path: Path) -> None:
    files = make(tmp_path, n_files=2)
    end0 = 8192 + FCAP
    files.write(end0 - 512, b"\x01" * 512)
    files.write(end0, b"\x02" * 512)
    assert files.read(end0 - 512, 1024) == b"\x01" * 512 + b"\x02" * 512


def test_write_rejects_bad_ranges(tmp_path: Path) -> None:
    files = make(tmp_path, n_files=2)
    with pytest.raises(ValueError, match="whole blocks"):
        files.write(8192 + 1, b"x" * 512)
    with pytest.raises(ValueError, match="crosses the end"):
        files.write(8192 + FCAP - 512, b"x" * 1024)


def test_fsync_only_dirty_files(tmp_path: Path) -> None:
    """The flusher's fsync covers every file written since the last fsync, and only those."""
    store = RecordingStore(tmp_path)
    files = LogFiles.create(store, n_files=3, file_size=FILE_SIZE)
    store.fsyncs.clear()
    files.write(8192 + FCAP, b"\x00" * 512)
    files.fsync()
    assert store.fsyncs == ["ib_logfile1"]
    files.fsync()
    assert store.fsyncs == ["ib_logfile1"]


def test_checkpoints_alternate(tmp_path: Path) -> None:
    """FMT-10: even numbers in block 1, odd in block 2; a torn block leaves the other valid."""
    files = make(tmp_path)
    files.write_checkpoint(1, 9000, 4096)
    files.write_checkpoint(2, 9500, 4096)
    files.fsync_checkpoint()
    cp1, cp2 = files.read_checkpoints()
    assert (cp1.checkpoint_no, cp1.lsn, cp1.valid) == (2, 9500, True)
    assert (cp2.checkpoint_no, cp2.lsn, cp2.offset, cp2.buf_size) == (
        1,
        9000,
        9000 - 8192 + 2048,
        4096,
    )
    raw = bytearray((tmp_path / "ib_logfile0").read_bytes())
    raw[512 + 8] ^= 0xFF
    (tmp_path / "ib_logfile0").write_bytes(bytes(raw))
    cp1, cp2 = LogFiles.open(DirStore(tmp_path)).read_checkpoints()
    assert not cp1.valid and cp2.valid


def test_open_errors(tmp_path: Path) -> None:
    """Missing, truncated and corrupt files raise specific errors naming the file."""
    with pytest.raises(LogFileMissing, match="ib_logfile0"):
        LogFiles.open(DirStore(tmp_path))
    make(tmp_path, n_files=2)
    with open(tmp_path / "ib_logfile1", "r+b") as handle:
        handle.truncate(FILE_SIZE - 512)
    with pytest.raises(LogFileTruncated, match="ib_logfile1"):
        LogFiles.open(DirStore(tmp_path))
    with open(tmp_path / "ib_logfile1", "r+b") as handle:
        handle.truncate(FILE_SIZE)
        handle.seek(20)
        handle.write(b"!")
    with pytest.raises(LogFileCorrupt, match="ib_logfile1 at offset 0: header block checksum"):
        LogFiles.open(DirStore(tmp_path))


@given(
    n_files=st.integers(1, 5),
    blocks_per_file=st.integers(1, 40),
    lap=st.integers(0, 3),
    size_offset_frac=st.floats(0, 1, exclude_max=True),
)
def test_offset_matches_mysql_real_offset(
    n_files: int, blocks_per_file: int, lap: int, size_offset_frac: float
) -> None:
    """FMT-9: position and checkpoint offset agree with MySQL's formula (facts §3.4):
    real_offset(s) = s + 2048 * (1 + s // (file_size - 2048)), in every lap."""
    file_size = 2048 + blocks_per_file * 512
    files = LogFiles(DirStore.__new__(DirStore), n_files=n_files, file_size=file_size,
                     start_lsn=8192)  # fmt: skip
    capacity = n_files * (file_size - 2048)
    size_offset = int(size_offset_frac * capacity)
    lsn = 8192 + lap * capacity + size_offset
    real = size_offset + 2048 * (1 + size_offset // (file_size - 2048))
    assert files.offset_of(lsn) == real
    assert files.position(lsn) == (f"ib_logfile{real // file_size}", real % file_size)
