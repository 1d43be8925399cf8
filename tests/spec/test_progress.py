"""Progress properties (spec/progress.py): checked by the explorer by backward reachability.

``checkpoint_progress`` (CP-2, CP-5, CP-7, SYS-2): from every reachable state a state is
reachable where every page is clean and the checkpoint is at the dirty-pages-added lsn. The
correct spec satisfies it on ``tiny`` (the exhaustive run of tests/spec/test_explorer_redo.py
checks it too); a checkpointer that stops one byte short of the dirty-pages-added lsn never
catches up with the last groups, and the explorer reports it with a trace and
a lasso.
"""

from __future__ import annotations

from engine import explore
from spec.blocks import CheckpointBlock
from spec.checkpointer import available_for_checkpoint_lsn
from spec.model import Label, RedoModel
from spec.params import Params
from spec.progress import PROGRESS, caught_up_lsn, checkpoint_caught_up
from spec.state import CheckpointState, State, replace

P = Params.tiny()


def _checkpoint_one_short(p: Params, s: State) -> State | None:
    """An off-by-one (CP-2): the checkpointer takes the last lsn added (dirty-pages-added lsn
    minus one) instead of the dirty-pages-added lsn itself, so it never catches up."""
    cp = s.checkpoint
    if cp.pending_lsn:
        return None
    lsn = min(available_for_checkpoint_lsn(p, s), s.recent_closed.tail - 1)
    if not lsn > cp.checkpoint_lsn:
        return None
    blk = CheckpointBlock(cp.checkpoint_no, lsn, True)
    written = (blk, cp.blocks_written[1]) if cp.checkpoint_no & 1 == 0 else (
        cp.blocks_written[0], blk)
    return replace(s, checkpoint=CheckpointState(cp.checkpoint_lsn, cp.checkpoint_no, lsn,
                                                 written, cp.blocks_disk))


def test_progress_properties_are_offered_to_the_explorer() -> None:
    model = RedoModel(P)
    assert [x.name for x in model.progress_properties()] == ["checkpoint_progress"]
    assert PROGRESS[0].ids and "CP-2" in PROGRESS[0].ids


def test_caught_up_lsn_moves_off_a_block_boundary() -> None:
    """CP-7: a dirty-pages-added lsn on a block boundary is caught up at the previous block's
    first data byte (the checkpoint is always a data lsn)."""
    bs, hs = P.block_size, P.header_size
    assert caught_up_lsn(P, 5 * bs) == 4 * bs + hs
    assert caught_up_lsn(P, 5 * bs + hs + 3) == 5 * bs + hs + 3


def test_the_initial_state_is_caught_up() -> None:
    """The correct spec's initial state is a target (the exhaustive ``tiny`` run of
    tests/spec/test_explorer_redo.py checks the property itself on the correct spec: verdict
    ok, with the progress properties of RedoModel)."""
    model = RedoModel(P)
    assert checkpoint_caught_up(P, model.init_states()[0])


def test_checkpoint_progress_catches_a_checkpoint_one_byte_short() -> None:
    """Teeth: the off-by-one checkpointer leaves the checkpoint one byte short of the last
    group forever; the explorer finds a state from which no caught-up state is reachable, and
    its trace replays to a state that is not caught up."""
    model = RedoModel(P, properties=()).with_action("checkpointer_write_checkpoint",
                                                    _checkpoint_one_short)
    res = explore(model, check_deadlock=False)
    assert res.verdict == "liveness", res.verdict
    v = res.violation
    assert v is not None and v.property == "checkpoint_progress"
    assert "dirty-pages-added" in v.message
    states = model.replay([Label.parse(t) for t in v.trace])
    assert not checkpoint_caught_up(P, states[-1])
    assert v.cycle, "the lasso shows how the run stays away from a caught-up checkpoint"
