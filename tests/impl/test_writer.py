"""Unit tests of the log writer in stepped mode (WR-1..WR-9, facts §4).

Expected values are computed by hand from the design text and MySQL's facts (sn->lsn
translation of facts §2.2: ``lsn = sn // 496 * 512 + sn % 496 + 12``; the write decision of
facts §4.4), never read back from the writer. The small configuration: 512-byte blocks,
1 KiB write-ahead regions (two blocks), 16 KiB files (14 KiB = 28 blocks of data each), a
4 KiB log buffer, 8 event slots. The log starts at lsn 8204, in block 16 (lsn 8192), which
sits at offset 2048 of ib_logfile0.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from impl.config import LogConfig
from impl.faultstore import FaultStore
from impl.format import FLUSH_BIT, crc32c, parse_block
from impl.records import Record, encode_group
from impl.redolog import Handle, RedoLog


def lsn_of(sn: int) -> int:
    """facts §2.2, written out independently of impl.format."""
    return sn // 496 * 512 + sn % 496 + 12


START_SN = 16 * 496  # lsn 8204


def make(**changes: Any) -> tuple[FaultStore, RedoLog]:
    store = FaultStore()
    log = RedoLog.create(store, LogConfig.small(**changes), threads=False, trace=True)
    return store, log


def group(log: RedoLog, size: int, byte: int = 0x11) -> Handle:
    """A user thread's steps for one group of ``size`` bytes (USR-1..USR-3)."""
    h = log.user_reserve(size)
    assert log.user_copy_to_log_buffer(h, bytes([byte]) * size)
    log.user_set_first_rec_group(h)
    assert log.user_add_recent_written_link(h)
    return h


def block_at(store: FaultStore, name: str, offset: int) -> bytes:
    return store.read(name, offset, 512)


def test_first_write_pads_the_write_ahead_region() -> None:
    """WR-4, WR-6 (nothing written ahead, write inside one region): the incomplete block goes
    through the write-ahead buffer, zero-filled, and the region is padded with zeros."""
    store, log = make()
    h = group(log, 100)
    assert h.end_lsn == lsn_of(START_SN + 100) == 8304
    assert log.writer.step()
    assert log.write_lsn == 8304
    c = log.counters()
    assert (c["partial_block_writes"], c["full_block_writes"]) == (1, 0)
    assert c["write_ahead_padding_bytes"] == 512  # region [2048, 3072): one block of padding
    raw = block_at(store, "ib_logfile0", 2048)
    hdr = parse_block(raw)
    assert hdr.hdr_no == 8192 // 512 + 1 and hdr.flush_bit  # FMT-3, FMT-4
    assert hdr.data_len == 8304 - 8192 == 112  # FMT-5
    assert hdr.first_rec_group == 12  # FMT-6: the first group starts right after the header
    assert hdr.checkpoint_no == 1  # FMT-7: the next checkpoint's number (checkpoint 0 exists)
    assert int.from_bytes(raw[508:], "big") == crc32c(raw[:508])  # FMT-8
    assert raw[12:112] == b"\x11" * 100 and raw[112:508] == bytes(396)
    assert block_at(store, "ib_logfile0", 2560) == bytes(512)  # the padding
    assert log.writer.write_ahead_end_offset == 3072


def test_incomplete_block_is_rewritten_inside_the_written_ahead_region() -> None:
    """WR-4, WR-6 (the whole write is below the write-ahead end): rewrite the same block from
    its start, no padding; the flush bit marks it as the first block of the write."""
    store, log = make()
    group(log, 100)
    log.writer.step()
    h = group(log, 50)
    assert h.end_lsn == 8354
    assert log.writer.step()
    assert log.write_lsn == 8354
    c = log.counters()
    assert c["partial_block_writes"] == 2 and c["write_ahead_padding_bytes"] == 512
    hdr = parse_block(block_at(store, "ib_logfile0", 2048))
    assert hdr.data_len == 162 and hdr.flush_bit
    assert log.writer.last_decision["size"] == 512


def test_complete_blocks_go_from_the_log_buffer_and_the_tail_waits() -> None:
    """WR-3, WR-6 (inside the region, complete blocks): write only the complete blocks, from
    the log buffer; the incomplete last block is the next, partial, write."""
    store, log = make()
    group(log, 100)
    log.writer.step()  # write_lsn 8304, written ahead up to offset 3072
    h = group(log, 480)  # sn 8036 + 480 = 8516 -> lsn 17 * 512 + 84 + 12 = 8800
    assert h.end_lsn == lsn_of(START_SN + 580) == 8800
    assert log.writer.step()
    assert log.write_lsn == 8704  # the block boundary: only block 16 was complete
    assert log.writer.last_decision["from_log_buffer"]
    assert log.counters()["full_block_writes"] == 1
    first = parse_block(block_at(store, "ib_logfile0", 2048))
    assert first.data_len == 512 and first.flush_bit
    assert log.writer.step()
    assert log.write_lsn == 8800
    second = parse_block(block_at(store, "ib_logfile0", 2560))
    assert second.hdr_no == 18 and second.flush_bit and second.data_len == 8800 - 8704
    # WR-5 / USR-2: the group ending in block 17 set its first_rec_group, the writer kept it
    assert second.first_rec_group == 8800 - 8704


