"""All file I/O of the redo log goes through one small interface, :class:`Store`.

:class:`DirStore` is the real thing: files in a directory, ``pwrite`` and ``fsync``. Tests put a
fault-injecting store (:mod:`impl.faultstore`) under the same code to lose unsynced writes on a
crash, tear a write at 512-byte granularity, or fail an fsync with EIO.

Names are plain file names inside the store (``ib_logfile0``), never paths.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Protocol


class StorageError(OSError):
    """A file operation failed; the message names the file and the operation."""


class Store(Protocol):
    """The file operations the log needs, and nothing more."""

    def exists(self, name: str) -> bool:
        """True if the file ``name`` exists."""

    def create(self, name: str, size: int) -> None:
        """Create (or truncate) ``name`` as ``size`` zero bytes; not durable until fsync."""

    def size(self, name: str) -> int:
        """The size of ``name`` in bytes."""

    def read(self, name: str, offset: int, length: int) -> bytes:
        """``length`` bytes of ``name`` from ``offset`` (fewer at the end of the file)."""

    def write(self, name: str, offset: int, data: bytes) -> None:
        """Write ``data`` at ``offset``; it may be lost by a crash until :meth:`fsync`."""

    def fsync(self, name: str) -> None:
        """Make every write to ``name`` so far durable."""

    def rename(self, old: str, new: str) -> None:
        """Atomically rename ``old`` to ``new`` (replacing ``new``), durably."""

    def remove(self, name: str) -> None:
        """Delete ``name`` if it exists."""

    def names(self) -> list[str]:
        """The names of all files, sorted."""

    def close(self) -> None:
        """Release open handles."""


class DirStore:
    """A :class:`Store` over real files in ``directory`` (created if missing)."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._fds: dict[str, int] = {}
        self._lock = threading.Lock()

    def _path(self, name: str) -> Path:
        if "/" in name or name in ("", ".", ".."):
            raise StorageError(f"invalid file name {name!r}")
        return self.directory / name

    def _fd(self, name: str) -> int:
        with self._lock:
            fd = self._fds.get(name)
            if fd is None:
                try:
                    fd = os.open(self._path(name), os.O_RDWR)
                except OSError as exc:
                    where = self._path(name)
                    raise StorageError(exc.errno, f"cannot open {where}: {exc.strerror}") from exc
                self._fds[name] = fd
            return fd

    def _forget(self, name: str) -> None:
        with self._lock:
            fd = self._fds.pop(name, None)
        if fd is not None:
            os.close(fd)

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def create(self, name: str, size: int) -> None:
        self._forget(name)
        path = self._path(name)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.ftruncate(fd, size)
        finally:
            os.close(fd)

    def size(self, name: str) -> int:
        try:
            return self._path(name).stat().st_size
        except FileNotFoundError as exc:
            raise StorageError(exc.errno, f"{self._path(name)} does not exist") from exc

    def read(self, name: str, offset: int, length: int) -> bytes:
        return os.pread(self._fd(name), length, offset)

    def write(self, name: str, offset: int, data: bytes) -> None:
        fd = self._fd(name)
        view = memoryview(data)
        while view:
            written = os.pwrite(fd, view, offset)
            view = view[written:]
            offset += written

    def fsync(self, name: str) -> None:
        fd = self._fd(name)
        sync = getattr(os, "fdatasync", os.fsync)
        sync(fd)

    def rename(self, old: str, new: str) -> None:
        self._forget(old)
        self._forget(new)
        os.replace(self._path(old), self._path(new))
        dir_fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def remove(self, name: str) -> None:
        self._forget(name)
        with contextlib.suppress(FileNotFoundError):
            self._path(name).unlink()

    def names(self) -> list[str]:
        return sorted(p.name for p in self.directory.iterdir() if p.is_file())

    def close(self) -> None:
        with self._lock:
            fds, self._fds = list(self._fds.values()), {}
        for fd in fds:
            os.close(fd)
