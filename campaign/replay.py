"""``redospec fuzz --replay``: run every failing example stored in the database, for every
check, and say which still fail.

Each check runs with Hypothesis's ``explicit`` and ``reuse`` phases only: the stored examples of
its tests and state machines are replayed (a failure is raised with its shrunk schedule), nothing
new is generated. An example that no longer fails is removed from the database by Hypothesis
itself, so a bug that was fixed leaves the shared database clean after one replay.
"""

from __future__ import annotations

import contextlib
import functools
import time
import unittest
from collections.abc import Callable

import attrs
from hypothesis import Phase, settings
from hypothesis.database import ExampleDatabase
from hypothesis.reporting import with_reporter

from campaign import db as dbmod
from campaign.worker import Reporter, failure_kind, schedule_text


@attrs.define
class Replayed:
    check: str
    fails: bool
    what: str = ""
    message: str = ""
    schedule: str = ""
    examples: int = 0
    """Stored examples replayed (0: nothing stored for this check)."""
    seconds: float = 0.0


def replay_settings(database: ExampleDatabase) -> settings:
    from conformance import checks

    return settings(checks.fuzz_settings(database, 1),
                    phases=(Phase.explicit, Phase.reuse))


def parts(name: str) -> list[tuple[str, Callable[[settings], object]]]:
    """The Hypothesis tests of the check ``name``, each replayed on its own: a test with
    nothing stored raises ``SkipTest``, which must not hide the next one (the matrix checks
    run one test per configuration row)."""
    from conformance import checks

    if name in ("matrix", "matrix-ci"):
        from conformance import matrix

        return [(f"matrix row {row.name}", functools.partial(matrix.run_row, row))
                for row in matrix.MATRIX if row.ci or name == "matrix"]
    return [(name, checks.check_named(name).load())]


def replay(layers: list[dbmod.Layer], targets: list[str], *, mutant: str | None = None,
           progress: Callable[[str], None] | None = None) -> list[Replayed]:
    """Replay ``targets``' stored failures from ``layers``; one :class:`Replayed` per check.
    A database that stops answering raises :class:`campaign.db.DatabaseError`."""
    from conformance.report import LIVE

    database = dbmod.open_database(layers)
    cm: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
    if mutant:
        from conformance.mutants import applied, catalog

        cm = applied({m.name: m for m in catalog()}[mutant])
    results: list[Replayed] = []
    with cm:
        for i, name in enumerate(targets, 1):
            if progress:
                progress(f"replay [{i}/{len(targets)}] {name} ...")
            start = time.monotonic()
            before = LIVE.total_examples()
            found: Replayed | None = None
            for label, run in parts(name):
                reporter = Reporter()
                try:
                    with with_reporter(reporter):
                        run(replay_settings(database))
                except unittest.SkipTest:   # Hypothesis: nothing stored for this test
                    continue
                except Exception as exc:
                    if dbmod.is_database_error(exc):
                        raise dbmod.DatabaseError(
                            f"the example database stopped answering during the replay of "
                            f"{name}: {dbmod.one_line(exc)}") from exc
                    if found is None:   # the first failing test of the check is shown
                        what, flaky = failure_kind(exc)
                        where = "" if label == name else f" ({label})"
                        found = Replayed(
                            name, True,
                            what + where + (" (flaky: did not replay exactly)" if flaky else ""),
                            str(exc)[:4000], schedule_text(exc, reporter.lines))
            examples = LIVE.total_examples() - before
            seconds = time.monotonic() - start
            if found is None:
                results.append(Replayed(name, False, examples=examples, seconds=seconds))
            else:
                found.examples, found.seconds = examples, seconds
                results.append(found)
    return results
