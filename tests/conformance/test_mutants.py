"""The seeded-bug catalog: every mutant must be caught by the CI conformance checks.

Each mutant is a small, named wrong variant of ``impl/`` (a one-snippet source change, see
:mod:`conformance.mutant_catalog`); the checks run with the CI budget and must fail. A mutant
that survives means the conformance suite has a blind spot for that requirement.
"""

from __future__ import annotations

import pytest

import impl.writer
from conformance import mutants
from conformance.mutant_catalog import MUTANTS
from conformance.mutants import MutantError, Patcher, source_patch


@pytest.mark.slow
@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_is_caught(mutant: mutants.Mutant) -> None:
    """The CI checks (stepped, wrap, crash, trace, in that order) catch the seeded bug."""
    result = mutants.run_mutant(mutant)
    assert result.caught, (f"{mutant.name} ({', '.join(mutant.ids)}) survived: {mutant.doc}"
                           f"\n{result.message}")


def test_catalog_has_at_least_15_distinct_mutants() -> None:
    names = [m.name for m in MUTANTS]
    assert len(names) >= 15 and len(set(names)) == len(names)
    assert all(m.ids and m.doc for m in MUTANTS)


def test_every_mutant_applies_and_is_undone() -> None:
    """Each snippet occurs exactly once in the current implementation, and the patch is
    removed afterwards (a leaked mutant would poison every later test)."""
    before = impl.writer.Writer._log_write_buffer
    for mutant in MUTANTS:
        with mutants.applied(mutant):
            pass
    assert impl.writer.Writer._log_write_buffer is before


def test_source_patch_refuses_a_missing_snippet() -> None:
    patcher = Patcher()
    with pytest.raises(MutantError, match="occurs 0 times"):
        source_patch(patcher, impl.writer.Writer, "_log_write_buffer", "no such text", "x")
    patcher.undo()
