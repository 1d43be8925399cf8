"""Part 2: an I/O error at every call of a scripted workload, and recovery afterwards.

The script: create a log on a :class:`~faults.simdisk.SimDisk`, commit groups from a few
threads, close; then (as after a restart) recover and reopen it with :meth:`RedoLog.open`,
commit more (at most 50 groups), close. A clean run counts the calls of each kind (``write``,
``fsync``, ``create`` = open of a new file, ``rename``, ``read``). Then, for every kind and every
n up to that count (every stride-th in the quick mode), the script runs again with the n-th call
failing once, the error cycling through those the call can meet (EIO, ENOSPC, a short write),
and:

* every commit returns or raises :class:`impl.errors.LogFailed` (or :class:`~impl.errors.
  LogClosed` after the close) within a time bound: a waiter never hangs (``hangs``) and never
  meets another exception, such as a background thread dying of the OSError (``tracebacks``);
* the disk then crashes (only what was fsynced survives; a failed fsync dropped its pages, as
  Linux does), the second phase reopens from that image, and at the end recovery from the last
  crash image must hold every acknowledged commit of both phases, whole, and no page state
  after the recovered lsn (``acknowledged_lost``, ``partial_groups_applied``). A log that
  retried a failed fsync and trusted the retry would acknowledge data the disk dropped: this
  check catches it (PostgreSQL's fsyncgate lesson; FL-1).

Requirements: FL-1 (flushed_to_disk_lsn moves only after a successful fsync), RC-4, SYS-3
(nothing hangs), FMT-11 (an interrupted creation is not taken for a log).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable

import attrs

from faults.common import Deadline, Group, Oracle, Tally, describe, is_clean, judge, read_pages
from faults.crashstates import make_group
from faults.simdisk import ERRORS, KINDS, MemStore, SimDisk
from impl.config import LogConfig
from impl.errors import LogClosed, LogFailed
from impl.format import HDR_SIZE, LOG_START_LSN
from impl.recovery import recover
from impl.redolog import RedoLog

N_PAGES = 32
PHASE_TIMEOUT_S = 20.0


def io_config() -> LogConfig:
    return LogConfig.small(file_size=16 * 1024, n_files=2, n_pages=N_PAGES, page_size=256,
                           log_buffer_size=4096, write_ahead_size=1024,
                           recent_closed_size=512, checkpoint_every_ms=2,
                           page_cleaner_every_ms=1, max_dirty_pages_pct=20)


@attrs.define
class Outcome:
    """What one scripted run did."""

    acked: list[Group] = attrs.Factory(list)
    issued: list[Group] = attrs.Factory(list)  # every group a commit was started for
    problems: list[tuple[str, str]] = attrs.Factory(list)  # (counter, detail)
    injected: bool = False
    image: dict[str, bytes] = attrs.Factory(dict)
    calls: dict[str, int] = attrs.Factory(dict)


def _phase(disk: SimDisk, log: RedoLog, commits: int, threads: int, seed: int, tag: str,
           out: Outcome) -> bool:
    """Commit from ``threads`` threads; False if a thread hung."""
    lock = threading.Lock()

    def user(t: int) -> None:
        rng = random.Random(seed * 7919 + t)
        for i in range(t, commits, threads):
            records = make_group(rng, f"{tag}t{t}g{i}", N_PAGES)
            group: Group | None = None
            try:   # commit, then wait: so a group whose wait fails still has a known lsn
                end = log.commit(records, durable=False)
                group = Group(end, tuple(records))
                with lock:
                    out.issued.append(group)
                log.wait_for_flush(end)
            except (LogFailed, LogClosed):
                return
            except BaseException as exc:
                with lock:
                    out.problems.append(("tracebacks", f"commit raised {describe(exc)}"))
                return
            with lock:
                out.acked.append(group)

    workers = [threading.Thread(target=user, args=(t,), daemon=True) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(PHASE_TIMEOUT_S)
        if w.is_alive():
            out.problems.append(("hangs", f"a committing thread did not return in "
                                          f"{PHASE_TIMEOUT_S:.0f} s"))
            log.stop_threads()
            return False
    return True


def _close(log: RedoLog, out: Outcome) -> bool:
    done = threading.Event()
    box: list[BaseException] = []

    def run() -> None:
        try:
            log.close()
        except BaseException as exc:
            box.append(exc)
        done.set()

    threading.Thread(target=run, daemon=True).start()
    if not done.wait(PHASE_TIMEOUT_S):
        out.problems.append(("hangs", "close() did not return"))
        return False
    if box and not isinstance(box[0], (LogFailed, LogClosed)):
        out.problems.append(("tracebacks", f"close raised {describe(box[0])}"))
    if log.died is not None and not isinstance(log.died.error, LogFailed):
        out.problems.append(("tracebacks", f"a log thread died instead of failing the log "
                                           f"cleanly: {describe(log.died)}"))
    return True


def _judge_image(tally: Tally, where: str, image: dict[str, bytes], issued: list[Group],
                 acked: list[Group], recover_fn: Callable[[MemStore], object]) -> int | None:
    """Recover a crash image and judge it; the recovered lsn, or None if it was wrong."""
    store = MemStore(dict(image))
    try:
        report = recover_fn(store)
    except BaseException as exc:
        counter = "acknowledged_lost" if acked else "other_failures"
        tally.fail(counter if is_clean(exc) else "tracebacks",
                   f"{where}: recovery after the error raised {describe(exc)}")
        return None
    pages = read_pages(store, N_PAGES)
    if isinstance(pages, str):
        tally.fail("other_failures", f"{where}: data file unreadable: {pages}")
        return None
    # The oracle knows every group whose commit(durable=False) returned (acknowledged or not:
    # an unacknowledged group may be on disk too). A commit that raised after adding its link
    # may have left a group of unknown lsn on disk: pages holding such an lsn are not judged.
    oracle = Oracle(issued, LOG_START_LSN + HDR_SIZE)
    end = int(getattr(report, "end_lsn"))  # noqa: B009
    known = {g.end_lsn for g in issued} | {0}
    judged = {p: v for p, v in pages.items() if v[0] in known}
    tally.notes["io_pages_unjudged"] = (tally.notes.get("io_pages_unjudged", 0)
                                        + len(pages) - len(judged))
    return end if judge(tally, where, oracle, end, judged, acked) else None


def script(tally: Tally, where: str, inject: tuple[str, int, str] | None, *, commits: int,
           threads: int, seed: int, recover_fn: Callable[[MemStore], object] = recover,
           ) -> Outcome:
    """Run the two-phase script with at most one injected error (see the module text),
    judging the disk after each phase; problems are counted in ``tally``."""
    out = Outcome()
    disk = SimDisk()
    disk.inject = inject
    config = io_config()
    created = False
    try:
        log = RedoLog.create(disk, config)
        created = True
    except OSError:
        log = None  # creation failed cleanly: nothing was acknowledged
    except BaseException as exc:
        out.problems.append(("tracebacks", f"RedoLog.create raised {describe(exc)}"))
        log = None
    ok = log is None or (_phase(disk, log, commits, threads, seed, "a", out)
                         and _close(log, out))
    out.injected = disk.injected is not None
    out.calls = dict(disk.calls)
    for counter, detail in out.problems:
        tally.fail(counter, f"{where}, phase 1: {detail}")
    image = disk.crash_image()
    # FMT-11: ib_logfile0 appears last, so a creation interrupted before it is not a log (a
    # clean refusal is right) and one interrupted after it must open like any other log
    if not created and "ib_logfile0" not in image and not out.problems:
        try:
            recover_fn(MemStore(dict(image)))
        except BaseException as exc:
            if not is_clean(exc):
                tally.fail("tracebacks", f"{where}: recovery of an interrupted creation "
                           f"raised {describe(exc)}")
        return out
    if not ok or out.problems:
        return out
    # a power failure now; judge what the disk kept, then restart from it
    recovered = _judge_image(tally, f"{where}, after phase 1", image, out.issued, out.acked,
                             recover_fn)
    if recovered is None:
        return out
    out.issued = [g for g in out.issued if g.end_lsn <= recovered]  # the rest is gone
    disk2 = SimDisk.from_images(image)
    disk2.calls = dict(disk.calls)
    disk2.inject = disk.inject
    try:
        log2 = RedoLog.open(disk2, config)
    except BaseException as exc:
        out.injected = (disk.injected or disk2.injected) is not None
        if not (is_clean(exc) and disk2.injected is not None):
            tally.fail("tracebacks" if not is_clean(exc) else "other_failures",
                       f"{where}: RedoLog.open after a restart raised {describe(exc)}")
            return out
        # the restart itself failed (its recovery or scrub met the error): what it left on
        # disk must still recover everything acknowledged, at the next attempt
        _judge_image(tally, f"{where}, after a failed restart", disk2.crash_image(),
                     out.issued, out.acked, recover_fn)
        return out
    problems = len(out.problems)
    ok = (_phase(disk2, log2, min(commits // 2 + 1, 50), threads, seed + 1, "b", out)
          and _close(log2, out))
    out.injected = (disk.injected or disk2.injected) is not None
    out.calls = dict(disk2.calls)
    for counter, detail in out.problems[problems:]:
        tally.fail(counter, f"{where}, phase 2: {detail}")
    if ok and len(out.problems) == problems:
        out.image = disk2.crash_image()
        _judge_image(tally, f"{where}, after phase 2", out.image, out.issued, out.acked,
                     recover_fn)
    return out


def run(tally: Tally, *, commits: int, threads: int, seed: int, deadline: Deadline,
        stride: int = 1, progress: Callable[[str], None] | None = None,
        recover_fn: Callable[[MemStore], object] = recover) -> None:
    """Fail every ``stride``-th call of every kind once (see the plan below)."""
    clean = script(tally, f"io: clean run (seed {seed})", None, commits=commits,
                   threads=threads, seed=seed, recover_fn=recover_fn)
    counts = clean.calls
    tally.notes["io_calls_in_script"] = counts
    # every stride-th call of every kind fails once; the error cycles through those the call
    # can meet (EIO, ENOSPC, short write), so each error hits every kind many times
    plan = [(kind, n, ERRORS[kind][(n // stride) % len(ERRORS[kind])]) for kind in KINDS
            for n in range(1, counts.get(kind, 0) + 1, stride)]
    tally.notes["io_runs_planned"] = tally.notes.get("io_runs_planned", 0) + len(plan)
    rng = random.Random(seed)
    rng.shuffle(plan)  # spread a time-limited run over all kinds
    for i, inject in enumerate(plan):
        if deadline.expired():
            return
        tally.notes["io_runs_done"] = tally.notes.get("io_runs_done", 0) + 1
        where = f"io: {inject[2]} at {inject[0]} #{inject[1]} (seed {seed})"
        out = script(tally, where, inject, commits=commits, threads=threads, seed=seed,
                     recover_fn=recover_fn)
        if out.injected:
            tally.io_errors_injected += 1
        if progress and (i + 1) % 50 == 0:
            progress(f"faults: io errors: {i + 1}/{len(plan)} runs, "
                     f"{tally.io_errors_injected} errors injected")
