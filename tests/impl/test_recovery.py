"""Tests of impl.recovery (RC-1..4) on logs laid out by the independent MiniLog writer."""

from __future__ import annotations

import random
import struct

import pytest

from impl import format as fmt
from impl.datafile import DataFile
from impl.faultstore import FaultStore, SimulatedCrash
from impl.logfiles import LogFiles
from impl.records import Record
from impl.recovery import CorruptLogBlock, NoValidCheckpoint, RecoveryError, recover
from tests.impl.minilog import MiniLog

FILE_SIZE = 16 * 1024
FCAP = FILE_SIZE - 2048


def fresh(n_files: int = 2, n_pages: int = 8) -> tuple[FaultStore, LogFiles, DataFile]:
    store = FaultStore()
    files = LogFiles.create(store, n_files=n_files, file_size=FILE_SIZE)
    data = DataFile.create(store, n_pages=n_pages, page_size=1024)
    return store, files, data


def rec(page: int, text: str) -> Record:
    return Record(page, text.encode())


def test_replays_every_whole_group() -> None:
    """RC-4: every durable group is applied; page_lsn becomes the group's end lsn."""
    store, files, _ = fresh()
    log = MiniLog(files)
    _, end1 = log.append([rec(1, "one"), rec(2, "two")])
    _, end2 = log.append([rec(1, "uno")])
    log.write()
    report = recover(store)
    assert report.checkpoint.lsn == 8204 and report.checkpoint.slot == 1
    assert report.pages[1] == (end2, b"uno")
    assert report.pages[2] == (end1, b"two")
    assert report.pages[3] == (0, b"")
    assert (report.groups_applied, report.groups_skipped, report.records_applied) == (2, 0, 3)
    assert report.end_lsn == end2
    assert report.stop_reason == "incomplete block"
    assert report.stop_lsn == end2 // 512 * 512
    # the data file now holds the pages: a second recovery applies nothing
    again = recover(store)
    assert again.groups_applied == 0 and again.groups_already_on_pages == 2
    assert DataFile.open(store).read_page(1) == (end2, b"uno")


def test_uses_newer_valid_checkpoint_and_skips_groups_before_it() -> None:
    """RC-1 and RC-3: the larger checkpoint_no wins; a group starting before it is not applied."""
    store, files, _ = fresh()
    log = MiniLog(files)
    g1 = log.append([rec(1, "a" * 100)])
    g2 = log.append([rec(2, "b" * 700)])  # spans blocks
    g3 = log.append([rec(3, "c")])
    log.write()
    inside_g2 = g2[0] + 300
    files.write_checkpoint(1, g1[1], 0)
    files.write_checkpoint(2, inside_g2, 0)
    files.fsync_checkpoint()
    report = recover(store)
    assert (report.checkpoint.checkpoint_no, report.checkpoint.lsn) == (2, inside_g2)
    assert report.start_lsn <= g2[0]
    assert report.pages[2] == (0, b"")  # started before the checkpoint: not applied
    assert report.pages[3] == (g3[1], b"c")
    assert report.groups_applied == 1 and report.groups_skipped >= 1


def test_checkpoint_block_without_group_start_searches_forward() -> None:
    """RC-3, facts §8.3: first_rec_group 0 in the checkpoint's block: parse from a later block."""
    store, files, _ = fresh()
    log = MiniLog(files)
    big = log.append([rec(1, "x" * 1500)])  # covers whole blocks with no group start
    after = log.append([rec(2, "after")])
    log.write()
    cp_lsn = big[0] + 800
    cp_block = cp_lsn // 512 * 512
    assert fmt.get_first_rec_group(files.read(cp_block, 512)) == 0
    files.write_checkpoint(1, cp_lsn, 0)
    report = recover(store)
    assert report.start_lsn == after[0]
    assert report.pages[2] == (after[1], b"after")
    assert report.pages[1] == (0, b"")


