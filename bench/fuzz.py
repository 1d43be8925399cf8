"""Benchmark of fuzz campaigns: examples/s with 1 and 2 workers, on a local folder and on a real
Redis server, and the time a campaign of 1 or 2 workers takes to find a seeded bug.

    .venv/bin/python bench/fuzz.py [--seconds S] [--target CHECK] [--find-runs K]
                                   [--out FILE] [--update-results]

Each configuration is one ``redospec fuzz`` campaign (``campaign.runner.Campaign``, worker
processes and all) of S seconds (default 30); the rate counts the examples run after the first
5 s (worker start-up excluded). The Redis runs start ``redis-server`` on a free loopback port
(skipped, saying so, without it). ``--find-runs K`` campaigns per worker count fuzz the stepped
check with the seeded bug ``write_ahead_padding_missing`` and record when it was found (median).
The report goes to stdout; ``--out FILE`` also writes it to FILE and ``--update-results`` to the
committed bench/RESULTS-fuzz.md (never by default). Targets: 2 workers at least 1.7x one worker
on 2 cores; Redis at most 10% slower than a folder; a seeded bug found by 2 workers no later
(median) than by one. Numbers depend on the machine and its load: the file records both.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from campaign import db as dbmod
from campaign.runner import Campaign, Result

WARMUP_S = 5.0
MUTANT = "write_ahead_padding_missing"


def load() -> str:
    """``uptime``'s load averages (1, 5, 15 minutes)."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def steady_rate(result: Result) -> float:
    """Examples/s after the warm-up (from the first sample at or after it to the end)."""
    later = [s for s in result.samples if s.seconds >= WARMUP_S]
    if len(later) < 2:
        return result.total_examples / max(1e-9, result.seconds)
    first, last = later[0], later[-1]
    return (last.examples - first.examples) / max(1e-9, last.seconds - first.seconds)


