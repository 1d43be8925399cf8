"""A stress test modelled on MySQL's own log test, log0log-t.cc (facts §9.1).

8 threads x 20 steps; each step commits one record group (a mini-transaction): 50% one record,
40% two, 10% 3..100 records of at most 100 bytes, on pages 0..159. Every 10 steps a thread waits
for its last group to be flushed (USR-6), as log0log-t calls ``log_write_up_to(flush=true)``.
Random delays (up to 500 µs) are injected at named sync points of the pipeline, one point at a
time and all together, while the page cleaner and the checkpointer run aggressively. Then the
log threads are stopped hard, the disk is crashed (unsynced writes lost, last write torn) and
recovered, and every page must hold the newest record of the groups that were flushed (RC-4);
the flush lists must never have broken their order lag (CP-3) and SYS-1 must hold at the end.
"""

from __future__ import annotations

import random
import threading
import time

import attrs
import pytest

from impl.config import LogConfig
from impl.faultstore import FaultStore
from impl.records import Record
from impl.recovery import recover
from impl.redolog import RedoLog

N_THREADS = 8
N_STEPS = 20
FLUSH_EVERY = 10
N_KEYS = 160
SYNC_POINTS = [
    "log_buffer_write_before_memcpy",
    "log_buffer_set_first_record_group_before_update",
    "log_buffer_write_completed_before_store",
    "log_buffer_add_dirty_pages",
    "log_buffer_close",
    "log_writer_before_write",
    "log_writer_before_lsn_update",
    "log_flush_before_fsync",
    "log_flush_before_flushed_to_disk_lsn",
    "log_write_notifier_before_notify",
    "log_flush_notifier_before_notify",
    "log_before_checkpoint_write",
    "log_before_checkpoint_lsn_update",
    "page_cleaner_before_write",
    "log_wait_for_flush_before_wait",
]

CONFIG = LogConfig(
    log_buffer_size=64 * 1024, recent_written_size=4096, recent_closed_size=4096,
    write_ahead_size=4096, write_events=64, flush_events=64, file_size=96 * 1024, n_files=2,
    n_flush_lists=4, n_pages=N_KEYS, page_size=256, checkpoint_every_ms=5,
    page_cleaner_every_ms=5, max_dirty_pages_pct=20, flush_age_pct=10,
)


def _group(rng: random.Random, thread: int, step: int) -> list[Record]:
    roll = rng.random()
    n = 1 if roll < 0.5 else 2 if roll < 0.9 else rng.randint(3, 100)
    pages = rng.sample(range(N_KEYS), n)
    return [Record(p, f"t{thread}s{step}p{p}".encode().ljust(rng.randint(12, 100), b"."))
            for p in pages]


def run_stress(seed: int, points: list[str], config: LogConfig = CONFIG) -> None:
    store = FaultStore()
    log = RedoLog.create(store, config)
    delay_rng = random.Random(seed ^ 0x5EED)
    delay_lock = threading.Lock()
    # log0log-t: 10 µs .. max(10, 500 / #points) µs at one point, 0 .. 500 µs at all of them
    low, high = (0.0, 500e-6) if len(points) > 1 else (10e-6, max(10e-6, 500e-6 / len(SYNC_POINTS)))

    def hook(name: str) -> None:
        if name in points:
            with delay_lock:
                delay = delay_rng.uniform(low, high)
            time.sleep(delay)

    log.sync_point_hook = hook
    committed: list[tuple[int, list[Record]]] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def user(thread: int) -> None:
        rng = random.Random(seed * 100 + thread)
        try:
            end = 0
            for step in range(1, N_STEPS + 1):
                records = _group(rng, thread, step)
                end = log.commit(records, durable=False)
                with lock:
                    committed.append((end, records))
                if step % FLUSH_EVERY == 0:
                    log.wait_for_flush(end)
                    assert log.flushed_to_disk_lsn >= end  # USR-6
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=user, args=(t,)) for t in range(N_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a user thread hangs"
    assert not errors, errors
    log.stop_threads()  # hard stop: nothing more is written or synced
    v = log.lsn_values()
    assert (v["checkpoint_lsn"] <= v["flushed_to_disk_lsn"] <= v["write_lsn"]
            <= v["buf_ready_for_write_lsn"] <= v["current_lsn"]), v  # SYS-1
    counters = log.counters()
    assert counters["flush_order_violations"] == 0  # CP-3
    assert counters["commits"] == N_THREADS * N_STEPS
    flushed = log.flushed_to_disk_lsn
    assert all(end <= flushed for end, _ in committed)  # every thread's last step flushed

    report = recover(store.crash(torn=True, rng=random.Random(seed)))
    expected: dict[int, tuple[int, bytes]] = {p: (0, b"") for p in range(N_KEYS)}
    for end, records in sorted(committed, key=lambda c: c[0]):
        for r in records:
            expected[r.page_no] = (end, r.payload)
    wrong = {p: (report.pages[p][0], expected[p][0]) for p in range(N_KEYS)
             if report.pages[p] != expected[p]}
    assert not wrong, f"pages (recovered page_lsn, expected): {wrong}"
    assert counters["pages_flushed"] > 0, counters


@pytest.mark.parametrize("point", ["none", *SYNC_POINTS, "all"])
def test_log_stress_with_random_delays(point: str) -> None:
    """RC-4, SYS-1, SYS-3, CP-3, CP-6: log0log-t's workload, delays at one point or at all."""
    points = [] if point == "none" else SYNC_POINTS if point == "all" else [point]
    run_stress(seed=len(point), points=points)


@pytest.mark.parametrize("point", ["none", "all"])
def test_log_stress_with_the_9_0_tracker(point: str) -> None:
    """CP-1 (9.0), RC-4, CP-3: the same workload with the flush-list-added tracker."""
    points = SYNC_POINTS if point == "all" else []
    run_stress(seed=7, points=points, config=attrs.evolve(CONFIG, version="9.0"))
