"""The pre-8.0.30 circular group of log files ``ib_logfile0..N-1`` in format 3 (FMT-9..12).

Each file starts with ``FILE_HDR_SIZE`` = 2048 bytes that are not in the lsn sequence (FMT-9)::

    0     header block: format u32 @0, pad u32 @4 = 0, start_lsn u64 @8, creator @16..47,
          flags u32 @48 = 0, CRC-32C @508
    512   checkpoint block 1 (ib_logfile0 only): checkpoint_no u64 @0, lsn u64 @8,
          offset u64 @16, log_buf_size u64 @24, CRC-32C @508
    1024  unused (encryption info in MySQL)
    1536  checkpoint block 2, same layout

The group holds ``capacity = n_files * (file_size - 2048)`` lsn bytes and is used circularly: the
lsn following the last byte of ``ib_logfile{N-1}`` is stored at offset 2048 of ``ib_logfile0``.
A checkpoint's ``offset`` is a *group* offset that counts each file's header, as MySQL's
``real_offset`` does: ``size_offset + 2048 * (1 + size_offset // (file_size - 2048))``
(mysql-redo-facts §3.4; the 8.0.19 fixture has lsn 19948536 at offset 3173368).

A file's header ``start_lsn`` is the lsn of its first data block in the lap that last entered
the file: :meth:`LogFiles.write` rewrites it whenever a write starts at the file's first data
block. Positions are computed from ``ib_logfile0``'s start_lsn modulo the capacity, so any lap
gives the same answer.

Checkpoints live only in ``ib_logfile0`` (FMT-12) and alternate between the two blocks by the
parity of checkpoint_no, so a torn checkpoint write leaves the other one valid (FMT-10).
New groups are created with the first file under the temporary name ``ib_logfile101``, renamed to
``ib_logfile0`` only when every file is complete and synced (FMT-11).
"""

from __future__ import annotations

import struct
import threading

import attrs

from impl.format import (
    BLOCK_SIZE,
    CHECKPOINT_1,
    CHECKPOINT_2,
    FILE_HDR_SIZE,
    FORMAT_8_0_3,
    HDR_SIZE,
    LOG_START_LSN,
    TRAILER_OFFSET,
    crc32c,
    seal_block,
    set_first_rec_group,
    write_block_header,
)
from impl.storage import Store

TEMP_NAME = "ib_logfile101"
MAX_FILES = 100
CREATOR_SIZE = 32
SUPPORTED_FORMATS = (1, 2, 3, 4, 5)  # the same header and checkpoint layout (redo-files-facts)

_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")
_CHECKPOINT = struct.Struct(">QQQQ")


def file_name(index: int) -> str:
    """The name of the ``index``-th file of the group."""
    return f"ib_logfile{index}"


class LogFileError(Exception):
    """A log file is missing, truncated or corrupt; names the file, the offset and what is wrong."""

    def __init__(self, name: str, offset: int | None, what: str) -> None:
        where = f"{name}" if offset is None else f"{name} at offset {offset}"
        super().__init__(f"{where}: {what}")
        self.name = name
        self.offset = offset
        self.what = what


class LogFileMissing(LogFileError):
    """A file of the group does not exist (or the group was never completely created)."""


class LogFileTruncated(LogFileError):
    """A file is shorter than the group's file size or than its own header."""


class LogFileCorrupt(LogFileError):
    """A header block has a bad checksum or an unsupported format."""


@attrs.frozen
class Checkpoint:
    """One checkpoint block of ``ib_logfile0`` as read from disk (FMT-10)."""

    slot: int  # 1 (offset 512) or 2 (offset 1536)
    valid: bool  # CRC-32C of bytes 0..507 matches
    checkpoint_no: int
    lsn: int
    offset: int  # group offset of lsn, file headers counted
    buf_size: int


@attrs.frozen
class FileHeader:
    """The header block of one log file."""

    format: int
    start_lsn: int
    creator: str
    flags: int


