"""``redospec check``, ``redospec fuzz`` and ``redospec mutants``.

``check`` is the project's main job. It runs, each in its own process so that one part's crash
or import error cannot hide another part's verdict:

1. ``proofs``: ``redospec prove`` (the z3 obligations of ``proofs/``; an ``unknown`` is a failure);
2. ``explore tiny``: the exhaustive exploration of ``Params.tiny()`` (``redospec explore --preset
   tiny --json``): every invariant on every reachable state, deadlocks, SYS-3, action coverage;
3. ``conformance (ci)``: ``pytest tests/conformance`` under the Hypothesis profile ``ci``: the
   stepped conformance machine, the threaded trace validation, the seeded-bug catalog (every
   mutant must be caught) and the action-coverage test.

It prints one summary table (part, verdict, figures, seconds) and exits 1 when any part failed or
is unavailable (a part whose module is missing is reported as ``unavailable``, never skipped).

``fuzz --minutes N [--db DIR]`` runs the conformance targets with the long ``fuzz`` settings in a
loop until the time is up, printing a progress line; failures are saved to Hypothesis's example
database in DIR (default ``.hypothesis/fuzz``) and printed with the command that replays them.

``mutants [--json] [NAME ...]`` runs the seeded-bug catalog (:mod:`conformance.mutants`) and
prints per mutant whether and by which check it was caught, with the examples and seconds it took.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

REPO = Path(__file__).resolve().parent.parent
"""The checkout: ``tests/conformance`` is found relative to it."""

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad command-line input; the message says which option and why (exit status 2)."""


# --------------------------------------------------------------------------------------------
# running one part in a child process, with a progress line
# --------------------------------------------------------------------------------------------


@attrs.frozen
class PartResult:
    """One row of ``redospec check``'s summary table."""

    part: str
    verdict: str
    """``ok``, ``failed`` or ``unavailable``."""
    figures: str
    seconds: float
    detail: str = ""
    """Why it failed: the tail of the part's output, or the missing module."""

    @property
    def ok(self) -> bool:
        return self.verdict == "ok"


@attrs.frozen
class Completed:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def _progress(text: str) -> None:
    """A progress line on stderr (overwritten in place on a terminal)."""
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K" + text)
    else:
        sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _progress_done() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()


def run_child(
    cmd: Sequence[str], label: str, *, env: dict[str, str] | None = None, every: float = 10.0
) -> Completed:
    """Run ``cmd`` from the repository root, printing ``label: running Ns`` every ``every`` s."""
    start = time.monotonic()
    full_env = dict(os.environ)
    full_env.update(env or {})
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(list(cmd), cwd=REPO, env=full_env, stdout=out, stderr=err)
        next_report = start + every
        try:
            while True:
                try:
                    proc.wait(timeout=0.5)
                    break
                except subprocess.TimeoutExpired:
                    now = time.monotonic()
                    if now >= next_report:
                        _progress(f"  {label}: running {now - start:.0f} s")
                        next_report = now + every
        except KeyboardInterrupt:   # Ctrl-C: the part's process stops too, within a second
            _stop_child(proc)
            raise
        _progress_done()
        out.seek(0)
        err.seek(0)
        return Completed(proc.returncode, out.read(), err.read(), time.monotonic() - start)


def _stop_child(proc: subprocess.Popen[Any]) -> None:
    """SIGINT to the child (it may be in another process group), then kill it after 0.5 s."""
    with contextlib.suppress(OSError):
        proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=0.5)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(OSError):
            proc.kill()
        proc.wait()


_DONE: list[str | Callable[[], str]] = []
"""What the running command had done (a line, or a function making it), for Ctrl-C."""


def interrupt_summary() -> str:
    """One line: what was done before Ctrl-C (read by the ``redospec`` dispatcher)."""
    if not _DONE:
        return "nothing had finished"
    last = _DONE[-1]
    return last if isinstance(last, str) else last()


def _tail(text: str, lines: int = 12) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _module_missing(*modules: str) -> str | None:
    """The first of ``modules`` that cannot be imported (by name only), or None."""
    for name in modules:
        try:
            if importlib.util.find_spec(name) is None:
                return name
        except ModuleNotFoundError:
            return name
    return None


def _redospec(*args: str) -> list[str]:
    return [sys.executable, "-m", "redospec", *args]


# --------------------------------------------------------------------------------------------
# the three parts of ``check``
# --------------------------------------------------------------------------------------------