def test_incomplete_group_is_not_applied() -> None:
    """RC-4: a group whose tail never reached disk is not applied, not even partly."""
    store, files, _ = fresh()
    log = MiniLog(files)
    g1 = log.append([rec(1, "kept")])
    g2 = log.append([rec(2, "lost-tail"), rec(3, "y" * 600)])
    log.write()
    # the tail of g2 (its last block) never reached disk: zero it
    last_block = (g2[1] - 1) // 512 * 512
    name, offset = files.position(last_block)
    store.write(name, offset, bytes(512))
    report = recover(store)
    assert report.pages[1] == (g1[1], b"kept")
    assert report.pages[2] == (0, b"") and report.pages[3] == (0, b"")
    assert report.incomplete_group_lsn == g2[0]
    assert report.stop_reason == "empty block" and report.end_lsn == g1[1]


def test_stops_at_old_lap() -> None:
    """RC-2: after wrapping, the block after the write head belongs to the previous lap."""
    store, files, _ = fresh(n_pages=4)
    log = MiniLog(files)
    page = 0
    while log.lsn < 8192 + files.capacity + 600:
        log.append([rec(page % 4, f"p{page}" * 20)])
        page += 1
        if log.lsn // 512 * 512 >= log.written_to + 2048:
            log.write()
            files.write_checkpoint(1 + page, log.groups[-1][0], 0)
    # finish exactly at a block end, and write only up to that boundary, so the block after
    # the head is still the previous lap's
    while log.lsn % 512 != 12:
        room = 508 - log.lsn % 512
        log.append([rec(0, "z" * (room - 9 if room >= 9 else 50))])
    boundary = log.lsn - 12
    log.write(upto=boundary)
    cp_lsn = log.groups[-3][0]
    files.write_checkpoint(10_000, cp_lsn, 0)
    report = recover(store)
    assert report.stop_reason == "hdr_no mismatch"
    assert report.stop_lsn == boundary
    assert fmt.block_no(boundary) != fmt.parse_block(files.read(boundary, 512)).hdr_no
    assert report.end_lsn == log.lsn
    replayed = {
        r.page_no: (end, r.payload)
        for start, end, recs in log.groups
        if start >= cp_lsn
        for r in recs
    }
    assert replayed
    for page_no, expected in replayed.items():
        assert report.pages[page_no] == expected


def test_stops_at_bad_checksum() -> None:
    """RC-2: a block with a bad checksum ends the scan; nothing after it is applied."""
    store, files, _ = fresh()
    log = MiniLog(files)
    g1 = log.append([rec(1, "a" * 600)])
    g2 = log.append([rec(2, "b" * 600)])
    log.write()
    bad = g2[0] // 512 * 512 + 512
    name, offset = files.position(bad)
    raw = bytearray(store.read(name, offset, 512))
    raw[200] ^= 0xFF
    store.write(name, offset, bytes(raw))
    report = recover(store)
    assert (report.stop_reason, report.stop_lsn, report.stop_file, report.stop_offset) == (
        "bad checksum",
        bad,
        name,
        offset,
    )
    assert report.pages[1] == (g1[1], b"a" * 600)
    assert report.pages[2] == (0, b"")


def test_page_newer_than_record_is_kept() -> None:
    """RC-4: records older than the page's page_lsn are not replayed."""
    store, files, data = fresh()
    log = MiniLog(files)
    g1 = log.append([rec(1, "old"), rec(2, "old2")])
    log.write()
    data.write_page(1, g1[1] + 1000, b"newer")
    data.fsync()
    report = recover(store)
    assert report.pages[1] == (g1[1] + 1000, b"newer")
    assert report.pages[2] == (g1[1], b"old2")


def test_same_page_twice_in_one_group() -> None:
    """Both records of one group are applied in order (judged against page_lsn before it)."""
    store, files, _ = fresh()
    log = MiniLog(files)
    _, end = log.append([rec(1, "first"), rec(1, "second")])
    log.write()
    assert recover(store).pages[1] == (end, b"second")


def test_no_valid_checkpoint() -> None:
    """RC-1: both checkpoint blocks broken is an error naming the file and offsets."""
    store, _files, _ = fresh()
    store.write("ib_logfile0", 512, bytes(512))
    with pytest.raises(NoValidCheckpoint, match=r"ib_logfile0.*512 and 1536"):
        recover(store)