def children_cpu() -> float:
    """CPU seconds used by this process's finished children (the campaign's workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def campaign(db: str, workers: int, seconds: float, target: str,
             mutant: str | None = None) -> Result:
    run = Campaign(layers=dbmod.parse(db), workers=workers, minutes=seconds / 60,
                   targets=[target], mutant=mutant, interval=1.0, shrink_seconds=3)
    return run.run()


class Redis:
    def __init__(self, workdir: str) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", workdir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        end = time.monotonic() + 10
        while True:
            try:
                dbmod.ping(dbmod.parse(self.url))
                return
            except dbmod.DatabaseError:
                if time.monotonic() > end:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


Row = tuple[str, int, float, int, float, str]
"""database, workers, examples/s, examples, examples per worker CPU-second, load."""


def _measure(args: argparse.Namespace) -> tuple[list[Row], dict[int, list[float]]]:
    """Run the throughput configurations and the seeded-bug campaigns."""
    rows: list[Row] = []
    finds: dict[int, list[float]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory() as tmp:
        server = Redis(tmp) if shutil.which("redis-server") else None
        try:
            dbs = [("folder", str(Path(tmp) / "dir"))]
            if server:
                dbs.append(("Redis", server.url))
            else:
                print("redis-server not found: the Redis rows are left out", file=sys.stderr)
            for label, db in dbs:
                for workers in (1, 2):
                    print(f"{label}, {workers} worker(s), {args.seconds:g} s ...",
                          file=sys.stderr)
                    before, cpu = load(), children_cpu()
                    result = campaign(db, workers, args.seconds, args.target)
                    per_cpu = result.total_examples / max(1e-9, children_cpu() - cpu)
                    rows.append((label, workers, steady_rate(result), result.total_examples,
                                 per_cpu, f"{before} / {load()}"))
                    print(f"  {rows[-1][2]:.1f} examples/s", file=sys.stderr)
            for run in range(args.find_runs):
                for workers in (1, 2):
                    db = str(Path(tmp) / f"find-{workers}-{run}")
                    print(f"seeded bug, {workers} worker(s), run {run + 1} ...",
                          file=sys.stderr)
                    result = campaign(db, workers, 120, "stepped", MUTANT)
                    if result.failures:
                        finds[workers].append(min(f.found_after for f in result.failures))
        finally:
            if server:
                server.stop()

    return rows, finds


def _report(args: argparse.Namespace, rows: list[Row],
            finds: dict[int, list[float]]) -> list[str]:
    """The results file's lines."""
    rate = {(label, w): r for label, w, r, _, _, _ in rows}
    cpu_rate = {(label, w): c for label, w, _, _, c, _ in rows}
    lines = [
        "# Fuzz campaign benchmark",
        "",
        f"Taken {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.node()} "
        f"({os.cpu_count()} cores, Python {platform.python_version()}), with other jobs "
        f"sharing the machine (load averages in the table: before / after each run), so the "
        f"ratios are under load; `.venv/bin/python bench/fuzz.py --seconds {args.seconds:g} "
        f"--find-runs {args.find_runs}` reproduces it. Check fuzzed: `{args.target}`; rate: "
        f"examples/s after the first {WARMUP_S:g} s; per CPU-second: all examples over the "
        "workers' CPU time, start-up included (what a worker costs, whatever the load).",
        "",
        "| database | workers | examples/s | examples | examples per worker CPU-second | "
        "load (1, 5, 15 min) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    lines += [f"| {label} | {w} | {r:.1f} | {n} | {c:.2f} | {ld} |"
              for label, w, r, n, c, ld in rows]
    lines += ["", "| measure | value | target |", "|---|---|---|"]
    for label in ("folder", "Redis"):
        if (label, 1) in rate and (label, 2) in rate:
            lines.append(f"| 2 workers / 1 worker ({label}) | "
                         f"{rate[(label, 2)] / max(1e-9, rate[(label, 1)]):.2f}x | >= 1.7x |")
    for w in (1, 2):
        if ("Redis", w) in rate and ("folder", w) in rate:
            wall = rate[("Redis", w)] / max(1e-9, rate[("folder", w)])
            cpu = cpu_rate[("Redis", w)] / max(1e-9, cpu_rate[("folder", w)])
            lines.append(f"| Redis / folder, {w} worker(s): examples/s; per CPU-second | "
                         f"{wall:.2f}x; {cpu:.2f}x | >= 0.90x |")
    if args.find_runs:
        for w in (1, 2):
            times = finds[w]
            shown = ", ".join(f"{t:.1f}" for t in times) or "-"
            median = f"{statistics.median(times):.1f} s" if times else "not found"
            lines.append(f"| seeded bug `{MUTANT}` found, {w} worker(s) (median of "
                         f"{args.find_runs}; runs: {shown}) | {median} | 2 workers no later |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0,
                        help="seconds per throughput configuration (default 30)")
    parser.add_argument("--target", default="stepped", help="the check fuzzed (default stepped)")
    parser.add_argument("--find-runs", type=int, default=3, metavar="K",
                        help="seeded-bug campaigns per worker count (default 3; 0: none)")
    parser.add_argument("--out", default=None, metavar="FILE",
                        help="also write the report to FILE (default: stdout only)")
    parser.add_argument("--update-results", action="store_true",
                        help="also write the committed bench/RESULTS-fuzz.md")
    args = parser.parse_args(argv)
    if not args.seconds > WARMUP_S + 2:
        print(f"bench/fuzz.py: --seconds must be more than {WARMUP_S + 2:g}", file=sys.stderr)
        return 2
    outs = [Path(args.out)] if args.out else []
    if args.update_results:
        outs.append(Path(__file__).with_name("RESULTS-fuzz.md"))

    rows, finds = _measure(args)
    lines = _report(args, rows, finds)
    print("\n".join(lines))
    for out in outs:
        out.write_text("\n".join(lines) + "\n")
        print(f"written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
