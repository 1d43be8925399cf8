"""The visited set: full states, or 64-bit fingerprints as TLC keeps them.

A full-state store is a ``dict`` from state to id: exact, but it keeps every state alive
(about 800 bytes per state of the redo model's ``tiny``). A fingerprint store keeps only a
64-bit fingerprint of each visited state (the model's ``fingerprint(s)`` if it has one, else
``hash(s)``) in an open-addressing table of two flat arrays, ``array('Q')`` fingerprints and
``array('I')`` ids: about 20-30 bytes per state whatever the state's size. Two distinct states
with the same fingerprint would make the search skip the second one; :func:`collision_probability`
gives the usual estimate of that risk (TLC prints the same figure).

The counterexample of a fingerprint search is rebuilt by re-execution: each state keeps its
parent's id and the id of the label that reached it (:mod:`engine.counterexample`).
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Callable
from typing import Any

MASK64 = (1 << 64) - 1

FINGERPRINT_BITS = 61
"""Bits of entropy assumed in a fingerprint. Python's ``hash`` is 64 bits wide for tuples, but
numbers (and the redo model's incremental state hash) hash modulo 2**61 - 1; the estimate uses
the smaller range, so it is on the safe side."""

AUTO_FINGERPRINTS_ABOVE = 1_000_000
"""The default store switches from full states to fingerprints once this many states are
visited (at the next level boundary): below it the exact store costs at most about 1 GB for the
redo model (about 800 bytes per state) and keeps counterexamples instant."""


def collision_probability(n: int, bits: int = FINGERPRINT_BITS) -> float:
    """The probability that two of ``n`` distinct states share a fingerprint, for fingerprints
    uniform over ``2**bits`` values: about ``n * (n - 1) / 2 / 2**bits`` (TLC's optimistic
    estimate has the same form with 64 bits)."""
    return min(1.0, n * (n - 1) / 2 / float(1 << bits))


def fingerprint_function(model: Any) -> Callable[[Any], int]:
    """The model's ``fingerprint(s) -> int`` if it declares one, else ``hash``; either way
    reduced to 64 bits (never 0, the table's empty mark)."""
    fp = getattr(model, "fingerprint", None)
    base: Callable[[Any], int] = fp if callable(fp) else hash

    def fingerprint(s: Any) -> int:
        return (base(s) & MASK64) or 1

    return fingerprint


class FingerprintTable:
    """An open-addressing hash table from a 64-bit fingerprint (never 0) to a 32-bit id.

    Linear probing over ``keys`` (``array('Q')``, 0 = empty) and ``ids`` (``array('I')``),
    grown to twice the size when more than 5/8 full, so between 5/16 and 5/8 of the slots
    are used: 12 bytes per slot, about 20-38 bytes per stored fingerprint.
    """

    __slots__ = ("count", "ids", "keys", "limit", "mask")

    def __init__(self, capacity: int = 1 << 10) -> None:
        size = 1 << max(4, (capacity - 1).bit_length())
        self.keys = array("Q", bytes(8 * size))
        self.ids = array("I", bytes(4 * size))
        self.mask = size - 1
        self.count = 0
        self.limit = size * 5 // 8

    def __len__(self) -> int:
        return self.count

    def get(self, fp: int) -> int:
        """The id stored for ``fp``, or -1."""
        keys = self.keys
        mask = self.mask
        slot = fp & mask
        while True:
            k = keys[slot]
            if k == fp:
                return self.ids[slot]
            if k == 0:
                return -1
            slot = (slot + 1) & mask

    def add(self, fp: int, new_id: int) -> int:
        """The id stored for ``fp`` if it is there; else store ``new_id`` for it and return
        -1 (one probe sequence for the lookup and the insertion)."""
        keys = self.keys
        mask = self.mask
        slot = fp & mask
        while True:
            k = keys[slot]
            if k == fp:
                return self.ids[slot]
            if k == 0:
                break
            slot = (slot + 1) & mask
        keys[slot] = fp
        self.ids[slot] = new_id
        self.count += 1
        if self.count > self.limit:
            self._grow()
        return -1

    def _grow(self) -> None:
        old_keys, old_ids = self.keys, self.ids
        size = 2 * len(old_keys)
        keys = array("Q", bytes(8 * size))
        ids = array("I", bytes(4 * size))
        mask = size - 1
        for slot, k in enumerate(old_keys):
            if k:
                s = k & mask
                while keys[s]:
                    s = (s + 1) & mask
                keys[s] = k
                ids[s] = old_ids[slot]
        self.keys, self.ids, self.mask, self.limit = keys, ids, mask, size * 5 // 8

    def nbytes(self) -> int:
        """Bytes held by the two arrays."""
        return sys.getsizeof(self.keys) + sys.getsizeof(self.ids)


def nbytes(*objs: Any) -> int:
    """Bytes held by flat containers (arrays, bytearrays, lists of shared objects)."""
    return sum(sys.getsizeof(o) for o in objs)
