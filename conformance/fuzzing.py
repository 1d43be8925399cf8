"""``redospec fuzz``: the conformance checks with long settings, in rounds, until time is up.

Each round runs one check (round robin) for ``ROUND_EXAMPLES`` random test cases with the
example database at ``db``; Hypothesis replays what the database holds first, so a bug found
in an earlier run is retried at once. A failure is shrunk, saved in the database and reported
with the command that replays it under pytest (``REDOSPEC_FUZZ_DB`` makes
``tests/conformance/conftest.py`` use the same database).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import attrs
from hypothesis.database import DirectoryBasedExampleDatabase

from conformance import checks

ROUND_EXAMPLES = 25
"""Test cases per round: short enough that the progress line moves every few seconds."""

TEST_FILES = {"stepped": "tests/conformance/test_stepped.py",
              "wrap": "tests/conformance/test_stepped.py",
              "crash": "tests/conformance/test_stepped.py",
              "v90": "tests/conformance/test_stepped.py",
              "trace": "tests/conformance/test_trace.py"}


@attrs.define
class FuzzFailure:
    check: str
    message: str
    replay: str


@attrs.define
class FuzzReport:
    seconds: float = 0.0
    rounds: int = 0
    examples: dict[str, int] = attrs.Factory(dict)
    failures: list[FuzzFailure] = attrs.Factory(list)


def replay_command(check: str, db: Path) -> str:
    """The shell command that replays ``check``'s saved failures from ``db`` under pytest."""
    test = TEST_FILES.get(check, "tests/conformance")
    return (f"REDOSPEC_FUZZ_DB={db.resolve()} HYPOTHESIS_PROFILE=dev "
            f"{sys.executable} -m pytest {test} -x")


def fuzz(
    *,
    minutes: float,
    db: Path,
    targets: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
    report: FuzzReport | None = None,
) -> FuzzReport:
    """Run the checks named ``targets`` (all by default) until ``minutes`` have passed, adding
    to ``report`` (a new one by default; the caller's shows what an interrupted run did)."""
    selected = [checks.check_named(name) for name in (targets or [c.name for c in checks.CHECKS])]
    database = DirectoryBasedExampleDatabase(str(db))
    if report is None:
        report = FuzzReport()
    start = time.monotonic()
    deadline = start + minutes * 60
    failed: set[str] = set()
    with checks.watch_interrupts() as interrupted:
        _rounds(selected, database, db, report, failed, deadline, start, minutes, progress,
                interrupted)
    report.seconds = time.monotonic() - start
    return report


def _rounds(
    selected: list[checks.Check],
    database: DirectoryBasedExampleDatabase,
    db: Path,
    report: FuzzReport,
    failed: set[str],
    deadline: float,
    start: float,
    minutes: float,
    progress: Callable[[str], None] | None,
    interrupted: Callable[[], bool],
) -> None:
    """The round-robin loop of :func:`fuzz`. After Ctrl-C it raises KeyboardInterrupt, whatever
    the interrupted round raised: an interrupt is never reported as a failure or a clean run."""
    while time.monotonic() < deadline and len(failed) < len(selected):
        for check in selected:
            if check.name in failed or time.monotonic() >= deadline:
                continue
            before = checks.EXAMPLES[check.name]
            try:
                check.load()(checks.fuzz_settings(database, ROUND_EXAMPLES))
            except Exception as exc:  # a conformance failure or an impl crash: report both
                if interrupted():
                    raise KeyboardInterrupt from exc
                failed.add(check.name)
                report.failures.append(
                    FuzzFailure(check.name, f"{type(exc).__name__}: {exc}",
                                replay_command(check.name, db)))
            ran = checks.EXAMPLES[check.name] - before
            report.examples[check.name] = report.examples.get(check.name, 0) + ran
            report.rounds += 1
            if progress:
                elapsed = time.monotonic() - start
                counts = ", ".join(f"{k} {v}" for k, v in sorted(report.examples.items()))
                progress(f"fuzz {elapsed / 60:.1f}/{minutes:g} min: {counts} examples, "
                         f"{len(report.failures)} failures")
            if interrupted():   # SIGINT arrived but the round finished (it was swallowed)
                raise KeyboardInterrupt


def format_report(report: FuzzReport, db: Path) -> str:
    lines = [f"fuzzed {report.seconds / 60:.1f} min in {report.rounds} rounds: "
             + ", ".join(f"{k} {v} examples" for k, v in sorted(report.examples.items()))]
    if not report.failures:
        lines.append(f"no failures (example database: {db})")
    for failure in report.failures:
        message = failure.message if len(failure.message) < 2000 else failure.message[:2000] + "..."
        lines += [f"\nFAILED {failure.check}: {message}", f"replay with:\n  {failure.replay}"]
    return "\n".join(lines)
