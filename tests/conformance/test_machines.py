"""The conformance state machines as plain Hypothesis ``TestCase`` classes, for HypoFuzz.

``hypothesis fuzz`` (HypoFuzz) fuzzes the Hypothesis tests pytest collects. The regular tests
(``test_stepped.py``) call the machines through helper functions with the active profile; these
classes expose the same machines directly. They are collected only with
``REDOSPEC_HYPOFUZZ=1`` so that the CI test suite does not run the machines twice::

    REDOSPEC_HYPOFUZZ=1 hypothesis fuzz -- tests/conformance/test_machines.py

``REDOSPEC_FUZZ_DB`` (``tests/conformance/conftest.py``) points them at a campaign's example
database (a folder, ``redis://HOST:PORT/N`` or ``DIR+redis://...``), so that what HypoFuzz finds
replays under ``redospec fuzz --replay`` and the other way round. ``REDOSPEC_MUTANT=NAME``
applies a seeded bug of ``conformance/mutant_catalog.py`` for the whole process (to see HypoFuzz
find one; ``tests/campaign/test_hypofuzz.py``).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from conformance import stepped

if not os.environ.get("REDOSPEC_HYPOFUZZ"):
    pytest.skip("set REDOSPEC_HYPOFUZZ=1 to collect the machines for HypoFuzz",
                allow_module_level=True)

# HypoFuzz 25.11 copies the shrunk result's ``slice_comments``, which Hypothesis 6.170's
# ConjectureResult no longer has: without this default its worker dies after each failure
# it shrinks (AttributeError), before the shrunk failure is saved as such.
from hypothesis.internal.conjecture.data import ConjectureResult

if not hasattr(ConjectureResult, "slice_comments"):
    ConjectureResult.slice_comments = {}  # type: ignore[attr-defined]

_MUTANT = os.environ.get("REDOSPEC_MUTANT")
if _MUTANT:
    from conformance.mutants import Patcher, catalog

    _known = {m.name: m for m in catalog()}
    if _MUTANT not in _known:
        raise pytest.UsageError(f"REDOSPEC_MUTANT={_MUTANT}: not in the catalog "
                                "('redospec mutants --json' lists the names)")
    _known[_MUTANT].apply(Patcher())   # for the whole process: never undone

_LONG = settings(stateful_step_count=stepped.STEPS, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                        HealthCheck.data_too_large])

TestStepped = stepped.SteppedMachine.TestCase
TestStepped.settings = _LONG
TestWrap = stepped.WrapMachine.TestCase
TestWrap.settings = _LONG
TestCrash = stepped.CrashMachine.TestCase
TestCrash.settings = settings(_LONG, stateful_step_count=60)
TestTracker90 = stepped.Machine90.TestCase
TestTracker90.settings = _LONG
TestRestart = stepped.RestartMachine.TestCase
TestRestart.settings = settings(_LONG, stateful_step_count=stepped.RESTART_STEPS)
