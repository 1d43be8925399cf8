"""``redospec prove [--json] [--only PATTERN]``: check every proof obligation with z3.

Prints one row per obligation (name, requirement IDs, status, seconds) and a total; a failed
obligation is followed by its counterexample, decoded into a spec state and the action that
broke the invariant where the obligation has a decoder. The exit status is 0 only if every
obligation passed (``proved``, or ``refuted as expected`` for the documented MySQL finding);
``unknown`` and ``timeout`` are failures.

``--json`` prints ``{"verdict": "proved" | "failed", "seconds": ..., "scopes": {"unbounded":
n, "bounded": n, "witness": n}, "obligations": [{"name", "ids", "status", "seconds", "scope",
...}]}`` on stdout instead of the table (progress still goes to stderr). ``scope`` is
``"unbounded"`` or the bounds the obligation assumes; the table has a scope column and its
total line counts both.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from redospec import output
from redospec.command import run_command
from redospec.errors import UsageError

if TYPE_CHECKING:   # z3 is imported when the proofs run, not to build the command line
    from proofs.obligation import Obligation, Result


def configure(parser: argparse.ArgumentParser) -> None:
    """``redospec prove``'s arguments."""
    from proofs.runner import DEFAULT_TIMEOUT_S

    parser.description = "z3 proofs that the spec's invariants hold for all parameter values."
    parser.add_argument("--json", action="store_true", help="print a JSON report on stdout")
    parser.add_argument(
        "--only", metavar="PATTERN", action="append", default=[],
        help="check only obligations whose name matches PATTERN (a glob such as 'lemma.*', "
             "or a substring); repeatable",
    )
    parser.add_argument("--list", action="store_true", help="list the obligations and exit")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT_S,
        help=f"z3 timeout per obligation in seconds (default {DEFAULT_TIMEOUT_S:g})",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument(
        "--bmc-depth", type=int, default=4, metavar="N",
        help="for a failed init/step obligation, search a trace of at most N steps from Init "
             "of the tiny preset that breaks the invariant (default 4; 0 disables)",
    )
    parser.add_argument("--results", metavar="PATH",
                        help="also write the per-group times as markdown to PATH")


def select(obligations: Sequence[Obligation], patterns: Sequence[str]) -> list[Obligation]:
    """The obligations whose name matches one of ``patterns`` (all if there are none).

    A pattern with ``*``, ``?`` or ``[`` is a glob; any other is a substring."""
    if not patterns:
        return list(obligations)

    def matches(name: str, pattern: str) -> bool:
        if any(c in pattern for c in "*?["):
            return fnmatch.fnmatchcase(name, pattern)
        return pattern in name

    return [ob for ob in obligations if any(matches(ob.name, pat) for pat in patterns)]


def format_table(results: Sequence[Result], total_s: float) -> str:
    """The human report: a row per obligation, the failures' counterexamples, a total."""
    from proofs.obligation import describe

    rows = [["obligation", "ids", "status", "seconds", "scope"]]
    rows += [[r.name, ",".join(r.ids), r.status, f"{r.seconds:.2f}", r.scope] for r in results]
    lines = [output.table(rows, right={3})]
    for r in results:
        if r.status == "refuted as expected" or not r.passed:
            lines.append("")
            lines.append(f"{r.name}: {r.status}" + (f" ({r.reason})" if r.reason else ""))
            if r.decoded:
                lines.extend("  " + line for line in r.decoded.splitlines())
            elif r.model:
                lines.append("  " + describe(r.model))
    passed = sum(r.passed for r in results)
    lines.append("")
    lines.append(
        f"total: {passed}/{len(results)} passed, {len(results) - passed} failed, "
        f"{total_s:.1f} s wall"
    )
    lines.append("scope: " + scope_summary(results))
    return "\n".join(lines)


def scope_counts(results: Sequence[Result]) -> dict[str, int]:
    """How many obligations are unbounded, bounded and witnesses."""
    from proofs.obligation import scope_kind

    counts = {"unbounded": 0, "bounded": 0, "witness": 0}
    for r in results:
        counts[scope_kind(r.scope)] += 1
    return counts


def scope_summary(results: Sequence[Result]) -> str:
    """``N unbounded, M bounded (scope: count; ...), W witnesses``."""
    from proofs.obligation import scope_kind

    counts = scope_counts(results)
    bounded: dict[str, int] = {}
    for r in results:
        if scope_kind(r.scope) == "bounded":
            bounded[r.scope] = bounded.get(r.scope, 0) + 1
    detail = "; ".join(f"{k}: {v}" for k, v in bounded.items())
    return (f"{counts['unbounded']} unbounded, {counts['bounded']} bounded"
            + (f" ({detail})" if detail else "") + f", {counts['witness']} witnesses")


