"""A fault-injecting, crash-simulating :class:`~impl.storage.Store` held in memory.

Every file has two images: the *volatile* one (what reads see: the page cache) and the *durable*
one (what survives a crash: the disk). A write changes the volatile image and is queued as
unsynced; ``fsync(name)`` copies the file's volatile image to its durable one. Then:

* :meth:`FaultStore.crash` returns a new store holding only the durable images: every unsynced
  write is lost. With ``torn=True`` the most recent unsynced write (over all files) survives as a
  random prefix of its 512-byte blocks, the way a disk tears a write at sector granularity.
* ``fail_fsync = True`` makes the next fsync raise ``OSError(EIO)`` without making anything
  durable (and the flag resets), as a failing device does.
* ``on_io(op, name, offset, length)`` runs before every operation (``read``, ``write``,
  ``fsync``, ``create``, ``rename``, ``remove``) and ``io_count`` counts them; a test raises
  :class:`SimulatedCrash` from ``on_io`` at the k-th I/O to stop the system exactly there, then
  calls :meth:`crash` to get the disk as it was.

``create`` is not durable until the file is synced; ``rename`` and ``remove`` are durable at
once (the directory is synced, as :class:`~impl.storage.DirStore` does).
"""

from __future__ import annotations

import errno
import random
import threading
from collections.abc import Callable

from impl.storage import StorageError

SECTOR = 512


class SimulatedCrash(Exception):
    """Raised from ``on_io`` by a test to make the system stop at a chosen I/O."""


class _File:
    """The two images of one file and its unsynced writes."""

    def __init__(self, volatile: bytearray, durable: bytearray | None) -> None:
        self.volatile = volatile
        self.durable = durable  # None: the file does not exist on disk (created, never synced)


class FaultStore:
    """An in-memory :class:`~impl.storage.Store` that can crash, tear writes and fail fsync."""

    def __init__(self) -> None:
        self._files: dict[str, _File] = {}
        # unsynced writes in issue order: (file object, offset, data); survives renames
        self._unsynced: list[tuple[_File, int, bytes]] = []
        self._lock = threading.RLock()
        self.fail_fsync = False
        self.on_io: Callable[[str, str, int, int], None] | None = None
        self.io_count = 0
        self.fsync_count = 0

    # ---------------------------------------------------------------------------- internals
    def _io(self, op: str, name: str, offset: int = 0, length: int = 0) -> None:
        with self._lock:
            self.io_count += 1
            hook = self.on_io
        if hook is not None:
            hook(op, name, offset, length)

    def _get(self, name: str, op: str) -> _File:
        file = self._files.get(name)
        if file is None:
            raise StorageError(errno.ENOENT, f"cannot {op} {name}: no such file")
        return file

    # ------------------------------------------------------------------------ Store protocol
    def exists(self, name: str) -> bool:
        with self._lock:
            return name in self._files

    def create(self, name: str, size: int) -> None:
        self._io("create", name, 0, size)
        with self._lock:
            old = self._files.get(name)
            file = _File(bytearray(size), old.durable if old is not None else None)
            self._files[name] = file
            if old is not None:
                self._unsynced = [w for w in self._unsynced if w[0] is not old]
                # the truncation itself is unsynced: the durable image keeps its old content

    def size(self, name: str) -> int:
        with self._lock:
            return len(self._get(name, "stat").volatile)

    def read(self, name: str, offset: int, length: int) -> bytes:
        self._io("read", name, offset, length)
        with self._lock:
            return bytes(self._get(name, "read").volatile[offset : offset + length])

    def write(self, name: str, offset: int, data: bytes) -> None:
        self._io("write", name, offset, len(data))
        with self._lock:
            file = self._get(name, "write")
            end = offset + len(data)
            if end > len(file.volatile):
                file.volatile.extend(bytes(end - len(file.volatile)))
            file.volatile[offset:end] = data
            self._unsynced.append((file, offset, bytes(data)))

    def fsync(self, name: str) -> None:
        self._io("fsync", name)
        with self._lock:
            file = self._get(name, "fsync")
            if self.fail_fsync:
                self.fail_fsync = False
                raise StorageError(errno.EIO, f"fsync of {name} failed: input/output error")
            file.durable = bytearray(file.volatile)
            self._unsynced = [w for w in self._unsynced if w[0] is not file]
            self.fsync_count += 1

    def rename(self, old: str, new: str) -> None:
        self._io("rename", old)
        with self._lock:
            file = self._get(old, "rename")
            del self._files[old]
            if file.durable is None:
                file.durable = bytearray(len(file.volatile))  # the entry is durable, data not
            self._files[new] = file

    def remove(self, name: str) -> None:
        self._io("remove", name)
        with self._lock:
            file = self._files.pop(name, None)
            if file is not None:
                self._unsynced = [w for w in self._unsynced if w[0] is not file]

    def names(self) -> list[str]:
        with self._lock:
            return sorted(self._files)

    def close(self) -> None:
        """Nothing to release; the store stays usable (tests read it after close)."""

    # -------------------------------------------------------------------------- fault model
    def unsynced_writes(self) -> int:
        """How many writes would be lost by a crash now."""
        with self._lock:
            return len(self._unsynced)

    def durable_bytes(self, name: str) -> bytes | None:
        """The bytes of ``name`` that would survive a crash now (None: the file would vanish)."""
        with self._lock:
            durable = self._get(name, "inspect").durable
            return None if durable is None else bytes(durable)

    def crash(
        self,
        *,
        torn: bool = False,
        rng: random.Random | None = None,
        keep_probability: float = 0.0,
    ) -> FaultStore:
        """A new store with the disk as a crash now would leave it; this store is unchanged.

        Unsynced writes are lost. With ``torn``, the last unsynced write keeps a random prefix
        of its 512-byte blocks (possibly none, possibly all). With ``keep_probability`` > 0,
        each earlier unsynced write independently reached the disk with that probability (a
        disk may persist unsynced writes in any order), which is harsher than losing them all.
        """
        rng = rng or random.Random()
        with self._lock:
            survivors = FaultStore()
            images: dict[int, bytearray] = {}
            for name, file in self._files.items():
                if file.durable is None:
                    continue
                image = bytearray(file.durable)
                images[id(file)] = image
                survivors._files[name] = _File(image, image)
            last = len(self._unsynced) - 1
            for i, (file, offset, data) in enumerate(self._unsynced):
                image_or_none = images.get(id(file))
                if image_or_none is None:
                    continue
                if i == last and torn:
                    n_blocks = -(-len(data) // SECTOR)
                    keep = min(len(data), rng.randint(0, n_blocks) * SECTOR)
                elif keep_probability > 0 and rng.random() < keep_probability:
                    keep = len(data)
                else:
                    continue
                end = offset + keep
                if end > len(image_or_none):
                    image_or_none.extend(bytes(end - len(image_or_none)))
                image_or_none[offset:end] = data[:keep]
            for survivor in survivors._files.values():
                survivor.volatile = bytearray(survivor.volatile)
            return survivors
