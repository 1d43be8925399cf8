"""The seeded-bug catalog: realistic wrong variants of the implementation, each of which the
conformance checks must catch.

A :class:`Mutant` is a small, named change to ``impl/`` applied by monkeypatching (a
:class:`Patcher` sets attributes and restores them afterwards), described in the design's words
with the requirement IDs it breaks. :func:`run_mutant` applies it and runs the checks of
:data:`conformance.checks.CHECKS` in order with the CI budget (no shrinking: we measure the time
to *catch*); the first check that fails catches it, and its :class:`ConformanceFailure` names
*what* caught it (an invariant, an abstract-state field, a spec guard).

``redospec mutants [--json]`` prints the table; ``tests/conformance/test_mutants.py`` asserts,
one test per mutant, that every mutant is caught by the CI profile.

The variants themselves live in :mod:`conformance.mutant_catalog`.
"""

from __future__ import annotations
import __future__

import inspect
import sys
import textwrap
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import attrs
from hypothesis import settings
from hypothesis.errors import Flaky

from conformance import checks
from conformance.report import recording


class Patcher:
    """Set attributes for the duration of a ``with`` block, then restore them."""

    def __init__(self) -> None:
        self._saved: list[tuple[object, str, object, bool]] = []

    def setattr(self, target: object, name: str, value: object) -> None:
        """``target.name = value`` until :meth:`undo`; ``target.name`` must exist."""
        if not hasattr(target, name):
            raise AttributeError(f"{target!r} has no attribute {name!r} to patch")
        had_own = name in getattr(target, "__dict__", {})
        self._saved.append((target, name, getattr(target, "__dict__", {}).get(name), had_own))
        setattr(target, name, value)

    def undo(self) -> None:
        while self._saved:
            target, name, old, had_own = self._saved.pop()
            if had_own:
                setattr(target, name, old)
            else:
                delattr(target, name)


class MutantError(Exception):
    """A mutant cannot be applied (the code it changes moved): names the mutant and the snippet."""


def source_patch(patcher: Patcher, owner: Any, attr: str, old: str, new: str) -> None:
    """Replace ``owner.attr`` (a function or method) by a copy whose source has ``old``
    replaced by ``new`` exactly once: a small, visible, named change, as mutation testing
    tools make. ``MutantError`` if ``old`` does not occur exactly once (the catalog must be
    updated when the implementation changes)."""
    func = inspect.unwrap(getattr(owner, attr))
    src = textwrap.dedent(inspect.getsource(func))
    found = src.count(old)
    where = f"{func.__module__}.{func.__qualname__}"
    if found != 1:
        raise MutantError(f"snippet {old!r} occurs {found} times in {where}, expected once")
    code = compile(src.replace(old, new), f"<mutant of {where}>", "exec",
                   flags=__future__.annotations.compiler_flag, dont_inherit=True)
    namespace: dict[str, Any] = {}
    exec(code, sys.modules[func.__module__].__dict__, namespace)
    patcher.setattr(owner, attr, namespace[func.__name__])


@attrs.frozen
class Mutant:
    """One seeded bug: ``apply(patcher)`` makes the implementation wrong in one small way."""

    name: str
    ids: tuple[str, ...]
    """Requirement IDs the bug breaks."""
    doc: str
    """What is wrong, in the design's words."""
    apply: Callable[[Patcher], None]
    expect: str = ""
    """The check or invariant we expect to catch it: ``"<check>: <what>"``; that check is tried
    first (``by`` is measured, whichever check catches it)."""


@contextmanager
def applied(mutant: Mutant) -> Iterator[None]:
    patcher = Patcher()
    try:
        mutant.apply(patcher)
        yield
    finally:
        patcher.undo()


@attrs.frozen
class MutantResult:
    name: str
    caught: bool
    by: str | None
    examples: int
    seconds: float
    message: str = ""
    runs: int = 1
    """How many runs (``run_catalog(seeds=N)``: N, each from a fresh seed)."""
    caught_runs: int = attrs.field()
    """How many of the runs caught it."""
    max_examples_to_catch: int = attrs.field()
    """The most examples a catching run took (0 when none caught it)."""

    @caught_runs.default
    def _caught_runs(self) -> int:
        return self.runs if self.caught else 0

    @max_examples_to_catch.default
    def _max_examples(self) -> int:
        return self.examples if self.caught else 0


DETERMINISTIC_ON_FAILURE = frozenset({"trace"})
"""Checks whose verdict on one recorded run is deterministic even though the run is not: the
threaded ``trace`` check replays the trace it recorded through the spec, so a
``ConformanceFailure`` on that trace is a finding even when Hypothesis cannot make the threads
repeat it (it then reports ``FlakyFailure``)."""


