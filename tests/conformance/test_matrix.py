"""The configuration matrix (conformance/matrix.py) under the active profile (``ci``).

One representative per configuration class runs here: 8.0 and 9.0, stepped and threaded,
1 to 4 users, 2 and 4 event slots of each kind, and a log that fills (a slow checkpointer and
page cleaner, small files). The teeth test shows a slot-mapping bug (NT-3, WR-8) that the
one-write-slot main configuration cannot see and the matrix does.
"""

from __future__ import annotations

import attrs
import pytest
from hypothesis import settings

from conformance import checks, matrix, mutants
from conformance.checks import ConformanceFailure
from conformance.mutant_catalog import MUTANTS


def test_matrix_covers_every_class_with_one_ci_representative() -> None:
    """8.0 and 9.0 both stepped and threaded; 1 to 4 users; >= 2 slots of each kind
    everywhere; full-log rows (WR-9, CP-5) in both modes; one CI row per mode and version."""
    rows = matrix.MATRIX
    assert len({r.name for r in rows}) == len(rows)
    for mode in ("stepped", "threaded"):
        for version in ("8.0", "9.0"):
            assert any(r.mode == mode and r.params.version == version for r in rows)
            assert any(r.mode == mode and r.params.version == version and r.ci for r in rows)
    assert {r.params.n_user_threads for r in rows} == {1, 2, 3, 4}
    assert all(r.params.write_events >= 2 and r.params.flush_events >= 2 for r in rows)
    assert any(r.params.write_events == 4 and r.ci for r in rows)
    full = [r for r in rows if "full" in r.klass]
    assert {r.mode for r in full} == {"stepped", "threaded"}
    assert all(r.timing == matrix.SLOW for r in full if r.mode == "threaded")
    for klass in {r.klass for r in rows}:
        ci = [r for r in rows if r.klass == klass and r.ci]
        assert len(ci) <= 1, f"class {klass} has {len(ci)} CI rows"
    assert matrix.row_named("t80-u4-s4").params.n_user_threads == 4
    with pytest.raises(KeyError, match="unknown matrix row"):
        matrix.row_named("nope")


def test_matrix_ci_rows_conform() -> None:
    """USR-1..7, WR-1..9, FL-1..3, NT-1..5, CP-1..7 on every CI row; the log fills: in the
    stepped full-log row log_free_check forbids reservations (tried and refused by the
    implementation), in the threaded one the reservation margin makes users wait, while the
    writer's own capacity limit never has to bind (the margin keeps a write-ahead region free,
    WR-9)."""
    report = matrix.run_ci(settings())
    assert set(report.matrix) == {r.name for r in matrix.MATRIX if r.ci}
    assert report.forbidden["user_reserve"] > 0, "the stepped log never filled"
    assert report.trace["reserve_capacity_waits"] > 0, "the threaded log never filled"
    assert report.trace["writer_checkpoint_limited"] == 0


SLOT_BUG = next(m for m in MUTANTS if m.name == "writer_direct_notification_slot_of_old_lsn")


def test_slot_mapping_bug_needs_two_write_slots() -> None:
    """Teeth (NT-3, WR-8): the writer notifying the old write_lsn's slot passes a stepped row
    with one write slot (every slot is slot 0) and fails the same row with 4 slots."""
    small = settings(checks.MUTANT_SETTINGS, max_examples=60)  # no shrinking: just catch
    one_slot = attrs.evolve(matrix.row_named("s80-u3-s4"), name="s80-u3-s1",
                            changes=dict(n_user_threads=3, write_events=1, flush_events=4))
    with mutants.applied(SLOT_BUG):
        matrix.run_row(one_slot, small)
        with pytest.raises(ConformanceFailure):
            matrix.run_row(matrix.row_named("s80-u3-s4"), small)


def test_matrix_checks_are_registered() -> None:
    """``matrix-ci`` (first: cheap and sharp) and ``matrix`` are selectable by name."""
    assert checks.CHECKS[0].name == "matrix-ci"
    assert checks.check_named("matrix").load() is matrix.run
    assert checks.check_named("matrix-ci").load() is matrix.run_ci


FRG_BUG = next(m for m in MUTANTS if m.name == "frg_missed_when_group_ends_at_block_data_end")


def test_edges_row_reaches_block_data_ends_and_sees_the_boundary_bug() -> None:
    """Teeth (USR-2, RC-3): with group sizes that divide a block's 496 data bytes, groups end
    exactly at a block's data end (end_lsn at the next block's first data byte); a user that
    then leaves first_rec_group unset passes a CI row with the main group sizes (every end a
    multiple of 10 sn bytes) and fails the edges row."""
    from impl.redolog import Handle, RedoLog

    edges = matrix.row_named("s80-u2-edges")
    assert edges.ci
    ends: list[int] = []
    real = RedoLog.user_set_first_rec_group

    def spy(self: RedoLog, handle: Handle, **kw: str | None) -> bool:
        ends.append(handle.end_lsn % 512)
        return real(self, handle, **kw)

    small = settings(checks.MUTANT_SETTINGS, max_examples=60)
    RedoLog.user_set_first_rec_group = spy  # type: ignore[method-assign]
    try:
        matrix.run_row(edges, small)
    finally:
        RedoLog.user_set_first_rec_group = real  # type: ignore[method-assign]
    assert ends.count(12) >= 5, "no group ended exactly at a block's data end"
    with mutants.applied(FRG_BUG):
        matrix.run_row(matrix.row_named("s80-u3-s4"), small)
        with pytest.raises(ConformanceFailure, match=r"first_rec_group|pc"):
            matrix.run_row(edges, small)
