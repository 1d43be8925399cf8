"""``redospec workload --dir DIR [--threads N] [--groups M] [--seed S] [--crash] [--json]
[--ack-file PATH]``.

Runs N user threads committing M random record groups in total (log0log-t's mix: 50% one
record, 40% two, 10% 3..20, payloads of 8..100 bytes on 256 pages) against a fresh log in DIR,
then runs :func:`impl.recovery.recover` on DIR and prints its report, and checks the result.

Without ``--crash`` the log is written in DIR directly (real files, real fsync) and closed
cleanly; recovery must then reproduce every page exactly.

With ``--crash`` the log runs on an in-memory :class:`impl.faultstore.FaultStore` (the same code,
the same bytes) and, after a random number of groups, the workload takes the image a power
failure would leave at that instant (unsynced writes lost, the last write torn at 512-byte
granularity), stops the log threads where they are, and writes that image into DIR. Recovery on
DIR must then contain every group whose commit had returned (all were durable: RC-4) and no page
state that no group wrote. This way of crashing is exact (the image is the disk at one instant)
and needs no child process to kill.

``--ack-file PATH`` streams one JSON line per commit as soon as it returns (durable), so a
parent that SIGKILLs this process knows what was acknowledged (``redospec faults``, part 3).

The files left in DIR are real InnoDB-format (format 3) log files that ``redospec inspect``
validates. Exit status: 0 ok, 1 the check failed, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from impl.config import LogConfig
from impl.faultstore import FaultStore
from impl.records import Record
from impl.recovery import RecoveryReport, recover
from impl.redolog import RedoLog
from impl.storage import DirStore, Store
from redospec import output
from redospec.command import run_command
from redospec.errors import UsageError

N_PAGES = 256


def workload_config() -> LogConfig:
    """A log that wraps its files in a few thousand groups and checkpoints often."""
    return LogConfig(log_buffer_size=256 * 1024, file_size=1024 * 1024, n_files=2,
                     n_pages=N_PAGES, page_size=256, n_flush_lists=4,
                     recent_written_size=64 * 1024, recent_closed_size=64 * 1024,
                     checkpoint_every_ms=50, page_cleaner_every_ms=20, max_dirty_pages_pct=50)


def random_group(rng: random.Random, tag: str) -> list[Record]:
    roll = rng.random()
    n = 1 if roll < 0.5 else 2 if roll < 0.9 else rng.randint(3, 20)
    pages = rng.sample(range(N_PAGES), n)
    return [Record(p, f"{tag}p{p}:".encode().ljust(rng.randint(8, 100), b"."))
            for p in pages]


def configure(parser: argparse.ArgumentParser) -> None:
    """``redospec workload``'s arguments."""
    parser.description = ("Run a threaded workload of random record groups against a fresh "
                          "redo log in DIR (optionally crashing at a random point), then "
                          "recover and report.")
    parser.add_argument("--dir", required=True, help="directory for the log (created; must not "
                        "already hold a log)")
    parser.add_argument("--threads", type=int, default=4, help="user threads (default 4)")
    parser.add_argument("--groups", type=int, default=400, help="groups in total (default 400)")
    parser.add_argument("--seed", type=int, default=None,
                        help="random seed for the groups and the crash point (default: random); "
                             "the threads' interleaving, and so the lsns, differ between runs")
    parser.add_argument("--crash", action="store_true",
                        help="crash after a random number of committed groups, then recover "
                             "from what the disk keeps (unsynced writes lost, the last one torn)")
    parser.add_argument("--version", choices=["8.0", "9.0"], default="8.0",
                        help="8.0: log closer; 9.0: flush-list-added tracker")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--ack-file", default=None, metavar="PATH",
                        help="append one JSON line per acknowledged (durable) commit to PATH as "
                             "soon as it returns: {\"end\": end_lsn, \"records\": [[page, "
                             "payload], ...]} (for a parent that SIGKILLs this process)")


