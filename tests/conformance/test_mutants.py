"""The seeded-bug catalog: every mutant must be caught by the CI conformance checks.

Each mutant is a small, named wrong variant of ``impl/`` (a one-snippet source change, see
:mod:`conformance.mutant_catalog`); the checks run with the CI budget and must fail. A mutant
that survives means the conformance suite has a blind spot for that requirement.
"""

from __future__ import annotations

import inspect
from typing import Any

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
    """Each snippet occurs exactly once in the current implementation, and every attribute a
    mutant patched is restored afterwards, by identity, own or inherited (a leaked mutant
    would poison every later test)."""
    missing = object()
    for mutant in MUTANTS:
        patcher = Patcher()
        before: list[tuple[object, str, object, object]] = []
        real_setattr = patcher.setattr

        def recording(target: object, name: str, value: object,
                      real: Any = real_setattr, seen: Any = before) -> None:
            seen.append((target, name, vars(target).get(name, missing),
                         inspect.getattr_static(target, name)))
            real(target, name, value)

        patcher.setattr = recording  # type: ignore[method-assign]
        mutant.apply(patcher)
        assert before, f"{mutant.name} patched nothing"
        changed = [n for t, n, _own, old in before if inspect.getattr_static(t, n) is not old]
        assert changed, f"{mutant.name} changed nothing"
        patcher.undo()
        for target, name, own, old in before:
            assert vars(target).get(name, missing) is own, f"{mutant.name}: {target}.{name}"
            assert inspect.getattr_static(target, name) is old, f"{mutant.name}: {target}.{name}"


def test_source_patch_refuses_a_missing_snippet() -> None:
    patcher = Patcher()
    with pytest.raises(MutantError, match="occurs 0 times"):
        source_patch(patcher, impl.writer.Writer, "_log_write_buffer", "no such text", "x")
    patcher.undo()
