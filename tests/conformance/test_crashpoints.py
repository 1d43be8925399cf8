"""Crashes inside an action (conformance/crashpoints.py), under the active Hypothesis profile.

The stepped machine stops an I/O step (writer write, flusher fsync, checkpoint write and sync,
page write) at one of its crash points - before a store write or fsync, or at a named sync
point - and checks recovery of lost, torn, partially written, bit-flipped and stale-block
images against what was published before the crash (RC-1..RC-4, FL-1, FMT-10, CP-4). The
expected pages come from the driver's record of the groups and the image itself, never from
the implementation's recovery.
"""

from __future__ import annotations

from hypothesis import settings

from conformance import crashpoints, mutants
from conformance.mutant_catalog import MUTANTS


def test_crashpoints_conformance_lands_inside_steps() -> None:
    """RC-1..RC-4: the CI profile passes, and its crashes land inside steps at store
    operations and at sync points, in the writer, the flusher and the checkpointer, with
    every kind of image checked."""
    got = crashpoints.run(settings()).crash_points
    actions = {k.split("@")[0] for k in got if "@" in k}
    assert {"writer_write", "flusher_fsync"} <= actions, dict(got)
    assert any(a.startswith("checkpointer") for a in actions), dict(got)
    assert any(k.endswith("@fsync") for k in got) and any(k.endswith("@write") for k in got)
    assert any("@log_" in k for k in got), "no crash at a sync point"
    for kind in crashpoints.IMAGE_KINDS:
        assert got[f"image:{kind}"] > 0, kind


def test_publishing_before_the_fsync_is_seen_only_inside_the_step() -> None:
    """Teeth: a flusher that publishes flushed_to_disk_lsn before its fsync completes is
    caught by a crash between the two (the published lsn is not durable)."""
    mutant = next(m for m in MUTANTS if m.name == "flusher_publishes_before_fsync")
    result = mutants.run_mutant(mutant, check_names=["crashpoints"])
    assert result.caught and result.by is not None
    assert "acknowledged log not durable" in result.by