def _json_from(stdout: str) -> Any:
    """The JSON document a part printed on stdout (the last line that parses, or the whole)."""
    text = stdout.strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    for line in reversed(text.splitlines()):
        try:
            return json.loads(line)
        except ValueError:
            continue
    return None


def _count_verdicts(data: Any) -> dict[str, int]:
    """Count obligation verdicts in whatever list shape ``redospec prove --json`` prints."""
    rows: Any = data
    if isinstance(data, dict):
        for key in ("obligations", "results", "rows", "proofs"):
            if isinstance(data.get(key), list):
                rows = data[key]
                break
    counts: dict[str, int] = {}
    if isinstance(rows, list):
        for row in rows:
            if isinstance(row, dict):
                verdict = row.get("verdict", row.get("status", row.get("result", "?")))
                counts[str(verdict)] = counts.get(str(verdict), 0) + 1
    return counts


def part_proofs() -> PartResult:
    """``redospec prove``: every z3 obligation proved (an ``unknown`` is a failure)."""
    name = "proofs"
    missing = _module_missing("proofs.cli")
    if missing:
        return PartResult(name, "unavailable", "-", 0.0, f"module {missing} is missing")
    done = run_child(_redospec("prove", "--json"), name)
    if done.returncode == EXIT_USAGE and "--json" in done.stderr:
        done = run_child(_redospec("prove"), name)
    data = _json_from(done.stdout)
    counts = _count_verdicts(data)
    if counts:
        figures = ", ".join(f"{n} {verdict}" for verdict, n in sorted(counts.items()))
        scopes = data.get("scopes") if isinstance(data, dict) else None
        if isinstance(scopes, dict):  # issue 14 item 5: unbounded vs bounded
            figures += f" ({scopes.get('unbounded', 0)} unbounded, " \
                       f"{scopes.get('bounded', 0)} bounded)"
    else:
        figures = _tail(done.stdout, 1) or "-"
    verdict = "ok" if done.returncode == 0 else "failed"
    detail = "" if verdict == "ok" else _tail(done.stdout + "\n" + done.stderr)
    return PartResult(name, verdict, figures, done.seconds, detail)


def part_explore(preset: str = "tiny") -> PartResult:
    """``redospec explore --preset tiny --json``: exhaustive, every invariant, coverage."""
    name = f"explore {preset}"
    missing = _module_missing("spec.cli", "spec.explorer")
    if missing:
        return PartResult(name, "unavailable", "-", 0.0, f"module {missing} is missing")
    done = run_child(_redospec("explore", "--preset", preset, "--json"), name)
    data = _json_from(done.stdout)
    if not isinstance(data, dict):
        detail = "no JSON on stdout\n" + _tail(done.stdout + "\n" + done.stderr)
        return PartResult(name, "failed", "-", done.seconds, detail)
    actions = data.get("actions") or {}
    taken = sum(1 for n in actions.values() if n) if isinstance(actions, dict) else 0
    figures = (
        f"{data.get('distinct_states', '?')} states, depth {data.get('depth', '?')}, "
        f"{taken}/{len(actions)} actions, {len(data.get('invariants') or [])} invariants"
    )
    ok = done.returncode == 0 and data.get("verdict") == "ok"
    detail = "" if ok else f"verdict {data.get('verdict')!r}\n" + _tail(done.stderr)
    if isinstance(actions, dict):
        COVERAGE["exploration"] = {str(k): int(v) for k, v in actions.items()}
    return PartResult(name, "ok" if ok else "failed", figures, done.seconds, detail)


def _junit_counts(path: Path) -> dict[str, int]:
    """tests / failures / errors / skipped from a pytest junit XML file."""
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return counts
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    for suite in suites:
        for key in counts:
            counts[key] += int(suite.get(key, "0"))
    return counts


