"""``--replay`` runs every Hypothesis test of a check: a test with nothing stored (Hypothesis
raises SkipTest) does not hide a later one that still fails."""

from __future__ import annotations

import unittest
from pathlib import Path

import pytest
from hypothesis import settings

from campaign import db as dbmod
from campaign import replay
from conformance import checks, matrix


def test_a_matrix_row_with_nothing_stored_does_not_hide_a_failing_row(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [r for r in matrix.MATRIX if r.ci]
    assert len(rows) >= 3
    ran: list[str] = []

    def run_row(row: matrix.Row, s: settings) -> None:
        ran.append(row.name)
        assert s.phases and "generate" not in [p.name for p in s.phases]   # replay only
        if row is rows[2]:
            raise checks.ConformanceFailure("invariant sys1_lsn_chain", "still fails")
        raise unittest.SkipTest("Hypothesis has been told to run no test cases for this test.")

    monkeypatch.setattr(matrix, "run_row", run_row)
    [result] = replay.replay(dbmod.parse(str(tmp_path / "db")), ["matrix-ci"])
    assert ran == [r.name for r in rows]
    assert result.fails and result.what == f"invariant sys1_lsn_chain (matrix row {rows[2].name})"


def test_nothing_stored_is_not_a_failure(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(matrix, "run_row", lambda row, s: (_ for _ in ()).throw(
        unittest.SkipTest("nothing")))
    [result] = replay.replay(dbmod.parse(str(tmp_path / "db")), ["matrix-ci"])
    assert not result.fails