def test_write_beyond_the_region_is_limited_to_whole_blocks_up_to_its_end() -> None:
    """WR-6 (nothing written ahead, more than one region): write the complete blocks up to the
    region boundary from the log buffer and postpone the rest."""
    store, log = make()
    h = group(log, 1500)
    assert h.end_lsn == lsn_of(START_SN + 1500) == 9752
    assert log.writer.step()
    assert log.write_lsn == 9216 and log.writer.last_decision["case"] == "limited_to_region"
    assert log.writer.last_decision["size"] == 1024
    b16 = parse_block(block_at(store, "ib_logfile0", 2048))
    b17 = parse_block(block_at(store, "ib_logfile0", 2560))
    assert b16.flush_bit and not b17.flush_bit  # FMT-4: only the first block of a write
    assert b17.first_rec_group == 0  # no group starts in block 17
    assert log.writer.step()  # from offset 3072: nothing ahead, padded region [3072, 4096)
    assert log.write_lsn == 9752
    d = log.writer.last_decision
    assert (d["offset"], d["size"], d["padding"]) == (3072, 1024, 0)
    b19 = parse_block(block_at(store, "ib_logfile0", 3584))
    assert b19.data_len == 9752 - 9728 and not b19.flush_bit
    assert b19.first_rec_group == 24  # USR-2: the group ends in block 19


def test_write_partly_written_ahead_stops_at_the_write_ahead_end() -> None:
    """WR-6 (written ahead, but not far enough): write up to the write-ahead end only."""
    _, log = make()
    group(log, 100)
    log.writer.step()  # written ahead to offset 3072
    h = group(log, 1200)
    assert h.end_lsn == lsn_of(START_SN + 1300) == 9536
    assert log.writer.step()
    d = log.writer.last_decision
    assert d["case"] == "up_to_write_ahead_end" and (d["offset"], d["size"]) == (2048, 1024)
    assert log.write_lsn == 9216
    assert log.writer.step()
    d = log.writer.last_decision
    assert (d["offset"], d["size"], d["padding"]) == (3072, 1024, 512)
    assert log.write_lsn == 9536


def test_first_rec_group_beyond_the_written_data_is_cleared_in_the_write() -> None:
    """WR-4 (copy_to_write_ahead_buffer): an incomplete block's first_rec_group that points
    beyond data_len is written as 0, so recovery never parses unwritten bytes."""
    store, log = make()
    group(log, 100)
    log.buffer.block(8192)[6:8] = (300).to_bytes(2, "big")
    log.writer.step()
    assert parse_block(block_at(store, "ib_logfile0", 2048)).first_rec_group == 0
    assert log.buffer.block(8192)[6:8] == (300).to_bytes(2, "big")  # the buffer is untouched


def test_traversal_stops_after_write_max_size() -> None:
    """WR-1: traversal stops before following a link starting write_max_size or more beyond
    write_lsn; the ready lsn may overshoot the limit by one link."""
    _, log = make(write_max_size=1024, recent_written_size=4096)
    a, b, c = group(log, 600), group(log, 600), group(log, 600)
    assert a.start_lsn == 8204 and b.start_lsn - 8204 < 1024 <= c.start_lsn - 8204
    assert log.writer.traverse_links()
    assert log.buf_ready_for_write_lsn == b.end_lsn == c.start_lsn


def test_a_write_never_crosses_the_end_of_the_ring_buffer() -> None:
    """facts §4.2: a write ends at the ring's end at the latest."""
    _, log = make(write_ahead_size=4096)
    while log.current_lsn < 3 * 4096 + 8192:
        group(log, 300)
        while log.writer.step():
            pass
        log.flusher.step()
    writes = log.trace.of("writer_write") if log.trace else []
    assert writes
    ring = 4096
    for ev in writes:
        old, new = ev.values["write_lsn"]
        assert (old - old % 512) // ring == (new - 1) // ring, ev


