"""bench/vs_tlc.py: the TLA+ translation of the toy model agrees with it, and the benchmark
skips cleanly where TLC is not available (SYS-1's caricature ``written <= lsn`` is the
invariant both tools check)."""

from __future__ import annotations

import os
import shutil

import pytest

from bench import vs_tlc
from engine import explore
from tests.engine.toy_models import mini_log, reachable_count


def test_skipped_with_a_message_without_the_jar(capsys: pytest.CaptureFixture[str]) -> None:
    assert vs_tlc.main(["--jar", "/nonexistent/tla2tools.jar", "--users", "2",
                        "--max-lsn", "2"]) == 0
    assert "skipped" in capsys.readouterr().out


@pytest.mark.skipif(shutil.which(os.environ.get("JAVA", "java")) is None
                    or vs_tlc.find_jar(None) is None, reason="java or tla2tools.jar missing")
def test_tlc_counts_the_same_states_as_the_engine_and_an_independent_search() -> None:
    java = os.environ.get("JAVA") or shutil.which("java")
    jar = vs_tlc.find_jar(None)
    assert java is not None and jar is not None
    tlc = vs_tlc.run_tlc(java, jar, users=2, max_lsn=4)
    model = mini_log(users=2, max_lsn=4)
    assert tlc.distinct == reachable_count(model) == explore(model).distinct_states
