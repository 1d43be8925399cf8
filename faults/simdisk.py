"""A simulated disk for the fault campaign: an in-memory :class:`impl.storage.Store` that records
every operation, models what a crash keeps, and injects I/O errors.

Each file has a *volatile* image (what reads see: the page cache) and a *durable* one (what a
power failure keeps). A write changes the volatile image and is *pending* until the file is
fsynced. The semantics follow Linux as PostgreSQL learned it in 2018 ("fsyncgate"):

* ``fsync(name)`` that succeeds makes the file's pending writes durable;
* ``fsync(name)`` that fails drops them: the kernel has marked the pages clean, so they are
  neither durable nor pending any more, and a *later* fsync that succeeds does not bring them
  back. A log that retries a failed fsync and then trusts it acknowledges data that is gone;
  the campaign's recovery check catches that as an acknowledged commit lost.
* ``create`` is durable only once the file is fsynced or renamed; ``rename`` and ``remove`` are
  durable at once (``DirStore`` fsyncs the directory).

Every operation is appended to :attr:`SimDisk.ops` (``Op(kind, name, offset, data, size, new)``)
under one lock, atomically with its effect, so the crash-state builder
(:mod:`faults.crashstates`) can rebuild any state the OS could leave after any prefix of them.

Errors are injected with :attr:`SimDisk.inject`: ``(kind, n, error)`` fails the ``n``-th call of
``kind`` (``write``, ``fsync``, ``create``, ``rename``, ``read``) with ``error`` (``EIO``,
``ENOSPC`` or ``short``: a write that stores the whole sectors of its first half, then fails
with ENOSPC, as a ``pwrite`` loop meets a full disk). Injection is one-shot.

A short write stores whole 512-byte sectors only. The log rewrites its last, partial block in
place (as InnoDB does), so it relies on sector atomicity: a write cut *inside* a sector would
leave a block whose checksum fails where an acknowledged, durable block was, and the kernel's
writeback would eventually persist it. The campaign found this with byte-granular short writes;
a kernel copies into the page cache page by page, so it does not cut a write inside a sector.
"""

from __future__ import annotations

import errno
import threading
from collections.abc import Mapping

import attrs

from impl.storage import StorageError

SECTOR = 512
KINDS = ("write", "fsync", "create", "rename", "read")
ERRORS = {"write": ("EIO", "ENOSPC", "short"), "fsync": ("EIO", "ENOSPC"),
          "create": ("EIO", "ENOSPC"), "rename": ("EIO",), "read": ("EIO",)}


@attrs.frozen
class Op:
    """One recorded storage operation (``fid`` identifies the file object across renames)."""

    kind: str
    name: str
    fid: int
    offset: int = 0
    data: bytes = b""
    size: int = 0
    new: str = ""


class _File:
    def __init__(self, fid: int, size: int) -> None:
        self.fid = fid
        self.volatile = bytearray(size)
        self.durable: bytearray | None = None  # None: not on disk (created, never synced)
        self.size_at_create = size
        self.pending: list[tuple[int, bytes]] = []


class MemStore:
    """A plain in-memory :class:`~impl.storage.Store` (a crash image to recover from)."""

    def __init__(self, images: Mapping[str, bytes | bytearray] | None = None) -> None:
        self.files: dict[str, bytearray] = {k: bytearray(v) for k, v in (images or {}).items()}

    def _get(self, name: str) -> bytearray:
        try:
            return self.files[name]
        except KeyError:
            raise StorageError(errno.ENOENT, f"{name}: no such file") from None

    def exists(self, name: str) -> bool:
        return name in self.files

    def create(self, name: str, size: int) -> None:
        self.files[name] = bytearray(size)

    def size(self, name: str) -> int:
        return len(self._get(name))

    def read(self, name: str, offset: int, length: int) -> bytes:
        return bytes(self._get(name)[offset : offset + length])

    def write(self, name: str, offset: int, data: bytes) -> None:
        image = self._get(name)
        end = offset + len(data)
        if end > len(image):
            image.extend(bytes(end - len(image)))
        image[offset:end] = data

    def fsync(self, name: str) -> None:
        self._get(name)

    def rename(self, old: str, new: str) -> None:
        self.files[new] = self.files.pop(old)

    def remove(self, name: str) -> None:
        self.files.pop(name, None)

    def names(self) -> list[str]:
        return sorted(self.files)

    def close(self) -> None:
        """Nothing to release."""


class InjectedError(StorageError):
    """An I/O error the campaign injected (an ``OSError`` with a real errno)."""


