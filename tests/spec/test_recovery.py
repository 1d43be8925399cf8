"""Crash and recovery (RC-1..4) and the model's variants explored exhaustively.

Recovery expectations are derived from the design: what was fsynced is recovered whole, what
was not is lost, a torn checkpoint falls back to the other block (FMT-10)."""

from __future__ import annotations

import pytest

from engine import explore
from spec.blocks import CheckpointBlock
from spec.crash import crash_images, recover_image
from spec.model import RedoModel
from spec.params import Params

P = Params.tiny()
M = RedoModel(P)
ONE_GROUP = [
    "user_reserve(thread=0, size=8, page=0, wait=flush)",
    "user_copy_to_log_buffer(thread=0)",
    "user_add_recent_written_link(thread=0)",
    "writer_traverse_links()",
    "writer_write()",
]


def test_rc4_unsynced_write_is_lost() -> None:
    """RC-4: written but not fsynced: the crash image holds nothing, recovery returns no
    group and stops at the empty block (RC-2)."""
    s = M.replay(ONE_GROUP)[-1]
    (image,) = list(crash_images(P, s))
    rep = recover_image(P, image)
    assert rep.groups == () and rep.checkpoint == CheckpointBlock(0, 52, True)
    assert "empty" in rep.stop_reason


def test_rc4_synced_group_recovered_whole() -> None:
    """RC-1..4: after the fsync the group [52, 60) on page 0 comes back exactly, and the scan
    stops at the incomplete block (data_len 12 < 16)."""
    s = M.replay([*ONE_GROUP, "flusher_fsync(up_to=60)"])[-1]
    rep = recover_image(P, next(iter(crash_images(P, s))))
    assert rep.groups == ((52, 60, 0),)
    assert rep.end_lsn == 60 and "incomplete" in rep.stop_reason


def test_rc2_bad_checksum_and_old_block_stop_the_scan() -> None:
    """RC-2: a block with a bad checksum or an hdr_no of another lap ends the scan."""
    s = M.replay([*ONE_GROUP, "flusher_fsync(up_to=60)"])[-1]
    files, cps = next(iter(crash_images(P, s)))
    b = files[0][0]
    assert b is not None
    bad = b._replace(checksum=b.checksum ^ 1)
    rep = recover_image(P, (((bad, *files[0][1:]), *files[1:]), cps))
    assert rep.groups == () and "checksum" in rep.stop_reason
    old = b._replace(hdr_no=b.hdr_no + P.log_capacity // P.block_size)
    rep = recover_image(P, (((old, *files[0][1:]), *files[1:]), cps))
    assert rep.groups == () and "hdr_no" in rep.stop_reason


def test_fmt10_torn_checkpoint_falls_back() -> None:
    """FMT-10, RC-1: with torn writes, a torn pending checkpoint block is invalid and recovery
    uses the other one (the larger valid checkpoint_no)."""
    p = P.evolve(torn_writes=True)
    m = RedoModel(p)
    s = m.replay([*ONE_GROUP, "user_add_dirty_pages(thread=0)",
                  "user_add_recent_closed_link(thread=0)", "closer_traverse_links()",
                  "flusher_fsync(up_to=60)", "page_cleaner_flush_page(list=0)",
                  "checkpointer_write_checkpoint()"])[-1]
    images = list(crash_images(p, s))
    torn = images[-1]
    assert torn[1][1] == CheckpointBlock(1, 60, False)
    assert recover_image(p, torn).checkpoint == CheckpointBlock(0, 52, True)
    assert recover_image(p, images[0]).groups == ((52, 60, 0),)


def test_no_valid_checkpoint_is_reported() -> None:
    """RC-1: no valid checkpoint block: a clear report, not an exception."""
    s = M.init_states()[0]
    files, _ = next(iter(crash_images(P, s)))
    rep = recover_image(P, (files, (None, CheckpointBlock(1, 60, False))))
    assert rep.checkpoint is None and rep.stop_reason == "no valid checkpoint"


def test_crash_and_recover_actions() -> None:
    """RC-4 as actions (explore_crashes): after crash only recover is enabled (a crashed state
    is never a fine end); recovery restarts the log and the system runs on, without another
    crash once ``max_crashes`` is used."""
    p = P.evolve(explore_crashes=True)
    m = RedoModel(p)
    s = m.replay([*ONE_GROUP, "crash(image=0)"])[-1]
    assert [str(x) for x in m.actions(s)] == ["recover()"] and not m.is_terminal_ok(s)
    t = m.next_state(s, next(iter(m.actions(s))))
    names = {x.action for x in m.actions(t)}
    assert "user_reserve" in names and "crash" not in names
    assert (t.crashed, t.recovered, t.generation) == (False, True, 1)
    p2 = p.evolve(max_crashes=2)
    assert "crash" in {x.action for x in RedoModel(p2).actions(t)}


@pytest.mark.parametrize(
    "changes",
    [
        {"version": "9.0", "max_sn": 8},
        {"link_buf": "8.0.22", "recent_written_size": 32, "recent_closed_size": 32,
         "max_sn": 8},
        {"torn_writes": True, "explore_crashes": True, "max_sn": 8, "max_crashes": 2},
        {"wait_kinds": ("write", "none"), "max_sn": 8, "page_per_thread": False},
        {"checksums": False, "max_sn": 8},
    ],
    ids=["9.0", "8.0.22", "torn+crash", "write-waits", "no-checksums"],
)
def test_variants_explored_exhaustively(changes: dict[str, object]) -> None:
    """LNK-6, CP-1 (9.0), RC-4 with torn writes, USR-5, FMT-8: each variant of tiny with two
    groups is explored completely: no invariant violated, no deadlock, SYS-3 liveness."""
    r = explore(RedoModel(P.evolve(**changes)), check_liveness=True)
    assert r.verdict in ("ok", "coverage"), (r.verdict, r.violation and r.violation.format())
    assert r.violation is None
