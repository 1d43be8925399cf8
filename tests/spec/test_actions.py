"""Each actor's actions: guards block and enable, effects follow the design text.

Expected values come from the design (seed 001) and MySQL's formulas in
reference/mysql-redo-facts.md, computed by hand for ``tiny`` (16-byte blocks, 4-byte header,
2-byte trailer, 10 data bytes; the log starts at lsn 48 + 4 = 52, file 0 offset 64).
"""

from __future__ import annotations

import pytest

from spec.checkpointer import available_for_checkpoint_lsn
from spec.model import ActionNotEnabled, Label, RedoModel
from spec.params import Params
from spec.state import State

P = Params.tiny()
M = RedoModel(P)

G0 = [  # thread 0: 8 bytes at sn 30 -> lsn [52, 60)
    "user_reserve(thread=0, size=8, page=0, wait=flush)",
    "user_copy_to_log_buffer(thread=0)",
]
G1 = [  # thread 1: 4 bytes at sn 38 -> lsn [60, 64+4+2=70): crosses into block 64
    "user_reserve(thread=1, size=4, page=1, wait=flush)",
    "user_copy_to_log_buffer(thread=1)",
]


def run(*labels: str) -> State:
    return M.replay(list(labels))[-1]


def enabled(s: State) -> set[str]:
    return {str(lab) for lab in M.actions(s)}


def test_usr1_reserve_translates_sn_to_lsn() -> None:
    """USR-1, FMT-2: start = sn_to_lsn(30) = 3*16 + 4 = 52, end = 60; groups history."""
    s = run(G0[0])
    assert s.sn == 38 and s.groups == ((52, 60, 0),)
    s = run(G0[0], G1[0])
    # sn 38..42: 38 -> block 3 offset 8+4=12 -> lsn 60; 42 -> block 4 offset 2+4=6 -> lsn 70
    assert s.groups[1] == (60, 70, 1)


def test_usr1_reserve_bounded_by_max_sn() -> None:
    """Exploration bound: no reservation once max_sn is used."""
    s = run(G0[0], "user_reserve(thread=1, size=4, page=1, wait=flush)")
    assert s.sn == P.start_sn + P.max_sn
    assert not any(lab.action == "user_reserve" for lab in M.actions(s))


