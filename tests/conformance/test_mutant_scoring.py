"""Honest scoring of the seeded-bug catalog.

A mutant counts as caught only by a ConformanceFailure that Hypothesis replayed, or one found by
a check that is deterministic on its recorded run (the threaded trace check). A Hypothesis
``Flaky`` error with no such failure in it (``FlakyStrategyDefinition``, as an interrupt can
cause) is not a catch, and Ctrl-C raises KeyboardInterrupt out of ``run_mutant`` whatever the
interrupted check raised: an interrupted mutant is never reported, least of all as caught.
"""

from __future__ import annotations

import os
import signal

import pytest
from hypothesis.errors import FlakyFailure, FlakyStrategyDefinition

from conformance import checks, mutants
from conformance.checks import ConformanceFailure

NO_BUG = mutants.Mutant("no_bug", ("SYS-1",), "changes nothing", lambda patcher: None)


def fails_conformance(settings: object) -> None:
    raise ConformanceFailure("invariant sys1_lsn_chain", "write_lsn > current lsn")


def flaky_strategy(settings: object) -> None:
    raise FlakyStrategyDefinition("the data drawn differed between runs")


def flaky_failure(settings: object) -> None:
    raise FlakyFailure("did not replay", [ConformanceFailure("abstraction write_lsn", "x")])


def interrupted_then_flaky(settings: object) -> None:
    """What an interrupt inside Hypothesis could turn into: SIGINT, then a Flaky error."""
    try:
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):
            pass
    except KeyboardInterrupt:
        pass
    raise FlakyStrategyDefinition("inconsistent data after an interrupt")


def fake_checks(monkeypatch: pytest.MonkeyPatch, **targets: str) -> list[str]:
    registry = tuple(checks.Check(name, f"{__name__}:{func}", "a fake check")
                     for name, func in targets.items())
    monkeypatch.setattr(checks, "CHECKS", registry)
    return list(targets)


def test_counts_as_caught() -> None:
    failure = ConformanceFailure("invariant x", "y")
    assert mutants.counts_as_caught("stepped", failure)
    assert mutants.counts_as_caught("stepped", ExceptionGroup("two bugs", [failure, failure]))
    assert not mutants.counts_as_caught("stepped", FlakyStrategyDefinition("z"))
    assert not mutants.counts_as_caught("trace", FlakyStrategyDefinition("z"))
    flaky = FlakyFailure("did not replay", [failure])
    assert not mutants.counts_as_caught("stepped", flaky)   # deterministic check: must replay
    assert mutants.counts_as_caught("trace", flaky)         # its recorded trace failed the spec


def test_flaky_strategy_is_not_a_catch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Teeth: before, any Flaky error counted; now the next check decides."""
    fake_checks(monkeypatch, stepped="flaky_strategy")
    result = mutants.run_mutant(NO_BUG)
    assert not result.caught and "FlakyStrategyDefinition not counted" in result.message
    fake_checks(monkeypatch, stepped="flaky_strategy", crash="fails_conformance")
    result = mutants.run_mutant(NO_BUG)
    assert result.caught and result.by == "crash: invariant sys1_lsn_chain"


def test_unreplayed_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_checks(monkeypatch, stepped="flaky_failure")
    assert not mutants.run_mutant(NO_BUG).caught
    fake_checks(monkeypatch, trace="flaky_failure")
    result = mutants.run_mutant(NO_BUG)
    assert result.caught and result.by == "trace: abstraction write_lsn (FlakyFailure)"


def test_an_interrupt_is_never_a_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGINT during a check, even one that turns it into a Flaky error: KeyboardInterrupt."""
    fake_checks(monkeypatch, stepped="interrupted_then_flaky", crash="fails_conformance")
    with pytest.raises(KeyboardInterrupt):
        mutants.run_mutant(NO_BUG)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler   # restored


CALLS: list[object] = []


def caught_every_other_run(settings: object) -> None:
    """A catch that needs a lucky draw: it fails on every other run."""
    CALLS.append(settings)
    if len(CALLS) % 2:
        raise ConformanceFailure("liveness: stuck", "user 0 waits for flush of lsn 9000")


def test_seeds_report_a_catch_that_needs_luck(monkeypatch: pytest.MonkeyPatch) -> None:
    """``run_catalog(seeds=N)`` runs each mutant N times with fresh seeds (settings that are
    not derandomized) and counts it caught only when every run caught it."""
    fake_checks(monkeypatch, liveness="caught_every_other_run")
    monkeypatch.setattr(mutants, "catalog", lambda: (NO_BUG,))
    CALLS.clear()
    [result] = mutants.run_catalog(seeds=4)
    assert (result.runs, result.caught_runs, result.caught) == (4, 2, False)
    assert len(CALLS) == 4 and not any(s.derandomize for s in CALLS)  # type: ignore[attr-defined]
    row = mutants.summary([result])["mutants"][0]
    assert (row["runs"], row["caught_runs"], row["caught"]) == (4, 2, False)
    CALLS.clear()
    [once] = mutants.run_catalog()  # the CI run: one derandomized run, caught by it
    assert (once.runs, once.caught_runs, once.caught) == (1, 1, True)
    assert CALLS[0].derandomize  # type: ignore[attr-defined]
