"""Memo keys and caches of the properties (:mod:`spec.invariants`): states share unchanged
sub-records by identity, so memoising on them makes the expensive checks (recovery of every
crash image, the byte checks) cheap on the next state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spec.blocks import FileBlock
from spec.state import Files

_CACHE_LIMIT = 400_000


_BIG = 4096
"""Tuples longer than this (InnoDB's 32 Ki-block log buffer, ~98 Ki-block files) enter the
memo keys by identity (:class:`_Id`) instead of by value: Python does not cache a tuple's
hash, so hashing them by value cost about 2 ms per random-walk step. States of a walk share
unchanged fields by identity, so the memo still hits; small presets are keyed by value as
before (equal tuples built on different paths hit the same entry)."""


class _Id:
    """A memo-key component equal only to itself's object: hashes by ``id`` and keeps the
    object alive while the key is cached (so the id cannot be reused by another object)."""

    __slots__ = ("obj",)

    def __init__(self, obj: object) -> None:
        self.obj = obj

    def __hash__(self) -> int:
        return id(self.obj)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Id) and other.obj is self.obj


def _k(t: tuple[Any, ...]) -> Any:
    """``t`` as a memo-key component: by identity when it is big, by value otherwise."""
    return _Id(t) if len(t) > _BIG else t


def _kf(files: Files) -> Any:
    """A files view (one block tuple per file) as a memo-key component (see :func:`_k`)."""
    return tuple(_k(b) for b in files)


_written_cache: dict[Any, tuple[tuple[int, FileBlock], ...]] = {}


def _written(blocks: tuple[FileBlock | None, ...]) -> tuple[tuple[int, FileBlock], ...]:
    """The written blocks ``(index, block)`` of one file; big files' lists are cached by
    identity (a walk step changes at most one file, and scanning ~98 Ki entries costs ms)."""
    key = _k(blocks)
    got = _written_cache.get(key)
    if got is None:
        if len(_written_cache) > 256:
            _written_cache.clear()
        got = _written_cache[key] = tuple((i, b) for i, b in enumerate(blocks) if b is not None)
    return got


def _memo(cache: dict[Any, Any], key: Any, compute: Callable[[], Any]) -> Any:
    try:
        return cache[key]
    except KeyError:
        pass
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    v = compute()
    cache[key] = v
    return v
