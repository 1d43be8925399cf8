"""``redospec faults [--json] [--minutes N] [--parts P,...] [--seed S]``: the reliability campaign.

Five parts, run one after the other in this process (the kills in child processes):

=========  ==============================================================================
crash      every crash state the OS may leave after each operation of a recorded workload
io         EIO / ENOSPC / short write at the n-th write, fsync, create, rename and read
kill       SIGKILL a threaded ``redospec workload`` child; check its streamed acks
damage     bit flips, zeroed blocks, truncation, garbage on fixture files and own logs
soak       64 user threads, slowed checkpointer and page cleaner, the log fills repeatedly
=========  ==============================================================================

Without ``--minutes`` each part runs at its quick size (about a minute in all). With
``--minutes N`` the N minutes are shared out (crash 25 %, io 20 %, kill 25 %, damage 15 %,
soak 15 %, renormalized over the parts chosen with ``--parts``) and each part works until its
share is used, starting new seeds as it finishes one. Prints one table (``--json``: one
object); exit status 0 if nothing was lost and nothing crashed or hung, 1 otherwise, 2 on bad
input, 130 on Ctrl-C (with one line of what was done).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from faults import crashstates, damage, ioerrors, kills, soak
from faults.common import Deadline, Tally
from redospec import output
from redospec.command import run_command
from redospec.errors import UsageError

PARTS = ("crash", "io", "kill", "damage", "soak")
SHARES = {"crash": 0.25, "io": 0.20, "kill": 0.25, "damage": 0.15, "soak": 0.15}
KEYS = ("verdict", "crash_states", "io_errors_injected", "process_kills", "acknowledged_lost",
        "partial_groups_applied", "corrupt_blocks_applied", "damaged_files_tried", "tracebacks",
        "hangs", "seconds")


def configure(parser: argparse.ArgumentParser) -> None:
    """``redospec faults``' arguments."""
    parser.description = ("Reliability campaign: crash states, I/O errors, process kills, "
                          "damaged files and a soak; exit 1 on any acknowledged commit lost, "
                          "partial group, corrupt block applied, traceback or hang.")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--minutes", type=float, default=None,
                        help="long mode: share N minutes among the parts (default: quick sizes)")
    parser.add_argument("--parts", default=",".join(PARTS),
                        help=f"comma-separated subset of {','.join(PARTS)} (default: all)")
    parser.add_argument("--seed", type=int, default=1, help="first seed (default 1)")
    parser.add_argument("--io-commits", type=int, default=None, metavar="N",
                        help="commits of the io part's script (default: 20 quick, 200 long, "
                             "1000 when the io part has an hour)")


def _validate(args: argparse.Namespace) -> None:
    """Check the arguments; ``args.parts`` becomes the list of parts to run."""
    if args.io_commits is not None and not 1 <= args.io_commits <= 100_000:
        raise UsageError(f"--io-commits must be in 1..100000, not {args.io_commits}")
    if args.minutes is not None and not 0 < args.minutes <= 24 * 60:
        raise UsageError(f"--minutes must be in (0, 1440], not {args.minutes:g}")
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = [p for p in parts if p not in PARTS]
    if unknown or not parts:
        raise UsageError(f"--parts: unknown part(s) {','.join(unknown) or '(none)'}; "
                         f"choose from {','.join(PARTS)}")
    args.parts = parts


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _figures(part: str, tally: Tally) -> str:
    n = tally.notes
    if part == "crash":
        return (f"{tally.crash_states} crash states of {n.get('crash_commits', 0)} commits "
                f"({n.get('crash_ops_recorded', 0)} I/O operations)")
    if part == "io":
        return (f"{tally.io_errors_injected} errors injected in "
                f"{n.get('io_runs_done', 0)}/{n.get('io_runs_planned', 0)} planned runs")
    if part == "kill":
        return (f"{tally.process_kills} SIGKILLs, {n.get('kill_acks_checked', 0)} "
                f"acknowledgements checked")
    if part == "damage":
        return (f"{tally.damaged_files_tried} damaged files "
                f"({n.get('damage_recovery_ok', 0)} recovered, "
                f"{n.get('damage_recovery_clean_errors', 0)} clean errors)")
    s = n.get("soak", {})
    rows = tally.soak
    rate = sum(r["commits"] for r in rows) / max(1e-9, s.get("seconds", 0) or 1)
    worst = max((r["p99_ms"] for r in rows), default=0.0)
    return (f"{s.get('threads', 0)} threads, {s.get('commits', 0)} commits, {rate:.0f}/s, "
            f"worst p99 {worst} ms, log full {s.get('log_full_waits', 0)} waits")