def test_impossible_data_len_is_corruption() -> None:
    """A block with a valid checksum but data_len 5 is corruption, not an end of log."""
    store, files, _ = fresh()
    log = MiniLog(files)
    log.append([rec(1, "a" * 700)])
    log.write()
    block = bytearray(files.read(8192 + 512, 512))
    struct.pack_into(">H", block, 4, 5)
    fmt.seal_block(block)
    files.write(8192 + 512, bytes(block))
    with pytest.raises(
        CorruptLogBlock, match=r"ib_logfile0 at offset 2560 \(lsn 8704\): impossible data_len 5"
    ):
        recover(store)


def test_torn_page_rebuilt_or_reported() -> None:
    """A torn page is rebuilt from its record after the checkpoint, else RecoveryError."""
    store, files, data = fresh()
    log = MiniLog(files)
    _, end = log.append([rec(1, "rebuilt")])
    log.write()
    for page_no in (1, 2):
        data.write_page(page_no, 5, b"q" * 200)
        raw = bytearray(store.read("redospec.ibd", 512 + page_no * 1024, 1024))
        raw[100] ^= 1
        store.write("redospec.ibd", 512 + page_no * 1024, bytes(raw))
    with pytest.raises(RecoveryError, match=r"pages \[2\] are corrupt"):
        recover(store)
    data.write_page(2, 5, b"fine")
    report = recover(store)
    assert report.torn_pages == [1] and report.pages[1] == (end, b"rebuilt")


@pytest.mark.parametrize(("torn", "keep"), [(False, 0.0), (True, 0.0), (True, 0.5)])
def test_crash_at_every_io(torn: bool, keep: float) -> None:
    """RC-4 under the fault store: crash at every I/O of a scripted run of writes and fsyncs.

    After recovery every group that ended at or below the last completed fsync is present and
    no group is applied partly: each page equals some group's whole record or is untouched.
    """
    rng = random.Random(7)
    script = [
        [
            rec(rng.randrange(6), f"g{i}-" + "x" * rng.randrange(1, 400))
            for _ in range(rng.choice([1, 2, 3]))
        ]
        for i in range(12)
    ]

    def run(store: FaultStore, synced: list[int]) -> MiniLog:
        files = LogFiles.create(store, n_files=2, file_size=FILE_SIZE)
        DataFile.create(store, n_pages=6, page_size=512)
        log = MiniLog(files)
        for i, group in enumerate(script):
            log.append(group)
            if i % 3 == 2:
                log.write()
                synced.append(log.lsn)
        return log

    total = FaultStore()
    full = run(total, [])
    n_ios = total.io_count
    for k in range(1, n_ios + 1):
        store = FaultStore()
        synced: list[int] = []

        def hook(
            op: str, name: str, offset: int, length: int, k: int = k, store: FaultStore = store
        ) -> None:
            if store.io_count == k:
                raise SimulatedCrash(k)

        store.on_io = hook
        with pytest.raises(SimulatedCrash):
            run(store, synced)
        after = store.crash(torn=torn, rng=random.Random(k), keep_probability=keep)
        if not after.exists("ib_logfile0") or not after.exists("redospec.ibd"):
            continue  # crashed during creation: no log yet
        report = recover(after)
        durable = synced[-1] if synced else 0
        expected: dict[int, tuple[int, bytes]] = {}
        for _, end, records in full.groups:
            if end <= durable:
                for r in records:
                    expected[r.page_no] = (end, r.payload)
        possible = {(end, r.page_no, r.payload) for _, end, recs in full.groups for r in recs}
        for page_no, (page_lsn, payload) in report.pages.items():
            if page_lsn == 0:
                assert page_no not in expected, f"crash at I/O {k}: page {page_no} lost"
                continue
            assert (page_lsn, page_no, payload) in possible, f"I/O {k}: invented page {page_no}"
            if page_no in expected:
                assert page_lsn >= expected[page_no][0], f"I/O {k}: page {page_no} went back"
        # a group is all or nothing: pages of one group carry its end lsn together
        for _, end, recs in full.groups:
            lsns = {report.pages[r.page_no][0] >= end for r in recs}
            assert len(lsns) == 1 or end <= durable, f"I/O {k}: group ending {end} split"
