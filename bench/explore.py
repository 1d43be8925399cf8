"""Benchmark: distinct states per second of the exhaustive explorer .

Targets: at least 20,000 distinct states/s on one core; ``small`` explored completely in under
10 minutes. Run from the repository root::

    .venv/bin/python -m bench.explore                       # tiny, then small
    .venv/bin/python -m bench.explore --preset small --max-states 300000
    .venv/bin/python -m bench.explore --preset tiny --profile 25   # cProfile's hot spots

Prints a markdown table (one row per preset, with wall-clock and CPU seconds and states per
second of each: on a shared machine states per CPU-second is the comparable figure); ``--out
FILE`` also writes it there. Each run
uses the same explorer as ``redospec explore`` (invariants, deadlock, SYS-3 liveness and
coverage all on, unless ``--no-liveness`` or ``--no-invariants``), so the figure is the one a
user sees.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import platform
import pstats
import resource
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.include import replace_section
from engine import ExploreResult, Progress, explore
from spec.cli import make_params


@dataclass
class Row:
    preset: str
    result: ExploreResult
    note: str
    cpu_seconds: float
    """CPU time of the search (``time.process_time``): on a shared machine wall time also
    counts the other jobs, CPU time counts only ours."""

    @property
    def states_per_cpu_second(self) -> float:
        """Distinct states per CPU second (the figure the 20,000 states/s target is judged by
        on a shared machine)."""
        return self.result.distinct_states / self.cpu_seconds if self.cpu_seconds > 0 else 0.0

    def cells(self) -> list[str]:
        r = self.result
        return [self.preset, f"{r.distinct_states:,}", f"{r.transitions:,}", str(r.depth),
                f"{r.seconds:.1f}", f"{r.states_per_second:,.0f}", r.verdict, self.note,
                f"{self.cpu_seconds:.1f}", f"{self.states_per_cpu_second:,.0f}"]


HEADER = ["preset", "distinct states", "transitions", "depth", "seconds", "states/s", "verdict",
          "notes", "CPU s", "states/CPU-s"]
"""``seconds`` and ``states/s`` are wall-clock; ``CPU s`` and ``states/CPU-s`` count only this
process (the comparable figure on a shared machine)."""


def table(rows: Sequence[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "|".join("---" for _ in HEADER) + "|"]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return "\n".join(lines)


class _NoProperties:
    """Wraps a model so that the run measures the search alone (``--no-invariants``)."""

    def __init__(self, model: Any) -> None:
        self._model = model

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)

    def properties(self) -> tuple[Any, ...]:
        return ()


def run_one(preset: str, sets: Sequence[str], max_states: int | None, liveness: bool,
            invariants: bool, profile: int, quiet: bool, workers: int = 1,
            fingerprints: bool | None = None) -> Row:
    from spec.model import RedoModel

    model: Any = RedoModel(make_params(preset, sets))
    if not invariants:
        model = _NoProperties(model)

    def show(p: Progress) -> None:
        if not quiet:
            print(f"[{preset}] {p.line()}", file=sys.stderr, flush=True)

    profiler = cProfile.Profile() if profile else None
    if profiler is not None:
        profiler.enable()
    cpu_started = time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = explore(model, max_states=max_states, check_liveness=liveness, progress=show,
                     workers=workers, fingerprints=fingerprints)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_seconds = (time.process_time() - cpu_started + after.ru_utime - children.ru_utime
                   + after.ru_stime - children.ru_stime)
    if profiler is not None:
        profiler.disable()
        buf = io.StringIO()
        stats = pstats.Stats(profiler, stream=buf).sort_stats("tottime")
        stats.print_stats(profile)
        print(f"\n### cProfile, {preset}, by own time (top {profile})\n\n```\n"
              f"{buf.getvalue().strip()}\n```\n")
    notes = [f"--set {' '.join(sets)}"] if sets else []
    if max_states is not None:
        notes.append(f"max_states={max_states:,}")
    if not liveness:
        notes.append("no liveness")
    if not invariants:
        notes.append("no invariants")
    if profile:
        notes.append("under cProfile (slower)")
    if workers > 1:
        notes.append(f"{workers} workers (CPU s: all processes)")
    if result.store == "fingerprints":
        notes.append(f"fingerprints, {result.bytes_per_state:.0f} bytes/state")
    if result.uncovered:
        notes.append(f"never taken: {', '.join(result.uncovered)}")
    if result.violation is not None:
        notes.append(f"{result.violation.kind}: {result.violation.property} after "
                     f"{len(result.violation.trace)} steps")
    return Row(preset, result, "; ".join(notes), cpu_seconds)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.explore", description=__doc__.split("\n")[0])
    ap.add_argument("--preset", action="append", choices=("tiny", "small", "innodb"),
                    help="preset to explore (repeatable; default tiny and small)")
    ap.add_argument("--set", dest="sets", action="append", default=[], metavar="FIELD=VALUE",
                    help="override a Params field, as in redospec explore (repeatable)")
    ap.add_argument("--max-states", type=int, default=None, metavar="N",
                    help="stop each search after N distinct states")
    ap.add_argument("--no-liveness", action="store_true", help="skip SYS-3 (edge arrays)")
    ap.add_argument("--no-invariants", action="store_true",
                    help="measure the search alone, without the properties")
    ap.add_argument("--profile", type=int, default=0, metavar="N",
                    help="run under cProfile and print the N hottest functions")
    ap.add_argument("--workers", type=int, default=1, metavar="N",
                    help="explore with N processes (engine.workers)")
    ap.add_argument("--fingerprints", action="store_true",
                    help="keep 64-bit fingerprints instead of full states")
    ap.add_argument("--out", type=Path, default=None, help="also write the table to this file")
    ap.add_argument("--update-results", action="store_true",
                    help="also rewrite the 'Exhaustive presets' section of the committed "
                         "bench/RESULTS-explore.md (then run python -m bench.include)")
    ap.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = ap.parse_args(argv)
    presets = args.preset or ["tiny", "small"]
    rows = []
    for preset in presets:
        row = run_one(preset, args.sets, args.max_states, not args.no_liveness,
                      not args.no_invariants, args.profile, args.quiet, args.workers,
                      True if args.fingerprints else None)
        rows.append(row)
        print(f"[{preset}] {row.result.verdict}: {row.result.distinct_states:,} states in "
              f"{row.result.seconds:.1f} s wall, {row.cpu_seconds:.1f} s CPU "
              f"({row.states_per_cpu_second:,.0f} states/CPU-s)", file=sys.stderr, flush=True)
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    machine = (f"Python {platform.python_version()} on {platform.machine()}, "
               f"{os.cpu_count()} cores ({args.workers} process(es) used), {when}, "
               f"load average at the end {load}")
    text = f"{table(rows)}\n\n{machine}\n"
    print(text)
    if args.out is not None:
        args.out.write_text(text)
    if args.update_results:
        results = Path(__file__).with_name("RESULTS-explore.md")
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        section = (
            f"Measured {when} on {platform.node()} ({os.cpu_count()} cores, CPython "
            f"{platform.python_version()}, {platform.system()} {platform.release()}), load "
            f"average {load} at the end: on a shared machine the comparable figure is **states "
            f"per CPU-second**. Targets: 20,000 distinct states per CPU-second on one core; "
            f"`small` explored completely in under 10 minutes. `.venv/bin/python -m "
            f"bench.explore --update-results` rewrites this section.\n\n{table(rows)}")
        results.write_text(replace_section(results.read_text(), "exhaustive-presets", section))
        print(f"written to {results}; now run python -m bench.include", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
