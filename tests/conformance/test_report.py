"""The conformance report: every check returns what its own runs counted, so tests read the
report of their own run instead of diffing process-wide counters."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.checks import reports
from conformance.report import LIVE, Report, recording


def test_recording_reports_only_what_was_counted_inside() -> None:
    LIVE.examples["outside"] += 1
    with recording() as outer:
        LIVE.examples["stepped"] += 2
        with recording() as inner:
            LIVE.actions["stepped"]["writer_write"] += 3
            LIVE.restarts[2] += 1
        LIVE.wraps["log_buffer"] += 1
    assert inner.actions["stepped"] == {"writer_write": 3} and inner.restarts == {2: 1}
    assert not inner.examples and not inner.wraps and not inner.actions["threaded"]
    assert outer.examples == {"stepped": 2} and outer.wraps == {"log_buffer": 1}
    assert outer.actions["stepped"]["writer_write"] == 3 and outer.restarts[2] == 1
    assert "outside" not in outer.examples and outer.total_examples() == 2


def test_a_check_that_raises_still_fills_its_report() -> None:
    with pytest.raises(ValueError), recording() as report:
        LIVE.liveness["runs"] += 1
        raise ValueError("a disagreement")
    assert report.liveness["runs"] == 1


def test_reports_turns_a_procedure_into_a_check_returning_its_report() -> None:
    @reports
    def run(n: int) -> None:
        LIVE.examples["toy"] += n

    first, second = run(2), run(5)
    assert first.examples["toy"] == 2 and second.examples["toy"] == 5
    total = Report()
    total.add(first)
    total.add(second)
    assert total.examples["toy"] == 7


def _draws() -> list[int]:
    """The integers a derandomized Hypothesis test draws (200 examples)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    seen: list[int] = []

    @settings(derandomize=True, max_examples=200, database=None)
    @given(st.integers(0, 2**40))
    def draw(n: int) -> None:
        seen.append(n)

    draw()
    return seen


def test_derandomized_draws_do_not_depend_on_the_modules_imported(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A check's derandomized examples are the same whichever local modules the process
    imported (an xdist worker's test modules, the CLI): Hypothesis mixes their constants into
    its draws, which once made a seeded bug's catch depend on the test order."""
    import importlib
    import sys

    from conformance.checks import stable_draws

    with stable_draws():
        before = _draws()
    module = tmp_path / "module_with_constants.py"
    module.write_text("".join(f"C{i} = {123456789 + 1000 * i}\n" for i in range(50)))
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("module_with_constants")
    try:
        unpinned = _draws()
        with stable_draws():
            after = _draws()
    finally:
        sys.modules.pop("module_with_constants", None)
    assert after == before
    # teeth: without the pin the new module's constants show up in the draws
    assert any(123456789 <= n < 123456789 + 50_000 for n in unpinned)