def encode_file_header(*, start_lsn: int, creator: str, log_format: int = FORMAT_8_0_3) -> bytes:
    """The 512-byte header block of a format 1..5 log file (FMT-9)."""
    raw_creator = creator.encode("ascii")
    if len(raw_creator) > CREATOR_SIZE - 1:
        raise ValueError(f"creator {creator!r} is longer than {CREATOR_SIZE - 1} bytes")
    block = bytearray(BLOCK_SIZE)
    _U32.pack_into(block, 0, log_format)
    _U64.pack_into(block, 8, start_lsn)
    block[16 : 16 + len(raw_creator)] = raw_creator
    _U32.pack_into(block, TRAILER_OFFSET, crc32c(block[:TRAILER_OFFSET]))
    return bytes(block)


def decode_file_header(name: str, block: bytes) -> FileHeader:
    """Parse and validate a format 1..5 header block; :class:`LogFileCorrupt` if it is not one."""
    if len(block) < BLOCK_SIZE:
        raise LogFileTruncated(name, 0, f"header block is {len(block)} bytes, not {BLOCK_SIZE}")
    stored = _U32.unpack_from(block, TRAILER_OFFSET)[0]
    computed = crc32c(block[:TRAILER_OFFSET])
    if stored != computed:
        raise LogFileCorrupt(
            name, 0, f"header block checksum {stored:#010x} != CRC-32C {computed:#010x}"
        )
    log_format = _U32.unpack_from(block, 0)[0]
    if log_format not in SUPPORTED_FORMATS:
        raise LogFileCorrupt(name, 0, f"log format {log_format} is not one of {SUPPORTED_FORMATS}")
    start_lsn = _U64.unpack_from(block, 8)[0]
    creator = bytes(block[16:48]).split(b"\0", 1)[0].decode("ascii", "replace")
    flags = _U32.unpack_from(block, 48)[0]
    return FileHeader(log_format, start_lsn, creator, flags)


def encode_checkpoint(checkpoint_no: int, lsn: int, offset: int, buf_size: int) -> bytes:
    """A 512-byte checkpoint block of formats 1..5 (FMT-10)."""
    block = bytearray(BLOCK_SIZE)
    _CHECKPOINT.pack_into(block, 0, checkpoint_no, lsn, offset, buf_size)
    _U32.pack_into(block, TRAILER_OFFSET, crc32c(block[:TRAILER_OFFSET]))
    return bytes(block)


def decode_checkpoint(slot: int, block: bytes) -> Checkpoint:
    """Parse a checkpoint block; ``valid`` is False on a checksum mismatch (FMT-10)."""
    if len(block) < BLOCK_SIZE:
        return Checkpoint(slot, False, 0, 0, 0, 0)
    no, lsn, offset, buf_size = _CHECKPOINT.unpack_from(block, 0)
    valid = _U32.unpack_from(block, TRAILER_OFFSET)[0] == crc32c(block[:TRAILER_OFFSET])
    return Checkpoint(slot, valid, no, lsn, offset, buf_size)


