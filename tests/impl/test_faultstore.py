"""Unit tests of impl.faultstore: lost unsynced writes, torn writes, EIO fsync, crash at I/O k.

These are the fault model the crash tests of RC-4 rely on: anything synced survives, anything
unsynced may be lost, and a torn write keeps a prefix of whole 512-byte sectors.
"""

from __future__ import annotations

import errno
import itertools
import random

import pytest

from impl.faultstore import FaultStore, SimulatedCrash
from impl.logfiles import LogFiles
from impl.storage import StorageError


def test_unsynced_writes_are_lost() -> None:
    store = FaultStore()
    store.create("f", 1024)
    store.fsync("f")
    store.write("f", 0, b"A" * 512)
    store.fsync("f")
    store.write("f", 512, b"B" * 512)
    assert store.read("f", 0, 1024) == b"A" * 512 + b"B" * 512  # reads see the page cache
    after = store.crash()
    assert after.read("f", 0, 1024) == b"A" * 512 + bytes(512)
    assert store.read("f", 512, 512) == b"B" * 512  # the original store is unchanged


def test_unsynced_create_vanishes() -> None:
    store = FaultStore()
    store.create("new", 512)
    store.write("new", 0, b"x" * 512)
    assert not store.crash().exists("new")


def test_torn_write_keeps_sector_prefix() -> None:
    """A torn 4-sector write survives as 0..4 whole sectors, never a partial sector."""
    seen = set()
    for seed in range(40):
        store = FaultStore()
        store.create("f", 4 * 512)
        store.fsync("f")
        store.write("f", 0, b"\x11" * 2048)
        after = store.crash(torn=True, rng=random.Random(seed))
        data = after.read("f", 0, 2048)
        kept = len(data.rstrip(b"\x00"))
        assert kept % 512 == 0
        assert data[:kept] == b"\x11" * kept
        seen.add(kept // 512)
    assert seen == {0, 1, 2, 3, 4}


def test_only_last_unsynced_write_is_torn() -> None:
    store = FaultStore()
    store.create("f", 2048)
    store.fsync("f")
    store.write("f", 0, b"\x01" * 512)
    store.write("f", 1024, b"\x02" * 1024)
    for seed in range(10):
        data = store.crash(torn=True, rng=random.Random(seed)).read("f", 0, 2048)
        assert data[:1024] == bytes(1024)  # the earlier unsynced write is lost entirely


def test_fail_fsync_raises_eio_and_syncs_nothing() -> None:
    store = FaultStore()
    store.create("f", 512)
    store.fsync("f")
    store.write("f", 0, b"z" * 512)
    store.fail_fsync = True
    with pytest.raises(OSError) as info:
        store.fsync("f")
    assert isinstance(info.value, StorageError) and info.value.errno == errno.EIO
    assert store.crash().read("f", 0, 512) == bytes(512)
    assert not store.fail_fsync  # only the next fsync fails
    store.fsync("f")
    assert store.crash().read("f", 0, 512) == b"z" * 512


def test_crash_at_kth_io() -> None:
    """on_io sees every I/O before it happens; raising there stops at exactly that I/O."""
    ops: list[tuple[str, str]] = []

    def hook(op: str, name: str, offset: int, length: int) -> None:
        ops.append((op, name))
        if len(ops) == 3:
            raise SimulatedCrash(f"crash at I/O 3 ({op} {name})")

    store = FaultStore()
    store.on_io = hook
    store.create("f", 512)
    store.write("f", 0, b"a" * 512)
    with pytest.raises(SimulatedCrash):
        store.fsync("f")
    assert ops == [("create", "f"), ("write", "f"), ("fsync", "f")]
    assert store.io_count == 3
    assert not store.crash().exists("f")  # the fsync never happened


def test_rename_is_durable_and_logfiles_work_on_it() -> None:
    """FMT-11 on the fault store: after create(), the group survives a crash intact."""
    store = FaultStore()
    files = LogFiles.create(store, n_files=2, file_size=8192)
    files.write(8192 + 512, b"\x05" * 512)  # unsynced
    after = store.crash()
    assert after.names() == ["ib_logfile0", "ib_logfile1"]
    reopened = LogFiles.open(after)
    assert reopened.read_checkpoints()[0].lsn == 8204
    assert reopened.read(8192 + 512, 512) == bytes(512)


def test_missing_file_errors() -> None:
    store = FaultStore()
    with pytest.raises(StorageError, match="no such file"):
        store.read("nope", 0, 1)


def test_keep_probability_persists_unsynced_writes_out_of_order() -> None:
    """A disk may persist any subset of unsynced writes: with probability 1 all survive, and
    with 0.5 some seeds keep a later write while losing an earlier one."""
    store = FaultStore()
    store.create("f", 2048)
    store.fsync("f")
    for i in range(4):
        store.write("f", i * 512, bytes([i + 1]) * 512)
    assert store.crash(keep_probability=1.0).read("f", 0, 2048) == b"".join(
        bytes([i + 1]) * 512 for i in range(4)
    )
    holes = 0
    for seed in range(30):
        data = store.crash(keep_probability=0.5, rng=random.Random(seed)).read("f", 0, 2048)
        kept = [data[i * 512] != 0 for i in range(4)]
        holes += any(not a and b for a, b in itertools.pairwise(kept))
    assert holes > 0
