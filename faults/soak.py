"""Part 5: soak: 64 user threads on real files, the checkpointer and page cleaner slowed so the
log fills again and again; no hang, steady throughput and latency, memory flat.

The log (:class:`impl.redolog.RedoLog` on a :class:`impl.storage.DirStore`, real fsync) has small
files, and the sync points slow its background work: every checkpoint sleeps before it writes
its block and every page write sleeps a little, so users repeatedly wait in log_free_check for
the log to have room (counted: ``free_check_waits``, ``writer_checkpoint_limited``).

A monitor prints, per interval: commits, commits/s, p99 commit latency, the resident set size
(``/proc/self/statm``) and how often the log was full. Every commit is watched: one in flight for
longer than ``hang_after_s`` is reported as a hang (``hangs``) with its thread. Memory is flat if
the RSS of the last interval exceeds the RSS after warm-up by at most 10 % + 16 MiB. At the end
the log is closed and recovered, and each page must hold the newest acknowledged group's record
for it (``acknowledged_lost``). Requirements: SYS-3 (no hang), WR-9, CP-5, USR-6, RC-4.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from faults.common import Tally, describe
from faults.crashstates import make_group
from impl.config import LogConfig
from impl.errors import LogClosed
from impl.recovery import recover
from impl.redolog import RedoLog

N_PAGES = 256


def soak_config() -> LogConfig:
    """Small files, a slow checkpointer and page cleaner: the log fills repeatedly."""
    return LogConfig(log_buffer_size=64 * 1024, file_size=160 * 1024, n_files=2,
                     n_pages=N_PAGES, page_size=256, n_flush_lists=4,
                     recent_written_size=16 * 1024, recent_closed_size=16 * 1024,
                     checkpoint_every_ms=200, page_cleaner_every_ms=100,
                     max_dirty_pages_pct=90, flush_age_pct=90)


def rss_mib() -> float:
    """Resident set size of this process in MiB (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / (1 << 20)


def p99(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def run(tally: Tally, *, seconds: float, threads: int = 64, interval: float = 5.0,
        hang_after_s: float = 30.0, seed: int = 1, workdir: Path | None = None,
        checkpoint_delay_s: float = 0.05, page_delay_s: float = 0.0005,
        progress: Callable[[str], None] | None = None) -> None:
    """Soak for ``seconds``; per-interval rows go to ``tally.soak``."""
    directory = Path(tempfile.mkdtemp(prefix="soak", dir=workdir))
    log = RedoLog.create(directory, soak_config())

    log.sync_point_hook = _slowed(checkpoint_delay_s, page_delay_s)
    stop = threading.Event()
    lock = threading.Lock()
    latencies: list[float] = []
    newest: dict[int, tuple[int, bytes]] = {}
    in_flight: dict[int, float] = {}
    reported: set[int] = set()
    errors: list[str] = []
    commits = [0]

    def user(t: int) -> None:
        rng = random.Random(seed * 100_003 + t)
        i = 0
        while not stop.is_set():
            records = make_group(rng, f"t{t}g{i}", N_PAGES)
            i += 1
            start = time.monotonic()
            in_flight[t] = start
            try:
                end = log.commit(records)
            except LogClosed:
                return
            except BaseException as exc:
                with lock:
                    errors.append(f"thread {t}: commit raised {describe(exc)}")
                return
            finally:
                in_flight.pop(t, None)
            took = time.monotonic() - start
            with lock:
                latencies.append(took)
                commits[0] += 1
                for r in records:
                    if newest.get(r.page_no, (0, b""))[0] < end:
                        newest[r.page_no] = (end, r.payload)

    workers = [threading.Thread(target=user, args=(t,), daemon=True, name=f"soak-{t}")
               for t in range(threads)]
    began = time.monotonic()
    for w in workers:
        w.start()
    last = log.counters()
    last_t = began
    rows: list[dict[str, Any]] = []
    try:
        while time.monotonic() - began < seconds:
            time.sleep(min(interval, max(0.05, seconds - (time.monotonic() - began))))
            now = time.monotonic()
            with lock:
                lat, latencies[:] = list(latencies), []
            counters = log.counters()
            row = _interval_row(now - began, now - last_t, lat, counters, last)
            last, last_t = counters, now
            rows.append(row)
            if progress:
                progress(f"faults: soak {row['t']:.0f}s: {row['commits_per_s']} commits/s, "
                         f"p99 {row['p99_ms']} ms, rss {row['rss_mib']} MiB, "
                         f"log full {row['log_full_waits']}x, {row['checkpoints']} checkpoints")
            _report_hangs(tally, in_flight, reported, now, hang_after_s)
    finally:
        stop.set()
    for w in workers:
        w.join(hang_after_s)
        if w.is_alive() and len(reported) == 0:
            tally.fail("hangs", f"soak: {w.name} did not stop within {hang_after_s:.0f} s")
            reported.add(-1)
    tally.soak.extend(rows)
    for e in errors[:5]:
        tally.fail("tracebacks", f"soak: {e}")
    log.close()
    total = log.counters()
    tally.notes["soak"] = dict(seconds=round(time.monotonic() - began, 1), threads=threads,
                               commits=commits[0], log_full_waits=total["free_check_waits"],
                               capacity_limited_writes=total["writer_checkpoint_limited"],
                               checkpoints=total["checkpoints"], fsyncs=total["fsyncs"])
    _check_memory(tally, rows)
    _check_recovered(tally, directory, newest)
    shutil.rmtree(directory, ignore_errors=True)


def _slowed(checkpoint_delay_s: float, page_delay_s: float) -> Callable[[str], None]:
    """A sync-point hook slowing the checkpointer's write and the page cleaner's writes, so
    the log fills again and again."""
    def slow(point: str) -> None:
        if point == "log_before_checkpoint_write":
            time.sleep(checkpoint_delay_s)
        elif point == "page_cleaner_before_write":
            time.sleep(page_delay_s)

    return slow


def _interval_row(t: float, span: float, lat: list[float], counters: dict[str, int],
                  last: dict[str, int]) -> dict[str, Any]:
    """One soak interval: commits, their rate and p99 latency, RSS, and what the log did."""
    return dict(t=round(t, 1), commits=len(lat),
                commits_per_s=round(len(lat) / max(1e-9, span), 1),
                p99_ms=round(p99(lat) * 1000, 2), rss_mib=round(rss_mib(), 1),
                log_full_waits=counters["free_check_waits"] - last["free_check_waits"],
                capacity_limited_writes=(counters["writer_checkpoint_limited"]
                                         - last["writer_checkpoint_limited"]),
                checkpoints=counters["checkpoints"] - last["checkpoints"])


def _report_hangs(tally: Tally, in_flight: dict[int, float], reported: set[int], now: float,
                  hang_after_s: float) -> None:
    """A commit waiting longer than ``hang_after_s`` is a hang (each thread reported once)."""
    for t, since in list(in_flight.items()):
        if now - since > hang_after_s and t not in reported:
            reported.add(t)
            tally.fail("hangs", f"soak: thread {t}'s commit has waited "
                       f"{now - since:.0f} s (bound {hang_after_s:.0f} s)")


def _check_recovered(tally: Tally, directory: Path,
                     newest: dict[int, tuple[int, bytes]]) -> None:
    """Recovery must bring back every page at least as new as its last acknowledged group."""
    report = recover(directory)
    for page_no, (end, payload) in sorted(newest.items()):
        got = report.pages.get(page_no, (0, b""))
        if got[0] < end or (got[0] == end and got[1] != payload):
            tally.fail("acknowledged_lost", f"soak: page {page_no} holds lsn {got[0]} after "
                       f"recovery, older than the acknowledged group ending at {end}")
            break


def _check_memory(tally: Tally, rows: list[dict[str, Any]]) -> None:
    """Flat: the last interval's RSS at most 10 % + 16 MiB above the RSS after warm-up."""
    if len(rows) < 3:
        return
    warm = max(r["rss_mib"] for r in rows[1:3])
    final = rows[-1]["rss_mib"]
    tally.notes["soak_rss_mib"] = dict(after_warmup=warm, final=final)
    if final > warm * 1.10 + 16:
        tally.fail("other_failures", f"soak: memory grew from {warm} MiB after warm-up to "
                   f"{final} MiB")
