"""A failure HypoFuzz finds replays under ``redospec fuzz --replay``: the same machines, the same
database (``REDOSPEC_FUZZ_DB``), the same keys.

HypoFuzz (``hypothesis fuzz``, the ``fuzz`` extra) fuzzes ``tests/conformance/test_machines.py``
with a seeded bug applied through ``REDOSPEC_MUTANT`` (WR-6: ``write_ahead_padding_missing``);
once the failure is in the database, HypoFuzz is stopped and a separate ``redospec fuzz
--replay`` process must fail on it. Skipped, saying why, where HypoFuzz is not installed.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent
MUTANT = "write_ahead_padding_missing"
FIND_WITHIN_S = 180
"""A guard against a hang; HypoFuzz finds this bug in about 5 s on an idle 2-core machine."""


def _stepped_keys() -> list[bytes]:
    """The database keys of the stepped machine (failures, then not-yet-shrunk failures),
    computed as both Hypothesis and HypoFuzz compute them."""
    from hypothesis.internal.reflection import function_digest
    from hypothesis.stateful import get_state_machine_test

    from conformance import stepped

    test = get_state_machine_test(stepped.SteppedMachine)
    key = function_digest(test.hypothesis.inner_test)  # type: ignore[attr-defined]
    return [key, key + b".secondary"]


def test_a_failure_found_by_hypofuzz_replays_under_redospec_fuzz_replay(tmp_path: Path) -> None:
    if importlib.util.find_spec("hypofuzz") is None:
        pytest.skip("HypoFuzz is not installed (pip install -e '.[fuzz]'; .ci/run installs it)")
    from hypothesis.database import DirectoryBasedExampleDatabase

    db = tmp_path / "db"
    # Without CI and HYPOTHESIS_PROFILE: under CI=true Hypothesis derandomizes every test (its
    # own "ci" profile), and HypoFuzz then finds nothing to fuzz ("no Hypothesis tests found").
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "HYPOTHESIS_PROFILE")}
    env.update({"REDOSPEC_HYPOFUZZ": "1", "REDOSPEC_MUTANT": MUTANT, "REDOSPEC_FUZZ_DB": str(db)})
    fuzzer = subprocess.Popen(
        [str(Path(sys.executable).parent / "hypothesis"), "fuzz", "-n", "1", "--no-dashboard",
         "--",
         "tests/conformance/test_machines.py", "-k", "TestStepped"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    keys = _stepped_keys()
    found: list[bytes] = []
    try:
        end = time.monotonic() + FIND_WITHIN_S
        while not found and time.monotonic() < end and fuzzer.poll() is None:
            time.sleep(1)
            database = DirectoryBasedExampleDatabase(str(db))
            found = [value for key in keys for value in database.fetch(key)]
    finally:
        if fuzzer.poll() is None:
            os.killpg(fuzzer.pid, signal.SIGINT)
            try:
                fuzzer.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(fuzzer.pid, signal.SIGKILL)
        output = fuzzer.communicate()[0]
    assert found, (f"HypoFuzz saved no failure (within {FIND_WITHIN_S} s, or it exited with "
                   f"status {fuzzer.returncode}):\n{output[-3000:]}")

    replay = subprocess.run(
        [sys.executable, "-m", "redospec", "fuzz", "--replay", "--db", str(db), "--target",
         "stepped", "--mutant", MUTANT], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert replay.returncode == 1, replay.stdout + replay.stderr
    assert "STILL FAILS stepped: invariant wr6_write_ahead" in replay.stdout
