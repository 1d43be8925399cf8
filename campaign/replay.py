"""``redospec fuzz --replay``: run every failing example stored in the database, for every
check, and say which still fail.

Each check runs with Hypothesis's ``explicit`` and ``reuse`` phases only: the stored examples of
its tests and state machines are replayed (a failure is raised with its shrunk schedule), nothing
new is generated. An example that no longer fails is removed from the database by Hypothesis
itself, so a bug that was fixed leaves the shared database clean after one replay.
"""

from __future__ import annotations

import contextlib
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


def replay(layers: list[dbmod.Layer], targets: list[str], *, mutant: str | None = None,
           progress: Callable[[str], None] | None = None) -> list[Replayed]:
    """Replay ``targets``' stored failures from ``layers``; one :class:`Replayed` per check.
    A database that stops answering raises :class:`campaign.db.DatabaseError`."""
    from conformance import checks

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
            reporter = Reporter()
            before = sum(checks.EXAMPLES.values())
            start = time.monotonic()
            try:
                with with_reporter(reporter):
                    checks.check_named(name).load()(replay_settings(database))
            except unittest.SkipTest:   # Hypothesis: nothing stored, so no test case to run
                results.append(Replayed(name, False, seconds=time.monotonic() - start))
                continue
            except Exception as exc:
                if dbmod.is_database_error(exc):
                    raise dbmod.DatabaseError(
                        f"the example database stopped answering during the replay of "
                        f"{name}: {dbmod.one_line(exc)}") from exc
                what, flaky = failure_kind(exc)
                results.append(Replayed(
                    name, True, what + (" (flaky: did not replay exactly)" if flaky else ""),
                    str(exc)[:4000], schedule_text(exc, reporter.lines),
                    sum(checks.EXAMPLES.values()) - before, time.monotonic() - start))
                continue
            results.append(Replayed(name, False, examples=sum(checks.EXAMPLES.values()) - before,
                                    seconds=time.monotonic() - start))
    return results
