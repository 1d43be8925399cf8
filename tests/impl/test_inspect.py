"""Tests of impl.inspect on the real fixtures and on synthetic files of formats 0..6.

Expected figures come from shared/fixtures/README.md and from how the synthetic files are built
(redofiles.py, written from redo-files-facts.md), never from the inspector's own output.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from impl.inspect import InspectError, inspect_file, inspect_path
from impl.inspect_text import format_human
from tests.impl import redofiles as rf

MIB = 1 << 20


def test_fixture_8_0_19_group(fixtures_dir: Path) -> None:
    """The fixture README's figures for mysql-8.0.19-clean (FMT-3..12 on real bytes)."""
    file0, file1 = inspect_path(fixtures_dir / "mysql-8.0.19-clean")
    assert (file0.format, file0.creator, file0.start_lsn) == (3, "MySQL 8.0.19", 16777216)
    cp1, cp2 = file0.checkpoints
    assert (cp1["valid"], cp1["checkpoint_no"], cp1["lsn"], cp1["offset"], cp1["buf_size"]) == (
        True, 36, 19948536, 3173368, 16777216)  # fmt: skip
    assert (cp2["valid"], cp2["checkpoint_no"], cp2["lsn"], cp2["offset"]) == (
        True, 37, 19948816, 3173648)  # fmt: skip
    assert cp1["offset_consistent"] and cp2["offset_consistent"]
    assert file0.blocks["data"] == 8179
    assert file0.blocks["partial"] == 1
    assert file0.blocks["flush_bit"] == 1318
    assert file0.blocks["bad_checksum"] == file0.blocks["hdr_no_mismatch"] == 0
    assert file0.problems_total == 0
    assert (file1.format, file1.start_lsn) == (3, 12584960)
    assert file1.blocks["data"] == 8188
    assert file1.blocks["bad_checksum"] == file1.blocks["hdr_no_mismatch"] == 0
    assert file1.checkpoints == []  # FMT-12: checkpoints only in the first file


def test_fixture_8_0_30(fixtures_dir: Path) -> None:
    """The fixture README's figures for #ib_redo33 (format 6)."""
    (report,) = inspect_path(fixtures_dir / "mysql-8.0.30-redo")
    assert (report.format, report.start_lsn, report.flags) == (6, 108075008, 0)
    assert sorted(cp["lsn"] for cp in report.checkpoints) == [111201949, 111202108]
    assert all(cp["valid"] for cp in report.checkpoints)
    assert report.blocks["data"] == 6108
    assert report.blocks["partial"] == 1
    assert report.blocks["flush_bit"] == 0
    assert report.problems_total == 0


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_format_6_with_no_checkpoint_slot_and_corruption(tmp_path: Path) -> None:
    """Format 6: lsn-0 slot is 'no checkpoint'; bad checksum and hdr_no mismatch are listed."""
    start = 10 * MIB
    blocks = [rf.data_block(6, start + i * 512) for i in range(10)]
    blocks.append(rf.data_block(6, start + 10 * 512, data_len=100, frg=40))
    bad = bytearray(blocks[3])
    bad[300] ^= 1
    blocks[3] = bytes(bad)
    blocks[5] = rf.data_block(6, start + 99 * 512)  # hdr_no of another position
    cps = (rf.checkpoint(6, 0, 0, 0), rf.checkpoint(6, 0, start + 700, 0))
    data = rf.build(6, start, blocks, 64 * 1024, cps, creator="MySQL 8.0.41", flags=8, uuid=7)
    report = inspect_file(write(tmp_path, "#ib_redo5", data))
    assert (report.format, report.flags, report.log_uuid, report.creator) == (
        6,
        8,
        7,
        "MySQL 8.0.41",
    )
    slot1, slot2 = report.checkpoints
    assert not slot1["valid"] and slot1["checksum_ok"] and slot1["note"].startswith("no checkpoint")
    assert slot2["valid"] and slot2["lsn"] == start + 700 and slot2["offset"] == 2048 + 700
    assert report.blocks["data"] == 10  # block 5 is not data
    assert (report.blocks["full"], report.blocks["partial"]) == (9, 1)
    assert report.blocks["empty"] == (64 * 1024 - 2048) // 512 - 11
    assert (report.blocks["bad_checksum"], report.blocks["hdr_no_mismatch"]) == (1, 1)
    kinds = {(p["kind"], p["offset"], p["lsn"]) for p in report.problems}
    assert kinds == {
        ("bad_checksum", 2048 + 3 * 512, start + 3 * 512),
        ("hdr_no_mismatch", 2048 + 5 * 512, start + 5 * 512),
    }
    assert report.write_heads == [
        {"offset": 2048 + 10 * 512, "lsn": start + 10 * 512, "data_len": 100, "first_rec_group": 40}
    ]
    assert "FILE_FULL" in format_human(report)