def part_conformance(profile: str = "ci") -> PartResult:
    """``pytest tests/conformance`` under the Hypothesis profile ``profile``."""
    name = f"conformance ({profile})"
    tests = REPO / "tests" / "conformance"
    missing = _module_missing("conformance.stepped", "impl.redolog", "spec.model")
    if missing:
        return PartResult(name, "unavailable", "-", 0.0, f"module {missing} is missing")
    if not tests.is_dir():
        return PartResult(name, "unavailable", "-", 0.0, f"{tests} is missing")
    with tempfile.TemporaryDirectory() as tmp:
        junit = Path(tmp) / "junit.xml"
        fired = Path(tmp) / "coverage.json"
        cmd = [sys.executable, "-m", "pytest", str(tests), "-q", "-p", "no:cacheprovider",
               f"--junitxml={junit}"]
        done = run_child(cmd, name, env={"HYPOTHESIS_PROFILE": profile,
                                         "REDOSPEC_COVERAGE_OUT": str(fired)})
        counts = _junit_counts(junit)
        with contextlib.suppress(OSError, ValueError):  # pytest did not get that far
            COVERAGE.update(json.loads(fired.read_text()))
    failed = counts["failures"] + counts["errors"]
    passed = counts["tests"] - failed - counts["skipped"]
    figures = f"{passed} passed, {failed} failed, {counts['skipped']} skipped"
    ok = done.returncode == 0 and counts["tests"] > 0
    detail = "" if ok else _tail(done.stdout + "\n" + done.stderr, 25)
    return PartResult(name, "ok" if ok else "failed", figures, done.seconds, detail)


COVERAGE: dict[str, dict[str, int]] = {}
"""Per source (exploration, stepped, threaded): spec action -> times it fired (item 6)."""


def coverage_rows() -> list[list[str]]:
    """The action-coverage table of ``check``: one row per action seen in any source."""
    sources = ("exploration", "stepped", "threaded")
    names: dict[str, None] = {}
    for source in sources:
        names.update(dict.fromkeys(COVERAGE.get(source, {})))
    rows = [["action", *sources]]
    for name in names:
        rows.append([name, *(str(COVERAGE[s].get(name, 0)) if s in COVERAGE else "-"
                             for s in sources)])
    return rows


PARTS: dict[str, Callable[[], PartResult]] = {
    "proofs": part_proofs,
    "explore": part_explore,
    "conformance": part_conformance,
}
"""The parts of ``redospec check`` in the order they run."""


def format_table(rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns separated by two spaces, a rule under the header row."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def cmd_check(args: argparse.Namespace) -> int:
    """Run every part, print one table (or JSON), exit 1 if any part is not ``ok``."""
    selected = list(dict.fromkeys(args.only)) if args.only else list(PARTS)   # each part once
    results: list[PartResult] = []
    for i, part in enumerate(selected, 1):
        done = ", ".join(f"{r.part} {r.verdict}" for r in results) or "no part had finished"
        _DONE.append(f"stopped in part {i}/{len(selected)} ({part}); {done}; no verdict")
        _progress(f"[{i}/{len(selected)}] {part} ...")
        results.append(PARTS[part]())
        _progress_done()
    ok = all(r.ok for r in results)
    if args.json:
        print(json.dumps({"ok": ok, "parts": [attrs.asdict(r) for r in results],
                          "action_coverage": COVERAGE}, indent=2))
        return EXIT_OK if ok else EXIT_FAILED
    rows = [["part", "verdict", "figures", "seconds"]]
    rows += [[r.part, r.verdict, r.figures, f"{r.seconds:.1f}"] for r in results]
    print(format_table(rows))
    if len(coverage_rows()) > 1:
        print("\naction coverage (times each spec action fired):")
        print(format_table(coverage_rows()))
    for r in results:
        if not r.ok:
            print(f"\n--- {r.part}: {r.verdict} ---\n{r.detail}")
    print(f"\ncheck: {'OK' if ok else 'FAILED'}")
    return EXIT_OK if ok else EXIT_FAILED


# --------------------------------------------------------------------------------------------
# fuzz
# --------------------------------------------------------------------------------------------


def cmd_fuzz(args: argparse.Namespace) -> int:
    """Round-robin over the fuzz targets until ``--minutes`` have passed (see module doc)."""
    if not args.minutes > 0:   # also rejects nan
        raise UsageError(f"--minutes {args.minutes:g}: must be positive")
    import conformance.checks as checks
    import conformance.fuzzing as fuzzing

    for name in args.target or []:   # before the database is created and the clock starts
        try:
            checks.check_named(name)
        except KeyError as exc:
            raise UsageError(f"--target {exc.args[0]}") from None

    db = Path(args.db)
    if db.exists() and not db.is_dir():
        raise UsageError(f"--db {db}: exists and is not a folder; name a folder for the "
                         "example database")
    try:
        db.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--db {db}: cannot create the example database folder: "
                         f"{exc.strerror or exc}") from exc
    start = time.monotonic()
    report = fuzzing.FuzzReport()

    def account() -> str:
        ran = ", ".join(f"{name} {n}" for name, n in sorted(checks.EXAMPLES.items()) if n)
        failed = [f.check for f in report.failures]
        found = (f"failures found before it: {', '.join(failed)} (saved in {db})" if failed
                 else "no failure found before it")
        return (f"fuzzed {time.monotonic() - start:.0f} s, examples run: {ran or 'none yet'}; "
                f"{found}")

    _DONE.append(account)

    fuzzing.fuzz(minutes=args.minutes, db=db, targets=args.target or None,
                 progress=_progress, report=report)
    _progress_done()
    print(fuzzing.format_report(report, db))
    return EXIT_OK if not report.failures else EXIT_FAILED


