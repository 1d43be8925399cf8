"""Conformance test set-up: replay ``redospec fuzz`` failures from its example database.

``redospec fuzz --db DIR`` saves failures in a DirectoryBasedExampleDatabase at DIR and prints a
replay command that sets ``REDOSPEC_FUZZ_DB=DIR``: with it, every conformance test here uses that
database, so Hypothesis replays the saved failing examples first.
"""

from __future__ import annotations

import os

from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase

_DB = os.environ.get("REDOSPEC_FUZZ_DB")
if _DB:
    settings.register_profile(
        "fuzz-replay",
        settings(settings.default, database=DirectoryBasedExampleDatabase(_DB)),
    )
    settings.load_profile("fuzz-replay")


def pytest_sessionfinish(session: object, exitstatus: int) -> None:
    """With ``REDOSPEC_COVERAGE_OUT=FILE`` (set by ``redospec check``), write how often each
    spec action fired in the stepped and threaded runs of this session."""
    out = os.environ.get("REDOSPEC_COVERAGE_OUT")
    if not out:
        return
    import json

    from conformance import checks

    with open(out, "w") as f:
        json.dump({source: dict(counter) for source, counter in checks.ACTIONS.items()}, f)