@pytest.mark.parametrize("fmt", [1, 2, 3, 4, 5])
def test_formats_1_to_5_with_padding_and_flush_bits(tmp_path: Path, fmt: int) -> None:
    """5.7.9..8.0.29 layout: CRC-32C blocks, write-ahead padding blocks are not corruption."""
    start = 8192 + 512 * 40
    blocks = [rf.data_block(fmt, start + i * 512, flush=i % 3 == 0) for i in range(6)]
    blocks.append(rf.data_block(fmt, start + 6 * 512, data_len=35, frg=35))
    blocks += [rf.padding_block(fmt)] * 9
    cps = (rf.checkpoint(fmt, 4, start + 100, 2048 + 100), rf.checkpoint(fmt, 5, start + 200, 2148))
    # slot 2's offset is wrong on purpose: lsn start+200 is at 2248
    data = rf.build(fmt, start, blocks, 32 * 1024, cps, creator="MySQL 5.7.30", flags=1)
    report = inspect_file(write(tmp_path, "ib_logfile0", data))
    assert report.format == fmt and report.flags == 1
    assert [cp["checkpoint_no"] for cp in report.checkpoints] == [4, 5]
    assert all(cp["valid"] for cp in report.checkpoints)
    assert [cp["offset_consistent"] for cp in report.checkpoints] == [True, False]
    b = report.blocks
    assert (b["data"], b["full"], b["partial"], b["padding"], b["flush_bit"]) == (7, 6, 1, 9, 2)
    assert b["empty"] == (32 * 1024 - 2048) // 512 - 16
    assert report.problems_total == 0


def test_circular_group_older_lap_is_data(tmp_path: Path) -> None:
    """A wrapped ib_logfile group: blocks after the head belong to the previous lap (data)."""
    size = 16 * 1024
    fcap = size - 2048
    capacity = 2 * fcap
    n = fcap // 512
    lap2 = 8192 + capacity  # file0 re-entered at the second lap
    head = 5
    blocks0 = [rf.data_block(3, lap2 + i * 512) for i in range(head)]
    blocks0.append(rf.data_block(3, lap2 + head * 512, data_len=200))
    blocks0 += [rf.data_block(3, 8192 + i * 512) for i in range(head + 1, n)]  # first lap
    cps = (rf.checkpoint(3, 8, lap2 + 20, 2048 + 20), bytes(512))
    (tmp_path / "ib_logfile0").write_bytes(rf.build(3, lap2, blocks0, size, cps, creator="x"))
    blocks1 = [rf.data_block(3, 8192 + fcap + i * 512) for i in range(n)]
    (tmp_path / "ib_logfile1").write_bytes(rf.build(3, 8192 + fcap, blocks1, size, creator="x"))
    file0, file1 = inspect_path(tmp_path)
    assert file0.blocks["data"] == n and file0.blocks["other_lap"] == n - head - 1
    assert file0.blocks["partial"] == 1 and file0.problems_total == 0
    assert file0.checkpoints[1]["note"] == "never written" and not file0.checkpoints[1]["valid"]
    assert file1.blocks["data"] == n and file1.problems_total == 0
    # a block half a lap away fits no lap: a mismatch
    raw = bytearray((tmp_path / "ib_logfile1").read_bytes())
    raw[2048 : 2048 + 512] = rf.data_block(3, 8192 + fcap + fcap // 2 // 512 * 512)
    (tmp_path / "ib_logfile1").write_bytes(bytes(raw))
    file1 = inspect_path(tmp_path / "ib_logfile1")[0]
    assert file1.blocks["hdr_no_mismatch"] == 1 and file1.blocks["data"] == n - 1
    assert file1.problems[0]["lsn"] == 8192 + fcap


def test_format_0_legacy(tmp_path: Path) -> None:
    """5.6 layout: start_lsn @4, fold checkpoints, fold-sum blocks, padding with checksum 1."""
    start = 8704
    blocks = [rf.data_block(0, start + i * 512, flush=i == 0) for i in range(4)]
    blocks.append(rf.data_block(0, start + 4 * 512, data_len=300))
    blocks += [rf.padding_block(0)] * 3
    cps = (rf.checkpoint(0, 4, start + 900, 2048 + 900), rf.checkpoint(0, 3, start + 50, 2098))
    (tmp_path / "ib_logfile0").write_bytes(rf.build(0, start, blocks, 16 * 1024, cps))
    (tmp_path / "ib_logfile1").write_bytes(bytes(16 * 1024))
    file0, file1 = inspect_path(tmp_path)
    assert (file0.format, file0.start_lsn) == (0, start)
    assert [(cp["checkpoint_no"], cp["lsn"], cp["valid"]) for cp in file0.checkpoints] == [
        (4, start + 900, True), (3, start + 50, True)]  # fmt: skip
    assert all(cp["offset_consistent"] for cp in file0.checkpoints)
    b = file0.blocks
    assert (b["data"], b["partial"], b["padding"], b["flush_bit"]) == (5, 1, 3, 1)
    assert file0.problems_total == 0
    assert file1.format == 0 and file1.blocks["data"] == 0 and file1.problems_total == 0
    # a CRC-32C block in a format-0 file is a checksum failure; a torn checkpoint too
    raw = bytearray((tmp_path / "ib_logfile0").read_bytes())
    raw[2048 : 2048 + 512] = rf.data_block(3, start)
    raw[512 + 10] ^= 1
    (tmp_path / "ib_logfile0").write_bytes(bytes(raw))
    file0 = inspect_path(tmp_path)[0]
    assert file0.blocks["bad_checksum"] == 1
    assert not file0.checkpoints[0]["valid"]
    assert {p["kind"] for p in file0.problems} == {"bad_checksum", "checkpoint_checksum"}


def test_problem_list_is_capped_but_counted(tmp_path: Path) -> None:
    start = 8192
    blocks = []
    for i in range(30):
        block = bytearray(rf.data_block(6, start + i * 512))
        block[100] ^= 1
        blocks.append(bytes(block))
    report = inspect_file(write(tmp_path, "#ib_redo0", rf.build(6, start, blocks, 32 * 1024)))
    assert report.blocks["bad_checksum"] == 30 and report.problems_total == 30
    assert len(report.problems) == 20


def test_input_errors(tmp_path: Path) -> None:
    """Unusable input raises InspectError with a one-line message naming the path."""
    with pytest.raises(InspectError, match="no such file"):
        inspect_path(tmp_path / "missing")
    with pytest.raises(InspectError, match="shorter than the 2048-byte header"):
        inspect_file(write(tmp_path, "ib_logfile0", bytes(1000)))
    bad = bytearray(rf.build(3, 8192, [], 8192))
    bad[0:4] = b"\x00\x00\x00\x09"
    with pytest.raises(InspectError, match="unknown redo log format 9"):
        inspect_file(write(tmp_path, "weird", bytes(bad)))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InspectError, match="no redo log files"):
        inspect_path(empty)


