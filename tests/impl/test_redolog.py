"""``RedoLog``: user operations (USR-1..USR-7), stepped interleavings, threads, reopen."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest

from impl.config import LogConfig
from impl.errors import LogClosed
from impl.faultstore import FaultStore
from impl.format import parse_block
from impl.records import Record, encode_group
from impl.recovery import recover
from impl.redolog import RedoLog


def lsn_of(sn: int) -> int:
    """facts §2.2, written out independently of impl.format."""
    return sn // 496 * 512 + sn % 496 + 12


def stepped(**changes: object) -> tuple[FaultStore, RedoLog]:
    store = FaultStore()
    return store, RedoLog.create(store, LogConfig.small(**changes), threads=False)  # type: ignore[arg-type]


def test_a_fresh_log_starts_at_the_first_data_byte_after_lsn_8192() -> None:
    """SYS-1 initially: every lsn value is LOG_START_LSN + 12 = 8204 (facts §2.1, §8.4)."""
    store, log = stepped()
    assert set(log.lsn_values().values()) == {8204}
    assert log.sn == 16 * 496
    assert {"ib_logfile0", "ib_logfile1", "redospec.ibd"} <= set(store.names())


def test_reservations_are_contiguous_in_sn_and_translated_to_lsn() -> None:
    """USR-1, FMT-2: consecutive reservations; lsn = sn_to_lsn of the sn bounds."""
    _, log = stepped()
    a = log.user_reserve(100)
    b = log.user_reserve(1000)
    assert (a.start_sn, a.end_sn, b.start_sn, b.end_sn) == (7936, 8036, 8036, 9036)
    assert (a.start_lsn, a.end_lsn) == (8204, lsn_of(8036))
    assert (b.start_lsn, b.end_lsn) == (lsn_of(8036), lsn_of(9036))
    assert log.current_lsn == lsn_of(9036)


def test_copy_waits_for_buffer_space_until_the_writer_frees_it() -> None:
    """SYS-4: a group may only be copied where the writer is done (one ring behind)."""
    _, log = stepped(log_buffer_size=4096, recent_written_size=4096, write_ahead_size=4096)
    first = log.user_reserve(2900)  # 8204 .. lsn_of(10836) = 11184
    second = log.user_reserve(1200)  # .. lsn_of(12036) = 12432, in the block at 12288
    assert (first.end_lsn, second.end_lsn) == (11184, 12432)
    # block 12288 is block 8192's place in the ring, and write_lsn (8204) is still in it
    assert log.user_copy_to_log_buffer(first, bytes(2900))
    assert not log.user_copy_to_log_buffer(second, bytes(1200))
    log.user_set_first_rec_group(first)
    assert log.user_add_recent_written_link(first)
    while log.writer.step():
        pass
    assert log.write_lsn == 11184
    assert log.user_copy_to_log_buffer(second, bytes(1200))


def test_links_and_dirty_pages_wait_for_space() -> None:
    """LNK-4, CP-3: no slot -> False (the blocking versions wait and count)."""
    _, log = stepped(recent_written_size=512, recent_closed_size=512)
    a = log.user_reserve(600)
    b = log.user_reserve(400)
    assert b.start_lsn == lsn_of(7936 + 600) == 8820 >= 8204 + 512  # beyond tail + capacity
    assert not log.user_add_recent_written_link(b)
    assert not log.user_add_dirty_pages(b, [Record(1, b"x")])
    assert log.user_copy_to_log_buffer(a, bytes(600))
    assert log.user_add_recent_written_link(a)
    log.writer.traverse_links()
    assert log.user_add_recent_written_link(b)
    assert log.user_add_dirty_pages(a, [Record(0, b"a")])
    assert log.user_add_recent_closed_link(a)
    assert log.closer is not None and log.closer.step()
    assert log.user_add_dirty_pages(b, [Record(1, b"b")])
    with pytest.raises(ValueError, match=r"9\.0 design"):
        log.user_report_added(a)


def test_first_rec_group_is_set_only_by_a_group_ending_in_a_later_block() -> None:
    """USR-2: start and end in one block -> no change; crossing -> end_lsn % 512."""
    _, log = stepped()
    a = log.user_reserve(50)
    assert not log.user_set_first_rec_group(a)
    b = log.user_reserve(600)
    log.user_copy_to_log_buffer(b, bytes(600))
    assert log.user_set_first_rec_group(b)
    assert parse_block(bytes(log.buffer.block(b.end_lsn))).first_rec_group == b.end_lsn % 512


def test_wait_protocol_steps() -> None:
    """USR-5..USR-7: reset, check, the writer advances and sets the slot, wake, re-check."""
    _, log = stepped()
    h = log.user_reserve(30)
    log.user_copy_to_log_buffer(h, bytes(30))
    log.user_add_recent_written_link(h)
    count = log.user_wait_reset_event(h.end_lsn, "write")
    assert not log.user_wait_check(h.end_lsn, "write")
    assert not log.user_wait_wake(h.end_lsn, "write", count)
    log.writer.step()  # one block: sets the slot directly (WR-8)
    assert log.user_wait_wake(h.end_lsn, "write", count)
    assert log.user_wait_check(h.end_lsn, "write")
    count = log.user_wait_reset_event(h.end_lsn, "flush")
    assert not log.user_wait_check(h.end_lsn, "flush")
    log.flusher.step()
    assert log.user_wait_wake(h.end_lsn, "flush", count) and log.user_wait_check(h.end_lsn)


def _check_invariants(log: RedoLog) -> None:
    v = log.lsn_values()
    # SYS-1
    assert (v["checkpoint_lsn"] <= v["flushed_to_disk_lsn"] <= v["write_lsn"]
            <= v["buf_ready_for_write_lsn"] <= v["current_lsn"]), v
    # SYS-2
    assert v["checkpoint_lsn"] <= max(v["dirty_pages_added_up_to_lsn"], 8204)
    for _, oldest, _ in log.bufpool.dirty_pages():
        assert v["checkpoint_lsn"] <= oldest, (v, oldest)
    # SYS-4: the buffer is not overwritten below write_lsn (a copy needs the space)
    assert log.write_lsn <= log.buf_ready_for_write_lsn


class Session:
    """One user thread's progress through its group (USR-1..USR-4), one step at a time."""

    STAGES = 5

    def __init__(self, log: RedoLog, records: list[Record]) -> None:
        self.log = log
        self.records = records
        self.data = encode_group(records)
        self.handle = log.user_reserve(len(self.data))
        self.stage = 0

    @property
    def done(self) -> bool:
        return self.stage == self.STAGES

    def step(self) -> bool:
        """Try the next user step; True if it happened (False: no space yet)."""
        log, h = self.log, self.handle
        if self.stage == 0:
            ok = log.user_copy_to_log_buffer(h, self.data)
        elif self.stage == 1:
            log.user_set_first_rec_group(h)
            ok = True
        elif self.stage == 2:
            ok = log.user_add_recent_written_link(h)
        elif self.stage == 3:
            ok = log.user_add_dirty_pages(h, self.records)
        elif log.config.version == "8.0":
            ok = log.user_add_recent_closed_link(h)
        else:
            ok = log.user_report_added(h)
        self.stage += ok
        return ok


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("version", ["8.0", "9.0"])
def test_random_interleavings_keep_the_invariants_and_recover(seed: int, version: str) -> None:
    """SYS-1, SYS-2, SYS-4, CP-3, RC-4: three user sessions and every background step in a
    random order; the invariants hold after every step, and a final recovery has all groups."""
    rng = random.Random(seed)
    store, log = stepped(version=version, n_pages=8, recent_closed_size=512,
                         recent_written_size=1024)
    sessions: list[Session] = []
    done: list[Session] = []
    started = 0
    # 8.0: the closer thread; 9.0: no closer, the checkpointer asks the tracker (CP-1)
    advance = (log.closer.step if log.closer is not None
               else log.checkpointer.ask_smallest_not_added)
    actors = [log.writer.step, log.flusher.step, log.write_notifier.step,
              log.flush_notifier.step, advance, log.checkpointer.step,
              log.page_cleaner.step]
    for _ in range(3000):
        choice = rng.random()
        if choice < 0.15 and len(sessions) < 3 and started < 40:
            size = rng.choice([5, 60, 240])
            records = [Record(p, f"s{seed}g{started}p{p}".encode().ljust(size, b"."))
                       for p in rng.sample(range(8), rng.randint(1, 3))]
            sessions.append(Session(log, records))
            started += 1
        elif choice < 0.6 and sessions:
            rng.choice(sessions).step()
        else:
            rng.choice(actors)()
        done += [s for s in sessions if s.done]
        sessions = [s for s in sessions if not s.done]
        _check_invariants(log)
    while sessions:  # finish the open sessions
        for s in sessions:
            if not s.step():
                log.step_all()
            _check_invariants(log)
        done += [s for s in sessions if s.done]
        sessions = [s for s in sessions if not s.done]
    log.run_until_idle()
    _check_invariants(log)
    assert log.bufpool.flush_order_violations == 0
    report = recover(store.crash())
    expected = {p: (0, b"") for p in range(8)}
    for s in sorted(done, key=lambda s: s.handle.end_lsn):
        for r in s.records:
            expected[r.page_no] = (s.handle.end_lsn, r.payload)
    assert report.pages == expected