def run_part(part: str, tally: Tally, args: argparse.Namespace, workdir: Path,
             progress: Callable[[str], None]) -> None:
    """Run one part: quick sizes, or as many seeds as its share of ``--minutes`` allows."""
    long = args.minutes is not None
    total_share = sum(SHARES[p] for p in args.parts)   # the selected parts share all N minutes
    budget = args.minutes * 60 * SHARES[part] / total_share if long else None
    deadline = Deadline(budget)
    seed = args.seed
    if part == "crash":
        while True:
            crashstates.run(tally, commits=300 if long else 60, threads=4, seed=seed,
                            max_states=100_000 if long else 1500, deadline=deadline,
                            progress=progress)
            seed += 1
            if not long or deadline.expired():
                return
    elif part == "io":
        commits = args.io_commits or (
            1000 if long and budget and budget >= 3600 else (200 if long else 20))
        ioerrors.run(tally, commits=commits, threads=4, seed=seed, deadline=deadline,
                     stride=1 if long else 3, progress=progress)
    elif part == "kill":
        kills.run(tally, kills=500 if long else 5, threads=16, seed=seed, deadline=deadline,
                  workdir=workdir / "kills", progress=progress)
    elif part == "damage":
        shm = Path("/dev/shm")
        where = Path(tempfile.mkdtemp(prefix="redospec-damage-",
                                      dir=shm if shm.is_dir() else None))
        try:
            damage.run(tally, examples=10_000 if long else 150, seed=seed, deadline=deadline,
                       workdir=where, progress=progress)
        finally:
            shutil.rmtree(where, ignore_errors=True)
    elif part == "soak":
        seconds = budget if budget is not None else 10.0
        soak.run(tally, seconds=seconds, interval=10.0 if long else 2.5, seed=seed,
                 workdir=workdir, progress=progress)


def result(tally: Tally, seconds: float, rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "verdict": "ok" if tally.ok else "failed",
        "crash_states": tally.crash_states,
        "io_errors_injected": tally.io_errors_injected,
        "process_kills": tally.process_kills,
        "acknowledged_lost": tally.acknowledged_lost,
        "partial_groups_applied": tally.partial_groups_applied,
        "corrupt_blocks_applied": tally.corrupt_blocks_applied,
        "damaged_files_tried": tally.damaged_files_tried,
        "tracebacks": tally.tracebacks,
        "hangs": tally.hangs,
        "seconds": round(seconds, 1),
    }
    out["other_failures"] = tally.other_failures
    out["parts"] = rows
    out["soak_intervals"] = tally.soak
    out["failures"] = tally.failures
    out["notes"] = tally.notes
    return out


def format_table(res: dict[str, Any]) -> str:
    """The parts' table, the failure counts, the soak intervals and the verdict line."""
    rows = [["part", "verdict", "figures", "seconds"]]
    rows += [[r["part"], r["verdict"], r["figures"], f"{r['seconds']:.1f}"]
             for r in res["parts"]]
    lines = [output.table(rows, right={3}), ""]
    lines.append(f"lost {res['acknowledged_lost']}, partial groups {res['partial_groups_applied']}"
                 f", corrupt blocks applied {res['corrupt_blocks_applied']}, tracebacks "
                 f"{res['tracebacks']}, hangs {res['hangs']}, other {res['other_failures']}")
    if res["soak_intervals"]:
        lines.append("")
        lines.append("soak interval  commits/s  p99 ms  rss MiB  log-full waits  checkpoints")
        for r in res["soak_intervals"]:
            lines.append(f"{r['t']:>12.1f}s  {r['commits_per_s']:>9.1f}  {r['p99_ms']:>6.1f}  "
                         f"{r['rss_mib']:>7.1f}  {r['log_full_waits']:>14}  "
                         f"{r['checkpoints']:>11}")
    for f in res["failures"][:20]:
        lines.append(f"FAILED {f}")
    lines.append(f"faults: {'OK' if res['verdict'] == 'ok' else 'FAILED'} "
                 f"in {res['seconds']} s")
    return "\n".join(lines)


def _done_line(tally: Tally, began: float) -> str:
    return (f"redospec faults: interrupted after {time.monotonic() - began:.0f} s: "
            f"{tally.crash_states} crash states, {tally.io_errors_injected} I/O errors injected, "
            f"{tally.process_kills} kills, {tally.damaged_files_tried} damaged files, "
            f"{len(tally.soak)} soak intervals; {len(tally.failures)} failures so far")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m faults``: the same as ``redospec faults``."""
    return run_command("faults", configure, run, sys.argv[1:] if argv is None else argv)


def run(args: argparse.Namespace) -> int:
    """Run the chosen parts; 0 if nothing was lost and nothing crashed or hung."""
    _validate(args)
    tally = Tally()
    began = time.monotonic()
    rows: list[dict[str, Any]] = []
    workdir = Path(tempfile.mkdtemp(prefix="redospec-faults-"))
    try:
        for part in args.parts:
            start = time.monotonic()
            before = len(tally.failures), _bad(tally)
            _progress(f"faults: {part} ...")
            run_part(part, tally, args, workdir, _progress)
            rows.append(dict(part=part, verdict="ok" if _bad(tally) == before[1] else "failed",
                             figures=_figures(part, tally),
                             seconds=round(time.monotonic() - start, 1)))
    except KeyboardInterrupt:
        print(_done_line(tally, began), file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    res = result(tally, time.monotonic() - began, rows)
    if args.json:
        print(output.to_json(res))
    else:
        print(format_table(res))
    return 0 if tally.ok else 1


def _bad(tally: Tally) -> int:
    return (tally.acknowledged_lost + tally.partial_groups_applied + tally.corrupt_blocks_applied
            + tally.tracebacks + tally.hangs + tally.other_failures)