def test_datadir_with_innodb_redo(tmp_path: Path, fixtures_dir: Path) -> None:
    """A datadir is resolved through its #innodb_redo directory."""
    redo = tmp_path / "#innodb_redo"
    redo.mkdir()
    (redo / "#ib_redo33").write_bytes(
        (fixtures_dir / "mysql-8.0.30-redo" / "#ib_redo33").read_bytes()
    )
    (redo / "#ib_redo34_tmp").write_bytes(bytes(64 * 1024))
    real, spare = inspect_path(tmp_path)
    assert real.blocks["data"] == 6108
    assert spare.format is None and spare.problems_total == 0 and spare.blocks["data"] == 0


def test_files_written_by_impl_are_clean(tmp_path: Path) -> None:
    """The log files impl writes (LogFiles + blocks laid out as the design says) inspect clean."""
    from impl.logfiles import LogFiles
    from impl.records import Record
    from impl.storage import DirStore
    from tests.impl.minilog import MiniLog

    files = LogFiles.create(DirStore(tmp_path), n_files=2, file_size=16 * 1024)
    log = MiniLog(files)
    for i in range(40):
        log.append([Record(i % 5, b"v" * (50 + i * 7))])
        if i % 7 == 0:
            log.write()
            files.write_checkpoint(i + 1, log.groups[-1][0], 1 << 20)
    log.write()
    reports = inspect_path(tmp_path)
    assert [r.format for r in reports] == [3, 3]
    assert all(r.problems_total == 0 for r in reports)
    assert sum(r.blocks["partial"] for r in reports) == 1
    assert sum(r.blocks["data"] for r in reports) == (log.lsn - 8192 + 511) // 512


def test_files_left_by_the_threaded_pipeline_are_clean(tmp_path: Path) -> None:
    """What RedoLog leaves behind (wrapped, with checkpoints) inspects clean and
    recovers to the last committed payload of every page (RC-4)."""
    import random

    from impl.config import LogConfig
    from impl.records import Record
    from impl.recovery import recover
    from impl.redolog import RedoLog

    config = LogConfig(file_size=64 * 1024, n_files=2, n_pages=16, page_size=512,
                       checkpoint_every_ms=5, page_cleaner_every_ms=5)  # fmt: skip
    log = RedoLog.create(tmp_path, config)
    rng = random.Random(3)
    last: dict[int, bytes] = {}
    for i in range(400):
        records = [Record(rng.randrange(16), bytes([i % 256]) * rng.randrange(1, 300))
                   for _ in range(rng.choice([1, 2, 3]))]  # fmt: skip
        log.commit(records)
        for record in records:
            last[record.page_no] = record.payload
    log.close()
    reports = inspect_path(tmp_path)
    assert [r.format for r in reports] == [3, 3]
    assert all(r.problems_total == 0 for r in reports), [r.problems for r in reports]
    assert all(cp["valid"] for cp in reports[0].checkpoints)
    assert sum(r.blocks["data"] for r in reports) > 200  # the log wrapped (2 x 124 blocks)
    report = recover(tmp_path)
    assert {no: report.pages[no][1] for no in last} == last