def run_until(log: RedoLog, lsn: int, *, checkpoints: bool, size: int = 400) -> None:
    for i in range(10_000):
        if log.write_lsn >= lsn:
            return
        h = log.user_reserve(size)
        page = i % log.bufpool.n_pages
        data = encode_group([Record(page, bytes(size - 9))])
        assert len(data) == size
        while not log.user_copy_to_log_buffer(h, data):
            progressed = log.writer.step() | log.flusher.step()
            if checkpoints:
                progressed |= log.step_all()
            if not progressed:
                return
        log.user_set_first_rec_group(h)
        assert log.user_add_recent_written_link(h)
        while not log.user_add_dirty_pages(h, [Record(page, bytes(size - 9))]):
            assert log.closer is not None and log.closer.step()
        assert log.user_add_recent_closed_link(h)
        log.writer.step()
        log.flusher.step()


def test_a_write_crossing_a_file_end_is_split() -> None:
    """WR-9, FMT-9: the first file holds lsn [8192, 22528); no write crosses offset 16384,
    the next write starts at offset 2048 of ib_logfile1, with nothing written ahead there."""
    _, log = make(n_pages=128, page_size=512)
    run_until(log, 24000, checkpoints=True)
    writes = log.trace.of("writer_write") if log.trace else []
    for ev in writes:
        assert ev.values["offset"] + ev.values["size"] <= 16384
    first_in_file1 = next(ev for ev in writes if ev.values["file"] == "ib_logfile1")
    assert first_in_file1.values["offset"] == 2048
    assert first_in_file1.values["write_lsn"][0] == 22528  # the split ended exactly there
    assert first_in_file1.values["write_ahead_end_offset"][0] == 0  # decision 10


def test_writer_never_overwrites_what_the_checkpoint_needs() -> None:
    """WR-9, SYS-4: without checkpoints the writer stops at align_down(8204) + capacity less
    one write-ahead region = 8192 + 2 * 14336 - 1024 = 35840 (MySQL's lsn_capacity_for_writer
    keeps a safety margin), and goes on once a checkpoint moves.

    Every group modifies another page: a page modified again after the limit could not be
    flushed (CP-6) and would hold the checkpoint back for ever; RedoLog.commit's free check
    (facts §7.7) prevents that situation, the stepped user steps here do not."""
    _, log = make(n_pages=128, page_size=512)
    run_until(log, 40000, checkpoints=False)
    assert log.write_lsn <= 35840 < log.buf_ready_for_write_lsn + 512
    assert not log.writer.write()
    assert log.counters()["writer_checkpoint_limited"] > 0
    assert log.sync_flush_requested  # it asked the page cleaner and checkpointer for space
    before = log.write_lsn
    for _ in range(200):
        log.step_all()
    assert log.checkpoint_lsn > 8204 and log.write_lsn > before


def _reset_events(log: RedoLog) -> None:
    for e in log.write_events.events:
        e.reset()
    log.write_notifier_event.reset()


def test_advance_inside_one_block_sets_the_slot_directly() -> None:
    """WR-8: old // 512 == (new - 1) // 512 -> the writer sets the slot's event itself."""
    _, log = make()
    group(log, 100)
    _reset_events(log)
    log.writer.step()  # 8204 -> 8304, both in block 16
    assert log.write_events.events[16 % 8].is_set()
    assert not log.write_notifier_event.is_set()


def test_advance_of_exactly_s_blocks_wakes_the_notifier() -> None:
    """WR-8, decision 3 (MySQL Bug #114660): from block 16 to block 24 the slots coincide
    (16 & 7 == 24 & 7 == 0) but nine blocks advanced: the notifier must be woken."""
    _, log = make(write_ahead_size=16384, log_buffer_size=16384, write_max_size=16384,
                  file_size=64 * 1024)
    size = (24 * 496 + 100) - START_SN  # ends at lsn 24 * 512 + 112
    h = group(log, size)
    assert h.end_lsn == 24 * 512 + 112
    _reset_events(log)
    assert log.writer.step()
    assert log.write_lsn == h.end_lsn
    assert log.write_notifier_event.is_set()
    assert not any(e.is_set() for e in log.write_events.events)  # nothing set directly
    assert log.write_notifier.step()
    assert all(e.is_set() for e in log.write_events.events)  # blocks 16..24 cover all 8 slots


def test_checksums_off_writes_the_magic() -> None:
    """FMT-8: with checksums disabled the trailer is 0xDEADBEEF."""
    store, log = make(checksums=False)
    group(log, 10)
    log.writer.step()
    raw = block_at(store, "ib_logfile0", 2048)
    assert raw[508:] == bytes.fromhex("DEADBEEF")
    assert int.from_bytes(raw[:4], "big") == FLUSH_BIT | 17


def test_group_ending_exactly_at_a_block_end_sets_next_blocks_first_rec_group() -> None:
    """USR-2: a group ending exactly at a block's last data byte counts as ending after the
    next block's header: first_rec_group of the next block is 12."""
    store, log = make()
    h = group(log, 496)  # lsn 8204..8699 are block 16's data bytes; 8700 is its trailer
    assert h.end_lsn == 8704 + 12
    h2 = group(log, 20)
    assert h2.start_lsn == 8716
    while log.writer.step():
        pass
    b17 = parse_block(block_at(store, "ib_logfile0", 2560))
    assert b17.first_rec_group == 12 and b17.data_len == 8736 - 8704