class SimDisk:
    """The simulated disk (see the module text); implements :class:`impl.storage.Store`."""

    def __init__(self, *, record: bool = False) -> None:
        self._files: dict[str, _File] = {}
        self._lock = threading.RLock()
        self._next_fid = 0
        self.record = record
        self.ops: list[Op] = []
        self.calls = dict.fromkeys(KINDS, 0)
        self.inject: tuple[str, int, str] | None = None
        self.injected: tuple[str, int, str, str] | None = None  # (kind, n, error, file)
        self.fsyncs_after_failure = 0
        self.failed_fsync_files: set[str] = set()

    @classmethod
    def from_images(cls, images: Mapping[str, bytes | bytearray]) -> SimDisk:
        """A disk whose files are all durable with the given contents."""
        disk = cls()
        for name, data in images.items():
            file = disk._new_file(len(data))
            file.volatile[:] = data
            file.durable = bytearray(data)
            disk._files[name] = file
        return disk

    def _new_file(self, size: int) -> _File:
        self._next_fid += 1
        return _File(self._next_fid, size)

    def _get(self, name: str, op: str) -> _File:
        file = self._files.get(name)
        if file is None:
            raise StorageError(errno.ENOENT, f"cannot {op} {name}: no such file")
        return file

    def _maybe_fail(self, kind: str, name: str) -> str | None:
        """Count the call; return the error to inject now, if any (one-shot)."""
        self.calls[kind] += 1
        if self.inject is None:
            return None
        want_kind, n, error = self.inject
        if want_kind != kind or self.calls[kind] != n:
            return None
        self.inject = None
        self.injected = (kind, n, error, name)
        return error

    @staticmethod
    def _raise(error: str, kind: str, name: str) -> None:
        code = errno.ENOSPC if error in ("ENOSPC", "short") else errno.EIO
        raise InjectedError(code, f"injected {error} on {kind} of {name}")

    # ------------------------------------------------------------------------ Store protocol
    def exists(self, name: str) -> bool:
        with self._lock:
            return name in self._files

    def create(self, name: str, size: int) -> None:
        with self._lock:
            error = self._maybe_fail("create", name)
            if error is not None:
                self._raise(error, "create", name)
            file = self._new_file(size)
            self._files[name] = file
            if self.record:
                self.ops.append(Op("create", name, file.fid, size=size))

    def size(self, name: str) -> int:
        with self._lock:
            return len(self._get(name, "stat").volatile)

    def read(self, name: str, offset: int, length: int) -> bytes:
        with self._lock:
            error = self._maybe_fail("read", name)
            if error is not None:
                self._raise(error, "read", name)
            return bytes(self._get(name, "read").volatile[offset : offset + length])

    def write(self, name: str, offset: int, data: bytes) -> None:
        with self._lock:
            file = self._get(name, "write")
            error = self._maybe_fail("write", name)
            if error == "short":   # whole sectors only: the kernel copies no partial sector
                cut = offset + len(data) // 2
                data = data[: max(0, cut - cut % SECTOR - offset)]
            elif error is not None:
                self._raise(error, "write", name)
            data = bytes(data)
            end = offset + len(data)
            if end > len(file.volatile):
                file.volatile.extend(bytes(end - len(file.volatile)))
            file.volatile[offset:end] = data
            file.pending.append((offset, data))
            if self.record:
                self.ops.append(Op("write", name, file.fid, offset=offset, data=data))
            if error is not None:
                self._raise(error, "write", name)

    def fsync(self, name: str) -> None:
        with self._lock:
            file = self._get(name, "fsync")
            if self.failed_fsync_files:
                self.fsyncs_after_failure += 1
            error = self._maybe_fail("fsync", name)
            if error is not None:
                # fsyncgate: the kernel drops the dirty pages and reports the error once
                file.pending = []
                self.failed_fsync_files.add(name)
                if self.record:
                    self.ops.append(Op("fsync_failed", name, file.fid))
                self._raise(error, "fsync", name)
            base = file.durable if file.durable is not None else bytearray(file.size_at_create)
            for offset, data in file.pending:
                end = offset + len(data)
                if end > len(base):
                    base.extend(bytes(end - len(base)))
                base[offset:end] = data
            if file.durable is None and len(base) < len(file.volatile):
                base.extend(bytes(len(file.volatile) - len(base)))
            file.durable = base
            file.pending = []
            if self.record:
                self.ops.append(Op("fsync", name, file.fid))

    def rename(self, old: str, new: str) -> None:
        with self._lock:
            error = self._maybe_fail("rename", old)
            if error is not None:
                self._raise(error, "rename", old)
            file = self._get(old, "rename")
            del self._files[old]
            if file.durable is None:
                file.durable = bytearray(file.size_at_create)
            self._files[new] = file
            if self.record:
                self.ops.append(Op("rename", old, file.fid, new=new))

    def remove(self, name: str) -> None:
        with self._lock:
            file = self._files.pop(name, None)
            if self.record and file is not None:
                self.ops.append(Op("remove", name, file.fid))

    def names(self) -> list[str]:
        with self._lock:
            return sorted(self._files)

    def close(self) -> None:
        """Nothing to release; the disk stays readable."""

    # ---------------------------------------------------------------------------- crashing
    def op_count(self) -> int:
        with self._lock:
            return len(self.ops)

    def crash_image(self) -> dict[str, bytes]:
        """The files a power failure now would leave: durable images only."""
        with self._lock:
            return {name: bytes(f.durable) for name, f in self._files.items()
                    if f.durable is not None}