def _validate(args: argparse.Namespace) -> None:
    """Check the arguments and create ``--dir``; bad input raises :class:`UsageError`."""
    if not 1 <= args.threads <= 256:
        raise UsageError(f"--threads must be in 1..256, not {args.threads}")
    if not 1 <= args.groups <= 10_000_000:
        raise UsageError(f"--groups must be in 1..10000000, not {args.groups}")
    if not args.dir.strip():
        raise UsageError("--dir is empty; name a directory for the new log")
    directory = Path(args.dir)
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"--dir {directory} exists and is not a directory")
    if directory.is_dir() and any(directory.iterdir()):
        raise UsageError(f"--dir {directory} is not empty; the workload needs a fresh log")
    try:   # created here so an unusable --dir is bad input (status 2), before any thread runs
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--dir {directory}: cannot create it: {exc.strerror}") from None
    if args.seed is None:
        args.seed = random.randrange(2**31)


def _copy_image(image: FaultStore, target: Store) -> None:
    for name in image.names():
        data = image.read(name, 0, image.size(name))
        target.create(name, len(data))
        target.write(name, 0, data)
        target.fsync(name)


def run_workload(args: argparse.Namespace, progress: Any = None) -> dict[str, Any]:
    """Run the workload described by ``args``; return the result as a dict."""
    rng = random.Random(args.seed)
    directory = Path(args.dir)
    log, fault_store = _create_log(args, directory)
    crash_after = rng.randint(1, args.groups) if args.crash else None
    per_thread = _shares(args.groups, args.threads)
    committed: list[tuple[int, list[Record]]] = []
    lock = threading.Lock()
    stop = threading.Event()
    crashed = threading.Event()
    crash_info: dict[str, Any] = {}
    errors: list[BaseException] = []
    seeds = [rng.randrange(2**31) for _ in range(args.threads)]
    ack_fd = _open_acks(getattr(args, "ack_file", None))
    start = time.monotonic()

    def crash_now() -> None:
        assert fault_store is not None
        flushed = log.flushed_to_disk_lsn  # read first: all of it is durable in the image
        image = fault_store.crash(torn=True, rng=random.Random(args.seed))
        crash_info.update(flushed_to_disk_lsn=flushed, write_lsn=log.write_lsn,
                          current_lsn=log.current_lsn, groups_committed=len(committed),
                          image=image)
        crashed.set()
        stop.set()

    def user(t: int) -> None:
        thread_rng = random.Random(seeds[t])
        try:
            for i in range(per_thread[t]):
                if stop.is_set():
                    return
                records = random_group(thread_rng, f"t{t}g{i}")
                end = log.commit(records)
                with lock:
                    if crashed.is_set():
                        return  # committed after the crash instant: not part of the image
                    committed.append((end, records))
                    _ack(ack_fd, end, records)
                    n = len(committed)
                    if crash_after is not None and n >= crash_after and not crashed.is_set():
                        crash_now()
                    if progress and n % max(1, args.groups // 10) == 0:   # in order, under lock
                        progress(f"workload: {n}/{args.groups} groups committed, lsn {end}")
        except BaseException as exc:
            errors.append(exc)
            stop.set()

    threads = [threading.Thread(target=user, args=(t,), name=f"user-{t}", daemon=True)
               for t in range(args.threads)]
    try:
        _start_and_join(threads)
    except KeyboardInterrupt:
        _stop_after_interrupt(args, log, stop, threads, crashed, crash_now, lock, crash_info,
                              committed)
        raise
    elapsed = time.monotonic() - start
    if ack_fd is not None:
        os.close(ack_fd)
    counters = log.counters()
    lsns = log.lsn_values()
    _leave_consistent(args, log, crashed, lock, crash_now, crash_info, directory)
    if errors:
        raise errors[0]
    if progress:
        progress(f"workload: {len(committed)} groups in {elapsed:.2f} s; recovering {directory}")
    return _result(args, directory, committed, elapsed, lsns, counters, crash_info)


def _result(args: argparse.Namespace, directory: Path, committed: list[tuple[int, list[Record]]],
            elapsed: float, lsns: dict[str, int], counters: dict[str, int],
            crash_info: dict[str, Any]) -> dict[str, Any]:
    """Recover DIR, check it against the committed groups, and the run's result as a dict."""
    report = recover(directory)
    problems = check(report, committed)
    return dict(
        dir=str(directory), threads=args.threads, groups=len(committed), seed=args.seed,
        version=args.version, seconds=round(elapsed, 3),
        commits_per_second=round(len(committed) / elapsed, 1) if elapsed else None,
        lsn=lsns, counters=counters,
        crash={k: v for k, v in crash_info.items() if k != "image"} if args.crash else None,
        recovery=report_dict(report), report=report, problems=problems, ok=not problems,
        recovered_unacknowledged=_unacknowledged(report, committed),
    )


def _start_and_join(threads: list[threading.Thread]) -> None:
    """Start the user threads and wait for them, with a timeout so Ctrl-C is handled at once."""
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():
            thread.join(0.2)


def _shares(groups: int, threads: int) -> list[int]:
    """``groups`` shared out over ``threads`` as evenly as possible."""
    return [groups // threads + (t < groups % threads) for t in range(threads)]


def _open_acks(path: str | None) -> int | None:
    """``--ack-file``: the file descriptor acknowledged commits are appended to (or None)."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644) if path else None


def _ack(fd: int | None, end: int, records: list[Record]) -> None:
    """One JSON line per acknowledged commit, in one write: a kill leaves whole lines."""
    if fd is not None:
        os.write(fd, (json.dumps({"end": end, "records": [
            [r.page_no, r.payload.decode("latin-1")] for r in records]}) + "\n").encode())


def _create_log(args: argparse.Namespace, directory: Path) -> tuple[RedoLog, FaultStore | None]:
    """The fresh log of the run: in DIR, or (``--crash``) on an in-memory FaultStore whose
    crash image is written to DIR at the end."""
    directory.mkdir(parents=True, exist_ok=True)
    config = workload_config()
    if args.version != config.version:
        import attrs

        config = attrs.evolve(config, version=args.version)
    fault_store = FaultStore() if args.crash else None
    store: Store = fault_store if fault_store is not None else DirStore(directory)
    return RedoLog.create(store, config), fault_store


def _leave_consistent(args: argparse.Namespace, log: RedoLog, crashed: threading.Event,
                      lock: threading.Lock, crash_now: Any, crash_info: dict[str, Any],
                      directory: Path) -> str:
    """Leave DIR consistent: with ``--crash`` the crash happens now (unless it did already)
    and its image is written to DIR; without, the log is closed cleanly. Returns what DIR
    holds, in words."""
    if args.crash:
        log.stop_threads()
        if not crashed.is_set():
            with lock:
                crash_now()
        log.close(flush=False)
        _copy_image(crash_info.pop("image"), DirStore(directory))
        return "the image a crash at the interrupt would leave (the files are consistent)"
    log.close()
    return "a cleanly closed log (consistent: every committed group is written and synced)"


def _unacknowledged(report: RecoveryReport, committed: list[tuple[int, list[Record]]]) -> int:
    """Groups recovered after the checkpoint that no user had been told were committed:
    written (and synced) by the log threads before the crash, but their commit had not
    returned yet."""
    acknowledged = sum(1 for end, _ in committed if end > report.checkpoint.lsn)
    found = report.groups_applied + report.groups_already_on_pages
    return max(0, found - acknowledged)


INTERRUPTED: list[str] = []
"""What an interrupted workload had done and left in DIR (read by ``interrupt_summary``)."""


def _stop_after_interrupt(args: argparse.Namespace, log: RedoLog, stop: threading.Event,
                          threads: list[threading.Thread], crashed: threading.Event,
                          crash_now: Any, lock: threading.Lock, crash_info: dict[str, Any],
                          committed: list[tuple[int, list[Record]]]) -> None:
    """Ctrl-C: the users stop after their current commit and the log is left consistent.

    Without ``--crash`` the log is closed cleanly (everything committed is written and synced),
    so DIR holds a log that recovery opens; with ``--crash`` the crash happens now and its image
    is written to DIR, as at the end of a crash run."""
    stop.set()
    deadline = time.monotonic() + 0.5
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    directory = Path(args.dir)
    state = _leave_consistent(args, log, crashed, lock, crash_now, crash_info, directory)
    INTERRUPTED.append(
        f"{len(committed)} of {args.groups} groups committed; {directory} holds {state}; "
        f"inspect it with 'redospec inspect {directory}', recover it with "
        f"RedoLog.open('{directory}') (impl.redolog)")


def check(report: RecoveryReport, committed: list[tuple[int, list[Record]]]) -> list[str]:
    """Every committed (durable) group is in the recovered pages (RC-4): each page holds the
    newest committed record for it, or a newer one from a group that was still in flight."""
    newest: dict[int, tuple[int, bytes]] = {}
    for end, records in sorted(committed, key=lambda c: c[0]):
        for r in records:
            newest[r.page_no] = (end, r.payload)
    problems = []
    for page, (end, payload) in sorted(newest.items()):
        got_lsn, got_payload = report.pages.get(page, (0, b""))
        if got_lsn < end:
            problems.append(f"page {page}: page_lsn {got_lsn} < committed group end {end}")
        elif got_lsn == end and got_payload != payload:
            problems.append(f"page {page}: payload differs from the group ending at {end}")
    for page, (got_lsn, _) in report.pages.items():
        if page not in newest and got_lsn != 0 and not committed:
            problems.append(f"page {page}: page_lsn {got_lsn} but no group was committed")
    return problems


def report_dict(report: RecoveryReport) -> dict[str, Any]:
    cp = report.checkpoint
    return dict(checkpoint=dict(slot=cp.slot, checkpoint_no=cp.checkpoint_no, lsn=cp.lsn),
                start_lsn=report.start_lsn, end_lsn=report.end_lsn,
                groups_applied=report.groups_applied, groups_skipped=report.groups_skipped,
                stop_lsn=report.stop_lsn, stop_file=report.stop_file,
                stop_offset=report.stop_offset, stop_reason=report.stop_reason)


def interrupt_summary() -> str:
    """The line ``redospec workload`` prints on Ctrl-C (see :func:`_stop_after_interrupt`)."""
    return INTERRUPTED[-1] if INTERRUPTED else "stopped before the log was created"


def main(argv: Sequence[str]) -> int:
    """``redospec workload`` on its own (``argv`` may start with "workload")."""
    return run_command("workload", configure, run, argv, sys.modules[__name__])


def run(args: argparse.Namespace) -> int:
    """Run the workload, print the result and the recovery report; 0 iff the check passed."""
    _validate(args)

    def progress(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    try:
        result = run_workload(args, progress)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        raise UsageError(f"{where}{exc.strerror or exc}") from None
    report = result.pop("report")
    if args.json:
        print(output.to_json(result))
    else:
        print(f"workload: {result['groups']} groups committed by {args.threads} threads "
              f"in {result['seconds']} s ({result['commits_per_second']} commits/s), "
              f"seed {args.seed}, version {args.version}")
        c = result["counters"]
        print(f"log: {c['log_writes']} writes ({c['full_block_writes']} full-block, "
              f"{c['partial_block_writes']} partial), {c['fsyncs']} fsyncs, "
              f"{c['checkpoints']} checkpoints, {c['pages_flushed']} pages flushed, "
              f"{c['write_ahead_padding_bytes']} padding bytes")
        if result["crash"]:
            cr = result["crash"]
            print(f"crash after {cr['groups_committed']} groups: flushed_to_disk_lsn "
                  f"{cr['flushed_to_disk_lsn']}, write_lsn {cr['write_lsn']}, "
                  f"current lsn {cr['current_lsn']}")
        print(report.summary())
        if result["recovered_unacknowledged"]:
            n = result["recovered_unacknowledged"]
            print(f"note: recovery found {n} group(s) more than were acknowledged as committed "
                  f"before the crash: the log threads had written and synced them, but their "
                  f"commit calls had not returned yet. Recovering them is correct: a commit "
                  f"that had not returned may or may not survive a crash; one that had returned "
                  f"must (checked below)")
        if result["ok"]:
            print(f"check: all {result['groups']} committed groups are in the recovered pages")
    for problem in result["problems"]:
        print(f"check FAILED: {problem}", file=sys.stderr)
    return 0 if result["ok"] else 1
