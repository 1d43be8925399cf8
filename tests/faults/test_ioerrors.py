"""Part 2 of the campaign: an I/O error at every call (FL-1, RC-4, SYS-3), with teeth."""

from __future__ import annotations

import errno

import pytest

from faults import ioerrors
from faults.common import Deadline, Tally
from faults.simdisk import SimDisk
from impl.redolog import RedoLog


def test_errors_at_every_third_call_lose_nothing_and_fail_cleanly() -> None:
    """FL-1, RC-4, SYS-3: an error at every third call: LogFailed, no loss, no hang."""
    tally = Tally()
    ioerrors.run(tally, commits=12, threads=3, seed=1, deadline=Deadline(90), stride=3)
    assert tally.failures == []
    assert tally.io_errors_injected >= 20
    assert tally.notes["io_runs_done"] == tally.notes["io_runs_planned"]


def test_simdisk_drops_pages_on_a_failed_fsync() -> None:
    """FL-1, fsyncgate: after a failed fsync its pending writes are gone, even if a retry
    succeeds."""
    disk = SimDisk()
    disk.create("f", 1024)
    disk.fsync("f")
    disk.write("f", 0, b"x" * 512)
    disk.inject = ("fsync", 2, "EIO")
    with pytest.raises(OSError) as info:
        disk.fsync("f")
    assert info.value.errno == errno.EIO
    disk.fsync("f")  # the retry "succeeds"
    assert disk.read("f", 0, 1) == b"x"  # the page cache still shows it
    assert disk.crash_image()["f"][:1] == b"\0"  # but the disk never got it


def test_short_write_stores_whole_sectors_then_fails() -> None:
    """A short write keeps the whole sectors of its first half, then ENOSPC."""
    disk = SimDisk()
    disk.create("f", 4096)
    disk.inject = ("write", 1, "short")
    with pytest.raises(OSError) as info:
        disk.write("f", 512, b"y" * 2048)
    assert info.value.errno == errno.ENOSPC
    assert disk.read("f", 512, 2048) == b"y" * 1024 + bytes(1024)


def test_teeth_retrying_a_failed_fsync_loses_acknowledged_commits(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """FL-1 seeded bug (PostgreSQL before 2018): the flusher retries a failed fsync and trusts the
    retry. The disk dropped the pages, so acknowledged commits are lost."""
    def retrying(self: RedoLog) -> None:
        try:
            self.files.fsync()
        except OSError:
            self.files.fsync()

    monkeypatch.setattr(RedoLog, "fsync_log_files", retrying)
    tally = Tally()
    clean = ioerrors.script(tally, "clean", None, commits=12, threads=2, seed=1)
    for n in range(3, clean.calls["fsync"] + 1):
        ioerrors.script(tally, f"fsync #{n}", ("fsync", n, "EIO"), commits=12, threads=2,
                        seed=1)
    assert tally.acknowledged_lost > 0
