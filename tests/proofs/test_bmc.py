"""Bounded model checking from Init agrees with the explorer on what is reachable, and its
paths replay in the spec as label lists."""

from __future__ import annotations

import pytest

from proofs import bmc
from spec.model import RedoModel
from spec.params import Params

DEPTH = 6
"""BMC depth for the cross-check: every observation the explorer reaches within 6 steps of
the tiny preset (user closes at 5, flushes at 6 ...) and some it does not (a sleeping user
needs 7); deeper unrollings cost more than the suite's budget."""


@pytest.mark.slow
def test_bmc_and_explorer_agree_on_first_reachable_depths() -> None:
    """For every observation, BMC from Init (tiny preset, the explorer's choice enumeration)
    reaches it first at the same depth as the spec's BFS, or neither does within DEPTH. The
    list must not be vacuous: at least five observations are reached."""
    p = Params.tiny()
    explorer = bmc.explorer_depths(p, DEPTH)
    solver = bmc.bmc_depths(p, DEPTH)
    assert solver == explorer
    assert sum(d is not None for d in explorer.values()) >= 5


@pytest.mark.slow
def test_bmc_path_replays_as_spec_labels() -> None:
    """A BMC path to the first flush decodes into spec labels that RedoModel.replay accepts,
    and the replayed state has flushed_to_disk_lsn past the start (FL-1)."""
    p = Params.tiny()
    un = bmc.unroll(p)
    depth = bmc.first_depth(un, bmc.OBSERVATIONS["flushed_advanced"][0], DEPTH)
    assert depth is not None
    labels = bmc.witness_labels(un, bmc.OBSERVATIONS["flushed_advanced"], depth)
    assert len(labels) == depth
    states = RedoModel(p).replay([str(lab) for lab in labels])
    assert states[-1].flushed_to_disk_lsn > p.start_lsn + p.header_size
    assert labels[-1].action == "flusher_fsync"


def test_bmc_finds_no_invariant_violation_in_three_steps() -> None:
    """With the real functions (not the abstraction of the induction proofs), no invariant of
    the encoding fails within 3 steps of Init."""
    assert bmc.invariant_violation(bmc.unroll(Params.tiny()), 3) is None
