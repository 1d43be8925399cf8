"""Benchmark of the conformance checks: stepped rule executions per second, and per seeded bug
the examples and seconds it took to be caught.

    .venv/bin/python bench/conformance.py [--examples N] [--out FILE] [--update-results]

The report goes to stdout; ``--out FILE`` also writes it to FILE and ``--update-results`` to the
committed bench/RESULTS-conformance.md (never by default). Targets: at least 1,000 rule
executions/s, every seeded bug caught by the CI profile, median time to catch under 10 s.
Numbers depend on the machine and its load; the file records when and where they were taken.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import Phase, settings

from conformance import checks, mutants, stepped


def rule_rate(examples: int) -> tuple[float, int, float]:
    """Rule executions per second of the stepped machine (generation only, no shrinking)."""
    run_settings = settings(checks.CI_SETTINGS, max_examples=examples, phases=(Phase.generate,))
    start = time.perf_counter()
    report = stepped.run(run_settings)
    seconds = time.perf_counter() - start
    rules = sum(report.actions["stepped"].values())
    return rules / seconds, rules, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=30,
                        help="stepped test cases for the rate (default 30)")
    parser.add_argument("--out", default=None, metavar="FILE",
                        help="also write the report to FILE (default: stdout only)")
    parser.add_argument("--update-results", action="store_true",
                        help="also write the committed bench/RESULTS-conformance.md")
    args = parser.parse_args(argv)
    outs = [Path(args.out)] if args.out else []
    if args.update_results:
        outs.append(Path(__file__).with_name("RESULTS-conformance.md"))
    if args.examples < 1:
        print("bench/conformance.py: --examples must be at least 1", file=sys.stderr)
        return 2

    print(f"stepped rule rate over {args.examples} test cases ...", file=sys.stderr)
    rate, rules, seconds = rule_rate(args.examples)
    print(f"  {rules} rules in {seconds:.1f} s = {rate:.0f} rules/s", file=sys.stderr)

    results = []
    catalog = mutants.catalog()
    for i, mutant in enumerate(catalog, 1):
        print(f"[{i}/{len(catalog)}] {mutant.name} ...", file=sys.stderr)
        results.append(mutants.run_mutant(mutant))
    caught = [r for r in results if r.caught]
    median = statistics.median(r.seconds for r in caught) if caught else float("nan")

    lines = [
        "# Conformance benchmark",
        "",
        "## Summary",
        "",
        f"Taken {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.node()} "
        f"({os.cpu_count()} cores, Python {platform.python_version()}), with other jobs "
        "sharing the machine; `.venv/bin/python bench/conformance.py` reproduces it.",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| stepped rule executions/s | {rate:.0f} ({rules} rules, {seconds:.1f} s) | >= 1,000 |",
        f"| seeded bugs caught (CI budget) | {len(caught)}/{len(results)} | all |",
        f"| median seconds to catch | {median:.2f} | < 10 |",
        "",
        "## Seeded bugs",
        "",
        "| mutant | caught | by | examples | seconds |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {r.name} | {'yes' if r.caught else 'NO'} | {r.by or '-'} | {r.examples} | "
              f"{r.seconds:.2f} |" for r in results]
    by_invariant = sorted({r.by.split("invariant ", 1)[1] for r in caught
                           if r.by and "invariant " in r.by})
    lines += ["", "Invariants that caught at least one seeded bug: "
              + (", ".join(by_invariant) or "none") + "."]
    print("\n".join(lines))
    for out in outs:
        out.write_text("\n".join(lines) + "\n")
        print(f"written to {out}", file=sys.stderr)
    return 0 if len(caught) == len(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
