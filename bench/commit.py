"""Durable commits per second: the redo log pipeline vs the naive design vs the device.

``python bench/commit.py [--dir DIR] [--seconds S] [--rounds R] [--threads 1,4,16,64]``

For each thread count, the same run measures (in interleaved rounds, because a virtual disk's
fsync latency drifts by a factor of ten within seconds; the table shows the medians):

* **pipeline** - ``RedoLog.commit(records)`` from T threads (impl/, real files, fdatasync): each
  commit returns only when its group is durable (USR-6). Group commit comes from the design:
  while the flusher fsyncs, other users copy and link; one fsync covers them all (FL-1).
* **naive** - the textbook design: one lock held across ``pwrite`` of the same group bytes and
  ``fdatasync``, per commit, from T threads (one fsync per commit, no overlap).
* **device** - the device's limit: one thread writing the same bytes with ``fdatasync`` after
  each write, no locking: the most durable single writes per second the device gives
  (measured with the CPU kept awake and idle, see :func:`bench_device`).

It prints a markdown table (commits/s, fsyncs per commit, ratios) on stdout; ``--out FILE``
also writes the full report to FILE, and ``--update-results`` to the committed
bench/RESULTS-commit.md (never by default). Targets: at 16 threads at least 2x the naive
design; at 64 threads at most one fsync per 8 commits. Run it on a real disk (not tmpfs): the
default directory is a temporary one under /work.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from impl.config import LogConfig
from impl.records import Record, encode_group
from impl.redolog import RedoLog

PAYLOAD = b"r" * 100
N_PAGES = 1024
FILE_SIZE = 64 * 1024 * 1024
PLAIN_FILE_SIZE = 16 * 1024 * 1024


NOTES = """\
* *fsyncs per commit* counts the flusher's fsyncs of the log files (FL-1); at T threads one
  fsync covers the commits of every thread that linked its group while the previous fsync ran
  (group commit falls out of the design, nothing batches explicitly).
* The naive design does exactly one fdatasync per commit, under its lock.
* On a virtual machine the latency of one fdatasync depends on whether the vCPU is busy: an
  idle vCPU is descheduled during the I/O and wakes up milliseconds late. The device is
  therefore measured twice, with a second thread keeping the CPU awake and without; even so the
  figures drift by up to 10x between rounds (hence interleaved rounds and medians), and the
  pipeline's own background threads keep its CPU busier than either device loop, which is why a
  single pipeline thread can beat the single-thread device figure.
"""


def run_threads(n: int, seconds: float, body: object) -> tuple[int, float]:
    """Run ``body(thread_index, stop_event) -> commits`` in n threads for ``seconds``."""
    stop = threading.Event()
    counts = [0] * n

    def worker(i: int) -> None:
        counts[i] = body(i, stop)  # type: ignore[operator]

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return sum(counts), time.perf_counter() - start


def bench_pipeline(directory: Path, n: int, seconds: float) -> tuple[float, float]:
    """(commits/s, fsyncs per commit) of RedoLog.commit from n threads."""
    config = LogConfig(file_size=FILE_SIZE, n_files=2, n_pages=N_PAGES, page_size=256,
                       log_buffer_size=4 * 1024 * 1024, checkpoint_every_ms=1000)
    log = RedoLog.create(directory, config)

    def body(i: int, stop: threading.Event) -> int:
        done = 0
        page = i % N_PAGES
        while not stop.is_set():
            log.commit([Record(page, PAYLOAD)])
            done += 1
        return done

    commits, elapsed = run_threads(n, seconds, body)
    fsyncs = log.counters()["fsyncs"]
    log.close()
    return commits / elapsed, fsyncs / max(commits, 1)


def _log_file(path: Path) -> int:
    """A preallocated file, every byte written and synced: the best case for the device (a
    write never extends the file nor allocates blocks, so fdatasync flushes only data)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
    chunk = bytes(1 << 20)
    for offset in range(0, PLAIN_FILE_SIZE, len(chunk)):
        os.pwrite(fd, chunk, offset)
    os.fsync(fd)
    return fd


def bench_naive(directory: Path, n: int, seconds: float) -> tuple[float, float]:
    """One lock across pwrite + fdatasync per commit, from n threads."""
    data = encode_group([Record(0, PAYLOAD)])
    fd = _log_file(directory / "naive.log")
    lock = threading.Lock()
    offset = [0]

    def body(i: int, stop: threading.Event) -> int:
        done = 0
        while not stop.is_set():
            with lock:
                os.pwrite(fd, data, offset[0])
                offset[0] = (offset[0] + len(data)) % (PLAIN_FILE_SIZE - len(data))
                os.fdatasync(fd)
            done += 1
        return done

    try:
        commits, elapsed = run_threads(n, seconds, body)
    finally:
        os.close(fd)
    return commits / elapsed, 1.0


