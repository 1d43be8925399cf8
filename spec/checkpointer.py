"""The checkpointer (CP-2..5, CP-7, FMT-10): compute available_for_checkpoint_lsn, write it
to the alternate checkpoint block, then sync and publish it.

Seed 001 ("Thread: log checkpointer") and facts §7.1/§7.3. A checkpoint says "recovery may
start here": every page modification below it is in the data files. Two steps (decision 9):
write the block whose number is ``checkpoint_no & 1`` (the other one stays valid, FMT-10),
then fsync and publish checkpoint_lsn, which is what the writer's capacity limit uses.
"""

from __future__ import annotations

from spec import tracker
from spec.blocks import CheckpointBlock
from spec.model_types import Action, action
from spec.params import Params
from spec.state import CheckpointState, State, replace


def oldest_lsn(s: State) -> int:
    """The smallest oldest_modification of the earliest-added page of each flush list (the
    lists' tails, CP-2), 0 when there are no dirty pages."""
    tails = [lst[-1][1] for lst in s.pages.flush_lists if lst]
    return min(tails) if tails else 0


def available_for_checkpoint_lsn(p: Params, s: State) -> int:
    """CP-2, CP-4, CP-7 (facts §7.1, in MySQL's order): ``dpa`` = the recent-closed / tracker
    tail; ``lwm`` = ``max(last_checkpoint, oldest - L)`` (``last_checkpoint`` if ``oldest <=
    L``), or ``dpa`` when there are no dirty pages, else ``min(lwm, dpa)``; then
    ``min(.., flushed_to_disk_lsn)``; a block boundary moves back to the previous block's
    first data byte (CP-7); never below the last checkpoint."""
    last = s.checkpoint.checkpoint_lsn
    dpa = s.recent_closed.tail
    oldest = oldest_lsn(s)
    if oldest == 0:
        lwm = dpa
    else:
        lwm = max(last, oldest - p.order_lag) if oldest > p.order_lag else last
        lwm = min(lwm, dpa)
    lsn = min(lwm, s.flushed_to_disk_lsn)
    if lsn % p.block_size == 0:
        lsn = lsn - p.block_size + p.header_size
    return max(lsn, last)


def checkpointer_write_checkpoint(p: Params, s: State) -> State | None:
    """CP-2, CP-4, CP-7, FMT-10: write checkpoint ``checkpoint_no`` at
    available_for_checkpoint_lsn into checkpoint block ``checkpoint_no & 1`` (OS cache).
    Guard: no checkpoint pending and the lsn is above the last checkpoint (CP-5: the spec
    takes every checkpoint it may)."""
    cp = s.checkpoint
    if cp.pending_lsn:
        return None
    lsn = available_for_checkpoint_lsn(p, s)
    if not lsn > cp.checkpoint_lsn:
        return None
    slot = cp.checkpoint_no & 1
    blk = CheckpointBlock(cp.checkpoint_no, lsn, True)
    written = (blk, cp.blocks_written[1]) if slot == 0 else (cp.blocks_written[0], blk)
    return replace(
        s,
        checkpoint=CheckpointState(cp.checkpoint_lsn, cp.checkpoint_no, lsn, written,
                                   cp.blocks_disk),
    )


def checkpointer_sync_checkpoint(p: Params, s: State) -> State | None:
    """CP-4, FMT-10: fsync the checkpoint block, then publish ``checkpoint_lsn`` (the writer
    may now reuse the files below it, WR-9) and ``checkpoint_no += 1``. Guard: a checkpoint
    is pending."""
    cp = s.checkpoint
    if not cp.pending_lsn:
        return None
    slot = cp.checkpoint_no & 1
    disk = (
        (cp.blocks_written[0], cp.blocks_disk[1])
        if slot == 0
        else (cp.blocks_disk[0], cp.blocks_written[1])
    )
    return replace(
        s,
        checkpoint=CheckpointState(cp.pending_lsn, cp.checkpoint_no + 1, 0, cp.blocks_written,
                                   disk),
    )


def checkpointer_ask_smallest_not_added(p: Params, s: State) -> State | None:
    """CP-1, CP-2 (9.0): the checkpointer's loop asks for
    ``buf_flush_list_added->smallest_not_added_lsn()`` (seed 002: available_for_checkpoint_lsn
    is computed from it; MySQL's ``update_available_for_checkpoint_lsn`` calls it every pass),
    which advances the tracker's tail past every reported range with no unreported range below
    it, under the tracker's lock (:func:`spec.tracker.smallest_not_added_lsn`). Nothing else
    advances over a hole that a later report filled: without this ask a range reported after
    the one below it was taken by the fast path stays above the tail, and so does the
    checkpoint. Guard: the tail advances."""
    rc = tracker.smallest_not_added_lsn(p, s.recent_closed)
    if rc is s.recent_closed:
        return None
    return replace(s, recent_closed=rc)


ACTIONS_90: tuple[Action, ...] = (
    action(checkpointer_ask_smallest_not_added, "checkpointer", ("CP-1", "CP-2", "LNK-2"),
           guard="smallest_not_added_lsn advances"),
)
"""9.0 only (:mod:`spec.model` adds it before the checkpoint actions)."""

ACTIONS: tuple[Action, ...] = (
    action(checkpointer_write_checkpoint, "checkpointer",
           ("CP-2", "CP-4", "CP-5", "CP-7", "FMT-10"),
           guard="no checkpoint pending and available_for_checkpoint_lsn > checkpoint_lsn"),
    action(checkpointer_sync_checkpoint, "checkpointer", ("CP-4", "FMT-10"),
           guard="a checkpoint is pending"),
)