# --------------------------------------------------------------------------------------------
# mutants
# --------------------------------------------------------------------------------------------


def cmd_mutants(args: argparse.Namespace) -> int:
    """Run the seeded-bug catalog; exit 1 unless every mutant was caught."""
    import conformance.mutants as mutants

    if args.show:
        _progress(f"running {args.show} and shrinking its catch ...")
        try:
            catch = mutants.show_catch(args.show)
        except KeyError as exc:
            raise UsageError(str(exc.args[0])) from exc
        _progress_done()
        if catch is None:
            print(f"{args.show}: not caught by the CI checks")
            return EXIT_FAILED
        print(catch.format())
        return EXIT_OK
    names = args.names or None
    finished: list[mutants.MutantResult] = []

    def progress(text: str) -> None:
        caught = sum(r.caught for r in finished)
        _DONE.append(f"{len(finished)} mutants finished ({caught} caught, "
                     f"{len(finished) - caught} not); the one running when interrupted, "
                     f"{text.split('] ', 1)[-1].rstrip(' .')}, is not counted")
        _progress(text)

    try:
        results = mutants.run_catalog(names, progress=progress, on_result=finished.append)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from exc
    _progress_done()
    summary = mutants.summary(results)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        rows = [["mutant", "caught", "by", "examples", "seconds"]]
        rows += [[m["name"], "yes" if m["caught"] else "NO", m["by"] or "-",
                  str(m["examples"]), f"{m['seconds']:.2f}"] for m in summary["mutants"]]
        print(format_table(rows))
        print(f"\nkill rate: {summary['kill_rate']:.0%} "
              f"({sum(m['caught'] for m in summary['mutants'])}/{len(summary['mutants'])})")
    return EXIT_OK if summary["kill_rate"] == 1.0 else EXIT_FAILED


# --------------------------------------------------------------------------------------------
# argument parsing
# --------------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    paragraphs = [re.sub(r":\w+:`([^`]*)`", r"\1", text).replace("``", "")   # plain text
                  for text in __doc__.split("\n\n")]
    parser = argparse.ArgumentParser(prog="redospec", description=paragraphs[0])
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="the main job: proofs, exploration, conformance",
                           description=" ".join(paragraphs[1:4]))
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.add_argument("--only", action="append", choices=list(PARTS),
                       help="run only this part (repeatable)")
    fuzz = sub.add_parser("fuzz", help="long conformance fuzzing with the example database",
                          description=paragraphs[4])
    fuzz.add_argument("--minutes", type=float, required=True, help="how long to fuzz")
    fuzz.add_argument("--db", default=".hypothesis/fuzz",
                      help="example database folder (default .hypothesis/fuzz)")
    fuzz.add_argument("--target", action="append",
                      help="fuzz only this target: stepped, wrap, crash, restart, v90 or trace "
                           "(repeatable; default all)")
    mut = sub.add_parser("mutants", help="run the seeded-bug catalog",
                         description=paragraphs[5])
    mut.add_argument("--json", action="store_true",
                     help='print {"kill_rate", "mutants": [{"name", "caught", "by", ...}]}')
    mut.add_argument("names", nargs="*", help="run only these mutants")
    mut.add_argument("--show", metavar="NAME",
                     help="print the catch of one mutant as a trace: the shrunk interleaving "
                          "(one spec step per line) and the failing property")
    return parser


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": cmd_check,
    "fuzz": cmd_fuzz,
    "mutants": cmd_mutants,
}


def main(argv: list[str]) -> int:
    """Entry point: ``argv[0]`` is ``check``, ``fuzz`` or ``mutants``."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse printed the usage and the problem
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"redospec {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        _progress_done()
        print(f"\nredospec {args.command}: interrupted; {interrupt_summary()}", file=sys.stderr,
              flush=True)
        return 130
