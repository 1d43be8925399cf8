"""The conformance checks as plain functions, their settings, failures and counters.

A *check* is a function ``run(settings) -> Report`` that drives the implementation against the
spec with Hypothesis, raises when they disagree, and returns what its runs saw
(:class:`conformance.report.Report`). The same functions run

* under pytest (``tests/conformance``, the active Hypothesis profile: ``ci`` in the test suite),
* in ``redospec fuzz`` (campaigns of worker processes on one shared example database),
* in ``redospec mutants`` (each seeded bug must make one of them fail).

Hypothesis keys its example database by the test function (``@given``) or the state machine
class (``run_state_machine_as_test``), not by the caller, so a failure that ``redospec fuzz``
saved replays under ``pytest`` with the same database (see ``tests/conformance/conftest.py``).

Every disagreement is raised as :class:`ConformanceFailure` whose ``check`` names what caught it
(``invariant sys1_lsn_chain``, ``abstraction write_lsn``, ``spec rejects writer_write()``,
``impl raised ValueError``, ``trace not consumed`` ...): ``redospec mutants`` reports it as the
mutant's ``by``.
"""

from __future__ import annotations

import functools
import importlib
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import NamedTuple, ParamSpec

from hypothesis import HealthCheck, Phase, settings
from hypothesis.reporting import current_reporter, with_reporter

from conformance.report import Report, recording

CI_SETTINGS = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)
"""The CI budget: the ``ci`` Hypothesis profile of the test suite (tests/conftest.py registers
it from here) and of ``redospec check`` / ``redospec mutants`` outside pytest."""

MUTANT_SETTINGS = settings(
    CI_SETTINGS,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
)
"""The CI budget without the shrink phase: ``redospec mutants`` measures the time to *catch* a
seeded bug; the first failing example names the check that caught it."""


def fuzz_settings(database: object, max_examples: int) -> settings:
    """Long-run settings: random (not derandomized), longer programs, the example database."""
    return settings(
        max_examples=max_examples,
        stateful_step_count=200,
        deadline=None,
        derandomize=False,
        database=database,  # type: ignore[arg-type]
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )


class ConformanceFailure(AssertionError):
    """The implementation and the spec disagree; ``check`` names the check that saw it."""

    def __init__(self, check: str, message: str) -> None:
        self.check = check
        super().__init__(f"[{check}] {message}")


# --- what a check is ---------------------------------------------------------------------------

P = ParamSpec("P")


def reports(run: Callable[P, None]) -> Callable[P, Report]:
    """Make a check's ``run(settings)`` return the :class:`~conformance.report.Report` of what it
    counted (the checks are written as procedures that raise on a disagreement; the report is
    their result), with :func:`stable_draws`."""

    @functools.wraps(run)
    def run_and_report(*args: P.args, **kwargs: P.kwargs) -> Report:
        with recording() as report, stable_draws():
            run(*args, **kwargs)
        return report

    return run_and_report


@contextmanager
def stable_draws() -> Iterator[None]:
    """Hypothesis's draws, independent of which modules this process happened to import.

    Hypothesis mixes constants it finds in every *local* module already imported (the project's
    and the test suite's) into a few percent of its draws, derandomized ones included. Which
    test modules a pytest-xdist worker imported, or whether ``redospec check`` loaded the CLI,
    then changed the examples of a derandomized CI run: a seeded bug caught in one process
    escaped in another, and a check's verdict depended on the test order. Inside this block the
    pool of local constants is empty (the draws use Hypothesis's global constants only), so a
    derandomized run draws the same examples in every process. Relies on a Hypothesis internal
    (``providers._get_local_constants``); where it is missing, the block does nothing.
    """
    try:
        from hypothesis.internal.conjecture import providers
        from hypothesis.internal.constants_ast import Constants

        get_local = providers._get_local_constants
        cache = providers.CONSTANTS_CACHE.cache
    except (ImportError, AttributeError):  # pragma: no cover - another Hypothesis version
        yield
        return
    empty = Constants()
    cache.clear()
    providers._get_local_constants = lambda: empty
    try:
        yield
    finally:
        providers._get_local_constants = get_local
        cache.clear()