def test_usr1_copy_bytes_and_usr2_first_rec_group() -> None:
    """USR-1 (log_buffer_write, facts §2.5): bytes skip the trailer and next header and the
    crossing zeroes the next block's first_rec_group; USR-2 sets it to end % 16 = 6."""
    s = run(*G0, *G1)
    blk3 = s.buffer[(48 % 48) // 16]
    blk4 = s.buffer[(64 % 48) // 16]
    assert blk3[0] == 4  # the log's first group starts after the header
    assert blk3[1] == bytes([8, 1, 1, 1, 1, 1, 1, 1, 4, 2])  # group 0 then 2 bytes of group 1
    assert blk4[1][:2] == bytes([2, 2]) and blk4[0] == 0
    assert "user_add_recent_written_link(thread=1)" not in enabled(s)  # frg first (USR-2)
    s = M.next_state(s, Label.parse("user_set_first_rec_group(thread=1)"))
    assert s.buffer[1][0] == 6
    with pytest.raises(ActionNotEnabled, match="later block"):
        M.next_state(run(*G0), Label.parse("user_set_first_rec_group(thread=0)"))


def test_usr3_links_and_wr1_traversal_stops_at_hole() -> None:
    """USR-3, LNK-2, WR-1: the writer's tail does not pass a missing link."""
    s = run(*G0, *G1, "user_set_first_rec_group(thread=1)",
            "user_add_recent_written_link(thread=1)")
    assert "writer_traverse_links()" not in enabled(s)  # hole at [52, 60)
    s = M.next_state(s, Label.parse("user_add_recent_written_link(thread=0)"))
    s = M.next_state(s, Label.parse("writer_traverse_links()"))
    assert s.buf_ready_for_write_lsn == 70


def test_wr3_to_wr8_write_decision() -> None:
    """WR-3..8 on tiny (write-ahead 32 bytes, file header 64): ready = 70 but the ring ends at
    96... block 48 is at ring 0, so the write starts at block 48 (file 0 offset 64) with 22
    bytes: no region written ahead and it fits in the region [64, 96), so it goes through the
    write-ahead buffer (from_log_buffer False), the incomplete block gets data_len 70 % 16 = 6,
    and the region is padded: no padding needed (2 blocks = 32 bytes). write_lsn = 70; the
    advance crosses a block, so write_notifier_event is set (WR-8, decision 3)."""
    s = run(*G0, *G1, "user_set_first_rec_group(thread=1)",
            "user_add_recent_written_link(thread=1)", "user_add_recent_written_link(thread=0)",
            "writer_traverse_links()", "writer_write()")
    assert s.write_lsn == 70
    assert s.last_write == (0, 64, 32, 0)
    b0, b1 = s.files[0][0], s.files[0][1]
    assert b0 is not None and b1 is not None
    assert (b0.hdr_no, b0.flush_bit, b0.data_len, b0.first_rec_group) == (48 // 16 + 1, True,
                                                                          16, 4)
    assert (b1.hdr_no, b1.flush_bit, b1.data_len, b1.first_rec_group) == (5, False, 6, 6)
    assert b1.data == bytes([2, 2]) + bytes(8)
    assert s.notifiers.write_notifier_event
    assert s.writer.write_ahead_end_offset == 96
    assert s.monitor.full_block_writes == 1 and s.monitor.partial_block_writes == 0


def test_wr6_partial_write_padded_to_region() -> None:
    """WR-4, WR-6: a lone incomplete block is written through the write-ahead buffer and
    padded with a zero block to the end of the 32-byte region; write_lsn advances by the data
    only (WR-7); the advance stays in one block, so the slot is set directly (decision 3)."""
    s = run(*G0, "user_add_recent_written_link(thread=0)", "writer_traverse_links()",
            "writer_write()")
    assert s.write_lsn == 60
    assert s.last_write == (0, 64, 32, 0)
    assert s.files[0][0] is not None and s.files[0][0].data_len == 12
    assert s.files[0][1] is not None and s.files[0][1].hdr_no == 0  # padding
    assert s.monitor.write_ahead_padding_bytes == 16 and s.monitor.partial_block_writes == 1
    assert not s.notifiers.write_notifier_event


def test_fl1_fsync_and_waits() -> None:
    """FL-1, FL-2, USR-6, USR-7: fsync makes files durable, flushed := write_lsn; the user's
    reset / check / sleep / wake protocol."""
    s = run(*G0, "user_add_recent_written_link(thread=0)", "user_add_dirty_pages(thread=0)",
            "user_add_recent_closed_link(thread=0)", "user_wait_reset_event(thread=0)",
            "user_wait_check(thread=0)")
    assert s.users[0].pc == "sleeping" and not s.users[0].signalled
    s = run(*G0, "user_add_recent_written_link(thread=0)", "user_add_dirty_pages(thread=0)",
            "user_add_recent_closed_link(thread=0)", "user_wait_reset_event(thread=0)",
            "user_wait_check(thread=0)", "writer_traverse_links()", "writer_write()",
            "flusher_fsync(up_to=60)")
    assert s.disk == s.files and s.flushed_to_disk_lsn == 60
    assert s.users[0].signalled  # one block: set directly (FL-2)
    s = M.next_state(s, Label.parse("user_wait_wake(thread=0)"))
    s = M.next_state(s, Label.parse("user_wait_reset_event(thread=0)"))
    s = M.next_state(s, Label.parse("user_wait_check(thread=0)"))
    assert s.users[0].pc == "idle"


def test_cp2_checkpoint_and_cp6_page_cleaner() -> None:
    """CP-2, CP-6, CP-7, FMT-10: available = min(dpa, oldest - L, flushed) with a boundary
    moved back; the WAL rule guards the page cleaner; checkpoint blocks alternate."""
    s = run(*G0, "user_add_recent_written_link(thread=0)", "user_add_dirty_pages(thread=0)",
            "user_add_recent_closed_link(thread=0)", "closer_traverse_links()")
    assert s.pages.flush_lists == (((0, 52),),) and s.pages.newest[0] == 60
    assert "page_cleaner_flush_page(list=0)" not in enabled(s)  # not flushed yet (WAL)
    s = run(*G0, "user_add_recent_written_link(thread=0)", "user_add_dirty_pages(thread=0)",
            "user_add_recent_closed_link(thread=0)", "closer_traverse_links()",
            "writer_traverse_links()", "writer_write()", "flusher_fsync(up_to=60)",
            "page_cleaner_flush_page(list=0)")
    assert s.pages.on_disk[0] == 60 and s.pages.flush_lists == ((),)
    assert available_for_checkpoint_lsn(P, s) == 60  # no dirty pages: dpa = 60 = flushed
    s = M.next_state(s, Label("checkpointer_write_checkpoint"))
    assert s.checkpoint.pending_lsn == 60 and s.checkpoint_lsn == 52
    assert s.checkpoint.blocks_written[1] == (1, 60, True)  # checkpoint 1 -> slot 1
    assert s.checkpoint.blocks_disk[1] is None
    s = M.next_state(s, Label("checkpointer_sync_checkpoint"))
    assert s.checkpoint_lsn == 60 and s.checkpoint.checkpoint_no == 2
    assert s.checkpoint.blocks_disk[1] == (1, 60, True)


def test_cp3_dirty_pages_wait_for_order_lag() -> None:
    """CP-3: a page may be added only when start_lsn < recent_closed tail + L (L = 16): a
    third group at lsn 74 waits until the closer passes 58."""
    p = P.evolve(max_sn=20, n_user_threads=3, n_pages=3, recent_written_size=64)
    m = RedoModel(p)
    pre = [
        "user_reserve(thread=0, size=8, page=0, wait=none)",   # [52, 60)
        "user_reserve(thread=1, size=8, page=1, wait=none)",   # [60, 74)
        "user_reserve(thread=2, size=4, page=2, wait=none)",   # [74, 84): ends the block
        "user_copy_to_log_buffer(thread=2)",
        "user_set_first_rec_group(thread=2)",  # USR-2: ending at a block end counts as next
        "user_add_recent_written_link(thread=2)",
    ]
    s = m.replay(pre)[-1]
    assert s.groups[2] == (74, 84, 2) and s.recent_closed.tail == 52
    assert s.buffer[(80 % 48) // 16][0] == 4
    assert "user_add_dirty_pages(thread=2)" not in {str(x) for x in m.actions(s)}
    s = m.replay([*pre, "user_copy_to_log_buffer(thread=0)",
                  "user_add_recent_written_link(thread=0)", "user_add_dirty_pages(thread=0)",
                  "user_add_recent_closed_link(thread=0)", "closer_traverse_links()"])[-1]
    assert s.recent_closed.tail == 60
    assert "user_add_dirty_pages(thread=2)" in {str(x) for x in m.actions(s)}


def test_nt2_notifier_sets_every_block_slot() -> None:
    """NT-2: from the block of the previous write_lsn to the block holding the new one."""
    from spec.notifier import notify_range

    assert notify_range(P, 53, 70, 4) == {3 & 3, 4 & 3}
    assert notify_range(P, 53, 64, 4) == {3}
    assert notify_range(P, 65, 130, 2) == {0, 1}
