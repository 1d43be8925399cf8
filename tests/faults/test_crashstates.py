"""Part 1 of the campaign: crash states (RC-1..RC-4, FL-1, CP-6), with teeth."""

from __future__ import annotations

import pytest

from faults import crashstates
from faults.common import Deadline, Group, Oracle, Tally
from faults.simdisk import MemStore, Op
from impl.datafile import DataFile
from impl.records import Record
from impl.recovery import recover
from impl.redolog import RedoLog


def test_every_crash_state_of_a_small_workload_recovers_every_acknowledged_commit() -> None:
    """RC-4, FL-1: a few hundred distinct crash states, none losing or mangling a commit."""
    tally = Tally()
    seeds = 0
    while tally.crash_states < 200 and seeds < 8:   # group commit may batch a run into few ops
        crashstates.run(tally, commits=25, threads=2, seed=3 + seeds, max_states=400,
                        deadline=Deadline(60))
        seeds += 1
    assert tally.failures == []
    assert tally.crash_states >= 200
    assert tally.notes["crash_commits"] == 25 * seeds


def test_variants_include_prefixes_drops_and_torn_sectors() -> None:
    """The builder makes the states the module text promises: a 3-sector write torn at both
    inner boundaries keeping its head or its tail, and each pending write dropped alone."""
    disk = crashstates._Disk()
    disk.apply(Op("create", "f", 1, size=2048))
    disk.apply(Op("fsync", "f", 1))
    disk.apply(Op("write", "f", 1, offset=0, data=b"a" * 100))
    last = Op("write", "f", 1, offset=512, data=b"b" * 1536)
    disk.apply(last)
    import random

    states = list(crashstates.variants(disk, last, random.Random(1), cap=8))
    images = {(kind, bytes(img["f"])) for kind, img in states}
    zeros = bytes(2048)
    assert ("none", zeros) in images
    full = b"a" * 100 + bytes(412) + b"b" * 1536
    assert ("all", full) in images
    assert ("drop", zeros[:512] + b"b" * 1536) in images  # the earlier write lost alone
    head1 = b"a" * 100 + bytes(412) + b"b" * 512 + bytes(1024)
    tail2 = b"a" * 100 + bytes(412) + bytes(512) + b"b" * 1024
    assert ("torn", head1) in images and ("torn", tail2) in images


def test_teeth_a_log_that_acknowledges_without_fsync_loses_commits(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Seeded bug: the flusher 'fsyncs' nothing, so commits are acknowledged while still in the
    page cache; the crash states where the OS kept none of it lose them (FL-1)."""
    monkeypatch.setattr(RedoLog, "fsync_log_files", lambda self: None)
    tally = Tally()
    crashstates.run(tally, commits=12, threads=2, seed=1, max_states=150, deadline=Deadline(60))
    assert tally.acknowledged_lost > 0


def test_teeth_a_recovery_that_applies_a_group_after_the_end_is_caught() -> None:
    """Seeded bug: recovery also applies one record of a group after the recovered lsn (a group
    after a gap, RC-4); the judge must call it a partial group."""
    def bad_recover(store: MemStore) -> object:
        report = recover(store)
        datafile = DataFile.open(store)
        datafile.write_page(0, report.end_lsn + 100, b"invented")
        return report

    tally = Tally()
    crashstates.run(tally, commits=10, threads=2, seed=2, max_states=60, deadline=Deadline(60),
                    recover_fn=bad_recover)
    assert tally.partial_groups_applied > 0


def test_oracle_is_the_prefix_state() -> None:
    """The oracle, from the groups alone: the newest record at or before the lsn."""
    oracle = Oracle([Group(300, (Record(1, b"b"),)),
                     Group(200, (Record(1, b"a"), Record(2, b"x")))], 100)
    assert oracle.page_at(1, 250) == (200, b"a")
    assert oracle.page_at(1, 300) == (300, b"b")
    assert oracle.page_at(2, 199) == (0, b"")
