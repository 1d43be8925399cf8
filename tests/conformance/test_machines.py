"""The conformance state machines as plain Hypothesis ``TestCase`` classes, for HypoFuzz.

``hypothesis fuzz`` (HypoFuzz) fuzzes the Hypothesis tests pytest collects. The regular tests
(``test_stepped.py``) call the machines through helper functions with the active profile; these
classes expose the same machines directly. They are collected only with
``REDOSPEC_HYPOFUZZ=1`` so that the CI test suite does not run the machines twice::

    REDOSPEC_HYPOFUZZ=1 hypothesis fuzz -- tests/conformance/test_machines.py
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from conformance import stepped

if not os.environ.get("REDOSPEC_HYPOFUZZ"):
    pytest.skip("set REDOSPEC_HYPOFUZZ=1 to collect the machines for HypoFuzz",
                allow_module_level=True)

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