def group_of(name: str) -> str:
    """The RESULTS.md group of an obligation: ``step.<action>`` for step obligations, the
    first name part otherwise."""
    parts = name.split(".")
    return ".".join(parts[:2]) if parts[0] == "step" else parts[0]


def results_markdown(results: Sequence[Result], total_s: float, jobs: int) -> str:
    """Per-group obligation counts and times (proofs/RESULTS.md)."""
    groups: dict[str, list[Result]] = {}
    for r in results:
        groups.setdefault(group_of(r.name), []).append(r)
    lines = [
        "# `redospec prove`: time per obligation group",
        "",
        f"{len(results)} obligations, {sum(r.passed for r in results)} passed; wall time "
        f"{total_s:.1f} s with {jobs} worker processes on this machine (z3 "
        f"{_z3_version()}{_load()}). Seconds are z3's time per obligation, summed per group.",
        "",
        f"Scope: {scope_summary(results)}.",
        "",
        "| group | obligations | passed | scope | seconds (sum) | slowest (s) |",
        "|---|---:|---:|---|---:|---:|",
    ]
    for g, rs in groups.items():
        scopes = ", ".join(sorted({r.scope for r in rs}))
        lines.append(f"| `{g}` | {len(rs)} | {sum(r.passed for r in rs)} | {scopes} | "
                     f"{sum(r.seconds for r in rs):.2f} | {max(r.seconds for r in rs):.2f} |")
    lines += [
        "",
        "Groups: `lemma` -- sn/lsn translation (FMT-2), slots (NT-3), block numbers (FMT-3), "
        "CP-7, write-ahead regions and file positions (WR-6), and the division/alignment "
        "lemmas the abstractions use; `notify` -- the notifier covers every satisfied waiter "
        "(NT-2, NT-4), MySQL 8.0.41's shortcut loses waiters (Bug #114660: expected "
        "counterexamples, tight at (S-1)*512+2 bytes), the spec's rule is sound; `wr6` -- the "
        "writer's exact write-ahead plan (WR-6, WR-7); `ring` -- the link ring for a symbolic "
        "capacity C and any number of threads (LNK-1..5): the ring invariant, the traversal "
        "loop by induction over its steps, and that it ends where the step encoding assumes; "
        "`wexact` -- the exact writer relations imply the ones the step proofs use; `init`, "
        "`step.<action>` -- Init => Inv and Inv and Action => Inv' for SYS-1, LNK-5, SYS-2, "
        "NT-4, SYS-4, CP-6 and ten auxiliary invariants, for every action of 8.0 and 9.0 "
        "(9.0's flush-list-added tracker included; both link buffers), crash and recover "
        "(recovery entering as its contract: not below the checkpoint, not past write_lsn or "
        "a capacity, not below a durable group end), and `step.<action>.durable` -- no step "
        "makes a durable commit undurable (RC-4); every size symbolic, any number of user "
        "threads, pages and flush lists (proofs/unbounded/).",
        "",
    ]
    lines += _bounded_section(results)
    return "\n".join(lines)


def _bounded_section(results: Sequence[Result]) -> list[str]:
    """RESULTS.md's list of every obligation that is not unbounded, with the reason."""
    from proofs.obligation import scope_kind
    from proofs.registry import SCOPE_REASONS

    rows = [r for r in results if scope_kind(r.scope) != "unbounded"]
    out = ["## Still bounded (or witnesses), and why", ""]
    if not rows:
        return [*out, "Nothing: every obligation is unbounded.", ""]
    for r in rows:
        reason = SCOPE_REASONS.get(r.name) or SCOPE_REASONS.get(
            "proofs.encoding" if r.scope.startswith("users=") else "", "")
        out.append(f"* `{r.name}` -- scope `{r.scope}`: {reason or '(no reason recorded)'}")
    return [*out, ""]


def _load() -> str:
    """``, load average L`` (1 minute, when the run ended): timings on a shared machine."""
    try:
        return f", load average {os.getloadavg()[0]:.1f} at the end"
    except OSError:
        return ""


def _z3_version() -> str:
    import z3

    return str(z3.get_version_string())


def _bmc_traces(results: Sequence[Result], depth: int) -> list[str]:
    """For failed init/step obligations: a replayable trace to a state breaking the same
    invariant, if BMC finds one on the tiny preset."""
    from proofs.bmc import violation_trace
    from spec.params import Params

    out: list[str] = []
    done: set[str] = set()
    for r in results:
        if r.passed or r.status != "counterexample" or not r.name.startswith(("init.", "step.")):
            continue
        inv = r.name.rsplit(".", 1)[1]
        if inv in done or not _bmc_knows(inv):
            continue
        done.add(inv)
        try:
            labels = violation_trace(Params.tiny(), inv, depth)
        except Exception as exc:
            out.append(f"{inv}: BMC failed ({type(exc).__name__}: {exc})")
            continue
        if labels is None:
            out.append(f"{inv}: not broken within {depth} steps of tiny's Init (the "
                       "counterexample's state may be unreachable)")
        else:
            out.append(f"{inv}: reachable violation on tiny, replay with RedoModel.replay:")
            out.extend(f"  {lab}" for lab in labels)
    return out


