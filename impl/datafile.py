"""The minimal buffer pool's data file: fixed-size page slots with a page_lsn and a CRC-32C.

The page cleaner writes a page here only after the log is durable past the page's newest
modification, so a checkpoint means something; recovery replays only records newer than a
page's page_lsn (RC-4). Layout (big-endian, like the log)::

    0            file header, 512 bytes: magic "RSPECIBD", version u32 @8, page_size u32 @12,
                 n_pages u32 @16, CRC-32C of bytes 0..507 @508
    512 + i*P    page i (P = page_size): page_lsn u64 @0, payload_len u16 @8, payload @10,
                 CRC-32C of bytes 0..P-5 @P-4

A page slot of all zeros is a page that was never written: page_lsn 0, empty payload. A slot
whose checksum does not match (a write torn by a crash) raises :class:`PageCorrupt`; recovery
treats such a page as never written, which is safe because a page being written was dirty, so
the log after the checkpoint holds a whole-page record for it (SYS-2, RC-4).
"""

from __future__ import annotations

import struct

from impl.format import crc32c
from impl.storage import Store

MAGIC = b"RSPECIBD"
VERSION = 1
HEADER_SIZE = 512
PAGE_HEADER = struct.Struct(">QH")  # page_lsn, payload_len
_FILE_HEADER = struct.Struct(">8sIII")
_U32 = struct.Struct(">I")
MIN_PAGE_SIZE = 64


class DataFileError(Exception):
    """The data file is missing, truncated or corrupt, or a page request is invalid."""


class PageCorrupt(DataFileError):
    """A page slot's checksum does not match: a torn or damaged page write."""

    def __init__(self, name: str, page_no: int, offset: int, what: str) -> None:
        super().__init__(f"{name} page {page_no} at offset {offset}: {what}")
        self.name = name
        self.page_no = page_no
        self.offset = offset


class DataFile:
    """``n_pages`` page slots of ``page_size`` bytes in the file ``name`` of a :class:`Store`."""

    def __init__(self, store: Store, *, name: str, n_pages: int, page_size: int) -> None:
        if page_size < MIN_PAGE_SIZE:
            raise ValueError(f"page_size {page_size} is smaller than {MIN_PAGE_SIZE}")
        if n_pages < 1:
            raise ValueError(f"n_pages {n_pages} must be at least 1")
        self.store = store
        self.name = name
        self.n_pages = n_pages
        self.page_size = page_size

    @property
    def max_payload(self) -> int:
        """The largest payload a page holds."""
        return self.page_size - PAGE_HEADER.size - 4

    @classmethod
    def create(
        cls, store: Store, *, n_pages: int, page_size: int = 1024, name: str = "redospec.ibd"
    ) -> DataFile:
        """Create the file with every page never written (page_lsn 0), synced."""
        data_file = cls(store, name=name, n_pages=n_pages, page_size=page_size)
        store.create(name, HEADER_SIZE + n_pages * page_size)
        header = bytearray(HEADER_SIZE)
        _FILE_HEADER.pack_into(header, 0, MAGIC, VERSION, page_size, n_pages)
        _U32.pack_into(header, HEADER_SIZE - 4, crc32c(header[: HEADER_SIZE - 4]))
        store.write(name, 0, bytes(header))
        store.fsync(name)
        return data_file

    @classmethod
    def open(cls, store: Store, name: str = "redospec.ibd") -> DataFile:
        """Open an existing data file, validating its header and size."""
        if not store.exists(name):
            raise DataFileError(f"data file {name} is missing")
        header = store.read(name, 0, HEADER_SIZE)
        if len(header) < HEADER_SIZE:
            raise DataFileError(f"data file {name} is truncated: {len(header)}-byte header")
        stored = _U32.unpack_from(header, HEADER_SIZE - 4)[0]
        if stored != crc32c(header[: HEADER_SIZE - 4]):
            raise DataFileError(f"data file {name}: header checksum mismatch at offset 0")
        magic, version, page_size, n_pages = _FILE_HEADER.unpack_from(header, 0)
        if magic != MAGIC or version != VERSION:
            raise DataFileError(f"data file {name}: not a redospec data file (magic {magic!r})")
        expected = HEADER_SIZE + n_pages * page_size
        size = store.size(name)
        if size < expected:
            raise DataFileError(f"data file {name} is truncated: {size} bytes, expected {expected}")
        return cls(store, name=name, n_pages=n_pages, page_size=page_size)

    def _offset(self, page_no: int) -> int:
        if not 0 <= page_no < self.n_pages:
            raise DataFileError(f"page {page_no} outside 0..{self.n_pages - 1} of {self.name}")
        return HEADER_SIZE + page_no * self.page_size

    def read_page(self, page_no: int) -> tuple[int, bytes]:
        """``(page_lsn, payload)`` of page ``page_no``; ``(0, b"")`` if never written."""
        offset = self._offset(page_no)
        raw = self.store.read(self.name, offset, self.page_size)
        if len(raw) != self.page_size:
            raise DataFileError(f"{self.name} is truncated at page {page_no} (offset {offset})")
        if not any(raw):
            return 0, b""
        stored = _U32.unpack_from(raw, self.page_size - 4)[0]
        if stored != crc32c(raw[: self.page_size - 4]):
            raise PageCorrupt(self.name, page_no, offset, "checksum mismatch (torn write?)")
        page_lsn, length = PAGE_HEADER.unpack_from(raw, 0)
        if length > self.max_payload:
            raise PageCorrupt(self.name, page_no, offset, f"payload length {length} too large")
        start = PAGE_HEADER.size
        return page_lsn, bytes(raw[start : start + length])

    def write_page(self, page_no: int, page_lsn: int, payload: bytes) -> None:
        """Write page ``page_no`` with ``page_lsn`` and ``payload`` (not synced)."""
        offset = self._offset(page_no)
        if len(payload) > self.max_payload:
            raise DataFileError(
                f"payload of {len(payload)} bytes exceeds page {page_no}'s {self.max_payload}"
            )
        raw = bytearray(self.page_size)
        PAGE_HEADER.pack_into(raw, 0, page_lsn, len(payload))
        raw[PAGE_HEADER.size : PAGE_HEADER.size + len(payload)] = payload
        _U32.pack_into(raw, self.page_size - 4, crc32c(raw[: self.page_size - 4]))
        self.store.write(self.name, offset, bytes(raw))

    def fsync(self) -> None:
        """Make every page write so far durable."""
        self.store.fsync(self.name)