def _conformance_failures(exc: BaseException) -> list[checks.ConformanceFailure]:
    """The ConformanceFailures inside ``exc`` (itself, or the leaves of an exception group)."""
    if isinstance(exc, checks.ConformanceFailure):
        return [exc]
    if isinstance(exc, BaseExceptionGroup):
        return [f for inner in exc.exceptions for f in _conformance_failures(inner)]
    return []


def counts_as_caught(check_name: str, exc: BaseException) -> bool:
    """Whether ``exc``, raised by the check ``check_name`` on a mutant, is a catch (honest
    scoring): a ``ConformanceFailure`` that Hypothesis replayed (raised as such,
    or several distinct ones as an exception group), or one found by a check that is
    deterministic on its recorded run (:data:`DETERMINISTIC_ON_FAILURE`). A ``Flaky`` error
    with no ConformanceFailure in it (``FlakyStrategyDefinition``: the data drawn changed between
    runs, as after an interrupt), or a ConformanceFailure of a stepped (deterministic) check that
    did not replay, is not a catch."""
    found = _conformance_failures(exc)
    if not found:
        return False
    if isinstance(exc, Flaky):
        return check_name in DETERMINISTIC_ON_FAILURE
    return True


def run_mutant(
    mutant: Mutant,
    *,
    check_settings: settings | None = None,
    check_names: Sequence[str] | None = None,
) -> MutantResult:
    """Apply ``mutant`` and run the checks until one fails (see module doc).

    Ctrl-C raises ``KeyboardInterrupt`` out of here, whatever the interrupted check raised:
    an interrupted mutant is never reported, and never as caught."""
    chosen = [checks.check_named(n) for n in check_names] if check_names else list(checks.CHECKS)
    if not check_names:  # the check the catalog expects first (``expect`` = "<check>: ...")
        expected = mutant.expect.split(":", 1)[0].strip()
        chosen.sort(key=lambda c: c.name != expected)
    run_settings = check_settings or checks.MUTANT_SETTINGS
    start = time.monotonic()
    examples = 0
    not_counted: list[str] = []
    with applied(mutant), checks.watch_interrupts() as interrupted:
        for check in chosen:
            run = check.load()  # an import error here is the catalog's problem, not a kill
            failed: BaseException | None = None
            with recording() as seen:
                try:
                    run(run_settings)
                except (checks.ConformanceFailure, Flaky, BaseExceptionGroup) as exc:
                    failed = exc
            examples += seen.examples[check.name]
            if interrupted():   # whatever the check did after SIGINT is not a result
                raise KeyboardInterrupt from failed
            if failed is None:
                continue
            if not counts_as_caught(check.name, failed):
                # e.g. FlakyStrategyDefinition: not a finding; try the next check
                not_counted.append(f"{check.name}: {type(failed).__name__} not counted "
                                   f"(no replayable failure): {str(failed)[:300]}")
                continue
            failure = _conformance_failures(failed)[0]
            by = (f"{check.name}: {failure.check}" if isinstance(failed, checks.ConformanceFailure)
                  else f"{check.name}: {failure.check} ({type(failed).__name__})")
            return MutantResult(mutant.name, True, by, examples, time.monotonic() - start,
                                str(failed)[:2000])
    return MutantResult(mutant.name, False, None, examples, time.monotonic() - start,
                        "\n".join(not_counted))


def catalog() -> tuple[Mutant, ...]:
    from conformance.mutant_catalog import MUTANTS

    return MUTANTS


def run_catalog(
    names: Sequence[str] | None = None,
    *,
    seeds: int = 0,
    progress: Callable[[str], None] | None = None,
    on_result: Callable[[MutantResult], None] | None = None,
) -> list[MutantResult]:
    """Run the mutants named ``names`` (all by default); KeyError names an unknown one.
    ``on_result`` sees each finished mutant (what an interrupted run had done).

    ``seeds=0`` is the CI run: one derandomized run per mutant. ``seeds=N`` measures how robust
    each catch is: N runs per mutant, each with a fresh random seed (the CI budget otherwise);
    the result's ``caught`` holds only when every run caught it, ``caught_runs`` says how many
    did. A derandomized catch that needs a lucky draw shows up here as k/N with k < N: what
    Hypothesis draws also depends on the constants of every module loaded, so such a catch can
    be lost by adding an unrelated test file."""
    by_name = {m.name: m for m in catalog()}
    if names:
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise KeyError(f"unknown mutant(s) {', '.join(unknown)}; "
                           f"known: {', '.join(by_name)}")
    chosen = [by_name[n] for n in names] if names else list(by_name.values())
    results = []
    for i, mutant in enumerate(chosen, 1):
        if progress:
            progress(f"[{i}/{len(chosen)}] {mutant.name} ...")
        results.append(run_mutant(mutant) if not seeds else _run_seeds(mutant, seeds))
        if on_result:
            on_result(results[-1])
    return results


