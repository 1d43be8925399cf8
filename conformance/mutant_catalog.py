"""The seeded bugs (see :mod:`conformance.mutants`): filled in as the implementation lands."""

from __future__ import annotations

from conformance.mutants import Mutant

MUTANTS: tuple[Mutant, ...] = ()
