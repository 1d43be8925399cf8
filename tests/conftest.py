"""Shared test set-up: Hypothesis profiles and the location of ../shared/fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from conformance.checks import CI_SETTINGS

# ci: bounded and derandomized, part of the test suite; the settings live in
# conformance.checks so that `redospec check` outside pytest uses the very same budget.
# dev: the default for local runs. fuzz: long campaigns (redospec fuzz, HypoFuzz), failures
# saved to the example database.
settings.register_profile("ci", parent=CI_SETTINGS)
settings.register_profile(
    "dev",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz",
    max_examples=100_000,
    stateful_step_count=200,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO.parent / "shared" / "fixtures"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """../shared/fixtures: real MySQL redo logs. Missing under CI is a failure, not a skip."""
    if not FIXTURES.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"fixtures folder {FIXTURES} is missing; CI must run beside shared/")
        pytest.skip(f"fixtures folder {FIXTURES} not found")
    return FIXTURES