def test_threaded_commits_are_durable_when_they_return(tmp_path: Path) -> None:
    """USR-6: commit() returns only once flushed_to_disk_lsn >= its end lsn."""
    log = RedoLog.create(tmp_path, LogConfig(file_size=256 * 1024, n_pages=32))
    ends: list[int] = []
    lock = threading.Lock()

    def user(t: int) -> None:
        for i in range(30):
            end = log.commit([Record((t * 7 + i) % 32, f"{t}:{i}".encode())])
            assert log.flushed_to_disk_lsn >= end
            with lock:
                ends.append(end)

    threads = [threading.Thread(target=user, args=(t,)) for t in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(ends) == 180 and len(set(ends)) == 180
    counters = log.counters()
    assert counters["commits"] == 180 and counters["fsyncs"] <= 180
    log.close()
    assert recover(tmp_path).end_lsn == max(ends)


def test_reopen_after_a_clean_close_continues_the_log(tmp_path: Path) -> None:
    """facts §8.4: open() recovers and resumes at the recovered lsn; later groups follow."""
    with RedoLog.create(tmp_path, LogConfig.small()) as log:
        first = log.commit([Record(1, b"one")])
    with RedoLog.open(tmp_path, LogConfig.small()) as log:
        assert log.write_lsn == log.current_lsn == first
        second = log.commit([Record(2, b"two")])
    assert second > first
    report = recover(tmp_path)
    assert report.pages[1] == (first, b"one") and report.pages[2] == (second, b"two")
    with pytest.raises(LogClosed):
        log.commit([Record(3, b"x")])


def test_reopen_after_a_crash_drops_the_incomplete_group_and_its_blocks() -> None:
    """RC-4, facts §8.4: a group cut off by the crash is not recovered; its blocks after the
    resume point are zeroed so that they cannot be read as new data later."""
    store, log = stepped(write_ahead_size=512)
    small = encode_group([Record(1, b"kept")])
    h1 = log.user_reserve(len(small))
    log.user_copy_to_log_buffer(h1, small)
    log.user_add_recent_written_link(h1)
    big = encode_group([Record(2, bytes(240))] * 6)
    h2 = log.user_reserve(len(big))
    log.user_copy_to_log_buffer(h2, big)
    log.user_set_first_rec_group(h2)
    log.user_add_recent_written_link(h2)
    log.writer.step()  # wa = 512: writes whole blocks of both groups, not the last one
    log.flusher.step()
    assert h1.end_lsn < log.flushed_to_disk_lsn < h2.end_lsn
    image = store.crash()
    report = recover(image)
    assert report.end_lsn == h1.end_lsn and report.pages[2] == (0, b"")
    log2 = RedoLog.open(image, LogConfig.small(), threads=False)
    assert log2.write_lsn == h1.end_lsn
    name, offset = log2.files.position(8192 + 512)
    assert image.read(name, offset, 512) == bytes(512)  # the stale block is gone
    h3 = log2.user_reserve(len(small))
    log2.user_copy_to_log_buffer(h3, encode_group([Record(3, b"new!")]))
    log2.user_set_first_rec_group(h3)
    log2.user_add_recent_written_link(h3)
    log2.run_until_idle()
    report = recover(store_after := image.crash())
    assert report.pages[1][1] == b"kept" and report.pages[3] == (h3.end_lsn, b"new!")
    assert report.pages[2] == (0, b"") and store_after


def test_blocking_user_operations_in_the_designs_order(tmp_path: Path) -> None:
    """USR-1..USR-6 one by one with the threads running: reserve, copy, set_first_rec_group,
    add_link, add_dirty_pages, close(handle), wait_for_write, wait_for_flush."""
    with RedoLog.create(tmp_path, LogConfig.small()) as log:
        records = [Record(2, b"two"), Record(5, b"five")]
        data = encode_group(records)
        h = log.reserve(len(data))
        log.copy(h, data)
        log.set_first_rec_group(h)
        log.add_link(h)
        log.add_dirty_pages(h, records)
        log.close_handle(h)  # the user operation, not the log
        log.wait_for_write(h.end_lsn)
        assert log.write_lsn >= h.end_lsn
        log.wait_for_flush(h.end_lsn)
        assert log.flushed_to_disk_lsn >= h.end_lsn
        assert not log.closed
    assert log.closed
    assert recover(tmp_path).pages[5] == (h.end_lsn, b"five")


def test_no_wake_up_is_lost_when_timeouts_are_out_of_reach(tmp_path: Path) -> None:
    """USR-7, NT-4, SYS-3: with every timeout at 30 s (and doubling user timeouts capped there),
    8 threads x 40 durable commits on 4 event slots, then a thread alone committing groups that
    span several blocks, finish in well under a second: every wait ends by an event, none needs
    a timeout (docs/spec-model.md decision 2)."""
    import time

    slow = 30_000_000
    config = LogConfig(file_size=256 * 1024, n_pages=64, page_size=256, write_events=4,
                       flush_events=4, writer_timeout_us=slow, flusher_timeout_us=slow,
                       notifier_timeout_us=slow, user_wait_timeout_us=slow,
                       user_wait_timeout_max_us=slow, checkpoint_every_ms=30_000,
                       page_cleaner_every_ms=30_000)
    log = RedoLog.create(tmp_path, config)
    errors: list[BaseException] = []

    def user(t: int) -> None:
        try:
            for i in range(40):
                log.commit([Record((t * 8 + i) % 64, f"{t}/{i}".encode())])
        except BaseException as exc:
            errors.append(exc)

    def big_groups() -> None:  # alone: each wait depends on one multi-block notification
        try:
            for i in range(6):
                log.commit([Record(i, bytes(200)) for i in range(6)])
        except BaseException as exc:
            errors.append(exc)

    start = time.monotonic()
    threads = [threading.Thread(target=user, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(25)
    alone = threading.Thread(target=big_groups)
    alone.start()
    alone.join(25)
    threads.append(alone)
    elapsed = time.monotonic() - start
    hung = any(t.is_alive() for t in threads)
    log.close(flush=not hung)
    assert not hung and not errors, errors
    assert elapsed < 10, f"{elapsed:.1f} s: some wait ended only by a timeout"
    assert log.counters()["commits"] == 326


def test_a_log_created_below_the_block_number_wrap_recovers_across_it() -> None:
    """FMT-3, RC-2: a log created at lsn 2^39 - 1024 (``LogConfig.start_lsn``) numbers its
    blocks 2^30 - 1, 2^30, then 1, 2, ...; commits on both sides of the wrap are recovered,
    and the log reopens after the wrap and goes on."""
    wrap = 2**30 * 512
    store = FaultStore()
    log = RedoLog.create(store, LogConfig.small(start_lsn=wrap - 1024))
    try:
        assert set(log.lsn_values().values()) == {wrap - 1024 + 12}
        ends = {page: log.commit([Record(page, bytes([65 + page]) * 200)]) for page in range(8)}
        image = store.crash()  # durable commits: synced before commit returned
    finally:
        log.close(flush=False)
    assert ends[0] < wrap < ends[7]
    numbers = []
    for lsn in range(wrap - 1024, ends[7], 512):
        name, offset = log.files.position(lsn)
        numbers.append(parse_block(image.read(name, offset, 512)).hdr_no & 0x7FFF_FFFF)
    assert numbers[:4] == [2**30 - 1, 2**30, 1, 2]
    report = recover(image)
    assert report.end_lsn == ends[7]
    assert all(report.pages[p] == (ends[p], bytes([65 + p]) * 200) for p in range(8))
    with RedoLog.open(image, LogConfig.small()) as log2:
        end = log2.commit([Record(8, b"after the wrap")])
    assert recover(image).pages[8] == (end, b"after the wrap")


def test_start_lsn_must_be_a_block_start_at_or_after_lsn_8192() -> None:
    from impl.errors import ConfigError

    for bad in (4096, 8192 + 100):
        with pytest.raises(ConfigError, match="start_lsn"):
            LogConfig.small(start_lsn=bad)