def _run_seeds(mutant: Mutant, seeds: int) -> MutantResult:
    """``seeds`` runs of ``mutant`` at the CI budget, each from a fresh random seed."""
    run_settings = settings(checks.MUTANT_SETTINGS, derandomize=False)
    runs = [run_mutant(mutant, check_settings=run_settings) for _ in range(seeds)]
    caught = [r for r in runs if r.caught]
    missed = [r.message for r in runs if not r.caught and r.message]
    return MutantResult(
        mutant.name, len(caught) == seeds, caught[0].by if caught else None,
        sum(r.examples for r in runs), sum(r.seconds for r in runs),
        "\n".join(missed), runs=seeds, caught_runs=len(caught),
        max_examples_to_catch=max((r.examples for r in caught), default=0))


def summary(results: Sequence[MutantResult]) -> dict[str, Any]:
    """``{"kill_rate", "mutants": [{"name", "caught", "by", "examples", "seconds", "runs",
    "caught_runs"}]}``."""
    caught = sum(r.caught for r in results)
    return {
        "kill_rate": caught / len(results) if results else 0.0,
        "mutants": [
            {"name": r.name, "caught": r.caught, "by": r.by, "examples": r.examples,
             "seconds": round(r.seconds, 3), "runs": r.runs, "caught_runs": r.caught_runs,
             "max_examples_to_catch": r.max_examples_to_catch}
            for r in results
        ],
    }


SHOW_SHRINK_SECONDS = 60
"""How long ``redospec mutants --show`` lets Hypothesis shrink the catch (its own limit is five
minutes; a long stepped run may not reach its minimum in time: the steps shown are then the
smallest failing run found so far)."""


@attrs.frozen
class Catch:
    """A seeded bug's catch, replayed with shrinking: what ``redospec mutants --show`` prints."""

    name: str
    check: str
    """The check that caught it (``matrix-ci``, ``stepped``, ...)."""
    failure: str
    """The property or comparison that failed (``invariant nt4_no_lost_wakeup``, ...)."""
    message: str
    steps: tuple[str, ...]
    """The interleaving of the (shrunk) failing run, one spec label per step; empty for
    threaded checks, whose failing workload is in ``example``."""
    example: str = ""

    def format(self) -> str:
        lines = [f"{self.name}: caught by {self.check}: {self.failure}", ""]
        if self.steps:
            lines.append(f"shrunk interleaving ({len(self.steps)} steps):")
            width = len(str(len(self.steps)))
            lines += [f"  {i:>{width}}. {step}" for i, step in enumerate(self.steps, 1)]
            lines[-1] += "    <- fails here"
            lines.append("")
        elif self.example:
            lines += ["failing example:", *("  " + ln for ln in self.example.splitlines()), ""]
        lines += ["failure:", *("  " + ln for ln in self.message.splitlines()[:40])]
        return "\n".join(lines)


def show_catch(name: str, *, shrink_seconds: float = SHOW_SHRINK_SECONDS) -> Catch | None:
    """Run the mutant ``name`` as ``redospec mutants`` does; if a check catches it, run that
    check again with shrinking (the CI profile's settings, one bug reported) and return the
    shrunk failing run's steps and the failing property. None if no check catches it.
    KeyError for an unknown name."""
    from hypothesis.internal.conjecture import engine
    from hypothesis.reporting import with_reporter

    by_name = {m.name: m for m in catalog()}
    if name not in by_name:
        raise KeyError(f"unknown mutant {name!r}; known: {', '.join(by_name)}")
    mutant = by_name[name]
    result = run_mutant(mutant)
    if not result.caught or not result.by:
        return None
    check_name = result.by.split(":", 1)[0].strip()
    shrink = settings(checks.CI_SETTINGS, report_multiple_bugs=False, database=None)
    reported: list[str] = []
    saved = engine.MAX_SHRINKING_SECONDS
    engine.MAX_SHRINKING_SECONDS = int(shrink_seconds)
    try:
        with applied(mutant), checks.watch_interrupts() as interrupted, \
                with_reporter(lambda value: reported.append(str(value))):
            try:
                checks.check_named(check_name).load()(shrink)
            except (checks.ConformanceFailure, Flaky, BaseExceptionGroup) as exc:
                if interrupted():
                    raise KeyboardInterrupt from exc
                found = _conformance_failures(exc)
                if not found:
                    return None
                failure = found[0]
                steps = tuple(getattr(failure, "steps", ()))
                example = "\n".join(r for r in reported if "Falsifying" in r or "workload" in r)
                return Catch(name, check_name, failure.check, str(failure), steps, example)
    finally:
        engine.MAX_SHRINKING_SECONDS = saved
    # the catch did not repeat with the shrinking settings: show the recorded one
    return Catch(name, check_name, result.by.split(":", 1)[1].strip(), result.message, ())