class LogFiles:
    """A group of ``n_files`` log files of ``file_size`` bytes, used circularly (FMT-9).

    Thread-safe: the writer, the flusher and the checkpointer may call it concurrently.
    """

    def __init__(self, store: Store, *, n_files: int, file_size: int, start_lsn: int) -> None:
        _check_geometry(n_files, file_size)
        if start_lsn % BLOCK_SIZE:
            raise ValueError(f"start_lsn {start_lsn} is not a multiple of {BLOCK_SIZE}")
        self.store = store
        self.n_files = n_files
        self.file_size = file_size
        self.start_lsn = start_lsn  # lsn at offset 2048 of ib_logfile0, modulo capacity
        self.file_capacity = file_size - FILE_HDR_SIZE
        self.capacity = n_files * self.file_capacity
        self._lock = threading.Lock()
        self._dirty: set[str] = set()
        self._header_lsn: dict[str, int] = {}
        self.creator = "redospec"

    # ----------------------------------------------------------------------------- creation
    @classmethod
    def create(
        cls,
        store: Store,
        *,
        n_files: int,
        file_size: int,
        start_lsn: int = LOG_START_LSN,
        creator: str = "redospec",
        buf_size: int = 0,
    ) -> LogFiles:
        """Create a fresh group (FMT-9, FMT-11) and return it open.

        ``ib_logfile101`` is created first and renamed to ``ib_logfile0`` last, after every file
        has its header and is synced, so a crash during creation never leaves a group that looks
        complete. File ``i`` gets start_lsn ``start_lsn + i * (file_size - 2048)``. The first
        checkpoint (number 0, slot 1) is at ``start_lsn + 12``, the first data byte, and the
        block at ``start_lsn`` is written empty with data_len = first_rec_group = 12, as MySQL's
        first checkpoint does. ``buf_size`` is the log buffer's size, which MySQL writes in every
        checkpoint block, the first one included (``log_create_first_checkpoint`` calls
        ``log_files_write_checkpoint``, which stores ``log.buf_size``); 0 means "not given".
        """
        files = cls(store, n_files=n_files, file_size=file_size, start_lsn=start_lsn)
        if store.exists(file_name(0)):
            raise LogFileError(file_name(0), None, "already exists; refusing to overwrite a log")
        names = [TEMP_NAME] + [file_name(i) for i in range(1, n_files)]
        for i, name in enumerate(names):
            store.create(name, file_size)
            header = encode_file_header(
                start_lsn=start_lsn + i * files.file_capacity, creator=creator
            )
            store.write(name, 0, header)
        first = bytearray(BLOCK_SIZE)
        write_block_header(first, lsn=start_lsn, data_len=HDR_SIZE, checkpoint_no=0)
        set_first_rec_group(first, HDR_SIZE)
        seal_block(first)
        store.write(TEMP_NAME, FILE_HDR_SIZE, bytes(first))
        cp_lsn = start_lsn + HDR_SIZE
        store.write(
            TEMP_NAME, CHECKPOINT_1, encode_checkpoint(0, cp_lsn, files.offset_of(cp_lsn), buf_size)
        )
        for name in names:
            store.fsync(name)
        store.rename(TEMP_NAME, file_name(0))
        files.creator = creator
        for i in range(n_files):
            files._header_lsn[file_name(i)] = start_lsn + i * files.file_capacity
        return files

    @classmethod
    def open(cls, store: Store) -> LogFiles:
        """Open an existing group, validating every file's size and header (FMT-9).

        Raises :class:`LogFileMissing` when ``ib_logfile0`` is missing (naming ib_logfile101 if an
        interrupted creation left it), :class:`LogFileTruncated` for a short file and
        :class:`LogFileCorrupt` for a bad header.
        """
        first = file_name(0)
        if not store.exists(first):
            if store.exists(TEMP_NAME):
                raise LogFileMissing(
                    first, None, f"missing; {TEMP_NAME} exists: log creation was interrupted"
                )
            raise LogFileMissing(first, None, "missing")
        file_size = store.size(first)
        if file_size < FILE_HDR_SIZE + BLOCK_SIZE:
            raise LogFileTruncated(
                first, file_size, f"only {file_size} bytes, shorter than a header"
            )
        if file_size % BLOCK_SIZE:
            raise LogFileTruncated(
                first, file_size, f"size {file_size} is not a multiple of {BLOCK_SIZE}"
            )
        n_files = 1
        while n_files < MAX_FILES and store.exists(file_name(n_files)):
            n_files += 1
        headers = []
        for i in range(n_files):
            name = file_name(i)
            size = store.size(name)
            if size != file_size:
                raise LogFileTruncated(
                    name, size, f"size {size} differs from {first}'s {file_size} bytes"
                )
            headers.append(decode_file_header(name, store.read(name, 0, BLOCK_SIZE)))
        files = cls(store, n_files=n_files, file_size=file_size, start_lsn=headers[0].start_lsn)
        files.creator = headers[0].creator
        for i, header in enumerate(headers):
            files._header_lsn[file_name(i)] = header.start_lsn
        return files

    # ------------------------------------------------------------------------------ geometry
    def _size_offset(self, lsn: int) -> int:
        return (lsn - self.start_lsn) % self.capacity

    def position(self, lsn: int) -> tuple[str, int]:
        """The file name and byte offset where ``lsn`` is stored."""
        size_offset = self._size_offset(lsn)
        index, within = divmod(size_offset, self.file_capacity)
        return file_name(index), FILE_HDR_SIZE + within

    def offset_of(self, lsn: int) -> int:
        """The group offset of ``lsn``, headers of all earlier files counted (checkpoint offset)."""
        size_offset = self._size_offset(lsn)
        return size_offset + FILE_HDR_SIZE * (1 + size_offset // self.file_capacity)

    def file_end_lsn(self, lsn: int) -> int:
        """The first lsn after the file that holds ``lsn``."""
        within = self._size_offset(lsn) % self.file_capacity
        return lsn - within + self.file_capacity

    # ------------------------------------------------------------------------------------ I/O
    def write(self, lsn: int, data: bytes) -> None:
        """Write whole blocks starting at block-aligned ``lsn``, all inside one file.

        When the write starts at the file's first data block, the file's header start_lsn is
        rewritten first (FMT-9), so the header names the lap that the file now holds.
        """
        if lsn % BLOCK_SIZE or len(data) % BLOCK_SIZE or not data:
            raise ValueError(f"write of {len(data)} bytes at lsn {lsn}: not whole blocks")
        if lsn + len(data) > self.file_end_lsn(lsn):
            raise ValueError(
                f"write of {len(data)} bytes at lsn {lsn} crosses the end of its file "
                f"(lsn {self.file_end_lsn(lsn)})"
            )
        name, offset = self.position(lsn)
        with self._lock:
            header_lsn = self._header_lsn.get(name)
        if offset == FILE_HDR_SIZE and header_lsn != lsn:
            header = encode_file_header(start_lsn=lsn, creator=self.creator)
            self.store.write(name, 0, header)
            with self._lock:
                self._header_lsn[name] = lsn
        self.store.write(name, offset, data)
        # Mark the file dirty only once the bytes are in it: a concurrent fsync() that took the
        # dirty set before this point must not make us believe these bytes are synced.
        with self._lock:
            self._dirty.add(name)

    def read(self, lsn: int, length: int) -> bytes:
        """``length`` bytes of the log from ``lsn``, following the files circularly."""
        if length > self.capacity:
            raise ValueError(f"read of {length} bytes exceeds the group capacity {self.capacity}")
        out = bytearray()
        while len(out) < length:
            name, offset = self.position(lsn)
            chunk = min(length - len(out), self.file_end_lsn(lsn) - lsn)
            data = self.store.read(name, offset, chunk)
            if len(data) != chunk:
                raise LogFileTruncated(
                    name, offset + len(data), f"file ends inside a read of lsn {lsn}"
                )
            out += data
            lsn += chunk
        return bytes(out)

    def fsync(self) -> None:
        """Make every write so far durable: fsync every file written since the last fsync."""
        with self._lock:
            dirty, self._dirty = sorted(self._dirty), set()
        try:
            for name in dirty:
                self.store.fsync(name)
        except BaseException:
            with self._lock:
                self._dirty.update(dirty)
            raise

    def write_checkpoint(self, checkpoint_no: int, lsn: int, buf_size: int) -> None:
        """Write checkpoint ``checkpoint_no`` at ``lsn`` into ib_logfile0 (FMT-10, FMT-12).

        Block 1 (offset 512) takes even numbers, block 2 (offset 1536) odd ones, so the previous
        checkpoint survives a torn write. Not synced: call :meth:`fsync_checkpoint`.
        """
        slot_offset = CHECKPOINT_2 if checkpoint_no & 1 else CHECKPOINT_1
        block = encode_checkpoint(checkpoint_no, lsn, self.offset_of(lsn), buf_size)
        self.store.write(file_name(0), slot_offset, block)

    def fsync_checkpoint(self) -> None:
        """Make the last checkpoint write durable (fsync of ib_logfile0)."""
        self.store.fsync(file_name(0))

    def read_checkpoints(self) -> list[Checkpoint]:
        """Both checkpoint blocks of ib_logfile0, slot 1 then slot 2 (FMT-10, FMT-12)."""
        name = file_name(0)
        return [
            decode_checkpoint(1, self.store.read(name, CHECKPOINT_1, BLOCK_SIZE)),
            decode_checkpoint(2, self.store.read(name, CHECKPOINT_2, BLOCK_SIZE)),
        ]


def _check_geometry(n_files: int, file_size: int) -> None:
    if not 1 <= n_files <= MAX_FILES:
        raise ValueError(f"n_files {n_files} outside 1..{MAX_FILES}")
    if file_size % BLOCK_SIZE or file_size < FILE_HDR_SIZE + BLOCK_SIZE:
        raise ValueError(
            f"file_size {file_size} must be a multiple of {BLOCK_SIZE} and hold at least one "
            f"block after the {FILE_HDR_SIZE}-byte header"
        )
