"""Conformance test set-up: replay ``redospec fuzz`` failures from its example database.

``REDOSPEC_FUZZ_DB`` names a campaign's example database in ``redospec fuzz --db``'s syntax: a
folder, ``redis://HOST:PORT/N``, or ``DIR+redis://HOST:PORT/N`` (the folder in front of the
shared Redis). With it, every conformance test here (and HypoFuzz, which collects them) uses
that database, so Hypothesis replays the campaign's failing examples first and saves what it
finds there::

    REDOSPEC_FUZZ_DB=redis://ci-redis:6379/0 HYPOTHESIS_PROFILE=dev pytest tests/conformance
"""

from __future__ import annotations

import os

from hypothesis import settings

_DB = os.environ.get("REDOSPEC_FUZZ_DB")
if _DB:
    from campaign.db import from_text

    settings.register_profile("fuzz-replay", settings(settings.default, database=from_text(_DB)))
    settings.load_profile("fuzz-replay")


def pytest_sessionfinish(session: object, exitstatus: int) -> None:
    """With ``REDOSPEC_COVERAGE_OUT=FILE`` (set by ``redospec check``), write how often each
    spec action fired in the stepped and threaded runs of this session."""
    out = os.environ.get("REDOSPEC_COVERAGE_OUT")
    if not out:
        return
    import json

    from conformance.report import LIVE

    with open(out, "w") as f:
        json.dump({source: dict(counter) for source, counter in LIVE.actions.items()}, f)
