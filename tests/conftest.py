"""Shared test set-up: Hypothesis profiles and the location of ../shared/fixtures."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

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


def fixtures_location() -> tuple[Path, str]:
    """Where the real MySQL redo log files are: ``$REDOSPEC_FIXTURES`` if set, else
    ``../shared/fixtures`` beside the checkout; and how it was chosen (for messages)."""
    env = os.environ.get("REDOSPEC_FIXTURES")
    if env:
        return Path(env).expanduser().resolve(), "REDOSPEC_FIXTURES"
    return REPO.parent / "shared" / "fixtures", "../shared/fixtures (default)"


FIXTURES, FIXTURES_FROM = fixtures_location()

_REAL_FILE_TESTS = {"ran": 0, "skipped": 0}
"""Tests that asked for the real files: ran (the fixtures were there) or skipped."""


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """The real MySQL redo logs (see :func:`fixtures_location`). Missing under CI is a
    failure, not a skip; otherwise a skip, counted in the terminal summary."""
    if not FIXTURES.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"fixtures folder {FIXTURES} ({FIXTURES_FROM}) is missing; CI must run "
                        "beside shared/ or set REDOSPEC_FIXTURES")
        pytest.skip(f"real MySQL redo files not found at {FIXTURES} ({FIXTURES_FROM}); set "
                    "REDOSPEC_FIXTURES=/path/to/fixtures")
    return FIXTURES


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count the tests that use the real files, by outcome (setup skips included)."""
    if "fixtures_dir" not in getattr(report, "fixturenames", ()) and not _uses_fixtures(report):
        return
    if report.when == "call" and (report.passed or report.failed):
        _REAL_FILE_TESTS["ran"] += 1
    elif report.skipped and report.when in ("setup", "call"):
        _REAL_FILE_TESTS["skipped"] += 1


def _uses_fixtures(report: pytest.TestReport) -> bool:
    return any(key == "real_files" for key, _ in report.user_properties)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that use the real files, so their reports can be counted (also from
    pytest-xdist workers, whose reports carry the user properties)."""
    for item in items:
        if "fixtures_dir" in getattr(item, "fixturenames", ()):
            item.user_properties.append(("real_files", True))


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    """One line: how many real-MySQL-file tests ran or were skipped, and why."""
    ran, skipped = _REAL_FILE_TESTS["ran"], _REAL_FILE_TESTS["skipped"]
    if not ran and not skipped:
        return
    if FIXTURES.is_dir():
        why = f"from {FIXTURES} ({FIXTURES_FROM})"
    else:
        why = (f"{FIXTURES} ({FIXTURES_FROM}) not found; set REDOSPEC_FIXTURES to the folder "
               "of real MySQL redo files (see README, 'Real MySQL files')")
    terminalreporter.write_line(
        f"real MySQL redo files: {ran} tests ran, {skipped} skipped; {why}")