@settings(max_examples=40, deadline=None)
@given(sizes=st.lists(st.integers(1, 1300), min_size=1, max_size=18),
       schedule=st.lists(st.integers(0, 3), min_size=1, max_size=60),
       wa=st.sampled_from([512, 1024, 2048]))
def test_files_hold_exactly_the_groups_in_innodb_format(sizes: list[int], schedule: list[int],
                                                        wa: int) -> None:
    """FMT-3..8, USR-2, WR-3..7, WR-9: whatever the group sizes and however the writer's steps
    interleave with the users', the files end up holding every group byte in order, each block
    with hdr_no = lsn // 512 % 2^30 + 1, data_len 512 (or the used bytes of the last block),
    first_rec_group = the first group boundary in the block (0 if none), a valid CRC-32C, the
    flush bit exactly on the first block of the write that wrote it last; and every write ends
    inside the written-ahead region or on a region boundary (WR-6)."""
    _, log = make(write_ahead_size=wa, recent_written_size=4096)
    payload = bytearray()
    boundaries = {8204}
    rng_bytes = iter(range(10**9))
    steps = iter(schedule * 50)
    for size in sizes:
        data = bytes((next(rng_bytes) * 7 + 1) % 251 for _ in range(size))
        h = log.user_reserve(size)
        while not log.user_copy_to_log_buffer(h, data):
            assert log.writer.step()
        log.user_set_first_rec_group(h)
        while not log.user_add_recent_written_link(h):
            assert log.writer.step()
        payload += data
        boundaries.add(h.end_lsn)
        for _ in range(next(steps, 0)):
            log.writer.step()
    while log.writer.step():
        pass
    end = log.write_lsn
    assert end == max(boundaries)
    assert end - 8192 < log.files.capacity  # no wrap: every block is still in the files
    # the data stream
    raw = log.files.read(8192, -(-end // 512) * 512 - 8192)
    stream = b"".join(raw[i + 12 : i + 508] for i in range(0, len(raw), 512))
    assert stream[: len(payload)] == bytes(payload)
    # last writer of each block, from the trace
    assert log.trace is not None
    first_block_of_last_write: dict[int, bool] = {}
    for ev in log.trace.of("writer_write"):
        start = ev.values["write_lsn"][0] // 512 * 512
        old_wa, _ = ev.values["write_ahead_end_offset"]
        off, size = ev.values["offset"], ev.values["size"]
        assert off + size <= old_wa or (off + size) % wa == 0 or (off + size) % 16384 == 0, ev
        for k in range((ev.values["write_lsn"][1] - start + 511) // 512):
            first_block_of_last_write[start // 512 + k] = k == 0
    for i in range(0, len(raw), 512):
        lsn = 8192 + i
        hdr = parse_block(raw[i : i + 512])
        assert hdr.hdr_no == lsn // 512 % 2**30 + 1
        full = lsn + 512 <= end
        assert hdr.data_len == (512 if full else end - lsn)
        starts = [b % 512 for b in boundaries if b // 512 == lsn // 512]
        assert hdr.first_rec_group == (min(starts) if starts else 0), (lsn, starts)
        assert hdr.checksum_ok and hdr.checksum == crc32c(raw[i : i + 508])
        assert hdr.flush_bit == first_block_of_last_write[lsn // 512], lsn


def test_write_ahead_region_must_leave_room_in_the_capacity() -> None:
    """WR-9: the writer keeps one write-ahead region of the capacity free, so a region of
    more than half the capacity is refused with an error naming the field."""
    import pytest

    from impl.errors import ConfigError

    with pytest.raises(ConfigError, match="write_ahead_size"):
        LogConfig.small(file_size=4096, n_files=1, write_ahead_size=2048)


def test_try_user_reserve_refuses_past_the_free_check_margin() -> None:
    """CP-5, WR-9: ``try_user_reserve`` admits a group only while its end plus one write-ahead
    region and a block stays below the checkpoint's block one lap later (8192 + capacity);
    past that it returns None and reserves nothing."""
    from impl.format import sn_to_lsn

    _, log = make()
    limit = 8192 + log.files.capacity
    ends = []
    while True:
        handle = log.try_user_reserve(400)
        if handle is None:
            break
        ends.append(handle.end_lsn)
    assert ends and ends[-1] + 1024 + 512 <= limit
    sn = log.sn
    assert sn_to_lsn(sn + 400) + 1024 + 512 > limit
    assert log.try_user_reserve(400) is None and log.sn == sn