_DONE: list[str] = []
"""What the run had done, for the one line ``redospec`` prints on Ctrl-C."""


def interrupt_summary() -> str:
    """One line: how many obligations were checked before Ctrl-C."""
    return _DONE[-1] if _DONE else ""


def _bmc_knows(inv: str) -> bool:
    """BMC (proofs.bmc) unrolls the bounded encoding: only its invariants can be searched."""
    from proofs.encoding import INVARIANTS

    return any(i.name == inv for i in INVARIANTS)


def main(argv: Sequence[str]) -> int:
    """``python -m proofs``: the same as ``redospec prove``."""
    return run_command("prove", configure, run, argv, sys.modules[__name__])


def run(args: argparse.Namespace) -> int:
    """Check the chosen obligations, print the table or JSON; 0 iff every one passed."""
    chosen = _chosen(args.only)
    if args.list:
        _print_list(chosen, args.json)
        return 0
    _check_options(args)
    started = time.perf_counter()
    results = _check_obligations(chosen, args)
    total_s = time.perf_counter() - started
    ok = all(r.passed for r in results)
    _print_report(results, total_s, ok, args)
    if args.results:
        try:
            with open(args.results, "w", encoding="utf-8") as fh:
                fh.write(results_markdown(results, total_s, args.jobs))
        except OSError as exc:
            raise UsageError(f"--results {args.results}: {exc.strerror}") from None
    return 0 if ok else 1


def _chosen(patterns: Sequence[str]) -> list[Obligation]:
    """The obligations ``--only`` selects (all without it); none is a usage error."""
    from proofs.registry import all_obligations

    try:
        chosen = select(all_obligations(), patterns)
    except Exception as exc:
        raise UsageError(f"could not build the obligations: {exc}") from None
    if not chosen:
        raise UsageError(f"no obligation matches {' or '.join(patterns)!r}")
    return chosen


def _print_list(chosen: Sequence[Obligation], as_json: bool) -> None:
    """``--list``: name, IDs and scope of each obligation (JSON with ``--json``)."""
    if as_json:   # --json promises JSON on stdout, with --list too
        print(json.dumps([{"name": ob.name, "ids": list(ob.ids), "scope": ob.scope}
                          for ob in chosen], indent=2))
        return
    for ob in chosen:
        print(f"{ob.name}  {','.join(ob.ids)}  {ob.scope}")


def _check_options(args: argparse.Namespace) -> None:
    """The numeric options and ``--results``' folder, before minutes of z3."""
    if args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: must be at least 1")
    if args.timeout <= 0:
        raise UsageError(f"--timeout {args.timeout:g}: must be more than 0 seconds")
    if args.bmc_depth < 0:
        raise UsageError(f"--bmc-depth {args.bmc_depth}: must not be negative (0 disables the "
                         "search)")
    if args.results:
        folder = os.path.dirname(os.path.abspath(args.results))
        if os.path.isdir(args.results) or not os.path.isdir(folder):
            raise UsageError(f"--results {args.results}: not a writable file path (is the "
                             "folder there?)")


def _check_obligations(chosen: Sequence[Obligation], args: argparse.Namespace) -> list[Result]:
    """Run z3 on ``chosen`` with a progress line per obligation (and the Ctrl-C account)."""
    from proofs.runner import run as run_obligations

    count = 0
    failed: list[str] = []
    _DONE.append(f"0 of {len(chosen)} obligations checked; no verdict")

    def progress(result: Result) -> None:
        nonlocal count
        count += 1
        if not result.passed:
            failed.append(result.name)
        _DONE.append(f"{count} of {len(chosen)} obligations checked"
                     + (f", {len(failed)} not proved ({', '.join(failed[:3])})" if failed
                        else ", all as expected")
                     + "; no verdict")
        if not args.quiet:
            print(f"[{count}/{len(chosen)}] {result.name}: {result.status} "
                  f"({result.seconds:.2f} s)", file=sys.stderr, flush=True)

    return list(run_obligations(chosen, jobs=args.jobs, timeout_s=args.timeout,
                                progress=progress))


def _print_report(results: Sequence[Result], total_s: float, ok: bool,
                  args: argparse.Namespace) -> None:
    """The table (with BMC traces for failures) or the JSON report."""
    if args.json:
        report = {
            "verdict": "proved" if ok else "failed",
            "seconds": round(total_s, 3),
            "scopes": scope_counts(results),
            "obligations": [r.to_json() for r in results],
        }
        print(json.dumps(report, indent=2))
        return
    print(format_table(results, total_s))
    if not ok and args.bmc_depth > 0:
        for line in _bmc_traces(results, args.bmc_depth):
            print(line)
