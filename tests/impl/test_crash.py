"""Crash tests with the fault store: crash at every I/O of a scripted workload (RC-4, SYS-4).

The workload runs the pipeline in stepped mode (deterministic, so "the k-th I/O" means the
same operation every time). At I/O number k the store raises :class:`SimulatedCrash`; the disk
image a crash would leave (unsynced writes lost, optionally the last write torn at 512-byte
granularity) is recovered, and the recovered pages must be exactly the state after a *prefix*
of the groups (no group applied partly, nothing invented, RC-4) that contains every group whose
end lsn is at or below flushed_to_disk_lsn at the crash (nothing durable lost, FL-1, RC-4).
The expected page states are computed here from the groups, independently of the log.
"""

from __future__ import annotations

import random
import threading
import time

import attrs
import pytest

from impl.config import LogConfig
from impl.faultstore import FaultStore, SimulatedCrash
from impl.records import Record, encode_group
from impl.recovery import recover
from impl.redolog import RedoLog

LAST_RUN: dict[str, int] = {}
N_PAGES = 12
CONFIG = LogConfig.small(
    n_pages=N_PAGES,
    page_size=256,
    file_size=8 * 1024,
    n_files=2,
    log_buffer_size=4096,
    write_ahead_size=1024,
    recent_closed_size=512,
)


def _groups(seed: int, n: int) -> list[list[Record]]:
    rng = random.Random(seed)
    groups = []
    for i in range(n):
        pages = rng.sample(range(N_PAGES), rng.choice([1, 1, 2, 3]))
        size = rng.choice([5, 40, 150, 180])
        groups.append([Record(p, f"g{i}p{p}:".encode().ljust(size, b"#")) for p in pages])
    return groups


def run_script(
    store: FaultStore, groups: list[list[Record]], crash_at: int | None,
    config: LogConfig = CONFIG,
) -> tuple[list[int], int, bool]:
    """Run the groups through the stepped pipeline; return (end lsns, flushed lsn, crashed)."""
    log = RedoLog.create(store, config, threads=False)
    # 8.0: the closer; 9.0: the checkpointer asks the tracker (CP-1)
    advance = (log.closer.step if log.closer is not None
               else log.checkpointer.ask_smallest_not_added)
    close = log.user_add_recent_closed_link if log.closer else log.user_report_added
    start = store.io_count

    def on_io(op: str, name: str, offset: int, length: int) -> None:
        if crash_at is not None and store.io_count - start >= crash_at:
            raise SimulatedCrash(f"crash before {op} {name}@{offset}")

    store.on_io = on_io
    ends: list[int] = []
    try:
        for i, records in enumerate(groups):
            data = encode_group(records)
            handle = log.user_reserve(len(data))
            ends.append(handle.end_lsn)  # known from here on, whatever step the crash hits
            while not log.user_copy_to_log_buffer(handle, data):
                assert log.step_all(), "no space in the log buffer and no actor can progress"
            log.user_set_first_rec_group(handle)
            while not log.user_add_recent_written_link(handle):
                assert log.writer.step()  # LNK-4: the writer frees recent-written slots
            while not log.user_add_dirty_pages(handle, records):
                assert advance()  # CP-3
            assert close(handle)
            if i % 2:
                for _ in range(4):
                    log.writer.step()
                log.flusher.step()
            if i % 3 == 2:
                advance()
                log.page_cleaner.step()
                log.page_cleaner.step()
            # no periodic checkpoint: the writer must meet WR-9's capacity limit, and the
            # checkpointer only runs in step_all() when a user cannot go on
        log.run_until_idle()
    except SimulatedCrash:
        return ends, log.flushed_to_disk_lsn, True
    finally:
        store.on_io = None
        LAST_RUN["checkpoint_limited"] = log.writer.checkpoint_limited
    return ends, log.flushed_to_disk_lsn, False


def prefix_states(
    groups: list[list[Record]], ends: list[int]
) -> list[dict[int, tuple[int, bytes]]]:
    """states[p] = every page after applying the first p groups (page_lsn = group end lsn)."""
    state = {p: (0, b"") for p in range(N_PAGES)}
    states = [dict(state)]
    for records, end in zip(groups, ends, strict=False):
        for r in records:
            state[r.page_no] = (end, r.payload)
        states.append(dict(state))
    return states


def check_recovered(
    image: FaultStore, groups: list[list[Record]], ends: list[int], flushed: int
) -> int:
    report = recover(image)
    states = prefix_states(groups, ends)
    must = sum(1 for end in ends if end <= flushed)  # RC-4: all of these are recovered
    matches = [p for p in range(len(states)) if states[p] == report.pages]
    assert matches, f"recovered pages are no prefix of the groups (flushed {flushed})"
    assert max(matches) >= must, (
        f"groups up to lsn {flushed} were durable, recovery has only {max(matches)} of {must}"
    )
    return max(matches)


def test_scripted_workload_without_crash_recovers_everything() -> None:
    """RC-4: after the log is idle (everything flushed), recovery gives the final state."""
    groups = _groups(1, 14)
    store = FaultStore()
    ends, flushed, crashed = run_script(store, groups, None)
    assert not crashed
    assert flushed == ends[-1]
    assert check_recovered(store.crash(), groups, ends, flushed) == len(groups)