def bench_device(directory: Path, seconds: float, awake: bool) -> float:
    """Single-thread pwrite + fdatasync of the same bytes, no locking: writes/s.

    With ``awake``, a second thread keeps yielding (``sleep(0)``) meanwhile: on a virtual
    machine an idle vCPU is descheduled while the fsync runs and wakes up milliseconds late,
    which costs a single writer 2-3x; the pipeline and the naive design keep the CPU busy with
    their other threads, so the awake figure is the fair limit.
    """
    data = encode_group([Record(0, PAYLOAD)])
    fd = _log_file(directory / "device.log")
    stop = threading.Event()

    def keep_awake() -> None:
        while not stop.is_set():
            time.sleep(0)

    spinner = threading.Thread(target=keep_awake)
    if awake:
        spinner.start()
    try:
        done = 0
        offset = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            os.pwrite(fd, data, offset)
            offset = (offset + len(data)) % (PLAIN_FILE_SIZE - len(data))
            os.fdatasync(fd)
            done += 1
        return done / (time.perf_counter() - start)
    finally:
        stop.set()
        if awake:
            spinner.join()
        os.close(fd)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", default=None, help="directory on the disk to measure "
                        "(default: a temporary directory under /work)")
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="seconds per point and design (default 3)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved rounds per point; the table shows medians (default 3)")
    parser.add_argument("--threads", default="1,4,16,64", help="comma-separated thread counts")
    parser.add_argument("--out", default=None, metavar="FILE",
                        help="also write the report to FILE (default: stdout only)")
    parser.add_argument("--update-results", action="store_true",
                        help="also write the committed bench/RESULTS-commit.md")
    args = parser.parse_args(argv)
    outs = [Path(args.out)] if args.out else []
    if args.update_results:
        outs.append(Path(__file__).with_name("RESULTS-commit.md"))
    try:
        counts = [int(x) for x in args.threads.split(",")]
        if not counts or min(counts) < 1 or args.rounds < 1 or args.seconds <= 0:
            raise ValueError
    except ValueError:
        print("bench/commit.py: --threads must be positive integers (not "
              f"{args.threads!r}), --rounds >= 1, --seconds > 0", file=sys.stderr)
        return 2
    base = Path(args.dir) if args.dir else Path("/work" if Path("/work").is_dir() else ".")
    root = Path(tempfile.mkdtemp(prefix="bench-commit-", dir=base))
    rows = []
    per_round = args.seconds / args.rounds
    try:
        for n in counts:
            pipes, fpcs, naives, devices, idles = [], [], [], [], []
            for r in range(args.rounds):  # interleaved, so that a noisy disk hits all three
                print(f"{n} threads, round {r + 1}/{args.rounds}: pipeline, naive, device",
                      file=sys.stderr, flush=True)
                pipe_dir = root / f"pipeline-{n}-{r}"
                pipe, fpc = bench_pipeline(pipe_dir, n, per_round)
                shutil.rmtree(pipe_dir)
                pipes.append(pipe)
                fpcs.append(fpc)
                naives.append(bench_naive(root, n, per_round)[0])
                devices.append(bench_device(root, per_round / 2, awake=True))
                idles.append(bench_device(root, per_round / 2, awake=False))
            rows.append((n, statistics.median(pipes), statistics.median(fpcs),
                         statistics.median(naives), statistics.median(devices),
                         statistics.median(idles)))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    lines = [
        "| threads | pipeline commits/s | fsyncs per commit | naive commits/s | "
        "pipeline / naive | device fdatasync/s (awake / idle CPU) | pipeline / device (awake) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, pipe, fpc, naive, device, idle in rows:
        lines.append(f"| {n} | {pipe:,.0f} | {fpc:.3f} (1 per {1 / fpc if fpc else 0:.1f}) | "
                     f"{naive:,.0f} | {pipe / naive:.2f}x | {device:,.0f} / {idle:,.0f} | "
                     f"{pipe / device:.2f}x |")
    targets = []
    by_n = {n: (pipe, fpc, naive) for n, pipe, fpc, naive, _, _ in rows}
    if 16 in by_n:
        pipe, _, naive = by_n[16]
        targets.append(f"- 16 threads: pipeline / naive = {pipe / naive:.2f}x (target >= 2x): "
                       f"{'met' if pipe >= 2 * naive else 'NOT met'}")
    if 64 in by_n:
        _, fpc, _ = by_n[64]
        targets.append(f"- 64 threads: {fpc:.3f} fsyncs per commit (target <= 0.125): "
                       f"{'met' if fpc <= 0.125 else 'NOT met'}")
    table = "\n".join(lines)
    env = (f"{platform.python_implementation()} {platform.python_version()}, "
           f"{os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
           f"{args.seconds} s per point and design in {args.rounds} interleaved rounds "
           f"(medians), directory under {base}")
    text = (f"# Durable commits: pipeline vs naive vs device\n\n## Commits per second\n\n"
            f"`python bench/commit.py` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
            f"{env}).\n\n{table}\n\n" + "\n".join(targets) + "\n\n## Reading the table\n\n"
            + NOTES)
    print(table)
    print("\n".join(targets))
    for out in outs:
        out.write_text(text)
        print(f"written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