# --- the registry ------------------------------------------------------------------------------


class Check(NamedTuple):
    """A named conformance check: ``module:function`` taking the Hypothesis settings."""

    name: str
    target: str
    doc: str

    def load(self) -> Callable[[settings], Report]:
        module, _, func = self.target.partition(":")
        fn: Callable[[settings], Report] = getattr(importlib.import_module(module), func)
        return fn


CHECKS: tuple[Check, ...] = (
    Check("matrix-ci", "conformance.matrix:run_ci",
          "one configuration per class: 8.0 and 9.0, stepped and threaded, 1-4 users, 2-4 event "
          "slots, a log that fills (small budget per configuration)"),
    Check("stepped", "conformance.stepped:run",
          "Hypothesis chooses every interleaving of impl steps; abstract states and invariants "
          "compared after every step"),
    Check("liveness", "conformance.liveness:run",
          "event-only mode: every thread runs only when its event was signalled (plus bounded "
          "spurious wake-ups); a lost wake-up is a stuck state (SYS-3, USR-7, NT-4)"),
    Check("crashpoints", "conformance.crashpoints:run",
          "crashes inside I/O steps (every write, fsync and sync point), torn, partial, "
          "bit-flipped and stale-block images; RC-1..RC-4 against the published lsn values"),
    Check("wrap", "conformance.stepped:run_wrap",
          "the stepped machine with big groups and no waits: every run wraps the log files"),
    Check("crash", "conformance.stepped:run_crash",
          "the stepped machine with short runs ending in a crash and recovery (RC-1..RC-4)"),
    Check("restart", "conformance.stepped:run_restart",
          "several generations per run: crash, RedoLog.open on the crashed store, more "
          "commits; restarted states and durable pages compared (RC-1..4, CP-6)"),
    Check("v90", "conformance.stepped:run_90",
          "the stepped machine for MySQL 9.0's flush-list-added tracker (CP-1)"),
    Check("trace", "conformance.trace_check:run",
          "real threads, trace replayed through the spec, whole trace consumed"),
    Check("matrix", "conformance.matrix:run",
          "every configuration of conformance.matrix.MATRIX (for redospec fuzz)"),
)
"""The checks, in the order ``redospec mutants`` tries them (cheapest and sharpest first:
``matrix-ci`` runs short stepped runs of several configurations, so it catches most seeded bugs
in seconds, and the slot-mapping and many-user bugs that the one-slot, two-user main
configuration cannot see)."""


def check_named(name: str) -> Check:
    for check in CHECKS:
        if check.name == name:
            return check
    raise KeyError(f"unknown check {name!r}; choose one of {', '.join(c.name for c in CHECKS)}")


# --- Ctrl-C: an interrupt is never a result ----------------------------------------------------


@contextmanager
def watch_interrupts() -> Iterator[Callable[[], bool]]:
    """Note SIGINT while the block runs; yields ``interrupted() -> bool``.

    The handler in place still runs (by default it raises ``KeyboardInterrupt``). Whatever a
    check raises after an interrupt (a ``Flaky`` error because the interrupted example did not
    replay, a user thread's ``LogClosed``) is a consequence of the interrupt, not a finding:
    ``redospec mutants`` and ``redospec fuzz`` ask ``interrupted()`` before they count it.
    Hypothesis's reports (``You can reproduce this failure by adding @seed(...)``) are
    dropped once interrupted, since nothing failed. Outside the main thread nothing is watched.
    """
    seen = [False]
    if threading.current_thread() is not threading.main_thread():
        yield lambda: seen[0]
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum: int, frame: FrameType | None) -> None:
        seen[0] = True
        if callable(previous):
            previous(signum, frame)
        elif previous != signal.SIG_IGN:
            raise KeyboardInterrupt

    base = current_reporter()

    def reporter(value: object) -> None:
        if not seen[0]:
            base(value)

    signal.signal(signal.SIGINT, handler)
    try:
        with with_reporter(reporter):
            yield lambda: seen[0]
    finally:
        signal.signal(signal.SIGINT, previous)