@pytest.mark.parametrize("version", ["8.0", "9.0"])
@pytest.mark.parametrize("torn", [False, True], ids=["clean", "torn"])
def test_crash_at_every_io(torn: bool, version: str) -> None:
    """RC-4, FL-1, WR-9, FMT-10: crash before each I/O in turn; recovery loses nothing durable
    and applies no group partly, with and without a torn last write (8.0 closer and 9.0
    tracker)."""
    config = attrs.evolve(CONFIG, version=version)
    groups = _groups(7, 90)
    probe = FaultStore()
    run_script(probe, groups, None, config)
    assert LAST_RUN["checkpoint_limited"] > 0, "the script should reach WR-9's capacity limit"
    fresh = FaultStore()
    RedoLog.create(fresh, CONFIG, threads=False)
    create_ios = fresh.io_count
    total = probe.io_count - create_ios
    assert total > 40, "the script should do a fair number of I/Os"
    rng = random.Random(3)
    crashed_runs = 0
    for k in range(total + 1):
        store = FaultStore()
        ends, flushed, crashed = run_script(store, groups, k, config)
        crashed_runs += crashed
        image = store.crash(torn=torn, rng=rng)
        check_recovered(image, groups, ends, flushed)
    assert crashed_runs >= total


def test_crash_between_checkpoint_write_and_sync_keeps_the_older_checkpoint() -> None:
    """FMT-10, decision 9: the new checkpoint block is not durable before its fsync; a crash in
    between recovers from the other (older) block and still loses nothing flushed."""
    groups = _groups(11, 6)
    store = FaultStore()
    log = RedoLog.create(store, CONFIG, threads=False)
    ends = []
    for records in groups:
        data = encode_group(records)
        h = log.user_reserve(len(data))
        while not log.user_copy_to_log_buffer(h, data):
            log.step_all()
        log.user_set_first_rec_group(h)
        assert log.user_add_recent_written_link(h)
        while not log.user_add_dirty_pages(h, records):  # CP-3: wait for recent-closed space
            assert log.closer is not None and log.closer.step()
        assert log.user_add_recent_closed_link(h)
        ends.append(h.end_lsn)
    for _ in range(50):
        log.writer.step()
        log.flusher.step()
    assert log.closer is not None
    log.closer.step()
    while log.page_cleaner.step():
        pass
    log.checkpointer.update_available()
    assert log.checkpointer.write_checkpoint()
    written = log.checkpointer.pending
    assert written is not None and written[0] == 1
    report = recover(store.crash())
    assert report.checkpoint.checkpoint_no == 0  # the unsynced block 2 is lost
    assert check_recovered(store.crash(), groups, ends, log.flushed_to_disk_lsn) == len(groups)
    assert log.checkpointer.sync_checkpoint()
    report = recover(store.crash())
    assert report.checkpoint.checkpoint_no == 1 and report.checkpoint.lsn == written[1]
    assert report.checkpoint.slot == 2  # odd numbers go to LOG_CHECKPOINT_2 (facts §3.3)


def test_threaded_run_crash_images() -> None:
    """RC-4 under real threads: disk images taken at many instants of a threaded run (as a power
    failure would leave them, last write torn) recover every group at or below the
    flushed_to_disk_lsn read just before the image (so every group whose commit had returned),
    invent nothing (each page holds a record some group wrote for it, at that group's end lsn)
    and apply no group partly (a group seen on one page is on all its pages)."""
    config = LogConfig(log_buffer_size=16 * 1024, recent_written_size=4096,
                       recent_closed_size=2048, write_ahead_size=2048, write_events=16,
                       flush_events=16, file_size=16 * 1024, n_files=2, n_flush_lists=2,
                       n_pages=N_PAGES, page_size=256, checkpoint_every_ms=2,
                       page_cleaner_every_ms=2, max_dirty_pages_pct=30, flush_age_pct=20)
    store = FaultStore()
    log = RedoLog.create(store, config)
    lock = threading.Lock()
    committed: list[tuple[int, list[Record]]] = []
    all_groups: dict[int, list[Record]] = {}
    snapshots: list[tuple[list[tuple[int, list[Record]]], int, FaultStore]] = []
    rng = random.Random(5)

    def on_io(op: str, name: str, offset: int, length: int) -> None:
        # before every log fsync (when written-but-unsynced data is at risk) and every 7th I/O
        at_risk = op == "fsync" and name.startswith("ib_logfile")
        if (at_risk or store.io_count % 7 == 0) and len(snapshots) < 400:
            with lock:
                known = list(committed) + list(all_groups.items())
            flushed = log.flushed_to_disk_lsn
            with lock:
                torn = rng.random() < 0.5
                snapshots.append((known, flushed, store.crash(torn=torn, rng=rng)))

    store.on_io = on_io
    delays = random.Random(8)

    def delay(point: str) -> None:  # log0log-t's random delays, at the writer and the flusher
        if point.startswith(("log_writer", "log_flush_before")):
            time.sleep(delays.random() * 2e-4)

    log.sync_point_hook = delay
    groups = _groups(21, 240)

    def user(t: int) -> None:
        for records in groups[t::6]:
            end = log.commit(records, durable=False)
            with lock:
                all_groups[end] = records
            log.wait_for_flush(end)
            with lock:
                committed.append((end, records))

    threads = [threading.Thread(target=user, args=(t,)) for t in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    store.on_io = None
    log.close()
    assert len(committed) == 240 and len(snapshots) >= 20
    assert log.counters()["checkpoints"] > 0 and log.counters()["pages_flushed"] > 0
    assert log.write_lsn - 8204 > log.files.capacity  # the files wrapped
    for known, flushed, image in snapshots:
        report = recover(image)
        for end, records in known:  # committed, or at or below flushed_to_disk_lsn: durable
            if end > flushed:
                continue
            for r in records:
                got = report.pages[r.page_no]
                assert got[0] >= end, (r.page_no, got[0], end)
        for page, (page_lsn, payload) in report.pages.items():
            if page_lsn:
                assert Record(page, payload) in all_groups[page_lsn], (page, page_lsn)
                for r in all_groups[page_lsn]:  # the whole group is there
                    assert report.pages[r.page_no][0] >= page_lsn
